// File: src/http/api/chronos_api.cpp — Chronos's /scheduler routes over berth's job store: its 204s, its ApiResult
// errors, "POST replaces a job of the same name" and "PUT runs it now".
#include "http/api/chronos_api.hpp"

#include "http/api/api_job_json.hpp"
#include "http/api/api_job_store.hpp"
#include "http/api/api_json.hpp"
#include "http/api/chronos_job_json.hpp"
#include "http/api/front_routes.hpp"

#include <spdlog/spdlog.h>

namespace berth::http::api {
namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreErrc;

namespace {

constexpr std::size_t max_runs_counted = 100;  // history berth keeps is bounded by historyLimit (<= 100 each)

ApiResponse no_content() {
  ApiResponse r;
  r.status = 204;
  return r;
}

// Chronos's ApiResult: {"status": reason phrase, "message"}.
ApiResponse api_result(int status, std::string text) {
  const char* reason = status == 400   ? "Bad Request"
                       : status == 413 ? "Request Entity Too Large"
                       : status == 415 ? "Unsupported Media Type"
                       : status == 503 ? "Service Unavailable"
                                       : "Internal Server Error";
  ApiResponse r;
  r.status = status;
  r.body = json::object{{"status", reason}, {"message", std::move(text)}};
  return r;
}

ApiResponse field_errors(const std::vector<JobFieldError>& errors) {
  std::string text;
  for (const auto& e : errors) text += (text.empty() ? "" : "; ") + e.dotted() + ": " + e.why;
  return api_result(400, text);
}

ApiResponse not_found(const std::string& name) { return api_result(400, "Job '" + name + "' not found"); }

ApiResponse store_error(const store::StoreError& e, const std::string& name, std::string_view what) {
  switch (e.code) {
    case StoreErrc::not_found: return not_found(name);
    case StoreErrc::conflict:
    case StoreErrc::already_exists: return api_result(400, "Job '" + name + "' changed while it was written; retry");
    case StoreErrc::busy: {
      auto r = api_result(503, "the state store is busy; retry");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    default: break;
  }
  spdlog::error("chronos_api store_error op={} code={} message={}", what, store::to_string(e.code), e.message);
  return api_result(500, "internal error");
}

bool json_content_type(const ApiRequest& req) { return req.content_type.rfind("application/json", 0) == 0; }

// Chronos names may hold characters berth's job ids do not (spaces, '#'): those are refused, named.
bool valid_name(const std::string& name) { return valid_environment_name(name); }

}  // namespace

ChronosApi::ChronosApi(store::DesiredStateStore& store, const ClusterView& clusters, ApiClock clock,
                       std::size_t max_body_bytes)
    : store_(store), clusters_(clusters), clock_(std::move(clock)), max_body_bytes_(max_body_bytes) {}

const std::vector<ChronosApi::Route>& ChronosApi::routes() {
  static const std::vector<Route> table = {
      {Verb::post, "/scheduler/iso8601", &ChronosApi::post_iso8601},
      {Verb::get, "/scheduler/jobs", &ChronosApi::list},
      {Verb::put, "/scheduler/job/{name}", &ChronosApi::trigger},
      {Verb::delete_, "/scheduler/job/{name}", &ChronosApi::remove},
      {Verb::post, "/v1/scheduler/iso8601", &ChronosApi::post_iso8601},
      {Verb::get, "/v1/scheduler/jobs", &ChronosApi::list},
      {Verb::put, "/v1/scheduler/job/{name}", &ChronosApi::trigger},
      {Verb::delete_, "/v1/scheduler/job/{name}", &ChronosApi::remove},
  };
  return table;
}

asio::awaitable<ApiResponse> ChronosApi::handle(const ApiRequest& request) {
  auto r = co_await handle_by_routes(*this, request);
  co_return r;
}

asio::awaitable<ApiResponse> ChronosApi::run(const Route& route, const ApiRequest& request, const Params& params) {
  try {
    auto r = co_await (this->*route.handler)(request, params);
    co_return r;
  } catch (const std::exception& e) {
    spdlog::error("chronos_api unexpected_exception method={} path={} what={}", request.method, request.path,
                  e.what());
    co_return api_result(500, "internal error");
  }
}

asio::awaitable<ApiResponse> ChronosApi::post_iso8601(const ApiRequest& req, const Params&) {
  if (!json_content_type(req)) co_return api_result(415, "Content-Type: application/json required");
  if (req.body.size() > max_body_bytes_)
    co_return api_result(413, "the request body exceeds " + std::to_string(max_body_bytes_) + " bytes");
  boost::system::error_code ec;
  json::value doc = json::parse(req.body, ec);
  if (ec) co_return api_result(400, "malformed JSON: " + ec.message());
  if (!doc.is_object()) co_return api_result(400, "expected a JSON object (a Chronos job hash)");
  const auto now = clock_();
  auto translated = chronos_to_v1_body(doc.as_object(), now);
  const auto* name_value = translated.v1_body.if_contains("id");
  const std::string name = name_value && name_value->is_string() ? std::string(name_value->as_string()) : "";
  // The body parsed against a job: the stored one (replace) or none (create).
  auto parse = [&](const policy::JobSpec* base) {
    JobBodyContext ctx;
    ctx.mode = base ? JobBodyMode::replace : JobBodyMode::create;
    ctx.base = base;
    ctx.clusters = clusters_.clusters();
    ctx.seed = random_schedule_seed();
    auto parsed = parse_job_body(translated.v1_body, ctx);
    for (auto& e : parsed.errors) e = to_chronos_field(std::move(e));
    parsed.spec.front_fields = translated.front_fields;
    return parsed;
  };
  if (!translated.errors.empty()) {
    // Every bad field at once: the translation's, then berth's for the fields it did not already name.
    auto errors = translated.errors;
    for (auto& e : parse(nullptr).errors) {
      bool named = false;
      for (const auto& t : translated.errors) named = named || t.path.front() == e.path.front();
      if (!named) errors.push_back(std::move(e));
    }
    co_return field_errors(errors);
  }
  auto existing = co_await store_.get_job(name);
  if (!existing && existing.error().code != StoreErrc::not_found)
    co_return store_error(existing.error(), name, "get_job");
  if (!existing) {
    auto parsed = parse(nullptr);
    if (!parsed.errors.empty()) co_return field_errors(parsed.errors);
    auto created = co_await store_.create_job(new_job(std::move(parsed.spec), now));
    if (created) co_return no_content();
    if (created.error().code != StoreErrc::already_exists) co_return store_error(created.error(), name, "create_job");
    // Created by someone else meanwhile: replace it, as Chronos would have.
  }
  auto write = co_await write_job(
      store_, name,
      [&](policy::Job& job) -> std::optional<ApiResponse> {
        auto parsed = parse(&job.spec);
        if (!parsed.errors.empty()) return field_errors(parsed.errors);
        apply_job_spec(job, std::move(parsed.spec), now);
        return std::nullopt;
      },
      true, now);
  if (write.refused) co_return std::move(*write.refused);
  if (!write.written) co_return store_error(write.written.error(), name, "update_job");
  co_return no_content();
}

asio::awaitable<ApiResponse> ChronosApi::list(const ApiRequest&, const Params&) {
  auto jobs = co_await store_.list_jobs("");
  if (!jobs) co_return store_error(jobs.error(), "", "list_jobs");
  json::array out;
  for (const auto& job : *jobs) {
    auto runs = co_await store_.list_runs(job.spec.id, max_runs_counted);
    if (!runs) co_return store_error(runs.error(), job.spec.id, "list_runs");
    out.push_back(job_to_chronos(job, *runs));
  }
  ApiResponse r;
  r.body = std::move(out);
  co_return r;
}

asio::awaitable<ApiResponse> ChronosApi::trigger(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_name(name)) co_return not_found(name);
  auto started = co_await request_manual_run(store_, name, clock_());
  if (!started) co_return store_error(started.error(), name, "start_run");
  co_return no_content();
}

asio::awaitable<ApiResponse> ChronosApi::remove(const ApiRequest&, const Params& p) {
  const std::string& name = p.at("name");
  if (!valid_name(name)) co_return not_found(name);
  auto deleted = co_await delete_job_retrying(store_, name);
  if (!deleted) co_return store_error(deleted.error(), name, "delete_job");
  co_return no_content();
}

}  // namespace berth::http::api
