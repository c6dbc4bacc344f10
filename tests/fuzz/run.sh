#!/bin/sh
# tests/fuzz/run.sh - run libFuzzer targets for a fixed time each.
#
#   sh tests/fuzz/run.sh BUILD SECONDS TARGET...      (make fuzz FUZZ_S=N runs it)
#
# Each target BUILD/fuzz_TARGET runs for SECONDS on its committed seeds
# (tests/fuzz/corpus/TARGET, read only) and on what earlier runs found
# (build/fuzz/corpus/TARGET, where new inputs go), with its dictionary
# (tests/fuzz/csv.dict for csv, json.dict for the JSON readers), a 10 s
# timeout per input and 2 GB of memory.  One line per target:
#
#   fuzz csv: 123456 executions in 60 s, coverage 1234 edges (5678 features), corpus 345, crashes 0
#
# A crash, a sanitizer report, a leak, a timeout or running out of memory
# stops that target: the script prints libFuzzer's report, the input that
# caused it (build/fuzz/artifacts/TARGET/...) as a hex dump and the command
# that reproduces it, goes on with the other targets and exits 1 at the end.
# JOBS targets run at once (default: the machine's cores), each on its own
# core for its SECONDS; their reports are printed in the order given.
# Environment: FUZZ_JOBS_LOG (a file) receives the summary lines too.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
build=$1
secs=$2
shift 2
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 1
one() { # $1 target: its lines on stdout, exit 1 when it found something
    t=$1
    failed=0
    bin=$build/fuzz_$t
    corpus=build/fuzz/corpus/$t
    art=build/fuzz/artifacts/$t/
    log=build/fuzz/log-$t.txt
    mkdir -p "$corpus" "$art"
    case $t in
    csv) dict=tests/fuzz/csv.dict maxlen=8192 ;;
    ledger) dict=tests/fuzz/json.dict maxlen=262144 ;;
    *) dict=tests/fuzz/json.dict maxlen=16384 ;;
    esac
    before=$(ls "$art" | wc -l)
    "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len="$maxlen" \
        -dict="$dict" -artifact_prefix="$art" -print_final_stats=1 \
        "$corpus" "tests/fuzz/corpus/$t" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]* corp: [0-9]*' "$log" | tail -n 1)
    edges=$(echo "$cov" | awk '{print $2}')
    feats=$(echo "$cov" | awk '{print $4}')
    corp=$(echo "$cov" | awk '{print $6}')
    after=$(ls "$art" | wc -l)
    crashes=$((after - before))
    [ "$rc" -ne 0 ] && [ "$crashes" -eq 0 ] && crashes=1
    line="fuzz $t: ${execs:-0} executions in $secs s, coverage ${edges:-?} edges (${feats:-?} features), corpus ${corp:-?}, crashes $crashes"
    echo "$line"
    [ -n "${FUZZ_JOBS_LOG:-}" ] && echo "$line" >>"$FUZZ_JOBS_LOG"
    if [ "$rc" -ne 0 ]; then
        failed=1
        echo "# libFuzzer's report (exit status $rc):"
        sed -n '/^==[0-9]*==\|^SUMMARY\|runtime error\|ERROR: libFuzzer\|^    #[0-9]/p' "$log" | head -n 60 | sed 's/^/#   /'
        newest=$(ls -t "$art" 2>/dev/null | head -n 1)
        if [ -n "$newest" ]; then
            echo "# the input ($art$newest, $(wc -c <"$art$newest") bytes):"
            od -A d -c "$art$newest" | head -n 40 | sed 's/^/#   /'
            echo "# reproduce: make FUZZ=1 CC=clang fuzz-build && $bin $art$newest"
        fi
    fi
    return "$failed"
}

# one target in this process (the workers below), or every target, JOBS at
# once (default: the machine's cores), their reports printed in order
if [ "${FUZZ_ONE:-}" = 1 ]; then
    one "$1"
    exit $?
fi
: "${JOBS:=$(nproc 2>/dev/null || echo 1)}"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for t in "$@"; do echo "$t"; done |
    xargs -P "$JOBS" -I{} sh -c 'FUZZ_ONE=1 sh "$0" "$1" "$2" "$3" >"$4/$3.txt" 2>&1; echo $? >"$4/$3.rc"' \
        "$top/tests/fuzz/run.sh" "$build" "$secs" {} "$out"
failed=0
for t in "$@"; do
    cat "$out/$t.txt"
    [ "$(cat "$out/$t.rc" 2>/dev/null || echo 1)" -eq 0 ] || failed=1
done
exit "$failed"
