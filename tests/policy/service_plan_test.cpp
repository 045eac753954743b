// File: tests/policy/service_plan_test.cpp — the replica-service plan: placement of new services, steady
// state, scale down order, rolling updates within the bounds, circuit breaker and rollback, draining and
// lost instances, backoff, ownership; plus a fixed-seed simulated rolling update that checks the bounds
// after every plan.
#include "service_world.hpp"

#include "policy/service_plan.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace berth::policy {
namespace {

using namespace std::chrono_literals;
using testing::make_spec;
using testing::ServiceWorld;
using testing::t0;

ServicePlanOptions options_for(std::vector<std::string> tds, bool health_checked = false) {
  ServicePlanOptions o;
  for (auto& td : tds) o.task_definitions.push_back({td, {{256, 512}, {}, {}}, health_checked});
  return o;
}

Deployment deployment(std::string id, std::string td, std::string previous = "") {
  Deployment d;
  d.id = std::move(id);
  d.environment = "web";
  d.task_definition = std::move(td);
  d.previous_task_definition = std::move(previous);
  d.status = DeploymentStatus::running;
  d.created_at = t0 - 60s;
  d.started_at = t0 - 60s;
  return d;
}

std::vector<std::string> started_instances(const ServicePlan& p) {
  std::vector<std::string> out;
  for (const auto& b : p.starts) out.insert(out.end(), b.instance_arns.begin(), b.instance_arns.end());
  return out;
}

std::size_t stops_with(const ServicePlan& p, StopCause cause) {
  return static_cast<std::size_t>(std::count_if(p.stops.begin(), p.stops.end(), [&](auto& s) { return s.cause == cause; }));
}

TEST(ServicePlan, NewServiceSpreadsOverAzsInBatchesOfTen) {
  ServiceWorld w;
  w.add_spread_cluster(30);
  const WorkloadBackoff backoff;
  auto plan = compute_service_plan(w.snap, make_spec(25), nullptr, backoff, t0, options_for({"web:1"}));
  ASSERT_FALSE(plan.error) << *plan.error;
  EXPECT_EQ(plan.start_count(), 25u);
  ASSERT_EQ(plan.starts.size(), 3u);
  for (const auto& b : plan.starts) {
    EXPECT_LE(b.instance_arns.size(), 10u);
    EXPECT_EQ(b.task_definition, "web:1");
    EXPECT_EQ(b.started_by, encode_started_by(WorkloadKey::service("web")));
    EXPECT_EQ(b.group, "berth-svc:web:");
  }
  std::map<std::string_view, int> azs;
  for (auto& arn : started_instances(plan)) ++azs[w.az_of(arn)];
  for (auto& [az, n] : azs) EXPECT_TRUE(n == 8 || n == 9) << az;
  EXPECT_EQ(plan.unplaced.count, 0u);
  EXPECT_TRUE(plan.stops.empty());
}

TEST(ServicePlan, SteadyStateIsIdle) {
  ServiceWorld w;
  w.add_spread_cluster(6);
  for (int i = 0; i < 6; ++i) w.add_service_task(i, "arn:aws:ecs:us-east-1:1:task-definition/web:1");
  auto plan = compute_service_plan(w.snap, make_spec(6), nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  EXPECT_TRUE(plan.idle());
  EXPECT_EQ(plan.counts.current, 6u);
  EXPECT_EQ(plan.counts.updated, 6u);
  EXPECT_FALSE(plan.next_wake);
}

TEST(ServicePlan, OnlyTheServicesOwnTasksCount) {
  ServiceWorld w;
  w.add_spread_cluster(3);
  w.add_task(WorkloadKey::daemon("web"), 0, "web:1");  // a daemon environment of the same name
  auto& foreign = w.snap.tasks.emplace_back();
  foreign.arn = "arn:foreign";
  foreign.instance_arn = w.snap.instances[1].arn;
  foreign.task_definition = "web:1";
  foreign.started_by = "ecs-svc/123";
  foreign.last_status = TaskStatus::running;
  auto plan = compute_service_plan(w.snap, make_spec(0), nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  EXPECT_TRUE(plan.idle());  // desired 0 stops nothing it does not own
  plan = compute_service_plan(w.snap, make_spec(3), nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  EXPECT_EQ(plan.start_count(), 3u);
}

TEST(ServicePlan, ScaleDownFromTheMostLoadedAzNewestFirst) {
  ServiceWorld w;
  w.add_spread_cluster(6);  // 0,3: 1a  1,4: 1b  2,5: 1c
  w.add_service_task(0, "web:1", TaskStatus::running, 3600s);
  auto& a_new = w.add_service_task(3, "web:1", TaskStatus::running, 60s);
  w.add_service_task(0, "web:1", TaskStatus::running, 7200s);
  auto& a_newest = w.add_service_task(3, "web:1", TaskStatus::running, 20s);
  w.add_service_task(1, "web:1");
  w.add_service_task(4, "web:1");
  w.add_service_task(2, "web:1");
  w.add_service_task(5, "web:1");
  auto plan = compute_service_plan(w.snap, make_spec(6), nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  ASSERT_EQ(plan.stops.size(), 2u);
  // 1a has 4, the others 2: both stops come from 1a, one per instance there (0 and 3 have 2 each), newest first.
  EXPECT_EQ(plan.stops[0].task_arn, a_newest.arn);
  EXPECT_EQ(plan.stops[0].cause, StopCause::scaled_down);
  EXPECT_EQ(w.az_of(plan.stops[1].instance_arn), "us-east-1a");
  EXPECT_NE(plan.stops[1].instance_arn, plan.stops[0].instance_arn);
  EXPECT_NE(plan.stops[1].task_arn, a_new.arn);  // instance 3 has one left: instance 0's newest goes
  EXPECT_TRUE(plan.starts.empty());
  EXPECT_FALSE(plan.rollout);  // scaling is not a deployment
}

TEST(ServicePlan, RollingUpdateSurgesThenStopsOldOnceNewAreHealthy) {
  ServiceWorld w;
  w.add_spread_cluster(8);
  for (int i = 0; i < 4; ++i) w.add_service_task(i, "web:1");
  auto spec = make_spec(4, "web:2");  // min 100%, max 200%
  auto dep = deployment("d2", "web:2", "web:1");
  auto opts = options_for({"web:1", "web:2"});
  auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(plan.start_count(), 4u);
  EXPECT_TRUE(plan.stops.empty());  // never below 4 healthy
  ASSERT_TRUE(plan.rollout);
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::progressing);
  EXPECT_EQ(plan.starts[0].group, "berth-svc:web:d2");

  // New ones RUNNING but inside the health gate: still nothing stops; the plan wakes at the gate.
  for (int i = 4; i < 8; ++i) w.add_service_task(i, "web:2", TaskStatus::running, 5s, "d2");
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_TRUE(plan.idle());
  ASSERT_TRUE(plan.next_wake);
  EXPECT_EQ(*plan.next_wake, t0 + 5s);

  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0 + 6s, opts);
  EXPECT_EQ(stops_with(plan, StopCause::replaced), 4u);
  EXPECT_TRUE(plan.starts.empty());
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::progressing);  // old ones still live

  for (auto& t : w.snap.tasks)
    if (t.task_definition == "web:1") t.last_status = t.desired_status = TaskStatus::stopped, t.stop_code = "UserInitiated";
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0 + 7s, opts);
  EXPECT_TRUE(plan.idle());
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::completed);
}

// replace_every_task (Marathon's restart, ECS's forceNewDeployment): the same task definition is replaced too,
// rolling within the bounds, because only the deployment's own launches count as current.
TEST(ServicePlan, ReplaceEveryTaskRollsTasksOfTheSameDefinition) {
  ServiceWorld w;
  w.add_spread_cluster(8);
  for (int i = 0; i < 4; ++i) w.add_service_task(i, "web:1");  // launched by d1
  auto spec = make_spec(4, "web:1");                            // min 100%, max 200%
  auto dep = deployment("d2", "web:1", "web:1");
  auto opts = options_for({"web:1"});
  // Without the mode the deployment has nothing to do.
  auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_TRUE(plan.idle());
  spec.replace_every_task = true;
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(plan.start_count(), 4u);
  EXPECT_TRUE(plan.stops.empty());  // never below 4 healthy
  ASSERT_FALSE(plan.starts.empty());
  EXPECT_EQ(plan.starts[0].group, "berth-svc:web:d2");

  for (int i = 4; i < 8; ++i) w.add_service_task(i, "web:1", TaskStatus::running, 3600s, "d2");
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(stops_with(plan, StopCause::replaced), 4u);
  for (const auto& stop : plan.stops) {
    bool of_d1 = false;
    for (const auto& t : w.snap.tasks)
      if (t.arn == stop.task_arn) of_d1 = t.group == "berth-svc:web:d1";
    EXPECT_TRUE(of_d1) << stop.task_arn;
  }
  for (auto& t : w.snap.tasks)
    if (t.group == "berth-svc:web:d1") t.last_status = t.desired_status = TaskStatus::stopped, t.stop_code = "UserInitiated";
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0 + 1s, opts);
  EXPECT_TRUE(plan.idle());
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::completed);
  // Once the deployment is over, every task of the definition is current again, whatever launched it.
  dep.status = DeploymentStatus::completed;
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0 + 2s, opts);
  EXPECT_TRUE(plan.idle());
}

TEST(ServicePlan, RollingUpdateWithoutSurgeStopsFirstDownToTheMinimum) {
  ServiceWorld w;
  w.add_spread_cluster(4);
  for (int i = 0; i < 4; ++i) w.add_service_task(i, "web:1");
  auto spec = make_spec(4, "web:2");
  spec.deployment.minimum_healthy_percent = 50;
  spec.deployment.maximum_percent = 100;
  auto dep = deployment("d2", "web:2", "web:1");
  auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, options_for({"web:1", "web:2"}));
  EXPECT_EQ(plan.start_count(), 0u);  // 4 running = max
  EXPECT_EQ(stops_with(plan, StopCause::replaced), 2u);  // 4 healthy - 2 (min)
}

// Found by bench service-rollout: a new version PUT seconds after the old one was placed. The old tasks are RUNNING
// but younger than minHealthySeconds; they serve, so with minimumHealthyPercent 100 none may stop before new
// ones pass the gate (they used to count as "unhealthy, free to stop" and all stopped at once).
TEST(ServicePlan, RollingUpdateKeepsOldTasksYoungerThanTheHealthGate) {
  ServiceWorld w;
  w.add_spread_cluster(8);
  for (int i = 0; i < 4; ++i) w.add_service_task(i, "web:1", TaskStatus::running, 3s);  // gate is 10 s
  auto spec = make_spec(4, "web:2");  // min 100%, max 200%
  auto dep = deployment("d2", "web:2", "web:1");
  auto opts = options_for({"web:1", "web:2"});
  auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(plan.start_count(), 4u);
  EXPECT_TRUE(plan.stops.empty());
  EXPECT_EQ(plan.counts.healthy, 4u);

  // Without surge (min 50 %, max 100 %): young old tasks count as healthy, so exactly 2 stop, not all 4.
  spec.deployment.minimum_healthy_percent = 50;
  spec.deployment.maximum_percent = 100;
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(stops_with(plan, StopCause::replaced), 2u);
}

TEST(ServicePlan, CircuitBreakerFailsAndRollsBack) {
  ServiceWorld w;
  w.add_spread_cluster(6);
  for (int i = 0; i < 4; ++i) w.add_service_task(i, "web:1");
  for (int i = 0; i < 3; ++i) {
    auto& t = w.add_service_task(4, "web:2", TaskStatus::stopped, -1s, "d2");
    t.stop_code = "EssentialContainerExited";
    t.nonzero_exit = true;
  }
  auto spec = make_spec(4, "web:2");
  spec.deployment.circuit_breaker = {true, false};
  auto dep = deployment("d2", "web:2", "web:1");
  auto opts = options_for({"web:1", "web:2"});
  auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  ASSERT_TRUE(plan.rollout);
  EXPECT_EQ(plan.rollout->failed, 3u);
  EXPECT_EQ(plan.rollout->failure_threshold, 3u);
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::failed);
  EXPECT_TRUE(plan.starts.empty());  // halted: no more launches of the failing revision
  EXPECT_TRUE(plan.stops.empty());   // and the healthy old tasks stay

  spec.deployment.circuit_breaker = {true, true};
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::rolled_back);
  EXPECT_EQ(plan.rollout->rollback_task_definition, "web:1");
  EXPECT_TRUE(plan.idle());

  // Below the threshold (failures of another deployment do not count): progressing.
  for (auto& t : w.snap.tasks)
    if (t.is_stopped()) t.group = w.keep(*encode_group(w.key(), "d1"));
  plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::progressing);
  EXPECT_EQ(plan.start_count(), 4u);
  // The instance where tasks failed is avoided while others fit.
  for (auto& arn : started_instances(plan)) EXPECT_NE(arn, w.snap.instances[4].arn);
}

TEST(ServicePlan, ProgressDeadlineFails) {
  ServiceWorld w;
  w.add_spread_cluster(2);
  auto spec = make_spec(2, "web:2");
  spec.deployment.progress_deadline_seconds = 30;
  auto dep = deployment("d2", "web:2");
  auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, options_for({"web:2"}));
  EXPECT_EQ(plan.rollout->verdict, ServiceRolloutVerdict::failed);
  EXPECT_NE(plan.rollout->reason.find("deadline of 30s exceeded"), std::string::npos);
}

TEST(ServicePlan, DrainingInstanceReplacedFirstThenStopped) {
  ServiceWorld w;
  w.add_spread_cluster(6);
  for (int i = 0; i < 3; ++i) w.add_service_task(i, "web:1");
  w.snap.instances[0].status = InstanceStatus::draining;
  auto spec = make_spec(3);
  auto opts = options_for({"web:1"});
  auto plan = compute_service_plan(w.snap, spec, nullptr, WorkloadBackoff{}, t0, opts);
  ASSERT_EQ(plan.start_count(), 1u);
  EXPECT_NE(started_instances(plan)[0], w.snap.instances[0].arn);
  EXPECT_TRUE(plan.stops.empty());  // replace first

  w.add_service_task(3, "web:1", TaskStatus::running, 60s);  // the replacement, healthy
  plan = compute_service_plan(w.snap, spec, nullptr, WorkloadBackoff{}, t0, opts);
  ASSERT_EQ(plan.stops.size(), 1u);
  EXPECT_EQ(plan.stops[0].cause, StopCause::draining);
  EXPECT_EQ(plan.stops[0].instance_arn, w.snap.instances[0].arn);
  EXPECT_TRUE(plan.starts.empty());
}

TEST(ServicePlan, LostInstanceReplacedAtOnce) {
  ServiceWorld w;
  w.add_spread_cluster(4);
  for (int i = 0; i < 3; ++i) w.add_service_task(i, "web:1");
  w.snap.instances[1].agent_connected = false;
  auto plan = compute_service_plan(w.snap, make_spec(3), nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  EXPECT_EQ(plan.counts.lost, 1u);
  EXPECT_EQ(stops_with(plan, StopCause::lost), 1u);
  ASSERT_EQ(plan.start_count(), 1u);
  EXPECT_NE(started_instances(plan)[0], w.snap.instances[1].arn);
}

TEST(ServicePlan, BackoffHoldsStartsAndWakes) {
  ServiceWorld w;
  w.add_spread_cluster(3);
  WorkloadBackoff backoff;
  backoff.record_failure(WorkloadKey::service("web"), t0 - 1s);
  auto plan = compute_service_plan(w.snap, make_spec(3), nullptr, backoff, t0, options_for({"web:1"}));
  EXPECT_TRUE(plan.starts.empty());
  ASSERT_TRUE(plan.next_wake);
  EXPECT_EQ(*plan.next_wake, t0 + 9s);
  plan = compute_service_plan(w.snap, make_spec(3), nullptr, backoff, t0 + 9s, options_for({"web:1"}));
  EXPECT_EQ(plan.start_count(), 3u);
}

TEST(ServicePlan, UnplacedAndErrors) {
  ServiceWorld w;
  w.add_spread_cluster(2, {256, 512});
  auto plan = compute_service_plan(w.snap, make_spec(3), nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  EXPECT_EQ(plan.start_count(), 2u);
  EXPECT_EQ(plan.unplaced.count, 1u);
  EXPECT_EQ(plan.unplaced.reasons.at("RESOURCE:CPU"), 2u);
  EXPECT_FALSE(plan.unplaced.message.empty());

  plan = compute_service_plan(w.snap, make_spec(3), nullptr, WorkloadBackoff{}, t0, options_for({"other:1"}));
  EXPECT_EQ(*plan.error, "task definition web:1 is not described yet");
  auto bad = make_spec(3);
  bad.deployment.maximum_percent = 50;
  plan = compute_service_plan(w.snap, bad, nullptr, WorkloadBackoff{}, t0, options_for({"web:1"}));
  EXPECT_EQ(*plan.error, "deploymentConfiguration.maximumPercent: must be >= 100");
}

// Fixed seeds: random capacity and foreign load, random spec; the plan's starts never exceed any
// instance's remaining CPU/memory nor reuse a reserved host port, and never exceed the maximum bound.
TEST(ServicePlanProperty, StartsNeverExceedAnInstance) {
  std::size_t total_starts = 0, total_unplaced = 0;
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    ServiceWorld w;
    const int n = 1 + static_cast<int>(rng() % 30);
    for (int i = 0; i < n; ++i) {
      auto& inst = w.add_az_instance(i, "az" + std::to_string(rng() % 3),
                                     {static_cast<std::int32_t>(rng() % 2048), static_cast<std::int32_t>(rng() % 4096)});
      if (rng() % 4 == 0) inst.reserved_tcp_ports = w.keep_ports({8080});
    }
    for (int k = static_cast<int>(rng() % 10); k > 0; --k) w.add_service_task(static_cast<int>(rng() % n), "web:1");
    auto spec = make_spec(static_cast<std::int32_t>(rng() % 60), rng() % 2 ? "web:1" : "web:2");
    if (rng() % 2) spec.placement_strategy = {{PlacementStrategyType::binpack, rng() % 2 ? "cpu" : "memory"}};
    if (rng() % 3 == 0) spec.placement_constraints = {{PlacementConstraintType::distinct_instance, ""}};
    ServicePlanOptions opts;
    TaskRequirements req{{static_cast<std::int32_t>(rng() % 512), static_cast<std::int32_t>(rng() % 1024)}, {}, {}};
    if (rng() % 2) req.tcp_ports = {8080};
    opts.task_definitions = {{"web:1", req, false}, {"web:2", req, false}};
    auto dep = deployment("d2", spec.task_definition);
    auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, t0, opts);
    ASSERT_FALSE(plan.error) << *plan.error;
    std::map<std::string, int> per_instance;
    for (auto& arn : started_instances(plan)) ++per_instance[arn];
    for (auto& [arn, count] : per_instance) {
      const SnapshotInstance* inst = nullptr;
      for (auto& i : w.snap.instances)
        if (i.arn == arn) inst = &i;
      ASSERT_TRUE(inst);
      EXPECT_LE(count * std::max(req.resources.cpu, 0), std::max(inst->remaining.cpu, 0)) << "seed " << seed;
      EXPECT_LE(count * req.resources.memory, std::max(inst->remaining.memory, 0)) << "seed " << seed;
      if (!req.tcp_ports.empty()) {
        EXPECT_EQ(count, 1) << "seed " << seed;
        EXPECT_TRUE(inst->reserved_tcp_ports.empty()) << "seed " << seed;
      }
    }
    // Already above the bound (a scale down): no start; else up to the bound.
    const std::size_t running = plan.counts.running, max = plan.counts.bounds.max_running;
    const std::size_t room = max > running ? max - running : 0;
    const std::size_t want = static_cast<std::size_t>(spec.desired_count) > plan.counts.current
                                 ? static_cast<std::size_t>(spec.desired_count) - plan.counts.current
                                 : 0;
    EXPECT_LE(plan.start_count(), room) << "seed " << seed;
    EXPECT_EQ(plan.start_count() + plan.unplaced.count, std::min(want, room)) << "seed " << seed;
    total_starts += plan.start_count();
    total_unplaced += plan.unplaced.count;
  }
  // The seeds exercise both: tasks placed and tasks left without an instance.
  EXPECT_GT(total_starts, 100u);
  EXPECT_GT(total_unplaced, 100u);
}

// Simulates a rolling update with fixed seeds: each round applies the plan (starts become PENDING, then
// RUNNING and healthy a round later; stops become STOPPED a round later), with random delays. After every
// plan: running + this plan's starts <= max bound, and healthy never below the min bound once reached.
TEST(ServicePlanProperty, RollingUpdateStaysWithinBounds) {
  for (std::uint32_t seed = 1; seed <= 30; ++seed) {
    std::mt19937 rng(seed);
    ServiceWorld w;
    const int desired = 2 + static_cast<int>(rng() % 12);
    w.add_spread_cluster(desired * 3);
    for (int i = 0; i < desired; ++i) w.add_service_task(i, "web:1");
    auto spec = make_spec(desired, "web:2");
    spec.deployment.minimum_healthy_percent = static_cast<std::int32_t>(rng() % 101);
    spec.deployment.maximum_percent = std::max<std::int32_t>(spec.deployment.minimum_healthy_percent + 1,
                                                             100 + static_cast<std::int32_t>(rng() % 101));
    spec.deployment.min_healthy_seconds = 0;
    spec.deployment.progress_deadline_seconds = 0;
    ASSERT_FALSE(validate(spec)) << validate(spec)->to_string();
    const auto bounds = resolve_bounds(spec);
    auto dep = deployment("d2", "web:2", "web:1");
    auto opts = options_for({"web:1", "web:2"});
    SystemTime now = t0;
    bool done = false;
    for (int round = 0; round < 200 && !done; ++round) {
      now += 1s;
      auto plan = compute_service_plan(w.snap, spec, &dep, WorkloadBackoff{}, now, opts);
      ASSERT_FALSE(plan.error);
      EXPECT_LE(plan.counts.running + plan.start_count(), bounds.max_running) << "seed " << seed;
      EXPECT_GE(plan.counts.healthy, std::min<std::uint32_t>(bounds.min_healthy, static_cast<std::uint32_t>(desired)))
          << "seed " << seed << " round " << round;
      std::set<std::string> stopping;
      for (auto& s : plan.stops) stopping.insert(s.task_arn);
      // Advance the world: pending -> running (maybe), stopping -> stopped (maybe), new stops, new starts.
      for (auto& t : w.snap.tasks) {
        if (t.is_stopping() && rng() % 2) t.last_status = TaskStatus::stopped;
        if (t.last_status == TaskStatus::pending && t.is_live() && rng() % 2) {
          t.last_status = TaskStatus::running;
          t.healthy_since = now;
          t.ever_healthy = true;
        }
        if (stopping.contains(std::string(t.arn))) {
          t.desired_status = TaskStatus::stopped;
          t.stop_code = "UserInitiated";
        }
      }
      for (auto& arn : started_instances(plan)) {
        int i = 0;
        while (w.snap.instances[static_cast<std::size_t>(i)].arn != arn) ++i;
        w.add_service_task(i, "web:2", TaskStatus::pending, -1s, "d2");
      }
      done = plan.rollout && plan.rollout->verdict == ServiceRolloutVerdict::completed;
    }
    EXPECT_TRUE(done) << "seed " << seed << " desired " << desired << " min% " << spec.deployment.minimum_healthy_percent
                      << " max% " << spec.deployment.maximum_percent;
  }
}

}  // namespace
}  // namespace berth::policy
