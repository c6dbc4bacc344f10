#!/bin/sh
# tests/fuzz/seeds.sh - (re)build the committed seed corpora of the fuzz
# targets, tests/fuzz/corpus/<target>/, from the samples, the bad-input
# corpora of tests/cli/data/ and a few fits of tests/fuzz/data/panel.csv.
#
#   CXCASE=build/rel/cxcase sh tests/fuzz/seeds.sh
#
# CSV seeds are the first 40 lines of each file (the targets read small
# inputs; libFuzzer grows them).  Scenario seeds have their paths rewritten
# to the names the target's private directory holds: model.json (the
# default chain), fitted.json, logistics.csv ... responses.csv.  Partial and
# fitted-model seeds come from `cxcase fit` on the fuzz panel with specs
# that reach every estimator.  File names are the source's, so a seed says
# where it came from.
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu
: "${CXCASE:?set CXCASE to the cxcase binary}"
cd "$(dirname "$0")/../.."
c=tests/fuzz/corpus
rm -rf "$c"
mkdir -p "$c/csv" "$c/scenario" "$c/spec" "$c/partial" "$c/model" "$c/ledger"

# ---- csv: samples, the bad-input corpus, the dialects, the fit corpus
for f in samples/*.csv tests/cli/data/bad/*.csv tests/cli/data/bad/helpers/*.csv \
    tests/cli/data/dialects/*.csv tests/cli/data/dialects/*.tsv tests/cli/data/fit/*.csv \
    tests/cli/data/fit/helpers/*.csv tests/fuzz/data/panel.csv; do
    d=$(dirname "$f" | tr / -)
    head -n 40 "$f" >"$c/csv/$d-$(basename "$f")"
done

# ---- scenario: the sample and the check corpus, paths made local
rewrite() { # $1 source, $2 destination
    sed -e 's|"file": *"[^"]*/\([a-z]*\.csv\)"|"file": "\1"|g' \
        -e 's|"model": *"[^"]*cx_chain\.json"|"model": "model.json"|' \
        -e 's|"model": *"[^"]*\.json"|"model": "fitted.json"|' "$1" >"$2"
}
rewrite samples/scenario.json "$c/scenario/samples-scenario.json"
for f in tests/cli/data/scenario/*.json; do
    rewrite "$f" "$c/scenario/$(basename "$f")"
done

# ---- spec: the shipped chain, the fit corpus's specs, the fuzz spec
cp models/cx_chain.json "$c/spec/models-cx_chain.json"
cp tests/fuzz/data/spec.json "$c/spec/fuzz-spec.json"
for f in tests/cli/data/fit/*.json; do
    cp "$f" "$c/spec/fit-$(basename "$f")"
done

# ---- partial and model: fits of the fuzz panel, one spec per estimator
p=tests/fuzz/data/panel.csv
tmp=build/fuzz/seed-specs # a fixed path: the partial fits record it
rm -rf "$tmp"
mkdir -p "$tmp"
spec() { # $1 name, $2 equation object(s)
    printf '{"name": "%s", "units": ["region"], "equations": [%s]}\n' "$1" "$2" >"$tmp/$1.json"
    cp "$tmp/$1.json" "$c/spec/gen-$1.json"
}
spec ols '{"target": "nps", "terms": ["conversion", "delivery_days", "enps"]}'
spec cat '{"target": "nps", "terms": ["conversion", "C(region)", "C(quarter)"], "se": "cluster"}'
spec tau0 '{"target": "nps", "terms": ["conversion", "delivery_days", "C(region)"], "weights": "precision", "tau2": 0}'
spec reml '{"target": "nps", "terms": ["conversion", "delivery_days"], "weights": "precision"}'
spec ridge '{"target": "nps", "terms": ["conversion", "delivery_days", "ctr", "enps"], "method": "ridge"}'
spec robust '{"target": "nps", "terms": ["conversion", "delivery_days"], "method": "robust", "psi": "bisquare"}'
spec eiv '{"target": "revenue", "terms": ["nps", "conversion", "C(region)"], "se": "cluster"}'
spec chain '{"target": "nps", "terms": ["conversion", "enps", "log(delivery_days)", "ctr^2", "conversion:ctr"], "fixed": {"enps": {"coef": 0.5, "se": 0.1}}}, {"target": "revenue", "terms": ["lag(nps, 2)", "conversion", "C(region)"], "measurement_error": {}, "se": "hc3"}'
for s in ols cat tau0 reml ridge robust eiv chain; do
    if SOURCE_DATE_EPOCH=1767225600 "$CXCASE" fit "$p" --model "$tmp/$s.json" --json >"$c/model/$s.json" 2>/dev/null; then :; else
        rm -f "$c/model/$s.json"
    fi
    if "$CXCASE" fit --partial "$p" --model "$tmp/$s.json" -o "$c/partial/$s.json" >/dev/null 2>&1; then :; else
        rm -f "$c/partial/$s.json"
    fi
done
# ---- ledger: the samples' case recorded twice (a chain of two), its first
# record alone, and an empty ledger
l=$tmp/ledger.jsonl
for i in 1 2; do
    SOURCE_DATE_EPOCH=1767225600 "$CXCASE" simulate samples/scenario.json --draws 50 --record "$l" >/dev/null
done
cp "$l" "$c/ledger/samples-two.jsonl"
head -n 1 "$l" >"$c/ledger/samples-one.jsonl"
: >"$c/ledger/empty.jsonl"

for f in "$c"/*; do
    echo "$f: $(ls "$f" | wc -l) seeds"
done
