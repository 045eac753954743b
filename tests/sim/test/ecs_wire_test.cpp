// File: tests/sim/test/ecs_wire_test.cpp — exact reply bodies of the paths every ECS operation shares (cluster lookup, paging, reference lists, failures).
#include "test_util.hpp"

namespace berth::sim::test {
namespace {

// The body as sent, so key order and wording are pinned too (clients and berth's decoders see it).
std::string body(const SimProcess& sim, const std::string& op, const json::object& in, unsigned status = 400) {
  auto r = sim.ecs(op, in);
  EXPECT_EQ(r.status, status) << op << " " << r.body;
  return r.body;
}

json::array repeated(const std::string& ref, int n) {
  json::array a;
  for (int i = 0; i < n; ++i) a.push_back(json::value(ref));
  return a;
}

TEST(EcsWire, ClusterScopedOperationsAnswerClusterNotFound) {
  SimProcess sim(fast_args());
  const std::string not_found = R"({"__type":"ClusterNotFoundException","message":"Cluster not found."})";
  const json::array one{"x"};
  EXPECT_EQ(body(sim, "ListTasks", {{"cluster", "nope"}}), not_found);
  EXPECT_EQ(body(sim, "ListContainerInstances", {{"cluster", "arn:aws:ecs:us-east-1:000000000000:cluster/nope"}}),
            not_found);
  EXPECT_EQ(body(sim, "DescribeTasks", {{"cluster", "nope"}, {"tasks", one}}), not_found);
  EXPECT_EQ(body(sim, "DescribeContainerInstances", {{"cluster", "nope"}, {"containerInstances", one}}), not_found);
  EXPECT_EQ(body(sim, "StopTask", {{"cluster", "nope"}, {"task", "x"}}), not_found);
  EXPECT_EQ(body(sim, "RunTask", {{"cluster", "nope"}, {"taskDefinition", "x"}}), not_found);
  EXPECT_EQ(body(sim, "ListAttributes", {{"cluster", "nope"}, {"targetType", "container-instance"}}), not_found);
  // The cluster is checked before anything else the operation looks at.
  EXPECT_EQ(body(sim, "ListTasks", {{"cluster", "nope"}, {"nextToken", "bad"}}), not_found);
  // Operations that need no cluster answer as before.
  EXPECT_EQ(body(sim, "DescribeClusters", {{"clusters", json::array{"nope"}}}, 200u),
            R"({"clusters":[],"failures":[{"arn":"nope","reason":"MISSING"}]})");
  EXPECT_EQ(body(sim, "CreateService", {{"serviceName", "s"}}),
            R"({"__type":"UnsupportedFeatureException","message":"The sim does not implement CreateService."})");
}

TEST(EcsWire, PagingErrorsAndEmptyPages) {
  SimProcess sim(fast_args({"--instances", "3"}));
  const std::string bad_max =
      R"({"__type":"InvalidParameterException","message":"maxResults must be between 1 and 100."})";
  const std::string bad_token = R"({"__type":"InvalidParameterException","message":"Invalid nextToken."})";
  EXPECT_EQ(body(sim, "ListTasks", {{"maxResults", 0}}), bad_max);
  EXPECT_EQ(body(sim, "ListContainerInstances", {{"maxResults", 101}}), bad_max);
  EXPECT_EQ(body(sim, "ListAttributes", {{"targetType", "container-instance"}, {"maxResults", 0}}), bad_max);
  EXPECT_EQ(body(sim, "ListTasks", {{"nextToken", "ci:x"}}), bad_token);
  EXPECT_EQ(body(sim, "ListContainerInstances", {{"nextToken", "t:x"}}), bad_token);
  EXPECT_EQ(body(sim, "ListTasks", {}, 200u), R"({"taskArns":[]})");
  EXPECT_EQ(body(sim, "ListTasks", {{"launchType", "FARGATE"}}, 200u), R"({"taskArns":[]})");
  EXPECT_EQ(body(sim, "ListTasks", {{"serviceName", "web"}}, 200u), R"({"taskArns":[]})");

  // Three instances, pages of two: the token names the last id of the page.
  auto first = sim.ecs("ListContainerInstances", json::object{{"maxResults", 2}}).json().as_object();
  ASSERT_EQ(first.at("containerInstanceArns").as_array().size(), 2u);
  const std::string last(first.at("containerInstanceArns").as_array().at(1).as_string());
  EXPECT_EQ(first.at("nextToken").as_string(), "ci:" + last.substr(last.rfind('/') + 1));
  auto second = sim.ecs("ListContainerInstances", json::object{{"maxResults", 2}, {"nextToken", first.at("nextToken")}})
                    .json()
                    .as_object();
  EXPECT_EQ(second.at("containerInstanceArns").as_array().size(), 1u);
  EXPECT_FALSE(second.contains("nextToken"));
  EXPECT_EQ(second.size(), 1u);
}

TEST(EcsWire, ReferenceListsAndFailures) {
  SimProcess sim(fast_args({"--instances", "1"}));
  EXPECT_EQ(body(sim, "DescribeTasks", {{"tasks", repeated("t", 101)}}),
            R"({"__type":"InvalidParameterException","message":"tasks can have at most 100 items."})");
  EXPECT_EQ(body(sim, "DescribeContainerInstances", {{"containerInstances", repeated("i", 101)}}),
            R"({"__type":"InvalidParameterException","message":"containerInstances can have at most 100 items."})");
  EXPECT_EQ(body(sim, "UpdateContainerInstancesState", {{"containerInstances", repeated("i", 11)}, {"status", "DRAINING"}}),
            R"({"__type":"InvalidParameterException","message":"containerInstances can have at most 10 items."})");
  // The status is checked before the list.
  EXPECT_EQ(body(sim, "UpdateContainerInstancesState", {{"containerInstances", repeated("i", 11)}, {"status", "REGISTERING"}}),
            R"({"__type":"InvalidParameterException","message":"Container instances status can only be ACTIVE or DRAINING."})");
  EXPECT_EQ(body(sim, "DescribeTasks", {{"tasks", json::array{"task/nope"}}}, 200u),
            R"({"tasks":[],"failures":[{"arn":"task/nope","reason":"MISSING"}]})");
  EXPECT_EQ(body(sim, "DescribeContainerInstances", {{"containerInstances", json::array{"nope"}}}, 200u),
            R"({"containerInstances":[],"failures":[{"arn":"nope","reason":"MISSING"}]})");
  EXPECT_EQ(body(sim, "UpdateContainerInstancesState", {{"containerInstances", json::array{"nope"}}, {"status", "DRAINING"}},
                 200u),
            R"({"containerInstances":[],"failures":[{"arn":"nope","reason":"MISSING"}]})");
  EXPECT_EQ(body(sim, "StopTask", {{"task", "nope"}}),
            R"({"__type":"InvalidParameterException","message":"The referenced task was not found."})");
  EXPECT_EQ(body(sim, "ListTasks", {{"containerInstance", "nope"}}),
            R"({"__type":"InvalidParameterException","message":"The referenced container instance was not found."})");

  // StartTask names a found instance by its ARN, a missing one as sent; found entries come first.
  register_taskdef(sim, "big", 4096, 128);
  const auto arns = instance_arns(sim);
  ASSERT_EQ(arns.size(), 1u);
  EXPECT_EQ(body(sim, "StartTask", {{"taskDefinition", "big"}, {"containerInstances", json::array{"nope", arns[0]}}}, 200u),
            R"({"tasks":[],"failures":[{"arn":"nope","reason":"MISSING"},{"arn":")" + arns[0] +
                R"(","reason":"RESOURCE:CPU"}]})");
  const std::string cluster_arn = "arn:aws:ecs:us-east-1:000000000000:cluster/default";
  EXPECT_EQ(body(sim, "RunTask", {{"taskDefinition", "big"}}, 200u),
            R"({"tasks":[],"failures":[{"arn":")" + cluster_arn + R"(","reason":"RESOURCE:CPU"}]})");
}

TEST(EcsWire, BadBodiesKeepEachServiceWording) {
  SimProcess sim(fast_args());
  auto ecs = sim.request("POST", "/", "[1]", {{"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks"}});
  EXPECT_EQ(ecs.status, 400u);
  EXPECT_EQ(ecs.body,
            R"({"__type":"SerializationException","message":"Start of structure or map found where not expected."})");
  EXPECT_EQ(ecs.header("x-amzn-ErrorType"), "SerializationException");
  auto sqs = sim.request("POST", "/", "[1]", {{"X-Amz-Target", "AmazonSQS.ReceiveMessage"}});
  EXPECT_EQ(sqs.status, 400u);
  EXPECT_EQ(sqs.body,
            R"({"__type":"com.amazonaws.sqs#InvalidParameterValue","message":"Request body is not a JSON object."})");
  EXPECT_EQ(sqs.header("x-amzn-query-error"), "InvalidParameterValue;Sender");
  auto missing = sim.sqs("ReceiveMessage", json::object{});
  EXPECT_EQ(missing.json().at("__type"), "com.amazonaws.sqs#MissingParameter");
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("api_calls").at("ListTasks").as_int64(), 1);
  EXPECT_EQ(stats.at("api_calls").at("ReceiveMessage").as_int64(), 2);
  EXPECT_EQ(stats.at("validation_errors").as_int64(), 1);
}

}  // namespace
}  // namespace berth::sim::test
