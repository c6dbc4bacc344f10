# tests/e2e/lo_recalc.sh - sourced by tests that need LibreOffice to
# recalculate a workbook.  Defines
#
#     lo_recalc IN.xlsx OUTDIR     # writes OUTDIR/<name>.xlsx, recalculated
#     lo_recalc_each IN OUT ...    # several at once, each into its own file
#     lo_pdf IN.xlsx OUTDIR        # prints OUTDIR/<name>.pdf, recalculated
#     set_inputs IN OUT NAME=V...  # a copy with input cells changed
#
# LibreOffice keeps the cached results of an .xlsx it loads unless told
# otherwise, so a private profile (under $tmp, which the caller sets and
# removes) forces "recalculate on load: always" for OOXML and ODF files.
# SPDX-License-Identifier: GPL-3.0-or-later
: "${SOFFICE:=soffice}"

lo_profile() { # the private profile under $tmp (LibreOffice fills in the rest)
    lo_profile="$tmp/lo-profile"
    [ -f "$lo_profile/user/registrymodifications.xcu" ] && return 0
    mkdir -p "$lo_profile/user" || return 1
    cat >"$lo_profile/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
}

# lo_convert FORMAT OUTDIR IN...: LibreOffice, in the private profile,
# converts the files IN into OUTDIR (its messages in $tmp/lo.log)
lo_convert() {
    lo_profile && mkdir -p "$2" || return 1
    lo_format=$1 lo_out=$2
    shift 2
    # A fresh HOME too: LibreOffice writes there even with its own profile.
    HOME="$tmp" "$SOFFICE" -env:UserInstallation="file://$lo_profile" --headless --norestore \
        --convert-to "$lo_format" --outdir "$lo_out" "$@" >"$tmp/lo.log" 2>&1
}

lo_recalc() { # $1 input workbook, $2 output directory
    lo_convert xlsx:"Calc MS Excel 2007 XML" "$2" "$1"
}

lo_pdf() { # $1 input workbook, $2 output directory
    lo_convert pdf "$2" "$1"
}

# lo_recalc_each IN OUT [IN OUT ...]: each workbook IN recalculated into the
# file OUT, by one LibreOffice (its start is 3.7 s of CPU, more than half
# a recalculation of the samples' workbook); fails unless every OUT is there.
lo_recalc_each() {
    lo_each="$tmp/lo-each"
    rm -rf "$lo_each"
    mkdir -p "$lo_each/in" || return 1
    i=0
    set -- "$@" --
    while [ "$1" != -- ]; do
        i=$((i + 1))
        cp "$1" "$lo_each/in/$i.xlsx" || return 1
        set -- "$@" "$2"
        shift 2
    done
    shift
    lo_convert xlsx:"Calc MS Excel 2007 XML" "$lo_each/out" "$lo_each"/in/*.xlsx
    i=0
    for out in "$@"; do
        i=$((i + 1))
        mkdir -p "$(dirname "$out")" && mv "$lo_each/out/$i.xlsx" "$out" 2>/dev/null || return 1
    done
}

# set_inputs IN.xlsx OUT.xlsx NAME=VALUE...: a copy of a cxcase workbook with
# the named input cells (its defined names) changed, for LibreOffice to
# recalculate
set_inputs() {
    "$PYTHON" - "$@" <<'PY'
import sys
import openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
def cell(name):
    dn = wb.defined_names.get(name) if hasattr(wb.defined_names, "get") else next(d for d in wb.defined_names.definedName if d.name == name)
    (sheet, ref), = list(dn.destinations)
    return wb[sheet][ref.replace("$", "")]
for a in sys.argv[3:]:
    name, value = a.split("=")
    cell(name).value = float(value)
wb.save(sys.argv[2])
PY
}

# Under the sanitizers (make test SANITIZE=1 sets SANITIZED=1) LibreOffice
# does not run.  What it checks is its own arithmetic (and printing) on the
# formulas cxcase wrote, and those are the same text whichever build wrote
# them: the plain pass checks them on every run.  It is also most of these
# tests' time there (a recalculation of the samples' workbook costs 6.4 s
# of CPU, 3.7 of them LibreOffice's start; the sanitized cxcase run that
# writes it, 1.3).  The tests still run every
# cxcase command under the sanitizers.  lo_skip WHAT prints WHAT as a
# "skip - " line (tests/run.sh counts them) and succeeds when LibreOffice's
# part is to be skipped.
lo_skip() { # $1 what LibreOffice's part checks
    sanitized || return 1
    echo "skip - LibreOffice: $1 (checked in the plain pass)"
}
