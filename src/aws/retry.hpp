// File: src/aws/retry.hpp — pure retry machinery: capped exponential backoff with full jitter, retry budget,
// token buckets per ECS throttle category, and clock-skew correction. Time and randomness are injected.
#pragma once

#include "aws/aws_error.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace berth::aws {

struct RetryOptions {
  int max_attempts = 5;  // including the first
  std::chrono::milliseconds base_delay{50};           // transient errors
  std::chrono::milliseconds throttle_base_delay{500};  // throttling errors back off harder
  std::chrono::milliseconds max_delay{20000};
  // Retry budget (the SDKs' "retry quota"): a retry spends tokens, a success refunds a few.
  int budget_capacity = 500;
  int retry_cost = 5;
  int timeout_retry_cost = 10;
  int success_refund = 1;
};

// Delay before retry number `retry` (1 = first retry): uniform in [0, min(max, base * 2^(retry-1))].
// `unit_random` is a sample in [0, 1) supplied by the caller (full jitter, deterministic in tests).
[[nodiscard]] std::chrono::milliseconds compute_backoff(int retry, ErrorClass error_class, const RetryOptions& options,
                                                        double unit_random);

// Shared across all requests of a client so that an outage does not multiply load by max_attempts.
class RetryBudget {
 public:
  explicit RetryBudget(const RetryOptions& options)
      : capacity_(options.budget_capacity), available_(options.budget_capacity), options_(options) {}
  // Takes the cost of one retry for this error; false when the budget is exhausted (do not retry).
  [[nodiscard]] bool try_acquire(const AwsError& error, int& cost_out);
  // A request succeeded; `retry_cost` is what its retries spent (0 if none).
  void on_success(int retry_cost);
  [[nodiscard]] int available() const { return available_; }

 private:
  int capacity_;
  int available_;
  RetryOptions options_;
};

// Classic token bucket with injected time: `capacity` tokens burst, refilled at `rate_per_second`.
class TokenBucket {
 public:
  using Clock = std::chrono::steady_clock;
  TokenBucket(double capacity, double rate_per_second, Clock::time_point now)
      : capacity_(capacity), rate_(rate_per_second), tokens_(capacity), last_(now) {}
  [[nodiscard]] bool try_take(Clock::time_point now, double n = 1.0);
  // How long until `n` tokens are available (zero if now).
  [[nodiscard]] Clock::duration time_until(Clock::time_point now, double n = 1.0);
  [[nodiscard]] double tokens(Clock::time_point now);
  void reconfigure(double capacity, double rate_per_second, Clock::time_point now);

 private:
  void refill(Clock::time_point now);
  double capacity_;
  double rate_;
  double tokens_;
  Clock::time_point last_;
};

// ECS throttles each account per API category; berth mirrors that client-side so it never
// trips the server's buckets in steady state. Values are the documented ECS defaults.
enum class ThrottleCategory { none, read, modify };
struct ThrottleOptions {
  double read_burst = 100, read_rate = 20;
  double modify_burst = 100, modify_rate = 40;
};

// Server-minus-local offset learned from the Date header of a RequestTimeTooSkewed (or any) response.
class ClockSkew {
 public:
  using SystemClock = std::chrono::system_clock;
  // Records the offset if the server's Date differs from local time by more than `threshold`.
  // Returns true if the offset changed.
  bool update(std::string_view http_date, SystemClock::time_point local_now,
              std::chrono::seconds threshold = std::chrono::seconds(60));
  [[nodiscard]] SystemClock::time_point corrected(SystemClock::time_point local_now) const {
    return local_now + offset_;
  }
  [[nodiscard]] SystemClock::duration offset() const { return offset_; }

 private:
  SystemClock::duration offset_{0};
};

// Parses an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT"), as servers send in Date.
[[nodiscard]] std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s);

}  // namespace berth::aws
