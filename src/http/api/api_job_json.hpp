// File: src/http/api/api_job_json.hpp — JSON shapes of scheduled jobs, shared by ECS Scheduler's /jobs and berth's
// /v1/jobs: strict parsing of a job body into policy::JobSpec (every bad field listed, named), and encoding a Job
// with its newest run. Field names are ECS Scheduler's (camelCase) plus berth's additions.
//
// Times read: ISO-8601 ("2026-12-03T10:00:00", optional fraction, "Z" or "+hh:mm"/"+hhmm"; no offset means UTC,
// as ECS Scheduler), kept to the second. Times written: ISO-8601 in the job's zone WITH its UTC offset
// ("2026-12-03T10:00:00-05:00"), with a microsecond fraction only when there is one (Python's isoformat()).
#pragma once

#include "http/api/api_json.hpp"
#include "policy/job.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::http::api {

// One bad field. `path` is the field's place in the body ({"trigger","queueName"}, {"overrides","0",
// "containerName"}); the ECS Scheduler front nests its "messages" by it, /v1 prints it dotted.
struct JobFieldError {
  std::vector<std::string> path;
  std::string code;  // missing_field | unknown_field | invalid_field (berth's codes)
  std::string why;
  std::string dotted() const;  // "overrides[0].containerName"
};

enum class JobBodyMode {
  create,   // every field from the body or its default; taskDefinition and schedule required
  replace,  // the same, for PUT /v1/jobs/{id}: the whole spec, its id fixed by the path
  merge,    // PUT /jobs/{id} (ECS Scheduler): fields present replace the current ones, the rest stay
};

struct JobBodyContext {
  JobBodyMode mode = JobBodyMode::create;
  const policy::JobSpec* base = nullptr;  // replace/merge: the stored spec (its id and cluster)
  std::vector<std::string> clusters;      // what berth watches: the default cluster when there is one
  std::uint64_t seed = 0;                 // draws "?" in an ECS Scheduler schedule (random per job)
  bool accept_revision = false;           // /v1 PUT: "revision" is the compare-and-set token
  bool ignore_read_only = false;          // /jobs: a GET answer PUT back keeps working (link, lastRun, ...)
};

struct ParsedJob {
  policy::JobSpec spec;
  std::optional<std::int64_t> revision;
  std::vector<JobFieldError> errors;  // empty: spec is valid
};

// Validates the whole body before anything is used: every error is collected, none short-circuits another field.
ParsedJob parse_job_body(const boost::json::object& body, const JobBodyContext& ctx);

// The job as both APIs answer it: the spec, then lastRun/lastRunTasks from `newest` (the newest run, if any) and
// estimatedNextRun (null when suspended, past scheduleEnd or when the schedule has no further slot). Optional
// fields that are unset are left out, as ECS Scheduler's serializer does.
boost::json::object job_to_json(const policy::Job& job, const std::optional<policy::JobRun>& newest,
                                policy::SystemTime now);

// A run as /v1 answers it; times in `zone` (the job's).
boost::json::object run_to_json(const policy::JobRun& run, std::string_view zone);

// When the job fires next, as berth's controller would: after max(now, handled_through) (and not before
// scheduleStart), rate() anchored at scheduleStart else the creation; nullopt when suspended or past scheduleEnd.
std::optional<policy::SysSeconds> estimated_next_run(const policy::Job& job, policy::SystemTime now);

// ISO-8601 with the zone's UTC offset at `t`; falls back to UTC for an unknown zone.
std::string format_zoned_time(policy::SystemTime t, std::string_view zone);
// ISO-8601 in, nullopt when malformed. No offset means UTC.
std::optional<policy::SysSeconds> parse_iso8601(std::string_view s);

// The family of a task definition: "web" for "web", "web:3" and "arn:aws:ecs:...:task-definition/web:3".
std::string task_definition_family(std::string_view task_definition);

}  // namespace berth::http::api
