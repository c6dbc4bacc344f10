#!/bin/sh
# t52-fit-sha256.sh - the SHA-256 that `cxcase fit --json` (and -o) records in
# "provenance" for its data file is the file's, as coreutils' sha256sum
# computes it: on a small sample export (the fit reads it on one thread) and
# on a generated file of 10 MB (8 MB or more: pass 1 reads its two halves on
# two threads while another thread hashes it).  A fit that fails on such a
# file reports the same error, with the same exit status, with --json as
# without it, and a missing file is still named.
# SPDX-License-Identifier: GPL-3.0-or-later
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

# recorded FILE.json: the sha256 of the first input in its provenance
recorded() {
    "$PYTHON" -c 'import json, sys; print(json.load(open(sys.argv[1]))["provenance"]["inputs"][0]["sha256"])' "$1"
}
# same_hash WHAT JSON DATA: the recorded hash against sha256sum's
same_hash() {
    got=$(recorded "$2" 2>"$tmp/py.err")
    want=$(sha256sum "$3" | cut -d ' ' -f 1)
    if [ -n "$want" ] && [ "$got" = "$want" ]; then
        ok "$1: provenance sha256 is sha256sum's ($want)"
    else
        not_ok "$1: provenance sha256 '$got', sha256sum '$want'"
        show "$tmp/py.err"
    fi
}

# ---- a small export, one reader ------------------------------------------
small=samples/web.csv
if "$CXCASE" fit "$small" -y conversion -x ctr,sessions --json >"$tmp/small.json" 2>"$tmp/err"; then
    same_hash "fit $small --json" "$tmp/small.json" "$small"
else
    not_ok "fit $small --json exits 0"
    show "$tmp/err"
fi

# ---- 10 MB: two halves on two threads, the hash on a third ---------------
big=$tmp/big.csv
awk 'BEGIN {
    print "y,a,b,c"
    for (i = 1; i <= 400000; i++) {
        a = (i * 7919) % 1000 / 10; b = (i * 104729) % 877 / 100; c = sin(i) * 50
        e = ((i * 2654435761) % 1000 - 500) / 250
        printf "%.4f,%.1f,%.2f,%.5f\n", 3 + 0.5 * a - 2 * b + 0.1 * c + e, a, b, c
    }
}' >"$big"
bytes=$(wc -c <"$big")
if [ "$bytes" -ge 8388608 ]; then
    ok "the generated file has $bytes bytes (8 MB or more: two threads)"
else
    not_ok "the generated file has $bytes bytes, fewer than 8 MB"
fi
if "$CXCASE" fit "$big" -y y -x a,b,c --json >"$tmp/big.json" 2>"$tmp/err"; then
    same_hash "fit big.csv --json" "$tmp/big.json" "$big"
else
    not_ok "fit big.csv --json exits 0"
    show "$tmp/err"
fi
if "$CXCASE" fit "$big" -y y -x a,b,c -o "$tmp/big-o.json" >"$tmp/out" 2>"$tmp/err"; then
    same_hash "fit big.csv -o FILE" "$tmp/big-o.json" "$big"
else
    not_ok "fit big.csv -o FILE exits 0"
    show "$tmp/err"
fi

# ---- failures are reported as before ---------------------------------------
bad=$tmp/bad.csv
{ head -n 3 "$big"; echo "1.5,x7,2.0,3.0"; tail -n +4 "$big"; } >"$bad"
"$CXCASE" fit "$bad" -y y -x a,b,c >/dev/null 2>"$tmp/err.summary"
rc1=$?
"$CXCASE" fit "$bad" -y y -x a,b,c --json >"$tmp/out" 2>"$tmp/err.json"
rc2=$?
if [ "$rc1" -eq 65 ] && [ "$rc2" -eq 65 ] && cmp -s "$tmp/err.summary" "$tmp/err.json" && [ ! -s "$tmp/out" ] &&
    grep -q 'bad.csv:4:5: error: ' "$tmp/err.json"; then
    ok "a bad cell at line 4 of a 10 MB file: the same error and exit 65 with --json"
else
    not_ok "a bad cell at line 4: exit $rc1 and $rc2 (65 expected), the same message expected"
    show "$tmp/err.summary"
    show "$tmp/err.json"
fi
"$CXCASE" fit "$tmp/missing.csv" -y y -x a --json >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" -eq 66 ] && grep -q "missing.csv: error: cannot open" "$tmp/err" && [ ! -s "$tmp/out" ]; then
    ok "a missing file with --json: named, exit 66"
else
    not_ok "a missing file with --json: exit $rc (66 expected)"
    show "$tmp/err"
fi
exit "$failed"
