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
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update
$sudo apt-get install -y --no-install-recommends "${missing[@]}"
