/*
 * reml.h - the random-effects meta-regression of a survey-measured target:
 * y_i = x_i'beta + u_i + e_i with u_i ~ N(0, tau2) (the residual
 * heterogeneity between rows) and e_i ~ N(0, v_i) (the survey's sampling
 * error, v_i = SE_i^2 known), tau2 estimated by REML.  The estimates, their
 * standard errors and tau2's are those of R's
 *     metafor::rma(yi, vi, mods = ~ x1 + x2 + ..., method = "REML")
 * with its default z tests (tests/data/reml_metafor.R records them).
 * Never installed.
 *
 *     // X: n x p row-major design (intercept column included), y: NPS per
 *     // row, v: nps_se^2 per row
 *     cx_reml_options opt = CX_REML_OPTIONS_INIT;   // tau2 by REML
 *     cx_reml_result r;
 *     if (cx_reml_fit(X, y, v, NULL, n, p, &opt, &r, err) != CX_OK)
 *         goto fail;
 *     // r.beta[j] +- 1.96 sqrt(r.cov[j * p + j]); r.tau2 +- r.se_tau2
 *     cx_reml_result_clear(&r);
 *
 * The model and the estimator
 * ---------------------------
 * With weights w_i = 1/(tau2 + v_i), W = diag(w), and the weighted least
 * squares beta(tau2) = (X'WX)^-1 X'Wy, the restricted log-likelihood is
 *
 *   ll(tau2) = -1/2 (n - p) log(2 pi) + 1/2 log|X'X| - 1/2 sum log(tau2 + v_i)
 *              - 1/2 log|X'WX| - 1/2 sum w_i (y_i - x_i'beta)^2
 *
 * (metafor's fit.stats["ll", "REML"]; the constant 1/2 log|X'X| does not
 * depend on tau2 and is metafor's default REMLf = TRUE).  tau2 >= 0 maximises
 * it by Fisher scoring, as metafor does: with P = W - W X (X'WX)^-1 X'W,
 *
 *   tau2 <- tau2 + (y'PPy - tr P) / tr(PP),
 *
 * started at the Hedges (HE) estimate max(0, (RSS_ols - sum v_i (1 - h_ii)) /
 * (n - p)), metafor's start.  Unlike metafor, each step is accepted only if
 * ll does not fall (otherwise the step is halved, up to 60 times), and a
 * step that would make tau2 negative ends at 0.  The traces and y'PPy come
 * from a Householder QR of W^1/2 X per step (GSL), never from the n x n P.
 *
 * Convergence: when a step changes tau2 by at most tol (tau2 + vt), vt the
 * typical sampling variance below and tol at least 8 n DBL_EPSILON (the
 * rounding of the sums in the score, so that a large n cannot keep the
 * steps above the tolerance by noise alone); when no measurable part of a
 * step raises ll; or when tau2 = 0 and the step points below 0 (the score
 * at 0 is <= 0: the maximum over tau2 >= 0 is at the boundary).  Then, as
 * metafor's ll0check, ll(0) is compared with ll(tau2): if 0 is higher (the
 * profile has two local maxima), scoring restarts from 0 and ends at the
 * higher point.  More than max_iter steps in all is CX_ENUMERIC.  metafor
 * stops when a step changes tau2 by less than 1e-5 (absolute): on the NPS
 * data of the tests that is 9 steps and 1e-7 relative short of the
 * maximum; the default tolerance here takes 16 steps and ends 1e-12 from
 * it, hence a default max_iter of 300 against metafor's 100.
 *
 * When tau2 hits 0: tau2 is returned as exactly 0, at_zero = 1, and beta and
 * cov are the fixed-effect ones (weights 1/v_i); se_tau2 is still
 * sqrt(2 / tr(PP)) at 0, as metafor reports it (the information at the
 * boundary), and I2 = 0.
 *
 * Outputs (cx_reml_result)
 * ------------------------
 * beta = (X'WX)^-1 X'Wy and cov = (X'WX)^-1 at the final tau2: metafor's
 * vb, with no residual-variance factor.  That is the model's own variance:
 * var(y_i) = tau2 + v_i is taken as known.  lm(y ~ X, weights = w) instead
 * scales (X'WX)^-1 by s2w = sum w_i (y_i - x_i'beta)^2 / (n - p); so does
 * metafor's test = "knha" (Knapp and Hartung), and so does cxcase's fit with
 * "weights": "precision" today (tau2 = 0).  s2w is returned, so that
 * covariance is s2w * cov.
 *
 * se_tau2 = sqrt(2 / tr(PP)) at the final tau2 (the inverse expected
 * information, metafor's se.tau2); NaN when tau2 was fixed by the caller.
 * QE = y'P_0 y with P_0 at tau2 = 0 (weights 1/v_i): the test of residual
 * heterogeneity, chi-square on n - p degrees of freedom, p-value QEp.
 * vt = (n - p) / tr(P_0), the typical sampling variance (Higgins and
 * Thompson), and I2 = 100 tau2 / (vt + tau2) in percent: the share of the
 * variance around the regression line that is heterogeneity, not sampling
 * error (metafor's I2 for a random-effects model; its method = "FE" reports
 * max(0, 100 (QE - (n - p)) / QE) instead).
 *
 * Prior weights (w_extra, metafor's rma(weights = )): tau2 is estimated as
 * above, without them; then beta = (X'AX)^-1 X'Ay with A = diag(w_extra),
 * and cov is the sandwich (X'AX)^-1 X'A M A X (X'AX)^-1, M = diag(tau2 + v_i).
 * loglik and s2w then use this beta (as metafor's loglik does).
 *
 * Differences from metafor 3.8 that matter only without an intercept: for a
 * design whose columns do not span the constant, metafor centres y inside
 * its Fisher scoring and in QE (its reported loglik uses y itself).  This
 * function uses y throughout, so it maximises the likelihood above; the two
 * agree whenever the constant is in the span of X's columns (an intercept,
 * or a full set of dummies).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REML_H
#define CX_REML_H

#include <math.h>
#include <stddef.h>

#include "cxcase/common.h"

#define CX_REML_TOL 1e-12     /* default relative convergence tolerance */
#define CX_REML_MAX_ITER 300  /* default most Fisher scoring steps */

/* Options; start from CX_REML_OPTIONS_INIT.  Careful: a zeroed struct has
 * tau2 = 0, which fixes tau2 at 0 (the fixed-effect model). */
typedef struct cx_reml_options {
    double tau2;       /* NaN: estimate tau2 by REML; a finite value >= 0: fix tau2 there
                          (0 = the fixed-effect model, weights 1/v_i), no iteration */
    double tol;        /* relative convergence tolerance (see above); 0 = CX_REML_TOL */
    unsigned max_iter; /* most Fisher scoring steps; 0 = CX_REML_MAX_ITER */
} cx_reml_options;

#define CX_REML_OPTIONS_INIT {NAN, 0.0, 0}

/* The fit.  beta and cov are allocated by cx_reml_fit: caller frees with
 * cx_reml_result_clear. */
typedef struct cx_reml_result {
    size_t n, p;        /* rows and coefficients */
    double *beta;       /* p: the coefficients, in X's column order */
    double *cov;        /* p x p row-major: Var(beta) = (X'WX)^-1, no residual-variance
                           factor (the sandwich with prior weights) */
    double tau2;        /* residual heterogeneity, >= 0, in squared units of y */
    double se_tau2;     /* its standard error; NaN when tau2 was fixed */
    double loglik;      /* restricted log-likelihood at tau2 (formula above) */
    double rss;         /* sum w_i (y_i - x_i'beta)^2, w_i = 1/(tau2 + v_i) */
    double s2w;         /* rss / (n - p): s2w * cov is lm(weights = w)'s covariance */
    double QE, QEp;     /* residual heterogeneity Q (n - p df) and its p-value */
    double vt;          /* typical sampling variance (n - p) / tr(P_0) */
    double I2;          /* 100 tau2 / (vt + tau2), percent */
    unsigned iterations; /* Fisher scoring steps taken (0 when tau2 was fixed) */
    int estimated;      /* 1: tau2 estimated by REML; 0: fixed by the caller */
    int at_zero;        /* 1: the REML estimate is truncated at 0 */
} cx_reml_result;

/*
 * Fit the random-effects meta-regression of y on X with known sampling
 * variances v, tau2 by REML (or fixed), as described at the top of this file.
 *
 * X: n x p row-major design, the columns as the caller built them (an
 *    intercept column if wanted; finite values; full column rank).
 * y: n targets (finite).  v: n sampling variances SE_i^2 (finite, > 0).
 * w_extra: n prior weights (finite, > 0), or NULL for none.
 * opt: NULL for the defaults (tau2 by REML).
 * res (output): filled only on CX_OK; its previous arrays are not freed.
 *
 * Returns CX_OK; CX_EUSAGE (X, y, v or res NULL); CX_EINVAL (n <= p, p = 0,
 * a non-finite X or y, a v_i or weight that is not positive and finite --
 * the message names the row index i and column j, 0-based as passed --,
 * bad options, a zero column or linearly dependent columns); CX_ENUMERIC
 * (no convergence in max_iter steps, or a GSL failure, with gsl_strerror's
 * text); CX_ENOMEM.  On failure *res is untouched.  The GSL error handler
 * must be off (the CLI turns it off first thing).
 */
cx_status cx_reml_fit(const double *X, const double *y, const double *v, const double *w_extra,
                      size_t n, size_t p, const cx_reml_options *opt, cx_reml_result *res,
                      cx_error *err);

/* Free a result's arrays and zero it; NULL and a zeroed result are allowed. */
void cx_reml_result_clear(cx_reml_result *res);

#endif
