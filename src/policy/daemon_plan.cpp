// File: src/policy/daemon_plan.cpp — compute_daemon_plan: one task per matching instance, rollouts.
//
// Pipeline per instance (sorted by ARN, so plans are deterministic):
//   placement chain (matching) --> stop tasks there if it fails
//   stop_on_draining rule --> duplicates stopped, the best live task kept
//   launchable chain (status, agent_connected) --> desired; kept task counted (updated/old/unavailable)
//   stop_pending rule --> launch chain (backoff) --> to start
// then the rollout controller turns the counts into the verdict and the replacement budget.
#include "policy/daemon_plan.hpp"

#include "policy/constraint.hpp"
#include "policy/ownership.hpp"
#include "policy/task_definition.hpp"

#include <algorithm>
#include <unordered_map>

namespace berth::policy {

const char* to_string(StopCause c) {
  switch (c) {
    case StopCause::duplicate: return "duplicate";
    case StopCause::not_matching: return "not_matching";
    case StopCause::replaced: return "replaced";
    case StopCause::draining: return "draining";
    case StopCause::scaled_down: return "scaled_down";
    case StopCause::lost: return "lost";
  }
  return "unknown";
}

std::size_t DaemonPlan::start_count() const {
  std::size_t n = 0;
  for (const auto& b : starts) n += b.instance_arns.size();
  return n;
}

namespace {

struct Context {
  const Environment& env;
  SystemTime now;
  DaemonPlan& plan;
  const DaemonPlanOptions& options;

  void wake_at(SystemTime t) {
    if (t <= now) return;
    if (!plan.next_wake || t < *plan.next_wake) plan.next_wake = t;
  }
  void stop(const SnapshotTask& t, StopCause cause, std::string_view why) {
    if (t.arn.empty()) return;  // a launch in doubt has no ARN to stop yet
    std::string reason = "berth: " + env.name + ": " + std::string(why);
    if (reason.size() > 255) reason.resize(255);
    plan.stops.push_back({std::string(t.arn), std::string(t.instance_arn), cause, std::move(reason)});
  }
  bool declared_health_check(std::string_view td) const {
    const auto& v = options.health_checked_task_definitions;
    auto name = task_definition_name(td);
    return std::find(v.begin(), v.end(), name) != v.end();
  }
  // The rollout's health gate; a task that will pass it later wakes the plan then.
  bool available(const SnapshotTask& t) {
    auto a = unit_availability(t, declared_health_check(t.task_definition), env.rollout.min_healthy, now);
    if (a.ready_at) wake_at(*a.ready_at);
    return a.available;
  }
};

// Higher is better: target revision, available, running, confirmed, then the lowest ARN (stable).
struct Rank {
  bool target, available, running, has_arn;
  auto tie() const { return std::tuple(target, available, running, has_arn); }
};

}  // namespace

DaemonPlan compute_daemon_plan(const ClusterSnapshot& snapshot, const Environment& env, const Deployment* active,
                               const InstanceBackoff& backoff, SystemTime now, const DaemonPlanOptions& options) {
  DaemonPlan plan;
  auto parsed = parse_constraint(env.constraint);
  if (!parsed) {
    plan.error = "constraint " + parsed.error->to_string();
    return plan;
  }
  const bool rolling = active && (active->status == DeploymentStatus::pending ||
                                  active->status == DeploymentStatus::running);
  const WorkloadKey workload = WorkloadKey::daemon(env.name);
  auto group = encode_group(workload, active ? std::string_view(active->id) : std::string_view{});
  if (!group) {
    plan.error = "environment name or deployment id does not fit in an ECS task group";
    return plan;
  }
  const std::string started_by = encode_started_by(workload);
  const std::string_view target = env.task_definition;
  Context ctx{env, now, plan, options};
  auto ours = [&](const SnapshotTask& t) { return classify_task(t.started_by, t.group, workload) == Ownership::ours; };

  // Index the environment's tasks by instance; the snapshot may hold the whole cluster's.
  std::unordered_map<std::string_view, std::vector<const SnapshotTask*>> by_instance;
  by_instance.reserve(snapshot.instances.size());
  for (const auto& t : snapshot.tasks) {
    if (!ours(t)) continue;
    by_instance[t.instance_arn].push_back(&t);
    if (t.doubt_recheck_at) ctx.wake_at(*t.doubt_recheck_at);
  }

  std::vector<const SnapshotInstance*> instances;
  instances.reserve(snapshot.instances.size());
  for (const auto& i : snapshot.instances) instances.push_back(&i);
  std::sort(instances.begin(), instances.end(), [](auto* a, auto* b) { return a->arn < b->arn; });

  // One log for every rejection, in instance order; plan-level reasons (has_task, stop_pending,
  // waiting_for_budget, draining under stop_on_draining) are recorded into it directly.
  RejectionLog log;
  FeasibilityChain placement(log);  // where the environment's tasks may be at all
  placement.add(matching_filter(env.attributes, parsed.constraint));
  FeasibilityChain launchable(log);  // where a task is desired
  launchable.add(status_filter()).add(agent_connected_filter());
  FeasibilityChain launch(log);  // whether a launch may go out now
  launch.add(backoff_filter(backoff, now));

  std::vector<std::string_view> to_start;
  std::vector<const SnapshotTask*> old_available, old_unavailable;
  RolloutCounts counts;
  static const std::vector<const SnapshotTask*> no_tasks;

  // Assumptions: each instance appears once in the snapshot.
  // Invariants: at most one live task is kept per instance; launches only on launchable instances
  // without a live or stopping task of the environment.
  for (const SnapshotInstance* inst : instances) {
    auto found = by_instance.find(inst->arn);
    const auto& tasks = found == by_instance.end() ? no_tasks : found->second;
    std::vector<const SnapshotTask*> live;
    bool stopping = false;
    for (auto* t : tasks) {
      if (t->is_live()) live.push_back(t);
      else if (t->is_stopping()) stopping = true;
    }

    if (placement.check(*inst)) {
      for (auto* t : live) ctx.stop(*t, StopCause::not_matching, "instance no longer matches the environment");
      continue;
    }
    ++plan.matching;
    if (inst->status == InstanceStatus::draining && options.stop_on_draining) {
      for (auto* t : live) ctx.stop(*t, StopCause::draining, "instance is draining");
      log.record(inst->arn, SkipReason::draining);
      continue;
    }

    // Keep the best live task, stop the other ones.
    const SnapshotTask* kept = nullptr;
    Rank kept_rank{};
    for (auto* t : live) {
      Rank r{task_definition_matches(target, t->task_definition), ctx.available(*t), t->last_status == TaskStatus::running, !t->arn.empty()};
      if (!kept || r.tie() > kept_rank.tie() || (r.tie() == kept_rank.tie() && t->arn < kept->arn)) {
        kept = t;
        kept_rank = r;
      }
    }
    for (auto* t : live)
      if (t != kept) ctx.stop(*t, StopCause::duplicate, "duplicate task on instance");

    if (launchable.check(*inst)) continue;
    ++counts.desired;

    if (kept) {
      ++counts.live;
      if (kept_rank.target) {
        if (kept_rank.available) ++counts.updated;
        else ++counts.unavailable;
        log.record(inst->arn, SkipReason::has_task);
      } else if (kept_rank.available) {
        old_available.push_back(kept);
      } else {
        ++counts.unavailable;
        old_unavailable.push_back(kept);
      }
      continue;
    }
    ++counts.unavailable;
    if (stopping) {
      log.record(inst->arn, SkipReason::stop_pending);
      continue;
    }
    if (launch.check(*inst)) continue;
    to_start.push_back(inst->arn);
  }
  if (auto retry = launch.earliest_retry()) ctx.wake_at(*retry);
  plan.desired = counts.desired;
  counts.old_available = static_cast<std::uint32_t>(old_available.size());
  counts.old_unavailable = static_cast<std::uint32_t>(old_unavailable.size());

  // Failures of the new revision launched by this deployment (tombstones the model still holds).
  std::vector<std::string> failed_instances;
  if (rolling) {
    failed_instances = active->failed_instances;
    std::uint32_t seen_failures = 0;
    for (const auto& t : snapshot.tasks) {
      if (!ours(t) || !task_definition_matches(active->task_definition, t.task_definition) || !is_task_failure(t))
        continue;
      auto tag = parse_group(t.group);
      if (!tag || tag->deployment_id != active->id) continue;
      ++seen_failures;
      if (std::find(failed_instances.begin(), failed_instances.end(), t.instance_arn) == failed_instances.end())
        failed_instances.emplace_back(t.instance_arn);
    }
    // Tombstones expire, so the persisted count is a floor: failures never decrease.
    counts.failed = std::max(active->failed_count, seen_failures);
  }

  // Rollout: old-revision tasks are replaced (stopped here, started once STOPPED: maxSurge 0).
  RolloutInput input;
  input.counts = counts;
  input.limits = RolloutLimits::from(env.rollout);
  input.judged = rolling;
  if (rolling) {
    input.started_at = active->started_at.value_or(active->created_at);
    input.target = active->task_definition;
  }
  // A failed deployment of the current revision stays halted: only broken old tasks are replaced.
  input.failed_before = active && active->status == DeploymentStatus::failed &&
                        active->task_definition == env.task_definition;
  auto decision = decide_rollout(input, now);
  if (decision.error) {
    plan = DaemonPlan{};
    plan.error = std::move(decision.error);
    return plan;
  }
  if (rolling) {
    RolloutProgress p;
    p.deployment_id = active->id;
    p.desired = counts.desired;
    p.updated = counts.updated;
    p.unavailable = counts.unavailable;
    p.max_unavailable = decision.max_unavailable;
    p.failed = counts.failed;
    p.failed_instances = std::move(failed_instances);
    p.verdict = decision.verdict;
    p.reason = std::move(decision.reason);
    if (decision.wake_at) ctx.wake_at(*decision.wake_at);
    plan.rollout = std::move(p);
  }
  for (auto* t : old_unavailable) ctx.stop(*t, StopCause::replaced, "replaced by " + std::string(target));
  for (std::size_t i = 0; i < old_available.size(); ++i) {
    if (i >= decision.replace_available) {
      log.record(old_available[i]->instance_arn, SkipReason::waiting_for_budget);
      continue;
    }
    ctx.stop(*old_available[i], StopCause::replaced, "replaced by " + std::string(target));
  }

  for (std::size_t i = 0; i < to_start.size(); i += max_instances_per_start_task) {
    StartBatch batch{std::string(target), {}, started_by, *group};
    auto end = std::min(to_start.size(), i + max_instances_per_start_task);
    for (std::size_t j = i; j < end; ++j) batch.instance_arns.emplace_back(to_start[j]);
    plan.starts.push_back(std::move(batch));
  }

  // Steady-state instances are only counted, to keep plans small.
  plan.skip_counts = log.counts();
  plan.skipped = log.take_rejected();
  std::erase_if(plan.skipped, [](const SkippedInstance& s) { return s.reason == SkipReason::has_task; });
  return plan;
}

}  // namespace berth::policy
