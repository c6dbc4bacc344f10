/*
 * modelfile.c - the fitted model as JSON, the contract of `cxcase fit
 * --json` and of the file `simulate` reads:
 *
 *   {"equations": [{"target", "n", "n_dropped", "df_resid", "sigma", "r2",
 *     "adj_r2", "f", "f_p", "loglik", "aic", "bic", "durbin_watson",
 *     "condition_number", "method", "se_type", "warnings",
 *     "terms": [{"name", "coef", "se", "t", "p", "ci_low", "ci_high", "vif",
 *                "importance"}],
 *     "covariance": [[...]], "ranges": {"column": {"min", "max", "mean"}}}],
 *    "provenance": {"tool", "spec", "inputs": [{"file", "sha256"}], "fitted_at"}}
 *
 * Numbers that do not exist (the t of a fixed coefficient) are null.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "model_internal.h"
#include "../core/jsonin.h"

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static const char *se_name(cx_se_kind k)
{
    switch (k) {
    case CX_SE_HC1: return "hc1";
    case CX_SE_HC3: return "hc3";
    case CX_SE_CLUSTER: return "cluster";
    default: return "classic";
    }
}

static cJSON *equation_json(const cx_equation *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "target", e->target);
    cJSON_AddItemToObject(o, "n", num(e->stat[CX_STAT_N]));
    cJSON_AddItemToObject(o, "n_dropped", num(e->stat[CX_STAT_N_DROPPED]));
    cJSON_AddItemToObject(o, "df_resid", num(e->stat[CX_STAT_DF_RESID]));
    /* the tests' degrees of freedom; null for z tests (normal) */
    cJSON_AddItemToObject(o, "df_test", num(e->stat[CX_STAT_DF_TEST]));
    cJSON_AddItemToObject(o, "sigma", num(e->stat[CX_STAT_SIGMA]));
    cJSON_AddItemToObject(o, "r2", num(e->stat[CX_STAT_R2]));
    cJSON_AddItemToObject(o, "adj_r2", num(e->stat[CX_STAT_ADJ_R2]));
    cJSON_AddItemToObject(o, "r2_fixed_effects", num(e->stat[CX_STAT_R2_FIXED]));
    cJSON_AddItemToObject(o, "f", num(e->stat[CX_STAT_F]));
    cJSON_AddItemToObject(o, "f_p", num(e->stat[CX_STAT_F_P]));
    cJSON_AddItemToObject(o, "loglik", num(e->stat[CX_STAT_LOGLIK]));
    cJSON_AddItemToObject(o, "aic", num(e->stat[CX_STAT_AIC]));
    cJSON_AddItemToObject(o, "bic", num(e->stat[CX_STAT_BIC]));
    cJSON_AddItemToObject(o, "durbin_watson", num(e->stat[CX_STAT_DW]));
    cJSON_AddItemToObject(o, "condition_number", num(e->stat[CX_STAT_CONDITION]));
    cJSON_AddItemToObject(o, "rss", num(e->stat[CX_STAT_RSS]));
    cJSON *bp = cJSON_AddObjectToObject(o, "breusch_pagan");
    cJSON_AddItemToObject(bp, "statistic", num(e->stat[CX_STAT_BP]));
    cJSON_AddItemToObject(bp, "p", num(e->stat[CX_STAT_BP_P]));
    cJSON *jb = cJSON_AddObjectToObject(o, "jarque_bera");
    cJSON_AddItemToObject(jb, "statistic", num(e->stat[CX_STAT_JB]));
    cJSON_AddItemToObject(jb, "p", num(e->stat[CX_STAT_JB_P]));
    cJSON *fc = cJSON_AddObjectToObject(o, "forecast_errors");
    cJSON *ins = cJSON_AddObjectToObject(fc, "in_sample");
    cJSON_AddItemToObject(ins, "rmse", num(e->stat[CX_STAT_IN_RMSE]));
    cJSON_AddItemToObject(ins, "mae", num(e->stat[CX_STAT_IN_MAE]));
    cJSON_AddItemToObject(ins, "mape", num(e->stat[CX_STAT_IN_MAPE]));
    if (e->stat[CX_STAT_HOLDOUT_N] > 0) {
        cJSON *ho = cJSON_AddObjectToObject(fc, "holdout");
        cJSON_AddItemToObject(ho, "n", num(e->stat[CX_STAT_HOLDOUT_N]));
        cJSON_AddItemToObject(ho, "rmse", num(e->stat[CX_STAT_HOLDOUT_RMSE]));
        cJSON_AddItemToObject(ho, "mae", num(e->stat[CX_STAT_HOLDOUT_MAE]));
        cJSON_AddItemToObject(ho, "mape", num(e->stat[CX_STAT_HOLDOUT_MAPE]));
    }
    cJSON_AddStringToObject(o, "method", e->method_name);
    if (e->method == CX_METHOD_RIDGE)
        cJSON_AddItemToObject(o, "lambda", num(e->stat[CX_STAT_LAMBDA]));
    cJSON_AddStringToObject(o, "se_type", se_name(e->se_kind));
    if (isfinite(e->stat[CX_STAT_TAU2])) {
        cJSON_AddItemToObject(o, "tau2", num(e->stat[CX_STAT_TAU2]));
        cJSON_AddItemToObject(o, "tau2_se", num(e->stat[CX_STAT_TAU2_SE]));
    }
    if (e->nme) {
        cJSON *me = cJSON_AddArrayToObject(o, "measurement_error");
        for (size_t k = 0; k < e->nme; k++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddItemToArray(me, t);
            cJSON_AddStringToObject(t, "term", e->me[k].term);
            cJSON_AddStringToObject(t, "column", e->me[k].column);
            cJSON_AddStringToObject(t, "se_column", e->me[k].se_column);
            cJSON_AddItemToObject(t, "reliability", num(e->me[k].reliability));
            cJSON_AddItemToObject(t, "error_variance", num(e->me[k].error_variance));
        }
    }
    if (e->naive_coef) {
        cJSON *nv = cJSON_AddArrayToObject(o, "naive");
        for (size_t j = 0; j < e->p && !e->fixed[j]; j++) {
            cJSON *t = cJSON_CreateObject();
            cJSON_AddItemToArray(nv, t);
            cJSON_AddStringToObject(t, "name", e->names[j]);
            cJSON_AddItemToObject(t, "coef", num(e->naive_coef[j]));
            cJSON_AddItemToObject(t, "se", num(e->naive_se[j]));
        }
    }
    cJSON *w = cJSON_AddArrayToObject(o, "warnings");
    for (size_t i = 0; i < cx_warnings_count(e->warn); i++)
        cJSON_AddItemToArray(w, cJSON_CreateString(cx_warnings_get(e->warn, i)));
    cJSON *terms = cJSON_AddArrayToObject(o, "terms");
    for (size_t j = 0; j < e->p; j++) {
        cJSON *t = cJSON_CreateObject();
        cJSON_AddItemToArray(terms, t);
        cJSON_AddStringToObject(t, "name", e->names[j]);
        cJSON_AddItemToObject(t, "coef", num(e->coef[j]));
        cJSON_AddItemToObject(t, "se", num(e->se[j]));
        cJSON_AddItemToObject(t, "t", num(e->t[j]));
        cJSON_AddItemToObject(t, "p", num(e->pval[j]));
        cJSON_AddItemToObject(t, "ci_low", num(e->lo[j]));
        cJSON_AddItemToObject(t, "ci_high", num(e->hi[j]));
        cJSON_AddItemToObject(t, "vif", num(e->vif[j]));
        cJSON_AddItemToObject(t, "importance", num(e->importance[j]));
        cJSON_AddItemToObject(t, "std_coef", num(e->std_coef[j]));
        cJSON_AddItemToObject(t, "elasticity", num(e->elasticity[j]));
        if (e->fixed[j])
            cJSON_AddBoolToObject(t, "fixed", 1);
    }
    cJSON *cov = cJSON_AddArrayToObject(o, "covariance");
    for (size_t i = 0; i < e->p; i++) {
        cJSON *row = cJSON_CreateArray();
        cJSON_AddItemToArray(cov, row);
        for (size_t j = 0; j < e->p; j++)
            cJSON_AddItemToArray(row, num(e->cov[i * e->p + j]));
    }
    cJSON *ranges = cJSON_AddObjectToObject(o, "ranges");
    for (size_t k = 0; k < e->nranges; k++) {
        cJSON *r = cJSON_AddObjectToObject(ranges, e->ranges[k].col);
        cJSON_AddItemToObject(r, "min", num(e->ranges[k].min));
        cJSON_AddItemToObject(r, "max", num(e->ranges[k].max));
        cJSON_AddItemToObject(r, "mean", num(e->ranges[k].mean));
    }
    return o;
}

/* Inputs are recorded by name; their SHA-256 is computed when the model is
 * written (cx_model_json) unless the fit recorded it (cx_fit_options.sha256),
 * so a fit printed to the terminal reads each file only for the fit itself. */
cx_status cx_model_add_input(cx_model *m, const char *path, cx_error *err)
{
    size_t n = m->ninputs;
    char **in = cx_realloc(m->inputs, (n + 1) * sizeof(char *));
    if (!in)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    m->inputs = in;
    char **hs = cx_realloc(m->hashes, (n + 1) * sizeof(char *));
    if (!hs)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    m->hashes = hs;
    m->hashes[n] = NULL;
    if (!(m->inputs[n] = cx_strdup(path)))
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    m->ninputs++;
    return CX_OK;
}

cx_status cx_model_set_input_hash(cx_model *m, size_t i, const char *hex, cx_error *err)
{
    char *h = cx_strdup(hex);
    if (!h)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    cx_free(m->hashes[i]);
    m->hashes[i] = h;
    return CX_OK;
}

cx_status cx_model_json(const cx_model *m, char **out, cx_error *err)
{
    *out = NULL;
    cJSON *doc = cJSON_CreateObject();
    cJSON *eqs = doc ? cJSON_AddArrayToObject(doc, "equations") : NULL;
    if (!eqs) {
        cJSON_Delete(doc);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < m->neq; i++)
        cJSON_AddItemToArray(eqs, equation_json(m->eq[i]));
    cJSON *prov = cJSON_AddObjectToObject(doc, "provenance");
    cJSON_AddStringToObject(prov, "tool", "cxcase " CX_VERSION);
    cJSON_AddStringToObject(prov, "spec", m->spec_name ? m->spec_name : "");
    cJSON *inputs = cJSON_AddArrayToObject(prov, "inputs");
    for (size_t i = 0; i < m->ninputs; i++) {
        char hex[65];
        cx_status st = CX_OK;
        if (m->hashes[i]) /* recorded when the input was read (a pipe, or hashed while the fit ran) */
            memcpy(hex, m->hashes[i], sizeof hex);
        else
            st = cx_sha256_file(m->inputs[i], hex, err);
        if (st != CX_OK) {
            cJSON_Delete(doc);
            return st;
        }
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(inputs, f);
        cJSON_AddStringToObject(f, "file", m->inputs[i]);
        cJSON_AddStringToObject(f, "sha256", m->hashes[i] ? m->hashes[i] : hex);
    }
    cJSON_AddStringToObject(prov, "fitted_at", m->fitted_at);
    char *s = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!s)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    /* hand out a string the caller frees with cx_free_string */
    *out = cx_strdup(s);
    cJSON_free(s);
    return *out ? CX_OK : cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

void cx_free_string(char *s)
{
    cx_free(s);
}

/* ======================================================================== */
/* Reading                                                                  */
/* ======================================================================== */

/* A number or null (NaN) member; absent: NaN. */
static cx_status num_or_null(const cJSON *o, const char *key, const char *file, cx_jpath *p, double *out,
                             cx_error *err)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    *out = NAN;
    if (!x || cJSON_IsNull(x))
        return CX_OK;
    return cx_json_number(o, key, 1, file, p, out, err);
}

static const struct {
    const char *key;
    cx_stat stat;
} stat_keys[] = {{"n", CX_STAT_N}, {"n_dropped", CX_STAT_N_DROPPED}, {"df_resid", CX_STAT_DF_RESID},
                 {"sigma", CX_STAT_SIGMA}, {"r2", CX_STAT_R2}, {"adj_r2", CX_STAT_ADJ_R2},
                 {"r2_fixed_effects", CX_STAT_R2_FIXED}, {"f", CX_STAT_F}, {"f_p", CX_STAT_F_P},
                 {"loglik", CX_STAT_LOGLIK}, {"aic", CX_STAT_AIC}, {"bic", CX_STAT_BIC},
                 {"durbin_watson", CX_STAT_DW}, {"condition_number", CX_STAT_CONDITION}, {"rss", CX_STAT_RSS},
                 {"tau2", CX_STAT_TAU2}, {"tau2_se", CX_STAT_TAU2_SE}, {"df_test", CX_STAT_DF_TEST}};

/* The estimators' names as the JSON writes them (static texts). */
static const char *const method_names[] = {"ols", "ridge", "robust", "eiv", "reml"};

/* "measurement_error" and "naive" of an errors-in-variables equation. */
static cx_status read_me(const cJSON *o, const char *file, cx_jpath *p, cx_equation *e, cx_error *err)
{
    const cJSON *me = cJSON_GetObjectItemCaseSensitive(o, "measurement_error");
    const cJSON *nv = cJSON_GetObjectItemCaseSensitive(o, "naive");
    cx_status st = CX_OK;
    if (me) {
        size_t old = cx_jpath_key(p, "measurement_error"), n = (size_t)cJSON_GetArraySize(me);
        if (!cJSON_IsArray(me))
            return cx_json_error(err, CX_EINVAL, file, p, "expected an array of terms measured with error");
        if (!(e->me = cx_calloc(n + 1, sizeof(cx_me_term))))
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        for (const cJSON *t = me->child; t && st == CX_OK; t = t->next) {
            size_t o2 = cx_jpath_index(p, e->nme);
            cx_me_term *x = &e->me[e->nme++];
            const char *term = NULL, *col = NULL, *se = NULL;
            st = cx_json_string(t, "term", 1, file, p, &term, err);
            if (st == CX_OK)
                st = cx_json_string(t, "column", 1, file, p, &col, err);
            if (st == CX_OK)
                st = cx_json_string(t, "se_column", 1, file, p, &se, err);
            if (st == CX_OK)
                st = num_or_null(t, "reliability", file, p, &x->reliability, err);
            if (st == CX_OK)
                st = num_or_null(t, "error_variance", file, p, &x->error_variance, err);
            if (st == CX_OK && (!(x->term = cx_strdup(term)) || !(x->column = cx_strdup(col)) ||
                                !(x->se_column = cx_strdup(se))))
                st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
            cx_jpath_pop(p, o2);
        }
        cx_jpath_pop(p, old);
    }
    if (st == CX_OK && nv && cJSON_IsArray(nv)) {
        e->naive_coef = cx_calloc(e->p + 1, sizeof(double));
        e->naive_se = cx_calloc(e->p + 1, sizeof(double));
        if (!e->naive_coef || !e->naive_se)
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        size_t old = cx_jpath_key(p, "naive"), j = 0;
        for (size_t i = 0; i < e->p; i++)
            e->naive_coef[i] = e->naive_se[i] = NAN;
        for (const cJSON *t = nv->child; t && st == CX_OK && j < e->p; t = t->next, j++) {
            size_t o2 = cx_jpath_index(p, j);
            st = num_or_null(t, "coef", file, p, &e->naive_coef[j], err);
            if (st == CX_OK)
                st = num_or_null(t, "se", file, p, &e->naive_se[j], err);
            cx_jpath_pop(p, o2);
        }
        cx_jpath_pop(p, old);
    }
    return st;
}

static cx_status read_equation(const cJSON *o, const char *file, cx_jpath *p, cx_equation **out, cx_error *err)
{
    const char *target = NULL, *method = NULL;
    const cJSON *terms = NULL, *cov = NULL;
    cx_status st = cx_json_string(o, "target", 1, file, p, &target, err);
    if (st == CX_OK)
        st = cx_json_array(o, "terms", 1, file, p, &terms, err);
    if (st == CX_OK)
        st = cx_json_array(o, "covariance", 1, file, p, &cov, err);
    if (st != CX_OK)
        return st;
    size_t n = (size_t)cJSON_GetArraySize(terms);
    if (n == 0)
        return cx_json_error(err, CX_EINVAL, file, p, "expected the equation's terms, found none");
    cx_equation *e = cx_equation_new(n);
    if (!e || !(e->target = cx_strdup(target))) {
        cx_equation_free(e);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t i = 0; i < sizeof stat_keys / sizeof stat_keys[0] && st == CX_OK; i++)
        st = num_or_null(o, stat_keys[i].key, file, p, &e->stat[stat_keys[i].stat], err);
    if (cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, "df_test")))
        e->stat[CX_STAT_DF_TEST] = INFINITY; /* z tests; absent (an older file): NaN */
    if (st == CX_OK && !(e->stat[CX_STAT_DF_RESID] >= 0))
        st = cx_json_error(err, CX_EINVAL, file, p, "expected \"df_resid\", the residual degrees of freedom, found none");
    if (st == CX_OK)
        st = cx_json_string(o, "method", 0, file, p, &method, err);
    e->method = method && strcmp(method, "ridge") == 0 ? CX_METHOD_RIDGE
                : method && strcmp(method, "robust") == 0 ? CX_METHOD_ROBUST : CX_METHOD_OLS;
    for (size_t i = 0; method && i < sizeof method_names / sizeof method_names[0]; i++)
        if (strcmp(method, method_names[i]) == 0)
            e->method_name = method_names[i];
    if (st == CX_OK)
        st = read_me(o, file, p, e, err);
    size_t old = cx_jpath_key(p, "terms"), j = 0;
    for (const cJSON *t = terms->child; t && st == CX_OK; t = t->next, j++) {
        size_t o2 = cx_jpath_index(p, j);
        const char *name = NULL;
        if (!cJSON_IsObject(t))
            st = cx_json_error(err, CX_EINVAL, file, p, "expected a term object, found another type");
        if (st == CX_OK)
            st = cx_json_string(t, "name", 1, file, p, &name, err);
        if (st == CX_OK && !(e->names[j] = cx_strdup(name)))
            st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        if (st == CX_OK)
            st = cx_json_number(t, "coef", 1, file, p, &e->coef[j], err);
        static const char *const k[] = {"se", "t", "p", "ci_low", "ci_high", "vif", "importance", "std_coef", "elasticity"};
        double *dst[] = {&e->se[j], &e->t[j], &e->pval[j], &e->lo[j], &e->hi[j], &e->vif[j], &e->importance[j],
                         &e->std_coef[j], &e->elasticity[j]};
        for (size_t i = 0; i < 9 && st == CX_OK; i++)
            st = num_or_null(t, k[i], file, p, dst[i], err);
        if (st == CX_OK)
            st = cx_json_bool(t, "fixed", 0, file, p, &e->fixed[j], err);
        if (st == CX_OK)
            cx_jpath_pop(p, o2);
    }
    if (st == CX_OK)
        cx_jpath_pop(p, old);
    /* the covariance: n rows of n numbers (null: 0, a coefficient without one) */
    if (st == CX_OK && (size_t)cJSON_GetArraySize(cov) != n)
        st = cx_json_error(err, CX_EINVAL, file, p, "expected a covariance of %zu rows, one per term, found %d", n,
                           cJSON_GetArraySize(cov));
    old = cx_jpath_key(p, "covariance");
    j = 0;
    for (const cJSON *row = cov ? cov->child : NULL; row && st == CX_OK; row = row->next, j++) {
        size_t o2 = cx_jpath_index(p, j);
        if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != n)
            st = cx_json_error(err, CX_EINVAL, file, p, "expected a row of %zu numbers", n);
        size_t i = 0;
        for (const cJSON *x = row->child; x && st == CX_OK; x = x->next, i++) {
            if (cJSON_IsNumber(x))
                e->cov[j * n + i] = x->valuedouble;
            else if (!cJSON_IsNull(x)) {
                cx_jpath_index(p, i);
                st = cx_json_error(err, CX_EINVAL, file, p, "expected a number, found another type");
            }
        }
        if (st == CX_OK)
            cx_jpath_pop(p, o2);
    }
    if (st == CX_OK)
        cx_jpath_pop(p, old);
    /* the ranges of the columns */
    const cJSON *ranges = cJSON_GetObjectItemCaseSensitive(o, "ranges");
    if (st == CX_OK && ranges) {
        old = cx_jpath_key(p, "ranges");
        if (!cJSON_IsObject(ranges))
            st = cx_json_error(err, CX_EINVAL, file, p, "expected an object of column ranges");
        else if (!(e->ranges = cx_calloc((size_t)cJSON_GetArraySize(ranges) + 1, sizeof(cx_range))))
            st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        for (const cJSON *r = st == CX_OK ? ranges->child : NULL; r && st == CX_OK; r = r->next) {
            size_t o2 = cx_jpath_key(p, r->string);
            cx_range *x = &e->ranges[e->nranges];
            if (!(x->col = cx_strdup(r->string)))
                st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
            e->nranges++;
            if (st == CX_OK)
                st = cx_json_number(r, "min", 1, file, p, &x->min, err);
            if (st == CX_OK)
                st = cx_json_number(r, "max", 1, file, p, &x->max, err);
            if (st == CX_OK)
                st = num_or_null(r, "mean", file, p, &x->mean, err);
            if (st == CX_OK)
                cx_jpath_pop(p, o2);
        }
        if (st == CX_OK)
            cx_jpath_pop(p, old);
    }
    const cJSON *warns = cJSON_GetObjectItemCaseSensitive(o, "warnings");
    for (const cJSON *w = cJSON_IsArray(warns) ? warns->child : NULL; w && st == CX_OK; w = w->next)
        if (cJSON_IsString(w))
            st = cx_warnings_add(e->warn, "%s", w->valuestring);
    if (st != CX_OK) {
        cx_equation_free(e);
        return st;
    }
    *out = e;
    return CX_OK;
}

cx_status cx_model_load(const char *path, cx_model **out, cx_error *err)
{
    *out = NULL;
    cJSON *root = NULL;
    cx_status st = cx_json_load(path, &root, err);
    if (st != CX_OK)
        return st;
    cx_jpath p;
    cx_jpath_init(&p);
    const cJSON *eqs = NULL;
    cx_model *m = cx_calloc(1, sizeof *m);
    if (!m)
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CX_OK && !cJSON_IsObject(root))
        st = cx_json_error(err, CX_EINVAL, path, &p, "expected a fitted model (an object), found another type");
    if (st == CX_OK)
        st = cx_json_array(root, "equations", 1, path, &p, &eqs, err);
    if (st == CX_OK && cJSON_GetArraySize(eqs) == 0)
        st = cx_json_error(err, CX_EINVAL, path, &p, "expected at least one equation, found none");
    if (st == CX_OK && !(m->eq = cx_calloc((size_t)cJSON_GetArraySize(eqs) + 1, sizeof(cx_equation *))))
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    size_t old = cx_jpath_key(&p, "equations"), i = 0;
    for (const cJSON *e = st == CX_OK ? eqs->child : NULL; e && st == CX_OK; e = e->next, i++) {
        size_t o2 = cx_jpath_index(&p, i);
        if (!cJSON_IsObject(e))
            st = cx_json_error(err, CX_EINVAL, path, &p, "expected an equation object, found another type");
        if (st == CX_OK)
            st = read_equation(e, path, &p, &m->eq[m->neq], err);
        if (st == CX_OK) {
            m->neq++;
            cx_jpath_pop(&p, o2);
        }
    }
    (void)old;
    const cJSON *prov = cJSON_GetObjectItemCaseSensitive(root, "provenance");
    const cJSON *spec = cJSON_GetObjectItemCaseSensitive(prov, "spec");
    if (st == CX_OK && cJSON_IsString(spec) && !(m->spec_name = cx_strdup(spec->valuestring)))
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(prov, "fitted_at");
    if (cJSON_IsString(at))
        snprintf(m->fitted_at, sizeof m->fitted_at, "%s", at->valuestring);
    cJSON_Delete(root);
    if (st != CX_OK) {
        cx_model_free(m);
        return st;
    }
    *out = m;
    return CX_OK;
}
