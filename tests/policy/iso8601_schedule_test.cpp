// File: tests/policy/iso8601_schedule_test.cpp — Chronos's "R[n]/start/period": parsing, the stored text, slots
// with and without a count, month ends (Joda-Time's clamping), DST in America/New_York and Europe/London, errors.
//
// Expected shapes come from Chronos (docs/docs/api.md: "Rn to repeat n times, or R to repeat forever", "an empty
// start time means start immediately", PnYnMnDTnHnMnS; Schedule.scala: slot k = origin.plus(period.multipliedBy(k)),
// no invocation once recurrences reach 0) and Joda-Time (plusMonths keeps the day of month, clamped to the last
// day: Jan 31 + 1 month = Feb 28; a Period is added field by field, years first).
#include "policy/schedule.hpp"

#include <gtest/gtest.h>

#include <date/date.h>

#include <cstdio>

namespace berth::policy {
namespace {

// "yyyy-mm-ddThh:mm:ss" as UTC (date::parse trips GCC 12's -Wmaybe-uninitialized inside date.h).
SysSeconds utc(const std::string& text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  EXPECT_EQ(std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &y, &mo, &d, &h, &mi, &s), 6) << text;
  const date::sys_days day{date::year{y} / mo / d};
  return SysSeconds{day} + std::chrono::hours(h) + std::chrono::minutes(mi) + std::chrono::seconds(s);
}

std::string show(std::optional<SysSeconds> t) { return t ? date::format("%Y-%m-%dT%H:%M:%S", *t) : "none"; }

Schedule parsed(const std::string& text) {
  auto r = parse_schedule(text, 1);
  if (auto* e = std::get_if<ScheduleError>(&r)) {
    ADD_FAILURE() << text << ": " << e->message;
    return {};
  }
  return std::get<Schedule>(r);
}

Iso8601Spec spec_of(const std::string& text) {
  const Schedule s = parsed(text);
  EXPECT_EQ(s.kind, Schedule::Kind::iso8601) << text;
  if (const auto* spec = std::get_if<Iso8601Spec>(&s.body)) return *spec;
  ADD_FAILURE() << text << ": not an Iso8601Spec";
  return {};
}

std::string error_of(const std::string& text) {
  auto r = parse_schedule(text, 1);
  if (auto* e = std::get_if<ScheduleError>(&r)) return e->message;
  return "(parsed)";
}

struct Row {
  const char* schedule;
  const char* zone;
  const char* after;     // UTC
  const char* expected;  // UTC, or "none"
};

// Empty starts count from this anchor (as rate() does from scheduleStart or the job's creation).
const char* const anchor_text = "2024-01-01T00:00:00";

void check(const std::vector<Row>& rows) {
  for (const auto& row : rows) {
    const Schedule s = parsed(row.schedule);
    EXPECT_EQ(show(next_fire(s, row.zone, utc(row.after), utc(anchor_text))), row.expected)
        << row.schedule << " in " << row.zone << " after " << row.after;
  }
}

TEST(Iso8601Schedule, ParsesEveryPartAndStoresTheText) {
  const Iso8601Spec five = spec_of("R5/2026-12-03T10:00:00Z/PT2H");
  ASSERT_TRUE(five.repetitions);
  EXPECT_EQ(*five.repetitions, 5u);
  ASSERT_TRUE(five.start_instant);
  EXPECT_EQ(show(*five.start_instant), "2026-12-03T10:00:00");
  EXPECT_FALSE(five.start_wall_clock);
  EXPECT_EQ(five.elapsed_seconds, 7200);
  EXPECT_EQ(five.years + five.months + five.days, 0);

  const Iso8601Spec forever = spec_of("R/2026-12-03T10:00:00.000Z/P1D");
  EXPECT_FALSE(forever.repetitions);
  EXPECT_EQ(forever.days, 1);
  EXPECT_EQ(forever.elapsed_seconds, 0);

  // Chronos's documented example offset: 19:20:30.45+01:00 is 18:20:30Z (the fraction dropped).
  const Iso8601Spec offset = spec_of("R/1997-07-16T19:20:30.45+01:00/PT1H");
  ASSERT_TRUE(offset.start_instant);
  EXPECT_EQ(show(*offset.start_instant), "1997-07-16T18:20:30");
  EXPECT_EQ(show(*spec_of("R/1997-07-16T19:20-0530/PT1H").start_instant), "1997-07-17T00:50:00");

  const Iso8601Spec local = spec_of("R3/2026-01-31T09:00:00/P1M");
  EXPECT_FALSE(local.start_instant);
  ASSERT_TRUE(local.start_wall_clock);
  EXPECT_EQ(local.start_wall_clock->day, 31);
  EXPECT_EQ(local.start_wall_clock->hour, 9);
  EXPECT_EQ(local.months, 1);

  const Iso8601Spec empty_start = spec_of("R//PT1M");
  EXPECT_FALSE(empty_start.start_instant);
  EXPECT_FALSE(empty_start.start_wall_clock);
  EXPECT_EQ(empty_start.elapsed_seconds, 60);

  const Iso8601Spec all = spec_of("R0/2026-12-03/P1Y2M3DT4H5M6S");  // a date alone is its midnight
  EXPECT_EQ(*all.repetitions, 0u);
  EXPECT_EQ(all.start_wall_clock->hour, 0);
  EXPECT_EQ(all.years, 1);
  EXPECT_EQ(all.months, 2);
  EXPECT_EQ(all.days, 3);
  EXPECT_EQ(all.elapsed_seconds, 4 * 3600 + 5 * 60 + 6);
  EXPECT_EQ(spec_of("R/2026-12-03T10:00:00Z/P2W").days, 14);
  EXPECT_EQ(spec_of("R/2026-12-03T10:00:00Z/P1W2D").days, 9);  // Joda-Time accepts weeks with days
  EXPECT_EQ(spec_of("R/2026-12-03T10:00:00Z/P10M").months, 10);
  EXPECT_EQ(spec_of("R/2026-12-03T10:00:00Z/PT10M").elapsed_seconds, 600);

  // The stored text is the schedule as given (trimmed), and parses back to the same slots.
  const Schedule s = parsed("  R10/2012-10-01T05:52:00Z/PT2S \t");
  EXPECT_EQ(s.text, "R10/2012-10-01T05:52:00Z/PT2S");
  const Schedule again = parsed(s.text);
  EXPECT_EQ(again.text, s.text);
  for (const char* after : {"2012-10-01T00:00:00", "2012-10-01T05:52:05", "2012-10-01T05:52:18"}) {
    EXPECT_EQ(show(next_fire(again, "UTC", utc(after), utc(anchor_text))),
              show(next_fire(s, "UTC", utc(after), utc(anchor_text))));
  }
}

TEST(Iso8601Schedule, CountedRunsThenNone) {
  check({
      // R5 = 5 runs: 10:00, 12:00, 14:00, 16:00, 18:00.
      {"R5/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-01T00:00:00", "2026-12-03T10:00:00"},
      {"R5/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-03T10:00:00", "2026-12-03T12:00:00"},
      {"R5/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-03T11:00:00", "2026-12-03T12:00:00"},
      {"R5/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-03T17:59:59", "2026-12-03T18:00:00"},
      {"R5/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-03T18:00:00", "none"},
      {"R1/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-01T00:00:00", "2026-12-03T10:00:00"},
      {"R1/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-03T10:00:00", "none"},
      // R0: Chronos never invokes a schedule whose recurrences are 0.
      {"R0/2026-12-03T10:00:00Z/PT2H", "UTC", "2026-12-01T00:00:00", "none"},
      // Chronos's sample job: R10 every 2 seconds, the 10th run at 05:52:18.
      {"R10/2012-10-01T05:52:00Z/PT2S", "UTC", "2012-10-01T05:52:17", "2012-10-01T05:52:18"},
      {"R10/2012-10-01T05:52:00Z/PT2S", "UTC", "2012-10-01T05:52:18", "none"},
      // The count holds for calendar periods too: R3 monthly is Jan 31, Feb 28, Mar 31.
      {"R3/2026-01-31T09:00:00Z/P1M", "UTC", "2026-02-28T09:00:00", "2026-03-31T09:00:00"},
      {"R3/2026-01-31T09:00:00Z/P1M", "UTC", "2026-03-31T09:00:00", "none"},
  });
}

TEST(Iso8601Schedule, ForeverAndEmptyStart) {
  check({
      {"R/2026-12-03T10:00:00.000Z/P1D", "UTC", "2027-06-15T12:00:00", "2027-06-16T10:00:00"},
      {"R/2026-12-03T10:00:00Z/PT2H", "UTC", "2036-12-03T09:00:00", "2036-12-03T10:00:00"},
      // ~830 million periods after the start: the search does not walk them.
      {"R/2000-01-01T00:00:00Z/PT1S", "UTC", "2026-06-01T00:00:00", "2026-06-01T00:00:01"},
      {"R/2000-01-01T00:00:00Z/PT7S", "UTC", "2000-01-01T00:01:00", "2000-01-01T00:01:03"},
      // Empty start ("start immediately" in Chronos) counts from the job's anchor.
      {"R//PT1M", "UTC", "2023-12-31T00:00:00", "2024-01-01T00:00:00"},
      {"R//PT1M", "UTC", "2024-01-01T00:10:30", "2024-01-01T00:11:00"},
      {"R3//PT1M", "UTC", "2024-01-01T00:01:00", "2024-01-01T00:02:00"},
      {"R3//PT1M", "UTC", "2024-01-01T00:02:00", "none"},
      // Nothing is scheduled past year 9999, as for every syntax.
      {"R/9999-12-31T00:00:00Z/P1D", "UTC", "9999-12-31T00:00:00", "none"},
  });
  EXPECT_FALSE(next_fire(parsed("R/2026-12-03T10:00:00Z/PT2H"), "Mars/Olympus", utc("2026-01-01T00:00:00"),
                         utc(anchor_text)));
}

TEST(Iso8601Schedule, StartOffsetIsAnInstantWallClockStartIsInTheJobsZone) {
  check({
      // No offset: 10:00 in the job's zone.
      {"R/2026-12-03T10:00:00/PT2H", "UTC", "2026-12-01T00:00:00", "2026-12-03T10:00:00"},
      {"R/2026-12-03T10:00:00/PT2H", "America/New_York", "2026-12-01T00:00:00", "2026-12-03T15:00:00"},
      {"R/2026-07-03T10:00:00/PT2H", "Europe/London", "2026-07-01T00:00:00", "2026-07-03T09:00:00"},
      // An offset is that instant in any zone ...
      {"R/2026-12-03T10:00:00Z/PT2H", "America/New_York", "2026-12-01T00:00:00", "2026-12-03T10:00:00"},
      {"R/2026-12-03T10:00:00-05:00/PT2H", "UTC", "2026-12-01T00:00:00", "2026-12-03T15:00:00"},
      // ... and daily steps keep its wall-clock time in the job's zone: 05:00 EST, then 05:00 EDT.
      {"R/2026-12-03T10:00:00Z/P1D", "America/New_York", "2027-03-13T10:00:00", "2027-03-14T09:00:00"},
  });
}

TEST(Iso8601Schedule, MonthlyStepsClampToTheMonthsLastDay) {
  check({
      // Joda-Time's plusMonths: Jan 31 + 1 month = Feb 28; each slot is counted from the start (Chronos adds
      // k periods to the origin), so the 31st comes back in March rather than staying on the 28th.
      {"R/2026-01-31T09:00:00Z/P1M", "UTC", "2026-01-31T09:00:00", "2026-02-28T09:00:00"},
      {"R/2026-01-31T09:00:00Z/P1M", "UTC", "2026-02-28T09:00:00", "2026-03-31T09:00:00"},
      {"R/2026-01-31T09:00:00Z/P1M", "UTC", "2026-03-31T09:00:00", "2026-04-30T09:00:00"},
      {"R/2026-01-31T09:00:00Z/P1M", "UTC", "2026-04-30T09:00:00", "2026-05-31T09:00:00"},
      {"R/2024-01-31T09:00:00Z/P1M", "UTC", "2024-01-31T09:00:00", "2024-02-29T09:00:00"},  // leap year
      {"R/2026-01-30T09:00:00Z/P1M", "UTC", "2026-01-30T09:00:00", "2026-02-28T09:00:00"},
      {"R/2026-01-31T09:00:00Z/P2M", "UTC", "2026-01-31T09:00:00", "2026-03-31T09:00:00"},
      {"R/2026-08-31T09:00:00Z/P3M", "UTC", "2026-08-31T09:00:00", "2026-11-30T09:00:00"},
      // Years clamp Feb 29 the same way, and come back to it in a leap year.
      {"R/2024-02-29T00:00:00Z/P1Y", "UTC", "2024-02-29T00:00:00", "2025-02-28T00:00:00"},
      {"R/2024-02-29T00:00:00Z/P1Y", "UTC", "2027-02-28T00:00:00", "2028-02-29T00:00:00"},
      // Years before months, each clamped: Feb 29 2024 + 1 year = Feb 28 2025, + 1 month = Mar 28 (not Mar 29).
      {"R/2024-02-29T00:00:00Z/P1Y1M", "UTC", "2024-02-29T00:00:00", "2025-03-28T00:00:00"},
      // Months, then days: Jan 31 + 1 month = Feb 28, + 1 day = Mar 1.
      {"R/2026-01-31T00:00:00Z/P1M1D", "UTC", "2026-01-31T00:00:00", "2026-03-01T00:00:00"},
      // Wall-clock months in a zone: 09:00 New York on the last day, EST then EDT.
      {"R/2026-01-31T09:00:00/P1M", "America/New_York", "2026-02-28T14:00:00", "2026-03-31T13:00:00"},
  });
}

// DST: calendar steps are wall-clock (a gap slot fires right after the gap; an ambiguous one at its first
// occurrence); hours/minutes/seconds are elapsed time, so PT1H fires at both occurrences of a repeated hour.
TEST(Iso8601ScheduleDst, AmericaNewYork) {
  check({
      // 2024-03-10: 02:00 EST -> 03:00 EDT (07:00Z). 02:30 does not exist that day.
      {"R/2024-03-09T02:30:00/P1D", "America/New_York", "2024-03-09T00:00:00", "2024-03-09T07:30:00"},
      {"R/2024-03-09T02:30:00/P1D", "America/New_York", "2024-03-09T07:30:00", "2024-03-10T07:00:00"},
      {"R/2024-03-09T02:30:00/P1D", "America/New_York", "2024-03-10T07:00:00", "2024-03-11T06:30:00"},
      {"R/2024-03-09T12:00:00/P1D", "America/New_York", "2024-03-09T17:00:00", "2024-03-10T16:00:00"},
      {"R/2024-03-10T00:30:00/PT1H", "America/New_York", "2024-03-10T05:30:00", "2024-03-10T06:30:00"},
      {"R/2024-03-10T00:30:00/PT1H", "America/New_York", "2024-03-10T06:30:00", "2024-03-10T07:30:00"},
      // Days then elapsed hours: 12:00 EST + 1 day = 12:00 EDT (16:00Z), + 1 hour = 17:00Z.
      {"R/2024-03-09T12:00:00/P1DT1H", "America/New_York", "2024-03-09T17:00:00", "2024-03-10T17:00:00"},
      // 2024-11-03: 02:00 EDT -> 01:00 EST; 01:30 is 05:30Z then 06:30Z.
      {"R/2024-11-02T01:30:00/P1D", "America/New_York", "2024-11-02T05:30:00", "2024-11-03T05:30:00"},
      {"R/2024-11-02T01:30:00/P1D", "America/New_York", "2024-11-03T05:30:00", "2024-11-04T06:30:00"},
      {"R/2024-11-03T00:30:00/PT1H", "America/New_York", "2024-11-03T04:30:00", "2024-11-03T05:30:00"},
      {"R/2024-11-03T00:30:00/PT1H", "America/New_York", "2024-11-03T05:30:00", "2024-11-03T06:30:00"},
      {"R/2024-11-03T00:30:00/PT1H", "America/New_York", "2024-11-03T06:30:00", "2024-11-03T07:30:00"},
      // A start in the gap is the instant after it.
      {"R/2024-03-10T02:30:00/PT1H", "America/New_York", "2024-03-10T00:00:00", "2024-03-10T07:00:00"},
  });
}

TEST(Iso8601ScheduleDst, EuropeLondon) {
  check({
      // 2024-03-31: 01:00 GMT -> 02:00 BST (01:00Z). 01:30 does not exist that day.
      {"R/2024-03-30T01:30:00/P1D", "Europe/London", "2024-03-30T01:30:00", "2024-03-31T01:00:00"},
      {"R/2024-03-30T01:30:00/P1D", "Europe/London", "2024-03-31T01:00:00", "2024-04-01T00:30:00"},
      {"R/2024-03-31T00:30:00/PT1H", "Europe/London", "2024-03-31T00:30:00", "2024-03-31T01:30:00"},
      // 2024-10-27: 02:00 BST -> 01:00 GMT; 01:30 is 00:30Z then 01:30Z.
      {"R/2024-10-26T01:30:00/P1D", "Europe/London", "2024-10-26T00:30:00", "2024-10-27T00:30:00"},
      {"R/2024-10-26T01:30:00/P1D", "Europe/London", "2024-10-27T00:30:00", "2024-10-28T01:30:00"},
      {"R/2024-10-27T00:00:00/PT1H", "Europe/London", "2024-10-26T23:00:00", "2024-10-27T00:00:00"},
      {"R/2024-10-27T00:00:00/PT1H", "Europe/London", "2024-10-27T00:00:00", "2024-10-27T01:00:00"},
      {"R/2024-10-27T00:00:00/PT1H", "Europe/London", "2024-10-27T01:00:00", "2024-10-27T02:00:00"},
      // Weekly is 7 wall-clock days: Monday 09:00 GMT, then Monday 09:00 BST.
      {"R/2024-03-25T09:00:00/P1W", "Europe/London", "2024-03-25T09:00:00", "2024-04-01T08:00:00"},
  });
}

TEST(Iso8601Schedule, ErrorsNameThePartAndPosition) {
  struct Bad {
    const char* text;
    const char* expected;  // the whole message
  };
  const std::vector<Bad> exact = {
      {"R5", "schedule: at 3: expected 'R[n]/start/period' (3 parts separated by '/')"},
      {"R5/2026-12-03T10:00:00Z", "schedule: at 24: expected 'R[n]/start/period' (3 parts separated by '/')"},
      {"R5x/2026-12-03T10:00:00Z/PT2H",
       "schedule: at 3: repetitions: '5x' must be a whole number (R5) or empty (R: forever)"},
      {"R5/2026-13-03T10:00:00Z/PT2H", "schedule: at 9: start: month 13 is out of range 1-12"},
      {"R5/2026-02-30T10:00:00Z/PT2H", "schedule: at 4: start: 2026-02-30 is not a valid date"},
      {"R5/2026-12-03T25:00:00Z/PT2H", "schedule: at 15: start: hour 25 is out of range 0-23"},
      {"R/2026-12-03T10:00:00Z/P", "schedule: at 24: period: 'P' has no component (e.g. P1D, PT1H)"},
      {"R/2026-12-03T10:00:00Z/PT0S", "schedule: at 24: period: 'PT0S' must be longer than zero"},
      {"R/2026-12-03T10:00:00Z/PT", "schedule: at 26: period: 'T' must be followed by hours, minutes or seconds"},
      {"R/2026-12-03T10:00:00Z/PT1.5S", "schedule: at 27: period: fractions are not supported (berth schedules whole seconds)"},
      {"R/2026-12-03T10:00:00Z/P1D2Y", "schedule: at 28: period: 'Y' is repeated or out of order (PnYnMnWnDTnHnMnS)"},
  };
  for (const auto& b : exact) EXPECT_EQ(error_of(b.text), b.expected) << b.text;

  const std::vector<Bad> partial = {
      {"R5/2026-12-03 10:00:00Z/PT2H", "schedule: at 14: start: expected 'T' and the time of day"},
      {"R5/2026-12-03T10:00:00+25:00/PT2H", "schedule: at 24: start: offset hour 25 is out of range"},
      {"R5/2026-12-03T10:00:00Zulu/PT2H", "schedule: at 24: start: expected the end of the start time"},
      {"R5/26-12-03T10:00:00Z/PT2H", "schedule: at 4: start: expected a four-digit year"},
      {"R/PT1H/2026-12-03T10:00:00Z", "schedule: at 3: start: expected a four-digit year"},
      {"R/2026-12-03T10:00:00Z/2H", "schedule: at 24: period: expected 'P'"},
      {"R/2026-12-03T10:00:00Z/P1H", "schedule: at 26: period: expected a unit Y, M, W or D"},
      {"R/2026-12-03T10:00:00Z/PT1D", "schedule: at 27: period: expected a unit H, M or S after 'T'"},
      {"R/2026-12-03T10:00:00Z/PT-1H", "schedule: at 26: period: expected a whole number then a unit"},
      {"R/2026-12-03T10:00:00Z/PT1H/x", "schedule: at 28: period: expected a whole number then a unit"},
      {"R/2026-12-03T10:00:00Z/PT1HT1M", "schedule: at 28: period: a second 'T'"},
      {"R/2026-12-03T10:00:00Z/PT1M1H", "schedule: at 29: period: 'H' is repeated or out of order"},
      {"R/2026-12-03T10:00:00Z/P1234567890D", "schedule: at 25: period: a number with more than 9 digits"},
  };
  for (const auto& b : partial) {
    const std::string msg = error_of(b.text);
    EXPECT_EQ(msg.rfind(b.expected, 0), 0u) << "'" << b.text << "' gave: " << msg;
  }
}

TEST(Iso8601Schedule, OnlyRThenADigitOrSlashIsThisSyntax) {
  // Anything else starting with "R" is left to the ECS Scheduler form (which rejects it: no field starts with R).
  EXPECT_NE(error_of("Rx/2026-12-03T10:00:00Z/PT2H").find("field 'second' (field 1)"), std::string::npos);
  EXPECT_NE(error_of("r5/2026-12-03T10:00:00Z/PT2H").find("field 'second' (field 1)"), std::string::npos);
  EXPECT_EQ(parsed("R/2026-12-03T10:00:00Z/PT2H").kind, Schedule::Kind::iso8601);
  EXPECT_EQ(parsed("R7/2026-12-03T10:00:00Z/PT2H").kind, Schedule::Kind::iso8601);
  // The other syntaxes keep their kinds.
  EXPECT_EQ(parsed("0 */15").kind, Schedule::Kind::ecs_scheduler);
  EXPECT_EQ(parsed("rate(5 minutes)").kind, Schedule::Kind::rate);
  EXPECT_EQ(parsed("at(2026-12-03T10:00:00)").kind, Schedule::Kind::at);
}

}  // namespace
}  // namespace berth::policy
