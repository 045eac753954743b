// File: src/policy/crash_observer.hpp — feeds a workload's crashes into its WorkloadBackoff from snapshots,
// so that a replica service whose tasks keep failing launches ever more slowly (10 s doubling to 5 min),
// and recovers once a task launched after the last crash stays healthy. The controller keeps one per
// workload and calls observe before each plan. Pure state: time is passed in.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/workload.hpp"
#include "policy/workload_backoff.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <unordered_set>

namespace berth::policy {

class CrashObserver {
 public:
  explicit CrashObserver(WorkloadKey workload, std::chrono::seconds reset_after = std::chrono::minutes(1))
      : workload_(std::move(workload)), reset_after_(reset_after) {}

  // Every STOPPED task of the workload not stopped by StopTask (stopCode != UserInitiated) is one failure,
  // counted once per task ARN; a task that became healthy after the last failure and stayed so for
  // reset_after is a success (the backoff resets). Tasks of other workloads are ignored. Returns the
  // number of new failures.
  std::uint32_t observe(const ClusterSnapshot& snapshot, WorkloadBackoff& backoff, SystemTime now);

  const WorkloadKey& workload() const { return workload_; }

 private:
  WorkloadKey workload_;
  std::chrono::seconds reset_after_;
  std::optional<SystemTime> last_failure_;
  std::unordered_set<std::string> counted_;  // stopped task ARNs already counted
};

}  // namespace berth::policy
