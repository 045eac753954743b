// File: src/http/api/api_job_store.cpp — job records, the resume rule and compare-and-set writes for both job APIs.
#include "http/api/api_job_store.hpp"

#include "http/api/api_json_fields.hpp"

#include <random>

namespace berth::http::api {
namespace asio = boost::asio;
using store::StoreErrc;

std::uint64_t random_schedule_seed() {
  static thread_local std::mt19937_64 rng{std::random_device{}() ^ (std::uint64_t{std::random_device{}()} << 32)};
  return rng();
}

policy::Job new_job(policy::JobSpec spec, policy::SystemTime now) {
  policy::Job job;
  job.spec = std::move(spec);
  job.handled_through = std::chrono::floor<std::chrono::seconds>(now);
  job.created_at = job.updated_at = now;
  return job;
}

void apply_job_spec(policy::Job& job, policy::JobSpec next, policy::SystemTime now) {
  const bool resumed = job.spec.suspended && !next.suspended;
  // Another front's fields survive a write through a front that does not know them (a /v1 PUT of a Chronos job).
  if (next.front_fields.empty()) next.front_fields = std::move(job.spec.front_fields);
  job.spec = std::move(next);
  if (resumed) job.handled_through = std::max(job.handled_through, std::chrono::floor<std::chrono::seconds>(now));
}

asio::awaitable<JobWrite> write_job(store::DesiredStateStore& store, std::string id, JobChange change, bool retry,
                                    policy::SystemTime now) {
  JobWrite out{std::nullopt, store::StoreError{StoreErrc::conflict, "not attempted"}};
  for (int attempt = 0; attempt < fields::max_conflict_retries && !out.written &&
                        out.written.error().code == StoreErrc::conflict;
       ++attempt) {
    auto current = co_await store.get_job(id);
    if (!current) {
      out.written = current.error();
      co_return out;
    }
    policy::Job next = *current;
    if (auto refused = change(next)) {
      out.refused = std::move(refused);
      co_return out;
    }
    if (next == *current) {  // an idempotent write: no new revision
      out.written = std::move(next);
      co_return out;
    }
    next.updated_at = now;
    out.written = co_await store.update_job(std::move(next));
    if (!retry) break;
  }
  co_return out;
}

asio::awaitable<store::StoreResult<store::StartedRun>> request_manual_run(store::DesiredStateStore& store,
                                                                         std::string id, policy::SystemTime now) {
  policy::JobRun run;
  run.job = id;
  run.id = "manual-" + std::to_string(
                           std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count());
  run.status = policy::RunStatus::requested;
  run.created_at = now;
  // The job itself is written unchanged (its cursor is for slots); only the compare-and-set needs its revision.
  store::StoreResult<store::StartedRun> started = store::StoreError{StoreErrc::conflict, "not attempted"};
  for (int attempt = 0; attempt < fields::max_conflict_retries && !started &&
                        started.error().code == StoreErrc::conflict;
       ++attempt) {
    auto job = co_await store.get_job(id);
    if (!job) co_return job.error();
    started = co_await store.start_run(*job, run);
  }
  co_return started;
}

asio::awaitable<store::StoreResult<policy::Job>> delete_job_retrying(store::DesiredStateStore& store, std::string id) {
  store::StoreResult<policy::Job> deleted = store::StoreError{StoreErrc::conflict, "not attempted"};
  for (int attempt = 0; attempt < fields::max_conflict_retries && !deleted &&
                        deleted.error().code == StoreErrc::conflict;
       ++attempt) {
    auto current = co_await store.get_job(id);
    if (!current) co_return current.error();
    deleted = co_await store.delete_job(id, current->revision);
  }
  co_return deleted;
}

asio::awaitable<store::StoreResult<std::optional<policy::JobRun>>> newest_run(store::DesiredStateStore& store,
                                                                               std::string id) {
  auto runs = co_await store.list_runs(std::move(id), 1);
  if (!runs) co_return runs.error();
  if (runs->empty()) co_return std::optional<policy::JobRun>();
  co_return std::optional<policy::JobRun>(std::move(runs->front()));
}

}  // namespace berth::http::api
