// File: src/reactor/reconciler.cpp — executes daemon plans against ECS and keeps deployments current.
#include "reactor/reconciler.hpp"

#include "policy/ownership.hpp"

#include "common/logger.hpp"

#include <spdlog/spdlog.h>

namespace berth::reactor {

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("reactor");
  return log;
}

void add_wake(SyncOutcome& out, std::optional<SystemTime> t) {
  if (t && (!out.wake_at || *t < *out.wake_at)) out.wake_at = t;
}

void add_execution(SyncOutcome& out, const Execution& e) {
  out.success = out.success && e.success;
  out.started += e.started;
  out.stopped += e.stopped;
  out.start_failures += e.start_failures;
  if (e.error) out.error = e.error;
  add_wake(out, e.wake_at);
}

// Rounds up (never earlier: the gate, backoff or deadline has passed when the sync runs).
SystemTime round_up(SystemTime t, std::chrono::milliseconds granularity) {
  if (granularity.count() <= 0) return t;
  const auto g = std::chrono::duration_cast<SystemTime::duration>(granularity);
  const auto since = t.time_since_epoch();
  auto rem = since % g;
  if (rem < SystemTime::duration::zero()) rem += g;
  return rem == SystemTime::duration::zero() ? t : t + (g - rem);
}
}  // namespace

ReconcilerStats::ReconcilerStats(metrics::Registry& r)
    : syncs(metrics::must_counter(r, "berth_reconciler_syncs_total", "Daemon syncs run by the reconciler.")),
      rollbacks(metrics::must_counter(r, "berth_reconciler_rollbacks_total", "Deployments rolled back.")),
      doubts_found(metrics::must_counter(r, "berth_reconciler_doubts_found_total",
                                         "Launch doubts settled: the task existed after all.")),
      doubts_cleared(metrics::must_counter(r, "berth_reconciler_doubts_cleared_total",
                                           "Launch doubts settled: no task was launched.")) {}

Reconciler::Reconciler(EcsApi& reads, TaskDefinitionCache& definitions, Executor& executor, DesiredStateAccess& state,
                       ReadyModelLookup clusters, Clock clock, metrics::Registry& registry,
                       ReconcilerSettings settings)
    : ecs_(reads),
      executor_(executor),
      state_(state),
      clusters_(std::move(clusters)),
      clock_(std::move(clock)),
      settings_(settings),
      definitions_(definitions),
      registry_(registry),
      stats_(registry) {}

void Reconciler::record_skips(const std::string& environment, const policy::DaemonPlan& plan) {
  // Every reason, zeros included: a series that exists from the first plan on graphs and alerts better than
  // one that appears when an instance is first refused.
  for (std::size_t i = 0; i < policy::skip_reason_count; ++i) {
    const auto reason = static_cast<policy::SkipReason>(i);
    auto gauge = registry_.gauge(
        plan_skipped_metric, "Instances the last plan of a workload launched nothing on, by reason.",
        {{"kind", "daemon"}, {"workload", environment}, {"reason", policy::to_string(reason)}});
    if (gauge) (*gauge)->set(plan.skip_counts[i]);
  }
}

void Reconciler::forget_skips(const std::string& environment) {
  registry_.remove(plan_skipped_metric, {{"kind", "daemon"}, {"workload", environment}});
}

bool Reconciler::record_progress(policy::Environment& env, policy::Deployment& d, const policy::DaemonPlan& plan,
                                 SystemTime now) {
  using policy::DeploymentStatus;
  using policy::RolloutVerdict;
  const auto& p = *plan.rollout;
  bool env_changed = false;
  if (d.status == DeploymentStatus::pending) {
    d.status = DeploymentStatus::running;
    if (!d.started_at) d.started_at = now;
  }
  d.desired_count = p.desired;
  d.updated_count = p.updated;
  d.failed_count = p.failed;
  d.failed_instances = p.failed_instances;
  if (p.verdict == RolloutVerdict::complete) {
    d.status = DeploymentStatus::completed;
    d.ended_at = now;
    env.active_deployment_id.clear();
    env_changed = true;
    logger()->info("deployment completed environment={} deployment={} task_definition={} instances={}", env.name,
                   d.id, d.task_definition, p.desired);
  } else if (p.verdict == RolloutVerdict::failed) {
    d.reason = p.reason;
    d.ended_at = now;
    if (env.rollout.auto_rollback && !d.previous_task_definition.empty()) {
      // Roll back by making the previous revision the target again; the same plan logic replaces
      // the new revision's tasks under maxUnavailable.
      d.status = DeploymentStatus::rolled_back;
      env.task_definition = d.previous_task_definition;
      env.active_deployment_id.clear();
      ++stats_.rollbacks;
    } else {
      // Stays the active deployment: the plan halts (no healthy task is replaced) until a new deploy.
      d.status = DeploymentStatus::failed;
    }
    env_changed = true;
    logger()->warn("deployment failed environment={} deployment={} reason=\"{}\" rollback={}", env.name, d.id,
                   p.reason, d.status == DeploymentStatus::rolled_back);
  }
  return env_changed;
}

boost::asio::awaitable<SyncOutcome> Reconciler::sync(std::string name) {
  auto out = co_await sync_once(std::move(name));
  if (out.wake_at) out.wake_at = round_up(*out.wake_at, settings_.wake_granularity);
  co_return out;
}

boost::asio::awaitable<SyncOutcome> Reconciler::sync_once(std::string name) {
  SyncOutcome out;
  ++stats_.syncs;
  auto found = co_await state_.environment(name);
  if (!found) {
    out.success = false;  // the store failed: retried with backoff
    out.error = "store: " + found.error().message;
    co_return out;
  }
  if (!*found) {
    forget_skips(name);  // deleted: its plan is gone too (removals go through sync_removed)
    co_return out;
  }
  std::optional<policy::Environment>& env = *found;
  ClusterModel* model = clusters_(env->cluster);
  if (!model) {
    out.success = false;
    out.error = "cluster " + env->cluster + " is not loaded yet";
    co_return out;
  }
  std::optional<policy::Deployment> deployment;
  if (!env->active_deployment_id.empty()) {
    auto active = co_await state_.deployment(env->active_deployment_id);
    if (!active) {
      out.success = false;
      out.error = "store: " + active.error().message;
      co_return out;
    }
    deployment = std::move(*active);
  }

  // Not fatal if it fails (logged by the cache): health is then judged from what tasks report, and the
  // next sync asks again.
  auto described = co_await definitions_.ensure(env->task_definition);
  (void)described;
  auto options = settings_.plan;
  options.health_checked_task_definitions = definitions_.health_checked_names();

  auto& backoff = backoff_.try_emplace(name, settings_.backoff).first->second;
  const std::string started_by = policy::encode_started_by(policy::WorkloadKey::daemon(env->name));
  auto doubts = co_await async_check_launch_doubts(ecs_, *model, started_by, clock_, settings_.launch_doubt);
  stats_.doubts_found += doubts.found;
  stats_.doubts_cleared += doubts.cleared;
  // After the awaits above: the plan and the deployment bookkeeping use the time the model was looked at.
  const auto now = clock_();
  policy::DaemonPlan plan;
  {
    // The snapshot views the model: plan synchronously, before any co_await can mutate it.
    auto snapshot = model->snapshot(started_by, now);
    backoff.observe(snapshot, policy::WorkloadKey::daemon(env->name), now);
    plan = policy::compute_daemon_plan(snapshot, *env, deployment ? &*deployment : nullptr, backoff, now, options);
  }
  if (plan.error) {
    // Invalid spec: nothing to retry until the spec changes (which re-enqueues the key).
    out.error = *plan.error;
    forget_skips(name);
    logger()->warn("invalid environment environment={} error=\"{}\"", name, *plan.error);
    co_return out;
  }
  record_skips(name, plan);
  add_wake(out, plan.next_wake);

  if (deployment && plan.rollout) {
    auto before_env = *env;
    auto before_dep = *deployment;
    bool env_changed = record_progress(*env, *deployment, plan, now);
    if (*deployment != before_dep) co_await state_.save_deployment(*deployment);
    if (env_changed && *env != before_env) {
      env->revision += 1;
      env->updated_at = now;
      co_await state_.confirm_environment_stored(*env);
    }
    if (deployment->status == policy::DeploymentStatus::rolled_back) {
      // The target changed: plan again with the previous revision instead of executing this plan.
      out.requeue = true;
      co_return out;
    }
  }

  Execution done;
  co_await executor_.stop(*model, env->cluster, plan.stops, done);
  co_await executor_.start(*model, env->cluster, plan.starts, backoff, settings_.launch_doubt, done);
  add_execution(out, done);
  if (out.start_failures > 0) {
    // Wake when the first refused instance may be retried.
    for (const auto& b : plan.starts)
      for (const auto& i : b.instance_arns) add_wake(out, backoff.blocked_until(i, clock_()));
  }
  co_return out;
}

boost::asio::awaitable<SyncOutcome> Reconciler::sync_removed(std::string name, std::string cluster) {
  SyncOutcome out;
  ClusterModel* model = clusters_(cluster);
  if (!model) {
    out.success = false;
    out.error = "cluster " + cluster + " is not loaded yet";
    co_return out;
  }
  std::vector<policy::StopOrder> stops;
  {
    auto snapshot = model->snapshot(policy::encode_started_by(policy::WorkloadKey::daemon(name)), clock_());
    for (const auto& t : snapshot.tasks)
      if (t.is_live() && !t.arn.empty())
        stops.push_back({std::string(t.arn), std::string(t.instance_arn), policy::StopCause::not_matching,
                         "berth: " + name + ": environment deleted"});
  }
  Execution done;
  co_await executor_.stop(*model, cluster, stops, done);
  add_execution(out, done);
  backoff_.erase(name);
  forget_skips(name);
  co_return out;
}

}  // namespace berth::reactor
