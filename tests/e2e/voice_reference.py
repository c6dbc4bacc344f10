#!/usr/bin/python3
"""voice_reference.py - an independent implementation of `cxcase voice`.

Standard library only.  It reads the responses with the csv module, cuts the
comments into terms by the rules of README.md ("cxcase voice"), and computes
the weighted log-odds ratio with an informative Dirichlet prior (Monroe,
Colaresi & Quinn 2008) for every term, then compares with cxcase's JSON
(run with --top all):

    voice_reference.py compare --csv responses.csv --json out.json
        [--by category|COLUMN] [--compare A,B|rest] [--where COL=VALUE]
        [--metrics FILE --worst COLUMN[:low] --worst-share P]
        [--prior A0] [--quotes] [--label TEXT] [--tol 1e-10]

It checks: the same comparisons, the same terms in the same order, equal
counts, and every z (and delta) within tol (absolute, or relative when
|z| > 1); with --quotes, the quotes of the first 15 terms of each
comparison.  Prints "ok - ..." or "not ok - ..." lines; exit 1 on a
failure.

    voice_reference.py terms --csv FILE      the terms per comment (for debugging)
    voice_reference.py bench --csv FILE      the word statistics, timed (tests/bench)

SPDX-License-Identifier: GPL-3.0-or-later
"""
import argparse
import csv
import datetime
import json
import math
import os
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def load_stopwords():
    words = set()
    for name in ("stopwords-en.txt", "stopwords-nl.txt"):
        with open(os.path.join(TOP, "models", name), encoding="utf-8") as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    words.add(line)
    return words


STOP = load_stopwords()


def kind(ch):
    """letter, digit, space, join or other."""
    if ch.isascii():
        if ch.isalpha():
            return "letter"
        if ch.isdigit():
            return "digit"
        if ch in " \t":
            return "space"
        if ch in "'-":
            return "join"
        return "other"
    if ch == "\u2019":
        return "join"
    if "\u0300" <= ch <= "\u036f":
        return "mark"
    return "letter" if ch.isalpha() else "other"


def words_of(text):
    """[(word, adjacent_to_previous)] by the rules in README.md."""
    out = []
    broken = False
    cur = None  # [chars, has_letter]
    i, n = 0, len(text)

    def finish():
        nonlocal broken
        chars, letter = cur
        if not letter:
            broken = True
            return
        out.append(("".join(chars), bool(out) and not broken))
        broken = False

    while i < n:
        ch = text[i]
        k = kind(ch)
        if k == "join" and cur is not None and i + 1 < n and kind(text[i + 1]) in ("letter", "digit"):
            cur[0].append("'" if ch == "\u2019" else ch)
            i += 1
            continue
        if k == "mark" and cur is not None:
            cur[0].append(ch)
            i += 1
            continue
        if k in ("letter", "digit"):
            if cur is None:
                cur = [[], False]
            cur[0].append(ch.lower() if k == "letter" else ch)
            cur[1] = cur[1] or k == "letter"
            i += 1
            continue
        if cur is not None:
            finish()
            cur = None
        if k != "space":
            broken = True
        i += 1
    if cur is not None:
        finish()
    return out


def terms_of(text, keep_stop=False):
    ws = words_of(text)
    terms = []
    for j, (w, adj) in enumerate(ws):
        stop = (w in STOP) and not keep_stop
        if not stop and len(w) >= 2:
            terms.append(w)
        if adj and not stop:
            terms.append(ws[j - 1][0] + " " + w)
    return terms


def category(score):
    s = int(score)
    return "detractor" if s <= 6 else "passive" if s <= 8 else "promoter"


def worst_cells(path, column, low, share):
    """{(iso_year, iso_week, region): True for worst, False for other}."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        sample = f.read(4096)
        f.seek(0)
        sep = "\t" if "\t" in sample.splitlines()[0] else (";" if ";" in sample.splitlines()[0] else ",")
        rows = list(csv.DictReader(f, delimiter=sep))
    cells = []
    for idx, r in enumerate(rows):
        v = r[column].strip()
        if v == "":
            continue
        v = float(v.replace(",", ".")) if sep == ";" else float(v)
        y, w = r["week"].split("-W")
        cells.append((v, idx, (int(y), int(w), r["region"])))
    cells.sort(key=lambda c: (c[0] if low else -c[0], c[1]))
    nworst = math.ceil(share * len(cells) - 1e-9)
    return {c[2]: i < nworst for i, c in enumerate(cells)}


def read_groups(a):
    """[(group, comment)] in file order, after the where filter."""
    cells = worst_cells(a.metrics, a.worst_column, a.worst_low, a.worst_share) if a.metrics else None
    out = []
    with open(a.csv, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            if a.where:
                col, val = a.where.split("=", 1)
                if col == "category" and "category" not in r:
                    if r["score"].strip() == "":
                        continue
                    got = category(r["score"])
                else:
                    got = r[col]
                if got != val:
                    continue
            if cells is not None:
                y, w, _ = datetime.date.fromisoformat(r["date"]).isocalendar()
                flag = cells.get((y, w, r["region"]))
                if flag is None:
                    continue
                g = "worst" if flag else "other"
            elif a.by == "category":
                if r["score"].strip() == "":
                    continue
                g = category(r["score"])
            else:
                g = r[a.by]
                if g == "":
                    continue
            c = r[a.text]
            if c.strip(" \t\r\n") == "":
                continue
            out.append((g, c))
    return out


def fightin_words(counts, total, focus, other, a0):
    """{term: (z, delta, y_focus, y_other)} for terms with y_focus > 0, z > 0."""
    N = sum(total.values())
    ni = sum(sum(counts[g].values()) for g in focus)
    nj = sum(sum(counts[g].values()) for g in other)
    res = {}
    for w, c in total.items():
        yi = sum(counts[g].get(w, 0) for g in focus)
        yj = sum(counts[g].get(w, 0) for g in other)
        if yi == 0:
            continue
        alpha = a0 * c / N
        fi, fj = yi + alpha, yj + alpha
        delta = math.log(fi / (ni + a0 - fi)) - math.log(fj / (nj + a0 - fj))
        se = math.sqrt(1 / fi + 1 / fj)
        z = delta / se
        if z > 0:
            res[w] = (z, delta, yi, yj)
    return res


def compute(a):
    rows = read_groups(a)
    counts, total = {}, {}
    for g, c in rows:
        d = counts.setdefault(g, {})
        for t in terms_of(c):
            d[t] = d.get(t, 0) + 1
            total[t] = total.get(t, 0) + 1
    groups = sorted(counts)
    ncomments = {g: sum(1 for r in rows if r[0] == g) for g in groups}
    if a.compare and a.compare != "rest":
        x, y = a.compare.split(",")
        pairs = [([x], [y], x, y), ([y], [x], y, x)]
    elif a.compare != "rest" and (a.metrics or a.by == "category"):
        x, y = ("worst", "other") if a.metrics else ("detractor", "promoter")
        pairs = [([x], [y], x, y), ([y], [x], y, x)]
    else:
        pairs = [([g], [h for h in groups if h != g], g, "the rest") for g in groups if ncomments[g] > 0]
    result = []
    for focus, other, fname, oname in pairs:
        fw = fightin_words(counts, total, focus, other, a.prior)
        order = sorted(fw, key=lambda w: (-fw[w][0], w.encode("utf-8")))
        result.append((fname, oname, [(w,) + fw[w] for w in order], set(focus)))
    return rows, result


def quotes_for(rows, focus, term, want=3):
    got = []
    for g, c in rows:
        if g not in focus or c in got:
            continue
        if term in terms_of(c):
            got.append(c)
            if len(got) == want:
                break
    return got


def close(x, y, tol):
    return abs(x - y) <= tol * max(1.0, abs(x), abs(y))


def cmd_compare(a):
    label = a.label or os.path.basename(a.csv)
    with open(a.json, encoding="utf-8") as f:
        doc = json.load(f)
    rows, result = compute(a)
    bad = []
    cmps = doc["comparisons"]
    if [(c["group"], c["against"]) for c in cmps] != [(r[0], r[1]) for r in result]:
        bad.append("comparisons differ: cxcase %s, reference %s" % (
            [(c["group"], c["against"]) for c in cmps], [(r[0], r[1]) for r in result]))
    worst_z = 0.0
    nterms = 0
    for c, (fname, oname, terms, focus) in zip(cmps, result):
        ct = c["terms"]
        if [t["term"] for t in ct] != [t[0] for t in terms]:
            mine = [t["term"] for t in ct]
            ref = [t[0] for t in terms]
            first = next((i for i in range(min(len(mine), len(ref))) if mine[i] != ref[i]), min(len(mine), len(ref)))
            bad.append("%s: terms differ from #%d (%d vs %d terms): cxcase %s, reference %s" % (
                fname, first + 1, len(mine), len(ref), mine[first:first + 3], ref[first:first + 3]))
            continue
        for t, r in zip(ct, terms):
            nterms += 1
            if t["count"] != r[3] or t["count_against"] != r[4]:
                bad.append("%s %r: counts %d/%d, reference %d/%d" % (fname, r[0], t["count"], t["count_against"], r[3], r[4]))
            worst_z = max(worst_z, abs(t["z"] - r[1]) / max(1.0, abs(r[1])))
            if not close(t["z"], r[1], a.tol) or not close(t["delta"], r[2], a.tol):
                bad.append("%s %r: z %.17g, reference %.17g" % (fname, r[0], t["z"], r[1]))
        if a.quotes:
            for t in ct[:15]:
                ref = quotes_for(rows, focus, t["term"])
                if t["quotes"] != ref:
                    bad.append("%s %r: quotes %r, reference %r" % (fname, t["term"], t["quotes"], ref))
    if bad:
        print("not ok - %s: cxcase voice equals the reference" % label)
        for b in bad[:10]:
            print("#   " + b)
        return 1
    print("ok - %s: %d comparisons, %d terms equal the Python reference (largest z difference %.1e%s)" % (
        label, len(cmps), nterms, worst_z, ", quotes too" if a.quotes else ""))
    return 0


def cmd_terms(a):
    with open(a.csv, encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            print(json.dumps(terms_of(r[a.text]), ensure_ascii=False))
    return 0


def cmd_bench(a):
    """The word statistics of a plain Python implementation: read, cut,
    count per category, z for every term of detractors against promoters."""
    t0 = time.perf_counter()
    a.by, a.compare, a.where, a.metrics = "category", None, None, None
    _, result = compute(a)
    dt = time.perf_counter() - t0
    print("%.3f %d" % (dt, sum(len(r[2]) for r in result)))
    return 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("cmd", choices=["compare", "terms", "bench"])
    p.add_argument("--csv", required=True)
    p.add_argument("--json")
    p.add_argument("--text", default="comment")
    p.add_argument("--by", default="category")
    p.add_argument("--compare")
    p.add_argument("--where")
    p.add_argument("--metrics")
    p.add_argument("--worst")
    p.add_argument("--worst-share", type=float, default=0.2)
    p.add_argument("--prior", type=float, default=1000.0)
    p.add_argument("--quotes", action="store_true")
    p.add_argument("--label")
    p.add_argument("--tol", type=float, default=1e-10)
    a = p.parse_args()
    a.worst_column, a.worst_low = None, False
    if a.worst:
        a.worst_column, _, side = a.worst.partition(":")
        a.worst_low = side == "low"
    return {"compare": cmd_compare, "terms": cmd_terms, "bench": cmd_bench}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
