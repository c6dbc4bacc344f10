/*
 * cmd_simulate.c - `cxcase simulate`: run a scenario file and print the
 * business case of each scenario.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "../core/core.h"

static const char usage_text[] =
    "usage: cxcase simulate SCENARIO.json [--json] [--draws N] [--seed S] [--threads N]\n"
    "       [--text COLUMNS] [--record LEDGER.jsonl]\n"
    "\n"
    "Run a scenario file: read its data into a panel, fit its model (or read the\n"
    "fitted model it names, as cxcase fit --json writes it), project every\n"
    "scenario quarter by quarter through the equations (per unit, at the data's own\n"
    "frequency, lags included), value it (cash flow, NPV, IRR, payback, ROI), and run\n"
    "the Monte Carlo simulation of the coefficients and every uncertain effect and\n"
    "cost.  Prints a summary table per scenario, or with --json the whole result\n"
    "(README \"cxcase simulate\").\n"
    "\n"
    "  --json        the result as JSON on stdout\n"
    "  --draws N     Monte Carlo draws (default: the file's simulation.draws, else 10000)\n"
    "  --seed S      random seed, 0 to 4294967295 (default: the file's simulation.seed)\n"
    "  --threads N   threads, 1 to 16 (default 2); the result does not depend on it\n"
    "  --text COLUMNS  read these columns of the data as text (codes that look like\n"
    "                numbers, for C(x))\n"
    "  --record LEDGER.jsonl  append the case as decided to this ledger (created when\n"
    "                absent; README \"The ledger\"), only if the ledger verifies\n"
    "  --max-line SIZE  the longest CSV record read, in bytes (k, M, G: powers of\n"
    "                 1024; default 16M); a longer one is an error\n"
    "  --max-json SIZE  the largest JSON file read (default 64M)\n"
    "\n"
    "The same inputs and seed give byte-identical output.\n"
    "\n"
    "exit status: 0 done, 1 the run failed, 64 bad usage, 65 the scenario, its data or\n"
    "its model is wrong, or the ledger does not verify, 66 the scenario file cannot be\n"
    "opened, 73 the new ledger cannot be created, 74 an I/O error.\n";


static double get(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static void summary(const cJSON *r)
{
    printf("%s (%s): %s to %s, %.0f draws, seed %.0f\n\n",
           cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring,
           cJSON_GetObjectItemCaseSensitive(r, "currency")->valuestring,
           cJSON_GetObjectItemCaseSensitive(r, "start")->valuestring,
           cJSON_GetObjectItemCaseSensitive(r, "end")->valuestring, get(r, "draws"), get(r, "seed"));
    printf("%-28s %14s %29s %9s %8s %8s %7s\n", "scenario", "NPV", "P10 .. P90", "P(NPV>0)", "IRR", "payback",
           "dNPS");
    const cJSON *sc;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(r, "scenarios")) {
        const cJSON *npv = cJSON_GetObjectItemCaseSensitive(sc, "npv");
        char a[48], b[48], c[48], range[100], irr[32];
        snprintf(range, sizeof range, "%s .. %s", cx_money_text(get(npv, "p10"), b, sizeof b),
                 cx_money_text(get(npv, "p90"), c, sizeof c));
        double i = get(sc, "irr");
        if (isfinite(i))
            snprintf(irr, sizeof irr, "%.1f%%", 100 * i);
        else
            snprintf(irr, sizeof irr, "none");
        const cJSON *pb = cJSON_GetObjectItemCaseSensitive(sc, "payback_quarter");
        printf("%-28.28s %14s %29s %9.3f %8s %8s %+7.2f\n", cJSON_GetObjectItemCaseSensitive(sc, "name")->valuestring,
               cx_money_text(get(npv, "base"), a, sizeof a), range, get(sc, "prob_npv_positive"), irr,
               cJSON_IsString(pb) ? pb->valuestring : "none",
               get(cJSON_GetObjectItemCaseSensitive(sc, "delta_nps"), "base"));
    }
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(r, "portfolio");
    if (cJSON_IsObject(pf)) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(pf, "chosen"), *id;
        char a[48], b[48];
        printf("\nPortfolio within the budget of %s: ", cx_money_text(get(pf, "budget"), a, sizeof a));
        int n = 0;
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(ch, "initiatives"))
            printf("%s%s", n++ ? ", " : "", id->valuestring);
        if (!n)
            printf("nothing (no initiative adds expected value)\n");
        else
            printf("\n  cost %s, expected NPV %s, P(NPV>0) %.3f\n", cx_money_text(get(ch, "cost"), a, sizeof a),
                   cx_money_text(get(ch, "expected_npv"), b, sizeof b), get(ch, "prob_npv_positive"));
    }
    int any = 0;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(r, "scenarios")) {
        const cJSON *w;
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(sc, "warnings")) {
            if (!any++)
                printf("\nWarnings:\n");
            printf("  - %s: %s\n", cJSON_GetObjectItemCaseSensitive(sc, "name")->valuestring, w->valuestring);
        }
    }
    const cJSON *w;
    int nw = 0;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(r, "warnings")) {
        if (!nw++)
            printf("\nData and model:\n");
        printf("  - %s\n", w->valuestring);
    }
    printf("\nNPV at the point estimates; P10 .. P90 and P(NPV>0) from the draws. Full detail: --json.\n");
}

int cmd_simulate(int argc, char **argv)
{
    const char *cmd = "simulate", *path = NULL, *ledger = NULL;
    int json = 0;
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
        else if (strcmp(a, "--record") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0])
                return cli_usage_error(cmd, "option '--record' needs a ledger file");
            ledger = argv[++i];
        }
        else if ((rc = cli_sim_option(cmd, argc, argv, &i, &o)) >= 0 ||
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
    if (!path)
        return cli_usage_error(cmd, "expected a scenario file");
    cx_error err;
    cx_error_init(&err);
    cx_scenario *s = NULL;
    cx_simulation *sim = NULL;
    char *text = NULL;
    /* a ledger that does not verify is refused before the run, and again
     * when the record is appended */
    struct stat lst;
    if (ledger && stat(ledger, &lst) == 0 && cx_ledger_verify(ledger, NULL, &err) != CX_OK)
        return cli_fail(&err);
    size_t seq = 0;
    cx_warnings *notes = cx_warnings_new(); /* about reading the data: on stderr, not in the result */
    o.notes = notes;
    if (!notes || cx_scenario_load(path, &s, &err) != CX_OK || cx_simulate(s, &o, &sim, &err) != CX_OK ||
        cx_simulation_json(sim, &text, &err) != CX_OK ||
        (ledger && cx_ledger_record_case(ledger, s, sim, &seq, &err) != CX_OK)) {
        if (!notes)
            cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        cli_print_notes(notes);
        cx_warnings_free(notes);
        cx_free_string(text);
        cx_simulation_free(sim);
        cx_scenario_free(s);
        return cli_fail(&err);
    }
    cli_print_notes(notes);
    cx_warnings_free(notes);
    int rc = EXIT_OK;
    if (json)
        fputs(text, stdout);
    else {
        cJSON *doc = cJSON_Parse(text);
        if (doc)
            summary(doc);
        else
            rc = EXIT_RUN;
        cJSON_Delete(doc);
        if (ledger)
            printf("\nRecorded as case %zu of %s.\n", seq, ledger);
    }
    if (fflush(stdout) != 0)
        rc = EXIT_IOERR;
    cx_free_string(text);
    cx_simulation_free(sim);
    cx_scenario_free(s);
    return rc;
}
