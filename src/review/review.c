/*
 * review.c - `cxcase review`: a case of the ledger against the quarter that
 * came.  Reads the case (frozen.c), the quarter's data into a panel and the
 * realised rollout, runs the gap's computation (gap.c) and writes the
 * review as JSON: per target plan, ex post, actual, the gap's parts with
 * their SEs and intervals, and the scores of the ex ante and ex post
 * forecasts (scores.c); per initiative its realised effect; the finance
 * (cost variance, timing, NPV re-forecast: reforecast.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cxcase/review.h"
#include "../core/core.h"
#include "../core/jsonin.h"
#include "gap.h"
#include "reforecast.h"
#include "shift.h"
#include "ledger_internal.h"

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* ======================================================================== */
/* The realised rollout                                                     */
/* ======================================================================== */

/* The first quarter in which effect k of the case changes unit u (H when never). */
static int planned_start(const frozen *f, size_t k, size_t u)
{
    for (int q = 0; q < f->H; q++)
        if (f->eff[k].delta[u * (size_t)f->H + (size_t)q] != 0)
            return q;
    return f->H;
}

/* One initiative of the realised-rollout file: {"id", "units": {unit:
 * quarter live}, "costs": [...]} (costs are read by the finance review,
 * reforecast.c; "units" may be left out when "costs" are given: the
 * rollout as planned). */
static cx_status rollout_initiative(const frozen *f, rollout *ro, fin_review *fr, const cJSON *x, const char *path,
                                    cx_jpath *p, cx_error *err)
{
    static const char *const keys[] = {"id", "units", "costs", NULL};
    const char *id = NULL;
    cx_status st = cx_json_object(x, keys, path, p, err);
    if (st == CX_OK)
        st = cx_json_string(x, "id", 1, path, p, &id, err);
    const cJSON *costs = cJSON_GetObjectItemCaseSensitive(x, "costs");
    if (st == CX_OK && costs)
        st = fin_costs_read(fr, id, costs, path, p, err);
    if (st != CX_OK)
        return st;
    const cJSON *units = cJSON_GetObjectItemCaseSensitive(x, "units");
    if (!units && costs) /* costs alone: the rollout as planned */
        return CX_OK;
    size_t old = cx_jpath_key(p, "units");
    if (!cJSON_IsObject(units))
        return cx_json_error(err, CX_EINVAL, path, p, "expected an object of unit: quarter live");
    int known = 0;
    for (size_t k = 0; k < f->neff; k++) {
        if (strcmp(f->eff[k].initiative, id) != 0)
            continue;
        known = 1;
        for (size_t u = 0; u < f->nunits; u++)
            ro->shift[k * f->nunits + u] = -1;
        const cJSON *y;
        cJSON_ArrayForEach(y, units) {
            size_t o2 = cx_jpath_key(p, y->string), u = 0;
            while (u < f->nunits && strcmp(f->unit[u], y->string) != 0)
                u++;
            cx_period q;
            if (u == f->nunits)
                return cx_json_error(err, CX_EINVAL, path, p, "case %zu has no unit '%s'", f->seq, y->string);
            if (!cJSON_IsString(y) || cx_period_parse(y->valuestring, strlen(y->valuestring), &q) != CX_OK ||
                q.kind != CX_PERIOD_QUARTER)
                return cx_json_error(err, CX_EINVAL, path, p, "expected the quarter the initiative went live "
                                     "there, as \"2026Q2\"");
            int live = (int)(q.value - f->start.value);
            ro->shift[k * f->nunits + u] = live - planned_start(f, k, u);
            cx_jpath_pop(p, o2);
        }
    }
    cx_jpath_pop(p, old);
    if (!known)
        return cx_json_error(err, CX_EINVAL, path, p, "the approved scenario of case %zu has no initiative '%s' that "
                             "changes a metric", f->seq, id);
    return CX_OK;
}

static cx_status rollout_load(const frozen *f, fin_review *fr, const char *path, rollout *ro, cx_error *err)
{
    ro->given = path != NULL;
    ro->shift = cx_calloc(f->neff * f->nunits + 1, sizeof(int));
    if (!ro->shift)
        return oom(err);
    if (!path)
        return CX_OK;
    cJSON *root = NULL;
    cx_status st = cx_json_load(path, &root, err);
    if (st != CX_OK)
        return st;
    cx_jpath p;
    cx_jpath_init(&p);
    static const char *const keys[] = {"$schema", "initiatives", NULL};
    const cJSON *list = NULL;
    st = cx_json_object(root, keys, path, &p, err);
    if (st == CX_OK)
        st = cx_json_array(root, "initiatives", 1, path, &p, &list, err);
    size_t i = 0;
    const cJSON *x;
    size_t old = cx_jpath_key(&p, "initiatives");
    cJSON_ArrayForEach(x, list) {
        if (st != CX_OK)
            break;
        size_t o2 = cx_jpath_index(&p, i++);
        st = rollout_initiative(f, ro, fr, x, path, &p, err);
        cx_jpath_pop(&p, o2);
    }
    cx_jpath_pop(&p, old);
    cJSON_Delete(root);
    return st;
}

/* ======================================================================== */
/* The review as JSON                                                       */
/* ======================================================================== */

static const char *const part_name[NPARTS] = {"execution", "metric_drift", "response", "baseline_drift"};

static cJSON *score_json(double mean, double sd, double y)
{
    cJSON *o = cJSON_CreateObject();
    cx_score s;
    int ok = isfinite(mean) && sd > 0 && isfinite(y);
    if (ok)
        cx_score_normal(mean, sd, y, &s);
    cJSON_AddItemToObject(o, "mean", num(mean));
    cJSON_AddItemToObject(o, "sd", num(sd));
    cJSON_AddItemToObject(o, "z", num(ok ? s.z : NAN));
    cJSON_AddItemToObject(o, "pit", num(ok ? s.pit : NAN));
    cJSON_AddItemToObject(o, "in80", ok ? cJSON_CreateBool(s.in80) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "in95", ok ? cJSON_CreateBool(s.in95) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "crps", num(ok ? s.crps : NAN));
    cJSON_AddItemToObject(o, "interval_score_80", num(ok ? s.is80 : NAN));
    cJSON_AddItemToObject(o, "interval_score_95", num(ok ? s.is95 : NAN));
    return o;
}

static cJSON *part_json(const gap_target *t, size_t p)
{
    cJSON *o = cJSON_CreateObject();
    int sep = p == P_EXEC || p == P_DRIFT ? t->exec_separable : p == P_RESP ? t->resp_separable : 1;
    cJSON_AddStringToObject(o, "part", part_name[p]);
    /* without a separable execution, the drift holds the whole departure of
     * the metrics from plan and the execution is not told apart */
    double v = p == P_EXEC && !sep ? NAN : t->part[p], se = t->part_se[p];
    cJSON_AddItemToObject(o, "value", num(v));
    cJSON_AddItemToObject(o, "se", num(se));
    double df = t->part_df[p], crit = isfinite(df) && df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : 1.959963984540054;
    cJSON_AddItemToObject(o, "df", num(df));
    cJSON_AddItemToObject(o, "low", num(v - crit * se));
    cJSON_AddItemToObject(o, "high", num(v + crit * se));
    cJSON_AddBoolToObject(o, "separable", sep);
    if (!sep)
        cJSON_AddStringToObject(o, "note", p == P_RESP ? "not separable: the metrics' changes barely vary across "
                                "units and periods" : p == P_EXEC ? "not separable: no variation in the rollout "
                                "(give --realised)" : "execution and metric drift together");
    return o;
}

/* The record's issued band of target e's change in quarter Q. */
static cJSON *issued_json(const frozen *f, size_t e, int Q)
{
    const cJSON *q = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(f->scen, "quarters"), Q);
    const char *key = (long)e == f->nps_eq ? "delta_nps_band" : (long)e == f->rev_eq ? "delta_revenue_band" : NULL;
    const cJSON *b = key ? cJSON_GetObjectItemCaseSensitive(q, key) : NULL;
    return b ? cJSON_Duplicate(b, 1) : cJSON_CreateNull();
}

static cJSON *target_json(const frozen *f, const gap_target *t, int Q)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "target", f->eq[t->eq].target);
    cJSON_AddStringToObject(o, "aggregate", t->sum ? "sum" : "mean");
    cJSON_AddNumberToObject(o, "rows", (double)t->rows);
    cJSON_AddItemToObject(o, "plan", num(t->plan));
    cJSON_AddItemToObject(o, "ex_post", num(t->ex_post));
    cJSON_AddItemToObject(o, "actual", num(t->actual));
    cJSON_AddItemToObject(o, "actual_se", num(t->var_survey > 0 ? t->actual_se : NAN));
    cJSON_AddItemToObject(o, "gap", num(t->actual - t->plan));
    cJSON *parts = cJSON_AddArrayToObject(o, "parts");
    double sum = 0;
    for (size_t p = 0; p < NPARTS; p++) {
        cJSON_AddItemToArray(parts, part_json(t, p));
        sum += t->part[p];
    }
    cJSON_AddItemToObject(o, "check", num(t->plan + sum - t->actual));
    cJSON *fc = cJSON_AddObjectToObject(o, "forecast");
    cJSON_AddItemToObject(fc, "ex_ante", score_json(t->plan, t->sd_ante, t->actual));
    cJSON_AddItemToObject(fc, "ex_post", score_json(t->ex_post, t->sd_post, t->actual));
    /* the naive forecast: the baseline stays, with the ex ante spread */
    cJSON_AddItemToObject(fc, "naive", score_json(t->naive, t->sd_ante, t->actual));
    cJSON *v = cJSON_AddObjectToObject(fc, "variance");
    cJSON_AddItemToObject(v, "coefficients_ex_ante", num(t->var_coef_ante));
    cJSON_AddItemToObject(v, "coefficients_ex_post", num(t->var_coef_post));
    cJSON_AddItemToObject(v, "residual", num(t->var_resid));
    cJSON_AddItemToObject(v, "residual_autocorrelation", num(t->rho));
    cJSON_AddItemToObject(v, "metrics", num(t->var_metrics));
    cJSON_AddItemToObject(v, "survey", num(t->var_survey));
    double z = (t->actual - t->plan) / t->sd_ante;
    cJSON_AddBoolToObject(o, "significant", isfinite(z) && fabs(z) > 1.959963984540054);
    cJSON_AddItemToObject(o, "issued_change_band", issued_json(f, t->eq, Q));
    return o;
}

static cJSON *review_json(const char *ledger, const cx_review_options *opt, const frozen *f, const gap_result *g)
{
    cJSON *o = cJSON_CreateObject();
    char buf[CX_PERIOD_TEXT_MAX];
    cx_period q = f->start;
    q.value += g->Q;
    cJSON_AddStringToObject(o, "ledger", ledger);
    cJSON_AddNumberToObject(o, "case", (double)f->seq);
    cJSON_AddStringToObject(o, "case_sha256", cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(f->doc, "sha256")));
    cJSON_AddStringToObject(o, "scenario", f->scenario_name);
    cJSON_AddStringToObject(o, "quarter", cx_period_format(q, buf, sizeof buf));
    cJSON_AddNumberToObject(o, "quarter_of_horizon", g->Q + 1);
    cJSON *in = cJSON_AddArrayToObject(o, "inputs");
    for (size_t i = 0; i < opt->nfiles; i++) {
        char hex[65];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(in, x);
        cJSON_AddStringToObject(x, "file", opt->files[i]);
        if (cx_sha256_file(opt->files[i], hex, NULL) == CX_OK)
            cJSON_AddStringToObject(x, "sha256", hex);
    }
    for (size_t i = 0; i < opt->nresponses; i++) {
        char hex[65];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(in, x);
        cJSON_AddStringToObject(x, "file", opt->responses[i]);
        cJSON_AddStringToObject(x, "kind", "responses");
        if (cx_sha256_file(opt->responses[i], hex, NULL) == CX_OK)
            cJSON_AddStringToObject(x, "sha256", hex);
    }
    cJSON_AddItemToObject(o, "realised", opt->realised ? cJSON_CreateString(opt->realised) : cJSON_CreateNull());
    cJSON *ts = cJSON_AddArrayToObject(o, "targets");
    for (size_t e = 0; e < f->neq; e++)
        cJSON_AddItemToArray(ts, target_json(f, &g->t[e], g->Q));
    cJSON *is = cJSON_AddArrayToObject(o, "initiatives");
    for (size_t k = 0; k < f->neff; k++) {
        const gap_effect *ge = &g->e[k];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(is, x);
        cJSON_AddStringToObject(x, "initiative", f->eff[k].initiative);
        const char *name = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(frozen_initiative(f, f->eff[k].initiative), "name"));
        cJSON_AddItemToObject(x, "name", name ? cJSON_CreateString(name) : cJSON_CreateNull());
        cJSON_AddStringToObject(x, "metric", f->eff[k].metric);
        cJSON_AddItemToObject(x, "planned_change", num(ge->planned));
        double due = 0; /* the plan's change in the reviewed quarter, mean over units: 0 = not due yet */
        for (size_t u = 0; u < f->nunits; u++)
            due += f->eff[k].delta[u * (size_t)f->H + (size_t)g->Q] / (double)f->nunits;
        cJSON_AddItemToObject(x, "planned_in_quarter", num(due));
        cJSON_AddNumberToObject(x, "units", (double)f->nunits);
        cJSON_AddNumberToObject(x, "units_reached", (double)ge->reached);
        cJSON_AddItemToObject(x, "realised_change", num(ge->did.tau));
        cJSON_AddItemToObject(x, "se", num(ge->did.se));
        cJSON_AddItemToObject(x, "df", num(ge->did.df));
        cJSON_AddItemToObject(x, "share_delivered", num(ge->did.tau / ge->planned));
        cJSON_AddBoolToObject(x, "separable", ge->did.separable);
    }
    return o;
}

/* ======================================================================== */
/* The review                                                               */
/* ======================================================================== */

cx_status cx_review_run(const char *ledger, const cx_review_options *opt, char **json, cx_warnings *warn,
                        cx_error *err)
{
    frozen *f = NULL;
    cx_table *panel = NULL;
    gap_result *g = NULL;
    rollout ro = {0, NULL};
    cJSON *doc = NULL;
    int Q = -1;
    cx_status st = frozen_load(ledger, opt->seq, opt->scenario, &f, err);
    if (st == CX_OK && opt->quarter) {
        cx_period q;
        if (cx_period_parse(opt->quarter, strlen(opt->quarter), &q) != CX_OK || q.kind != CX_PERIOD_QUARTER)
            st = cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "expected a quarter as 2026Q1, found '%s'", opt->quarter);
        else if ((Q = (int)(q.value - f->start.value)) < 0 || Q >= f->H)
            st = cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "%s is not in case %zu's horizon (%d quarters from %s)",
                              opt->quarter, f->seq, f->H,
                              cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
                                  cJSON_GetObjectItemCaseSensitive(f->doc, "forecast"), "start")));
    }
    fin_review *fr = NULL;
    if (st == CX_OK)
        st = fin_new(f, &fr, err);
    if (st == CX_OK)
        st = rollout_load(f, fr, opt->realised, &ro, err);
    cx_survey_options so;
    memset(&so, 0, sizeof so);
    so.scale = CX_SCALE_NPS;
    if (st == CX_OK)
        st = cx_panel_load_n(opt->files, opt->nfiles, opt->responses, opt->nresponses, &so, NULL, NULL, 0, &panel,
                             NULL, warn, err);
    size_t ucols = 0;
    if (st == CX_OK) {
        while (1 + ucols < cx_table_ncols(panel) && cx_table_coltype(panel, 1 + ucols) == CX_COL_TEXT)
            ucols++;
        st = gap_run(f, panel, ucols, &ro, Q, &g, err);
    }
    if (st == CX_OK && !(doc = review_json(ledger, opt, f, g)))
        st = oom(err);
    cJSON *fin = NULL;
    if (st == CX_OK && (st = fin_json(fr, f, &ro, g, &fin, err)) == CX_OK)
        cJSON_AddItemToObject(doc, "finance", fin);
    cJSON *track = st == CX_OK ? cx_track_json(f->reviews, doc) : NULL;
    if (st == CX_OK && !track)
        st = oom(err);
    if (track)
        cJSON_AddItemToObject(doc, "track_record", track);
    cJSON *shift = NULL;
    if (st == CX_OK && (st = cx_shift_json(f, panel, g->Q, &shift, err)) == CX_OK)
        cJSON_AddItemToObject(doc, "model_shift", shift);
    if (st == CX_OK && !(*json = cJSON_PrintUnformatted(doc)))
        st = oom(err);
    cJSON_Delete(doc);
    gap_free(g, f);
    cx_table_free(panel);
    cx_free(ro.shift);
    fin_free(fr);
    frozen_free(f);
    return st;
}

cx_status cx_ledger_record_review(const char *path, const char *json, size_t *seq, cx_error *err)
{
    cJSON *body = cJSON_Parse(json);
    if (!body)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the review to record is not JSON");
    cx_status st = cx_ledger_append(path, "review", body, seq, err);
    cJSON_Delete(body);
    return st;
}
