// File: src/reactor/cluster_model.hpp — compact in-memory model of one ECS cluster: container
// instances and tasks, fed by events, API responses and periodic listings, ordered by ECS `version`.
//
// Vocabulary:
//   tombstone    a STOPPED task kept for `tombstone_retention` so that late, older events for it are
//                recognised as stale instead of resurrecting it;
//   expectation  a task berth launched and learnt from the StartTask response, not yet confirmed by
//                an event or Describe; it counts as present, so a late event causes no second launch;
//   resource expectation
//                what a task berth launched reserves on its instance (cpu, memory, host ports), held
//                until the instance's own figure counts it: ECS deducts a task at placement, and the
//                instance's update (remainingResources) and the task's events arrive in any order.
//                Held while the instance's figure is dated before the task's createdAt (an instance
//                event's updatedAt; the local time of a Describe); dropped once a later figure arrives,
//                the task is seen STOPPED, or after `expectation_timeout`. So it is never counted twice;
//   in doubt     a launch whose outcome is unknown (StartTask timed out): the instance is treated as
//                having a pending task of that owner until a task shows up, ECS is asked and shows
//                none (launch_doubt_check), or the doubt expires.
// Compactness: repeated strings (instance ARNs, task definitions, startedBy, group, attributes, stop
// codes) are interned once; measured 327 bytes per task and 1,273 per instance with 20 attributes and
// its resources (bench/RESULTS.md). Interned strings are never freed (bounded by distinct values).
#pragma once

#include "aws/ecs_types.hpp"
#include "policy/cluster_snapshot.hpp"
#include "reactor/ecs_api.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace berth::reactor {

using SystemTime = std::chrono::system_clock::time_point;

// Stable string storage: views stay valid for the pool's lifetime.
class StringPool {
 public:
  std::string_view intern(std::string_view s);
  // The pooled copy of `s`, if interned: pooled views compare equal by pointer.
  std::optional<std::string_view> find(std::string_view s) const;
  std::size_t size() const { return strings_.size(); }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_set<std::string, Hash, std::equal_to<>> strings_;
};

struct ModelSettings {
  std::chrono::seconds tombstone_retention{std::chrono::minutes(30)};
  std::chrono::seconds inactive_instance_retention{std::chrono::minutes(30)};
  // A resource expectation whose instance figure never caught up is forgotten after this.
  std::chrono::seconds expectation_timeout{std::chrono::minutes(5)};
};

class TaskDefinitionCache;
class ChangeHistory;

enum class ApplyResult : unsigned char {
  applied,        // state changed
  stale,          // version <= stored version (duplicate or out of order): ignored
  other_cluster,  // the event is for another cluster
};

struct ApplyOutcome {
  ApplyResult result = ApplyResult::stale;
  std::string_view started_by;  // the task's owner tag (for task applies), to mark its environment dirty
  bool placement_relevant = false;  // instance: status, agent or attributes changed (or new/removed)
};

struct AuditCounts {
  std::size_t added = 0;    // present in the listing, unknown to the model
  std::size_t updated = 0;  // newer version in the listing
  std::size_t removed = 0;  // in the model but missing from the listing
  std::size_t drift() const { return added + updated + removed; }
};

// ARN "arn:aws:ecs:region:acct:cluster/NAME" -> "NAME"; a bare name is returned unchanged.
std::string_view cluster_name_from_arn(std::string_view arn_or_name);

class ClusterModel {
 public:
  explicit ClusterModel(std::string cluster_name, ModelSettings settings = {});

  const std::string& cluster_name() const { return cluster_name_; }

  // Events and Describe results. Applied only when task.version > stored version (a first sight is
  // always applied); an expectation is confirmed by any sight of its task.
  ApplyOutcome apply_task(const aws::ecs::Task& task, SystemTime now);
  ApplyOutcome apply_instance(const aws::ecs::ContainerInstance& instance, SystemTime now);

  // A task from a StartTask response: enters the model at once as an expectation.
  ApplyOutcome expect_task(const aws::ecs::Task& launched, SystemTime now);
  // What `launched` (a StartTask/RunTask answer) reserves on its instance, taken off the instance's
  // `remaining` (and added to its reserved ports) in snapshots until the instance's figure counts it.
  // `reserved`: the task-level cpu/memory, else the definition's. See "resource expectation" above.
  void expect_resources(const aws::ecs::Task& launched, policy::CpuMemory reserved,
                        std::span<const std::uint16_t> tcp_ports, std::span<const std::uint16_t> udp_ports,
                        SystemTime now);
  std::size_t resource_expectation_count() const { return expectations_.size(); }

  // Task definitions: a task whose event lacks task-level cpu/memory takes its definition's figure
  // from `cache` (null: none); an unknown definition is described in the background and
  // fill_reservations() (the cache's listener) fills the tasks already in the model. `cache` must
  // outlive the model or be reset first.
  void use_task_definitions(TaskDefinitionCache* cache) { definitions_ = cache; }
  void fill_reservations(const TaskDefinitionInfo& info);
  // Every applied change of an instance or task is numbered and kept by `history` (null: none), shared by the
  // models of the process; the record keeps its last number (entityVersion). Must outlive the model or be reset.
  void use_change_history(ChangeHistory* history) { history_ = history; }
  // StartTask outcome unknown for `instance_arn`: treat it as occupied by `started_by`. From `check_at`
  // on the doubt is due for a check with ECS; at `until` the model forgets it even if ECS never answered.
  void expect_launch_in_doubt(std::string_view instance_arn, std::string_view started_by,
                              std::string_view task_definition, SystemTime check_at, SystemTime until);
  // Instances where a launch by `started_by` is in doubt and due for a check at `now`.
  std::vector<std::string> doubts_due(std::string_view started_by, SystemTime now) const;
  bool in_doubt(std::string_view instance_arn, std::string_view started_by) const;
  // ECS shows no task of `started_by` on the instance: the launch did not happen.
  void clear_doubt(std::string_view instance_arn, std::string_view started_by);
  // ECS could not be asked: check again at `check_at` (the doubt still expires at its `until`).
  void postpone_doubt_check(std::string_view instance_arn, std::string_view started_by, SystemTime check_at);
  // StopTask succeeded: the task's desired status is STOPPED from now on (an event will follow).
  void mark_stop_requested(std::string_view task_arn);

  // Full listings (bootstrap and audit). `listed_at` is when the listing began: records seen after it
  // (launched meanwhile) are not removed for missing from it. Tasks: only live tasks are expected in
  // the listing (ListTasks desiredStatus=RUNNING); live model tasks missing from it become tombstones.
  AuditCounts reconcile_instances(std::span<const aws::ecs::ContainerInstance> listed, SystemTime listed_at,
                                  SystemTime now);
  AuditCounts reconcile_tasks(std::span<const aws::ecs::Task> listed, SystemTime listed_at, SystemTime now);

  // Drops expired tombstones, inactive instances, doubts and resource expectations.
  void expire(SystemTime now);

  // Instances of the cluster plus the tasks (live, tombstones, expectations, doubts) carrying
  // `started_by`. Views are valid until the model is next mutated.
  policy::ClusterSnapshot snapshot(std::string_view started_by, SystemTime now) const;
  // The same tasks without the instances (a job's plan places nothing: ECS does, with RunTask).
  policy::ClusterSnapshot tasks_snapshot(std::string_view started_by, SystemTime now) const;
  // Every instance (inactive ones excluded, as in snapshot) and every task record of the cluster:
  // live, tombstones, expectations and unexpired doubts of all owners, foreign tasks included.
  policy::ClusterSnapshot snapshot_all(SystemTime now) const;

  std::size_t instance_count() const { return instances_.size(); }
  std::size_t task_count() const { return tasks_.size(); }
  std::size_t live_task_count() const;
  bool has_task(std::string_view task_arn) const { return tasks_.find(task_arn) != tasks_.end(); }
  // Every instance / task record (tombstones included, doubts excluded) with its ECS version: read-only
  // listings for the HTTP API and stats. Views are valid only during the callback.
  void for_each_instance(const std::function<void(const policy::SnapshotInstance&, std::int64_t version)>& fn) const;
  void for_each_task(const std::function<void(const policy::SnapshotTask&, std::int64_t version)>& fn) const;
  // The same with the number of the record's last change (0 before a history was set), for the cluster-state API.
  void for_each_instance_change(const std::function<void(const policy::SnapshotInstance&, std::uint64_t)>& fn) const;
  void for_each_task_change(const std::function<void(const policy::SnapshotTask&, std::uint64_t)>& fn) const;
  // One record by full ARN or by its last ARN segment (the bare id); false when none matches.
  bool visit_instance(std::string_view arn_or_id,
                      const std::function<void(const policy::SnapshotInstance&, std::uint64_t)>& fn) const;
  bool visit_task(std::string_view arn_or_id,
                  const std::function<void(const policy::SnapshotTask&, std::uint64_t)>& fn) const;
  std::optional<policy::SnapshotTask> task_for_test(std::string_view task_arn) const;
  std::optional<policy::SnapshotInstance> instance_for_test(std::string_view instance_arn) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  struct TaskRecord {
    std::string_view instance_arn, task_definition, started_by, group, stop_code;  // interned
    std::int64_t version = 0;
    std::uint64_t change = 0;  // global number of its last change (ChangeHistory)
    SystemTime last_seen{};
    policy::CpuMemory reserved;  // task-level cpu/memory, 0 if absent
    std::optional<SystemTime> healthy_since;
    std::optional<SystemTime> stopped_at;
    policy::TaskStatus last_status = policy::TaskStatus::pending;
    policy::TaskStatus desired_status = policy::TaskStatus::running;
    policy::HealthStatus health = policy::HealthStatus::unknown;
    bool has_health_check = false;
    bool expected = false;
    bool ever_healthy = false;
    bool nonzero_exit = false;
  };
  struct InstanceRecord {
    std::string_view ec2_instance_id;  // interned
    std::int64_t version = 0;
    std::uint64_t change = 0;  // global number of its last change (ChangeHistory)
    SystemTime last_seen{};
    std::optional<SystemTime> inactive_since;
    policy::InstanceStatus status = policy::InstanceStatus::other;
    bool agent_connected = false;
    std::vector<policy::AttributeView> attributes;  // views into the pool
    std::string_view availability_zone;             // interned
    policy::CpuMemory registered, remaining;
    // When `remaining` was true: the event's updatedAt, else the local time it was written (Describe).
    SystemTime resources_as_of{};
    // remainingResources PORTS / PORTS_UDP: ports in use, sorted.
    std::vector<std::uint16_t> reserved_tcp_ports, reserved_udp_ports;
  };
  struct Expectation {
    std::string task_arn;
    std::string_view instance_arn;  // interned
    SystemTime launched_at;          // the task's createdAt (ECS's clock)
    SystemTime until;                // forgotten then
    policy::CpuMemory reserved;
    std::vector<std::uint16_t> tcp_ports, udp_ports;
  };
  struct Doubt {
    std::string_view instance_arn, started_by, task_definition;
    SystemTime check_at, until;
  };

  // Numbers the record's change in the history (if any).
  void note_change(std::string_view arn, TaskRecord& r);
  void note_change(std::string_view arn, InstanceRecord& r);
  void write_task(TaskRecord& r, const aws::ecs::Task& t, SystemTime now);
  bool write_instance(InstanceRecord& r, const aws::ecs::ContainerInstance& ci, SystemTime now);
  static policy::SnapshotInstance instance_view(std::string_view arn, const InstanceRecord& r);
  static policy::SnapshotTask view(std::string_view arn, const TaskRecord& r);
  // Instances of the cluster (INACTIVE ones left out), no tasks yet; minus resource expectations.
  policy::ClusterSnapshot instances_snapshot(SystemTime now) const;
  // Whether the expectation still reserves on top of its instance's figure.
  bool holds(const Expectation& e, SystemTime now) const;
  // Drops the expectations no longer held.
  void prune_expectations(SystemTime now);
  // Doubts not expired at `now`, of `started_by` or (nullopt) of every owner.
  void append_tasks(policy::ClusterSnapshot& s, std::string_view started_by, SystemTime now) const;
  void append_doubts(policy::ClusterSnapshot& s, std::optional<std::string_view> started_by, SystemTime now) const;

  std::string cluster_name_;
  ModelSettings settings_;
  StringPool pool_;
  std::unordered_map<std::string, TaskRecord, Hash, std::equal_to<>> tasks_;
  std::unordered_map<std::string, InstanceRecord, Hash, std::equal_to<>> instances_;
  std::vector<Doubt> doubts_;  // few, short-lived
  std::vector<Expectation> expectations_;  // berth's in-flight launches: few, short-lived
  TaskDefinitionCache* definitions_ = nullptr;
  ChangeHistory* history_ = nullptr;
};

}  // namespace berth::reactor
