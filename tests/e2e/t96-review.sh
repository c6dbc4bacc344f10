#!/bin/sh
# t96-review.sh - `cxcase review` (README "cxcase review") on worlds with
# known truth (tests/e2e/review_truth.py): over 40 seeds of four worlds
# ((a) 60% delivery in 8 of 12 regions, (b) a shifted response, (c) a level
# drift, (d) nothing) the parts of the gap add up to it to 1e-9, each part
# of NPS and of revenue is unbiased and its 95% interval covers the truth,
# the injected cause is not attributed to another part, the DiD recovers
# the delivered share, and under (d) about 5% of reviews flag a significant
# gap with uniform PIT values.  Then on one world: the same ledger and data give byte-identical
# JSON, --record appends a "review" record to a ledger that still verifies,
# and bad input gets its message and exit status.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"
export SOURCE_DATE_EPOCH=1774915200

n=${REVIEW_SEEDS:-40}
sanitized && n=$STUDY_SMOKE
if ! "$PYTHON" tests/e2e/review_truth.py "$CXCASE" "$n"; then
    failed=1
fi

w=$tmp/w
"$PYTHON" tests/e2e/review_truth.py gen "$CXCASE" 7 "$w" || exit 1
L=$w/cases.jsonl
review() { "$CXCASE" review "$L" "$w/quarter-a.csv" --realised "$w/realised.json" "$@"; }

if review --json >"$tmp/r1.json" 2>"$tmp/err" && review --json >"$tmp/r2.json" 2>>"$tmp/err" &&
    cmp -s "$tmp/r1.json" "$tmp/r2.json"; then
    ok "the same ledger and data give byte-identical review JSON ($(wc -c <"$tmp/r1.json") bytes)"
else
    not_ok "review JSON on a rerun"
    show "$tmp/err"
fi

if review --record >"$tmp/out" 2>"$tmp/err" && grep -q "Recorded as review 2 of" "$tmp/out" &&
    "$CXCASE" ledger verify "$L" >"$tmp/v" 2>&1 && grep -q "2 records, the chain verifies" "$tmp/v" &&
    "$PYTHON" - "$L" "$tmp/r1.json" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
rec, want = json.loads(lines[1]), json.load(open(sys.argv[2]))
body = {k: v for k, v in rec.items() if k not in ("seq", "kind", "created_at", "tool", "prev", "sha256")}
sys.exit(0 if rec["kind"] == "review" and rec["seq"] == 2 and body == want else 1)
PY
then
    ok "--record appends the review as record 2, kind \"review\", and the ledger verifies"
else
    not_ok "--record"
    show "$tmp/out"
    show "$tmp/err"
fi

# a review of the review record's ledger still finds the case (the last case, not the last record)
if review --json >"$tmp/r3.json" 2>"$tmp/err" && cmp -s "$tmp/r1.json" "$tmp/r3.json"; then
    ok "after a review record the last case is still the one reviewed, with the same result"
else
    not_ok "review after --record"
    show "$tmp/err"
fi

# a frozen model with a log, a square and an interaction (and log(conversion)
# beside lag(nps, 4) for revenue): the parts still add up to the gap
wn=$tmp/wn
"$PYTHON" tests/e2e/review_truth.py gen "$CXCASE" 11 "$wn" nonlinear || exit 1
for world in a d; do
    extra=""
    [ "$world" = a ] && extra="--realised $wn/realised.json"
    # shellcheck disable=SC2086
    "$CXCASE" review "$wn/cases.jsonl" "$wn/quarter-$world.csv" $extra --json >"$tmp/nl.json" 2>"$tmp/err"
    if "$PYTHON" - "$tmp/nl.json" "$world" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = True
for t in r["targets"]:
    s = sum(p["value"] if p["value"] is not None else 0 for p in t["parts"])
    if sys.argv[2] == "d":  # execution not separable: its share is in the drift
        ok &= t["parts"][0]["value"] is None
    gap = t["actual"] - t["plan"]
    rel_gap = abs(t["plan"] + s - t["actual"]) / max(1.0, abs(gap))
    rel_fig = abs(t["plan"] + s - t["actual"]) / max(1.0, abs(t["actual"]))
    print("# %s: gap %.6g, parts %s, |sum - gap| %.2g of the gap, %.2g of the figure"
          % (t["target"], gap, ", ".join("%.6g" % (p["value"] or 0) for p in t["parts"]), rel_gap, rel_fig))
    ok &= rel_gap <= 1e-9 and rel_fig <= 1e-12
sys.exit(0 if ok else 1)
PY
    then
        ok "log, square and interaction, world ($world): the four parts add up to the gap to 1e-9 of it (NPS and revenue)"
    else
        not_ok "log, square and interaction, world ($world)"
        show "$tmp/err"
    fi
done

# kill -9 during --record: the ledger verifies with the old or the new number of records
cp "$L" "$tmp/k.jsonl"
before=$(wc -l <"$tmp/k.jsonl")
first=$before
bad=0
for d in 0.05 0.09 0.11 0.12 0.13 0.14 0.15 0.17 0.2 0.3; do
    "$CXCASE" review "$tmp/k.jsonl" "$w/quarter-a.csv" --record >/dev/null 2>&1 &
    pid=$!
    sleep "$d"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    n=$("$CXCASE" ledger verify "$tmp/k.jsonl" 2>&1 | sed -n 's/.*: \([0-9]*\) records\{0,1\}, the chain verifies/\1/p')
    if [ -z "$n" ] || [ "$n" -lt "$before" ] || [ "$n" -gt $((before + 1)) ]; then
        bad=1
    fi
    before=${n:-$before}
done
# (a run killed while writing may leave its temporary file beside the
# ledger: kill -9 cannot be cleaned up after; the ledger is what counts)
if [ "$bad" -eq 0 ]; then
    ok "kill -9 during review --record (10 times, 50-300 ms in) leaves a ledger that verifies each time with the old or one more record ($first to $before records)"
else
    not_ok "kill -9 during review --record left a ledger that does not verify (last count ${n:-none}, before $before)"
    "$CXCASE" ledger verify "$tmp/k.jsonl" 2>&1 | show /dev/stdin
fi

# the model shift: the refit and the Chow predictive-failure test against numpy's least squares
"$CXCASE" review "$L" "$w/quarter-b.csv" --realised "$w/realised.json" --json >"$tmp/shift.json" 2>"$tmp/err"
if "$PYTHON" - "$w/quarter-b.csv" "$tmp/shift.json" <<'PY'
import csv, json, sys
import numpy as np
from scipy import stats
rows = list(csv.DictReader(open(sys.argv[1])))
ms = json.load(open(sys.argv[2]))["model_shift"]
regions = sorted({r["region"] for r in rows})
def fit(sel):
    X = np.array([[1.0, float(r["delivery_days"]), float(r["conversion"])] +
                  [1.0 if r["region"] == g else 0.0 for g in regions[1:]] for r in sel])
    y = np.array([float(r["nps"]) for r in sel])
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    return b, float(((y - X @ b) ** 2).sum()), len(y), X.shape[1]
b1, r1, n1, k = fit([r for r in rows if not r["week"].startswith("2026")])
b, r, n, _ = fit(rows)
F = ((r - r1) / (n - n1)) / (r1 / (n1 - k))
p = stats.f.sf(F, n - n1, n1 - k)
e = ms["equations"][0]
got = e["chow"]
refit = {c["term"]: c["refit"] for c in e["coefficients"]}
ok = (abs(got["F"] - F) <= 1e-9 * F and abs(got["p"] - p) <= 1e-9 and got["df1"] == n - n1 and got["df2"] == n1 - k
      and abs(refit["delivery_days"] - b[1]) <= 1e-9 * abs(b[1]))
z = next(c["z"] for c in e["coefficients"] if c["term"] == "delivery_days")
print("# nps: Chow F %.6f (numpy %.6f), df %d/%d, p %.3g (scipy %.3g); delivery_days frozen %.3f, refit %.3f "
      "(numpy %.3f), z %.2f" % (got["F"], F, got["df1"], got["df2"], got["p"], p,
      next(c["frozen"] for c in e["coefficients"] if c["term"] == "delivery_days"), refit["delivery_days"], b[1], z))
sys.exit(0 if ok and z < -3 else 1)
PY
then
    ok "model shift, world (b): the refit and the Chow predictive-failure F and p equal numpy/scipy; the shifted response gives z < -3"
else
    not_ok "model shift"
    show "$tmp/err"
fi

# the track record: 8 cases in one ledger, each reviewed and recorded; the
# last review's track record against numpy/scipy on the ledger's records
T=$tmp/track.jsonl
for s in 21 22 23 24 25 26 27 28; do
    "$PYTHON" tests/e2e/review_truth.py gen "$CXCASE" "$s" "$tmp/t$s" >/dev/null || exit 1
    "$CXCASE" simulate "$tmp/t$s/scenario.json" --record "$T" >/dev/null 2>&1 &&
        "$CXCASE" review "$T" "$tmp/t$s/quarter-d.csv" --record >/dev/null 2>"$tmp/err" || { show "$tmp/err"; exit 1; }
done
"$CXCASE" review "$T" "$tmp/t28/quarter-d.csv" --json >"$tmp/track.json" 2>"$tmp/err"
if "$PYTHON" - "$T" "$tmp/track.json" <<'PY'
import json, math, sys
import numpy as np
from scipy import stats
recs = [json.loads(l) for l in open(sys.argv[1])]
cur = json.load(open(sys.argv[2]))
ok = True
for tr in cur["track_record"]:
    rows = [next(t for t in r["targets"] if t["target"] == tr["target"]) for r in recs if r["kind"] == "review"]
    ea = [t["forecast"]["ex_ante"] for t in rows]
    nv = [t["forecast"]["naive"] for t in rows]
    n = len(rows)
    k95 = sum(e["in95"] for e in ea)
    z = 1.959963984540054
    p = k95 / n
    c = (p + z * z / (2 * n)) / (1 + z * z / n)
    h = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    d = np.array([e["crps"] - v["crps"] for e, v in zip(ea, nv)])
    dm = d.mean() / math.sqrt(((d - d.mean()) ** 2).mean() / n) * math.sqrt((n - 1) / n)
    pv = 2 * stats.t.sf(abs(dm), n - 1)
    got = tr["diebold_mariano"]
    hist = np.histogram([e["pit"] for e in ea], bins=10, range=(0, 1))[0].tolist()
    good = (tr["reviews"] == n == 8 and tr["coverage95"]["hits"] == k95 and
            abs(tr["coverage95"]["wilson_low"] - max(0, c - h)) < 1e-12 and
            abs(tr["mean_crps"] - np.mean([e["crps"] for e in ea])) < 1e-9 * abs(tr["mean_crps"]) and
            got is not None and abs(got["statistic_hln"] - dm) < 1e-9 * abs(dm) and abs(got["p"] - pv) < 1e-9 and
            tr["pit_histogram"] == hist)
    print("# %s: %d reviews, 95%% band %d hits (Wilson %.3f-%.3f), mean CRPS %.4g (naive %.4g, skill %.3f), "
          "DM-HLN %.3f p %.3f (scipy %.3f p %.3f)" % (tr["target"], n, k95, tr["coverage95"]["wilson_low"],
          tr["coverage95"]["wilson_high"], tr["mean_crps"], tr["mean_crps_naive"], tr["crps_skill"],
          got["statistic_hln"] if got else float("nan"), got["p"] if got else float("nan"), dm, pv))
    ok &= good
sys.exit(0 if ok else 1)
PY
then
    ok "track record over 8 reviewed cases: coverage with Wilson intervals, mean CRPS, PIT histogram and the DM test (HLN) equal numpy/scipy on the ledger's review records"
else
    not_ok "track record"
    show "$tmp/err"
fi

# the review workbook: LibreOffice recalculates every formula to its stored value
. "$TOP/tests/e2e/lo_recalc.sh"
if ! review -o "$tmp/review.xlsx" >/dev/null 2>"$tmp/err"; then
    not_ok "review -o writes the review workbook"
    show "$tmp/err"
elif lo_skip "the review workbook recalculated: every formula to its stored value, the check rows 0"; then
    :
elif command -v "$SOFFICE" >/dev/null 2>&1; then
    lo_recalc "$tmp/review.xlsx" "$tmp/lo"
    if "$PYTHON" - "$tmp/review.xlsx" "$tmp/lo/review.xlsx" <<'PY'
import sys
import openpyxl
f = openpyxl.load_workbook(sys.argv[1])
cached = openpyxl.load_workbook(sys.argv[1], data_only=True)
lo = openpyxl.load_workbook(sys.argv[2], data_only=True)
n, worst, bad, checks = 0, 0.0, [], []
for ws in f.worksheets:
    for row in ws.iter_rows():
        for cell in row:
            if cell.data_type != "f":
                continue
            n += 1
            a, b = cached[ws.title][cell.coordinate].value, lo[ws.title][cell.coordinate].value
            if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
                bad.append(f"{ws.title}!{cell.coordinate}: {a!r} / {b!r}")
                continue
            left = ws.cell(cell.row, 1).value
            is_check = isinstance(left, str) and left.startswith("Check")
            # a check row is a difference of the figures: measured against them
            scale = max(1.0, abs(a), abs(lo[ws.title].cell(cell.row - 2, 2).value) if is_check else 0.0)
            d = abs(a - b) / scale
            worst = max(worst, d)
            if d > 1e-9:
                bad.append(f"{ws.title}!{cell.coordinate} {cell.value}: stored {a}, LibreOffice {b}")
            if is_check:
                checks.append(abs(b) / max(1.0, abs(lo[ws.title].cell(cell.row - 2, 2).value)))
print("# %d formulas, worst relative difference %.2g; check rows %s" % (n, worst, checks))
for x in bad[:5]:
    print("#   " + x)
sys.exit(0 if not bad and n >= 30 and len(checks) == 5 and max(checks) <= 1e-12 else 1)
PY
    then
        ok "review workbook: LibreOffice recalculates every formula to its stored value (1e-9), the check rows (2 waterfalls, 3 on Finance) are 0"
    else
        not_ok "review workbook recalculation"
        show "$tmp/err"
    fi
else
    echo "# skipped: no LibreOffice ($SOFFICE) for the review workbook's recalculation"
fi

# check WHAT WANT_RC WANT_STDERR COMMAND...
check() {
    what=$1 want_rc=$2 want=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq "$want_rc" ] && [ "$(cat "$tmp/err")" = "$want" ] && [ ! -s "$tmp/out" ]; then
        ok "$what (exit $rc)"
    else
        not_ok "$what: exit $rc, expected $want_rc"
        echo "#   expected: $want"
        echo "#   actual:"
        show "$tmp/err"
    fi
}
check "a quarter outside the case's horizon" 64 \
    "error: 2027Q1 is not in case 1's horizon (4 quarters from 2026Q1)" \
    review --quarter 2027Q1
check "a record that is not a case" 64 "$L:2: error: record 2 is not a case (see its \"kind\")" \
    review --case 2
check "data that end before the horizon" 65 \
    "error: the data end before the case's first quarter, 2026Q1: give the exports up to the end of the quarter to review" \
    "$CXCASE" review "$L" "$w/history.csv"
printf '{"initiatives": [{"id": "next_day", "units": {"R99": "2026Q1"}}]}' >"$tmp/bad.json"
check "a realised rollout naming an unknown unit" 65 \
    "$tmp/bad.json: /initiatives/0/units/R99: error: case 1 has no unit 'R99'" \
    "$CXCASE" review "$L" "$w/quarter-a.csv" --realised "$tmp/bad.json"
cp "$L" "$tmp/flip.jsonl"
"$PYTHON" -c "
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[200] ^= 1; open(p, 'wb').write(b)" "$tmp/flip.jsonl"
"$CXCASE" review "$tmp/flip.jsonl" "$w/quarter-a.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 65 ] && grep -q "record 1" "$tmp/err"; then
    ok "a ledger with a flipped byte is refused with its record named (exit 65)"
else
    not_ok "flipped ledger: exit $rc"
    show "$tmp/err"
fi
exit "$failed"
