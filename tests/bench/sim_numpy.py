#!/usr/bin/python3
# tests/bench/sim_numpy.py - the Monte Carlo of `cxcase simulate` in numpy:
# the competitor of the C engine in the benchmark (whole process against
# whole process), and an independent check of its deterministic base case.
#
#   /usr/bin/python3 tests/bench/sim_numpy.py SCENARIO.json FITTED.json \
#       [--draws N] [--seed S] [--chunk C] [--units U]
#   /usr/bin/python3 tests/bench/sim_numpy.py SCENARIO.json FITTED.json --check-base
#
# FITTED.json is what `cxcase fit ... --model SPEC --json` prints; for the
# samples:
#   build/rel/cxcase fit samples/logistics.csv samples/service.csv \
#       samples/web.csv samples/finance.csv samples/hr.csv \
#       --responses samples/responses.csv --model models/cx_chain.json \
#       --json > /tmp/fitted.json
# --draws and --seed default to the scenario's "simulation"; --chunk is how
# many draws are held at a time (16384: on a 2-core Debian 12 machine with
# its reference BLAS, 16384 to 65536 take the same time and 16384 the least
# memory; 8192 and below pay in page faults); --units (the number of
# regions) defaults to the levels of the fit's C(unit) terms plus the
# baseline level.  Output: JSON on stdout, per scenario the NPV (mean, sd,
# p5 p10 p50 p90 p95), the share of draws with NPV > 0, the IRR (p5 .. p95
# over the draws that have one, and how many have one), delta NPS of the
# last quarter (mean, sd, percentiles) and per quarter the mean and p5 .. p95
# bands of the cash flow and of delta NPS.
#
# What it computes (the draft spec of `cxcase simulate`, README "Effects" and
# "Finance conventions"), vectorised over a chunk of draws at a time, every
# array laid out as variables x draws, so that memory does not grow with N:
#   * coefficients: per equation, the terms that are neither the intercept
#     nor C(...) (the only ones a change moves) from a multivariate t with
#     the equation's df_resid (mean + L z sqrt(df / chi2(df)), L the Cholesky
#     factor of their covariance), or normal ("coefficients": "normal");
#     equations independent; a term with variance 0 stays at its value;
#   * assumptions: every effect ("change") and cost with an "uncertainty";
#     those named in "correlations" through a Gaussian copula (normal
#     correlation 2 sin(pi rho / 6), then the quantile functions of
#     src/sim/draw.c), the others straight from numpy's generators; a cost is
#     drawn once per draw for all quarters of its span; all scenarios of a
#     draw share its numbers;
#   * projection, collapsed exactly from the weekly panel: every effect is a
#     change, equal in all U units and constant within a quarter, so with W
#     the week-to-quarter incidence matrix and S_k the k-week shift, a
#     quarter's NPS change (the mean over units and weeks) is
#     N = sum_m b_m D_m, and its revenue change (the sum over units and
#     weeks) is U (g_k A_k N + c_m n .* D_m), A_k = W' S_k W, n the weeks per
#     quarter (ISO weeks by their Thursday; a lagged NPS change from before
#     the horizon is 0).  Everything is linear in the draw's products
#     coefficient x effect size and in the cost amounts, so one small matrix
#     per output (all scenarios, quarters, margin and tax folded in) turns a
#     chunk of draws into its cash flows, NPVs and NPS changes;
#   * finance: cf = (margin dRevenue - costs)(1 - tax), NPV at the quarterly
#     rate (1 + r)^(1/4) - 1 with the first quarter discounted once; the IRR
#     annualised, as src/sim/finance.c defines it: none when the flows never
#     change sign; for flows that change sign once (one root, by Descartes)
#     safeguarded Newton in log(1 / (1 + rate)), started at the base case's
#     IRR as the C engine starts its own; for the few that change sign
#     more than once all roots at once (eigenvalues of the companion
#     matrices), those where the NPV changes sign, the one nearest 0;
#     quarterly rates outside -0.99 .. 10: no IRR;
#   * statistics in constant memory, as the C engine keeps them
#     (src/sim/simulate.c): the first 8192 draws of each statistic exactly
#     (type-7 percentiles when N is at most 8192), then an 8192-bin histogram
#     over their range widened by 10% on each side, order statistics read
#     with the values of a bin evenly spread; should a percentile fall
#     outside the range, the whole run is repeated over the exact ranges
#     (same seed); means and SDs from sums about the first chunk's mean.
#
# --check-base prints the deterministic base case (every input at its stated
# value, coefficients at their estimates) by a plain loop over units and
# weeks in Python, independent of the matrices above, with the IRR by the C
# engine's own algorithm, and the vectorised path's NPV and IRR beside them.
#
# Only numpy and scipy.special.  SPDX-License-Identifier: GPL-3.0-or-later
import argparse
import datetime
import json
import math
import re
import sys

import numpy as np
from scipy.special import betaincinv, ndtr

NSTORE = 8192
NBINS = 8192
PCTS = (5, 10, 50, 90, 95)
IRR_LO, IRR_HI = -0.99, 10.0  # quarterly rates searched, as in src/sim/finance.c


def die(msg):
    sys.stderr.write("sim_numpy: %s\n" % msg)
    sys.exit(65)


# --------------------------------------------------------------------------
# Periods


def parse_quarter(text):
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", text)
    if not m:
        die("expected a quarter like 2026Q1, found %r" % text)
    return int(m.group(1)) * 4 + int(m.group(2)) - 1


def quarter_text(q):
    return "%dQ%d" % (q // 4, q % 4 + 1)


def horizon_weeks(start_q, horizon):
    """The ISO weeks whose Thursday falls in the horizon, in order, as their
    quarter's index in the horizon (0 .. horizon - 1)."""
    out = []
    for year in range(start_q // 4 - 1, (start_q + horizon - 1) // 4 + 2):
        for week in range(1, datetime.date(year, 12, 28).isocalendar()[1] + 1):
            thu = datetime.date.fromisocalendar(year, week, 4)
            q = thu.year * 4 + (thu.month - 1) // 3 - start_q
            if 0 <= q < horizon:
                out.append(q)
    return out


def ramp_share(start, ramp, q):
    if q < start:
        return 0.0
    if ramp <= 0 or q - start + 1 >= ramp:
        return 1.0
    return (q - start + 1) / ramp


# --------------------------------------------------------------------------
# Inputs


class Dist:
    """An uncertainty around `base` (see src/sim/draw.h)."""

    def __init__(self, u, base, where):
        self.kind = u.get("dist")
        self.base = float(base)
        if self.kind not in ("normal", "lognormal", "uniform", "triangular", "pert"):
            die("%s/uncertainty: unknown distribution %r" % (where, self.kind))
        need = {"normal": ("sd",), "lognormal": ("sd_log",)}.get(self.kind, ("min", "max"))
        for key in need:
            if not isinstance(u.get(key), (int, float)):
                die("%s/uncertainty: expected a number for %r" % (where, key))
        self.sd = u.get("sd")
        self.sd_log = u.get("sd_log")
        self.min = u.get("min")
        self.max = u.get("max")
        self.mode = u.get("mode", base)  # triangular and pert: the stated value
        if self.kind in ("uniform", "triangular", "pert") and not self.min < self.max:
            die("%s/uncertainty: expected min < max" % where)
        if self.kind in ("triangular", "pert"):
            a, b, c = self.min, self.max, self.mode
            self.alpha = 1 + 4 * (c - a) / (b - a)
            self.beta = 1 + 4 * (b - c) / (b - a)

    def direct(self, rng, n):
        """n independent values from numpy's generators."""
        k = self.kind
        if k == "normal":
            return self.base + self.sd * rng.standard_normal(n)
        if k == "lognormal":  # median base; a negative base keeps its sign
            return self.base * np.exp(self.sd_log * rng.standard_normal(n))
        if k == "uniform":
            return rng.uniform(self.min, self.max, n)
        if k == "triangular":
            return rng.triangular(self.min, self.mode, self.max, n)
        return self.min + (self.max - self.min) * rng.beta(self.alpha, self.beta, n)

    def from_normal(self, z):
        """The quantile function at Phi(z), z standard normal (the copula)."""
        k = self.kind
        if k == "normal":
            return self.base + self.sd * z
        if k == "lognormal":  # increasing in z whatever the sign of base
            return self.base * np.exp(math.copysign(self.sd_log, self.base) * z)
        u = ndtr(z)
        np.clip(u, np.finfo(float).tiny, 1 - np.finfo(float).eps / 2, out=u)
        a, b = self.min, self.max
        if k == "uniform":
            return a + (b - a) * u
        if k == "triangular":
            c = self.mode
            return np.where(u < (c - a) / (b - a), a + np.sqrt(u * (b - a) * (c - a)),
                            b - np.sqrt((1 - u) * (b - a) * (b - c)))
        return a + (b - a) * betaincinv(self.alpha, self.beta, u)


class Problem:
    """The scenario file and fitted model, reduced to arrays."""

    def __init__(self, scen_path, fitted_path, units=None):
        with open(scen_path, encoding="utf-8") as f:
            sc = json.load(f)
        with open(fitted_path, encoding="utf-8") as f:
            fitted = json.load(f)
        if not fitted.get("equations") or "covariance" not in fitted["equations"][0]:
            die("%s: expected a fitted model (cxcase fit --json)" % fitted_path)
        fin = sc["finance"]
        self.start_q = parse_quarter(fin["start"])
        self.H = H = int(fin["horizon_quarters"])
        self.rate = float(fin["discount_rate"])
        self.margin = float(fin["gross_margin"])
        self.tax = float(fin.get("tax_rate", 0.0))
        sim = sc.get("simulation", {})
        self.draws = int(sim.get("draws", 10000))
        self.seed = int(sim.get("seed", 20251122))
        self.t_coef = sim.get("coefficients", "t") == "t"

        def in_h(text, where):
            q = parse_quarter(text) - self.start_q
            if not 0 <= q < H:
                die("%s: quarter %s outside the horizon" % (where, text))
            return q

        # effects and costs, each with its JSON Pointer
        self.effects, self.costs, self.init_ids = [], [], []
        init_eff, init_cost = [], []
        for i, it in enumerate(sc["initiatives"]):
            self.init_ids.append(it["id"])
            init_eff.append([])
            init_cost.append([])
            for k, e in enumerate(it.get("effects", [])):
                ptr = "/initiatives/%d/effects/%d" % (i, k)
                if "change" not in e:
                    die("%s: only \"change\" effects are supported (a \"target\" needs the baselines)" % ptr)
                start = in_h(e["start"], ptr + "/start")
                ramp = int(e.get("ramp_quarters", 0))
                u = e.get("uncertainty")
                init_eff[i].append(len(self.effects))
                self.effects.append({"ptr": ptr, "metric": e["metric"], "value": float(e["change"]),
                                     "share": [ramp_share(start, ramp, q) for q in range(H)],
                                     "dist": Dist(u, e["change"], ptr) if u else None})
            for k, c in enumerate(it.get("costs", [])):
                ptr = "/initiatives/%d/costs/%d" % (i, k)
                if c["kind"] == "capex":
                    prof = [0.0] * H
                    prof[in_h(c["quarter"], ptr + "/quarter")] = 1.0
                else:
                    a, b = in_h(c["from"], ptr + "/from"), in_h(c["to"], ptr + "/to")
                    prof = [1.0 if a <= q <= b else 0.0 for q in range(H)]
                u = c.get("uncertainty")
                init_cost[i].append(len(self.costs))
                self.costs.append({"ptr": ptr, "amount": float(c["amount"]), "profile": prof,
                                   "dist": Dist(u, c["amount"], ptr) if u else None})
        scens = sc.get("scenarios") or [{"name": x, "initiatives": [x]} for x in self.init_ids]
        self.scen_names = [s["name"] for s in scens]
        S, E, K = len(scens), len(self.effects), len(self.costs)
        self.inc_e = np.zeros((S, E))
        self.inc_c = np.zeros((S, K))
        for s, x in enumerate(scens):
            for name in x["initiatives"]:
                if name not in self.init_ids:
                    die("/scenarios/%d: no initiative %r" % (s, name))
                i = self.init_ids.index(name)
                self.inc_e[s, init_eff[i]] = 1
                self.inc_c[s, init_cost[i]] = 1
        self.S, self.E, self.K = S, E, K
        self.share = np.array([e["share"] for e in self.effects]).reshape(E, H)
        self.profile = np.array([c["profile"] for c in self.costs]).reshape(K, H)
        self.eff_base = np.array([e["value"] for e in self.effects])
        self.cost_base = np.array([c["amount"] for c in self.costs])

        # correlated inputs: a Gaussian copula
        by_ptr = {e["ptr"]: ("e", j) for j, e in enumerate(self.effects)}
        by_ptr.update({c["ptr"]: ("c", j) for j, c in enumerate(self.costs)})
        corr = sc.get("correlations", [])
        self.cop = []  # (kind, index) of the copula's inputs, in order
        for c in corr:
            for p in c["between"]:
                ref = by_ptr.get(p)
                if ref is None or self._input(ref)["dist"] is None:
                    die("/correlations: %s is not an uncertain effect or cost" % p)
                if ref not in self.cop:
                    self.cop.append(ref)
        if self.cop:
            R = np.eye(len(self.cop))
            for c in corr:
                a, b = (self.cop.index(by_ptr[p]) for p in c["between"])
                R[a, b] = R[b, a] = 2 * math.sin(math.pi * c["rank"] / 6)
            try:
                self.cop_chol = np.linalg.cholesky(R)
            except np.linalg.LinAlgError:
                die("the rank correlations contradict each other (not positive definite)")
        self.direct = [("e", j) for j, e in enumerate(self.effects) if e["dist"] and ("e", j) not in self.cop]
        self.direct += [("c", j) for j, c in enumerate(self.costs) if c["dist"] and ("c", j) not in self.cop]

        self._model(fitted)
        if units is None:  # the levels of C(unit) in the fit (the baseline level has no term)
            levels = {}
            for eq in fitted["equations"]:
                for t in eq["terms"]:
                    m = re.fullmatch(r"C\((\w+)\)\[(.*)\]", t["name"])
                    if m and m.group(1) != "quarter":
                        levels.setdefault(m.group(1), set()).add(m.group(2))
            if len(levels) != 1:
                die("cannot tell the number of units from the fitted model: give --units")
            units = len(next(iter(levels.values()))) + 1
        self.U = units

        # weeks: the quarter of each horizon week, weeks per quarter, lag matrices
        wq = horizon_weeks(self.start_q, H)
        self.week_q = wq
        self.nweeks = np.bincount(wq, minlength=H).astype(float)
        self.A = {0: np.diag(self.nweeks)}  # A_0: an unlagged nps term
        for k, _ in self.lag_cols:
            if k:
                A = np.zeros((H, H))
                for t in range(k, len(wq)):
                    A[wq[t], wq[t - k]] += 1
                self.A[k] = A
        self.rq = (1 + self.rate) ** 0.25 - 1
        self.disc = (1 + self.rq) ** -np.arange(1.0, H + 1)
        self._operators()
        # the base case's IRRs: where the draws' IRR search starts
        coefs = [eq["mean"][:, None] for eq in self.eqs]
        _, CF, _ = self.project(coefs, self.eff_base[:, None], self.cost_base[:, None])
        self.base_irr = [float(irr_annual(CF[s * H:(s + 1) * H])[0][0]) for s in range(S)]
        self.base_irr = [None if math.isnan(x) else x for x in self.base_irr]

    def _input(self, ref):
        return self.effects[ref[1]] if ref[0] == "e" else self.costs[ref[1]]

    def _model(self, fitted):
        """The varying coefficients of the NPS and revenue equations and the
        role of each: ("metric", column) or ("lag", k) for lag(nps, k)."""
        eqs = {eq["target"]: eq for eq in fitted["equations"]}
        if "nps" not in eqs:
            die("the fitted model has no equation for nps")
        rev_target = "revenue" if "revenue" in eqs else fitted["equations"][-1]["target"]
        self.eqs = []
        for target in ("nps", rev_target):
            eq = eqs[target]
            names = [t["name"] for t in eq["terms"]]
            idx = [i for i, nm in enumerate(names) if nm != "(Intercept)" and not nm.startswith("C(")]
            roles = []
            for i in idx:
                nm = names[i]
                m = re.fullmatch(r"lag\(\s*nps\s*,\s*(\d+)\s*\)", nm)
                if re.fullmatch(r"\w+", nm) and not (target != "nps" and nm == "nps"):
                    roles.append(("metric", nm))
                elif target != "nps" and (m or nm == "nps"):
                    roles.append(("lag", int(m.group(1)) if m else 0))
                else:
                    die("equation %s: term %r is not a plain column or lag(nps, k): "
                        "this benchmark handles linear chains only" % (target, nm))
            cov = np.array(eq["covariance"], dtype=float)[np.ix_(idx, idx)]
            vary = [j for j in range(len(idx)) if cov[j, j] > 0]  # fixed without SE: constant
            L = np.linalg.cholesky(cov[np.ix_(vary, vary)]) if vary else np.zeros((0, 0))
            self.eqs.append({"target": target, "roles": roles, "vary": vary, "L": L,
                             "mean": np.array([eq["terms"][i]["coef"] for i in idx], dtype=float),
                             "df": float(eq["df_resid"]) if self.t_coef else 0.0})
        eq_n, eq_r = self.eqs
        col_n = {what: j for j, (role, what) in enumerate(eq_n["roles"])}
        col_r = {what: j for j, (role, what) in enumerate(eq_r["roles"]) if role == "metric"}
        self.lag_cols = [(k, j) for j, (role, k) in enumerate(eq_r["roles"]) if role == "lag"]
        # effects that move NPS, and their coefficient's row (-1: an effect on nps itself)
        self.eN = [e for e, x in enumerate(self.effects) if x["metric"] in col_n or x["metric"] == "nps"]
        self.jN = [col_n.get(self.effects[e]["metric"], -1) for e in self.eN]
        # effects that move revenue directly, and their coefficient's row
        self.eR = [e for e, x in enumerate(self.effects) if x["metric"] in col_r]
        self.jR = [col_r[self.effects[e]["metric"]] for e in self.eR]

    def _operators(self):
        """Every scenario's quarterly NPS changes and cash flows are linear in
        the per-draw inputs Z = [g_k b_m(e) x_e for each lag k of nps in the
        revenue equation | c_m(e) x_e | uncertain cost amounts] (b, g, c the
        draw's coefficients, x its effect sizes; only the effects on metrics
        that the equation uses): one matrix (S * H, rows of Z) each, with the
        scenarios' inclusion, the weeks, the lags, units, margin and tax in
        it, and a constant for the costs that are certain."""
        S, H = self.S, self.H
        keep = 1 - self.tax
        gain = self.U * self.margin * keep
        eN, eR = self.eN, self.eR
        self.cU = [c for c, x in enumerate(self.costs) if x["dist"]]
        cD = [c for c, x in enumerate(self.costs) if not x["dist"]]

        def per_scen(mask, rows):  # (inputs, H) -> (S * H, inputs), 0 where not included
            return np.ascontiguousarray((mask[:, :, None] * rows[:, None, :]).reshape(len(rows), S * H).T)

        self.M_nps = per_scen(self.inc_e.T[eN], self.share[eN])
        blocks = [per_scen(self.inc_e.T[eN], self.share[eN] @ self.A[k].T) * gain for k, _ in self.lag_cols]
        blocks.append(per_scen(self.inc_e.T[eR], self.share[eR] * self.nweeks) * gain)
        blocks.append(-per_scen(self.inc_c.T[self.cU], self.profile[self.cU]) * keep)
        self.M_cf = np.ascontiguousarray(np.hstack(blocks))
        self.cf0 = (-(per_scen(self.inc_c.T[cD], self.profile[cD]) @ self.cost_base[cD]) * keep)[:, None]
        # the NPVs straight from the inputs: the discount factors times M_cf
        self.M_npv = np.ascontiguousarray(np.einsum("h,shk->sk", self.disc, self.M_cf.reshape(S, H, -1)))
        self.npv0 = (self.cf0.reshape(S, H) @ self.disc)[:, None]

    # ----------------------------------------------------------------------
    # One chunk of draws, laid out as variables x draws

    def draw_coefs(self, rng, n):
        """Per equation a (p, n) array of its varying terms' coefficients."""
        out = []
        for eq in self.eqs:
            b = np.repeat(eq["mean"][:, None], n, axis=1)
            if eq["vary"]:
                z = eq["L"] @ rng.standard_normal((len(eq["vary"]), n))
                if eq["df"] > 0:
                    z *= np.sqrt(eq["df"] / rng.chisquare(eq["df"], n))
                b[eq["vary"]] += z
            out.append(b)
        return out

    def draw_inputs(self, rng, n):
        """Effect sizes (E, n) and cost amounts (K, n)."""
        X = np.repeat(self.eff_base[:, None], n, axis=1)
        C = np.repeat(self.cost_base[:, None], n, axis=1)
        dest = {"e": X, "c": C}
        if self.cop:
            Z = self.cop_chol @ rng.standard_normal((len(self.cop), n))
            for j, ref in enumerate(self.cop):
                dest[ref[0]][ref[1]] = self._input(ref)["dist"].from_normal(Z[j])
        for ref in self.direct:
            dest[ref[0]][ref[1]] = self._input(ref)["dist"].direct(rng, n)
        return X, C

    def project(self, coefs, X, C):
        """Quarterly delta NPS and cash flows, each (S * H, n), and the NPVs
        (S, n), of draws with coefficients `coefs`, effect sizes X and cost
        amounts C."""
        bn, br = coefs
        bn = np.vstack([bn, np.ones((1, bn.shape[1]))])  # row -1: an effect on nps itself
        BX = X[self.eN] * bn[self.jN]  # each effect's NPS change, in full
        Z = np.vstack([br[j] * BX for _, j in self.lag_cols] + [X[self.eR] * br[self.jR], C[self.cU]])
        CF = self.M_cf @ Z
        CF += self.cf0
        V = self.M_npv @ Z
        V += self.npv0
        return self.M_nps @ BX, CF, V


# --------------------------------------------------------------------------
# IRR, vectorised: one cash-flow series per column of ct (H, m)


def _horner(ct, x):
    """f(x) = sum_q ct[q] x^q and f'(x), each column at its own x."""
    f = ct[-1].copy()
    d = np.zeros_like(f)
    for q in range(ct.shape[0] - 2, -1, -1):
        d *= x
        d += f
        f *= x
        f += ct[q]
    return f, d


def _poly(ct, x):
    """f(x) only (x a scalar or one per column)."""
    f = ct[-1].copy()
    for q in range(ct.shape[0] - 2, -1, -1):
        f *= x
        f += ct[q]
    return f


def _solve(ct, lo, hi, flo, k, t0=0.0):
    """The root in x of f(x) = sum_q ct[q] x^q inside [lo, hi] (per column),
    where the signs at the ends differ (flo: f at lo).  Newton in t = log x
    on h(t) = f(x) x^-k, with bisection in t whenever a step leaves the
    bracket.  With one sign change in the coefficients, between indices
    k - 1/2 and k + 1/2, every term of h moves the same way, so h is monotone
    and Newton takes a few steps even where it is slow in x (large rates,
    where f is steep).  Starts at t0 (0: a rate of 0) when the bracket
    holds it."""
    m = ct.shape[1]
    tlo, thi = np.log(lo), np.log(hi)
    t = np.where((tlo < t0) & (thi > t0), t0, 0.5 * (tlo + thi))
    k = np.broadcast_to(np.asarray(k, dtype=float), (m,))
    out = np.empty(m)
    act = np.arange(m)
    neg = flo < 0
    live = np.ones(m, dtype=bool)  # columns of the current arrays not yet done
    for _ in range(100):
        x = np.exp(t)
        f, d = _horner(ct, x)
        same = (f < 0) == neg
        np.copyto(tlo, t, where=same)
        np.copyto(thi, t, where=~same)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            d *= x
            d -= k * f
            tn = t - f / d
        zero = f == 0
        tn[zero] = t[zero]
        # converged: a Newton step this small (the error after it is about
        # its square); tested before the bracket, which a step at rounding
        # level may touch
        done = (np.abs(tn - t) <= 1e-10) | (thi - tlo <= 1e-15)
        bad = ~(done | ((tn > tlo) & (tn < thi)))
        tn[bad] = 0.5 * (tlo[bad] + thi[bad])
        t = tn
        newly = done & live
        if newly.any():
            out[act[newly]] = t[newly]
            live &= ~done
            nlive = int(live.sum())
            if not nlive:
                break
            if nlive < len(live) // 2:  # compact the arrays when half are done
                act, t, tlo, thi, neg, k = act[live], t[live], tlo[live], thi[live], neg[live], k[live]
                ct = np.ascontiguousarray(ct[:, live])
                live = np.ones(nlive, dtype=bool)
    out[act[live]] = t[live]
    return np.exp(out)


def irr_annual(ct, guess=None):
    """Annual IRR per column of ct (H, m), NaN where there is none, and a mask
    of the columns where several rates make the NPV 0 (the one nearest 0 is
    taken, as cx_fin_irr does).  guess: an annual rate where Newton starts
    (the base case's IRR, as the C engine does), else 0."""
    H, m = ct.shape
    out = np.full(m, np.nan)
    # sign changes, zeros skipped; first: the quarter of the first change
    last = np.zeros(m)
    changes = np.zeros(m, dtype=np.int32)
    first = np.zeros(m)
    for q in range(H):
        sg = np.sign(ct[q])
        ch = sg * last < 0
        first[ch & (changes == 0)] = q
        changes += ch
        np.copyto(last, sg, where=sg != 0)
    xlo, xhi = 1.0 / (1.0 + IRR_HI), 1.0 / (1.0 + IRR_LO)
    one = np.flatnonzero(changes == 1)
    if len(one):
        c1 = ct[:, one]
        flo, fhi = _poly(c1, xlo), _poly(c1, xhi)
        ok = (flo == 0) | (fhi == 0) | ((flo < 0) != (fhi < 0))
        if not ok.all():  # the root lies outside -0.99 .. 10 a quarter
            one, c1, flo, fhi = one[ok], np.ascontiguousarray(c1[:, ok]), flo[ok], fhi[ok]
        t0 = -math.log1p(guess) / 4 if guess is not None and guess > -1 else 0.0
        x = _solve(c1, np.full(len(one), xlo), np.full(len(one), xhi), flo, first[one] - 0.5, t0)
        x[flo == 0] = xlo
        x[fhi == 0] = xhi
        out[one] = x ** -4.0 - 1.0
    many = np.flatnonzero(changes > 1)
    several = np.zeros(m, dtype=bool)
    if len(many):
        # all roots at once: eigenvalues of the stacked companion matrices,
        # grouped by degree (a last quarter of 0 lowers it)
        c = ct[:, many].T
        deg = H - 1 - np.argmax(c[:, ::-1] != 0, axis=1)
        for d in np.unique(deg):
            sel = np.flatnonzero(deg == d)
            cols, p = many[sel], c[sel, :d + 1]
            comp = np.zeros((len(sel), d, d))
            comp[:, 0, :] = -p[:, d - 1::-1] / p[:, d:d + 1]
            comp[:, np.arange(1, d), np.arange(d - 1)] = 1.0
            z = np.linalg.eigvals(comp)
            r, j = np.nonzero((np.abs(z.imag) <= 1e-7 * np.abs(z)) & (z.real >= xlo * (1 - 1e-9))
                              & (z.real <= xhi * (1 + 1e-9)))
            x = np.clip(z.real[r, j], xlo, xhi)
            pt = np.ascontiguousarray(p[r].T)
            for _ in range(3):  # polish: Newton in x, kept inside the range
                f, df = _horner(pt, x)
                with np.errstate(divide="ignore", invalid="ignore"):
                    step = np.where(df != 0, f / df, 0.0)
                x = np.clip(x - step, xlo, xhi)
            # a root counts where the NPV changes sign, as on the C engine's grid
            keep = (_poly(pt, x * (1 - 1e-7)) < 0) != (_poly(pt, x * (1 + 1e-7)) < 0)
            r, x = r[keep], x[keep]
            if not len(r):
                continue
            q = 1.0 / x - 1.0
            best = np.full(len(sel), np.inf)
            np.minimum.at(best, r, np.abs(q))
            pick = np.abs(q) == best[r]
            _, firsts = np.unique(r[pick], return_index=True)
            out[cols[r[pick][firsts]]] = (1 + q[pick][firsts]) ** 4 - 1
            several[cols] = np.bincount(r, minlength=len(sel)) > 1
    return out, several


# --------------------------------------------------------------------------
# Statistics in constant memory


_WORK = {"f": np.empty(0), "i": np.empty(0, dtype=np.intp)}


def work(kind, shape):
    """Work space shared by all statistics (they are filled one at a time),
    grown to the largest need and then reused from chunk to chunk."""
    size = shape[0] * shape[1]
    if _WORK[kind].size < size:
        _WORK[kind] = np.empty(size, dtype=_WORK[kind].dtype)
    return _WORK[kind][:size].reshape(shape)


class Stat:
    """Mean, SD, min, max and percentiles of nrows statistics, fed batches
    (nrows, m) of m draws.  With nan_ok (one row), NaN marks a draw without
    a value (no IRR): kept in the pilot, skipped everywhere else.  `ranges`
    (lo, hi) forces the histograms' ranges (the second run)."""

    def __init__(self, nrows, nan_ok=False, ranges=None):
        self.nrows = nrows
        self.nan_ok = nan_ok
        self.ranges = ranges
        self.seen = 0  # draws, with or without a value
        self.n = 0     # values
        self.shift = None  # sums are of v - shift (the first batch's mean)
        self.s1 = np.zeros(nrows)
        self.s2 = np.zeros(nrows)
        self.min = np.full(nrows, np.inf)
        self.max = np.full(nrows, -np.inf)
        self.store = np.empty((nrows, NSTORE))  # the pilot: the first NSTORE draws
        self.hist = None

    @property
    def mean(self):
        return self.shift + self.s1 / self.n if self.n else np.full(self.nrows, np.nan)

    def sd(self):
        if self.n < 2:
            return np.full(self.nrows, np.nan)
        return np.sqrt(np.maximum(self.s2 - self.s1 ** 2 / self.n, 0) / (self.n - 1))

    def add(self, v):
        k = 0
        if self.seen < NSTORE:
            k = min(NSTORE - self.seen, v.shape[1])
            self.store[:, self.seen:self.seen + k] = v[:, :k]
        self.seen += v.shape[1]
        if self.nan_ok:
            ok = ~np.isnan(v[0])
            k = int(ok[:k].sum())  # values among the pilot's draws
            v = v[:, ok]
        m = v.shape[1]
        if not m:
            if self.hist is None and self.seen >= NSTORE:
                self._start_hist()
            return
        if self.shift is None:
            self.shift = v.mean(axis=1)
        d = work("f", (self.nrows, m))
        np.subtract(v, self.shift[:, None], out=d)
        self.s1 += d.sum(axis=1)
        self.s2 += np.einsum("ij,ij->i", d, d)
        self.n += m
        np.minimum(self.min, v.min(axis=1), out=self.min)
        np.maximum(self.max, v.max(axis=1), out=self.max)
        if self.hist is None and self.seen >= NSTORE:
            self._start_hist()  # bins the pilot's values
            d = d[:, k:]
        if self.hist is not None and d.shape[1]:
            self._bin(d)

    def _pilot(self):
        p = self.store[:, :min(self.seen, NSTORE)]
        return p[:, ~np.isnan(p[0])] if self.nan_ok else p

    def _start_hist(self):
        p = self._pilot()
        if self.ranges is not None:
            lo, hi = self.ranges
        elif p.shape[1]:
            lo, hi = p.min(axis=1), p.max(axis=1)
            lo, hi = lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo)
        else:
            lo, hi = np.zeros(self.nrows), np.ones(self.nrows)
        hi = np.where(hi > lo, hi, lo + np.maximum(np.abs(lo), 1.0) * 1e-9)
        self.lo = lo
        self.width = (hi - lo) / NBINS * (1 + 1e-12)
        # per row NBINS + 2 counts: below the range, the bins, above it
        self.hist = np.zeros(self.nrows * (NBINS + 2), dtype=np.int64)
        self.inv_width = (1.0 / self.width)[:, None]
        self.offset = (np.arange(self.nrows) * float(NBINS + 2))[:, None]
        if self.shift is None:
            self.shift = np.zeros(self.nrows)
        self.origin = (self.lo - self.width - self.shift)[:, None]  # bin 1 starts at lo
        if p.shape[1]:
            self._bin(p - self.shift[:, None])

    def _bin(self, d):
        """Count the values d + shift; d is overwritten."""
        d -= self.origin
        d *= self.inv_width
        np.clip(d, 0.0, NBINS + 1.0, out=d)  # outside the range: counts 0 and NBINS + 1
        d += self.offset
        idx = work("i", d.shape)
        np.copyto(idx, d, casting="unsafe")
        self.hist += np.bincount(idx.ravel(), minlength=self.nrows * (NBINS + 2))

    def percentiles(self, pcts):
        """(nrows, len(pcts)), and whether one of them fell outside the
        histogram's range (then the run is repeated over the exact range)."""
        out = np.full((self.nrows, len(pcts)), np.nan)
        if self.n == 0:
            return out, False
        if self.hist is None:  # no more draws than the pilot: type 7
            return np.percentile(self._pilot(), pcts, axis=1).T, False
        full = self.hist.reshape(self.nrows, NBINS + 2)
        outside = False
        for c in range(self.nrows):
            if self.min[c] == self.max[c]:
                out[c] = self.min[c]
                continue
            cum = np.cumsum(full[c])  # cum[b]: values in count 0 .. b
            h = full[c]

            def rank(r):  # order statistic r (0-based), evenly spread in its bin
                b = int(np.searchsorted(cum, r, side="right"))
                if b == 0 or b > NBINS:
                    return np.nan
                return self.lo[c] + self.width[c] * (b - 1 + (r - cum[b - 1] + 0.5) / h[b])

            for i, p in enumerate(pcts):
                pos = (self.n - 1) * p / 100.0
                fl = math.floor(pos)
                a = rank(fl)
                b = rank(fl + 1) if fl + 1 < self.n else a
                if np.isnan(a) or np.isnan(b):
                    outside = True
                    continue
                out[c, i] = min(max(a + (pos - fl) * (b - a), self.min[c]), self.max[c])
        return out, outside


def summary(stat, pct, row, with_sd=True):
    d = {"mean": float(stat.mean[row]) if stat.n else None}
    if with_sd:
        d["sd"] = float(stat.sd()[row]) if stat.n > 1 else None
    for k, v in zip(PCTS, pct[row]):
        d["p%d" % k] = None if np.isnan(v) else float(v)
    return d


# --------------------------------------------------------------------------
# Monte Carlo


def run(P, draws, seed, chunk, ranges=None):
    """All draws, chunk by chunk; the statistics (NPV, cash flow and delta
    NPS per quarter, IRR per scenario), P(NPV > 0) and how many draws had
    several IRRs.  ranges: {statistic: (lo, hi)}, forced histogram ranges."""
    rng = np.random.default_rng(seed)
    S, H = P.S, P.H
    rg = ranges or {}
    stats = {"npv": Stat(S, ranges=rg.get("npv")), "cf": Stat(S * H, ranges=rg.get("cf")),
             "nps": Stat(S * H, ranges=rg.get("nps"))}
    stats.update({("irr", s): Stat(1, nan_ok=True, ranges=rg.get(("irr", s))) for s in range(S)})
    positive = np.zeros(S, dtype=np.int64)
    several = np.zeros(S, dtype=np.int64)
    done = 0
    while done < draws:
        n = min(chunk, draws - done)
        coefs = P.draw_coefs(rng, n)
        X, C = P.draw_inputs(rng, n)
        N, CF, V = P.project(coefs, X, C)
        stats["npv"].add(V)
        positive += (V > 0).sum(axis=1)
        stats["cf"].add(CF)
        stats["nps"].add(N)
        for s in range(S):
            r, sev = irr_annual(CF[s * H:(s + 1) * H], P.base_irr[s])
            several[s] += sev.sum()
            stats[("irr", s)].add(r[None, :])
        del coefs, X, C, N, CF, V  # before the next chunk's are made
        done += n
    return stats, positive, several


def simulate(P, draws, seed, chunk):
    stats, positive, several = run(P, draws, seed, chunk)
    pct = {key: st.percentiles(PCTS) for key, st in stats.items()}
    rerun = any(outside for _, outside in pct.values())
    if rerun:  # a percentile outside a histogram's range: again, over the exact ranges
        ranges = {key: (st.min.copy(), st.max.copy()) for key, st in stats.items() if st.n}
        stats, positive, several = run(P, draws, seed, chunk, ranges)
        pct = {key: st.percentiles(PCTS) for key, st in stats.items()}
    pct = {key: p for key, (p, _) in pct.items()}
    H = P.H
    res = {"draws": draws, "seed": seed, "chunk": chunk,
           "coefficients": "t" if P.t_coef else "normal", "units": P.U,
           "quarters": [quarter_text(P.start_q + q) for q in range(H)],
           "percentiles": "type 7 over all draws" if draws <= NSTORE else
           "%d-bin histograms over the first %d draws' range widened by 10%%%s"
           % (NBINS, NSTORE, " (run again over the exact ranges)" if rerun else ""),
           "scenarios": {}}
    for s, name in enumerate(P.scen_names):
        st = stats[("irr", s)]
        irr = {"draws_with_irr": st.n, "share_with_irr": st.n / draws,
               "draws_with_several_rates": int(several[s])}
        irr.update({k: v for k, v in summary(st, pct[("irr", s)], 0).items() if k.startswith("p")})
        res["scenarios"][name] = {
            "npv": summary(stats["npv"], pct["npv"], s),
            "prob_npv_positive": float(positive[s] / draws),
            "irr": irr,
            "delta_nps": summary(stats["nps"], pct["nps"], s * H + H - 1),
            "quarters": [{"quarter": quarter_text(P.start_q + q),
                          "cash_flow": summary(stats["cf"], pct["cf"], s * H + q, False),
                          "delta_nps": summary(stats["nps"], pct["nps"], s * H + q, False)}
                         for q in range(H)]}
    return res


# --------------------------------------------------------------------------
# The deterministic base case, by a plain loop over units and weeks


def irr_reference(cf):
    """cx_fin_irr of src/sim/finance.c in plain Python: every sign change of
    the NPV on its grid of quarterly rates (cubic spacing, -0.99 .. 10),
    each root bisected, the one nearest 0; None when there is none."""
    def npv(q):
        v, f = 0.0, 1.0
        for c in cf:
            f /= 1.0 + q
            v += c * f
        return v

    best = None
    prev_q, prev_v = IRR_LO, npv(IRR_LO)
    for k in range(1, 4001):
        q = IRR_LO + (IRR_HI - IRR_LO) * (k / 4000.0) ** 3
        v = npv(q)
        if v == 0 or (prev_v < 0) != (v < 0):
            root = q
            if v != 0:
                a, b, fa = prev_q, q, prev_v
                for _ in range(200):
                    mid = 0.5 * (a + b)
                    fm = npv(mid)
                    if (fm < 0) == (fa < 0):
                        a, fa = mid, fm
                    else:
                        b = mid
                    if b - a <= 1e-15 * max(1.0, abs(a)):
                        break
                root = 0.5 * (a + b)
            if best is None or abs(root) < abs(best):
                best = root
        prev_q, prev_v = q, v
    return None if best is None else (1 + best) ** 4 - 1


def base_case(P):
    H, U, wq = P.H, P.U, P.week_q
    coef = {}
    for eq in P.eqs:
        for (role, what), b in zip(eq["roles"], eq["mean"]):
            coef[(eq["target"], role, what)] = float(b)
    metrics = sorted({e["metric"] for e in P.effects} | {"nps"})
    out = {"units": U, "weeks": len(wq), "weeks_per_quarter": [int(x) for x in P.nweeks],
           "quarterly_rate": P.rq, "quarters": [quarter_text(P.start_q + q) for q in range(H)],
           "scenarios": {}}
    coefs = [eq["mean"][:, None] for eq in P.eqs]
    _, CF, V = P.project(coefs, P.eff_base[:, None], P.cost_base[:, None])
    for s, name in enumerate(P.scen_names):
        dm = {m: [0.0] * H for m in metrics}  # metric changes per quarter
        costs = [0.0] * H
        for j, e in enumerate(P.effects):
            if P.inc_e[s, j]:
                for q in range(H):
                    dm[e["metric"]][q] += e["value"] * e["share"][q]
        for j, c in enumerate(P.costs):
            if P.inc_c[s, j]:
                for q in range(H):
                    costs[q] += c["amount"] * c["profile"][q]
        rev = [0.0] * H
        nps_sum = [0.0] * H
        nps_cnt = [0] * H
        for u in range(U):
            d_nps = []
            for t, q in enumerate(wq):
                v = dm["nps"][q]
                for m in metrics:
                    b = coef.get(("nps", "metric", m))
                    if b is not None:
                        v += b * dm[m][q]
                d_nps.append(v)
                nps_sum[q] += v
                nps_cnt[q] += 1
                r = 0.0
                for (tgt, role, what), b in coef.items():
                    if tgt == "nps":
                        continue
                    if role == "lag":
                        r += b * (d_nps[t - what] if t - what >= 0 else 0.0)
                    elif what in dm:
                        r += b * dm[what][q]
                rev[q] += r
        cf = [(P.margin * rev[q] - costs[q]) * (1 - P.tax) for q in range(H)]
        npv, f = 0.0, 1.0
        for q in range(H):
            f /= 1 + P.rq
            npv += cf[q] * f
        # the vectorised path at the same values, as a cross-check
        vcf = CF[s * H:(s + 1) * H]
        virr, _ = irr_annual(vcf)
        out["scenarios"][name] = {
            "delta_revenue": rev, "costs": costs, "cash_flow": cf,
            "delta_nps": [nps_sum[q] / nps_cnt[q] for q in range(H)],
            "npv": npv, "irr": irr_reference(cf),
            "npv_vectorised": float(V[s, 0]), "irr_vectorised": None if np.isnan(virr[0]) else float(virr[0]),
            "cash_flow_max_abs_diff_vectorised": float(np.max(np.abs(vcf[:, 0] - cf)))}
    return out


def main():
    ap = argparse.ArgumentParser(description="The Monte Carlo of cxcase simulate in numpy (benchmark competitor)")
    ap.add_argument("scenario")
    ap.add_argument("fitted", help="a fitted model: cxcase fit ... --json")
    ap.add_argument("--draws", type=int, help="default: the scenario's simulation.draws")
    ap.add_argument("--seed", type=int, help="default: the scenario's simulation.seed")
    ap.add_argument("--chunk", type=int, default=16384, help="draws held at a time (16384)")
    ap.add_argument("--units", type=int, help="units (regions); default: the fit's C(unit) levels + 1")
    ap.add_argument("--check-base", action="store_true", help="print the deterministic base case and exit")
    a = ap.parse_args()
    if a.chunk < 1 or (a.draws is not None and a.draws < 1) or (a.units is not None and a.units < 1):
        ap.error("--draws, --chunk and --units must be positive")
    P = Problem(a.scenario, a.fitted, a.units)
    if a.check_base:
        res = base_case(P)
    else:
        res = simulate(P, a.draws or P.draws, P.seed if a.seed is None else a.seed, a.chunk)
    json.dump(res, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
