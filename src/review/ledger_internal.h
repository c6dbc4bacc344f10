/*
 * ledger_internal.h - the hash chain of the ledger (ledger.c) for the code
 * that builds its records (case.c, later the review).  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REVIEW_LEDGER_INTERNAL_H
#define CX_REVIEW_LEDGER_INTERNAL_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "cxcase/common.h"

/* Check the ledger text[0..len) named `path` in messages: every record as
 * cx_ledger_verify does.  *n receives the number of records and last the
 * SHA-256 of the last record's line ("" when there is none). */
cx_status cx_ledger_check(const char *path, const char *text, size_t len, size_t *n, char last[65],
                          cx_error *err);

/* Append a record of `kind` whose members after the chain's own are those
 * of `body` (an object, left as it is) to the ledger at `path`: verify it,
 * then write the old bytes and the new line to a temporary file beside it,
 * sync it and rename it over the ledger.  *seq (may be NULL) receives the
 * record's number. */
cx_status cx_ledger_append(const char *path, const char *kind, const cJSON *body, size_t *seq, cx_error *err);

/* The record time: SOURCE_DATE_EPOCH when set (whole seconds since 1970),
 * else now, as "2026-03-31T12:00:00Z". */
cx_status cx_ledger_time(char out[32], cx_error *err);

#endif
