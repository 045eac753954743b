// File: src/policy/feasibility.hpp — where a task may go: a chain of small named filters over snapshot
// instances. Each filter passes an instance or rejects it with a reason; the chain stops at the first
// rejection and records it (per instance, and counted per reason) in a RejectionLog, so a plan can say
// why every instance it did not use was left out. Policies build the chains they need (the daemon plan
// uses status/agent/constraint/backoff; replica services will add resources, host ports and distinct
// instance). Pure: filters read the snapshot and what they captured, never a clock.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/constraint.hpp"
#include "policy/desired_state.hpp"
#include "policy/instance_backoff.hpp"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace berth::policy {

// Why an instance gets no launch. The first eight are the daemon plan's (API and metrics read their
// strings: never rename or reorder them); new reasons go at the end.
enum class SkipReason : unsigned char {
  not_matching,            // constraints or attribute requirements do not hold
  draining,                // DRAINING: no launches
  not_active,              // REGISTERING, DEREGISTERING, INACTIVE, ...
  disconnected,            // ECS agent not connected
  backing_off,             // recent crashes/launch failures on this instance
  has_task,                // already runs its task (steady state)
  stop_pending,            // waiting for a stopped task to reach STOPPED before launching
  waiting_for_budget,      // old revision waits for maxUnavailable budget
  insufficient_resources,  // remaining CPU or memory below what the task reserves
  ports_in_use,            // a host port the task binds is already reserved on the instance
  instance_taken,          // the workload already has (or is placing) a task there
};
inline constexpr std::size_t skip_reason_count = 11;
const char* to_string(SkipReason r);

struct SkippedInstance {
  std::string instance_arn;
  SkipReason reason;
};

// A filter's rejection. `retry_at`: when the reason lapses by itself (a backoff expiring), so the plan
// can wake then; nullopt when only a change of the cluster or the spec can lift it.
struct Rejection {
  SkipReason reason;
  std::optional<SystemTime> retry_at;
};

// Rejections in the order they were recorded, and how many of each reason.
class RejectionLog {
 public:
  void record(std::string_view instance_arn, SkipReason reason);
  const std::vector<SkippedInstance>& rejected() const { return rejected_; }
  std::vector<SkippedInstance> take_rejected() { return std::move(rejected_); }
  const std::array<std::uint32_t, skip_reason_count>& counts() const { return counts_; }
  std::uint32_t count(SkipReason r) const { return counts_[static_cast<std::size_t>(r)]; }

 private:
  std::vector<SkippedInstance> rejected_;
  std::array<std::uint32_t, skip_reason_count> counts_{};
};

// One named filter: nullopt passes the instance.
struct InstanceFilter {
  std::string_view name;  // for tests and debugging: "status", "agent_connected", ...
  std::function<std::optional<Rejection>(const SnapshotInstance&)> check;
};

// Filters run in the order they were added; the first rejection wins and is recorded in `log`.
class FeasibilityChain {
 public:
  explicit FeasibilityChain(RejectionLog& log) : log_(&log) {}

  FeasibilityChain& add(InstanceFilter filter);
  // The first rejection (recorded in the log, its retry time kept for earliest_retry), or nullopt.
  std::optional<Rejection> check(const SnapshotInstance& instance);
  // Whether the instance passes, without recording anything.
  bool passes(const SnapshotInstance& instance) const;
  // The earliest retry_at among the rejections this chain recorded.
  std::optional<SystemTime> earliest_retry() const { return earliest_retry_; }
  std::size_t size() const { return filters_.size(); }

 private:
  std::vector<InstanceFilter> filters_;
  RejectionLog* log_;
  std::optional<SystemTime> earliest_retry_;
};

// --- Filters. Each captures by reference: what it is given must outlive the chain. ---

// Blox attribute requirements and the constraint hold -> else not_matching.
InstanceFilter matching_filter(std::span<const AttributeRequirement> requirements, const Constraint& constraint);
// ACTIVE -> else draining (DRAINING) or not_active (any other status).
InstanceFilter status_filter();
// The ECS agent is connected -> else disconnected.
InstanceFilter agent_connected_filter();
// The instance is not backing off at `now` -> else backing_off, retry when the backoff expires.
InstanceFilter backoff_filter(const InstanceBackoff& backoff, SystemTime now);
// `need` fits in the instance's remaining CPU and memory -> else insufficient_resources.
InstanceFilter resources_fit_filter(CpuMemory need);
// None of the host ports is reserved on the instance -> else ports_in_use. Port lists need not be sorted.
InstanceFilter host_ports_free_filter(std::span<const std::uint16_t> tcp_ports, std::span<const std::uint16_t> udp_ports);
// The instance is not in `taken` (ARNs of instances the workload already uses) -> else instance_taken.
InstanceFilter distinct_instance_filter(const std::unordered_set<std::string_view>& taken);

// The same checks as plain predicates, for callers that need no chain.
bool fits(CpuMemory need, CpuMemory remaining);
bool ports_free(std::span<const std::uint16_t> wanted, std::span<const std::uint16_t> reserved_sorted);

}  // namespace berth::policy
