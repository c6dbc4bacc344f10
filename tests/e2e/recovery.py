#!/usr/bin/python3
"""Compare a fitted model (cxcase fit --json) with the generator's truth.

    recovery.py z FITTED.json TRUTH.json      print "target term z inside" per driver
    recovery.py summary Z_FILE K MINCOV MAXBIAS

The drivers are the coefficients named in truth.json's equations (the
operational metrics, eNPS, lagged NPS and conversion); z is
(estimate - truth) / standard error, and "inside" is 1 when the truth lies in
the reported 95% interval.  Standard library only.
"""
import json
import statistics
import sys


def zscores(fitted, truth):
    m = json.load(open(fitted, encoding="utf-8"))
    t = json.load(open(truth, encoding="utf-8"))
    for eq in m["equations"]:
        coefs = t["equations"][eq["target"]]["coefficients"]
        for term in eq["terms"]:
            if term["name"] in coefs:
                true = coefs[term["name"]]
                z = (term["coef"] - true) / term["se"]
                inside = int(term["ci_low"] <= true <= term["ci_high"])
                print(f"{eq['target']} {term['name'].replace(' ', '')} {z:.6f} {inside}")


def summary(path, k, mincov, maxbias):
    by = {}
    for line in open(path, encoding="utf-8"):
        target, name, z, inside = line.split()
        by.setdefault(f"{target}:{name}", []).append((float(z), int(inside)))
    bad = 0
    for key, v in sorted(by.items()):
        zs = [z for z, _ in v]
        cov = sum(i for _, i in v) / len(v)
        mean = statistics.mean(zs)
        ok = len(v) == k and cov >= mincov and abs(mean) <= maxbias
        bad += not ok
        print(f"{'ok' if ok else 'not ok'} - calibration over {len(v)} generated data sets: {key} "
              f"95% interval covers the truth in {cov:.0%} (at least {mincov:.0%}), mean z {mean:+.2f} "
              f"(within +-{maxbias}), sd z {statistics.pstdev(zs):.2f}")
    return 1 if bad or not by else 0


if __name__ == "__main__":
    if sys.argv[1] == "z":
        zscores(sys.argv[2], sys.argv[3])
    else:
        sys.exit(summary(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])))
