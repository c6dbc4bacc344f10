#!/bin/sh
# tests/run.sh - run every test and end with one summary line.
#
#   CXCASE=build/rel/cxcase BUILD=build/rel PYTHON=/usr/bin/python3 [JOBS=N] \
#       sh tests/run.sh UNIT_TEST_BINARIES...
#
# Unit tests are cmocka binaries (each prints cmocka's own report).  Script
# tests are tests/cli/t*.sh and tests/e2e/t*.sh: each prints one line per check,
# "ok - what" or "not ok - what" (with details on the following lines), and
# exits non-zero if any check failed.  The last line of the output is
# "N passed, N failed", counted over every unit test and every script check.
#
# JOBS tests run at once (default: the machine's cores, from nproc); every
# test keeps its own temporary directory and LibreOffice profile, so they
# are independent.  The output is each test's whole log, in the order above,
# printed as soon as that test and every one before it have ended, under a
# header with its path and wall time.  Under the sanitizers (SANITIZED=1)
# the studies print their statistical checks as "skip - ..." lines: their
# count is printed above the summary line.
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${BUILD:=build/rel}"
: "${PYTHON:=/usr/bin/python3}"
: "${JOBS:=$(nproc 2>/dev/null || echo 1)}"
export CXCASE BUILD PYTHON
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP="$top"
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT INT TERM

# the list: one test per line, "unit PATH" or "script PATH"
n=0
for t in "$@"; do
    n=$((n + 1))
    printf 'unit %s\n' "$t"
done >"$dir/list"
for s in "$top"/tests/cli/t*.sh "$top"/tests/e2e/t*.sh; do
    [ -f "$s" ] || continue
    n=$((n + 1))
    printf 'script %s\n' "$s"
done >>"$dir/list"

# run them, JOBS at once; test K leaves K.log, then K.rc
seq 1 "$n" | xargs -P "$JOBS" -n 1 sh "$top/tests/run1.sh" "$dir" &
xargs_pid=$!

passed=0
failed=0
skipped=0
k=0
while [ "$k" -lt "$n" ]; do
    k=$((k + 1))
    while [ ! -f "$dir/$k.rc" ]; do
        if ! kill -0 "$xargs_pid" 2>/dev/null && [ ! -f "$dir/$k.rc" ]; then
            echo "not ok - test $k of $n never ended (the runner stopped)"
            break
        fi
        sleep 0.2
    done
    set -- $(sed -n "${k}p" "$dir/list")
    kind=$1
    t=$2
    echo "== $t ($(cat "$dir/$k.time" 2>/dev/null || echo '?') s)"
    [ -f "$dir/$k.log" ] && cat "$dir/$k.log"
    rc=$(cat "$dir/$k.rc" 2>/dev/null || echo 1)
    if [ "$kind" = unit ]; then
        p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$dir/$k.log" | tail -n 1)
        f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$dir/$k.log" | tail -n 1)
    else
        p=$(grep -c '^ok - ' "$dir/$k.log")
        f=$(grep -c '^not ok - ' "$dir/$k.log")
        skipped=$((skipped + $(grep -c '^skip - ' "$dir/$k.log")))
    fi
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $t exited with status $rc"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done
wait "$xargs_pid"

[ "$skipped" -eq 0 ] || echo "$skipped statistical checks skipped (a study's smoke run under the sanitizers: tests/cli/lib.sh)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
