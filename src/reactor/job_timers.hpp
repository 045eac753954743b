// File: src/reactor/job_timers.hpp — the one timer heap of every scheduled job: wall-clock deadlines (the next
// slot, a retry), re-armed whenever a sync plans a job, and a due deadline enqueues the job.
//
//   JobController::sync --arm(job, at)--> heap (earliest deadline first) --due--> WorkQueue::add(job)
//
// One steady timer sleeps until the earliest deadline, measured on the injected wall clock when armed. A step
// of the wall clock (NTP, an operator's `date -s`) changes that distance: clock_stepped() re-measures every
// deadline (ClockStepWatch calls it from the kernel's notification, tests from their fake clock). A deadline
// that is not due when the timer ends (the clock went back) is slept for again; a job that wakes late plans from
// its stored cursor, so a step never skips or doubles a slot (policy/job_plan.hpp).
#pragma once

#include "policy/job.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace berth::reactor {

using SystemTime = std::chrono::system_clock::time_point;

class JobTimers {
 public:
  using Clock = std::function<SystemTime()>;
  using Due = std::function<void(const std::string& job)>;

  JobTimers(boost::asio::any_io_executor executor, Clock clock, Due due);

  // The job's only deadline becomes `at` (replacing any other); nullopt cancels it.
  void arm(const std::string& job, std::optional<SystemTime> at);
  void cancel(const std::string& job) { arm(job, std::nullopt); }
  // The wall clock jumped: re-measure every deadline now.
  void clock_stepped();

  // Fires due deadlines until stop().
  boost::asio::awaitable<void> run();
  void stop();

  std::size_t size() const { return by_job_.size(); }
  std::optional<SystemTime> deadline(const std::string& job) const;

 private:
  void wake();  // the loop re-reads the heap

  using Heap = std::multimap<SystemTime, std::string>;
  Clock clock_;
  Due due_;
  Heap heap_;
  std::unordered_map<std::string, Heap::iterator> by_job_;
  boost::asio::steady_timer timer_;
  bool stopping_ = false;
};

// Linux's notice of a wall-clock step: a CLOCK_REALTIME timerfd armed with TFD_TIMER_CANCEL_ON_SET reads
// ECANCELED whenever the clock is set. Calls `stepped` on each step until stop(); without timerfd (not Linux,
// or the call fails) run() returns at once and steps are noticed only at the next deadline.
class ClockStepWatch {
 public:
  ClockStepWatch(boost::asio::any_io_executor executor, std::function<void()> stepped);
  ~ClockStepWatch();
  boost::asio::awaitable<void> run();
  void stop();

 private:
  bool arm();
  boost::asio::posix::stream_descriptor fd_;
  std::function<void()> stepped_;
  bool stopping_ = false;
};

}  // namespace berth::reactor
