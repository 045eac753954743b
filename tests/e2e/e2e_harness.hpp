// File: tests/e2e/e2e_harness.hpp — end-to-end test support: runs build/berth against a berth-sim child,
// talks to berth's /v1 API and to the sim (signed ECS/SQS calls, control API), and reads the sim's state
// as plain structs so tests can state outcomes ("one RUNNING task per instance") in a line.
#pragma once

#include <boost/json/value.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "sim_process.hpp"

namespace berth::e2e {

namespace json = boost::json;
using sim::HttpResult;
using sim::SimProcess;
using namespace std::chrono_literals;

// A fresh directory under $TMPDIR (or /tmp), removed on destruction unless BERTH_E2E_KEEP is set.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// One blocking HTTP/1.1 request to 127.0.0.1:port (timeout bounded). Throws on connection failure.
HttpResult http_call(unsigned short port, const std::string& method, const std::string& target,
                     const std::string& body = {},
                     const std::vector<std::pair<std::string, std::string>>& headers = {},
                     std::chrono::seconds timeout = 30s);

struct BerthOptions {
  std::string cluster = "default";
  std::string audit_interval = "10m";  // config duration syntax
  std::string log_level = "debug";
  std::string extra_toml;  // appended verbatim (e.g. an [api] table)
};

// build/berth serve -c <dir>/berth.toml, with the store at <dir>/berth.db and stderr appended to
// <dir>/berth.log (kept across restarts). The config points at `sim` with the sim's default static keys.
class BerthProcess {
 public:
  BerthProcess(const SimProcess& sim, std::filesystem::path dir, BerthOptions options = {});
  ~BerthProcess();
  BerthProcess(const BerthProcess&) = delete;
  BerthProcess& operator=(const BerthProcess&) = delete;

  static std::string default_binary();

  // Starts the process and waits for {"listen":"127.0.0.1:PORT"}; throws if it does not come.
  void start();
  // SIGKILL and reap (the crash case: no shutdown code runs).
  void kill_hard();
  // SIGTERM; returns the exit status (-1 if it had to be SIGKILLed).
  int stop();
  // True while the child has not exited.
  bool alive();
  // Rewrites the config with `extra_toml` in place of BerthOptions::extra_toml and sends SIGHUP.
  void reload(std::string extra_toml);

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::filesystem::path& log_path() const { return log_path_; }
  std::string log_tail(std::size_t bytes = 12000) const;

  HttpResult api(const std::string& method, const std::string& target, const std::string& body = {}) const;
  // GET returning JSON; throws std::runtime_error on a non-2xx status.
  json::value get_json(const std::string& target) const;
  // POST JSON; throws on a non-2xx status (with the body in the message).
  json::value post_json(const std::string& target, const json::value& body) const;

 private:
  void write_config() const;

  const SimProcess& sim_;
  std::filesystem::path dir_, config_path_, log_path_;
  BerthOptions options_;
  pid_t pid_ = -1;
  unsigned short port_ = 0;
};

// SigV4-signed ECS / SQS JSON calls to the sim with its default credentials (works with or without --no-auth).
HttpResult ecs_call(const SimProcess& sim, const std::string& op, const json::value& body);
HttpResult sqs_call(const SimProcess& sim, const std::string& op, const json::value& body);

// RegisterTaskDefinition of a one-container family; returns "family:revision".
std::string register_task_definition(const SimProcess& sim, const std::string& family, int cpu = 128,
                                     int memory = 128);

// The sim's view of one cluster (GET /_sim/state?tasks=1), running and stopped tasks included.
struct SimTask {
  std::string arn, last_status, desired_status, instance, task_definition;  // task_definition: "family:rev"
  std::string family() const { return task_definition.substr(0, task_definition.find(':')); }
  bool live() const { return last_status != "STOPPED"; }
  // RUNNING and not being stopped: what an operator would call a healthy daemon task.
  bool healthy() const { return last_status == "RUNNING" && desired_status == "RUNNING"; }
};
struct SimInstance {
  std::string arn, id, ec2_id, status;
  bool agent_connected = true;
};
struct SimView {
  std::vector<SimInstance> instances;
  std::vector<SimTask> tasks;

  std::set<std::string> instance_arns(const std::string& status = "ACTIVE") const;
  // Live (not STOPPED) tasks of `family`, by instance ARN.
  std::map<std::string, std::vector<SimTask>> live_by_instance(const std::string& family) const;
  // Every task of `family` ever started, by instance ARN (the sim keeps stopped tasks).
  std::map<std::string, std::vector<SimTask>> all_by_instance(const std::string& family) const;
  // Instances of `among` without a healthy task of `family`.
  std::size_t without_healthy(const std::string& family, const std::set<std::string>& among) const;
};
SimView sim_view(const SimProcess& sim, const std::string& cluster = "default");

// Exactly one live task of `family` on each instance in `expected`, healthy and (if given) of
// `task_definition`; no live task of `family` anywhere else. Returns "" when true, else why not.
std::string check_one_per_instance(const SimView& view, const std::string& family, const std::set<std::string>& expected,
                                   const std::string& task_definition = {});

// Per instance, the environment's tasks (by startedBy, RUNNING and STOPPED, via ListTasks+DescribeTasks) must
// not overlap in time: each one is created no earlier than the previous one stopped. Returns the violations.
std::vector<std::string> overlapping_tasks(const SimProcess& sim, const std::string& cluster,
                                           const std::string& started_by);
// DescribeTasks of every task (any status) with this startedBy.
json::array describe_env_tasks(const SimProcess& sim, const std::string& cluster, const std::string& started_by);

// ECS calls the sim served so far, by operation (SQS operations left out).
std::map<std::string, std::int64_t> ecs_call_counts(const SimProcess& sim);

// Polls `pred` every `every` until it is true or `timeout` passed; returns its last value.
bool wait_until(const std::function<bool()>& pred, std::chrono::milliseconds timeout,
                std::chrono::milliseconds every = 200ms);

// Blox API bodies.
json::object environment_body(const std::string& name, const std::string& task_definition,
                              const std::string& cluster = "default");
// GET .../deployments/{id} "status" (empty if the call failed).
std::string deployment_status(const BerthProcess& berth, const std::string& env, const std::string& id);
// Waits until the deployment reaches a final status (completed, failed, rolled_back); returns it or "".
// Stops early (returning "") if berth exits.
std::string wait_deployment_final(BerthProcess& berth, const std::string& env, const std::string& id,
                                  std::chrono::milliseconds timeout);

}  // namespace berth::e2e
