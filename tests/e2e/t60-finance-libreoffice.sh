#!/bin/sh
# t60-finance-libreoffice.sh - cxcase's NPV and IRR agree with LibreOffice's
# NPV() and IRR() on 100 random quarterly cash-flow series (issue 4).
#
# tests/e2e/fin_sheet.c writes the series into a workbook whose NPV and IRR
# cells are formulas, and prints cxcase's own values; LibreOffice (headless,
# recalculating on load) computes the formulas; the recalculated workbook is
# read with openpyxl.  NPV must agree to 1e-9 relative (or 1e-6 absolute);
# the annualised IRR to 1e-7 (LibreOffice's IRR stops iterating at a change
# of 1e-7; the formula's guess is 0, as the workbook's will be).  Series
# without a sign change must have no IRR in either; series with two sign
# changes have none or two, and cxcase reports the one nearest 0, flagged.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=build/rel}"
. "$TOP/tests/cli/lib.sh"
. "$TOP/tests/e2e/lo_recalc.sh"

case $BUILD in /*) FIN_SHEET="$BUILD/tools/fin_sheet" ;; *) FIN_SHEET="$TOP/$BUILD/tools/fin_sheet" ;; esac
if ! command -v "$SOFFICE" >/dev/null 2>&1; then
    not_ok "LibreOffice (soffice) is installed: make deps installs libreoffice-calc-nogui"
    exit 1
fi
if ! "$FIN_SHEET" 100 20261122 "$tmp/cf.xlsx" >"$tmp/engine.csv" 2>"$tmp/err"; then
    not_ok "fin_sheet writes 100 random cash-flow series"
    show "$tmp/err"
    exit 1
fi
lo_skip "NPV() and IRR() of the 100 series against cxcase's" && exit "$failed"
if ! lo_recalc "$tmp/cf.xlsx" "$tmp/lo" || [ ! -f "$tmp/lo/cf.xlsx" ]; then
    not_ok "LibreOffice recalculates the workbook"
    show "$tmp/lo.log"
    exit 1
fi
"$PYTHON" - "$tmp/engine.csv" "$tmp/lo/cf.xlsx" <<'PY'
import csv, sys
import openpyxl
engine = list(csv.reader(open(sys.argv[1])))
ws = openpyxl.load_workbook(sys.argv[2], data_only=True)["cf"]
fails = 0
def check(ok, what, detail=""):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    if not ok and detail:
        print("#     " + detail)
    fails += not ok
isnum = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
# The formulas were recalculated: a quarterly rate of 0 cached by the writer
# would otherwise stay 0.
rates = [ws.cell(int(r[0]), 3).value for r in engine]
check(all(isnum(q) for q in rates) and sum(q != 0 for q in rates) > 90,
      "LibreOffice recalculated the formulas (quarterly rates are not the cached 0)")
worst_npv, bad = 0.0, []
worst_irr, bad_irr, none_ok, kinds = 0.0, [], 0, {}
mixed_ok, bad_mixed = 0, []
for row, npv, irr, kind in engine:
    row, npv = int(row), float(npv)
    kinds[kind.split("-")[0]] = kinds.get(kind.split("-")[0], 0) + 1
    lo_npv = ws.cell(row, 4).value
    if not isnum(lo_npv):
        bad.append((row, npv, lo_npv)); continue
    err = abs(npv - lo_npv) / max(1.0, abs(lo_npv))
    worst_npv = max(worst_npv, err)
    if err > 1e-9:
        bad.append((row, npv, lo_npv))
    lo_irr = ws.cell(row, 5).value
    if kind == "one":
        if irr == "" or not isnum(lo_irr) or abs(float(irr) - lo_irr) > 1e-7:
            bad_irr.append((row, irr, lo_irr))
        else:
            worst_irr = max(worst_irr, abs(float(irr) - lo_irr))
    elif kind == "none":
        if irr == "" and not isnum(lo_irr):
            none_ok += 1
    else:  # two sign changes: no rate or two; cxcase gives the one nearest 0
        if irr == "" and not isnum(lo_irr):
            mixed_ok += 1
        elif (kind == "mixed-several" and isnum(lo_irr) and irr != ""
              and abs(float(irr) - lo_irr) <= 1e-7):
            mixed_ok += 1
        else:
            bad_mixed.append((row, irr, kind, lo_irr))
n = len(engine)
check(n == 100, "100 random series were compared (%s)" % kinds)
check(not bad, "NPV agrees with LibreOffice's NPV() on all %d series (worst relative difference %.2g)"
      % (n, worst_npv), "first disagreements (row, cxcase, LibreOffice): %s" % bad[:3])
check(not bad_irr and
      kinds.get("one", 0) > 0,
      "IRR agrees with LibreOffice's IRR() on the %d series with one sign change (worst %.2g)"
      % (kinds.get("one", 0), worst_irr),
      "disagreements (row, cxcase, LibreOffice): %s" % bad_irr[:3])
check(none_ok == kinds.get("none", 0) and none_ok > 0,
      "the %d series that never change sign have no IRR in cxcase and an error in LibreOffice" % none_ok)
check(not bad_mixed and mixed_ok == kinds.get("mixed", 0),
      "on the %d series with two sign changes, cxcase and LibreOffice (guess 0) agree on whether "
      "a rate exists and on the rate nearest 0, and cxcase flags the second root" % mixed_ok,
      "disagreements (row, cxcase, kind, LibreOffice): %s" % bad_mixed[:3])
sys.exit(1 if fails else 0)
PY
