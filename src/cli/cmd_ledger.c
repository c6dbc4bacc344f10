/*
 * cmd_ledger.c - `cxcase ledger verify LEDGER.jsonl`: check the hash chain of
 * a ledger of approved cases and name the first record that fails.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: cxcase ledger verify LEDGER.jsonl\n"
    "\n"
    "Check every record of a ledger that `cxcase simulate --record` writes: each\n"
    "line complete JSON, its own \"sha256\" right, \"seq\" its line number and \"prev\"\n"
    "the SHA-256 of the line before it.  Prints the number of records, or names the\n"
    "first bad record as LEDGER.jsonl:LINE: error: record N ... (README \"The ledger\").\n"
    "The chain detects an edit; it is not a signature.\n"
    "\n"
    "exit status: 0 the ledger verifies, 64 bad usage, 65 a record is bad, 66 the\n"
    "ledger cannot be opened, 74 an I/O error.\n";

int cmd_ledger(int argc, char **argv)
{
    const char *cmd = "ledger", *verb = NULL, *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf(usage_text);
            return EXIT_OK;
        } else if (a[0] == '-' && a[1])
            return cli_usage_error(cmd, "unknown option '%s'", a);
        else if (!verb)
            verb = a;
        else if (path)
            return cli_usage_error(cmd, "expected one ledger file, found '%s' and '%s'", path, a);
        else
            path = a;
    }
    if (!verb)
        return cli_usage_error(cmd, "expected 'verify'");
    if (strcmp(verb, "verify") != 0)
        return cli_usage_error(cmd, "unknown action '%s' (expected 'verify')", verb);
    if (!path)
        return cli_usage_error(cmd, "expected a ledger file");
    cx_error err;
    cx_error_init(&err);
    size_t n = 0;
    if (cx_ledger_verify(path, &n, &err) != CX_OK)
        return cli_fail(&err);
    printf("%s: %zu record%s, the chain verifies\n", path, n, n == 1 ? "" : "s");
    return fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
}
