// File: tests/e2e/blox_test.cpp — the Blox daemon-scheduler front end to end: a Blox client's requests as Blox's
// swagger (tests/testdata/blox/daemon-scheduler-swagger.json) shapes them, against a running berth and berth-sim,
// every answer validated against that swagger (SwaggerCheck), the outcome asserted in the sim's state.
#include "e2e_fixture.hpp"
#include "swagger_check.hpp"

namespace berth::e2e {
namespace {

class BloxE2e : public E2eTest {
 protected:
  // Calls berth and records the exchange under the swagger's path key (no basePath).
  HttpResult blox(const std::string& method, const std::string& swagger_path, const std::string& target,
                  const std::string& body = {}) {
    auto r = berth().api(method, target, body);
    std::string lower = method;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    check_.record_text(lower, swagger_path, static_cast<unsigned>(r.status), r.body, target);
    return r;
  }
  static std::string member(const HttpResult& r, std::string_view key) {
    const auto parsed = r.json();
    const auto* v = parsed.as_object().if_contains(key);
    return v && v->is_string() ? std::string(v->as_string()) : std::string();
  }

  berth::testing::SwaggerCheck check_{std::filesystem::path(BERTH_TESTDATA_DIR) / "blox" /
                                      "daemon-scheduler-swagger.json"};
};

TEST_F(BloxE2e, BloxClientFlowRunsTheDaemonAndMatchesTheSwagger) {
  start_sim({"--instances", "3"});
  const auto td = register_task_definition(sim(), "bloxd");
  start_berth();
  const auto instances = sim_view(sim()).instance_arns();

  // CreateEnvironmentRequest, exactly the swagger's fields.
  const std::string create =
      R"({"name":"bloxd","instanceGroup":{"cluster":"default"},"taskDefinition":")" + td + R"("})";
  auto created = blox("POST", "/environments", "/v1/environments", create);
  ASSERT_EQ(created.status, 200) << created.body;
  // A second create is a bad request (the swagger has no 409), naming the field; nothing changes.
  auto again = blox("POST", "/environments", "/v1/environments", create);
  EXPECT_EQ(again.status, 400);
  EXPECT_NE(again.body.find("name"), std::string::npos);
  // A cluster berth does not watch: the swagger's 404 ("Cluster missing"), and no environment is created.
  auto elsewhere = blox("POST", "/environments", "/v1/environments",
                        R"({"name":"elsewhere","instanceGroup":{"cluster":"not-watched"},"taskDefinition":")" + td +
                            R"("})");
  EXPECT_EQ(elsewhere.status, 404) << elsewhere.body;
  EXPECT_NE(elsewhere.body.find("instanceGroup.cluster"), std::string::npos);
  EXPECT_EQ(berth().api("GET", "/v1/environments/elsewhere").status, 404);
  ASSERT_TRUE(converges("bloxd", instances, td));
  const std::string first = member(created, "activeDeploymentId");
  ASSERT_EQ(wait_deployment_final(berth(), "bloxd", first, converge_timeout), "succeeded");
  // Every instance runs its task: healthy (berth's model hears of RUNNING from the events, a moment after).
  auto health = [&] { return member(berth().api("GET", "/v1/environments/bloxd"), "health"); };
  EXPECT_TRUE(wait_until([&] { return health() == "healthy"; }, 30s, 250ms));
  // A crashed task leaves its instance without the daemon while the instance backs off (10 s): unhealthy until
  // the relaunched task runs.
  const auto live = sim_view(sim()).live_by_instance("bloxd");
  ASSERT_FALSE(live.empty());
  sim().post("/_sim/tasks/fail",
             json::object{{"task", live.begin()->second.front().arn}, {"exit_code", 1}, {"reason", "crash"}});
  EXPECT_TRUE(wait_until([&] { return health() == "unhealthy"; }, 30s, 100ms));
  blox("GET", "/environments/{name}", "/v1/environments/bloxd");  // the unhealthy answer is in the swagger too
  EXPECT_TRUE(wait_until([&] { return health() == "healthy"; }, 90s, 250ms));

  // Read the token, deploy with it (Blox's createDeployment has no body: it redeploys the environment's
  // definition), replay, then the stale token.
  auto env = blox("GET", "/environments/{name}", "/v1/environments/bloxd");
  ASSERT_EQ(env.status, 200);
  const std::string token = member(env, "deploymentToken");
  ASSERT_FALSE(token.empty());
  const std::string deploy = "/v1/environments/bloxd/deployments?deploymentToken=";
  auto d = blox("POST", "/environments/{name}/deployments", deploy + token);
  ASSERT_EQ(d.status, 200) << d.body;
  const std::string id = member(d, "id");
  EXPECT_EQ(member(d, "environmentName"), "bloxd");
  auto rotated = blox("GET", "/environments/{name}", "/v1/environments/bloxd");
  EXPECT_NE(member(rotated, "deploymentToken"), token);
  auto replay = blox("POST", "/environments/{name}/deployments", deploy + token);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(member(replay, "id"), id);
  EXPECT_EQ(wait_deployment_final(berth(), "bloxd", id, converge_timeout), "succeeded");
  auto stale = blox("POST", "/environments/{name}/deployments", deploy + "t-stale");
  EXPECT_EQ(stale.status, 400);
  EXPECT_NE(stale.body.find("deploymentToken"), std::string::npos);

  // Lists and reads, as a Blox client pages them.
  auto envs =
      blox("GET", "/environments", "/v1/environments?cluster=arn:aws:ecs:us-east-1:123456789012:cluster/default");
  EXPECT_EQ(envs.json().at("items").as_array().size(), 1u);
  auto ds = blox("GET", "/environments/{name}/deployments", "/v1/environments/bloxd/deployments");
  ASSERT_EQ(ds.json().at("items").as_array().size(), 2u);
  auto page = blox("GET", "/environments/{name}/deployments", "/v1/environments/bloxd/deployments?limit=1");
  const std::string next = member(page, "nextToken");
  ASSERT_FALSE(next.empty());
  auto rest = blox("GET", "/environments/{name}/deployments", "/v1/environments/bloxd/deployments?nextToken=" + next);
  EXPECT_EQ(rest.json().at("items").at(0).at("id").as_string(), first);
  auto one = blox("GET", "/environments/{name}/deployments/{id}", "/v1/environments/bloxd/deployments/" + id);
  EXPECT_EQ(member(one, "status"), "completed");
  EXPECT_EQ(member(one, "outcome"), "succeeded");
  // The redeploy kept one task per instance.
  EXPECT_TRUE(converges("bloxd", instances, td));

  EXPECT_EQ(blox("DELETE", "/environments/{name}", "/v1/environments/bloxd").status, 200);
  EXPECT_EQ(blox("GET", "/environments/{name}", "/v1/environments/bloxd").status, 404);
  EXPECT_EQ(blox("DELETE", "/environments/{name}", "/v1/environments/bloxd").status, 200);  // again: succeeds
  EXPECT_EQ(check_.errors(), std::vector<std::string>{});
}

}  // namespace
}  // namespace berth::e2e
