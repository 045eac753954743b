#!/usr/bin/env bash
# File: scripts/setup.sh — installs every build and test dependency of berth from Debian packages.
# Idempotent: when everything is already installed it only checks and returns.
set -euo pipefail

packages=(
  build-essential cmake pkg-config
  libboost1.81-all-dev libboost-json1.81-dev
  libspdlog-dev libssl-dev libtomlplusplus-dev libsqlite3-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  ca-certificates ccache
  curl python3
  libhowardhinnant-date-dev python3-apscheduler python3-jsonschema
)
# ccache speeds up rebuilds (scripts/test.sh uses it when present).
# libhowardhinnant-date-dev: date/tz.h + libdate-tz (system tzdb) for job schedules; python3-apscheduler is the
# test oracle for the ECS Scheduler schedule form (tests/policy/schedule_test.cpp); python3-jsonschema validates
# API answers against Blox's swagger files (tests/support/swagger_check.py).
# curl (with --aws-sigv4) and python3 (JSON in shell) are used by scripts/demo.sh.

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all dependencies present"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "setup: done"
