/*
 * report_sheet.h - what the workbook's sheet families share: the workbook
 * being written, its formats and the helpers that write a number or name a
 * cell.  Each family of sheets is a file of its own (model_sheet.c, ...),
 * as the commands are under src/cli/.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REPORT_SHEET_H
#define CX_REPORT_SHEET_H

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "cxcase/model.h"
#include "../sim/scenario_internal.h"
#include "../sim/plan_internal.h"

typedef struct fmts {
    lxw_format *title, *subtitle, *h, *th, *text, *wrap, *money, *pct, *num2, *note, *bold;
} fmts;

typedef struct rep {
    lxw_workbook *wb;
    char **names;     /* the defined names so far, to keep them unique */
    size_t nnames, capnames;
    fmts f;
    const cJSON *root;
    const cx_scenario *s;
    const cx_plan *plan;
    const cx_model *model;  /* the fitted model the simulation ran on */
    const char **base_name; /* plan vars x units: the defined name of each baseline */
    char currency[8];
    int oom; /* an allocation failed: the workbook is incomplete, and not kept */
} rep;

/* A number, or a "-" when it does not exist. */
void rep_put(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f);
/* "lag(nps, 4)" -> "lag_nps_4": letters, digits and single underscores. */
void rep_sanitize(const char *in, char *out, size_t size);
/* Name cell (row, col) of `sheet` `name`, unique without regard to case;
 * the name given, or NULL when out of memory (r->oom is set). */
const char *rep_name_cell(rep *r, const char *name, const char *sheet, lxw_row_t row, lxw_col_t col);

/* Model: each equation's coefficients (named, for the calculations), its
 * fit, the corrections for survey error, and the drivers' importance. */
void rep_model_sheet(rep *r, lxw_worksheet *ws, const cx_model *m);

/* Voice (voice_sheet.c): whether the scenario has survey responses whose
 * comments the sheet would tell; then, per group, the terms that distinguish
 * detractors' comments from promoters' with their z-scores, counts and
 * quotes, as text cells, and a chart.  A file without comments gives a
 * sentence saying so; only CX_ENOMEM and CX_EIO fail. */
int rep_voice_wanted(const rep *r);
cx_status rep_voice_sheet(rep *r, lxw_worksheet *ws, cx_error *err);

#endif
