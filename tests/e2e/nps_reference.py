#!/usr/bin/python3
"""nps_reference.py - an independent second implementation of the survey
aggregation of `cxcase nps`, used by tests/e2e/t10-nps-reference.sh.

Standard library only (csv, json, math, datetime, sys), so that it runs on
Debian's /usr/bin/python3 with nothing else installed.  It shares no code with
the C implementation: dates are turned into periods by datetime's ISO
calendar, responses are counted in plain dicts, and every statistic is written
out from its textbook formula.

    nps_reference.py compare --csv FILE --json CXCASE.json --scale nps \
        --period week|quarter --label TEXT
        Aggregate FILE per (period, region), compare with the JSON written by
        `cxcase nps FILE --by period,region --period ... --json`, print one
        "ok - ..." / "not ok - ..." line per check and a "# max relative
        difference" comment.  Exit status 1 when a check failed.

    nps_reference.py generate csat|ces OUT.csv
        Write a small deterministic responses file for the CSAT/CES checks
        (a fixed linear congruential generator, no `random`).

    nps_reference.py generate edges OUT.csv
        NPS responses on the dates around new year (ISO weeks 52/53/01),
        quarter ends and leap days, 1968-2040.

Formulas (p = share of a category, n = responses in the group):
    NPS   = 100 (pP - pD),  SE = 100 sqrt((pP + pD - (pP - pD)^2) / n)
    95%   = NPS -/+ 1.96 SE
    adjusted Wald (Rocks 2016): n' = n + 3, pP' = (nP + 3/4) / n',
          pD' = (nD + 3/4) / n', d' = pP' - pD',
          se' = sqrt((pP' + pD' - d'^2) / n'), limits 100 (d' -/+ 1.96 se')
          clipped to [-100, 100]
    CSAT  = 100 p (p = share of 4-5),  SE = 100 sqrt(p (1 - p) / n)
    CES   = mean,  SE = s / sqrt(n) with s the n-1 standard deviation

SPDX-License-Identifier: GPL-3.0-or-later
"""

import csv
import datetime
import json
import math
import sys

Z = 1.96
RTOL = 1e-12
ATOL = 1e-12

SCALES = {"nps": (0, 10), "csat": (1, 5), "ces": (1, 7)}


# --------------------------------------------------------------------------
# periods

def period_of(text, kind):
    """'2023-01-02' -> '2023-W01' (ISO week) or '2023Q1' (calendar quarter)."""
    d = datetime.date.fromisoformat(text.strip())
    if kind == "week":
        year, week, _ = d.isocalendar()
        return "%04d-W%02d" % (year, week)
    if kind == "quarter":
        return "%04dQ%d" % (d.year, (d.month - 1) // 3 + 1)
    if kind == "day":
        return d.isoformat()
    raise ValueError("unknown period kind %r" % kind)


# --------------------------------------------------------------------------
# aggregation

def read_groups(path, scale, kind):
    """Return (groups, counts): groups maps (period, region) to the list of
    integer scores; counts has responses, used, missing_score, missing_key."""
    lo, hi = SCALES[scale]
    groups = {}
    counts = {"responses": 0, "used": 0, "missing_score": 0, "missing_key": 0}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.DictReader(f)
        for row in reader:
            counts["responses"] += 1
            score = row["score"].strip()
            if score == "":
                counts["missing_score"] += 1
                continue
            date, region = row["date"].strip(), row["region"]
            if date == "" or region == "":
                counts["missing_key"] += 1
                continue
            value = int(score)
            if not lo <= value <= hi:
                raise ValueError("%s:%d: score %r outside %d-%d"
                                 % (path, reader.line_num, score, lo, hi))
            key = (period_of(date, kind), region)
            groups.setdefault(key, []).append(value)
            counts["used"] += 1
    return groups, counts


def nps_stats(scores):
    n = len(scores)
    n_p = sum(1 for s in scores if s >= 9)
    n_d = sum(1 for s in scores if s <= 6)
    n_pa = n - n_p - n_d
    p_p = n_p / n
    p_d = n_d / n
    diff = p_p - p_d
    nps = 100.0 * diff
    se = 100.0 * math.sqrt(max(0.0, (p_p + p_d - diff * diff) / n))
    n2 = n + 3
    pp2 = (n_p + 0.75) / n2
    pd2 = (n_d + 0.75) / n2
    d2 = pp2 - pd2
    se2 = math.sqrt(max(0.0, (pp2 + pd2 - d2 * d2) / n2))
    return {
        "n": n,
        "nps": nps,
        "se": se,
        "ci_low": nps - Z * se,
        "ci_high": nps + Z * se,
        "awald_low": max(-100.0, min(100.0, 100.0 * (d2 - Z * se2))),
        "awald_high": max(-100.0, min(100.0, 100.0 * (d2 + Z * se2))),
        "promoters": n_p,
        "passives": n_pa,
        "detractors": n_d,
        "promoter_share": 100.0 * p_p,
        "passive_share": 100.0 * n_pa / n,
        "detractor_share": 100.0 * p_d,
    }


def csat_stats(scores):
    n = len(scores)
    p = sum(1 for s in scores if s >= 4) / n
    score = 100.0 * p
    se = 100.0 * math.sqrt(p * (1.0 - p) / n)
    return {"n": n, "csat": score, "se": se,
            "ci_low": score - Z * se, "ci_high": score + Z * se}


def ces_stats(scores):
    n = len(scores)
    mean = math.fsum(scores) / n
    if n > 1:
        var = math.fsum((s - mean) ** 2 for s in scores) / (n - 1)
        se = math.sqrt(var) / math.sqrt(n)
    else:
        se = float("nan")
    return {"n": n, "ces": mean, "se": se,
            "ci_low": mean - Z * se, "ci_high": mean + Z * se}


STATS = {"nps": nps_stats, "csat": csat_stats, "ces": ces_stats}
INTEGER_FIELDS = {"n", "promoters", "passives", "detractors"}


# --------------------------------------------------------------------------
# comparison

def reldiff(a, b):
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def close(a, b):
    if a is None or b is None:
        # cJSON writes NaN as null
        return (a is None or math.isnan(a)) and (b is None or math.isnan(b))
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= ATOL or reldiff(a, b) <= RTOL


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, good, what, details=()):
        print("%s - %s" % ("ok" if good else "not ok", what))
        if not good:
            self.failed += 1
            for line in details:
                print("#   " + line)
        return good


def compare(argv):
    opts = dict(zip(argv[0::2], argv[1::2]))
    path, jpath = opts["--csv"], opts["--json"]
    scale, kind = opts.get("--scale", "nps"), opts.get("--period", "week")
    label = opts.get("--label", "%s per %s and region" % (scale, kind))
    checks = Checks()

    groups, counts = read_groups(path, scale, kind)
    ref = {key: STATS[scale](scores) for key, scores in groups.items()}

    try:
        with open(jpath, encoding="utf-8") as f:
            doc = json.load(f)
        got_list = doc["groups"]
    except (OSError, ValueError, KeyError, TypeError) as e:
        checks.check(False, "%s: cxcase JSON parses" % label, [str(e)])
        return 1
    checks.check(True, "%s: cxcase JSON parses" % label)

    # totals
    bad = []
    for k in ("responses", "used"):
        if doc.get(k) != counts[k]:
            bad.append("%s: cxcase %r, reference %r" % (k, doc.get(k), counts[k]))
    skipped = doc.get("skipped", {})
    for k in ("missing_score", "missing_key"):
        if skipped.get(k) != counts[k]:
            bad.append("skipped.%s: cxcase %r, reference %r" % (k, skipped.get(k), counts[k]))
    checks.check(not bad, "%s: response totals (%d read, %d used)"
                 % (label, counts["responses"], counts["used"]), bad)

    # keys
    got = {}
    dup = []
    for g in got_list:
        keys = g.get("keys", {})
        key = (keys.get("period"), keys.get("region"))
        if key in got:
            dup.append("duplicate group %r" % (key,))
        got[key] = g
    missing = sorted(set(ref) - set(got))
    extra = sorted(set(got) - set(ref), key=repr)
    details = dup + ["missing group %r" % (k,) for k in missing[:10]] \
        + ["unexpected group %r" % (k,) for k in extra[:10]]
    checks.check(len(got_list) == len(ref) and not details,
                 "%s: %d groups with the same keys (cxcase %d)"
                 % (label, len(ref), len(got_list)),
                 ["reference %d groups, cxcase %d" % (len(ref), len(got_list))] + details)

    order = [(g.get("keys", {}).get("period"), g.get("keys", {}).get("region"))
             for g in got_list]
    expect = sorted(order, key=lambda k: (k[0], k[1].encode("utf-8")))
    first = next((i for i, (a, b) in enumerate(zip(order, expect)) if a != b), None)
    checks.check(first is None, "%s: groups sorted by period then region" % label,
                 [] if first is None else
                 ["position %d: %r, expected %r" % (first, order[first], expect[first])])

    # numbers
    fields = list(next(iter(ref.values())).keys()) if ref else []
    worst = (0.0, None, None)
    count_bad, num_bad = [], []
    for key in sorted(set(ref) & set(got)):
        r, g = ref[key], got[key]
        for field in fields:
            if field not in g:
                num_bad.append("%r: field %s missing" % (key, field))
                continue
            a, b = g[field], r[field]
            if field in INTEGER_FIELDS:
                if a != b:
                    count_bad.append("%r %s: cxcase %r, reference %r" % (key, field, a, b))
                continue
            if not isinstance(a, (int, float)) and a is not None:
                num_bad.append("%r %s: not a number: %r" % (key, field, a))
                continue
            if a is not None and not math.isnan(b) and max(abs(a), abs(b)) > ATOL:
                d = reldiff(float(a), b)
                if d > worst[0]:
                    worst = (d, key, field)
            if not close(a, b):
                num_bad.append("%r %s: cxcase %.17g, reference %.17g, rel diff %.3g"
                               % (key, field, float("nan") if a is None else a, b,
                                  reldiff(float("nan") if a is None else a, b)))
    checks.check(not count_bad, "%s: n and category counts of every group match" % label,
                 count_bad[:20] + (["... %d more" % (len(count_bad) - 20)]
                                   if len(count_bad) > 20 else []))
    checks.check(not num_bad, "%s: %s of every group within %g relative (%g absolute)"
                 % (label, ", ".join(f for f in fields if f not in INTEGER_FIELDS), RTOL, ATOL),
                 num_bad[:20] + (["... %d more" % (len(num_bad) - 20)]
                                 if len(num_bad) > 20 else []))
    print("# %s: max relative difference %.3g%s" % (
        label, worst[0],
        "" if worst[1] is None else " (%s %s %s)" % (worst[1][0], worst[1][1], worst[2])))
    return 1 if checks.failed else 0


# --------------------------------------------------------------------------
# small generated files for CSAT and CES

def generate(argv):
    scale, out = argv[1], argv[2]
    lo, hi = SCALES[scale]
    state = 20240917 + hi

    def lcg():
        nonlocal state
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        return state >> 33

    regions = ["Utrecht", "Fryslân", "Zuid-Holland"]
    start = datetime.date(2024, 12, 23)  # ISO weeks 2024-W52 .. 2025-W02, two quarters
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["date", "region", "touchpoint", "score", "comment"])
        for i in range(400):
            day = start + datetime.timedelta(days=lcg() % 21)
            region = regions[lcg() % len(regions)]
            score = lo + lcg() % (hi - lo + 1)
            comment = 'line one\nsaid "ok", fine' if i % 37 == 0 else ""
            text = "" if i % 97 == 5 else str(score)  # a few empty scores
            w.writerow([day.isoformat(), region, "web", text, comment])
        # a group with exactly two responses, and a one-response group
        w.writerow(["2025-01-08", "Zeeland", "web", str(lo), ""])
        w.writerow(["2025-01-09", "Zeeland", "web", str(hi), ""])
        w.writerow(["2024-12-24", "Zeeland", "web", str(hi), ""])
    return 0


def generate_edges(out):
    """NPS responses on the dates where ISO weeks and quarters are easy to get
    wrong: around every new year from 1968 to 2040 (weeks 52/53 and week 1
    of the next ISO year), quarter ends and leap days."""
    days = [(12, 28), (12, 29), (12, 30), (12, 31), (1, 1), (1, 2), (1, 3), (1, 4),
            (3, 31), (4, 1), (6, 30), (7, 1), (9, 30), (10, 1), (2, 29)]
    i = 0
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "region", "score"])
        for year in range(1968, 2041):
            for month, day in days:
                try:
                    d = datetime.date(year, month, day)
                except ValueError:
                    continue  # no leap day
                w.writerow([d.isoformat(), "R%d" % (i % 2), str(i * 7 % 11)])
                i += 1
    return 0


def main(argv):
    if len(argv) >= 1 and argv[0] == "compare":
        return compare(argv[1:])
    if len(argv) == 3 and argv[0] == "generate" and argv[1] == "edges":
        return generate_edges(argv[2])
    if len(argv) == 3 and argv[0] == "generate" and argv[1] in ("csat", "ces"):
        return generate(argv)
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
