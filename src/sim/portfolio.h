/*
 * portfolio.h - the portfolio optimiser (internal to the library): which
 * initiatives to fund within a budget.
 *
 * Initiatives come in groups whose members interact (they move a metric in
 * common, or a term that is not linear), so a group's subsets are valued by
 * simulating each subset as a whole; different groups add up.  The frontier
 * is exact: every combination of one option per group is considered, by
 * merging the groups' options one group at a time and keeping only the
 * combinations that no cheaper one matches or beats (the Pareto frontier of
 * cost and expected NPV).  The best portfolio within a budget is the
 * frontier's last point whose cost fits.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_PORTFOLIO_H
#define CX_SIM_PORTFOLIO_H

#include <stddef.h>
#include <stdint.h>
#include "cxcase/common.h"

/* A choice: the initiatives in it (bit i: initiative i, so at most 64),
 * what they cost and their expected NPV. */
typedef struct pf_option {
    uint64_t mask;
    double cost, value;
} pf_option;

/* The frontier over `ngroups` groups, group g offering opts[g][0 ..
 * nopts[g] - 1] besides choosing none of it.  *front (caller frees with
 * cx_free) receives the points sorted by cost, each worth more than every
 * cheaper one, starting with the empty portfolio.  CX_ENOMEM; CX_EINVAL
 * when the frontier grows beyond `max_points`. */
cx_status cx_pf_frontier(const pf_option *const *opts, const size_t *nopts, size_t ngroups, size_t max_points,
                         pf_option **front, size_t *nfront, cx_error *err);

/* The index of the best frontier point whose cost is at most budget (the
 * frontier's values increase with cost). */
size_t cx_pf_best(const pf_option *front, size_t nfront, double budget);

#endif /* CX_SIM_PORTFOLIO_H */
