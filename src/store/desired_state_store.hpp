// File: src/store/desired_state_store.hpp — the desired-state store as every caller sees it: asynchronous,
// revisioned, compare-and-set on every write, with a change feed.
//
// Callers (HTTP API, launch journal, workload controllers) depend on this interface only. SQLite is the first
// implementation (store/sqlite_desired_state_store.hpp); the interface is shaped so that etcd can implement it
// without changing a caller:
//   - every call is an awaitable that may suspend (a network round trip for etcd; none for SQLite);
//   - every stored object carries a revision and every write names the revision it expects (etcd: a transaction
//     comparing mod_revision); a stale one is StoreErrc::conflict, never a silent overwrite;
//   - writes that must happen together are single calls (one SQLite transaction, one etcd Txn);
//   - watch(after) answers the changes after a store-wide revision, oldest first (etcd: Watch from after + 1),
//     or `reset` when the history no longer reaches back that far (etcd: compacted), and the caller re-reads.
#pragma once

#include "policy/desired_state.hpp"
#include "policy/job.hpp"
#include "policy/service_state.hpp"
#include "store/store_error.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::store {

template <class T>
using AsyncResult = boost::asio::awaitable<StoreResult<T>>;

// Result of an idempotent deployment start.
struct StartedDeployment {
  policy::Deployment deployment;                 // the new deployment, or the existing one for a repeated token
  bool created = false;                          // false: the token was seen before, nothing changed
  std::optional<policy::Deployment> superseded;  // the unfinished deployment this one replaced
  policy::Environment environment;               // the environment after the change
};

// Result of a service write that may start a deployment (a new version).
struct ServiceWrite {
  policy::Service service;                        // the service after the write
  std::optional<policy::Deployment> deployment;   // the deployment this write started, if it made a new version
  std::optional<policy::Deployment> superseded;   // the unfinished deployment it replaced
};

// Result of recording a job's run together with the job's advanced cursor.
struct StartedRun {
  policy::Job job;     // as stored (new revision)
  policy::JobRun run;  // as stored (revision > 0)
};

// Why reason text is fixed: the API and operators match on it.
inline constexpr std::string_view superseded_reason = "superseded";

// One reactor record (e.g. an in-flight launch): a value under (namespace, key) with a per-row revision.
struct KvRecord {
  std::string key;
  std::string value;
  std::int64_t revision = 0;
  friend bool operator==(const KvRecord&, const KvRecord&) = default;
};

// One entry of the change feed: an environment, deployment or record was written or deleted.
enum class ChangeKind { environment, deployment, record, service, service_deployment, job, job_run };
struct Change {
  std::int64_t revision = 0;  // store-wide, strictly increasing, never reused
  ChangeKind kind = ChangeKind::environment;
  // environment, service: its name; deployment: "<environment>/<id>"; service_deployment: "<service>/<id>";
  // record: "<ns>/<key>"; job: its id; job_run: "<job>/<run id>".
  std::string key;
  bool deleted = false;
  friend bool operator==(const Change&, const Change&) = default;
};
// Changes after a revision. `reset`: the history no longer reaches back that far (compacted): re-read everything.
struct ChangeBatch {
  std::int64_t revision = 0;  // the newest revision covered: watch again from here
  std::vector<Change> changes;
  bool reset = false;
};

class DesiredStateStore {
 public:
  virtual ~DesiredStateStore() = default;

  // --- Environments -------------------------------------------------------------------------------------------
  // env.revision == 0: create (already_exists if the name is taken); > 0: update only if the stored revision
  // equals it (conflict otherwise, not_found if missing). Returns the stored value with its new revision.
  virtual AsyncResult<policy::Environment> put_environment(policy::Environment env) = 0;
  virtual AsyncResult<policy::Environment> get_environment(std::string name) = 0;
  // Sorted by name; all clusters when `cluster` is empty.
  virtual AsyncResult<std::vector<policy::Environment>> list_environments(std::string cluster) = 0;
  // Deletes the environment and its deployment history, only at `expected_revision`; returns it as it was.
  virtual AsyncResult<policy::Environment> delete_environment(std::string name, std::int64_t expected_revision) = 0;
  // Creates a new environment and its first deployment, which becomes active (already_exists if taken).
  virtual AsyncResult<StartedDeployment> create_environment_with_deployment(policy::Environment env,
                                                                            policy::Deployment first) = 0;

  // --- Deployments --------------------------------------------------------------------------------------------
  // [token idempotency: a deployment already started with d.token is returned, created=false] -> supersede the
  // unfinished active deployment -> insert `d` as pending -> point the environment at it and set its
  // deployment_token to `next_token` (non-empty: the rotation), only while the environment is at
  // `expected_env_revision` (conflict otherwise).
  virtual AsyncResult<StartedDeployment> start_deployment(policy::Deployment d, std::int64_t expected_env_revision,
                                                          std::string next_token) = 0;
  virtual AsyncResult<policy::Deployment> get_deployment(std::string id) = 0;
  // Newest first; limit 0 = all.
  virtual AsyncResult<std::vector<policy::Deployment>> list_deployments(std::string environment,
                                                                        std::size_t limit) = 0;
  // Every pending or running deployment, oldest first.
  virtual AsyncResult<std::vector<policy::Deployment>> list_unfinished_deployments() = 0;
  // Records progress (status, reason, counts, failed instances, started_at, ended_at) only while the stored
  // deployment is at d.revision (required; conflict otherwise). A final status (completed, failed, rolled_back)
  // also finishes it in the same write: the environment's active_deployment_id is cleared (if it still points
  // here) and its task_definition set to the deployment's (completed) or the previous one (rolled_back); a final
  // status needs d.ended_at. Returns the deployment as stored.
  virtual AsyncResult<policy::Deployment> update_deployment(policy::Deployment d) = 0;

  // --- Replica services (versions and rules: policy/service_state.hpp) ---------------------------------------
  // A new service (revision 0) at version 1, `first` its active deployment (already_exists if taken).
  virtual AsyncResult<ServiceWrite> create_service(policy::Service service, policy::Deployment first) = 0;
  virtual AsyncResult<policy::Service> get_service(std::string name) = 0;
  // Sorted by name; all clusters when `cluster` is empty.
  virtual AsyncResult<std::vector<policy::Service>> list_services(std::string cluster) = 0;
  // Only at service.revision. A spec change other than desiredCount is a new version with `next` as its
  // deployment (superseding an unfinished one); a desiredCount change is not.
  virtual AsyncResult<ServiceWrite> update_service(policy::Service service, policy::Deployment next) = 0;
  // With its versions and deployments, only at `expected_revision`; returns it as it was.
  virtual AsyncResult<policy::Service> delete_service(std::string name, std::int64_t expected_revision) = 0;
  // Oldest first.
  virtual AsyncResult<std::vector<policy::ServiceVersion>> list_service_versions(std::string service) = 0;
  virtual AsyncResult<policy::Deployment> get_service_deployment(std::string id) = 0;
  // Newest first; limit 0 = all.
  virtual AsyncResult<std::vector<policy::Deployment>> list_service_deployments(std::string service,
                                                                                std::size_t limit) = 0;
  // Progress at d.revision; a final status ends the service's rollout in the same write (completed: its version
  // becomes stable; rolled_back: the service returns to the last stable version).
  virtual AsyncResult<policy::Deployment> update_service_deployment(policy::Deployment d) = 0;

  // --- Scheduled jobs (policy/job.hpp) -----------------------------------------------------------------------
  // job.revision must be 0 (already_exists if the id is taken).
  virtual AsyncResult<policy::Job> create_job(policy::Job job) = 0;
  virtual AsyncResult<policy::Job> get_job(std::string id) = 0;
  // Sorted by id; all clusters when `cluster` is empty.
  virtual AsyncResult<std::vector<policy::Job>> list_jobs(std::string cluster) = 0;
  // Spec, cursor and counters, only at job.revision.
  virtual AsyncResult<policy::Job> update_job(policy::Job job) = 0;
  // With all its runs, only at `expected_revision`; returns it as it was.
  virtual AsyncResult<policy::Job> delete_job(std::string id, std::int64_t expected_revision) = 0;
  // The exactly-once write: inserts `run` (revision 0; already_exists if (job, id) is taken) and writes `job`
  // (its cursor advanced past the run's slot) in one transaction, only while the job is at job.revision.
  virtual AsyncResult<StartedRun> start_run(policy::Job job, policy::JobRun run) = 0;
  // Only at run.revision. A final status also deletes the job's oldest finished runs beyond its historyLimit
  // (succeeded and skipped runs count as successful, failed as failed), in the same write.
  virtual AsyncResult<policy::JobRun> update_run(policy::JobRun run) = 0;
  virtual AsyncResult<policy::JobRun> get_run(std::string job, std::string id) = 0;
  // Newest first (by created_at, then id); limit 0 = all.
  virtual AsyncResult<std::vector<policy::JobRun>> list_runs(std::string job, std::size_t limit) = 0;
  // Runs not final (requested, launching, running), oldest first; of every job when `job` is empty.
  virtual AsyncResult<std::vector<policy::JobRun>> list_unfinished_runs(std::string job) = 0;

  // --- Reactor records ----------------------------------------------------------------------------------------
  // expected_revision 0: create only (already_exists if present); > 0: only at that revision. Returns the new one.
  virtual AsyncResult<std::int64_t> put_record(std::string ns, std::string key, std::string value,
                                               std::int64_t expected_revision) = 0;
  // Sorted by key.
  virtual AsyncResult<std::vector<KvRecord>> list_records(std::string ns) = 0;
  // Deletes only at `expected_revision`; false if the record was already gone.
  virtual AsyncResult<bool> delete_record(std::string ns, std::string key, std::int64_t expected_revision) = 0;

  // --- Change feed --------------------------------------------------------------------------------------------
  // The newest store-wide revision: list, then watch from here, and nothing is missed.
  virtual AsyncResult<std::int64_t> revision() = 0;
  // The changes after `after`, oldest first; waits up to `timeout` for one (then an empty batch at `after`).
  // Changes made by other processes sharing the store are seen too.
  virtual AsyncResult<ChangeBatch> watch(std::int64_t after, std::chrono::milliseconds timeout) = 0;
};

}  // namespace berth::store
