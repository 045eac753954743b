// File: src/http/api_routes.cpp — adapter between the Beast-facing router and the socket-free ApiV1.
#include "http/api_routes.hpp"

#include "metrics/prometheus_text.hpp"

#include <boost/beast/http/verb.hpp>
#include <boost/json/serialize.hpp>

namespace berth::http {

api::ApiRequest to_api_request(const Request& request) {
  api::ApiRequest r;
  r.method = std::string(boost::beast::http::to_string(request.method));
  r.path = request.path;
  r.query = request.query;
  r.raw_query = request.raw_query;
  r.body = request.body;
  r.content_type = std::string(request.header("content-type"));
  return r;
}

Response to_http_response(const api::ApiResponse& response) {
  Response out;
  out.status = static_cast<unsigned>(response.status);
  if (!response.body.is_null()) {
    out.body = boost::json::serialize(response.body);
    out.content_type = "application/json";
  } else {
    out.content_type.clear();
  }
  for (const auto& h : response.headers) out.headers.push_back(h);
  return out;
}

void add_metrics_route(Router& router, std::function<std::string()> render) {
  router.add(Verb::get, "/metrics", [render = std::move(render)](const Request&) {
    auto r = Response::text(200, render());
    r.content_type = std::string(metrics::prometheus_content_type);
    return r;
  });
}

void add_api_routes(Router& router, api::ApiV1& api, std::function<boost::json::object()> stats) {
  if (stats) {
    router.add(Verb::get, "/v1/stats", [stats](const Request&) { return Response::json(200, stats()); });
  }
  // ApiV1's own routes, each on the Router: the Router decides 404 and 405 (with Allow) for /v1 paths too.
  for (const auto& route : api::ApiV1::routes()) {
    router.add_async(route.method, std::string(route.pattern),
                     [&api, &route](Request req) -> boost::asio::awaitable<Response> {
                       // Named, not temporaries in the co_await: GCC 12 mishandles those in coroutines.
                       const api::ApiRequest api_request = to_api_request(req);
                       auto answer = co_await api.run(route, api_request, req.params);
                       co_return to_http_response(answer);
                     });
  }
}

}  // namespace berth::http

namespace berth::http {

namespace {

// A front that is a table of routes (Front::routes(), Front::run): each route on the Router.
template <class Front>
void add_front_routes(Router& router, Front& api) {
  for (const auto& route : Front::routes()) {
    router.add_async(route.method, std::string(route.pattern),
                     [&api, &route](Request req) -> boost::asio::awaitable<Response> {
                       const api::ApiRequest api_request = to_api_request(req);
                       auto answer = co_await api.run(route, api_request, req.params);
                       co_return to_http_response(answer);
                     });
  }
}

}  // namespace

void add_ecs_scheduler_routes(Router& router, api::EcsSchedulerApi& api) { add_front_routes(router, api); }

void add_chronos_routes(Router& router, api::ChronosApi& api) { add_front_routes(router, api); }

void add_marathon_routes(Router& router, marathon::MarathonApi& api) {
  router.add(Verb::get, "/ping", [](const Request&) { return Response::text(200, "pong"); });
  add_front_routes(router, api);
}

}  // namespace berth::http
