// File: src/http/api/api_types.hpp — socket-free request/response types and the seams ApiV1 talks through.
#pragma once

#include "policy/desired_state.hpp"

#include "policy/cluster_snapshot.hpp"
#include "policy/service_state.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/json.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace berth::http::api {

// What the HTTP layer hands to the API: already size-limited, query split off and percent-decoded.
struct ApiRequest {
  std::string method;                         // "GET", "POST", "PUT", "DELETE", ...
  std::string path;                           // "/v1/environments/web" (no query string)
  std::map<std::string, std::string> query;  // decoded; a repeated key keeps its last value
  std::string raw_query;                     // as sent, without '?': repeated parameters (http::query_values)
  std::string body;
  std::string content_type;  // the Content-Type header as sent (empty when absent)

  // Builds a request from a raw request-target ("/v1/environments?cluster=prod").
  static ApiRequest from_target(std::string method, std::string_view target, std::string body = {});
};

// What the API answers. body.is_null() means no body (the HTTP layer then sends Content-Length: 0).
// JSON bodies are served as application/json.
struct ApiResponse {
  int status = 200;
  boost::json::value body;
  std::vector<std::pair<std::string, std::string>> headers;  // e.g. Allow, Location
};

// Read views of the in-memory cluster model, already shaped as JSON (the model owns the format).
// Implemented over the running scheduler (scheduler_adapters.hpp); tests use a fake.
class ClusterView {
 public:
  virtual ~ClusterView() = default;
  // std::nullopt when berth does not know the cluster (-> 404).
  virtual std::optional<boost::json::array> list_instances(std::string_view cluster) const = 0;
  virtual std::optional<boost::json::array> list_tasks(std::string_view cluster) const = 0;
  // How many instances the daemon plan of `env` wants a task on (ACTIVE, agent-connected, matching) run none
  // that is RUNNING (an Environment's Blox `health`); nullopt when the cluster is not watched or not
  // bootstrapped yet, or the plan cannot be made (health is then judged from the deployments alone).
  virtual std::optional<std::uint32_t> daemon_instances_without_task(const policy::Environment& env) const {
    (void)env;
    return std::nullopt;
  }
  // The clusters berth watches (config order): a job without a cluster goes to the only one.
  virtual std::vector<std::string> clusters() const { return {}; }
  // Whether berth watches `cluster` (a name or an ARN): Blox's createEnvironment answers 404 otherwise.
  virtual bool watches(std::string_view cluster) const {
    (void)cluster;
    return true;
  }
  // Why a service's last plan left tasks unplaced: {"count", "reasons": {"RESOURCE:CPU": n, ...}, "message"};
  // count 0 when everything was placed (or the service was not planned yet).
  virtual boost::json::object service_unplaced(std::string_view service) const {
    (void)service;
    return boost::json::object{{"count", 0}, {"reasons", boost::json::object{}}, {"message", ""}};
  }
  // ?dryRun=true: what the scheduler would do for `service` now, as {"starts":[{"instance","taskDefinition"}],
  // "stops":[{"task","instance","reason"}],"unplaced":{...}}; nullopt when it cannot plan it yet.
  virtual boost::asio::awaitable<std::optional<boost::json::object>> plan_service(policy::Service service) const {
    (void)service;
    co_return std::nullopt;
  }
  // The CPU units and MiB the task definition `ref` reserves; nullopt when not known (Marathon's cpus/mem
  // warnings).
  virtual boost::asio::awaitable<std::optional<policy::CpuMemory>> task_definition_size(std::string ref) const {
    (void)ref;
    co_return std::nullopt;
  }
};

// How the API nudges the reactor after a change. Both calls only enqueue work and must not block.
class Reconcile {
 public:
  virtual ~Reconcile() = default;
  // The environment's spec, deployments or existence changed: re-plan it.
  virtual void mark_dirty(std::string_view environment) = 0;
  // The environment was deleted with terminateTasks=true: stop every task it started.
  virtual void terminate_tasks(std::string_view environment) = 0;
  // The same for a replica service (deleted without keepTasks=true).
  virtual void mark_service_dirty(std::string_view service) = 0;
  virtual void terminate_service_tasks(std::string_view service) = 0;
  // Stop these tasks (ARNs) of a service, which is then re-planned (Marathon's task kill). Default: nothing.
  virtual void kill_service_tasks(std::string_view service, const std::vector<std::string>& task_arns) {
    (void)service;
    (void)task_arns;
  }
};

using ApiClock = std::function<policy::SystemTime()>;
using IdGenerator = std::function<std::string()>;

struct ApiV1Options {
  // Bodies above this are refused with 413 (the HTTP server should enforce the same limit while reading).
  std::size_t max_body_bytes = 64 * 1024;
  // GET .../deployments returns at most this many (newest first) unless ?limit= asks for fewer.
  std::size_t max_deployments_listed = 100;
};

}  // namespace berth::http::api
