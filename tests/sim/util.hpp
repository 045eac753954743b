// File: tests/sim/util.hpp — small helpers shared by the sim: seeded ids, clock formatting, MD5.
#pragma once
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

namespace berth::sim {

// Deterministic (seeded) source of ids and fault decisions.
class Random {
public:
  explicit Random(std::uint64_t seed) : rng_(seed) {}
  double uniform() { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_); }
  bool chance(double p) { return p > 0.0 && uniform() < p; }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
  std::string uuid();                 // 8-4-4-4-12 lowercase hex
  std::string hex(std::size_t chars);  // lowercase hex
private:
  std::mt19937_64 rng_;
};

// Wall-clock milliseconds since the epoch (the API's timestamps).
std::int64_t now_ms();
// "2016-12-06T16:41:06.991Z" (events' timestamps) and "2016-12-06T16:41:06Z" (envelope time).
std::string iso8601_ms(std::int64_t epoch_ms);
std::string iso8601_s(std::int64_t epoch_ms);
// Lowercase hex MD5 (SQS MD5OfBody).
std::string md5_hex(const std::string& data);

}  // namespace berth::sim
