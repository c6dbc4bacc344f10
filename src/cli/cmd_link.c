/*
 * cmd_link.c - `cxcase link`: survey responses linked to customer records,
 * behaviour per score and category, the logistic regression of leaving,
 * the economics of a point of NPS, and its triangulation with a panel fit.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: cxcase link RESPONSES.csv CUSTOMERS.csv --id COLUMN [options]\n"
    "\n"
    "Join each survey response to its customer's row in a CRM export (one row per\n"
    "customer: an id, the spend in the 12 months after the survey, whether they\n"
    "left, and columns such as tenure, segment and region), then show what a\n"
    "promoter is worth: retention (Wilson 95%% intervals) and mean spend per\n"
    "category and per score, the promoter - detractor differences, a logistic\n"
    "regression of leaving (as R's glm(family = binomial)), spend on category and\n"
    "score (least squares), the lifetime value per category and the value of one\n"
    "point of NPS (README, \"What a customer is worth\").\n"
    "\n"
    "options:\n"
    "  --id COLUMN        the customer id column of both files (required)\n"
    "  --churn COLUMN     the customers' 0/1 column, 1 = left (default: churned)\n"
    "  --value COLUMN     the customers' spend column (default: value_12m)\n"
    "  --score COLUMN     the responses' 0-10 score column (default: score)\n"
    "  --by COLUMNS       customer columns the regressions adjust for, comma-separated:\n"
    "                     a text column as categories (segment, region), a number as it\n"
    "                     is (tenure_years); any model-spec term is allowed\n"
    "  --last             one row per customer, their last response (by the responses'\n"
    "                     date); default: one row per response\n"
    "  --on WHAT          the logistic regression's predictor: category (default) or score\n"
    "  --margin M         gross margin of the lifetime value (default 1: the spend itself)\n"
    "  --discount D       yearly discount rate of the lifetime value (default 0.08)\n"
    "  --unit COLUMN      the customers' unit column: the value of a point of NPS per\n"
    "                     unit and period (default: region when the file has it)\n"
    "  --per KIND         the panel's period: week (default), month, quarter or year\n"
    "  --model FITTED.json  a fitted panel model (cxcase fit -o): its value of a point\n"
    "                     of NPS beside the customer-level one, and whether they agree\n"
    "  --term NAME        the model's NPS coefficient (default: the first with 'nps' in\n"
    "                     the revenue equation)\n"
    "  -o, --output FILE  write the linked rows as CSV\n"
    "  --json             print the results as JSON\n"
    "  -h, --help         show this help\n"
    "\n"
    "exit status: 0 ok, 1 the fit failed, 64 bad usage, 65 bad input data (a customer\n"
    "id on two rows, churn not 0/1, no id in common, separation in the logistic fit),\n"
    "66 input cannot be opened, 73 output cannot be created, 74 I/O error.\n";

enum { OPT_ID = 256, OPT_CHURN, OPT_VALUE, OPT_SCORE, OPT_BY, OPT_LAST, OPT_ON, OPT_MARGIN, OPT_DISCOUNT,
       OPT_UNIT, OPT_PER, OPT_MODEL, OPT_TERM, OPT_JSON, OPT_SEP, OPT_DECIMAL, OPT_ENCODING, OPT_TEXT,
       OPT_RENAME, OPT_DATE_FORMAT };

static const struct option options[] = {
    {"id", required_argument, NULL, OPT_ID},
    {"churn", required_argument, NULL, OPT_CHURN},
    {"value", required_argument, NULL, OPT_VALUE},
    {"score", required_argument, NULL, OPT_SCORE},
    {"by", required_argument, NULL, OPT_BY},
    {"last", no_argument, NULL, OPT_LAST},
    {"on", required_argument, NULL, OPT_ON},
    {"margin", required_argument, NULL, OPT_MARGIN},
    {"discount", required_argument, NULL, OPT_DISCOUNT},
    {"unit", required_argument, NULL, OPT_UNIT},
    {"per", required_argument, NULL, OPT_PER},
    {"model", required_argument, NULL, OPT_MODEL},
    {"term", required_argument, NULL, OPT_TERM},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"sep", required_argument, NULL, OPT_SEP},
    {"decimal", required_argument, NULL, OPT_DECIMAL},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"text", required_argument, NULL, OPT_TEXT},
    {"rename", required_argument, NULL, OPT_RENAME},
    {"date-format", required_argument, NULL, OPT_DATE_FORMAT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct args {
    cx_link_options o;
    cx_csv_options copt; /* for both files */
    char **by;
    size_t nby;
    const char *model, *term, *out;
    int json;
} args;

static void args_free(args *a)
{
    free(a->by);
}

static int number_arg(const char *opt, const char *s, double lo, double hi, double *v)
{
    char *end;
    *v = strtod(s, &end);
    if (end == s || *end || !(*v >= lo && *v <= hi))
        return cli_usage_error("link", "--%s takes a number from %g to %g, not '%s'", opt, lo, hi, s);
    return 0;
}

static int parse(int argc, char **argv, args *a)
{
    int c, li = 0, rc = 0;
    opterr = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "ho:", options, &li)) != -1) {
        switch (c) {
        case 'h': printf(usage_text); return -1;
        case OPT_ID: a->o.id = optarg; break;
        case OPT_CHURN: a->o.churn = optarg; break;
        case OPT_VALUE: a->o.value = optarg; break;
        case OPT_SCORE: a->o.score = optarg; break;
        case OPT_BY:
            free(a->by);
            if (!(a->by = cli_split(optarg, &a->nby)))
                return cli_usage_error("link", "--by takes column names separated by commas, not '%s'", optarg);
            break;
        case OPT_LAST: a->o.last = 1; break;
        case OPT_ON:
            if (strcmp(optarg, "category") && strcmp(optarg, "score"))
                return cli_usage_error("link", "--on takes category or score, not '%s'", optarg);
            a->o.on = optarg;
            break;
        case OPT_MARGIN: rc = number_arg("margin", optarg, 1e-9, 1, &a->o.margin); break;
        case OPT_DISCOUNT: rc = number_arg("discount", optarg, 1e-9, 1, &a->o.discount); break;
        case OPT_UNIT: a->o.unit = optarg; break;
        case OPT_PER: {
            static const char *const kinds[] = {"week", "month", "quarter", "year"};
            static const double per[] = {52, 12, 4, 1};
            size_t k = 0;
            while (k < 4 && strcmp(optarg, kinds[k]) != 0)
                k++;
            if (k == 4)
                return cli_usage_error("link", "--per takes week, month, quarter or year, not '%s'", optarg);
            a->o.periods_per_year = per[k];
            break;
        }
        case OPT_MODEL: a->model = optarg; break;
        case OPT_TERM: a->term = optarg; break;
        case 'o': a->out = optarg; break;
        case OPT_JSON: a->json = 1; break;
        case OPT_SEP:
        case OPT_DECIMAL:
        case OPT_ENCODING:
        case OPT_TEXT:
        case OPT_RENAME:
        case OPT_DATE_FORMAT:
            rc = cli_csv_option("link", options[li].name, optarg, &a->copt);
            break;
        default:
            if (optopt && optopt < 256)
                return cli_usage_error("link", "unknown option '-%c'", optopt);
            return cli_usage_error("link", "unknown option or missing value in '%s'", argv[optind - 1]);
        }
    }
    if (rc)
        return rc;
    if (optind + 2 != argc)
        return cli_usage_error("link", "expected a responses file and a customer file, found %d file%s",
                               argc - optind, argc - optind == 1 ? "" : "s");
    if (!a->o.id)
        return cli_usage_error("link", "--id is required (the customer id column of both files)");
    a->copt.renames_optional = 1; /* one list of renames for both files */
    a->o.responses_csv = &a->copt;
    a->o.customers_csv = &a->copt;
    return 0;
}

static void print_est(const char *what, const cx_link_est *e, const char *fmt)
{
    char f[128];
    snprintf(f, sizeof f, "%%s %s (95%%%% CI %s to %s)\n", fmt, fmt, fmt);
    printf(f, what, e->est, e->low, e->high);
}

static void print_text(const cx_link *lk, const args *a, const cx_link_triangulation *tri, const char *sentence)
{
    const cx_link_join *j = cx_link_join_get(lk);
    printf("linked %zu of %zu responses to %zu of the %zu customers; %zu without a customer, %zu without an id, "
           "%zu without a score\n",
           j->matched, j->responses, j->customers_linked, j->customers, j->unmatched, j->missing_id, j->missing_score);
    printf("rows analysed: %zu (%s)\n\n", j->rows,
           a->o.last ? "one per customer: their last response" : "one per response");
    size_t ng;
    const cx_link_group *g = cx_link_groups(lk, &ng);
    printf("behaviour per category and score (retention = share that stayed, Wilson 95%% interval; "
           "mean spend, t 95%% interval)\n");
    printf("%-10s %8s %9s %19s %10s %23s\n", "group", "n", "retention", "95% CI", "mean spend", "95% CI");
    for (size_t k = 0; k < ng; k++) {
        size_t i = k < 3 ? 11 + k : k - 3;
        printf("%-10s %8zu %9.4f [%7.4f, %7.4f] %10.2f [%10.2f, %10.2f]\n", g[i].label, g[i].n, g[i].retention,
               g[i].retention_low, g[i].retention_high, g[i].value_mean, g[i].value_low, g[i].value_high);
    }
    print_est("promoter - detractor, retention:", cx_link_diff_retention(lk), "%+.4f");
    print_est("promoter - detractor, mean spend:", cx_link_diff_value(lk), "%+.2f");

    const cx_logit *l = cx_link_logit(lk);
    printf("\nlogistic regression of leaving (glm, binomial family, logit link), %.0f rows:\n",
           cx_logit_stat_get(l, CX_LOGIT_N));
    printf("%-26s %12s %11s %9s %10s %11s %11s\n", "term", "estimate", "std.error", "z value", "Pr(>|z|)", "2.5%",
           "97.5%");
    for (size_t k = 0; k < cx_logit_ncoef(l); k++)
        printf("%-26s %12.6f %11.6f %9.3f %10.3g %11.6f %11.6f\n", cx_logit_coef_name(l, k), cx_logit_coef(l)[k],
               cx_logit_se(l)[k], cx_logit_z(l)[k], cx_logit_p(l)[k], cx_logit_ci_low(l)[k], cx_logit_ci_high(l)[k]);
    printf("null deviance %.2f on %.0f df; residual deviance %.2f on %.0f df; AIC %.2f; %.0f IRLS iterations\n",
           cx_logit_stat_get(l, CX_LOGIT_NULL_DEVIANCE), cx_logit_stat_get(l, CX_LOGIT_DF_NULL),
           cx_logit_stat_get(l, CX_LOGIT_DEVIANCE), cx_logit_stat_get(l, CX_LOGIT_DF_RESID),
           cx_logit_stat_get(l, CX_LOGIT_AIC), cx_logit_stat_get(l, CX_LOGIT_ITERATIONS));

    for (int v = 0; v < 2; v++) {
        const cx_equation *e = v ? cx_link_value_score(lk) : cx_link_value_category(lk);
        printf("\nspend on the %s (least squares), %.0f rows, R^2 %.4f:\n", v ? "score" : "category",
               cx_equation_stat(e, CX_STAT_N), cx_equation_stat(e, CX_STAT_R2));
        printf("%-26s %12s %11s %9s %10s %11s %11s\n", "term", "estimate", "std.error", "t value", "Pr(>|t|)",
               "2.5%", "97.5%");
        for (size_t k = 0; k < cx_equation_ncoef(e); k++)
            printf("%-26s %12.3f %11.3f %9.3f %10.3g %11.3f %11.3f\n", cx_equation_coef_name(e, k),
                   cx_equation_coef(e)[k], cx_equation_se(e)[k], cx_equation_t(e)[k], cx_equation_p(e)[k],
                   cx_equation_ci_low(e)[k], cx_equation_ci_high(e)[k]);
    }

    const cx_link_economics *ec = cx_link_economics_get(lk);
    printf("\neconomics (margin %g, discount rate %g a year; README \"What a customer is worth\"):\n", ec->margin,
           ec->discount);
    static const char *const cat[3] = {"detractor", "passive", "promoter"};
    for (int k = 0; k < 3; k++) {
        char what[64];
        snprintf(what, sizeof what, "lifetime value of a %s:", cat[k]);
        print_est(what, &ec->clv[k], "%.2f");
    }
    print_est("moving 1% of the customers from detractor to passive:", &ec->move_dp, "%.0f");
    print_est("moving 1% of the customers from passive to promoter:", &ec->move_pp, "%.0f");
    print_est("yearly spend of a promoter minus a detractor (adjusted):", &ec->spend_pd, "%.2f");
    char what[160];
    snprintf(what, sizeof what, "one point of NPS, a year for the %zu customers:", ec->base);
    print_est(what, &ec->point, "%.0f");
    snprintf(what, sizeof what, "one point of NPS, per unit (%zu) and period (%g a year):", ec->units,
             ec->periods_per_year);
    print_est(what, &ec->point_unit, "%.0f");
    if (tri) {
        printf("\ntriangulation with the panel model %s:\n", a->model);
        print_est("  customer level:", &tri->customer, "%.0f");
        char w2[192];
        snprintf(w2, sizeof w2, "  panel, %s in the %s equation:", tri->term, tri->target);
        print_est(w2, &tri->panel, "%.0f");
        print_est("  difference:", &tri->diff, "%.0f");
        printf("%s\n", sentence);
    }
}

static cJSON *est_json(const cx_link_est *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "estimate", e->est);
    cJSON_AddNumberToObject(o, "se", e->se);
    cJSON_AddNumberToObject(o, "ci_low", e->low);
    cJSON_AddNumberToObject(o, "ci_high", e->high);
    return o;
}

static cJSON *to_json(const cx_link *lk, const cx_link_triangulation *tri, const char *sentence)
{
    cJSON *doc = cJSON_CreateObject();
    const cx_link_join *j = cx_link_join_get(lk);
    cJSON *jo = cJSON_AddObjectToObject(doc, "join");
    cJSON_AddNumberToObject(jo, "responses", (double)j->responses);
    cJSON_AddNumberToObject(jo, "matched", (double)j->matched);
    cJSON_AddNumberToObject(jo, "unmatched", (double)j->unmatched);
    cJSON_AddNumberToObject(jo, "missing_id", (double)j->missing_id);
    cJSON_AddNumberToObject(jo, "missing_score", (double)j->missing_score);
    cJSON_AddNumberToObject(jo, "customers", (double)j->customers);
    cJSON_AddNumberToObject(jo, "customers_linked", (double)j->customers_linked);
    cJSON_AddNumberToObject(jo, "rows", (double)j->rows);
    size_t ng;
    const cx_link_group *g = cx_link_groups(lk, &ng);
    cJSON *ga = cJSON_AddArrayToObject(doc, "groups");
    for (size_t k = 0; k < ng; k++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "group", g[k].label);
        cJSON_AddNumberToObject(o, "n", (double)g[k].n);
        cJSON_AddNumberToObject(o, "stayed", (double)g[k].stayed);
        cJSON_AddNumberToObject(o, "retention", g[k].retention);
        cJSON_AddNumberToObject(o, "retention_low", g[k].retention_low);
        cJSON_AddNumberToObject(o, "retention_high", g[k].retention_high);
        cJSON_AddNumberToObject(o, "value_n", (double)g[k].value_n);
        cJSON_AddNumberToObject(o, "value_mean", g[k].value_mean);
        cJSON_AddNumberToObject(o, "value_low", g[k].value_low);
        cJSON_AddNumberToObject(o, "value_high", g[k].value_high);
        cJSON_AddItemToArray(ga, o);
    }
    cJSON_AddItemToObject(doc, "promoter_minus_detractor_retention", est_json(cx_link_diff_retention(lk)));
    cJSON_AddItemToObject(doc, "promoter_minus_detractor_value", est_json(cx_link_diff_value(lk)));
    const cx_logit *l = cx_link_logit(lk);
    cJSON *lo = cJSON_AddObjectToObject(doc, "logistic");
    cJSON *terms = cJSON_AddArrayToObject(lo, "terms");
    for (size_t k = 0; k < cx_logit_ncoef(l); k++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddStringToObject(t, "name", cx_logit_coef_name(l, k));
        cJSON_AddNumberToObject(t, "coef", cx_logit_coef(l)[k]);
        cJSON_AddNumberToObject(t, "se", cx_logit_se(l)[k]);
        cJSON_AddNumberToObject(t, "z", cx_logit_z(l)[k]);
        cJSON_AddNumberToObject(t, "p", cx_logit_p(l)[k]);
        cJSON_AddNumberToObject(t, "ci_low", cx_logit_ci_low(l)[k]);
        cJSON_AddNumberToObject(t, "ci_high", cx_logit_ci_high(l)[k]);
        cJSON_AddItemToArray(terms, t);
    }
    cJSON_AddNumberToObject(lo, "n", cx_logit_stat_get(l, CX_LOGIT_N));
    cJSON_AddNumberToObject(lo, "deviance", cx_logit_stat_get(l, CX_LOGIT_DEVIANCE));
    cJSON_AddNumberToObject(lo, "null_deviance", cx_logit_stat_get(l, CX_LOGIT_NULL_DEVIANCE));
    cJSON_AddNumberToObject(lo, "df_residual", cx_logit_stat_get(l, CX_LOGIT_DF_RESID));
    cJSON_AddNumberToObject(lo, "df_null", cx_logit_stat_get(l, CX_LOGIT_DF_NULL));
    cJSON_AddNumberToObject(lo, "aic", cx_logit_stat_get(l, CX_LOGIT_AIC));
    cJSON_AddNumberToObject(lo, "iterations", cx_logit_stat_get(l, CX_LOGIT_ITERATIONS));
    for (int v = 0; v < 2; v++) {
        const cx_equation *e = v ? cx_link_value_score(lk) : cx_link_value_category(lk);
        cJSON *vo = cJSON_AddObjectToObject(doc, v ? "value_on_score" : "value_on_category");
        cJSON *vt = cJSON_AddArrayToObject(vo, "terms");
        for (size_t k = 0; k < cx_equation_ncoef(e); k++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddStringToObject(t, "name", cx_equation_coef_name(e, k));
            cJSON_AddNumberToObject(t, "coef", cx_equation_coef(e)[k]);
            cJSON_AddNumberToObject(t, "se", cx_equation_se(e)[k]);
            cJSON_AddNumberToObject(t, "ci_low", cx_equation_ci_low(e)[k]);
            cJSON_AddNumberToObject(t, "ci_high", cx_equation_ci_high(e)[k]);
            cJSON_AddItemToArray(vt, t);
        }
        cJSON_AddNumberToObject(vo, "n", cx_equation_stat(e, CX_STAT_N));
        cJSON_AddNumberToObject(vo, "r2", cx_equation_stat(e, CX_STAT_R2));
    }
    const cx_link_economics *ec = cx_link_economics_get(lk);
    cJSON *eo = cJSON_AddObjectToObject(doc, "economics");
    cJSON_AddNumberToObject(eo, "margin", ec->margin);
    cJSON_AddNumberToObject(eo, "discount", ec->discount);
    cJSON_AddItemToObject(eo, "clv_detractor", est_json(&ec->clv[0]));
    cJSON_AddItemToObject(eo, "clv_passive", est_json(&ec->clv[1]));
    cJSON_AddItemToObject(eo, "clv_promoter", est_json(&ec->clv[2]));
    cJSON_AddItemToObject(eo, "move_1pct_detractor_to_passive", est_json(&ec->move_dp));
    cJSON_AddItemToObject(eo, "move_1pct_passive_to_promoter", est_json(&ec->move_pp));
    cJSON_AddItemToObject(eo, "spend_promoter_minus_detractor", est_json(&ec->spend_pd));
    cJSON_AddNumberToObject(eo, "customers", (double)ec->base);
    cJSON_AddNumberToObject(eo, "units", (double)ec->units);
    cJSON_AddNumberToObject(eo, "periods_per_year", ec->periods_per_year);
    cJSON_AddItemToObject(eo, "nps_point_per_year", est_json(&ec->point));
    cJSON_AddItemToObject(eo, "nps_point_per_unit_period", est_json(&ec->point_unit));
    if (tri) {
        cJSON *to = cJSON_AddObjectToObject(doc, "triangulation");
        cJSON_AddStringToObject(to, "term", tri->term);
        cJSON_AddStringToObject(to, "target", tri->target);
        cJSON_AddItemToObject(to, "panel", est_json(&tri->panel));
        cJSON_AddItemToObject(to, "customer", est_json(&tri->customer));
        cJSON_AddItemToObject(to, "difference", est_json(&tri->diff));
        cJSON_AddBoolToObject(to, "agree", tri->agree);
        cJSON_AddStringToObject(to, "sentence", sentence);
    }
    return doc;
}

int cmd_link(int argc, char **argv)
{
    args a;
    memset(&a, 0, sizeof a);
    int rc = parse(argc, argv, &a);
    if (rc) {
        args_free(&a);
        return rc < 0 ? EXIT_OK : rc;
    }
    const char *responses = argv[optind], *customers = argv[optind + 1];
    a.o.keep_rows = a.out != NULL;
    a.o.covariates = (const char *const *)a.by;
    a.o.ncovariates = a.nby;
    cx_error err;
    cx_error_init(&err);
    cx_warnings *warn = cx_warnings_new();
    cx_link *lk = NULL;
    cx_model *m = NULL;
    cx_link_triangulation tri;
    char sentence[1024] = "";
    cx_status st = warn ? cx_link_run(responses, customers, &a.o, &lk, warn, &err)
                        : cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CX_OK && a.model)
        st = cx_model_load(a.model, &m, &err);
    if (st == CX_OK && m)
        st = cx_link_triangulate(lk, m, a.term, &tri, sentence, sizeof sentence, &err);
    if (st == CX_OK && a.out)
        st = cx_table_write_csv(cx_link_table(lk), a.out, &err);
    if (st != CX_OK) {
        rc = cli_fail(&err);
    } else {
        cli_print_warnings(warn);
        if (a.json)
            rc = cli_print_json(to_json(lk, m ? &tri : NULL, sentence));
        else {
            print_text(lk, &a, m ? &tri : NULL, sentence);
            rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
        }
    }
    cx_model_free(m);
    cx_link_free(lk);
    cx_warnings_free(warn);
    args_free(&a);
    return rc;
}
