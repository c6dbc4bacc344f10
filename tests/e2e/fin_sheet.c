/*
 * fin_sheet.c - random quarterly cash-flow series for comparing cxcase's
 * finance functions with a spreadsheet's NPV and IRR.
 *
 *     fin_sheet N SEED OUT.xlsx > engine.csv
 *
 * Writes N random series (GSL's MT19937 with SEED) to sheet "cf" of
 * OUT.xlsx, one per row from row 2: A annual rate, B number of quarters,
 * C quarterly rate, D NPV, E annualised IRR (C, D and E as formulas that
 * the spreadsheet computes), cash flows from column F.  On stdout, one CSV
 * line per series: row,npv,irr,kind where irr is empty when cxcase finds no
 * rate, kind is "one" (one sign change: exactly one IRR), "mixed" (several
 * sign changes: only the NPV is compared) or "none" (no sign change: no
 * IRR exists).  The spreadsheet's formulas mirror the conventions in
 * include/cxcase/sim.h: its NPV() discounts the first flow one period, as
 * cxcase does.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <xlsxwriter.h>
#include "cxcase/cxcase.h"

#define MAXQ 40

/* One series: "one" = outlays then returns; "none" = all returns; "mixed" =
 * outlays, returns and a later outlay (a refit, say). */
static size_t make_series(gsl_rng *r, const char *kind, double *cf)
{
    size_t n = 4 + gsl_rng_uniform_int(r, MAXQ - 3);
    size_t k = 1 + gsl_rng_uniform_int(r, 3); /* quarters of outlay */
    double invest = 50000 + 450000 * gsl_rng_uniform(r);
    double ret = invest * (0.6 + 1.9 * gsl_rng_uniform(r));
    double w = 0;
    for (size_t t = 0; t < n; t++) {
        cf[t] = t < k ? -invest / (double)k : gsl_ran_gamma(r, 2.0, 1.0);
        if (t >= k)
            w += cf[t];
    }
    for (size_t t = k; t < n; t++)
        cf[t] = ret * cf[t] / w;
    if (kind[0] == 'n') {
        for (size_t t = 0; t < k; t++)
            cf[t] = -cf[t] / 4;
    } else if (kind[0] == 'm') {
        cf[n - 1] = -invest * (0.2 + 0.5 * gsl_rng_uniform(r));
    }
    for (size_t t = 0; t < n; t++) /* whole cents, as a finance team would type */
        cf[t] = (double)llround(cf[t] * 100) / 100;
    return n;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: fin_sheet N SEED OUT.xlsx\n");
        return 64;
    }
    int count = atoi(argv[1]);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, strtoul(argv[2], NULL, 10));
    lxw_workbook *wb = workbook_new(argv[3]);
    if (!wb) {
        fprintf(stderr, "fin_sheet: cannot create %s\n", argv[3]);
        return 73;
    }
    lxw_worksheet *ws = workbook_add_worksheet(wb, "cf");
    const char *head[] = {"annual rate", "quarters", "quarterly rate", "NPV", "IRR (annual)"};
    for (int c = 0; c < 5; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, head[c], NULL);
    for (int i = 0; i < count; i++) {
        const char *kind = i % 10 == 8 ? "mixed" : i % 10 == 9 ? "none" : "one";
        double cf[MAXQ];
        size_t n = make_series(r, kind, cf);
        double annual = 0.25 * gsl_rng_uniform(r);
        annual = (double)llround(annual * 1e4) / 1e4;
        lxw_row_t row = (lxw_row_t)(i + 1);
        char cfs[32], f[160];
        lxw_rowcol_to_range(cfs, row, 5, row, (lxw_col_t)(5 + n - 1)); /* F2:AB2 */
        worksheet_write_number(ws, row, 0, annual, NULL);
        worksheet_write_number(ws, row, 1, (double)n, NULL);
        snprintf(f, sizeof f, "=(1+A%d)^(1/4)-1", i + 2);
        worksheet_write_formula(ws, row, 2, f, NULL);
        snprintf(f, sizeof f, "=NPV(C%d,%s)", i + 2, cfs);
        worksheet_write_formula(ws, row, 3, f, NULL);
        snprintf(f, sizeof f, "=(1+IRR(%s,0))^4-1", cfs);
        worksheet_write_formula(ws, row, 4, f, NULL);
        for (size_t t = 0; t < n; t++)
            worksheet_write_number(ws, row, (lxw_col_t)(5 + t), cf[t], NULL);

        double irr;
        int several = 0;
        printf("%d,%.17g,", i + 2, cx_fin_npv(cf, n, annual));
        if (cx_fin_irr(cf, n, &irr, &several, NULL) == CX_OK)
            printf("%.17g", irr);
        printf(",%s%s\n", kind, several ? "-several" : "");
    }
    gsl_rng_free(r);
    lxw_error e = workbook_close(wb);
    if (e != LXW_NO_ERROR) {
        fprintf(stderr, "fin_sheet: %s\n", lxw_strerror(e));
        return 74;
    }
    return 0;
}
