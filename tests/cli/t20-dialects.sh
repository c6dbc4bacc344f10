#!/bin/sh
# tests/cli/t20-dialects.sh - one survey data set in every CSV dialect that
# real exports have must give identical results.
#
#   CXCASE=build/rel/cxcase PYTHON=/usr/bin/python3 sh tests/cli/t20-dialects.sh
#
# tests/cli/data/dialects/ (see README.md there) holds the same 13 responses
# (columns date, region, score, weight, comment) written as:
#   comma-lf.csv                  the baseline: ',' and LF
#   comma-crlf.csv                CRLF line ends, also inside quoted fields
#   utf8-bom.csv                  UTF-8 with a byte order mark
#   semicolon-decimal-comma.csv   ';' and decimal commas (weight 1,5)
#   tab.tsv                       tab separated
#   excel-nl.csv                  Dutch Excel "CSV UTF-8": BOM, CRLF, ';',
#                                 decimal commas, quoted fields holding ';'
#                                 and a newline
#   windows-1252.csv              Excel's "CSV" export: Fryslân as byte 0xE2
#   quoted-empty.csv              every field quoted, empty ones as ""
#   no-final-newline.csv          the last line has no line end
#   blank-line-at-end.csv         an empty line after the last record
#   crlf-blank-lines-at-end.csv   CRLF with two empty lines at the end
#   semicolon-decimal-point.csv   ';' with decimal points (needs --decimal .)
#   semicolon-comma-header.csv    ';' and decimal commas, but the header has
#                                 more commas than semicolons (needs --sep ';')
#
# The data, by ISO week (2025-01-06..12 is 2025-W02, 13..19 is 2025-W03):
#
#   date        region   score  weight  comment
#   2025-01-06  Utrecht   10    1.5     Fast, friendly delivery
#   2025-01-07  Utrecht    9    1       Great
#   2025-01-08  Utrecht    6    2.25    Parcel was "damaged"
#   2025-01-06  Fryslân    8    1       Late<newline>second line
#   2025-01-09  Fryslân    3    0.5     Never again
#   2025-01-12  Fryslân   10    2       (empty)
#   2025-01-13  Utrecht    7    1       OK
#   2025-01-14  Utrecht   (empty) 1     No score given
#   2025-01-15  Utrecht   10    1.75    Top; really
#   2025-01-19  Utrecht    9    3       Quick
#   2025-01-13  Fryslân    9    1       Dank je wel
#   2025-01-16  Fryslân    5    2       Meh;<newline>"so-so"
#   2025-01-18  Fryslân    4    1       (empty)
#
# NPS = 100 x (promoters 9-10 - detractors 0-6) / n, per week x region:
#   2025-W02 Fryslân  8, 3, 10    n=3  P=1 D=1  NPS =   0
#   2025-W02 Utrecht  10, 9, 6    n=3  P=2 D=1  NPS =  33.33
#   2025-W03 Fryslân  9, 5, 4     n=3  P=1 D=2  NPS = -33.33
#   2025-W03 Utrecht  7, 10, 9    n=3  P=2 D=0  NPS =  66.67 (the empty score skipped)
#   responses 13, used 12, skipped: 1 empty score.
# Read as a department export (cxcase panel --units region): 13 rows over
# 14 days x 2 regions; score n=12 (1 missing) min 3 mean 90/12 = 7.5 max 10;
# weight n=13 min 0.5 mean 19/13 = 1.4615... max 3; comment n=11 (2 missing).
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

D=tests/cli/data/dialects
NPS='--by period,region --period week --json'

# ---- the baseline and its numbers -----------------------------------------
# shellcheck disable=SC2086
"$CXCASE" nps $D/comma-lf.csv $NPS >"$tmp/base.json" 2>"$tmp/base.err"
rc=$?
printf 'note: skipped 1 responses with an empty score\n' >"$tmp/base.err.expected"
if [ "$rc" -eq 0 ] && cmp -s "$tmp/base.err" "$tmp/base.err.expected"; then
    ok "baseline comma-lf.csv: exit 0, one empty score noted"
else
    not_ok "baseline comma-lf.csv: exit $rc $(trouble "$rc" "$tmp/base.err")"
    show "$tmp/base.err"
fi
"$PYTHON" - "$tmp/base.json" >"$tmp/check" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
want_groups = [  # (week, region, n, nps)
    ('2025-W02', 'Fryslân', 3, 0.0),
    ('2025-W02', 'Utrecht', 3, 100 / 3),
    ('2025-W03', 'Fryslân', 3, -100 / 3),
    ('2025-W03', 'Utrecht', 3, 200 / 3),
]
bad = []
if (d.get('responses'), d.get('used')) != (13, 12):
    bad.append('responses/used %r/%r, expected 13/12' % (d.get('responses'), d.get('used')))
if d.get('skipped') != {'missing_score': 1, 'missing_key': 0, 'invalid': 0}:
    bad.append('skipped %r, expected 1 missing score' % d.get('skipped'))
got = [(g['keys'].get('period'), g['keys'].get('region'), g.get('n'), g.get('nps'))
       for g in d.get('groups', [])]
if len(got) != len(want_groups):
    bad.append('%d groups, expected 4: %r' % (len(got), got))
for w, g in zip(want_groups, got):
    if g[:3] != w[:3] or g[3] is None or abs(g[3] - w[3]) > 1e-9:
        bad.append('group %r, expected %r' % (g, w))
if bad:
    sys.exit('\n'.join(bad))
EOF
py_rc=$?
if [ "$py_rc" -eq 0 ] && [ ! -s "$tmp/check" ]; then
    ok "baseline: n and NPS per week x region as computed by hand"
else
    not_ok "baseline: n and NPS per week x region"
    show "$tmp/check"
fi

# ---- every dialect gives the same output as the baseline ------------------
# $1 file, $2 extra options; compares stdout and stderr of nps with the baseline
same_nps() {
    f=$D/$1
    # shellcheck disable=SC2086
    "$CXCASE" nps "$f" $NPS ${2:-} >"$tmp/out" 2>"$tmp/err"
    rc=$?
    why=$(trouble "$rc" "$tmp/err")
    if [ -z "$why" ] && [ "$rc" -ne 0 ]; then
        why="exit status $rc"
    elif [ -z "$why" ] && ! cmp -s "$tmp/out" "$tmp/base.json"; then
        why="stdout differs from comma-lf.csv"
    elif [ -z "$why" ] && ! cmp -s "$tmp/err" "$tmp/base.err"; then
        why="stderr differs from comma-lf.csv"
    fi
    if [ -z "$why" ]; then
        ok "nps $1${2:+ $2}: same as the baseline"
    else
        not_ok "nps $1${2:+ $2}: $why"
        echo "#   stderr:"
        show "$tmp/err"
        if [ -s "$tmp/out" ]; then
            echo "#   stdout diff (baseline first):"
            diff "$tmp/base.json" "$tmp/out" | sed 's/^/#     /' | head -n 40
        fi
    fi
}
same_nps comma-crlf.csv
same_nps utf8-bom.csv
same_nps semicolon-decimal-comma.csv
same_nps tab.tsv
same_nps excel-nl.csv
same_nps windows-1252.csv '--encoding windows-1252'
same_nps quoted-empty.csv
same_nps no-final-newline.csv
same_nps blank-line-at-end.csv
same_nps crlf-blank-lines-at-end.csv
# forcing the separator and the decimal mark
same_nps comma-lf.csv '--sep ,'
same_nps comma-lf.csv '--sep comma --decimal .'
same_nps excel-nl.csv '--sep ;'
same_nps semicolon-decimal-comma.csv '--sep semicolon --decimal ,'
same_nps tab.tsv '--sep tab'
same_nps semicolon-comma-header.csv '--sep ;'
same_nps semicolon-decimal-point.csv '--decimal .'

# ---- the whole table, read as a department export ------------------------
# cxcase panel reads every column: numbers with their decimal mark, the
# comments with their commas, quotes, semicolons and newlines.  Each file is
# copied to the same name so that the summary (which names the file) can be
# compared; -o writes the table back as RFC 4180 CSV.
cat >"$tmp/panel.expected" <<'EOF'
date,region,score,weight,comment
2025-01-06,Fryslân,8,1,"Late
second line"
2025-01-09,Fryslân,3,0.5,Never again
2025-01-12,Fryslân,10,2,
2025-01-13,Fryslân,9,1,Dank je wel
2025-01-16,Fryslân,5,2,"Meh;
""so-so"""
2025-01-18,Fryslân,4,1,
2025-01-06,Utrecht,10,1.5,"Fast, friendly delivery"
2025-01-07,Utrecht,9,1,Great
2025-01-08,Utrecht,6,2.25,"Parcel was ""damaged"""
2025-01-13,Utrecht,7,1,OK
2025-01-14,Utrecht,,1,No score given
2025-01-15,Utrecht,10,1.75,Top; really
2025-01-19,Utrecht,9,3,Quick
EOF
mkdir "$tmp/p"
# $1 file, $2 extra options; writes $tmp/p/out.json and $tmp/p/out.csv
panel() {
    rm -f "$tmp/p/data.csv" "$tmp/p/out.csv"
    cp "$D/$1" "$tmp/p/data.csv"
    # shellcheck disable=SC2086
    (cd "$tmp/p" && "$CXCASE" panel data.csv --units region --json -o out.csv ${2:-} \
        >out.json 2>err)
}
panel comma-lf.csv
rc=$?
cp "$tmp/p/out.json" "$tmp/panel-base.json"
if [ "$rc" -eq 0 ] && [ ! -s "$tmp/p/err" ] && cmp -s "$tmp/p/out.csv" "$tmp/panel.expected"; then
    ok "panel comma-lf.csv -o: every cell read back as written"
else
    not_ok "panel comma-lf.csv -o: exit $rc"
    show "$tmp/p/err"
    [ -f "$tmp/p/out.csv" ] && diff "$tmp/panel.expected" "$tmp/p/out.csv" | sed 's/^/#     /'
fi
"$PYTHON" - "$tmp/panel-base.json" >"$tmp/check" 2>&1 <<'EOF'
import json, sys
d = json.load(open(sys.argv[1], encoding='utf-8'))
bad = []
p = d.get('periods', {})
if (p.get('kind'), p.get('first'), p.get('last'), p.get('count')) != ('day', '2025-01-06', '2025-01-19', 14):
    bad.append('periods %r' % p)
if (d.get('units'), d.get('rows')) != (2, 13):
    bad.append('units/rows %r/%r, expected 2/13' % (d.get('units'), d.get('rows')))
cols = {c.get('name'): c for c in d.get('columns', [])}
want = {'score': (12, 1, 3, 7.5, 10), 'weight': (13, 0, 0.5, 19 / 13, 3),
        'comment': (11, 2, None, None, None)}
for name, w in want.items():
    c = cols.get(name, {})
    g = tuple(c.get(k) for k in ('n', 'missing', 'min', 'mean', 'max'))
    if g[:3] != w[:3] or g[4] != w[4] or (w[3] is None) != (g[3] is None) or \
            (w[3] is not None and abs(g[3] - w[3]) > 1e-12):
        bad.append('column %s: %r, expected %r' % (name, g, w))
if bad:
    sys.exit('\n'.join(bad))
EOF
py_rc=$?
if [ "$py_rc" -eq 0 ] && [ ! -s "$tmp/check" ]; then
    ok "panel comma-lf.csv --json: counts, minimum, mean and maximum as computed by hand"
else
    not_ok "panel comma-lf.csv --json"
    show "$tmp/check"
fi
# $1 file, $2 extra options.  Line ends inside quoted fields are kept as they
# are in the file (CRLF in comma-crlf.csv), so CRs are ignored in the compare.
same_panel() {
    panel "$1" "${2:-}"
    rc=$?
    why=""
    if [ "$rc" -ne 0 ]; then
        why="exit status $rc $(trouble "$rc" "$tmp/p/err")"
    elif [ -s "$tmp/p/err" ]; then
        why="unexpected stderr"
    elif ! cmp -s "$tmp/p/out.json" "$tmp/panel-base.json"; then
        why="the --json summary differs from comma-lf.csv"
    elif ! tr -d '\r' <"$tmp/p/out.csv" | cmp -s - "$tmp/panel.expected"; then
        why="the -o table differs from comma-lf.csv"
    fi
    if [ -z "$why" ]; then
        ok "panel $1${2:+ $2}: same table and summary as the baseline"
    else
        not_ok "panel $1${2:+ $2}: $why"
        show "$tmp/p/err"
        [ -f "$tmp/p/out.csv" ] && tr -d '\r' <"$tmp/p/out.csv" | diff "$tmp/panel.expected" - |
            sed 's/^/#     /' | head -n 40
        diff "$tmp/panel-base.json" "$tmp/p/out.json" | sed 's/^/#     /' | head -n 40
    fi
}
same_panel comma-crlf.csv
same_panel utf8-bom.csv
same_panel semicolon-decimal-comma.csv
same_panel tab.tsv
same_panel excel-nl.csv
same_panel windows-1252.csv '--encoding windows-1252'
same_panel quoted-empty.csv
same_panel no-final-newline.csv
same_panel blank-line-at-end.csv
same_panel crlf-blank-lines-at-end.csv
same_panel semicolon-decimal-point.csv '--decimal .'
same_panel excel-nl.csv '--sep ; --decimal ,'
# the CRLF inside quoted fields of comma-crlf.csv is kept as written
panel comma-crlf.csv
if grep -q "$(printf 'Late\r$')" "$tmp/p/out.csv"; then
    ok "panel comma-crlf.csv: a CRLF inside a quoted field is kept"
else
    not_ok "panel comma-crlf.csv: the CRLF inside \"Late<CRLF>second line\" was not kept"
fi

# ---- detection needs help, bad options -------------------------------------
# $1 description, $2 expected exit status, $3 expected stderr ('' = do not
# compare), then the command line
expect() {
    what=$1 want_rc=$2 want_err=$3
    shift 3
    "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    why=$(trouble "$rc" "$tmp/err")
    if [ -z "$why" ] && [ "$rc" -ne "$want_rc" ]; then
        why="exit status $rc, expected $want_rc"
    elif [ -z "$why" ] && [ -n "$want_err" ] && [ "$(cat "$tmp/err")" != "$want_err" ]; then
        why="stderr differs"
    elif [ -z "$why" ] && [ -s "$tmp/out" ]; then
        why="stdout is not empty"
    fi
    if [ -z "$why" ]; then
        ok "$what"
    else
        not_ok "$what: $why"
        [ -n "$want_err" ] && printf '#   expected:\n#     %s\n' "$want_err"
        echo "#   actual:"
        show "$tmp/err"
    fi
}
# shellcheck disable=SC2086
expect "semicolon-comma-header.csv without --sep is misread (',' wins the header vote)" 65 '' \
    nps $D/semicolon-comma-header.csv $NPS
# shellcheck disable=SC2086
expect "--sep ';' forced on a ',' file is used (the file is then malformed)" 65 '' \
    nps $D/comma-lf.csv $NPS --sep ';'
# shellcheck disable=SC2086
expect "windows-1252.csv without --encoding: exit 65" 65 \
    "$D/windows-1252.csv:5:17: error: expected UTF-8 text, found byte 0xE2; if the file was saved by Excel as \"CSV\", try --encoding windows-1252" \
    nps $D/windows-1252.csv $NPS
U="; see 'cxcase nps --help'"
# shellcheck disable=SC2086
expect "--sep x: exit 64" 64 "cxcase nps: error: --sep takes ',', ';' or 'tab', not 'x'$U" \
    nps $D/comma-lf.csv $NPS --sep x
# shellcheck disable=SC2086
expect "--sep '|': exit 64" 64 "cxcase nps: error: --sep takes ',', ';' or 'tab', not '|'$U" \
    nps $D/comma-lf.csv $NPS --sep '|'
# shellcheck disable=SC2086
expect "--sep '': exit 64" 64 "cxcase nps: error: --sep takes ',', ';' or 'tab', not ''$U" \
    nps $D/comma-lf.csv $NPS --sep ''
# shellcheck disable=SC2086
expect "--sep ';;': exit 64" 64 "cxcase nps: error: --sep takes ',', ';' or 'tab', not ';;'$U" \
    nps $D/comma-lf.csv $NPS --sep ';;'
expect "panel --sep x: exit 64" 64 \
    "cxcase panel: error: --sep takes ',', ';' or 'tab', not 'x'; see 'cxcase panel --help'" \
    panel $D/comma-lf.csv --sep x
# shellcheck disable=SC2086
expect "--decimal x: exit 64" 64 "cxcase nps: error: --decimal takes '.' or ',', not 'x'$U" \
    nps $D/comma-lf.csv $NPS --decimal x
# shellcheck disable=SC2086
expect "--encoding latin9: exit 64" 64 \
    "cxcase nps: error: --encoding takes 'utf-8' or 'windows-1252', not 'latin9'$U" \
    nps $D/comma-lf.csv $NPS --encoding latin9
# shellcheck disable=SC2086
expect "--decimal , on a ',' file: exit 64" 64 \
    "$D/comma-lf.csv: error: a decimal comma needs a ';' or tab separator, not ','" \
    nps $D/comma-lf.csv $NPS --decimal ,

exit "$failed"
