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

/* The initiatives of scenario k (indexes into s->init): those listed, or
 * initiative k alone; *n receives their number. */
const size_t *cx_scenario_inits(const cx_scenario *s, size_t k, size_t *n, size_t *one);

#endif
