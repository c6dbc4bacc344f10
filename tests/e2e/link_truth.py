#!/usr/bin/env python3
"""link_truth.py - compare `cxcase link --json` with the generator's
customers_truth.json (tests/e2e/t96-link-truth.sh).

    link_truth.py check LINK.json TRUTH.json    one data set: an "ok"/"not ok" line per coefficient
    link_truth.py cover TRUTH.json LINK.json... coverage over data sets: one line per coefficient
                                                 and the pooled share, with its bounds

Coefficients: the logistic regression of churned (C(category)[passive],
C(category)[promoter], tenure_years, C(segment)[consumer], the intercept)
and the least-squares fit of value_12m on the same terms, each 95% interval
checked against the truth.
"""
import json
import os
import sys


def pairs(link, truth):
    """(family, name, truth, low, high) for every true coefficient."""
    out = []
    fams = (("churned_logit", link["logistic"]["terms"]), ("value_12m", link["value_on_category"]["terms"]))
    for fam, terms in fams:
        by = {t["name"]: t for t in terms}
        for name, want in truth[fam].items():
            t = by[name]
            out.append((fam, name, want, t["ci_low"], t["ci_high"], t["coef"]))
    return out


def check(link_path, truth_path):
    link = json.load(open(link_path))
    truth = json.load(open(truth_path))
    bad = 0
    for fam, name, want, lo, hi, est in pairs(link, truth):
        inside = lo <= want <= hi
        bad += not inside
        print("%s - samples: %s %s = %.6g lies in its 95%% interval [%.6g, %.6g] (estimate %.6g)"
              % ("ok" if inside else "not ok", fam, name, want, lo, hi, est))
    return bad


def cover(truth_path, links, lo_share, hi_share):
    truth = json.load(open(truth_path))
    hits = {}
    for p in links:
        for fam, name, want, lo, hi, _ in pairs(json.load(open(p)), truth):
            hits.setdefault((fam, name), []).append(lo <= want <= hi)
    total = sum(len(v) for v in hits.values())
    covered = sum(sum(v) for v in hits.values())
    for (fam, name), v in sorted(hits.items()):
        print("# %s %s: %d of %d intervals cover the truth (%.1f%%)" % (fam, name, sum(v), len(v), 100.0 * sum(v) / len(v)))
    share = covered / total
    good = lo_share <= share <= hi_share
    if os.environ.get("SANITIZED") == "1":  # a smoke run: see tests/cli/lib.sh
        good = None
    print("%s - over %d data sets, %d of %d 95%% intervals (%.1f%%) cover the truth (expected %g%% to %g%%)"
          % ({True: "ok", False: "not ok", None: "skip"}[good], len(links), covered, total, 100 * share,
             100 * lo_share, 100 * hi_share))
    return 0 if good is not False else 1


if __name__ == "__main__":
    if sys.argv[1] == "check":
        sys.exit(1 if check(sys.argv[2], sys.argv[3]) else 0)
    sys.exit(cover(sys.argv[2], sys.argv[3:], 0.88, 1.0))
