// File: src/reactor/scheduler_component.cpp — builds the parts, routes work between them, reload and shutdown.
#include "reactor/scheduler_component.hpp"

#include "common/logger.hpp"
#include "reactor/stats_json.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/as_tuple.hpp>
#include <charconv>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace berth::reactor {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::steady_clock;

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("scheduler");
  return log;
}

SystemTime wall_now() { return std::chrono::system_clock::now(); }

// Services share the daemons' launch-doubt and instance-backoff settings (one [scheduler] table).
ServiceControllerSettings service_settings(const SchedulerSettings& s) {
  ServiceControllerSettings out;
  out.launch_doubt = s.reconciler.launch_doubt;
  out.instance_backoff = s.reconciler.backoff;
  return out;
}

SchedulerSettings with_config(SchedulerSettings s, const config::SchedulerConfig& cfg) {
  s.reconciler = with_config(std::move(s.reconciler), cfg);
  return s;
}

}  // namespace

Scheduler::Scheduler(asio::io_context& io, const config::Config& cfg, store::DesiredStateStore& store,
                     SchedulerSettings settings)
    : sync_retries_(metrics::must_counter(metrics_, "berth_work_queue_retries_total",
                                          "Syncs that failed and were retried with backoff.")),
      sync_requeues_(metrics::must_counter(metrics_, "berth_work_queue_requeues_total",
                                           "Syncs that asked to run again at once (e.g. after a rollback).")),
      io_(io),
      config_(cfg),
      store_(store),
      settings_(with_config(std::move(settings), cfg.scheduler)),
      aws_(io.get_executor(), cfg, metrics_),
      tasks_(io.get_executor()),
      journal_(aws_.ecs(), store),
      definitions_(
          journal_, wall_now,
          [this](std::string what, asio::awaitable<void> task) { tasks_.run(std::move(what), std::move(task)); }),
      executor_(journal_, wall_now, metrics_, &definitions_),
      history_(settings_.change_history),
      daemons_(store, journal_, definitions_, executor_, index_, [this](std::string_view c) { return watcher(c); },
               wall_now, settings_.reconciler, metrics_),
      services_(store, definitions_, executor_, index_, [this](std::string_view c) { return watcher(c); }, wall_now,
                service_settings(settings_), metrics_),
      job_timers_(io.get_executor(), wall_now,
                  [this](const std::string& job) { queue_.add(policy::WorkloadKey::job(job)); }),
      clock_steps_(io.get_executor(), [this] { job_timers_.clock_stepped(); }),
      jobs_(store, journal_, executor_, index_, [this](std::string_view c) { return watcher(c); }, wall_now,
            job_timers_, [this](std::string queue) { return queue_depth(std::move(queue)); }, metrics_),
      ingest_(
          [this](std::string_view name) -> ClusterModel* {
            // Events are applied from the start, bootstrap or not: the listing reconciles by version.
            auto* w = watcher(name);
            return w ? &w->model() : nullptr;
          },
          index_, metrics_),
      queue_(io.get_executor(), [this](policy::WorkloadKey key) { return sync(std::move(key)); }, settings_.queue,
             settings_.queue_workers) {
  for (const auto& c : cfg.clusters) make_watcher(c);
  register_views();
  // A definition described in the background fills the reservations of the tasks that wait for it.
  definitions_.add_listener([this](const TaskDefinitionInfo& info) {
    for (auto& [name, w] : watchers_) w->model().fill_reservations(info);
  });
  queue_.on_error([](const policy::WorkloadKey& key, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      logger()->error("sync threw workload={} error=\"{}\"", key.str(), ex.what());
    } catch (...) {
      logger()->error("sync threw workload={}", key.str());
    }
  });
}

Scheduler::~Scheduler() = default;

ClusterWatcher* Scheduler::watcher(std::string_view cluster) const {
  auto it = watchers_.find(cluster_name_from_arn(cluster));
  return it == watchers_.end() ? nullptr : it->second.get();
}

const ClusterModel* Scheduler::model(std::string_view cluster) const {
  auto* w = watcher(cluster);
  return w ? &w->model() : nullptr;
}

bool Scheduler::ready(std::string_view cluster) const {
  auto* w = watcher(cluster);
  return w != nullptr && w->ready();
}

std::vector<std::string> Scheduler::cluster_names() const {
  std::vector<std::string> names;
  for (const auto& [name, w] : watchers_) names.push_back(name);
  return names;
}

asio::awaitable<EcsResult<Described<aws::ecs::Task>>> Scheduler::describe_task(std::string cluster, std::string arn) {
  std::vector<std::string> arns{std::move(arn)};
  co_return co_await journal_.describe_tasks(std::move(cluster), std::move(arns));
}

asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> Scheduler::describe_instance(std::string cluster,
                                                                                               std::string arn) {
  std::vector<std::string> arns{std::move(arn)};
  co_return co_await journal_.describe_container_instances(std::move(cluster), std::move(arns));
}

ClusterWatcher::Hooks Scheduler::watcher_hooks() {
  ClusterWatcher::Hooks hooks;
  hooks.on_event = [this](const Ingested& in) {
    for (const auto& key : in.dirty_keys) {
      if (in.placement_change)
        queue_.add_after(key, settings_.instance_batch_delay);  // batch bursts of new instances
      else
        queue_.add(key);
    }
    // Services waiting for capacity: any applied change on their cluster (a task stopped, an instance joined or
    // freed resources) may let them place; batched like instance changes (blocked evaluations, no timer).
    if (in.result == IngestResult::applied) {
      for (const auto& name : services_.waiting_on(in.cluster))
        queue_.add_after(policy::WorkloadKey::service(name), settings_.instance_batch_delay);
    }
  };
  hooks.before_ready = [this](ClusterWatcher& w) -> asio::awaitable<void> {
    auto doubts = co_await journal_.recover(w.model(), wall_now(), daemons_.settings().launch_doubt);
    logger()->info("cluster ready cluster={} instances={} tasks={} recovered_launch_doubts={}", w.name(),
                   w.model().instance_count(), w.model().live_task_count(), doubts);
  };
  hooks.on_ready = [this](ClusterWatcher& w) { enqueue_cluster(w); };
  hooks.on_drift = [this](ClusterWatcher& w) { enqueue_cluster(w); };
  return hooks;
}

void Scheduler::enqueue_cluster(const ClusterWatcher& w) {
  for (const auto& name : daemons_.workloads_on(w.name())) queue_.add(policy::WorkloadKey::daemon(name));
  for (const auto& name : services_.workloads_on(w.name())) queue_.add(policy::WorkloadKey::service(name));
  for (const auto& id : jobs_.workloads_on(w.name())) queue_.add(policy::WorkloadKey::job(id));
}

WorkloadController* Scheduler::controller(policy::WorkloadKind kind) {
  switch (kind) {
    case policy::WorkloadKind::daemon: return &daemons_;
    case policy::WorkloadKind::service: return &services_;
    case policy::WorkloadKind::job: return &jobs_;
  }
  return nullptr;
}

asio::awaitable<void> Scheduler::run() {
  started_ = true;
  // The feed starts at the revision before the listing, so that nothing written meanwhile is missed.
  auto from = co_await store_.revision();
  co_await daemons_.load();
  co_await services_.load();
  co_await jobs_.load();
  tasks_.spawn("job timers", job_timers_.run());
  tasks_.spawn("clock step watch", clock_steps_.run());
  if (from) {
    tasks_.spawn("desired state feed", follow_desired_state(*from));
  } else {
    logger()->error("store revision unreadable, changes by other processes are not followed error=\"{}\"",
                    from.error().message);
  }
  for (auto& [name, w] : watchers_) w->start();
  co_await queue_.run();
  co_await tasks_.wait_drained();
  logger()->info("scheduler stopped");
}

void Scheduler::stop() {
  if (stopping_) return;
  stopping_ = true;
  queue_.shut_down();
  job_timers_.stop();
  clock_steps_.stop();
  tasks_.cancel_all();
}

void Scheduler::apply_config(const config::Config& cfg, const std::vector<config::Change>& changes) {
  bool aws_changed = false;
  for (const auto& c : changes) {
    if (c.key.starts_with("aws")) aws_changed = true;
  }
  // In place: audit intervals and queue URLs of clusters that stay (read by the loops on their next turn).
  for (const auto& c : cfg.clusters) {
    if (auto* w = watcher(c.name))
      w->update(c);
    else
      add_cluster(c);
  }
  std::vector<std::string> removed;
  for (const auto& [name, w] : watchers_) {
    bool kept = false;
    for (const auto& c : cfg.clusters) kept = kept || c.name == name;
    if (!kept) removed.push_back(name);
  }
  for (const auto& name : removed) retire_cluster(name);
  if (aws_changed)
    logger()->warn("aws settings changed (region, endpoint or credentials): they apply after a restart");
  if (cfg.scheduler != config_.scheduler) {
    // Taken by the next sync of each workload; re-plan them all so that, say, stop_on_draining acts now.
    daemons_.apply_settings(cfg.scheduler);  // the controllers hold the settings in effect
    services_.apply_settings(cfg.scheduler);
    for (const auto& [name, w] : watchers_) enqueue_cluster(*w);
    logger()->info("scheduler settings applied stop_on_draining={} launch_doubt_check_after_s={} "
                   "launch_doubt_expire_after_s={}",
                   cfg.scheduler.stop_on_draining, cfg.scheduler.launch_doubt_check_after.count(),
                   cfg.scheduler.launch_doubt_expire_after.count());
  }
  config_ = cfg;
}

ClusterWatcher& Scheduler::make_watcher(const config::ClusterConfig& c) {
  auto& w = *watchers_
                 .emplace(c.name, std::make_unique<ClusterWatcher>(c, journal_, aws_.sqs(), ingest_, tasks_,
                                                                   settings_.watcher, watcher_hooks(), wall_now,
                                                                   metrics_))
                 .first->second;
  w.model().use_task_definitions(&definitions_);
  w.model().use_change_history(&history_);
  register_cluster_views(w);
  return w;
}

void Scheduler::add_cluster(const config::ClusterConfig& c) {
  auto& w = make_watcher(c);
  // Before run(), run() starts it with the others; during shutdown there is nothing to start.
  if (started_ && !stopping_) w.start();
  logger()->info("cluster added cluster={} queue_url={}", c.name, c.queue_url);
}

void Scheduler::retire_cluster(const std::string& name) {
  auto it = watchers_.find(name);
  if (it == watchers_.end()) return;
  // Ends a long poll, bootstrap retry or audit wait now rather than on its next turn. Messages received
  // and not yet applied are not deleted: they become visible again for whoever reads the queue next.
  it->second->retire();
  metrics_.remove_all({{"cluster", name}});  // as before the registry: a removed cluster leaves /v1/stats
  retired_watchers_.push_back(std::move(it->second));
  watchers_.erase(it);
  logger()->warn("cluster removed cluster={}: its environments are no longer scheduled, their tasks keep running",
                 name);
}

asio::awaitable<bool> Scheduler::sync(policy::WorkloadKey key) {
  if (stopping_) co_return true;
  WorkloadController* c = controller(key.kind);
  if (c == nullptr) {
    logger()->error("work queue key without a controller workload={}", key.str());
    co_return true;
  }
  auto verdict = co_await c->sync(key.name);
  if (!verdict.success) ++sync_retries_;
  if (verdict.requeue) ++sync_requeues_;
  if (verdict.wake_at) {
    auto delay = *verdict.wake_at - wall_now();
    queue_.add_after(key, std::max<steady_clock::duration>(
                              std::chrono::duration_cast<steady_clock::duration>(delay), steady_clock::duration::zero()));
  }
  if (verdict.requeue) queue_.add(key);
  co_return verdict.success;
}

void Scheduler::mark_dirty(const policy::WorkloadKey& key) {
  if (controller(key.kind) == nullptr || stopping_) return;
  tasks_.run("refresh " + key.str(), refresh(key));
}

asio::awaitable<void> Scheduler::refresh(policy::WorkloadKey key) {
  // The controller re-reads the workload before the queue may sync it.
  if (auto* c = controller(key.kind)) co_await c->refresh(key.name);
  queue_.add(key);
}

asio::awaitable<void> Scheduler::follow_desired_state(std::int64_t revision) {
  // Every environment change, by this process's API or by another process sharing the store, re-plans it.
  // (The API also marks its own writes dirty at once; the queue de-duplicates.)
  while (!stopping_) {
    auto batch = co_await store_.watch(revision, settings_.store_watch_timeout);
    if (stopping_) break;
    if (!batch) {
      logger()->warn("store change feed failed, retrying error=\"{}\"", batch.error().message);
      asio::steady_timer pause(io_, settings_.store_watch_retry);
      co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    if (batch->reset) {
      // History compacted past us: re-list, and re-plan everything.
      logger()->warn("store change feed reset from revision {} to {}: reloading workloads", revision,
                     batch->revision);
      co_await daemons_.load();
      co_await services_.load();
      co_await jobs_.load();
      for (const auto& [name, w] : watchers_) enqueue_cluster(*w);
    }
    for (const auto& change : batch->changes) {
      if (change.kind == store::ChangeKind::environment) co_await refresh(policy::WorkloadKey::daemon(change.key));
      if (change.kind == store::ChangeKind::service) co_await refresh(policy::WorkloadKey::service(change.key));
      if (change.kind == store::ChangeKind::job) co_await refresh(policy::WorkloadKey::job(change.key));
      // A run requested through the API ("run now"); the controller's own run writes re-plan harmlessly.
      if (change.kind == store::ChangeKind::job_run)
        queue_.add(policy::WorkloadKey::job(change.key.substr(0, change.key.rfind('/'))));
    }
    revision = batch->revision;
  }
}

asio::awaitable<std::optional<std::int64_t>> Scheduler::queue_depth(std::string queue_name) {
  auto url = queue_urls_.find(queue_name);
  if (url == queue_urls_.end()) {
    auto found = co_await aws_.sqs().get_queue_url(queue_name);
    if (!found) {
      logger()->warn("trigger queue not found queue={} error=\"{}\"", queue_name, found.error().message);
      co_return std::nullopt;
    }
    url = queue_urls_.emplace(queue_name, std::move(*found)).first;
  }
  std::vector<std::string> names{"ApproximateNumberOfMessages"};
  auto attributes = co_await aws_.sqs().get_queue_attributes(url->second, std::move(names));
  if (!attributes) co_return std::nullopt;
  auto it = attributes->find("ApproximateNumberOfMessages");
  if (it == attributes->end()) co_return std::nullopt;
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
  if (ec != std::errc{}) co_return std::nullopt;
  co_return n;
}

void Scheduler::terminate(const policy::WorkloadKey& key) {
  const bool known = key.kind == policy::WorkloadKind::daemon    ? daemons_.terminate(key.name)
                     : key.kind == policy::WorkloadKind::service ? services_.terminate(key.name)
                                                                 : false;
  if (known) queue_.add(key);
}

boost::asio::awaitable<std::optional<policy::CpuMemory>> Scheduler::task_definition_size(std::string ref) {
  auto info = co_await definitions_.ensure(std::move(ref));
  if (!info) co_return std::nullopt;
  co_return policy::CpuMemory{info->cpu, info->memory};
}

void Scheduler::kill_service_tasks(const std::string& service, const std::vector<std::string>& task_arns) {
  if (services_.kill_tasks(service, task_arns)) queue_.add(policy::WorkloadKey::service(service));
}

void Scheduler::register_views() {
  using metrics::must;
  const metrics::Labels none;
  must(metrics_.gauge_fn("berth_work_queue_depth", "Workload keys ready to run in the work queue.", none,
                         [this] { return static_cast<double>(queue_.core().queued()); }),
       "berth_work_queue_depth");
  must(metrics_.gauge_fn("berth_work_queue_waiting", "Workload keys waiting for a delay or a backoff.", none,
                         [this] { return static_cast<double>(queue_.core().waiting()); }),
       "berth_work_queue_waiting");
  must(metrics_.gauge_fn("berth_work_queue_processing", "Workload keys being synced now.", none,
                         [this] { return static_cast<double>(queue_.core().processing()); }),
       "berth_work_queue_processing");
  must(metrics_.counter_fn("berth_work_queue_completed_total", "Syncs the work queue finished.", none,
                           [this] { return queue_.completed(); }),
       "berth_work_queue_completed_total");
  must(metrics_.gauge_fn("berth_environments", "Daemon environments berth schedules.", none,
                         [this] { return static_cast<double>(daemons_.size()); }),
       "berth_environments");
  // The journal and the desired-state store keep their own counters (their files are not ours to rewrite).
  const auto view = [&](const char* name, const char* help, std::function<std::uint64_t()> read) {
    must(metrics_.counter_fn(name, help, none, std::move(read)), name);
  };
  view("berth_launch_journal_written_total", "StartTask records written before sending.",
       [this] { return static_cast<std::uint64_t>(journal_.records_written()); });
  view("berth_launch_journal_kept_in_doubt_total", "Journal records kept because the outcome was unknown.",
       [this] { return static_cast<std::uint64_t>(journal_.records_kept()); });
  view("berth_launch_journal_recovered_total", "Journal records turned into launch doubts at start.",
       [this] { return static_cast<std::uint64_t>(journal_.records_recovered()); });
  view("berth_store_deployment_updates_total", "Deployment records saved.",
       [this] { return daemons_.store_stats().deployment_updates; });
  view("berth_store_deployments_finished_total", "Deployments that reached a final state.",
       [this] { return daemons_.store_stats().deployments_finished; });
  view("berth_store_errors_total", "Store reads or writes that failed.",
       [this] { return daemons_.store_stats().store_errors; });
}

void Scheduler::register_cluster_views(const ClusterWatcher& w) {
  using metrics::must;
  const metrics::Labels labels{{"cluster", w.name()}};
  const ClusterWatcher* p = &w;
  must(metrics_.gauge_fn("berth_cluster_ready", "1 once the cluster's bootstrap finished.", labels,
                         [p] { return p->ready() ? 1.0 : 0.0; }),
       "berth_cluster_ready");
  must(metrics_.gauge_fn("berth_cluster_instances", "Container instances in the model.", labels,
                         [p] { return static_cast<double>(p->model().instance_count()); }),
       "berth_cluster_instances");
  must(metrics_.gauge_fn("berth_cluster_tasks", "Task records in the model (tombstones included).", labels,
                         [p] { return static_cast<double>(p->model().task_count()); }),
       "berth_cluster_tasks");
  must(metrics_.gauge_fn("berth_cluster_live_tasks", "Tasks in the model that are not stopped.", labels,
                         [p] { return static_cast<double>(p->model().live_task_count()); }),
       "berth_cluster_live_tasks");
}

json::object Scheduler::stats_json() const { return render_stats_json(metrics_); }

}  // namespace berth::reactor
