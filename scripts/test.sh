#!/usr/bin/env bash
# Sets up, builds (warnings as errors) and runs every test with CTest.
# --sanitize builds into build-asan with AddressSanitizer + UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

build=build
flags=(-DCMAKE_BUILD_TYPE=Release -DCONFLUX_WERROR=ON)
if [ "${1:-}" = "--sanitize" ]; then
  build=build-asan
  flags=(-DCMAKE_BUILD_TYPE=Debug -DCONFLUX_WERROR=ON -DCONFLUX_SANITIZE=ON)
fi
jobs=$(nproc)
cmake -S . -B "$build" -G Ninja "${flags[@]}" -DCONFLUX_BUILD_TESTS=ON
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs"
