/*
 * cmd_report.c - `cxcase report`: run a scenario file and write its business
 * case as an Excel workbook.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char usage_text[] =
    "usage: cxcase report SCENARIO.json -o REPORT.xlsx [--pdf] [--json] [--draws N] [--seed S]\n"
    "       [--threads N] [--text COLUMNS]\n"
    "\n"
    "Run a scenario file as cxcase simulate does and write the business case as an\n"
    "Excel workbook, its sheets in this order:\n"
    "  Summary      one printable landscape page: the scenarios ranked, the\n"
    "               recommended portfolio, key messages, warnings, charts\n"
    "  Inputs       every assumption in named input cells, and the baselines\n"
    "  Model        the coefficient tables, fit figures and driver importance\n"
    "  S1, S2 ...   one per scenario: the quarterly case as live formulas\n"
    "  U1, U2 ...   beside a scenario whose changes differ per unit: its changes per\n"
    "               unit and segment of periods\n"
    "  Checks       the formulas' totals against the engine's values\n"
    "  Risk         the Monte Carlo percentiles, fan chart and NPV histogram\n"
    "  Sensitivity  the tornado: the effects, the model's drivers and the finance\n"
    "  Break-even   per initiative, the share of its effect at which NPV = 0\n"
    "  Portfolio    the chosen initiatives and the budget-NPV frontier\n"
    "  Data         the panel with fitted values and residuals\n"
    "  Voice        with a survey file that has comments: what detractors and\n"
    "               promoters say (as cxcase voice)\n"
    "  About        version, command, input files with their SHA-256, seed\n"
    "and two hidden sheets: Chart data (the Summary charts' series) and Inputs as\n"
    "simulated (every named input as the simulation read it, for the checks).\n"
    "The workbook is written to a temporary file beside REPORT.xlsx and renamed only\n"
    "when complete: a failed run leaves no partial file and an existing one as it was.\n"
    "\n"
    "  -o FILE       the workbook to write (required)\n"
    "  --pdf         also print the workbook to REPORT.pdf, the board pack, through\n"
    "                LibreOffice headless (soffice, or the program $SOFFICE names)\n"
    "  --json        also print the simulation's result as JSON on stdout\n"
    "  --draws N     Monte Carlo draws (default: the file's simulation.draws, else 10000)\n"
    "  --seed S      random seed, 0 to 4294967295 (default: the file's simulation.seed)\n"
    "  --threads N   threads, 1 to 16 (default 2); the result does not depend on it\n"
    "  --text COLUMNS  read these columns of the data as text (codes that look like\n"
    "                numbers, for C(x))\n"
    "  --max-line SIZE  the longest CSV record read, in bytes (k, M, G: powers of\n"
    "                 1024; default 16M); a longer one is an error\n"
    "  --max-json SIZE  the largest JSON file read (default 64M)\n"
    "  --link RESPONSES.csv,CUSTOMERS.csv  link the responses to a customer file as\n"
    "                cxcase link does; the Model sheet then compares the customers'\n"
    "                value of a point of NPS with the model's\n"
    "  --id COLUMN   with --link: the customer id column (default customer_id)\n"
    "  --last        with --link: one row per customer, their last response\n"
    "  --by COLUMNS  with --link: the customer columns the fits adjust for"
    "\n"
    "exit status: 0 done, 1 the run failed, 64 bad usage, 65 the scenario, its data or\n"
    "its model is wrong, 66 the scenario file cannot be opened, 69 --pdf without\n"
    "LibreOffice installed, 70 LibreOffice failed to print it, 73 the workbook cannot\n"
    "be created, 74 writing it failed.\n";

extern char **environ;

/* The LibreOffice program: $SOFFICE, else soffice; NULL when it is not an
 * executable file (a name without '/' is looked up on $PATH). */
static const char *soffice_path(char *buf, size_t size)
{
    const char *p = getenv("SOFFICE");
    if (!p || !*p)
        p = "soffice";
    if (strchr(p, '/'))
        return access(p, X_OK) == 0 ? p : NULL;
    const char *path = getenv("PATH");
    while (path && *path) {
        size_t n = strcspn(path, ":");
        snprintf(buf, size, "%.*s/%s", (int)n, n ? path : ".", p);
        if (access(buf, X_OK) == 0)
            return buf;
        path += n + (path[n] == ':');
    }
    return NULL;
}

/* Run argv, its output discarded; its exit status, or -1. */
static int run_quiet(char *const argv[])
{
    posix_spawn_file_actions_t fa;
    pid_t pid;
    int status = -1;
    if (posix_spawn_file_actions_init(&fa) != 0)
        return -1;
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0)
        return -1;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Print workbook xlsx to the PDF beside it (REPORT.pdf) with LibreOffice
 * headless, in a private profile that is removed afterwards. */
static int print_pdf(const char *soffice, const char *xlsx)
{
    char dir[4096], pdf[4096], profile[64] = "/tmp/cxcase-lo-XXXXXX", env[96];
    const char *slash = strrchr(xlsx, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - xlsx) : 1, slash ? xlsx : ".");
    if (!dir[0])
        snprintf(dir, sizeof dir, "/");
    snprintf(pdf, sizeof pdf, "%.*s.pdf", (int)strlen(xlsx) - 5, xlsx);
    if (!mkdtemp(profile)) {
        fprintf(stderr, "cxcase report: cannot make a directory for LibreOffice's profile: %s\n", strerror(errno));
        return EXIT_SOFTWARE;
    }
    snprintf(env, sizeof env, "-env:UserInstallation=file://%s", profile);
    char *argv[] = {(char *)soffice, env, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", dir,
                    (char *)xlsx, NULL};
    remove(pdf);
    int rc = run_quiet(argv);
    char *rm[] = {"/bin/rm", "-rf", profile, NULL};
    run_quiet(rm);
    struct stat st;
    if (rc != 0 || stat(pdf, &st) != 0 || st.st_size == 0) {
        fprintf(stderr, "cxcase report: LibreOffice (%s) did not print '%s' to '%s' (exit status %d)\n", soffice, xlsx,
                pdf, rc);
        return EXIT_SOFTWARE;
    }
    printf("%s: written\n", pdf);
    return EXIT_OK;
}


int cmd_report(int argc, char **argv)
{
    const char *cmd = "report", *path = NULL, *out = NULL, *linkarg = NULL;
    int json = 0, pdf = 0;
    cx_link_options lo;
    memset(&lo, 0, sizeof lo);
    lo.id = "customer_id";
    char **by = NULL, **files = NULL;
    size_t nfiles = 0;
    cx_sim_options o;
    memset(&o, 0, sizeof o);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int rc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf(usage_text);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0)
            json = 1;
        else if (strcmp(a, "--pdf") == 0)
            pdf = 1;
        else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (i + 1 >= argc || !*argv[i + 1])
                return cli_usage_error(cmd, "%s expects the workbook's file name", a);
            out = argv[++i];
        } else if (strcmp(a, "--link") == 0 || strcmp(a, "--id") == 0 || strcmp(a, "--by") == 0) {
            if (i + 1 >= argc || !*argv[i + 1])
                return cli_usage_error(cmd, "%s expects a value", a);
            if (a[2] == 'l')
                linkarg = argv[++i];
            else if (a[2] == 'i')
                lo.id = argv[++i];
            else {
                free(by);
                if (!(by = cli_split(argv[++i], &lo.ncovariates)))
                    return cli_usage_error(cmd, "--by takes column names separated by commas");
                lo.covariates = (const char *const *)by;
            }
        } else if (strcmp(a, "--last") == 0) {
            lo.last = 1;
        } else if ((rc = cli_sim_option(cmd, argc, argv, &i, &o)) >= 0 ||
                   (rc = cli_limit_arg(cmd, argc, argv, &i)) >= 0) {
            if (rc)
                return rc;
        } else if (a[0] == '-' && a[1])
            return cli_usage_error(cmd, "unknown option '%s'", a);
        else if (path)
            return cli_usage_error(cmd, "expected one scenario file, found '%s' and '%s'", path, a);
        else
            path = a;
    }
    if (linkarg && (!(files = cli_split(linkarg, &nfiles)) || nfiles != 2)) {
        free(files);
        free(by);
        return cli_usage_error(cmd, "--link takes RESPONSES.csv,CUSTOMERS.csv, not '%s'", linkarg);
    }
    if (!path)
        return cli_usage_error(cmd, "expected a scenario file");
    if (!out)
        return cli_usage_error(cmd, "expected -o REPORT.xlsx, the workbook to write");
    size_t ol = strlen(out);
    if (ol < 5 || strcmp(out + ol - 5, ".xlsx") != 0)
        return cli_usage_error(cmd, "expected a workbook name ending in .xlsx, found '%s'", out);
    /* --pdf: LibreOffice is looked for before anything is run or written */
    char sbuf[4096];
    const char *soffice = pdf ? soffice_path(sbuf, sizeof sbuf) : NULL;
    if (pdf && !soffice) {
        fprintf(stderr, "cxcase report: --pdf prints the workbook with LibreOffice, which is not installed ('%s' not "
                "found; install libreoffice-calc-nogui, or set SOFFICE to its soffice program)\n",
                getenv("SOFFICE") && *getenv("SOFFICE") ? getenv("SOFFICE") : "soffice");
        return EXIT_UNAVAILABLE;
    }
    /* the command line, for the About sheet */
    char line[1024];
    size_t used = (size_t)snprintf(line, sizeof line, "cxcase");
    for (int i = 0; i < argc && used < sizeof line; i++)
        used += (size_t)snprintf(line + used, sizeof line - used, " %s", argv[i]);
    cx_error err;
    cx_error_init(&err);
    cx_scenario *s = NULL;
    cx_simulation *sim = NULL;
    char *text = NULL;
    cx_report_options ro = {line, NULL, NULL};
    cx_link *lk = NULL;
    /* an output that cannot be created is found before the simulation runs */
    if (cx_output_check(out, &err) != CX_OK)
        return cli_fail(&err);
    cx_warnings *notes = cx_warnings_new(); /* about reading the data: on stderr, not in the result */
    o.notes = notes;
    if (!notes || (files && cx_link_run(files[0], files[1], &lo, &lk, NULL, &err) != CX_OK) ||
        ((ro.link = lk), cx_scenario_load(path, &s, &err) != CX_OK) || cx_simulate(s, &o, &sim, &err) != CX_OK ||
        (json && cx_simulation_json(sim, &text, &err) != CX_OK) || cx_report_write(s, sim, out, &ro, &err) != CX_OK) {
        if (!notes)
            cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        cli_print_notes(notes);
        cx_warnings_free(notes);
        cx_free_string(text);
        cx_simulation_free(sim);
        cx_scenario_free(s);
        cx_link_free(lk);
        free(files);
        free(by);
        return cli_fail(&err);
    }
    cli_print_notes(notes);
    cx_warnings_free(notes);
    int rc = EXIT_OK;
    if (json)
        fputs(text, stdout);
    else
        printf("%s: written\n", out);
    if (pdf) {
        fflush(stdout);
        rc = print_pdf(soffice, out);
    }
    if (fflush(stdout) != 0)
        rc = EXIT_IOERR;
    cx_free_string(text);
    cx_simulation_free(sim);
    cx_scenario_free(s);
    cx_link_free(lk);
    free(files);
    free(by);
    return rc;
}
