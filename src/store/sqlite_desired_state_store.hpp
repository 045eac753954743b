// File: src/store/sqlite_desired_state_store.hpp — DesiredStateStore over SQLite (SqliteStore), berth's default.
//
// Every call runs its statements inline on the caller's thread and completes without suspending: a desired-state
// write is a few rows in one transaction (microseconds, plus the fsync of synchronous=FULL), rarer than events
// by orders of magnitude, so a thread hop would cost more than it saves.
//
// watch(): a write through this object wakes its watchers at once; a write by another process sharing the file
// (the change log is written by triggers, see sqlite_store_schema.cpp) is seen within `poll_interval`, the
// watcher's one periodic read of the log (one indexed SELECT, no ECS call).
#pragma once

#include "store/desired_state_store.hpp"
#include "store/sqlite_store.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace berth::store {

struct SqliteWatchOptions {
  // How often a waiting watch() re-reads the change log for writes of other processes.
  std::chrono::milliseconds poll_interval{1000};
  // Changes per watch() answer at most (the caller watches again from the batch's revision).
  std::size_t max_batch = 1000;
};

class SqliteDesiredStateStore final : public DesiredStateStore {
 public:
  // Opens (creating and migrating if needed) the database at `path`; errors as SqliteStore::open.
  static StoreResult<std::unique_ptr<SqliteDesiredStateStore>> open(boost::asio::any_io_executor executor,
                                                                    const std::string& path,
                                                                    StoreOptions options = {},
                                                                    SqliteWatchOptions watch = {});

  AsyncResult<policy::Environment> put_environment(policy::Environment env) override;
  AsyncResult<policy::Environment> get_environment(std::string name) override;
  AsyncResult<std::vector<policy::Environment>> list_environments(std::string cluster) override;
  AsyncResult<policy::Environment> delete_environment(std::string name, std::int64_t expected_revision) override;
  AsyncResult<StartedDeployment> create_environment_with_deployment(policy::Environment env,
                                                                    policy::Deployment first) override;
  AsyncResult<StartedDeployment> start_deployment(policy::Deployment d, std::int64_t expected_env_revision,
                                                  std::string next_token) override;
  AsyncResult<policy::Deployment> get_deployment(std::string id) override;
  AsyncResult<std::vector<policy::Deployment>> list_deployments(std::string environment, std::size_t limit) override;
  AsyncResult<std::vector<policy::Deployment>> list_unfinished_deployments() override;
  AsyncResult<policy::Deployment> update_deployment(policy::Deployment d) override;
  AsyncResult<ServiceWrite> create_service(policy::Service service, policy::Deployment first) override;
  AsyncResult<policy::Service> get_service(std::string name) override;
  AsyncResult<std::vector<policy::Service>> list_services(std::string cluster) override;
  AsyncResult<ServiceWrite> update_service(policy::Service service, policy::Deployment next) override;
  AsyncResult<policy::Service> delete_service(std::string name, std::int64_t expected_revision) override;
  AsyncResult<std::vector<policy::ServiceVersion>> list_service_versions(std::string service) override;
  AsyncResult<policy::Deployment> get_service_deployment(std::string id) override;
  AsyncResult<std::vector<policy::Deployment>> list_service_deployments(std::string service,
                                                                        std::size_t limit) override;
  AsyncResult<policy::Deployment> update_service_deployment(policy::Deployment d) override;
  AsyncResult<policy::Job> create_job(policy::Job job) override;
  AsyncResult<policy::Job> get_job(std::string id) override;
  AsyncResult<std::vector<policy::Job>> list_jobs(std::string cluster) override;
  AsyncResult<policy::Job> update_job(policy::Job job) override;
  AsyncResult<policy::Job> delete_job(std::string id, std::int64_t expected_revision) override;
  AsyncResult<StartedRun> start_run(policy::Job job, policy::JobRun run) override;
  AsyncResult<policy::JobRun> update_run(policy::JobRun run) override;
  AsyncResult<policy::JobRun> get_run(std::string job, std::string id) override;
  AsyncResult<std::vector<policy::JobRun>> list_runs(std::string job, std::size_t limit) override;
  AsyncResult<std::vector<policy::JobRun>> list_unfinished_runs(std::string job) override;
  AsyncResult<std::int64_t> put_record(std::string ns, std::string key, std::string value,
                                       std::int64_t expected_revision) override;
  AsyncResult<std::vector<KvRecord>> list_records(std::string ns) override;
  AsyncResult<bool> delete_record(std::string ns, std::string key, std::int64_t expected_revision) override;
  AsyncResult<std::int64_t> revision() override;
  AsyncResult<ChangeBatch> watch(std::int64_t after, std::chrono::milliseconds timeout) override;

  // The synchronous engine, for tests and offline tools (integrity checks, fixtures). Writes made through it are
  // seen by watchers within poll_interval, as another process's would be.
  SqliteStore& engine() { return *engine_; }

 private:
  SqliteDesiredStateStore(boost::asio::any_io_executor executor, std::unique_ptr<SqliteStore> engine,
                          SqliteWatchOptions watch)
      : executor_(std::move(executor)), engine_(std::move(engine)), watch_(watch) {}

  // Passes `r` through, waking every waiting watch() first if it is a successful write.
  template <class T>
  StoreResult<T> written(StoreResult<T> r);
  void wake_watchers();

  boost::asio::any_io_executor executor_;
  std::unique_ptr<SqliteStore> engine_;
  SqliteWatchOptions watch_;
  std::vector<boost::asio::steady_timer*> watchers_;  // timers of suspended watch() calls
};

}  // namespace berth::store
