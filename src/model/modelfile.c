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
#include <string.h>

#include <cjson/cJSON.h>

#include "model_internal.h"

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static const char *method_name(cx_method m)
{
    return m == CX_METHOD_RIDGE ? "ridge" : m == CX_METHOD_ROBUST ? "robust" : "ols";
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
    cJSON_AddStringToObject(o, "method", method_name(e->method));
    if (e->method == CX_METHOD_RIDGE)
        cJSON_AddItemToObject(o, "lambda", num(e->stat[CX_STAT_LAMBDA]));
    cJSON_AddStringToObject(o, "se_type", se_name(e->se_kind));
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
 * written (cx_model_json), so a fit printed to the terminal reads each file
 * only for the fit itself. */
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
        cx_status st = cx_sha256_file(m->inputs[i], hex, err);
        if (st != CX_OK) {
            cJSON_Delete(doc);
            return st;
        }
        cJSON *f = cJSON_CreateObject();
        cJSON_AddItemToArray(inputs, f);
        cJSON_AddStringToObject(f, "file", m->inputs[i]);
        cJSON_AddStringToObject(f, "sha256", hex);
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
