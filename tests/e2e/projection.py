#!/usr/bin/python3
"""Noise-free data, a scenario and the hand-computed projection of `cxcase simulate`.

    projection.py generate DIR            write DIR/metrics.csv, model.json,
                                          scenario.json and truth.json
    projection.py fit FITTED.json DIR     compare `cxcase fit --json` with the truth
    projection.py expect DIR OUT.json     compute the projection by hand
    projection.py exercise OUT.json       show that the data exercise the lag across
                                          a quarter boundary, the ramp, the exact log
                                          difference and the per-region baseline
    projection.py compare OUT.json SIM.json   compare `cxcase simulate --json` with it

The data are weekly (ISO weeks 2023-W01 to 2025-W52) for three regions, with
metrics drawn from a seeded generator and targets that follow the truth
exactly, with no noise:

    nps     = a + b1 conversion + b2 delivery_days + b3 log(ctr) + region
    revenue = c + d lag(nps, 6) + e conversion + region

The hand computation follows the projection semantics of `cxcase simulate`
(README): horizon weeks are the ISO weeks whose Thursday falls in a horizon
quarter; a metric moves by change x ramp share of the week's quarter; the
baseline of a metric is the mean of the last 52 weeks of each region; the
change of nps is b1 dconv + b3 (log(ctr_base + dctr) - log(ctr_base)); the
change of revenue in week t is d dnps(t - 6) + e dconv(t), and weeks before
the horizon have no change; a quarter's delta_revenue is the sum over regions
and weeks, its delta_nps the mean; cash flow = (margin dRev - costs)(1 - tax),
discounted at (1 + r)^(1/4) - 1 from the first quarter on.  It uses the true
coefficients (the fit is exact) and never calls cxcase.  Standard library only.
"""
import csv
import datetime
import json
import math
import os
import random
import sys

SEED = 20260704
FIRST_YEAR, LAST_YEAR = 2023, 2025
REGIONS = ["Noord", "Oost", "Zuid"]
LAG = 6
WINDOW = 52

TRUTH = {
    "nps": {"(Intercept)": 12.5, "conversion": 4.25, "delivery_days": -3.75, "log(ctr)": 9.5,
            "region": {"Noord": 0.0, "Oost": 3.5, "Zuid": -2.25}},
    "revenue": {"(Intercept)": 150000.0, "lag(nps, 6)": 2500.0, "conversion": 60000.0,
                "region": {"Noord": 0.0, "Oost": 40000.0, "Zuid": -25000.0}},
}

FINANCE = {"start": "2026Q1", "horizon_quarters": 8, "discount_rate": 0.08,
           "gross_margin": 0.4, "tax_rate": 0.2}

INITIATIVES = [
    {"id": "checkout", "name": "Checkout redesign to raise conversion",
     "effects": [{"metric": "conversion", "change": 0.25, "start": "2026Q2", "ramp_quarters": 2}],
     "costs": [{"kind": "capex", "amount": 500000, "quarter": "2026Q1"},
               {"kind": "opex", "amount": 60000, "from": "2026Q2", "to": "2027Q4"}]},
    {"id": "personalisation", "name": "Personalised recommendations to raise click-through",
     "effects": [{"metric": "ctr", "change": 0.5, "start": "2026Q1", "ramp_quarters": 3}],
     "costs": [{"kind": "capex", "amount": 300000, "quarter": "2026Q1"},
               {"kind": "opex", "amount": 25000, "from": "2026Q1", "to": "2027Q4"}]},
]
SCENARIOS = [
    {"name": "Checkout alone", "initiatives": ["checkout"]},
    {"name": "Personalisation alone", "initiatives": ["personalisation"]},
    {"name": "Both", "initiatives": ["checkout", "personalisation"]},
]


# ---------------------------------------------------------------- calendar

def iso_weeks(year):
    """The ISO weeks of an ISO year: 52 or 53."""
    return datetime.date(year, 12, 28).isocalendar()[1]


def week_label(year, week):
    return f"{year}-W{week:02d}"


def week_index(year, week):
    """A running week number (consecutive ISO weeks differ by 1)."""
    return datetime.date.fromisocalendar(year, week, 1).toordinal() // 7


def week_quarter(year, week):
    """(year, quarter) of the week's Thursday."""
    thu = datetime.date.fromisocalendar(year, week, 4)
    return thu.year, (thu.month - 1) // 3 + 1


def parse_quarter(s):
    y, q = s.replace("-", "").split("Q")
    return int(y), int(q)


def quarter_label(yq):
    return f"{yq[0]}Q{yq[1]}"


def quarter_ord(yq):
    return yq[0] * 4 + yq[1] - 1


# ---------------------------------------------------------------- data

def generate(d):
    rng = random.Random(SEED)
    weeks = [(y, w) for y in range(FIRST_YEAR, LAST_YEAR + 1) for w in range(1, iso_weeks(y) + 1)]
    ctr_level = {"Noord": 2.4, "Oost": 3.6, "Zuid": 5.1}
    conv_level = {"Noord": 2.2, "Oost": 2.9, "Zuid": 3.4}
    rows = []
    tn, tr = TRUTH["nps"], TRUTH["revenue"]
    for r in REGIONS:
        # NPS of the 6 weeks before the data (not written): the first rows'
        # revenue follows the truth too, though the fit cannot use them
        nps_hist = [30.0 + rng.uniform(-5, 5) for _ in range(LAG)]
        for i, (y, w) in enumerate(weeks):
            # irregular metrics; ctr trends upwards, so the baseline window matters
            conv = f"{conv_level[r] + rng.uniform(-0.8, 0.8):.4f}"
            dd = f"{rng.uniform(1.0, 4.0):.3f}"
            ctr = f"{ctr_level[r] * (1 + 0.25 * i / len(weeks)) + rng.uniform(-0.9, 0.9):.4f}"
            c, dl, ct = float(conv), float(dd), float(ctr)
            nps = math.fsum([tn["(Intercept)"], tn["conversion"] * c, tn["delivery_days"] * dl,
                             tn["log(ctr)"] * math.log(ct), tn["region"][r]])
            nps_hist.append(nps)
            rev = math.fsum([tr["(Intercept)"], tr["lag(nps, 6)"] * nps_hist[i],
                             tr["conversion"] * c, tr["region"][r]])
            rows.append([week_label(y, w), r, conv, dd, ctr, repr(nps), repr(rev)])
    with open(os.path.join(d, "metrics.csv"), "w", encoding="utf-8", newline="") as f:
        wr = csv.writer(f, lineterminator="\n")
        wr.writerow(["week", "region", "conversion", "delivery_days", "ctr", "nps", "revenue"])
        wr.writerows(rows)
    model = {
        "name": "projection_truth",
        "description": "Noise-free chain for the projection test (tests/e2e/projection.py).",
        "units": ["region"],
        "equations": [
            {"target": "nps", "terms": ["conversion", "delivery_days", "log(ctr)", "C(region)"]},
            {"target": "revenue", "terms": [f"lag(nps, {LAG})", "conversion", "C(region)"]},
        ],
    }
    scenario = {
        "name": "Projection test: ramp and lag across a quarter boundary",
        "currency": "EUR",
        "data": [{"file": "metrics.csv", "kind": "metrics"}],
        "model": "model.json",
        "baseline": {"window_periods": WINDOW},
        "finance": FINANCE,
        "initiatives": INITIATIVES,
        "scenarios": SCENARIOS,
        "simulation": {"draws": 1000, "seed": 7, "coefficients": "t"},
    }
    for name, doc in (("model.json", model), ("scenario.json", scenario), ("truth.json", TRUTH)):
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")


def read_metrics(d):
    """{region: [(week_index, {column: value})]} in week order, parsed as cxcase parses."""
    out = {r: [] for r in REGIONS}
    with open(os.path.join(d, "metrics.csv"), encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            y, w = row["week"].split("-W")
            vals = {k: float(row[k]) for k in ("conversion", "delivery_days", "ctr", "nps", "revenue")}
            out[row["region"]].append((week_index(int(y), int(w)), vals))
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


def check_fit(fitted, tol=1e-10):
    m = json.load(open(fitted, encoding="utf-8"))
    fails = 0
    for eq in m["equations"]:
        target = eq["target"]
        worst, worst_name, names = 0.0, "", []
        for term in eq["terms"]:
            true = true_coef(target, term["name"])
            names.append(term["name"])
            if true is None:
                print(f"not ok - fit: {target}: term '{term['name']}' has no true value")
                fails += 1
                continue
            coef = term["coef"]
            if not isinstance(coef, (int, float)) or math.isnan(coef):
                print(f"not ok - fit: {target}: {term['name']} is {coef!r}")
                fails += 1
                continue
            scale = max(abs(true), 1.0)
            err = abs(coef - true) / scale
            if err >= worst:
                worst, worst_name = err, term["name"]
        want = 1 + 3 + 2 if target == "nps" else 1 + 2 + 2
        ok = worst <= tol and len(names) == want
        fails += not ok
        print(f"{'ok' if ok else 'not ok'} - fit: {target}: {len(names)} coefficients recovered from "
              f"noise-free data, worst relative error {worst:.3g} ({worst_name}; tolerance {tol:g})")
        extra = {k: eq.get(k) for k in ("n", "n_dropped", "sigma", "r2", "rss", "condition_number")}
        print(f"#   {target}: {json.dumps(extra)}")
        if eq.get("warnings"):
            print(f"#   warnings: {json.dumps(eq['warnings'])}")
    return 1 if fails else 0


# ---------------------------------------------------------------- hand computation

def ramp_share(effect, q):
    s = quarter_ord(parse_quarter(effect["start"]))
    k = quarter_ord(q)
    if k < s:
        return 0.0
    ramp = effect.get("ramp_quarters", 0)
    if ramp == 0:
        return 1.0
    return min(1.0, (k - s + 1) / ramp)


def project(d, *, lag=LAG, exact_log=True, window=WINDOW, pooled_baseline=False,
            lag_within_quarter=False, pre_horizon_changed=False):
    """Per scenario: quarters with delta_nps, delta_revenue, costs, cash_flow,
    discount_factor, pv; and npv.  The keyword arguments give the wrong answers
    that the test must be able to tell apart from the right one."""
    data = read_metrics(d)
    if pooled_baseline:
        allv = [v["ctr"] for r in REGIONS for _, v in data[r][-window:]]
        base_ctr = {r: math.fsum(allv) / len(allv) for r in REGIONS}
    else:
        base_ctr = {r: math.fsum(v["ctr"] for _, v in data[r][-window:]) / len(data[r][-window:])
                    for r in REGIONS}
    y0, q0 = parse_quarter(FINANCE["start"])
    n = FINANCE["horizon_quarters"]
    quarters = [((y0 * 4 + q0 - 1 + k) // 4, (y0 * 4 + q0 - 1 + k) % 4 + 1) for k in range(n)]
    qset = set(quarters)
    weeks = []  # (week_index, quarter) of the horizon, in order
    for y in range(y0 - 1, quarters[-1][0] + 2):
        for w in range(1, iso_weeks(y) + 1):
            q = week_quarter(y, w)
            if q in qset:
                weeks.append((week_index(y, w), q))
    weeks.sort()
    tn, tr = TRUTH["nps"], TRUTH["revenue"]
    b1, b3 = tn["conversion"], tn["log(ctr)"]
    dcoef, ecoef = tr["lag(nps, 6)"], tr["conversion"]
    inits = {i["id"]: i for i in INITIATIVES}
    rq = (1 + FINANCE["discount_rate"]) ** 0.25 - 1
    margin, tax = FINANCE["gross_margin"], FINANCE["tax_rate"]
    result = {"base_ctr": base_ctr, "quarterly_rate": rq, "scenarios": []}
    for sc in SCENARIOS:
        chosen = [inits[i] for i in sc["initiatives"]]
        effects = [e for i in chosen for e in i["effects"]]
        dmetric = {}  # metric -> {week_index: change}
        for wi, q in weeks:
            for e in effects:
                dmetric.setdefault(e["metric"], {}).setdefault(wi, [])
                dmetric[e["metric"]][wi].append(e["change"] * ramp_share(e, q))
        dconv = {wi: math.fsum(dmetric.get("conversion", {}).get(wi, [])) for wi, _ in weeks}
        dctr = {wi: math.fsum(dmetric.get("ctr", {}).get(wi, [])) for wi, _ in weeks}
        qof = dict(weeks)
        dnps, drev, cross = {}, {}, {}
        for r in REGIONS:
            for wi, q in weeks:
                if exact_log:
                    lt = math.log(base_ctr[r] + dctr[wi]) - math.log(base_ctr[r]) if dctr[wi] else 0.0
                else:
                    lt = dctr[wi] / base_ctr[r]
                dnps[r, wi] = b1 * dconv[wi] + b3 * lt
            for wi, q in weeks:
                src = wi - lag
                if src in qof and (not lag_within_quarter or qof[src] == q):
                    lagged = dnps[r, src]
                elif pre_horizon_changed and src < weeks[0][0]:
                    lagged = dnps[r, weeks[0][0]]
                else:
                    lagged = 0.0  # before the horizon nothing changes
                drev[r, wi] = dcoef * lagged + ecoef * dconv[wi]
                if src in qof and qof[src] != q and lagged != 0.0:
                    # dNPS of an earlier quarter's week reaching this quarter
                    cross.setdefault(quarter_label(q), []).append((r, src, lagged, dnps[r, wi]))
        qrows = []
        npv_terms = []
        for k, q in enumerate(quarters, start=1):
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
            df = (1 + rq) ** -k
            qrows.append({"quarter": quarter_label(q), "weeks": len(qw), "delta_nps": dn,
                          "delta_revenue": dr, "costs": costs, "cash_flow": cf,
                          "discount_factor": df, "pv": cf * df})
            npv_terms.append(cf * df)
        # how much of each quarter's revenue change comes from the previous quarter's weeks
        carried = {}
        for ql, items in cross.items():
            carried[ql] = {"weeks": len(items) // len(REGIONS),
                           "delta_revenue_from_earlier_weeks": math.fsum(dcoef * it[2] for it in items),
                           "differs_from_same_week_dnps": any(it[2] != it[3] for it in items)}
        result["scenarios"].append({"name": sc["name"], "npv": math.fsum(npv_terms),
                                    "delta_nps": qrows[-1]["delta_nps"], "quarters": qrows,
                                    "lag_carry": carried})
    return result


def expect(d, out):
    res = project(d)
    res["variants"] = {
        "no lag": project(d, lag=0),
        "lag within the quarter only": project(d, lag_within_quarter=True),
        "weeks before the horizon changed": project(d, pre_horizon_changed=True),
        "log linearised": project(d, exact_log=False),
        "baseline over all weeks": project(d, window=10 ** 6),
        "baseline pooled over regions": project(d, pooled_baseline=True),
    }
    for v in res["variants"].values():
        v.pop("base_ctr")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
        f.write("\n")


def exercise(path):
    """The data and scenario exercise what the test claims."""
    res = json.load(open(path, encoding="utf-8"))
    fails = 0

    def check(ok, what):
        nonlocal fails
        print(("ok - " if ok else "not ok - ") + what)
        fails += not ok

    for s in res["scenarios"]:
        carry = {q: c for q, c in s["lag_carry"].items() if c["differs_from_same_week_dnps"]}
        desc = ", ".join(f"{q}: {c['weeks']} weeks, {c['delta_revenue_from_earlier_weeks']:.2f}"
                         for q, c in sorted(carry.items()))
        check(bool(carry), f"hand: {s['name']}: the 6-week lag carries an NPS change from the previous "
                           f"quarter's weeks (at another ramp level) into a quarter ({desc})")
    check(any(q["weeks"] == 14 for q in res["scenarios"][0]["quarters"]),
          "hand: the horizon has a 14-week quarter (2026Q4: ISO year 2026 has 53 weeks)")
    worst = {}
    for name, v in res["variants"].items():
        d = 0.0
        for s, sv in zip(res["scenarios"], v["scenarios"]):
            for q, qv in zip(s["quarters"], sv["quarters"]):
                for k in ("delta_revenue", "delta_nps"):
                    d = max(d, abs(q[k] - qv[k]) / max(abs(q[k]), 1e-300) if q[k] else abs(qv[k]))
            d = max(d, abs(s["npv"] - sv["npv"]) / abs(s["npv"]))
        worst[name] = d
        check(d > 1e-6, f"hand: the test tells the right projection from '{name}' "
                        f"(largest relative difference {d:.3g}, tolerance 1e-9)")
    return 1 if fails else 0


# ---------------------------------------------------------------- comparison

def load_sim(simpath):
    try:
        return json.load(open(simpath, encoding="utf-8"))
    except (OSError, ValueError) as e:
        print(f"not ok - cxcase simulate --json prints a JSON document ({simpath}: {e})")
        return None


def compare(path, simpath, rtol=1e-9, atol=1e-6, sim=None, label="simulate"):
    exp = json.load(open(path, encoding="utf-8"))
    if sim is None:
        sim = load_sim(simpath)
        if sim is None:
            return 1
    fails = 0
    diffs = []

    def check(ok, what):
        nonlocal fails
        print(("ok - " if ok else "not ok - ") + what)
        fails += not ok

    def num(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)

    def close(got, want):
        return num(got) and abs(got - want) <= max(rtol * abs(want), atol)

    def rel(got, want):
        if not num(got):
            return math.inf
        return abs(got - want) / abs(want) if want else abs(got - want)

    scs = {s.get("name"): s for s in sim.get("scenarios", []) if isinstance(s, dict)}
    check(isinstance(sim.get("scenarios"), list) and len(sim["scenarios"]) == len(exp["scenarios"]),
          f"{label}: {len(exp['scenarios'])} scenarios in the output")
    for es in exp["scenarios"]:
        name = es["name"]
        s = scs.get(name)
        if s is None:
            check(False, f"{label}: scenario '{name}' is in the output")
            continue
        qs = s.get("quarters")
        want_q = [q["quarter"] for q in es["quarters"]]
        got_q = [q.get("quarter") for q in qs] if isinstance(qs, list) else None
        check(got_q == want_q, f"{label}: {name}: quarters {want_q[0]}..{want_q[-1]} in order"
                               + ("" if got_q == want_q else f" (found {got_q})"))
        if got_q != want_q:
            continue
        bad = []
        for eq, q in zip(es["quarters"], qs):
            for k in ("delta_revenue", "delta_nps", "costs", "cash_flow", "discount_factor", "pv"):
                got, want = q.get(k), eq[k]
                diffs.append((rel(got, want), name, eq["quarter"], k, got, want))
                if not close(got, want):
                    bad.append(f"{eq['quarter']} {k}: {got!r}, hand {want!r}")
        check(not bad, f"{label}: {name}: every quarter's delta_revenue, delta_nps, costs, cash_flow, "
                       f"discount_factor and pv equal the hand computation (1e-9 relative)")
        for b in bad[:12]:
            print(f"#     {b}")
        npv = s.get("npv", {}).get("base") if isinstance(s.get("npv"), dict) else None
        diffs.append((rel(npv, es["npv"]), name, "-", "npv.base", npv, es["npv"]))
        check(close(npv, es["npv"]), f"{label}: {name}: npv.base {npv!r} equals the hand NPV "
                                     f"{es['npv']!r} (1e-9 relative)")
        dn = s.get("delta_nps", {}).get("base") if isinstance(s.get("delta_nps"), dict) else None
        diffs.append((rel(dn, es["delta_nps"]), name, "-", "delta_nps.base", dn, es["delta_nps"]))
        check(close(dn, es["delta_nps"]), f"{label}: {name}: delta_nps.base {dn!r} is the last "
                                          f"quarter's, {es['delta_nps']!r} (1e-9 relative)")
    diffs.sort(key=lambda t: -t[0] if math.isfinite(t[0]) else -math.inf)
    print(f"#   {label}: worst relative differences (scenario, quarter, key, cxcase, hand):")
    for dv, name, q, k, got, want in diffs[:8]:
        print(f"#     {dv:.3g}  {name}  {q}  {k}  {got!r}  {want!r}")
    return 1 if fails else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "generate" and len(argv) == 3:
        generate(argv[2])
        return 0
    if cmd == "fit" and len(argv) == 4:
        return check_fit(argv[2])
    if cmd == "expect" and len(argv) == 4:
        expect(argv[2], argv[3])
        return 0
    if cmd == "exercise" and len(argv) == 3:
        return exercise(argv[2])
    if cmd == "compare" and len(argv) == 4:
        return compare(argv[2], argv[3])
    print(__doc__, file=sys.stderr)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))
