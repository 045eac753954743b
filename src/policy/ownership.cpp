// File: src/policy/ownership.cpp — encode/parse of berth's startedBy and group task tags.
#include "policy/ownership.hpp"

#include <array>

namespace berth::policy {

namespace {

struct KindTags {
  WorkloadKind kind;
  std::string_view started_by_prefix;
  std::string_view group_prefix;
};
// No prefix is a prefix of another kind's ("berth:" is not one of "berth-svc:"), so a tag names one kind.
constexpr std::array<KindTags, workload_kind_count> kind_tags{{
    {WorkloadKind::daemon, "berth/", "berth:"},
    {WorkloadKind::service, "berth-svc/", "berth-svc:"},
    {WorkloadKind::job, "berth-job/", "berth-job:"},
}};

const KindTags& tags_of(WorkloadKind kind) { return kind_tags[static_cast<std::size_t>(kind)]; }

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

std::string encode_started_by(const WorkloadKey& workload) {
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t h = fnv1a64(workload.name);
  std::string out(tags_of(workload.kind).started_by_prefix);
  for (int shift = 60; shift >= 0; shift -= 4) out.push_back(digits[(h >> shift) & 0xf]);
  return out;
}

std::optional<std::string> encode_group(const WorkloadKey& workload, std::string_view deployment_id) {
  if (deployment_id.find(':') != std::string_view::npos) return std::nullopt;
  const auto prefix = tags_of(workload.kind).group_prefix;
  std::string out;
  out.reserve(prefix.size() + workload.name.size() + 1 + deployment_id.size());
  out.append(prefix).append(workload.name).append(":").append(deployment_id);
  if (out.size() > max_group_length) return std::nullopt;
  return out;
}

std::optional<GroupTag> parse_group(std::string_view group) {
  for (const auto& tags : kind_tags) {
    if (!group.starts_with(tags.group_prefix)) continue;
    auto rest = group.substr(tags.group_prefix.size());
    auto colon = rest.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    return GroupTag{tags.kind, rest.substr(0, colon), rest.substr(colon + 1)};
  }
  return std::nullopt;
}

std::optional<WorkloadKind> started_by_kind(std::string_view s) {
  for (const auto& tags : kind_tags) {
    if (!s.starts_with(tags.started_by_prefix) || s.size() != tags.started_by_prefix.size() + 16) continue;
    for (char c : s.substr(tags.started_by_prefix.size()))
      if (!is_lower_hex(c)) return std::nullopt;
    return tags.kind;
  }
  return std::nullopt;
}

Ownership classify_task(std::string_view started_by, std::string_view group, const WorkloadKey& workload) {
  if (!started_by_kind(started_by)) return Ownership::foreign;
  if (started_by != encode_started_by(workload)) return Ownership::other_workload;
  // A task launched by berth always carries its group; an empty group (expectation not yet described)
  // is trusted on startedBy alone.
  if (group.empty()) return Ownership::ours;
  auto tag = parse_group(group);
  if (!tag || tag->kind != workload.kind || tag->name != workload.name) return Ownership::other_workload;
  return Ownership::ours;
}

std::size_t max_workload_name_length(WorkloadKind kind, std::size_t deployment_id_length) {
  return max_group_length - tags_of(kind).group_prefix.size() - 1 /* ':' */ - deployment_id_length;
}

}  // namespace berth::policy
