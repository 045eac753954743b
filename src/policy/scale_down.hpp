// File: src/policy/scale_down.hpp — which replicas a scale down stops: the ones whose removal leaves the
// placement strategy best satisfied. For each spread entry in order (AZ, then instance, ...) the task comes
// from the most loaded group; among equals the newest goes first (not yet healthy, then the latest
// healthy_since, then the highest ARN). Entries other than spread do not rank.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/service_spec.hpp"

#include <cstddef>
#include <span>
#include <vector>

namespace berth::policy {

// `count` of `tasks` (live tasks of one service, on instances of `snapshot`), in the order they should
// stop. Groups are a tree over the spread fields, re-ranked after each pick: O((tasks + count) log tasks).
std::vector<const SnapshotTask*> select_scale_down(std::span<const SnapshotTask* const> tasks, std::size_t count,
                                                   std::span<const PlacementStrategy> strategy,
                                                   const ClusterSnapshot& snapshot);

}  // namespace berth::policy
