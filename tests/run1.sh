#!/bin/sh
# tests/run1.sh DIR K - run the K-th test of DIR/list for tests/run.sh:
# its whole output goes to DIR/K.log, then its exit status to DIR/K.rc
# (written last, by a rename, so that K.rc means the test has ended), and
# its wall time and CPU time (user + system, of every process it ran) in
# seconds to DIR/K.time.
dir=$1
k=$2
set -- $(sed -n "${k}p" "$dir/list")
start=$(date +%s.%N)
# E2E_ASAN_OPTIONS, when set: the ASAN_OPTIONS of the tests E2E_SHARE
# shares out ("shared" in the list; .ci/run)
if [ "$1" = shared ] && [ -n "${E2E_ASAN_OPTIONS+x}" ]; then
    ASAN_OPTIONS=$E2E_ASAN_OPTIONS
    export ASAN_OPTIONS
fi
if [ "$1" = unit ]; then
    CMOCKA_MESSAGE_OUTPUT=STDOUT "$2" >"$dir/$k.log" 2>&1
else
    sh "$2" >"$dir/$k.log" 2>&1
fi
rc=$?
# times: the shell's own, then its children's "user system" as "XmY.Zs"
# (run here, not in $(...), whose fork would see no children)
times >"$dir/$k.cpu"
cpu=$(sed -n 2p "$dir/$k.cpu")
echo "$start $(date +%s.%N) $cpu" | awk '{
    c = 0
    for (i = 3; i <= 4; i++) { split($i, a, /[ms]/); c += a[1] * 60 + a[2] }
    printf "%.1f %.1f\n", $2 - $1, c }' >"$dir/$k.time"
echo $rc >"$dir/$k.rc.tmp"
mv "$dir/$k.rc.tmp" "$dir/$k.rc"
