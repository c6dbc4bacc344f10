#!/bin/sh
# t96-review.sh - `cxcase review` (README "cxcase review") on worlds with
# known truth (tests/e2e/review_truth.py): over 40 seeds of four worlds
# ((a) 60% delivery in 8 of 12 regions, (b) a shifted response, (c) a level
# drift, (d) nothing) the parts of the gap add up to it to 1e-9, each part
# is unbiased and its 95% interval covers the truth, the injected cause is
# not attributed to another part, the DiD recovers the delivered share, and
# under (d) about 5% of reviews flag a significant gap with uniform PIT
# values.  Then on one world: the same ledger and data give byte-identical
# JSON, --record appends a "review" record to a ledger that still verifies,
# and bad input gets its message and exit status.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"
export SOURCE_DATE_EPOCH=1774915200

if ! "$PYTHON" tests/e2e/review_truth.py "$CXCASE" "${REVIEW_SEEDS:-40}"; then
    failed=1
fi

w=$tmp/w
"$PYTHON" tests/e2e/review_truth.py gen "$CXCASE" 7 "$w" || exit 1
L=$w/cases.jsonl
review() { "$CXCASE" review "$L" "$w/quarter-a.csv" --realised "$w/realised.json" "$@"; }

if review --json >"$tmp/r1.json" 2>"$tmp/err" && review --json >"$tmp/r2.json" 2>>"$tmp/err" &&
    cmp -s "$tmp/r1.json" "$tmp/r2.json"; then
    ok "the same ledger and data give byte-identical review JSON ($(wc -c <"$tmp/r1.json") bytes)"
else
    not_ok "review JSON on a rerun"
    show "$tmp/err"
fi

if review --record >"$tmp/out" 2>"$tmp/err" && grep -q "Recorded as review 2 of" "$tmp/out" &&
    "$CXCASE" ledger verify "$L" >"$tmp/v" 2>&1 && grep -q "2 records, the chain verifies" "$tmp/v" &&
    "$PYTHON" - "$L" "$tmp/r1.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rec, want = json.loads(lines[1]), json.load(open(sys.argv[2]))
body = {k: v for k, v in rec.items() if k not in ("seq", "kind", "created_at", "tool", "prev", "sha256")}
sys.exit(0 if rec["kind"] == "review" and rec["seq"] == 2 and body == want else 1)
PY
then
    ok "--record appends the review as record 2, kind \"review\", and the ledger verifies"
else
    not_ok "--record"
    show "$tmp/out"
    show "$tmp/err"
fi

# a review of the review record's ledger still finds the case (the last case, not the last record)
if review --json >"$tmp/r3.json" 2>"$tmp/err" && cmp -s "$tmp/r1.json" "$tmp/r3.json"; then
    ok "after a review record the last case is still the one reviewed, with the same result"
else
    not_ok "review after --record"
    show "$tmp/err"
fi

# check WHAT WANT_RC WANT_STDERR COMMAND...
check() {
    what=$1 want_rc=$2 want=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$want_rc" ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -s "$tmp/out" ]; then
        ok "$what (exit $rc)"
    else
        not_ok "$what: exit $rc, expected $want_rc"
        echo "#   expected: $want"
        echo "#   actual:"
        show "$tmp/err"
    fi
}
check "a quarter outside the case's horizon" 64 \
    "error: 2027Q1 is not in case 1's horizon (4 quarters from 2026Q1)" \
    review --quarter 2027Q1
check "a record that is not a case" 64 "$L:2: error: record 2 is not a case (see its \"kind\")" \
    review --case 2
check "data that end before the horizon" 65 \
    "error: the data end before the case's first quarter, 2026Q1: give the exports up to the end of the quarter to review" \
    "$CXCASE" review "$L" "$w/history.csv"
printf '{"initiatives": [{"id": "next_day", "units": {"R99": "2026Q1"}}]}' >"$tmp/bad.json"
check "a realised rollout naming an unknown unit" 65 \
    "$tmp/bad.json: /initiatives/0/units/R99: error: case 1 has no unit 'R99'" \
    "$CXCASE" review "$L" "$w/quarter-a.csv" --realised "$tmp/bad.json"
cp "$L" "$tmp/flip.jsonl"
"$PYTHON" -c "
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[200] ^= 1; open(p, 'wb').write(b)" "$tmp/flip.jsonl"
"$CXCASE" review "$tmp/flip.jsonl" "$w/quarter-a.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 65 ] && grep -q "record 1" "$tmp/err"; then
    ok "a ledger with a flipped byte is refused with its record named (exit 65)"
else
    not_ok "flipped ledger: exit $rc"
    show "$tmp/err"
fi
exit "$failed"
