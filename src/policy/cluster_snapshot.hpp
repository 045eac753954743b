// File: src/policy/cluster_snapshot.hpp — the read-only view of one cluster that policies plan from.
// Views (string_view/span) point into the reactor's cluster model and are valid only until the model
// is next mutated: compute the plan synchronously, the plan itself owns its strings.
#pragma once

#include <chrono>
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

// Instances of the cluster, and the tasks of ONE owner (environment) including recent tombstones
// (STOPPED tasks) and expectations.
struct ClusterSnapshot {
  std::string_view cluster;
  std::vector<SnapshotInstance> instances;
  std::vector<SnapshotTask> tasks;
};

}  // namespace berth::policy
