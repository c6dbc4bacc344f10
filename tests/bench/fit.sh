#!/bin/sh
# tests/bench/fit.sh - `cxcase fit` against the tools a user would otherwise use.
#
#   make bench      (runs tests/bench/run.sh, which ends by running this)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/fit.sh [SIZES]
#
# SIZES is a list of row counts among 1e5 1e6 1e7 (default: all three).
#
# The files: build/bench/fit-1eN.csv, written once (deterministically,
# byte-identical everywhere) by tests/bench/gen_fit.c, compiled here with
# `cc -O2`: columns week,region,nps,conversion,handling_time_s,ctr,
# delivery_days, where nps = 10 + 4 conversion - 0.03 handling_time_s
# + 2 ctr - 5 delivery_days + noise (sd 8), 2-3 decimals, about 50 bytes a
# row (the 1e7 file is about 500 MB; it is skipped, with a message, when the
# disk has less than 5 GB free).
#
# Timed on each file, whole process against whole process, each the best of
# 3 wall-clock runs (1e7: of 2, or 1 when a run takes over a minute) after
# the file is in the page cache, with /usr/bin/time -f '%e %M' (wall seconds
# and peak resident set; the peak shown is the largest over the runs):
#   cxcase       cxcase fit FILE -y nps -x conversion,handling_time_s,ctr,
#                delivery_days, its summary sent to /dev/null
#   cxcase --json  the same with --json: the fitted model as JSON, with the
#                file's SHA-256 in its provenance (GNU Nettle, on a thread
#                beside the fit), into a scratch file; the two cxcase runs
#                take turns, so that both meet the same load on a machine
#                other jobs share
#   statsmodels  /usr/bin/python3: pandas.read_csv(FILE) + sm.OLS(y,
#                sm.add_constant(X)).fit().summary() printed to /dev/null
#   R            Rscript: data.table::fread(FILE) + lm(...) + print(summary())
#                to /dev/null
# Each timed run also writes its coefficients (a few lines) to a scratch
# file; cxcase's come from its `--json` runs.  The three must agree to 1e-6
# relative, so that the comparison is of the same work.
#
# Printed per size: tool, seconds, peak MB (10^6 bytes), and ratios of time
# (other/cxcase and other/cxcase --json) and of memory (other/cxcase); then
# how cxcase's peak memory at the largest size compares with the smallest
# (the requirement is within 2x).
# Nothing here passes or fails on time: the exit status is 0 unless a tool
# fails or the coefficients disagree.  A tool that is not installed is
# skipped with a message (`make bench-deps` installs them).
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
: "${CC:=cc}"
top=$(cd "$(dirname "$0")/../.." && pwd)
case $CXCASE in /*) ;; *) CXCASE="$(pwd)/$CXCASE" ;; esac
sizes=${*:-1e5 1e6 1e7}
timer=/usr/bin/time
terms=conversion,handling_time_s,ctr,delivery_days
tol=1e-6
start=$(date +%s)

if [ ! -x "$CXCASE" ]; then
    echo "bench: $CXCASE is missing: run 'make bench'" >&2
    exit 1
fi
if [ ! -x "$timer" ]; then
    echo "bench: $timer is missing (Debian: apt-get install time)" >&2
    exit 1
fi

dir="$top/build/bench"
gen="$dir/gen_fit"
mkdir -p "$dir" || exit 1
if [ ! -x "$gen" ] || [ -n "$(find "$top/tests/bench/gen_fit.c" -newer "$gen")" ]; then
    "$CC" -std=c11 -O2 -o "$gen" "$top/tests/bench/gen_fit.c" || exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-fitbench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

cat >"$tmp/fit.py" <<'EOF'
import sys
import pandas as pd
import statsmodels.api as sm
path, coef = sys.argv[1], sys.argv[2]
df = pd.read_csv(path)
X = sm.add_constant(df[["conversion", "handling_time_s", "ctr", "delivery_days"]])
res = sm.OLS(df["nps"], X).fit()
print(res.summary())
with open(coef, "w") as f:
    for v in res.params:
        f.write("%.17g\n" % v)
EOF
cat >"$tmp/fit.R" <<'EOF'
args <- commandArgs(trailingOnly = TRUE)
d <- data.table::fread(args[1])
m <- lm(nps ~ conversion + handling_time_s + ctr + delivery_days, data = d)
print(summary(m))
writeLines(sprintf("%.17g", coef(m)), args[2])
EOF

have_py=0
if "$PYTHON" -c 'import pandas, statsmodels' >/dev/null 2>&1; then
    have_py=1
    py_note="pandas $("$PYTHON" -c 'import pandas; print(pandas.__version__)'), statsmodels $("$PYTHON" -c 'import statsmodels; print(statsmodels.__version__)') ($PYTHON)"
else
    py_note="statsmodels skipped: $PYTHON lacks pandas or statsmodels (Debian: python3-pandas python3-statsmodels)"
fi
have_r=0
if command -v Rscript >/dev/null 2>&1 && Rscript -e 'library(data.table)' >/dev/null 2>&1; then
    have_r=1
    r_note="$(Rscript -e 'cat(R.version.string, ", data.table ", format(packageVersion("data.table")), " (", data.table::getDTthreads(), " threads)", sep = "")' 2>/dev/null)"
else
    r_note="R skipped: Rscript or data.table missing (Debian: r-base-core r-cran-data.table)"
fi

failed=0
stdout=/dev/null

# smaller A B: the smaller of two numbers of seconds (A may be empty)
smaller() {
    awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }'
}

# run LABEL TIMES COEF COMMAND...: time COMMAND (stdout to $stdout) up to
# TIMES times; set best (seconds) and peak (kB); 1 when it fails.  With
# TIMES 2, a first run over 60 s is not repeated.
run() {
    label=$1 times=$2 coef=$3
    shift 3
    best="" peak=0 i=0
    while [ "$i" -lt "$times" ]; do
        i=$((i + 1))
        rm -f "$coef"
        if ! "$timer" -f '%e %M' -o "$tmp/time" "$@" >"$stdout" 2>"$tmp/err"; then
            echo "bench: $label failed: $*" >&2
            sed 's/^/  /' "$tmp/err" >&2
            grep -v '^Command exited' "$tmp/time" >&2
            return 1
        fi
        read -r sec kb <"$tmp/time"
        best=$(smaller "$best" "$sec")
        [ "$kb" -gt "$peak" ] && peak=$kb
        if [ "$times" -eq 2 ] && awk -v s="$sec" 'BEGIN { exit !(s > 60) }'; then
            break
        fi
    done
    runs=$i
    return 0
}

# run_cxcase TIMES FILE: cxcase fit FILE printing its summary, and with
# --json (into $tmp/cx.json), taking turns run by run so that both meet the
# same load on a shared machine; set s_best, s_peak, j_best, j_peak (seconds,
# kB) and runs; 1 when a run fails.  With TIMES 2, a first turn over 60 s is
# not repeated.
run_cxcase() {
    s_best="" s_peak=0 j_best="" j_peak=0 turn=0
    while [ "$turn" -lt "$1" ]; do
        turn=$((turn + 1))
        run cxcase 1 "$tmp/none" "$CXCASE" fit "$2" -y nps -x "$terms" || return 1
        s_best=$(smaller "$s_best" "$best")
        [ "$peak" -gt "$s_peak" ] && s_peak=$peak
        stdout=$tmp/cx.json
        run "cxcase --json" 1 "$tmp/none" "$CXCASE" fit "$2" -y nps -x "$terms" --json
        status=$?
        stdout=/dev/null
        [ "$status" -eq 0 ] || return 1
        j_best=$(smaller "$j_best" "$best")
        [ "$peak" -gt "$j_peak" ] && j_peak=$peak
        if [ "$1" -eq 2 ] && awk -v s="$best" 'BEGIN { exit !(s > 60) }'; then
            break
        fi
    done
    runs=$turn
    return 0
}

# size label -> rows
rows_of() {
    case $1 in
    1e5) echo 100000 ;;
    1e6) echo 1000000 ;;
    1e7) echo 10000000 ;;
    *) echo "bench: unknown size $1 (1e5, 1e6 or 1e7)" >&2; return 1 ;;
    esac
}

echo
echo "Fitting one equation: nps ~ conversion + handling_time_s + ctr + delivery_days"
echo "  $(nproc 2>/dev/null || echo '?') cores; $("$CXCASE" --version 2>/dev/null | head -n 1)"
echo "  $py_note"
echo "  $r_note"
echo "  whole processes, wall seconds and peak RSS by $timer; best of 3 (1e7: of 2, or 1 if over 60 s)"
echo "  ratios are other/cxcase and other/cxcase --json (above 1: cxcase is faster or smaller)"

cx_first_kb="" cx_first_size="" cx_last_kb="" cx_last_size=""
for size in $sizes; do
    rows=$(rows_of "$size") || exit 1
    file="$dir/fit-$size.csv"
    if [ ! -f "$file" ]; then
        if [ "$rows" -ge 10000000 ]; then
            free_kb=$(df -Pk "$dir" | awk 'NR == 2 { print $4 }')
            if [ "${free_kb:-0}" -lt 5242880 ]; then
                echo
                echo "  $size rows: skipped: only $((free_kb / 1024)) MiB free on the disk of $dir (5 GB wanted for a 500 MB file)"
                continue
            fi
        fi
        printf '  generating %s (%s rows) ... ' "$file" "$rows"
        "$gen" "$file" "$rows" || exit 1
        echo "done"
    fi
    cat "$file" >/dev/null # into the page cache
    mb=$(awk -v b="$(wc -c <"$file")" 'BEGIN { printf "%.1f", b / 1e6 }')
    repeat=3
    [ "$rows" -ge 10000000 ] && repeat=2
    : >"$tmp/table"

    # cxcase: the printed summary and --json (whose output gives the coefficients)
    if run_cxcase "$repeat" "$file"; then
        printf 'cxcase\t%s\t%s\t%s\n' "$s_best" "$s_peak" "$runs" >>"$tmp/table"
        printf 'cxcase --json\t%s\t%s\t%s\n' "$j_best" "$j_peak" "$runs" >>"$tmp/table"
        sed -n 's/^[[:space:]]*"coef":[[:space:]]*\([^,]*\),*$/\1/p' "$tmp/cx.json" >"$tmp/coef.cxcase"
        cx_kb=$s_peak
        [ -z "$cx_first_kb" ] && cx_first_kb=$s_peak cx_first_size=$size
        cx_last_kb=$s_peak cx_last_size=$size
    else
        failed=1
        continue
    fi
    if [ "$have_py" = 1 ]; then
        if run statsmodels "$repeat" "$tmp/coef.statsmodels" "$PYTHON" "$tmp/fit.py" "$file" "$tmp/coef.statsmodels"; then
            printf 'pandas+statsmodels\t%s\t%s\t%s\n' "$best" "$peak" "$runs" >>"$tmp/table"
        else
            failed=1
        fi
    fi
    if [ "$have_r" = 1 ]; then
        if run R "$repeat" "$tmp/coef.R" Rscript "$tmp/fit.R" "$file" "$tmp/coef.R"; then
            printf 'R fread+lm\t%s\t%s\t%s\n' "$best" "$peak" "$runs" >>"$tmp/table"
        else
            failed=1
        fi
    fi

    echo
    echo "  $size rows ($mb MB): $file"
    awk -F '\t' -v cxkb="$cx_kb" '
    NR == 1 { base = $2 }
    $1 == "cxcase --json" { jbase = $2 }
    { label[NR] = $1; sec[NR] = $2; kb[NR] = $3; runs[NR] = $4 }
    END {
        printf "    %-20s %9s %9s %5s %10s %10s %10s\n", "tool", "seconds", "peak MB", "runs", "time x",
               "x --json", "memory x"
        for (i = 1; i <= NR; i++)
            printf "    %-20s %9.2f %9.1f %5d %10.2f %10s %10.1f\n", label[i], sec[i], kb[i] * 1024 / 1e6, runs[i],
                   (base > 0 ? sec[i] / base : 0), (jbase > 0 ? sprintf("%.2f", sec[i] / jbase) : "-"),
                   (cxkb > 0 ? kb[i] / cxkb : 0)
        if (base > 0 && jbase > 0)
            printf "    cxcase --json takes %.2fx the summary'"'"'s time (the model with the SHA-256 of the file)\n",
                   jbase / base
    }' "$tmp/table"

    # the same work: every tool's coefficients (intercept, then the -x order)
    for other in statsmodels R; do
        [ -f "$tmp/coef.$other" ] || continue
        if ! awk -v tol="$tol" -v other="$other" '
            FNR == NR { a[FNR] = $1 + 0; na = FNR; next }
            { b[FNR] = $1 + 0; nb = FNR }
            END {
                if (na != 5 || nb != 5) {
                    printf "    coefficients: cxcase has %d, %s has %d (5 expected)\n", na, other, nb
                    exit 1
                }
                worst = 0
                for (i = 1; i <= na; i++) {
                    d = a[i] - b[i]; if (d < 0) d = -d
                    m = (a[i] < 0 ? -a[i] : a[i]); mb = (b[i] < 0 ? -b[i] : b[i]); if (mb > m) m = mb
                    r = (m > 0 ? d / m : d)
                    if (r > worst) worst = r
                }
                printf "    coefficients: cxcase vs %s agree to %.1e relative%s\n", other, worst,
                       (worst <= tol ? "" : "  DISAGREE (tolerance " tol ")")
                exit worst > tol
            }' "$tmp/coef.cxcase" "$tmp/coef.$other"; then
            failed=1
            printf '      cxcase:'; tr '\n' ' ' <"$tmp/coef.cxcase"; echo
            printf '      %s:' "$other"; tr '\n' ' ' <"$tmp/coef.$other"; echo
        fi
        rm -f "$tmp/coef.$other"
    done
done

echo
if [ -n "$cx_first_kb" ] && [ "$cx_first_size" != "$cx_last_size" ]; then
    awk -v a="$cx_last_kb" -v b="$cx_first_kb" -v la="$cx_last_size" -v lb="$cx_first_size" \
        'BEGIN { printf "  cxcase peak memory %s vs %s: %.2fx (%.1f MB vs %.1f MB; the requirement is within 2x)\n",
                 la, lb, a / b, a * 1024 / 1e6, b * 1024 / 1e6 }'
fi
echo "  fit benchmark: $(($(date +%s) - start)) s in all"
exit "$failed"
