/*
 * importance.c - exact relative importance of regression drivers: the LMG
 * decomposition of R^2 (Lindeman, Merenda and Gold 1980), which is the
 * Shapley value of each driver in the game "R^2 of the sub-model", as
 * computed by Grömping's relaimpo (2006, J. Stat. Software 17(1)).
 *
 * Everything works on the weighted moment matrix M of [X, y], so the cost
 * depends only on the number of columns:
 *
 * 1. Partial out the kept columns K (intercept, fixed-effect dummies): the
 *    Schur complement C = M_DD - M_DK M_KK^-1 M_KD of the block D = [drivers,
 *    y].  C is the moment matrix of the drivers and y after each has been
 *    regressed on K, so for a set S of drivers RSS(K + S) = C_yy - C_yS
 *    C_SS^-1 C_Sy.  Every block is first scaled by the square roots of M's
 *    diagonal (unit diagonal), M_KK is factorised by GSL's Cholesky, and the
 *    complement is formed as C = M_DD - W'W with W = L^-1 M_KD (dtrsm, dsyrk),
 *    symmetric by construction.
 *
 * 2. Visit all 2^nd subsets of drivers depth-first, each subset extending its
 *    parent by a driver with a larger index.  The Cholesky factor of C_SS for
 *    S = T + {j} is that of C_TT plus one row l = L_T^-1 C_Tj with pivot
 *    sqrt(C_jj - l'l), so each subset costs one triangular solve of at most
 *    nd - 1 unknowns (gsl_blas_dtrsv), and the explained sum of squares
 *    g(S) = C_yS C_SS^-1 C_Sy = |L_S^-1 C_Sy|^2 grows by z^2 with z = (C_jy -
 *    l'z_T) / pivot: a sum of squares, without the cancellation of
 *    C_yy - ... when R^2 is near 1.
 *
 * 3. Shapley: share_j = sum over S not holding j of |S|! (nd - |S| - 1)! / nd!
 *    (g(S + j) - g(S)) / tss.  The gains are differences of R^2 values, so
 *    the shares sum to R^2(K + all drivers) - R^2(K) exactly up to rounding.
 *
 * A sub-model is called singular when a pivot C_jj - l'l is at most
 * TOL_REL C_jj (the driver is, to 1 part in 10^10, a combination of the
 * drivers before it once K is partialled out) or below the rounding floor of
 * the scaled moments, NOISE (|K| + nd + 1) eps.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "importance.h"

#define TOL_REL 1e-10 /* relative pivot below which drivers are collinear */
#define NOISE 64.0    /* rounding floor of the scaled moments, in eps per column */
#define NAME_SHARE 0.01 /* name a driver when its part of the null vector is above this */

/* ======================================================================== */
/* The subset walk                                                          */
/* ======================================================================== */

/* Workspace of the walk over the subsets of drivers; allocated once. */
typedef struct lmg_walk {
    size_t nd;
    const double *C;   /* (nd+1) x (nd+1) row-major scaled Schur complement, y last */
    double *L;         /* nd x nd row-major: row r is the Cholesky row of sub[r] */
    double *z;         /* nd: L_S^-1 C_Sy along the current path */
    double *gain;      /* 2^nd: g(S), in units of M_yy */
    size_t sub[CX_LMG_MAX_DRIVERS]; /* the current subset, increasing */
    double noise_floor; /* absolute pivot floor */
    size_t bad_depth, bad_j; /* the first singular sub-model: sub[0..bad_depth) + {bad_j} */
} lmg_walk;

/*
 * Extend the subset sub[0..depth) (bitmask `mask`, explained sum of squares
 * q) by each driver j >= first in turn, record g of the extension and recurse.
 * Returns 0, or -1 at the first singular sub-model, with bad_depth and bad_j
 * set and row bad_depth of L holding l = L_S^-1 C_Sj.
 */
static int walk(lmg_walk *w, size_t depth, size_t first, uint32_t mask, double q)
{
    size_t nd = w->nd, m = nd + 1;
    double *row = w->L + depth * nd;
    for (size_t j = first; j < nd; j++) {
        const double *Cj = w->C + j * m;
        double d2 = Cj[j], lz = 0;
        if (depth > 0) {
            double ll;
            for (size_t i = 0; i < depth; i++)
                row[i] = Cj[w->sub[i]];
            gsl_matrix_const_view Ls = gsl_matrix_const_view_array_with_tda(w->L, depth, depth, nd);
            gsl_vector_view l = gsl_vector_view_array(row, depth);
            gsl_vector_const_view zv = gsl_vector_const_view_array(w->z, depth);
            gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Ls.matrix, &l.vector);
            gsl_blas_ddot(&l.vector, &l.vector, &ll);
            gsl_blas_ddot(&l.vector, &zv.vector, &lz);
            d2 -= ll;
        }
        if (!(d2 > TOL_REL * Cj[j] + w->noise_floor)) {
            w->bad_depth = depth;
            w->bad_j = j;
            return -1;
        }
        double pivot = sqrt(d2);
        row[depth] = pivot;
        w->z[depth] = (Cj[nd] - lz) / pivot;
        double qj = q + w->z[depth] * w->z[depth];
        uint32_t mj = mask | (uint32_t)1 << j;
        w->gain[mj] = qj;
        w->sub[depth] = j;
        if (j + 1 < nd && walk(w, depth + 1, j + 1, mj, qj) != 0)
            return -1;
    }
    return 0;
}

/* Append ", 7" (or " and 7" before the last) to a list of column numbers. */
static void list_append(char *buf, size_t size, size_t *len, size_t col, size_t k, size_t n)
{
    const char *sep = k == 0 ? "" : k + 1 == n ? " and " : ", ";
    int r = snprintf(buf + *len, size - *len, "%s%zu", sep, col);
    if (r > 0)
        *len = *len + (size_t)r < size ? *len + (size_t)r : size - 1;
}

/*
 * Report the singular sub-model the walk stopped at, naming the drivers of
 * the linear dependency: the regression of driver j on sub[0..depth),
 * b = L_S^-T l, gives the null vector x_j - sum b_i x_sub[i] of the
 * partialled-out columns; a driver is named when its term's norm
 * |b_i| sqrt(C_ii) is at least NAME_SHARE of the largest.
 */
static cx_status report_singular(lmg_walk *w, const size_t *drivers, cx_error *err)
{
    size_t nd = w->nd, m = nd + 1, depth = w->bad_depth, j = w->bad_j;
    double cjj = w->C[j * m + j];
    if (depth == 0 || !(cjj > 2 * w->noise_floor))
        return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                            "relative importance: the driver in design column %zu is a linear "
                            "combination of the columns held in every sub-model (intercept, "
                            "fixed effects); drop it",
                            drivers[j]);
    double *b = w->L + depth * nd;
    gsl_matrix_const_view Ls = gsl_matrix_const_view_array_with_tda(w->L, depth, depth, nd);
    gsl_vector_view bv = gsl_vector_view_array(b, depth);
    gsl_blas_dtrsv(CblasLower, CblasTrans, CblasNonUnit, &Ls.matrix, &bv.vector);
    double part[CX_LMG_MAX_DRIVERS], top = sqrt(cjj);
    for (size_t i = 0; i < depth; i++) {
        size_t s = w->sub[i];
        part[i] = fabs(b[i]) * sqrt(fmax(w->C[s * m + s], 0));
        top = fmax(top, part[i]);
    }
    size_t named[CX_LMG_MAX_DRIVERS], n = 0, len = 0;
    for (size_t i = 0; i < depth; i++)
        if (part[i] >= NAME_SHARE * top)
            named[n++] = drivers[w->sub[i]];
    named[n++] = drivers[j];
    for (size_t u = 1; u < n; u++) /* in design order */
        for (size_t v = u; v > 0 && named[v - 1] > named[v]; v--) {
            size_t t = named[v];
            named[v] = named[v - 1];
            named[v - 1] = t;
        }
    char cols[CX_LMG_MAX_DRIVERS * 24] = "";
    for (size_t a = 0; a < n; a++)
        list_append(cols, sizeof cols, &len, named[a], a, n);
    if (n == 1)
        return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                            "relative importance: the driver in design column %s is a linear "
                            "combination of the columns held in every sub-model (intercept, "
                            "fixed effects); drop it",
                            cols);
    return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                        "relative importance: the drivers in design columns %s are collinear once "
                        "the columns held in every sub-model are partialled out, so the sub-model "
                        "with all of them is singular; drop one of them",
                        cols);
}

/* ======================================================================== */
/* The blocks of the moment matrix                                          */
/* ======================================================================== */

/* The columns taking part, by block position: the kept columns, then the
 * drivers, then y (design column p). */
typedef struct lmg_cols {
    const double *M;
    size_t p, q;  /* q = p + 1, M's row length */
    const size_t *keep, *drivers;
    size_t nkeep, nd;
} lmg_cols;

/* The design column of block position a. */
static size_t col_of(const lmg_cols *c, size_t a)
{
    return a < c->nkeep ? c->keep[a] : a < c->nkeep + c->nd ? c->drivers[a - c->nkeep] : c->p;
}

/* M at block positions (a, b). */
static double moment(const lmg_cols *c, size_t a, size_t b)
{
    return c->M[col_of(c, a) * c->q + col_of(c, b)];
}

/*
 * Check that the indices are in range and distinct, that keep and drivers
 * are disjoint (`mark` holds p zeroed bytes), that the moments read are
 * finite and that no column taking part is zero throughout.
 */
static cx_status check_input(const lmg_cols *c, unsigned char *mark, cx_error *err)
{
    size_t nall = c->nkeep + c->nd + 1;
    for (size_t a = 0; a + 1 < nall; a++) {
        int is_keep = a < c->nkeep;
        size_t col = col_of(c, a);
        if (col >= c->p)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "relative importance: expected a design column below %zu for the %s "
                                "%zu, found %zu",
                                c->p, is_keep ? "kept column" : "driver", is_keep ? a : a - c->nkeep, col);
        if (mark[col])
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "relative importance: design column %zu is listed twice (%s and %s)",
                                col, mark[col] == 1 ? "kept" : "driver", is_keep ? "kept" : "driver");
        mark[col] = is_keep ? 1 : 2;
    }
    for (size_t a = 0; a < nall; a++) {
        for (size_t b = 0; b < nall; b++)
            if (!isfinite(moment(c, a, b)))
                return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                    "relative importance: the moment matrix holds %g at (%zu, %zu)",
                                    moment(c, a, b), col_of(c, a), col_of(c, b));
        if (moment(c, a, a) > 0)
            continue;
        if (a == nall - 1)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "relative importance: the target is 0 in every row used");
        return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                            "relative importance: the %s in design column %zu is 0 in every row "
                            "used; drop it",
                            a < c->nkeep ? "column held in every sub-model" : "driver", col_of(c, a));
    }
    return CX_OK;
}

/*
 * The moments of [drivers, y] with the kept columns partialled out, scaled
 * to the unit diagonal of M: C (m x m, m = nd + 1, row-major, full) =
 * Sd^-1 (M_DD - M_DK M_KK^-1 M_KD) Sd^-1 with Sd = sqrt(diag M_DD).  M_KK is
 * scaled the same way and factorised by Cholesky; W = L^-1 M_KD (dtrsm) and
 * C = M_DD - W'W (dsyrk).  Workspace: A (k x k), B (k x m), sk (k), sd (m).
 */
static cx_status partial_out(const lmg_cols *c, double noise_floor, double *A, double *B, double *sk,
                             double *sd, double *C, cx_error *err)
{
    size_t k = c->nkeep, m = c->nd + 1;
    for (size_t a = 0; a < m; a++)
        sd[a] = sqrt(moment(c, k + a, k + a));
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b < m; b++)
            C[a * m + b] = moment(c, k + a, k + b) / (sd[a] * sd[b]);
    if (k == 0)
        return CX_OK;
    for (size_t i = 0; i < k; i++)
        sk[i] = sqrt(moment(c, i, i));
    for (size_t i = 0; i < k; i++) {
        for (size_t l = 0; l < k; l++)
            A[i * k + l] = moment(c, i, l) / (sk[i] * sk[l]);
        for (size_t b = 0; b < m; b++)
            B[i * m + b] = moment(c, i, k + b) / (sk[i] * sd[b]);
    }
    gsl_matrix_view Av = gsl_matrix_view_array(A, k, k);
    gsl_matrix_view Bv = gsl_matrix_view_array(B, k, m);
    gsl_matrix_view Cv = gsl_matrix_view_array(C, m, m);
    int status = gsl_linalg_cholesky_decomp1(&Av.matrix);
    if (status)
        return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                            "relative importance: the columns held in every sub-model are collinear "
                            "(Cholesky decomposition: %s)",
                            gsl_strerror(status));
    for (size_t i = 0; i < k; i++)
        if (!(A[i * k + i] * A[i * k + i] > noise_floor))
            return cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                                "relative importance: the column %zu held in every sub-model is a "
                                "linear combination of the kept columns before it",
                                c->keep[i]);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, &Av.matrix, &Bv.matrix);
    gsl_blas_dsyrk(CblasLower, CblasTrans, -1.0, &Bv.matrix, 1.0, &Cv.matrix);
    for (size_t a = 0; a < m; a++)
        for (size_t b = a + 1; b < m; b++)
            C[a * m + b] = C[b * m + a];
    return CX_OK;
}

/* ======================================================================== */
/* Shapley values                                                           */
/* ======================================================================== */

/* acc[j] = sum over S not holding j of |S|! (nd-|S|-1)! / nd! (g(S + j) - g(S)),
 * the weight being 1 / (nd binom(nd-1, |S|)). */
static void shapley(const double *gain, size_t nd, long double *acc)
{
    double weight[CX_LMG_MAX_DRIVERS], binom = 1;
    for (size_t s = 0; s < nd; s++) {
        weight[s] = 1.0 / ((double)nd * binom);
        binom = binom * (double)(nd - 1 - s) / (double)(s + 1);
        acc[s] = 0;
    }
    size_t nsub = (size_t)1 << nd;
    for (size_t mask = 0; mask < nsub; mask++) {
        size_t size = 0;
        for (size_t bits = mask; bits; bits &= bits - 1)
            size++;
        if (size == nd)
            continue;
        double g0 = gain[mask], ws = weight[size];
        for (size_t j = 0; j < nd; j++)
            if (!((mask >> j) & 1))
                acc[j] += (long double)(ws * (gain[mask | (size_t)1 << j] - g0));
    }
}

/* ======================================================================== */
/* LMG                                                                      */
/* ======================================================================== */

/* Shapley decomposition of R^2 over the drivers (contract in importance.h). */
cx_status cx_lmg(const double *M, size_t p, const size_t *keep, size_t nkeep,
                 const size_t *drivers, size_t nd, double tss,
                 double *share, double *r2_keep, cx_error *err)
{
    lmg_cols cols = {.M = M, .p = p, .q = p + 1, .keep = keep, .drivers = drivers,
                     .nkeep = nkeep, .nd = nd};
    size_t k = nkeep, m = nd + 1, nsub = (size_t)1 << (nd <= CX_LMG_MAX_DRIVERS ? nd : 0);
    double noise_floor = NOISE * (double)(k + m) * DBL_EPSILON;
    unsigned char *mark = NULL;
    double *block = NULL;
    double *A, *B, *C, *L, *z, *gain, *sk, *sd, myy, explained_keep;
    long double acc[CX_LMG_MAX_DRIVERS];
    cx_status st;

    if (nd > CX_LMG_MAX_DRIVERS)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "relative importance: expected at most %d drivers, found %zu (every one "
                            "of the 2^%zu sub-models is fitted)",
                            CX_LMG_MAX_DRIVERS, nd, nd);
    if (!M || (nkeep && !keep) || (nd && (!drivers || !share)))
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "relative importance: the moment matrix, column lists or share array is NULL");
    if (!(tss > 0) || !isfinite(tss))
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "relative importance: expected a positive total sum of squares, found %g", tss);
    mark = cx_calloc(p + 1, 1);
    if (!mark) {
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    st = check_input(&cols, mark, err);
    if (st != CX_OK)
        goto fail;

    /* One block for all the workspace.  Each piece is at most (p+1)^2 doubles,
     * which M already occupies, so the sum cannot overflow in practice;
     * cx_calloc checks the product. */
    block = cx_calloc(k * k + k * m + m * m + nd * nd + nd + nsub + k + m, sizeof(double));
    if (!block) {
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto fail;
    }
    A = block;
    B = A + k * k;
    C = B + k * m;
    L = C + m * m;
    z = L + nd * nd;
    gain = z + nd;
    sk = gain + nsub;
    sd = sk + k;

    st = partial_out(&cols, noise_floor, A, B, sk, sd, C, err);
    if (st != CX_OK)
        goto fail;
    if (nd > 0) {
        lmg_walk w = {.nd = nd, .C = C, .L = L, .z = z, .gain = gain, .noise_floor = noise_floor};
        gain[0] = 0;
        if (walk(&w, 0, 0, 0, 0.0) != 0) {
            st = report_singular(&w, drivers, err);
            goto fail;
        }
        shapley(gain, nd, acc);
    }

    /* ---- outputs, only now that nothing can fail ---- */
    /* the gains are in units of M_yy; R^2(K) = 1 - RSS(K) / tss, 0 within rounding */
    myy = M[p * (p + 2)];
    explained_keep = tss - C[nd * m + nd] * myy;
    for (size_t j = 0; j < nd; j++)
        share[j] = (double)(acc[j] * (long double)myy / (long double)tss);
    if (r2_keep)
        *r2_keep = fabs(explained_keep) <= noise_floor * myy ? 0.0 : explained_keep / tss;

fail:
    cx_free(block);
    cx_free(mark);
    return st;
}
