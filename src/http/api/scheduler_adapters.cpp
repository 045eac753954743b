// File: src/http/api/scheduler_adapters.cpp — the cluster model as /v1 JSON; API writes as workload keys.
#include "http/api/scheduler_adapters.hpp"

#include "policy/daemon_plan.hpp"
#include "policy/ownership.hpp"

#include <set>

namespace berth::http::api {

namespace json = boost::json;

namespace {
const char* health_string(policy::HealthStatus h) {
  switch (h) {
    case policy::HealthStatus::healthy: return "HEALTHY";
    case policy::HealthStatus::unhealthy: return "UNHEALTHY";
    case policy::HealthStatus::unknown: break;
  }
  return "UNKNOWN";
}
}  // namespace

std::optional<json::array> SchedulerClusterView::list_instances(std::string_view cluster) const {
  const auto* model = scheduler_.model(cluster);
  if (model == nullptr) return std::nullopt;
  json::array out;
  model->for_each_instance([&](const policy::SnapshotInstance& i, std::int64_t version) {
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

std::optional<json::array> SchedulerClusterView::list_tasks(std::string_view cluster) const {
  const auto* model = scheduler_.model(cluster);
  if (model == nullptr) return std::nullopt;
  json::array out;
  model->for_each_task([&](const policy::SnapshotTask& t, std::int64_t version) {
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

std::optional<std::uint32_t> SchedulerClusterView::daemon_instances_without_task(const policy::Environment& env) const {
  if (!scheduler_.ready(env.cluster)) return std::nullopt;
  const auto* model = scheduler_.model(env.cluster);
  if (model == nullptr) return std::nullopt;
  const auto now = std::chrono::system_clock::now();
  // The same plan the reconciler makes, without an active deployment (health is judged outside rollouts) and
  // without backoff (an instance backing off still lacks its task): `desired` is where a task belongs.
  auto snapshot = model->snapshot(policy::encode_started_by(policy::WorkloadKey::daemon(env.name)), now);
  const policy::InstanceBackoff no_backoff;
  const auto plan = policy::compute_daemon_plan(snapshot, env, nullptr, no_backoff, now);
  if (plan.error) return std::nullopt;
  // Instances where a task of the environment is RUNNING and stays (not ordered to stop: duplicates, tasks on
  // instances that no longer match).
  std::set<std::string_view> stopping;
  for (const auto& s : plan.stops) stopping.insert(s.task_arn);
  std::set<std::string_view> running;
  for (const auto& t : snapshot.tasks) {
    if (t.last_status == policy::TaskStatus::running && t.is_live() && !stopping.count(t.arn)) {
      running.insert(t.instance_arn);
    }
  }
  const auto have = static_cast<std::uint32_t>(running.size());
  return plan.desired > have ? plan.desired - have : 0;
}

void SchedulerReconcile::mark_dirty(std::string_view environment) {
  scheduler_.mark_dirty(policy::WorkloadKey::daemon(std::string(environment)));
}

void SchedulerReconcile::terminate_tasks(std::string_view environment) {
  scheduler_.terminate(policy::WorkloadKey::daemon(std::string(environment)));
}

void SchedulerReconcile::mark_service_dirty(std::string_view service) {
  scheduler_.mark_dirty(policy::WorkloadKey::service(std::string(service)));
}

void SchedulerReconcile::terminate_service_tasks(std::string_view service) {
  scheduler_.terminate(policy::WorkloadKey::service(std::string(service)));
}

void SchedulerReconcile::kill_service_tasks(std::string_view service, const std::vector<std::string>& task_arns) {
  scheduler_.kill_service_tasks(std::string(service), task_arns);
}

boost::asio::awaitable<std::optional<policy::CpuMemory>> SchedulerClusterView::task_definition_size(
    std::string ref) const {
  auto size = co_await scheduler_.task_definition_size(std::move(ref));
  co_return size;
}

boost::json::object SchedulerClusterView::service_unplaced(std::string_view service) const {
  const auto u = scheduler_.service_unplaced(std::string(service));
  boost::json::object reasons;
  for (const auto& [reason, n] : u.reasons) reasons[reason] = n;
  return boost::json::object{{"count", u.count}, {"reasons", std::move(reasons)}, {"message", u.message}};
}

boost::asio::awaitable<std::optional<json::object>> SchedulerClusterView::plan_service(policy::Service service) const {
  auto plan = co_await scheduler_.dry_run_service(std::move(service));
  if (!plan) co_return std::nullopt;
  if (plan->error) co_return json::object{{"error", *plan->error}};
  json::array starts;
  for (const auto& batch : plan->starts)
    for (const auto& instance : batch.instance_arns)
      starts.push_back(json::object{{"instance", instance}, {"taskDefinition", batch.task_definition}});
  json::array stops;
  for (const auto& stop : plan->stops)
    stops.push_back(json::object{{"task", stop.task_arn}, {"instance", stop.instance_arn}, {"reason", stop.reason}});
  json::object reasons;
  for (const auto& [reason, n] : plan->unplaced.reasons) reasons[reason] = n;
  co_return json::object{{"starts", std::move(starts)},
                         {"stops", std::move(stops)},
                         {"unplaced", json::object{{"count", plan->unplaced.count},
                                                   {"reasons", std::move(reasons)},
                                                   {"message", plan->unplaced.message}}}};
}

bool SchedulerClusterState::for_each_instance(std::string_view cluster, const cluster_state::InstanceFn& fn) const {
  const auto* model = scheduler_.model(cluster);
  if (model == nullptr) return false;
  model->for_each_instance_change(
      [&](const policy::SnapshotInstance& i, std::uint64_t v) { fn(model->cluster_name(), i, v); });
  return true;
}

bool SchedulerClusterState::for_each_task(std::string_view cluster, const cluster_state::TaskFn& fn) const {
  const auto* model = scheduler_.model(cluster);
  if (model == nullptr) return false;
  model->for_each_task_change([&](const policy::SnapshotTask& t, std::uint64_t v) { fn(model->cluster_name(), t, v); });
  return true;
}

bool SchedulerClusterState::visit_instance(std::string_view cluster, std::string_view arn_or_id,
                                           const cluster_state::InstanceFn& fn) const {
  const auto* model = scheduler_.model(cluster);
  return model != nullptr && model->visit_instance(arn_or_id, [&](const policy::SnapshotInstance& i, std::uint64_t v) {
    fn(model->cluster_name(), i, v);
  });
}

bool SchedulerClusterState::visit_task(std::string_view cluster, std::string_view arn_or_id,
                                       const cluster_state::TaskFn& fn) const {
  const auto* model = scheduler_.model(cluster);
  return model != nullptr && model->visit_task(arn_or_id, [&](const policy::SnapshotTask& t, std::uint64_t v) {
    fn(model->cluster_name(), t, v);
  });
}

boost::asio::awaitable<std::optional<aws::ecs::ContainerInstance>> SchedulerClusterState::describe_instance(
    std::string cluster, std::string arn) {
  auto described = co_await scheduler_.describe_instance(std::move(cluster), std::move(arn));
  if (!described || described->items.empty()) co_return std::nullopt;
  co_return std::move(described->items.front());
}

boost::asio::awaitable<std::optional<aws::ecs::Task>> SchedulerClusterState::describe_task(std::string cluster,
                                                                                          std::string arn) {
  auto described = co_await scheduler_.describe_task(std::move(cluster), std::move(arn));
  if (!described || described->items.empty()) co_return std::nullopt;
  co_return std::move(described->items.front());
}

namespace {
template <typename Fn>
cluster_state::ChangeRead read_changes(const reactor::ChangeHistory& history, reactor::EntityKind kind,
                                       std::uint64_t after, std::size_t max, Fn&& each) {
  auto read = history.read(kind, after, max);
  for (const auto* change : read.changes) each(*change);
  return cluster_state::ChangeRead{read.too_old, read.scanned_through, history.oldest_kept()};
}
}  // namespace

cluster_state::ChangeRead SchedulerClusterState::read_instance_changes(std::uint64_t after, std::size_t max,
                                                                       const cluster_state::InstanceFn& fn) const {
  return read_changes(scheduler_.changes(), reactor::EntityKind::instance, after, max,
                      [&](const reactor::EntityChange& c) {
                        fn(c.cluster, std::get<reactor::InstanceEntity>(c.entity).view(), c.number);
                      });
}

cluster_state::ChangeRead SchedulerClusterState::read_task_changes(std::uint64_t after, std::size_t max,
                                                                   const cluster_state::TaskFn& fn) const {
  return read_changes(scheduler_.changes(), reactor::EntityKind::task, after, max, [&](const reactor::EntityChange& c) {
    fn(c.cluster, std::get<reactor::TaskEntity>(c.entity).view(), c.number);
  });
}

}  // namespace berth::http::api
