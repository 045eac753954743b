// File: tests/sim/test/test_util.hpp — helpers for the sim's end-to-end tests (task definitions, polling, events).
#pragma once
#include "sim_process.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace berth::sim::test {
namespace json = boost::json;

inline std::vector<std::string> fast_args(std::vector<std::string> extra = {}) {
  std::vector<std::string> a{"--no-auth", "--task-start-ms", "60", "--task-stop-ms", "20", "--seed", "7"};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

// Registers family `family` with one container; returns the task definition ARN.
inline std::string register_taskdef(const SimProcess& sim, const std::string& family, int cpu, int memory,
                                    int host_port = -1) {
  json::object c{{"name", family}, {"image", "busybox"}, {"cpu", cpu}, {"memory", memory}};
  if (host_port >= 0) c["portMappings"] = json::array{json::object{{"containerPort", 80}, {"hostPort", host_port}}};
  auto r = sim.ecs("RegisterTaskDefinition", json::object{{"family", family}, {"containerDefinitions", json::array{c}}});
  EXPECT_EQ(r.status, 200u) << r.body;
  return std::string(r.json().at("taskDefinition").at("taskDefinitionArn").as_string());
}

inline std::vector<std::string> instance_arns(const SimProcess& sim, const std::string& cluster = "default") {
  auto v = sim.ecs("ListContainerInstances", json::object{{"cluster", cluster}}).json();
  std::vector<std::string> out;
  for (const auto& a : v.at("containerInstanceArns").as_array()) out.emplace_back(a.as_string());
  return out;
}

// Polls `pred` until it holds or `limit` passes (outcome checks, not timing assertions).
inline bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

inline json::object describe_task(const SimProcess& sim, const std::string& arn) {
  auto v = sim.ecs("DescribeTasks", json::object{{"tasks", json::array{json::value(arn)}}}).json();
  return v.at("tasks").as_array().at(0).as_object();
}

// Receives and deletes messages until the queue stays empty for `quiet` seconds of long polling.
inline std::vector<json::object> drain_events(const SimProcess& sim, int quiet_s = 1) {
  std::vector<json::object> out;
  for (;;) {
    auto r = sim.sqs("ReceiveMessage", json::object{{"QueueUrl", sim.queue_url()},
                                                    {"MaxNumberOfMessages", 10},
                                                    {"WaitTimeSeconds", quiet_s}});
    auto body = r.json().as_object();
    auto* msgs = body.if_contains("Messages");
    if (!msgs) return out;
    json::array entries;
    int n = 0;
    for (const auto& m : msgs->as_array()) {
      out.push_back(json::parse(m.at("Body").as_string()).as_object());
      entries.push_back(json::object{{"Id", std::to_string(n++)}, {"ReceiptHandle", m.at("ReceiptHandle")}});
    }
    sim.sqs("DeleteMessageBatch", json::object{{"QueueUrl", sim.queue_url()}, {"Entries", entries}});
  }
}

}  // namespace berth::sim::test
