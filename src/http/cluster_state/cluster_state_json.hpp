// File: src/http/cluster_state/cluster_state_json.hpp — Blox cluster-state-service shapes
// (tests/testdata/blox/cluster-state-service-swagger.json): {"metadata":{"entityVersion"},"entity":{...}}.
//
// The model keeps few fields, so entities rendered from it alone carry what it has and leave the rest empty
// (containers [], createdAt "", versionInfo {}); a single-entity GET passes ECS's Describe answer as `described`
// and the entity carries ECS's full details, with the model's statuses and entityVersion.
#pragma once

#include "aws/ecs_types.hpp"
#include "policy/cluster_snapshot.hpp"

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace berth::http::cluster_state {

// "arn:aws:ecs:r:a:task/c/id" -> "arn:aws:ecs:r:a:cluster/NAME"; an entity ARN that is no ARN: `cluster`.
std::string cluster_arn_for(std::string_view entity_arn, std::string_view cluster);

boost::json::object task_item(std::string_view cluster, const policy::SnapshotTask& task, std::uint64_t version,
                              const aws::ecs::Task* described = nullptr);
boost::json::object instance_item(std::string_view cluster, const policy::SnapshotInstance& instance,
                                  std::uint64_t version, const aws::ecs::ContainerInstance* described = nullptr);

}  // namespace berth::http::cluster_state
