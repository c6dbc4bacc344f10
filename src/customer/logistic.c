/*
 * logistic.c - logistic regression (R's glm with family = binomial) by
 * iteratively reweighted least squares on GSL's weighted least squares,
 * with the design matrix of the linear fits (terms.c, design.c).
 *
 * Each step solves the weighted least squares problem of the working
 * response z = eta + (y - mu) / (mu (1 - mu)) with weights mu (1 - mu)
 * (gsl_multifit_wlinear, an SVD), starting as R does from mu = (y + 1/2) / 2.
 * The covariance is (X'WX)^-1 at the final mu; z tests and Wald intervals
 * as summary.glm and confint.default give them.  Rows with the same design
 * row are fitted as one binomial group (their count of ones out of their
 * number), which gives the same estimate, covariance and deviance: with
 * categories and whole-number covariates a million rows are a few hundred
 * groups, and memory holds the groups, not the rows.
 *
 * Separation (McCullagh & Nelder 1989, Albert & Anderson 1984): when a
 * level of a C(x) term (or any 0/1 column) has one outcome in every row,
 * its maximum-likelihood coefficient is infinite.  That is checked before
 * iterating, and IRLS that keeps moving a coefficient (no convergence in
 * MAX_ITER steps) is reported the same way, naming the coefficient.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "cxcase/customer.h"
#include "../model/design.h"

#define MAX_ITER 60
#define BETA_TOL 1e-11 /* converged when no coefficient moves by more, relatively */

struct cx_logit {
    size_t p;
    char **names;
    double *coef, *se, *z, *pval, *lo, *hi, *cov;
    double stat[CX_LOGIT_MAX];
};

void cx_logit_free(cx_logit *l)
{
    if (!l)
        return;
    for (size_t j = 0; l->names && j < l->p; j++)
        cx_free(l->names[j]);
    cx_free(l->names);
    cx_free(l->coef);
    cx_free(l);
}

size_t cx_logit_ncoef(const cx_logit *l) { return l->p; }
const char *cx_logit_coef_name(const cx_logit *l, size_t j) { return l->names[j]; }
const double *cx_logit_coef(const cx_logit *l) { return l->coef; }
const double *cx_logit_se(const cx_logit *l) { return l->se; }
const double *cx_logit_z(const cx_logit *l) { return l->z; }
const double *cx_logit_p(const cx_logit *l) { return l->pval; }
const double *cx_logit_ci_low(const cx_logit *l) { return l->lo; }
const double *cx_logit_ci_high(const cx_logit *l) { return l->hi; }
const double *cx_logit_covariance(const cx_logit *l) { return l->cov; }
double cx_logit_stat_get(const cx_logit *l, cx_logit_stat s) { return s < CX_LOGIT_MAX ? l->stat[s] : NAN; }

size_t cx_logit_coef_index(const cx_logit *l, const char *name)
{
    for (size_t j = 0; j < l->p; j++)
        if (strcmp(l->names[j], name) == 0)
            return j;
    return l->p;
}

/* The Wilson score interval (Wilson 1927). */
void cx_wilson(double x, double n, double z, double *low, double *high)
{
    if (!(n > 0)) {
        *low = 0;
        *high = 1;
        return;
    }
    double p = x / n, z2 = z * z;
    double centre = (p + z2 / (2 * n)) / (1 + z2 / n);
    double half = z / (1 + z2 / n) * sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    *low = centre - half < 0 ? 0 : centre - half; /* within [0, 1]: only rounding could leave it */
    *high = centre + half > 1 ? 1 : centre + half;
}

/* -2 log L of s ones among n rows at probability mu, summed over the groups. */
static double deviance(const gsl_vector *s, const gsl_vector *n, const gsl_vector *mu)
{
    long double d = 0;
    for (size_t i = 0; i < s->size; i++) {
        double si = gsl_vector_get(s, i), ni = gsl_vector_get(n, i), m = gsl_vector_get(mu, i);
        if (si > 0)
            d += si * log(m);
        if (ni > si)
            d += (ni - si) * log1p(-m);
    }
    return (double)(-2 * d);
}

/*
 * The rows of the design, the outcomes checked to be 0 or 1, collapsed into
 * groups of identical design rows: X has one row per group, S the number of
 * ones in it and N its rows.  The likelihood of 0/1 rows depends on them only
 * through these counts, so the fit, its covariance and its deviance are those
 * of the rows; with categories and whole-number covariates a million rows
 * are a few hundred groups.
 */
static cx_status collect(cx_design *d, cx_source *src, const char *target, gsl_matrix **X, gsl_vector **S,
                         gsl_vector **N, size_t *rows, size_t *dropped, cx_error *err)
{
    size_t p = cx_design_ncols(d), cap = 0, ng = 0, scap = 0, ncap = 0;
    double *gx = NULL, *gs = NULL, *gn = NULL, *x = cx_calloc(p + 1, sizeof(double));
    cx_strmap *seen = cx_strmap_new();
    cx_status st = x && seen ? cx_source_rewind(src, err) : CX_ENOMEM;
    cx_design_begin_pass(d);
    *dropped = *rows = 0;
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_source_next(src, &b, err);
        if (st != CX_OK || !b)
            break;
        for (size_t i = 0; i < cx_table_nrows(b) && st == CX_OK; i++) {
            double y, w;
            size_t unit, g;
            int r = cx_design_row(d, b, i, x, &y, &w, &unit, &st, err);
            if (r < 0)
                break;
            if (r == 0) {
                (*dropped)++;
                continue;
            }
            if (y != 0 && y != 1) {
                st = cx_error_set(err, CX_EINVAL, cx_table_source(b), cx_table_line(b, i), 0,
                                  "expected the outcome '%s' of the logistic regression to be 0 or 1, "
                                  "found %.15g", target, y);
                break;
            }
            for (size_t j = 0; j < p; j++)
                x[j] = x[j] == 0 ? 0 : x[j]; /* -0 and 0 are one group */
            int fresh;
            if (cx_strmap_intern(seen, (const char *)x, p * sizeof(double), ng, &g, &fresh, NULL) != CX_OK ||
                (fresh && (cx_grow((void **)&gx, &cap, (ng + 1) * p, sizeof(double)) != CX_OK ||
                           cx_grow((void **)&gs, &scap, ng + 1, sizeof(double)) != CX_OK ||
                           cx_grow((void **)&gn, &ncap, ng + 1, sizeof(double)) != CX_OK))) {
                st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
                break;
            }
            if (fresh) {
                memcpy(gx + ng * p, x, p * sizeof(double));
                gs[ng] = gn[ng] = 0;
                ng++;
            }
            gs[g] += y;
            gn[g] += 1;
            (*rows)++;
        }
    }
    cx_free(x);
    cx_strmap_free(seen);
    if (st == CX_OK && *rows <= p)
        st = cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                          "expected more rows than the logistic regression's %zu coefficients, found %zu", p, *rows);
    if (st == CX_OK && ng < p)
        st = cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                          "expected the logistic regression's %zu coefficients to be identified, but its rows "
                          "have only %zu distinct combinations of the terms", p, ng);
    if (st == CX_OK) {
        *X = gsl_matrix_alloc(ng, p);
        *S = gsl_vector_alloc(ng);
        *N = gsl_vector_alloc(ng);
        if (!*X || !*S || !*N)
            st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        else {
            memcpy((*X)->data, gx, ng * p * sizeof(double));
            memcpy((*S)->data, gs, ng * sizeof(double));
            memcpy((*N)->data, gn, ng * sizeof(double));
        }
    }
    cx_free(gx);
    cx_free(gs);
    cx_free(gn);
    return st;
}

/* A 0/1 column whose rows with 1 all have one outcome: complete separation. */
static cx_status check_separation(const cx_design *d, const gsl_matrix *X, const gsl_vector *s,
                                  const gsl_vector *n, const char *target, cx_error *err)
{
    for (size_t j = cx_design_has_intercept(d) ? 1 : 0; j < X->size2; j++) {
        double n1 = 0, s1 = 0;
        int other = 0;
        for (size_t i = 0; i < X->size1; i++) {
            double v = gsl_matrix_get(X, i, j);
            if (v == 1) {
                n1 += gsl_vector_get(n, i);
                s1 += gsl_vector_get(s, i);
            } else if (v != 0) {
                other = 1;
                break;
            }
        }
        if (other || n1 == 0 || (s1 != 0 && s1 != n1))
            continue;
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "separation in the logistic regression: %s is %d in every one of the %.0f rows "
                            "of %s, so its coefficient is infinite; merge that level with another or "
                            "leave the term out",
                            target, s1 > 0 ? 1 : 0, n1, cx_design_colname(d, j));
    }
    return CX_OK;
}

/* IRLS from mu = (s + 1/2) / (n + 1) (R's start for binomial counts) until no
 * coefficient moves; the estimate and (X'WX)^-1 at the final weights in beta
 * and cov.  The working response of a group is eta + (s/n - mu) / (mu (1 - mu)),
 * its weight n mu (1 - mu). */
static cx_status irls(const cx_design *d, const gsl_matrix *X, const gsl_vector *s, const gsl_vector *cnt,
                      gsl_vector *beta,
                      gsl_matrix *cov, double *dev, size_t *iters, cx_error *err)
{
    size_t n = X->size1, p = X->size2;
    gsl_vector *mu = gsl_vector_alloc(n), *eta = gsl_vector_alloc(n);
    gsl_vector *w = gsl_vector_alloc(n), *z = gsl_vector_alloc(n), *old = gsl_vector_alloc(p);
    gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, p);
    cx_status st = CX_OK;
    if (!mu || !eta || !w || !z || !old || !ws) {
        st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        double m = (gsl_vector_get(s, i) + 0.5) / (gsl_vector_get(cnt, i) + 1);
        gsl_vector_set(mu, i, m);
        gsl_vector_set(eta, i, log(m / (1 - m)));
    }
    gsl_vector_set_all(beta, 0);
    size_t worst = 0;
    *iters = 0;
    for (size_t it = 1; it <= MAX_ITER + 1; it++) {
        int at_bound = 0;
        for (size_t i = 0; i < n; i++) {
            double m = gsl_vector_get(mu, i), v = m * (1 - m), ni = gsl_vector_get(cnt, i);
            at_bound |= !(v > 1e-300);
            gsl_vector_set(w, i, ni * v);
            gsl_vector_set(z, i, gsl_vector_get(eta, i) + (gsl_vector_get(s, i) / ni - m) / v);
        }
        if (at_bound) { /* a probability reached 0 or 1: the weights vanish */
            *iters = MAX_ITER + 1;
            break;
        }
        gsl_vector_memcpy(old, beta);
        double chisq;
        int gs = gsl_multifit_wlinear(X, w, z, beta, cov, &chisq, ws);
        if (gs) {
            st = cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "the logistic regression's least squares step failed: %s",
                              gsl_strerror(gs));
            goto done;
        }
        for (size_t j = 0; j < p; j++)
            if (!isfinite(gsl_vector_get(beta, j))) {
                *iters = MAX_ITER + 1;
                worst = j;
            }
        if (*iters > MAX_ITER)
            break;
        gsl_blas_dgemv(CblasNoTrans, 1.0, X, beta, 0.0, eta);
        for (size_t i = 0; i < n; i++)
            gsl_vector_set(mu, i, 1 / (1 + exp(-gsl_vector_get(eta, i))));
        double moved = 0;
        for (size_t j = 0; j < p; j++) {
            double b = gsl_vector_get(beta, j), ch = fabs(b - gsl_vector_get(old, j)) / (fabs(b) + 1e-3);
            if (ch > moved) {
                moved = ch;
                worst = j;
            }
        }
        *iters = it;
        if (moved < BETA_TOL || it == MAX_ITER + 1)
            break;
    }
    /* the covariance at the final probabilities */
    for (size_t i = 0; i < n; i++) {
        double m = gsl_vector_get(mu, i), ni = gsl_vector_get(cnt, i);
        gsl_vector_set(w, i, ni * m * (1 - m));
        gsl_vector_set(z, i, gsl_vector_get(eta, i) + (gsl_vector_get(s, i) / ni - m) / (m * (1 - m)));
    }
    if (*iters > MAX_ITER) {
        /* name the term that moves the fit most: |b_j| times the range of x_j */
        double most = -1;
        for (size_t j = cx_design_has_intercept(d) ? 1 : 0; j < p; j++) {
            double lo = INFINITY, hi = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                double v = gsl_matrix_get(X, i, j);
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
            }
            double b = fabs(gsl_vector_get(beta, j)), m = isfinite(b) ? b * (hi - lo) : INFINITY;
            if (m > most) {
                most = m;
                worst = j;
            }
        }
        st = cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                          "separation in the logistic regression: the coefficient of '%s' grows without "
                          "bound (the fitted probabilities reach 0 or 1), so it has no finite estimate; "
                          "merge levels or leave the term out",
                          cx_design_colname(d, worst));
        goto done;
    }
    {
        gsl_vector *b2 = gsl_vector_alloc(p);
        double chisq;
        int gs = b2 ? gsl_multifit_wlinear(X, w, z, b2, cov, &chisq, ws) : GSL_ENOMEM;
        gsl_vector_free(b2);
        if (gs) {
            st = cx_error_set(err, CX_ENUMERIC, NULL, 0, 0, "the logistic regression's covariance failed: %s",
                              gsl_strerror(gs));
            goto done;
        }
    }
    *dev = deviance(s, cnt, mu);
done:
    gsl_vector_free(mu);
    gsl_vector_free(eta);
    gsl_vector_free(w);
    gsl_vector_free(z);
    gsl_vector_free(old);
    if (ws)
        gsl_multifit_linear_free(ws);
    return st;
}

/* Fill the result from the estimate and covariance. */
static cx_status result(const cx_design *d, const gsl_vector *beta, const gsl_matrix *cov, cx_logit **out,
                        cx_error *err)
{
    size_t p = beta->size;
    cx_logit *l = cx_calloc(1, sizeof *l);
    if (!l || !(l->names = cx_calloc(p, sizeof(char *))) || !(l->coef = cx_calloc(6 * p + p * p, sizeof(double)))) {
        cx_logit_free(l);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    l->p = p;
    l->se = l->coef + p;
    l->z = l->se + p;
    l->pval = l->z + p;
    l->lo = l->pval + p;
    l->hi = l->lo + p;
    l->cov = l->hi + p;
    const double q = gsl_cdf_ugaussian_Pinv(0.975);
    for (size_t j = 0; j < p; j++) {
        if (!(l->names[j] = cx_strdup(cx_design_colname(d, j)))) {
            cx_logit_free(l);
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        }
        l->coef[j] = gsl_vector_get(beta, j);
        l->se[j] = sqrt(gsl_matrix_get(cov, j, j));
        l->z[j] = l->coef[j] / l->se[j];
        l->pval[j] = 2 * gsl_cdf_ugaussian_Q(fabs(l->z[j]));
        l->lo[j] = l->coef[j] - q * l->se[j];
        l->hi[j] = l->coef[j] + q * l->se[j];
        for (size_t k = 0; k < p; k++)
            l->cov[j * p + k] = gsl_matrix_get(cov, j, k);
    }
    *out = l;
    return CX_OK;
}

cx_status cx_logit_fit_table(const cx_table *data, const char *target, const char *const *terms,
                             size_t nterms, cx_logit **out, cx_error *err)
{
    *out = NULL;
    cx_spec *spec = NULL;
    cx_design *d = NULL;
    cx_source src;
    memset(&src, 0, sizeof src);
    gsl_matrix *X = NULL, *cov = NULL;
    gsl_vector *y = NULL, *cnt = NULL, *beta = NULL;
    static const char *const no_units[1] = {NULL};
    size_t dropped = 0, iters = 0, n = 0;
    double dev = NAN;
    cx_status st = cx_spec_simple(target, terms, nterms, 1, &spec, err);
    if (st == CX_OK)
        st = cx_source_table(&src, data, no_units, 0, err);
    if (st == CX_OK)
        st = cx_design_new(spec, 0, src.schema, &d, err);
    if (st == CX_OK)
        st = cx_design_levels(d, &src, err);
    if (st == CX_OK)
        st = collect(d, &src, target, &X, &y, &cnt, &n, &dropped, err);
    if (st == CX_OK)
        st = check_separation(d, X, y, cnt, target, err);
    if (st == CX_OK) {
        beta = gsl_vector_alloc(X->size2);
        cov = gsl_matrix_alloc(X->size2, X->size2);
        st = beta && cov ? irls(d, X, y, cnt, beta, cov, &dev, &iters, err)
                         : cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (st == CX_OK)
        st = result(d, beta, cov, out, err);
    if (st == CX_OK) {
        cx_logit *l = *out;
        size_t p = X->size2;
        double ybar = 0;
        for (size_t i = 0; i < X->size1; i++)
            ybar += gsl_vector_get(y, i);
        ybar /= (double)n;
        double nulldev = -2.0 * (double)n * (ybar > 0 ? ybar * log(ybar) : 0) -
                         2.0 * (double)n * (ybar < 1 ? (1 - ybar) * log1p(-ybar) : 0);
        l->stat[CX_LOGIT_N] = (double)n;
        l->stat[CX_LOGIT_N_DROPPED] = (double)dropped;
        l->stat[CX_LOGIT_DEVIANCE] = dev;
        l->stat[CX_LOGIT_NULL_DEVIANCE] = nulldev;
        l->stat[CX_LOGIT_DF_RESID] = (double)(n - p);
        l->stat[CX_LOGIT_DF_NULL] = (double)(n - 1);
        l->stat[CX_LOGIT_AIC] = dev + 2.0 * (double)p;
        l->stat[CX_LOGIT_ITERATIONS] = (double)iters;
    }
    gsl_matrix_free(X);
    gsl_matrix_free(cov);
    gsl_vector_free(y);
    gsl_vector_free(cnt);
    gsl_vector_free(beta);
    cx_design_free(d);
    cx_source_close(&src);
    cx_spec_free(spec);
    return st;
}
