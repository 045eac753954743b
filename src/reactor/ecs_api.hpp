// File: src/reactor/ecs_api.hpp — the role interface the reactor needs from ECS. The real client in
// src/aws is adapted to it; tests use a fake. Rate limiting, retries of throttled calls and timeouts
// belong to the implementation; results distinguish "failed" from "outcome unknown".
#pragma once

#include "aws/ecs_protocol.hpp"
#include "aws/ecs_types.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace berth::reactor {

struct EcsError {
  enum class Kind {
    rejected,  // the request was refused (4xx, validation, access): nothing happened
    throttled,  // refused by the rate limiter: nothing happened, retry later
    unknown,    // timeout, connection lost, 5xx: the action may or may not have happened
  };
  Kind kind = Kind::unknown;
  std::string code;     // e.g. ThrottlingException, ClientException
  std::string message;
};
template <class T>
using EcsResult = boost::system::result<T, EcsError>;

struct StartTaskRequest {
  std::string cluster;
  std::string task_definition;
  std::vector<std::string> container_instances;  // 1..10
  std::string started_by;                        // <= 36 chars
  std::string group;                             // <= 255 chars
};

// RunTask: ECS places the tasks (berth's placement constraints/strategy passed through). Used where
// berth need not pick the instance (jobs). Unlike StartTask it is idempotent: a retry with the same
// client_token within 24 h answers the first call's tasks and launches nothing; the same token with
// other parameters is refused (ConflictException: rejected).
struct RunTaskRequest {
  std::string cluster;
  std::string task_definition;
  int count = 1;                 // 1..10
  std::string client_token;      // <= 64 chars; required, so that a caller can retry after a crash
  std::string started_by;        // <= 36 chars
  std::string group;             // <= 255 chars
  std::vector<aws::ecs::PlacementConstraint> placement_constraints;
  std::vector<aws::ecs::PlacementStrategy> placement_strategy;
  boost::json::object overrides;  // TaskOverride (containerOverrides, cpu, memory, ...), passed through
};

// StartTask and RunTask answer alike.
struct StartTaskResult {
  std::vector<aws::ecs::Task> tasks;
  // StartTask: arn = the container instance that got no task; RunTask: ECS's reason (e.g. RESOURCE:CPU).
  std::vector<aws::ecs::Failure> failures;
};
using RunTaskResult = StartTaskResult;

struct ArnPage {
  std::vector<std::string> arns;
  std::string next_token;  // empty on the last page
};

template <class T>
struct Described {
  std::vector<T> items;
  std::vector<aws::ecs::Failure> failures;
};

// What berth needs from DescribeTaskDefinition (revisions are immutable: cache freely, see
// task_definition_cache). Resources as ECS's placement reserves them on an EC2 instance.
struct TaskDefinitionInfo {
  std::string arn;
  bool has_health_check = false;  // some container definition has a healthCheck
  std::int32_t cpu = 0;     // task-level cpu, else the sum of the containers' cpu
  std::int32_t memory = 0;  // task-level memory, else the sum of containers' memoryReservation (else memory)
  // Fixed host ports the task binds (hostPort; containerPort in host mode), sorted, unique. Dynamic
  // ports (hostPort 0 in bridge mode) and awsvpc tasks (own ENI) take none of the instance's PORTS.
  std::vector<std::uint16_t> host_tcp_ports, host_udp_ports;
};

class EcsApi {
 public:
  virtual ~EcsApi() = default;

  virtual boost::asio::awaitable<EcsResult<StartTaskResult>> start_task(StartTaskRequest request) = 0;
  virtual boost::asio::awaitable<EcsResult<RunTaskResult>> run_task(RunTaskRequest request) = 0;
  virtual boost::asio::awaitable<EcsResult<aws::ecs::Task>> stop_task(std::string cluster, std::string task_arn,
                                                                      std::string reason) = 0;
  // Pages of up to 100 ARNs.
  virtual boost::asio::awaitable<EcsResult<ArnPage>> list_container_instances(std::string cluster,
                                                                              std::string next_token) = 0;
  // Tasks with desiredStatus RUNNING on `container_instance`; empty lists every task of the cluster.
  // (Not by startedBy: ECS allows startedBy only as the sole filter, which would list stopping tasks too.)
  virtual boost::asio::awaitable<EcsResult<ArnPage>> list_tasks(std::string cluster, std::string container_instance,
                                                                std::string next_token) = 0;
  // At most 100 ARNs per call.
  virtual boost::asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string cluster, std::vector<std::string> arns) = 0;
  virtual boost::asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_tasks(std::string cluster,
                                                                                     std::vector<std::string> arns) = 0;
  virtual boost::asio::awaitable<EcsResult<TaskDefinitionInfo>> describe_task_definition(
      std::string task_definition) = 0;
};

}  // namespace berth::reactor
