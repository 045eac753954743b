// File: tests/reactor/work_queue_test.cpp — the sans-I/O work queue with a fake clock, and a short
// run of the asio driver.
#include "reactor/work_queue.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include <map>

namespace berth::reactor {
namespace {

using namespace std::chrono_literals;
const MonoTime t0 = MonoTime{} + 1000h;

WorkQueueSettings fast() {
  WorkQueueSettings s;
  s.rate_per_second = 1000;
  s.burst = 1000;
  return s;
}

TEST(WorkQueueCore, DeduplicatesKeys) {
  WorkQueueCore q(fast(), t0);
  q.add("a");
  q.add("a");
  q.add("b");
  q.add("a");
  EXPECT_EQ(q.queued(), 2u);
  EXPECT_EQ(q.pop(t0), "a");
  EXPECT_EQ(q.pop(t0), "b");
  EXPECT_FALSE(q.pop(t0));
}

TEST(WorkQueueCore, NeverProcessesAKeyConcurrentlyAndReRunsItOnce) {
  WorkQueueCore q(fast(), t0);
  q.add("a");
  ASSERT_EQ(q.pop(t0), "a");
  q.add("a");  // an event while processing
  q.add("a");
  EXPECT_FALSE(q.pop(t0)) << "must not run concurrently with itself";
  q.done("a", true, t0);
  EXPECT_EQ(q.pop(t0), "a");  // exactly one more run
  q.done("a", true, t0);
  EXPECT_FALSE(q.pop(t0));
  EXPECT_TRUE(q.idle());
}

TEST(WorkQueueCore, FailuresBackOffExponentiallyPerKey) {
  WorkQueueCore q(fast(), t0);
  q.add("a");
  MonoTime now = t0;
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(q.pop(now), "a");
    q.done("a", false, now);
    auto next = q.next_ready(now);
    ASSERT_TRUE(next);
    delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(*next - now));
    EXPECT_FALSE(q.pop(*next - 1ms));
    now = *next;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{5ms, 10ms, 20ms, 40ms, 80ms}));
  EXPECT_EQ(q.failures("a"), 5u);
  ASSERT_EQ(q.pop(now), "a");
  q.done("a", true, now);
  EXPECT_EQ(q.failures("a"), 0u);
  EXPECT_EQ(q.backoff_for(40), std::chrono::milliseconds(5min));  // capped
}

TEST(WorkQueueCore, AddWhileBackingOffRunsAtOnce) {
  WorkQueueCore q(fast(), t0);
  q.add("a");
  q.pop(t0);
  q.done("a", false, t0);
  EXPECT_FALSE(q.pop(t0));
  q.add("a");  // new information
  EXPECT_EQ(q.pop(t0), "a");
}

TEST(WorkQueueCore, AddAfterKeepsEarliest) {
  WorkQueueCore q(fast(), t0);
  q.add_after("a", t0 + 10s);
  q.add_after("a", t0 + 5s);
  q.add_after("a", t0 + 20s);
  EXPECT_EQ(q.next_ready(t0), t0 + 5s);
  EXPECT_FALSE(q.pop(t0 + 4s));
  EXPECT_EQ(q.pop(t0 + 5s), "a");
  EXPECT_FALSE(q.next_ready(t0 + 5s));
}

TEST(WorkQueueCore, GlobalTokenBucketLimitsRate) {
  WorkQueueSettings s;
  s.rate_per_second = 10;
  s.burst = 3;
  WorkQueueCore q(s, t0);
  for (int i = 0; i < 10; ++i) q.add("k" + std::to_string(i));
  int popped = 0;
  while (auto k = q.pop(t0)) {
    ++popped;
    q.done(*k, true, t0);
  }
  EXPECT_EQ(popped, 3);  // the burst
  EXPECT_EQ(q.next_ready(t0), t0 + 100ms);
  EXPECT_FALSE(q.pop(t0 + 99ms));
  EXPECT_TRUE(q.pop(t0 + 100ms));
  // Over 1 s of fake time, 10 more keys at most.
  int later = 0;
  for (auto t = t0 + 100ms; t <= t0 + 1100ms; t += 10ms)
    while (auto k = q.pop(t)) ++later, q.done(*k, true, t);
  EXPECT_EQ(later, 6);  // the 6 remaining keys, paced
}

TEST(WorkQueueDriver, RunsEveryKeyOnceAndRetriesFailures) {
  boost::asio::io_context io;
  std::map<std::string, int> runs;
  int active = 0, max_active = 0;
  WorkQueue* queue_ptr = nullptr;
  WorkQueue q(
      io.get_executor(),
      [&](std::string key) -> boost::asio::awaitable<bool> {
        ++active;
        max_active = std::max(max_active, active);
        boost::asio::steady_timer t(co_await boost::asio::this_coro::executor, 1ms);
        co_await t.async_wait(boost::asio::use_awaitable);
        --active;
        int n = ++runs[key];
        if (key == "flaky" && n < 3) co_return false;
        if (key == "boom" && n < 2) throw std::runtime_error("boom");
        bool all = runs["k0"] >= 1 && runs["k9"] >= 1 && runs["flaky"] >= 3 && runs["boom"] >= 2;
        if (all) queue_ptr->shut_down();
        co_return true;
      },
      fast(), 3);
  queue_ptr = &q;
  int errors = 0;
  q.on_error([&](const std::string&, std::exception_ptr) { ++errors; });
  for (int i = 0; i < 10; ++i) q.add("k" + std::to_string(i));
  q.add("flaky");
  q.add("boom");
  q.add("k0");  // duplicate while queued
  boost::asio::co_spawn(io, q.run(), boost::asio::detached);
  io.run_for(10s);
  EXPECT_EQ(runs["k0"], 1);
  EXPECT_EQ(runs["k5"], 1);
  EXPECT_EQ(runs["flaky"], 3);
  EXPECT_EQ(runs["boom"], 2);
  EXPECT_EQ(errors, 1);
  EXPECT_LE(max_active, 3);
  EXPECT_GE(max_active, 2);
}

TEST(WorkQueueDriver, IdleWorkersWakeForLateAndDelayedKeys) {
  boost::asio::io_context io;
  std::vector<std::string> order;
  WorkQueue* queue_ptr = nullptr;
  WorkQueue q(
      io.get_executor(),
      [&](std::string key) -> boost::asio::awaitable<bool> {
        order.push_back(key);
        if (key == "delayed") queue_ptr->shut_down();
        co_return true;
      },
      fast(), 2);
  queue_ptr = &q;
  boost::asio::co_spawn(io, q.run(), boost::asio::detached);
  boost::asio::co_spawn(
      io,
      [&]() -> boost::asio::awaitable<void> {
        boost::asio::steady_timer t(io, 5ms);
        co_await t.async_wait(boost::asio::use_awaitable);  // workers are asleep by now
        q.add("late");
        q.add_after("delayed", 20ms);
      },
      boost::asio::detached);
  io.run_for(10s);
  EXPECT_EQ(order, (std::vector<std::string>{"late", "delayed"}));
}

}  // namespace
}  // namespace berth::reactor
