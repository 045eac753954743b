// File: tests/api/api_services_test.cpp — /v1/services: the conventions Blox's swagger fixes for /v1 resources
// (create answers 200 with the object and Location; lists are {"items","nextToken"} with limit/nextToken paging),
// compare-and-set PUT, versions (desiredCount is not one), revert, delete with keepTasks, and errors that name
// the field.
#include "api_fixture.hpp"

namespace berth::http::api::test {
namespace {

std::string service_body(std::string_view name, std::string_view extra = "") {
  return R"({"name":")" + std::string(name) + R"(","cluster":"prod","taskDefinition":"web:1","desiredCount":3)" +
         std::string(extra) + "}";
}

class ServicesApiTest : public ApiFixture {};

TEST_F(ServicesApiTest, CreateAnswers200WithLocationVersionOneAndItsDeployment) {
  auto r = call("POST", "/v1/services",
                service_body("web", R"(,"deploymentConfiguration":{"minimumHealthyPercent":50,"maximumPercent":150,)"
                                    R"("deploymentCircuitBreaker":{"enable":true,"rollback":true}},)"
                                    R"("placementStrategy":[{"type":"spread","field":"attribute:ecs.availability-zone"},)"
                                    R"({"type":"binpack","field":"memory"}],)"
                                    R"("placementConstraints":[{"type":"distinctInstance"}])"));
  ASSERT_EQ(r.status, 200) << json::serialize(r.body);
  EXPECT_EQ(header(r, "Location"), "/v1/services/web");
  EXPECT_EQ(r.body.at("version"), 1);
  EXPECT_EQ(r.body.at("revision"), 1);
  EXPECT_EQ(r.body.at("activeDeploymentId"), "d-1");
  EXPECT_EQ(r.body.at("deploymentConfiguration").at("maximumPercent"), 150);
  EXPECT_EQ(r.body.at("placementStrategy").as_array().size(), 2u);
  EXPECT_EQ(reconcile_.dirty_services, std::vector<std::string>{"web"});
  auto got = call("GET", "/v1/services/web");
  EXPECT_EQ(got.status, 200);
  auto without_unplaced = got.body.as_object();
  EXPECT_EQ(without_unplaced.at("unplaced").at("count"), 0);  // GET also says what could not be placed
  without_unplaced.erase("unplaced");
  EXPECT_EQ(json::value(without_unplaced), r.body);
  EXPECT_EQ(error_code(call("POST", "/v1/services", service_body("web"))), "already_exists");
  auto d = call("GET", "/v1/services/web/deployments/d-1");
  ASSERT_EQ(d.status, 200) << json::serialize(d.body);
  EXPECT_EQ(d.body.at("serviceName"), "web");
  EXPECT_EQ(d.body.at("version"), 1);
  EXPECT_EQ(d.body.at("status"), "pending");
}

struct BadBody {
  std::string body;
  std::string code;
  std::string field;  // the message starts with it
};

TEST_F(ServicesApiTest, BadBodiesAre400sThatNameTheField) {
  const std::vector<BadBody> cases = {
      {"[]", "invalid_json", ""},
      {R"({"cluster":"prod","taskDefinition":"web:1","desiredCount":1})", "missing_field", "name"},
      {R"({"name":"web","cluster":"prod","taskDefinition":"web:1"})", "missing_field", "desiredCount"},
      {service_body("web", R"(,"replicas":3)"), "unknown_field", "replicas"},
      {service_body("web", R"(,"deploymentConfiguration":{"maximumPercent":50})"), "invalid_field",
       "deploymentConfiguration.maximumPercent"},
      {service_body("web", R"(,"deploymentConfiguration":{"minimumHealthyPercent":-1})"), "invalid_field",
       "deploymentConfiguration.minimumHealthyPercent"},
      {service_body("web", R"(,"deploymentConfiguration":{"deploymentCircuitBreaker":{"enable":true}})"),
       "missing_field", "deploymentConfiguration.deploymentCircuitBreaker.rollback"},
      {service_body("web", R"(,"deploymentConfiguration":{"min":5})"), "invalid_field", "desiredCount"},
      {service_body("web", R"(,"placementStrategy":[{"type":"pack"}])"), "invalid_field", "placementStrategy[0].type"},
      {service_body("web", R"(,"placementConstraints":[{"type":"memberOf"}])"), "missing_field",
       "placementConstraints[0].expression"},
      {service_body("web", R"(,"revision":3)"), "invalid_field", "revision"},
      {service_body("-bad"), "invalid_field", "name"},
  };
  for (const auto& c : cases) {
    auto r = call("POST", "/v1/services", c.body);
    EXPECT_EQ(r.status, 400) << c.body;
    EXPECT_EQ(error_code(r), c.code) << c.body << " " << json::serialize(r.body);
    const std::string message(r.body.at("error").at("message").as_string());
    EXPECT_TRUE(message.starts_with(c.field)) << c.body << " -> " << message;
  }
  EXPECT_TRUE(call("GET", "/v1/services").body.at("items").as_array().empty());  // nothing half-written
}

TEST_F(ServicesApiTest, ListPagesWithLimitAndNextToken) {
  for (const char* n : {"c", "a", "b"}) ASSERT_EQ(call("POST", "/v1/services", service_body(n)).status, 200);
  auto first = call("GET", "/v1/services?limit=2");
  ASSERT_EQ(first.status, 200);
  const auto& items = first.body.at("items").as_array();
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].at("name"), "a");
  EXPECT_EQ(items[1].at("name"), "b");
  const std::string token(first.body.at("nextToken").as_string());
  auto second = call("GET", "/v1/services?limit=2&nextToken=" + token);
  ASSERT_EQ(second.body.at("items").as_array().size(), 1u);
  EXPECT_EQ(second.body.at("items").as_array()[0].at("name"), "c");
  EXPECT_FALSE(second.body.as_object().contains("nextToken"));
  EXPECT_EQ(error_code(call("GET", "/v1/services?limit=0")), "invalid_field");
  EXPECT_TRUE(call("GET", "/v1/services?cluster=dev").body.at("items").as_array().empty());
}

TEST_F(ServicesApiTest, PutIsCompareAndSetAndEveryChangeButTheCountIsAVersion) {
  ASSERT_EQ(call("POST", "/v1/services", service_body("web")).status, 200);
  auto stale = call("PUT", "/v1/services/web", R"({"cluster":"prod","taskDefinition":"web:2","desiredCount":3,)"
                                               R"("revision":7})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(error_code(stale), "conflict");
  auto moved = call("PUT", "/v1/services/web", R"({"cluster":"dev","taskDefinition":"web:2","desiredCount":3})");
  EXPECT_EQ(error_code(moved), "invalid_field");
  auto other_name = call("PUT", "/v1/services/web", service_body("api"));
  EXPECT_EQ(error_code(other_name), "invalid_field");

  auto v2 = call("PUT", "/v1/services/web", R"({"cluster":"prod","taskDefinition":"web:2","desiredCount":3,)"
                                            R"("revision":1})");
  ASSERT_EQ(v2.status, 200) << json::serialize(v2.body);
  EXPECT_EQ(v2.body.at("version"), 2);
  EXPECT_EQ(v2.body.at("activeDeploymentId"), "d-2");

  auto scaled = call("POST", "/v1/services/web/scale", R"({"desiredCount":5})");
  ASSERT_EQ(scaled.status, 200);
  EXPECT_EQ(scaled.body.at("version"), 2);
  EXPECT_EQ(scaled.body.at("desiredCount"), 5);
  EXPECT_EQ(error_code(call("POST", "/v1/services/web/scale", R"({"desiredCount":-1})")), "invalid_field");
  EXPECT_EQ(error_code(call("POST", "/v1/services/web/scale", R"({"count":1})")), "unknown_field");

  auto reverted = call("POST", "/v1/services/web/revert", R"({"version":1})");
  ASSERT_EQ(reverted.status, 200) << json::serialize(reverted.body);
  EXPECT_EQ(reverted.body.at("version"), 3);
  EXPECT_EQ(reverted.body.at("taskDefinition"), "web:1");
  EXPECT_EQ(reverted.body.at("desiredCount"), 5);  // a revert keeps today's count
  EXPECT_EQ(error_code(call("POST", "/v1/services/web/revert", R"({"version":9})")), "invalid_field");

  auto versions = call("GET", "/v1/services/web/versions").body.at("items").as_array();
  ASSERT_EQ(versions.size(), 3u);
  EXPECT_EQ(versions[1].at("spec").at("taskDefinition"), "web:2");
  auto deployments = call("GET", "/v1/services/web/deployments").body.at("items").as_array();
  ASSERT_EQ(deployments.size(), 3u);
  EXPECT_EQ(deployments[0].at("version"), 3);        // newest first
  EXPECT_EQ(deployments[1].at("status"), "failed");  // superseded by the revert
}

TEST_F(ServicesApiTest, SkedBoundsRefuseAScaleOutsideThem) {
  ASSERT_EQ(call("POST", "/v1/services", service_body("web", R"(,"deploymentConfiguration":{"min":2,"max":6})")).status,
            200);
  EXPECT_EQ(call("POST", "/v1/services/web/scale", R"({"desiredCount":6})").status, 200);
  auto over = call("POST", "/v1/services/web/scale", R"({"desiredCount":7})");
  EXPECT_EQ(over.status, 400);
  EXPECT_EQ(error_code(over), "invalid_field");
  EXPECT_EQ(call("GET", "/v1/services/web").body.at("desiredCount"), 6);
}

TEST_F(ServicesApiTest, DeleteStopsTheTasksUnlessKeepTasks) {
  ASSERT_EQ(call("POST", "/v1/services", service_body("web")).status, 200);
  ASSERT_EQ(call("POST", "/v1/services", service_body("api")).status, 200);
  EXPECT_EQ(call("DELETE", "/v1/services/web").status, 200);
  EXPECT_EQ(call("DELETE", "/v1/services/api?keepTasks=true").status, 200);
  EXPECT_EQ(reconcile_.terminated_services, std::vector<std::string>{"web"});
  EXPECT_EQ(error_code(call("GET", "/v1/services/web")), "not_found");
  EXPECT_EQ(error_code(call("DELETE", "/v1/services/web")), "not_found");
  EXPECT_EQ(error_code(call("DELETE", "/v1/services/x?keepTasks=maybe")), "invalid_field");
}

}  // namespace
}  // namespace berth::http::api::test
