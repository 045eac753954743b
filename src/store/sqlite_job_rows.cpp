// File: src/store/sqlite_job_rows.cpp — SqliteStore rows of scheduled jobs and their runs: compare-and-set on
// every write, the exactly-once start_run (run and cursor in one transaction) and history pruning when a run ends.
#include "store/job_codec.hpp"
#include "store/sqlite_rows.hpp"

#include <algorithm>
#include <utility>

namespace berth::store {
namespace {

using namespace rows;
using policy::Job;
using policy::JobRun;

constexpr const char* job_columns =
    "id, cluster, spec, handled_through, missed_slots, revision, created_at, updated_at";
constexpr const char* run_columns =
    "job, id, slot, status, expected, attempt, missed_before, batches, tasks, retry_at, message, created_at, "
    "ended_at, revision";
// The statuses policy::is_final calls unfinished, as stored (policy::to_string).
constexpr const char* unfinished_statuses = "('requested', 'launching', 'running')";

std::int64_t encode_seconds(policy::SysSeconds t) {
  return t.time_since_epoch().count();
}
policy::SysSeconds decode_seconds(std::int64_t v) {
  return policy::SysSeconds(std::chrono::seconds(v));
}
std::optional<std::int64_t> encode_seconds(const std::optional<policy::SysSeconds>& t) {
  if (!t) return std::nullopt;
  return encode_seconds(*t);
}

StoreResult<Job> read_job(sqlite::Statement& s) {
  Job j;
  auto spec = codec::decode_job_spec(s.column_text(2));
  if (!spec) return spec.error();
  j.spec = std::move(*spec);
  j.spec.id = s.column_text(0);
  j.spec.cluster = s.column_text(1);
  j.handled_through = decode_seconds(s.column_int(3));
  j.missed_slots = s.column_int(4);
  j.revision = s.column_int(5);
  j.created_at = codec::decode_time(s.column_int(6));
  j.updated_at = codec::decode_time(s.column_int(7));
  return j;
}

StoreResult<JobRun> read_run(sqlite::Statement& s) {
  JobRun r;
  r.job = s.column_text(0);
  r.id = s.column_text(1);
  if (auto slot = s.column_optional_int(2)) r.slot = decode_seconds(*slot);
  auto status = policy::run_status_from_string(s.column_text(3));
  if (!status) return StoreError{StoreErrc::corrupt, "bad stored run status"};
  r.status = *status;
  r.expected = static_cast<int>(s.column_int(4));
  r.attempt = static_cast<int>(s.column_int(5));
  r.missed_before = s.column_int(6);
  auto batches = codec::decode_run_batches(s.column_text(7));
  if (!batches) return batches.error();
  r.batches = std::move(*batches);
  auto tasks = codec::decode_run_tasks(s.column_text(8));
  if (!tasks) return tasks.error();
  r.tasks = std::move(*tasks);
  r.retry_at = codec::decode_time(s.column_optional_int(9));
  r.message = s.column_text(10);
  r.created_at = codec::decode_time(s.column_int(11));
  r.ended_at = codec::decode_time(s.column_optional_int(12));
  r.revision = s.column_int(13);
  return r;
}

std::string select_runs(std::string_view where) {
  return std::string("SELECT ") + run_columns + " FROM job_runs WHERE " + std::string(where);
}

std::string run_name(std::string_view job, std::string_view id) {
  return "run '" + std::string(job) + "/" + std::string(id) + "'";
}

}  // namespace

// ---- rows ----------------------------------------------------------------------------------------------------

StoreResult<std::optional<Job>> SqliteStore::load_job(std::string_view id) {
  return select_one(stmt(std::string("SELECT ") + job_columns + " FROM jobs WHERE id = ?1"), read_job, id);
}

StoreResult<void> SqliteStore::write_job_row(const Job& job, bool insert) {
  auto st = stmt(insert ? std::string("INSERT INTO jobs (") + job_columns + ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                        : std::string("UPDATE jobs SET cluster = ?2, spec = ?3, handled_through = ?4, "
                                      "missed_slots = ?5, revision = ?6, created_at = ?7, updated_at = ?8 "
                                      "WHERE id = ?1"));
  return execute(std::move(st), job.spec.id, job.spec.cluster, codec::encode_job_spec(job.spec),
                 encode_seconds(job.handled_through), job.missed_slots, job.revision,
                 codec::encode_time(job.created_at), codec::encode_time(job.updated_at));
}

StoreResult<std::optional<JobRun>> SqliteStore::load_run(std::string_view job, std::string_view id) {
  return select_one(stmt(select_runs("job = ?1 AND id = ?2")), read_run, job, id);
}

StoreResult<void> SqliteStore::write_run_row(const JobRun& run, bool insert) {
  auto st = stmt(insert ? std::string("INSERT INTO job_runs (") + run_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
                        : std::string("UPDATE job_runs SET slot = ?3, status = ?4, expected = ?5, attempt = ?6, "
                                      "missed_before = ?7, batches = ?8, tasks = ?9, retry_at = ?10, message = ?11, "
                                      "created_at = ?12, ended_at = ?13, revision = ?14 WHERE job = ?1 AND id = ?2"));
  return execute(std::move(st), run.job, run.id, encode_seconds(run.slot),
                 std::string_view(policy::to_string(run.status)), std::int64_t{run.expected}, std::int64_t{run.attempt},
                 run.missed_before, codec::encode_run_batches(run.batches), codec::encode_run_tasks(run.tasks),
                 codec::encode_time(run.retry_at), run.message, codec::encode_time(run.created_at),
                 codec::encode_time(run.ended_at), run.revision);
}

// Keeps the newest `successful` succeeded/skipped and the newest `failed` failed runs; unfinished runs stay.
StoreResult<void> SqliteStore::prune_runs(const Job& job) {
  constexpr const char* prune =
      "DELETE FROM job_runs WHERE job = ?1 AND id IN (SELECT id FROM job_runs WHERE job = ?1 AND status IN %s "
      "ORDER BY created_at DESC, id DESC LIMIT -1 OFFSET ?2)";
  const auto sql = [&](std::string_view statuses) {
    std::string out(prune);
    out.replace(out.find("%s"), 2, statuses);
    return out;
  };
  const std::int64_t keep_successful = std::max(0, job.spec.history_limit.successful);
  const std::int64_t keep_failed = std::max(0, job.spec.history_limit.failed);
  if (auto r = execute(stmt(sql("('succeeded', 'skipped')")), job.spec.id, keep_successful); !r) return r;
  return execute(stmt(sql("('failed')")), job.spec.id, keep_failed);
}

// ---- jobs ----------------------------------------------------------------------------------------------------

StoreResult<Job> SqliteStore::create_job(const Job& job) {
  if (job.spec.id.empty()) return StoreError{StoreErrc::invalid_argument, "job id is empty"};
  if (job.revision != 0) return StoreError{StoreErrc::invalid_argument, "a new job has revision 0"};
  return in_transaction<Job>([&]() -> StoreResult<Job> {
    auto existing = load_job(job.spec.id);
    if (!existing) return existing.error();
    if (*existing) return StoreError{StoreErrc::already_exists, "job '" + job.spec.id + "' exists"};
    Job out = job;
    out.revision = 1;
    if (auto r = write_job_row(out, true); !r) return r.error();
    return out;
  });
}

StoreResult<Job> SqliteStore::get_job(std::string_view id) {
  auto j = load_job(id);
  if (!j) return j.error();
  if (!*j) return not_found("job '" + std::string(id) + "' not found");
  return std::move(**j);
}

StoreResult<std::vector<Job>> SqliteStore::list_jobs(std::string_view cluster) {
  return select_all(
      stmt(std::string("SELECT ") + job_columns + " FROM jobs WHERE (?1 = '' OR cluster = ?1) ORDER BY id"), read_job,
      cluster);
}

StoreResult<Job> SqliteStore::update_job(const Job& job) {
  return in_transaction<Job>([&]() -> StoreResult<Job> {
    auto stored = get_job(job.spec.id);
    if (!stored) return stored.error();
    if (stored->revision != job.revision) return conflict("job '" + job.spec.id + "'", stored->revision, job.revision);
    Job out = job;
    out.revision = stored->revision + 1;
    out.created_at = stored->created_at;
    if (auto r = write_job_row(out, false); !r) return r.error();
    return out;
  });
}

StoreResult<Job> SqliteStore::delete_job(std::string_view id, std::int64_t expected_revision) {
  return in_transaction<Job>([&]() -> StoreResult<Job> {
    auto j = get_job(id);
    if (!j) return j.error();
    if (j->revision != expected_revision)
      return conflict("job '" + std::string(id) + "'", j->revision, expected_revision);
    // Runs first, explicitly, so the change log names each deleted run before the job (the ON DELETE CASCADE of
    // the schema would delete them too, for a writer that forgets).
    if (auto r = execute(stmt("DELETE FROM job_runs WHERE job = ?1"), id); !r) return r.error();
    if (auto r = execute(stmt("DELETE FROM jobs WHERE id = ?1"), id); !r) return r.error();
    return j;
  });
}

// ---- runs ----------------------------------------------------------------------------------------------------

StoreResult<StartedRun> SqliteStore::start_run(const Job& job, const JobRun& run) {
  if (run.id.empty()) return StoreError{StoreErrc::invalid_argument, "run id is empty"};
  if (run.job != job.spec.id) {
    return StoreError{StoreErrc::invalid_argument, run_name(run.job, run.id) + " belongs to another job"};
  }
  if (run.revision != 0) return StoreError{StoreErrc::invalid_argument, "a new run has revision 0"};
  return in_transaction<StartedRun>([&]() -> StoreResult<StartedRun> {
    // The job's revision first: a stale caller has planned from an old cursor, whatever its run id.
    auto stored = get_job(job.spec.id);
    if (!stored) return stored.error();
    if (stored->revision != job.revision) return conflict("job '" + job.spec.id + "'", stored->revision, job.revision);
    auto existing = load_run(run.job, run.id);
    if (!existing) return existing.error();
    if (*existing) return StoreError{StoreErrc::already_exists, run_name(run.job, run.id) + " exists"};
    StartedRun out{job, run};
    out.run.revision = 1;
    if (auto r = write_run_row(out.run, true); !r) return r.error();
    out.job.revision = stored->revision + 1;
    out.job.created_at = stored->created_at;
    if (auto r = write_job_row(out.job, false); !r) return r.error();
    if (policy::is_final(out.run.status)) {
      if (auto r = prune_runs(out.job); !r) return r.error();
    }
    return out;
  });
}

StoreResult<JobRun> SqliteStore::update_run(const JobRun& run) {
  return in_transaction<JobRun>([&]() -> StoreResult<JobRun> {
    auto stored = load_run(run.job, run.id);
    if (!stored) return stored.error();
    if (!*stored) return not_found(run_name(run.job, run.id) + " not found");
    const std::int64_t revision = (*stored)->revision;
    if (revision != run.revision) return conflict(run_name(run.job, run.id), revision, run.revision);
    JobRun out = run;
    out.slot = (*stored)->slot;
    out.created_at = (*stored)->created_at;
    out.revision = revision + 1;
    if (auto r = write_run_row(out, false); !r) return r.error();
    if (policy::is_final(out.status)) {
      auto job = get_job(out.job);
      if (!job) return job.error();
      if (auto r = prune_runs(*job); !r) return r.error();
    }
    return out;
  });
}

StoreResult<JobRun> SqliteStore::get_run(std::string_view job, std::string_view id) {
  auto r = load_run(job, id);
  if (!r) return r.error();
  if (!*r) return not_found(run_name(job, id) + " not found");
  return std::move(**r);
}

StoreResult<std::vector<JobRun>> SqliteStore::list_runs(std::string_view job, std::size_t limit) {
  return select_all(stmt(select_runs("job = ?1 ORDER BY created_at DESC, id DESC LIMIT ?2")), read_run, job,
                    limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
}

StoreResult<std::vector<JobRun>> SqliteStore::list_unfinished_runs(std::string_view job) {
  return select_all(stmt(select_runs(std::string("(?1 = '' OR job = ?1) AND status IN ") + unfinished_statuses +
                                     " ORDER BY created_at, job, id")),
                    read_run, job);
}

}  // namespace berth::store
