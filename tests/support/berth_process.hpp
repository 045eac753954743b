// File: tests/support/berth_process.hpp — test support: runs build/berth as a child process against a berth-sim
// and talks to its HTTP API (blocking). The one harness of tests/e2e, tests/integration and benchmarks.
//
//   berth::sim::SimProcess sim({"--instances", "20", "--task-start-ms", "200"});
//   auto td = berth::testing::register_task_definition(sim, "web");             // signed, see sim_calls.hpp
//   berth::testing::BerthProcess berth(sim);                                    // started, port discovered
//   berth.post_json("/v1/environments", {{"name","web"},{"instanceGroup",{{"cluster","default"}}},{"taskDefinition",td}});
//   berth::testing::wait_until([&] { return ...; }, std::chrono::seconds(60));
//   berth.reload("[scheduler]\nstop_on_draining = true\n");                     // rewrite config + SIGHUP
//   berth.kill_hard(); berth.start();                                           // crash and restart, same store
//   berth.stop();                                                               // SIGTERM, exit status
//
// BerthProcess writes <dir>/berth.toml (store at <dir>/berth.db), starts `berth serve -c <dir>/berth.toml` with
// stderr appended to <dir>/berth.log (kept across restarts), and reads its single stdout line
// {"listen":"127.0.0.1:PORT"}. <dir> is BerthOptions::dir, or a TempDir of its own removed with the object.
// The child gets SIGKILL when the test process dies. Everything is on 127.0.0.1 with kernel-picked ports.
#pragma once

#include "http_call.hpp"
#include "sim_calls.hpp"  // sim_access_key, sim_secret_key
#include "sim_process.hpp"
#include "temp_dir.hpp"

#include <boost/json/value.hpp>

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

namespace berth::testing {

struct BerthOptions {
  std::string endpoint;             // aws.endpoint; empty: the sim's "http://127.0.0.1:PORT"
  std::string queue_url;            // clusters[0].queue_url; empty: the sim's queue
  std::string cluster = "default";  // clusters[0].name
  std::string region = "us-east-1";
  std::string access_key = sim_access_key;
  std::string secret_key = sim_secret_key;
  std::string audit_interval = "10m";  // clusters[0].audit_interval (config duration syntax)
  // Debug by default: the log is what a failed test prints, and the e2e tests look for debug lines in it.
  std::string log_level = "debug";
  std::string shutdown_timeout = "5s";
  // When set: [api] auth_token = this, and every request of BerthProcess sends "Authorization: Bearer <token>".
  std::string api_token;
  // Appended verbatim to the generated TOML (e.g. more [[clusters]] tables, [api] settings); see reload().
  std::string extra_toml;
  // Where config, store (berth.db) and log (berth.log) go. Empty: a fresh temporary folder, removed afterwards.
  std::filesystem::path dir;
  std::string binary;  // empty: the berth built with this library
  std::chrono::milliseconds ready_timeout{std::chrono::seconds(30)};
};

// The TOML that BerthProcess writes for `o` (store at store_path).
std::string make_config_toml(const BerthOptions& o, const std::filesystem::path& store_path);

class BerthProcess {
 public:
  // Writes the config and start()s berth; throws std::runtime_error (with the log tail) when it does not come up.
  explicit BerthProcess(BerthOptions options);
  // As above, with options.endpoint / options.queue_url taken from `sim` where empty.
  explicit BerthProcess(const sim::SimProcess& sim, BerthOptions options = {});
  ~BerthProcess();  // stop()
  BerthProcess(const BerthProcess&) = delete;
  BerthProcess& operator=(const BerthProcess&) = delete;

  static std::string default_binary();

  // Starts berth with the current config and waits for {"listen":"127.0.0.1:PORT"}; throws if it does not come
  // or berth is already running. After kill_hard() or stop(), this is a restart on the same store.
  void start();
  // SIGKILL and reap (the crash case: no shutdown code runs; the store and folder are kept).
  void kill_hard();
  // SIGTERM and wait (SIGKILL after `timeout`): the exit status, 128 + signal when a signal ended it, -1 when
  // berth was not running.
  int stop(std::chrono::milliseconds timeout = std::chrono::seconds(15));
  // True while the child has not exited.
  bool alive();
  // Rewrites the config with `extra_toml` in place of BerthOptions::extra_toml and sends SIGHUP.
  void reload(std::string extra_toml);

  const std::string& listen() const { return listen_; }  // "127.0.0.1:PORT"
  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path config_path() const { return dir_ / "berth.toml"; }
  std::filesystem::path store_path() const { return dir_ / "berth.db"; }
  std::filesystem::path log_path() const { return dir_ / "berth.log"; }
  // The last `bytes` of berth's stderr (all runs of this object).
  std::string log_tail(std::size_t bytes = 12000) const;

  // Raw HTTP/1.1 to berth (30 s); adds the bearer token when BerthOptions::api_token is set.
  sim::HttpResult request(const std::string& method, const std::string& target, const std::string& body = {},
                          const HttpHeaders& headers = {}) const;
  // request() with "Content-Type: application/json" when there is a body.
  sim::HttpResult api(const std::string& method, const std::string& target, const std::string& body = {}) const;
  // JSON helpers; throw std::runtime_error (status and body in the message) on a non-2xx status. An empty
  // answer body is a null value.
  boost::json::value get_json(const std::string& target) const;
  boost::json::value post_json(const std::string& target, const boost::json::value& body) const;
  boost::json::value put_json(const std::string& target, const boost::json::value& body) const;
  boost::json::value delete_json(const std::string& target) const;
  boost::json::value stats() const { return get_json("/v1/stats"); }  // shape: src/reactor/scheduler_component.cpp

 private:
  void write_config() const;
  boost::json::value json_call(const std::string& method, const std::string& target, const std::string& body) const;

  BerthOptions options_;
  std::optional<TempDir> own_dir_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::string listen_;
  unsigned short port_ = 0;
};

}  // namespace berth::testing
