// File: tests/reactor/event_decode_test.cpp — every sample ECS event decodes; malformed bodies are errors.
#include "reactor/event_decode.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace berth::reactor {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(EventDecode, EverySampleDecodes) {
  std::filesystem::path dir = std::filesystem::path(BERTH_TESTDATA_DIR) / "ecs-events";
  int tasks = 0, instances = 0, ignored = 0;
  EventDecoder decoder;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    SCOPED_TRACE(entry.path().filename().string());
    auto name = entry.path().filename().string();
    auto ev = decoder.decode(read(entry.path()));
    ASSERT_TRUE(ev) << ev.error().message;
    if (name.starts_with("task-state-change")) {
      ASSERT_TRUE(std::holds_alternative<TaskEvent>(*ev));
      const auto& t = std::get<TaskEvent>(*ev).task;
      EXPECT_FALSE(t.task_arn.empty());
      EXPECT_FALSE(t.last_status.empty());
      EXPECT_GT(t.version, 0);
      ++tasks;
    } else if (name.starts_with("container-instance-state-change")) {
      ASSERT_TRUE(std::holds_alternative<InstanceEvent>(*ev));
      const auto& ci = std::get<InstanceEvent>(*ev).instance;
      EXPECT_FALSE(ci.container_instance_arn.empty());
      EXPECT_FALSE(ci.attributes.empty());
      ++instances;
    } else {
      ASSERT_TRUE(std::holds_alternative<IgnoredEvent>(*ev));
      EXPECT_EQ(std::get<IgnoredEvent>(*ev).meta.source, "aws.ecs");
      ++ignored;
    }
  }
  EXPECT_GE(tasks, 3);
  EXPECT_GE(instances, 2);
  EXPECT_GE(ignored, 5);
}

TEST(EventDecode, DecoderIsReusableForManyMessages) {
  // Regression: a reused monotonic resource grew without bound and threw bad_alloc.
  auto body = read(std::filesystem::path(BERTH_TESTDATA_DIR) / "ecs-events" / "container-instance-state-change.json");
  EventDecoder decoder;
  for (int i = 0; i < 20000; ++i) ASSERT_TRUE(decoder.decode(body)) << i;
}

TEST(EventDecode, SampleFieldsAreRead) {
  auto ev = decode_event(read(std::filesystem::path(BERTH_TESTDATA_DIR) / "ecs-events" /
                              "task-state-change-ec2-container-stopped.json"));
  ASSERT_TRUE(ev);
  const auto& e = std::get<TaskEvent>(*ev);
  EXPECT_EQ(e.meta.id, "9bcdac79-b31f-4d3d-9410-fbd727c29fab");
  EXPECT_EQ(e.task.version, 4);
  EXPECT_EQ(e.task.group, "task-group");
  EXPECT_EQ(e.task.containers.at(0).exit_code, 0);
  EXPECT_TRUE(e.meta.time.has_value());
}

TEST(EventDecode, OverridesAndVersionInfoAreRead) {
  const auto dir = std::filesystem::path(BERTH_TESTDATA_DIR) / "ecs-events";
  auto task = decode_event(read(dir / "task-state-change-fargate-env-override.json"));
  ASSERT_TRUE(task);
  const auto& overrides = std::get<TaskEvent>(*task).task.overrides.container_overrides;
  ASSERT_EQ(overrides.size(), 1u);
  EXPECT_EQ(overrides[0].name, "FargateApp");
  ASSERT_EQ(overrides[0].environment.size(), 1u);
  EXPECT_EQ(overrides[0].environment[0].name, "testname");
  EXPECT_EQ(overrides[0].environment[0].value, "testvalue");

  auto instance = decode_event(read(dir / "container-instance-state-change.json"));
  ASSERT_TRUE(instance);
  const auto& info = std::get<InstanceEvent>(*instance).instance.version_info;
  EXPECT_EQ(info.agent_hash, "aebcbca");
  EXPECT_EQ(info.agent_version, "1.13.0");
  EXPECT_EQ(info.docker_version, "DockerVersion: 1.11.2");
}

TEST(EventDecode, ToleratesUnknownFieldsAndSnsEnvelope) {
  std::string body = R"({"version":"0","id":"x","detail-type":"ECS Task State Change","source":"aws.ecs",
    "future":{"a":[1,2]},"detail":{"taskArn":"arn:t/1","clusterArn":"arn:aws:ecs:r:a:cluster/c",
    "lastStatus":"RUNNING","version":2,"brandNew":true}})";
  auto ev = decode_event(body);
  ASSERT_TRUE(ev) << ev.error().message;
  EXPECT_EQ(std::get<TaskEvent>(*ev).task.task_arn, "arn:t/1");
  boost::json::object sns{{"Type", "Notification"}, {"Message", body}};
  auto wrapped = decode_event(boost::json::serialize(sns));
  ASSERT_TRUE(wrapped) << wrapped.error().message;
  EXPECT_TRUE(std::holds_alternative<TaskEvent>(*wrapped));
  auto other = decode_event(R"({"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{}})");
  ASSERT_TRUE(other);
  EXPECT_TRUE(std::holds_alternative<IgnoredEvent>(*other));
}

TEST(EventDecode, MalformedInputsAreErrors) {
  struct Case {
    std::string body;
    const char* fragment;
  };
  const Case cases[] = {
      {"", "invalid JSON"},
      {"{", "invalid JSON"},
      {"{} trailing", "invalid JSON"},
      {"[1,2]", "expected a JSON object"},
      {R"({"source":"aws.ecs"})", "detail-type"},
      {R"({"detail-type":"ECS Task State Change"})", "source"},
      {R"({"detail-type":"ECS Task State Change","source":"aws.ecs"})", "detail"},
      {R"({"detail-type":"ECS Task State Change","source":"aws.ecs","detail":[]})", "detail"},
      {R"({"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"clusterArn":"c","lastStatus":"RUNNING"}})",
       "taskArn"},
      {R"({"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"taskArn":"t","clusterArn":"c","lastStatus":"RUNNING","version":"7"}})",
       "version"},
      {R"({"detail-type":"ECS Task State Change","source":"aws.ecs","detail":{"taskArn":"t","lastStatus":"RUNNING"}})",
       "clusterArn"},
      {R"({"detail-type":"ECS Container Instance State Change","source":"aws.ecs","detail":{"containerInstanceArn":"i","clusterArn":"c"}})",
       "status"},
      {R"({"detail-type":"ECS Task State Change","source":"aws.ecs","time":"yesterday","detail":{}})", "time"},
      {R"({"Type":"Notification","Message":"{not json"})", "SNS"},
      {std::string(300 * 1024, ' '), "256 KiB"},
  };
  EventDecoder decoder;
  for (const auto& c : cases) {
    auto ev = decoder.decode(c.body);
    ASSERT_FALSE(ev) << c.body.substr(0, 80);
    EXPECT_NE(ev.error().message.find(c.fragment), std::string::npos)
        << c.body.substr(0, 80) << " -> " << ev.error().message;
  }
  // The decoder keeps working after errors.
  auto ok = decoder.decode(R"({"detail-type":"x","source":"y"})");
  EXPECT_TRUE(ok);
}

}  // namespace
}  // namespace berth::reactor
