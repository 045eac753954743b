// File: src/store/store_codec.hpp — how desired-state fields that are not plain columns are encoded in SQLite.
// Attributes, rollout settings and failed-instance lists are JSON text; times are integer system_clock ticks.
#pragma once

#include "policy/desired_state.hpp"
#include "policy/service_spec.hpp"
#include "store/store_error.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace berth::store::codec {

std::string encode_attributes(const std::vector<policy::AttributeRequirement>& attrs);
StoreResult<std::vector<policy::AttributeRequirement>> decode_attributes(const std::string& text);

std::string encode_rollout(const policy::RolloutSettings& r);
StoreResult<policy::RolloutSettings> decode_rollout(const std::string& text);

// A service spec in the API's (ECS's) spelling: taskDefinition, desiredCount, deploymentConfiguration,
// placementStrategy, placementConstraints (name and cluster are columns of their own).
std::string encode_service_spec(const policy::ServiceSpec& spec);
// The same as a JSON object: the one place the spec's wire shape is written (the API answers with it too).
boost::json::object service_spec_to_json(const policy::ServiceSpec& spec);
StoreResult<policy::ServiceSpec> decode_service_spec(const std::string& text);

std::string encode_strings(const std::vector<std::string>& v);
StoreResult<std::vector<std::string>> decode_strings(const std::string& text);

// Exact round trip: the raw tick count of system_clock (nanoseconds with libstdc++).
inline std::int64_t encode_time(policy::SystemTime t) { return static_cast<std::int64_t>(t.time_since_epoch().count()); }
inline policy::SystemTime decode_time(std::int64_t v) {
  return policy::SystemTime(policy::SystemTime::duration(v));
}
inline std::optional<std::int64_t> encode_time(const std::optional<policy::SystemTime>& t) {
  if (!t) return std::nullopt;
  return encode_time(*t);
}
inline std::optional<policy::SystemTime> decode_time(const std::optional<std::int64_t>& v) {
  if (!v) return std::nullopt;
  return decode_time(*v);
}

}  // namespace berth::store::codec
