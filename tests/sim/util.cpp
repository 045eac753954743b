// File: tests/sim/util.cpp — seeded ids, ISO-8601 formatting and MD5 for the sim.
#include "util.hpp"

#include <openssl/evp.h>

#include <cstdio>
#include <ctime>

namespace berth::sim {

std::string Random::hex(std::size_t chars) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(chars);
  std::uint64_t bits = 0;
  int left = 0;
  for (std::size_t i = 0; i < chars; ++i) {
    if (left == 0) {
      bits = rng_();
      left = 16;
    }
    out.push_back(digits[bits & 0xF]);
    bits >>= 4;
    --left;
  }
  return out;
}

std::string Random::uuid() {
  std::string h = hex(32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" +
         h.substr(20, 12);
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

namespace {
std::tm utc(std::int64_t epoch_ms) {
  std::time_t secs = static_cast<std::time_t>(epoch_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}
}  // namespace

std::string iso8601_ms(std::int64_t epoch_ms) {
  std::tm tm = utc(epoch_ms);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(epoch_ms % 1000));
  return buf;
}

std::string iso8601_s(std::int64_t epoch_ms) {
  std::tm tm = utc(epoch_ms);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string md5_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(digits[md[i] >> 4]);
    out.push_back(digits[md[i] & 0xF]);
  }
  return out;
}

}  // namespace berth::sim
