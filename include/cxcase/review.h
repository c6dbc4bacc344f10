/*
 * review.h - the ledger of approved cases: an append-only JSON Lines file,
 * one record per line, each record chained to the one before it by SHA-256.
 *
 *     cx_scenario *s;  cx_simulation *sim;  cx_error err;  size_t seq;
 *     cx_error_init(&err);
 *     if (cx_ledger_verify("cases.jsonl", NULL, &err) != CX_OK && err.status != CX_ENOENT)
 *         return fail(&err);             // "cases.jsonl:3: error: record 3 ..."
 *     cx_scenario_load("scenario.json", &s, &err);
 *     cx_simulate(s, NULL, &sim, &err);
 *     cx_ledger_record_case("cases.jsonl", s, sim, &seq, &err);
 *     cx_simulation_free(sim);
 *     cx_scenario_free(s);
 *
 * A record is one compact JSON object: "seq" (1, 2, ... = its line number),
 * "kind" ("case" or "review"), "created_at" (UTC; SOURCE_DATE_EPOCH when
 * set), "tool", "prev" (the SHA-256 of the previous record's line, without
 * its newline; null for the first), the members of its kind, and last its own
 * "sha256": the SHA-256 of the line with that last member taken out.  The
 * chain detects an edit; it is not a signature (anyone can rewrite the whole
 * chain).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_REVIEW_H
#define CXCASE_REVIEW_H

#include <stddef.h>
#include "common.h"
#include "scenario.h"
#include "sim.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * Check every record of the ledger at `path`: each line complete and valid
 * JSON, its own "sha256" right, "seq" its line number, "kind" known and
 * "prev" the SHA-256 of the line before.  *nrecords (may be NULL) receives
 * the number of records.  Errors: CX_ENOENT when the file cannot be opened,
 * CX_EIO, CX_ENOMEM, and CX_ESYNTAX at "path:LINE" for the first bad record
 * ("record N ...").
 */
CX_API cx_status cx_ledger_verify(const char *path, size_t *nrecords, cx_error *err);

/**
 * Append the case of simulation `sim` of scenario `s` as decided to the
 * ledger at `path` (created when absent) as a "case" record: the scenario
 * and model files (content and SHA-256), the fitted model (coefficients,
 * covariance, sigma, df, method, measurement-error and tau2 figures), the
 * input files (SHA-256, first and last period), the baselines per unit,
 * the planned metric changes per initiative, and the forecast per quarter
 * with seed and draws.  The ledger is verified first and left untouched
 * unless it verifies; the new ledger is written to a temporary file beside
 * it (the old records copied byte for byte), synced and renamed over it, so
 * a killed run leaves the old ledger as it was.  *seq (may be NULL) receives
 * the new record's number.  Errors: those of cx_ledger_verify, CX_ECREATE
 * when the temporary file cannot be created, CX_EIO, CX_EUSAGE for a bad
 * SOURCE_DATE_EPOCH, and those of reading the input files.
 */
CX_API cx_status cx_ledger_record_case(const char *path, const cx_scenario *s, const cx_simulation *sim,
                                       size_t *seq, cx_error *err);

/** What to review and with which data (cx_review_run). */
typedef struct cx_review_options {
    const char *const *files;  /**< the department exports up to the end of the reviewed quarter */
    size_t nfiles;
    const char *const *responses; /**< survey response files (0-10 scores in column "score"): the
                                        history's and the quarter's, stacked; none: NULL */
    size_t nresponses;
    size_t seq;                /**< the case record to review; 0: the last case of the ledger */
    const char *scenario;      /**< the scenario of the case that was approved; NULL: its last */
    const char *quarter;       /**< the quarter to review ("2026Q1"); NULL: the last the data reach */
    const char *realised;      /**< realised-rollout file (JSON), or NULL: every unit as planned */
} cx_review_options;

/**
 * Review a case of the ledger at `ledger` (verified first) against the data
 * of one quarter of its horizon, without refitting its model: per target
 * the plan, the ex post forecast and the actual (summed over units as
 * simulate sums them), the gap split exactly into execution, metric drift,
 * response and baseline drift with their SEs, the realised effect of each
 * initiative by difference-in-differences, and the scores of the ex ante
 * and ex post forecasts (README "cxcase review").  *json receives the
 * review as compact JSON text (the same inputs give the same bytes);
 * caller frees it with cx_free_string.  Errors: those of cx_ledger_verify
 * and of reading the data, CX_EUSAGE for a case, scenario or quarter that
 * is not there, CX_EINVAL for data that do not fit the case.
 */
CX_API cx_status cx_review_run(const char *ledger, const cx_review_options *opt, char **json, cx_warnings *warn,
                               cx_error *err);

/**
 * Append the review `json` (as cx_review_run wrote it) to the ledger at
 * `path` as a "review" record, atomically as cx_ledger_record_case does.
 * *seq (may be NULL) receives the record's number.
 */
CX_API cx_status cx_ledger_record_review(const char *path, const char *json, size_t *seq, cx_error *err);

/**
 * Write the review `json` (as cx_review_run wrote it) as a workbook at
 * `path`: Summary, Review (the waterfall as live formulas with a check
 * row), Track record (with a chart) and Model shift.  Written to a
 * temporary file and renamed.  Errors: CX_EINVAL, CX_ECREATE, CX_EIO.
 */
CX_API cx_status cx_review_workbook_write(const char *json, const char *path, cx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_REVIEW_H */
