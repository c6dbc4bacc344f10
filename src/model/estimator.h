/*
 * estimator.h - the estimators of a linear equation as type objects, in the
 * shape GSL gives its algorithm families (gsl_multifit_robust_type): a
 * small table of {name, what it needs, estimate} per estimator, each in a
 * file of its own, behind one path for the inference.  Never installed.
 *
 * The fit (fit.c) streams the rows once into the QR factor R of the
 * (weighted) design and gathers the moments; it solves least squares from
 * R, then hands everything to the equation's estimator:
 *
 *   ols     least squares (weighted with "weights"), streamed     ols.c
 *   ridge   penalised, on standardised columns, in memory         ridge.c
 *   robust  M-estimation by IRLS (GSL robustfit), in memory       robust.c
 *   eiv     errors-in-variables with known per-row error
 *           variances (Fuller 1987, 2.2 and 3.1), streamed        eiv.c
 *   reml    random-effects meta-regression, tau^2 by REML,
 *           in memory                                             reml_est.c
 *
 * An estimator returns its coefficients and says how its covariance is
 * made: given in full, sigma^2 times a matrix it gives, or the sandwich
 * B M B around the bread B it gives, the meat M coming from the residual
 * pass.  Everything after that (the residual pass, the statistics, the
 * tests, the intervals, the warnings, the JSON) is computed once, for all
 * of them (inference.c).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_ESTIMATOR_H
#define CX_ESTIMATOR_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "fit_internal.h"

/* How the covariance of the estimate is made. */
typedef enum cx_cov_kind {
    CX_COV_SIGMA2, /* sigma^2 x cov (classic least squares, ridge) */
    CX_COV_GIVEN,  /* cov as it is (robust, reml) */
    CX_COV_SANDWICH /* factor x B M B with the bread B in cov and the meat M of the residual pass */
} cx_cov_kind;

/* What every estimator starts from: borrowed, valid during the call. */
typedef struct cx_est_input {
    const cx_spec *spec;
    size_t eqi;
    const cx_eqspec *es;
    fitctx *c;              /* pass 1's moments; the rows when the type keeps them */
    const gsl_matrix *R;    /* p x p upper triangular: X'WX = R'R */
    const gsl_vector *qtb;  /* Q'W^(1/2)y, so X'Wy = R' qtb */
    const gsl_matrix *A;    /* (X'WX)^-1 */
    const double *beta_ls;  /* p: the least-squares solution */
    cx_se_kind se;          /* the standard errors asked for */
    int merged;             /* from merged partial fits: no rows */
} cx_est_input;

/* What an estimator returns.  beta and cov are allocated by the caller
 * (p and p x p); the rest starts as NaN or 0. */
typedef struct cx_est {
    double *beta;
    double *cov;
    cx_cov_kind cov_kind;
    cx_se_kind se;          /* the standard errors made (may differ from those asked) */
    double df_model;        /* effective number of parameters (p unless penalised) */
    double sigma;           /* NaN: from the residuals, rss / (n - df_model) */
    double lambda;          /* ridge: the penalty used */
    double tau2, se_tau2;   /* reml: the heterogeneity variance and its standard error */
    int z_based;            /* tests and intervals on the normal distribution */
    int refine;             /* least squares: refine beta in the residual pass */
    int no_f;               /* the F test and the likelihood do not apply */
    double *naive;          /* eiv: the uncorrected (least-squares) coefficients, p */
    double *reliability;    /* eiv: per term measured with error (c->nme) */
    const char **me_text;   /* eiv: their term texts, for messages */
} cx_est;

typedef struct cx_estimator_type {
    const char *name;  /* as "method" in the fitted model's JSON */
    int in_memory;     /* pass 1 keeps the weighted rows (c->xall, yall, swall) */
    cx_status (*estimate)(const cx_est_input *in, cx_est *out, cx_error *err);
} cx_estimator_type;

extern const cx_estimator_type *const cx_est_ols;
extern const cx_estimator_type *const cx_est_ridge;
extern const cx_estimator_type *const cx_est_robust;
extern const cx_estimator_type *const cx_est_eiv;
extern const cx_estimator_type *const cx_est_reml;

#endif
