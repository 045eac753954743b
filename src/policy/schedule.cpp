// File: src/policy/schedule.cpp — parse_schedule: every schedule syntax compiled to CronSpec/RateSpec/AtSpec
// (the ISO-8601 repeating interval to Iso8601Spec, in schedule_iso8601.cpp).
#include "policy/schedule.hpp"
#include "policy/schedule_iso8601.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace berth::policy {
namespace {

enum class Dialect : unsigned char { cron, eventbridge, apscheduler };

// Which field a value list belongs to; names and numbering differ per dialect.
struct FieldDef {
  const char* name;
  int min, max;
  const char* const* names = nullptr;  // lower-case names, names[i] is value name_base + i
  int name_base = 0;
};

constexpr const char* month_names[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                       "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr const char* sun_first_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
constexpr const char* mon_first_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == sep) {
      out.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

std::vector<std::string> split_spaces(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  if (s.empty() || s.size() > 9) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Field context for error messages: "field 'minute' (field 2): ...".
struct Ctx {
  const FieldDef& def;
  int position;
  bool step_within_range = false;  // APScheduler rejects a step larger than the range it steps through
  std::string where() const { return std::string("field '") + def.name + "' (field " + std::to_string(position) + ")"; }
};

std::optional<int> value_of(const Ctx& ctx, std::string_view token) {
  if (auto v = to_int(token)) return v;
  if (ctx.def.names == nullptr) return std::nullopt;
  const std::string t = lower(token);
  const int count = ctx.def.max - ctx.def.min + 1;
  for (int i = 0; i < count && i < 12; ++i) {
    if (t == ctx.def.names[i]) return ctx.def.name_base + i;
  }
  return std::nullopt;
}

// One list term: "*", "*/n", "a", "a-b", "a-b/n", "a/n" (a/n = a to max step n). Marks values in `out`.
std::optional<ScheduleError> parse_term(const Ctx& ctx, std::string_view term, std::vector<bool>& out) {
  std::string_view range = term;
  int step = 1;
  if (auto slash = term.find('/'); slash != std::string_view::npos) {
    auto s = to_int(term.substr(slash + 1));
    if (!s || *s <= 0) return ScheduleError{ctx.where() + ": bad step in '" + std::string(term) + "'"};
    step = *s;
    range = term.substr(0, slash);
  }
  int first = ctx.def.min, last = ctx.def.max;
  if (range != "*") {
    auto dash = range.find('-');
    auto a = value_of(ctx, range.substr(0, dash));
    if (!a) return ScheduleError{ctx.where() + ": '" + std::string(range.substr(0, dash)) + "' is not a valid value"};
    first = *a;
    if (dash != std::string_view::npos) {
      auto b = value_of(ctx, range.substr(dash + 1));
      if (!b) return ScheduleError{ctx.where() + ": '" + std::string(range.substr(dash + 1)) + "' is not a valid value"};
      last = *b;
    } else if (step == 1 && term.find('/') == std::string_view::npos) {
      last = first;
    }
  }
  if (first < ctx.def.min || first > ctx.def.max || last < ctx.def.min || last > ctx.def.max) {
    return ScheduleError{ctx.where() + ": '" + std::string(term) + "' is out of range " + std::to_string(ctx.def.min) +
                         "-" + std::to_string(ctx.def.max)};
  }
  if (first > last) {
    return ScheduleError{ctx.where() + ": range '" + std::string(term) + "' starts after it ends"};
  }
  // APScheduler's own range for this check treats a bound of 0 as absent (Python truthiness: "last or max").
  const int check_first = first == 0 ? ctx.def.min : first;
  const int check_last = (range == "*" || last == 0) ? ctx.def.max : last;
  if (ctx.step_within_range && step > 1 && step > check_last - check_first) {
    return ScheduleError{ctx.where() + ": step " + std::to_string(step) + " in '" + std::string(term) +
                         "' is larger than the range it steps through"};
  }
  for (int v = first; v <= last; v += step) out[static_cast<std::size_t>(v)] = true;
  return std::nullopt;
}

std::optional<ScheduleError> parse_list(const Ctx& ctx, std::string_view text, std::vector<bool>& out) {
  if (text.empty()) return ScheduleError{ctx.where() + ": empty"};
  for (const auto& term : split(text, ',')) {
    if (term.empty()) return ScheduleError{ctx.where() + ": empty list item in '" + std::string(text) + "'"};
    if (auto err = parse_term(ctx, term, out)) return err;
  }
  return std::nullopt;
}

template <std::size_t N>
std::bitset<N> to_bits(const std::vector<bool>& v, int offset = 0) {
  std::bitset<N> b;
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (v[i]) b.set(static_cast<std::size_t>(static_cast<int>(i) + offset));
  }
  return b;
}

// Simple numeric field straight into a bitset (second, minute, hour, day, month, week).
template <std::size_t N>
std::optional<ScheduleError> simple_field(const FieldDef& def, int position, std::string_view text, std::bitset<N>& bits,
                                          bool step_within_range = false) {
  std::vector<bool> values(static_cast<std::size_t>(def.max + 1), false);
  if (auto err = parse_list(Ctx{def, position, step_within_range}, text, values)) return err;
  bits = to_bits<N>(values);
  return std::nullopt;
}

constexpr FieldDef second_def{"second", 0, 59};
constexpr FieldDef minute_def{"minute", 0, 59};
constexpr FieldDef hour_def{"hour", 0, 23};
constexpr FieldDef day_def{"day", 1, 31};
constexpr FieldDef month_def{"month", 1, 12, month_names, 1};
constexpr FieldDef week_def{"week", 1, 53};

// Standard cron: "m h dom mon dow".
ScheduleResult parse_cron5(std::string_view body, Schedule::Kind kind, std::string text) {
  auto fields = split_spaces(body);
  if (fields.size() != 5) {
    return ScheduleError{"cron: expected 5 fields (minute hour day month weekday), got " + std::to_string(fields.size())};
  }
  CronSpec spec;
  spec.second.set(0);
  if (auto e = simple_field(minute_def, 1, fields[0], spec.minute)) return *e;
  if (auto e = simple_field(hour_def, 2, fields[1], spec.hour)) return *e;
  if (auto e = simple_field(day_def, 3, fields[2], spec.day)) return *e;
  if (auto e = simple_field(month_def, 4, fields[3], spec.month)) return *e;
  static constexpr FieldDef weekday_def{"weekday", 0, 7, sun_first_names, 0};
  std::vector<bool> wd(8, false);
  if (auto e = parse_list(Ctx{weekday_def, 5}, fields[4], wd)) return *e;
  if (wd[7]) wd[0] = true;  // 7 = Sunday, as 0
  wd.resize(7);
  spec.weekday = to_bits<7>(wd);
  spec.hour_every = spec.hour.all();
  // Vixie cron: a field starting with '*' is unrestricted; when both are restricted either may match.
  spec.day_any = fields[2] == "*";
  spec.weekday_any = fields[4] == "*";
  spec.day_or_weekday = fields[2][0] != '*' && fields[4][0] != '*';
  return Schedule{kind, std::move(text), spec};
}

// EventBridge: "cron(m h dom mon dow year)".
ScheduleResult parse_eventbridge(std::string_view body, std::string text) {
  auto fields = split_spaces(body);
  if (fields.size() != 6) {
    return ScheduleError{"cron(): expected 6 fields (minutes hours day-of-month month day-of-week year), got " +
                         std::to_string(fields.size())};
  }
  CronSpec spec;
  spec.second.set(0);
  if (auto e = simple_field(minute_def, 1, fields[0], spec.minute)) return *e;
  if (auto e = simple_field(hour_def, 2, fields[1], spec.hour)) return *e;
  if (auto e = simple_field(month_def, 4, fields[3], spec.month)) return *e;
  spec.hour_every = spec.hour.all();
  const std::string dom = lower(fields[2]);
  const std::string dow = lower(fields[4]);
  if ((dom == "?") == (dow == "?")) {
    return ScheduleError{"cron(): exactly one of day-of-month (field 3) and day-of-week (field 5) must be '?'"};
  }
  if (dom != "?") {
    spec.day_any = dom == "*";
    if (dom == "l") {
      spec.day_rules.push_back({DayRule::Kind::last_day, 0, 0, 0});
    } else if (dom == "lw") {
      spec.day_rules.push_back({DayRule::Kind::last_nearest_weekday, 0, 0, 0});
    } else if (dom.rfind("l-", 0) == 0) {
      auto n = to_int(std::string_view(dom).substr(2));
      if (!n || *n > 30) return ScheduleError{"cron(): field 'day-of-month' (field 3): bad offset in '" + fields[2] + "'"};
      spec.day_rules.push_back({DayRule::Kind::last_day, *n, 0, 0});
    } else if (dom.size() > 1 && dom.back() == 'w') {
      auto n = to_int(std::string_view(dom).substr(0, dom.size() - 1));
      if (!n || *n < 1 || *n > 31) {
        return ScheduleError{"cron(): field 'day-of-month' (field 3): bad day in '" + fields[2] + "'"};
      }
      spec.day_rules.push_back({DayRule::Kind::nearest_weekday, *n, 0, 0});
    } else if (auto e = simple_field(FieldDef{"day-of-month", 1, 31}, 3, dom, spec.day)) {
      return *e;
    }
  }
  static constexpr FieldDef weekday_def{"day-of-week", 1, 7, sun_first_names, 1};
  if (dow != "?") {
    spec.weekday_any = dow == "*";
    const Ctx ctx{weekday_def, 5};
    if (auto hash = dow.find('#'); hash != std::string::npos) {
      auto wd = value_of(ctx, std::string_view(dow).substr(0, hash));
      auto nth = to_int(std::string_view(dow).substr(hash + 1));
      if (!wd || *wd < 1 || *wd > 7 || !nth || *nth < 1 || *nth > 5) {
        return ScheduleError{ctx.where() + ": '" + fields[4] + "' must be weekday#n with weekday 1-7 and n 1-5"};
      }
      spec.weekday_rules.push_back({DayRule::Kind::nth_weekday, 0, *wd - 1, *nth});
    } else if (dow == "l") {
      spec.weekday.set(6);  // L alone: the last day of the week, Saturday
    } else if (dow.size() > 1 && dow.back() == 'l') {
      auto wd = value_of(ctx, std::string_view(dow).substr(0, dow.size() - 1));
      if (!wd || *wd < 1 || *wd > 7) return ScheduleError{ctx.where() + ": bad weekday in '" + fields[4] + "'"};
      spec.weekday_rules.push_back({DayRule::Kind::last_weekday, 0, *wd - 1, 0});
    } else {
      std::vector<bool> wd(8, false);
      if (auto e = parse_list(ctx, dow, wd)) return *e;
      for (int i = 1; i <= 7; ++i) spec.weekday[static_cast<std::size_t>(i - 1)] = wd[static_cast<std::size_t>(i)];
    }
  }
  if (fields[5] != "*") {
    static constexpr FieldDef year_def{"year", 1970, 2199};
    std::vector<bool> years(2200, false);
    if (auto e = parse_list(Ctx{year_def, 6}, fields[5], years)) return *e;
    spec.years.assign(years.begin() + 1970, years.end());
  }
  return Schedule{Schedule::Kind::eventbridge_cron, std::move(text), spec};
}

// APScheduler's day field: numbers plus "last", "xth y" and "last y" (ECS Scheduler writes the space as '_').
std::optional<ScheduleError> apscheduler_day(std::string_view text, CronSpec& spec) {
  const Ctx ctx{day_def, 6, true};
  std::vector<bool> values(32, false);
  bool plain = false;
  for (auto term : split(lower(text), ',')) {
    std::replace(term.begin(), term.end(), '_', ' ');
    if (term == "last") {
      spec.day_rules.push_back({DayRule::Kind::last_day, 0, 0, 0});
      continue;
    }
    if (auto space = term.find(' '); space != std::string::npos) {
      const std::string which = term.substr(0, space);
      const std::string day = term.substr(term.find_first_not_of(' ', space));
      auto wd = std::find(std::begin(mon_first_names), std::end(mon_first_names), day);
      if (wd == std::end(mon_first_names)) return ScheduleError{ctx.where() + ": '" + day + "' is not a weekday name"};
      const int weekday = static_cast<int>((wd - std::begin(mon_first_names) + 1) % 7);  // to 0 = Sunday
      static constexpr const char* nths[] = {"1st", "2nd", "3rd", "4th", "5th"};
      if (which == "last") {
        spec.day_rules.push_back({DayRule::Kind::last_weekday, 0, weekday, 0});
        continue;
      }
      auto n = std::find(std::begin(nths), std::end(nths), which);
      if (n == std::end(nths)) return ScheduleError{ctx.where() + ": '" + which + "' must be 1st..5th or last"};
      spec.day_rules.push_back({DayRule::Kind::nth_weekday, 0, weekday, static_cast<int>(n - std::begin(nths)) + 1});
      continue;
    }
    if (auto e = parse_term(ctx, term, values)) return e;
    plain = true;
  }
  if (plain) spec.day = to_bits<32>(values);
  spec.day_any = text == "*";
  return std::nullopt;
}

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// ECS Scheduler: "second minute hour day_of_week week day month year", APScheduler CronTrigger semantics (all
// fields AND-ed), omitted right-hand fields "*".
ScheduleResult parse_ecs_scheduler(std::string_view text, std::uint64_t seed) {
  auto fields = split_spaces(text);
  if (fields.empty()) return ScheduleError{"schedule is empty"};
  if (fields.size() > 8) {
    return ScheduleError{"schedule: at most 8 fields (second minute hour day_of_week week day month year), got " +
                         std::to_string(fields.size())};
  }
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < fields.size() && i < 3; ++i) {
    if (fields[i] == "?") {
      const std::uint64_t range = i == 2 ? 24 : 60;
      fields[i] = std::to_string(splitmix64(state) % range);
    }
  }
  std::string resolved;
  for (const auto& f : fields) resolved += (resolved.empty() ? "" : " ") + f;
  fields.resize(8, "*");

  CronSpec spec;
  if (auto e = simple_field(second_def, 1, fields[0], spec.second, true)) return *e;
  if (auto e = simple_field(minute_def, 2, fields[1], spec.minute, true)) return *e;
  if (auto e = simple_field(hour_def, 3, fields[2], spec.hour, true)) return *e;
  static constexpr FieldDef weekday_def{"day_of_week", 0, 6, mon_first_names, 0};
  std::vector<bool> wd(7, false);
  if (auto e = parse_list(Ctx{weekday_def, 4, true}, fields[3], wd)) return *e;
  for (int i = 0; i < 7; ++i) spec.weekday[static_cast<std::size_t>((i + 1) % 7)] = wd[static_cast<std::size_t>(i)];
  spec.weekday_any = fields[3] == "*";
  if (auto e = simple_field(week_def, 5, fields[4], spec.week, true)) return *e;
  spec.week_any = fields[4] == "*";
  if (auto e = apscheduler_day(fields[5], spec)) return *e;
  if (auto e = simple_field(month_def, 7, fields[6], spec.month, true)) return *e;
  if (fields[7] != "*") {
    static constexpr FieldDef year_def{"year", 1970, 9999};
    std::vector<bool> years(10000, false);
    if (auto e = parse_list(Ctx{year_def, 8, true}, fields[7], years)) return *e;
    spec.years.assign(years.begin() + 1970, years.end());
  }
  spec.hour_every = spec.hour.all();
  return Schedule{Schedule::Kind::ecs_scheduler, std::move(resolved), spec};
}

ScheduleResult parse_rate(std::string_view body, std::string text) {
  auto parts = split_spaces(body);
  if (parts.size() != 2) return ScheduleError{"rate(): expected 'rate(N minutes|hours|days)'"};
  auto n = to_int(parts[0]);
  if (!n || *n <= 0) return ScheduleError{"rate(): '" + parts[0] + "' is not a positive whole number"};
  const std::string unit = lower(parts[1]);
  RateSpec spec;
  if (unit == "minute" || unit == "minutes") {
    spec.period = std::chrono::minutes(*n);
  } else if (unit == "hour" || unit == "hours") {
    spec.period = std::chrono::hours(*n);
  } else if (unit == "day" || unit == "days") {
    spec.period = std::chrono::hours(24) * *n;
    spec.wall_clock_days = true;
  } else {
    return ScheduleError{"rate(): unit '" + parts[1] + "' must be minutes, hours or days"};
  }
  if ((*n == 1) != (unit.back() != 's')) {
    return ScheduleError{"rate(): use '1 " + std::string(unit.back() == 's' ? unit.substr(0, unit.size() - 1) : unit) +
                         "' for one and plural units for more (as EventBridge)"};
  }
  return Schedule{Schedule::Kind::rate, std::move(text), spec};
}

ScheduleResult parse_at(std::string_view body, std::string text) {
  // yyyy-mm-ddThh:mm:ss, exactly.
  const auto bad = ScheduleError{"at(): '" + std::string(body) + "' must be yyyy-mm-ddThh:mm:ss"};
  if (body.size() != 19 || body[4] != '-' || body[7] != '-' || body[10] != 'T' || body[13] != ':' || body[16] != ':') {
    return bad;
  }
  auto num = [&](std::size_t pos, std::size_t len) { return to_int(body.substr(pos, len)); };
  auto y = num(0, 4), mo = num(5, 2), d = num(8, 2), h = num(11, 2), mi = num(14, 2), s = num(17, 2);
  if (!y || !mo || !d || !h || !mi || !s) return bad;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*mo)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 59) return ScheduleError{"at(): '" + std::string(body) + "' is not a valid date and time"};
  return Schedule{Schedule::Kind::at, std::move(text), AtSpec{*y, *mo, *d, *h, *mi, *s}};
}

std::optional<std::string_view> inside(std::string_view text, std::string_view prefix) {
  if (text.substr(0, prefix.size()) != prefix) return std::nullopt;
  if (text.empty() || text.back() != ')') return std::nullopt;
  return text.substr(prefix.size(), text.size() - prefix.size() - 1);
}

}  // namespace

ScheduleResult parse_schedule(std::string_view raw, std::uint64_t seed) {
  auto first = raw.find_first_not_of(" \t");
  auto last = raw.find_last_not_of(" \t");
  if (first == std::string_view::npos) return ScheduleError{"schedule is empty"};
  const std::string_view text = raw.substr(first, last - first + 1);
  const std::string stored(text);

  if (text.substr(0, 5) == "cron:") return parse_cron5(text.substr(5), Schedule::Kind::cron, stored);
  if (text[0] == '@') {
    static constexpr std::pair<std::string_view, std::string_view> macros[] = {
        {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
        {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
        {"@annually", "0 0 1 1 *"}};
    for (const auto& [name, expansion] : macros) {
      if (text == name) return parse_cron5(expansion, Schedule::Kind::macro, stored);
    }
    return ScheduleError{"'" + stored + "' is not one of @hourly, @daily, @weekly, @monthly, @yearly"};
  }
  if (text.substr(0, 5) == "cron(") {
    auto body = inside(text, "cron(");
    if (!body) return ScheduleError{"cron(): missing closing ')'"};
    return parse_eventbridge(*body, stored);
  }
  if (text.substr(0, 5) == "rate(") {
    auto body = inside(text, "rate(");
    if (!body) return ScheduleError{"rate(): missing closing ')'"};
    return parse_rate(*body, stored);
  }
  if (is_iso8601_schedule(text)) return parse_iso8601_schedule(text);
  if (text.substr(0, 3) == "at(") {
    auto body = inside(text, "at(");
    if (!body) return ScheduleError{"at(): missing closing ')'"};
    return parse_at(*body, stored);
  }
  return parse_ecs_scheduler(text, seed);
}

}  // namespace berth::policy
