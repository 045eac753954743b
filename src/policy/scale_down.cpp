// File: src/policy/scale_down.cpp — select_scale_down: a tree of spread groups, most loaded first.
//
// Why a tree: removing a task changes the count of each of its groups, i.e. the rank of every task in
// them. Each node is ranked in its parent by its path key: its own count, then its best child's count,
// ... down to its newest task, so the first pick is the lexicographic maximum of (count per level...,
// newness) over all tasks, and a pick re-ranks only the nodes on its path.
#include "policy/scale_down.hpp"

#include <algorithm>
#include <array>
#include <set>
#include <string_view>
#include <tuple>
#include <unordered_map>

namespace berth::policy {

namespace {

constexpr std::size_t max_levels = max_placement_strategies;

struct TaskKey {
  bool not_healthy = false;  // never healthy yet: newer than any healthy one
  SystemTime since{};
  std::uint32_t arn_rank = 0;  // order of the ARN among the tasks (compared as an integer)
  std::uint32_t index = 0;
  auto tie() const { return std::tie(not_healthy, since, arn_rank, index); }
  friend bool operator<(const TaskKey& a, const TaskKey& b) { return a.tie() < b.tie(); }
};

struct PathKey {
  std::array<std::int64_t, max_levels> counts{};  // [depth - 1] own count, deeper: the best descendants'
  TaskKey task;
  friend bool operator<(const PathKey& a, const PathKey& b) {
    if (a.counts != b.counts) return a.counts < b.counts;
    return a.task < b.task;
  }
};

struct Node {
  int parent = -1;
  std::size_t depth = 0;
  std::int64_t count = 0;
  bool active = false;
  bool leaf = false;
  PathKey path;                                // while active: its key in the parent's ranking
  std::set<std::pair<PathKey, int>> ranking;   // active children
  std::set<TaskKey> tasks;                     // leaf
};

std::string_view value_of(const SnapshotTask& t, std::string_view field,
                          const std::unordered_map<std::string_view, const SnapshotInstance*>& instances) {
  if (field == "instanceId" || field == "host") return t.instance_arn;
  auto it = instances.find(t.instance_arn);
  if (it == instances.end()) return {};
  auto name = field.substr(std::string_view("attribute:").size());
  if (name == "ecs.availability-zone" && !it->second->availability_zone.empty()) return it->second->availability_zone;
  auto a = it->second->attribute(name);
  return a ? a->value : std::string_view{};
}

class Selector {
 public:
  Selector(std::span<const SnapshotTask* const> tasks, std::vector<std::string_view> fields,
           const std::unordered_map<std::string_view, const SnapshotInstance*>& instances)
      : tasks_(tasks), fields_(std::move(fields)), instances_(instances) {}

  std::vector<const SnapshotTask*> run(std::size_t count) {
    std::vector<std::uint32_t> all(tasks_.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = static_cast<std::uint32_t>(i);
    // Each task's group per level as a small id (first appearance order): one hash lookup per task and
    // level, then integer comparisons (ARNs share long prefixes; comparing them would dominate).
    std::vector<std::uint32_t> by_arn(all);
    std::sort(by_arn.begin(), by_arn.end(), [&](auto a, auto b) { return std::pair(tasks_[a]->arn, a) < std::pair(tasks_[b]->arn, b); });
    arn_rank_.resize(tasks_.size());
    for (std::size_t r = 0; r < by_arn.size(); ++r) arn_rank_[by_arn[r]] = static_cast<std::uint32_t>(r);
    values_.resize(tasks_.size() * fields_.size());
    for (std::size_t l = 0; l < fields_.size(); ++l) {
      std::unordered_map<std::string_view, std::uint32_t> ids;
      for (std::size_t i = 0; i < tasks_.size(); ++i) {
        auto [it, added] = ids.emplace(value_of(*tasks_[i], fields_[l], instances_), static_cast<std::uint32_t>(ids.size()));
        values_[i * fields_.size() + l] = it->second;
      }
    }
    build(all, 0, -1);
    for (int id = static_cast<int>(nodes_.size()) - 1; id >= 0; --id) refresh(id);  // children after parents
    std::vector<const SnapshotTask*> out;
    out.reserve(std::min(count, tasks_.size()));
    while (out.size() < count && nodes_[0].active) {
      int n = 0;
      while (!nodes_[n].leaf) n = nodes_[n].ranking.rbegin()->second;
      const TaskKey pick = *nodes_[n].tasks.rbegin();
      out.push_back(tasks_[pick.index]);
      nodes_[n].tasks.erase(pick);
      for (int m = n; m >= 0; m = nodes_[m].parent) {
        Node& x = nodes_[m];
        if (x.parent >= 0 && x.active) nodes_[x.parent].ranking.erase({x.path, m});
        --x.count;
        refresh(m);
      }
    }
    return out;
  }

 private:
  // Recomputes a node's activity and path key and (re)inserts it into its parent's ranking.
  void refresh(int id) {
    Node& x = nodes_[id];
    x.active = x.leaf ? !x.tasks.empty() : !x.ranking.empty();
    if (!x.active) return;
    if (x.leaf) {
      x.path = PathKey{};
      x.path.task = *x.tasks.rbegin();
    } else {
      x.path = x.ranking.rbegin()->first;
    }
    if (x.depth > 0) x.path.counts[x.depth - 1] = x.count;
    if (x.parent >= 0) nodes_[x.parent].ranking.insert({x.path, id});
  }

  int build(std::vector<std::uint32_t>& members, std::size_t level, int parent) {
    const int id = static_cast<int>(nodes_.size());
    nodes_.emplace_back();
    nodes_[id].parent = parent;
    nodes_[id].depth = level;
    nodes_[id].count = static_cast<std::int64_t>(members.size());
    if (level == fields_.size()) {
      nodes_[id].leaf = true;
      for (auto i : members) {
        const SnapshotTask& t = *tasks_[i];
        nodes_[id].tasks.insert({!t.healthy_since.has_value(), t.healthy_since.value_or(SystemTime{}), arn_rank_[i], i});
      }
      return id;
    }
    auto value = [&](std::uint32_t i) { return values_[i * fields_.size() + level]; };
    std::sort(members.begin(), members.end(), [&](auto a, auto b) { return std::pair(value(a), a) < std::pair(value(b), b); });
    for (std::size_t begin = 0; begin < members.size();) {
      std::size_t end = begin;
      while (end < members.size() && value(members[end]) == value(members[begin])) ++end;
      std::vector<std::uint32_t> group(members.begin() + static_cast<std::ptrdiff_t>(begin),
                                       members.begin() + static_cast<std::ptrdiff_t>(end));
      build(group, level + 1, id);
      begin = end;
    }
    return id;
  }

  std::span<const SnapshotTask* const> tasks_;
  std::vector<std::string_view> fields_;
  const std::unordered_map<std::string_view, const SnapshotInstance*>& instances_;
  std::vector<Node> nodes_;
  std::vector<std::uint32_t> values_;  // [task * levels + level]: group id
  std::vector<std::uint32_t> arn_rank_;
};

}  // namespace

std::vector<const SnapshotTask*> select_scale_down(std::span<const SnapshotTask* const> tasks, std::size_t count,
                                                   std::span<const PlacementStrategy> strategy,
                                                   const ClusterSnapshot& snapshot) {
  std::vector<std::string_view> fields;
  for (const auto& s : strategy)
    if (s.type == PlacementStrategyType::spread && fields.size() < max_levels) fields.push_back(s.field);
  std::unordered_map<std::string_view, const SnapshotInstance*> instances;
  if (std::any_of(fields.begin(), fields.end(), [](auto f) { return f != "instanceId" && f != "host"; })) {
    instances.reserve(snapshot.instances.size());
    for (const auto& i : snapshot.instances) instances.emplace(i.arn, &i);
  }
  return Selector(tasks, std::move(fields), instances).run(count);
}

}  // namespace berth::policy
