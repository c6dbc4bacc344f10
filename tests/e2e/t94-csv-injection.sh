#!/bin/sh
# t94-csv-injection.sh - text cells that nps -o and panel -o write are never
# formulas when a spreadsheet opens the CSV (OWASP's CSV injection advice).
#
# Survey responses whose region names start with = + - @ or a tab (one a
# HYPERLINK formula that LibreOffice does run from a CSV) are aggregated with
# nps -o, with and without --raw-text, and joined with panel -o.  The files
# are converted to .xlsx by LibreOffice (headless, its CSV import defaults)
# and read back with openpyxl: by default every such cell is text holding a
# single quote and the name; with --raw-text the HYPERLINK cell is a formula,
# which shows the guard is what stops it.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
: "${SOFFICE:=soffice}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t94.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
cd "$TOP" || exit 1

printf 'week,region,score\n2025-W01,"=HYPERLINK(""http://example.com"",""click"")",9\n2025-W01,+31 20,3\n2025-W01,-Utrecht,3\n2025-W01,@SUM(A1),10\n2025-W01,"\tTab",7\n2025-W01,Gouda,8\n' >"$tmp/resp.csv"
printf 'week,region,delivery_days\n2025-W01,"=HYPERLINK(""http://example.com"",""click"")",2.5\n2025-W01,Gouda,-3\n' >"$tmp/logistics.csv"
"$CXCASE" nps "$tmp/resp.csv" --by region,period -o "$tmp/guarded.csv" >/dev/null 2>"$tmp/err" &&
    "$CXCASE" nps "$tmp/resp.csv" --by region,period -o "$tmp/raw.csv" --raw-text >/dev/null 2>>"$tmp/err" &&
    "$CXCASE" panel "$tmp/logistics.csv" -o "$tmp/panel.csv" >/dev/null 2>>"$tmp/err" || {
    echo "not ok - nps -o and panel -o ran"
    sed 's/^/#   /' "$tmp/err"
    exit 1
}
# under the sanitizers LibreOffice does not run (tests/e2e/lo_recalc.sh, lo_skip):
# the CSVs above are the same whichever build wrote them
if [ "${SANITIZED:-}" = 1 ]; then
    echo "skip - LibreOffice: the CSVs opened as a spreadsheet, text kept as text (checked in the plain pass)"
    exit 0
fi
mkdir -p "$tmp/lo-profile" "$tmp/xlsx"
HOME="$tmp" timeout 300 "$SOFFICE" -env:UserInstallation="file://$tmp/lo-profile" --headless --norestore \
    --convert-to xlsx:"Calc MS Excel 2007 XML" --outdir "$tmp/xlsx" \
    "$tmp/guarded.csv" "$tmp/raw.csv" "$tmp/panel.csv" >"$tmp/lo.log" 2>&1
"$PYTHON" - "$tmp/xlsx" <<'PY' || fails=1
import sys, openpyxl
d = sys.argv[1]
bad = 0
def col(name, letter):
    ws = openpyxl.load_workbook(f"{d}/{name}.xlsx").active
    return [(c.value, c.data_type) for c in ws[letter]][1:]
names = ['\tTab', '+31 20', '-Utrecht', '=HYPERLINK("http://example.com","click")', '@SUM(A1)', 'Gouda']
guarded = col("guarded", "A")
want = [("'" + n if n != "Gouda" else n, "s") for n in names]
bad += guarded != want
print(("ok" if guarded == want else "not ok") +
      " - nps -o: LibreOffice reads every name starting with = + - @ or a tab as text, after a quote")
if guarded != want:
    print("#   found:", guarded)
raw = col("raw", "A")
ok = raw[3][1] == "f" and [v for v, t in raw] == names
bad += not ok
print(("ok" if ok else "not ok") + " - nps -o --raw-text: the names as they are, so the HYPERLINK is a formula (the guard is what stops it)")
if not ok:
    print("#   found:", raw)
panel = col("panel", "B")
numbers = col("panel", "C")
ok = panel == [("'" + names[3], "s"), ("Gouda", "s")] and numbers == [(2.5, "n"), (-3, "n")]
bad += not ok
print(("ok" if ok else "not ok") + " - panel -o: the name is text, the negative number stays a number")
if not ok:
    print("#   found:", panel, numbers)
sys.exit(1 if bad else 0)
PY
exit "$fails"
