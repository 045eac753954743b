// File: src/reactor/daemon_state_access.cpp — DesiredStateAccess over store::DesiredStateStore.
#include "reactor/daemon_state_access.hpp"

#include "config/logging.hpp"

#include <spdlog/logger.h>

namespace berth::reactor {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("state");
  return log;
}

bool finished(policy::DeploymentStatus s) {
  return s == policy::DeploymentStatus::completed || s == policy::DeploymentStatus::failed ||
         s == policy::DeploymentStatus::rolled_back;
}

// not_found is an answer ("there is none"), every other error is a failure the caller retries.
template <class T>
store::StoreResult<std::optional<T>> found_or_error(store::StoreResult<T> r) {
  if (r) return std::optional<T>(std::move(*r));
  if (r.error().code == store::StoreErrc::not_found) return std::optional<T>();
  return r.error();
}

}  // namespace

boost::asio::awaitable<store::StoreResult<std::optional<policy::Environment>>> DaemonStateAccess::environment(
    const std::string& name) {
  auto env = co_await store_.get_environment(name);
  auto out = found_or_error(std::move(env));
  if (!out) {
    ++stats_.store_errors;
    logger()->error("store read failed environment={} error=\"{}\"", name, out.error().message);
  }
  co_return out;
}

boost::asio::awaitable<store::StoreResult<std::optional<policy::Deployment>>> DaemonStateAccess::deployment(
    const std::string& id) {
  auto d = co_await store_.get_deployment(id);
  auto out = found_or_error(std::move(d));
  if (!out) {
    ++stats_.store_errors;
    logger()->error("store read failed deployment={} error=\"{}\"", id, out.error().message);
  }
  co_return out;
}

boost::asio::awaitable<void> DaemonStateAccess::save_deployment(policy::Deployment& d) {
  policy::Deployment update = d;
  if (finished(update.status) && !update.ended_at) update.ended_at = std::chrono::system_clock::now();
  auto stored = co_await store_.update_deployment(update);
  if (!stored) {
    if (stored.error().code == store::StoreErrc::conflict || stored.error().code == store::StoreErrc::not_found) {
      // Superseded, finished or deleted by an API call while the reconciler was planning: the store wins.
      logger()->info("deployment changed meanwhile, keeping the stored one deployment={} ignored_status={} "
                     "detail=\"{}\"",
                     d.id, policy::to_string(d.status), stored.error().message);
    } else {
      ++stats_.store_errors;
      logger()->error("store write failed deployment={} error=\"{}\"", d.id, stored.error().message);
    }
    co_return;
  }
  d.revision = stored->revision;
  ++stats_.deployment_updates;
  if (finished(d.status)) {
    ++stats_.deployments_finished;
    logger()->info("deployment finished environment={} deployment={} status={} updated={}/{} reason=\"{}\"",
                   d.environment, d.id, policy::to_string(d.status), d.updated_count, d.desired_count, d.reason);
  }
}

boost::asio::awaitable<void> DaemonStateAccess::confirm_environment_stored(const policy::Environment& env) {
  // See the header: update_deployment already applied the change. Only report a divergence.
  auto stored = co_await store_.get_environment(env.name);
  if (!stored) co_return;
  if (stored->task_definition != env.task_definition || stored->active_deployment_id != env.active_deployment_id) {
    logger()->info(
        "environment changed meanwhile, keeping the stored spec environment={} stored_task_definition={} "
        "reconciler_task_definition={}",
        env.name, stored->task_definition, env.task_definition);
  }
}

}  // namespace berth::reactor
