/*
 * project.h - the quarterly projection of a scenario through a fitted model
 * (internal to the library; README "cxcase simulate", Projection).
 *
 * A plan is built once per scenario file and model: every column the model
 * uses with its baseline per unit, the equations in dependency order with
 * their terms, the horizon's periods at the data's frequency and the
 * segments of periods in which nothing can change (every quarter start,
 * shifted by every lag a change can travel through).  Projecting one
 * scenario with one set of inputs then costs a few hundred operations, so
 * the Monte Carlo simulation can run it millions of times.  A plan is only
 * read while projecting: threads share one, each with its own plan_work.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_PROJECT_H
#define CX_SIM_PROJECT_H

#include <stddef.h>
#include "cxcase/data.h"
#include "cxcase/model.h"
#include "scenario_internal.h"

typedef struct cx_plan cx_plan;

/* For a set whose terms are all linear: one way an effect reaches NPS or
 * revenue, through a chain of coefficients (at most MAXCHAIN) whose lags
 * add up; its contribution to the quarters is effect x the product of the
 * coefficients x w[q], w precomputed from the ramp and the lags. */
#define MAXCHAIN 8
#define MAXPATHS 4096
typedef struct ppath {
    size_t eff;
    int revenue;               /* 0: NPS (a mean), 1: revenue (a sum) */
    size_t n;                  /* coefficients on the chain */
    size_t eq[MAXCHAIN], coef[MAXCHAIN];
    size_t lag;                /* the lags on the chain, summed */
    double *w;                 /* per quarter */
} ppath;

typedef struct plan_work plan_work;

/* The inputs of one projection: the value of every effect and the amount of
 * every cost (numbered across the initiatives in file order: the effects of
 * initiative 0, then of initiative 1 ...; likewise the costs), and the
 * coefficient vector of every equation of the model (in model order). */
typedef struct plan_inputs {
    const double *effect;
    const double *cost;
    const double *const *coef;
} plan_inputs;

/* One scenario's quarters (horizon entries each). */
typedef struct plan_out {
    double *delta_nps;     /* mean over units and periods of the NPS change */
    double *delta_revenue; /* sum over units and periods of the revenue change */
    double *costs;         /* cash spent: capex when paid, opex indexed */
    double *deduct;        /* costs deducted for tax: opex, capex expensed or depreciated */
} plan_out;

/* Build the plan: baselines from `panel` (laid out as cx_panel_join writes
 * it, `unit_cols` unit columns after the period column) over the scenario's
 * window, or its explicit values.
 * CX_EINVAL with a message for what cannot be projected (a column without a
 * baseline, the log of a level that is not positive, periods that do not
 * map to quarters). */
cx_status cx_plan_new(const cx_scenario *s, const cx_model *m, const cx_table *panel, size_t unit_cols,
                      cx_plan **out, cx_error *err);
void cx_plan_free(cx_plan *p);

/* Numbers of effects and costs across the initiatives, and the stated
 * values (the point estimates) of both. */
size_t cx_plan_neffects(const cx_plan *p);
size_t cx_plan_ncosts(const cx_plan *p);
const double *cx_plan_effect_values(const cx_plan *p);
const double *cx_plan_cost_amounts(const cx_plan *p);
/* The (initiative, index) of global effect or cost i. */
input_ref cx_plan_effect_ref(const cx_plan *p, size_t i);
input_ref cx_plan_cost_ref(const cx_plan *p, size_t i);
/* The global index of an effect or cost given by reference. */
size_t cx_plan_input_index(const cx_plan *p, input_ref r);

/* Names of the targets reported as NPS and revenue. */
const char *cx_plan_nps_name(const cx_plan *p);
const char *cx_plan_revenue_name(const cx_plan *p);
/* Periods of the horizon at the data's frequency, and units. */
size_t cx_plan_nperiods(const cx_plan *p);
size_t cx_plan_nunits(const cx_plan *p);

/* 1 when coefficient j of model equation e can change a scenario's result
 * (a term that is not the intercept nor C(...)). */
int cx_plan_coef_active(const cx_plan *p, size_t e, size_t j);

/* Sets of initiatives to project: sets 0 .. nscenarios - 1 are the file's
 * scenarios; cx_plan_add_set adds another (indexes into the scenario's
 * initiatives) and returns its number, -1 when out of memory. */
long cx_plan_add_set(cx_plan *p, const size_t *inits, size_t n, cx_error *err);
size_t cx_plan_nsets(const cx_plan *p);
/* 1 when the changes of two sets do not simply add up: they move a metric
 * in common, or both change a term that is not linear (log, power,
 * interaction). */
int cx_plan_sets_interact(const cx_plan *p, size_t a, size_t b);

/* Scratch space for one thread.  NULL when out of memory. */
plan_work *cx_plan_work_new(const cx_plan *p);
void cx_plan_work_free(plan_work *w);

/* Project set k (a scenario) with `in`; fills out (horizon quarters each).
 * Returns 0, or -1 when a level leaves the domain of a term (the log of a
 * level at or below 0): *bad_var then names the column. */
int cx_plan_project(const cx_plan *p, size_t k, const plan_inputs *in, plan_work *w, plan_out *out,
                    const char **bad_var);

/* The general projection of set k for one unit u (any set, linear or
 * not), as cx_plan_project runs it: the change of every column per segment
 * of periods, column v's segment s at [v * nsegments + s] (the columns the
 * set does not touch are 0; plan_internal.h holds the columns and the
 * segments).  The numbers live in w until its next use.  NULL when a level
 * leaves the domain of a term (*bad_var names the column). */
const double *cx_plan_unit_changes(const cx_plan *p, size_t k, const plan_inputs *in, plan_work *w, size_t u,
                                   const char **bad_var);

/* The same projection for a batch of CX_PLAN_LANES draws side by side,
 * which is how the Monte Carlo simulation runs it: cx_plan_project_lane for
 * each draw i (its lane), then cx_plan_project_batch, which returns the
 * lanes' quarters, quarter q of lane i at [q * CX_PLAN_LANES + i] (lanes
 * never filled hold stale numbers).  For a linear set a lane costs the
 * product of each path's coefficients and the batch one pass over the
 * quarters that vectorises; any other set is projected lane by lane.  The
 * numbers equal cx_plan_project's exactly.  The result lives in w, which is
 * for one set at a time: a thread projecting several sets side by side
 * needs a plan_work for each.  cx_plan_project_lane returns as
 * cx_plan_project. */
#define CX_PLAN_LANES 64
typedef struct plan_batch {
    double *delta_nps, *delta_revenue, *costs, *deduct; /* horizon x CX_PLAN_LANES */
} plan_batch;
int cx_plan_project_lane(const cx_plan *p, size_t k, const plan_inputs *in, plan_work *w, size_t i,
                         const char **bad_var);
const plan_batch *cx_plan_project_batch(const cx_plan *p, size_t k, plan_work *w);

/* Warnings about scenario k in words: a metric moved outside the range
 * observed in the fitted data (its name, level and the range). */
cx_status cx_plan_range_warnings(const cx_plan *p, size_t k, cx_warnings *warn);

/* The paths of set k when it is linear (*n = 0 otherwise): what the
 * workbook writes as formulas. */
const ppath *cx_plan_paths(const cx_plan *p, size_t k, size_t *n);
/* Periods (weeks) in quarter q of the horizon. */
size_t cx_plan_quarter_periods(const cx_plan *p, int q);
/* The periods of quarter q whose period `lag` earlier lies in the horizon's
 * quarter q - back (a calendar fact the path weights are made of). */
size_t cx_plan_lag_periods(const cx_plan *p, size_t lag, int q, int back);

#endif /* CX_SIM_PROJECT_H */
