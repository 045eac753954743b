// File: tests/policy/rollout_test.cpp — the rollout controller: limits resolution, health gate, verdict
// table, replacement budget and maxSurge; fixed-seed properties of the budget.
#include "policy/rollout.hpp"

#include "snapshot_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace berth::policy {
namespace {

using testing::t0;
using namespace std::chrono_literals;

TEST(Rollout, MaxSurgeResolution) {
  EXPECT_EQ(resolve_max_surge("0", 10), 0u);
  EXPECT_EQ(resolve_max_surge("2", 10), 2u);
  EXPECT_EQ(resolve_max_surge("25%", 10), 3u) << "rounded up";
  EXPECT_EQ(resolve_max_surge("25%", 0), 0u);
  EXPECT_EQ(resolve_max_surge("100%", 7), 7u);
  EXPECT_FALSE(resolve_max_surge("", 10));
  EXPECT_FALSE(resolve_max_surge("x", 10));
  EXPECT_FALSE(resolve_max_surge("101%", 10));
  // maxUnavailable keeps its rounding (down) and floor (1).
  EXPECT_EQ(resolve_max_unavailable("25%", 10), 2u);
  EXPECT_EQ(resolve_max_unavailable("0", 10), 1u);
}

TEST(Rollout, HealthGate) {
  testing::SnapshotBuilder b;
  b.add_instance(0);
  const WorkloadKey w = WorkloadKey::daemon("agent");
  auto& ready = b.add_task(w, 0, "agent:2", TaskStatus::running, 60s);
  auto& young = b.add_task(w, 0, "agent:2", TaskStatus::running, 3s);
  auto& pending = b.add_task(w, 0, "agent:2", TaskStatus::pending, -1s);
  auto& stopping = b.add_task(w, 0, "agent:2", TaskStatus::running, 60s);
  stopping.desired_status = TaskStatus::stopped;
  auto& unhealthy = b.add_task(w, 0, "agent:2", TaskStatus::running, 60s);
  unhealthy.has_health_check = true;
  unhealthy.health = HealthStatus::unhealthy;
  auto& declared = b.add_task(w, 0, "agent:2", TaskStatus::running, 60s);  // UNKNOWN, check declared

  EXPECT_TRUE(unit_availability(ready, false, 10s, t0).available);
  auto y = unit_availability(young, false, 10s, t0);
  EXPECT_FALSE(y.available);
  EXPECT_EQ(y.ready_at, t0 + 7s);
  EXPECT_FALSE(unit_availability(pending, false, 10s, t0).available);
  EXPECT_FALSE(unit_availability(pending, false, 10s, t0).ready_at);
  EXPECT_FALSE(unit_availability(stopping, false, 10s, t0).available);
  EXPECT_FALSE(unit_availability(unhealthy, false, 10s, t0).available);
  EXPECT_TRUE(unit_availability(declared, false, 10s, t0).available);
  EXPECT_FALSE(unit_availability(declared, true, 10s, t0).available);
  declared.health = HealthStatus::healthy;
  EXPECT_TRUE(unit_availability(declared, true, 10s, t0).available);
}

TEST(Rollout, TaskFailures) {
  testing::SnapshotBuilder b;
  const WorkloadKey w = WorkloadKey::daemon("agent");
  auto& user = b.add_task(w, 0, "agent:2", TaskStatus::stopped);
  user.stop_code = "UserInitiated";
  user.nonzero_exit = true;
  auto& crashed = b.add_task(w, 0, "agent:2", TaskStatus::stopped);
  crashed.stop_code = "EssentialContainerExited";
  crashed.nonzero_exit = true;
  crashed.ever_healthy = true;
  auto& clean = b.add_task(w, 0, "agent:2", TaskStatus::stopped);
  clean.stop_code = "EssentialContainerExited";
  clean.ever_healthy = true;
  auto& never_healthy = b.add_task(w, 0, "agent:2", TaskStatus::stopped);
  never_healthy.stop_code = "EssentialContainerExited";
  auto& running = b.add_task(w, 0, "agent:2");
  EXPECT_FALSE(is_task_failure(user));
  EXPECT_TRUE(is_task_failure(crashed));
  EXPECT_FALSE(is_task_failure(clean));
  EXPECT_TRUE(is_task_failure(never_healthy));
  EXPECT_FALSE(is_task_failure(running));
}

RolloutInput judged_input(RolloutCounts c, RolloutSettings s = {}) {
  RolloutInput in;
  in.counts = c;
  in.limits = RolloutLimits::from(s);
  in.judged = true;
  in.started_at = t0 - 60s;
  in.target = "agent:2";
  return in;
}

TEST(Rollout, VerdictTable) {
  RolloutSettings s;  // maxUnavailable 1, deadline 600 s, 3 failures, rollback
  struct Case {
    const char* name;
    RolloutCounts counts;
    SystemTime now;
    RolloutVerdict verdict;
    std::string reason;
  };
  const Case cases[] = {
      {"in progress", {.desired = 4, .updated = 2, .old_available = 2}, t0, RolloutVerdict::in_progress, ""},
      {"complete", {.desired = 4, .updated = 4}, t0, RolloutVerdict::complete, ""},
      {"an old unit left is not complete", {.desired = 4, .updated = 4, .old_unavailable = 1}, t0,
       RolloutVerdict::in_progress, ""},
      {"failures", {.desired = 4, .updated = 1, .failed = 3}, t0, RolloutVerdict::failed,
       "3 task failures of agent:2 (max 3)"},
      {"failures win over the deadline", {.desired = 4, .failed = 5}, t0 + 1h, RolloutVerdict::failed,
       "5 task failures of agent:2 (max 3)"},
      {"deadline", {.desired = 4, .updated = 1}, t0 + 540s, RolloutVerdict::failed,
       "deadline of 600s exceeded with 1/4 instances updated"},
      {"just before the deadline", {.desired = 4, .updated = 1}, t0 + 539s, RolloutVerdict::in_progress, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto d = decide_rollout(judged_input(c.counts, s), c.now);
    ASSERT_FALSE(d.error);
    EXPECT_EQ(d.verdict, c.verdict) << to_string(d.verdict);
    EXPECT_EQ(d.reason, c.reason);
    EXPECT_EQ(d.halted, c.verdict == RolloutVerdict::failed);
    EXPECT_EQ(d.rollback, c.verdict == RolloutVerdict::failed);
    EXPECT_EQ(d.wake_at.has_value(), c.verdict == RolloutVerdict::in_progress);
    if (d.wake_at) {
      EXPECT_EQ(*d.wake_at, t0 + 540s);
    }
  }
}

TEST(Rollout, NoDeadlineNoFailureLimitNoRollback) {
  RolloutSettings s;
  s.deadline = 0s;
  s.max_failures = 0;
  s.auto_rollback = false;
  auto d = decide_rollout(judged_input({.desired = 2, .failed = 100}, s), t0 + 24h);
  EXPECT_EQ(d.verdict, RolloutVerdict::in_progress);
  EXPECT_FALSE(d.wake_at);
  s.max_failures = 1;
  d = decide_rollout(judged_input({.desired = 2, .failed = 1}, s), t0);
  EXPECT_EQ(d.verdict, RolloutVerdict::failed);
  EXPECT_TRUE(d.halted);
  EXPECT_FALSE(d.rollback);
}

TEST(Rollout, ReplacementBudget) {
  struct Case {
    const char* max_unavailable;
    RolloutCounts counts;
    std::uint32_t replace_available, replace_unavailable;
  };
  const Case cases[] = {
      {"1", {.desired = 5, .old_available = 5}, 1, 0},
      {"2", {.desired = 5, .unavailable = 1, .old_available = 4}, 1, 0},
      {"1", {.desired = 5, .unavailable = 1, .old_available = 4}, 0, 0},
      {"1", {.desired = 5, .unavailable = 3, .old_available = 2, .old_unavailable = 2}, 0, 2},
      {"100%", {.desired = 5, .old_available = 5}, 5, 0},
      {"40%", {.desired = 5, .old_available = 5}, 2, 0},
      {"3", {.desired = 5, .unavailable = 7}, 0, 0},  // over the limit already (not berth's doing)
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.max_unavailable);
    RolloutSettings s;
    s.max_unavailable = c.max_unavailable;
    auto d = decide_rollout(judged_input(c.counts, s), t0);
    ASSERT_FALSE(d.error);
    EXPECT_EQ(d.replace_available, c.replace_available);
    EXPECT_EQ(d.replace_unavailable, c.replace_unavailable);
    EXPECT_EQ(d.surge_starts, 0u) << "maxSurge 0";
  }
}

TEST(Rollout, HaltedTakesNothingAwayButBrokenUnits) {
  RolloutSettings s;
  s.max_unavailable = "100%";
  RolloutInput in = judged_input({.desired = 4, .old_available = 3, .old_unavailable = 1}, s);
  in.judged = false;
  in.failed_before = true;
  auto d = decide_rollout(in, t0);
  EXPECT_TRUE(d.halted);
  EXPECT_FALSE(d.rollback) << "rollback is decided when the rollout fails, not again";
  EXPECT_EQ(d.replace_available, 0u);
  EXPECT_EQ(d.replace_unavailable, 1u);
  // Not judged: no verdict, no deadline wake.
  in.failed_before = false;
  d = decide_rollout(in, t0 + 24h);
  EXPECT_EQ(d.verdict, RolloutVerdict::in_progress);
  EXPECT_FALSE(d.wake_at);
  EXPECT_EQ(d.replace_available, 3u);
}

TEST(Rollout, MaxSurge) {
  RolloutInput in = judged_input({.desired = 10, .old_available = 10, .live = 10});
  in.limits.max_surge = "25%";
  auto d = decide_rollout(in, t0);
  EXPECT_EQ(d.max_surge, 3u);
  EXPECT_EQ(d.surge_starts, 3u);
  in.counts.live = 12;
  EXPECT_EQ(decide_rollout(in, t0).surge_starts, 1u);
  in.counts.live = 13;
  EXPECT_EQ(decide_rollout(in, t0).surge_starts, 0u);
  in.counts.live = 20;
  EXPECT_EQ(decide_rollout(in, t0).surge_starts, 0u);
  in.counts.live = 10;
  in.failed_before = true;
  EXPECT_EQ(decide_rollout(in, t0).surge_starts, 0u) << "halted";
}

TEST(Rollout, MalformedLimitsAreErrors) {
  RolloutSettings s;
  s.max_unavailable = "12x";
  auto d = decide_rollout(judged_input({.desired = 3}, s), t0);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(*d.error, "invalid maxUnavailable '12x'");
  auto in = judged_input({.desired = 3});
  in.limits.max_surge = "-1";
  d = decide_rollout(in, t0);
  ASSERT_TRUE(d.error);
  EXPECT_EQ(*d.error, "invalid maxSurge '-1'");
}

// Properties on random counts: the budget never takes unavailability over maxUnavailable (unless it
// already was), never exceeds what exists, is zero when halted; surge keeps live <= desired + maxSurge.
TEST(RolloutProperty, BudgetOnRandomCounts) {
  for (std::uint32_t seed = 1; seed <= 500; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](std::uint32_t n) { return static_cast<std::uint32_t>(rng() % n); };
    RolloutCounts c;
    c.desired = pick(60);
    c.updated = c.desired ? pick(c.desired + 1) : 0;
    std::uint32_t rest = c.desired - c.updated;
    c.old_available = rest ? pick(rest + 1) : 0;
    c.old_unavailable = rest - c.old_available ? pick(rest - c.old_available + 1) : 0;
    c.unavailable = rest - c.old_available;  // everything neither updated nor old-available
    c.live = c.updated + c.old_available + c.old_unavailable + pick(3);
    c.failed = pick(5);
    RolloutSettings s;
    s.max_unavailable = pick(2) ? std::to_string(pick(6)) : std::to_string(pick(101)) + "%";
    RolloutInput in = judged_input(c, s);
    in.limits.max_surge = pick(2) ? std::to_string(pick(4)) : std::to_string(pick(101)) + "%";
    in.judged = pick(4) != 0;
    in.failed_before = pick(6) == 0;
    auto now = t0 + std::chrono::seconds(pick(1200));
    auto d = decide_rollout(in, now);
    ASSERT_FALSE(d.error);
    EXPECT_GE(d.max_unavailable, 1u);
    EXPECT_LE(d.replace_available, c.old_available);
    EXPECT_EQ(d.replace_unavailable, c.old_unavailable);
    if (d.replace_available > 0) {
      EXPECT_LE(c.unavailable + d.replace_available, d.max_unavailable);
    }
    if (d.halted) {
      EXPECT_EQ(d.replace_available, 0u);
      EXPECT_EQ(d.surge_starts, 0u);
    }
    EXPECT_LE(std::uint64_t{c.live} + d.surge_starts, std::max<std::uint64_t>(c.live, std::uint64_t{c.desired} + d.max_surge));
    if (d.verdict == RolloutVerdict::complete) {
      EXPECT_EQ(c.updated, c.desired);
    }
    if (!in.judged) {
      EXPECT_EQ(d.verdict, RolloutVerdict::in_progress);
    }
  }
}

}  // namespace
}  // namespace berth::policy
