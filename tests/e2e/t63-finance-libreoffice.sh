#!/bin/sh
# t63-finance-libreoffice.sh - the finance options (issue 14) as the
# workbook writes them, recalculated by LibreOffice:
#   - the workbook of t62's scenario (depreciation over 3 years, 3%
#     indexation, fiscal years from April, an effect that decays and one
#     that ends): every formula recalculates to its stored value, the Checks
#     are 0, and each scenario sheet's NPV, fiscal-year totals and
#     break-even share equal the case worked out by hand (finance_hand.py);
#   - LibreOffice's own NPV() and IRR(), put beside the written sheets and
#     run on their net-cash-flow lines, equal the hand NPV and IRR;
#   - a copy of the samples' workbook with depreciation years set to 3,
#     indexation to 3%, fiscal years from April, one effect decaying and one
#     ending (all named input cells on Inputs), recalculated, gives the NPVs
#     and fiscal-year totals of `cxcase simulate` on a scenario file with the
#     same changes, to 1e-9.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
. "$TOP/tests/e2e/lo_recalc.sh"
hand="$TOP/tests/e2e/finance_hand.py"
failed=0
if ! command -v "$SOFFICE" >/dev/null 2>&1; then
    not_ok "LibreOffice (soffice) is installed: make deps installs libreoffice-calc-nogui"
    exit 1
fi

# ---- t62's case, by hand and in the workbook ------------------------------
d="$tmp/data"
mkdir -p "$d"
if ! "$PYTHON" "$hand" generate "$d" 2>"$tmp/err" || ! "$PYTHON" "$hand" expect "$d" "$tmp/expected.json" 2>>"$tmp/err"; then
    not_ok "finance_hand.py works the case out by hand"; show "$tmp/err"; exit 1
fi
if ! "$CXCASE" report "$d/scenario.json" -o "$tmp/h.xlsx" --draws 500 >/dev/null 2>"$tmp/err"; then
    not_ok "cxcase report on the scenario with the finance options"; show "$tmp/err"; exit 1
fi
# LibreOffice's own NPV() and IRR() over each scenario sheet's net cash flow
"$PYTHON" - "$tmp/h.xlsx" "$tmp/fin.xlsx" <<'PY' || failed=1
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
fin = wb.create_sheet("LO finance")
fin.append(["sheet", "NPV()", "IRR()"])
for ws in wb.worksheets:
    if not ws.title.startswith("S") or " " not in ws.title or not ws.title.split(" ")[0][1:].isdigit():
        continue
    cf = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Net cash flow after tax")
    last = openpyxl.utils.get_column_letter(ws.max_column if ws.cell(cf, ws.max_column).value is not None else 2)
    last = max((c for c in range(3, ws.max_column + 1) if ws.cell(cf, c).value is not None))
    rng = f"'{ws.title}'!C{cf}:{openpyxl.utils.get_column_letter(last)}{cf}"
    fin.append([ws.title, f"=NPV((1+fin_discount_rate)^(1/4)-1,{rng})", f"=IFERROR((1+IRR({rng},0))^4-1,\"none\")"])
wb.save(sys.argv[2])
PY

# ---- the samples' workbook, its finance inputs edited in LibreOffice ------
"$PYTHON" "$TOP/tests/e2e/samples_scenario.py" "$tmp/s.json" 2000
"$PYTHON" - "$tmp/s.json" "$tmp/changed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["finance"].update({"depreciation_years": 3, "indexation": 0.03, "fiscal_year_start": 4})
s["initiatives"][3]["effects"][0]["decay"] = 0.1             # checkout fades 10% a quarter
s["initiatives"][1]["effects"][0]["duration_quarters"] = 6   # service staff for six quarters
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
if ! "$CXCASE" report "$tmp/s.json" -o "$tmp/r.xlsx" >/dev/null 2>"$tmp/err"; then
    not_ok "cxcase report writes the samples' workbook"; show "$tmp/err"; exit 1
fi
"$CXCASE" simulate "$tmp/changed.json" --json >"$tmp/changed.out" 2>"$tmp/err" || { not_ok "simulate the changed scenario"; show "$tmp/err"; exit 1; }

# ---- LibreOffice recalculates the three workbooks, at once -----------------
lo_skip "NPV() and IRR() on t62's case, its workbook, and the samples' workbook with its finance inputs edited, recalculated" &&
    exit "$failed"
# the samples' workbook with its finance inputs edited
set_inputs "$tmp/r.xlsx" "$tmp/copy.xlsx" fin_depreciation_years=3 fin_indexation=0.03 fin_fiscal_year_start=4 \
    in_checkout_e1_decay=0.1 in_service_staff_e1_duration=6
if ! lo_recalc_each "$tmp/h.xlsx" "$tmp/lo/h.xlsx" "$tmp/fin.xlsx" "$tmp/lo/fin.xlsx" "$tmp/copy.xlsx" "$tmp/lo2/copy.xlsx"; then
    not_ok "LibreOffice recalculates the workbooks"; show "$tmp/lo.log"; exit 1
fi
"$PYTHON" "$TOP/tests/e2e/recalc_check.py" "$tmp/h.xlsx" "$tmp/lo/h.xlsx" "the finance options' workbook" || failed=1
"$PYTHON" - "$tmp/lo/h.xlsx" "$tmp/lo/fin.xlsx" "$tmp/expected.json" <<'PY' || failed=1
import json, math, sys
import openpyxl
lo = openpyxl.load_workbook(sys.argv[1], data_only=True)
fin = openpyxl.load_workbook(sys.argv[2], data_only=True)["LO finance"]
exp = json.load(open(sys.argv[3]))
fails = 0
def check(ok, what, detail=""):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and detail:
        print("#     " + detail)
    fails += not ok
close = lambda a, b, scale=None: isinstance(a, (int, float)) and abs(a - b) <= 1e-9 * max(abs(scale if scale is not None else b), 1.0)
chk = lo["Checks"]
diffs = [chk.cell(r, 5).value for r in range(5, chk.max_row + 1) if isinstance(chk.cell(r, 5).value, (int, float))]
check(diffs and all(abs(x) <= 1e-6 for x in diffs), f"the Checks sheet's {len(diffs)} differences, recalculated, are all 0")
lofin = {fin.cell(r, 1).value: (fin.cell(r, 2).value, fin.cell(r, 3).value) for r in range(2, fin.max_row + 1)}
be = {b["initiative"]: b for b in exp["break_even"]}
for k, es in enumerate(exp["scenarios"]):
    ws = next(w for w in lo.worksheets if w.title.startswith(f"S{k + 1} "))
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, str)}
    npv = ws.cell(rows["NPV"], 3).value
    check(close(npv, es["npv"]), f"{es['name']}: the recalculated NPV {npv!r} equals the hand NPV {es['npv']!r}")
    lnpv, lirr = lofin[ws.title]
    check(close(lnpv, es["npv"]), f"{es['name']}: LibreOffice's NPV() on the sheet's cash flow, {lnpv!r}, equals the hand NPV")
    if es["irr"] is None:
        check(lirr == "none", f"{es['name']}: no IRR by hand, and LibreOffice's IRR() finds none ({lirr!r})")
    else:
        check(isinstance(lirr, (int, float)) and abs(lirr - es["irr"]) <= 1e-7,
              f"{es['name']}: LibreOffice's IRR() on the sheet's cash flow, {lirr!r}, equals the hand IRR {es['irr']!r} (1e-7, its own tolerance)")
    bad = []
    for i, fy in enumerate(es["fiscal_years"]):
        r = rows.get(fy["fiscal_year"])
        if r is None:
            bad.append(f"{fy['fiscal_year']}: no row"); continue
        got = [ws.cell(r, c).value for c in range(4, 12)]
        want = [fy["quarters"], fy["delta_revenue"], fy["gross_profit"], fy["costs"], fy["depreciation"], fy["tax"],
                fy["cash_flow"], fy["pv"]]
        scale = max(abs(fy["gross_profit"]), abs(fy["costs"]), 1.0)
        bad += [f"{fy['fiscal_year']} column {c + 4}: {g!r}, hand {w!r}" for c, (g, w) in enumerate(zip(got, want))
                if not close(g, w, scale)]
    check(not bad, f"{es['name']}: the recalculated fiscal-year totals ({', '.join(f['fiscal_year'] for f in es['fiscal_years'])}) equal the hand sums",
          "; ".join(bad[:4]))
    for label, r in rows.items():
        if label.startswith("Break-even: share of "):
            init = label.split("Break-even: share of ")[1].split("'s")[0]
            got = ws.cell(r, 3).value
            check(close(got, be[init]["share"], 1.0),
                  f"{es['name']}: the recalculated break-even share of {init}, {got!r}, equals the hand one {be[init]['share']!r}"
                  f" ({'linear' if be[init]['linear'] else 'the engine root of a curved NPV'})")
wbe = lo["Break-even"]
names = {i["name"]: i["id"] for i in json.load(open(sys.argv[3].replace("expected.json", "data/scenario.json")))["initiatives"]}
shares = {names[wbe.cell(r, 1).value]: (wbe.cell(r, 5).value, wbe.cell(r, 8).value) for r in range(5, wbe.max_row + 1)
          if wbe.cell(r, 1).value in names}
for init, b in be.items():
    got, where = shares.get(init, (None, None))
    check(close(got, b["share"], 1.0), f"Break-even sheet: {init}'s share {got!r} (from {where}) equals the hand one {b['share']!r}")
sys.exit(1 if fails else 0)
PY
"$PYTHON" - "$tmp/lo2/copy.xlsx" "$tmp/changed.out" "$tmp/r.xlsx" <<'PY' || failed=1
import json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
sim = json.load(open(sys.argv[2]))
orig = openpyxl.load_workbook(sys.argv[3], data_only=True)
fails = 0
def rows(ws):
    return {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1) if isinstance(ws.cell(r, 1).value, str)}
for k, s in enumerate(sim["scenarios"]):
    ws = next(w for w in wb.worksheets if w.title.startswith(f"S{k + 1} "))
    wo = next(w for w in orig.worksheets if w.title.startswith(f"S{k + 1} "))
    got, want, was = ws.cell(rows(ws)["NPV"], 3).value, s["npv"]["base"], wo.cell(rows(wo)["NPV"], 3).value
    good = isinstance(got, (int, float)) and abs(got - want) <= 1e-9 * abs(want) and abs(got - was) > 1e-6 * abs(was)
    fails += not good
    print(("ok - " if good else "not ok - ") + f"{s['name']}: with depreciation over 3 years, 3% indexation, checkout "
          f"fading and service staff ending, set in LibreOffice, the NPV {got} (stored {was}) equals simulate's {want}")
    rw = rows(ws)
    bad = []
    for fy in s["fiscal_years"]:
        r = rw.get(fy["fiscal_year"])
        if r is None:
            bad.append(f"{fy['fiscal_year']}: no row")
            continue
        for c, key in ((4, "quarters"), (11, "pv"), (10, "cash_flow")):
            g = wb[ws.title].cell(r, c).value
            if not isinstance(g, (int, float)) or abs(g - fy[key]) > 1e-9 * max(abs(fy[key]), abs(fy["costs"]), 1.0):
                bad.append(f"{fy['fiscal_year']} {key}: {g!r}, simulate {fy[key]!r}")
    fails += bool(bad)
    print(("ok - " if not bad else "not ok - ") + f"{s['name']}: the fiscal years from April, set in LibreOffice, "
          f"{[f['fiscal_year'] for f in s['fiscal_years']]}, total as simulate's")
    for b in bad[:4]:
        print("#     " + b)
sys.exit(1 if fails else 0)
PY
exit "$failed"
