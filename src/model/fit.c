/*
 * fit.c - least squares, streamed, with the inference a statistician signs.
 *
 * Pass 1 streams design rows in chunks into GSL's TSQR accumulator
 * (gsl_multilarge_linear_tsqr), which keeps only the p x p factor R and
 * Q'y: memory does not depend on the number of rows.  The solution uses
 * R with its columns scaled to unit norm (the scaled condition number is the
 * one reported), by back substitution.
 *
 * Pass 2 streams the rows again for the residuals: the residual sum of
 * squares and X'W r accumulated in long double, Durbin-Watson within units,
 * the moments for Jarque-Bera, the auxiliary regression for Breusch-Pagan,
 * and the "meat" of robust and clustered covariances.  When the design is
 * ill-conditioned, X'W r drives iterative refinement with the seminormal
 * equations R'R d = X'W r (Björck's corrected seminormal equations) and the
 * pass is repeated: that is what brings badly conditioned polynomial designs
 * (NIST Wampler, Filip) to the accuracy double precision allows.
 *
 * Weighted least squares multiplies each row and its target by sqrt(w).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <pthread.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_multilarge.h>
#include <gsl/gsl_sf_gamma.h>


#include "../data/table.h"
#include "fit_internal.h"
#include "importance.h"

#define REFINE_ETA 1e-13 /* refine when the estimated relative error exceeds this */
#define MAX_REFINE 4

/* Two-sided p-value of a t statistic with df degrees of freedom, through the
 * regularised incomplete beta function: P(|T| > |t|) = I_{df/(df+t^2)}(df/2,
 * 1/2).  gsl_cdf_tdist_Q loses about 8 digits far in the tail (t = 13, df =
 * 45); the incomplete beta keeps about 14, like R's pt. */
static double t_pvalue(double t, double df)
{
    if (!isfinite(t))
        return isnan(t) ? NAN : 0.0;
    return gsl_sf_beta_inc(df / 2, 0.5, df / (df + t * t));
}

/* Upper tail of the F distribution, by the same route:
 * P(F > f) = I_{d2/(d2+d1 f)}(d2/2, d1/2). */
static double f_pvalue(double f, double d1, double d2)
{
    if (!isfinite(f))
        return isnan(f) ? NAN : 0.0;
    if (f <= 0)
        return 1.0;
    return gsl_sf_beta_inc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/* ======================================================================== */
/* Double-double arithmetic for the refinement residuals                   */
/* ======================================================================== */

/* A value hi + lo with about 106 bits (Dekker 1971; Hida, Li and Bailey's
 * QD library describe the same error-free transformations). */
typedef struct dd {
    double hi, lo;
} dd;

static dd dd_add(dd a, dd b)
{
    double s = a.hi + b.hi;
    double bb = s - a.hi;
    double e = (a.hi - (s - bb)) + (b.hi - bb);
    e += a.lo + b.lo;
    double h = s + e;
    return (dd){h, e - (h - s)};
}

/* a x b for a double-double a and a double b, the product made exact by fma. */
static dd dd_mul(dd a, double b)
{
    double p = a.hi * b;
    double e = fma(a.hi, b, -p);
    e += a.lo * b;
    double h = p + e;
    return (dd){h, e - (h - p)};
}

/* Accumulators of one residual pass. */
typedef struct respass {
    long double rss, sum_e, sum_e2, sum_e3, sum_e4;
    dd *g;                 /* X'W r, p; exact to about 106 bits when `precise` */
    int precise;
    long double dw_num;    /* sum of squared differences within units */
    double *last_e;        /* per unit: the previous residual */
    double *first_e;       /* per unit: its first residual in this pass */
    unsigned char *has_last;
    double *clus;          /* per unit: sum of x_i e_i (p each) */
    size_t ucap;
    double *meat;          /* p x p */
    gsl_multilarge_linear_workspace *aux; /* e^2 on X, for Breusch-Pagan */
    size_t paux, k0;                      /* its columns; 1 when X has no constant */
    long double *xz;                      /* with an intercept: X'W^(1/2) e^2, for the same
                                             regression through the fit's own R factor */
    /* forecast errors: [0] rows used (in sample), [1] held-out rows */
    long double fse[2], fae[2], fape[2];
    double fcnt[2], fcntp[2];
    double aux_mean, aux_m2, aux_n;       /* Welford on e^2 */
} respass;



static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static cx_status gsl_fail(cx_error *err, int status, const char *what)
{
    return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "%s failed: %s", what, gsl_strerror(status));
}

/* ======================================================================== */
/* Fitted equations                                                         */
/* ======================================================================== */

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
    return e;
}

/* ======================================================================== */
/* Pass 1: TSQR                                                             */
/* ======================================================================== */

static cx_status flush_chunk(fitctx *c, gsl_multilarge_linear_workspace *ls, cx_error *err)
{
    if (c->nrows == 0 || (c->n <= (double)c->p && c->nrows < c->p))
        return CX_OK; /* too few rows in all: reported by the caller */
    gsl_matrix_view Xv = gsl_matrix_submatrix(c->X, 0, 0, c->nrows, c->p);
    gsl_vector_view yv = gsl_vector_subvector(c->yv, 0, c->nrows);
    int status = gsl_multilarge_linear_accumulate(&Xv.matrix, &yv.vector, ls);
    c->nrows = 0;
    return status ? gsl_fail(err, status, "the QR accumulation") : CX_OK;
}

static cx_status collect_row(fitctx *c, double sw, double y, cx_error *err);

cx_status cx_fit_pass1(fitctx *c, gsl_multilarge_linear_workspace *ls, cx_error *err)
{
    cx_design *d = c->d;
    size_t nin = cx_design_ninputs(d);
    cx_status st = cx_source_rewind(c->src, err);
    cx_design_begin_pass(d);
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_source_next(c->src, &b, err);
        if (st != CX_OK || !b)
            break;
        for (size_t i = 0; i < cx_table_nrows(b); i++) {
            double y, w;
            size_t unit;
            int r = cx_design_row(d, b, i, c->x, &y, &w, &unit, &st, err);
            if (r < 0)
                return st;
            if (r == 0) {
                c->ndropped++;
                continue;
            }
            if (c->spill) {
                /* only what the later passes cannot know: no constant column,
                 * no weight of 1, no target equal to y */
                size_t k = 2;
                c->rec[0] = (double)unit * 4 + r;
                c->rec[1] = y;
                if (c->rec_w)
                    c->rec[k++] = w;
                if (c->rec_actual)
                    c->rec[k++] = cx_design_input_value(d, 0);
                memcpy(c->rec + k, c->x + c->rec_k0, (c->p - (size_t)c->rec_k0) * sizeof(double));
                if (cx_spill_put(c->spill, c->rec) != 0) {
                    cx_spill_free(c->spill); /* no room: the later passes parse the text again */
                    c->spill = NULL;
                }
            }
            if (r == 2) {
                c->nheld++;
                continue;
            }
            c->n++;
            c->sumw += w;
            if (w != 1.0)
                c->sumlogw += log(w); /* log(1) adds nothing */
            /* West's weighted incremental mean and sum of squares */
            double delta = y - c->ymean;
            c->ymean += delta * w / c->sumw;
            c->ym2 += w * delta * (y - c->ymean);
            c->sumwy2 += (long double)w * y * y;
            double sw = w == 1.0 ? 1.0 : sqrt(w);
            double *xrow = c->X->data + c->nrows * c->X->tda;
            for (size_t j = 0; j < c->p; j++) {
                c->colsum[j] += w * c->x[j];
                xrow[j] = sw * c->x[j];
            }
            c->yv->data[c->nrows * c->yv->stride] = sw * y;
            if (c->collect && (st = collect_row(c, sw, y, err)) != CX_OK)
                return st;
            for (size_t k = 0; k < nin; k++) {
                double v = cx_design_input_value(d, k);
                if (isnan(v))
                    continue;
                if (v < c->rmin[k])
                    c->rmin[k] = v;
                if (v > c->rmax[k])
                    c->rmax[k] = v;
                c->rsum[k] += v;
            }
            if (++c->nrows == c->chunk && (st = flush_chunk(c, ls, err)) != CX_OK)
                return st;
        }
    }
    if (st == CX_OK)
        st = flush_chunk(c, ls, err);
    return st;
}

/* ======================================================================== */
/* Pass 2: residuals                                                        */
/* ======================================================================== */

static void respass_free(respass *r)
{
    cx_free(r->g);
    cx_free(r->xz);
    cx_free(r->last_e);
    cx_free(r->first_e);
    cx_free(r->has_last);
    cx_free(r->clus);
    cx_free(r->meat);
    if (r->aux)
        gsl_multilarge_linear_free(r->aux);
    memset(r, 0, sizeof *r);
}

/* The Breusch-Pagan auxiliary regression always has a constant: with an
 * intercept it is X itself, without one a constant is put in front. */
static cx_status respass_init(respass *r, size_t p, int intercept)
{
    if (!intercept)
        p += 1;
    memset(r, 0, sizeof *r);
    r->g = cx_calloc(p + 1, sizeof(dd));
    r->xz = cx_calloc(p + 1, sizeof(long double));
    r->meat = cx_calloc(p * p + 1, sizeof(double));
    r->aux = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, p);
    r->paux = p;
    return r->g && r->xz && r->meat && r->aux ? CX_OK : CX_ENOMEM;
}

static cx_status unit_room(respass *r, size_t unit, size_t p)
{
    if (unit < r->ucap)
        return CX_OK;
    size_t ncap = r->ucap ? r->ucap : 16;
    while (ncap <= unit)
        ncap *= 2;
    double *le = cx_realloc(r->last_e, ncap * sizeof(double));
    if (!le)
        return CX_ENOMEM;
    r->last_e = le;
    double *fe = cx_realloc(r->first_e, ncap * sizeof(double));
    if (!fe)
        return CX_ENOMEM;
    r->first_e = fe;
    unsigned char *hl = cx_realloc(r->has_last, ncap);
    if (!hl)
        return CX_ENOMEM;
    r->has_last = hl;
    double *cl = cx_realloc(r->clus, ncap * p * sizeof(double));
    if (!cl)
        return CX_ENOMEM;
    r->clus = cl;
    memset(r->has_last + r->ucap, 0, ncap - r->ucap);
    memset(r->clus + r->ucap * p, 0, (ncap - r->ucap) * p * sizeof(double));
    r->ucap = ncap;
    return CX_OK;
}

/* Accumulate the error of the fitted value (k = 0) or of the forecast for a
 * held-out row (k = 1) against the target as observed; MAPE skips targets
 * of 0. */
static void forecast_error(respass *r, long double fit, double y, double actual, int k)
{
    double e = (double)((long double)y - fit);
    r->fse[k] += (long double)e * e;
    r->fae[k] += fabs(e);
    r->fcnt[k]++;
    if (actual != 0) {
        r->fape[k] += fabs(e / actual);
        r->fcntp[k]++;
    }
}

/* The fitted value of the current row, x'beta summed in long double. */
static long double fitted(const fitctx *c, const double *beta)
{
    long double fit = 0;
#pragma GCC unroll 8 /* x87 loops of a few columns: the loop costs as much as the work */
    for (size_t j = 0; j < c->p; j++)
        fit += (long double)c->x[j] * beta[j];
    return fit;
}

/*
 * One pass over the rows with coefficients `beta`; `A` is (X'WX)^-1 (for
 * HC3 leverages).  Fills `r`.
 */
/* The rows of a later pass: from the spill file of pass 1, or evaluated
 * again from the source.  Returns 1 (a row used), 2 (held out), 0 at the
 * end, -1 on an error. */
typedef struct rowit {
    const cx_table *b;
    size_t i;
} rowit;

static cx_status rows_begin(fitctx *c, rowit *it, cx_error *err)
{
    it->b = NULL;
    it->i = 0;
    if (c->spill) {
        c->reading2 = c->half2_only;
        if (cx_spill_rewind(c->spill) != 0 || (c->spill2 && cx_spill_rewind(c->spill2) != 0))
            return cx_error_set(err, CX_EIO, NULL, 0, 0, "cannot read back the temporary file of the fit");
        return CX_OK;
    }
    cx_design_begin_pass(c->d);
    return cx_source_rewind(c->src, err);
}

static int rows_next(fitctx *c, rowit *it, double *y, double *w, size_t *unit, double *actual, cx_status *st,
                     cx_error *err)
{
    if (c->spill) {
        int failed = 0;
        const double *rec = cx_spill_get(c->reading2 ? c->spill2 : c->spill, &failed);
        if (!rec) {
            if (failed) {
                *st = cx_error_set(err, CX_EIO, NULL, 0, 0, "cannot read back the temporary file of the fit");
                return -1;
            }
            if (!c->reading2 && c->spill2) { /* on to the second half of the file */
                c->reading2 = 1;
                return rows_next(c, it, y, w, unit, actual, st, err);
            }
            return 0;
        }
        size_t code = (size_t)rec[0], k = 2;
        *unit = code / 4;
        *y = rec[1];
        *w = c->rec_w ? rec[k++] : 1.0;
        *actual = c->rec_actual ? rec[k++] : *y;
        if (c->rec_k0)
            c->x[0] = 1.0;
        memcpy(c->x + c->rec_k0, rec + k, (c->p - (size_t)c->rec_k0) * sizeof(double));
        if (c->reading2 && *unit < c->nremap)
            *unit = c->remap[*unit];
        return (int)(code % 4);
    }
    for (;;) {
        if (!it->b || it->i == cx_table_nrows(it->b)) {
            *st = cx_source_next(c->src, &it->b, err);
            it->i = 0;
            if (*st != CX_OK)
                return -1;
            if (!it->b)
                return 0;
            continue;
        }
        int rr = cx_design_row(c->d, it->b, it->i++, c->x, y, w, unit, st, err);
        if (rr != 0) {
            *actual = cx_design_input_value(c->d, 0);
            return rr;
        }
    }
}

static cx_status pass2(fitctx *c, const double *beta, const gsl_matrix *A, cx_se_kind se,
                       int precise, respass *r, cx_error *err)
{
    size_t p = c->p;
    rowit it;
    cx_status st = rows_begin(c, &it, err);
    gsl_multilarge_linear_reset(r->aux);
    r->precise = precise;
    size_t nchunk = 0;
    gsl_vector *tmp = gsl_vector_alloc(p);
    if (!tmp)
        return oom(err);
    while (st == CX_OK) {
        {
            double y, w, actual;
            size_t unit;
            int rr = rows_next(c, &it, &y, &w, &unit, &actual, &st, err);
            if (rr <= 0)
                break;
            if (rr == 2) {
                forecast_error(r, fitted(c, beta), y, actual, 1);
                continue;
            }
            long double fit = fitted(c, beta);
            forecast_error(r, fit, y, actual, 0);
            dd edd = {y, 0};
            if (r->precise) {
                /* the residual and X'W r without rounding error that matters:
                 * refinement can only be as good as these */
                for (size_t j = 0; j < p; j++)
                    edd = dd_add(edd, dd_mul((dd){-c->x[j], 0}, beta[j]));
                for (size_t j = 0; j < p; j++)
                    r->g[j] = dd_add(r->g[j], dd_mul(edd, w * c->x[j]));
                fit = (long double)y - ((long double)edd.hi + edd.lo);
            }
            long double e = (long double)y - fit;
            double sw = w == 1.0 ? 1.0 : sqrt(w);
            double ew = (double)(sw * e); /* the weighted residual */
            r->rss += (long double)ew * ew;
            r->sum_e += ew;
            r->sum_e2 += (long double)ew * ew;
            r->sum_e3 += (long double)ew * ew * ew;
            r->sum_e4 += (long double)ew * ew * ew * ew;
            if (unit >= r->ucap && unit_room(r, unit, p) != CX_OK) {
                st = oom(err);
                break;
            }
            if (r->has_last[unit]) {
                double de = ew - r->last_e[unit];
                r->dw_num += (long double)de * de;
            } else
                r->first_e[unit] = ew;
            r->has_last[unit] = 1;
            r->last_e[unit] = ew;
            /* Breusch-Pagan: e^2 on the (weighted) regressors */
            double e2 = ew * ew;
            r->aux_n += 1;
            double delta = e2 - r->aux_mean;
            r->aux_mean += delta / r->aux_n;
            r->aux_m2 += delta * (e2 - r->aux_mean);
            if (r->paux == p) {
                /* X has a constant: the auxiliary regression needs only X'z */
#pragma GCC unroll 8
                for (size_t j = 0; j < p; j++)
                    r->xz[j] += (long double)sw * c->x[j] * e2;
            } else {
                gsl_matrix_set(c->Xaux, nchunk, 0, 1.0);
                for (size_t j = 0; j < p; j++)
                    gsl_matrix_set(c->Xaux, nchunk, j + 1, sw * c->x[j]);
                gsl_vector_set(c->yv, nchunk, e2);
                nchunk++;
            }
            if (nchunk == c->chunk) {
                gsl_matrix_view Xv = gsl_matrix_submatrix(c->Xaux, 0, 0, nchunk, r->paux);
                gsl_vector_view yv = gsl_vector_subvector(c->yv, 0, nchunk);
                int s = gsl_multilarge_linear_accumulate(&Xv.matrix, &yv.vector, r->aux);
                nchunk = 0;
                if (s) {
                    st = gsl_fail(err, s, "the Breusch-Pagan regression");
                    break;
                }
            }
            /* robust covariance meat */
            if (se == CX_SE_HC1 || se == CX_SE_HC3) {
                double scale = ew * ew;
                if (se == CX_SE_HC3) {
                    /* leverage h = w x' A x */
                    for (size_t j = 0; j < p; j++)
                        gsl_vector_set(tmp, j, sw * c->x[j]);
                    double h = 0;
                    for (size_t j = 0; j < p; j++) {
                        double s = 0;
                        for (size_t k = 0; k < p; k++)
                            s += gsl_matrix_get(A, j, k) * gsl_vector_get(tmp, k);
                        h += gsl_vector_get(tmp, j) * s;
                    }
                    double one_h = 1 - h;
                    scale = one_h > 1e-12 ? scale / (one_h * one_h) : scale;
                }
                for (size_t j = 0; j < p; j++)
                    for (size_t k = 0; k <= j; k++)
                        r->meat[j * p + k] += w * c->x[j] * c->x[k] * scale;
            } else if (se == CX_SE_CLUSTER) {
                for (size_t j = 0; j < p; j++)
                    r->clus[unit * p + j] += sw * c->x[j] * ew;
            }
        }
    }
    gsl_vector_free(tmp);
    if (st == CX_OK && nchunk) {
        gsl_matrix_view Xv = gsl_matrix_submatrix(c->Xaux, 0, 0, nchunk, r->paux);
        gsl_vector_view yv = gsl_vector_subvector(c->yv, 0, nchunk);
        int s = gsl_multilarge_linear_accumulate(&Xv.matrix, &yv.vector, r->aux);
        if (s)
            st = gsl_fail(err, s, "the Breusch-Pagan regression");
    }
    return st;
}

/* The residual pass on two threads when pass 1 left two temporary files:
 * each thread reads one, with accumulators of its own, and the second's are
 * added to the first's.  Durbin-Watson gets, per unit in both halves, the
 * difference between the second half's first residual and the first half's
 * last; the Breusch-Pagan moments combine by Chan's formula. */
typedef struct p2job {
    fitctx c;
    const double *beta;
    const gsl_matrix *A;
    cx_se_kind se;
    int precise;
    respass r;
    cx_status st;
    cx_error err;
} p2job;

static void *run_p2(void *arg)
{
    p2job *j = arg;
    j->st = pass2(&j->c, j->beta, j->A, j->se, j->precise, &j->r, &j->err);
    return NULL;
}

static cx_status pass2_any(fitctx *c, const double *beta, const gsl_matrix *A, cx_se_kind se, int precise,
                           respass *r, int intercept, cx_error *err)
{
    size_t p = c->p;
    if (!c->spill || !c->spill2 || r->paux != p)
        return pass2(c, beta, A, se, precise, r, err);
    p2job j;
    memset(&j, 0, sizeof j);
    cx_error_init(&j.err);
    j.c = *c;
    j.c.spill = c->spill2;
    j.c.half2_only = 1;
    j.c.x = cx_calloc(p + 1, sizeof(double));
    j.c.rec = cx_calloc(p + 5, sizeof(double));
    j.beta = beta;
    j.A = A;
    j.se = se;
    j.precise = precise;
    cx_status st = CX_OK;
    if (!j.c.x || !j.c.rec || respass_init(&j.r, p, intercept) != CX_OK)
        st = oom(err);
    fitctx c1 = *c;
    c1.spill2 = NULL;
    pthread_t tid;
    int started = 0;
    if (st == CX_OK) {
        started = pthread_create(&tid, NULL, run_p2, &j) == 0;
        st = pass2(&c1, beta, A, se, precise, r, err);
        if (started)
            pthread_join(tid, NULL);
        else
            run_p2(&j);
        if (st == CX_OK && j.st != CX_OK) {
            if (err)
                *err = j.err;
            st = j.st;
        }
    }
    if (st == CX_OK && j.r.ucap && unit_room(r, j.r.ucap - 1, p) != CX_OK)
        st = oom(err);
    if (st == CX_OK) {
        const respass *b = &j.r;
        r->rss += b->rss;
        r->sum_e += b->sum_e;
        r->sum_e2 += b->sum_e2;
        r->sum_e3 += b->sum_e3;
        r->sum_e4 += b->sum_e4;
        for (size_t k = 0; k < p; k++) {
            r->g[k] = dd_add(r->g[k], b->g[k]);
            r->xz[k] += b->xz[k];
        }
        for (size_t k = 0; k < p * p; k++)
            r->meat[k] += b->meat[k];
        r->dw_num += b->dw_num;
        for (size_t u = 0; u < b->ucap; u++) {
            if (!b->has_last[u])
                continue;
            if (r->has_last[u]) {
                double de = b->first_e[u] - r->last_e[u];
                r->dw_num += (long double)de * de;
            } else
                r->first_e[u] = b->first_e[u];
            r->has_last[u] = 1;
            r->last_e[u] = b->last_e[u];
            for (size_t k = 0; k < p; k++)
                r->clus[u * p + k] += b->clus[u * p + k];
        }
        if (b->aux_n > 0) {
            double n = r->aux_n + b->aux_n, delta = b->aux_mean - r->aux_mean;
            r->aux_m2 += b->aux_m2 + delta * delta * r->aux_n * b->aux_n / n;
            r->aux_mean += delta * b->aux_n / n;
            r->aux_n = n;
        }
        for (int k = 0; k < 2; k++) {
            r->fse[k] += b->fse[k];
            r->fae[k] += b->fae[k];
            r->fape[k] += b->fape[k];
            r->fcnt[k] += b->fcnt[k];
            r->fcntp[k] += b->fcntp[k];
        }
    }
    cx_free(j.c.x);
    cx_free(j.c.rec);
    respass_free(&j.r);
    return st;
}

/* ======================================================================== */
/* Linear algebra on the R factor                                           */
/* ======================================================================== */

/* Solve Rs' Rs z = v in place (Rs upper triangular). */
static void seminormal_solve(const gsl_matrix *Rs, gsl_vector *v)
{
    gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, Rs, v);
    gsl_blas_dtrsv(CblasUpper, CblasNoTrans, CblasNonUnit, Rs, v);
}

/*
 * Check the rank of the column-scaled R: a zero column, or a smallest
 * singular value below p * eps of the largest.  On deficiency, name the
 * columns of the null vector.  Sets *kappa, the scaled condition number.
 */
static cx_status check_rank(const cx_design *d, const gsl_matrix *Rs, const double *norms,
                            double *kappa, const char *file, size_t eqi, cx_error *err)
{
    size_t p = Rs->size1;
    for (size_t j = 0; j < p; j++)
        if (norms[j] == 0)
            return cx_error_set(err, CX_EINVAL, file, 0, 0,
                                "equation %zu: the column '%s' is zero in every row used (a "
                                "level without rows, or a term that never varies from 0); "
                                "the data cannot identify its effect",
                                eqi, cx_design_colname(d, j));
    gsl_matrix *U = gsl_matrix_alloc(p, p);
    gsl_matrix *V = gsl_matrix_alloc(p, p);
    gsl_vector *S = gsl_vector_alloc(p), *work = gsl_vector_alloc(p);
    if (!U || !V || !S || !work) {
        gsl_matrix_free(U);
        gsl_matrix_free(V);
        gsl_vector_free(S);
        gsl_vector_free(work);
        return oom(err);
    }
    gsl_matrix_memcpy(U, Rs);
    int status = gsl_linalg_SV_decomp(U, V, S, work);
    cx_status st = CX_OK;
    if (status)
        st = gsl_fail(err, status, "the singular value decomposition");
    else {
        double smax = gsl_vector_get(S, 0), smin = gsl_vector_get(S, p - 1);
        *kappa = smin > 0 ? smax / smin : INFINITY;
        if (!(smin > smax * (double)p * DBL_EPSILON)) {
            cx_buf b = {0};
            double vmax = 0;
            for (size_t j = 0; j < p; j++)
                vmax = fmax(vmax, fabs(gsl_matrix_get(V, j, p - 1)));
            size_t count = 0;
            for (size_t j = 0; j < p; j++)
                if (fabs(gsl_matrix_get(V, j, p - 1)) > 0.01 * vmax) {
                    cx_buf_printf(&b, "%s'%s'", count ? ", " : "", cx_design_colname(d, j));
                    count++;
                }
            st = cx_error_set(err, CX_EINVAL, file, 0, 0,
                              "equation %zu: the terms %s are perfectly collinear (one is a "
                              "linear combination of the others in the rows used); the data "
                              "cannot separate their effects: drop one of them",
                              eqi, b.data ? b.data : "");
            cx_buf_free(&b);
        }
    }
    gsl_matrix_free(U);
    gsl_matrix_free(V);
    gsl_vector_free(S);
    gsl_vector_free(work);
    return st;
}

/* Point an error at the equation in the spec file ("/equations/1"); a
 * one-equation fit from the command line has no pointer. */
static void set_eq_pointer(cx_error *err, const cx_spec *spec, size_t eqi)
{
    if (err && !spec->cmdline)
        snprintf(err->pointer, sizeof err->pointer, "/equations/%zu", eqi);
}

/* VIF of each non-intercept column from X'WX = R'R and the weighted column
 * means: the diagonal of the inverse correlation matrix. */
static void compute_vif(const gsl_matrix *R, const double *colsum, double sumw, int intercept,
                        double *vif)
{
    size_t p = R->size1, k0 = intercept ? 1 : 0, m = p - k0;
    for (size_t j = 0; j < p; j++)
        vif[j] = NAN;
    if (m < 2) {
        if (m == 1)
            vif[k0] = 1.0;
        return;
    }
    gsl_matrix *C = gsl_matrix_alloc(m, m);
    if (!C)
        return;
    /* X'WX from R'R */
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b <= a; b++) {
            size_t ja = a + k0, jb = b + k0;
            double s = 0;
            for (size_t k = 0; k <= jb; k++)
                s += gsl_matrix_get(R, k, ja) * gsl_matrix_get(R, k, jb);
            if (intercept)
                s -= colsum[ja] * colsum[jb] / sumw;
            gsl_matrix_set(C, a, b, s);
            gsl_matrix_set(C, b, a, s);
        }
    int ok = 1;
    for (size_t a = 0; a < m; a++)
        ok &= gsl_matrix_get(C, a, a) > 0;
    if (ok) {
        double *sd = cx_calloc(m, sizeof(double));
        if (sd) {
            for (size_t a = 0; a < m; a++)
                sd[a] = sqrt(gsl_matrix_get(C, a, a));
            for (size_t a = 0; a < m; a++)
                for (size_t b = 0; b < m; b++)
                    gsl_matrix_set(C, a, b, gsl_matrix_get(C, a, b) / (sd[a] * sd[b]));
            cx_free(sd);
            if (gsl_linalg_cholesky_decomp1(C) == 0 && gsl_linalg_cholesky_invert(C) == 0)
                for (size_t a = 0; a < m; a++)
                    vif[a + k0] = gsl_matrix_get(C, a, a);
        }
    }
    gsl_matrix_free(C);
}

/* ======================================================================== */
/* Forecast errors: in sample, and on the held-out periods                  */
/* ======================================================================== */

/* RMSE, MAE and MAPE of the fitted values on the rows used and of the
 * forecasts on the held-out rows (the last periods of every unit), from the
 * sums pass 2 gathered. */
static void forecast_stats(const respass *r, cx_equation *e)
{
    for (int k = 0; k < 2; k++) {
        double n = r->fcnt[k];
        e->stat[k ? CX_STAT_HOLDOUT_RMSE : CX_STAT_IN_RMSE] = n ? sqrt((double)(r->fse[k] / n)) : NAN;
        e->stat[k ? CX_STAT_HOLDOUT_MAE : CX_STAT_IN_MAE] = n ? (double)(r->fae[k] / n) : NAN;
        e->stat[k ? CX_STAT_HOLDOUT_MAPE : CX_STAT_IN_MAPE] = r->fcntp[k] ? 100.0 * (double)(r->fape[k] / r->fcntp[k]) : NAN;
    }
    e->stat[CX_STAT_HOLDOUT_N] = r->fcnt[1];
}

/* ======================================================================== */
/* Ridge and robust fits (in memory)                                        */
/* ======================================================================== */

#define INMEM_LIMIT ((size_t)256 << 20) /* bytes of design held for ridge/robust */

static cx_status collect_row(fitctx *c, double sw, double y, cx_error *err)
{
    size_t p = c->p;
    if ((c->nall + 1) * (p + 2) * sizeof(double) > INMEM_LIMIT)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                            "ridge and robust fits hold the design in memory, and this one passes "
                            "the limit of %zu MiB (%zu rows x %zu columns so far); use \"ols\", "
                            "which streams",
                            INMEM_LIMIT >> 20, c->nall + 1, p);
    if (c->nall == c->capall) {
        size_t cap = c->capall ? 2 * c->capall : 1024;
        double *x = cx_realloc(c->xall, cap * p * sizeof(double));
        if (!x)
            return oom(err);
        c->xall = x;
        double *yy = cx_realloc(c->yall, cap * sizeof(double));
        if (!yy)
            return oom(err);
        c->yall = yy;
        double *ss = cx_realloc(c->swall, cap * sizeof(double));
        if (!ss)
            return oom(err);
        c->swall = ss;
        c->capall = cap;
    }
    for (size_t j = 0; j < p; j++)
        c->xall[c->nall * p + j] = sw * c->x[j];
    c->yall[c->nall] = sw * y;
    c->swall[c->nall] = sw;
    c->nall++;
    return CX_OK;
}

/* GCV(lambda) on log(lambda), for the Brent minimiser. */
typedef struct gcvctx {
    gsl_vector *uty;
    double delta0;
    gsl_multifit_linear_workspace *w;
} gcvctx;

static double gcv_at(double loglam, void *params)
{
    gcvctx *g = params;
    return gsl_multifit_linear_gcv_calc(exp(loglam), g->uty, g->delta0, g->w);
}

/*
 * The penalty minimising generalised cross-validation (Golub, Heath and
 * Wahba 1979).  gsl_multifit_linear_gcv searches only between the smallest
 * and largest singular values, so a problem that needs little or no
 * shrinkage gets at least the smallest singular value as its penalty.  This
 * evaluates GCV (gsl_multifit_linear_gcv_calc) on a log grid that reaches
 * far below, and at 0, then refines the best grid point with GSL's Brent
 * minimiser.  `reg` and `G` are workspaces of equal length.
 */
static int gcv_lambda(const gsl_vector *y, gsl_multifit_linear_workspace *w, gsl_vector *reg, gsl_vector *G,
                      double *lambda)
{
    size_t q = w->p, m = reg->size;
    gsl_vector *uty = gsl_vector_alloc(q);
    if (!uty)
        return GSL_ENOMEM;
    double delta0;
    int status = gsl_multifit_linear_gcv_init(y, reg, uty, &delta0, w);
    if (status) {
        gsl_vector_free(uty);
        return status;
    }
    double smax = gsl_vector_get(w->S, 0), smin = gsl_vector_get(w->S, q - 1);
    double hi = log(10 * smax), lo = log(fmax(smin, smax * 1e-8) * 1e-4);
    size_t best = 0;
    for (size_t i = 0; i < m; i++) {
        double l = exp(hi + (lo - hi) * (double)i / (double)(m - 1));
        gsl_vector_set(reg, i, l);
        gsl_vector_set(G, i, gsl_multifit_linear_gcv_calc(l, uty, delta0, w));
        if (gsl_vector_get(G, i) < gsl_vector_get(G, best))
            best = i;
    }
    double g0 = gsl_multifit_linear_gcv_calc(0.0, uty, delta0, w);
    if (best == m - 1 || g0 <= gsl_vector_get(G, best)) {
        *lambda = g0 <= gsl_vector_get(G, best) ? 0.0 : gsl_vector_get(reg, best);
    } else if (best == 0) {
        *lambda = gsl_vector_get(reg, 0);
    } else {
        gcvctx ctx = {uty, delta0, w};
        gsl_function F = {gcv_at, &ctx};
        gsl_min_fminimizer *mz = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        double a = log(gsl_vector_get(reg, best + 1)), b = log(gsl_vector_get(reg, best - 1));
        double x = log(gsl_vector_get(reg, best));
        status = mz ? gsl_min_fminimizer_set(mz, &F, x, a, b) : GSL_ENOMEM;
        for (int it = 0; !status && it < 100; it++) {
            status = gsl_min_fminimizer_iterate(mz);
            if (status)
                break;
            x = gsl_min_fminimizer_x_minimum(mz);
            if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(mz), gsl_min_fminimizer_x_upper(mz), 1e-10, 0) == GSL_SUCCESS)
                break;
        }
        if (mz)
            gsl_min_fminimizer_free(mz);
        *lambda = exp(x);
    }
    gsl_vector_free(uty);
    return status;
}

/*
 * Ridge regression on standardised columns: the columns (all but the
 * intercept) are centred at their weighted means and scaled to unit norm, so
 * the penalty treats every driver alike and leaves the intercept alone; the
 * penalty is chosen by generalised cross-validation (gsl_multifit_linear_gcv)
 * unless the spec gives "lambda" (on that standardised scale).  cov receives
 * the covariance divided by sigma^2; df_model the effective number of
 * parameters, trace of the hat matrix plus the intercept.
 */
static cx_status fit_ridge(fitctx *c, const cx_eqspec *es, double *beta, double *cov, double *df_model,
                           double *lambda_out, cx_error *err)
{
    size_t n = c->nall, p = c->p, k0 = es->intercept ? 1 : 0, q = p - k0;
    cx_status st = CX_OK;
    if (q == 0)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "equation '%s': ridge needs at least one term", es->name);
    gsl_matrix *Z = gsl_matrix_alloc(n, q);
    gsl_vector *y = gsl_vector_alloc(n), *cz = gsl_vector_alloc(q);
    gsl_vector *reg = gsl_vector_alloc(200), *G = gsl_vector_alloc(200);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, q);
    double *mean = cx_calloc(p + 1, sizeof(double)), *scale = cx_calloc(p + 1, sizeof(double));
    if (!Z || !y || !cz || !reg || !G || !w || !mean || !scale) {
        st = oom(err);
        goto done;
    }
    double ymean = es->intercept ? c->ymean : 0;
    for (size_t j = k0; j < p; j++)
        mean[j] = es->intercept ? c->colsum[j] / c->sumw : 0;
    for (size_t j = k0; j < p; j++) {
        long double ss = 0;
        for (size_t i = 0; i < n; i++) {
            double z = c->xall[i * p + j] - c->swall[i] * mean[j];
            ss += (long double)z * z;
        }
        scale[j] = sqrt((double)ss);
        if (!(scale[j] > 0)) {
            st = cx_error_set(err, CX_EINVAL, NULL, 0, 0, "equation '%s': a term is constant in the rows used", es->name);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            gsl_matrix_set(Z, i, j - k0, (c->xall[i * p + j] - c->swall[i] * mean[j]) / scale[j]);
    }
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(y, i, c->yall[i] - c->swall[i] * ymean);
    int status = gsl_multifit_linear_svd(Z, w);
    double lambda = es->lambda;
    if (!status && isnan(lambda))
        status = gcv_lambda(y, w, reg, G, &lambda);
    double rnorm, snorm;
    if (!status)
        status = gsl_multifit_linear_solve(lambda, Z, y, cz, &rnorm, &snorm, w);
    if (status) {
        st = gsl_fail(err, status, "the ridge fit");
        goto done;
    }
    /* back to the original scale */
    double trace = 0;
    for (size_t j = 0; j < q; j++) {
        double sj = gsl_vector_get(w->S, j);
        trace += sj * sj / (sj * sj + lambda * lambda);
    }
    for (size_t j = k0; j < p; j++)
        beta[j] = gsl_vector_get(cz, j - k0) / scale[j];
    if (k0) {
        beta[0] = ymean;
        for (size_t j = 1; j < p; j++)
            beta[0] -= mean[j] * beta[j];
    }
    /* Cov(cz) / sigma^2 = V diag(s^2 / (s^2 + lambda^2)^2) V' (GSL keeps V in Q) */
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++) {
            double v = 0;
            for (size_t k = 0; k < q; k++) {
                double sk = gsl_vector_get(w->S, k), d = sk * sk + lambda * lambda;
                v += gsl_matrix_get(w->Q, a, k) * gsl_matrix_get(w->Q, b, k) * sk * sk / (d * d);
            }
            cov[(a + k0) * p + (b + k0)] = v / (scale[a + k0] * scale[b + k0]);
        }
    if (k0) {
        /* beta0 = ybar - m' beta: Var = 1/sum(w) + m' C m, Cov(beta0, beta) = -C m */
        double v0 = 1.0 / c->sumw;
        for (size_t a = 1; a < p; a++) {
            double cm = 0;
            for (size_t b = 1; b < p; b++)
                cm += cov[a * p + b] * mean[b];
            cov[a * p] = cov[a] = -cm;
            v0 += mean[a] * cm;
        }
        cov[0] = v0;
    }
    *df_model = trace + (double)k0;
    *lambda_out = lambda;
done:
    gsl_matrix_free(Z);
    gsl_vector_free(y);
    gsl_vector_free(cz);
    gsl_vector_free(reg);
    gsl_vector_free(G);
    if (w)
        gsl_multifit_linear_free(w);
    cx_free(mean);
    cx_free(scale);
    return st;
}

/* Robust regression by iteratively reweighted least squares
 * (gsl_multifit_robust, Huber or bisquare weights); its covariance and
 * sigma are GSL's. */
static cx_status fit_robust(fitctx *c, const cx_eqspec *es, double *beta, double *cov, double *sigma,
                            cx_error *err)
{
    size_t n = c->nall, p = c->p;
    gsl_matrix_view X = gsl_matrix_view_array(c->xall, n, p);
    gsl_vector_view y = gsl_vector_view_array(c->yall, n);
    gsl_vector *cv = gsl_vector_alloc(p);
    gsl_matrix *cm = gsl_matrix_alloc(p, p);
    gsl_multifit_robust_workspace *w =
        gsl_multifit_robust_alloc(es->bisquare ? gsl_multifit_robust_bisquare : gsl_multifit_robust_huber, n, p);
    cx_status st = CX_OK;
    if (!cv || !cm || !w)
        st = oom(err);
    else {
        int status = gsl_multifit_robust(&X.matrix, &y.vector, cv, cm, w);
        if (status && status != GSL_EMAXITER)
            st = gsl_fail(err, status, "the robust fit");
        else {
            for (size_t j = 0; j < p; j++)
                beta[j] = gsl_vector_get(cv, j);
            for (size_t i = 0; i < p * p; i++)
                cov[i] = cm->data[(i / p) * cm->tda + i % p];
            *sigma = gsl_multifit_robust_statistics(w).sigma;
            if (status == GSL_EMAXITER)
                st = cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                                  "equation '%s': the robust fit did not converge in %zu iterations",
                                  es->name, gsl_multifit_robust_statistics(w).numit);
        }
    }
    gsl_vector_free(cv);
    gsl_matrix_free(cm);
    if (w)
        gsl_multifit_robust_free(w);
    return st;
}

/* A streamed file converts only the columns the equation reads. */
static cx_status use_needed_columns(cx_source *src, const cx_design *d, int period, cx_error *err)
{
    if (!src || src->sorted)
        return CX_OK;
    unsigned char *need = cx_calloc(cx_table_ncols(src->schema) + 1, 1);
    if (!need)
        return oom(err);
    cx_design_needed(d, period, need);
    cx_status st = cx_source_need(src, need, err);
    cx_free(need);
    return st;
}

/* ======================================================================== */
/* Pass 1 on two cores                                                      */
/* ======================================================================== */

#define SPLIT_MIN_BYTES ((uint64_t)8 << 20)

/*
 * Can pass 1 read the two halves of the file on two threads?  Only a
 * streamed file of SPLIT_MIN_BYTES or more, whose design needs no row's
 * predecessor (no lags; no levels of C(x) to agree on).  *mid receives the
 * start of the second half: the line after the middle byte.  Whether that
 * is the start of a record (not a line inside a quoted field) shows only
 * when the first half has been read: see pass1_two_threads.
 */
static int splittable(const cx_source *src, const cx_design *d, uint64_t *mid)
{
    if (!src->path || src->sorted || cx_design_max_lag(d) || cx_design_has_cat(d))
        return 0;
    return cx_csv_split_point(src->path, SPLIT_MIN_BYTES, mid);
}

typedef struct half {
    const cx_spec *spec;
    size_t eqi;
    const char *path;
    cx_csv_options opt; /* the second half's range, the first reader's types */
    cx_source src;
    fitctx c;
    gsl_multilarge_linear_workspace *ls;
    cx_status st;
    cx_error err;
} half;

/* The second thread: open the second half and resolve the design there,
 * then pass 1. */
static void *run_half(void *arg)
{
    half *h = arg;
    fitctx *b = &h->c;
    h->st = cx_source_csv(&h->src, h->path, &h->opt, &h->err);
    b->src = &h->src;
    if (h->st == CX_OK)
        h->st = cx_design_new(h->spec, h->eqi, h->src.schema, &b->d, &h->err);
    if (h->st == CX_OK)
        h->st = use_needed_columns(&h->src, b->d, 0, &h->err);
    if (h->st == CX_OK)
        h->st = cx_fit_pass1(b, h->ls, &h->err);
    return NULL;
}

/*
 * Pass 1 with the second half of the file read by a second thread, into a
 * design, accumulator and temporary file of its own; then its R factor is
 * stacked onto this one (as partial fits are merged), its counts and
 * moments added, and its units mapped onto this design's, so that the later
 * passes read the two temporary files in file order as one.
 *
 * Neither half waits for a scan of the whole file.  The first half ends at
 * *mid as at the end of a file: if that is inside a quoted field, its
 * reader fails.  When it succeeds, the first half's reader is where one
 * reading the whole file would be, between two records, so the second half
 * starts at a record too.  The second half's lines are numbered as if it
 * began at line 2 (counting the first half's lines would mean reading it
 * twice); the numbers serve only messages.  So any failure here returns
 * with `err` untouched, and the caller reads the whole file again on one
 * thread, which reports the first error of the file at its true line.
 */
static cx_status pass1_two_threads(const cx_spec *spec, size_t eqi, fitctx *c, gsl_multilarge_linear_workspace *ls,
                                   uint64_t mid)
{
    cx_error scratch; /* failures are not reported: the caller starts again */
    cx_error *err = &scratch;
    cx_error_init(err);
    cx_source *src = c->src;
    size_t p = c->p, nin = cx_design_ninputs(c->d);
    half h;
    memset(&h, 0, sizeof h);
    cx_error_init(&h.err);
    cx_status st = CX_OK;
    /* the second half: the same columns, types as the first reader found them */
    cx_csv_coltype *types = cx_calloc(cx_table_ncols(src->schema) + 1, sizeof(cx_csv_coltype));
    if (!types)
        return oom(err);
    for (size_t j = 0; j < cx_table_ncols(src->schema); j++)
        types[j] = (cx_csv_coltype){cx_table_colname(src->schema, j), cx_table_coltype(src->schema, j)};
    h.spec = spec;
    h.eqi = eqi;
    h.path = src->path;
    h.opt = src->copt;
    h.opt.types = types;
    h.opt.ntypes = cx_table_ncols(src->schema);
    h.opt.range_start = mid;
    h.opt.range_line = 2;
    fitctx *b = &h.c;
    b->p = p;
    b->chunk = c->chunk;
    b->X = gsl_matrix_alloc(b->chunk, p);
    b->yv = gsl_vector_alloc(b->chunk);
    b->x = cx_calloc(p + 1, sizeof(double));
    b->colsum = cx_calloc(p + 1, sizeof(double));
    b->rmin = cx_calloc(nin + 1, sizeof(double));
    b->rmax = cx_calloc(nin + 1, sizeof(double));
    b->rsum = cx_calloc(nin + 1, sizeof(long double));
    b->rec = cx_calloc(p + 5, sizeof(double));
    b->spill = b->rec ? cx_spill_new(c->reclen) : NULL;
    b->rec_w = c->rec_w;
    b->rec_actual = c->rec_actual;
    b->rec_k0 = c->rec_k0;
    b->reclen = c->reclen;
    h.ls = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, p);
    if (!b->X || !b->yv || !b->x || !b->colsum || !b->rmin || !b->rmax || !b->rsum || !b->rec || !b->spill || !h.ls)
        st = oom(err);
    for (size_t k = 0; st == CX_OK && k < nin; k++) {
        b->rmin[k] = INFINITY;
        b->rmax[k] = -INFINITY;
    }
    pthread_t tid;
    int started = 0;
    if (st == CX_OK)
        started = pthread_create(&tid, NULL, run_half, &h) == 0;
    if (st == CX_OK) {
        /* this thread: the first half */
        src->copt.range_end = mid;
        st = cx_fit_pass1(c, ls, err);
        src->copt.range_end = 0; /* later passes without the temporary file read it all */
        if (!started)
            run_half(&h);
        else
            pthread_join(tid, NULL);
        if (st == CX_OK)
            st = h.st;
    }
    if (st == CX_OK && (!c->spill || !b->spill)) {
        /* a temporary file failed: the later passes parse the whole text again */
        cx_spill_free(c->spill);
        c->spill = NULL;
    }
    if (st == CX_OK && b->n > 0) {
        /* stack the second half's R and Q'y onto the first's */
        const gsl_matrix *Rb = gsl_multilarge_linear_matrix_ptr(h.ls);
        const gsl_vector *qb = gsl_multilarge_linear_rhs_ptr(h.ls);
        gsl_matrix *Rc = gsl_matrix_calloc(p, p);
        gsl_vector *qc = gsl_vector_alloc(p);
        int status = Rc && qc ? 0 : GSL_ENOMEM;
        if (!status) {
            for (size_t i = 0; i < p; i++)
                for (size_t j = i; j < p; j++)
                    gsl_matrix_set(Rc, i, j, gsl_matrix_get(Rb, i, j));
            gsl_vector_memcpy(qc, qb);
            status = gsl_multilarge_linear_accumulate(Rc, qc, ls);
        }
        gsl_matrix_free(Rc);
        gsl_vector_free(qc);
        if (status)
            st = gsl_fail(err, status, "joining the two halves of the fit");
    }
    if (st == CX_OK) {
        double wa = c->sumw, wb = b->sumw, tot = wa + wb;
        if (wb > 0) {
            double delta = b->ymean - c->ymean;
            c->ymean += delta * wb / tot;
            c->ym2 += b->ym2 + delta * delta * wa * wb / tot;
        }
        c->n += b->n;
        c->ndropped += b->ndropped;
        c->nheld += b->nheld;
        c->sumw = tot;
        c->sumlogw += b->sumlogw;
        c->sumwy2 += b->sumwy2;
        for (size_t j = 0; j < p; j++)
            c->colsum[j] += b->colsum[j];
        for (size_t k = 0; k < nin; k++) {
            c->rmin[k] = fmin(c->rmin[k], b->rmin[k]);
            c->rmax[k] = fmax(c->rmax[k], b->rmax[k]);
            c->rsum[k] += b->rsum[k];
        }
        /* the second half's units, in this design's numbering */
        size_t nu = cx_design_nunits(b->d);
        c->remap = cx_calloc(nu + 1, sizeof(size_t));
        if (!c->remap)
            st = oom(err);
        for (size_t u = 0; st == CX_OK && u < nu; u++) {
            size_t len;
            const char *key = cx_design_unit_key(b->d, u, &len);
            if (cx_design_unit_intern(c->d, key, len, &c->remap[u]) != CX_OK)
                st = oom(err);
        }
        c->nremap = nu;
        if (c->spill) {
            c->spill2 = b->spill;
            b->spill = NULL;
        }
    }
    cx_spill_free(b->spill);
    cx_design_free(b->d);
    gsl_matrix_free(b->X);
    gsl_vector_free(b->yv);
    cx_free(b->x);
    cx_free(b->colsum);
    cx_free(b->rmin);
    cx_free(b->rmax);
    cx_free(b->rsum);
    cx_free(b->rec);
    if (h.ls)
        gsl_multilarge_linear_free(h.ls);
    cx_source_close(&h.src);
    cx_free(types);
    return st;
}

/* Forget what a failed pass 1 on two threads gathered, for a pass on one;
 * returns CX_ENUMERIC so that the caller makes that pass. */
static cx_status pass1_restart(fitctx *c, gsl_multilarge_linear_workspace *ls)
{
    size_t nin = cx_design_ninputs(c->d);
    c->n = c->ndropped = c->nheld = c->sumw = c->sumlogw = c->ymean = c->ym2 = 0;
    c->sumwy2 = 0;
    c->nrows = 0;
    memset(c->colsum, 0, c->p * sizeof(double));
    for (size_t k = 0; k < nin; k++) {
        c->rmin[k] = INFINITY;
        c->rmax[k] = -INFINITY;
        c->rsum[k] = 0;
    }
    cx_spill_free(c->spill);
    cx_spill_free(c->spill2);
    c->spill2 = NULL;
    c->spill = cx_spill_new(c->reclen); /* without one the later passes parse the text */
    cx_free(c->remap);
    c->remap = NULL;
    c->nremap = 0;
    gsl_multilarge_linear_reset(ls);
    return CX_ENUMERIC;
}

/* ======================================================================== */
/* One equation                                                             */
/* ======================================================================== */



cx_status cx_fit_equation(const cx_spec *spec, size_t eqi, cx_source *src, const cx_fit_options *opt,
                          const merged_eq *mg, cx_equation **out, cx_error *err)
{
    *out = NULL;
    const cx_eqspec *es = &spec->eq[eqi];
    fitctx c;
    memset(&c, 0, sizeof c);
    c.src = src;
    respass rp;
    memset(&rp, 0, sizeof rp);
    gsl_multilarge_linear_workspace *ls = NULL;
    gsl_matrix *R = NULL, *Rs = NULL, *Ri = NULL, *A = NULL;
    gsl_vector *qtb = NULL, *v = NULL;
    double *norms = NULL, *beta = NULL;
    cx_equation *e = NULL;
    double lambda_used = NAN;
    double *cov_alt = NULL;
    cx_status st;

    cx_se_kind sek = opt && opt->force_se ? opt->se : es->se;
    if (es->method != CX_METHOD_OLS && sek != CX_SE_CLASSIC)
        return cx_error_set(err, CX_EUSAGE, spec->file, 0, 0,
                            "equation '%s': robust or clustered standard errors are for \"ols\"; "
                            "method \"%s\" reports its own covariance",
                            es->name, es->method == CX_METHOD_RIDGE ? "ridge" : "robust");
    if (mg && (es->method != CX_METHOD_OLS || sek != CX_SE_CLASSIC || (opt && opt->holdout)))
        return cx_error_set(err, CX_EUSAGE, spec->file, 0, 0,
                            "equation '%s': a merged fit is least squares with classic standard "
                            "errors and no holdout",
                            es->name);
    st = cx_design_new(spec, eqi, mg ? mg->schema : src->schema, &c.d, err);
    if (st == CX_OK && mg) {
        for (size_t t = 0; t < es->nterms && st == CX_OK; t++)
            if (mg->levels[t])
                st = cx_design_set_levels(c.d, t, (const char *const *)mg->levels[t], mg->nlevels[t], err);
    } else if (st == CX_OK) {
        st = use_needed_columns(src, c.d, opt && opt->holdout, err);
        if (st == CX_OK)
            st = cx_design_levels(c.d, src, err);
    }
    if (st == CX_OK && opt && opt->holdout)
        st = cx_design_holdout(c.d, src, opt->holdout, err);
    if (st != CX_OK)
        goto done;
    size_t p = c.p = cx_design_ncols(c.d);
    if (p == 0) {
        st = cx_error_set(err, CX_EINVAL, spec->file, 0, 0, "equation '%s' has nothing to estimate", es->name);
        goto done;
    }
    size_t nin = cx_design_ninputs(c.d);
    c.chunk = opt && opt->block_rows ? opt->block_rows : CHUNK_ROWS;
    if (c.chunk < p + 1)
        c.chunk = p + 1; /* the first QR block needs at least p rows */
    c.X = gsl_matrix_alloc(c.chunk, p);
    c.Xaux = gsl_matrix_alloc(c.chunk, p + 1);
    c.yv = gsl_vector_alloc(c.chunk);
    c.x = cx_calloc(p + 1, sizeof(double));
    c.colsum = cx_calloc(p + 1, sizeof(double));
    c.rmin = cx_calloc(nin + 1, sizeof(double));
    c.rmax = cx_calloc(nin + 1, sizeof(double));
    c.rsum = cx_calloc(nin + 1, sizeof(long double));
    ls = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, p);
    R = gsl_matrix_calloc(p, p);
    Rs = gsl_matrix_calloc(p, p);
    Ri = gsl_matrix_calloc(p, p);
    A = gsl_matrix_calloc(p, p);
    qtb = gsl_vector_alloc(p);
    v = gsl_vector_alloc(p);
    norms = cx_calloc(p + 1, sizeof(double));
    beta = cx_calloc(p + 1, sizeof(double));
    if (!c.X || !c.Xaux || !c.yv || !c.x || !c.colsum || !c.rmin || !c.rmax || !c.rsum || !ls || !R || !Rs ||
        !Ri || !A || !qtb || !v || !norms || !beta || respass_init(&rp, p, es->intercept) != CX_OK) {
        st = oom(err);
        goto done;
    }
    for (size_t k = 0; k < nin; k++) {
        c.rmin[k] = INFINITY;
        c.rmax[k] = -INFINITY;
    }
    c.collect = es->method != CX_METHOD_OLS;
    if (!mg && src->r) {
        /* a streamed file: keep pass 1's rows for the later passes (the
         * system's temporary directory; without room the text is parsed again) */
        c.rec = cx_calloc(p + 5, sizeof(double));
        c.rec_w = es->weights != NULL;
        c.rec_actual = es->nfixed > 0;
        c.rec_k0 = cx_design_has_intercept(c.d) ? 1 : 0;
        c.reclen = 2 + (size_t)c.rec_w + (size_t)c.rec_actual + p - (size_t)c.rec_k0;
        c.spill = c.rec ? cx_spill_new(c.reclen) : NULL;
    }

    /* ---- pass 1, or the merged partial fits ---- */
    if (mg) {
        c.n = mg->n;
        c.ndropped = mg->ndropped;
        c.sumw = mg->sumw;
        c.sumlogw = mg->sumlogw;
        c.ymean = mg->ymean;
        c.ym2 = mg->ym2;
        c.sumwy2 = mg->sumwy2;
        memcpy(c.colsum, mg->colsum, p * sizeof(double));
        for (size_t k = 0; k < nin; k++) {
            c.rmin[k] = mg->rmin[k];
            c.rmax[k] = mg->rmax[k];
            c.rsum[k] = mg->rsum[k];
        }
        gsl_matrix *Rc = gsl_matrix_alloc(p, p);
        gsl_vector *qc = gsl_vector_alloc(p);
        int status = Rc && qc ? 0 : GSL_ENOMEM;
        if (!status) {
            gsl_matrix_memcpy(Rc, mg->R);
            gsl_vector_memcpy(qc, mg->qtb);
            status = gsl_multilarge_linear_accumulate(Rc, qc, ls);
        }
        gsl_matrix_free(Rc);
        gsl_vector_free(qc);
        if (status) {
            st = gsl_fail(err, status, "merging the partial fits");
            goto done;
        }
    } else {
        uint64_t mid = 0;
        st = CX_ENUMERIC; /* not split */
        if (es->method == CX_METHOD_OLS && !(opt && (opt->holdout || opt->threads == 1)) && c.spill &&
            splittable(src, c.d, &mid) && (st = pass1_two_threads(spec, eqi, &c, ls, mid)) != CX_OK)
            st = pass1_restart(&c, ls);
        if (st != CX_OK)
            st = cx_fit_pass1(&c, ls, err);
        if (st != CX_OK)
            goto done;
    }
    if (c.n <= (double)p) {
        st = cx_error_set(err, CX_EINVAL, spec->file, 0, 0,
                          "equation '%s': expected more rows than coefficients, found %.0f rows "
                          "with every value for %zu coefficients (%.0f rows dropped for missing values)",
                          es->name, c.n, p, c.ndropped);
        goto done;
    }
    const gsl_matrix *Rw = gsl_multilarge_linear_matrix_ptr(ls);
    const gsl_vector *qw = gsl_multilarge_linear_rhs_ptr(ls);
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(R, i, j, gsl_matrix_get(Rw, i, j));
    gsl_vector_memcpy(qtb, qw);
    for (size_t j = 0; j < p; j++) {
        double s = 0;
        for (size_t i = 0; i <= j; i++)
            s += gsl_matrix_get(R, i, j) * gsl_matrix_get(R, i, j);
        norms[j] = sqrt(s);
    }
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(Rs, i, j, norms[j] > 0 ? gsl_matrix_get(R, i, j) / norms[j] : 0);
    double kappa = NAN;
    {
        const char *tname, *lname;
        if (!mg && cx_design_empty_level(c.d, &tname, &lname)) {
            st = cx_error_set(err, CX_EINVAL, spec->file, 0, 0,
                              "equation '%s': the level '%s' of %s is in no row used (its rows lack a "
                              "value the equation uses); the data cannot identify its effect",
                              es->name, lname, tname);
            set_eq_pointer(err, spec, eqi);
            goto done;
        }
    }
    st = check_rank(c.d, Rs, norms, &kappa, spec->file, eqi, err);
    if (st != CX_OK) {
        /* name the equation by its name rather than its number */
        if (err && err->status == CX_EINVAL) {
            char msg[CX_ERROR_MSG_MAX];
            const char *rest = strchr(err->message, ':');
            snprintf(msg, sizeof msg, "equation '%s'%s", es->name, rest ? rest : "");
            snprintf(err->message, sizeof err->message, "%s", msg);
            set_eq_pointer(err, spec, eqi);
        }
        goto done;
    }
    /* beta = D^-1 Rs^-1 Q'y */
    gsl_vector_memcpy(v, qtb);
    gsl_blas_dtrsv(CblasUpper, CblasNoTrans, CblasNonUnit, Rs, v);
    for (size_t j = 0; j < p; j++)
        beta[j] = gsl_vector_get(v, j) / norms[j];
    /* (X'WX)^-1 = D^-1 Rs^-1 Rs^-T D^-1 */
    gsl_matrix_memcpy(Ri, Rs);
    int status = gsl_linalg_tri_upper_invert(Ri);
    if (status) {
        st = gsl_fail(err, status, "inverting R");
        goto done;
    }
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = (i > j ? i : j); k < p; k++)
                s += gsl_matrix_get(Ri, i, k) * gsl_matrix_get(Ri, j, k);
            gsl_matrix_set(A, i, j, s / (norms[i] * norms[j]));
        }

    /* ---- ridge and robust: in memory, through GSL ---- */
    double df_model = (double)p; /* effective number of parameters */
    double sigma_alt = NAN;     /* robust: GSL's final sigma */
    if (es->method != CX_METHOD_OLS) {
        cov_alt = cx_calloc(p * p + 1, sizeof(double));
        if (!cov_alt) {
            st = oom(err);
            goto done;
        }
        st = es->method == CX_METHOD_RIDGE
                 ? fit_ridge(&c, es, beta, cov_alt, &df_model, &lambda_used, err)
                 : fit_robust(&c, es, beta, cov_alt, &sigma_alt, err);
        if (st != CX_OK)
            goto done;
    }

    /* ---- pass 2, with iterative refinement when ill-conditioned ---- */
    /* Forward error estimate of the QR solution (Higham, Accuracy and
     * Stability of Numerical Algorithms, 2nd ed., ch. 20):
     * eps kappa (1 + kappa |r| / |Q'y|), with |r| from the QR accumulation.
     * Above REFINE_ETA the solution is refined (corrected seminormal
     * equations), each step one more pass over the rows. */
    double qn = gsl_blas_dnrm2(qtb);
    double rnorm_qr = sqrt(fmax(0.0, (double)c.sumwy2 - qn * qn));
    double eta = DBL_EPSILON * kappa * (1 + kappa * rnorm_qr / gsl_blas_dnrm2(qtb));
    int refine = eta > REFINE_ETA && es->method == CX_METHOD_OLS;
    for (int it = 0; !mg; it++) {
        respass_free(&rp);
        if (respass_init(&rp, p, es->intercept) != CX_OK) {
            st = oom(err);
            goto done;
        }
        st = pass2_any(&c, beta, A, sek, refine, &rp, es->intercept, err);
        if (st != CX_OK)
            goto done;
        if (!refine || it == MAX_REFINE)
            break;
        /* Rs'Rs z = D^-1 X'W r, delta = D^-1 z */
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(v, j, (rp.g[j].hi + rp.g[j].lo) / norms[j]);
        seminormal_solve(Rs, v);
        double change = 0;
        for (size_t j = 0; j < p; j++) {
            double dj = gsl_vector_get(v, j) / norms[j];
            beta[j] += dj;
            if (beta[j] != 0)
                change = fmax(change, fabs(dj / beta[j]));
        }
        if (change < DBL_EPSILON)
            break; /* converged: the last pass's residuals hold to rounding */
    }

    /* ---- statistics ---- */
    e = cx_equation_new(p + es->nfixed);
    if (!e) {
        st = oom(err);
        goto done;
    }
    e->target = cx_strdup(es->target);
    e->method = es->method;
    e->se_kind = sek;
    if (!e->target) {
        st = oom(err);
        goto done;
    }
    if (mg) {
        rp.rss = mg->rss; /* no residual pass: no Durbin-Watson, Breusch-Pagan or Jarque-Bera */
        cx_warnings_add(e->warn, "merged from partial fits: residual diagnostics (Durbin-Watson, "
                                 "Breusch-Pagan, Jarque-Bera) and forecast errors need the rows, "
                                 "and are not available");
    }
    double n = c.n, rss = (double)rp.rss;
    double df = n - df_model;
    double sigma2 = es->method == CX_METHOD_ROBUST ? sigma_alt * sigma_alt : rss / df;
    e->lambda = lambda_used;
    e->stat[CX_STAT_LAMBDA] = lambda_used;
    int icpt = es->intercept;
    double tss = icpt ? c.ym2 : (double)c.sumwy2;
    double r2 = tss > 0 ? 1 - rss / tss : NAN;
    double k0 = icpt ? 1 : 0;
    double adj = 1 - (1 - r2) * (n - k0) / df;
    double dfm = (double)p - k0;
    double f = dfm > 0 && es->method == CX_METHOD_OLS ? ((tss - rss) / dfm) / sigma2 : NAN;
    double fp = dfm > 0 ? f_pvalue(f, dfm, df) : NAN;
    double ll = -0.5 * n * (log(2 * M_PI) + log(rss / n) + 1) + 0.5 * c.sumlogw;
    e->stat[CX_STAT_N] = n;
    e->stat[CX_STAT_N_DROPPED] = c.ndropped;
    e->stat[CX_STAT_DF_RESID] = df;
    e->stat[CX_STAT_SIGMA] = sqrt(sigma2);
    e->stat[CX_STAT_RSS] = rss;
    e->stat[CX_STAT_R2] = r2;
    e->stat[CX_STAT_ADJ_R2] = adj;
    e->stat[CX_STAT_F] = f;
    e->stat[CX_STAT_F_P] = fp;
    e->stat[CX_STAT_LOGLIK] = ll;
    e->stat[CX_STAT_AIC] = -2 * ll + 2 * ((double)p + 1);
    e->stat[CX_STAT_BIC] = -2 * ll + log(n) * ((double)p + 1);
    e->stat[CX_STAT_CONDITION] = kappa;
    e->stat[CX_STAT_DW] = rp.rss > 0 && !mg ? (double)(rp.dw_num / rp.rss) : NAN;
    /* Jarque-Bera from the central moments of the weighted residuals */
    {
        long double m1 = rp.sum_e / (long double)n;
        long double m2 = rp.sum_e2 / n - m1 * m1;
        long double m3 = rp.sum_e3 / n - 3 * m1 * rp.sum_e2 / n + 2 * m1 * m1 * m1;
        long double m4 = rp.sum_e4 / n - 4 * m1 * rp.sum_e3 / n + 6 * m1 * m1 * rp.sum_e2 / n - 3 * m1 * m1 * m1 * m1;
        if (m2 > 0) {
            double skew = (double)(m3 / powl(m2, 1.5L)), kurt = (double)(m4 / (m2 * m2));
            double jb = n / 6 * (skew * skew + (kurt - 3) * (kurt - 3) / 4);
            e->stat[CX_STAT_JB] = jb;
            e->stat[CX_STAT_JB_P] = gsl_cdf_chisq_Q(jb, 2);
        }
    }
    /* Breusch-Pagan (Koenker's studentised form): n R^2 of e^2 on X */
    if (rp.paux > 1 && rp.aux_m2 > 0) {
        gsl_vector *caux = gsl_vector_alloc(rp.paux);
        double rnorm = 0, snorm = 0;
        int ok = 0;
        if (caux && rp.paux == p) {
            /* fitted sum of squares of e^2 on X: |R^-T X'z|^2 */
            for (size_t j = 0; j < p; j++)
                gsl_vector_set(caux, j, (double)rp.xz[j]);
            gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, R, caux);
            double fitted = gsl_blas_dnrm2(caux), zz = rp.aux_m2 + rp.aux_n * rp.aux_mean * rp.aux_mean;
            rnorm = sqrt(fmax(0.0, zz - fitted * fitted));
            ok = 1;
        } else if (caux && gsl_multilarge_linear_solve(0.0, caux, &rnorm, &snorm, rp.aux) == 0)
            ok = 1;
        if (ok) {
            double r2aux = 1 - rnorm * rnorm / rp.aux_m2;
            double lm = n * r2aux;
            e->stat[CX_STAT_BP] = lm;
            e->stat[CX_STAT_BP_P] = gsl_cdf_chisq_Q(lm, (double)rp.paux - 1);
        }
        gsl_vector_free(caux);
    }

    /* covariance */
    double dfe = df;
    if (es->method == CX_METHOD_RIDGE) {
        for (size_t i = 0; i < p * p; i++)
            e->cov[i] = sigma2 * cov_alt[i];
    } else if (es->method == CX_METHOD_ROBUST) {
        memcpy(e->cov, cov_alt, p * p * sizeof(double));
    } else if (sek == CX_SE_CLASSIC) {
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                e->cov[i * e->p + j] = sigma2 * gsl_matrix_get(A, i, j);
    } else {
        /* sandwich: A M A */
        double *M = rp.meat;
        size_t G = 0;
        if (sek == CX_SE_CLUSTER) {
            memset(M, 0, p * p * sizeof(double));
            G = cx_design_nunits(c.d);
            if (G < 2 || !cx_design_has_units(c.d)) {
                st = cx_error_set(err, CX_EINVAL, src->path ? src->path : cx_table_source(src->schema), 0, 0,
                                  !cx_design_has_units(c.d)
                                      ? "equation '%s': clustered standard errors need units (text "
                                        "columns of data with a period column), found none; use --se hc1 or hc3"
                                      : "equation '%s': clustered standard errors need at least 2 units, "
                                        "found 1; use --se hc1 or hc3",
                                  es->name);
                goto done;
            }
            if (G < 10)
                cx_warnings_add(e->warn, "clustered standard errors rest on only %zu units (clusters); "
                                         "with fewer than about 10 they are unreliable",
                                G);
            for (size_t g = 0; g < G && g < rp.ucap; g++)
                for (size_t j = 0; j < p; j++)
                    for (size_t k = 0; k <= j; k++)
                        M[j * p + k] += rp.clus[g * p + j] * rp.clus[g * p + k];
        }
        for (size_t j = 0; j < p; j++)
            for (size_t k = j + 1; k < p; k++)
                M[j * p + k] = M[k * p + j];
        double factor = 1;
        if (sek == CX_SE_HC1)
            factor = n / df;
        else if (sek == CX_SE_CLUSTER && G > 1) {
            factor = ((double)G / (double)(G - 1)) * ((n - 1) / df);
            dfe = (double)G - 1;
        }
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++) {
                double s = 0;
                for (size_t a = 0; a < p; a++) {
                    double t = 0;
                    for (size_t b2 = 0; b2 < p; b2++)
                        t += M[a * p + b2] * gsl_matrix_get(A, b2, j);
                    s += gsl_matrix_get(A, i, a) * t;
                }
                e->cov[i * e->p + j] = factor * s;
            }
    }
    double tq = gsl_cdf_tdist_Pinv(0.975, dfe);
    for (size_t j = 0; j < p; j++) {
        e->names[j] = cx_strdup(cx_design_colname(c.d, j));
        if (!e->names[j]) {
            st = oom(err);
            goto done;
        }
        e->coef[j] = beta[j];
        e->se[j] = sqrt(e->cov[j * e->p + j]);
        e->t[j] = e->coef[j] / e->se[j];
        e->pval[j] = t_pvalue(e->t[j], dfe);
        e->lo[j] = e->coef[j] - tq * e->se[j];
        e->hi[j] = e->coef[j] + tq * e->se[j];
    }
    compute_vif(R, c.colsum, c.sumw, icpt, e->vif);
    /* relative importance of the drivers (LMG), fixed effects in every
     * sub-model; from the moments X'WX = R'R, X'Wy = R'Q'y, centred at the
     * weighted means when there is an intercept (see importance.h) */
    {
        size_t *keep = cx_calloc(p + 1, sizeof(size_t)), *drv = cx_calloc(p + 1, sizeof(size_t));
        double *M = cx_calloc((p + 1) * (p + 1), sizeof(double)), *share = cx_calloc(p + 1, sizeof(double));
        size_t nk = 0, nd = 0, q = p + 1;
        if (!keep || !drv || !M || !share) {
            cx_free(keep);
            cx_free(drv);
            cx_free(M);
            cx_free(share);
            st = oom(err);
            goto done;
        }
        for (size_t j = 0; j < p; j++) {
            if ((icpt && j == 0) || cx_design_col_is_cat(c.d, j))
                keep[nk++] = j;
            else
                drv[nd++] = j;
        }
        double sumwy = c.ymean * c.sumw;
        for (size_t a = 0; a < p; a++) {
            for (size_t b = a; b < p; b++) {
                double s2 = 0;
                for (size_t k = 0; k <= a; k++)
                    s2 += gsl_matrix_get(R, k, a) * gsl_matrix_get(R, k, b);
                M[a * q + b] = M[b * q + a] = s2;
            }
            double xy = 0;
            for (size_t k = 0; k <= a; k++)
                xy += gsl_matrix_get(R, k, a) * gsl_vector_get(qtb, k);
            M[a * q + p] = M[p * q + a] = xy;
        }
        M[p * q + p] = (double)c.sumwy2;
        if (icpt) {
            /* centre every column but the intercept, and y */
            double *mean = cx_calloc(q, sizeof(double));
            if (mean) {
                for (size_t j = 1; j < p; j++)
                    mean[j] = c.colsum[j] / c.sumw;
                mean[p] = sumwy / c.sumw;
                for (size_t a = 1; a < q; a++)
                    for (size_t b = 1; b < q; b++)
                        M[a * q + b] -= c.sumw * mean[a] * mean[b];
                for (size_t a = 1; a < q; a++)
                    M[a] = M[a * q] = 0;
                M[p * q + p] = c.ym2;
                cx_free(mean);
            }
        }
        double r2_keep = NAN;
        if (nd > CX_LMG_MAX_DRIVERS)
            cx_warnings_add(e->warn, "relative importance is computed for at most %d drivers; this "
                                     "equation has %zu",
                            CX_LMG_MAX_DRIVERS, nd);
        else if (nd > 0 && tss > 0) {
            cx_error lerr;
            cx_error_init(&lerr);
            if (cx_lmg(M, p, keep, nk, drv, nd, tss, share, &r2_keep, &lerr) == CX_OK) {
                for (size_t k = 0; k < nd; k++)
                    e->importance[drv[k]] = share[k];
                e->stat[CX_STAT_R2_FIXED] = r2_keep;
            } else
                cx_warnings_add(e->warn, "relative importance could not be computed: %s", lerr.message);
        }
        cx_free(keep);
        cx_free(drv);
        cx_free(M);
        cx_free(share);
    }

    /* standardised coefficients and elasticities at the (weighted) means of
     * the design column and the target */
    {
        double ysd = sqrt(c.ym2 / c.sumw), ymean = c.ymean;
        for (size_t j = 0; j < p; j++) {
            if (icpt && j == 0)
                continue;
            double xx = 0;
            for (size_t k = 0; k <= j; k++)
                xx += gsl_matrix_get(R, k, j) * gsl_matrix_get(R, k, j);
            double m = c.colsum[j] / c.sumw, var = xx / c.sumw - m * m;
            e->std_coef[j] = var > 0 && ysd > 0 ? beta[j] * sqrt(var) / ysd : NAN;
            e->elasticity[j] = ymean != 0 ? beta[j] * m / ymean : NAN;
        }
    }
    /* fixed coefficients, set by assumption */
    for (size_t k = 0; k < es->nfixed; k++) {
        size_t j = p + k;
        const cx_fixed *fx = &es->fixed[k];
        if (!(e->names[j] = cx_strdup(fx->term))) {
            st = oom(err);
            goto done;
        }
        e->fixed[j] = 1;
        e->coef[j] = fx->coef;
        e->se[j] = fx->se;
        e->cov[j * e->p + j] = fx->se * fx->se;
        e->t[j] = e->pval[j] = e->vif[j] = NAN;
        e->lo[j] = fx->coef - 1.959963984540054 * fx->se;
        e->hi[j] = fx->coef + 1.959963984540054 * fx->se;
    }
    /* ranges of the inputs over the rows used */
    e->ranges = cx_calloc(nin + 1, sizeof(cx_range));
    if (!e->ranges) {
        st = oom(err);
        goto done;
    }
    for (size_t k = 0; k < nin; k++) {
        if (!(e->ranges[k].col = cx_strdup(cx_design_input_name(c.d, k)))) {
            st = oom(err);
            goto done;
        }
        e->nranges++;
        e->ranges[k].min = c.rmin[k];
        e->ranges[k].max = c.rmax[k];
        e->ranges[k].mean = (double)(c.rsum[k] / (long double)n);
    }

    /* forecast errors in sample and on the held-out periods */
    if (!mg)
        forecast_stats(&rp, e);
    if (opt && opt->holdout) {
        if (c.nheld == 0)
            cx_warnings_add(e->warn, "the holdout of %zu periods left no rows to forecast", opt->holdout);
        else if (e->stat[CX_STAT_HOLDOUT_RMSE] > 1.5 * e->stat[CX_STAT_IN_RMSE])
            cx_warnings_add(e->warn, "the forecasts for the %zu held-out periods are much worse than the "
                                     "fit (RMSE %.4g against %.4g in sample): the model may only fit its past",
                            opt->holdout, e->stat[CX_STAT_HOLDOUT_RMSE], e->stat[CX_STAT_IN_RMSE]);
    }

    /* warnings in plain language */
    for (size_t j = 0; j < p; j++) {
        if (icpt && j == 0)
            continue;
        if (e->pval[j] > 0.05)
            cx_warnings_add(e->warn, "'%s' is not significant at the 5%% level (p = %.3g): the data do "
                                     "not rule out that it has no effect on %s",
                            e->names[j], e->pval[j], es->target);
        if (e->vif[j] > 10)
            cx_warnings_add(e->warn, "'%s' is strongly collinear with the other terms (VIF %.1f > 10): its "
                                     "coefficient is imprecise and may change sign with little new data",
                            e->names[j], e->vif[j]);
    }
    if (es->method == CX_METHOD_RIDGE)
        cx_warnings_add(e->warn, "ridge estimates are shrunk towards 0 (penalty %.4g on standardised "
                                 "columns%s): their intervals are approximate and do not cover the bias",
                        lambda_used, isnan(es->lambda) ? ", chosen by generalised cross-validation" : "");
    if (n < 10 * (double)p)
        cx_warnings_add(e->warn, "few observations: %.0f rows for %zu coefficients (fewer than 10 per "
                                 "coefficient); estimates are fragile",
                        n, p);
    double dw = e->stat[CX_STAT_DW];
    if (isfinite(dw) && (dw < 1.5 || dw > 2.5))
        cx_warnings_add(e->warn,
                        cx_design_has_units(c.d)
                            ? "the residuals are autocorrelated within units (Durbin-Watson %.2f, outside "
                              "1.5-2.5): standard errors are too small; consider lags or se \"cluster\""
                            : "the residuals are autocorrelated in row order (Durbin-Watson %.2f, outside "
                              "1.5-2.5): if the rows are a time series, standard errors are too small; "
                              "consider lags",
                        dw);
    if (c.ndropped > 0)
        cx_warnings_add(e->warn, "%.0f rows were dropped because a value the equation uses is missing "
                                 "(lags are missing at the start of every unit)",
                        c.ndropped);
    *out = e;
    e = NULL;
done:
    cx_free(cov_alt);
    cx_equation_free(e);
    respass_free(&rp);
    cx_design_free(c.d);
    gsl_matrix_free(c.X);
    gsl_matrix_free(c.Xaux);
    gsl_vector_free(c.yv);
    cx_free(c.x);
    cx_free(c.colsum);
    cx_free(c.rmin);
    cx_free(c.rmax);
    cx_free(c.rsum);
    cx_free(c.xall);
    cx_free(c.yall);
    cx_free(c.swall);
    cx_spill_free(c.spill);
    cx_spill_free(c.spill2);
    cx_free(c.remap);
    cx_free(c.rec);
    if (ls)
        gsl_multilarge_linear_free(ls);
    gsl_matrix_free(R);
    gsl_matrix_free(Rs);
    gsl_matrix_free(Ri);
    gsl_matrix_free(A);
    gsl_vector_free(qtb);
    gsl_vector_free(v);
    cx_free(norms);
    cx_free(beta);
    return st;
}

/* ======================================================================== */
/* Models                                                                   */
/* ======================================================================== */

void cx_model_free(cx_model *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->neq; i++)
        cx_equation_free(m->eq[i]);
    cx_free(m->eq);
    for (size_t i = 0; i < m->ninputs; i++) {
        cx_free(m->inputs[i]);
        cx_free(m->hashes[i]);
    }
    cx_free(m->inputs);
    cx_free(m->hashes);
    cx_free(m->spec_name);
    cx_free(m);
}

static cx_status fit_all(const cx_spec *spec, cx_source *src, const cx_fit_options *opt,
                         cx_model **out, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    cx_model *m = cx_calloc(1, sizeof *m);
    if (!m)
        return oom(err);
    m->eq = cx_calloc(spec->neq + 1, sizeof(cx_equation *));
    m->spec_name = cx_strdup(spec->name);
    if (!m->eq || !m->spec_name) {
        cx_model_free(m);
        return oom(err);
    }
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(m->fitted_at, sizeof m->fitted_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    cx_status st = CX_OK;
    for (size_t k = 0; k < spec->neq && st == CX_OK; k++) {
        size_t i = spec->order[k];
        st = cx_fit_equation(spec, i, src, opt, NULL, &m->eq[m->neq], err);
        if (st == CX_OK) {
            const cx_equation *e = m->eq[m->neq++];
            for (size_t w = 0; w < cx_warnings_count(e->warn); w++)
                cx_warnings_add(warn, "%s: %s", e->target, cx_warnings_get(e->warn, w));
        }
    }
    if (st != CX_OK) {
        cx_model_free(m);
        return st;
    }
    *out = m;
    return CX_OK;
}

cx_status cx_fit_table(const cx_spec *spec, const cx_table *data, const cx_fit_options *opt,
                       cx_model **out, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    cx_source src;
    cx_status st = cx_source_table(&src, data, (const char *const *)spec->units, spec->nunits, err);
    if (st != CX_OK)
        return st;
    st = fit_all(spec, &src, opt, out, warn, err);
    cx_source_close(&src);
    return st;
}

cx_status cx_fit_csv(const cx_spec *spec, const char *path, const cx_csv_options *copt,
                     const cx_fit_options *opt, cx_model **out, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    /* The file's SHA-256, for the provenance, on a thread of its own from
     * the start: the fit begins on one thread (the header, the first block,
     * the column types), and files < 8 MB, or with lags or C(x), are read on
     * one thread throughout, which leaves a core for the hash.  Hashing in
     * the CSV reader would add the whole hash to the reader's time (+4 ms on
     * a 5 MB file of 60 ms, +45 ms on a 50 MB fit with C(x)), and a file read
     * in two halves gives no reader the bytes in order. */
    cx_sha256_job *job = opt && opt->sha256 ? cx_sha256_file_start(path) : NULL;
    cx_source src;
    cx_status st = cx_source_csv(&src, path, copt, err);
    if (st == CX_OK)
        st = fit_all(spec, &src, opt, out, warn, err);
    char hex[65];
    int hashed = cx_sha256_file_finish(job, st != CX_OK, hex);
    if (st == CX_OK && (st = cx_model_add_input(*out, path, err)) == CX_OK && hashed)
        st = cx_model_set_input_hash(*out, (*out)->ninputs - 1, hex, err);
    if (st != CX_OK) {
        cx_model_free(*out);
        *out = NULL;
    }
    cx_source_close(&src);
    return st;
}

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

