#!/usr/bin/env bash
# Installs the Debian (bookworm) packages minitf's build, tests, demo,
# benchmarks and training data need. Idempotent: runs apt-get only for what is missing.
# Run as root (or with sudo) on a fresh machine.
set -euo pipefail

packages=(
  cmake ninja-build g++ pkg-config  # the toolchain
  ccache                            # compiler cache (CI builds three presets per clean clone)
  libdnnl-dev ocl-icd-opencl-dev    # oneDNN 2.6: convolutions (its CMake config requires OpenCL, which it only recommends)
  libeigen3-dev                     # Eigen 3.4: elementwise kernels
  libspdlog-dev                     # logging
  nlohmann-json3-dev                # checkpoint headers, TF.js model.json (JSON)
  libprotobuf-dev protobuf-compiler # GraphDef import and export
  zlib1g-dev                        # gzipped IDX data sets
  dataset-fashion-mnist             # Fashion-MNIST's IDX files, in /usr/share/datasets/fashion-mnist
  catch2 python3                    # tests (python3 reads checkpoints as a peer would)
  graphviz                          # the demo's --graph picture
  clang libclang-rt-14-dev          # the checkpoint fuzzer (libFuzzer)
  libcli11-dev libstb-dev           # the demo: flags, images
  libbenchmark-dev                  # benchmarks
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "setup: every package is installed"
  exit 0
fi

echo "setup: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
