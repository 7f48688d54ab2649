#!/usr/bin/env bash
# Sets up, builds and runs the main job on the bundled model examples/mlp_block.json
# (MatMul + bias from b1.npy + Gelu, the example of shared/GRAPH_JSON.md): describe it,
# optimise it, run it on the cpu target checked against the reference interpreter, and print
# its measured data-movement report.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DCONFLUX_BUILD_TESTS=ON > /dev/null
cmake --build build -j "$(nproc)" --target conflux
conflux=build/bin/conflux
model=examples/mlp_block.json
mkdir -p out
set -x
$conflux info "$model"
$conflux optimize "$model" --target cpu -O3 -o out/mlp_block.O3.ir.json
$conflux run "$model" --target cpu -O3 --seed 1 --check --outputs out/mlp_block --bench 10
$conflux report "$model" --target cpu -O3 --measure
$conflux report "$model" --target cpu -O3 --measure --format html -o out/mlp_block.report.html
