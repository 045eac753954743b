// File: tests/reactor/cluster_model_test.cpp — version ordering, tombstones, expectations, listings,
// and the event -> dirty environment index.
#include "reactor/cluster_model.hpp"
#include "reactor/workload_index.hpp"

#include "policy/ownership.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

namespace berth::reactor {
namespace {

using namespace std::chrono_literals;
using policy::TaskStatus;
const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);
const std::string cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/c";

aws::ecs::Task task(std::string arn, std::string status, std::int64_t version, std::string instance = "ci/1") {
  aws::ecs::Task t;
  t.task_arn = std::move(arn);
  t.cluster_arn = cluster_arn;
  t.container_instance_arn = std::move(instance);
  t.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/agent:1";
  t.last_status = std::move(status);
  t.desired_status = t.last_status == "STOPPED" ? "STOPPED" : "RUNNING";
  t.started_by = "berth/0123456789abcdef";
  t.group = "berth:agent:d1";
  t.version = version;
  if (t.last_status == "RUNNING") t.started_at = t0 - 30s;
  return t;
}

aws::ecs::ContainerInstance instance(std::string arn, std::string status, std::int64_t version, bool connected = true) {
  aws::ecs::ContainerInstance ci;
  ci.container_instance_arn = std::move(arn);
  ci.cluster_arn = cluster_arn;
  ci.ec2_instance_id = "i-1";
  ci.status = std::move(status);
  ci.agent_connected = connected;
  ci.version = version;
  ci.attributes = {{"ecs.availability-zone", "us-east-1a"}, {"com.amazonaws.ecs.capability.ecr-auth", std::nullopt}};
  return ci;
}

TEST(ClusterModel, ClusterNameFromArn) {
  EXPECT_EQ(cluster_name_from_arn(cluster_arn), "c");
  EXPECT_EQ(cluster_name_from_arn("c"), "c");
  EXPECT_EQ(cluster_name_from_arn("arn:aws:ecs:us-east-1:1:cluster/a/b"), "a/b");
}

TEST(ClusterModel, AppliesOnlyNewerVersions) {
  ClusterModel m("c");
  EXPECT_EQ(m.apply_task(task("t1", "PENDING", 1), t0).result, ApplyResult::applied);
  EXPECT_EQ(m.apply_task(task("t1", "RUNNING", 2), t0).result, ApplyResult::applied);
  EXPECT_EQ(m.apply_task(task("t1", "RUNNING", 2), t0).result, ApplyResult::stale);  // duplicate
  EXPECT_EQ(m.apply_task(task("t1", "PENDING", 1), t0).result, ApplyResult::stale);  // late
  auto t = m.task_for_test("t1");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->last_status, TaskStatus::running);
  EXPECT_EQ(t->healthy_since, t0 - 30s);  // startedAt without a health check
  auto other = task("t2", "RUNNING", 1);
  other.cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/other";
  EXPECT_EQ(m.apply_task(other, t0).result, ApplyResult::other_cluster);
}

TEST(ClusterModel, TombstonePreventsResurrectionUntilExpired) {
  ClusterModel m("c", ModelSettings{.tombstone_retention = 60s});
  m.apply_task(task("t1", "STOPPED", 5), t0);
  EXPECT_EQ(m.apply_task(task("t1", "RUNNING", 3), t0).result, ApplyResult::stale);
  EXPECT_EQ(m.apply_task(task("t1", "RUNNING", 9), t0).result, ApplyResult::stale);  // never back from STOPPED
  EXPECT_EQ(m.live_task_count(), 0u);
  m.expire(t0 + 30s);
  EXPECT_TRUE(m.has_task("t1"));
  m.expire(t0 + 60s);
  EXPECT_FALSE(m.has_task("t1"));
}

TEST(ClusterModel, ExpectationsAndDoubts) {
  ClusterModel m("c");
  auto launched = task("t1", "PENDING", 1, "ci/1");
  m.expect_task(launched, t0);
  auto snap = m.snapshot("berth/0123456789abcdef", t0);
  ASSERT_EQ(snap.tasks.size(), 1u);
  EXPECT_TRUE(snap.tasks[0].expected);
  // A late PENDING event (same version) confirms without changing state.
  EXPECT_EQ(m.apply_task(launched, t0).result, ApplyResult::stale);
  EXPECT_FALSE(m.task_for_test("t1")->expected);

  m.expect_launch_in_doubt("ci/2", "berth/0123456789abcdef", "agent:1", t0 + 10s, t0 + 60s);
  snap = m.snapshot("berth/0123456789abcdef", t0);
  EXPECT_EQ(snap.tasks.size(), 2u);
  auto doubt = std::find_if(snap.tasks.begin(), snap.tasks.end(), [](auto& t) { return t.arn.empty(); });
  ASSERT_NE(doubt, snap.tasks.end());
  EXPECT_EQ(doubt->doubt_recheck_at, t0 + 10s);  // the plan wakes then to have it checked
  EXPECT_TRUE(m.doubts_due("berth/0123456789abcdef", t0 + 9s).empty());
  EXPECT_EQ(m.doubts_due("berth/0123456789abcdef", t0 + 10s), std::vector<std::string>{"ci/2"});
  EXPECT_TRUE(m.doubts_due("berth/other", t0 + 10s).empty());
  // A failed check is retried later, never after the doubt expires.
  m.postpone_doubt_check("ci/2", "berth/0123456789abcdef", t0 + 90s);
  EXPECT_TRUE(m.doubts_due("berth/0123456789abcdef", t0 + 30s).empty());
  EXPECT_EQ(m.snapshot("berth/0123456789abcdef", t0).tasks.back().doubt_recheck_at, t0 + 60s);
  EXPECT_EQ(m.snapshot("berth/0123456789abcdef", t0 + 61s).tasks.size(), 1u);
  // The real task showing up clears the doubt.
  m.apply_task(task("t2", "PENDING", 1, "ci/2"), t0);
  snap = m.snapshot("berth/0123456789abcdef", t0);
  EXPECT_EQ(snap.tasks.size(), 2u);
  EXPECT_TRUE(std::all_of(snap.tasks.begin(), snap.tasks.end(), [](auto& t) { return !t.arn.empty(); }));
  EXPECT_TRUE(m.snapshot("berth/ffffffffffffffff", t0).tasks.empty());
}

TEST(ClusterModel, StopRequestIsSticky) {
  ClusterModel m("c");
  m.apply_task(task("t1", "RUNNING", 2), t0);
  m.mark_stop_requested("t1");
  m.apply_task(task("t1", "RUNNING", 3), t0);  // an event from before the StopTask
  EXPECT_TRUE(m.task_for_test("t1")->is_stopping());
}

TEST(ClusterModel, HealthCheckedTaskIsHealthyOnlyWhenHealthy) {
  ClusterModel m("c");
  auto t = task("t1", "RUNNING", 2);
  t.health_status = "UNHEALTHY";
  m.apply_task(t, t0);
  EXPECT_FALSE(m.task_for_test("t1")->healthy_since);
  t.health_status = "HEALTHY";
  t.version = 3;
  t.updated_at = t0 + 5s;
  m.apply_task(t, t0);
  EXPECT_EQ(m.task_for_test("t1")->healthy_since, t0 + 5s);
  EXPECT_TRUE(m.task_for_test("t1")->has_health_check);
}

TEST(ClusterModel, InstancesAndPlacementRelevance) {
  ClusterModel m("c");
  auto out = m.apply_instance(instance("ci/1", "ACTIVE", 1), t0);
  EXPECT_TRUE(out.placement_relevant);
  auto i2 = instance("ci/1", "ACTIVE", 2);
  i2.running_tasks_count = 3;  // resources change only
  out = m.apply_instance(i2, t0);
  EXPECT_EQ(out.result, ApplyResult::applied);
  EXPECT_FALSE(out.placement_relevant);
  EXPECT_TRUE(m.apply_instance(instance("ci/1", "DRAINING", 3), t0).placement_relevant);
  EXPECT_EQ(m.apply_instance(instance("ci/1", "ACTIVE", 2), t0).result, ApplyResult::stale);
  auto v = m.instance_for_test("ci/1");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->status, policy::InstanceStatus::draining);
  ASSERT_TRUE(v->attribute("ecs.availability-zone"));
  EXPECT_EQ(v->attribute("ecs.availability-zone")->value, "us-east-1a");
  EXPECT_FALSE(v->attribute("com.amazonaws.ecs.capability.ecr-auth")->has_value);
}

TEST(ClusterModel, AuditRepairsDrift) {
  ClusterModel m("c");
  m.apply_instance(instance("ci/1", "ACTIVE", 1), t0);
  m.apply_instance(instance("ci/gone", "ACTIVE", 1), t0);
  m.apply_task(task("t-lost-stop", "RUNNING", 2), t0);
  m.apply_task(task("t-ok", "RUNNING", 2), t0);
  m.expect_task(task("t-new", "PENDING", 1), t0 + 20s);  // launched after the listing began

  std::vector<aws::ecs::ContainerInstance> listed_instances{instance("ci/1", "ACTIVE", 1), instance("ci/3", "ACTIVE", 1)};
  auto ic = m.reconcile_instances(listed_instances, t0 + 10s, t0 + 30s);
  EXPECT_EQ(ic.added, 1u);
  EXPECT_EQ(ic.removed, 1u);
  EXPECT_EQ(m.instance_count(), 2u);

  std::vector<aws::ecs::Task> listed_tasks{task("t-ok", "RUNNING", 2), task("t-missed", "RUNNING", 3)};
  auto tc = m.reconcile_tasks(listed_tasks, t0 + 10s, t0 + 30s);
  EXPECT_EQ(tc.added, 1u);
  EXPECT_EQ(tc.updated, 0u);
  EXPECT_EQ(tc.removed, 1u);
  EXPECT_EQ(tc.drift(), 2u);
  EXPECT_TRUE(m.task_for_test("t-lost-stop")->is_stopped());
  EXPECT_FALSE(m.task_for_test("t-new")->is_stopped());
  EXPECT_EQ(m.live_task_count(), 3u);
}

// Any order, with duplicates, converges to the state of the in-order stream.
aws::ecs::ContainerInstance instance_with_resources(std::string arn, std::int64_t version) {
  auto ci = instance(std::move(arn), "ACTIVE", version);
  ci.registered_resources = {{"CPU", "INTEGER", 2048, 0, {}}, {"MEMORY", "INTEGER", 7982, 0, {}}};
  ci.remaining_resources = {{"CPU", "INTEGER", 1792, 0, {}},
                            {"MEMORY", "INTEGER", 7470, 0, {}},
                            {"PORTS", "STRINGSET", 0, 0, {"8080", "22", "x", "70000", "2376"}},
                            {"PORTS_UDP", "STRINGSET", 0, 0, {"53"}}};
  return ci;
}

void expect_resources(const policy::SnapshotInstance& v) {
  EXPECT_EQ(v.registered, (policy::CpuMemory{2048, 7982}));
  EXPECT_EQ(v.remaining, (policy::CpuMemory{1792, 7470}));
  EXPECT_EQ(std::vector<std::uint16_t>(v.reserved_tcp_ports.begin(), v.reserved_tcp_ports.end()),
            (std::vector<std::uint16_t>{22, 2376, 8080}));  // unparsable / out-of-range ignored
  EXPECT_EQ(std::vector<std::uint16_t>(v.reserved_udp_ports.begin(), v.reserved_udp_ports.end()),
            (std::vector<std::uint16_t>{53}));
  EXPECT_EQ(v.availability_zone, "us-east-1a");
}

TEST(ClusterModel, InstanceResourcesPortsAndZoneFromEvent) {
  ClusterModel m("c");
  m.apply_instance(instance_with_resources("ci/1", 1), t0);
  auto v = m.instance_for_test("ci/1");
  ASSERT_TRUE(v);
  expect_resources(*v);
}

TEST(ClusterModel, InstanceResourcesFromReconcileListing) {
  ClusterModel m("c");
  std::vector<aws::ecs::ContainerInstance> listed{instance_with_resources("ci/1", 3)};
  m.reconcile_instances(listed, t0, t0);
  auto s = m.snapshot_all(t0);
  ASSERT_EQ(s.instances.size(), 1u);
  expect_resources(s.instances[0]);
}

TEST(ClusterModel, TaskReservationFromTaskLevelCpuMemory) {
  ClusterModel m("c");
  auto a = task("t/a", "RUNNING", 1);
  a.cpu = "256";
  a.memory = "512";
  auto b = task("t/b", "RUNNING", 1);
  b.cpu = "abc";  // unparsable -> 0; memory empty -> 0
  m.apply_task(a, t0);
  m.apply_task(b, t0);
  EXPECT_EQ(m.task_for_test("t/a")->reserved, (policy::CpuMemory{256, 512}));
  EXPECT_EQ(m.task_for_test("t/b")->reserved, (policy::CpuMemory{0, 0}));
  auto s = m.snapshot("berth/0123456789abcdef", t0);
  ASSERT_EQ(s.tasks.size(), 2u);
  for (const auto& t : s.tasks) {
    if (t.arn == "t/a") {
      EXPECT_EQ(t.reserved, (policy::CpuMemory{256, 512}));
    }
  }
}

TEST(ClusterModel, SnapshotAllHoldsEveryOwnerAndForeignTasks) {
  ClusterModel m("c");
  m.apply_instance(instance("ci/1", "ACTIVE", 1), t0);
  m.apply_task(task("t/mine", "RUNNING", 1), t0);
  auto other = task("t/other", "RUNNING", 1);
  other.started_by = "berth/fedcba9876543210";
  m.apply_task(other, t0);
  auto foreign = task("t/foreign", "RUNNING", 1);
  foreign.started_by = "";
  foreign.group = "service:web";
  m.apply_task(foreign, t0);
  m.apply_task(task("t/dead", "STOPPED", 2), t0);
  m.expect_launch_in_doubt("ci/1", "berth/fedcba9876543210", "td", t0 + 10s, t0 + 60s);

  auto all = m.snapshot_all(t0);
  EXPECT_EQ(all.instances.size(), 1u);
  std::vector<std::string> arns;
  for (const auto& t : all.tasks) arns.emplace_back(t.arn);
  std::sort(arns.begin(), arns.end());
  EXPECT_EQ(arns, (std::vector<std::string>{"", "t/dead", "t/foreign", "t/mine", "t/other"}));
  EXPECT_EQ(m.snapshot("berth/0123456789abcdef", t0).tasks.size(), 2u);  // snapshot() unchanged
  EXPECT_EQ(m.snapshot_all(t0 + 60s).tasks.size(), 4u);                   // expired doubt left out
}

TEST(ClusterModelProperty, ReorderedAndDuplicatedEventsConverge) {
  std::vector<aws::ecs::Task> events;
  for (int k = 0; k < 20; ++k) {
    std::string arn = "t" + std::to_string(k);
    events.push_back(task(arn, "PENDING", 1));
    events.push_back(task(arn, "RUNNING", 2));
    if (k % 3 == 0) events.push_back(task(arn, "STOPPED", 3));
  }
  ClusterModel reference("c");
  for (auto& e : events) reference.apply_task(e, t0);
  for (std::uint32_t seed = 1; seed <= 50; ++seed) {
    std::mt19937 rng(seed);
    auto shuffled = events;
    for (int d = 0; d < 10; ++d) shuffled.push_back(events[rng() % events.size()]);
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    ClusterModel m("c");
    for (auto& e : shuffled) m.apply_task(e, t0);
    for (int k = 0; k < 20; ++k) {
      auto arn = "t" + std::to_string(k);
      EXPECT_EQ(m.task_for_test(arn)->last_status, reference.task_for_test(arn)->last_status) << arn;
    }
    EXPECT_EQ(m.live_task_count(), reference.live_task_count());
  }
}

}  // namespace
}  // namespace berth::reactor


namespace berth::reactor {
namespace {

TEST(WorkloadIndex, MapsEventsToDirtyWorkloads) {
  using policy::WorkloadKey;
  using policy::WorkloadKind;
  WorkloadIndex idx;
  idx.put(WorkloadKey::daemon("agent"), "arn:aws:ecs:us-east-1:1:cluster/c");
  idx.put(WorkloadKey::daemon("logs"), "c");
  idx.put(WorkloadKey::daemon("other"), "d");
  idx.put(WorkloadKey::service("logs"), "c");  // a service of the same name: its own key and tags
  ApplyOutcome task_applied{ApplyResult::applied, {}, false};
  std::string sb = policy::encode_started_by(policy::WorkloadKey::daemon("logs"));
  task_applied.started_by = sb;
  EXPECT_EQ(idx.dirty_keys(task_applied, "c"), std::vector<WorkloadKey>{WorkloadKey::daemon("logs")});
  ApplyOutcome service_task = task_applied;
  std::string service_sb = policy::encode_started_by(WorkloadKey::service("logs"));
  service_task.started_by = service_sb;
  EXPECT_EQ(idx.dirty_keys(service_task, "c"), std::vector<WorkloadKey>{WorkloadKey::service("logs")});
  ApplyOutcome stale = task_applied;
  stale.result = ApplyResult::stale;
  EXPECT_TRUE(idx.dirty_keys(stale, "c").empty());
  ApplyOutcome foreign{ApplyResult::applied, "ecs-svc/1", false};
  EXPECT_TRUE(idx.dirty_keys(foreign, "c").empty());
  ApplyOutcome inst{ApplyResult::applied, {}, true};
  EXPECT_EQ(idx.dirty_keys(inst, cluster_arn),
            (std::vector<WorkloadKey>{WorkloadKey::daemon("agent"), WorkloadKey::daemon("logs"),
                                      WorkloadKey::service("logs")}));
  ApplyOutcome resources_only{ApplyResult::applied, {}, false};
  EXPECT_TRUE(idx.dirty_keys(resources_only, "c").empty());
  idx.put(WorkloadKey::daemon("logs"), "d");  // moved
  EXPECT_EQ(idx.on("c", WorkloadKind::daemon), std::vector<std::string>{"agent"});
  EXPECT_EQ(idx.on("c", WorkloadKind::service), std::vector<std::string>{"logs"});
  idx.erase(WorkloadKey::daemon("agent"));
  EXPECT_TRUE(idx.on("c", WorkloadKind::daemon).empty());
  EXPECT_EQ(idx.size(WorkloadKind::daemon), 2u);
  EXPECT_EQ(idx.size(WorkloadKind::service), 1u);
}

}  // namespace
}  // namespace berth::reactor
