// File: src/http/api/api_job_json.cpp — job JSON: strict body parsing that lists every bad field, and encoding of a
// job (with its newest run) and of runs, times in the job's zone.
#include "http/api/api_job_json.hpp"

#include "policy/schedule.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

namespace berth::http::api {
namespace json = boost::json;
using namespace std::chrono;
using policy::JobSpec;

std::string JobFieldError::dotted() const {
  std::string out;
  for (const auto& p : path) {
    const bool index = !p.empty() && std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (index) out += "[" + p + "]";
    else out += (out.empty() ? "" : ".") + p;
  }
  return out;
}

std::string task_definition_family(std::string_view td) {
  if (auto slash = td.rfind('/'); slash != std::string_view::npos) td = td.substr(slash + 1);
  return std::string(td.substr(0, td.find(':')));
}

// --- times ---------------------------------------------------------------------------------------------------

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<policy::SysSeconds> parse_iso8601(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return std::nullopt;
  const auto ymd = date::year(y) / date::month(static_cast<unsigned>(mo)) / date::day(static_cast<unsigned>(d));
  if (!ymd.ok()) return std::nullopt;
  std::size_t pos = 10;
  if (pos < s.size()) {
    if (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' ') return std::nullopt;
    if (!digits(s, pos + 1, 2, h) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, mi))
      return std::nullopt;
    pos += 6;
    if (pos < s.size() && s[pos] == ':') {
      if (!digits(s, pos + 1, 2, sec)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {  // a fraction: kept to the second
        ++pos;
        const std::size_t start = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == start) return std::nullopt;
      }
    }
    if (h > 23 || mi > 59 || sec > 59) return std::nullopt;
  }
  int offset_minutes = 0;
  if (pos < s.size()) {
    if (s[pos] == 'Z' || s[pos] == 'z') {
      ++pos;
    } else if (s[pos] == '+' || s[pos] == '-') {
      const int sign = s[pos] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!digits(s, pos + 1, 2, oh)) return std::nullopt;
      pos += 3;
      if (pos < s.size() && s[pos] == ':') ++pos;
      if (!digits(s, pos, 2, om)) return std::nullopt;
      pos += 2;
      if (oh > 23 || om > 59) return std::nullopt;
      offset_minutes = sign * (oh * 60 + om);
    } else {
      return std::nullopt;
    }
  }
  if (pos != s.size()) return std::nullopt;
  const auto local = date::sys_days(ymd) + hours(h) + minutes(mi) + seconds(sec);
  return policy::SysSeconds(local - minutes(offset_minutes));
}

std::string format_zoned_time(policy::SystemTime t, std::string_view zone) {
  const date::time_zone* tz = nullptr;
  try {
    tz = date::locate_zone(zone);
  } catch (const std::exception&) {
    tz = date::locate_zone("UTC");
  }
  const auto us = floor<microseconds>(t);
  const auto info = tz->get_info(floor<seconds>(us));
  const auto local = us + info.offset;  // wall clock, still as a sys time point
  const auto day = floor<date::days>(local);
  const date::year_month_day ymd(day);
  const date::hh_mm_ss<microseconds> tod(local - day);
  const auto off = duration_cast<minutes>(info.offset).count();
  char buf[96];
  int n = std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()),
                        static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                        static_cast<int>(tod.hours().count()), static_cast<int>(tod.minutes().count()),
                        static_cast<int>(tod.seconds().count()));
  std::string out(buf, static_cast<std::size_t>(n));
  if (tod.subseconds().count() != 0) {
    std::snprintf(buf, sizeof buf, ".%06lld", static_cast<long long>(tod.subseconds().count()));
    out += buf;
  }
  const long long a = off < 0 ? -off : off;
  std::snprintf(buf, sizeof buf, "%c%02lld:%02lld", off < 0 ? '-' : '+', a / 60, a % 60);
  return out + buf;
}

std::optional<policy::SysSeconds> estimated_next_run(const policy::Job& job, policy::SystemTime now) {
  const JobSpec& spec = job.spec;
  if (spec.suspended) return std::nullopt;
  auto parsed = policy::parse_schedule(spec.schedule, 0);  // stored schedules have "?" drawn already
  const auto* schedule = std::get_if<policy::Schedule>(&parsed);
  if (schedule == nullptr) return std::nullopt;
  auto after = std::max(floor<seconds>(now), job.handled_through);
  if (spec.schedule_start && *spec.schedule_start - seconds(1) > after) after = *spec.schedule_start - seconds(1);
  const auto anchor = spec.schedule_start.value_or(floor<seconds>(job.created_at));
  auto next = policy::next_fire(*schedule, spec.timezone, after, anchor);
  if (next && spec.schedule_end && *next > *spec.schedule_end) return std::nullopt;
  return next;
}

// --- encoding ------------------------------------------------------------------------------------------------

json::object job_to_json(const policy::Job& job, const std::optional<policy::JobRun>& newest,
                         policy::SystemTime now) {
  const JobSpec& s = job.spec;
  const std::string& zone = s.timezone;
  json::object o{{"id", s.id},
                 {"cluster", s.cluster},
                 {"taskDefinition", s.task_definition},
                 {"schedule", s.schedule},
                 {"timezone", zone}};
  if (s.schedule_start) o["scheduleStart"] = format_zoned_time(*s.schedule_start, zone);
  if (s.schedule_end) o["scheduleEnd"] = format_zoned_time(*s.schedule_end, zone);
  o["suspended"] = s.suspended;
  o["taskCount"] = s.task_count;
  if (s.max_count) o["maxCount"] = *s.max_count;
  if (s.trigger) {
    o["trigger"] = json::object{
        {"type", "sqs"}, {"queueName", s.trigger->queue_name}, {"messagesPerTask", s.trigger->messages_per_task}};
  }
  json::array overrides;
  for (const auto& c : s.overrides) {
    json::object env;
    for (const auto& [k, v] : c.environment) env[k] = v;
    overrides.push_back(json::object{{"containerName", c.container_name}, {"environment", std::move(env)}});
  }
  o["overrides"] = std::move(overrides);
  o["concurrencyPolicy"] = policy::to_string(s.concurrency);
  o["startingDeadlineSeconds"] = s.starting_deadline.count();
  o["retries"] = json::object{{"limit", s.retries.limit},
                              {"delaySeconds", s.retries.delay.count()},
                              {"maxDelaySeconds", s.retries.max_delay.count()}};
  o["historyLimit"] = json::object{{"successful", s.history_limit.successful}, {"failed", s.history_limit.failed}};
  if (newest) {
    o["lastRun"] = format_zoned_time(newest->created_at, zone);
    json::array tasks;
    for (const auto& t : newest->tasks) tasks.push_back(json::object{{"taskId", t.task_arn}, {"hostId", t.instance_arn}});
    o["lastRunTasks"] = std::move(tasks);
  }
  auto next = estimated_next_run(job, now);
  o["estimatedNextRun"] = next ? json::value(format_zoned_time(*next, zone)) : json::value(nullptr);
  return o;
}

json::object run_to_json(const policy::JobRun& run, std::string_view zone) {
  json::object o{{"id", run.id}, {"job", run.job}};
  if (run.slot) o["slot"] = format_zoned_time(*run.slot, zone);
  o["status"] = policy::to_string(run.status);
  o["expected"] = run.expected;
  o["attempt"] = run.attempt;
  o["missedBefore"] = run.missed_before;
  json::array tasks;
  for (const auto& t : run.tasks) {
    json::object task{{"taskArn", t.task_arn},     {"instanceArn", t.instance_arn}, {"attempt", t.attempt},
                      {"lastStatus", t.last_status}, {"stopCode", t.stop_code},       {"nonZeroExit", t.nonzero_exit}};
    if (t.stopped_at) task["stoppedAt"] = format_zoned_time(*t.stopped_at, zone);
    if (t.exit_code) task["exitCode"] = *t.exit_code;
    if (!t.stopped_reason.empty()) task["stoppedReason"] = t.stopped_reason;
    tasks.push_back(std::move(task));
  }
  o["tasks"] = std::move(tasks);
  if (run.retry_at) o["retryAt"] = format_zoned_time(*run.retry_at, zone);
  o["message"] = run.message;
  o["createdAt"] = format_zoned_time(run.created_at, zone);
  if (run.ended_at) o["endedAt"] = format_zoned_time(*run.ended_at, zone);
  return o;
}

}  // namespace berth::http::api
