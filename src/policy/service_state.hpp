// File: src/policy/service_state.hpp — a replica service as berth stores it: the spec in effect, its version,
// the rollout in progress and the optimistic-concurrency revision; and the version history.
//
// Versions (Nomad's job versions): every change of the spec other than desiredCount is a new version (1, 2, ...)
// with a deployment of it; a desiredCount change is not. A version is marked stable once a deployment of it
// completed (all its tasks healthy); that is what a circuit-breaker rollback returns to. Service deployments are
// policy::Deployment rows whose `environment` names the service and whose `version` is the version deployed.
#pragma once

#include "policy/desired_state.hpp"
#include "policy/service_spec.hpp"

#include <cstdint>
#include <string>

namespace berth::policy {

struct Service {
  ServiceSpec spec;
  std::int64_t version = 0;          // the version `spec` is (without desired_count)
  std::string active_deployment_id;  // empty when no rollout is in progress
  std::int64_t revision = 0;         // compare-and-set token of every write
  SystemTime created_at{};
  SystemTime updated_at{};
  friend bool operator==(const Service&, const Service&) = default;
};

struct ServiceVersion {
  std::string service;
  std::int64_t version = 0;
  ServiceSpec spec;     // as it was; desired_count is the count when the version was made
  bool stable = false;  // a deployment of it completed
  SystemTime created_at{};
  friend bool operator==(const ServiceVersion&, const ServiceVersion&) = default;
};

// Whether going from `before` to `after` makes a new version: anything but desired_count changed.
inline bool is_new_version(const ServiceSpec& before, const ServiceSpec& after) {
  ServiceSpec a = before;
  a.desired_count = after.desired_count;
  return !(a == after);
}

}  // namespace berth::policy
