#!/usr/bin/env python3
"""samples_review_truth.py - the truth of the samples' reviewed quarter, 2026Q1.

    python3 samples_review_truth.py SAMPLES LEDGER REVIEW.json

SAMPLES is the samples folder (truth.json, review/truth.json, review/*.csv),
LEDGER the ledger with the case of samples/scenario.json, REVIEW.json the
output of `cxcase review ... --json` for 2026Q1.  The truth of each part of
the NPS gap is stated in terms of the frozen model (the case's coefficients
b, read from the ledger), as tests/e2e/review_truth.py states it, mean over
the quarter's rows i (unit u, week):
    execution = sum_m b_m mean(real_m,i - planned_m,i)
    drift     = sum_m b_m mean(A_m,i - B_m,u - real_m,i)
    response  = sum_m (beta_m - b_m) mean(A_m,i - B_m,u)      beta: truth.json
    baseline  = mean(mu_i) - ex post - response                mu: the noiseless latent NPS
(A: the metric as written, B: the case's baseline, real: the realised change,
-18 s of handling time where service_staff went live, 0 elsewhere; planned:
-30 s everywhere), and the realised change of service_staff per unit of
exposure is -36 s (60% of the -60 s the plan's change is stated in).
Prints each estimate with its interval and its truth; exit 1 when an
interval misses its truth or the parts do not add up to the gap.
SPDX-License-Identifier: GPL-3.0-or-later
"""
import csv
import io
import json
import sys

from scipy import stats


def read(path, sep, decimal):
    text = open(path, encoding="utf-8-sig", newline="").read()
    rows = list(csv.reader(io.StringIO(text), delimiter=sep))
    head = rows[0]
    out = []
    for r in rows[1:]:
        d = dict(zip(head, r))
        for k in head[2:]:
            d[k] = float(d[k].replace(decimal, ".")) if d[k] else None
        out.append(d)
    return out


def main():
    samples, ledger, review = sys.argv[1:4]
    truth = json.load(open(samples + "/truth.json"))
    qt = json.load(open(samples + "/review/truth.json"))
    case = json.loads(open(ledger, encoding="utf-8").readline())
    rev = json.load(open(review))
    q = samples + "/review/"
    rows = {}
    for name, sep, dec in (("logistics", ",", "."), ("service", ";", ","), ("web", ",", "."), ("hr", "\t", ".")):
        for d in read(q + name + ".csv", sep, dec):
            rows.setdefault((d["week"], d["region"]), {}).update(d)
    units = case["units"]
    eq = case["model"]["equations"][0]
    b = dict(zip(eq["terms"], eq["coef"]))
    beta = truth["equations"]["nps"]["coefficients"]
    metrics = ["conversion", "handling_time_s", "ctr", "delivery_days", "enps"]
    reached = set(qt["units_reached"])
    n = len(rows)
    ex = dr = resp = mu = 0.0
    for (wk, region), d in rows.items():
        u = units.index(region)
        real = qt["realised_change"] if region in reached else 0.0
        for m in metrics:
            dev = d[m] - case["baseline"][m][u]
            rm = real if m == "handling_time_s" else 0.0
            pm = qt["planned_change"] if m == "handling_time_s" else 0.0
            ex += b[m] * (rm - pm) / n
            dr += b[m] * (dev - rm) / n
            resp += (beta[m] - b[m]) * dev / n
        mu += (truth["equations"]["nps"]["intercept"] + truth["equations"]["nps"]["region_effects"][region]
               + sum(beta[m] * d[m] for m in metrics) + qt["nps_level_drift"]) / n
    t = next(x for x in rev["targets"] if x["target"] == "nps")
    want = {"execution": ex, "metric_drift": dr, "response": resp, "baseline_drift": mu - t["ex_post"] - resp}
    fails = 0
    print("quarter rows %d; NPS plan %.4f, ex post %.4f, actual %.4f, gap %.4f, mean noiseless latent NPS %.4f"
          % (n, t["plan"], t["ex_post"], t["actual"], t["gap"], mu))
    for p in t["parts"]:
        ok = p["low"] <= want[p["part"]] <= p["high"]
        fails += not ok
        print("%-15s estimate %+.4f  95%% [%+.4f, %+.4f]  truth %+.4f  %s"
              % (p["part"], p["value"], p["low"], p["high"], want[p["part"]], "covers" if ok else "MISSES"))
    total = sum(p["value"] for p in t["parts"])
    if abs(t["plan"] + total - t["actual"]) > 1e-9 * max(1.0, abs(t["gap"])):
        print("the parts do not add up: plan + parts - actual = %g" % (t["plan"] + total - t["actual"]))
        fails += 1
    i = next(x for x in rev["initiatives"] if x["initiative"] == qt["initiative"])
    from_t = stats.t.ppf(0.975, i["df"])
    real = qt["share_delivered"] * i["planned_change"]
    lo, hi = i["realised_change"] - from_t * i["se"], i["realised_change"] + from_t * i["se"]
    ok = i["units_reached"] == len(reached) and lo <= real <= hi
    fails += not ok
    print("%s: %d of %d units reached (truth %d); realised change %+.2f per reached unit, 95%% [%+.2f, %+.2f], "
          "truth %+.2f (share %.3f, truth %.2f)  %s"
          % (qt["initiative"], i["units_reached"], i["units"], len(reached), i["realised_change"], lo, hi, real,
             i["share_delivered"], qt["share_delivered"], "covers" if ok else "MISSES"))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
