// File: src/reactor/daemon_controller.cpp — environments in, reconciler syncs out.
#include "reactor/daemon_controller.hpp"

#include "common/logger.hpp"

#include <spdlog/spdlog.h>

namespace berth::reactor {

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("scheduler");
  return log;
}
}  // namespace

ReconcilerSettings with_config(ReconcilerSettings s, const config::SchedulerConfig& cfg) {
  s.plan.stop_on_draining = cfg.stop_on_draining;
  s.launch_doubt.check_after = cfg.launch_doubt_check_after;
  s.launch_doubt.expire_after = cfg.launch_doubt_expire_after;
  return s;
}

DaemonControllerStats::DaemonControllerStats(metrics::Registry& r)
    : runs(metrics::must_counter(r, "berth_daemon_runs_total", "Daemon syncs that reached the reconciler.")),
      failures(metrics::must_counter(r, "berth_daemon_failures_total", "Daemon syncs that failed (retried).")),
      tasks_started(metrics::must_counter(r, "berth_daemon_tasks_started_total", "Tasks daemon syncs started.")),
      tasks_stopped(metrics::must_counter(r, "berth_daemon_tasks_stopped_total", "Tasks daemon syncs stopped.")),
      start_failures(metrics::must_counter(r, "berth_daemon_start_failures_total",
                                           "Instances StartTask reported as failed for daemons.")),
      marked_dirty(metrics::must_counter(r, "berth_daemon_marked_dirty_total", "API changes that re-planned a daemon.")),
      resumed_deployments(metrics::must_counter(r, "berth_daemon_resumed_deployments_total",
                                                "Unfinished deployments found at start.")) {}

DaemonController::DaemonController(store::DesiredStateStore& store, EcsApi& reads, TaskDefinitionCache& definitions,
                                   Executor& executor, WorkloadIndex& index, WatcherLookup watchers,
                                   Reconciler::Clock clock, ReconcilerSettings settings, metrics::Registry& registry)
    : store_(store),
      watchers_(std::move(watchers)),
      settings_(std::move(settings)),
      state_(store),
      reconciler_(
          reads, definitions, executor, state_,
          [this](const std::string& cluster) -> ClusterModel* {
            // Null until bootstrapped: planning on a half-known model would launch duplicates.
            auto* w = watchers_(cluster);
            return w && w->ready() ? &w->model() : nullptr;
          },
          std::move(clock), registry, settings_),
      index_(index),
      stats_(registry) {}

void DaemonController::track(const policy::Environment& env) {
  index_.put(policy::WorkloadKey::daemon(env.name), env.cluster);
  env_cluster_[env.name] = std::string(cluster_name_from_arn(env.cluster));
}

boost::asio::awaitable<void> DaemonController::load() {
  auto envs = co_await store_.list_environments("");
  if (!envs) {
    logger()->error("cannot list environments error=\"{}\"", envs.error().message);
    co_return;
  }
  for (const auto& env : *envs) {
    track(env);
    if (!watchers_(env.cluster))
      logger()->warn("environment on an unmanaged cluster environment={} cluster={}", env.name, env.cluster);
  }
  // Rollouts interrupted by a restart continue from the store's state; their environments are synced
  // once their cluster is bootstrapped (like every environment).
  std::uint64_t resumed = 0;
  auto unfinished = co_await store_.list_unfinished_deployments();
  if (unfinished) {
    for (const auto& d : *unfinished) {
      ++resumed;
      logger()->info("resuming deployment environment={} deployment={} status={}", d.environment, d.id,
                     policy::to_string(d.status));
    }
  }
  stats_.resumed_deployments += resumed;
  logger()->info("loaded environments count={} unfinished_deployments={}", envs->size(), resumed);
}

boost::asio::awaitable<void> DaemonController::refresh(std::string name) {
  ++stats_.marked_dirty;
  auto env = co_await store_.get_environment(name);
  if (env) {
    track(*env);
  } else if (env.error().code == store::StoreErrc::not_found) {
    index_.erase(policy::WorkloadKey::daemon(name));
    env_cluster_.erase(name);
  } else {
    // Keep what is indexed: the sync that follows reads the store again and retries on failure.
    logger()->error("store read failed environment={} error=\"{}\"", name, env.error().message);
  }
}

bool DaemonController::terminate(const std::string& name) {
  std::string cluster;
  // Only a tracked environment: the API deletes from the store first, so the store no longer knows its cluster.
  if (auto c = env_cluster_.find(name); c != env_cluster_.end()) cluster = c->second;
  if (cluster.empty()) {
    logger()->warn("terminate requested for an unknown environment environment={}", name);
    return false;
  }
  removals_[name] = cluster;
  return true;
}

std::vector<std::string> DaemonController::workloads_on(std::string_view cluster) const {
  return index_.on(cluster, policy::WorkloadKind::daemon);
}

void DaemonController::apply_settings(const config::SchedulerConfig& cfg) {
  settings_ = with_config(settings_, cfg);
  reconciler_.set_settings(settings_);
}

boost::asio::awaitable<SyncVerdict> DaemonController::sync(std::string name) {
  SyncVerdict verdict;
  if (auto rm = removals_.find(name); rm != removals_.end()) {
    const std::string cluster = rm->second;
    auto env = co_await state_.environment(name);
    if (!env) {
      verdict.success = false;  // the store failed: retried with backoff
      co_return verdict;
    }
    if (!*env) {  // still deleted (not re-created meanwhile): stop its tasks
      auto* w = watchers_(cluster);
      if (w == nullptr) {
        removals_.erase(name);
        co_return verdict;
      }
      if (!w->ready()) {
        verdict.success = false;  // retried with backoff until the model is known
        co_return verdict;
      }
      auto out = co_await reconciler_.sync_removed(name, cluster);
      stats_.tasks_stopped += out.stopped;
      if (!out.success) {
        logger()->warn("terminate failed environment={} error=\"{}\"", name, out.error.value_or(""));
        verdict.success = false;
        co_return verdict;
      }
      logger()->info("terminated tasks of deleted environment environment={} stopped={}", name, out.stopped);
    }
    removals_.erase(name);
  }
  if (auto c = env_cluster_.find(name); c != env_cluster_.end()) {
    auto* w = watchers_(c->second);
    if (w == nullptr) {
      logger()->debug("environment on an unmanaged cluster skipped environment={} cluster={}", name, c->second);
      co_return verdict;
    }
    if (!w->ready()) co_return verdict;  // the end of the bootstrap enqueues every environment of the cluster
  }
  ++stats_.runs;
  auto out = co_await reconciler_.sync(name);
  stats_.tasks_started += out.started;
  stats_.tasks_stopped += out.stopped;
  stats_.start_failures += out.start_failures;
  if (!out.success) {
    ++stats_.failures;
    logger()->warn("sync failed environment={} error=\"{}\"", name, out.error.value_or(""));
  } else if (out.error) {
    logger()->warn("sync environment={} error=\"{}\"", name, *out.error);
  }
  verdict.success = out.success;
  verdict.wake_at = out.wake_at;
  verdict.requeue = out.requeue;
  co_return verdict;
}

}  // namespace berth::reactor
