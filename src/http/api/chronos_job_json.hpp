// File: src/http/api/chronos_job_json.hpp — Chronos's job JSON (mesos/chronos docs/docs/api.md, JobSerializer)
// translated onto berth jobs and back.
//
// In: a Chronos job hash becomes a /v1 job body, which berth's own parser (parse_job_body) then validates, so the
// two fronts cannot disagree on what a job is:
//   name -> id          command -> taskDefinition ("family:revision", the ECS scheduler driver's convention)
//   schedule -> schedule (must be "R[n]/start/period"; a start over a year in the past is refused, as Chronos)
//   scheduleTimeZone -> timezone   epsilon (ISO-8601 duration, default PT60S) -> startingDeadlineSeconds
//   disabled -> suspended          retries (default 2) -> retries.limit
//   concurrent (default false) -> concurrencyPolicy Forbid (false) | Allow (true)
//   cluster (berth's addition) -> cluster
// Kept verbatim and answered back, without a berth meaning (ECS reserves what the task definition says):
// description, owner, ownerName, cpus, mem, disk, shell, async, executor, executorFlags, taskInfoData,
// softError, highPriority, runAsUser, dataProcessingJobType. Read-only fields of a GET answer (successCount,
// errorCount, lastSuccess, lastError, errorsSinceLastSuccess) are accepted and ignored. Refused when not empty,
// because berth cannot honour them: parents (dependent jobs), container, arguments, uris, fetch,
// environmentVariables, constraints. Any other field is refused, named.
//
// Out: the job as Chronos's JobSerializer writes it, with successCount/errorCount/lastSuccess/lastError/
// errorsSinceLastSuccess counted over the runs berth keeps (historyLimit), times in UTC as Joda writes them.
#pragma once

#include "http/api/api_job_json.hpp"
#include "policy/job.hpp"

#include <boost/json.hpp>

#include <string>
#include <vector>

namespace berth::http::api {

struct ChronosJobBody {
  boost::json::object v1_body;       // for parse_job_body
  std::string front_fields;          // JobSpec::front_fields: the verbatim fields, as JSON text
  std::vector<JobFieldError> errors;  // named by Chronos's fields; empty: v1_body is complete
};

// Translates a Chronos job hash; `now` bounds the start of the schedule (not more than a year ago).
ChronosJobBody chronos_to_v1_body(const boost::json::object& chronos, policy::SystemTime now);

// A parse_job_body error renamed to the Chronos field it came from (taskDefinition -> command, ...).
JobFieldError to_chronos_field(JobFieldError error);

// The job as GET /scheduler/jobs lists it; `runs` newest first (those berth keeps).
boost::json::object job_to_chronos(const policy::Job& job, const std::vector<policy::JobRun>& runs);

}  // namespace berth::http::api
