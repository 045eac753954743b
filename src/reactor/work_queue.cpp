// File: src/reactor/work_queue.cpp — worker coroutines driving the sans-I/O work queue.
#include "reactor/work_queue.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::reactor {

namespace asio = boost::asio;

WorkQueue::WorkQueue(asio::any_io_executor executor, SyncFn sync, WorkQueueSettings settings, std::size_t workers,
                     Clock clock)
    : executor_(executor),
      sync_(std::move(sync)),
      clock_(std::move(clock)),
      core_(settings, clock_()),
      workers_(std::max<std::size_t>(1, workers)) {}

void WorkQueue::wake_all() {
  for (auto* t : sleepers_) t->expires_at(asio::steady_timer::time_point::min());
}

void WorkQueue::add(const WorkloadKey& key) {
  core_.add(key);
  wake_all();
}

void WorkQueue::add_after(const WorkloadKey& key, std::chrono::steady_clock::duration delay) {
  core_.add_after(key, clock_() + delay);
  wake_all();
}

void WorkQueue::shut_down() {
  stopping_ = true;
  wake_all();
}

asio::awaitable<void> WorkQueue::worker() {
  while (!stopping_) {
    auto now = clock_();
    if (auto key = core_.pop(now)) {
      bool ok = false;
      try {
        ok = co_await sync_(*key);
      } catch (...) {
        // Unexpected failures are contained per key: log via on_error_, retry with backoff.
        if (on_error_) on_error_(*key, std::current_exception());
      }
      core_.done(*key, ok, clock_());
      ++completed_;
      wake_all();  // a re-added or freed key may be ready for another worker
      continue;
    }
    // Nothing ready: sleep until the next delayed key or token, or until add() wakes us by moving
    // this worker's timer expiry into the past. The wait is initiated before the coroutine yields,
    // and an expiry in the past completes a later wait at once, so no wake-up is lost.
    // The timer runs on the steady clock; the wait is the injected clock's distance to the next key.
    auto next = core_.next_ready(now);
    asio::steady_timer timer(executor_);
    if (next)
      timer.expires_after(*next - now);
    else
      timer.expires_at(asio::steady_timer::time_point::max());
    sleepers_.push_back(&timer);
    // Unregisters even if the coroutine frame is destroyed while suspended.
    struct Unregister {
      std::vector<asio::steady_timer*>& sleepers;
      asio::steady_timer* timer;
      ~Unregister() { std::erase(sleepers, timer); }
    } unregister{sleepers_, &timer};
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

asio::awaitable<void> WorkQueue::run() {
  stopping_ = false;
  // Launch the workers and wait for all of them: each exits once stopping_ is set.
  std::size_t running = workers_;
  asio::steady_timer all_done(executor_, asio::steady_timer::time_point::max());
  for (std::size_t i = 0; i < workers_; ++i) {
    asio::co_spawn(executor_, worker(), [&](std::exception_ptr) {
      if (--running == 0) all_done.cancel();
    });
  }
  while (running > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace berth::reactor
