/*
 * ridge.c - the ridge estimator: least squares with an L2 penalty on the
 * standardised drivers, the penalty chosen by generalised cross-validation
 * unless the spec gives one.  The rows are held in memory (pass 1 collects
 * them); GSL's Tikhonov routines (gsl_multifit_linear_svd, _solve, _gcv)
 * do the work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <gsl/gsl_min.h>
#include <gsl/gsl_multifit.h>

#include "estimator.h"

/* GCV(lambda) on log(lambda), for the Brent minimiser. */
typedef struct gcvctx {
    gsl_vector *uty;
    double delta0;
    gsl_multifit_linear_workspace *w;
} gcvctx;

static double gcv_at(double loglam, void *params)
{
    gcvctx *g = params;
    return gsl_multifit_linear_gcv_calc(exp(loglam), g->uty, g->delta0, g->w);
}

/*
 * The penalty minimising generalised cross-validation (Golub, Heath and
 * Wahba 1979).  gsl_multifit_linear_gcv searches only between the smallest
 * and largest singular values, so a problem that needs little or no
 * shrinkage gets at least the smallest singular value as its penalty.  This
 * evaluates GCV (gsl_multifit_linear_gcv_calc) on a log grid that reaches
 * far below, and at 0, then refines the best grid point with GSL's Brent
 * minimiser.  `reg` and `G` are workspaces of equal length.
 */
static int gcv_lambda(const gsl_vector *y, gsl_multifit_linear_workspace *w, gsl_vector *reg, gsl_vector *G,
                      double *lambda)
{
    size_t q = w->p, m = reg->size;
    gsl_vector *uty = gsl_vector_alloc(q);
    if (!uty)
        return GSL_ENOMEM;
    double delta0;
    int status = gsl_multifit_linear_gcv_init(y, reg, uty, &delta0, w);
    if (status) {
        gsl_vector_free(uty);
        return status;
    }
    double smax = gsl_vector_get(w->S, 0), smin = gsl_vector_get(w->S, q - 1);
    double hi = log(10 * smax), lo = log(fmax(smin, smax * 1e-8) * 1e-4);
    size_t best = 0;
    for (size_t i = 0; i < m; i++) {
        double l = exp(hi + (lo - hi) * (double)i / (double)(m - 1));
        gsl_vector_set(reg, i, l);
        gsl_vector_set(G, i, gsl_multifit_linear_gcv_calc(l, uty, delta0, w));
        if (gsl_vector_get(G, i) < gsl_vector_get(G, best))
            best = i;
    }
    double g0 = gsl_multifit_linear_gcv_calc(0.0, uty, delta0, w);
    if (best == m - 1 || g0 <= gsl_vector_get(G, best)) {
        *lambda = g0 <= gsl_vector_get(G, best) ? 0.0 : gsl_vector_get(reg, best);
    } else if (best == 0) {
        *lambda = gsl_vector_get(reg, 0);
    } else {
        gcvctx ctx = {uty, delta0, w};
        gsl_function F = {gcv_at, &ctx};
        gsl_min_fminimizer *mz = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
        double a = log(gsl_vector_get(reg, best + 1)), b = log(gsl_vector_get(reg, best - 1));
        double x = log(gsl_vector_get(reg, best));
        status = mz ? gsl_min_fminimizer_set(mz, &F, x, a, b) : GSL_ENOMEM;
        for (int it = 0; !status && it < 100; it++) {
            status = gsl_min_fminimizer_iterate(mz);
            if (status)
                break;
            x = gsl_min_fminimizer_x_minimum(mz);
            if (gsl_min_test_interval(gsl_min_fminimizer_x_lower(mz), gsl_min_fminimizer_x_upper(mz), 1e-10, 0) == GSL_SUCCESS)
                break;
        }
        if (mz)
            gsl_min_fminimizer_free(mz);
        *lambda = exp(x);
    }
    gsl_vector_free(uty);
    return status;
}

/*
 * Ridge regression on standardised columns: the columns (all but the
 * intercept) are centred at their weighted means and scaled to unit norm, so
 * the penalty treats every driver alike and leaves the intercept alone; the
 * penalty is chosen by generalised cross-validation (gsl_multifit_linear_gcv)
 * unless the spec gives "lambda" (on that standardised scale).  cov receives
 * the covariance divided by sigma^2; df_model the effective number of
 * parameters, trace of the hat matrix plus the intercept.
 */
static cx_status fit_ridge(fitctx *c, const cx_eqspec *es, double *beta, double *cov, double *df_model,
                           double *lambda_out, cx_error *err)
{
    size_t n = c->nall, p = c->p, k0 = es->intercept ? 1 : 0, q = p - k0;
    cx_status st = CX_OK;
    if (q == 0)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "equation '%s': ridge needs at least one term", es->name);
    gsl_matrix *Z = gsl_matrix_alloc(n, q);
    gsl_vector *y = gsl_vector_alloc(n), *cz = gsl_vector_alloc(q);
    gsl_vector *reg = gsl_vector_alloc(200), *G = gsl_vector_alloc(200);
    gsl_multifit_linear_workspace *w = gsl_multifit_linear_alloc(n, q);
    double *mean = cx_calloc(p + 1, sizeof(double)), *scale = cx_calloc(p + 1, sizeof(double));
    if (!Z || !y || !cz || !reg || !G || !w || !mean || !scale) {
        st = cx_fit_oom(err);
        goto done;
    }
    double ymean = es->intercept ? c->ymean : 0;
    for (size_t j = k0; j < p; j++)
        mean[j] = es->intercept ? c->colsum[j] / c->sumw : 0;
    for (size_t j = k0; j < p; j++) {
        long double ss = 0;
        for (size_t i = 0; i < n; i++) {
            double z = c->xall[i * p + j] - c->swall[i] * mean[j];
            ss += (long double)z * z;
        }
        scale[j] = sqrt((double)ss);
        if (!(scale[j] > 0)) {
            st = cx_error_set(err, CX_EINVAL, NULL, 0, 0, "equation '%s': a term is constant in the rows used", es->name);
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            gsl_matrix_set(Z, i, j - k0, (c->xall[i * p + j] - c->swall[i] * mean[j]) / scale[j]);
    }
    for (size_t i = 0; i < n; i++)
        gsl_vector_set(y, i, c->yall[i] - c->swall[i] * ymean);
    int status = gsl_multifit_linear_svd(Z, w);
    double lambda = es->lambda;
    if (!status && isnan(lambda))
        status = gcv_lambda(y, w, reg, G, &lambda);
    double rnorm, snorm;
    if (!status)
        status = gsl_multifit_linear_solve(lambda, Z, y, cz, &rnorm, &snorm, w);
    if (status) {
        st = cx_fit_gsl_fail(err, status, "the ridge fit");
        goto done;
    }
    /* back to the original scale */
    double trace = 0;
    for (size_t j = 0; j < q; j++) {
        double sj = gsl_vector_get(w->S, j);
        trace += sj * sj / (sj * sj + lambda * lambda);
    }
    for (size_t j = k0; j < p; j++)
        beta[j] = gsl_vector_get(cz, j - k0) / scale[j];
    if (k0) {
        beta[0] = ymean;
        for (size_t j = 1; j < p; j++)
            beta[0] -= mean[j] * beta[j];
    }
    /* Cov(cz) / sigma^2 = V diag(s^2 / (s^2 + lambda^2)^2) V' (GSL keeps V in Q) */
    for (size_t a = 0; a < q; a++)
        for (size_t b = 0; b < q; b++) {
            double v = 0;
            for (size_t k = 0; k < q; k++) {
                double sk = gsl_vector_get(w->S, k), d = sk * sk + lambda * lambda;
                v += gsl_matrix_get(w->Q, a, k) * gsl_matrix_get(w->Q, b, k) * sk * sk / (d * d);
            }
            cov[(a + k0) * p + (b + k0)] = v / (scale[a + k0] * scale[b + k0]);
        }
    if (k0) {
        /* beta0 = ybar - m' beta: Var = 1/sum(w) + m' C m, Cov(beta0, beta) = -C m */
        double v0 = 1.0 / c->sumw;
        for (size_t a = 1; a < p; a++) {
            double cm = 0;
            for (size_t b = 1; b < p; b++)
                cm += cov[a * p + b] * mean[b];
            cov[a * p] = cov[a] = -cm;
            v0 += mean[a] * cm;
        }
        cov[0] = v0;
    }
    *df_model = trace + (double)k0;
    *lambda_out = lambda;
done:
    gsl_matrix_free(Z);
    gsl_vector_free(y);
    gsl_vector_free(cz);
    gsl_vector_free(reg);
    gsl_vector_free(G);
    if (w)
        gsl_multifit_linear_free(w);
    cx_free(mean);
    cx_free(scale);
    return st;
}

static cx_status ridge_estimate(const cx_est_input *in, cx_est *out, cx_error *err)
{
    out->cov_kind = CX_COV_SIGMA2;
    return fit_ridge(in->c, in->es, out->beta, out->cov, &out->df_model, &out->lambda, err);
}

static const cx_estimator_type ridge_type = {"ridge", 1, ridge_estimate};
const cx_estimator_type *const cx_est_ridge = &ridge_type;
