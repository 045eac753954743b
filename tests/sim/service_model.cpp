// File: tests/sim/service_model.cpp — loads botocore service models and validates request bodies against them.
#include "service_model.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace berth::sim {
namespace json = boost::json;

namespace {
Violation violation(Violation::Kind kind, const std::string& detail) {
  return Violation{kind, "1 validation error detected: " + detail};
}
std::string quoted_value(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 64) s = s.substr(0, 64) + "...";
  return s;
}
}  // namespace

ServiceModel ServiceModel::load(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open service model " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  ServiceModel m;
  m.model_ = json::parse(ss.str());
  const auto& obj = m.model_.as_object();
  if (!obj.contains("operations") || !obj.contains("shapes")) throw std::runtime_error("not a service model: " + path);
  if (auto* meta = obj.at("metadata").as_object().if_contains("targetPrefix")) m.target_prefix_ = meta->as_string();
  return m;
}

bool ServiceModel::has_operation(const std::string& op) const {
  return model_.at("operations").as_object().contains(op);
}

const json::object* ServiceModel::shape(const json::value& ref) const {
  const auto* name = ref.as_object().if_contains("shape");
  if (!name) return nullptr;
  const auto* s = model_.at("shapes").as_object().if_contains(name->as_string());
  return s ? &s->as_object() : nullptr;
}

std::optional<Violation> ServiceModel::validate_input(const std::string& op, const json::value& input) const {
  const auto* o = model_.at("operations").as_object().if_contains(op);
  if (!o) return Violation{Violation::Kind::unknown_member, "unknown operation " + op};
  const auto* in = o->as_object().if_contains("input");
  if (!in) return std::nullopt;
  const auto* s = shape(*in);
  if (!s) return std::nullopt;
  return check(*s, input, "", 0);
}

std::optional<Violation> ServiceModel::check(const json::object& s, const json::value& v, const std::string& path,
                                             int depth) const {
  using K = Violation::Kind;
  // Deeply nested input is hostile input; the models nest far less than this.
  if (depth > 32) return violation(K::limit, "Value at '" + path + "' is nested too deeply");
  const std::string type(s.at("type").as_string());
  const std::string at = path.empty() ? "request" : path;
  auto min = [&]() -> std::optional<std::int64_t> {
    if (auto* m = s.if_contains("min")) return m->is_int64() ? m->as_int64() : static_cast<std::int64_t>(m->to_number<double>());
    return std::nullopt;
  };
  auto max = [&]() -> std::optional<std::int64_t> {
    if (auto* m = s.if_contains("max")) return m->is_int64() ? m->as_int64() : static_cast<std::int64_t>(m->to_number<double>());
    return std::nullopt;
  };
  // A list's or string's length, or an integer's value, against the shape's min and max.
  auto out_of_bounds = [&](std::int64_t n, const std::string& subject, const char* what) -> std::optional<Violation> {
    const std::string must = subject + " failed to satisfy constraint: Member must have " + what;
    if (auto lo = min(); lo && n < *lo) return violation(K::limit, must + " greater than or equal to " + std::to_string(*lo));
    if (auto hi = max(); hi && n > *hi) return violation(K::limit, must + " less than or equal to " + std::to_string(*hi));
    return std::nullopt;
  };
  auto type_error = [&](const char* want) {
    return violation(K::wrong_type, "Value " + quoted_value(v) + " at '" + at + "' failed to satisfy constraint: Member must be of type " + want);
  };

  if (type == "structure") {
    if (!v.is_object()) return type_error("structure");
    const auto& members = s.at("members").as_object();
    if (auto* req = s.if_contains("required")) {
      for (const auto& r : req->as_array()) {
        const auto* got = v.as_object().if_contains(r.as_string());
        if (!got || got->is_null()) {
          std::string p = path.empty() ? std::string(r.as_string()) : path + "." + std::string(r.as_string());
          return violation(K::missing_member, "Value null at '" + p + "' failed to satisfy constraint: Member must not be null");
        }
      }
    }
    for (const auto& [key, val] : v.as_object()) {
      std::string p = path.empty() ? std::string(key) : path + "." + std::string(key);
      const auto* m = members.if_contains(key);
      if (!m) return violation(K::unknown_member, "Unrecognized field '" + p + "'");
      if (val.is_null()) continue;
      const auto* ms = shape(*m);
      if (!ms) continue;
      if (auto bad = check(*ms, val, p, depth + 1)) return bad;
    }
    return std::nullopt;
  }
  if (type == "list") {
    if (!v.is_array()) return type_error("list");
    const auto n = static_cast<std::int64_t>(v.as_array().size());
    if (auto bad = out_of_bounds(n, "Value at '" + at + "'", "length")) return bad;
    const auto* ms = shape(s.at("member"));
    std::size_t i = 0;
    for (const auto& e : v.as_array()) {
      if (ms && !e.is_null())
        if (auto bad = check(*ms, e, at + "." + std::to_string(++i), depth + 1)) return bad;
    }
    return std::nullopt;
  }
  if (type == "map") {
    if (!v.is_object()) return type_error("map");
    const auto* vs = shape(s.at("value"));
    for (const auto& [key, val] : v.as_object())
      if (vs && !val.is_null())
        if (auto bad = check(*vs, val, at + "." + std::string(key), depth + 1)) return bad;
    return std::nullopt;
  }
  if (type == "string") {
    if (!v.is_string()) return type_error("string");
    const auto n = static_cast<std::int64_t>(v.as_string().size());
    if (auto bad = out_of_bounds(n, "Value at '" + at + "'", "length")) return bad;
    if (auto* e = s.if_contains("enum")) {
      for (const auto& allowed : e->as_array())
        if (allowed.as_string() == v.as_string()) return std::nullopt;
      return violation(K::bad_enum, "Value " + quoted_value(v) + " at '" + at + "' failed to satisfy constraint: Member must satisfy enum value set: " + quoted_value(*e));
    }
    return std::nullopt;
  }
  if (type == "integer" || type == "long") {
    if (!v.is_int64() && !v.is_uint64()) return type_error(type.c_str());
    const auto n = v.is_int64() ? v.as_int64() : static_cast<std::int64_t>(v.as_uint64());
    if (type == "integer" && (n > 2147483647LL || n < -2147483648LL)) return type_error("integer");
    if (auto bad = out_of_bounds(n, "Value " + quoted_value(v) + " at '" + at + "'", "value")) return bad;
    return std::nullopt;
  }
  if (type == "double" || type == "float") return v.is_number() ? std::nullopt : std::optional(type_error("double"));
  if (type == "boolean") return v.is_bool() ? std::nullopt : std::optional(type_error("boolean"));
  if (type == "timestamp") return v.is_number() || v.is_string() ? std::nullopt : std::optional(type_error("timestamp"));
  if (type == "blob") return v.is_string() ? std::nullopt : std::optional(type_error("blob"));
  return std::nullopt;
}

}  // namespace berth::sim
