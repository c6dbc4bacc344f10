#!/bin/sh
# t35-readme-scenario.sh - the README stays true: its complete scenario
# example (section "Scenario files") is checked and simulated as written,
# from the samples' folder its paths refer to, and validates against the
# scenario schema.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
ex="$TOP/samples/readme-example.tmp.$$.json"
trap 'rm -f "$ex"; rm -rf "$tmp"' EXIT INT TERM
"$PYTHON" - "$TOP/README.md" "$ex" <<'PY' || { not_ok "the README has a scenario example"; exit 1; }
import re, sys
text = open(sys.argv[1]).read()
sec = text[text.index("### Scenario files"):]
m = re.search(r"```json\n(.*?)```", sec, re.S)
open(sys.argv[2], "w").write(m.group(1))
PY
if "$CXCASE" check "$ex" >"$tmp/out" 2>"$tmp/err"; then ok "cxcase check accepts the README's scenario example"
else not_ok "cxcase check accepts the README's scenario example"; show "$tmp/err"; fi
if "$CXCASE" simulate "$ex" --json --draws 500 >"$tmp/sim.json" 2>"$tmp/err" &&
    "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["scenarios"] and d["portfolio"] else 1)' "$tmp/sim.json"; then
    ok "cxcase simulate runs it: scenarios and a portfolio"
else
    not_ok "cxcase simulate runs the README's scenario example"; show "$tmp/err"
fi
if "$PYTHON" -c '
import json, sys, jsonschema
jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$ex" "$TOP/models/scenario.schema.json" 2>"$tmp/err"; then
    ok "it validates against models/scenario.schema.json"
else
    not_ok "it validates against models/scenario.schema.json"; show "$tmp/err"
fi
