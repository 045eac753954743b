// File: src/reactor/workload_index.hpp — maps what an event touched to the workloads (work queue keys) it makes
// dirty: a task event -> the workload owning its startedBy (a daemon environment or a service: the tags of each
// kind differ, policy/ownership.hpp); an instance change that matters for placement -> every workload on that
// cluster. Events that change nothing (stale, duplicate, resource-only instance updates) dirty nothing here; a
// service waiting for capacity is woken by the scheduler from ServiceController::waiting_on (blocked plans).
#pragma once

#include "policy/workload.hpp"
#include "reactor/cluster_model.hpp"

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace berth::reactor {

class WorkloadIndex {
 public:
  // `cluster` may be a name or an ARN.
  void put(const policy::WorkloadKey& key, std::string_view cluster);
  void erase(const policy::WorkloadKey& key);

  // Keys to enqueue after applying an event to the model of `cluster`.
  std::vector<policy::WorkloadKey> dirty_keys(const ApplyOutcome& outcome, std::string_view cluster) const;
  // The workloads of one kind on `cluster`, by name.
  std::vector<std::string> on(std::string_view cluster, policy::WorkloadKind kind) const;
  std::size_t size(policy::WorkloadKind kind) const;

 private:
  std::unordered_map<std::string, policy::WorkloadKey> by_started_by_;  // startedBy -> workload
  std::map<policy::WorkloadKey, std::string> cluster_of_;              // workload -> cluster name
  std::map<std::string, std::set<policy::WorkloadKey>, std::less<>> by_cluster_;
};

}  // namespace berth::reactor
