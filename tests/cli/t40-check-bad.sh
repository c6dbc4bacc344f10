#!/bin/sh
# tests/cli/t40-check-bad.sh - malformed scenario files for `cxcase check`.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t40-check-bad.sh
#
# Every tests/cli/data/scenario/NAME.expected is one case (see README.md
# there):
#   NAME.args      the command line (required), {} standing for the case's
#                  path without extension, tests/cli/data/scenario/NAME, so
#                  that {}.json is its scenario
#   NAME.json      the scenario: a small copy of valid.json with one fault
#                  (absent when the case is about a file that is not there)
#   NAME.expected  the exact stderr, one line, with the paths as passed
#   NAME.exit      the exit status (64 bad usage, 65 a bad scenario or a bad
#                  file it names, 66 the scenario cannot be opened)
#   NAME.pending   a known bug: the case holds the message cxcase should
#                  print; while it fails it is reported as "# pending" and
#                  does not count as a failure (a crash or a sanitizer
#                  report still does)
# cxcase runs from $TOP with relative paths; a scenario's own paths are
# relative to its folder.  A failing run must leave stdout empty.
#
# Then: valid.json, the scenario every case is one fault away from, passes
# (so the cases' relative paths to samples/ and models/ resolve), with the
# one warning check gives about the samples' data (HR lacks two keys).
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

# ---- the corpus ----------------------------------------------------------
dir=tests/cli/data/scenario
ncases=0
for exp in "$dir"/*.expected; do
    name=${exp%.expected}
    base=${name##*/}
    ncases=$((ncases + 1))
    if [ ! -f "$name.args" ] || [ ! -f "$name.exit" ]; then
        not_ok "$base: $name.args and $name.exit are required"
        continue
    fi
    corpus_case "$name" "$(sed "s|{}|$name|g" "$name.args")"
done
if [ "$ncases" -ge 32 ]; then
    ok "the corpus has $ncases cases ($npending pending)"
else
    not_ok "the corpus has $ncases cases, expected at least 32"
fi

# ---- the scenario the cases are copies of passes -------------------------
"$CXCASE" check "$dir/valid.json" >"$tmp/out" 2>"$tmp/err"
rc=$?
why=$(trouble "$rc" "$tmp/err")
if [ -z "$why" ] && [ "$rc" -ne 0 ]; then
    why="exit status $rc, expected 0"
elif [ -z "$why" ] && ! printf '%s\n' "warning: $dir/../../../../samples/hr.csv lacks 2 of the 1872 keys that the other files have (for example 2025-W51 Zeeland, 2025-W52 Zeeland); their columns from it are empty" | cmp -s - "$tmp/err"; then
    why="stderr is not the one warning about the data (hr.csv lacks 2 keys)"
elif [ -z "$why" ] && ! grep -q "^$dir/valid.json: ok: " "$tmp/out"; then
    why="stdout does not say ok"
fi
if [ -z "$why" ]; then
    ok "$dir/valid.json passes (the cases' paths resolve)"
else
    not_ok "$dir/valid.json: $why"
    show "$tmp/err"
    show "$tmp/out"
fi

exit "$failed"
