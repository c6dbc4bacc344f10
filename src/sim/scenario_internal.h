/*
 * scenario_internal.h - the parsed scenario, shared by the modules of the
 * simulation (scenario.c reads it; project.c and simulate.c run it).  Never
 * installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_SCENARIO_INTERNAL_H
#define CX_SIM_SCENARIO_INTERNAL_H

#include "cxcase/data.h"
#include "cxcase/scenario.h"
#include "cxcase/sim.h"
#include "draw.h"

typedef struct effect {
    char *metric;
    int is_target;   /* target level instead of a change */
    double value;
    int start;       /* quarter index from the first horizon quarter */
    int ramp;
    double decay;    /* share lost per quarter after the ramp (0: none) */
    int duration;    /* quarters the effect lasts from its start (0: to the end) */
    dist u;
} effect;

typedef struct cost {
    int capex;
    double amount;
    int from, to;    /* quarter indexes; capex: from == to */
    dist u;
} cost;

typedef struct initiative {
    char *id, *name;
    effect *eff;
    size_t neff;
    cost *cost;
    size_t ncost;
} initiative;

/* An uncertain input named by where it is: initiative, effect or cost, index. */
typedef struct input_ref {
    size_t init;
    int is_cost;
    size_t k;
} input_ref;

typedef struct corr {
    input_ref a, b;
    double rank;
} corr;

typedef struct scen {
    char *name;
    size_t *init; /* indexes into the initiatives */
    size_t n;
} scen;

typedef struct source {
    char *file;   /* resolved against the scenario's folder */
    int responses;
    char *scale, *score;
    char sep, decimal;  /* 0: detect */
    int encoding;       /* -1: not given; else a cx_encoding */
    char *date_format;  /* or NULL */
    cx_csv_rename *columns; /* "columns": the file's names mapped to the model's */
    size_t ncolumns;
} source;

struct cx_scenario {
    char *path, *name, *currency, *model;
    source *data;
    size_t ndata;
    int window;             /* baseline window in periods (0: default) */
    char **base_metric;
    double *base_value;
    size_t nbase;
    char start[CX_PERIOD_TEXT_MAX];
    int start_q;            /* 4 * year + quarter - 1 */
    int horizon;
    double discount, margin, tax;
    int dep_years;          /* capex depreciated straight-line over so many years for tax (0: expensed) */
    double indexation;      /* opex indexation a year (0: none) */
    int fy_start;           /* first month of the fiscal year: 1, 4, 7 or 10 */
    double sens_lo[3], sens_hi[3]; /* tornado range of discount rate, gross margin, tax rate */
    initiative *init;
    size_t ninit;
    scen *scen;
    size_t nscen;
    double budget;          /* NaN: none */
    long draws, seed;
    int t_coefficients;
    corr *corr;             /* rank correlations between uncertain inputs */
    size_t ncorr;
};

/* The panel of the scenario's data sources (sources.c): each file read with
 * its own options, the responses aggregated and joined; dates at a coarser
 * cadence become that cadence's periods.  `units` as for cx_panel_load. */
cx_status cx_scenario_panel(const cx_scenario *s, const char *const *units, size_t nunits,
                            const cx_sim_options *o, cx_table **panel, cx_warnings *warn, cx_error *err);
/* Warn when the horizon starts inside the data or years after them. */
void cx_scenario_horizon_warnings(const cx_scenario *s, const cx_table *panel, cx_warnings *warn);

/* The share of effect `ef` reached in quarter q of the horizon: its ramp
 * share (cx_ramp_share), times (1 - decay)^(quarters since the ramp ended)
 * after the ramp, and 0 from quarter start + duration on. */
double cx_effect_share(const effect *ef, int q);
/* The factor of opex in quarter q of the horizon: (1 + indexation)^floor(q / 4),
 * the stated amounts being at the prices of the horizon's first year. */
double cx_scenario_index(const cx_scenario *s, int q);
/* The fiscal year of quarter q of the horizon, as the calendar year in
 * which it starts; cx_scenario_fiscal_label writes it as "FY2026" (fiscal
 * year = calendar year) or "FY2026/27". */
int cx_scenario_fiscal_year(const cx_scenario *s, int q);
const char *cx_scenario_fiscal_label(const cx_scenario *s, int fy, char *buf, size_t size);
/* The share of capex spent in quarter `from` that is deducted for tax in
 * quarter q: 1 in `from` when expensed (dep_years 0), else 1 / (4 dep_years)
 * in each of the 4 dep_years quarters from `from` on (those past the horizon
 * fall outside the case). */
double cx_scenario_deduct_share(const cx_scenario *s, int from, int q);

/* The initiatives of scenario k (indexes into s->init): those listed, or
 * initiative k alone; *n receives their number. */
const size_t *cx_scenario_inits(const cx_scenario *s, size_t k, size_t *n, size_t *one);

#endif
