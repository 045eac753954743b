// File: tests/sim/test/exit_after_test.cpp — batch tasks that end by themselves (BERTH_SIM_EXIT_AFTER_MS / _EXIT_CODE).
#include "test_util.hpp"

namespace berth::sim::test {
namespace {

json::array env(std::initializer_list<std::pair<const char*, const char*>> vars) {
  json::array out;
  for (const auto& [n, v] : vars) out.push_back(json::object{{"name", n}, {"value", v}});
  return out;
}

json::object container(const std::string& name, json::array environment = {}, bool essential = true) {
  json::object c{{"name", name}, {"image", "busybox"}, {"cpu", 10}, {"memory", 10}, {"essential", essential}};
  if (!environment.empty()) c["environment"] = std::move(environment);
  return c;
}

void register_family(const SimProcess& sim, const std::string& family, json::array containers) {
  auto r = sim.ecs("RegisterTaskDefinition",
                   json::object{{"family", family}, {"containerDefinitions", std::move(containers)}});
  ASSERT_EQ(r.status, 200u) << r.body;
}

std::string run_one(const SimProcess& sim, json::object request) {
  auto r = sim.ecs("RunTask", request);
  EXPECT_EQ(r.status, 200u) << r.body;
  auto body = r.json();  // keep the parsed body alive while reading it
  const auto& tasks = body.at("tasks").as_array();
  EXPECT_EQ(tasks.size(), 1u) << r.body;
  return tasks.empty() ? std::string() : std::string(tasks[0].at("taskArn").as_string());
}

json::object overrides(const std::string& container_name, json::array environment) {
  return json::object{
      {"containerOverrides", json::array{json::object{{"name", container_name}, {"environment", std::move(environment)}}}}};
}

bool stopped(const SimProcess& sim, const std::string& arn) {
  return describe_task(sim, arn).at("lastStatus") == "STOPPED";
}

std::vector<std::int64_t> exit_codes(const json::object& task) {
  std::vector<std::int64_t> out;
  for (const auto& c : task.at("containers").as_array())
    out.push_back(c.as_object().contains("exitCode") ? c.at("exitCode").as_int64() : -1);
  return out;
}

TEST(ExitAfter, DefinitionVariableStopsTheTaskAsAnEssentialContainerExit) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_family(sim, "batch", json::array{container("main", env({{"BERTH_SIM_EXIT_AFTER_MS", "50"}}))});
  register_family(sim, "web", json::array{container("web")});
  const std::string batch = run_one(sim, json::object{{"taskDefinition", "batch"}});
  const std::string web = run_one(sim, json::object{{"taskDefinition", "web"}});
  ASSERT_FALSE(batch.empty());
  ASSERT_FALSE(web.empty());

  ASSERT_TRUE(eventually([&] { return stopped(sim, batch); }));
  auto t = describe_task(sim, batch);
  EXPECT_EQ(t.at("desiredStatus"), "STOPPED");
  EXPECT_EQ(t.at("stopCode"), "EssentialContainerExited");
  EXPECT_EQ(t.at("stoppedReason"), "Essential container in task exited");
  EXPECT_EQ(exit_codes(t), std::vector<std::int64_t>{0});
  EXPECT_TRUE(t.contains("startedAt"));  // it ran before it ended

  // Started together, without the variables: still running once the batch task has ended.
  auto w = describe_task(sim, web);
  EXPECT_EQ(w.at("lastStatus"), "RUNNING");
  EXPECT_EQ(w.at("desiredStatus"), "RUNNING");
  EXPECT_FALSE(w.contains("stopCode"));

  // The usual events: RUNNING, then desired STOPPED while still RUNNING, then STOPPED with the code.
  std::vector<std::pair<std::string, std::string>> seen;  // (lastStatus, desiredStatus) of the batch task
  json::object last_stopped;
  for (const auto& e : drain_events(sim)) {
    if (e.at("detail-type") != "ECS Task State Change" || e.at("detail").at("taskArn").as_string() != batch) continue;
    const auto& d = e.at("detail").as_object();
    seen.emplace_back(d.at("lastStatus").as_string(), d.at("desiredStatus").as_string());
    if (d.at("lastStatus") == "STOPPED") last_stopped = d;
  }
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen[seen.size() - 3], (std::pair<std::string, std::string>{"RUNNING", "RUNNING"}));
  EXPECT_EQ(seen[seen.size() - 2], (std::pair<std::string, std::string>{"RUNNING", "STOPPED"}));
  EXPECT_EQ(seen.back(), (std::pair<std::string, std::string>{"STOPPED", "STOPPED"}));
  EXPECT_EQ(last_stopped.at("stopCode"), "EssentialContainerExited");
  EXPECT_EQ(exit_codes(last_stopped), std::vector<std::int64_t>{0});
}

TEST(ExitAfter, OverrideExitCodeWinsOverTheDefinition) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_family(sim, "batch",
                  json::array{container("main", env({{"BERTH_SIM_EXIT_AFTER_MS", "50"}, {"BERTH_SIM_EXIT_CODE", "5"}})),
                              container("sidecar")});
  const std::string arn = run_one(
      sim, json::object{{"taskDefinition", "batch"}, {"overrides", overrides("main", env({{"BERTH_SIM_EXIT_CODE", "3"}}))}});
  ASSERT_FALSE(arn.empty());
  ASSERT_TRUE(eventually([&] { return stopped(sim, arn); }));
  auto t = describe_task(sim, arn);
  EXPECT_EQ(t.at("stopCode"), "EssentialContainerExited");
  EXPECT_EQ(exit_codes(t), (std::vector<std::int64_t>{3, 3}));

  // DescribeTasks reports the TaskOverride as sent, with an entry for every container.
  const auto& co = t.at("overrides").at("containerOverrides").as_array();
  ASSERT_EQ(co.size(), 2u) << json::serialize(t.at("overrides"));
  EXPECT_EQ(co[0].at("name"), "main");
  EXPECT_EQ(co[0].at("environment"), env({{"BERTH_SIM_EXIT_CODE", "3"}}));
  EXPECT_EQ(co[1], (json::object{{"name", "sidecar"}}));
}

TEST(ExitAfter, OverrideAloneMakesATaskExitAlsoThroughStartTask) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_family(sim, "web", json::array{container("web")});
  const auto instances = instance_arns(sim);
  ASSERT_EQ(instances.size(), 1u);
  auto r = sim.ecs("StartTask", json::object{{"taskDefinition", "web"},
                                             {"containerInstances", json::array{json::value(instances[0])}},
                                             {"overrides", overrides("web", env({{"BERTH_SIM_EXIT_AFTER_MS", "0"},
                                                                                {"BERTH_SIM_EXIT_CODE", "42"}}))}});
  ASSERT_EQ(r.status, 200u) << r.body;
  auto body = r.json();
  const std::string arn(body.at("tasks").at(0).at("taskArn").as_string());
  ASSERT_TRUE(eventually([&] { return stopped(sim, arn); }));
  auto t = describe_task(sim, arn);
  EXPECT_EQ(t.at("stopCode"), "EssentialContainerExited");
  EXPECT_EQ(exit_codes(t), std::vector<std::int64_t>{42});
}

TEST(ExitAfter, NonEssentialContainersAndBadValuesDoNotEndTheTask) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_family(sim, "mixed",
                  json::array{container("main"), container("helper", env({{"BERTH_SIM_EXIT_AFTER_MS", "0"}}), false)});
  register_family(sim, "typo", json::array{container("main", env({{"BERTH_SIM_EXIT_AFTER_MS", "50ms"}}))});
  register_family(sim, "marker", json::array{container("main", env({{"BERTH_SIM_EXIT_AFTER_MS", "100"}}))});
  const std::string mixed = run_one(sim, json::object{{"taskDefinition", "mixed"}});
  const std::string typo = run_one(sim, json::object{{"taskDefinition", "typo"}});
  const std::string marker = run_one(sim, json::object{{"taskDefinition", "marker"}});
  // The marker task ends by itself later than the others would have: by then they still run.
  ASSERT_TRUE(eventually([&] { return stopped(sim, marker); }));
  EXPECT_EQ(describe_task(sim, mixed).at("lastStatus"), "RUNNING");
  EXPECT_EQ(describe_task(sim, typo).at("lastStatus"), "RUNNING");
}

TEST(ExitAfter, StopTaskBeforeTheExitKeepsUserInitiated) {
  SimProcess sim(fast_args({"--instances", "1"}));
  // Far enough out that StopTask always comes first.
  register_family(sim, "batch", json::array{container("main", env({{"BERTH_SIM_EXIT_AFTER_MS", "600000"}}))});
  const std::string arn = run_one(sim, json::object{{"taskDefinition", "batch"}});
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "RUNNING"; }));
  ASSERT_EQ(sim.ecs("StopTask", json::object{{"task", arn}}).status, 200u);
  ASSERT_TRUE(eventually([&] { return stopped(sim, arn); }));
  auto t = describe_task(sim, arn);
  EXPECT_EQ(t.at("stopCode"), "UserInitiated");
  EXPECT_EQ(exit_codes(t), std::vector<std::int64_t>{143});
}

TEST(ExitAfter, OverrideForAnUnknownContainerIsRefused) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_family(sim, "web", json::array{container("web")});
  auto r = sim.ecs("RunTask", json::object{{"taskDefinition", "web"}, {"overrides", overrides("nope", {})}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "InvalidParameterException") << r.body;
}

}  // namespace
}  // namespace berth::sim::test
