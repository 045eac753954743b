// File: tests/support/berth_process.hpp — test support: runs build/berth as a child process against a
// berth-sim (blocking helpers for end-to-end tests and benchmarks). Target `berth_test_support`.
//
//   berth::sim::SimProcess sim({"--instances", "20", "--task-start-ms", "200"});
//   berth::testing::register_task_definition(sim.endpoint(), "web");          // signed RegisterTaskDefinition
//   berth::testing::BerthProcess berth(berth::testing::BerthOptions::for_sim(sim));
//   berth.post("/v1/environments", {{"name","web"},{"instanceGroup",{{"cluster","default"}}},{"taskDefinition","web:1"}});
//   berth::testing::wait_until([&] { return count_running(...) == 20; }, std::chrono::seconds(60));
//   berth.stats();              // GET /v1/stats (shape documented in src/reactor/scheduler_component.cpp)
//   berth.stop();               // SIGTERM, returns the exit status; the destructor does the same
//
// BerthProcess writes a TOML config into its own temporary folder (store and stderr log live there too; the
// folder is removed by the destructor unless BerthOptions::dir was given), starts `berth serve -c FILE`, and
// reads its single stdout line {"listen":"127.0.0.1:PORT"}. The child gets SIGTERM when the test process dies
// (PR_SET_PDEATHSIG). Everything is on 127.0.0.1 with ports picked by the kernel.
#pragma once

#include "sim_process.hpp"  // berth::sim::HttpResult, SimProcess

#include <boost/json/value.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace berth::testing {

// The credentials berth-sim accepts by default.
inline constexpr const char* sim_access_key = "AKIDEXAMPLE";
inline constexpr const char* sim_secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

struct BerthOptions {
  std::string endpoint;             // aws.endpoint (the sim's "http://127.0.0.1:PORT")
  std::string queue_url;            // clusters[0].queue_url
  std::string cluster = "default";  // clusters[0].name
  std::string region = "us-east-1";
  std::string access_key = sim_access_key;
  std::string secret_key = sim_secret_key;
  std::string audit_interval = "10m";  // clusters[0].audit_interval
  std::string log_level = "info";
  std::string shutdown_timeout = "5s";
  // When set: [api] auth_token = this, and every request of BerthProcess sends "Authorization: Bearer <token>".
  std::string api_token;
  // Appended verbatim to the generated TOML (e.g. more [[clusters]] tables, [api] settings).
  std::string extra_toml;
  // Where config, store (berth.db) and log (berth.log) go. Empty: a fresh temporary folder, removed afterwards.
  std::filesystem::path dir;
  std::string binary;  // empty: the berth built with this library
  std::chrono::milliseconds ready_timeout{std::chrono::seconds(20)};

  // endpoint, queue_url and the first cluster name from a running sim.
  static BerthOptions for_sim(const sim::SimProcess& sim);
};

// The TOML that BerthProcess writes for `o` (store at store_path).
std::string make_config_toml(const BerthOptions& o, const std::filesystem::path& store_path);

class BerthProcess {
 public:
  // Starts berth and waits for the listen line; throws std::runtime_error (with the log tail) on failure.
  explicit BerthProcess(BerthOptions options);
  ~BerthProcess();
  BerthProcess(const BerthProcess&) = delete;
  BerthProcess& operator=(const BerthProcess&) = delete;

  static std::string default_binary();

  const std::string& listen() const { return listen_; }  // "127.0.0.1:PORT"
  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  bool running() const { return pid_ > 0; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "berth.toml"; }
  std::filesystem::path store_path() const { return dir_ / "berth.db"; }
  std::filesystem::path log_path() const { return dir_ / "berth.log"; }
  std::string log() const;  // berth's stderr so far

  // Raw HTTP/1.1 to berth (30 s timeout); adds the bearer token when BerthOptions::api_token is set.
  sim::HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                          const std::vector<std::pair<std::string, std::string>>& headers = {}) const;
  // JSON helpers; throw std::runtime_error on a non-2xx status.
  boost::json::value get(const std::string& target) const;
  boost::json::value post(const std::string& target, const boost::json::value& body) const;
  boost::json::value put(const std::string& target, const boost::json::value& body) const;
  boost::json::value del(const std::string& target) const;
  boost::json::value stats() const { return get("/v1/stats"); }

  // SIGTERM and wait (SIGKILL after `timeout`): the exit status (128 + signal when killed by one).
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // SIGKILL and reap, as a crash would (the store and folder are kept for a restart).
  void kill();
  // SIGHUP (config reload); rewrite config_path() first to change something.
  void reload() const;
  // Starts berth again with the same folder and config (after stop() or kill()).
  void restart();

 private:
  void start();

  BerthOptions options_;
  std::filesystem::path dir_;
  bool own_dir_ = false;
  pid_t pid_ = -1;
  std::string listen_;
  unsigned short port_ = 0;
};

// Polls `condition` every `interval` until it returns true (-> true) or `timeout` passes (-> false).
// Exceptions from `condition` count as "not yet".
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(100));

// A SigV4-signed ECS JSON 1.1 call through berth's own AWS client (for operations berth does not make itself,
// e.g. RegisterTaskDefinition against a sim with auth on). Throws std::runtime_error on an error response.
boost::json::value signed_ecs_call(const std::string& endpoint, const std::string& operation,
                                   const boost::json::object& body, const std::string& region = "us-east-1",
                                   const std::string& access_key = sim_access_key,
                                   const std::string& secret_key = sim_secret_key);

// Registers a one-container task definition `family` (cpu 128, memory 128 unless given); returns "family:rev".
std::string register_task_definition(const std::string& endpoint, const std::string& family, int cpu = 128,
                                     int memory = 128, bool health_check = false);

// Counts, from GET /_sim/state?tasks=1, the RUNNING tasks per instance whose task definition ARN ends in
// `task_definition_suffix` (e.g. "web:1"; empty = any). Instances without such tasks map to 0.
std::vector<std::pair<std::string, int>> running_tasks_per_instance(const sim::SimProcess& sim,
                                                                    const std::string& cluster,
                                                                    const std::string& task_definition_suffix);

}  // namespace berth::testing
