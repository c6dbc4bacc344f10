#!/bin/sh
# tests/bench/link.sh - `cxcase link` against pandas merge + statsmodels Logit.
#
#   make bench      (tests/bench/run.sh ends by running this)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/link.sh [N]
#
# The files (written once into build/bench/ by numpy with a fixed seed):
# link-customers-N.csv, N customers (customer_id,region,segment,tenure_years,
# value_12m,churned; default N = 1e6) and link-responses-N.csv, N responses
# (date,score,customer_id), each response's customer drawn uniformly, so
# about 63% of the customers answered; churn and spend follow the class of a
# customer's last response as in samples/ (the same coefficients).
#
# Timed, whole process against whole process, the best of 3 wall-clock runs
# after the files are in the page cache, with /usr/bin/time -f '%e %M':
#   cxcase       cxcase link R C --id customer_id --by tenure_years,segment
#                --json: the hash join, one row per response (N rows), the
#                behaviour tables, the logistic regression, two least-squares
#                fits and the economics
#   pandas       /usr/bin/python3: pandas.read_csv of both, merge on
#                customer_id (inner), the category from the score, and
#                statsmodels' Logit (churned ~ C(category) + tenure_years +
#                C(segment)) fitted and summarised
# The two logistic coefficients of the category must agree to 1e-6
# relative, so that the comparison is of the same work.  Printed: seconds,
# peak MB, and the ratios pandas/cxcase.  Nothing passes or fails on time.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
top=$(cd "$(dirname "$0")/../.." && pwd)
case $CXCASE in /*) ;; *) CXCASE="$(pwd)/$CXCASE" ;; esac
n=${1:-1000000}
timer=/usr/bin/time
dir="$top/build/bench"
mkdir -p "$dir" || exit 1
cust="$dir/link-customers-$n.csv"
resp="$dir/link-responses-$n.csv"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-linkbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

if ! "$PYTHON" -c 'import numpy, pandas, statsmodels' 2>/dev/null; then
    echo "link bench: skipped: $PYTHON lacks numpy, pandas or statsmodels (make bench-deps)"
    exit 0
fi
if [ ! -s "$cust" ] || [ ! -s "$resp" ]; then
    "$PYTHON" - "$n" "$cust" "$resp" <<'PY' || exit 1
import sys
import numpy as np
n, cust, resp = int(sys.argv[1]), sys.argv[2], sys.argv[3]
g = np.random.default_rng(16)
regions = np.array(["Groningen", "Drenthe", "Utrecht", "Zeeland", "Limburg", "Gelderland"])
who = g.integers(0, n, n)                       # each response's customer
score = np.where(g.random(n) < 0.35, g.integers(9, 11, n),
                 np.where(g.random(n) < 0.45, g.integers(7, 9, n), g.integers(0, 7, n)))
day = g.integers(0, 365, n)
order = np.lexsort((np.arange(n), day))         # rows by date
who, score, day = who[order], score[order], day[order]
last = np.full(n, -1)
last[who] = score                               # the last write per customer wins: the latest date
cls = np.where(last >= 9, 2, np.where(last >= 7, 1, 0))
cls[last < 0] = g.integers(0, 3, int((last < 0).sum()))
business = g.random(n) < 0.3
tenure = np.round(g.random(n) * 120) / 10
eta = -0.9 + 0.5 * ~business - 0.8 * (cls == 1) - 1.5 * (cls == 2) - 0.08 * tenure
churned = (g.random(n) < 1 / (1 + np.exp(-eta))).astype(int)
spend = 2400 - 900 * ~business + 750 * (cls == 1) + 1500 * (cls == 2) + 40 * tenure + g.normal(0, 400, n)
ids = np.char.add("C", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
with open(cust, "w") as f:
    f.write("customer_id,region,segment,tenure_years,value_12m,churned\n")
    seg = np.where(business, "business", "consumer")
    reg = regions[np.arange(n) % len(regions)]
    for i in range(n):
        f.write("%s,%s,%s,%.1f,%.2f,%d\n" % (ids[i], reg[i], seg[i], tenure[i], spend[i], churned[i]))
dates = (np.datetime64("2025-01-01") + day).astype(str)
with open(resp, "w") as f:
    f.write("date,score,customer_id\n")
    for i in range(n):
        f.write("%s,%d,%s\n" % (dates[i], score[i], ids[who[i]]))
PY
fi

cat >"$tmp/pd.py" <<'PY'
import sys
import pandas as pd
import statsmodels.formula.api as smf
r = pd.read_csv(sys.argv[1], dtype={"customer_id": str})
c = pd.read_csv(sys.argv[2], dtype={"customer_id": str})
m = r.merge(c, on="customer_id", how="inner")
m["category"] = pd.cut(m["score"], [-1, 6, 8, 10], labels=["detractor", "passive", "promoter"])
fit = smf.logit("churned ~ C(category) + tenure_years + C(segment)", data=m).fit(disp=0, tol=1e-12, maxiter=100)
print(fit.summary(), file=open("/dev/null", "w"))
with open(sys.argv[3], "w") as f:
    f.write("%.17g %.17g\n" % (fit.params["C(category)[T.passive]"], fit.params["C(category)[T.promoter]"]))
PY

# best of 3: "seconds peak_kB"
best() { # $1 label, then the command
    label=$1
    shift
    bs="" bm=0
    for _ in 1 2 3; do
        if ! "$timer" -f '%e %M' -o "$tmp/t" "$@" >"$tmp/out" 2>"$tmp/err"; then
            echo "link bench: $label failed:" >&2
            cat "$tmp/err" >&2
            return 1
        fi
        read -r s m <"$tmp/t"
        if [ -z "$bs" ] || awk -v a="$s" -v b="$bs" 'BEGIN { exit !(a < b) }'; then bs=$s; fi
        [ "$m" -gt "$bm" ] && bm=$m
    done
    echo "$bs $bm"
}
cat "$cust" "$resp" >/dev/null
cx=$(best cxcase "$CXCASE" link "$resp" "$cust" --id customer_id --by tenure_years,segment --json) || exit 1
"$CXCASE" link "$resp" "$cust" --id customer_id --by tenure_years,segment --json >"$tmp/cx.json" 2>/dev/null
pd=$(best pandas "$PYTHON" "$tmp/pd.py" "$resp" "$cust" "$tmp/pd.txt") || exit 1
"$PYTHON" - "$tmp/cx.json" "$tmp/pd.txt" "$n" "$cx" "$pd" <<'PY'
import json, sys
cx = {t["name"]: t["coef"] for t in json.load(open(sys.argv[1]))["logistic"]["terms"]}
pdv = [float(x) for x in open(sys.argv[2]).read().split()]
ours = [cx["C(category)[passive]"], cx["C(category)[promoter]"]]
rel = max(abs(a - b) / abs(b) for a, b in zip(ours, pdv))
n = int(sys.argv[3])
cs, cm = (float(x) for x in sys.argv[4].split())
ps, pm = (float(x) for x in sys.argv[5].split())
print("link: %d responses to %d customers, the join and the logistic regression; best of 3" % (n, n))
print("  %-40s %9s %9s" % ("tool", "seconds", "peak MB"))
print("  %-40s %9.2f %9.1f" % ("cxcase link (join, tables, logit, 2 OLS)", cs, cm * 1024 / 1e6))
print("  %-40s %9.2f %9.1f" % ("pandas merge + statsmodels Logit", ps, pm * 1024 / 1e6))
print("  pandas/cxcase: %.1f x the time, %.1f x the memory" % (ps / cs, pm / cm))
print("  the category's logistic coefficients %s (largest relative difference %.1e)"
      % ("agree" if rel < 1e-6 else "DISAGREE", rel))
sys.exit(0 if rel < 1e-6 else 1)
PY
