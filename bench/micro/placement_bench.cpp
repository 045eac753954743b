// File: bench/micro/placement_bench.cpp — replica-service placement CPU (issue 11: one plan of 10,000 tasks
// over 5,000 instances <= 50 ms) and binpack's instance count against first-fit-decreasing for the same tasks.
// Snapshots are built directly (no model): this measures the policy alone; the model's snapshot cost is
// BM_Snapshot5000's.
#include "policy/feasibility.hpp"
#include "policy/ownership.hpp"
#include "policy/placement.hpp"
#include "policy/service_plan.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace berth::bench {
namespace {

using namespace berth::policy;

const SystemTime plan_now = SystemTime{} + std::chrono::hours(24 * 365 * 56);

// Owns the strings and attribute lists the snapshot's views point to.
struct Cluster {
  std::deque<std::string> strings;
  std::deque<std::vector<AttributeView>> attributes;
  ClusterSnapshot snapshot;

  std::string_view keep(std::string s) { return strings.emplace_back(std::move(s)); }
};

// 5,000 ACTIVE instances in 3 AZs with 20 attributes each; capacity from `capacity(i)`.
template <class Capacity>
std::unique_ptr<Cluster> make_cluster(std::size_t n, Capacity capacity) {
  auto c = std::make_unique<Cluster>();
  c->snapshot.cluster = "bench";
  c->snapshot.instances.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    auto& attrs = c->attributes.emplace_back();
    const std::string az = "us-east-1" + std::string(1, static_cast<char>('a' + i % 3));
    attrs.push_back({c->keep("ecs.availability-zone"), c->keep(az), true});
    attrs.push_back({c->keep("ecs.os-type"), c->keep("linux"), true});
    for (int a = 0; a < 18; ++a) attrs.push_back({c->keep("custom.attr" + std::to_string(a)), c->keep("v"), true});
    SnapshotInstance inst;
    inst.arn = c->keep("arn:aws:ecs:us-east-1:111122223333:container-instance/bench/" + std::to_string(100000 + i));
    inst.ec2_instance_id = c->keep("i-" + std::to_string(i));
    inst.status = InstanceStatus::active;
    inst.agent_connected = true;
    inst.attributes = attrs;
    inst.availability_zone = attrs[0].value;
    inst.registered = inst.remaining = capacity(i);
    c->snapshot.instances.push_back(inst);
  }
  return c;
}

const std::vector<PlacementStrategy> az_then_instance = {
    {PlacementStrategyType::spread, "attribute:ecs.availability-zone"}, {PlacementStrategyType::spread, "instanceId"}};

// One placement of 10,000 tasks over 5,000 instances (ledger construction included), spread AZ then instance.
void BM_Place10000Over5000_Spread(benchmark::State& state) {
  auto c = make_cluster(5000, [](std::size_t) { return CpuMemory{4096, 8192}; });
  PlacementRequest req;
  req.requirements = {{256, 512}, {8080}, {}};
  req.strategy = az_then_instance;
  req.count = 10000;
  std::size_t placed = 0;
  for (auto _ : state) {
    CapacityLedger ledger(c->snapshot);
    auto r = place(ledger, req);
    placed = r.instances.size();
    benchmark::DoNotOptimize(r);
  }
  // 8080 is a fixed host port: at most one task per instance, so 5,000 place and 5,000 are unplaced.
  state.counters["placed"] = static_cast<double>(placed);
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_Place10000Over5000_Spread)->Unit(benchmark::kMillisecond);

// The figure: 10,000 tasks (no fixed port, two per instance) with spread AZ then instance.
void BM_Place10000Over5000_SpreadNoPorts(benchmark::State& state) {
  auto c = make_cluster(5000, [](std::size_t) { return CpuMemory{4096, 8192}; });
  PlacementRequest req;
  req.requirements = {{256, 512}, {}, {}};
  req.strategy = az_then_instance;
  req.count = 10000;
  std::vector<std::string_view> last;
  for (auto _ : state) {
    CapacityLedger ledger(c->snapshot);
    auto r = place(ledger, req);
    benchmark::DoNotOptimize(r);
    last = std::move(r.instances);
  }
  std::size_t per_az[3] = {0, 0, 0};
  for (auto arn : last) {
    auto i = std::stoul(std::string(arn.substr(arn.rfind('/') + 1))) - 100000;
    ++per_az[i % 3];
  }
  state.counters["placed"] = static_cast<double>(last.size());
  state.counters["az_spread"] = static_cast<double>(*std::max_element(per_az, per_az + 3) - *std::min_element(per_az, per_az + 3));
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_Place10000Over5000_SpreadNoPorts)->Unit(benchmark::kMillisecond);

// The whole service plan for a new service of 10,000 tasks (classification, placement, 1,000 batches).
void BM_ServicePlan10000Over5000_New(benchmark::State& state) {
  auto c = make_cluster(5000, [](std::size_t) { return CpuMemory{4096, 8192}; });
  ServiceSpec spec;
  spec.name = "bench-svc";
  spec.cluster = "bench";
  spec.task_definition = "web:1";
  spec.desired_count = 10000;
  ServicePlanOptions options;
  options.task_definitions = {{"web:1", {{256, 512}, {}, {}}, false}};
  const WorkloadBackoff backoff;
  std::size_t starts = 0, batches = 0;
  for (auto _ : state) {
    auto plan = compute_service_plan(c->snapshot, spec, nullptr, backoff, plan_now, options);
    starts = plan.start_count();
    batches = plan.starts.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["starts"] = static_cast<double>(starts);
  state.counters["batches"] = static_cast<double>(batches);
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_ServicePlan10000Over5000_New)->Unit(benchmark::kMillisecond);

// Scale down of a running 10,000-task service to 5,000 (two tasks per instance, healthy): 5,000 stops
// chosen from the most loaded AZ/instance, newest first (select_scale_down's tree).
void BM_ServicePlan10000Over5000_ScaleDownToHalf(benchmark::State& state) {
  auto c = make_cluster(5000, [](std::size_t) { return CpuMemory{4096, 8192}; });
  const WorkloadKey key = WorkloadKey::service("bench-svc");
  const std::string_view started_by = c->keep(encode_started_by(key)), group = c->keep(*encode_group(key, "d1"));
  c->snapshot.tasks.reserve(10000);
  for (std::size_t k = 0; k < 10000; ++k) {
    SnapshotTask t;
    t.arn = c->keep("arn:aws:ecs:us-east-1:111122223333:task/bench/" + std::to_string(k));
    t.instance_arn = c->snapshot.instances[k % 5000].arn;
    t.task_definition = "web:1";
    t.started_by = started_by;
    t.group = group;
    t.reserved = {256, 512};
    t.last_status = TaskStatus::running;
    t.healthy_since = plan_now - std::chrono::seconds(3600 + static_cast<int>(k % 97));
    t.ever_healthy = true;
    c->snapshot.tasks.push_back(t);
  }
  ServiceSpec spec;
  spec.name = "bench-svc";
  spec.cluster = "bench";
  spec.task_definition = "web:1";
  spec.desired_count = 5000;
  ServicePlanOptions options;
  options.task_definitions = {{"web:1", {{256, 512}, {}, {}}, false}};
  const WorkloadBackoff backoff;
  std::size_t stops = 0;
  for (auto _ : state) {
    auto plan = compute_service_plan(c->snapshot, spec, nullptr, backoff, plan_now, options);
    stops = plan.stops.size();
    benchmark::DoNotOptimize(plan);
  }
  state.counters["stops"] = static_cast<double>(stops);
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_ServicePlan10000Over5000_ScaleDownToHalf)->Unit(benchmark::kMillisecond);

// Tasks of mixed sizes (memory 3072 / 1536 / 768 / 512 MiB, 2,500 each), largest first: binpack(memory)
// on one ledger (one placement per size) against first-fit-decreasing over the same instances in
// snapshot order. Instances: /0 all alike (4 vCPU, 8 GiB); /1 two sizes alternating (8 GiB and 4 GiB), where
// ECS's rule alone (least remaining first, empty instances too) put each large task on a small instance;
// binpack now fills instances in use first and opens the roomiest empty one. Counters: instances used.
void BM_BinpackVsFirstFitDecreasing(benchmark::State& state) {
  const bool mixed = state.range(0) == 1;
  auto c = make_cluster(5000, [mixed](std::size_t i) {
    return mixed && i % 2 ? CpuMemory{2048, 4096} : CpuMemory{4096, 8192};
  });
  const std::vector<CpuMemory> sizes = {{256, 3072}, {128, 1536}, {64, 768}, {64, 512}};
  const std::uint32_t per_size = 2500;
  const std::vector<PlacementStrategy> binpack = {{PlacementStrategyType::binpack, "memory"}};
  std::set<std::string_view> used;
  std::size_t unplaced = 0;
  for (auto _ : state) {
    CapacityLedger ledger(c->snapshot);
    used.clear();
    unplaced = 0;
    for (auto need : sizes) {
      PlacementRequest req;
      req.requirements = {need, {}, {}};
      req.strategy = binpack;
      req.count = per_size;
      auto r = place(ledger, req);
      used.insert(r.instances.begin(), r.instances.end());
      unplaced += r.unplaced;
    }
  }
  // First-fit-decreasing, outside the timing: each task on the first instance where it fits.
  std::vector<CpuMemory> left;
  for (const auto& i : c->snapshot.instances) left.push_back(i.remaining);
  std::vector<bool> ffd_used(left.size(), false);
  std::size_t ffd_unplaced = 0;
  for (auto need : sizes)
    for (std::uint32_t k = 0; k < per_size; ++k) {
      std::size_t i = 0;
      while (i < left.size() && !fits(need, left[i])) ++i;
      if (i == left.size()) {
        ++ffd_unplaced;
        continue;
      }
      left[i].cpu -= need.cpu;
      left[i].memory -= need.memory;
      ffd_used[i] = true;
    }
  state.counters["binpack_instances"] = static_cast<double>(used.size());
  state.counters["ffd_instances"] = static_cast<double>(std::count(ffd_used.begin(), ffd_used.end(), true));
  state.counters["binpack_unplaced"] = static_cast<double>(unplaced);
  state.counters["ffd_unplaced"] = static_cast<double>(ffd_unplaced);
  state.SetItemsProcessed(state.iterations() * per_size * static_cast<std::int64_t>(sizes.size()));
}
BENCHMARK(BM_BinpackVsFirstFitDecreasing)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace berth::bench
