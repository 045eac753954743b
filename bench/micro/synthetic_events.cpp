// File: bench/micro/synthetic_events.cpp — generators for realistic ECS event bodies (see header).
#include "synthetic_events.hpp"

#include <cstdio>

namespace berth::bench {

namespace {

// 32 lowercase hex digits derived from (kind, i): unique, fixed length like ECS task ids.
std::string hex_id(std::size_t kind, std::size_t i) {
  std::uint64_t a = 0x9e3779b97f4a7c15ULL * (i + 1) ^ (kind << 56);
  std::uint64_t b = (a ^ (a >> 31)) * 0xbf58476d1ce4e5b9ULL;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b ^ i));
  return buf;
}

std::string uuid(std::size_t kind, std::size_t i) {
  std::string h = hex_id(kind, i);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20, 12);
}

// Attributes of an ECS-optimised EC2 instance: capabilities without values, ecs.* with values.
struct Attr {
  const char* name;
  const char* value;
};
constexpr Attr instance_attributes[] = {
    {"com.amazonaws.ecs.capability.logging-driver.syslog", nullptr},
    {"com.amazonaws.ecs.capability.task-iam-role-network-host", nullptr},
    {"com.amazonaws.ecs.capability.logging-driver.awslogs", nullptr},
    {"com.amazonaws.ecs.capability.logging-driver.json-file", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.17", nullptr},
    {"com.amazonaws.ecs.capability.privileged-container", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.18", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.19", nullptr},
    {"com.amazonaws.ecs.capability.ecr-auth", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.20", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.21", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.22", nullptr},
    {"com.amazonaws.ecs.capability.docker-remote-api.1.23", nullptr},
    {"com.amazonaws.ecs.capability.task-iam-role", nullptr},
    {"ecs.ami-id", "ami-0a1b2c3d4e5f67890"},
    {"ecs.availability-zone", "us-east-1a"},
    {"ecs.instance-type", "m5.large"},
    {"ecs.os-type", "linux"},
    {"ecs.cpu-architecture", "x86_64"},
    {"role", "worker"},
};

std::string iso_time(std::int64_t seconds_after) {
  // 2026-11-25T09:00:00.000Z + seconds (within the hour is enough for a benchmark).
  char buf[32];
  std::snprintf(buf, sizeof buf, "2026-11-25T09:%02lld:%02lld.%03lldZ", static_cast<long long>((seconds_after / 60) % 60),
                static_cast<long long>(seconds_after % 60), static_cast<long long>((seconds_after * 37) % 1000));
  return buf;
}

void resources_json(std::string& out, int cpu, int memory) {
  out += "[{\"name\":\"CPU\",\"type\":\"INTEGER\",\"integerValue\":" + std::to_string(cpu) +
         "},{\"name\":\"MEMORY\",\"type\":\"INTEGER\",\"integerValue\":" + std::to_string(memory) +
         "},{\"name\":\"PORTS\",\"type\":\"STRINGSET\",\"stringSetValue\":[\"22\",\"2376\",\"2375\",\"51678\",\"51679\"]}"
         ",{\"name\":\"PORTS_UDP\",\"type\":\"STRINGSET\",\"stringSetValue\":[]}]";
}

}  // namespace

std::string task_arn(std::size_t i) {
  return "arn:aws:ecs:us-east-1:111122223333:task/bench/" + hex_id(1, i);
}
std::string instance_arn(std::size_t i) {
  return "arn:aws:ecs:us-east-1:111122223333:container-instance/bench/" + hex_id(2, i);
}
std::string ec2_instance_id(std::size_t i) { return "i-" + hex_id(3, i).substr(0, 17); }

std::string task_event_body(const TaskEventSpec& s) {
  const std::string arn = task_arn(s.task);
  const std::string id = hex_id(1, s.task);
  const bool stopped = std::string_view(s.last_status) == "STOPPED";
  std::string o;
  o.reserve(2048);
  o += "{\"version\":\"0\",\"id\":\"" + uuid(4, s.task * 16 + static_cast<std::size_t>(s.version)) +
       "\",\"detail-type\":\"ECS Task State Change\",\"source\":\"aws.ecs\",\"account\":\"111122223333\",\"time\":\"" +
       iso_time(s.version) + "\",\"region\":\"us-east-1\",\"resources\":[\"" + arn + "\"],\"detail\":{";
  o += "\"attachments\":[],\"availabilityZone\":\"us-east-1a\",\"clusterArn\":\"";
  o += bench_cluster_arn;
  o += "\",\"containerInstanceArn\":\"" + instance_arn(s.instance) + "\",\"containers\":[";
  const char* names[] = {"app", "log-router"};
  for (int c = 0; c < 2; ++c) {
    if (c) o += ',';
    o += "{\"containerArn\":\"arn:aws:ecs:us-east-1:111122223333:container/bench/" + id + "/" + hex_id(5 + c, s.task) +
         "\",\"taskArn\":\"" + arn + "\",\"name\":\"" + names[c] + "\",\"lastStatus\":\"" + s.last_status + "\"";
    if (stopped) o += ",\"exitCode\":0";
    o += ",\"networkBindings\":[]}";
  }
  o += "],\"cpu\":\"256\",\"memory\":\"512\",\"createdAt\":\"" + iso_time(0) + "\",\"desiredStatus\":\"" +
       s.desired_status + "\",\"group\":\"" + s.group + "\",\"launchType\":\"EC2\",\"lastStatus\":\"" + s.last_status +
       "\",\"overrides\":{\"containerOverrides\":[{\"name\":\"app\"},{\"name\":\"log-router\"}]},\"pullStartedAt\":\"" +
       iso_time(1) + "\",\"pullStoppedAt\":\"" + iso_time(2) + "\"";
  if (s.version >= 3) o += ",\"startedAt\":\"" + iso_time(3) + "\"";
  o += ",\"startedBy\":\"" + s.started_by + "\"";
  if (stopped)
    o += ",\"stopCode\":\"UserInitiated\",\"stoppedReason\":\"Task stopped by user\",\"stoppingAt\":\"" + iso_time(4) +
         "\",\"stoppedAt\":\"" + iso_time(5) + "\"";
  o += ",\"taskArn\":\"" + arn + "\",\"taskDefinitionArn\":\"" + s.task_definition + "\",\"updatedAt\":\"" +
       iso_time(s.version) + "\",\"version\":" + std::to_string(s.version) + "}}";
  return o;
}

std::string instance_event_body(const InstanceEventSpec& s) {
  const std::string arn = instance_arn(s.instance);
  std::string o;
  o.reserve(4096);
  o += "{\"version\":\"0\",\"id\":\"" + uuid(8, s.instance * 4096 + static_cast<std::size_t>(s.version)) +
       "\",\"detail-type\":\"ECS Container Instance State Change\",\"source\":\"aws.ecs\",\"account\":\"111122223333\","
       "\"time\":\"" +
       iso_time(s.version) + "\",\"region\":\"us-east-1\",\"resources\":[\"" + arn + "\"],\"detail\":{";
  o += "\"agentConnected\":";
  o += s.agent_connected ? "true" : "false";
  o += ",\"attributes\":[";
  bool first = true;
  for (const Attr& a : instance_attributes) {
    if (!first) o += ',';
    first = false;
    o += "{\"name\":\"";
    o += a.name;
    o += '"';
    if (a.value) {
      o += ",\"value\":\"";
      o += a.value;
      o += '"';
    }
    o += '}';
  }
  o += "],\"clusterArn\":\"";
  o += bench_cluster_arn;
  o += "\",\"containerInstanceArn\":\"" + arn + "\",\"ec2InstanceId\":\"" + ec2_instance_id(s.instance) +
       "\",\"registeredResources\":";
  resources_json(o, 2048, 7680);
  o += ",\"remainingResources\":";
  resources_json(o, s.remaining_cpu, 7680 - (2048 - s.remaining_cpu) * 2);
  o += ",\"status\":\"";
  o += s.status;
  o += "\",\"version\":" + std::to_string(s.version) +
       ",\"versionInfo\":{\"agentHash\":\"aebcbca\",\"agentVersion\":\"1.77.0\",\"dockerVersion\":\"DockerVersion: "
       "20.10.25\"},\"updatedAt\":\"" +
       iso_time(s.version) + "\"}}";
  return o;
}

std::vector<std::string> task_lifecycle_stream(std::size_t tasks, std::size_t instances, std::size_t stop_every,
                                               std::size_t interleave) {
  static constexpr const char* life[] = {"PROVISIONING", "PENDING", "RUNNING", "RUNNING", "STOPPED"};
  std::vector<std::string> out;
  out.reserve(tasks * 4);
  for (std::size_t block = 0; block < tasks; block += interleave) {
    const std::size_t end = std::min(tasks, block + interleave);
    for (int step = 0; step < 5; ++step) {
      for (std::size_t t = block; t < end; ++t) {
        const bool stops = stop_every && t % stop_every == 0;
        if (step >= 3 && !stops) continue;
        TaskEventSpec s;
        s.task = t;
        s.instance = t % instances;
        s.version = step + 1;
        s.last_status = life[step];
        s.desired_status = step >= 3 ? "STOPPED" : "RUNNING";
        out.push_back(task_event_body(s));
      }
    }
  }
  return out;
}

std::vector<std::string> instance_update_stream(std::size_t instances, std::size_t updates) {
  std::vector<std::string> out;
  out.reserve(instances * updates);
  for (std::size_t u = 0; u < updates; ++u)
    for (std::size_t i = 0; i < instances; ++i) {
      InstanceEventSpec s;
      s.instance = i;
      s.version = static_cast<std::int64_t>(u + 1);
      s.remaining_cpu = 2048 - 256 * static_cast<int>(u % 8);
      out.push_back(instance_event_body(s));
    }
  return out;
}

std::vector<std::string> mixed_stream(std::size_t tasks, std::size_t instances) {
  auto task_events = task_lifecycle_stream(tasks, instances);
  const std::size_t instance_events = task_events.size() / 9;  // 10 % of the total
  const std::size_t updates = std::max<std::size_t>(1, instance_events / instances);
  auto inst_events = instance_update_stream(instances, updates);
  std::vector<std::string> out;
  out.reserve(task_events.size() + inst_events.size());
  std::size_t ti = 0, ii = 0;
  while (ti < task_events.size() || ii < inst_events.size()) {
    for (int k = 0; k < 9 && ti < task_events.size(); ++k) out.push_back(std::move(task_events[ti++]));
    if (ii < inst_events.size()) out.push_back(std::move(inst_events[ii++]));
  }
  return out;
}

aws::ecs::Task make_task(std::size_t task, std::size_t instance, const char* last_status, std::int64_t version,
                         const std::string& started_by, const std::string& group, const std::string& task_definition) {
  aws::ecs::Task t;
  t.task_arn = task_arn(task);
  t.cluster_arn = bench_cluster_arn;
  t.task_definition_arn = task_definition;
  t.container_instance_arn = instance_arn(instance);
  t.last_status = last_status;
  t.desired_status = "RUNNING";
  t.launch_type = "EC2";
  t.group = group;
  t.started_by = started_by;
  t.cpu = "256";
  t.memory = "512";
  t.version = version;
  for (int c = 0; c < 2; ++c) {
    aws::ecs::Container k;
    k.container_arn = "arn:aws:ecs:us-east-1:111122223333:container/bench/" + hex_id(5 + c, task);
    k.name = c ? "log-router" : "app";
    k.last_status = last_status;
    t.containers.push_back(std::move(k));
  }
  return t;
}

aws::ecs::ContainerInstance make_instance(std::size_t instance, std::int64_t version) {
  aws::ecs::ContainerInstance ci;
  ci.container_instance_arn = instance_arn(instance);
  ci.cluster_arn = bench_cluster_arn;
  ci.ec2_instance_id = ec2_instance_id(instance);
  ci.status = "ACTIVE";
  ci.agent_connected = true;
  ci.version = version;
  for (const Attr& a : instance_attributes) {
    aws::ecs::Attribute attr;
    attr.name = a.name;
    if (a.value) attr.value = std::string(a.value);
    ci.attributes.push_back(std::move(attr));
  }
  return ci;
}

}  // namespace berth::bench
