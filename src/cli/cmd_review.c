/*
 * cmd_review.c - `cxcase review LEDGER.jsonl DATA...`: last quarter's
 * approved case against what happened (README "cxcase review").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cli.h"
#include "../core/core.h"

static const char usage_text[] =
    "usage: cxcase review LEDGER.jsonl DATA.csv... [--responses R.csv]... [--case SEQ]\n"
    "       [--scenario NAME] [--quarter 2026Q1] [--realised R.json] [-o REVIEW.xlsx]\n"
    "       [--json] [--record]\n"
    "\n"
    "Judge a case of the ledger (written by `cxcase simulate --record`) against the\n"
    "data of one quarter of its horizon, with the model it was decided on (never\n"
    "refitted): per target (NPS, revenue) the plan, the ex post forecast at the\n"
    "metrics as they turned out and the actual, summed over units as simulate sums\n"
    "them; the gap split exactly into execution, metric drift, response and baseline\n"
    "drift with their standard errors; the realised effect of each initiative by\n"
    "difference-in-differences; and the scores of the forecasts (z, PIT, 80% and 95%\n"
    "band hits, CRPS, interval score); the finance: per initiative the cost variance\n"
    "of the quarters reviewed and the timing (delay x planned quarterly benefit), and\n"
    "the NPV of the approved plan re-forecast with the costs booked, the delays and\n"
    "the share delivered.\n"
    "\n"
    "  --responses R.csv  survey responses (0-10 scores in column \"score\"); repeat it\n"
    "                     for the history's and the quarter's files\n"
    "  --case SEQ         the case record to review (default: the last case)\n"
    "  --scenario NAME    the scenario of the case that was approved (default: its last)\n"
    "  --quarter Q        the quarter to review (default: the last the data reach)\n"
    "  --realised R.json  per initiative the units it reached and the quarter each went\n"
    "                     live, and the costs booked; without it every unit is taken\n"
    "                     as planned and the execution is not separable from the\n"
    "                     metric's drift\n"
    "  -o REVIEW.xlsx     also write the review workbook (Summary, Review waterfall,\n"
    "                     Finance, Track record, Model shift)\n"
    "  --json             the review as JSON on stdout (the same inputs give the same bytes)\n"
    "  --record           append the review to the ledger as a \"review\" record\n"
    "\n"
    "exit status: 0 done, 1 the run failed, 64 bad usage, 65 the ledger, the data or\n"
    "the rollout file is wrong, 66 an input cannot be opened, 73 the new ledger cannot\n"
    "be created, 74 an I/O error.\n";

static double get(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* A figure of target `t` for the terminal: money for sums, points else. */
static const char *fig(double v, int sum, char *buf, size_t size)
{
    if (!isfinite(v))
        snprintf(buf, size, "-");
    else if (sum)
        cx_money_text(v, buf, size);
    else
        snprintf(buf, size, "%+.2f", v);
    return buf;
}

/* The finance part: per initiative the cost variance and the timing, then
 * the NPV from the frozen case to the re-forecast. */
static void finance(const cJSON *fin)
{
    if (!fin)
        return;
    char a[48], b[48], c[48], d[48], e[48];
    printf("\n\nFinance (%.0f quarter%s reviewed)\n", get(fin, "quarters_reviewed"),
           get(fin, "quarters_reviewed") == 1 ? "" : "s");
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(fin, "initiatives")) {
        printf("  %-16s costs planned %s, actual %s%s: variance %s; delay %s quarters, timing %s\n",
               cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "initiative")),
               fig(get(x, "planned_capex") + get(x, "planned_opex"), 1, a, sizeof a),
               fig(get(x, "actual_capex") + get(x, "actual_opex"), 1, b, sizeof b),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "costs_given")) ? "" : " (as planned)",
               fig(get(x, "cost_variance"), 1, c, sizeof c),
               isfinite(get(x, "delay_quarters")) ? (snprintf(d, sizeof d, "%.2f", get(x, "delay_quarters")), d) : "-",
               fig(get(x, "timing"), 1, e, sizeof e));
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(fin, "total"), *n = cJSON_GetObjectItemCaseSensitive(fin, "npv");
    printf("  %-16s cost variance %s, timing %s\n", "total", fig(get(t, "cost_variance"), 1, a, sizeof a),
           fig(get(t, "timing"), 1, b, sizeof b));
    printf("  NPV: frozen %s; costs %s, timing %s, delivery %s; re-forecast %s",
           fig(get(n, "frozen"), 1, a, sizeof a), fig(get(n, "costs"), 1, b, sizeof b),
           fig(get(n, "timing"), 1, c, sizeof c), fig(get(n, "delivery"), 1, d, sizeof d),
           fig(get(n, "reforecast"), 1, e, sizeof e));
    if (isfinite(get(n, "reforecast_se")))
        printf(" (95%% interval %s to %s)", fig(get(n, "low"), 1, a, sizeof a), fig(get(n, "high"), 1, b, sizeof b));
    printf("\n");
}

static void summary(const cJSON *r)
{
    printf("Review of case %.0f (%s), %s\n", get(r, "case"),
           cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "scenario")),
           cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "quarter")));
    const cJSON *t, *p;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(r, "targets")) {
        int sum = strcmp(cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "aggregate")), "sum") == 0;
        char a[48], b[48], c[48], d[48];
        printf("\n%s (%s over %.0f unit-periods)\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "target")),
               sum ? "sum" : "mean", get(t, "rows"));
        printf("  plan %s   ex post %s   actual %s   gap %s\n", fig(get(t, "plan"), sum, a, sizeof a),
               fig(get(t, "ex_post"), sum, b, sizeof b), fig(get(t, "actual"), sum, c, sizeof c),
               fig(get(t, "gap"), sum, d, sizeof d));
        cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "parts")) {
            const cJSON *note = cJSON_GetObjectItemCaseSensitive(p, "note");
            printf("  %-16s %14s  (SE %s)%s%s\n", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(p, "part")),
                   fig(get(p, "value"), sum, a, sizeof a), fig(get(p, "se"), sum, b, sizeof b),
                   note ? "  " : "", note ? note->valuestring : "");
        }
        const cJSON *fa = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(t, "forecast"), "ex_ante");
        printf("  forecast: z %.2f, PIT %.3f, in 80%% band %s, in 95%% band %s, CRPS %s%s\n", get(fa, "z"),
               get(fa, "pit"), cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fa, "in80")) ? "yes" : "no",
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(fa, "in95")) ? "yes" : "no",
               fig(get(fa, "crps"), sum, a, sizeof a),
               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "significant")) ? "  (a significant gap)" : "");
    }
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(r, "initiatives")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "name"));
        const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "initiative"));
        if (name)
            printf("\n%s (%s)", name, id);
        else
            printf("\n%s", id);
        printf(" on %s: planned %+.4g, ", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "metric")),
               get(x, "planned_change"));
        const cJSON *due = cJSON_GetObjectItemCaseSensitive(x, "planned_in_quarter");
        if (cJSON_IsNumber(due) && due->valuedouble == 0)
            printf("not due in %s", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(r, "quarter")));
        else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "separable"))) {
            /* the share's 95% interval: t with the DiD's degrees of freedom */
            double tq = gsl_cdf_tdist_Pinv(0.975, get(x, "df")), s = get(x, "se") / fabs(get(x, "planned_change"));
            printf("realised %+.4g (SE %.2g) per reached unit, %.0f of %.0f units reached; share delivered %.0f%% "
                   "(95%%: %.0f%% to %.0f%%)", get(x, "realised_change"), get(x, "se"), get(x, "units_reached"),
                   get(x, "units"), 100 * get(x, "share_delivered"), 100 * (get(x, "share_delivered") - tq * s),
                   100 * (get(x, "share_delivered") + tq * s));
        } else
            printf("realised effect not separable (no variation in the rollout)");
    }
    finance(cJSON_GetObjectItemCaseSensitive(r, "finance"));
    printf("\nFull detail: --json.\n");
}

int cmd_review(int argc, char **argv)
{
    const char *cmd = "review", *ledger = NULL;
    int json = 0, record = 0;
    const char *xlsx = NULL;
    cx_review_options o;
    memset(&o, 0, sizeof o);
    const char **files = calloc((size_t)argc + 1, sizeof *files);
    const char **responses = calloc((size_t)argc + 1, sizeof *responses);
    if (!files || !responses) {
        free(files);
        free(responses);
        return EXIT_RUN;
    }
    o.responses = responses;
    static const char *const valued[] = {"--responses", "--case", "--scenario", "--quarter", "--realised", "-o", NULL};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int k = 0;
        while (valued[k] && strcmp(a, valued[k]) != 0)
            k++;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(files);
            free(responses);
            fputs(usage_text, stdout);
            return EXIT_OK;
        } else if (strcmp(a, "--json") == 0)
            json = 1;
        else if (strcmp(a, "--record") == 0)
            record = 1;
        else if (valued[k]) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                free(files);
                free(responses);
                return cli_usage_error(cmd, "option '%s' needs a value", a);
            }
            const char *v = argv[++i];
            if (k == 0)
                responses[o.nresponses++] = v;
            else if (k == 1) {
                char *end;
                unsigned long s = strtoul(v, &end, 10);
                if (*end || s == 0 || v[0] == '-') {
                    free(files);
                    free(responses);
                    return cli_usage_error(cmd, "option '--case' needs a record number from 1, found '%s'", v);
                }
                o.seq = s;
            } else if (k == 2)
                o.scenario = v;
            else if (k == 3)
                o.quarter = v;
            else if (k == 4)
                o.realised = v;
            else
                xlsx = v;
        } else if (a[0] == '-' && a[1]) {
            free(files);
            free(responses);
            return cli_usage_error(cmd, "unknown option '%s'", a);
        } else if (!ledger)
            ledger = a;
        else
            files[o.nfiles++] = a;
    }
    if (!ledger || o.nfiles == 0) {
        free(files);
        free(responses);
        return cli_usage_error(cmd, ledger ? "expected the data files of the quarter after the ledger"
                                           : "expected a ledger and the data files of the quarter");
    }
    o.files = files;
    cx_error err;
    cx_error_init(&err);
    char *text = NULL;
    size_t seq = 0;
    cx_warnings *notes = cx_warnings_new();
    if (!notes || cx_review_run(ledger, &o, &text, notes, &err) != CX_OK ||
        (xlsx && cx_review_workbook_write(text, xlsx, &err) != CX_OK) ||
        (record && cx_ledger_record_review(ledger, text, &seq, &err) != CX_OK)) {
        if (!notes)
            cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        cli_print_notes(notes);
        cx_warnings_free(notes);
        cx_free_string(text);
        free(files);
        free(responses);
        return cli_fail(&err);
    }
    cli_print_notes(notes);
    cx_warnings_free(notes);
    free(files);
    free(responses);
    int rc = EXIT_OK;
    if (json) {
        fputs(text, stdout);
        fputc('\n', stdout);
    } else {
        cJSON *doc = cJSON_Parse(text);
        if (doc)
            summary(doc);
        else
            rc = EXIT_RUN;
        cJSON_Delete(doc);
        if (record)
            printf("Recorded as review %zu of %s.\n", seq, ledger);
    }
    if (fflush(stdout) != 0)
        rc = EXIT_IOERR;
    cx_free_string(text);
    return rc;
}
