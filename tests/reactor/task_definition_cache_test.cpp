// File: tests/reactor/task_definition_cache_test.cpp — DescribeTaskDefinition answers parsed, described
// once per revision, shared while in flight, failures retried, family aliases expire; the model fills
// task reservations from the cache.
#include "reactor/task_definition_cache.hpp"

#include "reactor/cluster_model.hpp"

#include "policy/task_definition.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include <optional>
#include <vector>

namespace berth::reactor {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using SystemTime = std::chrono::system_clock::time_point;
const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);

// Answers DescribeTaskDefinition ("web" resolves to "web:7"); every other call is unused here.
class DescribeOnlyEcs : public EcsApi {
 public:
  explicit DescribeOnlyEcs(asio::io_context& io) : gate(io, asio::steady_timer::time_point::max()) {}

  int describes = 0;
  int fail_next = 0;     // this many describes fail (rejected)
  bool held = false;     // describes wait until release()
  asio::steady_timer gate;
  void release() {
    held = false;
    gate.cancel();
  }

  asio::awaitable<EcsResult<TaskDefinitionInfo>> describe_task_definition(std::string td) override {
    ++describes;
    if (held) {
      boost::system::error_code ec;
      co_await gate.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    if (fail_next > 0) {
      --fail_next;
      co_return EcsError{EcsError::Kind::rejected, "ClientException", "Unable to describe task definition."};
    }
    std::string name(policy::task_definition_name(td));
    if (name.find(':') == std::string::npos) name += ":7";
    TaskDefinitionInfo info;
    info.arn = "arn:aws:ecs:us-east-1:1:task-definition/" + name;
    info.has_health_check = name.starts_with("checked");
    info.cpu = 256;
    info.memory = 512;
    info.host_tcp_ports = {8080};
    co_return info;
  }

  asio::awaitable<EcsResult<StartTaskResult>> start_task(StartTaskRequest) override { co_return StartTaskResult{}; }
  asio::awaitable<EcsResult<RunTaskResult>> run_task(RunTaskRequest) override { co_return RunTaskResult{}; }
  asio::awaitable<EcsResult<aws::ecs::Task>> stop_task(std::string, std::string, std::string) override {
    co_return aws::ecs::Task{};
  }
  asio::awaitable<EcsResult<ArnPage>> list_container_instances(std::string, std::string) override { co_return ArnPage{}; }
  asio::awaitable<EcsResult<ArnPage>> list_tasks(std::string, std::string, std::string) override { co_return ArnPage{}; }
  asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string, std::vector<std::string>) override {
    co_return Described<aws::ecs::ContainerInstance>{};
  }
  asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_tasks(std::string, std::vector<std::string>) override {
    co_return Described<aws::ecs::Task>{};
  }
};

struct Harness {
  asio::io_context io;
  DescribeOnlyEcs ecs{io};
  SystemTime now = t0;
  int spawned = 0;
  TaskDefinitionCache cache{ecs, [this] { return now; },
                            [this](std::string, asio::awaitable<void> task) {
                              ++spawned;
                              asio::co_spawn(io, std::move(task), asio::detached);
                            }};

  // Starts ensure(ref) and records its answer when it comes.
  void ensure(std::string ref, std::vector<EcsResult<TaskDefinitionInfo>>& answers) {
    asio::co_spawn(
        io,
        [](TaskDefinitionCache& c, std::string r, std::vector<EcsResult<TaskDefinitionInfo>>& out) -> asio::awaitable<void> {
          auto res = co_await c.ensure(std::move(r));
          out.push_back(std::move(res));
        }(cache, std::move(ref), answers),
        asio::detached);
  }
  void drain() {
    io.restart();
    io.run();
  }
};

TEST(TaskDefinitionCache, DescribesOnceAndAnswersEveryFormOfTheReference) {
  Harness h;
  std::vector<EcsResult<TaskDefinitionInfo>> answers;
  h.ensure("web:3", answers);
  h.drain();
  ASSERT_EQ(answers.size(), 1u);
  ASSERT_TRUE(answers[0]);
  EXPECT_EQ(answers[0]->cpu, 256);
  h.ensure("arn:aws:ecs:us-east-1:1:task-definition/web:3", answers);
  h.ensure("web:3", answers);
  h.drain();
  EXPECT_EQ(h.ecs.describes, 1);
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(answers[1] && answers[2]);
  const auto* hit = h.cache.lookup("arn:aws:ecs:us-east-1:1:task-definition/web:3");
  ASSERT_NE(hit, nullptr);
  EXPECT_EQ(hit->memory, 512);
  EXPECT_EQ(h.cache.lookup("web:4"), nullptr);
}

TEST(TaskDefinitionCache, ConcurrentCallersShareOneDescribe) {
  Harness h;
  h.ecs.held = true;
  std::vector<EcsResult<TaskDefinitionInfo>> answers;
  for (int i = 0; i < 5; ++i) h.ensure("web:3", answers);
  h.io.poll();  // everyone is waiting now
  EXPECT_EQ(h.ecs.describes, 1);
  EXPECT_TRUE(answers.empty());
  EXPECT_EQ(h.cache.stats().joined, 4u);
  h.ecs.release();
  h.drain();
  ASSERT_EQ(answers.size(), 5u);
  for (const auto& a : answers) {
    ASSERT_TRUE(a);
    EXPECT_EQ(a->arn, "arn:aws:ecs:us-east-1:1:task-definition/web:3");
  }
  EXPECT_EQ(h.ecs.describes, 1);
}

TEST(TaskDefinitionCache, FailuresAreSharedButNotCached) {
  Harness h;
  h.ecs.held = true;
  h.ecs.fail_next = 1;
  std::vector<EcsResult<TaskDefinitionInfo>> answers;
  h.ensure("web:3", answers);
  h.ensure("web:3", answers);
  h.io.poll();
  h.ecs.release();
  h.drain();
  ASSERT_EQ(answers.size(), 2u);
  EXPECT_FALSE(answers[0]);
  EXPECT_FALSE(answers[1]);
  EXPECT_EQ(h.ecs.describes, 1);
  EXPECT_EQ(h.cache.lookup("web:3"), nullptr);
  // The next use asks again, and succeeds.
  h.ensure("web:3", answers);
  h.drain();
  ASSERT_EQ(answers.size(), 3u);
  EXPECT_TRUE(answers[2]);
  EXPECT_EQ(h.ecs.describes, 2);
  EXPECT_EQ(h.cache.stats().failures, 1u);
}

TEST(TaskDefinitionCache, LookupOrFetchDescribesInTheBackgroundAndTellsListeners) {
  Harness h;
  std::vector<std::string> heard;
  h.cache.add_listener([&](const TaskDefinitionInfo& info) { heard.push_back(info.arn); });
  EXPECT_EQ(h.cache.lookup_or_fetch("web:3"), nullptr);
  EXPECT_EQ(h.cache.lookup_or_fetch("web:3"), nullptr);  // in flight: no second describe
  EXPECT_EQ(h.spawned, 1);
  h.drain();
  EXPECT_EQ(h.ecs.describes, 1);
  ASSERT_EQ(heard.size(), 1u);
  EXPECT_EQ(heard[0], "arn:aws:ecs:us-east-1:1:task-definition/web:3");
  EXPECT_NE(h.cache.lookup_or_fetch("web:3"), nullptr);
  EXPECT_EQ(h.spawned, 1);
}

TEST(TaskDefinitionCache, FamilyAliasExpiresButTheRevisionStays) {
  Harness h;
  std::vector<EcsResult<TaskDefinitionInfo>> answers;
  h.ensure("web", answers);
  h.drain();
  ASSERT_EQ(answers.size(), 1u);
  ASSERT_NE(h.cache.lookup("web"), nullptr);
  EXPECT_NE(h.cache.lookup("web:7"), nullptr);
  h.now += 2min;  // a newer revision may have been registered since
  EXPECT_EQ(h.cache.lookup("web"), nullptr);
  EXPECT_NE(h.cache.lookup("web:7"), nullptr);
}

TEST(TaskDefinitionCache, HealthCheckedNames) {
  Harness h;
  std::vector<EcsResult<TaskDefinitionInfo>> answers;
  h.ensure("checked:2", answers);
  h.ensure("plain:1", answers);
  h.drain();
  EXPECT_EQ(h.cache.health_checked_names(), std::vector<std::string>{"checked:2"});
}

aws::ecs::Task container_level_task(std::string arn, std::string td) {
  aws::ecs::Task t;  // no task-level cpu/memory: the containers carry them
  t.task_arn = std::move(arn);
  t.container_instance_arn = "ci/1";
  t.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/" + td;
  t.last_status = "RUNNING";
  t.desired_status = "RUNNING";
  t.started_by = "someone-else";
  t.version = 1;
  return t;
}

TEST(ModelReservations, KnownDefinitionFillsAtOnceUnknownOneWhenDescribed) {
  Harness h;
  std::vector<EcsResult<TaskDefinitionInfo>> answers;
  h.ensure("web:3", answers);
  h.drain();
  ClusterModel m("c");
  m.use_task_definitions(&h.cache);
  h.cache.add_listener([&](const TaskDefinitionInfo& info) { m.fill_reservations(info); });

  m.apply_task(container_level_task("t1", "web:3"), t0);
  EXPECT_EQ(m.task_for_test("t1")->reserved, (policy::CpuMemory{256, 512}));

  // Unknown: zero for now, one describe in the background for both tasks, then filled.
  m.apply_task(container_level_task("t2", "db:1"), t0);
  m.apply_task(container_level_task("t3", "db:1"), t0);
  EXPECT_EQ(m.task_for_test("t2")->reserved, (policy::CpuMemory{}));
  EXPECT_EQ(h.spawned, 1);
  h.drain();
  EXPECT_EQ(h.ecs.describes, 2);
  auto s = m.snapshot_all(t0);
  ASSERT_EQ(s.tasks.size(), 3u);
  for (const auto& t : s.tasks) EXPECT_EQ(t.reserved, (policy::CpuMemory{256, 512})) << t.arn;

  // A task-level figure wins over the definition's.
  auto sized = container_level_task("t4", "web:3");
  sized.cpu = "1024";
  sized.memory = "2048";
  m.apply_task(sized, t0);
  EXPECT_EQ(m.task_for_test("t4")->reserved, (policy::CpuMemory{1024, 2048}));
}

TEST(ModelReservations, AFailedDescribeIsRetriedOnTheNextEvent) {
  Harness h;
  h.ecs.fail_next = 1;
  ClusterModel m("c");
  m.use_task_definitions(&h.cache);
  h.cache.add_listener([&](const TaskDefinitionInfo& info) { m.fill_reservations(info); });
  m.apply_task(container_level_task("t1", "db:1"), t0);
  h.drain();
  EXPECT_EQ(m.task_for_test("t1")->reserved, (policy::CpuMemory{}));
  auto again = container_level_task("t1", "db:1");
  again.version = 2;
  m.apply_task(again, t0);
  h.drain();
  EXPECT_EQ(h.ecs.describes, 2);
  EXPECT_EQ(m.task_for_test("t1")->reserved, (policy::CpuMemory{256, 512}));
}

aws::ecs::TaskDefinition definition(std::string network_mode, std::string cpu, std::string memory, const char* containers) {
  aws::ecs::TaskDefinition td;
  td.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/web:3";
  td.network_mode = std::move(network_mode);
  td.cpu = std::move(cpu);
  td.memory = std::move(memory);
  td.container_definitions = boost::json::parse(containers).as_array();
  return td;
}

TEST(TaskDefinitionInfo, SumsContainersPreferringTheSoftMemoryLimit) {
  auto info = task_definition_info(definition("bridge", "", "", R"([
    {"name":"a","cpu":128,"memory":512,"memoryReservation":256,
     "portMappings":[{"containerPort":80,"hostPort":8080,"protocol":"tcp"},{"containerPort":81,"hostPort":0}]},
    {"name":"b","cpu":64,"memory":100,"healthCheck":{"command":["CMD","true"]},
     "portMappings":[{"containerPort":53,"hostPort":5353,"protocol":"udp"},{"containerPort":82}]}])"));
  EXPECT_EQ(info.cpu, 192);
  EXPECT_EQ(info.memory, 356);
  EXPECT_TRUE(info.has_health_check);
  EXPECT_EQ(info.host_tcp_ports, std::vector<std::uint16_t>{8080});  // dynamic ports take none of PORTS
  EXPECT_EQ(info.host_udp_ports, std::vector<std::uint16_t>{5353});
}

TEST(TaskDefinitionInfo, TaskLevelWinsHostModeBindsContainerPortsAwsvpcNone) {
  auto host = task_definition_info(definition("host", "1024", "2048", R"([
    {"name":"a","cpu":10,"memory":20,"portMappings":[{"containerPort":9100}]}])"));
  EXPECT_EQ(host.cpu, 1024);
  EXPECT_EQ(host.memory, 2048);
  EXPECT_FALSE(host.has_health_check);
  EXPECT_EQ(host.host_tcp_ports, std::vector<std::uint16_t>{9100});
  auto vpc = task_definition_info(definition("awsvpc", "256", "512", R"([
    {"name":"a","portMappings":[{"containerPort":80,"hostPort":80}]}])"));
  EXPECT_TRUE(vpc.host_tcp_ports.empty());
}

}  // namespace
}  // namespace berth::reactor
