// File: src/policy/workload.cpp — spelling of workload kinds and keys.
#include "policy/workload.hpp"

namespace berth::policy {

const char* to_string(WorkloadKind kind) {
  switch (kind) {
    case WorkloadKind::daemon: return "daemon";
    case WorkloadKind::service: return "service";
    case WorkloadKind::job: return "job";
  }
  return "daemon";
}

std::optional<WorkloadKind> workload_kind_from_string(std::string_view s) {
  if (s == "daemon") return WorkloadKind::daemon;
  if (s == "service") return WorkloadKind::service;
  if (s == "job") return WorkloadKind::job;
  return std::nullopt;
}

std::string WorkloadKey::str() const {
  std::string out = to_string(kind);
  out.push_back('/');
  out.append(name);
  return out;
}

std::optional<WorkloadKey> WorkloadKey::parse(std::string_view s) {
  auto slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto kind = workload_kind_from_string(s.substr(0, slash));
  if (!kind) return std::nullopt;
  return WorkloadKey{*kind, std::string(s.substr(slash + 1))};
}

}  // namespace berth::policy
