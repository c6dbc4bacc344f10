#!/bin/sh
# t62-finance-hand.sh - the finance options of a scenario (issue 14: capex
# depreciated for tax, opex indexation, fading effects, fiscal-year totals,
# break-even) against a cash flow worked out by hand.
#
# tests/e2e/finance_hand.py writes projection.py's noise-free data and model
# and a scenario with depreciation over 3 years, 3% indexation, fiscal years
# from April, an effect that decays 10% a quarter after its ramp and one that
# ends after 5 quarters; it computes the projection and the finance by hand,
# independently of cxcase, and shows that each option moves the figures by
# far more than the tolerance.  `cxcase simulate --json` must give the same
# quarters (capex, opex, depreciation, tax, cash flow, pv), NPV, IRR,
# fiscal-year totals and break-even shares to 1e-9 relative.  Then the
# options at their defaults, written out, give the same JSON as no options.
#
#   CXCASE=build/rel/cxcase TOP=$PWD sh tests/e2e/t62-finance-hand.sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
hand="$TOP/tests/e2e/finance_hand.py"
d="$tmp/data"
mkdir -p "$d"
failed=0

if ! "$PYTHON" "$hand" generate "$d" 2>"$tmp/err"; then
    not_ok "finance_hand.py writes the data, model and scenario"
    show "$tmp/err"
    exit 1
fi
if ! "$PYTHON" "$hand" expect "$d" "$tmp/expected.json" 2>"$tmp/err"; then
    not_ok "finance_hand.py works the case out by hand"
    show "$tmp/err"
    exit 1
fi
"$PYTHON" "$hand" exercise "$tmp/expected.json" || failed=1

"$CXCASE" simulate "$d/scenario.json" --json --draws 1000 >"$tmp/sim.json" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ]; then
    not_ok "cxcase simulate on the scenario with the finance options exits 0 (exit $rc)"
    show "$tmp/err"
    exit 1
fi
ok "cxcase simulate on the scenario with the finance options exits 0"
"$PYTHON" "$hand" compare "$tmp/expected.json" "$tmp/sim.json" || failed=1

# the defaults written out change nothing
"$PYTHON" - "$d/scenario.json" "$tmp/plain.json" "$tmp/defaults.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
for k in ("depreciation_years", "indexation", "fiscal_year_start"):
    s["finance"].pop(k)
for i in s["initiatives"]:
    for e in i["effects"]:
        e.pop("decay", None); e.pop("duration_quarters", None)
json.dump(s, open(sys.argv[2], "w"))
s["finance"].update({"depreciation_years": 0, "indexation": 0, "fiscal_year_start": 1})
for i in s["initiatives"]:
    for e in i["effects"]:
        e["decay"] = 0
json.dump(s, open(sys.argv[3], "w"))
PY
cp "$tmp/plain.json" "$d/plain.json"
cp "$tmp/defaults.json" "$d/defaults.json"
"$CXCASE" simulate "$d/plain.json" --json --draws 1000 >"$tmp/plain.out" 2>"$tmp/err" &&
    "$CXCASE" simulate "$d/defaults.json" --json --draws 1000 >"$tmp/defaults.out" 2>>"$tmp/err"
if cmp -s "$tmp/plain.out" "$tmp/defaults.out" && [ -s "$tmp/plain.out" ]; then
    ok "the finance options at their documented defaults give byte-identical JSON to none"
else
    not_ok "the finance options at their documented defaults give byte-identical JSON to none"
    show "$tmp/err"
    failed=1
fi
exit "$failed"
