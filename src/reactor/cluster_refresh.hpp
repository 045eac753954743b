// File: src/reactor/cluster_refresh.hpp — bootstrap and audit of a cluster model from ECS
// List/Describe (paginated, described in batches of 100). The same code serves both: at start the
// model is empty and everything is "added"; on the audit timer the counts are the drift that events
// missed (lost, or still in flight), and the model is repaired.
#pragma once

#include "reactor/cluster_model.hpp"
#include "reactor/ecs_api.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <functional>

namespace berth::reactor {

struct RefreshResult {
  AuditCounts instances;
  AuditCounts tasks;
  std::size_t ecs_calls = 0;
  std::size_t drift() const { return instances.drift() + tasks.drift(); }
};

// Lists and describes every container instance and every live task of the model's cluster, then
// reconciles the model. On any ECS error the model is left untouched (a partial listing would look
// like mass removal) and the error is returned.
boost::asio::awaitable<EcsResult<RefreshResult>> async_refresh_cluster(EcsApi& ecs, ClusterModel& model,
                                                                       std::function<SystemTime()> clock);

}  // namespace berth::reactor
