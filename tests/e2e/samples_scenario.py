#!/usr/bin/env python3
"""samples_scenario.py - the samples' scenario file as a test's own copy.

    python3 samples_scenario.py OUT.json [DRAWS]

Writes samples/scenario.json with its data files and model as absolute
paths (so that OUT.json may live in any folder), without "$schema", and
with DRAWS Monte Carlo draws (default 2000).  The tests that then change
the copy (t63, t91, t97) read OUT.json and write their own changed file.
SPDX-License-Identifier: GPL-3.0-or-later
"""
import json
import os
import sys

top = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
samples = os.path.join(top, "samples")
s = json.load(open(os.path.join(samples, "scenario.json")))
for d in s["data"]:
    d["file"] = os.path.join(samples, d["file"])
s["model"] = os.path.join(top, "models", "cx_chain.json")
s.pop("$schema", None)
s["simulation"]["draws"] = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
json.dump(s, open(sys.argv[1], "w"), indent=1)
