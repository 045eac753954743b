// File: src/http/api/api_json_fields.hpp — internal to src/http/api: the strict field readers every /v1 body
// parser shares (environments in api_json.cpp, services in api_service_json.cpp). Errors name the field in the
// API's spelling ("deploymentConfiguration.maximumPercent").
#pragma once

#include "http/api/api_json.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

namespace berth::http::api::fields {
namespace json = boost::json;

inline ApiError missing_field(std::string_view field) {
  return ApiError{400, "missing_field", std::string(field) + ": required"};
}

inline std::string join(std::string_view prefix, std::string_view key) {
  return prefix.empty() ? std::string(key) : std::string(prefix) + "." + std::string(key);
}

// Unknown fields are an error, not ignored: a typo ("maxUnavailble") must not silently keep the default.
inline ApiResult<void> reject_unknown(const json::object& o, std::initializer_list<std::string_view> allowed,
                               std::string_view prefix) {
  for (const auto& kv : o) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
      return ApiError{400, "unknown_field", join(prefix, kv.key()) + ": unknown field"};
    }
  }
  return {};
}

inline bool printable(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

inline ApiResult<std::optional<std::string>> optional_string(const json::object& o, std::string_view key,
                                                      std::string_view field) {
  const json::value* v = o.if_contains(key);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return invalid_field(field, "must be a string");
  return std::optional<std::string>(std::string(v->get_string()));
}

inline ApiResult<std::string> required_string(const json::object& o, std::string_view key, std::string_view field) {
  auto s = optional_string(o, key, field);
  if (!s) return s.error();
  if (!*s || (*s)->empty()) return missing_field(field);
  return std::move(**s);
}

inline ApiResult<std::int64_t> integer_in(const json::value& v, std::string_view field, std::int64_t lo, std::int64_t hi) {
  std::int64_t n = 0;
  if (v.is_int64()) n = v.get_int64();
  else if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(hi)) n = static_cast<std::int64_t>(v.get_uint64());
  else if (v.is_uint64()) n = hi + 1;
  else return invalid_field(field, "must be an integer");
  if (n < lo || n > hi) {
    return invalid_field(field, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return n;
}

inline bool valid_task_definition(std::string_view s) {
  return !s.empty() && s.size() <= 1600 && printable(s) && s.find(' ') == std::string_view::npos;
}

// --- answers ---------------------------------------------------------------------------------------------

inline ApiResponse json_response(int status, json::value body) {
  ApiResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

inline ApiResponse payload_too_large(std::size_t max_body_bytes) {
  return error_response(
      ApiError{413, "payload_too_large", "request body exceeds " + std::to_string(max_body_bytes) + " bytes"});
}

inline ApiResponse bad_path_name(std::string_view what, std::string_view value) {
  return error_response(ApiError{400, "invalid_field", std::string(what) + " '" + std::string(value) +
                                                           "' in path is not a valid name"});
}

// How often a write without a client-given revision is retried after losing a compare-and-set to the reactor.
inline constexpr int max_conflict_retries = 3;

inline std::optional<std::string> query_param(const ApiRequest& req, const std::string& key) {
  auto it = req.query.find(key);
  if (it == req.query.end()) return std::nullopt;
  return it->second;
}

// ?limit=N (1..max; absent: max).
inline ApiResult<std::size_t> parse_limit(const ApiRequest& req, std::size_t max) {
  auto l = query_param(req, "limit");
  if (!l) return max;
  std::size_t n = 0;
  auto [ptr, ec] = std::from_chars(l->data(), l->data() + l->size(), n);
  if (l->empty() || ec != std::errc() || ptr != l->data() + l->size() || n < 1 || n > max) {
    return invalid_field("limit", "must be between 1 and " + std::to_string(max));
  }
  return n;
}

}  // namespace berth::http::api::fields
