// File: src/reactor/reconciler.hpp — sync(environment): snapshot + spec -> daemon plan -> ECS calls.
// Level-triggered: it never acts on an event's contents, only on the model and the desired state.
//
//   events/API writes --> WorkQueue(key = environment name) --> Reconciler::sync
//        sync: launch doubts due -> ListTasks/DescribeTasks (launch_doubt_check)
//              -> model.snapshot(startedBy) -> InstanceBackoff.observe -> compute_daemon_plan
//              -> deployment bookkeeping (progress, complete, fail, rollback)
//              -> StopTask each stop, then StartTask per batch (<= 10 instances)
//              -> expectations into the model (tasks from the response; doubts on unknown outcomes)
//
// Wiring notes (for the daemon's main loop):
// - After applying an event, enqueue WorkloadIndex::dirty_keys(outcome, cluster). For instance
//   changes prefer `add_after(key, ~1 s)`: add_after keeps the earliest time, so instances that
//   register in a burst are launched together (StartTask batches of 10, ~ceil(N/10) calls).
// - SyncOutcome: !success -> WorkQueue retries with backoff (return false from the queue's sync);
//   wake_at -> add_after(key, wake_at - now); requeue -> add(key).
// - Delete SQS messages only after the event has been applied to the model.
#pragma once

#include "policy/daemon_plan.hpp"
#include "policy/desired_state.hpp"
#include "policy/instance_backoff.hpp"
#include "metrics/registry.hpp"
#include "reactor/cluster_model.hpp"
#include "reactor/ecs_api.hpp"
#include "reactor/executor.hpp"
#include "reactor/launch_doubt_check.hpp"
#include "reactor/task_definition_cache.hpp"
#include "store/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

namespace berth::reactor {

// Desired state as the reconciler needs it (DaemonStateAccess over the store; tests use a fake). Reads answer
// nullopt for "there is none" and an error for a store failure (the sync fails and is retried); writes log and
// count their failures themselves, the next sync plans from whatever the store then holds.
class DesiredStateAccess {
 public:
  virtual ~DesiredStateAccess() = default;
  virtual boost::asio::awaitable<store::StoreResult<std::optional<policy::Environment>>> environment(
      const std::string& name) = 0;
  virtual boost::asio::awaitable<store::StoreResult<std::optional<policy::Deployment>>> deployment(
      const std::string& id) = 0;
  // Compare-and-set on deployment.revision (as read); a final status also finishes it. On success the
  // deployment carries the stored revision, so that a later save of the same copy is not stale.
  virtual boost::asio::awaitable<void> save_deployment(policy::Deployment& deployment) = 0;
  // The reconciler concluded `environment` (a completed or rolled-back deployment). The deployment's
  // verdict write has already changed it; this only checks that the store agrees and never writes, so
  // that it cannot overwrite an API edit made meanwhile with the reconciler's older copy.
  virtual boost::asio::awaitable<void> confirm_environment_stored(const policy::Environment& environment) = 0;
};

struct ReconcilerSettings {
  policy::DaemonPlanOptions plan;
  policy::BackoffSettings backoff;
  // When a StartTask whose outcome is unknown is checked with ECS, and when it is forgotten.
  LaunchDoubtSettings launch_doubt;
  // wake_at is rounded up to a multiple of this (since the epoch), so the health gates of tasks
  // that became RUNNING within the same interval expire in one re-plan instead of one each
  // (a 5,000-instance rollout would otherwise re-plan ~once per task). 0 disables rounding.
  std::chrono::milliseconds wake_granularity{1000};
};

struct SyncOutcome {
  bool success = true;                  // false: retry the key with backoff
  std::optional<SystemTime> wake_at;    // re-sync at this time (health gate, backoff, deadline)
  bool requeue = false;                 // re-sync at once (e.g. after a rollback switched revisions)
  std::size_t started = 0, stopped = 0;  // ECS actions that succeeded
  std::size_t start_failures = 0;       // instances StartTask reported as failed
  std::optional<std::string> error;     // invalid spec or ECS error, for logs
};

// ECS calls and launches are counted by the executor (Executor::stats()).
inline constexpr std::string_view plan_skipped_metric = "berth_plan_skipped_instances";

// Series of the metrics registry (berth_reconciler_<field>_total).
struct ReconcilerStats {
  explicit ReconcilerStats(metrics::Registry& registry);
  metrics::Counter &syncs, &rollbacks;
  // Launch doubts settled by asking ECS: the task existed after all / it did not.
  metrics::Counter &doubts_found, &doubts_cleared;
};

class Reconciler {
 public:
  // Must return null until the cluster's bootstrap (async_refresh_cluster) has completed: planning
  // on a model that knows instances (from events) but not yet their tasks would launch duplicates.
  // `cluster` is Environment::cluster (a name or an ARN: normalise with cluster_name_from_arn).
  using ReadyModelLookup = std::function<ClusterModel*(const std::string& cluster)>;
  using Clock = std::function<SystemTime()>;

  // `reads` answers the launch doubt checks; `definitions` (the process's cache) which task definitions have
  // health checks; every ECS write goes through `executor`. All must outlive the reconciler. `registry` takes
  // its counters and each plan's skip counts (berth_plan_skipped_instances{kind="daemon",workload,reason}, set
  // on every plan, removed with the workload).
  Reconciler(EcsApi& reads, TaskDefinitionCache& definitions, Executor& executor, DesiredStateAccess& state,
             ReadyModelLookup clusters, Clock clock, metrics::Registry& registry, ReconcilerSettings settings = {});

  // Converges one environment. A missing environment is a no-op (see sync_removed).
  // A cluster not yet bootstrapped (lookup returns null) is a failure (retried).
  boost::asio::awaitable<SyncOutcome> sync(std::string environment);
  // A deleted environment: stops every live task it still has on `cluster`.
  boost::asio::awaitable<SyncOutcome> sync_removed(std::string environment, std::string cluster);

  const ReconcilerStats& stats() const { return stats_; }
  // A config reload: syncs read the new settings from now on.
  void set_settings(ReconcilerSettings settings) { settings_ = std::move(settings); }

 private:
  boost::asio::awaitable<SyncOutcome> sync_once(std::string environment);
  // Applies the plan's rollout verdict to the deployment (and the environment on rollback).
  // berth_plan_skipped_instances{kind="daemon",workload,reason}: set from each plan, removed with the workload.
  void record_skips(const std::string& environment, const policy::DaemonPlan& plan);
  void forget_skips(const std::string& environment);
  bool record_progress(policy::Environment& env, policy::Deployment& deployment, const policy::DaemonPlan& plan,
                       SystemTime now);

  EcsApi& ecs_;  // reads only (doubt checks, task definitions); writes go through executor_
  Executor& executor_;
  DesiredStateAccess& state_;
  ReadyModelLookup clusters_;
  Clock clock_;
  ReconcilerSettings settings_;
  // Which task definitions ("family:rev") define a health check: asked of definitions_.
  TaskDefinitionCache& definitions_;

  std::unordered_map<std::string, policy::InstanceBackoff> backoff_;
  metrics::Registry& registry_;
  ReconcilerStats stats_;
};

}  // namespace berth::reactor
