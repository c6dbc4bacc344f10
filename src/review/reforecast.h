/*
 * reforecast.h - the finance part of the review (reforecast.c): per
 * approved initiative and in total the cost variance of the quarters
 * reviewed, the timing (go-live delay x planned quarterly benefit) and the
 * NPV of the approved plan re-forecast with what is now known.  Never
 * installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REVIEW_REFORECAST_H
#define CX_REVIEW_REFORECAST_H

#include <cjson/cJSON.h>
#include "../core/jsonin.h"
#include "gap.h"

typedef struct fin_review fin_review;

/* The finance of case f's judged scenario, read from the record: the
 * scenario's finance section and its initiatives' costs (from the
 * scenario's content kept in the record), the planned revenue change per
 * quarter and the frozen NPV (from the record's forecast), and each
 * initiative's own planned revenue change where the record has it.
 * Caller frees with fin_free. */
cx_status fin_new(const frozen *f, fin_review **out, cx_error *err);
void fin_free(fin_review *fr);

/* The "costs" member (at pointer p of file `path`) of initiative `id` in
 * the realised-rollout file: [{"kind": "capex" | "opex", "quarter":
 * "2026Q1", "amount": 950000}], the costs booked, quarter by quarter.
 * CX_EINVAL with the JSON Pointer for a bad entry or an initiative that
 * is not in the judged scenario. */
cx_status fin_costs_read(fin_review *fr, const char *id, const cJSON *costs, const char *path, cx_jpath *p,
                         cx_error *err);

/* The finance review for quarter g->Q as JSON (README "cxcase review",
 * finance).  CX_EINVAL when the realised file books a cost after the
 * reviewed quarter. */
cx_status fin_json(const fin_review *fr, const frozen *f, const rollout *ro, const gap_result *g, cJSON **out,
                   cx_error *err);

#endif
