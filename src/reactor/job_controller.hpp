// File: src/reactor/job_controller.hpp — the scheduled-job workload kind: cron, rate, at and queue-triggered
// tasks, launched with RunTask exactly once per slot.
//
//   JobTimers (the next slot or retry of every job, one heap) --due--> WorkQueue --> sync(job):
//     store (job, unfinished runs) + model (the job's tasks; DescribeTasks for run tasks the model forgot)
//       [+ SQS depth when a slot is due and the job has a trigger] + now --> policy::plan_job
//     --> store writes first (update_run; start_run = the slot's run and the advanced cursor in one write)
//     --> StopTask (Replace) --> RunTask per unlaunched batch, with the batch's clientToken (a crash or a 5xx
//         re-sends the same token: ECS answers the first call's tasks) --> update_run (tasks recorded)
//     --> JobTimers.arm(next slot or retry)
//   Task events of the job (startedBy "berth-job/...") mark it dirty: its runs follow their tasks to the end.
#pragma once

#include "metrics/registry.hpp"
#include "policy/job_plan.hpp"
#include "reactor/cluster_watcher.hpp"
#include "reactor/ecs_api.hpp"
#include "reactor/executor.hpp"
#include "reactor/job_timers.hpp"
#include "reactor/workload_controller.hpp"
#include "reactor/workload_index.hpp"
#include "store/desired_state_store.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace berth::reactor {

// Series of the metrics registry.
struct JobStats {
  explicit JobStats(metrics::Registry& registry);
  metrics::Counter &syncs, &runs_started, &runs_skipped, &runs_succeeded, &runs_failed, &slots_missed, &retries,
      &run_calls, &queue_depth_reads, &lost_tasks;
};

class JobController final : public WorkloadController {
 public:
  using WatcherLookup = std::function<ClusterWatcher*(std::string_view cluster)>;
  using Clock = std::function<SystemTime()>;
  // ApproximateNumberOfMessages of a queue by name; nullopt when it cannot be read now (retried).
  using QueueDepth = std::function<boost::asio::awaitable<std::optional<std::int64_t>>(std::string queue_name)>;

  // All references must outlive the controller. `ecs` answers DescribeTasks for run tasks the model forgot.
  JobController(store::DesiredStateStore& store, EcsApi& ecs, Executor& executor, WorkloadIndex& index,
                WatcherLookup watchers, Clock clock, JobTimers& timers, QueueDepth queue_depth,
                metrics::Registry& registry);

  policy::WorkloadKind kind() const override { return policy::WorkloadKind::job; }
  boost::asio::awaitable<void> load() override;
  boost::asio::awaitable<SyncVerdict> sync(std::string id) override;
  boost::asio::awaitable<void> refresh(std::string id) override;
  std::vector<std::string> workloads_on(std::string_view cluster) const override;
  void apply_settings(const config::SchedulerConfig&) override {}
  std::size_t size() const override { return index_.size(policy::WorkloadKind::job); }

 private:
  void track(const policy::Job& job);
  void forget(const std::string& id);
  const policy::Schedule* schedule_of(const policy::Job& job);
  // Puts what ECS knows of the unfinished runs' tasks that the model no longer holds into the model; returns the
  // ones ECS does not know either (lost).
  boost::asio::awaitable<std::optional<std::vector<std::string>>> look_up_forgotten(
      ClusterWatcher& w, const std::vector<policy::JobRun>& runs);
  // Writes the plan's store changes; false on a conflict or store error (the sync is retried).
  boost::asio::awaitable<bool> write(const policy::JobPlan& plan, const std::string& id, const std::string& cluster);
  // A run that ends: its tasks' exit codes and stop reasons from DescribeTasks (one read per 100 tasks).
  boost::asio::awaitable<void> record_exits(const std::string& cluster, policy::JobRun& run);
  // RunTask for every batch of `run` not launched yet, each recorded in the run afterwards.
  boost::asio::awaitable<bool> launch(ClusterWatcher& w, const policy::Job& job, policy::JobRun run);
  RunTaskRequest request_for(const policy::Job& job, const policy::JobRun& run, const policy::RunBatch& b) const;
  void count_final(const policy::JobRun& run);

  store::DesiredStateStore& store_;
  EcsApi& ecs_;
  Executor& executor_;
  WorkloadIndex& index_;
  WatcherLookup watchers_;
  Clock clock_;
  JobTimers& timers_;
  QueueDepth queue_depth_;
  JobStats stats_;
  struct Parsed {
    std::string text;
    policy::Schedule schedule;
  };
  std::map<std::string, Parsed, std::less<>> schedules_;  // job id -> its parsed schedule
};

}  // namespace berth::reactor
