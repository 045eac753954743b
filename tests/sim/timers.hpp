// File: tests/sim/timers.hpp — one asio timer driving every delayed action of the sim (lifecycle, events, visibility).
#pragma once
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <queue>
#include <vector>

namespace berth::sim {

using Clock = std::chrono::steady_clock;

// A min-heap of (due time, callback) served by a single steady_timer: 100k pending task
// transitions cost one heap entry each instead of one asio timer each. Callbacks must
// re-check the state they act on (the heap has no cancellation; stale entries are no-ops).
class Timers {
public:
  explicit Timers(boost::asio::io_context& ioc) : timer_(ioc) {}

  void after(std::chrono::milliseconds delay, std::function<void()> fn) {
    at(Clock::now() + delay, std::move(fn));
  }

  void at(Clock::time_point when, std::function<void()> fn) {
    const bool earliest = heap_.empty() || when < heap_.top().when;
    heap_.push(Entry{when, seq_++, std::move(fn)});
    if (earliest) arm();
  }

  std::size_t pending() const { return heap_.size(); }

private:
  struct Entry {
    Clock::time_point when;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Entry& o) const { return when != o.when ? when > o.when : seq > o.seq; }
  };

  void arm() {
    timer_.expires_at(heap_.top().when);
    timer_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;  // re-armed (cancelled) or shutting down
      fire();
    });
  }

  void fire() {
    const auto now = Clock::now();
    // Run everything due; callbacks may schedule more (possibly also due now).
    while (!heap_.empty() && heap_.top().when <= now) {
      auto fn = std::move(const_cast<Entry&>(heap_.top()).fn);
      heap_.pop();
      fn();
    }
    if (!heap_.empty()) arm();
  }

  boost::asio::steady_timer timer_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap_;
  std::uint64_t seq_ = 0;
};

}  // namespace berth::sim
