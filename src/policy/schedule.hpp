// File: src/policy/schedule.hpp — job schedules: parsing every supported syntax and computing the next slot.
//
// Which syntax a schedule is, is decided by its prefix only:
//   "cron:m h dom mon dow"          standard 5-field cron (dow 0-7, 0 and 7 = Sunday; dom/dow OR-ed when both
//                                   are restricted, as Vixie cron)
//   "@hourly" ... "@yearly"         cron macros ("@annually" = "@yearly")
//   "cron(m h dom mon dow year)"    EventBridge (dow 1-7 = SUN-SAT, exactly one of dom/dow is "?", L, W, #)
//   "rate(N minutes|hours|days)"    fixed rate from the anchor (scheduleStart, else the job's creation)
//   "at(yyyy-mm-ddThh:mm:ss)"       once, at a wall-clock time in the job's zone
//   "R[n]/start/period"             Chronos's ISO-8601 repeating interval, recognised by an "R" followed by a digit
//                                   or "/" (no other form starts with "R": the ECS Scheduler form starts with a
//                                   digit, "*" or "?"). See Iso8601Spec.
//   anything else                   ECS Scheduler's "second minute hour day_of_week week day month year"
//                                   (APScheduler CronTrigger field syntax; omitted fields on the right are
//                                   "*"; dow 0 = Monday; "?" in second/minute/hour is drawn ONCE from the seed)
//
// DST (every syntax): slots are wall-clock times in the job's zone. A slot inside a spring-forward gap fires
// once, at the first instant after the gap (however many slots fell into it). In the repeated autumn hour a
// schedule whose hour field matches every hour fires at both occurrences (elapsed time goes on); any other
// fires only at the first. rate() in minutes/hours is elapsed time (never shifted by DST); rate() in days keeps
// the anchor's wall-clock time of day. An ISO-8601 period's years/months/weeks/days are wall-clock steps, its
// hours/minutes/seconds elapsed time (as Joda-Time, which Chronos used).
#pragma once

#include <bitset>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace berth::policy {

using SysSeconds = std::chrono::time_point<std::chrono::system_clock, std::chrono::seconds>;

struct ScheduleError {
  std::string message;  // names the field (and its position) and what is wrong
};

// A day rule that is not a plain set of numbers (L, W, #, APScheduler's "last", "xth y", "last y").
struct DayRule {
  enum class Kind : unsigned char { last_day, nearest_weekday, last_nearest_weekday, nth_weekday, last_weekday };
  Kind kind = Kind::last_day;
  int value = 0;    // last_day: days before the last (L-n); nearest_weekday: day of month
  int weekday = 0;  // nth_weekday/last_weekday: 0 = Sunday .. 6 = Saturday
  int nth = 0;      // nth_weekday: 1..5
};

// Every cron-like syntax compiles to this; fields are sets of allowed values.
struct CronSpec {
  std::bitset<60> second, minute;
  std::bitset<24> hour;
  std::bitset<32> day;            // day of month 1..31
  std::bitset<13> month;          // 1..12
  std::bitset<7> weekday;         // 0 = Sunday .. 6 = Saturday (internal, whatever the syntax's numbering)
  std::bitset<54> week;           // ISO week 1..53 (APScheduler only)
  std::vector<DayRule> day_rules, weekday_rules;  // extra matches for the day / weekday field
  bool day_any = true, weekday_any = true, week_any = true;
  std::vector<bool> years;        // index = year - 1970; empty: any year
  bool day_or_weekday = false;    // standard cron: both restricted -> either matches
  bool hour_every = false;        // hour field matches every hour: both autumn occurrences fire
};

struct RateSpec {
  std::chrono::seconds period{0};
  bool wall_clock_days = false;  // "days": keep the anchor's local time of day
};

struct AtSpec {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
};

// Chronos's "R[n]/start/period". Slot k is start + k * period for k = 0, 1, ... and k < n: "R5" runs 5 times,
// "R" forever, "R0" never (Chronos runs an invocation only while recurrences remain). Slot k is computed from the
// start, not from slot k-1 (Chronos: origin.plus(period.multipliedBy(k))), so Jan 31 + P1M steps to Feb 28/29, Mar
// 31, Apr 30: years, then months, are added as Joda-Time's plusYears/plusMonths (clamped to the month's last day),
// then weeks and days, on the start's wall-clock date in the job's zone; the local time is resolved by the DST rule
// above; then hours/minutes/seconds are added as elapsed time.
// The start: with "Z" or an offset it is that instant (its wall-clock time in the job's zone is what the calendar
// steps keep); without an offset it is wall-clock time in the job's zone (Chronos's scheduleTimeZone). Unlike
// Chronos, an explicit offset is never replaced by the zone (Chronos's scheduleTimeZone re-reads "10:00Z" as 10:00
// local). Empty ("R//PT1M", Chronos: "now") is the anchor, as for rate(). Fractions of a second are dropped.
struct Iso8601Spec {
  std::optional<std::uint64_t> repetitions;  // runs in all; nullopt: forever
  std::optional<SysSeconds> start_instant;   // start with Z or an offset
  std::optional<AtSpec> start_wall_clock;    // start without an offset; neither: the anchor
  std::int64_t years = 0, months = 0, days = 0;  // calendar steps (weeks counted as 7 days)
  std::int64_t elapsed_seconds = 0;              // hours, minutes and seconds
};

struct Schedule {
  enum class Kind : unsigned char { cron, macro, eventbridge_cron, rate, at, ecs_scheduler, iso8601 };
  Kind kind = Kind::ecs_scheduler;
  std::string text;  // the schedule as it must be stored ("?" resolved for the ECS Scheduler form)
  std::variant<CronSpec, RateSpec, AtSpec, Iso8601Spec> body;
};

using ScheduleResult = std::variant<Schedule, ScheduleError>;

// Parses `text`; `seed` draws the random values for "?" in the ECS Scheduler form (same seed, same result).
ScheduleResult parse_schedule(std::string_view text, std::uint64_t seed);

// The first slot strictly after `after`, in zone `zone` (IANA name); nullopt when there is none (an at() in the
// past, a year range that ended, an R[n] whose n runs are done) or the zone is unknown. `anchor` is where rate()
// counts from, and the start of an R[n] with an empty start.
std::optional<SysSeconds> next_fire(const Schedule& schedule, std::string_view zone, SysSeconds after,
                                    SysSeconds anchor);

// Whether `zone` is a time zone of the system tz database.
bool is_known_zone(std::string_view zone);

}  // namespace berth::policy
