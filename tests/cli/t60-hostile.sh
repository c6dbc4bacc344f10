#!/bin/sh
# tests/cli/t60-hostile.sh - hostile inputs and outputs (issue 15): what an
# attacker who can write the output directory, a pipe, a device, a huge
# line or header, a full disk or a signal does to cxcase.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t60-hostile.sh
#
# Every check runs through the command line and compares the exact message
# and exit status.  Time limits here are generous bounds on complexity (a
# quadratic step takes minutes, a linear one well under a second), never
# benchmarks: they hold under the sanitizers too.
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
#
# shared between the sanitizer passes (tests/run.sh, E2E_SHARE): its sizes
# cost minutes under a sanitizer, and clang's sanitizers reach the same
# readers through the fuzz targets (tests/fuzz/)
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

# Run cxcase with a time limit; $rc is its exit status (124: killed at the limit).
run() { # $1 seconds, then the arguments
    limit=$1
    shift
    timeout -s KILL $((limit * HANG)) "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq 137 ] && rc=124
}
# Check the last run: exit status $2, stderr exactly $3 (a line).
expect() { # $1 what, $2 status, $3 stderr
    printf '%s\n' "$3" >"$tmp/exp"
    why=$(trouble "$rc" "$tmp/err")
    [ "$rc" -eq 124 ] && why="still running at the time limit"
    if [ -z "$why" ] && [ "$rc" -ne "$2" ]; then
        why="exit status $rc, expected $2"
    elif [ -z "$why" ] && ! cmp -s "$tmp/err" "$tmp/exp"; then
        why="stderr differs"
    fi
    if [ -z "$why" ]; then
        ok "$1"
    else
        not_ok "$1: $why"
        echo "#   expected (exit $2):"
        show "$tmp/exp"
        echo "#   actual (exit $rc):"
        show "$tmp/err"
    fi
}

# ---- 100,000 columns: the duplicate-name check and the column lookups are
# hashed (they compared every name with every other: 116 s) ---------------
"$PYTHON" - "$tmp/wide.csv" <<'PY'
import sys
n = 100000
with open(sys.argv[1], "w") as f:
    f.write(",".join(["week", "region", "score"] + ["c%06d" % i for i in range(n - 3)]) + "\n")
    for w in range(1, 7):
        for r in ("Utrecht", "Zeeland"):
            f.write(",".join(["2025-W%02d" % w, r, str(w + (r == "Zeeland"))] +
                             [str((i * w) % 7) for i in range(n - 3)]) + "\n")
PY
for cmd in nps panel fit; do
    case $cmd in
    nps) set -- nps "$tmp/wide.csv" --by region,period ;;
    panel) set -- panel "$tmp/wide.csv" ;;
    fit) set -- fit "$tmp/wide.csv" -y score -x c000001,c000002 ;;
    esac
    start=$(date +%s.%N)
    run 20 "$@"
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    if [ "$rc" -eq 0 ] && [ -z "$(trouble "$rc" "$tmp/err")" ]; then
        ok "100,000 columns: $cmd reads them in $secs s"
    else
        not_ok "100,000 columns: $cmd: exit $rc after $secs s"
        show "$tmp/err"
    fi
done
# a duplicate among them is still found, at its column
sed '1s/,c099996$/,c000007/' "$tmp/wide.csv" >"$tmp/wide-dup.csv"
run 20 nps "$tmp/wide-dup.csv" --by region,period
expect "100,000 columns: the duplicate name at the last column is reported" 65 \
    "$tmp/wide-dup.csv:1:799987: error: expected unique column names, found 'c000007' again (first at column 75)"

# ---- devices are refused before they are opened; pipes are fine ---------
for args in "nps /dev/zero --by region" "panel /dev/zero" "fit /dev/zero -y a -x b" \
    "check /dev/zero" "simulate /dev/zero" "fit --merge /dev/zero"; do
    set -f
    # shellcheck disable=SC2086
    run 10 $args
    set +f
    expect "/dev/zero: $args refuses it at once" 66 \
        "/dev/zero: error: cannot open: a character device, not a file or a pipe"
done
run 10 fit --merge "$tmp"
expect "fit --merge of a directory: exit 66 as the other commands" 66 \
    "$tmp: error: cannot open: a directory, not a file"

# ---- a 2 GB line: an error at its line, within seconds, in bounded memory
# (a sparse file: no disk is used).  Peak memory by /usr/bin/time when it is
# there (Debian's `time`, which make test installs).
printf 'week,region,score\n' >"$tmp/long.csv"
truncate -s 2G "$tmp/long.csv"
peak() { # the peak resident memory of cxcase with the arguments, in MB, into $mb
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o "$tmp/rss" timeout -s KILL $((20 * HANG)) "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        mb=$(($(tail -n 1 "$tmp/rss" | tr -dc 0-9) / 1024))
    else
        run 20 "$@"
        mb=0
    fi
}
L="error: expected a line of at most 16 MiB (raise the limit with --max-line), found a longer one"
for cmd in nps panel fit; do
    case $cmd in
    nps) set -- nps "$tmp/long.csv" --by region ;;
    panel) set -- panel "$tmp/long.csv" ;;
    fit) set -- fit "$tmp/long.csv" -y score -x region ;;
    esac
    peak "$@"
    if [ "$mb" -lt 400 ]; then
        expect "a 2 GB line: $cmd stops at 16 MiB (peak $mb MB)" 65 "$tmp/long.csv:2:1: $L"
    else
        not_ok "a 2 GB line: $cmd used $mb MB"
    fi
done
# the same line through a pipe, and the limit raised
head -c 100000000 /dev/zero | tr '\0' a | timeout -s KILL $((20 * HANG)) "$CXCASE" nps - --by region >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "a 100 MB line through a pipe (nps -): an error at line 1" 65 "<stdin>:1:1: $L"
head -c 100000000 /dev/zero | tr '\0' a | timeout -s KILL $((20 * HANG)) "$CXCASE" fit - -y a -x b >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "a 100 MB line through a pipe (fit -): the copy stops at the limit" 65 "<stdin>:1:1: $L"
# a quote that is never closed makes one record of every line after it
# (18 MB; under the sanitizers 4.8 MB, still over the 4 MiB limit)
qlines=300000
sanitized && qlines=80000
{
    printf 'week,region,score\n2025-W01,"Utrecht,7\n'
    awk -v n="$qlines" 'BEGIN { for (i = 0; i < n; i++) print "2025-W01,Zeeland,7,some text to make the record long enough" }'
} >"$tmp/quote.csv"
run 20 nps "$tmp/quote.csv" --by region --max-line 4M
expect "an unclosed quote: the record stops at --max-line 4M" 65 \
    "$tmp/quote.csv:2:1: error: expected a record of at most 4 MiB (raise the limit with --max-line), found a longer one that starts here (a quote that is never closed?)"
run 20 nps "$tmp/quote.csv" --by region --max-line 64M
expect "the same with --max-line 64M: the reader gets to the end and says so" 65 \
    "$tmp/quote.csv:2:10: error: expected a closing quote for the field that starts here, found the end of the file"
run 10 nps "$tmp/quote.csv" --by region --max-line 12
expect "--max-line below 1k is a usage error" 64 \
    "cxcase nps: error: --max-line takes a size in bytes from 1k to 1024G (k, M, G: powers of 1024), not '12'; see 'cxcase nps --help'"

# ---- old Mac line ends (a lone CR) in a file over 1 MiB: the reader hands
# out a line at a CR rather than read the file whole; that line is reported,
# not taken for a record (it was, up to the last MiB) ---------------------
awk 'BEGIN { printf "week,region,score\r"; for (i = 0; i < 120000; i++) printf "2025-W01,Utrecht,7\r" }' >"$tmp/mac.csv"
run 20 nps "$tmp/mac.csv" --by region
expect "a 2 MB file of lone CRs: an error at the first one" 65 \
    "$tmp/mac.csv:1:18: error: expected LF or CRLF line ends, found a lone CR"
printf 'week,region,score\n2025-W01,A,9\r' >"$tmp/eofcr.csv"
run 10 nps "$tmp/eofcr.csv" --by region
expect "a lone CR at the end of the file is reported as well" 65 \
    "$tmp/eofcr.csv:2:13: error: expected LF or CRLF line ends, found a lone CR"

# ---- JSON: a 2 GB file stops at --max-json (64 MiB by default) ----------
printf '{"name": "' >"$tmp/big.json"
truncate -s 2G "$tmp/big.json"
peak check "$tmp/big.json"
if [ "$mb" -lt 400 ]; then
    expect "a 2 GB scenario: check stops at 64 MiB (peak $mb MB)" 65 \
        "$tmp/big.json: error: expected a JSON file of at most 64 MiB (raise the limit with --max-json), found a larger one"
else
    not_ok "a 2 GB scenario: check used $mb MB"
fi
run 10 check samples/scenario.json --max-json 2k
expect "check --max-json 2k refuses the 3 kB sample" 65 \
    "samples/scenario.json: error: expected a JSON file of at most 2048 bytes (raise the limit with --max-json), found a larger one"
run 10 fit --merge tests/cli/data/fuzz/partial-minimal.json --max-json 1G
expect "fit --merge --max-json 1G reads the file as before" 65 "m.json: error: equation 'y' has nothing to estimate"

# ---- fit on a pipe and on -: the same model as on the file --------------
P=tests/fuzz/data/panel.csv
S=tests/fuzz/corpus/spec/gen-chain.json
strip() { # the fitted model without its provenance (names and times differ)
    "$PYTHON" -c 'import json, sys; d = json.load(open(sys.argv[1])); p = d.pop("provenance"); print(json.dumps(d, sort_keys=True)); print(p["inputs"][0]["sha256"])' "$1"
}
run 20 fit "$P" --model "$S" --json
cp "$tmp/out" "$tmp/file.json"
timeout -s KILL $((20 * HANG)) "$CXCASE" fit - --model "$S" --json <"$P" >"$tmp/stdin.json" 2>"$tmp/err"
rc=$?
cat "$P" | timeout -s KILL $((20 * HANG)) "$CXCASE" fit - --model "$S" --json >"$tmp/pipe.json" 2>"$tmp/err2"
rc2=$?
mkfifo "$tmp/fifo"
(cat "$P" >"$tmp/fifo" &)
timeout -s KILL $((20 * HANG)) "$CXCASE" fit "$tmp/fifo" --model "$S" --json >"$tmp/fifo.json" 2>"$tmp/err3"
rc3=$?
if [ "$rc$rc2$rc3" = 000 ] && strip "$tmp/file.json" >"$tmp/a" && strip "$tmp/stdin.json" >"$tmp/b" &&
    strip "$tmp/pipe.json" >"$tmp/c" && strip "$tmp/fifo.json" >"$tmp/d" &&
    cmp -s "$tmp/a" "$tmp/b" && cmp -s "$tmp/a" "$tmp/c" && cmp -s "$tmp/a" "$tmp/d"; then
    ok "fit on - (a file, a pipe) and on a FIFO: the model of the file, and its SHA-256"
else
    not_ok "fit on - and on a FIFO: exit $rc, $rc2, $rc3, or a different model"
    show "$tmp/err"
    show "$tmp/err2"
    show "$tmp/err3"
fi
if grep -q '"file":[[:space:]]*"<stdin>"' "$tmp/pipe.json" && grep -q "\"file\":[[:space:]]*\"$tmp/fifo\"" "$tmp/fifo.json"; then
    ok "fit's provenance names <stdin> and the FIFO"
else
    not_ok "fit's provenance does not name <stdin> and the FIFO"
fi
# a pipe's copy keeps the pipe's name in messages
printf 'y,a\n1,2\n3,4\n5,x\n' | timeout -s KILL $((10 * HANG)) "$CXCASE" fit - -y y -x a >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "fit - names <stdin> in its errors" 65 \
    "<stdin>:4:3: error: expected a number in column 'a', found 'x'"

# ---- CSV injection: nps -o and panel -o write formula-like text as text --
printf 'week,region,score\n2025-W01,"=1+2",9\n2025-W01,+31,3\n2025-W01,-x,3\n2025-W01,@A1,10\n2025-W01,"\tT",7\n2025-W01,Gouda,8\n' >"$tmp/inj.csv"
run 10 nps "$tmp/inj.csv" --by region -o "$tmp/inj-out.csv"
cut -d, -f1-2 "$tmp/inj-out.csv" >"$tmp/got"
printf '%s\n' 'region,n' '"'"'"'	T",1' '"'"'"'+31",1' '"'"'"'-x",1' '"'"'"'=1+2",1' '"'"'"'@A1",1' 'Gouda,1' >"$tmp/want"
if [ "$rc" -eq 0 ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "nps -o: a cell starting with = + - @ or a tab is quoted with a ' before it (OWASP)"
else
    not_ok "nps -o: formula-like cells (exit $rc)"
    show "$tmp/got"
fi
run 10 nps "$tmp/inj.csv" --by region -o "$tmp/inj-raw.csv" --raw-text
cut -d, -f1-2 "$tmp/inj-raw.csv" >"$tmp/got"
printf '%s\n' 'region,n' '	T,1' '+31,1' '-x,1' '=1+2,1' '@A1,1' 'Gouda,1' >"$tmp/want"
if [ "$rc" -eq 0 ] && cmp -s "$tmp/got" "$tmp/want"; then
    ok "nps -o --raw-text: text as it is"
else
    not_ok "nps -o --raw-text (exit $rc)"
    show "$tmp/got"
fi

# ---- report: a symlink planted at a name the writer could choose --------
# The old writer used OUT.xlsx.tmp-<pid>.xlsx with fopen("wb"); plant that
# name for this pid (issue 15's reproduction) and the next 200, then check
# that the victim still holds its text and every symlink is still there.
d=$tmp/sym
mkdir "$d"
printf 'precious\n' >"$tmp/victim.txt"
pid=$(sh -c 'echo $$')
i=0
while [ "$i" -le 200 ]; do
    ln -s "$tmp/victim.txt" "$d/out.xlsx.tmp-$((pid + i)).xlsx"
    ln -s "$tmp/victim.txt" "$d/out.xlsx.tmp.$((pid + i))"
    i=$((i + 1))
done
CXCASE=$CXCASE sh -c 'ln -s "$1/victim.txt" "$2/out.xlsx.tmp-$$.xlsx"; exec "$CXCASE" report samples/scenario.json -o "$2/out.xlsx" --draws 200' \
    sh "$tmp" "$d" >"$tmp/out" 2>"$tmp/err"
rc=$?
links=$(find "$d" -type l | wc -l)
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/victim.txt")" = precious ] && [ "$links" -eq 403 ] &&
    [ "$(head -c 2 "$d/out.xlsx")" = PK ] && [ ! -L "$d/out.xlsx" ]; then
    ok "report with symlinks planted for the next 200 pids: the victim is untouched, the workbook written"
else
    not_ok "report with planted symlinks: exit $rc, victim '$(head -c 20 "$tmp/victim.txt")', $links links"
    show "$tmp/err"
fi
# every temporary in the output folder is made by mkstemp (O_EXCL): the
# same holds for nps -o; nothing else is left in the folder
run 20 nps samples/responses.csv --by region -o "$d/nps.csv"
if [ "$rc" -eq 0 ] && [ "$(cat "$tmp/victim.txt")" = precious ] &&
    [ "$(find "$d" -type f | sort | tr '\n' ' ')" = "$d/nps.csv $d/out.xlsx " ]; then
    ok "nps -o beside the planted symlinks: the victim is untouched, no temporary left"
else
    not_ok "nps -o beside the planted symlinks: exit $rc"
    find "$d" -type f | sed 's/^/#   /'
fi

# ---- report checks its output folder before the simulation --------------
run 10 report samples/scenario.json -o "$tmp/no/such/dir/r.xlsx" --draws 100000000
expect "report into a missing folder fails at once (before 1e8 draws)" 73 \
    "$tmp/no/such/dir/r.xlsx: error: cannot create output: No such file or directory"

# ---- a full disk: the system's reason, and no [ERROR] of libxlsxwriter --
# A 64 kB tmpfs in a user and mount namespace of its own (unshare -rm), so
# no privilege is needed; skipped where the kernel does not allow that.
full() { # $1 what, then the cxcase arguments with @ for the output folder
    what=$1
    shift
    args=$(printf '%s\n' "$*" | sed "s|@|$tmp/full|g")
    mkdir -p "$tmp/full"
    # shellcheck disable=SC2086
    timeout -s KILL $((60 * HANG)) unshare -rm sh -c 'mount -t tmpfs -o size=64k tmpfs "$1" || exit 99; shift; "$@"; rc=$?; ls -A "'"$tmp/full"'" >"'"$tmp/left"'"; exit $rc' \
        sh "$tmp/full" "$CXCASE" $args >"$tmp/out" 2>"$tmp/err"
    rc=$?
}
full probe true
if [ "$rc" -eq 99 ] || ! command -v unshare >/dev/null; then
    ok "a full disk # SKIP unshare -rm cannot mount a small file system here"
else
    full report report samples/scenario.json -o @/r.xlsx --draws 200
    if [ ! -s "$tmp/left" ]; then
        expect "a full disk: report says why, libxlsxwriter prints nothing, nothing is left" 74 \
            "$tmp/full/r.xlsx: error: cannot write output: No space left on device"
    else
        not_ok "a full disk: report left $(cat "$tmp/left")"
    fi
    full nps nps samples/responses.csv --by region,period -o @/n.csv
    expect "a full disk: nps -o says 'No space left on device', not 'Input/output error'" 74 \
        "$tmp/full/n.csv: error: cannot write output: No space left on device"
fi

# ---- SIGTERM and SIGINT: the temporary file goes with the process -------
# (24 moments spread over a run; 4 under the sanitizers, where a run is
# several times longer: its start, its middle, its end)
moments=24
sanitized && moments=4
"$PYTHON" - "$CXCASE" "$tmp/sig" "$tmp/wide.csv" "$moments" <<'PY' || failed=1
import os, signal, subprocess, sys, time, zipfile
cx, d, moments = sys.argv[1], sys.argv[2], int(sys.argv[4])
os.makedirs(d)
out = os.path.join(d, "r.xlsx")
def default():
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
# how long a run takes, then signals spread over it
t0 = time.time()
subprocess.run([cx, "report", "samples/scenario.json", "-o", out, "--draws", "2000"],
               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=default, check=True)
span = time.time() - t0
os.remove(out)
bad, killed = [], 0
for k in range(moments):
    sig = signal.SIGTERM if k % 2 else signal.SIGINT
    p = subprocess.Popen([cx, "report", "samples/scenario.json", "-o", out, "--draws", "2000"],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, preexec_fn=default)
    time.sleep(span * (k + 0.5) / moments)
    p.send_signal(sig)
    rc = p.wait()
    killed += rc == -sig
    left = sorted(os.listdir(d))
    # killed: nothing, or (the signal came after the rename) a whole workbook
    whole = left == ["r.xlsx"] and zipfile.ZipFile(out).testzip() is None
    if rc not in (0, -sig) or [f for f in left if f != "r.xlsx"] or (rc == 0 and not whole) or (left and not whole):
        bad.append((sig, rc, left))
    if os.path.exists(out):
        os.remove(out)
if bad or killed == 0:
    print(f"not ok - SIGINT/SIGTERM during report: {bad or 'no run was killed'}")
    sys.exit(1)
print(f"ok - SIGINT and SIGTERM at {moments} moments of a {span:.2f} s report ({killed} killed): no temporary file left")
# while the temporary beside the output exists: panel -o of 100,000 columns
# writes long enough to catch it, then the signal must remove it
for sig in (signal.SIGINT, signal.SIGTERM):
    out = os.path.join(d, "wide-panel.csv")
    p = subprocess.Popen([cx, "panel", sys.argv[3], "-o", out], stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, preexec_fn=default)
    seen = None
    t0 = time.time()
    while seen is None and p.poll() is None and time.time() - t0 < 20:
        seen = next((f for f in os.listdir(d) if f.startswith("wide-panel.csv.tmp.")), None)
    p.send_signal(sig)
    rc = p.wait()
    left = os.listdir(d)
    if seen and rc == -sig and not left:
        print(f"ok - {signal.Signals(sig).name} while panel -o writes {seen}: it is removed")
    else:
        print(f"not ok - {signal.Signals(sig).name} while panel -o writes: seen {seen}, exit {rc}, left {left}")
        sys.exit(1)
PY

# ---- SOURCE_DATE_EPOCH: byte-identical workbook and fitted model --------
for k in 1 2; do
    SOURCE_DATE_EPOCH=1767225600 "$CXCASE" report samples/scenario.json -o "$tmp/sde.xlsx" --draws 500 >/dev/null 2>"$tmp/err"
    cp "$tmp/sde.xlsx" "$tmp/sde$k.xlsx"
    SOURCE_DATE_EPOCH=1767225600 "$CXCASE" fit tests/fuzz/data/panel.csv --model tests/fuzz/data/spec.json \
        --json >"$tmp/sde$k.json" 2>>"$tmp/err"
    [ "$k" = 1 ] && sleep 1.1
done
if cmp -s "$tmp/sde1.xlsx" "$tmp/sde2.xlsx" && cmp -s "$tmp/sde1.json" "$tmp/sde2.json" &&
    grep -q '"fitted_at":[[:space:]]*"2026-01-01T00:00:00Z"' "$tmp/sde1.json" &&
    unzip -p "$tmp/sde1.xlsx" docProps/core.xml | grep -q '2026-01-01T00:00:00Z'; then
    ok "SOURCE_DATE_EPOCH: two runs of report and of fit --json a second apart are byte-identical, dated 2026-01-01"
else
    not_ok "SOURCE_DATE_EPOCH: the outputs differ or carry another date"
    show "$tmp/err"
fi
SOURCE_DATE_EPOCH=yesterday "$CXCASE" fit tests/fuzz/data/panel.csv -y nps -x ctr >"$tmp/out" 2>"$tmp/err"
rc=$?
expect "a malformed SOURCE_DATE_EPOCH is an error, as the convention asks" 64 \
    "cxcase: error: SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, not 'yesterday'"

exit "$failed"
