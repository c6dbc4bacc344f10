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
        if (!grown) {
            r->oom = 1;
            return NULL;
        }
        r->names = grown;
        r->capnames = cap;
    }
    if (!(r->names[r->nnames] = cx_strdup(unique))) {
        r->oom = 1;
        return NULL;
    }
    lxw_rowcol_to_cell_abs(cell, row, col, 1, 1);
    snprintf(ref, sizeof ref, "=%s!%s", sheet, cell);
    workbook_define_name(r->wb, unique, ref);
    return r->names[r->nnames++];
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
