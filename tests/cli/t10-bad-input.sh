#!/bin/sh
# tests/cli/t10-bad-input.sh - the malformed-file corpus.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t10-bad-input.sh
#
# Every tests/cli/data/bad/NAME.expected is one case (see README.md there):
#   NAME.csv       the input (absent for a file that cannot be opened)
#   NAME.args      the command line, {} standing for the file
#                  (default: nps {} --by period,region)
#   NAME.expected  the exact stderr, one line, with the path as passed
#   NAME.exit      the exit status (65 bad data, 66 cannot open)
#   NAME.pending   a known bug: the case holds the message cxcase should
#                  print; while it fails it is reported as "# pending" and
#                  does not count as a failure (a crash or a sanitizer
#                  report still does)
# cxcase runs from $TOP with the relative path tests/cli/data/bad/NAME.csv.
#
# Then: errors after the first block of 16384 rows (generated in a temp dir:
# type inference only sees the first block), a failing run with -o leaves no
# output and no temporary file behind and never clobbers an existing file,
# and the windows-1252 file that is an error as UTF-8 reads fine with
# --encoding windows-1252.
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

# ---- the corpus ----------------------------------------------------------
bad=tests/cli/data/bad
ncases=0
for exp in "$bad"/*.expected; do
    name=${exp%.expected}
    file=$name.csv
    ncases=$((ncases + 1))
    if [ -f "$name.args" ]; then
        args=$(cat "$name.args")
    else
        args='nps {} --by period,region'
    fi
    corpus_case "$name" "$(printf '%s\n' "$args" | sed "s|{}|$file|g")"
done
if [ "$ncases" -ge 25 ]; then
    ok "the corpus has $ncases cases ($npending pending)"
else
    not_ok "the corpus has $ncases cases, expected at least 25"
fi

# ---- errors after the first block (generated) ----------------------------
# 16400 valid responses; line $3 (1-based, the header is line 1) is replaced
# by $4.  Column 1 is a week (or a date, with $2 = date), so type inference
# over the first 16384 rows makes it a period column and the score and weight
# columns numeric.
gen() { # $1 file, $2 week|date, $3 line, $4 text of that line
    awk -v kind="$2" -v at="$3" -v bad="$4" 'BEGIN {
        print (kind == "week" ? "week" : "date") ",region,score,weight"
        for (i = 1; i <= 16400; i++) {
            if (i + 1 == at) { print bad; continue }
            if (kind == "week") p = sprintf("2025-W%02d", (i - 1) % 52 + 1)
            else p = sprintf("2025-%02d-%02d", (i - 1) % 12 + 1, (i - 1) % 28 + 1)
            printf "%s,%s,%d,%s\n", p, (i % 2 ? "Utrecht" : "Frysl\303\242n"), (i - 1) % 11, (i % 3 ? "1.5" : "2")
        }
    }' >"$1"
}
# $1 name, $2 week|date, $3 line, $4 bad line, $5 expected message after "path:"
big() {
    name=$1 msg=$5
    f=$tmp/$name.csv
    gen "$f" "$2" "$3" "$4"
    "$CXCASE" nps "$f" --by period,region >"$tmp/out" 2>"$tmp/err"
    rc=$?
    printf '%s:%s\n' "$f" "$msg" >"$tmp/exp"
    t=$(trouble "$rc" "$tmp/err")
    if [ -z "$t" ] && [ "$rc" -eq 65 ] && cmp -s "$tmp/err" "$tmp/exp" && [ ! -s "$tmp/out" ]; then
        ok "after the first block: $name"
    else
        not_ok "after the first block: $name${t:+: $t}"
        echo "#   expected (exit 65):"
        show "$tmp/exp"
        echo "#   actual (exit $rc):"
        show "$tmp/err"
    fi
}
P="error: expected a period (2025-03-31, 2025-W07, 2025-03, 2025Q1 or 2025) in column"
big week-54 week 16391 '2025-W54,Utrecht,7,1.5' "16391:1: $P 'week', found '2025-W54'"
big week-53-of-a-52-week-year week 16391 '2025-W53,Utrecht,7,1.5' "16391:1: $P 'week', found '2025-W53'"
big week-00 week 16391 '2025-W00,Utrecht,7,1.5' "16391:1: $P 'week', found '2025-W00'"
big month-13 week 16391 '2025-13,Utrecht,7,1.5' "16391:1: $P 'week', found '2025-13'"
big quarter-5 week 16391 '2025Q5,Utrecht,7,1.5' "16391:1: $P 'week', found '2025Q5'"
D="error: expected a date in column 'date', found"
big february-30 date 16391 '2025-02-30,Utrecht,7,1.5' "16391:1: $D '2025-02-30': February 2025 has 28 days"
big february-29-not-leap date 16391 '2025-02-29,Utrecht,7,1.5' "16391:1: $D '2025-02-29': February 2025 has 28 days"
big month-in-week-column week 16391 '2025-03,Utrecht,7,1.5' \
    "16391:1: error: expected a week in column 'week' like line 2, found the month '2025-03'"
# a column nps does not read is not converted: text in the numeric 'weight'
# column after the first block changes nothing (panel, which reads every
# column, reports it)
gen "$tmp/unread.csv" week 16391 '2025-W10,Utrecht,7,n/a'
gen "$tmp/unread-ok.csv" week 16391 '2025-W10,Utrecht,7,1.5'
"$CXCASE" nps "$tmp/unread.csv" --by period,region >"$tmp/out1" 2>"$tmp/err1"
rc1=$?
"$CXCASE" nps "$tmp/unread-ok.csv" --by period,region >"$tmp/out2" 2>"$tmp/err2"
tail -n +2 "$tmp/out1" >"$tmp/body1"
tail -n +2 "$tmp/out2" >"$tmp/body2" # below the title, which names the file
if [ "$rc1" -eq 0 ] && [ -s "$tmp/body1" ] && cmp -s "$tmp/body1" "$tmp/body2"; then
    ok "after the first block: text in a column nps does not read changes nothing"
else
    not_ok "after the first block: text in a column nps does not read changes nothing (exit $rc1)"
    show "$tmp/err1"
fi
"$CXCASE" panel "$tmp/unread.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
printf '%s:%s\n' "$tmp/unread.csv" "16391:20: error: expected a number in column 'weight', found 'n/a' (a missing value is an empty cell)" >"$tmp/exp"
if [ "$rc" -eq 65 ] && cmp -s "$tmp/err" "$tmp/exp" && [ ! -s "$tmp/out" ]; then
    ok "after the first block: panel, which reads every column, reports text in a number column"
else
    not_ok "after the first block: panel reports text in a number column (exit $rc)"
    echo "#   expected:"; show "$tmp/exp"; echo "#   actual:"; show "$tmp/err"
fi
# block boundaries: the last row of the first block, the first of the second
big score-last-row-of-block week 16385 '2025-W10,Fryslân,abc,1.5' \
    "16385:18: error: expected a number in column 'score', found 'abc'"
big score-first-row-of-block-2 week 16386 '2025-W10,Fryslân,11,1.5' \
    "16386:18: error: expected an integer score from 0 to 10 (scale nps), found '11' (use --skip-invalid to skip such rows)"
big too-few-fields-last-row-of-block week 16385 '2025-W10,Fryslân,7' \
    "16385:19: error: expected 4 fields as in the header, found 3"
big too-many-fields-first-row-of-block-2 week 16386 '2025-W10,Fryslân,7,1.5,extra' \
    "16386:24: error: expected 4 fields as in the header, found 5"
big unterminated-quote-in-block-2 week 16390 '2025-W10,Utrecht,7,"1.5' \
    "16390:20: error: expected a closing quote for the field that starts here, found the end of the file"

# ---- -o: a failing run leaves nothing behind ------------------------------
# $1 case name (from the corpus), $2 args with {} for the input and @ for -o
no_output_left() {
    name=$1 template=$2
    exp=$bad/$name.expected
    for mode in fresh existing; do
        d=$tmp/o-$name-$mode
        mkdir "$d"
        [ "$mode" = existing ] && printf 'precious\n' >"$d/OUT.csv"
        args=$(printf '%s\n' "$template" | sed -e "s|{}|$bad/$name.csv|g" -e "s|@|$d/OUT.csv|g")
        set -f
        # shellcheck disable=SC2086
        set -- $args
        set +f
        "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        # shellcheck disable=SC2012 # names made by this script or by cxcase
        left=$(cd "$d" && ls -A | tr '\n' ' ')
        want_left=""
        [ "$mode" = existing ] && want_left="OUT.csv "
        why=$(trouble "$rc" "$tmp/err")
        if [ -z "$why" ] && [ "$rc" -ne "$(cat "$bad/$name.exit")" ]; then
            why="exit status $rc, expected $(cat "$bad/$name.exit")"
        elif [ -z "$why" ] && ! cmp -s "$tmp/err" "$exp"; then
            why="stderr differs"
        elif [ -z "$why" ] && [ "$left" != "$want_left" ]; then
            why="the output directory holds: $left"
        elif [ -z "$why" ] && [ "$mode" = existing ] && [ "$(cat "$d/OUT.csv")" != precious ]; then
            why="the existing OUT.csv was overwritten"
        fi
        if [ -z "$why" ]; then
            ok "-o with $name ($mode OUT.csv): nothing written, no temporary file"
        else
            not_ok "-o with $name ($mode OUT.csv): $why"
            echo "#   command: cxcase $args"
            show "$tmp/err"
        fi
    done
}
no_output_left score-11-on-nps 'nps {} --by period,region -o @'
no_output_left unterminated-quote-swallows 'nps {} --by period,region -o @'
no_output_left panel-duplicate-key 'panel {} -o @'

# An output that cannot be created: exit 73, input untouched.
"$CXCASE" nps "$bad/score-11-on-nps.csv" --by period,region --skip-invalid \
    -o "$tmp/no-such-dir/OUT.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
printf '%s\n' "$tmp/no-such-dir/OUT.csv: error: cannot create output: No such file or directory" >"$tmp/exp"
if [ "$rc" -eq 73 ] && [ -z "$(trouble "$rc" "$tmp/err")" ] &&
    [ "$(grep -v '^warning: ' "$tmp/err")" = "$(cat "$tmp/exp")" ]; then
    ok "-o into a missing directory: exit 73"
else
    not_ok "-o into a missing directory: exit $rc, expected 73"
    show "$tmp/err"
fi

# ---- windows-1252 read with the right encoding ----------------------------
f=$bad/invalid-utf8-windows-1252.csv
"$CXCASE" nps "$f" --by period,region --encoding windows-1252 >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/err" ] && grep -q 'Fryslân' "$tmp/out"; then
    ok "the windows-1252 file reads with --encoding windows-1252 and prints Fryslân"
else
    not_ok "the windows-1252 file with --encoding windows-1252: exit $rc"
    echo "#   stdout:"
    show "$tmp/out"
    echo "#   stderr:"
    show "$tmp/err"
fi
"$CXCASE" nps "$f" --by period,region --encoding windows-1252 --json >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && grep -q '"region":[[:space:]]*"Fryslân"' "$tmp/out"; then
    ok "windows-1252 --json has the region \"Fryslân\" in UTF-8"
else
    not_ok "windows-1252 --json: exit $rc, no \"Fryslân\" key"
    show "$tmp/out"
    show "$tmp/err"
fi

exit "$failed"
