// File: src/reactor/task_definition_cache.hpp — one per process: what each task definition revision
// reserves (cpu, memory, host ports) and whether it has a health check, described once.
//
// Revisions are immutable, so an answer for "family:rev" (or its ARN) is kept for the process's
// lifetime. A family-only reference ("web": the latest ACTIVE revision) can move to a new revision, so
// its alias is kept only for `family_ttl`; the revision it resolved to stays. Concurrent callers for
// the same definition share one DescribeTaskDefinition; a failure is not cached (the next use asks
// again). Two ways in:
//   lookup()        non-blocking, for the hot path (event apply); lookup_or_fetch() also starts a
//                   describe in the background on a miss, and listeners hear of its answer;
//   ensure()        awaitable, for callers that need the answer now (the reconciler before planning).
// Single-threaded (the io_context thread), like every reactor part.
#pragma once

#include "aws/ecs_protocol.hpp"
#include "reactor/ecs_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::reactor {

// DescribeTaskDefinition's answer -> what berth needs (health check, reservation, host ports).
TaskDefinitionInfo task_definition_info(const aws::ecs::TaskDefinition& td);

struct TaskDefinitionCacheSettings {
  std::chrono::seconds family_ttl{std::chrono::minutes(1)};
};

struct TaskDefinitionCacheStats {
  std::uint64_t describes = 0;  // DescribeTaskDefinition calls made
  std::uint64_t failures = 0;   // of which failed (not cached)
  std::uint64_t joined = 0;     // callers that waited for a describe already in flight
};

class TaskDefinitionCache {
 public:
  using SystemTime = std::chrono::system_clock::time_point;
  using Clock = std::function<SystemTime()>;
  // Runs a background describe (the scheduler spawns it into its TaskGroup, so shutdown drains it).
  using Spawn = std::function<void(std::string what, boost::asio::awaitable<void> task)>;
  // Told of every successful describe (e.g. to fill the reservations of tasks already in a model).
  using Listener = std::function<void(const TaskDefinitionInfo& info)>;

  // `ecs` must outlive the cache. Without `spawn`, lookup_or_fetch() never fetches.
  TaskDefinitionCache(EcsApi& ecs, Clock clock, Spawn spawn = {}, TaskDefinitionCacheSettings settings = {});
  ~TaskDefinitionCache();
  TaskDefinitionCache(const TaskDefinitionCache&) = delete;
  TaskDefinitionCache& operator=(const TaskDefinitionCache&) = delete;

  // `ref`: an ARN, "family:rev" or "family". Null on a miss. Valid until the cache next changes (a co_await).
  const TaskDefinitionInfo* lookup(std::string_view ref) const;
  // lookup(); on a miss, starts a background describe unless one is in flight.
  const TaskDefinitionInfo* lookup_or_fetch(std::string_view ref);
  // The cached answer, else the in-flight describe's, else a new describe's.
  boost::asio::awaitable<EcsResult<TaskDefinitionInfo>> ensure(std::string ref);

  void add_listener(Listener listener) { listeners_.push_back(std::move(listener)); }
  // "family:rev" of every cached revision that defines a health check.
  std::vector<std::string> health_checked_names() const;
  std::size_t size() const { return revisions_.size(); }
  const TaskDefinitionCacheStats& stats() const { return stats_; }

 private:
  struct Flight;
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <class V>
  using Map = std::unordered_map<std::string, V, Hash, std::equal_to<>>;
  struct Alias {
    std::string revision;  // "family:rev"
    SystemTime until;
  };
  void store(std::string_view ref, const TaskDefinitionInfo& info);

  EcsApi& ecs_;
  Clock clock_;
  Spawn spawn_;
  TaskDefinitionCacheSettings settings_;
  Map<TaskDefinitionInfo> revisions_;         // "family:rev" -> info
  Map<Alias> families_;                       // "family" -> its revision, for a while
  Map<std::shared_ptr<Flight>> in_flight_;    // by task_definition_name(ref)
  Map<bool> fetching_;                        // background describes spawned, not ended yet
  std::vector<Listener> listeners_;
  TaskDefinitionCacheStats stats_;
};

}  // namespace berth::reactor
