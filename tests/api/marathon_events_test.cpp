// File: tests/api/marathon_events_test.cpp — berth changes as Marathon events (src/http/marathon/marathon_events.hpp)
// against Marathon's own examples: docs/docs/event-bus.md (tests/testdata/marathon/events.json) and the REST
// reference's SSE sample (examples/events.txt, reproduced byte for byte).
#include "http/marathon/marathon_events.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace berth::http::marathon {
namespace {
namespace json = boost::json;

std::string read(const std::string& name) {
  std::ifstream in(std::string(BERTH_TESTDATA_DIR) + "/marathon/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const json::object& example(const std::string& type) {
  static const json::value all = json::parse(read("events.json"));
  return all.at(type).as_object();
}

std::set<std::string> keys(const json::object& o) {
  std::set<std::string> out;
  for (const auto& kv : o) out.emplace(kv.key());
  return out;
}

// The SSE frames of examples/events.txt, in order.
std::vector<std::string> sample_frames() {
  const std::string text = read("events.txt");
  std::vector<std::string> frames;
  std::size_t at = 0;
  while (true) {
    auto end = text.find("\n\n", at);
    if (end == std::string::npos) break;
    if (end > at) frames.push_back(text.substr(at, end + 2 - at));
    at = end + 2;
  }
  return frames;
}

constexpr const char* now = "2015-09-30T12:47:11.286Z";

TEST(MarathonEvents, StreamAttachedAndStatusUpdateAreMarathonsFramesByteForByte) {
  const auto frames = sample_frames();
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(sse_frame(event_stream_attached("0:0:0:0:0:0:0:1", "2015-09-30T12:44:30.061Z")), frames[0]);
  TaskStatusChange change;
  change.task_arn = "test-app.5dd78972-6771-11e5-94e1-be5b2935a987";
  change.container_instance_arn = "20150707-153709-201330860-5050-12052-S0";
  change.host = "srv4.hw.ca1.mesosphere.com";
  change.last_status = "RUNNING";
  change.app_id = "/test-app";
  change.version = "2015-09-11T22:11:03.156Z";
  change.ports = {31182};
  EXPECT_EQ(sse_frame(status_update_event(change, now)), frames[2]);
}

TEST(MarathonEvents, StatusUpdatesFromEcsTasks) {
  TaskStatusChange change;
  change.task_arn = "arn:aws:ecs:us-east-1:1:task/prod/0123abcd";
  change.container_instance_arn = "arn:aws:ecs:us-east-1:1:container-instance/prod/ci1";
  change.host = "i-0001";
  change.last_status = "STOPPED";
  change.message = "Essential container in task exited";
  change.app_id = "/prod/web";
  change.version = "2026-01-01T00:00:00.000Z";
  auto e = status_update_event(change, now);
  auto expected_keys = keys(example("status_update_event"));
  expected_keys.insert("message");  // in the REST reference's sample, not in event-bus.md's
  EXPECT_EQ(keys(e), expected_keys);
  EXPECT_EQ(e.at("taskId"), json::value("0123abcd"));
  EXPECT_EQ(e.at("slaveId"), json::value("ci1"));
  EXPECT_EQ(e.at("taskStatus"), json::value("TASK_KILLED"));
}

// ECS lastStatus -> Marathon's taskStatus; a STOPPED task's stopCode and exit codes tell how it ended.
TEST(MarathonEvents, TaskStatusOfLiveAndStoppedTasks) {
  EXPECT_EQ(marathon_task_status("PROVISIONING", "", false), "TASK_STAGING");
  EXPECT_EQ(marathon_task_status("PENDING", "", false), "TASK_STAGING");
  EXPECT_EQ(marathon_task_status("RUNNING", "", false), "TASK_RUNNING");
  EXPECT_EQ(marathon_task_status("STOPPED", "TaskFailedToStart", false), "TASK_FAILED");
  EXPECT_EQ(marathon_task_status("STOPPED", "EssentialContainerExited", true), "TASK_FAILED");
  EXPECT_EQ(marathon_task_status("STOPPED", "EssentialContainerExited", false), "TASK_FINISHED");
  EXPECT_EQ(marathon_task_status("STOPPED", "UserInitiated", false), "TASK_KILLED");
  EXPECT_EQ(marathon_task_status("STOPPED", "ServiceSchedulerInitiated", false), "TASK_KILLED");
  EXPECT_EQ(marathon_task_status("STOPPED", "", false), "TASK_KILLED");

  TaskStatusChange change;
  change.task_arn = "arn:aws:ecs:us-east-1:1:task/prod/0123abcd";
  change.last_status = "STOPPED";
  change.stop_code = "EssentialContainerExited";
  change.nonzero_exit = true;
  EXPECT_EQ(status_update_event(change, now).at("taskStatus"), json::value("TASK_FAILED"));
}

TEST(MarathonEvents, AppEventsHaveMarathonsFields) {
  json::object app{{"id", "/my-app"}, {"cmd", "web:3"}, {"instances", 2}};
  auto posted = api_post_event(app, "/v2/apps/my-app", "127.0.0.1", now);
  EXPECT_EQ(keys(posted), keys(example("api_post_event")));
  EXPECT_EQ(posted.at("appDefinition"), json::value(app));
  auto gone = app_terminated_event("/my-app", now);
  EXPECT_EQ(keys(gone), keys(example("app_terminated_event")));
  EXPECT_EQ(json::serialize(gone), R"({"appId":"/my-app","eventType":"app_terminated_event","timestamp":")" +
                                       std::string(now) + "\"}");
}

// A count change through /v2: deployment_info of a ScaleApplication plan, the same keys as any deployment_info.
TEST(MarathonEvents, ScaleDeploymentInfo) {
  auto info = scale_deployment_info("d-scale", "/my-app", "2014-03-01T23:24:14.846Z", now);
  EXPECT_EQ(keys(info), keys(example("deployment_info")));
  EXPECT_EQ(info.at("eventType"), json::value("deployment_info"));
  EXPECT_EQ(info.at("plan").at("id"), json::value("d-scale"));
  EXPECT_EQ(info.at("plan").at("version"), json::value("2014-03-01T23:24:14.846Z"));
  EXPECT_EQ(info.at("plan").at("steps").at(0).at("action"), json::value("ScaleApplication"));
  EXPECT_EQ(info.at("currentStep").at("actions").at(0).at("type"), json::value("ScaleApplication"));
  EXPECT_EQ(info.at("currentStep").at("actions").at(0).at("app"), json::value("/my-app"));
}

TEST(MarathonEvents, DeploymentsByStatus) {
  policy::Deployment d;
  d.id = "867ed450-f6a8-4d33-9b0e-e11c5513990b";
  d.version = 2;
  d.status = policy::DeploymentStatus::running;
  auto info = deployment_event(d, "/my-app", "2014-03-01T23:24:14.846Z", now);
  EXPECT_EQ(keys(info), keys(example("deployment_info")));
  const auto& plan_example = example("deployment_info").at("plan").as_object();
  for (const auto& k : keys(info.at("plan").as_object())) EXPECT_TRUE(plan_example.contains(k)) << k;
  EXPECT_EQ(keys(info.at("plan").at("steps").at(0).as_object()),
            keys(plan_example.at("steps").at(0).as_object()));
  EXPECT_EQ(keys(info.at("currentStep").at("actions").at(0).as_object()),
            keys(example("deployment_info").at("currentStep").at("actions").at(0).as_object()));
  EXPECT_EQ(info.at("currentStep").at("actions").at(0).at("type"), json::value("RestartApplication"));
  d.status = policy::DeploymentStatus::pending;
  d.version = 1;
  EXPECT_EQ(deployment_event(d, "/my-app", "v", now).at("plan").at("steps").at(0).at("action"),
            json::value("StartApplication"));
  d.status = policy::DeploymentStatus::completed;
  auto success = deployment_event(d, "/my-app", "v", now);
  EXPECT_EQ(keys(success), keys(example("deployment_success")));
  EXPECT_EQ(success.at("id"), json::value(d.id));
  for (auto status : {policy::DeploymentStatus::failed, policy::DeploymentStatus::rolled_back}) {
    d.status = status;
    auto failed = deployment_event(d, "/my-app", "v", now);
    EXPECT_EQ(keys(failed), keys(example("deployment_failed")));
    EXPECT_EQ(failed.at("eventType"), json::value("deployment_failed"));
  }
}

}  // namespace
}  // namespace berth::http::marathon
