#!/bin/sh
# t40-partitions.sh - four partial fits merged equal one fit of all the rows.
#
# The samples are split by region into four partitions (every file, in its own
# dialect, and the survey responses); each is fitted with `cxcase fit
# --partial` and models/cx_chain.json (lags and C(region): every partition has
# other regions, so the merge must join different levels); `cxcase fit
# --merge` combines them.  Every number both fits report must agree to 1e-10
# relative (p-values far in the tail, below 1e-20, by their logarithm).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t40.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0

"$PYTHON" - "$TOP/samples" "$tmp" <<'PY'
import csv, io, os, sys
src, dst = sys.argv[1], sys.argv[2]
groups = [["Drenthe", "Flevoland", "Fryslân"], ["Gelderland", "Groningen", "Limburg"],
          ["Noord-Brabant", "Noord-Holland", "Overijssel"], ["Utrecht", "Zeeland", "Zuid-Holland"]]
seps = {"logistics": ",", "service": ";", "web": ",", "finance": ";", "hr": "\t", "responses": ","}
for name, sep in seps.items():
    text = open(f"{src}/{name}.csv", "rb").read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=sep))
    for g, regions in enumerate(groups):
        os.makedirs(f"{dst}/{g}", exist_ok=True)
        with open(f"{dst}/{g}/{name}.csv", "w", newline="", encoding="utf-8") as out:
            w = csv.writer(out, delimiter=sep, lineterminator="\n")
            w.writerow(rows[0])
            w.writerows(r for r in rows[1:] if r[1] in regions)
PY

# tau2 by REML needs the rows: the partitions fit the chain with the nps
# equation's tau2 fixed at 0 (the fixed-effect weighting 1/SE^2); the
# corrected revenue equation (eiv) is the chain's own
"$PYTHON" - "$TOP/models/cx_chain.json" "$tmp/chain.json" <<'PY'
import json, sys
spec = json.load(open(sys.argv[1], encoding="utf-8"))
spec["equations"][0]["tau2"] = 0
json.dump(spec, open(sys.argv[2], "w", encoding="utf-8"))
PY
chain="$tmp/chain.json"
for g in 0 1 2 3; do
    d="$tmp/$g"
    if "$CXCASE" fit --partial "$d/logistics.csv" "$d/service.csv" "$d/web.csv" "$d/finance.csv" \
        "$d/hr.csv" --responses "$d/responses.csv" --model "$chain" \
        -o "$tmp/part$g.json" >/dev/null 2>"$tmp/err"; then
        echo "ok - partial fit of partition $g"
    else
        echo "not ok - partial fit of partition $g"
        sed 's/^/#   /' "$tmp/err"
        fails=$((fails + 1))
    fi
done
"$CXCASE" fit --merge "$tmp/part0.json" "$tmp/part1.json" "$tmp/part2.json" "$tmp/part3.json" \
    --json >"$tmp/merged.json" 2>"$tmp/err" || { echo "not ok - merge"; sed 's/^/#   /' "$tmp/err"; exit 1; }
"$CXCASE" fit "$TOP/samples/logistics.csv" "$TOP/samples/service.csv" "$TOP/samples/web.csv" \
    "$TOP/samples/finance.csv" "$TOP/samples/hr.csv" --responses "$TOP/samples/responses.csv" \
    --model "$chain" --json >"$tmp/single.json" 2>/dev/null ||
    { echo "not ok - the single fit"; exit 1; }

"$PYTHON" - "$tmp/merged.json" "$tmp/single.json" <<'PY' || fails=$((fails + 1))
import json, math, sys
a, b = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:3])
def rel(x, y):
    return abs(x - y) / max(abs(y), 1e-300)
bad = 0
for ea, eb in zip(a["equations"], b["equations"]):
    worst, what = 0.0, ""
    for k in ["n", "n_dropped", "df_resid", "sigma", "r2", "adj_r2", "r2_fixed_effects", "f", "f_p",
              "loglik", "aic", "bic", "rss", "condition_number"]:
        if ea[k] is None or eb[k] is None:  # no F or likelihood for a corrected (eiv) fit
            r = 0.0 if ea[k] is eb[k] else 1.0
        else:
            r = rel(ea[k], eb[k])
        if r > worst:
            worst, what = r, k
    names_ok = [t["name"] for t in ea["terms"]] == [t["name"] for t in eb["terms"]]
    for ta, tb in zip(ea["terms"], eb["terms"]):
        for k in ["coef", "se", "t", "ci_low", "ci_high", "vif", "importance", "p"]:
            x, y = ta[k], tb[k]
            if x is None or y is None:
                if x is not y:
                    worst, what = 1.0, f"{ta['name']} {k}"
                continue
            if k == "p" and y < 1e-20:  # far in the tail: compare the logarithms
                r = 0.0 if x == y else rel(math.log(max(x, 1e-320)), math.log(max(y, 1e-320)))
            else:
                r = rel(x, y)
            if r > worst:
                worst, what = r, f"{ta['name']} {k}"
    # covariances against the scale of their row and column (a difference in
    # correlation units, floored at 1e-3 for classic fits); a clustered
    # sandwich squares per-unit sums whose own rounding follows the
    # coefficients' last digits, so it is held to the correlation scale itself
    floor = 1.0 if eb.get("se_type") == "cluster" else 1e-3
    for i, (ra, rb) in enumerate(zip(ea["covariance"], eb["covariance"])):
        for j, (x, y) in enumerate(zip(ra, rb)):
            r = abs(x - y) / max(abs(y), math.sqrt(abs(rb[i] * eb["covariance"][j][j])) * floor, 1e-300)
            if r > worst:
                worst, what = r, f"covariance {i},{j}"
    # a corrected fit: the naive estimates and the reliabilities merge exactly too
    for na, nb in zip(ea.get("naive", []), eb.get("naive", [])):
        for k in ["coef", "se"]:
            r = rel(na[k], nb[k])
            if k == "se" and eb.get("se_type") == "cluster" and na["name"].startswith("C(region)["):
                # clustered by region, a region's own effect has a degenerate meat (its
                # residuals sum to 0 within its cluster): its SE is rounding noise
                # squared, and two exact computations agree only to about 1e-10
                r *= 1e-2
            if r > worst:
                worst, what = r, f"naive {na['name']} {k}"
    for ma, mb in zip(ea.get("measurement_error", []), eb.get("measurement_error", [])):
        for k in ["reliability", "error_variance"]:
            r = rel(ma[k], mb[k])
            if r > worst:
                worst, what = r, f"{ma['term']} {k}"
    names_ok &= ea["method"] == eb["method"] and ea["se_type"] == eb["se_type"] and \
        len(ea.get("naive", [])) == len(eb.get("naive", [])) and \
        len(ea.get("measurement_error", [])) == len(eb.get("measurement_error", []))
    ok = names_ok and len(ea["terms"]) == len(eb["terms"]) and worst <= 1e-10
    bad += not ok
    print(f"{'ok' if ok else 'not ok'} - {ea['target']} ({ea['method']}, {ea['se_type']} se): four merged partial fits equal the single fit "
          f"(worst relative difference {worst:.2g} in {what or 'nothing'}; at most 1e-10)")
sys.exit(1 if bad else 0)
PY

# the shipped chain estimates the nps equation's tau2 by REML, which needs the rows
d="$tmp/0"
"$CXCASE" fit --partial "$d/logistics.csv" "$d/service.csv" "$d/web.csv" "$d/finance.csv" "$d/hr.csv" \
    --responses "$d/responses.csv" --model "$TOP/models/cx_chain.json" -o "$tmp/reml.json" >/dev/null 2>"$tmp/err"
rc=$?
want="$TOP/models/cx_chain.json: error: equation 'nps': tau2 by REML needs all the rows at once, which partial fits do not keep; fix \"tau2\" (0 is the fixed-effect weighting 1/SE^2)"
if [ "$rc" -eq 64 ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -e "$tmp/reml.json" ]; then
    echo "ok - a partial fit of an equation whose tau2 is estimated by REML is refused (exit 64), naming the fix"
else
    echo "not ok - a partial fit of a REML equation: exit $rc"
    sed 's/^/#   /' "$tmp/err"
    fails=$((fails + 1))
fi
[ "$fails" -eq 0 ]
