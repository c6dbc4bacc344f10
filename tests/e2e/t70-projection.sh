#!/bin/sh
# t70-projection.sh - `cxcase simulate` projects a scenario exactly as its
# README says: on data made without noise from known coefficients, a ramp and
# a lag that crosses a quarter boundary give the hand-computed quarterly
# changes in revenue and NPS, costs, cash flows and NPV, to 1e-9 relative
# (1e-6 absolute for values that are 0).
#
# tests/e2e/projection.py writes (into a temporary directory) three years of
# weekly data for three regions, exactly
#     nps     = a + b1 conversion + b2 delivery_days + b3 log(ctr) + region
#     revenue = c + d lag(nps, 6) + e conversion + region,
# the model with these terms, and a scenario (2026Q1, 8 quarters): a
# conversion change from 2026Q2 with a 2-quarter ramp, a click-through change
# from 2026Q1 with a 3-quarter ramp (log term: the exact difference of logs
# from each region's 52-week baseline matters), capex and opex, each alone
# and both together.  It computes the projection by hand with the true
# coefficients, independently of cxcase, and checks that the data exercise
# what they claim: the lag carries NPS changes of one quarter's last weeks
# (at another ramp level) into the next quarter, and the expected values
# differ by far more than the tolerance from those of a projection without
# the lag, with the lag cut at quarter ends, with changed weeks before the
# horizon, with a linearised log, or with another baseline.
#
#   CXCASE=build/rel/cxcase TOP=$PWD sh tests/e2e/t70-projection.sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
proj="$TOP/tests/e2e/projection.py"
d="$tmp/data"
mkdir -p "$d"

if ! "$PYTHON" "$proj" generate "$d" 2>"$tmp/err"; then
    not_ok "projection.py generates the noise-free data, model and scenario"
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

# a perfect fit: the coefficients come back to rounding
"$CXCASE" fit "$d/metrics.csv" --model "$d/model.json" --json >"$tmp/fit.json" 2>"$tmp/err"
rc=$?
t=$(trouble "$rc" "$tmp/err")
if [ "$rc" -ne 0 ] || [ -n "$t" ]; then
    not_ok "cxcase fit on noise-free data exits 0 (exit $rc${t:+, $t})"
    show "$tmp/err"
else
    "$PYTHON" "$proj" fit "$tmp/fit.json" "$d" || failed=1
fi

# the hand computation, and what it exercises
if ! "$PYTHON" "$proj" expect "$d" "$tmp/expected.json" 2>"$tmp/err"; then
    not_ok "projection.py computes the projection by hand"
    show "$tmp/err"
    exit 1
fi
"$PYTHON" "$proj" exercise "$tmp/expected.json" || failed=1

# cxcase simulate against it
"$CXCASE" simulate --help >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 64 ] && grep -q "unknown command 'simulate'" "$tmp/err"; then
    not_ok "cxcase simulate is missing"
    show "$tmp/err"
    exit 1
fi
"$CXCASE" simulate "$d/scenario.json" --json --draws 1000 >"$tmp/sim.json" 2>"$tmp/err"
rc=$?
t=$(trouble "$rc" "$tmp/err")
if [ "$rc" -ne 0 ] || [ -n "$t" ]; then
    not_ok "cxcase simulate SCENARIO --json --draws 1000 exits 0 (exit $rc${t:+, $t})"
    show "$tmp/err"
    exit 1
fi
ok "cxcase simulate SCENARIO --json --draws 1000 exits 0"
if [ -s "$tmp/err" ]; then
    echo "#   stderr:"
    show "$tmp/err"
fi
"$PYTHON" "$proj" compare "$tmp/expected.json" "$tmp/sim.json" || failed=1
exit "$failed"
