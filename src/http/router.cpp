// File: src/http/router.cpp — handlers over a RouteTable, dispatch with opaque 500s, query parsing, JSON error bodies.
#include "http/router.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include <boost/json.hpp>

#include "config/logging.hpp"

namespace berth::http {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// The 404, or the 405 with Allow, of a RouteTable match that found no route.
Response no_route_response(const RouteTable::Match& match, std::string_view method, std::string_view path) {
  if (match.allow.empty()) return Response::error(404, "not_found", no_route_message(path));
  Response r = Response::error(405, "method_not_allowed", method_not_allowed_message(method, path, match.allow));
  r.headers.emplace_back("Allow", match.allow);
  return r;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string_view() : std::string_view(it->second);
}

Response Response::json(unsigned status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

Response Response::text(unsigned status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = "text/plain; charset=utf-8";
  return r;
}

Response Response::error(unsigned status, std::string_view code, std::string_view message) {
  return json(status, {{"error", {{"code", code}, {"message", message}}}});
}

Response Response::no_content() {
  Response r;
  r.status = 204;
  r.content_type.clear();
  return r;
}

Response Response::streaming(std::shared_ptr<StreamChannel> channel, std::string content_type) {
  Response r;
  r.content_type = std::move(content_type);
  r.stream = std::move(channel);
  return r;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  for (auto& [key, value] : query_pairs(query)) out[key] = std::move(value);  // the last one wins
  return out;
}

void Router::add(Verb method, std::string pattern, SyncHandler handler) {
  add_route(method, std::move(pattern), std::move(handler));
}

void Router::add_async(Verb method, std::string pattern, AsyncHandler handler) {
  add_route(method, std::move(pattern), std::move(handler));
}

void Router::add_route(Verb method, std::string pattern, std::variant<SyncHandler, AsyncHandler> handler) {
  table_.add(method, pattern);
  routes_.push_back(Route{std::move(pattern), std::move(handler)});
}

Router::Match Router::match(Verb method, std::string_view path) const {
  RouteTable::Match m = table_.match(method, path);
  Match out;
  if (m.route) {
    out.route = &routes_[*m.route];
    out.params = std::move(m.params);
  } else {
    out.response = no_route_response(m, boost::beast::http::to_string(method), path);
  }
  return out;
}

std::optional<Response> Router::dispatch_sync(Request& request) const {
  Match m = match(request.method, request.path);
  if (m.route == nullptr) return std::move(m.response);
  const auto* sync = std::get_if<SyncHandler>(&m.route->handler);
  if (sync == nullptr) return std::nullopt;
  request.params = std::move(m.params);
  try {
    return (*sync)(request);
  } catch (const std::exception& e) {
    logging::get("http")->error("handler failed route=\"{}\" error=\"{}\"", m.route->pattern, e.what());
  } catch (...) {
    logging::get("http")->error("handler failed route=\"{}\" error=unknown", m.route->pattern);
  }
  // Opaque on purpose: details stay in the log, never in the response.
  return Response::error(500, "internal", "internal error");
}

boost::asio::awaitable<Response> Router::dispatch(Request request) const {
  Match m = match(request.method, request.path);
  if (m.route == nullptr) co_return std::move(m.response);
  if (std::holds_alternative<SyncHandler>(m.route->handler)) co_return *dispatch_sync(request);
  request.params = std::move(m.params);
  const std::string pattern = m.route->pattern;
  std::string failure;
  try {
    co_return co_await std::get<AsyncHandler>(m.route->handler)(std::move(request));
  } catch (const std::exception& e) {
    failure = e.what();
  } catch (...) {
    failure = "unknown";
  }
  logging::get("http")->error("handler failed route=\"{}\" error=\"{}\"", pattern, failure);
  co_return Response::error(500, "internal", "internal error");
}

}  // namespace berth::http
