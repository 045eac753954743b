#!/usr/bin/env bash
# File: scripts/test.sh — configure, build and run the whole test suite (GoogleTest via ctest).
# Usage: scripts/test.sh [extra cmake args]   e.g. BUILD_DIR=build-asan scripts/test.sh -DBERTH_SANITIZE=ON
# BERTH_BUILD_TYPE picks the build type (default Release, CI's main build); BERTH_CTEST_ARGS adds ctest
# arguments, e.g. BERTH_CTEST_ARGS="-LE e2e" to leave out the end-to-end suite. Warnings are errors here
# (-DBERTH_WERROR=ON); ccache is used when it is installed (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
# shellcheck source=scripts/ccache_env.sh
source scripts/ccache_env.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BERTH_BUILD_TYPE:-Release}" -DBERTH_WERROR=ON "${launcher[@]}" "$@"
cmake --build "$build" -j"$(nproc)"
# shellcheck disable=SC2086 # BERTH_CTEST_ARGS is a list of arguments
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 ${BERTH_CTEST_ARGS:-}
if command -v ccache >/dev/null; then ccache --show-stats 2>/dev/null | grep -iE 'hits|misses' | head -n 3 || true; fi
