// File: src/reactor/executor.hpp — the one place that calls ECS write actions (StartTask, RunTask,
// StopTask) for every workload kind, and the one place that tells the model what it did:
//
//   plan (StopOrder, StartBatch) or RunTaskRequest --> Executor --> EcsApi (LaunchJournal -> adapter)
//        success:          every launched task enters the model as an expectation at once, a stopped
//                          task is marked stop-requested, so the next plan counts them; what a
//                          launched task reserves (its definition's cpu, memory, host ports) is a
//                          resource expectation on its instance until ECS's figure counts it;
//        StartTask failure entries (RESOURCE:*, AGENT): the instance backs off;
//        StartTask unknown outcome: the instances are held "in doubt" (launch_doubt_check settles it);
//        RunTask unknown outcome: reported as `in_doubt`; the caller retries with the same
//                          clientToken, which ECS answers with the first call's tasks.
// Rate limits (ECS's token buckets) and retries of throttled calls belong to the EcsApi implementation.
#pragma once

#include "policy/daemon_plan.hpp"
#include "policy/instance_backoff.hpp"
#include "metrics/registry.hpp"
#include "reactor/cluster_model.hpp"
#include "reactor/ecs_api.hpp"
#include "reactor/launch_doubt_check.hpp"
#include "reactor/task_definition_cache.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace berth::reactor {

// What one batch of actions did (a sync adds it to its outcome).
struct Execution {
  bool success = true;                  // false: some call failed; the caller retries with backoff
  std::size_t started = 0, stopped = 0;  // tasks ECS accepted
  std::size_t start_failures = 0;       // instances (StartTask) or tasks (RunTask) ECS refused to place
  std::size_t in_doubt = 0;             // launches whose outcome is unknown
  bool rejected = false;                // ECS refused a call outright (validation, access): retrying will not help
  std::optional<SystemTime> wake_at;    // when an in-doubt launch is due to be checked
  std::optional<std::string> error;     // the last call's error, for logs
};

// Series of the metrics registry (berth_executor_<field>_total).
struct ExecutorStats {
  explicit ExecutorStats(metrics::Registry& registry);
  metrics::Counter &start_calls, &run_calls, &stop_calls, &tasks_started, &start_failures, &ecs_errors,
      &launches_in_doubt;
};

class Executor {
 public:
  using Clock = std::function<SystemTime()>;

  // `ecs`, `registry` (its counters) and `definitions` (null: reservations from the task-level cpu/memory only,
  // no ports) must outlive the executor.
  Executor(EcsApi& ecs, Clock clock, metrics::Registry& registry, TaskDefinitionCache* definitions = nullptr)
      : ecs_(ecs), clock_(std::move(clock)), definitions_(definitions), stats_(registry) {}

  boost::asio::awaitable<void> stop(ClusterModel& model, const std::string& cluster,
                                    const std::vector<policy::StopOrder>& stops, Execution& out);
  // One StartTask per batch (<= 10 instances). `backoff` records the instances ECS refused.
  boost::asio::awaitable<void> start(ClusterModel& model, const std::string& cluster,
                                     const std::vector<policy::StartBatch>& starts, policy::InstanceBackoff& backoff,
                                     const LaunchDoubtSettings& doubt, Execution& out);
  // One RunTask (ECS places the tasks). The launched tasks are returned and in the model as expectations.
  boost::asio::awaitable<std::vector<aws::ecs::Task>> run(ClusterModel& model, RunTaskRequest request,
                                                          Execution& out);

  const ExecutorStats& stats() const { return stats_; }

 private:
  // Resource expectations for tasks ECS accepted (one task definition per call).
  boost::asio::awaitable<void> expect_resources(ClusterModel& model, const std::vector<aws::ecs::Task>& tasks);

  EcsApi& ecs_;
  Clock clock_;
  TaskDefinitionCache* definitions_;
  ExecutorStats stats_;
};

}  // namespace berth::reactor
