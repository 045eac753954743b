// File: tests/reactor/cluster_refresh_test.cpp — bootstrap/audit pagination, batching and drift repair.
#include "reactor/cluster_refresh.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <map>

namespace berth::reactor {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
const std::string cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/c";

class PagingEcs : public EcsApi {
 public:
  std::map<std::string, aws::ecs::ContainerInstance> instances;
  std::map<std::string, aws::ecs::Task> tasks;
  std::size_t list_calls = 0, describe_calls = 0, max_batch = 0;
  bool fail_describe_tasks = false;

  template <class Map>
  static ArnPage page(const Map& m, const std::string& token) {
    ArnPage p;
    auto it = token.empty() ? m.begin() : m.upper_bound(token);
    for (; it != m.end() && p.arns.size() < 100; ++it) p.arns.push_back(it->first);
    if (it != m.end()) p.next_token = p.arns.back();
    return p;
  }
  asio::awaitable<EcsResult<StartTaskResult>> start_task(StartTaskRequest) override { co_return StartTaskResult{}; }
  asio::awaitable<EcsResult<RunTaskResult>> run_task(RunTaskRequest) override {
    co_return EcsError{EcsError::Kind::rejected, "NotUsed", "RunTask is not used here"};
  }
  asio::awaitable<EcsResult<aws::ecs::Task>> stop_task(std::string, std::string, std::string) override {
    co_return aws::ecs::Task{};
  }
  asio::awaitable<EcsResult<ArnPage>> list_container_instances(std::string, std::string token) override {
    ++list_calls;
    co_return page(instances, token);
  }
  asio::awaitable<EcsResult<ArnPage>> list_tasks(std::string, std::string, std::string token) override {
    ++list_calls;
    co_return page(tasks, token);
  }
  asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string, std::vector<std::string> arns) override {
    ++describe_calls;
    max_batch = std::max(max_batch, arns.size());
    Described<aws::ecs::ContainerInstance> d;
    for (auto& a : arns) d.items.push_back(instances.at(a));
    co_return d;
  }
  asio::awaitable<EcsResult<TaskDefinitionInfo>> describe_task_definition(std::string td) override {
    TaskDefinitionInfo info;
    info.arn = td;
    co_return info;
  }
  asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_tasks(std::string, std::vector<std::string> arns) override {
    ++describe_calls;
    max_batch = std::max(max_batch, arns.size());
    if (fail_describe_tasks) co_return EcsError{EcsError::Kind::throttled, "ThrottlingException", "slow down"};
    Described<aws::ecs::Task> d;
    for (auto& a : arns) {
      if (auto it = tasks.find(a); it != tasks.end()) d.items.push_back(it->second);
      else d.failures.push_back({a, "MISSING", ""});
    }
    co_return d;
  }
};

struct Harness {
  asio::io_context io;
  SystemTime now = SystemTime{} + std::chrono::hours(24 * 365 * 50);
  PagingEcs ecs;
  ClusterModel model{"c"};

  void populate(int n_instances, int n_tasks) {
    for (int i = 0; i < n_instances; ++i) {
      aws::ecs::ContainerInstance ci;
      ci.container_instance_arn = "ci/" + std::to_string(10000 + i);
      ci.status = "ACTIVE";
      ci.agent_connected = true;
      ci.version = 1;
      ecs.instances[ci.container_instance_arn] = ci;
    }
    for (int i = 0; i < n_tasks; ++i) {
      aws::ecs::Task t;
      t.task_arn = "task/" + std::to_string(10000 + i);
      t.cluster_arn = cluster_arn;
      t.container_instance_arn = "ci/" + std::to_string(10000 + i % n_instances);
      t.last_status = "RUNNING";
      t.desired_status = "RUNNING";
      t.version = 2;
      ecs.tasks[t.task_arn] = t;
    }
  }
  EcsResult<RefreshResult> refresh() {
    auto f = asio::co_spawn(io, async_refresh_cluster(ecs, model, [this] { return now; }), asio::use_future);
    io.restart();
    io.run();
    return f.get();
  }
};

TEST(ClusterRefresh, BootstrapPaginatesAndBatches) {
  Harness h;
  h.populate(250, 420);
  auto r = h.refresh();
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->instances.added, 250u);
  EXPECT_EQ(r->tasks.added, 420u);
  EXPECT_EQ(h.model.instance_count(), 250u);
  EXPECT_EQ(h.model.live_task_count(), 420u);
  EXPECT_EQ(h.ecs.list_calls, 3u + 5u);      // ceil(250/100) + ceil(420/100)
  EXPECT_EQ(h.ecs.describe_calls, 3u + 5u);  // batches of 100
  EXPECT_EQ(h.ecs.max_batch, 100u);
  EXPECT_EQ(r->ecs_calls, 16u);
}

TEST(ClusterRefresh, AuditCountsAndRepairsDrift) {
  Harness h;
  h.populate(10, 10);
  ASSERT_TRUE(h.refresh());
  h.now += 10min;
  // Lost events: a task stopped, a task started, an instance drained, an instance deregistered.
  h.ecs.tasks.erase("task/10003");
  auto extra = h.ecs.tasks.at("task/10004");
  extra.task_arn = "task/99999";
  h.ecs.tasks[extra.task_arn] = extra;
  auto& drained = h.ecs.instances.at("ci/10001");
  drained.status = "DRAINING";
  drained.version = 2;
  h.ecs.instances.erase("ci/10009");
  auto r = h.refresh();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->tasks.removed, 1u);
  EXPECT_EQ(r->tasks.added, 1u);
  EXPECT_EQ(r->instances.updated, 1u);
  EXPECT_EQ(r->instances.removed, 1u);
  EXPECT_EQ(r->drift(), 4u);
  EXPECT_TRUE(h.model.task_for_test("task/10003")->is_stopped());
  EXPECT_EQ(h.model.instance_for_test("ci/10001")->status, policy::InstanceStatus::draining);
  // A clean audit finds no drift.
  h.now += 10min;
  auto again = h.refresh();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->drift(), 0u);
}

TEST(ClusterRefresh, ErrorLeavesModelUntouched) {
  Harness h;
  h.populate(5, 5);
  ASSERT_TRUE(h.refresh());
  h.ecs.tasks.clear();
  h.ecs.fail_describe_tasks = true;
  h.populate(5, 5);
  h.ecs.tasks.erase("task/10000");
  auto r = h.refresh();
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "ThrottlingException");
  EXPECT_EQ(h.model.live_task_count(), 5u);
}

}  // namespace
}  // namespace berth::reactor
