#!/bin/sh
# t10-nps-reference.sh - `cxcase nps` against an independent implementation.
#
# tests/e2e/nps_reference.py aggregates the same responses in Python (standard
# library only, run with Debian's /usr/bin/python3, not a pyenv python on
# PATH) and compares every group: the same keys, the same counts, and every
# number within 1e-12 relative (1e-12 absolute near zero).
#   - samples/responses.csv per ISO week x region and per quarter x region (NPS)
#   - dates where ISO weeks and quarters are easy to get wrong (new years
#     with week 53, 1968-2040, quarter ends, leap days), NPS
#   - a small generated file with CRLF, quoted newlines and empty scores,
#     for CSAT (1-5, share of 4-5) and CES (1-7, mean), per week and quarter
#
#   CXCASE=build/rel/cxcase TOP=$PWD PYTHON=/usr/bin/python3 sh tests/e2e/t10-nps-reference.sh
#
# Prints "ok - ..." / "not ok - ..." per check; exits non-zero if any failed.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"

ref="$TOP/tests/e2e/nps_reference.py"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t10.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

fail() {
    echo "not ok - $1"
    shift
    for line in "$@"; do
        echo "#   $line"
    done
    fails=$((fails + 1))
}

if ! "$PYTHON" -c 'import csv, json, math, datetime' >/dev/null 2>&1; then
    fail "python ($PYTHON) runs" "cannot run $PYTHON"
    exit 1
fi

# run_case LABEL CSV SCALE PERIOD: run cxcase, then the reference comparison.
run_case() {
    label=$1 csv=$2 scale=$3 period=$4
    out="$tmp/$scale-$period.json"
    err="$tmp/$scale-$period.err"
    "$CXCASE" nps "$csv" --by period,region --period "$period" --scale "$scale" \
        --json >"$out" 2>"$err"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fail "$label: cxcase nps exits 0" "exit status $rc" "$(head -n 5 "$err")"
        return
    fi
    "$PYTHON" "$ref" compare --csv "$csv" --json "$out" --scale "$scale" \
        --period "$period" --label "$label"
    rc=$?
    if [ "$rc" -ne 0 ]; then
        fails=$((fails + 1))
    fi
}

samples="$TOP/samples/responses.csv"
run_case "NPS of samples/responses.csv per week and region" "$samples" nps week
run_case "NPS of samples/responses.csv per quarter and region" "$samples" nps quarter

edges="$tmp/edges.csv"
if "$PYTHON" "$ref" generate edges "$edges"; then
    run_case "NPS on new-year, quarter-end and leap dates 1968-2040 per week" "$edges" nps week
    run_case "NPS on new-year, quarter-end and leap dates 1968-2040 per quarter" "$edges" nps quarter
else
    fail "generate the edge-date file"
fi

for scale in csat ces; do
    small="$tmp/$scale.csv"
    if "$PYTHON" "$ref" generate "$scale" "$small"; then
        run_case "$(echo "$scale" | tr '[:lower:]' '[:upper:]') of a generated file per week and region" \
            "$small" "$scale" week
        run_case "$(echo "$scale" | tr '[:lower:]' '[:upper:]') of a generated file per quarter and region" \
            "$small" "$scale" quarter
    else
        fail "generate a small $scale file"
    fi
done

[ "$fails" -eq 0 ]
