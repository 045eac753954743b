// File: tests/sim/ecs_state.hpp — the simulated ECS data model: clusters, container instances, task definitions, tasks.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace berth::sim {

enum class TaskStatus : std::uint8_t { provisioning, pending, running, stopped };
enum class InstanceStatus : std::uint8_t { active, draining, inactive };
enum class StopCode : std::uint8_t { none, task_failed_to_start, essential_container_exited, user_initiated };

const char* to_string(TaskStatus s);
const char* to_string(InstanceStatus s);
const char* to_string(StopCode c);

struct PortMapping {
  int container_port = 0;
  int host_port = 0;  // 0 = dynamic (bridge mode)
  bool udp = false;
};

struct ContainerDef {
  std::string name;
  int cpu = 0;
  int memory = 0;  // reservation used for placement: memoryReservation if set, else memory
  bool essential = true;
  std::vector<PortMapping> ports;
  std::vector<std::pair<std::string, std::string>> environment;  // as registered (name, value)
};

struct TaskDef {
  std::string family;
  int revision = 0;
  std::string arn;
  std::string network_mode = "bridge";
  bool active = true;
  int cpu = 0;     // total reserved by the task (task-level value or sum of containers)
  int memory = 0;
  std::vector<ContainerDef> containers;
  std::string registered_json;  // the registered definition as sent, echoed by DescribeTaskDefinition
  std::int64_t registered_at_ms = 0;
};

struct Binding {
  std::uint16_t container_port;
  std::uint16_t host_port;
  bool udp;
  std::uint8_t container;  // index into TaskDef::containers
};

// Invariant: every Task with last != stopped holds its resources on its instance.
// Slots of pruned (forgotten) STOPPED tasks are reused; `generation` tells a timer scheduled for
// an earlier occupant of the slot that its task is gone.
struct Task {
  std::string id;  // uuid; the ARN is derived (task/<cluster>/<id>); empty in a free slot
  std::uint32_t generation = 0;
  std::uint32_t cluster = 0;
  std::uint32_t instance = 0;
  std::uint32_t taskdef = 0;
  TaskStatus last = TaskStatus::provisioning;
  TaskStatus desired = TaskStatus::running;
  StopCode stop_code = StopCode::none;
  int exit_code = -1;  // -1: no exit code (never started)
  // Sim-only batch convention (sim_exit.hpp): stop by itself this long after RUNNING (-1: never),
  // with this exit code.
  std::int64_t exit_after_ms = -1;
  int planned_exit_code = 0;
  std::int64_t version = 1;
  std::int64_t created_ms = 0, pull_started_ms = 0, pull_stopped_ms = 0, started_ms = 0, stopping_ms = 0,
               stopped_ms = 0, updated_ms = 0;
  std::vector<Binding> bindings;
  std::string group, started_by, stopped_reason, overrides_json;
};

struct Instance {
  std::string id;  // uuid
  std::string ec2_id;
  std::uint32_t cluster = 0;
  InstanceStatus status = InstanceStatus::active;
  bool agent_connected = true;
  std::int64_t version = 1;
  std::int64_t registered_at_ms = 0;
  int cpu = 0, memory = 0;                 // registered
  int cpu_left = 0, memory_left = 0;       // remaining
  std::vector<std::uint16_t> reserved_ports;  // registered PORTS (agent, ssh, docker)
  std::vector<std::uint16_t> used_ports;      // static host ports taken by tasks (TCP)
  std::vector<std::uint16_t> used_udp_ports;
  std::uint16_t next_dynamic_port = 32768;
  std::vector<std::pair<std::string, std::string>> attributes;  // name -> value ("" = no value)
  std::vector<std::uint32_t> tasks;  // indices of tasks not yet STOPPED
  int running = 0, pending = 0;      // counts of tasks by lastStatus (pending includes provisioning)
};

struct Cluster {
  std::string name;
  std::string arn;
  std::map<std::string_view, std::uint32_t> instances;     // by id: ordered for pagination
  std::map<std::string_view, std::uint32_t> tasks_running;  // desiredStatus RUNNING, by id
  std::map<std::string_view, std::uint32_t> tasks_stopped;  // desiredStatus STOPPED, by id
  int running = 0, pending = 0, active_instances = 0;
};

// Storage: deques keep element addresses stable, so maps can key on string_views of ids.
struct EcsState {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  std::vector<Cluster> clusters;
  std::unordered_map<std::string, std::uint32_t> cluster_by_name;
  std::deque<Instance> instances;
  std::unordered_map<std::string_view, std::uint32_t> instance_by_id;
  std::unordered_map<std::string_view, std::uint32_t> instance_by_ec2;
  std::deque<Task> tasks;  // slots, some free (pruned): count live tasks with task_by_id
  std::vector<std::uint32_t> free_task_slots;
  std::unordered_map<std::string_view, std::uint32_t> task_by_id;
  std::vector<TaskDef> taskdefs;
  std::unordered_map<std::string, std::vector<std::uint32_t>> taskdefs_by_family;  // revision order

  std::string arn(std::string_view kind, std::string_view rest) const {
    return "arn:aws:ecs:" + region + ":" + account + ":" + std::string(kind) + "/" + std::string(rest);
  }
  std::string task_arn(const Task& t) const { return arn("task", clusters[t.cluster].name + "/" + t.id); }
  std::string instance_arn(const Instance& i) const {
    return arn("container-instance", clusters[i.cluster].name + "/" + i.id);
  }
  std::string container_arn(const Task& t, std::size_t index) const;
};

// "arn:...:task/cluster/ID", "task/ID" or "ID" -> "ID".
std::string_view last_segment(std::string_view arn_or_id);

}  // namespace berth::sim
