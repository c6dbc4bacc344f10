/*
 * finance_internal.h - the IRR's fast paths for the Monte Carlo draws
 * (internal to the library).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_FINANCE_INTERNAL_H
#define CX_SIM_FINANCE_INTERNAL_H

#include <stddef.h>

#define CX_FIN_LANES 64  /* cash-flow series per cx_fin_irr_batch */
#define CX_FIN_MAX_N 128 /* quarters a series may have there */

/* The annual IRRs of m <= CX_FIN_LANES cash-flow series of n <= CX_FIN_MAX_N
 * quarters, series i's flow in quarter t at cf[t * CX_FIN_LANES + i], into
 * irr[0 .. m-1], NaN where there is none.  Series that change sign once (one
 * root, by Descartes' rule) take Halley's method in the discount factor
 * x = 1 / (1 + quarterly rate) from start[i] (NULL, or one outside the
 * range: from x0, the base case's root), all at once: the polynomial and its derivatives run over the series
 * in the inner loop, which vectorises.  A series that does not settle within
 * the quarterly rates -0.99 .. 10, or changes sign more than once, goes to
 * cx_fin_irr_fast from the annual rate guess. */
void cx_fin_irr_batch(const double *cf, size_t n, size_t m, double x0, const double *start, double guess,
                      double *irr);

/* The IRR (annual) as cx_fin_irr_guess finds it (for flows that change sign
 * more than once: the root nearest 0), without the note on several roots,
 * which lets the scan stop once no nearer root can be left: 1, or 0 when
 * there is none. */
int cx_fin_irr_fast(const double *cf, size_t n, double guess, double *irr);

/* cx_fin_cash_flow_tax of n quarters (or of n draws' quarters) at once. */
void cx_fin_cash_flows(const double *delta_revenue, const double *costs, const double *deduct, size_t n,
                       double margin, double tax, double *cf);

#endif /* CX_SIM_FINANCE_INTERNAL_H */
