// File: src/reactor/daemon_state_access.hpp — the reconciler's DesiredStateAccess over the DesiredStateStore.
//
// Deployment progress is written with compare-and-set on the revision the reconciler read in the same sync; a
// verdict (completed, failed, rolled back) goes through the same update_deployment call, which in ONE write sets
// the final status, clears the environment's active_deployment_id (only if it still points at this deployment)
// and, for a rollback, sets the environment's task definition back. The environment the reconciler then "saves"
// is therefore already in the store; confirm_environment_stored only checks that and never overwrites concurrent
// API edits with the reconciler's possibly older copy. A lost compare-and-set (an API call superseded or
// finished the deployment meanwhile) means the store wins: the next sync plans from what it holds.
#pragma once

#include "reactor/reconciler.hpp"
#include "store/desired_state_store.hpp"

#include <cstdint>

namespace berth::reactor {

struct DesiredStateStats {
  std::uint64_t deployment_updates = 0, deployments_finished = 0, store_errors = 0;
};

class DaemonStateAccess final : public DesiredStateAccess {
 public:
  // `store` must outlive this object.
  explicit DaemonStateAccess(store::DesiredStateStore& store) : store_(store) {}

  boost::asio::awaitable<store::StoreResult<std::optional<policy::Environment>>> environment(
      const std::string& name) override;
  boost::asio::awaitable<store::StoreResult<std::optional<policy::Deployment>>> deployment(
      const std::string& id) override;
  boost::asio::awaitable<void> save_deployment(policy::Deployment& deployment) override;
  boost::asio::awaitable<void> confirm_environment_stored(const policy::Environment& environment) override;

  const DesiredStateStats& stats() const { return stats_; }

 private:
  store::DesiredStateStore& store_;
  DesiredStateStats stats_;
};

}  // namespace berth::reactor
