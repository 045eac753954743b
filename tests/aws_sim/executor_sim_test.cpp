// File: tests/aws_sim/executor_sim_test.cpp — the executor's RunTask path through the real adapter and client
// against berth-sim: launched tasks enter the model as expectations, a retry with the same clientToken launches
// nothing new, the token reused with other parameters is refused, a RunTask without a token is never sent.
#include "reactor/ecs_api_adapter.hpp"
#include "reactor/executor.hpp"
#include "sim_fixture.hpp"

#include <set>

namespace berth::aws::simtest {
namespace {

reactor::RunTaskRequest job_launch(std::string token, int count) {
  reactor::RunTaskRequest r;
  r.cluster = "default";
  r.task_definition = "job";
  r.count = count;
  r.client_token = std::move(token);
  r.started_by = "berth-job/0123456789abcdef";
  r.group = "berth-job:nightly:slot-1";
  r.placement_constraints = {{"distinctInstance", ""}};
  return r;
}

std::size_t live_tasks_started_by(SimClients& c, const std::string& started_by) {
  ecs::ListTasksRequest req;
  req.cluster = "default";
  req.started_by = started_by;
  auto listed = c.await(c.ecs.list_all_tasks(req));
  EXPECT_TRUE(listed) << (listed ? "" : listed.error().describe());
  return listed ? listed->size() : 0;
}

TEST(ExecutorAgainstSim, RunTaskIsIdempotentPerClientTokenAndFeedsTheModel) {
  SimClients c({"--instances", "3"});
  c.register_family("job", 10, 64);
  metrics::Registry registry;
  reactor::EcsApiAdapter adapter(c.ecs, registry);
  reactor::Executor executor(adapter, [] { return std::chrono::system_clock::now(); }, registry);
  reactor::ClusterModel model("default");

  reactor::Execution first;
  auto tasks = c.await(executor.run(model, job_launch("nightly-slot-1", 2), first));
  ASSERT_TRUE(first.success) << first.error.value_or("");
  ASSERT_EQ(tasks.size(), 2u);
  EXPECT_EQ(first.started, 2u);
  std::set<std::string> arns;
  for (const auto& t : tasks) {
    arns.insert(t.task_arn);
    EXPECT_EQ(t.group, "berth-job:nightly:slot-1");
    auto in_model = model.task_for_test(t.task_arn);
    ASSERT_TRUE(in_model) << t.task_arn;
    EXPECT_TRUE(in_model->expected);  // counted by the next plan before any event arrives
  }

  // The same launch again (a retry after a lost answer, or after a restart): ECS answers the first tasks.
  reactor::Execution again;
  auto replay = c.await(executor.run(model, job_launch("nightly-slot-1", 2), again));
  ASSERT_TRUE(again.success) << again.error.value_or("");
  std::set<std::string> replay_arns;
  for (const auto& t : replay) replay_arns.insert(t.task_arn);
  EXPECT_EQ(replay_arns, arns);
  EXPECT_EQ(live_tasks_started_by(c, "berth-job/0123456789abcdef"), 2u);

  // The token with other parameters: refused, nothing launched.
  reactor::Execution conflict;
  auto none = c.await(executor.run(model, job_launch("nightly-slot-1", 3), conflict));
  EXPECT_FALSE(conflict.success);
  EXPECT_TRUE(none.empty());
  EXPECT_EQ(conflict.in_doubt, 0u);
  EXPECT_NE(conflict.error.value_or("").find("ConflictException"), std::string::npos) << conflict.error.value_or("");
  EXPECT_EQ(live_tasks_started_by(c, "berth-job/0123456789abcdef"), 2u);

  // Without a token the call is refused before it is sent: a caller that crashed could not retry it safely.
  const auto run_calls = c.sim_stat("api_calls", "RunTask");
  reactor::Execution untokened;
  auto refused = c.await(executor.run(model, job_launch("", 1), untokened));
  EXPECT_FALSE(untokened.success);
  EXPECT_TRUE(refused.empty());
  EXPECT_EQ(c.sim_stat("api_calls", "RunTask"), run_calls);

  EXPECT_EQ(executor.stats().run_calls, 4u);
  EXPECT_EQ(executor.stats().tasks_started, 4u);  // 2 + the 2 answered again
  EXPECT_EQ(adapter.stats().calls.at("RunTask"), 4u);
}

TEST(ExecutorAgainstSim, RunTaskPlacementFailuresAreCountedNotFatal) {
  SimClients c({"--instances", "2"});
  c.register_family("job", 10, 64);
  metrics::Registry registry;
  reactor::EcsApiAdapter adapter(c.ecs, registry);
  reactor::Executor executor(adapter, [] { return std::chrono::system_clock::now(); }, registry);
  reactor::ClusterModel model("default");

  reactor::Execution out;
  auto tasks = c.await(executor.run(model, job_launch("wide", 3), out));  // distinctInstance on 2 instances
  EXPECT_TRUE(out.success);
  EXPECT_EQ(tasks.size(), 2u);
  EXPECT_EQ(out.start_failures, 1u);
}

}  // namespace
}  // namespace berth::aws::simtest
