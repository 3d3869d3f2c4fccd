#!/usr/bin/env bash
# Installs every Debian 12 package the build and the test suite need, and nothing
# when they are all present already. Safe to run again; needs root (or sudo).
#
# Boost comes as the versioned 1.81 packages: libboost-dev / libboost-all-dev are
# 1.74 on Debian 12 and conflict with them.
set -euo pipefail

packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-test1.81-dev
  libtomlplusplus-dev
  libbenchmark-dev
  # observability tests: a real Prometheus text parser and a real browser
  python3 python3-prometheus-client chromium
)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
