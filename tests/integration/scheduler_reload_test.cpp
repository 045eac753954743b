// File: tests/integration/scheduler_reload_test.cpp — the scheduler component in-process against berth-sim:
// a reload that adds one cluster and removes another starts and cancels their loops, and a shutdown after
// that still drains. Runs in the ASan/UBSan build too (the e2e suites, which cover the same through a
// berth process, do not), so the cancellation of retired loops is checked for memory errors.
#include "config/config.hpp"
#include "reactor/scheduler_component.hpp"
#include "sim_calls.hpp"
#include "sim_process.hpp"
#include "store/sqlite_desired_state_store.hpp"
#include "temp_dir.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>

namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using berth::reactor::Scheduler;

berth::config::ClusterConfig cluster(const std::string& name, const berth::sim::SimProcess& sim) {
  berth::config::ClusterConfig c;
  c.name = name;
  c.queue_url = sim.queue_url();
  return c;
}

// berth's config for the sim's endpoint and credentials (clusters are added by each test).
berth::config::Config sim_config(const berth::sim::SimProcess& sim) {
  berth::config::Config cfg;
  cfg.aws.region = "us-east-1";
  cfg.aws.endpoint = sim.endpoint();
  cfg.aws.credentials.source = berth::config::CredentialsSource::static_keys;
  cfg.aws.credentials.access_key_id = berth::testing::sim_access_key;
  cfg.aws.credentials.secret_access_key = berth::testing::sim_secret_key;
  return cfg;
}

// Runs the loop until `done` holds (checked every 50 ms of loop time) or `limit` passes.
bool run_until(asio::io_context& io, const std::function<bool()>& done, std::chrono::seconds limit = 30s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    io.restart();
    io.run_for(50ms);
  }
  return done();
}

bool ready(const Scheduler& s, const std::string& name) {
  auto stats = s.stats_json();
  const auto* c = stats.at("clusters").as_object().if_contains(name);
  return c != nullptr && c->as_object().at("ready").as_bool();
}

bool listed(const Scheduler& s, const std::string& name) {
  return s.stats_json().at("clusters").as_object().contains(name);
}

TEST(SchedulerReload, ClustersAddedAndRemovedStartAndCancelTheirLoops) {
  berth::sim::SimProcess sim({"--cluster", "default", "--cluster", "other", "--instances", "2"});
  berth::config::Config cfg = sim_config(sim);
  cfg.clusters = {cluster("default", sim)};
  asio::io_context io;
  auto store = berth::store::SqliteDesiredStateStore::open(io.get_executor(), ":memory:");
  ASSERT_TRUE(store);
  auto scheduler = std::make_shared<Scheduler>(io, cfg, **store);
  bool finished = false;
  asio::co_spawn(io, scheduler->run(), [&](std::exception_ptr) { finished = true; });
  ASSERT_TRUE(run_until(io, [&] { return ready(*scheduler, "default"); }));

  auto next = cfg;
  next.clusters = {cluster("other", sim)};
  scheduler->apply_config(next, berth::config::diff(cfg, next));
  EXPECT_FALSE(listed(*scheduler, "default")) << "a removed cluster is no longer looked up";
  ASSERT_TRUE(run_until(io, [&] { return ready(*scheduler, "other"); }));
  EXPECT_EQ(scheduler->stats_json().at("clusters").as_object().size(), 1u);

  // Back again: a fresh runtime, bootstrapped anew (the retired one is never reused).
  scheduler->apply_config(cfg, berth::config::diff(next, cfg));
  ASSERT_TRUE(run_until(io, [&] { return ready(*scheduler, "default"); }));
  EXPECT_FALSE(listed(*scheduler, "other"));

  scheduler->stop();
  EXPECT_TRUE(run_until(io, [&] { return finished; })) << "run() did not return after stop()";
}

// Another process sharing the store (an HA peer, a second berth on the same file) creates an environment: the
// scheduler learns it from the store's change feed alone (no API call in this process) and schedules it.
TEST(SchedulerChangeFeed, AnEnvironmentWrittenByAnotherProcessIsScheduled) {
  berth::sim::SimProcess sim({"--cluster", "default", "--instances", "2", "--task-start-ms", "10"});
  const std::string td = berth::testing::register_task_definition(sim, "peer");
  berth::config::Config cfg = sim_config(sim);
  cfg.clusters = {cluster("default", sim)};
  berth::testing::TempDir dir("berth-feed");
  const std::string path = (dir.path() / "berth.db").string();
  asio::io_context io;
  berth::store::SqliteWatchOptions watch;
  watch.poll_interval = 50ms;
  auto store = berth::store::SqliteDesiredStateStore::open(io.get_executor(), path, {}, watch);
  ASSERT_TRUE(store);
  Scheduler scheduler(io, cfg, **store);
  bool finished = false;
  asio::co_spawn(io, scheduler.run(), [&](std::exception_ptr) { finished = true; });
  ASSERT_TRUE(run_until(io, [&] { return ready(scheduler, "default"); }));

  auto peer = berth::store::SqliteStore::open(path);
  ASSERT_TRUE(peer);
  berth::policy::Environment env;
  env.name = "peer";
  env.cluster = "default";
  env.task_definition = td;
  env.created_at = env.updated_at = std::chrono::system_clock::now();
  berth::policy::Deployment first;
  first.id = "d-peer-1";
  first.environment = "peer";
  first.task_definition = td;
  first.created_at = env.created_at;
  ASSERT_TRUE((*peer)->create_environment_with_deployment(env, first));

  const auto started = [&] {
    return scheduler.stats_json().at("reconcile").as_object().at("tasks_started").to_number<std::uint64_t>();
  };
  EXPECT_TRUE(run_until(io, [&] { return started() == 2; })) << "tasks started: " << started();
  scheduler.stop();
  EXPECT_TRUE(run_until(io, [&] { return finished; })) << "run() did not return after stop()";
}

// A replica service written by another process is placed and started: /v1/stats counts its syncs and tasks
// under reconcile.by_kind.service, and the daemon's keys (top level and by_kind.daemon) stay at zero.
TEST(SchedulerStats, ServiceSyncsAndTasksAreCountedUnderTheirKind) {
  berth::sim::SimProcess sim({"--cluster", "default", "--instances", "2", "--task-start-ms", "10"});
  const std::string td = berth::testing::register_task_definition(sim, "web");
  berth::config::Config cfg = sim_config(sim);
  cfg.clusters = {cluster("default", sim)};
  berth::testing::TempDir dir("berth-stats");
  const std::string path = (dir.path() / "berth.db").string();
  asio::io_context io;
  berth::store::SqliteWatchOptions watch;
  watch.poll_interval = 50ms;
  auto store = berth::store::SqliteDesiredStateStore::open(io.get_executor(), path, {}, watch);
  ASSERT_TRUE(store);
  Scheduler scheduler(io, cfg, **store);
  bool finished = false;
  asio::co_spawn(io, scheduler.run(), [&](std::exception_ptr) { finished = true; });
  ASSERT_TRUE(run_until(io, [&] { return ready(scheduler, "default"); }));

  auto peer = berth::store::SqliteStore::open(path);
  ASSERT_TRUE(peer);
  berth::policy::Service service;
  service.spec.name = "web";
  service.spec.cluster = "default";
  service.spec.task_definition = td;
  service.spec.desired_count = 3;
  service.spec.deployment.min_healthy_seconds = 0;
  service.created_at = service.updated_at = std::chrono::system_clock::now();
  berth::policy::Deployment first;
  first.id = "s-peer-1";
  first.environment = "web";
  first.created_at = service.created_at;
  ASSERT_TRUE((*peer)->create_service(service, first));

  const auto by_kind = [&](const char* kind, const char* key) {
    return scheduler.stats_json().at("reconcile").at("by_kind").at(kind).at(key).to_number<std::uint64_t>();
  };
  EXPECT_TRUE(run_until(io, [&] { return by_kind("service", "tasks_started") == 3; }))
      << "service tasks started: " << by_kind("service", "tasks_started");
  EXPECT_TRUE(run_until(io, [&] { return by_kind("service", "deployments_completed") == 1; }))
      << "deployments completed: " << by_kind("service", "deployments_completed");
  EXPECT_GE(by_kind("service", "syncs"), 1u);
  EXPECT_GE(by_kind("service", "marked_dirty"), 1u);
  EXPECT_EQ(by_kind("service", "tasks_stopped"), 0u);
  EXPECT_EQ(by_kind("service", "failures"), 0u);
  const auto stats = scheduler.stats_json();
  EXPECT_EQ(stats.at("reconcile").at("tasks_started").to_number<std::uint64_t>(), 0u) << "the daemon's key";
  EXPECT_EQ(by_kind("daemon", "tasks_started"), 0u);
  EXPECT_GE(stats.at("reconcile").at("start_calls").to_number<std::uint64_t>(), 1u) << "the executor's, every kind's";
  scheduler.stop();
  EXPECT_TRUE(run_until(io, [&] { return finished; })) << "run() did not return after stop()";
}

// /v1/stats is rendered from the metrics registry: its keys are exactly those it had before the registry
// ("plans", reconcile.queue_depth and reconcile.by_kind are the only additions).
TEST(SchedulerStats, JsonKeysAreUnchanged) {
  berth::sim::SimProcess sim({"--cluster", "default", "--instances", "1"});
  berth::config::Config cfg = sim_config(sim);
  cfg.clusters = {cluster("default", sim)};
  asio::io_context io;
  auto store = berth::store::SqliteDesiredStateStore::open(io.get_executor(), ":memory:");
  ASSERT_TRUE(store);
  Scheduler scheduler(io, cfg, **store);
  const auto stats = scheduler.stats_json();
  const auto keys = [](const boost::json::object& o) {
    std::vector<std::string> out;
    for (const auto& kv : o) out.emplace_back(kv.key());
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(keys(stats), (V{"ecs", "events", "audit", "reconcile", "launch_journal", "store", "environments",
                            "clusters", "plans"}));
  EXPECT_EQ(keys(stats.at("ecs").as_object()), (V{"calls", "calls_total", "errors", "throttled", "in_doubt", "protocol"}));
  EXPECT_EQ(keys(stats.at("ecs").at("protocol").as_object()),
            (V{"calls", "attempts", "retries", "throttled_responses", "client_throttle_waits", "budget_exhausted"}));
  EXPECT_EQ(keys(stats.at("events").as_object()), (V{"received", "applied", "stale", "duplicate", "ignored",
                                                     "unknown_cluster", "malformed", "messages_deleted",
                                                     "malformed_kept"}));
  EXPECT_EQ(keys(stats.at("audit").as_object()), (V{"drift"}));
  EXPECT_EQ(keys(stats.at("reconcile").as_object()),
            (V{"runs", "syncs", "failures", "marked_dirty", "start_calls", "stop_calls", "tasks_started", "tasks_stopped",
               "start_failures", "launches_in_doubt", "doubts_found", "doubts_cleared", "rollbacks", "ecs_errors",
               "queue_completed", "resumed_deployments", "queue_depth", "by_kind"}));
  EXPECT_EQ(keys(stats.at("reconcile").at("by_kind").as_object()), (V{"daemon", "service", "job"}));
  EXPECT_EQ(keys(stats.at("launch_journal").as_object()), (V{"written", "kept_in_doubt", "recovered"}));
  EXPECT_EQ(keys(stats.at("store").as_object()), (V{"deployment_updates", "deployments_finished", "errors"}));
  EXPECT_EQ(keys(stats.at("clusters").as_object()), (V{"default"}));
  EXPECT_EQ(keys(stats.at("clusters").at("default").as_object()),
            (V{"ready", "instances", "tasks", "live_tasks", "bootstrap_attempts", "receives", "receive_errors",
               "messages", "messages_deleted", "delete_failures", "malformed_kept", "audits", "audit_errors",
               "audit_drift", "audit_drift_instances", "audit_drift_tasks"}));
  EXPECT_FALSE(stats.at("clusters").at("default").at("ready").as_bool());
  EXPECT_EQ(stats.at("environments").as_uint64(), 0u);
  EXPECT_EQ(stats.at("ecs").at("calls_total").as_uint64(), 0u);
}

}  // namespace
