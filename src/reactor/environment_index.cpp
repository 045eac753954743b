// File: src/reactor/environment_index.cpp — event -> dirty environment keys.
#include "reactor/environment_index.hpp"

#include "policy/ownership.hpp"

namespace berth::reactor {

void EnvironmentIndex::put(const std::string& environment, std::string_view cluster) {
  erase(environment);
  std::string name(cluster_name_from_arn(cluster));
  by_started_by_[policy::encode_started_by(policy::WorkloadKey::daemon(std::string(environment)))] = environment;
  cluster_of_[environment] = name;
  by_cluster_[name].insert(environment);
}

void EnvironmentIndex::erase(const std::string& environment) {
  auto it = cluster_of_.find(environment);
  if (it == cluster_of_.end()) return;
  if (auto c = by_cluster_.find(it->second); c != by_cluster_.end()) {
    c->second.erase(environment);
    if (c->second.empty()) by_cluster_.erase(c);
  }
  by_started_by_.erase(policy::encode_started_by(policy::WorkloadKey::daemon(std::string(environment))));
  cluster_of_.erase(it);
}

std::vector<std::string> EnvironmentIndex::environments_on(std::string_view cluster) const {
  auto c = by_cluster_.find(cluster_name_from_arn(cluster));
  if (c == by_cluster_.end()) return {};
  return {c->second.begin(), c->second.end()};
}

std::vector<std::string> EnvironmentIndex::dirty_keys(const ApplyOutcome& outcome, std::string_view cluster) const {
  if (outcome.result != ApplyResult::applied) return {};
  if (outcome.placement_relevant) return environments_on(cluster);
  if (outcome.started_by.empty()) return {};
  auto it = by_started_by_.find(std::string(outcome.started_by));
  if (it == by_started_by_.end()) return {};
  return {it->second};
}

}  // namespace berth::reactor
