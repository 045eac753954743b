// File: src/reactor/work_queue.hpp — asio driver for WorkQueueCore: N worker coroutines on one
// io_context run `sync(key)` for ready workloads. sync returns true on success (key forgotten) and false
// (or throws) to retry the key (fast backoff, then the slow lane). Single-threaded: no locks.
//
// Time comes from an injected clock (default: steady_clock::now). Workers sleep on a steady_timer for
// the clock's distance to the next ready key, then read the clock again, so a fake clock that jumps
// ahead takes effect at the next wake-up (any add() wakes every worker).
#pragma once

#include "reactor/work_queue_core.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <vector>

namespace berth::reactor {

class WorkQueue {
 public:
  using SyncFn = std::function<boost::asio::awaitable<bool>(WorkloadKey key)>;
  using ErrorFn = std::function<void(const WorkloadKey& key, std::exception_ptr)>;
  using Clock = std::function<MonoTime()>;

  static MonoTime steady_now() { return std::chrono::steady_clock::now(); }

  WorkQueue(boost::asio::any_io_executor executor, SyncFn sync, WorkQueueSettings settings = {},
            std::size_t workers = 4, Clock clock = steady_now);

  void add(const WorkloadKey& key);
  void add_after(const WorkloadKey& key, std::chrono::steady_clock::duration delay);
  // Called when sync throws (the key is retried); default: ignore.
  void on_error(ErrorFn fn) { on_error_ = std::move(fn); }

  // Runs the workers until shut_down(); keys being processed finish first.
  boost::asio::awaitable<void> run();
  void shut_down();

  const WorkQueueCore& core() const { return core_; }
  std::uint32_t requeues(const WorkloadKey& key) const { return core_.requeues(key); }
  std::uint64_t completed() const { return completed_; }

 private:
  boost::asio::awaitable<void> worker();
  void wake_all();

  boost::asio::any_io_executor executor_;
  SyncFn sync_;
  ErrorFn on_error_;
  Clock clock_;
  WorkQueueCore core_;
  std::size_t workers_;
  std::vector<boost::asio::steady_timer*> sleepers_;  // idle workers' timers; wake_all() expires them
  bool stopping_ = false;
  std::uint64_t completed_ = 0;
};

}  // namespace berth::reactor
