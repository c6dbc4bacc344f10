#!/bin/sh
# tests/bench/sim.sh - the Monte Carlo of `cxcase simulate` against the same
# simulation written in numpy (tests/bench/sim_numpy.py), whole process
# against whole process.
#
#   make bench      (tests/bench/run.sh ends by running this)
#   CXCASE=build/rel/cxcase BUILD=build/rel sh tests/bench/sim.sh [DRAWS...]
#
# DRAWS defaults to 100000 and 1000000.  The scenario: samples/scenario.json
# with four scenarios (its three and personalisation alone) over 12
# quarters, without the budget (the numpy script has no portfolio
# optimiser), paths made absolute, written to build/bench/sim-scenario.json.
# Both read the model as `cxcase fit --json` writes it for the same data
# (build/bench/sim-fitted.json, fitted once, untimed); cxcase also reads the
# data files for the baselines inside the timed run, numpy does not.
#
# Timed with /usr/bin/time -f '%e %M' (wall seconds, peak resident set),
# best of 3 (1 for a run over 30 s): cxcase simulate --json --draws N (two
# threads, its default) and sim_numpy.py --draws N.  Both print their NPV
# statistics; the means must agree within 5 of their standard errors, so the
# comparison is of the same work.  Printed: seconds, peak MB, numpy/cxcase
# ratios, and how each one's peak memory grows from the smallest to the
# largest number of draws.  Nothing passes or fails on time.
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${BUILD:=build/rel}"
: "${CXCASE:=$BUILD/cxcase}"
: "${PYTHON:=/usr/bin/python3}"
top=$(cd "$(dirname "$0")/../.." && pwd)
case $CXCASE in /*) ;; *) CXCASE="$(pwd)/$CXCASE" ;; esac
sizes=${*:-100000 1000000}
timer=/usr/bin/time
dir="$top/build/bench"
mkdir -p "$dir" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-sim.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

for need in "$CXCASE" "$timer"; do
    [ -x "$need" ] || { echo "bench: $need is missing (make bench installs it)" >&2; exit 1; }
done
if ! "$PYTHON" -c 'import numpy, scipy' 2>/dev/null; then
    echo "bench: numpy and scipy are missing (Debian: python3-numpy python3-scipy); skipping the simulation benchmark"
    exit 0
fi

S="$top/samples"
"$PYTHON" - "$S/scenario.json" "$dir/sim-scenario.json" "$S" "$top/models/cx_chain.json" <<'PY' || exit 1
import json, os, sys
src, dst, samples, model = sys.argv[1:5]
s = json.load(open(src))
for d in s["data"]:
    d["file"] = os.path.join(samples, d["file"])
s["model"] = model
s.pop("$schema", None)
s.pop("budget", None)
s["scenarios"].append({"name": "Personalisation alone", "initiatives": ["personalisation"]})
s["model"] = os.path.join(os.path.dirname(dst), "sim-fitted.json")
json.dump(s, open(dst, "w"), indent=1)
PY
"$CXCASE" fit "$S/logistics.csv" "$S/service.csv" "$S/web.csv" "$S/finance.csv" "$S/hr.csv" \
    --responses "$S/responses.csv" --model "$top/models/cx_chain.json" --json >"$dir/sim-fitted.json" || exit 1

# run LABEL OUT COMMAND...: best of 3 wall seconds into $best, peak kB into $peak
run() {
    label=$1 out=$2
    shift 2
    best="" peak=0 i=0
    while [ $i -lt 3 ]; do
        if ! "$timer" -f '%e %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/err"; then
            echo "bench: $label failed:" >&2
            cat "$tmp/err" "$tmp/time" >&2
            return 1
        fi
        read -r sec kb <"$tmp/time"
        best=$(awk -v a="$best" -v b="$sec" 'BEGIN { print (a == "" || b + 0 < a + 0) ? b : a }')
        [ "$kb" -gt "$peak" ] && peak=$kb
        i=$((i + 1))
        awk -v s="$sec" 'BEGIN { exit !(s > 30) }' && break
    done
    return 0
}

echo
echo "Monte Carlo: 4 scenarios x 12 quarters of samples/scenario.json, cxcase simulate vs numpy"
echo "  whole processes, wall seconds and peak RSS by $timer; best of 3"
printf '  %-10s %-8s %9s %9s %11s %11s\n' draws tool seconds "peak MB" "numpy/cx s" "numpy/cx MB"
failed=0
: >"$tmp/peaks"
for n in $sizes; do
    run cxcase "$tmp/cx.json" "$CXCASE" simulate "$dir/sim-scenario.json" --json --draws "$n" || { failed=1; continue; }
    cs=$best cp=$peak
    run numpy "$tmp/np.json" "$PYTHON" "$top/tests/bench/sim_numpy.py" "$dir/sim-scenario.json" \
        "$dir/sim-fitted.json" --draws "$n" || { failed=1; continue; }
    ns=$best np=$peak
    awk -v n="$n" -v cs="$cs" -v cp="$cp" -v ns="$ns" -v np="$np" 'BEGIN {
        printf "  %-10s %-8s %9.2f %9.1f\n", n, "cxcase", cs, cp / 1000
        printf "  %-10s %-8s %9.2f %9.1f %11.1f %11.1f\n", n, "numpy", ns, np / 1000, ns / cs, np / cp }'
    printf '%s %s %s\n' "$n" "$cp" "$np" >>"$tmp/peaks"
    # the same work: NPV means within 5 standard errors
    "$PYTHON" - "$tmp/cx.json" "$tmp/np.json" <<'PY' || failed=1
import json, math, sys
cx, nq = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
n = cx["draws"]
nps = nq["scenarios"] if isinstance(nq.get("scenarios"), dict) else {s["name"]: s for s in nq["scenarios"]}
for s in cx["scenarios"]:
    a, b = s["npv"], nps[s["name"]]["npv"]
    se = math.hypot(a["sd"], b["sd"]) / math.sqrt(n)
    ok = abs(a["mean"] - b["mean"]) <= 5 * se
    print(f"    {'same' if ok else 'DIFFERENT'}: {s['name']}: NPV mean {a['mean']:.0f} vs numpy {b['mean']:.0f} (5 SE = {5 * se:.0f}); sd {a['sd']:.0f} vs {b['sd']:.0f}")
    if not ok:
        sys.exit(1)
PY
done
awk 'NR == 1 { c0 = $2; n0 = $3; d0 = $1 } { c1 = $2; n1 = $3; d1 = $1 }
END { if (NR > 1) printf "  peak memory from %s to %s draws: cxcase x%.2f, numpy x%.2f\n", d0, d1, c1 / c0, n1 / n0 }' "$tmp/peaks"
exit "$failed"
