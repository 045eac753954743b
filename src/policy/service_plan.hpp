// File: src/policy/service_plan.hpp — the replica-service policy: keep desired_count tasks of the spec's
// task definition running, placed by berth (policy/placement.hpp), rolled out within the deployment
// bounds, healed and scaled. Pure: snapshot (cluster-wide) + spec + deployment + backoff + now -> plan.
//
// Tasks of the service (classify_task(.., WorkloadKey::service(name)) == ours) are sorted into:
// - current: live, of the spec's task definition, on an ACTIVE connected instance;
// - outgoing: live and to be replaced: an older task definition, or on a DRAINING instance;
// - lost: live on an instance that is gone, INACTIVE/DEREGISTERING or whose agent is disconnected:
//   replaced at once (a start regardless of the health of others) and stopped; not counted as running;
// - stopping / stopped: not counted (stopped ones feed the circuit breaker and the instance penalty).
// Foreign tasks and other workloads' tasks only consume resources (through the snapshot's figures).
//
// Each plan:
// 1. starts current tasks up to desired_count, never making running (current + outgoing) exceed the
//    maximum bound (lost tasks do not count); the workload backoff (crash loop) and a halted
//    (failed) deployment stop new starts;
// 2. stops outgoing tasks, unhealthy ones first and freely, healthy ones only while the healthy count
//    (health gate: RUNNING, HEALTHY where checked, for min_healthy_seconds) stays >= the minimum bound;
//    so a draining instance's tasks are replaced elsewhere first and stopped once replacements are healthy;
// 3. scales down current tasks beyond desired_count: from the most loaded group of each spread entry in
//    order (AZ, then instance...), newest first among equals (not yet healthy, then latest healthy_since);
// 4. judges the deployment (decide_rollout): failures of the new revision >= the circuit-breaker
//    threshold -> failed (and rolled back when rollback is set and a previous definition is known);
//    not complete within progress_deadline_seconds of its start -> failed. The caller records the verdict
//    and, for a rollback, deploys `rollback_task_definition` as a new deployment.
#pragma once

#include "policy/cluster_snapshot.hpp"
#include "policy/daemon_plan.hpp"
#include "policy/desired_state.hpp"
#include "policy/placement.hpp"
#include "policy/service_spec.hpp"
#include "policy/workload_backoff.hpp"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace berth::policy {

// What the policy must know of a task definition (the reactor's TaskDefinitionCache has it).
struct KnownTaskDefinition {
  std::string task_definition;  // family:revision or ARN (compared with task_definition_matches)
  TaskRequirements requirements;
  bool health_checked = false;  // some container has a health check: tasks must report HEALTHY
};

struct ServicePlanOptions {
  std::vector<KnownTaskDefinition> task_definitions;  // must hold the spec's, or the plan waits (error)
  std::uint64_t seed = 0;                             // random placement
  // A failed task of the service penalises its instance in placement for this long after it stopped.
  std::chrono::seconds failure_penalty{std::chrono::minutes(10)};
  // More instances to use only if nothing else fits (e.g. those that refused a StartTask recently:
  // the executor's InstanceBackoff).
  std::vector<std::string> penalized_instances;
};

enum class ServiceRolloutVerdict : unsigned char { progressing, completed, failed, rolled_back };
const char* to_string(ServiceRolloutVerdict v);

// The judged deployment, as the store and the API report it.
struct ServiceRollout {
  std::string deployment_id;
  std::string task_definition;
  ServiceRolloutVerdict verdict = ServiceRolloutVerdict::progressing;
  std::string reason;                    // why it failed
  std::uint32_t desired = 0;
  std::uint32_t updated = 0;             // healthy tasks of the new revision
  std::uint32_t failed = 0;              // failures of the new revision so far (never decreases)
  std::uint32_t failure_threshold = 0;   // circuit breaker's; 0 when disabled
  std::string rollback_task_definition;  // set when verdict == rolled_back: deploy this next
};

// Why tasks could not be placed (placement.hpp's reasons); count 0 when every start was placed.
struct UnplacedTasks {
  std::uint32_t count = 0;
  std::map<std::string, std::uint32_t> reasons;
  std::string message;
};

struct ServiceCounts {
  std::uint32_t desired = 0;
  std::uint32_t running = 0;   // current + outgoing live tasks (what the maximum bound limits)
  std::uint32_t healthy = 0;   // of those, past the health gate
  std::uint32_t current = 0;   // live tasks of the spec's task definition on usable instances
  std::uint32_t updated = 0;   // of those, healthy
  std::uint32_t outgoing = 0;  // old revision or draining instance
  std::uint32_t lost = 0;      // on lost instances
  std::uint32_t stopping = 0;  // asked to stop, not STOPPED yet
  DeploymentBounds bounds;
};

struct ServicePlan {
  std::optional<std::string> error;  // invalid spec or unknown task definition: nothing planned
  std::vector<StartBatch> starts;    // <= 10 distinct instances per batch, the spec's task definition
  std::vector<StopOrder> stops;      // causes: replaced, draining, lost, scaled_down, duplicate
  UnplacedTasks unplaced;
  std::optional<SystemTime> next_wake;    // health gate, backoff expiry, deadline, doubt recheck
  std::optional<ServiceRollout> rollout;  // when `active` is pending/running (or failed: halted)
  ServiceCounts counts;

  std::size_t start_count() const;
  bool idle() const { return starts.empty() && stops.empty(); }
};

// `active`: the service's current deployment (its task_definition should be spec.task_definition;
// `previous_task_definition` is the last stable one, the rollback target; `environment` holds the
// service name). Null: no deployment is judged (steady state, scaling). `backoff` is read for
// WorkloadKey::service(spec.name): the caller records crashes there (CrashObserver, crash_observer.hpp)
// and failed StartTasks (record_failure).
ServicePlan compute_service_plan(const ClusterSnapshot& snapshot, const ServiceSpec& spec, const Deployment* active,
                                 const WorkloadBackoff& backoff, SystemTime now, const ServicePlanOptions& options = {});

}  // namespace berth::policy
