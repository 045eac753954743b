// File: src/policy/job_plan.hpp — the pure policy of a scheduled job: job + its unfinished runs + its tasks in the
// model + the trigger queue's depth + now --> what to write to the store and what to ask ECS.
//
//   1. follow every unfinished run through its tasks: record their status and end; when the newest attempt has
//      ended, retry its failed tasks (a new attempt after an exponential delay) or finish the run;
//   2. size a requested ("run now") run;
//   3. the latest due slot after the job's cursor: missed when older than the starting deadline, else a new run
//      (the earlier due slots coalesce into it and count as missed), sized by the concurrency policy;
//   4. wake at the next slot or retry.
//
// The caller applies the plan in this order, so that a crash between two steps never launches a slot twice:
// run_updates (update_run, CAS) -> start (start_run: run + cursor in one write) or job_update (update_job) ->
// stop_tasks (Replace) -> every unfinished run's batches that are not launched yet, each a RunTask with the
// batch's clientToken (a retry after a crash re-sends the same token: ECS answers the first call's tasks).
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/job.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::policy {

inline constexpr int max_tasks_per_run_task = 10;  // ECS RunTask count limit

struct JobPlanInput {
  const Job* job = nullptr;
  const Schedule* schedule = nullptr;  // the job's schedule, parsed
  std::vector<JobRun> unfinished;  // the job's runs that are not final, oldest first
  // The job's tasks the model knows (alive and recent tombstones), plus any the caller looked up for runs whose
  // tasks the model no longer holds (found_elsewhere). Views must outlive the call.
  const std::vector<SnapshotTask>* tasks = nullptr;
  // Tasks of unfinished runs that neither the model nor ECS knows any more: their end is unknown.
  std::vector<std::string> lost_tasks;
  // ApproximateNumberOfMessages of the trigger queue, when the job has one and the caller read it this sync.
  std::optional<std::int64_t> queue_depth;
  SystemTime now{};
};

struct StartRunWrite {
  Job job;     // cursor advanced to the run's slot (unchanged for a manual run), missed slots counted
  JobRun run;  // with its batches
};

struct JobPlan {
  std::vector<JobRun> run_updates;    // changed unfinished runs (update_run at their revision)
  std::optional<StartRunWrite> start;  // a new run for a due slot (start_run)
  std::optional<Job> job_update;       // cursor advanced without a run: every due slot was past its deadline
  std::vector<std::string> stop_tasks;  // Replace: the job's alive tasks, stopped before the new run launches
  // A slot (or a requested run) is due and the job has an SQS trigger: read the queue's depth and plan again.
  bool needs_queue_depth = false;
  std::optional<SystemTime> wake_at;  // the next slot or retry
  std::int64_t missed = 0;            // slots this plan counted as missed
};

JobPlan plan_job(const JobPlanInput& in);

// How many tasks a run of `spec` launches when `running` of the job's tasks are alive (concurrency policy
// applied: Allow launches the difference, Replace all), and why none when 0.
struct RunSize {
  int launch = 0;
  int expected = 0;
  std::string why_none;  // empty when launch > 0
};
RunSize size_run(const JobSpec& spec, int running, bool run_in_progress, std::optional<std::int64_t> queue_depth);

// The batches of `count` tasks for attempt `attempt` of a run: ceil(count / 10) RunTask calls, each with a
// clientToken unique to (job incarnation, run, attempt, batch) and <= 64 characters.
std::vector<RunBatch> make_batches(const Job& job, const std::string& run_id, int attempt, int count);

// The delay before attempt `next_attempt` (2 = the first retry): delay * 2^(next_attempt - 2), capped.
std::chrono::seconds retry_delay(const JobRetries& retries, int next_attempt);

// The first slot of the job strictly after `after`, within scheduleStart/scheduleEnd; nullopt when there is none.
std::optional<SysSeconds> next_slot(const Job& job, const Schedule& schedule, SysSeconds after);

// The id of the run of a slot ("<epoch seconds>").
std::string slot_run_id(SysSeconds slot);

}  // namespace berth::policy
