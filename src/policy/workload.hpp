// File: src/policy/workload.hpp — what berth schedules: a workload is named by its kind and its name.
// Every part keys by WorkloadKey (work queue, store, API adapters, logs): a service and a daemon
// environment of the same name are two workloads and never share tasks, state or queue slots.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace berth::policy {

enum class WorkloadKind : unsigned char {
  daemon,   // a daemon environment: one task per matching instance (Blox's daemon scheduler)
  service,  // a replica service: N tasks placed by berth
  job,      // a scheduled job: tasks run on a schedule or trigger
};
inline constexpr std::size_t workload_kind_count = 3;

// "daemon", "service", "job": the spelling used in logs, store keys and metrics labels.
const char* to_string(WorkloadKind kind);
std::optional<WorkloadKind> workload_kind_from_string(std::string_view s);

struct WorkloadKey {
  WorkloadKind kind = WorkloadKind::daemon;
  std::string name;

  static WorkloadKey daemon(std::string name) { return {WorkloadKind::daemon, std::move(name)}; }
  static WorkloadKey service(std::string name) { return {WorkloadKind::service, std::move(name)}; }
  static WorkloadKey job(std::string name) { return {WorkloadKind::job, std::move(name)}; }

  // "daemon/<name>": for logs and metrics labels. Names may contain '/', so parse() splits at the first.
  std::string str() const;
  static std::optional<WorkloadKey> parse(std::string_view s);

  friend auto operator<=>(const WorkloadKey&, const WorkloadKey&) = default;
  friend bool operator==(const WorkloadKey&, const WorkloadKey&) = default;
};

struct WorkloadKeyHash {
  std::size_t operator()(const WorkloadKey& k) const {
    return std::hash<std::string_view>{}(k.name) * 31 + static_cast<std::size_t>(k.kind);
  }
};

}  // namespace berth::policy
