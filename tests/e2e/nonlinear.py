#!/usr/bin/python3
"""Noise-free data with nonlinear terms, a scenario and the hand-computed projection.

    nonlinear.py generate DIR            write DIR/metrics.csv, model.json,
                                         scenario.json and truth.json
    nonlinear.py fit FITTED.json         compare `cxcase fit --json` with the truth
                                         (and the fixed coefficient reported as fixed)
    nonlinear.py expect DIR OUT.json     compute the projection by hand
    nonlinear.py exercise OUT.json       show that the data exercise the square, the
                                         interactions, the target, the two lags and
                                         the fixed coefficient
    nonlinear.py compare OUT.json SIM.json   compare `cxcase simulate --json` with it
    nonlinear.py split DIR               write DIR/alone-N.json, one scenario each
    nonlinear.py alone OUT.json SIM.json ALONE-SIM.json...
                                         compare the runs of each scenario alone with
                                         the hand computation and with the whole run

The companion of projection.py (t70), for what it does not cover.  Weekly data
(ISO weeks 2023-W01 to 2025-W52) for four regions, metrics from a seeded
generator, targets that follow the truth exactly, with no noise:

    nps     = a + b1 conversion + b2 delivery_days + b3 delivery_days^2
                + b4 ctr + b5 conversion:ctr + region          (b4 fixed: 2.0, se 0.3)
    revenue = c + d1 lag(nps, 3) + d2 lag(nps, 9) + e conversion
                + f lag(nps, 3):conversion + region

The hand computation follows the README ("`cxcase simulate`", Projection):
the baseline of every column (metrics and nps) is the mean of its last 52
weeks in each region; a "change" effect moves a metric by change x ramp share
of the week's quarter, a "target" effect by (target - that region's baseline)
x ramp share; each equation's change is the sum of coefficient x (term at the
new levels - term at the baseline levels), so x^2 gives (b + d)^2 - b^2 and
a:b gives (a + da)(b + db) - ab; lag(x, k) in week t reads week t - k of the
horizon (0 before it), and lag(nps, 3):conversion is (nb + dnps(t-3))(cb +
dconv(t)) - nb cb with nb the baseline of nps; the fixed coefficient takes
part like the estimated ones.  Quarters, costs, cash flows, discounting and
NPV as in projection.py.  True coefficients, math.fsum, never cxcase.
Standard library only (the calendar helpers and the comparison with
`cxcase simulate --json` come from projection.py).
"""
import csv
import json
import math
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from projection import (iso_weeks, week_label, week_index, week_quarter,  # noqa: E402
                        parse_quarter, quarter_label, quarter_ord, ramp_share, load_sim, compare)

SEED = 20260721
FIRST_YEAR, LAST_YEAR = 2023, 2025
REGIONS = ["Noord", "Oost", "West", "Zuid"]
LAGS = (3, 9)
WINDOW = 52
FIXED = {"ctr": {"coef": 2.0, "se": 0.3}}

TRUTH = {
    "nps": {"(Intercept)": 20.0, "conversion": 4.25, "delivery_days": -6.5,
            "delivery_days^2": 0.75, "ctr": FIXED["ctr"]["coef"], "conversion:ctr": 1.2,
            "region": {"Noord": 0.0, "Oost": 3.5, "West": 1.75, "Zuid": -2.25}},
    "revenue": {"(Intercept)": 150000.0, "lag(nps, 3)": 2500.0, "lag(nps, 9)": 1200.0,
                "conversion": 60000.0, "lag(nps, 3):conversion": 400.0,
                "region": {"Noord": 0.0, "Oost": 40000.0, "West": 15000.0, "Zuid": -25000.0}},
}

FINANCE = {"start": "2026Q1", "horizon_quarters": 8, "discount_rate": 0.09,
           "gross_margin": 0.35, "tax_rate": 0.25}

DD_TARGET = 1.5
INITIATIVES = [
    {"id": "fast_delivery", "name": "Regional hubs: delivery in 1.5 days everywhere",
     "effects": [{"metric": "delivery_days", "target": DD_TARGET, "start": "2026Q1", "ramp_quarters": 3}],
     "costs": [{"kind": "capex", "amount": 400000, "quarter": "2026Q1"},
               {"kind": "opex", "amount": 30000, "from": "2026Q1", "to": "2027Q4"}]},
    {"id": "courier", "name": "Faster courier: half a day less",
     "effects": [{"metric": "delivery_days", "change": -0.5, "start": "2026Q2", "ramp_quarters": 0}],
     "costs": [{"kind": "opex", "amount": 45000, "from": "2026Q2", "to": "2027Q4"}]},
    {"id": "checkout", "name": "Checkout redesign to raise conversion",
     "effects": [{"metric": "conversion", "change": 0.3, "start": "2026Q2", "ramp_quarters": 2}],
     "costs": [{"kind": "capex", "amount": 250000, "quarter": "2026Q2"},
               {"kind": "opex", "amount": 20000, "from": "2026Q2", "to": "2027Q2"}]},
    {"id": "personalisation", "name": "Personalised recommendations to raise click-through",
     "effects": [{"metric": "ctr", "change": 0.6, "start": "2026Q1", "ramp_quarters": 2}],
     "costs": [{"kind": "capex", "amount": 300000, "quarter": "2026Q1"}]},
]
SCENARIOS = [
    {"name": "Square, target", "initiatives": ["fast_delivery"]},
    {"name": "Square, change", "initiatives": ["courier"]},
    {"name": "Interaction, conversion", "initiatives": ["checkout"]},
    {"name": "Interaction, ctr (fixed)", "initiatives": ["personalisation"]},
    {"name": "Interaction, both factors", "initiatives": ["checkout", "personalisation"]},
    {"name": "Everything", "initiatives": ["fast_delivery", "checkout", "personalisation"]},
]
# the scenarios in which both factors of conversion:ctr move
BOTH_FACTORS = ("Interaction, both factors", "Everything")

METRICS = ("conversion", "delivery_days", "ctr")
COLUMNS = METRICS + ("nps", "revenue")


# ---------------------------------------------------------------- data

def nps_of(tn, r, c, dl, ct):
    return math.fsum([tn["(Intercept)"], tn["conversion"] * c, tn["delivery_days"] * dl,
                      tn["delivery_days^2"] * dl * dl, tn["ctr"] * ct,
                      tn["conversion:ctr"] * c * ct, tn["region"][r]])


def generate(d):
    rng = random.Random(SEED)
    weeks = [(y, w) for y in range(FIRST_YEAR, LAST_YEAR + 1) for w in range(1, iso_weeks(y) + 1)]
    conv_level = {"Noord": 2.2, "Oost": 2.9, "West": 2.6, "Zuid": 3.4}
    dd_level = {"Noord": 2.0, "Oost": 2.8, "West": 2.4, "Zuid": 3.5}
    ctr_level = {"Noord": 2.4, "Oost": 3.6, "West": 4.2, "Zuid": 5.1}
    tn, tr = TRUTH["nps"], TRUTH["revenue"]
    rows = []
    for r in REGIONS:
        # NPS of the 9 weeks before the data (not written): the first rows'
        # revenue follows the truth too, though the fit cannot use them
        nps_hist = [35.0 + rng.uniform(-5, 5) for _ in range(max(LAGS))]
        for i, (y, w) in enumerate(weeks):
            # irregular metrics; delivery slowly improves and ctr trends upwards,
            # so the 52-week window gives other baselines than all the weeks
            conv = f"{conv_level[r] + rng.uniform(-0.8, 0.8):.4f}"
            dd = f"{dd_level[r] * (1 - 0.15 * i / len(weeks)) + rng.uniform(-0.9, 0.9):.3f}"
            ctr = f"{ctr_level[r] * (1 + 0.25 * i / len(weeks)) + rng.uniform(-0.9, 0.9):.4f}"
            c, dl, ct = float(conv), float(dd), float(ctr)
            nps = nps_of(tn, r, c, dl, ct)
            nps_hist.append(nps)
            n3, n9 = nps_hist[i + max(LAGS) - 3], nps_hist[i + max(LAGS) - 9]
            rev = math.fsum([tr["(Intercept)"], tr["lag(nps, 3)"] * n3, tr["lag(nps, 9)"] * n9,
                             tr["conversion"] * c, tr["lag(nps, 3):conversion"] * n3 * c,
                             tr["region"][r]])
            rows.append([week_label(y, w), r, conv, dd, ctr, repr(nps), repr(rev)])
    with open(os.path.join(d, "metrics.csv"), "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["week", "region"] + list(COLUMNS))
        wr.writerows(rows)
    model = {
        "name": "nonlinear_truth",
        "description": "Noise-free nonlinear chain for the projection test (tests/e2e/nonlinear.py).",
        "units": ["region"],
        "equations": [
            {"target": "nps",
             "terms": ["conversion", "delivery_days", "delivery_days^2", "ctr", "conversion:ctr",
                       "C(region)"],
             "fixed": FIXED},
            {"target": "revenue",
             "terms": ["lag(nps, 3)", "lag(nps, 9)", "conversion", "lag(nps, 3):conversion",
                       "C(region)"]},
        ],
    }
    scenario = {
        "name": "Projection test: square, interactions, target, two lags, fixed coefficient",
        "currency": "EUR",
        "data": [{"file": "metrics.csv", "kind": "metrics"}],
        "model": "model.json",
        "baseline": {"window_periods": WINDOW},
        "finance": FINANCE,
        "initiatives": INITIATIVES,
        "scenarios": SCENARIOS,
        "simulation": {"draws": 500, "seed": 11, "coefficients": "t"},
    }
    for name, doc in (("model.json", model), ("scenario.json", scenario), ("truth.json", TRUTH)):
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def read_metrics(d):
    """{region: [(week_index, {column: value})]} in week order."""
    out = {r: [] for r in REGIONS}
    with open(os.path.join(d, "metrics.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            y, w = row["week"].split("-W")
            out[row["region"]].append((week_index(int(y), int(w)), {k: float(row[k]) for k in COLUMNS}))
    for r in out:
        out[r].sort(key=lambda t: t[0])
    return out


# ---------------------------------------------------------------- fit check

def true_coef(target, name):
    t = TRUTH[target]
    if name in t:
        return t[name]
    if name.startswith("C(region)"):
        level = name[len("C(region)"):].strip("[]=. ").replace("T.", "")
        if level in t["region"]:
            return t["region"][level]
    return None


def check_fit(fitted, tol=1e-9):
    m = json.load(open(fitted, encoding="utf-8"))
    fails = 0

    def check(ok, what):
        nonlocal fails
        print(("ok - " if ok else "not ok - ") + what)
        fails += not ok

    eqs = {eq.get("target"): eq for eq in m.get("equations", [])}
    check(sorted(eqs) == ["nps", "revenue"], f"fit: equations nps and revenue (found {sorted(eqs)})")
    for target in ("nps", "revenue"):
        eq = eqs.get(target)
        if eq is None:
            continue
        worst, worst_name, names = 0.0, "", []
        for term in eq["terms"]:
            true = true_coef(target, term["name"])
            names.append(term["name"])
            coef = term.get("coef")
            if true is None or not isinstance(coef, (int, float)) or math.isnan(coef):
                print(f"#   {target}: term '{term['name']}' coef {coef!r}, true {true!r}")
                worst, worst_name = math.inf, term["name"]
                continue
            err = abs(coef - true) / max(abs(true), 1.0)
            if err >= worst:
                worst, worst_name = err, term["name"]
        want = len([k for k in TRUTH[target] if k != "region"]) + len(REGIONS) - 1
        check(worst <= tol and len(names) == want,
              f"fit: {target}: {len(names)} coefficients (want {want}) recovered from noise-free data, "
              f"worst relative error {worst:.3g} ({worst_name}; tolerance {tol:g})")
        extra = {k: eq.get(k) for k in ("n", "n_dropped", "sigma", "r2", "rss", "condition_number")}
        print(f"#   {target}: {json.dumps(extra)}")
        if eq.get("warnings"):
            print(f"#   warnings: {json.dumps(eq['warnings'])}")
    # the fixed coefficient: reported as fixed, with its assumed value and se, no t
    eq = eqs.get("nps", {"terms": []})
    for name, fx in FIXED.items():
        t = next((t for t in eq["terms"] if t.get("name") == name), None)
        if t is None:
            check(False, f"fit: nps: the fixed term '{name}' is in the output")
            continue
        check(t.get("fixed") is True and t.get("coef") == fx["coef"] and t.get("se") == fx["se"]
              and t.get("t") is None,
              f"fit: nps: '{name}' is reported as fixed with its assumed coef {fx['coef']} and se "
              f"{fx['se']}, t null (found fixed {t.get('fixed')!r}, coef {t.get('coef')!r}, "
              f"se {t.get('se')!r}, t {t.get('t')!r})")
    others = [(e["target"], t["name"]) for e in eqs.values() for t in e["terms"]
              if t.get("fixed") and not (e["target"] == "nps" and t["name"] in FIXED)]
    check(not others, f"fit: no other term is reported as fixed{'' if not others else ' (found ' + str(others) + ')'}")
    return 1 if fails else 0


# ---------------------------------------------------------------- hand computation

def horizon():
    y0, q0 = parse_quarter(FINANCE["start"])
    n = FINANCE["horizon_quarters"]
    k0 = y0 * 4 + q0 - 1
    quarters = [((k0 + k) // 4, (k0 + k) % 4 + 1) for k in range(n)]
    qset = set(quarters)
    weeks = []  # (week_index, quarter) of the horizon, in order
    for y in range(y0 - 1, quarters[-1][0] + 2):
        for w in range(1, iso_weeks(y) + 1):
            q = week_quarter(y, w)
            if q in qset:
                weeks.append((week_index(y, w), q))
    weeks.sort()
    return quarters, weeks


def mean(xs):
    xs = list(xs)
    return math.fsum(xs) / len(xs)


def project(d, *, square="exact", interaction="exact", lag_interaction="exact", lags=LAGS,
            lag_within_quarter=False, target="exact", fixed_coef=True, lag_base="level"):
    """Per scenario: quarters with delta_nps, delta_revenue, costs, cash_flow,
    discount_factor, pv; npv; and what the test claims to exercise.  The keyword
    arguments give wrong answers the test must tell apart from the right one."""
    data = read_metrics(d)
    base = {r: {k: mean(v[k] for _, v in data[r][-WINDOW:]) for k in COLUMNS} for r in REGIONS}
    if lag_base == "shifted":
        # the baseline of lag(nps, 3) as the mean of the lagged column over the window
        for r in REGIONS:
            base[r]["nps_lag3"] = mean(v["nps"] for _, v in data[r][-WINDOW - 3:-3])
    else:
        for r in REGIONS:
            base[r]["nps_lag3"] = base[r]["nps"]
    pooled_dd = mean(base[r]["delivery_days"] for r in REGIONS)
    quarters, weeks = horizon()
    qof = dict(weeks)
    tn, tr = TRUTH["nps"], TRUTH["revenue"]
    b_ctr = tn["ctr"] if fixed_coef else 0.0
    inits = {i["id"]: i for i in INITIATIVES}
    rq = (1 + FINANCE["discount_rate"]) ** 0.25 - 1
    margin, tax = FINANCE["gross_margin"], FINANCE["tax_rate"]
    result = {"baseline": base, "quarterly_rate": rq, "scenarios": []}
    for sc in SCENARIOS:
        chosen = [inits[i] for i in sc["initiatives"]]
        effects = [e for i in chosen for e in i["effects"]]
        # per region and week, the change of each metric
        dm = {}
        target_move = {}
        for r in REGIONS:
            for wi, q in weeks:
                for m in METRICS:
                    parts = []
                    for e in effects:
                        if e["metric"] != m:
                            continue
                        share = ramp_share(e, q)
                        if "target" in e:
                            if target == "as change":
                                step = e["target"]
                            elif target == "pooled":
                                step = e["target"] - pooled_dd
                            else:
                                step = e["target"] - base[r][m]
                            if target == "no ramp":
                                share = 1.0 if quarter_ord(q) >= quarter_ord(parse_quarter(e["start"])) else 0.0
                            target_move[r] = e["target"] - base[r][m]
                        else:
                            step = e["change"]
                        parts.append(step * share)
                    dm[r, wi, m] = math.fsum(parts)
        dnps, drev = {}, {}
        nl = {"square": [], "interaction": [], "lag_interaction": []}  # (exact, linearised)
        for r in REGIONS:
            bc, bd, bt = base[r]["conversion"], base[r]["delivery_days"], base[r]["ctr"]
            for wi, q in weeks:
                dc, dd, dt = dm[r, wi, "conversion"], dm[r, wi, "delivery_days"], dm[r, wi, "ctr"]
                sq_exact = (bd + dd) ** 2 - bd ** 2
                sq_lin = 2 * bd * dd
                ia_exact = (bc + dc) * (bt + dt) - bc * bt
                ia_lin = bc * dt + bt * dc
                if dd:
                    nl["square"].append((sq_exact, sq_lin))
                if dc and dt:
                    nl["interaction"].append((ia_exact, ia_lin))
                dnps[r, wi] = math.fsum([
                    tn["conversion"] * dc, tn["delivery_days"] * dd,
                    tn["delivery_days^2"] * (sq_exact if square == "exact" else sq_lin),
                    b_ctr * dt,
                    tn["conversion:ctr"] * (ia_exact if interaction == "exact" else ia_lin)])
            bn = base[r]["nps_lag3"]
            for wi, q in weeks:
                lagged = {}
                for k in LAGS:
                    src = wi - k
                    if k in lags and src in qof and (not lag_within_quarter or qof[src] == q):
                        lagged[k] = dnps[r, src]
                    else:
                        lagged[k] = 0.0  # before the horizon nothing changes
                dc = dm[r, wi, "conversion"]
                li_exact = (bn + lagged[3]) * (bc + dc) - bn * bc
                li_lin = bn * dc + bc * lagged[3]
                if lagged[3] and dc:
                    nl["lag_interaction"].append((li_exact, li_lin))
                drev[r, wi] = math.fsum([
                    tr["lag(nps, 3)"] * lagged[3], tr["lag(nps, 9)"] * lagged[9],
                    tr["conversion"] * dc,
                    tr["lag(nps, 3):conversion"] * (li_exact if lag_interaction == "exact" else li_lin)])
        # each lag carrying an NPS change from an earlier quarter's week into a
        # quarter, at another level than that week's own change
        carry = {}
        for k in LAGS:
            for r in REGIONS:
                for wi, q in weeks:
                    src = wi - k
                    if src in qof and qof[src] != q and dnps[r, src] != dnps[r, wi]:
                        carry.setdefault(str(k), set()).add(quarter_label(q))
        qrows, npv_terms = [], []
        for n, q in enumerate(quarters, start=1):
            qw = [wi for wi, qq in weeks if qq == q]
            dr = math.fsum(drev[r, wi] for r in REGIONS for wi in qw)
            dn = math.fsum(dnps[r, wi] for r in REGIONS for wi in qw) / (len(REGIONS) * len(qw))
            costs = 0.0
            for i in chosen:
                for c in i["costs"]:
                    if c["kind"] == "capex":
                        costs += c["amount"] if parse_quarter(c["quarter"]) == q else 0.0
                    elif quarter_ord(parse_quarter(c["from"])) <= quarter_ord(q) <= quarter_ord(parse_quarter(c["to"])):
                        costs += c["amount"]
            cf = (margin * dr - costs) * (1 - tax)
            df = (1 + rq) ** -n
            qrows.append({"quarter": quarter_label(q), "weeks": len(qw), "delta_nps": dn,
                          "delta_revenue": dr, "costs": costs, "cash_flow": cf,
                          "discount_factor": df, "pv": cf * df})
            npv_terms.append(cf * df)
        nl_gap = {}
        for kind, pairs in nl.items():
            if pairs:
                nl_gap[kind] = {"weeks": len(pairs),
                                "largest_gap": max(abs(a - b) for a, b in pairs),
                                "largest_term_change": max(abs(a) for a, b in pairs)}
        result["scenarios"].append({"name": sc["name"], "npv": math.fsum(npv_terms),
                                    "delta_nps": qrows[-1]["delta_nps"], "quarters": qrows,
                                    "lag_carry": {k: sorted(v) for k, v in carry.items()},
                                    "nonlinear_gap": nl_gap, "target_move": target_move})
    return result


VARIANTS = {
    "delivery_days^2 linearised (2 b d)": dict(square="linear"),
    "conversion:ctr linearised (a db + b da)": dict(interaction="linear"),
    "lag(nps, 3):conversion linearised": dict(lag_interaction="linear"),
    "lag(nps, 3):conversion with the lagged column's window mean as baseline": dict(lag_base="shifted"),
    "lag(nps, 9) ignored": dict(lags=(3,)),
    "lags cut at quarter ends": dict(lag_within_quarter=True),
    "target taken as a change": dict(target="as change"),
    "target from the baseline pooled over regions": dict(target="pooled"),
    "target without its ramp": dict(target="no ramp"),
    "fixed ctr coefficient left out": dict(fixed_coef=False),
}


def expect(d, out):
    res = project(d)
    res["variants"] = {}
    for name, kw in VARIANTS.items():
        v = project(d, **kw)
        v.pop("baseline")
        res["variants"][name] = v
    with open(out, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
        f.write("\n")


def exercise(path):
    """The data and scenario exercise what the test claims."""
    res = json.load(open(path, encoding="utf-8"))
    scs = {s["name"]: s for s in res["scenarios"]}
    fails = 0

    def check(ok, what):
        nonlocal fails
        print(("ok - " if ok else "not ok - ") + what)
        fails += not ok

    # the target moves delivery_days by a different amount in each region
    tm = scs["Square, target"]["target_move"]
    spread = max(tm.values()) - min(tm.values()) if tm else 0.0
    check(len(tm) == len(REGIONS) and spread > 0.5,
          f"hand: the target {DD_TARGET} moves delivery_days by a different amount per region ("
          + ", ".join(f"{r} {v:+.4f}" for r, v in sorted(tm.items())) + ")")
    # the nonlinear terms differ from their linearisation by much more than rounding
    for kind, where in (("square", ("Square, target", "Square, change")),
                        ("interaction", BOTH_FACTORS),
                        ("lag_interaction", ("Interaction, conversion", "Everything"))):
        for name in where:
            g = scs[name]["nonlinear_gap"].get(kind)
            check(g is not None and g["largest_gap"] > 1e-3 * g["largest_term_change"],
                  f"hand: {name}: the {kind.replace('_', ' ')} term's exact change differs from its "
                  f"linearisation (largest gap {g['largest_gap'] if g else 0:.4g} on a term change of "
                  f"{g['largest_term_change'] if g else 0:.4g}, over {g['weeks'] if g else 0} region-weeks)")
    # both lags carry NPS changes across quarter boundaries at another level
    for name in ("Square, target", "Square, change", "Interaction, both factors"):
        lc = scs[name]["lag_carry"]
        check(all(lc.get(str(k)) for k in LAGS),
              f"hand: {name}: lag 3 and lag 9 both carry an NPS change from an earlier quarter's weeks "
              f"(at another level) into a quarter (lag 3: {','.join(lc.get('3', [])) or 'none'}; "
              f"lag 9: {','.join(lc.get('9', [])) or 'none'})")
    check(any(q["weeks"] == 14 for q in res["scenarios"][0]["quarters"]),
          "hand: the horizon has a 14-week quarter (2026Q4: ISO year 2026 has 53 weeks)")
    # the expected values tell the right projection from each wrong one
    for vname, v in res["variants"].items():
        worst, where = 0.0, ""
        for s, sv in zip(res["scenarios"], v["scenarios"]):
            for q, qv in zip(s["quarters"], sv["quarters"]):
                for k in ("delta_revenue", "delta_nps"):
                    dv = abs(q[k] - qv[k]) / abs(q[k]) if q[k] else abs(qv[k])
                    if dv > worst:
                        worst, where = dv, f"{s['name']} {q['quarter']} {k}"
            dv = abs(s["npv"] - sv["npv"]) / abs(s["npv"])
            if dv > worst:
                worst, where = dv, f"{s['name']} npv"
        check(worst > 1e-6, f"hand: the test tells the right projection from '{vname}' "
                            f"(largest relative difference {worst:.3g} at {where}; tolerance 1e-9)")
    # the interaction of both factors: its linearisation differs only where both move
    v = res["variants"]["conversion:ctr linearised (a db + b da)"]
    rel = {s["name"]: abs(s["npv"] - sv["npv"]) / abs(s["npv"]) for s, sv in zip(res["scenarios"], v["scenarios"])}
    one = max(x for n, x in rel.items() if n not in BOTH_FACTORS)
    both = [rel[n] for n in BOTH_FACTORS]
    check(one < 1e-12 and min(both) > 1e-6,
          f"hand: conversion:ctr's cross term da db matters in the scenarios that move both factors "
          f"(NPV relative differences {', '.join(f'{x:.3g}' for x in both)}) and only there ({one:.3g})")
    return 1 if fails else 0


# ---------------------------------------------------------------- comparison

def split(d):
    """One scenario file per scenario, DIR/alone-N.json; prints their paths."""
    doc = json.load(open(os.path.join(d, "scenario.json"), encoding="utf-8"))
    for n, sc in enumerate(doc["scenarios"], start=1):
        one = dict(doc, scenarios=[sc])
        path = os.path.join(d, f"alone-{n}.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(one, f, indent=1)
            f.write("\n")
        print(path)


def alone(path, fullpath, alonepaths, rtol=1e-9, atol=1e-6):
    """Each scenario simulated alone against the hand computation, and against
    the same scenario in the run of the whole file: a scenario's projection
    must not depend on the other scenarios it is simulated with."""
    full = load_sim(fullpath)
    docs = [load_sim(p) for p in alonepaths]
    if full is None or None in docs:
        return 1
    scs = [s for doc in docs for s in doc.get("scenarios", [])]
    rc = compare(path, None, rtol, atol, sim={"scenarios": scs}, label="simulate, each scenario alone")
    fulls = {s.get("name"): s for s in full.get("scenarios", []) if isinstance(s, dict)}
    bad = []
    for s in scs:
        f = fulls.get(s.get("name"))
        if f is None:
            continue
        for a, b in zip(s.get("quarters", []), f.get("quarters", [])):
            for k in ("delta_revenue", "delta_nps"):
                x, y = a.get(k), b.get(k)
                if not (isinstance(x, (int, float)) and isinstance(y, (int, float))
                        and abs(x - y) <= max(rtol * abs(x), atol)):
                    bad.append(f"{s['name']} {a.get('quarter')} {k}: alone {x!r}, with the others {y!r}")
    ok = not bad and len(scs) == len(fulls)
    print(("ok - " if ok else "not ok - ") + "simulate: each scenario's quarters are the same simulated alone "
          "and with the file's other scenarios (1e-9 relative)")
    for b in bad[:12]:
        print(f"#     {b}")
    if len(bad) > 12:
        print(f"#     ... {len(bad) - 12} more")
    return 1 if rc or not ok else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "generate" and len(argv) == 3:
        generate(argv[2])
        return 0
    if cmd == "fit" and len(argv) == 3:
        return check_fit(argv[2])
    if cmd == "expect" and len(argv) == 4:
        expect(argv[2], argv[3])
        return 0
    if cmd == "exercise" and len(argv) == 3:
        return exercise(argv[2])
    if cmd == "compare" and len(argv) == 4:
        return compare(argv[2], argv[3])
    if cmd == "split" and len(argv) == 3:
        split(argv[2])
        return 0
    if cmd == "alone" and len(argv) >= 5:
        return alone(argv[2], argv[3], argv[4:])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
