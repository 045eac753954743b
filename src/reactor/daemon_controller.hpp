// File: src/reactor/daemon_controller.hpp — the daemon workload kind: environments (one task per matching
// instance) from the store, planned by policy::compute_daemon_plan through the Reconciler; deleted
// environments with terminateTasks have their tasks stopped.
//
//   refresh(name)   (store change feed, API write) -> re-read the environment, re-index its cluster and startedBy
//   terminate(name) (API delete+terminate) -> remembered until its tasks are stopped
//   sync(name): a pending termination first (Reconciler::sync_removed), then Reconciler::sync
//
// An environment on a cluster berth does not watch is skipped (logged); one on a cluster not yet ready
// waits: the end of the bootstrap re-plans every environment of the cluster (workloads_on).
#pragma once

#include "reactor/cluster_watcher.hpp"
#include "reactor/daemon_state_access.hpp"
#include "reactor/workload_index.hpp"
#include "reactor/executor.hpp"
#include "reactor/reconciler.hpp"
#include "reactor/workload_controller.hpp"
#include "store/desired_state_store.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace berth::reactor {

// As GET /v1/stats "reconcile" names them: runs = syncs that reached the reconciler, failures = those
// that failed, marked_dirty = API changes.
// Series of the metrics registry (berth_daemon_<field>_total).
struct DaemonControllerStats {
  explicit DaemonControllerStats(metrics::Registry& registry);
  metrics::Counter &runs, &failures, &tasks_started, &tasks_stopped, &start_failures, &marked_dirty,
      &resumed_deployments;
};

// The reconciler settings that the config's [scheduler] table controls.
ReconcilerSettings with_config(ReconcilerSettings s, const config::SchedulerConfig& cfg);

class DaemonController final : public WorkloadController {
 public:
  // The watcher of a cluster (name or ARN), or null if berth does not watch it.
  using WatcherLookup = std::function<ClusterWatcher*(std::string_view cluster)>;

  // `store`, `reads`, `definitions`, `executor` and `registry` (its and the reconciler's series) must outlive
  // the controller.
  DaemonController(store::DesiredStateStore& store, EcsApi& reads, TaskDefinitionCache& definitions,
                   Executor& executor, WorkloadIndex& index, WatcherLookup watchers, Reconciler::Clock clock,
                   ReconcilerSettings settings, metrics::Registry& registry);

  policy::WorkloadKind kind() const override { return policy::WorkloadKind::daemon; }
  boost::asio::awaitable<void> load() override;
  boost::asio::awaitable<SyncVerdict> sync(std::string name) override;
  boost::asio::awaitable<void> refresh(std::string name) override;
  std::vector<std::string> workloads_on(std::string_view cluster) const override;
  void apply_settings(const config::SchedulerConfig& cfg) override;
  std::size_t size() const override { return index_.size(policy::WorkloadKind::daemon); }

  // Deleted with terminateTasks=true: its live tasks are stopped by the next sync. False if unknown.
  bool terminate(const std::string& name);

  const ReconcilerSettings& settings() const { return settings_; }
  const DaemonControllerStats& stats() const { return stats_; }
  const ReconcilerStats& reconciler_stats() const { return reconciler_.stats(); }
  const DesiredStateStats& store_stats() const { return state_.stats(); }

 private:
  void track(const policy::Environment& env);

  store::DesiredStateStore& store_;
  WatcherLookup watchers_;
  ReconcilerSettings settings_;
  DaemonStateAccess state_;
  Reconciler reconciler_;
  WorkloadIndex& index_;  // shared with the other kinds; read by EventIngest
  std::map<std::string, std::string, std::less<>> env_cluster_;  // environment -> cluster name
  std::map<std::string, std::string, std::less<>> removals_;     // deleted with terminateTasks -> cluster
  DaemonControllerStats stats_;
};

}  // namespace berth::reactor
