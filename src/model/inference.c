/*
 * inference.c - what a statistician signs, once for every estimator: the
 * fit statistics (R^2, F, likelihood, Durbin-Watson, Jarque-Bera,
 * Breusch-Pagan), the covariance as the estimator says to make it (classic,
 * given, or a sandwich around its bread), the tests and intervals, VIF,
 * relative importance (LMG), standardised coefficients and elasticities,
 * the fixed coefficients, the ranges of the inputs and the warnings in
 * plain language.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_multilarge.h>
#include <gsl/gsl_sf_gamma.h>

#include "estimator.h"
#include "importance.h"

/* Two-sided p-value of a t statistic with df degrees of freedom, through the
 * regularised incomplete beta function: P(|T| > |t|) = I_{df/(df+t^2)}(df/2,
 * 1/2).  gsl_cdf_tdist_Q loses about 8 digits far in the tail (t = 13, df =
 * 45); the incomplete beta keeps about 14, like R's pt.  df infinite: the
 * normal distribution. */
static double t_pvalue(double t, double df)
{
    if (!isfinite(t))
        return isnan(t) ? NAN : 0.0;
    if (isinf(df))
        return 2 * gsl_cdf_ugaussian_Q(fabs(t));
    return gsl_sf_beta_inc(df / 2, 0.5, df / (df + t * t));
}

/* Upper tail of the F distribution, by the same route:
 * P(F > f) = I_{d2/(d2+d1 f)}(d2/2, d1/2). */
static double f_pvalue(double f, double d1, double d2)
{
    if (!isfinite(f))
        return isnan(f) ? NAN : 0.0;
    if (f <= 0)
        return 1.0;
    return gsl_sf_beta_inc(d2 / 2, d1 / 2, d2 / (d2 + d1 * f));
}

/* ======================================================================== */
/* Fit statistics                                                           */
/* ======================================================================== */

/* Jarque-Bera from the central moments of the weighted residuals. */
static void jarque_bera(const respass *rp, double n, cx_equation *e)
{
    long double m1 = rp->sum_e / (long double)n;
    long double m2 = rp->sum_e2 / n - m1 * m1;
    long double m3 = rp->sum_e3 / n - 3 * m1 * rp->sum_e2 / n + 2 * m1 * m1 * m1;
    long double m4 = rp->sum_e4 / n - 4 * m1 * rp->sum_e3 / n + 6 * m1 * m1 * rp->sum_e2 / n - 3 * m1 * m1 * m1 * m1;
    if (m2 > 0) {
        double skew = (double)(m3 / powl(m2, 1.5L)), kurt = (double)(m4 / (m2 * m2));
        double jb = n / 6 * (skew * skew + (kurt - 3) * (kurt - 3) / 4);
        e->stat[CX_STAT_JB] = jb;
        e->stat[CX_STAT_JB_P] = gsl_cdf_chisq_Q(jb, 2);
    }
}

/* Breusch-Pagan (Koenker's studentised form): n R^2 of e^2 on X. */
static void breusch_pagan(const respass *rp, const gsl_matrix *R, size_t p, double n, cx_equation *e)
{
    if (!(rp->paux > 1 && rp->aux_m2 > 0))
        return;
    gsl_vector *caux = gsl_vector_alloc(rp->paux);
    double rnorm = 0, snorm = 0;
    int ok = 0;
    if (caux && rp->paux == p) {
        /* fitted sum of squares of e^2 on X: |R^-T X'z|^2 */
        for (size_t j = 0; j < p; j++)
            gsl_vector_set(caux, j, (double)rp->xz[j]);
        gsl_blas_dtrsv(CblasUpper, CblasTrans, CblasNonUnit, R, caux);
        double fitted = gsl_blas_dnrm2(caux), zz = rp->aux_m2 + rp->aux_n * rp->aux_mean * rp->aux_mean;
        rnorm = sqrt(fmax(0.0, zz - fitted * fitted));
        ok = 1;
    } else if (caux && gsl_multilarge_linear_solve(0.0, caux, &rnorm, &snorm, rp->aux) == 0)
        ok = 1;
    if (ok) {
        double r2aux = 1 - rnorm * rnorm / rp->aux_m2;
        double lm = n * r2aux;
        e->stat[CX_STAT_BP] = lm;
        e->stat[CX_STAT_BP_P] = gsl_cdf_chisq_Q(lm, (double)rp->paux - 1);
    }
    gsl_vector_free(caux);
}

/* n, degrees of freedom, sigma, R^2, F, likelihood and the residual tests. */
static void fit_statistics(const fitrun *f, cx_equation *e)
{
    const fitctx *c = &f->c;
    const cx_est *est = f->est;
    const respass *rp = &f->rp;
    size_t p = c->p;
    double n = c->n, rss = (double)rp->rss;
    double df = n - est->df_model;
    double sigma2 = isnan(est->sigma) ? rss / df : est->sigma * est->sigma;
    if (c->nme) {
        /* errors-in-variables: the equation's own error, without the part
         * of the residuals that is the regressors' noise, beta' S beta */
        double bsb = 0;
        for (size_t k = 0; k < c->nme; k++)
            bsb += c->me_sum[k] * est->beta[c->me_col[k]] * est->beta[c->me_col[k]];
        if (!(rss > bsb))
            cx_warnings_add(e->warn, "the residuals vary less than the declared measurement error alone would "
                                     "make them (%.4g against %.4g): the standard errors of the terms measured "
                                     "with error look too large, or their errors are not independent of the "
                                     "target's",
                            rss, bsb);
        sigma2 = fmax(0.0, (rss - bsb) / df);
    }
    int icpt = f->es->intercept;
    double tss = icpt ? c->ym2 : (double)c->sumwy2;
    double r2 = tss > 0 ? 1 - rss / tss : NAN;
    double k0 = icpt ? 1 : 0;
    double dfm = (double)p - k0;
    double fstat = dfm > 0 && est->cov_kind != CX_COV_GIVEN && !est->no_f && f->type == cx_est_ols
                       ? ((tss - rss) / dfm) / sigma2 : NAN;
    double ll = -0.5 * n * (log(2 * M_PI) + log(rss / n) + 1) + 0.5 * c->sumlogw;
    if (est->no_f)
        ll = NAN;
    e->lambda = est->lambda;
    e->stat[CX_STAT_LAMBDA] = est->lambda;
    e->stat[CX_STAT_N] = n;
    e->stat[CX_STAT_N_DROPPED] = c->ndropped;
    e->stat[CX_STAT_DF_RESID] = df;
    e->stat[CX_STAT_SIGMA] = sqrt(sigma2);
    e->stat[CX_STAT_RSS] = rss;
    e->stat[CX_STAT_R2] = r2;
    e->stat[CX_STAT_ADJ_R2] = 1 - (1 - r2) * (n - k0) / df;
    e->stat[CX_STAT_F] = fstat;
    e->stat[CX_STAT_F_P] = dfm > 0 ? f_pvalue(fstat, dfm, df) : NAN;
    e->stat[CX_STAT_LOGLIK] = ll;
    e->stat[CX_STAT_AIC] = -2 * ll + 2 * ((double)p + 1);
    e->stat[CX_STAT_BIC] = -2 * ll + log(n) * ((double)p + 1);
    e->stat[CX_STAT_CONDITION] = f->kappa;
    e->stat[CX_STAT_DW] = rp->rss > 0 && !f->mg ? (double)(rp->dw_num / rp->rss) : NAN;
    e->stat[CX_STAT_TAU2] = est->tau2;
    e->stat[CX_STAT_TAU2_SE] = est->se_tau2;
    jarque_bera(rp, n, e);
    breusch_pagan(rp, f->R, p, n, e);
}

/* ======================================================================== */
/* Covariance                                                               */
/* ======================================================================== */

/* factor x B M B into cov (p x p), M symmetric from its lower triangle in
 * `meat` or from the per-unit sums `clus` (G units). */
static void sandwich(const double *B, double *meat, const double *clus, size_t G, size_t p, double factor,
                     double *cov)
{
    if (clus) {
        memset(meat, 0, p * p * sizeof(double));
        for (size_t g = 0; g < G; g++)
            for (size_t j = 0; j < p; j++)
                for (size_t k = 0; k <= j; k++)
                    meat[j * p + k] += clus[g * p + j] * clus[g * p + k];
    }
    for (size_t j = 0; j < p; j++)
        for (size_t k = j + 1; k < p; k++)
            meat[j * p + k] = meat[k * p + j];
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++) {
            double s = 0;
            for (size_t a = 0; a < p; a++) {
                double t = 0;
                for (size_t b = 0; b < p; b++)
                    t += meat[a * p + b] * B[b * p + j];
                s += B[i * p + a] * t;
            }
            cov[i * p + j] = factor * s;
        }
}

/* The number of clusters for clustered standard errors, or an error when
 * there are too few. */
static cx_status clusters(const fitrun *f, cx_equation *e, size_t *G, cx_error *err)
{
    const cx_design *d = f->c.d;
    *G = f->mg ? f->mg->nunits : cx_design_nunits(d);
    if (f->mg)
        ; /* merged_meat checked them */
    else if (*G < 2 || !cx_design_has_units(d)) {
        const cx_source *src = f->src;
        return cx_error_set(err, CX_EINVAL, src->path ? src->path : cx_table_source(src->schema), 0, 0,
                            !cx_design_has_units(d)
                                ? "equation '%s': clustered standard errors need units (text "
                                  "columns of data with a period column), found none; use --se hc1 or hc3"
                                : "equation '%s': clustered standard errors need at least 2 units, "
                                  "found 1; use --se hc1 or hc3",
                            f->es->name);
    }
    if (*G < 10)
        cx_warnings_add(e->warn, "clustered standard errors rest on only %zu units (clusters); "
                                 "with fewer than about 10 they are unreliable",
                        *G);
    for (size_t j = 0; j < f->c.p; j++)
        if (cx_design_col_is_unit_effect(d, j)) {
            cx_warnings_add(e->warn, "clustered by unit, the standard errors of the units' own effects (%s and "
                                     "its siblings) are not identified: each unit's residuals sum to zero in its "
                                     "own cluster; read them as descriptive only",
                            cx_design_colname(d, j));
            break;
        }
    return CX_OK;
}

/* The covariance of the estimate into e->cov; *dfe receives the degrees of
 * freedom of its tests (infinite for z-based estimators). */
static cx_status covariance(fitrun *f, cx_equation *e, double *dfe, cx_error *err)
{
    const cx_est *est = f->est;
    size_t p = f->c.p;
    double n = f->c.n, df = n - est->df_model;
    *dfe = est->z_based ? INFINITY : df;
    if (est->cov_kind == CX_COV_GIVEN) {
        for (size_t i = 0; i < p; i++)
            memcpy(e->cov + i * e->p, est->cov + i * p, p * sizeof(double));
        return CX_OK;
    }
    if (est->cov_kind == CX_COV_SIGMA2) {
        double s2 = e->stat[CX_STAT_SIGMA] * e->stat[CX_STAT_SIGMA];
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                e->cov[i * e->p + j] = s2 * est->cov[i * p + j];
        return CX_OK;
    }
    size_t G = 0;
    double factor = n / df;
    if (est->se == CX_SE_CLUSTER) {
        cx_status st = clusters(f, e, &G, err);
        if (st != CX_OK)
            return st;
        factor = ((double)G / (double)(G - 1)) * ((n - 1) / df);
        *dfe = (double)G - 1;
    } else if (est->se == CX_SE_HC3)
        factor = 1;
    double *cov = cx_calloc(p * p + 1, sizeof(double));
    if (!cov)
        return cx_fit_oom(err);
    const int cl = est->se == CX_SE_CLUSTER;
    if (est->se == CX_SE_HC3 && f->rp.nlev1)
        cx_warnings_add(e->warn, "HC3 standard errors are undefined: %zu row%s leverage 1%s%s%s (such a row fits "
                                 "its own value exactly, and its adjusted residual is 0/0); use se \"hc1\"",
                        f->rp.nlev1, f->rp.nlev1 == 1 ? " has" : "s have",
                        f->rp.lev1 ? ", the first in " : "",
                        f->rp.lev1 ? cx_design_colname(f->c.d, f->rp.lev1 - 1) : "",
                        f->rp.lev1 ? " (a level with a single row)" : "");
    if (G > f->rp.ucap)
        G = f->rp.ucap; /* units without a row used add nothing */
    sandwich(est->cov, f->rp.meat, cl ? f->rp.clus : NULL, G, p, factor, cov);
    for (size_t i = 0; i < p; i++)
        memcpy(e->cov + i * e->p, cov + i * p, p * sizeof(double));
    if (est->naive && f->rp.meat_n) {
        /* the naive fit's standard errors, of the same kind around (X'WX)^-1 */
        double *A = cx_calloc(p * p + 1, sizeof(double));
        e->naive_coef = cx_calloc(p + 1, sizeof(double));
        e->naive_se = cx_calloc(p + 1, sizeof(double));
        if (!A || !e->naive_coef || !e->naive_se) {
            cx_free(A);
            cx_free(cov);
            return cx_fit_oom(err);
        }
        for (size_t i = 0; i < p; i++)
            for (size_t j = 0; j < p; j++)
                A[i * p + j] = gsl_matrix_get(f->A, i, j);
        sandwich(A, f->rp.meat_n, cl ? f->rp.clus_n : NULL, G, p, factor, cov);
        for (size_t j = 0; j < p; j++) {
            e->naive_coef[j] = est->naive[j];
            e->naive_se[j] = sqrt(cov[j * p + j]);
        }
        cx_free(A);
    }
    cx_free(cov);
    return CX_OK;
}

/* ======================================================================== */
/* Terms                                                                    */
/* ======================================================================== */

/* Names, coefficients, standard errors, tests and 95% intervals. */
static cx_status term_tests(const fitrun *f, cx_equation *e, double dfe, cx_error *err)
{
    double tq = isinf(dfe) ? 1.959963984540054 : gsl_cdf_tdist_Pinv(0.975, dfe);
    for (size_t j = 0; j < f->c.p; j++) {
        if (!(e->names[j] = cx_strdup(cx_design_colname(f->c.d, j))))
            return cx_fit_oom(err);
        e->coef[j] = f->est->beta[j];
        e->se[j] = sqrt(e->cov[j * e->p + j]);
        e->t[j] = e->coef[j] / e->se[j];
        e->pval[j] = t_pvalue(e->t[j], dfe);
        e->lo[j] = e->coef[j] - tq * e->se[j];
        e->hi[j] = e->coef[j] + tq * e->se[j];
    }
    return CX_OK;
}

/* VIF of each non-intercept column from X'WX = R'R and the weighted column
 * means: the diagonal of the inverse correlation matrix. */
static void compute_vif(const gsl_matrix *R, const double *colsum, double sumw, int intercept, double *vif)
{
    size_t p = R->size1, k0 = intercept ? 1 : 0, m = p - k0;
    for (size_t j = 0; j < p; j++)
        vif[j] = NAN;
    if (m < 2) {
        if (m == 1)
            vif[k0] = 1.0;
        return;
    }
    gsl_matrix *C = gsl_matrix_alloc(m, m);
    double *sd = cx_calloc(m, sizeof(double));
    if (!C || !sd) {
        gsl_matrix_free(C);
        cx_free(sd);
        return;
    }
    int ok = 1;
    for (size_t a = 0; a < m; a++)
        for (size_t b = 0; b <= a; b++) {
            size_t ja = a + k0, jb = b + k0;
            double s = 0;
            for (size_t k = 0; k <= jb; k++)
                s += gsl_matrix_get(R, k, ja) * gsl_matrix_get(R, k, jb);
            if (intercept)
                s -= colsum[ja] * colsum[jb] / sumw;
            gsl_matrix_set(C, a, b, s);
            gsl_matrix_set(C, b, a, s);
        }
    for (size_t a = 0; a < m; a++) {
        ok &= gsl_matrix_get(C, a, a) > 0;
        sd[a] = sqrt(gsl_matrix_get(C, a, a));
    }
    if (ok) {
        for (size_t a = 0; a < m; a++)
            for (size_t b = 0; b < m; b++)
                gsl_matrix_set(C, a, b, gsl_matrix_get(C, a, b) / (sd[a] * sd[b]));
        if (gsl_linalg_cholesky_decomp1(C) == 0 && gsl_linalg_cholesky_invert(C) == 0)
            for (size_t a = 0; a < m; a++)
                vif[a + k0] = gsl_matrix_get(C, a, a);
    }
    cx_free(sd);
    gsl_matrix_free(C);
}

/* The moments of (X, y) for LMG: X'WX = R'R (less the noise S of the terms
 * measured with error, so that the shares are those of the true values),
 * X'Wy = R'Q'y, y'Wy; centred at the weighted means with an intercept. */
static void lmg_moments(const fitrun *f, double *M, size_t q)
{
    const fitctx *c = &f->c;
    size_t p = c->p;
    for (size_t a = 0; a < p; a++) {
        for (size_t b = a; b < p; b++) {
            double s2 = 0;
            for (size_t k = 0; k <= a; k++)
                s2 += gsl_matrix_get(f->R, k, a) * gsl_matrix_get(f->R, k, b);
            M[a * q + b] = M[b * q + a] = s2;
        }
        double xy = 0;
        for (size_t k = 0; k <= a; k++)
            xy += gsl_matrix_get(f->R, k, a) * gsl_vector_get(f->qtb, k);
        M[a * q + p] = M[p * q + a] = xy;
    }
    for (size_t k = 0; k < c->nme; k++)
        M[c->me_col[k] * q + c->me_col[k]] -= c->me_sum[k];
    M[p * q + p] = (double)c->sumwy2;
    if (!f->es->intercept)
        return;
    double mean_a, mean_b;
    for (size_t a = 1; a < q; a++)
        for (size_t b = 1; b < q; b++) {
            mean_a = a < p ? c->colsum[a] / c->sumw : c->ymean;
            mean_b = b < p ? c->colsum[b] / c->sumw : c->ymean;
            M[a * q + b] -= c->sumw * mean_a * mean_b;
        }
    for (size_t a = 1; a < q; a++)
        M[a] = M[a * q] = 0;
    M[p * q + p] = c->ym2;
}

/* Relative importance of the drivers (LMG), fixed effects in every
 * sub-model (see importance.h). */
static cx_status importance(const fitrun *f, cx_equation *e, cx_error *err)
{
    const fitctx *c = &f->c;
    size_t p = c->p, nk = 0, nd = 0, q = p + 1;
    int icpt = f->es->intercept;
    double tss = icpt ? c->ym2 : (double)c->sumwy2;
    size_t *keep = cx_calloc(p + 1, sizeof(size_t)), *drv = cx_calloc(p + 1, sizeof(size_t));
    double *M = cx_calloc(q * q, sizeof(double)), *share = cx_calloc(p + 1, sizeof(double));
    cx_status st = keep && drv && M && share ? CX_OK : cx_fit_oom(err);
    for (size_t j = 0; st == CX_OK && j < p; j++) {
        if ((icpt && j == 0) || cx_design_col_is_cat(c->d, j))
            keep[nk++] = j;
        else
            drv[nd++] = j;
    }
    if (st == CX_OK && nd > CX_LMG_MAX_DRIVERS)
        cx_warnings_add(e->warn, "relative importance is computed for at most %d drivers; this equation has %zu",
                        CX_LMG_MAX_DRIVERS, nd);
    else if (st == CX_OK && nd > 0 && tss > 0) {
        lmg_moments(f, M, q);
        cx_error lerr;
        cx_error_init(&lerr);
        double r2_keep = NAN;
        if (cx_lmg(M, p, keep, nk, drv, nd, tss, share, &r2_keep, &lerr) == CX_OK) {
            for (size_t k = 0; k < nd; k++)
                e->importance[drv[k]] = share[k];
            e->stat[CX_STAT_R2_FIXED] = r2_keep;
        } else
            cx_warnings_add(e->warn, "relative importance could not be computed: %s", lerr.message);
    }
    cx_free(keep);
    cx_free(drv);
    cx_free(M);
    cx_free(share);
    return st;
}

/* Standardised coefficients and elasticities at the (weighted) means of the
 * design column and the target; a column measured with error is scaled by
 * the standard deviation of its true values. */
static void standardised(const fitrun *f, cx_equation *e)
{
    const fitctx *c = &f->c;
    double ysd = sqrt(c->ym2 / c->sumw), ymean = c->ymean;
    for (size_t j = 0; j < c->p; j++) {
        if (f->es->intercept && j == 0)
            continue;
        double xx = 0;
        for (size_t k = 0; k <= j; k++)
            xx += gsl_matrix_get(f->R, k, j) * gsl_matrix_get(f->R, k, j);
        for (size_t k = 0; k < c->nme; k++)
            if (c->me_col[k] == j)
                xx -= c->me_sum[k];
        double m = c->colsum[j] / c->sumw, var = xx / c->sumw - m * m;
        e->std_coef[j] = var > 0 && ysd > 0 ? e->coef[j] * sqrt(var) / ysd : NAN;
        e->elasticity[j] = ymean != 0 ? e->coef[j] * m / ymean : NAN;
    }
}

/* The coefficients set by assumption, after the estimated ones. */
static cx_status fixed_terms(const fitrun *f, cx_equation *e, cx_error *err)
{
    for (size_t k = 0; k < f->es->nfixed; k++) {
        size_t j = f->c.p + k;
        const cx_fixed *fx = &f->es->fixed[k];
        if (!(e->names[j] = cx_strdup(fx->term)))
            return cx_fit_oom(err);
        e->fixed[j] = 1;
        e->coef[j] = fx->coef;
        e->se[j] = fx->se;
        e->cov[j * e->p + j] = fx->se * fx->se;
        e->t[j] = e->pval[j] = e->vif[j] = NAN;
        e->lo[j] = fx->coef - 1.959963984540054 * fx->se;
        e->hi[j] = fx->coef + 1.959963984540054 * fx->se;
    }
    return CX_OK;
}

/* The ranges of the inputs over the rows used. */
static cx_status input_ranges(const fitrun *f, cx_equation *e, cx_error *err)
{
    size_t nin = cx_design_ninputs(f->c.d);
    e->ranges = cx_calloc(nin + 1, sizeof(cx_range));
    if (!e->ranges)
        return cx_fit_oom(err);
    for (size_t k = 0; k < nin; k++) {
        if (!(e->ranges[k].col = cx_strdup(cx_design_input_name(f->c.d, k))))
            return cx_fit_oom(err);
        e->nranges++;
        e->ranges[k].min = f->c.rmin[k];
        e->ranges[k].max = f->c.rmax[k];
        e->ranges[k].mean = (double)(f->c.rsum[k] / (long double)f->c.n);
    }
    return CX_OK;
}

/* The terms measured with error: names, reliabilities, error variances. */
static cx_status me_terms(const fitrun *f, cx_equation *e, cx_error *err)
{
    const fitctx *c = &f->c;
    if (!c->nme)
        return CX_OK;
    e->me = cx_calloc(c->nme, sizeof(cx_me_term));
    if (!e->me)
        return cx_fit_oom(err);
    for (size_t k = 0; k < c->nme; k++) {
        const char *se, *col = cx_design_me_name(c->d, k, &se);
        cx_me_term *m = &e->me[k];
        e->nme = k + 1;
        m->term = cx_strdup(cx_design_colname(c->d, c->me_col[k]));
        m->column = cx_strdup(col);
        m->se_column = cx_strdup(se);
        if (!m->term || !m->column || !m->se_column)
            return cx_fit_oom(err);
        m->reliability = f->est->reliability[k];
        m->error_variance = c->me_sum[k] / c->sumw;
    }
    return CX_OK;
}

/* ======================================================================== */
/* Warnings                                                                 */
/* ======================================================================== */

static void warn_terms(const fitrun *f, cx_equation *e)
{
    for (size_t j = 0; j < f->c.p; j++) {
        if (f->es->intercept && j == 0)
            continue;
        if (e->pval[j] > 0.05)
            cx_warnings_add(e->warn, "'%s' is not significant at the 5%% level (p = %.3g): the data do "
                                     "not rule out that it has no effect on %s",
                            e->names[j], e->pval[j], f->es->target);
        if (e->vif[j] > 10)
            cx_warnings_add(e->warn, "'%s' is strongly collinear with the other terms (VIF %.1f > 10): its "
                                     "coefficient is imprecise and may change sign with little new data",
                            e->names[j], e->vif[j]);
    }
    /* the next longer period than the data's own, in the user's words */
    const char *longer = "longer periods";
    switch (cx_design_cadence(f->c.d)) {
    case CX_PERIOD_DAY: longer = "weeks instead of days"; break;
    case CX_PERIOD_WEEK: longer = "months instead of weeks"; break;
    case CX_PERIOD_MONTH: longer = "quarters instead of months"; break;
    case CX_PERIOD_QUARTER: longer = "years instead of quarters"; break;
    default: break;
    }
    for (size_t k = 0; k < e->nme; k++)
        if (e->me[k].reliability < 0.5)
            cx_warnings_add(e->warn, "'%s' is mostly sampling noise (reliability %.2f: %.0f%% of its variance, net "
                                     "of the other terms, is the survey's error): the correction is large and "
                                     "uncertain; %s or larger units would measure it better",
                            e->me[k].term, e->me[k].reliability, 100 * (1 - e->me[k].reliability), longer);
}

static void warn_fit(const fitrun *f, cx_equation *e)
{
    const cx_est *est = f->est;
    for (size_t k = 0; k < f->me_ignored; k++) {
        const char *se, *col = cx_design_me_name(f->c.d, k, &se);
        cx_warnings_add(e->warn, "'%s' is a survey estimate with standard errors in '%s', and method \"%s\" does "
                                 "not correct for its noise: its effect is understated by its reliability; use "
                                 "\"ols\", which does",
                        col, se, f->type->name);
    }
    double n = f->c.n;
    size_t p = f->c.p;
    if (f->type == cx_est_ridge)
        cx_warnings_add(e->warn, "ridge estimates are shrunk towards 0 (penalty %.4g on standardised "
                                 "columns%s): their intervals are approximate and do not cover the bias",
                        est->lambda, isnan(f->es->lambda) ? ", chosen by generalised cross-validation" : "");
    if (n < 10 * (double)p)
        cx_warnings_add(e->warn, "few observations: %.0f rows for %zu coefficients (fewer than 10 per "
                                 "coefficient); estimates are fragile",
                        n, p);
    double dw = e->stat[CX_STAT_DW];
    if (isfinite(dw) && (dw < 1.5 || dw > 2.5))
        cx_warnings_add(e->warn,
                        cx_design_has_units(f->c.d)
                            ? "the residuals are autocorrelated within units (Durbin-Watson %.2f, outside "
                              "1.5-2.5): standard errors are too small; consider lags or se \"cluster\""
                            : "the residuals are autocorrelated in row order (Durbin-Watson %.2f, outside "
                              "1.5-2.5): if the rows are a time series, standard errors are too small; "
                              "consider lags",
                        dw);
    if (f->c.ndropped > 0)
        cx_warnings_add(e->warn, "%.0f rows were dropped because a value the equation uses is missing%s",
                        f->c.ndropped,
                        cx_design_max_lag(f->c.d) ? " (lags are missing at the start of every unit)" : "");
}

/* The forecasts for the held-out periods. */
static void warn_holdout(const fitrun *f, cx_equation *e)
{
    const cx_fit_options *opt = f->opt;
    if (opt && opt->holdout) {
        if (f->c.nheld == 0)
            cx_warnings_add(e->warn, "the holdout of %zu periods left no rows to forecast", opt->holdout);
        else if (e->stat[CX_STAT_HOLDOUT_RMSE] > 1.5 * e->stat[CX_STAT_IN_RMSE])
            cx_warnings_add(e->warn, "the forecasts for the %zu held-out periods are much worse than the "
                                     "fit (RMSE %.4g against %.4g in sample): the model may only fit its past",
                            opt->holdout, e->stat[CX_STAT_HOLDOUT_RMSE], e->stat[CX_STAT_IN_RMSE]);
    }
}

/* RMSE, MAE and MAPE of the fitted values on the rows used and of the
 * forecasts on the held-out rows (the last periods of every unit), from the
 * sums pass 2 gathered. */
static void forecast_stats(const respass *r, cx_equation *e)
{
    for (int k = 0; k < 2; k++) {
        double n = r->fcnt[k];
        e->stat[k ? CX_STAT_HOLDOUT_RMSE : CX_STAT_IN_RMSE] = n ? sqrt((double)(r->fse[k] / n)) : NAN;
        e->stat[k ? CX_STAT_HOLDOUT_MAE : CX_STAT_IN_MAE] = n ? (double)(r->fae[k] / n) : NAN;
        e->stat[k ? CX_STAT_HOLDOUT_MAPE : CX_STAT_IN_MAPE] = r->fcntp[k] ? 100.0 * (double)(r->fape[k] / r->fcntp[k]) : NAN;
    }
    e->stat[CX_STAT_HOLDOUT_N] = r->fcnt[1];
}

/* ======================================================================== */
/* The equation                                                             */
/* ======================================================================== */

cx_status cx_fit_infer(fitrun *f, cx_equation **out, cx_error *err)
{
    *out = NULL;
    const cx_eqspec *es = f->es;
    cx_equation *e = cx_equation_new(f->c.p + es->nfixed);
    if (!e)
        return cx_fit_oom(err);
    cx_status st = CX_OK;
    e->target = cx_strdup(es->target);
    e->method = es->method;
    e->method_name = f->type->name;
    e->se_kind = f->est->se;
    if (!e->target)
        st = cx_fit_oom(err);
    if (st == CX_OK && f->mg) {
        /* no residual pass: no Durbin-Watson, Breusch-Pagan or Jarque-Bera; the
         * residual sum of squares at beta is that of least squares plus
         * |R (beta - b)|^2 */
        long double extra = 0;
        for (size_t i = 0; i < f->c.p; i++) {
            long double s = 0;
            for (size_t j = i; j < f->c.p; j++)
                s += (long double)gsl_matrix_get(f->R, i, j) * (f->est->beta[j] - f->beta_ls[j]);
            extra += s * s;
        }
        f->rp.rss = f->mg->rss + extra;
        cx_warnings_add(e->warn, "merged from partial fits: residual diagnostics (Durbin-Watson, "
                                 "Breusch-Pagan, Jarque-Bera) and forecast errors need the rows, "
                                 "and are not available");
    }
    double dfe = 0;
    if (st == CX_OK) {
        fit_statistics(f, e);
        st = covariance(f, e, &dfe, err);
        e->stat[CX_STAT_DF_TEST] = dfe;
    }
    if (st == CX_OK)
        st = term_tests(f, e, dfe, err);
    if (st == CX_OK) {
        compute_vif(f->R, f->c.colsum, f->c.sumw, es->intercept, e->vif);
        st = importance(f, e, err);
    }
    if (st == CX_OK) {
        standardised(f, e);
        st = fixed_terms(f, e, err);
    }
    if (st == CX_OK)
        st = input_ranges(f, e, err);
    if (st == CX_OK)
        st = me_terms(f, e, err);
    if (st == CX_OK) {
        if (!f->mg)
            forecast_stats(&f->rp, e);
        warn_holdout(f, e);
        warn_terms(f, e);
        warn_fit(f, e);
        *out = e;
        return CX_OK;
    }
    cx_equation_free(e);
    return st;
}
