// File: tests/policy/daemon_plan_rebuild_test.cpp — the daemon plan rebuilt on the feasibility chain
// and the rollout controller: identical output to the pre-rebuild plan (daemon_plan_reference.cpp) on
// fixed-seed random clusters, and a whole-cluster snapshot's foreign and other-workload tasks change
// nothing.
#include "policy/daemon_plan.hpp"

#include "daemon_plan_reference.hpp"
#include "snapshot_builder.hpp"

#include <gtest/gtest.h>

#include <random>

namespace berth::policy {
namespace {

using testing::SnapshotBuilder;
using testing::t0;
using namespace std::chrono_literals;

// Field by field, so a difference names what differs.
void expect_same_plan(const DaemonPlan& got, const DaemonPlan& want) {
  EXPECT_EQ(got.error, want.error);
  ASSERT_EQ(got.starts.size(), want.starts.size());
  for (std::size_t i = 0; i < got.starts.size(); ++i) {
    EXPECT_EQ(got.starts[i].task_definition, want.starts[i].task_definition);
    EXPECT_EQ(got.starts[i].instance_arns, want.starts[i].instance_arns);
    EXPECT_EQ(got.starts[i].started_by, want.starts[i].started_by);
    EXPECT_EQ(got.starts[i].group, want.starts[i].group);
  }
  ASSERT_EQ(got.stops.size(), want.stops.size());
  for (std::size_t i = 0; i < got.stops.size(); ++i) {
    EXPECT_EQ(got.stops[i].task_arn, want.stops[i].task_arn);
    EXPECT_EQ(got.stops[i].instance_arn, want.stops[i].instance_arn);
    EXPECT_EQ(got.stops[i].cause, want.stops[i].cause);
    EXPECT_EQ(got.stops[i].reason, want.stops[i].reason);
  }
  ASSERT_EQ(got.skipped.size(), want.skipped.size());
  for (std::size_t i = 0; i < got.skipped.size(); ++i) {
    EXPECT_EQ(got.skipped[i].instance_arn, want.skipped[i].instance_arn);
    EXPECT_EQ(got.skipped[i].reason, want.skipped[i].reason);
  }
  EXPECT_EQ(got.skip_counts, want.skip_counts);
  ASSERT_EQ(got.rollout.has_value(), want.rollout.has_value());
  if (got.rollout) {
    const auto &g = *got.rollout, &w = *want.rollout;
    EXPECT_EQ(g.deployment_id, w.deployment_id);
    EXPECT_EQ(g.desired, w.desired);
    EXPECT_EQ(g.updated, w.updated);
    EXPECT_EQ(g.unavailable, w.unavailable);
    EXPECT_EQ(g.max_unavailable, w.max_unavailable);
    EXPECT_EQ(g.failed, w.failed);
    EXPECT_EQ(g.failed_instances, w.failed_instances);
    EXPECT_EQ(g.verdict, w.verdict);
    EXPECT_EQ(g.reason, w.reason);
  }
  EXPECT_EQ(got.next_wake, want.next_wake);
  EXPECT_EQ(got.matching, want.matching);
  EXPECT_EQ(got.desired, want.desired);
}

Environment make_env() {
  Environment e;
  e.name = "agent";
  e.cluster = "c";
  e.task_definition = "agent:2";
  e.rollout.min_healthy = 10s;
  return e;
}

Deployment make_deployment(DeploymentStatus status) {
  Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = "agent:2";
  d.previous_task_definition = "agent:1";
  d.status = status;
  d.created_at = t0 - 60s;
  d.started_at = t0 - 60s;
  return d;
}

// A random cluster of one environment's tasks (the reference's precondition).
struct RandomCase {
  SnapshotBuilder b;
  Environment env = make_env();
  std::optional<Deployment> deployment;
  InstanceBackoff backoff;
  DaemonPlanOptions options;
};

void fill_random(RandomCase& c, std::uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  const auto w = WorkloadKey::daemon("agent");
  auto& env = c.env;
  if (pick(3)) env.constraint = "attribute:zone in [a, b]";
  if (pick(4) == 0) env.attributes = {{"gpu", ""}};
  const char* specs[] = {"1", "2", "3", "25%", "50%", "100%", "0", "bad"};
  env.rollout.max_unavailable = specs[pick(pick(10) == 0 ? 8 : 7)];
  env.rollout.deadline = std::chrono::seconds(pick(3) ? 600 : pick(120));
  env.rollout.max_failures = static_cast<std::uint32_t>(pick(4));
  env.rollout.min_healthy = std::chrono::seconds(pick(20));
  if (pick(5) == 0) env.task_definition = "agent";  // family only: every revision matches
  const DeploymentStatus statuses[] = {DeploymentStatus::pending, DeploymentStatus::running, DeploymentStatus::running,
                                       DeploymentStatus::failed, DeploymentStatus::completed};
  if (pick(5)) {
    c.deployment = make_deployment(statuses[pick(5)]);
    c.deployment->failed_count = static_cast<std::uint32_t>(pick(3));
    if (pick(3) == 0) c.deployment->failed_instances = {SnapshotBuilder::inst_arn(pick(40))};
    if (pick(4) == 0) c.deployment->started_at.reset();
  }
  c.options.stop_on_draining = pick(4) == 0;
  if (pick(3) == 0) c.options.health_checked_task_definitions = {"agent:2"};

  const InstanceStatus istat[] = {InstanceStatus::active, InstanceStatus::active, InstanceStatus::active,
                                  InstanceStatus::draining, InstanceStatus::registering, InstanceStatus::inactive};
  const char* zones[] = {"a", "b", "c"};
  const TaskStatus tstat[] = {TaskStatus::pending, TaskStatus::running, TaskStatus::running, TaskStatus::stopped,
                              TaskStatus::provisioning};
  const int n = 1 + pick(40);
  for (int i = 0; i < n; ++i) {
    std::vector<std::pair<std::string, std::string>> attrs{{"zone", zones[pick(3)]}};
    if (pick(2)) attrs.emplace_back("gpu", "1");
    c.b.add_instance(i, attrs, istat[pick(6)], pick(10) != 0);
    int tasks = pick(4) == 0 ? 2 + pick(2) : pick(2);
    for (int k = 0; k < tasks; ++k) {
      auto& t = c.b.add_task(w, i, pick(2) ? "agent:1" : "arn:aws:ecs:us-east-1:1:task-definition/agent:2",
                             tstat[pick(5)], std::chrono::seconds(pick(40) - 5), pick(2) ? "d1" : "d0");
      if (pick(8) == 0) t.desired_status = TaskStatus::stopped;
      if (pick(6) == 0) {
        t.has_health_check = true;
        t.health = pick(2) ? HealthStatus::healthy : HealthStatus::unhealthy;
      }
      if (t.is_stopped()) {
        const char* codes[] = {"UserInitiated", "TaskFailedToStart", "EssentialContainerExited"};
        t.stop_code = c.b.keep(codes[pick(3)]);
        t.nonzero_exit = pick(2);
        t.ever_healthy = pick(2);
        t.stopped_at = t0 - std::chrono::seconds(pick(60));
      }
      if (pick(12) == 0) {  // a launch in doubt
        t.arn = {};
        t.expected = true;
        t.doubt_recheck_at = t0 + std::chrono::seconds(pick(30) - 10);
      }
    }
    if (pick(6) == 0) c.backoff.record_failure(SnapshotBuilder::inst_arn(i), t0 - std::chrono::seconds(pick(15)));
  }
}

TEST(DaemonPlanRebuild, IdenticalToThePreRebuildPlanOnRandomClusters) {
  std::uint32_t with_rollout = 0, with_starts = 0, with_stops = 0, with_errors = 0;
  for (std::uint32_t seed = 1; seed <= 1500; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomCase c;
    fill_random(c, seed);
    const Deployment* d = c.deployment ? &*c.deployment : nullptr;
    auto got = compute_daemon_plan(c.b.snap, c.env, d, c.backoff, t0, c.options);
    auto want = reference::reference_daemon_plan(c.b.snap, c.env, d, c.backoff, t0, c.options);
    expect_same_plan(got, want);
    with_rollout += got.rollout.has_value();
    with_starts += !got.starts.empty();
    with_stops += !got.stops.empty();
    with_errors += got.error.has_value();
  }
  // The random cases do reach every part of the plan.
  EXPECT_GT(with_rollout, 300u);
  EXPECT_GT(with_starts, 300u);
  EXPECT_GT(with_stops, 300u);
  EXPECT_GT(with_errors, 10u);
}

// The snapshot may hold the whole cluster: tasks that are not the environment's change nothing, wherever
// they run and whatever state they are in.
TEST(DaemonPlanRebuild, ForeignAndOtherWorkloadTasksChangeNothing) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    RandomCase c;
    fill_random(c, seed);
    const Deployment* d = c.deployment ? &*c.deployment : nullptr;
    auto alone = compute_daemon_plan(c.b.snap, c.env, d, c.backoff, t0, c.options);

    std::mt19937 rng(seed * 7919);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    const WorkloadKey others[] = {WorkloadKey::service("agent"), WorkloadKey::job("agent"),
                                  WorkloadKey::daemon("agent2"), WorkloadKey::daemon("")};
    const TaskStatus tstat[] = {TaskStatus::pending, TaskStatus::running, TaskStatus::stopped};
    const int instances = static_cast<int>(c.b.snap.instances.size());
    for (int k = 0; k < 3 * instances; ++k) {
      const int i = pick(instances);
      const auto st = tstat[pick(3)];
      const char* td = pick(2) ? "agent:1" : "agent:2";
      SnapshotTask* t = nullptr;
      switch (pick(4)) {
        case 0:  // another berth workload, same name or not, same deployment id
          t = &c.b.add_task(others[pick(4)], i, td, st, 3600s, "d1");
          break;
        case 1:  // not berth's
          t = &c.b.add_task(WorkloadKey::daemon("agent"), i, td, st, 3600s, "d1");
          t->started_by = pick(2) ? c.b.keep("ecs-svc/1234567890") : std::string_view{};
          t->group = pick(2) ? c.b.keep("service:web") : std::string_view{};
          break;
        case 2:  // our startedBy, but the group names another workload (hash collision or tampering)
          t = &c.b.add_task(WorkloadKey::daemon("agent"), i, td, st, 3600s, "d1");
          t->group = c.b.keep(pick(2) ? "berth:agent2:d1" : "berth-svc:agent:d1");
          break;
        default:  // another workload's startedBy with our group
          t = &c.b.add_task(others[pick(4)], i, td, st, 3600s, "d1");
          t->group = c.b.keep("berth:agent:d1");
          break;
      }
      if (t->is_stopped()) {
        t->stop_code = c.b.keep("TaskFailedToStart");
        t->stopped_at = t0;
      }
      if (pick(5) == 0) t->doubt_recheck_at = t0 + 5s;
    }
    auto crowded = compute_daemon_plan(c.b.snap, c.env, d, c.backoff, t0, c.options);
    expect_same_plan(crowded, alone);
  }
}

}  // namespace
}  // namespace berth::policy
