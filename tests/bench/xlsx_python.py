#!/usr/bin/python3
# tests/bench/xlsx_python.py CELLS.csv OUT.xlsx - Python's XlsxWriter (Debian's
# python3-xlsxwriter) writing the Data sheet cells that bench_xlsx writes, in
# its constant-memory mode; reading the CSV is not timed.  Prints seconds.
# SPDX-License-Identifier: GPL-3.0-or-later
import csv, sys, time
import xlsxwriter
rows = list(csv.reader(open(sys.argv[1])))
head, data = rows[0], [[r[0], r[1]] + [float(x) for x in r[2:]] for r in rows[1:]]
t0 = time.perf_counter()
wb = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
ws = wb.add_worksheet("Data")
for c, h in enumerate(head):
    ws.write_string(0, c, h)
for i, r in enumerate(data, 1):
    ws.write_string(i, 0, r[0])
    ws.write_string(i, 1, r[1])
    for c in range(2, 9):
        ws.write_number(i, c, r[c])
wb.close()
print(f"{time.perf_counter() - t0:.3f}")
