// File: src/http/api/api_json.hpp — JSON shapes of the /v1 API: encoding desired state, validating bodies.
// Field names are camelCase as in Blox. Validation errors name the offending field ("rollout.maxUnavailable").
#pragma once

#include "http/api/api_types.hpp"
#include "policy/desired_state.hpp"

#include <boost/json.hpp>
#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::http::api {

// An error answer before it becomes a response: {"error":{"code","message"}} with `status`.
struct ApiError {
  // A real constructor (not an aggregate): C++20 would otherwise let result<int64_t, ApiError> treat an integer
  // as constructible into an ApiError, making result's constructors ambiguous.
  ApiError() = default;
  ApiError(int status_, std::string code_, std::string message_)
      : status(status_), code(std::move(code_)), message(std::move(message_)) {}
  int status = 400;
  std::string code;  // stable machine-readable: invalid_json, missing_field, unknown_field, invalid_field, ...
  std::string message;
};
[[noreturn]] void throw_exception_from_error(const ApiError& e, const boost::source_location& loc);

template <class T>
using ApiResult = boost::system::result<T, ApiError>;

ApiResponse error_response(const ApiError& e);
ApiError invalid_field(std::string_view field, std::string_view why);

// The only Blox deployment method; accepted for compatibility and echoed back.
inline constexpr std::string_view blox_deployment_method = "ReplaceAfterTerminate";

// --- encoding ------------------------------------------------------------------------------------------------
// RFC 3339 UTC with milliseconds: 2026-11-25T08:36:29.123Z
std::string format_time(policy::SystemTime t);
// Blox's Environment (name, instanceGroup{cluster}, taskDefinition, deploymentToken, health) plus berth's fields.
boost::json::object environment_to_json(const policy::Environment& env, std::string_view health);
// Blox's Deployment (id, status, taskDefinition, environmentName, failedInstances) plus berth's fields; `status`
// stays within Blox's enum (blox_status) and berth's own verdict is `outcome`.
boost::json::object deployment_to_json(const policy::Deployment& d);

// Blox's Deployment.status: pending | running | completed. A failed or rolled-back deployment is over, so it is
// "completed" (with its failedInstances); `outcome` says how it ended.
const char* blox_status(policy::DeploymentStatus s);
// "succeeded" | "failed" | "rolled_back" once the deployment is over; nullopt while pending or running.
std::optional<std::string_view> deployment_outcome(policy::DeploymentStatus s);

// Blox's HealthStatus of an environment ("healthy" | "unhealthy"):
//   unhealthy when its newest deployment failed or was rolled back (what the operator last asked for did not
//   take), or, outside a rollout, when `instances_without_task` > 0 (ClusterView::daemon_instances_without_task:
//   an instance that should run the daemon runs no RUNNING task of it);
//   healthy otherwise, including during a rollout (pending/running deployment) and before the cluster's model is
//   known (nullopt).
std::string_view environment_health(const policy::Deployment* newest,
                                    std::optional<std::uint32_t> instances_without_task);

// --- validation ----------------------------------------------------------------------------------------------
// Environment names: 1-64 of [A-Za-z0-9._-], not starting with '.' (no "." or ".." path segments); every name
// of Blox's pattern ^[a-zA-Z0-9-_]{1,30}$ is one. They end up in ECS task groups.
bool valid_environment_name(std::string_view s);
// ECS cluster names: 1-255 of [A-Za-z0-9_-].
bool valid_cluster_name(std::string_view s);
// Deployment ids and tokens: 1-64 of [A-Za-z0-9._:-].
bool valid_token(std::string_view s);

// Parses a body that must be a JSON object of at most max_bytes (413 / 400 otherwise).
ApiResult<boost::json::object> parse_object_body(std::string_view body, std::size_t max_bytes);

// POST /v1/environments body -> a new Environment (no timestamps, revision 0).
ApiResult<policy::Environment> parse_create_environment(const boost::json::object& body);

// PUT /v1/environments/{name} body applied onto `env` (fields absent stay as they are; rollout merges field by
// field). Returns the client's expected revision if it sent one.
ApiResult<std::optional<std::int64_t>> apply_environment_update(const boost::json::object& body,
                                                                policy::Environment& env);

// POST /v1/environments/{name}/deployments body: {"taskDefinition"?}. Empty body allowed (returns nullopt).
ApiResult<std::optional<std::string>> parse_create_deployment(std::string_view body, std::size_t max_bytes);

}  // namespace berth::http::api
