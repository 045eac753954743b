// File: src/reactor/launch_doubt_check.hpp — settles launches in doubt by asking ECS.
//
// A StartTask that timed out or got a 5xx may or may not have launched its tasks (StartTask has no
// client token). The reconciler then holds the instances as "in doubt" so that it does not launch a
// second task there. Usually the task's event settles it within seconds; when no event comes, this
// check lists the instance's tasks a little later: a task of ours there enters the model (and
// replaces the doubt), no task means the launch did not happen and the instance is free again.
#pragma once

#include "reactor/cluster_model.hpp"
#include "reactor/ecs_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>
#include <string>

namespace berth::reactor {

struct LaunchDoubtSettings {
  // ECS is asked this long after the unknown outcome: long enough for the task's own events and for
  // ECS's eventually consistent ListTasks to show a task the call did launch, short enough that an
  // instance whose launch never happened is not left without its task for long.
  std::chrono::seconds check_after{10};
  // The doubt is forgotten after this long even if ECS could not be asked (throttled, unavailable).
  std::chrono::seconds expire_after{std::chrono::minutes(2)};
};

struct DoubtCheckResult {
  std::size_t checked = 0;  // instances asked about
  std::size_t found = 0;    // ... where ECS had launched a task of ours after all
  std::size_t cleared = 0;  // ... where it had not (the instance is free again)
  std::size_t failed = 0;   // ... where ECS could not be asked (checked again `check_after` later)
  std::size_t ecs_calls = 0;
};

// Checks every doubt of `started_by` in `model` that is due at clock(): one ListTasks per instance
// (desiredStatus RUNNING, that instance), DescribeTasks for the tasks the model does not know, which
// are applied like events. Never throws; ECS errors postpone the check of that instance.
boost::asio::awaitable<DoubtCheckResult> async_check_launch_doubts(EcsApi& ecs, ClusterModel& model,
                                                                   std::string started_by,
                                                                   std::function<SystemTime()> clock,
                                                                   LaunchDoubtSettings settings);

}  // namespace berth::reactor
