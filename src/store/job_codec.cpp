// File: src/store/job_codec.cpp — a job's spec and a run's batches and tasks as JSON text (see job_codec.hpp).
#include "store/job_codec.hpp"

#include "store/store_codec.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <optional>

namespace berth::store::codec {
namespace json = boost::json;
namespace {

StoreError corrupt(const char* what) {
  return StoreError{StoreErrc::corrupt, std::string("bad stored ") + what};
}

std::int64_t encode_seconds(policy::SysSeconds t) {
  return t.time_since_epoch().count();
}
policy::SysSeconds decode_seconds(const json::value& v) {
  return policy::SysSeconds(std::chrono::seconds(v.to_number<std::int64_t>()));
}

std::optional<json::value> parse(const std::string& text) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return std::nullopt;
  return v;
}

}  // namespace

json::object job_spec_to_json(const policy::JobSpec& spec) {
  json::object o{{"taskDefinition", spec.task_definition},
                 {"schedule", spec.schedule},
                 {"timezone", spec.timezone},
                 {"suspended", spec.suspended},
                 {"taskCount", spec.task_count},
                 {"concurrencyPolicy", policy::to_string(spec.concurrency)},
                 {"startingDeadlineSeconds", spec.starting_deadline.count()},
                 {"retries", json::object{{"limit", spec.retries.limit},
                                          {"delaySeconds", spec.retries.delay.count()},
                                          {"maxDelaySeconds", spec.retries.max_delay.count()}}},
                 {"historyLimit",
                  json::object{{"successful", spec.history_limit.successful}, {"failed", spec.history_limit.failed}}}};
  if (spec.schedule_start) o["scheduleStart"] = encode_seconds(*spec.schedule_start);
  if (spec.schedule_end) o["scheduleEnd"] = encode_seconds(*spec.schedule_end);
  if (spec.max_count) o["maxCount"] = *spec.max_count;
  if (spec.trigger) {
    o["trigger"] = json::object{
        {"type", "sqs"}, {"queueName", spec.trigger->queue_name}, {"messagesPerTask", spec.trigger->messages_per_task}};
  }
  json::array overrides;
  for (const auto& c : spec.overrides) {
    json::object env;
    for (const auto& [name, value] : c.environment) env[name] = value;
    overrides.push_back(json::object{{"containerName", c.container_name}, {"environment", std::move(env)}});
  }
  o["overrides"] = std::move(overrides);
  if (!spec.front_fields.empty()) o["frontFields"] = spec.front_fields;
  return o;
}

std::string encode_job_spec(const policy::JobSpec& spec) {
  return json::serialize(job_spec_to_json(spec));
}

StoreResult<policy::JobSpec> decode_job_spec(const std::string& text) {
  const auto v = parse(text);
  if (!v) return corrupt("job spec");
  policy::JobSpec spec;
  try {
    // as_*() and at() throw on a wrong kind or a missing required key: a corrupt row.
    const auto& o = v->as_object();
    if (const auto* p = o.if_contains("taskDefinition")) spec.task_definition = std::string(p->as_string());
    if (const auto* p = o.if_contains("schedule")) spec.schedule = std::string(p->as_string());
    if (const auto* p = o.if_contains("timezone")) spec.timezone = std::string(p->as_string());
    if (const auto* p = o.if_contains("scheduleStart")) spec.schedule_start = decode_seconds(*p);
    if (const auto* p = o.if_contains("scheduleEnd")) spec.schedule_end = decode_seconds(*p);
    if (const auto* p = o.if_contains("suspended")) spec.suspended = p->as_bool();
    if (const auto* p = o.if_contains("taskCount")) spec.task_count = p->to_number<int>();
    if (const auto* p = o.if_contains("maxCount")) spec.max_count = p->to_number<int>();
    if (const auto* p = o.if_contains("trigger")) {
      const auto& t = p->as_object();
      if (t.at("type").as_string() != "sqs") return corrupt("job trigger");
      policy::SqsTrigger trigger;
      trigger.queue_name = std::string(t.at("queueName").as_string());
      if (const auto* m = t.if_contains("messagesPerTask")) trigger.messages_per_task = m->to_number<int>();
      spec.trigger = std::move(trigger);
    }
    if (const auto* p = o.if_contains("overrides")) {
      for (const auto& e : p->as_array()) {
        const auto& c = e.as_object();
        policy::ContainerEnvironment ce;
        ce.container_name = std::string(c.at("containerName").as_string());
        if (const auto* env = c.if_contains("environment")) {
          for (const auto& kv : env->as_object())
            ce.environment[std::string(kv.key())] = std::string(kv.value().as_string());
        }
        spec.overrides.push_back(std::move(ce));
      }
    }
    if (const auto* p = o.if_contains("concurrencyPolicy")) {
      auto c = policy::concurrency_policy_from_string(p->as_string());
      if (!c) return corrupt("job concurrency policy");
      spec.concurrency = *c;
    }
    if (const auto* p = o.if_contains("startingDeadlineSeconds")) {
      spec.starting_deadline = std::chrono::seconds(p->to_number<std::int64_t>());
    }
    if (const auto* p = o.if_contains("retries")) {
      const auto& r = p->as_object();
      if (const auto* x = r.if_contains("limit")) spec.retries.limit = x->to_number<int>();
      if (const auto* x = r.if_contains("delaySeconds"))
        spec.retries.delay = std::chrono::seconds(x->to_number<std::int64_t>());
      if (const auto* x = r.if_contains("maxDelaySeconds")) {
        spec.retries.max_delay = std::chrono::seconds(x->to_number<std::int64_t>());
      }
    }
    if (const auto* p = o.if_contains("frontFields")) spec.front_fields = std::string(p->as_string());
    if (const auto* p = o.if_contains("historyLimit")) {
      const auto& h = p->as_object();
      if (const auto* x = h.if_contains("successful")) spec.history_limit.successful = x->to_number<int>();
      if (const auto* x = h.if_contains("failed")) spec.history_limit.failed = x->to_number<int>();
    }
  } catch (const std::exception&) {
    return corrupt("job spec");
  }
  return spec;
}

std::string encode_run_batches(const std::vector<policy::RunBatch>& batches) {
  json::array a;
  for (const auto& b : batches) {
    a.push_back(json::object{{"attempt", b.attempt},
                             {"index", b.index},
                             {"count", b.count},
                             {"clientToken", b.client_token},
                             {"launched", b.launched},
                             {"failures", b.failures}});
  }
  return json::serialize(a);
}

StoreResult<std::vector<policy::RunBatch>> decode_run_batches(const std::string& text) {
  const auto v = parse(text);
  if (!v) return corrupt("run batches");
  std::vector<policy::RunBatch> out;
  try {
    for (const auto& e : v->as_array()) {
      const auto& o = e.as_object();
      policy::RunBatch b;
      if (const auto* p = o.if_contains("attempt")) b.attempt = p->to_number<int>();
      if (const auto* p = o.if_contains("index")) b.index = p->to_number<int>();
      if (const auto* p = o.if_contains("count")) b.count = p->to_number<int>();
      b.client_token = std::string(o.at("clientToken").as_string());
      if (const auto* p = o.if_contains("launched")) b.launched = p->as_bool();
      if (const auto* p = o.if_contains("failures")) b.failures = p->to_number<int>();
      out.push_back(std::move(b));
    }
  } catch (const std::exception&) {
    return corrupt("run batches");
  }
  return out;
}

std::string encode_run_tasks(const std::vector<policy::JobRunTask>& tasks) {
  json::array a;
  for (const auto& t : tasks) {
    json::object o{{"taskArn", t.task_arn},       {"instanceArn", t.instance_arn}, {"attempt", t.attempt},
                   {"lastStatus", t.last_status}, {"stopCode", t.stop_code},       {"nonzeroExit", t.nonzero_exit}};
    if (t.stopped_at) o["stoppedAt"] = encode_time(*t.stopped_at);
    if (t.exit_code) o["exitCode"] = *t.exit_code;
    if (!t.stopped_reason.empty()) o["stoppedReason"] = t.stopped_reason;
    a.push_back(std::move(o));
  }
  return json::serialize(a);
}

StoreResult<std::vector<policy::JobRunTask>> decode_run_tasks(const std::string& text) {
  const auto v = parse(text);
  if (!v) return corrupt("run tasks");
  std::vector<policy::JobRunTask> out;
  try {
    for (const auto& e : v->as_array()) {
      const auto& o = e.as_object();
      policy::JobRunTask t;
      t.task_arn = std::string(o.at("taskArn").as_string());
      if (const auto* p = o.if_contains("instanceArn")) t.instance_arn = std::string(p->as_string());
      if (const auto* p = o.if_contains("attempt")) t.attempt = p->to_number<int>();
      if (const auto* p = o.if_contains("lastStatus")) t.last_status = std::string(p->as_string());
      if (const auto* p = o.if_contains("stopCode")) t.stop_code = std::string(p->as_string());
      if (const auto* p = o.if_contains("nonzeroExit")) t.nonzero_exit = p->as_bool();
      if (const auto* p = o.if_contains("stoppedAt")) t.stopped_at = decode_time(p->to_number<std::int64_t>());
      if (const auto* p = o.if_contains("exitCode")) t.exit_code = p->to_number<int>();
      if (const auto* p = o.if_contains("stoppedReason")) t.stopped_reason = std::string(p->as_string());
      out.push_back(std::move(t));
    }
  } catch (const std::exception&) {
    return corrupt("run tasks");
  }
  return out;
}

}  // namespace berth::store::codec
