// File: src/reactor/cluster_watcher.hpp — one per configured cluster: keeps its ClusterModel current.
//
//   start(): receivers x  SQS long poll (20 s, 10 msgs) --EventIngest--> model --Ingested--> on_event (dirty keys)
//                          --DeleteMessageBatch: only messages applied or settled (stale, ignored, other cluster)
//            main:         bootstrap (List/Describe, retried with backoff) --ready--> on_ready
//                          --> audit every audit_interval (expire, List/Describe, reconcile by version)
//                              drift --> on_drift (what the repaired model changed is re-planned)
//
// Events are applied during the bootstrap already (the listing settles the model by version); controllers
// see the model only once `ready()`. Malformed messages are never deleted: the queue's redrive policy
// dead-letters them. retire() ends every loop now; received, unapplied messages become visible again.
#pragma once

#include "aws/sqs_client.hpp"
#include "config/config.hpp"
#include "metrics/registry.hpp"
#include "reactor/cluster_model.hpp"
#include "reactor/ecs_api.hpp"
#include "reactor/event_ingest.hpp"
#include "reactor/task_group.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace berth::reactor {

struct WatcherSettings {
  int receive_wait_seconds = 20;  // SQS long poll
  int receive_max_messages = 10;
  std::chrono::milliseconds retry_min{500}, retry_max{std::chrono::seconds(30)};  // bootstrap / receive errors
};

// Series of the metrics registry, labelled cluster=<name> (berth_watcher_<field>_total).
struct WatcherStats {
  WatcherStats(metrics::Registry& registry, const std::string& cluster);
  metrics::Counter &receives, &receive_errors, &messages, &messages_deleted, &delete_failures, &malformed_kept,
      &bootstrap_attempts, &audits, &audit_errors, &audit_drift, &drift_instances, &drift_tasks;
};

class ClusterWatcher {
 public:
  struct Hooks {
    std::function<void(const Ingested&)> on_event;   // an event was ingested: enqueue its dirty keys
    // Bootstrap done, the watcher not yet ready: state of an earlier process is folded into the model (launch
    // records become doubts) before any plan can see it.
    std::function<boost::asio::awaitable<void>(ClusterWatcher&)> before_ready;
    std::function<void(ClusterWatcher&)> on_ready;   // ready: the model may be planned from
    std::function<void(ClusterWatcher&)> on_drift;   // the audit repaired the model
  };
  using Clock = std::function<SystemTime()>;

  // `reads` (List/Describe), `sqs`, `ingest` and `tasks` must outlive the watcher.
  // Counts into `registry` under cluster=<name>; the owner removes those series when it retires the watcher.
  ClusterWatcher(config::ClusterConfig config, EcsApi& reads, aws::sqs::SqsClient& sqs, EventIngest& ingest,
                 TaskGroup& tasks, WatcherSettings settings, Hooks hooks, Clock clock, metrics::Registry& registry);

  // Spawns the receivers and the bootstrap/audit loop into the task group.
  void start();
  // Removed from the config: ends its loops; nothing may look it up afterwards.
  void retire();
  // A reload: audit interval and queue URL take effect on the loops' next turn.
  void update(const config::ClusterConfig& config);

  const std::string& name() const { return config_.name; }
  const config::ClusterConfig& config() const { return config_; }
  ClusterModel& model() { return model_; }
  const ClusterModel& model() const { return model_; }
  bool ready() const { return ready_; }
  bool retired() const { return retired_; }
  const WatcherStats& stats() const { return stats_; }

 private:
  bool active() const { return !tasks_.cancelled() && !retired_; }
  boost::asio::awaitable<void> main_loop();
  boost::asio::awaitable<bool> bootstrap();
  boost::asio::awaitable<void> audit_loop();
  boost::asio::awaitable<void> receive_loop();

  config::ClusterConfig config_;
  EcsApi& reads_;
  aws::sqs::SqsClient& sqs_;
  EventIngest& ingest_;
  TaskGroup& tasks_;
  WatcherSettings settings_;
  Hooks hooks_;
  Clock clock_;
  ClusterModel model_;
  bool ready_ = false;
  bool retired_ = false;
  std::vector<TaskGroup::Handle*> loops_;  // cancelled when the watcher is retired
  WatcherStats stats_;
};

}  // namespace berth::reactor
