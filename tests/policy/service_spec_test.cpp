// File: tests/policy/service_spec_test.cpp — service spec validation (field names as the API spells
// them), the circuit-breaker threshold and the deployment bounds (ECS rounding, sked's absolute bounds).
#include "service_world.hpp"

#include "policy/service_spec.hpp"

#include <gtest/gtest.h>

#include <functional>

namespace berth::policy {
namespace {

using testing::make_spec;

std::string error_of(const ServiceSpec& s) {
  auto e = validate(s);
  return e ? e->to_string() : "";
}

TEST(ServiceSpec, DefaultsAreValid) {
  auto s = make_spec(3);
  EXPECT_EQ(error_of(s), "");
  EXPECT_EQ(s.deployment.minimum_healthy_percent, 100);
  EXPECT_EQ(s.deployment.maximum_percent, 200);
}

TEST(ServiceSpec, ErrorsNameTheField) {
  struct Case {
    std::function<void(ServiceSpec&)> edit;
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](ServiceSpec& s) { s.name = "-web"; }, "name: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"},
      {[](ServiceSpec& s) { s.name = std::string(65, 'a'); }, "name: 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"},
      {[](ServiceSpec& s) { s.cluster = ""; }, "cluster: must be a cluster name or ARN"},
      {[](ServiceSpec& s) { s.task_definition = ""; }, "taskDefinition: must be family:revision or an ARN"},
      {[](ServiceSpec& s) { s.desired_count = -1; }, "desiredCount: must be >= 0"},
      {[](ServiceSpec& s) { s.deployment.maximum_percent = 99; }, "deploymentConfiguration.maximumPercent: must be >= 100"},
      {[](ServiceSpec& s) { s.deployment.minimum_healthy_percent = 101; },
       "deploymentConfiguration.minimumHealthyPercent: must be between 0 and 100"},
      {[](ServiceSpec& s) { s.deployment.minimum_healthy_percent = -1; },
       "deploymentConfiguration.minimumHealthyPercent: must be between 0 and 100"},
      {[](ServiceSpec& s) { s.deployment.maximum_percent = 100; },
       "deploymentConfiguration.maximumPercent: must be greater than minimumHealthyPercent"},
      {[](ServiceSpec& s) { s.deployment.circuit_breaker.rollback = true; },
       "deploymentConfiguration.deploymentCircuitBreaker.rollback: requires enable"},
      {[](ServiceSpec& s) { s.deployment.min_healthy_seconds = -5; },
       "deploymentConfiguration.minHealthySeconds: must be between 0 and 3600"},
      {[](ServiceSpec& s) { s.deployment.progress_deadline_seconds = -1; },
       "deploymentConfiguration.progressDeadlineSeconds: must be between 0 (none) and 604800"},
      {[](ServiceSpec& s) { s.deployment.min = 4; }, "desiredCount: must be >= min (4)"},
      {[](ServiceSpec& s) { s.deployment.max = 2; }, "desiredCount: must be <= max (2)"},
      {[](ServiceSpec& s) { s.deployment.min = 3; s.deployment.max = 3; }, "deploymentConfiguration.max: must be greater than min"},
      {[](ServiceSpec& s) { s.placement_strategy = {{PlacementStrategyType::spread, "zone"}}; },
       "placementStrategy[0].field: spread needs \"instanceId\", \"host\" or \"attribute:NAME\""},
      {[](ServiceSpec& s) {
         s.placement_strategy = {{PlacementStrategyType::spread, "instanceId"}, {PlacementStrategyType::binpack, "disk"}};
       },
       "placementStrategy[1].field: binpack needs \"cpu\" or \"memory\""},
      {[](ServiceSpec& s) { s.placement_strategy = {{PlacementStrategyType::random, "cpu"}}; },
       "placementStrategy[0].field: random takes no field"},
      {[](ServiceSpec& s) { s.placement_strategy.assign(6, {PlacementStrategyType::random, ""}); },
       "placementStrategy: at most 5 entries"},
      {[](ServiceSpec& s) { s.placement_constraints = {{PlacementConstraintType::member_of, "attribute:x =="}}; },
       "placementConstraints[0].expression: at 14: expected a value"},
      {[](ServiceSpec& s) { s.placement_constraints = {{PlacementConstraintType::member_of, ""}}; },
       "placementConstraints[0].expression: memberOf needs an expression"},
      {[](ServiceSpec& s) { s.placement_constraints = {{PlacementConstraintType::distinct_instance, "x"}}; },
       "placementConstraints[0].expression: distinctInstance takes no expression"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    auto s = make_spec(3);
    cases[i].edit(s);
    EXPECT_EQ(error_of(s), cases[i].error) << "case " << i;
  }
}

TEST(ServiceSpec, ValidVariantsPass) {
  auto s = make_spec(3);
  s.deployment.minimum_healthy_percent = 0;
  s.deployment.maximum_percent = 100;
  s.deployment.circuit_breaker = {true, true};
  s.placement_strategy = {{PlacementStrategyType::spread, "attribute:ecs.availability-zone"},
                          {PlacementStrategyType::spread, "host"},
                          {PlacementStrategyType::binpack, "memory"},
                          {PlacementStrategyType::random, ""}};
  s.placement_constraints = {{PlacementConstraintType::distinct_instance, ""},
                             {PlacementConstraintType::member_of, "attribute:ecs.os-type == linux"}};
  EXPECT_EQ(error_of(s), "");
  s.deployment.min = 3;
  s.deployment.max = 3 + 1;
  EXPECT_EQ(error_of(s), "");
  s.desired_count = 0;  // scaled to zero outside [min, max]
  EXPECT_EQ(error_of(s), "desiredCount: must be >= min (3)");
}

TEST(ServiceSpec, CircuitBreakerThresholdLikeEcs) {
  EXPECT_EQ(circuit_breaker_threshold(0), 3u);
  EXPECT_EQ(circuit_breaker_threshold(1), 3u);
  EXPECT_EQ(circuit_breaker_threshold(6), 3u);
  EXPECT_EQ(circuit_breaker_threshold(7), 4u);  // 3.5 rounds up
  EXPECT_EQ(circuit_breaker_threshold(10), 5u);
  EXPECT_EQ(circuit_breaker_threshold(399), 200u);
  EXPECT_EQ(circuit_breaker_threshold(100000), 200u);
}

TEST(ServiceSpec, BoundsRoundLikeEcs) {
  auto s = make_spec(4);
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{4, 8}));
  s = make_spec(3);
  s.deployment.minimum_healthy_percent = 50;  // 1.5 -> 2 (up)
  s.deployment.maximum_percent = 150;         // 4.5 -> 4 (down)
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{2, 4}));
  s.deployment.minimum_healthy_percent = 0;
  s.deployment.maximum_percent = 100;
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{0, 3}));
  // 1 task at 100%/150%: both bounds are 1; the minimum gives way so the deployment can move.
  s = make_spec(1);
  s.deployment.maximum_percent = 150;
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{0, 1}));
  s = make_spec(0);
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{0, 0}));
}

TEST(ServiceSpec, AbsoluteBoundsReplacePercentages) {
  auto s = make_spec(4);
  s.deployment.min = 2;
  s.deployment.max = 6;
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{2, 6}));
  s.deployment.min.reset();  // min from the percentage (100% of 4)
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{4, 6}));
  s.deployment.min = 1;
  s.deployment.max.reset();  // max from the percentage (200% of 4)
  EXPECT_EQ(resolve_bounds(s), (DeploymentBounds{1, 8}));
}

TEST(ServiceSpec, EffectiveStrategyDefaultsToAzThenInstance) {
  auto s = make_spec(2);
  auto e = effective_strategy(s);
  ASSERT_EQ(e.size(), 2u);
  EXPECT_EQ(e[0].field, "attribute:ecs.availability-zone");
  EXPECT_EQ(e[1].field, "instanceId");
  s.placement_strategy = {{PlacementStrategyType::binpack, "cpu"}};
  EXPECT_EQ(effective_strategy(s), s.placement_strategy);
}

}  // namespace
}  // namespace berth::policy
