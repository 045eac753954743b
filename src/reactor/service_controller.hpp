// File: src/reactor/service_controller.hpp — the replica-service workload kind: N copies of a task definition
// placed by berth (policy::compute_service_plan over the cluster-wide snapshot), rolled out, healed and scaled.
//
//   refresh(name)   (store change feed, API write) -> re-read the service, re-index its cluster and startedBy
//   terminate(name) (API delete without keepTasks) -> remembered until its tasks are stopped
//   sync(name): a pending termination first, then: store (service, active deployment) + task definition
//               (cache) + model.snapshot_all + now --> compute_service_plan --> deployment progress (CAS)
//               --> Executor (StopTask, StartTask <= 10 instances per call)
//   waiting_on(cluster): services whose last plan could not place every task; the scheduler re-plans them when
//               the cluster's capacity may have changed (Nomad's blocked evaluations), never on a timer.
#pragma once

#include "metrics/registry.hpp"
#include "policy/crash_observer.hpp"
#include "policy/instance_backoff.hpp"
#include "policy/service_plan.hpp"
#include "policy/workload_backoff.hpp"
#include "reactor/cluster_watcher.hpp"
#include "reactor/executor.hpp"
#include "reactor/launch_doubt_check.hpp"
#include "reactor/task_definition_cache.hpp"
#include "reactor/workload_controller.hpp"
#include "reactor/workload_index.hpp"
#include "store/desired_state_store.hpp"

#include <functional>
#include <map>
#include <set>
#include <string>

namespace berth::reactor {

// berth_service_unplaced_tasks{service,reason}: why the last plan of a service left tasks unplaced (instance
// rejections by reason, as in GET /v1/services/{name} "unplaced"); absent when everything was placed.
inline constexpr std::string_view unplaced_metric = "berth_service_unplaced_tasks";

// Series of the metrics registry (berth_service_<field>_total); /v1/stats shows them as
// "reconcile"."by_kind"."service" (stats_json.cpp).
struct ServiceControllerStats {
  explicit ServiceControllerStats(metrics::Registry& registry);
  metrics::Counter &syncs, &failures, &tasks_started, &tasks_stopped, &start_failures, &marked_dirty,
      &deployments_completed, &deployments_failed, &rollbacks;
};

struct ServiceControllerSettings {
  LaunchDoubtSettings launch_doubt;
  policy::BackoffSettings instance_backoff;      // instances ECS refused a StartTask on
  policy::WorkloadBackoffSettings crash_backoff;  // tasks of the service that keep failing
};

class ServiceController final : public WorkloadController {
 public:
  using WatcherLookup = std::function<ClusterWatcher*(std::string_view cluster)>;
  using Clock = std::function<SystemTime()>;

  // All references must outlive the controller.
  ServiceController(store::DesiredStateStore& store, TaskDefinitionCache& definitions, Executor& executor,
                    WorkloadIndex& index, WatcherLookup watchers, Clock clock, ServiceControllerSettings settings,
                    metrics::Registry& registry);

  policy::WorkloadKind kind() const override { return policy::WorkloadKind::service; }
  boost::asio::awaitable<void> load() override;
  boost::asio::awaitable<SyncVerdict> sync(std::string name) override;
  boost::asio::awaitable<void> refresh(std::string name) override;
  std::vector<std::string> workloads_on(std::string_view cluster) const override;
  void apply_settings(const config::SchedulerConfig& cfg) override;
  std::size_t size() const override { return index_.size(policy::WorkloadKind::service); }

  // Deleted without keepTasks: its live tasks are stopped by the next sync. False if unknown.
  bool terminate(const std::string& name);
  // Stop these tasks of the service (task ARNs; others are ignored) at its next sync, before it is planned: the
  // plan then replaces them, or not when the count went down (Marathon's kill, with or without scale). False if
  // the service is unknown.
  bool kill_tasks(const std::string& name, const std::vector<std::string>& task_arns);
  // Services on `cluster` whose last plan left tasks unplaced.
  std::vector<std::string> waiting_on(std::string_view cluster) const;
  // What syncing `service` (as given, maybe not stored yet) would do now, without acting or counting anything;
  // nullopt when it cannot be planned yet (cluster not watched or not ready, task definition unknown).
  boost::asio::awaitable<std::optional<policy::ServicePlan>> dry_run(policy::Service service);
  // The last plan's unplaced tasks of a service (count 0 when all placed or never planned).
  policy::UnplacedTasks unplaced(const std::string& name) const;

 private:
  void track(const policy::Service& service);
  void forget(const std::string& name);
  void export_unplaced(const std::string& name, const policy::UnplacedTasks& unplaced);
  // The plan for `service` with `deployment` in progress. observe: feed what the snapshot shows into the backoff
  // state (a sync); otherwise plan on copies (a dry run). nullopt: not plannable yet.
  boost::asio::awaitable<std::optional<policy::ServicePlan>> plan(const policy::Service& service,
                                                                 const std::optional<policy::Deployment>& deployment,
                                                                 bool observe);
  boost::asio::awaitable<SyncVerdict> sync_service(const std::string& name);
  boost::asio::awaitable<SyncVerdict> sync_removed(const std::string& name, const std::string& cluster);
  // Stops the tasks kill_tasks asked for that are still live tasks of the service.
  boost::asio::awaitable<bool> sync_kills(const std::string& name, ClusterWatcher& w, const std::string& cluster);
  // Records the plan's verdict on the deployment (compare-and-set); true if the service must be re-planned now.
  boost::asio::awaitable<bool> record_progress(const policy::Service& service, policy::Deployment deployment,
                                               const policy::ServicePlan& plan, SystemTime now);

  store::DesiredStateStore& store_;
  TaskDefinitionCache& definitions_;
  Executor& executor_;
  WorkloadIndex& index_;
  WatcherLookup watchers_;
  Clock clock_;
  ServiceControllerSettings settings_;
  metrics::Registry& registry_;
  ServiceControllerStats stats_;
  std::map<std::string, std::string, std::less<>> cluster_of_;  // service -> cluster name
  std::map<std::string, std::string, std::less<>> removals_;    // deleted, tasks to stop -> cluster
  std::map<std::string, std::set<std::string>, std::less<>> kills_;  // tasks to stop at the next sync
  std::map<std::string, policy::UnplacedTasks, std::less<>> unplaced_;
  std::map<std::string, policy::InstanceBackoff, std::less<>> instance_backoff_;
  std::map<std::string, policy::CrashObserver, std::less<>> crashes_;  // feeds crash_backoff_
  policy::WorkloadBackoff crash_backoff_;
};

}  // namespace berth::reactor
