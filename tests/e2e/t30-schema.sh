#!/bin/sh
# t30-schema.sh - the JSON Schema for model specifications (models/model.schema.json)
# is a valid draft 2020-12 schema, every shipped model validates against it, and
# specifications that cxcase refuses for their form are refused by the schema too
# (and those it accepts, such as names between backticks, accepted).
# Uses Debian's python3-jsonschema.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
"$PYTHON" - "$TOP" <<'PY'
import glob, json, os, sys
import jsonschema
top = sys.argv[1]
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok
schema = json.load(open(os.path.join(top, "models/model.schema.json")))
try:
    jsonschema.Draft202012Validator.check_schema(schema)
    check(True, "models/model.schema.json is a valid JSON Schema (draft 2020-12)")
except jsonschema.SchemaError as e:
    check(False, "models/model.schema.json is a valid JSON Schema: " + e.message)
v = jsonschema.Draft202012Validator(schema)
for path in sorted(glob.glob(os.path.join(top, "models/*.json"))):
    if path.endswith(".schema.json"):
        continue
    errors = list(v.iter_errors(json.load(open(path))))
    check(not errors, f"{os.path.relpath(path, top)} validates" + ("" if not errors else ": " + errors[0].message))
bad = {
    "unknown key": {"equations": [{"target": "y", "terms": ["x"], "wieghts": "w"}]},
    "a term with bad syntax": {"equations": [{"target": "y", "terms": ["lag(x 4)"]}]},
    "a power of 1": {"equations": [{"target": "y", "terms": ["x^1"]}]},
    "an unknown method": {"equations": [{"target": "y", "terms": ["x"], "method": "lasso"}]},
    "no equations": {"equations": []},
    "a negative penalty": {"equations": [{"target": "y", "terms": ["x"], "method": "ridge", "lambda": -1}]},
}
for what, doc in bad.items():
    check(bool(list(v.iter_errors(doc))), f"the schema refuses {what}")
quoted = ["`Handling time (s)`", "log(`Omzet excl. btw`)", "lag(`NPS score`, 4)", "C(`Regio naam`)",
          "`a b`:log(`c (d)`)", "`it``s`^2"]
errors = list(v.iter_errors({"equations": [{"target": "y", "terms": quoted}]}))
check(not errors, "the schema accepts column names between backticks" + ("" if not errors else ": " + errors[0].message))
check(bool(list(v.iter_errors({"equations": [{"target": "y", "terms": ["Handling time (s)"]}]}))),
      "the schema refuses a column name with spaces outside backticks")
# the scenario schema (a draft contract for the scenario engine) and the sample
scen = json.load(open(os.path.join(top, "models/scenario.schema.json")))
try:
    jsonschema.Draft202012Validator.check_schema(scen)
    check(True, "models/scenario.schema.json is a valid JSON Schema (draft 2020-12)")
except jsonschema.SchemaError as e:
    check(False, "models/scenario.schema.json is a valid JSON Schema: " + e.message)
vs = jsonschema.Draft202012Validator(scen)
sample = json.load(open(os.path.join(top, "samples/scenario.json")))
errors = list(vs.iter_errors(sample))
check(not errors, "samples/scenario.json validates" + ("" if not errors else ": " + errors[0].message))
check(len(sample["initiatives"]) >= 4, "samples/scenario.json has at least four initiatives")
import copy
def mutated(path, value):
    doc = copy.deepcopy(sample)
    node = doc
    for k in path[:-1]:
        node = node[k]
    if value is None:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return doc
bad_scen = {
    "a margin above 1": mutated(["finance", "gross_margin"], 1.2),
    "negative draws": mutated(["simulation", "draws"], -5),
    "an unknown key": mutated(["finance", "discount"], 0.08),
    "a quarter written as a month": mutated(["finance", "start"], "2026-01"),
    "an unknown distribution": mutated(["initiatives", 0, "effects", 0, "uncertainty"], {"dist": "beta", "a": 1}),
    "an effect without change or target": mutated(["initiatives", 0, "effects", 0, "change"], None),
    "capex without its quarter": mutated(["initiatives", 0, "costs", 0, "quarter"], None),
    "a correlation above 1": mutated(["correlations", 0, "rank"], 1.5),
    "a fiscal year starting in February": mutated(["finance", "fiscal_year_start"], 2),
    "negative depreciation years": mutated(["finance", "depreciation_years"], -1),
    "indexation as text": mutated(["finance", "indexation"], "3%"),
    "a tornado range of three numbers": mutated(["finance", "sensitivity"], {"tax_rate": [0.1, 0.2, 0.3]}),
    "an unknown finance input in the tornado ranges": mutated(["finance", "sensitivity"], {"wacc": [0.05, 0.1]}),
    "a decay of 1": mutated(["initiatives", 0, "effects", 0, "decay"], 1),
    "a duration of 0 quarters": mutated(["initiatives", 0, "effects", 0, "duration_quarters"], 0),
}
for what, doc in bad_scen.items():
    check(bool(list(vs.iter_errors(doc))), f"the scenario schema refuses {what}")
# the finance options of issue 14, all at once, validate
doc = copy.deepcopy(sample)
doc["finance"].update({"depreciation_years": 3, "indexation": 0.03, "fiscal_year_start": 4,
                       "sensitivity": {"discount_rate": [0.05, 0.12], "gross_margin": [0.3, 0.4], "tax_rate": [0.2, 0.3]}})
doc["initiatives"][0]["effects"][0].update({"decay": 0.05})
doc["initiatives"][1]["effects"][0].update({"duration_quarters": 8})
errors = list(vs.iter_errors(doc))
check(not errors, "the finance options (depreciation, indexation, fiscal year, tornado ranges, decay, duration) "
      "validate" + ("" if not errors else ": " + errors[0].message))
sys.exit(1 if fails else 0)
PY
