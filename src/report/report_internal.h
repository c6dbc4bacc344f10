/*
 * report_internal.h - parts of the workbook writer that tools and
 * benchmarks use on their own (internal to the library).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REPORT_INTERNAL_H
#define CX_REPORT_INTERNAL_H

#include "cxcase/data.h"
#include "cxcase/model.h"

/* A workbook holding only the Data sheet of `panel` (period column, then
 * `unit_cols` unit columns) with every equation's fitted values and
 * residuals, written in libxlsxwriter's constant-memory mode when asked.
 * With more rows than max_rows (0: a worksheet's 1,048,575), one row per
 * unit and quarter: the means of its rows and their number. */
cx_status cx_report_write_data(const char *path, const cx_table *panel, size_t unit_cols, const cx_model *m,
                               int constant_memory, size_t max_rows, cx_error *err);

#endif
