#!/bin/sh
# t75-portfolio.sh - the portfolio optimiser of `cxcase simulate` (issue 4):
# initiatives that move the same metric are simulated together, never added.
#
# On the noise-free data of projection.py (nps has a log(ctr) term, so two
# click-through changes do not add up), three initiatives: two raise ctr, one
# conversion.  The optimiser must group the two ctr initiatives, value their
# pair by simulating it (the pair's expected NPV equals that of the scenario
# holding both, from the same draws, and differs from the sum of the two
# alone), and choose within each budget the best affordable combination,
# checked here by brute force over every selection.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
d="$tmp/data"
mkdir -p "$d"
"$PYTHON" "$TOP/tests/e2e/projection.py" generate "$d" >/dev/null 2>"$tmp/err" ||
    { not_ok "projection.py generates the data"; show "$tmp/err"; exit 1; }

for budget in 120000 300000 600000 1000000; do
    "$PYTHON" - "$d/scenario.json" "$d/s$budget.json" "$budget" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
s["initiatives"] = [
    {"id": "reco", "name": "Recommendations", "effects": [{"metric": "ctr", "change": 0.5, "start": "2026Q1", "ramp_quarters": 2}],
     "costs": [{"kind": "capex", "amount": 100000, "quarter": "2026Q1"}]},
    {"id": "search", "name": "Better search", "effects": [{"metric": "ctr", "change": 0.8, "start": "2026Q2", "ramp_quarters": 1}],
     "costs": [{"kind": "capex", "amount": 150000, "quarter": "2026Q1"}]},
    {"id": "checkout", "name": "Checkout", "effects": [{"metric": "conversion", "change": 0.25, "start": "2026Q2", "ramp_quarters": 2}],
     "costs": [{"kind": "capex", "amount": 500000, "quarter": "2026Q1"}]},
]
s["scenarios"] = [{"name": "reco", "initiatives": ["reco"]}, {"name": "search", "initiatives": ["search"]},
                  {"name": "both ctr", "initiatives": ["reco", "search"]}, {"name": "checkout", "initiatives": ["checkout"]}]
s["budget"] = float(sys.argv[3])
s["simulation"] = {"draws": 2000, "seed": 3}
json.dump(s, open(sys.argv[2], "w"), indent=1)
PY
    if ! "$CXCASE" simulate "$d/s$budget.json" --json >"$tmp/o$budget.json" 2>"$tmp/err"; then
        not_ok "simulate with a budget of $budget"
        show "$tmp/err"
        continue
    fi
    "$PYTHON" - "$tmp/o$budget.json" "$budget" <<'PY'
import itertools, json, sys
o = json.load(open(sys.argv[1])); budget = float(sys.argv[2])
pf = o["portfolio"]
npv = {s["name"]: s["npv"]["mean"] for s in o["scenarios"]}
fails = 0
def check(cond, text):
    global fails
    print(("ok - " if cond else "not ok - ") + f"budget {budget:.0f}: " + text)
    fails += not cond
groups = sorted(sorted(g) for g in pf["groups"])
check(groups == [["checkout"], ["reco", "search"]], f"groups {groups}: the two ctr initiatives together")
alone = {i["id"]: i["expected_npv"] for i in pf["initiatives"]}
check(abs(alone["reco"] - npv["reco"]) <= 1e-9 * abs(npv["reco"]), "an initiative alone is valued as its scenario")
pair = npv["both ctr"]
check(abs(pair - (npv["reco"] + npv["search"])) > 1e-6 * abs(pair),
      f"the pair is worth {pair:.2f}, not the sum {npv['reco'] + npv['search']:.2f} (log(ctr) does not add)")
cost = {i["id"]: i["cost"] for i in pf["initiatives"]}
value = {(): 0.0, ("reco",): alone["reco"], ("search",): alone["search"], ("reco", "search"): pair}
best, best_set = 0.0, ()
for ctr in [(), ("reco",), ("search",), ("reco", "search")]:
    for co in [(), ("checkout",)]:
        sel = ctr + co
        if sum(cost[i] for i in sel) > budget:
            continue
        v = value[ctr] + (alone["checkout"] if co else 0.0)
        if v > best:
            best, best_set = v, sel
ch = pf["chosen"]
check(sorted(ch["initiatives"]) == sorted(best_set), f"chosen {sorted(ch['initiatives'])} = brute force {sorted(best_set)}")
check(abs(ch["expected_npv"] - best) <= 1e-6 * max(1.0, abs(best)), f"its expected NPV {ch['expected_npv']:.2f} = {best:.2f}")
check(ch["cost"] <= budget, "it fits the budget")
if ch["initiatives"]:
    check(abs(ch["npv"]["mean"] - best) <= 1e-6 * abs(best), "simulated as a whole it has the same mean NPV")
    check(0 <= ch["prob_npv_positive"] <= 1, "P(NPV > 0) of the chosen set is given")
fr = pf["frontier"]
check(all(fr[i]["cost"] < fr[i + 1]["cost"] and fr[i]["expected_npv"] < fr[i + 1]["expected_npv"] for i in range(len(fr) - 1)),
      f"the frontier ({len(fr)} points) rises with cost")
sys.exit(1 if fails else 0)
PY
done
