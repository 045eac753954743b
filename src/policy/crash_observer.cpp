// File: src/policy/crash_observer.cpp — a workload's crashes into its WorkloadBackoff.
#include "policy/crash_observer.hpp"

#include "policy/ownership.hpp"

#include <algorithm>

namespace berth::policy {

std::uint32_t CrashObserver::observe(const ClusterSnapshot& snapshot, WorkloadBackoff& backoff, SystemTime now) {
  std::unordered_set<std::string_view> present;
  std::uint32_t failures = 0;
  bool recovered = false;
  for (const auto& t : snapshot.tasks) {
    if (classify_task(t.started_by, t.group, workload_) != Ownership::ours) continue;
    if (t.is_stopped()) {
      if (t.arn.empty()) continue;
      present.insert(t.arn);
      if (t.stop_code == "UserInitiated" || counted_.contains(std::string(t.arn))) continue;
      counted_.emplace(t.arn);
      const SystemTime at = t.stopped_at.value_or(now);
      backoff.record_failure(workload_, at);
      if (!last_failure_ || at > *last_failure_) last_failure_ = at;
      ++failures;
    } else if (last_failure_ && t.is_live() && t.last_status == TaskStatus::running && t.healthy_since &&
               *t.healthy_since > *last_failure_ && *t.healthy_since + reset_after_ <= now) {
      // Healthy tasks from before the crashes (an old revision) say nothing about the new launches.
      recovered = true;
    }
  }
  if (recovered && failures == 0) {
    backoff.record_success(workload_);
    last_failure_.reset();
  }
  // Forget tombstones the model has dropped, so the set stays bounded.
  std::erase_if(counted_, [&](const std::string& arn) { return !present.contains(arn); });
  return failures;
}

}  // namespace berth::policy
