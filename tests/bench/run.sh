#!/bin/sh
# tests/bench/run.sh - CSV reading speed, compared with the tools a user has.
#
#   make bench      (sets CXCASE and BUILD; builds $BUILD/bench_csv first)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/run.sh
#
# The file: build/bench/numeric-1e6x8.csv, generated once (deterministically,
# byte-identical everywhere) by `bench_csv gen`: 1,000,000 data rows of 8
# columns: week (2019-W01 .. 2025-W52), region (a Dutch province) and 6
# numeric columns with 1 to 6 decimals, about 61.5 MB.
#
# Timed on it, each the best of 3 wall-clock runs after the file is in the
# page cache:
#   wc -l                      reading the bytes and counting newlines: the floor
#   libcsv tokenise            csv_parse over 1 MiB chunks, no-op callbacks
#   libcsv + strtod            the same + glibc strtod on the 6 numeric columns
#   libcsv + cx_number_parse   the same + the library's number parser
#   cx reader                  cx_csv_open/cx_csv_next: line splitting, UTF-8
#                              checks, libcsv, typed blocks (numbers, periods,
#                              text), every numeric column summed
#   pandas.read_csv            Debian's python3-pandas, numeric columns summed
#                              (skipped with a message when not installed)
# MB/s uses MB = 10^6 bytes; "x wc -l" is seconds / seconds of wc -l.
# Nothing here passes or fails on time: it prints numbers for people.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
top=$(cd "$(dirname "$0")/../.." && pwd)
bench="$BUILD/bench_csv"
case $bench in /*) ;; *) bench="$(pwd)/$bench" ;; esac
repeat=3

if [ ! -x "$bench" ]; then
    echo "bench: $bench is missing: run 'make bench'" >&2
    exit 1
fi

dir="$top/build/bench"
file="$dir/numeric-1e6x8.csv"
mkdir -p "$dir" || exit 1
if [ ! -f "$file" ]; then
    echo "generating $file (1,000,000 rows x 8 columns) ..."
    "$bench" gen "$file" 1000000 || exit 1
fi
cat "$file" >/dev/null # into the page cache

out=$(mktemp "${TMPDIR:-/tmp}/cxcase-bench.XXXXXX") || exit 1
trap 'rm -f "$out"' EXIT INT TERM

# measure LABEL COMMAND...: append "LABEL<TAB>result line" to $out
measure() {
    label=$1
    shift
    if line=$("$@"); then
        printf '%s\t%s\n' "$label" "$line" >>"$out"
    else
        echo "bench: $label failed" >&2
        failed=1
    fi
}
failed=0

measure "wc -l" "$bench" exec "$file" "$repeat" wc -l "$file"
measure "libcsv tokenise" "$bench" libcsv "$file" "$repeat"
measure "libcsv + strtod" "$bench" strtod "$file" "$repeat"
measure "libcsv + cx_number_parse" "$bench" cxnum "$file" "$repeat"
measure "cx reader (cx_csv_next)" "$bench" cx "$file" "$repeat"

pandas_note=""
if "$PYTHON" -c 'import pandas' >/dev/null 2>&1; then
    measure "pandas.read_csv" "$PYTHON" - "$file" "$repeat" <<'EOF'
import os, sys, time
import pandas
path, repeat = sys.argv[1], int(sys.argv[2])
best, rows, total = None, 0, 0.0
for _ in range(repeat):
    t0 = time.perf_counter()
    df = pandas.read_csv(path)
    total = float(df.select_dtypes("number").sum().sum())
    dt = time.perf_counter() - t0
    rows = len(df)
    best = dt if best is None or dt < best else best
size = os.path.getsize(path)
print("pandas bytes=%d rows=%d seconds=%.6f mbps=%.1f checksum=%.17g"
      % (size, rows, best, size / 1e6 / best, total))
EOF
    pandas_version=$("$PYTHON" -c 'import pandas; print(pandas.__version__)')
    pandas_note="pandas $pandas_version ($PYTHON)"
else
    pandas_note="pandas.read_csv skipped: $PYTHON has no pandas (Debian: apt-get install python3-pandas)"
fi

size=$(sed -n 's/.*bytes=\([0-9]*\).*/\1/p' "$out" | head -n 1)
echo "CSV reading: $file"
echo "  $size bytes, 1000000 rows x 8 columns (week, region, 6 numeric); best of $repeat runs; $(nproc 2>/dev/null || echo '?') cores"
[ -x "$CXCASE" ] && echo "  $("$CXCASE" --version 2>/dev/null | head -n 1)"
echo "  $pandas_note"
awk -F '\t' '
function field(s, key,   m) {
    if (match(s, key "=[^ ]*")) return substr(s, RSTART + length(key) + 1, RLENGTH - length(key) - 1)
    return ""
}
{
    label[NR] = $1; sec[NR] = field($2, "seconds") + 0; mbps[NR] = field($2, "mbps")
    sum[NR] = field($2, "checksum"); mode[NR] = $2; sub(/ .*/, "", mode[NR])
    if ($1 == "wc -l") base = sec[NR]
}
END {
    printf "  %-26s %9s %9s %9s\n", "tool", "seconds", "MB/s", "x wc -l"
    for (i = 1; i <= NR; i++)
        printf "  %-26s %9.3f %9.1f %9s\n", label[i], sec[i], mbps[i],
               (base > 0 ? sprintf("%.1f", sec[i] / base) : "-")
    # the number parsers must agree with each other (not a timing check)
    ref = ""
    for (i = 1; i <= NR; i++)
        if (mode[i] == "cx" || mode[i] == "strtod" || mode[i] == "cxnum") {
            if (ref == "") ref = sum[i]
            else if (sum[i] != ref)
                printf "  note: the sums of the numeric cells differ: %s %s vs %s\n", label[i], sum[i], ref
        }
}' "$out"
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/fit.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" sh "$top/tests/bench/eiv.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/sim.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/report.sh" || failed=1
exit "$failed"
