// File: tests/store/desired_state_store_test.cpp — the DesiredStateStore contract on its SQLite implementation:
// compare-and-set on every write, a verdict finishing a deployment in one write, and the change feed (local
// writes wake a watcher, another connection's writes are polled, a compacted history resets).
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"
#include "store_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

namespace berth::store::test {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

class DesiredStateStoreTest : public ::testing::Test {
 protected:
  DesiredStateStoreTest() { store_ = open_store(SqliteWatchOptions{}); }
  std::unique_ptr<SqliteDesiredStateStore> open_store(SqliteWatchOptions watch) {
    auto s = SqliteDesiredStateStore::open(io_.get_executor(), dir_.file("berth.db"),
                                           StoreOptions{StoreOptions::Sync::normal, milliseconds(5000)}, watch);
    if (!s) throw std::runtime_error(s.error().message);
    return std::move(*s);
  }
  template <class T>
  T run(asio::awaitable<T> work) {
    return berth::test::run_blocking(io_, std::move(work));
  }
  StoreErrc error_of(const auto& result) { return result ? StoreErrc{} : result.error().code; }
  // "web" with its first deployment d1, as the API creates it.
  StartedDeployment create_web() {
    return run(store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "web:2")))
        .value();
  }

  TempDir dir_;
  asio::io_context io_;
  std::unique_ptr<SqliteDesiredStateStore> store_;
};

TEST_F(DesiredStateStoreTest, EveryWriteComparesTheRevisionItWasGiven) {
  auto created = create_web();
  const auto env = created.environment;
  EXPECT_EQ(env.revision, 1);
  EXPECT_EQ(created.deployment.revision, 1);
  // A second create of the same name, or a create that claims a revision.
  EXPECT_EQ(error_of(run(store_->create_environment_with_deployment(make_env("web"), make_deployment("d9", "web", "x")))),
            StoreErrc::already_exists);
  auto claimed = make_env("other");
  claimed.revision = 4;
  EXPECT_EQ(error_of(run(store_->create_environment_with_deployment(claimed, make_deployment("d8", "other", "x")))),
            StoreErrc::invalid_argument);

  // Environment update: the current revision wins once, the same revision again is stale.
  auto edit = env;
  edit.constraint = "attribute:az in [c]";
  auto v2 = run(store_->put_environment(edit));
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->revision, 2);
  EXPECT_EQ(error_of(run(store_->put_environment(edit))), StoreErrc::conflict);

  // Deployment start against a stale environment revision, then the current one.
  EXPECT_EQ(error_of(run(store_->start_deployment(make_deployment("d2", "web", "web:3"), 1, "t-next"))),
            StoreErrc::conflict);
  EXPECT_EQ(error_of(run(store_->start_deployment(make_deployment("d2", "web", "web:3"), 0, "t-next"))),
            StoreErrc::invalid_argument);
  auto started = run(store_->start_deployment(make_deployment("d2", "web", "web:3"), 2, "t-next"));
  ASSERT_TRUE(started) << started.error().message;
  ASSERT_TRUE(started->superseded);
  EXPECT_EQ(started->superseded->id, "d1");
  // The start rotated the environment's deploymentToken in the same write.
  EXPECT_EQ(started->environment.deployment_token, "t-next");
  EXPECT_EQ(run(store_->get_environment("web"))->deployment_token, "t-next");

  // Deployment progress needs the revision read; the superseded d1 moved on, so a copy read before is stale.
  auto stale_d1 = created.deployment;
  stale_d1.updated_count = 2;
  EXPECT_EQ(error_of(run(store_->update_deployment(stale_d1))), StoreErrc::conflict);
  auto no_revision = started->deployment;
  no_revision.revision = 0;
  EXPECT_EQ(error_of(run(store_->update_deployment(no_revision))), StoreErrc::invalid_argument);

  // Records: create-only, then at their revision.
  auto r1 = run(store_->put_record("launch", "k", "v1", 0));
  ASSERT_TRUE(r1);
  EXPECT_EQ(error_of(run(store_->put_record("launch", "k", "again", 0))), StoreErrc::already_exists);
  auto r2 = run(store_->put_record("launch", "k", "v2", *r1));
  ASSERT_TRUE(r2);
  EXPECT_EQ(error_of(run(store_->put_record("launch", "k", "v3", *r1))), StoreErrc::conflict);
  EXPECT_EQ(error_of(run(store_->delete_record("launch", "k", *r1))), StoreErrc::conflict);
  EXPECT_TRUE(run(store_->delete_record("launch", "k", *r2)).value());
  EXPECT_FALSE(run(store_->delete_record("launch", "k", *r2)).value());  // already gone

  // Environment delete: stale revision refused, current one deletes (and its deployments with it).
  auto current = run(store_->get_environment("web")).value();
  EXPECT_EQ(error_of(run(store_->delete_environment("web", current.revision - 1))), StoreErrc::conflict);
  EXPECT_TRUE(run(store_->delete_environment("web", current.revision)));
  EXPECT_EQ(error_of(run(store_->get_deployment("d2"))), StoreErrc::not_found);
}

TEST_F(DesiredStateStoreTest, AFinalStatusFinishesTheDeploymentAndItsEnvironmentInOneWrite) {
  auto created = create_web();
  auto d = created.deployment;
  d.status = policy::DeploymentStatus::running;
  d.updated_count = 1;
  auto progress = run(store_->update_deployment(d));
  ASSERT_TRUE(progress);
  EXPECT_EQ(progress->revision, 2);
  EXPECT_EQ(run(store_->get_environment("web")).value().active_deployment_id, "d1");

  auto verdict = *progress;
  verdict.status = policy::DeploymentStatus::completed;
  verdict.updated_count = 3;
  EXPECT_EQ(error_of(run(store_->update_deployment(verdict))), StoreErrc::invalid_argument);  // no ended_at
  verdict.ended_at = at_seconds(3000);
  auto done = run(store_->update_deployment(verdict));
  ASSERT_TRUE(done) << done.error().message;
  EXPECT_EQ(done->status, policy::DeploymentStatus::completed);
  EXPECT_EQ(done->updated_count, 3u);
  auto env = run(store_->get_environment("web")).value();
  EXPECT_TRUE(env.active_deployment_id.empty());
  EXPECT_EQ(env.task_definition, "web:2");
  EXPECT_EQ(env.revision, created.environment.revision + 1);
}

TEST_F(DesiredStateStoreTest, ALocalWriteWakesAWaitingWatch) {
  // Neither the poll nor the timeout can answer within the test's run: only the write's wake-up can.
  store_ = open_store(SqliteWatchOptions{std::chrono::hours(1), 1000});
  const auto from = run(store_->revision()).value();
  std::optional<StoreResult<ChangeBatch>> seen;
  asio::co_spawn(
      io_, [&]() -> asio::awaitable<void> { seen = co_await store_->watch(from, std::chrono::hours(1)); },
      asio::detached);
  asio::post(io_, [&] {
    asio::co_spawn(
        io_,
        [&]() -> asio::awaitable<void> {
          co_await store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "x"));
        },
        asio::detached);
  });
  io_.restart();
  io_.run_for(std::chrono::seconds(20));  // returns at once when both coroutines are done
  ASSERT_TRUE(seen) << "the watch was not woken by the write";
  ASSERT_TRUE(*seen);
  const auto& batch = **seen;
  EXPECT_FALSE(batch.reset);
  ASSERT_EQ(batch.changes.size(), 2u);  // the environment row and its first deployment
  EXPECT_EQ(batch.changes[0], (Change{from + 1, ChangeKind::environment, "web", false}));
  EXPECT_EQ(batch.changes[1], (Change{from + 2, ChangeKind::deployment, "web/d1", false}));
  EXPECT_EQ(batch.revision, from + 2);
  // Nothing newer: a watch with no wait answers an empty batch at the same revision.
  auto idle = run(store_->watch(batch.revision, milliseconds(0))).value();
  EXPECT_TRUE(idle.changes.empty());
  EXPECT_EQ(idle.revision, batch.revision);
}

TEST_F(DesiredStateStoreTest, AnotherConnectionsWriteIsSeenByPolling) {
  store_ = open_store(SqliteWatchOptions{milliseconds(20), 1000});
  const auto from = run(store_->revision()).value();
  // Another process sharing the file, as an HA peer or a second berth would.
  auto peer = SqliteStore::open(dir_.file("berth.db"));
  ASSERT_TRUE(peer);
  ASSERT_TRUE((*peer)->put_environment(make_env("api")));
  ASSERT_TRUE((*peer)->delete_environment("api", 1));
  auto batch = run(store_->watch(from, std::chrono::seconds(20))).value();
  ASSERT_GE(batch.changes.size(), 1u);
  EXPECT_EQ(batch.changes[0].key, "api");
  auto rest = run(store_->watch(batch.changes[0].revision, std::chrono::seconds(20))).value();
  ASSERT_EQ(rest.changes.size(), 1u);
  EXPECT_TRUE(rest.changes[0].deleted);
}

TEST_F(DesiredStateStoreTest, AWatcherBehindTheCompactedHistoryIsReset) {
  const auto from = run(store_->revision()).value();
  auto& engine = store_->engine();
  ASSERT_TRUE(engine.transact([&]() -> StoreResult<void> {
    for (std::int64_t i = 0; i <= change_log_rows; ++i)
      if (auto r = engine.kv_put("bulk", "k", std::to_string(i)); !r) return r.error();
    return {};
  }));
  auto batch = run(store_->watch(from, milliseconds(0))).value();
  EXPECT_TRUE(batch.reset);
  EXPECT_EQ(batch.revision, run(store_->revision()).value());
  // From the revision the reset named, the feed continues normally.
  ASSERT_TRUE(run(store_->put_record("bulk", "new", "v", 0)));
  auto next = run(store_->watch(batch.revision, milliseconds(0))).value();
  EXPECT_FALSE(next.reset);
  ASSERT_EQ(next.changes.size(), 1u);
  EXPECT_EQ(next.changes[0].key, "bulk/new");
}

}  // namespace
}  // namespace berth::store::test
