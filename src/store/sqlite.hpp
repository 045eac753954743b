// File: src/store/sqlite.hpp — thin RAII wrappers over the sqlite3 C API (connection, prepared statement).
// Only the store uses these; they translate SQLite result codes into StoreError values.
#pragma once

#include "store/store_error.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace berth::store::sqlite {

// Maps an SQLite result code (and the connection's message) to our error value.
StoreError make_error(sqlite3* db, int rc, std::string_view what);

// A prepared statement. Binding indices are 1-based as in SQLite. Not copyable; movable.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(Statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
  Statement& operator=(Statement&& o) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind(int idx, std::string_view v);
  void bind(int idx, std::int64_t v);
  void bind_null(int idx);
  void bind_optional(int idx, const std::optional<std::int64_t>& v);
  // Binds an empty string as NULL (used for optional unique columns such as deployment tokens).
  void bind_text_or_null(int idx, std::string_view v);

  // Steps once. Returns true when a row is available, false when done.
  StoreResult<bool> step();
  // Steps to completion, expecting no rows.
  StoreResult<void> run();
  // Resets for reuse and clears bindings. Safe to call repeatedly.
  void reset();

  std::string column_text(int col) const;
  std::int64_t column_int(int col) const;
  std::optional<std::int64_t> column_optional_int(int col) const;
  bool column_is_null(int col) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a (cached) statement when the scope ends, so a statement is never left mid-iteration.
class StatementUse {
 public:
  explicit StatementUse(Statement& s) : s_(&s) {}
  ~StatementUse() { s_->reset(); }
  StatementUse(const StatementUse&) = delete;
  StatementUse& operator=(const StatementUse&) = delete;
  Statement* operator->() { return s_; }
  Statement& operator*() { return *s_; }

 private:
  Statement* s_;
};

// An open connection; closes on destruction.
class Database {
 public:
  static StoreResult<Database> open(const std::string& path);
  Database() = default;
  Database(Database&& o) noexcept : db_(o.db_) { o.db_ = nullptr; }
  Database& operator=(Database&& o) noexcept;
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // Runs one or more statements without results (schema, pragmas, BEGIN/COMMIT).
  StoreResult<void> exec(const std::string& sql);
  StoreResult<Statement> prepare(std::string_view sql);
  // Rows changed by the last INSERT/UPDATE/DELETE.
  int changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

}  // namespace berth::store::sqlite
