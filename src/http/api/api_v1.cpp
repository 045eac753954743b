// File: src/http/api/api_v1.cpp — /v1 route table and handlers over the Store, ClusterView and Reconcile.
#include "http/api/api_v1.hpp"

#include "http/api/front_routes.hpp"

#include "http/api/api_json_fields.hpp"
#include "http/api/api_paging.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <random>

namespace berth::http::api {
namespace asio = boost::asio;
namespace json = boost::json;
using policy::Deployment;
using policy::Environment;
using store::StoreErrc;

std::string random_deployment_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ (std::uint64_t{std::random_device{}()} << 32)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "d-%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

std::string random_deployment_token() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ (std::uint64_t{std::random_device{}()} << 32)};
  char buf[40];
  std::snprintf(buf, sizeof buf, "t-%016llx%016llx", static_cast<unsigned long long>(rng()),
                static_cast<unsigned long long>(rng()));
  return buf;
}

using namespace fields;

namespace {

constexpr std::size_t max_environments_listed = 100;

// ?cluster= as Blox sends it (a cluster ARN, arn:aws:ecs:<region>:<account>:cluster/<name>) or a plain name.
std::optional<std::string> cluster_filter(const ApiRequest& req) {
  std::string c = query_param(req, "cluster").value_or("");
  constexpr std::string_view marker = ":cluster/";
  if (c.rfind("arn:", 0) == 0) {
    auto at = c.find(marker);
    if (at == std::string::npos) return std::nullopt;
    c = c.substr(at + marker.size());
  }
  if (req.query.count("cluster") && !valid_cluster_name(c)) return std::nullopt;
  return c;
}

}  // namespace

ApiV1::ApiV1(store::DesiredStateStore& store, const ClusterView& clusters, Reconcile& reconcile, ApiClock clock,
             IdGenerator new_id, ApiV1Options options)
    : store_(store),
      clusters_(clusters),
      reconcile_(reconcile),
      clock_(std::move(clock)),
      new_id_(std::move(new_id)),
      options_(options) {}

const std::vector<ApiV1::Route>& ApiV1::routes() {
  static const std::vector<Route> table = {
      {Verb::get, "/v1/ping", {}, &ApiV1::ping},
      {Verb::get, "/v1/environments", {"cluster", "limit", "nextToken"}, &ApiV1::list_environments},
      {Verb::post, "/v1/environments", {}, &ApiV1::create_environment},
      {Verb::get, "/v1/environments/{name}", {}, &ApiV1::get_environment},
      {Verb::put, "/v1/environments/{name}", {}, &ApiV1::update_environment},
      {Verb::delete_, "/v1/environments/{name}", {"terminateTasks"}, &ApiV1::delete_environment},
      {Verb::post, "/v1/environments/{name}/deployments", {"deploymentToken"}, &ApiV1::create_deployment},
      {Verb::get, "/v1/environments/{name}/deployments", {"limit", "nextToken"}, &ApiV1::list_deployments},
      {Verb::get, "/v1/environments/{name}/deployments/{id}", {}, &ApiV1::get_deployment},
      {Verb::get, "/v1/clusters/{cluster}/instances", {}, &ApiV1::list_instances},
      {Verb::get, "/v1/clusters/{cluster}/tasks", {}, &ApiV1::list_tasks},
      {Verb::post, "/v1/services", {"dryRun"}, &ApiV1::create_service},
      {Verb::get, "/v1/services", {"cluster", "limit", "nextToken"}, &ApiV1::list_services},
      {Verb::get, "/v1/services/{name}", {}, &ApiV1::get_service},
      {Verb::put, "/v1/services/{name}", {"dryRun"}, &ApiV1::update_service},
      {Verb::delete_, "/v1/services/{name}", {"keepTasks"}, &ApiV1::delete_service},
      {Verb::post, "/v1/services/{name}/scale", {"dryRun"}, &ApiV1::scale_service},
      {Verb::post, "/v1/services/{name}/revert", {}, &ApiV1::revert_service},
      {Verb::get, "/v1/services/{name}/deployments", {"limit"}, &ApiV1::list_service_deployments},
      {Verb::get, "/v1/services/{name}/deployments/{id}", {}, &ApiV1::get_service_deployment},
      {Verb::get, "/v1/services/{name}/versions", {}, &ApiV1::list_service_versions},
      {Verb::get, "/v1/services/{name}/tasks", {}, &ApiV1::list_service_tasks},
      {Verb::post, "/v1/jobs", {}, &ApiV1::create_job},
      {Verb::get, "/v1/jobs", {"cluster", "limit", "nextToken"}, &ApiV1::list_jobs},
      {Verb::get, "/v1/jobs/{id}", {}, &ApiV1::get_job},
      {Verb::put, "/v1/jobs/{id}", {}, &ApiV1::update_job},
      {Verb::delete_, "/v1/jobs/{id}", {}, &ApiV1::delete_job},
      {Verb::post, "/v1/jobs/{id}/run", {}, &ApiV1::run_job},
      {Verb::get, "/v1/jobs/{id}/runs", {"limit"}, &ApiV1::list_job_runs},
      {Verb::post, "/v1/jobs/{id}/suspend", {}, &ApiV1::suspend_job},
      {Verb::post, "/v1/jobs/{id}/resume", {}, &ApiV1::resume_job},
  };
  return table;
}

asio::awaitable<ApiResponse> ApiV1::handle(const ApiRequest& request) {
  // An oversized body is refused before routing, whatever the path.
  if (request.body.size() > options_.max_body_bytes) co_return payload_too_large(options_.max_body_bytes);
  // A method Beast does not know becomes Verb::unknown, which no route has: 405 or 404 as for any other.
  auto answer = co_await handle_by_routes(*this, request);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::run(const Route& route, const ApiRequest& request, const Params& params) {
  if (request.body.size() > options_.max_body_bytes) co_return payload_too_large(options_.max_body_bytes);
  for (const auto& [key, value] : request.query) {
    if (std::find(route.query.begin(), route.query.end(), key) == route.query.end()) {
      co_return error_response(ApiError{400, "unknown_field", "unknown query parameter '" + key + "'"});
    }
  }
  try {
    auto answer = co_await (this->*route.handler)(request, params);
    co_return answer;
  } catch (const std::exception& e) {
    // Unexpected: keep the answer opaque, keep the details in the log.
    spdlog::error("api unexpected_exception method={} path={} what={}", request.method, request.path, e.what());
    co_return error_response(ApiError{500, "internal", "internal error"});
  }
}

ApiResponse ApiV1::store_error(const store::StoreError& e, std::string_view what) {
  switch (e.code) {
    case StoreErrc::not_found: return error_response(ApiError{404, "not_found", e.message});
    case StoreErrc::already_exists: return error_response(ApiError{409, "already_exists", e.message});
    case StoreErrc::conflict: return error_response(ApiError{409, "conflict", e.message});
    case StoreErrc::invalid_argument: return error_response(ApiError{400, "invalid_field", e.message});
    case StoreErrc::busy: {
      auto r = error_response(ApiError{503, "unavailable", "state store is busy, retry"});
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    default: break;
  }
  spdlog::error("api store_error op={} code={} message={}", what, store::to_string(e.code), e.message);
  return error_response(ApiError{500, "internal", "internal error"});
}

asio::awaitable<ApiResponse> ApiV1::ping(const ApiRequest&, const Params&) { co_return json_response(200, json::object{{"status", "ok"}}); }

asio::awaitable<ApiResponse> ApiV1::environment_answer(int status, const Environment& env) {
  // Health needs the newest deployment (did the last rollout take?) and the model (does every instance run it?).
  auto newest = co_await store_.list_deployments(env.name, 1);
  if (!newest) co_return store_error(newest.error(), "list_deployments");
  const Deployment* d = newest->empty() ? nullptr : &newest->front();
  co_return json_response(status,
                          environment_to_json(env, environment_health(d, clusters_.daemon_instances_without_task(env))));
}

asio::awaitable<ApiResponse> ApiV1::list_environments(const ApiRequest& req, const Params&) {
  auto cluster = cluster_filter(req);
  if (!cluster) co_return error_response(invalid_field("cluster", "a cluster name (1-255 letters, digits, '-' or '_') "
                                                                  "or a cluster ARN"));
  auto limit = parse_limit(req, max_environments_listed);
  if (!limit) co_return error_response(limit.error());
  auto envs = co_await store_.list_environments(*cluster);
  if (!envs) co_return store_error(envs.error(), "list_environments");
  // nextToken is the name of the last environment of the previous page (listed sorted by name).
  const std::string after = query_param(req, "nextToken").value_or("");
  auto page = page_after_key(*envs, [](const Environment& e) -> const std::string& { return e.name; }, after, *limit);
  json::array items;
  for (const auto* e : page.items) {
    auto one = co_await environment_answer(200, *e);
    if (one.status != 200) co_return one;
    items.push_back(std::move(one.body));
  }
  co_return json_response(200, paged_answer(std::move(items), page.next_token));
}

asio::awaitable<ApiResponse> ApiV1::create_environment(const ApiRequest& req, const Params&) {
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  auto env = parse_create_environment(*body);
  if (!env) co_return error_response(env.error());
  // Blox's swagger: 404 "Cluster missing". An environment on a cluster berth does not watch would never run.
  if (!clusters_.watches(env->cluster)) {
    co_return error_response(ApiError{404, "not_found", "instanceGroup.cluster: berth does not watch cluster '" +
                                                            env->cluster + "'"});
  }
  auto now = clock_();
  env->created_at = now;
  env->updated_at = now;
  env->deployment_token = random_deployment_token();
  Deployment first;
  first.id = new_id_();
  first.environment = env->name;
  first.task_definition = env->task_definition;
  first.created_at = now;
  auto r = co_await store_.create_environment_with_deployment(*env, first);
  // Blox's swagger gives createEnvironment 200, 400 and 404 only: a taken name is a bad request naming the field.
  if (!r && r.error().code == StoreErrc::already_exists) {
    co_return error_response(ApiError{400, "already_exists", "name: environment '" + env->name + "' already exists"});
  }
  if (!r) co_return store_error(r.error(), "create_environment");
  reconcile_.mark_dirty(env->name);
  // Blox answers 200 (not 201) with the environment.
  auto resp = co_await environment_answer(200, r->environment);
  resp.headers.emplace_back("Location", "/v1/environments/" + env->name);
  co_return resp;
}

asio::awaitable<ApiResponse> ApiV1::get_environment(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("environment", name);
  auto env = co_await store_.get_environment(name);
  if (!env) co_return store_error(env.error(), "get_environment");
  auto answer = co_await environment_answer(200, *env);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::update_environment(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("environment", name);
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  auto env = co_await store_.get_environment(name);
  if (!env) co_return store_error(env.error(), "get_environment");
  Environment updated = *env;
  auto expected = apply_environment_update(*body, updated);
  if (!expected) co_return error_response(expected.error());
  if (*expected && **expected != env->revision) {
    co_return error_response(ApiError{409, "conflict", "environment '" + env->name + "' is at revision " +
                                                        std::to_string(env->revision) + ", not " +
                                                        std::to_string(**expected)});
  }
  if (updated == *env) {  // idempotent PUT: no new revision
    auto answer = co_await environment_answer(200, *env);
    co_return answer;
  }
  updated.updated_at = clock_();
  auto stored = co_await store_.put_environment(updated);  // revision check guards against a concurrent writer
  if (!stored) co_return store_error(stored.error(), "update_environment");
  reconcile_.mark_dirty(stored->name);
  auto answer = co_await environment_answer(200, *stored);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::delete_environment(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("environment", name);
  bool terminate = false;
  if (auto t = query_param(req, "terminateTasks")) {
    if (*t == "true") terminate = true;
    else if (*t != "false") co_return error_response(invalid_field("terminateTasks", "must be true or false"));
  }
  // The client names no revision: delete what is there now. A conflict means the reactor recorded deployment
  // progress between the read and the delete; read again (bounded, it settles at once). The answer is the
  // environment as it was, health included, so it is shaped before its deployments go with it.
  store::StoreResult<Environment> deleted = store::StoreError{StoreErrc::conflict, "not attempted"};
  ApiResponse answer;
  for (int attempt = 0; attempt < max_conflict_retries && !deleted && deleted.error().code == StoreErrc::conflict;
       ++attempt) {
    auto current = co_await store_.get_environment(name);
    // Blox: deleting an environment that is not there (any more) succeeds, so a retried DELETE is harmless.
    // There is nothing to answer with: 200 without a body.
    if (!current && current.error().code == StoreErrc::not_found) co_return json_response(200, nullptr);
    if (!current) co_return store_error(current.error(), "get_environment");
    answer = co_await environment_answer(200, *current);
    if (answer.status != 200) co_return answer;
    deleted = co_await store_.delete_environment(name, current->revision);
  }
  if (!deleted && deleted.error().code == StoreErrc::not_found) co_return json_response(200, nullptr);  // raced
  if (!deleted) co_return store_error(deleted.error(), "delete_environment");
  // Without terminateTasks the tasks keep running unmanaged (Blox behaviour); either way the reactor must drop
  // the environment from its work.
  if (terminate) reconcile_.terminate_tasks(name);
  reconcile_.mark_dirty(name);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::create_deployment(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("environment", name);
  // Blox's optimistic concurrency: the client names the environment's current deploymentToken (read from GET
  // /v1/environments/{name}); the start rotates it, so a second client holding the same token loses.
  auto token = query_param(req, "deploymentToken");
  if (!token) co_return error_response(missing_field("deploymentToken"));
  if (!valid_token(*token)) {
    co_return error_response(invalid_field("deploymentToken", "1-64 letters, digits, '.', '_', ':' or '-'"));
  }
  auto td = parse_create_deployment(req.body, options_.max_body_bytes);
  if (!td) co_return error_response(td.error());
  Deployment d;
  d.id = new_id_();
  d.token = *token;
  d.created_at = clock_();
  const std::string next_token = random_deployment_token();
  // As for delete: the start applies to the environment as it is now, re-read if the reactor wrote meanwhile.
  std::optional<Deployment> replayed;
  store::StoreResult<store::StartedDeployment> started = store::StoreError{StoreErrc::conflict, "not attempted"};
  for (int attempt = 0; attempt < max_conflict_retries && !started && started.error().code == StoreErrc::conflict;
       ++attempt) {
    auto env = co_await store_.get_environment(name);
    if (!env) co_return store_error(env.error(), "get_environment");
    if (*token != env->deployment_token) {
      // Not the current token: a retry of the request that started the newest deployment gets that deployment;
      // any other token is stale (another deployment started since) or was never ours.
      auto newest = co_await store_.list_deployments(name, 1);
      if (!newest) co_return store_error(newest.error(), "list_deployments");
      if (newest->empty() || newest->front().token != *token) {
        co_return error_response(invalid_field(
            "deploymentToken", "'" + *token + "' is not the current deploymentToken of environment '" + name +
                                   "' (another deployment started since, or it was never issued); read it again "
                                   "from GET /v1/environments/" + name));
      }
      replayed = newest->front();
      break;
    }
    d.environment = env->name;
    d.task_definition = td->value_or(env->task_definition);  // no body: redeploy the current definition
    started = co_await store_.start_deployment(d, env->revision, next_token);
  }
  if (!replayed) {
    if (!started) co_return store_error(started.error(), "start_deployment");
    // The store found the token already used: a concurrent retry won the race; answer as for a replay.
    if (!started->created) replayed = started->deployment;
  }
  if (replayed) {
    // The same token for another definition is not a retry (and the swagger has no 409 here): a bad token.
    if (*td && replayed->task_definition != **td) {
      co_return error_response(invalid_field("deploymentToken", "'" + *token +
                                                                    "' already started a deployment of taskDefinition " +
                                                                    replayed->task_definition));
    }
    co_return json_response(200, deployment_to_json(*replayed));
  }
  reconcile_.mark_dirty(d.environment);
  // Blox answers 200 (not 201) with the deployment.
  auto resp = json_response(200, deployment_to_json(started->deployment));
  resp.headers.emplace_back("Location", "/v1/environments/" + d.environment + "/deployments/" + d.id);
  co_return resp;
}

asio::awaitable<ApiResponse> ApiV1::list_deployments(const ApiRequest& req, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_environment_name(name)) co_return bad_path_name("environment", name);
  auto limit = parse_limit(req, options_.max_deployments_listed);
  if (!limit) co_return error_response(limit.error());
  auto env = co_await store_.get_environment(name);
  if (!env) co_return store_error(env.error(), "get_environment");
  auto all = co_await store_.list_deployments(name, 0);
  if (!all) co_return store_error(all.error(), "list_deployments");
  // Newest first; nextToken is the id of the last deployment of the previous page.
  const std::string after = query_param(req, "nextToken").value_or("");
  auto page = page_after_item(*all, [](const Deployment& d) -> const std::string& { return d.id; }, after, *limit);
  if (!page) {
    co_return error_response(
        invalid_field("nextToken", "'" + after + "' names no deployment of environment '" + name + "'"));
  }
  json::array items;
  for (const auto* d : page->items) items.push_back(deployment_to_json(*d));
  co_return json_response(200, paged_answer(std::move(items), page->next_token));
}

asio::awaitable<ApiResponse> ApiV1::get_deployment(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  const std::string& id = p.at("id");
  if (!valid_environment_name(name)) co_return bad_path_name("environment", name);
  auto d = co_await store_.get_deployment(id);
  // A deployment of another environment is as absent as one that does not exist.
  if (!d && d.error().code != StoreErrc::not_found) co_return store_error(d.error(), "get_deployment");
  if (!d || d->environment != name) {
    auto env = co_await store_.get_environment(name);
    if (!env) co_return store_error(env.error(), "get_environment");
    co_return error_response(
        ApiError{404, "not_found", "deployment '" + id + "' not found in environment '" + name + "'"});
  }
  co_return json_response(200, deployment_to_json(*d));
}

asio::awaitable<ApiResponse> ApiV1::list_instances(const ApiRequest&, const Params& p) {
  co_return cluster_view(p.at("cluster"), "instances", &ClusterView::list_instances);
}

asio::awaitable<ApiResponse> ApiV1::list_tasks(const ApiRequest&, const Params& p) {
  co_return cluster_view(p.at("cluster"), "tasks", &ClusterView::list_tasks);
}

ApiResponse ApiV1::cluster_view(const std::string& cluster, std::string_view member, ClusterList list) {
  if (!valid_cluster_name(cluster)) return bad_path_name("cluster", cluster);
  auto items = (clusters_.*list)(cluster);
  if (!items) return error_response(ApiError{404, "not_found", "cluster '" + cluster + "' is not known to berth"});
  return json_response(200, json::object{{"cluster", cluster}, {member, std::move(*items)}});
}

}  // namespace berth::http::api
