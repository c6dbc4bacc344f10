/*
 * bridge.c - the bridge from plan to actual: a change of a function of
 * several inputs split exactly among the parts that moved them, by
 * averaging over the orders in which the parts can be added (the Shapley
 * value; the engine's LMG importance averages over the orders of the
 * regressors the same way).  With a linear function each part gets its
 * own linear effect; with logs, powers and interactions the joint effects
 * are shared out evenly, so the parts still add up to the change and do
 * not depend on an arbitrary order.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>

#include "review_internal.h"

/* The number of bits set in m. */
static size_t bits(unsigned m)
{
    size_t c = 0;
    for (; m; m &= m - 1)
        c++;
    return c;
}

cx_status cx_bridge_split(cx_bridge_fn f, void *ctx, const double *x0, const double *parts, size_t n, size_t P,
                          double *phi, double *work, cx_error *err)
{
    if (P == 0 || P > CX_BRIDGE_MAXPARTS)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "a change can be split among 1 to %d parts, not %zu",
                            CX_BRIDGE_MAXPARTS, P);
    double *x = work, *v = work + n;
    unsigned nsub = 1u << P;
    /* f at x0 plus every subset of the parts */
    for (unsigned m = 0; m < nsub; m++) {
        memcpy(x, x0, n * sizeof(double));
        for (size_t p = 0; p < P; p++)
            if (m & (1u << p))
                for (size_t i = 0; i < n; i++)
                    x[i] += parts[p * n + i];
        v[m] = f(x, ctx);
    }
    /* weight of a subset of s others: s! (P - s - 1)! / P! */
    double w[CX_BRIDGE_MAXPARTS];
    for (size_t s = 0; s < P; s++) {
        double a = 1;
        for (size_t k = 1; k <= s; k++)
            a *= (double)k;
        for (size_t k = 1; k + s + 1 <= P; k++)
            a *= (double)k;
        for (size_t k = 1; k <= P; k++)
            a /= (double)k;
        w[s] = a;
    }
    for (size_t p = 0; p < P; p++) {
        double acc = 0;
        unsigned bit = 1u << p;
        for (unsigned m = 0; m < nsub; m++)
            if (!(m & bit))
                acc += w[bits(m)] * (v[m | bit] - v[m]);
        phi[p] = acc;
    }
    return CX_OK;
}
