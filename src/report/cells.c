/*
 * cells.c - what every sheet uses: the workbook's formats, a number or a
 * "-", a defined name for a cell, a quarter's column and a formula with its
 * stored value (report_sheet.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "../core/core.h"
#include "report_sheet.h"

/* A number, or an empty cell with "-" when it does not exist. */
void rep_put(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, row, col, v, f);
    else
        worksheet_write_string(ws, row, col, "-", r->f.text);
}

void rep_words(rep *r, const cx_table *panel, size_t unit_cols)
{
    static const char *const one[] = {"period", "day", "week", "month", "quarter", "year"};
    int kind = 0;
    const cx_period *per = panel && cx_table_ncols(panel) && cx_table_coltype(panel, 0) == CX_COL_PERIOD
                               ? cx_table_periods(panel, 0) : NULL;
    for (size_t i = 0; per && i < cx_table_nrows(panel) && !kind; i++)
        if (per[i].kind > CX_PERIOD_NONE && per[i].kind <= CX_PERIOD_YEAR)
            kind = per[i].kind;
    snprintf(r->per_one, sizeof r->per_one, "%s", one[kind]);
    snprintf(r->per_many, sizeof r->per_many, "%ss", one[kind]);
    r->unit_word[0] = '\0';
    for (size_t c = 1; panel && c <= unit_cols && c < cx_table_ncols(panel); c++) {
        size_t n = strlen(r->unit_word);
        snprintf(r->unit_word + n, sizeof r->unit_word - n, "%s%s", c > 1 ? " / " : "", cx_table_colname(panel, c));
    }
    if (!r->unit_word[0])
        snprintf(r->unit_word, sizeof r->unit_word, "unit");
}

void rep_make_formats(rep *r)
{
    lxw_workbook *wb = r->wb;
    char money[64];
    snprintf(money, sizeof money, "#,##0;[Red]-#,##0");
    r->f.title = workbook_add_format(wb);
    format_set_bold(r->f.title);
    format_set_font_size(r->f.title, 18);
    r->f.subtitle = workbook_add_format(wb);
    format_set_font_color(r->f.subtitle, 0x595959);
    r->f.h = workbook_add_format(wb);
    format_set_bold(r->f.h);
    format_set_font_size(r->f.h, 12);
    format_set_bottom(r->f.h, LXW_BORDER_THIN);
    r->f.th = workbook_add_format(wb);
    format_set_bold(r->f.th);
    format_set_bg_color(r->f.th, 0xD9E1F2);
    format_set_text_wrap(r->f.th);
    format_set_align(r->f.th, LXW_ALIGN_CENTER);
    format_set_align(r->f.th, LXW_ALIGN_VERTICAL_CENTER);
    r->f.text = workbook_add_format(wb);
    r->f.wrap = workbook_add_format(wb);
    format_set_text_wrap(r->f.wrap);
    format_set_align(r->f.wrap, LXW_ALIGN_VERTICAL_TOP);
    r->f.money = workbook_add_format(wb);
    format_set_num_format(r->f.money, money);
    r->f.pct = workbook_add_format(wb);
    format_set_num_format(r->f.pct, "0.0%");
    r->f.num2 = workbook_add_format(wb);
    format_set_num_format(r->f.num2, "+0.00;-0.00;0.00");
    r->f.note = workbook_add_format(wb);
    format_set_italic(r->f.note);
    format_set_font_color(r->f.note, 0x595959);
    r->f.bold = workbook_add_format(wb);
    format_set_bold(r->f.bold);
}

/* "lag(nps, 4)" -> "lag_nps_4": letters, digits and single underscores. */
void rep_sanitize(const char *in, char *out, size_t size)
{
    size_t o = 0;
    int under = 0;
    for (const char *p = in; *p && o + 1 < size; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9');
        if (ok) {
            out[o++] = *p;
            under = 0;
        } else if (!under && o > 0) {
            out[o++] = '_';
            under = 1;
        }
    }
    while (o > 0 && out[o - 1] == '_')
        o--;
    out[o] = '\0';
}

/* Name cell (row, col) of `sheet` `name` in the workbook (names differing
 * only in case are the same to Excel: a second one gets a suffix _2, _3 ...).
 * Returns the name given (NULL when out of memory). */
const char *rep_name_cell(rep *r, const char *name, const char *sheet, lxw_row_t row, lxw_col_t col)
{
    char ref[64], cell[16], unique[280];
    snprintf(unique, sizeof unique, "%s", name);
    for (int k = 2;; k++) {
        int clash = 0;
        for (size_t i = 0; i < r->nnames && !clash; i++)
            clash = strcasecmp(r->names[i], unique) == 0;
        if (!clash)
            break;
        snprintf(unique, sizeof unique, "%s_%d", name, k);
    }
    if (r->nnames == r->capnames) {
        size_t cap = r->capnames ? 2 * r->capnames : 32;
        char **grown = cx_realloc(r->names, cap * sizeof(char *));
        if (grown)
            r->names = grown;
        double *gv = grown ? cx_realloc(r->nval, cap * sizeof(double)) : NULL;
        if (!gv) {
            r->oom = 1;
            return NULL;
        }
        r->nval = gv;
        r->capnames = cap;
    }
    r->nval[r->nnames] = NAN;
    if (!(r->names[r->nnames] = cx_strdup(unique))) {
        r->oom = 1;
        return NULL;
    }
    lxw_rowcol_to_cell_abs(cell, row, col, 1, 1);
    snprintf(ref, sizeof ref, "=%s!%s", sheet, cell);
    workbook_define_name(r->wb, unique, ref);
    return r->names[r->nnames++];
}

const char *rep_name_number(rep *r, const char *name, const char *sheet, lxw_row_t row, lxw_col_t col, double v)
{
    const char *n = rep_name_cell(r, name, sheet, row, col);
    if (n)
        r->nval[r->nnames - 1] = v;
    return n;
}

void rep_print_setup(rep *r, lxw_worksheet *ws)
{
    const char *created = r->created;
    char head[160], foot[96], title[64];
    /* & starts a code in a header: doubled in the workbook's title */
    size_t o = 0;
    for (const char *p = cx_scenario_name(r->s); *p && o + 2 < sizeof title; p++) {
        title[o++] = *p;
        if (*p == '&')
            title[o++] = '&';
    }
    title[o] = '\0';
    /* a space after each size code: "&8" then a digit would be another size */
    snprintf(head, sizeof head, "&L&8 %s&R&8 &A", title);
    snprintf(foot, sizeof foot, "&L&8 cxcase %s&C&8 Page &P of &N&R&8 Prepared %.10s", cx_version(), created);
    worksheet_set_header(ws, head);
    worksheet_set_footer(ws, foot);
    worksheet_set_paper(ws, 9); /* A4 */
}

/* The payback as the Summary shows it: "immediately" when the cumulative
 * cash is never below 0, the first quarter back at 0 or above after being
 * negative, else "after" the horizon's last quarter. */
void rep_payback_text(const cJSON *sj, char *out, size_t size)
{
    const cJSON *pb = cJSON_GetObjectItemCaseSensitive(sj, "payback_quarter");
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
    int H = cJSON_GetArraySize(qs);
    double lo = 0;
    for (int q = 0; q < H; q++)
        lo = fmin(lo, num(cJSON_GetArrayItem(qs, q), "cumulative_cash"));
    if (lo >= 0)
        snprintf(out, size, "immediately");
    else if (cJSON_IsString(pb))
        snprintf(out, size, "%s", pb->valuestring);
    else
        snprintf(out, size, "after %s", str(cJSON_GetArrayItem(qs, H - 1), "quarter"));
}

void rep_print_wide(rep *r, lxw_worksheet *ws, lxw_row_t last_row, lxw_col_t last_col, lxw_row_t rep_first,
                    lxw_row_t rep_last)
{
    rep_print_setup(r, ws);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_print_area(ws, 0, 0, last_row, last_col);
    if (rep_last >= rep_first)
        worksheet_repeat_rows(ws, rep_first, rep_last);
}

lxw_format *rep_sig(rep *r, double v)
{
    static const char *const fmt[12] = {"#,##0", "#,##0.0", "#,##0.00", "#,##0.000", "0.0000", "0.00000",
                                        "0.000000", "0.0000000", "0.00000000", "0.000000000", "0.000E+00", "General"};
    int k;
    double a = fabs(v);
    if (!isfinite(v))
        k = 11;
    else if (a == 0)
        k = 0;
    else if (a < 1e-6 || a >= 1e12)
        k = 10;
    else {
        k = 3 - (int)floor(log10(a));
        k = k < 0 ? 0 : k > 9 ? 9 : k;
    }
    if (!r->sig[k]) {
        r->sig[k] = workbook_add_format(r->wb);
        format_set_num_format(r->sig[k], fmt[k]);
    }
    return r->sig[k];
}

/* Column letters of quarter q (0-based): C, D, ... */
void rep_qcol(int q, char *buf, size_t size)
{
    char cell[16];
    lxw_rowcol_to_cell(cell, 0, (lxw_col_t)(2 + q));
    size_t n = strcspn(cell, "0123456789");
    snprintf(buf, size, "%.*s", (int)n, cell);
}

/* A formula with the engine's value as its cached result. */
void rep_formula(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *f, lxw_format *fmt, double v)
{
    worksheet_write_formula_num(ws, row, col, f, fmt, isfinite(v) ? v : 0);
}

/* libxlsxwriter has no call that drops a workbook unwritten: workbook_close
 * writes every sheet's XML and deflates the whole package first (for the
 * samples, most of a report's time).  lxw_workbook_free, declared in its
 * workbook.h and what workbook_close ends with, frees the rest; the one
 * thing workbook_close releases before it is each constant-memory sheet's
 * temporary file (tmpfile(3), gone from the disk once closed). */
void rep_workbook_abandon(lxw_workbook *wb)
{
    if (!wb)
        return;
    lxw_sheet *sh;
    STAILQ_FOREACH(sh, wb->sheets, list_pointers)
    {
        lxw_worksheet *ws = sh->is_chartsheet ? NULL : sh->u.worksheet;
        if (ws && ws->optimize_tmpfile) {
            fclose(ws->optimize_tmpfile);
            ws->optimize_tmpfile = NULL;
        }
    }
    lxw_workbook_free(wb);
}
