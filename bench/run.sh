#!/usr/bin/env bash
# File: bench/run.sh — one command per benchmark:
#   bash bench/run.sh micro|converge|storm|steady|service-place|service-rollout|job-idle|job-lag|job-burst|all
# Builds what it needs in build-bench (Release), runs the benchmark and writes its raw output to
# bench/results/<name>.{json,txt}. bench/RESULTS.md is written by hand from these (with targets).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${BERTH_BENCH_BUILD:-$root/build-bench}"
results="$root/bench/results"
jobs="${BERTH_BENCH_JOBS:-2}"
mkdir -p "$results"

configure() {
  if [[ ! -f "$build/CMakeCache.txt" ]]; then
    # Through ccache when installed (scripts/ccache_env.sh sets CCACHE_BASEDIR from the working directory).
    (cd "$root" && source scripts/ccache_env.sh &&
      cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBERTH_BUILD_TESTS=ON -DBERTH_BUILD_BENCH=ON \
        "${launcher[@]}" >/dev/null)
  fi
}

machine() {
  echo "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') x $(nproc)"
  echo "memory: $(free -m | awk '/Mem:/{print $2 " MiB"}')"
  echo "uptime: $(uptime)"
  echo "commit: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
}

run_micro() {
  configure
  cmake --build "$build" -j"$jobs" --target berth_micro_bench
  machine | tee "$results/micro.txt"
  # Repetitions smooth out the other processes sharing this machine; the median is what we report.
  "$build/berth_micro_bench" --benchmark_repetitions="${BERTH_BENCH_REPS:-3}" --benchmark_report_aggregates_only=true \
    --benchmark_out="$results/micro.json" --benchmark_out_format=json "$@" | tee -a "$results/micro.txt"
}

run_scenario() {
  local name="$1"
  shift
  configure
  cmake --build "$build" -j"$jobs" --target berth berth-sim
  machine | tee "$results/$name.txt"
  python3 "$root/bench/scenario/scenario.py" "$name" --build "$build" --out "$results/$name.json" --markdown "$@" \
    2> >(tee -a "$results/$name.txt" >&2)
}

what="${1:-all}"
shift || true
case "$what" in
  micro) run_micro "$@" ;;
  converge | storm | steady | service-place | service-rollout | job-idle | job-lag | job-burst) run_scenario "$what" "$@" ;;
  all)
    run_micro
    run_scenario converge
    run_scenario storm
    run_scenario steady
    run_scenario service-place
    run_scenario service-rollout
    run_scenario job-idle
    run_scenario job-lag
    run_scenario job-burst
    ;;
  *)
    echo "usage: bash bench/run.sh micro|converge|storm|steady|service-place|service-rollout|job-idle|job-lag|job-burst|all [extra args]" >&2
    exit 2
    ;;
esac
