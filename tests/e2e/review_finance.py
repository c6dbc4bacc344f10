#!/usr/bin/env python3
"""review_finance.py - the finance part of `cxcase review` recomputed
independently from the ledger's case record, the realised-rollout file and
the review's share delivered (README "cxcase review", finance).

    python3 review_finance.py LEDGER REALISED REVIEW.json   exit 1 when a figure differs by more than 1e-9

The re-forecast's SE is the NPV's change for a share one higher times the
share's SE (from the review's per-effect DiD SEs), summed in quadrature.

Every figure is computed here from its definition: the planned costs from
the scenario's content (capex in its quarter, opex indexed once a year,
capex deducted straight-line over the depreciation years), the cash flow
gross profit - costs - tax x (gross profit - deductions), the NPV
discounted by (1 + r)^(-(q + 1)/4), and the re-forecast revenue change
with each reached unit's 1/N of the initiative's own planned change moved
by its go-live delay and scaled by the share delivered.
SPDX-License-Identifier: GPL-3.0-or-later
"""
import json
import sys


def qidx(text, start):
    y, q = int(text[:4]), int(text[5])
    return 4 * y + q - 1 - start


def main():
    ledger, realised, review = sys.argv[1:4]
    rec = next(json.loads(line) for line in open(ledger) if json.loads(line)["kind"] == "case")
    rv = json.load(open(review))
    fin = rv["finance"]
    scen = json.loads(rec["scenario"]["content"])
    F = scen["finance"]
    H, r, m, tax = F["horizon_quarters"], F["discount_rate"], F["gross_margin"], F.get("tax_rate", 0.0)
    dep, idx = F.get("depreciation_years", 0), F.get("indexation", 0.0)
    start = qidx(F["start"], 0)
    Q = qidx(rv["quarter"], start)
    units = rec["units"]
    N = len(units)
    scs = {s["name"]: s for s in rec["forecast"]["scenarios"]}
    sc = scs[rv["scenario"]]
    R = [q["delta_revenue"] for q in sc["quarters"]]
    ids = sc["initiatives"]
    inits = {i["id"]: i for i in scen["initiatives"]}
    real = {i["id"]: i for i in (json.load(open(realised))["initiatives"] if realised != "-" else [])}

    def plan_cash(i):
        capex, opex = [0.0] * H, [0.0] * H
        for c in inits[i]["costs"]:
            if c["kind"] == "capex":
                capex[qidx(c["quarter"], start)] += c["amount"]
            else:
                for q in range(qidx(c["from"], start), qidx(c["to"], start) + 1):
                    opex[q] += c["amount"] * (1 + idx) ** (q // 4)
        return capex, opex

    def booked(i):
        capex, opex = [0.0] * H, [0.0] * H
        for c in real[i]["costs"]:
            (capex if c["kind"] == "capex" else opex)[qidx(c["quarter"], start)] += c["amount"]
        return capex, opex

    def schedule(actual):
        C, D = [0.0] * H, [0.0] * H
        for i in ids:
            pc, po = plan_cash(i)
            if actual and "costs" in real.get(i, {}):
                ac, ao = booked(i)
                pc = [ac[q] if q <= Q else pc[q] for q in range(H)]
                po = [ao[q] if q <= Q else po[q] for q in range(H)]
            for p in range(H):
                C[p] += pc[p] + po[p]
                D[p] += po[p]
                n = 4 * dep
                for q in range(p, H):
                    D[q] += pc[p] * ((1.0 if q == p else 0.0) if dep == 0 else (1.0 / n if q < p + n else 0.0))
        return C, D

    def npv(Rv, C, D):
        cf = [m * Rv[q] - C[q] - tax * (m * Rv[q] - D[q]) for q in range(H)]
        return sum(cf[q] * (1 + r) ** (-(q + 1) / 4) for q in range(H)), cf

    # each initiative's own benefit, its units' delays and its share
    own, shifts, share, share_se = {}, {}, {}, {}
    for i in ids:
        if len(ids) == 1:
            own[i] = R
        else:
            solo = [s for s in rec["forecast"]["scenarios"] if s["initiatives"] == [i]]
            alone = [x for x in rec["forecast"].get("initiatives", []) if x["initiative"] == i]
            if solo:
                own[i] = [q["delta_revenue"] for q in solo[0]["quarters"]]
            elif alone and None not in alone[0]["delta_revenue"]:
                own[i] = alone[0]["delta_revenue"]
        eff = [e for e in rec["plan"] if e["initiative"] == i]
        if not eff:
            continue
        d = eff[0]["delta"]
        per_unit = isinstance(d[0], list)
        sh = []
        for u, name in enumerate(units):
            du = d[u] if per_unit else d
            ps = next((q for q in range(H) if du[q] != 0), H)
            live = real.get(i, {}).get("units")
            if live is None:
                sh.append(0)
            else:
                sh.append(qidx(live[name], start) - ps if name in live else None)
        shifts[i] = sh
        rows = [x for x in rv["initiatives"] if x["initiative"] == i and x["separable"]]
        share[i] = sum(x["share_delivered"] for x in rows) / len(rows) if rows else 1.0
        if rows:
            share_se[i] = sum((x["se"] / x["planned_change"]) ** 2 for x in rows) ** 0.5 / len(rows)

    def revenue(delivery):
        out = list(R)
        for i in ids:
            if i not in own or i not in shifts:
                continue
            Ri = own[i]
            for q in range(H):
                tot = 0.0
                for s in shifts[i]:
                    if s is None:
                        now = 0.0 if delivery else Ri[q]
                    else:
                        t = q - s
                        now = (share[i] if delivery else 1.0) * (0.0 if t < 0 else Ri[min(t, H - 1)])
                    tot += now - Ri[q]
                out[q] += tot / N
        return out

    C0, D0 = schedule(False)
    C1, D1 = schedule(True)
    npv_plan, cf0 = npv(R, C0, D0)
    npv_costs, _ = npv(R, C1, D1)
    npv_timing, _ = npv(revenue(False), C1, D1)
    R1 = revenue(True)
    npv_now, cf1 = npv(R1, C1, D1)
    # the SE: the NPV's change for a share one higher, times the share's SE
    var = 0.0
    for i in share_se:
        if i in own:
            share[i] += 1
            var += ((npv(revenue(True), C1, D1)[0] - npv_now) * share_se[i]) ** 2
            share[i] -= 1
    want = {"npv/reforecast_se": var ** 0.5} if share_se else {}
    want.update({"npv/frozen": sc["npv"]["base"], "npv/plan": npv_plan, "npv/costs": npv_costs - npv_plan,
            "npv/timing": npv_timing - npv_costs, "npv/delivery": npv_now - npv_timing, "npv/reforecast": npv_now})
    tot = [0.0, 0.0, 0.0]
    for k, i in enumerate(ids):
        pc, po = plan_cash(i)
        p_c, p_o = sum(pc[:Q + 1]), sum(po[:Q + 1])
        if "costs" in real.get(i, {}):
            ac, ao = booked(i)
            a_c, a_o = sum(ac[:Q + 1]), sum(ao[:Q + 1])
        else:
            a_c, a_o = p_c, p_o
        want["initiatives/%d/cost_variance" % k] = a_c + a_o - p_c - p_o
        want["initiatives/%d/actual_capex" % k] = a_c
        want["initiatives/%d/planned_opex" % k] = p_o
        tot[0] += p_c + p_o
        tot[1] += a_c + a_o
        if i in own and i in shifts:
            reached = [s for s in shifts[i] if s is not None]
            B = m * max(own[i], key=abs)
            timing = -(sum(reached) / len(reached)) * (len(reached) / N) * B
            want["initiatives/%d/timing" % k] = timing
            want["initiatives/%d/planned_quarterly_benefit" % k] = B
            tot[2] += timing
    want["total/cost_variance"] = tot[1] - tot[0]
    want["total/timing"] = tot[2]
    for q in range(H):
        want["quarters/cash_flow_plan/%d" % q] = cf0[q]
        want["quarters/cash_flow/%d" % q] = cf1[q]
        want["quarters/delta_revenue/%d" % q] = R1[q]
        want["quarters/deduct/%d" % q] = D1[q]
    worst, bad = 0.0, []
    for key, w in want.items():
        v = fin
        for part in key.split("/"):
            v = v[int(part)] if isinstance(v, list) else v[part]
        d = abs(v - w) / max(1.0, abs(w))
        worst = max(worst, d)
        if d > 1e-9:
            bad.append("%s: cxcase %r, here %r" % (key, v, w))
    print("# %d finance figures recomputed, worst relative difference %.2g; NPV frozen %.2f, re-forecast %.2f"
          % (len(want), worst, sc["npv"]["base"], npv_now))
    for b in bad[:8]:
        print("#   " + b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
