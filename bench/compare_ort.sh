#!/usr/bin/env bash
# Times conflux (cpu target, -O3, 2 threads) against ONNX Runtime 1.20 (intra-op threads 2) on
# the shared models, side by side on the same inputs, and prints median latencies and ratios,
# the machine's limits and each model's roofline bound (conflux's time over it). The weights of
# the .noweights models are drawn once and frozen into initializers for both runtimes.
# usage: bash bench/compare_ort.sh [RUNS] [MODEL.onnx...]   (run after scripts/test.sh or demo.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
shift || true
models=("$@")
[ ${#models[@]} -eq 0 ] && models=(../shared/models/*.onnx)
conflux=build/bin/conflux
export CONFLUX_ORT_MODULE=$PWD/third_party/onnxruntime/node_modules/onnxruntime-node
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The roofline bound of a model: per kernel of the -O3 data-movement report, the larger of its
# FLOPs at the FMA peak and its bytes moved at the streaming bandwidth, summed.
roofline() {
  $conflux report "$1" --target cpu -O3 --format json | node -e '
    const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
    let ms = 0;
    for (const k of r.kernels) ms += Math.max(k.flop / (r.peak_gflops * 1e6), k.bytes_moved / (r.peak_gbs * 1e6));
    console.log(ms.toFixed(3));'
}
limits=$($conflux report "${models[0]}" --target cpu -O3 --format json | node -e '
  const r = JSON.parse(require("fs").readFileSync(0, "utf8"));
  console.log(`FMA peak ${r.peak_gflops} GFLOP/s, streaming bandwidth ${r.peak_gbs} GB/s`);')
echo "machine limits (targets/cpu/target.json): $limits"
printf '%-40s %12s %12s %8s %12s %9s\n' model "conflux ms" "ort ms" "ort/cfx" "roofline ms" "cfx/roof"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  # Inputs drawn by conflux (uniform in [-1, 1), seed 1), fed to both.
  $conflux run "$model" --target reference -O0 --seed 1 --outputs "$work/$name/drawn" > /dev/null 2>&1 ||
    $conflux run "$model" --target cpu --seed 1 --outputs "$work/$name/drawn" > /dev/null
  mkdir -p "$work/$name/in"
  for f in "$work/$name/drawn"/input.*.npy; do cp "$f" "$work/$name/in/$(basename "$f" | sed 's/^input\.//')"; done
  # A .noweights model runs with its drawn weights stored as initializers, as deployed: both
  # runtimes may then pre-pack them at load.
  if [ "$(ls "$work/$name/in" | wc -l)" -gt 1 ]; then
    build/bin/freeze_weights "$model" "$work/$name/in" "$work/$name.onnx" > /dev/null
    model=$work/$name.onnx
  fi
  ours=$($conflux run "$model" --target cpu -O3 --inputs "$work/$name/in" --bench "$runs" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  theirs=$(node bench/ort_run.js "$model" "$work/$name/in" "$work/$name/ort" 2 "$runs" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  bound=$(roofline "$model")
  awk -v n="$name" -v a="$ours" -v b="$theirs" -v r="$bound" \
    'BEGIN { printf "%-40s %12s %12s %8.2f %12s %9.2f\n", n, a, b, b / a, r, a / r }'
done
