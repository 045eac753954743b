// File: src/http/router.cpp — routing table, path-pattern matching, query parsing and JSON error bodies.
#include "http/router.hpp"

#include <algorithm>
#include <cctype>
#include <exception>

#include <boost/json.hpp>

#include "config/logging.hpp"

namespace berth::http {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto next = path.find('/', i);
    if (next == std::string_view::npos) next = path.size();
    out.push_back(path.substr(i, next - i));
    i = next;
  }
  return out;
}

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
  std::map<std::string, std::string> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (key && value && !key->empty()) out[*key] = *value;
  }
  return out;
}

void Router::add(Verb method, std::string pattern, SyncHandler handler) {
  add_route(method, std::move(pattern), std::move(handler));
}

void Router::add_async(Verb method, std::string pattern, AsyncHandler handler) {
  add_route(method, std::move(pattern), std::move(handler));
}

void Router::add_route(Verb method, std::string pattern, std::variant<SyncHandler, AsyncHandler> handler) {
  Route r{method, pattern, {}, 0, std::move(handler)};
  for (auto seg : split_path(pattern)) {
    r.segments.emplace_back(seg);
    if (!is_param(seg)) ++r.literal_count;
  }
  routes_.push_back(std::move(r));
}

Router::Match Router::match(Verb method, std::string_view path) const {
  const auto raw = split_path(path);
  Match best;
  std::vector<std::string_view> allowed;
  for (const auto& route : routes_) {
    if (route.segments.size() != raw.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < raw.size() && ok; ++i) {
      const auto& seg = route.segments[i];
      if (is_param(seg)) {
        auto decoded = percent_decode(raw[i], false);
        if (!decoded || decoded->empty())
          ok = false;
        else
          params[seg.substr(1, seg.size() - 2)] = std::move(*decoded);
      } else {
        ok = seg == raw[i];
      }
    }
    if (!ok) continue;
    if (route.method != method) {
      auto name = boost::beast::http::to_string(route.method);
      if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) allowed.push_back(name);
      continue;
    }
    if (best.route == nullptr || route.literal_count > best.route->literal_count) {
      best.route = &route;
      best.params = std::move(params);
    }
  }
  if (best.route != nullptr) return best;
  if (allowed.empty()) {
    best.response = Response::error(404, "not_found", "no route for " + std::string(path));
    return best;
  }
  std::string allow;
  for (auto m : allowed) allow += (allow.empty() ? "" : ", ") + std::string(m);
  best.response = Response::error(405, "method_not_allowed",
                                  std::string(boost::beast::http::to_string(method)) + " is not allowed on " +
                                      std::string(path) + " (allowed: " + allow + ")");
  best.response.headers.emplace_back("Allow", allow);
  return best;
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
