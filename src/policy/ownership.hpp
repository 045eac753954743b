// File: src/policy/ownership.hpp — how berth tags the tasks it launches and recognises them later
// (after a restart, in ListTasks/Describe results and in events).
//
// startedBy = "berth/" + 16 lowercase hex digits of FNV-1a-64(environment name)   (22 chars; ECS max 36,
//             letters, digits, '-', '/', '_' only). ListTasks can filter on it, so bootstrap can list
//             exactly one environment's tasks.
// group     = "berth:" + environment name + ":" + deployment id  (ECS max 255). Deployment ids must not
//             contain ':'; the environment name may. An empty deployment id gives "berth:<env>:".
// startedBy identifies the owner cheaply; group confirms it (guards the 64-bit hash against collisions)
// and says which deployment launched the task.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::policy {

inline constexpr std::size_t max_started_by_length = 36;
inline constexpr std::size_t max_group_length = 255;

std::uint64_t fnv1a64(std::string_view s);

std::string encode_started_by(std::string_view environment);

// Fails (nullopt) if the result would exceed 255 chars or the deployment id contains ':'.
std::optional<std::string> encode_group(std::string_view environment, std::string_view deployment_id);

struct GroupTag {
  std::string_view environment;
  std::string_view deployment_id;
};
// Views into `group`; nullopt if it is not a berth group.
std::optional<GroupTag> parse_group(std::string_view group);

bool is_berth_started_by(std::string_view started_by);

enum class Ownership { foreign, ours, other_environment };

// Whether a task with these tags belongs to `environment`. A task whose startedBy matches but whose
// group names another environment (hash collision, or tampering) is `other_environment`.
Ownership classify_task(std::string_view started_by, std::string_view group, std::string_view environment);

// Longest environment name that fits in a group with a deployment id of `deployment_id_length`.
constexpr std::size_t max_environment_name_length(std::size_t deployment_id_length) {
  return max_group_length - 6 /* "berth:" */ - 1 /* ':' */ - deployment_id_length;
}

}  // namespace berth::policy
