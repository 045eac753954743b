// File: src/policy/ownership.cpp — encode/parse of berth's startedBy and group task tags.
#include "policy/ownership.hpp"

namespace berth::policy {

namespace {
constexpr std::string_view started_by_prefix = "berth/";
constexpr std::string_view group_prefix = "berth:";

bool is_lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

std::uint64_t fnv1a64(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string encode_started_by(std::string_view environment) {
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t h = fnv1a64(environment);
  std::string out(started_by_prefix);
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(digits[(h >> shift) & 0xf]);
  return out;
}

std::optional<std::string> encode_group(std::string_view environment, std::string_view deployment_id) {
  if (deployment_id.find(':') != std::string_view::npos) return std::nullopt;
  std::string out;
  out.reserve(group_prefix.size() + environment.size() + 1 + deployment_id.size());
  out.append(group_prefix).append(environment).append(":").append(deployment_id);
  if (out.size() > max_group_length) return std::nullopt;
  return out;
}

std::optional<GroupTag> parse_group(std::string_view group) {
  if (!group.starts_with(group_prefix)) return std::nullopt;
  auto rest = group.substr(group_prefix.size());
  auto colon = rest.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  return GroupTag{rest.substr(0, colon), rest.substr(colon + 1)};
}

bool is_berth_started_by(std::string_view s) {
  if (!s.starts_with(started_by_prefix) || s.size() != started_by_prefix.size() + 16) return false;
  for (char c : s.substr(started_by_prefix.size()))
    if (!is_lower_hex(c)) return false;
  return true;
}

Ownership classify_task(std::string_view started_by, std::string_view group, std::string_view environment) {
  if (!is_berth_started_by(started_by)) return Ownership::foreign;
  if (started_by != encode_started_by(environment)) return Ownership::other_environment;
  // A task launched by berth always carries its group; an empty group (expectation not yet described)
  // is trusted on startedBy alone.
  if (group.empty()) return Ownership::ours;
  auto tag = parse_group(group);
  if (!tag || tag->environment != environment) return Ownership::other_environment;
  return Ownership::ours;
}

}  // namespace berth::policy
