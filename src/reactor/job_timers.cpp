// File: src/reactor/job_timers.cpp — the jobs' deadline heap and the wall-clock step watch.
#include "reactor/job_timers.hpp"

#include "common/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <spdlog/logger.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

#include <sys/timerfd.h>
#include <unistd.h>

namespace berth::reactor {
namespace asio = boost::asio;

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("job");
  return log;
}
}  // namespace

JobTimers::JobTimers(asio::any_io_executor executor, Clock clock, Due due)
    : clock_(std::move(clock)), due_(std::move(due)), timer_(executor) {}

void JobTimers::wake() { timer_.expires_at(asio::steady_timer::time_point::min()); }

void JobTimers::arm(const std::string& job, std::optional<SystemTime> at) {
  auto it = by_job_.find(job);
  if (it != by_job_.end()) {
    if (at && it->second->first == *at) return;
    heap_.erase(it->second);
    by_job_.erase(it);
  }
  if (!at) return;
  const bool earliest = heap_.empty() || *at < heap_.begin()->first;
  by_job_.emplace(job, heap_.emplace(*at, job));
  if (earliest) wake();
}

std::optional<SystemTime> JobTimers::deadline(const std::string& job) const {
  auto it = by_job_.find(job);
  if (it == by_job_.end()) return std::nullopt;
  return it->second->first;
}

void JobTimers::clock_stepped() {
  logger()->info("wall clock stepped: re-measuring job deadlines jobs={}", by_job_.size());
  wake();
}

void JobTimers::stop() {
  stopping_ = true;
  wake();
}

asio::awaitable<void> JobTimers::run() {
  while (!stopping_) {
    const auto now = clock_();
    // Due deadlines leave the heap before their callback: it may arm the job again.
    while (!heap_.empty() && heap_.begin()->first <= now) {
      std::string job = heap_.begin()->second;
      by_job_.erase(job);
      heap_.erase(heap_.begin());
      due_(job);
    }
    if (heap_.empty())
      timer_.expires_at(asio::steady_timer::time_point::max());
    else
      timer_.expires_after(std::chrono::duration_cast<asio::steady_timer::duration>(heap_.begin()->first - now));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

ClockStepWatch::ClockStepWatch(asio::any_io_executor executor, std::function<void()> stepped)
    : fd_(executor), stepped_(std::move(stepped)) {
  int fd = ::timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) {
    logger()->warn("timerfd unavailable, wall-clock steps are noticed at the next deadline error=\"{}\"",
                   std::strerror(errno));
    return;
  }
  fd_.assign(fd);
  if (!arm()) fd_.close();
}

ClockStepWatch::~ClockStepWatch() = default;

bool ClockStepWatch::arm() {
  // An absolute deadline far away: the timer never expires; only a clock step cancels it.
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(INT32_MAX);
  if (::timerfd_settime(fd_.native_handle(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr) != 0) {
    logger()->warn("timerfd_settime failed, wall-clock steps are noticed at the next deadline error=\"{}\"",
                   std::strerror(errno));
    return false;
  }
  return true;
}

void ClockStepWatch::stop() {
  stopping_ = true;
  boost::system::error_code ignored;
  fd_.cancel(ignored);
}

asio::awaitable<void> ClockStepWatch::run() {
  while (!stopping_ && fd_.is_open()) {
    auto [ec] = co_await fd_.async_wait(asio::posix::descriptor_base::wait_read, asio::as_tuple(asio::use_awaitable));
    if (ec || stopping_) break;
    std::uint64_t expirations = 0;
    if (::read(fd_.native_handle(), &expirations, sizeof expirations) < 0 && errno == ECANCELED) {
      stepped_();
      if (!arm()) break;
    }
  }
}

}  // namespace berth::reactor
