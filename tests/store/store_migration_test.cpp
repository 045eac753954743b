// File: tests/store/store_migration_test.cpp — a berth.db written by the schema-1 store of commit 79e5273
// (tests/testdata/store/berth-v1.db, see its README) opens with today's code, migrates to the current schema and
// keeps every environment, deployment and record; the migrated file then takes compare-and-set writes and feeds
// watch(), and stores jobs and runs (migration 3 -> 4).
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"
#include "store_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include <filesystem>

namespace berth::store::test {
namespace {

using std::chrono::seconds;
const policy::SystemTime t0{seconds(1'780'000'000)};

class MigrationTest : public ::testing::Test {
 protected:
  MigrationTest() {
    std::filesystem::copy_file(std::filesystem::path(BERTH_TESTDATA_DIR) / "store" / "berth-v1.db", path());
  }
  std::string path() const { return dir_.file("berth.db"); }
  template <class T>
  T run(boost::asio::awaitable<T> work) {
    return berth::test::run_blocking(io_, std::move(work));
  }

  TempDir dir_;
  boost::asio::io_context io_;
};

TEST_F(MigrationTest, SchemaOneFileOpensAndKeepsItsEnvironmentsAndDeployments) {
  auto opened = SqliteDesiredStateStore::open(io_.get_executor(), path());
  ASSERT_TRUE(opened) << opened.error().message;
  auto& store = **opened;
  EXPECT_EQ(store.engine().stored_schema_version().value(), SqliteStore::schema_version);
  EXPECT_EQ(store.engine().integrity_check().value(), "ok");

  auto envs = run(store.list_environments("")).value();
  ASSERT_EQ(envs.size(), 2u);
  const auto& agent = envs[0];
  const auto& web = envs[1];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.cluster, "prod");
  EXPECT_EQ(web.attributes, (std::vector<policy::AttributeRequirement>{{"stack", "blue"}}));
  EXPECT_EQ(web.constraint, "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]");
  EXPECT_EQ(web.task_definition, "web:2");
  EXPECT_EQ(web.rollout.max_unavailable, "25%");
  EXPECT_EQ(web.rollout.min_healthy, seconds(30));
  EXPECT_EQ(web.rollout.deadline, seconds(900));
  EXPECT_EQ(web.rollout.max_failures, 5u);
  EXPECT_FALSE(web.rollout.auto_rollback);
  EXPECT_EQ(web.active_deployment_id, "d-web-2");
  EXPECT_EQ(web.revision, 3);
  EXPECT_EQ(web.created_at, t0);
  EXPECT_EQ(web.updated_at, t0 + seconds(120));
  EXPECT_EQ(agent.name, "agent");
  EXPECT_EQ(agent.cluster, "staging");
  EXPECT_EQ(agent.task_definition, "agent:7");
  EXPECT_TRUE(agent.active_deployment_id.empty());
  // Migration 5 gave every environment its own deploymentToken ("t-" + 32 hex digits).
  EXPECT_EQ(web.deployment_token.size(), 34u);
  EXPECT_EQ(web.deployment_token.rfind("t-", 0), 0u);
  EXPECT_NE(web.deployment_token, agent.deployment_token);

  auto web_deployments = run(store.list_deployments("web", 0)).value();
  ASSERT_EQ(web_deployments.size(), 2u);
  const auto& d2 = web_deployments[0];  // newest first
  const auto& d1 = web_deployments[1];
  EXPECT_EQ(d2.id, "d-web-2");
  EXPECT_EQ(d2.status, policy::DeploymentStatus::running);
  EXPECT_EQ(d2.previous_task_definition, "web:1");
  EXPECT_EQ(d2.updated_count, 1u);
  EXPECT_EQ(d2.failed_count, 1u);
  EXPECT_EQ(d2.failed_instances,
            std::vector<std::string>{"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/i-1"});
  EXPECT_EQ(d2.started_at, t0 + seconds(121));
  EXPECT_EQ(d2.revision, 1);  // rows from before revisions start at 1
  EXPECT_EQ(d1.id, "d-web-1");
  EXPECT_EQ(d1.status, policy::DeploymentStatus::completed);
  EXPECT_EQ(d1.token, "token-1");
  EXPECT_EQ(d1.ended_at, t0 + seconds(60));
  auto rolled_back = run(store.get_deployment("d-agent-1")).value();
  EXPECT_EQ(rolled_back.status, policy::DeploymentStatus::rolled_back);
  EXPECT_EQ(rolled_back.reason, "health check failed");

  auto unfinished = run(store.list_unfinished_deployments()).value();
  ASSERT_EQ(unfinished.size(), 1u);
  EXPECT_EQ(unfinished[0].id, "d-web-2");

  auto launches = run(store.list_records("launch")).value();
  ASSERT_EQ(launches.size(), 1u);
  EXPECT_EQ(launches[0].key, "4242-1780000121000000000-1");
  EXPECT_EQ(launches[0].revision, 1);
  EXPECT_NE(launches[0].value.find("\"startedBy\":\"berth/5d41402abc4b2a76\""), std::string::npos);
  EXPECT_EQ(run(store.list_records("other")).value().size(), 1u);
}

TEST_F(MigrationTest, MigratedFileTakesRevisionedWritesAndFeedsWatch) {
  {
    auto opened = SqliteDesiredStateStore::open(io_.get_executor(), path());
    ASSERT_TRUE(opened);
    auto& store = **opened;
    const auto from = run(store.revision()).value();
    EXPECT_EQ(from, 0);  // the migration itself is not a change
    auto d2 = run(store.get_deployment("d-web-2")).value();
    d2.status = policy::DeploymentStatus::completed;
    d2.ended_at = t0 + seconds(300);
    auto finished = run(store.update_deployment(d2));
    ASSERT_TRUE(finished) << finished.error().message;
    EXPECT_EQ(finished->revision, 3);  // progress, then the verdict
    auto web = run(store.get_environment("web")).value();
    EXPECT_TRUE(web.active_deployment_id.empty());
    EXPECT_EQ(web.task_definition, "web:2");
    auto batch = run(store.watch(from, std::chrono::milliseconds(0))).value();
    EXPECT_FALSE(batch.reset);
    std::vector<std::string> environments;
    for (const auto& c : batch.changes)
      if (c.kind == ChangeKind::environment) environments.push_back(c.key);
    EXPECT_EQ(environments, std::vector<std::string>{"web"});
  }
  // Reopening a migrated file migrates nothing and keeps the write.
  auto again = SqliteDesiredStateStore::open(io_.get_executor(), path());
  ASSERT_TRUE(again);
  EXPECT_EQ(run((*again)->get_deployment("d-web-2")).value().status, policy::DeploymentStatus::completed);
}

TEST_F(MigrationTest, MigratedFileStoresJobsAndRuns) {
  auto opened = SqliteDesiredStateStore::open(io_.get_executor(), path());
  ASSERT_TRUE(opened);
  auto& store = **opened;
  const auto from = run(store.revision()).value();
  policy::Job job;
  job.spec.id = "nightly";
  job.spec.cluster = "prod";
  job.spec.task_definition = "report:1";
  job.spec.schedule = "@daily";
  job.created_at = job.updated_at = t0;
  auto created = run(store.create_job(job));
  ASSERT_TRUE(created) << created.error().message;
  policy::JobRun r;
  r.job = "nightly";
  r.id = "1780000000";
  r.created_at = t0;
  auto started = run(store.start_run(*created, r));
  ASSERT_TRUE(started) << started.error().message;
  EXPECT_EQ(run(store.get_run("nightly", r.id)).value(), started->run);
  const auto batch = run(store.watch(from, std::chrono::milliseconds(0))).value();
  EXPECT_EQ(batch.changes.size(), 3u);  // the job, then the run and the job again
  EXPECT_EQ(run(store.list_environments("")).value().empty(), false);  // the v1 rows are still there
}

}  // namespace
}  // namespace berth::store::test
