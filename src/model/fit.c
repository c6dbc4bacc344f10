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
#include <sys/stat.h>

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
#include "estimator.h"

#define REFINE_ETA 1e-13 /* refine when the estimated relative error exceeds this */
#define MAX_REFINE 4

/* ======================================================================== */
/* Double-double arithmetic for the refinement residuals                   */
/* ======================================================================== */


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




static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static cx_status gsl_fail(cx_error *err, int status, const char *what)
{
    return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "%s failed: %s", what, gsl_strerror(status));
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
                k += c->p - (size_t)c->rec_k0;
                for (size_t m = 0; m < (size_t)c->rec_me; m++)
                    c->rec[k + m] = cx_design_me_var(d, m);
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
            for (size_t m = 0; m < c->nme; m++)
                c->me_sum[m] += w * cx_design_me_var(d, m);
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
    cx_free(r->psi);
    cx_free(r->meat_n);
    cx_free(r->blk);
    cx_free(r->blk_n);
    cx_free(r->clus_n);
    if (r->aux)
        gsl_multilarge_linear_free(r->aux);
    memset(r, 0, sizeof *r);
}

/* The Breusch-Pagan auxiliary regression always has a constant: with an
 * intercept it is X itself, without one a constant is put in front.  An
 * errors-in-variables fit (`eiv`) also gathers the naive fit's meat. */
static cx_status respass_init(respass *r, size_t p, int intercept, int eiv)
{
    size_t pa = intercept ? p : p + 1;
    memset(r, 0, sizeof *r);
    r->g = cx_calloc(pa + 1, sizeof(dd));
    r->xz = cx_calloc(pa + 1, sizeof(long double));
    r->meat = cx_calloc(pa * pa + 1, sizeof(double));
    r->aux = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, pa);
    r->paux = pa;
    if (eiv) {
        r->psi = cx_calloc(2 * p + 1, sizeof(double));
        r->meat_n = cx_calloc(p * p + 1, sizeof(double));
        r->capblk = EIV_BLOCK;
        r->blk = cx_calloc(EIV_BLOCK * p + 1, sizeof(double));
        r->blk_n = cx_calloc(EIV_BLOCK * p + 1, sizeof(double));
        if (!r->psi || !r->meat_n || !r->blk || !r->blk_n)
            return CX_ENOMEM;
    }
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
    if (r->meat_n) {
        double *cn = cx_realloc(r->clus_n, ncap * p * sizeof(double));
        if (!cn)
            return CX_ENOMEM;
        r->clus_n = cn;
        memset(r->clus_n + r->ucap * p, 0, (ncap - r->ucap) * p * sizeof(double));
    }
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
        if (c->tau2 > 0)
            *w = 1.0 / (c->tau2 + 1.0 / *w); /* reml: the model's weights 1/(tau2 + SE^2) */
        *actual = c->rec_actual ? rec[k++] : *y;
        if (c->rec_k0)
            c->x[0] = 1.0;
        memcpy(c->x + c->rec_k0, rec + k, (c->p - (size_t)c->rec_k0) * sizeof(double));
        k += c->p - (size_t)c->rec_k0;
        for (size_t m = 0; m < (size_t)c->rec_me; m++)
            c->mev[m] = rec[k + m];
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
        if (rr != 0 && c->tau2 > 0)
            *w = 1.0 / (c->tau2 + 1.0 / *w);
        if (rr != 0) {
            *actual = cx_design_input_value(c->d, 0);
            for (size_t m = 0; m < c->nme; m++)
                c->mev[m] = cx_design_me_var(c->d, m);
            return rr;
        }
    }
}

/* Add the block of estimating functions to the meats (their lower
 * triangles), by GSL's BLAS: meat += Psi'Psi. */
static void eiv_flush(respass *r, size_t p)
{
    if (!r->nblk)
        return;
    gsl_matrix_view M = gsl_matrix_view_array(r->meat, p, p), Mn = gsl_matrix_view_array(r->meat_n, p, p);
    gsl_matrix_view B = gsl_matrix_view_array(r->blk, r->nblk, p), Bn = gsl_matrix_view_array(r->blk_n, r->nblk, p);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &B.matrix, 1.0, &M.matrix);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &Bn.matrix, 1.0, &Mn.matrix);
    r->nblk = 0;
}

/* Errors-in-variables: the row's estimating function
 * psi = w x (y - x'beta) + w Omega beta into the meat (HC) or its unit's
 * sum (clustered), and the naive fit's w x (y - x'b) beside it.  `ew` is
 * the weighted residual sqrt(w) (y - x'beta); the naive one is
 * sqrt(w) (y - x'beta) + sqrt(w) x'(beta - b), with beta - b in c->dbeta. */
static void eiv_meat(const fitctx *c, const double *beta, double w, double sw, double ew, size_t unit,
                     cx_se_kind se, respass *r)
{
    size_t p = c->p;
    double *psi = r->psi, *psn = r->psi + p;
    double xd = 0;
    for (size_t j = 0; j < p; j++)
        xd += c->x[j] * c->dbeta[j];
    double en = ew + sw * xd;
    r->rss_n += (long double)en * en;
    for (size_t j = 0; j < p; j++) {
        double sx = sw * c->x[j];
        psi[j] = sx * ew;
        psn[j] = sx * en;
    }
    for (size_t k = 0; k < c->nme; k++)
        psi[c->me_col[k]] += w * c->mev[k] * beta[c->me_col[k]];
    if (se == CX_SE_CLUSTER) {
        double *cl = r->clus + unit * p, *cn = r->clus_n + unit * p;
        for (size_t j = 0; j < p; j++) {
            cl[j] += psi[j];
            cn[j] += psn[j];
        }
        return;
    }
    /* HC: the rows wait in a block, added to the meats as Psi'Psi at once */
    memcpy(r->blk + r->nblk * p, psi, p * sizeof(double));
    memcpy(r->blk_n + r->nblk * p, psn, p * sizeof(double));
    if (++r->nblk == r->capblk)
        eiv_flush(r, p);
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
            if (c->nme) {
                eiv_meat(c, beta, w, sw, ew, unit, se, r);
            } else if (se == CX_SE_HC1 || se == CX_SE_HC3) {
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
                    if (one_h > 1e-10)
                        scale /= one_h * one_h;
                    else {
                        /* leverage 1: the row fits itself, e = 0, and HC3 is 0/0
                         * (sandwich::vcovHC gives NaN); remember the row's level */
                        scale = NAN;
                        if (!r->lev1)
                            for (size_t j = 0; j < p && !r->lev1; j++)
                                if (c->x[j] == 1.0 && cx_design_col_is_cat(c->d, j))
                                    r->lev1 = j + 1;
                        r->nlev1++;
                    }
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
    if (r->blk)
        eiv_flush(r, p);
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
    j.c.rec = cx_calloc(p + 5 + c->nme, sizeof(double));
    j.c.mev = cx_calloc(c->nme + 1, sizeof(double));
    j.beta = beta;
    j.A = A;
    j.se = se;
    j.precise = precise;
    cx_status st = CX_OK;
    if (!j.c.x || !j.c.rec || !j.c.mev || respass_init(&j.r, p, intercept, c->nme > 0) != CX_OK)
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
        for (size_t k = 0; r->meat_n && k < p * p; k++)
            r->meat_n[k] += b->meat_n[k];
        r->rss_n += b->rss_n;
        r->nlev1 += b->nlev1;
        if (!r->lev1)
            r->lev1 = b->lev1;
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
            for (size_t k = 0; r->clus_n && k < p; k++)
                r->clus_n[u * p + k] += b->clus_n[u * p + k];
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
    cx_free(j.c.mev);
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

/* ======================================================================== */
/* Ridge and robust fits (in memory)                                        */
/* ======================================================================== */

#define INMEM_LIMIT ((size_t)256 << 20) /* bytes of design held for ridge/robust */

static cx_status collect_row(fitctx *c, double sw, double y, cx_error *err)
{
    size_t p = c->p;
    if ((c->nall + 1) * (p + 2) * sizeof(double) > INMEM_LIMIT)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                            "ridge, robust and REML fits hold the design in memory, and this one passes "
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
        types[j] = (cx_csv_coltype){cx_table_colname(src->schema, j), cx_table_coltype(src->schema, j), 0};
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
    b->rec = cx_calloc(p + 5 + c->nme, sizeof(double));
    b->spill = b->rec ? cx_spill_new(c->reclen) : NULL;
    b->rec_w = c->rec_w;
    b->rec_actual = c->rec_actual;
    b->rec_k0 = c->rec_k0;
    b->rec_me = c->rec_me;
    b->reclen = c->reclen;
    b->nme = c->nme;
    b->me_sum = cx_calloc(c->nme + 1, sizeof(double));
    h.ls = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, p);
    if (!b->X || !b->yv || !b->x || !b->colsum || !b->rmin || !b->rmax || !b->rsum || !b->rec || !b->spill ||
        !b->me_sum || !h.ls)
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
        for (size_t k = 0; k < c->nme; k++)
            c->me_sum[k] += b->me_sum[k];
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
    cx_free(b->me_sum);
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
    for (size_t k = 0; k < c->nme; k++)
        c->me_sum[k] = 0;
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



/* The estimator of an equation: its method, or the correction its terms
 * measured with error need. */
static const cx_estimator_type *estimator_of(const cx_eqspec *es, const cx_design *d)
{
    if (es->method == CX_METHOD_RIDGE)
        return cx_est_ridge;
    if (es->method == CX_METHOD_ROBUST)
        return cx_est_robust;
    if (cx_design_nme(d) > 0)
        return cx_est_eiv;
    if (es->weights && strcmp(es->weights, "precision") == 0 && !(es->tau2 == 0))
        return cx_est_reml;
    return cx_est_ols;
}

/* The design of the equation, its levels and holdout; then the type, and
 * the workspaces of the passes. */
static cx_status fit_setup(fitrun *f, cx_error *err)
{
    const cx_eqspec *es = f->es;
    const merged_eq *mg = f->mg;
    fitctx *c = &f->c;
    cx_status st = cx_design_new(f->spec, f->eqi, mg ? mg->schema : f->src->schema, &c->d, err);
    if (st == CX_OK && mg) {
        for (size_t t = 0; t < es->nterms && st == CX_OK; t++)
            if (mg->levels[t])
                st = cx_design_set_levels(c->d, t, (const char *const *)mg->levels[t], mg->nlevels[t], err);
    } else if (st == CX_OK) {
        st = use_needed_columns(f->src, c->d, f->opt && f->opt->holdout, err);
        if (st == CX_OK)
            st = cx_design_levels(c->d, f->src, err);
    }
    if (st == CX_OK && f->opt && f->opt->holdout)
        st = cx_design_holdout(c->d, f->src, f->opt->holdout, err);
    if (st != CX_OK)
        return st;
    size_t p = c->p = cx_design_ncols(c->d);
    if (p == 0)
        return cx_error_set(err, CX_EINVAL, f->spec->file, 0, 0, "equation '%s' has nothing to estimate", es->name);
    f->type = estimator_of(es, c->d);
    size_t nin = cx_design_ninputs(c->d), nme = c->nme = cx_design_nme(c->d);
    if (nme && f->type != cx_est_eiv) {
        f->me_ignored = nme; /* ridge and robust fit the noisy columns as they are; inference says so */
        nme = c->nme = 0;
    }
    c->chunk = f->opt && f->opt->block_rows ? f->opt->block_rows : CHUNK_ROWS;
    if (c->chunk < p + 1)
        c->chunk = p + 1; /* the first QR block needs at least p rows */
    c->X = gsl_matrix_alloc(c->chunk, p);
    c->Xaux = gsl_matrix_alloc(c->chunk, p + 1);
    c->yv = gsl_vector_alloc(c->chunk);
    c->x = cx_calloc(p + 1, sizeof(double));
    c->colsum = cx_calloc(p + 1, sizeof(double));
    c->rmin = cx_calloc(nin + 1, sizeof(double));
    c->rmax = cx_calloc(nin + 1, sizeof(double));
    c->rsum = cx_calloc(nin + 1, sizeof(long double));
    c->me_col = cx_calloc(nme + 1, sizeof(size_t));
    c->me_sum = cx_calloc(nme + 1, sizeof(double));
    c->mev = cx_calloc(nme + 1, sizeof(double));
    f->ls = gsl_multilarge_linear_alloc(gsl_multilarge_linear_tsqr, p);
    f->R = gsl_matrix_calloc(p, p);
    f->Rs = gsl_matrix_calloc(p, p);
    f->A = gsl_matrix_calloc(p, p);
    f->qtb = gsl_vector_alloc(p);
    f->norms = cx_calloc(p + 1, sizeof(double));
    f->beta_ls = cx_calloc(p + 1, sizeof(double));
    if (!c->X || !c->Xaux || !c->yv || !c->x || !c->colsum || !c->rmin || !c->rmax || !c->rsum || !c->me_col ||
        !c->me_sum || !c->mev || !f->ls || !f->R || !f->Rs || !f->A || !f->qtb || !f->norms || !f->beta_ls ||
        respass_init(&f->rp, p, es->intercept, nme > 0) != CX_OK)
        return oom(err);
    for (size_t k = 0; k < nin; k++) {
        c->rmin[k] = INFINITY;
        c->rmax[k] = -INFINITY;
    }
    for (size_t k = 0; k < nme; k++)
        c->me_col[k] = cx_design_me_col(c->d, k);
    c->collect = f->type->in_memory;
    if (!mg && f->src->r) {
        /* a streamed file: keep pass 1's rows for the later passes (the
         * system's temporary directory; without room the text is parsed again) */
        c->rec = cx_calloc(p + 5 + nme, sizeof(double));
        c->rec_w = es->weights != NULL;
        c->rec_actual = es->nfixed > 0;
        c->rec_k0 = cx_design_has_intercept(c->d) ? 1 : 0;
        c->rec_me = (int)nme;
        c->reclen = 2 + (size_t)c->rec_w + (size_t)c->rec_actual + p - (size_t)c->rec_k0 + nme;
        c->spill = c->rec ? cx_spill_new(c->reclen) : NULL;
    }
    return CX_OK;
}

/* Pass 1 over the rows (on two threads when the file allows), or the
 * moments of merged partial fits. */
static cx_status fit_pass1(fitrun *f, cx_error *err)
{
    fitctx *c = &f->c;
    const merged_eq *mg = f->mg;
    size_t p = c->p, nin = cx_design_ninputs(c->d);
    cx_status st;
    if (mg) {
        c->n = mg->n;
        c->ndropped = mg->ndropped;
        c->sumw = mg->sumw;
        c->sumlogw = mg->sumlogw;
        c->ymean = mg->ymean;
        c->ym2 = mg->ym2;
        c->sumwy2 = mg->sumwy2;
        memcpy(c->colsum, mg->colsum, p * sizeof(double));
        for (size_t k = 0; k < c->nme; k++)
            c->me_sum[k] = mg->me_sum ? mg->me_sum[k] : 0;
        for (size_t k = 0; k < nin; k++) {
            c->rmin[k] = mg->rmin[k];
            c->rmax[k] = mg->rmax[k];
            c->rsum[k] = mg->rsum[k];
        }
        gsl_matrix *Rc = gsl_matrix_alloc(p, p);
        gsl_vector *qc = gsl_vector_alloc(p);
        int status = Rc && qc ? 0 : GSL_ENOMEM;
        if (!status) {
            gsl_matrix_memcpy(Rc, mg->R);
            gsl_vector_memcpy(qc, mg->qtb);
            status = gsl_multilarge_linear_accumulate(Rc, qc, f->ls);
        }
        gsl_matrix_free(Rc);
        gsl_vector_free(qc);
        st = status ? gsl_fail(err, status, "merging the partial fits") : CX_OK;
    } else {
        uint64_t mid = 0;
        const cx_fit_options *opt = f->opt;
        st = CX_ENUMERIC; /* not split */
        if (!f->type->in_memory && !(opt && (opt->holdout || opt->threads == 1)) && c->spill &&
            splittable(f->src, c->d, &mid) && (st = pass1_two_threads(f->spec, f->eqi, c, f->ls, mid)) != CX_OK)
            st = pass1_restart(c, f->ls);
        if (st != CX_OK)
            st = cx_fit_pass1(c, f->ls, err);
    }
    if (st == CX_OK && c->n <= (double)p)
        st = cx_error_set(err, CX_EINVAL, f->spec->file, 0, 0,
                          "equation '%s': expected more rows than coefficients, found %.0f rows "
                          "with every value for %zu coefficients (%.0f rows dropped for missing values)",
                          f->es->name, c->n, p, c->ndropped);
    if (st == CX_OK && (f->es->intercept ? !(c->ym2 > 0) : !(c->sumwy2 > 0))) {
        st = cx_error_set(err, CX_EINVAL, f->spec->file, 0, 0,
                          "equation '%s': the target '%s' has the same value (%.15g) in all %.0f rows used: "
                          "there is no variation to explain, and any fit would be a perfect one",
                          f->es->name, f->es->target, c->ymean, c->n);
        set_eq_pointer(err, f->spec, f->eqi);
    }
    return st;
}

/* Least squares from the accumulated R and Q'y: the column norms, the
 * rank, the solution and (X'WX)^-1. */
static cx_status fit_ls(fitrun *f, cx_error *err)
{
    fitctx *c = &f->c;
    size_t p = c->p;
    const cx_eqspec *es = f->es;
    const gsl_matrix *Rw = gsl_multilarge_linear_matrix_ptr(f->ls);
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(f->R, i, j, gsl_matrix_get(Rw, i, j));
    gsl_vector_memcpy(f->qtb, gsl_multilarge_linear_rhs_ptr(f->ls));
    for (size_t j = 0; j < p; j++) {
        double s = 0;
        for (size_t i = 0; i <= j; i++)
            s += gsl_matrix_get(f->R, i, j) * gsl_matrix_get(f->R, i, j);
        f->norms[j] = sqrt(s);
    }
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++)
            gsl_matrix_set(f->Rs, i, j, f->norms[j] > 0 ? gsl_matrix_get(f->R, i, j) / f->norms[j] : 0);
    f->kappa = NAN;
    const char *tname, *lname;
    if (!f->mg && cx_design_empty_level(c->d, &tname, &lname)) {
        cx_status st = cx_error_set(err, CX_EINVAL, f->spec->file, 0, 0,
                                    "equation '%s': the level '%s' of %s is in no row used (its rows lack a "
                                    "value the equation uses); the data cannot identify its effect",
                                    es->name, lname, tname);
        set_eq_pointer(err, f->spec, f->eqi);
        return st;
    }
    cx_status st = check_rank(c->d, f->Rs, f->norms, &f->kappa, f->spec->file, f->eqi, err);
    if (st != CX_OK) {
        /* name the equation by its name rather than its number */
        if (err && err->status == CX_EINVAL) {
            char msg[CX_ERROR_MSG_MAX];
            const char *rest = strchr(err->message, ':');
            snprintf(msg, sizeof msg, "equation '%s'%s", es->name, rest ? rest : "");
            snprintf(err->message, sizeof err->message, "%s", msg);
            set_eq_pointer(err, f->spec, f->eqi);
        }
        return st;
    }
    /* beta = D^-1 Rs^-1 Q'y;  (X'WX)^-1 = D^-1 Rs^-1 Rs^-T D^-1 */
    gsl_vector_view bv = gsl_vector_view_array(f->beta_ls, p);
    gsl_vector_memcpy(&bv.vector, f->qtb);
    gsl_blas_dtrsv(CblasUpper, CblasNoTrans, CblasNonUnit, f->Rs, &bv.vector);
    for (size_t j = 0; j < p; j++)
        f->beta_ls[j] /= f->norms[j];
    gsl_matrix *Ri = gsl_matrix_alloc(p, p);
    if (!Ri)
        return oom(err);
    gsl_matrix_memcpy(Ri, f->Rs);
    int status = gsl_linalg_tri_upper_invert(Ri);
    for (size_t i = 0; !status && i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t k = (i > j ? i : j); k < p; k++)
                s += gsl_matrix_get(Ri, i, k) * gsl_matrix_get(Ri, j, k);
            gsl_matrix_set(f->A, i, j, s / (f->norms[i] * f->norms[j]));
        }
    gsl_matrix_free(Ri);
    return status ? gsl_fail(err, status, "inverting R") : CX_OK;
}

/* The residual pass, repeated with iterative refinement when the estimator
 * is least squares and the design ill-conditioned.  Forward error estimate
 * of the QR solution (Higham, Accuracy and Stability of Numerical
 * Algorithms, 2nd ed., ch. 20): eps kappa (1 + kappa |r| / |Q'y|), with
 * |r| from the QR accumulation.  Above REFINE_ETA the solution is refined
 * (corrected seminormal equations), each step one more pass over the rows. */
/* A merged fit has no rows for a residual pass; its clustered covariance
 * comes from the moments the partial fits carry per unit and partition:
 * psi = T'(r - Z'WZ (T beta - b)) + S beta, with r = Z'W(y - Z b) at the
 * partition's own solution b (small, so nothing cancels), S the noise of
 * the terms measured with error; and the naive fit's, with the naive
 * coefficients and no S. */
static void merged_psi(const fitrun *f, const double *blk, const double *beta, int with_s, double *bz,
                       double *psi)
{
    const merged_eq *mg = f->mg;
    size_t p = f->c.p, pu = mg->pu, m = f->c.nme;
    const double *xtx = blk, *r = blk + pu * pu, *me = r + pu, *b = me + m;
    for (size_t z = 0; z < pu; z++) {
        bz[z] = -b[z];
        for (size_t a = 0; a < p; a++)
            if (mg->Tm[z * p + a])
                bz[z] += beta[a];
    }
    for (size_t a = 0; a < p; a++) {
        long double s = 0;
        for (size_t z = 0; z < pu; z++) {
            if (!mg->Tm[z * p + a])
                continue;
            long double t = r[z];
            for (size_t y = 0; y < pu; y++)
                t -= (long double)xtx[z * pu + y] * bz[y];
            s += t;
        }
        psi[a] = (double)s;
    }
    for (size_t k = 0; with_s && k < m; k++)
        psi[f->c.me_col[k]] += me[k] * beta[f->c.me_col[k]];
}

static cx_status merged_meat(fitrun *f, cx_error *err)
{
    const merged_eq *mg = f->mg;
    const cx_est *est = f->est;
    size_t p = f->c.p, G = mg->nunits, per = mg->pu * mg->pu + 2 * mg->pu + f->c.nme;
    if (est->se != CX_SE_CLUSTER)
        return CX_OK;
    if (G < 2)
        return cx_error_set(err, CX_EINVAL, f->spec->file, 0, 0,
                            "equation '%s': clustered standard errors of a merged fit need the moments of at "
                            "least 2 units, found %zu (the partial fits' data have no unit columns)",
                            f->es->name, G);
    double *bz = cx_calloc(mg->pu + 1, sizeof(double)), *psi = cx_calloc(p + 1, sizeof(double));
    if (!bz || !psi || unit_room(&f->rp, G - 1, p) != CX_OK) {
        cx_free(bz);
        cx_free(psi);
        return oom(err);
    }
    for (size_t k = 0; k < mg->nblocks; k++) {
        size_t g = mg->blk_unit[k];
        merged_psi(f, mg->blk + k * per, est->beta, 1, bz, psi);
        for (size_t a = 0; a < p; a++)
            f->rp.clus[g * p + a] += psi[a];
        if (f->rp.clus_n && est->naive) {
            merged_psi(f, mg->blk + k * per, est->naive, 0, bz, psi);
            for (size_t a = 0; a < p; a++)
                f->rp.clus_n[g * p + a] += psi[a];
        }
        f->rp.has_last[g] = 1;
    }
    cx_free(bz);
    cx_free(psi);
    return CX_OK;
}

static cx_status fit_pass2(fitrun *f, cx_error *err)
{
    fitctx *c = &f->c;
    cx_est *est = f->est;
    size_t p = c->p;
    if (f->mg)
        return merged_meat(f, err);
    double qn = gsl_blas_dnrm2(f->qtb);
    double rnorm_qr = sqrt(fmax(0.0, (double)c->sumwy2 - qn * qn));
    double eta = DBL_EPSILON * f->kappa * (1 + f->kappa * rnorm_qr / qn);
    int refine = eta > REFINE_ETA && est->refine;
    gsl_vector *v = gsl_vector_alloc(p);
    if (!v)
        return oom(err);
    c->dbeta = NULL;
    if (est->naive) {
        c->dbeta = cx_calloc(p + 1, sizeof(double));
        if (!c->dbeta) {
            gsl_vector_free(v);
            return oom(err);
        }
        for (size_t j = 0; j < p; j++)
            c->dbeta[j] = est->beta[j] - est->naive[j];
    }
    cx_status st = CX_OK;
    for (int it = 0;; it++) {
        respass_free(&f->rp);
        if (respass_init(&f->rp, p, f->es->intercept, c->nme > 0) != CX_OK) {
            st = oom(err);
            break;
        }
        st = pass2_any(c, est->beta, f->A, est->se, refine, &f->rp, f->es->intercept, err);
        if (st != CX_OK || !refine || it == MAX_REFINE)
            break;
        /* Rs'Rs z = D^-1 X'W r, delta = D^-1 z */
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(v, j, (f->rp.g[j].hi + f->rp.g[j].lo) / f->norms[j]);
        seminormal_solve(f->Rs, v);
        double change = 0;
        for (size_t j = 0; j < p; j++) {
            double dj = gsl_vector_get(v, j) / f->norms[j];
            est->beta[j] += dj;
            if (est->beta[j] != 0)
                change = fmax(change, fabs(dj / est->beta[j]));
        }
        if (change < DBL_EPSILON)
            break; /* converged: the last pass's residuals hold to rounding */
    }
    gsl_vector_free(v);
    return st;
}

static void fit_free(fitrun *f)
{
    fitctx *c = &f->c;
    cx_est *est = f->est;
    if (est) {
        cx_free(est->beta);
        cx_free(est->cov);
        cx_free(est->naive);
        cx_free(est->reliability);
        cx_free(est->me_text);
    }
    respass_free(&f->rp);
    cx_design_free(c->d);
    gsl_matrix_free(c->X);
    gsl_matrix_free(c->Xaux);
    gsl_vector_free(c->yv);
    cx_free(c->x);
    cx_free(c->colsum);
    cx_free(c->rmin);
    cx_free(c->rmax);
    cx_free(c->rsum);
    cx_free(c->xall);
    cx_free(c->yall);
    cx_free(c->swall);
    cx_free(c->me_col);
    cx_free(c->me_sum);
    cx_free(c->mev);
    cx_free(c->dbeta);
    cx_spill_free(c->spill);
    cx_spill_free(c->spill2);
    cx_free(c->remap);
    cx_free(c->rec);
    if (f->ls)
        gsl_multilarge_linear_free(f->ls);
    gsl_matrix_free(f->R);
    gsl_matrix_free(f->Rs);
    gsl_matrix_free(f->A);
    gsl_vector_free(f->qtb);
    cx_free(f->norms);
    cx_free(f->beta_ls);
}

/* Run the equation's estimator on what pass 1 gathered. */
static cx_status fit_estimate(fitrun *f, cx_est *est, cx_error *err)
{
    size_t p = f->c.p, m = f->c.nme;
    est->beta = cx_calloc(p + 1, sizeof(double));
    est->cov = cx_calloc(p * p + 1, sizeof(double));
    est->reliability = cx_calloc(m + 1, sizeof(double));
    est->me_text = cx_calloc(m + 1, sizeof(char *));
    est->naive = m ? cx_calloc(p + 1, sizeof(double)) : NULL;
    if (!est->beta || !est->cov || !est->reliability || !est->me_text || (m && !est->naive))
        return oom(err);
    for (size_t k = 0; k < m; k++)
        est->me_text[k] = cx_design_colname(f->c.d, f->c.me_col[k]);
    est->df_model = (double)p;
    est->sigma = est->lambda = est->tau2 = est->se_tau2 = NAN;
    est->se = f->sek;
    cx_est_input in = {f->spec, f->eqi, f->es, &f->c, f->R, f->qtb, f->A, f->beta_ls, f->sek, f->mg != NULL};
    return f->type->estimate(&in, est, err);
}

/* After a random-effects fit the model's weights are 1/(tau2 + SE^2), not
 * pass 1's 1/SE^2: gather the moments again from the rows in memory under
 * the model's weights (R, Q'y, the column sums, the target's mean and sum
 * of squares), so that R^2, VIF, the importance and the standardised
 * coefficients describe the model fitted. */
static cx_status fit_reweight(fitrun *f, cx_error *err)
{
    fitctx *c = &f->c;
    size_t p = c->p, n = c->nall, nr = 0;
    if (!(c->tau2 > 0))
        return CX_OK;
    gsl_multilarge_linear_reset(f->ls);
    c->sumw = c->sumlogw = c->ymean = c->ym2 = 0;
    c->sumwy2 = 0;
    memset(c->colsum, 0, p * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double sw0 = c->swall[i], w = 1.0 / (c->tau2 + 1.0 / (sw0 * sw0)), sw = sqrt(w);
        double y = c->yall[i] / sw0;
        double *xrow = c->X->data + nr * c->X->tda;
        for (size_t j = 0; j < p; j++) {
            xrow[j] = sw * (c->xall[i * p + j] / sw0);
            c->colsum[j] += sw * xrow[j];
        }
        c->yv->data[nr * c->yv->stride] = sw * y;
        c->sumw += w;
        c->sumlogw += log(w);
        double delta = y - c->ymean;
        c->ymean += delta * w / c->sumw;
        c->ym2 += w * delta * (y - c->ymean);
        c->sumwy2 += (long double)w * y * y;
        if (++nr == c->chunk || i + 1 == n) {
            gsl_matrix_view Xv = gsl_matrix_submatrix(c->X, 0, 0, nr, p);
            gsl_vector_view yv = gsl_vector_subvector(c->yv, 0, nr);
            int status = gsl_multilarge_linear_accumulate(&Xv.matrix, &yv.vector, f->ls);
            nr = 0;
            if (status)
                return gsl_fail(err, status, "the QR accumulation");
        }
    }
    return fit_ls(f, err);
}

cx_status cx_fit_equation(const cx_spec *spec, size_t eqi, cx_source *src, const cx_fit_options *opt,
                          const merged_eq *mg, cx_equation **out, cx_error *err)
{
    *out = NULL;
    const cx_eqspec *es = &spec->eq[eqi];
    cx_se_kind sek = opt && opt->force_se ? opt->se : es->se;
    if (es->method != CX_METHOD_OLS && sek != CX_SE_CLASSIC)
        return cx_error_set(err, CX_EUSAGE, spec->file, 0, 0,
                            "equation '%s': robust or clustered standard errors are for \"ols\"; "
                            "method \"%s\" reports its own covariance",
                            es->name, es->method == CX_METHOD_RIDGE ? "ridge" : "robust");
    if (mg && (es->method != CX_METHOD_OLS || (sek != CX_SE_CLASSIC && sek != CX_SE_CLUSTER) ||
               (opt && opt->holdout)))
        return cx_error_set(err, CX_EUSAGE, spec->file, 0, 0,
                            "equation '%s': a merged fit is least squares with classic or clustered "
                            "standard errors and no holdout",
                            es->name);
    fitrun f;
    cx_est est;
    memset(&f, 0, sizeof f);
    memset(&est, 0, sizeof est);
    f.spec = spec;
    f.eqi = eqi;
    f.es = es;
    f.opt = opt;
    f.mg = mg;
    f.src = src;
    f.sek = sek;
    f.est = &est;
    f.c.src = src;
    cx_status st = fit_setup(&f, err);
    if (st == CX_OK)
        st = fit_pass1(&f, err);
    if (st == CX_OK)
        st = fit_ls(&f, err);
    if (st == CX_OK)
        st = fit_estimate(&f, &est, err);
    if (st == CX_OK)
        st = fit_reweight(&f, err);
    if (st == CX_OK)
        st = fit_pass2(&f, err);
    if (st == CX_OK)
        st = cx_fit_infer(&f, out, err);
    fit_free(&f);
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
    cx_time_iso(cx_time_now(), m->fitted_at, sizeof m->fitted_at); /* SOURCE_DATE_EPOCH when set */
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
    struct stat sb;
    int regular = strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
    /* a pipe is read once, by the reader (into a copy it hashes below) */
    cx_sha256_job *job = opt && opt->sha256 && regular ? cx_sha256_file_start(path) : NULL;
    cx_source src;
    cx_status st = cx_source_csv(&src, path, copt, err);
    if (st == CX_OK)
        st = fit_all(spec, &src, opt, out, warn, err);
    char hex[65];
    int hashed = cx_sha256_file_finish(job, st != CX_OK, hex);
    if (st == CX_OK)
        st = cx_model_add_input(*out, src.name ? src.name : path, err);
    if (st == CX_OK && src.spool) {
        /* a pipe cannot be read again for the provenance: hash its copy now */
        st = cx_sha256_file(src.spool, hex, err);
        hashed = st == CX_OK;
    }
    if (st == CX_OK && hashed)
        st = cx_model_set_input_hash(*out, (*out)->ninputs - 1, hex, err);
    if (st != CX_OK) {
        cx_model_free(*out);
        *out = NULL;
    }
    cx_source_close(&src);
    return st;
}

