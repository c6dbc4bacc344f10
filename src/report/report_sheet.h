/*
 * report_sheet.h - what the workbook's sheet families share: the workbook
 * being written, its formats and the helpers that write a number or name a
 * cell.  Each family of sheets is a file of its own (summary.c,
 * inputs.c, model_sheet.c, scenario_sheet.c, unit_sheet.c, risk.c,
 * data_sheet.c, checks.c; cells.c the helpers), as the commands are under
 * src/cli/, and report.c puts them together.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REPORT_SHEET_H
#define CX_REPORT_SHEET_H

#include <math.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "cxcase/data.h"
#include "cxcase/model.h"
#include "cxcase/report.h"
#include "cxcase/customer.h"
#include "../sim/scenario_internal.h"
#include "../sim/plan_internal.h"

typedef struct fmts {
    lxw_format *title, *subtitle, *h, *th, *text, *wrap, *money, *pct, *num2, *note, *bold;
} fmts;

typedef struct sheet_out sheet_out;

typedef struct rep {
    lxw_workbook *wb;
    char **names;     /* the defined names so far, to keep them unique */
    double *nval;     /* per name: the number it holds as simulated (NaN: text or not recorded) */
    size_t nnames, capnames;
    fmts f;
    const cJSON *root;
    const cx_scenario *s;
    const cx_plan *plan;
    const cx_model *model;  /* the fitted model the simulation ran on */
    const cx_link *link;    /* customers linked to responses, or NULL */
    const char **base_name; /* plan vars x units: the defined name of each baseline */
    char currency[8];
    /* the data's own words: "week"/"weeks" (or month, day, quarter, year;
     * "period" when the kind is unknown) and the unit columns' names
     * ("region", "store / channel"), for labels and sentences */
    char per_one[16], per_many[16], unit_word[64];
    const sheet_out *so;    /* per scenario (r->nscen): where its sheet's results are */
    size_t nscen;
    char master[48];        /* the cell of the Checks sheet's master flag, "Checks!$B$3" */
    char edited[48];        /* the cell that is 1 when an input differs from the simulated one */
    lxw_row_t rank_first;   /* the Summary's first ranking line */
    char created[32];       /* when the workbook was made (UTC), for the page footers */
    lxw_format *sig[12];    /* number formats of 4 significant digits (rep_sig) */
    int oom; /* an allocation failed: the workbook is incomplete, and not kept */
} rep;

/* The simulation's result (the JSON of `cxcase simulate`): member k of o
 * as a number (NaN when it is not one) or as text ("" when it is not). */
static inline double num(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static inline const char *str(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(x) ? x->valuestring : "";
}

/* Where a scenario's per-unit lines are: the U sheet of a scenario whose
 * changes differ per unit (a non-linear term, a target level). */
typedef struct unit_out {
    char name[32];
    lxw_worksheet *ws;
    lxw_row_t qrow, nps, rev;  /* the segments' quarter numbers, the totals over units x periods */
} unit_out;

/* Where a scenario sheet's lines and results are, for Checks and the
 * Summary (rows 0-based). */
struct sheet_out {
    char name[32];
    int H;                        /* quarters: columns C onwards */
    lxw_row_t npv, irr, cf, rev;  /* the NPV and IRR results, the net cash flow and revenue lines */
    lxw_row_t nps, costs, cum, pv, payback, qrate; /* NPS change, costs, cumulative cash, PV lines; payback result; quarterly rate */
    lxw_row_t be_share[CX_PLAN_MAX_INITIATIVES]; /* per initiative: the row of its live break-even share, or 0 */
};

/* r's words for the panel's periods and units (period column 0, then
 * unit_cols unit columns). */
void rep_words(rep *r, const cx_table *panel, size_t unit_cols);
/* The workbook's shared formats (r->f), made once per workbook. */
void rep_make_formats(rep *r);
/* A number, or a "-" when it does not exist. */
void rep_put(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f);
/* "lag(nps, 4)" -> "lag_nps_4": letters, digits and single underscores. */
void rep_sanitize(const char *in, char *out, size_t size);
/* Name cell (row, col) of `sheet` `name`, unique without regard to case;
 * the name given, or NULL when out of memory (r->oom is set). */
const char *rep_name_cell(rep *r, const char *name, const char *sheet, lxw_row_t row, lxw_col_t col);
/* rep_name_cell for a number input, recording the value v it holds as
 * simulated: the sheet "Inputs as simulated" compares every such cell with
 * it, which tells an edited workbook (checks.c). */
const char *rep_name_number(rep *r, const char *name, const char *sheet, lxw_row_t row, lxw_col_t col, double v);
/* Column letters of quarter q (0-based) on a scenario sheet: C, D, ... */
void rep_qcol(int q, char *buf, size_t size);
/* A formula with the engine's value v as its cached result (0 when v is
 * not finite). */
void rep_formula(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *f, lxw_format *fmt, double v);
/* Let go of a workbook that will not be written, because the run already
 * failed: its memory and its sheets' temporary files, without assembling
 * and compressing it as workbook_close would. */
void rep_workbook_abandon(lxw_workbook *wb);

/* The payback of scenario result sj as the workbook shows it:
 * "immediately" when its cumulative cash is never below 0, the first
 * quarter back at 0 or above after being negative, else "after" the
 * horizon's last quarter ("after 2028Q4"). */
void rep_payback_text(const cJSON *sj, char *out, size_t size);

/* The sheets, in the workbook's order; each file of src/report/ writes a
 * family.  Summary: the board page (summary.c). */
void rep_summary_sheet(rep *r, lxw_worksheet *ws, const char *created);
/* The hidden sheet "Chart data": the Summary's NPV bars, formulas over its
 * ranking (summary.c). */
void rep_chart_data_sheet(rep *r, lxw_worksheet *ws);
/* Every printed sheet's page setup: paper, header and footer with the
 * title, page x of y and the date (cells.c). */
void rep_print_setup(rep *r, lxw_worksheet *ws);
/* The print setup of a sheet of tables: landscape, one page wide, rows
 * 0..last_row and columns 0..last_col printed, rows rep_first..rep_last
 * repeated on every page (rep_last < rep_first: none). */
void rep_print_wide(rep *r, lxw_worksheet *ws, lxw_row_t last_row, lxw_col_t last_col, lxw_row_t rep_first,
                    lxw_row_t rep_last);
/* A number format that shows v to about 4 significant digits. */
lxw_format *rep_sig(rep *r, double v);
/* Inputs: every assumption and baseline as a named cell; sets
 * r->base_name (inputs.c). */
void rep_inputs_sheet(rep *r, lxw_worksheet *ws);

/* Model: each equation's coefficients (named, for the calculations), its
 * fit, the corrections for survey error, and the drivers' importance. */
void rep_model_sheet(rep *r, lxw_worksheet *ws, const cx_model *m);
/* Scenario k's quarters as live formulas, its results' rows in *so; with
 * uo, its per-unit changes on the U sheet uo->ws (scenario_sheet.c). */
void rep_scenario_sheet(rep *r, lxw_worksheet *ws, size_t k, const cJSON *sj, const cx_plan *plan,
                        const cx_model *m, sheet_out *so, unit_out *uo);
/* The U sheet of scenario k (sheet ssheet, named sname); share_row: per
 * effect, the scenario sheet's row of its ramp share (unit_sheet.c). */
void rep_unit_sheet(rep *r, unit_out *uo, size_t k, const cx_model *m, const char *sname, const char *ssheet,
                    const lxw_row_t *share_row);
/* Checks and About (checks.c): Checks sets r->master; the hidden sheet
 * "Inputs as simulated" (rep_inputs_as_simulated, written last of all)
 * holds every recorded input and sets r->edited. */
void rep_inputs_as_simulated(rep *r, lxw_worksheet *ws);
void rep_checks_sheet(rep *r, lxw_worksheet *ws, const sheet_out *so, size_t nscen);
void rep_about_sheet(rep *r, lxw_worksheet *ws, const cx_report_options *opt, const char *created);
/* Risk, Sensitivity and Portfolio: the simulation's values (risk.c). */
void rep_risk_sheet(rep *r, lxw_worksheet *ws);
void rep_sensitivity_sheet(rep *r, lxw_worksheet *ws);
void rep_portfolio_sheet(rep *r, lxw_worksheet *ws);
/* Break-even: per initiative the share of its effects at which its NPV
 * alone is 0, linked to the scenario sheets' live formulas where they have
 * them (break_even.c). */
void rep_break_even_sheet(rep *r, lxw_worksheet *ws, const sheet_out *so, size_t nscen);
/* Data: the panel, rows in order, at most max_rows (0: a worksheet's),
 * with fitted values and residuals (data_sheet.c). */
cx_status rep_data_sheet(rep *r, lxw_worksheet *ws, const cx_table *t, size_t unit_cols, const cx_model *m,
                         size_t max_rows, cx_error *err);

/* Voice (voice_sheet.c): whether the scenario has survey responses whose
 * comments the sheet would tell; then, per group, the terms that distinguish
 * detractors' comments from promoters' with their z-scores, counts and
 * quotes, as text cells, and a chart.  A file without comments gives a
 * sentence saying so; only CX_ENOMEM and CX_EIO fail. */
int rep_voice_wanted(const rep *r);
cx_status rep_voice_sheet(rep *r, lxw_worksheet *ws, cx_error *err);

#endif
