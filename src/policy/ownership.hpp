// File: src/policy/ownership.hpp — how berth tags the tasks it launches and recognises them later
// (after a restart, in ListTasks/Describe results and in events). Tags depend on the workload's kind,
// so that workloads of different kinds never claim each other's tasks, whatever their names:
//
//   kind     startedBy (ECS max 36: letters, digits, '-', '/', '_')     group (ECS max 255)
//   daemon   "berth/"     + 16 hex digits of FNV-1a-64(name)  (22)     "berth:<name>:<deployment id>"
//   service  "berth-svc/" + 16 hex digits of FNV-1a-64(name)  (26)     "berth-svc:<name>:<deployment id>"
//   job      "berth-job/" + 16 hex digits of FNV-1a-64(name)  (26)     "berth-job:<name>:<run id>"
//
// Daemon tags are the ones berth has always written, so running clusters are adopted without a relaunch.
// ListTasks can filter on startedBy, so one workload's tasks can be listed exactly. startedBy identifies
// the owner cheaply; group confirms it (guards the 64-bit hash against collisions) and says which
// deployment (or job run) launched the task. Deployment ids must not contain ':'; names may. An empty
// deployment id gives "berth:<name>:".
#pragma once

#include "policy/workload.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::policy {

inline constexpr std::size_t max_started_by_length = 36;
inline constexpr std::size_t max_group_length = 255;

std::uint64_t fnv1a64(std::string_view s);

std::string encode_started_by(const WorkloadKey& workload);

// Fails (nullopt) if the result would exceed 255 chars or the deployment id contains ':'.
std::optional<std::string> encode_group(const WorkloadKey& workload, std::string_view deployment_id);

struct GroupTag {
  WorkloadKind kind = WorkloadKind::daemon;
  std::string_view name;
  std::string_view deployment_id;
};
// Views into `group`; nullopt if it is not a berth group.
std::optional<GroupTag> parse_group(std::string_view group);

// The kind of workload a berth startedBy tag belongs to; nullopt for a task berth did not start.
std::optional<WorkloadKind> started_by_kind(std::string_view started_by);

enum class Ownership { foreign, ours, other_workload };

// Whether a task with these tags belongs to `workload`. A task of another berth workload (other kind or
// name), or whose startedBy matches but whose group names another workload (hash collision, or
// tampering), is `other_workload`; a task berth did not start is `foreign`.
Ownership classify_task(std::string_view started_by, std::string_view group, const WorkloadKey& workload);

// Longest workload name that fits in a group with a deployment id of `deployment_id_length`.
std::size_t max_workload_name_length(WorkloadKind kind, std::size_t deployment_id_length);

}  // namespace berth::policy
