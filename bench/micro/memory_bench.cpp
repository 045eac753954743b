// File: bench/micro/memory_bench.cpp — what the cluster model costs in memory: heap bytes per
// instance and per task (glibc mallinfo2 deltas, so malloc's own per-chunk overhead is included)
// and the resident-set growth for 5,000 instances + 100,000 tasks. Targets: <= 2 KiB per
// instance, <= 1 KiB per task. Reported as counters; the time column is the build time.
#include "synthetic_events.hpp"

#include "policy/ownership.hpp"
#include "reactor/cluster_model.hpp"

#include <benchmark/benchmark.h>

#include <malloc.h>

#include <chrono>
#include <fstream>
#include <memory>
#include <string>

namespace berth::bench {
namespace {

using reactor::ClusterModel;
using SystemTime = std::chrono::system_clock::time_point;

// Bytes handed out by malloc, including chunks served by mmap (big hash-table bucket arrays).
std::size_t heap_in_use() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

// VmRSS of this process in bytes.
std::size_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

// A production-like cluster: `instances` instances with 20 attributes; `tasks` tasks spread evenly,
// one per instance of a berth daemon environment and the rest from 50 services (distinct task
// definitions and groups), all RUNNING and seen through three lifecycle versions.
void BM_ModelMemory(benchmark::State& state) {
  const auto instances = static_cast<std::size_t>(state.range(0));
  const auto tasks = static_cast<std::size_t>(state.range(1));
  const SystemTime now = SystemTime{} + std::chrono::hours(24 * 365 * 56);
  const std::string daemon_sb = policy::encode_started_by(policy::WorkloadKey::daemon("bench-env"));
  const std::string daemon_group = *policy::encode_group(policy::WorkloadKey::daemon("bench-env"), "d-0001");
  const std::string daemon_td = "arn:aws:ecs:us-east-1:111122223333:task-definition/bench-daemon:1";
  double per_instance = 0, per_task = 0, rss_mib = 0, heap_mib = 0;
  for (auto _ : state) {
    malloc_trim(0);
    const std::size_t heap0 = heap_in_use(), rss0 = rss_bytes();
    auto model = std::make_unique<ClusterModel>(bench_cluster);
    for (std::size_t i = 0; i < instances; ++i) model->apply_instance(make_instance(i, 1), now);
    const std::size_t heap1 = heap_in_use();
    static constexpr const char* life[] = {"PENDING", "RUNNING"};
    for (std::size_t t = 0; t < tasks; ++t) {
      const std::size_t inst = t % instances;
      const bool daemon = t < instances;
      const std::size_t svc = t % 50;
      const std::string sb = daemon ? daemon_sb : "ecs-svc/92233705561501" + std::to_string(10000 + svc);
      const std::string group = daemon ? daemon_group : "service:svc-" + std::to_string(svc);
      const std::string td = daemon ? daemon_td
                                    : "arn:aws:ecs:us-east-1:111122223333:task-definition/svc-" + std::to_string(svc) + ":3";
      for (int v = 0; v < 2; ++v) model->apply_task(make_task(t, inst, life[v], v + 1, sb, group, td), now);
    }
    const std::size_t heap2 = heap_in_use(), rss2 = rss_bytes();
    per_instance = static_cast<double>(heap1 - heap0) / static_cast<double>(instances);
    per_task = tasks ? static_cast<double>(heap2 - heap1) / static_cast<double>(tasks) : 0.0;
    heap_mib = static_cast<double>(heap2 - heap0) / (1024.0 * 1024.0);
    rss_mib = static_cast<double>(rss2 > rss0 ? rss2 - rss0 : 0) / (1024.0 * 1024.0);
    benchmark::DoNotOptimize(model->task_count());
    state.PauseTiming();
    model.reset();
    state.ResumeTiming();
  }
  state.counters["bytes_per_instance"] = per_instance;
  state.counters["bytes_per_task"] = per_task;
  state.counters["model_heap_MiB"] = heap_mib;
  state.counters["rss_growth_MiB"] = rss_mib;
}
BENCHMARK(BM_ModelMemory)
    ->Args({5'000, 0})
    ->Args({5'000, 100'000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace berth::bench
