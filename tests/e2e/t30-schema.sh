#!/bin/sh
# t30-schema.sh - the JSON Schema for model specifications (models/model.schema.json)
# is a valid draft 2020-12 schema, every shipped model validates against it, and
# specifications that cxcase refuses for their form are refused by the schema too.
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
sys.exit(1 if fails else 0)
PY
