// File: tests/sim/ecs_encode.cpp — JSON for tasks, container instances, clusters, task definitions and their events.
#include "ecs_encode.hpp"

#include "util.hpp"

#include <boost/json/parse.hpp>

#include <algorithm>

namespace berth::sim {
namespace json = boost::json;

const char* to_string(TaskStatus s) {
  switch (s) {
    case TaskStatus::provisioning: return "PROVISIONING";
    case TaskStatus::pending: return "PENDING";
    case TaskStatus::running: return "RUNNING";
    case TaskStatus::stopped: return "STOPPED";
  }
  return "UNKNOWN";
}
const char* to_string(InstanceStatus s) {
  switch (s) {
    case InstanceStatus::active: return "ACTIVE";
    case InstanceStatus::draining: return "DRAINING";
    case InstanceStatus::inactive: return "INACTIVE";
  }
  return "UNKNOWN";
}
const char* to_string(StopCode c) {
  switch (c) {
    case StopCode::none: return "";
    case StopCode::task_failed_to_start: return "TaskFailedToStart";
    case StopCode::essential_container_exited: return "EssentialContainerExited";
    case StopCode::user_initiated: return "UserInitiated";
  }
  return "";
}

std::string_view last_segment(std::string_view ref) {
  auto slash = ref.rfind('/');
  return slash == std::string_view::npos ? ref : ref.substr(slash + 1);
}

std::string EcsState::container_arn(const Task& t, std::size_t index) const {
  // Container ids are derived from the task id so that tasks need not store them.
  std::string id = t.id;
  static constexpr char digits[] = "0123456789abcdef";
  id[id.size() - 1] = digits[index & 0xF];
  id[id.size() - 2] = digits[(index >> 4) & 0xF];
  return arn("container", clusters[t.cluster].name + "/" + t.id + "/" + id);
}

namespace {

using TimeFn = json::value (*)(std::int64_t);
json::value api_time(std::int64_t ms) { return static_cast<double>(ms) / 1000.0; }
json::value event_time(std::int64_t ms) { return json::value(iso8601_ms(ms)); }

void put_time(json::object& o, const char* key, std::int64_t ms, TimeFn fn) {
  if (ms > 0) o[key] = fn(ms);
}

json::array containers(const EcsState& s, const Task& t, bool api) {
  const TaskDef& td = s.taskdefs[t.taskdef];
  json::array out;
  for (std::size_t i = 0; i < td.containers.size(); ++i) {
    const ContainerDef& c = td.containers[i];
    json::object o;
    o["containerArn"] = s.container_arn(t, i);
    o["taskArn"] = s.task_arn(t);
    o["name"] = c.name;
    o["lastStatus"] = to_string(t.last == TaskStatus::provisioning ? TaskStatus::pending : t.last);
    if (t.last == TaskStatus::stopped && t.exit_code >= 0) o["exitCode"] = t.exit_code;
    json::array nb;
    for (const Binding& b : t.bindings) {
      if (b.container != i) continue;
      nb.push_back(json::object{{"bindIP", "0.0.0.0"},
                                {"containerPort", b.container_port},
                                {"hostPort", b.host_port},
                                {"protocol", b.udp ? "udp" : "tcp"}});
    }
    o["networkBindings"] = std::move(nb);
    if (api) {
      o["cpu"] = std::to_string(c.cpu);
      if (c.memory > 0) o["memoryReservation"] = std::to_string(c.memory);
    }
    out.push_back(std::move(o));
  }
  return out;
}

// The TaskOverride as ECS reports it: what RunTask/StartTask sent, with one containerOverrides
// entry per container of the definition (`{"name"}` alone when it had no override), as in
// tests/testdata/ecs-events. Built on read so that tasks without overrides store nothing.
json::object task_overrides(const TaskDef& td, const std::string& sent_json) {
  json::object out;
  if (!sent_json.empty()) out = json::parse(sent_json).as_object();
  json::array sent;
  if (auto* c = out.if_contains("containerOverrides"); c && c->is_array()) sent = c->as_array();
  auto name_of = [](const json::value& v) -> std::string_view {
    auto* n = v.is_object() ? v.as_object().if_contains("name") : nullptr;
    return n && n->is_string() ? std::string_view(n->as_string()) : std::string_view();
  };
  json::array per_container;
  for (const auto& c : td.containers) {
    auto it = std::find_if(sent.begin(), sent.end(), [&](const json::value& v) { return name_of(v) == c.name; });
    per_container.push_back(it != sent.end() ? *it : json::object{{"name", c.name}});
  }
  out["containerOverrides"] = std::move(per_container);
  return out;
}

json::object task_fields(const EcsState& s, const Task& t, TimeFn time, bool api) {
  const TaskDef& td = s.taskdefs[t.taskdef];
  const Instance& inst = s.instances[t.instance];
  json::object o;
  o["attachments"] = json::array();
  o["availabilityZone"] = [&] {
    for (const auto& [k, v] : inst.attributes)
      if (k == "ecs.availability-zone") return v;
    return std::string();
  }();
  o["clusterArn"] = s.clusters[t.cluster].arn;
  o["containerInstanceArn"] = s.instance_arn(inst);
  o["containers"] = containers(s, t, api);
  o["cpu"] = std::to_string(td.cpu);
  o["memory"] = std::to_string(td.memory);
  put_time(o, "createdAt", t.created_ms, time);
  o["desiredStatus"] = to_string(t.desired);
  o["group"] = t.group;
  o["launchType"] = "EC2";
  o["lastStatus"] = to_string(t.last);
  o["overrides"] = task_overrides(td, t.overrides_json);
  put_time(o, "pullStartedAt", t.pull_started_ms, time);
  put_time(o, "pullStoppedAt", t.pull_stopped_ms, time);
  put_time(o, "startedAt", t.started_ms, time);
  if (!t.started_by.empty()) o["startedBy"] = t.started_by;
  if (t.stop_code != StopCode::none) o["stopCode"] = to_string(t.stop_code);
  if (!t.stopped_reason.empty()) o["stoppedReason"] = t.stopped_reason;
  put_time(o, "stoppingAt", t.stopping_ms, time);
  put_time(o, "stoppedAt", t.stopped_ms, time);
  o["taskArn"] = s.task_arn(t);
  o["taskDefinitionArn"] = td.arn;
  put_time(o, "updatedAt", t.updated_ms, time);
  o["version"] = t.version;
  return o;
}

json::array resources(const Instance& i, bool remaining) {
  auto ports = [](const std::vector<std::uint16_t>& a, const std::vector<std::uint16_t>* b) {
    std::vector<std::uint16_t> all(a);
    if (b) all.insert(all.end(), b->begin(), b->end());
    std::sort(all.begin(), all.end());
    json::array out;
    for (auto p : all) out.push_back(json::value(std::to_string(p)));
    return out;
  };
  json::array out;
  out.push_back(json::object{{"name", "CPU"}, {"type", "INTEGER"}, {"integerValue", remaining ? i.cpu_left : i.cpu}});
  out.push_back(json::object{{"name", "MEMORY"}, {"type", "INTEGER"},
                             {"integerValue", remaining ? i.memory_left : i.memory}});
  // ECS reports the ports that are taken (reserved + used by tasks) in both lists.
  out.push_back(json::object{{"name", "PORTS"}, {"type", "STRINGSET"},
                             {"stringSetValue", ports(i.reserved_ports, remaining ? &i.used_ports : nullptr)}});
  out.push_back(json::object{{"name", "PORTS_UDP"}, {"type", "STRINGSET"},
                             {"stringSetValue", ports({}, remaining ? &i.used_udp_ports : nullptr)}});
  return out;
}

json::object instance_fields(const EcsState& s, const Instance& i, bool api) {
  json::object o;
  o["agentConnected"] = i.agent_connected;
  json::array attrs;
  for (const auto& [k, v] : i.attributes) {
    json::object a{{"name", k}};
    if (!v.empty()) a["value"] = v;
    attrs.push_back(std::move(a));
  }
  o["attributes"] = std::move(attrs);
  o["clusterArn"] = s.clusters[i.cluster].arn;
  o["containerInstanceArn"] = s.instance_arn(i);
  o["ec2InstanceId"] = i.ec2_id;
  o["registeredResources"] = resources(i, false);
  o["remainingResources"] = resources(i, true);
  o["status"] = to_string(i.status);
  o["version"] = i.version;
  o["versionInfo"] =
      json::object{{"agentHash", "sim"}, {"agentVersion", "1.80.0"}, {"dockerVersion", "DockerVersion: 20.10.25"}};
  if (api) {
    o.erase("clusterArn");  // not part of the API's ContainerInstance shape
    o["runningTasksCount"] = i.running;
    o["pendingTasksCount"] = i.pending;
    o["registeredAt"] = api_time(i.registered_at_ms);
    o["attachments"] = json::array();
    o["tags"] = json::array();
  } else {
    o["updatedAt"] = iso8601_ms(now_ms());
  }
  return o;
}

json::object envelope(const EcsState& s, const char* detail_type, std::string resource, json::object detail,
                      const std::string& event_id) {
  json::object e;
  e["version"] = "0";
  e["id"] = event_id;
  e["detail-type"] = detail_type;
  e["source"] = "aws.ecs";
  e["account"] = s.account;
  e["time"] = iso8601_s(now_ms());
  e["region"] = s.region;
  e["resources"] = json::array{json::value(std::move(resource))};
  e["detail"] = std::move(detail);
  return e;
}

}  // namespace

json::object encode_task(const EcsState& s, const Task& t) {
  json::object o = task_fields(s, t, api_time, true);
  o["connectivity"] = t.last == TaskStatus::provisioning ? "DISCONNECTED" : "CONNECTED";
  o["healthStatus"] = "UNKNOWN";
  o["tags"] = json::array();
  return o;
}

json::object encode_instance(const EcsState& s, const Instance& i) { return instance_fields(s, i, true); }

json::object encode_cluster(const EcsState&, const Cluster& c) {
  return json::object{{"clusterArn", c.arn},
                      {"clusterName", c.name},
                      {"status", "ACTIVE"},
                      {"registeredContainerInstancesCount", c.active_instances},
                      {"runningTasksCount", c.running},
                      {"pendingTasksCount", c.pending},
                      {"activeServicesCount", 0},
                      {"statistics", json::array()},
                      {"tags", json::array()},
                      {"settings", json::array()},
                      {"capacityProviders", json::array()},
                      {"defaultCapacityProviderStrategy", json::array()}};
}

json::object encode_taskdef(const EcsState&, const TaskDef& d) {
  json::object o = json::parse(d.registered_json).as_object();
  o.erase("tags");
  o["taskDefinitionArn"] = d.arn;
  o["family"] = d.family;
  o["revision"] = d.revision;
  o["status"] = d.active ? "ACTIVE" : "INACTIVE";
  o["networkMode"] = d.network_mode;
  o["registeredAt"] = api_time(d.registered_at_ms);
  if (!o.contains("compatibilities")) o["compatibilities"] = json::array{"EC2"};
  // ECS answers with its defaults filled in: container cpu 0, port mappings with a protocol, and in
  // host/awsvpc mode the host port equal to the container port.
  if (auto* defs = o.if_contains("containerDefinitions"); defs && defs->is_array()) {
    for (auto& dv : defs->as_array()) {
      auto* c = dv.if_object();
      if (c == nullptr) continue;
      if (!c->contains("cpu")) (*c)["cpu"] = 0;
      auto* pm = c->if_contains("portMappings");
      if (pm == nullptr || !pm->is_array()) continue;
      for (auto& pv : pm->as_array()) {
        auto* p = pv.if_object();
        if (p == nullptr) continue;
        if (!p->contains("protocol")) (*p)["protocol"] = "tcp";
        if (!p->contains("hostPort") && d.network_mode != "bridge" && p->contains("containerPort"))
          (*p)["hostPort"] = p->at("containerPort");
      }
    }
  }
  return o;
}

json::object task_event(const EcsState& s, const Task& t, const std::string& event_id) {
  return envelope(s, "ECS Task State Change", s.task_arn(t), task_fields(s, t, event_time, false), event_id);
}

json::object instance_event(const EcsState& s, const Instance& i, const std::string& event_id) {
  return envelope(s, "ECS Container Instance State Change", s.instance_arn(i), instance_fields(s, i, false),
                  event_id);
}

}  // namespace berth::sim
