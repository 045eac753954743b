// File: tests/support/sim_view.hpp — test support: the sim's state (GET /_sim/state?tasks=1 and signed ECS reads)
// as plain structs, so tests can state outcomes ("one RUNNING task per instance") in a line.
#pragma once

#include "sim_process.hpp"  // berth::sim::SimProcess

#include <boost/json/array.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace berth::testing {

// One task as the sim sees it; running and stopped tasks alike (the sim keeps stopped ones).
struct SimTask {
  std::string arn, last_status, desired_status, instance, task_definition;  // task_definition: "family:rev"
  std::string group, started_by;
  std::string family() const { return task_definition.substr(0, task_definition.find(':')); }
  bool live() const { return last_status != "STOPPED"; }
  // RUNNING and not being stopped: what an operator would call a healthy daemon task.
  bool healthy() const { return last_status == "RUNNING" && desired_status == "RUNNING"; }
};
struct SimInstance {
  std::string arn, id, ec2_id, status;
  bool agent_connected = true;
};
struct SimView {
  std::vector<SimInstance> instances;
  std::vector<SimTask> tasks;

  std::set<std::string> instance_arns(const std::string& status = "ACTIVE") const;
  // Live (not STOPPED) tasks of `family`, by instance ARN.
  std::map<std::string, std::vector<SimTask>> live_by_instance(const std::string& family) const;
  // Every task of `family` ever started, by instance ARN (the sim keeps stopped tasks).
  std::map<std::string, std::vector<SimTask>> all_by_instance(const std::string& family) const;
  // Instances of `among` without a healthy task of `family`.
  std::size_t without_healthy(const std::string& family, const std::set<std::string>& among) const;
};
SimView sim_view(const sim::SimProcess& sim, const std::string& cluster = "default");

// Exactly one live task of `family` on each instance in `expected`, healthy and (if given) of
// `task_definition`; no live task of `family` anywhere else. Returns "" when true, else why not.
std::string check_one_per_instance(const SimView& view, const std::string& family, const std::set<std::string>& expected,
                                   const std::string& task_definition = {});

// RUNNING tasks per ACTIVE instance (0 when none) whose "family:rev" ends in `task_definition_suffix` (empty: any).
std::vector<std::pair<std::string, int>> running_tasks_per_instance(const sim::SimProcess& sim,
                                                                    const std::string& cluster,
                                                                    const std::string& task_definition_suffix);

// Per instance, the environment's tasks (by startedBy, RUNNING and STOPPED, via ListTasks+DescribeTasks) must
// not overlap in time: each one is created no earlier than the previous one stopped. Returns the violations.
std::vector<std::string> overlapping_tasks(const sim::SimProcess& sim, const std::string& cluster,
                                           const std::string& started_by);
// DescribeTasks of every task (any status) with this startedBy.
boost::json::array describe_env_tasks(const sim::SimProcess& sim, const std::string& cluster,
                                      const std::string& started_by);

// ECS calls the sim served so far, by operation (SQS operations left out).
std::map<std::string, std::int64_t> ecs_call_counts(const sim::SimProcess& sim);

}  // namespace berth::testing
