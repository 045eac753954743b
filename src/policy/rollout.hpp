// File: src/policy/rollout.hpp — the rollout controller: how fast units of an old revision are replaced
// by the new one and whether the rollout is still going, complete or failed. A "unit" is whatever a
// policy replaces one at a time (an instance's daemon task, a service replica); the controller only
// sees counts, so daemons, services and jobs share one set of rules:
//
//   counts + limits + start/now --decide_rollout--> verdict (+ reason), replacement budget, wake time
//
// - maxUnavailable ("N" or "N%" of desired, rounded down, at least 1): desired units without an
//   available unit of any revision. Old units that are not available are replaced for free (they are
//   unavailable already); available old units only while fewer than maxUnavailable are unavailable.
// - maxSurge ("N" or "N%", rounded up, may be 0; daemons use 0): how many units beyond desired may run
//   during the rollout, i.e. new units started before old ones stop.
// - Health gate: a unit is available once RUNNING (and HEALTHY where checked) for min_healthy.
// - Deadline and failure threshold fail the rollout; a failed (halted) rollout takes no available unit
//   away any more; with auto_rollback the caller deploys the previous revision.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/desired_state.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::policy {

enum class RolloutVerdict : unsigned char { in_progress, complete, failed };
const char* to_string(RolloutVerdict v);

// A running rollout as plans report it (API and store read it).
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

// "3" or "25%" of `desired` (rounded down), at least 1. nullopt if malformed.
std::optional<std::uint32_t> resolve_max_unavailable(std::string_view spec, std::uint32_t desired);
// "3" or "25%" of `desired` (rounded up), may be 0. nullopt if malformed.
std::optional<std::uint32_t> resolve_max_surge(std::string_view spec, std::uint32_t desired);

// A STOPPED task of the new revision that counts as a rollout failure: not stopped by StopTask, and
// it exited non-zero, failed to start, or never became healthy.
bool is_task_failure(const SnapshotTask& task);

// Health gate. `health_checked`: the task must report HEALTHY (it has, or its task definition declares,
// a health check). `ready_at` is set when the task will become available later by itself.
struct UnitAvailability {
  bool available = false;
  std::optional<SystemTime> ready_at;
};
UnitAvailability unit_availability(const SnapshotTask& task, bool health_checked, std::chrono::seconds min_healthy,
                                   SystemTime now);

// Units of the workload, counted by the policy.
struct RolloutCounts {
  std::uint32_t desired = 0;          // units that must run the new revision
  std::uint32_t updated = 0;          // available units of the new revision
  std::uint32_t unavailable = 0;      // desired units without an available unit of any revision
  std::uint32_t old_available = 0;    // available units of an old revision
  std::uint32_t old_unavailable = 0;  // live, not available units of an old revision
  std::uint32_t live = 0;             // live units of any revision (for maxSurge)
  std::uint32_t failed = 0;           // failures of the new revision so far
};

// Owns its strings: built from settings that may be temporaries.
struct RolloutLimits {
  std::string max_unavailable = "1";
  std::string max_surge = "0";
  std::chrono::seconds deadline{0};  // 0 = none
  std::uint32_t max_failures = 0;    // 0 = never fails for failures
  bool auto_rollback = false;

  // The settings of a daemon environment (maxSurge 0: stop-then-start).
  static RolloutLimits from(const RolloutSettings& s, std::string_view max_surge = "0") {
    return {s.max_unavailable, std::string(max_surge), s.deadline, s.max_failures, s.auto_rollback};
  }
};

struct RolloutInput {
  RolloutCounts counts;
  RolloutLimits limits;
  // A deployment is pending or running: judge it (verdict, deadline). Without one, only the
  // replacement budget is decided (an old revision may remain from a finished deployment).
  bool judged = false;
  SystemTime started_at{};  // deadline base
  // This revision's deployment already failed earlier: halted even though not judged now.
  bool failed_before = false;
  std::string_view target;             // the new revision, for reasons
  std::string_view unit_noun = "instances";  // for reasons: "... 3/5 instances updated"
};

struct RolloutDecision {
  std::optional<std::string> error;  // malformed maxUnavailable / maxSurge: nothing decided
  std::uint32_t max_unavailable = 0;
  std::uint32_t max_surge = 0;
  RolloutVerdict verdict = RolloutVerdict::in_progress;  // meaningful when judged
  std::string reason;                                    // why it failed
  bool halted = false;    // failed now or before: take no available unit away
  bool rollback = false;  // failed now and auto_rollback is set: deploy the previous revision
  // Old units to replace now: every unavailable one, and available ones up to the budget.
  std::uint32_t replace_unavailable = 0;
  std::uint32_t replace_available = 0;
  // New units that may start beyond desired now (maxSurge headroom); always 0 when maxSurge is 0.
  std::uint32_t surge_starts = 0;
  std::optional<SystemTime> wake_at;  // the deadline, while in progress
};

RolloutDecision decide_rollout(const RolloutInput& input, SystemTime now);

}  // namespace berth::policy
