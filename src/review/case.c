/*
 * case.c - the "case" record of the ledger: a scenario's business case as
 * decided, frozen with everything a later review needs to judge it without
 * refitting: the files it came from (content or SHA-256 and periods), the
 * fitted model, the baselines, the planned metric changes and the forecast.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxcase/review.h"
#include "../core/core.h"
#include "../core/jsonin.h"
#include "../sim/plan_internal.h"
#include "../sim/scenario_internal.h"
#include "../sim/sim_internal.h"
#include "ledger_internal.h"

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* A number, or null when it is not finite (JSON has no NaN). */
static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* {"file", "sha256", "content"} of a JSON file, its text kept byte for byte
 * so that its digest can be checked from the record alone. */
static cJSON *file_json(const char *path, cx_error *err)
{
    char *text = NULL, hex[65];
    size_t len = 0;
    if (cx_json_read_file(path, &text, &len, err) != CX_OK)
        return NULL;
    cx_sha256_hex(text, len, hex);
    cJSON *o = cJSON_CreateObject();
    char *z = cx_strndup(text, len);
    if (!o || !z || !cJSON_AddStringToObject(o, "file", path) || !cJSON_AddStringToObject(o, "sha256", hex) ||
        !cJSON_AddStringToObject(o, "content", z)) {
        cJSON_Delete(o);
        o = NULL;
        oom(err);
    }
    cx_free(z);
    cx_free(text);
    return o;
}

/* ======================================================================== */
/* The fitted model                                                         */
/* ======================================================================== */

/* Move member `key` of `from` (when there) to `to`. */
static void move(cJSON *from, cJSON *to, const char *key)
{
    cJSON *x = cJSON_DetachItemFromObjectCaseSensitive(from, key);
    if (x)
        cJSON_AddItemToObject(to, key, x);
}

/* One equation of the model as cx_model_json writes it, cut to what a
 * review needs: the estimates, their covariance and the figures of the
 * estimator; the diagnostics stay in the fitted model's own file. */
static cJSON *equation_json(cJSON *eq)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    static const char *const head[] = {"target", "method", "se_type", "n", "df_resid", "sigma", NULL};
    for (int i = 0; head[i]; i++)
        move(eq, o, head[i]);
    cJSON *names = cJSON_AddArrayToObject(o, "terms"), *coef = cJSON_AddArrayToObject(o, "coef");
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(eq, "terms")) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(t, "name");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(t, "coef");
        cJSON_AddItemToArray(names, cJSON_CreateString(cJSON_IsString(nm) ? nm->valuestring : ""));
        cJSON_AddItemToArray(coef, cJSON_IsNumber(b) ? num(b->valuedouble) : cJSON_CreateNull());
    }
    static const char *const tail[] = {"covariance", "measurement_error", "naive", "tau2", "tau2_se", NULL};
    for (int i = 0; tail[i]; i++)
        move(eq, o, tail[i]);
    return o;
}

static cJSON *model_json(const cx_scenario *s, const cx_model *m, cx_error *err)
{
    cJSON *o = file_json(s->model, err);
    if (!o)
        return NULL;
    char *text = NULL;
    if (cx_model_json(m, &text, err) != CX_OK) {
        cJSON_Delete(o);
        return NULL;
    }
    cJSON *doc = cJSON_Parse(text);
    cx_free_string(text);
    cJSON *eqs = cJSON_AddArrayToObject(o, "equations");
    cJSON *eq;
    cJSON_ArrayForEach(eq, cJSON_GetObjectItemCaseSensitive(doc, "equations"))
        cJSON_AddItemToArray(eqs, equation_json(eq));
    cJSON_Delete(doc);
    if (!doc || !eqs) {
        cJSON_Delete(o);
        oom(err);
        return NULL;
    }
    return o;
}

/* ======================================================================== */
/* The input files                                                          */
/* ======================================================================== */

/* The first and last period of CSV file `src`: its first column of periods,
 * read alone. */
static cx_status period_range(const source *src, char first[CX_PERIOD_TEXT_MAX], char last[CX_PERIOD_TEXT_MAX],
                              cx_error *err)
{
    cx_csv_options o;
    memset(&o, 0, sizeof o);
    o.sep = src->sep;
    o.decimal = src->decimal;
    if (src->encoding >= 0)
        o.encoding = (cx_encoding)src->encoding;
    cx_csv_reader *r = NULL;
    cx_status rc = cx_csv_open(src->file, &o, &r, err);
    first[0] = last[0] = '\0';
    if (rc != CX_OK)
        return rc;
    const cx_table *schema = cx_csv_schema(r);
    size_t nc = cx_table_ncols(schema), col = nc;
    for (size_t j = 0; j < nc && col == nc; j++)
        if (cx_table_coltype(schema, j) == CX_COL_PERIOD)
            col = j;
    unsigned char *skip = cx_calloc(nc ? nc : 1, 1);
    if (!skip)
        rc = oom(err);
    for (size_t j = 0; skip && j < nc; j++)
        skip[j] = j != col;
    if (rc == CX_OK && col < nc)
        rc = cx_csv_skip_columns(r, skip, err);
    cx_period lo = {CX_PERIOD_NONE, 0}, hi = lo;
    const cx_table *b = NULL;
    while (rc == CX_OK && col < nc && (rc = cx_csv_next(r, &b, err)) == CX_OK && b) {
        const cx_period *p = cx_table_periods(b, col);
        for (size_t i = 0; i < cx_table_nrows(b); i++) {
            if (p[i].kind == CX_PERIOD_NONE)
                continue;
            if (lo.kind == CX_PERIOD_NONE || cx_period_cmp(p[i], lo) < 0)
                lo = p[i];
            if (hi.kind == CX_PERIOD_NONE || cx_period_cmp(p[i], hi) > 0)
                hi = p[i];
        }
    }
    if (rc == CX_OK && lo.kind != CX_PERIOD_NONE) {
        cx_period_format(lo, first, CX_PERIOD_TEXT_MAX);
        cx_period_format(hi, last, CX_PERIOD_TEXT_MAX);
    }
    cx_free(skip);
    cx_csv_close(r);
    return rc;
}

static cJSON *inputs_json(const cx_scenario *s, cx_error *err)
{
    cJSON *a = cJSON_CreateArray();
    cx_status rc = a ? CX_OK : oom(err);
    for (size_t i = 0; rc == CX_OK && i < s->ndata; i++) {
        const source *src = &s->data[i];
        char hex[65], first[CX_PERIOD_TEXT_MAX], last[CX_PERIOD_TEXT_MAX];
        rc = cx_sha256_file(src->file, hex, err);
        if (rc == CX_OK)
            rc = period_range(src, first, last, err);
        cJSON *x = rc == CX_OK ? cJSON_CreateObject() : NULL;
        if (rc == CX_OK && !x)
            rc = oom(err);
        if (rc != CX_OK)
            break;
        cJSON_AddItemToArray(a, x);
        cJSON_AddStringToObject(x, "file", src->file);
        cJSON_AddStringToObject(x, "kind", src->responses ? "responses" : "metrics");
        cJSON_AddStringToObject(x, "sha256", hex);
        cJSON_AddItemToObject(x, "first", first[0] ? cJSON_CreateString(first) : cJSON_CreateNull());
        cJSON_AddItemToObject(x, "last", last[0] ? cJSON_CreateString(last) : cJSON_CreateNull());
    }
    if (rc != CX_OK) {
        cJSON_Delete(a);
        return NULL;
    }
    return a;
}

/* ======================================================================== */
/* Baselines, plan and forecast                                             */
/* ======================================================================== */

static cJSON *numbers(const double *x, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < n; i++)
        cJSON_AddItemToArray(a, num(x[i]));
    return a;
}

/* The baseline of every variable of the projection per unit (in the order
 * of "units"). */
static cJSON *baseline_json(const cx_plan *p)
{
    cJSON *o = cJSON_CreateObject();
    for (size_t v = 0; o && v < p->nv; v++)
        if (p->v[v].base)
            cJSON_AddItemToObject(o, p->v[v].name, numbers(p->v[v].base, p->nunits));
    return o;
}

/* Each initiative's planned change of each metric per quarter of the
 * horizon, at the point values: a `change` moves every unit alike
 * ("delta": per quarter); a `target` moves each unit from its own baseline
 * ("delta": per unit, per quarter).  The planned path of a unit is its
 * baseline plus the delta. */
static cJSON *plan_json(const cx_scenario *s, const cx_plan *p)
{
    cJSON *a = cJSON_CreateArray();
    double *d = cx_calloc((size_t)s->horizon + 1, sizeof(double));
    if (!d) {
        cJSON_Delete(a);
        return NULL;
    }
    for (size_t i = 0; a && i < s->ninit; i++)
        for (size_t e = 0; e < s->init[i].neff; e++) {
            const effect *ef = &s->init[i].eff[e];
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(a, x);
            cJSON_AddStringToObject(x, "initiative", s->init[i].id);
            cJSON_AddStringToObject(x, "metric", ef->metric);
            cJSON_AddItemToObject(x, ef->is_target ? "target" : "change", num(ef->value));
            if (!ef->is_target) {
                for (int q = 0; q < s->horizon; q++)
                    d[q] = ef->value * cx_effect_share(ef, q);
                cJSON_AddItemToObject(x, "delta", numbers(d, (size_t)s->horizon));
                continue;
            }
            const double *base = NULL;
            for (size_t v = 0; v < p->nv; v++)
                if (strcmp(p->v[v].name, ef->metric) == 0)
                    base = p->v[v].base;
            cJSON *per = cJSON_AddArrayToObject(x, "delta");
            for (size_t u = 0; base && u < p->nunits; u++) {
                for (int q = 0; q < s->horizon; q++)
                    d[q] = (ef->value - base[u]) * cx_effect_share(ef, q);
                cJSON_AddItemToArray(per, numbers(d, (size_t)s->horizon));
            }
        }
    cx_free(d);
    return a;
}

/* Copy member `key` of `from` (when there) to `to`. */
static void copy(const cJSON *from, cJSON *to, const char *key)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(from, key);
    if (x)
        cJSON_AddItemToObject(to, key, cJSON_Duplicate(x, 1));
}

/* The forecast of the simulation's result (README "cxcase simulate"): per
 * scenario its NPV and NPS change with their spread, and per quarter the
 * point changes of NPS and revenue, the costs and cash flow, and the Monte
 * Carlo bands of the cash flow and the NPS change; per initiative its
 * planned revenue change alone, per quarter (from the break-even table). */
static cJSON *forecast_json(const cJSON *root)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    static const char *const head[] = {"start", "end", "draws", "seed", "coefficients", "nps", "revenue", NULL};
    for (int i = 0; head[i]; i++)
        copy(root, o, head[i]);
    cJSON *scens = cJSON_AddArrayToObject(o, "scenarios");
    const cJSON *sc;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(root, "scenarios")) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(scens, x);
        static const char *const keys[] = {"name", "initiatives", "npv", "prob_npv_positive", "delta_nps", NULL};
        for (int i = 0; keys[i]; i++)
            copy(sc, x, keys[i]);
        cJSON *qs = cJSON_AddArrayToObject(x, "quarters");
        const cJSON *q;
        cJSON_ArrayForEach(q, cJSON_GetObjectItemCaseSensitive(sc, "quarters")) {
            cJSON *y = cJSON_CreateObject();
            cJSON_AddItemToArray(qs, y);
            static const char *const qk[] = {"quarter", "delta_nps", "delta_revenue", "costs", "cash_flow",
                                             "delta_nps_band", "delta_revenue_band",
                                             "cash_flow_band", NULL};
            for (int i = 0; qk[i]; i++)
                copy(q, y, qk[i]);
        }
    }
    cJSON *inits = cJSON_AddArrayToObject(o, "initiatives");
    const cJSON *be;
    cJSON_ArrayForEach(be, cJSON_GetObjectItemCaseSensitive(root, "break_even")) {
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(inits, x);
        copy(be, x, "initiative");
        copy(be, x, "delta_revenue");
    }
    return o;
}

/* The members of the case record in their order. */
static cx_status case_json(const cx_scenario *s, const cx_simulation *sim, cJSON **out, cx_error *err)
{
    const cx_plan *p = cx_simulation_plan(sim);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return oom(err);
    cJSON *sc = file_json(s->path, err);
    cJSON *model = sc ? model_json(s, cx_simulation_model(sim), err) : NULL;
    cJSON *inputs = model ? inputs_json(s, err) : NULL;
    if (!inputs) {
        cJSON_Delete(o);
        cJSON_Delete(sc);
        cJSON_Delete(model);
        return err && err->status != CX_OK ? err->status : oom(err);
    }
    cJSON_AddItemToObject(o, "scenario", sc);
    cJSON_AddItemToObject(o, "model", model);
    cJSON_AddItemToObject(o, "inputs", inputs);
    cJSON *units = cJSON_AddArrayToObject(o, "units");
    for (size_t u = 0; units && u < p->nunits; u++)
        cJSON_AddItemToArray(units, cJSON_CreateString(p->unit[u]));
    cJSON *base = baseline_json(p), *plan = plan_json(s, p), *fc = forecast_json(cx_simulation_root(sim));
    if (!units || !base || !plan || !fc) {
        cJSON_Delete(base);
        cJSON_Delete(plan);
        cJSON_Delete(fc);
        cJSON_Delete(o);
        return oom(err);
    }
    cJSON_AddItemToObject(o, "baseline", base);
    cJSON_AddItemToObject(o, "plan", plan);
    cJSON_AddItemToObject(o, "forecast", fc);
    *out = o;
    return CX_OK;
}

cx_status cx_ledger_record_case(const char *path, const cx_scenario *s, const cx_simulation *sim, size_t *seq,
                                cx_error *err)
{
    cJSON *body = NULL;
    cx_status rc = case_json(s, sim, &body, err);
    if (rc == CX_OK)
        rc = cx_ledger_append(path, "case", body, seq, err);
    cJSON_Delete(body);
    return rc;
}
