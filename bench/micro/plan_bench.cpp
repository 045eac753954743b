// File: bench/micro/plan_bench.cpp — one daemon sync's CPU for a 5,000-instance cluster: the model
// snapshot (instances + the environment's tasks) and compute_daemon_plan, in the three situations a
// reconciler meets: a new environment (500 StartTask batches), steady state (idle plan) and a rollout.
// The cluster holds ~2 tasks per instance: the environment's daemon task and one foreign task.
#include "synthetic_events.hpp"

#include "policy/daemon_plan.hpp"
#include "policy/ownership.hpp"
#include "reactor/cluster_model.hpp"

#include <benchmark/benchmark.h>

#include <chrono>
#include <memory>

namespace berth::bench {
namespace {

using reactor::ClusterModel;
using SystemTime = std::chrono::system_clock::time_point;

constexpr std::size_t cluster_instances = 5'000;
const SystemTime plan_now = SystemTime{} + std::chrono::hours(24 * 365 * 56);
const std::string env_name = "bench-env";
const std::string td_v1 = "arn:aws:ecs:us-east-1:111122223333:task-definition/bench-daemon:1";
const std::string td_v2 = "arn:aws:ecs:us-east-1:111122223333:task-definition/bench-daemon:2";

enum class Fill { foreign_only, daemon_running };

// 5,000 ACTIVE instances with 20 attributes; one foreign task each, plus (daemon_running) one
// RUNNING task of the environment per instance, healthy for an hour.
std::unique_ptr<ClusterModel> make_cluster(Fill fill) {
  auto model = std::make_unique<ClusterModel>(bench_cluster);
  const SystemTime long_ago = plan_now - std::chrono::hours(1);
  for (std::size_t i = 0; i < cluster_instances; ++i) model->apply_instance(make_instance(i, 1), long_ago);
  const std::string foreign_sb = "ecs-svc/9223370556150183303", foreign_group = "service:web",
                    foreign_td = "arn:aws:ecs:us-east-1:111122223333:task-definition/web:7";
  const std::string sb = policy::encode_started_by(policy::WorkloadKey::daemon(env_name));
  const std::string group = *policy::encode_group(policy::WorkloadKey::daemon(env_name), "d-0001");
  for (std::size_t i = 0; i < cluster_instances; ++i) {
    model->apply_task(make_task(i, i, "RUNNING", 3, foreign_sb, foreign_group, foreign_td), long_ago);
    if (fill == Fill::daemon_running)
      model->apply_task(make_task(cluster_instances + i, i, "RUNNING", 3, sb, group, td_v1), long_ago);
  }
  return model;
}

policy::Environment make_env(const std::string& td) {
  policy::Environment env;
  env.name = env_name;
  env.cluster = bench_cluster;
  env.attributes = {{"role", "worker"}};
  env.constraint = "attribute:ecs.os-type == linux";
  env.task_definition = td;
  env.rollout.max_unavailable = "10%";
  return env;
}

void run_plan(benchmark::State& state, const ClusterModel& model, const policy::Environment& env,
              const policy::Deployment* active) {
  const std::string sb = policy::encode_started_by(policy::WorkloadKey::daemon(env.name));
  policy::InstanceBackoff backoff;
  std::size_t starts = 0, stops = 0;
  for (auto _ : state) {
    auto snapshot = model.snapshot(sb, plan_now);
    auto plan = policy::compute_daemon_plan(snapshot, env, active, backoff, plan_now);
    starts = plan.start_count();
    stops = plan.stops.size();
    benchmark::DoNotOptimize(plan);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cluster_instances));  // instances/s
  state.counters["instances"] = static_cast<double>(cluster_instances);
  state.counters["planned_starts"] = static_cast<double>(starts);
  state.counters["planned_stops"] = static_cast<double>(stops);
}

// A new environment: every instance needs a task (500 batches of 10).
void BM_DaemonPlan5000_NewEnvironment(benchmark::State& state) {
  auto model = make_cluster(Fill::foreign_only);
  auto env = make_env(td_v1);
  policy::Deployment d;
  d.id = "d-0001";
  d.environment = env.name;
  d.task_definition = td_v1;
  d.status = policy::DeploymentStatus::running;
  d.created_at = plan_now - std::chrono::seconds(5);
  d.started_at = d.created_at;
  env.active_deployment_id = d.id;
  run_plan(state, *model, env, &d);
}
BENCHMARK(BM_DaemonPlan5000_NewEnvironment)->Unit(benchmark::kMillisecond);

// Steady state: every instance runs its task; the plan is idle (what each event-triggered sync costs).
void BM_DaemonPlan5000_Steady(benchmark::State& state) {
  auto model = make_cluster(Fill::daemon_running);
  auto env = make_env(td_v1);
  run_plan(state, *model, env, nullptr);
}
BENCHMARK(BM_DaemonPlan5000_Steady)->Unit(benchmark::kMillisecond);

// Rollout to revision 2 with maxUnavailable 10 %: 500 stops planned.
void BM_DaemonPlan5000_Rollout(benchmark::State& state) {
  auto model = make_cluster(Fill::daemon_running);
  auto env = make_env(td_v2);
  policy::Deployment d;
  d.id = "d-0002";
  d.environment = env.name;
  d.task_definition = td_v2;
  d.previous_task_definition = td_v1;
  d.status = policy::DeploymentStatus::running;
  d.created_at = plan_now - std::chrono::seconds(5);
  d.started_at = d.created_at;
  env.active_deployment_id = d.id;
  run_plan(state, *model, env, &d);
}
BENCHMARK(BM_DaemonPlan5000_Rollout)->Unit(benchmark::kMillisecond);

// The snapshot alone (the part that scales with the whole cluster, not the environment).
void BM_Snapshot5000(benchmark::State& state) {
  auto model = make_cluster(Fill::daemon_running);
  const std::string sb = policy::encode_started_by(policy::WorkloadKey::daemon(env_name));
  for (auto _ : state) benchmark::DoNotOptimize(model->snapshot(sb, plan_now));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * cluster_instances));
}
BENCHMARK(BM_Snapshot5000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace berth::bench
