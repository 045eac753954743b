// File: src/http/api/api_service_store.cpp — compare-and-set service writes shared by /v1/services and /v2/apps.
#include "http/api/api_service_store.hpp"

#include "http/api/api_json_fields.hpp"

namespace berth::http::api {
namespace asio = boost::asio;
using store::StoreErrc;

policy::Deployment new_service_deployment(std::string service, std::string id, policy::SystemTime now) {
  policy::Deployment d;
  d.id = std::move(id);
  d.environment = std::move(service);
  d.created_at = now;
  return d;
}

asio::awaitable<ServiceWriteResult> write_service(store::DesiredStateStore& store, std::string name,
                                                  ServiceChange change, std::optional<std::int64_t> expected_revision,
                                                  policy::SystemTime now,
                                                  std::function<policy::Deployment()> next_deployment) {
  ServiceWriteResult out;
  for (int attempt = 0; attempt < fields::max_conflict_retries; ++attempt) {
    auto current = co_await store.get_service(name);
    if (!current) {
      out.written = current.error();
      co_return out;
    }
    if (expected_revision && *expected_revision != current->revision) {
      out.refused = ApiError{409, "conflict", "service '" + name + "' is at revision " +
                                                  std::to_string(current->revision) + ", not " +
                                                  std::to_string(*expected_revision)};
      co_return out;
    }
    auto next = change(*current);
    if (!next) {
      out.refused = next.error();
      co_return out;
    }
    next->updated_at = now;
    out.written = co_await store.update_service(std::move(*next), next_deployment());
    if (out.written || out.written.error().code != StoreErrc::conflict) break;
    if (expected_revision) break;  // the client's revision decides, not a retry
  }
  co_return out;
}

}  // namespace berth::http::api
