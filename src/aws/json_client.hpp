// File: src/aws/json_client.hpp — AWS JSON 1.0/1.1 protocol engine: sign, send, parse errors, throttle, retry.
#pragma once

#include "aws/aws_error.hpp"
#include "aws/credentials_provider.hpp"
#include "aws/http_transport.hpp"
#include "aws/retry.hpp"
#include "aws/sigv4.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <random>
#include <string>

namespace berth::aws {

struct ServiceConfig {
  std::string region = "us-east-1";
  std::string signing_name;   // "ecs" | "sqs"
  std::string target_prefix;  // "AmazonEC2ContainerServiceV20141113" | "AmazonSQS"
  std::string json_version;   // "1.1" (ECS) | "1.0" (SQS)
  Endpoint endpoint;          // see make_endpoint()
  std::chrono::milliseconds timeout{30000};  // per attempt, write+read
  RetryOptions retry;
  ThrottleOptions throttle;
  // Uniform [0,1) source for backoff jitter; default is a seeded mt19937. Tests inject their own.
  std::function<double()> random;
};

// "https://<service>.<region>.amazonaws.com" unless `override_url` is non-empty (e.g. berth-sim's
// "http://127.0.0.1:4566"). Sets `allow_plain_http` to whether plain http is acceptable:
// only for an explicit override.
boost::system::result<Endpoint> make_endpoint(std::string_view service, std::string_view region,
                                              std::string_view override_url, bool& allow_plain_http);

// Parses a 2xx response body (must be a JSON object; empty -> {}). The DOM lives in a monotonic
// arena created for this response and owned (ref-counted) by the returned value, so parsing costs a
// few allocations instead of one per string/array/object, and the arena is freed with the value:
// nothing is reused across responses, so nothing grows. Decode into typed structs and drop it.
boost::system::result<boost::json::value> parse_json_response(std::string_view body);

class AwsJsonClient {
 public:
  struct Stats {
    std::uint64_t calls = 0;
    std::uint64_t attempts = 0;
    std::uint64_t retries = 0;
    std::uint64_t throttled_responses = 0;
    std::uint64_t budget_exhausted = 0;
    std::uint64_t client_throttle_waits = 0;  // times a call waited for a local token bucket
    std::uint64_t skew_corrections = 0;
    // Non-idempotent calls returned with outcome_unknown() instead of being retried.
    std::uint64_t in_doubt = 0;
  };

  // `http` and `credentials` must outlive the client.
  AwsJsonClient(asio::any_io_executor executor, HttpTransport& http, CredentialsProvider& credentials,
                ServiceConfig config);
  AwsJsonClient(const AwsJsonClient&) = delete;
  AwsJsonClient& operator=(const AwsJsonClient&) = delete;

  // Calls `<target_prefix>.<operation>` with `body` (JSON object) and returns the parsed response
  // body (an object; {} for an empty body). Retries throttling/transient/skew errors per config.
  // A not_idempotent call is retried only when the failed attempt certainly did not execute
  // (throttling and other rejecting error responses, failures before a byte was sent); otherwise
  // the error comes back with outcome_unknown() set. See the table in src/aws/README.md.
  // timeout == 0 uses config.timeout (ReceiveMessage long polls pass wait time + margin).
  asio::awaitable<AwsResult<boost::json::value>> call(std::string operation, boost::json::object body,
                                                      ThrottleCategory category, Idempotency idempotency,
                                                      std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

  // Builds the signed request exactly as call() sends it (pure apart from the clock offset).
  [[nodiscard]] HttpRequest build_request(std::string_view operation, const boost::json::object& body,
                                          const sigv4::Credentials& creds,
                                          std::chrono::system_clock::time_point now);

  [[nodiscard]] const Stats& stats() const { return stats_; }
  [[nodiscard]] const ServiceConfig& config() const { return config_; }
  [[nodiscard]] const ClockSkew& clock_skew() const { return skew_; }
  [[nodiscard]] int retry_budget_available() const { return budget_.available(); }

 private:
  asio::awaitable<bool> wait_for_token(ThrottleCategory category);  // false if cancelled
  double jitter();

  asio::any_io_executor executor_;
  HttpTransport& http_;
  CredentialsProvider& credentials_;
  ServiceConfig config_;
  sigv4::SigningKeyCache key_cache_;
  RetryBudget budget_;
  TokenBucket read_bucket_;
  TokenBucket modify_bucket_;
  ClockSkew skew_;
  std::mt19937_64 rng_;
  Stats stats_;
};

}  // namespace berth::aws
