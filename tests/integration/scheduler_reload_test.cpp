// File: tests/integration/scheduler_reload_test.cpp — the scheduler component in-process against berth-sim:
// a reload that adds one cluster and removes another starts and cancels their loops, and a shutdown after
// that still drains. Runs in the ASan/UBSan build too (the e2e suites, which cover the same through a
// berth process, do not), so the cancellation of retired loops is checked for memory errors.
#include "config/config.hpp"
#include "reactor/scheduler_component.hpp"
#include "sim_process.hpp"
#include "store/sqlite_desired_state_store.hpp"

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
  berth::config::Config cfg;
  cfg.aws.region = "us-east-1";
  cfg.aws.endpoint = sim.endpoint();
  cfg.aws.credentials.source = berth::config::CredentialsSource::static_keys;
  cfg.aws.credentials.access_key_id = "AKIDEXAMPLE";
  cfg.aws.credentials.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
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

}  // namespace
