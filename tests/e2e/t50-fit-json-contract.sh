#!/bin/sh
# t50-fit-json-contract.sh - the key names of `cxcase fit --json` are a contract
# other tools read (issue: top level {"equations", "provenance"}; per equation
# target, n, n_dropped, df_resid, sigma, r2, adj_r2, f, f_p, loglik, aic, bic,
# durbin_watson, condition_number, method, warnings, terms, covariance,
# ranges; per term name, coef, se, t, p, ci_low, ci_high, vif, importance).
# An errors-in-variables equation ("method": "eiv") has no F test and no
# likelihood (null), and adds "measurement_error" [{term, column, se_column,
# reliability, error_variance}] and "naive" [{name, coef, se}].
# Checks they are all there with the right types, on the samples, and that
# the file written with -o is the same document with the inputs' SHA-256.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${PYTHON:=/usr/bin/python3}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cxcase-t50.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
s="$TOP/samples"
if ! "$CXCASE" fit "$s/logistics.csv" "$s/service.csv" "$s/web.csv" "$s/finance.csv" "$s/hr.csv" \
    --responses "$s/responses.csv" --model "$TOP/models/cx_chain.json" --json -o "$tmp/fitted.json" \
    >"$tmp/stdout.json" 2>"$tmp/err"; then
    echo "not ok - cxcase fit --json exits 0"
    sed 's/^/#   /' "$tmp/err"
    exit 1
fi
"$PYTHON" - "$tmp/stdout.json" "$tmp/fitted.json" "$s" <<'PY'
import hashlib, json, os, sys
out, written, samples = sys.argv[1:4]
doc = json.load(open(out, encoding="utf-8"))
fails = 0
def check(ok, what):
    global fails
    print(("ok - " if ok else "not ok - ") + what)
    fails += not ok
num = (int, float)
check(set(doc) >= {"equations", "provenance"}, "top level has equations and provenance")
eq_keys = {"target": str, "n": num, "n_dropped": num, "df_resid": num, "sigma": num, "r2": num,
           "adj_r2": num, "f": num, "f_p": num, "loglik": num, "aic": num, "bic": num,
           "durbin_watson": num, "condition_number": num, "method": str, "warnings": list,
           "terms": list, "covariance": list, "ranges": dict}
term_keys = {"name": str, "coef": num, "se": num, "t": num, "p": num, "ci_low": num, "ci_high": num,
             "vif": (num, type(None)), "importance": (num, type(None))}
check([e["target"] for e in doc["equations"]] == ["nps", "revenue"], "equations nps and revenue, in dependency order")
check([e["method"] for e in doc["equations"]] == ["reml", "eiv"],
      "nps with precision weights is the random-effects meta-regression (reml); the survey's nps_se "
      "declares lag(nps, 4) measured with error: revenue is corrected (eiv) with no option written")
me_keys = {"term": str, "column": str, "se_column": str, "reliability": num, "error_variance": num}
for e in doc["equations"]:
    keys = dict(eq_keys)
    if e.get("method") == "reml":
        for k in ("f", "f_p", "loglik", "aic", "bic"):
            keys[k] = type(None)
        keys["tau2"] = num
        keys["tau2_se"] = num
    if e.get("method") == "eiv":
        for k in ("f", "f_p", "loglik", "aic", "bic"):
            keys[k] = type(None)
        keys["measurement_error"] = list
        keys["naive"] = list
        bad = [k for m in e.get("measurement_error", []) for k, t in me_keys.items() if not isinstance(m.get(k), t)]
        check(not bad and len(e.get("measurement_error", [])) > 0, f"{e.get('target')}: each term measured with error with its keys")
        names = [t["name"] for t in e["terms"]]
        check([n["name"] for n in e.get("naive", [])] == names and all(isinstance(n["coef"], num) and isinstance(n["se"], num) for n in e.get("naive", [])),
              f"{e.get('target')}: the naive estimates, one per term in term order")
    missing = [k for k, t in keys.items() if not isinstance(e.get(k), t)]
    check(not missing, f"{e.get('target')}: every equation key with its type" + (f" (missing or wrong: {missing})" if missing else ""))
    bad = [(t.get("name"), k) for t in e["terms"] for k, ty in term_keys.items() if not isinstance(t.get(k), ty)]
    check(not bad, f"{e.get('target')}: every term key with its type" + (f" ({bad[:3]})" if bad else ""))
    check(e["terms"][0]["name"] == "(Intercept)", f"{e['target']}: the intercept is the term named (Intercept)")
    p = len(e["terms"])
    check(len(e["covariance"]) == p and all(len(r) == p for r in e["covariance"]),
          f"{e['target']}: covariance is {p} x {p} in term order")
    check(all(abs(e["covariance"][j][j] - e["terms"][j]["se"] ** 2) <= 1e-12 * max(1.0, e["terms"][j]["se"] ** 2) for j in range(p)),
          f"{e['target']}: the covariance diagonal is the squared standard errors")
    check(all(set(r) == {"min", "max", "mean"} for r in e["ranges"].values()) and e["target"] in e["ranges"],
          f"{e['target']}: ranges per input column with min, max and mean")
wdoc = json.load(open(written, encoding="utf-8"))
wdoc["provenance"].pop("fitted_at"); doc["provenance"].pop("fitted_at")
check(wdoc == doc, "the file written with -o is the document printed with --json")
hashes = {i["file"]: i["sha256"] for i in doc["provenance"]["inputs"]}
ok = True
for f in ["logistics", "service", "web", "finance", "hr", "responses"]:
    path = os.path.join(samples, f + ".csv")
    ok &= hashes.get(path) == hashlib.sha256(open(path, "rb").read()).hexdigest()
check(ok and len(hashes) == 7, "provenance lists the six data files and the spec with their SHA-256")
sys.exit(1 if fails else 0)
PY
