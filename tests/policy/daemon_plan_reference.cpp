// File: tests/policy/daemon_plan_reference.cpp — the daemon plan as it was before it was rebuilt on the
// feasibility chain and the rollout controller, kept verbatim (test-only) so a fixed-seed property test
// can show the rebuilt plan gives identical output for identical input.
#include "daemon_plan_reference.hpp"

#include "policy/constraint.hpp"
#include "policy/ownership.hpp"
#include "policy/task_definition.hpp"

#include <algorithm>
#include <unordered_map>

namespace berth::policy::reference {

namespace {

using std::chrono::duration_cast;

struct Context {
  const Environment& env;
  SystemTime now;
  DaemonPlan& plan;
  const DaemonPlanOptions& options;

  void wake_at(SystemTime t) {
    if (t <= now) return;
    if (!plan.next_wake || t < *plan.next_wake) plan.next_wake = t;
  }
  void skip(std::string_view instance_arn, SkipReason r) {
    ++plan.skip_counts[static_cast<std::size_t>(r)];
    if (r != SkipReason::has_task) plan.skipped.push_back({std::string(instance_arn), r});
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
  // RUNNING (and HEALTHY where checked) for min_healthy.
  bool available(const SnapshotTask& t) {
    if (t.last_status != TaskStatus::running || !t.is_live()) return false;
    if ((t.has_health_check || declared_health_check(t.task_definition)) && t.health != HealthStatus::healthy)
      return false;
    if (!t.healthy_since) return false;
    auto ready_at = *t.healthy_since + env.rollout.min_healthy;
    if (ready_at > now) {
      wake_at(ready_at);
      return false;
    }
    return true;
  }
};

// Higher is better: target revision, available, running, confirmed, then the lowest ARN (stable).
struct Rank {
  bool target, available, running, has_arn;
  auto tie() const { return std::tuple(target, available, running, has_arn); }
};

}  // namespace

DaemonPlan reference_daemon_plan(const ClusterSnapshot& snapshot, const Environment& env, const Deployment* active,
                               const InstanceBackoff& backoff, SystemTime now, const DaemonPlanOptions& options) {
  DaemonPlan plan;
  auto parsed = parse_constraint(env.constraint);
  if (!parsed) {
    plan.error = "constraint " + parsed.error->to_string();
    return plan;
  }
  const bool rolling = active && (active->status == DeploymentStatus::pending ||
                                  active->status == DeploymentStatus::running);
  auto group = encode_group(WorkloadKey::daemon(env.name), active ? std::string_view(active->id) : std::string_view{});
  if (!group) {
    plan.error = "environment name or deployment id does not fit in an ECS task group";
    return plan;
  }
  const std::string started_by = encode_started_by(WorkloadKey::daemon(env.name));
  const std::string_view target = env.task_definition;
  Context ctx{env, now, plan, options};

  // Index the environment's tasks by instance.
  std::unordered_map<std::string_view, std::vector<const SnapshotTask*>> by_instance;
  by_instance.reserve(snapshot.instances.size());
  for (const auto& t : snapshot.tasks) {
    if (t.started_by != started_by) continue;
    by_instance[t.instance_arn].push_back(&t);
    if (t.doubt_recheck_at) ctx.wake_at(*t.doubt_recheck_at);
  }

  std::vector<const SnapshotInstance*> instances;
  instances.reserve(snapshot.instances.size());
  for (const auto& i : snapshot.instances) instances.push_back(&i);
  std::sort(instances.begin(), instances.end(), [](auto* a, auto* b) { return a->arn < b->arn; });

  std::vector<std::string_view> to_start;
  std::vector<const SnapshotTask*> old_available, old_unavailable;
  std::uint32_t unavailable = 0, updated = 0, old_live = 0;
  static const std::vector<const SnapshotTask*> no_tasks;

  // Assumptions: each instance appears once in the snapshot; tasks are the environment's only.
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

    const bool matching = matches_requirements(env.attributes, *inst) && parsed.constraint.matches(*inst);
    if (!matching) {
      for (auto* t : live) ctx.stop(*t, StopCause::not_matching, "instance no longer matches the environment");
      ctx.skip(inst->arn, SkipReason::not_matching);
      continue;
    }
    ++plan.matching;
    if (inst->status == InstanceStatus::draining && options.stop_on_draining) {
      for (auto* t : live) ctx.stop(*t, StopCause::draining, "instance is draining");
      ctx.skip(inst->arn, SkipReason::draining);
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

    if (inst->status != InstanceStatus::active || !inst->agent_connected) {
      ctx.skip(inst->arn, inst->status == InstanceStatus::draining ? SkipReason::draining
                          : inst->status != InstanceStatus::active ? SkipReason::not_active
                                                                   : SkipReason::disconnected);
      continue;
    }
    ++plan.desired;

    if (kept) {
      if (kept_rank.target) {
        if (kept_rank.available) ++updated;
        else ++unavailable;
        ctx.skip(inst->arn, SkipReason::has_task);
      } else {
        ++old_live;
        if (kept_rank.available) {
          old_available.push_back(kept);
        } else {
          ++unavailable;
          old_unavailable.push_back(kept);
        }
      }
      continue;
    }
    ++unavailable;
    if (stopping) {
      ctx.skip(inst->arn, SkipReason::stop_pending);
      continue;
    }
    if (auto until = backoff.blocked_until(inst->arn, now)) {
      ctx.wake_at(*until);
      ctx.skip(inst->arn, SkipReason::backing_off);
      continue;
    }
    to_start.push_back(inst->arn);
  }

  // Rollout: old-revision tasks are replaced (stopped here, started once STOPPED). Unavailable ones go
  // first and for free: their instances already count as unavailable. Available ones only while
  // fewer than maxUnavailable instances are unavailable.
  auto max_unavailable = resolve_max_unavailable(env.rollout.max_unavailable, plan.desired);
  if (!max_unavailable) {
    plan = DaemonPlan{};
    plan.error = "invalid maxUnavailable '" + env.rollout.max_unavailable + "'";
    return plan;
  }
  if (rolling) {
    RolloutProgress p;
    p.deployment_id = active->id;
    p.desired = plan.desired;
    p.updated = updated;
    p.unavailable = unavailable;
    p.max_unavailable = *max_unavailable;
    p.failed_instances = active->failed_instances;
    std::uint32_t seen_failures = 0;
    for (const auto& t : snapshot.tasks) {
      if (t.started_by != started_by || !task_definition_matches(active->task_definition, t.task_definition) ||
          !is_task_failure(t))
        continue;
      auto tag = parse_group(t.group);
      if (!tag || tag->deployment_id != active->id) continue;
      ++seen_failures;
      if (std::find(p.failed_instances.begin(), p.failed_instances.end(), t.instance_arn) == p.failed_instances.end())
        p.failed_instances.emplace_back(t.instance_arn);
    }
    // Tombstones expire, so the persisted count is a floor: failures never decrease.
    p.failed = std::max(active->failed_count, seen_failures);
    auto started = active->started_at.value_or(active->created_at);
    const auto& rs = env.rollout;
    if (rs.max_failures > 0 && p.failed >= rs.max_failures) {
      p.verdict = RolloutVerdict::failed;
      p.reason = std::to_string(p.failed) + " task failures of " + active->task_definition + " (max " +
                 std::to_string(rs.max_failures) + ")";
    } else if (rs.deadline.count() > 0 && now >= started + rs.deadline) {
      p.verdict = RolloutVerdict::failed;
      p.reason = "deadline of " + std::to_string(rs.deadline.count()) + "s exceeded with " +
                 std::to_string(updated) + "/" + std::to_string(plan.desired) + " instances updated";
    } else if (updated == plan.desired && old_live == 0) {
      p.verdict = RolloutVerdict::complete;
    } else {
      if (rs.deadline.count() > 0) ctx.wake_at(started + rs.deadline);
    }
    plan.rollout = std::move(p);
  }
  // A failing or failed rollout stops taking instances away: only broken old tasks are replaced.
  const bool halted = (plan.rollout && plan.rollout->verdict == RolloutVerdict::failed) ||
                      (active && active->status == DeploymentStatus::failed &&
                       active->task_definition == env.task_definition);
  for (auto* t : old_unavailable) ctx.stop(*t, StopCause::replaced, "replaced by " + std::string(target));
  std::int64_t budget = halted ? 0 : static_cast<std::int64_t>(*max_unavailable) - unavailable;
  for (auto* t : old_available) {
    if (budget <= 0) {
      ctx.skip(t->instance_arn, SkipReason::waiting_for_budget);
      continue;
    }
    --budget;
    ctx.stop(*t, StopCause::replaced, "replaced by " + std::string(target));
  }

  for (std::size_t i = 0; i < to_start.size(); i += max_instances_per_start_task) {
    StartBatch batch{std::string(target), {}, started_by, *group};
    auto end = std::min(to_start.size(), i + max_instances_per_start_task);
    for (std::size_t j = i; j < end; ++j) batch.instance_arns.emplace_back(to_start[j]);
    plan.starts.push_back(std::move(batch));
  }

  return plan;
}

}  // namespace berth::policy::reference
