#!/bin/sh
# t96-summary-text.sh - the Summary's words (issue 14): a corpus of
# scenario files built from the samples, each with its exact key message,
# the ranking's payback and IRR words, and the warnings it no longer needs:
#   - every scenario loses money (costs x 40): "No scenario pays back; the
#     least costly, "...", loses N", payback "after 2028Q4";
#   - no outlay (every cost 0): payback "immediately", IRR "n/a (no
#     outlay)", no payback or IRR warning on the page;
#   - the samples: "Everything" has an IRR above 100%: "> 100%" and its
#     exact rate in the cell's note and the key message;
#   - payback after the horizon (next-day delivery's costs x 6: "Delivery
#     first" reads "after 2028Q4", the best scenario is still named).
# The numbers in the messages are simulate's (--json of the same run).
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
. "$TOP/tests/cli/lib.sh"
S="$TOP/samples"
fails=0
for case in negative nooutlay samples late; do
    "$PYTHON" - "$S/scenario.json" "$tmp/$case.json" "$S" "$TOP/models/cx_chain.json" "$case" <<'PY'
import json, os, sys
src, dst, samples, model, case = sys.argv[1:6]
s = json.load(open(src))
for d in s["data"]:
    d["file"] = os.path.join(samples, d["file"])
s["model"] = model
s.pop("$schema", None)
s.pop("budget", None)
for it in s["initiatives"]:
    for c in it["costs"]:
        f = {"negative": 40, "nooutlay": 0, "samples": 1, "late": 6 if it["id"] == "next_day" else 1}[case]
        c["amount"] *= f
        u = c.get("uncertainty")
        if u and f == 0:
            c.pop("uncertainty")
        elif u:
            for k in ("min", "mode", "max"):
                if k in u:
                    u[k] *= f
if case == "nooutlay":
    s.pop("correlations", None)
json.dump(s, open(dst, "w"), indent=1)
PY
    if ! "$CXCASE" report "$tmp/$case.json" -o "$tmp/$case.xlsx" --json --draws 300 >"$tmp/$case.out" 2>"$tmp/err"; then
        not_ok "$case: cxcase report"; show "$tmp/err"; fails=1; continue
    fi
    "$PYTHON" - "$tmp/$case.xlsx" "$tmp/$case.out" "$case" <<'PY' || fails=1
import json, sys
import openpyxl
path, simp, case = sys.argv[1:4]
sim = json.load(open(simp))
wb = openpyxl.load_workbook(path, data_only=True)
ws = wb["Summary"]
def money(v):
    return f"{round(v):,}".replace("-0", "0") if round(v) != 0 else "0"
rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
text = [str(ws.cell(r, 1).value) for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value is not None]
key = text[text.index("Key messages") + 1]
best = max(sim["scenarios"], key=lambda s: s["npv"]["base"])
n = best["npv"]
last = best["quarters"][-1]["quarter"]
fails = 0
def check(cond, what):
    global fails
    print(("ok - " if cond else "not ok - ") + f"{case}: {what}")
    fails += not cond
    if not cond:
        print(f"#   key message: {key!r}")
if case == "negative":
    want = (f'- No scenario pays back; the least costly, "{best["name"]}", loses {money(-n["base"])} '
            f'(NPV between {money(n["p10"])} and {money(n["p90"])} in 8 of 10 draws).')
    check(key == want, f"every scenario negative: the key message is exactly {want!r}")
    check(all(ws.cell(rows[s["name"]], 6).value == f"after {last}" for s in sim["scenarios"]), f"payback reads 'after {last}'")
elif case == "nooutlay":
    want = (f'- "{best["name"]}" is worth most: NPV {money(n["base"])}, between {money(n["p10"])} and {money(n["p90"])} '
            f'in 8 of 10 draws. It is cash-positive from its first quarter and needs no outlay, so it has no IRR.')
    check(key == want, f"positive from day one, no outlay: the key message is exactly {want!r}")
    r = rows[best["name"]]
    check(ws.cell(r, 6).value == "immediately" and ws.cell(r, 5).value == "n/a (no outlay)",
          f"payback 'immediately', IRR 'n/a (no outlay)' ({ws.cell(r, 6).value!r}, {ws.cell(r, 5).value!r})")
    warn = [t for t in text if "payback is not within" in t or "never change sign" in t]
    check(not warn, f"no payback or IRR warning on the page ({warn[:1]})")
elif case == "samples":
    r = rows[best["name"]]
    note = openpyxl.load_workbook(path)["Summary"].cell(r, 5).comment
    want = (f'- "{best["name"]}" is worth most: NPV {money(n["base"])}, between {money(n["p10"])} and {money(n["p90"])} '
            f'in 8 of 10 draws. It pays back in {best["payback_quarter"]}. Its IRR is above 100% a year '
            f'({100 * best["irr"]:.0f}%): the outlay is small against the benefits.')
    check(best["irr"] > 1 and key == want, f"IRR above 100%: the key message is exactly {want!r}")
    check(ws.cell(r, 5).value == "> 100%" and note is not None and f"{100 * best['irr']:.1f}%" in note.text,
          f"the ranking shows '> 100%' with the exact rate in the cell's note ({note.text if note else None!r})")
elif case == "late":
    late = [x for x in sim["scenarios"] if x["payback_quarter"] is None and x["npv"]["base"] < 0]
    r = rows[late[0]["name"]] if late else None
    check(late and ws.cell(r, 6).value == f"after {last}",
          f"payback after the horizon: '{late[0]['name'] if late else '?'}' reads 'after {last}'")
    check(n["base"] > 0 and key.startswith(f'- "{best["name"]}" is worth most: NPV {money(n["base"])},'),
          "with one scenario late, the best one is still named worth most")
sys.exit(1 if fails else 0)
PY
done
exit $fails
