// File: src/reactor/job_controller.cpp — scheduled jobs: store + model + queue depth -> plan_job -> store writes ->
// StopTask / RunTask -> timers.
#include "reactor/job_controller.hpp"

#include "config/logging.hpp"
#include "policy/ownership.hpp"

#include <spdlog/logger.h>

#include <algorithm>
#include <set>

namespace berth::reactor {
namespace asio = boost::asio;

namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("job");
  return log;
}

metrics::Counter& counter(metrics::Registry& r, std::string_view name, std::string_view help) {
  return metrics::must_counter(r, name, help);
}

// Tasks of `run` the model holds no record of (ARNs recorded by the run).
std::vector<std::string> forgotten_tasks(const policy::ClusterSnapshot& snapshot, const policy::JobRun& run) {
  std::set<std::string_view> known;
  for (const auto& t : snapshot.tasks) known.insert(t.arn);
  std::vector<std::string> out;
  for (const auto& t : run.tasks)
    if (t.last_status != "STOPPED" && !known.contains(t.task_arn)) out.push_back(t.task_arn);
  return out;
}

}  // namespace

JobStats::JobStats(metrics::Registry& r)
    : syncs(counter(r, "berth_job_syncs_total", "Syncs of scheduled jobs.")),
      runs_started(counter(r, "berth_job_runs_started_total", "Job runs recorded with tasks to launch.")),
      runs_skipped(counter(r, "berth_job_runs_skipped_total", "Job slots skipped (Forbid, empty queue, enough running).")),
      runs_succeeded(counter(r, "berth_job_runs_succeeded_total", "Job runs whose tasks all exited 0.")),
      runs_failed(counter(r, "berth_job_runs_failed_total", "Job runs that failed after their retries.")),
      slots_missed(counter(r, "berth_job_slots_missed_total", "Job slots not run (berth down, past the deadline).")),
      retries(counter(r, "berth_job_retries_total", "Retry attempts of failed job tasks.")),
      run_calls(counter(r, "berth_job_run_task_calls_total", "RunTask calls made for job runs.")),
      queue_depth_reads(counter(r, "berth_job_queue_depth_reads_total", "SQS depth reads for triggered jobs.")),
      lost_tasks(counter(r, "berth_job_lost_tasks_total", "Job tasks whose end neither the model nor ECS knew.")) {}

JobController::JobController(store::DesiredStateStore& store, EcsApi& ecs, Executor& executor, WorkloadIndex& index,
                             WatcherLookup watchers, Clock clock, JobTimers& timers, QueueDepth queue_depth,
                             metrics::Registry& registry)
    : store_(store),
      ecs_(ecs),
      executor_(executor),
      index_(index),
      watchers_(std::move(watchers)),
      clock_(std::move(clock)),
      timers_(timers),
      queue_depth_(std::move(queue_depth)),
      stats_(registry) {}

void JobController::track(const policy::Job& job) {
  index_.put(policy::WorkloadKey::job(job.spec.id), job.spec.cluster);
}

void JobController::forget(const std::string& id) {
  index_.erase(policy::WorkloadKey::job(id));
  schedules_.erase(id);
  timers_.cancel(id);
}

asio::awaitable<void> JobController::load() {
  auto jobs = co_await store_.list_jobs("");
  if (!jobs) {
    logger()->error("cannot list jobs error=\"{}\"", jobs.error().message);
    co_return;
  }
  for (const auto& j : *jobs) track(j);
  logger()->info("loaded jobs count={}", jobs->size());
}

asio::awaitable<void> JobController::refresh(std::string id) {
  auto j = co_await store_.get_job(id);
  if (j) {
    track(*j);
  } else if (j.error().code == store::StoreErrc::not_found) {
    forget(id);
  } else {
    logger()->error("store read failed job={} error=\"{}\"", id, j.error().message);
  }
}

std::vector<std::string> JobController::workloads_on(std::string_view cluster) const {
  return index_.on(cluster, policy::WorkloadKind::job);
}

const policy::Schedule* JobController::schedule_of(const policy::Job& job) {
  auto it = schedules_.find(job.spec.id);
  if (it != schedules_.end() && it->second.text == job.spec.schedule) return &it->second.schedule;
  // Stored schedules have their "?" drawn already: any seed parses them to the same slots.
  auto parsed = policy::parse_schedule(job.spec.schedule, 0);
  if (auto* e = std::get_if<policy::ScheduleError>(&parsed)) {
    logger()->error("stored schedule does not parse job={} schedule=\"{}\" error=\"{}\"", job.spec.id,
                    job.spec.schedule, e->message);
    return nullptr;
  }
  auto& slot = schedules_[job.spec.id];
  slot = Parsed{job.spec.schedule, std::get<policy::Schedule>(std::move(parsed))};
  return &slot.schedule;
}

asio::awaitable<std::optional<std::vector<std::string>>> JobController::look_up_forgotten(
    ClusterWatcher& w, const std::vector<policy::JobRun>& runs) {
  std::vector<std::string> forgotten;
  {
    auto snapshot = w.model().tasks_snapshot(policy::encode_started_by(policy::WorkloadKey::job(runs.front().job)), clock_());
    for (const auto& run : runs) {
      auto f = forgotten_tasks(snapshot, run);
      forgotten.insert(forgotten.end(), f.begin(), f.end());
    }
  }
  std::vector<std::string> lost;
  // Rare (a restart after the tasks ended, or a tombstone expired): one DescribeTasks per 100 tasks.
  for (std::size_t i = 0; i < forgotten.size(); i += 100) {
    std::vector<std::string> chunk(forgotten.begin() + static_cast<std::ptrdiff_t>(i),
                                   forgotten.begin() + static_cast<std::ptrdiff_t>(std::min(i + 100, forgotten.size())));
    auto described = co_await ecs_.describe_tasks(w.name(), chunk);
    if (!described) co_return std::nullopt;
    for (const auto& t : described->items) w.model().apply_task(t, clock_());
    for (const auto& f : described->failures) lost.push_back(f.arn);
  }
  stats_.lost_tasks += lost.size();
  co_return lost;
}

void JobController::count_final(const policy::JobRun& run) {
  if (run.status == policy::RunStatus::succeeded) ++stats_.runs_succeeded;
  if (run.status == policy::RunStatus::failed) ++stats_.runs_failed;
  if (run.status == policy::RunStatus::skipped) ++stats_.runs_skipped;
}

asio::awaitable<void> JobController::record_exits(const std::string& cluster, policy::JobRun& run) {
  std::vector<std::string> arns;
  for (const auto& t : run.tasks)
    if (!t.exit_code && t.stop_code != "Lost") arns.push_back(t.task_arn);
  for (std::size_t i = 0; i < arns.size(); i += 100) {
    std::vector<std::string> chunk(arns.begin() + static_cast<std::ptrdiff_t>(i),
                                   arns.begin() + static_cast<std::ptrdiff_t>(std::min(i + 100, arns.size())));
    auto described = co_await ecs_.describe_tasks(cluster, chunk);
    if (!described) co_return;  // the run is recorded without them: exit codes are a courtesy, not its outcome
    for (const auto& d : described->items) {
      for (auto& t : run.tasks) {
        if (t.task_arn != d.task_arn) continue;
        t.stopped_reason = d.stopped_reason;
        for (const auto& c : d.containers) {
          if (!c.exit_code) continue;
          if (!t.exit_code || (*t.exit_code == 0 && *c.exit_code != 0)) t.exit_code = c.exit_code;
        }
      }
    }
  }
}

asio::awaitable<bool> JobController::write(const policy::JobPlan& plan, const std::string& id,
                                           const std::string& cluster) {
  for (auto run : plan.run_updates) {
    if (policy::is_final(run.status) && !run.tasks.empty()) co_await record_exits(cluster, run);
    auto stored = co_await store_.update_run(run);
    if (!stored) {
      logger()->info("run changed meanwhile job={} run={} detail=\"{}\"", id, run.id, stored.error().message);
      co_return false;
    }
    if (policy::is_final(run.status)) {
      count_final(run);
      logger()->info("run ended job={} run={} status={} attempt={} message=\"{}\"", id, run.id,
                     policy::to_string(run.status), run.attempt, run.message);
    } else if (run.status == policy::RunStatus::launching && run.attempt > 1 &&
               std::any_of(run.batches.begin(), run.batches.end(),
                           [&](const policy::RunBatch& b) { return b.attempt == run.attempt && !b.launched; })) {
      ++stats_.retries;
    }
  }
  if (plan.start) {
    auto started = co_await store_.start_run(plan.start->job, plan.start->run);
    if (!started) {
      logger()->info("slot not recorded job={} run={} detail=\"{}\"", id, plan.start->run.id, started.error().message);
      co_return false;
    }
    stats_.slots_missed += static_cast<std::uint64_t>(plan.missed);
    if (started->run.status == policy::RunStatus::skipped) {
      ++stats_.runs_skipped;
      logger()->info("slot skipped job={} run={} why=\"{}\"", id, started->run.id, started->run.message);
    } else {
      ++stats_.runs_started;
      logger()->info("slot fires job={} run={} tasks={} missed_before={}", id, started->run.id,
                     started->run.batches.empty() ? 0 : started->run.expected, started->run.missed_before);
    }
  }
  if (plan.job_update) {
    auto updated = co_await store_.update_job(*plan.job_update);
    if (!updated) co_return false;
    stats_.slots_missed += static_cast<std::uint64_t>(plan.missed);
    logger()->warn("slots missed job={} count={} through={}", id, plan.missed,
                   plan.job_update->handled_through.time_since_epoch().count());
  }
  co_return true;
}

RunTaskRequest JobController::request_for(const policy::Job& job, const policy::JobRun& run,
                                          const policy::RunBatch& b) const {
  const auto key = policy::WorkloadKey::job(job.spec.id);
  RunTaskRequest r;
  r.cluster = job.spec.cluster;
  r.task_definition = job.spec.task_definition;
  r.count = b.count;
  r.client_token = b.client_token;
  r.started_by = policy::encode_started_by(key);
  r.group = policy::encode_group(key, run.id).value_or(std::string());
  if (!job.spec.overrides.empty()) {
    boost::json::array containers;
    for (const auto& o : job.spec.overrides) {
      boost::json::array env;
      for (const auto& [k, v] : o.environment) env.push_back(boost::json::object{{"name", k}, {"value", v}});
      containers.push_back(boost::json::object{{"name", o.container_name}, {"environment", std::move(env)}});
    }
    r.overrides["containerOverrides"] = std::move(containers);
  }
  return r;
}

asio::awaitable<bool> JobController::launch(ClusterWatcher& w, const policy::Job& job, policy::JobRun run) {
  bool ok = true;
  for (auto& b : run.batches) {
    if (b.launched) continue;
    Execution done;
    ++stats_.run_calls;
    auto tasks = co_await executor_.run(w.model(), request_for(job, run, b), done);
    if (!done.success && !done.rejected) {
      ok = false;  // outcome unknown or throttled: retried with the same token
      break;
    }
    b.launched = true;
    b.failures = b.count - static_cast<int>(tasks.size());
    if (done.rejected) run.message = done.error.value_or("RunTask refused");
    for (const auto& t : tasks)
      run.tasks.push_back(policy::JobRunTask{t.task_arn, t.container_instance_arn, b.attempt, t.last_status, "",
                                             false, std::nullopt, std::nullopt, ""});
  }
  if (std::all_of(run.batches.begin(), run.batches.end(), [](const policy::RunBatch& b) { return b.launched; }))
    run.status = policy::RunStatus::running;
  auto stored = co_await store_.update_run(run);
  if (!stored) {
    // The tasks are launched; a retry re-sends the tokens and ECS answers the same tasks, recorded then.
    logger()->warn("launched tasks not recorded job={} run={} detail=\"{}\"", job.spec.id, run.id,
                   stored.error().message);
    co_return false;
  }
  co_return ok;
}

asio::awaitable<SyncVerdict> JobController::sync(std::string id) {
  SyncVerdict verdict;
  ++stats_.syncs;
  auto job = co_await store_.get_job(id);
  if (!job) {
    if (job.error().code != store::StoreErrc::not_found) {
      verdict.success = false;
      co_return verdict;
    }
    forget(id);
    co_return verdict;
  }
  auto* w = watchers_(job->spec.cluster);
  if (w == nullptr || !w->ready()) co_return verdict;  // the end of the bootstrap enqueues the cluster's jobs
  const policy::Schedule* schedule = schedule_of(*job);

  auto runs = co_await store_.list_unfinished_runs(id);
  if (!runs) {
    verdict.success = false;
    co_return verdict;
  }
  std::vector<std::string> lost;
  if (!runs->empty()) {
    auto found = co_await look_up_forgotten(*w, *runs);
    if (!found) {
      verdict.success = false;
      co_return verdict;
    }
    lost = std::move(*found);
  }
  std::optional<std::int64_t> depth;
  const std::string started_by = policy::encode_started_by(policy::WorkloadKey::job(id));
  // Plans synchronously over the snapshot's views (no co_await while they are alive).
  auto plan_now = [&] {
    auto snapshot = w->model().tasks_snapshot(started_by, clock_());
    policy::JobPlanInput in;
    in.job = &*job;
    in.schedule = schedule;
    in.unfinished = *runs;
    in.tasks = &snapshot.tasks;
    in.lost_tasks = lost;
    in.queue_depth = depth;
    in.now = clock_();
    return policy::plan_job(in);
  };
  auto plan = plan_now();
  if (plan.needs_queue_depth) {
    ++stats_.queue_depth_reads;
    depth = co_await queue_depth_(job->spec.trigger->queue_name);
    if (!depth) {
      logger()->warn("queue depth unreadable job={} queue={}", id, job->spec.trigger->queue_name);
      verdict.success = false;
      co_return verdict;
    }
    plan = plan_now();
  }
  const bool written = co_await write(plan, id, job->spec.cluster);
  if (!written) {
    verdict.requeue = true;  // plan again from what the store holds now
    co_return verdict;
  }
  if (!plan.stop_tasks.empty()) {
    std::vector<policy::StopOrder> stops;
    {
      auto snapshot = w->model().tasks_snapshot(started_by, clock_());
      for (const auto& t : snapshot.tasks)
        if (std::find(plan.stop_tasks.begin(), plan.stop_tasks.end(), t.arn) != plan.stop_tasks.end())
          stops.push_back({std::string(t.arn), std::string(t.instance_arn), policy::StopCause::replaced,
                           "berth: job " + id + ": replaced by the next run"});
    }
    Execution stopped;
    co_await executor_.stop(w->model(), job->spec.cluster, stops, stopped);
    if (!stopped.success) verdict.success = false;
  }
  // Every unfinished run with batches not launched yet: the new one, a retry, or one a crash interrupted.
  auto pending = co_await store_.list_unfinished_runs(id);
  if (!pending) {
    verdict.success = false;
    co_return verdict;
  }
  for (auto& run : *pending) {
    const bool unlaunched = std::any_of(run.batches.begin(), run.batches.end(),
                                        [](const policy::RunBatch& b) { return !b.launched; });
    if (!unlaunched) continue;
    const bool ok = co_await launch(*w, *job, std::move(run));
    if (!ok) verdict.success = false;
  }
  timers_.arm(id, plan.wake_at);
  co_return verdict;
}

}  // namespace berth::reactor
