// File: src/policy/feasibility.cpp — the feasibility chain, its rejection log and the standard filters.
#include "policy/feasibility.hpp"

#include <algorithm>

namespace berth::policy {

const char* to_string(SkipReason r) {
  switch (r) {
    case SkipReason::not_matching: return "not_matching";
    case SkipReason::draining: return "draining";
    case SkipReason::not_active: return "not_active";
    case SkipReason::disconnected: return "disconnected";
    case SkipReason::backing_off: return "backing_off";
    case SkipReason::has_task: return "has_task";
    case SkipReason::stop_pending: return "stop_pending";
    case SkipReason::waiting_for_budget: return "waiting_for_budget";
    case SkipReason::insufficient_resources: return "insufficient_resources";
    case SkipReason::ports_in_use: return "ports_in_use";
    case SkipReason::instance_taken: return "instance_taken";
  }
  return "unknown";
}

void RejectionLog::record(std::string_view instance_arn, SkipReason reason) {
  ++counts_[static_cast<std::size_t>(reason)];
  rejected_.push_back({std::string(instance_arn), reason});
}

FeasibilityChain& FeasibilityChain::add(InstanceFilter filter) {
  filters_.push_back(std::move(filter));
  return *this;
}

std::optional<Rejection> FeasibilityChain::check(const SnapshotInstance& instance) {
  for (const auto& f : filters_) {
    auto rejection = f.check(instance);
    if (!rejection) continue;
    log_->record(instance.arn, rejection->reason);
    if (rejection->retry_at && (!earliest_retry_ || *rejection->retry_at < *earliest_retry_))
      earliest_retry_ = rejection->retry_at;
    return rejection;
  }
  return std::nullopt;
}

bool FeasibilityChain::passes(const SnapshotInstance& instance) const {
  return std::none_of(filters_.begin(), filters_.end(), [&](const auto& f) { return f.check(instance).has_value(); });
}

InstanceFilter matching_filter(std::span<const AttributeRequirement> requirements, const Constraint& constraint) {
  return {"matching", [requirements, &constraint](const SnapshotInstance& i) -> std::optional<Rejection> {
            if (matches_requirements(requirements, i) && constraint.matches(i)) return std::nullopt;
            return Rejection{SkipReason::not_matching, std::nullopt};
          }};
}

InstanceFilter status_filter() {
  return {"status", [](const SnapshotInstance& i) -> std::optional<Rejection> {
            if (i.status == InstanceStatus::active) return std::nullopt;
            return Rejection{i.status == InstanceStatus::draining ? SkipReason::draining : SkipReason::not_active,
                             std::nullopt};
          }};
}

InstanceFilter agent_connected_filter() {
  return {"agent_connected", [](const SnapshotInstance& i) -> std::optional<Rejection> {
            if (i.agent_connected) return std::nullopt;
            return Rejection{SkipReason::disconnected, std::nullopt};
          }};
}

InstanceFilter backoff_filter(const InstanceBackoff& backoff, SystemTime now) {
  return {"backoff", [&backoff, now](const SnapshotInstance& i) -> std::optional<Rejection> {
            auto until = backoff.blocked_until(i.arn, now);
            if (!until) return std::nullopt;
            return Rejection{SkipReason::backing_off, until};
          }};
}

bool fits(CpuMemory need, CpuMemory remaining) {
  // A dimension the task does not reserve fits anywhere, even on an over-committed instance.
  return (need.cpu <= 0 || need.cpu <= remaining.cpu) && (need.memory <= 0 || need.memory <= remaining.memory);
}

bool ports_free(std::span<const std::uint16_t> wanted, std::span<const std::uint16_t> reserved_sorted) {
  return std::none_of(wanted.begin(), wanted.end(), [&](std::uint16_t p) {
    return std::binary_search(reserved_sorted.begin(), reserved_sorted.end(), p);
  });
}

InstanceFilter resources_fit_filter(CpuMemory need) {
  return {"resources_fit", [need](const SnapshotInstance& i) -> std::optional<Rejection> {
            if (fits(need, i.remaining)) return std::nullopt;
            return Rejection{SkipReason::insufficient_resources, std::nullopt};
          }};
}

InstanceFilter host_ports_free_filter(std::span<const std::uint16_t> tcp_ports, std::span<const std::uint16_t> udp_ports) {
  return {"host_ports_free", [tcp_ports, udp_ports](const SnapshotInstance& i) -> std::optional<Rejection> {
            if (ports_free(tcp_ports, i.reserved_tcp_ports) && ports_free(udp_ports, i.reserved_udp_ports))
              return std::nullopt;
            return Rejection{SkipReason::ports_in_use, std::nullopt};
          }};
}

InstanceFilter distinct_instance_filter(const std::unordered_set<std::string_view>& taken) {
  return {"distinct_instance", [&taken](const SnapshotInstance& i) -> std::optional<Rejection> {
            if (!taken.contains(i.arn)) return std::nullopt;
            return Rejection{SkipReason::instance_taken, std::nullopt};
          }};
}

}  // namespace berth::policy
