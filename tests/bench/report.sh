#!/bin/sh
# tests/bench/report.sh - writing the workbook.
#
#   make bench      (tests/bench/run.sh ends by running this)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/report.sh [ROWS]
#
# 1. `cxcase report samples/scenario.json` as a whole process (best of 3).
# 2. A Data sheet of ROWS rows (default 1e6: week, region, four metrics, y,
#    fitted y, residual y) in constant-memory mode, three ways, timing the
#    writing only (tests/bench/bench_xlsx.c generates and fits the panel
#    first):
#      cxcase   the library's Data sheet writer (computes the fitted values
#               and residuals as it writes)
#      floor    a bare libxlsxwriter loop writing the same cells, precomputed
#      python   Debian's python3-xlsxwriter writing the same cells in its
#               constant-memory mode (tests/bench/xlsx_python.py; reading
#               them is not timed)
#      py-dflt  the same in XlsxWriter's default mode, which keeps every
#               cell in memory until the workbook closes (what a Python user
#               gets without opting in)
#    with the peak resident memory of each process.
# Nothing passes or fails on time.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
top=$(cd "$(dirname "$0")/../.." && pwd)
case $CXCASE in /*) ;; *) CXCASE="$(pwd)/$CXCASE" ;; esac
bench="$top/$BUILD/bench_xlsx"
case $BUILD in /*) bench="$BUILD/bench_xlsx" ;; esac
rows=${1:-1e6}
timer=/usr/bin/time
dir="$top/build/bench"
mkdir -p "$dir" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-xlsx.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
for need in "$CXCASE" "$bench" "$timer"; do
    [ -x "$need" ] || { echo "bench: $need is missing (make bench builds it)" >&2; exit 1; }
done

echo
echo "Workbook: cxcase report samples/scenario.json, whole process, best of 3"
best=""
i=0
while [ $i -lt 3 ]; do
    (cd "$top" && "$timer" -f '%e %M' -o "$tmp/time" "$CXCASE" report samples/scenario.json -o "$tmp/report.xlsx" >/dev/null) || exit 1
    read -r sec kb <"$tmp/time"
    best=$(awk -v a="$best" -v b="$sec" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
    i=$((i + 1))
done
printf '  %.2f s, peak %.1f MB, %s bytes\n' "$best" "$(awk -v k="$kb" 'BEGIN { print k / 1000 }')" "$(wc -c <"$tmp/report.xlsx")"

echo
echo "Data sheet of $rows rows, constant-memory mode: seconds of writing, peak MB of the process"
"$timer" -f '%M' -o "$tmp/m1" "$bench" cxcase "$rows" "$tmp/cx.xlsx" >"$tmp/t1" || exit 1
"$timer" -f '%M' -o "$tmp/m2" "$bench" floor "$rows" "$tmp/floor.xlsx" >"$tmp/t2" || exit 1
python=""
if "$PYTHON" -c 'import xlsxwriter' 2>/dev/null; then
    "$bench" csv "$rows" "$tmp/cells.csv" >/dev/null || exit 1
    "$timer" -f '%M' -o "$tmp/m3" "$PYTHON" "$top/tests/bench/xlsx_python.py" "$tmp/cells.csv" "$tmp/py.xlsx" >"$tmp/t3" || exit 1
    "$timer" -f '%M' -o "$tmp/m4" "$PYTHON" "$top/tests/bench/xlsx_python.py" "$tmp/cells.csv" "$tmp/py.xlsx" default >"$tmp/t4" || exit 1
    python=1
else
    echo "  (python3-xlsxwriter is not installed: make bench-deps installs it)"
fi
awk -v c="$(cat "$tmp/t1")" -v f="$(cat "$tmp/t2")" -v p="$([ -n "$python" ] && cat "$tmp/t3")" \
    -v d="$([ -n "$python" ] && cat "$tmp/t4")" -v mc="$(tail -1 "$tmp/m1")" -v mf="$(tail -1 "$tmp/m2")" \
    -v mp="$([ -n "$python" ] && tail -1 "$tmp/m3")" -v md="$([ -n "$python" ] && tail -1 "$tmp/m4")" 'BEGIN {
    printf "  %-8s %9s %9s\n", "writer", "seconds", "peak MB"
    printf "  %-8s %9.2f %9.1f\n", "cxcase", c, mc / 1000
    printf "  %-8s %9.2f %9.1f\n", "floor", f, mf / 1000
    if (p != "") printf "  %-8s %9.2f %9.1f\n", "python", p, mp / 1000
    if (d != "") printf "  %-8s %9.2f %9.1f\n", "py-dflt", d, md / 1000
    printf "  cxcase / floor: %.2f (target at most 1.2)\n", c / f
    if (p != "") printf "  python / cxcase: %.2f constant-memory mode, %.2f default mode (target at least 3; floor: python / floor %.2f)\n", p / c, d / c, p / f
}'
