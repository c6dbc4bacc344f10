/*
 * model_internal.h - the structures shared by the model modules: terms,
 * equation specifications, the design-matrix builder and fitted equations.
 * Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_MODEL_INTERNAL_H
#define CX_MODEL_INTERNAL_H

#include "cxcase/model.h"
#include "../core/core.h"

/* ---- terms (terms.c) ---------------------------------------------------- */

typedef enum cx_factor_kind {
    CX_F_COLUMN = 0, /* x */
    CX_F_LOG,        /* log(x) */
    CX_F_LAG,        /* lag(x, k): k periods back within the unit */
    CX_F_POW,        /* x^k */
    CX_F_CAT         /* C(x): treatment-coded levels, the first sorted is the baseline */
} cx_factor_kind;

typedef struct cx_factor {
    cx_factor_kind kind;
    char *col;
    int k;
} cx_factor;

/* A term: a product of factors (a:b is an interaction). */
typedef struct cx_term {
    char *text;      /* canonical text: "lag(nps, 4)", "conversion:ctr" */
    cx_factor *f;
    size_t nf;
} cx_term;

/* Parse one term; on error returns CX_ESYNTAX with a message (no position)
 * in `msg`. */
cx_status cx_term_parse(const char *text, cx_term *out, char *msg, size_t msgsize);
void cx_term_clear(cx_term *t);
/* 1 if the term is a categorical C(x) term. */
int cx_term_is_cat(const cx_term *t);

/* ---- equation specifications (spec.c) ----------------------------------- */

typedef struct cx_fixed {
    char *term;
    double coef, se; /* se 0 when not given */
} cx_fixed;

typedef struct cx_eqspec {
    char *name;
    char *target;
    cx_term *terms;
    size_t nterms;
    int intercept;
    cx_method method;
    cx_se_kind se;
    char *weights;       /* column name, "precision", or NULL */
    double lambda;       /* ridge penalty, NaN = choose by GCV */
    int bisquare;        /* robust: 0 Huber, 1 bisquare */
    cx_fixed *fixed;
    size_t nfixed;
    /* "measurement_error": {"column": "its standard-error column"}; with
     * me_set 0 (no key) the survey aggregates declare themselves: a column
     * x with numeric columns x_se and x_n beside it */
    char **me_col, **me_se;
    size_t nme;
    int me_set;
    double tau2; /* precision weights: NaN estimates tau^2 by REML; a value fixes it */
} cx_eqspec;

struct cx_spec {
    char *name;
    char *file;
    int cmdline;    /* a one-equation spec from -y/-x */
    char *text;     /* the JSON it was parsed from (kept for partial fits) */
    char **units;   /* unit columns, or NULL: every text column of the data */
    size_t nunits;
    cx_eqspec *eq;
    size_t neq;
    size_t *order;  /* equations in dependency order */
};

/* ---- fitted equations (equation.c) --------------------------------------- */

typedef struct cx_me_term {
    char *term, *column, *se_column;
    double reliability;     /* 1 - mean error variance / variance of the term net of the others */
    double error_variance;  /* the weighted mean of the rows' error variances */
} cx_me_term;

typedef struct cx_range {
    char *col;
    double min, max, mean;
} cx_range;

struct cx_equation {
    char *target;
    cx_method method;
    cx_se_kind se_kind;
    size_t p;            /* coefficients */
    char **names;        /* p */
    int *fixed;          /* p: 1 when set by assumption */
    double *coef, *se, *t, *pval, *lo, *hi, *vif, *importance; /* p each */
    double *std_coef;    /* p: coef x sd(column) / sd(target) */
    double *elasticity;  /* p: coef x mean(column) / mean(target) */
    double *cov;         /* p x p */
    double stat[CX_STAT_MAX];
    cx_range *ranges;
    size_t nranges;
    cx_warnings *warn;
    double lambda;       /* ridge penalty used */
    const char *method_name; /* the estimator's name ("ols", "eiv", "reml", ...), static */
    /* errors-in-variables: the terms measured with error, and the naive
     * (uncorrected) coefficients and standard errors, p each */
    cx_me_term *me;
    size_t nme;
    double *naive_coef, *naive_se;
};

struct cx_model {
    cx_equation **eq;
    size_t neq;
    char *spec_name;
    char **inputs;       /* input files, in the order given */
    char **hashes;       /* the SHA-256 of each, or NULL: computed by cx_model_json */
    size_t ninputs;
    char fitted_at[32];
};

/* Record the SHA-256 (64 hex digits) of input i, computed while the input
 * was read, so that cx_model_json need not read it again. */
cx_status cx_model_set_input_hash(cx_model *m, size_t i, const char *hex, cx_error *err);

/* A fitted equation with room for p coefficients, statistics NaN.  NULL
 * when out of memory. */
cx_equation *cx_equation_new(size_t p);
void cx_equation_free(cx_equation *e);

#endif
