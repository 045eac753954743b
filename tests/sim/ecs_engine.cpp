// File: tests/sim/ecs_engine.cpp — ECS operations on clusters, task definitions and container instances.
#include "ecs_engine.hpp"

#include "ecs_encode.hpp"
#include "ecs_request.hpp"
#include "json_fields.hpp"

#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>

namespace berth::sim {
namespace json = boost::json;

namespace {

// "512", "0.5 vCPU", "1 vcpu" (cpu units) and "1024", "1 GB" (MiB).
int parse_size(const std::string& s, int unit_multiplier) {
  if (s.empty()) return 0;
  std::size_t pos = 0;
  double n = 0;
  try {
    n = std::stod(s, &pos);
  } catch (...) {
    return -1;
  }
  std::string rest = s.substr(pos);
  rest.erase(std::remove_if(rest.begin(), rest.end(), [](unsigned char c) { return std::isspace(c); }), rest.end());
  if (rest.empty()) return static_cast<int>(n);
  return static_cast<int>(n * unit_multiplier);
}

// The index entry for an ARN, "kind/id" or bare id.
std::optional<std::uint32_t> by_ref(const std::unordered_map<std::string_view, std::uint32_t>& by_id,
                                    std::string_view ref) {
  auto it = by_id.find(last_segment(ref));
  if (it == by_id.end()) return std::nullopt;
  return it->second;
}

}  // namespace

EcsEngine::EcsEngine(Timers& timers, Random& random, EcsOptions options, std::function<void(std::string)> publish)
    : timers_(timers), random_(random), options_(options), publish_(std::move(publish)) {}

const EcsEngine::Operation* EcsEngine::operation(std::string_view name) {
  static const Operation ops[] = {
      {"CreateCluster", &EcsEngine::create_cluster, nullptr},
      {"DescribeClusters", &EcsEngine::describe_clusters, nullptr},
      {"ListClusters", &EcsEngine::list_clusters, nullptr},
      {"RegisterTaskDefinition", &EcsEngine::register_task_definition, nullptr},
      {"DescribeTaskDefinition", &EcsEngine::describe_task_definition, nullptr},
      {"DeregisterTaskDefinition", &EcsEngine::deregister_task_definition, nullptr},
      {"ListTaskDefinitions", &EcsEngine::list_task_definitions, nullptr},
      {"ListContainerInstances", nullptr, &EcsEngine::list_container_instances},
      {"DescribeContainerInstances", nullptr, &EcsEngine::describe_container_instances},
      {"UpdateContainerInstancesState", nullptr, &EcsEngine::update_container_instances_state},
      {"DeregisterContainerInstance", nullptr, &EcsEngine::deregister_container_instance},
      {"PutAttributes", nullptr, &EcsEngine::put_attributes},
      {"ListAttributes", nullptr, &EcsEngine::list_attributes},
      {"StartTask", nullptr, &EcsEngine::start_task},
      {"RunTask", nullptr, &EcsEngine::run_task},
      {"StopTask", nullptr, &EcsEngine::stop_task},
      {"ListTasks", nullptr, &EcsEngine::list_tasks},
      {"DescribeTasks", nullptr, &EcsEngine::describe_tasks},
  };
  for (const auto& o : ops)
    if (name == o.name) return &o;
  return nullptr;
}

bool EcsEngine::implements(const std::string& op) const { return operation(op) != nullptr; }

ApiOutcome EcsEngine::call(const std::string& op, const json::object& in) {
  const Operation* o = operation(op);
  if (!o) return ApiOutcome::fail("UnsupportedFeatureException", "The sim does not implement " + op + ".");
  if (o->global) return (this->*o->global)(in);
  auto cluster = find_cluster(str(in, "cluster", "default"));
  if (!cluster) return ApiOutcome::fail("ClusterNotFoundException", "Cluster not found.");
  return (this->*o->in_cluster)(*cluster, in);
}

// ---- lookups -------------------------------------------------------------------------------

std::optional<std::uint32_t> EcsEngine::find_cluster(std::string_view ref) const {
  auto it = state_.cluster_by_name.find(std::string(last_segment(ref)));
  if (it == state_.cluster_by_name.end()) return std::nullopt;
  return it->second;
}

// Instances and tasks of another cluster are not found, as in ECS.
std::optional<std::uint32_t> EcsEngine::find_instance(std::uint32_t cluster, std::string_view ref) const {
  auto idx = by_ref(state_.instance_by_id, ref);
  if (!idx || state_.instances[*idx].cluster != cluster) return std::nullopt;
  return idx;
}

std::optional<std::uint32_t> EcsEngine::find_task(std::uint32_t cluster, std::string_view ref) const {
  auto idx = by_ref(state_.task_by_id, ref);
  if (!idx || state_.tasks[*idx].cluster != cluster) return std::nullopt;
  return idx;
}

std::optional<std::uint32_t> EcsEngine::find_taskdef(std::string_view ref) const {
  std::string_view name = ref;
  if (ref.rfind("arn:", 0) == 0) {
    auto slash = ref.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    name = ref.substr(slash + 1);
  }
  auto colon = name.find(':');
  std::string family(name.substr(0, colon));
  auto it = state_.taskdefs_by_family.find(family);
  if (it == state_.taskdefs_by_family.end()) return std::nullopt;
  if (colon == std::string_view::npos) {
    // Latest ACTIVE revision.
    for (auto r = it->second.rbegin(); r != it->second.rend(); ++r)
      if (state_.taskdefs[*r].active) return *r;
    return std::nullopt;
  }
  int rev = 0;
  try {
    rev = std::stoi(std::string(name.substr(colon + 1)));
  } catch (...) {
    return std::nullopt;
  }
  if (rev < 1 || rev > static_cast<int>(it->second.size())) return std::nullopt;
  return it->second[static_cast<std::size_t>(rev - 1)];
}

// ---- events --------------------------------------------------------------------------------

void EcsEngine::task_changed(Task& t) {
  t.updated_ms = now_ms();
  ++events_;
  publish_(json::serialize(task_event(state_, t, random_.uuid())));
}

void EcsEngine::instance_changed(Instance& i) {
  ++events_;
  publish_(json::serialize(instance_event(state_, i, random_.uuid())));
}

// ---- clusters ------------------------------------------------------------------------------

std::uint32_t EcsEngine::ensure_cluster(const std::string& name) {
  if (auto it = state_.cluster_by_name.find(name); it != state_.cluster_by_name.end()) return it->second;
  Cluster c;
  c.name = name;
  c.arn = state_.arn("cluster", name);
  state_.clusters.push_back(std::move(c));
  auto idx = static_cast<std::uint32_t>(state_.clusters.size() - 1);
  state_.cluster_by_name.emplace(name, idx);
  return idx;
}

ApiOutcome EcsEngine::create_cluster(const json::object& in) {
  std::string name = str(in, "clusterName", "default");
  auto idx = ensure_cluster(name);
  return ApiOutcome::ok(json::object{{"cluster", encode_cluster(state_, state_.clusters[idx])}});
}

ApiOutcome EcsEngine::describe_clusters(const json::object& in) {
  json::array clusters, failures;
  std::vector<std::string> refs;
  if (auto* list = in.if_contains("clusters"))
    for (const auto& c : list->as_array()) refs.emplace_back(c.as_string());
  if (refs.empty()) refs.emplace_back("default");
  for (const auto& ref : refs) {
    if (auto idx = find_cluster(ref))
      clusters.push_back(encode_cluster(state_, state_.clusters[*idx]));
    else
      failures.push_back(failure(json::value(ref), "MISSING"));
  }
  return with_failures("clusters", std::move(clusters), std::move(failures));
}

ApiOutcome EcsEngine::list_clusters(const json::object&) {
  json::array arns;
  for (const auto& c : state_.clusters) arns.push_back(json::value(c.arn));
  return ApiOutcome::ok(json::object{{"clusterArns", std::move(arns)}});
}

// ---- task definitions ----------------------------------------------------------------------

ApiOutcome EcsEngine::register_task_definition(const json::object& in) {
  TaskDef td;
  td.family = str(in, "family");
  td.network_mode = str(in, "networkMode", "bridge");
  td.cpu = parse_size(str(in, "cpu"), 1024);
  td.memory = parse_size(str(in, "memory"), 1024);
  if (td.cpu < 0 || td.memory < 0) return ApiOutcome::fail("ClientException", "Invalid 'cpu' or 'memory' setting.");
  const auto& defs = in.at("containerDefinitions").as_array();
  if (defs.empty()) return ApiOutcome::fail("ClientException", "Container list cannot be empty.");
  int cpu_sum = 0, mem_sum = 0;
  for (const auto& dv : defs) {
    const auto& d = dv.as_object();
    ContainerDef c;
    c.name = str(d, "name");
    if (c.name.empty()) return ApiOutcome::fail("ClientException", "Container.name should not be null or empty.");
    c.cpu = int_or(d, "cpu", 0);
    const int hard = int_or(d, "memory", 0), soft = int_or(d, "memoryReservation", 0);
    c.memory = soft > 0 ? soft : hard;
    if (c.memory == 0 && td.memory == 0)
      return ApiOutcome::fail("ClientException", "Invalid setting for container '" + c.name +
                                                     "'. At least one of 'memory' or 'memoryReservation' must be specified.");
    c.essential = bool_or(d, "essential", true);
    if (auto* env = d.if_contains("environment"); env && env->is_array())
      for (const auto& kv : env->as_array())
        c.environment.emplace_back(str(kv.as_object(), "name"), str(kv.as_object(), "value"));
    if (auto* pm = d.if_contains("portMappings"); pm && pm->is_array()) {
      for (const auto& pv : pm->as_array()) {
        const auto& p = pv.as_object();
        PortMapping m;
        m.container_port = int_or(p, "containerPort", 0);
        m.host_port = int_or(p, "hostPort", 0);
        m.udp = str(p, "protocol", "tcp") == "udp";
        if (td.network_mode == "host" && m.host_port == 0) m.host_port = m.container_port;
        if (m.container_port < 0 || m.container_port > 65535 || m.host_port < 0 || m.host_port > 65535)
          return ApiOutcome::fail("ClientException", "Invalid port mapping for container '" + c.name + "'.");
        c.ports.push_back(m);
      }
    }
    cpu_sum += c.cpu;
    mem_sum += c.memory;
    td.containers.push_back(std::move(c));
  }
  if (td.cpu == 0) td.cpu = cpu_sum;
  if (td.memory == 0) td.memory = mem_sum;
  auto& revs = state_.taskdefs_by_family[td.family];
  td.revision = static_cast<int>(revs.size()) + 1;
  td.arn = state_.arn("task-definition", td.family + ":" + std::to_string(td.revision));
  td.registered_at_ms = now_ms();
  td.registered_json = json::serialize(in);
  state_.taskdefs.push_back(std::move(td));
  revs.push_back(static_cast<std::uint32_t>(state_.taskdefs.size() - 1));
  return ApiOutcome::ok(json::object{{"taskDefinition", encode_taskdef(state_, state_.taskdefs.back())}});
}

ApiOutcome EcsEngine::describe_task_definition(const json::object& in) {
  auto idx = find_taskdef(str(in, "taskDefinition"));
  if (!idx) return ApiOutcome::fail("ClientException", "Unable to describe task definition.");
  return ApiOutcome::ok(json::object{{"taskDefinition", encode_taskdef(state_, state_.taskdefs[*idx])}});
}

ApiOutcome EcsEngine::deregister_task_definition(const json::object& in) {
  std::string ref = str(in, "taskDefinition");
  if (ref.find(':') == std::string::npos)
    return ApiOutcome::fail("ClientException", "Task definition must include a revision.");
  auto idx = find_taskdef(ref);
  if (!idx) return ApiOutcome::fail("ClientException", "The specified task definition does not exist.");
  state_.taskdefs[*idx].active = false;
  return ApiOutcome::ok(json::object{{"taskDefinition", encode_taskdef(state_, state_.taskdefs[*idx])}});
}

ApiOutcome EcsEngine::list_task_definitions(const json::object& in) {
  std::string prefix = str(in, "familyPrefix");
  std::string status = str(in, "status", "ACTIVE");
  bool desc = str(in, "sort", "ASC") == "DESC";
  json::array arns;
  for (const auto& td : state_.taskdefs) {
    if (!prefix.empty() && td.family.rfind(prefix, 0) != 0) continue;
    if ((status == "ACTIVE") != td.active) continue;
    arns.push_back(json::value(td.arn));
  }
  if (desc) std::reverse(arns.begin(), arns.end());
  return ApiOutcome::ok(json::object{{"taskDefinitionArns", std::move(arns)}});
}

// ---- container instances -------------------------------------------------------------------

std::vector<std::string> EcsEngine::add_instances(const std::string& cluster, int count, const InstanceSpec& spec) {
  auto c = ensure_cluster(cluster);
  std::vector<std::string> arns;
  for (int n = 0; n < count; ++n) {
    Instance inst;
    inst.id = random_.uuid();
    inst.ec2_id = "i-" + random_.hex(17);
    inst.cluster = c;
    inst.registered_at_ms = now_ms();
    inst.cpu = inst.cpu_left = spec.cpu;
    inst.memory = inst.memory_left = spec.memory;
    inst.reserved_ports = spec.reserved_ports;
    std::string az = spec.availability_zone;
    if (az.empty()) az = state_.region + static_cast<char>('a' + (az_rotation_++ % 3));
    inst.attributes = {{"ecs.availability-zone", az},
                       {"ecs.instance-type", spec.instance_type},
                       {"ecs.os-type", "linux"},
                       {"ecs.cpu-architecture", "x86_64"},
                       {"ecs.ami-id", "ami-0sim"}};
    for (const auto& a : spec.attributes) inst.attributes.push_back(a);
    state_.instances.push_back(std::move(inst));
    auto idx = static_cast<std::uint32_t>(state_.instances.size() - 1);
    Instance& stored = state_.instances.back();
    state_.instance_by_id.emplace(stored.id, idx);
    state_.instance_by_ec2.emplace(stored.ec2_id, idx);
    state_.clusters[c].instances.emplace(stored.id, idx);
    ++state_.clusters[c].active_instances;
    arns.push_back(state_.instance_arn(stored));
    instance_changed(stored);
  }
  return arns;
}

void EcsEngine::set_instance_status(std::uint32_t idx, InstanceStatus status) {
  Instance& inst = state_.instances[idx];
  if (inst.status == status) return;
  if (status == InstanceStatus::inactive) {
    --state_.clusters[inst.cluster].active_instances;
  }
  inst.status = status;
  ++inst.version;
  instance_changed(inst);
}

// Attribute filter for ListContainerInstances and memberOf: clauses joined by "and", each
// "attribute:NAME == V", "!= V", "in [a, b]", "not in [...]", "exists", or
// "ec2InstanceId ..." / "runningTasksCount ..." are not supported (treated as no match).
bool matches_expression(const Instance& inst, const std::string& expr);

ApiOutcome EcsEngine::list_container_instances(std::uint32_t c, const json::object& in) {
  ApiOutcome err;
  const auto max = max_results(in, err);
  if (!max) return err;
  std::string status = str(in, "status");
  std::string filter = str(in, "filter");
  const auto& by_id = state_.clusters[c].instances;
  auto start = page_start(in, "ci:", by_id, err);
  if (!start) return err;
  json::array arns;
  std::string next;
  for (auto it = *start; it != by_id.end(); ++it) {
    const Instance& inst = state_.instances[it->second];
    if (status.empty() ? inst.status == InstanceStatus::inactive : status != to_string(inst.status)) continue;
    if (!filter.empty() && !matches_expression(inst, filter)) continue;
    if (static_cast<int>(arns.size()) == *max) {
      next = "ci:" + state_.instances[std::prev(it)->second].id;
      break;
    }
    arns.push_back(json::value(state_.instance_arn(inst)));
  }
  return page("containerInstanceArns", std::move(arns), next);
}

ApiOutcome EcsEngine::describe_container_instances(std::uint32_t c, const json::object& in) {
  return describe_each(in, "containerInstances", [&](std::string_view ref) -> std::optional<json::value> {
    if (auto idx = find_instance(c, ref)) return encode_instance(state_, state_.instances[*idx]);
    return std::nullopt;
  });
}

ApiOutcome EcsEngine::update_container_instances_state(std::uint32_t c, const json::object& in) {
  std::string status = str(in, "status");
  if (status != "ACTIVE" && status != "DRAINING")
    return ApiOutcome::fail("InvalidParameterException", "Container instances status can only be ACTIVE or DRAINING.");
  ApiOutcome err;
  const auto* refs = refs_at_most(in, "containerInstances", 10, err);
  if (!refs) return err;
  json::array done, failures;
  for (const auto& r : *refs) {
    auto idx = find_instance(c, r.as_string());
    if (!idx || state_.instances[*idx].status == InstanceStatus::inactive) {
      failures.push_back(failure(r, "MISSING"));
      continue;
    }
    set_instance_status(*idx, status == "ACTIVE" ? InstanceStatus::active : InstanceStatus::draining);
    done.push_back(encode_instance(state_, state_.instances[*idx]));
  }
  return with_failures("containerInstances", std::move(done), std::move(failures));
}

ApiOutcome EcsEngine::deregister_container_instance(std::uint32_t c, const json::object& in) {
  auto idx = find_instance(c, str(in, "containerInstance"));
  if (!idx) return ApiOutcome::fail("InvalidParameterException", "The referenced container instance was not found.");
  const bool force = bool_or(in, "force", false);
  Instance& inst = state_.instances[*idx];
  if (!inst.tasks.empty() && !force)
    return ApiOutcome::fail("InvalidParameterException",
                            "Found running tasks on the instance. Use force to deregister the instance.");
  if (auto msg = instance_action(std::string(inst.id), "deregister"))
    return ApiOutcome::fail("InvalidParameterException", *msg);
  return ApiOutcome::ok(json::object{{"containerInstance", encode_instance(state_, state_.instances[*idx])}});
}

ApiOutcome EcsEngine::put_attributes(std::uint32_t c, const json::object& in) {
  json::array applied;
  for (const auto& av : in.at("attributes").as_array()) {
    const auto& a = av.as_object();
    std::string target = str(a, "targetId");
    auto idx = find_instance(c, target);
    if (!idx) return ApiOutcome::fail("TargetNotFoundException", "Could not find target " + target + ".");
    Instance& inst = state_.instances[*idx];
    std::string name = str(a, "name"), value = str(a, "value");
    auto it = std::find_if(inst.attributes.begin(), inst.attributes.end(), [&](const auto& p) { return p.first == name; });
    if (it != inst.attributes.end())
      it->second = value;
    else
      inst.attributes.emplace_back(name, value);
    ++inst.version;
    instance_changed(inst);
    applied.push_back(av);
  }
  return ApiOutcome::ok(json::object{{"attributes", std::move(applied)}});
}

// Attributes of the cluster's container instances (custom ones and the ecs.* built-ins), in
// instance-id order and, per instance, in the order they were set. INACTIVE (deregistered)
// instances are left out: their attributes no longer place anything. The token names where the
// next page starts (instance id, attribute index); attributes are only ever appended or
// overwritten in place, so positions stay valid between pages.
ApiOutcome EcsEngine::list_attributes(std::uint32_t c, const json::object& in) {
  if (str(in, "targetType") != "container-instance")
    return ApiOutcome::fail("InvalidParameterException", "targetType must be container-instance.");
  ApiOutcome err;
  const auto max = max_results(in, err);
  if (!max) return err;
  const std::string name = str(in, "attributeName");
  const std::string value = str(in, "attributeValue");
  if (!value.empty() && name.empty())
    return ApiOutcome::fail("InvalidParameterException", "attributeValue requires attributeName.");
  const auto& by_id = state_.clusters[c].instances;
  auto it = by_id.begin();
  std::size_t first_attr = 0;
  if (auto token = str(in, "nextToken"); !token.empty()) {
    // "a:<instance id>/<index of the first attribute of the next page>"
    auto slash = token.rfind('/');
    if (token.rfind("a:", 0) != 0 || slash == std::string::npos || slash < 2)
      return ApiOutcome::fail("InvalidParameterException", "Invalid nextToken.");
    std::size_t start = 0;
    try {
      start = std::stoul(token.substr(slash + 1));
    } catch (...) {
      return ApiOutcome::fail("InvalidParameterException", "Invalid nextToken.");
    }
    std::string_view id = std::string_view(token).substr(2, slash - 2);
    it = by_id.lower_bound(id);
    if (it != by_id.end() && it->first == id) first_attr = start;
  }
  json::array out;
  std::string next;
  for (; it != by_id.end() && next.empty(); ++it, first_attr = 0) {
    const Instance& inst = state_.instances[it->second];
    if (inst.status == InstanceStatus::inactive) continue;
    std::string arn;
    for (std::size_t a = first_attr; a < inst.attributes.size(); ++a) {
      const auto& [k, v] = inst.attributes[a];
      if (!name.empty() && k != name) continue;
      if (!value.empty() && v != value) continue;
      if (static_cast<int>(out.size()) == *max) {
        next = "a:" + inst.id + "/" + std::to_string(a);
        break;
      }
      if (arn.empty()) arn = state_.instance_arn(inst);
      json::object o{{"name", k}, {"targetType", "container-instance"}, {"targetId", arn}};
      if (!v.empty()) o["value"] = v;
      out.push_back(std::move(o));
    }
  }
  return page("attributes", std::move(out), next);
}

std::optional<std::string> EcsEngine::instance_action(const std::string& ref, const std::string& action) {
  auto found = by_ref(state_.instance_by_id, ref);
  if (!found) {
    auto it = state_.instance_by_ec2.find(ref);
    if (it == state_.instance_by_ec2.end()) return "container instance not found: " + ref;
    found = it->second;
  }
  const std::uint32_t idx = *found;
  Instance& inst = state_.instances[idx];
  if (inst.status == InstanceStatus::inactive) return "container instance is INACTIVE";
  if (action == "drain") {
    set_instance_status(idx, InstanceStatus::draining);
  } else if (action == "activate") {
    set_instance_status(idx, InstanceStatus::active);
  } else if (action == "disconnect" || action == "reconnect") {
    inst.agent_connected = action == "reconnect";
    ++inst.version;
    instance_changed(inst);
  } else if (action == "deregister" || action == "kill") {
    // The host is gone: its tasks are lost (STOPPED), then the instance becomes INACTIVE.
    if (action == "kill") {
      inst.agent_connected = false;
      ++inst.version;
      instance_changed(inst);
    }
    std::vector<std::uint32_t> lost = inst.tasks;
    for (auto t : lost)
      finish_stop(t, StopCode::essential_container_exited,
                  action == "kill" ? "Host EC2 (instance " + inst.ec2_id + ") terminated."
                                   : "Container instance deregistration forced by user.",
                  -1);
    if (action == "deregister") state_.instances[idx].agent_connected = false;
    set_instance_status(idx, InstanceStatus::inactive);
  } else {
    return "unknown instance action: " + action;
  }
  return std::nullopt;
}

}  // namespace berth::sim
