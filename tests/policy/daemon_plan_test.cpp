// File: tests/policy/daemon_plan_test.cpp — daemon policy tables over fixture builders, plus
// fixed-seed property tests of its invariants.
#include "policy/daemon_plan.hpp"
#include "policy/ownership.hpp"
#include "policy/task_definition.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <set>

namespace berth::policy {
namespace {

using namespace std::chrono_literals;
const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);

// Owns the strings a snapshot points to.
struct World {
  std::deque<std::string> strings;
  std::deque<std::vector<AttributeView>> attrs;
  ClusterSnapshot snap;
  std::string env_name = "agent";

  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
  static std::string inst_arn(int i) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "arn:aws:ecs:us-east-1:1:container-instance/c/%04d", i);
    return buf;
  }

  SnapshotInstance& add_instance(int i, std::vector<std::pair<std::string, std::string>> a = {},
                                 InstanceStatus st = InstanceStatus::active, bool connected = true) {
    auto& v = attrs.emplace_back();
    for (auto& [k, val] : a) v.push_back({keep(k), keep(val), true});
    SnapshotInstance inst;
    inst.arn = keep(inst_arn(i));
    inst.ec2_instance_id = keep("i-" + std::to_string(i));
    inst.status = st;
    inst.agent_connected = connected;
    inst.attributes = v;
    return snap.instances.emplace_back(inst);
  }

  // A task of the environment on instance i. `healthy_for` < 0 means not yet healthy.
  SnapshotTask& add_task(int i, std::string td, TaskStatus st = TaskStatus::running,
                         std::chrono::seconds healthy_for = 3600s, std::string deployment = "") {
    static int counter = 0;
    SnapshotTask t;
    t.arn = keep("arn:aws:ecs:us-east-1:1:task/c/t" + std::to_string(++counter));
    t.instance_arn = keep(inst_arn(i));
    t.task_definition = keep(std::move(td));
    t.started_by = keep(encode_started_by(policy::WorkloadKey::daemon(env_name)));
    t.group = keep(*encode_group(policy::WorkloadKey::daemon(env_name), deployment));
    t.last_status = st;
    t.desired_status = st == TaskStatus::stopped ? TaskStatus::stopped : TaskStatus::running;
    if (st == TaskStatus::running && healthy_for >= 0s) {
      t.healthy_since = t0 - healthy_for;
      t.ever_healthy = true;
    }
    return snap.tasks.emplace_back(t);
  }
};

Environment make_env(std::string td = "agent:2") {
  Environment e;
  e.name = "agent";
  e.cluster = "c";
  e.task_definition = std::move(td);
  e.rollout.min_healthy = 10s;
  return e;
}

Deployment make_deployment(std::string td = "agent:2", std::string prev = "agent:1") {
  Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = std::move(td);
  d.previous_task_definition = std::move(prev);
  d.status = DeploymentStatus::running;
  d.created_at = t0 - 60s;
  d.started_at = t0 - 60s;
  return d;
}

std::set<std::string> started(const DaemonPlan& p) {
  std::set<std::string> out;
  for (auto& b : p.starts)
    for (auto& i : b.instance_arns) out.insert(i);
  return out;
}
std::map<std::string, StopCause> stopped_instances(const DaemonPlan& p) {
  std::map<std::string, StopCause> out;
  for (auto& s : p.stops) out[s.instance_arn] = s.cause;
  return out;
}

struct Expectation {
  std::set<int> starts;
  std::map<int, StopCause> stops;
  std::optional<SkipReason> skip_of_first;  // reason recorded for instance 0, if any
};

void expect_plan(const DaemonPlan& plan, const Expectation& e) {
  ASSERT_FALSE(plan.error) << *plan.error;
  std::set<std::string> want_starts;
  for (int i : e.starts) want_starts.insert(World::inst_arn(i));
  EXPECT_EQ(started(plan), want_starts);
  std::map<std::string, StopCause> want_stops;
  for (auto& [i, c] : e.stops) want_stops[World::inst_arn(i)] = c;
  EXPECT_EQ(stopped_instances(plan), want_stops);
  if (e.skip_of_first) {
    auto it = std::find_if(plan.skipped.begin(), plan.skipped.end(),
                           [](auto& s) { return s.instance_arn == World::inst_arn(0); });
    ASSERT_NE(it, plan.skipped.end());
    EXPECT_EQ(it->reason, *e.skip_of_first) << to_string(it->reason);
  }
}

DaemonPlan plan_for(const World& w, const Environment& env, const Deployment* d = nullptr,
                    const InstanceBackoff& b = InstanceBackoff{}, DaemonPlanOptions o = {}) {
  return compute_daemon_plan(w.snap, env, d, b, t0, o);
}

TEST(DaemonPlan, LaunchesOnEveryMatchingInstanceInBatchesOfTen) {
  World w;
  for (int i = 0; i < 25; ++i) w.add_instance(i);
  auto plan = plan_for(w, make_env());
  ASSERT_EQ(plan.starts.size(), 3u);
  EXPECT_EQ(plan.starts[0].instance_arns.size(), 10u);
  EXPECT_EQ(plan.starts[2].instance_arns.size(), 5u);
  EXPECT_EQ(plan.start_count(), 25u);
  EXPECT_EQ(plan.starts[0].task_definition, "agent:2");
  EXPECT_EQ(plan.starts[0].started_by, encode_started_by(policy::WorkloadKey::daemon("agent")));
  EXPECT_EQ(plan.starts[0].group, "berth:agent:");
  EXPECT_EQ(plan.desired, 25u);
}

TEST(DaemonPlan, Table) {
  struct Case {
    const char* name;
    std::function<void(World&, Environment&)> setup;
    Expectation expect;
  };
  const Case cases[] = {
      {"steady state does nothing",
       [](World& w, Environment&) { w.add_instance(0), w.add_task(0, "agent:2"); },
       {{}, {}, std::nullopt}},
      {"draining gets no launch",
       [](World& w, Environment&) { w.add_instance(0, {}, InstanceStatus::draining); },
       {{}, {}, SkipReason::draining}},
      {"draining keeps its task",
       [](World& w, Environment&) {
         w.add_instance(0, {}, InstanceStatus::draining);
         w.add_task(0, "agent:2");
       },
       {{}, {}, SkipReason::draining}},
      {"disconnected agent gets no launch",
       [](World& w, Environment&) { w.add_instance(0, {}, InstanceStatus::active, false); },
       {{}, {}, SkipReason::disconnected}},
      {"registering gets no launch",
       [](World& w, Environment&) { w.add_instance(0, {}, InstanceStatus::registering); },
       {{}, {}, SkipReason::not_active}},
      {"constraint filters instances",
       [](World& w, Environment& e) {
         e.constraint = "attribute:stack == prod";
         w.add_instance(0, {{"stack", "dev"}});
         w.add_instance(1, {{"stack", "prod"}});
       },
       {{1}, {}, SkipReason::not_matching}},
      {"blox attributes filter instances",
       [](World& w, Environment& e) {
         e.attributes = {{"gpu", ""}};
         w.add_instance(0);
         w.add_instance(1, {{"gpu", "yes"}});
       },
       {{1}, {}, SkipReason::not_matching}},
      {"task on instance that stopped matching is stopped",
       [](World& w, Environment& e) {
         e.constraint = "attribute:stack == prod";
         w.add_instance(0, {{"stack", "dev"}});
         w.add_task(0, "agent:2");
       },
       {{}, {{0, StopCause::not_matching}}, SkipReason::not_matching}},
      {"duplicates are stopped keeping the healthy one",
       [](World& w, Environment&) {
         w.add_instance(0);
         w.add_task(0, "agent:2", TaskStatus::pending, -1s);
         w.add_task(0, "agent:2");
       },
       {{}, {{0, StopCause::duplicate}}, std::nullopt}},
      {"a stopping task blocks the launch until STOPPED",
       [](World& w, Environment&) {
         w.add_instance(0);
         w.add_task(0, "agent:2").desired_status = TaskStatus::stopped;
       },
       {{}, {}, SkipReason::stop_pending}},
      {"a stopped task is replaced",
       [](World& w, Environment&) {
         w.add_instance(0);
         auto& t = w.add_task(0, "agent:2", TaskStatus::stopped);
         t.stop_code = "UserInitiated";
       },
       {{0}, {}, std::nullopt}},
      {"pending launch (expectation) blocks a second launch",
       [](World& w, Environment&) {
         w.add_instance(0);
         auto& t = w.add_task(0, "agent:2", TaskStatus::pending, -1s);
         t.expected = true;
       },
       {{}, {}, std::nullopt}},
      {"launch in doubt (no ARN) blocks a launch and is never stopped",
       [](World& w, Environment&) {
         w.add_instance(0);
         auto& t = w.add_task(0, "agent:2", TaskStatus::pending, -1s);
         t.arn = {};
         t.expected = true;
         w.add_task(0, "agent:2");
       },
       {{}, {}, std::nullopt}},
      {"foreign tasks are ignored",
       [](World& w, Environment&) {
         w.add_instance(0);
         w.add_task(0, "agent:2").started_by = "ecs-svc/123";
       },
       {{0}, {}, std::nullopt}},
      {"old revision is replaced, stop first",
       [](World& w, Environment&) {
         w.add_instance(0);
         w.add_task(0, "agent:1");
       },
       {{}, {{0, StopCause::replaced}}, std::nullopt}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    World w;
    auto env = make_env();
    c.setup(w, env);
    expect_plan(plan_for(w, env), c.expect);
  }
}

TEST(DaemonPlan, InvalidSpecIsAnErrorWithNoActions) {
  World w;
  w.add_instance(0);
  auto env = make_env();
  env.constraint = "attribute:x ==";
  auto plan = plan_for(w, env);
  ASSERT_TRUE(plan.error);
  EXPECT_NE(plan.error->find("at 14"), std::string::npos) << *plan.error;
  EXPECT_TRUE(plan.idle());
  env.constraint = "";
  env.rollout.max_unavailable = "ten";
  plan = plan_for(w, env);
  ASSERT_TRUE(plan.error);
  EXPECT_TRUE(plan.idle());
}

TEST(DaemonPlan, StopOnDrainingOption) {
  World w;
  w.add_instance(0, {}, InstanceStatus::draining);
  w.add_task(0, "agent:2");
  DaemonPlanOptions options;
  options.stop_on_draining = true;
  auto plan = plan_for(w, make_env(), nullptr, InstanceBackoff{}, options);
  expect_plan(plan, {{}, {{0, StopCause::draining}}, SkipReason::draining});
}

TEST(DaemonPlan, BackoffDelaysRelaunchAndSetsWake) {
  World w;
  w.add_instance(0);
  auto& t = w.add_task(0, "agent:2", TaskStatus::stopped);
  t.stop_code = "EssentialContainerExited";
  t.nonzero_exit = true;
  t.stopped_at = t0 - 1s;
  InstanceBackoff b;
  b.observe(w.snap, t0);
  EXPECT_EQ(b.failures(World::inst_arn(0)), 1u);
  b.observe(w.snap, t0);  // the same tombstone counts once
  EXPECT_EQ(b.failures(World::inst_arn(0)), 1u);
  auto plan = plan_for(w, make_env(), nullptr, b);
  expect_plan(plan, {{}, {}, SkipReason::backing_off});
  ASSERT_TRUE(plan.next_wake);
  EXPECT_EQ(*plan.next_wake, t0 - 1s + 10s);
  auto later = compute_daemon_plan(w.snap, make_env(), nullptr, b, t0 + 10s);
  EXPECT_EQ(later.start_count(), 1u);
  b.record_failure(World::inst_arn(0), t0);
  EXPECT_EQ(*b.blocked_until(World::inst_arn(0), t0), t0 + 20s);  // doubles
}

TEST(DaemonPlan, LaunchInDoubtWakesWhenTheDoubtExpires) {
  // Without a wake-up at the doubt's check the instance would wait for an unrelated event or the audit.
  World w;
  w.add_instance(0);
  auto& t = w.add_task(0, "agent:2", TaskStatus::pending, -1s);
  t.arn = {};
  t.expected = true;
  t.doubt_recheck_at = t0 + 90s;
  auto plan = plan_for(w, make_env());
  EXPECT_EQ(plan.start_count(), 0u);
  ASSERT_TRUE(plan.next_wake);
  EXPECT_EQ(*plan.next_wake, t0 + 90s);
}

TEST(DaemonPlan, RolloutRespectsMaxUnavailable) {
  World w;
  for (int i = 0; i < 10; ++i) w.add_instance(i), w.add_task(i, "agent:1");
  auto env = make_env();
  env.rollout.max_unavailable = "30%";
  auto d = make_deployment();
  auto plan = plan_for(w, env, &d);
  EXPECT_EQ(plan.stops.size(), 3u);
  ASSERT_TRUE(plan.rollout);
  EXPECT_EQ(plan.rollout->max_unavailable, 3u);
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::in_progress);
  EXPECT_EQ(plan.skip_counts[static_cast<int>(SkipReason::waiting_for_budget)], 7u);
  // Two instances are now being replaced (one fresh new task not yet healthy, one empty): budget 1.
  World w2;
  for (int i = 0; i < 10; ++i) w2.add_instance(i);
  w2.add_task(0, "agent:2", TaskStatus::running, 5s, "d1");  // not yet min_healthy
  for (int i = 2; i < 10; ++i) w2.add_task(i, "agent:1");
  plan = plan_for(w2, env, &d);
  EXPECT_EQ(started(plan), std::set<std::string>{World::inst_arn(1)});
  EXPECT_EQ(plan.stops.size(), 1u);
  EXPECT_EQ(*plan.next_wake, t0 + 5s);  // health gate of instance 0
  EXPECT_EQ(plan.starts[0].group, "berth:agent:d1");
}

TEST(DaemonPlan, UnhealthyOldTasksAreReplacedWithoutBudget) {
  World w;
  for (int i = 0; i < 4; ++i) w.add_instance(i);
  w.add_task(0, "agent:1", TaskStatus::pending, -1s);
  w.add_task(1, "agent:1", TaskStatus::pending, -1s);
  w.add_task(2, "agent:1");
  w.add_task(3, "agent:1");
  auto env = make_env();
  auto d = make_deployment();
  auto plan = plan_for(w, env, &d);
  // 2 unavailable already >= maxUnavailable 1: only the two broken ones are replaced.
  EXPECT_EQ(stopped_instances(plan),
            (std::map<std::string, StopCause>{{World::inst_arn(0), StopCause::replaced},
                                              {World::inst_arn(1), StopCause::replaced}}));
}

TEST(DaemonPlan, RolloutCompletes) {
  World w;
  for (int i = 0; i < 3; ++i) w.add_instance(i), w.add_task(i, "agent:2", TaskStatus::running, 60s, "d1");
  auto d = make_deployment();
  auto plan = plan_for(w, make_env(), &d);
  ASSERT_TRUE(plan.rollout);
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::complete);
  EXPECT_EQ(plan.rollout->updated, 3u);
  EXPECT_TRUE(plan.idle());
}

TEST(DaemonPlan, HealthCheckGatesAvailability) {
  World w;
  w.add_instance(0);
  auto& t = w.add_task(0, "agent:2", TaskStatus::running, 60s, "d1");
  t.has_health_check = true;
  t.health = HealthStatus::unknown;
  auto d = make_deployment();
  auto plan = plan_for(w, make_env(), &d);
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::in_progress);
  t.health = HealthStatus::healthy;
  plan = plan_for(w, make_env(), &d);
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::complete);
}

TEST(DaemonPlan, RolloutFailsOnFailuresAndHalts) {
  World w;
  for (int i = 0; i < 5; ++i) w.add_instance(i);
  for (int k = 0; k < 3; ++k) {
    auto& t = w.add_task(0, "agent:2", TaskStatus::stopped, -1s, "d1");
    t.stop_code = "EssentialContainerExited";
    t.nonzero_exit = true;
  }
  // A user-initiated stop is not a failure; nor is one of another deployment.
  w.add_task(1, "agent:2", TaskStatus::stopped, -1s, "d1").stop_code = "UserInitiated";
  w.add_task(1, "agent:2", TaskStatus::stopped, -1s, "d0").stop_code = "TaskFailedToStart";
  for (int i = 1; i < 5; ++i) w.add_task(i, "agent:1");
  auto d = make_deployment();
  auto plan = plan_for(w, make_env(), &d);
  ASSERT_TRUE(plan.rollout);
  EXPECT_EQ(plan.rollout->failed, 3u);
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::failed);
  EXPECT_EQ(plan.rollout->failed_instances, std::vector<std::string>{World::inst_arn(0)});
  EXPECT_TRUE(plan.stops.empty());  // halted: no healthy old task is taken away
  // The persisted count is a floor even once tombstones are gone.
  World empty;
  empty.add_instance(0);
  d.failed_count = 5;
  plan = plan_for(empty, make_env(), &d);
  EXPECT_EQ(plan.rollout->failed, 5u);
}

TEST(DaemonPlan, RolloutFailsOnDeadline) {
  World w;
  w.add_instance(0);
  w.add_task(0, "agent:1");
  auto env = make_env();
  env.rollout.deadline = 30s;
  auto d = make_deployment();  // started 60 s ago
  auto plan = plan_for(w, env, &d);
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::failed);
  EXPECT_NE(plan.rollout->reason.find("deadline"), std::string::npos);
}

TEST(DaemonPlan, RollbackReplacesNewRevisionTasks) {
  // After a failed rollout the caller sets task_definition back: new-revision tasks become "old".
  World w;
  for (int i = 0; i < 3; ++i) w.add_instance(i);
  w.add_task(0, "agent:2", TaskStatus::running, 60s, "d1");
  w.add_task(1, "agent:1");
  w.add_task(2, "agent:1");
  auto env = make_env("agent:1");
  auto rollback = make_deployment("agent:1", "agent:2");
  rollback.id = "d2";
  auto plan = plan_for(w, env, &rollback);
  EXPECT_EQ(stopped_instances(plan), (std::map<std::string, StopCause>{{World::inst_arn(0), StopCause::replaced}}));
}

TEST(DaemonPlan, TaskDefinitionReferencesCompareByName) {
  EXPECT_EQ(task_definition_name("arn:aws:ecs:us-east-1:1:task-definition/agent:2"), "agent:2");
  EXPECT_EQ(task_definition_name("agent:2"), "agent:2");
  EXPECT_TRUE(task_definition_matches("agent:2", "arn:aws:ecs:us-east-1:1:task-definition/agent:2"));
  EXPECT_TRUE(task_definition_matches("arn:aws:ecs:us-east-1:1:task-definition/agent:2", "agent:2"));
  EXPECT_FALSE(task_definition_matches("agent:2", "arn:aws:ecs:us-east-1:1:task-definition/agent:3"));
  EXPECT_FALSE(task_definition_matches("agent:2", "arn:aws:ecs:us-east-1:1:task-definition/agent:22"));
  EXPECT_TRUE(task_definition_matches("agent", "arn:aws:ecs:us-east-1:1:task-definition/agent:7"));
  EXPECT_FALSE(task_definition_matches("agent", "arn:aws:ecs:us-east-1:1:task-definition/agent2:7"));
  // ECS reports full ARNs; an environment written as family:revision is in steady state.
  World w;
  w.add_instance(0);
  w.add_task(0, "arn:aws:ecs:us-east-1:1:task-definition/agent:2");
  auto d = make_deployment();
  auto plan = plan_for(w, make_env("agent:2"), &d);
  EXPECT_TRUE(plan.idle());
  EXPECT_EQ(plan.rollout->verdict, RolloutVerdict::complete);
}

TEST(DaemonPlan, MaxUnavailableResolution) {
  EXPECT_EQ(resolve_max_unavailable("1", 10), 1u);
  EXPECT_EQ(resolve_max_unavailable("0", 10), 1u);
  EXPECT_EQ(resolve_max_unavailable("25%", 10), 2u);
  EXPECT_EQ(resolve_max_unavailable("25%", 2), 1u);
  EXPECT_EQ(resolve_max_unavailable("100%", 7), 7u);
  EXPECT_FALSE(resolve_max_unavailable("", 10));
  EXPECT_FALSE(resolve_max_unavailable("%", 10));
  EXPECT_FALSE(resolve_max_unavailable("101%", 10));
  EXPECT_FALSE(resolve_max_unavailable("-1", 10));
}

// Property tests: random clusters, fixed seeds.
TEST(DaemonPlanProperty, InvariantsHoldOnRandomClusters) {
  for (std::uint32_t seed = 1; seed <= 300; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    World w;
    auto env = make_env();
    env.constraint = "attribute:zone in [a, b]";
    env.rollout.max_unavailable = pick(2) ? std::to_string(1 + pick(4)) : std::to_string(10 + pick(60)) + "%";
    const int n = 1 + pick(40);
    const InstanceStatus statuses[] = {InstanceStatus::active, InstanceStatus::active, InstanceStatus::active,
                                       InstanceStatus::draining, InstanceStatus::registering};
    const char* zones[] = {"a", "b", "c"};
    const TaskStatus tstat[] = {TaskStatus::pending, TaskStatus::running, TaskStatus::running, TaskStatus::stopped};
    for (int i = 0; i < n; ++i) {
      w.add_instance(i, {{"zone", zones[pick(3)]}}, statuses[pick(5)], pick(10) != 0);
      int tasks = pick(4) == 0 ? 2 : pick(2);
      for (int k = 0; k < tasks; ++k) {
        auto& t = w.add_task(i, pick(2) ? "agent:1" : "agent:2", tstat[pick(4)], std::chrono::seconds(pick(30)), "d1");
        if (pick(8) == 0) t.desired_status = TaskStatus::stopped;
      }
    }
    auto d = make_deployment();
    InstanceBackoff backoff;
    for (int i = 0; i < n; ++i)
      if (pick(6) == 0) backoff.record_failure(World::inst_arn(i), t0);
    auto plan = compute_daemon_plan(w.snap, env, &d, backoff, t0);
    ASSERT_FALSE(plan.error);

    std::map<std::string_view, const SnapshotInstance*> inst;
    for (auto& i : w.snap.instances) inst[i.arn] = &i;
    std::set<std::string> stopped_arns;
    for (auto& s : plan.stops) EXPECT_TRUE(stopped_arns.insert(s.task_arn).second) << "stopped twice";
    std::map<std::string_view, int> live_after;  // live tasks per instance once the plan is applied
    for (auto& t : w.snap.tasks)
      if (t.is_live() && !stopped_arns.contains(std::string(t.arn))) ++live_after[t.instance_arn];

    std::set<std::string> seen;
    for (auto& b : plan.starts) {
      EXPECT_LE(b.instance_arns.size(), max_instances_per_start_task);
      EXPECT_EQ(b.task_definition, "agent:2");
      for (auto& a : b.instance_arns) {
        EXPECT_TRUE(seen.insert(a).second) << "started twice on " << a;
        const auto* i = inst.at(a);
        auto zone = i->attribute("zone");
        EXPECT_TRUE(zone && zone->value != "c") << "infeasible placement";
        EXPECT_EQ(i->status, InstanceStatus::active);
        EXPECT_TRUE(i->agent_connected);
        EXPECT_FALSE(backoff.blocked_until(a, t0)) << "launched while backing off";
        // Never two tasks: nothing live or stopping remains where we launch.
        EXPECT_EQ(live_after[a], 0);
        for (auto& t : w.snap.tasks)
          if (t.instance_arn == a) {
            EXPECT_FALSE(t.is_stopping());
          }
        ++live_after[a];
      }
    }
    for (auto& [i, count] : live_after) EXPECT_LE(count, 1) << "two tasks kept on " << i;

    // maxUnavailable: available instances taken away by this plan never push unavailability over
    // the limit (unless it already was, from causes outside berth's control).
    auto& r = *plan.rollout;
    std::uint32_t healthy_stopped = 0;
    for (auto& s : plan.stops)
      for (auto& t : w.snap.tasks)
        if (t.arn == s.task_arn && t.last_status == TaskStatus::running && t.healthy_since &&
            *t.healthy_since + env.rollout.min_healthy <= t0 && s.cause == StopCause::replaced)
          ++healthy_stopped;
    if (healthy_stopped > 0) {
      EXPECT_LE(r.unavailable + healthy_stopped, r.max_unavailable);
    }
  }
}

}  // namespace
}  // namespace berth::policy
