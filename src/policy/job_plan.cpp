// File: src/policy/job_plan.cpp — plan_job: follow runs, retry failed tasks, fire the latest due slot.
#include "policy/job_plan.hpp"

#include "policy/ownership.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

namespace berth::policy {

namespace {

using std::chrono::seconds;

SysSeconds to_seconds(SystemTime t) { return std::chrono::floor<seconds>(t); }

// Slots counted past this many are not walked one by one: a rate(1 minute) job down for a year is still planned
// in bounded time (its missed count is then a lower bound).
constexpr int max_slots_walked = 100'000;

bool task_failed(const JobRunTask& t) {
  return t.last_status == "STOPPED" && (t.nonzero_exit || t.stop_code == "TaskFailedToStart" || t.stop_code == "Lost");
}

// Copies what the model shows of each recorded task into the run.
void observe_tasks(JobRun& run, const std::unordered_map<std::string_view, const SnapshotTask*>& seen,
                   const std::vector<std::string>& lost) {
  for (auto& t : run.tasks) {
    if (t.last_status == "STOPPED") continue;
    JobRunTask next = t;
    if (auto it = seen.find(t.task_arn); it != seen.end()) {
      const SnapshotTask& s = *it->second;
      next.last_status = s.is_stopped() ? "STOPPED" : to_string(s.last_status);
      if (s.is_stopped()) {
        next.stop_code = std::string(s.stop_code);
        next.nonzero_exit = s.nonzero_exit;
        next.stopped_at = s.stopped_at;
      }
    } else if (std::find(lost.begin(), lost.end(), t.task_arn) != lost.end()) {
      // Neither the model nor ECS knows it any more: its end was not seen, so it cannot count as a success.
      next.last_status = "STOPPED";
      next.stop_code = "Lost";
    }
    t = std::move(next);
  }
}

struct AttemptState {
  bool launched = true;  // every batch of the attempt was answered by ECS
  bool ended = true;     // and every task it launched has stopped
  int failed = 0;        // tasks that failed, plus tasks ECS could not place
  std::optional<SystemTime> last_stop;
};

AttemptState attempt_state(const JobRun& run, int attempt) {
  AttemptState a;
  for (const auto& b : run.batches) {
    if (b.attempt != attempt) continue;
    if (!b.launched) a.launched = a.ended = false;
    a.failed += b.failures;
  }
  for (const auto& t : run.tasks) {
    if (t.attempt != attempt) continue;
    if (t.last_status != "STOPPED") a.ended = false;
    if (task_failed(t)) ++a.failed;
    if (t.stopped_at && (!a.last_stop || *t.stopped_at > *a.last_stop)) a.last_stop = t.stopped_at;
  }
  return a;
}

void finish(JobRun& run, RunStatus status, std::string message, SystemTime now) {
  run.status = status;
  run.message = std::move(message);
  run.retry_at.reset();
  run.ended_at = now;
}

// Advances one launched run: retry due, retry scheduled, or the end.
void advance_run(const Job& job, JobRun& run, SystemTime now, std::optional<SystemTime>& wake) {
  AttemptState a = attempt_state(run, run.attempt);
  if (!a.launched) return;  // the caller launches its remaining batches
  if (run.status == RunStatus::launching) run.status = RunStatus::running;
  if (!a.ended) return;
  if (a.failed == 0) {
    finish(run, RunStatus::succeeded, "", now);
    return;
  }
  if (run.attempt > job.spec.retries.limit) {
    finish(run, RunStatus::failed,
           std::to_string(a.failed) + " task(s) failed" +
               (job.spec.retries.limit > 0 ? " after " + std::to_string(job.spec.retries.limit) + " retries" : ""),
           now);
    return;
  }
  if (!run.retry_at) run.retry_at = a.last_stop.value_or(now) + retry_delay(job.spec.retries, run.attempt + 1);
  if (now < *run.retry_at) {
    wake = wake ? std::min(*wake, *run.retry_at) : *run.retry_at;
    return;
  }
  ++run.attempt;
  run.retry_at.reset();
  run.status = RunStatus::launching;
  auto more = make_batches(job, run.id, run.attempt, a.failed);
  run.batches.insert(run.batches.end(), more.begin(), more.end());
}

int alive_tasks(const std::vector<SnapshotTask>& tasks) {
  return static_cast<int>(std::count_if(tasks.begin(), tasks.end(), [](const SnapshotTask& t) { return t.is_live(); }));
}

// Sizes `run` (a new slot's, or a requested one) under the job's concurrency policy; Replace also ends the runs
// it replaces and stops their tasks.
void size_into(const JobPlanInput& in, JobPlan& plan, JobRun& run, const std::vector<JobRun*>& others) {
  const Job& job = *in.job;
  bool in_progress = !others.empty();
  int running = alive_tasks(*in.tasks);
  RunSize size = size_run(job.spec, running, in_progress, in.queue_depth);
  run.expected = size.expected;
  if (size.launch == 0) {
    finish(run, RunStatus::skipped, size.why_none, in.now);
    return;
  }
  if (job.spec.concurrency == ConcurrencyPolicy::replace) {
    for (const auto& t : *in.tasks)
      if (t.is_live() && !t.arn.empty()) plan.stop_tasks.emplace_back(t.arn);
    for (JobRun* o : others) finish(*o, RunStatus::failed, "replaced by run " + run.id, in.now);
  }
  run.status = RunStatus::launching;
  run.batches = make_batches(job, run.id, 1, size.launch);
}

}  // namespace

std::chrono::seconds retry_delay(const JobRetries& retries, int next_attempt) {
  seconds d = retries.delay;
  for (int i = 2; i < next_attempt && d < retries.max_delay; ++i) d *= 2;
  return std::min(d, retries.max_delay);
}

std::string slot_run_id(SysSeconds slot) { return std::to_string(slot.time_since_epoch().count()); }

std::vector<RunBatch> make_batches(const Job& job, const std::string& run_id, int attempt, int count) {
  // The job's incarnation (id + creation) keeps a re-created job of the same id from replaying an old token
  // within ECS's 24 hours.
  char incarnation[17];
  std::snprintf(incarnation, sizeof incarnation, "%016llx",
                static_cast<unsigned long long>(
                    fnv1a64(job.spec.id + "@" + std::to_string(job.created_at.time_since_epoch().count()))));
  std::vector<RunBatch> batches;
  for (int index = 0; count > 0; ++index) {
    RunBatch b;
    b.attempt = attempt;
    b.index = index;
    b.count = std::min(count, max_tasks_per_run_task);
    // "bj-" 16 hex "-" run id (<= 20) "-" attempt "-" index: <= 64 characters (ECS's clientToken limit).
    b.client_token = "bj-" + std::string(incarnation) + "-" + run_id + "-" + std::to_string(attempt) + "-" +
                     std::to_string(index);
    count -= b.count;
    batches.push_back(std::move(b));
  }
  return batches;
}

RunSize size_run(const JobSpec& spec, int running, bool run_in_progress, std::optional<std::int64_t> queue_depth) {
  RunSize r;
  int cap = spec.max_count.value_or(spec.trigger ? max_job_task_count : spec.task_count);
  if (spec.trigger) {
    std::int64_t depth = queue_depth.value_or(0);
    if (depth == 0) {
      r.why_none = "queue " + spec.trigger->queue_name + " is empty";
      return r;
    }
    std::int64_t per = std::max(1, spec.trigger->messages_per_task);
    std::int64_t wanted = std::max<std::int64_t>((depth + per - 1) / per, spec.task_count);
    r.expected = static_cast<int>(std::min<std::int64_t>(cap, wanted));
  } else {
    r.expected = std::min(cap, spec.task_count);
  }
  switch (spec.concurrency) {
    case ConcurrencyPolicy::allow:
      r.launch = std::max(0, r.expected - running);
      if (r.launch == 0) r.why_none = std::to_string(running) + " task(s) of the job already running";
      break;
    case ConcurrencyPolicy::forbid:
      if (running > 0 || run_in_progress) {
        r.why_none = "Forbid: the previous run is still alive";
      } else {
        r.launch = r.expected;
      }
      break;
    case ConcurrencyPolicy::replace:
      r.launch = r.expected;
      break;
  }
  return r;
}

std::optional<SysSeconds> next_slot(const Job& job, const Schedule& schedule, SysSeconds after) {
  const JobSpec& s = job.spec;
  SysSeconds anchor = s.schedule_start.value_or(to_seconds(job.created_at));
  if (s.schedule_start && after < *s.schedule_start - seconds(1)) after = *s.schedule_start - seconds(1);
  auto next = next_fire(schedule, s.timezone, after, anchor);
  if (!next || (s.schedule_end && *next > *s.schedule_end)) return std::nullopt;
  return next;
}

JobPlan plan_job(const JobPlanInput& in) {
  JobPlan plan;
  const Job& job = *in.job;
  std::unordered_map<std::string_view, const SnapshotTask*> seen;
  for (const auto& t : *in.tasks)
    if (!t.arn.empty()) seen.emplace(t.arn, &t);

  // 1. Follow the runs in progress.
  std::vector<JobRun> runs = in.unfinished;
  std::vector<JobRun*> in_progress, requested;
  for (auto& run : runs) {
    if (run.status == RunStatus::requested) {
      requested.push_back(&run);
      continue;
    }
    observe_tasks(run, seen, in.lost_tasks);
    advance_run(job, run, in.now, plan.wake_at);
    if (!is_final(run.status)) in_progress.push_back(&run);
  }
  // Every run this plan changed is written once, at the revision it was read at.
  auto collect_updates = [&] {
    for (std::size_t i = 0; i < runs.size(); ++i)
      if (runs[i] != in.unfinished[i]) plan.run_updates.push_back(runs[i]);
  };

  // 2. A requested run ("run now") is sized like a slot's, whatever the schedule says.
  if (!requested.empty()) {
    if (job.spec.trigger && !in.queue_depth) {
      plan = JobPlan{};
      plan.needs_queue_depth = true;
      return plan;
    }
    size_into(in, plan, *requested.front(), in_progress);
    collect_updates();
    plan.wake_at = in.now;  // due slots and further requests on the next sync, once this one is written
    return plan;
  }

  // 3. The latest due slot after the cursor.
  if (job.spec.suspended || !in.schedule) {
    collect_updates();
    return plan;
  }
  SysSeconds now = to_seconds(in.now);
  auto first = next_slot(job, *in.schedule, job.handled_through);
  if (!first || *first > now) {
    if (first) plan.wake_at = plan.wake_at ? std::min<SystemTime>(*plan.wake_at, *first) : SystemTime(*first);
    collect_updates();
    return plan;
  }
  SysSeconds latest = *first;
  std::int64_t due = 1;
  for (int walked = 0; walked < max_slots_walked; ++walked) {
    auto n = next_slot(job, *in.schedule, latest);
    if (!n || *n > now) break;
    latest = *n;
    ++due;
  }
  if (job.spec.trigger && !in.queue_depth && now - latest <= job.spec.starting_deadline) {
    plan = JobPlan{};
    plan.needs_queue_depth = true;
    return plan;
  }
  Job advanced = job;
  advanced.handled_through = latest;
  if (now - latest > job.spec.starting_deadline) {
    // Every due slot is past its deadline: none runs.
    advanced.missed_slots += due;
    plan.missed = due;
    plan.job_update = std::move(advanced);
  } else {
    advanced.missed_slots += due - 1;
    plan.missed = due - 1;
    JobRun run;
    run.job = job.spec.id;
    run.id = slot_run_id(latest);
    run.slot = latest;
    run.missed_before = due - 1;
    run.created_at = in.now;
    size_into(in, plan, run, in_progress);
    plan.start = StartRunWrite{std::move(advanced), std::move(run)};
  }
  collect_updates();
  // The slot after this one: the plan is re-run then.
  if (auto n = next_slot(job, *in.schedule, latest))
    plan.wake_at = plan.wake_at ? std::min<SystemTime>(*plan.wake_at, *n) : SystemTime(*n);
  return plan;
}

}  // namespace berth::policy
