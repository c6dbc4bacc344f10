/*
 * panel.c - the panel from files: department exports read and joined, with
 * survey responses aggregated to the exports' periods and units first, so
 * that the survey's score joins like one more export.  `cxcase panel` and
 * `cxcase fit` both build their panel here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "table.h"

/* The kind of the first period in a table's period column (NONE if none). */
static cx_period_kind first_period_kind(const cx_table *t)
{
    for (size_t j = 0; j < cx_table_ncols(t); j++)
        if (cx_table_coltype(t, j) == CX_COL_PERIOD)
            for (size_t i = 0; i < cx_table_nrows(t); i++)
                if (cx_table_periods(t, j)[i].kind != CX_PERIOD_NONE)
                    return (cx_period_kind)cx_table_periods(t, j)[i].kind;
    return CX_PERIOD_NONE;
}

cx_status cx_panel_load(const char *const *files, size_t n, const char *responses,
                        const cx_survey_options *sopt_in, const cx_csv_options *copt,
                        const char *const *units, size_t nunits, cx_table **out, cx_table **inputs,
                        cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    if (n == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "no files to join");
    cx_table **t = cx_calloc(n + 2, sizeof *t);
    const char **unit_names = NULL, **by = NULL;
    cx_csv_coltype *types = NULL;
    cx_status st = t ? CX_OK : CX_ENOMEM;
    size_t k = 0;
    for (; k < n && st == CX_OK; k++)
        st = cx_csv_read(files[k], copt, &t[k], err);
    if (st == CX_OK && !units) {
        /* the text columns every export has */
        unit_names = cx_calloc(cx_table_ncols(t[0]) + 1, sizeof(char *));
        if (!unit_names)
            st = CX_ENOMEM;
        nunits = 0;
        for (size_t j = 0; st == CX_OK && j < cx_table_ncols(t[0]); j++) {
            if (cx_table_coltype(t[0], j) != CX_COL_TEXT)
                continue;
            int all = 1;
            for (size_t f = 1; f < n && all; f++) {
                size_t c = cx_table_find(t[f], cx_table_colname(t[0], j));
                all = c != (size_t)-1 && cx_table_coltype(t[f], c) == CX_COL_TEXT;
            }
            if (all)
                unit_names[nunits++] = cx_table_colname(t[0], j);
        }
        units = unit_names;
    }
    if (st == CX_OK && responses) {
        /* NULL options are the defaults, as for cx_csv_read */
        cx_survey_options so = sopt_in ? *sopt_in : (cx_survey_options){.scale = CX_SCALE_NPS};
        by = cx_calloc(nunits + 2, sizeof(char *));
        cx_csv_options ro = copt ? *copt : (cx_csv_options){0};
        types = cx_calloc(ro.ntypes + 1, sizeof(cx_csv_coltype));
        if (!by || !types)
            st = CX_ENOMEM;
        else {
            by[0] = "period";
            for (size_t u = 0; u < nunits; u++)
                by[u + 1] = units[u];
            so.by = by;
            so.nby = nunits + 1;
            so.period_kind = first_period_kind(t[0]);
            if (!so.prefix)
                so.prefix = cx_scale_name(so.scale);
            if (!so.score)
                so.score = "score";
            /* the score is a number, whatever the first rows look like */
            for (size_t i = 0; i < ro.ntypes; i++)
                types[i] = ro.types[i];
            types[ro.ntypes] = (cx_csv_coltype){so.score, CX_COL_NUMBER};
            ro.types = types;
            ro.ntypes++;
            st = cx_survey_aggregate_file(responses, &ro, &so, &t[k], NULL, err);
            if (st == CX_OK)
                k++;
        }
    }
    if (st == CX_OK)
        st = cx_panel_join((const cx_table *const *)t, k, units, nunits, out, warn, err);
    if (st == CX_ENOMEM)
        cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    cx_free(types);
    cx_free(by);
    cx_free(unit_names);
    for (size_t i = 0; t && i < n + 1; i++) {
        if (inputs && st == CX_OK)
            inputs[i] = t[i];
        else
            cx_table_free(t[i]);
    }
    cx_free(t);
    return st;
}

/* Do rows a and b belong to the same unit (unit columns 1 .. nunits)? */
static int same_unit(const cx_table *t, size_t nunits, size_t a, size_t b)
{
    for (size_t c = 1; c <= nunits; c++) {
        const char *x = cx_table_text(t, c, a), *y = cx_table_text(t, c, b);
        if (strcmp(x ? x : "", y ? y : "") != 0)
            return 0;
    }
    return 1;
}

cx_status cx_panel_baseline(const cx_table *panel, size_t nunits, const char *metric, int window,
                            double *means, size_t *counts, size_t *first, size_t *nunit_out,
                            cx_error *err)
{
    *nunit_out = 0;
    size_t col = cx_table_find(panel, metric), n = cx_table_nrows(panel);
    if (col == (size_t)-1 || cx_table_coltype(panel, col) != CX_COL_NUMBER)
        return cx_error_set(err, CX_EINVAL, cx_table_source(panel), 0, 0,
                            "expected a numeric column '%s' in the panel for the baseline, found %s", metric,
                            col == (size_t)-1 ? "no such column" : "a column that is not numeric");
    if (n == 0)
        return cx_error_set(err, CX_EINVAL, cx_table_source(panel), 0, 0, "the panel has no rows for a baseline");
    const cx_period *per = cx_table_periods(panel, 0);
    const double *x = cx_table_numbers(panel, col);
    if (window <= 0) {
        static const int year[] = {0, 364, 52, 12, 4, 1};
        window = year[per[0].kind >= 1 && per[0].kind <= CX_PERIOD_YEAR ? per[0].kind : 0];
    }
    int32_t last = INT32_MIN;
    for (size_t i = 0; i < n; i++)
        if (per[i].kind != CX_PERIOD_NONE && per[i].value > last)
            last = per[i].value;
    int64_t from = (int64_t)last - window + 1; /* the window: from .. last */
    size_t u = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i, k = 0;
        double sum = 0;
        for (; j < n && same_unit(panel, nunits, i, j); j++)
            if (per[j].kind != CX_PERIOD_NONE && per[j].value >= from && !isnan(x[j])) {
                sum += x[j];
                k++;
            }
        if (k == 0) {
            char a[CX_PERIOD_TEXT_MAX], b[CX_PERIOD_TEXT_MAX];
            cx_period p0 = {per[i].kind, (int32_t)from}, p1 = {per[i].kind, last};
            return cx_error_set(err, CX_EINVAL, cx_table_source(panel), 0, 0,
                                "expected values of '%s' for unit '%s' in the baseline window %s to %s, found none",
                                metric, nunits ? cx_table_text(panel, 1, i) : "(all)",
                                cx_period_format(p0, a, sizeof a), cx_period_format(p1, b, sizeof b));
        }
        means[u] = sum / (double)k;
        if (counts)
            counts[u] = k;
        if (first)
            first[u] = i;
        u++;
        i = j;
    }
    *nunit_out = u;
    return CX_OK;
}
