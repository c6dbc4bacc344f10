#!/bin/sh
# t72-nonlinear.sh - `cxcase simulate` projects nonlinear terms, a target
# effect, two lags and a fixed coefficient exactly as its README says: on data
# made without noise from known coefficients, the quarterly changes in revenue
# and NPS, costs, cash flows and NPV equal a hand computation to 1e-9
# relative (1e-6 absolute for values that are 0).  The companion of t70.
#
# tests/e2e/nonlinear.py writes (into a temporary directory) three years of
# weekly data for four regions, exactly
#     nps     = a + b1 conversion + b2 delivery_days + b3 delivery_days^2
#                 + b4 ctr + b5 conversion:ctr + region     (b4 fixed in the model)
#     revenue = c + d1 lag(nps, 3) + d2 lag(nps, 9) + e conversion
#                 + f lag(nps, 3):conversion + region,
# the model with these terms (ctr's coefficient fixed by assumption, at the
# value that made the data), and a scenario (2026Q1, 8 quarters): delivery
# days moved to a target level (a different move in each region) with a
# 3-quarter ramp, or by a change without ramp; a conversion change and a
# click-through change with ramps, each alone and together (the interaction's
# cross term); everything; capex and opex.  It checks that the fit recovers
# the truth and reports the fixed coefficient as fixed, computes the
# projection by hand with the true coefficients, independently of cxcase,
# and checks that the data exercise what they claim: both lags carry NPS
# changes across quarter boundaries, the exact square and interactions differ
# from their linearisations, and the expected values differ by far more than
# the tolerance from those of a linearised square or interaction, an ignored
# second lag, lags cut at quarter ends, a target taken as a change, from a
# pooled baseline or without its ramp, or the fixed coefficient left out.
# Each scenario is also simulated alone: its result must not depend on the
# file's other scenarios.
#
#   CXCASE=build/rel/cxcase TOP=$PWD sh tests/e2e/t72-nonlinear.sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
nl="$TOP/tests/e2e/nonlinear.py"
d="$tmp/data"
mkdir -p "$d"

if ! "$PYTHON" "$nl" generate "$d" 2>"$tmp/err"; then
    not_ok "nonlinear.py generates the noise-free data, model and scenario"
    show "$tmp/err"
    exit 1
fi

# the scenario is valid for the current checker
"$CXCASE" check "$d/scenario.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ]; then
    ok "cxcase check accepts the test scenario"
else
    not_ok "cxcase check accepts the test scenario (exit $rc)"
    show "$tmp/err"
fi

# a perfect fit: the coefficients come back to rounding, the fixed one as fixed
"$CXCASE" fit "$d/metrics.csv" --model "$d/model.json" --json >"$tmp/fit.json" 2>"$tmp/err"
rc=$?
t=$(trouble "$rc" "$tmp/err")
if [ "$rc" -ne 0 ] || [ -n "$t" ]; then
    not_ok "cxcase fit on noise-free data exits 0 (exit $rc${t:+, $t})"
    show "$tmp/err"
else
    "$PYTHON" "$nl" fit "$tmp/fit.json" || failed=1
fi

# the hand computation, and what it exercises
if ! "$PYTHON" "$nl" expect "$d" "$tmp/expected.json" 2>"$tmp/err"; then
    not_ok "nonlinear.py computes the projection by hand"
    show "$tmp/err"
    exit 1
fi
"$PYTHON" "$nl" exercise "$tmp/expected.json" || failed=1

# cxcase simulate against it
"$CXCASE" simulate --help >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 64 ] && grep -q "unknown command 'simulate'" "$tmp/err"; then
    not_ok "cxcase simulate is missing"
    show "$tmp/err"
    exit 1
fi
"$CXCASE" simulate "$d/scenario.json" --json --draws 500 >"$tmp/sim.json" 2>"$tmp/err"
rc=$?
t=$(trouble "$rc" "$tmp/err")
if [ "$rc" -ne 0 ] || [ -n "$t" ]; then
    not_ok "cxcase simulate SCENARIO --json --draws 500 exits 0 (exit $rc${t:+, $t})"
    show "$tmp/err"
    exit 1
fi
ok "cxcase simulate SCENARIO --json --draws 500 exits 0"
if [ -s "$tmp/err" ]; then
    echo "#   stderr:"
    show "$tmp/err"
fi
"$PYTHON" "$nl" compare "$tmp/expected.json" "$tmp/sim.json" || failed=1

# each scenario alone: the same numbers, and the same as with the others
if ! "$PYTHON" "$nl" split "$d" >"$tmp/alone" 2>"$tmp/err"; then
    not_ok "nonlinear.py writes one scenario file per scenario"
    show "$tmp/err"
    exit 1
fi
set --
bad=""
while IFS= read -r f; do
    out="${f%.json}.sim.json"
    "$CXCASE" simulate "$f" --json --draws 500 >"$out" 2>"$tmp/err"
    rc=$?
    t=$(trouble "$rc" "$tmp/err")
    if [ "$rc" -ne 0 ] || [ -n "$t" ]; then
        bad="$bad ${f##*/} (exit $rc${t:+, $t})"
        show "$tmp/err"
    fi
    set -- "$@" "$out"
done <"$tmp/alone"
if [ -n "$bad" ]; then
    not_ok "cxcase simulate exits 0 on each scenario alone:$bad"
    exit 1
fi
ok "cxcase simulate exits 0 on each of the $# scenarios alone"
"$PYTHON" "$nl" alone "$tmp/expected.json" "$tmp/sim.json" "$@" || failed=1
exit "$failed"
