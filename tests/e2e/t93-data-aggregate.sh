#!/bin/sh
# t93-data-aggregate.sh - the Data sheet above a worksheet's row limit
# (issue 5): with more panel rows than fit (the limit lowered to 30 here by
# tests/e2e/data_sheet.c), one row per unit and quarter holds the means of
# its rows and their number; they equal the means of the same rows written
# one by one, fitted values and residuals included.  Names from the data
# (a region called =HYPERLINK(...)) stay text.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=build/rel}"
. "$TOP/tests/cli/lib.sh"
case $BUILD in /*) TOOL="$BUILD/tools/data_sheet" ;; *) TOOL="$TOP/$BUILD/tools/data_sheet" ;; esac
if ! "$TOOL" 80 0 "$tmp/full.xlsx" 2>"$tmp/err" || ! "$TOOL" 80 30 "$tmp/agg.xlsx" 2>>"$tmp/err"; then
    not_ok "data_sheet writes the Data sheet of 80 rows, whole and aggregated"
    show "$tmp/err"
    exit 1
fi
"$PYTHON" - "$tmp/full.xlsx" "$tmp/agg.xlsx" <<'PY'
import datetime, sys
import openpyxl
full = list(openpyxl.load_workbook(sys.argv[1])["Data"].iter_rows(values_only=True))
aws = openpyxl.load_workbook(sys.argv[2])["Data"]
agg = list(aws.iter_rows(values_only=True))
fails = 0
def check(cond, text):
    global fails
    print(("ok - " if cond else "not ok - ") + text)
    fails += not cond
head, rows = full[0], full[1:]
check(len(rows) == 80, f"the whole sheet has the 80 rows ({len(rows)})")
def quarter(week):
    y, w = int(week[:4]), int(week[6:])
    d = datetime.date.fromisocalendar(y, w, 4)
    return f"{d.year}Q{(d.month - 1) // 3 + 1}"
groups = {}
for r in rows:
    groups.setdefault((r[1], quarter(r[0])), []).append(r)
ahead, arows = agg[0], [r for r in agg[1:] if r[0] is not None]
check(ahead[0] == "quarter" and "rows" in ahead and any(isinstance(v, str) and "one row per unit and quarter" in v for v in ahead),
      "the aggregated sheet says so in its header: quarter, the columns, rows, and a note")
check(len(arows) == len(groups), f"one row per unit and quarter: {len(arows)} (expected {len(groups)})")
good = True
ncols = len(head)
for a in arows:
    g = groups.get((a[1], a[0]))
    if g is None:
        good = False
        continue
    good &= a[ahead.index("rows")] == len(g)
    for c in range(2, ncols):
        vals = [r[c] for r in g if isinstance(r[c], (int, float))]
        want = sum(vals) / len(vals) if vals else None
        got = a[c]
        good &= (want is None and got is None) or (want is not None and got is not None and abs(got - want) <= 1e-12 * max(1, abs(want)))
check(good, "each aggregated row: the means of its rows (metrics, fitted values, residuals) and their number")
cells = [c for row in aws.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
check(cells and all(c.data_type == "s" for c in cells), f"a region named =HYPERLINK(...) is text in {len(cells)} cells")
sys.exit(1 if fails else 0)
PY
