#!/bin/bash
# Runs a command and prints its wall time and the CPU time the whole machine
# spent meanwhile (every process, the command's detached daemons and JVMs
# included, which `time` would miss), from /proc/stat. Run it on an
# otherwise idle machine.
#   bench/cpu_of.sh ctest -R '^KafkaLocalE2E'
# The command's output goes to ${CPU_OF_OUT:-/dev/stdout}.
set -u
busy() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8}' /proc/stat; }
hz=$(getconf CLK_TCK)
b0=$(busy); t0=$(date +%s.%N)
"$@" > "${CPU_OF_OUT:-/dev/stdout}" 2>&1
rc=$?
b1=$(busy); t1=$(date +%s.%N)
awk -v b="$((b1 - b0))" -v hz="$hz" -v t0="$t0" -v t1="$t1" -v rc="$rc" \
  'BEGIN { printf "exit %d, wall %.1f s, cpu %.1f s (all processes)\n", rc, t1 - t0, b / hz }'
exit $rc
