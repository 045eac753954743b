// File: tests/reactor/change_history_test.cpp — the global change numbers of the cluster models: numbering across
// clusters, resume after a number, too old once dropped, bounded keeping, wake-ups, and the models' entityVersion.
#include "reactor/change_history.hpp"
#include "reactor/cluster_model.hpp"

#include <gtest/gtest.h>

namespace berth::reactor {
namespace {

using namespace std::chrono_literals;
const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);

aws::ecs::Task task(std::string arn, std::string status, std::int64_t version, std::string cluster = "c") {
  aws::ecs::Task t;
  t.task_arn = std::move(arn);
  t.cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/" + cluster;
  t.container_instance_arn = "arn:aws:ecs:us-east-1:1:container-instance/" + cluster + "/i1";
  t.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/web:1";
  t.last_status = std::move(status);
  t.desired_status = t.last_status == "STOPPED" ? "STOPPED" : "RUNNING";
  t.started_by = "me";
  t.version = version;
  return t;
}

aws::ecs::ContainerInstance instance(std::string arn, std::int64_t version) {
  aws::ecs::ContainerInstance ci;
  ci.container_instance_arn = std::move(arn);
  ci.cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/c";
  ci.ec2_instance_id = "i-1";
  ci.status = "ACTIVE";
  ci.agent_connected = true;
  ci.version = version;
  ci.attributes = {{"ecs.availability-zone", "us-east-1a"}, {"cap", std::nullopt}};
  return ci;
}

std::vector<std::uint64_t> numbers(const ChangeHistory::Read& r) {
  std::vector<std::uint64_t> out;
  for (const auto* c : r.changes) out.push_back(c->number);
  return out;
}

TEST(ChangeHistory, NumbersEveryAppliedChangeAcrossClustersAndKindsOnce) {
  ChangeHistory history;
  ClusterModel a("c"), b("d");
  a.use_change_history(&history);
  b.use_change_history(&history);
  a.apply_instance(instance("arn:aws:ecs:us-east-1:1:container-instance/c/i1", 1), t0);  // 1
  a.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t1", "PENDING", 1), t0);            // 2
  b.apply_task(task("arn:aws:ecs:us-east-1:1:task/d/t2", "PENDING", 1, "d"), t0);       // 3
  a.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t1", "PENDING", 1), t0);            // stale: no number
  a.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t1", "RUNNING", 2), t0);            // 4
  EXPECT_EQ(history.last(), 4u);

  auto tasks = history.read(EntityKind::task, 0, 100);
  EXPECT_FALSE(tasks.too_old);
  EXPECT_EQ(numbers(tasks), (std::vector<std::uint64_t>{2, 3, 4}));
  EXPECT_EQ(tasks.changes[1]->cluster, "d");
  const auto last = std::get<TaskEntity>(tasks.changes[2]->entity).view();
  EXPECT_EQ(last.last_status, policy::TaskStatus::running);
  EXPECT_EQ(last.arn, "arn:aws:ecs:us-east-1:1:task/c/t1");

  auto instances = history.read(EntityKind::instance, 0, 100);
  ASSERT_EQ(numbers(instances), (std::vector<std::uint64_t>{1}));
  const auto iv = std::get<InstanceEntity>(instances.changes[0]->entity).view();
  ASSERT_EQ(iv.attributes.size(), 2u);
  EXPECT_EQ(iv.attributes[0].value, "us-east-1a");
  EXPECT_FALSE(iv.attributes[1].has_value);

  // The records carry the number of their last change (entityVersion).
  std::uint64_t t1_version = 0;
  EXPECT_TRUE(a.visit_task("t1", [&](const policy::SnapshotTask&, std::uint64_t v) { t1_version = v; }));
  EXPECT_EQ(t1_version, 4u);
  EXPECT_TRUE(a.visit_task("arn:aws:ecs:us-east-1:1:task/c/t1", [](const policy::SnapshotTask&, std::uint64_t) {}));
  EXPECT_FALSE(a.visit_task("c/t1", [](const policy::SnapshotTask&, std::uint64_t) {}));
  EXPECT_FALSE(a.visit_task("t", [](const policy::SnapshotTask&, std::uint64_t) {}));
}

TEST(ChangeHistory, ResumesAfterTheLastNumberSeenAndPagesByMax) {
  ChangeHistory history;
  ClusterModel m("c");
  m.use_change_history(&history);
  for (int i = 0; i < 5; ++i) m.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t" + std::to_string(i), "PENDING", 1), t0);
  auto first = history.read(EntityKind::task, 0, 2);
  EXPECT_EQ(numbers(first), (std::vector<std::uint64_t>{1, 2}));
  auto rest = history.read(EntityKind::task, first.scanned_through, 100);
  EXPECT_EQ(numbers(rest), (std::vector<std::uint64_t>{3, 4, 5}));
  EXPECT_TRUE(history.read(EntityKind::task, 5, 100).changes.empty());
  EXPECT_TRUE(history.read(EntityKind::task, 99, 100).changes.empty());  // ahead: nothing yet, not an error
}

TEST(ChangeHistory, KeepsOnlyTheLastCapacityChangesAndOlderResumesAreTooOld) {
  ChangeHistory history(3);
  ClusterModel m("c");
  m.use_change_history(&history);
  for (int v = 1; v <= 6; ++v) m.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t", "RUNNING", v), t0);
  EXPECT_EQ(history.size(), 3u);
  EXPECT_EQ(history.oldest_kept(), 4u);
  EXPECT_TRUE(history.read(EntityKind::task, 2, 100).too_old);  // 3 was dropped
  auto from3 = history.read(EntityKind::task, 3, 100);          // needs 4.. : all kept
  EXPECT_FALSE(from3.too_old);
  EXPECT_EQ(numbers(from3), (std::vector<std::uint64_t>{4, 5, 6}));
}

TEST(ChangeHistory, WakesSubscribersUntilUnsubscribed) {
  ChangeHistory history;
  int wakes = 0;
  auto id = history.subscribe([&] { ++wakes; });
  ClusterModel m("c");
  m.use_change_history(&history);
  m.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t", "PENDING", 1), t0);
  m.mark_stop_requested("arn:aws:ecs:us-east-1:1:task/c/t");
  m.mark_stop_requested("arn:aws:ecs:us-east-1:1:task/c/t");  // no change the second time
  EXPECT_EQ(wakes, 2);
  history.unsubscribe(id);
  m.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t", "STOPPED", 2), t0);
  EXPECT_EQ(wakes, 2);
  EXPECT_EQ(history.subscriber_count(), 0u);
}

TEST(ChangeHistory, ChangesOfAnInstanceShareItsAttributesUntilTheyChange) {
  ChangeHistory history(2);
  ClusterModel m("c");
  m.use_change_history(&history);
  const std::string arn = "arn:aws:ecs:us-east-1:1:container-instance/c/i1";
  m.apply_instance(instance(arn, 1), t0);
  m.apply_instance(instance(arn, 2), t0);  // only the version moved
  auto r = history.read(EntityKind::instance, 0, 10);
  ASSERT_EQ(r.changes.size(), 2u);
  const auto& a = std::get<InstanceEntity>(r.changes[0]->entity);
  const auto& b = std::get<InstanceEntity>(r.changes[1]->entity);
  EXPECT_EQ(a.attributes.get(), b.attributes.get());
  auto changed = instance(arn, 3);
  changed.attributes.push_back({"stack", "web"});
  m.apply_instance(changed, t0);
  auto latest = history.read(EntityKind::instance, 2, 10);
  ASSERT_EQ(latest.changes.size(), 1u);
  const auto& c = std::get<InstanceEntity>(latest.changes[0]->entity);
  EXPECT_NE(c.attributes.get(), b.attributes.get());
  EXPECT_EQ(c.view().attributes.size(), 3u);
  EXPECT_EQ(c.view().attributes[2].value, "web");
}

TEST(ChangeHistory, AuditTombstonesAreChanges) {
  ChangeHistory history;
  ClusterModel m("c");
  m.use_change_history(&history);
  m.apply_task(task("arn:aws:ecs:us-east-1:1:task/c/t", "RUNNING", 1), t0);
  m.reconcile_tasks({}, t0 + 1s, t0 + 2s);  // gone from the listing: tombstoned
  auto r = history.read(EntityKind::task, 1, 10);
  ASSERT_EQ(r.changes.size(), 1u);
  EXPECT_EQ(std::get<TaskEntity>(r.changes[0]->entity).last_status, policy::TaskStatus::stopped);
}

TEST(ChangeHistory, InstancesTheAuditRemovesAreChangesToInactive) {
  ChangeHistory history;
  ClusterModel m("c");
  m.use_change_history(&history);
  const std::string arn = "arn:aws:ecs:us-east-1:1:container-instance/c/i1";
  m.apply_instance(instance(arn, 1), t0);
  m.reconcile_instances({}, t0 + 1s, t0 + 2s);  // gone from the listing: deregistered, out of the model
  EXPECT_FALSE(m.visit_instance(arn, [](const policy::SnapshotInstance&, std::uint64_t) {}));
  auto r = history.read(EntityKind::instance, 1, 10);
  ASSERT_EQ(r.changes.size(), 1u);
  const auto gone = std::get<InstanceEntity>(r.changes[0]->entity).view();
  EXPECT_EQ(gone.arn, arn);
  EXPECT_EQ(gone.status, policy::InstanceStatus::inactive);
  EXPECT_FALSE(gone.agent_connected);
}

}  // namespace
}  // namespace berth::reactor
