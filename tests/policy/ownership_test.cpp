// File: tests/policy/ownership_test.cpp — startedBy/group tags round-trip and recognition, per workload kind.
#include "policy/ownership.hpp"

#include <gtest/gtest.h>

#include <set>

namespace berth::policy {
namespace {

const WorkloadKey env_key = WorkloadKey::daemon("env");

TEST(Ownership, DaemonStartedByFitsEcsLimitsAndIsStable) {
  auto s = encode_started_by(WorkloadKey::daemon("logging-agent"));
  EXPECT_EQ(s.size(), 22u);
  EXPECT_LE(s.size(), max_started_by_length);
  EXPECT_EQ(s, encode_started_by(WorkloadKey::daemon("logging-agent")));
  EXPECT_NE(s, encode_started_by(WorkloadKey::daemon("logging-agent2")));
  EXPECT_EQ(s.substr(0, 6), "berth/");
  EXPECT_EQ(started_by_kind(s), WorkloadKind::daemon);
  EXPECT_FALSE(started_by_kind("ecs-svc/9223370556150183303"));
  EXPECT_FALSE(started_by_kind("berth/XYZ"));
}

// Daemon tags are what berth wrote before workload kinds existed: a running cluster is adopted as is.
TEST(Ownership, DaemonTagsAreUnchangedFromBeforeWorkloadKinds) {
  EXPECT_EQ(encode_started_by(WorkloadKey::daemon("")), "berth/cbf29ce484222325");  // FNV-1a-64 offset basis
  EXPECT_EQ(*encode_group(WorkloadKey::daemon("logs"), "d-1"), "berth:logs:d-1");
}

TEST(Ownership, GroupRoundTrips) {
  auto g = encode_group(WorkloadKey::daemon("team:env"), "d-42");
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, "berth:team:env:d-42");
  auto tag = parse_group(*g);
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->kind, WorkloadKind::daemon);
  EXPECT_EQ(tag->name, "team:env");
  EXPECT_EQ(tag->deployment_id, "d-42");
  auto empty = parse_group(*encode_group(env_key, ""));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->deployment_id, "");
  EXPECT_FALSE(encode_group(env_key, "bad:id"));
  EXPECT_FALSE(encode_group(WorkloadKey::daemon(std::string(300, 'x')), "d"));
  EXPECT_TRUE(encode_group(WorkloadKey::daemon(std::string(max_workload_name_length(WorkloadKind::daemon, 1), 'x')), "d"));
  EXPECT_FALSE(encode_group(WorkloadKey::daemon(std::string(max_workload_name_length(WorkloadKind::daemon, 1) + 1, 'x')), "d"));
  EXPECT_TRUE(encode_group(WorkloadKey::service(std::string(max_workload_name_length(WorkloadKind::service, 1), 'x')), "d"));
  EXPECT_FALSE(parse_group("family:nginx"));
  EXPECT_FALSE(parse_group("berth:"));
}

TEST(Ownership, Classify) {
  auto sb = encode_started_by(env_key);
  EXPECT_EQ(classify_task(sb, *encode_group(env_key, "d1"), env_key), Ownership::ours);
  EXPECT_EQ(classify_task(sb, "", env_key), Ownership::ours);
  EXPECT_EQ(classify_task(sb, *encode_group(WorkloadKey::daemon("other"), "d1"), env_key), Ownership::other_workload);
  EXPECT_EQ(classify_task(encode_started_by(WorkloadKey::daemon("other")), "", env_key), Ownership::other_workload);
  EXPECT_EQ(classify_task("ecs-svc/1", "family:x", env_key), Ownership::foreign);
}

// A service, a job and a daemon environment of the same name (names are never empty) are three workloads: their tags differ and
// none of them claims another's tasks, for any name (property over names that stress the separators).
TEST(Ownership, KindsOfTheSameNameNeverClaimEachOthersTasks) {
  const std::vector<std::string> names = {"web", "a:b", "svc", "berth", "-svc", "x/y", std::string(200, 'n')};
  const WorkloadKind kinds[] = {WorkloadKind::daemon, WorkloadKind::service, WorkloadKind::job};
  for (const auto& name : names) {
    std::set<std::string> started_bys, groups;
    for (auto kind : kinds) {
      WorkloadKey key{kind, name};
      auto sb = encode_started_by(key);
      EXPECT_LE(sb.size(), max_started_by_length);
      EXPECT_EQ(started_by_kind(sb), kind);
      started_bys.insert(sb);
      auto group = encode_group(key, "d-1");
      ASSERT_TRUE(group) << key.str();
      groups.insert(*group);
      auto tag = parse_group(*group);
      ASSERT_TRUE(tag);
      EXPECT_EQ(tag->kind, kind);
      EXPECT_EQ(tag->name, name);
      for (auto other : kinds) {
        WorkloadKey other_key{other, name};
        EXPECT_EQ(classify_task(sb, *group, other_key) == Ownership::ours, other == kind)
            << key.str() << " vs " << other_key.str();
        // Even a forged group cannot make a task of one kind another kind's.
        if (other != kind) {
          EXPECT_EQ(classify_task(sb, *encode_group(other_key, "d-1"), key), Ownership::other_workload);
        }
      }
    }
    EXPECT_EQ(started_bys.size(), 3u) << name;
    EXPECT_EQ(groups.size(), 3u) << name;
  }
}

TEST(WorkloadKey, StringFormRoundTrips) {
  auto key = WorkloadKey::service("team/web");
  EXPECT_EQ(key.str(), "service/team/web");
  EXPECT_EQ(WorkloadKey::parse(key.str()), key);
  EXPECT_EQ(WorkloadKey::parse("daemon/"), WorkloadKey::daemon(""));
  EXPECT_FALSE(WorkloadKey::parse("cron/x"));
  EXPECT_FALSE(WorkloadKey::parse("daemon"));
  EXPECT_LT(WorkloadKey::daemon("z"), WorkloadKey::service("a"));
  EXPECT_NE(WorkloadKeyHash{}(WorkloadKey::daemon("a")), WorkloadKeyHash{}(WorkloadKey::service("a")));
}

}  // namespace
}  // namespace berth::policy
