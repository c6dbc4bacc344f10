/*
 * test_importance.c - the LMG / Shapley decomposition of R^2 (cx_lmg).
 *
 * The reference is computed by a genuinely different route: every sub-model
 * is refitted from the raw data rows with gsl_multifit_wlinear (SVD), and each
 * driver's R^2 gain is averaged over all nd! orders of entering the model
 * (the LMG definition), where cx_lmg works on the moment matrix, partials out
 * the kept columns and sums over subsets.  Data are generated here with
 * GSL's MT19937 and fixed seeds: correlated drivers with non-zero means,
 * group shifts, weights, and kept columns (intercept, three fixed-effect
 * dummies) interleaved with the drivers in the design order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <time.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_permutation.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "helpers.h"
#include "model/importance.h"

#define MAXCOL 32

/* ======================================================================== */
/* Data                                                                     */
/* ======================================================================== */

/* A design with its rows: n x p row-major X, target y, weights w, and which
 * design columns are kept (intercept, dummies) and which are drivers. */
typedef struct dataset {
    size_t n, p;
    double *X, *y, *w;
    size_t keep[MAXCOL], nkeep;
    size_t drv[MAXCOL], nd;
    size_t group_col[3]; /* the dummies of groups 1..3 */
    size_t icept;        /* the intercept column */
} dataset;

static double X_at(const dataset *d, size_t i, size_t c)
{
    return d->X[i * d->p + c];
}

/*
 * n rows; an intercept, dummies of groups 1..3 (group = row mod 4) and nd
 * drivers sharing a latent factor (pairwise correlations about 0.3 to 0.6),
 * each with its own mean and group shifts; y = 2 + group effect +
 * sum beta_j x_j + N(0, 1.5^2).  With `shuffle` the design columns are put in
 * a random order; with `weighted` the weights are uniform on [0.5, 2].
 */
static dataset make_data(size_t n, size_t nd, unsigned long seed, int shuffle, int weighted)
{
    dataset d;
    memset(&d, 0, sizeof d);
    d.n = n;
    d.p = 4 + nd;
    d.nd = nd;
    d.nkeep = 4;
    assert_true(d.p <= MAXCOL);
    d.X = calloc(n * d.p, sizeof(double));
    d.y = calloc(n, sizeof(double));
    d.w = calloc(n, sizeof(double));
    assert_true(d.X && d.y && d.w);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    size_t col[MAXCOL];
    for (size_t c = 0; c < d.p; c++)
        col[c] = c;
    if (shuffle)
        gsl_ran_shuffle(r, col, d.p, sizeof(size_t));
    d.icept = col[0];
    d.keep[0] = col[0];
    for (size_t g = 0; g < 3; g++)
        d.keep[g + 1] = d.group_col[g] = col[g + 1];
    for (size_t j = 0; j < nd; j++)
        d.drv[j] = col[4 + j];
    double load[MAXCOL], mean[MAXCOL], beta[MAXCOL], shift[MAXCOL][4];
    for (size_t j = 0; j < nd; j++) {
        load[j] = 0.6 + 0.8 * gsl_rng_uniform(r);
        mean[j] = 1.0 + 4.0 * gsl_rng_uniform(r);
        beta[j] = (j % 2 ? -1.0 : 1.0) * (0.4 + 0.8 * gsl_rng_uniform(r));
        for (size_t g = 0; g < 4; g++)
            shift[j][g] = gsl_ran_gaussian(r, 0.5);
    }
    double geff[4] = {0.0, 1.2, -0.7, 0.4};
    for (size_t i = 0; i < n; i++) {
        size_t g = i % 4;
        double f = gsl_ran_gaussian(r, 1.0);
        double *x = d.X + i * d.p;
        x[d.icept] = 1.0;
        for (size_t k = 0; k < 3; k++)
            x[d.group_col[k]] = g == k + 1;
        double y = 2.0 + geff[g];
        for (size_t j = 0; j < nd; j++) {
            x[d.drv[j]] = mean[j] + shift[j][g] + load[j] * f + gsl_ran_gaussian(r, 1.0);
            y += beta[j] * x[d.drv[j]];
        }
        d.y[i] = y + gsl_ran_gaussian(r, 1.5);
        d.w[i] = weighted ? 0.5 + 1.5 * gsl_rng_uniform(r) : 1.0;
    }
    gsl_rng_free(r);
    return d;
}

static void free_data(dataset *d)
{
    free(d->X);
    free(d->y);
    free(d->w);
}

/* The (p+1) x (p+1) weighted moments of [X, y], summed in long double. */
static double *moments(const dataset *d)
{
    size_t p = d->p, q = p + 1;
    double *M = calloc(q * q, sizeof(double));
    assert_non_null(M);
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b <= a; b++) {
            long double s = 0;
            for (size_t i = 0; i < d->n; i++) {
                double xa = a < p ? X_at(d, i, a) : d->y[i];
                double xb = b < p ? X_at(d, i, b) : d->y[i];
                s += (long double)d->w[i] * xa * xb;
            }
            M[a * q + b] = M[b * q + a] = (double)s;
        }
    return M;
}

/* The moments with every column but the intercept, and y, centred at its
 * weighted mean (what importance.h advises when the intercept is kept). */
static double *centred_moments(const dataset *d)
{
    dataset c = *d;
    c.X = malloc(d->n * d->p * sizeof(double));
    c.y = malloc(d->n * sizeof(double));
    assert_true(c.X && c.y);
    memcpy(c.X, d->X, d->n * d->p * sizeof(double));
    memcpy(c.y, d->y, d->n * sizeof(double));
    long double sw = 0;
    for (size_t i = 0; i < d->n; i++)
        sw += d->w[i];
    for (size_t col = 0; col <= d->p; col++) {
        if (col == d->icept)
            continue;
        double *v = col < d->p ? c.X + col : c.y;
        size_t stride = col < d->p ? d->p : 1;
        long double s = 0;
        for (size_t i = 0; i < d->n; i++)
            s += (long double)d->w[i] * v[i * stride];
        double mean = (double)(s / sw);
        for (size_t i = 0; i < d->n; i++)
            v[i * stride] -= mean;
    }
    double *M = moments(&c);
    free(c.X);
    free(c.y);
    return M;
}

/* The centred weighted total sum of squares, two passes. */
static double centred_tss(const dataset *d)
{
    long double sw = 0, swy = 0, ss = 0;
    for (size_t i = 0; i < d->n; i++) {
        sw += d->w[i];
        swy += (long double)d->w[i] * d->y[i];
    }
    double mean = (double)(swy / sw);
    for (size_t i = 0; i < d->n; i++)
        ss += (long double)d->w[i] * (d->y[i] - mean) * (d->y[i] - mean);
    return (double)ss;
}

/* sum w y^2: the total sum of squares of a model without an intercept. */
static double raw_tss(const dataset *d)
{
    long double ss = 0;
    for (size_t i = 0; i < d->n; i++)
        ss += (long double)d->w[i] * d->y[i] * d->y[i];
    return (double)ss;
}

/* R^2 of the weighted least-squares fit of y on the design columns cols[],
 * refitted from the raw rows by SVD (gsl_multifit_wlinear). */
static double r2_rows(const dataset *d, const size_t *cols, size_t ncols, double tss)
{
    if (ncols == 0)
        return 1.0 - raw_tss(d) / tss;
    gsl_matrix *X = gsl_matrix_alloc(d->n, ncols);
    gsl_matrix *cov = gsl_matrix_alloc(ncols, ncols);
    gsl_vector *c = gsl_vector_alloc(ncols);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(d->n, ncols);
    assert_true(X && cov && c && ws);
    for (size_t i = 0; i < d->n; i++)
        for (size_t k = 0; k < ncols; k++)
            gsl_matrix_set(X, i, k, X_at(d, i, cols[k]));
    gsl_vector_const_view y = gsl_vector_const_view_array(d->y, d->n);
    gsl_vector_const_view w = gsl_vector_const_view_array(d->w, d->n);
    double chisq;
    assert_int_equal(gsl_multifit_wlinear(X, &w.vector, &y.vector, c, cov, &chisq, ws), GSL_SUCCESS);
    gsl_multifit_linear_free(ws);
    gsl_vector_free(c);
    gsl_matrix_free(cov);
    gsl_matrix_free(X);
    return 1.0 - chisq / tss;
}

/* LMG by its definition: the R^2 gain of each driver when it enters, averaged
 * over all nd! orders, every sub-model refitted from the rows. */
static void lmg_by_orderings(const dataset *d, double tss, double *share)
{
    size_t cols[MAXCOL];
    memcpy(cols, d->keep, d->nkeep * sizeof(size_t));
    double r2k = r2_rows(d, cols, d->nkeep, tss);
    for (size_t j = 0; j < d->nd; j++)
        share[j] = 0;
    gsl_permutation *perm = gsl_permutation_calloc(d->nd);
    double orders = 0;
    do {
        double prev = r2k;
        for (size_t t = 0; t < d->nd; t++) {
            size_t j = gsl_permutation_get(perm, t);
            cols[d->nkeep + t] = d->drv[j];
            double r2 = r2_rows(d, cols, d->nkeep + t + 1, tss);
            share[j] += r2 - prev;
            prev = r2;
        }
        orders++;
    } while (gsl_permutation_next(perm) == GSL_SUCCESS);
    gsl_permutation_free(perm);
    for (size_t j = 0; j < d->nd; j++)
        share[j] /= orders;
}

/* R^2 of the kept columns plus all drivers, refitted from the rows. */
static double r2_full(const dataset *d, double tss)
{
    size_t cols[MAXCOL];
    memcpy(cols, d->keep, d->nkeep * sizeof(size_t));
    memcpy(cols + d->nkeep, d->drv, d->nd * sizeof(size_t));
    return r2_rows(d, cols, d->nkeep + d->nd, tss);
}

static cx_status run_lmg(const dataset *d, const double *M, double tss, double *share, double *r2k,
                         cx_error *err)
{
    cx_error_init(err);
    return cx_lmg(M, d->p, d->keep, d->nkeep, d->drv, d->nd, tss, share, r2k, err);
}

static void assert_ok(cx_status st, const cx_error *err)
{
    if (st != CX_OK) {
        char line[CX_ERROR_LINE_MAX];
        print_error("%s\n", cx_error_format(err, line, sizeof line));
        fail();
    }
}

static void assert_rel_within(double got, double want, double tol, const char *what)
{
    double r = want == 0 ? fabs(got) : fabs(got - want) / fabs(want);
    if (!(r <= tol)) {
        print_error("%s: got %.17g, want %.17g (relative error %.3g > %.3g)\n", what, got, want, r, tol);
        fail();
    }
}

static void assert_message_has(const cx_error *err, const char *needle)
{
    if (!strstr(err->message, needle)) {
        print_error("message '%s' lacks '%s'\n", err->message, needle);
        fail();
    }
}

static double sum(const double *v, size_t n)
{
    long double s = 0;
    for (size_t j = 0; j < n; j++)
        s += v[j];
    return (double)s;
}

/* ======================================================================== */
/* Agreement with the definition                                            */
/* ======================================================================== */

/* The shares against all nd! orders of refits from the rows, and the sum
 * identity against refits of the full and the kept-only models. */
static void check_against_orderings(size_t nd, unsigned long seed, int weighted)
{
    dataset d = make_data(200, nd, seed, 1, weighted);
    double *M = moments(&d);
    double tss = centred_tss(&d);
    double share[MAXCOL], want[MAXCOL], r2k = NAN;
    cx_error err;
    assert_ok(run_lmg(&d, M, tss, share, &r2k, &err), &err);
    lmg_by_orderings(&d, tss, want);
    double keep_rows = r2_rows(&d, d.keep, d.nkeep, tss), full_rows = r2_full(&d, tss);
    assert_true(rel_diff(r2k, keep_rows) <= 1e-12);
    double gap = fabs(sum(share, nd) - (full_rows - keep_rows));
    if (!(gap <= 1e-12)) {
        print_error("sum of shares %.17g, R^2(full) - R^2(keep) %.17g\n", sum(share, nd), full_rows - keep_rows);
        fail();
    }
    double worst = 0;
    for (size_t j = 0; j < nd; j++) {
        assert_rel_within(share[j], want[j], 1e-9, "share against the orderings");
        worst = fmax(worst, fabs(share[j] - want[j]) / fabs(want[j]));
    }
    print_message("%zu drivers%s: R^2 keep %.4f, full %.4f; sum identity off by %.2g, worst share "
                  "relative error %.2g\n", nd, weighted ? ", weighted" : "", keep_rows, full_rows, gap, worst);
    free(M);
    free_data(&d);
}

static void importance_should_match_the_average_over_orderings_of_refits(void **state)
{
    (void)state;
    check_against_orderings(4, 11, 0);
    check_against_orderings(5, 12, 1);
    check_against_orderings(6, 13, 1);
}

/* Without kept columns the total is sum w y^2 and R^2(keep) is exactly 0. */
static void importance_should_decompose_a_model_without_intercept(void **state)
{
    (void)state;
    dataset d = make_data(150, 4, 21, 1, 1);
    d.nkeep = 0;
    double *M = moments(&d);
    double tss = raw_tss(&d);
    double share[MAXCOL], want[MAXCOL], r2k = NAN;
    cx_error err;
    assert_ok(run_lmg(&d, M, tss, share, &r2k, &err), &err);
    assert_true(r2k == 0.0);
    lmg_by_orderings(&d, tss, want);
    for (size_t j = 0; j < d.nd; j++)
        assert_rel_within(share[j], want[j], 1e-9, "share without kept columns");
    assert_true(fabs(sum(share, d.nd) - r2_full(&d, tss)) <= 1e-12);
    free(M);
    free_data(&d);
}

/* With only the intercept kept and the centred total, R^2(keep) is exactly 0. */
static void importance_should_report_zero_for_an_intercept_alone(void **state)
{
    (void)state;
    dataset d = make_data(120, 3, 22, 0, 1);
    d.nkeep = 1; /* keep[0] is the intercept */
    double *M = moments(&d);
    double tss = centred_tss(&d);
    double share[MAXCOL], want[MAXCOL], r2k = NAN;
    cx_error err;
    assert_ok(run_lmg(&d, M, tss, share, &r2k, &err), &err);
    assert_true(r2k == 0.0);
    lmg_by_orderings(&d, tss, want);
    for (size_t j = 0; j < d.nd; j++)
        assert_rel_within(share[j], want[j], 1e-9, "share with the intercept alone kept");
    free(M);
    free_data(&d);
}

static void importance_should_handle_one_driver_and_none(void **state)
{
    (void)state;
    dataset d = make_data(100, 1, 23, 1, 1);
    double *M = moments(&d);
    double tss = centred_tss(&d);
    double share[1] = {NAN}, r2k = NAN;
    cx_error err;
    assert_ok(run_lmg(&d, M, tss, share, &r2k, &err), &err);
    double keep_rows = r2_rows(&d, d.keep, d.nkeep, tss);
    assert_rel_within(share[0], r2_full(&d, tss) - keep_rows, 1e-10, "the only driver");
    assert_true(rel_diff(r2k, keep_rows) <= 1e-12);

    /* no driver: only R^2 of the kept columns; share is not touched */
    double r2k0 = NAN;
    assert_ok(cx_lmg(M, d.p, d.keep, d.nkeep, NULL, 0, tss, NULL, &r2k0, &err), &err);
    assert_true(r2k0 == r2k);
    free(M);
    free_data(&d);
}

/* Drivers with means near 10^4 and a spread near 1: the raw moments lose
 * about eight digits, the centred ones (importance.h's advice) keep the
 * shares to 1e-9 of the refits; both describe the same decomposition. */
static void importance_should_keep_its_digits_on_centred_moments(void **state)
{
    (void)state;
    dataset d = make_data(200, 5, 24, 1, 1);
    for (size_t i = 0; i < d.n; i++)
        for (size_t j = 0; j < d.nd; j++)
            d.X[i * d.p + d.drv[j]] += 1e4;
    double *Mraw = moments(&d), *Mc = centred_moments(&d);
    double tss = centred_tss(&d);
    double raw[MAXCOL], cen[MAXCOL], want[MAXCOL], r2k_raw, r2k_cen;
    cx_error err;
    assert_ok(run_lmg(&d, Mraw, tss, raw, &r2k_raw, &err), &err);
    assert_ok(run_lmg(&d, Mc, tss, cen, &r2k_cen, &err), &err);
    lmg_by_orderings(&d, tss, want);
    double worst_raw = 0, worst_cen = 0;
    for (size_t j = 0; j < d.nd; j++) {
        assert_rel_within(cen[j], want[j], 1e-9, "share from centred moments");
        assert_rel_within(raw[j], want[j], 1e-5, "share from raw moments");
        worst_raw = fmax(worst_raw, fabs(raw[j] - want[j]) / want[j]);
        worst_cen = fmax(worst_cen, fabs(cen[j] - want[j]) / want[j]);
    }
    assert_true(rel_diff(r2k_cen, r2_rows(&d, d.keep, d.nkeep, tss)) <= 1e-12);
    print_message("driver means 1e4: worst share relative error %.2g from raw moments, %.2g from "
                  "centred ones\n", worst_raw, worst_cen);
    free(Mraw);
    free(Mc);
    free_data(&d);
}

/* ======================================================================== */
/* Properties                                                               */
/* ======================================================================== */

/* Replace column c of every row by its weighted least-squares residual on
 * the columns on[] (so it is W-orthogonal to them). */
static void residualise(dataset *d, size_t c, const size_t *on, size_t non)
{
    gsl_matrix *X = gsl_matrix_alloc(d->n, non), *cov = gsl_matrix_alloc(non, non);
    gsl_vector *b = gsl_vector_alloc(non), *v = gsl_vector_alloc(d->n), *r = gsl_vector_alloc(d->n);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(d->n, non);
    assert_true(X && cov && b && v && r && ws);
    for (size_t i = 0; i < d->n; i++) {
        for (size_t k = 0; k < non; k++)
            gsl_matrix_set(X, i, k, X_at(d, i, on[k]));
        gsl_vector_set(v, i, X_at(d, i, c));
    }
    gsl_vector_const_view w = gsl_vector_const_view_array(d->w, d->n);
    double chisq;
    assert_int_equal(gsl_multifit_wlinear(X, &w.vector, v, b, cov, &chisq, ws), GSL_SUCCESS);
    assert_int_equal(gsl_multifit_linear_residuals(X, v, b, r), GSL_SUCCESS);
    for (size_t i = 0; i < d->n; i++)
        d->X[i * d->p + c] = gsl_vector_get(r, i);
    gsl_multifit_linear_free(ws);
    gsl_vector_free(r);
    gsl_vector_free(v);
    gsl_vector_free(b);
    gsl_matrix_free(cov);
    gsl_matrix_free(X);
}

/* Two drivers orthogonal once the kept columns are partialled out: neither
 * changes the other's gain, so each share is its own R^2 contribution. */
static void importance_should_give_orthogonal_drivers_their_own_contribution(void **state)
{
    (void)state;
    dataset d = make_data(200, 2, 31, 1, 1);
    size_t on[MAXCOL];
    memcpy(on, d.keep, d.nkeep * sizeof(size_t));
    residualise(&d, d.drv[0], on, d.nkeep);
    on[d.nkeep] = d.drv[0];
    residualise(&d, d.drv[1], on, d.nkeep + 1);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 32);
    for (size_t i = 0; i < d.n; i++)
        d.y[i] = 1.0 + (i % 4) * 0.5 + 0.8 * X_at(&d, i, d.drv[0]) - 0.5 * X_at(&d, i, d.drv[1]) +
                 gsl_ran_gaussian(r, 1.0);
    gsl_rng_free(r);
    double *M = moments(&d);
    double tss = centred_tss(&d);
    double share[2], r2k;
    cx_error err;
    assert_ok(run_lmg(&d, M, tss, share, &r2k, &err), &err);
    double keep_rows = r2_rows(&d, d.keep, d.nkeep, tss);
    for (size_t j = 0; j < 2; j++) {
        size_t cols[MAXCOL];
        memcpy(cols, d.keep, d.nkeep * sizeof(size_t));
        cols[d.nkeep] = d.drv[j];
        double alone = r2_rows(&d, cols, d.nkeep + 1, tss) - keep_rows;
        cols[d.nkeep] = d.drv[1 - j];
        cols[d.nkeep + 1] = d.drv[j];
        double last = r2_rows(&d, cols, d.nkeep + 2, tss) - r2_rows(&d, cols, d.nkeep + 1, tss);
        assert_rel_within(share[j], alone, 1e-11, "orthogonal share against entering first");
        assert_rel_within(share[j], last, 1e-11, "orthogonal share against entering last");
        /* and against cx_lmg with that driver alone */
        double one;
        assert_ok(cx_lmg(M, d.p, d.keep, d.nkeep, &d.drv[j], 1, tss, &one, NULL, &err), &err);
        assert_rel_within(share[j], one, 1e-13, "orthogonal share against the driver alone");
    }
    free(M);
    free_data(&d);
}

/* Two exchangeable drivers: the rows come in pairs (a, b) and (b, a) with the
 * same target, weight and other columns, so nothing tells the two apart. */
static void importance_should_give_exchangeable_drivers_equal_shares(void **state)
{
    (void)state;
    dataset d = make_data(300, 4, 41, 1, 1);
    size_t a = d.drv[0], b = d.drv[1];
    double geff[4] = {0.0, 1.2, -0.7, 0.4};
    for (size_t i = 0; i + 1 < d.n; i += 2) {
        size_t g = (i / 2) % 4;
        for (size_t k = 0; k < 3; k++)
            d.X[i * d.p + d.group_col[k]] = g == k + 1;
        d.y[i] += geff[g];
        memcpy(d.X + (i + 1) * d.p, d.X + i * d.p, d.p * sizeof(double));
        d.X[(i + 1) * d.p + a] = X_at(&d, i, b);
        d.X[(i + 1) * d.p + b] = X_at(&d, i, a);
        d.y[i + 1] = d.y[i];
        d.w[i + 1] = d.w[i];
    }
    double *M = moments(&d);
    double tss = centred_tss(&d);
    double share[4], r2k;
    cx_error err;
    assert_ok(run_lmg(&d, M, tss, share, &r2k, &err), &err);
    assert_rel_within(share[0], share[1], 1e-12, "the two exchangeable drivers");
    assert_true(fabs(share[0] - share[2]) > 1e-3 * share[0]); /* the others differ */
    free(M);
    free_data(&d);
}

/* ======================================================================== */
/* Size                                                                     */
/* ======================================================================== */

static double seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void time_drivers(size_t nd, unsigned long seed)
{
    dataset d = make_data(400, nd, seed, 1, 1);
    double *M = moments(&d);
    double tss = centred_tss(&d);
    double share[MAXCOL], r2k;
    cx_error err;
    double t0 = seconds();
    cx_status st = run_lmg(&d, M, tss, share, &r2k, &err);
    double t1 = seconds();
    assert_ok(st, &err);
    double keep_rows = r2_rows(&d, d.keep, d.nkeep, tss), full_rows = r2_full(&d, tss);
    assert_true(fabs(sum(share, nd) - (full_rows - keep_rows)) <= 1e-12);
    for (size_t j = 0; j < nd; j++)
        assert_true(share[j] > 0);
    print_message("%zu drivers (%zu sub-models, 4 kept columns): %.3f ms\n", nd, (size_t)1 << nd,
                  1e3 * (t1 - t0));
    free(M);
    free_data(&d);
}

static void importance_should_run_fifteen_drivers(void **state)
{
    (void)state;
    time_drivers(15, 51);
}

static void importance_should_run_twenty_drivers(void **state)
{
    (void)state;
    time_drivers(20, 52);
}

/* ======================================================================== */
/* Refusals                                                                 */
/* ======================================================================== */

static void importance_should_refuse_more_than_twenty_drivers(void **state)
{
    (void)state;
    dataset d = make_data(100, 21, 61, 0, 0);
    double *M = moments(&d);
    double share[MAXCOL], r2k = 42;
    for (size_t j = 0; j < MAXCOL; j++)
        share[j] = 42;
    cx_error err;
    assert_int_equal(run_lmg(&d, M, centred_tss(&d), share, &r2k, &err), CX_EINVAL);
    assert_int_equal(err.status, CX_EINVAL);
    assert_message_has(&err, "expected at most 20 drivers, found 21");
    for (size_t j = 0; j < MAXCOL; j++)
        assert_true(share[j] == 42);
    assert_true(r2k == 42);
    free(M);
    free_data(&d);
}

static void importance_should_refuse_bad_arguments(void **state)
{
    (void)state;
    dataset d = make_data(100, 3, 62, 0, 0);
    double *M = moments(&d);
    double tss = centred_tss(&d), share[3] = {42, 42, 42}, r2k = 42;
    cx_error err;
    size_t drv[3];
    memcpy(drv, d.drv, sizeof drv);

    drv[1] = d.p; /* out of range */
    cx_error_init(&err);
    assert_int_equal(cx_lmg(M, d.p, d.keep, d.nkeep, drv, 3, tss, share, &r2k, &err), CX_EINVAL);
    assert_message_has(&err, "expected a design column below 7 for the driver 1, found 7");

    drv[1] = d.drv[0]; /* repeated */
    cx_error_init(&err);
    assert_int_equal(cx_lmg(M, d.p, d.keep, d.nkeep, drv, 3, tss, share, &r2k, &err), CX_EINVAL);
    assert_message_has(&err, "is listed twice (driver and driver)");

    drv[1] = d.keep[2]; /* kept and a driver */
    cx_error_init(&err);
    assert_int_equal(cx_lmg(M, d.p, d.keep, d.nkeep, drv, 3, tss, share, &r2k, &err), CX_EINVAL);
    assert_message_has(&err, "is listed twice (kept and driver)");

    cx_error_init(&err);
    assert_int_equal(run_lmg(&d, M, 0.0, share, &r2k, &err), CX_EINVAL);
    assert_message_has(&err, "expected a positive total sum of squares, found 0");
    cx_error_init(&err);
    assert_int_equal(run_lmg(&d, M, NAN, share, &r2k, &err), CX_EINVAL);

    M[d.drv[2] * (d.p + 1) + d.p] = INFINITY;
    assert_int_equal(run_lmg(&d, M, tss, share, &r2k, &err), CX_EINVAL);
    assert_message_has(&err, "the moment matrix holds inf");
    for (size_t j = 0; j < 3; j++)
        assert_true(share[j] == 42);
    assert_true(r2k == 42);
    free(M);
    free_data(&d);
}

/* A driver that is a combination of two others: CX_ENUMERIC naming exactly
 * the three, not the bystanders. */
static void importance_should_name_the_collinear_drivers(void **state)
{
    (void)state;
    dataset d = make_data(200, 5, 71, 1, 1);
    for (size_t i = 0; i < d.n; i++)
        d.X[i * d.p + d.drv[3]] = X_at(&d, i, d.drv[0]) + 2.0 * X_at(&d, i, d.drv[1]);
    double *M = moments(&d);
    double share[5] = {42, 42, 42, 42, 42}, r2k = 42;
    cx_error err;
    assert_int_equal(run_lmg(&d, M, centred_tss(&d), share, &r2k, &err), CX_ENUMERIC);
    size_t c[3] = {d.drv[0], d.drv[1], d.drv[3]};
    for (size_t i = 1; i < 3; i++) /* the message lists them in design order */
        for (size_t k = i; k > 0 && c[k - 1] > c[k]; k--) {
            size_t t = c[k];
            c[k] = c[k - 1];
            c[k - 1] = t;
        }
    char want[128];
    snprintf(want, sizeof want, "the drivers in design columns %zu, %zu and %zu are collinear", c[0], c[1], c[2]);
    assert_message_has(&err, want);
    assert_true(share[0] == 42 && r2k == 42);
    print_message("%s\n", err.message);
    free(M);
    free_data(&d);
}

/* Two copies of one driver: no sub-model with both can be fitted. */
static void importance_should_refuse_identical_drivers(void **state)
{
    (void)state;
    dataset d = make_data(200, 4, 72, 1, 0);
    for (size_t i = 0; i < d.n; i++)
        d.X[i * d.p + d.drv[2]] = X_at(&d, i, d.drv[1]);
    double *M = moments(&d);
    double share[4], r2k;
    cx_error err;
    assert_int_equal(run_lmg(&d, M, centred_tss(&d), share, &r2k, &err), CX_ENUMERIC);
    char want[128];
    snprintf(want, sizeof want, "the drivers in design columns %zu and %zu are collinear",
             d.drv[1] < d.drv[2] ? d.drv[1] : d.drv[2], d.drv[1] < d.drv[2] ? d.drv[2] : d.drv[1]);
    assert_message_has(&err, want);
    free(M);
    free_data(&d);
}

/* A driver explained by the kept columns alone (here: intercept minus a
 * dummy), and a driver that is zero throughout. */
static void importance_should_name_a_driver_the_kept_columns_explain(void **state)
{
    (void)state;
    dataset d = make_data(200, 3, 73, 1, 1);
    for (size_t i = 0; i < d.n; i++)
        d.X[i * d.p + d.drv[1]] = 3.0 * X_at(&d, i, d.icept) - X_at(&d, i, d.group_col[1]);
    double *M = moments(&d);
    double share[3], r2k;
    cx_error err;
    assert_int_equal(run_lmg(&d, M, centred_tss(&d), share, &r2k, &err), CX_ENUMERIC);
    char want[128];
    snprintf(want, sizeof want, "the driver in design column %zu is a linear combination of the columns "
             "held in every sub-model", d.drv[1]);
    assert_message_has(&err, want);
    free(M);

    for (size_t i = 0; i < d.n; i++)
        d.X[i * d.p + d.drv[1]] = 0.0;
    M = moments(&d);
    assert_int_equal(run_lmg(&d, M, centred_tss(&d), share, &r2k, &err), CX_ENUMERIC);
    snprintf(want, sizeof want, "the driver in design column %zu is 0 in every row used", d.drv[1]);
    assert_message_has(&err, want);
    free(M);
    free_data(&d);
}

/* ======================================================================== */
/* Anomalies                                                                */
/* ======================================================================== */

static long alloc_budget = -1;
static void *failing_malloc(size_t n)
{
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return malloc(n);
}

/* Fail the 1st, 2nd, ... allocation in turn: CX_ENOMEM, outputs untouched,
 * nothing leaked (AddressSanitizer checks). */
static void importance_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    dataset d = make_data(100, 4, 81, 1, 1);
    double *M = moments(&d);
    double tss = centred_tss(&d);
    cx_set_alloc_hooks(failing_malloc, NULL, NULL);
    int succeeded = 0;
    for (long k = 0; k < 100 && !succeeded; k++) {
        alloc_budget = k;
        double share[4] = {42, 42, 42, 42}, r2k = 42;
        cx_error err;
        cx_status st = run_lmg(&d, M, tss, share, &r2k, &err);
        if (st == CX_OK) {
            succeeded = 1;
            assert_true(share[0] != 42 && r2k != 42);
        } else {
            assert_int_equal(st, CX_ENOMEM);
            assert_true(share[0] == 42 && share[3] == 42 && r2k == 42);
        }
    }
    alloc_budget = -1;
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(succeeded);
    free(M);
    free_data(&d);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(importance_should_match_the_average_over_orderings_of_refits),
        cmocka_unit_test(importance_should_decompose_a_model_without_intercept),
        cmocka_unit_test(importance_should_report_zero_for_an_intercept_alone),
        cmocka_unit_test(importance_should_handle_one_driver_and_none),
        cmocka_unit_test(importance_should_keep_its_digits_on_centred_moments),
        cmocka_unit_test(importance_should_give_orthogonal_drivers_their_own_contribution),
        cmocka_unit_test(importance_should_give_exchangeable_drivers_equal_shares),
        cmocka_unit_test(importance_should_run_fifteen_drivers),
        cmocka_unit_test(importance_should_run_twenty_drivers),
        cmocka_unit_test(importance_should_refuse_more_than_twenty_drivers),
        cmocka_unit_test(importance_should_refuse_bad_arguments),
        cmocka_unit_test(importance_should_name_the_collinear_drivers),
        cmocka_unit_test(importance_should_refuse_identical_drivers),
        cmocka_unit_test(importance_should_name_a_driver_the_kept_columns_explain),
        cmocka_unit_test(importance_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests_name("importance", tests, NULL, NULL);
}
