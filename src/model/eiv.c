/*
 * eiv.c - the errors-in-variables estimator for regressors measured with
 * known, row-specific error variances: a survey score such as weekly NPS,
 * which is an estimate with a standard error, never the truth.
 *
 * Least squares on a noisy regressor is biased toward 0 by the reliability
 * ratio.  The method-of-moments estimator for heteroskedastic, known error
 * variances (Fuller, Measurement Error Models, 1987, sections 2.2 and 3.1)
 * removes the noise's share from the moment matrix:
 *
 *   beta = (X'WX - S)^-1 X'Wy,   S = sum_i w_i Omega_i,
 *
 * where Omega_i is row i's error covariance: SE_i^2 on the diagonal of a
 * column measured with error (for lag(x, k), the SE^2 of the row k periods
 * back), 0 elsewhere.  Errors of different terms come from different survey
 * samples and are taken as independent, so S is diagonal.  Pass 1 gathers
 * S beside R; nothing else is kept, so the estimator streams and merges
 * like least squares.
 *
 * With X'WX = R'R, A = (X'WX)^-1, the m declared columns `me` and
 * s = diag(sqrt(S_kk)), Woodbury's identity gives everything from the
 * least-squares solution b and an m x m matrix:
 *
 *   C = I - s A[me,me] s          (its diagonal: the reliabilities)
 *   (X'WX - S)^-1 = A + A[:,me] s C^-1 s A[me,:]
 *   beta = b + A[:,me] s C^-1 s b[me]
 *
 * C_kk = 1 - S_kk A_kk is exactly one minus the mean error variance over
 * the variance of the column net of the other terms: the reliability.  When
 * C is not positive definite the moment matrix of the true regressors is
 * not either (the column is all noise): the fit is refused, never reported
 * with a flipped sign or a negative variance.
 *
 * Standard errors come from the estimating-equation sandwich,
 * psi_i = w_i x_i (y_i - x_i'beta) + w_i Omega_i beta, around the bread
 * (X'WX - S)^-1: clustered by unit under se "cluster", HC1 otherwise.
 * Classic least-squares standard errors are not valid for this estimator.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "estimator.h"

/* The refusal of a column whose correction cannot be made. */
static cx_status not_identified(const cx_est_input *in, const char *what, double rel, cx_error *err, int quote)
{
    cx_status st = cx_error_set(err, CX_EINVAL, in->spec->file, 0, 0,
                                "equation '%s': %s%s%s is all sampling noise once the other terms are "
                                "accounted for (reliability %.3g, at most 0): the corrected moment matrix "
                                "is not positive definite and the data cannot say what the true values do; "
                                "average it over longer periods or larger units, or drop the term",
                                in->es->name, quote ? "'" : "", what, quote ? "'" : "", rel);
    if (err && !in->spec->cmdline)
        snprintf(err->pointer, sizeof err->pointer, "/equations/%zu", in->eqi);
    return st;
}

static cx_status eiv_estimate(const cx_est_input *in, cx_est *out, cx_error *err)
{
    const fitctx *c = in->c;
    size_t p = c->p, m = c->nme;
    if (in->se == CX_SE_HC3)
        return cx_error_set(err, CX_EUSAGE, in->spec->file, 0, 0,
                            "equation '%s': hc3 standard errors need leverages, which the "
                            "errors-in-variables estimator does not have; use \"hc1\" or \"cluster\"",
                            in->es->name);
    gsl_matrix *C = gsl_matrix_alloc(m, m), *G = gsl_matrix_alloc(p, m);
    gsl_vector *t = gsl_vector_alloc(m);
    cx_status st = C && G && t ? CX_OK : cx_fit_oom(err);
    for (size_t a = 0; st == CX_OK && a < m; a++) {
        double sa = sqrt(c->me_sum[a]);
        for (size_t i = 0; i < p; i++)
            gsl_matrix_set(G, i, a, gsl_matrix_get(in->A, i, c->me_col[a]) * sa);
        for (size_t b = 0; b < m; b++)
            gsl_matrix_set(C, a, b, (a == b) - sa * sqrt(c->me_sum[b]) * gsl_matrix_get(in->A, c->me_col[a], c->me_col[b]));
        out->reliability[a] = gsl_matrix_get(C, a, a);
        gsl_vector_set(t, a, sa * in->beta_ls[c->me_col[a]]);
    }
    for (size_t a = 0; st == CX_OK && a < m; a++)
        if (!(out->reliability[a] > 0))
            st = not_identified(in, out->me_text[a], out->reliability[a], err, 1);
    if (st == CX_OK && gsl_linalg_cholesky_decomp1(C) != 0)
        st = not_identified(in, "the set of terms measured with error", 0, err, 0);
    if (st == CX_OK && gsl_linalg_cholesky_invert(C) != 0)
        st = cx_fit_gsl_fail(err, GSL_EDOM, "inverting the reliability matrix");
    if (st == CX_OK) {
        /* beta = b + G C^-1 t;  bread = A + G C^-1 G' */
        for (size_t i = 0; i < p; i++) {
            double s = 0;
            for (size_t a = 0; a < m; a++)
                for (size_t b = 0; b < m; b++)
                    s += gsl_matrix_get(G, i, a) * gsl_matrix_get(C, a, b) * gsl_vector_get(t, b);
            out->beta[i] = in->beta_ls[i] + s;
            out->naive[i] = in->beta_ls[i];
            for (size_t j = 0; j < p; j++) {
                double v = gsl_matrix_get(in->A, i, j);
                for (size_t a = 0; a < m; a++)
                    for (size_t b = 0; b < m; b++)
                        v += gsl_matrix_get(G, i, a) * gsl_matrix_get(C, a, b) * gsl_matrix_get(G, j, b);
                out->cov[i * p + j] = v;
            }
        }
        out->cov_kind = CX_COV_SANDWICH;
        /* a merged fit has the units' moments only: clustered */
        out->se = in->se == CX_SE_CLUSTER || in->merged ? CX_SE_CLUSTER : CX_SE_HC1;
        out->no_f = 1;
    }
    gsl_matrix_free(C);
    gsl_matrix_free(G);
    gsl_vector_free(t);
    return st;
}

static const cx_estimator_type eiv_type = {"eiv", 0, eiv_estimate};
const cx_estimator_type *const cx_est_eiv = &eiv_type;
