// File: tests/e2e/service_test.cpp — replica services end to end: berth places N tasks itself (spread over the
// sim's availability zones, then instances), scales them, waits for capacity without a timer and stops them on
// delete, beside a daemon environment of the same name whose tasks it never touches.
#include "e2e_fixture.hpp"

#include <map>

namespace berth::e2e {
namespace {

using ServiceTest = E2eTest;

json::object service_body(const std::string& name, const std::string& td, int count) {
  return json::object{{"name", name}, {"cluster", "default"}, {"taskDefinition", td}, {"desiredCount", count}};
}

// Availability zone of each container instance, from ECS's own attribute (DescribeContainerInstances).
std::map<std::string, std::string> zones(const SimProcess& sim, const std::set<std::string>& instances) {
  json::array arns;
  for (const auto& i : instances) arns.emplace_back(i);
  auto r = ecs_call(sim, "DescribeContainerInstances",
                    json::object{{"cluster", "default"}, {"containerInstances", std::move(arns)}});
  std::map<std::string, std::string> out;
  const json::value body = r.json();  // named: the loop below views into it
  for (const auto& ci : body.at("containerInstances").as_array()) {
    for (const auto& a : ci.at("attributes").as_array()) {
      if (a.at("name").as_string() == "ecs.availability-zone")
        out[std::string(ci.at("containerInstanceArn").as_string())] = std::string(a.at("value").as_string());
    }
  }
  return out;
}

// Live tasks of `family` per availability zone.
std::map<std::string, std::size_t> per_zone(const SimView& view, const std::string& family,
                                            const std::map<std::string, std::string>& zone_of) {
  std::map<std::string, std::size_t> out;
  for (const auto& [instance, tasks] : view.live_by_instance(family)) out[zone_of.at(instance)] += tasks.size();
  return out;
}

std::size_t live_count(const SimProcess& sim, const std::string& family) {
  std::size_t n = 0;
  for (const auto& [instance, tasks] : sim_view(sim).live_by_instance(family)) n += tasks.size();
  return n;
}

TEST_F(ServiceTest, SpreadsOverZonesScalesAndStopsOnDeleteBesideADaemonOfTheSameName) {
  start_sim({"--instances", "6"});
  const auto web = register_task_definition(sim(), "web", 256, 256);
  const auto agent = register_task_definition(sim(), "agent", 128, 128);
  start_berth();
  const auto instances = sim_view(sim()).instance_arns();
  const auto zone_of = zones(sim(), instances);
  ASSERT_EQ(zone_of.size(), 6u);

  // A daemon environment and a service, both named "web": each owns only its own tasks.
  create_environment(environment_body("web", agent));
  ASSERT_TRUE(converges("agent", instances, agent));
  // A dry run answers the plan and writes nothing.
  auto plan = berth().post_json("/v1/services?dryRun=true", service_body("web", web, 6));
  EXPECT_EQ(plan.at("starts").as_array().size(), 6u) << json::serialize(plan);
  EXPECT_TRUE(plan.at("stops").as_array().empty());
  EXPECT_EQ(plan.at("unplaced").at("count"), 0);
  EXPECT_EQ(berth().api("GET", "/v1/services/web").status, 404);
  berth().post_json("/v1/services", service_body("web", web, 6));
  ASSERT_TRUE(converges("agent", instances, agent));
  ASSERT_TRUE(wait_until([&] { return live_count(sim(), "web") == 6; }, 60s)) << live_count(sim(), "web");
  // Spread over zones, then instances: 2 per zone, 1 per instance.
  auto view = sim_view(sim());
  for (const auto& [zone, n] : per_zone(view, "web", zone_of)) EXPECT_EQ(n, 2u) << zone;
  for (const auto& [instance, tasks] : view.live_by_instance("web")) EXPECT_EQ(tasks.size(), 1u) << instance;
  EXPECT_EQ(berth().get_json("/v1/services/web").at("unplaced").at("count"), 0);
  EXPECT_EQ(berth().get_json("/v1/services/web/tasks").at("items").as_array().size(), 6u);
  // A dry-run scale to 3 stops 3 (one per zone) and changes nothing.
  auto scale_plan = berth().post_json("/v1/services/web/scale?dryRun=true", json::object{{"desiredCount", 3}});
  EXPECT_EQ(scale_plan.at("stops").as_array().size(), 3u) << json::serialize(scale_plan);
  EXPECT_EQ(berth().get_json("/v1/services/web").at("desiredCount"), 6);

  // Scale down: zones stay balanced (one each), the daemon keeps its six.
  berth().post_json("/v1/services/web/scale", json::object{{"desiredCount", 3}});
  ASSERT_TRUE(wait_until([&] { return live_count(sim(), "web") == 3; }, 60s)) << live_count(sim(), "web");
  for (const auto& [zone, n] : per_zone(sim_view(sim()), "web", zone_of)) EXPECT_EQ(n, 1u) << zone;
  EXPECT_TRUE(converges("agent", instances, agent, 5s));

  // Scale up again, then delete: the service's tasks stop, the daemon's stay.
  berth().post_json("/v1/services/web/scale", json::object{{"desiredCount", 5}});
  ASSERT_TRUE(wait_until([&] { return live_count(sim(), "web") == 5; }, 60s)) << live_count(sim(), "web");
  berth().delete_json("/v1/services/web");
  ASSERT_TRUE(wait_until([&] { return live_count(sim(), "web") == 0; }, 60s)) << live_count(sim(), "web");
  EXPECT_TRUE(converges("agent", instances, agent, 5s));
}

// Event-driven: once a service has converged (and its deployment is recorded), it costs no ECS call.
TEST_F(ServiceTest, AConvergedServiceMakesNoEcsCalls) {
  start_sim({"--instances", "4"});
  const auto td = register_task_definition(sim(), "quiet", 128, 128);
  BerthOptions options;
  options.audit_interval = "1h";
  start_berth(options);
  auto created = berth().post_json("/v1/services",
                                   json::object{{"name", "quiet"},
                                                {"cluster", "default"},
                                                {"taskDefinition", td},
                                                {"desiredCount", 4},
                                                {"deploymentConfiguration", json::object{{"minHealthySeconds", 1}}}});
  const std::string id(created.at("activeDeploymentId").as_string());
  ASSERT_TRUE(wait_until(
      [&] {
        return berth().get_json("/v1/services/quiet/deployments/" + id).at("status") == "completed";
      },
      converge_timeout));
  auto before = settled_ecs_call_counts();
  std::this_thread::sleep_for(5s);
  EXPECT_EQ(ecs_call_counts(sim()), before) << "berth kept calling ECS for a converged service";
  EXPECT_EQ(live_count(sim(), "quiet"), 4u);
}

TEST_F(ServiceTest, UnplaceableTasksSayWhyAndArePlacedWhenAnInstanceJoins) {
  start_sim({"--instances", "1", "--instance-cpu", "1024", "--instance-memory", "4096"});
  const auto big = register_task_definition(sim(), "big", 512, 256);
  start_berth();
  berth().post_json("/v1/services", service_body("big", big, 3));
  ASSERT_TRUE(wait_until([&] { return live_count(sim(), "big") == 2; }, 60s)) << live_count(sim(), "big");
  json::value unplaced;
  ASSERT_TRUE(wait_until(
      [&] {
        unplaced = berth().get_json("/v1/services/big").at("unplaced");
        return unplaced.at("count") == 1;
      },
      30s))
      << json::serialize(unplaced);
  EXPECT_EQ(unplaced.at("reasons").at("RESOURCE:CPU"), 1) << json::serialize(unplaced);
  EXPECT_FALSE(unplaced.at("message").as_string().empty());
  const auto metrics = berth().request("GET", "/metrics").body;
  const auto series = metrics.find("berth_service_unplaced_tasks{");
  ASSERT_NE(series, std::string::npos) << metrics;
  EXPECT_NE(metrics.find("RESOURCE:CPU", series), std::string::npos);

  // Capacity arrives: the third task is placed from the instance's event, with no timer involved.
  sim().post("/_sim/instances", json::object{{"count", 1}, {"cpu", 1024}, {"memory", 4096}});
  ASSERT_TRUE(wait_until([&] { return live_count(sim(), "big") == 3; }, 60s)) << live_count(sim(), "big");
  EXPECT_TRUE(wait_until([&] { return berth().get_json("/v1/services/big").at("unplaced").at("count") == 0; }, 30s));
}

}  // namespace
}  // namespace berth::e2e
