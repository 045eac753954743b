// File: tests/sim/test/ecs_api_test.cpp — ECS operations and errors over the wire (berth-sim child process).
#include "test_util.hpp"

namespace berth::sim::test {
namespace {

TEST(EcsApi, ErrorsLookLikeEcs) {
  SimProcess sim(fast_args());
  auto r = sim.ecs("LaunchRocket", json::object{});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "UnknownOperationException");
  r = sim.ecs("StartTask", json::object{{"taskDefinition", "x"}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "InvalidParameterException");
  EXPECT_NE(r.body.find("containerInstances"), std::string::npos);
  r = sim.ecs("ListTasks", json::object{{"maxResults", "ten"}});
  EXPECT_EQ(r.json().at("__type"), "SerializationException");
  r = sim.ecs("ListTasks", json::object{{"cluster", "nope"}});
  EXPECT_EQ(r.json().at("__type"), "ClusterNotFoundException");
  r = sim.ecs("ListTasks", json::object{{"desiredStatus", "SLEEPING"}});
  EXPECT_EQ(r.json().at("__type"), "InvalidParameterException");
  r = sim.request("POST", "/", "{not json", {{"X-Amz-Target", "AmazonEC2ContainerServiceV20141113.ListTasks"}});
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(r.json().at("__type"), "SerializationException");
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("api_calls").at("ListTasks").as_int64(), 4);
}

TEST(EcsApi, TaskDefinitionsHaveRevisions) {
  SimProcess sim(fast_args());
  EXPECT_EQ(register_taskdef(sim, "web", 128, 256), "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1");
  EXPECT_EQ(register_taskdef(sim, "web", 128, 512), "arn:aws:ecs:us-east-1:000000000000:task-definition/web:2");
  auto d = sim.ecs("DescribeTaskDefinition", json::object{{"taskDefinition", "web"}}).json();
  EXPECT_EQ(d.at("taskDefinition").at("revision").as_int64(), 2);
  d = sim.ecs("DescribeTaskDefinition", json::object{{"taskDefinition", "web:1"}}).json();
  EXPECT_EQ(d.at("taskDefinition").at("revision").as_int64(), 1);
  auto r = sim.ecs("DeregisterTaskDefinition", json::object{{"taskDefinition", "web:2"}});
  EXPECT_EQ(r.json().at("taskDefinition").at("status"), "INACTIVE");
  d = sim.ecs("DescribeTaskDefinition", json::object{{"taskDefinition", "web"}}).json();
  EXPECT_EQ(d.at("taskDefinition").at("revision").as_int64(), 1);
  r = sim.ecs("DescribeTaskDefinition", json::object{{"taskDefinition", "nope"}});
  EXPECT_EQ(r.json().at("__type"), "ClientException");
  r = sim.ecs("RegisterTaskDefinition",
              json::parse(R"({"family":"bad","containerDefinitions":[{"name":"x","image":"i"}]})"));
  EXPECT_EQ(r.json().at("__type"), "ClientException");  // neither memory nor memoryReservation
}

TEST(EcsApi, StartTaskChecksResourcesLikeEcs) {
  SimProcess sim(fast_args({"--instances", "1", "--instance-cpu", "1024", "--instance-memory", "1024"}));
  auto ci = instance_arns(sim).at(0);
  register_taskdef(sim, "big-mem", 10, 2000);
  register_taskdef(sim, "big-cpu", 2000, 10);
  register_taskdef(sim, "port", 10, 10, 8080);
  register_taskdef(sim, "ssh", 10, 10, 22);
  auto reason = [&](const char* td, const std::string& inst) {
    auto r = sim.ecs("StartTask", json::object{{"taskDefinition", td}, {"containerInstances", json::array{json::value(inst)}}});
    auto f = r.json().at("failures").as_array();
    return f.empty() ? std::string() : std::string(f[0].at("reason").as_string());
  };
  EXPECT_EQ(reason("big-mem", ci), "RESOURCE:MEMORY");
  EXPECT_EQ(reason("big-cpu", ci), "RESOURCE:CPU");
  EXPECT_EQ(reason("ssh", ci), "RESOURCE:PORTS");  // reserved by the agent
  EXPECT_EQ(reason("port", ci), "");
  EXPECT_EQ(reason("port", ci), "RESOURCE:PORTS");  // 8080 now taken
  EXPECT_EQ(reason("port", "arn:aws:ecs:us-east-1:000000000000:container-instance/default/nope"), "MISSING");
  auto inst = sim.ecs("DescribeContainerInstances", json::object{{"containerInstances", json::array{json::value(ci)}}})
                  .json().at("containerInstances").at(0);
  EXPECT_EQ(inst.at("remainingResources").at(0).at("integerValue").as_int64(), 1014);
  auto ports = inst.at("remainingResources").at(2).at("stringSetValue").as_array();
  EXPECT_NE(std::find(ports.begin(), ports.end(), json::value("8080")), ports.end());
  sim.post("/_sim/instances/disconnect", json::object{{"container_instance", ci}});
  EXPECT_EQ(reason("big-cpu", ci), "AGENT");
}

TEST(EcsApi, LifecycleStopAndVersions) {
  SimProcess sim(fast_args({"--instances", "1"}));
  register_taskdef(sim, "web", 128, 128, 0);
  auto r = sim.ecs("RunTask", json::object{{"taskDefinition", "web"}, {"startedBy", "berth"}}).json();
  auto task = r.at("tasks").at(0).as_object();
  EXPECT_EQ(task.at("lastStatus"), "PROVISIONING");
  EXPECT_EQ(task.at("desiredStatus"), "RUNNING");
  EXPECT_EQ(task.at("containers").at(0).at("networkBindings").at(0).at("hostPort").as_int64(), 32768);
  std::string arn(task.at("taskArn").as_string());
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "RUNNING"; }));
  auto running = describe_task(sim, arn);
  EXPECT_EQ(running.at("version").as_int64(), 3);  // PROVISIONING(1) -> PENDING(2) -> RUNNING(3)
  EXPECT_TRUE(running.at("startedAt").is_double());
  auto stopped = sim.ecs("StopTask", json::object{{"task", arn}, {"reason", "scale in"}}).json().at("task");
  EXPECT_EQ(stopped.at("desiredStatus"), "STOPPED");
  ASSERT_TRUE(eventually([&] { return describe_task(sim, arn).at("lastStatus") == "STOPPED"; }));
  auto t = describe_task(sim, arn);
  EXPECT_EQ(t.at("stopCode"), "UserInitiated");
  EXPECT_EQ(t.at("stoppedReason"), "scale in");
  EXPECT_EQ(t.at("version").as_int64(), 5);
  EXPECT_EQ(t.at("containers").at(0).at("exitCode").as_int64(), 143);
  // ListTasks defaults to desiredStatus RUNNING.
  EXPECT_TRUE(sim.ecs("ListTasks", json::object{}).json().at("taskArns").as_array().empty());
  EXPECT_EQ(sim.ecs("ListTasks", json::object{{"desiredStatus", "STOPPED"}}).json().at("taskArns").as_array().size(), 1u);
  auto inst = sim.ecs("DescribeContainerInstances", json::object{{"containerInstances", json::array{json::value(instance_arns(sim)[0])}}})
                  .json().at("containerInstances").at(0);
  EXPECT_EQ(inst.at("remainingResources").at(0).at("integerValue").as_int64(), 2048);
  EXPECT_EQ(inst.at("runningTasksCount").as_int64(), 0);
}

TEST(EcsApi, RunTaskPlacementStrategiesAndConstraints) {
  SimProcess sim(fast_args());
  sim.post("/_sim/instances", json::object{{"count", 2}, {"memory", 1000}, {"instance_type", "t3.small"},
                                           {"availability_zone", "us-east-1a"}});
  sim.post("/_sim/instances", json::object{{"count", 1}, {"memory", 4000}, {"instance_type", "m5.large"},
                                           {"availability_zone", "us-east-1b"}, {"attributes", json::object{{"team", "red"}}}});
  register_taskdef(sim, "svc", 10, 100);
  auto type_of = [&](const json::value& task) {
    auto ci = task.at("containerInstanceArn");
    auto d = sim.ecs("DescribeContainerInstances", json::object{{"containerInstances", json::array{ci}}}).json();
    for (const auto& a : d.at("containerInstances").at(0).at("attributes").as_array())
      if (a.at("name") == "ecs.instance-type") return std::string(a.at("value").as_string());
    return std::string();
  };
  auto r = sim.ecs("RunTask", json::parse(R"({"taskDefinition":"svc","count":3,
      "placementConstraints":[{"type":"memberOf","expression":"attribute:ecs.instance-type == m5.large"}]})")).json();
  ASSERT_EQ(r.at("tasks").as_array().size(), 3u);
  for (const auto& t : r.at("tasks").as_array()) EXPECT_EQ(type_of(t), "m5.large");
  r = sim.ecs("RunTask", json::parse(R"({"taskDefinition":"svc","count":3,"placementConstraints":[{"type":"distinctInstance"}]})")).json();
  ASSERT_EQ(r.at("tasks").as_array().size(), 3u);
  std::set<std::string> hosts;
  for (const auto& t : r.at("tasks").as_array()) hosts.insert(std::string(t.at("containerInstanceArn").as_string()));
  EXPECT_EQ(hosts.size(), 3u);
  r = sim.ecs("RunTask", json::parse(R"({"taskDefinition":"svc","count":4,"placementConstraints":[{"type":"distinctInstance"}]})")).json();
  EXPECT_EQ(r.at("tasks").as_array().size(), 3u);
  EXPECT_EQ(r.at("failures").as_array().size(), 1u);
  // binpack on memory picks the fullest instance that fits: one of the 1000 MiB ones.
  r = sim.ecs("RunTask", json::parse(R"({"taskDefinition":"svc","placementStrategy":[{"type":"binpack","field":"memory"}]})")).json();
  EXPECT_EQ(type_of(r.at("tasks").at(0)), "t3.small");
  r = sim.ecs("RunTask", json::parse(R"({"taskDefinition":"svc","placementConstraints":[{"type":"memberOf","expression":"attribute:team == blue"}]})")).json();
  EXPECT_TRUE(r.at("tasks").as_array().empty());
  EXPECT_EQ(r.at("failures").at(0).at("reason"), "MemberOf placement constraint unsatisfied.");
  register_taskdef(sim, "huge", 10, 5000);
  r = sim.ecs("RunTask", json::object{{"taskDefinition", "huge"}}).json();
  EXPECT_EQ(r.at("failures").at(0).at("reason"), "RESOURCE:MEMORY");
  auto bad = sim.ecs("RunTask", json::object{{"taskDefinition", "svc"}, {"count", 11}});
  EXPECT_EQ(bad.json().at("__type"), "InvalidParameterException");
}

// ECS_Idempotency.html: a RunTask retried with the same clientToken and parameters returns the original
// result without launching again; the same token with other parameters is a ConflictException naming the
// tasks the token launched; tokens are per cluster.
TEST(EcsApi, RunTaskClientTokenIsIdempotent) {
  SimProcess sim(fast_args({"--cluster", "default", "--cluster", "other", "--instances", "2"}));
  register_taskdef(sim, "web", 128, 128, 0);
  json::object req{{"taskDefinition", "web"}, {"count", 2}, {"clientToken", "run-1"}, {"startedBy", "berth"}};
  auto first = sim.ecs("RunTask", req).json();
  ASSERT_EQ(first.at("tasks").as_array().size(), 2u);
  auto again = sim.ecs("RunTask", req).json();
  EXPECT_EQ(again.at("tasks").at(0).at("taskArn"), first.at("tasks").at(0).at("taskArn"));
  EXPECT_EQ(again.at("tasks").at(1).at("taskArn"), first.at("tasks").at(1).at("taskArn"));
  EXPECT_EQ(sim.ecs("ListTasks", json::object{}).json().at("taskArns").as_array().size(), 2u);

  json::object changed = req;
  changed["count"] = 1;
  auto conflict = sim.ecs("RunTask", changed).json();
  EXPECT_EQ(conflict.at("__type"), "ConflictException");
  ASSERT_EQ(conflict.at("resourceIds").as_array().size(), 2u);
  EXPECT_EQ(conflict.at("resourceIds").at(0), first.at("tasks").at(0).at("taskArn"));

  json::object elsewhere = req;
  elsewhere["cluster"] = "other";
  elsewhere["count"] = 1;
  auto other = sim.ecs("RunTask", elsewhere).json();
  EXPECT_EQ(other.at("tasks").as_array().size(), 1u);
  EXPECT_EQ(sim.ecs("ListTasks", json::object{}).json().at("taskArns").as_array().size(), 2u);
}

TEST(EcsApi, PaginationWithNextToken) {
  SimProcess sim(fast_args({"--instances", "25", "--throttle", "off"}));
  register_taskdef(sim, "tiny", 1, 1);
  auto instances = instance_arns(sim);
  ASSERT_EQ(instances.size(), 25u);
  for (int i = 0; i < 25; ++i) {
    json::array ten;
    for (int k = 0; k < 10; ++k) ten.push_back(json::value(instances[static_cast<std::size_t>(i)]));
    auto r = sim.ecs("StartTask", json::object{{"taskDefinition", "tiny"}, {"containerInstances", ten}}).json();
    ASSERT_EQ(r.at("tasks").as_array().size(), 10u);
  }
  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    json::object in{{"maxResults", 100}};
    if (!token.empty()) in["nextToken"] = token;
    auto r = sim.ecs("ListTasks", in).json().as_object();
    for (const auto& a : r.at("taskArns").as_array()) seen.insert(std::string(a.as_string()));
    token = r.contains("nextToken") ? std::string(r.at("nextToken").as_string()) : "";
    ++pages;
  } while (!token.empty());
  EXPECT_EQ(seen.size(), 250u);
  EXPECT_EQ(pages, 3);
  auto one = sim.ecs("ListTasks", json::object{{"containerInstance", instances[3]}}).json();
  EXPECT_EQ(one.at("taskArns").as_array().size(), 10u);
  auto ci = sim.ecs("ListContainerInstances", json::object{{"maxResults", 10}}).json();
  EXPECT_EQ(ci.at("containerInstanceArns").as_array().size(), 10u);
  EXPECT_TRUE(ci.at("nextToken").is_string());
  auto bad = sim.ecs("ListTasks", json::object{{"nextToken", "garbage"}});
  EXPECT_EQ(bad.json().at("__type"), "InvalidParameterException");
}

TEST(EcsApi, DrainingAndDeregistration) {
  SimProcess sim(fast_args({"--instances", "2"}));
  register_taskdef(sim, "web", 10, 10);
  auto cis = instance_arns(sim);
  auto r = sim.ecs("UpdateContainerInstancesState",
                   json::object{{"containerInstances", json::array{json::value(cis[0])}}, {"status", "DRAINING"}}).json();
  EXPECT_EQ(r.at("containerInstances").at(0).at("status"), "DRAINING");
  EXPECT_EQ(r.at("containerInstances").at(0).at("version").as_int64(), 2);
  // RunTask never places on a DRAINING instance.
  for (int i = 0; i < 5; ++i) {
    auto t = sim.ecs("RunTask", json::object{{"taskDefinition", "web"}}).json();
    EXPECT_EQ(t.at("tasks").at(0).at("containerInstanceArn"), json::value(cis[1]));
  }
  auto d = sim.ecs("DeregisterContainerInstance", json::object{{"containerInstance", cis[1]}});
  EXPECT_EQ(d.json().at("__type"), "InvalidParameterException");
  d = sim.ecs("DeregisterContainerInstance", json::object{{"containerInstance", cis[1]}, {"force", true}});
  EXPECT_EQ(d.json().at("containerInstance").at("status"), "INACTIVE");
  EXPECT_EQ(instance_arns(sim).size(), 1u);  // INACTIVE is not listed by default
  auto stopped = sim.ecs("ListTasks", json::object{{"desiredStatus", "STOPPED"}}).json();
  EXPECT_EQ(stopped.at("taskArns").as_array().size(), 5u);
}

TEST(EcsApi, ThrottlingPerCategory) {
  SimProcess sim(fast_args({"--instances", "1"}));
  sim.post("/_sim/throttle", json::object{{"category", "read"}, {"burst", 3}, {"rate", 0.001}});
  int throttled = 0;
  for (int i = 0; i < 6; ++i) {
    auto r = sim.ecs("ListClusters", json::object{});
    if (r.status == 400 && r.json().at("__type") == "ThrottlingException") {
      EXPECT_EQ(r.json().at("message"), "Rate exceeded");
      ++throttled;
    }
  }
  EXPECT_EQ(throttled, 3);
  // Modify actions have their own bucket.
  EXPECT_EQ(sim.ecs("CreateCluster", json::object{{"clusterName", "other"}}).status, 200u);
  auto stats = sim.stats();
  EXPECT_EQ(stats.at("throttled_total").as_int64(), 3);
  EXPECT_EQ(stats.at("throttled").at("ListClusters").as_int64(), 3);
  // A per-operation bucket overrides the category.
  sim.post("/_sim/throttle", json::object{{"operation", "DescribeClusters"}, {"burst", 1}, {"rate", 0.001}});
  EXPECT_EQ(sim.ecs("DescribeClusters", json::object{}).status, 200u);
  EXPECT_EQ(sim.ecs("DescribeClusters", json::object{}).json().at("__type"), "ThrottlingException");
  EXPECT_EQ(sim.state().at("throttle").at("operations").at("DescribeClusters").at("burst").as_double(), 1.0);
  sim.post("/_sim/throttle", json::object{{"enabled", false}});
  EXPECT_EQ(sim.ecs("ListClusters", json::object{}).status, 200u);
}

TEST(EcsApi, ClustersAndAttributes) {
  SimProcess sim(fast_args({"--cluster", "a", "--cluster", "b", "--instances", "1"}));
  auto ready = sim.ready().at("clusters").as_array();
  EXPECT_EQ(ready.size(), 2u);
  auto d = sim.ecs("DescribeClusters", json::parse(R"({"clusters":["a","zzz"]})")).json();
  EXPECT_EQ(d.at("clusters").at(0).at("registeredContainerInstancesCount").as_int64(), 1);
  EXPECT_EQ(d.at("failures").at(0).at("reason"), "MISSING");
  auto ci = instance_arns(sim, "b").at(0);
  auto r = sim.ecs("PutAttributes", json::object{{"cluster", "b"},
      {"attributes", json::array{json::object{{"name", "stack"}, {"value", "blue"}, {"targetType", "container-instance"}, {"targetId", ci}}}}});
  EXPECT_EQ(r.status, 200u) << r.body;
  auto l = sim.ecs("ListContainerInstances", json::object{{"cluster", "b"}, {"filter", "attribute:stack == blue"}}).json();
  EXPECT_EQ(l.at("containerInstanceArns").as_array().size(), 1u);
  l = sim.ecs("ListContainerInstances", json::object{{"cluster", "b"}, {"filter", "attribute:stack == red"}}).json();
  EXPECT_TRUE(l.at("containerInstanceArns").as_array().empty());
}

}  // namespace
}  // namespace berth::sim::test
