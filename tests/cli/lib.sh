# tests/cli/lib.sh - what the command-line test scripts share; sourced after
# they set TOP.  Makes CXCASE absolute, moves to $TOP (cxcase runs with
# relative paths), makes a temporary directory $tmp removed on exit, and
# defines the reporting helpers.  A script sets `failed=1` through not_ok and
# ends with `exit "$failed"` (or tests it).
# SPDX-License-Identifier: GPL-3.0-or-later
: "${CXCASE:?set CXCASE to the cxcase binary}"
: "${PYTHON:=/usr/bin/python3}"
case $CXCASE in
/*) ;;
*/*) CXCASE=$(pwd)/$CXCASE ;;
esac
cd "$TOP" || exit 1

failed=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM

ok() { echo "ok - $1"; }
# The sanitizer passes (make test SANITIZE=1 sets SANITIZED=1) look for
# memory errors and undefined behaviour, which a study finds in its first
# data sets as well as in its hundredth: there a study runs STUDY_SMOKE data
# sets and prints its statistical checks as "skip - ..." lines (counted
# apart by tests/run.sh); the plain pass checks them on every run.
STUDY_SMOKE=2
sanitized() { [ "${SANITIZED:-}" = 1 ]; }
# Hang guards (timeout N) are N * HANG seconds: a sanitized build on a busy
# machine is several times slower, and a guard is there to catch a hang,
# never to time a run (make bench does that).
HANG=1
sanitized && HANG=5
not_ok() {
    echo "not ok - $1"
    failed=1
}
# Indent a file's content as "#" detail lines.
show() {
    sed 's/^/#     /' "$1"
}
# A crash (signal) or a sanitizer report in the last run, as text; empty if none.
trouble() { # $1 exit status, $2 stderr file
    if [ "$1" -gt 128 ]; then
        echo "crashed (exit status $1)"
    elif grep -q -e 'runtime error:' -e 'Sanitizer' -e 'LeakSanitizer' "$2"; then
        echo "sanitizer report"
    fi
}

# One case of a corpus of bad input: run cxcase with the words of $2 (split
# on blanks, no globbing) and compare its stderr with $1.expected and its
# exit status with $1.exit; stdout must stay empty.  A case with
# $1.pending is a known fault: its failure is reported as "# pending" and
# counted in $npending, not as a failure (a crash or a sanitizer report
# still fails).
npending=0
corpus_case() { # $1 case path without extension, $2 command line
    exp=$1.expected
    base=${1##*/}
    want_rc=$(cat "$1.exit")
    set -f
    # shellcheck disable=SC2086 # the arguments are split on purpose
    set -- "$1" $2
    set +f
    case_name=$1
    shift
    "$CXCASE" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    why=""
    t=$(trouble "$rc" "$tmp/err")
    if [ -n "$t" ]; then
        why=$t
    elif [ "$rc" -ne "$want_rc" ]; then
        why="exit status $rc, expected $want_rc"
    elif ! cmp -s "$tmp/err" "$exp"; then
        why="stderr differs"
    elif [ -s "$tmp/out" ]; then
        why="stdout is not empty"
    fi
    if [ -z "$why" ]; then
        if [ -f "$case_name.pending" ]; then
            ok "$base: $* (was pending: delete $case_name.pending)"
        else
            ok "$base: $*"
        fi
        return 0
    fi
    if [ -f "$case_name.pending" ] && [ -z "$t" ]; then
        npending=$((npending + 1))
        printf '# pending - %s: %s\n' "$base" "$(cat "$case_name.pending")"
    else
        not_ok "$base: $*: $why"
    fi
    echo "#   command:  cxcase $*"
    echo "#   expected (exit $want_rc):"
    show "$exp"
    echo "#   actual (exit $rc):"
    show "$tmp/err"
    if [ -s "$tmp/out" ]; then
        echo "#   stdout (first lines):"
        head -n 8 "$tmp/out" >"$tmp/head"
        show "$tmp/head"
    fi
}
