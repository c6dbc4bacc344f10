#!/bin/sh
# tests/cli/t50-fuzz-found.sh - every input the fuzz targets (tests/fuzz/)
# found a fault with, through the command line.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t50-fuzz-found.sh
#
# Each tests/cli/data/fuzz/NAME.expected is one case (see README.md there):
#   NAME.csv|NAME.json  the input, reduced by hand from the fuzzer's finding
#   NAME.args           the command line, {} standing for the input's path
#   NAME.expected       the exact stderr, one line
#   NAME.exit           the exit status
# Under `make test SANITIZE=1` a leak, an overflow or undefined behaviour
# fails the case (lib.sh's trouble).
#
# Prints "ok - ..." or "not ok - ..." per check and exits non-zero if a
# check failed.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

dir=tests/cli/data/fuzz
ncases=0
for exp in "$dir"/*.expected; do
    name=${exp%.expected}
    input=""
    for f in "$name".csv "$name".json; do
        [ -f "$f" ] && input=$f
    done
    ncases=$((ncases + 1))
    corpus_case "$name" "$(sed "s|{}|$input|g" "$name.args")"
done
if [ "$ncases" -ge 1 ]; then
    ok "the fuzzers' findings: $ncases cases"
else
    not_ok "no case in $dir"
fi
exit "$failed"
