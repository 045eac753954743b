// File: src/store/sqlite.cpp — RAII sqlite3 wrappers: error mapping, binding, stepping.
#include "store/sqlite.hpp"

#include <sqlite3.h>

namespace berth::store::sqlite {

StoreError make_error(sqlite3* db, int rc, std::string_view what) {
  StoreErrc code = StoreErrc::io;
  switch (rc & 0xff) {  // primary code; extended codes keep the low byte
    case SQLITE_BUSY:
    case SQLITE_LOCKED: code = StoreErrc::busy; break;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT: code = StoreErrc::corrupt; break;
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG:
    case SQLITE_RANGE: code = StoreErrc::invalid_argument; break;
    default: break;
  }
  std::string msg(what);
  msg += ": ";
  // sqlite3_errmsg describes the most recent failure on this connection; errstr is the generic text.
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return StoreError{code, std::move(msg)};
}

Statement& Statement::operator=(Statement&& o) noexcept {
  if (this != &o) {
    if (stmt_) sqlite3_finalize(stmt_);
    db_ = o.db_;
    stmt_ = o.stmt_;
    o.stmt_ = nullptr;
  }
  return *this;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

void Statement::bind(int idx, std::string_view v) {
  // A default string_view has data() == nullptr, which SQLite would bind as NULL rather than ''.
  sqlite3_bind_text64(stmt_, idx, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}
void Statement::bind(int idx, std::int64_t v) { sqlite3_bind_int64(stmt_, idx, v); }
void Statement::bind_null(int idx) { sqlite3_bind_null(stmt_, idx); }
void Statement::bind_optional(int idx, const std::optional<std::int64_t>& v) {
  if (v) bind(idx, *v);
  else bind_null(idx);
}
void Statement::bind_text_or_null(int idx, std::string_view v) {
  if (v.empty()) bind_null(idx);
  else bind(idx, v);
}

StoreResult<bool> Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_error(db_, rc, "step");
}

StoreResult<void> Statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return r.error();
    if (!*r) return {};
  }
}

void Statement::reset() {
  if (!stmt_) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Statement::column_text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)) : std::string();
}
std::int64_t Statement::column_int(int col) const { return sqlite3_column_int64(stmt_, col); }
bool Statement::column_is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
std::optional<std::int64_t> Statement::column_optional_int(int col) const {
  if (column_is_null(col)) return std::nullopt;
  return column_int(col);
}

StoreResult<Database> Database::open(const std::string& path) {
  sqlite3* db = nullptr;
  // FULLMUTEX is unnecessary: one connection is used from one thread (the reactor's loop).
  int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  if (rc != SQLITE_OK) {
    StoreError e = make_error(db, rc, "open " + path);
    sqlite3_close_v2(db);  // a handle is returned even on failure and must be closed
    return e;
  }
  sqlite3_extended_result_codes(db, 1);
  return Database(db);
}

Database& Database::operator=(Database&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = o.db_;
    o.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  // close_v2 defers the close until every statement is finalized, so member order cannot leak.
  if (db_) sqlite3_close_v2(db_);
}

StoreResult<void> Database::exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (err) sqlite3_free(err);
  if (rc != SQLITE_OK) return make_error(db_, rc, "exec");
  return {};
}

StoreResult<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                              nullptr);
  if (rc != SQLITE_OK) return make_error(db_, rc, "prepare");
  return Statement(db_, stmt);
}

int Database::changes() const { return sqlite3_changes(db_); }

}  // namespace berth::store::sqlite
