/*
 * importance.h - exact relative importance of regression drivers: the LMG
 * (Lindeman, Merenda and Gold 1980) or Shapley decomposition of R^2, as in
 * Grömping (2006), "Relative importance for linear regression in R: the
 * package relaimpo", J. Stat. Software 17(1).  Never installed.
 *
 *     // M: the (p+1) x (p+1) weighted moments of [X, y], from the fit
 *     size_t keep[] = {0, 1, 2};      // intercept and two fixed-effect dummies
 *     size_t drivers[] = {3, 4, 5};   // the terms whose importance is wanted
 *     double share[3], r2_keep;
 *     if (cx_lmg(M, p, keep, 3, drivers, 3, tss, share, &r2_keep, err) != CX_OK)
 *         goto fail;
 *     // share[0] + share[1] + share[2] == R^2(full) - r2_keep
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_IMPORTANCE_H
#define CX_IMPORTANCE_H

#include "model_internal.h"

/* The largest number of drivers: 2^20 sub-models, 8 MB of R^2 values. */
#define CX_LMG_MAX_DRIVERS 20

/*
 * Split R^2 among the drivers by their Shapley values: the R^2 gain of each
 * driver averaged over all nd! orders of entering the model, with the kept
 * columns in every sub-model.  The cost depends on p and nd (2^nd sub-models,
 * each O(nd^2)), never on the number of data rows.
 *
 * M: the (p+1) x (p+1) row-major moment matrix of [X, y]: M[i][j] = sum_k w_k x_ki x_kj for
 *    i,j < p, M[i][p] = sum w x_i y, M[p][p] = sum w y^2 (X's columns in design order; weights w).
 *    Assumed symmetric; only the blocks of the kept columns, the drivers and y are read.
 *    Accuracy: working from moments squares the conditioning, so a driver whose mean is large
 *    against its spread loses about 2 log10(mean / sd) digits (mean 1000, sd 1.5: shares good to
 *    about 1e-10).  When the intercept is kept, pass the moments of every other column and of y
 *    centred at their weighted means (the intercept column left at 1): the shares and R^2 are the
 *    same, since centring subtracts multiples of a kept column, and the rounding is far smaller.
 * keep: indices (< p) of columns that are in every sub-model (the intercept, fixed-effect dummies);
 *    may be NULL when nkeep is 0.
 * drivers: indices (< p) of the driver columns whose importance is wanted (nd of them, nd <= 20;
 *    keep and drivers are disjoint and together cover the columns that take part; columns in
 *    neither are ignored).  May be NULL when nd is 0.
 * tss: the total sum of squares R^2 is measured against (the caller passes the centred weighted TSS
 *    when there is an intercept, else sum w y^2); must be positive.
 * Outputs: share[nd] (output) = the Shapley value of each driver in R^2 (sum over drivers equals
 *    R^2(keep + all drivers) - R^2(keep)); *r2_keep (output, NULL allowed) = R^2 of the model with
 *    only the kept columns (0 when keep is empty or only an intercept with centred tss: a value
 *    within the rounding of the moments of 0 is returned as exactly 0).
 * On failure the outputs are left untouched.
 *
 * Returns CX_OK, CX_ENOMEM, CX_EINVAL (nd > 20, bad or repeated indices, tss not positive,
 * non-finite moments) or CX_ENUMERIC (a sub-model is singular: the message names the drivers
 * by design column).  Calls GSL's Cholesky decomposition: the GSL error handler must be off
 * (the CLI turns it off first thing).
 */
cx_status cx_lmg(const double *M, size_t p, const size_t *keep, size_t nkeep,
                 const size_t *drivers, size_t nd, double tss,
                 double *share, double *r2_keep, cx_error *err);

#endif
