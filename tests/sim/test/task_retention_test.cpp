// File: tests/sim/test/task_retention_test.cpp — STOPPED tasks are forgotten after --stopped-task-retention-ms.
#include "ecs_engine.hpp"
#include "test_util.hpp"

#include <boost/asio/io_context.hpp>

namespace berth::sim::test {
namespace {

std::vector<std::string> run_tasks(const SimProcess& sim, const std::string& family, int count) {
  auto r = sim.ecs("RunTask", json::object{{"taskDefinition", family}, {"count", count}});
  EXPECT_EQ(r.status, 200u) << r.body;
  std::vector<std::string> arns;
  auto body = r.json();  // keep the parsed body alive while iterating it
  for (const auto& t : body.at("tasks").as_array()) arns.emplace_back(t.at("taskArn").as_string());
  return arns;
}

json::object describe(const SimProcess& sim, const std::string& arn) {
  return sim.ecs("DescribeTasks", json::object{{"tasks", json::array{json::value(arn)}}}).json().as_object();
}

bool missing(const SimProcess& sim, const std::string& arn) {
  auto d = describe(sim, arn);
  const auto& f = d.at("failures").as_array();
  return d.at("tasks").as_array().empty() && f.size() == 1 && f[0].at("reason") == "MISSING" && f[0].at("arn").as_string() == arn;
}

std::size_t stopped_listed(const SimProcess& sim) {
  auto r = sim.ecs("ListTasks", json::object{{"desiredStatus", "STOPPED"}});
  return r.json().at("taskArns").as_array().size();
}

TEST(TaskRetention, StoppedTasksStayVisibleWithTheDefaultRetention) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_taskdef(sim, "web", 10, 10);
  auto arns = run_tasks(sim, "web", 2);
  ASSERT_EQ(arns.size(), 2u);
  ASSERT_EQ(sim.ecs("StopTask", json::object{{"task", arns[0]}}).status, 200u);
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arns[0]).at("lastStatus") == "STOPPED"; }));
  // Still there (retention is an hour): described, listed, counted.
  EXPECT_EQ(describe_task(sim, arns[0]).at("stopCode"), "UserInitiated");
  EXPECT_EQ(stopped_listed(sim), 1u);
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("tasks_total").as_int64(), 2);
  EXPECT_EQ(stats.at("tasks_pruned").as_int64(), 0);
}

TEST(TaskRetention, StoppedTasksAreForgottenAfterTheRetention) {
  SimProcess sim(fast_args({"--instances", "2", "--stopped-task-retention-ms", "200"}));
  register_taskdef(sim, "web", 10, 10);
  auto arns = run_tasks(sim, "web", 4);
  ASSERT_EQ(arns.size(), 4u);
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arns[3]).at("lastStatus") == "RUNNING"; }));
  ASSERT_EQ(sim.ecs("StopTask", json::object{{"task", arns[0]}}).status, 200u);
  sim.post("/_sim/tasks/fail", json::object{{"task", arns[1]}, {"exit_code", 3}});

  ASSERT_TRUE(eventually([&] { return missing(sim, arns[0]) && missing(sim, arns[1]); }));
  EXPECT_EQ(stopped_listed(sim), 0u);
  // The running ones are untouched.
  EXPECT_EQ(describe_task(sim, arns[2]).at("lastStatus"), "RUNNING");
  EXPECT_EQ(describe_task(sim, arns[3]).at("lastStatus"), "RUNNING");
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("tasks_total").as_int64(), 2);
  EXPECT_EQ(stats.at("tasks_pruned").as_int64(), 2);
  auto st = sim.state().at("clusters").at(0);
  EXPECT_EQ(st.at("stopped_tasks").as_int64(), 0);
  EXPECT_EQ(st.at("running_tasks").as_int64(), 2);

  // A pruned task is gone for StopTask and the control API too.
  auto r = sim.ecs("StopTask", json::object{{"task", arns[0]}});
  EXPECT_EQ(r.json().at("__type"), "InvalidParameterException");
  EXPECT_EQ(sim.request("POST", "/_sim/tasks/stop", R"({"task":")" + arns[1] + R"("})").status, 400u);

  // The events of the pruned tasks were published before they were forgotten.
  int stopped_events = 0;
  for (const auto& e : drain_events(sim))
    if (e.at("detail-type") == "ECS Task State Change" && e.at("detail").at("lastStatus") == "STOPPED") ++stopped_events;
  EXPECT_EQ(stopped_events, 2);

  // Freed slots are reused by new tasks, which run and stop normally.
  auto more = run_tasks(sim, "web", 3);
  ASSERT_EQ(more.size(), 3u);
  ASSERT_TRUE(eventually([&] {
    for (const auto& a : more)
      if (describe_task(sim, a).at("lastStatus") != "RUNNING") return false;
    return true;
  }));
  EXPECT_EQ(sim.stats().at("tasks_total").as_int64(), 5);
  for (const auto& a : more) sim.ecs("StopTask", json::object{{"task", a}});
  ASSERT_TRUE(eventually([&] { return missing(sim, more[0]) && missing(sim, more[1]) && missing(sim, more[2]); }));
  EXPECT_EQ(sim.stats().at("tasks_pruned").as_int64(), 5);
  EXPECT_EQ(sim.stats().at("tasks_total").as_int64(), 2);
}

TEST(TaskRetention, RejectsABadRetentionFlag) {
  EXPECT_THROW(SimProcess(fast_args({"--stopped-task-retention-ms", "-1"})), std::runtime_error);
  EXPECT_THROW(SimProcess(fast_args({"--stopped-task-retention-ms", "soon"})), std::runtime_error);
}

// In process: a lifecycle timer of a pruned task must not move the task that reuses its slot.
TEST(TaskRetention, StaleTimersOfAPrunedTaskDoNotTouchTheSlotsNextTask) {
  boost::asio::io_context ioc;
  Timers timers(ioc);
  Random random(3);
  std::vector<std::string> events;
  EcsOptions options;
  options.task_start = std::chrono::milliseconds(100);
  options.stopped_task_retention = std::chrono::milliseconds(0);
  EcsEngine ecs(timers, random, options, [&](std::string e) { events.push_back(std::move(e)); });
  ecs.ensure_cluster("default");
  ecs.add_instances("default", 1, InstanceSpec{});
  auto td = json::parse(R"({"family":"web","containerDefinitions":[{"name":"web","image":"i","cpu":10,"memory":10}]})");
  ASSERT_FALSE(ecs.call("RegisterTaskDefinition", td.as_object()).error);
  json::object run{{"taskDefinition", "web"}, {"count", 1}};

  auto first = ecs.call("RunTask", run);
  ASSERT_FALSE(first.error);
  std::string first_arn(first.body.at("tasks").at(0).at("taskArn").as_string());
  ASSERT_FALSE(ecs.task_action(first_arn, "fail", 1, ""));  // STOPPED while PROVISIONING
  while (ecs.tasks_pruned() == 0) ioc.run_one();             // the sweep (retention 0) forgets it
  EXPECT_EQ(ecs.live_tasks(), 0u);

  // The next task takes the freed slot; its own lifecycle is an hour away.
  ecs.options().task_start = std::chrono::hours(1);
  auto second = ecs.call("RunTask", run);
  ASSERT_FALSE(second.error);
  EXPECT_EQ(ecs.state().tasks.size(), 1u);  // slot reused
  std::string second_arn(second.body.at("tasks").at(0).at("taskArn").as_string());
  EXPECT_NE(second_arn, first_arn);
  // Run the first task's two stale timers (PENDING at 50 ms, RUNNING at 100 ms); only the
  // second task's own two remain afterwards.
  while (timers.pending() > 2) ioc.run_one();
  auto d = ecs.call("DescribeTasks", json::object{{"tasks", json::array{json::value(second_arn)}}});
  ASSERT_FALSE(d.error);
  EXPECT_EQ(d.body.at("tasks").at(0).at("lastStatus"), "PROVISIONING");
  EXPECT_EQ(d.body.at("tasks").at(0).at("version").as_int64(), 1);
  d = ecs.call("DescribeTasks", json::object{{"tasks", json::array{json::value(first_arn)}}});
  EXPECT_EQ(d.body.at("failures").at(0).at("reason"), "MISSING");
}

}  // namespace
}  // namespace berth::sim::test
