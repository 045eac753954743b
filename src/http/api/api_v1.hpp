// File: src/http/api/api_v1.hpp — the Blox-compatible /v1 API as a function of (request, store, model); it awaits
// the desired-state store, nothing else (no sockets: tests drive it with plain values).
//
// Routes (JSON bodies, errors as {"error":{"code","message"}}):
//   GET    /v1/ping
// Environments and their deployments are Blox's daemon scheduler, wire-exact with its swagger
// (tests/testdata/blox/daemon-scheduler-swagger.json; berth's extra fields are additions):
//   GET    /v1/environments[?cluster=&limit=&nextToken=]     -> {"items":[Environment...], "nextToken"?}
//                                                               (cluster: a name or a cluster ARN)
//   POST   /v1/environments                                  -> 200 Environment + Location (and its first deployment);
//                                                               a taken name is 400 already_exists (no 409 in Blox)
//   GET    /v1/environments/{name}                           -> Environment (health, deploymentToken)
//   PUT    /v1/environments/{name}                           -> Environment (constraints, rollout settings)
//   DELETE /v1/environments/{name}[?terminateTasks=true]     -> Environment as it was (200 without a body when
//                                                               there is none: Blox's delete is idempotent)
//   POST   /v1/environments/{name}/deployments?deploymentToken=T  body {"taskDefinition"?} (berth's addition)
//                                                            -> 200 Deployment + Location when T is the
//                                                               environment's current token (which rotates);
//                                                               200 the same deployment when T started the
//                                                               newest one (a retry); 400 any other T, or T
//                                                               again for another taskDefinition
//   GET    /v1/environments/{name}/deployments[?limit=&nextToken=] -> {"items":[Deployment...], "nextToken"?}
//                                                               newest first
//   GET    /v1/environments/{name}/deployments/{id}          -> Deployment (status pending|running|completed;
//                                                               outcome null|succeeded|failed|rolled_back)
//   GET    /v1/clusters/{cluster}/instances                  -> {"cluster","instances":[...]} from ClusterView
//   GET    /v1/clusters/{cluster}/tasks                      -> {"cluster","tasks":[...]}
//   POST   /v1/services                                      -> 200 Service (version 1 and its deployment)
//   GET    /v1/services[?cluster=&limit=&nextToken=]         -> {"items":[Service...], "nextToken"?}
//   GET|PUT|DELETE /v1/services/{name}[?keepTasks=true]      -> Service (PUT: whole spec, optional "revision")
//   POST   /v1/services/{name}/scale {"desiredCount"}        -> Service (not a new version)
//   POST   /v1/services/{name}/revert {"version"}            -> Service (a new version equal to that one)
//   GET    /v1/services/{name}/deployments[/{id}], /v1/services/{name}/versions, /v1/services/{name}/tasks
//   POST   /v1/jobs                                          -> 200 Job + Location (cursor at its creation)
//   GET    /v1/jobs[?cluster=&limit=&nextToken=]             -> {"items":[Job...], "nextToken"?}
//   GET|PUT|DELETE /v1/jobs/{id}                             -> Job (PUT: whole spec, optional "revision": 409)
//   POST   /v1/jobs/{id}/run                                 -> 202 Run (status "requested"; the controller fires it)
//   GET    /v1/jobs/{id}/runs[?limit=]                       -> {"items":[Run...]} newest first
//   POST   /v1/jobs/{id}/suspend | /resume                   -> Job (resume: slots it was suspended through never run)
//   ?dryRun=true on POST /v1/services, PUT /v1/services/{name}, POST .../scale -> 200
//          {"starts":[{"instance","taskDefinition"}],"stops":[{"task","instance","reason"}],"unplaced":{...}}
//
// A new deployment supersedes an unfinished one (marked failed, reason "superseded"): the newest request is what
// the operator wants, and two rollouts fighting over the same instances would violate maxUnavailable.
#pragma once

#include "http/api/api_json.hpp"
#include "http/api/api_types.hpp"
#include "http/route_table.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::api {

// 128-bit random hex ids ("d-" prefix), good enough for uniqueness without coordination.
std::string random_deployment_id();
// An environment's deploymentToken: "t-" + 128 random bits in hex (unguessable, so only a reader of the
// environment can start a deployment on it).
std::string random_deployment_token();

class ApiV1 {
 public:
  // All references must outlive the ApiV1. `clock` gives wall time for createdAt/updatedAt.
  ApiV1(store::DesiredStateStore& store, const ClusterView& clusters, Reconcile& reconcile, ApiClock clock,
        IdGenerator new_id = random_deployment_id, ApiV1Options options = {});

  using Params = std::map<std::string, std::string>;  // {name} segments of the matched pattern, decoded
  // One /v1 route: a RouteTable pattern (http/route_table.hpp), the query parameters it accepts (any other is a
  // 400 unknown_field) and its handler.
  struct Route {
    Verb method;
    std::string_view pattern;
    std::vector<std::string_view> query;
    boost::asio::awaitable<ApiResponse> (ApiV1::*handler)(const ApiRequest&, const Params&);
  };
  // Every /v1 route, in the order they are matched. The HTTP server mounts them on its Router
  // (http/api_routes.hpp); handle() matches them with its own RouteTable.
  static const std::vector<Route>& routes();

  // Routes and answers one request: 413 above max_body_bytes, else 404, 405 (with Allow) or the route's answer.
  // Never throws for bad input; unexpected store failures become an opaque 500 (logged).
  boost::asio::awaitable<ApiResponse> handle(const ApiRequest& request);

  // Answers a request already matched to `route` (`params` from the match): the body limit and the query
  // parameters are checked here, exceptions become an opaque 500.
  boost::asio::awaitable<ApiResponse> run(const Route& route, const ApiRequest& request, const Params& params);

 private:
  boost::asio::awaitable<ApiResponse> ping(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_environments(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> create_environment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> get_environment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> update_environment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> delete_environment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> create_deployment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_deployments(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> get_deployment(const ApiRequest&, const Params&);
  // The environment as /v1 answers it: environment_to_json with its health (newest deployment + ClusterView).
  boost::asio::awaitable<ApiResponse> environment_answer(int status, const policy::Environment& env);
  boost::asio::awaitable<ApiResponse> list_instances(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_tasks(const ApiRequest&, const Params&);
  // GET /v1/clusters/{cluster}/<member>: one of the ClusterView lists, wrapped as {"cluster", member: [...]}.
  using ClusterList = std::optional<boost::json::array> (ClusterView::*)(std::string_view) const;
  ApiResponse cluster_view(const std::string& cluster, std::string_view member, ClusterList list);

  // /v1/services (api_v1_services.cpp)
  boost::asio::awaitable<ApiResponse> create_service(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_services(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> get_service(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> update_service(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> delete_service(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> scale_service(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> revert_service(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_service_deployments(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> get_service_deployment(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_service_versions(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_service_tasks(const ApiRequest&, const Params&);
  // ?dryRun=true: the plan for `service` (ClusterView::plan_service), nothing written.
  boost::asio::awaitable<ApiResponse> dry_run_answer(policy::Service service);
  // Read, apply `change`, compare-and-set (the client's revision, or bounded retries without one); 200 + service.
  // dry_run: answer the plan of the changed service instead of writing it.
  boost::asio::awaitable<ApiResponse> write_service(const std::string& name,
                                                    std::function<ApiResult<policy::Service>(policy::Service)> change,
                                                    std::optional<std::int64_t> expected_revision, bool dry_run);
  policy::Deployment next_service_deployment(const std::string& service);

  // /v1/jobs (api_v1_jobs.cpp)
  boost::asio::awaitable<ApiResponse> create_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_jobs(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> get_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> update_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> delete_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> run_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list_job_runs(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> suspend_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> resume_job(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> set_job_suspended(const std::string& id, bool suspended);
  // The job as /v1 answers it: job_to_json with its newest run, plus revision, missedSlots and timestamps.
  boost::asio::awaitable<ApiResponse> job_answer(int status, const policy::Job& job);

  ApiResponse store_error(const store::StoreError& e, std::string_view what);

  store::DesiredStateStore& store_;
  const ClusterView& clusters_;
  Reconcile& reconcile_;
  ApiClock clock_;
  IdGenerator new_id_;
  ApiV1Options options_;
};

}  // namespace berth::http::api
