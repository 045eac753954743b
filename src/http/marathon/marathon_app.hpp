// File: src/http/marathon/marathon_app.hpp — Marathon 1.x app JSON <-> berth replica service, as pure functions
// (no store, no sockets): the /v2 handlers (marathon_api.hpp) and the table tests use them.
//
// Mapping (documented for users in src/http/marathon/README.md):
// - `id` is a Marathon path ("/group/app"; relative ids are taken from the root). The berth service name is the
//   path's segments joined with "_" ("/prod/web" -> "prod_web"). Marathon's segments are [a-z0-9.-] only, so two
//   ids never give one name; an id whose name would pass berth's 64 characters is a 422 on /id.
// - `cmd` is the task definition, "family:revision" or an ARN (the ECS scheduler driver's convention).
// - `instances` is desiredCount (default 1).
// - `cpus` (x1024 = ECS CPU units) and `mem` (MiB) are informational: ECS reserves what the task definition says.
//   A value that differs from the task definition is accepted and reported in `warnings`.
// - `constraints`: [field, op, value?]; `hostname` is the container instance (its EC2 instance id), any other
//   field the ECS attribute of that name. UNIQUE on hostname -> distinctInstance; GROUP_BY -> spread over the
//   field; CLUSTER / IS -> memberOf `==`; LIKE / UNLIKE -> memberOf `=~` / `!~` (regular expressions written
//   with `.*` and `.` only, as ECS's wildcards); MAX_PER 1 on hostname -> distinctInstance. Anything else
//   (UNIQUE on an attribute, MAX_PER > 1, CLUSTER without a value, other regular expressions) is a 422.
// - `upgradeStrategy` {minimumHealthCapacity, maximumOverCapacity} (0..1) -> minimumHealthyPercent =
//   ceil(100 x mhc), maximumPercent = 100 + floor(100 x moc); one that leaves no room to roll is a 422.
// - Kept as sent and answered back, not interpreted: labels, cpus, mem, disk, backoffSeconds, backoffFactor,
//   maxLaunchDelaySeconds, container (docker.portMappings or the 1.5+ portMappings: the task definition's
//   ports apply), ports, portDefinitions, requirePorts, networks, killSelection, unreachableStrategy,
//   taskKillGracePeriodSeconds, acceptedResourceRoles, executor "".
// - Refused with a 422 naming the field, because berth would not do what Marathon does: args, env,
//   healthChecks, readinessChecks, dependencies, fetch, uris, storeUrls, user, ipAddress, residency, secrets,
//   gpus > 0 (when not empty / zero), and any field that is not Marathon's.
// - Read-only fields of a GET answer (version, versionInfo, tasks*, deployments, lastTaskFailure, taskStats)
//   are accepted and ignored, so an app read, edited and PUT back works.
// - The cluster: the label `berth.cluster` when set, else the only cluster berth watches.
#pragma once

#include "policy/service_state.hpp"

#include <boost/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::http::marathon {

// Marathon's error body: {"message", "details"?: [{"path", "errors": [...]}]}.
struct ErrorDetail {
  std::string path;  // JSON pointer into the app: "/upgradeStrategy/minimumHealthCapacity", "/constraints/0"
  std::vector<std::string> errors;
};
struct MarathonError {
  int status = 422;
  std::string message;
  std::vector<ErrorDetail> details;
};
boost::json::object error_body(const MarathonError& e);
// 422 "Object is not valid" with these details.
MarathonError invalid_object(std::vector<ErrorDetail> details);

// "/group/app" for "group/app", "/group/app/" or "/group/app"; nullopt when a segment is not Marathon's
// [a-z0-9] ( [a-z0-9.-]* [a-z0-9] )? or the id is empty.
std::optional<std::string> canonical_app_id(std::string_view id);
// The berth service name of a canonical id ("/prod/web" -> "prod_web"); nullopt when longer than 64.
std::optional<std::string> service_name_for(std::string_view canonical_id);

// What the handlers know of the task definition `cmd` names (from the cluster model), for the warnings.
struct TaskDefinitionSize {
  std::optional<std::int32_t> cpu;     // ECS CPU units
  std::optional<std::int32_t> memory;  // MiB
};

struct MappedApp {
  policy::ServiceSpec spec;           // name, cluster, task definition, count, deployment, placement, metadata
  std::string app_id;                 // canonical
  std::vector<std::string> warnings;  // cpus/mem differ from the task definition, informational fields
};

// An app body (POST, or a PUT merged over the stored app) -> a service spec. `path_id`: the id in the path (PUT),
// which a body id must equal. `clusters`: the clusters berth watches. Validated with policy::validate.
std::variant<MappedApp, MarathonError> app_to_service(const boost::json::object& app,
                                                      const std::optional<std::string>& path_id,
                                                      const std::vector<std::string>& clusters,
                                                      const TaskDefinitionSize& size = {});

// The app as it was sent (metadata), with `id`, `cmd` and `instances` from the spec; nullopt for a service no
// Marathon app made (no metadata).
std::optional<boost::json::object> stored_app(const policy::ServiceSpec& spec);

// Marathon's task state for an ECS lastStatus ("RUNNING" -> "TASK_RUNNING").
std::string task_state(std::string_view last_status);

// The ECS task id of a task ARN (the part after the last '/').
std::string task_id_of(std::string_view task_arn);

}  // namespace berth::http::marathon
