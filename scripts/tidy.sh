#!/bin/bash
# Runs clang-tidy (the checks of .clang-tidy) on every non-test source of src/
# and fails on any finding, from the compile database of a non-unity
# configuration (build-tidy/, configured here, or BUILD_DIR):
#   scripts/tidy.sh [BUILD_DIR]
# Installs Debian's clang-tidy when it is missing (as root).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# Its own configuration by default: build/ may be a unity build, whose
# compile database names the merged files rather than each source.
build=${1:-$here/build-tidy}
if [ -z "${1:-}" ]; then
  cmake -S "$here" -B "$build" -G Ninja -DCMAKE_UNITY_BUILD=OFF >/dev/null
fi
if ! command -v run-clang-tidy >/dev/null; then
  apt-get install -y -q clang-tidy >/dev/null
fi
[ -f "$build/compile_commands.json" ] || {
  echo "tidy: no $build/compile_commands.json; configure the build first (cmake -B build -G Ninja)" >&2
  exit 2
}
# gcc's warning flags are unknown to clang: not a finding.
run-clang-tidy -quiet -p "$build" -j "$(nproc)" \
  -extra-arg=-Wno-unknown-warning-option \
  "^$here/src/.*(?<!_test)\.cc$" 2>&1 | grep -v "^Suppressed\|^Use -header-filter\|warnings generated\|^clang-tidy-14 \|^\$" | tee /tmp/tidy-out.$$ || true
if grep -q "error:\|warning:" /tmp/tidy-out.$$; then
  echo "tidy: $(grep -c 'error:\|warning:' /tmp/tidy-out.$$) findings" >&2
  rm -f /tmp/tidy-out.$$
  exit 1
fi
rm -f /tmp/tidy-out.$$
echo "tidy: clean"
