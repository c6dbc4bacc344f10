#!/bin/sh
# tests/run.sh - run every test and end with one summary line.
#
#   CXCASE=build/rel/cxcase BUILD=build/rel PYTHON=/usr/bin/python3 sh tests/run.sh UNIT_TEST_BINARIES...
#
# Unit tests are cmocka binaries (each prints cmocka's own report).  Script
# tests are tests/cli/t*.sh and tests/e2e/t*.sh: each prints one line per check,
# "ok - what" or "not ok - what" (with details on the following lines), and
# exits non-zero if any check failed.  The last line of the output is
# "N passed, N failed", counted over every unit test and every script check.
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${BUILD:=build/rel}"
: "${PYTHON:=/usr/bin/python3}"
export CXCASE BUILD PYTHON
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP="$top"
passed=0
failed=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

for t in "$@"; do
    echo "== $t"
    CMOCKA_MESSAGE_OUTPUT=STDOUT "$t" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -n 1)
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $t exited with status $rc"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done

for s in "$top"/tests/cli/t*.sh "$top"/tests/e2e/t*.sh; do
    [ -f "$s" ] || continue
    echo "== $s"
    sh "$s" >"$log" 2>&1
    rc=$?
    cat "$log"
    p=$(grep -c '^ok - ' "$log")
    f=$(grep -c '^not ok - ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "not ok - $s exited with status $rc"
        f=1
    fi
    passed=$((passed + p))
    failed=$((failed + f))
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
