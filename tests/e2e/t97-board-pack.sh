#!/bin/sh
# t97-board-pack.sh - the workbook as a board pack (issue 14):
#   - openpyxl: every point figure of the Summary's ranking is a formula, the
#     risk figures values; the charts' helper table is on the hidden sheet
#     "Chart data", not on the Summary; every visible sheet has a print area,
#     fits one page wide and has a header and footer;
#   - LibreOffice, after edits: a copy with the discount rate at 20%, the
#     checkout effect halved and capex depreciated over 3 years, recalculated: the Summary's NPVs equal
#     `cxcase simulate` on the same changed scenario file to 1e-9, the
#     stale-risk flag shows, and the master check stays OK;
#   - `cxcase report --pdf` prints the samples' workbook in at most 25 pages,
#     the Summary on page 1 alone; without LibreOffice it says so (exit 69)
#     and writes nothing.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
. "$TOP/tests/e2e/lo_recalc.sh"
for tool in "$SOFFICE" pdfinfo pdftotext; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        not_ok "$tool is installed (make deps installs libreoffice-calc-nogui and poppler-utils)"
        exit 1
    fi
done
"$PYTHON" "$TOP/tests/e2e/samples_scenario.py" "$tmp/s.json" 2000
"$PYTHON" - "$tmp/s.json" "$tmp/changed.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["finance"]["discount_rate"] = 0.20
s["finance"]["depreciation_years"] = 3                     # capex depreciated over 3 years for tax
e = s["initiatives"][3]["effects"][0]                      # checkout: its change halved
u = e.get("uncertainty")
e["change"] = e["change"] / 2
if u:
    for k in ("min", "mode", "max"):
        if k in u:
            u[k] = u[k] / 2
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
if sanitized; then
    # the workbook alone: printing it is LibreOffice's part (lo_skip)
    if ! "$CXCASE" report "$tmp/s.json" -o "$tmp/r.xlsx" >"$tmp/o" 2>"$tmp/err"; then
        not_ok "cxcase report writes the workbook"; show "$tmp/err"; exit 1
    fi
    lo_skip "report --pdf prints the workbook in at most 25 pages, the Summary alone on page 1"
else
if ! HOME="$tmp" "$CXCASE" report "$tmp/s.json" -o "$tmp/r.xlsx" --pdf >"$tmp/o" 2>"$tmp/err"; then
    not_ok "cxcase report --pdf writes the workbook and its PDF"; show "$tmp/err"; exit 1
fi
if grep -q "r.pdf: written" "$tmp/o" && [ -s "$tmp/r.pdf" ]; then
    ok "cxcase report --pdf writes the workbook and prints it to r.pdf"
else
    not_ok "cxcase report --pdf says it wrote r.pdf"; show "$tmp/o"
fi
pages=$(pdfinfo "$tmp/r.pdf" | awk '/^Pages:/ {print $2}')
if [ "${pages:-99}" -le 25 ]; then
    ok "the samples' workbook prints in $pages pages (at most 25)"
else
    not_ok "the samples' workbook prints in $pages pages, more than 25"
fi
pdftotext -layout -f 1 -l 1 "$tmp/r.pdf" "$tmp/p1.txt"
pdftotext -layout -f 2 -l 2 "$tmp/r.pdf" "$tmp/p2.txt"
if grep -q "Scenarios, best first" "$tmp/p1.txt" && grep -q "About the drivers" "$tmp/p1.txt" &&
    grep -q "Page 1 of $pages" "$tmp/p1.txt" && grep -q "Inputs: every assumption" "$tmp/p2.txt"; then
    ok "page 1 is the whole Summary (with its footer 'Page 1 of $pages'), page 2 the Inputs"
else
    not_ok "the Summary is not one page of its own"; show "$tmp/p1.txt"
fi
fi
"$PYTHON" - "$tmp/r.xlsx" <<'PY' || fails=1
import re, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
fails = 0
def check(cond, text):
    global fails
    print(("ok - " if cond else "not ok - ") + text)
    fails += not cond
ws = wb["Summary"]
head = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Scenario")
rows = [r for r in range(head + 1, head + 10) if "'!$C$" in str(ws.cell(r, 2).value)]
point = all(ws.cell(r, c).data_type == "f" for r in rows for c in (2, 5, 6, 8, 9))
risk = all(isinstance(ws.cell(r, c).value, (int, float)) for r in rows for c in (3, 4, 7))
check(len(rows) == 3 and point and risk, f"Summary: NPV, IRR, payback, investment and NPS change of the {len(rows)} scenarios are formulas; P10, P90, P(NPV>0) values")
text = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
cd = wb["Chart data"]
check(cd.sheet_state == "hidden" and not any("P10 to NPV" in t or "Cumulative cash by quarter" in t for t in text)
      and any(str(c.value).startswith("=MAX(Summary!") for row in cd.iter_rows() for c in row),
      "the NPV chart's helper table is on the hidden sheet 'Chart data', not on the Summary")
bad = []
for w in wb.worksheets:
    if w.sheet_state != "visible":
        continue
    fit = w.sheet_properties.pageSetUpPr is not None and w.sheet_properties.pageSetUpPr.fitToPage and w.page_setup.fitToWidth in (1, "1", None)
    if not (w.print_area and fit and w.oddHeader.left.text and w.oddFooter.center.text and "&P" in w.oddFooter.center.text):
        bad.append(w.title)
check(not bad, f"every visible sheet has a print area, fits one page wide and has a header and a 'page x of y' footer {bad}")
sys.exit(1 if fails else 0)
PY
# after edits: discount rate 20%, the checkout effect halved, depreciation over 3 years
"$PYTHON" - "$tmp/r.xlsx" "$tmp/copy.xlsx" <<'PY'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(name):
    dn = wb.defined_names.get(name) if hasattr(wb.defined_names, "get") else next(d for d in wb.defined_names.definedName if d.name == name)
    (sheet, ref), = list(dn.destinations)
    return wb[sheet][ref.replace("$", "")]
cell("fin_discount_rate").value = 0.20
cell("fin_depreciation_years").value = 3
c = cell("in_checkout_e1_value"); c.value = c.value / 2
for k in ("min", "mode", "max"):
    try:
        c = cell(f"in_checkout_e1_{k}"); c.value = c.value / 2
    except StopIteration:
        pass
wb.save(sys.argv[2])
PY
"$CXCASE" simulate "$tmp/changed.json" --json >"$tmp/changed.out" 2>"$tmp/err" || { not_ok "simulate the changed scenario file"; show "$tmp/err"; exit 1; }
if ! lo_skip "the edited copy recalculated: the Summary's NPVs, the stale flag, the master check"; then
if ! lo_recalc "$tmp/copy.xlsx" "$tmp/lo" || [ ! -f "$tmp/lo/copy.xlsx" ]; then
    not_ok "LibreOffice recalculates the edited copy"; show "$tmp/lo.log"; exit 1
fi
"$PYTHON" - "$tmp/lo/copy.xlsx" "$tmp/changed.out" <<'PY' || fails=1
import json, sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1], data_only=True)
sim = json.load(open(sys.argv[2]))
ws = wb["Summary"]
head = next(r for r in range(1, 30) if ws.cell(r, 1).value == "Scenario")
got = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(head + 1, head + 1 + len(sim["scenarios"]))}
worst = max(abs(got[s["name"]] - s["npv"]["base"]) / abs(s["npv"]["base"]) for s in sim["scenarios"])
fails = 0
good = worst <= 1e-9
print(("ok - " if good else "not ok - ") + f"after the edits the Summary's NPVs equal simulate's on the changed file (worst relative {worst:.1e}, limit 1e-9)")
fails += not good
stale = str(ws["C4"].value or "")
good = stale.startswith("Inputs changed since the simulation: rerun cxcase")
print(("ok - " if good else "not ok - ") + f"the stale-risk flag shows: {stale!r}")
fails += not good
master = wb["Checks"]["B3"].value
good = master == "OK" and ws["A4"].value == "Checks: OK"
print(("ok - " if good else "not ok - ") + f"the master check stays OK after the edits (Checks!B3 {master!r}, Summary {ws['A4'].value!r})")
fails += not good
sys.exit(1 if fails else 0)
PY
fi
# --pdf without LibreOffice: exit 69, a clear message, no workbook
SOFFICE=/nonexistent/soffice "$CXCASE" report "$tmp/s.json" -o "$tmp/none.xlsx" --pdf >"$tmp/o" 2>"$tmp/err"
rc=$?
if [ $rc -eq 69 ] && grep -q "LibreOffice, which is not installed" "$tmp/err" && [ ! -e "$tmp/none.xlsx" ]; then
    ok "report --pdf without LibreOffice: exit 69, says so, writes nothing"
else
    not_ok "report --pdf without LibreOffice: exit $rc"; show "$tmp/err"
fi
exit ${fails:-0}
