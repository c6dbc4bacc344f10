#!/bin/sh
# t25-measurement-error.sh - the measurement-error correction (errors-in-
# variables) against known truth and against an independent computation.
#
# tests/e2e/me_truth.py generates panels in which revenue responds to the
# latent NPS of four weeks earlier (1,500 per point), NPS is observed through
# about 80 survey responses per cell with its standard error, and conversion
# is correlated with NPS.  Checks:
#   - on one panel, `cxcase fit --json` equals numpy's direct computation of
#     the moment formulas (estimates, sandwich covariance HC1 and clustered,
#     unweighted and weighted, the naive fit, the reliability) to 1e-10;
#   - over 100 seeds, the corrected coefficient's mean is within 3% of the
#     truth, its 95% interval covers the truth in 90-98% of the seeds, and the
#     naive estimate's bias is measured (printed on a "#" line);
#   - the survey's nps_se declares lag(nps, 4) by itself; "measurement_error":
#     {} turns the correction off and gives the naive fit.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t25.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
py="$TOP/tests/e2e/me_truth.py"

"$PYTHON" "$py" gen 1 "$tmp/panel.csv" || exit 1
for se in hc1 cluster; do
    cat >"$tmp/spec-$se.json" <<JSON
{"name": "me_truth", "units": ["region"],
 "equations": [{"target": "revenue", "terms": ["lag(nps, 4)", "conversion"], "se": "$se"}]}
JSON
    if "$CXCASE" fit "$tmp/panel.csv" --model "$tmp/spec-$se.json" --json >"$tmp/fit-$se.json" 2>"$tmp/err"; then
        "$PYTHON" "$py" ref "$tmp/panel.csv" "$tmp/fit-$se.json" "$se" || fails=$((fails + 1))
    else
        echo "not ok - cxcase fit ($se) exits 0"
        sed 's/^/#   /' "$tmp/err"
        fails=$((fails + 1))
    fi
done

# weighted least squares with a noisy regressor: sum w_i Omega_i
cat >"$tmp/spec-w.json" <<'JSON'
{"name": "me_truth", "units": ["region"],
 "equations": [{"target": "revenue", "terms": ["lag(nps, 4)", "conversion"], "se": "hc1", "weights": "nps_n"}]}
JSON
if "$CXCASE" fit "$tmp/panel.csv" --model "$tmp/spec-w.json" --json >"$tmp/fit-w.json" 2>"$tmp/err"; then
    "$PYTHON" "$py" ref "$tmp/panel.csv" "$tmp/fit-w.json" hc1 nps_n || fails=$((fails + 1))
else
    echo "not ok - cxcase fit (weighted) exits 0"
    sed 's/^/#   /' "$tmp/err"
    fails=$((fails + 1))
fi

# the correction is declared by the survey's columns; {} turns it off
cat >"$tmp/spec-off.json" <<'JSON'
{"name": "me_truth", "units": ["region"],
 "equations": [{"target": "revenue", "terms": ["lag(nps, 4)", "conversion"], "se": "hc1",
                "measurement_error": {}}]}
JSON
"$CXCASE" fit "$tmp/panel.csv" --model "$tmp/spec-off.json" --json >"$tmp/fit-off.json" 2>/dev/null
"$PYTHON" - "$tmp/fit-hc1.json" "$tmp/fit-off.json" <<'PY' || fails=$((fails + 1))
import json, sys
on, off = (json.load(open(p))["equations"][0] for p in sys.argv[1:3])
ok = on["method"] == "eiv" and off["method"] == "ols" and "naive" not in off and \
    all(abs(a["coef"] - b["coef"]) <= 1e-12 * abs(b["coef"]) and abs(a["se"] - b["se"]) <= 1e-12 * b["se"]
        for a, b in zip(on["naive"], off["terms"]))
print(("ok" if ok else "not ok") + " - nps_se declares lag(nps, 4) measured with error by itself; "
      "\"measurement_error\": {} gives the naive fit, equal to the corrected fit's \"naive\" estimates")
sys.exit(0 if ok else 1)
PY

# ridge and robust do not correct: they say so, in words
cat >"$tmp/spec-ridge.json" <<'JSON'
{"name": "me_truth", "units": ["region"],
 "equations": [{"target": "revenue", "terms": ["lag(nps, 4)", "conversion"], "method": "robust"}]}
JSON
"$CXCASE" fit "$tmp/panel.csv" --model "$tmp/spec-ridge.json" --json >"$tmp/fit-robust.json" 2>/dev/null
"$PYTHON" - "$tmp/fit-robust.json" <<'PY' || fails=$((fails + 1))
import json, sys
e = json.load(open(sys.argv[1]))["equations"][0]
want = ("'nps' is a survey estimate with standard errors in 'nps_se', and method \"robust\" does not correct "
        "for its noise: its effect is understated by its reliability; use \"ols\", which does")
ok = e["method"] == "robust" and want in e["warnings"] and "measurement_error" not in e
print(("ok" if ok else "not ok") + " - a robust fit of a survey column is not corrected, and warns that it is not")
sys.exit(0 if ok else 1)
PY

# known truth over 100 seeds
cat >"$tmp/spec-study.json" <<'JSON'
{"name": "me_truth", "units": ["region"],
 "equations": [{"target": "revenue", "terms": ["lag(nps, 4)", "conversion", "C(region)"]}]}
JSON
n=100
[ "${SANITIZED:-}" = 1 ] && n=2 # the sanitizers' smoke run (tests/cli/lib.sh)
"$PYTHON" "$py" study "$CXCASE" "$tmp/spec-study.json" "$tmp" "$n" || fails=$((fails + 1))
[ "$fails" -eq 0 ]
