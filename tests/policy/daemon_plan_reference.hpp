// File: tests/policy/daemon_plan_reference.hpp — the pre-rebuild daemon plan (test-only reference).
#pragma once

#include "policy/daemon_plan.hpp"

namespace berth::policy::reference {

// The daemon plan as computed before the rebuild. Precondition (as then): the snapshot holds only the
// environment's tasks, filtered by startedBy.
DaemonPlan reference_daemon_plan(const ClusterSnapshot& snapshot, const Environment& env, const Deployment* active,
                                 const InstanceBackoff& backoff, SystemTime now, const DaemonPlanOptions& options = {});

}  // namespace berth::policy::reference
