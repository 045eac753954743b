// File: tests/store/job_store_test.cpp — scheduled jobs and runs in the SQLite store: every field round trips
// (nanosecond times too), compare-and-set on every write, start_run writes the run and the job's cursor together
// or not at all, finished runs are pruned by the history limit, deleting a job deletes its runs, list order, and
// the change feed.
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"
#include "store_fixture.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include <optional>

namespace berth::store::test {
namespace {

namespace asio = boost::asio;
using policy::Job;
using policy::JobRun;
using policy::RunStatus;
using policy::SysSeconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

SysSeconds slot_at(std::int64_t s) {
  return SysSeconds(seconds(s));
}

// A job with every field set away from its default.
Job make_job(std::string id = "nightly", std::string cluster = "prod") {
  Job j;
  j.spec.id = std::move(id);
  j.spec.cluster = std::move(cluster);
  j.spec.task_definition = "report:7";
  j.spec.schedule = "0 30 2 * * *";
  j.spec.timezone = "Europe/Paris";
  j.spec.schedule_start = slot_at(1'700'000'000);
  j.spec.schedule_end = slot_at(1'800'000'000);
  j.spec.suspended = true;
  j.spec.task_count = 4;
  j.spec.max_count = 20;
  j.spec.trigger = policy::SqsTrigger{"report-requests", 5};
  j.spec.overrides = {{"app", {{"MODE", "full"}, {"LEVEL", "debug"}}}, {"sidecar", {{"X", ""}}}};
  j.spec.concurrency = policy::ConcurrencyPolicy::replace;
  j.spec.starting_deadline = seconds(600);
  j.spec.retries = {3, seconds(20), seconds(640)};
  j.spec.history_limit = {4, 2};
  j.handled_through = slot_at(1'750'000'000);
  j.missed_slots = 7;
  j.created_at = at_seconds(1'750'000'000) + nanoseconds(123'456'789);  // sub-ms precision must survive
  j.updated_at = j.created_at + nanoseconds(1);
  return j;
}

// A run with batches and tasks, created `at` seconds (plus some nanoseconds) after the epoch.
JobRun make_run(std::string id, std::int64_t at, std::string job = "nightly") {
  JobRun r;
  r.job = std::move(job);
  r.id = std::move(id);
  r.slot = slot_at(at);
  r.status = RunStatus::running;
  r.expected = 12;
  r.attempt = 2;
  r.missed_before = 3;
  r.batches = {{1, 0, 10, "bj-a-" + r.id + "-1-0", true, 1},
               {1, 1, 2, "bj-a-" + r.id + "-1-1", false, 0},
               {2, 0, 1, "bj-a-" + r.id + "-2-0", true, 0}};
  r.tasks = {{"arn:aws:ecs:us-east-1:1:task/prod/aaa", "arn:aws:ecs:us-east-1:1:container-instance/prod/i1", 1,
              "STOPPED", "EssentialContainerExited", true, at_seconds(at + 60) + nanoseconds(987'654'321), 3,
              "Essential container in task exited"},
             {"arn:aws:ecs:us-east-1:1:task/prod/bbb", "arn:aws:ecs:us-east-1:1:container-instance/prod/i2", 2,
              "RUNNING", "", false, std::nullopt, std::nullopt, ""}};
  r.retry_at = at_seconds(at + 90) + nanoseconds(5);
  r.message = "1 task(s) failed";
  r.created_at = at_seconds(at) + nanoseconds(42);
  return r;
}

class JobStoreTest : public ::testing::Test {
 protected:
  JobStoreTest() { store_ = open(); }
  std::unique_ptr<SqliteDesiredStateStore> open() {
    auto s = SqliteDesiredStateStore::open(io_.get_executor(), dir_.file("berth.db"));
    if (!s) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }
  template <class T>
  T run(asio::awaitable<T> work) {
    return berth::test::run_blocking(io_, std::move(work));
  }
  Job create(Job j = make_job()) {
    auto r = run(store_->create_job(std::move(j)));
    if (!r) throw std::runtime_error(r.error().message);
    return *r;
  }
  // start_run at the job's stored revision, advancing its cursor to the run's slot.
  StartedRun start(const std::string& job_id, JobRun r) {
    auto job = run(store_->get_job(job_id)).value();
    if (r.slot) job.handled_through = *r.slot;
    auto started = run(store_->start_run(job, std::move(r)));
    if (!started) throw std::runtime_error(started.error().message);
    return *started;
  }
  JobRun finish(const std::string& job_id, const std::string& id, RunStatus status) {
    auto r = run(store_->get_run(job_id, id)).value();
    r.status = status;
    r.ended_at = r.created_at + seconds(100);
    auto done = run(store_->update_run(r));
    if (!done) throw std::runtime_error(done.error().message);
    return *done;
  }
  std::vector<std::string> run_ids(const std::string& job_id, std::size_t limit = 0) {
    std::vector<std::string> out;
    for (const auto& r : run(store_->list_runs(job_id, limit)).value()) out.push_back(r.id);
    return out;
  }

  TempDir dir_;
  asio::io_context io_;
  std::unique_ptr<SqliteDesiredStateStore> store_;
};

TEST_F(JobStoreTest, JobWithEveryFieldRoundTrips) {
  const Job created = create();
  EXPECT_EQ(created.revision, 1);
  Job expected = make_job();
  expected.revision = 1;
  EXPECT_EQ(created, expected);
  EXPECT_EQ(run(store_->get_job("nightly")).value(), expected);
  // From the file, not from anything the writer kept.
  store_.reset();
  store_ = open();
  EXPECT_EQ(run(store_->get_job("nightly")).value(), expected);
  // Defaults (no optional field) round trip as well.
  Job plain;
  plain.spec.id = "plain";
  plain.spec.cluster = "prod";
  plain.spec.task_definition = "plain";
  plain.spec.schedule = "@hourly";
  const Job stored_plain = create(plain);
  plain.revision = 1;
  EXPECT_EQ(stored_plain, plain);
  EXPECT_EQ(run(store_->get_job("plain")).value(), plain);
}

TEST_F(JobStoreTest, CreateRefusesTakenIdsAndRevisions) {
  create();
  EXPECT_EQ(run(store_->create_job(make_job())).error().code, StoreErrc::already_exists);
  Job with_revision = make_job("other");
  with_revision.revision = 3;
  EXPECT_EQ(run(store_->create_job(with_revision)).error().code, StoreErrc::invalid_argument);
  EXPECT_EQ(run(store_->create_job(make_job(""))).error().code, StoreErrc::invalid_argument);
  EXPECT_EQ(run(store_->get_job("missing")).error().code, StoreErrc::not_found);
}

TEST_F(JobStoreTest, RunWithBatchesAndTasksRoundTrips) {
  create();
  const auto started = start("nightly", make_run("1750003600", 1'750'003'600));
  EXPECT_EQ(started.run.revision, 1);
  EXPECT_EQ(started.job.revision, 2);
  EXPECT_EQ(started.job.handled_through, slot_at(1'750'003'600));
  JobRun expected = make_run("1750003600", 1'750'003'600);
  expected.revision = 1;
  EXPECT_EQ(started.run, expected);
  store_.reset();
  store_ = open();
  EXPECT_EQ(run(store_->get_run("nightly", "1750003600")).value(), expected);
  EXPECT_EQ(run(store_->get_job("nightly")).value(), started.job);
  // A manual run: no slot, no retry, no tasks yet.
  JobRun manual;
  manual.job = "nightly";
  manual.id = "manual-1750003700000";
  manual.created_at = at_seconds(1'750'003'700) + nanoseconds(1);
  const auto m = start("nightly", manual);
  manual.revision = 1;
  EXPECT_EQ(m.run, manual);
  EXPECT_EQ(run(store_->get_run("nightly", manual.id)).value(), manual);
  EXPECT_FALSE(run(store_->get_run("nightly", manual.id)).value().slot.has_value());
  EXPECT_EQ(run(store_->get_run("nightly", "nope")).error().code, StoreErrc::not_found);
}

TEST_F(JobStoreTest, UpdatesAndDeletesCompareAndSet) {
  const Job created = create();
  Job edit = created;
  edit.spec.task_count = 9;
  edit.missed_slots = 8;
  edit.created_at = at_seconds(5);  // not the caller's to change
  edit.updated_at = at_seconds(1'760'000'000) + nanoseconds(3);
  const Job updated = run(store_->update_job(edit)).value();
  EXPECT_EQ(updated.revision, 2);
  EXPECT_EQ(updated.created_at, created.created_at);
  EXPECT_EQ(updated.spec.task_count, 9);
  EXPECT_EQ(run(store_->get_job("nightly")).value(), updated);

  edit.revision = 1;  // stale
  EXPECT_EQ(run(store_->update_job(edit)).error().code, StoreErrc::conflict);
  edit.revision = 0;
  EXPECT_EQ(run(store_->update_job(edit)).error().code, StoreErrc::invalid_argument);
  Job missing = make_job("missing");
  missing.revision = 1;
  EXPECT_EQ(run(store_->update_job(missing)).error().code, StoreErrc::not_found);
  EXPECT_EQ(run(store_->get_job("nightly")).value(), updated);

  start("nightly", make_run("100", 100));
  JobRun r = run(store_->get_run("nightly", "100")).value();
  r.status = RunStatus::running;
  r.tasks.pop_back();
  r.created_at = at_seconds(1);  // kept from the stored row
  r.slot = slot_at(2);           // kept from the stored row
  const JobRun progressed = run(store_->update_run(r)).value();
  EXPECT_EQ(progressed.revision, 2);
  EXPECT_EQ(progressed.tasks.size(), 1u);
  EXPECT_EQ(progressed.created_at, make_run("100", 100).created_at);
  EXPECT_EQ(progressed.slot, slot_at(100));
  EXPECT_EQ(run(store_->get_run("nightly", "100")).value(), progressed);
  EXPECT_EQ(run(store_->update_run(r)).error().code, StoreErrc::conflict);  // r is at revision 1
  JobRun ghost = make_run("999", 999);
  ghost.revision = 1;
  EXPECT_EQ(run(store_->update_run(ghost)).error().code, StoreErrc::not_found);

  EXPECT_EQ(run(store_->delete_job("nightly", 2)).error().code, StoreErrc::conflict);  // start_run made it 3
  EXPECT_EQ(run(store_->delete_job("nightly", 0)).error().code, StoreErrc::invalid_argument);
  EXPECT_EQ(run(store_->delete_job("missing", 1)).error().code, StoreErrc::not_found);
  EXPECT_TRUE(run(store_->get_job("nightly")));
}

TEST_F(JobStoreTest, StartRunAtAStaleJobRevisionWritesNeitherRunNorJob) {
  create();
  const auto first = start("nightly", make_run("100", 100));
  const auto before = run(store_->revision()).value();
  Job stale = first.job;
  stale.revision = 1;
  stale.handled_through = slot_at(200);
  stale.missed_slots = 99;
  auto r = run(store_->start_run(stale, make_run("200", 200)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::conflict);
  EXPECT_EQ(run(store_->get_run("nightly", "200")).error().code, StoreErrc::not_found);
  EXPECT_EQ(run(store_->get_job("nightly")).value(), first.job);
  EXPECT_EQ(run(store_->revision()).value(), before);  // not one change logged
  // A job that does not exist: not_found, nothing written.
  Job ghost = make_job("ghost");
  ghost.revision = 1;
  EXPECT_EQ(run(store_->start_run(ghost, make_run("1", 1, "ghost"))).error().code, StoreErrc::not_found);
  EXPECT_EQ(run(store_->revision()).value(), before);
}

TEST_F(JobStoreTest, StartRunWithATakenRunIdWritesNothing) {
  create();
  const auto first = start("nightly", make_run("100", 100));
  const auto before = run(store_->revision()).value();
  Job next = first.job;
  next.handled_through = slot_at(500);
  JobRun again = make_run("100", 300);
  again.status = RunStatus::launching;
  auto r = run(store_->start_run(next, again));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::already_exists);
  EXPECT_EQ(run(store_->get_job("nightly")).value(), first.job);  // cursor not advanced
  EXPECT_EQ(run(store_->get_run("nightly", "100")).value(), first.run);
  EXPECT_EQ(run(store_->revision()).value(), before);
  // Malformed starts are refused before anything is read.
  JobRun foreign = make_run("300", 300, "other");
  EXPECT_EQ(run(store_->start_run(next, foreign)).error().code, StoreErrc::invalid_argument);
  JobRun revisioned = make_run("300", 300);
  revisioned.revision = 1;
  EXPECT_EQ(run(store_->start_run(next, revisioned)).error().code, StoreErrc::invalid_argument);
  Job unrevisioned = next;
  unrevisioned.revision = 0;
  EXPECT_EQ(run(store_->start_run(unrevisioned, make_run("300", 300))).error().code, StoreErrc::invalid_argument);
}

TEST_F(JobStoreTest, FinishedRunsArePrunedByHistoryLimit) {
  Job j = make_job();
  j.spec.history_limit = {2, 1};
  create(j);
  for (int i = 1; i <= 6; ++i) start("nightly", make_run("r" + std::to_string(i), 100 * i));
  // r1 stays unfinished: never pruned, however old.
  finish("nightly", "r2", RunStatus::succeeded);
  finish("nightly", "r3", RunStatus::failed);
  finish("nightly", "r4", RunStatus::skipped);
  EXPECT_EQ(run_ids("nightly"), (std::vector<std::string>{"r6", "r5", "r4", "r3", "r2", "r1"}));
  finish("nightly", "r5", RunStatus::failed);  // failed: keep 1 -> r3 goes
  EXPECT_EQ(run_ids("nightly"), (std::vector<std::string>{"r6", "r5", "r4", "r2", "r1"}));
  finish("nightly", "r6", RunStatus::succeeded);  // succeeded + skipped: keep 2 -> r2 goes
  EXPECT_EQ(run_ids("nightly"), (std::vector<std::string>{"r6", "r5", "r4", "r1"}));
  // A run started already final (Forbid: skipped) prunes too.
  JobRun skipped = make_run("r7", 700);
  skipped.status = RunStatus::skipped;
  skipped.ended_at = at_seconds(700);
  start("nightly", skipped);
  EXPECT_EQ(run_ids("nightly"), (std::vector<std::string>{"r7", "r6", "r5", "r1"}));
  EXPECT_EQ(run(store_->get_run("nightly", "r1")).value().status, RunStatus::running);
}

TEST_F(JobStoreTest, DeletingAJobDeletesItsRuns) {
  const Job created = create();
  create(make_job("other"));
  start("nightly", make_run("100", 100));
  const auto second = start("nightly", make_run("200", 200));
  start("other", make_run("100", 100, "other"));
  const Job gone = run(store_->delete_job("nightly", second.job.revision)).value();
  EXPECT_EQ(gone, second.job);
  EXPECT_EQ(run(store_->get_job("nightly")).error().code, StoreErrc::not_found);
  EXPECT_EQ(run(store_->get_run("nightly", "100")).error().code, StoreErrc::not_found);
  EXPECT_TRUE(run_ids("nightly").empty());
  // A job created again under the id starts with no history; the other job keeps its run.
  create();
  EXPECT_TRUE(run_ids("nightly").empty());
  EXPECT_EQ(run_ids("other"), std::vector<std::string>{"100"});
  const auto unfinished = run(store_->list_unfinished_runs("")).value();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].job, "other");
  (void)created;
}

TEST_F(JobStoreTest, ListsAreOrdered) {
  create(make_job("b-job", "prod"));
  create(make_job("a-job", "batch"));
  create(make_job("c-job", "prod"));
  std::vector<std::string> all, prod;
  for (const auto& j : run(store_->list_jobs("")).value()) all.push_back(j.spec.id);
  for (const auto& j : run(store_->list_jobs("prod")).value()) prod.push_back(j.spec.id);
  EXPECT_EQ(all, (std::vector<std::string>{"a-job", "b-job", "c-job"}));
  EXPECT_EQ(prod, (std::vector<std::string>{"b-job", "c-job"}));
  EXPECT_TRUE(run(store_->list_jobs("none")).value().empty());

  // Newest first by created_at, then id (same instant: "y" before "x"); inserted out of order.
  start("b-job", make_run("300", 300, "b-job"));
  start("b-job", make_run("100", 100, "b-job"));
  JobRun x = make_run("x", 200, "b-job");
  JobRun y = make_run("y", 200, "b-job");
  start("b-job", y);
  start("b-job", x);
  EXPECT_EQ(run_ids("b-job"), (std::vector<std::string>{"300", "y", "x", "100"}));
  EXPECT_EQ(run_ids("b-job", 2), (std::vector<std::string>{"300", "y"}));

  // Unfinished runs, oldest first, across jobs unless one is named.
  start("a-job", make_run("150", 150, "a-job"));
  start("c-job", make_run("50", 50, "c-job"));
  finish("b-job", "x", RunStatus::failed);
  JobRun requested = make_run("manual-1", 400, "c-job");
  requested.status = RunStatus::requested;
  requested.slot.reset();
  start("c-job", requested);
  std::vector<std::string> unfinished, of_c;
  for (const auto& r : run(store_->list_unfinished_runs("")).value()) unfinished.push_back(r.job + "/" + r.id);
  for (const auto& r : run(store_->list_unfinished_runs("c-job")).value()) of_c.push_back(r.job + "/" + r.id);
  EXPECT_EQ(unfinished,
            (std::vector<std::string>{"c-job/50", "b-job/100", "a-job/150", "b-job/y", "b-job/300", "c-job/manual-1"}));
  EXPECT_EQ(of_c, (std::vector<std::string>{"c-job/50", "c-job/manual-1"}));
}

// The feed after `after`, one "kind key [deleted]" line per change; revisions strictly increase.
std::vector<std::string> describe(const ChangeBatch& batch, std::int64_t after) {
  std::vector<std::string> out;
  std::int64_t last = after;
  for (const auto& c : batch.changes) {
    EXPECT_GT(c.revision, last);
    last = c.revision;
    const char* kind = c.kind == ChangeKind::job ? "job" : c.kind == ChangeKind::job_run ? "job_run" : "other";
    out.push_back(std::string(kind) + " " + c.key + (c.deleted ? " deleted" : ""));
  }
  EXPECT_EQ(batch.revision, last);
  return out;
}

TEST_F(JobStoreTest, EveryWriteAppearsInTheChangeFeed) {
  const auto from = run(store_->revision()).value();
  Job j = make_job();
  j.spec.history_limit = {1, 1};
  create(j);
  start("nightly", make_run("100", 100));
  finish("nightly", "100", RunStatus::succeeded);
  start("nightly", make_run("200", 200));
  finish("nightly", "200", RunStatus::succeeded);  // prunes 100
  auto batch = run(store_->watch(from, std::chrono::milliseconds(0))).value();
  EXPECT_FALSE(batch.reset);
  EXPECT_EQ(describe(batch, from), (std::vector<std::string>{
                                       "job nightly",                         // create_job
                                       "job_run nightly/100", "job nightly",  // start_run: the run and the cursor
                                       "job_run nightly/100",                 // update_run (succeeded)
                                       "job_run nightly/200", "job nightly",  // start_run
                                       "job_run nightly/200",                 // update_run (succeeded) ...
                                       "job_run nightly/100 deleted",         // ... and its pruning
                                   }));

  const auto before_delete = run(store_->revision()).value();
  const auto job = run(store_->get_job("nightly")).value();
  ASSERT_TRUE(run(store_->delete_job("nightly", job.revision)));
  batch = run(store_->watch(before_delete, std::chrono::milliseconds(0))).value();
  EXPECT_EQ(describe(batch, before_delete),
            (std::vector<std::string>{"job_run nightly/200 deleted", "job nightly deleted"}));
  EXPECT_EQ(run(store_->revision()).value(), batch.revision);
}

TEST_F(JobStoreTest, ARunWriteWakesAWaitingWatch) {
  // Neither the poll nor the timeout can answer within the test's run: only the write's wake-up can.
  store_.reset();
  auto slow = SqliteDesiredStateStore::open(io_.get_executor(), dir_.file("berth.db"), {},
                                            SqliteWatchOptions{std::chrono::hours(1), 1000});
  ASSERT_TRUE(slow);
  store_ = std::move(*slow);
  const Job job = create();
  const auto from = run(store_->revision()).value();
  std::optional<StoreResult<ChangeBatch>> seen;
  asio::co_spawn(
      io_, [&]() -> asio::awaitable<void> { seen = co_await store_->watch(from, std::chrono::hours(1)); },
      asio::detached);
  asio::post(io_, [&] {
    asio::co_spawn(
        io_, [&]() -> asio::awaitable<void> { co_await store_->start_run(job, make_run("100", 100)); }, asio::detached);
  });
  io_.restart();
  io_.run_for(std::chrono::seconds(20));  // returns at once when both coroutines are done
  ASSERT_TRUE(seen) << "the watch was not woken by the write";
  ASSERT_TRUE(*seen);
  ASSERT_EQ((*seen)->changes.size(), 2u);
  EXPECT_EQ((*seen)->changes[0], (Change{from + 1, ChangeKind::job_run, "nightly/100", false}));
  EXPECT_EQ((*seen)->changes[1], (Change{from + 2, ChangeKind::job, "nightly", false}));
}

}  // namespace
}  // namespace berth::store::test
