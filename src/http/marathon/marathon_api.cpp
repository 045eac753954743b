// File: src/http/marathon/marathon_api.cpp — Marathon's /v2/apps over berth's services: routing (ids with
// slashes), create, read, partial update, delete, restart and versions. Tasks, deployments, queue and info are in
// marathon_api_tasks.cpp.
#include "http/marathon/marathon_api.hpp"

#include "http/api/api_json.hpp"
#include "http/api/api_json_fields.hpp"
#include "http/api/api_service_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace berth::http::marathon {
namespace asio = boost::asio;
namespace json = boost::json;
using api::ApiRequest;
using api::ApiResponse;
using store::StoreErrc;
using namespace detail;

namespace {

// An app id of up to this many segments, plus "tasks/{taskId}" or "versions/{version}".
constexpr int max_id_depth = 8;

std::vector<std::string> path_segments(std::string_view path) {
  std::vector<std::string> out;
  for (auto segment : split_path(path)) {
    auto decoded = percent_decode(segment, false);
    out.push_back(decoded ? *decoded : std::string(segment));
  }
  return out;
}

std::string join_id(const std::vector<std::string>& segments, std::size_t from, std::size_t to) {
  std::string id;
  for (std::size_t i = from; i < to; ++i) id += "/" + segments[i];
  return id;
}

// The berth-private part of a spec's front metadata (the restart marker), carried over an app update.
json::value berth_part(const std::string& metadata) {
  boost::system::error_code ec;
  auto v = json::parse(metadata, ec);
  if (ec || !v.is_object()) return nullptr;
  if (const auto* b = v.as_object().if_contains("berth")) return *b;
  return nullptr;
}

std::string with_berth_part(const std::string& metadata, const json::value& part) {
  if (part.is_null()) return metadata;
  boost::system::error_code ec;
  auto v = json::parse(metadata, ec);
  if (ec || !v.is_object()) return metadata;
  v.as_object()["berth"] = part;
  return json::serialize(v);
}

std::optional<ApiResponse> read_body(const ApiRequest& req, std::size_t max_bytes, json::object& out) {
  if (req.body.size() > max_bytes)
    return message(413, "Request body exceeds " + std::to_string(max_bytes) + " bytes");
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) {
    return error_response(MarathonError{400, "Invalid JSON", {{"/", {"error.invalid.json: " + ec.message()}}}});
  }
  if (!v.is_object())
    return error_response(MarathonError{400, "Invalid JSON", {{"/", {"error.expected.jsobject"}}}});
  out = std::move(v.as_object());
  return std::nullopt;
}

ApiResponse locked(const std::string& deployment_id) {
  return api::fields::json_response(409,
                                    json::object{{"message",
                                                  "App is locked by one or more deployments. Override with the option "
                                                  "'?force=true'. View details at '/v2/deployments/" +
                                                      deployment_id + "'."},
                                                 {"deployments", json::array{json::object{{"id", deployment_id}}}}});
}

}  // namespace

namespace detail {

ApiResponse message(int status, std::string text) {
  return api::fields::json_response(status, json::object{{"message", std::move(text)}});
}

ApiResponse error_response(const MarathonError& e) {
  return api::fields::json_response(e.status, error_body(e));
}

ApiResponse app_not_found(const std::string& id) { return message(404, "App '" + id + "' does not exist"); }

bool query_true(const ApiRequest& req, const std::string& key) {
  auto it = req.query.find(key);
  return it != req.query.end() && (it->second == "true" || it->second.empty());
}

ApiResponse deployment_result(int status, const std::string& version, const std::string& deployment_id) {
  auto r = api::fields::json_response(status, json::object{{"version", version}, {"deploymentId", deployment_id}});
  r.headers.emplace_back("Marathon-Deployment-Id", deployment_id);
  return r;
}

}  // namespace detail

MarathonApi::MarathonApi(store::DesiredStateStore& store, const api::ClusterView& clusters, api::Reconcile& reconcile,
                         api::ApiClock clock, api::IdGenerator new_id, MarathonOptions options)
    : store_(store),
      clusters_(clusters),
      reconcile_(reconcile),
      clock_(std::move(clock)),
      new_id_(std::move(new_id)),
      options_(std::move(options)) {}

const std::vector<MarathonApi::Route>& MarathonApi::routes() {
  static const std::vector<Route> table = [] {
    std::vector<Route> t = {
        {Verb::get, "/v2/apps", &MarathonApi::list_apps},
        {Verb::post, "/v2/apps", &MarathonApi::create_app},
        {Verb::get, "/v2/tasks", &MarathonApi::list_tasks},
        {Verb::post, "/v2/tasks/delete", &MarathonApi::delete_tasks},
        {Verb::get, "/v2/deployments", &MarathonApi::list_deployments},
        {Verb::delete_, "/v2/deployments/{id}", &MarathonApi::delete_deployment},
        {Verb::get, "/v2/queue", &MarathonApi::queue},
        {Verb::get, "/v2/info", &MarathonApi::info},
        {Verb::get, "/v2/leader", &MarathonApi::leader},
    };
    // /v2/apps/{id...}[/tasks[/{taskId}] | /versions[/{version}] | /restart]: the handler splits the id from
    // the sub-resource (the id has any depth, up to max_id_depth).
    for (Verb v : {Verb::get, Verb::put, Verb::delete_, Verb::post}) t.push_back({v, "/v2/apps/{path...}", &MarathonApi::app_path});
    return t;
  }();
  return table;
}

asio::awaitable<ApiResponse> MarathonApi::handle(const ApiRequest& request) {
  static const RouteTable table = [] {
    RouteTable t;
    for (const auto& route : routes()) t.add(route.method, route.pattern);
    return t;
  }();
  auto m = table.match(boost::beast::http::string_to_verb(request.method), request.path);
  if (m.route) {
    co_await refresh_scales();
    auto r = co_await run(routes()[*m.route], request, m.params);
    co_return r;
  }
  if (m.allow.empty()) co_return message(404, no_route_message(request.path));
  auto r = message(405, method_not_allowed_message(request.method, request.path, m.allow));
  r.headers.emplace_back("Allow", m.allow);
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::run(const Route& route, const ApiRequest& request, const Params& params) {
  try {
    auto r = co_await (this->*route.handler)(request, params);
    co_return r;
  } catch (const std::exception& e) {
    spdlog::error("marathon_api unexpected_exception method={} path={} what={}", request.method, request.path,
                  e.what());
    co_return message(500, "Internal Server Error");
  }
}

ApiResponse MarathonApi::store_error(const store::StoreError& e, const std::string& id, std::string_view what) const {
  switch (e.code) {
    case StoreErrc::not_found: return app_not_found(id);
    case StoreErrc::already_exists: return message(409, "An app with id [" + id + "] already exists.");
    case StoreErrc::conflict: return message(409, "App '" + id + "' changed while it was being written; retry.");
    case StoreErrc::busy: {
      auto r = message(503, "The state store is busy; retry.");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    default: break;
  }
  spdlog::error("marathon_api store_failure op={} id={} error=\"{}\"", what, id, e.message);
  return message(500, "Internal Server Error");
}

policy::Deployment MarathonApi::next_deployment(const std::string& service) {
  return api::new_service_deployment(service, new_id_(), clock_());
}

std::vector<std::string> MarathonApi::known_clusters() const { return clusters_.clusters(); }

asio::awaitable<store::StoreResult<std::vector<policy::Service>>> MarathonApi::all_apps() {
  auto all = co_await store_.list_services("");
  if (!all) co_return all;
  std::vector<policy::Service> apps;
  for (auto& s : *all)
    if (stored_app(s.spec)) apps.push_back(std::move(s));
  co_return apps;
}

asio::awaitable<MarathonApi::Found> MarathonApi::find_app(const std::string& id) {
  Found out;
  auto canonical = canonical_app_id(id);
  auto name = canonical ? service_name_for(*canonical) : std::nullopt;
  if (!name) {
    out.error = app_not_found(id);
    co_return out;
  }
  auto s = co_await store_.get_service(*name);
  if (!s) {
    out.error = store_error(s.error(), *canonical, "get_service");
    co_return out;
  }
  auto app = stored_app(s->spec);
  if (!app || (*app)["id"] != json::value(*canonical)) {
    out.error = app_not_found(*canonical);
    co_return out;
  }
  out.service = std::move(*s);
  co_return out;
}

asio::awaitable<std::string> MarathonApi::version_string(const policy::Service& service) {
  auto versions = co_await store_.list_service_versions(service.spec.name);
  if (versions) {
    for (const auto& v : *versions)
      if (v.version == service.version) co_return api::format_time(v.created_at);
  }
  co_return api::format_time(service.updated_at);
}

asio::awaitable<std::optional<json::object>> MarathonApi::app_for_event(const policy::Service& service) {
  if (!stored_app(service.spec)) co_return std::nullopt;
  const std::string version = co_await version_string(service);
  co_return app_json(service, version);
}

json::object MarathonApi::app_json(const policy::Service& service, const std::string& version,
                                   bool with_tasks) const {
  auto app = *stored_app(service.spec);
  const auto tasks = live_tasks(service, version);
  std::int64_t staged = 0, running = 0, healthy = 0, unhealthy = 0;
  for (const auto& t : tasks) {
    const auto& o = t.json;
    const auto state = o.at("state").as_string();
    if (state == "TASK_RUNNING") ++running;
    else if (state == "TASK_STAGING" || state == "TASK_STARTING") ++staged;
    if (const auto* h = o.if_contains("healthCheckResults"); h && h->is_array() && !h->as_array().empty()) {
      if (h->as_array()[0].as_object().at("alive").as_bool()) ++healthy;
      else ++unhealthy;
    }
  }
  app["version"] = version;
  app["versionInfo"] = json::object{{"lastScalingAt", version}, {"lastConfigChangeAt", version}};
  app["tasksStaged"] = staged;
  app["tasksRunning"] = running;
  app["tasksHealthy"] = healthy;
  app["tasksUnhealthy"] = unhealthy;
  json::array deployments;
  if (!service.active_deployment_id.empty()) deployments.push_back(json::object{{"id", service.active_deployment_id}});
  if (const auto* scale = scale_in_progress(service, tasks)) deployments.push_back(json::object{{"id", scale->id}});
  app["deployments"] = std::move(deployments);
  if (with_tasks) {
    json::array embedded;
    for (const auto& t : tasks) embedded.push_back(t.json);
    app["tasks"] = std::move(embedded);
  }
  return app;
}

asio::awaitable<ApiResponse> MarathonApi::list_apps(const ApiRequest& req, const Params&) {
  auto apps = co_await all_apps();
  if (!apps) co_return store_error(apps.error(), "", "list_services");
  const auto id_filter = req.query.count("id") ? req.query.at("id") : std::string();
  const auto cmd_filter = req.query.count("cmd") ? req.query.at("cmd") : std::string();
  const auto label_filter = req.query.count("label") ? req.query.at("label") : std::string();
  // embed (repeatable): apps.tasks, or apps.failures (its shorthand with counts and deployments, which berth
  // always embeds); the other values add nothing berth has (readiness, lastTaskFailure, taskStats).
  bool with_tasks = false;
  for (const auto& e : http::query_values(req.raw_query, "embed"))
    with_tasks = with_tasks || e == "apps.tasks" || e == "apps.failures";
  json::array out;
  for (const auto& s : *apps) {
    const std::string version = co_await version_string(s);
    auto app = app_json(s, version, with_tasks);
    if (!id_filter.empty() && std::string(app["id"].as_string()).find(id_filter) == std::string::npos) continue;
    if (!cmd_filter.empty() && s.spec.task_definition.find(cmd_filter) == std::string::npos) continue;
    if (!label_filter.empty()) {
      // Marathon's selectors, the equality and existence forms: "key", "key==value", "key!=value" (all must hold).
      bool ok = true;
      const auto* labels = app.if_contains("labels");
      std::size_t i = 0;
      while (ok && i <= label_filter.size()) {
        auto comma = label_filter.find(',', i);
        if (comma == std::string::npos) comma = label_filter.size();
        std::string sel = label_filter.substr(i, comma - i);
        sel.erase(0, sel.find_first_not_of(' '));
        sel.erase(sel.find_last_not_of(' ') + 1);
        i = comma + 1;
        if (sel.empty()) continue;
        auto lookup = [&](const std::string& key) -> const json::value* {
          return labels && labels->is_object() ? labels->as_object().if_contains(key) : nullptr;
        };
        if (auto p = sel.find("!="); p != std::string::npos) {
          const auto* v = lookup(sel.substr(0, p));
          ok = v && *v != json::value(sel.substr(p + 2));
        } else if (auto q = sel.find("=="); q != std::string::npos) {
          const auto* v = lookup(sel.substr(0, q));
          ok = v && *v == json::value(sel.substr(q + 2));
        } else {
          ok = lookup(sel) != nullptr;
        }
      }
      if (!ok) continue;
    }
    out.push_back(std::move(app));
  }
  co_return api::fields::json_response(200, json::object{{"apps", std::move(out)}});
}

asio::awaitable<ApiResponse> MarathonApi::create_app(const ApiRequest& req, const Params&) {
  json::object body;
  if (auto refused = read_body(req, options_.max_body_bytes, body)) co_return *refused;
  auto r = co_await create(body, std::nullopt);
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::create(const json::object& body, const std::optional<std::string>& path_id) {
  // cpus/mem are compared with the task definition when cmd names one ECS knows.
  TaskDefinitionSize size;
  if (const auto* cmd = body.if_contains("cmd"); cmd && cmd->is_string()) {
    auto known = co_await clusters_.task_definition_size(std::string(cmd->get_string()));
    if (known) size = TaskDefinitionSize{known->cpu, known->memory};
  }
  auto mapped = app_to_service(body, path_id, known_clusters(), size);
  if (auto* e = std::get_if<MarathonError>(&mapped)) co_return error_response(*e);
  auto& app = std::get<MappedApp>(mapped);
  policy::Service service;
  service.spec = std::move(app.spec);
  service.spec.deployment.min_healthy_seconds = 0;  // Marathon: a task is ready once running (and healthy)
  service.created_at = service.updated_at = clock_();
  const std::string name = service.spec.name;
  auto created = co_await store_.create_service(std::move(service), next_deployment(name));
  if (!created) co_return store_error(created.error(), app.app_id, "create_service");
  reconcile_.mark_service_dirty(name);
  for (const auto& w : app.warnings) spdlog::warn("marathon_api app={} warning=\"{}\"", app.app_id, w);
  const std::string version = co_await version_string(created->service);
  auto out = app_json(created->service, version);
  if (!app.warnings.empty()) {
    json::array warnings;
    for (const auto& w : app.warnings) warnings.emplace_back(w);
    out["warnings"] = std::move(warnings);
  }
  auto r = api::fields::json_response(201, std::move(out));
  r.headers.emplace_back("Location", "/v2/apps" + app.app_id);
  if (created->deployment) r.headers.emplace_back("Marathon-Deployment-Id", created->deployment->id);
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::app_path(const ApiRequest& req, const Params&) {
  const auto segments = path_segments(req.path);  // "v2", "apps", ...
  const std::size_t n = segments.size();
  if (n < 3) co_return message(404, no_route_message(req.path));
  auto from_end = [&](std::size_t k) -> const std::string& { return segments[n - k]; };
  const std::string& method = req.method;
  // The id runs from segment 2 to the sub-resource, if any (Marathon reads "{id:.+}/tasks" the same way). Ids
  // are named before the co_await: GCC 12 mishandles temporaries passed to a coroutine by reference.
  const std::string whole = join_id(segments, 2, n);
  const std::string but_last = join_id(segments, 2, n - 1);
  const std::string but_two = n >= 4 ? join_id(segments, 2, n - 2) : std::string();
  const bool id_too_deep = static_cast<int>(n - 2) > max_id_depth;
  if (method == "GET") {
    if (n >= 4 && from_end(1) == "tasks") {
      auto r = co_await app_tasks(but_last);
      co_return r;
    }
    if (n >= 4 && from_end(1) == "versions") {
      auto r = co_await app_versions(but_last, std::nullopt);
      co_return r;
    }
    if (n >= 5 && from_end(2) == "versions") {
      const std::optional<std::string> version = from_end(1);
      auto r = co_await app_versions(but_two, version);
      co_return r;
    }
    if (id_too_deep) co_return message(404, no_route_message(req.path));
    auto r = co_await get_app(whole);
    co_return r;
  }
  if (method == "POST") {
    if (n >= 4 && from_end(1) == "restart") {
      auto r = co_await restart_app(req, but_last);
      co_return r;
    }
    auto r = message(405, method_not_allowed_message(method, req.path, "GET, PUT, DELETE"));
    r.headers.emplace_back("Allow", "GET, PUT, DELETE");
    co_return r;
  }
  if (method == "DELETE") {
    if (n >= 5 && from_end(2) == "tasks") {
      auto r = co_await kill_app_task(req, but_two, from_end(1));
      co_return r;
    }
    if (n >= 4 && from_end(1) == "tasks") {
      auto r = co_await kill_app_tasks(req, but_last);
      co_return r;
    }
    auto r = co_await delete_app(req, whole);
    co_return r;
  }
  if (id_too_deep) co_return message(404, no_route_message(req.path));
  auto r = co_await put_app(req, whole);  // PUT
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::get_app(const std::string& id) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  const std::string version = co_await version_string(*found.service);
  // Marathon's single GET embeds the tasks whatever `embed` says ("deprecated. For compatibility.").
  co_return api::fields::json_response(200, json::object{{"app", app_json(*found.service, version, true)}});
}

asio::awaitable<ApiResponse> MarathonApi::write_app(
    const std::string& name, std::function<std::variant<policy::Service, MarathonError>(policy::Service)> change,
    bool force, int status) {
  std::optional<MarathonError> refused;
  std::optional<std::string> locked_by;  // the deployment in progress that refused the write (without force)
  std::optional<std::int32_t> count_before;
  auto result = co_await api::write_service(
      store_, name,
      [&](policy::Service s) -> api::ApiResult<policy::Service> {
        if (!force) locked_by = lock_holder(s);
        if (locked_by) return api::ApiError{409, "conflict", "locked"};
        count_before = s.spec.desired_count;
        auto next = change(std::move(s));
        if (auto* e = std::get_if<MarathonError>(&next)) {
          refused = *e;
          return api::ApiError{e->status, "refused", e->message};
        }
        return std::get<policy::Service>(std::move(next));
      },
      std::nullopt, clock_(), [this, &name] { return next_deployment(name); });
  if (result.refused && locked_by) co_return locked(*locked_by);
  if (result.refused && refused) co_return error_response(*refused);
  if (result.refused) co_return message(result.refused->status, result.refused->message);
  if (!result.written) co_return store_error(result.written.error(), name, "update_service");
  reconcile_.mark_service_dirty(name);
  // A count change makes no berth deployment: its id is listed as a ScaleApplication deployment until the tasks
  // match the count, so a client waiting for it to leave /v2/deployments waits for the scale, as on Marathon. A
  // new version's deployment supersedes it (berth's deployment brings the count too).
  const auto& written = result.written->service;
  std::string deployment_id;
  if (result.written->deployment) {
    deployment_id = result.written->deployment->id;
    co_await forget_scale(name);
  } else {
    deployment_id = new_id_();
    if (count_before && *count_before != written.spec.desired_count) {
      ScaleDeployment scale{deployment_id, *count_before, written.spec.desired_count, clock_(), 0};
      co_await save_scale(name, std::move(scale));
    }
  }
  const std::string version = co_await version_string(result.written->service);
  co_return deployment_result(status, version, deployment_id);
}

asio::awaitable<ApiResponse> MarathonApi::put_app(const ApiRequest& req, const std::string& id) {
  json::object body;
  if (auto refused = read_body(req, options_.max_body_bytes, body)) co_return *refused;
  auto canonical = canonical_app_id(id);
  if (!canonical) {
    co_return error_response(invalid_object({{"/id", {"path segments must be lowercase letters, digits, '-' and "
                                                      "'.', starting and ending with a letter or digit"}}}));
  }
  TaskDefinitionSize size;
  if (const auto* cmd = body.if_contains("cmd"); cmd && cmd->is_string()) {
    auto known = co_await clusters_.task_definition_size(std::string(cmd->get_string()));
    if (known) size = TaskDefinitionSize{known->cpu, known->memory};
  }
  auto found = co_await find_app(*canonical);
  if (!found.service) {
    if (found.error && found.error->status != 404) co_return *found.error;
    // Marathon's PUT creates an app that does not exist.
    auto created = co_await create(body, *canonical);
    if (created.status != 201) co_return created;
    std::string deployment_id;
    for (const auto& [k, v] : created.headers)
      if (k == "Marathon-Deployment-Id") deployment_id = v;
    auto r = deployment_result(201, created.body.as_object().at("version").as_string().c_str(), deployment_id);
    r.headers.emplace_back("Location", "/v2/apps" + *canonical);
    co_return r;
  }
  const std::vector<std::string> clusters = known_clusters();
  auto answer_ = co_await write_app(
      found.service->spec.name,
      [&](policy::Service s) -> std::variant<policy::Service, MarathonError> {
        // Marathon's partial update: the body's fields over the app as stored.
        auto merged = stored_app(s.spec).value_or(json::object{});
        for (const auto& kv : body) merged[kv.key()] = kv.value();
        auto mapped = app_to_service(merged, *canonical, clusters, size);
        if (auto* e = std::get_if<MarathonError>(&mapped)) return *e;
        auto& app = std::get<MappedApp>(mapped);
        if (app.spec.cluster != s.spec.cluster)
          return invalid_object({{"/labels/berth.cluster", {"an app cannot move to another cluster"}}});
        app.spec.deployment.min_healthy_seconds = s.spec.deployment.min_healthy_seconds;
        app.spec.deployment.progress_deadline_seconds = s.spec.deployment.progress_deadline_seconds;
        app.spec.deployment.circuit_breaker = s.spec.deployment.circuit_breaker;
        app.spec.front_metadata = with_berth_part(app.spec.front_metadata, berth_part(s.spec.front_metadata));
        s.spec = std::move(app.spec);
        return s;
      },
      query_true(req, "force"));
  co_return answer_;
}

asio::awaitable<ApiResponse> MarathonApi::delete_app(const ApiRequest& req, const std::string& id) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  const std::string name = found.service->spec.name;
  const std::string app_id = std::string((*stored_app(found.service->spec))["id"].as_string());
  store::StoreResult<policy::Service> deleted = store::StoreError{StoreErrc::conflict, "not attempted"};
  for (int attempt = 0; attempt < 3 && !deleted && deleted.error().code == StoreErrc::conflict; ++attempt) {
    auto current = co_await store_.get_service(name);
    if (!current) co_return store_error(current.error(), app_id, "get_service");
    if (!query_true(req, "force")) {
      if (auto holder = lock_holder(*current)) co_return locked(*holder);
    }
    deleted = co_await store_.delete_service(name, current->revision);
  }
  if (!deleted) co_return store_error(deleted.error(), app_id, "delete_service");
  reconcile_.terminate_service_tasks(name);  // Marathon stops a deleted app's tasks
  co_await forget_scale(name);
  reconcile_.mark_service_dirty(name);
  co_return deployment_result(200, api::format_time(clock_()), new_id_());
}

asio::awaitable<ApiResponse> MarathonApi::restart_app(const ApiRequest& req, const std::string& id) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  const std::string name = found.service->spec.name;
  const auto now = clock_();
  // A restart is a new version (the marker makes it new) and so a deployment; the app's spec replaces every
  // task on a deployment (ServiceSpec::replace_every_task), so the tasks are replaced rolling, within
  // upgradeStrategy's bounds, as Marathon restarts.
  auto r = co_await write_app(
      name,
      [&](policy::Service s) -> std::variant<policy::Service, MarathonError> {
        s.spec.front_metadata =
            with_berth_part(s.spec.front_metadata, json::object{{"restartedAt", api::format_time(now)}});
        return s;
      },
      query_true(req, "force"));
  co_return r;
}

asio::awaitable<ApiResponse> MarathonApi::app_versions(const std::string& id,
                                                       const std::optional<std::string>& version) {
  auto found = co_await find_app(id);
  if (found.error) co_return *found.error;
  auto versions = co_await store_.list_service_versions(found.service->spec.name);
  if (!versions) co_return store_error(versions.error(), id, "list_service_versions");
  const std::string current = co_await version_string(*found.service);
  if (!version) {
    // Newest first: berth's versions, each the time it was made.
    json::array out;
    for (auto it = versions->rbegin(); it != versions->rend(); ++it) out.emplace_back(api::format_time(it->created_at));
    co_return api::fields::json_response(200, json::object{{"versions", std::move(out)}});
  }
  if (*version == current) co_return api::fields::json_response(200, app_json(*found.service, current));
  for (const auto& v : *versions) {
    if (api::format_time(v.created_at) != *version) continue;
    policy::Service then = *found.service;
    then.spec = v.spec;
    then.spec.name = found.service->spec.name;
    auto app = stored_app(then.spec);
    if (!app) break;
    (*app)["version"] = *version;
    co_return api::fields::json_response(200, std::move(*app));
  }
  co_return message(404, "App '" + std::string((*stored_app(found.service->spec))["id"].as_string()) +
                             "' does not exist in version " + *version);
}

}  // namespace berth::http::marathon
