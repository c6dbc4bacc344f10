/*
 * cmd_fit.c - `cxcase fit`: estimate the equations of a model specification
 * (or one equation given on the command line) and report them like R's
 * summary(lm), or as JSON.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cxcase/model.h"
#include "../core/core.h"
#include "../core/jsonin.h"
#include "../model/model_internal.h"

static const char usage_text[] =
    "usage: cxcase fit DATA.csv... --model SPEC.json [options]\n"
    "       cxcase fit DATA.csv -y TARGET -x TERM,TERM,... [--no-intercept] [options]\n"
    "       cxcase fit --partial DATA.csv... (--model SPEC.json | -y/-x) -o PART.json\n"
    "       cxcase fit --merge PART.json... [-o FITTED.json] [--json]\n"
    "\n"
    "Fit linear equations by least squares with full inference: coefficients,\n"
    "standard errors, t and p values, 95%% intervals, VIF, R^2, F, AIC/BIC,\n"
    "Durbin-Watson (within units, in period order), Breusch-Pagan, Jarque-Bera\n"
    "and the condition number, with warnings in words.\n"
    "\n"
    "One DATA file is streamed in blocks: memory does not grow with its rows,\n"
    "and the file is read two or three times.  Several DATA files (department\n"
    "exports) are joined on period and unit first, in memory, like `cxcase panel`.\n"
    "Rows missing a value an equation uses (lags at the start of every unit) are\n"
    "dropped and counted.\n"
    "\n"
    "Terms: a column, log(x), lag(x, k), x^2, a:b (interaction), C(x) (one\n"
    "coefficient per level but the first in sorted order), C(quarter) (seasonality).\n"
    "A column name with spaces or parentheses goes between backticks, as in R:\n"
    "-x '`Handling time (s)`,log(`Omzet excl. btw`)'.  lag(x, k) and --holdout\n"
    "count periods of the data's cadence: years for one date a year (README\n"
    "\"Periods, lags and holdouts\").\n"
    "\n"
    "options:\n"
    "  --model SPEC       a model specification (see models/cx_chain.json)\n"
    "  -y TARGET          the target column of a one-equation fit\n"
    "  -x TERMS           its terms, comma-separated: -x 'conversion,lag(nps, 4)'\n"
    "  --no-intercept     fit without an intercept\n"
    "  --holdout N        fit on all but the last N periods of every unit and report\n"
    "                     RMSE, MAE and MAPE of the forecasts for them beside the\n"
    "                     in-sample figures\n"
    "  --se KIND          standard errors for every equation: classic, hc1, hc3\n"
    "                     (heteroskedasticity-robust) or cluster (by unit)\n"
    "  --responses FILE   survey responses to aggregate and join (columns nps,\n"
    "                     nps_n, nps_se, ...): a term using nps is then corrected\n"
    "                     for the survey's error, and weights \"precision\" on the\n"
    "                     target nps are the random-effects meta-regression\n"
    "  --partial          fit one partition of the data where it lives and write its\n"
    "                     state (the QR factor of its rows and their moments, a few\n"
    "                     kB) to -o; split the data by unit so lags find their history\n"
    "  --merge            combine partial fits of one specification into the model\n"
    "                     one fit of all the rows gives (classic or clustered\n"
    "                     standard errors; residual diagnostics need the rows)\n"
    "  -o, --output FILE  write the fitted model as JSON to FILE\n"
    "  --json             print the fitted model as JSON on stdout\n"
    "  --scale SCALE      the scale of --responses: nps (default), csat, ces or rating\n"
    "  --score COLUMN     their score column (default: score)\n"
    "  --sep, --decimal, --encoding, --text, --rename, --date-format\n"
    "                     how to read the files, as for `cxcase panel`\n"
    "  --max-line SIZE    the longest record read, in bytes (k, M, G: powers of\n"
    "                     1024; default 16M); a longer one is an error\n"
    "  --max-json SIZE    the largest specification or partial fit read (default 64M)\n"
    "  -h, --help         show this help\n"
    "\n"
    "DATA may be a pipe or - (standard input): it is read once, into a temporary\n"
    "file (in TMPDIR, removed as it is made) that the later passes read.\n"
    "\n"
    "Methods (in a specification): \"ols\" (default; streamed), \"ridge\" (penalty\n"
    "on standardised columns chosen by generalised cross-validation unless\n"
    "\"lambda\" is given) and \"robust\" (Huber, or \"psi\": \"bisquare\").  Ridge and\n"
    "robust fits hold the design in memory and refuse designs above 256 MiB.\n"
    "Survey scores: a column x with x_se and x_n beside it (or one declared by\n"
    "\"measurement_error\": {\"x\": \"x_se\"}) is corrected for its sampling error\n"
    "(errors-in-variables, method \"eiv\", sandwich standard errors; {} turns it\n"
    "off); a target with \"weights\": \"precision\" is a random-effects\n"
    "meta-regression, weights 1/(tau2 + SE^2) with tau2 by REML (\"tau2\": 0 keeps\n"
    "1/SE^2).\n"
    "exit status: 0 ok, 1 numerical failure, 64 bad usage, 65 bad input data (also\n"
    "a rank-deficient design), 66 input cannot be opened, 73 output cannot be created.\n";

enum { OPT_MODEL = 256, OPT_SCALE, OPT_SCORE, OPT_NOINT, OPT_HOLDOUT, OPT_PARTIAL, OPT_MERGE, OPT_SE, OPT_RESPONSES, OPT_JSON,
       OPT_SEP, OPT_DECIMAL, OPT_ENCODING, OPT_TEXT, OPT_RENAME, OPT_DATE_FORMAT, OPT_MAX_LINE, OPT_MAX_JSON };

static const struct option options[] = {
    {"model", required_argument, NULL, OPT_MODEL},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"score", required_argument, NULL, OPT_SCORE},
    {"no-intercept", no_argument, NULL, OPT_NOINT},
    {"holdout", required_argument, NULL, OPT_HOLDOUT},
    {"partial", no_argument, NULL, OPT_PARTIAL},
    {"merge", no_argument, NULL, OPT_MERGE},
    {"se", required_argument, NULL, OPT_SE},
    {"responses", required_argument, NULL, OPT_RESPONSES},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"sep", required_argument, NULL, OPT_SEP},
    {"decimal", required_argument, NULL, OPT_DECIMAL},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"text", required_argument, NULL, OPT_TEXT},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"max-json", required_argument, NULL, OPT_MAX_JSON},
    {"rename", required_argument, NULL, OPT_RENAME},
    {"date-format", required_argument, NULL, OPT_DATE_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static const char *stars(double p)
{
    return p < 0.001 ? "***" : p < 0.01 ? "**" : p < 0.05 ? "*" : p < 0.1 ? "." : "";
}

static void fmt_num(char *buf, size_t n, double v)
{
    if (!isfinite(v))
        snprintf(buf, n, "-");
    else if (v != 0 && (fabs(v) < 1e-4 || fabs(v) >= 1e7))
        snprintf(buf, n, "%.4e", v);
    else
        snprintf(buf, n, "%.6g", v);
}

static void fmt_p(char *buf, size_t n, double p)
{
    if (!isfinite(p))
        snprintf(buf, n, "-");
    else if (p < 2.2e-16)
        snprintf(buf, n, "< 2e-16");
    else
        snprintf(buf, n, "%.3g", p);
}

/* Display width of UTF-8 text: one column per code point. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* The estimator's own lines: what the standard errors are, the terms
 * measured with error with their naive estimates, tau^2. */
/* The estimator's own lines: the terms measured with error with the naive
 * estimates beside the corrected ones, or tau^2. */
static void print_method(const cx_equation *e)
{
    const char *m = cx_equation_method(e);
    if (strcmp(m, "eiv") == 0) {
        printf("Measurement error corrected (errors-in-variables, Fuller 1987). Standard errors: %s\n"
               "sandwich of the estimating equations (classic least-squares ones are not valid here).\n",
               cx_equation_se_kind(e) == CX_SE_CLUSTER ? "clustered-by-unit" : "HC1");
        const double *nc = cx_equation_naive_coef(e), *ns = cx_equation_naive_se(e);
        printf("  %-20s %26s %26s  %11s\n", "term", "naive (SE)", "corrected (SE)", "reliability");
        for (size_t k = 0; k < cx_equation_nme(e); k++) {
            const char *col, *se;
            double rel, ev;
            const char *term = cx_equation_me(e, k, &col, &se, &rel, &ev);
            size_t j = cx_equation_coef_index(e, term);
            if (j == cx_equation_ncoef(e))
                continue;
            char c[32], s2[32], cn[32], sn[32], a[80], b[80];
            fmt_num(c, sizeof c, cx_equation_coef(e)[j]);
            fmt_num(s2, sizeof s2, cx_equation_se(e)[j]);
            fmt_num(cn, sizeof cn, nc ? nc[j] : NAN);
            fmt_num(sn, sizeof sn, ns ? ns[j] : NAN);
            snprintf(a, sizeof a, "%s (%s)", cn, sn);
            snprintf(b, sizeof b, "%s (%s)", c, s2);
            printf("  %-20s %26s %26s  %11.3f   (mean error variance %.4g, from '%s')\n", term, a, b, rel, ev, se);
        }
        printf("\n");
    } else if (strcmp(m, "reml") == 0) {
        printf("Random-effects meta-regression: weights 1/(tau2 + SE^2), tau2 = %.6g (SE %.4g) by REML;\n"
               "tests and intervals on the normal distribution, as metafor::rma\n\n",
               cx_equation_stat(e, CX_STAT_TAU2), cx_equation_stat(e, CX_STAT_TAU2_SE));
    }
}

static void print_equation(const cx_equation *e)
{
    size_t p = cx_equation_ncoef(e);
    printf("%s\n", cx_equation_target(e));
    printf("n = %.0f", cx_equation_stat(e, CX_STAT_N));
    if (cx_equation_stat(e, CX_STAT_N_DROPPED) > 0)
        printf(" (%.0f rows dropped for missing values)", cx_equation_stat(e, CX_STAT_N_DROPPED));
    printf("\n\n");
    size_t w = 11;
    for (size_t j = 0; j < p; j++)
        if (width(cx_equation_coef_name(e, j)) > w)
            w = width(cx_equation_coef_name(e, j));
    printf("%-*s  %12s  %12s  %8s  %9s      %25s  %6s\n", (int)w, "", "Estimate", "Std. Error", "t value",
           "Pr(>|t|)", "95% interval", "VIF");
    for (size_t j = 0; j < p; j++) {
        char c[32], s[32], t[32], pv[32], lo[32], hi[32], v[32], iv[80];
        fmt_num(c, sizeof c, cx_equation_coef(e)[j]);
        fmt_num(s, sizeof s, cx_equation_se(e)[j]);
        double tv = cx_equation_t(e)[j];
        if (isfinite(tv))
            snprintf(t, sizeof t, "%.3f", tv);
        else
            snprintf(t, sizeof t, isnan(tv) ? "fixed" : "-");
        fmt_p(pv, sizeof pv, cx_equation_p(e)[j]);
        fmt_num(lo, sizeof lo, cx_equation_ci_low(e)[j]);
        fmt_num(hi, sizeof hi, cx_equation_ci_high(e)[j]);
        snprintf(iv, sizeof iv, "[%s, %s]", lo, hi);
        double vif = cx_equation_vif(e)[j];
        if (isfinite(vif))
            snprintf(v, sizeof v, "%.2f", vif);
        else
            snprintf(v, sizeof v, " ");
        const char *name = cx_equation_coef_name(e, j);
        printf("%s%*s  %12s  %12s  %8s  %9s %-3s  %25s  %6s\n", name, (int)(w - width(name)), "", c, s, t, pv,
               stars(cx_equation_p(e)[j]), iv, v);
    }
    printf("---\nSignif. codes:  0 '***' 0.001 '**' 0.01 '*' 0.05 '.' 0.1 ' ' 1\n\n");
    print_method(e);
    char buf[32], fp[32];
    double df = cx_equation_stat(e, CX_STAT_DF_RESID);
    if (strcmp(cx_equation_method(e), "reml") == 0)
        printf("Residual standard error of the weighted residuals: %.6g on %.*f degrees of freedom (about 1\n"
               "when tau2 + SE^2 is each row's variance)\n",
               cx_equation_stat(e, CX_STAT_SIGMA), df == floor(df) ? 0 : 1, df);
    else
        printf("Residual standard error: %.6g on %.*f degrees of freedom\n", cx_equation_stat(e, CX_STAT_SIGMA),
               df == floor(df) ? 0 : 1, df);
    printf("Multiple R-squared: %.4f,  Adjusted R-squared: %.4f\n", cx_equation_stat(e, CX_STAT_R2),
           cx_equation_stat(e, CX_STAT_ADJ_R2));
    fmt_p(fp, sizeof fp, cx_equation_stat(e, CX_STAT_F_P));
    fmt_num(buf, sizeof buf, cx_equation_stat(e, CX_STAT_F));
    if (isfinite(cx_equation_stat(e, CX_STAT_F)))
        printf("F-statistic: %s,  p-value: %s\n", buf, fp);
    if (isfinite(cx_equation_stat(e, CX_STAT_LOGLIK)))
        printf("Log-likelihood: %.6g,  AIC: %.6g,  BIC: %.6g\n", cx_equation_stat(e, CX_STAT_LOGLIK),
               cx_equation_stat(e, CX_STAT_AIC), cx_equation_stat(e, CX_STAT_BIC));
    char bp[32], jb[32];
    fmt_p(bp, sizeof bp, cx_equation_stat(e, CX_STAT_BP_P));
    fmt_p(jb, sizeof jb, cx_equation_stat(e, CX_STAT_JB_P));
    if (isfinite(cx_equation_stat(e, CX_STAT_DW)) || isfinite(cx_equation_stat(e, CX_STAT_BP)) ||
        isfinite(cx_equation_stat(e, CX_STAT_JB))) {
        char dw[32], bps[32], jbs[32];
        fmt_num(dw, sizeof dw, cx_equation_stat(e, CX_STAT_DW));
        fmt_num(bps, sizeof bps, cx_equation_stat(e, CX_STAT_BP));
        fmt_num(jbs, sizeof jbs, cx_equation_stat(e, CX_STAT_JB));
        printf("Durbin-Watson: %s,  Breusch-Pagan: %s (p %s),  Jarque-Bera: %s (p %s)\n", dw, bps,
               bp, jbs, jb);
    } else
        printf("Residual diagnostics: not available (they need the rows)\n");
    printf("Condition number (scaled columns): %.3g\n", cx_equation_stat(e, CX_STAT_CONDITION));
    /* MAPE divides by the target: on a score around zero (NPS runs from -100
     * to 100) it says nothing, so it is shown only for a target of one sign */
    double lo = NAN, hi = NAN;
    for (size_t k = 0; k < e->nranges; k++)
        if (strcmp(e->ranges[k].col, cx_equation_target(e)) == 0)
            lo = e->ranges[k].min, hi = e->ranges[k].max;
    int mape = lo > 0 || hi < 0;
    char in_mape[48] = "", ho_mape[48] = "";
    if (mape) {
        snprintf(in_mape, sizeof in_mape, ", MAPE %.3g%%", cx_equation_stat(e, CX_STAT_IN_MAPE));
        snprintf(ho_mape, sizeof ho_mape, ", MAPE %.3g%%", cx_equation_stat(e, CX_STAT_HOLDOUT_MAPE));
    }
    if (isfinite(cx_equation_stat(e, CX_STAT_IN_RMSE)))
        printf("Fit errors in sample: RMSE %.6g, MAE %.6g%s\n", cx_equation_stat(e, CX_STAT_IN_RMSE),
               cx_equation_stat(e, CX_STAT_IN_MAE), in_mape);
    if (cx_equation_stat(e, CX_STAT_HOLDOUT_N) > 0)
        printf("Forecast errors on %.0f held-out rows: RMSE %.6g, MAE %.6g%s\n",
               cx_equation_stat(e, CX_STAT_HOLDOUT_N), cx_equation_stat(e, CX_STAT_HOLDOUT_RMSE),
               cx_equation_stat(e, CX_STAT_HOLDOUT_MAE), ho_mape);
    if (!mape && isfinite(lo) && isfinite(cx_equation_stat(e, CX_STAT_IN_RMSE)))
        printf("(no MAPE: %s runs from %.4g to %.4g, through zero, where errors in percent of the value mean "
               "nothing; read the RMSE and MAE, in its own units)\n", cx_equation_target(e), lo, hi);
    const cx_warnings *ws = cx_equation_warnings(e);
    if (cx_warnings_count(ws)) {
        printf("\nWarnings:\n");
        for (size_t i = 0; i < cx_warnings_count(ws); i++)
            printf("  - %s\n", cx_warnings_get(ws, i));
    }
}

/* Read the data files and join them (with the aggregated survey score) in
 * memory. */
static cx_status load_panel(char **files, size_t n, const char *responses, const cx_survey_options *so,
                            const cx_csv_options *copt, cx_table **panel, cx_warnings *warn, cx_error *err)
{
    return cx_panel_load((const char *const *)files, n, responses, so, copt, NULL, 0, panel, NULL, warn, err);
}

/* Print or write a fitted model: JSON to a file and/or stdout, or the summary. */
static int emit_model(cx_model *m, const cx_warnings *warn, const char *out, int json)
{
    cx_error err;
    cx_error_init(&err);
    char *text = NULL;
    cx_status st = CX_OK;
    if (json || out)
        st = cx_model_json(m, &text, &err);
    if (st == CX_OK && out) {
        cx_outfile of;
        st = cx_outfile_open(&of, out, &err);
        if (st == CX_OK) {
            fputs(text, of.fp);
            fputc('\n', of.fp);
            st = cx_outfile_commit(&of, &err);
        }
    }
    int rc;
    if (st != CX_OK)
        rc = cli_fail(&err);
    else if (json)
        rc = fputs(text, stdout) < 0 || fputc('\n', stdout) == EOF || fflush(stdout) ? EXIT_IOERR : EXIT_OK;
    else {
        for (size_t i = 0; i < cx_model_nequations(m); i++) {
            if (i)
                printf("\n================================================================\n\n");
            print_equation(cx_model_equation(m, i));
        }
        for (size_t i = 0; i < cx_warnings_count(warn); i++) {
            const char *w = cx_warnings_get(warn, i);
            /* equation warnings were printed with their equation */
            int shown = 0;
            for (size_t k = 0; k < cx_model_nequations(m) && !shown; k++) {
                const cx_equation *e = cx_model_equation(m, k);
                size_t tl = strlen(cx_equation_target(e));
                shown = strncmp(w, cx_equation_target(e), tl) == 0 && w[tl] == ':';
            }
            if (!shown)
                fprintf(stderr, "warning: %s\n", w);
        }
        if (out)
            printf("\nwrote the fitted model to %s\n", out);
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }
    cx_free_string(text);
    return rc;
}

/* --merge: read the partial fits and combine them. */
static int merge_partials(char **files, size_t n, const char *out, int json)
{
    cx_error err;
    cx_error_init(&err);
    char **texts = calloc(n + 1, sizeof(char *));
    cx_status st = texts ? CX_OK : cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    /* read as every JSON input is: a directory or a device is refused
     * (exit 66), a file above --max-json is an error */
    for (size_t k = 0; k < n && st == CX_OK; k++) {
        size_t len;
        st = cx_json_read_file(files[k], &texts[k], &len, &err);
        if (st == CX_OK && strlen(texts[k]) != len)
            st = cx_error_set(&err, CX_ESYNTAX, files[k], 0, 0, "invalid JSON: expected text, found a NUL byte");
    }
    cx_model *m = NULL;
    cx_warnings *warn = cx_warnings_new();
    if (st == CX_OK)
        st = cx_fit_merge((const char *const *)texts, (const char *const *)files, n, &m, warn, &err);
    int rc = st == CX_OK ? emit_model(m, warn, out, json) : cli_fail(&err);
    for (size_t k = 0; texts && k < n; k++)
        cx_free(texts[k]);
    free(texts);
    cx_model_free(m);
    cx_warnings_free(warn);
    return rc;
}

/* --se KIND for every equation: 0, or 64 after the message. */
static int se_option(const char *cmd, const char *arg, cx_fit_options *fopt)
{
    static const char *const names[] = {"classic", "hc1", "hc3", "cluster"};
    static const cx_se_kind kinds[] = {CX_SE_CLASSIC, CX_SE_HC1, CX_SE_HC3, CX_SE_CLUSTER};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
        if (strcmp(arg, names[k]) == 0) {
            fopt->force_se = 1;
            fopt->se = kinds[k];
            return 0;
        }
    return cli_usage_error(cmd, "--se takes classic, hc1, hc3 or cluster, not '%s'", arg);
}

int cmd_fit(int argc, char **argv)
{
    const char *cmd = "fit";
    cx_csv_options copt;
    memset(&copt, 0, sizeof copt);
    cx_fit_options fopt;
    memset(&fopt, 0, sizeof fopt);
    cx_survey_options sopt;
    memset(&sopt, 0, sizeof sopt);
    const char *scale = NULL;
    const char *model = NULL, *target = NULL, *xs = NULL, *out = NULL, *responses = NULL;
    int intercept = 1, json = 0, partial = 0, merge = 0, c, rc;

    int li = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "hy:x:o:", options, &li)) != -1) {
        switch (c) {
        case 'h': printf(usage_text); return EXIT_OK;
        case OPT_MODEL: model = optarg; break;
        case OPT_SCALE:
            if (cx_scale_from_name(optarg, &sopt.scale) != CX_OK)
                return cli_usage_error(cmd, "--scale takes nps, csat, ces or rating, not '%s'", optarg);
            scale = optarg;
            break;
        case OPT_SCORE: sopt.score = optarg; break;
        case 'y': target = optarg; break;
        case 'x': xs = optarg; break;
        case OPT_NOINT: intercept = 0; break;
        case OPT_PARTIAL: partial = 1; break;
        case OPT_MERGE: merge = 1; break;
        case OPT_HOLDOUT: {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 100000)
                return cli_usage_error(cmd, "--holdout takes a number of periods from 1, not '%s'", optarg);
            fopt.holdout = (size_t)v;
            break;
        }
        case OPT_SE:
            if ((rc = se_option(cmd, optarg, &fopt)) != 0)
                return rc;
            break;
        case OPT_RESPONSES: responses = optarg; break;
        case 'o': out = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_SEP:
        case OPT_DECIMAL:
        case OPT_ENCODING:
        case OPT_TEXT:
        case OPT_RENAME:
        case OPT_DATE_FORMAT:
            rc = cli_csv_option(cmd, options[li].name, optarg, &copt);
            if (rc)
                return rc;
            break;
        case OPT_MAX_LINE:
        case OPT_MAX_JSON:
            if ((rc = cli_limit_option(cmd, c == OPT_MAX_LINE ? "max-line" : "max-json", optarg)) != 0)
                return rc;
            break;
        default:
            if (optopt && optopt < 256)
                return cli_usage_error(cmd, "unknown option '-%c' or missing value", optopt);
            return cli_usage_error(cmd, "unknown option or missing value in '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc)
        return cli_usage_error(cmd, merge ? "expected partial fits to merge" : "expected at least one data file");
    if (partial && merge)
        return cli_usage_error(cmd, "give --partial or --merge, not both");
    if (partial && !out)
        return cli_usage_error(cmd, "--partial writes its state to a file: give -o PART.json");
    if ((scale || sopt.score) && !responses)
        return cli_usage_error(cmd, "--%s goes with --responses (the survey file it describes)", scale ? "scale" : "score");
    if (merge) {
        if (model || target || xs || responses || fopt.holdout)
            return cli_usage_error(cmd, "--merge takes partial fits only (their specification is inside)");
        return merge_partials(argv + optind, (size_t)(argc - optind), out, json);
    }
    if (model && (target || xs))
        return cli_usage_error(cmd, "give either --model or -y/-x, not both");
    if (!model && !(target && xs))
        return cli_usage_error(cmd, "expected --model SPEC.json, or -y TARGET with -x TERMS");
    if (!intercept && model)
        return cli_usage_error(cmd, "--no-intercept goes with -y/-x; a specification says \"intercept\": false");

    fopt.sha256 = json || out; /* the model's JSON records the file's SHA-256 */

    cx_error err;
    cx_error_init(&err);
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_table *panel = NULL;
    cx_warnings *warn = cx_warnings_new();
    char **terms = NULL;
    char *text = NULL;
    cx_warnings *notes = cx_warnings_new();
    copt.notes = notes; /* what the reading says (times ignored): on stderr */
    cx_status st = warn && notes ? CX_OK : cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CX_OK && model)
        st = cx_spec_load(model, &spec, &err);
    else if (st == CX_OK) {
        size_t nt = 0;
        terms = cli_split(xs, &nt);
        if (!terms) {
            cx_warnings_free(warn);
            cx_warnings_free(notes);
            return cli_usage_error(cmd, "-x takes terms separated by commas, not '%s'", xs);
        }
        st = cx_spec_simple(target, (const char *const *)terms, nt, intercept, &spec, &err);
    }
    size_t nfiles = (size_t)(argc - optind);
    if (st == CX_OK && partial) {
        char *ptext = NULL;
        if (nfiles == 1 && !responses)
            st = cx_fit_partial_csv(spec, argv[optind], &copt, &fopt, &ptext, &err);
        else {
            st = load_panel(argv + optind, nfiles, responses, &sopt, &copt, &panel, warn, &err);
            if (st == CX_OK)
                st = cx_fit_partial_table(spec, panel, &fopt, &ptext, &err);
        }
        if (st == CX_OK) {
            cx_outfile of;
            st = cx_outfile_open(&of, out, &err);
            if (st == CX_OK) {
                fputs(ptext, of.fp);
                fputc('\n', of.fp);
                st = cx_outfile_commit(&of, &err);
            }
        }
        cx_free_string(ptext);
        cli_print_notes(notes);
        cx_warnings_free(notes);
        if (st == CX_OK)
            printf("wrote the partial fit to %s\n", out);
        rc = st == CX_OK ? EXIT_OK : cli_fail(&err);
        free(terms);
        cx_table_free(panel);
        cx_spec_free(spec);
        cx_warnings_free(warn);
        return rc;
    }
    if (st == CX_OK) {
        if (nfiles == 1 && !responses) {
            st = cx_fit_csv(spec, argv[optind], &copt, &fopt, &m, warn, &err);
        } else {
            st = load_panel(argv + optind, nfiles, responses, &sopt, &copt, &panel, warn, &err);
            if (st == CX_OK)
                st = cx_fit_table(spec, panel, &fopt, &m, warn, &err);
            for (size_t i = 0; st == CX_OK && i < nfiles; i++)
                st = cx_model_add_input(m, argv[optind + (int)i], &err);
            if (st == CX_OK && responses)
                st = cx_model_add_input(m, responses, &err);
        }
    }
    if (st == CX_OK && model)
        st = cx_model_add_input(m, model, &err);
    cli_print_notes(notes);
    cx_warnings_free(notes);
    rc = st == CX_OK ? emit_model(m, warn, out, json) : cli_fail(&err);
    cx_free_string(text);
    free(terms);
    cx_table_free(panel);
    cx_model_free(m);
    cx_spec_free(spec);
    cx_warnings_free(warn);
    return rc;
}
