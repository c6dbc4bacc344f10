/*
 * cxcase/sim.h - the finance of a business case: discounting quarterly cash
 * flows, NPV, IRR, payback and ROI.
 *
 *     double cf[4] = {-1000, 300, 400, 500};   // quarters 1..4
 *     double npv = cx_fin_npv(cf, 4, 0.08);    // 8% a year
 *     double irr;
 *     int several;
 *     if (cx_fin_irr(cf, 4, &irr, &several, NULL) == CX_OK)
 *         printf("NPV %.2f, IRR %.1f%% a year\n", npv, 100 * irr);
 *
 * Conventions (the workbook uses the same): rates are annual; the quarterly
 * rate is (1 + r)^(1/4) - 1; cash flow t (0-based) falls at the end of
 * quarter t + 1 and is discounted t + 1 quarters, so the first quarter of the
 * horizon is already discounted one period.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_SIM_H
#define CXCASE_SIM_H

#include <stddef.h>
#include "common.h"
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The quarterly rate equivalent to an annual one: (1 + annual)^(1/4) - 1. */
CX_API double cx_fin_quarterly_rate(double annual);
/** The discount factor of quarter t (1-based): 1 / (1 + q)^t. */
CX_API double cx_fin_discount_factor(double annual, size_t t);
/**
 * A quarter's net cash flow: the gross profit on the change in revenue less
 * the costs, after tax at `tax`: (margin * delta_revenue - costs) * (1 - tax).
 * A quarter with a loss gets the tax back (the business as a whole pays less
 * tax), so the tax scales every quarter alike.
 */
CX_API double cx_fin_cash_flow(double delta_revenue, double margin, double tax, double costs);
/**
 * The same when the costs deducted for tax differ from the cash spent
 * (capex depreciated over years instead of expensed when paid): the gross
 * profit less the cash costs, less tax at `tax` on the gross profit less
 * `deduct`:  margin * delta_revenue - costs - tax * (margin * delta_revenue - deduct),
 * computed as cx_fin_cash_flow(...) + tax * (deduct - costs), which equals
 * cx_fin_cash_flow exactly when deduct == costs.
 */
CX_API double cx_fin_cash_flow_tax(double delta_revenue, double margin, double tax, double costs, double deduct);
/** NPV of n quarterly cash flows at an annual rate (first flow discounted one quarter). */
CX_API double cx_fin_npv(const double *cf, size_t n, double annual);
/**
 * The internal rate of return, annualised: the annual rate at which the NPV
 * is 0, found with GSL's Brent solver.  CX_EINVAL (with a message) when the
 * cash flows never change sign, so that no rate makes the NPV 0.  When they
 * change sign more than once, several rates may do: *several (may be NULL)
 * is set to 1 when more than one was found, and the one closest to 0 is
 * returned.
 */
CX_API cx_status cx_fin_irr(const double *cf, size_t n, double *irr, int *several, cx_error *err);
/** The same, starting the search at the annual rate `guess` (as a
 *  spreadsheet's IRR(values, guess)): when the flows change sign once there
 *  is one root, and a guess near it saves iterations. */
CX_API cx_status cx_fin_irr_guess(const double *cf, size_t n, double guess, double *irr, int *several,
                                  cx_error *err);
/** The first quarter (1-based) at whose end the cumulative cash flow is 0 or
 *  more after having been negative, or 0 when that does not happen within n. */
CX_API size_t cx_fin_payback(const double *cf, size_t n);
/** Return on investment: (sum of the benefits - sum of the costs) / sum of the
 *  costs, with benefits and costs undiscounted (NaN when there are no costs). */
CX_API double cx_fin_roi(const double *benefits, const double *costs, size_t n);


/* ------------------------------------------------------------------------
 * Simulation: a scenario file run through its data and model
 * ------------------------------------------------------------------------ */

struct cx_scenario;
typedef struct cx_simulation cx_simulation;

/** Options for cx_simulate; a zeroed struct means the file's values and two threads. */
typedef struct cx_sim_options {
    long draws;      /**< Monte Carlo draws; 0: the file's (default 10,000) */
    long seed;       /**< random seed; negative: the file's */
    int seed_given;  /**< nonzero: use `seed` even when it is 0 */
    int threads;     /**< threads; 0: 2.  The result does not depend on it */
    const cx_csv_coltype *types; /**< data columns forced to a type (codes read as
                                      text, for C(x)), or NULL; borrowed */
    size_t ntypes;
    cx_warnings *notes; /**< (output) notes about reading the data (the times of a column
                             of date-times ignored), or NULL: they join the result's
                             warnings.  They name the files, so a caller that wants the
                             result the same for the same data in other files keeps them
                             apart */
} cx_sim_options;

/**
 * Run a scenario file (README "cxcase simulate"): read its data into a
 * panel, fit its model, project every scenario quarter by quarter at the
 * point estimates, run the Monte Carlo draws, and value everything.  The
 * result is the same, byte for byte, for the same inputs and seed whatever
 * the number of threads.  Errors: CX_EINVAL with a message (bad data, a
 * model that cannot be fitted or projected), CX_ENOMEM.  Caller frees *out
 * with cx_simulation_free.
 */
CX_API cx_status cx_simulate(const struct cx_scenario *s, const cx_sim_options *opt, cx_simulation **out,
                             cx_error *err);
CX_API void cx_simulation_free(cx_simulation *sim);
/**
 * Check what cx_simulate needs of a scenario's data that can be known
 * without fitting: every source reads (each with its own options), the
 * panel joins, every equation of a model specification finds its columns
 * with the right types (a C(x) two levels or more), every column the model
 * uses has a baseline in every unit, and the data are not yearly.  Warns
 * (in `warn`) when the horizon starts inside the data or years after them.
 * Only `types` and `notes` of `opt` are used (NULL: none).  Errors as cx_simulate's.
 */
CX_API cx_status cx_scenario_check_data(const struct cx_scenario *s, const cx_sim_options *opt, cx_warnings *warn,
                                        cx_error *err);
/**
 * The result as JSON text (the contract of `cxcase simulate --json`):
 * {"scenarios": [{"name", "npv": {"base", "mean", "sd", "p5", "p10", "p50",
 * "p90", "p95"}, "prob_npv_positive", "irr", "payback_quarter", "roi",
 * "delta_nps", "quarters": [{"quarter", "delta_nps", "delta_revenue",
 * "costs", "cash_flow", "discount_factor", "pv", ...}], "sensitivity",
 * "warnings"}], "portfolio": {...}, ...}.  Caller frees with cx_free_string.
 */
CX_API cx_status cx_simulation_json(const cx_simulation *sim, char **out, cx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_SIM_H */
