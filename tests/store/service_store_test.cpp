// File: tests/store/service_store_test.cpp — replica services in the store: versions (a new one for every change
// but desiredCount), deployments superseding each other, a completed deployment making its version stable, a
// rollback returning to the last stable version, compare-and-set, and the change feed.
#include "run_blocking.hpp"
#include "store/sqlite_desired_state_store.hpp"
#include "store_fixture.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace berth::store::test {
namespace {

namespace asio = boost::asio;
using policy::DeploymentStatus;

policy::Service make_service(std::string td = "web:1", std::int32_t count = 3) {
  policy::Service s;
  s.spec.name = "web";
  s.spec.cluster = "prod";
  s.spec.task_definition = std::move(td);
  s.spec.desired_count = count;
  s.spec.placement_strategy = {{policy::PlacementStrategyType::spread, "attribute:ecs.availability-zone"},
                               {policy::PlacementStrategyType::binpack, "memory"}};
  s.spec.placement_constraints = {{policy::PlacementConstraintType::distinct_instance, {}},
                                  {policy::PlacementConstraintType::member_of, "attribute:stack == blue"}};
  s.spec.deployment.circuit_breaker = {true, true};
  s.spec.deployment.min = 2;
  s.created_at = s.updated_at = at_seconds(1000);
  return s;
}

policy::Deployment next_deployment(std::string id, std::int64_t at) {
  policy::Deployment d;
  d.id = std::move(id);
  d.environment = "web";
  d.created_at = at_seconds(at);
  return d;
}

class ServiceStoreTest : public ::testing::Test {
 protected:
  ServiceStoreTest() {
    auto s = SqliteDesiredStateStore::open(io_.get_executor(), dir_.file("berth.db"));
    if (!s) throw std::runtime_error(s.error().message);
    store_ = std::move(*s);
  }
  template <class T>
  T run(asio::awaitable<T> work) {
    return berth::test::run_blocking(io_, std::move(work));
  }
  policy::Deployment finish(std::string id, DeploymentStatus status, std::int64_t at) {
    auto d = run(store_->get_service_deployment(id)).value();
    d.status = status;
    d.ended_at = at_seconds(at);
    auto done = run(store_->update_service_deployment(d));
    if (!done) throw std::runtime_error(done.error().message);
    return *done;
  }

  TempDir dir_;
  asio::io_context io_;
  std::unique_ptr<SqliteDesiredStateStore> store_;
};

TEST_F(ServiceStoreTest, SpecRoundTripsWithVersionOneAndItsDeployment) {
  const auto created = run(store_->create_service(make_service(), next_deployment("s-1", 1000))).value();
  EXPECT_EQ(created.service.version, 1);
  EXPECT_EQ(created.service.revision, 1);
  EXPECT_EQ(created.service.active_deployment_id, "s-1");
  ASSERT_TRUE(created.deployment);
  EXPECT_EQ(created.deployment->version, 1);
  EXPECT_EQ(created.deployment->task_definition, "web:1");
  EXPECT_EQ(created.deployment->desired_count, 3u);
  auto stored = run(store_->get_service("web")).value();
  EXPECT_EQ(stored, created.service);
  EXPECT_EQ(stored.spec, make_service().spec);  // every spec field survives
  EXPECT_EQ(run(store_->create_service(make_service(), next_deployment("s-9", 1001))).error().code,
            StoreErrc::already_exists);
  EXPECT_EQ(run(store_->list_services("prod")).value().size(), 1u);
  EXPECT_TRUE(run(store_->list_services("dev")).value().empty());
}

TEST_F(ServiceStoreTest, DesiredCountIsNotAVersionEveryOtherChangeIs) {
  auto s = run(store_->create_service(make_service(), next_deployment("s-1", 1000))).value().service;
  s.spec.desired_count = 5;
  auto scaled = run(store_->update_service(s, next_deployment("unused", 1100))).value();
  EXPECT_EQ(scaled.service.version, 1);
  EXPECT_FALSE(scaled.deployment);
  EXPECT_EQ(scaled.service.spec.desired_count, 5);
  EXPECT_EQ(scaled.service.active_deployment_id, "s-1");
  // The same revision again is stale.
  EXPECT_EQ(run(store_->update_service(s, next_deployment("unused", 1101))).error().code, StoreErrc::conflict);

  auto v2 = scaled.service;
  v2.spec.task_definition = "web:2";
  auto updated = run(store_->update_service(v2, next_deployment("s-2", 1200))).value();
  EXPECT_EQ(updated.service.version, 2);
  ASSERT_TRUE(updated.deployment);
  EXPECT_EQ(updated.deployment->version, 2);
  EXPECT_EQ(updated.deployment->desired_count, 5u);
  EXPECT_EQ(updated.deployment->previous_task_definition, "web:1");
  ASSERT_TRUE(updated.superseded);
  EXPECT_EQ(updated.superseded->id, "s-1");
  EXPECT_EQ(run(store_->get_service_deployment("s-1")).value().status, DeploymentStatus::failed);
  EXPECT_EQ(run(store_->get_service_deployment("s-1")).value().reason, superseded_reason);
  auto placement = updated.service;
  placement.spec.placement_strategy = {{policy::PlacementStrategyType::random, ""}};
  EXPECT_EQ(run(store_->update_service(placement, next_deployment("s-3", 1300))).value().service.version, 3);

  auto versions = run(store_->list_service_versions("web")).value();
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[0].spec.task_definition, "web:1");
  EXPECT_EQ(versions[1].spec.task_definition, "web:2");
  EXPECT_EQ(versions[2].spec.placement_strategy.size(), 1u);
  auto deployments = run(store_->list_service_deployments("web", 0)).value();
  ASSERT_EQ(deployments.size(), 3u);
  EXPECT_EQ(deployments[0].id, "s-3");  // newest first
}

// A front's metadata (Marathon's app fields) is part of the spec: stored, versioned, and a change of it alone is a
// new version.
TEST_F(ServiceStoreTest, FrontMetadataRoundTripsAndIsVersioned) {
  auto service = make_service();
  service.spec.front_metadata = R"({"marathon":{"id":"/web","labels":{"owner":"zeus"}}})";
  service.spec.replace_every_task = true;  // the Marathon front's deployment mode is stored with the spec too
  auto s = run(store_->create_service(service, next_deployment("s-1", 1000))).value().service;
  EXPECT_EQ(run(store_->get_service("web")).value().spec.front_metadata, service.spec.front_metadata);
  EXPECT_TRUE(run(store_->get_service("web")).value().spec.replace_every_task);
  s.spec.front_metadata = R"({"marathon":{"id":"/web","labels":{"owner":"hera"}}})";
  auto relabelled = run(store_->update_service(s, next_deployment("s-2", 1100))).value();
  EXPECT_EQ(relabelled.service.version, 2);
  auto versions = run(store_->list_service_versions("web")).value();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].spec.front_metadata, service.spec.front_metadata);
  EXPECT_EQ(versions[1].spec.front_metadata, s.spec.front_metadata);
  EXPECT_TRUE(make_service().spec.front_metadata.empty());  // a /v1 service has none
  EXPECT_FALSE(make_service().spec.replace_every_task);
}

TEST_F(ServiceStoreTest, CompletedMakesItsVersionStableAndARollbackReturnsToIt) {
  run(store_->create_service(make_service(), next_deployment("s-1", 1000))).value();
  auto done = finish("s-1", DeploymentStatus::completed, 1100);
  EXPECT_EQ(done.status, DeploymentStatus::completed);
  auto s = run(store_->get_service("web")).value();
  EXPECT_TRUE(s.active_deployment_id.empty());
  EXPECT_TRUE(run(store_->list_service_versions("web")).value()[0].stable);

  s.spec.task_definition = "web:2";
  s.spec.desired_count = 4;
  auto v2 = run(store_->update_service(s, next_deployment("s-2", 1200))).value();
  EXPECT_EQ(v2.deployment->previous_task_definition, "web:1");
  auto scaled = v2.service;
  scaled.spec.desired_count = 6;  // scaled during the rollout: the rollback keeps today's count
  ASSERT_TRUE(run(store_->update_service(scaled, next_deployment("unused", 1250))));
  finish("s-2", DeploymentStatus::rolled_back, 1300);
  auto back = run(store_->get_service("web")).value();
  EXPECT_EQ(back.version, 1);
  EXPECT_EQ(back.spec.task_definition, "web:1");
  EXPECT_EQ(back.spec.cluster, "prod");
  EXPECT_EQ(back.spec.desired_count, 6);
  EXPECT_TRUE(back.active_deployment_id.empty());
  EXPECT_FALSE(run(store_->list_service_versions("web")).value()[1].stable);

  // A stale progress write after the verdict is refused.
  auto stale = run(store_->get_service_deployment("s-2")).value();
  stale.revision -= 1;
  EXPECT_EQ(run(store_->update_service_deployment(stale)).error().code, StoreErrc::conflict);
}

TEST_F(ServiceStoreTest, DeleteAtItsRevisionTakesVersionsAndDeploymentsAndIsAChange) {
  const auto from = run(store_->revision()).value();
  auto s = run(store_->create_service(make_service(), next_deployment("s-1", 1000))).value().service;
  EXPECT_EQ(run(store_->delete_service("web", s.revision + 1)).error().code, StoreErrc::conflict);
  ASSERT_TRUE(run(store_->delete_service("web", s.revision)));
  EXPECT_EQ(run(store_->get_service("web")).error().code, StoreErrc::not_found);
  EXPECT_EQ(run(store_->get_service_deployment("s-1")).error().code, StoreErrc::not_found);
  EXPECT_TRUE(run(store_->list_service_versions("web")).value().empty());
  auto batch = run(store_->watch(from, std::chrono::milliseconds(0))).value();
  std::vector<std::pair<std::string, bool>> services;
  for (const auto& c : batch.changes)
    if (c.kind == ChangeKind::service) services.emplace_back(c.key, c.deleted);
  EXPECT_EQ(services, (std::vector<std::pair<std::string, bool>>{{"web", false}, {"web", true}}));
}

}  // namespace
}  // namespace berth::store::test
