// File: src/reactor/work_queue_core.hpp — sans-I/O work queue: de-duplicated keys, never processed
// concurrently with themselves, per-key exponential backoff on failure, global token bucket.
// Time is passed in; the asio driver (work_queue.hpp) runs it.
//
// Semantics (as client-go's workqueue):
//   add(k)          k becomes ready; adding a key that is already queued does nothing, adding a key
//                   being processed marks it dirty so it runs once more after the current run;
//   add_after(k,t)  k becomes ready at t (earliest wins);
//   pop(now)        next ready key, if a token is available; the key moves to "processing";
//   done(k, ok)     ok forgets k's failures; a failure retries k after base*2^(n-1) (capped), or at
//                   once if it was re-added while processing (new information beats backoff).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

namespace berth::reactor {

using MonoTime = std::chrono::steady_clock::time_point;

struct WorkQueueSettings {
  std::chrono::milliseconds backoff_base{5};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(5)};
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

  void add(const std::string& key);
  void add_after(const std::string& key, MonoTime at);
  std::optional<std::string> pop(MonoTime now);
  void done(const std::string& key, bool success, MonoTime now);

  // When pop() could next return a key, if nothing is ready now; nullopt if the queue is idle.
  std::optional<MonoTime> next_ready(MonoTime now) const;

  std::uint32_t failures(const std::string& key) const;
  std::chrono::milliseconds backoff_for(std::uint32_t failures) const;
  std::size_t queued() const { return queue_.size(); }
  std::size_t processing() const { return processing_.size(); }
  std::size_t waiting() const { return waiting_.size(); }
  bool idle() const { return queue_.empty() && processing_.empty() && waiting_.empty(); }

 private:
  void promote(MonoTime now);
  void enqueue(const std::string& key);

  WorkQueueSettings settings_;
  TokenBucket bucket_;
  std::deque<std::string> queue_;
  std::unordered_set<std::string> dirty_;       // queued, or re-added while processing
  std::unordered_set<std::string> processing_;
  std::multimap<MonoTime, std::string> delayed_;
  std::unordered_map<std::string, std::multimap<MonoTime, std::string>::iterator> waiting_;
  std::unordered_map<std::string, std::uint32_t> failures_;
};

}  // namespace berth::reactor
