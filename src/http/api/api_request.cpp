// File: src/http/api/api_request.cpp — splitting a request-target into path and decoded query parameters, as the
// HTTP server does (the API tests build their requests from targets).
#include "http/api/api_types.hpp"

#include "http/route_table.hpp"

namespace berth::http::api {

ApiRequest ApiRequest::from_target(std::string method, std::string_view target, std::string body) {
  ApiRequest r;
  r.method = std::move(method);
  r.body = std::move(body);
  auto q = target.find('?');
  r.path = std::string(target.substr(0, q));
  if (q == std::string_view::npos) return r;
  r.raw_query = std::string(target.substr(q + 1));
  for (auto& [key, value] : query_pairs(r.raw_query)) r.query[key] = std::move(value);  // the last one wins
  return r;
}

}  // namespace berth::http::api
