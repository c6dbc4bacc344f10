#!/bin/sh
# tests/cli/t50-exports.sh - one business's exports, written five ways, give
# the same results, byte for byte, through every command.
#
#   CXCASE=build/rel/cxcase PYTHON=/usr/bin/python3 sh tests/cli/t50-exports.sh
#
# tests/cli/data/exports/ (see README.md there) holds 5 stores x 36 months
# of four departments (logistics, service, web, finance) and 7,200 survey
# responses, written as
#   clean/       ISO dates, ',' and decimal points, LF, UTF-8
#   nl-excel/    Dutch Excel: sep=; first, ';', decimal commas, '.' thousands,
#                '€ 1.171.610,75', day-first dates 1-1-2022 and date-times,
#                trailing ';;', rows of empty cells, CRLF, windows-1252 (one
#                file UTF-8 with a BOM, read under the same option)
#   en-excel/    English Excel: "€1,171,610.75" quoted, month-first dates
#                1/1/2022 (no cell decides: --date-format), header spaces
#   accounting/  (9.007,04) EUR and 9.007,04- EUR negatives, 2,64% percentages,
#                dates 01.01.2022
#   renamed/     each department's own Dutch column names, the store column
#                'vestiging' in some files and 'winkel' in others, the score
#                'cijfer': mapped by "columns" in the scenario, --rename here
# Each variant's directory holds its scenario.json and `args`, the options
# its files need on the command line.  For every variant, from the
# repository root:
#   panel -o        the panel as CSV: the same bytes as clean's
#   fit --json      the fitted model without its provenance (file names and
#                   their SHA-256, the time): the same bytes as clean's
#   check --json    the same bytes as clean's
#   simulate --json the same bytes as clean's
#   report --json   the same bytes as clean's simulate --json, and a workbook
# and every command's stderr is the variant's notes (the date-times of
# nl-excel and en-excel: the times are ignored, and said), nothing else.
# Then the clean variant's values against the generator's (real values, not
# just agreement), and the refusals a user meets on the way (an ambiguous
# date without --date-format, unit columns named differently without a
# mapping, windows-1252 read as UTF-8).
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

E=tests/cli/data/exports
FILES="logistics.csv service.csv web.csv finance.csv"

# files VARIANT: the department files of a variant, as paths from $TOP
files() {
    for f in $FILES; do printf '%s ' "$E/$1/$f"; done
}

# expect_err VARIANT COMMAND: stderr of the last run ($tmp/err) must be the
# variant's notes
expect_err() {
    if [ -f "$E/$1/notes.expected" ]; then
        cp "$E/$1/notes.expected" "$tmp/notes"
    else
        : >"$tmp/notes"
    fi
    if ! cmp -s "$tmp/err" "$tmp/notes"; then
        not_ok "$1: $2: stderr is not the variant's notes"
        show "$tmp/err"
        return 1
    fi
    return 0
}

# run VARIANT NAME OUT COMMAND...: run cxcase, stdout to OUT; checks the
# exit status and stderr; the caller compares OUT
run() {
    v=$1 name=$2 out=$3
    shift 3
    "$CXCASE" "$@" >"$out" 2>"$tmp/err"
    rc=$?
    t=$(trouble "$rc" "$tmp/err")
    if [ -n "$t" ] || [ "$rc" -ne 0 ]; then
        not_ok "$v: $name: ${t:-exit status $rc}"
        show "$tmp/err"
        return 1
    fi
    expect_err "$v" "$name" || return 1
    [ "$v" = clean ] && ok "clean: $name: exit 0, no message but its notes"
    return 0
}

# same VARIANT NAME FILE: FILE must equal clean's
same() {
    if cmp -s "$3" "$tmp/clean.$2"; then
        ok "$1: $2: the same bytes as clean"
    else
        not_ok "$1: $2: differs from clean"
        diff "$tmp/clean.$2" "$3" | head -n 20 | sed 's/^/#     /'
    fi
}

# the fitted model without its provenance (file names, hashes, time)
strip_provenance() {
    "$PYTHON" -c 'import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d.pop("provenance")
sys.stdout.write(json.dumps(d, indent=1, ensure_ascii=False) + "\n")' "$1"
}

for v in clean nl-excel en-excel accounting renamed; do
    args=$(cat "$E/$v/args")
    # shellcheck disable=SC2046,SC2086 # split on purpose
    run "$v" panel "$tmp/$v.panel.out" panel $(files "$v") --responses "$E/$v/responses.csv" $args \
        -o "$tmp/$v.panel" && [ "$v" != clean ] && same "$v" panel "$tmp/$v.panel"
    # shellcheck disable=SC2046,SC2086
    if run "$v" fit "$tmp/$v.fit.json" fit $(files "$v") --responses "$E/$v/responses.csv" $args \
        --model "$E/model.json" --json; then
        strip_provenance "$tmp/$v.fit.json" >"$tmp/$v.fit"
        [ "$v" != clean ] && same "$v" fit "$tmp/$v.fit"
    fi
    run "$v" check "$tmp/$v.check" check "$E/$v/scenario.json" --json && [ "$v" != clean ] &&
        same "$v" check "$tmp/$v.check"
    run "$v" simulate "$tmp/$v.simulate" simulate "$E/$v/scenario.json" --json && [ "$v" != clean ] &&
        same "$v" simulate "$tmp/$v.simulate"
    if run "$v" report "$tmp/$v.report" report "$E/$v/scenario.json" -o "$tmp/$v.xlsx" --json; then
        cp "$tmp/$v.report" "$tmp/$v.simulate.report"
        if cmp -s "$tmp/$v.report" "$tmp/clean.simulate" && [ -s "$tmp/$v.xlsx" ]; then
            ok "$v: report: the workbook written, its result the same bytes as clean's simulate"
        else
            not_ok "$v: report: no workbook, or its result differs from clean's simulate"
        fi
    fi
done

# ---- the workbook speaks of the data's months and stores -------------------
"$PYTHON" - "$tmp/clean.xlsx" >"$tmp/words" 2>&1 <<'EOF'
import sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
s1 = wb["S1 Delivery"]
want = {"A6": "Months in the quarter (periods of the data)", "A7": "Units (store)",
        "A13": "How each change reaches NPS and revenue (coefficient chains, lags in months)",
        "A20": "Change in NPS (mean over units and months)", "A21": "Change in revenue (sum over units and months)"}
bad = ["%s: %r, not %r" % (k, s1[k].value, v) for k, v in want.items() if s1[k].value != v]
texts = [c.value for ws in wb.worksheets if ws.title != "Data" for row in ws.iter_rows() for c in row
         if isinstance(c.value, str)]
bad += ["says %r" % t for t in texts if "week" in t.lower() or "region" in t.lower()]
print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
if [ $? -eq 0 ]; then
    ok "the workbook of monthly data by store says months and store, never weeks or regions"
else
    not_ok "the workbook of monthly data by store says months and store"
    show "$tmp/words"
fi

# ---- the clean variant's values, as the generator wrote them ---------------
"$PYTHON" - "$tmp/clean.panel" "$tmp/clean.fit" "$tmp/clean.simulate" "$tmp/clean.check" >"$tmp/check" 2>&1 <<'EOF'
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding='utf-8')))
bad = []
def want(what, got, exp):
    if got != exp:
        bad.append('%s: %r, expected %r' % (what, got, exp))
want('panel rows', len(rows), 180)
want('panel columns', list(rows[0])[:5], ['month', 'store', 'delivery_days', 'shipments', 'handling_time_s'])
first = rows[0]
want('first row', (first['month'], first['store']), ('2022-01-01', 'Amsterdam'))
# the generator's first values: € 1.231.610,75, 9.007,04- EUR and 33,78% in the
# other variants (a percentage stays in percentage points)
want('revenue', float(first['revenue']), 1231610.75)
want('returns', float(first['returns']), -9007.04)
want('margin', float(first['margin']), 33.78)
want('responses per store and month', {r['nps_n'] for r in rows}, {'40'})
want('months per store', sum(1 for r in rows if r['store'] == 'Utrecht'), 36)
fit = json.load(open(sys.argv[2], encoding='utf-8'))
eq = {e['target']: e for e in fit['equations']}
want('equations', sorted(eq), ['nps', 'revenue'])
want('nps rows', eq['nps']['n'], 180)
want('revenue rows (a lag of one month)', eq['revenue']['n'], 175)
coef = {t['name']: t for t in eq['nps']['terms']}
# the truth the generator used: -15 NPS points per day of delivery, +12 per
# point of conversion; each must lie in its 95% interval
for name, truth in (('delivery_days', -15.0), ('conversion', 12.0)):
    t = coef[name]
    if not t['ci_low'] <= truth <= t['ci_high']:
        bad.append('%s: %g not in [%g, %g]' % (name, truth, t['ci_low'], t['ci_high']))
sim = json.load(open(sys.argv[3], encoding='utf-8'))
want('scenarios', [s['name'] for s in sim['scenarios']], ['Delivery', 'Both'])
want('horizon', (sim['start'], sim['end']), ('2025Q1', '2026Q4'))
want('result warnings name no file', [w for w in sim['warnings'] if '.csv' in w], [])
chk = json.load(open(sys.argv[4], encoding='utf-8'))
want('check', (chk['ok'], chk['warnings']), (True, []))
if bad:
    sys.exit('\n'.join(bad))
EOF
if [ $? -eq 0 ] && [ ! -s "$tmp/check" ]; then
    ok "clean: the panel holds the generator's values, the fit recovers its truth, simulate and check as expected"
else
    not_ok "clean: values"
    show "$tmp/check"
fi

# ---- what a user meets without the options ------------------------------
# refuse NAME EXIT EXPECTED COMMAND...: the exact stderr line and exit status
refuse() {
    name=$1 want_rc=$2 want=$3
    shift 3
    "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    printf '%s\n' "$want" >"$tmp/want"
    t=$(trouble "$rc" "$tmp/err")
    if [ -z "$t" ] && [ "$rc" -eq "$want_rc" ] && cmp -s "$tmp/err" "$tmp/want" && [ ! -s "$tmp/out" ]; then
        ok "refused: $name"
    else
        not_ok "refused: $name${t:+: $t} (exit $rc, expected $want_rc)"
        echo "#   expected:"
        show "$tmp/want"
        echo "#   actual:"
        show "$tmp/err"
    fi
}
# shellcheck disable=SC2046
refuse "en-excel without --date-format" 65 \
    "$E/en-excel/logistics.csv:2:1: error: expected dates in column 'month' whose order of day and month is clear, found only dates that fit both, as '1/1/2022'; a ',' or tab file has no rule: give the order with --date-format %d/%m/%Y (day first) or --date-format %m/%d/%Y (month first)" \
    panel $(files en-excel)
refuse "nl-excel read as UTF-8" 65 \
    "$E/nl-excel/finance.csv:3:20: error: expected UTF-8 text, found byte 0x80; if the file was saved by Excel as \"CSV\", try --encoding windows-1252" \
    panel "$E/nl-excel/finance.csv"
refuse "renamed without the unit mapping" 65 \
    "$E/renamed/logistics.csv:3: error: expected the unit columns to have one name in every file, found 'vestiging' here and 'winkel' in $E/renamed/web.csv (the rows of a period repeat without a unit to tell them apart); map them to one name: --rename winkel=vestiging (in a scenario, \"columns\": {\"winkel\": \"vestiging\"} on the source of $E/renamed/web.csv)" \
    panel "$E/renamed/logistics.csv" "$E/renamed/web.csv"
# shellcheck disable=SC2046
refuse "renamed: four files, two names for the stores, no mapping" 65 \
    "$E/renamed/service.csv: error: expected the unit columns to have one name in every file, found 'vestiging' here and 'winkel' in $E/renamed/web.csv; map them to one name: --rename winkel=vestiging (in a scenario, \"columns\": {\"winkel\": \"vestiging\"} on the source of $E/renamed/web.csv)" \
    panel $(files renamed)
refuse "a mapping of a column no file has" 64 \
    "error: --rename levertijdagen=delivery_days: expected a column 'levertijdagen' in one of the files, found none; did you mean 'levertijd_dagen'? (their columns: maand, vestiging, levertijd_dagen, zendingen)" \
    panel "$E/renamed/logistics.csv" --rename levertijdagen=delivery_days

# ---- check warns about a horizon inside the data or long after them --------
for start in 2024Q3 2028Q1; do
    sed "s|\"start\": \"2025Q1\"|\"start\": \"$start\"|; s|\"file\": \"|\"file\": \"$TOP/$E/clean/|; s|\"model\": \"|\"model\": \"$TOP/$E/clean/|; s|\"2025Q[1-4]\"|\"$start\"|g; s|\"2026Q4\"|\"$start\"|g" \
        "$E/clean/scenario.json" >"$tmp/horizon-$start.json"
done
"$CXCASE" check "$tmp/horizon-2024Q3.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
want="warning: the horizon starts in 2024Q3, inside the data, which run to 2024-12 (2024Q4): its baselines are the last periods of the data, so the plan's quarters up to 2024Q4 overlap them"
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/err")" = "$want" ]; then
    ok "check warns about a horizon that starts inside the data"
else
    not_ok "check warns about a horizon that starts inside the data (exit $rc)"
    show "$tmp/err"
fi
"$CXCASE" check "$tmp/horizon-2028Q1.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
want="warning: the horizon starts in 2028Q1, 12 quarters after the data end (2024-12, in 2024Q4): the baselines are 3 years old by then"
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/err")" = "$want" ]; then
    ok "check warns about a horizon that starts years after the data"
else
    not_ok "check warns about a horizon that starts years after the data (exit $rc)"
    show "$tmp/err"
fi

exit "$failed"
