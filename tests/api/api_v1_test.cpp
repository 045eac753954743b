// File: tests/api/api_v1_test.cpp — table-driven tests of every /v1 route and error, plus behaviour tests.
#include "api_fixture.hpp"
#include "http/route_table.hpp"

#include <sqlite3.h>

#include <algorithm>

namespace berth::http::api::test {
namespace {

struct Case {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
  int status;
  std::string error_code;  // expected {"error":{"code"}}; empty for a success answer
};

std::string env_body(std::string_view extra) {
  return R"({"name":"new","instanceGroup":{"cluster":"prod"},"taskDefinition":"web:3")" + std::string(extra) + "}";
}

// Every case runs against the same starting state: environment "web" (cluster prod, first deployment d-1) and
// environment "api" (cluster dev, first deployment d-2).
const std::vector<Case> cases = {
    // ping and routing
    {"ping", "GET", "/v1/ping", "", 200, ""},
    {"ping_wrong_method", "POST", "/v1/ping", "", 405, "method_not_allowed"},
    {"unknown_route", "GET", "/v1/nope", "", 404, "not_found"},
    {"unknown_version", "GET", "/v2/environments", "", 404, "not_found"},
    {"trailing_slash_ok", "GET", "/v1/environments/", "", 200, ""},
    {"patch_not_allowed", "PATCH", "/v1/environments/web", "", 405, "method_not_allowed"},
    // list
    {"list_all", "GET", "/v1/environments", "", 200, ""},
    {"list_by_cluster", "GET", "/v1/environments?cluster=prod", "", 200, ""},
    {"list_bad_cluster", "GET", "/v1/environments?cluster=a%2Fb", "", 400, "invalid_field"},
    {"list_unknown_query", "GET", "/v1/environments?clusterName=prod", "", 400, "unknown_field"},
    {"list_by_cluster_arn", "GET", "/v1/environments?cluster=arn:aws:ecs:us-east-1:123456789012:cluster/prod", "", 200,
     ""},
    {"list_bad_cluster_arn", "GET", "/v1/environments?cluster=arn:aws:ecs:us-east-1:1:service/x", "", 400,
     "invalid_field"},
    {"list_limit", "GET", "/v1/environments?limit=1", "", 200, ""},
    {"list_next_token", "GET", "/v1/environments?nextToken=api", "", 200, ""},
    {"list_limit_zero", "GET", "/v1/environments?limit=0", "", 400, "invalid_field"},
    // create
    {"create_ok", "POST", "/v1/environments", env_body(""), 200, ""},
    {"create_full", "POST", "/v1/environments",
     env_body(R"(,"instanceGroup":{"cluster":"prod","attributes":[{"name":"stack","value":"blue"},{"name":"gpu"}]},)"
              R"("deploymentMethod":"ReplaceAfterTerminate","constraint":"attribute:az in [a]",)"
              R"("rollout":{"maxUnavailable":"25%","minHealthySeconds":5,"deadlineSeconds":0,"maxFailures":0,)"
              R"("autoRollback":false})"),
     200, ""},
    {"create_duplicate", "POST", "/v1/environments",
     R"({"name":"web","instanceGroup":{"cluster":"prod"},"taskDefinition":"web:9"})", 400, "already_exists"},
    {"create_missing_name", "POST", "/v1/environments", R"({"instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})",
     400, "missing_field"},
    {"create_empty_name", "POST", "/v1/environments",
     R"({"name":"","instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 400, "missing_field"},
    {"create_missing_instance_group", "POST", "/v1/environments", R"({"name":"n","taskDefinition":"x"})", 400,
     "missing_field"},
    {"create_missing_cluster", "POST", "/v1/environments", R"({"name":"n","instanceGroup":{},"taskDefinition":"x"})",
     400, "missing_field"},
    {"create_missing_task_definition", "POST", "/v1/environments", R"({"name":"n","instanceGroup":{"cluster":"p"}})",
     400, "missing_field"},
    {"create_unknown_field", "POST", "/v1/environments", env_body(R"(,"replicas":3)"), 400, "unknown_field"},
    {"create_unknown_nested_field", "POST", "/v1/environments",
     env_body(R"(,"rollout":{"maxUnavailble":"2"})"), 400, "unknown_field"},
    {"create_unknown_group_field", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"p","size":1},"taskDefinition":"x"})", 400, "unknown_field"},
    {"create_bad_name_chars", "POST", "/v1/environments",
     R"({"name":"bad name","instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 400, "invalid_field"},
    {"create_name_too_long", "POST", "/v1/environments",
     R"({"name":")" + std::string(65, 'a') + R"(","instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 400,
     "invalid_field"},
    // Blox's CreateEnvironmentRequest name pattern is ^[a-zA-Z0-9-_]{1,30}$: a leading '-' or '_' is a Blox name.
    {"create_name_leading_dash", "POST", "/v1/environments",
     R"({"name":"-x","instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 200, ""},
    {"create_name_leading_underscore", "POST", "/v1/environments",
     R"({"name":"_x","instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 200, ""},
    {"create_name_leading_dot", "POST", "/v1/environments",
     R"({"name":".x","instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 400, "invalid_field"},
    // Blox's swagger: 404 "Resource not found, e.g. Cluster missing".
    {"create_unwatched_cluster", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"nowhere"},"taskDefinition":"x"})", 404, "not_found"},
    {"create_bad_cluster", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"a b"},"taskDefinition":"x"})", 400, "invalid_field"},
    {"create_name_not_string", "POST", "/v1/environments",
     R"({"name":5,"instanceGroup":{"cluster":"prod"},"taskDefinition":"x"})", 400, "invalid_field"},
    {"create_bad_task_definition", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"prod"},"taskDefinition":"web 1"})", 400, "invalid_field"},
    {"create_attributes_not_array", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"prod","attributes":{"a":"b"}},"taskDefinition":"x"})", 400,
     "invalid_field"},
    {"create_attribute_unknown_field", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"prod","attributes":[{"name":"a","op":"eq"}]},"taskDefinition":"x"})",
     400, "unknown_field"},
    {"create_attribute_duplicate", "POST", "/v1/environments",
     R"({"name":"n","instanceGroup":{"cluster":"prod","attributes":[{"name":"a"},{"name":"a"}]},"taskDefinition":"x"})",
     400, "invalid_field"},
    {"create_max_unavailable_zero", "POST", "/v1/environments", env_body(R"(,"rollout":{"maxUnavailable":0})"), 400,
     "invalid_field"},
    {"create_max_unavailable_zero_string", "POST", "/v1/environments",
     env_body(R"(,"rollout":{"maxUnavailable":"0%"})"), 400, "invalid_field"},
    {"create_max_unavailable_over_100pct", "POST", "/v1/environments",
     env_body(R"(,"rollout":{"maxUnavailable":"150%"})"), 400, "invalid_field"},
    {"create_max_unavailable_garbage", "POST", "/v1/environments",
     env_body(R"(,"rollout":{"maxUnavailable":"two"})"), 400, "invalid_field"},
    {"create_max_unavailable_fraction", "POST", "/v1/environments", env_body(R"(,"rollout":{"maxUnavailable":1.5})"),
     400, "invalid_field"},
    {"create_max_unavailable_negative", "POST", "/v1/environments",
     env_body(R"(,"rollout":{"maxUnavailable":-1})"), 400, "invalid_field"},
    {"create_max_unavailable_int_ok", "POST", "/v1/environments", env_body(R"(,"rollout":{"maxUnavailable":2})"),
     200, ""},
    {"create_min_healthy_negative", "POST", "/v1/environments",
     env_body(R"(,"rollout":{"minHealthySeconds":-1})"), 400, "invalid_field"},
    {"create_auto_rollback_not_bool", "POST", "/v1/environments", env_body(R"(,"rollout":{"autoRollback":"yes"})"),
     400, "invalid_field"},
    {"create_rollout_not_object", "POST", "/v1/environments", env_body(R"(,"rollout":[])"), 400, "invalid_field"},
    {"create_bad_deployment_method", "POST", "/v1/environments", env_body(R"(,"deploymentMethod":"Canary")"), 400,
     "invalid_field"},
    {"create_invalid_constraint", "POST", "/v1/environments", env_body(R"(,"constraint":"nonsense")"), 400,
     "invalid_field"},
    {"create_invalid_json", "POST", "/v1/environments", R"({"name":)", 400, "invalid_json"},
    {"create_empty_body", "POST", "/v1/environments", "", 400, "invalid_json"},
    {"create_array_body", "POST", "/v1/environments", "[]", 400, "invalid_json"},
    {"create_too_large", "POST", "/v1/environments", std::string(70 * 1024, ' '), 413, "payload_too_large"},
    {"create_with_query", "POST", "/v1/environments?dryRun=true", env_body(""), 400, "unknown_field"},
    // get
    {"get_ok", "GET", "/v1/environments/web", "", 200, ""},
    {"get_missing", "GET", "/v1/environments/nope", "", 404, "not_found"},
    {"get_bad_name", "GET", "/v1/environments/b%20d", "", 400, "invalid_field"},
    // put
    {"put_rollout", "PUT", "/v1/environments/web", R"({"rollout":{"maxUnavailable":"50%"}})", 200, ""},
    {"put_same_values", "PUT", "/v1/environments/web",
     R"({"name":"web","instanceGroup":{"cluster":"prod"},"taskDefinition":"web:1"})", 200, ""},
    {"put_attributes_and_constraint", "PUT", "/v1/environments/web",
     R"({"instanceGroup":{"attributes":[{"name":"stack","value":"green"}]},"constraint":null,"revision":1})", 200,
     ""},
    {"put_missing", "PUT", "/v1/environments/nope", "{}", 404, "not_found"},
    {"put_stale_revision", "PUT", "/v1/environments/web", R"({"constraint":"attribute:x exists","revision":7})", 409,
     "conflict"},
    {"put_invalid_constraint", "PUT", "/v1/environments/web", R"({"constraint":"attribute:az in ["})", 400,
     "invalid_field"},
    {"put_change_cluster", "PUT", "/v1/environments/web", R"({"instanceGroup":{"cluster":"dev"}})", 400,
     "invalid_field"},
    {"put_change_task_definition", "PUT", "/v1/environments/web", R"({"taskDefinition":"web:2"})", 400,
     "invalid_field"},
    {"put_rename", "PUT", "/v1/environments/web", R"({"name":"other"})", 400, "invalid_field"},
    {"put_unknown_field", "PUT", "/v1/environments/web", R"({"size":1})", 400, "unknown_field"},
    {"put_bad_max_unavailable", "PUT", "/v1/environments/web", R"({"rollout":{"maxUnavailable":"0"}})", 400,
     "invalid_field"},
    {"put_invalid_json", "PUT", "/v1/environments/web", "{", 400, "invalid_json"},
    {"put_bad_revision", "PUT", "/v1/environments/web", R"({"revision":"1"})", 400, "invalid_field"},
    // delete
    {"delete_ok", "DELETE", "/v1/environments/web", "", 200, ""},
    {"delete_terminate", "DELETE", "/v1/environments/web?terminateTasks=true", "", 200, ""},
    {"delete_missing_succeeds", "DELETE", "/v1/environments/nope", "", 200, ""},  // Blox: idempotent
    {"delete_bad_flag", "DELETE", "/v1/environments/web?terminateTasks=yes", "", 400, "invalid_field"},
    // deployments
    // {token} is environment web's current deploymentToken, read at run time.
    {"deploy_ok", "POST", "/v1/environments/web/deployments?deploymentToken={token}", R"({"taskDefinition":"web:2"})",
     200, ""},
    {"deploy_empty_body_redeploys", "POST", "/v1/environments/web/deployments?deploymentToken={token}", "", 200, ""},
    {"deploy_missing_token", "POST", "/v1/environments/web/deployments", "", 400, "missing_field"},
    {"deploy_stale_token", "POST", "/v1/environments/web/deployments?deploymentToken=abc-1", "", 400,
     "invalid_field"},
    {"deploy_bad_token", "POST", "/v1/environments/web/deployments?deploymentToken=a%20b", "", 400,
     "invalid_field"},
    {"deploy_missing_env", "POST", "/v1/environments/nope/deployments?deploymentToken=x", "", 404, "not_found"},
    {"deploy_unknown_field", "POST", "/v1/environments/web/deployments?deploymentToken={token}", R"({"image":"x"})",
     400, "unknown_field"},
    {"deploy_invalid_json", "POST", "/v1/environments/web/deployments?deploymentToken={token}", "nope", 400,
     "invalid_json"},
    {"deploy_bad_task_definition", "POST", "/v1/environments/web/deployments?deploymentToken={token}",
     R"({"taskDefinition":""})", 400, "invalid_field"},
    {"deploy_unknown_query", "POST", "/v1/environments/web/deployments?token=x", "", 400, "unknown_field"},
    {"deployments_list", "GET", "/v1/environments/web/deployments", "", 200, ""},
    {"deployments_list_limit", "GET", "/v1/environments/web/deployments?limit=1", "", 200, ""},
    {"deployments_list_limit_zero", "GET", "/v1/environments/web/deployments?limit=0", "", 400, "invalid_field"},
    {"deployments_list_limit_garbage", "GET", "/v1/environments/web/deployments?limit=1x", "", 400,
     "invalid_field"},
    {"deployments_list_missing_env", "GET", "/v1/environments/nope/deployments", "", 404, "not_found"},
    {"deployments_list_next_token", "GET", "/v1/environments/web/deployments?nextToken=d-1", "", 200, ""},
    {"deployments_list_next_token_unknown", "GET", "/v1/environments/web/deployments?nextToken=d-99", "", 400,
     "invalid_field"},
    {"deployments_wrong_method", "DELETE", "/v1/environments/web/deployments", "", 405, "method_not_allowed"},
    {"deployment_get", "GET", "/v1/environments/web/deployments/d-1", "", 200, ""},
    {"deployment_get_missing", "GET", "/v1/environments/web/deployments/d-99", "", 404, "not_found"},
    {"deployment_get_other_env", "GET", "/v1/environments/web/deployments/d-2", "", 404, "not_found"},
    {"deployment_get_missing_env", "GET", "/v1/environments/nope/deployments/d-1", "", 404, "not_found"},
    {"deployment_put_not_allowed", "PUT", "/v1/environments/web/deployments/d-1", "{}", 405, "method_not_allowed"},
    // cluster read views
    {"instances_ok", "GET", "/v1/clusters/prod/instances", "", 200, ""},
    {"instances_unknown_cluster", "GET", "/v1/clusters/other/instances", "", 404, "not_found"},
    {"instances_bad_cluster", "GET", "/v1/clusters/a.b/instances", "", 400, "invalid_field"},
    {"tasks_ok", "GET", "/v1/clusters/prod/tasks", "", 200, ""},
    {"tasks_unknown_cluster", "GET", "/v1/clusters/other/tasks", "", 404, "not_found"},
    {"tasks_wrong_method", "POST", "/v1/clusters/prod/tasks", "", 405, "method_not_allowed"},
};

class ApiRouteTest : public ApiFixture, public ::testing::WithParamInterface<Case> {};

TEST_P(ApiRouteTest, AnswersWithStatusAndErrorCode) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  ASSERT_EQ(create_env("api", "dev", "api:1").status, 200);
  const Case& c = GetParam();
  std::string target = c.target;
  if (auto at = target.find("{token}"); at != std::string::npos) target.replace(at, 7, env_token("web"));
  ApiResponse r = call(c.method, target, c.body);
  EXPECT_EQ(r.status, c.status) << json::serialize(r.body);
  EXPECT_EQ(error_code(r), c.error_code) << json::serialize(r.body);
  if (!c.error_code.empty()) {
    // Every error has the documented shape with a non-empty message.
    ASSERT_TRUE(r.body.is_object());
    EXPECT_FALSE(r.body.at("error").at("message").as_string().empty());
  } else if (c.name == "delete_missing_succeeds") {
    EXPECT_TRUE(r.body.is_null());  // nothing was there to answer with
  } else {
    EXPECT_TRUE(r.body.is_object());
  }
  if (r.status == 405) {
    EXPECT_FALSE(header(r, "Allow").empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Routes, ApiRouteTest, ::testing::ValuesIn(cases),
                         [](const auto& info) { return info.param.name; });

// ---- behaviour ------------------------------------------------------------------------------------------------

class ApiTest : public ApiFixture {};

TEST_F(ApiTest, CreateEnvironmentReturnsBloxShapeAndFirstDeployment) {
  auto r = call("POST", "/v1/environments",
                R"({"name":"web","instanceGroup":{"cluster":"prod","attributes":[{"name":"stack","value":"blue"},)"
                R"({"name":"gpu"}]},"taskDefinition":"web:1","rollout":{"maxUnavailable":3}})");
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);  // Blox: 200, not 201
  EXPECT_EQ(header(r, "Location"), "/v1/environments/web");
  // The token is random: check its form, then compare the rest exactly.
  const std::string token(r.body.at("deploymentToken").as_string());
  EXPECT_EQ(token.size(), 34u);
  EXPECT_EQ(token.rfind("t-", 0), 0u);
  r.body.as_object().erase("deploymentToken");
  json::value expected = json::parse(R"({
    "name":"web",
    "instanceGroup":{"cluster":"prod","attributes":[{"name":"stack","value":"blue"},{"name":"gpu"}]},
    "taskDefinition":"web:1",
    "health":"healthy",
    "deploymentMethod":"ReplaceAfterTerminate",
    "constraint":null,
    "rollout":{"maxUnavailable":"3","minHealthySeconds":10,"deadlineSeconds":600,"maxFailures":3,"autoRollback":true},
    "activeDeploymentId":"d-1",
    "revision":1,
    "createdAt":"2026-09-21T14:13:20.000Z",
    "updatedAt":"2026-09-21T14:13:20.000Z"})");
  EXPECT_EQ(r.body, expected) << json::serialize(r.body);
  EXPECT_EQ(reconcile_.dirty, std::vector<std::string>{"web"});
  EXPECT_EQ(env_token("web"), token);

  auto d = call("GET", "/v1/environments/web/deployments/d-1");
  ASSERT_EQ(d.status, 200);
  json::value expected_d = json::parse(R"({
    "id":"d-1","environmentName":"web","taskDefinition":"web:1","previousTaskDefinition":null,
    "deploymentToken":null,"status":"pending","outcome":null,"reason":null,"desiredCount":0,"updatedCount":0,
    "failedCount":0,"failedInstances":[],"createdAt":"2026-09-21T14:13:20.000Z","startedAt":null,"endedAt":null})");
  EXPECT_EQ(d.body, expected_d) << json::serialize(d.body);
}

TEST_F(ApiTest, ListEnvironmentsFiltersByClusterAndPages) {
  ASSERT_EQ(create_env("b", "prod").status, 200);
  ASSERT_EQ(create_env("a", "prod").status, 200);
  ASSERT_EQ(create_env("c", "dev").status, 200);
  auto all = call("GET", "/v1/environments");
  ASSERT_EQ(all.body.at("items").as_array().size(), 3u);
  EXPECT_FALSE(all.body.as_object().contains("nextToken"));
  auto prod = call("GET", "/v1/environments?cluster=prod");
  const auto& envs = prod.body.at("items").as_array();
  ASSERT_EQ(envs.size(), 2u);
  EXPECT_EQ(envs[0].at("name"), "a");
  EXPECT_EQ(envs[1].at("name"), "b");
  // Blox filters by cluster ARN.
  auto by_arn = call("GET", "/v1/environments?cluster=arn:aws:ecs:us-east-1:123456789012:cluster/prod");
  EXPECT_EQ(by_arn.body.at("items"), prod.body.at("items"));

  // Pages of two: a, b (nextToken b), then c (no nextToken).
  auto p1 = call("GET", "/v1/environments?limit=2");
  ASSERT_EQ(p1.body.at("items").as_array().size(), 2u);
  EXPECT_EQ(p1.body.at("nextToken"), "b");
  auto p2 = call("GET", "/v1/environments?limit=2&nextToken=b");
  ASSERT_EQ(p2.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(p2.body.at("items").at(0).at("name"), "c");
  EXPECT_FALSE(p2.body.as_object().contains("nextToken"));
}

TEST_F(ApiTest, NewDeploymentSupersedesRunningOneAndListsNewestFirst) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  now_ += std::chrono::seconds(60);
  auto r2 = deploy("web", R"({"taskDefinition":"web:2"})");
  ASSERT_EQ(r2.status, 200) << json::serialize(r2.body);
  EXPECT_EQ(r2.body.at("id"), "d-2");
  EXPECT_EQ(r2.body.at("previousTaskDefinition"), nullptr);  // d-1 never completed: no stable definition yet
  EXPECT_EQ(header(r2, "Location"), "/v1/environments/web/deployments/d-2");

  // Superseded: over, so Blox's "completed", with berth's verdict in outcome.
  auto d1 = call("GET", "/v1/environments/web/deployments/d-1");
  EXPECT_EQ(d1.body.at("status"), "completed");
  EXPECT_EQ(d1.body.at("outcome"), "failed");
  EXPECT_EQ(d1.body.at("reason"), "superseded");
  EXPECT_EQ(d1.body.at("endedAt"), "2026-09-21T14:14:20.000Z");

  auto env = call("GET", "/v1/environments/web");
  EXPECT_EQ(env.body.at("taskDefinition"), "web:2");
  EXPECT_EQ(env.body.at("activeDeploymentId"), "d-2");

  auto list = call("GET", "/v1/environments/web/deployments");
  const auto& ds = list.body.at("items").as_array();
  ASSERT_EQ(ds.size(), 2u);
  EXPECT_EQ(ds[0].at("id"), "d-2");
  EXPECT_EQ(ds[1].at("id"), "d-1");
  EXPECT_FALSE(list.body.as_object().contains("nextToken"));
  auto one = call("GET", "/v1/environments/web/deployments?limit=1");
  EXPECT_EQ(one.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(one.body.at("nextToken"), "d-2");
  auto rest = call("GET", "/v1/environments/web/deployments?limit=1&nextToken=d-2");
  ASSERT_EQ(rest.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(rest.body.at("items").at(0).at("id"), "d-1");
  EXPECT_FALSE(rest.body.as_object().contains("nextToken"));
  EXPECT_EQ(reconcile_.dirty, (std::vector<std::string>{"web", "web"}));
}

TEST_F(ApiTest, PreviousTaskDefinitionIsLastCompleted) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  ASSERT_TRUE(store_->engine().finish_deployment("d-1", policy::DeploymentStatus::completed, "", now_));
  auto r = deploy("web", R"({"taskDefinition":"web:2"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("previousTaskDefinition"), "web:1");
  auto d1 = call("GET", "/v1/environments/web/deployments/d-1");
  EXPECT_EQ(d1.body.at("status"), "completed");
  EXPECT_EQ(d1.body.at("outcome"), "succeeded");
}

TEST_F(ApiTest, DeploymentTokenIsOptimisticConcurrency) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  const std::string t1 = env_token("web");
  const std::string target = "/v1/environments/web/deployments?deploymentToken=";
  auto first = call("POST", target + t1, R"({"taskDefinition":"web:2"})");
  ASSERT_EQ(first.status, 200) << json::serialize(first.body);
  EXPECT_EQ(first.body.at("deploymentToken"), json::value(t1));  // the token that started it
  // The start rotated the environment's token.
  const std::string t2 = env_token("web");
  EXPECT_NE(t2, t1);
  EXPECT_FALSE(t2.empty());

  // A retry with the token that started the newest deployment answers that deployment: 200, nothing new.
  auto again = call("POST", target + t1, R"({"taskDefinition":"web:2"})");
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body.at("id"), first.body.at("id"));
  auto no_body = call("POST", target + t1);
  EXPECT_EQ(no_body.status, 200);
  EXPECT_EQ(no_body.body.at("id"), first.body.at("id"));
  // The same token for something else is not a retry.
  auto reused = call("POST", target + t1, R"({"taskDefinition":"web:3"})");
  EXPECT_EQ(reused.status, 400);
  EXPECT_EQ(error_code(reused), "invalid_field");
  EXPECT_EQ(env_token("web"), t2);  // replays rotate nothing

  // The current token starts the next one; t1 is then stale: 400 naming the field.
  auto second = call("POST", target + t2, R"({"taskDefinition":"web:3"})");
  ASSERT_EQ(second.status, 200);
  EXPECT_NE(second.body.at("id"), first.body.at("id"));
  auto stale = call("POST", target + t1, R"({"taskDefinition":"web:2"})");
  EXPECT_EQ(stale.status, 400);
  EXPECT_EQ(error_code(stale), "invalid_field");
  EXPECT_NE(std::string(stale.body.at("error").at("message").as_string()).find("deploymentToken"), std::string::npos);
  auto never = call("POST", target + "made-up");
  EXPECT_EQ(never.status, 400);
  auto missing = call("POST", "/v1/environments/web/deployments");
  EXPECT_EQ(error_code(missing), "missing_field");

  EXPECT_EQ(call("GET", "/v1/environments/web/deployments").body.at("items").as_array().size(), 3u);
  EXPECT_EQ(reconcile_.dirty.size(), 3u);  // create + two real deployments; replays do not re-trigger
}

TEST_F(ApiTest, DeploymentStatusStaysWithinBloxEnum) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  ASSERT_EQ(deploy("web", R"({"taskDefinition":"web:2"})").status, 200);  // d-2
  ASSERT_TRUE(store_->engine().finish_deployment("d-2", policy::DeploymentStatus::rolled_back, "deadline", now_));
  auto d2 = call("GET", "/v1/environments/web/deployments/d-2");
  EXPECT_EQ(d2.body.at("status"), "completed");
  EXPECT_EQ(d2.body.at("outcome"), "rolled_back");
  EXPECT_EQ(d2.body.at("reason"), "deadline");
  const auto list = call("GET", "/v1/environments/web/deployments");  // kept: the loop views into it
  for (const auto& d : list.body.at("items").as_array()) {
    const auto& s = d.at("status");
    EXPECT_TRUE(s == "pending" || s == "running" || s == "completed") << s;
  }
}

TEST_F(ApiTest, HealthFollowsNewestDeploymentAndMissingTasks) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  auto health = [&] { return call("GET", "/v1/environments/web").body.at("health"); };
  // A rollout in progress is healthy even though instances lack the task (that is the rollout's work).
  clusters_.without_task = 2;
  EXPECT_EQ(health(), "healthy");
  // Done, but an instance lacks its RUNNING task.
  ASSERT_TRUE(store_->engine().finish_deployment("d-1", policy::DeploymentStatus::completed, "", now_));
  EXPECT_EQ(health(), "unhealthy");
  clusters_.without_task = 0;
  EXPECT_EQ(health(), "healthy");
  clusters_.without_task = std::nullopt;  // model not known yet: judged from the deployments only
  EXPECT_EQ(health(), "healthy");
  // The newest deployment failed: unhealthy until a deployment succeeds.
  ASSERT_EQ(deploy("web", R"({"taskDefinition":"web:2"})").status, 200);  // d-2
  ASSERT_TRUE(store_->engine().finish_deployment("d-2", policy::DeploymentStatus::failed, "maxFailures", now_));
  EXPECT_EQ(health(), "unhealthy");
  EXPECT_EQ(call("GET", "/v1/environments").body.at("items").at(0).at("health"), "unhealthy");
  ASSERT_EQ(deploy("web", R"({"taskDefinition":"web:3"})").status, 200);  // d-3
  ASSERT_TRUE(store_->engine().finish_deployment("d-3", policy::DeploymentStatus::completed, "", now_));
  EXPECT_EQ(health(), "healthy");
}

TEST_F(ApiTest, PutMergesRolloutAndIsIdempotent) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  auto r = call("PUT", "/v1/environments/web", R"({"rollout":{"maxFailures":7},"constraint":"attribute:az in [a]"})");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("revision"), 2);
  EXPECT_EQ(r.body.at("rollout").at("maxFailures"), 7);
  EXPECT_EQ(r.body.at("rollout").at("maxUnavailable"), "1");  // untouched fields keep their values
  EXPECT_EQ(r.body.at("constraint"), "attribute:az in [a]");
  auto same = call("PUT", "/v1/environments/web", R"({"rollout":{"maxFailures":7}})");
  EXPECT_EQ(same.status, 200);
  EXPECT_EQ(same.body.at("revision"), 2);
  EXPECT_EQ(reconcile_.dirty.size(), 2u);
  auto stale = call("PUT", "/v1/environments/web", R"({"rollout":{"maxFailures":8},"revision":1})");
  EXPECT_EQ(stale.status, 409);
  auto fresh = call("PUT", "/v1/environments/web", R"({"rollout":{"maxFailures":8},"revision":2})");
  EXPECT_EQ(fresh.status, 200);
  EXPECT_EQ(fresh.body.at("revision"), 3);
}

TEST_F(ApiTest, DeleteTerminatesTasksOnlyWhenAsked) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  ASSERT_EQ(create_env("api", "prod").status, 200);
  EXPECT_EQ(call("DELETE", "/v1/environments/web").status, 200);
  EXPECT_TRUE(reconcile_.terminated.empty());
  auto r = call("DELETE", "/v1/environments/api?terminateTasks=true");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("name"), "api");
  EXPECT_EQ(reconcile_.terminated, std::vector<std::string>{"api"});
  EXPECT_EQ(call("GET", "/v1/environments/api").status, 404);
  EXPECT_EQ(call("GET", "/v1/environments/api/deployments/d-2").status, 404);
  // Deleting it again succeeds (Blox's DeleteEnvironment scenario) and changes nothing.
  auto again = call("DELETE", "/v1/environments/api?terminateTasks=true");
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(again.body.is_null());
  EXPECT_EQ(reconcile_.terminated, std::vector<std::string>{"api"});
}

TEST_F(ApiTest, ClusterViewsWrapModelData) {
  auto r = call("GET", "/v1/clusters/prod/instances");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.body.at("cluster"), "prod");
  EXPECT_EQ(r.body.at("instances").as_array().size(), 1u);
  auto t = call("GET", "/v1/clusters/prod/tasks");
  EXPECT_EQ(t.body.at("tasks").as_array().at(0).at("taskArn"), "arn:aws:ecs:us-east-1:1:task/prod/t1");
}

TEST_F(ApiTest, MethodNotAllowedListsAllowedMethods) {
  auto r = call("PATCH", "/v1/environments/web");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET, PUT, DELETE");
}

TEST_F(ApiTest, UnknownMethodIs405OnKnownPathsAnd404Elsewhere) {
  auto r = call("BREW", "/v1/ping");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "GET");
  EXPECT_EQ(r.body.at("error").at("message"), "BREW is not allowed on /v1/ping (allowed: GET)");
  EXPECT_EQ(call("BREW", "/v1/nope").status, 404);
}

TEST_F(ApiTest, EveryRouteIsReachableThroughHandleAndRun) {
  ASSERT_EQ(create_env("web", "prod").status, 200);  // first deployment d-1
  ASSERT_EQ(call("POST", "/v1/services",
                 R"({"name":"web","cluster":"prod","taskDefinition":"web:1","desiredCount":2})")
                .status,
            200);  // first deployment d-2
  const std::map<std::string, std::string> env_values = {{"name", "web"}, {"id", "d-1"}, {"cluster", "prod"}};
  ASSERT_EQ(call("POST", "/v1/jobs", R"({"id":"nightly","taskDefinition":"n:1","schedule":"0"})").status, 200);
  const std::map<std::string, std::string> service_values = {{"name", "web"}, {"id", "d-2"}};
  const std::map<std::string, std::string> job_values = {{"id", "nightly"}};
  std::vector<ApiV1::Route> routes = ApiV1::routes();
  // DELETE last, so that every other route still finds environment "web".
  std::stable_partition(routes.begin(), routes.end(), [](const auto& r) { return r.method != Verb::delete_; });
  for (const auto& route : routes) {
    const auto& values = route.pattern.starts_with("/v1/services") ? service_values
                         : route.pattern.starts_with("/v1/jobs")   ? job_values
                                                                   : env_values;
    std::string path;
    std::string_view rest = route.pattern;
    while (!rest.empty()) {
      auto open = rest.find('{');
      path += rest.substr(0, open);
      if (open == std::string_view::npos) break;
      auto close = rest.find('}', open);
      path += values.at(std::string(rest.substr(open + 1, close - open - 1)));
      rest = rest.substr(close + 1);
    }
    const std::string method(boost::beast::http::to_string(route.method));
    // A GET answers 200; other methods may refuse the empty body, but never as an unknown route.
    auto r = call(method, path);
    EXPECT_NE(r.status, 404) << method << " " << path << " " << json::serialize(r.body);
    EXPECT_NE(r.status, 405) << method << " " << path;
    if (route.method == Verb::get) {
      EXPECT_EQ(r.status, 200) << path << " " << json::serialize(r.body);
    }
  }
  // run() checks the body limit and the query parameters of the route it is given.
  const auto& ping = ApiV1::routes().front();
  ASSERT_EQ(ping.pattern, "/v1/ping");
  auto run = [&](const ApiRequest& request) { return berth::test::run_blocking(io_, api_->run(ping, request, {})); };
  EXPECT_EQ(run(ApiRequest::from_target("GET", "/v1/ping", std::string(70 * 1024, ' '))).status, 413);
  EXPECT_EQ(error_code(run(ApiRequest::from_target("GET", "/v1/ping?x=1"))), "unknown_field");
  EXPECT_EQ(run(ApiRequest::from_target("GET", "/v1/ping")).status, 200);
}

TEST_F(ApiTest, ErrorMessagesNameTheField) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  auto r = call("POST", "/v1/environments",
                R"({"name":"x","instanceGroup":{"cluster":"prod"},"taskDefinition":"x","rollout":{"maxUnavailable":0}})");
  EXPECT_NE(std::string(r.body.at("error").at("message").as_string()).find("rollout.maxUnavailable"),
            std::string::npos);
  auto u = call("POST", "/v1/environments",
                R"({"name":"x","instanceGroup":{"cluster":"prod","attributes":[{"name":"a","x":1}]},"taskDefinition":"x"})");
  EXPECT_NE(std::string(u.body.at("error").at("message").as_string()).find("instanceGroup.attributes[0].x"),
            std::string::npos);
  auto m = call("POST", "/v1/environments", R"({"name":"x","instanceGroup":{"cluster":"prod"}})");
  EXPECT_NE(std::string(m.body.at("error").at("message").as_string()).find("taskDefinition"), std::string::npos);
}

TEST_F(ApiTest, StoreFailureIsAnOpaque500) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open((dir_ / "berth.db").string().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "UPDATE environments SET rollout = 'garbage'", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto r = call("GET", "/v1/environments/web");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(error_code(r), "internal");
  EXPECT_EQ(r.body.at("error").at("message"), "internal error");  // no store details leak to clients
}

TEST_F(ApiTest, BusyStoreIsA503WithRetryAfter) {
  ASSERT_EQ(create_env("web", "prod").status, 200);
  // A second process's connection, waiting only briefly for the write lock that store_ holds below.
  auto other = store::SqliteDesiredStateStore::open(
      io_.get_executor(), (dir_ / "berth.db").string(),
      store::StoreOptions{store::StoreOptions::Sync::normal, std::chrono::milliseconds(10)});
  ASSERT_TRUE(other);
  ApiV1 api2(**other, clusters_, reconcile_, [this] { return now_; });
  ApiResponse r;
  auto& engine = store_->engine();
  ASSERT_TRUE(engine.transact([&]() -> store::StoreResult<void> {
    if (auto k = engine.kv_put("ns", "k", "v"); !k) return k.error();  // takes the write lock
    const auto request =
        ApiRequest::from_target("PUT", "/v1/environments/web", R"({"constraint":"attribute:x exists"})");
    r = berth::test::run_blocking(io_, api2.handle(request));
    return {};
  }));
  EXPECT_EQ(r.status, 503) << json::serialize(r.body);
  EXPECT_EQ(error_code(r), "unavailable");
  EXPECT_EQ(header(r, "Retry-After"), "1");
}

TEST(ApiRequestTest, FromTargetSplitsAndDecodesQuery) {
  auto r = ApiRequest::from_target("GET", "/v1/environments?cluster=my%2Dcluster&x=a+b&flag&bad=%zz&e=1&e=2", "b");
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.path, "/v1/environments");
  EXPECT_EQ(r.body, "b");
  EXPECT_EQ(r.query.at("cluster"), "my-cluster");
  EXPECT_EQ(r.query.at("x"), "a b");
  EXPECT_EQ(r.query.at("flag"), "");
  EXPECT_FALSE(r.query.count("bad"));  // a malformed escape: left out, as the HTTP server does
  EXPECT_EQ(r.query.at("e"), "2");     // the last one wins
  EXPECT_EQ(query_values(r.raw_query, "e"), (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(ApiRequest::from_target("GET", "/v1/ping").query.empty());
}

}  // namespace
}  // namespace berth::http::api::test
