#!/usr/bin/env python3
"""me_truth.py - panels with known truth for the measurement-error correction.

Revenue responds to *latent* NPS four weeks earlier; NPS is observed through
a survey of about 80 responses per (week, region) cell, with its standard
error; a second regressor (conversion) is correlated with latent NPS.  The
generator writes a panel CSV with week, region, revenue, conversion, nps,
nps_se and nps_n (the columns `cxcase nps` writes), and the truth.

    python3 me_truth.py gen SEED OUT.csv          one panel
    python3 me_truth.py ref PANEL.csv FIT.json hc1|cluster [WEIGHTS]
                                                  numpy's moment formulas
                                                  against cxcase's fit
    python3 me_truth.py study CXCASE SPEC DIR N   N seeds: bias, coverage

The numpy reference computes, independently of cxcase, the method-of-moments
estimator for known heteroskedastic error variances (Fuller 1987, 2.2, 3.1):
beta = (X'X - sum Omega_i)^-1 X'y, and its sandwich covariance from
psi_i = x_i (y_i - x_i'beta) + Omega_i beta around (X'X - sum Omega_i)^-1,
HC1 (n/(n-p)) or clustered by region (G/(G-1) (n-1)/(n-p)).
SPDX-License-Identifier: GPL-3.0-or-later
"""
import csv
import json
import os
import subprocess
import sys

import numpy as np

TRUE_NPS = 1500.0      # revenue per point of latent NPS four weeks earlier
TRUE_CONV = 60000.0    # revenue per point of conversion (%)
LAG = 4
NREG, NWEEK = 20, 150
RESPONSES = 80         # mean responses per cell


def generate(seed):
    """One panel: rows (week, region, revenue, conversion, nps, nps_se, nps_n)."""
    rng = np.random.default_rng(seed)
    reg_nps = rng.normal(0, 8, NREG)        # regions differ in NPS and in revenue:
    reg_rev = rng.normal(0, 50000, NREG)    # the study's spec has C(region)
    rows = []
    for r in range(NREG):
        z = 0.0
        latent = []
        for t in range(NWEEK):
            z = 0.85 * z + rng.normal(0, np.sqrt(1 - 0.85 ** 2))   # persistent, sd 1
            conv = 3.0 + 0.3 * z + rng.normal(0, 0.2)
            nps = 15 + reg_nps[r] + 9.0 * z + 4.0 * (conv - 3.0) + rng.normal(0, 3)
            latent.append(nps)
            # the survey: promoters and detractors with NPS = 100 (P - D)
            pp = min(max(0.35 + nps / 200, 0.01), 0.98)
            pd = min(max(pp - nps / 100, 0.01), 0.98 - pp)
            n = max(int(rng.poisson(RESPONSES)), 10)
            k = rng.multinomial(n, [pp, pd, 1 - pp - pd])
            phat, dhat = k[0] / n, k[1] / n
            obs = 100 * (phat - dhat)
            se = 100 * np.sqrt(max(phat + dhat - (phat - dhat) ** 2, 1e-4) / n)
            rev = (900000 + reg_rev[r] + TRUE_CONV * conv
                   + (TRUE_NPS * latent[t - LAG] if t >= LAG else np.nan) + rng.normal(0, 25000))
            rows.append((week_text(t), f"R{r:02d}", rev, conv, obs, se, n))
    return rows


def week_text(t):
    """ISO week t weeks after 2022-W01 (52-week years 2022-2024 suffice)."""
    year, w = 2022 + t // 52, 1 + t % 52
    return f"{year}-W{w:02d}"


def write(rows, path):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["week", "region", "revenue", "conversion", "nps", "nps_se", "nps_n"])
        for row in rows:
            if np.isnan(row[2]):
                w.writerow(row[:2] + ("",) + tuple(f"{v:.17g}" for v in row[3:6]) + (row[6],))
            else:
                w.writerow(row[:2] + tuple(f"{v:.17g}" for v in row[2:6]) + (row[6],))


def design(path, weights=None):
    """X = [1, lag(nps, 4), conversion], y, the error variance of lag(nps, 4),
    units, and the rows' weights (the column `weights` of the row, or 1)."""
    by = {}
    with open(path) as f:
        for row in csv.DictReader(f):
            by.setdefault(row["region"], []).append(row)
    X, y, om, unit, w = [], [], [], [], []
    for g, (reg, rows) in enumerate(sorted(by.items())):
        rows.sort(key=lambda r: r["week"])
        for t in range(LAG, len(rows)):
            if rows[t]["revenue"] == "":
                continue
            X.append([1.0, float(rows[t - LAG]["nps"]), float(rows[t]["conversion"])])
            y.append(float(rows[t]["revenue"]))
            om.append(float(rows[t - LAG]["nps_se"]) ** 2)
            unit.append(g)
            w.append(float(rows[t][weights]) if weights else 1.0)
    return np.array(X), np.array(y), np.array(om), np.array(unit), np.array(w)


def moments(X, y, om, unit, w, cluster):
    """beta, its covariance, the naive beta and covariance, the reliability:
    beta = (X'WX - sum w_i Omega_i)^-1 X'Wy, psi_i = w_i x_i (y_i - x_i'beta)
    + w_i Omega_i beta."""
    n, p = X.shape
    S = np.zeros((p, p))
    S[1, 1] = (w * om).sum()
    XtWX = X.T @ (X * w[:, None])
    XtWy = X.T @ (w * y)
    M = XtWX - S
    beta = np.linalg.solve(M, XtWy)
    A = np.linalg.inv(XtWX)
    b = A @ XtWy
    out = {}
    for name, bb, bread, s in (("eiv", beta, np.linalg.inv(M), 1), ("naive", b, A, 0)):
        psi = X * (w * (y - X @ bb))[:, None]
        psi[:, 1] += s * w * om * bb[1]
        if cluster:
            G = unit.max() + 1
            sums = np.zeros((G, p))
            np.add.at(sums, unit, psi)
            meat = sums.T @ sums
            factor = G / (G - 1) * (n - 1) / (n - p)
        else:
            meat = psi.T @ psi
            factor = n / (n - p)
        out[name] = (bb, factor * bread @ meat @ bread)
    out["reliability"] = 1 - S[1, 1] * A[1, 1]
    return out


def fit(cxcase, spec, panel):
    r = subprocess.run([cxcase, "fit", panel, "--model", spec, "--json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"cxcase fit failed ({r.returncode}): {r.stderr}")
    return json.loads(r.stdout)["equations"][0]


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        write(generate(int(sys.argv[2])), sys.argv[3])
    elif cmd == "ref":
        panel, fitted, cluster = sys.argv[2], sys.argv[3], sys.argv[4] == "cluster"
        weights = sys.argv[5] if len(sys.argv) > 5 else None
        e = json.load(open(fitted))["equations"][0]
        ref = moments(*design(panel, weights), cluster)
        beta, cov = ref["eiv"]
        nb, ncov = ref["naive"]
        worst = 0.0
        for j, t in enumerate(e["terms"]):
            worst = max(worst, abs(t["coef"] - beta[j]) / abs(beta[j]),
                        abs(t["se"] - np.sqrt(cov[j, j])) / np.sqrt(cov[j, j]),
                        abs(e["naive"][j]["coef"] - nb[j]) / abs(nb[j]),
                        abs(e["naive"][j]["se"] - np.sqrt(ncov[j, j])) / np.sqrt(ncov[j, j]))
            for k in range(len(e["terms"])):
                worst = max(worst, abs(e["covariance"][j][k] - cov[j, k]) / np.sqrt(cov[j, j] * cov[k, k]))
        rel = e["measurement_error"][0]["reliability"]
        worst = max(worst, abs(rel - ref["reliability"]) / ref["reliability"])
        ok = worst <= 1e-10
        print(f"{'ok' if ok else 'not ok'} - {'clustered' if cluster else 'HC1'}{' weighted by ' + weights if weights else ''}: the corrected estimates, "
              f"their sandwich covariance, the naive fit and the reliability ({rel:.3f}) equal numpy's "
              f"moment formulas (worst relative difference {worst:.2g}; at most 1e-10)")
        sys.exit(0 if ok else 1)
    elif cmd == "study":
        cxcase, spec, d, nseeds = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        est, se, naive, rels = [], [], [], []
        for seed in range(1, nseeds + 1):
            path = f"{d}/panel{seed}.csv"
            write(generate(seed), path)
            e = fit(cxcase, spec, path)
            t = next(t for t in e["terms"] if t["name"] == "lag(nps, 4)")
            n = next(t for t in e["naive"] if t["name"] == "lag(nps, 4)")
            est.append(t["coef"])
            se.append(t["se"])
            naive.append(n["coef"])
            rels.append(e["measurement_error"][0]["reliability"])
        est, se, naive = np.array(est), np.array(se), np.array(naive)
        z = (est - TRUE_NPS) / se
        cover = np.mean(np.abs(z) <= 1.959963984540054)
        bias = est.mean() / TRUE_NPS - 1
        nbias = naive.mean() / TRUE_NPS - 1
        res = {"seeds": nseeds, "truth": TRUE_NPS, "mean_corrected": est.mean(), "bias_corrected": bias,
               "mc_se_of_mean": est.std(ddof=1) / np.sqrt(nseeds), "coverage": cover,
               "mean_naive": naive.mean(), "bias_naive": nbias, "mean_reliability": float(np.mean(rels)),
               "mean_se": se.mean(), "sd_estimates": est.std(ddof=1)}
        print("# " + json.dumps(res))
        fails = 0
        for ok, what in (
                (abs(bias) <= 0.03, f"over {nseeds} seeds the corrected coefficient's mean {est.mean():.1f} lies "
                                    f"within 3% of the truth {TRUE_NPS:.0f} ({100 * bias:+.2f}%)"),
                (0.90 <= cover <= 0.98, f"its 95% interval covers the truth in {100 * cover:.0f}% of seeds "
                                        f"(90-98%)"),
                (nbias < -0.25, f"the naive estimate is biased toward 0 by {100 * -nbias:.0f}% (mean "
                                f"{naive.mean():.0f}; reliability {np.mean(rels):.2f}), as attenuation predicts"),
                (abs(se.mean() / est.std(ddof=1) - 1) < 0.15,
                 f"the sandwich standard error ({se.mean():.1f} on average) matches the spread of the "
                 f"estimates over seeds ({est.std(ddof=1):.1f}) within 15%")):
            if os.environ.get("SANITIZED") == "1":  # a smoke run: see tests/cli/lib.sh
                print("skip - " + what)
                continue
            print(("ok - " if ok else "not ok - ") + what)
            fails += not ok
        sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
