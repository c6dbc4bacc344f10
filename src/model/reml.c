/*
 * reml.c - the random-effects meta-regression of a survey-measured target,
 * tau2 by REML (Fisher scoring, as metafor::rma(method = "REML") does).
 * reml.h holds the contract: the model, the likelihood, the convergence
 * rule and what each output means.
 *
 * Every quantity of one step comes from the weighted least squares problem
 * W^1/2 X beta ~ W^1/2 y, w_i = 1/(tau2 + v_i), solved by GSL's Householder
 * QR: W^1/2 X = Q1 R with Q1 the first p columns of Q (n x p), formed as
 * W^1/2 X R^-1 by one triangular solve (dtrsm; applying the reflections to
 * [I_p; 0] column by column costs p^2 strided passes over the n rows and
 * made a fit of n = 100,000, p = 20 take 2.5 s instead of 0.8 s; the solve
 * keeps Q1 orthonormal to about the condition number of the column-scaled
 * design times DBL_EPSILON, which check_rank bounds), and the hat values
 * h_ii = |row i of Q1|^2.  With r = W^1/2 (y - X beta) and
 * P = W^1/2 (I - Q1 Q1') W^1/2,
 *
 *   y'Py  = r'r                    y'PPy = sum w_i r_i^2
 *   tr P  = sum w_i (1 - h_ii)     tr PP = sum w_i^2 - 2 sum h_ii w_i^2 + |Q1'WQ1|_F^2
 *   log|X'WX| = 2 sum log|R_jj|
 *
 * so a step costs O(n p^2) and never forms the n x n P.  (Var(beta) =
 * (X'WX)^-1 = R^-1 R^-T comes from two triangular solves.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "../core/core.h"
#include "reml.h"

#define MAX_HALVINGS 60  /* most halvings of one Fisher scoring step */
#define LL_SLACK 1e-12   /* a fall in ll this small, relative, is taken as rounding */
#define RCOND_MIN 1e-12  /* reciprocal condition of the column-scaled R below which the
                            design's columns are taken as linearly dependent */

/* ======================================================================== */
/* The workspace and one evaluation                                         */
/* ======================================================================== */

/* Everything a fit needs, allocated once in one block (so the allocation
 * hooks see it); the GSL views point into the block. */
typedef struct reml_ws {
    size_t n, p;
    const double *X, *y, *v;
    double *block;
    gsl_matrix_view QR;  /* n x p: W^1/2 X, then its Householder QR */
    gsl_matrix_view Q1;  /* n x p: W^1/2 X, then the first p columns of Q, then scaled */
    gsl_matrix_view G;   /* p x p scratch */
    gsl_vector_view tau, beta, work; /* p, p, 3p */
    gsl_vector_view ys, res;         /* n: W^1/2 y, then W^1/2 (y - X beta) */
    double *w, *h;       /* n: the weights and the hat values of the last solve */
    double logdet_xx;    /* log|X'X|, metafor's REMLf constant */
} reml_ws;

/* The restricted likelihood and its derivatives' ingredients at one tau2. */
typedef struct reml_point {
    double tau2;
    double rss;     /* y'Py: the weighted residual sum of squares */
    double ypp;     /* y'PPy */
    double trP, trPP;
    double logdet;  /* log|X'WX| */
    double sumlog;  /* sum log(tau2 + v_i) */
    double ll;      /* the restricted log-likelihood (reml.h) */
} reml_point;

static void ws_free(reml_ws *ws)
{
    cx_free(ws->block);
    ws->block = NULL;
}

/* Carve the workspace for n rows and p columns out of one allocation. */
static cx_status ws_alloc(reml_ws *ws, const double *X, const double *y, const double *v,
                          size_t n, size_t p, cx_error *err)
{
    memset(ws, 0, sizeof *ws);
    ws->n = n;
    ws->p = p;
    ws->X = X;
    ws->y = y;
    ws->v = v;
    /* 2np + p^2 + 4n + 5p doubles, at most (3p + 9) n since p < n. */
    if (n > SIZE_MAX / sizeof(double) / (3 * p + 9))
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0,
                            "out of memory: %zu rows x %zu columns is too large", n, p);
    double *b = cx_calloc(2 * n * p + p * p + 4 * n + 5 * p, sizeof(double));
    if (!b)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    ws->block = b;
    ws->QR = gsl_matrix_view_array(b, n, p), b += n * p;
    ws->Q1 = gsl_matrix_view_array(b, n, p), b += n * p;
    ws->G = gsl_matrix_view_array(b, p, p), b += p * p;
    ws->tau = gsl_vector_view_array(b, p), b += p;
    ws->beta = gsl_vector_view_array(b, p), b += p;
    ws->work = gsl_vector_view_array(b, 3 * p), b += 3 * p;
    ws->ys = gsl_vector_view_array(b, n), b += n;
    ws->res = gsl_vector_view_array(b, n), b += n;
    ws->w = b, b += n;
    ws->h = b;
    return CX_OK;
}

static cx_status gsl_fail(cx_error *err, int status, const char *what)
{
    return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "REML meta-regression: %s failed: %s", what,
                        gsl_strerror(status));
}

/*
 * Solve the least squares problem with weights ws->w (n, positive): the QR
 * of W^1/2 X into ws->QR and ws->tau (a copy of W^1/2 X stays in ws->Q1 for
 * unpack_q1), beta into ws->beta, the weighted residuals W^1/2 (y - X beta)
 * into ws->res, log|X'WX| into *logdet.  The columns must be independent
 * (checked once by check_rank).
 */
static cx_status wls_qr(reml_ws *ws, double *logdet, cx_error *err)
{
    size_t n = ws->n, p = ws->p;
    gsl_matrix *A = &ws->QR.matrix;
    for (size_t i = 0; i < n; i++) {
        double s = sqrt(ws->w[i]);
        for (size_t j = 0; j < p; j++)
            gsl_matrix_set(A, i, j, s * ws->X[i * p + j]);
        gsl_vector_set(&ws->ys.vector, i, s * ws->y[i]);
    }
    gsl_matrix_memcpy(&ws->Q1.matrix, A);
    int status = gsl_linalg_QR_decomp(A, &ws->tau.vector);
    if (status)
        return gsl_fail(err, status, "the QR decomposition");
    status = gsl_linalg_QR_lssolve(A, &ws->tau.vector, &ws->ys.vector, &ws->beta.vector,
                                   &ws->res.vector);
    if (status)
        return gsl_fail(err, status, "the least squares solve");
    double ld = 0;
    for (size_t j = 0; j < p; j++)
        ld += log(fabs(gsl_matrix_get(A, j, j)));
    *logdet = 2 * ld;
    return CX_OK;
}

/* After wls_qr: the first p columns of Q, W^1/2 X R^-1, into ws->Q1 and the
 * hat values into ws->h. */
static void unpack_q1(reml_ws *ws)
{
    gsl_matrix *Q1 = &ws->Q1.matrix;
    gsl_matrix_const_view R = gsl_matrix_const_submatrix(&ws->QR.matrix, 0, 0, ws->p, ws->p);
    gsl_blas_dtrsm(CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, 1.0, &R.matrix, Q1);
    for (size_t i = 0; i < ws->n; i++) {
        gsl_vector_view r = gsl_matrix_row(Q1, i);
        ws->h[i] = gsl_pow_2(gsl_blas_dnrm2(&r.vector));
    }
}

/* Check, on the QR of W^1/2 X, that X has full column rank: no zero column,
 * and the reciprocal condition number of R with unit columns above RCOND_MIN
 * (the column scaling keeps a moderator in seconds from looking collinear
 * with one in percent).  CX_EINVAL otherwise. */
static cx_status check_rank(reml_ws *ws, cx_error *err)
{
    size_t p = ws->p;
    gsl_matrix *G = &ws->G.matrix;
    gsl_matrix_set_zero(G);
    for (size_t j = 0; j < p; j++) {
        gsl_vector_const_view top = gsl_matrix_const_subcolumn(&ws->QR.matrix, j, 0, j + 1);
        double norm = gsl_blas_dnrm2(&top.vector);
        if (norm == 0)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "column %zu of the design is 0 in every row: the data cannot "
                                "identify its coefficient", j);
        for (size_t i = 0; i <= j; i++)
            gsl_matrix_set(G, i, j, gsl_vector_get(&top.vector, i) / norm);
    }
    double rcond = 0;
    int status = gsl_linalg_tri_rcond(CblasUpper, G, &rcond, &ws->work.vector);
    if (status)
        return gsl_fail(err, status, "the condition number estimate");
    if (!(rcond > RCOND_MIN))
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "the columns of the design are linearly dependent (reciprocal "
                            "condition number %.3g of the scaled design): the data cannot "
                            "separate their coefficients", rcond);
    return CX_OK;
}

/*
 * Evaluate the restricted likelihood and the Fisher scoring ingredients at
 * tau2 (reml.h's formula), leaving that solve in the workspace.
 */
static cx_status evaluate(reml_ws *ws, double tau2, reml_point *pt, cx_error *err)
{
    size_t n = ws->n, p = ws->p;
    double sumlog = 0;
    for (size_t i = 0; i < n; i++) {
        ws->w[i] = 1.0 / (tau2 + ws->v[i]);
        sumlog += log(tau2 + ws->v[i]);
    }
    double logdet;
    cx_status st = wls_qr(ws, &logdet, err);
    if (st != CX_OK)
        return st;
    unpack_q1(ws);
    double rss = 0, ypp = 0, trP = 0, trW2 = 0, trHW2 = 0;
    gsl_matrix *Q1 = &ws->Q1.matrix;
    for (size_t i = 0; i < n; i++) {
        double w = ws->w[i], r = gsl_vector_get(&ws->res.vector, i);
        rss += r * r;
        ypp += w * r * r;
        trP += w * (1 - ws->h[i]);
        trW2 += w * w;
        trHW2 += ws->h[i] * w * w;
        gsl_vector_view row = gsl_matrix_row(Q1, i);
        gsl_vector_scale(&row.vector, sqrt(w)); /* Q1 becomes W^1/2 Q1 */
    }
    /* |Q1'WQ1|_F^2 = tr(HWHW), from the upper triangle of G = Q1'WQ1, summed
     * row by row (gslcblas's dsyrk on the transposed row-major Q1 strides
     * through memory: 1.0 s instead of 0.8 s for n = 100,000, p = 20). */
    gsl_matrix *G = &ws->G.matrix;
    gsl_matrix_set_zero(G);
    for (size_t i = 0; i < n; i++) {
        gsl_vector_const_view row = gsl_matrix_const_row(Q1, i);
        gsl_blas_dsyr(CblasUpper, 1.0, &row.vector, G);
    }
    double fro = 0;
    for (size_t j = 0; j < p; j++) {
        fro += gsl_pow_2(gsl_matrix_get(G, j, j));
        for (size_t k = j + 1; k < p; k++)
            fro += 2 * gsl_pow_2(gsl_matrix_get(G, j, k));
    }
    pt->tau2 = tau2;
    pt->rss = rss;
    pt->ypp = ypp;
    pt->trP = trP;
    pt->trPP = trW2 - 2 * trHW2 + fro;
    pt->logdet = logdet;
    pt->sumlog = sumlog;
    pt->ll = -0.5 * (double)(n - p) * log(2 * M_PI) + 0.5 * ws->logdet_xx - 0.5 * sumlog -
             0.5 * logdet - 0.5 * rss;
    return CX_OK;
}

/* ======================================================================== */
/* Fisher scoring                                                           */
/* ======================================================================== */

/*
 * The ordinary least squares of y on X: log|X'X| into ws->logdet_xx, the
 * rank check, and the Hedges (HE) start of metafor,
 * max(0, (RSS - sum v_i (1 - h_ii)) / (n - p)), into *start.
 */
static cx_status ols_start(reml_ws *ws, double *start, cx_error *err)
{
    for (size_t i = 0; i < ws->n; i++)
        ws->w[i] = 1.0;
    cx_status st = wls_qr(ws, &ws->logdet_xx, err);
    if (st == CX_OK)
        st = check_rank(ws, err);
    if (st != CX_OK)
        return st;
    unpack_q1(ws);
    double rss = 0, trPV = 0;
    for (size_t i = 0; i < ws->n; i++) {
        rss += gsl_pow_2(gsl_vector_get(&ws->res.vector, i));
        trPV += ws->v[i] * (1 - ws->h[i]);
    }
    *start = fmax(0.0, (rss - trPV) / (double)(ws->n - ws->p));
    return CX_OK;
}

/*
 * Fisher scoring from *cur (evaluated) to the maximum of ll over tau2 >= 0,
 * each step tau2 + (y'PPy - tr P) / tr(PP) halved until ll does not fall
 * and cut at 0.  Stops when a step changes tau2 by at most tol (tau2 + vt),
 * when no measurable part of the step raises ll, or at tau2 = 0 with a step
 * pointing below 0.  *iter counts the steps (score evaluations, as metafor
 * counts them) across calls; more than max_iter is CX_ENUMERIC.  On return
 * *cur is the point reached.
 */
static cx_status scoring(reml_ws *ws, reml_point *cur, double tol, double vt, unsigned max_iter,
                         unsigned *iter, cx_error *err)
{
    for (;;) {
        double adj = (cur->ypp - cur->trP) / cur->trPP;
        if (!isfinite(adj))
            return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                                "REML meta-regression: the Fisher scoring step at tau2 = %g is "
                                "not a number", cur->tau2);
        (*iter)++;
        if (cur->tau2 == 0 && adj <= 0)
            return CX_OK; /* the score at 0 is <= 0: the maximum is at the boundary */
        if (*iter > max_iter)
            return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                                "REML meta-regression: tau2 did not converge in %u Fisher scoring "
                                "steps (tau2 = %.6g, next step %.3g); the restricted likelihood "
                                "may be flat: fix tau2 or allow more steps",
                                max_iter, cur->tau2, adj);
        double small = tol * (cur->tau2 + vt), step = adj, change = 0, tried = -1;
        reml_point cand;
        int accepted = 0;
        for (int k = 0; k < MAX_HALVINGS && !accepted; k++, step /= 2) {
            double t = fmax(0.0, cur->tau2 + step);
            change = fabs(t - cur->tau2);
            if (change <= small && k > 0)
                return CX_OK; /* no measurable step raises ll: at the maximum */
            if (t == tried)
                continue; /* still cut at 0, which did not raise ll */
            cx_status st = evaluate(ws, t, &cand, err);
            if (st != CX_OK)
                return st;
            tried = t;
            accepted = cand.ll >= cur->ll - LL_SLACK * (1 + fabs(cur->ll));
        }
        if (!accepted)
            return CX_OK;
        *cur = cand;
        if (change <= small)
            return CX_OK;
    }
}

/*
 * Estimate tau2: Fisher scoring from metafor's HE start, then its ll0check
 * (restart from 0 if ll is higher there).  pt0 is the evaluation at 0.
 */
static cx_status estimate_tau2(reml_ws *ws, double start, const reml_point *pt0, double vt,
                               const cx_reml_options *opt, double *tau2, unsigned *iter,
                               cx_error *err)
{
    double tol = opt && opt->tol > 0 ? opt->tol : CX_REML_TOL;
    tol = fmax(tol, 8 * (double)ws->n * DBL_EPSILON); /* the rounding of the score's sums */
    unsigned max_iter = opt && opt->max_iter > 0 ? opt->max_iter : CX_REML_MAX_ITER;
    reml_point cur = *pt0;
    cx_status st = CX_OK;
    if (start > 0)
        st = evaluate(ws, start, &cur, err);
    if (st == CX_OK)
        st = scoring(ws, &cur, tol, vt, max_iter, iter, err);
    if (st == CX_OK && cur.tau2 > 0 && pt0->ll > cur.ll + LL_SLACK * (1 + fabs(cur.ll))) {
        cur = *pt0;
        st = scoring(ws, &cur, tol, vt, max_iter, iter, err);
    }
    if (st == CX_OK)
        *tau2 = cur.tau2;
    return st;
}

/* ======================================================================== */
/* The fit                                                                  */
/* ======================================================================== */

/* Check the arguments (reml.h lists what is refused). */
static cx_status check_args(const double *X, const double *y, const double *v, const double *a,
                            size_t n, size_t p, const cx_reml_options *opt,
                            const cx_reml_result *res, cx_error *err)
{
    if (!X || !y || !v || !res)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                            "cx_reml_fit: X, y, v and res must not be NULL");
    if (p == 0)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "REML meta-regression needs at least one column in the design");
    if (n <= p)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "REML meta-regression needs more rows than coefficients: %zu rows "
                            "for %zu coefficients", n, p);
    if (opt && !isnan(opt->tau2) && !(isfinite(opt->tau2) && opt->tau2 >= 0))
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "a fixed tau2 must be a finite number >= 0, found %g", opt->tau2);
    if (opt && !(opt->tol >= 0 && opt->tol < 1))
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "the REML tolerance must be >= 0 and < 1 (0 = the default), found %g",
                            opt->tol);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < p; j++)
            if (!isfinite(X[i * p + j]))
                return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                    "row %zu, column %zu of the design is %g, not a finite number",
                                    i, j, X[i * p + j]);
        if (!isfinite(y[i]))
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "row %zu: the target is %g, not a finite number", i, y[i]);
        if (!(isfinite(v[i]) && v[i] > 0))
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "row %zu: the sampling variance (SE^2) must be positive and "
                                "finite, found %g", i, v[i]);
        if (a && !(isfinite(a[i]) && a[i] > 0))
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "row %zu: the prior weight must be positive and finite, found %g",
                                i, a[i]);
    }
    return CX_OK;
}

/*
 * With ws holding the solve at the final tau2: beta and cov = (X'WX)^-1 into
 * the result arrays, or with prior weights a the weighted beta and the
 * sandwich R^-1 [Q1' diag(a_i (tau2 + v_i)) Q1] R^-T of the QR of A^1/2 X;
 * *rss = sum w_i (y_i - x_i'beta)^2 for that beta.  G (p x p) is the middle
 * matrix: I without prior weights.
 */
static cx_status coefficients(reml_ws *ws, const double *a, double tau2, double *beta,
                              double *cov, double *rss, cx_error *err)
{
    size_t n = ws->n, p = ws->p;
    gsl_matrix *G = &ws->G.matrix;
    gsl_matrix_set_identity(G);
    if (a) {
        double logdet;
        memcpy(ws->w, a, n * sizeof *a);
        cx_status st = wls_qr(ws, &logdet, err);
        if (st != CX_OK)
            return st;
        unpack_q1(ws);
        for (size_t i = 0; i < n; i++) {
            gsl_vector_view row = gsl_matrix_row(&ws->Q1.matrix, i);
            gsl_vector_scale(&row.vector, sqrt(a[i] * (tau2 + ws->v[i])));
        }
        gsl_blas_dsyrk(CblasUpper, CblasTrans, 1.0, &ws->Q1.matrix, 0.0, G);
        for (size_t j = 0; j < p; j++)
            for (size_t k = j + 1; k < p; k++)
                gsl_matrix_set(G, k, j, gsl_matrix_get(G, j, k));
    }
    gsl_matrix_const_view R = gsl_matrix_const_submatrix(&ws->QR.matrix, 0, 0, p, p);
    gsl_blas_dtrsm(CblasLeft, CblasUpper, CblasNoTrans, CblasNonUnit, 1.0, &R.matrix, G);
    gsl_blas_dtrsm(CblasRight, CblasUpper, CblasTrans, CblasNonUnit, 1.0, &R.matrix, G);
    for (size_t j = 0; j < p; j++) {
        beta[j] = gsl_vector_get(&ws->beta.vector, j);
        for (size_t k = 0; k < p; k++)
            cov[j * p + k] = 0.5 * (gsl_matrix_get(G, j, k) + gsl_matrix_get(G, k, j));
    }
    /* The residuals at the weights 1/(tau2 + v_i), for this beta. */
    gsl_matrix_const_view Xv = gsl_matrix_const_view_array(ws->X, n, p);
    gsl_vector_const_view bv = gsl_vector_const_view_array(beta, p);
    gsl_vector *fit = &ws->ys.vector;
    gsl_blas_dgemv(CblasNoTrans, 1.0, &Xv.matrix, &bv.vector, 0.0, fit);
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += gsl_pow_2(ws->y[i] - gsl_vector_get(fit, i)) / (tau2 + ws->v[i]);
    *rss = s;
    return CX_OK;
}

cx_status cx_reml_fit(const double *X, const double *y, const double *v, const double *w_extra,
                      size_t n, size_t p, const cx_reml_options *opt, cx_reml_result *res,
                      cx_error *err)
{
    reml_ws ws = {0};
    double *beta = NULL, *cov = NULL, start = 0, rss = 0;
    int estimated = !opt || isnan(opt->tau2);
    double tau2 = estimated ? 0 : opt->tau2;
    unsigned iter = 0;
    reml_point pt0, pt;
    cx_status st = check_args(X, y, v, w_extra, n, p, opt, res, err);
    if (st != CX_OK)
        return st;
    if ((st = ws_alloc(&ws, X, y, v, n, p, err)) != CX_OK)
        return st;
    beta = cx_calloc(p, sizeof *beta);
    cov = cx_calloc(p * p, sizeof *cov);
    if (!beta || !cov) {
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    if ((st = ols_start(&ws, &start, err)) != CX_OK || (st = evaluate(&ws, 0, &pt0, err)) != CX_OK)
        goto fail;
    double df = (double)(n - p), vt = df / pt0.trP;
    if (estimated && (st = estimate_tau2(&ws, start, &pt0, vt, opt, &tau2, &iter, err)) != CX_OK)
        goto fail;
    if ((st = evaluate(&ws, tau2, &pt, err)) != CX_OK ||
        (st = coefficients(&ws, w_extra, tau2, beta, cov, &rss, err)) != CX_OK)
        goto fail;

    memset(res, 0, sizeof *res);
    res->n = n;
    res->p = p;
    res->beta = beta;
    res->cov = cov;
    res->tau2 = tau2;
    res->se_tau2 = estimated ? sqrt(2 / pt.trPP) : (double)NAN;
    res->rss = rss;
    res->s2w = rss / df;
    res->loglik = -0.5 * df * log(2 * M_PI) + 0.5 * ws.logdet_xx - 0.5 * pt.sumlog -
                  0.5 * pt.logdet - 0.5 * rss;
    res->QE = pt0.rss;
    res->QEp = gsl_cdf_chisq_Q(pt0.rss, df);
    res->vt = vt;
    res->I2 = 100 * tau2 / (vt + tau2);
    res->iterations = iter;
    res->estimated = estimated;
    res->at_zero = estimated && tau2 == 0;
    ws_free(&ws);
    return CX_OK;

fail:
    cx_free(beta);
    cx_free(cov);
    ws_free(&ws);
    return st;
}

void cx_reml_result_clear(cx_reml_result *res)
{
    if (!res)
        return;
    cx_free(res->beta);
    cx_free(res->cov);
    memset(res, 0, sizeof *res);
}
