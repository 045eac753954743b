// File: src/http/api/front_routes.hpp — routing a request through a front's own route list, for the APIs that
// are tables of (method, pattern, handler) (ApiV1, EcsSchedulerApi, ChronosApi): tests and direct callers answer
// a request the way the server's Router does (404, 405 with Allow), from the same table.
#pragma once

#include "http/api/api_json.hpp"
#include "http/api/api_types.hpp"
#include "http/route_table.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>

namespace berth::http::api {

// Front: static routes() of {method, pattern, ...}; run(route, request, params) -> awaitable<ApiResponse>.
template <class Front>
boost::asio::awaitable<ApiResponse> handle_by_routes(Front& front, const ApiRequest& request) {
  static const RouteTable table = [] {
    RouteTable t;
    for (const auto& route : Front::routes()) t.add(route.method, route.pattern);
    return t;
  }();
  auto m = table.match(boost::beast::http::string_to_verb(request.method), request.path);
  if (m.route) {
    auto r = co_await front.run(Front::routes()[*m.route], request, m.params);
    co_return r;
  }
  if (m.allow.empty()) co_return error_response(ApiError{404, "not_found", no_route_message(request.path)});
  auto r = error_response(
      ApiError{405, "method_not_allowed", method_not_allowed_message(request.method, request.path, m.allow)});
  r.headers.emplace_back("Allow", m.allow);
  co_return r;
}

}  // namespace berth::http::api
