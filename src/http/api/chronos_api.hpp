// File: src/http/api/chronos_api.hpp — Chronos's REST API (mesos/chronos docs/docs/api.md, Iso8601JobResource,
// JobManagementResource) over berth's job store, so Chronos clients keep working against berth. Every route is
// served at both /scheduler/... and /v1/scheduler/..., as Chronos does:
//
//   POST   /scheduler/iso8601      Chronos job hash -> 204 (a job of that name is replaced, as Chronos does)
//   GET    /scheduler/jobs         -> 200 [job hash...] (every berth job, in Chronos's shape)
//   PUT    /scheduler/job/{name}   -> 204: run it now (a manual run, as POST /v1/jobs/{id}/run)
//   DELETE /scheduler/job/{name}   -> 204
// Errors as Chronos's ApiResult: 400 {"status":"Bad Request","message":"..."} naming every bad field, and for an
// unknown job name on PUT/DELETE (Chronos answers 400 there, not 404); 415 without a JSON Content-Type (its
// resources @Consume application/json); 413, 503, 500 in the same shape. The field mapping is in
// chronos_job_json.hpp; the jobs are berth's and show under /v1/jobs.
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

class ChronosApi {
 public:
  // `store` and `clusters` must outlive the API.
  ChronosApi(store::DesiredStateStore& store, const ClusterView& clusters, ApiClock clock,
             std::size_t max_body_bytes = 64 * 1024);

  using Params = std::map<std::string, std::string>;
  struct Route {
    Verb method;
    std::string_view pattern;
    boost::asio::awaitable<ApiResponse> (ChronosApi::*handler)(const ApiRequest&, const Params&);
  };
  // Every Chronos route; the HTTP server mounts them on its Router (http/api_routes.hpp).
  static const std::vector<Route>& routes();

  // Routes and answers one request (tests, direct callers): 404 / 405 as the Router answers them.
  boost::asio::awaitable<ApiResponse> handle(const ApiRequest& request);
  // Answers a request matched to `route`; exceptions become an opaque 500.
  boost::asio::awaitable<ApiResponse> run(const Route& route, const ApiRequest& request, const Params& params);

 private:
  boost::asio::awaitable<ApiResponse> post_iso8601(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> list(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> trigger(const ApiRequest&, const Params&);
  boost::asio::awaitable<ApiResponse> remove(const ApiRequest&, const Params&);

  store::DesiredStateStore& store_;
  const ClusterView& clusters_;
  ApiClock clock_;
  std::size_t max_body_bytes_;
};

}  // namespace berth::http::api
