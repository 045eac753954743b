// File: src/policy/service_spec.hpp — what an operator asks of a replica service (issue 11): N copies of a
// task definition placed by berth, in ECS's shape (deploymentConfiguration, placementStrategy,
// placementConstraints) plus berth's health gate and sked's absolute bounds. Plain data shared by the
// policy (plans from it), the store (persists it) and the API (edits it); `validate` names the bad field
// in the API's spelling, so a 400 can quote it as is.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace berth::policy {

// ECS's deploymentCircuitBreaker: fail a deployment whose new tasks keep failing (and roll it back).
struct CircuitBreaker {
  bool enable = false;
  bool rollback = false;
  friend bool operator==(const CircuitBreaker&, const CircuitBreaker&) = default;
};

// ECS's deploymentConfiguration, plus berth's health gate and deadline and sked's absolute bounds.
// Integers are signed so that `validate` can name a negative value instead of the parser wrapping it.
struct ServiceDeploymentConfig {
  std::int32_t minimum_healthy_percent = 100;  // fewest healthy tasks during a deployment, % of desired (rounded up)
  std::int32_t maximum_percent = 200;          // most running tasks during a deployment, % of desired (rounded down)
  CircuitBreaker circuit_breaker;
  std::int32_t min_healthy_seconds = 10;         // RUNNING (and HEALTHY where checked) this long = healthy
  std::int32_t progress_deadline_seconds = 600;  // a deployment not complete this long after it started fails; 0 = none
  // sked's absolute bounds, used instead of the percentages when set: min <= desiredCount <= max.
  std::optional<std::int32_t> min;
  std::optional<std::int32_t> max;
  friend bool operator==(const ServiceDeploymentConfig&, const ServiceDeploymentConfig&) = default;
};

// One entry of placementStrategy (ECS's shape); entries apply in order, later ones break ties.
enum class PlacementStrategyType : unsigned char { spread, binpack, random };
struct PlacementStrategy {
  PlacementStrategyType type = PlacementStrategyType::spread;
  // spread: "attribute:ecs.availability-zone" | "instanceId" (ECS also accepts "host") | "attribute:NAME";
  // binpack: "cpu" | "memory"; random: empty.
  std::string field;
  friend bool operator==(const PlacementStrategy&, const PlacementStrategy&) = default;
};
const char* to_string(PlacementStrategyType t);

// One entry of placementConstraints (ECS's shape).
enum class PlacementConstraintType : unsigned char { distinct_instance, member_of };
struct PlacementConstraint {
  PlacementConstraintType type = PlacementConstraintType::member_of;
  std::string expression;  // memberOf only: berth's constraint language (policy/constraint.hpp)
  friend bool operator==(const PlacementConstraint&, const PlacementConstraint&) = default;
};

struct ServiceSpec {
  std::string name;  // same rule as environment names: 1-64 of [A-Za-z0-9._-], starting alphanumeric
  std::string cluster;
  std::string task_definition;  // family:revision or ARN
  std::int32_t desired_count = 0;
  ServiceDeploymentConfig deployment;
  std::vector<PlacementStrategy> placement_strategy;  // empty: ECS's service default (see effective_strategy)
  std::vector<PlacementConstraint> placement_constraints;
  // What a compatibility front keeps with the service and berth does not interpret, as JSON text (empty: none).
  // Marathon's /v2 (src/http/marathon) keeps the app as it was sent: its id path, labels, cpus/mem, backoff
  // fields, so GET answers what was PUT. Part of the spec, so it is versioned with it (a change is a new version).
  std::string front_metadata;
  // Every deployment replaces every task, not only those of another task definition (ECS's forceNewDeployment;
  // Marathon restarts all of an app's tasks on any change and on POST .../restart). During a deployment a task
  // launched before it counts as outgoing, so the replacement rolls within the deployment's bounds. Set by the
  // Marathon front; not a /v1 field (a /v1 PUT keeps it).
  bool replace_every_task = false;
  friend bool operator==(const ServiceSpec&, const ServiceSpec&) = default;
};

// ECS's limits on the lists.
inline constexpr std::size_t max_placement_strategies = 5;
inline constexpr std::size_t max_placement_constraints = 10;

// A rejected spec: `field` in the API's spelling ("deploymentConfiguration.maximumPercent",
// "placementStrategy[1].field"), `message` what is wrong ("must be >= 100").
struct SpecError {
  std::string field;
  std::string message;
  std::string to_string() const { return field + ": " + message; }
};

// The first problem of the spec, or nullopt if it may be planned. Checks names, ECS's rules
// (0 <= minimumHealthyPercent <= 100, maximumPercent >= 100 and > minimumHealthyPercent), sked's
// min <= desiredCount <= max (min < max), strategy fields and memberOf expressions (they must parse).
std::optional<SpecError> validate(const ServiceSpec& spec);

// ECS's failed-task threshold of the circuit breaker: 0.5 x desired, rounded up, clamped to [3, 200].
std::uint32_t circuit_breaker_threshold(std::uint32_t desired_count);

// The fewest healthy and the most running tasks during a deployment.
struct DeploymentBounds {
  std::uint32_t min_healthy = 0;
  std::uint32_t max_running = 0;
  friend bool operator==(const DeploymentBounds&, const DeploymentBounds&) = default;
};
// From sked's min/max when set, else from the percentages with ECS's rounding (min healthy rounds up,
// max rounds down). Clamped to min_healthy <= desired <= max_running; if that leaves no room to move
// (min_healthy == max_running, desired > 0: e.g. 1 task at 150%), min_healthy is lowered by one, as
// Kubernetes does when maxSurge and maxUnavailable both resolve to 0: a deployment always progresses and
// the maximum stays a hard bound. Expects a valid spec.
DeploymentBounds resolve_bounds(const ServiceSpec& spec);

// The strategy the placement uses: the spec's, or ECS's default for services when it is empty
// (spread over availability zones, then over instances).
std::vector<PlacementStrategy> effective_strategy(const ServiceSpec& spec);

inline constexpr std::string_view availability_zone_field = "attribute:ecs.availability-zone";

}  // namespace berth::policy
