/*
 * cxcase/report.h - the business case as an Excel workbook (libxlsxwriter).
 *
 *     cx_simulation *sim = NULL;
 *     if (cx_simulate(s, NULL, &sim, &err) == CX_OK &&
 *         cx_report_write(s, sim, "report.xlsx", NULL, &err) == CX_OK)
 *         puts("written");
 *
 * libxlsxwriter assembles the workbook in a scratch file in TMPDIR that is
 * unlinked as soon as it is made; the finished workbook is copied into a
 * temporary beside the target, created with O_EXCL (a planted symlink is
 * never followed), and renamed only on success: a failed run leaves no
 * half-written workbook and never replaces an existing one, and a signal
 * handler can remove the temporary with cx_remove_temporaries.  Text from
 * the data and the scenario (names, ids) is always written as text, never
 * as a formula.  With SOURCE_DATE_EPOCH set, the same inputs give the same
 * bytes.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_REPORT_H
#define CXCASE_REPORT_H

#include "common.h"
#include "scenario.h"
#include "sim.h"
#include "customer.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Options for cx_report_write; NULL or a zeroed struct means the defaults. */
typedef struct cx_report_options {
    const char *command_line; /**< recorded on the About sheet (NULL: none) */
    const char *created;      /**< ISO 8601 time to record (NULL: SOURCE_DATE_EPOCH
                                   when set, else now; UTC) */
    const cx_link *link;      /**< responses linked to customers (cx_link_run), or NULL:
                                   the Model sheet then compares the customer-level value of
                                   a point of NPS with the model's (cx_link_triangulate) */
} cx_report_options;

/**
 * Write the workbook of a simulated scenario file: Summary (one landscape
 * page: the ranking, the portfolio, key messages, warnings, charts), Risk,
 * Sensitivity, Portfolio and About.  CX_ECREATE when the file cannot be
 * created (checked before anything is written), CX_EIO when writing fails
 * (with the system's reason: "No space left on device"), CX_ENOMEM.
 */
CX_API cx_status cx_report_write(const cx_scenario *s, const cx_simulation *sim, const char *path,
                                 const cx_report_options *opt, cx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_REPORT_H */
