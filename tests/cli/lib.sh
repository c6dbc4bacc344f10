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
