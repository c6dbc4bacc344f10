#!/usr/bin/python3
"""The finance options of a scenario (issue 14) worked out by hand.

    finance_hand.py generate DIR          write the noise-free data and model of
                                          projection.py and DIR/scenario.json with
                                          depreciation, indexation, a fiscal year
                                          from April, a decaying effect and one that ends
    finance_hand.py expect DIR OUT.json   compute the case by hand
    finance_hand.py exercise OUT.json     show that every option changes the figures
    finance_hand.py compare OUT.json SIM.json   compare `cxcase simulate --json` with it

The projection of the changes in NPS and revenue is projection.py's hand
computation (weeks, lag across quarter ends, exact log difference), with the
effect's shape per quarter extended as README "Finance options" says: the
ramp share, times (1 - decay)^k k quarters after the first quarter at full
effect, and 0 from the quarter start + duration_quarters on.  The finance is
then done here, line by line, as a controller would:

    capex      paid in its quarter
    opex       amount x (1 + indexation)^(year of the horizon, 0-based)
    deduction  opex + the capex depreciated straight-line: amount / (4 years)
               in each of the 4 x years quarters from the one it is paid in
               (the quarters past the horizon fall outside the case)
    tax        tax_rate x (margin x delta_revenue - deduction)
    cash flow  margin x delta_revenue - capex - opex - tax
    pv         cash flow / (1 + q)^t, q = (1 + r)^(1/4) - 1, t = 1, 2, ...

fiscal-year totals group the quarters by the fiscal year starting in
`fiscal_year_start`, named FY2025/26 for April 2025 to March 2026; the IRR is
found by bisection; the break-even share of an initiative's effects is where
its NPV alone is 0, by the closed form -NPV(0) / (NPV(1) - NPV(0)) for the
linear checkout and by bisection on the hand projection for the log term of
personalisation.  Never calls cxcase.  Standard library only.
"""
import copy
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import projection as P  # noqa: E402

FINANCE = dict(P.FINANCE, depreciation_years=3, indexation=0.03, fiscal_year_start=4)
INITIATIVES = copy.deepcopy(P.INITIATIVES)
INITIATIVES[0]["effects"][0]["decay"] = 0.1                 # checkout: fades after its ramp
INITIATIVES[0]["costs"][0]["quarter"] = "2026Q2"            # capex a quarter later
INITIATIVES[1]["effects"][0]["duration_quarters"] = 5       # personalisation: ends after 2027Q1
SCENARIOS = P.SCENARIOS
ramp_share = P.ramp_share


def shape(effect, q):
    """The share of an effect reached in quarter q: ramp, decay, duration."""
    s = ramp_share(effect, q)
    start, k = P.quarter_ord(P.parse_quarter(effect["start"])), P.quarter_ord(q)
    dur = effect.get("duration_quarters", 0)
    if dur and k >= start + dur:
        return 0.0
    full = start + max(effect.get("ramp_quarters", 0), 1) - 1
    if effect.get("decay", 0) and k > full:
        s *= (1 - effect["decay"]) ** (k - full)
    return s


def generate(d):
    P.generate(d)
    scenario = json.load(open(os.path.join(d, "scenario.json"), encoding="utf-8"))
    scenario["name"] = "Finance by hand: depreciation, indexation, fiscal years, fading effects"
    scenario["finance"] = FINANCE
    scenario["initiatives"] = INITIATIVES
    with open(os.path.join(d, "scenario.json"), "w", encoding="utf-8") as f:
        json.dump(scenario, f, indent=1)
        f.write("\n")


def changes(d, initiatives, scenarios, shaped=True):
    """projection.py's hand projection of delta_nps and delta_revenue per quarter."""
    saved = P.INITIATIVES, P.SCENARIOS, P.ramp_share
    P.INITIATIVES, P.SCENARIOS = initiatives, scenarios
    P.ramp_share = shape if shaped else ramp_share
    try:
        return P.project(d)
    finally:
        P.INITIATIVES, P.SCENARIOS, P.ramp_share = saved


def fiscal_label(year, quarter, month):
    """The fiscal year of a calendar quarter, as cxcase names it."""
    first = (month - 1) // 3  # the fiscal year's first quarter, 0-based
    fy = year if quarter - 1 >= first else year - 1
    return f"FY{fy}" if month == 1 else f"FY{fy}/{(fy + 1) % 100:02d}"


def irr(cf):
    """The annual IRR of quarterly flows with one sign change, by bisection."""
    f = lambda x: math.fsum(c * x ** (t + 1) for t, c in enumerate(cf))  # x = 1 / (1 + q)
    lo, hi = 1 / 11, 100.0
    if (f(lo) > 0) == (f(hi) > 0):
        return None
    for _ in range(400):
        mid = 0.5 * (lo + hi)
        if (f(mid) > 0) == (f(lo) > 0):
            lo = mid
        else:
            hi = mid
    return (0.5 * (lo + hi)) ** -4 - 1


def finance(proj, initiatives, scenarios, fin):
    """The finance of every scenario from the hand projection (see the module text)."""
    inits = {i["id"]: i for i in initiatives}
    first = P.quarter_ord(P.parse_quarter(fin["start"]))
    years, idx = fin.get("depreciation_years", 0), fin.get("indexation", 0)
    margin, tax, month = fin["gross_margin"], fin.get("tax_rate", 0), fin.get("fiscal_year_start", 1)
    rq = (1 + fin["discount_rate"]) ** 0.25 - 1
    out = []
    for sc, ps in zip(scenarios, proj["scenarios"]):
        rows = []
        for t, pq in enumerate(ps["quarters"]):
            capex = opex = dep = 0.0
            for c in (c for i in sc["initiatives"] for c in inits[i]["costs"]):
                if c["kind"] == "capex":
                    k = P.quarter_ord(P.parse_quarter(c["quarter"])) - first
                    capex += c["amount"] if k == t else 0.0
                    if years == 0:
                        dep += c["amount"] if k == t else 0.0
                    elif k <= t < k + 4 * years:
                        dep += c["amount"] / (4 * years)
                elif (P.quarter_ord(P.parse_quarter(c["from"])) - first <= t
                      <= P.quarter_ord(P.parse_quarter(c["to"])) - first):
                    opex += c["amount"] * (1 + idx) ** (t // 4)
            gp = margin * pq["delta_revenue"]
            taxq = tax * (gp - opex - dep)
            cf = gp - capex - opex - taxq
            df = (1 + rq) ** -(t + 1)
            yq = P.parse_quarter(pq["quarter"])
            rows.append({"quarter": pq["quarter"], "fiscal_year": fiscal_label(yq[0], yq[1], month),
                         "delta_nps": pq["delta_nps"], "delta_revenue": pq["delta_revenue"],
                         "gross_profit": gp, "capex": capex, "opex": opex, "costs": capex + opex,
                         "depreciation": dep, "tax": taxq, "cash_flow": cf, "discount_factor": df,
                         "pv": cf * df})
        fys = []
        for r in rows:
            if not fys or fys[-1]["fiscal_year"] != r["fiscal_year"]:
                fys.append({"fiscal_year": r["fiscal_year"], "from": r["quarter"], "quarters": 0})
            fy = fys[-1]
            fy["to"] = r["quarter"]
            fy["quarters"] += 1
            for k in ("delta_revenue", "gross_profit", "costs", "capex", "opex", "depreciation", "tax",
                      "cash_flow", "pv"):
                fy[k] = fy.get(k, 0.0) + r[k]
        cfs = [r["cash_flow"] for r in rows]
        out.append({"name": sc["name"], "npv": math.fsum(r["pv"] for r in rows), "irr": irr(cfs),
                    "quarters": rows, "fiscal_years": fys})
    return out


def alone_npv(d, init, scale, fin):
    """The hand NPV of one initiative alone with its changes scaled."""
    i = copy.deepcopy(init)
    for e in i["effects"]:
        e["change"] *= scale
    sc = [{"name": "alone", "initiatives": [i["id"]]}]
    return finance(changes(d, [i], sc), [i], sc, fin)[0]["npv"]


def break_even(d, fin, initiatives):
    out = []
    for init in initiatives:
        n0, n1 = alone_npv(d, init, 0.0, fin), alone_npv(d, init, 1.0, fin)
        linear = all(e["metric"] != "ctr" for e in init["effects"])  # log(ctr) is the only curved term
        if linear:
            share = -n0 / (n1 - n0)
        else:
            lo, hi = 0.0, 1.0
            while alone_npv(d, init, hi, fin) < 0:
                lo, hi = hi, 2 * hi
            for _ in range(60):
                mid = 0.5 * (lo + hi)
                if alone_npv(d, init, mid, fin) < 0:
                    lo = mid
                else:
                    hi = mid
            share = 0.5 * (lo + hi)
        out.append({"initiative": init["id"], "npv": n1, "npv_without_effects": n0, "share": share,
                    "linear": linear, "npv_at_share": alone_npv(d, init, share, fin)})
    return out


def expect(d, path):
    res = {"scenarios": finance(changes(d, INITIATIVES, SCENARIOS), INITIATIVES, SCENARIOS, FINANCE),
           "break_even": break_even(d, FINANCE, INITIATIVES), "variants": {}}
    # the same case with one option at its default: the test must tell each apart
    plain = copy.deepcopy(INITIATIVES)
    for name, key in (("no depreciation", "depreciation_years"), ("no indexation", "indexation"),
                      ("calendar fiscal years", "fiscal_year_start")):
        fin = {k: v for k, v in FINANCE.items() if k != key}
        res["variants"][name] = finance(changes(d, INITIATIVES, SCENARIOS), INITIATIVES, SCENARIOS, fin)
    for name, key in (("no decay", "decay"), ("no end to the effect", "duration_quarters")):
        inits = copy.deepcopy(INITIATIVES)
        for i in inits:
            for e in i["effects"]:
                e.pop(key, None)
        res["variants"][name] = finance(changes(d, inits, SCENARIOS), inits, SCENARIOS, FINANCE)
    del plain
    with open(path, "w", encoding="utf-8") as f:
        json.dump(res, f, indent=1)
        f.write("\n")


def exercise(path):
    res = json.load(open(path, encoding="utf-8"))
    fails = 0

    def check(ok, what):
        nonlocal fails
        print(("ok - " if ok else "not ok - ") + what)
        fails += not ok

    both = res["scenarios"][2]["quarters"]
    dep = [q["depreciation"] for q in both]
    check(abs(sum(dep) - (500000 + 300000) * 8 / 12 + 500000 / 12) < 1e-6,
          f"hand: depreciation over 3 years leaves part of the tax shield past the horizon "
          f"({sum(dep):,.2f} of 800,000 deducted within 8 quarters)")
    fy = [(f["fiscal_year"], f["quarters"]) for f in res["scenarios"][2]["fiscal_years"]]
    check(fy == [("FY2025/26", 1), ("FY2026/27", 4), ("FY2027/28", 3)],
          f"hand: fiscal years from April cut the horizon into {fy}")
    for name, v in res["variants"].items():
        d = 0.0
        for s, sv in zip(res["scenarios"], v):
            d = max(d, abs(s["npv"] - sv["npv"]) / abs(s["npv"]))
            if name == "calendar fiscal years":
                d = max(d, 1.0 if [f["fiscal_year"] for f in s["fiscal_years"]]
                        != [f["fiscal_year"] for f in sv["fiscal_years"]] else 0.0)
        check(d > 1e-6, f"hand: the test tells the case from '{name}' (largest relative difference {d:.3g})")
    for b in res["break_even"]:
        check(abs(b["npv_at_share"]) <= 1e-6 * abs(b["npv_without_effects"]),
              f"hand: {b['initiative']}: its NPV alone at {b['share']:.12f} of its effects is "
              f"{b['npv_at_share']:.3g} ({'closed form, linear' if b['linear'] else 'bisection, log term'})")
    return 1 if fails else 0


def compare(path, simpath, rtol=1e-9, atol=1e-6):
    exp = json.load(open(path, encoding="utf-8"))
    sim = json.load(open(simpath, encoding="utf-8"))
    fails = 0

    def check(ok, what, bad=()):
        nonlocal fails
        print(("ok - " if ok else "not ok - ") + what)
        for b in list(bad)[:8]:
            print(f"#     {b}")
        fails += not ok

    def close(got, want, scale=None):
        ok_num = isinstance(got, (int, float)) and not isinstance(got, bool) and math.isfinite(got)
        return ok_num and abs(got - want) <= max(rtol * abs(scale if scale is not None else want), atol)

    scs = {s["name"]: s for s in sim["scenarios"]}
    keys = ("delta_revenue", "gross_profit", "capex", "opex", "costs", "depreciation", "tax", "cash_flow",
            "discount_factor", "pv")
    for es in exp["scenarios"]:
        s = scs[es["name"]]
        bad = [f"{e['quarter']} {k}: cxcase {q.get(k)!r}, hand {e[k]!r}"
               for e, q in zip(es["quarters"], s["quarters"]) for k in keys
               if not close(q.get(k), e[k], max(abs(e[k]), abs(e["gross_profit"]), abs(e["costs"])))]
        check(not bad and len(s["quarters"]) == len(es["quarters"]),
              f"simulate: {es['name']}: every quarter's capex, indexed opex, depreciation, tax, cash flow "
              f"and pv equal the hand computation (1e-9 relative)", bad)
        check(close(s["npv"]["base"], es["npv"]),
              f"simulate: {es['name']}: NPV {s['npv']['base']!r} equals the hand NPV {es['npv']!r}")
        ok_irr = (es["irr"] is None and s["irr"] is None) or (es["irr"] is not None and close(s["irr"], es["irr"]))
        check(ok_irr, f"simulate: {es['name']}: IRR {s['irr']!r} equals the hand IRR {es['irr']!r}")
        got = [(f["fiscal_year"], f["from"], f["to"], f["quarters"]) for f in s["fiscal_years"]]
        want = [(f["fiscal_year"], f["from"], f["to"], f["quarters"]) for f in es["fiscal_years"]]
        bad = [f"{f['fiscal_year']} {k}: cxcase {g.get(k)!r}, hand {f[k]!r}"
               for f, g in zip(es["fiscal_years"], s["fiscal_years"])
               for k in ("delta_revenue", "gross_profit", "costs", "capex", "opex", "depreciation", "tax",
                         "cash_flow", "pv") if not close(g.get(k), f[k], max(abs(f[k]), abs(f["costs"])))]
        check(got == want and not bad, f"simulate: {es['name']}: fiscal-year totals {want} equal the hand sums",
              bad + ([f"years: cxcase {got}, hand {want}"] if got != want else []))
    be = {b["initiative"]: b for b in sim["break_even"]}
    for eb in exp["break_even"]:
        b = be.get(eb["initiative"], {})
        ok = close(b.get("share"), eb["share"], 1.0 if not eb["linear"] else None) and \
            close(b.get("npv_without_effects"), eb["npv_without_effects"]) and close(b.get("npv"), eb["npv"])
        check(ok, f"simulate: break-even of {eb['initiative']}: share {b.get('share')!r}, hand {eb['share']!r} "
                  f"({'closed form' if eb['linear'] else 'root of the curved NPV'})")
    return 1 if fails else 0


def main(argv):
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "generate" and len(argv) == 3:
        generate(argv[2])
        return 0
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
