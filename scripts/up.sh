#!/bin/sh
# Installs dependencies, builds, and runs a local cluster (leader + 2
# mirrors on the embedded log) in the foreground. Ctrl-C stops it.
# Usage: scripts/up.sh [ROOT] [extra `hgcluster up` options]
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
ROOT="${1:-$PWD/local-cluster}"
[ $# -gt 0 ] && shift
exec ./build/hgcluster up --root "$ROOT" --mirrors 2 "$@"
