// File: tests/api/api_json_test.cpp — /v1 JSON helpers: time format, name rules, body parsing edge cases.
#include "http/api/api_json.hpp"

#include <gtest/gtest.h>

namespace berth::http::api::test {
namespace {

TEST(ApiJsonTest, FormatsTimeAsRfc3339UtcMillis) {
  using namespace std::chrono;
  EXPECT_EQ(format_time(policy::SystemTime{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_time(policy::SystemTime(seconds(1'790'000'000) + milliseconds(42) + microseconds(999))),
            "2026-09-21T14:13:20.042Z");
}

TEST(ApiJsonTest, EnvironmentNameRules) {
  EXPECT_TRUE(valid_environment_name("web"));
  EXPECT_TRUE(valid_environment_name("Web-1_a.b"));
  EXPECT_TRUE(valid_environment_name(std::string(64, 'a')));
  EXPECT_FALSE(valid_environment_name(""));
  EXPECT_FALSE(valid_environment_name(std::string(65, 'a')));
  EXPECT_FALSE(valid_environment_name(".hidden"));
  EXPECT_FALSE(valid_environment_name("a/b"));
  EXPECT_FALSE(valid_environment_name("a b"));
  EXPECT_FALSE(valid_environment_name("é"));
}

TEST(ApiJsonTest, ClusterAndTokenRules) {
  EXPECT_TRUE(valid_cluster_name("default"));
  EXPECT_TRUE(valid_cluster_name(std::string(255, 'c')));
  EXPECT_FALSE(valid_cluster_name(std::string(256, 'c')));
  EXPECT_FALSE(valid_cluster_name("a.b"));
  EXPECT_TRUE(valid_token("2026-11-25:release.7"));
  EXPECT_FALSE(valid_token(std::string(65, 't')));
  EXPECT_FALSE(valid_token("a/b"));
}

TEST(ApiJsonTest, MaxUnavailableIsNormalised) {
  struct Row {
    std::string json;
    std::string expected;  // empty = rejected
  };
  const std::vector<Row> rows = {{"1", "1"},     {"\"2\"", "2"},   {"\"25%\"", "25%"}, {"\"100%\"", "100%"},
                                 {"0", ""},      {"\"0\"", ""},    {"\"101%\"", ""},   {"\"%\"", ""},
                                 {"\"5 %\"", ""}, {"true", ""},     {"null", ""},       {"\"1e3\"", ""}};
  for (const auto& row : rows) {
    auto body = boost::json::parse(R"({"name":"n","instanceGroup":{"cluster":"c"},"taskDefinition":"t",)"
                                   R"("rollout":{"maxUnavailable":)" + row.json + "}}")
                    .as_object();
    auto env = parse_create_environment(body);
    if (row.expected.empty()) {
      ASSERT_FALSE(env) << row.json;
      EXPECT_EQ(env.error().code, "invalid_field") << row.json;
    } else {
      ASSERT_TRUE(env) << row.json << ": " << env.error().message;
      EXPECT_EQ(env->rollout.max_unavailable, row.expected);
    }
  }
}

TEST(ApiJsonTest, CreateDeploymentBody) {
  EXPECT_FALSE(parse_create_deployment("", 100).value());
  EXPECT_FALSE(parse_create_deployment(" \n", 100).value());
  EXPECT_EQ(*parse_create_deployment(R"({"taskDefinition":"web:2"})", 100).value(), "web:2");
  EXPECT_EQ(parse_create_deployment(R"({"taskDefinition":"web:2"})", 10).error().status, 413);
  EXPECT_EQ(parse_create_deployment(R"({"taskDefinition":2})", 100).error().code, "invalid_field");
}

TEST(ApiJsonTest, AttributeValueRules) {
  auto parse = [](const std::string& attrs) {
    return parse_create_environment(
        boost::json::parse(R"({"name":"n","instanceGroup":{"cluster":"c","attributes":)" + attrs +
                           R"(},"taskDefinition":"t"})")
            .as_object());
  };
  EXPECT_TRUE(parse(R"([{"name":"ecs.availability-zone","value":"us-east-1a"}])"));
  EXPECT_TRUE(parse(R"([{"name":"a","value":"x y:z@w/v"}])"));
  EXPECT_FALSE(parse(R"([{"name":"a","value":" lead"}])"));
  EXPECT_FALSE(parse(R"([{"name":"a","value":"semi;colon"}])"));
  EXPECT_FALSE(parse(R"([{"name":"","value":"x"}])"));
  EXPECT_FALSE(parse(R"([{"value":"x"}])"));
  EXPECT_FALSE(parse(R"(["a"])"));
}

}  // namespace
}  // namespace berth::http::api::test
