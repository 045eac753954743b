// File: src/policy/job.cpp — spellings of the job enums (API, store and logs use the same).
#include "policy/job.hpp"

#include <array>
#include <utility>

namespace berth::policy {

namespace {
constexpr std::array<std::pair<ConcurrencyPolicy, const char*>, 3> concurrency_names{{
    {ConcurrencyPolicy::allow, "Allow"}, {ConcurrencyPolicy::forbid, "Forbid"}, {ConcurrencyPolicy::replace, "Replace"}}};
constexpr std::array<std::pair<RunStatus, const char*>, 6> run_status_names{{{RunStatus::requested, "requested"},
                                                                            {RunStatus::launching, "launching"},
                                                                            {RunStatus::running, "running"},
                                                                            {RunStatus::succeeded, "succeeded"},
                                                                            {RunStatus::failed, "failed"},
                                                                            {RunStatus::skipped, "skipped"}}};

template <class E, std::size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& names, E e) {
  for (const auto& [value, name] : names)
    if (value == e) return name;
  return "?";
}
template <class E, std::size_t N>
std::optional<E> value_of(const std::array<std::pair<E, const char*>, N>& names, std::string_view s) {
  for (const auto& [value, name] : names)
    if (s == name) return value;
  return std::nullopt;
}
}  // namespace

const char* to_string(ConcurrencyPolicy p) { return name_of(concurrency_names, p); }
std::optional<ConcurrencyPolicy> concurrency_policy_from_string(std::string_view s) {
  return value_of(concurrency_names, s);
}
const char* to_string(RunStatus s) { return name_of(run_status_names, s); }
std::optional<RunStatus> run_status_from_string(std::string_view s) { return value_of(run_status_names, s); }

}  // namespace berth::policy
