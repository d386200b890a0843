#!/bin/sh
# Configures and builds hgcluster (binary, tests, benchmarks) into ./build.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
# A unity build (several .cc files compiled as one) takes about half the time
# from scratch; UNITY=OFF gives quicker rebuilds of one changed file.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_UNITY_BUILD="${UNITY:-ON}" -DCMAKE_UNITY_BUILD_BATCH_SIZE=8 >/dev/null
ninja -C build -j"${JOBS:-2}"
