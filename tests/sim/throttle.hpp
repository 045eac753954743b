// File: tests/sim/throttle.hpp — ECS-like request throttling: token buckets per action category.
#pragma once
#include "timers.hpp"

#include <algorithm>
#include <map>
#include <string>

namespace berth::sim {

struct TokenBucket {
  double burst = 100, rate = 20;  // tokens, tokens per second
  double tokens = 100;
  Clock::time_point last = Clock::now();

  bool take(Clock::time_point now) {
    tokens = std::min(burst, tokens + rate * std::chrono::duration<double>(now - last).count());
    last = now;
    if (tokens < 1.0) return false;
    tokens -= 1.0;
    return true;
  }
  void reset(double b, double r) {
    burst = b;
    rate = r;
    tokens = b;
    last = Clock::now();
  }
};

// ECS throttles per account and action category: modify actions (burst 100, 40/s) and
// describe/list actions (burst 100, 20/s). Unknown categories pass.
class Throttle {
public:
  Throttle() {
    modify_.reset(100, 40);
    read_.reset(100, 20);
  }
  bool enabled = true;
  // True when the call may proceed.
  bool admit(const std::string& op) {
    if (!enabled) return true;
    return bucket(op).take(Clock::now());
  }
  TokenBucket& modify() { return modify_; }
  TokenBucket& read() { return read_; }
  TokenBucket& bucket(const std::string& op) {
    if (auto it = per_op_.find(op); it != per_op_.end()) return it->second;
    return op.rfind("List", 0) == 0 || op.rfind("Describe", 0) == 0 ? read_ : modify_;
  }
  // Gives one operation its own bucket instead of its category's.
  void set_operation(const std::string& op, double burst, double rate) { per_op_[op].reset(burst, rate); }
  const std::map<std::string, TokenBucket>& operations() const { return per_op_; }

private:
  TokenBucket modify_, read_;
  std::map<std::string, TokenBucket> per_op_;
};

}  // namespace berth::sim
