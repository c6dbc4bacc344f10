/*
 * panel.c - the panel from files: department exports read and joined, with
 * survey responses aggregated to the exports' periods and units first, so
 * that the survey's score joins like one more export.  `cxcase panel` and
 * `cxcase fit` both build their panel here.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
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
    cx_csv_reader *r = NULL;
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
        cx_survey_options so = *sopt_in;
        by = cx_calloc(nunits + 2, sizeof(char *));
        cx_csv_options ro = *copt;
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
            st = cx_csv_open(responses, &ro, &r, err);
            if (st == CX_OK)
                st = cx_survey_aggregate(r, &so, &t[k], NULL, err);
            if (st == CX_OK)
                k++;
        }
    }
    if (st == CX_OK)
        st = cx_panel_join((const cx_table *const *)t, k, units, nunits, out, warn, err);
    if (st == CX_ENOMEM)
        cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    cx_csv_close(r);
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
