/*
 * equation.c - a fitted equation: its storage, and the accessors of the
 * public API (include/cxcase/model.h).  The fit (fit.c) and the model file
 * reader (modelfile.c) both make equations; neither owns the type.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "model_internal.h"

void cx_equation_free(cx_equation *e)
{
    if (!e)
        return;
    for (size_t j = 0; e->names && j < e->p; j++)
        cx_free(e->names[j]);
    cx_free(e->names);
    cx_free(e->fixed);
    cx_free(e->coef);
    cx_free(e->se);
    cx_free(e->t);
    cx_free(e->pval);
    cx_free(e->lo);
    cx_free(e->hi);
    cx_free(e->vif);
    cx_free(e->importance);
    cx_free(e->std_coef);
    cx_free(e->elasticity);
    cx_free(e->cov);
    for (size_t k = 0; k < e->nranges; k++)
        cx_free(e->ranges[k].col);
    cx_free(e->ranges);
    cx_warnings_free(e->warn);
    for (size_t k = 0; k < e->nme; k++) {
        cx_free(e->me[k].term);
        cx_free(e->me[k].column);
        cx_free(e->me[k].se_column);
    }
    cx_free(e->me);
    cx_free(e->naive_coef);
    cx_free(e->naive_se);
    cx_free(e->target);
    cx_free(e);
}

cx_equation *cx_equation_new(size_t p)
{
    cx_equation *e = cx_calloc(1, sizeof *e);
    if (!e)
        return NULL;
    e->p = p;
    e->names = cx_calloc(p + 1, sizeof(char *));
    e->fixed = cx_calloc(p + 1, sizeof(int));
    e->coef = cx_calloc(p + 1, sizeof(double));
    e->se = cx_calloc(p + 1, sizeof(double));
    e->t = cx_calloc(p + 1, sizeof(double));
    e->pval = cx_calloc(p + 1, sizeof(double));
    e->lo = cx_calloc(p + 1, sizeof(double));
    e->hi = cx_calloc(p + 1, sizeof(double));
    e->vif = cx_calloc(p + 1, sizeof(double));
    e->importance = cx_calloc(p + 1, sizeof(double));
    e->std_coef = cx_calloc(p + 1, sizeof(double));
    e->elasticity = cx_calloc(p + 1, sizeof(double));
    e->cov = cx_calloc(p * p + 1, sizeof(double));
    e->warn = cx_warnings_new();
    if (!e->names || !e->fixed || !e->coef || !e->se || !e->t || !e->pval || !e->lo || !e->hi ||
        !e->vif || !e->importance || !e->std_coef || !e->elasticity || !e->cov || !e->warn) {
        cx_equation_free(e);
        return NULL;
    }
    for (size_t j = 0; j < p; j++)
        e->importance[j] = e->std_coef[j] = e->elasticity[j] = NAN;
    for (int s = 0; s < CX_STAT_MAX; s++)
        e->stat[s] = NAN;
    e->method_name = "ols";
    return e;
}

/* ---- accessors ---------------------------------------------------------- */

size_t cx_model_nequations(const cx_model *m) { return m ? m->neq : 0; }
const cx_equation *cx_model_equation(const cx_model *m, size_t i) { return m->eq[i]; }
const char *cx_equation_target(const cx_equation *e) { return e->target; }
double cx_equation_stat(const cx_equation *e, cx_stat s) { return (unsigned)s < CX_STAT_MAX ? e->stat[s] : NAN; }
size_t cx_equation_ncoef(const cx_equation *e) { return e->p; }
const char *cx_equation_coef_name(const cx_equation *e, size_t j) { return e->names[j]; }
const double *cx_equation_coef(const cx_equation *e) { return e->coef; }
const double *cx_equation_se(const cx_equation *e) { return e->se; }
const double *cx_equation_t(const cx_equation *e) { return e->t; }
const double *cx_equation_p(const cx_equation *e) { return e->pval; }
const double *cx_equation_ci_low(const cx_equation *e) { return e->lo; }
const double *cx_equation_ci_high(const cx_equation *e) { return e->hi; }
const double *cx_equation_vif(const cx_equation *e) { return e->vif; }
const double *cx_equation_std_coef(const cx_equation *e) { return e->std_coef; }
const double *cx_equation_elasticity(const cx_equation *e) { return e->elasticity; }
const double *cx_equation_importance(const cx_equation *e) { return e->importance; }
const double *cx_equation_covariance(const cx_equation *e) { return e->cov; }
const cx_warnings *cx_equation_warnings(const cx_equation *e) { return e->warn; }

const char *cx_equation_method(const cx_equation *e) { return e->method_name; }
size_t cx_equation_nme(const cx_equation *e) { return e->nme; }
const double *cx_equation_naive_coef(const cx_equation *e) { return e->naive_coef; }
const double *cx_equation_naive_se(const cx_equation *e) { return e->naive_se; }

const char *cx_equation_me(const cx_equation *e, size_t k, const char **column, const char **se_column,
                           double *reliability, double *error_variance)
{
    const cx_me_term *m = &e->me[k];
    if (column)
        *column = m->column;
    if (se_column)
        *se_column = m->se_column;
    if (reliability)
        *reliability = m->reliability;
    if (error_variance)
        *error_variance = m->error_variance;
    return m->term;
}
cx_se_kind cx_equation_se_kind(const cx_equation *e) { return e->se_kind; }

size_t cx_equation_coef_index(const cx_equation *e, const char *name)
{
    size_t j = 0;
    while (j < e->p && strcmp(e->names[j], name) != 0)
        j++;
    return j;
}
