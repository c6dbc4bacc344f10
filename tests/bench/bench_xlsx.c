/*
 * bench_xlsx.c - the workbook's Data sheet against the floor: how long the
 * library takes to write a panel of N rows with fitted values and residuals
 * in libxlsxwriter's constant-memory mode, beside a bare loop that writes
 * the same cells with libxlsxwriter and nothing else.
 *
 *   bench_xlsx cxcase N OUT.xlsx       cx_report_write_data (fitted values computed while writing)
 *   bench_xlsx floor N OUT.xlsx        the same cells, precomputed, written by a bare loop
 *   bench_xlsx csv N OUT.csv           the same cells as CSV, for tests/bench/xlsx_python.py
 *
 * The panel is generated deterministically: 100 regions, consecutive ISO
 * weeks, four metrics and y = 3 + x1 - 2 x2 + 0.5 x3 + 0.1 x4 + noise; the
 * model y ~ x1 + x2 + x3 + x4 is fitted first (not timed).  Prints the
 * seconds of the timed part.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <xlsxwriter.h>

#include "cxcase/cxcase.h"
#include "report/report_internal.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static cx_table *panel(size_t n)
{
    cx_table *t = cx_table_new("bench");
    const char *names[] = {"x1", "x2", "x3", "x4", "y"};
    cx_table_add_column(t, "week", CX_COL_PERIOD, NULL, NULL);
    cx_table_add_column(t, "region", CX_COL_TEXT, NULL, NULL);
    for (int c = 0; c < 5; c++)
        cx_table_add_column(t, names[c], CX_COL_NUMBER, NULL, NULL);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261122);
    size_t units = 100, per = (n + units - 1) / units, row;
    cx_period w0;
    cx_period_parse("2000-W01", 8, &w0);
    char reg[32];
    for (size_t i = 0; i < n; i++) {
        size_t u = i / per, k = i % per;
        cx_table_add_row(t, (unsigned long)(i + 2), &row);
        cx_table_set_period(t, 0, row, (cx_period){CX_PERIOD_WEEK, w0.value + (int32_t)k});
        snprintf(reg, sizeof reg, "region %03zu", u);
        cx_table_set_text(t, 1, row, reg);
        double x[4];
        for (int c = 0; c < 4; c++) {
            x[c] = round(gsl_rng_uniform(r) * 10000) / 100;
            cx_table_set_number(t, 2 + (size_t)c, row, x[c]);
        }
        double y = 3 + x[0] - 2 * x[1] + 0.5 * x[2] + 0.1 * x[3] + gsl_ran_gaussian_ziggurat(r, 2);
        cx_table_set_number(t, 6, row, round(y * 1000) / 1000);
    }
    gsl_rng_free(r);
    return t;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: bench_xlsx cxcase|floor|csv N OUT\n");
        return 64;
    }
    gsl_set_error_handler_off(); /* the library checks statuses */
    size_t n = (size_t)strtod(argv[2], NULL);
    cx_table *t = panel(n);
    const char *terms[] = {"x1", "x2", "x3", "x4"};
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_spec_simple("y", terms, 4, 1, &spec, &err) != CX_OK || cx_fit_table(spec, t, NULL, &m, NULL, &err) != CX_OK) {
        fprintf(stderr, "bench_xlsx: %s\n", err.message);
        return 1;
    }
    const double *b = cx_equation_coef(cx_model_equation(m, 0));
    double secs = 0;
    if (strcmp(argv[1], "cxcase") == 0) {
        double t0 = now();
        if (cx_report_write_data(argv[3], t, 1, m, 1, 0, &err) != CX_OK) {
            fprintf(stderr, "bench_xlsx: %s\n", err.message);
            return 1;
        }
        secs = now() - t0;
    } else {
        /* the same cells, precomputed */
        size_t rows = cx_table_nrows(t);
        char (*week)[16] = malloc(rows * sizeof *week), (*reg)[32] = malloc(rows * sizeof *reg);
        double *v = malloc(rows * 7 * sizeof(double));
        for (size_t i = 0; i < rows; i++) {
            cx_period_format(cx_table_periods(t, 0)[i], week[i], sizeof week[i]);
            snprintf(reg[i], sizeof reg[i], "%s", cx_table_text(t, 1, i));
            double fit = b[0];
            for (int c = 0; c < 5; c++)
                v[i * 7 + (size_t)c] = cx_table_numbers(t, 2 + (size_t)c)[i];
            for (int c = 0; c < 4; c++)
                fit += b[1 + c] * v[i * 7 + (size_t)c];
            v[i * 7 + 5] = fit;
            v[i * 7 + 6] = v[i * 7 + 4] - fit;
        }
        static const char *const head[] = {"week", "region", "x1", "x2", "x3", "x4", "y", "fitted y", "residual y"};
        if (strcmp(argv[1], "csv") == 0) {
            FILE *f = fopen(argv[3], "w");
            for (int c = 0; c < 9; c++)
                fprintf(f, "%s%s", c ? "," : "", head[c]);
            fputc('\n', f);
            for (size_t i = 0; i < rows; i++) {
                fprintf(f, "%s,%s", week[i], reg[i]);
                for (int c = 0; c < 7; c++)
                    fprintf(f, ",%.17g", v[i * 7 + (size_t)c]);
                fputc('\n', f);
            }
            fclose(f);
        } else {
            double t0 = now();
            lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
            lxw_workbook *wb = workbook_new_opt(argv[3], &wo);
            lxw_worksheet *ws = workbook_add_worksheet(wb, "Data");
            for (int c = 0; c < 9; c++)
                worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
            for (size_t i = 0; i < rows; i++) {
                lxw_row_t row = (lxw_row_t)(i + 1);
                worksheet_write_string(ws, row, 0, week[i], NULL);
                worksheet_write_string(ws, row, 1, reg[i], NULL);
                for (int c = 0; c < 7; c++)
                    worksheet_write_number(ws, row, (lxw_col_t)(2 + c), v[i * 7 + (size_t)c], NULL);
            }
            if (workbook_close(wb) != LXW_NO_ERROR)
                return 1;
            secs = now() - t0;
        }
        free(week);
        free(reg);
        free(v);
    }
    printf("%.3f\n", secs);
    cx_model_free(m);
    cx_spec_free(spec);
    cx_table_free(t);
    return 0;
}
