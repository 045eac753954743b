// File: tests/sim/json_fields.hpp — optional members of a request object, read with a fallback.
#pragma once
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace berth::sim {

// A member that is absent, null or of another type reads as the fallback, so every operation
// treats "not given" the same way. (ECS and SQS input has passed model validation by then, so
// there a wrong type never gets this far; control API input has not.)
inline std::string str(const boost::json::object& in, const char* key, std::string fallback = {}) {
  if (auto* v = in.if_contains(key); v && v->is_string()) return std::string(v->as_string());
  return fallback;
}

inline std::optional<std::int64_t> integer(const boost::json::object& in, const char* key) {
  if (auto* v = in.if_contains(key); v && v->is_int64()) return v->as_int64();
  return std::nullopt;
}

inline int int_or(const boost::json::object& in, const char* key, int fallback) {
  if (auto v = integer(in, key)) return static_cast<int>(*v);
  return fallback;
}

inline bool bool_or(const boost::json::object& in, const char* key, bool fallback) {
  if (auto* v = in.if_contains(key); v && v->is_bool()) return v->as_bool();
  return fallback;
}

}  // namespace berth::sim
