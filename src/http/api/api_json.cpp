// File: src/http/api/api_json.cpp — /v1 JSON encoding and strict request-body validation.
#include "http/api/api_json.hpp"

#include "http/api/api_json_fields.hpp"

#include "policy/constraint.hpp"

#include <boost/throw_exception.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <initializer_list>
#include <set>
#include <stdexcept>

namespace berth::http::api {
namespace json = boost::json;
using policy::Deployment;
using policy::Environment;
using policy::RolloutSettings;

void throw_exception_from_error(const ApiError& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error("api: " + e.code + ": " + e.message), loc);
}

ApiResponse error_response(const ApiError& e) {
  ApiResponse r;
  r.status = e.status;
  r.body = json::object{{"error", json::object{{"code", e.code}, {"message", e.message}}}};
  return r;
}

ApiError invalid_field(std::string_view field, std::string_view why) {
  return ApiError{400, "invalid_field", std::string(field) + ": " + std::string(why)};
}

namespace {

using namespace fields;

bool valid_attribute_name(std::string_view s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/' || c == '\\';
  });
}

// ECS attribute values: up to 128 of letters, digits and -_.@/\: and space, not starting/ending with a space.
bool valid_attribute_value(std::string_view s) {
  if (s.size() > 128) return false;
  if (!s.empty() && (s.front() == ' ' || s.back() == ' ')) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("-_.@/\\: ").find(c) != std::string_view::npos;
  });
}

ApiResult<std::vector<policy::AttributeRequirement>> parse_attributes(const json::value& v) {
  constexpr std::string_view field = "instanceGroup.attributes";
  const json::array* a = v.if_array();
  if (!a) return invalid_field(field, "must be an array of {name, value}");
  if (a->size() > 32) return invalid_field(field, "at most 32 attributes");
  std::vector<policy::AttributeRequirement> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a->size(); ++i) {
    std::string at = std::string(field) + "[" + std::to_string(i) + "]";
    const json::object* o = (*a)[i].if_object();
    if (!o) return invalid_field(at, "must be an object {name, value}");
    if (auto r = reject_unknown(*o, {"name", "value"}, at); !r) return r.error();
    auto name = required_string(*o, "name", at + ".name");
    if (!name) return name.error();
    if (!valid_attribute_name(*name)) {
      return invalid_field(at + ".name", "1-128 letters, digits, '-', '_', '.', '/' or '\\'");
    }
    auto value = optional_string(*o, "value", at + ".value");
    if (!value) return value.error();
    std::string val = value->value_or("");
    if (!valid_attribute_value(val)) {
      return invalid_field(at + ".value", "up to 128 letters, digits, spaces or -_.@/\\: (no leading/trailing space)");
    }
    if (!seen.insert(*name).second) return invalid_field(at + ".name", "duplicate attribute '" + *name + "'");
    out.push_back({std::move(*name), std::move(val)});
  }
  return out;
}

// maxUnavailable: a positive count (1 or "1") or a percentage "1%".."100%". Zero would stall every rollout
// (a daemon has no surge capacity), so it is rejected rather than accepted and never progressing.
ApiResult<std::string> parse_max_unavailable(const json::value& v) {
  constexpr std::string_view field = "rollout.maxUnavailable";
  constexpr std::string_view why = "must be a positive integer or a percentage between 1% and 100%";
  if (v.is_int64() || v.is_uint64()) {
    auto n = integer_in(v, field, 1, 100000);
    if (!n) return invalid_field(field, why);
    return std::to_string(*n);
  }
  if (!v.is_string()) return invalid_field(field, why);
  std::string_view s = v.get_string();
  bool percent = !s.empty() && s.back() == '%';
  std::string_view digits = percent ? s.substr(0, s.size() - 1) : s;
  int n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (digits.empty() || ec != std::errc() || ptr != digits.data() + digits.size() || n < 1 || (percent && n > 100)) {
    return invalid_field(field, why);
  }
  return std::to_string(n) + (percent ? "%" : "");
}

// Merges the fields present in `v` onto `base`.
ApiResult<RolloutSettings> parse_rollout(const json::value& v, RolloutSettings base) {
  const json::object* o = v.if_object();
  if (!o) return invalid_field("rollout", "must be an object");
  if (auto r = reject_unknown(
          *o, {"maxUnavailable", "minHealthySeconds", "deadlineSeconds", "maxFailures", "autoRollback"}, "rollout");
      !r) {
    return r.error();
  }
  if (auto* p = o->if_contains("maxUnavailable")) {
    auto m = parse_max_unavailable(*p);
    if (!m) return m.error();
    base.max_unavailable = std::move(*m);
  }
  if (auto* p = o->if_contains("minHealthySeconds")) {
    auto n = integer_in(*p, "rollout.minHealthySeconds", 0, 86400);
    if (!n) return n.error();
    base.min_healthy = std::chrono::seconds(*n);
  }
  if (auto* p = o->if_contains("deadlineSeconds")) {
    auto n = integer_in(*p, "rollout.deadlineSeconds", 0, 7 * 86400);
    if (!n) return n.error();
    base.deadline = std::chrono::seconds(*n);
  }
  if (auto* p = o->if_contains("maxFailures")) {
    auto n = integer_in(*p, "rollout.maxFailures", 0, 100000);
    if (!n) return n.error();
    base.max_failures = static_cast<std::uint32_t>(*n);
  }
  if (auto* p = o->if_contains("autoRollback")) {
    if (!p->is_bool()) return invalid_field("rollout.autoRollback", "must be true or false");
    base.auto_rollback = p->get_bool();
  }
  return base;
}

ApiResult<void> check_deployment_method(const json::object& body) {
  auto m = optional_string(body, "deploymentMethod", "deploymentMethod");
  if (!m) return m.error();
  if (*m && **m != blox_deployment_method) {
    return invalid_field("deploymentMethod", "only '" + std::string(blox_deployment_method) + "' is supported");
  }
  return {};
}

ApiResult<std::string> parse_constraint(const json::value& v) {
  if (!v.is_string()) return invalid_field("constraint", "must be a string");
  std::string_view s = v.get_string();
  if (s.size() > 2048 || !printable(s)) return invalid_field("constraint", "at most 2048 printable characters");
  // Refuse at write time what the policy cannot parse: otherwise every later reconcile would plan nothing.
  if (auto parsed = policy::parse_constraint(s); parsed.error)
    return invalid_field("constraint", "invalid expression " + parsed.error->to_string());
  return std::string(s);
}

json::value string_or_null(const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); }

json::value time_or_null(const std::optional<policy::SystemTime>& t) {
  return t ? json::value(format_time(*t)) : json::value(nullptr);
}

}  // namespace

std::string format_time(policy::SystemTime t) {
  using namespace std::chrono;
  auto ms = time_point_cast<milliseconds>(t);
  // Floor toward -inf so times before 1970 still print a valid fraction.
  auto secs = floor<seconds>(ms);
  int frac = static_cast<int>((ms - secs).count());
  std::time_t tt = static_cast<std::time_t>(secs.time_since_epoch().count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[96];  // generous: the compiler cannot bound tm_year, and -Wformat-truncation is an error
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

json::object environment_to_json(const Environment& env, std::string_view health) {
  json::array attrs;
  for (const auto& a : env.attributes) {
    json::object o{{"name", a.name}};
    if (!a.value.empty()) o["value"] = a.value;  // Blox: no value = the attribute only has to exist
    attrs.push_back(std::move(o));
  }
  const auto& r = env.rollout;
  return json::object{
      {"name", env.name},
      {"instanceGroup", json::object{{"cluster", env.cluster}, {"attributes", std::move(attrs)}}},
      {"taskDefinition", env.task_definition},
      {"deploymentToken", env.deployment_token},
      {"health", health},
      {"deploymentMethod", blox_deployment_method},
      {"constraint", string_or_null(env.constraint)},
      {"rollout", json::object{{"maxUnavailable", r.max_unavailable},
                               {"minHealthySeconds", r.min_healthy.count()},
                               {"deadlineSeconds", r.deadline.count()},
                               {"maxFailures", r.max_failures},
                               {"autoRollback", r.auto_rollback}}},
      {"activeDeploymentId", string_or_null(env.active_deployment_id)},
      {"revision", env.revision},
      {"createdAt", format_time(env.created_at)},
      {"updatedAt", format_time(env.updated_at)},
  };
}

const char* blox_status(policy::DeploymentStatus s) {
  switch (s) {
    case policy::DeploymentStatus::pending: return "pending";
    case policy::DeploymentStatus::running: return "running";
    case policy::DeploymentStatus::completed:
    case policy::DeploymentStatus::failed:
    case policy::DeploymentStatus::rolled_back: return "completed";
  }
  return "pending";
}

std::optional<std::string_view> deployment_outcome(policy::DeploymentStatus s) {
  switch (s) {
    case policy::DeploymentStatus::pending:
    case policy::DeploymentStatus::running: return std::nullopt;
    case policy::DeploymentStatus::completed: return "succeeded";
    case policy::DeploymentStatus::failed: return "failed";
    case policy::DeploymentStatus::rolled_back: return "rolled_back";
  }
  return std::nullopt;
}

std::string_view environment_health(const Deployment* newest, std::optional<std::uint32_t> instances_without_task) {
  if (newest != nullptr) {
    auto outcome = deployment_outcome(newest->status);
    if (!outcome) return "healthy";  // a rollout is in progress: missing tasks are its work, not a fault
    if (*outcome != "succeeded") return "unhealthy";
  }
  if (instances_without_task && *instances_without_task > 0) return "unhealthy";
  return "healthy";
}

json::object deployment_to_json(const Deployment& d) {
  const auto outcome = deployment_outcome(d.status);
  json::array failed;
  for (const auto& i : d.failed_instances) failed.emplace_back(i);
  return json::object{
      {"id", d.id},
      {"environmentName", d.environment},
      {"taskDefinition", d.task_definition},
      {"previousTaskDefinition", string_or_null(d.previous_task_definition)},
      {"deploymentToken", string_or_null(d.token)},
      {"status", blox_status(d.status)},
      {"outcome", outcome ? json::value(*outcome) : json::value(nullptr)},
      {"reason", string_or_null(d.reason)},
      {"desiredCount", d.desired_count},
      {"updatedCount", d.updated_count},
      {"failedCount", d.failed_count},
      {"failedInstances", std::move(failed)},
      {"createdAt", format_time(d.created_at)},
      {"startedAt", time_or_null(d.started_at)},
      {"endedAt", time_or_null(d.ended_at)},
  };
}

bool valid_environment_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || s.front() == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool valid_cluster_name(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

bool valid_token(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

ApiResult<json::object> parse_object_body(std::string_view body, std::size_t max_bytes) {
  if (body.size() > max_bytes) {
    return ApiError{413, "payload_too_large", "request body exceeds " + std::to_string(max_bytes) + " bytes"};
  }
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return ApiError{400, "invalid_json", "request body is not valid JSON: " + ec.message()};
  if (!v.is_object()) return ApiError{400, "invalid_json", "request body must be a JSON object"};
  return std::move(v.get_object());
}

ApiResult<Environment> parse_create_environment(const json::object& body) {
  if (auto r = reject_unknown(body, {"name", "instanceGroup", "taskDefinition", "deploymentMethod", "constraint",
                                     "rollout"},
                              "");
      !r) {
    return r.error();
  }
  Environment env;
  auto name = required_string(body, "name", "name");
  if (!name) return name.error();
  if (!valid_environment_name(*name)) {
    return invalid_field("name", "1-64 letters, digits, '.', '_' or '-', not starting with '.'");
  }
  env.name = std::move(*name);

  const json::value* group = body.if_contains("instanceGroup");
  if (!group) return missing_field("instanceGroup.cluster");
  const json::object* g = group->if_object();
  if (!g) return invalid_field("instanceGroup", "must be an object {cluster, attributes}");
  if (auto r = reject_unknown(*g, {"cluster", "attributes"}, "instanceGroup"); !r) return r.error();
  auto cluster = required_string(*g, "cluster", "instanceGroup.cluster");
  if (!cluster) return cluster.error();
  if (!valid_cluster_name(*cluster)) {
    return invalid_field("instanceGroup.cluster", "1-255 letters, digits, '-' or '_'");
  }
  env.cluster = std::move(*cluster);
  if (const json::value* attrs = g->if_contains("attributes")) {
    auto a = parse_attributes(*attrs);
    if (!a) return a.error();
    env.attributes = std::move(*a);
  }

  auto td = required_string(body, "taskDefinition", "taskDefinition");
  if (!td) return td.error();
  if (!valid_task_definition(*td)) return invalid_field("taskDefinition", "must be a family[:revision] or an ARN");
  env.task_definition = std::move(*td);

  if (auto r = check_deployment_method(body); !r) return r.error();
  if (const json::value* c = body.if_contains("constraint")) {
    auto s = parse_constraint(*c);
    if (!s) return s.error();
    env.constraint = std::move(*s);
  }
  if (const json::value* r = body.if_contains("rollout")) {
    auto rs = parse_rollout(*r, RolloutSettings{});
    if (!rs) return rs.error();
    env.rollout = std::move(*rs);
  }
  return env;
}

ApiResult<std::optional<std::int64_t>> apply_environment_update(const json::object& body, Environment& env) {
  if (auto r = reject_unknown(body, {"name", "instanceGroup", "taskDefinition", "deploymentMethod", "constraint",
                                     "rollout", "revision"},
                              "");
      !r) {
    return r.error();
  }
  if (auto name = optional_string(body, "name", "name"); !name) {
    return name.error();
  } else if (*name && **name != env.name) {
    return invalid_field("name", "does not match the environment in the path; environments cannot be renamed");
  }
  if (auto td = optional_string(body, "taskDefinition", "taskDefinition"); !td) {
    return td.error();
  } else if (*td && **td != env.task_definition) {
    return invalid_field("taskDefinition",
                         "cannot be changed with PUT; POST /v1/environments/" + env.name + "/deployments instead");
  }
  if (auto r = check_deployment_method(body); !r) return r.error();
  if (const json::value* group = body.if_contains("instanceGroup")) {
    const json::object* g = group->if_object();
    if (!g) return invalid_field("instanceGroup", "must be an object {cluster, attributes}");
    if (auto r = reject_unknown(*g, {"cluster", "attributes"}, "instanceGroup"); !r) return r.error();
    auto cluster = optional_string(*g, "cluster", "instanceGroup.cluster");
    if (!cluster) return cluster.error();
    // Moving an environment to another cluster would orphan its running tasks; delete and recreate instead.
    if (*cluster && **cluster != env.cluster) {
      return invalid_field("instanceGroup.cluster", "cannot be changed; delete and recreate the environment");
    }
    if (const json::value* attrs = g->if_contains("attributes")) {
      auto a = parse_attributes(*attrs);
      if (!a) return a.error();
      env.attributes = std::move(*a);
    }
  }
  if (const json::value* c = body.if_contains("constraint")) {
    if (c->is_null()) {
      env.constraint.clear();
    } else {
      auto s = parse_constraint(*c);
      if (!s) return s.error();
      env.constraint = std::move(*s);
    }
  }
  if (const json::value* r = body.if_contains("rollout")) {
    auto rs = parse_rollout(*r, env.rollout);
    if (!rs) return rs.error();
    env.rollout = std::move(*rs);
  }
  std::optional<std::int64_t> expected;
  if (const json::value* rev = body.if_contains("revision")) {
    auto n = integer_in(*rev, "revision", 1, INT64_MAX);
    if (!n) return n.error();
    expected = *n;
  }
  return expected;
}

ApiResult<std::optional<std::string>> parse_create_deployment(std::string_view body, std::size_t max_bytes) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return std::optional<std::string>();
  auto o = parse_object_body(body, max_bytes);
  if (!o) return o.error();
  if (auto r = reject_unknown(*o, {"taskDefinition"}, ""); !r) return r.error();
  auto td = optional_string(*o, "taskDefinition", "taskDefinition");
  if (!td) return td.error();
  if (*td && !valid_task_definition(**td)) {
    return invalid_field("taskDefinition", "must be a family[:revision] or an ARN");
  }
  return *td;
}

}  // namespace berth::http::api
