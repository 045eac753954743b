// File: tests/api/api_blox_swagger_test.cpp — the whole Blox daemon-scheduler flow against ApiV1, every answer
// validated against Blox's own swagger (tests/testdata/blox/daemon-scheduler-swagger.json) by SwaggerCheck:
// the expected shapes come from Blox's schema, not from berth's code.
#include "api_fixture.hpp"
#include "swagger_check.hpp"

namespace berth::http::api::test {
namespace {

class BloxSwaggerTest : public ApiFixture {
 protected:
  // Calls berth and records the exchange under the swagger's path key (no basePath).
  ApiResponse blox(const std::string& method, const std::string& swagger_path, const std::string& target,
                   std::string body = {}) {
    auto r = call(method, target, std::move(body));
    std::string lower = method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    check_.record(lower, swagger_path, static_cast<unsigned>(r.status), r.body, target);
    return r;
  }
  static std::string str(const json::value& v) { return std::string(v.as_string()); }

  berth::testing::SwaggerCheck check_{std::filesystem::path(BERTH_TESTDATA_DIR) / "blox" /
                                      "daemon-scheduler-swagger.json"};
};

TEST_F(BloxSwaggerTest, WholeFlowMatchesTheSwagger) {
  // CreateEnvironmentRequest as the swagger defines it: name, instanceGroup{cluster}, taskDefinition.
  const std::string create_web =
      R"({"name":"web","instanceGroup":{"cluster":"prod"},"taskDefinition":"arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"})";
  const std::string create_agent = R"({"name":"agent","instanceGroup":{"cluster":"prod"},"taskDefinition":"agent:1"})";
  auto web = blox("POST", "/environments", "/v1/environments", create_web);
  ASSERT_EQ(web.status, 200) << json::serialize(web.body);
  ASSERT_EQ(blox("POST", "/environments", "/v1/environments", create_agent).status, 200);
  EXPECT_EQ(blox("POST", "/environments", "/v1/environments", create_agent).status, 400);  // the name is taken
  EXPECT_EQ(blox("POST", "/environments", "/v1/environments", R"({"name":"x","taskDefinition":"x:1"})").status, 400);

  // List, whole and in pages (Blox's nextToken; limit is berth's addition to make pages small).
  auto all = blox("GET", "/environments", "/v1/environments");
  EXPECT_EQ(all.body.at("items").as_array().size(), 2u);
  blox("GET", "/environments", "/v1/environments?cluster=arn:aws:ecs:us-east-1:123456789012:cluster/prod");
  auto page1 = blox("GET", "/environments", "/v1/environments?limit=1");
  ASSERT_EQ(page1.body.at("items").as_array().size(), 1u);
  const std::string next = str(page1.body.at("nextToken"));
  auto page2 = blox("GET", "/environments", "/v1/environments?limit=1&nextToken=" + next);
  ASSERT_EQ(page2.body.at("items").as_array().size(), 1u);
  EXPECT_NE(page2.body.at("items").at(0).at("name"), page1.body.at("items").at(0).at("name"));
  EXPECT_FALSE(page2.body.as_object().contains("nextToken"));

  // Get, read the token, deploy with it.
  auto got = blox("GET", "/environments/{name}", "/v1/environments/web");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.body.at("health"), "healthy");
  EXPECT_EQ(blox("GET", "/environments/{name}", "/v1/environments/nope").status, 404);
  const std::string token = str(got.body.at("deploymentToken"));
  const std::string deploy = "/v1/environments/web/deployments?deploymentToken=";
  auto d = blox("POST", "/environments/{name}/deployments", deploy + token);
  ASSERT_EQ(d.status, 200) << json::serialize(d.body);
  EXPECT_EQ(d.body.at("environmentName"), "web");
  // The token rotated; a replay of the same request answers the same deployment; the old token is now stale
  // for anything else, and a token never issued is refused.
  auto after = blox("GET", "/environments/{name}", "/v1/environments/web");
  EXPECT_NE(str(after.body.at("deploymentToken")), token);
  auto replay = blox("POST", "/environments/{name}/deployments", deploy + token);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.body.at("id"), d.body.at("id"));
  EXPECT_EQ(blox("POST", "/environments/{name}/deployments", deploy + token, R"({"taskDefinition":"web:9"})").status,
            400);  // the same token for something else is not a retry
  auto next_d = blox("POST", "/environments/{name}/deployments", deploy + str(after.body.at("deploymentToken")));
  ASSERT_EQ(next_d.status, 200);
  EXPECT_EQ(blox("POST", "/environments/{name}/deployments", deploy + token).status, 400);
  EXPECT_EQ(blox("POST", "/environments/{name}/deployments", deploy + "never-issued").status, 400);
  EXPECT_EQ(
      blox("POST", "/environments/{name}/deployments", "/v1/environments/nope/deployments?deploymentToken=x").status,
      404);

  // A finished deployment that rolled back is "completed" with its failedInstances.
  ASSERT_TRUE(store_->engine().finish_deployment(str(next_d.body.at("id")), policy::DeploymentStatus::rolled_back,
                                                 "deadline", now_));
  EXPECT_EQ(blox("GET", "/environments/{name}", "/v1/environments/web").body.at("health"), "unhealthy");

  // Deployments: list (whole and paged), get, missing.
  auto ds = blox("GET", "/environments/{name}/deployments", "/v1/environments/web/deployments");
  ASSERT_EQ(ds.body.at("items").as_array().size(), 3u);
  auto dp1 = blox("GET", "/environments/{name}/deployments", "/v1/environments/web/deployments?limit=2");
  ASSERT_EQ(dp1.body.at("items").as_array().size(), 2u);
  auto dp2 = blox("GET", "/environments/{name}/deployments",
                  "/v1/environments/web/deployments?limit=2&nextToken=" + str(dp1.body.at("nextToken")));
  ASSERT_EQ(dp2.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(blox("GET", "/environments/{name}/deployments", "/v1/environments/nope/deployments").status, 404);
  auto one = blox("GET", "/environments/{name}/deployments/{id}",
                  "/v1/environments/web/deployments/" + str(next_d.body.at("id")));
  EXPECT_EQ(one.body.at("status"), "completed");
  EXPECT_EQ(one.body.at("outcome"), "rolled_back");
  EXPECT_EQ(blox("GET", "/environments/{name}/deployments/{id}", "/v1/environments/web/deployments/d-99").status, 404);

  // Delete, then the environment is gone.
  EXPECT_EQ(blox("DELETE", "/environments/{name}", "/v1/environments/web").status, 200);
  EXPECT_EQ(blox("GET", "/environments/{name}", "/v1/environments/web").status, 404);
  EXPECT_EQ(blox("DELETE", "/environments/{name}", "/v1/environments/web").status, 200);  // again: succeeds
  EXPECT_EQ(blox("GET", "/ping", "/v1/ping").status, 200);

  EXPECT_GE(check_.recorded(), 25u);
  EXPECT_EQ(check_.errors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace berth::http::api::test
