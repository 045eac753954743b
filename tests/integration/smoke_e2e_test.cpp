// File: tests/integration/smoke_e2e_test.cpp — smoke end-to-end: berth-sim with 20 instances, berth serving
// against it; one daemon environment converges to exactly one RUNNING task per instance with ceil(20/10)
// StartTask calls, steady state then makes no ECS calls, and a restart launches nothing again.
#include "berth_process.hpp"
#include "sim_calls.hpp"
#include "sim_view.hpp"
#include "wait_until.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <thread>

namespace {

namespace json = boost::json;
using berth::testing::BerthProcess;
using namespace std::chrono_literals;

std::int64_t sim_calls(const berth::sim::SimProcess& sim, const char* op) {
  auto stats = sim.stats();
  const auto& calls = stats.at("api_calls").as_object();
  auto* n = calls.if_contains(op);
  return n ? n->to_number<std::int64_t>() : 0;
}

std::int64_t sim_calls_total(const berth::sim::SimProcess& sim) {
  // Only ECS operations: SQS calls (long polls, deletes) go on in steady state by design.
  static const char* ecs_ops[] = {"StartTask", "RunTask", "StopTask", "ListTasks", "DescribeTasks",
                                  "ListContainerInstances", "DescribeContainerInstances", "DescribeTaskDefinition"};
  std::int64_t total = 0;
  for (const char* op : ecs_ops) total += sim_calls(sim, op);
  return total;
}

bool converged(const berth::sim::SimProcess& sim, const std::string& cluster, const std::string& td,
               std::size_t instances) {
  auto per = berth::testing::running_tasks_per_instance(sim, cluster, td);
  if (per.size() != instances) return false;
  for (const auto& [arn, n] : per)
    if (n != 1) return false;
  return true;
}

TEST(SmokeE2E, DaemonEnvironmentConvergesWithBatchedStartsAndQuietSteadyState) {
  constexpr std::size_t instances = 20;
  berth::sim::SimProcess sim({"--instances", std::to_string(instances), "--task-start-ms", "200"});
  const std::string td = berth::testing::register_task_definition(sim, "web");
  ASSERT_EQ(td, "web:1");

  BerthProcess berth(sim);
  // The cluster model is bootstrapped before anything is planned.
  ASSERT_TRUE(berth::testing::wait_until(
      [&] { return berth.stats().at("clusters").at("default").at("ready").as_bool(); }, 30s))
      << berth.log_tail();

  auto created = berth.post_json("/v1/environments", json::object{{"name", "web"},
                                                                   {"instanceGroup", {{"cluster", "default"}}},
                                                                   {"taskDefinition", td}});
  EXPECT_EQ(created.at("name").as_string(), "web");

  ASSERT_TRUE(berth::testing::wait_until([&] { return converged(sim, "default", td, instances); }, 60s))
      << berth.log_tail();

  // Batches of 10 instances per StartTask: ceil(20 / 10) calls, no task started twice.
  EXPECT_EQ(sim_calls(sim, "StartTask"), 2);
  // berth's model learns RUNNING from the events, a moment after the sim shows it (more under load).
  std::size_t running = 0;
  EXPECT_TRUE(berth::testing::wait_until(
      [&] {
        running = 0;
        const auto view = berth.get_json("/v1/clusters/default/tasks");  // kept: the loop below views into it
        for (const auto& t : view.at("tasks").as_array())
          if (t.at("lastStatus").as_string() == "RUNNING" && t.at("desiredStatus").as_string() == "RUNNING") ++running;
        return running == instances;
      },
      30s))
      << running << " of " << instances << " RUNNING in berth's model";
  EXPECT_EQ(berth.get_json("/v1/clusters/default/instances").at("instances").as_array().size(), instances);

  // Steady state: events keep flowing in through SQS, but no ECS call is made (no polling of ECS).
  // Let the pending events (PENDING -> RUNNING, resource updates) drain first.
  ASSERT_TRUE(berth::testing::wait_until(
      [&] { return sim.stats().at("queue_visible").to_number<std::int64_t>() == 0 &&
                   sim.stats().at("queue_inflight").to_number<std::int64_t>() == 0; },
      30s));
  const auto ecs_before = sim_calls_total(sim);
  const auto berth_before = berth.stats().at("ecs").at("calls_total").to_number<std::int64_t>();
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(sim_calls_total(sim), ecs_before);
  EXPECT_EQ(berth.stats().at("ecs").at("calls_total").to_number<std::int64_t>(), berth_before);
  EXPECT_EQ(converged(sim, "default", td, instances), true);

  // GET /metrics: the same registry in the Prometheus text format, with the work queue's depth and the last
  // plan's skip reasons (steady state: every instance already has its task).
  const std::string skip_series = "berth_plan_skipped_instances{kind=\"daemon\",workload=\"web\",reason=\"has_task\"} " +
                                  std::to_string(instances) + "\n";
  berth::testing::HttpResult metrics;
  EXPECT_TRUE(berth::testing::wait_until(
      [&] {
        metrics = berth.request("GET", "/metrics");
        return metrics.body.find(skip_series) != std::string::npos;
      },
      10s))
      << metrics.body.substr(0, 4000);
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_EQ(metrics.header("Content-Type"), "text/plain; version=0.0.4");
  EXPECT_NE(metrics.body.find("# TYPE berth_work_queue_depth gauge\nberth_work_queue_depth "), std::string::npos);
  EXPECT_EQ(berth.stats().at("plans").at("daemon/web").at("has_task").to_number<std::int64_t>(),
            static_cast<std::int64_t>(instances));
  EXPECT_TRUE(berth.stats().at("reconcile").as_object().contains("queue_depth"));

  auto stats = berth.stats();
  EXPECT_EQ(stats.at("events").at("malformed").to_number<std::int64_t>(), 0);
  EXPECT_GT(stats.at("events").at("applied").to_number<std::int64_t>(), 0);
  EXPECT_EQ(stats.at("reconcile").at("tasks_started").to_number<std::int64_t>(), static_cast<std::int64_t>(instances));

  // A restart bootstraps the model from ECS before planning: nothing is launched again.
  EXPECT_EQ(berth.stop(), 0) << berth.log_tail();
  berth.start();
  ASSERT_TRUE(berth::testing::wait_until(
      [&] { return berth.stats().at("clusters").at("default").at("ready").as_bool(); }, 30s))
      << berth.log_tail();
  ASSERT_TRUE(berth::testing::wait_until(
      [&] { return berth.stats().at("reconcile").at("runs").to_number<std::int64_t>() >= 1; }, 30s));
  EXPECT_EQ(sim_calls(sim, "StartTask"), 2);
  EXPECT_EQ(berth.stats().at("reconcile").at("tasks_started").to_number<std::int64_t>(), 0);
  EXPECT_TRUE(converged(sim, "default", td, instances));
  EXPECT_EQ(berth.stop(), 0) << berth.log_tail();
}

}  // namespace
