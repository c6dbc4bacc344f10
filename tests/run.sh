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
# header with its path, wall time and CPU time.  The longest tests (the list
# below) start first, so that the last minutes do not leave a core idle.
#
# Under the sanitizers (SANITIZED=1) the studies print their statistical
# checks, and the tests that use LibreOffice its part, as "skip - ..."
# lines: their count is printed above the summary line.
#
# E2E_SHARE=K/N runs only the K-th of N shares of the end-to-end tests
# (tests/e2e/, and a command-line test with the line "# shared between the
# sanitizer passes": every N-th from the K-th), and all the others:
# .ci/run shares them out between its two sanitizer passes, which both run
# the unit tests and the other command-line tests (the readers' corpora).
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

share_k=1
share_n=1
if [ -n "${E2E_SHARE:-}" ]; then
    share_k=${E2E_SHARE%/*}
    share_n=${E2E_SHARE#*/}
    case $share_k/$share_n in
    *[!0-9/]* | /* | */ | */*/*) share_k=0 ;;
    esac
    if [ "$share_k" -lt 1 ] 2>/dev/null || [ "$share_k" -gt "$share_n" ]; then
        echo "tests/run.sh: E2E_SHARE takes K/N with 1 <= K <= N, not '$E2E_SHARE'" >&2
        exit 2
    fi
fi

# the list: one test per line, "unit PATH", "script PATH" or, for a test
# E2E_SHARE shares out, "shared PATH"
shared_cli=$(grep -l '^# shared between the sanitizer passes' "$top"/tests/cli/t*.sh)
n=0
for t in "$@"; do
    n=$((n + 1))
    printf 'unit %s\n' "$t"
done >"$dir/list"
for s in "$top"/tests/cli/t*.sh; do
    [ -f "$s" ] || continue
    case " $(echo $shared_cli) " in *" $s "*) continue ;; esac
    n=$((n + 1))
    printf 'script %s\n' "$s"
done >>"$dir/list"
i=0
others=0
for s in $shared_cli "$top"/tests/e2e/t*.sh; do
    [ -f "$s" ] || continue
    i=$((i + 1))
    if [ $(((i - 1) % share_n + 1)) -ne "$share_k" ]; then
        others=$((others + 1))
        continue
    fi
    n=$((n + 1))
    printf 'shared %s\n' "$s"
done >>"$dir/list"

# the order they start in: the longest first (CPU seconds in the plain
# pass, 2026-12: test_report 53, t91 53, t95 40, t63 28, t96-review 26,
# t96-link-truth 24, t60 22, t96-voice 22, t20 17, t97 17), then the rest
# in list order.  A test missing from this list only starts later.
slow="test_report t91-report-recalc t95-ledger t63-finance-libreoffice t96-review t96-link-truth t60-hostile
t96-voice t20-recovery t97-board-pack t92-summary-page t96-samples-review t25-measurement-error"
: >"$dir/order"
for name in $slow; do
    grep -n -e "/$name\$" -e "/$name\.sh\$" "$dir/list" | cut -d: -f1 >>"$dir/order"
done
seq 1 "$n" | grep -v -x -F -f "$dir/order" >>"$dir/order" || true
[ -s "$dir/order" ] || seq 1 "$n" >"$dir/order"

# run them, JOBS at once; test K leaves K.log, then K.rc
xargs -P "$JOBS" -n 1 sh "$top/tests/run1.sh" "$dir" <"$dir/order" &
xargs_pid=$!

passed=0
failed=0
skipped=0
cpu=0
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
    set -- $(cat "$dir/$k.time" 2>/dev/null || echo '? ?')
    echo "== $t ($1 s, CPU $2 s)"
    cpu=$(echo "$cpu $2" | awk '{ printf "%.1f", $1 + $2 }')
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

echo "CPU time of all tests: $cpu s (user + system, every process they ran)"
[ "$others" -eq 0 ] || echo "E2E_SHARE=$E2E_SHARE: $others shared tests left to the other shares"
[ "$skipped" -eq 0 ] || echo "$skipped checks skipped under the sanitizers (the studies' statistical checks, LibreOffice's part: tests/cli/lib.sh, tests/e2e/lo_recalc.sh)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
