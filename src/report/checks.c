/*
 * checks.c - the Checks sheet (every formula total beside the engine's
 * value) and the About sheet (the command, the inputs' SHA-256).
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
#include "report_sheet.h"

/* The Checks sheet: every formula total beside the engine's value. */
void rep_checks_sheet(rep *r, lxw_worksheet *ws, const sheet_out *so, size_t nscen)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    char f[256], line[256];
    worksheet_write_string(ws, 0, 0, "Checks: the formulas against the engine", r->f.title);
    worksheet_write_string(ws, 1, 0, "Each total as the workbook's formulas compute it, the engine's value, and their "
                           "difference, which must be 0 (to rounding).", r->f.subtitle);
    static const char *const head[] = {"Scenario", "Check", "Formulas", "Engine", "Difference"};
    for (int k = 0; k < 5; k++)
        worksheet_write_string(ws, 3, (lxw_col_t)k, head[k], r->f.th);
    lxw_row_t row = 4;
    for (size_t k = 0; k < nscen; k++) {
        const cJSON *sj = cJSON_GetArrayItem(scens, (int)k);
        const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
        int H = cJSON_GetArraySize(qs);
        char last[8];
        rep_qcol(H - 1, last, sizeof last);
        double sum_cf = 0, sum_rev = 0;
        for (int q = 0; q < H; q++) {
            sum_cf += num(cJSON_GetArrayItem(qs, q), "cash_flow");
            sum_rev += num(cJSON_GetArrayItem(qs, q), "delta_revenue");
        }
        struct {
            const char *what;
            char f[256];
            double engine;
        } c[3];
        c[0].what = "NPV";
        snprintf(c[0].f, sizeof c[0].f, "='%s'!C%u", so[k].name, so[k].npv + 1);
        c[0].engine = num(cJSON_GetObjectItemCaseSensitive(sj, "npv"), "base");
        c[1].what = "Sum of the net cash flows";
        snprintf(c[1].f, sizeof c[1].f, "=SUM('%s'!C%u:%s%u)", so[k].name, so[k].cf + 1, last, so[k].cf + 1);
        c[1].engine = sum_cf;
        c[2].what = "Sum of the changes in revenue";
        snprintf(c[2].f, sizeof c[2].f, "=SUM('%s'!C%u:%s%u)", so[k].name, so[k].rev + 1, last, so[k].rev + 1);
        c[2].engine = sum_rev;
        for (int i = 0; i < 3; i++, row++) {
            worksheet_write_string(ws, row, 0, str(sj, "name"), r->f.text);
            worksheet_write_string(ws, row, 1, c[i].what, r->f.text);
            rep_formula(ws, row, 2, c[i].f, r->f.money, c[i].engine);
            worksheet_write_number(ws, row, 3, c[i].engine, r->f.money);
            snprintf(f, sizeof f, "=C%u-D%u", row + 1, row + 1);
            rep_formula(ws, row, 4, f, NULL, 0);
        }
    }
    snprintf(line, sizeof line, "Largest difference");
    worksheet_write_string(ws, row, 1, line, r->f.bold);
    snprintf(f, sizeof f, "=MAX(ABS(MIN(E5:E%u)),ABS(MAX(E5:E%u)))", row, row);
    rep_formula(ws, row, 4, f, NULL, 0);
    worksheet_set_column(ws, 0, 1, 30, NULL);
    worksheet_set_column(ws, 2, 4, 16, NULL);
}

/* ---- About ---------------------------------------------------------------- */

void rep_about_sheet(rep *r, lxw_worksheet *ws, const cx_report_options *opt, const char *created)
{
    const cJSON *root = r->root;
    const cx_scenario *s = r->s;
    worksheet_write_string(ws, 0, 0, "About this workbook", r->f.title);
    lxw_row_t row = 2;
    char buf[128];
    struct {
        const char *k;
        const char *v;
    } kv[] = {{"Tool", "cxcase"}, {"Version", cx_version()}, {"Command", opt && opt->command_line ? opt->command_line : ""},
              {"Created (UTC)", created}, {"Scenario file", s->path}, {"Model", s->model}};
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++, row++) {
        worksheet_write_string(ws, row, 0, kv[i].k, r->f.bold);
        worksheet_write_string(ws, row, 1, kv[i].v, r->f.text);
    }
    worksheet_write_string(ws, row, 0, "Draws", r->f.bold);
    worksheet_write_number(ws, row++, 1, num(root, "draws"), NULL);
    worksheet_write_string(ws, row, 0, "Seed", r->f.bold);
    worksheet_write_number(ws, row++, 1, num(root, "seed"), NULL);
    row++;
    worksheet_write_string(ws, row++, 0, "Input files and their SHA-256", r->f.h);
    const char *files[64];
    size_t nf = 0;
    files[nf++] = s->path;
    files[nf++] = s->model;
    for (size_t i = 0; i < s->ndata && nf < 64; i++)
        files[nf++] = s->data[i].file;
    for (size_t i = 0; i < nf; i++, row++) {
        char hex[65];
        worksheet_write_string(ws, row, 0, files[i], r->f.text);
        if (cx_sha256_file(files[i], hex, NULL) == CX_OK)
            worksheet_write_string(ws, row, 1, hex, r->f.text);
        else
            worksheet_write_string(ws, row, 1, "(could not be read)", r->f.text);
    }
    row++;
    snprintf(buf, sizeof buf, "Units: %.0f; periods in the horizon: %.0f", num(root, "units"), num(root, "periods"));
    worksheet_write_string(ws, row++, 0, buf, r->f.note);
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 1, 70, NULL);
}
