// File: tests/integration/stats_json_test.cpp — /v1/stats "reconcile" from the metrics registry: the daemon's keys
// as they always were, and "by_kind" with each controller's own counters (daemon, service, job).
#include "reactor/daemon_controller.hpp"
#include "reactor/job_controller.hpp"
#include "reactor/service_controller.hpp"
#include "reactor/stats_json.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace berth::reactor {
namespace {

namespace json = boost::json;

std::vector<std::string> keys(const json::object& o) {
  std::vector<std::string> out;
  for (const auto& kv : o) out.emplace_back(kv.key());
  return out;
}

TEST(StatsJson, ReconcileCountsEachKindApartAndKeepsTheDaemonsTopLevelKeys) {
  metrics::Registry registry;
  DaemonControllerStats daemon(registry);
  ServiceControllerStats service(registry);
  JobStats job(registry);
  daemon.runs += 2;
  daemon.tasks_started += 3;
  daemon.marked_dirty += 1;
  service.syncs += 7;
  service.failures += 1;
  service.tasks_started += 10;
  service.tasks_stopped += 4;
  service.start_failures += 2;
  service.marked_dirty += 5;
  service.deployments_completed += 1;
  service.rollbacks += 1;
  job.syncs += 9;
  job.runs_started += 4;
  job.runs_succeeded += 3;
  job.slots_missed += 2;
  job.run_calls += 5;

  const auto stats = render_stats_json(registry);
  const auto& reconcile = stats.at("reconcile").as_object();
  // The top-level keys stay the daemon's: a service's tasks do not change them.
  EXPECT_EQ(reconcile.at("runs").as_uint64(), 2u);
  EXPECT_EQ(reconcile.at("tasks_started").as_uint64(), 3u);
  EXPECT_EQ(reconcile.at("tasks_stopped").as_uint64(), 0u);
  EXPECT_EQ(reconcile.at("failures").as_uint64(), 0u);

  const auto& by_kind = reconcile.at("by_kind").as_object();
  using V = std::vector<std::string>;
  EXPECT_EQ(keys(by_kind), (V{"daemon", "service", "job"}));
  const auto& d = by_kind.at("daemon").as_object();
  EXPECT_EQ(keys(d), (V{"syncs", "failures", "tasks_started", "tasks_stopped", "start_failures", "marked_dirty",
                        "rollbacks", "resumed_deployments"}));
  EXPECT_EQ(d.at("syncs").as_uint64(), 2u);
  EXPECT_EQ(d.at("tasks_started").as_uint64(), 3u);
  EXPECT_EQ(d.at("marked_dirty").as_uint64(), 1u);

  const auto& s = by_kind.at("service").as_object();
  EXPECT_EQ(keys(s), (V{"syncs", "failures", "tasks_started", "tasks_stopped", "start_failures", "marked_dirty",
                        "rollbacks", "deployments_completed", "deployments_failed"}));
  EXPECT_EQ(s.at("syncs").as_uint64(), 7u);
  EXPECT_EQ(s.at("failures").as_uint64(), 1u);
  EXPECT_EQ(s.at("tasks_started").as_uint64(), 10u);
  EXPECT_EQ(s.at("tasks_stopped").as_uint64(), 4u);
  EXPECT_EQ(s.at("start_failures").as_uint64(), 2u);
  EXPECT_EQ(s.at("marked_dirty").as_uint64(), 5u);
  EXPECT_EQ(s.at("rollbacks").as_uint64(), 1u);
  EXPECT_EQ(s.at("deployments_completed").as_uint64(), 1u);
  EXPECT_EQ(s.at("deployments_failed").as_uint64(), 0u);

  const auto& j = by_kind.at("job").as_object();
  EXPECT_EQ(keys(j), (V{"syncs", "runs_started", "runs_skipped", "runs_succeeded", "runs_failed", "slots_missed",
                        "retries", "run_task_calls", "queue_depth_reads", "lost_tasks"}));
  EXPECT_EQ(j.at("syncs").as_uint64(), 9u);
  EXPECT_EQ(j.at("runs_started").as_uint64(), 4u);
  EXPECT_EQ(j.at("runs_succeeded").as_uint64(), 3u);
  EXPECT_EQ(j.at("runs_failed").as_uint64(), 0u);
  EXPECT_EQ(j.at("slots_missed").as_uint64(), 2u);
  EXPECT_EQ(j.at("run_task_calls").as_uint64(), 5u);
}

TEST(StatsJson, KindsWithoutSeriesYetReadZero) {
  metrics::Registry registry;  // no controller registered anything
  const auto stats = render_stats_json(registry);
  const auto& by_kind = stats.at("reconcile").at("by_kind").as_object();
  for (const auto* kind : {"daemon", "service", "job"})
    for (const auto& kv : by_kind.at(kind).as_object()) EXPECT_EQ(kv.value().as_uint64(), 0u) << kind << "." << kv.key();
}

}  // namespace
}  // namespace berth::reactor
