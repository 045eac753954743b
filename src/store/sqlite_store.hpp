// File: src/store/sqlite_store.hpp — durable desired state in SQLite: environments, deployments, services, jobs,
// reactor records.
//
// Durability: WAL journal. A commit that returned has reached the WAL file in the OS page cache, so it survives
// SIGKILL of berth with synchronous=NORMAL already; surviving power loss / kernel panic needs synchronous=FULL
// (fsync of the WAL on every commit). The default is FULL: desired state is small and written rarely.
//
// Threading: one SqliteStore is used from one thread (the reactor's io_context). Several processes may open the same
// file (WAL allows concurrent readers, one writer; busy_timeout waits for the lock).
//
// Model (see also docs in policy/desired_state.hpp):
//  - Environment::task_definition is what the environment should converge to. Starting a deployment sets it to the
//    deployment's definition and points active_deployment_id at the deployment, in one transaction.
//  - A new deployment supersedes an unfinished one: the old one is marked failed with reason "superseded".
//  - Finishing a deployment clears active_deployment_id; rolled_back also resets task_definition to the
//    deployment's previous_task_definition.
#pragma once

#include "policy/desired_state.hpp"
#include "store/desired_state_store.hpp"
#include "store/sqlite.hpp"
#include "store/store_error.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace berth::store {

struct StoreOptions {
  enum class Sync { normal, full };
  // normal: survives process crashes (SIGKILL); full: also survives power loss. See the file comment.
  Sync synchronous = Sync::full;
  // How long a write waits for another process's write lock before failing with StoreErrc::busy.
  std::chrono::milliseconds busy_timeout{5000};
};

// How many change rows are kept (older ones are deleted by a trigger), as etcd compacts its history.
inline constexpr std::int64_t change_log_rows = 10000;

class SqliteStore {
 public:
  static constexpr int schema_version = 5;

  // Opens (creating if needed) the database at `path` and migrates it forward to schema_version.
  // Errors: corrupt (not a database), too_new (written by a newer berth), io, busy.
  static StoreResult<std::unique_ptr<SqliteStore>> open(const std::string& path, StoreOptions options = {});

  // --- Environments -------------------------------------------------------------------------------------------
  // revision == 0: insert (already_exists if the name is taken). revision > 0: update only if the stored revision
  // equals it (conflict otherwise, not_found if missing). Returns the stored value, revision incremented.
  // created_at is kept from the stored row on update; updated_at is taken from the argument.
  StoreResult<policy::Environment> put_environment(const policy::Environment& env);
  StoreResult<policy::Environment> get_environment(std::string_view name);
  // Sorted by name; all clusters when `cluster` is empty.
  StoreResult<std::vector<policy::Environment>> list_environments(std::string_view cluster = {});
  // Deletes the environment and its deployment history. expected_revision (if set) must match (conflict).
  StoreResult<policy::Environment> delete_environment(std::string_view name,
                                                      std::optional<std::int64_t> expected_revision = {});

  // Atomically creates a new environment (revision 0 expected) and its first deployment, which becomes active.
  StoreResult<StartedDeployment> create_environment_with_deployment(const policy::Environment& env,
                                                                    const policy::Deployment& first);

  // --- Deployments --------------------------------------------------------------------------------------------
  // Inserts a deployment row as given (no environment change). A non-empty token already used for the same
  // environment returns the existing deployment with created=false. not_found if the environment is missing.
  StoreResult<StartedDeployment> create_deployment(const policy::Deployment& d);
  StoreResult<policy::Deployment> get_deployment(std::string_view id);
  StoreResult<std::optional<policy::Deployment>> find_deployment_by_token(std::string_view environment,
                                                                          std::string_view token);
  // Newest first; limit 0 = all.
  StoreResult<std::vector<policy::Deployment>> list_deployments(std::string_view environment,
                                                                std::size_t limit = 0);
  // Every pending or running deployment, oldest first: what the reactor resumes after a restart.
  StoreResult<std::vector<policy::Deployment>> list_unfinished_deployments();
  // Writes the mutable fields (status, reason, counts, failed_instances, started_at, ended_at) of `d.id` and
  // returns the row's new revision. d.revision > 0: only if the stored revision equals it (conflict otherwise).
  StoreResult<std::int64_t> update_deployment(const policy::Deployment& d);

  // One transaction: [token idempotency] -> supersede the unfinished active deployment (failed, "superseded")
  // -> insert `d` as pending with previous_task_definition = the last stable definition -> set the environment's
  // task_definition and active_deployment_id, bump its revision. Fields of `d` used: id, environment,
  // task_definition, token, desired_count, created_at. expected_env_revision (if set) must match (conflict).
  // A non-empty next_token becomes the environment's deployment_token in the same write (Blox rotation).
  StoreResult<StartedDeployment> start_deployment(const policy::Deployment& d,
                                                  std::optional<std::int64_t> expected_env_revision = {},
                                                  std::string_view next_token = {});

  // One transaction: set status (completed, failed or rolled_back), reason, ended_at = now; clear the
  // environment's active_deployment_id if it points here; on rolled_back set the environment's task_definition
  // back to previous_task_definition; on completed set it to the deployment's task_definition.
  StoreResult<StartedDeployment> finish_deployment(std::string_view id, policy::DeploymentStatus status,
                                                   std::string_view reason, policy::SystemTime now);

  // --- Reactor key/value records (e.g. in-flight RunTask by clientToken) -------------------------------------
  // Pattern for "nothing launched twice": commit kv_put("launch", client_token, ...) BEFORE sending RunTask or
  // StartTask with that clientToken; after a restart, retry pending records with the same token (ECS treats a
  // repeated clientToken as the same request) or match them against the model, then kv_delete.
  // Upsert; returns the row's new revision. expected_revision: 0 = create only (already_exists if present),
  // > 0 = only if the stored revision equals it (conflict, or not_found if missing); unset = unconditional.
  StoreResult<std::int64_t> kv_put(std::string_view ns, std::string_view key, std::string_view value,
                                   std::optional<std::int64_t> expected_revision = {});
  StoreResult<std::optional<std::string>> kv_get(std::string_view ns, std::string_view key);
  StoreResult<std::optional<KvRecord>> kv_get_record(std::string_view ns, std::string_view key);
  // Returns whether a row was deleted. expected_revision (if set) must match (conflict).
  StoreResult<bool> kv_delete(std::string_view ns, std::string_view key,
                              std::optional<std::int64_t> expected_revision = {});
  // Sorted by key.
  StoreResult<std::vector<std::pair<std::string, std::string>>> kv_list(std::string_view ns);
  StoreResult<std::vector<KvRecord>> kv_list_records(std::string_view ns);

  // --- Services (sqlite_service_rows.cpp) ----------------------------------------------------------------------
  // A new service (s.revision 0) at version 1 with `first` (version 1, pending) as its active deployment.
  StoreResult<ServiceWrite> create_service(const policy::Service& s, const policy::Deployment& first);
  StoreResult<policy::Service> get_service(std::string_view name);
  // Sorted by name; all clusters when `cluster` is empty.
  StoreResult<std::vector<policy::Service>> list_services(std::string_view cluster);
  // Only at s.revision (conflict otherwise). When s.spec is a new version of the stored one
  // (policy::is_new_version): the version is bumped and recorded, `next` is inserted as its deployment (pending,
  // with the last stable version's task definition to roll back to) and becomes active, superseding an
  // unfinished one. Otherwise only desiredCount and updated_at change and `next` is unused.
  StoreResult<ServiceWrite> update_service(const policy::Service& s, const policy::Deployment& next);
  // Deletes the service, its versions and deployments, only at `expected_revision`; returns it as it was.
  StoreResult<policy::Service> delete_service(std::string_view name, std::int64_t expected_revision);
  // Oldest first.
  StoreResult<std::vector<policy::ServiceVersion>> list_service_versions(std::string_view service);
  StoreResult<policy::Deployment> get_service_deployment(std::string_view id);
  // Newest first; limit 0 = all.
  StoreResult<std::vector<policy::Deployment>> list_service_deployments(std::string_view service, std::size_t limit);
  // Progress at d.revision (conflict otherwise). A final status also clears the service's active deployment (if
  // it is this one); completed marks its version stable; rolled_back returns the service to the last stable
  // version (its spec, today's desiredCount).
  StoreResult<policy::Deployment> update_service_deployment(const policy::Deployment& d);

  // --- Scheduled jobs and their runs (sqlite_job_rows.cpp) ----------------------------------------------------
  // Times: SystemTime fields keep system_clock's full precision (ticks), SysSeconds fields are whole seconds, so
  // a Job or JobRun reads back == to what was written.
  // job.revision must be 0 (invalid_argument otherwise; already_exists if the id is taken). Stored at revision 1.
  StoreResult<policy::Job> create_job(const policy::Job& job);
  StoreResult<policy::Job> get_job(std::string_view id);
  // Sorted by id; all clusters when `cluster` is empty.
  StoreResult<std::vector<policy::Job>> list_jobs(std::string_view cluster);
  // Spec, cursor, counters and updated_at, only at job.revision (conflict otherwise); created_at is kept.
  StoreResult<policy::Job> update_job(const policy::Job& job);
  // The job and all its runs, only at `expected_revision`; returns the job as it was.
  StoreResult<policy::Job> delete_job(std::string_view id, std::int64_t expected_revision);
  // One transaction, only while the job is at job.revision (conflict): inserts `run` (revision 0 expected;
  // already_exists if (job, id) is taken) at revision 1 and writes `job` as update_job does. A run inserted with
  // a final status (skipped) prunes the job's history as update_run does.
  StoreResult<StartedRun> start_run(const policy::Job& job, const policy::JobRun& run);
  // Status, counts, batches, tasks, retry_at, message and ended_at, only at run.revision (slot and created_at
  // are kept). A final status also deletes the job's oldest finished runs beyond its history limit (succeeded and
  // skipped against `successful`, failed against `failed`) in the same transaction; with a limit of 0 that is
  // this run too (returned as written).
  StoreResult<policy::JobRun> update_run(const policy::JobRun& run);
  StoreResult<policy::JobRun> get_run(std::string_view job, std::string_view id);
  // Newest first (created_at, then id); limit 0 = all.
  StoreResult<std::vector<policy::JobRun>> list_runs(std::string_view job, std::size_t limit);
  // Requested, launching or running runs, oldest first (created_at, job, id); of every job when `job` is empty.
  StoreResult<std::vector<policy::JobRun>> list_unfinished_runs(std::string_view job);

  // --- Change log ---------------------------------------------------------------------------------------------
  // The newest revision written (0 for an empty log).
  StoreResult<std::int64_t> revision();
  // Up to `limit` changes with revision > after, oldest first; reset when `after` is older than the log.
  StoreResult<ChangeBatch> changes_after(std::int64_t after, std::size_t limit);

  // Runs `fn` in one write transaction (BEGIN IMMEDIATE): commits if it returns a value, rolls back otherwise.
  // Store calls inside `fn` join the transaction.
  StoreResult<void> transact(const std::function<StoreResult<void>()>& fn);

  // PRAGMA integrity_check: "ok" or the list of problems.
  StoreResult<std::string> integrity_check();
  // The schema version recorded in the file.
  StoreResult<int> stored_schema_version();

  ~SqliteStore();
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

 private:
  explicit SqliteStore(sqlite::Database db) : db_(std::move(db)) {}
  StoreResult<void> configure(const StoreOptions& options);
  StoreResult<void> migrate();

  // Returns the cached prepared statement for `sql` (prepared on first use).
  StoreResult<sqlite::Statement*> stmt(std::string_view sql);

  // Nested-transaction aware BEGIN IMMEDIATE / COMMIT / ROLLBACK.
  StoreResult<void> begin();
  StoreResult<void> commit();
  void rollback();
  template <class T>
  StoreResult<T> in_transaction(const std::function<StoreResult<T>()>& fn);

  StoreResult<std::optional<policy::Environment>> load_environment(std::string_view name);
  StoreResult<std::optional<policy::Deployment>> load_deployment(std::string_view id);
  StoreResult<void> write_environment_row(const policy::Environment& env, bool insert);
  StoreResult<void> insert_deployment_row(const policy::Deployment& d);
  StoreResult<std::optional<policy::Service>> load_service(std::string_view name);
  StoreResult<void> write_service_row(const policy::Service& s, bool insert);
  StoreResult<void> insert_service_version(const policy::Service& s);
  StoreResult<void> insert_service_deployment_row(const policy::Deployment& d);
  StoreResult<std::optional<policy::ServiceVersion>> last_stable_version(std::string_view service);
  StoreResult<std::optional<policy::Job>> load_job(std::string_view id);
  StoreResult<void> write_job_row(const policy::Job& job, bool insert);
  StoreResult<std::optional<policy::JobRun>> load_run(std::string_view job, std::string_view id);
  StoreResult<void> write_run_row(const policy::JobRun& run, bool insert);
  StoreResult<void> prune_runs(const policy::Job& job);
  StoreResult<StartedDeployment> start_deployment_locked(const policy::Deployment& d,
                                                         std::optional<std::int64_t> expected_env_revision,
                                                         std::string_view next_token);

  sqlite::Database db_;
  std::unordered_map<std::string, sqlite::Statement> cache_;
  int txn_depth_ = 0;
};

}  // namespace berth::store
