#!/bin/sh
# Builds the libFuzzer targets of fuzz/ with clang, ASan and UBSan (into
# build-fuzz/) and runs each for FUZZ_SECONDS (default 60) from its corpus in
# fuzz/corpus/NAME. New inputs go to a scratch directory, never into the
# repository; a crash, leak, UB report or hang (> 5 s per input) fails the
# run and leaves the input as build-fuzz/artifacts/NAME/crash-* (rerun it
# with `build-fuzz/NAME FILE`). `scripts/fuzz.sh message_fuzz` runs one.
#   FUZZ_SECONDS=600 scripts/fuzz.sh        # a longer campaign
# Targets run FUZZ_JOBS at a time (default: the number of cores).
set -eu
cd "$(dirname "$0")/.."
if ! command -v clang++-14 >/dev/null 2>&1 ||
   ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q clang-14 libclang-rt-14-dev >/dev/null
fi
cmake -S fuzz -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 >/dev/null
ninja -C build-fuzz >/dev/null
# FUZZ_BUILD_ONLY=1: build the targets, run none (scripts/test.sh builds them
# while the unit tests run).
[ "${FUZZ_BUILD_ONLY:-0}" = 1 ] && exit 0
seconds="${FUZZ_SECONDS:-60}"
targets="${*:-$(cd fuzz && ls *_fuzz.cc | sed 's/\.cc$//')}"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
jobs="${FUZZ_JOBS:-$(nproc)}"
# One target: prints its verdict, leaves its exit status in build-fuzz/T.status.
run_target() {
  t=$1
  name=${t%_fuzz}
  work=$(mktemp -d)
  mkdir -p "build-fuzz/artifacts/$t"
  if "build-fuzz/$t" -max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -max_len=4096 \
      -print_final_stats=1 -artifact_prefix="build-fuzz/artifacts/$t/" \
      "$work" "fuzz/corpus/$name" > "build-fuzz/$t.log" 2>&1; then
    echo "fuzz $t: ok ($(sed -n 's/^stat::number_of_executed_units: *//p' "build-fuzz/$t.log") inputs in ${seconds}s)"
    echo 0 > "build-fuzz/$t.status"
  else
    echo "fuzz $t: FAILED (build-fuzz/$t.log, inputs in build-fuzz/artifacts/$t/)" >&2
    tail -40 "build-fuzz/$t.log" >&2
    echo 1 > "build-fuzz/$t.status"
  fi
  rm -rf "$work"
}
# FUZZ_JOBS targets at a time (default: one per core; each is one process).
running=0
for t in $targets; do
  rm -f "build-fuzz/$t.status"
  run_target "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait
    running=0
  fi
done
wait
status=0
for t in $targets; do
  [ "$(cat "build-fuzz/$t.status" 2>/dev/null)" = 0 ] || status=1
done
exit $status
