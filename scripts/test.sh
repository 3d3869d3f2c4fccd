#!/usr/bin/env bash
# The README's test command: installs whatever is missing (Debian 12, as root),
# runs the container test (always in CI, elsewhere when podman is installed),
# runs the fuzzers for a bounded time (scripts/fuzz.sh, 60 s each), then builds
# the gateway once the plain CMake way (no preset), builds the release and the
# ASan+UBSan variants and runs the whole suite in each, and makes and checks the
# Debian package from the release build.
# CTest's summary closes the output; the exit status is non-zero if any suite
# failed in any variant, or the container test or a fuzzer did.
#
#   bash scripts/test.sh              # container + release + asan (what CI runs)
#   GW_PRESETS="debug tsan" bash scripts/test.sh
#   GW_CONTAINER_TEST=0 bash scripts/test.sh   # skip the container test
#   GW_FUZZ_SECONDS=0 bash scripts/test.sh      # skip the fuzzers
#   GW_PLAIN_BUILD=0 bash scripts/test.sh       # skip the plain build
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

failed=()
# The image is built and run for real (docker/, scripts/container-test.sh). It
# goes first so that CTest's summary is what closes the output.
if [[ ${GW_CONTAINER_TEST:-} != 0 ]] && { [[ -n ${CI:-} ]] || command -v podman >/dev/null; }; then
  echo "=== container: build the image and run it"
  if ! GW_BUILD_JOBS= bash scripts/container-test.sh; then
    failed+=(container)
  fi
fi

if [[ ${GW_FUZZ_SECONDS:-60} != 0 ]]; then
  echo "=== fuzz: build the harnesses and run each for ${GW_FUZZ_SECONDS:-60} s"
  if ! bash scripts/fuzz.sh; then
    failed+=(fuzz)
  fi
fi

# The conventional build a packager or a new user types, with no preset:
# -Werror is the presets' (GW_WERROR), never the default, so a newer compiler's
# new warning cannot break it. Release is -O3, where g++ 12 warns falsely.
if [[ ${GW_PLAIN_BUILD:-1} != 0 ]]; then
  echo "=== plain: cmake -B build/plain -DCMAKE_BUILD_TYPE=Release, the gateway target"
  if ! { CMAKE_CXX_COMPILER_LAUNCHER=$(command -v ccache || true) \
           cmake -S . -B build/plain -DCMAKE_BUILD_TYPE=Release >/dev/null &&
         cmake --build build/plain --target gateway -j "$(nproc)" >/dev/null &&
         build/plain/gateway/gateway --check docker/gateway.toml >/dev/null; }; then
    failed+=(plain)
  fi
fi

read -r -a presets <<<"${GW_PRESETS:-release asan}"
for preset in "${presets[@]}"; do
  echo "=== ${preset}: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset"
  echo "=== ${preset}: test"
  if ! ctest --preset "$preset"; then
    failed+=("$preset")
  fi
  # The Debian package from the release build: the archive, its unit, and an
  # install into a clean Debian root (the container test's base image).
  if [[ $preset == release ]]; then
    echo "=== package: make the .deb and check it"
    install=1
    podman image exists docker.io/library/debian:bookworm-slim 2>/dev/null || install=0
    if ! GW_PACKAGE_INSTALL=$install bash scripts/package-test.sh "build/release"; then
      failed+=(package)
    fi
  fi
done

if ((${#failed[@]} > 0)); then
  echo "test.sh: suites failed in: ${failed[*]}" >&2
  exit 1
fi
