#!/usr/bin/python3
# tests/bench/xlsx_python.py CELLS.csv OUT.xlsx [default] - Python's XlsxWriter
# (Debian's python3-xlsxwriter) writing the Data sheet cells that bench_xlsx
# writes, in its constant-memory mode, or with `default` in its default mode
# (every cell kept in memory until the workbook closes: what a Python user
# gets without opting in); reading the CSV is not timed.  Prints seconds.
# SPDX-License-Identifier: GPL-3.0-or-later
import csv, sys, time
import xlsxwriter
rows = list(csv.reader(open(sys.argv[1])))
head, data = rows[0], [[r[0], r[1]] + [float(x) for x in r[2:]] for r in rows[1:]]
t0 = time.perf_counter()
default = len(sys.argv) > 3 and sys.argv[3] == "default"
wb = xlsxwriter.Workbook(sys.argv[2], {} if default else {"constant_memory": True})
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
