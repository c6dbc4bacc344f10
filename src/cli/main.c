/*
 * main.c - the cxcase command: a git-style table of subcommands, each in its
 * own cmd_<name>.c.  Only the CLI prints, exits and maps statuses to exit
 * codes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "../core/core.h"

static const cli_command commands[] = {
    {"nps", cmd_nps, "aggregate survey responses into NPS (or CSAT, CES) per group"},
    {"panel", cmd_panel, "join department exports (and survey scores) into one panel"},
    {"fit", cmd_fit, "fit how the metrics drive NPS and revenue (least squares, full inference)"},
    {"check", cmd_check, "check a scenario file without running it"},
    {"simulate", cmd_simulate, "project, value and simulate the scenarios of a scenario file"},
    {"report", cmd_report, "write the business case of a scenario file as an Excel workbook"},
    {"ledger", cmd_ledger, "verify the hash chain of a ledger of approved cases"},
    {"review", cmd_review, "judge an approved case of the ledger against the quarter that came"},
    {"link", cmd_link, "link survey responses to customer records: what a promoter is worth"},
    {"voice", cmd_voice, "the words that distinguish the comments of detractors, promoters or any groups"},
};

static void usage(FILE *fp)
{
    fprintf(fp,
            "usage: cxcase <command> [options]\n"
            "       cxcase --help | --version\n"
            "\n"
            "cxcase turns customer-experience data into investment business cases.\n"
            "\n"
            "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(fp,
            "\n"
            "'cxcase <command> --help' describes a command.\n"
            "\n"
            "exit status: 0 ok, 1 the run failed, 64 bad usage, 65 bad input data,\n"
            "66 an input cannot be opened, 73 an output cannot be created, 74 I/O error.\n");
}

/* SIGINT or SIGTERM: remove the temporary files of the outputs being
 * written (a half-written workbook or CSV), then die of the same signal, so
 * that the caller sees how the run ended. */
static void on_signal(int sig)
{
    cx_remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; the library checks statuses instead. */
    gsl_set_error_handler_off();
    /* a signal the parent had ignored (a background job's SIGINT) stays ignored */
    static const int sigs[] = {SIGINT, SIGTERM};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction old, sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
    /* the reproducible-builds convention: a malformed value is an error */
    time_t epoch;
    if (cx_source_date_epoch(&epoch) < 0) {
        fprintf(stderr, "cxcase: error: SOURCE_DATE_EPOCH must be a whole number of seconds since "
                        "1970-01-01, not '%s'\n", getenv("SOURCE_DATE_EPOCH"));
        return EXIT_USAGE;
    }
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("cxcase %s\n", cx_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(cmd, commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "cxcase: error: unknown command '%s'; see 'cxcase --help'\n", cmd);
    return EXIT_USAGE;
}
