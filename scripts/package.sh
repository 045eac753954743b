#!/usr/bin/env bash
# File: scripts/package.sh — builds berth's Debian package (CPack DEB) into $BUILD_DIR (default build/).
# Configures that build folder with the package's prefix (/usr: the unit runs /usr/bin/berth, the config is
# /etc/berth/berth.toml), builds only the berth binary and runs cpack. Prints the .deb's path last.
# Usage: bash scripts/setup.sh && bash scripts/package.sh [extra cmake args]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build}
# shellcheck source=scripts/ccache_env.sh
source scripts/ccache_env.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE="${BERTH_BUILD_TYPE:-Release}" -DCMAKE_INSTALL_PREFIX=/usr \
  "${launcher[@]}" "$@" >/dev/null
cmake --build "$build" -j"$(nproc)" --target berth
(cd "$build" && cpack -G DEB >/dev/null)
ls -1 "$build"/berth_*.deb | tail -n 1
