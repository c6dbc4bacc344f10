#!/usr/bin/python3
"""recalc_check.py STORED.xlsx RECALCULATED.xlsx LABEL - every formula of a
workbook as LibreOffice recalculated it against the value stored with it:
1e-9 relative (with 1 as the smallest scale), text exactly; more than 100
formulas expected.  Prints one TAP line (and the first differences); exits
1 on a difference.  Shared by the recalculation tests (t91)."""
import sys
import openpyxl

orig, recalc, label = sys.argv[1:4]
f = openpyxl.load_workbook(orig)
cached = openpyxl.load_workbook(orig, data_only=True)
lo = openpyxl.load_workbook(recalc, data_only=True)
n, worst, where, bad = 0, 0.0, "", []
for ws in f.worksheets:
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type != "f":
                continue
            n += 1
            a, b = cached[ws.title][cell.coordinate].value, lo[ws.title][cell.coordinate].value
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                d = abs(a - b) / max(1.0, abs(a))
                if d > worst:
                    worst, where = d, f"{ws.title}!{cell.coordinate}"
                if d > 1e-9:
                    bad.append(f"{ws.title}!{cell.coordinate} {cell.value}: stored {a}, LibreOffice {b}")
            elif a != b:
                bad.append(f"{ws.title}!{cell.coordinate} {cell.value}: stored {a!r}, LibreOffice {b!r}")
ok = not bad and n > 100
print(("ok - " if ok else "not ok - ") + f"{label}: LibreOffice recalculates all {n} formulas to their stored "
      f"engine values (worst {worst:.1e} at {where}, limit 1e-9)")
for b in bad[:10]:
    print("#   " + b)
sys.exit(0 if ok else 1)
