// File: src/policy/schedule_iso8601.hpp — parse_schedule's part for Chronos's "R[n]/start/period" (internal).
#pragma once

#include "policy/schedule.hpp"

#include <string_view>

namespace berth::policy {

// The prefix rule: "R" followed by a digit or "/".
bool is_iso8601_schedule(std::string_view text);

// Parses a trimmed schedule that passed is_iso8601_schedule. Errors read "schedule: at N: part: what", N the
// 1-based character position in `text`, part one of repetitions, start, period.
ScheduleResult parse_iso8601_schedule(std::string_view text);

}  // namespace berth::policy
