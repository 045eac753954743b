// File: src/http/api/chronos_job_json.cpp — Chronos job hash <-> berth job (see chronos_job_json.hpp).
#include "http/api/chronos_job_json.hpp"

#include "policy/schedule.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <string_view>

namespace berth::http::api {
namespace json = boost::json;

namespace {

constexpr std::int64_t default_epsilon_seconds = 60;  // Chronos's --task_epsilon
constexpr int default_retries = 2;                     // Chronos's job default

// Fields berth keeps verbatim (no berth meaning) and answers back; each with Chronos's default for GET.
struct Verbatim {
  std::string_view name;
  json::value (*fallback)();
};
const std::array<Verbatim, 14> verbatim_fields{{
    {"description", [] { return json::value(""); }},
    {"owner", [] { return json::value(""); }},
    {"ownerName", [] { return json::value(""); }},
    {"cpus", [] { return json::value(0.1); }},
    {"mem", [] { return json::value(128.0); }},
    {"disk", [] { return json::value(256.0); }},
    {"shell", [] { return json::value(true); }},
    {"async", [] { return json::value(false); }},
    {"executor", [] { return json::value(""); }},
    {"executorFlags", [] { return json::value(""); }},
    {"softError", [] { return json::value(false); }},
    {"highPriority", [] { return json::value(false); }},
    {"runAsUser", [] { return json::value("root"); }},
    {"dataProcessingJobType", [] { return json::value(false); }},
}};
constexpr std::array<std::string_view, 1> verbatim_untyped{"taskInfoData"};
constexpr std::array<std::string_view, 5> read_only_fields{"successCount", "errorCount", "lastSuccess", "lastError",
                                                           "errorsSinceLastSuccess"};
// Chronos fields berth cannot honour: accepted only empty (a GET answer carries some as []).
constexpr std::array<std::string_view, 7> refused_fields{"parents", "container", "arguments", "uris",
                                                         "fetch", "environmentVariables", "constraints"};

template <std::size_t N>
bool among(const std::array<std::string_view, N>& names, std::string_view key) {
  for (auto n : names)
    if (n == key) return true;
  return false;
}

bool is_verbatim(std::string_view key) {
  for (const auto& v : verbatim_fields)
    if (v.name == key) return true;
  return among(verbatim_untyped, key);
}

bool is_empty_value(const json::value& v) {
  return v.is_null() || (v.is_array() && v.as_array().empty()) || (v.is_string() && v.as_string().empty()) ||
         (v.is_object() && v.as_object().empty());
}

JobFieldError field_error(std::string field, std::string code, std::string why) {
  return JobFieldError{{std::move(field)}, std::move(code), std::move(why)};
}

// An ISO-8601 duration in whole seconds ("PT15M" -> 900), through the schedule parser's period grammar. Years and
// months have no fixed length, so they are refused here.
std::optional<std::int64_t> duration_seconds(std::string_view text, std::string& why) {
  const auto parsed = policy::parse_schedule("R1/2000-01-01T00:00:00Z/" + std::string(text), 0);
  const auto* schedule = std::get_if<policy::Schedule>(&parsed);
  if (schedule == nullptr) {
    why = "'" + std::string(text) + "' is not an ISO-8601 duration such as PT15M or P1DT12H";
    return std::nullopt;
  }
  const auto& spec = std::get<policy::Iso8601Spec>(schedule->body);
  if (spec.years != 0 || spec.months != 0) {
    why = "use days, hours, minutes or seconds (years and months have no fixed length)";
    return std::nullopt;
  }
  return spec.days * 86400 + spec.elapsed_seconds;
}

// Why `v` is not a schedule Chronos would take: not an ISO-8601 repeating interval, or one that starts more than a
// year in the past (Iso8601JobResource refuses both). A schedule that does not parse at all is left to
// parse_job_body, which names the position.
std::optional<std::string> not_chronos_schedule(const json::value& v, policy::SystemTime now) {
  if (!v.is_string()) return std::nullopt;
  const std::string text(v.as_string());
  const auto parsed = policy::parse_schedule(text, 0);
  const auto* s = std::get_if<policy::Schedule>(&parsed);
  if (s == nullptr) return std::nullopt;
  if (s->kind != policy::Schedule::Kind::iso8601) {
    return "Cannot parse schedule '" + text + "': Chronos schedules are ISO-8601 repeating intervals R[n]/start/period";
  }
  const auto& spec = std::get<policy::Iso8601Spec>(s->body);
  if (spec.start_instant &&
      *spec.start_instant < std::chrono::floor<std::chrono::seconds>(now) - std::chrono::days(365)) {
    return "the start of '" + text + "' is more than 1 year in the past";
  }
  return std::nullopt;
}

std::string joda_utc(policy::SystemTime t) {
  const auto ms = std::chrono::floor<std::chrono::milliseconds>(t);
  const auto day = std::chrono::floor<std::chrono::days>(ms);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{ms - day};
  char out[32];
  std::snprintf(out, sizeof out, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), static_cast<int>(hms.subseconds().count()));
  return out;
}

// As Joda's Period.toString for a period of whole hours, minutes or seconds.
std::string iso_duration(std::chrono::seconds d) {
  const auto s = d.count();
  if (s > 0 && s % 3600 == 0) return "PT" + std::to_string(s / 3600) + "H";
  if (s > 0 && s % 60 == 0) return "PT" + std::to_string(s / 60) + "M";
  return "PT" + std::to_string(s) + "S";
}

}  // namespace

ChronosJobBody chronos_to_v1_body(const json::object& chronos, policy::SystemTime now) {
  ChronosJobBody out;
  json::object& v1 = out.v1_body;
  json::object kept;
  std::int64_t epsilon = default_epsilon_seconds;
  int retries = default_retries;
  bool concurrent = false;
  for (const auto& kv : chronos) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    if (key == "name") {
      v1["id"] = v;
    } else if (key == "command") {
      v1["taskDefinition"] = v;
    } else if (key == "schedule") {
      v1["schedule"] = v;
      if (auto why = not_chronos_schedule(v, now)) out.errors.push_back(field_error("schedule", "invalid_field", *why));
    } else if (key == "scheduleTimeZone") {
      if (!is_empty_value(v)) v1["timezone"] = v;
    } else if (key == "epsilon") {
      std::string why = "expected an ISO-8601 duration string such as PT15M";
      std::int64_t seconds = 0;
      if (v.is_string()) {
        if (auto d = duration_seconds(v.as_string(), why)) seconds = *d;
      }
      if (seconds <= 0) {
        out.errors.push_back(field_error("epsilon", "invalid_field", why));
      } else {
        epsilon = seconds;
      }
    } else if (key == "disabled") {
      v1["suspended"] = v;
    } else if (key == "retries") {
      if (!v.is_int64() && !v.is_uint64()) {
        out.errors.push_back(field_error("retries", "invalid_field", "expected a whole number"));
      } else {
        retries = static_cast<int>(std::clamp<std::int64_t>(v.to_number<std::int64_t>(), -1, 1000));
      }
    } else if (key == "concurrent") {
      if (!v.is_bool()) out.errors.push_back(field_error("concurrent", "invalid_field", "expected true or false"));
      else concurrent = v.as_bool();
    } else if (key == "cluster") {
      v1["cluster"] = v;
    } else if (is_verbatim(key)) {
      kept[key] = v;
    } else if (among(read_only_fields, key)) {
      // a GET answer posted back: counted by berth, not set
    } else if (among(refused_fields, key)) {
      if (!is_empty_value(v)) {
        out.errors.push_back(field_error(
            key, "invalid_field",
            key == "parents" ? "dependent jobs are not supported by berth; give the job a schedule"
                             : "not supported: berth runs the ECS task definition named by 'command' as it is"));
      }
    } else {
      out.errors.push_back(field_error(key, "unknown_field", "unknown field"));
    }
  }
  if (!chronos.contains("name")) out.errors.push_back(field_error("name", "missing_field", "required"));
  if (!chronos.contains("command")) out.errors.push_back(field_error("command", "missing_field", "required"));
  if (!chronos.contains("schedule")) out.errors.push_back(field_error("schedule", "missing_field", "required"));
  v1["startingDeadlineSeconds"] = epsilon;
  v1["retries"] = json::object{{"limit", retries}};
  v1["concurrencyPolicy"] = concurrent ? "Allow" : "Forbid";
  out.front_fields = json::serialize(kept);
  return out;
}

JobFieldError to_chronos_field(JobFieldError error) {
  static const std::array<std::pair<std::string_view, std::string_view>, 7> renamed{{
      {"id", "name"},
      {"taskDefinition", "command"},
      {"timezone", "scheduleTimeZone"},
      {"suspended", "disabled"},
      {"startingDeadlineSeconds", "epsilon"},
      {"concurrencyPolicy", "concurrent"},
      {"retries", "retries"},
  }};
  if (!error.path.empty()) {
    for (const auto& [from, to] : renamed) {
      if (error.path.front() == from) {
        error.path = {std::string(to)};  // retries.limit -> retries: Chronos's field is the number itself
        break;
      }
    }
  }
  return error;
}

json::object job_to_chronos(const policy::Job& job, const std::vector<policy::JobRun>& runs) {
  const auto& spec = job.spec;
  json::object kept;
  if (!spec.front_fields.empty()) {
    boost::system::error_code ec;
    auto v = json::parse(spec.front_fields, ec);
    if (!ec && v.is_object()) kept = std::move(v.as_object());
  }
  std::int64_t successes = 0, errors = 0, errors_since_success = 0;
  std::string last_success, last_error;
  bool success_seen = false;
  for (const auto& run : runs) {  // newest first
    const auto at = run.ended_at.value_or(run.created_at);
    if (run.status == policy::RunStatus::succeeded) {
      ++successes;
      if (last_success.empty()) last_success = joda_utc(at);
      success_seen = true;
    } else if (run.status == policy::RunStatus::failed) {
      ++errors;
      if (last_error.empty()) last_error = joda_utc(at);
      if (!success_seen) ++errors_since_success;
    }
  }
  auto field = [&](std::string_view name, json::value fallback) -> json::value {
    if (const auto* v = kept.if_contains(name)) return *v;
    return fallback;
  };
  // Field order as JobSerializer writes them.
  json::object o;
  o["name"] = spec.id;
  o["command"] = spec.task_definition;
  o["shell"] = field("shell", true);
  o["epsilon"] = iso_duration(spec.starting_deadline);
  o["executor"] = field("executor", "");
  o["executorFlags"] = field("executorFlags", "");
  o["retries"] = spec.retries.limit;
  o["owner"] = field("owner", "");
  o["ownerName"] = field("ownerName", "");
  o["description"] = field("description", "");
  o["async"] = field("async", false);
  o["successCount"] = successes;
  o["errorCount"] = errors;
  o["lastSuccess"] = last_success;
  o["lastError"] = last_error;
  for (const auto& v : verbatim_fields) {
    if (!o.contains(v.name)) o[v.name] = field(v.name, v.fallback());
  }
  o["disabled"] = spec.suspended;
  o["errorsSinceLastSuccess"] = errors_since_success;
  o["uris"] = json::array{};
  o["environmentVariables"] = json::array{};
  o["arguments"] = json::array{};
  o["concurrent"] = spec.concurrency == policy::ConcurrencyPolicy::allow;
  if (const auto* t = kept.if_contains("taskInfoData")) o["taskInfoData"] = *t;
  o["schedule"] = spec.schedule;
  o["scheduleTimeZone"] = spec.timezone;
  o["cluster"] = spec.cluster;  // berth's addition
  return o;
}

}  // namespace berth::http::api
