// File: src/policy/workload_backoff.hpp — per-workload launch backoff: when launches of a workload keep
// failing wherever they go (a bad task definition, an image that does not exist, a missing role), each
// consecutive failed launch doubles the wait before the workload launches again, and a successful launch
// resets it. Complements InstanceBackoff, which only slows one instance down. Pure state: time is
// passed in; the caller decides what counts as a failed or a successful launch.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/workload.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <unordered_map>

namespace berth::policy {

struct WorkloadBackoffSettings {
  std::chrono::milliseconds base{std::chrono::seconds(10)};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
};

class WorkloadBackoff {
 public:
  explicit WorkloadBackoff(WorkloadBackoffSettings settings = {}) : settings_(settings) {}

  // A failed launch of the workload at `at`: the wait doubles (base, 2 base, ... up to max) from `at`.
  void record_failure(const WorkloadKey& workload, SystemTime at);
  // A successful launch: the workload launches freely again.
  void record_success(const WorkloadKey& workload);
  // The workload is gone (deleted): forget it.
  void forget(const WorkloadKey& workload) { entries_.erase(workload); }

  // When the workload may launch next, or nullopt if it is not backing off at `now`.
  std::optional<SystemTime> blocked_until(const WorkloadKey& workload, SystemTime now) const;
  std::uint32_t consecutive_failures(const WorkloadKey& workload) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::uint32_t failures = 0;
    SystemTime next_allowed{};
  };
  WorkloadBackoffSettings settings_;
  std::unordered_map<WorkloadKey, Entry, WorkloadKeyHash> entries_;
};

}  // namespace berth::policy
