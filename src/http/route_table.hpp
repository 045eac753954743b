// File: src/http/route_table.hpp — method + path-pattern matching shared by the Router and the /v1 API.
//
// The one place that splits paths and matches them against patterns: the Router keeps handlers next to a
// RouteTable, and ApiV1 (which has no sockets and its own response type) matches through one as well.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <ostream>  // boost/beast/http/verb.hpp uses std::ostream without including <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace berth::http {

using Verb = boost::beast::http::verb;

// Patterns are literal segments and "{name}" segments that match one non-empty path segment (percent-decoded):
// "/v1/environments/{name}/deployments". When several patterns match, the one with the most literal segments
// wins, then the earliest added. Empty segments are ignored, so "/v1/x/" matches "/v1/x".
// A last segment "{name...}" is greedy: it matches the rest of the path, one or more segments, and its value is
// those segments as sent, joined by "/", then percent-decoded ("/v1/tasks/{cluster}/{arn...}" takes a task ARN
// with its slashes raw, "arn:aws:ecs:r:a:task/c/id", or encoded, "arn%3Aaws%3Aecs%3Ar%3Aa%3Atask%2Fc%2Fid").
class RouteTable {
 public:
  struct Match {
    std::optional<std::size_t> route;           // index (order of add) of the matched route; nullopt: 404 or 405
    std::map<std::string, std::string> params;  // {name} segments of the matched pattern, decoded
    std::string allow;  // no match but the path fits other methods: "GET, DELETE" (a 405); empty: a 404
  };

  // Returns the new route's index.
  std::size_t add(Verb method, std::string_view pattern);
  Match match(Verb method, std::string_view path) const;
  std::size_t size() const { return routes_.size(); }

 private:
  struct Route {
    Verb method;
    std::vector<std::string> segments;
    int literal_count = 0;
    bool greedy = false;  // the last segment is "{name...}"
  };
  std::vector<Route> routes_;
};

// The messages of the 404 and 405 error bodies, the same for every route table.
std::string no_route_message(std::string_view path);
std::string method_not_allowed_message(std::string_view method, std::string_view path, std::string_view allow);

// The non-empty segments of a path, as they are ("/a//b/" -> {"a", "b"}; nothing decoded).
std::vector<std::string_view> split_path(std::string_view path);

// Percent-decoding for paths and queries; nullopt on malformed escapes. `plus_is_space` for query strings.
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space);

// A query string ("a=1&b=x%20y&a=2", without the '?') as decoded (key, value) pairs in order, repeats kept; a
// pair with a malformed escape or an empty key is left out.
std::vector<std::pair<std::string, std::string>> query_pairs(std::string_view query);
// Every value of `key` in a query string, in order: the repeatable parameters (Marathon's `embed`).
std::vector<std::string> query_values(std::string_view query, std::string_view key);

}  // namespace berth::http
