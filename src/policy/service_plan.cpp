// File: src/policy/service_plan.cpp — compute_service_plan: replicas kept, rolled out, healed and scaled.
//
//   service's tasks --classify--> current / outgoing / lost / stopping / stopped
//   counts + bounds --decide_rollout--> verdict (breaker, deadline), halted
//   stops: lost, outgoing (unhealthy freely, healthy above the minimum bound), scale-down excess
//   starts: min(desired - current, max bound - running) --place--> StartBatches, unplaced reasons
#include "policy/service_plan.hpp"

#include "policy/ownership.hpp"
#include "policy/rollout.hpp"
#include "policy/scale_down.hpp"
#include "policy/task_definition.hpp"

#include <algorithm>
#include <tuple>
#include <unordered_map>

namespace berth::policy {

const char* to_string(ServiceRolloutVerdict v) {
  switch (v) {
    case ServiceRolloutVerdict::progressing: return "progressing";
    case ServiceRolloutVerdict::completed: return "completed";
    case ServiceRolloutVerdict::failed: return "failed";
    case ServiceRolloutVerdict::rolled_back: return "rolled_back";
  }
  return "unknown";
}

std::size_t ServicePlan::start_count() const {
  std::size_t n = 0;
  for (const auto& b : starts) n += b.instance_arns.size();
  return n;
}

namespace {

struct Classified {
  const SnapshotTask* task;
  bool healthy;
  bool draining;  // outgoing because its instance drains (else: older task definition)
};

struct Context {
  const ServiceSpec& spec;
  const ServicePlanOptions& options;
  SystemTime now;
  ServicePlan& plan;

  void wake_at(SystemTime t) {
    if (t <= now) return;
    if (!plan.next_wake || t < *plan.next_wake) plan.next_wake = t;
  }
  const KnownTaskDefinition* known(std::string_view td) const {
    for (const auto& k : options.task_definitions)
      if (task_definition_matches(k.task_definition, td) || task_definition_matches(td, k.task_definition)) return &k;
    return nullptr;
  }
  // The health gate (minHealthySeconds) proves the tasks being rolled out; an outgoing task (older version, or on
  // a draining instance) that is RUNNING (and HEALTHY where checked) serves however young it is, so it counts
  // against minimumHealthyPercent as in ECS instead of being free to stop (bench service-rollout: a PUT a few
  // seconds after a placement stopped every task younger than the gate at once).
  bool healthy(const SnapshotTask& t, bool gated = true) {
    const auto* k = known(t.task_definition);
    const auto gate = gated ? std::chrono::seconds(spec.deployment.min_healthy_seconds) : std::chrono::seconds(0);
    auto a = unit_availability(t, k && k->health_checked, gate, now);
    if (a.ready_at) wake_at(*a.ready_at);
    return a.available;
  }
  void stop(const SnapshotTask& t, StopCause cause, std::string_view why) {
    if (t.arn.empty()) return;  // a launch in doubt has no ARN to stop yet
    std::string reason = "berth: " + spec.name + ": " + std::string(why);
    if (reason.size() > 255) reason.resize(255);
    plan.stops.push_back({std::string(t.arn), std::string(t.instance_arn), cause, std::move(reason)});
  }
};

// StartTask launches one task per listed instance: batches of <= 10 distinct instances, taking one task
// per instance per round so that several tasks on one instance (binpack) go out in several calls.
std::vector<StartBatch> make_batches(const std::vector<std::string_view>& placements, const std::string& task_definition,
                                     const std::string& started_by, const std::string& group) {
  std::vector<std::pair<std::string_view, std::uint32_t>> per_instance;
  std::unordered_map<std::string_view, std::size_t> index;
  for (auto arn : placements) {
    auto [it, added] = index.emplace(arn, per_instance.size());
    if (added) per_instance.push_back({arn, 0});
    ++per_instance[it->second].second;
  }
  std::vector<StartBatch> out;
  for (bool any = true; any;) {
    any = false;
    for (auto& [arn, left] : per_instance) {
      if (left == 0) continue;
      any = true;
      --left;
      if (out.empty() || out.back().instance_arns.size() >= max_instances_per_start_task)
        out.push_back({task_definition, {}, started_by, group});
      out.back().instance_arns.emplace_back(arn);
    }
    // A new round starts a new batch: an instance must not appear twice in one call.
    if (any && !out.empty() && out.back().instance_arns.size() < max_instances_per_start_task)
      out.push_back({task_definition, {}, started_by, group});
  }
  if (!out.empty() && out.back().instance_arns.empty()) out.pop_back();
  return out;
}

}  // namespace

ServicePlan compute_service_plan(const ClusterSnapshot& snapshot, const ServiceSpec& spec, const Deployment* active,
                                 const WorkloadBackoff& backoff, SystemTime now, const ServicePlanOptions& options) {
  ServicePlan plan;
  if (auto e = validate(spec)) {
    plan.error = e->to_string();
    return plan;
  }
  Context ctx{spec, options, now, plan};
  const KnownTaskDefinition* target = ctx.known(spec.task_definition);
  if (!target) {
    plan.error = "task definition " + spec.task_definition + " is not described yet";
    return plan;
  }
  const WorkloadKey workload = WorkloadKey::service(spec.name);
  const bool rolling = active && (active->status == DeploymentStatus::pending || active->status == DeploymentStatus::running);
  auto group = encode_group(workload, active ? std::string_view(active->id) : std::string_view{});
  if (!group) {
    plan.error = "service name or deployment id does not fit in an ECS task group";
    return plan;
  }
  const std::string started_by = encode_started_by(workload);
  const auto bounds = resolve_bounds(spec);
  const auto desired = static_cast<std::uint32_t>(spec.desired_count);
  const auto strategy = effective_strategy(spec);

  std::unordered_map<std::string_view, const SnapshotInstance*> instances;
  instances.reserve(snapshot.instances.size());
  for (const auto& i : snapshot.instances) instances.emplace(i.arn, &i);

  // Assumption: a task appears once in the snapshot. Invariant: every live task of the service lands
  // in exactly one of current / outgoing / lost.
  std::vector<Classified> current, outgoing;
  std::vector<const SnapshotTask*> lost, stopped;
  for (const auto& t : snapshot.tasks) {
    if (classify_task(t.started_by, t.group, workload) != Ownership::ours) continue;
    if (t.doubt_recheck_at) ctx.wake_at(*t.doubt_recheck_at);
    if (t.is_stopped()) {
      stopped.push_back(&t);
      continue;
    }
    if (t.is_stopping()) {
      ++plan.counts.stopping;
      continue;
    }
    auto it = instances.find(t.instance_arn);
    const SnapshotInstance* inst = it == instances.end() ? nullptr : it->second;
    if (!inst || !inst->agent_connected ||
        (inst->status != InstanceStatus::active && inst->status != InstanceStatus::draining)) {
      lost.push_back(&t);
      continue;
    }
    const bool draining = inst->status == InstanceStatus::draining;
    bool is_current = !draining && task_definition_matches(spec.task_definition, t.task_definition);
    if (is_current && rolling && spec.replace_every_task) {
      // Only the deployment's own launches are current: the tasks from before it are replaced as well.
      auto tag = parse_group(t.group);
      is_current = tag && tag->deployment_id == active->id;
    }
    Classified c{&t, ctx.healthy(t, is_current), draining};
    if (is_current) current.push_back(c);
    else outgoing.push_back(c);
  }

  auto& counts = plan.counts;
  counts.desired = desired;
  counts.bounds = bounds;
  counts.current = static_cast<std::uint32_t>(current.size());
  counts.outgoing = static_cast<std::uint32_t>(outgoing.size());
  counts.lost = static_cast<std::uint32_t>(lost.size());
  counts.running = counts.current + counts.outgoing;
  const auto healthy_of = [](const std::vector<Classified>& v) {
    return static_cast<std::uint32_t>(std::count_if(v.begin(), v.end(), [](const Classified& c) { return c.healthy; }));
  };
  counts.updated = healthy_of(current);
  const std::uint32_t outgoing_healthy = healthy_of(outgoing);
  counts.healthy = counts.updated + outgoing_healthy;

  // The deployment: circuit breaker on failures of its tasks, progress deadline, completion.
  const auto& cb = spec.deployment.circuit_breaker;
  const std::uint32_t threshold = cb.enable ? circuit_breaker_threshold(desired) : 0;
  std::uint32_t failed = 0;
  if (rolling) {
    std::uint32_t seen = 0;
    for (const auto* t : stopped) {
      if (!task_definition_matches(active->task_definition, t->task_definition) || !is_task_failure(*t)) continue;
      auto tag = parse_group(t->group);
      if (tag && tag->deployment_id == active->id) ++seen;
    }
    failed = std::max(active->failed_count, seen);  // tombstones expire: the persisted count is a floor
  }
  RolloutInput input;
  input.counts = {desired, std::min(counts.updated, desired), desired > counts.updated ? desired - counts.updated : 0,
                  outgoing_healthy, counts.outgoing - outgoing_healthy, counts.running, failed};
  input.limits.deadline = std::chrono::seconds(spec.deployment.progress_deadline_seconds);
  input.limits.max_failures = threshold;
  input.limits.auto_rollback = cb.rollback && active && !active->previous_task_definition.empty();
  input.judged = rolling;
  if (rolling) {
    input.started_at = active->started_at.value_or(active->created_at);
    input.target = active->task_definition;
  }
  input.unit_noun = "tasks";
  input.failed_before = active && active->status == DeploymentStatus::failed &&
                        task_definition_matches(spec.task_definition, active->task_definition);
  const auto decision = decide_rollout(input, now);
  if (decision.wake_at) ctx.wake_at(*decision.wake_at);
  if (rolling || input.failed_before) {
    ServiceRollout r;
    r.deployment_id = active->id;
    r.task_definition = active->task_definition;
    r.desired = desired;
    r.updated = counts.updated;
    r.failed = failed;
    r.failure_threshold = threshold;
    if (input.failed_before) {
      r.verdict = ServiceRolloutVerdict::failed;
      r.reason = active->reason;
    } else if (decision.verdict == RolloutVerdict::complete) {
      r.verdict = ServiceRolloutVerdict::completed;
    } else if (decision.verdict == RolloutVerdict::failed) {
      r.verdict = decision.rollback ? ServiceRolloutVerdict::rolled_back : ServiceRolloutVerdict::failed;
      r.reason = decision.reason;
      if (decision.rollback) r.rollback_task_definition = active->previous_task_definition;
    }
    plan.rollout = std::move(r);
  }
  const bool halted = decision.halted;

  // Stops. Lost tasks go at once (their replacements are not limited by them).
  for (const auto* t : lost) ctx.stop(*t, StopCause::lost, "instance lost (agent disconnected or instance inactive)");
  if (!halted) {
    // Outgoing: unhealthy ones cost no health, healthy ones only above the minimum bound; draining first.
    std::stable_sort(outgoing.begin(), outgoing.end(), [](const Classified& a, const Classified& b) {
      return std::tuple(!a.healthy, a.draining) > std::tuple(!b.healthy, b.draining);
    });
    std::uint32_t budget = counts.healthy > bounds.min_healthy ? counts.healthy - bounds.min_healthy : 0;
    for (const auto& c : outgoing) {
      if (c.healthy) {
        if (budget == 0) break;
        --budget;
      }
      ctx.stop(*c.task, c.draining ? StopCause::draining : StopCause::replaced,
               c.draining ? "instance is draining" : "replaced by " + spec.task_definition);
    }
  }
  if (current.size() > desired) {
    std::vector<const SnapshotTask*> candidates;
    for (const auto& c : current)
      if (!c.task->arn.empty()) candidates.push_back(c.task);
    for (const auto* t : select_scale_down(candidates, current.size() - desired, strategy, snapshot))
      ctx.stop(*t, StopCause::scaled_down, "scaled down to " + std::to_string(desired));
  }

  // Starts: up to desired, within the maximum bound, unless halted or backing off.
  std::uint32_t to_start = desired > counts.current ? desired - counts.current : 0;
  to_start = std::min(to_start, bounds.max_running > counts.running ? bounds.max_running - counts.running : 0u);
  if (halted) to_start = 0;
  if (to_start > 0) {
    if (auto until = backoff.blocked_until(workload, now)) {
      ctx.wake_at(*until);
      to_start = 0;
    }
  }
  if (to_start > 0) {
    std::vector<std::string_view> spread_existing, distinct_existing, penalized;
    for (const auto& c : current) spread_existing.push_back(c.task->instance_arn);
    distinct_existing = spread_existing;
    for (const auto& c : outgoing) distinct_existing.push_back(c.task->instance_arn);
    for (const auto* t : stopped)
      if (t->stop_code != "UserInitiated" && (!t->stopped_at || *t->stopped_at + options.failure_penalty > now))
        penalized.push_back(t->instance_arn);
    for (const auto& arn : options.penalized_instances) penalized.push_back(arn);
    CapacityLedger ledger(snapshot);
    PlacementRequest request;
    request.requirements = target->requirements;
    request.constraints = spec.placement_constraints;
    request.strategy = strategy;
    request.count = to_start;
    request.spread_existing = spread_existing;
    request.distinct_existing = distinct_existing;
    request.penalized = penalized;
    request.seed = options.seed;
    auto placed = place(ledger, request);
    if (placed.error) {
      plan = ServicePlan{};
      plan.error = std::move(placed.error);
      return plan;
    }
    plan.unplaced = {placed.unplaced, std::move(placed.reasons), std::move(placed.message)};
    plan.starts = make_batches(placed.instances, spec.task_definition, started_by, *group);
  }
  return plan;
}

}  // namespace berth::policy
