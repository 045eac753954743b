// File: src/aws/retry.cpp — backoff, retry budget, token bucket and clock-skew arithmetic (no I/O).
#include "aws/retry.hpp"

#include "aws/civil_time.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace berth::aws {

std::chrono::milliseconds compute_backoff(int retry, ErrorClass error_class, const RetryOptions& options,
                                          double unit_random) {
  if (retry < 1) retry = 1;
  const auto base = error_class == ErrorClass::throttling ? options.throttle_base_delay : options.base_delay;
  // Cap the exponent so the shift cannot overflow; the max_delay cap applies anyway.
  const int exponent = std::min(retry - 1, 30);
  const double ceiling =
      std::min(static_cast<double>(options.max_delay.count()), static_cast<double>(base.count()) * std::ldexp(1.0, exponent));
  const double u = std::clamp(unit_random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<std::int64_t>(ceiling * u));
}

bool RetryBudget::try_acquire(const AwsError& error, int& cost_out) {
  const bool timeout = error.transport == boost::system::errc::timed_out ||
                       error.transport.message().find("timeout") != std::string::npos ||
                       error.transport.message().find("timed out") != std::string::npos;
  const int cost = timeout ? options_.timeout_retry_cost : options_.retry_cost;
  if (available_ < cost) return false;
  available_ -= cost;
  cost_out = cost;
  return true;
}

void RetryBudget::on_success(int retry_cost) {
  available_ = std::min(capacity_, available_ + (retry_cost > 0 ? retry_cost : options_.success_refund));
}

void TokenBucket::refill(Clock::time_point now) {
  if (now <= last_) return;
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  tokens_ = std::min(capacity_, tokens_ + elapsed * rate_);
  last_ = now;
}

bool TokenBucket::try_take(Clock::time_point now, double n) {
  refill(now);
  if (tokens_ + 1e-9 < n) return false;
  tokens_ -= n;
  return true;
}

TokenBucket::Clock::duration TokenBucket::time_until(Clock::time_point now, double n) {
  refill(now);
  if (tokens_ + 1e-9 >= n) return Clock::duration::zero();
  if (rate_ <= 0) return std::chrono::hours(24);
  const double seconds = (n - tokens_) / rate_;
  return std::chrono::ceil<Clock::duration>(std::chrono::duration<double>(seconds));
}

double TokenBucket::tokens(Clock::time_point now) {
  refill(now);
  return tokens_;
}

void TokenBucket::reconfigure(double capacity, double rate_per_second, Clock::time_point now) {
  refill(now);
  capacity_ = capacity;
  rate_ = rate_per_second;
  tokens_ = std::min(tokens_, capacity_);
}

bool ClockSkew::update(std::string_view http_date, SystemClock::time_point local_now, std::chrono::seconds threshold) {
  const auto server = parse_http_date(http_date);
  if (!server) return false;
  const auto diff = *server - local_now;
  const auto magnitude = diff < SystemClock::duration::zero() ? -diff : diff;
  const auto new_offset = magnitude > threshold ? diff : SystemClock::duration::zero();
  if (new_offset == offset_) return false;
  offset_ = new_offset;
  return true;
}

std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view s) {
  // "Sun, 06 Nov 1994 08:49:37 GMT"
  if (s.size() != 29 || s[3] != ',' || s.substr(26) != "GMT") return std::nullopt;
  static constexpr std::array<std::string_view, 12> months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int day = 0, year = 0, h = 0, m = 0, sec = 0;
  if (!read_digits(s, 5, 2, day) || !read_digits(s, 12, 4, year) || !read_digits(s, 17, 2, h) ||
      !read_digits(s, 20, 2, m) || !read_digits(s, 23, 2, sec))
    return std::nullopt;
  const auto mon = s.substr(8, 3);
  int month = 0;
  for (std::size_t i = 0; i < months.size(); ++i)
    if (months[i] == mon) month = static_cast<int>(i) + 1;
  if (month == 0 || day < 1 || day > 31 || h > 23 || m > 59 || sec > 60) return std::nullopt;
  using namespace std::chrono;
  const auto ymd = year_month_day{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                  std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  return sys_days{ymd} + hours{h} + minutes{m} + seconds{sec};
}

}  // namespace berth::aws
