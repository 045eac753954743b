// File: src/policy/desired_state.hpp — what operators asked for: environments and their deployments.
// Plain data shared by the policy (reads it), the store (persists it) and the HTTP API (edits it).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::policy {

using SystemTime = std::chrono::system_clock::time_point;

// An instance attribute an environment requires (Blox instanceGroup.attributes): value empty = present.
struct AttributeRequirement {
  std::string name;
  std::string value;
  friend bool operator==(const AttributeRequirement&, const AttributeRequirement&) = default;
};

// How a new task definition replaces the old one, instance by instance.
struct RolloutSettings {
  // "1", "25%": how many matching instances may be without a healthy task of the target revision at once.
  std::string max_unavailable = "1";
  // A new task counts as healthy once RUNNING (and HEALTHY where it has a health check) for this long.
  std::chrono::seconds min_healthy{10};
  // The rollout fails if not complete after this long (0 = no deadline).
  std::chrono::seconds deadline{600};
  // The rollout fails after this many task failures of the new revision (0 = never for this reason).
  std::uint32_t max_failures = 3;
  // On failure, deploy the previous task definition again.
  bool auto_rollback = true;
  friend bool operator==(const RolloutSettings&, const RolloutSettings&) = default;
};

// A daemon environment: one task of `task_definition` on every matching instance of `cluster`.
struct Environment {
  std::string name;
  std::string cluster;
  std::vector<AttributeRequirement> attributes;  // all must hold (Blox compatible)
  std::string constraint;                        // optional memberOf-style expression, e.g. attribute:az in [a, b]
  std::string task_definition;                   // the revision currently desired (family:rev or ARN)
  RolloutSettings rollout;
  std::string active_deployment_id;  // empty when no rollout is in progress
  // Blox deploymentToken: optimistic concurrency for deployments. A deployment starts only when the client
  // names this token, and starting one rotates it (the API picks the next one, the store writes it with the
  // deployment). Empty in rows written before schema 5 until the migration filled it.
  std::string deployment_token;
  std::int64_t revision = 0;         // bumped on every change; optimistic concurrency for API writes
  SystemTime created_at{};
  SystemTime updated_at{};
  friend bool operator==(const Environment&, const Environment&) = default;
};

enum class DeploymentStatus { pending, running, completed, failed, rolled_back };

struct Deployment {
  std::string id;           // unique, also the `group` suffix tasks carry
  std::string environment;  // Environment::name
  std::string task_definition;
  std::string previous_task_definition;  // what a rollback returns to (empty for the first deployment)
  std::string token;                     // the environment's deploymentToken that started it (empty: the first)
  DeploymentStatus status = DeploymentStatus::pending;
  std::string reason;  // why it failed or rolled back
  std::uint32_t desired_count = 0;
  std::uint32_t updated_count = 0;  // instances running a healthy task of task_definition
  std::uint32_t failed_count = 0;   // task failures of the new revision
  std::vector<std::string> failed_instances;
  SystemTime created_at{};
  std::optional<SystemTime> started_at;
  std::optional<SystemTime> ended_at;
  std::int64_t revision = 0;  // bumped on every write of the row; compare-and-set for progress updates
  std::int64_t version = 0;   // services: the service version deployed (policy/service_state.hpp); 0 otherwise
  friend bool operator==(const Deployment&, const Deployment&) = default;
};

inline const char* to_string(DeploymentStatus s) {
  switch (s) {
    case DeploymentStatus::pending: return "pending";
    case DeploymentStatus::running: return "running";
    case DeploymentStatus::completed: return "completed";
    case DeploymentStatus::failed: return "failed";
    case DeploymentStatus::rolled_back: return "rolled_back";
  }
  return "pending";
}

inline std::optional<DeploymentStatus> deployment_status_from_string(std::string_view s) {
  if (s == "pending") return DeploymentStatus::pending;
  if (s == "running") return DeploymentStatus::running;
  if (s == "completed") return DeploymentStatus::completed;
  if (s == "failed") return DeploymentStatus::failed;
  if (s == "rolled_back") return DeploymentStatus::rolled_back;
  return std::nullopt;
}

}  // namespace berth::policy
