// File: tests/policy/scale_down_test.cpp — select_scale_down: most loaded group first per spread level,
// newest first among equals; checked against a direct (quadratic) reference on fixed seeds.
#include "service_world.hpp"

#include "policy/scale_down.hpp"

#include <gtest/gtest.h>

#include <random>
#include <tuple>
#include <unordered_map>

namespace berth::policy {
namespace {

using namespace std::chrono_literals;
using testing::ServiceWorld;

auto newness(const SnapshotTask& t) {
  return std::tuple(!t.healthy_since.has_value(), t.healthy_since.value_or(SystemTime{}), t.arn);
}

// The rule spelled out: each pick is the lexicographic maximum of (group count per spread level..., newness).
std::vector<const SnapshotTask*> reference(std::vector<const SnapshotTask*> tasks, std::size_t count,
                                           const std::vector<PlacementStrategy>& strategy, const ServiceWorld& w) {
  auto value = [&](const SnapshotTask& t, const std::string& field) -> std::string_view {
    if (field == "instanceId" || field == "host") return t.instance_arn;
    for (const auto& i : w.snap.instances)
      if (i.arn == t.instance_arn) {
        auto a = i.attribute(std::string_view(field).substr(10));
        return a ? a->value : std::string_view{};
      }
    return {};
  };
  std::vector<std::string> fields;
  for (const auto& s : strategy)
    if (s.type == PlacementStrategyType::spread) fields.push_back(s.field);
  std::vector<const SnapshotTask*> out;
  while (out.size() < count && !tasks.empty()) {
    std::vector<std::unordered_map<std::string_view, int>> counts(fields.size());
    for (auto* t : tasks)
      for (std::size_t l = 0; l < fields.size(); ++l) ++counts[l][value(*t, fields[l])];
    auto key = [&](const SnapshotTask* t) {
      std::vector<int> k;
      for (std::size_t l = 0; l < fields.size(); ++l) k.push_back(counts[l][value(*t, fields[l])]);
      return std::pair(k, newness(*t));
    };
    auto best = std::max_element(tasks.begin(), tasks.end(), [&](auto* a, auto* b) { return key(a) < key(b); });
    out.push_back(*best);
    tasks.erase(best);
  }
  return out;
}

TEST(ScaleDown, MostLoadedAzThenInstanceNewestFirst) {
  ServiceWorld w;
  w.add_spread_cluster(6);  // 0,3: 1a  1,4: 1b  2,5: 1c
  auto& old0 = w.add_service_task(0, "web:1", TaskStatus::running, 7200s);
  auto& new0 = w.add_service_task(0, "web:1", TaskStatus::running, 10s);
  auto& pending3 = w.add_service_task(3, "web:1", TaskStatus::pending, -1s);
  auto& b1 = w.add_service_task(1, "web:1");
  std::vector<const SnapshotTask*> tasks = {&old0, &new0, &pending3, &b1};
  const std::vector<PlacementStrategy> strategy = {{PlacementStrategyType::spread, "attribute:ecs.availability-zone"},
                                                   {PlacementStrategyType::spread, "instanceId"}};
  auto picked = select_scale_down(tasks, 3, strategy, w.snap);
  ASSERT_EQ(picked.size(), 3u);
  EXPECT_EQ(picked[0], &new0);      // 1a (3), instance 0 (2): its newest
  EXPECT_EQ(picked[1], &pending3);  // 1a (2), instances tied at 1: the not yet healthy one
  // 1a and 1b tied at 1, instances tied at 1: the newest of old0 (2 h) and b1 (1 h) is b1.
  EXPECT_EQ(picked[2], &b1);
  EXPECT_EQ(select_scale_down(tasks, 10, strategy, w.snap).size(), 4u);
  EXPECT_TRUE(select_scale_down(tasks, 0, strategy, w.snap).empty());
}

TEST(ScaleDownProperty, MatchesTheReference) {
  const std::vector<std::vector<PlacementStrategy>> strategies = {
      {{PlacementStrategyType::spread, "attribute:ecs.availability-zone"}, {PlacementStrategyType::spread, "instanceId"}},
      {{PlacementStrategyType::spread, "instanceId"}},
      {{PlacementStrategyType::binpack, "memory"}},
      {{PlacementStrategyType::spread, "attribute:ecs.os-type"}, {PlacementStrategyType::spread, "attribute:ecs.availability-zone"}},
      {}};
  for (std::uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    ServiceWorld w;
    const int n = 1 + static_cast<int>(rng() % 12);
    w.add_spread_cluster(n);
    std::vector<const SnapshotTask*> tasks;
    const int count = static_cast<int>(rng() % 40);
    for (int k = 0; k < count; ++k) {
      const bool pending = rng() % 4 == 0;
      tasks.push_back(&w.add_service_task(static_cast<int>(rng() % n), "web:1",
                                          pending ? TaskStatus::pending : TaskStatus::running,
                                          pending ? -1s : std::chrono::seconds(rng() % 5)));  // ties in healthy_since
    }
    const auto& strategy = strategies[rng() % strategies.size()];
    const std::size_t stop = rng() % (tasks.size() + 2);
    EXPECT_EQ(select_scale_down(tasks, stop, strategy, w.snap), reference(tasks, stop, strategy, w))
        << "seed " << seed;
  }
}

}  // namespace
}  // namespace berth::policy
