// File: src/reactor/work_queue.hpp — asio driver for WorkQueueCore: N worker coroutines on one
// io_context run `sync(key)` for ready keys. sync returns true on success (key forgotten) and false
// (or throws) to retry the key with backoff. Single-threaded: no locks.
#pragma once

#include "reactor/work_queue_core.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <string>
#include <vector>

namespace berth::reactor {

class WorkQueue {
 public:
  using SyncFn = std::function<boost::asio::awaitable<bool>(std::string key)>;
  using ErrorFn = std::function<void(const std::string& key, std::exception_ptr)>;

  WorkQueue(boost::asio::any_io_executor executor, SyncFn sync, WorkQueueSettings settings = {},
            std::size_t workers = 4);

  void add(const std::string& key);
  void add_after(const std::string& key, std::chrono::steady_clock::duration delay);
  // Called when sync throws (the key is retried with backoff); default: ignore.
  void on_error(ErrorFn fn) { on_error_ = std::move(fn); }

  // Runs the workers until shut_down(); keys being processed finish first.
  boost::asio::awaitable<void> run();
  void shut_down();

  const WorkQueueCore& core() const { return core_; }
  std::uint64_t completed() const { return completed_; }

 private:
  boost::asio::awaitable<void> worker();
  void wake_all();

  boost::asio::any_io_executor executor_;
  SyncFn sync_;
  ErrorFn on_error_;
  WorkQueueCore core_;
  std::size_t workers_;
  std::vector<boost::asio::steady_timer*> sleepers_;  // idle workers' timers; wake_all() expires them
  bool stopping_ = false;
  std::uint64_t completed_ = 0;
};

}  // namespace berth::reactor
