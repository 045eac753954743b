// File: src/reactor/cluster_watcher.cpp — bootstrap, SQS receive/delete and audit of one cluster.
#include "reactor/cluster_watcher.hpp"

#include "common/logger.hpp"
#include "reactor/cluster_refresh.hpp"

#include <spdlog/spdlog.h>

namespace berth::reactor {

namespace asio = boost::asio;

namespace {
std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("scheduler");
  return log;
}
}  // namespace

WatcherStats::WatcherStats(metrics::Registry& r, const std::string& cluster)
    : receives(metrics::must_counter(r, "berth_watcher_receives_total", "SQS ReceiveMessage calls.", {{"cluster", cluster}})),
      receive_errors(metrics::must_counter(r, "berth_watcher_receive_errors_total", "Failed ReceiveMessage calls.",
                                           {{"cluster", cluster}})),
      messages(metrics::must_counter(r, "berth_watcher_messages_total", "SQS messages received.", {{"cluster", cluster}})),
      messages_deleted(metrics::must_counter(r, "berth_watcher_messages_deleted_total", "SQS messages deleted.",
                                             {{"cluster", cluster}})),
      delete_failures(metrics::must_counter(r, "berth_watcher_delete_failures_total",
                                            "SQS messages whose delete failed.", {{"cluster", cluster}})),
      malformed_kept(metrics::must_counter(r, "berth_watcher_malformed_kept_total",
                                           "Malformed messages left in the queue for its dead-letter policy.",
                                           {{"cluster", cluster}})),
      bootstrap_attempts(metrics::must_counter(r, "berth_watcher_bootstrap_attempts_total",
                                               "Bootstrap listings started.", {{"cluster", cluster}})),
      audits(metrics::must_counter(r, "berth_watcher_audits_total", "Audits started.", {{"cluster", cluster}})),
      audit_errors(metrics::must_counter(r, "berth_watcher_audit_errors_total", "Audits that failed.",
                                         {{"cluster", cluster}})),
      audit_drift(metrics::must_counter(r, "berth_watcher_audit_drift_total",
                                        "Model records the audit repaired (instances + tasks).", {{"cluster", cluster}})),
      drift_instances(metrics::must_counter(r, "berth_watcher_audit_drift_instances_total",
                                            "Instance records the audit repaired.", {{"cluster", cluster}})),
      drift_tasks(metrics::must_counter(r, "berth_watcher_audit_drift_tasks_total", "Task records the audit repaired.",
                                        {{"cluster", cluster}})) {}

ClusterWatcher::ClusterWatcher(config::ClusterConfig config, EcsApi& reads, aws::sqs::SqsClient& sqs,
                               EventIngest& ingest, TaskGroup& tasks, WatcherSettings settings, Hooks hooks,
                               Clock clock, metrics::Registry& registry)
    : config_(std::move(config)),
      reads_(reads),
      sqs_(sqs),
      ingest_(ingest),
      tasks_(tasks),
      settings_(settings),
      hooks_(std::move(hooks)),
      clock_(std::move(clock)),
      model_(config_.name),
      stats_(registry, config_.name) {}

void ClusterWatcher::start() {
  // Events are ingested during the bootstrap already; the listing settles the model by version.
  for (int i = 0; i < config_.receivers; ++i) loops_.push_back(&tasks_.spawn("ingest " + name(), receive_loop()));
  loops_.push_back(&tasks_.spawn("cluster " + name(), main_loop()));
}

void ClusterWatcher::retire() {
  retired_ = true;
  // Ends a long poll, bootstrap retry or audit wait now rather than on its next turn.
  for (auto* loop : loops_) loop->cancel();
}

void ClusterWatcher::update(const config::ClusterConfig& c) {
  if (config_.audit_interval != c.audit_interval || config_.queue_url != c.queue_url)
    logger()->info("cluster settings applied cluster={} audit_interval_s={} queue_url={}", c.name,
                   c.audit_interval.count(), c.queue_url);
  config_.audit_interval = c.audit_interval;
  config_.queue_url = c.queue_url;
}

asio::awaitable<void> ClusterWatcher::main_loop() {
  // Awaited into a named value: GCC 12 miscompiles some co_await operands inside || conditions.
  const bool bootstrapped = co_await bootstrap();
  if (!bootstrapped || retired_) co_return;
  if (hooks_.before_ready) co_await hooks_.before_ready(*this);
  if (retired_) co_return;
  ready_ = true;
  if (hooks_.on_ready) hooks_.on_ready(*this);
  co_await audit_loop();
}

asio::awaitable<bool> ClusterWatcher::bootstrap() {
  if (!config_.bootstrap) {
    logger()->warn("bootstrap disabled cluster={}: planning starts from events only", name());
    co_return active();
  }
  auto delay = settings_.retry_min;
  while (active()) {
    ++stats_.bootstrap_attempts;
    auto r = co_await async_refresh_cluster(reads_, model_, clock_);
    if (r) {
      logger()->info("bootstrapped cluster={} instances={} tasks={} ecs_calls={}", name(), r->instances.added,
                     r->tasks.added, r->ecs_calls);
      co_return true;
    }
    logger()->warn("bootstrap failed cluster={} code={} message=\"{}\" retry_ms={}", name(), r.error().code,
                   r.error().message, delay.count());
    if (!co_await tasks_.sleep(delay)) co_return false;
    delay = std::min(delay * 2, settings_.retry_max);
  }
  co_return false;
}

asio::awaitable<void> ClusterWatcher::audit_loop() {
  while (active()) {
    const bool slept = co_await tasks_.sleep(config_.audit_interval);
    if (!slept || retired_) co_return;
    model_.expire(clock_());
    auto r = co_await async_refresh_cluster(reads_, model_, clock_);
    ++stats_.audits;
    if (!r) {
      ++stats_.audit_errors;
      logger()->warn("audit failed cluster={} code={} message=\"{}\"", name(), r.error().code, r.error().message);
      continue;
    }
    stats_.drift_instances += r->instances.drift();
    stats_.drift_tasks += r->tasks.drift();
    stats_.audit_drift += r->drift();
    if (r->drift() > 0) {
      // Events were lost or are late: re-plan what the repaired model may have changed.
      logger()->warn("audit drift cluster={} instances(+{} ~{} -{}) tasks(+{} ~{} -{})", name(), r->instances.added,
                     r->instances.updated, r->instances.removed, r->tasks.added, r->tasks.updated, r->tasks.removed);
      if (hooks_.on_drift) hooks_.on_drift(*this);
    } else {
      logger()->debug("audit clean cluster={} ecs_calls={}", name(), r->ecs_calls);
    }
  }
}

asio::awaitable<void> ClusterWatcher::receive_loop() {
  auto delay = settings_.retry_min;
  while (active()) {
    aws::sqs::ReceiveMessageRequest req;
    req.queue_url = config_.queue_url;
    req.max_number_of_messages = settings_.receive_max_messages;
    req.wait_time_seconds = settings_.receive_wait_seconds;
    req.system_attribute_names = {"ApproximateReceiveCount"};
    ++stats_.receives;
    auto received = co_await sqs_.receive_message(std::move(req));
    if (retired_) co_return;  // what was received becomes visible again for the next reader
    if (!received) {
      if (tasks_.cancelled()) co_return;
      ++stats_.receive_errors;
      logger()->warn("receive failed cluster={} queue={} error=\"{}\" retry_ms={}", name(), config_.queue_url,
                     received.error().describe(), delay.count());
      if (!co_await tasks_.sleep(delay)) co_return;
      delay = std::min(delay * 2, settings_.retry_max);
      continue;
    }
    delay = settings_.retry_min;
    std::vector<aws::sqs::BatchEntry> done;
    for (auto& m : *received) {
      ++stats_.messages;
      auto in = ingest_.ingest(m.body, clock_());
      if (hooks_.on_event) hooks_.on_event(in);
      if (in.delete_message()) {
        done.push_back({"m" + std::to_string(done.size()), m.receipt_handle, std::nullopt});
      } else {
        ++stats_.malformed_kept;
        logger()->warn("malformed event kept for the dead-letter queue cluster={} message_id={} receives={} error=\"{}\"",
                       name(), m.message_id, m.receive_count(), in.error);
      }
    }
    if (done.empty()) continue;
    // Deleted only now: every message in `done` has been applied to the model (or settled as stale/ignored).
    auto deleted = co_await sqs_.delete_message_batch(config_.queue_url, std::move(done));
    if (!deleted) {
      stats_.delete_failures += 1;
      logger()->warn("delete failed cluster={} error=\"{}\" (messages will be redelivered and found stale)", name(),
                     deleted.error().describe());
      continue;
    }
    stats_.messages_deleted += deleted->successful.size();
    stats_.delete_failures += deleted->failed.size();
  }
}

}  // namespace berth::reactor
