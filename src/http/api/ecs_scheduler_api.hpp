// File: src/http/api/ecs_scheduler_api.hpp — the ECS Scheduler-compatible /jobs API (drmonkeysee/ecs-scheduler's
// webapi/jobs.py and serialization.py), so its users' scripts keep working against berth. Same store, same jobs as
// berth's /v1/jobs; only the shapes and codes differ:
//
//   GET    /jobs[?skip=0&count=10]  -> 200 {"jobs":[Job+link...], "prev"?, "next"?}  ("/jobs?skip=20&count=5",
//                                      parameters at their defaults left out; a link whose page is out of range, or
//                                      whose parameters are all at their defaults, is left out, as ECS Scheduler)
//   POST   /jobs                    -> 201 {"id","link":{"href":"/jobs/ID","rel":"item","title":"Job for ID"}}
//   GET    /jobs/{id}               -> 200 Job with its "link"
//   PUT    /jobs/{id}               -> 200 {"id","link"}  (partial: fields absent stay as they are)
//   DELETE /jobs/{id}               -> 200 {"id"}
// Errors: 400 {"messages":{"field":["why"]}} (nested as the body: {"trigger":{"queueName":[...]}}); malformed JSON
// 400 {"message"}; 404 {"message":"Job ID does not exist."}; 409 {"message":"Job ID already exists."}; 415
// {"message"} for a POST/PUT without a Content-Type starting with application/json; 413, 503, 500 {"message"}.
//
// Unlike ECS Scheduler, unknown fields are errors (a typo must not silently keep the default); the read-only
// fields of a GET answer (link, lastRun, lastRunTasks, estimatedNextRun) are accepted and ignored, so a job read,
// edited and PUT back still works. A job PUT from suspended to not suspended resumes as POST /v1/jobs/{id}/resume.
#pragma once

#include "http/api/api_types.hpp"
#include "http/route_table.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::api {

class EcsSchedulerApi {
 public:
  // `store` and `clusters` must outlive the API.
  EcsSchedulerApi(store::DesiredStateStore& store, const ClusterView& clusters, ApiClock clock,
                  std::size_t max_body_bytes = 64 * 1024);

  using Params = std::map<std::string, std::string>;
  struct Route {
    Verb method;
    std::string_view pattern;
    boost::asio::awaitable<ApiResponse> (EcsSchedulerApi::*handler)(const ApiRequest&, const Params&);
  };
  // Every /jobs route; the HTTP server mounts them on its Router (http/api_routes.hpp).
  static const std::vector<Route>& routes();

  // Routes and answers one request (tests, direct callers): 404 / 405 as the Router answers them.
  boost::asio::awaitable<ApiResponse> handle(const ApiRequest& request);
  // Answers a request matched to `route`; exceptions become an opaque 500.
  boost::asio::awaitable<ApiResponse> run(const Route& route, const ApiRequest& request, const Params& params);

 private:
  boost::asio::awaitable<ApiResponse> list(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> create(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> get(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> update(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> remove(const ApiRequest&, const Params&);

  // The job with its newest run and its link, as GET answers it; nullopt with `error` set on a store failure.
  boost::asio::awaitable<std::optional<boost::json::object>> job_document(const policy::Job& job,
                                                                          ApiResponse& error);
  ApiResponse store_error(const store::StoreError& e, const std::string& id, std::string_view what);

  store::DesiredStateStore& store_;
  const ClusterView& clusters_;
  ApiClock clock_;
  std::size_t max_body_bytes_;
};

}  // namespace berth::http::api
