// File: src/policy/daemon_plan.hpp — the daemon policy: exactly one task of the environment's task
// definition on every ACTIVE, agent-connected, matching instance; rollouts of a new revision instance
// by instance under maxUnavailable with a health gate. Pure: snapshot + spec + now -> plan.
// Built from the shared pieces: instance filters (feasibility.hpp) say where a task may run and why
// not, the rollout controller (rollout.hpp) says how many old tasks may be replaced and the verdict.
// SkipReason, RolloutProgress, resolve_max_unavailable and is_task_failure live there.
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
#include "policy/feasibility.hpp"
#include "policy/instance_backoff.hpp"
#include "policy/rollout.hpp"

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

// New causes go at the end (API and metrics read the strings). scaled_down and lost: replica services.
enum class StopCause : unsigned char { duplicate, not_matching, replaced, draining, scaled_down, lost };
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
// env.task_definition). `snapshot.tasks` may hold every task of the cluster: only the environment's
// (classify_task(.., WorkloadKey::daemon(env.name)) == ours) are considered; foreign tasks and other
// workloads' tasks (other names, or service/job tags) change nothing.
DaemonPlan compute_daemon_plan(const ClusterSnapshot& snapshot, const Environment& env, const Deployment* active,
                               const InstanceBackoff& backoff, SystemTime now, const DaemonPlanOptions& options = {});

}  // namespace berth::policy
