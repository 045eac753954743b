// File: src/http/api/api_job_parse.cpp — strict parsing of a job body (parse_job_body): every field checked, every
// error collected with its place in the body, defaults and the default cluster applied, schedules parsed.
#include "http/api/api_job_json.hpp"

#include "http/api/api_json_fields.hpp"
#include "policy/schedule.hpp"

#include <algorithm>
#include <limits>
#include <set>

namespace berth::http::api {
namespace json = boost::json;
using policy::JobSpec;

namespace {

using Path = std::vector<std::string>;

Path at(Path base, std::string key) {
  base.push_back(std::move(key));
  return base;
}

// Collects errors; each reader answers nullopt after recording why.
class Reader {
 public:
  std::vector<JobFieldError> errors;

  void fail(Path path, std::string code, std::string why) {
    errors.push_back(JobFieldError{std::move(path), std::move(code), std::move(why)});
  }
  void invalid(Path path, std::string why) { fail(std::move(path), "invalid_field", std::move(why)); }

  // Unknown fields are errors: a typo ("taskCont") must not silently keep the default.
  void reject_unknown(const json::object& o, std::initializer_list<std::string_view> allowed, const Path& path,
                      std::initializer_list<std::string_view> ignored = {}) {
    for (const auto& kv : o) {
      const auto in = [&](std::initializer_list<std::string_view> l) {
        return std::find(l.begin(), l.end(), kv.key()) != l.end();
      };
      if (!in(allowed) && !in(ignored)) fail(at(path, std::string(kv.key())), "unknown_field", "unknown field");
    }
  }

  std::optional<std::string> string(const json::value& v, const Path& path) {
    if (!v.is_string()) {
      invalid(path, "must be a string");
      return std::nullopt;
    }
    return std::string(v.get_string());
  }

  std::optional<std::int64_t> integer(const json::value& v, const Path& path, std::int64_t lo, std::int64_t hi) {
    std::int64_t n = 0;
    if (v.is_int64()) {
      n = v.get_int64();
    } else if (v.is_uint64()) {
      n = v.get_uint64() > static_cast<std::uint64_t>(hi) ? hi + 1 : static_cast<std::int64_t>(v.get_uint64());
    } else {
      invalid(path, "must be an integer");
      return std::nullopt;
    }
    if (n < lo || n > hi) {
      invalid(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
      return std::nullopt;
    }
    return n;
  }

  std::optional<bool> boolean(const json::value& v, const Path& path) {
    if (!v.is_bool()) {
      invalid(path, "must be true or false");
      return std::nullopt;
    }
    return v.get_bool();
  }

  const json::object* object(const json::value& v, const Path& path, std::string_view shape) {
    if (!v.is_object()) invalid(path, "must be an object " + std::string(shape));
    return v.if_object();
  }
};

bool valid_family(std::string_view s) {
  return !s.empty() && s.size() <= 255 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
  });
}

// SQS queue names: 1-80 letters, digits, '-' or '_', a FIFO queue ending in ".fifo".
bool valid_queue_name(std::string_view s) {
  std::string_view base = s;
  if (base.size() > 5 && base.substr(base.size() - 5) == ".fifo") base.remove_suffix(5);
  return !s.empty() && s.size() <= 80 && valid_family(base);
}

constexpr std::int64_t max_deadline_seconds = 366LL * 86400;
constexpr std::int64_t max_retry_delay_seconds = 86400;

void read_trigger(Reader& r, const json::value& v, JobSpec& spec) {
  const Path path{"trigger"};
  if (v.is_null()) {
    spec.trigger.reset();
    return;
  }
  const json::object* o = r.object(v, path, "{type, queueName, messagesPerTask}");
  if (!o) return;
  r.reject_unknown(*o, {"type", "queueName", "messagesPerTask"}, path);
  policy::SqsTrigger t;
  if (const auto* type = o->if_contains("type")) {
    if (auto s = r.string(*type, at(path, "type")); s && *s != "sqs") r.invalid(at(path, "type"), "must be \"sqs\"");
  } else {
    r.fail(at(path, "type"), "missing_field", "required");
  }
  if (const auto* q = o->if_contains("queueName")) {
    if (auto s = r.string(*q, at(path, "queueName"))) {
      if (!valid_queue_name(*s)) r.invalid(at(path, "queueName"), "1-80 letters, digits, '-' or '_' (FIFO: .fifo)");
      t.queue_name = std::move(*s);
    }
  } else {
    r.fail(at(path, "queueName"), "missing_field", "required for an sqs trigger");
  }
  if (const auto* m = o->if_contains("messagesPerTask")) {
    if (auto n = r.integer(*m, at(path, "messagesPerTask"), 1, std::numeric_limits<std::int32_t>::max()))
      t.messages_per_task = static_cast<int>(*n);
  }
  spec.trigger = std::move(t);
}

void read_overrides(Reader& r, const json::value& v, JobSpec& spec) {
  const Path path{"overrides"};
  const json::array* a = v.if_array();
  if (!a) {
    r.invalid(path, "must be an array of {containerName, environment}");
    return;
  }
  std::vector<policy::ContainerEnvironment> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < a->size(); ++i) {
    const Path item = at(path, std::to_string(i));
    const json::object* o = r.object((*a)[i], item, "{containerName, environment}");
    if (!o) continue;
    r.reject_unknown(*o, {"containerName", "environment"}, item);
    policy::ContainerEnvironment c;
    if (const auto* n = o->if_contains("containerName")) {
      if (auto s = r.string(*n, at(item, "containerName"))) {
        if (s->empty()) r.fail(at(item, "containerName"), "missing_field", "required");
        else if (!seen.insert(*s).second) r.invalid(at(item, "containerName"), "duplicate container '" + *s + "'");
        c.container_name = std::move(*s);
      }
    } else {
      r.fail(at(item, "containerName"), "missing_field", "required");
    }
    if (const auto* e = o->if_contains("environment")) {
      const json::object* env = r.object(*e, at(item, "environment"), "{\"NAME\": \"value\"}");
      if (env) {
        for (const auto& kv : *env) {
          const Path var = at(at(item, "environment"), std::string(kv.key()));
          if (kv.key().empty()) r.invalid(var, "variable names may not be empty");
          else if (auto s = r.string(kv.value(), var)) c.environment[std::string(kv.key())] = std::move(*s);
        }
      }
    }
    out.push_back(std::move(c));
  }
  spec.overrides = std::move(out);
}

void read_retries(Reader& r, const json::value& v, JobSpec& spec) {
  const Path path{"retries"};
  const json::object* o = r.object(v, path, "{limit, delaySeconds, maxDelaySeconds}");
  if (!o) return;
  r.reject_unknown(*o, {"limit", "delaySeconds", "maxDelaySeconds"}, path);
  policy::JobRetries out;  // a whole object: fields absent take their defaults
  if (const auto* p = o->if_contains("limit"))
    if (auto n = r.integer(*p, at(path, "limit"), 0, 10)) out.limit = static_cast<int>(*n);
  if (const auto* p = o->if_contains("delaySeconds"))
    if (auto n = r.integer(*p, at(path, "delaySeconds"), 0, max_retry_delay_seconds)) out.delay = std::chrono::seconds(*n);
  if (const auto* p = o->if_contains("maxDelaySeconds"))
    if (auto n = r.integer(*p, at(path, "maxDelaySeconds"), 0, max_retry_delay_seconds))
      out.max_delay = std::chrono::seconds(*n);
  if (out.max_delay < out.delay) r.invalid(at(path, "maxDelaySeconds"), "must be at least delaySeconds");
  spec.retries = out;
}

void read_history_limit(Reader& r, const json::value& v, JobSpec& spec) {
  const Path path{"historyLimit"};
  const json::object* o = r.object(v, path, "{successful, failed}");
  if (!o) return;
  r.reject_unknown(*o, {"successful", "failed"}, path);
  policy::JobHistoryLimit out;
  if (const auto* p = o->if_contains("successful"))
    if (auto n = r.integer(*p, at(path, "successful"), 0, 100)) out.successful = static_cast<int>(*n);
  if (const auto* p = o->if_contains("failed"))
    if (auto n = r.integer(*p, at(path, "failed"), 0, 100)) out.failed = static_cast<int>(*n);
  spec.history_limit = out;
}

void read_time(Reader& r, const json::object& body, std::string_view key, std::optional<policy::SysSeconds>& out) {
  const json::value* v = body.if_contains(key);
  if (!v) return;
  if (v->is_null()) {
    out.reset();
    return;
  }
  auto s = r.string(*v, {std::string(key)});
  if (!s) return;
  auto t = parse_iso8601(*s);
  if (!t) r.invalid({std::string(key)}, "must be an ISO-8601 date and time (\"2026-12-03T10:00:00-05:00\")");
  else out = *t;
}

}  // namespace

ParsedJob parse_job_body(const json::object& body, const JobBodyContext& ctx) {
  Reader r;
  ParsedJob out;
  const bool merge = ctx.mode == JobBodyMode::merge;
  if (ctx.base && ctx.mode != JobBodyMode::create) {
    if (merge) out.spec = *ctx.base;
    else out.spec.id = ctx.base->id;
  }
  JobSpec& spec = out.spec;
  std::initializer_list<std::string_view> read_only = {"link", "lastRun", "lastRunTasks", "estimatedNextRun"};
  r.reject_unknown(body,
                   {"id", "cluster", "taskDefinition", "schedule", "timezone", "scheduleStart", "scheduleEnd",
                    "suspended", "taskCount", "maxCount", "trigger", "overrides", "concurrencyPolicy",
                    "startingDeadlineSeconds", "retries", "historyLimit", ctx.accept_revision ? "revision" : "id"},
                   {}, ctx.ignore_read_only ? read_only : std::initializer_list<std::string_view>{});

  if (const auto* v = body.if_contains("taskDefinition")) {
    if (auto s = r.string(*v, {"taskDefinition"})) {
      if (!fields::valid_task_definition(*s) || !valid_family(task_definition_family(*s)))
        r.invalid({"taskDefinition"}, "must be a family (letters, digits, '-', '_'), family:revision or an ARN");
      spec.task_definition = std::move(*s);
    }
  } else if (!merge) {
    r.fail({"taskDefinition"}, "missing_field", "required");
  }

  if (const auto* v = body.if_contains("id")) {
    if (auto s = r.string(*v, {"id"})) {
      if (!valid_environment_name(*s)) r.invalid({"id"}, "1-64 letters, digits, '.', '_' or '-', not starting with '.'");
      else if (ctx.base && *s != ctx.base->id) r.invalid({"id"}, "must equal the id in the path");
      else spec.id = std::move(*s);
    }
  } else if (ctx.mode == JobBodyMode::create && !spec.task_definition.empty()) {
    // As ECS Scheduler: the id defaults to the task definition (its family: ids take no ':').
    spec.id = task_definition_family(spec.task_definition);
    if (!valid_environment_name(spec.id)) r.invalid({"taskDefinition"}, "its family is not a valid job id; give an id");
  }

  if (const auto* v = body.if_contains("cluster")) {
    if (auto s = r.string(*v, {"cluster"})) {
      if (!valid_cluster_name(*s)) r.invalid({"cluster"}, "1-255 letters, digits, '-' or '_'");
      else if (ctx.base && ctx.mode != JobBodyMode::create && *s != ctx.base->cluster)
        r.invalid({"cluster"}, "a job cannot move to another cluster");
      spec.cluster = std::move(*s);
    }
  } else if (ctx.base && ctx.mode != JobBodyMode::create) {
    spec.cluster = ctx.base->cluster;
  } else if (ctx.clusters.size() == 1) {
    spec.cluster = ctx.clusters.front();
  } else if (ctx.clusters.empty()) {
    r.fail({"cluster"}, "missing_field", "required: berth watches no cluster to default to");
  } else {
    std::string names;
    for (const auto& c : ctx.clusters) names += (names.empty() ? "" : ", ") + c;
    r.invalid({"cluster"}, "ambiguous: berth watches " + names + "; name one");
  }

  if (const auto* v = body.if_contains("schedule")) {
    if (auto s = r.string(*v, {"schedule"})) {
      auto parsed = policy::parse_schedule(*s, ctx.seed);
      if (const auto* e = std::get_if<policy::ScheduleError>(&parsed)) r.invalid({"schedule"}, e->message);
      else spec.schedule = std::get<policy::Schedule>(parsed).text;  // "?" drawn once, stored drawn
    }
  } else if (!merge) {
    r.fail({"schedule"}, "missing_field", "required");
  }

  if (const auto* v = body.if_contains("timezone")) {
    if (auto s = r.string(*v, {"timezone"})) {
      if (!policy::is_known_zone(*s)) r.invalid({"timezone"}, "unknown time zone '" + *s + "' (IANA name, e.g. America/New_York)");
      else spec.timezone = std::move(*s);
    }
  }
  read_time(r, body, "scheduleStart", spec.schedule_start);
  read_time(r, body, "scheduleEnd", spec.schedule_end);
  if (spec.schedule_start && spec.schedule_end && !(*spec.schedule_start < *spec.schedule_end))
    r.invalid({"scheduleEnd"}, "must be after scheduleStart");

  if (const auto* v = body.if_contains("suspended"))
    if (auto b = r.boolean(*v, {"suspended"})) spec.suspended = *b;
  if (const auto* v = body.if_contains("taskCount"))
    if (auto n = r.integer(*v, {"taskCount"}, 1, policy::max_job_task_count)) spec.task_count = static_cast<int>(*n);
  if (const auto* v = body.if_contains("maxCount")) {
    if (v->is_null()) spec.max_count.reset();
    else if (auto n = r.integer(*v, {"maxCount"}, 1, policy::max_job_task_count)) spec.max_count = static_cast<int>(*n);
  }
  if (const auto* v = body.if_contains("trigger")) read_trigger(r, *v, spec);
  if (const auto* v = body.if_contains("overrides")) read_overrides(r, *v, spec);
  if (const auto* v = body.if_contains("concurrencyPolicy")) {
    if (auto s = r.string(*v, {"concurrencyPolicy"})) {
      if (auto p = policy::concurrency_policy_from_string(*s)) spec.concurrency = *p;
      else r.invalid({"concurrencyPolicy"}, "must be Allow, Forbid or Replace");
    }
  }
  if (const auto* v = body.if_contains("startingDeadlineSeconds"))
    if (auto n = r.integer(*v, {"startingDeadlineSeconds"}, 1, max_deadline_seconds))
      spec.starting_deadline = std::chrono::seconds(*n);
  if (const auto* v = body.if_contains("retries")) read_retries(r, *v, spec);
  if (const auto* v = body.if_contains("historyLimit")) read_history_limit(r, *v, spec);
  if (ctx.accept_revision) {
    if (const auto* v = body.if_contains("revision"))
      out.revision = r.integer(*v, {"revision"}, 1, std::numeric_limits<std::int64_t>::max());
  }
  out.errors = std::move(r.errors);
  return out;
}

}  // namespace berth::http::api
