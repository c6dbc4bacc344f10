/*
 * plan_internal.h - the insides of a projection plan (project.c), for the
 * code that lays the general projection open: the workbook writes it as
 * formulas per unit and segment (report.c).  Read only outside project.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_PLAN_INTERNAL_H
#define CX_SIM_PLAN_INTERNAL_H

#include "project.h"
#include "../model/model_internal.h"

typedef struct pvar {
    char *name;
    long eq;           /* position in p->eq of the equation with this target, or -1 */
    double *base;      /* per unit */
    double lo, hi;     /* range observed in the fitted data (NaN: unknown) */
} pvar;

typedef struct pfactor {
    cx_factor_kind kind;
    size_t var;
    int k;             /* lag periods, or the power */
    size_t lag;        /* LAG: index into p->lags */
} pfactor;

typedef struct pterm {
    size_t coef;       /* index into the equation's coefficients */
    pfactor *f;
    size_t nf;
    int linear;        /* one factor: a column or a lag of one */
} pterm;

typedef struct peq {
    size_t model_eq;
    size_t target;     /* var */
    pterm *t;
    size_t nt, first;  /* terms, and the global number of the first */
} peq;

/* A set of initiatives (a scenario) and what it can move. */
typedef struct pset {
    ppath *path;             /* linear sets: every way from an effect to NPS or revenue */
    size_t npath;
    size_t *eff, *cost;      /* global effect and cost indexes */
    size_t neff, ncost;
    unsigned char *touched;  /* per var: can change */
    unsigned char *term_on;  /* per term (global numbering): can change */
    int invariant;           /* every unit moves alike */
} pset;

struct cx_plan {
    const cx_scenario *s;
    const cx_model *m;
    size_t nunits;
    char **unit;       /* nunits: the unit's key ("Utrecht", or "Utrecht / web" for several columns) */
    pvar *v;
    size_t nv;
    peq *eq;           /* in dependency order */
    size_t neq, nterms;
    size_t nps, rev;   /* vars */
    int H;
    size_t T;          /* periods in the horizon */
    size_t *nper;      /* periods per quarter */
    size_t nseg;
    size_t *seg_start, *seg_len;
    int *seg_q;
    int *lags;         /* distinct lag lengths */
    size_t nlags;
    long *lagseg;      /* nlags x nseg: the segment holding seg_start - lag, -1 before the horizon */
    /* effects and costs, numbered across the initiatives */
    size_t neff, ncost;
    double *eff_value, *cost_amount;
    input_ref *eff_ref, *cost_ref;
    size_t *eff_var;
    double *eff_share;        /* neff x nseg: the share of effect g reached in segment s (ramp, decay) */
    double *cost_cash;        /* ncost x H: cost g's cash per unit of its amount in quarter q (opex indexed) */
    double *cost_tax;         /* ncost x H: the same deducted for tax (capex depreciated) */
    int *cost_span;           /* ncost x 4: the quarters of cash (first, last) and of deduction (first, last) */
    const effect **eff;
    const cost **cst;
    /* sets of initiatives to project: the file's scenarios, then any added */
    pset *set;
    size_t nset, capset;
    unsigned char *active;    /* per model equation, per coefficient (offsets in act_off) */
    size_t *act_off;
};

struct plan_work {
    double *d;  /* nv x nseg changes of one unit */
    /* a batch (project.h): each path's gain per lane, the quarters per
     * lane, and one projection's quarters on their way into a lane */
    size_t maxpath;
    double *gain, *amount; /* and each cost's amount per lane */
    plan_batch out;
    double *one;
};

#endif /* CX_SIM_PLAN_INTERNAL_H */
