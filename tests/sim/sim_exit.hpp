// File: tests/sim/sim_exit.hpp — the sim-only convention for batch tasks that end by themselves (not ECS behaviour).
#pragma once
#include "ecs_state.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace berth::sim {

// Real batch containers exit when their program ends; the sim runs no programs, so a container
// says when it would exit through its environment: BERTH_SIM_EXIT_AFTER_MS=<n> (n ms after the
// task is RUNNING) and BERTH_SIM_EXIT_CODE=<code> (default 0). See tests/sim/README.md.
inline constexpr const char* exit_after_variable = "BERTH_SIM_EXIT_AFTER_MS";
inline constexpr const char* exit_code_variable = "BERTH_SIM_EXIT_CODE";

struct PlannedExit {
  std::int64_t after_ms = 0;
  int exit_code = 0;
};

// The environment of `container` as ECS hands it to the container: the definition's variables,
// then those of the first containerOverrides entry with the container's name (an override wins).
std::vector<std::pair<std::string, std::string>> container_environment(const ContainerDef& container,
                                                                       const boost::json::object* overrides);

// When a task of `td` launched with `overrides` (the TaskOverride of RunTask/StartTask, or null)
// exits by itself. Only essential containers count (a non-essential container's exit does not stop
// a task in ECS, and the sim does not model containers stopping alone); with several, the first to
// exit decides. Values that are not non-negative integers (exit code: 0-255) are ignored.
std::optional<PlannedExit> planned_exit(const TaskDef& td, const boost::json::object* overrides);

}  // namespace berth::sim
