// File: src/reactor/stats_json.hpp — GET /v1/stats rendered from the metrics registry.
//
// The registry holds every number; this file only maps series to the JSON shape /v1/stats has always had (see
// scheduler_component.hpp for the shape). Sums over clusters (events.messages_deleted, audit.drift) are computed
// here from the per-cluster series. Added keys: "plans" (berth_plan_skipped_instances as
// {"<kind>/<workload>": {"<reason>": n}}) and "reconcile"."queue_depth" (berth_work_queue_depth).
#pragma once

#include "metrics/registry.hpp"

#include <boost/json/object.hpp>

namespace berth::reactor {

boost::json::object render_stats_json(const metrics::Registry& registry);

}  // namespace berth::reactor
