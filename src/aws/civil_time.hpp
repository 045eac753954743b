// File: src/aws/civil_time.hpp — calendar arithmetic and fixed-width digit fields for the AWS date formats.
//
// Header-only and std-only: berth_sigv4 (linked by berth-sim without Asio) and berth_aws both parse dates.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace berth::aws {

// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm), so we need neither timegm
// nor locale state.
inline std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

// Reads exactly `len` ASCII digits of `s` at `pos` into `out` (no sign, no spaces); false when any is not a
// digit or the field runs past the end.
inline bool read_digits(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  out = 0;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace berth::aws
