// File: tests/sim/test/events_faults_test.cpp — EventBridge events in the queue, and fault injection.
#include "test_util.hpp"

#include <fstream>
#include <map>
#include <regex>

namespace berth::sim::test {
namespace {

json::object sample(const std::string& name) {
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/ecs-events/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str()).as_object();
}

bool iso8601(const json::value& v) {
  static const std::regex re(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z)");
  return v.is_string() && std::regex_match(std::string(v.as_string()), re);
}

std::vector<json::object> of_type(const std::vector<json::object>& events, const char* type) {
  std::vector<json::object> out;
  for (const auto& e : events)
    if (e.at("detail-type") == type) out.push_back(e);
  return out;
}

TEST(SimEvents, EnvelopesMatchTheSamples) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_taskdef(sim, "web", 10, 10);
  auto arn = std::string(sim.ecs("RunTask", json::object{{"taskDefinition", "web"}, {"startedBy", "me"}})
                             .json().at("tasks").at(0).at("taskArn").as_string());
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "RUNNING"; }));
  sim.ecs("StopTask", json::object{{"task", arn}});
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "STOPPED"; }));
  auto events = drain_events(sim);

  auto tasks = of_type(events, "ECS Task State Change");
  auto insts = of_type(events, "ECS Container Instance State Change");
  ASSERT_EQ(tasks.size(), 5u);  // PROVISIONING, PENDING, RUNNING, desired STOPPED, STOPPED
  ASSERT_GE(insts.size(), 3u);  // registration, task placed, task stopped

  for (const auto& [events_of_kind, file] : {std::pair{&tasks, "task-state-change-ec2-container-stopped.json"},
                                             std::pair{&insts, "container-instance-state-change.json"}}) {
    auto want = sample(file);
    for (const auto& e : *events_of_kind) {
      for (const auto& [k, v] : want) EXPECT_TRUE(e.contains(k)) << file << " envelope lacks " << k;
      EXPECT_EQ(e.at("source"), "aws.ecs");
      EXPECT_EQ(e.at("version"), "0");
      EXPECT_TRUE(iso8601(e.at("time")));
      EXPECT_EQ(e.at("resources").at(0), e.at("detail").at(file[0] == 't' ? "taskArn" : "containerInstanceArn"));
      const auto& d = e.at("detail").as_object();
      for (const auto& [k, v] : want.at("detail").as_object()) {
        if (k == "startedAt" || k == "stoppedReason" || k == "stopCode" || k == "stoppedAt") continue;  // state-dependent
        EXPECT_TRUE(d.contains(k)) << file << " detail lacks " << k;
      }
      EXPECT_TRUE(iso8601(d.at("updatedAt")));
      EXPECT_TRUE(d.at("version").is_int64());
    }
  }
  std::vector<std::string> states;
  std::int64_t last_version = 0;
  for (const auto& t : tasks) {
    const auto& d = t.at("detail").as_object();
    states.push_back(std::string(d.at("lastStatus").as_string()) + "/" + std::string(d.at("desiredStatus").as_string()));
    EXPECT_EQ(d.at("version").as_int64(), last_version + 1);
    last_version = d.at("version").as_int64();
    EXPECT_TRUE(iso8601(d.at("createdAt")));
    EXPECT_EQ(d.at("startedBy"), "me");
  }
  EXPECT_EQ(states, (std::vector<std::string>{"PROVISIONING/RUNNING", "PENDING/RUNNING", "RUNNING/RUNNING",
                                              "RUNNING/STOPPED", "STOPPED/STOPPED"}));
  EXPECT_EQ(tasks.back().at("detail").at("stopCode"), "UserInitiated");
  EXPECT_TRUE(iso8601(tasks.back().at("detail").at("stoppedAt")));
  std::int64_t inst_version = 0;
  for (const auto& i : insts) {
    EXPECT_GT(i.at("detail").at("version").as_int64(), inst_version);
    inst_version = i.at("detail").at("version").as_int64();
  }
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("events_published").as_int64(), static_cast<std::int64_t>(events.size()));
  EXPECT_EQ(stats.at("events_sent").as_int64(), static_cast<std::int64_t>(events.size()));
}

TEST(SimFaults, LossAndDuplication) {
  SimProcess sim(fast_args({"--event-loss-rate", "1"}));
  sim.post("/_sim/instances", json::object{{"count", 3}});
  EXPECT_TRUE(drain_events(sim).empty());
  EXPECT_EQ(sim.stats().at("events_dropped").as_int64(), 3);
  sim.post("/_sim/faults", json::object{{"event_loss_rate", 0}, {"event_duplicate_rate", 1}});
  sim.post("/_sim/instances", json::object{{"count", 2}});
  auto events = drain_events(sim);
  ASSERT_EQ(events.size(), 4u);
  std::map<std::string, int> ids;
  for (const auto& e : events) ++ids[std::string(e.at("id").as_string())];
  EXPECT_EQ(ids.size(), 2u);  // duplicates carry the same event id, like EventBridge retries
  EXPECT_EQ(sim.stats().at("events_duplicated").as_int64(), 2);
  auto bad = sim.request("POST", "/_sim/faults", R"({"event_loss_rate":2})");
  EXPECT_EQ(bad.status, 400u);
  bad = sim.request("POST", "/_sim/faults", R"({"no_such_fault":1})");
  EXPECT_EQ(bad.status, 400u);
}

TEST(SimFaults, DelayAndReorderStillDeliverEverything) {
  SimProcess sim(fast_args({"--faults", R"({"event_delay_ms":100,"event_reorder_rate":0.5,"event_reorder_window_ms":300})"}));
  sim.post("/_sim/instances", json::object{{"count", 20}});
  auto events = drain_events(sim, 2);
  EXPECT_EQ(events.size(), 20u);
  EXPECT_GT(sim.stats().at("events_reordered").as_int64(), 0);
  auto faults = sim.get("/_sim/faults");
  EXPECT_EQ(faults.at("event_delay_ms").to_number<double>(), 100.0);
}

TEST(SimFaults, TaskStartFailures) {
  SimProcess sim(fast_args({"--instances", "1", "--task-start-failure-rate", "1"}));
  register_taskdef(sim, "web", 10, 10);
  auto arn = std::string(sim.ecs("RunTask", json::object{{"taskDefinition", "web"}}).json().at("tasks").at(0).at("taskArn").as_string());
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "STOPPED"; }));
  auto t = describe_task(sim, arn);
  EXPECT_EQ(t.at("stopCode"), "TaskFailedToStart");
  EXPECT_EQ(t.at("desiredStatus"), "STOPPED");
  EXPECT_FALSE(t.at("containers").at(0).as_object().contains("exitCode"));
}

TEST(SimFaults, ApiErrorsAndLatency) {
  SimProcess sim(fast_args({"--api-error-rate", "1"}));
  auto r = sim.ecs("ListClusters", json::object{});
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(r.json().at("__type"), "ServerException");
  r = sim.sqs("ListQueues", json::object{});
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(r.json().at("__type"), "com.amazonaws.sqs#InternalError");
  sim.post("/_sim/faults", json::object{{"api_error_rate", 0}, {"api_latency_rate", 1}, {"api_latency_ms", 10}});
  EXPECT_EQ(sim.ecs("ListClusters", json::object{}).status, 200u);
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("injected_errors").as_int64(), 2);
  EXPECT_EQ(stats.at("injected_latency").as_int64(), 1);
}

TEST(SimFaults, InstanceDeathLosesItsTasks) {
  SimProcess sim(fast_args({"--instances", "2"}));
  register_taskdef(sim, "web", 10, 10);
  auto cis = instance_arns(sim);
  json::array both{json::value(cis[0]), json::value(cis[0])};
  auto started = sim.ecs("StartTask", json::object{{"taskDefinition", "web"}, {"containerInstances", both}}).json();
  ASSERT_EQ(started.at("tasks").as_array().size(), 2u);
  sim.post("/_sim/instances/kill", json::object{{"container_instance", cis[0]}});
  for (const auto& t : started.at("tasks").as_array()) {
    auto d = describe_task(sim, std::string(t.at("taskArn").as_string()));
    EXPECT_EQ(d.at("lastStatus"), "STOPPED");
    EXPECT_NE(std::string(d.at("stoppedReason").as_string()).find("terminated"), std::string::npos);
  }
  auto inst = sim.ecs("DescribeContainerInstances", json::object{{"containerInstances", json::array{json::value(cis[0])}}})
                  .json().at("containerInstances").at(0);
  EXPECT_EQ(inst.at("status"), "INACTIVE");
  EXPECT_EQ(inst.at("agentConnected"), false);
  auto state = sim.state();
  EXPECT_EQ(state.at("clusters").at(0).at("active_instances").as_int64(), 1);
  // Control API errors are plain JSON.
  auto r = sim.request("POST", "/_sim/instances/kill", R"({"container_instance":"nope"})");
  EXPECT_EQ(r.status, 400u);
  r = sim.request("POST", "/_sim/tasks/fail", R"({"task":"nope"})");
  EXPECT_EQ(r.status, 400u);
}

TEST(SimFaults, FailTaskFromControlApi) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_taskdef(sim, "web", 10, 10);
  auto arn = std::string(sim.ecs("RunTask", json::object{{"taskDefinition", "web"}}).json().at("tasks").at(0).at("taskArn").as_string());
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "RUNNING"; }));
  sim.post("/_sim/tasks/fail", json::object{{"task", arn}, {"exit_code", 137}});
  auto t = describe_task(sim, arn);
  EXPECT_EQ(t.at("lastStatus"), "STOPPED");
  EXPECT_EQ(t.at("stopCode"), "EssentialContainerExited");
  EXPECT_EQ(t.at("containers").at(0).at("exitCode").as_int64(), 137);
  auto state = sim.get("/_sim/state?tasks=1");
  EXPECT_EQ(state.at("clusters").at(0).at("tasks").at(0).at("last_status"), "STOPPED");
}

}  // namespace
}  // namespace berth::sim::test

namespace berth::sim::test {
namespace {

TEST(SimControl, BulkRunForEventStorms) {
  SimProcess sim(fast_args({"--instances", "3", "--instance-memory", "100"}));
  register_taskdef(sim, "tiny", 1, 10);
  auto r = sim.post("/_sim/tasks/run", json::object{{"task_definition", "tiny"}, {"count", 35}});
  EXPECT_EQ(r.at("started").as_int64(), 30);  // 3 instances x 100 MiB / 10 MiB
  EXPECT_EQ(r.at("failed").as_int64(), 5);
  EXPECT_EQ(r.at("last_failure_reason"), "RESOURCE:MEMORY");
  EXPECT_EQ(sim.stats().at("api_calls_total").as_int64(), 1);  // RegisterTaskDefinition only
}

}  // namespace
}  // namespace berth::sim::test
