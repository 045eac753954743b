// File: src/http/marathon/marathon_app.cpp — Marathon app JSON <-> berth service spec (rules in the header).
#include "http/marathon/marathon_app.hpp"

#include "http/route_table.hpp"
#include "policy/service_spec.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

namespace berth::http::marathon {
namespace json = boost::json;

namespace {

constexpr std::size_t max_name = 64;
constexpr std::int64_t max_instances = 100000;
constexpr std::string_view cluster_label = "berth.cluster";

// Kept as sent, not interpreted (the task definition decides what they would have decided).
const std::set<std::string_view> informational = {
    "labels", "cpus", "mem", "disk", "backoffSeconds", "backoffFactor", "maxLaunchDelaySeconds", "container",
    "ports", "portDefinitions", "requirePorts", "networks", "killSelection", "unreachableStrategy",
    "taskKillGracePeriodSeconds", "acceptedResourceRoles", "executor", "role"};
// Answered by GET, ignored on input so GET-edit-PUT works.
const std::set<std::string_view> read_only = {"version", "versionInfo", "tasksStaged", "tasksRunning",
                                              "tasksHealthy", "tasksUnhealthy", "deployments", "tasks",
                                              "lastTaskFailure", "taskStats", "readinessCheckResults",
                                              "warnings"};
// Marathon would act on them; berth cannot (the ECS task definition or ECS itself decides), so they are refused
// unless empty.
const std::set<std::string_view> refused_unless_empty = {
    "args", "env", "healthChecks", "readinessChecks", "dependencies", "fetch", "uris", "storeUrls", "user",
    "ipAddress", "residency", "secrets", "gpus"};
// Handled by the mapping itself.
const std::set<std::string_view> mapped = {"id", "cmd", "instances", "constraints", "upgradeStrategy"};

bool empty_value(const json::value& v) {
  if (v.is_null()) return true;
  if (const auto* a = v.if_array()) return a->empty();
  if (const auto* o = v.if_object()) return o->empty();
  if (const auto* s = v.if_string()) return s->empty();
  if (v.is_number()) return v.to_number<double>() == 0.0;
  return false;
}

bool valid_segment(std::string_view s) {
  if (s.empty()) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(s.front()) || !alnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return alnum(c) || c == '-' || c == '.'; });
}

std::optional<double> number(const json::value& v) {
  if (!v.is_number()) return std::nullopt;
  return v.to_number<double>();
}

// A bare word of berth's constraint language, or quoted when it holds anything else; nullopt if it cannot be
// written (both quote characters).
std::optional<std::string> constraint_value(std::string_view v) {
  const bool bare = !v.empty() && std::all_of(v.begin(), v.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' || c == '/';
  });
  if (bare) return std::string(v);
  if (v.find('\'') == std::string_view::npos) return "'" + std::string(v) + "'";
  if (v.find('"') == std::string_view::npos) return "\"" + std::string(v) + "\"";
  return std::nullopt;
}

// Marathon's LIKE takes a Java regular expression matched against the whole value; berth (like ECS) matches
// wildcards. `.*` -> `*`, `.` -> `?`, `\.` -> a literal dot; any other regular expression is refused.
std::optional<std::string> regex_to_wildcard(std::string_view re) {
  std::string out;
  for (std::size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '.' && i + 1 < re.size() && re[i + 1] == '*') {
      out += '*';
      ++i;
    } else if (c == '.') {
      out += '?';
    } else if (c == '\\' && i + 1 < re.size() && re[i + 1] == '.') {
      out += '.';
      ++i;
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' || c == '/') {
      out += c;
    } else {
      return std::nullopt;
    }
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::string subject(std::string_view field) {
  return field == "hostname" ? std::string("ec2InstanceId") : "attribute:" + std::string(field);
}

struct Placement {
  std::vector<policy::PlacementStrategy> strategy;
  std::vector<policy::PlacementConstraint> constraints;
};

void map_constraints(const json::value& v, Placement& out, std::vector<ErrorDetail>& errors) {
  const json::array* list = v.if_array();
  if (!list) {
    errors.push_back({"/constraints", {"must be an array of [field, operator, value?]"}});
    return;
  }
  bool distinct = false;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string path = "/constraints/" + std::to_string(i);
    const json::array* c = (*list)[i].if_array();
    if (!c || c->size() < 2 || c->size() > 3 ||
        !std::all_of(c->begin(), c->end(), [](const json::value& e) { return e.is_string(); })) {
      errors.push_back({path, {"must be [field, operator] or [field, operator, value] of strings"}});
      continue;
    }
    const std::string field((*c)[0].get_string());
    const std::string op((*c)[1].get_string());
    const std::optional<std::string> value =
        c->size() == 3 ? std::optional<std::string>(std::string((*c)[2].get_string())) : std::nullopt;
    if (field.empty()) {
      errors.push_back({path, {"the field must not be empty"}});
      continue;
    }
    auto member_of = [&](const std::string& expression) {
      out.constraints.push_back({policy::PlacementConstraintType::member_of, expression});
    };
    if (op == "UNIQUE") {
      if (field != "hostname") {
        errors.push_back({path, {"berth can make only hostname UNIQUE (distinctInstance); spread over " + field +
                                 " with GROUP_BY"}});
      } else if (!distinct) {
        out.constraints.push_back({policy::PlacementConstraintType::distinct_instance, {}});
        distinct = true;
      }
    } else if (op == "GROUP_BY") {
      out.strategy.push_back({policy::PlacementStrategyType::spread,
                              field == "hostname" ? std::string("instanceId") : "attribute:" + field});
    } else if (op == "CLUSTER" || op == "IS") {
      auto word = value ? constraint_value(*value) : std::nullopt;
      if (!value || value->empty()) errors.push_back({path, {"berth needs the value " + op + " pins to"}});
      else if (!word) errors.push_back({path, {"the value cannot hold both quote characters"}});
      else member_of(subject(field) + " == " + *word);
    } else if (op == "LIKE" || op == "UNLIKE") {
      auto wildcard = value ? regex_to_wildcard(*value) : std::nullopt;
      if (!value) errors.push_back({path, {op + " needs a regular expression"}});
      else if (!wildcard) errors.push_back({path, {"berth matches wildcards only: write the expression with .* "
                                                   "and . (as ECS's * and ?) and literal characters"}});
      else member_of(subject(field) + (op == "LIKE" ? " =~ " : " !~ ") + *wildcard);
    } else if (op == "MAX_PER") {
      if (field == "hostname" && value && *value == "1") {
        if (!distinct) out.constraints.push_back({policy::PlacementConstraintType::distinct_instance, {}});
        distinct = true;
      } else {
        errors.push_back({path, {"berth honours MAX_PER only as hostname MAX_PER 1 (distinctInstance)"}});
      }
    } else {
      errors.push_back({path, {"unknown operator " + op + " (UNIQUE, CLUSTER, GROUP_BY, LIKE, UNLIKE, MAX_PER, IS)"}});
    }
  }
}

void map_upgrade_strategy(const json::value& v, policy::ServiceDeploymentConfig& d, std::vector<ErrorDetail>& errors) {
  const json::object* o = v.if_object();
  if (!o) {
    errors.push_back({"/upgradeStrategy", {"must be an object"}});
    return;
  }
  struct Field {
    std::string_view key;
    double fallback;
  };
  double values[2] = {1.0, 1.0};  // Marathon's defaults
  int i = 0;
  for (const Field f : {Field{"minimumHealthCapacity", 1.0}, Field{"maximumOverCapacity", 1.0}}) {
    const std::string path = "/upgradeStrategy/" + std::string(f.key);
    values[i] = f.fallback;
    if (const auto* p = o->if_contains(f.key)) {
      auto n = number(*p);
      if (!n) errors.push_back({path, {"must be a number"}});
      else if (*n < 0) errors.push_back({path, {"is less than 0"}});
      else if (*n > 1) errors.push_back({path, {"is greater than 1"}});
      else values[i] = *n;
    }
    ++i;
  }
  for (const auto& kv : *o) {
    if (kv.key() != "minimumHealthCapacity" && kv.key() != "maximumOverCapacity")
      errors.push_back({"/upgradeStrategy/" + std::string(kv.key()), {"is not a field of upgradeStrategy"}});
  }
  d.minimum_healthy_percent = static_cast<std::int32_t>(std::ceil(values[0] * 100.0 - 1e-9));
  d.maximum_percent = 100 + static_cast<std::int32_t>(std::floor(values[1] * 100.0 + 1e-9));
}

void check_informational(const json::object& app, std::vector<ErrorDetail>& errors) {
  for (std::string_view key : {"cpus", "mem", "disk", "backoffSeconds", "maxLaunchDelaySeconds",
                               "taskKillGracePeriodSeconds"}) {
    if (const auto* p = app.if_contains(key)) {
      auto n = number(*p);
      if (!n) errors.push_back({"/" + std::string(key), {"must be a number"}});
      else if (*n < 0) errors.push_back({"/" + std::string(key), {"is less than 0"}});
    }
  }
  if (const auto* p = app.if_contains("backoffFactor")) {
    auto n = number(*p);
    if (!n) errors.push_back({"/backoffFactor", {"must be a number"}});
    else if (*n < 1) errors.push_back({"/backoffFactor", {"is less than 1"}});
  }
  if (const auto* p = app.if_contains("labels")) {
    const auto* o = p->if_object();
    if (!o) errors.push_back({"/labels", {"must be an object of strings"}});
    else
      for (const auto& kv : *o)
        if (!kv.value().is_string()) errors.push_back({"/labels/" + std::string(kv.key()), {"must be a string"}});
  }
  if (const auto* p = app.if_contains("container")) {
    const auto* o = p->if_object();
    if (!o) {
      errors.push_back({"/container", {"must be an object"}});
      return;
    }
    std::vector<std::pair<std::string, const json::value*>> mappings;
    if (const auto* m = o->if_contains("portMappings")) mappings.emplace_back("/container/portMappings", m);
    if (const auto* docker = o->if_contains("docker"); docker && docker->is_object()) {
      if (const auto* m = docker->as_object().if_contains("portMappings"))
        mappings.emplace_back("/container/docker/portMappings", m);
    }
    for (const auto& [path, m] : mappings) {
      if (m->is_null()) continue;
      const auto* a = m->if_array();
      if (!a) {
        errors.push_back({path, {"must be an array"}});
        continue;
      }
      for (std::size_t i = 0; i < a->size(); ++i) {
        const auto* pm = (*a)[i].if_object();
        const auto* port = pm ? pm->if_contains("containerPort") : nullptr;
        if (!pm || (port && !port->is_number()))
          errors.push_back({path + "/" + std::to_string(i), {"must be an object with a numeric containerPort"}});
      }
    }
  }
}

std::string json_number_text(double n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", n);  // 0.1, 512, 32.5: as a user wrote them
  return buf;
}

}  // namespace

json::object error_body(const MarathonError& e) {
  json::object out{{"message", e.message}};
  if (!e.details.empty()) {
    json::array details;
    for (const auto& d : e.details) {
      json::array errors;
      for (const auto& s : d.errors) errors.emplace_back(s);
      details.push_back(json::object{{"path", d.path}, {"errors", std::move(errors)}});
    }
    out["details"] = std::move(details);
  }
  return out;
}

MarathonError invalid_object(std::vector<ErrorDetail> details) {
  return MarathonError{422, "Object is not valid", std::move(details)};
}

std::optional<std::string> canonical_app_id(std::string_view id) {
  std::string out;
  for (const auto segment : split_path(id)) {
    if (!valid_segment(segment)) return std::nullopt;
    out += "/";
    out += segment;
  }
  if (out.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> service_name_for(std::string_view canonical_id) {
  std::string name(canonical_id.substr(canonical_id.empty() ? 0 : 1));
  std::replace(name.begin(), name.end(), '/', '_');
  if (name.empty() || name.size() > max_name) return std::nullopt;
  return name;
}

std::variant<MappedApp, MarathonError> app_to_service(const json::object& app,
                                                      const std::optional<std::string>& path_id,
                                                      const std::vector<std::string>& clusters,
                                                      const TaskDefinitionSize& size) {
  std::vector<ErrorDetail> errors;
  MappedApp out;
  // id
  std::optional<std::string> id = path_id;
  if (const auto* p = app.if_contains("id")) {
    if (!p->is_string()) {
      errors.push_back({"/id", {"must be a string"}});
    } else if (auto canonical = canonical_app_id(p->get_string()); !canonical) {
      errors.push_back({"/id", {"path segments must be lowercase letters, digits, '-' and '.', starting and "
                                "ending with a letter or digit"}});
    } else if (path_id && *canonical != *path_id) {
      errors.push_back({"/id", {"must equal the id in the path (" + *path_id + ")"}});
    } else {
      id = *canonical;
    }
  } else if (!path_id) {
    errors.push_back({"/id", {"is required"}});
  }
  if (id) {
    if (auto name = service_name_for(*id)) out.spec.name = *name;
    else errors.push_back({"/id", {"berth's service name for it (segments joined by '_') would pass 64 characters"}});
    out.app_id = *id;
  }
  // cmd = the task definition
  const auto* cmd = app.if_contains("cmd");
  if (!cmd || cmd->is_null()) {
    errors.push_back({"/cmd", {"berth needs cmd: the ECS task definition, family:revision"}});
  } else if (!cmd->is_string()) {
    errors.push_back({"/cmd", {"must be a string"}});
  } else {
    const std::string td(cmd->get_string());
    const bool arn = td.rfind("arn:", 0) == 0;
    const auto colon = td.rfind(':');
    const bool family_revision = colon != std::string::npos && colon > 0 && colon + 1 < td.size() &&
                                 std::all_of(td.begin() + static_cast<std::ptrdiff_t>(colon) + 1, td.end(),
                                             [](char c) { return c >= '0' && c <= '9'; }) &&
                                 std::all_of(td.begin(), td.begin() + static_cast<std::ptrdiff_t>(colon), [](char c) {
                                   return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
                                 });
    if (!arn && !family_revision) {
      errors.push_back({"/cmd", {"berth runs ECS task definitions: cmd must be family:revision (or an ARN), not a "
                                 "shell command"}});
    } else {
      out.spec.task_definition = td;
    }
  }
  // instances
  out.spec.desired_count = 1;
  if (const auto* p = app.if_contains("instances")) {
    if (!p->is_int64() && !p->is_uint64()) errors.push_back({"/instances", {"must be an integer"}});
    else if (p->is_int64() && p->get_int64() < 0) errors.push_back({"/instances", {"is less than 0"}});
    else if (p->to_number<double>() > static_cast<double>(max_instances))
      errors.push_back({"/instances", {"is greater than " + std::to_string(max_instances)}});
    else out.spec.desired_count = p->to_number<std::int32_t>();
  }
  // placement and rollout
  Placement placement;
  if (const auto* p = app.if_contains("constraints"); p && !p->is_null()) map_constraints(*p, placement, errors);
  out.spec.placement_strategy = std::move(placement.strategy);
  out.spec.placement_constraints = std::move(placement.constraints);
  if (const auto* p = app.if_contains("upgradeStrategy"); p && !p->is_null())
    map_upgrade_strategy(*p, out.spec.deployment, errors);
  // every other field: informational, read-only, refused or unknown
  for (const auto& kv : app) {
    const std::string_view key = kv.key();
    if (mapped.count(key) || informational.count(key) || read_only.count(key)) continue;
    if (refused_unless_empty.count(key)) {
      if (!empty_value(kv.value()))
        errors.push_back({"/" + std::string(key), {"berth cannot honour it: the ECS task definition decides this"}});
      continue;
    }
    errors.push_back({"/" + std::string(key), {"is not a field berth knows of a Marathon app"}});
  }
  check_informational(app, errors);
  if (const auto* e = app.if_contains("executor"); e && !empty_value(*e))
    errors.push_back({"/executor", {"berth cannot honour it: ECS runs the task definition"}});
  // cluster
  std::optional<std::string> cluster;
  if (const auto* labels = app.if_contains("labels"); labels && labels->is_object()) {
    if (const auto* c = labels->as_object().if_contains(cluster_label); c && c->is_string())
      cluster = std::string(c->get_string());
  }
  if (!cluster) {
    if (clusters.size() == 1) cluster = clusters.front();
    else errors.push_back({"/labels/" + std::string(cluster_label),
                           {clusters.empty() ? "berth watches no cluster" : "berth watches several clusters: name "
                                                                            "one in this label"}});
  } else if (std::find(clusters.begin(), clusters.end(), *cluster) == clusters.end()) {
    errors.push_back({"/labels/" + std::string(cluster_label), {"berth does not watch cluster " + *cluster}});
  }
  if (cluster) out.spec.cluster = *cluster;
  if (!errors.empty()) return invalid_object(std::move(errors));
  if (auto bad = policy::validate(out.spec)) {
    std::string path = "/" + bad->field;
    if (bad->field.rfind("deploymentConfiguration", 0) == 0) path = "/upgradeStrategy";
    else if (bad->field.rfind("placement", 0) == 0) path = "/constraints";
    else if (bad->field == "taskDefinition") path = "/cmd";
    else if (bad->field == "desiredCount") path = "/instances";
    else if (bad->field == "name") path = "/id";
    return invalid_object({{path, {bad->message}}});
  }
  // warnings: cpus/mem that the task definition overrides
  if (const auto* p = app.if_contains("cpus"); p && size.cpu && p->is_number()) {
    const double units = p->to_number<double>() * 1024.0;
    if (std::abs(units - *size.cpu) >= 0.5)
      out.warnings.push_back("cpus " + json_number_text(p->to_number<double>()) + " (" +
                             json_number_text(std::round(units)) + " CPU units) differs from the task definition's " +
                             std::to_string(*size.cpu) + " units: ECS reserves what the task definition says");
  }
  if (const auto* p = app.if_contains("mem"); p && size.memory && p->is_number()) {
    if (std::abs(p->to_number<double>() - *size.memory) >= 0.5)
      out.warnings.push_back("mem " + json_number_text(p->to_number<double>()) +
                             " differs from the task definition's " + std::to_string(*size.memory) +
                             " MiB: ECS reserves what the task definition says");
  }
  // metadata: the app as sent, without what the spec holds and what GET computes
  json::object metadata;
  for (const auto& kv : app) {
    const std::string_view key = kv.key();
    if (key == "id" || key == "cmd" || key == "instances" || read_only.count(key)) continue;
    metadata[key] = kv.value();
  }
  metadata["id"] = out.app_id;
  out.spec.front_metadata = json::serialize(json::object{{"marathon", std::move(metadata)}});
  out.spec.replace_every_task = true;  // Marathon replaces every task of an app on any change (and on restart)
  return out;
}

std::optional<json::object> stored_app(const policy::ServiceSpec& spec) {
  if (spec.front_metadata.empty()) return std::nullopt;
  boost::system::error_code ec;
  auto v = json::parse(spec.front_metadata, ec);
  const auto* root = ec ? nullptr : v.if_object();
  const auto* m = root ? root->if_contains("marathon") : nullptr;
  if (!m || !m->is_object()) return std::nullopt;
  json::object app = m->as_object();
  json::object out{{"id", app["id"]}, {"cmd", spec.task_definition}, {"instances", spec.desired_count}};
  for (auto& kv : app)
    if (kv.key() != "id") out[kv.key()] = std::move(kv.value());
  return out;
}

std::string task_state(std::string_view last_status) {
  if (last_status == "RUNNING") return "TASK_RUNNING";
  if (last_status == "PROVISIONING" || last_status == "PENDING") return "TASK_STAGING";
  if (last_status == "ACTIVATING") return "TASK_STARTING";
  if (last_status == "DEACTIVATING" || last_status == "STOPPING" || last_status == "DEPROVISIONING")
    return "TASK_KILLING";
  if (last_status == "STOPPED") return "TASK_KILLED";
  return "TASK_STAGING";
}

std::string task_id_of(std::string_view task_arn) {
  const auto slash = task_arn.rfind('/');
  return std::string(slash == std::string_view::npos ? task_arn : task_arn.substr(slash + 1));
}

}  // namespace berth::http::marathon
