// File: src/reactor/task_group.hpp — the coroutines a component spawns (per-cluster loops, long polls),
// each cancellable on its own, all cancellable at shutdown, and a wait until every one has ended.
//
// Why not just co_spawn: a removed cluster must end its loops now (cancel one handle), shutdown must end
// all of them (cancel_all), and the component's run() must not return while a loop still uses its state
// (wait_drained). Exceptions end only the task that threw; they are logged.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <string>

namespace berth::reactor {

class TaskGroup {
 public:
  // A spawned task. Cancelling one that has ended is a no-op (its signal is never emitted again).
  class Handle {
   public:
    void cancel();

   private:
    friend class TaskGroup;
    boost::asio::cancellation_signal signal_;
    bool done_ = false;
    bool transient_ = false;  // spawned by run(): forgotten once done
  };

  explicit TaskGroup(boost::asio::any_io_executor executor) : executor_(executor), drained_(executor) {}

  // Runs `task` until it ends or is cancelled. The handle stays valid for the group's lifetime.
  Handle& spawn(std::string what, boost::asio::awaitable<void> task);
  // A short task without a handle (e.g. one refresh per API write): cancelled and drained like the others, its
  // bookkeeping dropped once it has ended (at a later spawn or run), so many of them do not accumulate.
  void run(std::string what, boost::asio::awaitable<void> task);
  // Terminal cancellation of every task still running; later sleep()s return false at once.
  void cancel_all();
  bool cancelled() const { return cancelled_; }
  // Returns once no task is running (at once if none was spawned).
  boost::asio::awaitable<void> wait_drained();
  std::size_t running() const { return running_; }

  // Waits `d`; false when the caller should stop (the group was cancelled, or this coroutine was).
  boost::asio::awaitable<bool> sleep(std::chrono::steady_clock::duration d);

 private:
  boost::asio::any_io_executor executor_;
  std::list<Handle> handles_;  // a list: handles stay put while more are spawned
  std::size_t running_ = 0;
  boost::asio::steady_timer drained_;
  bool cancelled_ = false;
};

}  // namespace berth::reactor
