#!/bin/sh
# Installs dependencies, builds, and runs every test (unit and end-to-end,
# with real hg, real processes and the librdkafka mock cluster).
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
cd build
exec ctest --output-on-failure -j"${JOBS:-2}" --timeout 900
