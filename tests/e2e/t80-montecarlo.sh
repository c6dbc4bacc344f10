#!/bin/sh
# t80-montecarlo.sh - the Monte Carlo simulation of `cxcase simulate` (issue 4):
# for linear scenarios whose only uncertainty is the coefficients (normal),
# the NPS change of the last quarter is d'beta, so over 100,000 draws its mean
# must converge to the base value (within 4 standard errors) and its sd must
# match the analytic sqrt(d' V d) within 2%, with V the covariance that
# `cxcase fit --json` reports for the same data and model; the same seed gives
# byte-identical JSON, and 1 and 2 threads give identical output.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${BUILD:=build/rel}"
. "$TOP/tests/cli/lib.sh"

S="$TOP/samples"
# the samples' scenario with every assumption certain and normal coefficients
"$PYTHON" - "$S/scenario.json" "$tmp/linear.json" "$S" "$TOP/models/cx_chain.json" <<'PY'
import json, os, sys
src, dst, samples, model = sys.argv[1:5]
s = json.load(open(src))
for d in s["data"]:
    d["file"] = os.path.join(samples, d["file"])
s["model"] = model
s.pop("$schema", None)
s.pop("correlations", None)
for it in s["initiatives"]:
    for x in it["effects"] + it["costs"]:
        x.pop("uncertainty", None)
s["simulation"] = {"draws": 100000, "seed": 7, "coefficients": "normal"}
json.dump(s, open(dst, "w"), indent=1)
PY
"$CXCASE" fit "$S/logistics.csv" "$S/service.csv" "$S/web.csv" "$S/finance.csv" "$S/hr.csv" \
    --responses "$S/responses.csv" --model "$TOP/models/cx_chain.json" --json >"$tmp/fit.json" 2>"$tmp/err" ||
    { not_ok "cxcase fit of the samples"; show "$tmp/err"; exit 1; }
for run in a b; do
    "$CXCASE" simulate "$tmp/linear.json" --json --threads 2 >"$tmp/$run.json" 2>"$tmp/err" ||
        { not_ok "cxcase simulate (run $run)"; show "$tmp/err"; exit 1; }
done
"$CXCASE" simulate "$tmp/linear.json" --json --threads 1 >"$tmp/one.json" 2>"$tmp/err" ||
    { not_ok "cxcase simulate --threads 1"; show "$tmp/err"; exit 1; }
if cmp -s "$tmp/a.json" "$tmp/b.json"; then ok "the same seed gives byte-identical JSON"
else not_ok "the same seed gives byte-identical JSON"; fi
if cmp -s "$tmp/a.json" "$tmp/one.json"; then ok "1 and 2 threads give byte-identical JSON"
else not_ok "1 and 2 threads give byte-identical JSON"; fi
"$CXCASE" simulate "$tmp/linear.json" --json --seed 8 --draws 20000 >"$tmp/other.json" 2>"$tmp/err"
if ! cmp -s "$tmp/a.json" "$tmp/other.json"; then ok "another seed gives other draws"
else not_ok "another seed gives other draws"; fi

"$PYTHON" - "$tmp/linear.json" "$tmp/fit.json" "$tmp/a.json" <<'PY'
import json, math, sys
scen, fit, sim = (json.load(open(p)) for p in sys.argv[1:4])
eq = next(e for e in fit["equations"] if e["target"] == "nps")
names = [t["name"] for t in eq["terms"]]
coef = {t["name"]: t["coef"] for t in eq["terms"]}
V = eq["covariance"]
n = sim["draws"]
ids = {it["id"]: it for it in scen["initiatives"]}
fails = 0
def check(cond, text):
    global fails
    print(("ok - " if cond else "not ok - ") + text)
    fails += not cond
for s in sim["scenarios"]:
    # d: the full change of every metric (every ramp has ended by the last quarter)
    d = [0.0] * len(names)
    for i in s["initiatives"]:
        for e in ids[i]["effects"]:
            d[names.index(e["metric"])] += e["change"]
    base = math.fsum(coef[names[j]] * d[j] for j in range(len(names)))
    var = math.fsum(d[a] * V[a][b] * d[b] for a in range(len(d)) for b in range(len(d)))
    sd = math.sqrt(var)
    dn = s["delta_nps"]
    check(abs(dn["base"] - base) <= 1e-9 * abs(base),
          f"{s['name']}: base NPS change {dn['base']:.12g} = d'beta {base:.12g}")
    check(abs(dn["mean"] - base) <= 4 * sd / math.sqrt(n),
          f"{s['name']}: Monte Carlo mean {dn['mean']:.6g} within 4 SE ({4 * sd / math.sqrt(n):.3g}) of the base {base:.6g}")
    check(abs(dn["sd"] / sd - 1) <= 0.02,
          f"{s['name']}: Monte Carlo sd {dn['sd']:.6g} matches sqrt(d'Vd) {sd:.6g} within 2% ({100 * (dn['sd'] / sd - 1):+.2f}%)")
    z = {"p5": -1.6448536269514722, "p50": 0.0, "p95": 1.6448536269514722}
    for k, zz in z.items():
        check(abs(dn[k] - (base + zz * sd)) <= 0.03 * sd,
              f"{s['name']}: {k} of the NPS change {dn[k]:.6g} near the normal's {base + zz * sd:.6g} (3% of an sd)")
sys.exit(1 if fails else 0)
PY

# a metric moved outside the range the model was fitted on is named in words
"$PYTHON" - "$tmp/linear.json" "$tmp/far.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["initiatives"][0]["effects"][0]["change"] = -2.5   # next-day delivery: days below any observed
s["simulation"]["draws"] = 2000
json.dump(s, open(sys.argv[2], "w"))
PY
"$CXCASE" simulate "$tmp/far.json" --json >"$tmp/far.out" 2>"$tmp/err" || { not_ok "simulate the far scenario"; show "$tmp/err"; exit 1; }
"$PYTHON" - "$tmp/far.out" <<'PY'
import json, re, sys
o = json.load(open(sys.argv[1]))
w = [x for s in o["scenarios"] if "next_day" in s["initiatives"] for x in s["warnings"]]
hit = [x for x in w if re.search(r"'next_day' moves delivery_days to -?[0-9.]+ in \S.*, outside the range observed in the fitted data \([0-9.]+ to [0-9.]+\)", x)]
print(("ok - " if len(hit) == 2 else "not ok - ") + f"the extrapolation is a warning in words in both scenarios with next_day ({hit[:1]})")
sys.exit(0 if len(hit) == 2 else 1)
PY

# a fitted model (`cxcase fit --json`) as the scenario's model gives the same
# scenarios as the specification it was fitted from
"$PYTHON" - "$tmp/linear.json" "$tmp/fitted-scen.json" "$tmp/fit.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["model"] = sys.argv[3]
s["simulation"]["draws"] = 3000
json.dump(s, open(sys.argv[2], "w"))
PY
"$PYTHON" - "$tmp/linear.json" "$tmp/spec-scen.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["simulation"]["draws"] = 3000
json.dump(s, open(sys.argv[2], "w"))
PY
"$CXCASE" simulate "$tmp/fitted-scen.json" --json >"$tmp/fitted.out" 2>"$tmp/err" || { not_ok "simulate with a fitted model"; show "$tmp/err"; exit 1; }
"$CXCASE" simulate "$tmp/spec-scen.json" --json >"$tmp/spec.out" 2>"$tmp/err" || { not_ok "simulate with the specification"; show "$tmp/err"; exit 1; }
"$PYTHON" - "$tmp/fitted.out" "$tmp/spec.out" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
worst = [0.0]
def walk(x, y):
    if isinstance(x, dict):
        return x.keys() == y.keys() and all(walk(x[k], y[k]) for k in x)
    if isinstance(x, list):
        return len(x) == len(y) and all(walk(u, v) for u, v in zip(x, y))
    if isinstance(x, float) and isinstance(y, (int, float)):
        d = abs(x - y) / max(1.0, abs(x))
        worst[0] = max(worst[0], d)
        return d <= 1e-12
    return x == y
same = walk(a["scenarios"], b["scenarios"])
print(("ok - " if same else "not ok - ") + f"a fitted model gives the same scenarios as its specification (worst relative difference {worst[0]:.1e}, limit 1e-12)")
sys.exit(0 if same else 1)
PY

# the tornado: an effect with a normal uncertainty swings the NPV by exactly
# (P90 - P10) x dNPV/dchange, the NPV being linear in the change here:
# dNPV/dchange = (NPV - NPV without the change) / change, and the NPV
# without it is the present value of the costs after tax
"$PYTHON" - "$tmp/linear.json" "$tmp/tornado.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["initiatives"][1]["effects"][0]["uncertainty"] = {"dist": "normal", "sd": 20}   # service_staff: -60 s handling time
s["simulation"]["draws"] = 2000
json.dump(s, open(sys.argv[2], "w"))
PY
"$CXCASE" simulate "$tmp/tornado.json" --json >"$tmp/tornado.out" 2>"$tmp/err" || { not_ok "simulate for the tornado"; show "$tmp/err"; exit 1; }
# the same with the change halved, for dNPV/dchange measured independently
"$PYTHON" - "$tmp/tornado.json" "$tmp/half.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); s["initiatives"][1]["effects"][0]["change"] = -30
json.dump(s, open(sys.argv[2], "w"))
PY
"$CXCASE" simulate "$tmp/half.json" --json >"$tmp/half.out" 2>"$tmp/err" || { not_ok "simulate with the change halved"; show "$tmp/err"; exit 1; }
"$PYTHON" - "$tmp/tornado.out" "$tmp/half.out" <<'PY'
import json, math, sys
o, h = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
pick = lambda r: next(x for x in r["scenarios"] if x["initiatives"] == ["service_staff", "checkout"])
s = pick(o)
change = -60.0
# NPV(v) = a + b v: b from the two runs' base NPVs
b = (s["npv"]["base"] - pick(h)["npv"]["base"]) / (change - -30.0)
e = next(x for x in s["sensitivity"] if x.get("pointer") == "/initiatives/1/effects/0")
z = 1.2815515655446004
lo, hi = change - z * 20, change + z * 20
ok_q = abs(e["p10"] - lo) <= 1e-9 * abs(lo) and abs(e["p90"] - hi) <= 1e-9 * abs(hi)
print(("ok - " if ok_q else "not ok - ") + f"tornado: the effect's P10 and P90 are {e['p10']:.6f} and {e['p90']:.6f} (normal: {lo:.6f}, {hi:.6f})")
base = s["npv"]["base"]
want_lo, want_hi = base + b * (lo - change), base + b * (hi - change)
mid = abs(e["npv_at_p10"] - want_lo) <= 1e-8 * abs(base) and abs(e["npv_at_p90"] - want_hi) <= 1e-8 * abs(base)
print(("ok - " if mid else "not ok - ") + f"tornado: NPV at P10 {e['npv_at_p10']:.2f} and at P90 {e['npv_at_p90']:.2f} = base + dNPV/dchange x shift ({want_lo:.2f}, {want_hi:.2f}; slope {b:.2f} from a second run)")
sw = abs(e["swing"] - abs(b) * (hi - lo)) <= 1e-8 * e["swing"] and e["swing"] > 0
print(("ok - " if sw else "not ok - ") + f"tornado: swing {e['swing']:.2f} = |dNPV/dchange| x (P90 - P10)")
srt = all(s["sensitivity"][i]["swing"] >= s["sensitivity"][i + 1]["swing"] for i in range(len(s["sensitivity"]) - 1))
print(("ok - " if srt else "not ok - ") + f"tornado: {len(s['sensitivity'])} inputs sorted by swing, largest first")
sys.exit(0 if ok_q and mid and sw and srt else 1)
PY
