// File: src/reactor/stats_json.cpp — series -> the /v1/stats JSON shape.
#include "reactor/stats_json.hpp"

#include "reactor/ecs_api_adapter.hpp"
#include "reactor/reconciler.hpp"

#include <span>
#include <string>
#include <variant>

namespace berth::reactor {

namespace json = boost::json;

namespace {

// Exact for counters (no trip through double); 0 for a series that does not exist (yet).
std::uint64_t u64(const metrics::Series* s) {
  if (s == nullptr) return 0;
  if (const auto* c = std::get_if<metrics::Counter>(&s->value)) return c->value();
  if (const auto* f = std::get_if<metrics::CounterFn>(&s->value)) return *f ? (*f)() : 0;
  const double v = s->read();
  return v > 0 ? static_cast<std::uint64_t>(v) : 0;
}

class Reader {
 public:
  explicit Reader(const metrics::Registry& r) : r_(r) {}
  std::uint64_t operator()(std::string_view name, const metrics::Labels& labels = {}) const {
    return u64(r_.find(name, labels));
  }
  // Sum over every series of the family (each cluster's).
  std::uint64_t sum(std::string_view name) const {
    std::uint64_t n = 0;
    if (const auto* f = r_.family(name))
      for (const auto& [values, s] : f->series) n += u64(s.get());
    return n;
  }

 private:
  const metrics::Registry& r_;
};

json::object ecs_json(const metrics::Registry& registry, const Reader& v) {
  json::object calls;
  std::uint64_t total = 0;
  if (const auto* f = registry.family(ecs_calls_metric)) {
    for (const auto& [values, s] : f->series) {  // sorted by operation, as the map it replaces
      calls[values.at(0)] = u64(s.get());
      total += u64(s.get());
    }
  }
  return {{"calls", std::move(calls)},
          {"calls_total", total},
          {"errors", v("berth_ecs_errors_total")},
          {"throttled", v("berth_ecs_throttled_total")},
          {"in_doubt", v("berth_ecs_in_doubt_total")},
          {"protocol", json::object{{"calls", v("berth_ecs_protocol_calls_total")},
                                    {"attempts", v("berth_ecs_protocol_attempts_total")},
                                    {"retries", v("berth_ecs_protocol_retries_total")},
                                    {"throttled_responses", v("berth_ecs_protocol_throttled_responses_total")},
                                    {"client_throttle_waits", v("berth_ecs_protocol_client_throttle_waits_total")},
                                    {"budget_exhausted", v("berth_ecs_protocol_budget_exhausted_total")}}}};
}

json::object clusters_json(const metrics::Registry& registry, const Reader& v) {
  json::object clusters;
  const auto* ready = registry.family("berth_cluster_ready");
  if (ready == nullptr) return clusters;
  for (const auto& [values, s] : ready->series) {  // sorted by cluster name, as the watchers
    const metrics::Labels l{{"cluster", values.at(0)}};
    clusters[values.at(0)] = json::object{{"ready", s->read() != 0},
                                          {"instances", v("berth_cluster_instances", l)},
                                          {"tasks", v("berth_cluster_tasks", l)},
                                          {"live_tasks", v("berth_cluster_live_tasks", l)},
                                          {"bootstrap_attempts", v("berth_watcher_bootstrap_attempts_total", l)},
                                          {"receives", v("berth_watcher_receives_total", l)},
                                          {"receive_errors", v("berth_watcher_receive_errors_total", l)},
                                          {"messages", v("berth_watcher_messages_total", l)},
                                          {"messages_deleted", v("berth_watcher_messages_deleted_total", l)},
                                          {"delete_failures", v("berth_watcher_delete_failures_total", l)},
                                          {"malformed_kept", v("berth_watcher_malformed_kept_total", l)},
                                          {"audits", v("berth_watcher_audits_total", l)},
                                          {"audit_errors", v("berth_watcher_audit_errors_total", l)},
                                          {"audit_drift", v("berth_watcher_audit_drift_total", l)},
                                          {"audit_drift_instances", v("berth_watcher_audit_drift_instances_total", l)},
                                          {"audit_drift_tasks", v("berth_watcher_audit_drift_tasks_total", l)}};
  }
  return clusters;
}

// "reconcile"."by_kind": per workload kind, the controller's own counters. The task-keeping kinds (daemon,
// service) share the first five keys (syncs, failures, tasks_started, tasks_stopped, start_failures); jobs count
// runs instead (their tasks end by themselves).
struct KindSeries {
  std::string_view key;
  std::string_view metric;
};
constexpr KindSeries daemon_series[] = {{"syncs", "berth_daemon_runs_total"},
                                        {"failures", "berth_daemon_failures_total"},
                                        {"tasks_started", "berth_daemon_tasks_started_total"},
                                        {"tasks_stopped", "berth_daemon_tasks_stopped_total"},
                                        {"start_failures", "berth_daemon_start_failures_total"},
                                        {"marked_dirty", "berth_daemon_marked_dirty_total"},
                                        {"rollbacks", "berth_reconciler_rollbacks_total"},
                                        {"resumed_deployments", "berth_daemon_resumed_deployments_total"}};
constexpr KindSeries service_series[] = {{"syncs", "berth_service_syncs_total"},
                                         {"failures", "berth_service_failures_total"},
                                         {"tasks_started", "berth_service_tasks_started_total"},
                                         {"tasks_stopped", "berth_service_tasks_stopped_total"},
                                         {"start_failures", "berth_service_start_failures_total"},
                                         {"marked_dirty", "berth_service_marked_dirty_total"},
                                         {"rollbacks", "berth_service_rollbacks_total"},
                                         {"deployments_completed", "berth_service_deployments_completed_total"},
                                         {"deployments_failed", "berth_service_deployments_failed_total"}};

constexpr KindSeries job_series[] = {{"syncs", "berth_job_syncs_total"},
                                     {"runs_started", "berth_job_runs_started_total"},
                                     {"runs_skipped", "berth_job_runs_skipped_total"},
                                     {"runs_succeeded", "berth_job_runs_succeeded_total"},
                                     {"runs_failed", "berth_job_runs_failed_total"},
                                     {"slots_missed", "berth_job_slots_missed_total"},
                                     {"retries", "berth_job_retries_total"},
                                     {"run_task_calls", "berth_job_run_task_calls_total"},
                                     {"queue_depth_reads", "berth_job_queue_depth_reads_total"},
                                     {"lost_tasks", "berth_job_lost_tasks_total"}};

json::object kind_json(const Reader& v, std::span<const KindSeries> series) {
  json::object o;
  for (const auto& s : series) o[s.key] = v(s.metric);
  return o;
}

// The daemon's keys as they always were (compatibility: "runs", "tasks_started", ... are the daemon's;
// "start_calls"/"stop_calls"/"ecs_errors"/"launches_in_doubt" are the executor's, every kind's), then by_kind.
json::object reconcile_json(const Reader& v) {
  return {{"runs", v("berth_daemon_runs_total")},
          {"syncs", v("berth_reconciler_syncs_total")},
          {"failures", v("berth_daemon_failures_total")},
          {"marked_dirty", v("berth_daemon_marked_dirty_total")},
          {"start_calls", v("berth_executor_start_calls_total")},
          {"stop_calls", v("berth_executor_stop_calls_total")},
          {"tasks_started", v("berth_daemon_tasks_started_total")},
          {"tasks_stopped", v("berth_daemon_tasks_stopped_total")},
          {"start_failures", v("berth_daemon_start_failures_total")},
          {"launches_in_doubt", v("berth_executor_launches_in_doubt_total")},
          {"doubts_found", v("berth_reconciler_doubts_found_total")},
          {"doubts_cleared", v("berth_reconciler_doubts_cleared_total")},
          {"rollbacks", v("berth_reconciler_rollbacks_total")},
          {"ecs_errors", v("berth_executor_ecs_errors_total")},
          {"queue_completed", v("berth_work_queue_completed_total")},
          {"resumed_deployments", v("berth_daemon_resumed_deployments_total")},
          {"queue_depth", v("berth_work_queue_depth")},
          {"by_kind", json::object{{"daemon", kind_json(v, daemon_series)},
                                   {"service", kind_json(v, service_series)},
                                   {"job", kind_json(v, job_series)}}}};
}

// {"daemon/<name>": {"<reason>": n}}: label order is kind, workload, reason (Reconciler::record_skips).
json::object plans_json(const metrics::Registry& registry) {
  json::object plans;
  const auto* f = registry.family(plan_skipped_metric);
  if (f == nullptr) return plans;
  for (const auto& [values, s] : f->series) {
    auto& entry = plans[values.at(0) + "/" + values.at(1)];
    if (!entry.is_object()) entry = json::object{};
    entry.as_object()[values.at(2)] = u64(s.get());
  }
  return plans;
}

}  // namespace

json::object render_stats_json(const metrics::Registry& registry) {
  const Reader v(registry);
  return json::object{
      {"ecs", ecs_json(registry, v)},
      {"events", json::object{{"received", v("berth_events_received_total")},
                              {"applied", v("berth_events_applied_total")},
                              {"stale", v("berth_events_stale_total")},
                              {"duplicate", v("berth_events_duplicate_total")},
                              {"ignored", v("berth_events_ignored_total")},
                              {"unknown_cluster", v("berth_events_unknown_cluster_total")},
                              {"malformed", v("berth_events_malformed_total")},
                              {"messages_deleted", v.sum("berth_watcher_messages_deleted_total")},
                              {"malformed_kept", v.sum("berth_watcher_malformed_kept_total")}}},
      {"audit", json::object{{"drift", v.sum("berth_watcher_audit_drift_total")}}},
      {"reconcile", reconcile_json(v)},
      {"launch_journal", json::object{{"written", v("berth_launch_journal_written_total")},
                                      {"kept_in_doubt", v("berth_launch_journal_kept_in_doubt_total")},
                                      {"recovered", v("berth_launch_journal_recovered_total")}}},
      {"store", json::object{{"deployment_updates", v("berth_store_deployment_updates_total")},
                             {"deployments_finished", v("berth_store_deployments_finished_total")},
                             {"errors", v("berth_store_errors_total")}}},
      {"environments", v("berth_environments")},
      {"clusters", clusters_json(registry, v)},
      {"plans", plans_json(registry)}};
}

}  // namespace berth::reactor
