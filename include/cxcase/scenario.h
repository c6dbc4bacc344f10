/*
 * cxcase/scenario.h - scenario files: the investment initiatives to simulate,
 * read and checked against the format of models/scenario.schema.json.
 *
 *     cx_error err;  cx_error_init(&err);
 *     cx_scenario *s = NULL;
 *     if (cx_scenario_load("samples/scenario.json", &s, &err) != CX_OK) {
 *         char line[CX_ERROR_LINE_MAX];
 *         fprintf(stderr, "%s\n", cx_error_format(&err, line, sizeof line));
 *     } else
 *         printf("%zu initiatives\n", cx_scenario_ninitiatives(s));
 *     cx_scenario_free(s);
 *
 * Every error names the file and the JSON Pointer of the offending value
 * (/initiatives/2/effects/0/change) and says what was expected; invalid JSON
 * is reported at its line and column.  Ownership: the scenario owns
 * everything it hands out.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_SCENARIO_H
#define CXCASE_SCENARIO_H

#include <stddef.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cx_scenario cx_scenario;

/* The size of a plan cx_scenario_load accepts.  A simulation holds about
 * 1 MB per scenario (its histograms and bands), so a plan stays within a
 * few hundred MB; a larger file is refused with the JSON Pointer of the
 * list that is too long. */
#define CX_PLAN_MAX_INITIATIVES 100  /**< initiatives in a file */
#define CX_PLAN_MAX_SCENARIOS 100    /**< scenarios listed (or one per initiative) */
#define CX_PLAN_MAX_EFFECTS 32       /**< effects of one initiative */
#define CX_PLAN_MAX_COSTS 32         /**< costs of one initiative */
#define CX_PLAN_MAX_CORRELATIONS 500 /**< entries of "correlations" */

/**
 * Read and check a scenario file: types, unknown and duplicated keys,
 * impossible values (a margin above 1, negative draws, a ramp longer than
 * the horizon, quarters outside it), references (initiative ids in
 * scenarios, JSON Pointers in correlations), the data and model files (they
 * must exist; the model specification is loaded and every effect's metric
 * must be a column the model uses), and the size limits above.  The data are not read.  Paths are
 * relative to the scenario file.  CX_ENOENT when the scenario file cannot be
 * opened; CX_ESYNTAX or CX_EINVAL for bad content.  Caller frees with
 * cx_scenario_free.
 */
CX_API cx_status cx_scenario_load(const char *path, cx_scenario **out, cx_error *err);
/** Free a scenario; NULL is allowed. */
CX_API void cx_scenario_free(cx_scenario *s);

CX_API const char *cx_scenario_name(const cx_scenario *s);
CX_API const char *cx_scenario_currency(const cx_scenario *s);
CX_API size_t cx_scenario_ninitiatives(const cx_scenario *s);
/** Scenarios to compare: those listed, or one per initiative by default. */
CX_API size_t cx_scenario_nscenarios(const cx_scenario *s);
/** The horizon in quarters and its first quarter ("2026Q1"). */
CX_API int cx_scenario_horizon(const cx_scenario *s);
CX_API const char *cx_scenario_start(const cx_scenario *s);
/** The name of scenario k (0-based): its own, or its initiative's when the
 *  file lists no scenarios; NULL when k is out of range. */
CX_API const char *cx_scenario_label(const cx_scenario *s, size_t k);
/** The annual discount rate, the gross margin and the tax rate (0 if none). */
CX_API void cx_scenario_finance(const cx_scenario *s, double *discount, double *margin, double *tax);
/**
 * The costs of scenario k per quarter of the horizon, at their stated
 * amounts: capex in its quarter, opex in every quarter from its `from` to
 * its `to` (both included), summed over the scenario's initiatives.  Fills
 * costs[0 .. horizon - 1] and returns the horizon; -1 when k is out of
 * range.
 */
CX_API int cx_scenario_costs(const cx_scenario *s, size_t k, double *costs);
/**
 * The share of an effect reached in quarter q (0-based in the horizon) when
 * it starts in quarter `start` with a linear ramp of `ramp` quarters:
 * 0 before the start, (q - start + 1) / ramp during the ramp, 1 after it
 * (and from the start when ramp is 0).  A ramp of 2 from 2026Q2 gives half
 * the effect in 2026Q2 and all of it from 2026Q3.
 */
CX_API double cx_ramp_share(int start, int ramp, int q);
/**
 * How scenario k moves `metric` in each quarter of the horizon, at the point
 * values: each effect on it, a `change` or a `target` (the level it moves
 * to, from `baseline`), times its ramp share, summed over the scenario's
 * initiatives (a metric with a target has no other effect: loading refuses
 * that).  Fills delta[0 .. horizon - 1]; returns 1 when some effect moves
 * the metric, 0 when none does, -1 when k is out of range.
 */
CX_API int cx_scenario_metric_delta(const cx_scenario *s, size_t k, const char *metric, double baseline,
                                    double *delta);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_SCENARIO_H */
