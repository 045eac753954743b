// File: src/policy/placement.cpp — berth's task placement: a tree of spread groups over per-group ordered
// sets of feasible instances (see placement.hpp for the rules).
//
// Why a tree: spread(attribute) balances whole groups, so a placement changes the rank of its group, not of
// every instance in it. Groups are ordered by (tasks, value) in their parent; instances in a leaf group by
// their key (penalty, then the instance-level strategy entries, then snapshot order). Only the instance a
// task lands on changes (capacity, count), so each placement costs a few ordered-set updates, and an
// instance is checked for feasibility once up front and again only when a task lands on it.
#include "policy/placement.hpp"

#include "policy/constraint.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <unordered_set>

namespace berth::policy {

CapacityLedger::CapacityLedger(const ClusterSnapshot& snapshot) : snapshot_(&snapshot) {
  slots_.reserve(snapshot.instances.size());
  by_arn_.reserve(snapshot.instances.size());
  for (std::size_t i = 0; i < snapshot.instances.size(); ++i) {
    const auto& inst = snapshot.instances[i];
    Slot s{inst.remaining,
           {inst.reserved_tcp_ports.begin(), inst.reserved_tcp_ports.end()},
           {inst.reserved_udp_ports.begin(), inst.reserved_udp_ports.end()},
           inst.remaining.cpu < inst.registered.cpu || inst.remaining.memory < inst.registered.memory ||
               !inst.reserved_tcp_ports.empty() || !inst.reserved_udp_ports.empty()};
    // The snapshot promises sorted ports; sorting again is cheap and keeps binary_search honest.
    std::sort(s.tcp.begin(), s.tcp.end());
    std::sort(s.udp.begin(), s.udp.end());
    slots_.push_back(std::move(s));
    by_arn_.emplace(inst.arn, i);
  }
}

std::size_t CapacityLedger::index_of(std::string_view instance_arn) const {
  auto it = by_arn_.find(instance_arn);
  return it == by_arn_.end() ? npos : it->second;
}

bool CapacityLedger::tcp_port_free(std::size_t index, std::uint16_t port) const {
  const auto& v = slots_[index].tcp;
  return !std::binary_search(v.begin(), v.end(), port);
}

bool CapacityLedger::udp_port_free(std::size_t index, std::uint16_t port) const {
  const auto& v = slots_[index].udp;
  return !std::binary_search(v.begin(), v.end(), port);
}

void CapacityLedger::take(std::size_t index, const TaskRequirements& r) {
  Slot& s = slots_[index];
  s.in_use = true;
  s.remaining.cpu -= std::max(r.resources.cpu, 0);
  s.remaining.memory -= std::max(r.resources.memory, 0);
  for (auto p : r.tcp_ports) s.tcp.insert(std::upper_bound(s.tcp.begin(), s.tcp.end(), p), p);
  for (auto p : r.udp_ports) s.udp.insert(std::upper_bound(s.udp.begin(), s.udp.end(), p), p);
}

namespace {

// splitmix64: a tiny, well-mixed generator; the same seed gives the same placements on every platform.
struct SplitMix {
  std::uint64_t state;
  std::int64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return static_cast<std::int64_t>((z ^ (z >> 31)) >> 1);
  }
};

constexpr std::size_t max_key = 1 + max_placement_strategies;

struct LeafKey {
  std::array<std::int64_t, max_key> k{};
  std::uint32_t index = 0;
  friend bool operator<(const LeafKey& a, const LeafKey& b) {
    if (a.k != b.k) return a.k < b.k;
    return a.index < b.index;
  }
};

enum class Component : unsigned char { instance_count, static_group_count, binpack_cpu, binpack_memory, random };

std::string_view field_value(const SnapshotInstance& inst, std::string_view field) {
  auto name = field.substr(std::string_view("attribute:").size());
  if (name == "ecs.availability-zone" && !inst.availability_zone.empty()) return inst.availability_zone;
  auto a = inst.attribute(name);
  return a ? a->value : std::string_view{};
}

bool is_instance_spread(const PlacementStrategy& s) {
  return s.type == PlacementStrategyType::spread && (s.field == "instanceId" || s.field == "host");
}

class Placer {
 public:
  Placer(CapacityLedger& ledger, const PlacementRequest& request) : ledger_(ledger), req_(request), rng_{request.seed} {}

  PlacementResult run();

 private:
  // A group's place in its parent: fewest tasks, then (ties by the next strategy entries) the key of the
  // instance it would pick, then its value's order.
  struct GroupKey {
    std::int64_t count;
    LeafKey best;
    std::uint32_t rank;
    friend bool operator<(const GroupKey& a, const GroupKey& b) {
      if (a.count != b.count) return a.count < b.count;
      if (a.best < b.best || b.best < a.best) return a.best < b.best;
      return a.rank < b.rank;
    }
  };
  struct Node {
    int parent = -1;
    std::uint32_t rank = 0;  // order among siblings (by value)
    std::int64_t count = 0;  // the service's tasks in the group (existing + placed)
    bool active = false;     // has a feasible instance; then {count, best, rank} is in the parent's ranking
    bool leaf = false;
    LeafKey best;                   // while active: the key of the instance it would pick
    std::vector<int> children;      // by rank
    std::set<GroupKey> ranking;     // active children
    std::set<LeafKey> instances;    // leaf: feasible instances
  };

  std::string_view static_reason(std::size_t i) const;
  std::int64_t binpack_rank(std::uint32_t i, std::int32_t CpuMemory::*field) const;
  std::int64_t tasks_that_fit(std::uint32_t i) const;
  std::string_view capacity_reason(std::size_t i) const;
  int build(std::vector<std::uint32_t>& members, std::size_t level, int parent, std::uint32_t rank);
  LeafKey key_of(std::uint32_t i);
  // Re-ranks `node` and its ancestors after a placement in it (count + 1, maybe a new best or none).
  void update_path(int node);
  void reject(std::size_t i, std::string_view reason);

  CapacityLedger& ledger_;
  const PlacementRequest& req_;
  SplitMix rng_;
  std::vector<Constraint> member_of_;
  bool distinct_ = false;
  std::vector<std::string_view> group_fields_;  // leading spread(attribute) entries
  std::vector<std::pair<Component, std::string_view>> components_;
  std::vector<Node> nodes_;
  std::vector<int> leaf_of_;               // instance -> leaf node
  std::vector<LeafKey> key_;               // instance -> its key in its leaf
  std::vector<std::int64_t> count_;        // instance -> the service's tasks (spread)
  std::vector<std::uint32_t> occupied_;    // instance -> tasks distinctInstance sees
  std::vector<bool> penalized_;
  std::vector<std::vector<std::int64_t>> static_counts_;  // per trailing attribute spread, per instance
  PlacementResult result_;
  std::size_t closest_ = CapacityLedger::npos;  // an instance rejected for capacity only, for the message
};

std::string_view Placer::static_reason(std::size_t i) const {
  const auto& inst = ledger_.snapshot().instances[i];
  if (inst.status != InstanceStatus::active) return reason_instance_status;
  if (!inst.agent_connected) return reason_agent;
  for (const auto& c : member_of_)
    if (!c.matches(inst)) return reason_constraint;
  return {};
}

std::string_view Placer::capacity_reason(std::size_t i) const {
  if (distinct_ && occupied_[i] > 0) return reason_constraint;
  const auto& need = req_.requirements;
  auto have = ledger_.remaining(i);
  if (need.resources.cpu > 0 && need.resources.cpu > have.cpu) return reason_cpu;
  if (need.resources.memory > 0 && need.resources.memory > have.memory) return reason_memory;
  for (auto p : need.tcp_ports)
    if (!ledger_.tcp_port_free(i, p)) return reason_ports;
  for (auto p : need.udp_ports)
    if (!ledger_.udp_port_free(i, p)) return reason_ports_udp;
  return {};
}

void Placer::reject(std::size_t i, std::string_view reason) {
  ++result_.reasons[std::string(reason)];
  if (reason != reason_instance_status && reason != reason_agent && reason != reason_constraint &&
      closest_ == CapacityLedger::npos)
    closest_ = i;
}

// Why in use before empty, and the roomiest empty instance first: all tasks of one request are alike, so
// while an instance in use has room the task goes there (opening nothing), and when one must be opened, the
// instance that takes the most of them leaves the fewest to open after it. With binpack leading the strategy,
// no placement of one request opens fewer instances. Across requests placed largest first (the bench; several
// services filling a cluster), with one binding resource and sizes dividing each other (powers of two), an
// instance is opened only when every instance in use is full (what remains is a multiple of the task size and
// less than it): the fewest instances possible, so never more than first-fit-decreasing. Other sizes carry no
// such guarantee (best fit and first fit leave different holes; either can win): measured in
// tests/policy/binpack_property_test.cpp. Among instances in use it is ECS's rule, least remaining of the
// field, so with alike instances (an empty one has the most remaining) one is filled before the next.
std::int64_t Placer::binpack_rank(std::uint32_t i, std::int32_t CpuMemory::*field) const {
  if (ledger_.in_use(i)) return ledger_.remaining(i).*field;  // >= 0 (it fits), < 2^31: ranks before any empty
  constexpr std::int64_t after_in_use = std::int64_t{1} << 40;
  return after_in_use - tasks_that_fit(i);
}

// How many of the request's tasks instance i can take now (capped: the rank only compares them).
std::int64_t Placer::tasks_that_fit(std::uint32_t i) const {
  constexpr std::int64_t cap = std::int64_t{1} << 31;
  const auto& need = req_.requirements;
  if (distinct_ || !need.tcp_ports.empty() || !need.udp_ports.empty()) return 1;
  const auto have = ledger_.remaining(i);
  std::int64_t n = cap;
  if (need.resources.cpu > 0) n = std::min<std::int64_t>(n, have.cpu / need.resources.cpu);
  if (need.resources.memory > 0) n = std::min<std::int64_t>(n, have.memory / need.resources.memory);
  return n;
}

LeafKey Placer::key_of(std::uint32_t i) {
  LeafKey key;
  key.index = i;
  key.k[0] = penalized_[i] ? 1 : 0;
  std::size_t static_index = 0;
  for (std::size_t c = 0; c < components_.size(); ++c) {
    std::int64_t v = 0;
    switch (components_[c].first) {
      case Component::instance_count: v = count_[i]; break;
      case Component::static_group_count: v = static_counts_[static_index++][i]; break;
      case Component::binpack_cpu: v = binpack_rank(i, &CpuMemory::cpu); break;
      case Component::binpack_memory: v = binpack_rank(i, &CpuMemory::memory); break;
      case Component::random: v = rng_.next(); break;
    }
    key.k[1 + c] = v;
  }
  return key;
}

// Groups `members` by the value of group_fields_[level] (values ascending), recursively; returns the node.
int Placer::build(std::vector<std::uint32_t>& members, std::size_t level, int parent, std::uint32_t rank) {
  const int id = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  nodes_[id].parent = parent;
  nodes_[id].rank = rank;
  for (auto i : members) nodes_[id].count += count_[i];
  if (level == group_fields_.size()) {
    nodes_[id].leaf = true;
    for (auto i : members) leaf_of_[i] = id;
    return id;
  }
  const auto& instances = ledger_.snapshot().instances;
  std::sort(members.begin(), members.end(), [&](std::uint32_t a, std::uint32_t b) {
    auto va = field_value(instances[a], group_fields_[level]), vb = field_value(instances[b], group_fields_[level]);
    return va != vb ? va < vb : a < b;
  });
  std::uint32_t child_rank = 0;
  for (std::size_t begin = 0; begin < members.size();) {
    auto value = field_value(instances[members[begin]], group_fields_[level]);
    std::size_t end = begin;
    while (end < members.size() && field_value(instances[members[end]], group_fields_[level]) == value) ++end;
    std::vector<std::uint32_t> group(members.begin() + static_cast<std::ptrdiff_t>(begin),
                                     members.begin() + static_cast<std::ptrdiff_t>(end));
    int child = build(group, level + 1, id, child_rank++);
    nodes_[id].children.push_back(child);
    begin = end;
  }
  return id;
}

void Placer::update_path(int node) {
  for (int n = node; n >= 0; n = nodes_[n].parent) {
    Node& x = nodes_[n];
    Node* p = x.parent >= 0 ? &nodes_[x.parent] : nullptr;
    if (p && x.active) p->ranking.erase({x.count, x.best, x.rank});
    ++x.count;
    x.active = x.leaf ? !x.instances.empty() : !x.ranking.empty();
    if (!x.active) continue;
    x.best = x.leaf ? *x.instances.begin() : x.ranking.begin()->best;
    if (p) p->ranking.insert({x.count, x.best, x.rank});
  }
}

PlacementResult Placer::run() {
  const auto& instances = ledger_.snapshot().instances;
  const std::size_t n = instances.size();
  for (const auto& c : req_.constraints) {
    if (c.type == PlacementConstraintType::distinct_instance) {
      distinct_ = true;
      continue;
    }
    auto parsed = parse_constraint(c.expression);
    if (!parsed) {
      result_.error = "memberOf " + parsed.error->to_string();
      return std::move(result_);
    }
    member_of_.push_back(std::move(parsed.constraint));
  }
  // Leading attribute spreads group; the rest rank instances inside a group.
  std::size_t s = 0;
  for (; s < req_.strategy.size(); ++s) {
    const auto& e = req_.strategy[s];
    if (e.type != PlacementStrategyType::spread || is_instance_spread(e)) break;
    group_fields_.push_back(e.field);
  }
  for (; s < req_.strategy.size() && components_.size() < max_placement_strategies; ++s) {
    const auto& e = req_.strategy[s];
    if (e.type == PlacementStrategyType::random) components_.push_back({Component::random, {}});
    else if (e.type == PlacementStrategyType::binpack)
      components_.push_back({e.field == "cpu" ? Component::binpack_cpu : Component::binpack_memory, {}});
    else if (is_instance_spread(e)) components_.push_back({Component::instance_count, {}});
    else components_.push_back({Component::static_group_count, e.field});
  }

  count_.assign(n, 0);
  occupied_.assign(n, 0);
  penalized_.assign(n, false);
  leaf_of_.assign(n, -1);
  key_.resize(n);
  for (auto arn : req_.spread_existing)
    if (auto i = ledger_.index_of(arn); i != CapacityLedger::npos) ++count_[i];
  for (auto arn : req_.distinct_existing)
    if (auto i = ledger_.index_of(arn); i != CapacityLedger::npos) ++occupied_[i];
  for (auto arn : req_.penalized)
    if (auto i = ledger_.index_of(arn); i != CapacityLedger::npos) penalized_[i] = true;
  for (const auto& [component, field] : components_) {
    if (component != Component::static_group_count) continue;
    std::unordered_map<std::string_view, std::int64_t> per_value;
    for (std::size_t i = 0; i < n; ++i) per_value[field_value(instances[i], field)] += count_[i];
    auto& counts = static_counts_.emplace_back(n);
    for (std::size_t i = 0; i < n; ++i) counts[i] = per_value[field_value(instances[i], field)];
  }

  std::vector<std::uint32_t> all(n);
  for (std::size_t i = 0; i < n; ++i) all[i] = static_cast<std::uint32_t>(i);
  const int root = build(all, 0, -1, 0);

  // Feasible instances into their leaves; groups with one become active, bottom up.
  for (std::size_t i = 0; i < n; ++i) {
    auto reason = static_reason(i);
    if (reason.empty()) reason = capacity_reason(i);
    if (!reason.empty()) {
      reject(i, reason);
      continue;
    }
    key_[i] = key_of(static_cast<std::uint32_t>(i));
    nodes_[leaf_of_[i]].instances.insert(key_[i]);
  }
  for (int id = static_cast<int>(nodes_.size()) - 1; id >= 0; --id) {  // children come after parents
    Node& x = nodes_[id];
    x.active = x.leaf ? !x.instances.empty() : !x.ranking.empty();
    if (!x.active) continue;
    x.best = x.leaf ? *x.instances.begin() : x.ranking.begin()->best;
    if (x.parent >= 0) nodes_[x.parent].ranking.insert({x.count, x.best, x.rank});
  }

  result_.instances.reserve(req_.count);
  for (std::uint32_t placed = 0; placed < req_.count; ++placed) {
    if (!nodes_[root].active) {
      result_.unplaced = req_.count - placed;
      break;
    }
    int node = root;
    while (!nodes_[node].leaf) node = nodes_[node].children[nodes_[node].ranking.begin()->rank];
    const std::uint32_t i = nodes_[node].instances.begin()->index;

    ledger_.take(i, req_.requirements);
    ++count_[i];
    ++occupied_[i];
    result_.instances.push_back(instances[i].arn);
    auto& leaf = nodes_[node].instances;
    leaf.erase(key_[i]);
    if (auto reason = capacity_reason(i); !reason.empty()) {
      reject(i, reason);
    } else {
      key_[i] = key_of(i);
      leaf.insert(key_[i]);
    }
    update_path(node);
  }

  if (result_.unplaced == 0) {
    result_.reasons.clear();  // rejections matter only when a task is left without an instance
    return std::move(result_);
  }
  std::string& m = result_.message;
  const std::string tasks = result_.unplaced == 1 ? "a task" : std::to_string(result_.unplaced) + " tasks";
  if (n == 0) {
    m = "unable to place " + tasks + " because no container instances are registered in the cluster";
    return std::move(result_);
  }
  m = "unable to place " + tasks + " because no container instance met all of its requirements. Reasons: [";
  bool first = true;
  for (const auto& [reason, count] : result_.reasons) {
    m += (first ? "" : ", ") + reason + " x" + std::to_string(count);
    first = false;
  }
  m += "]";
  if (closest_ != CapacityLedger::npos) {
    auto why = capacity_reason(closest_);
    const char* what = why == reason_cpu ? "insufficient CPU units available"
                       : why == reason_memory ? "insufficient memory available"
                       : why == reason_ports ? "a required TCP port already in use"
                       : why == reason_ports_udp ? "a required UDP port already in use"
                       : "another task of the service (distinctInstance)";
    m += ". The closest matching container-instance " + std::string(instances[closest_].arn) + " has ";
    m += what;
  }
  return std::move(result_);
}

}  // namespace

PlacementResult place(CapacityLedger& ledger, const PlacementRequest& request) {
  return Placer(ledger, request).run();
}

}  // namespace berth::policy
