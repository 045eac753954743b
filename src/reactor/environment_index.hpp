// File: src/reactor/environment_index.hpp — maps what an event touched to the environments (work
// queue keys) it makes dirty: a task event -> the environment owning its startedBy; an instance
// change that matters for placement -> every environment on that cluster. Events that change
// nothing (stale, duplicate, resource-only instance updates) dirty nothing.
#pragma once

#include "reactor/cluster_model.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::reactor {

class EnvironmentIndex {
 public:
  // `cluster` may be a name or an ARN.
  void put(const std::string& environment, std::string_view cluster);
  void erase(const std::string& environment);

  // Keys to enqueue after applying an event to the model of `cluster`.
  std::vector<std::string> dirty_keys(const ApplyOutcome& outcome, std::string_view cluster) const;
  std::vector<std::string> environments_on(std::string_view cluster) const;
  std::size_t size() const { return cluster_of_.size(); }

 private:
  std::unordered_map<std::string, std::string> by_started_by_;  // startedBy -> environment
  std::unordered_map<std::string, std::string> cluster_of_;     // environment -> cluster name
  std::map<std::string, std::set<std::string>, std::less<>> by_cluster_;
};

}  // namespace berth::reactor
