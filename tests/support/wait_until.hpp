// File: tests/support/wait_until.hpp — test support: poll a condition until it holds or a bound passes.
#pragma once

#include <chrono>
#include <functional>

namespace berth::testing {

// Polls `condition` every `interval` until it returns true (-> true) or `timeout` passes (-> false). An exception
// from `condition` counts as "not yet" (e.g. a process still starting, a request that timed out under load).
bool wait_until(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
                std::chrono::milliseconds interval = std::chrono::milliseconds(200));

}  // namespace berth::testing
