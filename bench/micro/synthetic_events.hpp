// File: bench/micro/synthetic_events.hpp — realistic ECS event bodies and API shapes for benchmarks.
// Bodies follow the EventBridge envelope of tests/testdata/ecs-events and what berth-sim emits:
// a task event is ~1.7 KB (two containers, ISO times, overrides), an instance event ~3 KB (20
// attributes, registered/remaining resources). Versions increase per task/instance as in ECS, so a
// stream applies in order exactly once.
#pragma once

#include "aws/ecs_types.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace berth::bench {

inline constexpr const char* bench_cluster = "bench";
inline constexpr const char* bench_cluster_arn = "arn:aws:ecs:us-east-1:111122223333:cluster/bench";

// Deterministic ARNs of realistic length (32 hex digit ids as ECS uses for tasks).
std::string task_arn(std::size_t i);
std::string instance_arn(std::size_t i);
std::string ec2_instance_id(std::size_t i);

struct TaskEventSpec {
  std::size_t task = 0;      // task index -> ARN
  std::size_t instance = 0;  // instance index -> ARN
  std::int64_t version = 1;
  const char* last_status = "RUNNING";
  const char* desired_status = "RUNNING";
  std::string started_by = "berth/0123456789abcdef";
  std::string group = "berth:bench-env:d-0001";
  std::string task_definition = "arn:aws:ecs:us-east-1:111122223333:task-definition/bench-daemon:1";
};
std::string task_event_body(const TaskEventSpec& spec);

struct InstanceEventSpec {
  std::size_t instance = 0;
  std::int64_t version = 1;
  const char* status = "ACTIVE";
  bool agent_connected = true;
  int remaining_cpu = 1792;  // changes with every task placed (the common resource-only event)
};
std::string instance_event_body(const InstanceEventSpec& spec);

// A task's life as ECS reports it: PROVISIONING, PENDING, RUNNING (versions 1..3); every
// `stop_every`-th task also STOPPING/STOPPED (versions 4..5). Events of different tasks interleave
// in blocks of `interleave` tasks (as a burst of StartTask would produce).
std::vector<std::string> task_lifecycle_stream(std::size_t tasks, std::size_t instances, std::size_t stop_every = 4,
                                               std::size_t interleave = 50);

// Resource updates of `instances` instances, `updates` each (versions 1..updates).
std::vector<std::string> instance_update_stream(std::size_t instances, std::size_t updates);

// 90 % task events, 10 % instance events, as a busy cluster sends them.
std::vector<std::string> mixed_stream(std::size_t tasks, std::size_t instances);

// The same shapes, already decoded (for model-only benchmarks).
aws::ecs::Task make_task(std::size_t task, std::size_t instance, const char* last_status, std::int64_t version,
                         const std::string& started_by, const std::string& group, const std::string& task_definition);
aws::ecs::ContainerInstance make_instance(std::size_t instance, std::int64_t version);

}  // namespace berth::bench
