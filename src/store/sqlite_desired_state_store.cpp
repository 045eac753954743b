// File: src/store/sqlite_desired_state_store.cpp — DesiredStateStore calls mapped onto SqliteStore transactions.
#include "store/sqlite_desired_state_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <utility>

namespace berth::store {
namespace asio = boost::asio;
using policy::Deployment;
using policy::DeploymentStatus;
using policy::Environment;

namespace {

bool final_status(DeploymentStatus s) {
  return s == DeploymentStatus::completed || s == DeploymentStatus::failed || s == DeploymentStatus::rolled_back;
}

StoreError invalid(std::string message) { return StoreError{StoreErrc::invalid_argument, std::move(message)}; }

}  // namespace

StoreResult<std::unique_ptr<SqliteDesiredStateStore>> SqliteDesiredStateStore::open(
    asio::any_io_executor executor, const std::string& path, StoreOptions options, SqliteWatchOptions watch) {
  auto engine = SqliteStore::open(path, options);
  if (!engine) return engine.error();
  return std::unique_ptr<SqliteDesiredStateStore>(
      new SqliteDesiredStateStore(std::move(executor), std::move(*engine), watch));
}

template <class T>
StoreResult<T> SqliteDesiredStateStore::written(StoreResult<T> r) {
  if (r) wake_watchers();
  return r;
}

void SqliteDesiredStateStore::wake_watchers() {
  // An expiry in the past completes the pending wait at once (and a wait initiated later, too).
  for (auto* t : watchers_) t->expires_at(asio::steady_timer::time_point::min());
}

AsyncResult<Environment> SqliteDesiredStateStore::put_environment(Environment env) {
  co_return written(engine_->put_environment(env));
}

AsyncResult<Environment> SqliteDesiredStateStore::get_environment(std::string name) {
  co_return engine_->get_environment(name);
}

AsyncResult<std::vector<Environment>> SqliteDesiredStateStore::list_environments(std::string cluster) {
  co_return engine_->list_environments(cluster);
}

AsyncResult<Environment> SqliteDesiredStateStore::delete_environment(std::string name,
                                                                     std::int64_t expected_revision) {
  if (expected_revision <= 0) co_return invalid("delete of environment '" + name + "' needs its revision");
  co_return written(engine_->delete_environment(name, expected_revision));
}

AsyncResult<StartedDeployment> SqliteDesiredStateStore::create_environment_with_deployment(Environment env,
                                                                                         Deployment first) {
  if (env.revision != 0) co_return invalid("a new environment has revision 0");
  co_return written(engine_->create_environment_with_deployment(env, first));
}

AsyncResult<StartedDeployment> SqliteDesiredStateStore::start_deployment(Deployment d,
                                                                         std::int64_t expected_env_revision,
                                                                         std::string next_token) {
  if (expected_env_revision <= 0) co_return invalid("a deployment start needs the environment's revision");
  co_return written(engine_->start_deployment(d, expected_env_revision, next_token));
}

AsyncResult<Deployment> SqliteDesiredStateStore::get_deployment(std::string id) {
  co_return engine_->get_deployment(id);
}

AsyncResult<std::vector<Deployment>> SqliteDesiredStateStore::list_deployments(std::string environment,
                                                                               std::size_t limit) {
  co_return engine_->list_deployments(environment, limit);
}

AsyncResult<std::vector<Deployment>> SqliteDesiredStateStore::list_unfinished_deployments() {
  co_return engine_->list_unfinished_deployments();
}

AsyncResult<Deployment> SqliteDesiredStateStore::update_deployment(Deployment d) {
  if (d.revision <= 0) co_return invalid("update of deployment '" + d.id + "' needs its revision");
  const bool finishing = final_status(d.status);
  if (finishing && !d.ended_at) co_return invalid("deployment '" + d.id + "' finishes without ended_at");
  Deployment stored;
  auto r = engine_->transact([&]() -> StoreResult<void> {
    // Progress first, under the caller's revision; the verdict then goes through finish_deployment so that the
    // environment changes in the same transaction as the status.
    Deployment progress = d;
    if (finishing) {
      auto current = engine_->get_deployment(d.id);
      if (!current) return current.error();
      progress.status = current->status == DeploymentStatus::pending ? DeploymentStatus::running : current->status;
    }
    auto revision = engine_->update_deployment(progress);
    if (!revision) return revision.error();
    if (finishing) {
      auto f = engine_->finish_deployment(d.id, d.status, d.reason, *d.ended_at);
      if (!f) return f.error();
      stored = std::move(f->deployment);
      return {};
    }
    stored = std::move(progress);
    stored.revision = *revision;
    return {};
  });
  if (!r) co_return r.error();
  wake_watchers();
  co_return stored;
}

AsyncResult<ServiceWrite> SqliteDesiredStateStore::create_service(policy::Service service, Deployment first) {
  co_return written(engine_->create_service(service, first));
}

AsyncResult<policy::Service> SqliteDesiredStateStore::get_service(std::string name) {
  co_return engine_->get_service(name);
}

AsyncResult<std::vector<policy::Service>> SqliteDesiredStateStore::list_services(std::string cluster) {
  co_return engine_->list_services(cluster);
}

AsyncResult<ServiceWrite> SqliteDesiredStateStore::update_service(policy::Service service, Deployment next) {
  if (service.revision <= 0) co_return invalid("update of service '" + service.spec.name + "' needs its revision");
  co_return written(engine_->update_service(service, next));
}

AsyncResult<policy::Service> SqliteDesiredStateStore::delete_service(std::string name,
                                                                     std::int64_t expected_revision) {
  if (expected_revision <= 0) co_return invalid("delete of service '" + name + "' needs its revision");
  co_return written(engine_->delete_service(name, expected_revision));
}

AsyncResult<std::vector<policy::ServiceVersion>> SqliteDesiredStateStore::list_service_versions(std::string service) {
  co_return engine_->list_service_versions(service);
}

AsyncResult<Deployment> SqliteDesiredStateStore::get_service_deployment(std::string id) {
  co_return engine_->get_service_deployment(id);
}

AsyncResult<std::vector<Deployment>> SqliteDesiredStateStore::list_service_deployments(std::string service,
                                                                                       std::size_t limit) {
  co_return engine_->list_service_deployments(service, limit);
}

AsyncResult<Deployment> SqliteDesiredStateStore::update_service_deployment(Deployment d) {
  if (d.revision <= 0) co_return invalid("update of deployment '" + d.id + "' needs its revision");
  co_return written(engine_->update_service_deployment(d));
}

AsyncResult<std::int64_t> SqliteDesiredStateStore::put_record(std::string ns, std::string key, std::string value,
                                                              std::int64_t expected_revision) {
  if (expected_revision < 0) co_return invalid("record revision must not be negative");
  co_return written(engine_->kv_put(ns, key, value, expected_revision));
}

AsyncResult<std::vector<KvRecord>> SqliteDesiredStateStore::list_records(std::string ns) {
  co_return engine_->kv_list_records(ns);
}

AsyncResult<bool> SqliteDesiredStateStore::delete_record(std::string ns, std::string key,
                                                         std::int64_t expected_revision) {
  if (expected_revision <= 0) co_return invalid("delete of record '" + ns + "/" + key + "' needs its revision");
  co_return written(engine_->kv_delete(ns, key, expected_revision));
}

AsyncResult<std::int64_t> SqliteDesiredStateStore::revision() { co_return engine_->revision(); }

AsyncResult<ChangeBatch> SqliteDesiredStateStore::watch(std::int64_t after, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto batch = engine_->changes_after(after, watch_.max_batch);
    if (!batch) co_return batch.error();
    const auto now = std::chrono::steady_clock::now();
    if (!batch->changes.empty() || batch->reset || now >= deadline) co_return batch;
    // Wait for a local write (wake_watchers), the next poll of the log, or the deadline.
    asio::steady_timer timer(executor_, std::min<std::chrono::steady_clock::time_point>(
                                            deadline, now + watch_.poll_interval));
    watchers_.push_back(&timer);
    // Unregisters even if the coroutine frame is destroyed while suspended (shutdown).
    struct Unregister {
      std::vector<asio::steady_timer*>& watchers;
      asio::steady_timer* timer;
      ~Unregister() { std::erase(watchers, timer); }
    } unregister{watchers_, &timer};
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    // Cancelled (shutdown): answer "nothing new" now; the caller looks at its own stop flag.
    auto state = co_await asio::this_coro::cancellation_state;
    if (state.cancelled() != asio::cancellation_type::none) {
      ChangeBatch none;
      none.revision = after;
      co_return none;
    }
  }
}

AsyncResult<policy::Job> SqliteDesiredStateStore::create_job(policy::Job job) {
  co_return written(engine_->create_job(job));
}

AsyncResult<policy::Job> SqliteDesiredStateStore::get_job(std::string id) { co_return engine_->get_job(id); }

AsyncResult<std::vector<policy::Job>> SqliteDesiredStateStore::list_jobs(std::string cluster) {
  co_return engine_->list_jobs(cluster);
}

AsyncResult<policy::Job> SqliteDesiredStateStore::update_job(policy::Job job) {
  if (job.revision <= 0) co_return invalid("update of job '" + job.spec.id + "' needs its revision");
  co_return written(engine_->update_job(job));
}

AsyncResult<policy::Job> SqliteDesiredStateStore::delete_job(std::string id, std::int64_t expected_revision) {
  if (expected_revision <= 0) co_return invalid("delete of job '" + id + "' needs its revision");
  co_return written(engine_->delete_job(id, expected_revision));
}

AsyncResult<StartedRun> SqliteDesiredStateStore::start_run(policy::Job job, policy::JobRun run) {
  if (job.revision <= 0) co_return invalid("a run start needs the revision of job '" + job.spec.id + "'");
  co_return written(engine_->start_run(job, run));
}

AsyncResult<policy::JobRun> SqliteDesiredStateStore::update_run(policy::JobRun run) {
  if (run.revision <= 0) co_return invalid("update of run '" + run.job + "/" + run.id + "' needs its revision");
  co_return written(engine_->update_run(run));
}

AsyncResult<policy::JobRun> SqliteDesiredStateStore::get_run(std::string job, std::string id) {
  co_return engine_->get_run(job, id);
}

AsyncResult<std::vector<policy::JobRun>> SqliteDesiredStateStore::list_runs(std::string job, std::size_t limit) {
  co_return engine_->list_runs(job, limit);
}

AsyncResult<std::vector<policy::JobRun>> SqliteDesiredStateStore::list_unfinished_runs(std::string job) {
  co_return engine_->list_unfinished_runs(job);
}

}  // namespace berth::store
