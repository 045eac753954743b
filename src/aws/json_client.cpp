// File: src/aws/json_client.cpp — the AWS JSON protocol call loop: token bucket, sign, send, classify, back off.
#include "aws/json_client.hpp"

#include "common/logger.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <spdlog/spdlog.h>

namespace berth::aws {
namespace {

std::shared_ptr<spdlog::logger> logger() {
  static auto log = logging::get("aws");
  return log;
}

// Returns false if the wait was cancelled (the caller then gives up instead of retrying).
asio::awaitable<bool> sleep_for(asio::any_io_executor ex, std::chrono::steady_clock::duration d) {
  if (d <= std::chrono::steady_clock::duration::zero()) co_return true;
  asio::steady_timer timer(ex, d);
  auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  co_return !ec;
}

}  // namespace

boost::system::result<boost::json::value> parse_json_response(std::string_view body) {
  if (body.empty()) return boost::json::value(boost::json::object{});
  // First block sized for the whole DOM of a typical response (strings are copied into it, plus
  // object/array tables); larger ones grow geometrically.
  auto arena = boost::json::make_shared_resource<boost::json::monotonic_resource>(body.size() * 2 + 1024);
  boost::system::error_code ec;
  auto parsed = boost::json::parse(body, ec, std::move(arena));
  if (ec) return ec;
  if (!parsed.is_object()) return boost::json::error::not_object;
  return parsed;
}

boost::system::result<Endpoint> make_endpoint(std::string_view service, std::string_view region,
                                              std::string_view override_url, bool& allow_plain_http) {
  if (!override_url.empty()) {
    auto ep = parse_endpoint_url(override_url);
    allow_plain_http = ep && !ep->tls;
    return ep;
  }
  allow_plain_http = false;
  Endpoint ep;
  ep.tls = true;
  ep.port = 443;
  ep.host = std::string(service) + "." + std::string(region) + ".amazonaws.com";
  return ep;
}

AwsJsonClient::AwsJsonClient(asio::any_io_executor executor, HttpTransport& http, CredentialsProvider& credentials,
                             ServiceConfig config)
    : executor_(std::move(executor)),
      http_(http),
      credentials_(credentials),
      config_(std::move(config)),
      budget_(config_.retry),
      read_bucket_(config_.throttle.read_burst, config_.throttle.read_rate, std::chrono::steady_clock::now()),
      modify_bucket_(config_.throttle.modify_burst, config_.throttle.modify_rate, std::chrono::steady_clock::now()),
      rng_(std::random_device{}()) {}

double AwsJsonClient::jitter() {
  if (config_.random) return config_.random();
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
}

HttpRequest AwsJsonClient::build_request(std::string_view operation, const boost::json::object& body,
                                         const sigv4::Credentials& creds, std::chrono::system_clock::time_point now) {
  HttpRequest req;
  req.method = "POST";
  req.path = "/";
  req.headers = {
      {"Host", config_.endpoint.host_header()},
      {"Content-Type", "application/x-amz-json-" + config_.json_version},
      {"X-Amz-Target", config_.target_prefix + "." + std::string(operation)},
  };
  req.body = boost::json::serialize(body);
  req.headers.push_back({"Content-Length", std::to_string(req.body.size())});
  sigv4::SigningParams params;
  params.region = config_.region;
  params.service = config_.signing_name;
  params.time = skew_.corrected(now);
  sigv4::sign_request(req, creds, params, &key_cache_);
  return req;
}

asio::awaitable<bool> AwsJsonClient::wait_for_token(ThrottleCategory category) {
  if (category == ThrottleCategory::none) co_return true;
  TokenBucket& bucket = category == ThrottleCategory::read ? read_bucket_ : modify_bucket_;
  // Single-threaded: between the wait and the take another coroutine may win, so loop.
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (bucket.try_take(now)) co_return true;
    ++stats_.client_throttle_waits;
    if (!co_await sleep_for(executor_, bucket.time_until(now))) co_return false;
  }
}

asio::awaitable<AwsResult<boost::json::value>> AwsJsonClient::call(std::string operation, boost::json::object body,
                                                                   ThrottleCategory category,
                                                                   Idempotency idempotency,
                                                                   std::chrono::milliseconds timeout) {
  ++stats_.calls;
  if (timeout.count() == 0) timeout = config_.timeout;
  int spent = 0;
  bool skew_retry_used = false;
  bool maybe_executed = false;  // any attempt so far
  for (int attempt = 1;; ++attempt) {
    auto finish = [&](AwsError e) {
      e.maybe_executed = e.maybe_executed || maybe_executed;
      return e;
    };
    // Waiting for a local token or credentials sends nothing: failures here never add doubt.
    if (!co_await wait_for_token(category)) co_return finish(transport_error(asio::error::operation_aborted));
    auto creds = co_await credentials_.get();
    if (!creds) {
      // The credentials' own HTTP failures say nothing about this call: it was not sent.
      auto e = creds.error();
      e.maybe_executed = false;
      co_return finish(std::move(e));
    }
    ++stats_.attempts;
    auto request = build_request(operation, body, creds->keys, std::chrono::system_clock::now());
    auto sent = co_await http_.send_request(config_.endpoint, std::move(request), SendOptions{timeout, idempotency});
    auto& response = sent.response;

    AwsError error;
    if (!response) {
      error = transport_error(response.error(), sent.request_sent);
    } else if (response->status >= 200 && response->status < 300) {
      budget_.on_success(spent);
      auto parsed = parse_json_response(response->body);
      if (!parsed) {
        // The server said it succeeded, so whatever it did is done, but we cannot tell what it was.
        auto e = client_error("SerializationException", operation + ": response is not a JSON object");
        e.maybe_executed = true;
        if (idempotency == Idempotency::not_idempotent) ++stats_.in_doubt;
        co_return e;
      }
      co_return std::move(*parsed);
    } else {
      error = parse_error_response(*response);
      if (error.error_class == ErrorClass::throttling) ++stats_.throttled_responses;
      if (error.error_class == ErrorClass::clock_skew) {
        // Re-sign with the server's clock; if its Date agrees with ours the signature is really
        // wrong and retrying cannot help.
        const auto* date = response->find_header("Date");
        const bool changed = date != nullptr && skew_.update(*date, std::chrono::system_clock::now());
        if (changed) ++stats_.skew_corrections;
        if (!changed && error.type == "InvalidSignatureException") error.error_class = ErrorClass::permanent;
        if (skew_retry_used) error.error_class = ErrorClass::permanent;
      }
    }

    const bool this_attempt_maybe_executed = error.maybe_executed;
    error = finish(std::move(error));
    maybe_executed = error.maybe_executed;
    if (idempotency == Idempotency::not_idempotent && this_attempt_maybe_executed) {
      // Repeating could do it twice (StartTask has no idempotency token): the caller decides.
      ++stats_.in_doubt;
      logger()->warn("aws outcome unknown op={} attempt={} error={} (not retried: not idempotent)", operation,
                     attempt, error.describe());
      co_return error;
    }
    if (!error.retryable() || attempt >= config_.retry.max_attempts) co_return error;
    int cost = 0;
    if (!budget_.try_acquire(error, cost)) {
      ++stats_.budget_exhausted;
      co_return error;
    }
    spent += cost;
    ++stats_.retries;
    std::chrono::milliseconds delay{0};
    if (error.error_class == ErrorClass::clock_skew) {
      skew_retry_used = true;  // retry immediately, once
    } else {
      delay = compute_backoff(attempt, error.error_class, config_.retry, jitter());
    }
    logger()->debug("aws retry op={} attempt={} error={} class={} delay_ms={}", operation, attempt, error.type,
                    to_string(error.error_class), delay.count());
    if (!co_await sleep_for(executor_, delay)) co_return error;  // cancelled while backing off
  }
}

}  // namespace berth::aws
