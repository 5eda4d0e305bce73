#!/usr/bin/env bash
# Installs the Debian packages spotcheck needs to build, run and test.
# Usage: scripts/deps.sh [build|test|bench]   (default: build)
# Skips apt entirely when every package is already present; uses sudo when not root.
set -euo pipefail
want=${1:-build}
pkgs=(gcc make pkg-config libsqlite3-dev libsodium-dev libjansson-dev libmicrohttpd-dev
      libzip-dev libexpat1-dev libxlsxwriter-dev zlib1g-dev libpq-dev sqlite3 python3)
case "$want" in
  test) pkgs+=(chromium nodejs npm fonts-noto-cjk faketime clang-format-14 postgresql nginx) ;;
  bench) pkgs+=(postgresql wrk nginx hyperfine) ;;
esac
missing=()
for p in "${pkgs[@]}"; do
  # nodejs may come from another repository that bundles npm: accept an npm binary in place of the package
  if [ "$p" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "deps: installing ${missing[*]}" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
