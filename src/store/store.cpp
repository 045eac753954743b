// File: src/store/store.cpp — Store: schema and migrations, environment/deployment rows, transactions.
#include "store/store.hpp"

#include "store/store_codec.hpp"

#include <array>
#include <type_traits>
#include <utility>

namespace berth::store {
namespace {

using policy::Deployment;
using policy::DeploymentStatus;
using policy::Environment;

// Forward migrations, applied in order inside one transaction. Index i upgrades version i to i+1.
// Never edit a shipped entry: append a new one (and bump Store::schema_version).
constexpr std::array<const char*, 1> migrations = {
    // 0 -> 1: initial schema.
    R"sql(
CREATE TABLE environments (
  name TEXT PRIMARY KEY NOT NULL,
  cluster TEXT NOT NULL,
  attributes TEXT NOT NULL DEFAULT '[]',       -- JSON [{"name","value"}]
  constraint_expr TEXT NOT NULL DEFAULT '',
  task_definition TEXT NOT NULL,
  rollout TEXT NOT NULL DEFAULT '{}',          -- JSON, see store_codec
  active_deployment_id TEXT NOT NULL DEFAULT '',
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,                 -- system_clock ticks
  updated_at INTEGER NOT NULL
);
CREATE INDEX environments_by_cluster ON environments(cluster, name);
CREATE TABLE deployments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,       -- insertion order: "newest first" without trusting clocks
  id TEXT NOT NULL UNIQUE,
  environment TEXT NOT NULL REFERENCES environments(name) ON DELETE CASCADE,
  task_definition TEXT NOT NULL,
  previous_task_definition TEXT NOT NULL DEFAULT '',
  token TEXT,                                  -- NULL when the client gave none
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  desired_count INTEGER NOT NULL DEFAULT 0,
  updated_count INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0,
  failed_instances TEXT NOT NULL DEFAULT '[]', -- JSON array of instance ARNs
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  UNIQUE (environment, token)
);
CREATE INDEX deployments_by_environment ON deployments(environment, seq);
CREATE TABLE kv (
  ns TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (ns, key)
) WITHOUT ROWID;
)sql",
};
static_assert(migrations.size() == Store::schema_version);

constexpr const char* env_columns =
    "name, cluster, attributes, constraint_expr, task_definition, rollout, active_deployment_id, revision, "
    "created_at, updated_at";
constexpr const char* deployment_columns =
    "id, environment, task_definition, previous_task_definition, token, status, reason, desired_count, "
    "updated_count, failed_count, failed_instances, created_at, started_at, ended_at";

StoreError not_found(std::string what) { return StoreError{StoreErrc::not_found, std::move(what)}; }

StoreResult<Environment> read_environment(sqlite::Statement& s) {
  Environment e;
  e.name = s.column_text(0);
  e.cluster = s.column_text(1);
  auto attrs = codec::decode_attributes(s.column_text(2));
  if (!attrs) return attrs.error();
  e.attributes = std::move(*attrs);
  e.constraint = s.column_text(3);
  e.task_definition = s.column_text(4);
  auto rollout = codec::decode_rollout(s.column_text(5));
  if (!rollout) return rollout.error();
  e.rollout = std::move(*rollout);
  e.active_deployment_id = s.column_text(6);
  e.revision = s.column_int(7);
  e.created_at = codec::decode_time(s.column_int(8));
  e.updated_at = codec::decode_time(s.column_int(9));
  return e;
}

StoreResult<std::string> read_text(sqlite::Statement& s) { return s.column_text(0); }

StoreResult<std::pair<std::string, std::string>> read_key_value(sqlite::Statement& s) {
  return std::pair<std::string, std::string>(s.column_text(0), s.column_text(1));
}

StoreResult<Deployment> read_deployment(sqlite::Statement& s) {
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
  return d;
}

// How a value is bound: text, integer, integer or NULL, or text with "" as NULL (optional unique columns).
struct TextOrNull {
  std::string_view text;
};
void bind_value(sqlite::Statement& s, int idx, std::string_view v) { s.bind(idx, v); }
void bind_value(sqlite::Statement& s, int idx, std::int64_t v) { s.bind(idx, v); }
void bind_value(sqlite::Statement& s, int idx, const std::optional<std::int64_t>& v) { s.bind_optional(idx, v); }
void bind_value(sqlite::Statement& s, int idx, TextOrNull v) { s.bind_text_or_null(idx, v.text); }

// Binds `args` to ?1, ?2, ... in order.
template <class... Args>
void bind_all(sqlite::Statement& s, const Args&... args) {
  [[maybe_unused]] int idx = 0;  // unused when there is nothing to bind
  (bind_value(s, ++idx, args), ...);
}

// The statement helpers below take a cached statement (Store::stmt), bind `args` to ?1..?N and reset the
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

bool unfinished(DeploymentStatus s) { return s == DeploymentStatus::pending || s == DeploymentStatus::running; }

}  // namespace

// ---- open / configure / migrate ----------------------------------------------------------------------------

StoreResult<std::unique_ptr<Store>> Store::open(const std::string& path, StoreOptions options) {
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  std::unique_ptr<Store> store(new Store(std::move(*db)));
  if (auto r = store->configure(options); !r) return r.error();
  if (auto r = store->migrate(); !r) return r.error();
  return store;
}

Store::~Store() {
  cache_.clear();  // finalize statements before the connection closes
}

StoreResult<void> Store::configure(const StoreOptions& options) {
  // busy_timeout first: switching to WAL itself needs a lock another process may hold.
  if (auto r = db_.exec("PRAGMA busy_timeout=" + std::to_string(options.busy_timeout.count())); !r) return r;
  // journal_mode answers with the mode in effect; it is the first statement that reads the file, so a file that
  // is not a database fails here with SQLITE_NOTADB -> StoreErrc::corrupt.
  auto mode = db_.prepare("PRAGMA journal_mode=WAL");
  if (!mode) return mode.error();
  auto row = mode->step();
  if (!row) return row.error();
  std::string got = *row ? mode->column_text(0) : std::string();
  if (got != "wal" && got != "memory") {
    return StoreError{StoreErrc::io, "cannot enable WAL journal (got '" + got + "')"};
  }
  const char* sync = options.synchronous == StoreOptions::Sync::full ? "FULL" : "NORMAL";
  if (auto r = db_.exec(std::string("PRAGMA synchronous=") + sync); !r) return r;
  return db_.exec("PRAGMA foreign_keys=ON");
}

StoreResult<int> Store::stored_schema_version() {
  auto s = stmt("SELECT version FROM schema_version LIMIT 1");
  if (!s) return s.error();
  sqlite::StatementUse use(**s);
  auto row = use->step();
  if (!row) return row.error();
  if (!*row) return 0;
  return static_cast<int>(use->column_int(0));
}

StoreResult<void> Store::migrate() {
  // IMMEDIATE: two processes opening a fresh file must not both run migration 0.
  if (auto r = begin(); !r) return r;
  auto body = [&]() -> StoreResult<void> {
    if (auto r = db_.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"); !r) return r;
    auto current = stored_schema_version();
    if (!current) return current.error();
    int v = *current;
    if (v > schema_version) {
      return StoreError{StoreErrc::too_new, "database schema version " + std::to_string(v) +
                                                " is newer than this berth supports (" +
                                                std::to_string(schema_version) + ")"};
    }
    if (v == schema_version) return {};
    for (int i = v; i < schema_version; ++i) {
      if (auto r = db_.exec(migrations[static_cast<std::size_t>(i)]); !r) {
        auto e = r.error();
        e.message = "migration to version " + std::to_string(i + 1) + " failed: " + e.message;
        return e;
      }
    }
    if (auto r = db_.exec("DELETE FROM schema_version"); !r) return r;
    return db_.exec("INSERT INTO schema_version(version) VALUES (" + std::to_string(schema_version) + ")");
  };
  auto r = body();
  if (!r) {
    rollback();
    return r;
  }
  return commit();
}

// ---- statements and transactions ---------------------------------------------------------------------------

StoreResult<sqlite::Statement*> Store::stmt(std::string_view sql) {
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    auto s = db_.prepare(sql);
    if (!s) return s.error();
    it = cache_.emplace(std::string(sql), std::move(*s)).first;
  }
  return &it->second;
}

namespace {
// The name of the savepoint at nesting depth `depth` ("s1", "s2", ...).
std::string savepoint_name(int depth) {
  std::string name = "s";
  name += std::to_string(depth);
  return name;
}
}  // namespace

// Depth 0 is a real write transaction; nested calls use savepoints so an inner failure undoes only its part.
StoreResult<void> Store::begin() {
  auto r = db_.exec(txn_depth_ == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + savepoint_name(txn_depth_));
  if (r) ++txn_depth_;
  return r;
}

StoreResult<void> Store::commit() {
  BOOST_ASSERT(txn_depth_ > 0);
  if (txn_depth_ > 1) {
    auto r = db_.exec("RELEASE " + savepoint_name(txn_depth_ - 1));
    if (!r) {
      rollback();
      return r;
    }
    --txn_depth_;
    return {};
  }
  auto r = db_.exec("COMMIT");
  if (!r) {
    rollback();
    return r;
  }
  txn_depth_ = 0;
  return {};
}

void Store::rollback() {
  BOOST_ASSERT(txn_depth_ > 0);
  if (txn_depth_ > 1) {
    const std::string sp = savepoint_name(txn_depth_ - 1);
    (void)db_.exec("ROLLBACK TO " + sp);
    (void)db_.exec("RELEASE " + sp);
  } else {
    // May fail if SQLite already rolled back on its own (e.g. SQLITE_FULL); the outcome is the same.
    (void)db_.exec("ROLLBACK");
  }
  --txn_depth_;
}

template <class T>
StoreResult<T> Store::in_transaction(const std::function<StoreResult<T>()>& fn) {
  if (auto r = begin(); !r) return r.error();
  StoreResult<T> out = fn();
  if (!out) {
    rollback();
    return out;
  }
  if (auto r = commit(); !r) return r.error();
  return out;
}

StoreResult<void> Store::transact(const std::function<StoreResult<void>()>& fn) { return in_transaction<void>(fn); }

StoreResult<std::string> Store::integrity_check() {
  auto s = db_.prepare("PRAGMA integrity_check");
  if (!s) return s.error();
  std::string out;
  for (;;) {
    auto row = s->step();
    if (!row) return row.error();
    if (!*row) break;
    if (!out.empty()) out += "\n";
    out += s->column_text(0);
  }
  return out;
}

// ---- environments ------------------------------------------------------------------------------------------

StoreResult<std::optional<Environment>> Store::load_environment(std::string_view name) {
  return select_one(stmt(std::string("SELECT ") + env_columns + " FROM environments WHERE name = ?1"),
                    read_environment, name);
}

StoreResult<void> Store::write_environment_row(const Environment& env, bool insert) {
  auto s = stmt(insert ? std::string("INSERT INTO environments (") + env_columns +
                             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                       : std::string("UPDATE environments SET cluster = ?2, attributes = ?3, constraint_expr = ?4, "
                                     "task_definition = ?5, rollout = ?6, active_deployment_id = ?7, "
                                     "revision = ?8, created_at = ?9, updated_at = ?10 WHERE name = ?1"));
  return execute(std::move(s), env.name, env.cluster, codec::encode_attributes(env.attributes), env.constraint,
                 env.task_definition, codec::encode_rollout(env.rollout), env.active_deployment_id, env.revision,
                 codec::encode_time(env.created_at), codec::encode_time(env.updated_at));
}

StoreResult<Environment> Store::put_environment(const Environment& env) {
  if (env.name.empty()) return StoreError{StoreErrc::invalid_argument, "environment name is empty"};
  return in_transaction<Environment>([&]() -> StoreResult<Environment> {
    auto existing = load_environment(env.name);
    if (!existing) return existing.error();
    Environment out = env;
    if (env.revision == 0) {
      if (*existing) return StoreError{StoreErrc::already_exists, "environment '" + env.name + "' exists"};
      out.revision = 1;
      if (auto r = write_environment_row(out, true); !r) return r.error();
      return out;
    }
    if (!*existing) return not_found("environment '" + env.name + "' not found");
    if ((*existing)->revision != env.revision) {
      return StoreError{StoreErrc::conflict, "environment '" + env.name + "' is at revision " +
                                                 std::to_string((*existing)->revision) + ", not " +
                                                 std::to_string(env.revision)};
    }
    out.revision = env.revision + 1;
    out.created_at = (*existing)->created_at;
    if (auto r = write_environment_row(out, false); !r) return r.error();
    return out;
  });
}

StoreResult<Environment> Store::get_environment(std::string_view name) {
  auto e = load_environment(name);
  if (!e) return e.error();
  if (!*e) return not_found("environment '" + std::string(name) + "' not found");
  return std::move(**e);
}

StoreResult<std::vector<Environment>> Store::list_environments(std::string_view cluster) {
  return select_all(
      stmt(std::string("SELECT ") + env_columns + " FROM environments WHERE (?1 = '' OR cluster = ?1) ORDER BY name"),
      read_environment, cluster);
}

StoreResult<Environment> Store::delete_environment(std::string_view name,
                                                   std::optional<std::int64_t> expected_revision) {
  return in_transaction<Environment>([&]() -> StoreResult<Environment> {
    auto e = get_environment(name);
    if (!e) return e.error();
    if (expected_revision && *expected_revision != e->revision) {
      return StoreError{StoreErrc::conflict, "environment '" + std::string(name) + "' is at revision " +
                                                 std::to_string(e->revision)};
    }
    // Its deployments go by ON DELETE CASCADE.
    if (auto r = execute(stmt("DELETE FROM environments WHERE name = ?1"), name); !r) return r.error();
    return e;
  });
}

// ---- deployments -------------------------------------------------------------------------------------------

StoreResult<std::optional<Deployment>> Store::load_deployment(std::string_view id) {
  return select_one(stmt(std::string("SELECT ") + deployment_columns + " FROM deployments WHERE id = ?1"),
                    read_deployment, id);
}

StoreResult<void> Store::insert_deployment_row(const Deployment& d) {
  if (d.id.empty()) return StoreError{StoreErrc::invalid_argument, "deployment id is empty"};
  auto existing = load_deployment(d.id);
  if (!existing) return existing.error();
  if (*existing) return StoreError{StoreErrc::already_exists, "deployment '" + d.id + "' exists"};
  return execute(stmt(std::string("INSERT INTO deployments (") + deployment_columns +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"),
                 d.id, d.environment, d.task_definition, d.previous_task_definition, TextOrNull{d.token},
                 policy::to_string(d.status), d.reason, std::int64_t{d.desired_count},
                 std::int64_t{d.updated_count}, std::int64_t{d.failed_count},
                 codec::encode_strings(d.failed_instances), codec::encode_time(d.created_at),
                 codec::encode_time(d.started_at), codec::encode_time(d.ended_at));
}

StoreResult<Deployment> Store::get_deployment(std::string_view id) {
  auto d = load_deployment(id);
  if (!d) return d.error();
  if (!*d) return not_found("deployment '" + std::string(id) + "' not found");
  return std::move(**d);
}

StoreResult<std::optional<Deployment>> Store::find_deployment_by_token(std::string_view environment,
                                                                       std::string_view token) {
  if (token.empty()) return std::optional<Deployment>();
  return select_one(
      stmt(std::string("SELECT ") + deployment_columns + " FROM deployments WHERE environment = ?1 AND token = ?2"),
      read_deployment, environment, token);
}

StoreResult<std::vector<Deployment>> Store::list_deployments(std::string_view environment, std::size_t limit) {
  return select_all(stmt(std::string("SELECT ") + deployment_columns +
                         " FROM deployments WHERE environment = ?1 ORDER BY seq DESC LIMIT ?2"),
                    read_deployment, environment, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
}

StoreResult<std::vector<Deployment>> Store::list_unfinished_deployments() {
  return select_all(stmt(std::string("SELECT ") + deployment_columns +
                         " FROM deployments WHERE status IN ('pending', 'running') ORDER BY seq"),
                    read_deployment);
}

StoreResult<void> Store::update_deployment(const Deployment& d) {
  auto r = execute(
      stmt("UPDATE deployments SET status = ?2, reason = ?3, desired_count = ?4, updated_count = ?5, "
           "failed_count = ?6, failed_instances = ?7, started_at = ?8, ended_at = ?9 WHERE id = ?1"),
      d.id, policy::to_string(d.status), d.reason, std::int64_t{d.desired_count}, std::int64_t{d.updated_count},
      std::int64_t{d.failed_count}, codec::encode_strings(d.failed_instances), codec::encode_time(d.started_at),
      codec::encode_time(d.ended_at));
  if (!r) return r;
  if (db_.changes() == 0) return not_found("deployment '" + d.id + "' not found");
  return {};
}

StoreResult<StartedDeployment> Store::create_deployment(const Deployment& d) {
  return in_transaction<StartedDeployment>([&]() -> StoreResult<StartedDeployment> {
    auto env = get_environment(d.environment);
    if (!env) return env.error();
    auto existing = find_deployment_by_token(d.environment, d.token);
    if (!existing) return existing.error();
    if (*existing) return StartedDeployment{std::move(**existing), false, std::nullopt, std::move(*env)};
    if (auto r = insert_deployment_row(d); !r) return r.error();
    return StartedDeployment{d, true, std::nullopt, std::move(*env)};
  });
}

StoreResult<StartedDeployment> Store::start_deployment_locked(const Deployment& d,
                                                              std::optional<std::int64_t> expected_env_revision) {
  auto env = get_environment(d.environment);
  if (!env) return env.error();
  auto existing = find_deployment_by_token(d.environment, d.token);
  if (!existing) return existing.error();
  if (*existing) return StartedDeployment{std::move(**existing), false, std::nullopt, std::move(*env)};
  if (expected_env_revision && *expected_env_revision != env->revision) {
    return StoreError{StoreErrc::conflict, "environment '" + env->name + "' is at revision " +
                                               std::to_string(env->revision)};
  }
  StartedDeployment out;
  // The rollback target is the last definition known to be stable: if we supersede an unfinished rollout, its
  // own target never became stable, so inherit what it would have rolled back to.
  std::string previous = env->task_definition;
  if (!env->active_deployment_id.empty()) {
    auto active = load_deployment(env->active_deployment_id);
    if (!active) return active.error();
    if (*active && unfinished((*active)->status)) {
      Deployment old = std::move(**active);
      previous = old.previous_task_definition;
      old.status = DeploymentStatus::failed;
      old.reason = std::string(superseded_reason);
      old.ended_at = d.created_at;
      if (auto r = update_deployment(old); !r) return r.error();
      out.superseded = std::move(old);
    }
  }
  Deployment nd = d;
  nd.previous_task_definition = previous;
  nd.status = DeploymentStatus::pending;
  nd.reason.clear();
  nd.updated_count = 0;
  nd.failed_count = 0;
  nd.failed_instances.clear();
  nd.started_at.reset();
  nd.ended_at.reset();
  if (auto r = insert_deployment_row(nd); !r) return r.error();
  env->task_definition = nd.task_definition;
  env->active_deployment_id = nd.id;
  env->revision += 1;
  env->updated_at = nd.created_at;
  if (auto r = write_environment_row(*env, false); !r) return r.error();
  out.deployment = std::move(nd);
  out.created = true;
  out.environment = std::move(*env);
  return out;
}

StoreResult<StartedDeployment> Store::start_deployment(const Deployment& d,
                                                       std::optional<std::int64_t> expected_env_revision) {
  return in_transaction<StartedDeployment>(
      [&]() -> StoreResult<StartedDeployment> { return start_deployment_locked(d, expected_env_revision); });
}

StoreResult<StartedDeployment> Store::create_environment_with_deployment(const Environment& env,
                                                                         const Deployment& first) {
  if (env.name.empty()) return StoreError{StoreErrc::invalid_argument, "environment name is empty"};
  if (first.environment != env.name) {
    return StoreError{StoreErrc::invalid_argument, "first deployment belongs to another environment"};
  }
  return in_transaction<StartedDeployment>([&]() -> StoreResult<StartedDeployment> {
    auto existing = load_environment(env.name);
    if (!existing) return existing.error();
    if (*existing) return StoreError{StoreErrc::already_exists, "environment '" + env.name + "' exists"};
    Environment e = env;
    e.revision = 1;
    e.task_definition = first.task_definition;
    e.active_deployment_id = first.id;
    if (auto r = write_environment_row(e, true); !r) return r.error();
    Deployment d = first;
    d.previous_task_definition.clear();
    d.status = DeploymentStatus::pending;
    if (auto r = insert_deployment_row(d); !r) return r.error();
    return StartedDeployment{std::move(d), true, std::nullopt, std::move(e)};
  });
}

StoreResult<StartedDeployment> Store::finish_deployment(std::string_view id, DeploymentStatus status,
                                                        std::string_view reason, policy::SystemTime now) {
  if (unfinished(status)) {
    return StoreError{StoreErrc::invalid_argument, "finish_deployment needs a final status"};
  }
  return in_transaction<StartedDeployment>([&]() -> StoreResult<StartedDeployment> {
    auto d = get_deployment(id);
    if (!d) return d.error();
    auto env = get_environment(d->environment);
    if (!env) return env.error();
    d->status = status;
    d->reason = std::string(reason);
    d->ended_at = now;
    if (auto r = update_deployment(*d); !r) return r.error();
    if (env->active_deployment_id == d->id) {
      env->active_deployment_id.clear();
      if (status == DeploymentStatus::completed) env->task_definition = d->task_definition;
      if (status == DeploymentStatus::rolled_back && !d->previous_task_definition.empty()) {
        env->task_definition = d->previous_task_definition;
      }
      env->revision += 1;
      env->updated_at = now;
      if (auto r = write_environment_row(*env, false); !r) return r.error();
    }
    return StartedDeployment{std::move(*d), true, std::nullopt, std::move(*env)};
  });
}

// ---- key/value ---------------------------------------------------------------------------------------------

StoreResult<void> Store::kv_put(std::string_view ns, std::string_view key, std::string_view value) {
  return execute(stmt("INSERT INTO kv (ns, key, value) VALUES (?1, ?2, ?3) "
                      "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value"),
                 ns, key, value);
}

StoreResult<std::optional<std::string>> Store::kv_get(std::string_view ns, std::string_view key) {
  return select_one(stmt("SELECT value FROM kv WHERE ns = ?1 AND key = ?2"), read_text, ns, key);
}

StoreResult<bool> Store::kv_delete(std::string_view ns, std::string_view key) {
  if (auto r = execute(stmt("DELETE FROM kv WHERE ns = ?1 AND key = ?2"), ns, key); !r) return r.error();
  return db_.changes() > 0;
}

StoreResult<std::vector<std::pair<std::string, std::string>>> Store::kv_list(std::string_view ns) {
  return select_all(stmt("SELECT key, value FROM kv WHERE ns = ?1 ORDER BY key"), read_key_value, ns);
}

}  // namespace berth::store
