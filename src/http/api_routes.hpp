// File: src/http/api_routes.hpp — mounts the /v1 API (ApiV1), ECS Scheduler's /jobs, Chronos's /scheduler,
// Marathon's /v2, GET /v1/stats and GET /metrics on the HTTP router.
//
// Each of ApiV1::routes() is added to the router, so the router's one RouteTable decides 404/405 (with Allow) for
// /v1 paths as for any other. The request body was already size-limited by the server (api.max_body_bytes);
// ApiV1::run checks its own limit again.
#pragma once

#include "http/api/api_v1.hpp"
#include "http/api/chronos_api.hpp"
#include "http/api/ecs_scheduler_api.hpp"
#include "http/marathon/marathon_api.hpp"
#include "http/router.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace berth::http {

// http::Request -> api::ApiRequest (method name, path, decoded query, body).
api::ApiRequest to_api_request(const Request& request);
// api::ApiResponse -> http::Response (JSON body or empty, headers such as Location, Allow, Retry-After).
Response to_http_response(const api::ApiResponse& response);

// `api` must outlive the router. `stats` (may be empty) answers GET /v1/stats.
void add_api_routes(Router& router, api::ApiV1& api, std::function<boost::json::object()> stats = {});

// ECS Scheduler's /jobs (api::EcsSchedulerApi), each route on the Router. `api` must outlive the router.
void add_ecs_scheduler_routes(Router& router, api::EcsSchedulerApi& api);

// Chronos's /scheduler and /v1/scheduler routes (api::ChronosApi). `api` must outlive the router.
void add_chronos_routes(Router& router, api::ChronosApi& api);

// Marathon's /v2 (marathon::MarathonApi), each route on the Router, and Marathon's GET /ping ("pong", text/plain).
// `api` must outlive the router.
void add_marathon_routes(Router& router, marathon::MarathonApi& api);

// GET /metrics: `render` returns the Prometheus text exposition (metrics::render_prometheus), served as
// text/plain; version=0.0.4.
void add_metrics_route(Router& router, std::function<std::string()> render);

}  // namespace berth::http
