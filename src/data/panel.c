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

/* The cadence of the period columns of the n exports together: the kind
 * of their periods, or for dates the coarsest regular spacing they all fit
 * (one date a month ...), so that survey responses are counted per month
 * and joined on the exports' own dates. */
static void exports_cadence(cx_table *const *t, size_t n, cx_cadence *c)
{
    cx_cadence_init(c);
    for (size_t f = 0; f < n; f++)
        for (size_t j = 0; j < cx_table_ncols(t[f]); j++)
            if (cx_table_coltype(t[f], j) == CX_COL_PERIOD) {
                const cx_period *p = cx_table_periods(t[f], j);
                for (size_t i = 0; i < cx_table_nrows(t[f]); i++)
                    cx_cadence_add(c, p[i]);
                break;
            }
}

/* The unit columns when none are given: the text columns every export has. */
static cx_status shared_units(cx_table *const *t, size_t n, const char ***names, size_t *nunits)
{
    *nunits = 0;
    if (!(*names = cx_calloc(cx_table_ncols(t[0]) + 1, sizeof(char *))))
        return CX_ENOMEM;
    for (size_t j = 0; j < cx_table_ncols(t[0]); j++) {
        if (cx_table_coltype(t[0], j) != CX_COL_TEXT)
            continue;
        int all = 1;
        for (size_t f = 1; f < n && all; f++) {
            size_t c = cx_table_find(t[f], cx_table_colname(t[0], j));
            all = c != (size_t)-1 && cx_table_coltype(t[f], c) == CX_COL_TEXT;
        }
        if (all)
            (*names)[(*nunits)++] = cx_table_colname(t[0], j);
    }
    return CX_OK;
}

/* Survey responses aggregated to the exports' periods (at their cadence)
 * and units, into *out, its period column holding the exports' own dates
 * when those are dates at a coarser cadence. */
static cx_status responses_table(const char *const *paths, size_t npaths, const cx_csv_options *csv,
                                 const cx_survey_options *sopt, cx_table *const *t, size_t n,
                                 const char *const *units, size_t nunits, cx_warnings *warn, cx_table **out,
                                 cx_error *err)
{
    /* NULL options are the defaults, as for cx_csv_read */
    cx_survey_options so = sopt ? *sopt : (cx_survey_options){.scale = CX_SCALE_NPS};
    cx_csv_options ro;
    memset(&ro, 0, sizeof ro);
    if (csv)
        ro = *csv;
    if (!ro.notes)
        ro.notes = warn;
    const char **by = cx_calloc(nunits + 2, sizeof(char *));
    cx_csv_coltype *types = cx_calloc(ro.ntypes + 1, sizeof(cx_csv_coltype));
    cx_status st = by && types ? CX_OK : CX_ENOMEM;
    cx_cadence cad;
    exports_cadence(t, n, &cad);
    if (st == CX_OK) {
        by[0] = "period";
        for (size_t u = 0; u < nunits; u++)
            by[u + 1] = units[u];
        so.by = by;
        so.nby = nunits + 1;
        so.period_kind = cx_cadence_kind(&cad);
        if (!so.prefix)
            so.prefix = cx_scale_name(so.scale);
        if (!so.score)
            so.score = "score";
        /* the score is a number, whatever the first rows look like */
        for (size_t i = 0; i < ro.ntypes; i++)
            types[i] = ro.types[i];
        types[ro.ntypes] = (cx_csv_coltype){so.score, CX_COL_NUMBER, 0};
        ro.types = types;
        ro.ntypes++;
        st = cx_survey_aggregate_files(paths, npaths, &ro, &so, out, NULL, err);
    }
    if (st == CX_OK && cad.kind == CX_PERIOD_DAY && cx_cadence_kind(&cad) != CX_PERIOD_DAY) {
        const cx_period *p = cx_table_periods(*out, 0);
        for (size_t i = 0; p && i < cx_table_nrows(*out); i++)
            cx_table_set_period(*out, 0, i, cx_cadence_date(&cad, p[i]));
    }
    cx_free(types);
    cx_free(by);
    return st;
}

/* cx_panel_load_sources with nresp response files (read with the options
 * `rcsv`), counted together as one (the history's responses and a
 * quarter's).  inputs: n + 1. */
static cx_status load_sources(const cx_panel_source *files, size_t n, const char *const *responses, size_t nresp,
                              const cx_csv_options *rcsv, const cx_survey_options *sopt, const char *const *units,
                              size_t nunits, cx_table **out, cx_table **inputs, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    if (n == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "no files to join");
    cx_table **t = cx_calloc(n + 2, sizeof *t);
    const char **unit_names = NULL;
    cx_status st = t ? CX_OK : CX_ENOMEM;
    size_t k = 0;
    for (; k < n && st == CX_OK; k++) {
        cx_csv_options o;
        memset(&o, 0, sizeof o);
        if (files[k].csv)
            o = *files[k].csv;
        if (!o.notes)
            o.notes = warn;
        st = cx_csv_read(files[k].path, &o, &t[k], err);
    }
    if (st == CX_OK && !units && (st = shared_units(t, n, &unit_names, &nunits)) == CX_OK)
        units = unit_names;
    if (st == CX_OK && nresp &&
        (st = responses_table(responses, nresp, rcsv, sopt, t, n, units, nunits, warn, &t[k], err)) == CX_OK)
        k++;
    if (st == CX_OK)
        st = cx_panel_join((const cx_table *const *)t, k, units, nunits, out, warn, err);
    if (st == CX_ENOMEM)
        cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
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

cx_status cx_panel_load_sources(const cx_panel_source *files, size_t n, const cx_panel_source *responses,
                                const cx_survey_options *sopt, const char *const *units, size_t nunits,
                                cx_table **out, cx_table **inputs, cx_warnings *warn, cx_error *err)
{
    return load_sources(files, n, responses ? &responses->path : NULL, responses ? 1 : 0,
                        responses ? responses->csv : NULL, sopt, units, nunits, out, inputs, warn, err);
}

/* The distinct column names of the tables t[0 .. n) (stopping at a NULL
 * table), in file order; NULL when out of memory. */
static const char **all_names(cx_table *const *t, size_t n, size_t *count)
{
    size_t f, ncols = 0;
    for (f = 0; f < n && t[f]; f++)
        ncols += cx_table_ncols(t[f]);
    const char **names = cx_calloc(ncols + 1, sizeof(char *));
    if (!names)
        return NULL;
    ncols = 0;
    for (f = 0; f < n && t[f]; f++)
        for (size_t j = 0; j < cx_table_ncols(t[f]); j++) {
            size_t k = 0;
            while (k < ncols && strcmp(names[k], cx_table_colname(t[f], j)) != 0)
                k++;
            if (k == ncols)
                names[ncols++] = cx_table_colname(t[f], j);
        }
    *count = ncols;
    return names;
}

/* Column types the user forced once for several files (--text): each must
 * name a column of some file, by its new name or a renamed one's old name. */
static cx_status types_used(const cx_csv_options *copt, const unsigned char *used, cx_table *const *t, size_t n,
                            cx_error *err)
{
    for (size_t k = 0; k < copt->ntypes; k++) {
        const char *name = copt->types[k].name;
        if (!copt->types[k].required)
            continue;
        int found = 0;
        for (size_t f = 0; f < n && t[f] && !found; f++)
            found = cx_table_find(t[f], name) != (size_t)-1;
        for (size_t r = 0; r < copt->nrenames && !found; r++)
            found = used[r] && strcmp(copt->renames[r].from, name) == 0;
        if (found)
            continue;
        size_t ncols = 0;
        const char **names = all_names(t, n, &ncols);
        cx_buf b = {0};
        cx_status st = names ? cx_suggest_text(&b, name, names, ncols, "their columns") : CX_ENOMEM;
        if (st == CX_OK)
            st = cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "--text %s: expected a column '%s' in one of the files, "
                              "found none%s", name, name, b.data ? b.data : "");
        cx_buf_free(&b);
        cx_free(names);
        return st;
    }
    return CX_OK;
}

/* Renames given once for several files: each must have renamed a column of
 * some file (flags in `used`), so one that none has is reported with its
 * nearest name among the files' columns. */
static cx_status renames_used(const cx_csv_options *copt, const unsigned char *used, cx_table *const *t, size_t n,
                              cx_error *err)
{
    cx_status st = CX_OK;
    for (size_t r = 0; r < copt->nrenames && st == CX_OK; r++) {
        if (used[r])
            continue;
        size_t ncols = 0;
        const char **names = all_names(t, n, &ncols);
        if (!names)
            return CX_ENOMEM;
        cx_buf b = {0};
        st = cx_suggest_text(&b, copt->renames[r].from, names, ncols, "their columns");
        if (st == CX_OK)
            st = cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "--rename %s=%s: expected a column '%s' in one of the files, "
                              "found none%s", copt->renames[r].from, copt->renames[r].to, copt->renames[r].from,
                              b.data ? b.data : "");
        cx_buf_free(&b);
        cx_free(names);
    }
    return st;
}

cx_status cx_panel_load_n(const char *const *files, size_t n, const char *const *responses, size_t nresp,
                          const cx_survey_options *sopt, const cx_csv_options *copt, const char *const *units,
                          size_t nunits, cx_table **out, cx_table **inputs, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    cx_csv_options o;
    memset(&o, 0, sizeof o);
    if (copt)
        o = *copt;
    o.renames_optional = 1; /* one list for every file: checked below */
    o.types_optional = 1;
    unsigned char *used = cx_calloc(o.nrenames + 1, 1);
    o.renamed = used;
    cx_panel_source *src = cx_calloc(n + 1, sizeof *src);
    cx_table **tabs = cx_calloc(n + 2, sizeof *tabs);
    if (!src || !tabs || !used) {
        cx_free(src);
        cx_free(tabs);
        cx_free(used);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t k = 0; k < n; k++)
        src[k] = (cx_panel_source){files[k], &o};
    cx_status st = load_sources(src, n, responses, nresp, &o, sopt, units, nunits, out, tabs, warn, err);
    if (st == CX_OK && (st = renames_used(&o, used, tabs, n + (tabs[n] != NULL), err)) == CX_OK)
        st = types_used(&o, used, tabs, n + (tabs[n] != NULL), err);
    if (st == CX_ENOMEM)
        cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st != CX_OK) {
        cx_table_free(*out);
        *out = NULL;
    }
    for (size_t k = 0; k < n + 1; k++) {
        if (inputs && st == CX_OK)
            inputs[k] = tabs[k];
        else
            cx_table_free(tabs[k]);
    }
    cx_free(tabs);
    cx_free(src);
    cx_free(used);
    return st;
}

cx_status cx_panel_load(const char *const *files, size_t n, const char *responses,
                        const cx_survey_options *sopt, const cx_csv_options *copt,
                        const char *const *units, size_t nunits, cx_table **out, cx_table **inputs,
                        cx_warnings *warn, cx_error *err)
{
    return cx_panel_load_n(files, n, responses ? &responses : NULL, responses ? 1 : 0, sopt, copt, units, nunits, out,
                           inputs, warn, err);
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
