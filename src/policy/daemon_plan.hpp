// File: src/policy/daemon_plan.hpp — the daemon policy: exactly one task of the environment's task
// definition on every ACTIVE, agent-connected, matching instance; rollouts of a new revision instance
// by instance under maxUnavailable with a health gate. Pure: snapshot + spec + now -> plan.
//
// Choices (documented because ECS leaves them open):
// - Replacement is stop-then-start: an old-revision task is stopped first and the new one is started
//   only once the old one is STOPPED (next sync, triggered by its event). Daemons often bind host
//   ports or take most of an instance, so overlapping old and new would fail placement. As a result
//   berth never runs two of its tasks on one instance, except duplicates it did not create (which it
//   stops, keeping the best one).
// - DRAINING instances get no launches; tasks already there keep running (ECS does not stop
//   standalone tasks on drain, and daemons such as log shippers should outlive the service tasks)
//   unless DaemonPlanOptions::stop_on_draining is set. They are not counted as desired.
// - Instances that stop matching the environment's constraints have its tasks stopped.
// - An instance is "available" when its task is RUNNING (and HEALTHY where a container has a
//   health check) and has been so for rollout.min_healthy.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/desired_state.hpp"
#include "policy/instance_backoff.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::policy {

inline constexpr std::size_t max_instances_per_start_task = 10;  // ECS StartTask limit

struct DaemonPlanOptions {
  bool stop_on_draining = false;
  // Task definitions ("family:rev") known to define a health check: their tasks must report
  // HEALTHY to be available even while ECS still says UNKNOWN (first check pending).
  std::vector<std::string> health_checked_task_definitions;
};

enum class SkipReason : unsigned char {
  not_matching,        // constraints or attribute requirements do not hold
  draining,            // DRAINING: no launches
  not_active,          // REGISTERING, DEREGISTERING, INACTIVE, ...
  disconnected,        // ECS agent not connected
  backing_off,         // recent crashes/launch failures on this instance
  has_task,            // already runs its task (steady state)
  stop_pending,        // waiting for a stopped task to reach STOPPED before launching
  waiting_for_budget,  // old revision waits for maxUnavailable budget
};
inline constexpr std::size_t skip_reason_count = 8;
const char* to_string(SkipReason r);

enum class StopCause : unsigned char { duplicate, not_matching, replaced, draining };
const char* to_string(StopCause c);

struct StartBatch {
  std::string task_definition;
  std::vector<std::string> instance_arns;  // 1..10
  std::string started_by;
  std::string group;
};

struct StopOrder {
  std::string task_arn;
  std::string instance_arn;
  StopCause cause = StopCause::duplicate;
  std::string reason;  // for StopTask's `reason` (max 255): "berth: <env>: <why>"
};

struct SkippedInstance {
  std::string instance_arn;
  SkipReason reason;
};

enum class RolloutVerdict : unsigned char { in_progress, complete, failed };
const char* to_string(RolloutVerdict v);

struct RolloutProgress {
  std::string deployment_id;
  std::uint32_t desired = 0;          // matching, launchable instances
  std::uint32_t updated = 0;          // of those, available with the target revision
  std::uint32_t unavailable = 0;      // of those, without an available task of any revision
  std::uint32_t max_unavailable = 0;  // resolved from the rollout settings
  std::uint32_t failed = 0;           // failures of the new revision so far (never decreases)
  std::vector<std::string> failed_instances;
  RolloutVerdict verdict = RolloutVerdict::in_progress;
  std::string reason;  // why it failed
};

struct DaemonPlan {
  std::optional<std::string> error;  // invalid spec (constraint, maxUnavailable, names): nothing planned
  std::vector<StartBatch> starts;
  std::vector<StopOrder> stops;
  // Every instance not getting a start, except `has_task` ones (only counted, to keep plans small).
  std::vector<SkippedInstance> skipped;
  std::array<std::uint32_t, skip_reason_count> skip_counts{};
  std::optional<RolloutProgress> rollout;  // set when an active deployment is pending or running
  std::optional<SystemTime> next_wake;     // earliest backoff expiry, health gate or deadline
  std::uint32_t matching = 0;              // instances matching the constraints
  std::uint32_t desired = 0;               // matching and launchable

  std::size_t start_count() const;
  bool idle() const { return starts.empty() && stops.empty(); }
};

// `active` is the environment's current deployment, if any (its task_definition should equal
// env.task_definition). Preconditions: `snapshot.tasks` holds the environment's tasks (the model
// filters by startedBy); others are ignored.
DaemonPlan compute_daemon_plan(const ClusterSnapshot& snapshot, const Environment& env, const Deployment* active,
                               const InstanceBackoff& backoff, SystemTime now, const DaemonPlanOptions& options = {});

// "3" or "25%" of `desired` (rounded down), at least 1. nullopt if malformed.
std::optional<std::uint32_t> resolve_max_unavailable(std::string_view spec, std::uint32_t desired);

// A STOPPED task of the new revision that counts as a rollout failure: not stopped by StopTask, and
// it exited non-zero, failed to start, or never became healthy.
bool is_task_failure(const SnapshotTask& task);

}  // namespace berth::policy
