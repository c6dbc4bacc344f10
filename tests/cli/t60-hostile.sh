#!/bin/sh
# tests/cli/t60-hostile.sh - hostile inputs and outputs (issue 15): what an
# attacker who can write the output directory, a pipe, a device, a huge
# line or header, a full disk or a signal does to cxcase.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t60-hostile.sh
#
# Every check runs through the command line and compares the exact message
# and exit status.  Time limits here are generous bounds on complexity (a
# quadratic step takes minutes, a linear one well under a second), never
# benchmarks: they hold under the sanitizers too.
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

# Run cxcase with a time limit; $rc is its exit status (124: killed at the limit).
run() { # $1 seconds, then the arguments
    limit=$1
    shift
    timeout -s KILL "$limit" "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 137 ] && rc=124
}
# Check the last run: exit status $2, stderr exactly $3 (a line).
expect() { # $1 what, $2 status, $3 stderr
    printf '%s\n' "$3" >"$tmp/exp"
    why=$(trouble "$rc" "$tmp/err")
    [ "$rc" -eq 124 ] && why="still running at the time limit"
    if [ -z "$why" ] && [ "$rc" -ne "$2" ]; then
        why="exit status $rc, expected $2"
    elif [ -z "$why" ] && ! cmp -s "$tmp/err" "$tmp/exp"; then
        why="stderr differs"
    fi
    if [ -z "$why" ]; then
        ok "$1"
    else
        not_ok "$1: $why"
        echo "#   expected (exit $2):"
        show "$tmp/exp"
        echo "#   actual (exit $rc):"
        show "$tmp/err"
    fi
}

# ---- 100,000 columns: the duplicate-name check and the column lookups are
# hashed (they compared every name with every other: 116 s) ---------------
"$PYTHON" - "$tmp/wide.csv" <<'PY'
import sys
n = 100000
with open(sys.argv[1], "w") as f:
    f.write(",".join(["week", "region", "score"] + ["c%06d" % i for i in range(n - 3)]) + "\n")
    for w in range(1, 7):
        for r in ("Utrecht", "Zeeland"):
            f.write(",".join(["2025-W%02d" % w, r, str(w + (r == "Zeeland"))] +
                             [str((i * w) % 7) for i in range(n - 3)]) + "\n")
PY
for cmd in nps panel fit; do
    case $cmd in
    nps) set -- nps "$tmp/wide.csv" --by region,period ;;
    panel) set -- panel "$tmp/wide.csv" ;;
    fit) set -- fit "$tmp/wide.csv" -y score -x c000001,c000002 ;;
    esac
    start=$(date +%s.%N)
    run 20 "$@"
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    if [ "$rc" -eq 0 ] && [ -z "$(trouble "$rc" "$tmp/err")" ]; then
        ok "100,000 columns: $cmd reads them in $secs s"
    else
        not_ok "100,000 columns: $cmd: exit $rc after $secs s"
        show "$tmp/err"
    fi
done
# a duplicate among them is still found, at its column
sed '1s/,c099996$/,c000007/' "$tmp/wide.csv" >"$tmp/wide-dup.csv"
run 20 nps "$tmp/wide-dup.csv" --by region,period
expect "100,000 columns: the duplicate name at the last column is reported" 65 \
    "$tmp/wide-dup.csv:1:799987: error: expected unique column names, found 'c000007' again (first at column 75)"

exit "$failed"
