/*
 * break_even.c - the Break-even sheet: for each initiative alone, the
 * share of its stated effects at which its NPV is 0 and each effect's size
 * there (README "Break-even").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "report_sheet.h"

/* The scenario sheet with a live break-even share of initiative i: its
 * index, or nscen when none has one (its scenarios are not linear, or none
 * holds it). */
static size_t live_sheet(const sheet_out *so, size_t nscen, size_t i)
{
    size_t k = 0;
    while (k < nscen && !so[k].be_share[i])
        k++;
    return k;
}

void rep_break_even_sheet(rep *r, lxw_worksheet *ws, const sheet_out *so, size_t nscen)
{
    const cx_scenario *s = r->s;
    lxw_format *share = workbook_add_format(r->wb);
    format_set_num_format(share, "0.000");
    format_set_bold(share);
    char f[512], line[256], id[96], cell[16];
    worksheet_write_string(ws, 0, 0, "Break-even: the effect size at which each initiative alone has an NPV of 0", r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Share: the part of the stated effects at which the initiative's NPV, alone, is 0 (below 1: "
                           "the effects have room to fall short; above 1: they must be exceeded). Linked to the "
                           "scenario sheet that works it out as a formula when its changes are linear; else the "
                           "engine's root of the NPV.", r->f.subtitle);
    static const char *const head[] = {"Initiative", "Item", "NPV alone", "NPV of its costs alone", "Share of the effects",
                                       "Stated", "Break-even", "Worked out on"};
    lxw_row_t row = 3;
    for (int c = 0; c < 8; c++)
        worksheet_write_string(ws, row, (lxw_col_t)c, head[c], r->f.th);
    row++;
    const cJSON *be;
    size_t i = 0;
    cJSON_ArrayForEach(be, cJSON_GetObjectItemCaseSensitive(r->root, "break_even")) {
        const initiative *it = i < s->ninit ? &s->init[i] : NULL;
        if (!it || strcmp(it->id, str(be, "initiative")) != 0)
            break;
        rep_sanitize(it->id, id, sizeof id);
        lxw_row_t srow = row;
        worksheet_write_string(ws, row, 0, it->name, r->f.bold);
        rep_put(r, ws, row, 2, num(be, "npv"), r->f.money);
        rep_put(r, ws, row, 3, num(be, "npv_without_effects"), r->f.money);
        size_t k = live_sheet(so, nscen, i);
        double v = num(be, "share");
        if (k < nscen) {
            lxw_rowcol_to_cell(cell, so[k].be_share[i], 2);
            snprintf(f, sizeof f, "='%s'!%s", so[k].name, cell);
            if (isfinite(v))
                rep_formula(ws, row, 4, f, share, v);
            else
                worksheet_write_formula_str(ws, row, 4, f, share, "none");
            worksheet_write_string(ws, row, 7, so[k].name, r->f.text);
        } else {
            rep_put(r, ws, row, 4, v, share);
            worksheet_write_string(ws, row, 7, *str(be, "note") ? str(be, "note") : "the engine (not linear)",
                                   r->f.text);
        }
        row++;
        for (size_t e = 0; e < it->neff; e++, row++) {
            const effect *ef = &it->eff[e];
            snprintf(line, sizeof line, "%s %s", ef->is_target ? "target level of" : "change in", ef->metric);
            worksheet_write_string(ws, row, 1, line, r->f.text);
            snprintf(f, sizeof f, "=in_%s_e%zu_value", id, e + 1);
            rep_formula(ws, row, 5, f, r->f.num2, ef->value);
            if (ef->is_target || !isfinite(v)) {
                worksheet_write_string(ws, row, 6, "-", r->f.text);
                continue;
            }
            lxw_rowcol_to_cell(cell, srow, 4);
            snprintf(f, sizeof f, "=IFERROR(%s*F%u,\"none\")", cell, row + 1);
            rep_formula(ws, row, 6, f, r->f.num2, v * ef->value);
        }
        i++;
    }
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 1, 26, NULL);
    worksheet_set_column(ws, 2, 6, 16, NULL);
    worksheet_set_column(ws, 7, 7, 30, NULL);
    rep_print_wide(r, ws, row, 7, 1, 0);
}
