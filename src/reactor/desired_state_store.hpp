// File: src/reactor/desired_state_store.hpp — the reconciler's DesiredStateAccess over the SQLite Store.
//
// Deployment verdicts go through Store::finish_deployment, which in ONE transaction sets the final status,
// clears the environment's active_deployment_id (only if it still points at this deployment) and, for a
// rollback, sets the environment's task definition back. The environment the reconciler then "saves" is
// therefore already in the store; confirm_environment_stored only checks that and never overwrites concurrent API
// edits with the reconciler's possibly older copy.
#pragma once

#include "reactor/reconciler.hpp"
#include "store/store.hpp"

#include <cstdint>

namespace berth::reactor {

struct DesiredStateStats {
  std::uint64_t deployment_updates = 0, deployments_finished = 0, store_errors = 0;
};

class StoreDesiredState final : public DesiredStateAccess {
 public:
  // `store` must outlive this object.
  explicit StoreDesiredState(store::Store& store) : store_(store) {}

  std::optional<policy::Environment> environment(const std::string& name) override;
  std::optional<policy::Deployment> deployment(const std::string& id) override;
  void save_deployment(const policy::Deployment& deployment) override;
  void confirm_environment_stored(const policy::Environment& environment) override;

  const DesiredStateStats& stats() const { return stats_; }

 private:
  store::Store& store_;
  DesiredStateStats stats_;
};

}  // namespace berth::reactor
