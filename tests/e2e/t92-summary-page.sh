#!/bin/sh
# t92-summary-page.sh - the workbook's Summary is one readable printed page
# (issue 5): LibreOffice (headless, recalculating on load) prints the
# samples' workbook to PDF; page 1 holds the whole Summary (title, checks,
# ranking, key assumptions, portfolio, key messages, warnings, the drivers;
# the charts' helper table is on a hidden sheet) and page 2 is already
# the Inputs sheet; pdftoppm renders page 1 as the PNG that samples/summary.png
# is a copy of (README).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
. "$TOP/tests/e2e/lo_recalc.sh"
for tool in "$SOFFICE" pdftotext pdftoppm; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        not_ok "$tool is installed (make deps installs libreoffice-calc-nogui and poppler-utils)"
        exit 1
    fi
done
cd "$TOP" || exit 1
if ! "$CXCASE" report samples/scenario.json -o "$tmp/report.xlsx" --draws 2000 >"$tmp/o" 2>"$tmp/err"; then
    not_ok "cxcase report writes the samples' workbook"; show "$tmp/err"; exit 1
fi
lo_skip "the samples' Summary printed on one page" && exit "$failed"
lo_pdf "$tmp/report.xlsx" "$tmp/pdf"
if [ ! -f "$tmp/pdf/report.pdf" ]; then
    not_ok "LibreOffice prints the workbook to PDF"; show "$tmp/lo.log"; exit 1
fi
pdftotext -layout -f 1 -l 1 "$tmp/pdf/report.pdf" "$tmp/p1.txt"
pdftotext -layout -f 2 -l 2 "$tmp/pdf/report.pdf" "$tmp/p2.txt"
missing=""
for want in "CX investment plan 2026-2028" "Checks: OK" "Scenarios, best first" "Everything" "Service and checkout" \
    "Delivery first" "Key assumptions" "Recommended portfolio" "Key messages" "Warnings" "About the drivers"; do
    grep -qF "$want" "$tmp/p1.txt" || missing="$missing '$want'"
done
if [ -z "$missing" ]; then
    ok "page 1 holds the whole Summary: title, checks, ranking, key assumptions, portfolio, key messages, warnings, the drivers"
else
    not_ok "page 1 lacks$missing"
    show "$tmp/p1.txt"
fi
if head -5 "$tmp/p2.txt" | grep -q "Inputs: every assumption"; then
    ok "page 2 is the Inputs sheet: the Summary prints on one page"
else
    not_ok "page 2 is not the Inputs sheet: the Summary spills over"
    show "$tmp/p2.txt"
fi
if pdftoppm -png -r 80 -f 1 -l 1 -singlefile "$tmp/pdf/report.pdf" "$tmp/summary" && [ -s "$tmp/summary.png" ]; then
    ok "pdftoppm renders the Summary page to PNG ($(wc -c <"$tmp/summary.png") bytes)"
else
    not_ok "pdftoppm renders the Summary page to PNG"
fi
