/*
 * robust.c - the robust estimator: M-estimation by iteratively reweighted
 * least squares with Huber or bisquare weights, through GSL's robustfit
 * (gsl_multifit_robust: its tuning constants 1.345 and 4.685, its scale
 * estimate and its covariance).  The rows are held in memory.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>

#include "estimator.h"

/* Robust regression by iteratively reweighted least squares
 * (gsl_multifit_robust, Huber or bisquare weights); its covariance and
 * sigma are GSL's. */
static cx_status fit_robust(fitctx *c, const cx_eqspec *es, double *beta, double *cov, double *sigma,
                            cx_error *err)
{
    size_t n = c->nall, p = c->p;
    gsl_matrix_view X = gsl_matrix_view_array(c->xall, n, p);
    gsl_vector_view y = gsl_vector_view_array(c->yall, n);
    gsl_vector *cv = gsl_vector_alloc(p);
    gsl_matrix *cm = gsl_matrix_alloc(p, p);
    gsl_multifit_robust_workspace *w =
        gsl_multifit_robust_alloc(es->bisquare ? gsl_multifit_robust_bisquare : gsl_multifit_robust_huber, n, p);
    cx_status st = CX_OK;
    if (!cv || !cm || !w)
        st = cx_fit_oom(err);
    else {
        int status = gsl_multifit_robust(&X.matrix, &y.vector, cv, cm, w);
        if (status && status != GSL_EMAXITER)
            st = cx_fit_gsl_fail(err, status, "the robust fit");
        else {
            for (size_t j = 0; j < p; j++)
                beta[j] = gsl_vector_get(cv, j);
            for (size_t i = 0; i < p * p; i++)
                cov[i] = cm->data[(i / p) * cm->tda + i % p];
            *sigma = gsl_multifit_robust_statistics(w).sigma;
            if (status == GSL_EMAXITER)
                st = cx_error_set(err, CX_ENUMERIC, NULL, 0, 0,
                                  "equation '%s': the robust fit did not converge in %zu iterations",
                                  es->name, gsl_multifit_robust_statistics(w).numit);
        }
    }
    gsl_vector_free(cv);
    gsl_matrix_free(cm);
    if (w)
        gsl_multifit_robust_free(w);
    return st;
}

static cx_status robust_estimate(const cx_est_input *in, cx_est *out, cx_error *err)
{
    out->cov_kind = CX_COV_GIVEN;
    return fit_robust(in->c, in->es, out->beta, out->cov, &out->sigma, err);
}

static const cx_estimator_type robust_type = {"robust", 1, robust_estimate};
const cx_estimator_type *const cx_est_robust = &robust_type;
