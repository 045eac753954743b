// File: src/http/router.hpp — plain-data request/response types and a method + path-pattern routing table.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>

#include "http/route_table.hpp"
#include "http/stream.hpp"

namespace berth::http {

// What a handler sees: no sockets, so handlers are testable with plain values.
struct Request {
  Verb method = Verb::get;
  std::string path;                            // path as sent, without the query ("/v1/environments/x")
  std::map<std::string, std::string> query;    // decoded query parameters (last one wins)
  std::string raw_query;                       // as sent, without '?': repeated parameters (query_values)
  std::map<std::string, std::string> headers;  // header names lower-cased
  std::string body;
  std::map<std::string, std::string> params;  // {param} segments of the matched pattern, decoded
  std::string remote_address;                 // the client's IP address as the server saw it (empty in tests)

  // Header value by (case-insensitive) name, empty when absent.
  std::string_view header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers, e.g. Location, Allow
  // Set: a streaming answer (http/stream.hpp); `body` is ignored and the chunks come from the channel.
  std::shared_ptr<StreamChannel> stream;

  static Response json(unsigned status, const boost::json::value& body);
  static Response text(unsigned status, std::string body);
  // {"error":{"code":"...","message":"..."}}
  static Response error(unsigned status, std::string_view code, std::string_view message);
  static Response no_content();
  // 200 with `content_type`, whose body is whatever `channel` is given (chunked transfer encoding).
  static Response streaming(std::shared_ptr<StreamChannel> channel, std::string content_type);
};

using SyncHandler = std::function<Response(const Request&)>;
using AsyncHandler = std::function<boost::asio::awaitable<Response>(Request)>;

// Routes by a RouteTable of (method, pattern); see route_table.hpp for the pattern syntax and precedence. A path
// that matches no pattern gives 404; a path that matches only with other methods gives 405 with an Allow header.
class Router {
 public:
  void add(Verb method, std::string pattern, SyncHandler handler);
  void add_async(Verb method, std::string pattern, AsyncHandler handler);

  // Runs the matching handler. Exceptions from handlers become an opaque 500 (and are logged).
  boost::asio::awaitable<Response> dispatch(Request request) const;

  // The synchronous half of dispatch, for tests and for sync-only routes: nullopt when the route is async.
  std::optional<Response> dispatch_sync(Request& request) const;

 private:
  struct Route {
    std::string pattern;
    std::variant<SyncHandler, AsyncHandler> handler;
  };
  struct Match {
    const Route* route = nullptr;  // null: 404 or 405, see `response`
    std::map<std::string, std::string> params;
    Response response;
  };
  Match match(Verb method, std::string_view path) const;
  void add_route(Verb method, std::string pattern, std::variant<SyncHandler, AsyncHandler> handler);

  RouteTable table_;
  std::vector<Route> routes_;  // by RouteTable index
};
// Splits "a=1&b=x%20y" into a map (decoded); malformed pairs are skipped.
std::map<std::string, std::string> parse_query(std::string_view query);

}  // namespace berth::http
