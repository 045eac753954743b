// File: src/policy/workload_backoff.cpp — per-workload exponential launch backoff.
#include "policy/workload_backoff.hpp"

#include "policy/instance_backoff.hpp"

#include <algorithm>

namespace berth::policy {

void WorkloadBackoff::record_failure(const WorkloadKey& workload, SystemTime at) {
  Entry& e = entries_[workload];
  e.failures = std::min<std::uint32_t>(e.failures + 1, 30);  // the wait is capped long before 30
  // Later failures never shorten a wait already running (events may arrive out of order).
  e.next_allowed = std::max(e.next_allowed, at + doubling_delay(settings_.base, settings_.max, e.failures));
}

void WorkloadBackoff::record_success(const WorkloadKey& workload) { entries_.erase(workload); }

std::optional<SystemTime> WorkloadBackoff::blocked_until(const WorkloadKey& workload, SystemTime now) const {
  auto it = entries_.find(workload);
  if (it == entries_.end() || it->second.next_allowed <= now) return std::nullopt;
  return it->second.next_allowed;
}

std::uint32_t WorkloadBackoff::consecutive_failures(const WorkloadKey& workload) const {
  auto it = entries_.find(workload);
  return it == entries_.end() ? 0 : it->second.failures;
}

}  // namespace berth::policy
