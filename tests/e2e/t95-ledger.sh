#!/bin/sh
# t95-ledger.sh - the ledger of approved cases (README "The ledger"):
# `cxcase simulate --record` appends a case record whose "prev" is the
# SHA-256 of the line before it (checked here with sha256sum) and whose own
# "sha256" is that of the line without it; the scenario's and the inputs'
# hashes are sha256sum's; the same inputs, seed and SOURCE_DATE_EPOCH give
# the same bytes; `cxcase ledger verify` names the first bad record of a
# ledger with a flipped byte, a cut last line or a removed record (exit 65),
# and --record refuses such a ledger and leaves it as it was, as it does
# when the folder cannot be written (exit 73); `kill -9` during --record
# leaves a ledger that verifies with the old or the new number of records,
# also on a 100 MB ledger whose copy and sync take long enough to be hit.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

scen=samples/scenario.json
L=$tmp/cases.jsonl
export SOURCE_DATE_EPOCH=1774915200   # 2026-03-31T00:00:00Z

# check WHAT WANT_RC WANT_STDERR_FILE COMMAND...: exit status and stderr
check() {
    what=$1 want_rc=$2 want=$3
    shift 3
    "$@" >"$tmp/out" 2>"$tmp/err.all"
    rc=$?
    # without the coverage runtime's own lines (make coverage): run as
    # nobody, cxcase cannot write the counters, and libgcov says so on stderr
    grep -v '^profiling:.*\.gcda:' "$tmp/err.all" >"$tmp/err"
    if [ "$rc" -eq "$want_rc" ] && cmp -s "$tmp/err" "$want"; then
        ok "$what (exit $rc)"
    else
        not_ok "$what: exit $rc, expected $want_rc"
        echo "#   expected stderr:"
        show "$want"
        echo "#   actual stderr:"
        show "$tmp/err"
    fi
}
# a field of record LINE of a ledger, by a Python expression on the record d
field() { # $1 ledger, $2 line, $3 expression
    "$PYTHON" -c 'import json, sys
d = json.loads(open(sys.argv[1], "rb").read().split(b"\n")[int(sys.argv[2]) - 1])
print(eval(sys.argv[3]))' "$1" "$2" "$3"
}

# ---- two records chain ------------------------------------------------------
: >"$tmp/none"
check "the first case is recorded" 0 "$tmp/none" "$CXCASE" simulate $scen --draws 500 --record "$L"
SOURCE_DATE_EPOCH=1782864000 check "the second case is recorded" 0 "$tmp/none" \
    "$CXCASE" simulate $scen --draws 500 --seed 7 --record "$L"
n=$(wc -l <"$L")
[ "$n" -eq 2 ] && ok "the ledger has two lines" || not_ok "the ledger has $n lines, expected 2"
"$CXCASE" ledger verify "$L" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/out")" = "$L: 2 records, the chain verifies" ] && [ ! -s "$tmp/err" ]; then
    ok "ledger verify: 2 records, the chain verifies"
else
    not_ok "ledger verify: exit $rc"
    show "$tmp/out"
    show "$tmp/err"
fi
h1=$(sed -n 1p "$L" | tr -d '\n' | sha256sum | cut -d ' ' -f 1)
p2=$(field "$L" 2 'd["prev"]')
[ "$p2" = "$h1" ] && ok "record 2's prev is sha256sum of line 1 ($h1)" ||
    not_ok "record 2's prev is '$p2', sha256sum of line 1 is '$h1'"
p1=$(field "$L" 1 'd["prev"]')
[ "$p1" = None ] && ok "record 1's prev is null" || not_ok "record 1's prev is '$p1'"
for i in 1 2; do
    # the record's own digest: the line without its last member ,"sha256":"..."
    own=$(sed -n "${i}p" "$L" | sed 's/,"sha256":"[0-9a-f]*"}$/}/' | tr -d '\n' | sha256sum | cut -d ' ' -f 1)
    got=$(field "$L" $i 'd["sha256"]')
    [ "$own" = "$got" ] && ok "record $i's own sha256 is sha256sum of the line without it" ||
        not_ok "record $i's sha256 '$got', sha256sum '$own'"
done
got=$(field "$L" 1 '(d["seq"], d["kind"], d["created_at"], d["tool"], list(d)[:5], list(d)[-1])')
want="(1, 'case', '2026-03-31T00:00:00Z', 'cxcase 0.1.0', ['seq', 'kind', 'created_at', 'tool', 'prev'], 'sha256')"
[ "$got" = "$want" ] && ok "record 1 opens with seq, kind, created_at, tool, prev" || not_ok "record 1: $got"
got=$(field "$L" 2 '(d["seq"], d["created_at"], d["forecast"]["seed"], d["forecast"]["draws"])')
[ "$got" = "(2, '2026-07-01T00:00:00Z', 7, 500)" ] && ok "record 2: seq 2, its own time, seed and draws" ||
    not_ok "record 2: $got"

# ---- what a case holds -----------------------------------------------------
want=$(sha256sum $scen | cut -d ' ' -f 1)
got=$(field "$L" 1 'd["scenario"]["sha256"]')
[ "$got" = "$want" ] && ok "the scenario's sha256 is sha256sum's" || not_ok "scenario sha256 '$got', sha256sum '$want'"
"$PYTHON" -c 'import json, sys
d = json.loads(open(sys.argv[1]).readline())
sys.exit(d["scenario"]["content"] != open(sys.argv[2]).read())' "$L" $scen &&
    ok "the scenario's content is the file's, byte for byte" || not_ok "the scenario's content differs from the file"
want=$(sha256sum models/cx_chain.json | cut -d ' ' -f 1)
got=$(field "$L" 1 'd["model"]["sha256"]')
[ "$got" = "$want" ] && ok "the model spec's sha256 is sha256sum's" || not_ok "spec sha256 '$got', sha256sum '$want'"
for f in logistics service web finance hr responses; do
    want=$(sha256sum samples/$f.csv | cut -d ' ' -f 1)
    got=$(field "$L" 1 '[(x["sha256"], x["first"], x["last"]) for x in d["inputs"] if x["file"].endswith("/'$f'.csv")][0]')
    case $f in responses) span="'2023-01-02', '2025-12-28'" ;; *) span="'2023-W01', '2025-W52'" ;; esac
    [ "$got" = "('$want', $span)" ] && ok "input $f.csv: sha256sum's hash, periods $span" ||
        not_ok "input $f.csv: $got, expected ('$want', $span)"
done
got=$(field "$L" 1 '[(e["target"], e["method"], len(e["coef"]) == len(e["terms"]) == len(e["covariance"]), "tau2" in e, "measurement_error" in e) for e in d["model"]["equations"]]')
want="[('nps', 'reml', True, True, False), ('revenue', 'eiv', True, False, True)]"
[ "$got" = "$want" ] && ok "the model: coefficients, covariance, tau2 (nps) and measurement error (revenue)" ||
    not_ok "the model's equations: $got"
got=$(field "$L" 1 '(len(d["units"]), sorted(d["baseline"]) == sorted(set(d["baseline"])), len(d["baseline"]["delivery_days"]), [(p["initiative"], p["metric"], p["delta"][:3]) for p in d["plan"]][0], len(d["forecast"]["scenarios"]), len(d["forecast"]["scenarios"][0]["quarters"]))')
want="(12, True, 12, ('next_day', 'delivery_days', [0, -0.3, -0.6]), 3, 12)"
[ "$got" = "$want" ] && ok "units, baselines per unit, the planned changes and 12 forecast quarters" ||
    not_ok "units, baselines, plan, forecast: $got, expected $want"

# ---- the same inputs, seed and time give the same bytes --------------------
"$CXCASE" simulate $scen --draws 500 --record "$tmp/a.jsonl" >/dev/null 2>&1
"$CXCASE" simulate $scen --draws 500 --threads 1 --record "$tmp/b.jsonl" >/dev/null 2>&1
if [ -s "$tmp/a.jsonl" ] && cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" && sed -n 1p "$L" | cmp -s - "$tmp/a.jsonl"; then
    ok "the same inputs, seed and SOURCE_DATE_EPOCH give byte-identical records"
else
    not_ok "records of the same inputs differ"
fi

# ---- a changed byte is named -----------------------------------------------
len1=$(sed -n 1p "$L" | wc -c)
total=$(wc -c <"$L")
# flip POS: a copy of the ledger with byte POS (0-based) xor 1
flip() {
    "$PYTHON" -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[int(sys.argv[2])] ^= 1
open(sys.argv[3], "wb").write(b)' "$L" "$1" "$tmp/bad.jsonl"
}
for pos in 0 8 30 500 $((len1 / 2)) $((len1 - 3)) $((len1 - 1)) $((len1 + 60)) $((len1 + 5000)) \
    $((total - 40)) $((total - 2)); do
    flip $pos
    if [ $pos -lt "$len1" ]; then rec=1; else rec=2; fi
    "$CXCASE" ledger verify "$tmp/bad.jsonl" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" -eq 65 ] && grep -q "^$tmp/bad.jsonl:$rec: error: record $rec " "$tmp/err" && [ ! -s "$tmp/out" ]; then
        ok "a flipped byte at $pos is named as record $rec (exit 65)"
    else
        not_ok "a flipped byte at $pos: exit $rc, expected 65 and record $rec"
        show "$tmp/err"
    fi
done
flip 500
echo "$tmp/bad.jsonl:1: error: record 1 was changed: its content does not match its \"sha256\"" >"$tmp/want"
check "the message of a changed record" 65 "$tmp/want" "$CXCASE" ledger verify "$tmp/bad.jsonl"
cp "$tmp/bad.jsonl" "$tmp/bad.before"
check "--record refuses a ledger that does not verify" 65 "$tmp/want" \
    "$CXCASE" simulate $scen --draws 500 --record "$tmp/bad.jsonl"
cmp -s "$tmp/bad.jsonl" "$tmp/bad.before" && ok "the refused ledger is unchanged" || not_ok "the refused ledger changed"
[ -z "$(find "$tmp" -name '*.tmp.*')" ] && ok "no temporary file is left" || not_ok "a temporary file is left"

# a cut last line, with or without its last bytes
head -c $((total - 1)) "$L" >"$tmp/cut.jsonl"
echo "$tmp/cut.jsonl:2: error: record 2 is incomplete: its line has no end (a write was cut short)" >"$tmp/want"
check "a last line without its newline" 65 "$tmp/want" "$CXCASE" ledger verify "$tmp/cut.jsonl"
head -c $((len1 + 1000)) "$L" >"$tmp/cut.jsonl"
check "a last line cut in the middle" 65 "$tmp/want" "$CXCASE" ledger verify "$tmp/cut.jsonl"
# a removed first record
sed 1d "$L" >"$tmp/gap.jsonl"
echo "$tmp/gap.jsonl:1: error: record 1: expected \"seq\": 1" >"$tmp/want"
check "a removed record" 65 "$tmp/want" "$CXCASE" ledger verify "$tmp/gap.jsonl"
# records swapped: each is intact, the chain is not
{ sed -n 1p "$L"; sed -n 1p "$L"; } >"$tmp/dup.jsonl"
echo "$tmp/dup.jsonl:2: error: record 2: expected \"seq\": 2" >"$tmp/want"
check "a repeated record" 65 "$tmp/want" "$CXCASE" ledger verify "$tmp/dup.jsonl"
echo "$tmp/missing.jsonl: error: cannot open the ledger: No such file or directory" >"$tmp/want"
check "a missing ledger" 66 "$tmp/want" "$CXCASE" ledger verify "$tmp/missing.jsonl"
echo "cxcase ledger: error: expected 'verify'; see 'cxcase ledger --help'" >"$tmp/want"
check "ledger without an action" 64 "$tmp/want" "$CXCASE" ledger

# ---- a folder that cannot be written ----------------------------------------
mkdir "$tmp/ro"
cp "$L" "$tmp/ro/cases.jsonl"
chmod 755 "$tmp"
chmod 555 "$tmp/ro"
as_user="" # root writes anywhere: run as nobody then
if [ "$(id -u)" -eq 0 ]; then as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"; fi
echo "$tmp/ro/cases.jsonl: error: cannot create the new ledger beside it: Permission denied" >"$tmp/want"
# shellcheck disable=SC2086 # the words of the prefix
check "--record in a folder that cannot be written" 73 "$tmp/want" \
    $as_user "$CXCASE" simulate $scen --draws 500 --record "$tmp/ro/cases.jsonl"
cmp -s "$L" "$tmp/ro/cases.jsonl" && ok "the ledger in it is unchanged" || not_ok "the ledger in it changed"
chmod 755 "$tmp/ro"

# ---- kill -9 during --record ------------------------------------------------
cp "$L" "$tmp/k.jsonl"
# A run's span is measured here (an unkilled run, one more record), then
# each sweep kills runs at fractions of it, more of them near the end,
# where the record is written, synced and renamed.  Under the sanitizers
# one moment of each sweep, near the end: the sweep is about the file
# system's atomic rename, which the plain pass checks at every moment.
fractions="0.1 0.4 0.7 0.85 0.95 1 1.05"
sanitized && fractions="0.9"
span() { # $1 start, from date +%s.%N
    echo "$1 $(date +%s.%N)" | awk '{ printf "%.2f", $2 - $1 }'
}
at() { # $1 span, $2 fraction: the moment, in seconds
    echo "$1 $2" | awk '{ printf "%.2f", $1 * $2 }'
}
# kill_sweep LEDGER WHAT DRAWS: the ledger verifies after each kill, with
# the records it had or one more
kill_sweep() {
    t0=$(date +%s.%N)
    "$CXCASE" simulate $scen --draws "$3" --record "$1" >/dev/null 2>&1
    s=$(span "$t0")
    for f in $fractions; do
        delay=$(at "$s" "$f")
        before=$(wc -l <"$1")
        "$CXCASE" simulate $scen --draws "$3" --record "$1" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 $pid 2>/dev/null
        wait $pid 2>/dev/null
        after=$(wc -l <"$1")
        if "$CXCASE" ledger verify "$1" >/dev/null 2>"$tmp/err" &&
            { [ "$after" -eq "$before" ] || [ "$after" -eq $((before + 1)) ]; }; then
            ok "kill -9 after ${delay}s of a ${s}s run$2: the ledger verifies with $after records (had $before)"
        else
            not_ok "kill -9 after ${delay}s of a ${s}s run$2: $after records (had $before)"
            show "$tmp/err"
        fi
        rm -f "$1".tmp.*
    done
}
kill_sweep "$tmp/k.jsonl" "" 200000
# A ledger of 20,000 records of 5 kB written here by Python (the format of
# ledger.c, checked independently): verifying and copying its 100 MB takes
# long enough for kill -9 to land in the reading, the copy and the sync too.
"$PYTHON" - "$tmp/big.jsonl" <<'PY'
import hashlib, sys
prev = None
with open(sys.argv[1], "w") as f:
    for i in range(1, 20001):
        body = '{"seq":%d,"kind":"case","created_at":"2026-01-01T00:00:00Z","tool":"cxcase 0.1.0","prev":%s,"pad":"%s"}' % (
            i, "null" if prev is None else '"%s"' % prev, "x" * 5000)
        line = body[:-1] + ',"sha256":"%s"}' % hashlib.sha256(body.encode()).hexdigest()
        prev = hashlib.sha256(line.encode()).hexdigest()
        f.write(line + "\n")
PY
"$CXCASE" ledger verify "$tmp/big.jsonl" >"$tmp/out" 2>"$tmp/err" &&
    ok "a ledger written by Python to the documented format verifies" || { not_ok "the Python ledger"; show "$tmp/err"; }
# (under the sanitizers the small ledger's sweep alone: the same code, on a
# file the plain pass makes 100 MB)
if sanitized; then
    echo "skip - kill -9 during --record on a 100 MB ledger (checked in the plain pass)"
else
    kill_sweep "$tmp/big.jsonl" " on a 100 MB ledger" 200
fi
exit "$failed"
