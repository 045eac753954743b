// File: src/store/service_codec.cpp — a service spec as JSON text in the services and service_versions tables,
// spelled as the API and ECS spell it, so that a row reads like the request that made it.
#include "store/store_codec.hpp"

#include <boost/json.hpp>

namespace berth::store::codec {
namespace json = boost::json;
namespace {

StoreError corrupt() { return StoreError{StoreErrc::corrupt, "bad stored service spec"}; }

const char* strategy_name(policy::PlacementStrategyType t) {
  switch (t) {
    case policy::PlacementStrategyType::spread: return "spread";
    case policy::PlacementStrategyType::binpack: return "binpack";
    case policy::PlacementStrategyType::random: return "random";
  }
  return "spread";
}

std::optional<policy::PlacementStrategyType> strategy_type(std::string_view s) {
  if (s == "spread") return policy::PlacementStrategyType::spread;
  if (s == "binpack") return policy::PlacementStrategyType::binpack;
  if (s == "random") return policy::PlacementStrategyType::random;
  return std::nullopt;
}

}  // namespace

json::object service_spec_to_json(const policy::ServiceSpec& spec) {
  const auto& d = spec.deployment;
  json::object deployment{{"minimumHealthyPercent", d.minimum_healthy_percent},
                          {"maximumPercent", d.maximum_percent},
                          {"deploymentCircuitBreaker",
                           json::object{{"enable", d.circuit_breaker.enable}, {"rollback", d.circuit_breaker.rollback}}},
                          {"minHealthySeconds", d.min_healthy_seconds},
                          {"progressDeadlineSeconds", d.progress_deadline_seconds}};
  if (d.min) deployment["min"] = *d.min;
  if (d.max) deployment["max"] = *d.max;
  json::array strategy;
  for (const auto& s : spec.placement_strategy) {
    json::object o{{"type", strategy_name(s.type)}};
    if (!s.field.empty()) o["field"] = s.field;
    strategy.push_back(std::move(o));
  }
  json::array constraints;
  for (const auto& c : spec.placement_constraints) {
    if (c.type == policy::PlacementConstraintType::distinct_instance)
      constraints.push_back(json::object{{"type", "distinctInstance"}});
    else
      constraints.push_back(json::object{{"type", "memberOf"}, {"expression", c.expression}});
  }
  json::object out{{"taskDefinition", spec.task_definition},
                   {"desiredCount", spec.desired_count},
                   {"deploymentConfiguration", std::move(deployment)},
                   {"placementStrategy", std::move(strategy)},
                   {"placementConstraints", std::move(constraints)}};
  // Kept as text inside the JSON row: no column and no migration, and an older row simply lacks it.
  if (!spec.front_metadata.empty()) out["frontMetadata"] = spec.front_metadata;
  if (spec.replace_every_task) out["replaceEveryTask"] = true;
  return out;
}

std::string encode_service_spec(const policy::ServiceSpec& spec) { return json::serialize(service_spec_to_json(spec)); }

StoreResult<policy::ServiceSpec> decode_service_spec(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  const auto* o = ec ? nullptr : v.if_object();
  if (o == nullptr) return corrupt();
  policy::ServiceSpec spec;
  try {
    // Fields are read when present: a row written by an older berth lacks what was added since.
    if (const auto* p = o->if_contains("taskDefinition")) spec.task_definition = std::string(p->as_string());
    if (const auto* p = o->if_contains("desiredCount")) spec.desired_count = p->to_number<std::int32_t>();
    if (const auto* dc = o->if_contains("deploymentConfiguration")) {
      const auto& d = dc->as_object();
      auto& out = spec.deployment;
      if (const auto* p = d.if_contains("minimumHealthyPercent")) out.minimum_healthy_percent = p->to_number<int>();
      if (const auto* p = d.if_contains("maximumPercent")) out.maximum_percent = p->to_number<int>();
      if (const auto* cb = d.if_contains("deploymentCircuitBreaker")) {
        out.circuit_breaker.enable = cb->as_object().at("enable").as_bool();
        out.circuit_breaker.rollback = cb->as_object().at("rollback").as_bool();
      }
      if (const auto* p = d.if_contains("minHealthySeconds")) out.min_healthy_seconds = p->to_number<int>();
      if (const auto* p = d.if_contains("progressDeadlineSeconds")) out.progress_deadline_seconds = p->to_number<int>();
      if (const auto* p = d.if_contains("min")) out.min = p->to_number<std::int32_t>();
      if (const auto* p = d.if_contains("max")) out.max = p->to_number<std::int32_t>();
    }
    if (const auto* ps = o->if_contains("placementStrategy")) {
      for (const auto& e : ps->as_array()) {
        const auto& so = e.as_object();
        auto type = strategy_type(so.at("type").as_string());
        if (!type) return corrupt();
        policy::PlacementStrategy s{*type, {}};
        if (const auto* f = so.if_contains("field")) s.field = std::string(f->as_string());
        spec.placement_strategy.push_back(std::move(s));
      }
    }
    if (const auto* p = o->if_contains("frontMetadata")) spec.front_metadata = std::string(p->as_string());
    if (const auto* p = o->if_contains("replaceEveryTask")) spec.replace_every_task = p->as_bool();
    if (const auto* pc = o->if_contains("placementConstraints")) {
      for (const auto& e : pc->as_array()) {
        const auto& co = e.as_object();
        const std::string_view type = co.at("type").as_string();
        if (type == "distinctInstance") {
          spec.placement_constraints.push_back({policy::PlacementConstraintType::distinct_instance, {}});
        } else if (type == "memberOf") {
          spec.placement_constraints.push_back(
              {policy::PlacementConstraintType::member_of, std::string(co.at("expression").as_string())});
        } else {
          return corrupt();
        }
      }
    }
  } catch (const std::exception&) {
    return corrupt();
  }
  return spec;
}

}  // namespace berth::store::codec
