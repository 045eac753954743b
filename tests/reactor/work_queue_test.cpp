// File: tests/reactor/work_queue_test.cpp — the sans-I/O work queue with a fake clock (dedup, no
// self-concurrency, backoff, fast/slow retry lanes, token bucket), and short runs of the asio driver
// (real and injected clock).
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

WorkloadKey d(std::string name) { return WorkloadKey::daemon(std::move(name)); }

WorkQueueSettings fast() {
  WorkQueueSettings s;
  s.rate_per_second = 1000;
  s.burst = 1000;
  return s;
}

TEST(WorkQueueCore, DeduplicatesKeys) {
  WorkQueueCore q(fast(), t0);
  q.add(d("a"));
  q.add(d("a"));
  q.add(d("b"));
  q.add(d("a"));
  EXPECT_EQ(q.queued(), 2u);
  EXPECT_EQ(q.pop(t0), d("a"));
  EXPECT_EQ(q.pop(t0), d("b"));
  EXPECT_FALSE(q.pop(t0));
}

TEST(WorkQueueCore, NeverProcessesAKeyConcurrentlyAndReRunsItOnce) {
  WorkQueueCore q(fast(), t0);
  q.add(d("a"));
  ASSERT_EQ(q.pop(t0), d("a"));
  q.add(d("a"));  // an event while processing
  q.add(d("a"));
  EXPECT_FALSE(q.pop(t0)) << "must not run concurrently with itself";
  q.done(d("a"), true, t0);
  EXPECT_EQ(q.pop(t0), d("a"));  // exactly one more run
  q.done(d("a"), true, t0);
  EXPECT_FALSE(q.pop(t0));
  EXPECT_TRUE(q.idle());
}

TEST(WorkQueueCore, FailuresBackOffExponentiallyPerKey) {
  WorkQueueCore q(fast(), t0);
  q.add(d("a"));
  MonoTime now = t0;
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(q.pop(now), d("a"));
    q.done(d("a"), false, now);
    auto next = q.next_ready(now);
    ASSERT_TRUE(next);
    delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(*next - now));
    EXPECT_FALSE(q.pop(*next - 1ms));
    now = *next;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{5ms, 10ms, 20ms, 40ms, 80ms}));
  EXPECT_EQ(q.requeues(d("a")), 5u);
  EXPECT_FALSE(q.in_slow_lane(d("a")));
  ASSERT_EQ(q.pop(now), d("a"));
  q.done(d("a"), true, now);
  EXPECT_EQ(q.requeues(d("a")), 0u);
}

TEST(WorkQueueCore, FastBackoffIsCapped) {
  WorkQueueSettings s = fast();
  s.max_fast_retries = 100;  // no slow lane: the exponential backoff alone
  WorkQueueCore q(s, t0);
  EXPECT_EQ(q.retry_delay(1), 5ms);
  EXPECT_EQ(q.retry_delay(40), std::chrono::milliseconds(5min));
  EXPECT_EQ(q.retry_delay(100), std::chrono::milliseconds(5min));
}

// Retries 1..max_fast_retries back off exponentially; every later one waits slow_retry, until a success.
TEST(WorkQueueCore, FailuresPastTheFastRetriesGoToTheSlowLane) {
  WorkQueueSettings s = fast();
  s.max_fast_retries = 3;
  s.slow_retry = 60s;
  WorkQueueCore q(s, t0);
  const auto a = d("a");
  q.add(a);
  MonoTime now = t0;
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(q.pop(now), a);
    q.done(a, false, now);
    EXPECT_EQ(q.requeues(a), static_cast<std::uint32_t>(i + 1));
    EXPECT_EQ(q.in_slow_lane(a), i + 1 > 3);
    auto next = q.next_ready(now);
    ASSERT_TRUE(next);
    delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(*next - now));
    EXPECT_FALSE(q.pop(*next - 1ms));
    now = *next;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{5ms, 10ms, 20ms, 60s, 60s, 60s}));
  EXPECT_EQ(q.slow_lane(), 1u);
  ASSERT_EQ(q.pop(now), a);
  q.done(a, true, now);  // a success leaves the slow lane
  EXPECT_EQ(q.requeues(a), 0u);
  EXPECT_EQ(q.slow_lane(), 0u);
  EXPECT_FALSE(q.next_ready(now));
  q.add(a);
  ASSERT_EQ(q.pop(now), a);
  q.done(a, false, now);
  EXPECT_EQ(q.next_ready(now), now + 5ms) << "fast again after a success";
}

TEST(WorkQueueCore, AddRunsASlowLaneKeyAtOnce) {
  WorkQueueSettings s = fast();
  s.max_fast_retries = 0;
  WorkQueueCore q(s, t0);
  q.add(d("a"));
  q.pop(t0);
  q.done(d("a"), false, t0);
  EXPECT_TRUE(q.in_slow_lane(d("a")));
  EXPECT_EQ(q.next_ready(t0), t0 + s.slow_retry);
  q.add(d("a"));  // new information beats the slow lane too
  EXPECT_EQ(q.pop(t0), d("a"));
  EXPECT_EQ(q.requeues(d("a")), 1u) << "still counted until a run succeeds";
}

// Workloads of different kinds with the same name are different keys.
TEST(WorkQueueCore, KindsAreSeparateKeys) {
  WorkQueueCore q(fast(), t0);
  q.add(WorkloadKey::daemon("web"));
  q.add(WorkloadKey::service("web"));
  q.add(WorkloadKey::daemon("web"));
  EXPECT_EQ(q.queued(), 2u);
  EXPECT_EQ(q.pop(t0), WorkloadKey::daemon("web"));
  EXPECT_EQ(q.pop(t0), WorkloadKey::service("web"));
  q.done(WorkloadKey::daemon("web"), false, t0);
  EXPECT_EQ(q.requeues(WorkloadKey::daemon("web")), 1u);
  EXPECT_EQ(q.requeues(WorkloadKey::service("web")), 0u);
}

TEST(WorkQueueCore, AddWhileBackingOffRunsAtOnce) {
  WorkQueueCore q(fast(), t0);
  q.add(d("a"));
  q.pop(t0);
  q.done(d("a"), false, t0);
  EXPECT_FALSE(q.pop(t0));
  q.add(d("a"));  // new information
  EXPECT_EQ(q.pop(t0), d("a"));
}

TEST(WorkQueueCore, AddAfterKeepsEarliest) {
  WorkQueueCore q(fast(), t0);
  q.add_after(d("a"), t0 + 10s);
  q.add_after(d("a"), t0 + 5s);
  q.add_after(d("a"), t0 + 20s);
  EXPECT_EQ(q.next_ready(t0), t0 + 5s);
  EXPECT_FALSE(q.pop(t0 + 4s));
  EXPECT_EQ(q.pop(t0 + 5s), d("a"));
  EXPECT_FALSE(q.next_ready(t0 + 5s));
}

TEST(WorkQueueCore, GlobalTokenBucketLimitsRate) {
  WorkQueueSettings s;
  s.rate_per_second = 10;
  s.burst = 3;
  WorkQueueCore q(s, t0);
  for (int i = 0; i < 10; ++i) q.add(d("k" + std::to_string(i)));
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

TEST(WorkQueueCore, JobKeysBypassTheBucketAndGoFirst) {
  WorkQueueSettings s;
  s.rate_per_second = 10;
  s.burst = 1;
  WorkQueueCore q(s, t0);
  q.add(d("a"));
  q.add(d("b"));
  for (int i = 0; i < 50; ++i) q.add(WorkloadKey::job("j" + std::to_string(i)));
  int jobs = 0, daemons = 0;
  while (auto k = q.pop(t0)) {
    (k->kind == policy::WorkloadKind::job ? jobs : daemons)++;
    q.done(*k, true, t0);
  }
  EXPECT_EQ(jobs, 50);   // all due at once: paced later by the executor's ECS bucket, not here
  EXPECT_EQ(daemons, 1);  // the burst
  EXPECT_EQ(q.next_ready(t0), t0 + 100ms);
}

TEST(WorkQueueDriver, RunsEveryKeyOnceAndRetriesFailures) {
  boost::asio::io_context io;
  std::map<std::string, int> runs;
  int active = 0, max_active = 0;
  WorkQueue* queue_ptr = nullptr;
  WorkQueue q(
      io.get_executor(),
      [&](WorkloadKey workload) -> boost::asio::awaitable<bool> {
        const std::string& key = workload.name;
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
  q.on_error([&](const WorkloadKey&, std::exception_ptr) { ++errors; });
  for (int i = 0; i < 10; ++i) q.add(d("k" + std::to_string(i)));
  q.add(d("flaky"));
  q.add(d("boom"));
  q.add(d("k0"));  // duplicate while queued
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
      [&](WorkloadKey key) -> boost::asio::awaitable<bool> {
        order.push_back(key.name);
        if (key.name == "delayed") queue_ptr->shut_down();
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
        q.add(d("late"));
        q.add_after(d("delayed"), 20ms);
      },
      boost::asio::detached);
  io.run_for(10s);
  EXPECT_EQ(order, (std::vector<std::string>{"late", "delayed"}));
}

// The driver reads only the injected clock: a key delayed by an hour of fake time runs as soon as the
// fake clock passes it, and not before, whatever the real time.
TEST(WorkQueueDriver, UsesTheInjectedClock) {
  boost::asio::io_context io;
  MonoTime fake_now = t0;
  std::vector<std::string> order;
  WorkQueue* queue_ptr = nullptr;
  WorkQueue q(
      io.get_executor(),
      [&](WorkloadKey key) -> boost::asio::awaitable<bool> {
        order.push_back(key.name);
        if (key.name == "hour") queue_ptr->shut_down();
        co_return true;
      },
      fast(), 2, [&] { return fake_now; });
  queue_ptr = &q;
  q.add_after(d("hour"), 1h);
  boost::asio::co_spawn(io, q.run(), boost::asio::detached);
  io.run_for(20ms);  // workers asleep: an hour of fake time has not passed
  EXPECT_TRUE(order.empty());
  EXPECT_EQ(q.core().waiting(), 1u);
  fake_now += 1h;
  q.add(d("now"));  // wakes the workers, which read the fake clock again
  io.run_for(10s);
  EXPECT_EQ(order, (std::vector<std::string>{"now", "hour"}));
}

TEST(WorkQueueDriver, CountsRequeuesOfAFailingKey) {
  boost::asio::io_context io;
  int runs = 0;
  WorkQueue* queue_ptr = nullptr;
  WorkQueueSettings s = fast();
  s.backoff_base = 1ms;
  WorkQueue q(
      io.get_executor(),
      [&](WorkloadKey) -> boost::asio::awaitable<bool> {
        if (++runs == 4) queue_ptr->shut_down();
        co_return false;
      },
      s, 1);
  queue_ptr = &q;
  q.add(d("bad"));
  boost::asio::co_spawn(io, q.run(), boost::asio::detached);
  io.run_for(10s);
  EXPECT_EQ(runs, 4);
  EXPECT_EQ(q.requeues(d("bad")), 4u);
}

}  // namespace
}  // namespace berth::reactor
