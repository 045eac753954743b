// File: src/reactor/task_group.cpp — spawning, cancelling and draining a component's coroutines.
#include "reactor/task_group.hpp"

#include "common/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

namespace berth::reactor {

namespace asio = boost::asio;

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("scheduler");
  return log;
}
}  // namespace

void TaskGroup::Handle::cancel() {
  if (!done_) signal_.emit(asio::cancellation_type::terminal);
}

void TaskGroup::run(std::string what, asio::awaitable<void> task) {
  spawn(std::move(what), std::move(task)).transient_ = true;
}

TaskGroup::Handle& TaskGroup::spawn(std::string what, asio::awaitable<void> task) {
  // Pruned here, never from a completion handler: cancel_all() may be iterating the list when one runs.
  handles_.remove_if([](const Handle& h) { return h.transient_ && h.done_; });
  auto& handle = handles_.emplace_back();
  ++running_;
  asio::co_spawn(executor_, std::move(task),
                 asio::bind_cancellation_slot(handle.signal_.slot(), [this, what, &handle](std::exception_ptr e) {
                   handle.done_ = true;
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const boost::system::system_error& ex) {
                       if (ex.code() != asio::error::operation_aborted)
                         logger()->error("task failed task={} error=\"{}\"", what, ex.what());
                     } catch (const std::exception& ex) {
                       logger()->error("task failed task={} error=\"{}\"", what, ex.what());
                     }
                   }
                   if (--running_ == 0) drained_.cancel();
                 }));
  return handle;
}

void TaskGroup::cancel_all() {
  cancelled_ = true;
  // Cancels long polls, backoff sleeps and audit waits at once; in-flight ECS calls see the cancellation too.
  for (auto& h : handles_) h.cancel();
}

asio::awaitable<void> TaskGroup::wait_drained() {
  while (running_ > 0) {
    drained_.expires_after(std::chrono::hours(1));
    auto [ec] = co_await drained_.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
}

asio::awaitable<bool> TaskGroup::sleep(std::chrono::steady_clock::duration d) {
  if (cancelled_) co_return false;
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec && !cancelled_;
}

}  // namespace berth::reactor
