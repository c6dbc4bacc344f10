/*
 * data_sheet.c - writes the workbook's Data sheet of a small generated panel
 * (2 regions x ROWS/2 consecutive weeks, y ~ x1 + x2 + lag(x1, 1) fitted
 * first), with at most MAX rows before it aggregates (0: a worksheet's).
 *
 *   data_sheet ROWS MAX OUT.xlsx
 *
 * For tests/e2e/t93-data-aggregate.sh.
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <gsl/gsl_errno.h>
#include "cxcase/cxcase.h"
#include "report/report_internal.h"

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: data_sheet ROWS MAX OUT.xlsx\n");
        return 64;
    }
    gsl_set_error_handler_off();
    size_t n = (size_t)atol(argv[1]), max = (size_t)atol(argv[2]), row;
    cx_table *t = cx_table_new("generated");
    cx_table_add_column(t, "week", CX_COL_PERIOD, NULL, NULL);
    cx_table_add_column(t, "region", CX_COL_TEXT, NULL, NULL);
    cx_table_add_column(t, "x1", CX_COL_NUMBER, NULL, NULL);
    cx_table_add_column(t, "x2", CX_COL_NUMBER, NULL, NULL);
    cx_table_add_column(t, "y", CX_COL_NUMBER, NULL, NULL);
    cx_period w0;
    cx_period_parse("2024-W01", 8, &w0);
    unsigned s = 12345;
    for (size_t i = 0; i < n; i++) {
        size_t u = i / ((n + 1) / 2), k = i % ((n + 1) / 2);
        cx_table_add_row(t, (unsigned long)(i + 2), &row);
        cx_table_set_period(t, 0, row, (cx_period){CX_PERIOD_WEEK, w0.value + (int32_t)k});
        cx_table_set_text(t, 1, row, u ? "=HYPERLINK(\"http://x\",\"Zuid\")" : "Noord");
        s = s * 1103515245u + 12345u;
        double x1 = (double)(s >> 16 & 0x7fff) / 327.68;
        s = s * 1103515245u + 12345u;
        double x2 = (double)(s >> 16 & 0x7fff) / 3276.8;
        s = s * 1103515245u + 12345u;
        cx_table_set_number(t, 2, row, x1);
        cx_table_set_number(t, 3, row, x2);
        cx_table_set_number(t, 4, row, 5 + 0.8 * x1 - 2 * x2 + (double)(s >> 16 & 0x7fff) / 32768.0);
    }
    const char *terms[] = {"x1", "x2", "lag(x1, 1)"};
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_spec_simple("y", terms, 3, 1, &spec, &err) != CX_OK || cx_fit_table(spec, t, NULL, &m, NULL, &err) != CX_OK ||
        cx_report_write_data(argv[3], t, 1, m, 1, max, &err) != CX_OK) {
        fprintf(stderr, "data_sheet: %s\n", err.message);
        return 1;
    }
    cx_model_free(m);
    cx_spec_free(spec);
    cx_table_free(t);
    return 0;
}
