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

#define EDITED "'Inputs as simulated'!$B$2"

/* The hidden sheet "Inputs as simulated": every number input that has a
 * defined name (Inputs, Model) beside the value the simulation ran on, and
 * in B2 how many differ now (r->edited). */
void rep_inputs_as_simulated(rep *r, lxw_worksheet *ws)
{
    char f[320];
    lxw_row_t first = 4, row = first;
    size_t n = 0;
    for (size_t i = 0; i < r->nnames; i++)
        n += isfinite(r->nval[i]) != 0;
    worksheet_write_string(ws, 0, 0, "Inputs as simulated: each named input now and as the simulation ran", r->f.title);
    worksheet_write_string(ws, 1, 0, "Inputs changed since the simulation", r->f.bold);
    snprintf(f, sizeof f, "=SUM(D%u:D%u)", first + 1, first + (unsigned)(n ? n : 1));
    rep_formula(ws, 1, 1, f, NULL, 0);
    static const char *const head[] = {"Input", "Now", "As simulated", "Changed"};
    for (int k = 0; k < 4; k++)
        worksheet_write_string(ws, 3, (lxw_col_t)k, head[k], r->f.th);
    for (size_t i = 0; i < r->nnames; i++) {
        if (!isfinite(r->nval[i]))
            continue;
        worksheet_write_string(ws, row, 0, r->names[i], r->f.text);
        snprintf(f, sizeof f, "=%s", r->names[i]);
        rep_formula(ws, row, 1, f, NULL, r->nval[i]);
        worksheet_write_number(ws, row, 2, r->nval[i], NULL);
        snprintf(f, sizeof f, "=IF(ABS(B%u-C%u)>1E-12*MAX(1,ABS(C%u)),1,0)", row + 1, row + 1, row + 1);
        rep_formula(ws, row, 3, f, NULL, 0);
        row++;
    }
    worksheet_set_column(ws, 0, 0, 44, NULL);
    worksheet_set_column(ws, 1, 3, 16, NULL);
    worksheet_hide(ws); /* not printed: no print area (LibreOffice prints a hidden sheet's) */
}

/* Scenario k's checks from row on: its totals as the formulas compute them
 * against the engine's (a difference is explained when inputs were
 * edited), and its NPV against the spreadsheet's own NPV() of its cash
 * flows (always to hold).  Returns the next row. */
static lxw_row_t scenario_checks(rep *r, lxw_worksheet *ws, lxw_row_t row, const sheet_out *so, const cJSON *sj)
{
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
    int H = cJSON_GetArraySize(qs);
    char last[8], f[320];
    rep_qcol(H - 1, last, sizeof last);
    double sum_cf = 0, sum_rev = 0, npv_fn = 0, d, mg, t;
    cx_scenario_finance(r->s, &d, &mg, &t);
    double rq = cx_fin_quarterly_rate(d);
    for (int q = 0; q < H; q++) {
        double cf = num(cJSON_GetArrayItem(qs, q), "cash_flow");
        sum_cf += cf;
        sum_rev += num(cJSON_GetArrayItem(qs, q), "delta_revenue");
        npv_fn += cf / pow(1 + rq, q + 1);
    }
    double npv = num(cJSON_GetObjectItemCaseSensitive(sj, "npv"), "base");
    struct {
        const char *what;
        char f[256], ref[256];
        double v, engine;
    } c[4];
    c[0].what = "NPV";
    snprintf(c[0].f, sizeof c[0].f, "='%s'!C%u", so->name, so->npv + 1);
    c[0].v = c[0].engine = npv;
    c[1].what = "Sum of the net cash flows";
    snprintf(c[1].f, sizeof c[1].f, "=SUM('%s'!C%u:%s%u)", so->name, so->cf + 1, last, so->cf + 1);
    c[1].v = c[1].engine = sum_cf;
    c[2].what = "Sum of the changes in revenue";
    snprintf(c[2].f, sizeof c[2].f, "=SUM('%s'!C%u:%s%u)", so->name, so->rev + 1, last, so->rev + 1);
    c[2].v = c[2].engine = sum_rev;
    for (int i = 0; i < 3; i++)
        snprintf(c[i].ref, sizeof c[i].ref, "engine");
    c[3].what = "NPV against the spreadsheet's NPV() of the cash flows";
    snprintf(c[3].f, sizeof c[3].f, "='%s'!C%u", so->name, so->npv + 1);
    snprintf(c[3].ref, sizeof c[3].ref, "=NPV('%s'!$C$%u,'%s'!C%u:%s%u)", so->name, so->qrate + 1, so->name, so->cf + 1,
             last, so->cf + 1);
    c[3].v = npv;
    c[3].engine = npv_fn;
    for (int i = 0; i < 4; i++, row++) {
        worksheet_write_string(ws, row, 0, str(sj, "name"), r->f.text);
        worksheet_write_string(ws, row, 1, c[i].what, r->f.text);
        rep_formula(ws, row, 2, c[i].f, r->f.money, c[i].v);
        if (i < 3)
            worksheet_write_number(ws, row, 3, c[i].engine, r->f.money);
        else
            rep_formula(ws, row, 3, c[i].ref, r->f.money, c[i].engine);
        snprintf(f, sizeof f, "=C%u-D%u", row + 1, row + 1);
        rep_formula(ws, row, 4, f, NULL, 0);
        if (i < 3)
            snprintf(f, sizeof f, "=IF(ABS(E%u)<=1E-6*MAX(1,ABS(D%u)),\"OK\",IF(%s>0,\"inputs edited\",\"ERROR\"))", row + 1,
                     row + 1, EDITED);
        else
            snprintf(f, sizeof f, "=IF(ABS(E%u)<=1E-6*MAX(1,ABS(D%u)),\"OK\",\"ERROR\")", row + 1, row + 1);
        worksheet_write_formula_str(ws, row, 5, f, r->f.text, "OK");
    }
    return row;
}

/* The Checks sheet: a master flag (B3, r->master) over every check below,
 * each formula total beside the engine's value and the spreadsheet's own
 * NPV.  After an edit of the inputs the engine's values are those of the
 * inputs as simulated, so their differences are explained rather than
 * errors. */
void rep_checks_sheet(rep *r, lxw_worksheet *ws, const sheet_out *so, size_t nscen)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    char f[512];
    lxw_row_t first = 6, row = first;
    worksheet_write_string(ws, 0, 0, "Checks: the formulas against the engine", r->f.title);
    worksheet_write_string(ws, 1, 0, "Each total as the workbook's formulas compute it, the engine's value or the "
                           "spreadsheet's own function, and their difference, which must be 0 (to rounding).",
                           r->f.subtitle);
    worksheet_write_string(ws, 2, 0, "Master check", r->f.bold);
    lxw_row_t last = first + 4 * (lxw_row_t)nscen; /* one past the last check */
    snprintf(f, sizeof f, "=IF(COUNTIF(F%u:F%u,\"ERROR\")=0,\"OK\",\"ERROR\")", first + 1, last);
    worksheet_write_formula_str(ws, 2, 1, f, r->f.bold, "OK");
    snprintf(r->master, sizeof r->master, "Checks!$B$3");
    snprintf(f, sizeof f, "=IF(%s>0,%s&\" input(s) edited since the simulation: the engine's values are those of the "
             "inputs as simulated, so differences from them are expected; the workbook's own checks still hold.\","
             "\"The inputs are as simulated: every formula total equals the engine's.\")", EDITED, EDITED);
    worksheet_write_formula_str(ws, 3, 0, f, r->f.note, "The inputs are as simulated: every formula total equals the "
                                "engine's.");
    static const char *const head[] = {"Scenario", "Check", "Formulas", "Reference", "Difference", "Status"};
    for (int k = 0; k < 6; k++)
        worksheet_write_string(ws, 5, (lxw_col_t)k, head[k], r->f.th);
    for (size_t k = 0; k < nscen; k++)
        row = scenario_checks(r, ws, row, &so[k], cJSON_GetArrayItem(scens, (int)k));
    worksheet_write_string(ws, row, 1, "Largest difference", r->f.bold);
    snprintf(f, sizeof f, "=MAX(ABS(MIN(E%u:E%u)),ABS(MAX(E%u:E%u)))", first + 1, row, first + 1, row);
    rep_formula(ws, row, 4, f, NULL, 0);
    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 1, 44, NULL);
    worksheet_set_column(ws, 2, 4, 16, NULL);
    worksheet_set_column(ws, 5, 5, 14, NULL);
    rep_print_wide(r, ws, row, 5, 5, 5);
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
    rep_print_wide(r, ws, row, 1, 1, 0);
}
