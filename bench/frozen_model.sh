# Sourced by the benchmark scripts. frozen_model MODEL WORK prints the model to time: inputs
# drawn by conflux (uniform in [-1, 1), seed 1) are left in WORK/<name>/in (the layout
# `conflux run --inputs` reads), and a .noweights model is written to WORK/<name>.onnx with its
# drawn weights stored as initializers, as deployed: runtimes may then pre-pack them at load.
# The conflux run also fills the compile cache for the timed run. Needs $conflux.
frozen_model() {
  local model=$1 work=$2 name
  name=$(basename "$model" .onnx)
  $conflux run "$model" --target cpu --seed 1 --outputs "$work/$name/drawn" > /dev/null
  mkdir -p "$work/$name/in"
  for f in "$work/$name/drawn"/input.*.npy; do cp "$f" "$work/$name/in/$(basename "$f" | sed 's/^input\.//')"; done
  if [ "$(ls "$work/$name/in" | wc -l)" -gt 1 ]; then
    build/bin/freeze_weights "$model" "$work/$name/in" "$work/$name.onnx" > /dev/null
    model=$work/$name.onnx
  fi
  echo "$model"
}
