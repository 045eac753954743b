// File: tests/sim/sim.cpp — request routing (ECS JSON 1.1, SQS JSON 1.0, /_sim/), validation, throttling, faults.
#include "sim.hpp"

#include "auth.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace berth::sim {
namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;

namespace {
std::string ecs_prefix = "AmazonEC2ContainerServiceV20141113.";
std::string sqs_prefix = "AmazonSQS.";
}  // namespace

Sim::Sim(asio::io_context& ioc, SimConfig config, std::string endpoint)
    : ioc_(ioc),
      config_(std::move(config)),
      endpoint_(std::move(endpoint)),
      random_(config_.seed),
      timers_(ioc),
      ecs_model_(ServiceModel::load(config_.models_dir + "/ecs-2014-11-13.json")),
      sqs_model_(ServiceModel::load(config_.models_dir + "/sqs-2012-11-05.json")),
      queues_(timers_, random_, endpoint_, config_.region, config_.queue),
      bus_(timers_, random_, config_.faults, queues_.event_queue()),
      ecs_(timers_, random_,
           EcsOptions{std::chrono::milliseconds(config_.task_start_ms), std::chrono::milliseconds(config_.task_stop_ms),
                      config_.faults.task_start_failure_rate,
                      std::chrono::milliseconds(config_.stopped_task_retention_ms)},
           [this](std::string body) { bus_.publish(std::move(body)); }) {
  throttle_.enabled = config_.throttle;
  if (config_.clusters.empty()) config_.clusters.push_back("default");
  for (const auto& c : config_.clusters) {
    ecs_.ensure_cluster(c);
    if (config_.instances > 0) ecs_.add_instances(c, config_.instances, config_.instance_spec);
  }
}

std::string Sim::ready_line() const {
  json::array clusters;
  for (const auto& c : config_.clusters) clusters.push_back(json::value(c));
  return json::serialize(json::object{{"endpoint", endpoint_},
                                      {"queue_url", queues_.event_queue().url()},
                                      {"queue_arn", queues_.event_queue().arn()},
                                      {"region", config_.region},
                                      {"clusters", std::move(clusters)}});
}

asio::awaitable<HttpReply> Sim::handle(const Request& req) {
  ++request_seq_;
  const std::string target(req.target());
  if (target.rfind("/_sim/", 0) == 0) co_return control(req);
  std::string amz_target(req["X-Amz-Target"]);
  if (amz_target.rfind(ecs_prefix, 0) == 0) co_return co_await ecs_call(amz_target.substr(ecs_prefix.size()), req);
  if (amz_target.rfind(sqs_prefix, 0) == 0) co_return co_await sqs_call(amz_target.substr(sqs_prefix.size()), req);
  if (req.method() == http::verb::post && amz_target.empty()) {
    // The SQS query protocol (Action=...) is not simulated; say so the way AWS would.
    HttpReply r;
    r.status = 400;
    r.body = R"({"__type":"UnknownOperationException","message":"The sim serves ECS JSON 1.1 and SQS JSON 1.0 only."})";
    co_return r;
  }
  HttpReply r;
  r.status = 404;
  r.body = R"({"error":"not found"})";
  co_return r;
}

HttpReply Sim::ecs_error(const ApiError& e) const {
  HttpReply r;
  r.status = static_cast<unsigned>(e.status);
  r.content_type = "application/x-amz-json-1.1";
  json::object body{{"__type", e.type}, {"message", e.message}};
  for (const auto& [k, v] : e.fields) body[k] = v;
  r.body = json::serialize(body);
  r.headers.emplace_back("x-amzn-ErrorType", e.type);
  return r;
}

asio::awaitable<bool> Sim::inject_latency() {
  if (!random_.chance(config_.faults.api_latency_rate) || config_.faults.api_latency_ms < 1) co_return false;
  ++stats_.injected_latency;
  asio::steady_timer t(co_await asio::this_coro::executor);
  t.expires_after(std::chrono::milliseconds(static_cast<long>(config_.faults.api_latency_ms)));
  co_await t.async_wait(asio::use_awaitable);
  co_return true;
}

ApiOutcome Sim::admit(const std::string& op, const Request& req, const Rejections& rejections) {
  ++stats_.calls[op];
  if (auto bad = verify_auth(req, rejections.sqs)) {
    ++stats_.auth_failures;
    return ApiOutcome{nullptr, std::move(bad)};
  }
  if (!rejections.model.has_operation(op))
    return ApiOutcome::fail("UnknownOperationException", "Unknown operation " + op + ".");
  boost::system::error_code ec;
  json::value body = json::parse(req.body().empty() ? std::string_view("{}") : std::string_view(req.body()), ec);
  if (ec || !body.is_object()) return ApiOutcome::fail(rejections.bad_body_type, rejections.bad_body_message);
  if (auto v = rejections.model.validate_input(op, body)) {
    ++stats_.validation_errors;
    return ApiOutcome::fail(rejections.violation_type(v->kind), v->message);
  }
  return ApiOutcome::ok(std::move(body));
}

asio::awaitable<HttpReply> Sim::ecs_call(const std::string& op, const Request& req) {
  auto fail = [&](const ApiError& e) {
    ++stats_.errors[e.type];
    return ecs_error(e);
  };
  static constexpr auto violation_type = [](Violation::Kind kind) {
    return kind == Violation::Kind::wrong_type || kind == Violation::Kind::unknown_member
               ? "SerializationException"
               : "InvalidParameterException";
  };
  ApiOutcome admitted = admit(op, req,
                              {false, ecs_model_, "SerializationException",
                               "Start of structure or map found where not expected.", violation_type});
  if (admitted.error) co_return fail(*admitted.error);
  if (!throttle_.admit(op)) {
    ++stats_.throttled[op];
    ++stats_.throttled_total;
    co_return fail(ApiError{"ThrottlingException", "Rate exceeded", 400});
  }
  co_await inject_latency();
  if (random_.chance(config_.faults.api_error_rate)) {
    ++stats_.injected_errors;
    co_return fail(ApiError{"ServerException", "Service unavailable (sim injected fault).", 500});
  }
  if (!ecs_.implements(op))
    co_return fail(ApiError{"UnsupportedFeatureException", "The sim does not implement " + op + ".", 400});
  ApiOutcome out = ecs_.call(op, admitted.body.as_object());
  if (out.error) co_return fail(*out.error);
  // Like a response lost on the way back: the caller cannot tell this from api_error_rate, but the
  // action (a StartTask launch, say) did happen.
  if (random_.chance(config_.faults.api_lost_response_rate)) {
    ++stats_.injected_errors;
    co_return fail(ApiError{"ServerException", "Service unavailable (sim injected fault after the call).", 500});
  }
  HttpReply r;
  r.content_type = "application/x-amz-json-1.1";
  r.body = json::serialize(out.body);
  co_return r;
}

std::optional<ApiError> Sim::verify_auth(const Request& req, bool sqs) const {
  if (!config_.auth) return std::nullopt;
  auto failure = check_sigv4(req, config_.access_key, config_.secret_key, config_.region, sqs ? "sqs" : "ecs");
  if (!failure) return std::nullopt;
  return failure;
}

}  // namespace berth::sim
