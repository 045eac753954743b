// File: src/reactor/work_queue_core.hpp — sans-I/O work queue of workloads: de-duplicated keys, never
// processed concurrently with themselves, per-key exponential backoff on failure with a bounded number of
// fast retries before a slow lane, global token bucket. Time is passed in; the asio driver
// (work_queue.hpp) runs it with an injected clock.
//
// Semantics (as client-go's workqueue):
//   add(k)          k becomes ready; adding a key that is already queued does nothing, adding a key
//                   being processed marks it dirty so it runs once more after the current run;
//   add_after(k,t)  k becomes ready at t (earliest wins);
//   pop(now)        next ready key, if a token is available; the key moves to "processing";
//   done(k, ok)     ok forgets k's failures; a failure retries k, or at once if it was re-added while
//                   processing (new information beats backoff).
//
// Retry lanes (client-go's NumRequeues check, but a key is never dropped): the first max_fast_retries
// retries of a key wait base*2^(n-1) (capped at backoff_max); from then on the key is in the slow lane
// and retries every slow_retry until a run succeeds. A key that keeps failing (an environment whose
// cluster refuses every call) thus costs one run per slow_retry instead of one per backoff_max, and an
// add() (an event, an API write) still runs it at once.
//
// Pacing: the global bucket paces daemon and service syncs (an event storm re-plans many workloads at once). Job
// keys bypass it: a job sync is one slot's RunTask batches, already paced by the executor's ECS modify bucket, and
// its timing is the point (1,000 jobs due in the same second must not wait 10 s per 100 for queue tokens).
//
// Vocabulary: requeues(k) = failed runs of k since its last success (the retry number of its next run).
#pragma once

#include "policy/workload.hpp"

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

namespace berth::reactor {

using MonoTime = std::chrono::steady_clock::time_point;
using policy::WorkloadKey;
using policy::WorkloadKeyHash;

struct WorkQueueSettings {
  std::chrono::milliseconds backoff_base{5};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(5)};
  // Fast retries before the slow lane. 10 fast retries from 5 ms span ~5 s (an ECS hiccup, a bootstrap
  // still in progress); past that a failure is not transient and the key retries every slow_retry.
  std::uint32_t max_fast_retries = 10;
  std::chrono::milliseconds slow_retry{std::chrono::seconds(60)};
  double rate_per_second = 10;  // global token bucket refill
  std::uint32_t burst = 100;    // bucket size
};

class TokenBucket {
 public:
  TokenBucket(double rate_per_second, std::uint32_t burst, MonoTime now);
  bool try_take(MonoTime now);
  // When the next token is available (now if one is).
  MonoTime next_token(MonoTime now) const;

 private:
  void refill(MonoTime now);
  double rate_;
  double burst_;
  double tokens_;
  MonoTime last_;
};

class WorkQueueCore {
 public:
  explicit WorkQueueCore(WorkQueueSettings settings = {}, MonoTime now = {});

  void add(const WorkloadKey& key);
  void add_after(const WorkloadKey& key, MonoTime at);
  std::optional<WorkloadKey> pop(MonoTime now);
  void done(const WorkloadKey& key, bool success, MonoTime now);

  // When pop() could next return a key, if nothing is ready now; nullopt if the queue is idle.
  std::optional<MonoTime> next_ready(MonoTime now) const;

  // Failed runs of `key` since its last success.
  std::uint32_t requeues(const WorkloadKey& key) const;
  // The wait before retry number `requeues` (1 = first retry): fast backoff, then the slow lane.
  std::chrono::milliseconds retry_delay(std::uint32_t requeues) const;
  bool in_slow_lane(const WorkloadKey& key) const { return requeues(key) > settings_.max_fast_retries; }

  std::size_t queued() const { return queue_.size() + unpaced_.size(); }
  std::size_t processing() const { return processing_.size(); }
  std::size_t waiting() const { return waiting_.size(); }
  // Keys whose failures put them in the slow lane (for the metrics).
  std::size_t slow_lane() const;
  bool idle() const { return queue_.empty() && unpaced_.empty() && processing_.empty() && waiting_.empty(); }

 private:
  void promote(MonoTime now);
  void enqueue(const WorkloadKey& key);

  using Delayed = std::multimap<MonoTime, WorkloadKey>;

  WorkQueueSettings settings_;
  TokenBucket bucket_;
  std::deque<WorkloadKey>& lane(const WorkloadKey& key) {
    return key.kind == policy::WorkloadKind::job ? unpaced_ : queue_;
  }

  std::deque<WorkloadKey> queue_;    // paced by bucket_
  std::deque<WorkloadKey> unpaced_;  // job keys (see "Pacing")
  std::unordered_set<WorkloadKey, WorkloadKeyHash> dirty_;  // queued, or re-added while processing
  std::unordered_set<WorkloadKey, WorkloadKeyHash> processing_;
  Delayed delayed_;
  std::unordered_map<WorkloadKey, Delayed::iterator, WorkloadKeyHash> waiting_;
  std::unordered_map<WorkloadKey, std::uint32_t, WorkloadKeyHash> requeues_;
};

}  // namespace berth::reactor
