// File: tests/policy/schedule_oracle_test.cpp — the ECS Scheduler schedule form against APScheduler 3.x's
// CronTrigger (Debian python3-apscheduler, run with /usr/bin/python3) over fixed-seed random expressions and
// zones. Slots within 3 h of a UTC-offset change are skipped: there berth's DST rules apply (schedule_test.cpp).
#include "policy/schedule.hpp"

#include <gtest/gtest.h>

#include <date/tz.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

namespace berth::policy {
namespace {

// std::mt19937's output is specified by the standard, so the cases are the same everywhere (distributions are not).
class Gen {
 public:
  explicit Gen(std::uint32_t seed) : rng_(seed) {}
  int below(int n) { return static_cast<int>(rng_() % static_cast<std::uint32_t>(n)); }
  int between(int lo, int hi) { return lo + below(hi - lo + 1); }
  template <std::size_t N>
  const char* pick(const char* const (&items)[N]) { return items[below(static_cast<int>(N))]; }

 private:
  std::mt19937 rng_;
};

// A numeric field: "*", "n", "a-b", "a,b", "*/k", "a-b/k".
std::string numeric(Gen& g, int lo, int hi, bool allow_star = true) {
  switch (g.below(allow_star ? 6 : 5)) {
    case 0: return std::to_string(g.between(lo, hi));
    case 1: {
      const int a = g.between(lo, hi);
      return std::to_string(a) + "-" + std::to_string(g.between(a, hi));
    }
    case 2: {
      const int a = g.between(lo, hi), b = g.between(lo, hi);
      return std::to_string(std::min(a, b)) + "," + std::to_string(std::max(a, b) == std::min(a, b) ? hi : std::max(a, b));
    }
    case 3: return "*/" + std::to_string(g.between(2, std::max(2, (hi - lo) / 2)));
    case 4: {
      const int a = g.between(lo, hi);
      return std::to_string(a) + "-" + std::to_string(g.between(a, hi)) + "/" + std::to_string(g.between(2, 5));
    }
    default: return "*";
  }
}

std::string random_expression(Gen& g) {
  static constexpr const char* weekdays[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
  static constexpr const char* months[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                           "jul", "aug", "sep", "oct", "nov", "dec"};
  static constexpr const char* nth[] = {"1st", "2nd", "3rd", "4th", "5th", "last"};
  std::vector<std::string> f;
  f.push_back(numeric(g, 0, 59, false));
  f.push_back(numeric(g, 0, 59));
  f.push_back(numeric(g, 0, 23));
  switch (g.below(5)) {  // day_of_week
    case 0: f.push_back("mon-fri"); break;
    case 1: f.push_back(std::string(g.pick(weekdays)) + "," + g.pick(weekdays)); break;
    case 2: f.push_back(numeric(g, 0, 6)); break;
    default: f.push_back("*");
  }
  f.push_back(g.below(6) == 0 ? numeric(g, 1, 53) : "*");  // week
  switch (g.below(7)) {  // day
    case 0: f.push_back("last"); break;
    case 1: f.push_back(std::string(g.pick(nth)) + "_" + g.pick(weekdays)); break;
    case 2: f.push_back(numeric(g, 1, 31)); break;
    case 3: f.push_back(numeric(g, 1, 28)); break;
    default: f.push_back("*");
  }
  switch (g.below(5)) {  // month
    case 0: f.push_back(g.pick(months)); break;
    case 1: f.push_back(numeric(g, 1, 12)); break;
    default: f.push_back("*");
  }
  f.push_back(g.below(8) == 0 ? std::to_string(g.between(2025, 2031)) + "-2040" : "*");  // year
  const std::size_t given = static_cast<std::size_t>(g.between(1, 8));
  std::string out;
  for (std::size_t i = 0; i < given; ++i) out += (i ? " " : "") + f[i];
  return out;
}

// Whether the zone's UTC offset changes within 3 hours of t.
bool near_offset_change(const date::time_zone& zone, SysSeconds t) {
  using namespace std::chrono_literals;
  const auto info = zone.get_info(t - 3h);
  return info.end <= t + 3h;
}

TEST(ScheduleOracle, EcsSchedulerFormMatchesApschedulerCronTrigger) {
  static constexpr const char* zones[] = {"UTC", "America/New_York", "Europe/London", "Australia/Lord_Howe",
                                          "Asia/Kolkata", "America/Sao_Paulo", "Pacific/Auckland", "Asia/Tokyo",
                                          "America/St_Johns", "Europe/Berlin"};
  Gen g(20261203);
  struct Case {
    std::string expression, zone;
    std::int64_t after;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 500; ++i) {
    const std::string expression = random_expression(g);
    // 2020-01-01 .. ~2030, at second resolution.
    const std::int64_t after = 1577836800LL + static_cast<std::int64_t>(g.below(1 << 30) % 315360000);
    cases.push_back({expression, g.pick(zones), after});
  }
  const std::string in_path = ::testing::TempDir() + "berth_oracle_in.txt";
  const std::string out_path = ::testing::TempDir() + "berth_oracle_out.txt";
  {
    std::ofstream in(in_path);
    for (const auto& c : cases) in << c.expression << '|' << c.zone << '|' << c.after << '\n';
  }
  const std::string command = std::string("/usr/bin/python3 ") + BERTH_APSCHEDULER_ORACLE + " " + in_path + " " + out_path;
  ASSERT_EQ(std::system(command.c_str()), 0) << "oracle failed (is python3-apscheduler installed? scripts/setup.sh)";
  std::ifstream out(out_path);
  int compared = 0;
  for (const auto& c : cases) {
    std::string theirs;
    ASSERT_TRUE(std::getline(out, theirs)) << "oracle output ended early";
    const auto parsed = parse_schedule(c.expression, 0);
    const bool we_reject = std::holds_alternative<ScheduleError>(parsed);
    const bool they_reject = theirs.rfind("error", 0) == 0;
    EXPECT_EQ(we_reject, they_reject) << "'" << c.expression << "': berth "
                                      << (we_reject ? std::get<ScheduleError>(parsed).message : "accepts")
                                      << "; APScheduler " << theirs;
    if (we_reject || they_reject) continue;
    const SysSeconds after{std::chrono::seconds(c.after)};
    const auto ours = next_fire(std::get<Schedule>(parsed), c.zone, after, after);
    const date::time_zone& zone = *date::locate_zone(c.zone);
    const std::optional<SysSeconds> expected =
        theirs == "none" ? std::nullopt : std::optional<SysSeconds>(SysSeconds{std::chrono::seconds(std::stoll(theirs))});
    if ((ours && near_offset_change(zone, *ours)) || (expected && near_offset_change(zone, *expected))) continue;
    // APScheduler 3.x keeps the start's UTC offset while it walks the fields, so a search that crosses an offset
    // change can land an hour or two off (from a later start it agrees with berth); not a reference there.
    if (expected && zone.get_info(after).end <= *expected) continue;
    ++compared;
    EXPECT_EQ(ours ? ours->time_since_epoch().count() : -1, expected ? expected->time_since_epoch().count() : -1)
        << "'" << c.expression << "' in " << c.zone << " after " << c.after;
  }
  RecordProperty("compared", compared);
  EXPECT_GT(compared, 250) << "the skip rules must leave most cases compared";
}

}  // namespace
}  // namespace berth::policy
