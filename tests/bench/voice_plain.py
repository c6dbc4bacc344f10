#!/usr/bin/python3
"""voice_plain.py - the word statistics of `cxcase voice` as a user would
write them in plain Python: csv.DictReader, a regular expression for the
words, collections.Counter per NPS category, and the weighted log-odds with
an informative Dirichlet prior for every term of detractors against
promoters (and the reverse), the top 15 of each with up to 3 quotes.

    voice_plain.py RESPONSES.csv      prints "seconds terms"

SPDX-License-Identifier: GPL-3.0-or-later
"""
import collections
import csv
import math
import os
import re
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


def main():
    t0 = time.perf_counter()
    stop = set()
    for name in ("stopwords-en.txt", "stopwords-nl.txt"):
        with open(os.path.join(TOP, "models", name), encoding="utf-8") as f:
            stop.update(w for w in (l.split("#")[0].strip() for l in f) if w)
    counts = collections.defaultdict(collections.Counter)
    comments = []
    with open(sys.argv[1], encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            c, s = r["comment"], r["score"]
            if not c.strip() or not s:
                continue
            s = int(s)
            g = "detractor" if s <= 6 else "passive" if s <= 8 else "promoter"
            words = WORD.findall(c.lower())
            terms = [w for w in words if w not in stop and len(w) > 1]
            terms += [a + " " + b for a, b in zip(words, words[1:]) if b not in stop]
            counts[g].update(terms)
            comments.append((g, c, terms))
    total = collections.Counter()
    for c in counts.values():
        total.update(c)
    N, a0 = sum(total.values()), 1000.0
    n = {g: sum(c.values()) for g, c in counts.items()}
    nterms = 0
    for i, j in (("detractor", "promoter"), ("promoter", "detractor")):
        z = {}
        for w, yi in counts[i].items():
            a = a0 * total[w] / N
            fi, fj = yi + a, counts[j][w] + a
            d = math.log(fi / (n[i] + a0 - fi)) - math.log(fj / (n[j] + a0 - fj))
            z[w] = d / math.sqrt(1 / fi + 1 / fj)
        top = sorted((w for w in z if z[w] > 0), key=lambda w: (-z[w], w))[:15]
        quotes = {w: [] for w in top}
        for g, c, terms in comments:
            if g != i:
                continue
            for w in set(terms) & quotes.keys():
                if len(quotes[w]) < 3 and c not in quotes[w]:
                    quotes[w].append(c)
        nterms += len(z)
    print("%.3f %d" % (time.perf_counter() - t0, nterms))


if __name__ == "__main__":
    main()
