#!/usr/bin/env bash
# File: scripts/package_check.sh — installs the .deb that scripts/package.sh built, checks it as an operator
# would (berth --version, check-config on the installed config, systemd-analyze verify of the installed unit,
# the berth user and the state directory), then removes and purges it. Needs root. CI runs it.
# Usage: bash scripts/package_check.sh path/to/berth_*.deb
set -euo pipefail
deb=$(realpath "$1")
fail() { echo "package_check: $*" >&2; exit 1; }

dpkg -i "$deb" || { apt-get install -y -qq -f && dpkg -i "$deb"; }
/usr/bin/berth --version
/usr/bin/berth check-config -c /etc/berth/berth.toml
[ -f /usr/lib/systemd/system/berth.service ] || fail "unit not installed"
grep -q '^ExecStart=/usr/bin/berth serve -c /etc/berth/berth.toml$' /usr/lib/systemd/system/berth.service ||
  fail "unit's ExecStart does not follow the package prefix"
getent passwd berth >/dev/null || fail "postinst created no berth user"
[ "$(stat -c %U:%a /var/lib/berth)" = "berth:750" ] || fail "/var/lib/berth is $(stat -c %U:%a /var/lib/berth)"
[ "$(stat -c %U:%G:%a /etc/berth/berth.toml)" = "root:berth:640" ] ||
  fail "/etc/berth/berth.toml is $(stat -c %U:%G:%a /etc/berth/berth.toml)"
dpkg-query -W -f='${Conffiles}\n' berth | grep -q /etc/berth/berth.toml || fail "berth.toml is not a conffile"
if command -v systemd-analyze >/dev/null; then
  # verify needs the unit's binaries present (it checks ExecStart=); it prints any problem and exits non-zero.
  systemd-analyze verify /usr/lib/systemd/system/berth.service
fi
dpkg -r berth
[ ! -e /usr/bin/berth ] || fail "dpkg -r left /usr/bin/berth"
[ -f /etc/berth/berth.toml ] || fail "dpkg -r removed the conffile (only a purge may)"
dpkg -P berth
[ ! -e /etc/berth/berth.toml ] || fail "purge left /etc/berth/berth.toml"
[ ! -e /var/lib/berth ] || fail "purge left /var/lib/berth"
echo "package_check: $(basename "$deb") installs, verifies and removes cleanly"
