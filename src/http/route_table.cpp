// File: src/http/route_table.cpp — path splitting, pattern matching and the 404/405 decision.
#include "http/route_table.hpp"

#include <algorithm>

namespace berth::http {

namespace {

bool is_param(std::string_view seg) {
  return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

bool is_greedy(std::string_view seg) {
  return is_param(seg) && seg.size() > 5 && seg.substr(seg.size() - 4) == "...}";
}

std::string param_name(std::string_view seg) {
  return std::string(seg.substr(1, seg.size() - (is_greedy(seg) ? 5 : 2)));
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

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

std::vector<std::pair<std::string, std::string>> query_pairs(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1), true);
    if (key && value && !key->empty()) out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::vector<std::string> query_values(std::string_view query, std::string_view key) {
  std::vector<std::string> out;
  for (auto& [k, v] : query_pairs(query))
    if (k == key) out.push_back(std::move(v));
  return out;
}

std::string no_route_message(std::string_view path) { return "no route for " + std::string(path); }

std::string method_not_allowed_message(std::string_view method, std::string_view path, std::string_view allow) {
  return std::string(method) + " is not allowed on " + std::string(path) + " (allowed: " + std::string(allow) + ")";
}

std::size_t RouteTable::add(Verb method, std::string_view pattern) {
  Route r{method, {}, 0, false};
  for (auto seg : split_path(pattern)) {
    r.segments.emplace_back(seg);
    if (!is_param(seg)) ++r.literal_count;
  }
  r.greedy = !r.segments.empty() && is_greedy(r.segments.back());
  routes_.push_back(std::move(r));
  return routes_.size() - 1;
}

RouteTable::Match RouteTable::match(Verb method, std::string_view path) const {
  const auto raw = split_path(path);
  Match best;
  std::vector<std::string_view> allowed;
  for (std::size_t index = 0; index < routes_.size(); ++index) {
    const auto& route = routes_[index];
    if (route.greedy ? raw.size() < route.segments.size() : route.segments.size() != raw.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; i < route.segments.size() && ok; ++i) {
      const auto& seg = route.segments[i];
      if (is_param(seg)) {
        std::string_view value = raw[i];
        if (route.greedy && i + 1 == route.segments.size())  // the rest of the path, as sent
          value = std::string_view(raw[i].data(), static_cast<std::size_t>(raw.back().data() + raw.back().size() - raw[i].data()));
        auto decoded = percent_decode(value, false);
        if (!decoded || decoded->empty())
          ok = false;
        else
          params[param_name(seg)] = std::move(*decoded);
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
    if (!best.route || route.literal_count > routes_[*best.route].literal_count) {
      best.route = index;
      best.params = std::move(params);
    }
  }
  if (best.route) return best;
  for (auto m : allowed) best.allow += (best.allow.empty() ? "" : ", ") + std::string(m);
  return best;
}

}  // namespace berth::http
