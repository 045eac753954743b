// File: src/http/cluster_state/cluster_state_json.cpp — model views (and Describe answers) as Blox entities.
#include "http/cluster_state/cluster_state_json.hpp"

#include "http/api/api_json.hpp"

#include <boost/json/array.hpp>

namespace berth::http::cluster_state {

namespace json = boost::json;

std::string cluster_arn_for(std::string_view entity_arn, std::string_view cluster) {
  if (!entity_arn.starts_with("arn:")) return std::string(cluster);
  // arn:PARTITION:ecs:REGION:ACCOUNT:RESOURCE — keep the first five fields.
  std::size_t pos = 0;
  for (int i = 0; i < 5; ++i) {
    pos = entity_arn.find(':', pos);
    if (pos == std::string_view::npos) return std::string(cluster);
    ++pos;
  }
  return std::string(entity_arn.substr(0, pos)) + "cluster/" + std::string(cluster);
}

namespace {

json::object metadata(std::uint64_t version) {
  return json::object{{"entityVersion", std::to_string(version)}};
}

json::object item(std::uint64_t version, json::object entity) {
  return json::object{{"metadata", metadata(version)}, {"entity", std::move(entity)}};
}

json::object integer_resource(std::string_view name, std::int64_t value) {
  return json::object{{"name", name}, {"type", "INTEGER"}, {"value", std::to_string(value)}};
}

// STRINGSET values as one comma-separated string (the swagger's value is a string).
std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

json::array ecs_resources(const std::vector<aws::ecs::Resource>& resources) {
  json::array out;
  for (const auto& r : resources) {
    std::string value;
    if (r.type == "STRINGSET") value = joined(r.string_set_value);
    else if (r.type == "DOUBLE") value = std::to_string(r.double_value);
    else value = std::to_string(r.integer_value);
    out.push_back(json::object{{"name", r.name}, {"type", r.type}, {"value", value}});
  }
  return out;
}

std::string ports_string(std::span<const std::uint16_t> ports) {
  std::string out;
  for (auto p : ports) out += (out.empty() ? "" : ",") + std::to_string(p);
  return out;
}

json::array model_resources(policy::CpuMemory figures, std::span<const std::uint16_t> tcp,
                            std::span<const std::uint16_t> udp, bool with_ports) {
  json::array out{integer_resource("CPU", figures.cpu), integer_resource("MEMORY", figures.memory)};
  if (with_ports) {
    out.push_back(json::object{{"name", "PORTS"}, {"type", "STRINGSET"}, {"value", ports_string(tcp)}});
    out.push_back(json::object{{"name", "PORTS_UDP"}, {"type", "STRINGSET"}, {"value", ports_string(udp)}});
  }
  return out;
}

json::array containers(const aws::ecs::Task& t) {
  json::array out;
  for (const auto& c : t.containers) {
    json::array bindings;
    for (const auto& b : c.network_bindings)
      bindings.push_back(json::object{{"bindIP", "0.0.0.0"},
                                      {"containerPort", b.container_port},
                                      {"hostPort", b.host_port},
                                      {"protocol", b.protocol.empty() ? "tcp" : b.protocol}});
    json::object o{{"containerARN", c.container_arn},
                   {"lastStatus", c.last_status},
                   {"name", c.name},
                   {"networkBindings", std::move(bindings)}};
    if (c.exit_code) o["exitCode"] = *c.exit_code;
    if (!c.reason.empty()) o["reason"] = c.reason;
    out.push_back(std::move(o));
  }
  return out;
}

// Blox's TaskOverride: containerOverrides (name, command, environment) and taskRoleArn when set.
json::object overrides(const aws::ecs::TaskOverride& o) {
  json::array per_container;
  for (const auto& c : o.container_overrides) {
    json::object entry{{"name", c.name}};
    if (!c.command.empty()) {
      json::array command;
      for (const auto& part : c.command) command.push_back(json::value(part));
      entry["command"] = std::move(command);
    }
    if (!c.environment.empty()) {
      json::array environment;
      for (const auto& kv : c.environment) environment.push_back(json::object{{"name", kv.name}, {"value", kv.value}});
      entry["environment"] = std::move(environment);
    }
    per_container.push_back(std::move(entry));
  }
  json::object out{{"containerOverrides", std::move(per_container)}};
  if (!o.task_role_arn.empty()) out["taskRoleArn"] = o.task_role_arn;
  return out;
}

json::object version_info(const aws::ecs::VersionInfo& v) {
  json::object out;
  if (!v.agent_hash.empty()) out["agentHash"] = v.agent_hash;
  if (!v.agent_version.empty()) out["agentVersion"] = v.agent_version;
  if (!v.docker_version.empty()) out["dockerVersion"] = v.docker_version;
  return out;
}

}  // namespace

json::object task_item(std::string_view cluster, const policy::SnapshotTask& t, std::uint64_t version,
                       const aws::ecs::Task* described) {
  json::object e{{"clusterARN", cluster_arn_for(t.arn, cluster)},
                 {"containerInstanceARN", t.instance_arn},
                 {"containers", json::array{}},
                 {"createdAt", ""},
                 {"desiredStatus", policy::to_string(t.desired_status)},
                 {"lastStatus", policy::to_string(t.last_status)},
                 {"overrides", json::object{{"containerOverrides", json::array{}}}},
                 {"startedBy", t.started_by},
                 {"taskARN", t.arn},
                 {"taskDefinitionARN", t.task_definition}};
  if (t.stopped_at) e["stoppedAt"] = api::format_time(*t.stopped_at);
  if (!t.stop_code.empty()) e["stoppedReason"] = t.stop_code;
  if (described != nullptr) {
    if (!described->cluster_arn.empty()) e["clusterARN"] = described->cluster_arn;
    e["containers"] = containers(*described);
    e["overrides"] = overrides(described->overrides);
    if (described->created_at) e["createdAt"] = api::format_time(*described->created_at);
    if (described->started_at) e["startedAt"] = api::format_time(*described->started_at);
    if (described->stopped_at) e["stoppedAt"] = api::format_time(*described->stopped_at);
    if (!described->stopped_reason.empty()) e["stoppedReason"] = described->stopped_reason;
  }
  return item(version, std::move(e));
}

json::object instance_item(std::string_view cluster, const policy::SnapshotInstance& i, std::uint64_t version,
                           const aws::ecs::ContainerInstance* described) {
  json::array attributes;
  for (const auto& a : i.attributes) attributes.push_back(json::object{{"name", a.name}, {"value", a.value}});
  json::object e{{"agentConnected", i.agent_connected},
                 {"attributes", std::move(attributes)},
                 {"clusterARN", cluster_arn_for(i.arn, cluster)},
                 {"containerInstanceARN", i.arn},
                 {"EC2InstanceID", i.ec2_instance_id},
                 {"registeredResources", model_resources(i.registered, {}, {}, false)},
                 {"remainingResources", model_resources(i.remaining, i.reserved_tcp_ports, i.reserved_udp_ports, true)},
                 {"status", policy::to_string(i.status)},
                 {"versionInfo", json::object{}}};
  if (described != nullptr) {
    if (!described->cluster_arn.empty()) e["clusterARN"] = described->cluster_arn;
    e["registeredResources"] = ecs_resources(described->registered_resources);
    e["remainingResources"] = ecs_resources(described->remaining_resources);
    e["versionInfo"] = version_info(described->version_info);
  }
  return item(version, std::move(e));
}

}  // namespace berth::http::cluster_state
