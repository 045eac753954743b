// File: src/reactor/change_history.hpp — the process-wide, bounded history of entity changes that the cluster
// models apply, numbered by one global, monotonically increasing change number.
//
// Every applied change of a container instance or a task (event, Describe, StartTask answer, audit) takes the
// next number; the entity's record in its model keeps the number of its last change (Blox's `entityVersion`,
// as Blox used etcd's revision; unrelated to ECS's per-resource `version`). The last `capacity` changes are kept
// as owned copies of what the model keeps of the entity, so a stream can resume from any number still held.
// Pure data plus wake-up callbacks: no I/O, no timers (the HTTP front turns a wake into a timer cancel).
#pragma once

#include "policy/cluster_snapshot.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <unordered_map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace berth::reactor {

// A task as the model keeps it, owned (the model's views die with its records).
struct TaskEntity {
  std::string arn, instance_arn, task_definition, started_by, group, stop_code;
  policy::TaskStatus last_status = policy::TaskStatus::pending;
  policy::TaskStatus desired_status = policy::TaskStatus::running;
  std::optional<std::chrono::system_clock::time_point> stopped_at;

  static TaskEntity from(const policy::SnapshotTask& t);
  // Views into this entity: valid while it lives and is not modified.
  policy::SnapshotTask view() const;
};

// An instance's attributes, immutable once built: consecutive changes of an instance share one copy (most
// instance changes are resource figures; a real instance carries a few dozen attributes).
struct AttributeSet {
  struct Attribute {
    std::string name, value;
    bool has_value = false;
  };
  std::vector<Attribute> items;
  std::vector<policy::AttributeView> views;  // into `items`

  static std::shared_ptr<const AttributeSet> from(std::span<const policy::AttributeView> attributes);
  bool same_as(std::span<const policy::AttributeView> attributes) const;
};

struct InstanceEntity {
  std::string arn, ec2_instance_id;
  policy::InstanceStatus status = policy::InstanceStatus::other;
  bool agent_connected = false;
  std::shared_ptr<const AttributeSet> attributes;  // never null
  policy::CpuMemory registered, remaining;
  std::vector<std::uint16_t> reserved_tcp_ports, reserved_udp_ports;

  // `attributes` null: a copy of the instance's own.
  static InstanceEntity from(const policy::SnapshotInstance& i, std::shared_ptr<const AttributeSet> attributes = {});
  policy::SnapshotInstance view() const;
};

enum class EntityKind : unsigned char { instance, task };

struct EntityChange {
  std::uint64_t number = 0;  // the global change number (entityVersion)
  std::string cluster;       // cluster name
  std::variant<InstanceEntity, TaskEntity> entity;

  EntityKind kind() const { return entity.index() == 0 ? EntityKind::instance : EntityKind::task; }
};

class ChangeHistory {
 public:
  static constexpr std::size_t default_capacity = 10'000;
  explicit ChangeHistory(std::size_t capacity = default_capacity);

  // Numbers the change and keeps it (dropping the oldest beyond capacity); wakes every subscriber.
  std::uint64_t record(std::string_view cluster, const policy::SnapshotTask& task);
  std::uint64_t record(std::string_view cluster, const policy::SnapshotInstance& instance);

  // The newest number given out (0: none yet).
  std::uint64_t last() const { return next_ - 1; }
  // The oldest number still kept (last() + 1 when none is kept).
  std::uint64_t oldest_kept() const { return changes_.empty() ? next_ : changes_.front().number; }

  struct Read {
    bool too_old = false;                     // changes after `after` were dropped: cannot resume from there
    std::vector<const EntityChange*> changes;  // of the kind, oldest first; valid until the next record()
    std::uint64_t scanned_through = 0;        // resume the next read after this number
  };
  // Changes of `kind` numbered after `after`, at most `max` of them.
  Read read(EntityKind kind, std::uint64_t after, std::size_t max) const;

  // `wake` runs after every record(); returns an id for unsubscribe.
  std::uint64_t subscribe(std::function<void()> wake);
  void unsubscribe(std::uint64_t id);
  std::size_t subscriber_count() const { return subscribers_.size(); }

  std::size_t size() const { return changes_.size(); }
  std::size_t capacity() const { return capacity_; }

 private:
  std::uint64_t push(EntityChange change);

  std::size_t capacity_;
  std::uint64_t next_ = 1;
  std::deque<EntityChange> changes_;  // numbers consecutive, oldest first
  std::map<std::uint64_t, std::function<void()>> subscribers_;
  // The attribute set of each instance's newest kept change, shared by its next change when equal.
  std::unordered_map<std::string, std::weak_ptr<const AttributeSet>> attributes_;
  std::uint64_t next_subscriber_ = 1;
};

}  // namespace berth::reactor
