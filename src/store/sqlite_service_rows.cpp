// File: src/store/sqlite_service_rows.cpp — SqliteStore rows of replica services: the service, its versions and
// its deployments, with the version rules of policy/service_state.hpp applied in the same transaction as the write.
#include "store/sqlite_rows.hpp"

#include <utility>

namespace berth::store {
namespace {

using namespace rows;
using policy::Service;
using policy::ServiceVersion;

constexpr const char* service_columns =
    "name, cluster, spec, version, active_deployment_id, revision, created_at, updated_at";

StoreResult<Service> read_service(sqlite::Statement& s) {
  Service out;
  auto spec = codec::decode_service_spec(s.column_text(2));
  if (!spec) return spec.error();
  out.spec = std::move(*spec);
  out.spec.name = s.column_text(0);
  out.spec.cluster = s.column_text(1);
  out.version = s.column_int(3);
  out.active_deployment_id = s.column_text(4);
  out.revision = s.column_int(5);
  out.created_at = codec::decode_time(s.column_int(6));
  out.updated_at = codec::decode_time(s.column_int(7));
  return out;
}

StoreResult<ServiceVersion> read_version(sqlite::Statement& s) {
  ServiceVersion v;
  v.service = s.column_text(0);
  v.version = s.column_int(1);
  auto spec = codec::decode_service_spec(s.column_text(2));
  if (!spec) return spec.error();
  v.spec = std::move(*spec);
  v.spec.name = v.service;
  v.stable = s.column_int(3) != 0;
  v.created_at = codec::decode_time(s.column_int(4));
  return v;
}

// Deployment columns plus the version deployed.
StoreResult<Deployment> read_service_deployment(sqlite::Statement& s) {
  auto d = read_deployment(s);
  if (!d) return d;
  d->version = s.column_int(15);
  return d;
}

std::string select_deployments(std::string_view where) {
  return std::string("SELECT ") + deployment_columns + ", version FROM service_deployments WHERE " +
         std::string(where);
}

bool final_status(DeploymentStatus s) { return !unfinished(s); }

}  // namespace

StoreResult<std::optional<Service>> SqliteStore::load_service(std::string_view name) {
  return select_one(stmt(std::string("SELECT ") + service_columns + " FROM services WHERE name = ?1"), read_service,
                    name);
}

StoreResult<void> SqliteStore::write_service_row(const Service& s, bool insert) {
  auto st = stmt(insert ? std::string("INSERT INTO services (") + service_columns +
                              ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                        : std::string("UPDATE services SET cluster = ?2, spec = ?3, version = ?4, "
                                      "active_deployment_id = ?5, revision = ?6, created_at = ?7, updated_at = ?8 "
                                      "WHERE name = ?1"));
  return execute(std::move(st), s.spec.name, s.spec.cluster, codec::encode_service_spec(s.spec), s.version,
                 s.active_deployment_id, s.revision, codec::encode_time(s.created_at),
                 codec::encode_time(s.updated_at));
}

StoreResult<void> SqliteStore::insert_service_version(const Service& s) {
  return execute(stmt("INSERT INTO service_versions (service, version, spec, stable, created_at) "
                      "VALUES (?1, ?2, ?3, 0, ?4)"),
                 s.spec.name, s.version, codec::encode_service_spec(s.spec), codec::encode_time(s.updated_at));
}

StoreResult<void> SqliteStore::insert_service_deployment_row(const Deployment& d) {
  if (d.id.empty()) return StoreError{StoreErrc::invalid_argument, "deployment id is empty"};
  return execute(stmt(std::string("INSERT INTO service_deployments (") + deployment_columns +
                      ", version) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 1, ?15)"),
                 d.id, d.environment, d.task_definition, d.previous_task_definition, TextOrNull{d.token},
                 policy::to_string(d.status), d.reason, std::int64_t{d.desired_count}, std::int64_t{d.updated_count},
                 std::int64_t{d.failed_count}, codec::encode_strings(d.failed_instances),
                 codec::encode_time(d.created_at), codec::encode_time(d.started_at), codec::encode_time(d.ended_at),
                 d.version);
}

StoreResult<std::optional<ServiceVersion>> SqliteStore::last_stable_version(std::string_view service) {
  return select_one(stmt("SELECT service, version, spec, stable, created_at FROM service_versions "
                         "WHERE service = ?1 AND stable = 1 ORDER BY version DESC LIMIT 1"),
                    read_version, service);
}

StoreResult<ServiceWrite> SqliteStore::create_service(const Service& s, const Deployment& first) {
  if (s.spec.name.empty()) return StoreError{StoreErrc::invalid_argument, "service name is empty"};
  if (s.revision != 0) return StoreError{StoreErrc::invalid_argument, "a new service has revision 0"};
  if (first.environment != s.spec.name) {
    return StoreError{StoreErrc::invalid_argument, "first deployment belongs to another service"};
  }
  return in_transaction<ServiceWrite>([&]() -> StoreResult<ServiceWrite> {
    auto existing = load_service(s.spec.name);
    if (!existing) return existing.error();
    if (*existing) return StoreError{StoreErrc::already_exists, "service '" + s.spec.name + "' exists"};
    ServiceWrite out;
    out.service = s;
    out.service.version = 1;
    out.service.revision = 1;
    out.service.active_deployment_id = first.id;
    if (auto r = write_service_row(out.service, true); !r) return r.error();
    if (auto r = insert_service_version(out.service); !r) return r.error();
    Deployment d = first;
    d.version = 1;
    d.task_definition = s.spec.task_definition;
    d.previous_task_definition.clear();
    d.status = DeploymentStatus::pending;
    d.desired_count = static_cast<std::uint32_t>(std::max(0, s.spec.desired_count));
    if (auto r = insert_service_deployment_row(d); !r) return r.error();
    d.revision = 1;
    out.deployment = std::move(d);
    return out;
  });
}

StoreResult<Service> SqliteStore::get_service(std::string_view name) {
  auto s = load_service(name);
  if (!s) return s.error();
  if (!*s) return not_found("service '" + std::string(name) + "' not found");
  return std::move(**s);
}

StoreResult<std::vector<Service>> SqliteStore::list_services(std::string_view cluster) {
  return select_all(stmt(std::string("SELECT ") + service_columns +
                         " FROM services WHERE (?1 = '' OR cluster = ?1) ORDER BY name"),
                    read_service, cluster);
}

StoreResult<ServiceWrite> SqliteStore::update_service(const Service& s, const Deployment& next) {
  return in_transaction<ServiceWrite>([&]() -> StoreResult<ServiceWrite> {
    auto stored = get_service(s.spec.name);
    if (!stored) return stored.error();
    if (stored->revision != s.revision) return conflict("service '" + s.spec.name + "'", stored->revision, s.revision);
    ServiceWrite out;
    out.service = s;
    out.service.revision = stored->revision + 1;
    out.service.created_at = stored->created_at;
    out.service.version = stored->version;
    out.service.active_deployment_id = stored->active_deployment_id;
    if (policy::is_new_version(stored->spec, s.spec)) {
      out.service.version = stored->version + 1;
      std::string previous = stored->spec.task_definition;
      auto stable = last_stable_version(s.spec.name);
      if (!stable) return stable.error();
      if (*stable) previous = (*stable)->spec.task_definition;
      if (!stored->active_deployment_id.empty()) {
        auto active = get_service_deployment(stored->active_deployment_id);
        if (!active) return active.error();
        if (unfinished(active->status)) {
          Deployment old = std::move(*active);
          old.status = DeploymentStatus::failed;
          old.reason = std::string(superseded_reason);
          old.ended_at = next.created_at;
          if (auto r = execute(stmt("UPDATE service_deployments SET status = ?2, reason = ?3, ended_at = ?4, "
                                    "revision = revision + 1 WHERE id = ?1"),
                               old.id, policy::to_string(old.status), old.reason, codec::encode_time(old.ended_at));
              !r)
            return r.error();
          old.revision += 1;
          out.superseded = std::move(old);
        }
      }
      Deployment d = next;
      d.environment = s.spec.name;
      d.version = out.service.version;
      d.task_definition = s.spec.task_definition;
      d.previous_task_definition = previous;
      d.status = DeploymentStatus::pending;
      d.desired_count = static_cast<std::uint32_t>(std::max(0, s.spec.desired_count));
      if (auto r = insert_service_deployment_row(d); !r) return r.error();
      d.revision = 1;
      out.service.active_deployment_id = d.id;
      if (auto r = insert_service_version(out.service); !r) return r.error();
      out.deployment = std::move(d);
    }
    if (auto r = write_service_row(out.service, false); !r) return r.error();
    return out;
  });
}

StoreResult<Service> SqliteStore::delete_service(std::string_view name, std::int64_t expected_revision) {
  return in_transaction<Service>([&]() -> StoreResult<Service> {
    auto s = get_service(name);
    if (!s) return s.error();
    if (s->revision != expected_revision) return conflict("service '" + std::string(name) + "'", s->revision, expected_revision);
    // Versions and deployments go by ON DELETE CASCADE.
    if (auto r = execute(stmt("DELETE FROM services WHERE name = ?1"), name); !r) return r.error();
    return s;
  });
}

StoreResult<std::vector<ServiceVersion>> SqliteStore::list_service_versions(std::string_view service) {
  return select_all(stmt("SELECT service, version, spec, stable, created_at FROM service_versions "
                         "WHERE service = ?1 ORDER BY version"),
                    read_version, service);
}

StoreResult<Deployment> SqliteStore::get_service_deployment(std::string_view id) {
  auto d = select_one(stmt(select_deployments("id = ?1")), read_service_deployment, id);
  if (!d) return d.error();
  if (!*d) return not_found("deployment '" + std::string(id) + "' not found");
  return std::move(**d);
}

StoreResult<std::vector<Deployment>> SqliteStore::list_service_deployments(std::string_view service,
                                                                          std::size_t limit) {
  return select_all(stmt(select_deployments("environment = ?1 ORDER BY seq DESC LIMIT ?2")), read_service_deployment,
                    service, limit == 0 ? std::int64_t{-1} : static_cast<std::int64_t>(limit));
}

StoreResult<Deployment> SqliteStore::update_service_deployment(const Deployment& d) {
  if (final_status(d.status) && !d.ended_at) {
    return StoreError{StoreErrc::invalid_argument, "deployment '" + d.id + "' finishes without ended_at"};
  }
  return in_transaction<Deployment>([&]() -> StoreResult<Deployment> {
    auto stored = get_service_deployment(d.id);
    if (!stored) return stored.error();
    if (d.revision != stored->revision) return conflict("deployment '" + d.id + "'", stored->revision, d.revision);
    Deployment out = *stored;
    out.status = d.status;
    out.reason = d.reason;
    out.updated_count = d.updated_count;
    out.failed_count = d.failed_count;
    out.failed_instances = d.failed_instances;
    out.started_at = d.started_at;
    out.ended_at = d.ended_at;
    out.revision = stored->revision + 1;
    if (auto r = execute(stmt("UPDATE service_deployments SET status = ?2, reason = ?3, updated_count = ?4, "
                              "failed_count = ?5, failed_instances = ?6, started_at = ?7, ended_at = ?8, "
                              "revision = ?9 WHERE id = ?1"),
                         out.id, policy::to_string(out.status), out.reason, std::int64_t{out.updated_count},
                         std::int64_t{out.failed_count}, codec::encode_strings(out.failed_instances),
                         codec::encode_time(out.started_at), codec::encode_time(out.ended_at), out.revision);
        !r)
      return r.error();
    if (!final_status(out.status) || !unfinished(stored->status)) return out;
    // The verdict: the service's rollout ends here, in the same transaction.
    auto service = get_service(out.environment);
    if (!service) return service.error();
    if (out.status == DeploymentStatus::completed) {
      if (auto r = execute(stmt("UPDATE service_versions SET stable = 1 WHERE service = ?1 AND version = ?2"),
                           out.environment, out.version);
          !r)
        return r.error();
    }
    if (service->active_deployment_id != out.id) return out;
    service->active_deployment_id.clear();
    if (out.status == DeploymentStatus::rolled_back) {
      auto stable = last_stable_version(out.environment);
      if (!stable) return stable.error();
      if (*stable) {
        // Versions hold the spec without its cluster (a column of the service); the count is today's.
        const auto desired = service->spec.desired_count;
        const std::string cluster = service->spec.cluster;
        service->spec = (*stable)->spec;
        service->spec.cluster = cluster;
        service->spec.desired_count = desired;
        service->version = (*stable)->version;
      }
    }
    service->revision += 1;
    service->updated_at = *out.ended_at;
    if (auto r = write_service_row(*service, false); !r) return r.error();
    return out;
  });
}

}  // namespace berth::store
