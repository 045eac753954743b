// File: src/policy/instance_backoff.hpp — per-instance launch backoff so a crash-looping task does not
// hammer ECS: each crash (or failed launch) on an instance doubles the wait before the next launch there.
// Pure state: time is passed in; the reconciler owns one per environment and feeds it snapshots.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/workload.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace berth::policy {

struct BackoffSettings {
  std::chrono::milliseconds base{std::chrono::seconds(10)};
  std::chrono::milliseconds max{std::chrono::minutes(5)};
  // A task that keeps RUNNING this long on an instance clears the instance's failure count.
  std::chrono::milliseconds reset_after{std::chrono::minutes(1)};
};

// The wait after `failures` consecutive failures (>= 1): base, doubled per further failure, capped at max.
std::chrono::milliseconds doubling_delay(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                         std::uint32_t failures);

class InstanceBackoff {
 public:
  explicit InstanceBackoff(BackoffSettings settings = {}) : settings_(settings) {}

  // A crash or a launch failure (StartTask failure entry) on the instance at `at`.
  void record_failure(std::string_view instance_arn, SystemTime at);
  void reset(std::string_view instance_arn);

  // Folds the environment's tasks in: every STOPPED task not stopped by a user/berth StopTask
  // (stopCode != UserInitiated) counts as one failure, once per task ARN; a task RUNNING for
  // `reset_after` clears its instance.
  void observe(const ClusterSnapshot& snapshot, SystemTime now);
  // The same over a snapshot that may hold the whole cluster: only `owner`'s tasks are folded in
  // (policy::classify_task == ours), so foreign tasks and other workloads' crashes never delay it.
  void observe(const ClusterSnapshot& snapshot, const WorkloadKey& owner, SystemTime now);

  // When the next launch on the instance is allowed, or nullopt if it is not backing off at `now`.
  std::optional<SystemTime> blocked_until(std::string_view instance_arn, SystemTime now) const;
  std::uint32_t failures(std::string_view instance_arn) const;
  std::size_t size() const { return entries_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  void observe_task(const SnapshotTask& task, SystemTime now, std::unordered_set<std::string_view>& present);
  struct Entry {
    std::uint32_t failures = 0;
    SystemTime next_allowed{};
  };
  BackoffSettings settings_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
  std::unordered_set<std::string, Hash, std::equal_to<>> counted_;  // stopped task ARNs already counted
};

}  // namespace berth::policy
