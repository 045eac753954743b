// File: tests/store/store_test.cpp — Store round trips, optimistic concurrency, migrations, transactions, kv.
#include "store_fixture.hpp"

#include <sqlite3.h>

#include <fstream>

namespace berth::store::test {
namespace {

using policy::DeploymentStatus;

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { store_ = open_store(); }
  std::unique_ptr<SqliteStore> open_store(StoreOptions o = {}) {
    auto s = SqliteStore::open(dir_.file("berth.db"), o);
    EXPECT_TRUE(s.has_value()) << (s ? "" : s.error().message);
    return s ? std::move(*s) : nullptr;
  }
  void raw_exec(const std::string& sql) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_.file("berth.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    sqlite3_close(db);
  }
  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
};

TEST_F(StoreTest, OpenCreatesSchemaAtCurrentVersion) {
  ASSERT_TRUE(store_);
  EXPECT_EQ(store_->stored_schema_version().value(), SqliteStore::schema_version);
  EXPECT_EQ(store_->integrity_check().value(), "ok");
}

TEST_F(StoreTest, ReopenIsIdempotentAndKeepsData) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  store_.reset();
  for (int i = 0; i < 3; ++i) {
    auto s = open_store();
    ASSERT_TRUE(s);
    EXPECT_EQ(s->stored_schema_version().value(), SqliteStore::schema_version);
    EXPECT_EQ(s->list_environments().value().size(), 1u);
  }
}

TEST_F(StoreTest, OpenRefusesNewerSchema) {
  store_.reset();
  raw_exec("UPDATE schema_version SET version = 99");
  auto s = SqliteStore::open(dir_.file("berth.db"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrc::too_new);
  EXPECT_NE(s.error().message.find("99"), std::string::npos);
}

TEST_F(StoreTest, OpenGarbageFileIsCorruptNotCrash) {
  {
    std::ofstream f(dir_.file("garbage.db"), std::ios::binary);
    for (int i = 0; i < 4096; ++i) f.put(static_cast<char>(i * 7));
  }
  auto s = SqliteStore::open(dir_.file("garbage.db"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrc::corrupt) << s.error().message;
}

TEST_F(StoreTest, OpenInMissingDirectoryIsIoError) {
  auto s = SqliteStore::open(dir_.file("no/such/dir/berth.db"));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().code, StoreErrc::io) << s.error().message;
  EXPECT_FALSE(s.error().message.empty());
}

TEST(StoreMemoryTest, InMemoryDatabaseWorksForTests) {
  auto s = SqliteStore::open(":memory:");
  ASSERT_TRUE(s) << s.error().message;
  ASSERT_TRUE((*s)->put_environment(make_env("web")));
  EXPECT_EQ((*s)->list_environments().value().size(), 1u);
}

TEST_F(StoreTest, NormalSyncModeWorks) {
  store_.reset();
  auto s = open_store(StoreOptions{StoreOptions::Sync::normal, std::chrono::milliseconds(100)});
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->put_environment(make_env("web")));
}

TEST_F(StoreTest, EnvironmentRoundTrip) {
  auto env = make_env("web");
  env.active_deployment_id = "d-1";
  auto put = store_->put_environment(env);
  ASSERT_TRUE(put) << put.error().message;
  EXPECT_EQ(put->revision, 1);
  env.revision = 1;
  EXPECT_EQ(*put, env);
  EXPECT_EQ(store_->get_environment("web").value(), env);
}

TEST_F(StoreTest, PutNewOnExistingNameIsAlreadyExists) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  auto again = store_->put_environment(make_env("web"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, StoreErrc::already_exists);
}

TEST_F(StoreTest, UpdateWithStaleRevisionConflicts) {
  auto v1 = store_->put_environment(make_env("web")).value();
  auto a = v1;
  a.task_definition = "web:2";
  auto v2 = store_->put_environment(a);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->revision, 2);
  EXPECT_EQ(v2->created_at, v1.created_at);
  auto b = v1;  // still at revision 1: a concurrent writer lost the race
  b.cluster = "other";
  auto r = store_->put_environment(b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::conflict);
  EXPECT_EQ(store_->get_environment("web").value().task_definition, "web:2");
}

TEST_F(StoreTest, UpdateMissingIsNotFound) {
  auto e = make_env("ghost");
  e.revision = 4;
  auto r = store_->put_environment(e);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::not_found);
  EXPECT_EQ(store_->get_environment("ghost").error().code, StoreErrc::not_found);
}

TEST_F(StoreTest, ListEnvironmentsByCluster) {
  ASSERT_TRUE(store_->put_environment(make_env("b", "prod")));
  ASSERT_TRUE(store_->put_environment(make_env("a", "prod")));
  ASSERT_TRUE(store_->put_environment(make_env("c", "dev")));
  auto all = store_->list_environments().value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].name, "a");
  EXPECT_EQ(all[2].name, "c");
  auto prod = store_->list_environments("prod").value();
  ASSERT_EQ(prod.size(), 2u);
  EXPECT_EQ(prod[0].name, "a");
  EXPECT_EQ(prod[1].name, "b");
  EXPECT_TRUE(store_->list_environments("none").value().empty());
}

TEST_F(StoreTest, DeleteEnvironmentCascadesDeployments) {
  ASSERT_TRUE(store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "web:1")));
  auto deleted = store_->delete_environment("web");
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->name, "web");
  EXPECT_EQ(store_->get_environment("web").error().code, StoreErrc::not_found);
  EXPECT_EQ(store_->get_deployment("d1").error().code, StoreErrc::not_found);
  EXPECT_EQ(store_->delete_environment("web").error().code, StoreErrc::not_found);
}

TEST_F(StoreTest, DeleteWithStaleRevisionConflicts) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  EXPECT_EQ(store_->delete_environment("web", 7).error().code, StoreErrc::conflict);
  EXPECT_TRUE(store_->delete_environment("web", 1));
}

TEST_F(StoreTest, DeploymentRoundTripAndUpdate) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  auto d = make_deployment("d1", "web", "web:2");
  d.token = "tok";
  d.previous_task_definition = "web:1";
  auto c = store_->create_deployment(d);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_TRUE(c->created);
  d.revision = 1;  // a new row starts at revision 1
  EXPECT_EQ(c->deployment, d);
  EXPECT_EQ(store_->get_deployment("d1").value(), d);

  d.status = DeploymentStatus::running;
  d.updated_count = 2;
  d.failed_count = 1;
  d.failed_instances = {"arn:aws:ecs:us-east-1:1:container-instance/x"};
  d.started_at = at_seconds(2001);
  d.ended_at = at_seconds(2002);
  d.reason = "why";
  auto updated = store_->update_deployment(d);
  ASSERT_TRUE(updated);
  EXPECT_EQ(*updated, 2);
  d.revision = 2;
  EXPECT_EQ(store_->get_deployment("d1").value(), d);
  // Compare-and-set: a writer holding revision 1 lost the race.
  auto stale = d;
  stale.revision = 1;
  EXPECT_EQ(store_->update_deployment(stale).error().code, StoreErrc::conflict);
  auto missing = make_deployment("nope", "web", "x");
  EXPECT_EQ(store_->update_deployment(missing).error().code, StoreErrc::not_found);
}

TEST_F(StoreTest, CreateDeploymentForMissingEnvironmentIsNotFound) {
  auto r = store_->create_deployment(make_deployment("d1", "ghost", "x"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::not_found);
}

TEST_F(StoreTest, DuplicateDeploymentIdIsAlreadyExists) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  ASSERT_TRUE(store_->create_deployment(make_deployment("d1", "web", "web:2")));
  auto r = store_->create_deployment(make_deployment("d1", "web", "web:3"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::already_exists);
}

TEST_F(StoreTest, ListDeploymentsNewestFirstWithLimit) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  ASSERT_TRUE(store_->put_environment(make_env("api")));
  // Clock goes backwards on purpose: order is insertion order, not created_at.
  ASSERT_TRUE(store_->create_deployment(make_deployment("d1", "web", "web:1", 3000)));
  ASSERT_TRUE(store_->create_deployment(make_deployment("d2", "web", "web:2", 2000)));
  ASSERT_TRUE(store_->create_deployment(make_deployment("x1", "api", "api:1")));
  ASSERT_TRUE(store_->create_deployment(make_deployment("d3", "web", "web:3", 1000)));
  auto all = store_->list_deployments("web").value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].id, "d3");
  EXPECT_EQ(all[1].id, "d2");
  EXPECT_EQ(all[2].id, "d1");
  auto two = store_->list_deployments("web", 2).value();
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].id, "d2");
  EXPECT_TRUE(store_->list_deployments("ghost").value().empty());
}

TEST_F(StoreTest, DeploymentTokenIsIdempotentPerEnvironment) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  ASSERT_TRUE(store_->put_environment(make_env("api")));
  auto d = make_deployment("d1", "web", "web:2");
  d.token = "t-1";
  auto first = store_->start_deployment(d).value();
  EXPECT_TRUE(first.created);
  auto replay = d;
  replay.id = "d1-retry";
  auto second = store_->start_deployment(replay).value();
  EXPECT_FALSE(second.created);
  EXPECT_EQ(second.deployment.id, "d1");
  EXPECT_EQ(store_->list_deployments("web").value().size(), 1u);
  EXPECT_EQ(store_->find_deployment_by_token("web", "t-1").value()->id, "d1");
  EXPECT_FALSE(store_->find_deployment_by_token("web", "other").value());
  // The same token in another environment is a different request.
  auto other = make_deployment("a1", "api", "api:2");
  other.token = "t-1";
  EXPECT_TRUE(store_->start_deployment(other).value().created);
}

TEST_F(StoreTest, CreateEnvironmentWithDeploymentIsAtomic) {
  auto r = store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "web:1"));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->environment.active_deployment_id, "d1");
  EXPECT_EQ(r->environment.revision, 1);
  EXPECT_EQ(r->deployment.status, DeploymentStatus::pending);
  EXPECT_EQ(r->deployment.previous_task_definition, "");
  EXPECT_EQ(store_->get_environment("web").value(), r->environment);
  // A duplicate name fails and leaves no stray deployment behind.
  auto dup = store_->create_environment_with_deployment(make_env("web"), make_deployment("d2", "web", "web:9"));
  ASSERT_FALSE(dup);
  EXPECT_EQ(dup.error().code, StoreErrc::already_exists);
  EXPECT_EQ(store_->get_deployment("d2").error().code, StoreErrc::not_found);
  // A deployment id collision rolls back the environment insert too.
  auto clash = store_->create_environment_with_deployment(make_env("api"), make_deployment("d1", "api", "api:1"));
  ASSERT_FALSE(clash);
  EXPECT_EQ(store_->get_environment("api").error().code, StoreErrc::not_found);
}

TEST_F(StoreTest, StartDeploymentSupersedesUnfinishedAndKeepsStableRollbackTarget) {
  ASSERT_TRUE(store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "web:1")));
  ASSERT_TRUE(store_->finish_deployment("d1", DeploymentStatus::completed, "", at_seconds(2100)));
  auto s2 = store_->start_deployment(make_deployment("d2", "web", "web:2", 2200)).value();
  EXPECT_FALSE(s2.superseded);
  EXPECT_EQ(s2.deployment.previous_task_definition, "web:1");
  EXPECT_EQ(s2.environment.task_definition, "web:2");
  EXPECT_EQ(s2.environment.active_deployment_id, "d2");

  auto s3 = store_->start_deployment(make_deployment("d3", "web", "web:3", 2300)).value();
  ASSERT_TRUE(s3.superseded);
  EXPECT_EQ(s3.superseded->id, "d2");
  // web:2 never became stable, so a rollback of d3 goes to web:1.
  EXPECT_EQ(s3.deployment.previous_task_definition, "web:1");
  auto d2 = store_->get_deployment("d2").value();
  EXPECT_EQ(d2.status, DeploymentStatus::failed);
  EXPECT_EQ(d2.reason, superseded_reason);
  EXPECT_EQ(d2.ended_at, at_seconds(2300));
  EXPECT_EQ(store_->get_environment("web").value().active_deployment_id, "d3");
}

TEST_F(StoreTest, ListUnfinishedDeploymentsAcrossEnvironments) {
  ASSERT_TRUE(store_->create_environment_with_deployment(make_env("web"), make_deployment("w1", "web", "web:1")));
  ASSERT_TRUE(store_->create_environment_with_deployment(make_env("api"), make_deployment("a1", "api", "api:1")));
  ASSERT_TRUE(store_->finish_deployment("w1", DeploymentStatus::completed, "", at_seconds(3000)));
  ASSERT_TRUE(store_->start_deployment(make_deployment("w2", "web", "web:2")));
  auto a1 = store_->get_deployment("a1").value();
  a1.status = DeploymentStatus::running;
  ASSERT_TRUE(store_->update_deployment(a1));
  auto open = store_->list_unfinished_deployments().value();
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0].id, "a1");
  EXPECT_EQ(open[1].id, "w2");
}

TEST_F(StoreTest, StartDeploymentChecksExpectedRevision) {
  auto env = store_->put_environment(make_env("web")).value();
  auto r = store_->start_deployment(make_deployment("d1", "web", "web:2"), env.revision + 1);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::conflict);
  EXPECT_EQ(store_->get_deployment("d1").error().code, StoreErrc::not_found);
  EXPECT_TRUE(store_->start_deployment(make_deployment("d1", "web", "web:2"), env.revision));
}

TEST_F(StoreTest, FinishRolledBackRestoresPreviousDefinition) {
  ASSERT_TRUE(store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "web:1")));
  ASSERT_TRUE(store_->finish_deployment("d1", DeploymentStatus::completed, "", at_seconds(2100)));
  ASSERT_TRUE(store_->start_deployment(make_deployment("d2", "web", "web:2", 2200)));
  auto f = store_->finish_deployment("d2", DeploymentStatus::rolled_back, "3 task failures", at_seconds(2400));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->environment.task_definition, "web:1");
  EXPECT_EQ(f->environment.active_deployment_id, "");
  auto d2 = store_->get_deployment("d2").value();
  EXPECT_EQ(d2.status, DeploymentStatus::rolled_back);
  EXPECT_EQ(d2.reason, "3 task failures");
  EXPECT_EQ(d2.ended_at, at_seconds(2400));
  EXPECT_EQ(store_->finish_deployment("d2", DeploymentStatus::running, "", at_seconds(1)).error().code,
            StoreErrc::invalid_argument);
}

TEST_F(StoreTest, FinishFailedKeepsTargetDefinition) {
  ASSERT_TRUE(store_->create_environment_with_deployment(make_env("web"), make_deployment("d1", "web", "web:1")));
  auto f = store_->finish_deployment("d1", DeploymentStatus::failed, "deadline", at_seconds(3000)).value();
  EXPECT_EQ(f.environment.task_definition, "web:1");
  EXPECT_EQ(f.environment.active_deployment_id, "");
  EXPECT_EQ(f.environment.revision, 2);
}

TEST_F(StoreTest, TransactRollsBackOnError) {
  auto r = store_->transact([&]() -> StoreResult<void> {
    if (auto p = store_->put_environment(make_env("web")); !p) return p.error();
    if (auto k = store_->kv_put("launch", "tok", "{}"); !k) return k.error();
    return StoreError{StoreErrc::invalid_argument, "caller changed its mind"};
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(store_->get_environment("web").error().code, StoreErrc::not_found);
  EXPECT_FALSE(store_->kv_get("launch", "tok").value());
}

TEST_F(StoreTest, NestedFailureUndoesOnlyItsOwnWrites) {
  auto r = store_->transact([&]() -> StoreResult<void> {
    if (auto p = store_->put_environment(make_env("web")); !p) return p.error();
    if (auto c = store_->create_deployment(make_deployment("d1", "web", "web:1")); !c) return c.error();
    // The inner call fails half way (environment "api" inserted, then the deployment id clashes): its insert
    // must be undone while the outer transaction's writes stay.
    auto inner = store_->create_environment_with_deployment(make_env("api"), make_deployment("d1", "api", "x"));
    EXPECT_FALSE(inner);
    if (auto k = store_->kv_put("ns", "k", "v"); !k) return k.error();
    return {};
  });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(store_->get_environment("web"));
  EXPECT_EQ(store_->get_environment("api").error().code, StoreErrc::not_found);
  EXPECT_EQ(store_->get_deployment("d1").value().environment, "web");
  EXPECT_EQ(*store_->kv_get("ns", "k").value(), "v");
}

TEST_F(StoreTest, KeyValueCrud) {
  EXPECT_FALSE(store_->kv_get("launch", "a").value());
  ASSERT_TRUE(store_->kv_put("launch", "b", "2"));
  ASSERT_TRUE(store_->kv_put("launch", "a", "1"));
  ASSERT_TRUE(store_->kv_put("other", "a", "x"));
  ASSERT_TRUE(store_->kv_put("launch", "a", "1b"));  // upsert
  EXPECT_EQ(*store_->kv_get("launch", "a").value(), "1b");
  auto list = store_->kv_list("launch").value();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0], (std::pair<std::string, std::string>{"a", "1b"}));
  EXPECT_EQ(list[1], (std::pair<std::string, std::string>{"b", "2"}));
  EXPECT_TRUE(store_->kv_delete("launch", "a").value());
  EXPECT_FALSE(store_->kv_delete("launch", "a").value());
  EXPECT_EQ(store_->kv_list("launch").value().size(), 1u);
}

TEST_F(StoreTest, CorruptRowIsAnErrorNotACrash) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  raw_exec("UPDATE environments SET rollout = 'not json', attributes = '{'");
  auto r = store_->get_environment("web");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, StoreErrc::corrupt);
}

TEST_F(StoreTest, SecondProcessStyleConnectionSeesCommittedWrites) {
  ASSERT_TRUE(store_->put_environment(make_env("web")));
  auto other = SqliteStore::open(dir_.file("berth.db"));
  ASSERT_TRUE(other);
  EXPECT_EQ((*other)->get_environment("web").value().name, "web");
}

}  // namespace
}  // namespace berth::store::test
