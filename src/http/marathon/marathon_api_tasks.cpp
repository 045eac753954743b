// File: src/http/marathon/marathon_api_tasks.cpp — Marathon's tasks, deployments, queue, info and leader over
// berth's model and store: tasks are the service's live ECS tasks, deployments its rollouts in progress, the
// queue its tasks waiting for capacity.
#include "http/marathon/marathon_api.hpp"

#include "http/api/api_json.hpp"
#include "http/api/api_json_fields.hpp"
#include "policy/ownership.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <map>

namespace berth::http::marathon {
namespace asio = boost::asio;
namespace json = boost::json;
using api::ApiRequest;
using api::ApiResponse;
using store::StoreErrc;
using namespace detail;

namespace {

std::string string_at(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::string app_id_of(const policy::Service& s) {
  auto app = stored_app(s.spec);
  return app ? std::string((*app)["id"].as_string()) : std::string();
}

json::object deployment_json(const policy::Deployment& d, const std::string& app_id) {
  const char* action = d.version <= 1 ? "StartApplication" : "RestartApplication";
  return json::object{
      {"id", d.id},
      {"version", api::format_time(d.created_at)},
      {"affectedApps", json::array{json::value(app_id)}},
      {"affectedPods", json::array{}},
      {"steps", json::array{json::object{{"actions", json::array{json::object{{"action", action}, {"app", app_id}}}}}}},
      {"currentActions",
       json::array{json::object{{"action", action}, {"app", app_id}, {"readinessCheckResults", json::array{}}}}},
      {"currentStep", 1},
      {"totalSteps", 1}};
}

// A count change through /v2 as Marathon lists it (examples/deployments.json: ScaleApplication).
json::object scale_deployment_json(const std::string& id, policy::SystemTime at, const std::string& app_id) {
  return json::object{
      {"id", id},
      {"version", api::format_time(at)},
      {"affectedApps", json::array{json::value(app_id)}},
      {"affectedPods", json::array{}},
      {"steps", json::array{json::object{
                    {"actions", json::array{json::object{{"action", "ScaleApplication"}, {"app", app_id}}}}}}},
      {"currentActions", json::array{json::object{{"action", "ScaleApplication"},
                                                  {"app", app_id},
                                                  {"readinessCheckResults", json::array{}}}}},
      {"currentStep", 1},
      {"totalSteps", 1}};
}

}  // namespace

std::vector<MarathonApi::LiveTask> MarathonApi::live_tasks(const policy::Service& service,
                                                           const std::string& version) const {
  std::vector<LiveTask> out;
  auto tasks = clusters_.list_tasks(service.spec.cluster);
  if (!tasks) return out;
  std::map<std::string, std::string> hosts;  // container instance ARN -> EC2 instance id
  if (auto instances = clusters_.list_instances(service.spec.cluster)) {
    for (const auto& i : *instances)
      if (const auto* o = i.if_object()) hosts[string_at(*o, "arn")] = string_at(*o, "ec2InstanceId");
  }
  const std::string started_by = policy::encode_started_by(policy::WorkloadKey::service(service.spec.name));
  const std::string app_id = app_id_of(service);
  for (const auto& t : *tasks) {
    const auto* o = t.if_object();
    if (!o || string_at(*o, "startedBy") != started_by || string_at(*o, "lastStatus") == "STOPPED") continue;
    const std::string arn = string_at(*o, "arn");
    const std::string instance = string_at(*o, "instance");
    json::object task{{"id", task_id_of(arn)},
                      {"appId", app_id},
                      {"host", hosts.count(instance) ? hosts[instance] : std::string()},
                      {"slaveId", task_id_of(instance)},
                      {"state", task_state(string_at(*o, "lastStatus"))},
                      {"ports", json::array{}},
                      {"servicePorts", json::array{}}};
    if (!version.empty()) task["version"] = version;
    const std::string health = string_at(*o, "health");
    if (health == "HEALTHY" || health == "UNHEALTHY") {
      task["healthCheckResults"] =
          json::array{json::object{{"alive", health == "HEALTHY"}, {"taskId", task_id_of(arn)}}};
    }
    out.push_back({arn, std::move(task)});
  }
  return out;
}

asio::awaitable<ApiResponse> MarathonApi::app_tasks(const std::string& id) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  const std::string version = co_await version_string(*found.service);
  json::array tasks;
  for (auto& t : live_tasks(*found.service, version)) tasks.push_back(std::move(t.json));
  co_return api::fields::json_response(200, json::object{{"tasks", std::move(tasks)}});
}

asio::awaitable<ApiResponse> MarathonApi::kill_and_scale(const ApiRequest& req, const std::string& name,
                                                         const std::vector<std::string>& arns) {
  const auto n = static_cast<std::int32_t>(arns.size());
  auto r = co_await write_app(
      name,
      [n](policy::Service s) -> std::variant<policy::Service, MarathonError> {
        s.spec.desired_count = std::max(0, s.spec.desired_count - n);
        return s;
      },
      query_true(req, "force"));
  if (r.status == 200 && !arns.empty()) reconcile_.kill_service_tasks(name, arns);
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::kill_app_task(const ApiRequest& req, const std::string& id,
                                                        const std::string& task_id) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  std::optional<LiveTask> task;
  for (auto& t : live_tasks(*found.service))
    if (t.json.at("id").as_string() == task_id || t.arn == task_id) task = std::move(t);
  if (!task) co_return message(404, "Task '" + task_id + "' does not exist");
  const std::string name = found.service->spec.name;
  if (query_true(req, "scale")) {
    // Marathon's kill-and-scale: one fewer instance, and this very task is the one that goes.
    const std::vector<std::string> arns{task->arn};
    auto r = co_await kill_and_scale(req, name, arns);
    co_return r;
  }
  reconcile_.kill_service_tasks(name, {task->arn});  // replaced by the next plan
  task->json["state"] = "TASK_KILLING";
  co_return api::fields::json_response(200, json::object{{"task", std::move(task->json)}});
}

asio::awaitable<ApiResponse> MarathonApi::kill_app_tasks(const ApiRequest& req, const std::string& id) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  const std::string name = found.service->spec.name;
  const auto host = req.query.count("host") ? req.query.at("host") : std::string();
  std::vector<LiveTask> chosen;
  for (auto& t : live_tasks(*found.service))
    if (host.empty() || t.json.at("host").as_string() == host) chosen.push_back(std::move(t));
  std::vector<std::string> arns;
  for (const auto& t : chosen) arns.push_back(t.arn);
  if (query_true(req, "scale")) {
    auto r = co_await kill_and_scale(req, name, arns);
    co_return r;
  }
  if (!arns.empty()) reconcile_.kill_service_tasks(name, arns);
  json::array killed;
  for (auto& t : chosen) {
    t.json["state"] = "TASK_KILLING";
    killed.push_back(std::move(t.json));
  }
  co_return api::fields::json_response(200, json::object{{"tasks", std::move(killed)}});
}

asio::awaitable<ApiResponse> MarathonApi::list_tasks(const ApiRequest& req, const Params&) {
  auto apps = co_await all_apps();
  if (!apps) co_return store_error(apps.error(), "", "list_services");
  std::string status;
  if (auto it = req.query.find("status"); it != req.query.end()) {
    status = "TASK_" + it->second;
    std::transform(status.begin(), status.end(), status.begin(), [](unsigned char c) { return std::toupper(c); });
  }
  json::array tasks;
  for (const auto& s : *apps) {
    const std::string version = co_await version_string(s);
    for (auto& t : live_tasks(s, version))
      if (status.empty() || t.json.at("state").as_string() == status) tasks.push_back(std::move(t.json));
  }
  co_return api::fields::json_response(200, json::object{{"tasks", std::move(tasks)}});
}

asio::awaitable<ApiResponse> MarathonApi::delete_tasks(const ApiRequest& req, const Params&) {
  if (req.body.size() > options_.max_body_bytes)
    co_return message(413, "Request body exceeds " + std::to_string(options_.max_body_bytes) + " bytes");
  boost::system::error_code ec;
  auto body = json::parse(req.body, ec);
  const auto* o = ec ? nullptr : body.if_object();
  const auto* ids = o ? o->if_contains("ids") : nullptr;
  if (!ids || !ids->is_array() ||
      !std::all_of(ids->as_array().begin(), ids->as_array().end(), [](const json::value& v) { return v.is_string(); }))
    co_return error_response(MarathonError{400, "Invalid JSON", {{"/ids", {"error.expected.jsarray of strings"}}}});
  auto apps = co_await all_apps();
  if (!apps) co_return store_error(apps.error(), "", "list_services");
  // Every id must be a live task of an app: nothing is killed otherwise.
  std::map<std::string, std::vector<LiveTask>> by_service;
  for (const auto& wanted : ids->as_array()) {
    bool known = false;
    for (const auto& s : *apps) {
      for (auto& t : live_tasks(s)) {
        if (t.json.at("id").as_string() != wanted.as_string()) continue;
        by_service[s.spec.name].push_back(std::move(t));
        known = true;
        break;
      }
      if (known) break;
    }
    if (!known) co_return message(400, "Invalid task id " + std::string(wanted.as_string()));
  }
  if (query_true(req, "scale")) {
    ApiResponse last = deployment_result(200, api::format_time(clock_()), new_id_());
    for (const auto& [name, tasks] : by_service) {
      std::vector<std::string> arns;
      for (const auto& t : tasks) arns.push_back(t.arn);
      last = co_await kill_and_scale(req, name, arns);
      if (last.status != 200) co_return last;
    }
    co_return last;
  }
  json::array killed;
  for (auto& [name, tasks] : by_service) {
    std::vector<std::string> arns;
    for (auto& t : tasks) {
      arns.push_back(t.arn);
      t.json["state"] = "TASK_KILLING";
      killed.push_back(std::move(t.json));
    }
    reconcile_.kill_service_tasks(name, arns);
  }
  co_return api::fields::json_response(200, json::object{{"tasks", std::move(killed)}});
}

asio::awaitable<ApiResponse> MarathonApi::list_deployments(const ApiRequest&, const Params&) {
  auto apps = co_await all_apps();
  if (!apps) co_return store_error(apps.error(), "", "list_services");
  json::array out;
  for (const auto& s : *apps) {
    if (const auto* scale = scale_in_progress(s)) out.push_back(scale_deployment_json(scale->id, scale->at, app_id_of(s)));
    if (s.active_deployment_id.empty()) continue;
    auto d = co_await store_.get_service_deployment(s.active_deployment_id);
    if (!d) {
      if (d.error().code == StoreErrc::not_found) continue;
      co_return store_error(d.error(), app_id_of(s), "get_service_deployment");
    }
    out.push_back(deployment_json(*d, app_id_of(s)));
  }
  co_return api::fields::json_response(200, std::move(out));
}

asio::awaitable<ApiResponse> MarathonApi::delete_deployment(const ApiRequest& req, const Params& p) {
  const std::string& id = p.at("id");
  auto apps = co_await all_apps();
  if (!apps) co_return store_error(apps.error(), "", "list_services");
  const policy::Service* owner = nullptr;
  for (const auto& s : *apps)
    if (s.active_deployment_id == id) owner = &s;
  for (const auto& [name, scale] : scales_) {
    if (scale.id != id) continue;
    const ScaleDeployment copy = scale;  // delete_scale changes scales_
    const std::string service = name;
    co_return co_await delete_scale(req, service, copy);
  }
  if (owner == nullptr) co_return message(404, "DeploymentPlan " + id + " does not exist");
  auto d = co_await store_.get_service_deployment(id);
  if (!d) co_return message(404, "DeploymentPlan " + id + " does not exist");
  const std::string name = owner->spec.name;
  if (query_true(req, "force")) {
    // Canceled, not rolled back: the deployment ends (failed, "canceled"); the tasks stay as they are.
    policy::Deployment canceled = *d;
    canceled.status = policy::DeploymentStatus::failed;
    canceled.reason = "canceled through Marathon's DELETE /v2/deployments?force=true";
    canceled.ended_at = clock_();
    auto written = co_await store_.update_service_deployment(std::move(canceled));
    if (!written) co_return store_error(written.error(), app_id_of(*owner), "update_service_deployment");
    reconcile_.mark_service_dirty(name);
    ApiResponse r;
    r.status = 202;
    co_return r;
  }
  // Rolled back: a new deployment of the version before the one this deployment rolls out (Marathon reverts the
  // change); the first version has none before it, so reverting its start scales the app to 0.
  auto versions = co_await store_.list_service_versions(name);
  if (!versions) co_return store_error(versions.error(), app_id_of(*owner), "list_service_versions");
  const policy::ServiceVersion* previous = nullptr;
  for (const auto& v : *versions)
    if (v.version < d->version && (previous == nullptr || v.version > previous->version)) previous = &v;
  std::optional<policy::ServiceSpec> target;
  if (previous) target = previous->spec;
  auto r = co_await write_app(
      name,
      [&target](policy::Service s) -> std::variant<policy::Service, MarathonError> {
        if (!target) {
          s.spec.desired_count = 0;
          return s;
        }
        policy::ServiceSpec spec = *target;
        spec.name = s.spec.name;
        spec.cluster = s.spec.cluster;
        spec.desired_count = s.spec.desired_count;
        s.spec = std::move(spec);
        return s;
      },
      /*force=*/true);
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::queue(const ApiRequest&, const Params&) {
  auto apps = co_await all_apps();
  if (!apps) co_return store_error(apps.error(), "", "list_services");
  json::array out;
  for (const auto& s : *apps) {
    auto unplaced = clusters_.service_unplaced(s.spec.name);
    const auto* count = unplaced.if_contains("count");
    const std::int64_t n = count && count->is_number() ? count->to_number<std::int64_t>() : 0;
    if (n <= 0) continue;
    const std::string version = co_await version_string(s);
    out.push_back(json::object{{"app", app_json(s, version)},
                               {"count", n},
                               {"delay", json::object{{"timeLeftSeconds", 0}, {"overdue", true}}},
                               {"since", api::format_time(s.updated_at)},
                               {"berthUnplaced", std::move(unplaced)}});
  }
  co_return api::fields::json_response(200, json::object{{"queue", std::move(out)}});
}

asio::awaitable<ApiResponse> MarathonApi::info(const ApiRequest&, const Params&) {
  const std::string leader = options_.leader ? options_.leader() : std::string();
  std::int64_t port = 0;
  if (auto colon = leader.rfind(':'); colon != std::string::npos) {
    try {
      port = std::stoll(leader.substr(colon + 1));
    } catch (const std::exception&) {
      port = 0;
    }
  }
  co_return api::fields::json_response(
      200, json::object{{"name", "marathon"},
                        {"version", "1.5.0"},
                        {"elected", true},
                        {"leader", leader},
                        {"frameworkId", "berth-" + options_.berth_version},
                        {"marathon_config", json::object{{"master", "ecs"},
                                                         {"framework_name", "berth"},
                                                         {"ha", false},
                                                         {"checkpoint", true},
                                                         {"hostname", leader.substr(0, leader.rfind(':'))},
                                                         {"webui_url", nullptr},
                                                         {"mesos_role", nullptr}}},
                        {"zookeeper_config", json::object{}},
                        {"event_subscriber", nullptr},
                        {"http_config", json::object{{"http_port", port}}}});
}

asio::awaitable<ApiResponse> MarathonApi::leader(const ApiRequest&, const Params&) {
  const std::string leader = options_.leader ? options_.leader() : std::string();
  if (leader.empty()) co_return message(404, "There is no leader");
  co_return api::fields::json_response(200, json::object{{"leader", leader}});
}

}  // namespace berth::http::marathon
