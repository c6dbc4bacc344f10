#!/bin/sh
# tests/cli/t30-fit-bad.sh - malformed and unfittable input for `cxcase fit`.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t30-fit-bad.sh
#
# Every tests/cli/data/fit/NAME.expected is one case (see README.md there):
#   NAME.args      the command line (required), {} standing for the case's
#                  path without extension, tests/cli/data/fit/NAME, so that
#                  {}.json is its specification and {}.csv its data
#   NAME.json      a model specification (when the case has one)
#   NAME.csv       data (when the case has its own; most spec cases use
#                  helpers/panel.csv)
#   NAME.expected  the exact stderr, one line, with the paths as passed
#   NAME.exit      the exit status (64 bad usage, 65 bad spec or data, also
#                  a rank-deficient design, 66 an input cannot be opened)
#   NAME.pending   a known bug: the case holds the message cxcase should
#                  print; while it fails it is reported as "# pending" and
#                  does not count as a failure (a crash or a sanitizer
#                  report still does)
# cxcase runs from $TOP with relative paths.  A failing run must leave stdout
# empty.
#
# Then: a failing fit with -o leaves no output and no temporary file behind
# and never clobbers an existing file.
#
# Prints "ok - ..." or "not ok - ..." per check (details on "#" lines) and
# exits non-zero if a check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

# ---- the corpus ----------------------------------------------------------
dir=tests/cli/data/fit
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
if [ "$ncases" -ge 25 ]; then
    ok "the corpus has $ncases cases ($npending pending)"
else
    not_ok "the corpus has $ncases cases, expected at least 25"
fi

# ---- -o: a failing fit leaves nothing behind ------------------------------
# $1 case name (from the corpus); -o @ is appended to its command line
no_output_left() {
    name=$1
    exp=$dir/$name.expected
    for mode in fresh existing; do
        d=$tmp/o-$name-$mode
        mkdir "$d"
        [ "$mode" = existing ] && printf 'precious\n' >"$d/OUT.json"
        args="$(sed "s|{}|$dir/$name|g" "$dir/$name.args") -o $d/OUT.json"
        set -f
        # shellcheck disable=SC2086
        set -- $args
        set +f
        "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
        rc=$?
        # shellcheck disable=SC2012 # names made by this script or by cxcase
        left=$(cd "$d" && ls -A | tr '\n' ' ')
        want_left=""
        [ "$mode" = existing ] && want_left="OUT.json "
        why=$(trouble "$rc" "$tmp/err")
        if [ -z "$why" ] && [ "$rc" -ne "$(cat "$dir/$name.exit")" ]; then
            why="exit status $rc, expected $(cat "$dir/$name.exit")"
        elif [ -z "$why" ] && ! cmp -s "$tmp/err" "$exp"; then
            why="stderr differs"
        elif [ -z "$why" ] && [ "$left" != "$want_left" ]; then
            why="the output directory holds: $left"
        elif [ -z "$why" ] && [ "$mode" = existing ] && [ "$(cat "$d/OUT.json")" != precious ]; then
            why="the existing OUT.json was overwritten"
        fi
        if [ -z "$why" ]; then
            ok "-o with $name ($mode OUT.json): nothing written, no temporary file"
        else
            not_ok "-o with $name ($mode OUT.json): $why"
            echo "#   command: cxcase $args"
            show "$tmp/err"
        fi
    done
}
no_output_left spec-cycle                 # fails while reading the specification
no_output_left rank-collinear-2x          # fails after reading all the data
no_output_left data-unknown-column        # fails when matching the data's header

exit "$failed"
