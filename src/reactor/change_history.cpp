// File: src/reactor/change_history.cpp — numbering, bounded keeping and reading of entity changes.
#include "reactor/change_history.hpp"

#include <algorithm>

namespace berth::reactor {

TaskEntity TaskEntity::from(const policy::SnapshotTask& t) {
  TaskEntity e;
  e.arn = t.arn;
  e.instance_arn = t.instance_arn;
  e.task_definition = t.task_definition;
  e.started_by = t.started_by;
  e.group = t.group;
  e.stop_code = t.stop_code;
  e.last_status = t.last_status;
  e.desired_status = t.desired_status;
  e.stopped_at = t.stopped_at;
  return e;
}

policy::SnapshotTask TaskEntity::view() const {
  policy::SnapshotTask t;
  t.arn = arn;
  t.instance_arn = instance_arn;
  t.task_definition = task_definition;
  t.started_by = started_by;
  t.group = group;
  t.stop_code = stop_code;
  t.last_status = last_status;
  t.desired_status = desired_status;
  t.stopped_at = stopped_at;
  return t;
}

std::shared_ptr<const AttributeSet> AttributeSet::from(std::span<const policy::AttributeView> attributes) {
  auto set = std::make_shared<AttributeSet>();
  set->items.reserve(attributes.size());
  for (const auto& a : attributes) set->items.push_back({std::string(a.name), std::string(a.value), a.has_value});
  set->views.reserve(set->items.size());
  for (const auto& a : set->items) set->views.push_back({a.name, a.value, a.has_value});
  return set;
}

bool AttributeSet::same_as(std::span<const policy::AttributeView> attributes) const {
  return std::equal(views.begin(), views.end(), attributes.begin(), attributes.end(),
                    [](const policy::AttributeView& x, const policy::AttributeView& y) {
                      return x.name == y.name && x.value == y.value && x.has_value == y.has_value;
                    });
}

InstanceEntity InstanceEntity::from(const policy::SnapshotInstance& i, std::shared_ptr<const AttributeSet> attributes) {
  InstanceEntity e;
  e.arn = i.arn;
  e.ec2_instance_id = i.ec2_instance_id;
  e.status = i.status;
  e.agent_connected = i.agent_connected;
  e.attributes = attributes ? std::move(attributes) : AttributeSet::from(i.attributes);
  e.registered = i.registered;
  e.remaining = i.remaining;
  e.reserved_tcp_ports.assign(i.reserved_tcp_ports.begin(), i.reserved_tcp_ports.end());
  e.reserved_udp_ports.assign(i.reserved_udp_ports.begin(), i.reserved_udp_ports.end());
  return e;
}

policy::SnapshotInstance InstanceEntity::view() const {
  policy::SnapshotInstance v;
  v.arn = arn;
  v.ec2_instance_id = ec2_instance_id;
  v.status = status;
  v.agent_connected = agent_connected;
  v.attributes = attributes->views;
  for (const auto& a : attributes->views)
    if (a.name == "ecs.availability-zone") v.availability_zone = a.value;
  v.registered = registered;
  v.remaining = remaining;
  v.reserved_tcp_ports = reserved_tcp_ports;
  v.reserved_udp_ports = reserved_udp_ports;
  return v;
}

ChangeHistory::ChangeHistory(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

std::uint64_t ChangeHistory::record(std::string_view cluster, const policy::SnapshotTask& task) {
  return push(EntityChange{0, std::string(cluster), TaskEntity::from(task)});
}

std::uint64_t ChangeHistory::record(std::string_view cluster, const policy::SnapshotInstance& instance) {
  auto& last = attributes_[std::string(instance.arn)];
  auto shared = last.lock();
  if (!shared || !shared->same_as(instance.attributes)) shared = AttributeSet::from(instance.attributes);
  last = shared;
  return push(EntityChange{0, std::string(cluster), InstanceEntity::from(instance, std::move(shared))});
}

std::uint64_t ChangeHistory::push(EntityChange change) {
  change.number = next_++;
  changes_.push_back(std::move(change));
  while (changes_.size() > capacity_) {
    std::optional<std::string> instance;
    if (const auto* e = std::get_if<InstanceEntity>(&changes_.front().entity)) instance = e->arn;
    changes_.pop_front();
    // An instance none of whose changes is kept any more: forget its shared attributes' slot too.
    if (instance) {
      if (auto it = attributes_.find(*instance); it != attributes_.end() && it->second.expired()) attributes_.erase(it);
    }
  }
  // Subscribers only cancel a timer; copying the map keeps an unsubscribe from a wake harmless.
  if (!subscribers_.empty()) {
    auto wakes = subscribers_;
    for (auto& [id, wake] : wakes) wake();
  }
  return changes_.back().number;
}

ChangeHistory::Read ChangeHistory::read(EntityKind kind, std::uint64_t after, std::size_t max) const {
  Read out;
  out.scanned_through = after;
  // Resuming after `after` needs every change from after + 1 on: the oldest kept must be at most that.
  if (after + 1 < oldest_kept()) {
    out.too_old = true;
    return out;
  }
  if (changes_.empty() || after >= last()) return out;
  const std::size_t first = static_cast<std::size_t>(after + 1 - changes_.front().number);
  for (std::size_t i = first; i < changes_.size() && out.changes.size() < max; ++i) {
    const auto& c = changes_[i];
    if (c.kind() == kind) out.changes.push_back(&c);
    out.scanned_through = c.number;
  }
  return out;
}

std::uint64_t ChangeHistory::subscribe(std::function<void()> wake) {
  const auto id = next_subscriber_++;
  subscribers_.emplace(id, std::move(wake));
  return id;
}

void ChangeHistory::unsubscribe(std::uint64_t id) { subscribers_.erase(id); }

}  // namespace berth::reactor
