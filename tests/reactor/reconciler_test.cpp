// File: tests/reactor/reconciler_test.cpp — the reconciler against a fake ECS that emits state
// changes into the model: convergence, call counts, expectations, rollouts and rollbacks.
#include "reactor/reconciler.hpp"

#include "policy/ownership.hpp"
#include "policy/task_definition.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace berth::reactor {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
const std::string cluster_arn = "arn:aws:ecs:us-east-1:1:cluster/c";

std::string inst_arn(int i) { return "arn:aws:ecs:us-east-1:1:container-instance/c/" + std::to_string(1000 + i); }

// A tiny ECS: tasks go PENDING -> RUNNING on step(), stopping tasks go STOPPED; a "bad" task
// definition exits with code 1 instead of running.
class FakeEcs : public EcsApi {
 public:
  struct FakeTask {
    aws::ecs::Task task;
    bool in_model_events = true;
  };
  std::map<std::string, aws::ecs::Task> tasks;
  std::vector<aws::ecs::ContainerInstance> instances;
  std::set<std::string> bad_definitions;
  std::set<std::string> health_checked;  // their tasks report UNKNOWN until `healthy` is set
  bool healthy = false;
  int start_calls = 0, stop_calls = 0, list_task_calls = 0;
  bool next_start_times_out = false;   // the tasks are launched, the response is lost
  bool next_start_fails_unknown = false;  // a 5xx before anything was launched
  bool reads_fail = false;             // ListTasks/DescribeTasks answer 500
  std::vector<aws::ecs::Task> pending_events;  // produced, not yet delivered
  SystemTime* now = nullptr;

  aws::ecs::ContainerInstance& add_instance(int i) {
    aws::ecs::ContainerInstance ci;
    ci.container_instance_arn = inst_arn(i);
    ci.cluster_arn = cluster_arn;
    ci.ec2_instance_id = "i-" + std::to_string(i);
    ci.status = "ACTIVE";
    ci.agent_connected = true;
    ci.version = 1;
    ci.attributes = {{"zone", i % 2 ? std::optional<std::string>("b") : std::optional<std::string>("a")}};
    return instances.emplace_back(ci);
  }

  void emit(aws::ecs::Task& t) {
    ++t.version;
    t.updated_at = *now;
    pending_events.push_back(t);
  }

  // ECS makes progress: pending tasks start (or crash), stopping ones stop.
  void step() {
    for (auto& [arn, t] : tasks) {
      if (t.last_status == "STOPPED") continue;
      if (t.desired_status == "STOPPED") {
        t.last_status = "STOPPED";
        t.stop_code = "UserInitiated";
        t.stopped_at = *now;
        emit(t);
      } else if (t.last_status == "PENDING") {
        if (bad_definitions.contains(std::string(policy::task_definition_name(t.task_definition_arn)))) {
          t.last_status = "STOPPED";
          t.desired_status = "STOPPED";
          t.stop_code = "EssentialContainerExited";
          aws::ecs::Container c;
          c.exit_code = 1;
          t.containers = {c};
          t.stopped_at = *now;
        } else {
          t.last_status = "RUNNING";
          t.started_at = *now;
          if (health_checked.contains(std::string(policy::task_definition_name(t.task_definition_arn))))
            t.health_status = "UNKNOWN";
        }
        emit(t);
      } else if (t.last_status == "RUNNING" && healthy && t.health_status == "UNKNOWN") {
        t.health_status = "HEALTHY";
        emit(t);
      }
    }
  }

  std::size_t live_on(const std::string& instance, const std::string& td = "") const {
    std::size_t n = 0;
    for (auto& [arn, t] : tasks)
      if (t.container_instance_arn == instance && t.last_status != "STOPPED" && (td.empty() || policy::task_definition_name(t.task_definition_arn) == td))
        ++n;
    return n;
  }

  asio::awaitable<EcsResult<StartTaskResult>> start_task(StartTaskRequest r) override {
    ++start_calls;
    if (next_start_fails_unknown) {
      next_start_fails_unknown = false;
      co_return EcsError{EcsError::Kind::unknown, "ServerException", "service unavailable"};
    }
    EXPECT_LE(r.container_instances.size(), 10u);
    EXPECT_LE(r.started_by.size(), 36u);
    StartTaskResult out;
    for (auto& i : r.container_instances) {
      aws::ecs::Task t;
      t.task_arn = "arn:aws:ecs:us-east-1:1:task/c/" + std::to_string(tasks.size() + 1);
      t.cluster_arn = cluster_arn;
      t.container_instance_arn = i;
      // Like ECS: the full ARN, whatever form the request used.
      t.task_definition_arn = "arn:aws:ecs:us-east-1:1:task-definition/" + r.task_definition;
      t.last_status = "PENDING";
      t.desired_status = "RUNNING";
      t.started_by = r.started_by;
      t.group = r.group;
      t.version = 1;
      tasks[t.task_arn] = t;
      pending_events.push_back(t);  // ECS also sends an event for the launch (delivered later)
      out.tasks.push_back(t);
    }
    if (next_start_times_out) {
      next_start_times_out = false;
      co_return EcsError{EcsError::Kind::unknown, "RequestTimeout", "timed out"};
    }
    co_return out;
  }
  // Daemons never use RunTask (berth picks the instance); the executor's RunTask path is tested against the sim.
  asio::awaitable<EcsResult<RunTaskResult>> run_task(RunTaskRequest) override {
    ADD_FAILURE() << "the daemon reconciler called RunTask";
    co_return EcsError{EcsError::Kind::rejected, "NotUsed", "RunTask is not used by daemons"};
  }
  asio::awaitable<EcsResult<aws::ecs::Task>> stop_task(std::string, std::string arn, std::string) override {
    ++stop_calls;
    auto it = tasks.find(arn);
    if (it == tasks.end()) co_return EcsError{EcsError::Kind::rejected, "InvalidParameterException", "no task"};
    it->second.desired_status = "STOPPED";
    it->second.version++;
    co_return it->second;
  }
  asio::awaitable<EcsResult<ArnPage>> list_container_instances(std::string, std::string) override { co_return ArnPage{}; }
  asio::awaitable<EcsResult<ArnPage>> list_tasks(std::string, std::string instance, std::string) override {
    ++list_task_calls;
    if (reads_fail) co_return EcsError{EcsError::Kind::unknown, "ServerException", "service unavailable"};
    ArnPage page;
    for (auto& [arn, t] : tasks)
      if (t.desired_status != "STOPPED" && (instance.empty() || t.container_instance_arn == instance))
        page.arns.push_back(arn);
    co_return page;
  }
  asio::awaitable<EcsResult<Described<aws::ecs::ContainerInstance>>> describe_container_instances(
      std::string, std::vector<std::string>) override {
    co_return Described<aws::ecs::ContainerInstance>{};
  }
  asio::awaitable<EcsResult<Described<aws::ecs::Task>>> describe_tasks(std::string,
                                                                       std::vector<std::string> arns) override {
    if (reads_fail) co_return EcsError{EcsError::Kind::unknown, "ServerException", "service unavailable"};
    Described<aws::ecs::Task> out;
    for (auto& arn : arns)
      if (auto it = tasks.find(arn); it != tasks.end()) out.items.push_back(it->second);
    co_return out;
  }
  int describe_definition_calls = 0;
  asio::awaitable<EcsResult<TaskDefinitionInfo>> describe_task_definition(std::string td) override {
    ++describe_definition_calls;
    TaskDefinitionInfo info;
    info.arn = "arn:aws:ecs:us-east-1:1:task-definition/" + td;
    info.has_health_check = health_checked.contains(td);
    co_return info;
  }
};

class FakeState : public DesiredStateAccess {
 public:
  std::map<std::string, policy::Environment> envs;
  std::map<std::string, policy::Deployment> deployments;
  int deployment_saves = 0;
  asio::awaitable<store::StoreResult<std::optional<policy::Environment>>> environment(const std::string& n) override {
    auto it = envs.find(n);
    co_return it == envs.end() ? std::nullopt : std::optional(it->second);
  }
  asio::awaitable<store::StoreResult<std::optional<policy::Deployment>>> deployment(const std::string& id) override {
    auto it = deployments.find(id);
    co_return it == deployments.end() ? std::nullopt : std::optional(it->second);
  }
  asio::awaitable<void> save_deployment(policy::Deployment& d) override {
    ++deployment_saves;
    deployments[d.id] = d;
    co_return;
  }
  asio::awaitable<void> confirm_environment_stored(const policy::Environment& e) override {
    envs[e.name] = e;
    co_return;
  }
};

struct Harness {
  asio::io_context io;
  SystemTime now = SystemTime{} + std::chrono::hours(24 * 365 * 50);
  FakeEcs ecs;
  FakeState state;
  ClusterModel model{"c"};
  metrics::Registry registry;
  Executor executor{ecs, [this] { return now; }, registry};
  TaskDefinitionCache definitions{ecs, [this] { return now; }};
  Reconciler reconciler;

  explicit Harness(ReconcilerSettings settings = {})
      : reconciler{ecs, definitions, executor, state, [this](const std::string& c) { return c == "c" ? &model : nullptr; },
                   [this] { return now; }, registry, settings} {
    ecs.now = &now;
  }

  void add_instances(int n) {
    for (int i = 0; i < n; ++i) model.apply_instance(ecs.add_instance(i), now);
  }
  policy::Environment& env(std::string td = "agent:1") {
    auto& e = state.envs["agent"];
    e.name = "agent";
    e.cluster = "c";
    e.task_definition = std::move(td);
    e.rollout.min_healthy = 5s;
    return e;
  }
  SyncOutcome sync() {
    auto f = asio::co_spawn(io, reconciler.sync("agent"), asio::use_future);
    io.restart();
    io.run();
    return f.get();
  }
  void deliver_events() {
    for (auto& e : ecs.pending_events) model.apply_task(e, now);
    ecs.pending_events.clear();
  }
  // Sync, let ECS progress, deliver events, advance time; until idle.
  int converge(int max_rounds = 100) {
    for (int round = 0; round < max_rounds; ++round) {
      auto out = sync();
      ecs.step();
      deliver_events();
      now += 3s;
      if (out.started == 0 && out.stopped == 0 && !out.requeue && ecs.pending_events.empty() &&
          state.envs["agent"].active_deployment_id.empty() && round > 0) {
        // One more quiet round to be sure.
        auto again = sync();
        if (again.started == 0 && again.stopped == 0) return round;
      }
    }
    return -1;
  }
};

TEST(Reconciler, TwoHundredInstancesGetExactlyOneTaskWithMinimalCalls) {
  Harness h;
  h.add_instances(200);
  h.env();
  auto out = h.sync();
  EXPECT_TRUE(out.success);
  EXPECT_EQ(out.started, 200u);
  EXPECT_EQ(h.ecs.start_calls, 20);  // ceil(200 / 10)
  // Sync again before any event arrived: expectations prevent a second launch.
  h.sync();
  EXPECT_EQ(h.ecs.start_calls, 20);
  ASSERT_GE(h.converge(), 0);
  for (int i = 0; i < 200; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), 1u) << i;
  EXPECT_EQ(h.ecs.start_calls, 20);
  // Steady state: no ECS calls.
  int calls = h.ecs.start_calls + h.ecs.stop_calls;
  h.sync();
  h.sync();
  EXPECT_EQ(h.ecs.start_calls + h.ecs.stop_calls, calls);
}

TEST(Reconciler, KilledTaskIsReplacedAndLateEventsDoNotDuplicate) {
  Harness h;
  h.add_instances(3);
  h.env();
  ASSERT_GE(h.converge(), 0);
  // Someone stops a task with StopTask (UserInitiated): replaced at once.
  auto victim = std::find_if(h.ecs.tasks.begin(), h.ecs.tasks.end(), [](auto& kv) {
                  return kv.second.container_instance_arn == inst_arn(1);
                })->second;
  victim.last_status = "STOPPED";
  victim.desired_status = "STOPPED";
  victim.stop_code = "UserInitiated";
  victim.version += 5;
  h.ecs.tasks[victim.task_arn] = victim;
  h.model.apply_task(victim, h.now);
  auto out = h.sync();
  EXPECT_EQ(out.started, 1u);
  // The old RUNNING event arrives late: ignored by version, no resurrection, no extra launch.
  auto stale = victim;
  stale.last_status = "RUNNING";
  stale.version -= 3;
  h.model.apply_task(stale, h.now);
  EXPECT_EQ(h.sync().started, 0u);
  ASSERT_GE(h.converge(), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), 1u);
}

TEST(Reconciler, TimeoutLeavesLaunchInDoubtNoDuplicate) {
  Harness h;
  h.add_instances(2);
  h.env();
  h.ecs.next_start_times_out = true;  // ECS launched them, but berth never heard back
  auto out = h.sync();
  EXPECT_FALSE(out.success);
  EXPECT_EQ(h.ecs.start_calls, 1);
  h.sync();
  EXPECT_EQ(h.ecs.start_calls, 1) << "launch in doubt must not be repeated";
  ASSERT_GE(h.converge(), 0);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), 1u);
}

// The launch happened but its events never come: the doubt check finds the tasks, nothing is relaunched.
TEST(Reconciler, LaunchDoubtCheckFindsTasksTheLostResponseLaunched) {
  Harness h;
  h.add_instances(3);
  h.env();
  h.ecs.next_start_times_out = true;
  EXPECT_FALSE(h.sync().success);
  h.ecs.pending_events.clear();  // the events are lost too
  h.now += 5s;
  h.sync();
  EXPECT_EQ(h.ecs.list_task_calls, 0) << "not checked before check_after";
  h.now += 6s;
  auto out = h.sync();
  EXPECT_EQ(h.ecs.list_task_calls, 3);  // one per instance in doubt
  EXPECT_EQ(out.started, 0u);
  EXPECT_EQ(h.ecs.start_calls, 1);
  EXPECT_EQ(h.reconciler.stats().doubts_found, 3u);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(h.model.in_doubt(inst_arn(i), policy::encode_started_by(policy::WorkloadKey::daemon("agent"))));
  ASSERT_GE(h.converge(), 0);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), 1u);
  EXPECT_EQ(h.ecs.start_calls, 1);
}

// The 5xx came before anything was launched: the check finds nothing and the instances get their task
// ~check_after later, not after the doubt's two-minute expiry.
TEST(Reconciler, LaunchDoubtCheckFreesInstancesWhenNothingWasLaunched) {
  ReconcilerSettings settings;
  settings.launch_doubt.check_after = 10s;
  settings.launch_doubt.expire_after = 120s;
  Harness h(settings);
  h.add_instances(2);
  h.env();
  h.ecs.next_start_fails_unknown = true;
  auto out = h.sync();
  EXPECT_FALSE(out.success);
  ASSERT_TRUE(out.wake_at);
  EXPECT_LE(*out.wake_at, h.now + 11s) << "the plan must wake for the check";
  h.now += 10s;
  out = h.sync();
  EXPECT_EQ(h.reconciler.stats().doubts_cleared, 2u);
  EXPECT_EQ(out.started, 2u);
  EXPECT_EQ(h.ecs.start_calls, 2);
  ASSERT_GE(h.converge(), 0);
  for (int i = 0; i < 2; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), 1u);
}

// ECS cannot be asked: the doubt stands (no launch) and the check is retried later.
TEST(Reconciler, LaunchDoubtCheckFailureKeepsTheDoubt) {
  Harness h;
  h.add_instances(1);
  h.env();
  h.ecs.next_start_times_out = true;
  h.sync();
  h.ecs.pending_events.clear();
  h.ecs.reads_fail = true;
  h.now += 10s;
  auto out = h.sync();
  EXPECT_EQ(h.ecs.list_task_calls, 1);
  EXPECT_EQ(out.started, 0u);
  EXPECT_EQ(h.ecs.start_calls, 1);
  ASSERT_TRUE(out.wake_at);
  EXPECT_GT(*out.wake_at, h.now) << "checked again later, not in a loop";
  h.sync();
  EXPECT_EQ(h.ecs.list_task_calls, 1) << "postponed";
  h.ecs.reads_fail = false;
  h.now += 10s;
  h.sync();
  EXPECT_EQ(h.reconciler.stats().doubts_found, 1u);
  EXPECT_EQ(h.ecs.start_calls, 1);
  EXPECT_EQ(h.ecs.live_on(inst_arn(0)), 1u);
}

TEST(Reconciler, RolloutRespectsMaxUnavailableAndCompletes) {
  Harness h;
  h.add_instances(10);
  h.env("agent:1");
  ASSERT_GE(h.converge(), 0);
  auto& env = h.env("agent:2");
  env.rollout.max_unavailable = "2";
  env.active_deployment_id = "d1";
  policy::Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = "agent:2";
  d.previous_task_definition = "agent:1";
  d.created_at = h.now;
  h.state.deployments["d1"] = d;
  std::size_t max_unavailable_seen = 0;
  for (int round = 0; round < 200 && !h.state.envs["agent"].active_deployment_id.empty(); ++round) {
    h.sync();
    std::size_t unavailable = 0;
    for (int i = 0; i < 10; ++i) {
      EXPECT_LE(h.ecs.live_on(inst_arn(i)), 1u);
      bool ok = false;
      for (auto& [arn, t] : h.ecs.tasks)
        if (t.container_instance_arn == inst_arn(i) && t.last_status == "RUNNING" && t.desired_status == "RUNNING")
          ok = true;
      if (!ok) ++unavailable;
    }
    max_unavailable_seen = std::max(max_unavailable_seen, unavailable);
    h.ecs.step();
    h.deliver_events();
    h.now += 3s;
  }
  EXPECT_EQ(h.state.deployments["d1"].status, policy::DeploymentStatus::completed);
  EXPECT_EQ(h.state.deployments["d1"].updated_count, 10u);
  EXPECT_LE(max_unavailable_seen, 2u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i), "agent:2"), 1u);
}

TEST(Reconciler, BadRevisionRollsBack) {
  Harness h;
  h.add_instances(4);
  h.env("agent:1");
  ASSERT_GE(h.converge(), 0);
  h.ecs.bad_definitions.insert("agent:bad");
  auto& env = h.env("agent:bad");
  env.active_deployment_id = "d1";
  env.rollout.max_failures = 2;
  policy::Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = "agent:bad";
  d.previous_task_definition = "agent:1";
  d.created_at = h.now;
  h.state.deployments["d1"] = d;
  for (int round = 0; round < 300; ++round) {
    h.sync();
    h.ecs.step();
    h.deliver_events();
    h.now += 3s;
  }
  EXPECT_EQ(h.state.deployments["d1"].status, policy::DeploymentStatus::rolled_back);
  EXPECT_GE(h.state.deployments["d1"].failed_count, 2u);
  EXPECT_EQ(h.state.envs["agent"].task_definition, "agent:1");
  EXPECT_EQ(h.reconciler.stats().rollbacks, 1u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i), "agent:1"), 1u) << i;
  // Crash loops backed off: far fewer launches of the bad revision than sync rounds.
  int bad_launches = 0;
  for (auto& [arn, t] : h.ecs.tasks) bad_launches += policy::task_definition_name(t.task_definition_arn) == "agent:bad";
  EXPECT_LE(bad_launches, 4);
}

TEST(Reconciler, RestartMidRolloutFinishesWithoutDuplicates) {
  auto h = std::make_unique<Harness>();
  h->add_instances(6);
  h->env("agent:1");
  ASSERT_GE(h->converge(), 0);
  auto& env = h->env("agent:2");
  env.active_deployment_id = "d1";
  policy::Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = "agent:2";
  d.previous_task_definition = "agent:1";
  d.created_at = h->now;
  h->state.deployments["d1"] = d;
  for (int round = 0; round < 4; ++round) {  // part of the way
    h->sync();
    h->ecs.step();
    h->deliver_events();
    h->now += 3s;
  }
  ASSERT_EQ(h->state.deployments["d1"].status, policy::DeploymentStatus::running);
  // Restart: a fresh model bootstrapped from ECS (Describe shapes), a fresh reconciler; events that
  // were in flight are delivered late, after the bootstrap.
  auto in_flight = h->ecs.pending_events;
  h->ecs.pending_events.clear();
  ClusterModel fresh("c");
  fresh.reconcile_instances(h->ecs.instances, h->now, h->now);
  std::vector<aws::ecs::Task> live;
  for (auto& [arn, t] : h->ecs.tasks)
    if (t.last_status != "STOPPED") live.push_back(t);
  fresh.reconcile_tasks(live, h->now, h->now);
  h->model = std::move(fresh);
  metrics::Registry restarted_registry;
  Executor restarted_executor{h->ecs, [&] { return h->now; }, restarted_registry};
  TaskDefinitionCache restarted_definitions{h->ecs, [&] { return h->now; }};
  Reconciler restarted{h->ecs, restarted_definitions, restarted_executor, h->state, [&](const std::string&) { return &h->model; }, [&] { return h->now; }, restarted_registry};
  for (auto& e : in_flight) h->model.apply_task(e, h->now);
  for (int round = 0; round < 100 && !h->state.envs["agent"].active_deployment_id.empty(); ++round) {
    auto f = asio::co_spawn(h->io, restarted.sync("agent"), asio::use_future);
    h->io.restart();
    h->io.run();
    f.get();
    for (int i = 0; i < 6; ++i) ASSERT_LE(h->ecs.live_on(inst_arn(i)), 1u) << "duplicate on instance " << i;
    h->ecs.step();
    h->deliver_events();
    h->now += 3s;
  }
  EXPECT_EQ(h->state.deployments["d1"].status, policy::DeploymentStatus::completed);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(h->ecs.live_on(inst_arn(i), "agent:2"), 1u);
  // Exactly one launch per instance for the rollout: 6 initial + 6 replacements.
  EXPECT_EQ(h->ecs.tasks.size(), 12u);
}

TEST(Reconciler, DeclaredHealthCheckGatesRolloutUntilHealthy) {
  Harness h;
  h.add_instances(2);
  h.env("agent:1");
  ASSERT_GE(h.converge(), 0);
  h.ecs.health_checked.insert("agent:2");
  auto& env = h.env("agent:2");
  env.active_deployment_id = "d1";
  env.rollout.deadline = 0s;
  policy::Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = "agent:2";
  d.previous_task_definition = "agent:1";
  d.created_at = h.now;
  h.state.deployments["d1"] = d;
  auto rounds = [&](int n) {
    for (int round = 0; round < n; ++round) {
      h.sync();
      h.ecs.step();
      h.deliver_events();
      h.now += 3s;
    }
  };
  rounds(30);
  // ECS says UNKNOWN (first check pending): the first new task never becomes available, so with
  // maxUnavailable 1 the second instance keeps its old task.
  EXPECT_EQ(h.state.deployments["d1"].status, policy::DeploymentStatus::running);
  EXPECT_EQ(h.ecs.live_on(inst_arn(0), "agent:1") + h.ecs.live_on(inst_arn(1), "agent:1"), 1u);
  h.ecs.healthy = true;
  rounds(30);
  EXPECT_EQ(h.state.deployments["d1"].status, policy::DeploymentStatus::completed);
  EXPECT_EQ(h.ecs.describe_definition_calls, 2);  // agent:1 and agent:2, each once
}

// Initial placement of 200 instances under a deployment: the tasks become RUNNING 20 ms apart
// (over 4 s), so their health gates (min_healthy 5 s) expire 20 ms apart. Driven only by wake_at
// (as the WorkQueue does), the deployment must complete in about one re-plan and one deployment
// save per second of expiries, not one per task.
struct GateStormCounts {
  int syncs = 0, saves = 0, idle_saves = 0;
  policy::DeploymentStatus status{};
  std::uint32_t updated = 0;
};

GateStormCounts run_health_gate_storm(ReconcilerSettings settings) {
  Harness h(settings);
  h.add_instances(200);
  auto& env = h.env("agent:1");
  env.active_deployment_id = "d1";
  policy::Deployment d;
  d.id = "d1";
  d.environment = "agent";
  d.task_definition = "agent:1";
  d.created_at = h.now;
  h.state.deployments["d1"] = d;
  EXPECT_EQ(h.sync().started, 200u);
  for (auto& [arn, t] : h.ecs.tasks) {
    t.last_status = "RUNNING";
    t.started_at = h.now;
    ++t.version;
    h.model.apply_task(t, h.now);
    h.now += 20ms;
  }
  h.ecs.pending_events.clear();
  GateStormCounts c;
  const int saves_before = h.state.deployment_saves;
  auto out = h.sync();
  c.syncs = 1;
  for (int i = 0; i < 1000 && out.wake_at && !h.state.envs["agent"].active_deployment_id.empty(); ++i) {
    h.now = std::max(h.now, *out.wake_at);
    out = h.sync();
    ++c.syncs;
    // Nothing changed since that sync: re-planning at the same instant must not save again.
    const int saves = h.state.deployment_saves;
    h.sync();
    c.idle_saves += h.state.deployment_saves - saves;
  }
  c.saves = h.state.deployment_saves - saves_before;
  c.status = h.state.deployments["d1"].status;
  c.updated = h.state.deployments["d1"].updated_count;
  return c;
}

TEST(Reconciler, HealthGateWakeUpsCoalesce) {
  auto c = run_health_gate_storm({});  // default: 1 s wake granularity
  EXPECT_EQ(c.status, policy::DeploymentStatus::completed);
  EXPECT_EQ(c.updated, 200u);
  EXPECT_EQ(c.idle_saves, 0);
  // Expiries span 4 s: ~5 wake-driven syncs (plus the idle checks, not counted).
  EXPECT_LE(c.syncs, 7);
  EXPECT_LE(c.saves, 7);

  // Without rounding every expiry is its own wake: one plan and one save per task.
  ReconcilerSettings exact;
  exact.wake_granularity = std::chrono::milliseconds{0};
  auto e = run_health_gate_storm(exact);
  EXPECT_EQ(e.status, policy::DeploymentStatus::completed);
  ::testing::Test::RecordProperty("syncs_coalesced", c.syncs);
  ::testing::Test::RecordProperty("saves_coalesced", c.saves);
  ::testing::Test::RecordProperty("syncs_exact", e.syncs);
  ::testing::Test::RecordProperty("saves_exact", e.saves);
  EXPECT_GE(e.syncs, 150);
  EXPECT_GE(e.saves, 150);
}

// Events duplicated, reordered, delayed and lost; the audit repairs what was lost. Invariants: never
// two live tasks on an instance; converges to exactly one task of the target revision everywhere.
TEST(ReconcilerProperty, ChaoticEventDeliveryConverges) {
  for (std::uint32_t seed = 1; seed <= 12; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    Harness h;
    h.add_instances(15);
    h.env("agent:1");
    std::vector<aws::ecs::Task> delayed;
    auto chaotic_delivery = [&] {
      auto events = std::move(h.ecs.pending_events);
      h.ecs.pending_events.clear();
      for (auto& e : delayed) events.push_back(e);
      delayed.clear();
      std::vector<aws::ecs::Task> now_events;
      for (auto& e : events) {
        auto dice = rng() % 10;
        if (dice == 0) continue;                                  // lost
        if (dice == 1) { delayed.push_back(e); continue; }       // late
        if (dice == 2) now_events.push_back(e);                  // duplicated
        now_events.push_back(e);
      }
      std::shuffle(now_events.begin(), now_events.end(), rng);  // reordered
      for (auto& e : now_events) h.model.apply_task(e, h.now);
    };
    auto audit = [&] {
      std::vector<aws::ecs::Task> live;
      for (auto& [arn, t] : h.ecs.tasks)
        if (t.last_status != "STOPPED") live.push_back(t);
      h.model.reconcile_tasks(live, h.now, h.now);
    };
    auto check = [&] {
      for (int i = 0; i < 15; ++i) ASSERT_LE(h.ecs.live_on(inst_arn(i)), 1u) << "instance " << i;
    };
    for (int round = 0; round < 60; ++round) {
      if (round == 20) {  // a rollout in the middle of the chaos, and a killed task
        auto& env = h.env("agent:2");
        env.rollout.max_unavailable = "3";
        for (auto& [arn, t] : h.ecs.tasks)
          if (t.container_instance_arn == inst_arn(4) && t.last_status == "RUNNING") {
            t.last_status = "STOPPED";
            t.desired_status = "STOPPED";
            t.stop_code = "UserInitiated";
            h.ecs.emit(t);
          }
      }
      h.sync();
      check();
      h.ecs.step();
      chaotic_delivery();
      if (round % 10 == 9) audit();
      h.now += 3s;
    }
    // Calm: everything delivered, one audit, then converge.
    for (auto& e : delayed) h.model.apply_task(e, h.now);
    audit();
    ASSERT_GE(h.converge(), 0);
    for (int i = 0; i < 15; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i), "agent:2"), 1u) << i;
    for (int i = 0; i < 15; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), 1u) << i;
  }
}

TEST(Reconciler, LateInstancesDrainingAndConstraints) {
  Harness h;
  h.add_instances(6);  // zones alternate a, b
  auto& env = h.env();
  env.constraint = "attribute:zone == a";
  ASSERT_GE(h.converge(), 0);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(h.ecs.live_on(inst_arn(i)), i % 2 ? 0u : 1u) << i;
  // Instances that join later get theirs; a draining one gets none.
  auto late = h.ecs.add_instance(6);
  h.model.apply_instance(late, h.now);
  auto drained = h.ecs.add_instance(8);
  drained.status = "DRAINING";
  h.model.apply_instance(drained, h.now);
  ASSERT_GE(h.converge(), 0);
  EXPECT_EQ(h.ecs.live_on(inst_arn(6)), 1u);
  EXPECT_EQ(h.ecs.live_on(inst_arn(8)), 0u);
  // The constraint widens: zone b instances get tasks; then narrows: zone a tasks are stopped.
  h.env().constraint = "attribute:zone in [a, b]";
  ASSERT_GE(h.converge(), 0);
  EXPECT_EQ(h.ecs.live_on(inst_arn(1)), 1u);
  h.env().constraint = "attribute:zone == b";
  ASSERT_GE(h.converge(), 0);
  EXPECT_EQ(h.ecs.live_on(inst_arn(0)), 0u);
  EXPECT_EQ(h.ecs.live_on(inst_arn(1)), 1u);
}

TEST(Reconciler, DeletedEnvironmentTasksAreStopped) {
  Harness h;
  h.add_instances(3);
  h.env();
  ASSERT_GE(h.converge(), 0);
  h.state.envs.clear();
  auto f = asio::co_spawn(h.io, h.reconciler.sync_removed("agent", "c"), asio::use_future);
  h.io.restart();
  h.io.run();
  EXPECT_EQ(f.get().stopped, 3u);
}

}  // namespace
}  // namespace berth::reactor
