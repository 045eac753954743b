// File: src/reactor/workload_index.cpp — event -> dirty workload keys.
#include "reactor/workload_index.hpp"

#include "policy/ownership.hpp"

#include <algorithm>

namespace berth::reactor {

void WorkloadIndex::put(const policy::WorkloadKey& key, std::string_view cluster) {
  erase(key);
  std::string name(cluster_name_from_arn(cluster));
  by_started_by_.emplace(policy::encode_started_by(key), key);
  cluster_of_[key] = name;
  by_cluster_[name].insert(key);
}

void WorkloadIndex::erase(const policy::WorkloadKey& key) {
  auto it = cluster_of_.find(key);
  if (it == cluster_of_.end()) return;
  if (auto c = by_cluster_.find(it->second); c != by_cluster_.end()) {
    c->second.erase(key);
    if (c->second.empty()) by_cluster_.erase(c);
  }
  by_started_by_.erase(policy::encode_started_by(key));
  cluster_of_.erase(it);
}

std::vector<std::string> WorkloadIndex::on(std::string_view cluster, policy::WorkloadKind kind) const {
  std::vector<std::string> out;
  auto c = by_cluster_.find(cluster_name_from_arn(cluster));
  if (c == by_cluster_.end()) return out;
  for (const auto& key : c->second)
    if (key.kind == kind) out.push_back(key.name);
  return out;
}

std::size_t WorkloadIndex::size(policy::WorkloadKind kind) const {
  return static_cast<std::size_t>(
      std::count_if(cluster_of_.begin(), cluster_of_.end(), [&](const auto& kv) { return kv.first.kind == kind; }));
}

std::vector<policy::WorkloadKey> WorkloadIndex::dirty_keys(const ApplyOutcome& outcome, std::string_view cluster) const {
  if (outcome.result != ApplyResult::applied) return {};
  if (outcome.placement_relevant) {
    auto c = by_cluster_.find(cluster_name_from_arn(cluster));
    if (c == by_cluster_.end()) return {};
    return {c->second.begin(), c->second.end()};
  }
  if (outcome.started_by.empty()) return {};
  auto it = by_started_by_.find(std::string(outcome.started_by));
  if (it == by_started_by_.end()) return {};
  return {it->second};
}

}  // namespace berth::reactor
