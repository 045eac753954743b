// File: src/policy/instance_backoff.cpp — per-instance exponential launch backoff.
#include "policy/instance_backoff.hpp"

#include "policy/ownership.hpp"

#include <algorithm>
#include <vector>

namespace berth::policy {

std::chrono::milliseconds doubling_delay(std::chrono::milliseconds base, std::chrono::milliseconds max,
                                         std::uint32_t failures) {
  auto delay = base;
  for (std::uint32_t i = 1; i < failures && delay < max; ++i) delay *= 2;
  return std::min(delay, max);
}

void InstanceBackoff::record_failure(std::string_view instance_arn, SystemTime at) {
  auto it = entries_.find(instance_arn);
  if (it == entries_.end()) it = entries_.emplace(std::string(instance_arn), Entry{}).first;
  Entry& e = it->second;
  e.failures = std::min<std::uint32_t>(e.failures + 1, 30);
  auto delay = doubling_delay(settings_.base, settings_.max, e.failures);
  e.next_allowed = std::max(e.next_allowed, at + delay);
}

void InstanceBackoff::reset(std::string_view instance_arn) {
  if (auto it = entries_.find(instance_arn); it != entries_.end()) entries_.erase(it);
}

void InstanceBackoff::observe_task(const SnapshotTask& t, SystemTime now, std::unordered_set<std::string_view>& present) {
  if (t.is_stopped()) {
    if (t.arn.empty()) return;
    present.insert(t.arn);
    if (t.stop_code == "UserInitiated" || counted_.contains(t.arn)) return;
    counted_.emplace(t.arn);
    record_failure(t.instance_arn, t.stopped_at.value_or(now));
  } else if (t.last_status == TaskStatus::running && t.healthy_since &&
             *t.healthy_since + settings_.reset_after <= now) {
    reset(t.instance_arn);
  }
}

void InstanceBackoff::observe(const ClusterSnapshot& snapshot, SystemTime now) {
  std::unordered_set<std::string_view> present;
  for (const auto& t : snapshot.tasks) observe_task(t, now, present);
  // Forget counted tombstones the model has dropped, so the set stays bounded.
  std::erase_if(counted_, [&](const std::string& arn) { return !present.contains(arn); });
}

void InstanceBackoff::observe(const ClusterSnapshot& snapshot, const WorkloadKey& owner, SystemTime now) {
  std::unordered_set<std::string_view> present;
  for (const auto& t : snapshot.tasks)
    if (classify_task(t.started_by, t.group, owner) == Ownership::ours) observe_task(t, now, present);
  std::erase_if(counted_, [&](const std::string& arn) { return !present.contains(arn); });
}

std::optional<SystemTime> InstanceBackoff::blocked_until(std::string_view instance_arn, SystemTime now) const {
  auto it = entries_.find(instance_arn);
  if (it == entries_.end() || it->second.next_allowed <= now) return std::nullopt;
  return it->second.next_allowed;
}

std::uint32_t InstanceBackoff::failures(std::string_view instance_arn) const {
  auto it = entries_.find(instance_arn);
  return it == entries_.end() ? 0 : it->second.failures;
}

}  // namespace berth::policy
