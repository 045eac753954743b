// File: src/store/sqlite_rows.hpp — internal to src/store: the statement helpers and row readers the SqliteStore
// row files share (sqlite_store.cpp: environments, deployments, records, change log; sqlite_service_rows.cpp:
// services). Not for callers outside the engine.
#pragma once

#include "store/sqlite_store.hpp"
#include "store/store_codec.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace berth::store::rows {

using policy::Deployment;
using policy::DeploymentStatus;

// The deployment columns in read_deployment's order (`environment` names the workload: environment or service).
inline constexpr const char* deployment_columns =
    "id, environment, task_definition, previous_task_definition, token, status, reason, desired_count, "
    "updated_count, failed_count, failed_instances, created_at, started_at, ended_at, revision";

inline StoreError not_found(std::string what) { return StoreError{StoreErrc::not_found, std::move(what)}; }

inline StoreError conflict(std::string_view what, std::int64_t stored, std::int64_t expected) {
  return StoreError{StoreErrc::conflict, std::string(what) + " is at revision " + std::to_string(stored) +
                                             ", not " + std::to_string(expected)};
}

inline StoreResult<Deployment> read_deployment(sqlite::Statement& s) {
  Deployment d;
  d.id = s.column_text(0);
  d.environment = s.column_text(1);
  d.task_definition = s.column_text(2);
  d.previous_task_definition = s.column_text(3);
  d.token = s.column_text(4);  // NULL reads as ""
  auto status = policy::deployment_status_from_string(s.column_text(5));
  if (!status) return StoreError{StoreErrc::corrupt, "bad stored deployment status"};
  d.status = *status;
  d.reason = s.column_text(6);
  d.desired_count = static_cast<std::uint32_t>(s.column_int(7));
  d.updated_count = static_cast<std::uint32_t>(s.column_int(8));
  d.failed_count = static_cast<std::uint32_t>(s.column_int(9));
  auto failed = codec::decode_strings(s.column_text(10));
  if (!failed) return failed.error();
  d.failed_instances = std::move(*failed);
  d.created_at = codec::decode_time(s.column_int(11));
  d.started_at = codec::decode_time(s.column_optional_int(12));
  d.ended_at = codec::decode_time(s.column_optional_int(13));
  d.revision = s.column_int(14);
  return d;
}

// How a value is bound: text, integer, integer or NULL, or text with "" as NULL (optional unique columns).
struct TextOrNull {
  std::string_view text;
};
inline void bind_value(sqlite::Statement& s, int idx, std::string_view v) { s.bind(idx, v); }
inline void bind_value(sqlite::Statement& s, int idx, std::int64_t v) { s.bind(idx, v); }
inline void bind_value(sqlite::Statement& s, int idx, const std::optional<std::int64_t>& v) { s.bind_optional(idx, v); }
inline void bind_value(sqlite::Statement& s, int idx, TextOrNull v) { s.bind_text_or_null(idx, v.text); }

// Binds `args` to ?1, ?2, ... in order.
template <class... Args>
inline void bind_all(sqlite::Statement& s, const Args&... args) {
  [[maybe_unused]] int idx = 0;  // unused when there is nothing to bind
  (bind_value(s, ++idx, args), ...);
}

// The statement helpers below take a cached statement (SqliteStore::stmt), bind `args` to ?1..?N and reset the
// statement when done, so a cached statement is never left bound or mid-iteration.

// Runs a statement that returns no rows (INSERT, UPDATE, DELETE).
template <class... Args>
StoreResult<void> execute(StoreResult<sqlite::Statement*> s, const Args&... args) {
  if (!s) return s.error();
  sqlite::StatementUse use(**s);
  bind_all(*use, args...);
  return use->run();
}

// What a row reader returns, without the StoreResult.
template <class Read>
using RowOf = typename std::invoke_result_t<Read&, sqlite::Statement&>::value_type;

// Runs a statement that selects at most one row and decodes it with `read` (Statement& -> StoreResult<T>).
template <class Read, class... Args>
StoreResult<std::optional<RowOf<Read>>> select_one(StoreResult<sqlite::Statement*> s, Read read,
                                                   const Args&... args) {
  using T = RowOf<Read>;
  if (!s) return s.error();
  sqlite::StatementUse use(**s);
  bind_all(*use, args...);
  auto row = use->step();
  if (!row) return row.error();
  if (!*row) return std::optional<T>();
  auto v = read(*use);
  if (!v) return v.error();
  return std::optional<T>(std::move(*v));
}

// Runs a statement and decodes every row with `read`, in the order selected.
template <class Read, class... Args>
StoreResult<std::vector<RowOf<Read>>> select_all(StoreResult<sqlite::Statement*> s, Read read, const Args&... args) {
  if (!s) return s.error();
  sqlite::StatementUse use(**s);
  bind_all(*use, args...);
  std::vector<RowOf<Read>> out;
  for (;;) {
    auto row = use->step();
    if (!row) return row.error();
    if (!*row) break;
    auto v = read(*use);
    if (!v) return v.error();
    out.push_back(std::move(*v));
  }
  return out;
}

inline bool unfinished(DeploymentStatus s) { return s == DeploymentStatus::pending || s == DeploymentStatus::running; }

}  // namespace berth::store::rows

namespace berth::store {

template <class T>
StoreResult<T> SqliteStore::in_transaction(const std::function<StoreResult<T>()>& fn) {
  if (auto r = begin(); !r) return r.error();
  StoreResult<T> out = fn();
  if (!out) {
    rollback();
    return out;
  }
  if (auto r = commit(); !r) return r.error();
  return out;
}

}  // namespace berth::store
