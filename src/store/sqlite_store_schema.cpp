// File: src/store/sqlite_store_schema.cpp — SqliteStore: open, connection settings, versioned migrations,
// statement cache and (nested) transactions.
#include "store/sqlite_store.hpp"

#include <array>
#include <string>

namespace berth::store {
namespace {

// Forward migrations, applied in order inside one transaction. Index i upgrades version i to i+1.
// Never edit a shipped entry: append a new one (and bump SqliteStore::schema_version).
constexpr std::array<const char*, 5> migrations = {
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
    // 1 -> 2: per-row revisions on deployments and records (compare-and-set for every write) and the change log
    // behind DesiredStateStore::watch. Triggers write the log, so every writer of the file (another process
    // too) is logged in the same transaction as its change.
    R"sql(
ALTER TABLE deployments ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
ALTER TABLE kv ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
CREATE TABLE changes (
  revision INTEGER PRIMARY KEY AUTOINCREMENT,  -- store-wide, never reused (AUTOINCREMENT)
  kind TEXT NOT NULL,                          -- environment | deployment | record
  key TEXT NOT NULL,                           -- name | environment/id | ns/key
  deleted INTEGER NOT NULL DEFAULT 0
);
CREATE TRIGGER environments_log_insert AFTER INSERT ON environments
  BEGIN INSERT INTO changes (kind, key) VALUES ('environment', NEW.name); END;
CREATE TRIGGER environments_log_update AFTER UPDATE ON environments
  BEGIN INSERT INTO changes (kind, key) VALUES ('environment', NEW.name); END;
CREATE TRIGGER environments_log_delete AFTER DELETE ON environments
  BEGIN INSERT INTO changes (kind, key, deleted) VALUES ('environment', OLD.name, 1); END;
CREATE TRIGGER deployments_log_insert AFTER INSERT ON deployments
  BEGIN INSERT INTO changes (kind, key) VALUES ('deployment', NEW.environment || '/' || NEW.id); END;
CREATE TRIGGER deployments_log_update AFTER UPDATE ON deployments
  BEGIN INSERT INTO changes (kind, key) VALUES ('deployment', NEW.environment || '/' || NEW.id); END;
CREATE TRIGGER deployments_log_delete AFTER DELETE ON deployments
  BEGIN INSERT INTO changes (kind, key, deleted) VALUES ('deployment', OLD.environment || '/' || OLD.id, 1); END;
CREATE TRIGGER kv_log_insert AFTER INSERT ON kv
  BEGIN INSERT INTO changes (kind, key) VALUES ('record', NEW.ns || '/' || NEW.key); END;
CREATE TRIGGER kv_log_update AFTER UPDATE ON kv
  BEGIN INSERT INTO changes (kind, key) VALUES ('record', NEW.ns || '/' || NEW.key); END;
CREATE TRIGGER kv_log_delete AFTER DELETE ON kv
  BEGIN INSERT INTO changes (kind, key, deleted) VALUES ('record', OLD.ns || '/' || OLD.key, 1); END;
-- Keeps the newest change_log_rows (10000) rows: a watcher further behind re-reads everything (reset).
CREATE TRIGGER changes_compact AFTER INSERT ON changes
  BEGIN DELETE FROM changes WHERE revision <= NEW.revision - 10000; END;
)sql",
    // 2 -> 3: replica services: the spec in effect, its version history, its deployments.
    R"sql(
CREATE TABLE services (
  name TEXT PRIMARY KEY NOT NULL,
  cluster TEXT NOT NULL,
  spec TEXT NOT NULL,                          -- JSON, see service_codec
  version INTEGER NOT NULL,
  active_deployment_id TEXT NOT NULL DEFAULT '',
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX services_by_cluster ON services(cluster, name);
CREATE TABLE service_versions (
  service TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  spec TEXT NOT NULL,
  stable INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (service, version)
) WITHOUT ROWID;
CREATE TABLE service_deployments (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  environment TEXT NOT NULL REFERENCES services(name) ON DELETE CASCADE,  -- the service (Deployment::environment)
  task_definition TEXT NOT NULL,
  previous_task_definition TEXT NOT NULL DEFAULT '',
  token TEXT,
  status TEXT NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  desired_count INTEGER NOT NULL DEFAULT 0,
  updated_count INTEGER NOT NULL DEFAULT 0,
  failed_count INTEGER NOT NULL DEFAULT 0,
  failed_instances TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  started_at INTEGER,
  ended_at INTEGER,
  revision INTEGER NOT NULL DEFAULT 1,
  version INTEGER NOT NULL,
  UNIQUE (environment, token)
);
CREATE INDEX service_deployments_by_service ON service_deployments(environment, seq);
CREATE TRIGGER services_log_insert AFTER INSERT ON services
  BEGIN INSERT INTO changes (kind, key) VALUES ('service', NEW.name); END;
CREATE TRIGGER services_log_update AFTER UPDATE ON services
  BEGIN INSERT INTO changes (kind, key) VALUES ('service', NEW.name); END;
CREATE TRIGGER services_log_delete AFTER DELETE ON services
  BEGIN INSERT INTO changes (kind, key, deleted) VALUES ('service', OLD.name, 1); END;
CREATE TRIGGER service_deployments_log_insert AFTER INSERT ON service_deployments
  BEGIN INSERT INTO changes (kind, key) VALUES ('service_deployment', NEW.environment || '/' || NEW.id); END;
CREATE TRIGGER service_deployments_log_update AFTER UPDATE ON service_deployments
  BEGIN INSERT INTO changes (kind, key) VALUES ('service_deployment', NEW.environment || '/' || NEW.id); END;
)sql",
    // 3 -> 4: scheduled jobs (spec, cursor, counters) and their runs. Deleting a job deletes its runs (cascade);
    // the run delete trigger logs each of them, as it logs runs pruned by the history limit.
    R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY NOT NULL,
  cluster TEXT NOT NULL,
  spec TEXT NOT NULL,                          -- JSON, see job_codec
  handled_through INTEGER NOT NULL,            -- epoch seconds: every slot at or before it is handled
  missed_slots INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX jobs_by_cluster ON jobs(cluster, id);
CREATE TABLE job_runs (
  job TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
  id TEXT NOT NULL,
  slot INTEGER,                                -- epoch seconds; NULL for a manual run
  status TEXT NOT NULL,
  expected INTEGER NOT NULL DEFAULT 0,
  attempt INTEGER NOT NULL DEFAULT 1,
  missed_before INTEGER NOT NULL DEFAULT 0,
  batches TEXT NOT NULL DEFAULT '[]',          -- JSON, see job_codec
  tasks TEXT NOT NULL DEFAULT '[]',            -- JSON, see job_codec
  retry_at INTEGER,
  message TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  ended_at INTEGER,
  revision INTEGER NOT NULL,
  PRIMARY KEY (job, id)
) WITHOUT ROWID;
CREATE INDEX job_runs_by_job ON job_runs(job, created_at, id);
CREATE INDEX job_runs_by_status ON job_runs(status, created_at);
CREATE TRIGGER jobs_log_insert AFTER INSERT ON jobs
  BEGIN INSERT INTO changes (kind, key) VALUES ('job', NEW.id); END;
CREATE TRIGGER jobs_log_update AFTER UPDATE ON jobs
  BEGIN INSERT INTO changes (kind, key) VALUES ('job', NEW.id); END;
CREATE TRIGGER jobs_log_delete AFTER DELETE ON jobs
  BEGIN INSERT INTO changes (kind, key, deleted) VALUES ('job', OLD.id, 1); END;
CREATE TRIGGER job_runs_log_insert AFTER INSERT ON job_runs
  BEGIN INSERT INTO changes (kind, key) VALUES ('job_run', NEW.job || '/' || NEW.id); END;
CREATE TRIGGER job_runs_log_update AFTER UPDATE ON job_runs
  BEGIN INSERT INTO changes (kind, key) VALUES ('job_run', NEW.job || '/' || NEW.id); END;
CREATE TRIGGER job_runs_log_delete AFTER DELETE ON job_runs
  BEGIN INSERT INTO changes (kind, key, deleted) VALUES ('job_run', OLD.job || '/' || OLD.id, 1); END;
)sql",
    // 4 -> 5: each environment's current Blox deploymentToken (optimistic concurrency for deployments; rotated
    // by every deployment start). Existing environments get a fresh random one; the update trigger is lifted
    // meanwhile, so the migration is not a change in the log (watchers see nothing new in the desired state).
    R"sql(
ALTER TABLE environments ADD COLUMN deployment_token TEXT NOT NULL DEFAULT '';
DROP TRIGGER environments_log_update;
UPDATE environments SET deployment_token = 't-' || lower(hex(randomblob(16)));
CREATE TRIGGER environments_log_update AFTER UPDATE ON environments
  BEGIN INSERT INTO changes (kind, key) VALUES ('environment', NEW.name); END;
)sql",
};
static_assert(change_log_rows == 10000, "the changes_compact trigger in migration 2 keeps 10000 rows");
static_assert(migrations.size() == SqliteStore::schema_version);

}  // namespace

// ---- open / configure / migrate ----------------------------------------------------------------------------

StoreResult<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, StoreOptions options) {
  auto db = sqlite::Database::open(path);
  if (!db) return db.error();
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*db)));
  if (auto r = store->configure(options); !r) return r.error();
  if (auto r = store->migrate(); !r) return r.error();
  return store;
}

SqliteStore::~SqliteStore() {
  cache_.clear();  // finalize statements before the connection closes
}

StoreResult<void> SqliteStore::configure(const StoreOptions& options) {
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

StoreResult<int> SqliteStore::stored_schema_version() {
  auto s = stmt("SELECT version FROM schema_version LIMIT 1");
  if (!s) return s.error();
  sqlite::StatementUse use(**s);
  auto row = use->step();
  if (!row) return row.error();
  if (!*row) return 0;
  return static_cast<int>(use->column_int(0));
}

StoreResult<void> SqliteStore::migrate() {
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

StoreResult<sqlite::Statement*> SqliteStore::stmt(std::string_view sql) {
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
StoreResult<void> SqliteStore::begin() {
  auto r = db_.exec(txn_depth_ == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + savepoint_name(txn_depth_));
  if (r) ++txn_depth_;
  return r;
}

StoreResult<void> SqliteStore::commit() {
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

void SqliteStore::rollback() {
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


StoreResult<std::string> SqliteStore::integrity_check() {
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


}  // namespace berth::store
