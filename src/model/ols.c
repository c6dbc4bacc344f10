/*
 * ols.c - the least-squares estimator (weighted with "weights"): the
 * solution the fit has already made from the streamed QR factor, refined in
 * the residual pass when the design is ill-conditioned, with classic
 * (sigma^2 (X'WX)^-1) or sandwich (HC1, HC3, clustered) covariances around
 * the bread (X'WX)^-1.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "estimator.h"

static cx_status ols_estimate(const cx_est_input *in, cx_est *out, cx_error *err)
{
    (void)err;
    size_t p = in->c->p;
    memcpy(out->beta, in->beta_ls, p * sizeof(double));
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            out->cov[i * p + j] = gsl_matrix_get(in->A, i, j);
    out->se = in->se;
    out->cov_kind = in->se == CX_SE_CLASSIC ? CX_COV_SIGMA2 : CX_COV_SANDWICH;
    out->refine = 1;
    return CX_OK;
}

static const cx_estimator_type ols_type = {"ols", 0, ols_estimate};
const cx_estimator_type *const cx_est_ols = &ols_type;
