// File: src/aws/ecs_types.hpp — plain ECS API shapes (the subset berth reads), shared by the ECS client,
// the SQS event decoder and the cluster model. No I/O here; decoding lives in ecs_json.hpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::aws::ecs {

using Timestamp = std::chrono::system_clock::time_point;

// ECS "Attribute": name with an optional value (capabilities have no value).
struct Attribute {
  std::string name;
  std::optional<std::string> value;
  friend bool operator==(const Attribute&, const Attribute&) = default;
};

// ECS "Resource": CPU/MEMORY are INTEGER, PORTS/PORTS_UDP are STRINGSET.
struct Resource {
  std::string name;
  std::string type;  // INTEGER | LONG | DOUBLE | STRINGSET
  std::int64_t integer_value = 0;
  double double_value = 0;
  std::vector<std::string> string_set_value;
  friend bool operator==(const Resource&, const Resource&) = default;
};

// The agent's and Docker's versions on an instance (versionInfo).
struct VersionInfo {
  std::string agent_version;
  std::string agent_hash;
  std::string docker_version;
};

struct ContainerInstance {
  std::string container_instance_arn;
  std::string cluster_arn;  // present in events, absent in DescribeContainerInstances
  std::string ec2_instance_id;
  std::string status;  // ACTIVE | DRAINING | INACTIVE | REGISTERING | DEREGISTERING | ...
  bool agent_connected = false;
  std::int64_t version = 0;
  std::vector<Attribute> attributes;
  std::vector<Resource> registered_resources;
  std::vector<Resource> remaining_resources;
  std::int32_t running_tasks_count = 0;
  std::int32_t pending_tasks_count = 0;
  std::optional<Timestamp> registered_at;
  std::optional<Timestamp> updated_at;  // events only
  VersionInfo version_info;
};

struct NetworkBinding {
  std::int32_t container_port = 0;
  std::int32_t host_port = 0;
  std::string protocol;  // tcp | udp
};

struct Container {
  std::string container_arn;
  std::string name;
  std::string last_status;
  std::optional<std::int32_t> exit_code;
  std::string reason;
  std::string health_status;  // HEALTHY | UNHEALTHY | UNKNOWN (empty if absent)
  std::vector<NetworkBinding> network_bindings;
};

struct KeyValuePair {
  std::string name;
  std::string value;
};

// One container's part of a TaskOverride (the fields berth reports; ECS has more: cpu, memory, ...).
struct ContainerOverride {
  std::string name;
  std::vector<std::string> command;
  std::vector<KeyValuePair> environment;
};

// What RunTask/StartTask overrode, as DescribeTasks and task events report it.
struct TaskOverride {
  std::vector<ContainerOverride> container_overrides;
  std::string task_role_arn;
};

struct Task {
  std::string task_arn;
  std::string cluster_arn;
  std::string task_definition_arn;
  std::string container_instance_arn;  // empty for Fargate
  std::string last_status;             // PROVISIONING | PENDING | ACTIVATING | RUNNING | ... | STOPPED
  std::string desired_status;
  std::string health_status;
  std::string launch_type;
  std::string group;
  std::string started_by;
  std::string stop_code;
  std::string stopped_reason;
  std::string cpu;     // task-level, as ECS sends it ("256")
  std::string memory;  // task-level ("512")
  std::int64_t version = 0;
  std::vector<Container> containers;
  TaskOverride overrides;
  std::optional<Timestamp> created_at;
  std::optional<Timestamp> started_at;
  std::optional<Timestamp> stopping_at;
  std::optional<Timestamp> stopped_at;
  std::optional<Timestamp> updated_at;  // events only
};

// ECS "Failure" entry of StartTask/RunTask/Describe* responses.
struct Failure {
  std::string arn;
  std::string reason;  // e.g. RESOURCE:MEMORY, MISSING, AGENT
  std::string detail;
};

}  // namespace berth::aws::ecs
