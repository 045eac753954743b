// File: tests/aws/retry_test.cpp — error parsing/classification, backoff, budget, token buckets, clock skew, and the
// JSON client's retry loop against a fake server that throttles, fails and reports skew.
#include "aws/http_client.hpp"
#include "aws/json_client.hpp"
#include "aws/retry.hpp"
#include "fake_http_server.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace berth::aws {
namespace {

using namespace std::chrono_literals;
using testing::FakeHttpServer;
using testing::FakeReply;
using testing::json_response;
using testing::run;

TEST(AwsError, ParsesJsonErrorBodies) {
  auto e = parse_error_response(json_response(
      400, R"({"__type":"com.amazonaws.ecs#ThrottlingException","message":"Rate exceeded"})",
      {{"x-amzn-RequestId", "req-1"}}));
  EXPECT_EQ(e.type, "ThrottlingException");
  EXPECT_EQ(e.message, "Rate exceeded");
  EXPECT_EQ(e.http_status, 400u);
  EXPECT_EQ(e.request_id, "req-1");
  EXPECT_EQ(e.error_class, ErrorClass::throttling);

  auto sqs = parse_error_response(json_response(
      400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."})",
      {{"x-amzn-query-error", "AWS.SimpleQueueService.NonExistentQueue;Sender"}}));
  EXPECT_EQ(sqs.type, "QueueDoesNotExist");
  EXPECT_EQ(sqs.query_error_code, "AWS.SimpleQueueService.NonExistentQueue");
  EXPECT_EQ(sqs.error_class, ErrorClass::permanent);

  auto server = parse_error_response(json_response(500, R"({"__type":"ServerException","message":"boom"})"));
  EXPECT_EQ(server.error_class, ErrorClass::transient);
  auto garbage = parse_error_response(json_response(503, "<html>"));
  EXPECT_EQ(garbage.type, "InternalFailure");
  EXPECT_EQ(garbage.error_class, ErrorClass::transient);
  auto legacy = parse_error_response(json_response(400, R"({"__type":"ClientException:http://internal/"})"));
  EXPECT_EQ(legacy.type, "ClientException");
  EXPECT_EQ(legacy.error_class, ErrorClass::permanent);
}

TEST(AwsError, Classifies) {
  EXPECT_EQ(classify_error("RequestLimitExceeded", 503), ErrorClass::throttling);
  EXPECT_EQ(classify_error("Whatever", 429), ErrorClass::throttling);
  EXPECT_EQ(classify_error("RequestTimeTooSkewed", 400), ErrorClass::clock_skew);
  EXPECT_EQ(classify_error("AccessDeniedException", 400), ErrorClass::permanent);
  EXPECT_EQ(classify_error("InvalidParameterException", 400), ErrorClass::permanent);
  EXPECT_EQ(classify_error("ServiceUnavailable", 503), ErrorClass::transient);
  EXPECT_EQ(transport_error(make_error_code(boost::asio::error::connection_reset)).error_class,
            ErrorClass::transient);
  EXPECT_EQ(transport_error(make_error_code(HttpErrc::plain_http_not_allowed)).error_class, ErrorClass::permanent);
  EXPECT_EQ(transport_error(boost::beast::http::error::body_limit).error_class, ErrorClass::permanent);
  EXPECT_EQ(transport_error(boost::beast::error::timeout).error_class, ErrorClass::transient);
}

TEST(Backoff, FullJitterCappedExponential) {
  RetryOptions o;
  o.base_delay = 100ms;
  o.throttle_base_delay = 1000ms;
  o.max_delay = 5000ms;
  EXPECT_EQ(compute_backoff(1, ErrorClass::transient, o, 0.5), 50ms);
  EXPECT_EQ(compute_backoff(2, ErrorClass::transient, o, 0.5), 100ms);
  EXPECT_EQ(compute_backoff(3, ErrorClass::transient, o, 0.5), 200ms);
  EXPECT_EQ(compute_backoff(3, ErrorClass::transient, o, 0.0), 0ms);
  EXPECT_EQ(compute_backoff(3, ErrorClass::throttling, o, 0.5), 2000ms);
  EXPECT_EQ(compute_backoff(10, ErrorClass::throttling, o, 0.999), 4995ms);  // capped
  EXPECT_EQ(compute_backoff(1000, ErrorClass::transient, o, 1.0), 5000ms);    // no overflow
}

TEST(RetryBudget, ExhaustsAndRefills) {
  RetryOptions o;
  o.budget_capacity = 12;
  o.retry_cost = 5;
  RetryBudget budget(o);
  AwsError e = transport_error(make_error_code(boost::asio::error::connection_reset));
  int c1 = 0, c2 = 0, c3 = 0;
  EXPECT_TRUE(budget.try_acquire(e, c1));
  EXPECT_TRUE(budget.try_acquire(e, c2));
  EXPECT_FALSE(budget.try_acquire(e, c3));
  EXPECT_EQ(budget.available(), 2);
  budget.on_success(c1);
  EXPECT_EQ(budget.available(), 7);
  budget.on_success(0);
  EXPECT_EQ(budget.available(), 8);
}

TEST(TokenBucket, BurstThenSustainedRate) {
  const auto t0 = std::chrono::steady_clock::time_point{} + 1h;
  TokenBucket bucket(100, 40, t0);
  int taken = 0;
  while (bucket.try_take(t0)) ++taken;
  EXPECT_EQ(taken, 100);
  EXPECT_EQ(bucket.time_until(t0), std::chrono::duration_cast<std::chrono::steady_clock::duration>(25ms));
  EXPECT_FALSE(bucket.try_take(t0 + 10ms));
  EXPECT_TRUE(bucket.try_take(t0 + 25ms));
  // One second refills 40 tokens, never more than the burst.
  int later = 0;
  while (bucket.try_take(t0 + 1025ms)) ++later;
  EXPECT_EQ(later, 40);
  EXPECT_NEAR(bucket.tokens(t0 + 1h), 100.0, 1e-6);
}

TEST(ClockSkew, LearnsOffsetFromDateHeader) {
  const auto server = *parse_http_date("Wed, 25 Nov 2026 08:31:16 GMT");
  EXPECT_EQ(sigv4::format_amz_date(server), "20261125T083116Z");
  ClockSkew skew;
  EXPECT_FALSE(skew.update("Wed, 25 Nov 2026 08:31:16 GMT", server + 10s));  // within threshold
  EXPECT_TRUE(skew.update("Wed, 25 Nov 2026 08:31:16 GMT", server - 15min));
  EXPECT_EQ(skew.corrected(server - 15min), server);
  EXPECT_FALSE(parse_http_date("25 Nov 2026 08:31:16"));
  EXPECT_FALSE(parse_http_date("Wed, 25 Foo 2026 08:31:16 GMT"));
}

// ---- JSON client retry loop against a fake server ----

struct ClientFixture {
  boost::asio::io_context io;
  FakeHttpServer server;
  HttpClient http;
  StaticCredentialsProvider creds{AwsCredentials{{"AKIDTEST", "SECRETTEST", "TOKENTEST"}, std::nullopt, "static"}};
  AwsJsonClient client;

  static ServiceConfig config(Endpoint ep) {
    ServiceConfig c;
    c.region = "us-east-1";
    c.signing_name = "ecs";
    c.target_prefix = "AmazonEC2ContainerServiceV20141113";
    c.json_version = "1.1";
    c.endpoint = ep;
    c.timeout = 2000ms;
    c.retry.base_delay = 1ms;
    c.retry.throttle_base_delay = 2ms;
    c.retry.max_delay = 5ms;
    c.random = [] { return 0.5; };
    return c;
  }
  static HttpOptions http_options() {
    HttpOptions o;
    o.allow_plain_http = true;
    return o;
  }
  explicit ClientFixture(FakeHttpServer::Handler h)
      : server(io, std::move(h)),
        http(io.get_executor(), http_options()),
        client(io.get_executor(), http, creds, config(server.endpoint())) {}
};

TEST(JsonClient, SendsSignedJsonAndRetriesThrottling) {
  int n = 0;
  ClientFixture f([&](const HttpRequest&) {
    if (++n <= 2) return FakeReply{json_response(400, R"({"__type":"ThrottlingException","message":"Rate exceeded"})")};
    return FakeReply{json_response(200, R"({"taskArns":["arn:1"]})")};
  });
  auto r = run(f.io, f.client.call("ListTasks", {{"cluster", "default"}}, ThrottleCategory::read));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(r->at("taskArns").at(0).as_string(), "arn:1");
  EXPECT_EQ(f.client.stats().retries, 2u);
  EXPECT_EQ(f.client.stats().throttled_responses, 2u);
  ASSERT_EQ(f.server.requests.size(), 3u);
  const auto& req = f.server.requests.back();
  EXPECT_EQ(*req.find_header("X-Amz-Target"), "AmazonEC2ContainerServiceV20141113.ListTasks");
  EXPECT_EQ(*req.find_header("Content-Type"), "application/x-amz-json-1.1");
  EXPECT_EQ(*req.find_header("X-Amz-Security-Token"), "TOKENTEST");
  EXPECT_EQ(boost::json::parse(req.body), (boost::json::value{{"cluster", "default"}}));
  // The server can verify what the client signed.
  const auto v = sigv4::verify_request(req, "SECRETTEST");
  EXPECT_TRUE(v.ok()) << sigv4::to_string(v.status);
  EXPECT_EQ(v.authorization.service, "ecs");
}

TEST(JsonClient, PermanentErrorsAreNotRetried) {
  ClientFixture f([](const HttpRequest&) {
    return FakeReply{json_response(400, R"({"__type":"ClientException","message":"bad cluster"})")};
  });
  auto r = run(f.io, f.client.call("ListTasks", {}, ThrottleCategory::read));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().type, "ClientException");
  EXPECT_EQ(r.error().message, "bad cluster");
  EXPECT_EQ(r.error().error_class, ErrorClass::permanent);
  EXPECT_EQ(f.server.requests.size(), 1u);
}

TEST(JsonClient, TransientErrorsStopAfterMaxAttempts) {
  ClientFixture f([](const HttpRequest&) { return FakeReply{json_response(503, "Service Unavailable"), 0ms, true}; });
  auto r = run(f.io, f.client.call("ListTasks", {}, ThrottleCategory::read));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().http_status, 503u);
  EXPECT_EQ(f.server.requests.size(), 5u);  // default max_attempts
  EXPECT_EQ(f.client.stats().retries, 4u);
}

TEST(JsonClient, RetryBudgetLimitsRetriesAcrossCalls) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(500, "{}")}; });
  HttpClient http(io.get_executor(), ClientFixture::http_options());
  StaticCredentialsProvider creds{AwsCredentials{{"AK", "SK", ""}, std::nullopt, "static"}};
  auto cfg = ClientFixture::config(server.endpoint());
  cfg.retry.budget_capacity = 12;  // two retries in total
  AwsJsonClient client(io.get_executor(), http, creds, cfg);
  auto a = run(io, client.call("ListTasks", {}, ThrottleCategory::read));
  auto b = run(io, client.call("ListTasks", {}, ThrottleCategory::read));
  EXPECT_FALSE(a);
  EXPECT_FALSE(b);
  EXPECT_EQ(server.requests.size(), 4u);  // 1 + 2 retries, then 1 with no budget left
  EXPECT_EQ(client.stats().budget_exhausted, 2u);
}

TEST(JsonClient, ClockSkewIsCorrectedFromDateHeader) {
  // The server's clock is 2 hours ahead; it rejects requests signed more than 5 minutes off.
  const auto server_now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now() + 2h);
  const auto date = [&] {
    const std::time_t t = std::chrono::system_clock::to_time_t(server_now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return std::string(buf);
  }();
  ClientFixture f([&](const HttpRequest& req) {
    const auto signed_at = sigv4::parse_amz_date(*req.find_header("X-Amz-Date"));
    const auto diff = *signed_at - server_now;
    if (diff > 5min || diff < -5min)
      return FakeReply{json_response(400, R"({"__type":"RequestTimeTooSkewed","message":"skewed"})",
                                     {{"Date", date}})};
    return FakeReply{json_response(200, "{}")};
  });
  auto r = run(f.io, f.client.call("ListTasks", {}, ThrottleCategory::read));
  ASSERT_TRUE(r) << r.error().describe();
  EXPECT_EQ(f.server.requests.size(), 2u);
  EXPECT_EQ(f.client.stats().skew_corrections, 1u);
  EXPECT_GT(f.client.clock_skew().offset(), std::chrono::system_clock::duration(1h));
}

TEST(JsonClient, CancellationStopsWithoutRetrying) {
  ClientFixture f([](const HttpRequest&) { return FakeReply{json_response(200, "{}"), 5000ms}; });
  boost::asio::cancellation_signal cancel;
  std::optional<AwsResult<boost::json::value>> outcome;
  boost::asio::co_spawn(f.io, f.client.call("ReceiveMessage", {}, ThrottleCategory::none, 30000ms),
                        boost::asio::bind_cancellation_slot(
                            cancel.slot(), [&](std::exception_ptr, AwsResult<boost::json::value> r) {
                              outcome = std::move(r);
                            }));
  boost::asio::steady_timer t(f.io, 50ms);
  t.async_wait([&](auto) { cancel.emit(boost::asio::cancellation_type::terminal); });
  const auto start = std::chrono::steady_clock::now();
  while (!outcome && std::chrono::steady_clock::now() - start < 3s) f.io.run_for(10ms);
  ASSERT_TRUE(outcome.has_value());
  ASSERT_FALSE(*outcome);
  EXPECT_FALSE(outcome->error().retryable());
  EXPECT_EQ(f.server.requests.size(), 1u);
  EXPECT_EQ(f.client.stats().retries, 0u);
  f.server.stop();
}

TEST(JsonClient, ClientSideTokenBucketDelaysBursts) {
  boost::asio::io_context io;
  FakeHttpServer server(io, [](const HttpRequest&) { return FakeReply{json_response(200, "{}")}; });
  HttpClient http(io.get_executor(), ClientFixture::http_options());
  StaticCredentialsProvider creds{AwsCredentials{{"AK", "SK", ""}, std::nullopt, "static"}};
  auto cfg = ClientFixture::config(server.endpoint());
  cfg.throttle.modify_burst = 2;
  cfg.throttle.modify_rate = 200;
  AwsJsonClient client(io.get_executor(), http, creds, cfg);
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(run(io, client.call("StopTask", {}, ThrottleCategory::modify)));
  EXPECT_GE(client.stats().client_throttle_waits, 1u);
  EXPECT_EQ(server.requests.size(), 4u);
}

}  // namespace
}  // namespace berth::aws
