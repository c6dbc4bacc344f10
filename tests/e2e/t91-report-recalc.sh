#!/bin/sh
# t91-report-recalc.sh - the workbook's live formulas (issue 5):
#   - LibreOffice (headless, recalculation forced on load) recalculates every
#     formula of the samples' workbook to its stored engine value, within
#     1e-9 relative, and the Checks sheet's differences are all 0;
#   - a copy with the discount rate and one effect size changed in Inputs,
#     recalculated, gives the NPV that `cxcase simulate` computes for a
#     scenario file with the same changes;
#   - the same for the non-linear model of t72 (a square, interactions, two
#     lags, a target level), whose changes differ per unit: its U sheets'
#     formulas, and a copy with the discount rate, the target, a change and
#     a metric's baselines changed;
#   - the same data with logs in the model (log(x), log(x):y): their U
#     sheets' LN formulas recalculate to the stored values too.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
. "$TOP/tests/e2e/lo_recalc.sh"
# checks_zero RECALCULATED.xlsx LABEL: the Checks sheet's differences are all 0
checks_zero() {
    "$PYTHON" - "$1" "$2" <<'PY'
import sys
import openpyxl
lo = openpyxl.load_workbook(sys.argv[1], data_only=True)
chk = lo["Checks"]
diffs = [chk.cell(r, 5).value for r in range(5, chk.max_row + 1) if isinstance(chk.cell(r, 5).value, (int, float))]
zero = diffs and all(abs(d) <= 1e-6 for d in diffs)
print(("ok - " if zero else "not ok - ") + f"{sys.argv[2]}: the Checks sheet's {len(diffs)} differences, recalculated, are all 0 (largest {max(abs(d) for d in diffs) if diffs else float('nan'):.1e})")
sys.exit(0 if zero else 1)
PY
}
# npv_agree RECALCULATED.xlsx SIMULATE.json WHAT ORIGINAL.xlsx: every
# scenario sheet's recalculated NPV equals simulate's, and has moved from
# the original workbook's by more than 1e-6 (the changes reach it)
npv_agree() {
    "$PYTHON" - "$1" "$2" "$3" "$4" <<'PY'
import json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
sim = json.load(open(sys.argv[2]))
orig = openpyxl.load_workbook(sys.argv[4], data_only=True)
def npv(book, k):
    ws = next(w for w in book.worksheets if w.title.startswith(f"S{k + 1} "))
    return ws.cell(next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "NPV"), 3).value
fails = 0
for k, s in enumerate(sim["scenarios"]):
    got, want, was = npv(wb, k), s["npv"]["base"], npv(orig, k)
    good = isinstance(got, (int, float)) and abs(got - want) <= 1e-9 * abs(want) and abs(got - was) > 1e-6 * abs(was)
    fails += not good
    print(("ok - " if good else "not ok - ") + f"{s['name']}: with {sys.argv[3]}, the recalculated NPV {got} (stored {was}) equals simulate's {want}")
sys.exit(1 if fails else 0)
PY
}
if ! command -v "$SOFFICE" >/dev/null 2>&1; then
    not_ok "LibreOffice (soffice) is installed: make deps installs libreoffice-calc-nogui"
    exit 1
fi
"$PYTHON" "$TOP/tests/e2e/samples_scenario.py" "$tmp/s.json" 2000
"$PYTHON" - "$tmp/s.json" "$tmp/changed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["finance"]["discount_rate"] = 0.12
s["initiatives"][3]["effects"][0]["change"] = 0.15        # checkout: conversion +0.15 instead of +0.25
s["initiatives"][3]["effects"][0]["uncertainty"] = {"dist": "pert", "min": 0.05, "mode": 0.15, "max": 0.4}
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
# ---- the workbooks: cxcase writes them, and simulates their changed files --
if ! "$CXCASE" report "$tmp/s.json" -o "$tmp/r.xlsx" >"$tmp/o" 2>"$tmp/err"; then
    not_ok "cxcase report writes the samples' workbook"; show "$tmp/err"; exit 1
fi
"$CXCASE" simulate "$tmp/changed.json" --json >"$tmp/changed.out" 2>"$tmp/err" || { not_ok "simulate the changed scenario file"; show "$tmp/err"; exit 1; }

# the same for a model with non-linear terms, a target effect and two lags
# (the data of t72): their changes per unit and segment are formulas on U
# sheets, and LibreOffice agrees with every stored value
d="$tmp/nl"
mkdir -p "$d"
if ! "$PYTHON" "$TOP/tests/e2e/nonlinear.py" generate "$d" >/dev/null 2>"$tmp/err" ||
    ! "$CXCASE" report "$d/scenario.json" -o "$d/r.xlsx" --draws 500 >/dev/null 2>>"$tmp/err"; then
    not_ok "cxcase report on the non-linear model of t72"; show "$tmp/err"; exit 1
fi
# its changed copy: the discount rate, the target level, a change and one
# metric's baselines, as a scenario file for simulate
"$PYTHON" - "$d/scenario.json" "$d/changed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["finance"]["discount_rate"] = 0.12
for it in s["initiatives"]:
    if it["id"] == "fast_delivery":
        it["effects"][0]["target"] = 1.8
    if it["id"] == "checkout":
        it["effects"][0]["change"] = 0.2
s["baseline"]["values"] = {"delivery_days": 2.6}
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
"$CXCASE" simulate "$d/changed.json" --json --draws 200 >"$d/changed.out" 2>"$tmp/err" ||
    { not_ok "simulate the changed non-linear scenario file"; show "$tmp/err"; exit 1; }

# logs: the same data with log(delivery_days), log(ctr):conversion and
# log(conversion) in the model, whose U sheet lines are LN(1 + change /
# baseline) and LN(new level) - LN(baseline level) within products
l="$tmp/log"
mkdir -p "$l"
"$PYTHON" - "$d" "$l" <<'PY'
import json, os, shutil, sys
src, dst = sys.argv[1:3]
m = json.load(open(os.path.join(src, "model.json")))
m["equations"][0]["terms"] = ["conversion", "log(delivery_days)", "delivery_days^2", "log(ctr):conversion", "C(region)"]
m["equations"][0].pop("fixed", None)
m["equations"][1]["terms"] = ["lag(nps, 3)", "log(conversion)", "lag(nps, 3):conversion", "C(region)"]
json.dump(m, open(os.path.join(dst, "model.json"), "w"), indent=1)
shutil.copy(os.path.join(src, "metrics.csv"), dst)
shutil.copy(os.path.join(src, "scenario.json"), dst)
PY
if ! "$CXCASE" report "$l/scenario.json" -o "$l/r.xlsx" --draws 200 >/dev/null 2>"$tmp/err"; then
    not_ok "cxcase report on the model with logs"; show "$tmp/err"; exit 1
fi
if "$PYTHON" - "$l/r.xlsx" <<'PY'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
f = [c.value for ws in wb.worksheets if ws.title.startswith("U") for row in ws.iter_rows() for c in row
     if isinstance(c.value, str) and c.value.startswith("=")]
sys.exit(0 if any("LN(1+" in v for v in f) and any("LN(base_ctr_" in v for v in f) else 1)
PY
then
    ok "the model with logs: its U sheets hold LN(1 + change / baseline) and LN of levels in products"
else
    not_ok "the model with logs: no LN formulas on its U sheets"
fi

# ---- LibreOffice recalculates the five workbooks, at once ------------------
lo_skip "the samples', the non-linear model's and the log model's workbooks and two edited copies, recalculated" &&
    exit "$failed"
# the copies with inputs changed in the workbook
set_inputs "$tmp/r.xlsx" "$tmp/copy.xlsx" fin_discount_rate=0.12 in_checkout_e1_value=0.15
set_inputs "$d/r.xlsx" "$d/copy.xlsx" fin_discount_rate=0.12 in_fast_delivery_e1_value=1.8 in_checkout_e1_value=0.2 \
    base_delivery_days_Noord=2.6 base_delivery_days_Oost=2.6 base_delivery_days_West=2.6 base_delivery_days_Zuid=2.6
if ! lo_recalc_each "$tmp/r.xlsx" "$tmp/lo/r.xlsx" "$tmp/copy.xlsx" "$tmp/lo2/copy.xlsx" \
    "$d/r.xlsx" "$d/lo/r.xlsx" "$d/copy.xlsx" "$d/lo2/copy.xlsx" "$l/r.xlsx" "$l/lo/r.xlsx"; then
    not_ok "LibreOffice recalculates the five workbooks"; show "$tmp/lo.log"; exit 1
fi
"$PYTHON" "$TOP/tests/e2e/recalc_check.py" "$tmp/r.xlsx" "$tmp/lo/r.xlsx" "the samples" || failed=1
checks_zero "$tmp/lo/r.xlsx" "the samples" || failed=1
npv_agree "$tmp/lo2/copy.xlsx" "$tmp/changed.out" "a 12% discount rate and checkout's change at 0.15" "$tmp/r.xlsx" ||
    failed=1
"$PYTHON" "$TOP/tests/e2e/recalc_check.py" "$d/r.xlsx" "$d/lo/r.xlsx" "non-linear model" || failed=1
checks_zero "$d/lo/r.xlsx" "non-linear model" || failed=1
npv_agree "$d/lo2/copy.xlsx" "$d/changed.out" "a 12% discount rate, delivery target 1.8 days, conversion +0.2 and delivery baselines at 2.6" "$d/r.xlsx" || failed=1
"$PYTHON" "$TOP/tests/e2e/recalc_check.py" "$l/r.xlsx" "$l/lo/r.xlsx" "model with logs" || failed=1
exit "$failed"
