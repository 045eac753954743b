// File: src/reactor/workload_controller.hpp — what every workload kind (daemon, service, job) plugs into the
// scheduler with. The scheduler owns the cluster watchers, the work queue and the executor; a controller
// owns its kind's desired state and turns one workload's spec and the cluster model into ECS actions:
//
//   queue pops WorkloadKey{kind, name} --> controller(kind).sync(name)
//        sync: desired state (store) + model.snapshot(...) + now --> pure policy plan --> Executor
//
// A controller never calls ECS write actions itself (the executor does) and never reads the clock
// other than through the one it was given, so its plans can be replayed in tests.
#pragma once

#include "config/config.hpp"
#include "policy/workload.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::reactor {

// What the work queue does with the key after a sync (the scheduler acts on it, in one place).
struct SyncVerdict {
  bool success = true;  // false: retry with backoff
  std::optional<std::chrono::system_clock::time_point> wake_at;  // sync again then (health gate, backoff, deadline)
  bool requeue = false;  // sync again at once (e.g. a rollback switched the target)
};

class WorkloadController {
 public:
  virtual ~WorkloadController() = default;
  virtual policy::WorkloadKind kind() const = 0;

  // Startup, and after the store's change feed lost history: learn the kind's workloads from the store.
  virtual boost::asio::awaitable<void> load() = 0;
  // Converges one workload.
  virtual boost::asio::awaitable<SyncVerdict> sync(std::string name) = 0;
  // The workload changed in the store (created, updated, deleted; by this process or a peer): re-read it before
  // its next sync.
  virtual boost::asio::awaitable<void> refresh(std::string name) = 0;
  // Workloads placed on `cluster`: re-planned when the cluster becomes ready or its model is repaired.
  virtual std::vector<std::string> workloads_on(std::string_view cluster) const = 0;
  // A reload changed the [scheduler] table: later syncs use it.
  virtual void apply_settings(const config::SchedulerConfig& cfg) = 0;
  // Number of workloads of this kind that berth knows.
  virtual std::size_t size() const = 0;
};

}  // namespace berth::reactor
