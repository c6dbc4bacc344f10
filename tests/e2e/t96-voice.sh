#!/bin/sh
# t96-voice.sh - `cxcase voice` against an independent implementation and
# against the themes planted in the samples.
#
#   - tests/e2e/voice_reference.py (Python's standard library only) cuts the
#     same comments into terms and computes Fightin' Words for every term:
#     the same terms in the same order, equal counts, z and delta within
#     1e-10, the same quotes; on samples/responses.csv by category (detractor
#     against promoter), by touchpoint (each against the rest), by region
#     with --compare and --prior, and the detractors of the worst
#     delivery_days weeks; and on a small file of hard text (accents, upper
#     case beyond ASCII, decomposed accents, curly apostrophes, hyphens,
#     numbers, tabs, line breaks inside a comment, a comment starting '=').
#   - the planted themes (samples/README.md, "Themes in the comments") rank
#     in the top 5 of the worst cells' detractors for each driver.
#   - hand-worked terms of one comment, and the exit status of usage errors.
#
#   CXCASE=build/rel/cxcase TOP=$PWD PYTHON=/usr/bin/python3 sh tests/e2e/t96-voice.sh
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

ref="$PYTHON tests/e2e/voice_reference.py"
S=samples/responses.csv

# reference LABEL 'CXCASE ARGS' 'REFERENCE ARGS': run both and compare.
reference() {
    label=$1
    set -f
    # shellcheck disable=SC2086 # the arguments are split on purpose
    "$CXCASE" voice $2 --top all --json >"$tmp/v.json" 2>"$tmp/err"
    rc=$?
    set +f
    if [ "$rc" -ne 0 ]; then
        not_ok "$label: cxcase voice exits 0 (exit $rc)"
        show "$tmp/err"
        return
    fi
    set -f
    # shellcheck disable=SC2086
    $ref compare --json "$tmp/v.json" --quotes --label "$label" $3 >"$tmp/cmp" 2>&1
    rc=$?
    set +f
    cat "$tmp/cmp"
    [ "$rc" -eq 0 ] || failed=1
}

# Under the sanitizers the comparisons read the samples' first 20,000
# responses: the same code paths, where the Python reference (most of this
# test's time, and the same in every pass) reads a tenth of the file.
R=$S
if sanitized; then
    R="$tmp/responses-20k.csv"
    head -n 20001 "$S" >"$R"
fi
reference "detractor against promoter, samples" "$R" "--csv $R"
reference "each touchpoint against the rest, samples" "$R --by touchpoint" "--csv $R --by touchpoint"
reference "Fryslân against Zeeland, prior 50, samples" "$R --by region --compare Fryslân,Zeeland --prior 50" \
    "--csv $R --by region --compare Fryslân,Zeeland --prior 50"
reference "detractors of the worst delivery weeks, samples" \
    "$R --metrics samples/logistics.csv --worst delivery_days --where category=detractor" \
    "--csv $R --metrics samples/logistics.csv --worst delivery_days --where category=detractor"

# ---- hard text ---------------------------------------------------------------
H="$tmp/hard.csv"
{
    printf 'date,region,touchpoint,score,comment\n'
    printf '2025-01-06,Utrecht,web,2,"ÉÉN PAKKET, te laat!!  Bezorging\342\200\231s  e-mail didn'"'"'t 40 minutes"\n'
    printf '2025-01-06,Utrecht,web,3,"Ça coûte 19,99 € — trop cher; Straße GROẞ ΩMEGA Привет"\n'
    printf '2025-01-06,Utrecht,web,9,"Snel   geleverd\t(tab) 2e keer: top; cafe\314\201 cafe\314\201"\n'
    printf '2025-01-06,Utrecht,web,10,"=SUM(A1) ""quoted"" word-'"'"'s -dash- '"'"'single'"'"' x"\n'
    printf '2025-01-06,Utrecht,web,5,"line one\nline two te laat"\n'
    printf '2025-01-06,Utrecht,store,10,"Top top TOP, snel geleverd"\n'
    printf '2025-01-06,Utrecht,store,0,"Te laat te laat. Pakket kwijt"\n'
    printf '2025-01-06,Utrecht,store,8,"1) 2) 3,5 — 100%%"\n'
} >"$H"
reference "hard text: detractor against promoter" "$H --prior 3" "--csv $H --prior 3"
reference "hard text: each touchpoint against the rest" "$H --by touchpoint --prior 0.5" \
    "--csv $H --by touchpoint --prior 0.5"

# hand-worked terms: 'ÉÉN PAKKET, te laat!!  Bezorging’s  e-mail didn't 40 minutes'
# words: één pakket | te laat | bezorging's e-mail didn't (stop) | minutes
# (40 is a number: it ends the phrase); phrases need a second word that is
# no stop word: "één pakket", "te laat", "bezorging's e-mail".
"$CXCASE" voice "$H" --top all --json --quotes 1 >"$tmp/h.json" 2>"$tmp/err"
got=$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
terms = sorted(t["term"] for t in d["comparisons"][0]["terms"] if t["quotes"] and t["quotes"][0].startswith("ÉÉN"))
print("|".join(terms))' "$tmp/h.json")
want="bezorging's|bezorging's e-mail|e-mail|laat|minutes|pakket|te laat|één|één pakket"
if [ "$got" = "$want" ]; then
    ok "hand-worked terms of one comment: $want"
else
    not_ok "hand-worked terms of one comment"
    echo "#   got:  $got"
    echo "#   want: $want"
fi

# ---- the planted themes ------------------------------------------------------
# top5 DRIVER-FILE COLUMN[:low] 'THEME WORDS'
top5() {
    "$CXCASE" voice "$S" --metrics "samples/$1" --worst "$2" --where category=detractor --top 5 --quotes 0 \
        --json >"$tmp/t.json" 2>"$tmp/err" || { not_ok "themes of $2: cxcase voice runs"; show "$tmp/err"; return; }
    top=$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
c = d["comparisons"][0]
assert c["group"] == "worst", c["group"]
print(", ".join(t["term"] for t in c["terms"]))' "$tmp/t.json")
    missing=""
    for w in $3; do
        w=$(echo "$w" | tr _ ' ')
        case ", $top, " in
        *", $w, "*) ;;
        *) missing="$missing '$w'" ;;
        esac
    done
    if [ -z "$missing" ]; then
        ok "the planted theme of $2 ranks in the top 5 of the worst cells' detractors: $top"
    else
        not_ok "the planted theme of $2 ranks in the top 5: missing$missing in: $top"
    fi
}
top5 logistics.csv delivery_days "te_laat bezorging pakket"
top5 service.csv handling_time_s "wachttijd klantenservice"
top5 web.csv conversion:low "afrekenen website"

# and the planted themes are not what tells detractors from promoters overall
"$CXCASE" voice "$S" --top 3 --quotes 0 --json >"$tmp/c.json" 2>"$tmp/err"
first=$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" / ".join(c["group"] + ": " + ", ".join(t["term"] for t in c["terms"]) for c in d["comparisons"]))' "$tmp/c.json")
case $first in
"detractor: "*" / promoter: "*) ok "by category: detractor against promoter, then promoter against detractor ($first)" ;;
*) not_ok "by category: the two comparisons ($first)" ;;
esac

# ---- the Voice sheet of the workbook -------------------------------------------
# The samples' scenario in a copy whose first comment starts with '=' (a
# HYPERLINK formula if it were ever written as one): the Voice sheet holds
# the same terms and z-scores as `cxcase voice --top 10`, every term and
# quote is a text cell, the '=' comment is a quote, and no cell of the sheet
# is a formula.
mkdir -p "$tmp/s" "$tmp/models"
cp models/cx_chain.json "$tmp/models/"
cp samples/*.csv samples/scenario.json "$tmp/s/"
awk -F, -v OFS=, 'NR == 2 { $4 = 2; $5 = "\"=HYPERLINK(\"\"http://example.com\"\",\"\"te laat\"\")\""; } { print }' \
    samples/responses.csv >"$tmp/s/responses.csv"
head -n 2 "$tmp/s/responses.csv" | tail -n 1 >"$tmp/line2"
"$CXCASE" report "$tmp/s/scenario.json" -o "$tmp/s/report.xlsx" >"$tmp/out" 2>"$tmp/err" &&
    "$CXCASE" voice "$tmp/s/responses.csv" --top 10 --json >"$tmp/s/voice.json" 2>>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ]; then
    not_ok "the Voice sheet: cxcase report and voice run (exit $rc)"
    show "$tmp/err"
else
    "$PYTHON" - "$tmp/s/report.xlsx" "$tmp/s/voice.json" <<'PY' || failed=1
import json, sys, zipfile, re, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
v = json.load(open(sys.argv[2]))
ws = wb["Voice"]
rows = [[c for c in r] for r in ws.iter_rows()]
tables, cur = [], None
for r in rows:
    if r[0].value == "Rank":
        cur = []
        tables.append(cur)
    elif cur is not None and isinstance(r[0].value, int):
        cur.append(r)
bad = []
if len(tables) != len(v["comparisons"]):
    bad.append(f"{len(tables)} tables, {len(v['comparisons'])} comparisons")
for t, c in zip(tables, v["comparisons"]):
    if [r[1].value for r in t] != [x["term"] for x in c["terms"]]:
        bad.append(f"{c['group']}: terms {[r[1].value for r in t]}")
    for r, x in zip(t, c["terms"]):
        if abs(r[2].value - x["z"]) > 1e-12 * abs(x["z"]) or r[3].value != x["count"]:
            bad.append(f"{x['term']}: z {r[2].value} count {r[3].value}, voice {x['z']} {x['count']}")
        quotes = [q.value for q in r[5:8] if q.value is not None]
        if quotes != x["quotes"] or any(q.data_type != "s" for q in r[1:2] + r[5:5 + len(quotes)]):
            bad.append(f"{x['term']}: quotes {quotes} are not the voice's {x['quotes']} as text")
eq = [q.value for t in tables for r in t for q in r[5:8] if isinstance(q.value, str) and q.value.startswith("=")]
if '=HYPERLINK("http://example.com","te laat")' not in eq:
    bad.append(f"the '=' comment is no quote: {eq}")
z = zipfile.ZipFile(sys.argv[1])
idx = wb.sheetnames.index("Voice") + 1
xml = z.read(f"xl/worksheets/sheet{idx}.xml").decode()
if "<f>" in xml or "<f " in xml:
    bad.append("the Voice sheet has a formula")
if bad:
    print("not ok - the Voice sheet equals cxcase voice, as text")
    for b in bad[:8]:
        print("#   " + b)
    sys.exit(1)
n = sum(len(t) for t in tables)
print(f"ok - the Voice sheet: {len(tables)} tables, {n} terms with the z-scores and quotes of cxcase voice, all text; "
      f"the comment '=HYPERLINK(...)' is a text quote, no formula on the sheet")
PY
fi

# ---- usage errors ------------------------------------------------------------
usage() { # $1 label, then the arguments
    label=$1
    shift
    "$CXCASE" voice "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 64 ] && [ ! -s "$tmp/out" ] && grep -q "see 'cxcase voice --help'" "$tmp/err"; then
        ok "usage: $label exits 64"
    else
        not_ok "usage: $label exits 64 (exit $rc)"
        show "$tmp/err"
    fi
}
usage "--worst without --metrics" "$S" --worst delivery_days
usage "--metrics without --worst" "$S" --metrics samples/logistics.csv
usage "--by with --worst" "$S" --by region --metrics samples/logistics.csv --worst delivery_days
usage "--compare with one group" "$S" --compare detractor
usage "--quotes 4" "$S" --quotes 4
usage "--top 0" "$S" --top 0
usage "--worst-share 1.5" "$S" --metrics samples/logistics.csv --worst delivery_days --worst-share 1.5
usage "no file" --by region

exit "$failed"
