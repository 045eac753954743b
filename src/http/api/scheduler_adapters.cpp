// File: src/http/api/scheduler_adapters.cpp — the cluster model as /v1 JSON; API writes as workload keys.
#include "http/api/scheduler_adapters.hpp"

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

}  // namespace berth::http::api
