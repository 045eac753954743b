// File: tests/e2e/harness_test.cpp — the e2e checks must be able to fail: drive the sim by hand (no berth) into
// the bad states the suite guards against and make sure the detectors see them.
#include "e2e_fixture.hpp"

namespace berth::e2e {
namespace {

using HarnessSelfTest = E2eTest;

std::string start_on(const SimProcess& sim, const std::string& td, const std::string& instance,
                     const std::string& started_by) {
  auto r = ecs_call(sim, "StartTask",
                    json::object{{"cluster", "default"},
                                 {"taskDefinition", td},
                                 {"containerInstances", json::array{json::value(instance)}},
                                 {"startedBy", started_by},
                                 {"group", "berth:probe:d1"}});
  if (r.status != 200) throw std::runtime_error("StartTask: " + r.body);
  return std::string(r.json().at("tasks").as_array().at(0).at("taskArn").as_string());
}

TEST_F(HarnessSelfTest, DetectorsSeeMissingDuplicateAndOverlappingTasks) {
  start_sim({"--instances", "3"});
  auto td = register_task_definition(sim(), "probe");
  EXPECT_EQ(td, "probe:1");
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_EQ(instances.size(), 3u);
  const std::string tag = started_by("probe");
  std::vector<std::string> list(instances.begin(), instances.end());

  // Nothing running: not converged.
  EXPECT_NE(check_one_per_instance(sim_view(sim()), "probe", instances), "");
  for (const auto& i : list) start_on(sim(), td, i, tag);
  EXPECT_TRUE(converges("probe", instances, td, 20s));
  EXPECT_FALSE(converges("probe", instances, "probe:2", 1s));  // wrong revision
  EXPECT_TRUE(overlapping_tasks(sim(), "default", tag).empty());

  // Stop-then-start on one instance is fine; a second concurrent task is a duplicate and an overlap.
  auto view = sim_view(sim());
  auto first = view.live_by_instance("probe").at(list[0]).front().arn;
  sim().post("/_sim/tasks/stop", json::object{{"task", first}});
  ASSERT_TRUE(wait_until([&] { return !sim_view(sim()).live_by_instance("probe").count(list[0]); }, 20s));
  start_on(sim(), td, list[0], tag);
  EXPECT_TRUE(converges("probe", instances, td, 20s));
  EXPECT_TRUE(overlapping_tasks(sim(), "default", tag).empty());

  start_on(sim(), td, list[1], tag);
  EXPECT_FALSE(converges("probe", instances, td, 2s));
  EXPECT_EQ(overlapping_tasks(sim(), "default", tag).size(), 1u);
  EXPECT_EQ(sim_view(sim()).all_by_instance("probe").at(list[1]).size(), 2u);
  EXPECT_EQ(describe_env_tasks(sim(), "default", tag).size(), 5u);

  // A task where none belongs.
  auto fewer = instances;
  fewer.erase(list[2]);
  EXPECT_NE(check_one_per_instance(sim_view(sim()), "probe", fewer), "");
  // Healthy-instance counting for maxUnavailable sampling.
  EXPECT_EQ(sim_view(sim()).without_healthy("probe", instances), 0u);
  sim().post("/_sim/instances/kill", json::object{{"container_instance", list[2]}});
  EXPECT_EQ(sim_view(sim()).without_healthy("probe", instances), 1u);

  auto calls = ecs_call_counts(sim());
  EXPECT_EQ(calls["StartTask"], 5);
  EXPECT_FALSE(calls.count("ReceiveMessage"));
}

}  // namespace
}  // namespace berth::e2e
