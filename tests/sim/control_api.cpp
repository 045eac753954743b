// File: tests/sim/control_api.cpp — the /_sim/ control API: state, stats, faults, instances, tasks, throttle.
#include "json_fields.hpp"
#include "sim.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

namespace berth::sim {
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
HttpReply reply(unsigned status, const json::value& v) {
  HttpReply r;
  r.status = status;
  r.body = json::serialize(v);
  return r;
}
HttpReply error(unsigned status, std::string message) { return reply(status, json::object{{"error", message}}); }
}  // namespace

json::object Sim::stats_json() const {
  auto counts = [](const std::map<std::string, std::uint64_t>& m) {
    json::object o;
    for (const auto& [k, v] : m) o[k] = v;
    return o;
  };
  std::uint64_t total = 0;
  for (const auto& [k, v] : stats_.calls) total += v;
  const auto& ev = bus_.stats();
  return json::object{{"api_calls", counts(stats_.calls)},
                      {"api_calls_total", total},
                      {"api_errors", counts(stats_.errors)},
                      {"throttled", counts(stats_.throttled)},
                      {"throttled_total", stats_.throttled_total},
                      {"injected_errors", stats_.injected_errors},
                      {"injected_latency", stats_.injected_latency},
                      {"auth_failures", stats_.auth_failures},
                      {"validation_errors", stats_.validation_errors},
                      {"events_published", ev.published},
                      {"events_sent", ev.sent},
                      {"events_dropped", ev.dropped},
                      {"events_duplicated", ev.duplicated},
                      {"events_reordered", ev.reordered},
                      {"messages_received", stats_.messages_received},
                      {"messages_deleted", stats_.messages_deleted},
                      {"messages_sent", stats_.messages_sent},
                      {"queue_visible", queues_.event_queue().visible()},
                      {"queue_inflight", queues_.event_queue().inflight()},
                      {"queue_delayed", queues_.event_queue().delayed()},
                      {"tasks_total", ecs_.live_tasks()},
                      {"tasks_pruned", ecs_.tasks_pruned()},
                      {"instances_total", ecs_.state().instances.size()},
                      {"timers_pending", timers_.pending()}};
}

HttpReply Sim::control(const Request& req) {
  std::string target(req.target());
  std::string query;
  if (auto q = target.find('?'); q != std::string::npos) {
    query = target.substr(q + 1);
    target.resize(q);
  }
  const std::string path = target.substr(6);  // after "/_sim/"
  if (req.method() == http::verb::get) {
    if (path == "state") {
      bool tasks = query.find("tasks=1") != std::string::npos;
      bool instances = query.find("instances=0") == std::string::npos;
      json::object o = ecs_.summary(tasks, instances);
      const SqsQueue& events = queues_.event_queue();
      o["queue"] = json::object{{"url", events.url()}, {"visible", events.visible()}, {"inflight", events.inflight()},
                                {"delayed", events.delayed()}};
      json::array queues;
      for (const auto& [name, q] : queues_.all())
        queues.push_back(json::object{{"name", name}, {"url", q->url()}, {"visible", q->visible()},
                                      {"inflight", q->inflight()}, {"delayed", q->delayed()}});
      o["queues"] = std::move(queues);
      o["faults"] = config_.faults.to_json();
      o["throttle"] = json::object{{"enabled", throttle_.enabled},
                                   {"modify", json::object{{"burst", throttle_.modify().burst}, {"rate", throttle_.modify().rate}}},
                                   {"read", json::object{{"burst", throttle_.read().burst}, {"rate", throttle_.read().rate}}}};
      json::object ops;
      for (const auto& [op, b] : throttle_.operations()) ops[op] = json::object{{"burst", b.burst}, {"rate", b.rate}};
      o["throttle"].as_object()["operations"] = std::move(ops);
      return reply(200, o);
    }
    if (path == "stats") return reply(200, stats_json());
    if (path == "faults") return reply(200, config_.faults.to_json());
    return error(404, "unknown control route " + target);
  }
  if (req.method() != http::verb::post) return error(405, "use GET or POST");
  boost::system::error_code ec;
  json::value body = json::parse(req.body().empty() ? std::string_view("{}") : std::string_view(req.body()), ec);
  if (ec || !body.is_object()) return error(400, "body must be a JSON object");
  const auto& in = body.as_object();

  if (path == "faults") {
    if (auto bad = config_.faults.update(in)) return error(400, *bad);
    ecs_.options().task_start_failure_rate = config_.faults.task_start_failure_rate;
    return reply(200, config_.faults.to_json());
  }
  if (path == "clusters") {
    std::string name = str(in, "name");
    if (name.empty()) return error(400, "name is required");
    ecs_.ensure_cluster(name);
    return reply(200, json::object{{"cluster_arn", ecs_.state().clusters[ecs_.state().cluster_by_name.at(name)].arn}});
  }
  if (path == "instances") {
    InstanceSpec spec = config_.instance_spec;
    int count = 1;
    try {
      if (auto* v = in.if_contains("count")) count = static_cast<int>(v->as_int64());
      if (auto* v = in.if_contains("cpu")) spec.cpu = static_cast<int>(v->as_int64());
      if (auto* v = in.if_contains("memory")) spec.memory = static_cast<int>(v->as_int64());
      if (auto* v = in.if_contains("instance_type")) spec.instance_type = std::string(v->as_string());
      if (auto* v = in.if_contains("availability_zone")) spec.availability_zone = std::string(v->as_string());
      if (auto* v = in.if_contains("ports")) {
        spec.reserved_ports.clear();
        for (const auto& p : v->as_array()) spec.reserved_ports.push_back(static_cast<std::uint16_t>(p.as_int64()));
      }
      if (auto* v = in.if_contains("attributes"))
        for (const auto& [k, a] : v->as_object()) spec.attributes.emplace_back(std::string(k), std::string(a.as_string()));
    } catch (const std::exception&) {
      return error(400, "bad instance spec: count/cpu/memory are integers, attributes a string map");
    }
    if (count < 1 || count > 10000) return error(400, "count must be within [1, 10000]");
    std::string cluster = str(in, "cluster");
    auto arns = ecs_.add_instances(cluster.empty() ? config_.clusters.front() : cluster, count, spec);
    json::array out;
    for (auto& a : arns) out.push_back(json::value(std::move(a)));
    return reply(200, json::object{{"container_instance_arns", std::move(out)}});
  }
  if (path.rfind("instances/", 0) == 0) {
    std::string ref = str(in, "container_instance");
    if (ref.empty()) return error(400, "container_instance is required");
    if (auto bad = ecs_.instance_action(ref, path.substr(10))) return error(400, *bad);
    return reply(200, json::object{{"ok", true}});
  }
  if (path == "tasks/run") {
    // Bulk launch for benchmarks (event storms): RunTask placement without throttling or faults.
    std::string td = str(in, "task_definition");
    const std::int64_t count = integer(in, "count").value_or(1);
    if (td.empty() || count < 1 || count > 1000000) return error(400, "task_definition and count in [1, 1000000] are required");
    std::string cluster = str(in, "cluster");
    std::int64_t started = 0, failed = 0;
    std::string last_reason;
    for (std::int64_t left = count; left > 0;) {
      auto batch = std::min<std::int64_t>(left, 10);
      json::object run{{"taskDefinition", td}, {"count", batch}, {"startedBy", str(in, "started_by")}};
      if (!cluster.empty()) run["cluster"] = cluster;
      if (auto* g = in.if_contains("group"); g && g->is_string()) run["group"] = *g;
      ApiOutcome out = ecs_.call("RunTask", run);
      if (out.error) return error(400, out.error->type + ": " + out.error->message);
      started += static_cast<std::int64_t>(out.body.at("tasks").as_array().size());
      const auto& f = out.body.at("failures").as_array();
      failed += static_cast<std::int64_t>(f.size());
      if (!f.empty()) last_reason = std::string(f.back().at("reason").as_string());
      left -= batch;
    }
    json::object o{{"started", started}, {"failed", failed}};
    if (!last_reason.empty()) o["last_failure_reason"] = last_reason;
    return reply(200, o);
  }
  if (path.rfind("tasks/", 0) == 0) {
    std::string ref = str(in, "task");
    if (ref.empty()) return error(400, "task is required");
    const int exit_code = int_or(in, "exit_code", 1);
    if (auto bad = ecs_.task_action(ref, path.substr(6), exit_code, str(in, "reason"))) return error(400, *bad);
    return reply(200, json::object{{"ok", true}});
  }
  if (path == "throttle") {
    throttle_.enabled = bool_or(in, "enabled", throttle_.enabled);
    std::string cat = str(in, "category");
    if (std::string op = str(in, "operation"); !op.empty()) {
      auto* b = in.if_contains("burst");
      auto* r = in.if_contains("rate");
      if (!b || !r || !b->is_number() || !r->is_number()) return error(400, "burst and rate are required numbers");
      throttle_.set_operation(op, b->to_number<double>(), r->to_number<double>());
    } else if (!cat.empty()) {
      if (cat != "modify" && cat != "read") return error(400, "category must be modify or read");
      auto* b = in.if_contains("burst");
      auto* r = in.if_contains("rate");
      if (!b || !r || !b->is_number() || !r->is_number()) return error(400, "burst and rate are required numbers");
      (cat == "modify" ? throttle_.modify() : throttle_.read()).reset(b->to_number<double>(), r->to_number<double>());
    }
    return reply(200, json::object{{"enabled", throttle_.enabled}});
  }
  return error(404, "unknown control route " + target);
}

}  // namespace berth::sim
