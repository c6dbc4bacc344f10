#!/bin/sh
# tests/bench/review.sh - `cxcase review` as a whole process.
#
#   make bench      (tests/bench/run.sh ends by running this)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/review.sh
#
# The world of tests/e2e/review_truth.py (seed 1): 12 regions, weekly
# 2024-W01 .. 2026-W13 (1,404 rows), NPS and revenue equations with region
# effects and lag(nps, 4), a case recorded by `cxcase simulate --record`,
# 8 of 12 regions reached.  Timed (best of 3 wall-clock runs): the review
# with the realised rollout and --json (DiD fit, the bridge of every row,
# the response fits, the forecast's variance by central differences over
# 34 coefficients, the model refits and the track record), beside the
# `cxcase simulate` that recorded the case.  Then the samples' review of
# 2026Q1 as `make demo` runs it (issue 12's figure, under 1 s): the case
# of samples/cases.jsonl against the five department exports of 2023-W01 ..
# 2025-W52 with the quarter's five stacked on them and the 199,650 + 16,651
# survey responses of both files counted together (2,028 rows), with the
# realised rollout, --json; and the same with -o, the review workbook too.
# Nothing passes or fails on time.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
top=$(cd "$(dirname "$0")/../.." && pwd)
case $CXCASE in /*) ;; *) CXCASE="$(pwd)/$CXCASE" ;; esac
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-review.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$PYTHON" "$top/tests/e2e/review_truth.py" gen "$CXCASE" 1 "$tmp/w" || exit 1

# best LABEL COMMAND...: the best wall-clock seconds of 3 runs
best() {
    label=$1
    shift
    b=""
    for _ in 1 2 3; do
        s=$(date +%s.%N)
        "$@" >/dev/null 2>&1 || { echo "bench: $label failed" >&2; return 1; }
        e=$(date +%s.%N)
        b=$(echo "$s $e ${b:-1e9}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
    done
    printf '%-44s %8.3f s\n' "$label" "$b"
}
echo "== cxcase review (tests/bench/review.sh): a whole process, best of 3"
best "simulate (the case's run, 200 draws)" "$CXCASE" simulate "$tmp/w/scenario.json"
best "review --realised --json (1,404 rows)" "$CXCASE" review "$tmp/w/cases.jsonl" "$tmp/w/quarter-a.csv" \
    --realised "$tmp/w/realised.json" --json
best "review --json (no rollout: not separable)" "$CXCASE" review "$tmp/w/cases.jsonl" "$tmp/w/quarter-d.csv" --json
S=$top/samples
Q=$S/review
best "samples 2026Q1: review --realised --json" "$CXCASE" review "$S/cases.jsonl" "$S/logistics.csv" \
    "$S/service.csv" "$S/web.csv" "$S/finance.csv" "$S/hr.csv" "$Q/logistics.csv" "$Q/service.csv" "$Q/web.csv" \
    "$Q/finance.csv" "$Q/hr.csv" --responses "$S/responses.csv" --responses "$Q/responses.csv" \
    --realised "$Q/rollout.json" --json
best "samples 2026Q1: the same with -o review.xlsx" "$CXCASE" review "$S/cases.jsonl" "$S/logistics.csv" \
    "$S/service.csv" "$S/web.csv" "$S/finance.csv" "$S/hr.csv" "$Q/logistics.csv" "$Q/service.csv" "$Q/web.csv" \
    "$Q/finance.csv" "$Q/hr.csv" --responses "$S/responses.csv" --responses "$Q/responses.csv" \
    --realised "$Q/rollout.json" -o "$tmp/review.xlsx"
