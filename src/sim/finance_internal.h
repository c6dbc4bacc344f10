/*
 * finance_internal.h - the IRR's fast path for the Monte Carlo draws
 * (internal to the library).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_FINANCE_INTERNAL_H
#define CX_SIM_FINANCE_INTERNAL_H

#include <stddef.h>

/* The root of the NPV in the discount factor x = 1 / (1 + quarterly rate),
 * by Newton's method from x0, when the flows change sign exactly once (then
 * the root is unique) and Newton settles within a few steps inside the
 * quarterly rates -0.99 .. 10; NaN otherwise, and the caller asks
 * cx_fin_irr_guess, which always settles.  The annual IRR is x^-4 - 1. */
double cx_fin_irr_root(const double *cf, size_t n, double x0);

/* The IRR (annual) as cx_fin_irr_guess finds it (for flows that change sign
 * more than once: the root nearest 0), without the note on several roots,
 * which lets the scan stop once no nearer root can be left: 1, or 0 when
 * there is none. */
int cx_fin_irr_fast(const double *cf, size_t n, double guess, double *irr);

#endif /* CX_SIM_FINANCE_INTERNAL_H */
