/*
 * gap.h - the review's computation on the data of the reviewed quarter
 * (gap.c): per target the plan, the ex post forecast and the actual
 * summed over units as simulate sums them, the gap split into execution,
 * metric drift, response and baseline drift, and the forecast's variance.
 * Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REVIEW_GAP_H
#define CX_REVIEW_GAP_H

#include "frozen.h"
#include "review_internal.h"

enum { P_EXEC, P_DRIFT, P_RESP, P_BASE, NPARTS };

/* How each initiative effect of the case reached its units: per unit the
 * quarters of delay against the plan (0: as planned), or -1 when the
 * initiative never reached the unit. */
typedef struct rollout {
    int given;       /* a realised-rollout file said so (else: as planned) */
    int *shift;      /* neff x nunits */
} rollout;

/* One target's review for the quarter. */
typedef struct gap_target {
    size_t eq;
    int sum;                          /* 1: summed over units and periods; 0: their mean */
    size_t rows;
    double plan, ex_post, actual, actual_se;
    double naive;                     /* the "baseline stays" forecast: the target's baselines aggregated */
    double part[NPARTS], part_se[NPARTS];
    double part_df[NPARTS];           /* degrees of freedom of a part's t interval (infinite: normal) */
    int exec_separable, resp_separable;
    double sd_ante, sd_post;          /* the forecasts' standard deviations */
    double var_coef_ante, var_coef_post, var_resid, var_metrics, var_survey, rho;
} gap_target;

/* The realised effect of each effect of the case. */
typedef struct gap_effect {
    cx_did did;
    double planned;                   /* the planned change at full ramp (mean over units) */
    size_t reached;                   /* units the initiative reached */
} gap_effect;

typedef struct gap_result {
    int Q;                            /* the reviewed quarter's index in the horizon */
    gap_target *t;                    /* one per equation */
    gap_effect *e;                    /* one per effect */
} gap_result;

/* Review case f on `panel` (cx_panel_join's layout, `ucols` unit columns)
 * for the horizon's quarter Q (-1: the last one the data reach; *Q_out
 * receives it).  Caller frees *out with gap_free. */
cx_status gap_run(const frozen *f, const cx_table *panel, size_t ucols, const rollout *ro, int Q,
                  gap_result **out, cx_error *err);
void gap_free(gap_result *g, const frozen *f);

#endif
