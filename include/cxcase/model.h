/*
 * cxcase/model.h - model specifications and fitted models: linear equations
 * over a panel's columns, fitted by least squares with full inference.
 *
 *     cx_error err;  cx_error_init(&err);
 *     cx_spec *spec = NULL;
 *     cx_model *m = NULL;
 *     cx_warnings *warn = cx_warnings_new();
 *     if (cx_spec_load("models/cx_chain.json", &spec, &err) == CX_OK &&
 *         cx_fit_table(spec, panel, NULL, &m, warn, &err) == CX_OK) {
 *         const cx_equation *eq = cx_model_equation(m, 0);
 *         printf("R^2 = %g\n", cx_equation_stat(eq, CX_STAT_R2));
 *     }
 *     cx_model_free(m); cx_spec_free(spec); cx_warnings_free(warn);
 *
 * Ownership: a cx_spec owns its equations and terms, a cx_model owns its
 * fitted equations; every pointer a getter returns is borrowed and valid
 * until its owner is freed.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_MODEL_H
#define CXCASE_MODEL_H

#include <stddef.h>
#include "common.h"
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Specifications
 * ------------------------------------------------------------------------ */

typedef struct cx_spec cx_spec;

/** Fit methods. */
typedef enum cx_method {
    CX_METHOD_OLS = 0, /**< ordinary (or weighted) least squares, streamed */
    CX_METHOD_RIDGE,   /**< ridge regression, penalty by GCV unless given */
    CX_METHOD_ROBUST   /**< robust regression (Huber or bisquare) */
} cx_method;

/** Standard errors. */
typedef enum cx_se_kind {
    CX_SE_CLASSIC = 0, /**< sigma^2 (X'WX)^-1 */
    CX_SE_HC1,         /**< White's heteroskedasticity-robust, n/(n-p) scaled */
    CX_SE_HC3,         /**< heteroskedasticity-robust with leverage (1-h)^-2 */
    CX_SE_CLUSTER      /**< clustered by unit */
} cx_se_kind;

/**
 * Load a model specification (JSON; see models/cx_chain.json):
 *
 *     {"name": "...", "units": ["region"],
 *      "equations": [{"target": "nps",
 *                     "terms": ["conversion", "log(x)", "lag(nps, 4)", "x^2", "a:b",
 *                               "C(region)", "C(quarter)"],
 *                     "intercept": true, "method": "ols", "se": "classic",
 *                     "weights": "column", "fixed": {"term": {"coef": 1.5, "se": 0.2}}}]}
 *
 * Errors name the file and JSON Pointer: bad term syntax, unknown keys,
 * wrong types, a cycle between equations.  Column names are checked against
 * data only when fitting.  Caller frees with cx_spec_free.
 */
CX_API cx_status cx_spec_load(const char *path, cx_spec **out, cx_error *err);
/** The same from text of `len` bytes; `name` stands for the file in messages. */
CX_API cx_status cx_spec_parse(const char *text, size_t len, const char *name, cx_spec **out,
                               cx_error *err);
/** A one-equation specification: target ~ terms (each a term string). */
CX_API cx_status cx_spec_simple(const char *target, const char *const *terms, size_t nterms,
                                int intercept, cx_spec **out, cx_error *err);
/** Free a specification; NULL is allowed. */
CX_API void cx_spec_free(cx_spec *s);
CX_API size_t cx_spec_nequations(const cx_spec *s);
/** Target of equation i. */
CX_API const char *cx_spec_target(const cx_spec *s, size_t i);

/* ------------------------------------------------------------------------
 * Fitting
 * ------------------------------------------------------------------------ */

/** Options for fitting; a zeroed struct (or NULL) means the defaults. */
typedef struct cx_fit_options {
    size_t holdout;     /**< hold out the last N periods of every unit (0 = none) */
    int force_se;       /**< nonzero: use `se` for every equation */
    cx_se_kind se;
    size_t block_rows;  /**< rows per QR accumulation step (0 = 512); tests use small values */
    int threads;        /**< 1: one thread; 0: two for a streamed file of 8 MB or more
                             without quotes whose equations need no lags or C(x) levels */
    int sha256;         /**< nonzero: cx_fit_csv computes the file's SHA-256 for the
                             model's provenance on a thread beside the fit, so that
                             cx_model_json need not read the file again afterwards */
} cx_fit_options;

typedef struct cx_model cx_model;
typedef struct cx_equation cx_equation;

/**
 * Fit every equation of `spec` on an in-memory table (a panel).  Rows are
 * taken in (unit, period) order for lags and Durbin-Watson.  Rows missing a
 * value an equation uses are dropped and counted.  Warnings in plain
 * language go to `warn`.  Caller frees *out with cx_model_free.
 * Errors: CX_EINVAL (unknown column, bad data), CX_ENUMERIC (rank deficient,
 * with the terms involved named), CX_ENOMEM.
 */
CX_API cx_status cx_fit_table(const cx_spec *spec, const cx_table *data,
                              const cx_fit_options *opt, cx_model **out, cx_warnings *warn,
                              cx_error *err);
/**
 * Fit by streaming a CSV file in blocks (memory does not grow with the
 * number of rows); the file is read once per pass (two or three passes).
 * A pipe, a FIFO or "-" (standard input) is read once, into a copy in
 * TMPDIR that is unlinked as soon as it is made and read by every pass; the
 * model records the input's name ("<stdin>") and the SHA-256 of the copy.
 */
CX_API cx_status cx_fit_csv(const cx_spec *spec, const char *path, const cx_csv_options *copt,
                            const cx_fit_options *opt, cx_model **out, cx_warnings *warn,
                            cx_error *err);

/**
 * Partial fits, for data that live in several places: each partition is
 * fitted where it is (pass 1 only: the QR factor of its rows and their
 * moments, a few kB), and cx_fit_merge combines the partial fits into the
 * same model as one fit of all the rows (to rounding).  Split the data by
 * unit, so that lags find their history; levels of C(x) terms may differ
 * between partitions.  A merged fit has classic standard errors and no
 * residual diagnostics (they need the rows).  *json is the partial fit as
 * JSON text; caller frees it with cx_free_string.
 */
CX_API cx_status cx_fit_partial_table(const cx_spec *spec, const cx_table *data,
                                      const cx_fit_options *opt, char **json, cx_error *err);
CX_API cx_status cx_fit_partial_csv(const cx_spec *spec, const char *path,
                                    const cx_csv_options *copt, const cx_fit_options *opt,
                                    char **json, cx_error *err);
/** Merge partial fits (JSON texts from cx_fit_partial_*, `names` for messages)
 *  of one specification into a fitted model.  Caller frees *out with cx_model_free. */
CX_API cx_status cx_fit_merge(const char *const *texts, const char *const *names, size_t n,
                              cx_model **out, cx_warnings *warn, cx_error *err);

/** Free a fitted model; NULL is allowed. */
CX_API void cx_model_free(cx_model *m);
CX_API size_t cx_model_nequations(const cx_model *m);
CX_API const cx_equation *cx_model_equation(const cx_model *m, size_t i);

/** Scalar statistics of a fitted equation. */
typedef enum cx_stat {
    CX_STAT_N = 0,        /**< rows used */
    CX_STAT_N_DROPPED,    /**< rows dropped for missing values */
    CX_STAT_DF_RESID,     /**< residual degrees of freedom n - p */
    CX_STAT_SIGMA,        /**< residual standard error */
    CX_STAT_R2,
    CX_STAT_ADJ_R2,
    CX_STAT_F,            /**< F statistic of all terms but the intercept */
    CX_STAT_F_P,
    CX_STAT_LOGLIK,
    CX_STAT_AIC,
    CX_STAT_BIC,
    CX_STAT_DW,           /**< Durbin-Watson, within units in period order */
    CX_STAT_CONDITION,    /**< condition number of the column-scaled design */
    CX_STAT_BP,           /**< Breusch-Pagan (Koenker) statistic */
    CX_STAT_BP_P,
    CX_STAT_JB,           /**< Jarque-Bera statistic */
    CX_STAT_JB_P,
    CX_STAT_RSS,
    CX_STAT_LAMBDA,       /**< ridge penalty on standardised columns (NaN for other methods) */
    CX_STAT_IN_RMSE,      /**< in-sample root mean squared error of the fitted values */
    CX_STAT_IN_MAE,       /**< in-sample mean absolute error */
    CX_STAT_IN_MAPE,      /**< in-sample mean absolute percentage error (%) */
    CX_STAT_HOLDOUT_N,    /**< rows held out (the last `holdout` periods of every unit) */
    CX_STAT_HOLDOUT_RMSE, /**< out-of-sample errors of the forecasts for the held-out rows */
    CX_STAT_HOLDOUT_MAE,
    CX_STAT_HOLDOUT_MAPE,
    CX_STAT_R2_FIXED,     /**< R^2 of the intercept and fixed effects alone: the part of R^2
                               the drivers' importance shares do not split */
    CX_STAT_TAU2,         /**< random-effects meta-regression: the variance of the target's true
                               values around the fit, beyond the survey's sampling error */
    CX_STAT_TAU2_SE,      /**< its standard error */
    CX_STAT_DF_TEST,      /**< degrees of freedom of the coefficients' t tests and intervals: n - p,
                               or G - 1 clustered by G units; infinite (normal) for z tests */
    CX_STAT_MAX
} cx_stat;

CX_API const char *cx_equation_target(const cx_equation *e);
CX_API double cx_equation_stat(const cx_equation *e, cx_stat s);
/** Number of coefficients (columns of the design, intercept first). */
CX_API size_t cx_equation_ncoef(const cx_equation *e);
/** Name of coefficient j: "(Intercept)", "conversion", "C(region)[Utrecht]" ... */
CX_API const char *cx_equation_coef_name(const cx_equation *e, size_t j);
/** The index of the coefficient named `name`, or cx_equation_ncoef(e) when
 *  there is none. */
CX_API size_t cx_equation_coef_index(const cx_equation *e, const char *name);
/** Arrays of ncoef values: estimate, standard error, t, p, 95% interval, VIF. */
CX_API const double *cx_equation_coef(const cx_equation *e);
CX_API const double *cx_equation_se(const cx_equation *e);
CX_API const double *cx_equation_t(const cx_equation *e);
CX_API const double *cx_equation_p(const cx_equation *e);
CX_API const double *cx_equation_ci_low(const cx_equation *e);
CX_API const double *cx_equation_ci_high(const cx_equation *e);
CX_API const double *cx_equation_vif(const cx_equation *e);
/** Standardised coefficients (coef x sd of the column / sd of the target) and
 *  elasticities at the means (coef x mean of the column / mean of the target);
 *  NaN for the intercept. */
CX_API const double *cx_equation_std_coef(const cx_equation *e);
CX_API const double *cx_equation_elasticity(const cx_equation *e);
/** Relative importance: each driver's share of R^2 (LMG); NaN where none. */
CX_API const double *cx_equation_importance(const cx_equation *e);
/** The covariance matrix of the coefficients, ncoef x ncoef, row-major. */
CX_API const double *cx_equation_covariance(const cx_equation *e);
/** Warnings about this equation, in plain language. */
CX_API const cx_warnings *cx_equation_warnings(const cx_equation *e);
/** The estimator that made the equation: "ols", "ridge", "robust", "eiv"
 *  (errors-in-variables, the measurement-error correction) or "reml"
 *  (random-effects meta-regression).  Static text. */
CX_API const char *cx_equation_method(const cx_equation *e);
/** The kind of standard errors the equation reports. */
CX_API cx_se_kind cx_equation_se_kind(const cx_equation *e);
/** Errors-in-variables: the number of terms measured with error (0 for the
 *  other estimators), and the k-th: its term text, its column, the column of
 *  its standard errors, its reliability (the share of its variance, net of
 *  the other terms, that is not sampling noise: what the correction divides
 *  by) and the weighted mean of its rows' error variances.  Borrowed. */
CX_API size_t cx_equation_nme(const cx_equation *e);
CX_API const char *cx_equation_me(const cx_equation *e, size_t k, const char **column,
                                  const char **se_column, double *reliability,
                                  double *error_variance);
/** Errors-in-variables: the naive least-squares coefficients and standard
 *  errors beside the corrected ones (p each), or NULL for other estimators. */
CX_API const double *cx_equation_naive_coef(const cx_equation *e);
CX_API const double *cx_equation_naive_se(const cx_equation *e);

/** Record an input file (name and SHA-256 of its contents) in the model's
 *  provenance.  cx_fit_csv records its file itself. */
CX_API cx_status cx_model_add_input(cx_model *m, const char *path, cx_error *err);

/**
 * The fitted model as JSON text (the contract of `cxcase fit --json`):
 * {"equations": [...], "provenance": {...}}.  Caller frees with cx_free_string.
 */
CX_API cx_status cx_model_json(const cx_model *m, char **out, cx_error *err);
/**
 * Read a fitted model as cx_model_json (`cxcase fit --json`) writes it:
 * per equation its target, residual degrees of freedom, statistics, terms
 * (name, coefficient, standard error, p ...), covariance and ranges.  Errors
 * name the file and the JSON Pointer (CX_ESYNTAX, CX_EINVAL), CX_ENOENT when
 * the file cannot be opened.  Caller frees *out with cx_model_free.
 */
CX_API cx_status cx_model_load(const char *path, cx_model **out, cx_error *err);
/** Free a string the library allocated. */
CX_API void cx_free_string(char *s);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_MODEL_H */
