// File: tests/e2e/service_rollout_test.cpp — replica services changing under load: a rolling update within
// maximumPercent / minimumHealthyPercent (sampled), a crashing revision tripping the circuit breaker and rolled
// back (or, without rollback, halted and recorded once), a draining instance's task replaced before it is
// stopped, a killed instance's task replaced, binpack filling one instance first, and a fixed host port allowing
// one task per instance.
#include "e2e_fixture.hpp"

#include <algorithm>

namespace berth::e2e {
namespace {

using ServiceRollout = E2eTest;

json::object service_body(const std::string& name, const std::string& td, int count,
                          json::object deployment = {}) {
  json::object body{{"name", name}, {"cluster", "default"}, {"taskDefinition", td}, {"desiredCount", count}};
  if (!deployment.empty()) body["deploymentConfiguration"] = std::move(deployment);
  return body;
}

// Live tasks of `family` (any revision), and those RUNNING with desired RUNNING.
struct Counts {
  std::size_t live = 0, running = 0;
};
Counts counts(const SimView& view, const std::string& family, const std::string& td = {}) {
  Counts c;
  for (const auto& t : view.tasks) {
    if (t.family() != family || !t.live() || (!td.empty() && t.task_definition != td)) continue;
    ++c.live;
    if (t.healthy()) ++c.running;
  }
  return c;
}

std::string deployment_status_of(BerthProcess& berth, const std::string& service, const std::string& id) {
  try {
    return std::string(
        berth.get_json("/v1/services/" + service + "/deployments/" + id).at("status").as_string());
  } catch (const std::exception&) {
    return {};
  }
}

std::string wait_final(BerthProcess& berth, const std::string& service, const std::string& id) {
  std::string status;
  wait_until(
      [&] {
        status = deployment_status_of(berth, service, id);
        return status == "completed" || status == "failed" || status == "rolled_back";
      },
      converge_timeout);
  return status;
}

TEST_F(ServiceRollout, RollingUpdateStaysWithinMaximumPercentAndMinimumHealthyPercent) {
  start_sim({"--instances", "4"});
  const auto v1 = register_task_definition(sim(), "web", 128, 128);
  const auto v2 = register_task_definition(sim(), "web", 128, 128);
  start_berth();
  // 4 tasks: at most 6 running (150%), at least 2 healthy (50%) during the update.
  auto created = berth().post_json(
      "/v1/services", service_body("web", v1, 4,
                                   json::object{{"minimumHealthyPercent", 50}, {"maximumPercent", 150},
                                                {"minHealthySeconds", 1}}));
  const std::string first(created.at("activeDeploymentId").as_string());
  ASSERT_EQ(wait_final(berth(), "web", first), "completed");
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "web", v1).running == 4; }, converge_timeout));

  std::atomic<std::size_t> max_live{0}, min_running{4};
  Sampler sampler([&] {
    auto c = counts(sim_view(sim()), "web");
    max_live = std::max<std::size_t>(max_live, c.live);
    min_running = std::min<std::size_t>(min_running, c.running);
  });
  auto updated = berth().put_json(
      "/v1/services/web", service_body("web", v2, 4,
                                       json::object{{"minimumHealthyPercent", 50}, {"maximumPercent", 150},
                                                    {"minHealthySeconds", 1}}));
  EXPECT_EQ(updated.at("version"), 2);
  const std::string id(updated.at("activeDeploymentId").as_string());
  EXPECT_EQ(wait_final(berth(), "web", id), "completed");
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "web", v2).running == 4; }, converge_timeout));
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "web").live == 4; }, converge_timeout));
  sampler.stop();
  EXPECT_GT(sampler.rounds(), 3u);
  EXPECT_LE(max_live.load(), 6u) << "more than maximumPercent running";
  EXPECT_GE(min_running.load(), 2u) << "fewer than minimumHealthyPercent healthy";
  EXPECT_TRUE(berth().get_json("/v1/services/web/versions").at("items").as_array()[1].at("stable").as_bool());
}

TEST_F(ServiceRollout, ACrashingRevisionTripsTheCircuitBreakerAndRollsBack) {
  start_sim({"--instances", "3"});
  const auto good = register_task_definition(sim(), "flaky", 128, 128);
  const auto bad = register_task_definition(sim(), "flaky", 128, 128);
  start_berth();
  const json::object deployment{{"deploymentCircuitBreaker", json::object{{"enable", true}, {"rollback", true}}},
                                {"minHealthySeconds", 1}};
  auto created = berth().post_json("/v1/services", service_body("flaky", good, 3, deployment));
  ASSERT_EQ(wait_final(berth(), "flaky", std::string(created.at("activeDeploymentId").as_string())), "completed");

  CrashLoop crasher(sim(), bad);
  auto updated = berth().put_json("/v1/services/flaky", service_body("flaky", bad, 3, deployment));
  const std::string id(updated.at("activeDeploymentId").as_string());
  EXPECT_EQ(wait_final(berth(), "flaky", id), "rolled_back");
  auto service = berth().get_json("/v1/services/flaky");
  EXPECT_EQ(service.at("taskDefinition").as_string(), good);
  EXPECT_EQ(service.at("version"), 1);  // back to the last stable version
  EXPECT_TRUE(wait_until([&] { return counts(sim_view(sim()), "flaky", good).running == 3; }, converge_timeout));
  crasher.stop();
  // ECS's threshold for 3 tasks: max(3, ceil(0.5 x 3)) = 3 failures.
  EXPECT_GE(crasher.crashed(), 3);
  EXPECT_GE(berth().get_json("/v1/services/flaky/deployments/" + id).at("failedCount").to_number<int>(), 3);
}

// Without rollback the tripped deployment halts as failed; later syncs must not rewrite it (its end is recorded
// once, not on every event) and the service is not rolled back.
TEST_F(ServiceRollout, AHaltedDeploymentIsRecordedOnceNotRewrittenOnEverySync) {
  start_sim({"--instances", "3"});
  const auto good = register_task_definition(sim(), "halt", 128, 128);
  const auto bad = register_task_definition(sim(), "halt", 128, 128);
  start_berth();
  const json::object deployment{{"deploymentCircuitBreaker", json::object{{"enable", true}, {"rollback", false}}},
                                {"minHealthySeconds", 1}};
  auto created = berth().post_json("/v1/services", service_body("halt", good, 3, deployment));
  ASSERT_EQ(wait_final(berth(), "halt", std::string(created.at("activeDeploymentId").as_string())), "completed");
  CrashLoop crasher(sim(), bad);
  auto updated = berth().put_json("/v1/services/halt", service_body("halt", bad, 3, deployment));
  const std::string id(updated.at("activeDeploymentId").as_string());
  ASSERT_EQ(wait_final(berth(), "halt", id), "failed");
  crasher.stop();
  const auto path = "/v1/services/halt/deployments/" + id;
  const auto ended = berth().get_json(path).at("endedAt");
  ASSERT_FALSE(ended.is_null());
  auto syncs = [&] { return berth().stats().at("reconcile").at("by_kind").at("service").at("syncs").to_number<int>(); };
  const int before = syncs();
  // Scaling is not a deployment: each scale is a sync that judges the halted deployment again.
  berth().post_json("/v1/services/halt/scale", json::object{{"desiredCount", 2}});
  berth().post_json("/v1/services/halt/scale", json::object{{"desiredCount", 3}});
  ASSERT_TRUE(wait_until([&] { return syncs() >= before + 2; }, converge_timeout));
  const auto after = berth().get_json(path);
  EXPECT_EQ(after.at("status"), "failed");
  EXPECT_EQ(after.at("endedAt"), ended) << "the halted deployment was rewritten by a later sync";
  // The failed deployment is no longer the active one: the service stays on its new version, not rolled back.
  const auto service = berth().get_json("/v1/services/halt");
  EXPECT_EQ(service.at("taskDefinition").as_string(), bad) << json::serialize(service);
}

TEST_F(ServiceRollout, ADrainingInstancesTaskIsReplacedBeforeItIsStoppedAndAKilledOnesAtOnce) {
  start_sim({"--instances", "3"});
  const auto td = register_task_definition(sim(), "web", 128, 128);
  start_berth();
  berth().post_json("/v1/services", service_body("web", td, 2, json::object{{"minHealthySeconds", 1}}));
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "web").running == 2; }, converge_timeout));
  std::string drained;
  for (const auto& [instance, tasks] : sim_view(sim()).live_by_instance("web")) drained = instance;

  std::atomic<std::size_t> min_running{2};
  Sampler sampler([&] { min_running = std::min<std::size_t>(min_running, counts(sim_view(sim()), "web").running); });
  sim().post("/_sim/instances/drain", json::object{{"container_instance", drained}});
  ASSERT_TRUE(wait_until(
      [&] {
        auto view = sim_view(sim());
        return counts(view, "web").live == 2 && counts(view, "web").running == 2 &&
               !view.live_by_instance("web").contains(drained);
      },
      converge_timeout));
  sampler.stop();
  EXPECT_GE(min_running.load(), 2u) << "the draining instance's task was stopped before its replacement ran";

  // An instance killed outright: its task is gone and replaced elsewhere.
  std::string victim;
  for (const auto& [instance, tasks] : sim_view(sim()).live_by_instance("web")) victim = instance;
  sim().post("/_sim/instances/kill", json::object{{"container_instance", victim}});
  EXPECT_TRUE(wait_until(
      [&] {
        auto view = sim_view(sim());
        std::size_t elsewhere = 0;
        for (const auto& [instance, tasks] : view.live_by_instance("web"))
          if (instance != victim && instance != drained)
            for (const auto& t : tasks) elsewhere += t.healthy() ? 1 : 0;
        return elsewhere == 2;
      },
      converge_timeout));
}

TEST_F(ServiceRollout, BinpackFillsOneInstanceFirstAndAFixedHostPortAllowsOnePerInstance) {
  // Binpack fills half of one instance's CPU; the port service then fits on every instance but for the port.
  start_sim({"--instances", "3", "--instance-cpu", "2048", "--instance-memory", "4096"});
  const auto small = register_task_definition(sim(), "small", 256, 256);
  // A container that binds host port 8080: two tasks of it never share an instance.
  auto r = ecs_call(sim(), "RegisterTaskDefinition",
                    json::object{{"family", "port"},
                                 {"networkMode", "bridge"},
                                 {"containerDefinitions",
                                  json::array{json::object{{"name", "app"},
                                                           {"image", "busybox"},
                                                           {"cpu", 64},
                                                           {"memory", 64},
                                                           {"essential", true},
                                                           {"portMappings", json::array{json::object{
                                                                                {"containerPort", 80},
                                                                                {"hostPort", 8080}}}}}}}});
  ASSERT_EQ(r.status, 200) << r.body;
  start_berth();
  auto body = service_body("small", small, 4);
  body["placementStrategy"] = json::array{json::object{{"type", "binpack"}, {"field", "cpu"}}};
  berth().post_json("/v1/services", body);
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "small").running == 4; }, converge_timeout));
  EXPECT_EQ(sim_view(sim()).live_by_instance("small").size(), 1u) << "binpack spread the tasks";

  berth().post_json("/v1/services", service_body("port", "port:1", 4));
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "port").running == 3; }, converge_timeout));
  for (const auto& [instance, tasks] : sim_view(sim()).live_by_instance("port")) EXPECT_EQ(tasks.size(), 1u);
  json::value unplaced;
  EXPECT_TRUE(wait_until(
      [&] {
        unplaced = berth().get_json("/v1/services/port").at("unplaced");
        return unplaced.at("count") == 1;
      },
      30s))
      << json::serialize(unplaced);
  const auto* ports = unplaced.at("reasons").as_object().if_contains("RESOURCE:PORTS");
  EXPECT_TRUE(ports != nullptr && ports->to_number<int>() >= 1) << json::serialize(unplaced);
}

// SIGKILL of berth in the middle of a rolling update, restart on the same store: the update finishes and the
// counts converge with no task of the new revision launched twice (the model is rebuilt from ECS, the plan from
// the store's deployment).
TEST_F(ServiceRollout, ARollingUpdateSurvivesSigkillWithoutADoubleLaunch) {
  start_sim({"--instances", "6", "--task-start-ms", "800"});
  const auto v1 = register_task_definition(sim(), "phoenix", 128, 128);
  const auto v2 = register_task_definition(sim(), "phoenix", 128, 128);
  start_berth();
  const json::object deployment{{"minimumHealthyPercent", 50}, {"maximumPercent", 150}, {"minHealthySeconds", 1}};
  auto created = berth().post_json("/v1/services", service_body("phoenix", v1, 6, deployment));
  ASSERT_EQ(wait_final(berth(), "phoenix", std::string(created.at("activeDeploymentId").as_string())), "completed");
  auto updated = berth().put_json("/v1/services/phoenix", service_body("phoenix", v2, 6, deployment));
  const std::string id(updated.at("activeDeploymentId").as_string());
  // Kill as soon as the first v2 launch reached the sim.
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "phoenix", v2).live > 0; }, converge_timeout, 10ms));
  berth().kill_hard();
  berth().start();
  EXPECT_EQ(wait_final(berth(), "phoenix", id), "completed");
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "phoenix", v2).running == 6; }, converge_timeout));
  ASSERT_TRUE(wait_until([&] { return counts(sim_view(sim()), "phoenix").live == 6; }, converge_timeout));
  std::size_t v2_launched = 0;
  for (const auto& t : sim_view(sim()).tasks) v2_launched += t.task_definition == v2 ? 1 : 0;
  EXPECT_EQ(v2_launched, 6u) << "a v2 task was launched twice";
}

}  // namespace
}  // namespace berth::e2e
