#!/bin/sh
# tests/coverage.sh - line and branch coverage of src/ after a test run on a
# build with gcov counters (make coverage runs it).
#
#   sh tests/coverage.sh build/cov
#
# Collects the counters with lcov (branch coverage on), keeps src/, and
# prints the lines and branches hit, in total and per folder of src/:
#
#   src/data      2345/2400 lines (97.7%)   1234/1400 branches (88.1%)
#
# The HTML report is written to BUILD/html/index.html (genhtml).
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
build=$1
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
info=$build/coverage.info
lcov --quiet --capture --directory "$build" --base-directory "$top" \
    --rc lcov_branch_coverage=1 --output-file "$build/all.info" 2>/dev/null
lcov --quiet --extract "$build/all.info" "$top/src/*" --rc lcov_branch_coverage=1 \
    --output-file "$info" 2>/dev/null
genhtml --quiet --branch-coverage --output-directory "$build/html" "$info" >/dev/null 2>&1 || true
awk -v top="$top/" '
    /^SF:/ { f = substr($0, 4); sub(top, "", f); n = split(f, part, "/"); d = part[1] "/" part[2] }
    /^LF:/ { lf[d] += substr($0, 4); LF += substr($0, 4) }
    /^LH:/ { lh[d] += substr($0, 4); LH += substr($0, 4) }
    /^BRF:/ { bf[d] += substr($0, 5); BF += substr($0, 5) }
    /^BRH:/ { bh[d] += substr($0, 5); BH += substr($0, 5) }
    function pct(a, b) { return b ? sprintf("%.1f%%", 100 * a / b) : "-" }
    END {
        for (d in lf) dirs[++nd] = d
        for (i = 1; i <= nd; i++) for (j = i + 1; j <= nd; j++) if (dirs[j] < dirs[i]) { t = dirs[i]; dirs[i] = dirs[j]; dirs[j] = t }
        for (i = 1; i <= nd; i++) { d = dirs[i]
            printf "%-12s %6d/%-6d lines (%s)   %6d/%-6d branches (%s)\n", d, lh[d], lf[d], pct(lh[d], lf[d]), bh[d], bf[d], pct(bh[d], bf[d]) }
        printf "%-12s %6d/%-6d lines (%s)   %6d/%-6d branches (%s)\n", "src (all)", LH, LF, pct(LH, LF), BH, BF, pct(BH, BF)
    }' "$info"
echo "details: $build/html/index.html"
