// File: src/policy/schedule_iso8601.cpp — Chronos's ISO-8601 repeating interval "R[n]/start/period" to an
// Iso8601Spec: the repetitions, the start (an instant, a wall-clock time or empty) and the period.
#include "policy/schedule_iso8601.hpp"

#include <cctype>
#include <chrono>

namespace berth::policy {
namespace {

constexpr std::string_view start_syntax = "YYYY-MM-DDThh:mm:ss[.s][Z|+hh:mm|-hh:mm]";

// Reads a string left to right; positions in errors are 1-based in the whole schedule.
class Cursor {
 public:
  Cursor(std::string_view text, std::size_t base) : text_(text), base_(base) {}

  bool done() const { return i_ >= text_.size(); }
  char peek() const { return done() ? '\0' : text_[i_]; }
  bool take(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  std::size_t position() const { return base_ + i_; }  // of the next character
  // Exactly `n` digits, or nullopt (nothing consumed).
  std::optional<int> digits(std::size_t n) {
    if (i_ + n > text_.size()) return std::nullopt;
    int v = 0;
    for (std::size_t k = 0; k < n; ++k) {
      const char c = text_[i_ + k];
      if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
      v = v * 10 + (c - '0');
    }
    i_ += n;
    return v;
  }
  // One or more digits; `count` says how many were read (0: none).
  std::int64_t number(std::size_t& count) {
    std::int64_t v = 0;
    count = 0;
    while (!done() && std::isdigit(static_cast<unsigned char>(text_[i_]))) {
      if (count < 18) v = v * 10 + (text_[i_] - '0');
      ++count;
      ++i_;
    }
    return v;
  }
  std::string rest() const { return std::string(text_.substr(std::min(i_, text_.size()))); }

 private:
  std::string_view text_;
  std::size_t base_;
  std::size_t i_ = 0;
};

ScheduleError error_at(std::size_t position, std::string_view part, const std::string& what) {
  return ScheduleError{"schedule: at " + std::to_string(position) + ": " + std::string(part) + ": " + what};
}

ScheduleError unexpected(const Cursor& c, std::string_view part, std::string_view expected) {
  const std::string found = c.done() ? "the end" : "'" + c.rest() + "'";
  return error_at(c.position(), part, "expected " + std::string(expected) + ", found " + found);
}

// "R", "R5": empty is forever.
std::optional<ScheduleError> parse_repetitions(std::string_view text, Iso8601Spec& spec) {
  if (text.empty()) return std::nullopt;
  Cursor c(text, 2);
  std::size_t count = 0;
  const std::int64_t n = c.number(count);
  if (count == 0 || !c.done()) {
    return error_at(c.position(), "repetitions", "'" + std::string(text) + "' must be a whole number (R5) or empty (R: forever)");
  }
  if (count > 18) return error_at(2, "repetitions", "'" + std::string(text) + "' is too large");
  spec.repetitions = static_cast<std::uint64_t>(n);
  return std::nullopt;
}

// A two-digit field with a range check naming it.
std::optional<ScheduleError> field(Cursor& c, const char* name, int min, int max, int& out) {
  const std::size_t at = c.position();
  auto v = c.digits(2);
  if (!v) return unexpected(c, "start", std::string("two digits for the ") + name);
  if (*v < min || *v > max) {
    return error_at(at, "start", std::string(name) + " " + std::to_string(*v) + " is out of range " +
                                     std::to_string(min) + "-" + std::to_string(max));
  }
  out = *v;
  return std::nullopt;
}

// YYYY-MM-DD[Thh:mm[:ss[.s]][Z|+hh:mm|-hh:mm|+hhmm|+hh]] (Joda-Time's DateTime.parse, as Chronos).
std::optional<ScheduleError> parse_start(std::string_view text, std::size_t base, Iso8601Spec& spec) {
  if (text.empty()) return std::nullopt;  // the anchor
  Cursor c(text, base);
  AtSpec t;
  const std::size_t date_at = c.position();
  auto year = c.digits(4);
  if (!year) return unexpected(c, "start", "a four-digit year (" + std::string(start_syntax) + ")");
  t.year = *year;
  if (!c.take('-')) return unexpected(c, "start", "'-' after the year");
  if (auto e = field(c, "month", 1, 12, t.month)) return e;
  if (!c.take('-')) return unexpected(c, "start", "'-' after the month");
  if (auto e = field(c, "day", 1, 31, t.day)) return e;
  const std::chrono::year_month_day ymd{std::chrono::year{t.year}, std::chrono::month{static_cast<unsigned>(t.month)},
                                        std::chrono::day{static_cast<unsigned>(t.day)}};
  if (!ymd.ok()) return error_at(date_at, "start", std::string(text.substr(0, 10)) + " is not a valid date");
  std::optional<std::chrono::seconds> offset;
  const bool has_time = c.take('T');
  if (has_time) {
    if (auto e = field(c, "hour", 0, 23, t.hour)) return e;
    if (!c.take(':')) return unexpected(c, "start", "':' after the hour");
    if (auto e = field(c, "minute", 0, 59, t.minute)) return e;
    if (c.take(':')) {
      if (auto e = field(c, "second", 0, 59, t.second)) return e;
      if (c.take('.') || c.take(',')) {
        std::size_t count = 0;
        c.number(count);  // berth schedules whole seconds: the fraction is dropped
        if (count == 0) return unexpected(c, "start", "digits after the decimal mark");
      }
    }
    if (c.take('Z')) {
      offset = std::chrono::seconds(0);
    } else if (c.peek() == '+' || c.peek() == '-') {
      const int sign = c.peek() == '-' ? -1 : 1;
      c.take(c.peek());
      int hours = 0, minutes = 0;
      if (auto e = field(c, "offset hour", 0, 23, hours)) return e;
      if (c.take(':') || std::isdigit(static_cast<unsigned char>(c.peek()))) {
        if (auto e = field(c, "offset minute", 0, 59, minutes)) return e;
      }
      offset = std::chrono::seconds(sign * (hours * 3600 + minutes * 60));
    }
  }
  if (!c.done()) {
    return unexpected(c, "start", std::string(has_time ? "the end of the start time" : "'T' and the time of day") +
                                      " (" + std::string(start_syntax) + ")");
  }
  if (offset) {
    spec.start_instant = SysSeconds{std::chrono::sys_days{ymd}.time_since_epoch()} + std::chrono::hours(t.hour) +
                         std::chrono::minutes(t.minute) + std::chrono::seconds(t.second) - *offset;
  } else {
    spec.start_wall_clock = t;
  }
  return std::nullopt;
}

// PnYnMnWnDTnHnMnS (Joda-Time's ISOPeriodFormat.standard, as Chronos; weeks may be combined, as Joda allows).
std::optional<ScheduleError> parse_period(std::string_view text, std::size_t base, Iso8601Spec& spec) {
  constexpr std::string_view syntax = "PnYnMnWnDTnHnMnS";
  Cursor c(text, base);
  if (!c.take('P')) return unexpected(c, "period", "'P' (an ISO-8601 duration such as P1D, PT2H, P1M)");
  constexpr std::string_view date_units = "YMWD", time_units = "HMS";
  bool in_time = false;
  std::size_t next_unit = 0;  // units must come in the order of `syntax`, each at most once
  int components = 0;
  std::int64_t values[7] = {};  // Y M W D H M S
  while (!c.done()) {
    if (c.peek() == 'T') {
      if (in_time) return error_at(c.position(), "period", "a second 'T'");
      c.take('T');
      in_time = true;
      next_unit = 0;
      if (c.done()) return error_at(c.position(), "period", "'T' must be followed by hours, minutes or seconds");
      continue;
    }
    const std::size_t number_at = c.position();
    std::size_t count = 0;
    const std::int64_t v = c.number(count);
    if (count == 0) return unexpected(c, "period", "a whole number then a unit (" + std::string(syntax) + ")");
    if (count > 9) return error_at(number_at, "period", "a number with more than 9 digits");
    if (c.peek() == '.' || c.peek() == ',') {
      return error_at(c.position(), "period", "fractions are not supported (berth schedules whole seconds)");
    }
    const std::size_t unit_at = c.position();
    const std::string_view units = in_time ? time_units : date_units;
    const std::size_t unit = units.find(c.peek());
    if (c.done() || unit == std::string_view::npos) {
      return unexpected(c, "period", in_time ? "a unit H, M or S after 'T'" : "a unit Y, M, W or D (or 'T' before H, M, S)");
    }
    if (unit < next_unit) {
      return error_at(unit_at, "period", std::string("'") + c.peek() + "' is repeated or out of order (" +
                                             std::string(syntax) + ")");
    }
    c.take(c.peek());
    next_unit = unit + 1;
    values[(in_time ? 4 : 0) + unit] = v;
    ++components;
  }
  if (components == 0) return error_at(base, "period", "'" + std::string(text) + "' has no component (e.g. P1D, PT1H)");
  spec.years = values[0];
  spec.months = values[1];
  spec.days = values[2] * 7 + values[3];
  spec.elapsed_seconds = values[4] * 3600 + values[5] * 60 + values[6];
  if (spec.years == 0 && spec.months == 0 && spec.days == 0 && spec.elapsed_seconds == 0) {
    return error_at(base, "period", "'" + std::string(text) + "' must be longer than zero");
  }
  return std::nullopt;
}

}  // namespace

bool is_iso8601_schedule(std::string_view text) {
  return text.size() >= 2 && text[0] == 'R' && (text[1] == '/' || std::isdigit(static_cast<unsigned char>(text[1])));
}

ScheduleResult parse_iso8601_schedule(std::string_view text) {
  const auto first = text.find('/');
  const auto second = first == std::string_view::npos ? first : text.find('/', first + 1);
  if (second == std::string_view::npos) {
    return ScheduleError{"schedule: at " + std::to_string(text.size() + 1) +
                         ": expected 'R[n]/start/period' (3 parts separated by '/')"};
  }
  Iso8601Spec spec;
  if (auto e = parse_repetitions(text.substr(1, first - 1), spec)) return *e;
  if (auto e = parse_start(text.substr(first + 1, second - first - 1), first + 2, spec)) return *e;
  if (auto e = parse_period(text.substr(second + 1), second + 2, spec)) return *e;
  return Schedule{Schedule::Kind::iso8601, std::string(text), spec};
}

}  // namespace berth::policy
