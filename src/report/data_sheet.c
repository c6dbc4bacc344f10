/*
 * data_sheet.c - the Data sheet: the panel with every equation's fitted values
 * and residuals, written row by row (constant-memory mode), and the
 * workbook holding only it (report_internal.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "../core/core.h"
#include "report_internal.h"
#include "report_sheet.h"

/* ---- Data: the panel with fitted values and residuals ------------------- */

#define MAX_DATA_ROWS 1048575 /* a worksheet's rows, less the header */

/* Same unit: the unit columns (1 .. unit_cols) hold the same text. */
static int same_unit(const cx_table *t, size_t unit_cols, size_t a, size_t b)
{
    for (size_t c = 1; c <= unit_cols; c++) {
        const char *x = cx_table_text(t, c, a), *y = cx_table_text(t, c, b);
        if (!x || !y || strcmp(x, y) != 0)
            return 0;
    }
    return 1;
}

/* The value of numeric column col in row i, or `k` periods before it within
 * the unit (NaN when missing). */
static double value_at(const cx_table *t, size_t unit_cols, size_t col, size_t i, int k)
{
    const double *v = cx_table_numbers(t, col);
    if (!v)
        return NAN;
    if (k == 0)
        return v[i];
    const cx_period *per = cx_table_periods(t, 0);
    for (size_t back = 1; back <= (size_t)k && back <= i; back++) {
        size_t j = i - back;
        if (!same_unit(t, unit_cols, i, j))
            break;
        if (per[j].value == per[i].value - k)
            return v[j];
        if (per[j].value < per[i].value - k)
            break;
    }
    return NAN;
}

/* A coefficient's column, resolved once: the intercept, a C(x) level, or a
 * product of factors over the panel's columns. */
typedef struct dcol {
    int kind;            /* 0 intercept, 1 level of a text column, 2 quarter level, 3 term, 4 unknown */
    size_t col;          /* the text column of a level */
    char level[64];
    int quarter;         /* 1..4 for a quarter level */
    cx_term term;
    size_t *fcol;        /* per factor: the panel's column */
} dcol;

/* Returns 0, or -1 when out of memory. */
static int dcol_init(dcol *d, const cx_table *t, const char *name)
{
    memset(d, 0, sizeof *d);
    if (strcmp(name, "(Intercept)") == 0)
        return 0;
    d->kind = 4;
    if (strncmp(name, "C(", 2) == 0) {
        /* "C(region)[Utrecht]", "C(`Regio naam`)[Utrecht]": the term is
         * the shortest prefix before a '[' that parses as C(x) */
        const char *lb = name;
        char col[128] = "", head[256];
        while ((lb = strchr(lb + 1, '[')) != NULL) {
            cx_term term;
            char msg[64];
            snprintf(head, sizeof head, "%.*s", (int)(lb - name), name);
            if (cx_term_parse(head, &term, msg, sizeof msg) == CX_ENOMEM)
                return -1;
            if (term.nf == 1 && cx_term_is_cat(&term))
                snprintf(col, sizeof col, "%s", term.f[0].col);
            cx_term_clear(&term);
            if (col[0])
                break;
        }
        if (!lb)
            return 0;
        snprintf(d->level, sizeof d->level, "%s", lb + 1);
        size_t ll = strlen(d->level);
        if (ll && d->level[ll - 1] == ']')
            d->level[ll - 1] = '\0';
        if (strcmp(col, "quarter") == 0 && cx_table_find(t, "quarter") == (size_t)-1) {
            d->kind = 2;
            d->quarter = d->level[0] == 'Q' ? atoi(d->level + 1) : 0;
        } else if ((d->col = cx_table_find(t, col)) != (size_t)-1)
            d->kind = 1;
        return 0;
    }
    char msg[128];
    cx_status st = cx_term_parse(name, &d->term, msg, sizeof msg);
    if (st != CX_OK)
        return st == CX_ENOMEM ? -1 : 0;
    if (!(d->fcol = cx_calloc(d->term.nf + 1, sizeof(size_t))))
        return -1;
    for (size_t f = 0; f < d->term.nf; f++)
        if ((d->fcol[f] = cx_table_find(t, d->term.f[f].col)) == (size_t)-1)
            return 0;
    d->kind = 3;
    return 0;
}

static void dcol_clear(dcol *d)
{
    if (d->fcol || d->term.nf)
        cx_term_clear(&d->term);
    cx_free(d->fcol);
}

/* The column's value in row i; NaN when a value it needs is missing. */
static double dcol_value(const dcol *d, const cx_table *t, size_t unit_cols, size_t i)
{
    switch (d->kind) {
    case 0:
        return 1;
    case 1: {
        const char *x = cx_table_text(t, d->col, i);
        return x ? strcmp(x, d->level) == 0 : NAN;
    }
    case 2:
        return cx_period_quarter(cx_table_periods(t, 0)[i]).value % 4 + 1 == d->quarter;
    case 3: {
        double v = 1;
        for (size_t f = 0; f < d->term.nf && !isnan(v); f++) {
            const cx_factor *fa = &d->term.f[f];
            double x = value_at(t, unit_cols, d->fcol[f], i, fa->kind == CX_F_LAG ? fa->k : 0);
            if (fa->kind == CX_F_LOG)
                x = x > 0 ? log(x) : NAN;
            else if (fa->kind == CX_F_POW)
                x = pow(x, fa->k);
            v *= x;
        }
        return v;
    }
    default:
        return NAN;
    }
}

/* Per equation, its residuals against its fitted values (the Data sheet's
 * columns after the panel's ncols, rows 1 to shown) as a scatter chart right
 * of lastcol. */
static void residual_charts(rep *r, lxw_worksheet *ws, const cx_model *m, size_t ncols, size_t shown, lxw_col_t lastcol)
{
    size_t neq = cx_model_nequations(m);
    char buf[160];
    for (size_t e = 0; e < neq && shown > 0; e++) {
        lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_SCATTER);
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, "Data", 1, (lxw_col_t)(ncols + 2 * e), (lxw_row_t)shown, (lxw_col_t)(ncols + 2 * e));
        chart_series_set_values(se, "Data", 1, (lxw_col_t)(ncols + 2 * e + 1), (lxw_row_t)shown,
                                (lxw_col_t)(ncols + 2 * e + 1));
        chart_series_set_marker_type(se, LXW_CHART_MARKER_CIRCLE);
        chart_series_set_marker_size(se, 3);
        snprintf(buf, sizeof buf, "%s: residuals against fitted values", cx_equation_target(cx_model_equation(m, e)));
        chart_title_set_name(ch, buf);
        chart_title_set_name_font(ch, &(lxw_chart_font){.size = 10, .bold = LXW_TRUE});
        chart_axis_set_name(ch->x_axis, "fitted");
        chart_axis_set_name(ch->y_axis, "residual");
        chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
        worksheet_insert_chart_opt(ws, (lxw_row_t)(2 + 18 * e), (lxw_col_t)(lastcol + 2), ch,
                                   &(lxw_chart_options){.x_scale = 1.0, .y_scale = 1.0});
    }
}

/* The Data sheet, rows in order (so that it can be written in
 * libxlsxwriter's constant-memory mode). */
cx_status rep_data_sheet(rep *r, lxw_worksheet *ws, const cx_table *t, size_t unit_cols, const cx_model *m,
                            size_t max_rows, cx_error *err)
{
    size_t nrows = cx_table_nrows(t), ncols = cx_table_ncols(t), neq = cx_model_nequations(m), ntot = 0;
    if (max_rows == 0 || max_rows > MAX_DATA_ROWS)
        max_rows = MAX_DATA_ROWS;
    size_t shown = nrows < max_rows ? nrows : max_rows;
    char buf[160];
    for (size_t e = 0; e < neq; e++)
        ntot += cx_equation_ncoef(cx_model_equation(m, e));
    dcol *dc = cx_calloc(ntot + 1, sizeof(dcol));
    size_t *ycol = cx_calloc(neq + 1, sizeof(size_t));
    if (!dc || !ycol) {
        cx_free(dc);
        cx_free(ycol);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    int short_of_memory = 0;
    for (size_t e = 0, k = 0; e < neq; e++) {
        const cx_equation *q = cx_model_equation(m, e);
        ycol[e] = cx_table_find(t, cx_equation_target(q));
        for (size_t j = 0; j < cx_equation_ncoef(q); j++)
            short_of_memory |= dcol_init(&dc[k++], t, cx_equation_coef_name(q, j)) != 0;
    }
    for (size_t c = 0; c < ncols; c++)
        worksheet_write_string(ws, 0, (lxw_col_t)c, cx_table_colname(t, c), r->f.th);
    for (size_t e = 0; e < neq; e++) {
        const char *target = cx_equation_target(cx_model_equation(m, e));
        snprintf(buf, sizeof buf, "fitted %s", target);
        worksheet_write_string(ws, 0, (lxw_col_t)(ncols + 2 * e), buf, r->f.th);
        snprintf(buf, sizeof buf, "residual %s", target);
        worksheet_write_string(ws, 0, (lxw_col_t)(ncols + 2 * e + 1), buf, r->f.th);
    }
    lxw_col_t lastcol = (lxw_col_t)(ncols + 2 * neq - 1);
    int aggregate = nrows > shown;
    if (aggregate) {
        /* more rows than a worksheet holds: one row per unit and quarter */
        worksheet_write_string(ws, 0, 0, "quarter", r->f.th);
        worksheet_write_string(ws, 0, (lxw_col_t)(lastcol + 1), "rows", r->f.th);
        snprintf(buf, sizeof buf, "The panel has %zu rows, more than a worksheet holds (%zu): one row per unit and "
                 "quarter, the means of its rows.", nrows, max_rows + 1);
        worksheet_write_string(ws, 0, (lxw_col_t)(lastcol + 3), buf, r->f.note);
    }
    const double **num_col = cx_calloc(ncols + 1, sizeof(double *));
    size_t nv = ncols + 2 * neq;
    double *val = cx_calloc(nv + 1, sizeof(double)), *sum = cx_calloc(nv + 1, sizeof(double));
    size_t *cnt = cx_calloc(nv + 1, sizeof(size_t));
    if (short_of_memory || !num_col || !val || !sum || !cnt) {
        cx_free(num_col);
        cx_free(val);
        cx_free(sum);
        cx_free(cnt);
        for (size_t k = 0; k < ntot; k++)
            dcol_clear(&dc[k]);
        cx_free(dc);
        cx_free(ycol);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t c = 0; c < ncols; c++)
        num_col[c] = cx_table_coltype(t, c) == CX_COL_NUMBER ? cx_table_numbers(t, c) : NULL;
    const cx_period *per = cx_table_periods(t, 0);
    lxw_row_t out = 0;
    size_t group_first = 0, group_rows = 0;
    for (size_t i = 0; i <= (aggregate ? nrows : shown); i++) {
        /* aggregated: write the group that ends before row i */
        if (aggregate && group_rows &&
            (i == nrows || !same_unit(t, unit_cols, i, group_first) ||
             cx_period_quarter(per[i]).value != cx_period_quarter(per[group_first]).value)) {
            out++;
            char qt[CX_PERIOD_TEXT_MAX];
            worksheet_write_string(ws, out, 0, cx_period_format(cx_period_quarter(per[group_first]), qt, sizeof qt), NULL);
            for (size_t c = 1; c < ncols; c++)
                if (!num_col[c]) {
                    const char *x = cx_table_cell_text(t, c, group_first, buf, sizeof buf);
                    if (x && *x)
                        worksheet_write_string(ws, out, (lxw_col_t)c, x, NULL);
                }
            for (size_t v = 0; v < nv; v++)
                if (cnt[v])
                    worksheet_write_number(ws, out, (lxw_col_t)v, sum[v] / (double)cnt[v], NULL);
            worksheet_write_number(ws, out, (lxw_col_t)(lastcol + 1), (double)group_rows, NULL);
            memset(sum, 0, nv * sizeof(double));
            memset(cnt, 0, nv * sizeof(size_t));
            group_rows = 0;
        }
        if (i == (aggregate ? nrows : shown))
            break;
        if (aggregate && group_rows == 0)
            group_first = i;
        /* the row's values: its numbers, and each equation's fitted value and residual */
        for (size_t c = 0; c < ncols; c++)
            val[c] = num_col[c] ? num_col[c][i] : NAN;
        for (size_t e = 0, k = 0; e < neq; e++) {
            const cx_equation *q = cx_model_equation(m, e);
            const double *coef = cx_equation_coef(q);
            size_t p = cx_equation_ncoef(q);
            double fit = 0;
            for (size_t j = 0; j < p; j++) {
                double x = dcol_value(&dc[k + j], t, unit_cols, i);
                fit += x == 0 ? 0 : coef[j] * x;
            }
            k += p;
            double y = ycol[e] != (size_t)-1 && num_col[ycol[e]] ? num_col[ycol[e]][i] : NAN;
            val[ncols + 2 * e] = fit;
            val[ncols + 2 * e + 1] = isfinite(fit) ? y - fit : NAN;
        }
        if (aggregate) {
            for (size_t v = 0; v < nv; v++)
                if (isfinite(val[v])) {
                    sum[v] += val[v];
                    cnt[v]++;
                }
            group_rows++;
            continue;
        }
        lxw_row_t row = ++out;
        for (size_t c = 0; c < ncols; c++)
            if (!num_col[c]) {
                const char *x = cx_table_cell_text(t, c, i, buf, sizeof buf);
                if (x && *x)
                    worksheet_write_string(ws, row, (lxw_col_t)c, x, NULL); /* text, never a formula */
            }
        for (size_t v = 0; v < nv; v++)
            if (isfinite(val[v]))
                worksheet_write_number(ws, row, (lxw_col_t)v, val[v], NULL);
    }
    shown = out;
    cx_free(val);
    cx_free(sum);
    cx_free(cnt);
    for (size_t k = 0; k < ntot; k++)
        dcol_clear(&dc[k]);
    cx_free(dc);
    cx_free(ycol);
    cx_free(num_col);
    worksheet_autofilter(ws, 0, 0, (lxw_row_t)shown, lastcol);
    worksheet_freeze_panes(ws, 1, (lxw_col_t)(1 + unit_cols));
    worksheet_set_column(ws, 0, lastcol, 13, NULL);
    residual_charts(r, ws, m, ncols, shown, lastcol);
    return CX_OK;
}

cx_status cx_report_write_data(const char *path, const cx_table *panel, size_t unit_cols, const cx_model *m,
                               int constant_memory, size_t max_rows, cx_error *err)
{
    lxw_workbook_options wo = {.constant_memory = constant_memory ? LXW_TRUE : LXW_FALSE, .tmpdir = NULL};
    rep r;
    memset(&r, 0, sizeof r);
    if (!(r.wb = workbook_new_opt(path, &wo)))
        return cx_error_set(err, CX_ECREATE, path, 0, 0, "cannot create the workbook");
    rep_make_formats(&r);
    lxw_worksheet *ws = workbook_add_worksheet(r.wb, "Data");
    cx_status st = rep_data_sheet(&r, ws, panel, unit_cols, m, max_rows, err);
    lxw_error le = workbook_close(r.wb);
    if (st == CX_OK && le != LXW_NO_ERROR)
        st = cx_error_set(err, CX_EIO, path, 0, 0, "writing the workbook failed: %s", lxw_strerror(le));
    return st;
}
