// File: tests/policy/backoff_test.cpp — per-workload backoff (doubling, cap, reset on success, kinds
// apart), the shared doubling delay, and InstanceBackoff folding only its owner's tasks of a whole-
// cluster snapshot.
#include "policy/instance_backoff.hpp"
#include "policy/workload_backoff.hpp"

#include "snapshot_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace berth::policy {
namespace {

using testing::t0;
using namespace std::chrono_literals;

TEST(Backoff, DoublingDelayTable) {
  const std::pair<std::uint32_t, std::chrono::milliseconds> table[] = {
      {1, 10s}, {2, 20s}, {3, 40s}, {4, 80s}, {5, 160s}, {6, 300s}, {7, 300s}, {30, 300s}, {0, 10s}};
  for (auto [failures, want] : table) EXPECT_EQ(doubling_delay(10s, 300s, failures), want) << failures;
}

TEST(WorkloadBackoff, ConsecutiveFailuresDoubleTheWait) {
  WorkloadBackoff b;
  const auto w = WorkloadKey::daemon("agent");
  EXPECT_FALSE(b.blocked_until(w, t0));
  b.record_failure(w, t0);
  EXPECT_EQ(b.blocked_until(w, t0), t0 + 10s);
  EXPECT_FALSE(b.blocked_until(w, t0 + 10s)) << "the wait is over at its end";
  b.record_failure(w, t0 + 10s);
  EXPECT_EQ(b.blocked_until(w, t0 + 10s), t0 + 30s);
  b.record_failure(w, t0 + 30s);
  EXPECT_EQ(b.blocked_until(w, t0 + 30s), t0 + 70s);
  EXPECT_EQ(b.consecutive_failures(w), 3u);
}

TEST(WorkloadBackoff, SuccessResets) {
  WorkloadBackoff b;
  const auto w = WorkloadKey::service("web");
  for (int i = 0; i < 4; ++i) b.record_failure(w, t0);
  EXPECT_TRUE(b.blocked_until(w, t0 + 1s));
  b.record_success(w);
  EXPECT_FALSE(b.blocked_until(w, t0 + 1s));
  EXPECT_EQ(b.consecutive_failures(w), 0u);
  EXPECT_EQ(b.size(), 0u);
  b.record_failure(w, t0);
  EXPECT_EQ(b.blocked_until(w, t0), t0 + 10s) << "starts over from the base";
}

TEST(WorkloadBackoff, CappedAndNeverShortened) {
  WorkloadBackoff b({.base = 1s, .max = 8s});
  const auto w = WorkloadKey::job("nightly");
  for (int i = 0; i < 40; ++i) b.record_failure(w, t0);
  EXPECT_EQ(b.blocked_until(w, t0), t0 + 8s);
  // A late-arriving failure stamped earlier does not shorten the wait.
  b.record_failure(w, t0 - 1h);
  EXPECT_EQ(b.blocked_until(w, t0), t0 + 8s);
}

TEST(WorkloadBackoff, WorkloadsOfTheSameNameAreApart) {
  WorkloadBackoff b;
  b.record_failure(WorkloadKey::daemon("x"), t0);
  EXPECT_TRUE(b.blocked_until(WorkloadKey::daemon("x"), t0));
  EXPECT_FALSE(b.blocked_until(WorkloadKey::service("x"), t0));
  EXPECT_FALSE(b.blocked_until(WorkloadKey::job("x"), t0));
  EXPECT_FALSE(b.blocked_until(WorkloadKey::daemon("y"), t0));
  b.forget(WorkloadKey::daemon("x"));
  EXPECT_EQ(b.size(), 0u);
}

// Property: after any sequence of failures and successes, the wait equals the doubling delay of the
// failures since the last success, counted from the latest failure (times increase here, and every
// check follows a step at `now`, so a failure streak is always checked at its latest failure).
TEST(WorkloadBackoffProperty, WaitFollowsFailuresSinceLastSuccess) {
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    WorkloadBackoff b;
    const auto w = WorkloadKey::service("web");
    std::uint32_t streak = 0;
    SystemTime now = t0, last_failure{};
    for (int step = 0; step < 30; ++step) {
      now += std::chrono::seconds(rng() % 400);
      if (rng() % 4 == 0) {
        b.record_success(w);
        streak = 0;
      } else {
        b.record_failure(w, now);
        ++streak;
        last_failure = now;
      }
      EXPECT_EQ(b.consecutive_failures(w), streak);
      auto until = b.blocked_until(w, now);
      if (streak == 0) {
        EXPECT_FALSE(until);
      } else {
        EXPECT_EQ(until, last_failure + doubling_delay(10s, 5min, streak));
      }
    }
  }
}

TEST(InstanceBackoff, ObserveWithOwnerIgnoresOtherWorkloadsAndForeignTasks) {
  testing::SnapshotBuilder b;
  b.add_instance(0);
  const auto agent = WorkloadKey::daemon("agent");
  auto crash = [&](const WorkloadKey& w) -> SnapshotTask& {
    auto& t = b.add_task(w, 0, "x:1", TaskStatus::stopped);
    t.stop_code = "EssentialContainerExited";
    t.stopped_at = t0;
    return t;
  };
  crash(WorkloadKey::service("agent"));
  crash(WorkloadKey::job("agent"));
  crash(WorkloadKey::daemon("other"));
  crash(agent).started_by = "ecs-svc/123";  // foreign
  // A daemon startedBy whose group names another workload (collision or tampering) is not ours.
  crash(agent).group = b.keep("berth:other:");
  InstanceBackoff backoff;
  backoff.observe(b.snap, agent, t0);
  EXPECT_EQ(backoff.failures(b.snap.instances[0].arn), 0u);
  crash(agent);
  backoff.observe(b.snap, agent, t0);
  EXPECT_EQ(backoff.failures(b.snap.instances[0].arn), 1u);
  backoff.observe(b.snap, agent, t0);
  EXPECT_EQ(backoff.failures(b.snap.instances[0].arn), 1u) << "each task counted once";
  // The unfiltered observe (the snapshot holds one workload's tasks) counts everything, as before.
  InstanceBackoff all;
  all.observe(b.snap, t0);
  EXPECT_EQ(all.failures(b.snap.instances[0].arn), 6u);
}

}  // namespace
}  // namespace berth::policy
