// File: tests/e2e/e2e_fixture.hpp — GoogleTest fixture shared by the e2e tests: owns one berth-sim and one
// berth per test, prints berth's log tail when a test fails, and wraps the API calls every test makes.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include <strings.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "e2e_harness.hpp"
#include "policy/ownership.hpp"

namespace berth::e2e {

// Calls `probe` in a background thread until stopped; the probe talks only to the sim's control API.
class Sampler {
 public:
  explicit Sampler(std::function<void()> probe) : probe_(std::move(probe)), thread_([this] { loop(); }) {}
  ~Sampler() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  std::size_t rounds() const { return rounds_; }

 private:
  void loop() {
    while (!stop_) {
      try {
        probe_();
        ++rounds_;
      } catch (const std::exception&) {
        // A slow or refused control call only loses one sample.
      }
      std::this_thread::sleep_for(40ms);
    }
  }
  std::function<void()> probe_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> rounds_{0};
  std::thread thread_;
};

// Plays a crash loop, since the sim has no per-revision failure switch: every live task of `task_definition`
// that ECS wants RUNNING exits 1 as soon as it shows up (EssentialContainerExited, like a real crash loop).
class CrashLoop {
 public:
  CrashLoop(const SimProcess& sim, std::string task_definition)
      : sampler_([this, &sim, td = std::move(task_definition)] {
          for (const auto& t : sim_view(sim).tasks)
            if (t.task_definition == td && t.live() && t.desired_status == "RUNNING") {
              sim.post("/_sim/tasks/fail", json::object{{"task", t.arn}, {"exit_code", 1}, {"reason", "bad revision"}});
              ++crashed_;
            }
        }) {}
  void stop() { sampler_.stop(); }
  int crashed() const { return crashed_; }

 private:
  std::atomic<int> crashed_{0};
  Sampler sampler_;  // last: it starts calling the probe at once
};

// Generous bounds: they only matter when something is broken, and the machine may be loaded.
inline constexpr std::chrono::milliseconds converge_timeout = 120s;

class E2eTest : public ::testing::Test {
 protected:
  void TearDown() override {
    // Every test leaves berth running: an exit on its own is a crash, whatever the test saw.
    if (berth_ && !berth_->alive()) ADD_FAILURE() << "berth exited during the test (crash?)";
    if (HasFailure() && berth_) {
      std::cerr << "---- berth log tail (" << berth_->log_path() << ") ----\n"
                << berth_->log_tail() << "\n---- end of berth log ----\n";
    }
    berth_.reset();
    sim_.reset();
  }

  // The sim gets small lifecycle delays so a test converges in seconds.
  void start_sim(std::vector<std::string> args) {
    for (const char* flag : {"--task-start-ms", "--task-stop-ms"}) {
      bool given = false;
      for (const auto& a : args) given = given || a == flag;
      if (!given) args.insert(args.end(), {flag, std::string(flag) == "--task-start-ms" ? "300" : "100"});
    }
    sim_ = std::make_unique<SimProcess>(std::move(args));
  }
  void start_berth(BerthOptions options = {}) {
    berth_ = std::make_unique<BerthProcess>(*sim_, std::move(options));
  }

  SimProcess& sim() { return *sim_; }
  BerthProcess& berth() { return *berth_; }

  // POST /v1/environments; returns the first deployment's id.
  std::string create_environment(const json::object& body) {
    auto env = berth().post_json("/v1/environments", body);
    const auto& id = env.at("activeDeploymentId");
    return id.is_string() ? std::string(id.as_string()) : std::string();
  }
  std::string deploy(const std::string& env, const std::string& task_definition) {
    auto d = berth().post_json("/v1/environments/" + env + "/deployments",
                               json::object{{"taskDefinition", task_definition}});
    return std::string(d.at("id").as_string());
  }

  // The sim's ECS call counts once they have stood still for a second (the tail of a convergence settled).
  std::map<std::string, std::int64_t> settled_ecs_call_counts() {
    auto before = ecs_call_counts(sim());
    bool settled = wait_until(
        [&] {
          auto now = ecs_call_counts(sim());
          bool still = now == before;
          before = std::move(now);
          return still;
        },
        30s, 1s);
    EXPECT_TRUE(settled) << "ECS calls never settled";
    return before;
  }

  // Waits until `family` runs exactly one healthy task on each of `expected` (and nowhere else).
  ::testing::AssertionResult converges(const std::string& family, const std::set<std::string>& expected,
                                       const std::string& task_definition = {},
                                       std::chrono::milliseconds timeout = converge_timeout) {
    std::string why;
    bool ok = wait_until(
        [&] {
          if (berth_ && !berth_->alive()) {
            why = "berth exited";
            return true;
          }
          why = check_one_per_instance(sim_view(sim()), family, expected, task_definition);
          return why.empty();
        },
        timeout, 250ms);
    if (ok && why.empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "not converged: " << why;
  }

  // After convergence, the state must hold for a while: no late duplicates, no stray stops.
  ::testing::AssertionResult stays_converged(const std::string& family, const std::set<std::string>& expected,
                                             const std::string& task_definition = {},
                                             std::chrono::milliseconds hold = 3s) {
    const auto until = std::chrono::steady_clock::now() + hold;
    while (std::chrono::steady_clock::now() < until) {
      if (berth_ && !berth_->alive()) return ::testing::AssertionFailure() << "berth exited";
      auto why = check_one_per_instance(sim_view(sim()), family, expected, task_definition);
      if (!why.empty()) return ::testing::AssertionFailure() << "converged state did not hold: " << why;
      std::this_thread::sleep_for(300ms);
    }
    return ::testing::AssertionSuccess();
  }

  // berth's own model (GET /v1/clusters/{c}/instances) shows `instance_arn` with `status` (case-insensitive).
  bool berth_sees_instance_status(const std::string& instance_arn, std::string status,
                                  const std::string& cluster = "default") {
    try {
      auto r = berth().get_json("/v1/clusters/" + cluster + "/instances");
      for (const auto& iv : r.at("instances").as_array()) {
        const auto& i = iv.as_object();
        if (i.at("arn").as_string() != instance_arn) continue;
        std::string have(i.at("status").as_string());
        return strcasecmp(have.c_str(), status.c_str()) == 0;
      }
    } catch (const std::exception&) {
    }
    return false;
  }

  static std::string started_by(const std::string& env) { return policy::encode_started_by(policy::WorkloadKey::daemon(env)); }

  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<BerthProcess> berth_;
};

}  // namespace berth::e2e
