#!/usr/bin/env bash
# Times conflux (cpu target, -O3, 2 threads) against ONNX Runtime 1.20 (intra-op threads 2) and
# PyTorch (Debian python3-torch with OpenBLAS, 2 threads) side by side, and prints median
# latencies and ratios, the machine's limits and each model's roofline bound (conflux's time
# over it). Models: the shared ones, the BERT-base and BERT-large layers at sequence 512
# (exported by bench/torch_peer.py as the shared layers were), a GPT-2-sized causal layer at
# sequence 1024 (pre-LN, a constant causal mask; torch_peer.py) and the UNet at 1024x1024
# (bench/resize_input). conflux and ONNX Runtime run the same file on the same inputs; the
# weights of the .noweights models are drawn once and frozen into initializers for both.
# PyTorch runs the same architecture with its own random weights ("-" where it has none: the
# UNet), which does not change its time.
# usage: bash bench/compare_peers.sh [RUNS] [MODEL.onnx...]   (after scripts/test.sh or demo.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-20}
shift || true
models=("$@")
conflux=build/bin/conflux
source bench/frozen_model.sh
python=/usr/bin/python3  # Debian's, which has python3-torch
torch_ok=yes
$python -c 'import torch' 2> /dev/null || {
  torch_ok=
  echo "no PyTorch (apt-get install python3-torch python3-torchvision libopenblas0-pthread): its column and the layers it exports (sequence 512, GPT-2 at 1024) are skipped"
}
export CONFLUX_ORT_MODULE=$PWD/third_party/onnxruntime/node_modules/onnxruntime-node
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ ${#models[@]} -eq 0 ]; then
  models=(../shared/models/*.onnx)
  for layer in bert_base bert_large; do
    [ -n "$torch_ok" ] || break
    $python bench/torch_peer.py export "$layer" 512 "$work/${layer}_layer.seq512.onnx" > /dev/null
    models+=("$work/${layer}_layer.seq512.onnx")
  done
  if [ -n "$torch_ok" ]; then
    $python bench/torch_peer.py export gpt2 1024 "$work/gpt2_layer.seq1024.onnx" > /dev/null
    models+=("$work/gpt2_layer.seq1024.onnx")
  fi
  build/bin/resize_input ../shared/models/unet_small.op17.onnx "$work/unet_small.1024.onnx" 1 3 1024 1024 > /dev/null
  models+=("$work/unet_small.1024.onnx")
fi
# The PyTorch model of a file, by its name (torch_peer.py's MODEL), or nothing.
torch_model() {
  case "$1" in
    bert_base_layer.seq512) echo bert_base:512 ;;
    bert_large_layer.seq512) echo bert_large:512 ;;
    gpt2_layer.seq1024) echo gpt2:1024 ;;
    bert_base_layer.*) echo bert_base:128 ;;
    bert_large_layer.*) echo bert_large:128 ;;
    resnet50.*) echo resnet50 ;;
    mobilenet_v2.*) echo mobilenet_v2 ;;
  esac
}
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
printf '%-34s %11s %9s %9s %8s %10s %12s %9s\n' model "conflux ms" "ort ms" "torch ms" "ort/cfx" "torch/cfx" "roofline ms" \
  "cfx/roof"
for model in "${models[@]}"; do
  name=$(basename "$model" .onnx)
  model=$(frozen_model "$model" "$work")
  ours=$($conflux run "$model" --target cpu -O3 --inputs "$work/$name/in" --bench "$runs" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  theirs=$(node bench/ort_run.js "$model" "$work/$name/in" "$work/$name/ort" 2 "$runs" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  spec=$(torch_model "$name")
  torch=-
  [ -n "$spec" ] && [ -n "$torch_ok" ] && torch=$($python bench/torch_peer.py time "$spec" 2 "$runs" | sed -n 's/.*median \([0-9.]*\) ms.*/\1/p')
  bound=$(roofline "$model")
  awk -v n="$name" -v a="$ours" -v b="$theirs" -v t="$torch" -v r="$bound" 'BEGIN {
    tr = t == "-" ? "-" : sprintf("%.2f", t / a)
    printf "%-34s %11s %9s %9s %8.2f %10s %12s %9.2f\n", n, a, b, t, b / a, tr, r, a / r }'
done
