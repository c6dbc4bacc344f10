#!/bin/sh
# t20-recovery.sh - does `cxcase fit` recover the truth the samples were made from?
#
# 1. The committed samples with models/cx_chain.json: the 95% interval of
#    every driver coefficient (the operational metrics and eNPS on NPS; lagged
#    NPS and conversion on revenue) covers the generator's truth
#    (samples/truth.json); the distances in standard errors are printed.
# 2. Calibration: the generator (build/generate, samples/generate.c) makes K
#    more data sets from other seeds; over them, each driver's 95% interval
#    must cover the truth in at least MINCOV of the data sets and the mean of
#    (estimate - truth) / SE must stay within MAXBIAS of 0: unbiased
#    estimates and honest intervals, which one data set cannot show.
#
#   CXCASE=build/rel/cxcase GENERATE=build/generate TOP=$PWD sh tests/e2e/t20-recovery.sh
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
: "${GENERATE:=$TOP/build/generate}"
: "${BUILD:=build/rel}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t20.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
ref="$TOP/tests/e2e/recovery.py"

# the sanitizer build is slow: fewer data sets, looser (still 3-sigma) bounds
case "$BUILD" in
*san*) K=12 MINCOV=0.75 MAXBIAS=0.9 ;;
*) K=40 MINCOV=0.80 MAXBIAS=0.5 ;;
esac

fit() { # fit DIR OUT
    "$CXCASE" fit "$1/logistics.csv" "$1/service.csv" "$1/web.csv" "$1/finance.csv" \
        "$1/hr.csv" --responses "$1/responses.csv" --model "$TOP/models/cx_chain.json" \
        --json >"$2" 2>"$tmp/err"
}

if fit "$TOP/samples" "$tmp/samples.json"; then
    "$PYTHON" "$ref" z "$tmp/samples.json" "$TOP/samples/truth.json" >"$tmp/samples.z"
    n=0
    while read -r target name z inside; do
        n=$((n + 1))
        if [ "$inside" = 1 ]; then
            echo "ok - samples: the 95% interval of $target on $name covers the truth (z = $z)"
        else
            echo "not ok - samples: the 95% interval of $target on $name covers the truth (z = $z)"
            fails=$((fails + 1))
        fi
    done <"$tmp/samples.z"
    if [ "$n" -ne 7 ]; then
        echo "not ok - samples: 7 driver coefficients compared, found $n"
        fails=$((fails + 1))
    fi
else
    echo "not ok - cxcase fit on the samples exits 0"
    sed 's/^/#   /' "$tmp/err"
    fails=$((fails + 1))
fi

if [ ! -x "$GENERATE" ]; then
    echo "not ok - the generator $GENERATE exists (make builds it)"
    exit 1
fi
: >"$tmp/all.z"
seed=1
while [ "$seed" -le "$K" ]; do
    d="$tmp/s$seed"
    mkdir -p "$d"
    if ! "$GENERATE" "$d" "$seed" 2>/dev/null || ! fit "$d" "$d/fit.json"; then
        echo "not ok - generate and fit the data set of seed $seed"
        sed 's/^/#   /' "$tmp/err"
        fails=$((fails + 1))
    else
        "$PYTHON" "$ref" z "$d/fit.json" "$d/truth.json" >>"$tmp/all.z"
    fi
    rm -rf "$d"
    seed=$((seed + 1))
done
"$PYTHON" "$ref" summary "$tmp/all.z" "$K" "$MINCOV" "$MAXBIAS" || fails=$((fails + 1))
[ "$fails" -eq 0 ]
