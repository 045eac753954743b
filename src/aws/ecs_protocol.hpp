// File: src/aws/ecs_protocol.hpp — pure ECS request builders and response parsers (JSON 1.1), checked against the model in tests.
#pragma once

#include "aws/aws_error.hpp"
#include "aws/ecs_types.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::aws::ecs {

inline constexpr std::string_view target_prefix = "AmazonEC2ContainerServiceV20141113";
inline constexpr std::size_t max_describe_batch = 100;          // DescribeTasks / DescribeContainerInstances
inline constexpr std::size_t max_start_task_instances = 10;     // StartTask containerInstances
inline constexpr int max_run_task_count = 10;                   // RunTask count
inline constexpr std::size_t max_update_state_instances = 10;   // UpdateContainerInstancesState
inline constexpr int max_list_results = 100;                    // List* maxResults

struct ListContainerInstancesRequest {
  std::string cluster;
  std::string filter;  // cluster query language, e.g. "attribute:ecs.instance-type =~ t2.*"
  std::string status;  // ACTIVE | DRAINING | REGISTERING | DEREGISTERING | REGISTRATION_FAILED
  std::optional<int> max_results;
  std::string next_token;
};

struct ListTasksRequest {
  std::string cluster;
  std::string container_instance;
  std::string family;
  std::string started_by;
  std::string service_name;
  std::string desired_status;  // RUNNING | PENDING | STOPPED
  std::string launch_type;
  std::optional<int> max_results;
  std::string next_token;
};

struct ListAttributesRequest {
  std::string cluster;
  std::string target_type = "container-instance";
  std::string attribute_name;
  std::string attribute_value;
  std::optional<int> max_results;
  std::string next_token;
};

struct PlacementConstraint {
  std::string type;        // distinctInstance | memberOf
  std::string expression;  // memberOf only
};
struct PlacementStrategy {
  std::string type;   // random | spread | binpack
  std::string field;  // e.g. attribute:ecs.availability-zone, memory
};

struct StartTaskRequest {
  std::string cluster;
  std::string task_definition;
  std::vector<std::string> container_instances;  // 1..10
  std::string started_by;
  std::string group;
  std::string reference_id;
  boost::json::object overrides;  // TaskOverride, passed through
  bool enable_ecs_managed_tags = false;
};

struct RunTaskRequest {
  std::string cluster;
  std::string task_definition;
  int count = 1;  // 1..10
  std::string client_token;  // idempotency: the same token never launches twice
  std::string started_by;
  std::string group;
  std::string launch_type;  // EC2 | FARGATE | EXTERNAL; empty = cluster default
  std::vector<PlacementConstraint> placement_constraints;
  std::vector<PlacementStrategy> placement_strategy;
  std::string reference_id;
  boost::json::object overrides;
  bool enable_ecs_managed_tags = false;
};

struct StopTaskRequest {
  std::string cluster;
  std::string task;
  std::string reason;
};

// One page of a List* call.
struct ListPage {
  std::vector<std::string> arns;
  std::string next_token;  // empty on the last page
};

// ListAttributes entry.
struct TargetAttribute {
  std::string name;
  std::optional<std::string> value;
  std::string target_type;
  std::string target_id;
};
struct AttributesPage {
  std::vector<TargetAttribute> attributes;
  std::string next_token;
};

// Describe*/StartTask/RunTask/UpdateContainerInstancesState: items plus per-ARN failures.
template <class T>
struct BatchResult {
  std::vector<T> items;
  std::vector<Failure> failures;
};

struct TaskDefinition {
  std::string task_definition_arn;
  std::string family;
  std::int64_t revision = 0;
  std::string status;
  std::string network_mode;
  std::string cpu;
  std::string memory;
  std::vector<std::string> requires_compatibilities;
  boost::json::array container_definitions;  // passed through as ECS sends them
  boost::json::object raw;                   // the whole taskDefinition object
};

// ---- Builders (validate limits; return the request body) ----
AwsResult<boost::json::object> build_list_container_instances(const ListContainerInstancesRequest& r);
AwsResult<boost::json::object> build_list_tasks(const ListTasksRequest& r);
AwsResult<boost::json::object> build_list_attributes(const ListAttributesRequest& r);
AwsResult<boost::json::object> build_describe_container_instances(std::string_view cluster,
                                                                   const std::vector<std::string>& arns);
AwsResult<boost::json::object> build_describe_tasks(std::string_view cluster, const std::vector<std::string>& arns);
AwsResult<boost::json::object> build_start_task(const StartTaskRequest& r);
AwsResult<boost::json::object> build_run_task(const RunTaskRequest& r);
AwsResult<boost::json::object> build_stop_task(const StopTaskRequest& r);
AwsResult<boost::json::object> build_describe_task_definition(std::string_view task_definition);
// `definition` is a RegisterTaskDefinition input (family, containerDefinitions, ...), checked for required members.
AwsResult<boost::json::object> build_register_task_definition(const boost::json::object& definition);
AwsResult<boost::json::object> build_update_container_instances_state(std::string_view cluster,
                                                                       const std::vector<std::string>& arns,
                                                                       std::string_view status);

// ---- Parsers ----
AwsResult<ListPage> parse_list_page(const boost::json::value& body, std::string_view arns_member);
AwsResult<AttributesPage> parse_list_attributes(const boost::json::value& body);
AwsResult<BatchResult<Task>> parse_tasks_result(const boost::json::value& body);  // "tasks" + "failures"
AwsResult<BatchResult<ContainerInstance>> parse_container_instances_result(const boost::json::value& body);
AwsResult<Task> parse_stop_task(const boost::json::value& body);
AwsResult<TaskDefinition> parse_task_definition(const boost::json::value& body);  // {"taskDefinition": ...}

// Splits `items` into chunks of at most `size` (order kept).
std::vector<std::vector<std::string>> chunk(const std::vector<std::string>& items, std::size_t size);

// Whether sending `operation` with `body` twice has the effect of sending it once (the table in
// src/aws/README.md). RunTask is idempotent only with a clientToken; StartTask never is; unknown
// operations are treated as not idempotent.
[[nodiscard]] Idempotency operation_idempotency(std::string_view operation, const boost::json::object& body);

}  // namespace berth::aws::ecs
