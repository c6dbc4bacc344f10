/*
 * cxcase/customer.h - the customer behind the score: survey responses
 * linked to customer records (a CRM export), behaviour per score and
 * category, a logistic regression of leaving, and what a point of NPS is
 * worth at the customer level.
 *
 *     cx_error err;  cx_error_init(&err);
 *     cx_link_options o = {0};
 *     o.id = "customer_id";  o.last = 1;
 *     cx_link *lk = NULL;
 *     cx_warnings *warn = cx_warnings_new();
 *     if (cx_link_run("responses.csv", "customers.csv", &o, &lk, warn, &err) == CX_OK) {
 *         const cx_link_economics *ec = cx_link_economics_get(lk);
 *         printf("a point of NPS: %.0f a year\n", ec->point);
 *     }
 *     cx_link_free(lk);  cx_warnings_free(warn);
 *
 * Ownership: a cx_link owns its linked table, its fits and its groups; every
 * pointer a getter returns is borrowed until cx_link_free.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_CUSTOMER_H
#define CXCASE_CUSTOMER_H

#include <stddef.h>
#include "common.h"
#include "data.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Logistic regression (glm with family = binomial, logit link)
 * ------------------------------------------------------------------------ */

typedef struct cx_logit cx_logit;

/** Statistics of a logistic fit, as R's summary(glm(family = binomial)) reports them. */
typedef enum cx_logit_stat {
    CX_LOGIT_N = 0,          /**< rows used */
    CX_LOGIT_N_DROPPED,      /**< rows dropped for a missing value */
    CX_LOGIT_DEVIANCE,       /**< residual deviance -2 log L */
    CX_LOGIT_NULL_DEVIANCE,  /**< deviance of the intercept-only model */
    CX_LOGIT_DF_RESID,       /**< n - p */
    CX_LOGIT_DF_NULL,        /**< n - 1 (n without an intercept) */
    CX_LOGIT_AIC,            /**< deviance + 2 p */
    CX_LOGIT_ITERATIONS,     /**< IRLS iterations */
    CX_LOGIT_MAX
} cx_logit_stat;

/**
 * Fit P(target = 1) = 1 / (1 + exp(-x'b)) by iteratively reweighted least
 * squares (GSL's weighted least squares at each step) on the rows of `data`.
 * `terms` use the model-spec syntax (a column, C(x), a:b, log(x), x^2), the
 * design the linear fits use, with an intercept.  The target must be 0 or 1
 * (else CX_EINVAL naming the row's line).  Iterates until the deviance
 * changes by less than 1e-14 relatively (R's glm stops at 1e-8; set
 * glm.control(epsilon = 1e-14) to compare).  Separation - a level of a
 * C(x) term, or a binary column, in which every row has the same outcome,
 * or fitted probabilities that reach 0 or 1 - is CX_EINVAL with the term
 * named, never an infinite coefficient.  Caller frees with cx_logit_free.
 */
CX_API cx_status cx_logit_fit_table(const cx_table *data, const char *target,
                                    const char *const *terms, size_t nterms, cx_logit **out,
                                    cx_error *err);
/** Free a fit; NULL is allowed. */
CX_API void cx_logit_free(cx_logit *l);
/** Number of coefficients, their names ("(Intercept)" first). */
CX_API size_t cx_logit_ncoef(const cx_logit *l);
CX_API const char *cx_logit_coef_name(const cx_logit *l, size_t j);
/** Index of the coefficient named `name`, or ncoef when none. */
CX_API size_t cx_logit_coef_index(const cx_logit *l, const char *name);
/** Arrays of ncoef values: estimate (log odds), standard error, z, two-sided
 *  p, and the Wald 95% interval (R's confint.default). */
CX_API const double *cx_logit_coef(const cx_logit *l);
CX_API const double *cx_logit_se(const cx_logit *l);
CX_API const double *cx_logit_z(const cx_logit *l);
CX_API const double *cx_logit_p(const cx_logit *l);
CX_API const double *cx_logit_ci_low(const cx_logit *l);
CX_API const double *cx_logit_ci_high(const cx_logit *l);
/** The ncoef x ncoef covariance matrix, row-major. */
CX_API const double *cx_logit_covariance(const cx_logit *l);
CX_API double cx_logit_stat_get(const cx_logit *l, cx_logit_stat s);

/* ------------------------------------------------------------------------
 * Intervals
 * ------------------------------------------------------------------------ */

/** The Wilson score interval for x successes in n trials at normal quantile
 *  z (1.959963984540054 for 95%): (p + z^2/2n +/- z sqrt(p(1-p)/n + z^2/4n^2))
 *  / (1 + z^2/n).  n = 0 gives [0, 1]. */
CX_API void cx_wilson(double x, double n, double z, double *low, double *high);

/* ------------------------------------------------------------------------
 * Linking responses to customers
 * ------------------------------------------------------------------------ */

/** Options of cx_link_run; zeroed means the defaults. */
typedef struct cx_link_options {
    const char *id;         /**< the customer id column of both files (required) */
    const char *score;      /**< the 0-10 score column of the responses (default "score") */
    const char *churn;      /**< the customers' 0/1 column, 1 = left (default "churned") */
    const char *value;      /**< the customers' spend column (default "value_12m") */
    int last;               /**< 1: one row per customer, their last response (by the
                                 responses' date when they have one, else file order);
                                 0: one row per response */
    const char *on;         /**< the logistic's predictor: "category" (default) or "score" */
    const char *const *covariates; /**< further terms of the logistic and value fits:
                                        a customer column ("tenure_years"; a text column
                                        "segment" becomes C(segment)) or a model-spec term */
    size_t ncovariates;
    double margin;          /**< gross margin of the CLV (0 = 1, the value itself) */
    double discount;        /**< yearly discount rate of the CLV (0 = 0.08) */
    const char *unit;       /**< the customers' unit column for the value of a point of NPS
                                 per unit (default "region" when the file has it; else one unit) */
    double periods_per_year; /**< periods of the panel per year (0 = 52, weeks) */
    int keep_rows;          /**< 1: cx_link_table keeps the id column too (for writing the
                                 linked rows); 0: the rows the analysis reads, without it */
    const cx_csv_options *responses_csv; /**< reading options (NULL = defaults) */
    const cx_csv_options *customers_csv;
    int threads;            /**< 1: everything on the calling thread; otherwise (0, the
                                 default) the three fits use a second thread.  The
                                 results are the same either way */
} cx_link_options;

/** The join, in counts. */
typedef struct cx_link_join {
    size_t responses;        /**< response rows read */
    size_t missing_id;       /**< responses with an empty id (left out) */
    size_t missing_score;    /**< responses with an empty score (left out) */
    size_t unmatched;        /**< responses whose id the customer file lacks (left out) */
    size_t matched;          /**< responses linked */
    size_t customers;        /**< rows of the customer file */
    size_t customers_linked; /**< customers with at least one linked response */
    size_t rows;             /**< rows analysed (matched responses, or customers with --last) */
    size_t dropped;          /**< of them, without churn or value */
} cx_link_join;

/** Behaviour of one group of the linked rows: a score 0-10 or a category. */
typedef struct cx_link_group {
    char label[16];         /**< "0" .. "10", "detractor", "passive", "promoter" */
    size_t n;               /**< rows with churn known */
    size_t stayed;
    double retention, retention_low, retention_high; /**< share stayed, Wilson 95% */
    size_t value_n;         /**< rows with a value */
    double value_mean, value_sd, value_low, value_high; /**< mean spend, t 95% interval */
} cx_link_group;

/** An estimate with its standard error and 95% interval. */
typedef struct cx_link_est {
    double est, se, low, high;
} cx_link_est;

/** The economics (README, "What a customer is worth"). */
typedef struct cx_link_economics {
    double margin, discount;
    cx_link_est clv[3];        /**< per category: detractor, passive, promoter */
    cx_link_est move_dp;       /**< value of moving 1% of the customers from detractor to passive */
    cx_link_est move_pp;       /**< ... from passive to promoter */
    size_t base;               /**< customers in the customer file */
    size_t units;              /**< distinct units among them */
    double periods_per_year;
    cx_link_est spend_pd;      /**< yearly spend of a promoter minus a detractor (OLS, adjusted) */
    cx_link_est point;         /**< the value of one NPS point: yearly spend of the base */
    cx_link_est point_unit;    /**< the same per unit and period, the panel's scale */
} cx_link_economics;

/** The panel's value of a point of NPS beside the customer-level one. */
typedef struct cx_link_triangulation {
    char term[64];             /**< the panel coefficient ("lag(nps, 4)") */
    char target[64];           /**< its equation's target ("revenue") */
    cx_link_est panel;         /**< its estimate and interval (the model's own) */
    cx_link_est customer;      /**< point_unit */
    cx_link_est diff;          /**< customer - panel, se sqrt(se1^2 + se2^2), normal interval */
    int agree;                 /**< 1 when the difference's interval covers 0 */
} cx_link_triangulation;

typedef struct cx_link cx_link;

/**
 * Join each response (RESPONSES.csv, streamed) to its customer's row in
 * CUSTOMERS.csv (read whole; a hash map from id to row): responses whose id
 * the customer file lacks are counted with up to three examples in `warn`;
 * an id on two rows of the customer file is CX_EINVAL naming both lines;
 * no response matching is CX_EINVAL.  Then the behaviour per score and
 * category, the logistic regression of churn on the category (or score)
 * and the covariates, the value on category and on score by the OLS engine,
 * and the economics.  Caller frees with cx_link_free.
 */
CX_API cx_status cx_link_run(const char *responses, const char *customers,
                             const cx_link_options *opt, cx_link **out, cx_warnings *warn,
                             cx_error *err);
CX_API void cx_link_free(cx_link *lk);
CX_API const cx_link_join *cx_link_join_get(const cx_link *lk);
/** The groups: 11 scores (0-10) then 3 categories; *n receives 14. */
CX_API const cx_link_group *cx_link_groups(const cx_link *lk, size_t *n);
/** Promoter minus detractor: retention (Newcombe's hybrid score interval) and
 *  mean spend (Welch). */
CX_API const cx_link_est *cx_link_diff_retention(const cx_link *lk);
CX_API const cx_link_est *cx_link_diff_value(const cx_link *lk);
CX_API const cx_logit *cx_link_logit(const cx_link *lk);
/** The value fits: spend on the category (and covariates), spend on the score. */
CX_API const cx_equation *cx_link_value_category(const cx_link *lk);
CX_API const cx_equation *cx_link_value_score(const cx_link *lk);
CX_API const cx_link_economics *cx_link_economics_get(const cx_link *lk);
/** The linked rows (customer columns, the id only with keep_rows, then score
 *  and category). */
CX_API const cx_table *cx_link_table(const cx_link *lk);

/**
 * Compare the customer-level value of a point of NPS with a fitted panel
 * model's: the coefficient `term` (NULL: the first whose name contains
 * "nps" in the equation of target "revenue", else in any equation).
 * CX_EINVAL when the model has none.  `sentence` (may be NULL) receives one
 * plain sentence saying whether they agree within their uncertainty.
 */
CX_API cx_status cx_link_triangulate(const cx_link *lk, const cx_model *m, const char *term,
                                     cx_link_triangulation *out, char *sentence, size_t size,
                                     cx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_CUSTOMER_H */
