// File: src/policy/rollout.cpp — the rollout controller: limits, health gate, verdict and budget.
#include "policy/rollout.hpp"

#include <algorithm>
#include <charconv>

namespace berth::policy {

const char* to_string(RolloutVerdict v) {
  switch (v) {
    case RolloutVerdict::in_progress: return "in_progress";
    case RolloutVerdict::complete: return "complete";
    case RolloutVerdict::failed: return "failed";
  }
  return "unknown";
}

namespace {

// "N" or "N%" (N <= 100) -> N, or N% of `of` rounded as asked.
std::optional<std::uint64_t> resolve_count(std::string_view spec, std::uint32_t of, bool round_up) {
  bool percent = !spec.empty() && spec.back() == '%';
  if (percent) spec.remove_suffix(1);
  std::uint64_t value = 0;
  auto [ptr, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), value);
  if (spec.empty() || ec != std::errc{} || ptr != spec.data() + spec.size()) return std::nullopt;
  if (percent) {
    if (value > 100) return std::nullopt;
    value = (value * of + (round_up ? 99 : 0)) / 100;
  }
  return value;
}

}  // namespace

std::optional<std::uint32_t> resolve_max_unavailable(std::string_view spec, std::uint32_t desired) {
  auto value = resolve_count(spec, desired, false);
  if (!value) return std::nullopt;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(*value, 1, UINT32_MAX));
}

std::optional<std::uint32_t> resolve_max_surge(std::string_view spec, std::uint32_t desired) {
  auto value = resolve_count(spec, desired, true);
  if (!value) return std::nullopt;
  return static_cast<std::uint32_t>(std::min<std::uint64_t>(*value, UINT32_MAX));
}

bool is_task_failure(const SnapshotTask& t) {
  if (!t.is_stopped() || t.stop_code == "UserInitiated") return false;
  return t.nonzero_exit || t.stop_code == "TaskFailedToStart" || !t.ever_healthy;
}

UnitAvailability unit_availability(const SnapshotTask& t, bool health_checked, std::chrono::seconds min_healthy,
                                   SystemTime now) {
  if (t.last_status != TaskStatus::running || !t.is_live()) return {};
  if ((t.has_health_check || health_checked) && t.health != HealthStatus::healthy) return {};
  if (!t.healthy_since) return {};
  auto ready_at = *t.healthy_since + min_healthy;
  if (ready_at > now) return {false, ready_at};
  return {true, std::nullopt};
}

RolloutDecision decide_rollout(const RolloutInput& in, SystemTime now) {
  RolloutDecision d;
  const auto& c = in.counts;
  const auto& limits = in.limits;
  auto max_unavailable = resolve_max_unavailable(limits.max_unavailable, c.desired);
  if (!max_unavailable) {
    d.error = "invalid maxUnavailable '" + limits.max_unavailable + "'";
    return d;
  }
  auto max_surge = resolve_max_surge(limits.max_surge, c.desired);
  if (!max_surge) {
    d.error = "invalid maxSurge '" + limits.max_surge + "'";
    return d;
  }
  d.max_unavailable = *max_unavailable;
  d.max_surge = *max_surge;

  if (in.judged) {
    if (limits.max_failures > 0 && c.failed >= limits.max_failures) {
      d.verdict = RolloutVerdict::failed;
      d.reason = std::to_string(c.failed) + " task failures of " + std::string(in.target) + " (max " +
                 std::to_string(limits.max_failures) + ")";
    } else if (limits.deadline.count() > 0 && now >= in.started_at + limits.deadline) {
      d.verdict = RolloutVerdict::failed;
      d.reason = "deadline of " + std::to_string(limits.deadline.count()) + "s exceeded with " +
                 std::to_string(c.updated) + "/" + std::to_string(c.desired) + " " + std::string(in.unit_noun) +
                 " updated";
    } else if (c.updated == c.desired && c.old_available + c.old_unavailable == 0) {
      d.verdict = RolloutVerdict::complete;
    } else if (limits.deadline.count() > 0) {
      d.wake_at = in.started_at + limits.deadline;
    }
  }
  const bool failed_now = in.judged && d.verdict == RolloutVerdict::failed;
  d.halted = failed_now || in.failed_before;
  d.rollback = failed_now && limits.auto_rollback;

  // Broken old units go first and for free: their slots count as unavailable already.
  d.replace_unavailable = c.old_unavailable;
  if (!d.halted) {
    if (c.unavailable < d.max_unavailable)
      d.replace_available = std::min(c.old_available, d.max_unavailable - c.unavailable);
    const std::uint64_t ceiling = std::uint64_t{c.desired} + d.max_surge;
    if (d.max_surge > 0 && c.live < ceiling)
      d.surge_starts = static_cast<std::uint32_t>(std::min<std::uint64_t>(ceiling - c.live, d.max_surge));
  }
  return d;
}

}  // namespace berth::policy
