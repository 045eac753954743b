// File: src/reactor/cluster_model.cpp — version-ordered apply, expectations, tombstones, listings.
#include "reactor/cluster_model.hpp"

#include "reactor/change_history.hpp"
#include "reactor/task_definition_cache.hpp"

#include <algorithm>
#include <charconv>
#include <limits>

namespace berth::reactor {

using policy::HealthStatus;
using policy::InstanceStatus;
using policy::TaskStatus;

std::string_view StringPool::intern(std::string_view s) {
  if (s.empty()) return {};
  auto it = strings_.find(s);
  if (it == strings_.end()) it = strings_.emplace(s).first;
  return *it;
}

std::optional<std::string_view> StringPool::find(std::string_view s) const {
  if (s.empty()) return std::string_view{};
  auto it = strings_.find(s);
  if (it == strings_.end()) return std::nullopt;
  return std::string_view(*it);
}

std::string_view cluster_name_from_arn(std::string_view s) {
  if (!s.starts_with("arn:")) return s;
  auto slash = s.find(":cluster/");
  return slash == std::string_view::npos ? s : s.substr(slash + 9);
}

namespace {

// "256" -> 256; empty, unparsable or out of range -> 0.
std::int32_t parse_int32(std::string_view s) {
  std::int32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size() && v >= 0 ? v : 0;
}

std::int32_t clamp_int32(std::int64_t v) {
  return static_cast<std::int32_t>(std::clamp<std::int64_t>(v, 0, std::numeric_limits<std::int32_t>::max()));
}

// ECS resources list -> CPU/MEMORY integers.
policy::CpuMemory cpu_memory(const std::vector<aws::ecs::Resource>& rs) {
  policy::CpuMemory out;
  for (const auto& r : rs) {
    if (r.name == "CPU") out.cpu = clamp_int32(r.integer_value);
    else if (r.name == "MEMORY") out.memory = clamp_int32(r.integer_value);
  }
  return out;
}

// STRINGSET of port numbers -> sorted, unique ports; unparsable entries ignored.
std::vector<std::uint16_t> ports(const std::vector<aws::ecs::Resource>& rs, std::string_view name) {
  std::vector<std::uint16_t> out;
  for (const auto& r : rs) {
    if (r.name != name) continue;
    for (const auto& p : r.string_set_value) {
      std::uint16_t v = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
      if (ec == std::errc{} && end == p.data() + p.size()) out.push_back(v);
    }
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  out.shrink_to_fit();
  return out;
}

}  // namespace

ClusterModel::ClusterModel(std::string cluster_name, ModelSettings settings)
    : cluster_name_(std::move(cluster_name)), settings_(settings) {}

void ClusterModel::write_task(TaskRecord& r, const aws::ecs::Task& t, SystemTime now) {
  r.instance_arn = pool_.intern(t.container_instance_arn);
  r.task_definition = pool_.intern(t.task_definition_arn);
  r.started_by = pool_.intern(t.started_by);
  if (!t.group.empty()) r.group = pool_.intern(t.group);
  r.stop_code = pool_.intern(t.stop_code);
  r.version = t.version;
  r.last_seen = now;
  r.reserved = {parse_int32(t.cpu), parse_int32(t.memory)};
  if ((r.reserved.cpu == 0 || r.reserved.memory == 0) && definitions_ != nullptr) {
    // No task-level figure (containers carry it): the definition's, described once per process.
    if (const auto* info = definitions_->lookup_or_fetch(t.task_definition_arn)) {
      if (r.reserved.cpu == 0) r.reserved.cpu = info->cpu;
      if (r.reserved.memory == 0) r.reserved.memory = info->memory;
    }
  }
  r.last_status = policy::task_status_from_string(t.last_status);
  // A stop berth requested stays requested even if an older-state event sneaks in.
  if (r.desired_status != TaskStatus::stopped) r.desired_status = policy::task_status_from_string(t.desired_status);
  r.health = policy::health_status_from_string(t.health_status);
  // ECS reports UNKNOWN both for "no health check" and "not checked yet": a task is treated as
  // health-checked once anything reports HEALTHY/UNHEALTHY. TODO(core): read healthCheck from the
  // task definition to gate tasks whose first check is still pending.
  if (r.health != HealthStatus::unknown) r.has_health_check = true;
  for (const auto& c : t.containers) {
    if (policy::health_status_from_string(c.health_status) != HealthStatus::unknown) r.has_health_check = true;
    if (c.exit_code && *c.exit_code != 0) r.nonzero_exit = true;
  }
  const bool running = r.last_status == TaskStatus::running && r.desired_status != TaskStatus::stopped;
  if (running && (!r.has_health_check || r.health == HealthStatus::healthy)) {
    if (!r.healthy_since) {
      // Without a health check ECS's startedAt is the truth; with one, the first report of HEALTHY.
      r.healthy_since = r.has_health_check ? t.updated_at.value_or(now) : t.started_at.value_or(t.updated_at.value_or(now));
    }
    r.ever_healthy = true;
  } else {
    r.healthy_since.reset();
  }
  if (r.last_status == TaskStatus::stopped) r.stopped_at = t.stopped_at.value_or(now);
}

ApplyOutcome ClusterModel::apply_task(const aws::ecs::Task& t, SystemTime now) {
  ApplyOutcome out;
  if (!t.cluster_arn.empty() && cluster_name_from_arn(t.cluster_arn) != cluster_name_) {
    out.result = ApplyResult::other_cluster;
    return out;
  }
  auto it = tasks_.find(t.task_arn);
  if (it == tasks_.end()) {
    it = tasks_.emplace(t.task_arn, TaskRecord{}).first;
    write_task(it->second, t, now);
    note_change(it->first, it->second);
    clear_doubt(it->second.instance_arn, it->second.started_by);
    out.result = ApplyResult::applied;
    out.started_by = it->second.started_by;
    return out;
  }
  TaskRecord& r = it->second;
  out.started_by = r.started_by;
  r.expected = false;  // any sight from ECS confirms a launch
  // A stopped task has given its resources back: its expectation reserves nothing any more.
  if (policy::task_status_from_string(t.last_status) == TaskStatus::stopped)
    std::erase_if(expectations_, [&](const Expectation& e) { return e.task_arn == t.task_arn; });
  const bool resurrect = r.last_status == TaskStatus::stopped &&
                         policy::task_status_from_string(t.last_status) != TaskStatus::stopped;
  if (t.version <= r.version || resurrect) {
    r.last_seen = std::max(r.last_seen, now);
    out.result = ApplyResult::stale;
    return out;
  }
  write_task(r, t, now);
  note_change(it->first, r);
  out.result = ApplyResult::applied;
  return out;
}

ApplyOutcome ClusterModel::expect_task(const aws::ecs::Task& launched, SystemTime now) {
  ApplyOutcome out;
  auto it = tasks_.find(launched.task_arn);
  if (it != tasks_.end()) {  // its event won the race
    out.started_by = it->second.started_by;
    return out;
  }
  it = tasks_.emplace(launched.task_arn, TaskRecord{}).first;
  write_task(it->second, launched, now);
  it->second.expected = true;
  note_change(it->first, it->second);
  clear_doubt(it->second.instance_arn, it->second.started_by);
  out.result = ApplyResult::applied;
  out.started_by = it->second.started_by;
  return out;
}

void ClusterModel::expect_resources(const aws::ecs::Task& launched, policy::CpuMemory reserved,
                                    std::span<const std::uint16_t> tcp_ports, std::span<const std::uint16_t> udp_ports,
                                    SystemTime now) {
  if (launched.container_instance_arn.empty() || launched.task_arn.empty()) return;  // Fargate: no instance
  if (reserved == policy::CpuMemory{} && tcp_ports.empty() && udp_ports.empty()) return;
  if (auto it = tasks_.find(launched.task_arn); it != tasks_.end() && it->second.last_status == TaskStatus::stopped)
    return;  // already over
  std::erase_if(expectations_, [&](const Expectation& e) { return e.task_arn == launched.task_arn; });
  Expectation e;
  e.task_arn = launched.task_arn;
  e.instance_arn = pool_.intern(launched.container_instance_arn);
  // ECS deducts at placement, when it creates the task. Without createdAt: the answer's arrival, later
  // than the placement, so a figure dated between the two still counts it (held a little too long).
  e.launched_at = launched.created_at.value_or(now);
  e.until = now + settings_.expectation_timeout;
  e.reserved = reserved;
  e.tcp_ports.assign(tcp_ports.begin(), tcp_ports.end());
  e.udp_ports.assign(udp_ports.begin(), udp_ports.end());
  if (holds(e, now)) expectations_.push_back(std::move(e));
}

bool ClusterModel::holds(const Expectation& e, SystemTime now) const {
  if (e.until <= now) return false;
  auto it = instances_.find(e.instance_arn);
  // An instance not known yet: its first figure will be dated after the launch, or it is a stale one.
  if (it == instances_.end()) return true;
  return it->second.resources_as_of < e.launched_at;
}

void ClusterModel::prune_expectations(SystemTime now) {
  std::erase_if(expectations_, [&](const Expectation& e) { return !holds(e, now); });
}

void ClusterModel::fill_reservations(const TaskDefinitionInfo& info) {
  auto td = pool_.find(info.arn);
  if (!td || td->empty()) return;  // no task of it in the model
  for (auto& [arn, r] : tasks_) {
    if (r.task_definition.data() != td->data()) continue;
    if (r.reserved.cpu == 0) r.reserved.cpu = info.cpu;
    if (r.reserved.memory == 0) r.reserved.memory = info.memory;
  }
}

void ClusterModel::expect_launch_in_doubt(std::string_view instance_arn, std::string_view started_by,
                                          std::string_view task_definition, SystemTime check_at, SystemTime until) {
  clear_doubt(instance_arn, started_by);
  doubts_.push_back({pool_.intern(instance_arn), pool_.intern(started_by), pool_.intern(task_definition),
                     std::min(check_at, until), until});
}

std::vector<std::string> ClusterModel::doubts_due(std::string_view started_by, SystemTime now) const {
  std::vector<std::string> out;
  for (const auto& d : doubts_)
    if (d.started_by == started_by && d.check_at <= now && now < d.until) out.emplace_back(d.instance_arn);
  return out;
}

bool ClusterModel::in_doubt(std::string_view instance_arn, std::string_view started_by) const {
  return std::any_of(doubts_.begin(), doubts_.end(), [&](const Doubt& d) {
    return d.instance_arn == instance_arn && d.started_by == started_by;
  });
}

void ClusterModel::clear_doubt(std::string_view instance_arn, std::string_view started_by) {
  std::erase_if(doubts_, [&](const Doubt& d) { return d.instance_arn == instance_arn && d.started_by == started_by; });
}

void ClusterModel::postpone_doubt_check(std::string_view instance_arn, std::string_view started_by,
                                        SystemTime check_at) {
  for (auto& d : doubts_)
    if (d.instance_arn == instance_arn && d.started_by == started_by) d.check_at = std::min(check_at, d.until);
}

void ClusterModel::mark_stop_requested(std::string_view task_arn) {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) return;
  const bool changed = it->second.desired_status != TaskStatus::stopped;
  it->second.desired_status = TaskStatus::stopped;
  it->second.healthy_since.reset();
  if (changed) note_change(it->first, it->second);
}

policy::SnapshotInstance ClusterModel::instance_view(std::string_view arn, const InstanceRecord& r) {
  policy::SnapshotInstance v;
  v.arn = arn;
  v.ec2_instance_id = r.ec2_instance_id;
  v.status = r.status;
  v.agent_connected = r.agent_connected;
  v.attributes = r.attributes;
  v.availability_zone = r.availability_zone;
  v.registered = r.registered;
  v.remaining = r.remaining;
  v.reserved_tcp_ports = r.reserved_tcp_ports;
  v.reserved_udp_ports = r.reserved_udp_ports;
  return v;
}

bool ClusterModel::write_instance(InstanceRecord& r, const aws::ecs::ContainerInstance& ci, SystemTime now) {
  auto status = policy::instance_status_from_string(ci.status);
  std::vector<policy::AttributeView> attrs;
  attrs.reserve(ci.attributes.size());
  for (const auto& a : ci.attributes)
    attrs.push_back({pool_.intern(a.name), a.value ? pool_.intern(*a.value) : std::string_view{}, a.value.has_value()});
  auto same_attr = [](const policy::AttributeView& x, const policy::AttributeView& y) {
    return x.name == y.name && x.value == y.value && x.has_value == y.has_value;
  };
  bool relevant = status != r.status || ci.agent_connected != r.agent_connected ||
                  !std::equal(attrs.begin(), attrs.end(), r.attributes.begin(), r.attributes.end(), same_attr);
  r.ec2_instance_id = pool_.intern(ci.ec2_instance_id);
  r.version = ci.version;
  r.last_seen = now;
  r.status = status;
  r.agent_connected = ci.agent_connected;
  if (relevant) r.attributes = std::move(attrs);
  r.availability_zone = {};
  for (const auto& a : r.attributes)
    if (a.name == "ecs.availability-zone") r.availability_zone = a.value;
  // Resource changes alone are not placement_relevant (kept as before): every task start changes them.
  r.registered = cpu_memory(ci.registered_resources);
  r.remaining = cpu_memory(ci.remaining_resources);
  r.resources_as_of = ci.updated_at.value_or(now);
  r.reserved_tcp_ports = ports(ci.remaining_resources, "PORTS");
  r.reserved_udp_ports = ports(ci.remaining_resources, "PORTS_UDP");
  if (status == InstanceStatus::inactive) {
    if (!r.inactive_since) r.inactive_since = now;
  } else {
    r.inactive_since.reset();
  }
  return relevant;
}

ApplyOutcome ClusterModel::apply_instance(const aws::ecs::ContainerInstance& ci, SystemTime now) {
  ApplyOutcome out;
  if (!ci.cluster_arn.empty() && cluster_name_from_arn(ci.cluster_arn) != cluster_name_) {
    out.result = ApplyResult::other_cluster;
    return out;
  }
  auto it = instances_.find(ci.container_instance_arn);
  if (it == instances_.end()) {
    it = instances_.emplace(ci.container_instance_arn, InstanceRecord{}).first;
    write_instance(it->second, ci, now);
    note_change(it->first, it->second);
    out.result = ApplyResult::applied;
    out.placement_relevant = true;
    return out;
  }
  if (ci.version <= it->second.version) {
    out.result = ApplyResult::stale;
    return out;
  }
  out.placement_relevant = write_instance(it->second, ci, now);
  note_change(it->first, it->second);
  out.result = ApplyResult::applied;
  if (!expectations_.empty()) prune_expectations(now);  // the new figure may count them
  return out;
}

AuditCounts ClusterModel::reconcile_instances(std::span<const aws::ecs::ContainerInstance> listed,
                                              SystemTime listed_at, SystemTime now) {
  AuditCounts counts;
  std::unordered_set<std::string_view> seen;
  seen.reserve(listed.size());
  for (const auto& ci : listed) {
    seen.insert(ci.container_instance_arn);
    bool known = instances_.find(ci.container_instance_arn) != instances_.end();
    auto out = apply_instance(ci, now);
    if (out.result != ApplyResult::applied) continue;
    if (known) ++counts.updated;
    else ++counts.added;
  }
  // An instance ECS no longer lists was deregistered (its event was lost): it leaves the model, and the change
  // history hears of it as INACTIVE and disconnected first, so the streams see it go.
  for (auto it = instances_.begin(); it != instances_.end();) {
    auto& [arn, r] = *it;
    if (seen.contains(arn) || r.last_seen >= listed_at || r.status == InstanceStatus::inactive) {
      ++it;
      continue;
    }
    r.status = InstanceStatus::inactive;
    r.agent_connected = false;
    note_change(arn, r);
    ++counts.removed;
    it = instances_.erase(it);
  }
  return counts;
}

AuditCounts ClusterModel::reconcile_tasks(std::span<const aws::ecs::Task> listed, SystemTime listed_at,
                                          SystemTime now) {
  AuditCounts counts;
  std::unordered_set<std::string_view> seen;
  seen.reserve(listed.size());
  for (const auto& t : listed) {
    seen.insert(t.task_arn);
    bool known = tasks_.find(t.task_arn) != tasks_.end();
    auto out = apply_task(t, now);
    if (out.result != ApplyResult::applied) continue;
    if (known) ++counts.updated;
    else ++counts.added;
  }
  // A live task ECS no longer lists has stopped (its STOPPED event was lost): tombstone it.
  for (auto& [arn, r] : tasks_) {
    if (r.last_status == TaskStatus::stopped || seen.contains(arn) || r.last_seen >= listed_at) continue;
    r.last_status = TaskStatus::stopped;
    r.desired_status = TaskStatus::stopped;
    r.stop_code = pool_.intern("BerthAuditMissing");
    r.stopped_at = now;
    r.healthy_since.reset();
    r.expected = false;
    r.last_seen = now;
    note_change(arn, r);
    ++counts.removed;
  }
  return counts;
}

void ClusterModel::expire(SystemTime now) {
  std::erase_if(tasks_, [&](const auto& kv) {
    return kv.second.last_status == TaskStatus::stopped && kv.second.last_seen + settings_.tombstone_retention <= now;
  });
  std::erase_if(instances_, [&](const auto& kv) {
    return kv.second.inactive_since && *kv.second.inactive_since + settings_.inactive_instance_retention <= now;
  });
  std::erase_if(doubts_, [&](const Doubt& d) { return d.until <= now; });
  prune_expectations(now);
}

policy::SnapshotTask ClusterModel::view(std::string_view arn, const TaskRecord& r) {
  policy::SnapshotTask t;
  t.arn = arn;
  t.instance_arn = r.instance_arn;
  t.task_definition = r.task_definition;
  t.started_by = r.started_by;
  t.group = r.group;
  t.reserved = r.reserved;
  t.last_status = r.last_status;
  t.desired_status = r.desired_status;
  t.health = r.health;
  t.has_health_check = r.has_health_check;
  t.expected = r.expected;
  t.healthy_since = r.healthy_since;
  t.ever_healthy = r.ever_healthy;
  t.stop_code = r.stop_code;
  t.nonzero_exit = r.nonzero_exit;
  t.stopped_at = r.stopped_at;
  return t;
}

namespace {
// `base` plus `add`, sorted and unique.
std::vector<std::uint16_t> merged(std::span<const std::uint16_t> base, const std::vector<std::uint16_t>& add) {
  std::vector<std::uint16_t> out(base.begin(), base.end());
  out.insert(out.end(), add.begin(), add.end());
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}
}  // namespace

policy::ClusterSnapshot ClusterModel::instances_snapshot(SystemTime now) const {
  policy::ClusterSnapshot s;
  s.cluster = cluster_name_;
  s.instances.reserve(instances_.size());
  std::unordered_map<std::string_view, std::size_t> held;  // instance ARN -> index in s.instances
  for (const auto& [arn, r] : instances_) {
    if (r.status == InstanceStatus::inactive) continue;
    if (!expectations_.empty()) held.emplace(std::string_view(arn), s.instances.size());
    s.instances.push_back(instance_view(arn, r));
  }
  for (const auto& e : expectations_) {
    auto it = held.find(e.instance_arn);
    if (it == held.end() || !holds(e, now)) continue;
    auto& v = s.instances[it->second];
    v.remaining.cpu = std::max(0, v.remaining.cpu - e.reserved.cpu);
    v.remaining.memory = std::max(0, v.remaining.memory - e.reserved.memory);
    // The merged lists live in the snapshot (the model's record keeps ECS's figure).
    if (!e.tcp_ports.empty()) v.reserved_tcp_ports = s.owned_ports.emplace_back(merged(v.reserved_tcp_ports, e.tcp_ports));
    if (!e.udp_ports.empty()) v.reserved_udp_ports = s.owned_ports.emplace_back(merged(v.reserved_udp_ports, e.udp_ports));
  }
  return s;
}

policy::ClusterSnapshot ClusterModel::snapshot(std::string_view started_by, SystemTime now) const {
  auto s = instances_snapshot(now);
  append_tasks(s, started_by, now);
  return s;
}

policy::ClusterSnapshot ClusterModel::tasks_snapshot(std::string_view started_by, SystemTime now) const {
  policy::ClusterSnapshot s;
  s.cluster = cluster_name_;
  append_tasks(s, started_by, now);
  return s;
}

void ClusterModel::append_tasks(policy::ClusterSnapshot& s, std::string_view started_by, SystemTime now) const {
  // Interned owner tags compare by pointer; an owner never seen has no tasks.
  auto owner = pool_.find(started_by);
  if (owner) {
    for (const auto& [arn, r] : tasks_)
      if (r.started_by.data() == owner->data() && r.started_by.size() == owner->size()) s.tasks.push_back(view(arn, r));
  }
  append_doubts(s, started_by, now);
}

void ClusterModel::append_doubts(policy::ClusterSnapshot& s, std::optional<std::string_view> started_by,
                                 SystemTime now) const {
  for (const auto& d : doubts_) {
    if ((started_by && d.started_by != *started_by) || d.until <= now) continue;
    policy::SnapshotTask t;
    t.instance_arn = d.instance_arn;
    t.task_definition = d.task_definition;
    t.started_by = d.started_by;
    t.last_status = TaskStatus::pending;
    t.expected = true;
    t.doubt_recheck_at = d.check_at;
    s.tasks.push_back(t);
  }
}

policy::ClusterSnapshot ClusterModel::snapshot_all(SystemTime now) const {
  auto s = instances_snapshot(now);
  s.tasks.reserve(tasks_.size() + doubts_.size());
  for (const auto& [arn, r] : tasks_) s.tasks.push_back(view(arn, r));
  append_doubts(s, std::nullopt, now);
  return s;
}

std::size_t ClusterModel::live_task_count() const {
  return static_cast<std::size_t>(std::count_if(tasks_.begin(), tasks_.end(), [](const auto& kv) {
    return kv.second.last_status != TaskStatus::stopped;
  }));
}

std::optional<policy::SnapshotTask> ClusterModel::task_for_test(std::string_view task_arn) const {
  auto it = tasks_.find(task_arn);
  if (it == tasks_.end()) return std::nullopt;
  return view(it->first, it->second);
}

std::optional<policy::SnapshotInstance> ClusterModel::instance_for_test(std::string_view instance_arn) const {
  auto it = instances_.find(instance_arn);
  if (it == instances_.end()) return std::nullopt;
  const auto& r = it->second;
  return instance_view(it->first, r);
}

void ClusterModel::for_each_instance(
    const std::function<void(const policy::SnapshotInstance&, std::int64_t)>& fn) const {
  for (const auto& [arn, r] : instances_)
    fn(instance_view(arn, r), r.version);
}

void ClusterModel::for_each_task(const std::function<void(const policy::SnapshotTask&, std::int64_t)>& fn) const {
  for (const auto& [arn, r] : tasks_) fn(view(arn, r), r.version);
}

}  // namespace berth::reactor

namespace berth::reactor {

void ClusterModel::note_change(std::string_view arn, TaskRecord& r) {
  if (history_ != nullptr) r.change = history_->record(cluster_name_, view(arn, r));
}

void ClusterModel::note_change(std::string_view arn, InstanceRecord& r) {
  if (history_ != nullptr) r.change = history_->record(cluster_name_, instance_view(arn, r));
}

void ClusterModel::for_each_instance_change(
    const std::function<void(const policy::SnapshotInstance&, std::uint64_t)>& fn) const {
  for (const auto& [arn, r] : instances_) fn(instance_view(arn, r), r.change);
}

void ClusterModel::for_each_task_change(
    const std::function<void(const policy::SnapshotTask&, std::uint64_t)>& fn) const {
  for (const auto& [arn, r] : tasks_) fn(view(arn, r), r.change);
}

namespace {
// "arn:aws:ecs:r:a:task/cluster/ID" matches "ID"; a full ARN only itself.
bool arn_ends_with_id(std::string_view arn, std::string_view id) {
  return arn.size() > id.size() && arn.ends_with(id) && arn[arn.size() - id.size() - 1] == '/';
}
}  // namespace

bool ClusterModel::visit_instance(std::string_view arn_or_id,
                                  const std::function<void(const policy::SnapshotInstance&, std::uint64_t)>& fn) const {
  if (auto it = instances_.find(arn_or_id); it != instances_.end()) {
    fn(instance_view(it->first, it->second), it->second.change);
    return true;
  }
  if (arn_or_id.empty() || arn_or_id.find('/') != std::string_view::npos) return false;
  for (const auto& [arn, r] : instances_) {  // a bare id: rare, one scan
    if (!arn_ends_with_id(arn, arn_or_id)) continue;
    fn(instance_view(arn, r), r.change);
    return true;
  }
  return false;
}

bool ClusterModel::visit_task(std::string_view arn_or_id,
                              const std::function<void(const policy::SnapshotTask&, std::uint64_t)>& fn) const {
  if (auto it = tasks_.find(arn_or_id); it != tasks_.end()) {
    fn(view(it->first, it->second), it->second.change);
    return true;
  }
  if (arn_or_id.empty() || arn_or_id.find('/') != std::string_view::npos) return false;
  for (const auto& [arn, r] : tasks_) {
    if (!arn_ends_with_id(arn, arn_or_id)) continue;
    fn(view(arn, r), r.change);
    return true;
  }
  return false;
}

}  // namespace berth::reactor
