#!/bin/sh
# make install PREFIX=...: the binary, the library, the headers and a
# pkg-config file, enough to build a client program against libcxcase.
set -u
: "${TOP:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() { # check DESCRIPTION COMMAND...
    d=$1
    shift
    if out=$("$@" 2>&1); then
        echo "ok - $d"
    else
        echo "not ok - $d"
        printf '%s\n' "$out" | sed 's/^/#   /'
        fails=$((fails + 1))
    fi
}

# the plain build (not sanitized, not for coverage, with the system compiler),
# whatever the make that runs the tests was given
check "make install PREFIX=TMP succeeds" env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" install PREFIX="$tmp/p" SANITIZE= COVERAGE= FUZZ= CC=cc
check "installed headers, library, binary and cxcase.pc" \
    test -f "$tmp/p/include/cxcase/cxcase.h" -a -f "$tmp/p/include/cxcase/data.h" \
         -a -f "$tmp/p/lib/libcxcase.a" -a -x "$tmp/p/bin/cxcase" -a -f "$tmp/p/lib/pkgconfig/cxcase.pc"
check "installed cxcase --version prints the version" \
    sh -c "'$tmp/p/bin/cxcase' --version | grep -qx 'cxcase [0-9]*\.[0-9]*\.[0-9]*'"

cat >"$tmp/client.c" <<'C'
#include <stdio.h>
#include <cxcase/cxcase.h>
int main(int argc, char **argv)
{
    cx_error err;
    cx_error_init(&err);
    cx_table *t = NULL;
    if (argc != 2 || cx_csv_read(argv[1], NULL, &t, &err) != CX_OK)
        return 1;
    printf("%zu %zu\n", cx_table_nrows(t), cx_table_ncols(t));
    cx_table_free(t);
    return 0;
}
C
export PKG_CONFIG_PATH="$tmp/p/lib/pkgconfig"
check "a client compiles and links with pkg-config --static cxcase" \
    sh -c "cc -std=c11 -Wall -Werror '$tmp/client.c' -o '$tmp/client' \$(pkg-config --cflags --libs --static cxcase)"
check "the client reads samples/web.csv: 1872 rows, 5 columns" \
    sh -c "test \"\$('$tmp/client' '$TOP/samples/web.csv')\" = '1872 5'"
[ "$fails" -eq 0 ]
