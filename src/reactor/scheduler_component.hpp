// File: src/reactor/scheduler_component.hpp — the running scheduler: the component that wires the named
// parts together on the process's io_context. It owns them; each part does one job:
//
//   AwsClients                       transports, credentials, ECS/SQS clients, the EcsApi adapter
//   ClusterWatcher (per cluster)     bootstrap, SQS receive/delete, audit -> ClusterModel
//        --Ingested dirty keys--> WorkQueue (de-duplicating, per-key backoff, global bucket)
//   WorkQueue --key--> WorkloadController (per kind: DaemonController, ServiceController, JobController)
//        --plan--> Executor
//   JobTimers (every job's next slot or retry, one heap; ClockStepWatch re-measures it on a clock step)
//        --due--> WorkQueue
//   Executor --> LaunchJournal --> EcsApiAdapter --> ECS   (the only path to ECS write actions)
//   DesiredStateStore::watch (change feed) --environment changed--> controller refresh --> WorkQueue
//
// Wiring rules kept here: a controller sees a cluster's model only once its bootstrap finished (the end of
// the bootstrap and any audit drift re-plan every workload of the cluster); instance changes enqueue with
// add_after(instance_batch_delay) so bursts batch into StartTask calls of 10. A reload (apply_config) starts
// the watcher of an added cluster and retires a removed one; [scheduler] settings reach the controllers.
// The HTTP layer reaches the scheduler through src/http/api adapters (model(), mark_dirty(), terminate(),
// stats_json()); the reactor does not depend on the HTTP layer.
//
// GET /v1/stats (stats_json), counters since start:
//   {"ecs": {"calls": {"StartTask": n, "StopTask": n, "ListTasks": n, ...},   // one per adapter call, by operation
//            "calls_total", "errors", "throttled", "in_doubt",                  // outcomes after the client's retries
//            "protocol": {"calls","attempts","retries","throttled_responses","client_throttle_waits","budget_exhausted"}},
//    "events": {"received","applied","stale","duplicate","ignored","unknown_cluster","malformed",
//               "messages_deleted","malformed_kept"},      // duplicate = stale with an envelope id seen recently
//    "audit": {"drift"},
//    "reconcile": {"runs","syncs","failures","marked_dirty","start_calls","stop_calls","tasks_started",
//                  "tasks_stopped","start_failures","launches_in_doubt","doubts_found","doubts_cleared",
//                  "rollbacks","ecs_errors","queue_completed","resumed_deployments",   // the daemon's (+ executor's)
//                  "by_kind": {"daemon": {"syncs","failures","tasks_started","tasks_stopped","start_failures",
//                                         "marked_dirty","rollbacks","resumed_deployments"},
//                              "service": {"syncs","failures","tasks_started","tasks_stopped","start_failures",
//                                          "marked_dirty","rollbacks","deployments_completed","deployments_failed"}}},
//    "launch_journal": {"written","kept_in_doubt","recovered"}, "store": {"deployment_updates","deployments_finished","errors"},
//    "environments": n,
//    "plans": {"daemon/<name>": {"<skip reason>": n, ...}},   // the last plan's skipped instances by reason
//    "reconcile.queue_depth": n,                              // keys ready to run in the work queue
//    "clusters": {"<name>": {"ready", "instances", "tasks", "live_tasks", "bootstrap_attempts", "receives",
//                 "receive_errors", "messages", "messages_deleted", "delete_failures", "malformed_kept", "audits",
//                 "audit_errors", "audit_drift", "audit_drift_instances", "audit_drift_tasks"}}}
#pragma once

#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "policy/workload.hpp"
#include "process/component.hpp"
#include "reactor/aws_clients.hpp"
#include "reactor/cluster_watcher.hpp"
#include "reactor/change_history.hpp"
#include "reactor/daemon_controller.hpp"
#include "reactor/event_ingest.hpp"
#include "reactor/executor.hpp"
#include "reactor/job_controller.hpp"
#include "reactor/job_timers.hpp"
#include "reactor/launch_journal.hpp"
#include "reactor/service_controller.hpp"
#include "reactor/task_group.hpp"
#include "reactor/work_queue.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace berth::reactor {

struct SchedulerSettings {
  std::chrono::milliseconds instance_batch_delay{1000};  // add_after delay for placement changes
  WatcherSettings watcher;
  std::size_t queue_workers = 4;
  WorkQueueSettings queue;
  ReconcilerSettings reconciler;
  // The desired-state change feed: how long one watch() waits, and the pause after a failed one.
  std::chrono::milliseconds store_watch_timeout{30000};
  std::chrono::milliseconds store_watch_retry{1000};
  // How many entity changes the change history keeps for resumable streams (ChangeHistory).
  std::size_t change_history = ChangeHistory::default_capacity;
};

class Scheduler final : public process::Component {
 public:
  // Builds the AWS clients from cfg.aws (throws std::runtime_error on an unusable endpoint/TLS setup).
  // `store` must outlive the scheduler.
  Scheduler(boost::asio::io_context& io, const config::Config& cfg, store::DesiredStateStore& store,
            SchedulerSettings settings = {});
  ~Scheduler() override;

  // Component
  std::string_view name() const override { return "scheduler"; }
  boost::asio::awaitable<void> run() override;
  void apply_config(const config::Config& cfg, const std::vector<config::Change>& changes) override;
  void stop() override;

  // The model of a watched cluster (name or ARN), bootstrapped or not; null if berth does not watch it.
  // Read-only, valid until the next turn of the io_context.
  const ClusterModel* model(std::string_view cluster) const;
  // Whether that cluster's bootstrap finished (its model is complete enough to judge an environment's health).
  bool ready(std::string_view cluster) const;
  // The names of the watched clusters, sorted (the API's default cluster for a job is the only one).
  std::vector<std::string> cluster_names() const;
  // Every numbered change of the watched clusters' instances and tasks (the cluster-state streams).
  ChangeHistory& changes() { return history_; }
  const ChangeHistory& changes() const { return history_; }
  // One entity described by ECS (through the rate-limited read calls), for the single-entity GETs.
  boost::asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_task(std::string cluster, std::string arn);
  boost::asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_instance(std::string cluster,
                                                                                              std::string arn);

  // API writes: the workload's spec, deployments or existence changed: re-read it, then re-plan it.
  void mark_dirty(const policy::WorkloadKey& key);
  // The workload was deleted with terminateTasks=true: stop every task it started.
  void terminate(const policy::WorkloadKey& key);
  // Stop these tasks (ARNs) of a replica service, then re-plan it (Marathon's task kill).
  void kill_service_tasks(const std::string& service, const std::vector<std::string>& task_arns);

  // Why the last plan of a replica service left tasks unplaced (count 0: all placed).
  policy::UnplacedTasks service_unplaced(const std::string& name) const { return services_.unplaced(name); }

  // ?dryRun=true: what syncing `service` would do now (nothing is done or counted); nullopt if not plannable.
  boost::asio::awaitable<std::optional<policy::ServicePlan>> dry_run_service(policy::Service service) {
    return services_.dry_run(std::move(service));
  }

  // The CPU units and MiB a task definition reserves (cached; else one DescribeTaskDefinition); nullopt when ECS
  // does not answer it. Marathon's /v2/apps compares an app's cpus/mem with it.
  boost::asio::awaitable<std::optional<policy::CpuMemory>> task_definition_size(std::string ref);

  // GET /v1/stats, rendered from the registry (render_stats_json).
  boost::json::object stats_json() const;
  // Every part's series; GET /metrics renders it (metrics::render_prometheus).
  const metrics::Registry& metrics() const { return metrics_; }

 private:
  ClusterWatcher* watcher(std::string_view cluster_name_or_arn) const;
  // The watcher of a configured cluster, created with its model wired to the task definition cache and its
  // metrics views; not started.
  ClusterWatcher& make_watcher(const config::ClusterConfig& c);
  // SIGHUP: a cluster added to the config starts its watcher; a removed one is retired.
  void add_cluster(const config::ClusterConfig& c);
  void retire_cluster(const std::string& name);
  ClusterWatcher::Hooks watcher_hooks();
  void enqueue_cluster(const ClusterWatcher& w);
  WorkloadController* controller(policy::WorkloadKind kind);
  boost::asio::awaitable<bool> sync(policy::WorkloadKey key);
  // The controller re-reads the workload, then the queue takes the key.
  boost::asio::awaitable<void> refresh(policy::WorkloadKey key);
  // Follows the store's change feed from `revision`: environment changes (a peer's too) refresh and re-plan.
  boost::asio::awaitable<void> follow_desired_state(std::int64_t revision);
  // ApproximateNumberOfMessages of a job's trigger queue (its URL looked up once); nullopt on an SQS error.
  boost::asio::awaitable<std::optional<std::int64_t>> queue_depth(std::string queue_name);
  // Series read on demand from parts that keep their own numbers (model sizes, queue, journal, store).
  void register_views();
  void register_cluster_views(const ClusterWatcher& w);

  // First member: every part below registers into it and holds references into it, so it must outlive them.
  metrics::Registry metrics_;
  metrics::Counter& sync_retries_;
  metrics::Counter& sync_requeues_;
  boost::asio::io_context& io_;
  config::Config config_;
  store::DesiredStateStore& store_;
  SchedulerSettings settings_;

  AwsClients aws_;
  TaskGroup tasks_;
  LaunchJournal journal_;  // over aws_.ecs(): ECS as the reactor sees it
  TaskDefinitionCache definitions_;  // one per process: revisions are immutable
  Executor executor_;
  ChangeHistory history_;  // before the watchers: their models record into it
  std::map<std::string, std::unique_ptr<ClusterWatcher>, std::less<>> watchers_;
  // Watchers removed by a reload, kept alive for the syncs and loops that still hold a reference.
  std::vector<std::unique_ptr<ClusterWatcher>> retired_watchers_;
  WorkloadIndex index_;  // every kind's workloads by cluster and startedBy, for events
  DaemonController daemons_;
  ServiceController services_;
  JobTimers job_timers_;
  ClockStepWatch clock_steps_;
  JobController jobs_;
  std::map<std::string, std::string, std::less<>> queue_urls_;  // trigger queue name -> URL
  EventIngest ingest_;
  WorkQueue queue_;
  bool stopping_ = false;
  bool started_ = false;
};

}  // namespace berth::reactor
