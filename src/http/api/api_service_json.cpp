// File: src/http/api/api_service_json.cpp — /v1/services JSON: encoding and strict body validation.
#include "http/api/api_service_json.hpp"

#include "http/api/api_json_fields.hpp"
#include "store/store_codec.hpp"

#include <limits>

namespace berth::http::api {
namespace json = boost::json;
using namespace fields;

namespace {

constexpr std::int64_t max_count = 100000;  // desiredCount, min, max: far above any cluster

// The spec in ECS's spelling, as the store keeps it (store_codec), with its name and cluster first.
json::object spec_to_json(const policy::ServiceSpec& s) {
  json::object out{{"name", s.name}, {"cluster", s.cluster}};
  for (auto& kv : store::codec::service_spec_to_json(s)) out.emplace(kv.key(), std::move(kv.value()));
  out.erase("frontMetadata");  // a front's metadata is that front's to show (Marathon's /v2/apps)
  out.erase("replaceEveryTask");  // set by the Marathon front, not a /v1 field
  return out;
}

ApiResult<std::int32_t> count_field(const json::value& v, std::string_view field, std::int64_t lo = 0) {
  auto n = integer_in(v, field, lo, max_count);
  if (!n) return n.error();
  return static_cast<std::int32_t>(*n);
}

ApiResult<bool> bool_field(const json::value& v, std::string_view field) {
  if (!v.is_bool()) return invalid_field(field, "must be true or false");
  return v.get_bool();
}

ApiResult<policy::ServiceDeploymentConfig> parse_deployment_config(const json::value& v) {
  constexpr std::string_view at = "deploymentConfiguration";
  const json::object* o = v.if_object();
  if (!o) return invalid_field(at, "must be an object");
  if (auto r = reject_unknown(*o,
                              {"minimumHealthyPercent", "maximumPercent", "deploymentCircuitBreaker",
                               "minHealthySeconds", "progressDeadlineSeconds", "min", "max"},
                              at);
      !r)
    return r.error();
  policy::ServiceDeploymentConfig d;
  struct IntField {
    std::string_view key;
    std::int32_t* out;
    std::int64_t hi;
  };
  for (const IntField& f : {IntField{"minimumHealthyPercent", &d.minimum_healthy_percent, 100},
                            IntField{"maximumPercent", &d.maximum_percent, 10000},
                            IntField{"minHealthySeconds", &d.min_healthy_seconds, 86400},
                            IntField{"progressDeadlineSeconds", &d.progress_deadline_seconds, 86400 * 7}}) {
    if (const auto* p = o->if_contains(f.key)) {
      auto n = integer_in(*p, join(at, f.key), 0, f.hi);
      if (!n) return n.error();
      *f.out = static_cast<std::int32_t>(*n);
    }
  }
  for (auto [key, out] : {std::pair{std::string_view("min"), &d.min}, std::pair{std::string_view("max"), &d.max}}) {
    if (const auto* p = o->if_contains(key)) {
      auto n = count_field(*p, join(at, key));
      if (!n) return n.error();
      *out = *n;
    }
  }
  if (const auto* cb = o->if_contains("deploymentCircuitBreaker")) {
    const std::string field = join(at, "deploymentCircuitBreaker");
    const json::object* c = cb->if_object();
    if (!c) return invalid_field(field, "must be an object {enable, rollback}");
    if (auto r = reject_unknown(*c, {"enable", "rollback"}, field); !r) return r.error();
    for (auto [key, out] : {std::pair{std::string_view("enable"), &d.circuit_breaker.enable},
                            std::pair{std::string_view("rollback"), &d.circuit_breaker.rollback}}) {
      const auto* p = c->if_contains(key);
      if (!p) return missing_field(join(field, key));
      auto b = bool_field(*p, join(field, key));
      if (!b) return b.error();
      *out = *b;
    }
  }
  return d;
}

ApiResult<std::vector<policy::PlacementStrategy>> parse_strategy(const json::value& v) {
  constexpr std::string_view at = "placementStrategy";
  const json::array* a = v.if_array();
  if (!a) return invalid_field(at, "must be an array of {type, field}");
  std::vector<policy::PlacementStrategy> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string item = std::string(at) + "[" + std::to_string(i) + "]";
    const json::object* o = (*a)[i].if_object();
    if (!o) return invalid_field(item, "must be an object {type, field}");
    if (auto r = reject_unknown(*o, {"type", "field"}, item); !r) return r.error();
    auto type = required_string(*o, "type", item + ".type");
    if (!type) return type.error();
    policy::PlacementStrategy s;
    if (*type == "spread") s.type = policy::PlacementStrategyType::spread;
    else if (*type == "binpack") s.type = policy::PlacementStrategyType::binpack;
    else if (*type == "random") s.type = policy::PlacementStrategyType::random;
    else return invalid_field(item + ".type", "must be spread, binpack or random");
    auto field = optional_string(*o, "field", item + ".field");
    if (!field) return field.error();
    s.field = field->value_or("");
    out.push_back(std::move(s));
  }
  return out;
}

ApiResult<std::vector<policy::PlacementConstraint>> parse_constraints(const json::value& v) {
  constexpr std::string_view at = "placementConstraints";
  const json::array* a = v.if_array();
  if (!a) return invalid_field(at, "must be an array of {type, expression}");
  std::vector<policy::PlacementConstraint> out;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const std::string item = std::string(at) + "[" + std::to_string(i) + "]";
    const json::object* o = (*a)[i].if_object();
    if (!o) return invalid_field(item, "must be an object {type, expression}");
    if (auto r = reject_unknown(*o, {"type", "expression"}, item); !r) return r.error();
    auto type = required_string(*o, "type", item + ".type");
    if (!type) return type.error();
    auto expression = optional_string(*o, "expression", item + ".expression");
    if (!expression) return expression.error();
    if (*type == "distinctInstance") {
      if (*expression) return invalid_field(item + ".expression", "distinctInstance takes no expression");
      out.push_back({policy::PlacementConstraintType::distinct_instance, {}});
    } else if (*type == "memberOf") {
      if (!*expression || (*expression)->empty()) return missing_field(item + ".expression");
      out.push_back({policy::PlacementConstraintType::member_of, std::move(**expression)});
    } else {
      return invalid_field(item + ".type", "must be distinctInstance or memberOf");
    }
  }
  return out;
}

}  // namespace

json::object service_to_json(const policy::Service& service) {
  auto o = spec_to_json(service.spec);
  o["version"] = service.version;
  o["revision"] = service.revision;
  o["activeDeploymentId"] =
      service.active_deployment_id.empty() ? json::value(nullptr) : json::value(service.active_deployment_id);
  o["createdAt"] = format_time(service.created_at);
  o["updatedAt"] = format_time(service.updated_at);
  return o;
}

json::object service_version_to_json(const policy::ServiceVersion& version) {
  auto spec = spec_to_json(version.spec);
  spec.erase("cluster");  // versions do not move a service between clusters
  return json::object{{"version", version.version},
                      {"stable", version.stable},
                      {"createdAt", format_time(version.created_at)},
                      {"spec", std::move(spec)}};
}

json::object service_deployment_to_json(const policy::Deployment& d) {
  auto o = deployment_to_json(d);
  o.erase("environmentName");
  o.erase("deploymentToken");
  // Services are berth's own resource, not Blox's daemon scheduler: their deployments keep berth's five statuses.
  o["status"] = policy::to_string(d.status);
  o.erase("outcome");
  o["serviceName"] = d.environment;
  o["version"] = d.version;
  return o;
}

ApiResult<ParsedService> parse_service(const json::object& body, const std::optional<std::string>& path_name) {
  if (auto r = reject_unknown(body,
                              {"name", "cluster", "taskDefinition", "desiredCount", "deploymentConfiguration",
                               "placementStrategy", "placementConstraints", "revision"},
                              "");
      !r)
    return r.error();
  ParsedService out;
  auto& spec = out.spec;
  auto name = optional_string(body, "name", "name");
  if (!name) return name.error();
  if (path_name) {
    if (*name && **name != *path_name) return invalid_field("name", "must equal the name in the path");
    spec.name = *path_name;
  } else {
    if (!*name || (*name)->empty()) return missing_field("name");
    spec.name = **name;
  }
  auto cluster = required_string(body, "cluster", "cluster");
  if (!cluster) return cluster.error();
  if (!valid_cluster_name(*cluster)) return invalid_field("cluster", "1-255 letters, digits, '-' or '_'");
  spec.cluster = std::move(*cluster);
  auto td = required_string(body, "taskDefinition", "taskDefinition");
  if (!td) return td.error();
  if (!valid_task_definition(*td)) return invalid_field("taskDefinition", "must be family:revision or an ARN");
  spec.task_definition = std::move(*td);
  const auto* count = body.if_contains("desiredCount");
  if (!count) return missing_field("desiredCount");
  auto n = count_field(*count, "desiredCount");
  if (!n) return n.error();
  spec.desired_count = *n;
  if (const auto* d = body.if_contains("deploymentConfiguration")) {
    auto parsed = parse_deployment_config(*d);
    if (!parsed) return parsed.error();
    spec.deployment = std::move(*parsed);
  }
  if (const auto* p = body.if_contains("placementStrategy")) {
    auto parsed = parse_strategy(*p);
    if (!parsed) return parsed.error();
    spec.placement_strategy = std::move(*parsed);
  }
  if (const auto* p = body.if_contains("placementConstraints")) {
    auto parsed = parse_constraints(*p);
    if (!parsed) return parsed.error();
    spec.placement_constraints = std::move(*parsed);
  }
  if (const auto* r = body.if_contains("revision")) {
    if (!path_name) return invalid_field("revision", "only a PUT takes a revision");
    auto rev = integer_in(*r, "revision", 1, std::numeric_limits<std::int64_t>::max());
    if (!rev) return rev.error();
    out.revision = *rev;
  }
  if (auto bad = policy::validate(spec)) return invalid_field(bad->field, bad->message);
  return out;
}

ApiResult<std::int32_t> parse_scale(const json::object& body) {
  if (auto r = reject_unknown(body, {"desiredCount"}, ""); !r) return r.error();
  const auto* count = body.if_contains("desiredCount");
  if (!count) return missing_field("desiredCount");
  return count_field(*count, "desiredCount");
}

ApiResult<std::int64_t> parse_revert(const json::object& body) {
  if (auto r = reject_unknown(body, {"version"}, ""); !r) return r.error();
  const auto* v = body.if_contains("version");
  if (!v) return missing_field("version");
  return integer_in(*v, "version", 1, std::numeric_limits<std::int64_t>::max());
}

}  // namespace berth::http::api
