// File: tests/policy/schedule_test.cpp — schedule parsing per syntax, error messages, and DST slot tables.
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

Schedule parsed(const std::string& text, std::uint64_t seed = 1) {
  auto r = parse_schedule(text, seed);
  if (auto* e = std::get_if<ScheduleError>(&r)) {
    ADD_FAILURE() << text << ": " << e->message;
    return {};
  }
  return std::get<Schedule>(r);
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

void check(const std::vector<Row>& rows) {
  const SysSeconds anchor = utc("2024-01-01T00:00:00");
  for (const auto& row : rows) {
    const Schedule s = parsed(row.schedule);
    EXPECT_EQ(show(next_fire(s, row.zone, utc(row.after), anchor)), row.expected)
        << row.schedule << " in " << row.zone << " after " << row.after;
  }
}

TEST(Schedule, StandardCronAndMacros) {
  check({
      {"cron:0 9 * * 1-5", "UTC", "2024-06-01T00:00:00", "2024-06-03T09:00:00"},  // Saturday -> Monday
      {"cron:0 0 * * 7", "UTC", "2024-06-03T00:00:00", "2024-06-09T00:00:00"},    // 7 = Sunday
      {"cron:0 0 * * 0", "UTC", "2024-06-03T00:00:00", "2024-06-09T00:00:00"},    // 0 = Sunday
      {"cron:0 0 13 * 5", "UTC", "2024-09-01T00:00:00", "2024-09-06T00:00:00"},   // dom OR dow (Friday first)
      {"cron:*/20 * * jan,jun *", "UTC", "2024-02-01T00:00:00", "2024-06-01T00:00:00"},
      {"cron:15 14 1 * *", "Europe/London", "2024-07-01T14:00:00", "2024-08-01T13:15:00"},
      {"@hourly", "UTC", "2024-06-01T12:00:00", "2024-06-01T13:00:00"},
      {"@daily", "UTC", "2024-06-01T12:00:00", "2024-06-02T00:00:00"},
      {"@weekly", "UTC", "2024-06-01T12:00:00", "2024-06-02T00:00:00"},
      {"@monthly", "UTC", "2024-06-01T12:00:00", "2024-07-01T00:00:00"},
      {"@yearly", "UTC", "2024-06-01T12:00:00", "2025-01-01T00:00:00"},
      {"@daily", "America/New_York", "2024-06-01T12:00:00", "2024-06-02T04:00:00"},
  });
}

TEST(Schedule, StandardCronStarPrefixedDayIsAnd) {
  // Vixie cron: "*/10" starts with '*', so dom and dow are AND-ed: days 1, 11, 21, 31 that are Fridays.
  check({{"cron:0 0 */10 * 5", "UTC", "2024-01-01T00:00:00", "2024-03-01T00:00:00"}});
}

TEST(Schedule, EventBridgeCron) {
  check({
      {"cron(0 10 ? * 6#3 *)", "UTC", "2024-06-01T00:00:00", "2024-06-21T10:00:00"},  // third Friday
      {"cron(0 0 L * ? *)", "UTC", "2024-06-01T00:00:00", "2024-06-30T00:00:00"},
      {"cron(0 0 15W * ? *)", "UTC", "2024-06-01T00:00:00", "2024-06-14T00:00:00"},  // 15th is a Saturday
      {"cron(0 0 1W * ? *)", "UTC", "2024-05-31T00:00:00", "2024-06-03T00:00:00"},   // 1st Sat -> Mon 3rd
      {"cron(0 0 LW * ? *)", "UTC", "2024-06-01T00:00:00", "2024-06-28T00:00:00"},
      {"cron(0 12 ? * 2L 2024)", "UTC", "2024-06-01T00:00:00", "2024-06-24T12:00:00"},  // last Monday
      {"cron(0/30 * * * ? 2030)", "UTC", "2024-06-01T00:00:00", "2030-01-01T00:00:00"},
      {"cron(0 8 ? * MON-FRI *)", "UTC", "2024-06-01T00:00:00", "2024-06-03T08:00:00"},
      {"cron(0 8 ? * 1 *)", "UTC", "2024-06-03T00:00:00", "2024-06-09T08:00:00"},  // 1 = Sunday
      {"cron(0 0 1 1 ? 2020)", "UTC", "2024-06-01T00:00:00", "none"},
  });
}

TEST(Schedule, RateAndAt) {
  const SysSeconds anchor = utc("2024-06-01T00:00:10");
  const Schedule five = parsed("rate(5 minutes)");
  EXPECT_EQ(show(next_fire(five, "UTC", utc("2024-06-01T00:07:00"), anchor)), "2024-06-01T00:10:10");
  EXPECT_EQ(show(next_fire(five, "UTC", utc("2024-06-01T00:10:10"), anchor)), "2024-06-01T00:15:10");
  EXPECT_EQ(show(next_fire(five, "UTC", utc("2024-05-01T00:00:00"), anchor)), "2024-06-01T00:00:10");
  const Schedule one_hour = parsed("rate(1 hour)");
  // Elapsed time across the autumn change: every hour, never shifted.
  EXPECT_EQ(show(next_fire(one_hour, "America/New_York", utc("2024-11-03T05:30:00"), utc("2024-11-03T00:30:00"))),
            "2024-11-03T06:30:00");
  // Days keep the anchor's wall-clock time: 07:00 EST, then 07:00 EDT.
  const Schedule daily = parsed("rate(1 day)");
  EXPECT_EQ(show(next_fire(daily, "America/New_York", utc("2024-03-09T12:00:00"), utc("2024-03-09T12:00:00"))),
            "2024-03-10T11:00:00");
  const Schedule at = parsed("at(2024-07-04T09:00:00)");
  EXPECT_EQ(show(next_fire(at, "America/New_York", utc("2024-07-01T00:00:00"), anchor)), "2024-07-04T13:00:00");
  EXPECT_EQ(show(next_fire(at, "America/New_York", utc("2024-07-04T13:00:00"), anchor)), "none");
  EXPECT_EQ(std::get<Schedule>(parse_schedule("rate(5 minutes)", 0)).kind, Schedule::Kind::rate);
}

TEST(Schedule, EcsSchedulerForm) {
  check({
      {"0 */15", "UTC", "2024-06-01T00:07:00", "2024-06-01T00:15:00"},
      {"30", "UTC", "2024-06-01T00:07:31", "2024-06-01T00:08:30"},
      {"0 0 9 mon-fri", "UTC", "2024-06-01T00:00:00", "2024-06-03T09:00:00"},
      {"0 0 9 0", "UTC", "2024-06-04T00:00:00", "2024-06-10T09:00:00"},  // 0 = Monday
      {"0 0 9 6", "UTC", "2024-06-03T00:00:00", "2024-06-09T09:00:00"},  // 6 = Sunday
      {"0 0 0 * * last", "UTC", "2024-02-01T00:00:00", "2024-02-29T00:00:00"},
      {"0 0 0 * * 2nd_tue", "UTC", "2024-06-01T00:00:00", "2024-06-11T00:00:00"},
      {"0 0 0 * * last_fri", "UTC", "2024-06-01T00:00:00", "2024-06-28T00:00:00"},
      {"0 0 0 * * 1,15 feb", "UTC", "2024-06-01T00:00:00", "2025-02-01T00:00:00"},
      {"0 0 12 * 1", "UTC", "2024-06-01T00:00:00", "2024-12-30T12:00:00"},  // ISO week 1 of 2025
      {"0 0 0 * * 5/10", "UTC", "2024-06-06T00:00:00", "2024-06-15T00:00:00"},  // 5, 15, 25
      {"0 0 0 * * * * 2026-2027", "UTC", "2024-06-06T00:00:00", "2026-01-01T00:00:00"},
      {"0 0 0 * * 30 2", "UTC", "2024-01-01T00:00:00", "none"},
  });
}

TEST(Schedule, EcsSchedulerQuestionMarkIsDrawnOnceAndStored) {
  const Schedule a = parsed("? ? ? * * *", 42);
  const Schedule b = parsed("? ? ? * * *", 42);
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.text.find('?'), std::string::npos) << a.text;
  EXPECT_EQ(a.text.substr(a.text.size() - 6), " * * *");
  // The stored text parses to the same schedule with any seed.
  const Schedule again = parsed(a.text, 7);
  EXPECT_EQ(again.text, a.text);
  bool differs = false;
  for (std::uint64_t seed = 0; seed < 10 && !differs; ++seed) differs = parsed("? ? ?", seed).text != a.text;
  EXPECT_TRUE(differs);
  EXPECT_EQ(parsed("0 ?", 3).text.substr(0, 2), "0 ");
}

TEST(Schedule, BadSchedulesNameWhatIsWrong) {
  struct Bad {
    const char* text;
    const char* expected_part;
  };
  const std::vector<Bad> bad = {
      {"", "empty"},
      {"cron:61 * * * *", "field 'minute' (field 1): '61' is out of range 0-59"},
      {"cron:* * *", "expected 5 fields"},
      {"cron:0 0 * * 8", "'weekday' (field 5)"},
      {"cron:0 0 * foo *", "'foo' is not a valid value"},
      {"cron:5-1 * * * *", "starts after it ends"},
      {"cron:*/0 * * * *", "bad step"},
      {"@often", "@hourly"},
      {"cron(0 0 * * * *)", "exactly one of day-of-month"},
      {"cron(0 0 ? * 8#1 *)", "weekday#n"},
      {"cron(0 0 ? * * 1969)", "'year' (field 6)"},
      {"cron(0 0 * * ?)", "expected 6 fields"},
      {"cron(0 0 * * ? *", "missing closing"},
      {"rate(0 minutes)", "positive"},
      {"rate(5 weeks)", "unit 'weeks'"},
      {"rate(5 minute)", "plural"},
      {"at(2024-02-30T00:00:00)", "not a valid date"},
      {"at(2024-02-01 00:00:00)", "yyyy-mm-ddThh:mm:ss"},
      {"0 0 25", "field 'hour' (field 3)"},
      {"0 0 0 xyz", "field 'day_of_week' (field 4)"},
      {"0 0 0 * 54", "field 'week' (field 5)"},
      {"0 0 0 * * 6th_mon", "1st..5th or last"},
      {"0 0 0 * * 2nd_xyz", "not a weekday name"},
      {"0 0 0 * * * 13", "field 'month' (field 7)"},
      {"1 2 3 4 5 6 7 2024 9", "at most 8 fields"},
  };
  for (const auto& b : bad) {
    const std::string msg = error_of(b.text);
    EXPECT_NE(msg.find(b.expected_part), std::string::npos) << "'" << b.text << "' gave: " << msg;
  }
}

TEST(Schedule, UnknownZoneHasNoSlot) {
  EXPECT_FALSE(next_fire(parsed("@daily"), "Mars/Olympus", utc("2024-01-01T00:00:00"), utc("2024-01-01T00:00:00")));
  EXPECT_FALSE(is_known_zone("Mars/Olympus"));
  EXPECT_TRUE(is_known_zone("Australia/Lord_Howe"));
}

// DST: a gap slot fires once right after the gap; in the repeated hour only an every-hour field fires twice.
TEST(ScheduleDst, AmericaNewYork) {
  check({
      // 2024-03-10: 02:00 EST -> 03:00 EDT (07:00Z).
      {"cron:30 2 * * *", "America/New_York", "2024-03-10T00:00:00", "2024-03-10T07:00:00"},
      {"cron:30 2 * * *", "America/New_York", "2024-03-10T07:00:00", "2024-03-11T06:30:00"},
      {"cron:*/15 2 * * *", "America/New_York", "2024-03-10T06:00:00", "2024-03-10T07:00:00"},
      {"cron:*/15 2 * * *", "America/New_York", "2024-03-10T07:00:00", "2024-03-11T06:00:00"},  // once
      {"cron:*/15 * * * *", "America/New_York", "2024-03-10T06:45:00", "2024-03-10T07:00:00"},
      {"cron:*/15 * * * *", "America/New_York", "2024-03-10T07:00:00", "2024-03-10T07:15:00"},
      {"0 30 2", "America/New_York", "2024-03-10T00:00:00", "2024-03-10T07:00:00"},
      {"cron(30 2 * * ? *)", "America/New_York", "2024-03-10T00:00:00", "2024-03-10T07:00:00"},
      // 2024-11-03: 02:00 EDT -> 01:00 EST; 01:30 is 05:30Z then 06:30Z.
      {"cron:30 1 * * *", "America/New_York", "2024-11-03T04:00:00", "2024-11-03T05:30:00"},
      {"cron:30 1 * * *", "America/New_York", "2024-11-03T05:30:00", "2024-11-04T06:30:00"},
      {"cron:30 * * * *", "America/New_York", "2024-11-03T05:30:00", "2024-11-03T06:30:00"},
      {"cron:30 * * * *", "America/New_York", "2024-11-03T06:30:00", "2024-11-03T07:30:00"},
      {"0 30 *", "America/New_York", "2024-11-03T05:30:00", "2024-11-03T06:30:00"},
      {"0 30 1", "America/New_York", "2024-11-03T05:30:00", "2024-11-04T06:30:00"},
      {"at(2024-11-03T01:30:00)", "America/New_York", "2024-11-03T00:00:00", "2024-11-03T05:30:00"},
      {"at(2024-03-10T02:30:00)", "America/New_York", "2024-03-10T00:00:00", "2024-03-10T07:00:00"},
  });
}

TEST(ScheduleDst, EuropeLondon) {
  check({
      // 2024-03-31: 01:00 GMT -> 02:00 BST (01:00Z).
      {"cron:30 1 * * *", "Europe/London", "2024-03-30T12:00:00", "2024-03-31T01:00:00"},
      {"cron:30 1 * * *", "Europe/London", "2024-03-31T01:00:00", "2024-04-01T00:30:00"},
      // 2024-10-27: 02:00 BST -> 01:00 GMT; 01:30 is 00:30Z then 01:30Z.
      {"cron:30 1 * * *", "Europe/London", "2024-10-26T12:00:00", "2024-10-27T00:30:00"},
      {"cron:30 1 * * *", "Europe/London", "2024-10-27T00:30:00", "2024-10-28T01:30:00"},
      {"cron:*/30 * * * *", "Europe/London", "2024-10-27T00:30:00", "2024-10-27T01:00:00"},
      {"cron:*/30 * * * *", "Europe/London", "2024-10-27T01:00:00", "2024-10-27T01:30:00"},
      {"cron:*/30 * * * *", "Europe/London", "2024-10-27T01:30:00", "2024-10-27T02:00:00"},
  });
}

TEST(ScheduleDst, AustraliaLordHoweHalfHourShift) {
  check({
      // 2024-10-06: 02:00 +10:30 -> 02:30 +11 (2024-10-05T15:30Z); 02:15 does not exist.
      {"cron:15 2 * * *", "Australia/Lord_Howe", "2024-10-05T12:00:00", "2024-10-05T15:30:00"},
      {"cron:15 2 * * *", "Australia/Lord_Howe", "2024-10-05T15:30:00", "2024-10-06T15:15:00"},
      {"cron:*/10 * * * *", "Australia/Lord_Howe", "2024-10-05T15:20:00", "2024-10-05T15:30:00"},
      {"cron:*/10 * * * *", "Australia/Lord_Howe", "2024-10-05T15:30:00", "2024-10-05T15:40:00"},
      // 2024-04-07: 02:00 +11 -> 01:30 +10:30; 01:45 is 14:45Z then 15:15Z.
      {"cron:45 1 * * *", "Australia/Lord_Howe", "2024-04-06T12:00:00", "2024-04-06T14:45:00"},
      {"cron:45 1 * * *", "Australia/Lord_Howe", "2024-04-06T14:45:00", "2024-04-07T15:15:00"},
      {"cron:45 * * * *", "Australia/Lord_Howe", "2024-04-06T14:45:00", "2024-04-06T15:15:00"},
      {"cron:45 * * * *", "Australia/Lord_Howe", "2024-04-06T15:15:00", "2024-04-06T16:15:00"},
  });
}

}  // namespace
}  // namespace berth::policy
