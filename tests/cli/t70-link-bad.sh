#!/bin/sh
# tests/cli/t70-link-bad.sh - bad input for `cxcase link`.
#
#   CXCASE=build/rel/cxcase sh tests/cli/t70-link-bad.sh
#
# Every tests/cli/data/link/NAME.expected is one case:
#   NAME.args      the command line, {} standing for tests/cli/data/link/NAME
#   NAME.expected  the exact stderr (one line), paths as passed
#   NAME.exit      the exit status (64 bad usage, 65 bad data)
# The cases: a customer id on two rows (both lines named), churn that is not
# 0/1 (a number, and text), no response matching any customer, a logistic fit
# separated by a category in which everyone stays, a missing id column, a
# score outside 0-10, and usage errors.  A failing run leaves stdout empty
# and, with -o, no file.
set -u
: "${TOP:=$(cd "$(dirname "$0")/../.." && pwd)}"
# shellcheck source=tests/cli/lib.sh
. "$TOP/tests/cli/lib.sh"

dir=tests/cli/data/link
ncases=0
for exp in "$dir"/*.expected; do
    name=${exp%.expected}
    ncases=$((ncases + 1))
    corpus_case "$name" "$(sed "s|{}|$name|g" "$name.args")"
done
if [ "$ncases" -ge 10 ]; then
    ok "the link corpus has $ncases cases"
else
    not_ok "the link corpus has $ncases cases, expected at least 10"
fi

# -o with a failing link: nothing written
"$CXCASE" link $dir/responses.csv $dir/dup-id.csv --id customer_id -o "$tmp/linked.csv" >/dev/null 2>&1
if [ ! -e "$tmp/linked.csv" ] && [ -z "$(ls "$tmp" | grep linked)" ]; then
    ok "a failing link leaves no output file"
else
    not_ok "a failing link left $(ls "$tmp")"
fi
exit "$failed"
