// File: src/reactor/desired_state_store.cpp — DesiredStateAccess over store::Store.
#include "reactor/desired_state_store.hpp"

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

}  // namespace

std::optional<policy::Environment> StoreDesiredState::environment(const std::string& name) {
  auto env = store_.get_environment(name);
  if (env) return std::move(*env);
  if (env.error().code != store::StoreErrc::not_found) {
    // Treated as "no environment" for this sync: nothing is stopped because of it (sync of a missing
    // environment is a no-op), and the next event or audit retries.
    ++stats_.store_errors;
    logger()->error("store read failed environment={} error=\"{}\"", name, env.error().message);
  }
  return std::nullopt;
}

std::optional<policy::Deployment> StoreDesiredState::deployment(const std::string& id) {
  auto d = store_.get_deployment(id);
  if (d) return std::move(*d);
  if (d.error().code != store::StoreErrc::not_found) {
    ++stats_.store_errors;
    logger()->error("store read failed deployment={} error=\"{}\"", id, d.error().message);
  }
  return std::nullopt;
}

void StoreDesiredState::save_deployment(const policy::Deployment& d) {
  auto stored = store_.get_deployment(d.id);
  if (!stored) {
    ++stats_.store_errors;
    logger()->warn("deployment vanished before save deployment={} error=\"{}\"", d.id, stored.error().message);
    return;
  }
  if (finished(stored->status)) {
    // Superseded (or finished) by an API call while the reconciler was planning: the store wins.
    logger()->info("deployment already finished deployment={} stored_status={} ignored_status={}", d.id,
                   policy::to_string(stored->status), policy::to_string(d.status));
    return;
  }
  // Counts, failed instances, started_at first; the verdict then goes through finish_deployment so that the
  // environment changes in the same transaction as the status.
  policy::Deployment progress = d;
  if (finished(d.status)) progress.status = stored->status == policy::DeploymentStatus::pending
                                                ? policy::DeploymentStatus::running
                                                : stored->status;
  auto r = store_.transact([&]() -> store::StoreResult<void> {
    auto u = store_.update_deployment(progress);
    if (!u) return u.error();
    if (finished(d.status)) {
      auto f = store_.finish_deployment(d.id, d.status, d.reason, d.ended_at.value_or(std::chrono::system_clock::now()));
      if (!f) return f.error();
    }
    return {};
  });
  if (!r) {
    ++stats_.store_errors;
    logger()->error("store write failed deployment={} error=\"{}\"", d.id, r.error().message);
    return;
  }
  ++stats_.deployment_updates;
  if (finished(d.status)) {
    ++stats_.deployments_finished;
    logger()->info("deployment finished environment={} deployment={} status={} updated={}/{} reason=\"{}\"",
                   d.environment, d.id, policy::to_string(d.status), d.updated_count, d.desired_count, d.reason);
  }
}

void StoreDesiredState::confirm_environment_stored(const policy::Environment& env) {
  // See the header: finish_deployment already applied the change. Only report a divergence.
  auto stored = store_.get_environment(env.name);
  if (!stored) return;
  if (stored->task_definition != env.task_definition || stored->active_deployment_id != env.active_deployment_id) {
    logger()->info(
        "environment changed meanwhile, keeping the stored spec environment={} stored_task_definition={} "
        "reconciler_task_definition={}",
        env.name, stored->task_definition, env.task_definition);
  }
}

}  // namespace berth::reactor
