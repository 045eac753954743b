// File: tests/policy/ownership_test.cpp — startedBy/group tags round-trip and recognition.
#include "policy/ownership.hpp"

#include <gtest/gtest.h>

namespace berth::policy {
namespace {

TEST(Ownership, StartedByFitsEcsLimitsAndIsStable) {
  auto s = encode_started_by("logging-agent");
  EXPECT_EQ(s.size(), 22u);
  EXPECT_LE(s.size(), max_started_by_length);
  EXPECT_EQ(s, encode_started_by("logging-agent"));
  EXPECT_NE(s, encode_started_by("logging-agent2"));
  EXPECT_TRUE(s.starts_with("berth/"));
  for (char c : s) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '_');
  EXPECT_TRUE(is_berth_started_by(s));
  EXPECT_FALSE(is_berth_started_by("ecs-svc/9223370556150183303"));
  EXPECT_FALSE(is_berth_started_by("berth/XYZ"));
  // FNV-1a-64 reference value keeps the tag stable across builds and versions.
  EXPECT_EQ(fnv1a64(""), 14695981039346656037ull);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cull);
}

TEST(Ownership, GroupRoundTrip) {
  auto g = encode_group("team:env", "d-42");
  ASSERT_TRUE(g);
  EXPECT_EQ(*g, "berth:team:env:d-42");
  auto tag = parse_group(*g);
  ASSERT_TRUE(tag);
  EXPECT_EQ(tag->environment, "team:env");
  EXPECT_EQ(tag->deployment_id, "d-42");
  auto empty = parse_group(*encode_group("env", ""));
  ASSERT_TRUE(empty);
  EXPECT_EQ(empty->deployment_id, "");
  EXPECT_FALSE(encode_group("env", "bad:id"));
  EXPECT_FALSE(encode_group(std::string(300, 'x'), "d"));
  EXPECT_TRUE(encode_group(std::string(max_environment_name_length(1), 'x'), "d"));
  EXPECT_FALSE(parse_group("family:nginx"));
  EXPECT_FALSE(parse_group("berth:"));
}

TEST(Ownership, ClassifiesTasks) {
  auto sb = encode_started_by("env");
  EXPECT_EQ(classify_task(sb, *encode_group("env", "d1"), "env"), Ownership::ours);
  EXPECT_EQ(classify_task(sb, "", "env"), Ownership::ours);
  EXPECT_EQ(classify_task(sb, *encode_group("other", "d1"), "env"), Ownership::other_environment);
  EXPECT_EQ(classify_task(encode_started_by("other"), "", "env"), Ownership::other_environment);
  EXPECT_EQ(classify_task("ecs-svc/1", "family:x", "env"), Ownership::foreign);
}

}  // namespace
}  // namespace berth::policy
