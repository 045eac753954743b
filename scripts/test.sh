#!/usr/bin/env bash
# File: scripts/test.sh — configure, build and run the whole test suite (GoogleTest via ctest).
# Usage: scripts/test.sh [extra cmake args]   e.g. BUILD_DIR=build-asan scripts/test.sh -DBERTH_SANITIZE=ON
# BERTH_CTEST_ARGS adds ctest arguments, e.g. BERTH_CTEST_ARGS="-LE e2e" to leave out the end-to-end suite.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$build" -j"$(nproc)"
# shellcheck disable=SC2086 # BERTH_CTEST_ARGS is a list of arguments
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 600 ${BERTH_CTEST_ARGS:-}
