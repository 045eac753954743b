// File: tests/reactor/model_expectations_test.cpp — berth's in-flight launches reserve resources on
// their instance until ECS's figure counts them: subtracted once, never twice, forgotten in time.
#include "reactor/cluster_model.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <vector>

namespace berth::reactor {
namespace {

using namespace std::chrono_literals;
const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);
const std::string cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/c";
constexpr policy::CpuMemory cost{256, 512};
const std::vector<std::uint16_t> web_ports{8080};

aws::ecs::Resource integer(std::string name, std::int64_t v) {
  aws::ecs::Resource r;
  r.name = std::move(name);
  r.type = "INTEGER";
  r.integer_value = v;
  return r;
}

// An instance whose remaining figure counts `placed` launches of `cost`, dated `as_of` (nullopt: a
// Describe, which carries no updatedAt).
aws::ecs::ContainerInstance instance(std::int64_t version, int placed, std::optional<SystemTime> as_of) {
  aws::ecs::ContainerInstance ci;
  ci.container_instance_arn = "ci/1";
  ci.cluster_arn = cluster_arn;
  ci.status = "ACTIVE";
  ci.agent_connected = true;
  ci.version = version;
  ci.registered_resources = {integer("CPU", 4096), integer("MEMORY", 8192)};
  ci.remaining_resources = {integer("CPU", 4096 - placed * cost.cpu), integer("MEMORY", 8192 - placed * cost.memory)};
  aws::ecs::Resource ports;
  ports.name = "PORTS";
  ports.type = "STRINGSET";
  ports.string_set_value = {"22"};
  if (placed > 0) ports.string_set_value.push_back("8080");
  ci.remaining_resources.push_back(ports);
  ci.updated_at = as_of;
  return ci;
}

aws::ecs::Task launched(std::string arn, SystemTime created, std::string status = "PENDING", std::int64_t version = 1) {
  aws::ecs::Task t;
  t.task_arn = std::move(arn);
  t.cluster_arn = cluster_arn;
  t.container_instance_arn = "ci/1";
  t.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/web:3";
  t.last_status = std::move(status);
  t.desired_status = t.last_status == "STOPPED" ? "STOPPED" : "RUNNING";
  t.started_by = "berth/x";
  t.version = version;
  t.created_at = created;
  return t;
}

// The snapshot's one instance, with its views copied out (they point into the snapshot).
struct InstanceFigure {
  policy::CpuMemory registered, remaining;
  std::vector<std::uint16_t> tcp;
};
InstanceFigure only_instance(const ClusterModel& m, SystemTime now) {
  auto s = m.snapshot_all(now);
  EXPECT_EQ(s.instances.size(), 1u);
  const auto& i = s.instances.at(0);
  return {i.registered, i.remaining, {i.reserved_tcp_ports.begin(), i.reserved_tcp_ports.end()}};
}

std::vector<std::uint16_t> tcp(const InstanceFigure& i) { return i.tcp; }

void expect(ClusterModel& m, const aws::ecs::Task& t, SystemTime now) {
  m.expect_task(t, now);
  m.expect_resources(t, cost, web_ports, {}, now);
}

TEST(ModelExpectations, SubtractUntilTheInstanceFigureCountsTheLaunch) {
  ClusterModel m("c");
  m.apply_instance(instance(1, 0, t0 - 10s), t0 - 10s);
  expect(m, launched("t1", t0), t0 + 1s);
  auto v = only_instance(m, t0 + 1s);
  EXPECT_EQ(v.remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
  EXPECT_EQ(v.registered, (policy::CpuMemory{4096, 8192}));
  EXPECT_EQ(tcp(v), (std::vector<std::uint16_t>{22, 8080}));
  // The model's record keeps ECS's figure; only snapshots subtract.
  EXPECT_EQ(m.instance_for_test("ci/1")->remaining, (policy::CpuMemory{4096, 8192}));

  // The task's event comes first: the instance figure still predates the launch, keep subtracting.
  m.apply_task(launched("t1", t0, "PENDING", 2), t0 + 2s);
  EXPECT_EQ(only_instance(m, t0 + 2s).remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
  EXPECT_EQ(m.resource_expectation_count(), 1u);

  // The instance's update counting the task: ECS's figure alone, not subtracted twice.
  m.apply_instance(instance(2, 1, t0 + 1ms), t0 + 3s);
  v = only_instance(m, t0 + 3s);
  EXPECT_EQ(v.remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
  EXPECT_EQ(tcp(v), (std::vector<std::uint16_t>{22, 8080}));
  EXPECT_EQ(m.resource_expectation_count(), 0u);
}

TEST(ModelExpectations, InstanceUpdateBeforeTheLaunchIsRecordedIsNotSubtractedAgain) {
  ClusterModel m("c");
  m.apply_instance(instance(1, 0, t0 - 10s), t0 - 10s);
  // ECS placed the task at t0 and its instance event won the race against the StartTask answer.
  m.apply_instance(instance(2, 1, t0), t0 + 1s);
  expect(m, launched("t1", t0), t0 + 2s);
  EXPECT_EQ(m.resource_expectation_count(), 0u);
  EXPECT_EQ(only_instance(m, t0 + 2s).remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
}

TEST(ModelExpectations, AnOlderInstanceEventDeliveredLateKeepsTheExpectation) {
  ClusterModel m("c");
  m.apply_instance(instance(1, 0, t0 - 10s), t0 - 10s);
  expect(m, launched("t1", t0), t0 + 1s);
  // An update from before the placement (say, an attribute change) arrives after the answer.
  m.apply_instance(instance(2, 0, t0 - 1s), t0 + 2s);
  EXPECT_EQ(only_instance(m, t0 + 2s).remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
}

TEST(ModelExpectations, ADescribeAfterTheLaunchCountsIt) {
  ClusterModel m("c");
  m.apply_instance(instance(1, 0, t0 - 10s), t0 - 10s);
  expect(m, launched("t1", t0), t0 + 1s);
  m.reconcile_instances(std::vector{instance(2, 1, std::nullopt)}, t0 + 5s, t0 + 6s);  // the audit
  EXPECT_EQ(m.resource_expectation_count(), 0u);
  EXPECT_EQ(only_instance(m, t0 + 6s).remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
}

TEST(ModelExpectations, ExpireAfterTheTimeoutOrWhenTheTaskStopped) {
  ModelSettings settings;
  settings.expectation_timeout = 5min;
  ClusterModel m("c", settings);
  m.apply_instance(instance(1, 0, t0 - 10s), t0 - 10s);
  expect(m, launched("t1", t0), t0);
  expect(m, launched("t2", t0), t0);
  EXPECT_EQ(only_instance(m, t0 + 1s).remaining, (policy::CpuMemory{4096 - 512, 8192 - 1024}));
  m.apply_task(launched("t2", t0, "STOPPED", 3), t0 + 2s);  // gave its resources back
  EXPECT_EQ(only_instance(m, t0 + 2s).remaining, (policy::CpuMemory{4096 - 256, 8192 - 512}));
  // Never counted by an instance update: snapshots stop subtracting at the timeout, expire() forgets.
  EXPECT_EQ(only_instance(m, t0 + 5min).remaining, (policy::CpuMemory{4096, 8192}));
  EXPECT_EQ(m.resource_expectation_count(), 1u);
  m.expire(t0 + 5min);
  EXPECT_EQ(m.resource_expectation_count(), 0u);
}

TEST(ModelExpectations, OnlyTheLaunchingInstanceAndNeverBelowZero) {
  ClusterModel m("c");
  m.apply_instance(instance(1, 16, t0 - 10s), t0 - 10s);  // full: 0 CPU left
  auto other = instance(1, 0, t0 - 10s);
  other.container_instance_arn = "ci/2";
  m.apply_instance(other, t0 - 10s);
  expect(m, launched("t1", t0), t0);
  auto s = m.snapshot_all(t0 + 1s);
  ASSERT_EQ(s.instances.size(), 2u);
  for (const auto& i : s.instances) {
    if (i.arn == "ci/1") EXPECT_EQ(i.remaining, (policy::CpuMemory{0, 0}));
    else EXPECT_EQ(i.remaining, (policy::CpuMemory{4096, 8192}));
  }
}

// Whatever order the task events and instance updates arrive in, once berth has recorded its
// launches the snapshot shows ECS's true remaining figure: every launch counted exactly once.
TEST(ModelExpectations, AnyInterleavingCountsEveryLaunchOnce) {
  std::mt19937 rng(20261203);
  constexpr int launches = 6;
  for (int round = 0; round < 300; ++round) {
    ClusterModel m("c");
    m.apply_instance(instance(0, 0, t0 - 1s), t0 - 1s);
    // Launch i is placed at t0 + i s; ECS's instance update i counts launches 1..i.
    struct Step {
      bool is_instance;
      int i;
    };
    std::vector<Step> steps;
    for (int i = 1; i <= launches; ++i) {
      steps.push_back({true, i});
      steps.push_back({false, i});
    }
    std::shuffle(steps.begin(), steps.end(), rng);
    const auto recorded_at = t0 + std::chrono::seconds(launches);
    // Some events arrive before the StartTask answers are recorded, the rest after.
    const auto split = static_cast<std::size_t>(std::uniform_int_distribution<int>(0, 2 * launches)(rng));
    auto apply = [&](const Step& s) {
      const auto when = t0 + std::chrono::seconds(s.i);
      if (s.is_instance) m.apply_instance(instance(s.i, s.i, when), recorded_at);
      else m.apply_task(launched("t" + std::to_string(s.i), when, "PENDING", 2), recorded_at);
    };
    for (std::size_t k = 0; k < split; ++k) apply(steps[k]);
    for (int i = 1; i <= launches; ++i)
      expect(m, launched("t" + std::to_string(i), t0 + std::chrono::seconds(i)), recorded_at);
    const policy::CpuMemory truth{4096 - launches * cost.cpu, 8192 - launches * cost.memory};
    ASSERT_EQ(only_instance(m, recorded_at).remaining, truth) << "round " << round << " split " << split;
    for (std::size_t k = split; k < steps.size(); ++k) {
      apply(steps[k]);
      ASSERT_EQ(only_instance(m, recorded_at).remaining, truth) << "round " << round << " step " << k;
    }
    EXPECT_EQ(m.resource_expectation_count(), 0u);  // the last update counted them all
  }
}

}  // namespace
}  // namespace berth::reactor
