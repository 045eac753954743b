// File: tests/policy/placement_test.cpp — berth's task placement: strategies, constraints, resources,
// ports, reasons, a ledger shared by several placements, and fixed-seed property tests (no instance
// ever over capacity or with a port twice; spread per-AZ counts differ by <= 1).
#include "service_world.hpp"

#include "policy/placement.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace berth::policy {
namespace {

using testing::ServiceWorld;

const std::vector<PlacementStrategy> az_then_instance = {
    {PlacementStrategyType::spread, "attribute:ecs.availability-zone"}, {PlacementStrategyType::spread, "instanceId"}};

PlacementRequest request(std::uint32_t count, CpuMemory need, std::span<const PlacementStrategy> strategy) {
  PlacementRequest r;
  r.requirements.resources = need;
  r.strategy = strategy;
  r.count = count;
  return r;
}

std::map<std::string_view, int> per_az(const ServiceWorld& w, const std::vector<std::string_view>& placed) {
  std::map<std::string_view, int> m;
  for (auto arn : placed) ++m[w.az_of(arn)];
  return m;
}

TEST(Placement, SpreadsOverAzsThenInstances) {
  ServiceWorld w;
  w.add_spread_cluster(12);
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(10, {256, 512}, az_then_instance));
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.instances.size(), 10u);
  EXPECT_EQ(r.unplaced, 0u);
  EXPECT_TRUE(r.reasons.empty());
  auto azs = per_az(w, r.instances);
  EXPECT_EQ(azs.size(), 3u);
  for (auto& [az, n] : azs) EXPECT_TRUE(n == 3 || n == 4) << az;
  // 10 tasks over 12 instances: no instance twice.
  EXPECT_EQ(std::set<std::string_view>(r.instances.begin(), r.instances.end()).size(), 10u);
}

TEST(Placement, SpreadCountsExistingTasks) {
  ServiceWorld w;
  w.add_spread_cluster(6);
  std::vector<std::string_view> existing = {w.snap.instances[0].arn, w.snap.instances[3].arn};  // both in 1a
  CapacityLedger ledger(w.snap);
  auto req = request(4, {256, 512}, az_then_instance);
  req.spread_existing = existing;
  auto r = place(ledger, req);
  ASSERT_EQ(r.instances.size(), 4u);
  auto azs = per_az(w, r.instances);
  EXPECT_EQ(azs["us-east-1b"], 2);
  EXPECT_EQ(azs["us-east-1c"], 2);
  EXPECT_EQ(azs["us-east-1a"], 0);
}

// An instance of `capacity` with part of it taken by other tasks: `left` remains.
SnapshotInstance& add_used_instance(ServiceWorld& w, int i, std::string az, CpuMemory left,
                                    CpuMemory capacity = {4096, 8192}) {
  auto& inst = w.add_az_instance(i, std::move(az), capacity);
  inst.remaining = left;
  return inst;
}

TEST(Placement, BinpackFillsTheFullestInstanceThatFits) {
  ServiceWorld w;  // all in use (ECS's rule among them: least remaining that fits)
  add_used_instance(w, 0, "a", {4096, 4096});
  add_used_instance(w, 1, "a", {4096, 1024});  // fullest, but a 1.5 GiB task does not fit
  add_used_instance(w, 2, "a", {4096, 2048});
  const std::vector<PlacementStrategy> binpack = {{PlacementStrategyType::binpack, "memory"}};
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(3, {128, 1536}, binpack));
  ASSERT_EQ(r.instances.size(), 3u);
  EXPECT_EQ(r.instances[0], w.snap.instances[2].arn);  // 2048 left: fits once
  EXPECT_EQ(r.instances[1], w.snap.instances[0].arn);  // then the 4 GiB one, twice
  EXPECT_EQ(r.instances[2], w.snap.instances[0].arn);
  EXPECT_EQ(ledger.remaining(0).memory, 4096 - 2 * 1536);
}

TEST(Placement, BinpackFillsInstancesInUseBeforeOpeningTheRoomiestEmptyOne) {
  ServiceWorld w;
  w.add_az_instance(0, "a", {2048, 4096});           // empty, takes 4
  add_used_instance(w, 1, "a", {4096, 3072});        // in use, takes 3
  w.add_az_instance(2, "a", {4096, 8192});           // empty, takes 8: opened first
  add_used_instance(w, 3, "a", {4096, 6144});        // in use, takes 6
  const std::vector<PlacementStrategy> binpack = {{PlacementStrategyType::binpack, "memory"}};
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(12, {128, 1024}, binpack));
  ASSERT_EQ(r.instances.size(), 12u);
  std::vector<std::string_view> expected(3, w.snap.instances[1].arn);  // least remaining in use first
  expected.insert(expected.end(), 6, w.snap.instances[3].arn);
  expected.insert(expected.end(), 3, w.snap.instances[2].arn);       // then the empty one that takes most
  EXPECT_EQ(r.instances, expected);
  EXPECT_FALSE(ledger.in_use(0));
  EXPECT_TRUE(ledger.in_use(2));
}

TEST(Placement, BinpackWithMixedSizesOpensLargeInstancesForLargeTasks) {
  // The bench's mixed case in small: ECS's rule (least remaining) would put each 3 GiB task on an empty
  // 4 GiB instance (4 instances for 4 tasks); the roomiest empty instance takes two.
  ServiceWorld w;
  for (int i = 0; i < 4; ++i) w.add_az_instance(i, "a", i % 2 ? CpuMemory{2048, 4096} : CpuMemory{4096, 8192});
  const std::vector<PlacementStrategy> binpack = {{PlacementStrategyType::binpack, "memory"}};
  CapacityLedger ledger(w.snap);
  auto large = place(ledger, request(4, {256, 3072}, binpack));
  EXPECT_EQ(large.instances, (std::vector<std::string_view>{w.snap.instances[0].arn, w.snap.instances[0].arn,
                                                            w.snap.instances[2].arn, w.snap.instances[2].arn}));
  // Smaller tasks later fill the holes (2 GiB left on 0 and 2) before a 4 GiB instance is opened.
  auto small = place(ledger, request(5, {128, 1024}, binpack));
  EXPECT_EQ(small.instances, (std::vector<std::string_view>{w.snap.instances[0].arn, w.snap.instances[0].arn,
                                                            w.snap.instances[2].arn, w.snap.instances[2].arn,
                                                            w.snap.instances[1].arn}));
}

TEST(Placement, BinpackOverAlikeInstancesFillsOneBeforeTheNext) {
  ServiceWorld w;
  w.add_spread_cluster(4);  // 4 vCPU, 8 GiB each, empty
  const std::vector<PlacementStrategy> binpack = {{PlacementStrategyType::binpack, "cpu"}};
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(10, {1024, 512}, binpack));
  std::vector<std::string_view> expected(4, w.snap.instances[0].arn);
  expected.insert(expected.end(), 4, w.snap.instances[1].arn);
  expected.insert(expected.end(), 2, w.snap.instances[2].arn);
  EXPECT_EQ(r.instances, expected);
}

TEST(Placement, SpreadAzThenBinpackFillsOneInstancePerAz) {
  ServiceWorld w;
  w.add_spread_cluster(6);  // two empty alike instances per AZ
  const std::vector<PlacementStrategy> az_then_binpack = {
      {PlacementStrategyType::spread, "attribute:ecs.availability-zone"}, {PlacementStrategyType::binpack, "memory"}};
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(9, {256, 1024}, az_then_binpack));
  ASSERT_EQ(r.instances.size(), 9u);
  auto azs = per_az(w, r.instances);
  for (auto& [az, n] : azs) EXPECT_EQ(n, 3) << az;
  // Within each AZ binpack keeps to the first instance (instances 0, 1, 2: one per AZ).
  EXPECT_EQ(std::set<std::string_view>(r.instances.begin(), r.instances.end()),
            (std::set<std::string_view>{w.snap.instances[0].arn, w.snap.instances[1].arn, w.snap.instances[2].arn}));
}

TEST(Placement, SpreadTiesGoToTheNextEntry) {
  ServiceWorld w;  // all in use, so binpack ranks by least remaining
  add_used_instance(w, 0, "us-east-1a", {4096, 8192}, {4096, 16384});
  add_used_instance(w, 1, "us-east-1b", {4096, 3072});  // the fullest: binpack's pick among tied AZs
  add_used_instance(w, 2, "us-east-1b", {4096, 8192}, {4096, 16384});
  add_used_instance(w, 3, "us-east-1c", {4096, 6144});
  const std::vector<PlacementStrategy> az_then_binpack = {
      {PlacementStrategyType::spread, "attribute:ecs.availability-zone"}, {PlacementStrategyType::binpack, "memory"}};
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(4, {256, 1024}, az_then_binpack));
  ASSERT_EQ(r.instances.size(), 4u);
  EXPECT_EQ(r.instances[0], w.snap.instances[1].arn);  // 1b, 3072 left
  EXPECT_EQ(r.instances[1], w.snap.instances[3].arn);  // 1a and 1c tied at 0: 1c's 6144 beats 1a's 8192
  EXPECT_EQ(r.instances[2], w.snap.instances[0].arn);  // 1a has none yet
  EXPECT_EQ(r.instances[3], w.snap.instances[1].arn);  // all tied at 1: 1b's instance 1 (2048 left) is the fullest
}

TEST(Placement, UnplacedTasksCarryReasonsAndMessage) {
  ServiceWorld w;
  w.add_az_instance(0, "a", {1024, 1024});
  w.add_az_instance(1, "a", {256, 8192});
  w.add_az_instance(2, "b", {4096, 8192}, InstanceStatus::draining);
  w.add_az_instance(3, "b", {4096, 8192}, InstanceStatus::active, false);
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(3, {512, 1024}, az_then_instance));
  ASSERT_EQ(r.instances.size(), 1u);  // only instance 0, once
  EXPECT_EQ(r.instances[0], w.snap.instances[0].arn);
  EXPECT_EQ(r.unplaced, 2u);
  EXPECT_EQ(r.reasons, (std::map<std::string, std::uint32_t>{
                           {"AGENT", 1}, {"RESOURCE:CPU", 1}, {"RESOURCE:MEMORY", 1}, {"instance_status", 1}}));
  EXPECT_NE(r.message.find("unable to place 2 tasks because no container instance met all of its requirements"),
            std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("closest matching container-instance"), std::string::npos) << r.message;
}

TEST(Placement, EmptyClusterSaysSo) {
  ServiceWorld w;
  CapacityLedger ledger(w.snap);
  auto r = place(ledger, request(1, {1, 1}, az_then_instance));
  EXPECT_EQ(r.unplaced, 1u);
  EXPECT_NE(r.message.find("no container instances are registered"), std::string::npos);
}

TEST(Placement, FixedHostPortAllowsOneTaskPerInstance) {
  ServiceWorld w;
  w.add_spread_cluster(3);
  w.snap.instances[1].reserved_tcp_ports = w.keep_ports({22, 80});  // a foreign task holds port 80
  w.snap.instances[2].reserved_udp_ports = w.keep_ports({53});
  CapacityLedger ledger(w.snap);
  auto req = request(5, {128, 128}, az_then_instance);
  req.requirements.tcp_ports = {80};
  auto r = place(ledger, req);
  ASSERT_EQ(r.instances.size(), 2u);  // instances 0 and 2
  EXPECT_EQ(r.unplaced, 3u);
  EXPECT_EQ(r.reasons.at("RESOURCE:PORTS"), 3u);
  EXPECT_FALSE(ledger.tcp_port_free(0, 80));

  CapacityLedger ledger2(w.snap);
  auto udp = request(3, {128, 128}, az_then_instance);
  udp.requirements.udp_ports = {53};
  auto r2 = place(ledger2, udp);
  EXPECT_EQ(r2.instances.size(), 2u);
  EXPECT_EQ(r2.reasons.at("RESOURCE:PORTS_UDP"), 3u);  // instance 2 up front, 0 and 1 after their task
}

TEST(Placement, ConstraintsFilter) {
  ServiceWorld w;
  w.add_spread_cluster(6);
  const std::vector<PlacementConstraint> constraints = {
      {PlacementConstraintType::member_of, "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]"},
      {PlacementConstraintType::distinct_instance, ""}};
  std::vector<std::string_view> existing = {w.snap.instances[0].arn};
  CapacityLedger ledger(w.snap);
  auto req = request(6, {128, 128}, az_then_instance);
  req.constraints = constraints;
  req.distinct_existing = existing;
  auto r = place(ledger, req);
  // 1a/1b hold instances 0, 1, 3, 4; instance 0 runs the service already.
  EXPECT_EQ(r.instances.size(), 3u);
  EXPECT_EQ(r.unplaced, 3u);
  EXPECT_EQ(r.reasons.at("constraint"), 6u);  // 1c x2 (memberOf), 0 up front and 1, 3, 4 once used
  for (auto arn : r.instances) EXPECT_NE(w.az_of(arn), "us-east-1c");

  auto bad = req;
  const std::vector<PlacementConstraint> broken = {{PlacementConstraintType::member_of, "attribute:x in ["}};
  bad.constraints = broken;
  CapacityLedger ledger2(w.snap);
  EXPECT_TRUE(place(ledger2, bad).error);
}

TEST(Placement, RandomIsSeededAndSpreadsOut) {
  ServiceWorld w;
  w.add_spread_cluster(50);
  const std::vector<PlacementStrategy> random = {{PlacementStrategyType::random, ""}};
  auto run = [&](std::uint64_t seed) {
    CapacityLedger ledger(w.snap);
    auto req = request(20, {64, 64}, random);
    req.seed = seed;
    return place(ledger, req).instances;
  };
  EXPECT_EQ(run(7), run(7));
  EXPECT_NE(run(7), run(8));
  auto one = run(7);
  EXPECT_GT(std::set<std::string_view>(one.begin(), one.end()).size(), 10u);  // a fresh draw per task
}

TEST(Placement, PenalizedInstanceOnlyAsLastResort) {
  ServiceWorld w;
  w.add_az_instance(0, "a");
  w.add_az_instance(1, "a", {4096, 1024});
  std::vector<std::string_view> penalized = {w.snap.instances[0].arn};
  const std::vector<PlacementStrategy> instance_spread = {{PlacementStrategyType::spread, "instanceId"}};
  CapacityLedger ledger(w.snap);
  auto req = request(3, {256, 512}, instance_spread);
  req.penalized = penalized;
  auto r = place(ledger, req);
  ASSERT_EQ(r.instances.size(), 3u);
  EXPECT_EQ(r.instances[0], w.snap.instances[1].arn);
  EXPECT_EQ(r.instances[1], w.snap.instances[1].arn);  // full after two
  EXPECT_EQ(r.instances[2], w.snap.instances[0].arn);
}

TEST(Placement, LedgerSharedAcrossPlacementsNeverOvercommits) {
  ServiceWorld w;
  w.add_spread_cluster(3, {1024, 2048});
  CapacityLedger ledger(w.snap);
  auto first = place(ledger, request(6, {512, 512}, az_then_instance));
  EXPECT_EQ(first.instances.size(), 6u);
  auto second = place(ledger, request(6, {512, 512}, az_then_instance));
  EXPECT_EQ(second.instances.size(), 0u);  // CPU is used up by the first
  EXPECT_EQ(second.unplaced, 6u);
  EXPECT_EQ(second.reasons.at("RESOURCE:CPU"), 3u);
  for (std::size_t i = 0; i < ledger.size(); ++i) EXPECT_EQ(ledger.remaining(i).cpu, 0);
}

// Fixed seeds: random clusters (capacity, foreign ports, statuses), random strategies and requirements,
// several placements into one ledger. Replays the placements against the snapshot's figures.
TEST(PlacementProperty, NeverOverCapacityNorPortTwice) {
  static const std::vector<std::vector<PlacementStrategy>> strategies = {
      az_then_instance,
      {{PlacementStrategyType::binpack, "memory"}},
      {{PlacementStrategyType::binpack, "cpu"}, {PlacementStrategyType::random, ""}},
      {{PlacementStrategyType::random, ""}},
      {{PlacementStrategyType::spread, "instanceId"}, {PlacementStrategyType::spread, "attribute:ecs.availability-zone"}},
      {}};
  for (std::uint32_t seed = 1; seed <= 60; ++seed) {
    std::mt19937 rng(seed);
    ServiceWorld w;
    const int n = 1 + static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) {
      auto& inst = w.add_az_instance(i, "az" + std::to_string(rng() % 3),
                                     {static_cast<std::int32_t>(256 + rng() % 4096), static_cast<std::int32_t>(256 + rng() % 8192)},
                                     rng() % 8 == 0 ? InstanceStatus::draining : InstanceStatus::active, rng() % 10 != 0);
      if (rng() % 3 == 0) inst.reserved_tcp_ports = w.keep_ports({static_cast<std::uint16_t>(80 + rng() % 3)});
    }
    CapacityLedger ledger(w.snap);
    std::map<std::size_t, CpuMemory> used;
    std::map<std::size_t, std::multiset<std::uint16_t>> ports;
    for (int round = 0; round < 3; ++round) {
      auto req = request(rng() % 30, {static_cast<std::int32_t>(rng() % 1024), static_cast<std::int32_t>(rng() % 2048)},
                         strategies[rng() % strategies.size()]);
      if (rng() % 2) req.requirements.tcp_ports = {static_cast<std::uint16_t>(80 + rng() % 3)};
      req.seed = seed;
      auto r = place(ledger, req);
      ASSERT_FALSE(r.error);
      EXPECT_EQ(r.instances.size() + r.unplaced, req.count);
      for (auto arn : r.instances) {
        auto i = ledger.index_of(arn);
        const auto& inst = w.snap.instances[i];
        EXPECT_EQ(inst.status, InstanceStatus::active);
        EXPECT_TRUE(inst.agent_connected);
        used[i].cpu += req.requirements.resources.cpu;
        used[i].memory += req.requirements.resources.memory;
        for (auto p : req.requirements.tcp_ports) ports[i].insert(p);
      }
    }
    for (auto& [i, u] : used) {
      const auto& inst = w.snap.instances[i];
      EXPECT_LE(u.cpu, inst.remaining.cpu) << "seed " << seed;
      EXPECT_LE(u.memory, inst.remaining.memory) << "seed " << seed;
    }
    for (auto& [i, p] : ports) {
      std::set<std::uint16_t> unique(p.begin(), p.end());
      EXPECT_EQ(unique.size(), p.size()) << "seed " << seed;
      for (auto port : w.snap.instances[i].reserved_tcp_ports) EXPECT_FALSE(unique.contains(port)) << "seed " << seed;
    }
  }
}

TEST(PlacementProperty, SpreadPerAzCountsDifferByAtMostOne) {
  for (std::uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    ServiceWorld w;
    const int az_size = 2 + static_cast<int>(rng() % 20);
    w.add_spread_cluster(3 * az_size, {4096, 8192});
    // Existing tasks of the service anywhere: spread evens them out as far as the new ones allow.
    std::vector<std::string_view> existing;
    const int existing_count = static_cast<int>(rng() % 10);
    for (int k = 0; k < existing_count; ++k) existing.push_back(w.snap.instances[rng() % w.snap.instances.size()].arn);
    // Enough new tasks to even out any imbalance of the existing ones, per AZ and per instance.
    const auto count = static_cast<std::uint32_t>(3 * az_size * (existing_count + 1)) + rng() % 10;
    CapacityLedger ledger(w.snap);
    auto req = request(count, {64, 64}, az_then_instance);
    req.spread_existing = existing;
    auto r = place(ledger, req);
    ASSERT_EQ(r.instances.size(), count);
    auto all = r.instances;
    all.insert(all.end(), existing.begin(), existing.end());
    auto azs = per_az(w, all);
    int lo = INT32_MAX, hi = 0;
    for (auto& [az, c] : azs) lo = std::min(lo, c), hi = std::max(hi, c);
    EXPECT_LE(hi - lo, 1) << "seed " << seed;
    // Per instance within an AZ too (spread instanceId breaks the ties).
    std::map<std::string_view, int> per_instance;
    for (auto arn : all) ++per_instance[arn];
    std::map<std::string_view, std::pair<int, int>> range;
    for (const auto& inst : w.snap.instances) {
      auto c = per_instance[inst.arn];
      auto& [l, h] = range.try_emplace(inst.availability_zone, INT32_MAX, 0).first->second;
      l = std::min(l, c), h = std::max(h, c);
    }
    for (auto& [az, lh] : range) EXPECT_LE(lh.second - lh.first, 1) << "seed " << seed << " " << az;
  }
}

}  // namespace
}  // namespace berth::policy
