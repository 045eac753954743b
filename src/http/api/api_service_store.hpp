// File: src/http/api/api_service_store.hpp — the store side of the service fronts, shared by berth's /v1/services
// and Marathon's /v2/apps (src/http/marathon): read, change, compare-and-set, with a new deployment per write.
//
// Without a client revision a lost race with the reactor (which writes deployment progress and the service's
// active deployment) is retried on a fresh read (bounded by max_conflict_retries); with one, the client's revision
// decides and a mismatch is refused without writing.
#pragma once

#include "http/api/api_json.hpp"
#include "store/desired_state_store.hpp"

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace berth::http::api {

// Edits the service as read from the store; an error refuses the write (nothing written) and is the answer.
using ServiceChange = std::function<ApiResult<policy::Service>(policy::Service)>;

struct ServiceWriteResult {
  // The change refused, or the client's revision was not the stored one (409 "conflict"): nothing written.
  std::optional<ApiError> refused;
  store::StoreResult<store::ServiceWrite> written = store::StoreError{store::StoreErrc::conflict, "not attempted"};
};

// The deployment a new version of `service` starts (pending; the controller fills the rest), shared by /v1/services
// and Marathon's /v2/apps.
policy::Deployment new_service_deployment(std::string service, std::string id, policy::SystemTime now);

// `now` stamps updated_at; `next_deployment` makes the deployment a new version starts.
boost::asio::awaitable<ServiceWriteResult> write_service(store::DesiredStateStore& store, std::string name,
                                                         ServiceChange change,
                                                         std::optional<std::int64_t> expected_revision,
                                                         policy::SystemTime now,
                                                         std::function<policy::Deployment()> next_deployment);

}  // namespace berth::http::api
