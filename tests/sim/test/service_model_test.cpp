// File: tests/sim/test/service_model_test.cpp — generic request validation against the ECS and SQS model files.
#include "service_model.hpp"

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include <fstream>

namespace berth::sim {
namespace {
namespace json = boost::json;

const std::string models = std::string(BERTH_TESTDATA_DIR) + "/aws-models";

struct Models : ::testing::Test {
  static void SetUpTestSuite() {
    ecs = new ServiceModel(ServiceModel::load(models + "/ecs-2014-11-13.json"));
    sqs = new ServiceModel(ServiceModel::load(models + "/sqs-2012-11-05.json"));
  }
  static void TearDownTestSuite() {
    delete ecs;
    delete sqs;
  }
  static ServiceModel* ecs;
  static ServiceModel* sqs;
};
ServiceModel* Models::ecs = nullptr;
ServiceModel* Models::sqs = nullptr;

json::value raw(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return json::parse(ss.str());
}

TEST_F(Models, EveryOperationWithRequiredMembersRejectsAnEmptyInput) {
  for (const auto& [file, model] : {std::pair{"/ecs-2014-11-13.json", ecs}, std::pair{"/sqs-2012-11-05.json", sqs}}) {
    auto m = raw(models + file);
    int checked = 0;
    for (const auto& [op, def] : m.at("operations").as_object()) {
      ASSERT_TRUE(model->has_operation(std::string(op)));
      auto* in = def.as_object().if_contains("input");
      if (!in) continue;
      const auto& shape = m.at("shapes").at(in->at("shape").as_string()).as_object();
      auto* req = shape.if_contains("required");
      auto v = model->validate_input(std::string(op), json::object{});
      if (req && !req->as_array().empty()) {
        ASSERT_TRUE(v) << op;
        EXPECT_EQ(v->kind, Violation::Kind::missing_member) << op;
        EXPECT_NE(v->message.find(std::string(req->as_array()[0].as_string())), std::string::npos) << v->message;
        ++checked;
      } else {
        EXPECT_FALSE(v) << op << ": " << (v ? v->message : "");
      }
    }
    EXPECT_GT(checked, 10) << file;
  }
}

TEST_F(Models, UnknownOperationIsReported) {
  EXPECT_FALSE(ecs->has_operation("LaunchRocket"));
  EXPECT_TRUE(ecs->has_operation("StartTask"));
  EXPECT_TRUE(sqs->has_operation("ReceiveMessage"));
}

TEST_F(Models, AcceptsAValidStartTask) {
  auto v = ecs->validate_input("StartTask", json::parse(R"({"cluster":"c","taskDefinition":"web:1",
      "containerInstances":["a"],"overrides":{"containerOverrides":[{"name":"web","environment":[{"name":"A","value":"1"}]}]},
      "tags":[{"key":"k","value":"v"}],"startedBy":"berth"})"));
  EXPECT_FALSE(v) << v->message;
}

TEST_F(Models, RejectsUnknownMembersAtAnyDepth) {
  auto v = ecs->validate_input("ListTasks", json::parse(R"({"clusterName":"x"})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Violation::Kind::unknown_member);
  v = ecs->validate_input("StartTask", json::parse(R"({"taskDefinition":"t","containerInstances":["a"],
      "overrides":{"containerOverrides":[{"nam":"x"}]}})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Violation::Kind::unknown_member);
  EXPECT_NE(v->message.find("overrides.containerOverrides.1.nam"), std::string::npos) << v->message;
}

TEST_F(Models, RejectsWrongTypes) {
  for (const char* body : {R"({"maxResults":"10"})", R"({"cluster":5})", R"({"maxResults":1.5})", R"([])"}) {
    auto v = ecs->validate_input("ListTasks", json::parse(body));
    ASSERT_TRUE(v) << body;
    EXPECT_EQ(v->kind, Violation::Kind::wrong_type) << body;
  }
  auto v = sqs->validate_input("ReceiveMessage", json::parse(R"({"QueueUrl":"u","WaitTimeSeconds":true})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Violation::Kind::wrong_type);
}

TEST_F(Models, EnforcesEnumsAndLimits) {
  auto v = ecs->validate_input("ListTasks", json::parse(R"({"desiredStatus":"SLEEPING"})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Violation::Kind::bad_enum);
  json::array tags;
  for (int i = 0; i < 51; ++i) tags.push_back(json::object{{"key", "k" + std::to_string(i)}, {"value", "v"}});
  v = ecs->validate_input("RunTask", json::object{{"taskDefinition", "t"}, {"tags", tags}});
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Violation::Kind::limit);
  // Tag keys are 1..128 characters.
  v = ecs->validate_input("RunTask", json::parse(R"({"taskDefinition":"t","tags":[{"key":"","value":"v"}]})"));
  ASSERT_TRUE(v);
  EXPECT_EQ(v->kind, Violation::Kind::limit);
}

TEST(ServiceModelLoad, MissingFileThrows) {
  EXPECT_THROW(ServiceModel::load("/nonexistent/model.json"), std::runtime_error);
}

}  // namespace
}  // namespace berth::sim
