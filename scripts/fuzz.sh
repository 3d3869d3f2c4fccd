#!/usr/bin/env bash
# Builds the libFuzzer harnesses (the `fuzz` preset: clang, ASan+UBSan) and runs
# each for a bounded time from its seed corpus in fuzz/corpus/, after replaying
# every input in fuzz/regressions/ (what the fuzzers found before). Fails on any
# crash, leak, UB report or property violation; the input that did it is left
# in build/fuzz/findings/<harness>/ (make it a regression: see fuzz/README.md).
#
#   bash scripts/fuzz.sh                    # 60 s per harness (what CI runs)
#   GW_FUZZ_SECONDS=600 bash scripts/fuzz.sh
#   bash scripts/fuzz.sh request_head       # one harness
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${GW_FUZZ_SECONDS:-60}
harnesses=("$@")
((${#harnesses[@]})) || harnesses=(request_head response config proxy_header)

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz

failed=()
for h in "${harnesses[@]}"; do
  exe="build/fuzz/fuzz/fuzz_${h}"
  work="build/fuzz/corpus/${h}"
  findings="build/fuzz/findings/${h}"
  mkdir -p "$work" "$findings"
  echo "=== fuzz ${h}: regressions"
  if compgen -G "fuzz/regressions/${h}/*" >/dev/null; then
    if ! "$exe" fuzz/regressions/"${h}"/* 2>"$findings/regressions.log"; then
      tail -20 "$findings/regressions.log"
      failed+=("${h} (regression)")
      continue
    fi
  fi
  echo "=== fuzz ${h}: ${seconds} s"
  # New inputs go to the work corpus; the seeds in fuzz/corpus stay as committed.
  if "$exe" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
       -artifact_prefix="$findings/" "$work" "fuzz/corpus/${h}" >"$findings/run.log" 2>&1; then
    grep -E "^stat::number_of_executed_units|^stat::average_exec_per_sec|^stat::new_units_added" \
      "$findings/run.log" | sed "s/^/  ${h}: /"
  else
    tail -40 "$findings/run.log"
    failed+=("$h")
  fi
done

if ((${#failed[@]})); then
  echo "fuzz.sh: failed: ${failed[*]} (inputs in build/fuzz/findings/)" >&2
  exit 1
fi
