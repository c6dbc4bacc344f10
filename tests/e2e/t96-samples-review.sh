#!/bin/sh
# t96-samples-review.sh - the samples' reviewed quarter (samples/README.md,
# "The reviewed quarter"): `make samples` makes the quarter's files and the
# approved case's ledger byte for byte as committed, while every other
# sample file stays what it was; the review of 2026Q1 (as `make demo` runs
# it: the quarter's exports stacked on the history's) recovers the planted
# truth within its 95% intervals, its parts add up to the gap, and it is
# the review of the same data given as one file per department; the
# Summary of its workbook prints on one page (samples/review_summary.png is
# pdftoppm's rendering of that page: REVIEW_PNG=samples/review_summary.png
# refreshes it).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"
: "${GENERATE:=$TOP/build/generate}"
case $GENERATE in /*) ;; *) GENERATE=$TOP/$GENERATE ;; esac
S=samples
Q=samples/review
DEPTS="logistics service web finance hr"

# 1. make samples: the generator and the ledger, byte for byte
mkdir -p "$tmp/gen"
if "$GENERATE" "$tmp/gen" 2>"$tmp/err"; then
    diff=""
    for f in logistics.csv service.csv web.csv finance.csv hr.csv responses.csv truth.json customers.csv \
        customers_truth.json review/logistics.csv review/service.csv review/web.csv review/finance.csv \
        review/hr.csv review/responses.csv review/rollout.json review/truth.json; do
        cmp -s "$tmp/gen/$f" "$S/$f" || diff="$diff $f"
    done
    if [ -z "$diff" ]; then
        ok "the generator writes every sample file and the quarter's (review/) byte for byte as committed"
    else
        not_ok "the generator's output differs from samples/ in:$diff (run make samples)"
    fi
else
    not_ok "the generator runs"
    show "$tmp/err"
fi
approved=$(sed -n 's/^SAMPLES_APPROVED = //p' Makefile)
if SOURCE_DATE_EPOCH=$approved "$CXCASE" simulate $S/scenario.json --record "$tmp/cases.jsonl" >/dev/null 2>"$tmp/err" &&
    cmp -s "$tmp/cases.jsonl" $S/cases.jsonl; then
    ok "simulate --record at the approval time ($approved) writes samples/cases.jsonl byte for byte"
else
    not_ok "samples/cases.jsonl is not what make samples records (run make samples)"
    show "$tmp/err"
fi

# 2. the review of 2026Q1 as make demo runs it
hist="" qtr=""
for d in $DEPTS; do
    hist="$hist $S/$d.csv"
    qtr="$qtr $Q/$d.csv"
done
# shellcheck disable=SC2086 # the file lists are split on purpose
review() {
    "$CXCASE" review $S/cases.jsonl "$@" --realised $Q/rollout.json
}
# shellcheck disable=SC2086
if review $hist $qtr --responses $S/responses.csv --responses $Q/responses.csv --json >"$tmp/r.json" 2>"$tmp/err"; then
    ok "the review of 2026Q1 runs on the history and the quarter's files ($(wc -c <"$tmp/r.json") bytes of JSON)"
else
    not_ok "the review of 2026Q1"
    show "$tmp/err"
    exit 1
fi
if grep -q "note: $S/hr.csv + $Q/hr.csv lacks 2 of the 2028 keys" "$tmp/err"; then
    ok "the stacked HR exports are named together in the note on their 2 missing keys"
else
    not_ok "the note on the stacked HR exports"
    show "$tmp/err"
fi
if "$PYTHON" tests/e2e/samples_review_truth.py $S $S/cases.jsonl "$tmp/r.json" >"$tmp/truth" 2>&1; then
    ok "the review recovers the planted truth within its 95% intervals, and the parts add up to the gap"
    show "$tmp/truth"
else
    not_ok "the review against the planted truth"
    show "$tmp/truth"
fi

# shellcheck disable=SC2086
if review $hist $qtr --responses $S/responses.csv --responses $Q/responses.csv >"$tmp/out" 2>/dev/null &&
    grep -qx "Next-day delivery in every region (next_day) on delivery_days: planned -0.6, not due in 2026Q1" "$tmp/out" &&
    grep -qx "More customer-service staff to cut handling time (service_staff) on handling_time_s: planned -60, realised -90.94 (SE 38) per reached unit, 8 of 12 units \
reached; share delivered 152% (95%: 11% to 292%)" "$tmp/out"; then
    ok "the printed review says which initiatives are not due yet, and the share delivered with its 95% interval"
else
    not_ok "the printed review's initiatives"
    show "$tmp/out"
fi

# 3. stacked = one file per department (the history's rows, then the quarter's)
for d in $DEPTS responses; do
    { cat $S/$d.csv; tail -n +2 $Q/$d.csv; } >"$tmp/$d.csv"
done
one=""
for d in $DEPTS; do one="$one $tmp/$d.csv"; done
# shellcheck disable=SC2086
if review $one --responses "$tmp/responses.csv" --json >"$tmp/one.json" 2>"$tmp/err" &&
    "$PYTHON" - "$tmp/r.json" "$tmp/one.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for x in (a, b):
    del x["inputs"]
sys.exit(0 if a == b else 1)
PY
then
    ok "the review of the stacked files equals that of one file per department, every figure (the inputs aside)"
else
    not_ok "stacked and concatenated files give different reviews"
    show "$tmp/err"
fi

# 4. the Summary page, as samples/review_summary.png shows it
. "$TOP/tests/e2e/lo_recalc.sh"
# shellcheck disable=SC2086
review $hist $qtr --responses $S/responses.csv --responses $Q/responses.csv -o "$tmp/review.xlsx" >/dev/null 2>"$tmp/err" ||
    { not_ok "review -o writes the samples' review workbook"; show "$tmp/err"; exit 1; }
lo_skip "the samples' review Summary printed on page 1 alone" && exit "$failed"
if ! command -v "$SOFFICE" >/dev/null 2>&1 || ! command -v pdftoppm >/dev/null 2>&1; then
    not_ok "$SOFFICE and pdftoppm are installed (make deps installs libreoffice-calc-nogui and poppler-utils)"
    exit 1
fi
lo_pdf "$tmp/review.xlsx" "$tmp/pdf"
pdftotext -layout -f 1 -l 1 "$tmp/pdf/review.pdf" "$tmp/p1.txt" 2>/dev/null
pdftotext -layout -f 2 -l 2 "$tmp/pdf/review.pdf" "$tmp/p2.txt" 2>/dev/null
missing=""
for want in "Review of case 1: Everything, 2026Q1" "Did we get what we approved?" "not due yet" "8 of 12" \
    "11% to 292%" "Why not? The gap per target" "baseline drift" "How good have our forecasts been?"; do
    grep -qF "$want" "$tmp/p1.txt" || missing="$missing '$want'"
done
if [ -z "$missing" ] && ! grep -q "Did we get what we approved" "$tmp/p2.txt"; then
    ok "the Summary prints on page 1 alone: initiatives (not due yet, 8 of 12 reached, share 11% to 292%), gap, track record"
else
    not_ok "the printed Summary lacks$missing or spills over"
    show "$tmp/p1.txt"
fi
if pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/pdf/review.pdf" "$tmp/summary" && [ -s "$tmp/summary.png" ]; then
    ok "pdftoppm renders the Summary page to PNG ($(wc -c <"$tmp/summary.png") bytes)"
    # REVIEW_PNG=samples/review_summary.png: refresh the committed copy
    [ -z "${REVIEW_PNG:-}" ] || cp "$tmp/summary.png" "$REVIEW_PNG"
else
    not_ok "pdftoppm renders the review Summary to PNG"
fi
exit "$failed"
