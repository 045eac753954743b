// File: src/policy/service_spec.cpp — validation, deployment bounds and strategy defaults of a service spec.
#include "policy/service_spec.hpp"

#include "policy/constraint.hpp"

#include <algorithm>
#include <cctype>

namespace berth::policy {

const char* to_string(PlacementStrategyType t) {
  switch (t) {
    case PlacementStrategyType::spread: return "spread";
    case PlacementStrategyType::binpack: return "binpack";
    case PlacementStrategyType::random: return "random";
  }
  return "unknown";
}

namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// The API's rule for environment names, so a service and an environment can share a name.
bool valid_service_name(std::string_view s) {
  if (s.empty() || s.size() > 64 || !alnum(s.front())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// A cluster name or ARN (ECS accepts either).
bool valid_cluster(std::string_view s) {
  return !s.empty() && s.size() <= 2048 &&
         std::all_of(s.begin(), s.end(), [](char c) { return alnum(c) || std::string_view("-_:/.").find(c) != std::string_view::npos; });
}

// ECS attribute names: letters, digits, '-', '_', '.', '/', '\\' and '@' up to 128.
bool valid_attribute_name(std::string_view s) {
  return !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](char c) {
    return alnum(c) || std::string_view("-_./\\@").find(c) != std::string_view::npos;
  });
}

// Desired counts beyond this are a typo, and keep every bound computation far from overflow.
constexpr std::int32_t max_desired_count = 1'000'000;

std::optional<SpecError> validate_strategy(const ServiceSpec& spec) {
  if (spec.placement_strategy.size() > max_placement_strategies)
    return SpecError{"placementStrategy", "at most " + std::to_string(max_placement_strategies) + " entries"};
  for (std::size_t i = 0; i < spec.placement_strategy.size(); ++i) {
    const auto& s = spec.placement_strategy[i];
    const std::string at = "placementStrategy[" + std::to_string(i) + "].field";
    switch (s.type) {
      case PlacementStrategyType::spread:
        if (s.field == "instanceId" || s.field == "host") break;
        if (s.field.starts_with("attribute:") && valid_attribute_name(std::string_view(s.field).substr(10))) break;
        return SpecError{at, "spread needs \"instanceId\", \"host\" or \"attribute:NAME\""};
      case PlacementStrategyType::binpack:
        if (s.field == "cpu" || s.field == "memory") break;
        return SpecError{at, "binpack needs \"cpu\" or \"memory\""};
      case PlacementStrategyType::random:
        if (s.field.empty()) break;
        return SpecError{at, "random takes no field"};
    }
  }
  return std::nullopt;
}

std::optional<SpecError> validate_constraints(const ServiceSpec& spec) {
  if (spec.placement_constraints.size() > max_placement_constraints)
    return SpecError{"placementConstraints", "at most " + std::to_string(max_placement_constraints) + " entries"};
  for (std::size_t i = 0; i < spec.placement_constraints.size(); ++i) {
    const auto& c = spec.placement_constraints[i];
    const std::string at = "placementConstraints[" + std::to_string(i) + "].expression";
    if (c.type == PlacementConstraintType::distinct_instance) {
      if (!c.expression.empty()) return SpecError{at, "distinctInstance takes no expression"};
      continue;
    }
    if (c.expression.size() > 2000) return SpecError{at, "at most 2000 characters"};
    auto parsed = parse_constraint(c.expression);
    if (!parsed) return SpecError{at, parsed.error->to_string()};
    if (parsed.constraint.empty()) return SpecError{at, "memberOf needs an expression"};
  }
  return std::nullopt;
}

std::optional<SpecError> validate_deployment(const ServiceSpec& spec) {
  const auto& d = spec.deployment;
  const std::string p = "deploymentConfiguration.";
  if (d.minimum_healthy_percent < 0 || d.minimum_healthy_percent > 100)
    return SpecError{p + "minimumHealthyPercent", "must be between 0 and 100"};
  if (d.maximum_percent < 100) return SpecError{p + "maximumPercent", "must be >= 100"};
  if (d.maximum_percent > 1000) return SpecError{p + "maximumPercent", "must be <= 1000"};
  // ECS refuses 100/100 (no task could ever be replaced); berth refuses any maximum not above the minimum.
  if (d.maximum_percent <= d.minimum_healthy_percent)
    return SpecError{p + "maximumPercent", "must be greater than minimumHealthyPercent"};
  if (d.circuit_breaker.rollback && !d.circuit_breaker.enable)
    return SpecError{p + "deploymentCircuitBreaker.rollback", "requires enable"};
  if (d.min_healthy_seconds < 0 || d.min_healthy_seconds > 3600)
    return SpecError{p + "minHealthySeconds", "must be between 0 and 3600"};
  if (d.progress_deadline_seconds < 0 || d.progress_deadline_seconds > 7 * 24 * 3600)
    return SpecError{p + "progressDeadlineSeconds", "must be between 0 (none) and 604800"};
  if (d.min && *d.min < 0) return SpecError{p + "min", "must be >= 0"};
  if (d.max && *d.max < 1) return SpecError{p + "max", "must be >= 1"};
  if (d.min && d.max && *d.max <= *d.min) return SpecError{p + "max", "must be greater than min"};
  if (d.min && spec.desired_count < *d.min) return SpecError{"desiredCount", "must be >= min (" + std::to_string(*d.min) + ")"};
  if (d.max && spec.desired_count > *d.max) return SpecError{"desiredCount", "must be <= max (" + std::to_string(*d.max) + ")"};
  return std::nullopt;
}

}  // namespace

std::optional<SpecError> validate(const ServiceSpec& spec) {
  if (!valid_service_name(spec.name))
    return SpecError{"name", "1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"};
  if (!valid_cluster(spec.cluster)) return SpecError{"cluster", "must be a cluster name or ARN"};
  if (spec.task_definition.empty() || spec.task_definition.size() > 2048)
    return SpecError{"taskDefinition", "must be family:revision or an ARN"};
  if (spec.desired_count < 0) return SpecError{"desiredCount", "must be >= 0"};
  if (spec.desired_count > max_desired_count)
    return SpecError{"desiredCount", "must be <= " + std::to_string(max_desired_count)};
  if (auto e = validate_deployment(spec)) return e;
  if (auto e = validate_strategy(spec)) return e;
  return validate_constraints(spec);
}

std::uint32_t circuit_breaker_threshold(std::uint32_t desired_count) {
  const std::uint64_t half_up = (std::uint64_t{desired_count} + 1) / 2;
  return static_cast<std::uint32_t>(std::clamp<std::uint64_t>(half_up, 3, 200));
}

DeploymentBounds resolve_bounds(const ServiceSpec& spec) {
  const auto& d = spec.deployment;
  const std::int64_t desired = std::max<std::int32_t>(spec.desired_count, 0);
  std::int64_t min = d.min ? *d.min : (desired * std::max(d.minimum_healthy_percent, 0) + 99) / 100;
  std::int64_t max = d.max ? *d.max : desired * std::max(d.maximum_percent, 0) / 100;
  min = std::clamp<std::int64_t>(min, 0, desired);
  max = std::max(max, desired);
  if (desired > 0 && min == max) --min;
  return {static_cast<std::uint32_t>(min), static_cast<std::uint32_t>(max)};
}

std::vector<PlacementStrategy> effective_strategy(const ServiceSpec& spec) {
  if (!spec.placement_strategy.empty()) return spec.placement_strategy;
  return {{PlacementStrategyType::spread, std::string(availability_zone_field)},
          {PlacementStrategyType::spread, "instanceId"}};
}

}  // namespace berth::policy
