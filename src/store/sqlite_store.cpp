// File: src/store/sqlite_store.cpp — SqliteStore rows: environments, deployments, records, the change log.
#include "store/sqlite_store.hpp"

#include "store/sqlite_rows.hpp"
#include "store/store_codec.hpp"

#include <array>
#include <type_traits>
#include <utility>

namespace berth::store {
namespace {

using namespace rows;

using policy::Deployment;
using policy::DeploymentStatus;
using policy::Environment;

constexpr const char* env_columns =
    "name, cluster, attributes, constraint_expr, task_definition, rollout, active_deployment_id, revision, "
    "created_at, updated_at, deployment_token";

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
  e.deployment_token = s.column_text(10);
  return e;
}

StoreResult<std::string> read_text(sqlite::Statement& s) { return s.column_text(0); }

StoreResult<std::pair<std::string, std::string>> read_key_value(sqlite::Statement& s) {
  return std::pair<std::string, std::string>(s.column_text(0), s.column_text(1));
}

StoreResult<KvRecord> read_record(sqlite::Statement& s) {
  return KvRecord{s.column_text(0), s.column_text(1), s.column_int(2)};
}

StoreResult<Change> read_change(sqlite::Statement& s) {
  Change c;
  c.revision = s.column_int(0);
  const std::string kind = s.column_text(1);
  if (kind == "environment") {
    c.kind = ChangeKind::environment;
  } else if (kind == "deployment") {
    c.kind = ChangeKind::deployment;
  } else if (kind == "record") {
    c.kind = ChangeKind::record;
  } else if (kind == "service") {
    c.kind = ChangeKind::service;
  } else if (kind == "service_deployment") {
    c.kind = ChangeKind::service_deployment;
  } else if (kind == "job") {
    c.kind = ChangeKind::job;
  } else if (kind == "job_run") {
    c.kind = ChangeKind::job_run;
  } else {
    return StoreError{StoreErrc::corrupt, "bad change kind '" + kind + "'"};
  }
  c.key = s.column_text(2);
  c.deleted = s.column_int(3) != 0;
  return c;
}





}  // namespace


StoreResult<void> SqliteStore::transact(const std::function<StoreResult<void>()>& fn) { return in_transaction<void>(fn); }

// ---- environments ------------------------------------------------------------------------------------------

StoreResult<std::optional<Environment>> SqliteStore::load_environment(std::string_view name) {
  return select_one(stmt(std::string("SELECT ") + env_columns + " FROM environments WHERE name = ?1"),
                    read_environment, name);
}

StoreResult<void> SqliteStore::write_environment_row(const Environment& env, bool insert) {
  auto s = stmt(insert ? std::string("INSERT INTO environments (") + env_columns +
                             ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"
                       : std::string("UPDATE environments SET cluster = ?2, attributes = ?3, constraint_expr = ?4, "
                                     "task_definition = ?5, rollout = ?6, active_deployment_id = ?7, "
                                     "revision = ?8, created_at = ?9, updated_at = ?10, deployment_token = ?11 WHERE name = ?1"));
  return execute(std::move(s), env.name, env.cluster, codec::encode_attributes(env.attributes), env.constraint,
                 env.task_definition, codec::encode_rollout(env.rollout), env.active_deployment_id, env.revision,
                 codec::encode_time(env.created_at), codec::encode_time(env.updated_at), env.deployment_token);
}

StoreResult<Environment> SqliteStore::put_environment(const Environment& env) {
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

StoreResult<Environment> SqliteStore::get_environment(std::string_view name) {
  auto e = load_environment(name);
  if (!e) return e.error();
  if (!*e) return not_found("environment '" + std::string(name) + "' not found");
  return std::move(**e);
}

StoreResult<std::vector<Environment>> SqliteStore::list_environments(std::string_view cluster) {
  return select_all(
      stmt(std::string("SELECT ") + env_columns + " FROM environments WHERE (?1 = '' OR cluster = ?1) ORDER BY name"),
      read_environment, cluster);
}

StoreResult<Environment> SqliteStore::delete_environment(std::string_view name,
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

StoreResult<std::optional<Deployment>> SqliteStore::load_deployment(std::string_view id) {
  return select_one(stmt(std::string("SELECT ") + deployment_columns + " FROM deployments WHERE id = ?1"),
                    read_deployment, id);
}

StoreResult<void> SqliteStore::insert_deployment_row(const Deployment& d) {
  if (d.id.empty()) return StoreError{StoreErrc::invalid_argument, "deployment id is empty"};
  auto existing = load_deployment(d.id);
  if (!existing) return existing.error();
  if (*existing) return StoreError{StoreErrc::already_exists, "deployment '" + d.id + "' exists"};
  return execute(stmt(std::string("INSERT INTO deployments (") + deployment_columns +
                      ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1)"),
                 d.id, d.environment, d.task_definition, d.previous_task_definition, TextOrNull{d.token},
                 policy::to_string(d.status), d.reason, std::int64_t{d.desired_count},
                 std::int64_t{d.updated_count}, std::int64_t{d.failed_count},
                 codec::encode_strings(d.failed_instances), codec::encode_time(d.created_at),
                 codec::encode_time(d.started_at), codec::encode_time(d.ended_at));
}

StoreResult<Deployment> SqliteStore::get_deployment(std::string_view id) {
  auto d = load_deployment(id);
  if (!d) return d.error();
  if (!*d) return not_found("deployment '" + std::string(id) + "' not found");
  return std::move(**d);
}

StoreResult<std::optional<Deployment>> SqliteStore::find_deployment_by_token(std::string_view environment,
                                                                       std::string_view token) {
  if (token.empty()) return std::optional<Deployment>();
  return select_one(
      stmt(std::string("SELECT ") + deployment_columns + " FROM deployments WHERE environment = ?1 AND token = ?2"),
      read_deployment, environment, token);
}

StoreResult<std::vector<Deployment>> SqliteStore::list_deployments(std::string_view environment, std::size_t limit) {
  return select_all(stmt(std::string("SELECT ") + deployment_columns +
                         " FROM deployments WHERE environment = ?1 ORDER BY seq DESC LIMIT ?2"),
                    read_deployment, environment, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
}

StoreResult<std::vector<Deployment>> SqliteStore::list_unfinished_deployments() {
  return select_all(stmt(std::string("SELECT ") + deployment_columns +
                         " FROM deployments WHERE status IN ('pending', 'running') ORDER BY seq"),
                    read_deployment);
}

StoreResult<std::int64_t> SqliteStore::update_deployment(const Deployment& d) {
  return in_transaction<std::int64_t>([&]() -> StoreResult<std::int64_t> {
    auto stored = load_deployment(d.id);
    if (!stored) return stored.error();
    if (!*stored) return not_found("deployment '" + d.id + "' not found");
    const std::int64_t revision = (*stored)->revision;
    if (d.revision > 0 && d.revision != revision) return conflict("deployment '" + d.id + "'", revision, d.revision);
    auto r = execute(
        stmt("UPDATE deployments SET status = ?2, reason = ?3, desired_count = ?4, updated_count = ?5, "
             "failed_count = ?6, failed_instances = ?7, started_at = ?8, ended_at = ?9, revision = ?10 "
             "WHERE id = ?1"),
        d.id, policy::to_string(d.status), d.reason, std::int64_t{d.desired_count}, std::int64_t{d.updated_count},
        std::int64_t{d.failed_count}, codec::encode_strings(d.failed_instances), codec::encode_time(d.started_at),
        codec::encode_time(d.ended_at), revision + 1);
    if (!r) return r.error();
    return revision + 1;
  });
}

StoreResult<StartedDeployment> SqliteStore::create_deployment(const Deployment& d) {
  return in_transaction<StartedDeployment>([&]() -> StoreResult<StartedDeployment> {
    auto env = get_environment(d.environment);
    if (!env) return env.error();
    auto existing = find_deployment_by_token(d.environment, d.token);
    if (!existing) return existing.error();
    if (*existing) return StartedDeployment{std::move(**existing), false, std::nullopt, std::move(*env)};
    if (auto r = insert_deployment_row(d); !r) return r.error();
    Deployment created = d;
    created.revision = 1;
    return StartedDeployment{std::move(created), true, std::nullopt, std::move(*env)};
  });
}

StoreResult<StartedDeployment> SqliteStore::start_deployment_locked(const Deployment& d,
                                                              std::optional<std::int64_t> expected_env_revision,
                                                              std::string_view next_token) {
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
      auto r = update_deployment(old);
      if (!r) return r.error();
      old.revision = *r;
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
  nd.revision = 1;
  env->task_definition = nd.task_definition;
  env->active_deployment_id = nd.id;
  if (!next_token.empty()) env->deployment_token = std::string(next_token);
  env->revision += 1;
  env->updated_at = nd.created_at;
  if (auto r = write_environment_row(*env, false); !r) return r.error();
  out.deployment = std::move(nd);
  out.created = true;
  out.environment = std::move(*env);
  return out;
}

StoreResult<StartedDeployment> SqliteStore::start_deployment(const Deployment& d,
                                                       std::optional<std::int64_t> expected_env_revision,
                                                       std::string_view next_token) {
  return in_transaction<StartedDeployment>([&]() -> StoreResult<StartedDeployment> {
    return start_deployment_locked(d, expected_env_revision, next_token);
  });
}

StoreResult<StartedDeployment> SqliteStore::create_environment_with_deployment(const Environment& env,
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
    d.revision = 1;
    return StartedDeployment{std::move(d), true, std::nullopt, std::move(e)};
  });
}

StoreResult<StartedDeployment> SqliteStore::finish_deployment(std::string_view id, DeploymentStatus status,
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
    auto updated = update_deployment(*d);
    if (!updated) return updated.error();
    d->revision = *updated;
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

StoreResult<std::int64_t> SqliteStore::kv_put(std::string_view ns, std::string_view key, std::string_view value,
                                               std::optional<std::int64_t> expected_revision) {
  return in_transaction<std::int64_t>([&]() -> StoreResult<std::int64_t> {
    auto stored = kv_get_record(ns, key);
    if (!stored) return stored.error();
    const std::string what = "record '" + std::string(ns) + "/" + std::string(key) + "'";
    if (expected_revision == 0 && *stored) return StoreError{StoreErrc::already_exists, what + " exists"};
    if (expected_revision > 0) {
      if (!*stored) return not_found(what + " not found");
      if ((*stored)->revision != *expected_revision) return conflict(what, (*stored)->revision, *expected_revision);
    }
    const std::int64_t revision = *stored ? (*stored)->revision + 1 : 1;
    auto r = execute(stmt("INSERT INTO kv (ns, key, value, revision) VALUES (?1, ?2, ?3, ?4) "
                          "ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, revision = excluded.revision"),
                     ns, key, value, revision);
    if (!r) return r.error();
    return revision;
  });
}

StoreResult<std::optional<std::string>> SqliteStore::kv_get(std::string_view ns, std::string_view key) {
  return select_one(stmt("SELECT value FROM kv WHERE ns = ?1 AND key = ?2"), read_text, ns, key);
}

StoreResult<std::optional<KvRecord>> SqliteStore::kv_get_record(std::string_view ns, std::string_view key) {
  return select_one(stmt("SELECT key, value, revision FROM kv WHERE ns = ?1 AND key = ?2"), read_record, ns, key);
}

StoreResult<bool> SqliteStore::kv_delete(std::string_view ns, std::string_view key,
                                         std::optional<std::int64_t> expected_revision) {
  return in_transaction<bool>([&]() -> StoreResult<bool> {
    if (expected_revision) {
      auto stored = kv_get_record(ns, key);
      if (!stored) return stored.error();
      if (!*stored) return false;
      if ((*stored)->revision != *expected_revision) {
        return conflict("record '" + std::string(ns) + "/" + std::string(key) + "'", (*stored)->revision,
                        *expected_revision);
      }
    }
    if (auto r = execute(stmt("DELETE FROM kv WHERE ns = ?1 AND key = ?2"), ns, key); !r) return r.error();
    return db_.changes() > 0;
  });
}

StoreResult<std::vector<std::pair<std::string, std::string>>> SqliteStore::kv_list(std::string_view ns) {
  return select_all(stmt("SELECT key, value FROM kv WHERE ns = ?1 ORDER BY key"), read_key_value, ns);
}

StoreResult<std::vector<KvRecord>> SqliteStore::kv_list_records(std::string_view ns) {
  return select_all(stmt("SELECT key, value, revision FROM kv WHERE ns = ?1 ORDER BY key"), read_record, ns);
}

// ---- change log --------------------------------------------------------------------------------------------

StoreResult<std::int64_t> SqliteStore::revision() {
  // sqlite_sequence holds the largest revision ever issued, also when every change row was compacted away.
  auto seq = select_one(stmt("SELECT seq FROM sqlite_sequence WHERE name = 'changes'"),
                        [](sqlite::Statement& s) -> StoreResult<std::int64_t> { return s.column_int(0); });
  if (!seq) return seq.error();
  return seq->value_or(0);
}

StoreResult<ChangeBatch> SqliteStore::changes_after(std::int64_t after, std::size_t limit) {
  ChangeBatch batch;
  auto newest = revision();
  if (!newest) return newest.error();
  auto oldest = select_one(stmt("SELECT MIN(revision) FROM changes"),
                           [](sqlite::Statement& s) -> StoreResult<std::int64_t> { return s.column_int(0); });
  if (!oldest) return oldest.error();
  const std::int64_t first_kept = oldest->value_or(*newest + 1);
  // Behind the log (compacted), or ahead of it (the file was replaced by an older copy): start over.
  if (after + 1 < first_kept || after > *newest) {
    batch.reset = true;
    batch.revision = *newest;
    return batch;
  }
  auto rows = select_all(stmt("SELECT revision, kind, key, deleted FROM changes WHERE revision > ?1 "
                              "ORDER BY revision LIMIT ?2"),
                         read_change, after, static_cast<std::int64_t>(limit));
  if (!rows) return rows.error();
  batch.changes = std::move(*rows);
  batch.revision = batch.changes.empty() ? after : batch.changes.back().revision;
  return batch;
}

}  // namespace berth::store
