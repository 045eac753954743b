// File: src/http/api/api_v1_services.cpp — the /v1/services routes of ApiV1: replica services, their scale,
// versions, deployments and reverts. Conventions as Blox's swagger fixes them for /v1 resources: a create
// answers 200 with the object and a Location header; a list answers {"items", "nextToken"?} with limit/nextToken
// paging; writes are compare-and-set (PUT takes an optional "revision": 409 on mismatch).
#include "http/api/api_json_fields.hpp"
#include "http/api/api_paging.hpp"
#include "http/api/api_service_json.hpp"
#include "http/api/api_service_store.hpp"
#include "http/api/api_v1.hpp"

#include "policy/ownership.hpp"

#include <charconv>

namespace berth::http::api {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace fields;
using store::StoreErrc;

namespace {

constexpr std::size_t max_services_listed = 100;

// ?dryRun=true|false (absent: false).
ApiResult<bool> parse_dry_run(const ApiRequest& req) {
  auto d = query_param(req, "dryRun");
  if (!d || *d == "false") return false;
  if (*d == "true") return true;
  return invalid_field("dryRun", "must be true or false");
}

}  // namespace

asio::awaitable<ApiResponse> ApiV1::dry_run_answer(policy::Service service) {
  auto plan = co_await clusters_.plan_service(std::move(service));
  if (!plan) {
    auto r = error_response(ApiError{503, "unavailable", "the service cannot be planned yet: its cluster is not "
                                                         "watched or not bootstrapped, or its task definition is "
                                                         "not known to ECS"});
    r.headers.emplace_back("Retry-After", "5");
    co_return r;
  }
  if (const auto* e = plan->if_contains("error")) co_return error_response(invalid_field("taskDefinition", e->as_string()));
  co_return json_response(200, std::move(*plan));
}

policy::Deployment ApiV1::next_service_deployment(const std::string& service) {
  return new_service_deployment(service, new_id_(), clock_());
}

asio::awaitable<ApiResponse> ApiV1::create_service(const ApiRequest& req, const Params&) {
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  auto parsed = parse_service(*body, std::nullopt);
  if (!parsed) co_return error_response(parsed.error());
  auto dry_run = parse_dry_run(req);
  if (!dry_run) co_return error_response(dry_run.error());
  policy::Service service;
  service.spec = std::move(parsed->spec);
  service.created_at = service.updated_at = clock_();
  const std::string name = service.spec.name;
  if (*dry_run) {
    auto answer = co_await dry_run_answer(std::move(service));
    co_return answer;
  }
  auto created = co_await store_.create_service(std::move(service), next_service_deployment(name));
  if (!created) co_return store_error(created.error(), "create_service");
  reconcile_.mark_service_dirty(name);
  auto resp = json_response(200, service_to_json(created->service));
  resp.headers.emplace_back("Location", "/v1/services/" + name);
  co_return resp;
}

asio::awaitable<ApiResponse> ApiV1::list_services(const ApiRequest& req, const Params&) {
  const std::string cluster = query_param(req, "cluster").value_or("");
  if (req.query.count("cluster") && !valid_cluster_name(cluster)) {
    co_return error_response(invalid_field("cluster", "1-255 letters, digits, '-' or '_'"));
  }
  auto limit = parse_limit(req, max_services_listed);
  if (!limit) co_return error_response(limit.error());
  // nextToken is the name of the last service of the previous page (names are unique and listed in order).
  const std::string after = query_param(req, "nextToken").value_or("");
  auto all = co_await store_.list_services(cluster);
  if (!all) co_return store_error(all.error(), "list_services");
  auto page =
      page_after_key(*all, [](const policy::Service& s) -> const std::string& { return s.spec.name; }, after, *limit);
  json::array items;
  for (const auto* s : page.items) items.push_back(service_to_json(*s));
  co_return json_response(200, paged_answer(std::move(items), page.next_token));
}

asio::awaitable<ApiResponse> ApiV1::get_service(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto s = co_await store_.get_service(name);
  if (!s) co_return store_error(s.error(), "get_service");
  auto out = service_to_json(*s);
  out["unplaced"] = clusters_.service_unplaced(name);
  co_return json_response(200, std::move(out));
}

asio::awaitable<ApiResponse> ApiV1::write_service(const std::string& name,
                                                  std::function<ApiResult<policy::Service>(policy::Service)> change,
                                                  std::optional<std::int64_t> expected_revision, bool dry_run) {
  if (dry_run) {
    // Nothing is written: the plan of the service as the change would make it.
    auto current = co_await store_.get_service(name);
    if (!current) co_return store_error(current.error(), "get_service");
    if (expected_revision && *expected_revision != current->revision) {
      co_return error_response(ApiError{409, "conflict", "service '" + name + "' is at revision " +
                                                             std::to_string(current->revision) + ", not " +
                                                             std::to_string(*expected_revision)});
    }
    auto next = change(*current);
    if (!next) co_return error_response(next.error());
    next->updated_at = clock_();
    auto answer = co_await dry_run_answer(std::move(*next));
    co_return answer;
  }
  // Read, change, compare-and-set (api_service_store.hpp, shared with Marathon's /v2/apps).
  auto result = co_await api::write_service(store_, name, std::move(change), expected_revision, clock_(),
                                            [this, &name] { return next_service_deployment(name); });
  if (result.refused) co_return error_response(*result.refused);
  if (!result.written) co_return store_error(result.written.error(), "update_service");
  reconcile_.mark_service_dirty(name);
  co_return json_response(200, service_to_json(result.written->service));
}

asio::awaitable<ApiResponse> ApiV1::update_service(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  auto parsed = parse_service(*body, name);
  if (!parsed) co_return error_response(parsed.error());
  auto dry_run = parse_dry_run(req);
  if (!dry_run) co_return error_response(dry_run.error());
  auto spec = std::move(parsed->spec);
  auto answer = co_await write_service(
      name,
      [&spec](policy::Service s) -> ApiResult<policy::Service> {
        if (spec.cluster != s.spec.cluster) return invalid_field("cluster", "a service cannot move to another cluster");
        // /v1 does not carry a front's metadata (Marathon's app fields) nor its deployment mode: a /v1 PUT keeps them.
        std::string metadata = s.spec.front_metadata;
        const bool replace_every_task = s.spec.replace_every_task;
        s.spec = spec;
        s.spec.front_metadata = std::move(metadata);
        s.spec.replace_every_task = replace_every_task;
        return s;
      },
      parsed->revision, *dry_run);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::scale_service(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  auto count = parse_scale(*body);
  if (!count) co_return error_response(count.error());
  auto dry_run = parse_dry_run(req);
  if (!dry_run) co_return error_response(dry_run.error());
  auto answer = co_await write_service(
      name,
      [n = *count](policy::Service s) -> ApiResult<policy::Service> {
        s.spec.desired_count = n;
        // sked's bounds: a scale outside [min, max] is refused, not clamped.
        if (auto bad = policy::validate(s.spec)) return invalid_field(bad->field, bad->message);
        return s;
      },
      std::nullopt, *dry_run);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::revert_service(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  auto version = parse_revert(*body);
  if (!version) co_return error_response(version.error());
  auto versions = co_await store_.list_service_versions(name);
  if (!versions) co_return store_error(versions.error(), "list_service_versions");
  const policy::ServiceVersion* target = nullptr;
  for (const auto& v : *versions)
    if (v.version == *version) target = &v;
  if (target == nullptr) {
    auto exists = co_await store_.get_service(name);
    if (!exists) co_return store_error(exists.error(), "get_service");
    co_return error_response(invalid_field("version", "service '" + name + "' has no version " +
                                                          std::to_string(*version)));
  }
  // Nomad's job revert: a new version equal to the old one (today's cluster and count), deployed.
  auto answer = co_await write_service(
      name,
      [&target](policy::Service s) -> ApiResult<policy::Service> {
        policy::ServiceSpec spec = target->spec;
        spec.name = s.spec.name;
        spec.cluster = s.spec.cluster;
        spec.desired_count = s.spec.desired_count;
        s.spec = std::move(spec);
        return s;
      },
      std::nullopt, false);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::delete_service(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  bool keep = false;
  if (auto k = query_param(req, "keepTasks")) {
    if (*k == "true") keep = true;
    else if (*k != "false") co_return error_response(invalid_field("keepTasks", "must be true or false"));
  }
  store::StoreResult<policy::Service> deleted = store::StoreError{StoreErrc::conflict, "not attempted"};
  for (int attempt = 0; attempt < max_conflict_retries && !deleted && deleted.error().code == StoreErrc::conflict;
       ++attempt) {
    auto current = co_await store_.get_service(name);
    if (!current) co_return store_error(current.error(), "get_service");
    deleted = co_await store_.delete_service(name, current->revision);
  }
  if (!deleted) co_return store_error(deleted.error(), "delete_service");
  // As ECS and Marathon do, deleting a service stops its tasks, unless the client keeps them (unmanaged).
  if (!keep) reconcile_.terminate_service_tasks(name);
  reconcile_.mark_service_dirty(name);
  co_return json_response(200, service_to_json(*deleted));
}

asio::awaitable<ApiResponse> ApiV1::list_service_deployments(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto limit = parse_limit(req, options_.max_deployments_listed);
  if (!limit) co_return error_response(limit.error());
  auto exists = co_await store_.get_service(name);
  if (!exists) co_return store_error(exists.error(), "get_service");
  auto list = co_await store_.list_service_deployments(name, *limit);
  if (!list) co_return store_error(list.error(), "list_service_deployments");
  json::array items;
  for (const auto& d : *list) items.push_back(service_deployment_to_json(d));
  co_return json_response(200, json::object{{"items", std::move(items)}});
}

asio::awaitable<ApiResponse> ApiV1::get_service_deployment(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  const std::string& id = p.at("id");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto d = co_await store_.get_service_deployment(id);
  if (!d && d.error().code != StoreErrc::not_found) co_return store_error(d.error(), "get_service_deployment");
  if (!d || d->environment != name) {
    auto exists = co_await store_.get_service(name);
    if (!exists) co_return store_error(exists.error(), "get_service");
    co_return error_response(ApiError{404, "not_found", "deployment '" + id + "' not found in service '" + name + "'"});
  }
  co_return json_response(200, service_deployment_to_json(*d));
}

asio::awaitable<ApiResponse> ApiV1::list_service_versions(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto exists = co_await store_.get_service(name);
  if (!exists) co_return store_error(exists.error(), "get_service");
  auto versions = co_await store_.list_service_versions(name);
  if (!versions) co_return store_error(versions.error(), "list_service_versions");
  json::array items;
  for (const auto& v : *versions) items.push_back(service_version_to_json(v));
  co_return json_response(200, json::object{{"items", std::move(items)}});
}

asio::awaitable<ApiResponse> ApiV1::list_service_tasks(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("service", name);
  auto service = co_await store_.get_service(name);
  if (!service) co_return store_error(service.error(), "get_service");
  // The service's live tasks as the model knows them (berth's tags, not the name, say whose a task is).
  const std::string started_by = policy::encode_started_by(policy::WorkloadKey::service(name));
  json::array items;
  if (auto tasks = clusters_.list_tasks(service->spec.cluster)) {
    for (auto& t : *tasks) {
      const auto* o = t.if_object();
      const auto* by = o ? o->if_contains("startedBy") : nullptr;
      const auto* status = o ? o->if_contains("lastStatus") : nullptr;
      if (by && by->is_string() && by->get_string() == started_by && !(status && *status == "STOPPED"))
        items.push_back(std::move(t));
    }
  }
  co_return json_response(200, json::object{{"items", std::move(items)}});
}

}  // namespace berth::http::api
