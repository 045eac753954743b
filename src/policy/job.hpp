// File: src/policy/job.hpp — a scheduled job as berth stores it: the spec (ECS Scheduler's fields plus berth's),
// the scheduling cursor, and its runs.
//
// Exactly once per slot: a slot is "handled" (run, skipped or missed) by advancing the job's cursor
// `handled_through` in the same store write that records the slot's run (store: start_run). A run records its
// launch batches (count and clientToken each) before any RunTask is sent, so a crash or a 5xx is retried with
// the same tokens and ECS answers the first call's tasks instead of launching again. A retry of failed tasks is
// a new attempt: new batches, new tokens.
//
// Vocabulary:
//   slot      a time the schedule names (wall clock in the job's zone, resolved to an instant)
//   run       what berth did for one slot (or one manual "run now"): its batches, tasks, outcome
//   attempt   1 for the run's first launch; each retry of the failed tasks adds one
//   batch     one RunTask call (<= 10 tasks), with its clientToken
#pragma once

#include "policy/schedule.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::policy {

using SystemTime = std::chrono::system_clock::time_point;

enum class ConcurrencyPolicy : unsigned char {
  allow,    // launch expected - running
  forbid,   // skip the slot while a task of the job is alive
  replace,  // stop the job's alive tasks, then launch expected
};
const char* to_string(ConcurrencyPolicy p);  // "Allow" | "Forbid" | "Replace"
std::optional<ConcurrencyPolicy> concurrency_policy_from_string(std::string_view s);

// ECS Scheduler's trigger: the task count follows an SQS queue's depth.
struct SqsTrigger {
  std::string queue_name;
  int messages_per_task = 1;  // >= 1
  friend bool operator==(const SqsTrigger&, const SqsTrigger&) = default;
};

// ECS Scheduler's overrides: environment variables per container.
struct ContainerEnvironment {
  std::string container_name;
  std::map<std::string, std::string> environment;
  friend bool operator==(const ContainerEnvironment&, const ContainerEnvironment&) = default;
};

struct JobRetries {
  int limit = 0;  // retries of a failed task (0: none)
  std::chrono::seconds delay{10};       // before the first retry; doubles per attempt
  std::chrono::seconds max_delay{300};  // cap
  friend bool operator==(const JobRetries&, const JobRetries&) = default;
};

struct JobHistoryLimit {
  int successful = 10;  // finished runs kept, by outcome
  int failed = 10;
  friend bool operator==(const JobHistoryLimit&, const JobHistoryLimit&) = default;
};

inline constexpr int max_job_task_count = 50;  // ECS Scheduler's taskCount / maxCount bound

struct JobSpec {
  std::string id;               // as environment names; defaults to the task definition's family
  std::string cluster;
  std::string task_definition;  // family or family:revision
  std::string schedule;         // as stored: "?" of the ECS Scheduler form already drawn
  std::string timezone = "UTC";  // IANA name
  std::optional<SysSeconds> schedule_start, schedule_end;
  bool suspended = false;
  int task_count = 1;                // 1..50
  std::optional<int> max_count;      // 1..50
  std::optional<SqsTrigger> trigger;
  std::vector<ContainerEnvironment> overrides;
  ConcurrencyPolicy concurrency = ConcurrencyPolicy::allow;
  std::chrono::seconds starting_deadline{3600};  // a slot older than this is missed, not run
  JobRetries retries;
  JobHistoryLimit history_limit;
  // A JSON object (text) of the fields a compatibility front accepted without a berth meaning and answers back
  // verbatim (Chronos's owner, cpus, mem, ...). berth never reads it; a /v1 PUT keeps it. Empty: none.
  std::string front_fields;
  friend bool operator==(const JobSpec&, const JobSpec&) = default;
};

struct Job {
  JobSpec spec;
  // Every slot at or before this instant is handled. A new job starts at its creation; a resumed one at the
  // resume (the slots it was suspended through never run).
  SysSeconds handled_through{};
  std::int64_t missed_slots = 0;  // slots not run (berth down past the deadline, coalesced), over the job's life
  std::int64_t revision = 0;      // compare-and-set token of every write
  SystemTime created_at{};
  SystemTime updated_at{};
  friend bool operator==(const Job&, const Job&) = default;
};

enum class RunStatus : unsigned char {
  requested,  // "run now" asked through the API; the controller sizes and launches it
  launching,  // batches recorded, some not confirmed launched yet
  running,    // every batch launched; tasks not all stopped (or a retry is due)
  succeeded,  // every task exited 0
  failed,     // some task failed after its retries (or could not be launched)
  skipped,    // Forbid: a task of the job was alive at the slot
};
const char* to_string(RunStatus s);  // "requested" | "launching" | ... (API and store spelling)
std::optional<RunStatus> run_status_from_string(std::string_view s);
inline bool is_final(RunStatus s) {
  return s == RunStatus::succeeded || s == RunStatus::failed || s == RunStatus::skipped;
}

struct RunBatch {
  int attempt = 1;
  int index = 0;     // within the attempt
  int count = 0;     // 1..10
  std::string client_token;  // <= 64 chars (ECS)
  bool launched = false;     // ECS answered (tasks and/or failures recorded)
  int failures = 0;          // tasks ECS could not place
  friend bool operator==(const RunBatch&, const RunBatch&) = default;
};

struct JobRunTask {
  std::string task_arn;
  std::string instance_arn;  // "hostId" in ECS Scheduler's lastRunTasks
  int attempt = 1;
  std::string last_status;   // PENDING | RUNNING | STOPPED (as the model last saw it)
  std::string stop_code;     // once stopped
  bool nonzero_exit = false;  // once stopped
  std::optional<SystemTime> stopped_at;
  // Filled from DescribeTasks when the run ends (the model keeps only nonzero_exit): the essential container's exit
  // code (the first non-zero one, else the first reported) and ECS's stoppedReason.
  std::optional<int> exit_code;
  std::string stopped_reason;
  friend bool operator==(const JobRunTask&, const JobRunTask&) = default;
};

struct JobRun {
  std::string job;
  std::string id;                // "<slot as epoch seconds>" or "manual-<epoch ms>"; no ':' (ECS group tag)
  std::optional<SysSeconds> slot;  // absent for a manual run
  RunStatus status = RunStatus::requested;
  int expected = 0;           // tasks the run launches (attempt 1)
  int attempt = 1;            // the newest attempt
  std::int64_t missed_before = 0;  // slots coalesced into this one (berth was down)
  std::vector<RunBatch> batches;
  std::vector<JobRunTask> tasks;
  std::optional<SystemTime> retry_at;  // when the next attempt is due
  std::string message;        // why it was skipped or failed
  SystemTime created_at{};
  std::optional<SystemTime> ended_at;
  std::int64_t revision = 0;
  friend bool operator==(const JobRun&, const JobRun&) = default;
};

}  // namespace berth::policy
