#!/bin/sh
# t98-review-finance.sh - the finance part of `cxcase review` (README
# "cxcase review", finance): on a case with two initiatives, tax,
# depreciation and indexed opex, every figure (cost variance, timing, the
# quarterly cash flows and the NPV steps) equals an independent computation
# from the ledger's record (tests/e2e/review_finance.py) to 1e-9; with no
# delay, the costs as planned and full delivery the re-forecast NPV is the
# frozen case's; the printed summary and the Finance sheet (recalculated by
# LibreOffice) show the same figures; bad costs in --realised get their JSON
# Pointer and exit 65 with no output.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"
export SOURCE_DATE_EPOCH=1774915200

w=$tmp/w
"$PYTHON" tests/e2e/review_truth.py gen "$CXCASE" 7 "$w" >/dev/null || exit 1
cat >"$w/fin.json" <<'JSON'
{"name": "finance", "currency": "EUR", "data": [{"file": "history.csv", "kind": "metrics"}],
 "model": "spec.json", "baseline": {"window_periods": 52},
 "finance": {"start": "2026Q1", "horizon_quarters": 8, "discount_rate": 0.1, "gross_margin": 0.4,
             "tax_rate": 0.25, "depreciation_years": 1, "indexation": 0.05},
 "initiatives": [
  {"id": "next_day", "name": "Next-day delivery",
   "effects": [{"metric": "delivery_days", "change": -0.6, "start": "2026Q1", "ramp_quarters": 1}],
   "costs": [{"kind": "capex", "amount": 500000, "quarter": "2026Q1"},
             {"kind": "opex", "amount": 30000, "from": "2026Q1", "to": "2027Q4"}]},
  {"id": "checkout", "name": "Checkout",
   "effects": [{"metric": "conversion", "change": 0.05, "start": "2026Q2", "ramp_quarters": 2}],
   "costs": [{"kind": "capex", "amount": 200000, "quarter": "2026Q1"},
             {"kind": "opex", "amount": 10000, "from": "2026Q2", "to": "2027Q4"}]}],
 "scenarios": [{"name": "Delivery", "initiatives": ["next_day"]},
               {"name": "Both", "initiatives": ["next_day", "checkout"]}],
 "simulation": {"draws": 200, "seed": 5}}
JSON
# 5 regions live as planned, 2 a quarter late, 1 two quarters late, 4 never;
# capex and opex overspent, the checkout's capex underspent
cat >"$w/real.json" <<'JSON'
{"initiatives": [
 {"id": "next_day", "units": {"R01": "2026Q1", "R02": "2026Q1", "R03": "2026Q1", "R04": "2026Q1", "R05": "2026Q1",
                              "R06": "2026Q2", "R07": "2026Q2", "R08": "2026Q3"},
  "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": 560000},
            {"kind": "opex", "quarter": "2026Q1", "amount": 20000},
            {"kind": "opex", "quarter": "2026Q1", "amount": 13000}]},
 {"id": "checkout", "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": 150000}]}]}
JSON
# everything as planned: every region live in 2026Q1, the first quarter's costs as planned
cat >"$w/asplan.json" <<'JSON'
{"initiatives": [
 {"id": "next_day", "units": {"R01": "2026Q1", "R02": "2026Q1", "R03": "2026Q1", "R04": "2026Q1", "R05": "2026Q1",
                              "R06": "2026Q1", "R07": "2026Q1", "R08": "2026Q1", "R09": "2026Q1", "R10": "2026Q1",
                              "R11": "2026Q1", "R12": "2026Q1"},
  "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": 500000},
            {"kind": "opex", "quarter": "2026Q1", "amount": 30000}]},
 {"id": "checkout", "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": 200000}]}]}
JSON
L=$w/fin.jsonl
"$CXCASE" simulate "$w/fin.json" --record "$L" >/dev/null 2>"$tmp/err" || { show "$tmp/err"; exit 1; }
review() { "$CXCASE" review "$L" "$w/quarter-a.csv" "$@"; }

if review --realised "$w/real.json" --json >"$tmp/r.json" 2>"$tmp/err" &&
    "$PYTHON" tests/e2e/review_finance.py "$L" "$w/real.json" "$tmp/r.json" >"$tmp/py" 2>&1; then
    cat "$tmp/py"
    ok "finance figures (cost variance, timing, cash flows, NPV steps) equal the independent computation to 1e-9"
else
    not_ok "finance figures against the independent computation"
    show "$tmp/py"
    show "$tmp/err"
fi

# hand-worked: the cost variances and the timing of next_day
if "$PYTHON" - "$tmp/r.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["finance"]
nd, co = f["initiatives"]
ok = nd["cost_variance"] == 63000 and co["cost_variance"] == -50000 and f["total"]["cost_variance"] == 13000
# 5 regions 0 quarters late, 2 one, 1 two: mean delay 4/8 = 0.5 over 8 of 12 regions
ok &= nd["delay_quarters"] == 0.5 and nd["units_reached"] == 8
t = -0.5 * (8 / 12) * nd["planned_quarterly_benefit"]
ok &= abs(nd["timing"] - t) <= 1e-9 * abs(t) and nd["benefit_from"] == "Delivery"
# checkout: no scenario holds it alone; its benefit is the case's forecast
# of it alone, and with no go-live dates given it is live as planned
ok &= co["timing"] == 0 and co["benefit_from"] == "the case's forecast of it alone"
n = f["npv"]
ok &= abs(n["frozen"] + n["costs"] + n["timing"] + n["delivery"] - n["reforecast"]) <= 1e-9 * abs(n["frozen"])
print("# next_day: variance %.0f, delay %.2f, timing %.2f; NPV %.2f -> %.2f" % (nd["cost_variance"],
      nd["delay_quarters"], nd["timing"], n["frozen"], n["reforecast"]))
sys.exit(0 if ok else 1)
PY
then
    ok "hand-worked: variances 63,000 / -50,000, delay 0.5 over 8 of 12 regions, timing = -0.5 x 8/12 x benefit"
else
    not_ok "hand-worked finance figures"
fi

# The record's forecast of each initiative alone (forecast.initiatives):
# next_day's is the "Delivery" scenario's revenue change, and, the model
# being linear, next_day's and checkout's add up to "Both"'s (1e-9).
if "$PYTHON" - "$L" <<'PY'
import json, sys
rec = json.loads(open(sys.argv[1]).readline())
fc = rec["forecast"]
alone = {x["initiative"]: x["delta_revenue"] for x in fc["initiatives"]}
scen = {s["name"]: [q["delta_revenue"] for q in s["quarters"]] for s in fc["scenarios"]}
big = max(abs(v) for v in scen["Both"])
d1 = max(abs(a - b) for a, b in zip(alone["next_day"], scen["Delivery"])) / big
d2 = max(abs(a + b - c) for a, b, c in zip(alone["next_day"], alone["checkout"], scen["Both"])) / big
print("# next_day alone vs Delivery: %.1e; next_day + checkout alone vs Both: %.1e; checkout alone %s" %
      (d1, d2, [round(v) for v in alone["checkout"]]))
sys.exit(0 if sorted(alone) == ["checkout", "next_day"] and d1 <= 1e-12 and d2 <= 1e-9 and
         any(v != 0 for v in alone["checkout"]) else 1)
PY
then
    ok "the record holds each initiative's revenue change alone: next_day's is Delivery's, the two add up to Both's"
else
    not_ok "the record's forecast per initiative alone"
fi

# A record written before forecast.initiatives existed (the member taken out
# and the chain's digests recomputed): checkout's benefit is unknown, its
# timing null, with a note, and next_day's figures are unchanged.
"$PYTHON" - "$L" "$w/old.jsonl" <<'PY'
import hashlib, json, sys
prev = None
with open(sys.argv[2], "w") as out:
    for line in open(sys.argv[1]):
        rec = json.loads(line)
        del rec["sha256"]
        rec["forecast"].pop("initiatives")
        rec["prev"] = prev
        body = json.dumps(rec, separators=(",", ":"), ensure_ascii=False)
        line = body[:-1] + ',"sha256":"%s"}' % hashlib.sha256(body.encode()).hexdigest()
        prev = hashlib.sha256(line.encode()).hexdigest()
        out.write(line + "\n")
PY
if "$CXCASE" ledger verify "$w/old.jsonl" >/dev/null 2>"$tmp/err" &&
    "$CXCASE" review "$w/old.jsonl" "$w/quarter-a.csv" --realised "$w/real.json" --json >"$tmp/old.json" 2>>"$tmp/err" &&
    "$PYTHON" - "$tmp/old.json" "$tmp/r.json" <<'PY'
import json, sys
old = json.load(open(sys.argv[1]))["finance"]["initiatives"]
new = json.load(open(sys.argv[2]))["finance"]["initiatives"]
co = old[1]
sys.exit(0 if co["timing"] is None and co["benefit_from"] is None and "note" in co and
         old[0]["timing"] == new[0]["timing"] else 1)
PY
then
    ok "a record without it: checkout's timing is null with a note, next_day's unchanged"
else
    not_ok "a record without the forecast per initiative"
    show "$tmp/err"
fi

# delay 0, costs as planned, full delivery: the frozen NPV (with an
# as-planned rollout file, without one, and on the one-initiative case)
for how in asplan none single; do
    case $how in
    asplan) review --realised "$w/asplan.json" --json >"$tmp/i.json" 2>"$tmp/err" ;;
    none) review --json >"$tmp/i.json" 2>"$tmp/err" ;;
    single) "$CXCASE" review "$w/cases.jsonl" "$w/quarter-d.csv" --json >"$tmp/i.json" 2>"$tmp/err" ;;
    esac
    if "$PYTHON" - "$tmp/i.json" "$how" <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))["finance"]
n = f["npv"]
rel = abs(n["reforecast"] - n["frozen"]) / abs(n["frozen"])
ok = rel <= 1e-9 and abs(n["check"]) <= 1e-9 * abs(n["frozen"]) and f["total"]["cost_variance"] == 0
ok &= all(x["timing"] in (0, None) for x in f["initiatives"])
print("# %s: NPV re-forecast %.6f, frozen %.6f, relative difference %.2g" % (sys.argv[2], n["reforecast"],
      n["frozen"], rel))
sys.exit(0 if ok else 1)
PY
    then
        ok "no delay, costs as planned, full delivery ($how): the re-forecast NPV is the frozen case's (1e-9)"
    else
        not_ok "re-forecast identity ($how)"
        show "$tmp/err"
    fi
done

# the printed summary shows the JSON's figures
review --realised "$w/real.json" >"$tmp/sum.txt" 2>"$tmp/err"
if "$PYTHON" - "$tmp/r.json" "$tmp/sum.txt" <<'PY'
import json, sys
n = json.load(open(sys.argv[1]))["finance"]["npv"]
text = open(sys.argv[2]).read()
money = lambda v: format(round(v), ",")
line = "NPV: frozen %s; costs %s, timing %s, delivery %s; re-forecast %s (95%% interval %s to %s)" % tuple(
    money(n[k]) for k in ("frozen", "costs", "timing", "delivery", "reforecast", "low", "high"))
print("# " + line)
sys.exit(0 if line in text and "next_day         costs planned 530,000, actual 593,000: variance 63,000" in text
         else 1)
PY
then
    ok "the printed summary shows the cost variance and the NPV steps of the JSON"
else
    not_ok "printed finance summary"
    show "$tmp/sum.txt"
fi

# the Finance sheet: LibreOffice recalculates every formula to its stored value
. "$TOP/tests/e2e/lo_recalc.sh"
if ! review --realised "$w/real.json" -o "$tmp/fin.xlsx" >/dev/null 2>"$tmp/err"; then
    not_ok "review -o writes the workbook with the Finance sheet"
    show "$tmp/err"
elif lo_skip "the Finance sheet recalculated: every formula to its stored value, the check rows 0"; then
    :
elif command -v "$SOFFICE" >/dev/null 2>&1; then
    lo_recalc "$tmp/fin.xlsx" "$tmp/lo"
    if "$PYTHON" - "$tmp/fin.xlsx" "$tmp/lo/fin.xlsx" "$tmp/r.json" <<'PY'
import json, sys
import openpyxl
f = openpyxl.load_workbook(sys.argv[1])["Finance"]
cached = openpyxl.load_workbook(sys.argv[1], data_only=True)["Finance"]
lo = openpyxl.load_workbook(sys.argv[2], data_only=True)["Finance"]
n, worst, bad, checks = 0, 0.0, [], []
for row in f.iter_rows():
    for cell in row:
        if cell.data_type != "f":
            continue
        n += 1
        a, b = cached[cell.coordinate].value, lo[cell.coordinate].value
        if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
            bad.append(f"{cell.coordinate}: {a!r} / {b!r}")
            continue
        left = f.cell(cell.row, 1).value
        is_check = isinstance(left, str) and left.startswith("Check")
        scale = max(1.0, abs(a), abs(lo.cell(cell.row - 2, 2).value) if is_check else 0.0)
        d = abs(a - b) / scale
        worst = max(worst, d)
        if d > 1e-9:
            bad.append(f"{cell.coordinate} {cell.value}: stored {a}, LibreOffice {b}")
        if is_check:
            checks.append(abs(b) / max(1.0, abs(lo.cell(cell.row - 2, 2).value)))
# the live re-forecast NPV is the JSON's
want = json.load(open(sys.argv[3]))["finance"]["npv"]["reforecast"]
live = [lo.cell(r, 2).value for r in range(1, f.max_row + 1) if f.cell(r, 1).value == "NPV re-forecast"]
print("# Finance sheet: %d formulas, worst relative difference %.2g; check rows %s; live NPV %s" %
      (n, worst, checks, live))
for x in bad[:5]:
    print("#   " + x)
sys.exit(0 if not bad and n >= 40 and len(checks) == 3 and max(checks) <= 1e-12 and len(live) == 1
         and abs(live[0] - want) <= 1e-9 * abs(want) else 1)
PY
    then
        ok "Finance sheet: LibreOffice recalculates every formula to its stored value (1e-9), the 3 check rows are 0"
    else
        not_ok "Finance sheet recalculation"
        show "$tmp/err"
    fi
else
    echo "# skipped: no LibreOffice ($SOFFICE) for the Finance sheet's recalculation"
fi

# bad costs in the realised file: the JSON Pointer, exit 65, nothing written
badcase() { # WHAT JSON WANT
    printf '%s' "$2" >"$tmp/bad.json"
    rm -f "$tmp/bad.xlsx"
    review --realised "$tmp/bad.json" -o "$tmp/bad.xlsx" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 65 ] && [ "$(cat "$tmp/err")" = "$tmp/bad.json: $3" ] && [ ! -s "$tmp/out" ] &&
        [ ! -e "$tmp/bad.xlsx" ]; then
        ok "$1 (exit 65, no workbook)"
    else
        not_ok "$1: exit $rc"
        echo "#   expected: $tmp/bad.json: $3"
        show "$tmp/err"
    fi
}
badcase "costs that are not an array" '{"initiatives": [{"id": "next_day", "costs": {"amount": 1}}]}' \
    '/initiatives/0/costs: error: expected an array of the costs booked, [{"kind": "capex", "quarter": "2026Q1", "amount": 950000}]'
badcase "a cost of an unknown kind" \
    '{"initiatives": [{"id": "next_day", "costs": [{"kind": "capx", "quarter": "2026Q1", "amount": 1}]}]}' \
    "/initiatives/0/costs/0/kind: error: expected \"capex\" or \"opex\", found 'capx'"
badcase "an amount that is text" \
    '{"initiatives": [{"id": "next_day", "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": "ten"}]}]}' \
    "/initiatives/0/costs/0/amount: error: expected a number, found string 'ten'"
badcase "a negative amount" \
    '{"initiatives": [{"id": "next_day", "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": -5}]}]}' \
    "/initiatives/0/costs/0/amount: error: expected an amount of 0 or more, found -5"
badcase "a cost booked after the reviewed quarter" \
    '{"initiatives": [{"id": "next_day", "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": 5}, {"kind": "opex", "quarter": "2026Q3", "amount": 5}]}]}' \
    "/initiatives/0/costs/1/quarter: error: a cost booked in 2026Q3, after the reviewed quarter 2026Q1"
badcase "a quarter outside the horizon" \
    '{"initiatives": [{"id": "next_day", "costs": [{"kind": "capex", "quarter": "2031Q1", "amount": 5}]}]}' \
    "/initiatives/0/costs/0/quarter: error: expected a quarter of the case's horizon, as \"2026Q1\", found '2031Q1'"
badcase "costs of an initiative the approved scenario does not hold" '{"initiatives": [{"id": "nope", "costs": []}]}' \
    "/initiatives/0/id: error: the approved scenario has no initiative 'nope'"
badcase "an unknown key in a cost" \
    '{"initiatives": [{"id": "next_day", "costs": [{"kind": "capex", "quarter": "2026Q1", "amount": 5, "currency": "EUR"}]}]}' \
    "/initiatives/0/costs/0/currency: error: unknown key 'currency' (expected one of: kind, quarter, amount)"
exit "$failed"
