#!/usr/bin/env bash
# Sets up, builds and runs the main job: optimise the bundled example and print what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCONFLUX_BUILD_TESTS=ON
cmake --build build -j "$(nproc)" --target conflux
mkdir -p out
build/bin/conflux optimize examples/mlp.ir.json --target cpu -O3 --dump-after all -o out/mlp.O3.ir.json
