// File: src/policy/task_definition.hpp — comparing task definition references. Operators write
// "family:revision" (or a full ARN, or just "family"); ECS reports tasks with the full ARN
// "arn:aws:ecs:region:account:task-definition/family:revision". Both forms must compare equal, or
// every running task would look like an old revision and be replaced forever.
#pragma once

#include <string_view>

namespace berth::policy {

// "arn:...:task-definition/family:3" -> "family:3"; "family:3" and "family" unchanged.
std::string_view task_definition_name(std::string_view ref);

// Whether a task running `actual` (usually a full ARN) is of the `desired` reference. A desired
// reference without a revision ("family", meaning the latest ACTIVE one at launch) matches every
// revision of the family; pin revisions to get rollouts.
bool task_definition_matches(std::string_view desired, std::string_view actual);

}  // namespace berth::policy
