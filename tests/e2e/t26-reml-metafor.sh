#!/bin/sh
# t26-reml-metafor.sh - a survey-measured target with "weights": "precision"
# is the random-effects meta-regression (weights 1/(tau2 + SE^2), tau2 by
# REML): `cxcase fit` on tests/data/reml_nps.csv gives R's
#     metafor::rma(nps, nps_se^2, mods = ~ delivery_days + handling_time_s +
#                  conversion + ctr + enps + factor(region), method = "REML")
# as recorded in tests/data/reml_metafor.json (tests/data/reml_metafor.R):
# tau2, its standard error, the coefficients, standard errors, z tests and
# intervals to 1e-6.  And "tau2": 0 keeps the fixed-effect weighting 1/SE^2.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t26.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
for tau in estimated 0; do
    extra=""
    [ "$tau" = 0 ] && extra=', "tau2": 0'
    cat >"$tmp/spec-$tau.json" <<JSON
{"name": "reml", "units": ["region"],
 "equations": [{"target": "nps", "weights": "precision"$extra,
   "terms": ["delivery_days", "handling_time_s", "conversion", "ctr", "enps", "C(region)"]}]}
JSON
    if ! "$CXCASE" fit "$TOP/tests/data/reml_nps.csv" --model "$tmp/spec-$tau.json" --json \
        >"$tmp/fit-$tau.json" 2>"$tmp/err"; then
        echo "not ok - cxcase fit with precision weights (tau2 $tau) exits 0"
        sed 's/^/#   /' "$tmp/err"
        exit 1
    fi
done
"$PYTHON" - "$tmp/fit-estimated.json" "$tmp/fit-0.json" "$TOP/tests/data/reml_metafor.json" <<'PY'
import json, sys
fit, fe, ref = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:4])
e, r = fit["equations"][0], ref["reml"]
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok
def rel(a, b):
    return abs(a - b) / max(abs(b), 1e-300)
worst = max(rel(e["tau2"], r["tau2"]), rel(e["tau2_se"], r["se_tau2"]))
for j, t in enumerate(e["terms"]):
    for k, rk in (("coef", "beta"), ("se", "se"), ("t", "zval"), ("p", "pval"), ("ci_low", "ci_lb"), ("ci_high", "ci_ub")):
        worst = max(worst, rel(t[k], r[rk][j]))
check(e["method"] == "reml" and len(e["terms"]) == r["p"] and worst <= 1e-6,
      f"REML: tau2 {e['tau2']:.6g} (SE {e['tau2_se']:.4g}), the coefficients, standard errors, z tests and "
      f"intervals equal metafor::rma's (worst relative difference {worst:.2g}; at most 1e-6)")
f0 = fe["equations"][0]
check(f0["method"] == "ols" and "tau2" not in f0 and f0["se_type"] == "classic",
      "\"tau2\": 0 keeps the fixed-effect weighting 1/SE^2 by least squares (method ols)")
sys.exit(1 if fails else 0)
PY
