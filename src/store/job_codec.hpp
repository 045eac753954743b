// File: src/store/job_codec.hpp — how a job's spec and a run's batches and tasks are written as JSON text in the
// jobs and job_runs tables.
//
// The spec uses ECS Scheduler's names where it has the field (taskDefinition, schedule, scheduleStart,
// scheduleEnd, timezone, taskCount, maxCount, trigger, suspended, overrides) and camelCase for berth's own
// (concurrencyPolicy, startingDeadlineSeconds, retries, historyLimit). id and cluster are columns of their own.
// Instants: SysSeconds as epoch seconds, SystemTime as system_clock ticks (exact round trip, as store_codec).
// Decoding reads a field only when present, so rows written before a field existed still decode.
#pragma once

#include "policy/job.hpp"
#include "store/store_error.hpp"

#include <boost/json/object.hpp>

#include <string>
#include <vector>

namespace berth::store::codec {

boost::json::object job_spec_to_json(const policy::JobSpec& spec);
std::string encode_job_spec(const policy::JobSpec& spec);
StoreResult<policy::JobSpec> decode_job_spec(const std::string& text);

std::string encode_run_batches(const std::vector<policy::RunBatch>& batches);
StoreResult<std::vector<policy::RunBatch>> decode_run_batches(const std::string& text);

std::string encode_run_tasks(const std::vector<policy::JobRunTask>& tasks);
StoreResult<std::vector<policy::JobRunTask>> decode_run_tasks(const std::string& text);

}  // namespace berth::store::codec
