// File: tests/policy/crash_observer_test.cpp — a service's crashes into its WorkloadBackoff: once per task,
// only its own tasks, reset by a task healthy since after the last crash (not by old healthy ones).
#include "service_world.hpp"

#include "policy/crash_observer.hpp"

#include <gtest/gtest.h>

namespace berth::policy {
namespace {

using namespace std::chrono_literals;
using testing::ServiceWorld;
using testing::t0;

SnapshotTask& crash(ServiceWorld& w, int instance, SystemTime at) {
  auto& t = w.add_service_task(instance, "web:2", TaskStatus::stopped, -1s);
  t.stop_code = "EssentialContainerExited";
  t.nonzero_exit = true;
  t.stopped_at = at;
  return t;
}

TEST(CrashObserver, CountsEachCrashOnceAndDoubles) {
  ServiceWorld w;
  w.add_spread_cluster(3);
  w.add_service_task(0, "web:1");  // an old healthy task: no reset
  crash(w, 1, t0);
  WorkloadBackoff backoff;
  CrashObserver observer(w.key());
  EXPECT_EQ(observer.observe(w.snap, backoff, t0), 1u);
  EXPECT_EQ(observer.observe(w.snap, backoff, t0 + 1s), 0u);  // the same tombstone again
  EXPECT_EQ(backoff.consecutive_failures(w.key()), 1u);
  EXPECT_EQ(*backoff.blocked_until(w.key(), t0), t0 + 10s);
  crash(w, 2, t0 + 11s);
  EXPECT_EQ(observer.observe(w.snap, backoff, t0 + 11s), 1u);
  EXPECT_EQ(*backoff.blocked_until(w.key(), t0 + 11s), t0 + 31s);  // 20 s after the second

  // UserInitiated stops and other workloads' crashes are not failures.
  auto& stopped = w.add_service_task(2, "web:2", TaskStatus::stopped, -1s);
  stopped.stop_code = "UserInitiated";
  auto& other = w.add_task(WorkloadKey::daemon("web"), 1, "web:2", TaskStatus::stopped, -1s);
  other.stop_code = "EssentialContainerExited";
  EXPECT_EQ(observer.observe(w.snap, backoff, t0 + 12s), 0u);
  EXPECT_EQ(backoff.consecutive_failures(w.key()), 2u);
}

TEST(CrashObserver, ResetByATaskHealthyAfterTheLastCrash) {
  ServiceWorld w;
  w.add_spread_cluster(3);
  crash(w, 1, t0 - 120s);
  WorkloadBackoff backoff;
  CrashObserver observer(w.key());
  observer.observe(w.snap, backoff, t0 - 120s);
  // Healthy since t0 - 90 s (after the crash) for 90 s >= 1 min: recovered.
  w.add_service_task(2, "web:2", TaskStatus::running, 90s);
  observer.observe(w.snap, backoff, t0);
  EXPECT_EQ(backoff.consecutive_failures(w.key()), 0u);
  EXPECT_FALSE(backoff.blocked_until(w.key(), t0));
}

}  // namespace
}  // namespace berth::policy
