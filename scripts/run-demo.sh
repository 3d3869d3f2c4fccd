#!/usr/bin/env bash
# The README's run command: installs whatever is missing (Debian 12, as root),
# builds the release variant, starts two demo origins (gwbench origin) on
# 127.0.0.1:9001 and :9002 and the gateway on docker/gateway.toml in the
# foreground. Ctrl-C (SIGINT) drains the gateway and stops the origins.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release --target gateway gwbench

bin=build/release
"$bin/bench/gwbench" origin --listen 127.0.0.1:9001 &
origin1=$!
"$bin/bench/gwbench" origin --listen 127.0.0.1:9002 &
origin2=$!
trap 'kill "$origin1" "$origin2" 2>/dev/null || true' EXIT

cat <<'TXT'

  The gateway listens on http://127.0.0.1:8080/ (docker/gateway.toml), in front of
  two demo origins. Try:
      curl -i 'http://127.0.0.1:8080/?size=1000'
      curl -i 'http://127.0.0.1:8080/echo' --data-binary @README.md
      build/release/bench/gwbench load http://127.0.0.1:8080/ -c 64 -d 5
  Ctrl-C drains and stops it.

TXT
"$bin/gateway/gateway" --config docker/gateway.toml
