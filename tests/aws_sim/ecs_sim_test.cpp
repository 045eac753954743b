// File: tests/aws_sim/ecs_sim_test.cpp — every EcsClient operation against berth-sim with SigV4 on: task
// definitions, paging across >100 instances and tasks, StartTask/RunTask outcomes and failures, stop, drain.
#include "sim_fixture.hpp"

#include <set>

namespace berth::aws::simtest {
namespace {

using ecs::ListTasksRequest;
using ecs::RunTaskRequest;
using ecs::StartTaskRequest;
using ecs::StopTaskRequest;

TEST(EcsAgainstSim, TaskDefinitionsRegisterAndDescribe) {
  SimClients c;
  const auto arn = c.register_family("web", 128, 256);
  EXPECT_EQ(arn, "arn:aws:ecs:us-east-1:000000000000:task-definition/web:1");
  c.register_family("web", 128, 512);

  auto latest = c.await(c.ecs.describe_task_definition("web"));
  ASSERT_TRUE(latest) << latest.error().describe();
  EXPECT_EQ(latest->family, "web");
  EXPECT_EQ(latest->revision, 2);
  EXPECT_EQ(latest->status, "ACTIVE");
  ASSERT_EQ(latest->container_definitions.size(), 1u);
  EXPECT_EQ(latest->container_definitions[0].at("memory").to_number<int>(), 512);

  auto first = c.await(c.ecs.describe_task_definition("web:1"));
  ASSERT_TRUE(first);
  EXPECT_EQ(first->revision, 1);

  auto missing = c.await(c.ecs.describe_task_definition("nope"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().type, "ClientException");
  EXPECT_FALSE(missing.error().retryable());
  EXPECT_FALSE(missing.error().outcome_unknown());
  EXPECT_EQ(c.sim_stat("auth_failures"), 0);
}

TEST(EcsAgainstSim, ListsAndDescribesMoreThanOnePageOfInstances) {
  SimClients c({"--instances", "130"});
  ecs::ListContainerInstancesRequest req;
  req.cluster = "default";
  auto first_page = c.await(c.ecs.list_container_instances(req));
  ASSERT_TRUE(first_page) << first_page.error().describe();
  EXPECT_EQ(first_page->arns.size(), 100u);  // ECS's default page size
  EXPECT_FALSE(first_page->next_token.empty());

  auto all = c.instances();
  ASSERT_EQ(all.size(), 130u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 130u);
  EXPECT_EQ(c.sim_stat("api_calls", "ListContainerInstances"), 3);  // 1 + 2 pages

  all.push_back("arn:aws:ecs:us-east-1:000000000000:container-instance/default/missing");
  auto described = c.await(c.ecs.describe_container_instances("default", all));
  ASSERT_TRUE(described) << described.error().describe();
  EXPECT_EQ(described->items.size(), 130u);
  ASSERT_EQ(described->failures.size(), 1u);
  EXPECT_EQ(described->failures[0].reason, "MISSING");
  EXPECT_EQ(c.sim_stat("api_calls", "DescribeContainerInstances"), 2);  // 100 + 31
  const auto& ci = described->items.front();
  EXPECT_EQ(ci.status, "ACTIVE");
  EXPECT_TRUE(ci.agent_connected);
  EXPECT_FALSE(ci.ec2_instance_id.empty());
  bool has_cpu = false;
  for (const auto& r : ci.remaining_resources)
    if (r.name == "CPU") has_cpu = r.integer_value == 2048;
  EXPECT_TRUE(has_cpu);
}

TEST(EcsAgainstSim, StartTaskPlacesAndReportsResourceFailures) {
  SimClients c({"--instances", "2", "--instance-cpu", "1024", "--instance-memory", "1024"});
  c.register_family("small", 128, 256);
  c.register_family("huge", 128, 4000);
  const auto cis = c.instances();
  ASSERT_EQ(cis.size(), 2u);

  StartTaskRequest req;
  req.cluster = "default";
  req.task_definition = "small";
  req.container_instances = cis;
  req.started_by = "berth-test";
  req.group = "service:small";
  auto started = c.await(c.ecs.start_task(req));
  ASSERT_TRUE(started) << started.error().describe();
  ASSERT_EQ(started->items.size(), 2u);
  EXPECT_TRUE(started->failures.empty());
  std::set<std::string> hosts;
  for (const auto& t : started->items) {
    hosts.insert(t.container_instance_arn);
    EXPECT_EQ(t.started_by, "berth-test");
    EXPECT_EQ(t.group, "service:small");
    EXPECT_EQ(t.desired_status, "RUNNING");
  }
  EXPECT_EQ(hosts, std::set<std::string>(cis.begin(), cis.end()));

  req.task_definition = "huge";
  auto failed = c.await(c.ecs.start_task(req));
  ASSERT_TRUE(failed) << failed.error().describe();  // a placement failure is a successful call
  EXPECT_TRUE(failed->items.empty());
  ASSERT_EQ(failed->failures.size(), 2u);
  for (const auto& f : failed->failures) EXPECT_EQ(f.reason, "RESOURCE:MEMORY");

  req.task_definition = "small";
  req.container_instances = std::vector<std::string>(11, cis[0]);
  auto too_many = c.await(c.ecs.start_task(req));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().type, "InvalidParameterException");
  EXPECT_EQ(c.sim_stat("api_calls", "StartTask"), 2);  // the invalid one was never sent
}

TEST(EcsAgainstSim, RunTaskCountPlacementGroupAndStartedBy) {
  SimClients c({"--instances", "3"});
  sim::SimProcess& sim = c.sim;
  sim.post("/_sim/instances", json::object{{"count", 1}, {"attributes", json::object{{"team", "red"}}}});
  c.register_family("svc", 10, 100);
  const auto cis = c.instances();
  ASSERT_EQ(cis.size(), 4u);

  RunTaskRequest req;
  req.cluster = "default";
  req.task_definition = "svc";
  req.count = 4;
  req.group = "service:svc";
  req.started_by = "berth-run";
  req.placement_constraints = {{"distinctInstance", ""}};
  req.placement_strategy = {{"spread", "instanceId"}};
  auto ran = c.await(c.ecs.run_task(req));
  ASSERT_TRUE(ran) << ran.error().describe();
  ASSERT_EQ(ran->items.size(), 4u);
  std::set<std::string> hosts;
  for (const auto& t : ran->items) {
    hosts.insert(t.container_instance_arn);
    EXPECT_EQ(t.group, "service:svc");
    EXPECT_EQ(t.started_by, "berth-run");
  }
  EXPECT_EQ(hosts.size(), 4u);  // distinctInstance

  // A fifth distinct task has nowhere to go.
  req.count = 5;
  auto over = c.await(c.ecs.run_task(req));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->items.size(), 4u);
  EXPECT_EQ(over->failures.size(), 1u);

  RunTaskRequest red;
  red.cluster = "default";
  red.task_definition = "svc";
  red.count = 2;
  red.placement_constraints = {{"memberOf", "attribute:team == red"}};
  auto on_red = c.await(c.ecs.run_task(red));
  ASSERT_TRUE(on_red) << on_red.error().describe();
  ASSERT_EQ(on_red->items.size(), 2u);
  EXPECT_EQ(on_red->items[0].container_instance_arn, on_red->items[1].container_instance_arn);

  red.placement_constraints = {{"memberOf", "attribute:team == blue"}};
  red.count = 1;
  auto none = c.await(c.ecs.run_task(red));
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->items.empty());
  ASSERT_EQ(none->failures.size(), 1u);
}

TEST(EcsAgainstSim, ListTasksFiltersAndPagesDescribeAndStop) {
  SimClients c({"--instances", "20"});
  c.register_family("tiny", 1, 1);
  // 150 tasks started by "bulk" through the control API, 3 by "mine" through the client.
  auto bulk = c.sim.post("/_sim/tasks/run", json::object{{"task_definition", "tiny"}, {"count", 150}, {"started_by", "bulk"}});
  ASSERT_EQ(bulk.at("started").to_number<int>(), 150);
  RunTaskRequest mine;
  mine.cluster = "default";
  mine.task_definition = "tiny";
  mine.count = 3;
  mine.started_by = "mine";
  auto ran = c.await(c.ecs.run_task(mine));
  ASSERT_TRUE(ran && ran->items.size() == 3u);

  ListTasksRequest all_req;
  all_req.cluster = "default";
  auto all = c.await(c.ecs.list_all_tasks(all_req));
  ASSERT_TRUE(all) << all.error().describe();
  EXPECT_EQ(all->size(), 153u);
  EXPECT_EQ(std::set<std::string>(all->begin(), all->end()).size(), 153u);
  EXPECT_EQ(c.sim_stat("api_calls", "ListTasks"), 2);  // 100 + 53

  ListTasksRequest by_me = all_req;
  by_me.started_by = "mine";
  auto mine_listed = c.await(c.ecs.list_all_tasks(by_me));
  ASSERT_TRUE(mine_listed);
  std::set<std::string> expected;
  for (const auto& t : ran->items) expected.insert(t.task_arn);
  EXPECT_EQ(std::set<std::string>(mine_listed->begin(), mine_listed->end()), expected);

  ListTasksRequest small_pages = by_me;
  small_pages.max_results = 2;
  auto page = c.await(c.ecs.list_tasks(small_pages));
  ASSERT_TRUE(page);
  EXPECT_EQ(page->arns.size(), 2u);
  EXPECT_FALSE(page->next_token.empty());

  // Describe all 153 (two chunks) plus one unknown ARN.
  auto arns = *all;
  arns.push_back("arn:aws:ecs:us-east-1:000000000000:task/default/0000000000000000000000000000dead");
  auto described = c.await(c.ecs.describe_tasks("default", arns));
  ASSERT_TRUE(described) << described.error().describe();
  EXPECT_EQ(described->items.size(), 153u);
  ASSERT_EQ(described->failures.size(), 1u);
  EXPECT_EQ(described->failures[0].reason, "MISSING");
  EXPECT_EQ(c.sim_stat("api_calls", "DescribeTasks"), 2);

  StopTaskRequest stop;
  stop.cluster = "default";
  stop.task = ran->items[0].task_arn;
  stop.reason = "scale down";
  auto stopped = c.await(c.ecs.stop_task(stop));
  ASSERT_TRUE(stopped) << stopped.error().describe();
  EXPECT_EQ(stopped->task_arn, stop.task);
  EXPECT_EQ(stopped->desired_status, "STOPPED");
  EXPECT_EQ(stopped->stopped_reason, "scale down");
  // Stopping again is harmless (StopTask is idempotent).
  auto again = c.await(c.ecs.stop_task(stop));
  ASSERT_TRUE(again) << again.error().describe();

  // The stopped task reaches STOPPED and leaves the RUNNING listing.
  ListTasksRequest stopped_req = by_me;
  stopped_req.desired_status = "STOPPED";
  auto stopped_list = c.await(c.ecs.list_all_tasks(stopped_req));
  ASSERT_TRUE(stopped_list);
  EXPECT_EQ(*stopped_list, std::vector<std::string>{stop.task});
  auto running_mine = c.await(c.ecs.list_all_tasks(by_me));
  ASSERT_TRUE(running_mine);
  EXPECT_EQ(running_mine->size(), 2u);
}

TEST(EcsAgainstSim, DrainingInstancesAndAttributes) {
  SimClients c({"--instances", "12"});
  auto cis = c.instances();
  ASSERT_EQ(cis.size(), 12u);
  // 11 instances: two UpdateContainerInstancesState calls (10 + 1).
  std::vector<std::string> drain(cis.begin(), cis.begin() + 11);
  auto drained = c.await(c.ecs.update_container_instances_state("default", drain, "DRAINING"));
  ASSERT_TRUE(drained) << drained.error().describe();
  ASSERT_EQ(drained->items.size(), 11u);
  for (const auto& ci : drained->items) EXPECT_EQ(ci.status, "DRAINING");
  EXPECT_EQ(c.sim_stat("api_calls", "UpdateContainerInstancesState"), 2);

  ecs::ListContainerInstancesRequest draining;
  draining.cluster = "default";
  draining.status = "DRAINING";
  auto listed = c.await(c.ecs.list_all_container_instances(draining));
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->size(), 11u);

  // RunTask skips DRAINING instances: the only ACTIVE one gets the task.
  c.register_family("web", 10, 10);
  RunTaskRequest run;
  run.cluster = "default";
  run.task_definition = "web";
  auto ran = c.await(c.ecs.run_task(run));
  ASSERT_TRUE(ran && ran->items.size() == 1u);
  EXPECT_EQ(ran->items[0].container_instance_arn, cis[11]);

  auto back = c.await(c.ecs.update_container_instances_state("default", {cis[0]}, "ACTIVE"));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->items.at(0).status, "ACTIVE");

  // ListAttributes: the new instance's custom attribute, found through a name filter, with
  // paging (maxResults 5 over the ecs.* built-ins of 13 instances: 3 pages).
  auto added = c.sim.post("/_sim/instances", json::object{{"count", 1}, {"attributes", json::object{{"stack", "blue"}}}});
  const std::string blue_arn(added.at("container_instance_arns").at(0).as_string());
  ecs::ListAttributesRequest attrs;
  attrs.cluster = "default";
  attrs.attribute_name = "stack";
  attrs.max_results = 5;
  auto found = c.await(c.ecs.list_all_attributes(attrs));
  ASSERT_TRUE(found) << found.error().describe();
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].name, "stack");
  EXPECT_EQ((*found)[0].value.value_or(""), "blue");
  EXPECT_EQ((*found)[0].target_type, "container-instance");
  EXPECT_EQ((*found)[0].target_id, blue_arn);

  const auto calls_before = c.sim_stat("api_calls", "ListAttributes");
  ecs::ListAttributesRequest zones;
  zones.cluster = "default";
  zones.attribute_name = "ecs.availability-zone";
  zones.max_results = 5;
  auto first_page = c.await(c.ecs.list_attributes(zones));
  ASSERT_TRUE(first_page) << first_page.error().describe();
  EXPECT_EQ(first_page->attributes.size(), 5u);
  EXPECT_FALSE(first_page->next_token.empty());
  auto all_zones = c.await(c.ecs.list_all_attributes(zones));
  ASSERT_TRUE(all_zones) << all_zones.error().describe();
  ASSERT_EQ(all_zones->size(), 13u);  // 12 from the start + the one added above
  std::set<std::string> targets, values;
  for (const auto& a : *all_zones) {
    EXPECT_EQ(a.name, "ecs.availability-zone");
    EXPECT_EQ(a.target_type, "container-instance");
    targets.insert(a.target_id);
    values.insert(a.value.value_or(""));
  }
  EXPECT_EQ(targets.size(), 13u);  // every instance once across the pages
  EXPECT_TRUE(targets.count(blue_arn));
  EXPECT_EQ(values, (std::set<std::string>{"us-east-1a", "us-east-1b", "us-east-1c"}));
  EXPECT_EQ(c.sim_stat("api_calls", "ListAttributes") - calls_before, 1 + 3);

  // Name and value together: no instance has that type.
  ecs::ListAttributesRequest none;
  none.cluster = "default";
  none.attribute_name = "ecs.instance-type";
  none.attribute_value = "p4d.24xlarge";
  auto empty = c.await(c.ecs.list_all_attributes(none));
  ASSERT_TRUE(empty) << empty.error().describe();
  EXPECT_TRUE(empty->empty());
  EXPECT_EQ(c.sim_stat("validation_errors"), 0);
  EXPECT_EQ(c.sim_stat("auth_failures"), 0);
}

}  // namespace
}  // namespace berth::aws::simtest
