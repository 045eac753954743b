// File: tests/e2e/scheduling_test.cpp — daemon placement end to end: one task per instance at scale, late
// instances, replacement of stopped tasks, draining, attribute constraints (issue 5, items 1-5).
#include "e2e_fixture.hpp"

namespace berth::e2e {
namespace {

using SchedulingE2e = E2eTest;

// Item 1: 200 instances, one task each, launched in StartTask batches of 10 and never twice.
TEST_F(SchedulingE2e, TwoHundredInstancesGetExactlyOneTaskEach) {
  start_sim({"--instances", "200"});
  auto td = register_task_definition(sim(), "daemon");
  start_berth();
  create_environment(environment_body("daemon", td));

  auto instances = sim_view(sim()).instance_arns();
  ASSERT_EQ(instances.size(), 200u);
  ASSERT_TRUE(converges("daemon", instances, td));
  EXPECT_TRUE(stays_converged("daemon", instances, td));

  // Zero duplicates: the sim keeps stopped tasks, so "ever" is checkable: 200 tasks in total, one per instance.
  auto view = sim_view(sim());
  auto all = view.all_by_instance("daemon");
  std::size_t total = 0;
  for (const auto& [inst, tasks] : all) {
    total += tasks.size();
    EXPECT_EQ(tasks.size(), 1u) << "instance " << inst << " had " << tasks.size() << " tasks";
  }
  EXPECT_EQ(total, 200u);

  // Launches batched: StartTask takes at most 10 instances, so 20 calls is the floor (and what berth makes:
  // one sync plans all 200). A little slack for a batch cut short by timing, none for per-instance launches.
  auto calls = ecs_call_counts(sim());
  RecordProperty("start_task_calls", std::to_string(calls["StartTask"]));
  std::cout << "[ info     ] StartTask calls for 200 instances: " << calls["StartTask"] << "\n";
  EXPECT_GE(calls["StartTask"], 20);
  EXPECT_LE(calls["StartTask"], 22) << "launches were not batched";
  EXPECT_EQ(calls["RunTask"], 0);
  EXPECT_EQ(calls["StopTask"], 0);

  // Ownership tags as documented: startedBy = berth/<hash>, group = berth:<env>:<deployment>.
  auto described = describe_env_tasks(sim(), "default", started_by("daemon"));
  EXPECT_EQ(described.size(), 200u);
  for (const auto& t : described) {
    EXPECT_EQ(t.at("startedBy").as_string(), started_by("daemon"));
    EXPECT_TRUE(std::string(t.at("group").as_string()).starts_with("berth:daemon:")) << t.at("group");
  }
}

// Item 2: instances registered after the environment converged get their task.
TEST_F(SchedulingE2e, InstancesAddedLaterGetTheirTask) {
  start_sim({"--instances", "5"});
  auto td = register_task_definition(sim(), "late");
  start_berth();
  create_environment(environment_body("late", td));
  ASSERT_TRUE(converges("late", sim_view(sim()).instance_arns(), td));

  sim().post("/_sim/instances", json::object{{"count", 7}});
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_EQ(instances.size(), 12u);
  ASSERT_TRUE(converges("late", instances, td));
  EXPECT_TRUE(stays_converged("late", instances, td));
  for (const auto& [inst, tasks] : sim_view(sim()).all_by_instance("late"))
    EXPECT_EQ(tasks.size(), 1u) << "instance " << inst;
}

// Item 3: a task stopped by someone else, and a task whose container crashed, are replaced; a task on a
// host that died is not (the instance is gone).
TEST_F(SchedulingE2e, StoppedAndFailedTasksAreReplaced) {
  start_sim({"--instances", "5"});
  auto td = register_task_definition(sim(), "heal");
  start_berth();
  create_environment(environment_body("heal", td));
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("heal", instances, td));

  auto live = sim_view(sim()).live_by_instance("heal");
  std::vector<std::string> victims;
  for (const auto& [inst, tasks] : live) victims.push_back(tasks.front().arn);
  ASSERT_GE(victims.size(), 3u);
  sim().post("/_sim/tasks/stop", json::object{{"task", victims[0]}, {"reason", "operator stopped it"}});
  // A crash: the instance backs off (10 s) before the replacement, so this takes a little longer.
  sim().post("/_sim/tasks/fail", json::object{{"task", victims[1]}, {"exit_code", 137}});
  // The host of the third task dies: its task stops and the instance goes INACTIVE.
  std::string dead_instance;
  for (const auto& [inst, tasks] : live)
    if (tasks.front().arn == victims[2]) dead_instance = inst;
  sim().post("/_sim/instances/kill", json::object{{"container_instance", dead_instance}});

  auto remaining = sim_view(sim()).instance_arns();
  ASSERT_EQ(remaining.size(), 4u);
  ASSERT_TRUE(converges("heal", remaining, td));
  EXPECT_TRUE(stays_converged("heal", remaining, td));
  auto now_live = sim_view(sim()).live_by_instance("heal");
  for (const auto& [inst, tasks] : now_live)
    for (const auto& t : tasks) {
      EXPECT_NE(t.arn, victims[0]);
      EXPECT_NE(t.arn, victims[1]);
    }
  EXPECT_FALSE(now_live.count(dead_instance));
  EXPECT_TRUE(overlapping_tasks(sim(), "default", started_by("heal")).empty());
}

// Item 4: a DRAINING instance gets no launches. berth's semantics (policy/daemon_plan.hpp): tasks already
// running there are kept (ECS does not stop standalone tasks on drain; daemons such as log shippers should
// outlive the service tasks), and the instance is no longer counted as desired. Re-activating it brings it back.
TEST_F(SchedulingE2e, DrainedInstanceGetsNoNewTask) {
  start_sim({"--instances", "6"});
  auto td_a = register_task_definition(sim(), "old");
  auto td_b = register_task_definition(sim(), "new");
  start_berth();
  create_environment(environment_body("old", td_a));
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("old", instances, td_a));

  const std::string drained = *instances.begin();
  const std::string kept_task = sim_view(sim()).live_by_instance("old").at(drained).front().arn;
  sim().post("/_sim/instances/drain", json::object{{"container_instance", drained}});
  ASSERT_TRUE(wait_until([&] { return !sim_view(sim()).instance_arns().count(drained); }, 10s));
  // The drain reaches berth as an event; only once its model has it can "no launch there" be expected
  // (StartTask itself accepts a DRAINING instance, as in ECS).
  ASSERT_TRUE(wait_until([&] { return berth_sees_instance_status(drained, "DRAINING"); }, 60s))
      << "berth never saw the instance DRAINING";

  create_environment(environment_body("new", td_b));
  auto active = sim_view(sim()).instance_arns();
  ASSERT_EQ(active.size(), 5u);
  ASSERT_TRUE(converges("new", active, td_b));
  EXPECT_TRUE(stays_converged("new", active, td_b));
  EXPECT_FALSE(sim_view(sim()).all_by_instance("new").count(drained)) << "a task was launched on a DRAINING instance";

  // The existing task on the drained instance keeps running, untouched.
  auto old_live = sim_view(sim()).live_by_instance("old");
  ASSERT_TRUE(old_live.count(drained));
  ASSERT_EQ(old_live.at(drained).size(), 1u);
  EXPECT_EQ(old_live.at(drained).front().arn, kept_task);
  EXPECT_TRUE(old_live.at(drained).front().healthy());

  // Back to ACTIVE: the new environment places its task there too.
  sim().post("/_sim/instances/activate", json::object{{"container_instance", drained}});
  ASSERT_TRUE(converges("new", instances, td_b));
}

// scheduler.stop_on_draining, switched on by a SIGHUP reload: the task on the DRAINING instance is stopped
// (and not replaced there); the other instances keep theirs.
TEST_F(SchedulingE2e, StopOnDrainingFromAReloadStopsTheDrainedTask) {
  start_sim({"--instances", "4"});
  auto td = register_task_definition(sim(), "drainme");
  start_berth();
  create_environment(environment_body("drainme", td));
  auto instances = sim_view(sim()).instance_arns();
  ASSERT_TRUE(converges("drainme", instances, td));
  const std::string drained = *instances.begin();
  sim().post("/_sim/instances/drain", json::object{{"container_instance", drained}});
  ASSERT_TRUE(wait_until([&] { return berth_sees_instance_status(drained, "DRAINING"); }, 60s));
  ASSERT_TRUE(stays_converged("drainme", instances, td, 2s)) << "default: the daemon task stays on a draining host";

  berth().reload("[scheduler]\nstop_on_draining = true\n");
  ASSERT_TRUE(wait_until([&] { return !sim_view(sim()).live_by_instance("drainme").count(drained); }, 60s))
      << "the task on the draining instance was not stopped";
  auto active = sim_view(sim()).instance_arns();
  ASSERT_EQ(active.size(), 3u);
  EXPECT_TRUE(stays_converged("drainme", active, td, 2s));
  EXPECT_EQ(sim_view(sim()).all_by_instance("drainme").at(drained).size(), 1u) << "nothing relaunched there";
  EXPECT_NE(berth().log_tail().find("scheduler settings applied stop_on_draining=true"), std::string::npos);
}

// SIGHUP adds and removes clusters. An environment on a cluster berth does not watch waits; once a reload
// adds the cluster (sharing the events queue), it is bootstrapped and the environment placed. A reload that
// removes it stops the watching: berth lists it no more, its tasks keep running, the other cluster is unaffected.
TEST_F(SchedulingE2e, ClustersAddedAndRemovedByReload) {
  start_sim({"--cluster", "default", "--cluster", "other", "--instances", "3"});
  auto td = register_task_definition(sim(), "roaming");
  start_berth();
  create_environment(environment_body("here", td));
  // An environment on a cluster berth does not watch is refused (Blox's 404 "Cluster missing"): it would never run.
  auto unwatched = berth().api("POST", "/v1/environments", json::serialize(environment_body("there", td, "other")));
  EXPECT_EQ(unwatched.status, 404u) << unwatched.body;
  EXPECT_NE(unwatched.body.find("instanceGroup.cluster"), std::string::npos) << unwatched.body;
  ASSERT_TRUE(converges("roaming", sim_view(sim()).instance_arns(), td));
  ASSERT_TRUE(sim_view(sim(), "other").live_by_instance("roaming").empty()) << "placed on an unwatched cluster";

  // Watched after a reload: the environment is accepted there and runs.
  const std::string other = "[[clusters]]\nname = \"other\"\nqueue_url = \"" + sim().queue_url() + "\"\n";
  berth().reload(other);
  ASSERT_TRUE(wait_until([&] { return berth().get_json("/v1/stats").at("clusters").as_object().contains("other"); },
                         30s));
  create_environment(environment_body("there", td, "other"));
  const auto other_instances = sim_view(sim(), "other").instance_arns();
  std::string why;
  EXPECT_TRUE(wait_until(
      [&] {
        why = check_one_per_instance(sim_view(sim(), "other"), "roaming", other_instances, td);
        return why.empty();
      },
      converge_timeout))
      << why;

  berth().reload("");
  ASSERT_TRUE(wait_until([&] { return !berth().get_json("/v1/stats").at("clusters").as_object().contains("other"); },
                         30s));
  // A task stopped on the removed cluster is not replaced; the watched cluster still is.
  auto victim = sim_view(sim(), "other").live_by_instance("roaming").begin()->second.front().arn;
  sim().post("/_sim/tasks/stop", json::object{{"task", victim}});
  auto here_victim = sim_view(sim()).live_by_instance("roaming").begin()->second.front().arn;
  sim().post("/_sim/tasks/stop", json::object{{"task", here_victim}});
  EXPECT_TRUE(converges("roaming", sim_view(sim()).instance_arns(), td));
  std::this_thread::sleep_for(3s);
  EXPECT_EQ(sim_view(sim(), "other").live_by_instance("roaming").size(), other_instances.size() - 1);
  EXPECT_TRUE(berth().alive());
}

// Item 5: instanceGroup.attributes and a constraint expression both restrict placement.
TEST_F(SchedulingE2e, AttributeConstraintsAreRespected) {
  start_sim({"--instances", "0"});
  auto add = [&](int count, const char* az, json::object attrs) {
    auto r = sim().post("/_sim/instances",
                        json::object{{"count", count}, {"availability_zone", az}, {"attributes", std::move(attrs)}});
    std::set<std::string> arns;
    for (const auto& a : r.at("container_instance_arns").as_array()) arns.insert(std::string(a.as_string()));
    return arns;
  };
  auto web_a = add(3, "us-east-1a", {{"role", "web"}});
  auto web_b = add(2, "us-east-1b", {{"role", "web"}, {"gpu", "t4"}});
  auto web_c = add(2, "us-east-1c", {{"role", "web"}});
  auto db_a = add(3, "us-east-1a", {{"role", "db"}, {"gpu", "a100"}});

  auto td_web = register_task_definition(sim(), "web-agent");
  auto td_gpu = register_task_definition(sim(), "gpu-agent");
  start_berth();

  // role == web and AZ in [a, b]: web_a + web_b.
  auto web = environment_body("web-agent", td_web);
  web["instanceGroup"].as_object()["attributes"] = json::array{json::object{{"name", "role"}, {"value", "web"}}};
  web["constraint"] = "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]";
  create_environment(web);
  // Attribute present, any value (Blox: value omitted): web_b + db_a.
  auto gpu = environment_body("gpu-agent", td_gpu);
  gpu["instanceGroup"].as_object()["attributes"] = json::array{json::object{{"name", "gpu"}}};
  create_environment(gpu);

  std::set<std::string> want_web = web_a, want_gpu = web_b;
  want_web.insert(web_b.begin(), web_b.end());
  want_gpu.insert(db_a.begin(), db_a.end());
  ASSERT_TRUE(converges("web-agent", want_web, td_web));
  ASSERT_TRUE(converges("gpu-agent", want_gpu, td_gpu));
  EXPECT_TRUE(stays_converged("web-agent", want_web, td_web));
  EXPECT_TRUE(stays_converged("gpu-agent", want_gpu, td_gpu, 1s));
  // Never placed on a non-matching instance, not even briefly.
  auto view = sim_view(sim());
  for (const auto& [inst, tasks] : view.all_by_instance("web-agent")) EXPECT_TRUE(want_web.count(inst)) << inst;
  for (const auto& [inst, tasks] : view.all_by_instance("gpu-agent")) EXPECT_TRUE(want_gpu.count(inst)) << inst;
  (void)web_c;

  // An instance gaining the attribute later (PutAttributes) starts matching.
  const std::string late = *web_c.begin();
  auto r = ecs_call(sim(), "PutAttributes",
                    json::object{{"cluster", "default"},
                                 {"attributes", json::array{json::object{{"name", "gpu"},
                                                                         {"value", "l4"},
                                                                         {"targetType", "container-instance"},
                                                                         {"targetId", late}}}}});
  ASSERT_EQ(r.status, 200u) << r.body;
  want_gpu.insert(late);
  EXPECT_TRUE(converges("gpu-agent", want_gpu, td_gpu));
}

}  // namespace
}  // namespace berth::e2e
