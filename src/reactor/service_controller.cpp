// File: src/reactor/service_controller.cpp — replica services: store + model + task definition -> plan ->
// deployment bookkeeping -> Executor.
#include "reactor/service_controller.hpp"

#include "config/logging.hpp"
#include "policy/ownership.hpp"

#include <spdlog/logger.h>

namespace berth::reactor {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("service");
  return log;
}

void add_wake(SyncVerdict& v, std::optional<SystemTime> t) {
  if (t && (!v.wake_at || *t < *v.wake_at)) v.wake_at = t;
}

policy::DeploymentStatus status_of(policy::ServiceRolloutVerdict v) {
  switch (v) {
    case policy::ServiceRolloutVerdict::completed: return policy::DeploymentStatus::completed;
    case policy::ServiceRolloutVerdict::failed: return policy::DeploymentStatus::failed;
    case policy::ServiceRolloutVerdict::rolled_back: return policy::DeploymentStatus::rolled_back;
    case policy::ServiceRolloutVerdict::progressing: break;
  }
  return policy::DeploymentStatus::running;
}

}  // namespace

ServiceControllerStats::ServiceControllerStats(metrics::Registry& r)
    : syncs(metrics::must_counter(r, "berth_service_syncs_total", "Service syncs run (work queue).")),
      failures(metrics::must_counter(r, "berth_service_failures_total", "Service syncs that failed (retried).")),
      tasks_started(metrics::must_counter(r, "berth_service_tasks_started_total", "Tasks service syncs started.")),
      tasks_stopped(metrics::must_counter(r, "berth_service_tasks_stopped_total", "Tasks service syncs stopped.")),
      start_failures(metrics::must_counter(r, "berth_service_start_failures_total",
                                           "Instances StartTask reported as failed for services.")),
      marked_dirty(metrics::must_counter(r, "berth_service_marked_dirty_total",
                                         "Store changes (API, peers) that re-read a service.")),
      deployments_completed(metrics::must_counter(r, "berth_service_deployments_completed_total",
                                                  "Service deployments that completed.")),
      deployments_failed(metrics::must_counter(r, "berth_service_deployments_failed_total",
                                               "Service deployments that failed without a rollback.")),
      rollbacks(metrics::must_counter(r, "berth_service_rollbacks_total", "Service deployments rolled back.")) {}

ServiceController::ServiceController(store::DesiredStateStore& store, TaskDefinitionCache& definitions,
                                     Executor& executor, WorkloadIndex& index, WatcherLookup watchers, Clock clock,
                                     ServiceControllerSettings settings, metrics::Registry& registry)
    : store_(store),
      definitions_(definitions),
      executor_(executor),
      index_(index),
      watchers_(std::move(watchers)),
      clock_(std::move(clock)),
      settings_(settings),
      registry_(registry),
      stats_(registry),
      crash_backoff_(settings.crash_backoff) {}

void ServiceController::track(const policy::Service& service) {
  index_.put(policy::WorkloadKey::service(service.spec.name), service.spec.cluster);
  cluster_of_[service.spec.name] = std::string(cluster_name_from_arn(service.spec.cluster));
}

void ServiceController::forget(const std::string& name) {
  index_.erase(policy::WorkloadKey::service(name));
  cluster_of_.erase(name);
  unplaced_.erase(name);
  instance_backoff_.erase(name);
  crashes_.erase(name);
  crash_backoff_.forget(policy::WorkloadKey::service(name));
  kills_.erase(name);
  registry_.remove(unplaced_metric, {{"service", name}});
}

boost::asio::awaitable<void> ServiceController::load() {
  auto services = co_await store_.list_services("");
  if (!services) {
    logger()->error("cannot list services error=\"{}\"", services.error().message);
    co_return;
  }
  for (const auto& s : *services) track(s);
  logger()->info("loaded services count={}", services->size());
}

boost::asio::awaitable<void> ServiceController::refresh(std::string name) {
  ++stats_.marked_dirty;
  auto s = co_await store_.get_service(name);
  if (s) {
    track(*s);
  } else if (s.error().code == store::StoreErrc::not_found) {
    forget(name);
  } else {
    logger()->error("store read failed service={} error=\"{}\"", name, s.error().message);
  }
}

bool ServiceController::terminate(const std::string& name) {
  auto c = cluster_of_.find(name);
  if (c == cluster_of_.end()) {
    logger()->warn("terminate requested for an unknown service service={}", name);
    return false;
  }
  removals_[name] = c->second;
  return true;
}

bool ServiceController::kill_tasks(const std::string& name, const std::vector<std::string>& task_arns) {
  if (cluster_of_.find(name) == cluster_of_.end()) {
    logger()->warn("task kill requested for an unknown service service={}", name);
    return false;
  }
  kills_[name].insert(task_arns.begin(), task_arns.end());
  return true;
}

boost::asio::awaitable<bool> ServiceController::sync_kills(const std::string& name, ClusterWatcher& w,
                                                           const std::string& cluster) {
  auto k = kills_.find(name);
  if (k == kills_.end()) co_return true;
  std::vector<policy::StopOrder> stops;
  {
    auto snapshot = w.model().snapshot(policy::encode_started_by(policy::WorkloadKey::service(name)), clock_());
    for (const auto& t : snapshot.tasks)
      if (t.is_live() && k->second.count(std::string(t.arn)))
        stops.push_back({std::string(t.arn), std::string(t.instance_arn), policy::StopCause::not_matching,
                         "berth: " + name + ": task killed through the API"});
  }
  kills_.erase(k);
  Execution done;
  co_await executor_.stop(w.model(), cluster, stops, done);
  stats_.tasks_stopped += done.stopped;
  logger()->info("stopped tasks killed through the API service={} stopped={}", name, done.stopped);
  co_return done.success;
}

std::vector<std::string> ServiceController::workloads_on(std::string_view cluster) const {
  return index_.on(cluster, policy::WorkloadKind::service);
}

std::vector<std::string> ServiceController::waiting_on(std::string_view cluster) const {
  std::vector<std::string> out;
  const std::string_view name = cluster_name_from_arn(cluster);
  for (const auto& [service, u] : unplaced_) {
    auto c = cluster_of_.find(service);
    if (u.count > 0 && c != cluster_of_.end() && c->second == name) out.push_back(service);
  }
  return out;
}

policy::UnplacedTasks ServiceController::unplaced(const std::string& name) const {
  auto it = unplaced_.find(name);
  return it == unplaced_.end() ? policy::UnplacedTasks{} : it->second;
}

void ServiceController::apply_settings(const config::SchedulerConfig& cfg) {
  settings_.launch_doubt.check_after = cfg.launch_doubt_check_after;
  settings_.launch_doubt.expire_after = cfg.launch_doubt_expire_after;
}

boost::asio::awaitable<SyncVerdict> ServiceController::sync_removed(const std::string& name,
                                                                    const std::string& cluster) {
  SyncVerdict verdict;
  auto* w = watchers_(cluster);
  if (w == nullptr) co_return verdict;
  if (!w->ready()) {
    verdict.success = false;  // retried until the model is known
    co_return verdict;
  }
  std::vector<policy::StopOrder> stops;
  {
    auto snapshot = w->model().snapshot(policy::encode_started_by(policy::WorkloadKey::service(name)), clock_());
    for (const auto& t : snapshot.tasks)
      if (t.is_live() && !t.arn.empty())
        stops.push_back({std::string(t.arn), std::string(t.instance_arn), policy::StopCause::not_matching,
                         "berth: " + name + ": service deleted"});
  }
  Execution done;
  co_await executor_.stop(w->model(), cluster, stops, done);
  stats_.tasks_stopped += done.stopped;
  verdict.success = done.success;
  logger()->info("stopped tasks of deleted service service={} stopped={}", name, done.stopped);
  co_return verdict;
}

boost::asio::awaitable<SyncVerdict> ServiceController::sync(std::string name) {
  ++stats_.syncs;
  auto verdict = co_await sync_service(name);
  if (!verdict.success) ++stats_.failures;
  co_return verdict;
}

boost::asio::awaitable<SyncVerdict> ServiceController::sync_service(const std::string& name) {
  SyncVerdict verdict;
  const auto key = policy::WorkloadKey::service(name);
  auto service = co_await store_.get_service(name);
  if (!service && service.error().code != store::StoreErrc::not_found) {
    logger()->error("store read failed service={} error=\"{}\"", name, service.error().message);
    verdict.success = false;
    co_return verdict;
  }
  if (auto rm = removals_.find(name); rm != removals_.end()) {
    if (!service) {  // still deleted (not re-created meanwhile)
      const std::string cluster = rm->second;
      auto out = co_await sync_removed(name, cluster);
      if (!out.success) co_return out;
    }
    removals_.erase(name);
  }
  if (!service) {
    forget(name);
    co_return verdict;
  }
  const auto& spec = service->spec;
  const std::string cluster(cluster_name_from_arn(spec.cluster));
  auto* w = watchers_(cluster);
  if (w == nullptr) {
    logger()->debug("service on an unmanaged cluster skipped service={} cluster={}", name, cluster);
    co_return verdict;
  }
  if (!w->ready()) co_return verdict;  // the end of the bootstrap enqueues every workload of the cluster
  const bool killed = co_await sync_kills(name, *w, cluster);
  if (!killed) {
    verdict.success = false;
    co_return verdict;
  }

  std::optional<policy::Deployment> deployment;
  if (!service->active_deployment_id.empty()) {
    auto d = co_await store_.get_service_deployment(service->active_deployment_id);
    if (!d) {
      verdict.success = false;
      co_return verdict;
    }
    deployment = std::move(*d);
  }
  auto planned = co_await plan(*service, deployment, /*observe=*/true);
  if (!planned) {
    verdict.success = false;  // the task definition is not known yet: retried with backoff
    co_return verdict;
  }
  const auto& plan = *planned;
  const auto now = clock_();
  auto& instance_backoff = instance_backoff_.try_emplace(name, settings_.instance_backoff).first->second;
  if (plan.error) {
    logger()->warn("service not planned service={} error=\"{}\"", name, *plan.error);
    co_return verdict;  // until the spec or the task definition changes
  }
  if (plan.unplaced.count > 0 && plan.unplaced.count != unplaced(name).count)
    logger()->info("service waits for capacity service={} unplaced={} message=\"{}\"", name, plan.unplaced.count,
                   plan.unplaced.message);
  unplaced_[name] = plan.unplaced;
  export_unplaced(name, plan.unplaced);
  add_wake(verdict, plan.next_wake);
  if (auto until = crash_backoff_.blocked_until(key, now)) add_wake(verdict, until);

  if (deployment && plan.rollout) {
    const bool replan = co_await record_progress(*service, *deployment, plan, now);
    if (replan) {
      verdict.requeue = true;  // a rollback changed the target: plan again instead of executing this plan
      co_return verdict;
    }
  }
  Execution done;
  co_await executor_.stop(w->model(), cluster, plan.stops, done);
  co_await executor_.start(w->model(), cluster, plan.starts, instance_backoff, settings_.launch_doubt, done);
  stats_.tasks_started += done.started;
  stats_.tasks_stopped += done.stopped;
  stats_.start_failures += done.start_failures;
  verdict.success = done.success;
  add_wake(verdict, done.wake_at);
  if (done.start_failures > 0) {
    for (const auto& b : plan.starts)
      for (const auto& i : b.instance_arns) add_wake(verdict, instance_backoff.blocked_until(i, clock_()));
    verdict.requeue = true;  // place the refused tasks elsewhere now (the model knows the refusal)
  }
  co_return verdict;
}

void ServiceController::export_unplaced(const std::string& name, const policy::UnplacedTasks& unplaced) {
  // Every reason, zeros included, set in place: series are only removed with the service (a removed series keeps
  // its storage in the registry, so re-creating them per plan would grow without bound).
  static constexpr std::string_view reasons[] = {policy::reason_cpu,          policy::reason_memory,
                                                 policy::reason_ports,        policy::reason_ports_udp,
                                                 policy::reason_constraint,   policy::reason_instance_status,
                                                 policy::reason_agent};
  for (auto reason : reasons) {
    auto gauge = registry_.gauge(unplaced_metric,
                                 "Rejections behind the unplaced tasks of the last plan of a service, by reason.",
                                 {{"service", name}, {"reason", std::string(reason)}});
    auto it = unplaced.reasons.find(std::string(reason));
    if (gauge) (*gauge)->set(it == unplaced.reasons.end() ? 0.0 : static_cast<double>(it->second));
  }
}

boost::asio::awaitable<std::optional<policy::ServicePlan>> ServiceController::plan(
    const policy::Service& service, const std::optional<policy::Deployment>& deployment, bool observe) {
  const auto& spec = service.spec;
  const auto& name = spec.name;
  const auto key = policy::WorkloadKey::service(name);
  auto* w = watchers_(spec.cluster);
  if (w == nullptr || !w->ready()) co_return std::nullopt;
  auto definition = co_await definitions_.ensure(spec.task_definition);
  if (!definition) {
    logger()->warn("task definition unknown service={} task_definition={} error=\"{}\"", name, spec.task_definition,
                   definition.error().message);
    co_return std::nullopt;
  }
  policy::ServicePlanOptions options;
  policy::KnownTaskDefinition known;
  known.task_definition = spec.task_definition;
  known.requirements.resources = policy::CpuMemory{definition->cpu, definition->memory};
  known.requirements.tcp_ports = definition->host_tcp_ports;
  known.requirements.udp_ports = definition->host_udp_ports;
  known.health_checked = definition->has_health_check;
  options.task_definitions.push_back(std::move(known));
  options.seed = std::hash<std::string>{}(name);
  // A dry run plans with copies of the backoff state: it must not count what it sees.
  policy::InstanceBackoff instance_copy(settings_.instance_backoff);
  if (auto it = instance_backoff_.find(name); it != instance_backoff_.end()) instance_copy = it->second;
  policy::WorkloadBackoff crash_copy = crash_backoff_;
  auto& instances = observe ? instance_backoff_.try_emplace(name, settings_.instance_backoff).first->second
                            : instance_copy;
  auto& crashes = observe ? crash_backoff_ : crash_copy;
  const auto now = clock_();
  // The snapshot views the model: plan synchronously, before any co_await can mutate it.
  auto snapshot = w->model().snapshot_all(now);
  instances.observe(snapshot, key, now);
  if (observe) crashes_.try_emplace(name, key).first->second.observe(snapshot, crashes, now);
  for (const auto& i : snapshot.instances)
    if (instances.blocked_until(i.arn, now)) options.penalized_instances.emplace_back(i.arn);
  co_return policy::compute_service_plan(snapshot, spec, deployment ? &*deployment : nullptr, crashes, now, options);
}

boost::asio::awaitable<std::optional<policy::ServicePlan>> ServiceController::dry_run(policy::Service service) {
  // The deployment the change would make: a new version deploys from scratch (pending), a scale keeps the one
  // in progress.
  std::optional<policy::Deployment> deployment;
  auto stored = co_await store_.get_service(service.spec.name);
  const bool new_version = !stored || policy::is_new_version(stored->spec, service.spec);
  if (new_version) {
    policy::Deployment d;
    d.id = "dry-run";
    d.environment = service.spec.name;
    d.task_definition = service.spec.task_definition;
    d.previous_task_definition = stored ? stored->spec.task_definition : std::string();
    d.desired_count = static_cast<std::uint32_t>(std::max(0, service.spec.desired_count));
    d.created_at = clock_();
    deployment = std::move(d);
  } else if (!stored->active_deployment_id.empty()) {
    auto d = co_await store_.get_service_deployment(stored->active_deployment_id);
    if (d) deployment = std::move(*d);
  }
  auto planned = co_await plan(service, deployment, /*observe=*/false);
  co_return planned;
}

boost::asio::awaitable<bool> ServiceController::record_progress(const policy::Service& service,
                                                                policy::Deployment deployment,
                                                                const policy::ServicePlan& plan, SystemTime now) {
  const auto& r = *plan.rollout;
  const policy::Deployment before = deployment;
  if (deployment.status == policy::DeploymentStatus::pending) {
    deployment.status = policy::DeploymentStatus::running;
    deployment.started_at = now;
  }
  deployment.updated_count = r.updated;
  deployment.failed_count = r.failed;
  const auto final_status = status_of(r.verdict);
  // A verdict is recorded once: a halted (failed) deployment is judged again on every sync, and rewriting its end
  // time each time would write the store on every event.
  if (final_status != policy::DeploymentStatus::running && before.status != final_status) {
    deployment.status = final_status;
    deployment.reason = r.reason;
    deployment.ended_at = now;
  }
  if (deployment == before) co_return false;
  auto stored = co_await store_.update_service_deployment(deployment);
  if (!stored) {
    // Superseded or deleted by an API call meanwhile: the store wins, the next sync plans from it.
    logger()->info("service deployment changed meanwhile service={} deployment={} detail=\"{}\"", service.spec.name,
                   deployment.id, stored.error().message);
    co_return true;
  }
  if (before.status != final_status) {  // counted once, when the verdict is first recorded
    if (final_status == policy::DeploymentStatus::completed) ++stats_.deployments_completed;
    if (final_status == policy::DeploymentStatus::failed) ++stats_.deployments_failed;
    if (final_status == policy::DeploymentStatus::rolled_back) ++stats_.rollbacks;
  }
  if (final_status != policy::DeploymentStatus::running && before.status != final_status) {
    logger()->info("service deployment finished service={} deployment={} version={} status={} updated={}/{} "
                   "reason=\"{}\"",
                   service.spec.name, deployment.id, deployment.version, policy::to_string(final_status), r.updated,
                   r.desired, r.reason);
  }
  co_return final_status == policy::DeploymentStatus::rolled_back;
}

}  // namespace berth::reactor
