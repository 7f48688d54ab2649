#!/usr/bin/env bash
# Installs the Debian 12 packages Conflux builds and tests with. Idempotent: does nothing
# when every package is already present. Run as root (or with sudo available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config clang-format
  libisl-dev libboost-graph-dev nlohmann-json3-dev libgtest-dev
  libhalide14-0-dev llvm-14-dev
  libonnx-dev libprotobuf-dev protobuf-compiler
  libonnx-testdata
  chromium
)
# Node.js runs ONNX Runtime; take Debian's only when the machine has none.
command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)

# ONNX Runtime (the external oracle and benchmark peer) comes from npm; its install script
# only downloads GPU binaries, so it is skipped. Installed into third_party/onnxruntime.
install_onnxruntime() {
  local dir=third_party/onnxruntime
  [ -f "$dir/node_modules/onnxruntime-node/package.json" ] && return 0
  mkdir -p "$dir"
  npm install --prefix "$dir" --ignore-scripts --no-audit --no-fund onnxruntime-node@1.20.1 ||
    echo "setup: warning: npm could not install onnxruntime-node; the ONNX Runtime comparisons will be skipped" >&2
}

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -ne 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update
  $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi
cd "$(dirname "$0")/.."
install_onnxruntime
