// File: src/policy/placement.hpp — where a service's new tasks go: berth's own task placement over a
// cluster snapshot, like ECS's (constraints filter instances, the ordered strategy ranks them).
//
//   CapacityLedger (remaining CPU/memory and host ports per instance, from the snapshot)
//     + PlacementRequest (requirements, constraints, strategy, count, the service's tasks, seed)
//     --place--> PlacementResult (instance per task, unplaced count, reasons, ECS-like message)
//
// Every placement is subtracted from the ledger as it is made, so one ledger shared by the placements
// of one plan never overcommits an instance (CPU, memory, TCP and UDP host ports). All tasks of one
// request are alike, so an instance that cannot take the next one never can later in the same call:
// it is dropped for good with its reason, which keeps a plan of 10,000 tasks over 5,000 instances at
// O((tasks + instances) log instances).
//
// Strategy: leading spread(attribute) entries group instances (nested groups for several); a task goes
// to the group with the fewest of the service's tasks (existing + placed; ties go to the group whose best
// instance ranks first by the entries that follow, then by value), and within a group to the best
// instance by the remaining entries in order: spread(instanceId) fewest
// tasks there, binpack least remaining of the resource that still fits, random a fresh draw per task
// (seeded). A spread(attribute) after an instance-level entry only breaks ties, with the counts at the
// start of the call.
//
// binpack(field) ranks instances already in use (any task on them, see CapacityLedger::in_use) before empty
// ones; in use: least remaining of the field that still fits (ECS's rule); empty: the one that takes the most
// of the request's tasks first (ties: snapshot order). ECS ranks every instance by least remaining, which
// with instances of several sizes opens a small empty instance for a large task while a half-used large one
// has room (bench: 1.28x first-fit-decreasing's instances). With alike instances both rules are the same:
// an empty instance has the most remaining, so one is filled before the next is opened. Instances where a task of the service failed recently rank after all others
// (Nomad's reschedule penalty), then ties go to the snapshot's order.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/service_spec.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::policy {

// What one task needs on its instance (from its task definition).
struct TaskRequirements {
  CpuMemory resources;
  std::vector<std::uint16_t> tcp_ports;  // fixed host ports (bridge/host mode); dynamic ports are not listed
  std::vector<std::uint16_t> udp_ports;
  friend bool operator==(const TaskRequirements&, const TaskRequirements&) = default;
};

// Mutable per-instance capacity for one plan: starts from the snapshot's remaining resources and
// reserved ports (which already include in-flight launches) and shrinks with every placement.
class CapacityLedger {
 public:
  explicit CapacityLedger(const ClusterSnapshot& snapshot);

  const ClusterSnapshot& snapshot() const { return *snapshot_; }
  std::size_t size() const { return slots_.size(); }
  // Index of an instance in snapshot().instances, or npos.
  static constexpr std::size_t npos = static_cast<std::size_t>(-1);
  std::size_t index_of(std::string_view instance_arn) const;

  CpuMemory remaining(std::size_t index) const { return slots_[index].remaining; }
  // Whether the instance holds anything: a task of any owner in the snapshot (resources or host ports
  // reserved, in-flight launches included) or a placement taken from this ledger. Binpack fills these first.
  bool in_use(std::size_t index) const { return slots_[index].in_use; }
  bool tcp_port_free(std::size_t index, std::uint16_t port) const;
  bool udp_port_free(std::size_t index, std::uint16_t port) const;
  // Subtracts one task's resources and reserves its ports (the caller checked that it fits).
  void take(std::size_t index, const TaskRequirements& requirements);

 private:
  struct Slot {
    CpuMemory remaining;
    std::vector<std::uint16_t> tcp, udp;  // sorted
    bool in_use = false;
  };
  const ClusterSnapshot* snapshot_;
  std::vector<Slot> slots_;
  std::unordered_map<std::string_view, std::size_t> by_arn_;
};

struct PlacementRequest {
  TaskRequirements requirements;
  std::span<const PlacementConstraint> constraints;  // parsed here; a bad memberOf is a PlacementResult::error
  std::span<const PlacementStrategy> strategy;       // empty: first fit in snapshot order
  std::uint32_t count = 0;
  // Instance ARN of each live task of the service that spread counts (one entry per task).
  std::span<const std::string_view> spread_existing;
  // Instances distinctInstance excludes (every live task of the service, of any revision).
  std::span<const std::string_view> distinct_existing;
  // Instances where a task of the service failed recently: used only if nothing else fits.
  std::span<const std::string_view> penalized;
  std::uint64_t seed = 0;  // for random
};

struct PlacementResult {
  std::optional<std::string> error;          // invalid request (constraint): nothing placed
  std::vector<std::string_view> instances;   // instance ARN per placed task, in order (views into the snapshot)
  std::uint32_t unplaced = 0;
  // When unplaced > 0: per reason, how many instances could not take a task (first failing check:
  // "instance_status", "AGENT", "constraint", "RESOURCE:CPU", "RESOURCE:MEMORY", "RESOURCE:PORTS",
  // "RESOURCE:PORTS_UDP").
  std::map<std::string, std::uint32_t> reasons;
  std::string message;  // like ECS's "unable to place a task because no container instance met all of its requirements..."
};

// Places request.count tasks, taking each from `ledger`.
PlacementResult place(CapacityLedger& ledger, const PlacementRequest& request);

// Reason keys, for the API and tests.
inline constexpr std::string_view reason_instance_status = "instance_status";
inline constexpr std::string_view reason_agent = "AGENT";
inline constexpr std::string_view reason_constraint = "constraint";
inline constexpr std::string_view reason_cpu = "RESOURCE:CPU";
inline constexpr std::string_view reason_memory = "RESOURCE:MEMORY";
inline constexpr std::string_view reason_ports = "RESOURCE:PORTS";
inline constexpr std::string_view reason_ports_udp = "RESOURCE:PORTS_UDP";

}  // namespace berth::policy
