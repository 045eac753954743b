// File: src/http/cluster_state/cluster_state_source.hpp — what the Blox cluster-state front reads: the model's
// instances and tasks with their entityVersion, the change history, and single Describe calls. In the running
// process it is SchedulerClusterState (http/api/scheduler_adapters.hpp) over the reactor; tests use a fake.
#pragma once

#include "aws/ecs_types.hpp"
#include "policy/cluster_snapshot.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::cluster_state {

// Views are valid only during the callback. `version` is the entity's last global change number.
using InstanceFn = std::function<void(std::string_view cluster, const policy::SnapshotInstance&, std::uint64_t version)>;
using TaskFn = std::function<void(std::string_view cluster, const policy::SnapshotTask&, std::uint64_t version)>;

struct ChangeRead {
  bool too_old = false;              // changes after the asked number are no longer kept
  std::uint64_t scanned_through = 0;  // read on after this number
  std::uint64_t oldest_kept = 0;      // for the 400 message
};

class ClusterStateSource {
 public:
  virtual ~ClusterStateSource() = default;

  // The watched clusters' names.
  virtual std::vector<std::string> clusters() const = 0;
  // Every instance / task record of `cluster` (name); false when berth does not watch it.
  virtual bool for_each_instance(std::string_view cluster, const InstanceFn& fn) const = 0;
  virtual bool for_each_task(std::string_view cluster, const TaskFn& fn) const = 0;
  // One record by full ARN or bare id; false when none.
  virtual bool visit_instance(std::string_view cluster, std::string_view arn_or_id, const InstanceFn& fn) const = 0;
  virtual bool visit_task(std::string_view cluster, std::string_view arn_or_id, const TaskFn& fn) const = 0;

  // ECS's full record (one rate-limited Describe call); nullopt when ECS failed or does not know it.
  virtual boost::asio::awaitable<std::optional<aws::ecs::ContainerInstance>> describe_instance(std::string cluster,
                                                                                             std::string arn) = 0;
  virtual boost::asio::awaitable<std::optional<aws::ecs::Task>> describe_task(std::string cluster, std::string arn) = 0;

  // The change history: changes numbered after `after`, at most `max`, oldest first.
  virtual ChangeRead read_instance_changes(std::uint64_t after, std::size_t max, const InstanceFn& fn) const = 0;
  virtual ChangeRead read_task_changes(std::uint64_t after, std::size_t max, const TaskFn& fn) const = 0;
  virtual std::uint64_t last_change() const = 0;
  // `wake` runs after each new change (it must only signal); returns an id for unsubscribe.
  virtual std::uint64_t subscribe(std::function<void()> wake) = 0;
  virtual void unsubscribe(std::uint64_t id) = 0;
};

}  // namespace berth::http::cluster_state
