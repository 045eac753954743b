// File: src/reactor/scheduler_component.hpp — the running scheduler: one Component that owns the AWS clients,
// a model per configured cluster, event ingest, the audit, the work queue and the reconciler, all on the
// daemon's io_context. It is also what the HTTP API sees (ClusterView, Reconcile) and the source of /v1/stats.
//
//   per cluster:  bootstrap (List/Describe, retried) --ready--> audit loop every audit_interval
//                 SQS long polls (clusters[].receivers loops; 20 s, 10 msgs) --EventIngest--> model
//                       --dirty keys--> WorkQueue; --DeleteMessageBatch (only applied/settled messages)
//   WorkQueue(key = WorkloadKey::daemon(environment)) --> Reconciler::sync / sync_removed --> ECS via LaunchJournal -> EcsApiAdapter
//
// Wiring rules kept here: the reconciler sees a cluster's model only once its bootstrap finished (syncs of an
// environment on a cluster not ready are dropped; bootstrap completion marks every environment of the cluster
// dirty); instance changes enqueue with add_after(1 s) so bursts batch into StartTask calls of 10; malformed
// messages are never deleted (the queue's redrive policy dead-letters them). A reload (apply_config) starts
// the loops of an added cluster and cancels those of a removed one; [scheduler] settings reach the reconciler.
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
//                  "rollbacks","ecs_errors","queue_completed","resumed_deployments"},
//    "launch_journal": {"written","kept_in_doubt","recovered"}, "store": {"deployment_updates","deployments_finished","errors"},
//    "environments": n,
//    "clusters": {"<name>": {"ready", "instances", "tasks", "live_tasks", "bootstrap_attempts", "receives",
//                 "receive_errors", "messages", "messages_deleted", "delete_failures", "malformed_kept", "audits",
//                 "audit_errors", "audit_drift", "audit_drift_instances", "audit_drift_tasks"}}}
#pragma once

#include "aws/credentials.hpp"
#include "aws/ecs_client.hpp"
#include "aws/http_client.hpp"
#include "aws/sqs_client.hpp"
#include "config/config.hpp"
#include "http/api/api_types.hpp"
#include "reactor/cluster_model.hpp"
#include "reactor/daemon.hpp"
#include "reactor/desired_state_store.hpp"
#include "reactor/ecs_api_adapter.hpp"
#include "reactor/environment_index.hpp"
#include "reactor/event_ingest.hpp"
#include "reactor/launch_journal.hpp"
#include "reactor/reconciler.hpp"
#include "reactor/work_queue.hpp"
#include "store/store.hpp"

#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <list>
#include <unordered_set>
#include <map>
#include <memory>
#include <string>

namespace berth::reactor {

struct SchedulerSettings {
  std::chrono::milliseconds instance_batch_delay{1000};  // add_after delay for placement changes
  int receive_wait_seconds = 20;                          // SQS long poll
  int receive_max_messages = 10;
  std::chrono::milliseconds retry_min{500}, retry_max{std::chrono::seconds(30)};  // bootstrap / receive errors
  std::size_t queue_workers = 4;
  WorkQueueSettings queue;
  ReconcilerSettings reconciler;
};

class Scheduler final : public Component, public http::api::ClusterView, public http::api::Reconcile {
 public:
  // Builds the AWS clients from cfg.aws (throws std::runtime_error on an unusable endpoint/TLS setup).
  // `store` must outlive the scheduler.
  Scheduler(boost::asio::io_context& io, const config::Config& cfg, store::Store& store,
            SchedulerSettings settings = {});
  ~Scheduler() override;

  // Component
  std::string_view name() const override { return "scheduler"; }
  boost::asio::awaitable<void> run() override;
  void apply_config(const config::Config& cfg, const std::vector<config::Change>& changes) override;
  void stop() override;

  // ClusterView (GET /v1/clusters/{c}/instances|tasks)
  std::optional<boost::json::array> list_instances(std::string_view cluster) const override;
  std::optional<boost::json::array> list_tasks(std::string_view cluster) const override;

  // Reconcile (API writes)
  void mark_dirty(std::string_view environment) override;
  void terminate_tasks(std::string_view environment) override;

  // GET /v1/stats
  boost::json::object stats_json() const;

 private:
  // A task started by spawn(). Cancelling one that has ended is a no-op (its signal is never emitted again).
  struct Spawned {
    boost::asio::cancellation_signal signal;
    bool done = false;
    void cancel();
  };

  struct ClusterRuntime {
    config::ClusterConfig config;
    ClusterModel model;
    bool ready = false;
    bool retired = false;  // removed from the config: its loops end, nothing looks it up any more
    std::vector<Spawned*> loops;  // its spawned loops, cancelled when it is retired
    std::uint64_t receives = 0, receive_errors = 0, messages = 0, messages_deleted = 0, delete_failures = 0,
                  malformed_kept = 0, bootstrap_attempts = 0, audits = 0, audit_errors = 0, audit_drift = 0,
                  drift_instances = 0, drift_tasks = 0;
    ClusterRuntime(config::ClusterConfig c) : config(std::move(c)), model(config.name) {}
  };

  // Runs `task` until it ends or stop() cancels it; the returned handle cancels just this task.
  Spawned& spawn(std::string what, boost::asio::awaitable<void> task);
  // SIGHUP: a cluster added to the config starts its loops; a removed one is retired.
  void add_cluster(const config::ClusterConfig& c);
  void retire_cluster(const std::string& name);
  // The loops of `rt` keep going (neither shutting down nor retired).
  bool active(const ClusterRuntime& rt) const { return !stopping_ && !rt.retired; }
  boost::asio::awaitable<void> cluster_main(ClusterRuntime& rt);
  boost::asio::awaitable<bool> bootstrap(ClusterRuntime& rt);
  boost::asio::awaitable<void> ingest_loop(ClusterRuntime& rt);
  boost::asio::awaitable<void> audit_loop(ClusterRuntime& rt);
  boost::asio::awaitable<bool> sync(WorkloadKey workload);
  // Waits `d` unless stopping or cancelled; false when the caller should stop.
  boost::asio::awaitable<bool> sleep(std::chrono::steady_clock::duration d);
  void load_environments();
  void track(const policy::Environment& env);
  ClusterRuntime* runtime(std::string_view cluster_name_or_arn) const;
  void enqueue_cluster(ClusterRuntime& rt);
  // Remembers recent EventBridge ids so that a stale event can be told apart as a redelivered duplicate.
  bool seen_before(std::string_view body);

  boost::asio::io_context& io_;
  config::Config config_;
  store::Store& store_;
  SchedulerSettings settings_;

  // AWS: HTTP transports, credentials, clients (declared in dependency order).
  std::unique_ptr<aws::HttpClient> http_;
  std::unique_ptr<aws::HttpClient> metadata_http_;
  std::unique_ptr<aws::CredentialsChain> credentials_;
  std::unique_ptr<aws::ecs::EcsClient> ecs_client_;
  std::unique_ptr<aws::sqs::SqsClient> sqs_;
  std::unique_ptr<EcsApiAdapter> ecs_;
  std::unique_ptr<LaunchJournal> journal_;

  StoreDesiredState state_;
  std::map<std::string, std::unique_ptr<ClusterRuntime>, std::less<>> clusters_;
  // Clusters removed by a reload, kept alive for the syncs and loops that still hold a reference.
  std::vector<std::unique_ptr<ClusterRuntime>> retired_clusters_;
  EnvironmentIndex index_;
  std::map<std::string, std::string, std::less<>> env_cluster_;  // environment -> cluster name
  std::map<std::string, std::string, std::less<>> removals_;     // deleted with terminateTasks -> cluster
  EventIngest ingest_;
  Reconciler reconciler_;
  WorkQueue queue_;

  std::list<Spawned> spawned_;  // a list: handles stay put while more are spawned
  std::size_t running_ = 0;
  boost::asio::steady_timer drained_;
  bool stopping_ = false;
  bool started_ = false;
  std::deque<std::string> recent_ids_;
  std::unordered_set<std::string> recent_id_set_;
  std::uint64_t duplicates_ = 0;
  std::uint64_t reconciles_ = 0, reconcile_failures_ = 0, tasks_started_ = 0, tasks_stopped_ = 0,
                start_failures_ = 0, marked_dirty_ = 0, resumed_deployments_ = 0;
};

}  // namespace berth::reactor
