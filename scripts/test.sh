#!/bin/sh
# Installs dependencies, builds, and runs every test (unit and end-to-end,
# with real hg, real processes, Kafka brokers, ZooKeeper and RabbitMQ): the `unit`
# label first (seconds), a short fuzzing run (scripts/fuzz.sh), then `e2e`.
# All always run; the exit status is non-zero if any of them failed.
set -eu
cd "$(dirname "$0")/.."
./scripts/build.sh
# The fuzz targets (fuzz/, clang) build beside the unit tests and take only
# the CPU the tests leave idle: niced, in a session of their own whose
# scheduler group is niced too (with autogroups, a plain nice only ranks a
# process within its session, and the tests' daemons run in sessions of
# their own).
FUZZ_BUILD_ONLY=1 setsid -w sh -c 'echo 19 > /proc/self/autogroup 2>/dev/null
  exec nice -n 19 ./scripts/fuzz.sh' > build/fuzz-build.log 2>&1 &
fuzz_build=$!
cd build
status=0
ctest --output-on-failure -j"${JOBS:-2}" --timeout 900 -L '^unit$' || status=1
# The parsers of hostile input under libFuzzer with ASan + UBSan (fuzz/):
# a short run of each target from its corpus.
if ! wait $fuzz_build; then
  cat fuzz-build.log >&2
  status=1
fi
FUZZ_SECONDS="${FUZZ_SECONDS:-15}" ../scripts/fuzz.sh || status=1
# One more end-to-end test than cores: they wait on processes, brokers and
# timeouts part of the time, and the third keeps both cores busy meanwhile.
ctest --output-on-failure -j"${E2E_JOBS:-3}" --timeout 900 -L '^e2e$' || status=1
# A test with neither label would be skipped above: fail loudly instead.
unlabelled=$(ctest -N -LE '^(unit|e2e)$' | sed -n 's/^Total Tests: //p')
if [ "${unlabelled:-0}" != 0 ]; then
  echo "error: $unlabelled tests have neither the unit nor the e2e label (see CMakeLists.txt)" >&2
  status=1
fi
exit $status
