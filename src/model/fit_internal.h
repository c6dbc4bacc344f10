/*
 * fit_internal.h - what fit.c shares with partial.c: the state of one
 * equation's fit while the rows stream by, pass 1, and the fit of an
 * equation from that state or from merged partial fits.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_FIT_INTERNAL_H
#define CX_FIT_INTERNAL_H

#include <stdio.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_multilarge.h>
#include <gsl/gsl_vector.h>

#include <gsl/gsl_errno.h>

#include "design.h"
#include "spill.h"

#define CHUNK_ROWS 512 /* rows per QR accumulation step */
#define EIV_BLOCK 256  /* rows of estimating functions per BLAS update of the meat */

typedef struct fitctx {
    cx_design *d;
    cx_source *src;
    size_t p;
    size_t chunk;
    gsl_matrix *X, *Xaux;
    gsl_vector *yv;
    size_t nrows; /* rows in the chunk */
    double *x;    /* one design row */
    /* pass 1 statistics */
    double n, ndropped, nheld, sumw, sumlogw;
    double ymean, ym2;   /* weighted Welford: mean and sum of w (y - mean)^2 */
    long double sumwy2;
    double *colsum;      /* sum of w x_j */
    double *rmin, *rmax;
    long double *rsum;
    /* a streamed file: the design rows of pass 1 go to a temporary file that
     * the later passes read instead of parsing the text again */
    cx_spill *spill;
    double *rec;   /* one record: 4 unit + flag, y, [w], [actual target], x[k0..p) */
    size_t reclen;
    int rec_w, rec_actual, rec_k0; /* which optional fields the records hold */
    cx_spill *spill2; /* two threads read the halves of a file: the second half's rows */
    size_t *remap; /* its unit ids in this design */
    size_t nremap;
    int reading2;
    int half2_only; /* a pass of the second thread: the second half's rows only */
    /* ridge and robust keep the (weighted) design in memory */
    int collect;
    double *xall, *yall, *swall; /* n x p, n, n */
    size_t nall, capall;
    /* terms measured with error: their design columns, the sum over the rows
     * of w_i x error variance (the diagonal of sum w_i Omega_i), and the
     * current row's error variances */
    size_t nme;
    size_t *me_col;
    double *me_sum;
    double *mev;
    int rec_me;            /* records hold the nme error variances */
    double *dbeta;         /* corrected minus naive coefficients, for the naive meat in pass 2 */
    double tau2;           /* reml: the later passes weight rows 1/(tau2 + 1/w) */
} fitctx;

/* A value hi + lo with about 106 bits (Dekker 1971; Hida, Li and Bailey's
 * QD library describe the same error-free transformations). */
typedef struct dd {
    double hi, lo;
} dd;

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
    size_t nlev1, lev1;    /* HC3: rows with leverage 1, and the first one's level column + 1 */
    /* errors-in-variables: the estimating function psi_i of a row, and the
     * meat of the naive least-squares fit beside the corrected one */
    double *psi;           /* p */
    double *meat_n;        /* p x p */
    double *clus_n;        /* per unit, p each */
    long double rss_n;
    double *blk, *blk_n;   /* HC: a block of rows' estimating functions, nblk x p */
    size_t nblk, capblk;
} respass;

/* An equation merged from partial fits: the R factor and Q'y of the spec's
 * design (treatment-coded), the residual sum of squares and the moments
 * that pass 1 would have gathered. */
typedef struct merged_eq {
    const cx_table *schema;
    char ***levels;       /* per term: the union of levels (sorted), or NULL */
    size_t *nlevels;
    gsl_matrix *R;        /* p x p upper triangular */
    gsl_vector *qtb;
    double rss, n, ndropped, sumw, sumlogw, ymean, ym2, sumwy2;
    double *colsum;       /* p */
    double *me_sum;       /* per term measured with error, in cx_design_me order */
    /* for clustered standard errors: per unit and partition, in the union's
     * columns Z (pu of them; the spec's coding is X = Z T, Tm pu x p, 0/1):
     * Z'WZ (pu x pu), Z'W(y - Z b) (pu), the error-variance sums (one per
     * term measured with error) and the partition's solution b (pu) */
    size_t nunits, nblocks, pu;
    const size_t *blk_unit;
    const double *blk;
    const unsigned char *Tm;
    double *rmin, *rmax, *rsum; /* per design input, in cx_design_input order */
} merged_eq;

/* One equation's fit from start to end: what the passes gathered, the
 * least-squares solution from R, and the estimator's result. */
struct cx_est;
struct cx_estimator_type;
typedef struct fitrun {
    const cx_spec *spec;
    size_t eqi;
    const cx_eqspec *es;
    const cx_fit_options *opt;
    const merged_eq *mg;
    cx_source *src;
    fitctx c;
    respass rp;
    gsl_multilarge_linear_workspace *ls;
    gsl_matrix *R, *Rs, *A;   /* R, R with unit-norm columns, (X'WX)^-1 */
    gsl_vector *qtb;
    double *norms;            /* column norms of R */
    double *beta_ls;          /* least squares */
    double kappa;             /* condition number of Rs */
    cx_se_kind sek;           /* standard errors asked for */
    size_t me_ignored;        /* terms measured with error that the estimator does not correct */
    const struct cx_estimator_type *type;
    struct cx_est *est;
} fitrun;

/* The statistics, covariance, tests and warnings of a finished fit
 * (inference.c): a new equation in *out. */
cx_status cx_fit_infer(fitrun *f, cx_equation **out, cx_error *err);

/* Pass 1: stream the design rows into the TSQR accumulator `ls` and gather
 * the moments, ranges and counts in `c` (and the spill file, when open). */
cx_status cx_fit_pass1(fitctx *c, gsl_multilarge_linear_workspace *ls, cx_error *err);

/* Fit equation `eqi` from the source `src`, or, when `mg` is not NULL, from
 * merged partial fits (then `src` is NULL). */
cx_status cx_fit_equation(const cx_spec *spec, size_t eqi, cx_source *src, const cx_fit_options *opt,
                          const merged_eq *mg, cx_equation **out, cx_error *err);

static inline cx_status cx_fit_oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static inline cx_status cx_fit_gsl_fail(cx_error *err, int status, const char *what)
{
    return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "%s failed: %s", what, gsl_strerror(status));
}

#endif
