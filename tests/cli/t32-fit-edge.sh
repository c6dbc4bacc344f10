#!/bin/sh
# tests/cli/t32-fit-edge.sh - the edge cases an independent check against R
# found (issue 11, part 8), where a value is involved; their messages are in
# the corpus of t30-fit-bad.sh.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t32-fit-edge.sh
#
# - Column names with spaces and parentheses, quoted with backticks in -x
#   and in a specification, fit exactly as the same data with plain names;
#   the fitted model's term names go back through simulate unchanged.
# - A yearly panel (bare years, or one date a year): lag(x, 1) reads the
#   year before and --holdout 2 holds out two years of every unit; simulate,
#   which projects quarters, refuses yearly data in words.
# - Month-end dates are a monthly series: simulate gives what the same data
#   written as months give.
# - C(cyl) with --text cyl fits the dummy columns of cyl 6 and 8; simulate
#   takes --text too.
#
# Data: tests/cli/data/edge/.  Prints "ok - ..." or "not ok - ..." per check
# and exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"
d=tests/cli/data/edge

# Run cxcase with the given arguments, stdout to $tmp/$1; a failure is
# reported (and returns 1).
run() { # $1 output name, then the arguments
    out=$1
    shift
    "$CXCASE" "$@" >"$tmp/$out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -ne 0 ] || [ -n "$(trouble "$rc" "$tmp/err")" ]; then
        not_ok "cxcase $*: exit status $rc"
        show "$tmp/err"
        return 1
    fi
    return 0
}

# The coefficients of two fitted models (--json) agree to 1e-12, term by
# term in order; $3 maps the first's names to the second's (a sed script).
same_fit() { # $1 $2 JSON files, $3 sed script, $4 what
    "$PYTHON" - "$1" "$2" "$3" <<'PY' >"$tmp/cmp" 2>&1
import json, re, subprocess, sys
a, b = (json.load(open(f)) for f in sys.argv[1:3])
ok = len(a["equations"]) == len(b["equations"])
for ea, eb in zip(a["equations"], b["equations"]):
    for ta, tb in zip(ea["terms"], eb["terms"]):
        name = subprocess.run(["sed", sys.argv[3]], input=ta["name"], capture_output=True, text=True).stdout
        if name != tb["name"] or abs(ta["coef"] - tb["coef"]) > 1e-12 * max(1, abs(tb["coef"])):
            print(f"{ta['name']} = {ta['coef']!r}, expected {tb['name']} = {tb['coef']!r}")
            ok = False
    ok = ok and len(ea["terms"]) == len(eb["terms"])
sys.exit(0 if ok else 1)
PY
    if [ $? -eq 0 ]; then ok "$4"; else not_ok "$4"; show "$tmp/cmp"; fi
}

# ---- backticks -------------------------------------------------------------
names='s/`Handling time (s)`/handling_time_s/g; s/`Omzet excl. btw`/omzet_excl_btw/g; s/`Regio naam`/regio_naam/g'
if run spaced.json fit $d/spaced.csv --model $d/spaced.json --json &&
    run plain.json fit $d/plain.csv --model $d/plain.json --json; then
    same_fit "$tmp/spaced.json" "$tmp/plain.json" "$names" \
        "a specification with \`Handling time (s)\`, log(\`Omzet excl. btw\`), C(\`Regio naam\`) and an interaction fits as plain names do"
fi
if run x-spaced.json fit $d/spaced.csv -y nps -x '`Handling time (s)`,C(`Regio naam`)' --json &&
    run x-plain.json fit $d/plain.csv -y nps -x 'handling_time_s,C(regio_naam)' --json; then
    same_fit "$tmp/x-spaced.json" "$tmp/x-plain.json" "$names" "-x '\`Handling time (s)\`,C(\`Regio naam\`)' fits as plain names do"
fi
if run x-comma.json fit $d/spaced.csv -y revenue -x 'lag(nps, 1),log(`Omzet excl. btw`)' --json &&
    run x-comma-plain.json fit $d/plain.csv -y revenue -x 'lag(nps, 1),log(omzet_excl_btw)' --json; then
    same_fit "$tmp/x-comma.json" "$tmp/x-comma-plain.json" "$names" "-x splits 'lag(nps, 1),log(\`Omzet excl. btw\`)' into its two terms"
fi

# simulate: a fitted model with quoted names equals the plain specification refitted
scenario() { # $1 data file, $2 model, $3 metric; the scenario on stdout
    cat <<EOF
{"name": "edge", "currency": "EUR",
 "data": [{"file": "$TOP/$1", "kind": "metrics"}],
 "model": "$2",
 "baseline": {"window_periods": 8},
 "finance": {"start": "2025Q1", "horizon_quarters": 4, "discount_rate": 0.08, "gross_margin": 0.35},
 "initiatives": [{"id": "faster", "name": "Faster handling",
   "effects": [{"metric": "$3", "change": -30, "start": "2025Q1", "ramp_quarters": 1}],
   "costs": [{"kind": "capex", "amount": 10000, "quarter": "2025Q1"}]}],
 "simulation": {"draws": 200, "seed": 1}}
EOF
}
# The base NPV of two simulate --json results agree to 1e-9.
same_npv() { # $1 $2 JSON files, $3 what
    "$PYTHON" - "$1" "$2" <<'PY' >"$tmp/cmp" 2>&1
import json, sys
a, b = (json.load(open(f))["scenarios"][0]["npv"]["base"] for f in sys.argv[1:3])
print(f"NPV {a!r} and {b!r}")
sys.exit(0 if a != 0 and abs(a - b) <= 1e-9 * abs(b) else 1)
PY
    if [ $? -eq 0 ]; then ok "$3"; else not_ok "$3"; show "$tmp/cmp"; fi
}
if run fitted.json fit $d/spaced.csv --model $d/spaced.json -o "$tmp/fitted-spaced.json" >/dev/null; then
    scenario $d/spaced.csv "$tmp/fitted-spaced.json" 'Handling time (s)' >"$tmp/s1.json"
    scenario $d/plain.csv "$TOP/$d/plain.json" handling_time_s >"$tmp/s2.json"
    if run sim1.json simulate "$tmp/s1.json" --json && run sim2.json simulate "$tmp/s2.json" --json; then
        same_npv "$tmp/sim1.json" "$tmp/sim2.json" \
            "simulate reads the quoted term names of a fitted model back: the NPV of the plain names refitted"
    fi
fi

# ---- yearly data -----------------------------------------------------------
for f in years yearly-dates; do
    if run y-$f fit $d/$f.csv -y y -x 'x,lag(x, 1)' --holdout 2; then
        n=$(sed -n 's/^n = \([0-9]*\).*/\1/p' "$tmp/y-$f")
        held=$(sed -n 's/^Forecast errors on \([0-9]*\) held-out rows.*/\1/p' "$tmp/y-$f")
        coef=$(awk '$1 == "lag(x," { print $3 }' "$tmp/y-$f")
        # 3 units x 14 years: the first year of each has no lag, the last two are held out
        if [ "$n" = 33 ] && [ "$held" = 6 ] && awk -v c="$coef" 'BEGIN { exit !(c > 1.9 && c < 2.1) }'; then
            ok "$f.csv: lag(x, 1) reads the year before (coefficient $coef, truth 2) and --holdout 2 holds out two years (6 rows)"
        else
            not_ok "$f.csv: n = $n (expected 33), $held held-out rows (expected 6), lag coefficient $coef (truth 2)"
            show "$tmp/y-$f"
        fi
    fi
done
scenario $d/years.csv "$TOP/$d/years.json" x >"$tmp/sy.json"
"$CXCASE" simulate "$tmp/sy.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
want="error: the data have one period a year; a scenario is projected quarter by quarter and needs data by quarter, month, week or day"
if [ "$rc" -eq 65 ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -s "$tmp/out" ]; then
    ok "simulate refuses yearly data in words (exit 65)"
else
    not_ok "simulate on yearly data: exit $rc (expected 65)"
    show "$tmp/err"
fi

# ---- month-end dates are a monthly series ----------------------------------
scenario $d/month-ends.csv "$TOP/$d/lagged.json" handling_time_s >"$tmp/m1.json"
scenario $d/months.csv "$TOP/$d/lagged.json" handling_time_s >"$tmp/m2.json"
if run me.json fit $d/month-ends.csv --model $d/lagged.json --json &&
    run mo.json fit $d/months.csv --model $d/lagged.json --json; then
    same_fit "$tmp/me.json" "$tmp/mo.json" "" "month-end dates fit as months: lag(nps, 1) is the month before"
fi
if run sm1.json simulate "$tmp/m1.json" --json && run sm2.json simulate "$tmp/m2.json" --json; then
    same_npv "$tmp/sm1.json" "$tmp/sm2.json" "simulate projects month-end dates as months"
fi

# ---- C(cyl) with --text cyl ------------------------------------------------
if run cyl.json fit $d/cyl.csv -y mpg -x 'wt,C(cyl)' --text cyl --json &&
    run dummies.json fit $d/cyl.csv -y mpg -x wt,cyl6,cyl8 --json; then
    same_fit "$tmp/cyl.json" "$tmp/dummies.json" 's/C(cyl)\[\([68]\)\]/cyl\1/' "C(cyl) with --text cyl fits the dummies of cyl 6 and 8"
fi

# ...and in simulate, whose data come from the scenario: regions coded 10, 20
scenario $d/month-codes.csv "$TOP/$d/lagged.json" handling_time_s >"$tmp/c1.json"
"$CXCASE" simulate "$tmp/c1.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
want="$TOP/$d/lagged.json: /equations/0/terms/1: error: expected a text column for C(region), found the numeric column 'region'; to use its values as levels, read it as text with --text region"
if [ "$rc" -eq 65 ] && [ "$(cat "$tmp/err")" = "$want" ]; then
    ok "simulate: C(region) of codes suggests --text region"
else
    not_ok "simulate: C(region) of codes: exit $rc (expected 65)"
    show "$tmp/err"
fi
if run sc1.json simulate "$tmp/c1.json" --text region --json; then
    same_npv "$tmp/sc1.json" "$tmp/sm2.json" "simulate --text region reads region codes as levels: the NPV of the named regions"
fi

exit "$failed"
