// File: tests/sim/ecs_engine.hpp — simulated ECS: operations (JSON in, JSON out), task lifecycle, events.
#pragma once
#include "api_error.hpp"
#include "ecs_state.hpp"
#include "timers.hpp"
#include "util.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <utility>
#include <vector>
#include <optional>
#include <string>
#include <string_view>

namespace berth::sim {

struct EcsOptions {
  std::chrono::milliseconds task_start{1000};  // PROVISIONING -> PENDING at half, RUNNING at full
  std::chrono::milliseconds task_stop{200};    // desired STOPPED -> STOPPED
  double task_start_failure_rate = 0.0;
  // STOPPED tasks stay visible (DescribeTasks, ListTasks desiredStatus=STOPPED) this long, then
  // are forgotten, as in ECS (about an hour), so long runs do not grow without bound.
  std::chrono::milliseconds stopped_task_retention{3600000};
};

// Resources and attributes of instances added through the control API or --instances.
struct InstanceSpec {
  int cpu = 2048;
  int memory = 3768;
  std::string instance_type = "m5.large";
  std::string availability_zone;  // empty: rotate over <region>a/b/c
  std::vector<std::uint16_t> reserved_ports{22, 2375, 2376, 51678, 51679};
  std::vector<std::pair<std::string, std::string>> attributes;
};

class EcsEngine {
public:
  // publish receives every event's JSON text (EventBridge envelope) in change order.
  EcsEngine(Timers& timers, Random& random, EcsOptions options, std::function<void(std::string)> publish);

  // Runs one ECS operation whose input already passed model validation.
  ApiOutcome call(const std::string& op, const boost::json::object& in);
  bool implements(const std::string& op) const;

  // Control-plane hooks (the /_sim/ API and startup flags).
  std::uint32_t ensure_cluster(const std::string& name);
  std::vector<std::string> add_instances(const std::string& cluster, int count, const InstanceSpec& spec);
  // action: "drain", "activate", "deregister", "kill" (terminated: tasks lost, INACTIVE),
  // "disconnect" / "reconnect" (agent only). Returns an error message on failure.
  std::optional<std::string> instance_action(const std::string& instance, const std::string& action);
  // Stops a task as the user would ("stop") or as a crash ("fail", with exit code).
  std::optional<std::string> task_action(const std::string& task, const std::string& action, int exit_code,
                                         const std::string& reason);
  EcsOptions& options() { return options_; }
  const EcsState& state() const { return state_; }
  boost::json::object summary(bool with_tasks, bool with_instances) const;
  std::uint64_t events_published() const { return events_; }
  std::size_t live_tasks() const { return state_.task_by_id.size(); }
  std::uint64_t tasks_pruned() const { return tasks_pruned_; }

private:
  // Operations. Those that act inside one cluster get the request's "cluster" (default
  // "default") already resolved: call() answers ClusterNotFoundException before they run.
  ApiOutcome create_cluster(const boost::json::object& in);
  ApiOutcome describe_clusters(const boost::json::object& in);
  ApiOutcome list_clusters(const boost::json::object& in);
  ApiOutcome register_task_definition(const boost::json::object& in);
  ApiOutcome describe_task_definition(const boost::json::object& in);
  ApiOutcome deregister_task_definition(const boost::json::object& in);
  ApiOutcome list_task_definitions(const boost::json::object& in);
  ApiOutcome list_container_instances(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome describe_container_instances(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome update_container_instances_state(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome deregister_container_instance(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome put_attributes(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome list_attributes(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome start_task(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome run_task(std::uint32_t cluster, const boost::json::object& in);  // clientToken, then run_task_once
  ApiOutcome run_task_once(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome stop_task(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome list_tasks(std::uint32_t cluster, const boost::json::object& in);
  ApiOutcome describe_tasks(std::uint32_t cluster, const boost::json::object& in);

  // One implemented operation: exactly one of the two handlers is set.
  struct Operation {
    const char* name;
    ApiOutcome (EcsEngine::*global)(const boost::json::object&);
    ApiOutcome (EcsEngine::*in_cluster)(std::uint32_t, const boost::json::object&);
  };
  static const Operation* operation(std::string_view name);

  // Helpers (ecs_engine.cpp / ecs_tasks.cpp). A reference is an ARN, "kind/id" or the id.
  std::optional<std::uint32_t> find_cluster(std::string_view ref) const;
  std::optional<std::uint32_t> find_instance(std::uint32_t cluster, std::string_view ref) const;
  std::optional<std::uint32_t> find_task(std::uint32_t cluster, std::string_view ref) const;
  std::optional<std::uint32_t> find_taskdef(std::string_view ref) const;
  // Empty when the task fits; else the ECS failure reason ("RESOURCE:MEMORY", "AGENT", ...).
  std::string check_fit(const Instance& inst, const TaskDef& td) const;
  std::uint32_t launch(std::uint32_t instance, std::uint32_t taskdef, const boost::json::object& in);
  void schedule_lifecycle(std::uint32_t task);
  void advance(std::uint32_t task, std::uint32_t generation, TaskStatus to);
  void finish_stop(std::uint32_t task, StopCode code, std::string reason, int exit_code);
  // Desired STOPPED now, STOPPED after task_stop with `exit_code` (default: 143 if it started, else none).
  void request_stop(std::uint32_t task, StopCode code, std::string reason, std::optional<int> exit_code = std::nullopt);
  void exit_by_itself(std::uint32_t task, std::uint32_t generation);  // sim_exit.hpp's convention
  void set_instance_status(std::uint32_t instance, InstanceStatus status);
  // Pruning of STOPPED tasks (ecs_tasks.cpp): queued at STOPPED, swept by one timer.
  void schedule_prune(std::uint32_t task);
  void sweep_stopped();
  void forget_task(std::uint32_t task);
  void task_changed(Task& t);
  void instance_changed(Instance& i);

  EcsState state_;
  Timers& timers_;
  Random& random_;
  EcsOptions options_;
  std::function<void(std::string)> publish_;
  std::uint64_t events_ = 0;
  int az_rotation_ = 0;
  struct PruneEntry {
    Clock::time_point due;
    std::uint32_t task, generation;
  };
  // In STOPPED order; the retention is fixed, so due times never decrease and the sweep only
  // looks at the front. At most one sweep timer is pending (prune_armed_).
  std::deque<PruneEntry> prune_queue_;
  // RunTask clientToken idempotency (ECS_Idempotency.html): per cluster, a token seen within 24 h answers
  // with the original result when the parameters are the same, ConflictException (resourceIds = the
  // tasks it launched) when they differ. Expired in order of first use (fixed TTL), lazily on RunTask.
  struct RunTaskToken {
    std::string parameters;  // the request without clientToken, serialized
    boost::json::value result;
    std::vector<std::string> task_arns;
    Clock::time_point expires;
  };
  std::map<std::pair<std::uint32_t, std::string>, RunTaskToken> run_task_tokens_;
  std::deque<std::pair<Clock::time_point, std::pair<std::uint32_t, std::string>>> run_task_token_expiry_;
  bool prune_armed_ = false;
  std::uint64_t tasks_pruned_ = 0;
};

}  // namespace berth::sim
