/*
 * cli.h - what the subcommands share: exit codes, error printing, CSV
 * options, and plain-text tables.  Only the CLI prints and exits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_CLI_H
#define CX_CLI_H

#include <stdio.h>
#include <cjson/cJSON.h>
#include "cxcase/cxcase.h"

/* sysexits-style exit codes (documented in README and --help) */
enum {
    EXIT_OK = 0,
    EXIT_RUN = 1,       /* the run failed (out of memory, numerical failure) */
    EXIT_USAGE = 64,    /* bad command line */
    EXIT_DATA = 65,     /* bad input data */
    EXIT_NOINPUT = 66,  /* an input cannot be opened */
    EXIT_UNAVAILABLE = 69, /* a program the command needs is not installed (LibreOffice for report --pdf) */
    EXIT_SOFTWARE = 70, /* a program the command ran failed */
    EXIT_CANTCREAT = 73,/* an output cannot be created */
    EXIT_IOERR = 74     /* an I/O error */
};

typedef struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} cli_command;

int cmd_nps(int argc, char **argv);
int cmd_fit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_panel(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_ledger(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_voice(int argc, char **argv);

/* Map a status to the exit code. */
int cli_exit_code(cx_status st);
/* Print the error record as one line on stderr and return its exit code. */
int cli_fail(const cx_error *err);
/* Print "cxcase CMD: error: ..." plus a pointer to --help; returns 64. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Print warnings on stderr as "warning: ...". */
void cli_print_warnings(const cx_warnings *w);
/* Print notes about reading the data on stderr as "note: ...". */
void cli_print_notes(const cx_warnings *w);
/* True when progress may be shown (stderr is a terminal). */
int cli_progress_enabled(void);

/* Force the type of a column (the name must outlive the options). */
int cli_csv_force(cx_csv_options *o, const char *name, cx_coltype type);
/* Handle --draws N, --seed S, --threads N or --text COLUMNS at argv[*i] (advancing *i past
 * the value): 0 when taken, -1 when argv[*i] is none of them, 64 (after the
 * message) for a bad value. */
int cli_sim_option(const char *cmd, int argc, char **argv, int *i, cx_sim_options *o);
/* Handle --max-line SIZE or --max-json SIZE (`opt` without the dashes): a
 * byte count with an optional k, M or G suffix (powers of 1024), from 1k
 * to 1T, set as the library's limit; returns 0 or 64 (after the message). */
int cli_limit_option(const char *cmd, const char *opt, const char *arg);
/* The same at argv[*i] for commands without getopt (advancing *i past the
 * value): -1 when argv[*i] is neither option. */
int cli_limit_arg(const char *cmd, int argc, char **argv, int *i);
/* Handle --sep, --decimal, --encoding, --text, --rename, --date-format (the
 * option's name without dashes in `opt`, its value in `arg`, which must
 * outlive the options); returns 0 or 64. */
int cli_csv_option(const char *cmd, const char *opt, const char *arg, cx_csv_options *o);
/* Split "a,b,c" (not at commas inside parentheses) into a NULL-terminated array of strings (one allocation;
 * free with free()).  Returns NULL on empty items or no memory. */
char **cli_split(const char *s, size_t *n);

/* Print columns `cols` (NULL: all) of a table, aligned: text left, numbers
 * right with `digits` decimals (none for columns of whole numbers). */
void cli_print_table(FILE *fp, const cx_table *t, const size_t *cols, size_t ncols, int digits);
/* A JSON value for one cell: number (null when missing), string or null. */
cJSON *cli_cell_json(const cx_table *t, size_t col, size_t row);
/* Print a JSON document on stdout followed by a newline; frees it. */
int cli_print_json(cJSON *doc);

#endif
