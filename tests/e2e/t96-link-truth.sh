#!/bin/sh
# tests/e2e/t96-link-truth.sh - `cxcase link` against the known truth of the
# samples (samples/README.md, "Customers"; samples/customers_truth.json).
#
#   CXCASE=build/rel/cxcase GENERATE=build/generate TOP=$PWD sh tests/e2e/t96-link-truth.sh
#
# 1. On the samples, with --last (the truth drives behaviour by the class of
#    the customer's last response): every true coefficient of the logistic
#    regression of churned and of the spend fit lies in its 95% interval.
# 2. The triangulation: the customer-level value of a point of NPS and the
#    panel's corrected lag(nps, 4) agree within their intervals on the
#    samples (both come from one truth: 1500 EUR per region and week), and the
#    customer-level interval covers 1500.
# 3. Over 40 further seeds of the generator, the pooled coverage of those
#    95% intervals lies between 88% and 100%.
# 4. The join's diagnostics: responses without a customer are counted and
#    shown by example, and --last keeps one row per customer.
# 5. The workbook: `cxcase report --link` carries the same comparison on its
#    Model sheet (read back with openpyxl) as `cxcase link --model`.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${GENERATE:=$TOP/build/generate}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"
case $GENERATE in /*) ;; *) GENERATE=$TOP/$GENERATE ;; esac
BY=tenure_years,segment

# ---- 1. the samples --------------------------------------------------------
if "$CXCASE" link samples/responses.csv samples/customers.csv --id customer_id --last --by $BY --json \
    >"$tmp/samples.json" 2>"$tmp/err"; then
    "$PYTHON" tests/e2e/link_truth.py check "$tmp/samples.json" samples/customers_truth.json || failed=1
else
    not_ok "link on the samples"
    show "$tmp/err"
fi

# ---- 2. triangulation ------------------------------------------------------
if "$CXCASE" fit samples/logistics.csv samples/service.csv samples/web.csv samples/finance.csv samples/hr.csv \
        --responses samples/responses.csv --model models/cx_chain.json -o "$tmp/model.json" >/dev/null 2>&1 &&
    "$CXCASE" link samples/responses.csv samples/customers.csv --id customer_id --last --by $BY \
        --model "$tmp/model.json" --json >"$tmp/tri.json" 2>"$tmp/err"; then
    "$PYTHON" - "$tmp/tri.json" <<'PY' || failed=1
import json, sys
t = json.load(open(sys.argv[1]))["triangulation"]
c, p, d = t["customer"], t["panel"], t["difference"]
ok = t["agree"] and d["ci_low"] <= 0 <= d["ci_high"] and p["ci_low"] <= c["estimate"] <= p["ci_high"]
print("%s - triangulation: customer level %.0f [%.0f, %.0f] and panel %s %.0f [%.0f, %.0f] agree"
      % ("ok" if ok else "not ok", c["estimate"], c["ci_low"], c["ci_high"], t["term"], p["estimate"],
         p["ci_low"], p["ci_high"]))
ok2 = c["ci_low"] <= 1500 <= c["ci_high"]
print("%s - the customer-level value of a point of NPS covers the truth 1500: [%.1f, %.1f]"
      % ("ok" if ok2 else "not ok", c["ci_low"], c["ci_high"]))
print("# " + t["sentence"])
sys.exit(0 if ok and ok2 else 1)
PY
else
    not_ok "fit and link --model on the samples"
    show "$tmp/err"
fi

# ---- 3. coverage over 40 seeds -------------------------------------------
K=${LINK_SEEDS:-40}
sanitized && K=$STUDY_SMOKE
seed=1
list=""
while [ "$seed" -le "$K" ]; do
    d="$tmp/s$seed"
    mkdir "$d"
    if "$GENERATE" "$d" "$seed" 2>/dev/null &&
        "$CXCASE" link "$d/responses.csv" "$d/customers.csv" --id customer_id --last --by $BY --json \
            >"$d/link.json" 2>"$d/err"; then
        list="$list $d/link.json"
        rm -f "$d"/[a-z]*.csv
    else
        not_ok "generate and link the data set of seed $seed"
        show "$d/err"
    fi
    seed=$((seed + 1))
done
# shellcheck disable=SC2086
"$PYTHON" tests/e2e/link_truth.py cover samples/customers_truth.json $list || failed=1

# ---- 4. the join's diagnostics ---------------------------------------------
# 30 customers who answer twice each (scores cycling), and two responses whose
# ids the customer file lacks; python counts what --last must keep.
"$PYTHON" - "$tmp/r.csv" "$tmp/c.csv" <<'PY'
import sys
r, c = open(sys.argv[1], "w"), open(sys.argv[2], "w")
r.write("date,score,customer_id\n")
c.write("customer_id,segment,value_12m,churned\n")
for k in range(30):
    c.write("C%d,%s,%d,%d\n" % (k + 1, "consumer" if k % 2 else "business", 100 + 10 * k, (k // 3) % 2))
for rnd in range(2):
    for k in range(30):
        r.write("2025-01-%02d,%d,C%d\n" % (10 + rnd * 10 - k % 5, (3 * k + 5 * rnd) % 11, k + 1))
    if rnd == 0:
        r.write("2025-01-03,4,X9\n2025-01-04,10,Y7\n")
PY
"$CXCASE" link "$tmp/r.csv" "$tmp/c.csv" --id customer_id --json >"$tmp/j.json" 2>"$tmp/err"
want="warning: 2 of the 62 responses have a customer_id that '$tmp/c.csv' lacks (for example 'X9' on line 32, 'Y7' on line 33); they are left out"
if [ "$(cat "$tmp/err")" = "$want" ]; then
    ok "unmatched responses are counted with examples"
else
    not_ok "unmatched responses are counted with examples"
    show "$tmp/err"
fi
"$CXCASE" link "$tmp/r.csv" "$tmp/c.csv" --id customer_id --last --json >"$tmp/l.json" 2>/dev/null
"$PYTHON" - "$tmp/j.json" "$tmp/l.json" "$tmp/r.csv" "$tmp/c.csv" <<'PY' || failed=1
import csv, json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
resp = list(csv.DictReader(open(sys.argv[3])))
cust = {row["customer_id"]: row for row in csv.DictReader(open(sys.argv[4]))}
last = {}
for row in resp:  # the latest date wins; a tie goes to the later line
    if row["customer_id"] in cust and (row["customer_id"] not in last or row["date"] >= last[row["customer_id"]][0]):
        last[row["customer_id"]] = (row["date"], int(row["score"]))
ja, jb = a["join"], b["join"]
ok = (ja["matched"], ja["unmatched"], ja["rows"], ja["customers_linked"]) == (60, 2, 60, 30) and jb["rows"] == 30
g = {x["group"]: x for x in b["groups"]}
for name, lo, hi in (("detractor", 0, 6), ("passive", 7, 8), ("promoter", 9, 10)):
    ids = [i for i, (_, s) in last.items() if lo <= s <= hi]
    stayed = sum(cust[i]["churned"] == "0" for i in ids)
    mean = sum(float(cust[i]["value_12m"]) for i in ids) / len(ids)
    ok = ok and g[name]["n"] == len(ids) and g[name]["stayed"] == stayed and abs(g[name]["value_mean"] - mean) < 1e-9
print("%s - per response 60 rows of 30 customers; with --last 30 rows, each customer's last response by date"
      % ("ok" if ok else "not ok"))
sys.exit(0 if ok else 1)
PY

# ---- 5. the Model sheet ------------------------------------------------------
if "$CXCASE" report samples/scenario.json -o "$tmp/r.xlsx" --link samples/responses.csv,samples/customers.csv \
        --last --by $BY >/dev/null 2>"$tmp/err" && [ -s "$tmp/tri.json" ]; then
    "$PYTHON" - "$tmp/r.xlsx" "$tmp/tri.json" <<'PY' || failed=1
import json, sys
import openpyxl
t = json.load(open(sys.argv[2]))["triangulation"]
ws = openpyxl.load_workbook(sys.argv[1])["Model"]
rows, texts = {}, set()
for row in ws.iter_rows(values_only=True):
    if isinstance(row[0], str):
        rows[row[0].split(":")[0]] = row
        texts.add(row[0])
want = {"Customers": t["customer"], "Panel": t["panel"], "Difference (customers - panel)": t["difference"]}
ok = all(abs(rows[k][1] - v["estimate"]) <= 1e-9 * abs(v["estimate"]) and
         abs(rows[k][3] - v["ci_low"]) <= 1e-9 * abs(v["ci_low"]) and
         abs(rows[k][4] - v["ci_high"]) <= 1e-9 * abs(v["ci_high"]) for k, v in want.items())
ok = ok and t["sentence"] in texts and rows["Agree within their uncertainty"][0].endswith("yes")
print("%s - the Model sheet carries the triangulation of cxcase link --model, and its sentence" % ("ok" if ok else "not ok"))
sys.exit(0 if ok else 1)
PY
else
    not_ok "cxcase report --link on the samples"
    show "$tmp/err"
fi
exit "$failed"
