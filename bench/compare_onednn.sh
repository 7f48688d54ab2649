#!/usr/bin/env bash
# Times each MatMul, Gemm and Conv of the shared models in oneDNN next to the conflux kernel
# computing it (bench/onednn_peer.cpp says how), the .noweights models with their weights
# frozen into initializers as in compare_peers.sh. Needs libdnnl-dev when building.
# usage: bash bench/compare_onednn.sh [RUNS] [MODEL.onnx...]   (after scripts/test.sh or demo.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=(../shared/models/*.onnx)
conflux=build/bin/conflux
[ -x build/bin/onednn_peer ] || { echo "build/bin/onednn_peer is missing: apt-get install libdnnl-dev, then rebuild"; exit 2; }
source bench/frozen_model.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for model in "${models[@]}"; do
  echo "== $(basename "$model")"
  build/bin/onednn_peer "$(frozen_model "$model" "$work")" --runs "$runs"
done
