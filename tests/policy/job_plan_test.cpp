// File: tests/policy/job_plan_test.cpp — plan_job: firing slots exactly once, coalescing missed slots, the
// concurrency policies, SQS sizing, following runs to their end and retrying failed tasks.
#include "policy/job_plan.hpp"

#include <gtest/gtest.h>

#include <date/date.h>

#include <cstdio>
#include <deque>
#include <set>

namespace berth::policy {
namespace {

using namespace std::chrono_literals;

SysSeconds utc(int y, int mo, int d, int h, int mi, int s = 0) {
  return SysSeconds{date::sys_days{date::year{y} / mo / d}} + std::chrono::hours(h) + std::chrono::minutes(mi) +
         std::chrono::seconds(s);
}

Schedule parsed(const std::string& text) {
  auto r = parse_schedule(text, 1);
  EXPECT_TRUE(std::holds_alternative<Schedule>(r)) << text;
  return std::get<Schedule>(r);
}

// One job, its schedule and the tasks the model shows, as plan_job takes them.
struct World {
  Job job;
  Schedule schedule;
  std::deque<std::string> strings;  // backing store of the snapshot's views
  std::vector<SnapshotTask> tasks;
  std::vector<JobRun> unfinished;

  explicit World(const std::string& schedule_text, SysSeconds created = utc(2026, 12, 3, 10, 0)) {
    job.spec.id = "report";
    job.spec.cluster = "prod";
    job.spec.task_definition = "report:1";
    job.spec.schedule = schedule_text;
    job.created_at = created;
    job.handled_through = created;
    job.revision = 1;
    schedule = parsed(schedule_text);
  }
  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
  SnapshotTask& task(const std::string& arn, TaskStatus status) {
    SnapshotTask t;
    t.arn = keep(arn);
    t.instance_arn = keep("i-1");
    t.last_status = status;
    if (status == TaskStatus::stopped) t.desired_status = TaskStatus::stopped;
    return tasks.emplace_back(t);
  }
  JobPlan plan(SystemTime now, std::optional<std::int64_t> depth = std::nullopt, std::vector<std::string> lost = {}) {
    JobPlanInput in;
    in.job = &job;
    in.schedule = &schedule;
    in.unfinished = unfinished;
    in.tasks = &tasks;
    in.lost_tasks = std::move(lost);
    in.queue_depth = depth;
    in.now = now;
    return plan_job(in);
  }
};

// A run as the store holds it after its batches were launched with these task ARNs (attempt 1).
JobRun launched_run(const World& w, const std::string& id, const std::vector<std::string>& arns) {
  JobRun r;
  r.job = w.job.spec.id;
  r.id = id;
  r.status = RunStatus::running;
  r.expected = static_cast<int>(arns.size());
  r.batches = make_batches(w.job, id, 1, r.expected);
  for (auto& b : r.batches) b.launched = true;
  for (const auto& a : arns) r.tasks.push_back(JobRunTask{a, "i-1", 1, "RUNNING", "", false, std::nullopt, std::nullopt, ""});
  r.revision = 3;
  return r;
}

TEST(JobPlan, WaitsForTheNextSlotAndWritesNothing) {
  World w("0 */15");  // ECS Scheduler form: second 0 of every 15th minute
  auto p = w.plan(utc(2026, 12, 3, 10, 7));
  EXPECT_FALSE(p.start);
  EXPECT_FALSE(p.job_update);
  EXPECT_TRUE(p.run_updates.empty());
  ASSERT_TRUE(p.wake_at);
  EXPECT_EQ(*p.wake_at, utc(2026, 12, 3, 10, 15));
}

TEST(JobPlan, DueSlotStartsOneRunInBatchesOfTenAndAdvancesTheCursor) {
  World w("0 */15");
  w.job.spec.task_count = 23;
  w.job.spec.max_count = 25;
  auto p = w.plan(utc(2026, 12, 3, 10, 15, 1));
  ASSERT_TRUE(p.start);
  const JobRun& run = p.start->run;
  EXPECT_EQ(run.id, slot_run_id(utc(2026, 12, 3, 10, 15)));
  EXPECT_EQ(p.start->job.handled_through, utc(2026, 12, 3, 10, 15));
  EXPECT_EQ(run.status, RunStatus::launching);
  EXPECT_EQ(run.expected, 23);
  ASSERT_EQ(run.batches.size(), 3u);
  EXPECT_EQ(run.batches[0].count, 10);
  EXPECT_EQ(run.batches[2].count, 3);
  std::set<std::string> tokens;
  for (const auto& b : run.batches) {
    EXPECT_LE(b.client_token.size(), 64u);
    tokens.insert(b.client_token);
  }
  EXPECT_EQ(tokens.size(), 3u);
  EXPECT_EQ(*p.wake_at, utc(2026, 12, 3, 10, 30));

  // The cursor moved: planning again (the store write done) fires nothing more for that slot.
  w.job = p.start->job;
  auto again = w.plan(utc(2026, 12, 3, 10, 15, 2));
  EXPECT_FALSE(again.start);
}

TEST(JobPlan, TokensDifferPerAttemptAndPerIncarnationButRepeatForTheSameBatch) {
  World w("0 */15");
  auto a = make_batches(w.job, "100", 1, 1);
  EXPECT_EQ(a[0].client_token, make_batches(w.job, "100", 1, 1)[0].client_token);
  EXPECT_NE(a[0].client_token, make_batches(w.job, "100", 2, 1)[0].client_token);
  Job recreated = w.job;
  recreated.created_at += 1s;
  EXPECT_NE(a[0].client_token, make_batches(recreated, "100", 1, 1)[0].client_token);
}

TEST(JobPlan, MissedSlotsCoalesceIntoTheLatestWithinTheDeadline) {
  World w("0 0");  // every hour
  auto p = w.plan(utc(2026, 12, 3, 13, 20));  // berth was down over 11:00, 12:00, 13:00
  ASSERT_TRUE(p.start);
  EXPECT_EQ(p.start->run.slot, utc(2026, 12, 3, 13, 0));
  EXPECT_EQ(p.start->run.missed_before, 2);
  EXPECT_EQ(p.start->job.missed_slots, 2);
  EXPECT_EQ(p.start->job.handled_through, utc(2026, 12, 3, 13, 0));
}

TEST(JobPlan, SlotsPastTheStartingDeadlineAreMissedNotRun) {
  World w("0 0");
  w.job.spec.starting_deadline = 600s;
  auto p = w.plan(utc(2026, 12, 3, 13, 20));
  EXPECT_FALSE(p.start);
  ASSERT_TRUE(p.job_update);
  EXPECT_EQ(p.job_update->missed_slots, 3);
  EXPECT_EQ(p.job_update->handled_through, utc(2026, 12, 3, 13, 0));
  EXPECT_EQ(*p.wake_at, utc(2026, 12, 3, 14, 0));
}

TEST(JobPlan, AClockSteppedBackDoesNotFireAHandledSlotAgain) {
  World w("0 0");
  w.job.handled_through = utc(2026, 12, 3, 12, 0);  // the 12:00 slot ran
  auto p = w.plan(utc(2026, 12, 3, 11, 58));        // NTP stepped the clock back
  EXPECT_FALSE(p.start);
  EXPECT_EQ(*p.wake_at, utc(2026, 12, 3, 13, 0));
}

TEST(JobPlan, SuspendedJobRunsNothing) {
  World w("0 0");
  w.job.spec.suspended = true;
  auto p = w.plan(utc(2026, 12, 3, 11, 0, 1));
  EXPECT_FALSE(p.start);
  EXPECT_FALSE(p.job_update);
  EXPECT_FALSE(p.wake_at);
}

TEST(JobPlan, ScheduleStartAndEndBoundTheSlots) {
  World w("0 0");
  w.job.spec.schedule_start = utc(2026, 12, 3, 15, 0);
  w.job.spec.schedule_end = utc(2026, 12, 3, 16, 0);
  EXPECT_EQ(*w.plan(utc(2026, 12, 3, 11, 0, 1)).wake_at, utc(2026, 12, 3, 15, 0));
  w.job.handled_through = utc(2026, 12, 3, 16, 0);
  EXPECT_FALSE(w.plan(utc(2026, 12, 3, 16, 0, 1)).wake_at);
}

TEST(JobPlan, AllowLaunchesWhatIsMissingForbidSkipsReplaceStops) {
  World w("0 0");
  w.job.spec.task_count = 3;
  w.task("arn:t1", TaskStatus::running);
  auto now = utc(2026, 12, 3, 11, 0, 1);

  auto allow = w.plan(now);
  ASSERT_TRUE(allow.start);
  EXPECT_EQ(allow.start->run.expected, 3);
  EXPECT_EQ(allow.start->run.batches.at(0).count, 2);

  w.job.spec.concurrency = ConcurrencyPolicy::forbid;
  auto forbid = w.plan(now);
  ASSERT_TRUE(forbid.start);
  EXPECT_EQ(forbid.start->run.status, RunStatus::skipped);
  EXPECT_TRUE(forbid.start->run.batches.empty());
  EXPECT_EQ(forbid.start->job.handled_through, utc(2026, 12, 3, 11, 0));  // the slot is handled: skipped

  w.job.spec.concurrency = ConcurrencyPolicy::replace;
  w.unfinished.push_back(launched_run(w, "prev", {"arn:t1"}));
  auto replace = w.plan(now);
  ASSERT_TRUE(replace.start);
  EXPECT_EQ(replace.start->run.batches.at(0).count, 3);
  EXPECT_EQ(replace.stop_tasks, std::vector<std::string>{"arn:t1"});
  ASSERT_EQ(replace.run_updates.size(), 1u);
  EXPECT_EQ(replace.run_updates[0].id, "prev");
  EXPECT_EQ(replace.run_updates[0].status, RunStatus::failed);  // ended, never retried
}

TEST(JobPlan, ForbidSkipsWhileARunIsInProgressEvenWithoutLiveTasks) {
  World w("0 0");
  w.job.spec.concurrency = ConcurrencyPolicy::forbid;
  w.job.spec.retries.limit = 1;
  auto prev = launched_run(w, "prev", {"arn:t1"});
  w.task("arn:t1", TaskStatus::stopped).nonzero_exit = true;  // failed; its retry is pending
  w.unfinished.push_back(prev);
  auto p = w.plan(utc(2026, 12, 3, 11, 0, 1));
  ASSERT_TRUE(p.start);
  EXPECT_EQ(p.start->run.status, RunStatus::skipped);
}

TEST(JobPlan, SqsTriggerSizesByQueueDepth) {
  World w("0 */5");
  w.job.spec.trigger = SqsTrigger{"work", 10};
  w.job.spec.max_count = 4;
  auto now = utc(2026, 12, 3, 10, 5, 1);
  auto ask = w.plan(now);
  EXPECT_TRUE(ask.needs_queue_depth);
  EXPECT_FALSE(ask.start);

  auto empty = w.plan(now, 0);
  ASSERT_TRUE(empty.start);
  EXPECT_EQ(empty.start->run.status, RunStatus::skipped);

  EXPECT_EQ(w.plan(now, 25).start->run.expected, 3);     // ceil(25 / 10)
  EXPECT_EQ(w.plan(now, 1000).start->run.expected, 4);   // capped by maxCount
  w.job.spec.task_count = 2;
  EXPECT_EQ(w.plan(now, 1).start->run.expected, 2);      // at least taskCount while the queue has work
}

TEST(JobPlan, RunSucceedsWhenEveryTaskExitedZero) {
  World w("0 0");
  w.unfinished.push_back(launched_run(w, "r", {"arn:a", "arn:b"}));
  w.task("arn:a", TaskStatus::stopped).stop_code = "EssentialContainerExited";
  w.task("arn:b", TaskStatus::running);
  auto mid = w.plan(utc(2026, 12, 3, 10, 30));
  ASSERT_EQ(mid.run_updates.size(), 1u);
  EXPECT_EQ(mid.run_updates[0].status, RunStatus::running);
  EXPECT_EQ(mid.run_updates[0].tasks[0].last_status, "STOPPED");

  w.tasks.back().last_status = TaskStatus::stopped;
  auto end = w.plan(utc(2026, 12, 3, 10, 31));
  ASSERT_EQ(end.run_updates.size(), 1u);
  EXPECT_EQ(end.run_updates[0].status, RunStatus::succeeded);
  EXPECT_TRUE(end.run_updates[0].ended_at);
}

TEST(JobPlan, FailedTasksAreRetriedWithBackoffThenTheRunFails) {
  World w("0 0");
  w.job.spec.retries = JobRetries{2, 10s, 15s};
  w.unfinished.push_back(launched_run(w, "r", {"arn:a", "arn:b"}));
  auto& a = w.task("arn:a", TaskStatus::stopped);
  a.nonzero_exit = true;
  a.stopped_at = utc(2026, 12, 3, 10, 30);
  w.task("arn:b", TaskStatus::stopped);

  auto p1 = w.plan(utc(2026, 12, 3, 10, 30, 1));
  ASSERT_EQ(p1.run_updates.size(), 1u);
  EXPECT_EQ(p1.run_updates[0].retry_at, utc(2026, 12, 3, 10, 30, 10));
  EXPECT_EQ(*p1.wake_at, utc(2026, 12, 3, 10, 30, 10));

  w.unfinished[0] = p1.run_updates[0];
  auto p2 = w.plan(utc(2026, 12, 3, 10, 30, 10));
  ASSERT_EQ(p2.run_updates.size(), 1u);
  const JobRun& retry = p2.run_updates[0];
  EXPECT_EQ(retry.attempt, 2);
  EXPECT_EQ(retry.status, RunStatus::launching);
  ASSERT_EQ(retry.batches.size(), 2u);  // attempt 1's batch and the retry's
  EXPECT_EQ(retry.batches[1].attempt, 2);
  EXPECT_EQ(retry.batches[1].count, 1);  // only the failed task
  EXPECT_NE(retry.batches[1].client_token, retry.batches[0].client_token);

  EXPECT_EQ(retry_delay(w.job.spec.retries, 3), 15s);  // 20 s capped at 15 s

  // Attempt 3 (the last retry) fails too: the run fails.
  JobRun last = retry;
  last.attempt = 3;
  last.status = RunStatus::running;
  for (auto& b : last.batches) b.launched = true;
  last.batches.push_back(RunBatch{3, 0, 1, "t3", true, 1});  // ECS could not place it
  w.unfinished[0] = last;
  auto p3 = w.plan(utc(2026, 12, 3, 10, 31));
  ASSERT_EQ(p3.run_updates.size(), 1u);
  EXPECT_EQ(p3.run_updates[0].status, RunStatus::failed);
}

TEST(JobPlan, ATaskNobodyKnowsAnyMoreEndsItsRunAsFailed) {
  World w("0 0");
  w.unfinished.push_back(launched_run(w, "r", {"arn:gone"}));
  auto p = w.plan(utc(2026, 12, 3, 10, 30), std::nullopt, {"arn:gone"});
  ASSERT_EQ(p.run_updates.size(), 1u);
  EXPECT_EQ(p.run_updates[0].tasks[0].stop_code, "Lost");
  EXPECT_EQ(p.run_updates[0].status, RunStatus::failed);
}

TEST(JobPlan, RequestedRunIsSizedAndLaunchedWhateverTheSchedule) {
  World w("0 0");
  w.job.spec.task_count = 2;
  JobRun req;
  req.job = "report";
  req.id = "manual-1";
  req.status = RunStatus::requested;
  req.revision = 1;
  w.unfinished.push_back(req);
  auto p = w.plan(utc(2026, 12, 3, 10, 20));
  ASSERT_EQ(p.run_updates.size(), 1u);
  EXPECT_EQ(p.run_updates[0].status, RunStatus::launching);
  EXPECT_EQ(p.run_updates[0].batches.at(0).count, 2);
  EXPECT_FALSE(p.start);
}

TEST(JobPlan, SpringForwardGapFiresOnceAfterTheGap) {
  // 02:30 New York does not exist on 2027-03-14: the slot fires once, at 03:00 EDT (07:00 UTC).
  World w("0 30 2", utc(2027, 3, 14, 5, 0));
  w.job.spec.timezone = "America/New_York";
  auto p = w.plan(utc(2027, 3, 14, 7, 0, 1));
  ASSERT_TRUE(p.start);
  EXPECT_EQ(p.start->run.slot, utc(2027, 3, 14, 7, 0));
  EXPECT_EQ(p.start->run.missed_before, 0);
}

}  // namespace
}  // namespace berth::policy

namespace berth::policy {
namespace {

// The README's fall-back example: "0 30 1" in New York on 2027-11-07 fires once, at 01:30 EDT (05:30 UTC), and
// next at 01:30 EST the day after; "0 */30" (every hour) fires at both 01:30s.
TEST(JobPlan, FallBackFiresOnceUnlessTheHourFieldMatchesEveryHour) {
  auto once = parsed("0 30 1");
  auto first = next_fire(once, "America/New_York", utc(2027, 11, 7, 4, 0), utc(2027, 11, 1, 0, 0));
  ASSERT_TRUE(first);
  EXPECT_EQ(*first, utc(2027, 11, 7, 5, 30));
  EXPECT_EQ(*next_fire(once, "America/New_York", *first, utc(2027, 11, 1, 0, 0)), utc(2027, 11, 8, 6, 30));
  auto every = parsed("0 */30");
  auto a = next_fire(every, "America/New_York", utc(2027, 11, 7, 5, 15), utc(2027, 11, 1, 0, 0));
  ASSERT_TRUE(a);
  EXPECT_EQ(*a, utc(2027, 11, 7, 5, 30));  // 01:30 EDT
  EXPECT_EQ(*next_fire(every, "America/New_York", utc(2027, 11, 7, 6, 15), utc(2027, 11, 1, 0, 0)),
            utc(2027, 11, 7, 6, 30));  // 01:30 EST, the second occurrence
}

}  // namespace
}  // namespace berth::policy
