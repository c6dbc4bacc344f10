#!/bin/sh
# t90-report.sh - `cxcase report` writes the business case workbook (issue 5,
# first part: the sheets of values).  Checked with openpyxl and by reading
# the package's parts:
#   - the sheets Summary, Inputs, Model, one per scenario, Checks, Risk,
#     Sensitivity, Portfolio, About;
#   - every cash-flow line of the scenario sheets is a formula;
#   - the Data sheet: the panel, fitted values and residuals that give back
#     the fit's number of rows and R^2;
#   - every input has a defined name on its value; every driver's
#     coefficient too, equal to `cxcase fit`'s;
#   - every number equals the simulation's (`--json` of the same run):
#     the ranking, the Risk table, the tornado rows, the frontier;
#   - the charts: two on the Summary, a fan chart per scenario on Risk, a
#     tornado per scenario with inputs on Sensitivity, the frontier;
#   - About names the version and seed and the SHA-256 of every input file;
#   - names from the scenario are text, never formulas (=HYPERLINK(...));
#   - a failed run leaves an existing workbook as it was and no temporary
#     file; a workbook that cannot be created is exit 73.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
S="$TOP/samples"
"$PYTHON" - "$S/scenario.json" "$tmp/s.json" "$S" "$TOP/models/cx_chain.json" <<'PY'
import json, os, sys
src, dst, samples, model = sys.argv[1:5]
s = json.load(open(src))
for d in s["data"]:
    d["file"] = os.path.join(samples, d["file"])
s["model"] = model
s.pop("$schema", None)
s["scenarios"][0]["name"] = '=HYPERLINK("http://x","y")'
json.dump(s, open(dst, "w"), indent=1)
PY
out="$tmp/out/r.xlsx"
mkdir -p "$tmp/out"
if ! "$CXCASE" report "$tmp/s.json" -o "$out" --json --draws 4000 >"$tmp/sim.json" 2>"$tmp/err"; then
    not_ok "cxcase report writes the workbook"
    show "$tmp/err"
    exit 1
fi
ok "cxcase report writes the workbook"
"$CXCASE" fit "$S/logistics.csv" "$S/service.csv" "$S/web.csv" "$S/finance.csv" "$S/hr.csv" \
    --responses "$S/responses.csv" --model "$TOP/models/cx_chain.json" --json >"$tmp/fit.json" 2>/dev/null ||
    { not_ok "cxcase fit of the samples"; exit 1; }
"$CXCASE" report --help >"$tmp/help.txt" 2>&1
"$PYTHON" - "$out" "$tmp/sim.json" "$tmp/s.json" "$tmp/fit.json" "$tmp/help.txt" <<'PY'
import hashlib, json, re, sys, zipfile
import openpyxl
path, simp, scenp = sys.argv[1:4]
sim = json.load(open(simp)); scen = json.load(open(scenp)); fit = json.load(open(sys.argv[4]))
wb = openpyxl.load_workbook(path)
fails = 0
def check(cond, text):
    global fails
    print(("ok - " if cond else "not ok - ") + text)
    fails += not cond
def close(a, b):
    if a is None or b is None:
        return a is None and b is None
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return False
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))
want_sheets = ["Summary", "Inputs", "Model"] + [f"S{k + 1} " for k in range(len(sim["scenarios"]))] + ["Checks", "Risk", "Sensitivity", "Break-even", "Portfolio", "Data", "Voice", "About", "Chart data", "Inputs as simulated"]
check(len(wb.sheetnames) == len(want_sheets) and all(a.startswith(b) if b.endswith(" ") else a == b for a, b in zip(wb.sheetnames, want_sheets)),
      f"sheets {wb.sheetnames}")
# `report --help` names the sheets written, in their order (S1, S2 ... for the
# scenario sheets; U sheets, absent here, sit beside theirs), and the hidden ones
help = open(sys.argv[5]).read()
listed = help.split("its sheets in this order:")[1].split("The workbook is written")[0]
names = [m.group(1) for m in re.finditer(r"^  ([A-Z][A-Za-z-]*|S1, S2 \.\.\.|U1, U2 \.\.\.) {2,}", listed, re.M)]
hidden = re.findall(r"([A-Z][a-z]+(?: [a-z]+)*) \(", " ".join(listed.split("hidden sheets:")[1].split())) if "hidden sheets:" in listed else []
expect = []
for n in names:
    if n.startswith("S1"):
        expect += [w for w in wb.sheetnames if re.match(r"S\d+ ", w)]
    elif not n.startswith("U1"):
        expect.append(n)
visible = [w.title for w in wb.worksheets if w.sheet_state == "visible"]
hid = [w.title for w in wb.worksheets if w.sheet_state != "visible"]
check(expect == visible and hidden == hid, f"report --help lists the sheets written, in order: {names} and hidden {hidden}")
# defined names: every input, pointing at its value
def named(n):
    dn = wb.defined_names.get(n) if hasattr(wb.defined_names, "get") else next((d for d in wb.defined_names.definedName if d.name == n), None)
    if dn is None:
        return None
    (sheet, ref), = list(dn.destinations)
    return wb[sheet][ref.replace("$", "")].value
import math
good, nn = True, 0
fin = scen["finance"]
for n, v in [("fin_discount_rate", fin["discount_rate"]), ("fin_gross_margin", fin["gross_margin"]),
             ("fin_tax_rate", fin.get("tax_rate", 0)), ("fin_horizon", fin["horizon_quarters"]), ("fin_budget", scen["budget"])]:
    good &= named(n) == v; nn += 1
good &= named("fin_start") == fin["start"]; nn += 1
def qno(q):
    y, k = int(q[:4]), int(q[-1])
    y0, k0 = int(fin["start"][:4]), int(fin["start"][-1])
    return 4 * (y - y0) + k - k0 + 1
for it in scen["initiatives"]:
    iid = re.sub(r"[^A-Za-z0-9]+", "_", it["id"]).strip("_")
    for k, e in enumerate(it["effects"], 1):
        good &= named(f"in_{iid}_e{k}_value") == e.get("change", e.get("target"))
        good &= named(f"in_{iid}_e{k}_start") == qno(e["start"])
        good &= named(f"in_{iid}_e{k}_ramp") == e.get("ramp_quarters", 0)
        nn += 3
    for k, c in enumerate(it["costs"], 1):
        good &= named(f"in_{iid}_c{k}_amount") == c["amount"]
        good &= named(f"in_{iid}_c{k}_from") == qno(c.get("quarter", c.get("from")))
        good &= named(f"in_{iid}_c{k}_to") == qno(c.get("quarter", c.get("to")))
        nn += 3
check(good, f"Inputs: {nn} defined names, each on its input's value")
ws = wb["Summary"]
wv = openpyxl.load_workbook(path, data_only=True)["Summary"]
scens = sorted(sim["scenarios"], key=lambda s: -s["npv"]["base"])
head = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Scenario")
good = True
def irr_shown(s):
    if not any(q["cash_flow"] < 0 for q in s["quarters"]):
        return "n/a (no outlay)"
    return "none" if s["irr"] is None else "> 100%" if s["irr"] > 1 else s["irr"]
def payback_shown(s):
    if min(q["cumulative_cash"] for q in s["quarters"]) >= 0:
        return "immediately"
    return s["payback_quarter"] or "after " + s["quarters"][-1]["quarter"]
for i, s in enumerate(scens):
    r = head + 1 + i
    good &= ws.cell(r, 1).value == s["name"] and ws.cell(r, 1).data_type == "s"
    # the point figures are formulas (their stored values the engine's), the draws' figures values
    good &= all(ws.cell(r, c).data_type == "f" for c in (2, 5, 6, 8, 9))
    good &= all(ws.cell(r, c).data_type == "n" for c in (3, 4, 7))
    for col, v in [(2, s["npv"]["base"]), (3, s["npv"]["p10"]), (4, s["npv"]["p90"]),
                   (7, s["prob_npv_positive"]), (8, sum(q["costs"] for q in s["quarters"])),
                   (9, s["quarters"][-1]["delta_nps"])]:
        good &= close(wv.cell(r, col).value, v)
    irr = irr_shown(s)
    good &= wv.cell(r, 5).value == irr if isinstance(irr, str) else close(wv.cell(r, 5).value, irr)
    good &= wv.cell(r, 6).value == payback_shown(s)
check(good, f"Summary: the {len(scens)} scenarios ranked by NPV: NPV, IRR, payback, investment and NPS change as live formulas holding the engine's values, P10, P90 and P(NPV>0) as the simulation's")
names = [c for w in wb.worksheets for row in w.iter_rows() for c in row if c.data_type == "s" and isinstance(c.value, str) and c.value.startswith("=HYPERLINK")]
bad = [f"{c.parent.title}!{c.coordinate}" for w in wb.worksheets for row in w.iter_rows() for c in row if c.data_type == "f" and "HYPERLINK(" in str(c.value).upper()]
check(not bad and len(names) >= 3, f"a scenario named =HYPERLINK(...) is text in {len(names)} cells, never a formula ({bad[:3]})")
pf = sim["portfolio"]["chosen"]
text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
iname = {it["id"]: it.get("name", it["id"]) for it in scen["initiatives"]}
check(all(iname[i] in text for i in pf["initiatives"]) and "Recommended portfolio" in text, "Summary: the recommended portfolio, by the initiatives' names")
check("Key messages" in text and "Warnings" in text, "Summary: key messages and warnings")
# Risk: NPV rows
wr = wb["Risk"]
rows = {(wr.cell(r, 1).value, str(wr.cell(r, 2).value)[:3]): r for r in range(5, 5 + 3 * len(sim["scenarios"]))}
good = True
for s in sim["scenarios"]:
    r = rows.get((s["name"], "NPV"))
    if r is None:
        good = False
        continue
    for j, k in enumerate(["base", "mean", "sd", "p5", "p10", "p50", "p90", "p95"]):
        good &= close(wr.cell(r, 3 + j).value, s["npv"][k])
    good &= close(wr.cell(r, 11).value, s["prob_npv_positive"])
check(good, "Risk: every scenario's NPV base, mean, sd, P5..P95 and P(NPV>0) as the simulation's")
# Risk: the NPV histogram of every scenario, its counts adding up to the draws
good = True
for s in sim["scenarios"]:
    h = s["npv_histogram"]
    good &= sum(h["counts"]) == sim["draws"] and len(h["edges"]) == len(h["counts"]) + 1
    good &= abs(h["edges"][0] - min(h["edges"])) == 0 and h["edges"][0] <= s["npv"]["p5"] <= s["npv"]["p95"] <= h["edges"][-1]
    r0 = next((r for r in range(1, wr.max_row + 1) if wr.cell(r, 1).value == f"{s['name']}: NPV (EUR) over the draws"), None)
    good &= r0 is not None and [wr.cell(r0 + 2 + b, 4).value for b in range(len(h["counts"]))] == h["counts"]
check(good, "Risk: every scenario's NPV histogram, its draws adding up, in a table and a chart")
# Sensitivity: rows per scenario in order
wsn = wb["Sensitivity"]
vals = [(wsn.cell(r, 1).value, wsn.cell(r, 2).value, wsn.cell(r, 7).value) for r in range(1, wsn.max_row + 1)]
good = True
for s in sim["scenarios"]:
    for e in s["sensitivity"]:
        # column B says where the input is (its JSON Pointer, or the coefficient); A names it in words
        good &= any(w == (e.get("pointer") or e["input"]) and close(b, e["swing"]) and isinstance(a, str) and "/" not in a
                    for a, w, b in vals)
check(good, "Sensitivity: every tornado row with its swing, its input in words")
wp = wb["Portfolio"]
front = [(wp.cell(r, 1).value, wp.cell(r, 2).value) for r in range(1, wp.max_row + 1)]
good = all(any(close(a, f["cost"]) and close(b, f["expected_npv"]) for a, b in front) for f in sim["portfolio"]["frontier"])
check(good, f"Portfolio: the {len(sim['portfolio']['frontier'])} frontier points")
wa = wb["About"]
about = {str(wa.cell(r, 1).value): wa.cell(r, 2).value for r in range(1, wa.max_row + 1)}
files = [scenp, scen["model"]] + [d["file"] for d in scen["data"]]
hashes_ok = all(about.get(f) == hashlib.sha256(open(f, "rb").read()).hexdigest() for f in files)
check(hashes_ok and about.get("Seed") == sim["seed"] and about.get("Version"), f"About: version, seed and the SHA-256 of {len(files)} input files")
# charts per sheet, from the package's parts
z = zipfile.ZipFile(path)
wbx = z.read("xl/workbook.xml").decode()
rels = z.read("xl/_rels/workbook.xml.rels").decode()
sheets = re.findall(r'<sheet name="([^"]+)" sheetId="\d+"[^>]*r:id="(rId\d+)"', wbx)
target = dict(re.findall(r'Id="(rId\d+)"[^>]*Target="([^"]+)"', rels)) | dict((a, b) for b, a in re.findall(r'Target="([^"]+)"[^>]*Id="(rId\d+)"', rels))
def charts(sheet_file):
    name = sheet_file.split("/")[-1]
    try:
        srel = z.read(f"xl/worksheets/_rels/{name}.rels").decode()
    except KeyError:
        return 0
    n = 0
    for d in re.findall(r'Target="\.\./drawings/(drawing[^"]*\.xml)"', srel):
        n += len(re.findall(r'charts/chart', z.read(f"xl/drawings/_rels/{d}.rels").decode()))
    return n
count = {n: charts(target[rid]) for n, rid in sheets}
nsens = sum(1 for s in sim["scenarios"] if s["sensitivity"])
want = {"Summary": 2, "Inputs": 0, "Model": 2, "Checks": 0, "Chart data": 0, "Inputs as simulated": 0, "Risk": 2 * len(sim["scenarios"]), "Sensitivity": nsens, "Break-even": 0, "Portfolio": 1,
        "Data": len(fit["equations"]), "Voice": 2, "About": 0}
want.update({n: 0 for n in count if re.match(r"S\d+ ", n)})
check(count == want, f"charts per sheet {count}, expected {want}")
# every cash-flow line of every scenario sheet is a formula, quarter by quarter
good, nrows = True, 0
lines = ("Change in revenue", "Gross profit", "Costs", "Net cash flow", "Discount factor", "Present value", "Cumulative cash")
H = len(sim["scenarios"][0]["quarters"])
for ws in wb.worksheets:
    if not re.match(r"S\d+ ", ws.title):
        continue
    for r in range(1, ws.max_row + 1):
        label = ws.cell(r, 1).value
        if isinstance(label, str) and label.startswith(lines):
            nrows += 1
            good &= all(ws.cell(r, 3 + q).data_type == "f" for q in range(H))
    for label in ("NPV", "IRR (a year)"):
        r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == label)
        good &= ws.cell(r, 3).data_type == "f"
check(good and nrows >= 7 * len(sim["scenarios"]), f"scenario sheets: {nrows} cash-flow lines, NPV and IRR are formulas in every quarter")
# the Data sheet: the panel with each equation's fitted values and residuals,
# which give back the fit's rows and R^2 (weighted 1/(tau2 + SE^2) for nps)
wd = wb["Data"]
rows = list(wd.iter_rows(values_only=True))
head, data = rows[0], rows[1:]
good = len(data) == 1872 and wd.auto_filter.ref is not None and wd.freeze_panes is not None
for eq in fit["equations"]:
    t = eq["target"]
    fi, ri, yi = head.index("fitted " + t), head.index("residual " + t), head.index(t)
    used = [r for r in data if isinstance(r[ri], (int, float))]
    ys, es = [r[yi] for r in used], [r[ri] for r in used]
    good &= all(abs(r[yi] - r[fi] - r[ri]) <= 1e-9 * max(1.0, abs(r[yi])) for r in used)
    # nps: the random-effects meta-regression's weights 1/(tau2 + SE^2)
    tau2 = eq.get("tau2", 0.0) if eq["method"] == "reml" else 0.0
    w = [1 / (tau2 + r[head.index("nps_se")] ** 2) for r in used] if t == "nps" else [1.0] * len(used)
    yb = sum(wi * y for wi, y in zip(w, ys)) / sum(w)
    r2 = 1 - sum(wi * e * e for wi, e in zip(w, es)) / sum(wi * (y - yb) ** 2 for wi, y in zip(w, ys))
    good &= len(used) == eq["n"] and abs(r2 - eq["r2"]) <= 1e-9
    print(f"#   Data: {t}: {len(used)} rows with a residual (fit: {eq['n']}), R2 from them {r2:.12f} (fit: {eq['r2']:.12f})")
check(good, "Data: the 1872 panel rows with autofilter and frozen header; residual = target - fitted; the fitted rows and R2 are the fit's")
# the drivers' coefficients: named, equal to the fit's
good, nn = True, 0
for eq in fit["equations"]:
    for t in eq["terms"]:
        if t["name"] == "(Intercept)" or t["name"].startswith("C("):
            continue
        n = "coef_" + re.sub(r"[^A-Za-z0-9]+", "_", eq["target"]).strip("_") + "_" + re.sub(r"[^A-Za-z0-9]+", "_", t["name"]).strip("_")
        good &= close(named(n), t["coef"]); nn += 1
check(good and nn > 0, f"Model: {nn} drivers' coefficients named and equal to cxcase fit's")
sys.exit(1 if fails else 0)
PY

# a failed run leaves the existing workbook as it was, and no temporary file
cp "$out" "$tmp/before.xlsx"
printf '{"name": ' >"$tmp/broken.json"
"$CXCASE" report "$tmp/broken.json" -o "$out" >"$tmp/o" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 65 ] && cmp -s "$out" "$tmp/before.xlsx" && [ "$(ls "$tmp/out")" = "r.xlsx" ]; then
    ok "a failed run (exit 65) leaves the existing workbook unchanged and no temporary file"
else
    not_ok "a failed run leaves the existing workbook unchanged (exit $rc; files: $(ls "$tmp/out" | tr '\n' ' '))"
fi
"$CXCASE" report "$tmp/s.json" -o "$tmp/no/such/dir/r.xlsx" --draws 100 >"$tmp/o" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 73 ] && grep -q "cannot create output: No such file or directory" "$tmp/err"; then
    ok "a workbook that cannot be created: exit 73 with the reason"
else
    not_ok "a workbook that cannot be created: exit $rc, expected 73"
    show "$tmp/err"
fi
