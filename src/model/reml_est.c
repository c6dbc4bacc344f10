/*
 * reml_est.c - the random-effects meta-regression as an estimator of the
 * fit: a survey-measured target with "weights": "precision".  Each row's
 * NPS carries its sampling variance v_i = SE_i^2, and beyond it the true
 * week-to-week variation of satisfaction that no sample size removes:
 * var(y_i) = tau2 + v_i.  tau2 by REML and the estimates with metafor's
 * covariance (X'WX)^-1, W = diag(1/(tau2 + v_i)), come from reml.c; the
 * residual pass then weights the rows 1/(tau2 + v_i) too, so the
 * diagonostics describe the fitted model.  "tau2": 0 is the old
 * fixed-effect weighting 1/SE^2, fitted by least squares (ols.c), and a
 * positive "tau2" is taken as known.
 *
 * The rows are held in memory (pass 1 collects them, weighted by sqrt(w)
 * with w = 1/SE^2, from which X, y and v are recovered).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "estimator.h"
#include "reml.h"

static cx_status reml_estimate(const cx_est_input *in, cx_est *out, cx_error *err)
{
    fitctx *c = in->c;
    size_t n = c->nall, p = c->p;
    if (in->merged)
        return cx_error_set(err, CX_EUSAGE, in->spec->file, 0, 0,
                            "equation '%s': tau2 by REML needs the rows, which a merged fit does not have; "
                            "fix \"tau2\" (0 is the fixed-effect weighting 1/SE^2)",
                            in->es->name);
    if (in->se != CX_SE_CLASSIC)
        return cx_error_set(err, CX_EUSAGE, in->spec->file, 0, 0,
                            "equation '%s': the random-effects meta-regression has its own standard errors "
                            "(metafor's); use se \"classic\", or \"tau2\": 0 for least squares with "
                            "robust ones",
                            in->es->name);
    double *X = cx_calloc(n * p + 1, sizeof(double)), *y = cx_calloc(n + 1, sizeof(double));
    double *v = cx_calloc(n + 1, sizeof(double));
    if (!X || !y || !v) {
        cx_free(X);
        cx_free(y);
        cx_free(v);
        return cx_fit_oom(err);
    }
    for (size_t i = 0; i < n; i++) {
        double sw = c->swall[i];
        for (size_t j = 0; j < p; j++)
            X[i * p + j] = c->xall[i * p + j] / sw;
        y[i] = c->yall[i] / sw;
        v[i] = 1.0 / (sw * sw);
    }
    cx_reml_options opt = CX_REML_OPTIONS_INIT;
    opt.tau2 = in->es->tau2;
    cx_reml_result r;
    memset(&r, 0, sizeof r);
    cx_status st = cx_reml_fit(X, y, v, NULL, n, p, &opt, &r, err);
    if (st == CX_OK) {
        memcpy(out->beta, r.beta, p * sizeof(double));
        memcpy(out->cov, r.cov, p * p * sizeof(double));
        out->cov_kind = CX_COV_GIVEN;
        out->se = CX_SE_CLASSIC;
        out->tau2 = r.tau2;
        out->se_tau2 = r.se_tau2;
        out->z_based = 1;
        out->no_f = 1;
        c->tau2 = r.tau2; /* the residual pass weights rows 1/(tau2 + v_i) */
    } else if (err && err->status == CX_EINVAL && !in->spec->cmdline)
        snprintf(err->pointer, sizeof err->pointer, "/equations/%zu", in->eqi);
    cx_reml_result_clear(&r);
    cx_free(X);
    cx_free(y);
    cx_free(v);
    return st;
}

static const cx_estimator_type reml_type = {"reml", 1, reml_estimate};
const cx_estimator_type *const cx_est_reml = &reml_type;
