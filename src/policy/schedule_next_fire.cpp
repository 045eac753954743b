// File: src/policy/schedule_next_fire.cpp — next_fire: wall-clock slots in a time zone, with the DST rules of
// schedule.hpp (gap slots fire once right after the gap; repeated hour twice only for an every-hour field), and the
// slots of an ISO-8601 repeating interval.
#include "policy/schedule.hpp"

#include <date/iso_week.h>
#include <date/tz.h>

#include <algorithm>
#include <cstdint>

namespace berth::policy {
namespace {

using namespace std::chrono_literals;
using LocalSeconds = date::local_seconds;
using LocalDays = date::local_days;

// No zone's UTC offset changes by more than this at once; bounds how far local and UTC order can disagree.
constexpr auto max_shift = std::chrono::seconds(3h);
// Searching beyond the last year any syntax accepts finds nothing.
constexpr int last_year = 9999;

const date::time_zone* find_zone(std::string_view name) {
  try {
    return date::locate_zone(name);
  } catch (const std::exception&) {
    return nullptr;  // unknown zone name: an expected failure, reported as "no slot"
  }
}

// The UTC instants of local slot `l`: one normally, the instant after the gap for a skipped one, and in a
// repeated hour the first occurrence (plus the second when `both`).
void to_instants(const date::time_zone& zone, LocalSeconds l, bool both, std::vector<SysSeconds>& out) {
  const auto info = zone.get_info(l);
  switch (info.result) {
    case date::local_info::unique:
      out.push_back(SysSeconds{l.time_since_epoch() - info.first.offset});
      break;
    case date::local_info::nonexistent:
      out.push_back(info.first.end);
      break;
    case date::local_info::ambiguous:
      out.push_back(SysSeconds{l.time_since_epoch() - info.first.offset});
      if (both) out.push_back(SysSeconds{l.time_since_epoch() - info.second.offset});
      break;
  }
}

bool rule_matches(const DayRule& rule, const date::year_month_day& ymd, int weekday) {
  const int d = static_cast<int>(static_cast<unsigned>(ymd.day()));
  const int last = static_cast<int>(static_cast<unsigned>((ymd.year() / ymd.month() / date::last).day()));
  auto weekday_of = [&](int day) {
    return static_cast<int>(date::weekday{date::sys_days{ymd.year() / ymd.month() / date::day(static_cast<unsigned>(day))}}
                                .c_encoding());
  };
  switch (rule.kind) {
    case DayRule::Kind::last_day:
      return d == last - rule.value;
    case DayRule::Kind::nearest_weekday: {
      // Quartz/EventBridge "W": the weekday nearest the day, never crossing into another month.
      int target = std::min(rule.value, last);
      const int wd = weekday_of(target);
      if (wd == 6) target = target == 1 ? target + 2 : target - 1;
      else if (wd == 0) target = target == last ? target - 2 : target + 1;
      return d == target;
    }
    case DayRule::Kind::last_nearest_weekday: {
      int target = last;
      while (weekday_of(target) == 0 || weekday_of(target) == 6) --target;
      return d == target;
    }
    case DayRule::Kind::nth_weekday:
      return weekday == rule.weekday && (d - 1) / 7 + 1 == rule.nth;
    case DayRule::Kind::last_weekday:
      return weekday == rule.weekday && d + 7 > last;
  }
  return false;
}

bool day_matches(const CronSpec& spec, LocalDays day) {
  const date::year_month_day ymd{day};
  const int weekday = static_cast<int>(date::weekday{day}.c_encoding());
  if (!spec.month[static_cast<unsigned>(ymd.month())]) return false;
  if (!spec.week_any) {
    const iso_week::year_weeknum_weekday iso{date::sys_days{day.time_since_epoch()}};
    if (!spec.week[static_cast<unsigned>(iso.weeknum())]) return false;
  }
  bool dom = spec.day_any || spec.day[static_cast<unsigned>(ymd.day())];
  for (const auto& r : spec.day_rules) dom = dom || rule_matches(r, ymd, weekday);
  bool dow = spec.weekday_any || spec.weekday[static_cast<std::size_t>(weekday)];
  for (const auto& r : spec.weekday_rules) dow = dow || rule_matches(r, ymd, weekday);
  return spec.day_or_weekday ? (dom || dow) : (dom && dow);
}

bool year_allowed(const CronSpec& spec, int year) {
  if (spec.years.empty()) return true;
  const auto i = static_cast<std::size_t>(year - 1970);
  return year >= 1970 && i < spec.years.size() && spec.years[i];
}

std::optional<SysSeconds> next_cron(const CronSpec& spec, const date::time_zone& zone, SysSeconds after) {
  const auto after_local = zone.to_local(after);
  const LocalSeconds lower = after_local - max_shift;  // no earlier local slot can be later than `after` in UTC
  LocalDays day = date::floor<date::days>(lower);
  std::optional<SysSeconds> best;
  std::optional<LocalSeconds> best_local;
  std::vector<SysSeconds> instants;
  // The Gregorian calendar repeats every 400 years: a day pattern unmatched by then never matches.
  const int horizon = static_cast<int>(date::year_month_day{day}.year()) + 401;
  while (true) {
    if (best_local && LocalSeconds{day} > *best_local + max_shift) return best;
    const date::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    if (year > last_year || (spec.years.empty() && year > horizon)) return best;
    if (!year_allowed(spec, year)) {  // skip the whole year
      if (!spec.years.empty() && static_cast<std::size_t>(year - 1970) >= spec.years.size()) return best;
      day = LocalDays{date::year{year + 1} / 1 / 1};
      continue;
    }
    if (!spec.month[static_cast<unsigned>(ymd.month())]) {  // skip the whole month
      day = LocalDays{(ymd.year() / ymd.month() + date::months{1}) / 1};
      continue;
    }
    if (day_matches(spec, day)) {
      for (int h = 0; h < 24; ++h) {
        if (!spec.hour[static_cast<std::size_t>(h)]) continue;
        const LocalSeconds hour_start = LocalSeconds{day} + std::chrono::hours(h);
        if (hour_start + 1h <= lower) continue;
        if (best_local && hour_start > *best_local + max_shift) break;
        for (int m = 0; m < 60; ++m) {
          if (!spec.minute[static_cast<std::size_t>(m)]) continue;
          const LocalSeconds minute_start = hour_start + std::chrono::minutes(m);
          if (minute_start + 1min <= lower) continue;
          for (int s = 0; s < 60; ++s) {
            if (!spec.second[static_cast<std::size_t>(s)]) continue;
            const LocalSeconds slot = minute_start + std::chrono::seconds(s);
            if (slot < lower) continue;
            instants.clear();
            to_instants(zone, slot, spec.hour_every, instants);
            for (const auto t : instants) {
              if (t > after && (!best || t < *best)) {
                best = t;
                if (!best_local) best_local = slot;
              }
            }
            // Later seconds of this minute map to later instants unless a shift intervenes; one hit per
            // minute bounds the work for "every second" schedules.
            if (best_local && slot > *best_local + max_shift) break;
          }
        }
      }
    }
    day += date::days{1};
  }
}

std::optional<SysSeconds> next_rate(const RateSpec& spec, const date::time_zone& zone, SysSeconds after,
                                    SysSeconds anchor) {
  if (!spec.wall_clock_days) {
    if (after < anchor) return anchor;
    const auto k = (after - anchor) / spec.period + 1;
    return anchor + k * spec.period;
  }
  // Days: the anchor's local time of day, every N local days.
  const auto anchor_local = zone.to_local(anchor);
  const auto days = std::chrono::duration_cast<date::days>(spec.period).count();
  const auto elapsed = date::floor<date::days>(zone.to_local(after) - anchor_local).count();
  std::int64_t k = std::max<std::int64_t>(0, elapsed / days - 1);
  std::vector<SysSeconds> instants;
  for (int guard = 0; guard < 8; ++guard, ++k) {
    instants.clear();
    to_instants(zone, anchor_local + date::days{k * days}, false, instants);
    if (instants.front() > after && instants.front() >= anchor) return instants.front();
  }
  return std::nullopt;
}

std::optional<SysSeconds> next_at(const AtSpec& at, const date::time_zone& zone, SysSeconds after) {
  const LocalSeconds slot = LocalDays{date::year{at.year} / at.month / at.day} + std::chrono::hours(at.hour) +
                            std::chrono::minutes(at.minute) + std::chrono::seconds(at.second);
  std::vector<SysSeconds> instants;
  to_instants(zone, slot, false, instants);
  if (instants.front() > after) return instants.front();
  return std::nullopt;
}

// Slot k of an R[n]/start/period (schedule.hpp's Iso8601Spec); nullopt once the n runs are done or the slot is
// past the last year any syntax schedules.
class Iso8601Slots {
 public:
  Iso8601Slots(const Iso8601Spec& spec, const date::time_zone& zone, SysSeconds anchor) : spec_(spec), zone_(zone) {
    if (spec.start_instant) {
      start_ = *spec.start_instant;
      start_local_ = zone.to_local(start_);
    } else if (spec.start_wall_clock) {
      const AtSpec& w = *spec.start_wall_clock;
      start_local_ = LocalDays{date::year{w.year} / w.month / w.day} + std::chrono::hours(w.hour) +
                     std::chrono::minutes(w.minute) + std::chrono::seconds(w.second);
      start_ = first_instant(start_local_);
    } else {
      start_ = anchor;
      start_local_ = zone.to_local(anchor);
    }
    runs_ = spec.repetitions ? static_cast<std::int64_t>(std::min<std::uint64_t>(*spec.repetitions, INT64_MAX))
                             : INT64_MAX;
  }

  std::optional<SysSeconds> operator()(std::int64_t k) const {
    if (k >= runs_) return std::nullopt;
    if (k == 0) return start_;
    // Steps beyond 10,000 years end past last_year; the bounds also keep the products below from overflowing.
    constexpr std::int64_t max_years = 10000, max_days = max_years * 366, max_seconds = max_days * 86400;
    if ((spec_.years > 0 && k > max_years / spec_.years) || (spec_.months > 0 && k > max_years * 12 / spec_.months) ||
        (spec_.days > 0 && k > max_days / spec_.days) ||
        (spec_.elapsed_seconds > 0 && k > max_seconds / spec_.elapsed_seconds)) {
      return std::nullopt;
    }
    SysSeconds t = start_;
    if (spec_.years != 0 || spec_.months != 0 || spec_.days != 0) {
      const LocalDays start_day = date::floor<date::days>(start_local_);
      date::year_month_day d{start_day};
      // Joda-Time's plusYears then plusMonths: each keeps the day of month, clamped to the month's last day.
      auto step = [](date::year_month ym, date::day day) {
        return date::year_month_day{ym / std::min(day, (ym / date::last).day())};
      };
      if (spec_.years != 0) d = step(d.year() / d.month() + date::years{static_cast<int>(k * spec_.years)}, d.day());
      if (spec_.months != 0) d = step(d.year() / d.month() + date::months{static_cast<int>(k * spec_.months)}, d.day());
      const LocalDays day = LocalDays{d} + date::days{k * spec_.days};
      if (date::year_month_day{day}.year() > date::year{last_year}) return std::nullopt;
      t = first_instant(LocalSeconds{day} + (start_local_ - LocalSeconds{start_day}));
    }
    t += std::chrono::seconds(k * spec_.elapsed_seconds);
    if (t >= SysSeconds{date::sys_days{date::year{last_year + 1} / 1 / 1}}) return std::nullopt;
    return t;
  }

 private:
  SysSeconds first_instant(LocalSeconds l) const {
    std::vector<SysSeconds> instants;
    to_instants(zone_, l, false, instants);
    return instants.front();
  }

  const Iso8601Spec& spec_;
  const date::time_zone& zone_;
  SysSeconds start_{};
  LocalSeconds start_local_{};
  std::int64_t runs_ = 0;
};

// Slots never go backwards in k (calendar steps are taken from the start, not from the previous slot), so the
// first one after `after` is found by doubling k, then bisecting: ~2 log2(k) slots, whatever the period.
std::optional<SysSeconds> next_iso8601(const Iso8601Spec& spec, const date::time_zone& zone, SysSeconds after,
                                       SysSeconds anchor) {
  const Iso8601Slots slot(spec, zone, anchor);
  auto past = [&](std::int64_t k) {  // slot k is after `after`, or there is none
    const auto t = slot(k);
    return !t || *t > after;
  };
  if (past(0)) return slot(0);
  std::int64_t lo = 0, hi = 1;  // !past(lo)
  while (!past(hi)) {
    if (hi > INT64_MAX / 2) return std::nullopt;
    lo = hi;
    hi *= 2;
  }
  while (hi - lo > 1) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    (past(mid) ? hi : lo) = mid;
  }
  return slot(hi);
}

}  // namespace

bool is_known_zone(std::string_view zone) { return find_zone(zone) != nullptr; }

std::optional<SysSeconds> next_fire(const Schedule& schedule, std::string_view zone_name, SysSeconds after,
                                    SysSeconds anchor) {
  const date::time_zone* zone = find_zone(zone_name);
  if (zone == nullptr) return std::nullopt;
  if (const auto* cron = std::get_if<CronSpec>(&schedule.body)) return next_cron(*cron, *zone, after);
  if (const auto* rate = std::get_if<RateSpec>(&schedule.body)) return next_rate(*rate, *zone, after, anchor);
  if (const auto* iso = std::get_if<Iso8601Spec>(&schedule.body)) return next_iso8601(*iso, *zone, after, anchor);
  return next_at(std::get<AtSpec>(schedule.body), *zone, after);
}

}  // namespace berth::policy
