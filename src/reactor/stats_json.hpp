// File: src/reactor/stats_json.hpp — GET /v1/stats rendered from the metrics registry.
//
// The registry holds every number; this file only maps series to the JSON shape /v1/stats has always had (see
// scheduler_component.hpp for the shape). Sums over clusters (events.messages_deleted, audit.drift) are computed
// here from the per-cluster series. Added keys: "plans" (berth_plan_skipped_instances as
// {"<kind>/<workload>": {"<reason>": n}}), "reconcile"."queue_depth" (berth_work_queue_depth) and
// "reconcile"."by_kind" ({"daemon": {...}, "service": {...}}: each controller's syncs, failures, tasks_started,
// tasks_stopped, start_failures and its own extras; the top-level "reconcile" keys stay the daemon's).
#pragma once

#include "metrics/registry.hpp"

#include <boost/json/object.hpp>

namespace berth::reactor {

boost::json::object render_stats_json(const metrics::Registry& registry);

}  // namespace berth::reactor
