// File: bench/micro/event_bench.cpp — the event hot path on one core: EventDecoder::decode, then
// ClusterModel::apply_*, then the whole EventIngest::ingest (decode + apply + dirty keys), over the
// real samples in BERTH_TESTDATA_DIR/ecs-events and over synthetic streams. Target: decode+apply
// >= 100,000 events/s/core (read the items_per_second column).
#include "synthetic_events.hpp"

#include "reactor/cluster_model.hpp"
#include "reactor/workload_index.hpp"
#include "reactor/event_decode.hpp"
#include "reactor/event_ingest.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace berth::bench {
namespace {

using reactor::ClusterModel;
using reactor::EventDecoder;
using SystemTime = std::chrono::system_clock::time_point;

const SystemTime bench_now = SystemTime{} + std::chrono::hours(24 * 365 * 56);

std::vector<std::string> load_real_samples() {
  std::vector<std::string> out;
  const std::filesystem::path dir = std::filesystem::path(BERTH_TESTDATA_DIR) / "ecs-events";
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::directory_iterator(dir))
    if (e.path().extension() == ".json") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out.push_back(ss.str());
  }
  if (out.empty()) throw std::runtime_error("no samples in " + dir.string());
  return out;
}

// Streams are generated once per process (generation is not what we measure).
const std::vector<std::string>& real_samples() {
  static const auto v = load_real_samples();
  return v;
}
const std::vector<std::string>& task_stream() {
  static const auto v = task_lifecycle_stream(20'000, 1'000);
  return v;
}
const std::vector<std::string>& instance_stream() {
  static const auto v = instance_update_stream(1'000, 20);
  return v;
}
const std::vector<std::string>& mixed() {
  static const auto v = mixed_stream(20'000, 1'000);
  return v;
}

std::size_t total_bytes(const std::vector<std::string>& v) {
  std::size_t n = 0;
  for (const auto& s : v) n += s.size();
  return n;
}

void set_rates(benchmark::State& state, const std::vector<std::string>& stream) {
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
  const double avg = static_cast<double>(total_bytes(stream)) / static_cast<double>(stream.size());
  state.SetBytesProcessed(static_cast<std::int64_t>(avg * static_cast<double>(state.iterations())));
  state.counters["avg_body_bytes"] = avg;
}

// --- decode only ------------------------------------------------------------------------------

void decode_stream(benchmark::State& state, const std::vector<std::string>& stream) {
  EventDecoder decoder;
  std::size_t i = 0, errors = 0;
  for (auto _ : state) {
    auto r = decoder.decode(stream[i]);
    if (!r) ++errors;
    benchmark::DoNotOptimize(r);
    if (++i == stream.size()) i = 0;
  }
  set_rates(state, stream);
  if (errors) state.SkipWithError("decode errors");
}

void BM_Decode_RealSamples(benchmark::State& state) { decode_stream(state, real_samples()); }
void BM_Decode_SyntheticTask(benchmark::State& state) { decode_stream(state, task_stream()); }
void BM_Decode_SyntheticInstance(benchmark::State& state) { decode_stream(state, instance_stream()); }
BENCHMARK(BM_Decode_RealSamples);
BENCHMARK(BM_Decode_SyntheticTask);
BENCHMARK(BM_Decode_SyntheticInstance);

// --- decode + apply ---------------------------------------------------------------------------

// Applies each decoded event to the model of its cluster. When the stream wraps, the model is
// replaced (outside the timing) so that every pass applies in order, as fresh events would.
void decode_apply_stream(benchmark::State& state, const std::vector<std::string>& stream, std::string cluster) {
  EventDecoder decoder;
  auto model = std::make_unique<ClusterModel>(cluster);
  std::size_t i = 0, errors = 0, applied = 0;
  for (auto _ : state) {
    auto r = decoder.decode(stream[i]);
    if (!r) {
      ++errors;
    } else if (auto* te = std::get_if<reactor::TaskEvent>(&*r)) {
      applied += model->apply_task(te->task, bench_now).result == reactor::ApplyResult::applied;
    } else if (auto* ie = std::get_if<reactor::InstanceEvent>(&*r)) {
      applied += model->apply_instance(ie->instance, bench_now).result == reactor::ApplyResult::applied;
    }
    if (++i == stream.size()) {
      i = 0;
      state.PauseTiming();
      model = std::make_unique<ClusterModel>(cluster);
      state.ResumeTiming();
    }
  }
  set_rates(state, stream);
  state.counters["applied_fraction"] = static_cast<double>(applied) / static_cast<double>(state.iterations());
  if (errors) state.SkipWithError("decode errors");
}

// The real samples name cluster "default"; non-task/instance samples are decoded and ignored.
void BM_DecodeApply_RealSamples(benchmark::State& state) { decode_apply_stream(state, real_samples(), "default"); }
void BM_DecodeApply_SyntheticTask(benchmark::State& state) { decode_apply_stream(state, task_stream(), bench_cluster); }
void BM_DecodeApply_SyntheticInstance(benchmark::State& state) {
  decode_apply_stream(state, instance_stream(), bench_cluster);
}
void BM_DecodeApply_SyntheticMixed(benchmark::State& state) { decode_apply_stream(state, mixed(), bench_cluster); }
BENCHMARK(BM_DecodeApply_RealSamples);
BENCHMARK(BM_DecodeApply_SyntheticTask);
BENCHMARK(BM_DecodeApply_SyntheticInstance);
BENCHMARK(BM_DecodeApply_SyntheticMixed);

// --- the whole per-message path: EventIngest::ingest (decode + apply + dirty keys) -------------

void BM_Ingest_SyntheticMixed(benchmark::State& state) {
  const auto& stream = mixed();
  reactor::WorkloadIndex envs;
  envs.put(policy::WorkloadKey::daemon("bench-env"), bench_cluster);
  envs.put(policy::WorkloadKey::daemon("other-env"), bench_cluster);
  auto model = std::make_unique<ClusterModel>(bench_cluster);
  auto lookup = [&](std::string_view name) -> ClusterModel* { return name == bench_cluster ? model.get() : nullptr; };
  metrics::Registry registry;
  auto ingest = std::make_unique<reactor::EventIngest>(lookup, envs, registry);
  std::size_t i = 0, dirty = 0;
  for (auto _ : state) {
    auto r = ingest->ingest(stream[i], bench_now);
    dirty += r.dirty_keys.size();
    benchmark::DoNotOptimize(r);
    if (++i == stream.size()) {
      i = 0;
      state.PauseTiming();
      model = std::make_unique<ClusterModel>(bench_cluster);
      state.ResumeTiming();
    }
  }
  set_rates(state, stream);
  state.counters["dirty_keys_per_event"] = static_cast<double>(dirty) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Ingest_SyntheticMixed);

// Duplicates / out-of-order deliveries: every event is stale (the model already has a newer version).
void BM_Ingest_StaleDuplicates(benchmark::State& state) {
  const auto& stream = mixed();
  reactor::WorkloadIndex envs;
  envs.put(policy::WorkloadKey::daemon("bench-env"), bench_cluster);
  ClusterModel model(bench_cluster);
  metrics::Registry registry;
  reactor::EventIngest ingest([&](std::string_view) { return &model; }, envs, registry);
  for (const auto& body : stream) ingest.ingest(body, bench_now);
  std::size_t i = 0;
  for (auto _ : state) {
    auto r = ingest.ingest(stream[i], bench_now);
    benchmark::DoNotOptimize(r);
    if (++i == stream.size()) i = 0;
  }
  set_rates(state, stream);
}
BENCHMARK(BM_Ingest_StaleDuplicates);

// --- apply only (already decoded): how the per-event cost splits --------------------------------

void BM_ApplyOnly_Task(benchmark::State& state) {
  std::vector<aws::ecs::Task> tasks;
  static constexpr const char* life[] = {"PROVISIONING", "PENDING", "RUNNING"};
  const std::string sb = "berth/0123456789abcdef", group = "berth:bench-env:d-0001",
                    td = "arn:aws:ecs:us-east-1:111122223333:task-definition/bench-daemon:1";
  for (std::size_t t = 0; t < 10'000; ++t)
    for (int v = 0; v < 3; ++v) tasks.push_back(make_task(t, t % 1000, life[v], v + 1, sb, group, td));
  // Order by version, then task (in-order stream), so each task sees 1, 2, 3.
  std::stable_sort(tasks.begin(), tasks.end(), [](const auto& a, const auto& b) { return a.version < b.version; });
  auto model = std::make_unique<ClusterModel>(bench_cluster);
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(model->apply_task(tasks[i], bench_now));
    if (++i == tasks.size()) {
      i = 0;
      state.PauseTiming();
      model = std::make_unique<ClusterModel>(bench_cluster);
      state.ResumeTiming();
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()));
}
BENCHMARK(BM_ApplyOnly_Task);

}  // namespace
}  // namespace berth::bench
