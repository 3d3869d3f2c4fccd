#!/usr/bin/env bash
# The README's test command: installs whatever is missing (Debian 12, as root),
# builds the release and the ASan+UBSan variants, and runs the whole suite in
# each. CTest's summary closes the output; the exit status is non-zero if any
# suite failed in any variant.
#
#   bash scripts/test.sh              # release + asan (what CI runs)
#   GW_PRESETS="debug tsan" bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

read -r -a presets <<<"${GW_PRESETS:-release asan}"
failed=()
for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "=== ${preset}: test"
  if ! ctest --preset "$preset"; then
    failed+=("$preset")
  fi
done

if ((${#failed[@]} > 0)); then
  echo "test.sh: suites failed in: ${failed[*]}" >&2
  exit 1
fi
