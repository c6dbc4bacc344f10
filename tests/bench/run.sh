#!/bin/sh
# tests/bench/run.sh - CSV reading speed, compared with the tools a user has.
#
#   make bench      (sets CXCASE and BUILD; builds $BUILD/bench_csv first)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/run.sh
#   BENCH_ONLY=csv ...   only the CSV reading (not the fit, simulate, report)
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
# and the same rows as a Dutch export (nl-1e6x8.csv, `bench_csv gen-nl`:
# ';', decimal commas, '.' thousands on the amounts, day-first dates), read
# by the cx reader and by pandas.read_csv(sep=';', thousands='.',
# decimal=',', dayfirst=True, parse_dates=['datum']).
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
# ---- a Dutch export: the same values as Dutch Excel writes them -----------
# ';', decimal commas, '.' between thousands on the amounts (221.020,33) and
# day-first dates (13-01-2019): the cx reader with its defaults (a ';' file
# is day first with decimal commas; the amounts are read as such) against
# pandas.read_csv(sep=';', thousands='.', decimal=',', dayfirst=True,
# parse_dates=['datum']) on the same file.  Both sum every numeric cell: the
# sums equal the plain file's.
nl="$dir/nl-1e6x8.csv"
if [ ! -f "$nl" ]; then
    echo "generating $nl (the same 1,000,000 rows as a Dutch export) ..."
    "$bench" gen-nl "$nl" 1000000 || exit 1
fi
cat "$nl" >/dev/null
nlout=$(mktemp "${TMPDIR:-/tmp}/cxcase-bench-nl.XXXXXX") || exit 1
trap 'rm -f "$out" "$nlout"' EXIT INT TERM
out_saved=$out
out=$nlout
measure "cx reader, Dutch file" "$bench" cx "$nl" "$repeat"
if "$PYTHON" -c 'import pandas' >/dev/null 2>&1; then
    measure "pandas, Dutch file" "$PYTHON" - "$nl" "$repeat" <<'EOF'
import os, sys, time
import pandas
path, repeat = sys.argv[1], int(sys.argv[2])
best, rows, total = None, 0, 0.0
for _ in range(repeat):
    t0 = time.perf_counter()
    df = pandas.read_csv(path, sep=";", thousands=".", decimal=",", dayfirst=True, parse_dates=["datum"])
    total = float(df.select_dtypes("number").sum().sum())
    dt = time.perf_counter() - t0
    rows = len(df)
    best = dt if best is None or dt < best else best
assert str(df["datum"].dtype).startswith("datetime64"), df["datum"].dtype
size = os.path.getsize(path)
print("pandas bytes=%d rows=%d seconds=%.6f mbps=%.1f checksum=%.17g"
      % (size, rows, best, size / 1e6 / best, total))
EOF
fi
out=$out_saved
plain=$(awk -F '\t' '$1 == "cx reader (cx_csv_next)" { if (match($2, /seconds=[^ ]*/)) print substr($2, RSTART + 8, RLENGTH - 8) }' "$out")
plainsum=$(awk -F '\t' '$1 == "cx reader (cx_csv_next)" { if (match($2, /checksum=[^ ]*/)) print substr($2, RSTART + 9, RLENGTH - 9) }' "$out")
echo
echo "CSV reading, a Dutch export: $nl"
echo "  the same rows: ';', decimal commas, 221.020,33, dates 13-01-2019; best of $repeat runs"
awk -F '\t' -v plain="$plain" -v plainsum="$plainsum" '
function field(s, key) {
    if (match(s, key "=[^ ]*")) return substr(s, RSTART + length(key) + 1, RLENGTH - length(key) - 1)
    return ""
}
{ label[NR] = $1; sec[NR] = field($2, "seconds") + 0; mbps[NR] = field($2, "mbps"); sum[NR] = field($2, "checksum") }
END {
    printf "  %-26s %9s %9s %12s\n", "tool", "seconds", "MB/s", "x plain file"
    for (i = 1; i <= NR; i++)
        printf "  %-26s %9.3f %9.1f %12s\n", label[i], sec[i], mbps[i],
               (plain > 0 ? sprintf("%.2f", sec[i] / plain) : "-")
    printf "  the cx reader'"'"'s sum of the cells %s the plain file'"'"'s (%s)\n",
           (sum[1] == plainsum ? "equals" : "differs from"), plainsum
    if (NR == 2 && sec[1] > 0)
        printf "  pandas takes %.1f times the cx reader'"'"'s time; its sum %s (relative difference %.1e)\n",
               sec[2] / sec[1], sum[2], (sum[2] - plainsum) / plainsum
}' "$nlout"

# BENCH_ONLY=csv: the CSV reading alone
[ "${BENCH_ONLY:-}" = csv ] && exit "$failed"
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/fit.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" sh "$top/tests/bench/eiv.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/sim.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/report.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/review.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/link.sh" || failed=1
CXCASE="$CXCASE" BUILD="$BUILD" PYTHON="$PYTHON" sh "$top/tests/bench/voice.sh" || failed=1
exit "$failed"
