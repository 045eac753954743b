// File: src/http/api/ecs_scheduler_api.cpp — ECS Scheduler's /jobs routes over berth's job store: its paging, its
// link objects, its {"message"} / {"messages"} errors and its status codes.
#include "http/api/ecs_scheduler_api.hpp"

#include "http/api/api_job_json.hpp"
#include "http/api/api_job_store.hpp"
#include "http/api/api_json.hpp"
#include "http/api/api_json_fields.hpp"
#include "http/api/front_routes.hpp"

#include <spdlog/spdlog.h>

#include <charconv>

namespace berth::http::api {
namespace asio = boost::asio;
namespace json = boost::json;
using store::StoreErrc;

namespace {

constexpr std::int64_t default_skip = 0;   // ECS Scheduler's PaginationSchema defaults
constexpr std::int64_t default_count = 10;

ApiResponse message(int status, std::string text) {
  return fields::json_response(status, json::object{{"message", std::move(text)}});
}

json::object job_link(const std::string& id) {
  return json::object{{"href", "/jobs/" + id}, {"rel", "item"}, {"title", "Job for " + id}};
}

json::object committed(const std::string& id) { return json::object{{"id", id}, {"link", job_link(id)}}; }

// {"messages": {...}} nested by each error's path, as marshmallow reports nested schemas.
ApiResponse field_errors(const std::vector<JobFieldError>& errors) {
  json::object messages;
  for (const auto& e : errors) {
    json::object* at = &messages;
    for (std::size_t i = 0; i + 1 < e.path.size() && at != nullptr; ++i) {
      json::value& next = (*at)[e.path[i]];
      if (next.is_null()) next = json::object{};
      at = next.if_object();
    }
    json::value& slot = at ? (*at)[e.path.back()] : messages[e.dotted()];
    if (!slot.is_array()) slot = json::array{};
    slot.as_array().emplace_back(e.why);
  }
  return fields::json_response(400, json::object{{"messages", std::move(messages)}});
}

// marshmallow's Integer: an optional sign and digits.
std::optional<std::int64_t> parse_int(const std::string& s) {
  std::int64_t n = 0;
  const char* begin = s.data() + (!s.empty() && s[0] == '+' ? 1 : 0);
  auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), n);
  if (begin == s.data() + s.size() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return n;
}

// PaginationSchema.dump: no link when the page is out of range or both parameters are at their defaults.
std::optional<std::string> page_link(std::int64_t skip, std::int64_t count, std::int64_t total) {
  if (total <= 0 || skip + count <= 0 || skip >= total) return std::nullopt;
  skip = std::max<std::int64_t>(0, skip);
  std::string query;
  if (skip != default_skip) query += "skip=" + std::to_string(skip);
  if (count != default_count) query += (query.empty() ? "" : "&") + std::string("count=") + std::to_string(count);
  if (query.empty()) return std::nullopt;
  return "/jobs?" + query;
}

bool json_content_type(const ApiRequest& req) { return req.content_type.rfind("application/json", 0) == 0; }

ApiResponse unsupported_media_type() {
  return message(415, "Header Content-Type: application/json required to send a request body.");
}

// The body as an object, or the answer that refuses it.
std::optional<ApiResponse> read_body(const ApiRequest& req, std::size_t max_bytes, json::object& out) {
  if (req.body.size() > max_bytes)
    return message(413, "The request body exceeds " + std::to_string(max_bytes) + " bytes.");
  boost::system::error_code ec;
  json::value v = json::parse(req.body, ec);
  if (ec) return message(400, "Failed to decode JSON object: " + ec.message());
  if (!v.is_object())
    return fields::json_response(
        400, json::object{{"messages", json::object{{"_schema", json::array{"Invalid input type."}}}}});
  out = std::move(v.as_object());
  return std::nullopt;
}

}  // namespace

EcsSchedulerApi::EcsSchedulerApi(store::DesiredStateStore& store, const ClusterView& clusters, ApiClock clock,
                                 std::size_t max_body_bytes)
    : store_(store), clusters_(clusters), clock_(std::move(clock)), max_body_bytes_(max_body_bytes) {}

const std::vector<EcsSchedulerApi::Route>& EcsSchedulerApi::routes() {
  static const std::vector<Route> table = {
      {Verb::get, "/jobs", &EcsSchedulerApi::list},
      {Verb::post, "/jobs", &EcsSchedulerApi::create},
      {Verb::get, "/jobs/{id}", &EcsSchedulerApi::get},
      {Verb::put, "/jobs/{id}", &EcsSchedulerApi::update},
      {Verb::delete_, "/jobs/{id}", &EcsSchedulerApi::remove},
  };
  return table;
}

asio::awaitable<ApiResponse> EcsSchedulerApi::handle(const ApiRequest& request) {
  auto r = co_await handle_by_routes(*this, request);
  co_return r;
}

asio::awaitable<ApiResponse> EcsSchedulerApi::run(const Route& route, const ApiRequest& request,
                                                  const Params& params) {
  try {
    auto r = co_await (this->*route.handler)(request, params);
    co_return r;
  } catch (const std::exception& e) {
    spdlog::error("ecs_scheduler_api unexpected_exception method={} path={} what={}", request.method, request.path,
                  e.what());
    co_return message(500, "Internal Server Error");
  }
}

ApiResponse EcsSchedulerApi::store_error(const store::StoreError& e, const std::string& id, std::string_view what) {
  switch (e.code) {
    case StoreErrc::not_found: return message(404, "Job " + id + " does not exist.");
    case StoreErrc::already_exists: return message(409, "Job " + id + " already exists.");
    case StoreErrc::conflict: return message(409, "Job " + id + " changed while it was being written; retry.");
    case StoreErrc::busy: {
      auto r = message(503, "The state store is busy; retry.");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    default: break;
  }
  spdlog::error("ecs_scheduler_api store_error op={} code={} message={}", what, store::to_string(e.code), e.message);
  return message(500, "Internal Server Error");
}

asio::awaitable<std::optional<json::object>> EcsSchedulerApi::job_document(const policy::Job& job,
                                                                           ApiResponse& error) {
  auto newest = co_await newest_run(store_, job.spec.id);
  if (!newest) {
    error = store_error(newest.error(), job.spec.id, "list_runs");
    co_return std::nullopt;
  }
  auto o = job_to_json(job, *newest, clock_());
  o["link"] = job_link(job.spec.id);
  co_return o;
}

asio::awaitable<ApiResponse> EcsSchedulerApi::list(const ApiRequest& req, const Params&) {
  // PaginationSchema: integers (400 naming the bad ones), negative values taken as 0.
  std::int64_t skip = default_skip, count = default_count;
  json::object bad;
  for (auto [key, out] : {std::pair{"skip", &skip}, std::pair{"count", &count}}) {
    auto it = req.query.find(key);
    if (it == req.query.end()) continue;
    auto n = parse_int(it->second);
    if (!n) bad[key] = json::array{"Not a valid integer."};
    else *out = std::max<std::int64_t>(0, *n);
  }
  if (!bad.empty()) co_return fields::json_response(400, json::object{{"messages", std::move(bad)}});
  auto all = co_await store_.list_jobs("");
  if (!all) co_return store_error(all.error(), "", "list_jobs");
  const auto total = static_cast<std::int64_t>(all->size());
  json::array jobs;
  for (std::int64_t i = skip; i < total && i < skip + count; ++i) {
    ApiResponse error;
    auto doc = co_await job_document((*all)[static_cast<std::size_t>(i)], error);
    if (!doc) co_return error;
    jobs.push_back(std::move(*doc));
  }
  json::object out{{"jobs", std::move(jobs)}};
  if (auto prev = page_link(skip - count, count, total)) out["prev"] = *prev;
  if (auto next = page_link(skip + count, count, total)) out["next"] = *next;
  co_return fields::json_response(200, std::move(out));
}

asio::awaitable<ApiResponse> EcsSchedulerApi::create(const ApiRequest& req, const Params&) {
  if (!json_content_type(req)) co_return unsupported_media_type();
  json::object body;
  if (auto refused = read_body(req, max_body_bytes_, body)) co_return std::move(*refused);
  // ECS Scheduler reads the id as the task definition when only an id is given.
  if (!body.contains("taskDefinition") && body.contains("id") && body.at("id").is_string()) {
    json::value id = body.at("id");  // a copy: inserting may rehash the object under a reference into it
    body["taskDefinition"] = std::move(id);
  }
  JobBodyContext ctx;
  ctx.mode = JobBodyMode::create;
  ctx.clusters = clusters_.clusters();
  ctx.seed = random_schedule_seed();
  ctx.ignore_read_only = true;
  auto parsed = parse_job_body(body, ctx);
  if (!parsed.errors.empty()) co_return field_errors(parsed.errors);
  const std::string id = parsed.spec.id;
  auto created = co_await store_.create_job(new_job(std::move(parsed.spec), clock_()));
  if (!created) co_return store_error(created.error(), id, "create_job");
  co_return fields::json_response(201, committed(id));
}

asio::awaitable<ApiResponse> EcsSchedulerApi::get(const ApiRequest&, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return message(404, "Job " + id + " does not exist.");
  auto job = co_await store_.get_job(id);
  if (!job) co_return store_error(job.error(), id, "get_job");
  ApiResponse error;
  auto doc = co_await job_document(*job, error);
  if (!doc) co_return error;
  co_return fields::json_response(200, std::move(*doc));
}

asio::awaitable<ApiResponse> EcsSchedulerApi::update(const ApiRequest& req, const Params& p) {
  if (!json_content_type(req)) co_return unsupported_media_type();
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return message(404, "Job " + id + " does not exist.");
  // As ECS Scheduler: an unknown job is a 404 before its body is looked at.
  auto exists = co_await store_.get_job(id);
  if (!exists) co_return store_error(exists.error(), id, "get_job");
  json::object body;
  if (auto refused = read_body(req, max_body_bytes_, body)) co_return std::move(*refused);
  const auto watched = clusters_.clusters();
  const auto now = clock_();
  auto write = co_await write_job(
      store_, id,
      [&](policy::Job& job) -> std::optional<ApiResponse> {
        JobBodyContext ctx;
        ctx.mode = JobBodyMode::merge;
        ctx.base = &job.spec;
        ctx.clusters = watched;
        ctx.seed = random_schedule_seed();
        ctx.ignore_read_only = true;
        auto parsed = parse_job_body(body, ctx);
        if (!parsed.errors.empty()) return field_errors(parsed.errors);
        apply_job_spec(job, std::move(parsed.spec), now);
        return std::nullopt;
      },
      true, now);
  if (write.refused) co_return std::move(*write.refused);
  if (!write.written) co_return store_error(write.written.error(), id, "update_job");
  co_return fields::json_response(200, committed(id));
}

asio::awaitable<ApiResponse> EcsSchedulerApi::remove(const ApiRequest&, const Params& p) {
  const std::string& id = p.at("id");
  if (!valid_environment_name(id)) co_return message(404, "Job " + id + " does not exist.");
  auto deleted = co_await delete_job_retrying(store_, id);
  if (!deleted) co_return store_error(deleted.error(), id, "delete_job");
  co_return fields::json_response(200, json::object{{"id", id}});
}

}  // namespace berth::http::api
