// File: src/store/store_codec.cpp — JSON text encoding of list/struct columns, tolerant of added fields.
#include "store/store_codec.hpp"

#include <boost/json.hpp>

namespace berth::store::codec {
namespace json = boost::json;
namespace {

StoreError corrupt(const char* what) { return StoreError{StoreErrc::corrupt, std::string("bad stored ") + what}; }

StoreResult<json::value> parse(const std::string& text, const char* what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return corrupt(what);
  return v;
}

}  // namespace

std::string encode_attributes(const std::vector<policy::AttributeRequirement>& attrs) {
  json::array a;
  for (const auto& r : attrs) a.push_back(json::object{{"name", r.name}, {"value", r.value}});
  return json::serialize(a);
}

StoreResult<std::vector<policy::AttributeRequirement>> decode_attributes(const std::string& text) {
  auto v = parse(text, "attributes");
  if (!v) return v.error();
  if (!v->is_array()) return corrupt("attributes");
  std::vector<policy::AttributeRequirement> out;
  for (const auto& e : v->get_array()) {
    const auto* o = e.if_object();
    if (!o) return corrupt("attributes");
    const auto* n = o->if_contains("name");
    const auto* val = o->if_contains("value");
    if (!n || !n->is_string() || (val && !val->is_string())) return corrupt("attributes");
    out.push_back({std::string(n->get_string()), val ? std::string(val->get_string()) : std::string()});
  }
  return out;
}

std::string encode_rollout(const policy::RolloutSettings& r) {
  json::object o{{"max_unavailable", r.max_unavailable},
                 {"min_healthy_s", r.min_healthy.count()},
                 {"deadline_s", r.deadline.count()},
                 {"max_failures", r.max_failures},
                 {"auto_rollback", r.auto_rollback}};
  return json::serialize(o);
}

// Missing keys take the defaults, so rows written before a field existed still decode (forward migration).
StoreResult<policy::RolloutSettings> decode_rollout(const std::string& text) {
  auto v = parse(text, "rollout");
  if (!v) return v.error();
  const auto* o = v->if_object();
  if (!o) return corrupt("rollout");
  policy::RolloutSettings r;
  try {
    if (auto* p = o->if_contains("max_unavailable")) r.max_unavailable = std::string(p->as_string());
    if (auto* p = o->if_contains("min_healthy_s")) r.min_healthy = std::chrono::seconds(p->to_number<std::int64_t>());
    if (auto* p = o->if_contains("deadline_s")) r.deadline = std::chrono::seconds(p->to_number<std::int64_t>());
    if (auto* p = o->if_contains("max_failures")) r.max_failures = p->to_number<std::uint32_t>();
    if (auto* p = o->if_contains("auto_rollback")) r.auto_rollback = p->as_bool();
  } catch (const std::exception&) {
    return corrupt("rollout");
  }
  return r;
}

std::string encode_strings(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return json::serialize(a);
}

StoreResult<std::vector<std::string>> decode_strings(const std::string& text) {
  auto v = parse(text, "string list");
  if (!v) return v.error();
  if (!v->is_array()) return corrupt("string list");
  std::vector<std::string> out;
  for (const auto& e : v->get_array()) {
    if (!e.is_string()) return corrupt("string list");
    out.emplace_back(e.get_string());
  }
  return out;
}

}  // namespace berth::store::codec
