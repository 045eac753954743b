// File: src/policy/cluster_snapshot.hpp — the read-only view of one cluster that policies plan from.
// Views (string_view/span) point into the reactor's cluster model and are valid only until the model
// is next mutated: compute the plan synchronously, the plan itself owns its strings.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace berth::policy {

using SystemTime = std::chrono::system_clock::time_point;

enum class InstanceStatus : unsigned char { active, draining, registering, deregistering, inactive, other };
enum class TaskStatus : unsigned char { provisioning, pending, activating, running, deactivating, stopping, deprovisioning, stopped, other };
enum class HealthStatus : unsigned char { unknown, healthy, unhealthy };

InstanceStatus instance_status_from_string(std::string_view s);
TaskStatus task_status_from_string(std::string_view s);
HealthStatus health_status_from_string(std::string_view s);
const char* to_string(InstanceStatus s);
const char* to_string(TaskStatus s);

// CPU units (1024 per vCPU) and MiB, as ECS's INTEGER resources "CPU" and "MEMORY".
struct CpuMemory {
  std::int32_t cpu = 0;
  std::int32_t memory = 0;
  friend bool operator==(const CpuMemory&, const CpuMemory&) = default;
};

// One instance attribute; capabilities have no value.
struct AttributeView {
  std::string_view name;
  std::string_view value;
  bool has_value = false;
};

struct SnapshotInstance {
  std::string_view arn;
  std::string_view ec2_instance_id;
  InstanceStatus status = InstanceStatus::other;
  bool agent_connected = false;
  std::span<const AttributeView> attributes;
  std::string_view availability_zone;  // attribute ecs.availability-zone, empty if unknown
  // Resources as ECS reports them (registeredResources / remainingResources). `remaining` is ECS's
  // figure minus what berth's own in-flight launches (expectations) will take once they land.
  CpuMemory registered;
  CpuMemory remaining;
  // Host ports in use (PORTS / PORTS_UDP of remainingResources, plus expectations' ports), sorted.
  std::span<const std::uint16_t> reserved_tcp_ports;
  std::span<const std::uint16_t> reserved_udp_ports;

  // Linear scan: instances carry a few dozen attributes at most.
  std::optional<AttributeView> attribute(std::string_view name) const {
    for (const auto& a : attributes)
      if (a.name == name) return a;
    return std::nullopt;
  }
};

struct SnapshotTask {
  std::string_view arn;  // empty for a launch whose outcome is unknown (StartTask timed out)
  std::string_view instance_arn;
  std::string_view task_definition;
  std::string_view started_by;
  std::string_view group;
  // What the task reserves on its instance (task-level cpu/memory, else the sum of its task
  // definition's containers); zero while the task definition is not yet described.
  CpuMemory reserved;
  TaskStatus last_status = TaskStatus::pending;
  TaskStatus desired_status = TaskStatus::running;
  HealthStatus health = HealthStatus::unknown;
  bool has_health_check = false;  // some container reports a health status
  bool expected = false;          // launched by berth, not yet confirmed by an event or Describe
  std::optional<SystemTime> healthy_since;  // first seen RUNNING (and HEALTHY where checked)
  // For a launch in doubt: when it is next looked at (the reconciler asks ECS what happened, or the
  // model has forgotten it). The plan wakes then, so the instance is not left without a task until
  // some unrelated event or the audit.
  std::optional<SystemTime> doubt_recheck_at;
  bool ever_healthy = false;
  // Only meaningful once STOPPED:
  std::string_view stop_code;  // TaskFailedToStart | EssentialContainerExited | UserInitiated | ...
  bool nonzero_exit = false;   // some container exited with a non-zero code
  std::optional<SystemTime> stopped_at;

  bool is_stopped() const { return last_status == TaskStatus::stopped; }
  // Live: not stopped and not asked to stop.
  bool is_live() const { return !is_stopped() && desired_status != TaskStatus::stopped; }
  bool is_stopping() const { return !is_stopped() && desired_status == TaskStatus::stopped; }
};

// Instances of the cluster and its tasks, including recent tombstones (STOPPED tasks) and
// expectations. A snapshot may hold every task of the cluster (berth's and foreign ones) or only one
// workload's: policies classify tasks themselves (policy/ownership.hpp) and ignore what is not theirs.
struct ClusterSnapshot {
  ClusterSnapshot() = default;
  // Move-only: instances' port spans may point into owned_ports, whose buffers a move keeps and a copy would not.
  ClusterSnapshot(ClusterSnapshot&&) = default;
  ClusterSnapshot& operator=(ClusterSnapshot&&) = default;
  ClusterSnapshot(const ClusterSnapshot&) = delete;
  ClusterSnapshot& operator=(const ClusterSnapshot&) = delete;

  std::string_view cluster;
  std::vector<SnapshotInstance> instances;
  std::vector<SnapshotTask> tasks;
  // Port lists the snapshot made itself (ECS's plus in-flight launches'); see the move-only note above.
  std::vector<std::vector<std::uint16_t>> owned_ports;
};

}  // namespace berth::policy
