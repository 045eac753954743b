// File: src/http/api/api_job_store.hpp — the store side of the job APIs, shared by ECS Scheduler's /jobs and
// berth's /v1/jobs: a new job's cursor, the resume rule, compare-and-set writes, the newest run.
//
// The cursor (Job::handled_through) is the controller's promise that every slot up to it is handled. The API
// sets it in two places only: a new job starts at its creation (no slot before it runs), and a job that goes from
// suspended to not suspended (POST .../resume, or a PUT with "suspended": false) starts at that moment, so the
// slots it was suspended through never run. Changing the schedule or the zone keeps it.
#pragma once

#include "http/api/api_types.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace berth::http::api {

// Draws the "?" of an ECS Scheduler schedule (JobBodyContext::seed): random per job, as ECS Scheduler does.
std::uint64_t random_schedule_seed();

// A job record for a validated spec, created `now` (revision 0, cursor at `now` in whole seconds).
policy::Job new_job(policy::JobSpec spec, policy::SystemTime now);

// `next` replaces job.spec; a suspended job resumed moves its cursor to `now`.
void apply_job_spec(policy::Job& job, policy::JobSpec next, policy::SystemTime now);

// Edits the job as read from the store; a returned response refuses the write and is answered as it is.
using JobChange = std::function<std::optional<ApiResponse>(policy::Job&)>;

struct JobWrite {
  std::optional<ApiResponse> refused;        // the change refused (nothing written)
  store::StoreResult<policy::Job> written;   // the job as stored (unchanged and not rewritten if equal)
};

// Read, change, compare-and-set. With `retry` a lost race with the controller (which advances the cursor) is
// retried on a fresh read (bounded); without it (the client named a revision) the conflict is the answer.
boost::asio::awaitable<JobWrite> write_job(store::DesiredStateStore& store, std::string id, JobChange change,
                                           bool retry, policy::SystemTime now);

// "Run now": records a requested run "manual-<epoch ms>" (the controller sizes and launches it), retrying a lost
// compare-and-set with the controller. already_exists when a run of that id exists (two in one millisecond).
boost::asio::awaitable<store::StoreResult<store::StartedRun>> request_manual_run(store::DesiredStateStore& store,
                                                                                 std::string id,
                                                                                 policy::SystemTime now);

// Deletes the job at its current revision (re-read and retried when the controller wrote in between).
boost::asio::awaitable<store::StoreResult<policy::Job>> delete_job_retrying(store::DesiredStateStore& store,
                                                                           std::string id);

// The job's newest run, if it has one.
boost::asio::awaitable<store::StoreResult<std::optional<policy::JobRun>>> newest_run(store::DesiredStateStore& store,
                                                                                      std::string id);

}  // namespace berth::http::api
