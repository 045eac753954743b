// File: src/policy/snapshot_strings.cpp — ECS status strings to and from the snapshot enums.
#include "policy/cluster_snapshot.hpp"

namespace berth::policy {

InstanceStatus instance_status_from_string(std::string_view s) {
  if (s == "ACTIVE") return InstanceStatus::active;
  if (s == "DRAINING") return InstanceStatus::draining;
  if (s == "REGISTERING") return InstanceStatus::registering;
  if (s == "DEREGISTERING") return InstanceStatus::deregistering;
  if (s == "INACTIVE") return InstanceStatus::inactive;
  return InstanceStatus::other;
}

TaskStatus task_status_from_string(std::string_view s) {
  if (s == "PROVISIONING") return TaskStatus::provisioning;
  if (s == "PENDING") return TaskStatus::pending;
  if (s == "ACTIVATING") return TaskStatus::activating;
  if (s == "RUNNING") return TaskStatus::running;
  if (s == "DEACTIVATING") return TaskStatus::deactivating;
  if (s == "STOPPING") return TaskStatus::stopping;
  if (s == "DEPROVISIONING") return TaskStatus::deprovisioning;
  if (s == "STOPPED" || s == "DELETED") return TaskStatus::stopped;
  return TaskStatus::other;
}

HealthStatus health_status_from_string(std::string_view s) {
  if (s == "HEALTHY") return HealthStatus::healthy;
  if (s == "UNHEALTHY") return HealthStatus::unhealthy;
  return HealthStatus::unknown;
}

const char* to_string(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::active: return "ACTIVE";
    case InstanceStatus::draining: return "DRAINING";
    case InstanceStatus::registering: return "REGISTERING";
    case InstanceStatus::deregistering: return "DEREGISTERING";
    case InstanceStatus::inactive: return "INACTIVE";
    case InstanceStatus::other: break;
  }
  return "OTHER";
}

const char* to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::provisioning: return "PROVISIONING";
    case TaskStatus::pending: return "PENDING";
    case TaskStatus::activating: return "ACTIVATING";
    case TaskStatus::running: return "RUNNING";
    case TaskStatus::deactivating: return "DEACTIVATING";
    case TaskStatus::stopping: return "STOPPING";
    case TaskStatus::deprovisioning: return "DEPROVISIONING";
    case TaskStatus::stopped: return "STOPPED";
    case TaskStatus::other: break;
  }
  return "OTHER";
}

}  // namespace berth::policy
