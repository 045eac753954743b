// File: src/http/api/api_v1_jobs.cpp — the /v1/jobs routes of ApiV1: scheduled jobs with /v1's conventions (create
// 200 + Location, {"items", "nextToken"?} lists, compare-and-set PUT with an optional "revision"), plus "run now",
// run history, suspend and resume. The API only writes the store; the job controller follows its change feed
// and fires.
#include "http/api/api_job_json.hpp"
#include "http/api/api_job_store.hpp"
#include "http/api/api_json_fields.hpp"
#include "http/api/api_v1.hpp"

#include <limits>

namespace berth::http::api {
namespace asio = boost::asio;
namespace json = boost::json;
using namespace fields;
using store::StoreErrc;

namespace {

constexpr std::size_t max_jobs_listed = 100;
constexpr std::size_t max_runs_listed = 100;

// berth's error shape for a body with bad fields: the first one's code; the message lists them all.
ApiResponse job_fields_error(const std::vector<JobFieldError>& errors) {
  std::string message;
  for (const auto& e : errors) message += (message.empty() ? "" : "; ") + e.dotted() + ": " + e.why;
  return error_response(ApiError{400, errors.front().code, message});
}

}  // namespace

asio::awaitable<ApiResponse> ApiV1::job_answer(int status, const policy::Job& job) {
  auto newest = co_await newest_run(store_, job.spec.id);
  if (!newest) co_return store_error(newest.error(), "list_runs");
  auto o = job_to_json(job, *newest, clock_());
  o["revision"] = job.revision;
  o["missedSlots"] = job.missed_slots;
  o["createdAt"] = format_zoned_time(job.created_at, job.spec.timezone);
  o["updatedAt"] = format_zoned_time(job.updated_at, job.spec.timezone);
  co_return json_response(status, std::move(o));
}

asio::awaitable<ApiResponse> ApiV1::create_job(const ApiRequest& req, const Params&) {
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  JobBodyContext ctx;
  ctx.mode = JobBodyMode::create;
  ctx.clusters = clusters_.clusters();
  ctx.seed = random_schedule_seed();
  auto parsed = parse_job_body(*body, ctx);
  if (!parsed.errors.empty()) co_return job_fields_error(parsed.errors);
  const std::string id = parsed.spec.id;
  auto created = co_await store_.create_job(new_job(std::move(parsed.spec), clock_()));
  if (!created) co_return store_error(created.error(), "create_job");
  auto answer = co_await job_answer(200, *created);
  answer.headers.emplace_back("Location", "/v1/jobs/" + id);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::list_jobs(const ApiRequest& req, const Params&) {
  const std::string cluster = query_param(req, "cluster").value_or("");
  if (req.query.count("cluster") && !valid_cluster_name(cluster)) {
    co_return error_response(invalid_field("cluster", "1-255 letters, digits, '-' or '_'"));
  }
  auto limit = parse_limit(req, max_jobs_listed);
  if (!limit) co_return error_response(limit.error());
  // nextToken is the id of the last job of the previous page (ids are unique and listed in order).
  const std::string after = query_param(req, "nextToken").value_or("");
  auto all = co_await store_.list_jobs(cluster);
  if (!all) co_return store_error(all.error(), "list_jobs");
  json::array items;
  std::string last;
  bool more = false;
  for (const auto& job : *all) {
    if (!after.empty() && job.spec.id <= after) continue;
    if (items.size() == *limit) {
      more = true;
      break;
    }
    auto one = co_await job_answer(200, job);
    if (one.status != 200) co_return one;
    items.push_back(std::move(one.body));
    last = job.spec.id;
  }
  json::object out{{"items", std::move(items)}};
  if (more) out["nextToken"] = last;
  co_return json_response(200, std::move(out));
}

asio::awaitable<ApiResponse> ApiV1::get_job(const ApiRequest&, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return bad_path_name("job", id);
  auto job = co_await store_.get_job(id);
  if (!job) co_return store_error(job.error(), "get_job");
  auto answer = co_await job_answer(200, *job);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::update_job(const ApiRequest& req, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return bad_path_name("job", id);
  auto body = parse_object_body(req.body, options_.max_body_bytes);
  if (!body) co_return error_response(body.error());
  const auto watched = clusters_.clusters();
  const auto now = clock_();
  // The client's revision decides when it names one; the body is validated against the job as read.
  std::optional<std::int64_t> expected;
  if (const auto* r = body->if_contains("revision")) {
    auto rev = integer_in(*r, "revision", 1, std::numeric_limits<std::int64_t>::max());
    if (!rev) co_return error_response(rev.error());
    expected = *rev;
  }
  auto write = co_await write_job(
      store_, id,
      [&](policy::Job& job) -> std::optional<ApiResponse> {
        if (expected && *expected != job.revision) {
          return error_response(ApiError{409, "conflict", "job '" + id + "' is at revision " +
                                                              std::to_string(job.revision) + ", not " +
                                                              std::to_string(*expected)});
        }
        JobBodyContext ctx;
        ctx.mode = JobBodyMode::replace;
        ctx.base = &job.spec;
        ctx.clusters = watched;
        ctx.seed = random_schedule_seed();
        ctx.accept_revision = true;
        auto parsed = parse_job_body(*body, ctx);
        if (!parsed.errors.empty()) return job_fields_error(parsed.errors);
        apply_job_spec(job, std::move(parsed.spec), now);
        return std::nullopt;
      },
      !expected, now);
  if (write.refused) co_return std::move(*write.refused);
  if (!write.written) co_return store_error(write.written.error(), "update_job");
  auto answer = co_await job_answer(200, *write.written);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::delete_job(const ApiRequest&, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return bad_path_name("job", id);
  auto deleted = co_await delete_job_retrying(store_, id);
  if (!deleted) co_return store_error(deleted.error(), "delete_job");
  auto o = job_to_json(*deleted, std::nullopt, clock_());
  o["revision"] = deleted->revision;
  co_return json_response(200, std::move(o));
}

asio::awaitable<ApiResponse> ApiV1::run_job(const ApiRequest&, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return bad_path_name("job", id);
  auto started = co_await request_manual_run(store_, id, clock_());
  if (!started) {
    if (started.error().code == StoreErrc::already_exists)
      co_return error_response(
          ApiError{409, "already_exists", "a run of job '" + id + "' was requested in the same millisecond"});
    co_return store_error(started.error(), "start_run");
  }
  auto resp = json_response(202, run_to_json(started->run, started->job.spec.timezone));
  resp.headers.emplace_back("Location", "/v1/jobs/" + id + "/runs");
  co_return resp;
}

asio::awaitable<ApiResponse> ApiV1::list_job_runs(const ApiRequest& req, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return bad_path_name("job", id);
  auto limit = parse_limit(req, max_runs_listed);
  if (!limit) co_return error_response(limit.error());
  auto job = co_await store_.get_job(id);
  if (!job) co_return store_error(job.error(), "get_job");
  auto runs = co_await store_.list_runs(id, *limit);
  if (!runs) co_return store_error(runs.error(), "list_runs");
  json::array items;
  for (const auto& r : *runs) items.push_back(run_to_json(r, job->spec.timezone));
  co_return json_response(200, json::object{{"items", std::move(items)}});
}

asio::awaitable<ApiResponse> ApiV1::suspend_job(const ApiRequest&, const Params& p) {
  auto answer = co_await set_job_suspended(p.at("id"), true);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::resume_job(const ApiRequest&, const Params& p) {
  auto answer = co_await set_job_suspended(p.at("id"), false);
  co_return answer;
}

asio::awaitable<ApiResponse> ApiV1::set_job_suspended(const std::string& id, bool suspended) {
  if (!valid_environment_name(id)) co_return bad_path_name("job", id);
  const auto now = clock_();
  auto write = co_await write_job(
      store_, id,
      [&](policy::Job& job) -> std::optional<ApiResponse> {
        policy::JobSpec next = job.spec;
        next.suspended = suspended;
        apply_job_spec(job, std::move(next), now);
        return std::nullopt;
      },
      true, now);
  if (!write.written) co_return store_error(write.written.error(), suspended ? "suspend_job" : "resume_job");
  auto answer = co_await job_answer(200, *write.written);
  co_return answer;
}

}  // namespace berth::http::api
