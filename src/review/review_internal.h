/*
 * review_internal.h - the pieces of the review (src/review/): the scores of
 * a normal forecast against the value that came (scores.c), the exact
 * split of a change among its causes by averaging over their orders
 * (bridge.c) and the difference-in-differences estimate of an initiative's
 * realised effect (did.c).  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REVIEW_REVIEW_INTERNAL_H
#define CX_REVIEW_REVIEW_INTERNAL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "cxcase/common.h"
#include "cxcase/data.h"

/* ---- scores.c ------------------------------------------------------------ */

/* How a normal forecast N(mean, sd^2) fared against the value y. */
typedef struct cx_score {
    double z;          /* (y - mean) / sd */
    double pit;        /* Phi(z): the forecast's probability of a value at or below y */
    int in80, in95;    /* y inside the central 80% and 95% intervals */
    double crps;       /* continuous ranked probability score, closed form (units of y) */
    double is80, is95; /* interval scores of the 80% and 95% intervals (units of y) */
} cx_score;

/* The CRPS of N(mean, sd^2) at y (Gneiting & Raftery 2007, eq. 5):
 * sd [z (2 Phi(z) - 1) + 2 phi(z) - 1/sqrt(pi)], z = (y - mean) / sd;
 * |y - mean| when sd is 0. */
double cx_crps_normal(double mean, double sd, double y);

/* The interval score of the central (1 - alpha) interval [lo, hi] at y
 * (Gneiting & Raftery 2007, eq. 43): (hi - lo) + 2/alpha (lo - y) when y is
 * below, + 2/alpha (y - hi) when above. */
double cx_interval_score(double lo, double hi, double alpha, double y);

/* Every score of N(mean, sd^2) at y; sd must be positive. */
void cx_score_normal(double mean, double sd, double y, cx_score *out);

/* ---- track.c ------------------------------------------------------------- */


/* The Diebold-Mariano test of equal mean loss from the loss differences
 * d[0 .. n) (horizon 1), with the Harvey-Leybourne-Newbold correction:
 * *stat = sqrt((n - 1)/n) mean(d) / sqrt(gamma0 / n), gamma0 the variance
 * of d with divisor n, and its two-sided p from t with n - 1 df.
 * CX_EINVAL when n < 2 or d does not vary. */
cx_status cx_dm_test(const double *d, size_t n, double *stat, double *p);

/* The track record per target of `current` (a review as cx_review_run
 * writes it) over the array `reviews` (the ledger's review records) and it,
 * one review per case and quarter (the newest).  NULL when out of memory. */
cJSON *cx_track_json(const cJSON *reviews, const cJSON *current);

/* ---- bridge.c ------------------------------------------------------------ */

/* A function of n values (the frozen model summed over the rows it is
 * asked for) with its context. */
typedef double (*cx_bridge_fn)(const double *x, void *ctx);

enum { CX_BRIDGE_MAXPARTS = 8 };

/* Split f(x0 + d_1 + ... + d_P) - f(x0) among the P parts d_p (row p of
 * the P x n matrix `parts`) by averaging over every order in which the
 * parts can be added (Shapley values, as the LMG importance of the engine
 * averages over the orders of the regressors): phi[p] is the mean over the
 * orders of f(before p and with p) - f(before p).  The phi add up to the
 * whole change exactly (to rounding) whatever f is, and a part that
 * enters f linearly gets exactly its linear effect.  `work` has room for
 * n + 2^P values.  P is at most CX_BRIDGE_MAXPARTS (else CX_EINVAL). */
cx_status cx_bridge_split(cx_bridge_fn f, void *ctx, const double *x0, const double *parts, size_t n, size_t P,
                          double *phi, double *work, cx_error *err);

/* ---- did.c --------------------------------------------------------------- */

/* The difference-in-differences estimate of an initiative's effect on a
 * metric: the coefficient of the exposure in
 *     metric ~ exposure + C(unit) + C(period)
 * fitted by the engine (least squares) with standard errors clustered by
 * unit (sandwich::vcovCL, HC1).  `panel` has the columns "period" (any
 * period kind), "unit" (text), "exposure" (0 .. 1, the ramp share of the
 * initiative in that unit and period) and `metric`. */
typedef struct cx_did {
    double tau, se, df;  /* estimate, clustered SE, degrees of freedom of its t test (G - 1) */
    size_t n, units;     /* rows used, clusters */
    int separable;       /* 0: the exposure does not vary beyond unit and period effects */
} cx_did;

cx_status cx_did_fit(const cx_table *panel, const char *metric, cx_did *out, cx_error *err);

#endif
