// File: tests/aws/ecs_client_test.cpp — ECS builders checked against the service model, and every EcsClient call
// against a fake ECS endpoint on loopback that validates bodies with the model and verifies SigV4.
#include "aws/ecs_client.hpp"
#include "aws/http_client.hpp"
#include "fake_http_server.hpp"
#include "model_validator.hpp"

#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace berth::aws::ecs {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using aws::testing::FakeHttpServer;
using aws::testing::FakeReply;
using aws::testing::json_response;
using aws::testing::run;
using aws::testing::ServiceModel;

const ServiceModel& model() {
  static const ServiceModel m(std::filesystem::path(BERTH_TESTDATA_DIR) / "aws-models" / "ecs-2014-11-13.json");
  return m;
}

void expect_valid(std::string_view op, const AwsResult<json::object>& body) {
  ASSERT_TRUE(body) << op << ": " << body.error().describe();
  const auto problems = model().validate_input(op, *body);
  EXPECT_TRUE(problems.empty()) << op << ": " << (problems.empty() ? "" : problems.front());
}

// Builders for request structs (field-by-field, so -Wmissing-field-initializers stays quiet).
StartTaskRequest start_req(std::string cluster, std::string td, std::vector<std::string> instances,
                           std::string started_by = {}, std::string group = {}) {
  StartTaskRequest r;
  r.cluster = std::move(cluster);
  r.task_definition = std::move(td);
  r.container_instances = std::move(instances);
  r.started_by = std::move(started_by);
  r.group = std::move(group);
  return r;
}
RunTaskRequest run_req(std::string cluster, std::string td) {
  RunTaskRequest r;
  r.cluster = std::move(cluster);
  r.task_definition = std::move(td);
  return r;
}
StopTaskRequest stop_req(std::string cluster, std::string task, std::string reason) {
  StopTaskRequest r;
  r.cluster = std::move(cluster);
  r.task = std::move(task);
  r.reason = std::move(reason);
  return r;
}
ListTasksRequest tasks_req(std::string cluster) {
  ListTasksRequest r;
  r.cluster = std::move(cluster);
  return r;
}

std::vector<std::string> arns(std::size_t n, std::string_view prefix) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back(std::string(prefix) + std::to_string(i));
  return out;
}

TEST(EcsModel, MetadataMatchesWhatTheClientSends) {
  EXPECT_EQ(model().metadata().at("targetPrefix").as_string(), target_prefix);
  EXPECT_EQ(model().metadata().at("jsonVersion").as_string(), "1.1");
  EXPECT_EQ(model().metadata().at("signingName").as_string(), "ecs");
  auto cfg = make_ecs_config("eu-west-1");
  ASSERT_TRUE(cfg);
  EXPECT_EQ(cfg->target_prefix, target_prefix);
  EXPECT_EQ(cfg->json_version, "1.1");
  EXPECT_EQ(cfg->endpoint.host, "ecs.eu-west-1.amazonaws.com");
  EXPECT_TRUE(cfg->endpoint.tls);
  auto sim = make_ecs_config("us-east-1", "http://127.0.0.1:4566");
  ASSERT_TRUE(sim);
  EXPECT_FALSE(sim->endpoint.tls);
  for (auto op : {"ListContainerInstances", "DescribeContainerInstances", "ListTasks", "DescribeTasks", "StartTask",
                  "RunTask", "StopTask", "DescribeTaskDefinition", "RegisterTaskDefinition",
                  "UpdateContainerInstancesState", "ListAttributes"})
    EXPECT_TRUE(model().has_operation(op)) << op;
}

TEST(EcsModel, ValidatorRejectsWhatTheModelForbids) {
  // Guards against a vacuous validator: each of these must be reported.
  EXPECT_FALSE(model().validate_input("StopTask", json::object{}).empty());                         // required
  EXPECT_FALSE(model().validate_input("StopTask", json::object{{"task", "t"}, {"bogus", 1}}).empty());  // unknown
  EXPECT_FALSE(model().validate_input("ListTasks", json::object{{"desiredStatus", "DEAD"}}).empty());   // enum
  EXPECT_FALSE(model().validate_input("RunTask", json::object{{"taskDefinition", 5}}).empty());         // type
  EXPECT_FALSE(model().validate_input("NoSuchOp", json::object{}).empty());
}

TEST(EcsModel, FullyPopulatedRequestsMatchTheModel) {
  ListContainerInstancesRequest lci;
  lci.cluster = "prod";
  lci.filter = "attribute:ecs.os-type == linux";
  lci.status = "ACTIVE";
  lci.max_results = 100;
  lci.next_token = "tok";
  expect_valid("ListContainerInstances", build_list_container_instances(lci));
  ListTasksRequest lt = tasks_req("prod");
  lt.container_instance = "ci-1";
  lt.family = "web";
  lt.started_by = "berth";
  lt.service_name = "svc";
  lt.desired_status = "RUNNING";
  lt.launch_type = "EC2";
  lt.max_results = 50;
  lt.next_token = "tok";
  expect_valid("ListTasks", build_list_tasks(lt));
  ListAttributesRequest la;
  la.cluster = "prod";
  la.attribute_name = "stack";
  la.attribute_value = "blue";
  la.max_results = 10;
  la.next_token = "tok";
  expect_valid("ListAttributes", build_list_attributes(la));
  expect_valid("DescribeContainerInstances", build_describe_container_instances("prod", arns(100, "ci-")));
  expect_valid("DescribeTasks", build_describe_tasks("prod", arns(100, "task-")));
  StartTaskRequest st = start_req("prod", "web:3", arns(10, "ci-"), "berth", "service:web");
  st.reference_id = "ref-1";
  st.overrides = json::object{{"containerOverrides", json::array{json::object{{"name", "app"}, {"cpu", 128}}}}};
  st.enable_ecs_managed_tags = true;
  expect_valid("StartTask", build_start_task(st));
  RunTaskRequest rt;
  rt.cluster = "prod";
  rt.task_definition = "web:3";
  rt.count = 10;
  rt.client_token = "8f2a7c5e-1d3b-4f6a-9e0c-2b4d6f8a0c1e";
  rt.started_by = "berth";
  rt.group = "service:web";
  rt.launch_type = "EC2";
  rt.placement_constraints = {{"distinctInstance", ""}, {"memberOf", "attribute:ecs.instance-type =~ t3.*"}};
  rt.placement_strategy = {{"spread", "attribute:ecs.availability-zone"}, {"binpack", "memory"}};
  rt.reference_id = "ref";
  rt.enable_ecs_managed_tags = true;
  expect_valid("RunTask", build_run_task(rt));
  expect_valid("StopTask", build_stop_task(stop_req("prod", "task-1", "scaled down by berth")));
  expect_valid("DescribeTaskDefinition", build_describe_task_definition("web:3"));
  expect_valid("RegisterTaskDefinition",
               build_register_task_definition(json::object{
                   {"family", "web"},
                   {"networkMode", "bridge"},
                   {"containerDefinitions",
                    json::array{json::object{{"name", "app"}, {"image", "nginx"}, {"memory", 128}, {"essential", true}}}}}));
  expect_valid("UpdateContainerInstancesState", build_update_container_instances_state("prod", arns(10, "ci-"), "DRAINING"));
}

TEST(EcsModel, MinimalRequestsMatchTheModel) {
  expect_valid("ListContainerInstances", build_list_container_instances({}));
  expect_valid("ListTasks", build_list_tasks({}));
  expect_valid("ListAttributes", build_list_attributes({}));
  expect_valid("StartTask", build_start_task(start_req({}, "web", {"ci-1"})));
  expect_valid("RunTask", build_run_task(run_req({}, "web")));
  expect_valid("StopTask", build_stop_task(stop_req({}, "t", {})));
}

TEST(EcsModel, RequestBodiesKeepTheirMemberOrder) {
  auto serialized = [](const AwsResult<json::object>& r) { return r ? json::serialize(*r) : r.error().message; };
  ListAttributesRequest la;
  la.cluster = "prod";
  la.attribute_name = "stack";
  la.max_results = 10;
  la.next_token = "tok";
  EXPECT_EQ(serialized(build_list_attributes(la)),
            R"({"cluster":"prod","targetType":"container-instance","attributeName":"stack","maxResults":10,)"
            R"("nextToken":"tok"})");
  ListContainerInstancesRequest lci;
  lci.filter = "f";
  lci.next_token = "t";
  EXPECT_EQ(serialized(build_list_container_instances(lci)), R"({"filter":"f","nextToken":"t"})");
  EXPECT_EQ(serialized(build_update_container_instances_state("c", {"ci"}, "DRAINING")),
            R"({"cluster":"c","containerInstances":["ci"],"status":"DRAINING"})");
  EXPECT_EQ(serialized(build_describe_tasks({}, {"t"})), R"({"tasks":["t"]})");
  // maxResults is checked before the operation's own members; the ARN list before the status.
  la.max_results = 0;
  la.target_type.clear();
  EXPECT_EQ(build_list_attributes(la).error().message, "maxResults must be 1..100");
  EXPECT_EQ(build_update_container_instances_state("c", {}, "INACTIVE").error().message,
            "containerInstances: at least one entry required");
}

TEST(EcsModel, LimitsAreEnforcedBeforeSending) {
  EXPECT_FALSE(build_describe_tasks("c", arns(101, "t")));
  EXPECT_FALSE(build_describe_tasks("c", {}));
  EXPECT_FALSE(build_describe_container_instances("c", arns(101, "ci")));
  EXPECT_FALSE(build_start_task(start_req({}, "web", arns(11, "ci"))));
  EXPECT_FALSE(build_start_task(start_req({}, "", {"ci"})));
  RunTaskRequest rt = run_req({}, "web");
  rt.count = 11;
  EXPECT_FALSE(build_run_task(rt));
  rt.count = 0;
  EXPECT_FALSE(build_run_task(rt));
  rt.count = 1;
  rt.client_token = std::string(65, 'x');
  EXPECT_FALSE(build_run_task(rt));
  EXPECT_FALSE(build_stop_task(stop_req({}, "", {})));
  ListTasksRequest lt;
  lt.max_results = 101;
  EXPECT_FALSE(build_list_tasks(lt));
  EXPECT_FALSE(build_update_container_instances_state("c", {"ci"}, "INACTIVE"));
  EXPECT_FALSE(build_register_task_definition(json::object{{"family", "web"}}));
  const auto err = build_start_task(start_req({}, "web", arns(11, "ci")));
  EXPECT_EQ(err.error().type, "InvalidParameterException");
  EXPECT_EQ(err.error().error_class, ErrorClass::permanent);
}

TEST(EcsParse, FailuresAreSurfaced) {
  auto r = parse_tasks_result(json::parse(R"({"tasks":[{"taskArn":"arn:t1","lastStatus":"PENDING"}],
      "failures":[{"arn":"arn:ci-9","reason":"RESOURCE:MEMORY"}]})"));
  ASSERT_TRUE(r);
  ASSERT_EQ(r->items.size(), 1u);
  EXPECT_EQ(r->items[0].task_arn, "arn:t1");
  ASSERT_EQ(r->failures.size(), 1u);
  EXPECT_EQ(r->failures[0].reason, "RESOURCE:MEMORY");
  EXPECT_FALSE(parse_tasks_result(json::parse(R"({"tasks":{}})")));
  EXPECT_FALSE(parse_tasks_result(json::parse(R"({"tasks":[{"taskArn":5}]})")));
}

// ---- Fake ECS endpoint ----

json::object task_json(std::string_view arn) {
  return {{"taskArn", arn}, {"lastStatus", "RUNNING"}, {"desiredStatus", "RUNNING"}, {"clusterArn", "arn:cluster/prod"},
          {"createdAt", 1700000000.5}};
}
json::object instance_json(std::string_view arn) {
  return {{"containerInstanceArn", arn}, {"ec2InstanceId", "i-1"}, {"status", "ACTIVE"}, {"agentConnected", true},
          {"remainingResources", json::array{json::object{{"name", "CPU"}, {"type", "INTEGER"}, {"integerValue", 1024}}}}};
}

class FakeEcs {
 public:
  std::vector<std::string> problems;
  std::map<std::string, int> calls;
  std::string last_client_token;

  FakeReply handle(const HttpRequest& req) {
    const auto* target = req.find_header("X-Amz-Target");
    if (target == nullptr) return error("MissingTarget");
    const std::string op = target->substr(target->find('.') + 1);
    ++calls[op];
    auto v = sigv4::verify_request(req, "SECRET");
    if (!v.ok()) problems.push_back(op + ": signature " + std::string(sigv4::to_string(v.status)));
    const auto body = json::parse(req.body);
    for (auto& p : model().validate_input(op, body)) problems.push_back(p);
    const auto& in = body.as_object();

    if (op == "ListTasks") {
      // Three pages, chained by nextToken.
      const std::string tok = in.contains("nextToken") ? std::string(in.at("nextToken").as_string()) : "";
      if (tok.empty()) return ok({{"taskArns", json::array{"t1", "t2"}}, {"nextToken", "p2"}});
      if (tok == "p2") return ok({{"taskArns", json::array{"t3"}}, {"nextToken", "p3"}});
      return ok({{"taskArns", json::array{"t4"}}});
    }
    if (op == "ListContainerInstances") return ok({{"containerInstanceArns", json::array{"ci-1", "ci-2"}}});
    if (op == "DescribeTasks" || op == "DescribeContainerInstances") {
      const bool tasks = op == "DescribeTasks";
      json::array items, failures;
      for (const auto& a : in.at(tasks ? "tasks" : "containerInstances").as_array()) {
        const std::string arn(a.as_string());
        if (arn.find("missing") != std::string::npos) failures.push_back(json::object{{"arn", arn}, {"reason", "MISSING"}});
        else items.push_back(tasks ? task_json(arn) : instance_json(arn));
      }
      return ok({{tasks ? "tasks" : "containerInstances", items}, {"failures", failures}});
    }
    if (op == "RunTask") last_client_token = in.contains("clientToken") ? std::string(in.at("clientToken").as_string()) : "";
    if (op == "StartTask" || op == "RunTask") {
      json::array tasks, failures;
      const int n = op == "RunTask" ? static_cast<int>(in.at("count").as_int64())
                                    : static_cast<int>(in.at("containerInstances").as_array().size());
      for (int i = 0; i < n; ++i) tasks.push_back(task_json("arn:task/" + op + std::to_string(i)));
      failures.push_back(json::object{{"arn", "arn:ci/full"}, {"reason", "RESOURCE:MEMORY"}});
      return ok({{"tasks", tasks}, {"failures", failures}});
    }
    if (op == "StopTask") {
      auto t = task_json(in.at("task").as_string());
      t["desiredStatus"] = "STOPPED";
      t["stoppedReason"] = in.at("reason");
      return ok({{"task", t}});
    }
    if (op == "DescribeTaskDefinition" || op == "RegisterTaskDefinition") {
      return ok({{"taskDefinition",
                  {{"taskDefinitionArn", "arn:aws:ecs:us-east-1:1:task-definition/web:3"},
                   {"family", "web"},
                   {"revision", 3},
                   {"status", "ACTIVE"},
                   {"containerDefinitions", json::array{json::object{{"name", "app"}, {"image", "nginx"}}}}}}});
    }
    if (op == "UpdateContainerInstancesState") {
      json::array items;
      for (const auto& a : in.at("containerInstances").as_array()) {
        auto ci = instance_json(a.as_string());
        ci["status"] = in.at("status");
        items.push_back(ci);
      }
      return ok({{"containerInstances", items}, {"failures", json::array{}}});
    }
    if (op == "ListAttributes") {
      const bool second = in.contains("nextToken");
      json::array attrs{json::object{{"name", second ? "stack" : "zone"}, {"value", "a"},
                                     {"targetType", "container-instance"}, {"targetId", "ci-1"}}};
      json::object out{{"attributes", attrs}};
      if (!second) out["nextToken"] = "n2";
      return ok(out);
    }
    return error("UnknownOperationException");
  }

 private:
  static FakeReply ok(json::object body) { return FakeReply{json_response(200, json::serialize(body))}; }
  static FakeReply error(std::string type) {
    return FakeReply{json_response(400, json::serialize(json::object{{"__type", type}, {"message", "x"}}))};
  }
};

struct EcsFixture {
  boost::asio::io_context io;
  FakeEcs fake;
  FakeHttpServer server{io, [this](const HttpRequest& r) { return fake.handle(r); }};
  HttpClient http{io.get_executor(), [] {
                    HttpOptions o;
                    o.allow_plain_http = true;
                    return o;
                  }()};
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", ""}, std::nullopt, "static"}};
  EcsClient client{io.get_executor(), http, creds,
                   *make_ecs_config("us-east-1", "http://127.0.0.1:" + std::to_string(server.port()))};
};

TEST(EcsClient, EveryOperationAgainstAFakeEndpoint) {
  EcsFixture f;
  auto tasks = run(f.io, f.client.list_all_tasks(tasks_req("prod")));
  ASSERT_TRUE(tasks) << tasks.error().describe();
  EXPECT_EQ(*tasks, (std::vector<std::string>{"t1", "t2", "t3", "t4"}));
  EXPECT_EQ(f.fake.calls["ListTasks"], 3);

  auto cis = run(f.io, f.client.list_all_container_instances([] {
    ListContainerInstancesRequest r;
    r.cluster = "prod";
    return r;
  }()));
  ASSERT_TRUE(cis);
  EXPECT_EQ(cis->size(), 2u);

  auto many = arns(250, "arn:task/");
  many.push_back("arn:task/missing");
  auto described = run(f.io, f.client.describe_tasks("prod", many));
  ASSERT_TRUE(described) << described.error().describe();
  EXPECT_EQ(described->items.size(), 250u);
  ASSERT_EQ(described->failures.size(), 1u);
  EXPECT_EQ(described->failures[0].reason, "MISSING");
  EXPECT_EQ(f.fake.calls["DescribeTasks"], 3);  // 100 + 100 + 51

  auto dci = run(f.io, f.client.describe_container_instances("prod", arns(101, "arn:ci/")));
  ASSERT_TRUE(dci);
  EXPECT_EQ(dci->items.size(), 101u);
  EXPECT_EQ(dci->items[0].remaining_resources.at(0).integer_value, 1024);
  EXPECT_EQ(f.fake.calls["DescribeContainerInstances"], 2);

  auto started = run(f.io, f.client.start_task(start_req("prod", "web:3", {"ci-1", "ci-2"}, "berth", "service:web")));
  ASSERT_TRUE(started);
  EXPECT_EQ(started->items.size(), 2u);
  ASSERT_EQ(started->failures.size(), 1u);
  EXPECT_EQ(started->failures[0].reason, "RESOURCE:MEMORY");

  auto too_many = run(f.io, f.client.start_task(start_req("prod", "web:3", arns(11, "ci-"))));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(f.fake.calls["StartTask"], 1);  // nothing sent for the invalid request

  RunTaskRequest rt = run_req("prod", "web:3");
  rt.count = 3;
  rt.placement_strategy = {{"spread", "attribute:ecs.availability-zone"}};
  auto ran = run(f.io, f.client.run_task(rt));
  ASSERT_TRUE(ran);
  EXPECT_EQ(ran->items.size(), 3u);
  EXPECT_EQ(f.fake.last_client_token.size(), 36u);  // generated UUID

  auto stopped = run(f.io, f.client.stop_task(stop_req("prod", "arn:task/1", "scale down")));
  ASSERT_TRUE(stopped);
  EXPECT_EQ(stopped->desired_status, "STOPPED");
  EXPECT_EQ(stopped->stopped_reason, "scale down");

  auto td = run(f.io, f.client.describe_task_definition("web:3"));
  ASSERT_TRUE(td);
  EXPECT_EQ(td->family, "web");
  EXPECT_EQ(td->revision, 3);
  EXPECT_EQ(td->container_definitions.size(), 1u);

  auto reg = run(f.io, f.client.register_task_definition(json::object{
                           {"family", "web"},
                           {"containerDefinitions", json::array{json::object{{"name", "app"}, {"image", "nginx"}}}}}));
  ASSERT_TRUE(reg);

  auto drained = run(f.io, f.client.update_container_instances_state("prod", arns(15, "arn:ci/"), "DRAINING"));
  ASSERT_TRUE(drained);
  EXPECT_EQ(drained->items.size(), 15u);
  EXPECT_EQ(drained->items[0].status, "DRAINING");
  EXPECT_EQ(f.fake.calls["UpdateContainerInstancesState"], 2);

  auto attrs = run(f.io, f.client.list_all_attributes([] {
    ListAttributesRequest r;
    r.cluster = "prod";
    return r;
  }()));
  ASSERT_TRUE(attrs);
  ASSERT_EQ(attrs->size(), 2u);
  EXPECT_EQ((*attrs)[1].name, "stack");

  EXPECT_TRUE(f.fake.problems.empty()) << f.fake.problems.front();
  EXPECT_EQ(f.server.connections, 1);  // keep-alive throughout
}

TEST(EcsClient, RunTaskRetriesReuseTheClientToken) {
  boost::asio::io_context io;
  std::vector<std::string> tokens;
  FakeHttpServer server(io, [&](const HttpRequest& r) {
    tokens.emplace_back(json::parse(r.body).at("clientToken").as_string());
    if (tokens.size() == 1) return FakeReply{json_response(500, R"({"__type":"ServerException"})")};
    return FakeReply{json_response(200, R"({"tasks":[{"taskArn":"arn:t"}],"failures":[]})")};
  });
  HttpOptions o;
  o.allow_plain_http = true;
  HttpClient http(io.get_executor(), o);
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", ""}, std::nullopt, "static"}};
  auto cfg = *make_ecs_config("us-east-1", "http://127.0.0.1:" + std::to_string(server.port()));
  cfg.retry.base_delay = 1ms;
  EcsClient client(io.get_executor(), http, creds, cfg);
  auto r = run(io, client.run_task(run_req("prod", "web:1")));
  ASSERT_TRUE(r) << r.error().describe();
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], tokens[1]);
  EXPECT_FALSE(tokens[0].empty());
}

TEST(EcsClient, ServiceErrorsComeBackAsValues) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) {
    return FakeReply{json_response(400, R"({"__type":"ClusterNotFoundException","message":"Cluster not found."})")};
  });
  HttpOptions o;
  o.allow_plain_http = true;
  HttpClient http(io.get_executor(), o);
  StaticCredentialsProvider creds{AwsCredentials{{"AKID", "SECRET", ""}, std::nullopt, "static"}};
  EcsClient client(io.get_executor(), http, creds,
                   *make_ecs_config("us-east-1", "http://127.0.0.1:" + std::to_string(server.port())));
  auto r = run(io, client.list_tasks(tasks_req("nope")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "ClusterNotFoundException");
  EXPECT_EQ(r.error().message, "Cluster not found.");
  EXPECT_EQ(r.error().http_status, 400u);
  EXPECT_FALSE(r.error().retryable());
}

}  // namespace
}  // namespace berth::aws::ecs
