#!/bin/sh
# tests/bench/voice.sh - the word statistics of `cxcase voice` on 1e6
# comments against plain Python.
#
#   make bench      (runs tests/bench/run.sh, which runs this)
#   CXCASE=build/rel/cxcase BUILD=build/rel PYTHON=/usr/bin/python3 sh tests/bench/voice.sh
#
# The file: build/bench/voice-1e6.csv, written once by the Python below
# (random.Random(20261206): the same bytes on every machine with the same
# Python): 1,000,000 responses, each with a score 0-10 and a comment of 3
# to 20 words drawn from a Zipf-weighted vocabulary of 5,000 made-up words
# plus Dutch and English stop words, with commas, full stops and now and
# then an accent, a number or a quoted line break; about 100 MB.
# Timed, whole process against whole process, with /usr/bin/time -f '%e %M'
# (wall seconds and peak MB; cxcase the best of 3 runs, Python one run, as
# it takes minutes):
#   cxcase voice FILE --top 15            terms, z for every term, top 15
#                                          of detractors and of promoters,
#                                          3 quotes each
#   tests/bench/voice_plain.py FILE       the same statistics as a user
#                                          writes them in Python: csv,
#                                          a regular expression, Counter
#   tests/e2e/voice_reference.py bench    the test's reference (a character
#                                          loop that follows the rules
#                                          exactly), once
# Printed: seconds, MB and the ratios.  Nothing passes or fails on time.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
top=$(cd "$(dirname "$0")/../.." && pwd)
case $CXCASE in /*) ;; *) CXCASE="$(pwd)/$CXCASE" ;; esac
timer=/usr/bin/time
dir="$top/build/bench"
file="$dir/voice-1e6.csv"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-voicebench.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$dir" || exit 1
if [ ! -f "$file" ]; then
    echo "generating $file (1,000,000 comments) ..."
    "$PYTHON" - "$file.tmp" <<'PY' || exit 1
import random, sys
rng = random.Random(20261206)
syl = ["ka", "lo", "me", "ri", "ton", "vel", "sa", "dur", "pe", "nik", "bo", "ze", "lan", "gri", "fu", "wen"]
vocab = sorted({"".join(rng.choice(syl) for _ in range(rng.randint(2, 4))) for _ in range(7000)})[:5000]
vocab += ["bezorging", "pakket", "laat", "wachttijd", "klantenservice", "afrekenen", "café", "één", "geweldig"]
stop = ["de", "het", "een", "te", "en", "niet", "the", "a", "and", "to", "was", "is", "it", "not", "too", "very"]
words = vocab + stop
cum, s = [], 0.0
for k in range(len(words)):
    s += 1.0 / (k + 1) ** 1.05
    cum.append(s)
with open(sys.argv[1], "w", encoding="utf-8", newline="") as f:
    f.write("date,region,score,comment\n")
    for i in range(1_000_000):
        n = rng.randint(3, 20)
        w = rng.choices(words, cum_weights=cum, k=n)
        if rng.random() < 0.3:
            w[rng.randrange(n)] += ","
        if rng.random() < 0.05:
            w.insert(rng.randrange(n), str(rng.randint(1, 99)))
        text = " ".join(w).capitalize() + "."
        if rng.random() < 0.01:
            text += "\nP.S. " + rng.choice(vocab)
        if "," in text or "\n" in text:
            text = '"' + text + '"'
        f.write("2025-%02d-%02d,R%d,%d,%s\n" % (1 + i % 12, 1 + i % 28, i % 12, rng.randint(0, 10), text))
PY
    mv "$file.tmp" "$file"
fi
cat "$file" >/dev/null
printf 'word statistics of %s (%s MB, 1,000,000 comments):\n' "$file" "$(($(wc -c <"$file") / 1000000))"

# best LABEL N COMMAND...: the best wall time of N runs, with its peak MB
best() {
    label=$1 n=$2
    shift 2
    bs="" bm=""
    i=0
    while [ "$i" -lt "$n" ]; do
        "$timer" -f '%e %M' -o "$tmp/t" "$@" >"$tmp/out" 2>"$tmp/err" || {
            echo "bench: $label failed" >&2
            cat "$tmp/err" >&2
            return 1
        }
        set -- "$@"
        s=$(cut -d ' ' -f 1 "$tmp/t")
        m=$(cut -d ' ' -f 2 "$tmp/t")
        if [ -z "$bs" ] || awk "BEGIN { exit !($s < $bs) }"; then
            bs=$s
            bm=$m
        fi
        i=$((i + 1))
    done
    printf '  %-44s %8.2f s %8.0f MB\n' "$label" "$bs" "$((bm / 1024))"
    echo "$bs $bm" >"$tmp/$label.best"
}
best cxcase 3 "$CXCASE" voice "$file" --top 15 --json || exit 1
best plain 1 "$PYTHON" "$top/tests/bench/voice_plain.py" "$file" || exit 1
best reference 1 "$PYTHON" "$top/tests/e2e/voice_reference.py" bench --csv "$file" || exit 1
read -r cs cm <"$tmp/cxcase.best"
read -r ps pm <"$tmp/plain.best"
read -r rs rm_ <"$tmp/reference.best"
awk -v cs="$cs" -v cm="$cm" -v ps="$ps" -v pm="$pm" -v rs="$rs" -v rm="$rm_" 'BEGIN {
    printf "  plain Python / cxcase: %.1fx the time, %.1fx the memory\n", ps / cs, pm / cm
    printf "  reference Python / cxcase: %.1fx the time, %.1fx the memory\n", rs / cs, rm / cm
}'
