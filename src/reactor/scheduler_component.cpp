// File: src/reactor/scheduler_component.cpp — lifecycle, per-cluster loops and the work-queue sync of the scheduler.
#include "reactor/scheduler_component.hpp"

#include "config/logging.hpp"
#include "reactor/cluster_refresh.hpp"

#include <spdlog/logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/this_coro.hpp>
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

aws::ServiceConfig ecs_config(const config::Config& cfg) {
  auto c = aws::ecs::make_ecs_config(cfg.aws.region, cfg.aws.endpoint.value_or(""));
  if (!c) throw std::runtime_error("invalid ECS endpoint: " + c.error().message());
  // ECS's documented per-account throttles, mirrored client-side (modify: burst 100, 40/s; read: burst 100, 20/s).
  c->throttle = aws::ThrottleOptions{100, 20, 100, 40};
  return std::move(*c);
}

aws::ServiceConfig sqs_config(const config::Config& cfg) {
  auto c = aws::sqs::make_sqs_config(cfg.aws.region, cfg.aws.endpoint.value_or(""));
  if (!c) throw std::runtime_error("invalid SQS endpoint: " + c.error().message());
  return std::move(*c);
}

aws::HttpOptions http_options(bool allow_plain_http) {
  aws::HttpOptions o;
  o.allow_plain_http = allow_plain_http;  // only an explicit endpoint override (berth-sim) may be plain http
  return o;
}

aws::CredentialsChainOptions credentials_options(const config::Config& cfg) {
  aws::CredentialsChainOptions o;
  const auto& c = cfg.aws.credentials;
  if (c.source == config::CredentialsSource::static_keys) {
    o.access_key_id = c.access_key_id;
    o.secret_access_key = c.secret_access_key;
    o.session_token = c.session_token;
  }
  // env/profile/container/imds: the chain tries them in the SDK order; a named profile is passed on.
  if (!c.profile.empty()) o.profile = c.profile;
  return o;
}

constexpr std::size_t recent_id_capacity = 8192;

// The envelope's "id": EventBridge serialises it before "detail", so the first "id" key is the envelope's.
// A cheap scan instead of a second JSON parse per message; only used for the duplicate counter.
std::string_view envelope_id(std::string_view body) {
  auto k = body.find("\"id\"");
  if (k == std::string_view::npos) return {};
  auto q1 = body.find('"', body.find(':', k + 4));
  if (q1 == std::string_view::npos) return {};
  auto q2 = body.find('"', q1 + 1);
  if (q2 == std::string_view::npos || q2 - q1 > 128) return {};
  return body.substr(q1 + 1, q2 - q1 - 1);
}

const char* health_string(policy::HealthStatus h) {
  switch (h) {
    case policy::HealthStatus::healthy: return "HEALTHY";
    case policy::HealthStatus::unhealthy: return "UNHEALTHY";
    case policy::HealthStatus::unknown: break;
  }
  return "UNKNOWN";
}

// The reconciler settings that the config's [scheduler] table controls.
ReconcilerSettings with_config(ReconcilerSettings s, const config::SchedulerConfig& cfg) {
  s.plan.stop_on_draining = cfg.stop_on_draining;
  s.launch_doubt.check_after = cfg.launch_doubt_check_after;
  s.launch_doubt.expire_after = cfg.launch_doubt_expire_after;
  return s;
}

SchedulerSettings with_config(SchedulerSettings s, const config::SchedulerConfig& cfg) {
  s.reconciler = with_config(std::move(s.reconciler), cfg);
  return s;
}

}  // namespace

Scheduler::Scheduler(asio::io_context& io, const config::Config& cfg, store::Store& store, SchedulerSettings settings)
    : io_(io),
      config_(cfg),
      store_(store),
      settings_(with_config(std::move(settings), cfg.scheduler)),
      http_(std::make_unique<aws::HttpClient>(
          io.get_executor(), http_options(!ecs_config(cfg).endpoint.tls))),
      metadata_http_(std::make_unique<aws::HttpClient>(io.get_executor(), http_options(true))),
      credentials_(std::make_unique<aws::CredentialsChain>(io.get_executor(), *metadata_http_,
                                                           credentials_options(cfg))),
      ecs_client_(std::make_unique<aws::ecs::EcsClient>(io.get_executor(), *http_, *credentials_, ecs_config(cfg))),
      sqs_(std::make_unique<aws::sqs::SqsClient>(io.get_executor(), *http_, *credentials_, sqs_config(cfg))),
      ecs_(std::make_unique<EcsApiAdapter>(*ecs_client_)),
      journal_(std::make_unique<LaunchJournal>(*ecs_, store)),
      state_(store),
      ingest_([this](std::string_view name) -> ClusterModel* {
                // Events are applied from the start, bootstrap or not: the listing reconciles by version.
                auto* rt = runtime(name);
                return rt ? &rt->model : nullptr;
              },
              index_),
      reconciler_(
          *journal_, state_,
          [this](const std::string& cluster) -> ClusterModel* {
            // Null until bootstrapped: planning on a half-known model would launch duplicates.
            auto* rt = runtime(cluster);
            return rt && rt->ready ? &rt->model : nullptr;
          },
          wall_now, settings_.reconciler),
      queue_(io.get_executor(), [this](WorkloadKey key) { return sync(std::move(key)); }, settings_.queue,
             settings_.queue_workers),
      drained_(io) {
  for (const auto& c : cfg.clusters) clusters_.emplace(c.name, std::make_unique<ClusterRuntime>(c));
  queue_.on_error([](const WorkloadKey& key, std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      logger()->error("sync threw environment={} error=\"{}\"", key.name, ex.what());
    } catch (...) {
      logger()->error("sync threw environment={}", key.name);
    }
  });
}

Scheduler::~Scheduler() = default;

Scheduler::ClusterRuntime* Scheduler::runtime(std::string_view cluster) const {
  auto it = clusters_.find(cluster_name_from_arn(cluster));
  return it == clusters_.end() ? nullptr : it->second.get();
}

Scheduler::Spawned& Scheduler::spawn(std::string what, asio::awaitable<void> task) {
  auto& spawned = spawned_.emplace_back();
  ++running_;
  asio::co_spawn(io_, std::move(task),
                 asio::bind_cancellation_slot(spawned.signal.slot(), [this, what, &spawned](std::exception_ptr e) {
                   spawned.done = true;
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const boost::system::system_error& ex) {
                       if (ex.code() != asio::error::operation_aborted)
                         logger()->error("task failed task={} error=\"{}\"", what, ex.what());
                     } catch (const std::exception& ex) {
                       logger()->error("task failed task={} error=\"{}\"", what, ex.what());
                     }
                   }
                   if (--running_ == 0) drained_.cancel();
                 }));
  return spawned;
}

void Scheduler::Spawned::cancel() {
  if (!done) signal.emit(asio::cancellation_type::terminal);
}

asio::awaitable<bool> Scheduler::sleep(steady_clock::duration d) {
  if (stopping_) co_return false;
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(d);
  auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec && !stopping_;
}

void Scheduler::track(const policy::Environment& env) {
  index_.put(env.name, env.cluster);
  env_cluster_[env.name] = std::string(cluster_name_from_arn(env.cluster));
}

void Scheduler::load_environments() {
  auto envs = store_.list_environments();
  if (!envs) {
    logger()->error("cannot list environments error=\"{}\"", envs.error().message);
    return;
  }
  for (const auto& env : *envs) {
    track(env);
    if (!runtime(env.cluster))
      logger()->warn("environment on an unmanaged cluster environment={} cluster={}", env.name, env.cluster);
  }
  // Rollouts interrupted by a restart continue from the store's state; their environments are synced
  // once their cluster is bootstrapped (like every environment).
  if (auto unfinished = store_.list_unfinished_deployments()) {
    for (const auto& d : *unfinished) {
      ++resumed_deployments_;
      logger()->info("resuming deployment environment={} deployment={} status={}", d.environment, d.id,
                     policy::to_string(d.status));
    }
  }
  logger()->info("loaded environments count={} unfinished_deployments={}", envs->size(), resumed_deployments_);
}

asio::awaitable<void> Scheduler::run() {
  started_ = true;
  load_environments();
  for (auto& [name, rt] : clusters_) rt->loops.push_back(&spawn("cluster " + name, cluster_main(*rt)));
  co_await queue_.run();
  while (running_ > 0) {
    drained_.expires_after(std::chrono::hours(1));
    auto [ec] = co_await drained_.async_wait(asio::as_tuple(asio::use_awaitable));
    (void)ec;
  }
  logger()->info("scheduler stopped");
}

void Scheduler::stop() {
  if (stopping_) return;
  stopping_ = true;
  queue_.shut_down();
  // Cancels long polls, backoff sleeps and audit waits at once; in-flight ECS calls see the cancellation too.
  for (auto& s : spawned_) s.cancel();
  if (!started_) drained_.cancel();
}

void Scheduler::apply_config(const config::Config& cfg, const std::vector<config::Change>& changes) {
  bool aws_changed = false;
  for (const auto& c : changes) {
    if (c.key.starts_with("aws")) aws_changed = true;
  }
  // In place: audit intervals and queue URLs of clusters that stay (read by the loops on their next turn).
  for (const auto& c : cfg.clusters) {
    auto* rt = runtime(c.name);
    if (rt == nullptr) {
      add_cluster(c);
      continue;
    }
    if (rt->config.audit_interval != c.audit_interval || rt->config.queue_url != c.queue_url)
      logger()->info("cluster settings applied cluster={} audit_interval_s={} queue_url={}", c.name,
                     c.audit_interval.count(), c.queue_url);
    rt->config.audit_interval = c.audit_interval;
    rt->config.queue_url = c.queue_url;
  }
  std::vector<std::string> removed;
  for (const auto& [name, rt] : clusters_) {
    bool kept = false;
    for (const auto& c : cfg.clusters) kept = kept || c.name == name;
    if (!kept) removed.push_back(name);
  }
  for (const auto& name : removed) retire_cluster(name);
  if (aws_changed)
    logger()->warn("aws settings changed (region, endpoint or credentials): they apply after a restart");
  if (cfg.scheduler != config_.scheduler) {
    // Taken by the next sync of each environment; re-plan them all so that, say, stop_on_draining acts now.
    settings_.reconciler = with_config(settings_.reconciler, cfg.scheduler);
    reconciler_.set_settings(settings_.reconciler);
    for (const auto& [name, rt] : clusters_)
      for (const auto& env : index_.environments_on(name)) queue_.add(WorkloadKey::daemon(env));
    logger()->info("scheduler settings applied stop_on_draining={} launch_doubt_check_after_s={} "
                   "launch_doubt_expire_after_s={}",
                   cfg.scheduler.stop_on_draining, cfg.scheduler.launch_doubt_check_after.count(),
                   cfg.scheduler.launch_doubt_expire_after.count());
  }
  config_ = cfg;
}

void Scheduler::add_cluster(const config::ClusterConfig& c) {
  auto& rt = *clusters_.emplace(c.name, std::make_unique<ClusterRuntime>(c)).first->second;
  // Before run(), run() starts it with the others; during shutdown there is nothing to start.
  if (started_ && !stopping_) rt.loops.push_back(&spawn("cluster " + c.name, cluster_main(rt)));
  logger()->info("cluster added cluster={} queue_url={}", c.name, c.queue_url);
}

void Scheduler::retire_cluster(const std::string& name) {
  auto it = clusters_.find(name);
  if (it == clusters_.end()) return;
  auto& rt = *it->second;
  rt.retired = true;
  // Ends a long poll, bootstrap retry or audit wait now rather than on its next turn. Messages received
  // and not yet applied are not deleted: they become visible again for whoever reads the queue next.
  for (auto* loop : rt.loops) loop->cancel();
  retired_clusters_.push_back(std::move(it->second));
  clusters_.erase(it);
  logger()->warn("cluster removed cluster={}: its environments are no longer scheduled, their tasks keep running",
                 name);
}

asio::awaitable<void> Scheduler::cluster_main(ClusterRuntime& rt) {
  // Events are ingested during the bootstrap already; the listing settles the model by version.
  for (int i = 0; i < rt.config.receivers; ++i)
    rt.loops.push_back(&spawn("ingest " + rt.config.name, ingest_loop(rt)));
  if (!co_await bootstrap(rt) || rt.retired) co_return;
  rt.ready = true;
  auto doubts = journal_->recover(rt.model, wall_now(), settings_.reconciler.launch_doubt);
  logger()->info("cluster ready cluster={} instances={} tasks={} recovered_launch_doubts={}", rt.config.name,
                 rt.model.instance_count(), rt.model.live_task_count(), doubts);
  enqueue_cluster(rt);
  co_await audit_loop(rt);
}

void Scheduler::enqueue_cluster(ClusterRuntime& rt) {
  for (const auto& env : index_.environments_on(rt.config.name)) queue_.add(WorkloadKey::daemon(env));
}

asio::awaitable<bool> Scheduler::bootstrap(ClusterRuntime& rt) {
  if (!rt.config.bootstrap) {
    logger()->warn("bootstrap disabled cluster={}: planning starts from events only", rt.config.name);
    co_return active(rt);
  }
  auto delay = settings_.retry_min;
  while (active(rt)) {
    ++rt.bootstrap_attempts;
    auto r = co_await async_refresh_cluster(*journal_, rt.model, wall_now);
    if (r) {
      logger()->info("bootstrapped cluster={} instances={} tasks={} ecs_calls={}", rt.config.name,
                     r->instances.added, r->tasks.added, r->ecs_calls);
      co_return true;
    }
    logger()->warn("bootstrap failed cluster={} code={} message=\"{}\" retry_ms={}", rt.config.name, r.error().code,
                   r.error().message, delay.count());
    if (!co_await sleep(delay)) co_return false;
    delay = std::min(delay * 2, settings_.retry_max);
  }
  co_return false;
}

asio::awaitable<void> Scheduler::audit_loop(ClusterRuntime& rt) {
  while (active(rt)) {
    if (!co_await sleep(rt.config.audit_interval) || rt.retired) co_return;
    rt.model.expire(wall_now());
    auto r = co_await async_refresh_cluster(*journal_, rt.model, wall_now);
    ++rt.audits;
    if (!r) {
      ++rt.audit_errors;
      logger()->warn("audit failed cluster={} code={} message=\"{}\"", rt.config.name, r.error().code,
                     r.error().message);
      continue;
    }
    rt.drift_instances += r->instances.drift();
    rt.drift_tasks += r->tasks.drift();
    rt.audit_drift += r->drift();
    if (r->drift() > 0) {
      // Events were lost or are late: re-plan what the repaired model may have changed.
      logger()->warn("audit drift cluster={} instances(+{} ~{} -{}) tasks(+{} ~{} -{})", rt.config.name,
                     r->instances.added, r->instances.updated, r->instances.removed, r->tasks.added,
                     r->tasks.updated, r->tasks.removed);
      enqueue_cluster(rt);
    } else {
      logger()->debug("audit clean cluster={} ecs_calls={}", rt.config.name, r->ecs_calls);
    }
  }
}

asio::awaitable<void> Scheduler::ingest_loop(ClusterRuntime& rt) {
  auto delay = settings_.retry_min;
  while (active(rt)) {
    aws::sqs::ReceiveMessageRequest req;
    req.queue_url = rt.config.queue_url;
    req.max_number_of_messages = settings_.receive_max_messages;
    req.wait_time_seconds = settings_.receive_wait_seconds;
    req.system_attribute_names = {"ApproximateReceiveCount"};
    ++rt.receives;
    auto received = co_await sqs_->receive_message(std::move(req));
    if (rt.retired) co_return;  // what was received becomes visible again for the next reader
    if (!received) {
      if (stopping_) co_return;
      ++rt.receive_errors;
      logger()->warn("receive failed cluster={} queue={} error=\"{}\" retry_ms={}", rt.config.name,
                     rt.config.queue_url, received.error().describe(), delay.count());
      if (!co_await sleep(delay)) co_return;
      delay = std::min(delay * 2, settings_.retry_max);
      continue;
    }
    delay = settings_.retry_min;
    std::vector<aws::sqs::BatchEntry> done;
    for (auto& m : *received) {
      ++rt.messages;
      auto in = ingest_.ingest(m.body, wall_now());
      if (seen_before(m.body) && in.result == IngestResult::stale) ++duplicates_;
      for (const auto& key : in.dirty_keys) {
        if (in.placement_change)
          queue_.add_after(WorkloadKey::daemon(key), settings_.instance_batch_delay);  // batch bursts of new instances
        else
          queue_.add(WorkloadKey::daemon(key));
      }
      if (in.delete_message()) {
        done.push_back({"m" + std::to_string(done.size()), m.receipt_handle, std::nullopt});
      } else {
        ++rt.malformed_kept;
        logger()->warn("malformed event kept for the dead-letter queue cluster={} message_id={} receives={} error=\"{}\"",
                       rt.config.name, m.message_id, m.receive_count(), in.error);
      }
    }
    if (done.empty()) continue;
    // Deleted only now: every message in `done` has been applied to the model (or settled as stale/ignored).
    auto deleted = co_await sqs_->delete_message_batch(rt.config.queue_url, std::move(done));
    if (!deleted) {
      rt.delete_failures += 1;
      logger()->warn("delete failed cluster={} error=\"{}\" (messages will be redelivered and found stale)",
                     rt.config.name, deleted.error().describe());
      continue;
    }
    rt.messages_deleted += deleted->successful.size();
    rt.delete_failures += deleted->failed.size();
  }
}

bool Scheduler::seen_before(std::string_view body) {
  auto id = envelope_id(body);
  if (id.empty()) return false;
  std::string key(id);
  if (recent_id_set_.contains(key)) return true;
  recent_ids_.push_back(key);
  recent_id_set_.insert(std::move(key));
  if (recent_ids_.size() > recent_id_capacity) {
    recent_id_set_.erase(recent_ids_.front());
    recent_ids_.pop_front();
  }
  return false;
}

asio::awaitable<bool> Scheduler::sync(WorkloadKey workload) {
  if (stopping_) co_return true;
  if (workload.kind != policy::WorkloadKind::daemon) co_return true;  // only daemon environments are scheduled yet
  const std::string key = workload.name;
  if (auto rm = removals_.find(key); rm != removals_.end()) {
    const std::string cluster = rm->second;
    if (!state_.environment(key)) {
      auto* rt = runtime(cluster);
      if (rt == nullptr) {
        removals_.erase(key);
        co_return true;
      }
      if (!rt->ready) co_return false;  // retried with backoff until the model is known
      auto out = co_await reconciler_.sync_removed(key, cluster);
      tasks_stopped_ += out.stopped;
      if (!out.success) {
        logger()->warn("terminate failed environment={} error=\"{}\"", key, out.error.value_or(""));
        co_return false;
      }
      logger()->info("terminated tasks of deleted environment environment={} stopped={}", key, out.stopped);
    }
    removals_.erase(key);
  }
  if (auto c = env_cluster_.find(key); c != env_cluster_.end()) {
    auto* rt = runtime(c->second);
    if (rt == nullptr) {
      logger()->debug("environment on an unmanaged cluster skipped environment={} cluster={}", key, c->second);
      co_return true;
    }
    if (!rt->ready) co_return true;  // the end of the bootstrap enqueues every environment of the cluster
  }
  ++reconciles_;
  auto out = co_await reconciler_.sync(key);
  tasks_started_ += out.started;
  tasks_stopped_ += out.stopped;
  start_failures_ += out.start_failures;
  if (!out.success) {
    ++reconcile_failures_;
    logger()->warn("sync failed environment={} error=\"{}\"", key, out.error.value_or(""));
  } else if (out.error) {
    logger()->warn("sync environment={} error=\"{}\"", key, *out.error);
  }
  if (out.wake_at) {
    auto delay = *out.wake_at - wall_now();
    queue_.add_after(workload, std::max<steady_clock::duration>(
                              std::chrono::duration_cast<steady_clock::duration>(delay), steady_clock::duration::zero()));
  }
  if (out.requeue) queue_.add(workload);
  co_return out.success;
}

void Scheduler::mark_dirty(std::string_view environment) {
  const std::string name(environment);
  ++marked_dirty_;
  auto env = store_.get_environment(name);
  if (env) {
    track(*env);
  } else {
    index_.erase(name);
    env_cluster_.erase(name);
  }
  queue_.add(WorkloadKey::daemon(name));
}

void Scheduler::terminate_tasks(std::string_view environment) {
  const std::string name(environment);
  auto c = env_cluster_.find(name);
  std::string cluster;
  if (c != env_cluster_.end()) {
    cluster = c->second;
  } else if (auto env = store_.get_environment(name)) {
    cluster = std::string(cluster_name_from_arn(env->cluster));
  }
  if (cluster.empty()) {
    logger()->warn("terminate requested for an unknown environment environment={}", name);
    return;
  }
  removals_[name] = cluster;
  queue_.add(WorkloadKey::daemon(name));
}

std::optional<json::array> Scheduler::list_instances(std::string_view cluster) const {
  auto* rt = runtime(cluster);
  if (rt == nullptr) return std::nullopt;
  json::array out;
  rt->model.for_each_instance([&](const policy::SnapshotInstance& i, std::int64_t version) {
    json::array attrs;
    for (const auto& a : i.attributes) {
      json::object o{{"name", a.name}};
      if (a.has_value) o["value"] = a.value;
      attrs.push_back(std::move(o));
    }
    out.push_back(json::object{{"arn", i.arn},
                               {"ec2InstanceId", i.ec2_instance_id},
                               {"status", policy::to_string(i.status)},
                               {"agentConnected", i.agent_connected},
                               {"attributes", std::move(attrs)},
                               {"version", version}});
  });
  return out;
}

std::optional<json::array> Scheduler::list_tasks(std::string_view cluster) const {
  auto* rt = runtime(cluster);
  if (rt == nullptr) return std::nullopt;
  json::array out;
  rt->model.for_each_task([&](const policy::SnapshotTask& t, std::int64_t version) {
    out.push_back(json::object{{"arn", t.arn},
                               {"instance", t.instance_arn},
                               {"taskDefinition", t.task_definition},
                               {"lastStatus", policy::to_string(t.last_status)},
                               {"desiredStatus", policy::to_string(t.desired_status)},
                               {"health", health_string(t.health)},
                               {"startedBy", t.started_by},
                               {"group", t.group},
                               {"version", version}});
  });
  return out;
}

json::object Scheduler::stats_json() const {
  json::object ecs = ecs_->stats().to_json();
  const auto& p = ecs_client_->protocol().stats();
  ecs["protocol"] = json::object{{"calls", p.calls},
                                 {"attempts", p.attempts},
                                 {"retries", p.retries},
                                 {"throttled_responses", p.throttled_responses},
                                 {"client_throttle_waits", p.client_throttle_waits},
                                 {"budget_exhausted", p.budget_exhausted}};
  const auto& ev = ingest_.stats();
  std::uint64_t deleted = 0, malformed_kept = 0, drift = 0;
  json::object clusters;
  for (const auto& [name, rt] : clusters_) {
    deleted += rt->messages_deleted;
    malformed_kept += rt->malformed_kept;
    drift += rt->audit_drift;
    clusters[name] = json::object{{"ready", rt->ready},
                                  {"instances", rt->model.instance_count()},
                                  {"tasks", rt->model.task_count()},
                                  {"live_tasks", rt->model.live_task_count()},
                                  {"bootstrap_attempts", rt->bootstrap_attempts},
                                  {"receives", rt->receives},
                                  {"receive_errors", rt->receive_errors},
                                  {"messages", rt->messages},
                                  {"messages_deleted", rt->messages_deleted},
                                  {"delete_failures", rt->delete_failures},
                                  {"malformed_kept", rt->malformed_kept},
                                  {"audits", rt->audits},
                                  {"audit_errors", rt->audit_errors},
                                  {"audit_drift", rt->audit_drift},
                                  {"audit_drift_instances", rt->drift_instances},
                                  {"audit_drift_tasks", rt->drift_tasks}};
  }
  const auto& rs = reconciler_.stats();
  const auto& core = queue_.core();
  (void)core;
  return json::object{
      {"ecs", std::move(ecs)},
      {"events",
       json::object{{"received", ev.received},
                    {"applied", ev.applied},
                    {"stale", ev.stale},
                    {"duplicate", duplicates_},
                    {"ignored", ev.ignored},
                    {"unknown_cluster", ev.unknown_cluster},
                    {"malformed", ev.malformed},
                    {"messages_deleted", deleted},
                    {"malformed_kept", malformed_kept}}},
      {"audit", json::object{{"drift", drift}}},
      {"reconcile", json::object{{"runs", reconciles_},
                                 {"syncs", rs.syncs},
                                 {"failures", reconcile_failures_},
                                 {"marked_dirty", marked_dirty_},
                                 {"start_calls", rs.start_calls},
                                 {"stop_calls", rs.stop_calls},
                                 {"tasks_started", tasks_started_},
                                 {"tasks_stopped", tasks_stopped_},
                                 {"start_failures", start_failures_},
                                 {"launches_in_doubt", rs.launches_in_doubt},
                                 {"doubts_found", rs.doubts_found},
                                 {"doubts_cleared", rs.doubts_cleared},
                                 {"rollbacks", rs.rollbacks},
                                 {"ecs_errors", rs.ecs_errors},
                                 {"queue_completed", queue_.completed()},
                                 {"resumed_deployments", resumed_deployments_}}},
      {"launch_journal",
       json::object{{"written", journal_->records_written()},
                    {"kept_in_doubt", journal_->records_kept()},
                    {"recovered", journal_->records_recovered()}}},
      {"store", json::object{{"deployment_updates", state_.stats().deployment_updates},
                             {"deployments_finished", state_.stats().deployments_finished},
                             {"errors", state_.stats().store_errors}}},
      {"environments", index_.size()},
      {"clusters", std::move(clusters)}};
}

}  // namespace berth::reactor
