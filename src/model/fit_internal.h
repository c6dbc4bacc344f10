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

#include "design.h"
#include "spill.h"

#define CHUNK_ROWS 512 /* rows per QR accumulation step */

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
} fitctx;

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
    double *rmin, *rmax, *rsum; /* per design input, in cx_design_input order */
} merged_eq;

/* Pass 1: stream the design rows into the TSQR accumulator `ls` and gather
 * the moments, ranges and counts in `c` (and the spill file, when open). */
cx_status cx_fit_pass1(fitctx *c, gsl_multilarge_linear_workspace *ls, cx_error *err);

/* Fit equation `eqi` from the source `src`, or, when `mg` is not NULL, from
 * merged partial fits (then `src` is NULL). */
cx_status cx_fit_equation(const cx_spec *spec, size_t eqi, cx_source *src, const cx_fit_options *opt,
                          const merged_eq *mg, cx_equation **out, cx_error *err);

#endif
