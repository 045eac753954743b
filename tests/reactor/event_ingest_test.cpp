// File: tests/reactor/event_ingest_test.cpp — message in, model updated, dirty keys and deletion out.
#include "reactor/event_ingest.hpp"

#include "policy/ownership.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace berth::reactor {
namespace {

const SystemTime t0 = SystemTime{} + std::chrono::hours(24 * 365 * 50);

std::string task_event(const std::string& cluster, const std::string& arn, const std::string& status, int version,
                       const std::string& started_by) {
  boost::json::object detail{{"taskArn", arn},
                             {"clusterArn", "arn:aws:ecs:us-east-1:1:cluster/" + cluster},
                             {"containerInstanceArn", "ci/1"},
                             {"taskDefinitionArn", "arn:aws:ecs:us-east-1:1:task-definition/agent:1"},
                             {"lastStatus", status},
                             {"desiredStatus", "RUNNING"},
                             {"startedBy", started_by},
                             {"version", version}};
  boost::json::object e{{"detail-type", "ECS Task State Change"}, {"source", "aws.ecs"}, {"detail", detail}};
  return boost::json::serialize(e);
}

std::string instance_event(const std::string& status, int version) {
  boost::json::object detail{{"containerInstanceArn", "ci/1"},
                             {"clusterArn", "arn:aws:ecs:us-east-1:1:cluster/c"},
                             {"status", status},
                             {"agentConnected", true},
                             {"version", version}};
  boost::json::object e{{"detail-type", "ECS Container Instance State Change"}, {"source", "aws.ecs"}, {"detail", detail}};
  return boost::json::serialize(e);
}

TEST(EventIngest, AppliesDirtiesAndDecidesDeletion) {
  ClusterModel model("c");
  WorkloadIndex envs;
  envs.put(policy::WorkloadKey::daemon("agent"), "c");
  envs.put(policy::WorkloadKey::daemon("logs"), "c");
  metrics::Registry registry;
  EventIngest ingest([&](std::string_view name) { return name == "c" ? &model : nullptr; }, envs, registry);
  auto sb = policy::encode_started_by(policy::WorkloadKey::daemon("agent"));

  auto r = ingest.ingest(task_event("c", "t1", "RUNNING", 2, sb), t0);
  EXPECT_EQ(r.result, IngestResult::applied);
  EXPECT_EQ(r.dirty_keys, std::vector<policy::WorkloadKey>{policy::WorkloadKey::daemon("agent")});
  EXPECT_EQ(r.cluster, "c");
  EXPECT_TRUE(r.delete_message());
  EXPECT_TRUE(model.has_task("t1"));

  r = ingest.ingest(task_event("c", "t1", "PENDING", 1, sb), t0);  // late
  EXPECT_EQ(r.result, IngestResult::stale);
  EXPECT_TRUE(r.dirty_keys.empty());
  EXPECT_TRUE(r.delete_message());

  r = ingest.ingest(instance_event("ACTIVE", 1), t0);
  EXPECT_EQ(r.result, IngestResult::applied);
  EXPECT_TRUE(r.placement_change);
  EXPECT_EQ(r.dirty_keys, (std::vector<policy::WorkloadKey>{policy::WorkloadKey::daemon("agent"),
                                                             policy::WorkloadKey::daemon("logs")}));

  r = ingest.ingest(task_event("elsewhere", "t9", "RUNNING", 1, sb), t0);
  EXPECT_EQ(r.result, IngestResult::unknown_cluster);
  EXPECT_TRUE(r.delete_message());

  r = ingest.ingest(R"({"detail-type":"ECS Service Action","source":"aws.ecs","detail":{}})", t0);
  EXPECT_EQ(r.result, IngestResult::ignored);

  r = ingest.ingest("{not json", t0);
  EXPECT_EQ(r.result, IngestResult::malformed);
  EXPECT_FALSE(r.delete_message());
  EXPECT_FALSE(r.error.empty());

  const auto& s = ingest.stats();
  EXPECT_EQ(s.received, 6u);
  EXPECT_EQ(s.applied, 2u);
  EXPECT_EQ(s.stale, 1u);
  EXPECT_EQ(s.unknown_cluster, 1u);
  EXPECT_EQ(s.ignored, 1u);
  EXPECT_EQ(s.malformed, 1u);
}

}  // namespace
}  // namespace berth::reactor
