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
  # TLS (issue 14): OpenSSL 3 to build against, its command line to make test
  # certificates, and curl as a real TLS client in the tests
  libssl-dev openssl curl ca-certificates
  # DNS service discovery (issue 15): c-ares, asynchronous on the workers' loops
  libc-ares-dev
  # basic authentication (issue 16): libcrypt checks bcrypt and SHA-crypt hashes
  libcrypt-dev
  # the fuzzers (scripts/fuzz.sh): clang with libFuzzer and its sanitizer runtimes
  clang libclang-rt-14-dev
  # observability tests: a real Prometheus text parser and a real browser
  python3 python3-prometheus-client chromium
  # the Debian package (scripts/package-test.sh): dpkg-shlibdeps, systemd-analyze
  dpkg-dev systemd
)
packages+=("$@")

bash "$(dirname "$0")/apt-install.sh" "${packages[@]}"

# promtool checks the alert rules in deploy/prometheus/ (CTest alert_rules). It
# comes with Debian's prometheus package, whose own server is not wanted here:
# a policy-rc.d (unless one exists) keeps the install from starting it.
if ! command -v promtool >/dev/null; then
  policy=/usr/sbin/policy-rc.d
  made_policy=0
  if [[ ! -e $policy ]]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
    made_policy=1
  fi
  bash "$(dirname "$0")/apt-install.sh" prometheus
  if ((made_policy)); then rm -f "$policy"; fi
fi
