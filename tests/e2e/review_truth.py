#!/usr/bin/env python3
"""review_truth.py - worlds with known truth for `cxcase review`.

Twelve regions, weekly 2024-W01 .. 2025-W52 of history and the reviewed
quarter 2026Q1 (2026-W01 .. W13).  The truth:
    delivery_days = d_u + AR(1) noise      conversion = c_u + noise
    nps     = 10 + a_u - 5 delivery_days + 4 conversion + e  (sd 2)
    revenue = 1e6 + b_u + 1500 lag(nps, 4) + 40000 conversion + e  (sd 20000)
The case (recorded by `cxcase simulate --record` on the history) plans
delivery_days -0.6 in every region from 2026Q1.  In the quarter:
    (a) execution: the initiative reached 8 regions and delivered 60% there
    (b) response:  NPS answers delivery_days changes with -8, not -5
    (c) level:     NPS drifts up by 3 points
    (d) nothing:   every region got the planned change, nothing else moved
Worlds (a)-(c) share the rollout of 8 regions, with a realised-rollout file;
(d) is the plan itself (no variation in the rollout: execution not separable).
Each seed draws the history once (one case) and the quarter's noise once;
the worlds differ only by the injected cause.

The truth of each part is stated in terms of the frozen model (the case's
coefficients b, read from the ledger), mean over the quarter's rows i:
    execution = sum_m b_m mean(real_m,i - planned_m,i)
    drift     = sum_m b_m mean(A_m,i - B_m,u - real_m,i)
    response  = sum_m (beta_m - b_m) mean(A_m,i - B_m,u)      beta: the quarter's truth
    baseline  = mean(mu_i - expost_i) - response               mu: noiseless NPS
so that their sum is the expected gap.  Revenue's truth (truth_revenue) is
summed over the quarter's rows: NPS's parts of the row lag(nps, 4) reads
pass through the frozen lag coefficient, and the revenue equation's own
response and baseline come on top (true coefficients 1500 and 40000).

    python3 review_truth.py CXCASE SEEDS       the study; prints figures, exit 1 on failure
    python3 review_truth.py gen CXCASE SEED DIR [nonlinear]   one seed's files in DIR (history.csv, spec.json,
                                               scenario.json, cases.jsonl with the case,
                                               realised.json, quarter-a.csv .. quarter-d.csv)
SPDX-License-Identifier: GPL-3.0-or-later
"""
import datetime
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np

UNITS = ["R%02d" % (k + 1) for k in range(12)]
REACHED = UNITS[:8]
HIST = [(y, w) for y in (2024, 2025) for w in range(1, 53)]
QUARTER = [(2026, w) for w in range(1, 14)]
B_DEL, B_CONV, B_NPS, B_RCONV = -5.0, 4.0, 1500.0, 40000.0
PLAN = -0.6
SPEC = {"name": "truth", "units": ["region"], "equations": [
    {"target": "nps", "terms": ["delivery_days", "conversion", "C(region)"]},
    {"target": "revenue", "terms": ["lag(nps, 4)", "conversion", "C(region)"]}]}


# the same worlds under a frozen model with a log, a square and an interaction
SPEC_NL = {"name": "truth-nl", "units": ["region"], "equations": [
    {"target": "nps", "terms": ["log(delivery_days)", "conversion^2", "delivery_days:conversion", "C(region)"]},
    {"target": "revenue", "terms": ["lag(nps, 4)", "log(conversion)", "C(region)"]}]}


def week(y, w):
    return "%d-W%02d" % (y, w)


def draw_world(seed):
    """Unit effects, the history, and the quarter's noise (common to the worlds)."""
    r = np.random.default_rng(seed)
    n_w = len(HIST) + len(QUARTER)
    d_u = r.uniform(2.2, 3.4, 12)
    c_u = r.uniform(2.0, 3.0, 12)
    a_u = r.normal(0, 3, 12)
    b_u = r.normal(0, 50000, 12)
    dn = np.zeros((12, n_w))
    for u in range(12):
        e = 0.0
        for t in range(n_w):
            e = 0.5 * e + r.normal(0, 0.1)
            dn[u, t] = e
    cn = r.normal(0, 0.05, (12, n_w))
    en = r.normal(0, 2.0, (12, n_w))
    er = r.normal(0, 20000.0, (12, n_w))
    return dict(d_u=d_u, c_u=c_u, a_u=a_u, b_u=b_u, dn=dn, cn=cn, en=en, er=er)


def realise(wd, world):
    """The panel (list of rows) of world `world`; each row's truth pieces."""
    rows = []
    periods = HIST + QUARTER
    for u in range(12):
        nps_hist = []
        for t, (y, w) in enumerate(periods):
            inq = t >= len(HIST)
            real = 0.0
            if inq:
                if world == "d":
                    real = PLAN
                elif UNITS[u] in REACHED:
                    real = PLAN * (0.6 if world == "a" else 1.0)
            deliv = wd["d_u"][u] + wd["dn"][u, t] + real
            conv = wd["c_u"][u] + wd["cn"][u, t]
            bdel = B_DEL
            mu = 10 + wd["a_u"][u] + bdel * deliv + B_CONV * conv
            if inq and world == "b":
                mu += (-8.0 - B_DEL) * (deliv - wd["base_del"][u])
            if inq and world == "c":
                mu += 3.0
            nps = mu + wd["en"][u, t]
            nps_hist.append(nps)
            lagn = nps_hist[t - 4] if t >= 4 else float("nan")
            rev = 1e6 + wd["b_u"][u] + B_NPS * lagn + B_RCONV * conv + wd["er"][u, t] if t >= 4 else float("nan")
            rows.append(dict(week=week(y, w), region=UNITS[u], delivery_days=deliv, conversion=conv, nps=nps,
                             revenue=rev, mu=mu, real=real, inq=inq, b_u=wd["b_u"][u]))
    return rows


def write_csv(path, rows, quarter):
    with open(path, "w") as fp:
        fp.write("week,region,delivery_days,conversion,nps,revenue\n")
        for r in rows:
            if r["inq"] and not quarter:
                continue
            rev = "" if math.isnan(r["revenue"]) else "%.2f" % r["revenue"]
            fp.write("%s,%s,%.6f,%.6f,%.6f,%s\n" % (r["week"], r["region"], r["delivery_days"], r["conversion"],
                                                   r["nps"], rev))


def baseline(rows, col):
    """The case's baseline: the mean of the last 52 weeks of history per unit."""
    out = {}
    for u in UNITS:
        v = [r[col] for r in rows if r["region"] == u and not r["inq"]][-52:]
        out[u] = sum(v) / len(v)
    return out


def truth(rows, coef, world, base_del, base_conv):
    """Per part the truth for the NPS target (see the module's text)."""
    q = [r for r in rows if r["inq"]]
    n = len(q)
    bd, bc = coef["delivery_days"], coef["conversion"]
    ex = sum(bd * (r["real"] - PLAN) for r in q) / n
    dr = sum(bd * (r["delivery_days"] - base_del[r["region"]] - r["real"]) +
             bc * (r["conversion"] - base_conv[r["region"]]) for r in q) / n
    beta_d = -8.0 if world == "b" else B_DEL
    resp = sum((beta_d - bd) * (r["delivery_days"] - base_del[r["region"]]) +
               (B_CONV - bc) * (r["conversion"] - base_conv[r["region"]]) for r in q) / n
    const = lambda u: coef["(Intercept)"] + coef.get("C(region)[%s]" % u, 0.0)
    ep = [const(r["region"]) + bd * r["delivery_days"] + bc * r["conversion"] for r in q]
    mu = [r["mu"] for r in q]
    base = sum(m - e for m, e in zip(mu, ep)) / n - resp
    return {"execution": ex, "metric_drift": dr, "response": resp, "baseline_drift": base}


def truth_revenue(rows, rec, world, base_del, base_conv):
    """Per part the truth for the revenue target, summed over the quarter's
    rows i as the review sums revenue.  NPS's parts of the row read through
    lag(nps, 4) (a row of the history for the quarter's first 4 weeks, where
    the plan is the baseline) pass through the frozen lag coefficient c_L:
        execution = sum_i c_L exec_nps(i-4)
        drift     = sum_i c_L drift_nps(i-4) + c_conv (conv_i - B_conv,u)
        response  = sum_i c_L resp_nps(i-4) + (1500 - c_L)(nps(i-4) - B_nps,u)
                                            + (40000 - c_conv)(conv_i - B_conv,u)
        baseline  = sum_i c_L base_nps(i-4) + (mu_rev,i - expost_rev,i) - own response
    with the NPS parts of a row as in truth() (mu: noiseless), and mu_rev the
    noiseless revenue at the actual lagged NPS."""
    eqs = rec["model"]["equations"]
    cn, cr = (dict(zip(e["terms"], e["coef"])) for e in eqs[:2])
    bd, bc = cn["delivery_days"], cn["conversion"]
    cl, cc = cr["lag(nps, 4)"], cr["conversion"]
    base_nps = dict(zip(rec["units"], rec["baseline"]["nps"]))
    const_n = lambda u: cn["(Intercept)"] + cn.get("C(region)[%s]" % u, 0.0)
    const_r = lambda u: cr["(Intercept)"] + cr.get("C(region)[%s]" % u, 0.0)
    by_unit = {}
    for r in rows:
        by_unit.setdefault(r["region"], []).append(r)
    out = dict.fromkeys(("execution", "metric_drift", "response", "baseline_drift"), 0.0)
    for u, rs in by_unit.items():
        for t, r in enumerate(rs):
            if not r["inq"]:
                continue
            j = rs[t - 4]
            plan_j = PLAN if j["inq"] else 0.0
            beta_d = -8.0 if (world == "b" and j["inq"]) else B_DEL
            dd, dc = j["delivery_days"] - base_del[u], j["conversion"] - base_conv[u]
            ex_n = bd * (j["real"] - plan_j)
            dr_n = bd * (dd - j["real"]) + bc * dc
            rs_n = (beta_d - bd) * dd + (B_CONV - bc) * dc
            ep_n = const_n(u) + bd * j["delivery_days"] + bc * j["conversion"]
            ba_n = (j["mu"] - ep_n) - rs_n
            own = (B_NPS - cl) * (j["nps"] - base_nps[u]) + (B_RCONV - cc) * (r["conversion"] - base_conv[u])
            mu_r = 1e6 + r["b_u"] + B_NPS * j["nps"] + B_RCONV * r["conversion"]
            ep_r = const_r(u) + cl * j["nps"] + cc * r["conversion"]
            out["execution"] += cl * ex_n
            out["metric_drift"] += cl * dr_n + cc * (r["conversion"] - base_conv[u])
            out["response"] += cl * rs_n + own
            out["baseline_drift"] += cl * ba_n + (mu_r - ep_r) - own
    return out


def truth_finance(rec, world):
    """The NPV re-forecast's truth: the frozen case's cash flows (no tax, the
    capex as planned) with the plan's revenue change kept in the regions
    reached in 2026Q1 as planned, times the share truly delivered there (60%
    in world (a), all of it in (b) and (c)), and 0 in the 4 regions never
    reached; discounted as simulate discounts."""
    scen = json.loads(rec["scenario"]["content"])
    F = scen["finance"]
    sc = rec["forecast"]["scenarios"][-1]
    share = (0.6 if world == "a" else 1.0) * len(REACHED) / len(UNITS)
    npv = 0.0
    for q, x in enumerate(sc["quarters"]):
        cost = sum(c["amount"] for c in scen["initiatives"][0]["costs"] if q == 0)
        cf = F["gross_margin"] * share * x["delta_revenue"] - cost
        npv += cf * (1 + F["discount_rate"]) ** (-(q + 1) / 4)
    return {"npv": npv}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write("%s\n%s" % (" ".join(cmd), p.stderr))
        raise SystemExit(1)
    return p.stdout


def one_seed(cxcase, seed, tmp, review=True, spec=SPEC):
    wd = draw_world(seed)
    hist = realise(wd, "d")
    base_del = baseline(hist, "delivery_days")
    base_conv = baseline(hist, "conversion")
    wd["base_del"] = [base_del[u] for u in UNITS]
    d = os.path.join(tmp, "s%d" % seed) if review else tmp
    os.makedirs(d, exist_ok=True)
    write_csv(os.path.join(d, "history.csv"), hist, False)
    with open(os.path.join(d, "spec.json"), "w") as fp:
        json.dump(spec, fp)
    scen = {"name": "truth", "currency": "EUR", "data": [{"file": "history.csv", "kind": "metrics"}],
            "model": "spec.json", "baseline": {"window_periods": 52},
            "finance": {"start": "2026Q1", "horizon_quarters": 4, "discount_rate": 0.08, "gross_margin": 0.35},
            "initiatives": [{"id": "next_day", "name": "Next-day delivery",
                             "effects": [{"metric": "delivery_days", "change": PLAN, "start": "2026Q1",
                                          "ramp_quarters": 1}],
                             "costs": [{"kind": "capex", "amount": 500000, "quarter": "2026Q1"}]}],
            "scenarios": [{"name": "Delivery", "initiatives": ["next_day"]}],
            "simulation": {"draws": 200, "seed": seed}}
    with open(os.path.join(d, "scenario.json"), "w") as fp:
        json.dump(scen, fp)
    ledger = os.path.join(d, "cases.jsonl")
    run([cxcase, "simulate", os.path.join(d, "scenario.json"), "--record", ledger])
    rec = json.loads(open(ledger).readline())
    eq = rec["model"]["equations"][0]
    coef = dict(zip(eq["terms"], eq["coef"]))
    with open(os.path.join(d, "realised.json"), "w") as fp:
        json.dump({"initiatives": [{"id": "next_day", "units": {u: "2026Q1" for u in REACHED}}]}, fp)
    out = {}
    for world in "abcd":
        rows = realise(wd, world)
        data = os.path.join(d, "quarter-%s.csv" % world)
        write_csv(data, rows, True)
        if not review:
            continue
        cmd = [cxcase, "review", ledger, data, "--json"]
        if world != "d":
            cmd += ["--realised", os.path.join(d, "realised.json")]
        rv = json.loads(run(cmd))
        out[world] = (rv, truth(rows, coef, world, base_del, base_conv),
                      truth_revenue(rows, rec, world, base_del, base_conv), truth_finance(rec, world))
    return out


def ks_uniform(x):
    """Kolmogorov-Smirnov test of x against U(0, 1): D and its asymptotic p-value."""
    x = np.sort(np.asarray(x))
    n = len(x)
    i = np.arange(1, n + 1)
    D = max(np.max(i / n - x), np.max(x - (i - 1) / n))
    lam = (math.sqrt(n) + 0.12 + 0.11 / math.sqrt(n)) * D
    p = 2 * sum((-1) ** (k - 1) * math.exp(-2 * k * k * lam * lam) for k in range(1, 101))
    return D, min(max(p, 0.0), 1.0)


def wilson(k, n, z=2.5758293035489004):
    """The Wilson score interval of k successes in n at 99%."""
    p = k / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return c - h, c + h


def main():
    if sys.argv[1] == "gen":
        nl = len(sys.argv) > 5 and sys.argv[5] == "nonlinear"
        one_seed(sys.argv[2], int(sys.argv[3]), sys.argv[4], review=False, spec=SPEC_NL if nl else SPEC)
        return
    cxcase, seeds = sys.argv[1], int(sys.argv[2])
    fails = 0

    def check(ok, what, statistical=True):
        nonlocal fails
        if statistical and os.environ.get("SANITIZED") == "1":  # a smoke run: see tests/cli/lib.sh
            print("skip - " + what)
            return
        print(("ok - " if ok else "not ok - ") + what)
        fails += not ok

    res = {w: [] for w in "abcd"}
    with tempfile.TemporaryDirectory() as tmp:
        for s in range(seeds):
            for w, v in one_seed(cxcase, 1000 + s, tmp).items():
                res[w].append(v)
    worst, worst_gap = 0.0, 0.0
    for w in "abcd":
        for rv, *_ in res[w]:
            for t in rv["targets"]:
                scale = max(1.0, abs(t["plan"]), abs(t["actual"]))
                worst = max(worst, abs(t["check"]) / scale)
                worst_gap = max(worst_gap, abs(t["check"]) / max(1.0, abs(t["gap"])))
    check(worst <= 1e-12, "plan + the four parts = actual in every review, NPS and revenue: worst |check| %.2g of "
          "the quarter's figure (at most 1e-12), %.2g of the gap" % (worst, worst_gap), statistical=False)
    parts = {"a": ["execution", "metric_drift", "response", "baseline_drift"],
             "b": ["execution", "metric_drift", "response", "baseline_drift"],
             "c": ["execution", "metric_drift", "response", "baseline_drift"],
             "d": ["response", "baseline_drift"]}
    # each part of each target (truth index 1: NPS, 2: revenue, as one_seed returns them)
    for tix, tname, w, name in [(1, "NPS", w, n) for w in "abcd" for n in parts[w]] + \
            [(2, "revenue", w, n) for w in "abcd" for n in parts[w]]:
        err, cover, zs = [], 0, []
        for res_w in res[w]:
            rv, tr = res_w[0], res_w[tix]
            p = next(x for x in rv["targets"][tix - 1]["parts"] if x["part"] == name)
            e = p["value"] - tr[name]
            err.append(e)
            cover += p["low"] <= tr[name] <= p["high"]
            zs.append(e / p["se"])
        err = np.array(err)
        n = len(err)
        bias_se = err.std(ddof=1) / math.sqrt(n)
        cov = cover / n
        lo, hi = wilson(cover, n)
        check(abs(err.mean()) <= 3 * bias_se and lo <= 0.98 and hi >= 0.90,
              "world (%s), %s %s: mean error %+.4g (SE %.4g, unbiased within 3 SE), 95%% interval covers "
              "the truth in %d of %d seeds (%.1f%%; 99%% Wilson %.1f-%.1f%% meets 90-98%%)"
              % (w, tname, name, err.mean(), bias_se, cover, n, 100 * cov, 100 * lo, 100 * hi))
    # the injected cause lands in its own part: the same seed's world minus (d)'s plan-less counterpart
    for tix, tname in ((1, "NPS"), (2, "revenue")):
        for w, name in (("a", "execution"), ("b", "response"), ("c", "baseline_drift")):
            other = []
            for res_w in res[w]:
                rv, tr = res_w[0], res_w[tix]
                ps = {p["part"]: p for p in rv["targets"][tix - 1]["parts"]}
                for o in ps:
                    if o != name and ps[o]["separable"] and ps[o]["se"]:
                        other.append(not (ps[o]["low"] <= tr[o] <= ps[o]["high"]))
            frac = float(np.mean(other)) if other else 0.0
            check(frac <= 0.10, "world (%s), %s: the other parts' 95%% intervals hold their truth in %.1f%% of "
                  "cases (the injected cause is not attributed to them)" % (w, tname, 100 * (1 - frac)))
    # the NPV re-forecast against the NPV at the share truly delivered (a: 60%, b and c: 100% in 8 of 12 regions)
    for w in "abc":
        err = np.array([r[0]["finance"]["npv"]["reforecast"] - r[3]["npv"] for r in res[w]])
        cover = sum(r[0]["finance"]["npv"]["low"] <= r[3]["npv"] <= r[0]["finance"]["npv"]["high"] for r in res[w])
        n = len(err)
        bias_se = err.std(ddof=1) / math.sqrt(n)
        lo, hi = wilson(cover, n)
        check(abs(err.mean()) <= 3 * bias_se and lo <= 0.98 and hi >= 0.90,
              "world (%s), NPV re-forecast: mean error %+.4g (SE %.4g, unbiased within 3 SE; truth %.4g on average), "
              "95%% interval covers the truth in %d of %d seeds (%.1f%%; 99%% Wilson %.1f-%.1f%% meets 90-98%%)"
              % (w, err.mean(), bias_se, np.mean([r[3]["npv"] for r in res[w]]), cover, n, 100 * cover / n,
                 100 * lo, 100 * hi))
    # (c): the drift of 3 points lands in the baseline part
    base = np.array([next(p for p in rv["targets"][0]["parts"] if p["part"] == "baseline_drift")["value"]
                     for rv, *_ in res["c"]])
    based = np.array([next(p for p in rv["targets"][0]["parts"] if p["part"] == "baseline_drift")["value"]
                      for rv, *_ in res["b"]])
    check(abs(base.mean() - 3.0) < 4 * base.std(ddof=1) / math.sqrt(len(base)) + 0.5,
          "world (c): baseline drift %.3f on average (injected 3 points)" % base.mean())
    # (a): DiD recovers 60% delivery
    share = np.array([rv["initiatives"][0]["share_delivered"] for rv, *_ in res["a"]])
    check(abs(share.mean() - 0.6) < 0.03, "world (a): the DiD estimate delivers %.3f of the plan on average "
          "(truth 0.60)" % share.mean())
    # (d): false flags, calibration
    for tname in ("nps", "revenue"):
        z = np.array([next(t for t in rv["targets"] if t["target"] == tname)["forecast"]["ex_ante"]["z"]
                      for rv, *_ in res["d"]])
        pit = np.array([next(t for t in rv["targets"] if t["target"] == tname)["forecast"]["ex_ante"]["pit"]
                        for rv, *_ in res["d"]])
        in80 = np.mean([next(t for t in rv["targets"] if t["target"] == tname)["forecast"]["ex_ante"]["in80"]
                        for rv, *_ in res["d"]])
        in95 = np.mean([next(t for t in rv["targets"] if t["target"] == tname)["forecast"]["ex_ante"]["in95"]
                        for rv, *_ in res["d"]])
        nflag = int(np.sum(np.abs(z) > 1.959963984540054))
        flags = nflag / len(z)
        lo, hi = wilson(nflag, len(z))
        D, p = ks_uniform(pit)
        check(lo <= 0.05 <= hi and p > 0.01,
              "world (d), %s: %.1f%% of reviews flag a significant gap (99%% Wilson %.1f-%.1f%% holds the nominal "
              "5%%); in the 80%% band %.1f%%, in the 95%% band %.1f%%; PIT uniform: KS D = %.3f, p = %.3f (n = %d)"
              % (tname, 100 * flags, 100 * lo, 100 * hi, 100 * in80, 100 * in95, D, p, len(pit)))
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
