/*
 * report.c - the business case as an Excel workbook, written with
 * libxlsxwriter (cxcase/report.h; README "cxcase report").
 *
 * The outputs of a simulation are written as values: Summary (one
 * landscape page), Risk, Sensitivity, Portfolio and About.  Every number
 * comes from the simulation's result (the JSON contract of `cxcase
 * simulate`), so the workbook and `simulate --json` agree by construction.
 * The case itself is live formulas over Inputs (every assumption and every
 * baseline, with defined names) and Model (the coefficients): a sheet per
 * scenario with its quarters, and beside a scenario whose changes differ
 * per unit (a non-linear term, a target level) a U sheet that works them
 * out per unit and segment of periods; every formula stores the engine's
 * value as its result, and Checks sets their totals beside the engine's.
 * Text from the scenario and the data is written with
 * worksheet_write_string, never as a formula.  Any failed allocation fails
 * the whole workbook, which is written to a temporary file and renamed
 * only when complete.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "cxcase/report.h"
#include "../core/core.h"
#include "../sim/scenario_internal.h"
#include "../model/model_internal.h"
#include "../sim/plan_internal.h"
#include "../sim/sim_internal.h"
#include "report_internal.h"
#include "report_sheet.h"


static double num(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static const char *str(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(x) ? x->valuestring : "";
}

/* A number, or an empty cell with "-" when it does not exist. */
void rep_put(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, row, col, v, f);
    else
        worksheet_write_string(ws, row, col, "-", r->f.text);
}

static void make_formats(rep *r)
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

/* Scenario indexes sorted by base NPV, highest first. */
static void ranking(const cJSON *scens, size_t n, size_t *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            double a = num(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, (int)order[j]), "npv"), "base");
            double b = num(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, (int)order[j - 1]), "npv"), "base");
            if (!(a > b))
                break;
            size_t t = order[j];
            order[j] = order[j - 1];
            order[j - 1] = t;
        }
}

/* ---- Summary ------------------------------------------------------------- */

/* a - b as a spreadsheet computes it: a difference within rounding of 0
 * (|a - b| below 2^-48 of |a|, with a and b of one sign) is 0 in
 * LibreOffice (rtl::math::approxSub) and in Excel, so the value stored with
 * the formula must be too. */
static double approx_sub(double a, double b)
{
    if (((a > 0 && b > 0) || (a < 0 && b < 0)) && fabs(a - b) <= fabs(a) * 0x1p-48)
        return 0;
    return a - b;
}

/* A sentence across columns A to H, wrapped, its row as tall as it needs. */
static void sentence(rep *r, lxw_worksheet *ws, lxw_row_t row, const char *text)
{
    size_t len = strlen(text), lines = (len + 139) / 140;
    worksheet_merge_range(ws, row, 0, row, 7, text, r->f.wrap);
    worksheet_set_row(ws, row, 13.5 * (double)(lines ? lines : 1), NULL);
}

/* The key message of a correction for survey noise that moved the value of
 * a survey-measured driver by more than 10%; returns the next row. */
static lxw_row_t survey_correction_message(rep *r, lxw_worksheet *ws, lxw_row_t row)
{
    char line[512], a[48], b[48];
    for (size_t e = 0; r->model && e < cx_model_nequations(r->model); e++) {
        const cx_equation *q = cx_model_equation(r->model, e);
        const double *nc = cx_equation_naive_coef(q);
        for (size_t k = 0; nc && k < cx_equation_nme(q); k++) {
            double rel;
            const char *term = cx_equation_me(q, k, NULL, NULL, &rel, NULL);
            size_t j = cx_equation_coef_index(q, term);
            if (j == cx_equation_ncoef(q))
                continue;
            double c = cx_equation_coef(q)[j];
            if (!(c != 0) || !(fabs(nc[j] / c - 1) > 0.10))
                continue;
            snprintf(line, sizeof line,
                     "- Corrected for survey noise: %s per point of %s is %s, not the %s a naive fit gives "
                     "(reliability %.2f); uncorrected, every benefit through it would be %.0f%% %s.",
                     cx_equation_target(q), term, cx_money_text(c, a, sizeof a), cx_money_text(nc[j], b, sizeof b),
                     rel, 100 * fabs(nc[j] / c - 1), fabs(nc[j]) < fabs(c) ? "smaller" : "larger");
            sentence(r, ws, row++, line);
        }
    }
    return row;
}

static void summary(rep *r, lxw_worksheet *ws, const char *created)
{
    const cJSON *root = r->root, *scens = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    size_t n = (size_t)cJSON_GetArraySize(scens);
    size_t *order = cx_calloc(n + 1, sizeof(size_t));
    if (!order) {
        r->oom = 1;
        return;
    }
    ranking(scens, n, order);
    char line[512], a[48], b[48], c[48];
    worksheet_write_string(ws, 0, 0, str(root, "name"), r->f.title);
    snprintf(line, sizeof line, "Business case in %s over %s to %s; %.0f Monte Carlo draws (seed %.0f); prepared %s by cxcase %s",
             r->currency, str(root, "start"), str(root, "end"), num(root, "draws"), num(root, "seed"), created,
             cx_version());
    worksheet_write_string(ws, 1, 0, line, r->f.subtitle);
    worksheet_write_string(ws, 2, 0,
                           "The question: which customer-experience investments are worth funding, what are they "
                           "worth, and how sure is that?", r->f.bold);
    lxw_row_t row = 4;
    worksheet_write_string(ws, row++, 0, "Scenarios, best first", r->f.h);
    static const char *const head[] = {"Scenario", "NPV", "NPV P10", "NPV P90", "IRR (a year)", "Payback",
                                       "P(NPV > 0)", "NPS change (points)"};
    for (int k = 0; k < 8; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    worksheet_set_row(ws, row, 30, NULL);
    row++;
    lxw_row_t first = row;
    for (size_t i = 0; i < n; i++, row++) {
        const cJSON *sc = cJSON_GetArrayItem(scens, (int)order[i]), *npv = cJSON_GetObjectItemCaseSensitive(sc, "npv");
        worksheet_write_string(ws, row, 0, str(sc, "name"), r->f.text);
        rep_put(r, ws, row, 1, num(npv, "base"), r->f.money);
        rep_put(r, ws, row, 2, num(npv, "p10"), r->f.money);
        rep_put(r, ws, row, 3, num(npv, "p90"), r->f.money);
        rep_put(r, ws, row, 4, num(sc, "irr"), r->f.pct);
        const cJSON *pb = cJSON_GetObjectItemCaseSensitive(sc, "payback_quarter");
        worksheet_write_string(ws, row, 5, cJSON_IsString(pb) ? pb->valuestring : "not within horizon", r->f.text);
        rep_put(r, ws, row, 6, num(sc, "prob_npv_positive"), r->f.pct);
        rep_put(r, ws, row, 7, num(cJSON_GetObjectItemCaseSensitive(sc, "delta_nps"), "base"), r->f.num2);
    }
    snprintf(line, sizeof line, "NPV, IRR and payback at the point estimates; P10 and P90 of the NPV and P(NPV > 0) "
             "from the draws; amounts in %s; the NPS change is that of the last quarter.", r->currency);
    worksheet_write_string(ws, row++, 0, line, r->f.note);

    /* the portfolio */
    row++;
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(root, "portfolio");
    worksheet_write_string(ws, row++, 0, "Recommended portfolio", r->f.h);
    if (cJSON_IsObject(pf)) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(pf, "chosen"), *id;
        char ids[256] = "";
        size_t used = 0;
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(ch, "initiatives"))
            used += (size_t)snprintf(ids + used, used < sizeof ids ? sizeof ids - used : 0, "%s%s", used ? ", " : "",
                                     id->valuestring);
        if (used)
            snprintf(line, sizeof line, "Within the budget of %s: %s, costing %s, expected NPV %s, P(NPV > 0) %.0f%%.",
                     cx_money_text(num(pf, "budget"), a, sizeof a), ids, cx_money_text(num(ch, "cost"), b, sizeof b),
                     cx_money_text(num(ch, "expected_npv"), c, sizeof c), 100 * num(ch, "prob_npv_positive"));
        else
            snprintf(line, sizeof line, "Within the budget of %s no initiative adds expected value.",
                     cx_money_text(num(pf, "budget"), a, sizeof a));
    } else
        snprintf(line, sizeof line, "No budget was given, so no portfolio was chosen.");
    sentence(r, ws, row++, line);

    /* key messages */
    row++;
    worksheet_write_string(ws, row++, 0, "Key messages", r->f.h);
    if (n) {
        const cJSON *best = cJSON_GetArrayItem(scens, (int)order[0]);
        const cJSON *bn = cJSON_GetObjectItemCaseSensitive(best, "npv");
        snprintf(line, sizeof line, "- \"%s\" is worth most: NPV %s, between %s and %s in 8 of 10 draws.",
                 str(best, "name"), cx_money_text(num(bn, "base"), a, sizeof a), cx_money_text(num(bn, "p10"), b, sizeof b),
                 cx_money_text(num(bn, "p90"), c, sizeof c));
        sentence(r, ws, row++, line);
        /* the least certain to pay: lowest P(NPV > 0) */
        size_t worst = order[0];
        for (size_t i = 0; i < n; i++)
            if (num(cJSON_GetArrayItem(scens, (int)i), "prob_npv_positive") <
                num(cJSON_GetArrayItem(scens, (int)worst), "prob_npv_positive"))
                worst = i;
        const cJSON *ws_ = cJSON_GetArrayItem(scens, (int)worst);
        snprintf(line, sizeof line, "- \"%s\" is the least sure to pay: P(NPV > 0) %.0f%%.", str(ws_, "name"),
                 100 * num(ws_, "prob_npv_positive"));
        sentence(r, ws, row++, line);
        const cJSON *top = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(best, "sensitivity"), 0);
        if (top) {
            snprintf(line, sizeof line, "- Its value depends most on %s: between its P10 and P90 the NPV moves by %s.",
                     str(top, "input"), cx_money_text(num(top, "swing"), a, sizeof a));
            sentence(r, ws, row++, line);
        }
        double dn = num(cJSON_GetObjectItemCaseSensitive(best, "delta_nps"), "base");
        snprintf(line, sizeof line, "- It moves NPS by %+.1f points by the end of the horizon.", dn);
        sentence(r, ws, row++, line);
        row = survey_correction_message(r, ws, row);
    }

    /* warnings, as sentences */
    row++;
    worksheet_write_string(ws, row++, 0, "Warnings", r->f.h);
    int any = 0;
    const cJSON *sc, *w;
    cJSON_ArrayForEach(sc, scens) {
        cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(sc, "warnings")) {
            snprintf(line, sizeof line, "- %s: %s", str(sc, "name"), w->valuestring);
            sentence(r, ws, row++, line);
            any = 1;
        }
    }
    int levels = 0;
    cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(root, "warnings")) {
        /* the fixed effects' significance belongs on the Model sheet, not the boardroom's page */
        if (strstr(w->valuestring, "'C(") && strstr(w->valuestring, "not significant")) {
            levels++;
            continue;
        }
        snprintf(line, sizeof line, "- Data and model: %s", w->valuestring);
        sentence(r, ws, row++, line);
        any = 1;
    }
    if (levels) {
        snprintf(line, sizeof line, "- Data and model: %d region or season effect%s not significant at 5%% (see the Model sheet).",
                 levels, levels == 1 ? " is" : "s are");
        sentence(r, ws, row++, line);
        any = 1;
    }
    if (!any)
        worksheet_write_string(ws, row++, 0, "None.", r->f.text);

    /* the chart data: cumulative cash per quarter, below the charts */
    row++;
    if (row < 39)
        row = 39;
    snprintf(line, sizeof line, "Cumulative cash by quarter (%s), the chart's data", r->currency);
    worksheet_write_string(ws, row++, 0, line, r->f.h);
    const cJSON *q0 = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, 0), "quarters");
    int H = cJSON_GetArraySize(q0);
    worksheet_write_string(ws, row, 0, "Scenario", r->f.th);
    for (int q = 0; q < H; q++)
        worksheet_write_string(ws, row, (lxw_col_t)(1 + q), str(cJSON_GetArrayItem(q0, q), "quarter"), r->f.th);
    lxw_row_t qhead = row++;
    for (size_t i = 0; i < n; i++, row++) {
        const cJSON *s2 = cJSON_GetArrayItem(scens, (int)order[i]);
        worksheet_write_string(ws, row, 0, str(s2, "name"), r->f.text);
        const cJSON *qs = cJSON_GetObjectItemCaseSensitive(s2, "quarters");
        for (int q = 0; q < H; q++)
            rep_put(r, ws, row, (lxw_col_t)(1 + q), num(cJSON_GetArrayItem(qs, q), "cumulative_cash"), r->f.money);
    }

    /* the range chart's data: a floating bar from P10 to P90, split at the
     * NPV, as stacked columns (positive and negative parts stack apart, so a
     * range across 0 draws right): formulas over the ranking's cells */
    row += 2;
    worksheet_write_string(ws, row++, 0, "The NPV chart's bars: the ranking's P10 to NPV and NPV to P90, split at 0", r->f.h);
    static const char *const bh[] = {"Scenario", "Below P10 (+)", "P10 to NPV (+)", "NPV to P90 (+)", "Above P90 (-)",
                                     "P90 to NPV (-)", "NPV to P10 (-)"};
    for (int k = 0; k < 7; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, bh[k], r->f.th);
    lxw_row_t bfirst = ++row;
    for (size_t i = 0; i < n; i++, row++) {
        lxw_row_t rr = first + (lxw_row_t)i + 1; /* 1-based row of the ranking line */
        const cJSON *npv = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, (int)order[i]), "npv");
        double vb = num(npv, "base"), v10 = num(npv, "p10"), v90 = num(npv, "p90");
        char f[160];
        snprintf(f, sizeof f, "=A%u", rr);
        worksheet_write_formula_str(ws, row, 0, f, r->f.text, str(cJSON_GetArrayItem(scens, (int)order[i]), "name"));
        const char *fm[6] = {"=MAX(C%u,0)", "=MAX(B%u,0)-MAX(C%u,0)", "=MAX(D%u,0)-MAX(B%u,0)", "=MIN(D%u,0)",
                             "=MIN(B%u,0)-MIN(D%u,0)", "=MIN(C%u,0)-MIN(B%u,0)"};
        double v[6] = {fmax(v10, 0), approx_sub(fmax(vb, 0), fmax(v10, 0)), approx_sub(fmax(v90, 0), fmax(vb, 0)),
                       fmin(v90, 0), approx_sub(fmin(vb, 0), fmin(v90, 0)), approx_sub(fmin(v10, 0), fmin(vb, 0))};
        for (int k = 0; k < 6; k++) {
            snprintf(f, sizeof f, fm[k], rr, rr);
            worksheet_write_formula_num(ws, row, (lxw_col_t)(1 + k), f, r->f.money, isfinite(v[k]) ? v[k] : 0);
        }
    }
    lxw_row_t blast = row - 1;
    lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_COLUMN_STACKED);
    static const char *const sname[] = {"", "P10 to NPV", "NPV to P90", "", "NPV to P90", "P10 to NPV"};
    static const uint32_t color[] = {0, 0x9DC3E6, 0x2E75B6, 0, 0x2E75B6, 0x9DC3E6};
    for (int k = 0; k < 6; k++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, "Summary", bfirst, 0, blast, 0);
        chart_series_set_values(se, "Summary", bfirst, (lxw_col_t)(1 + k), blast, (lxw_col_t)(1 + k));
        if (*sname[k])
            chart_series_set_name(se, sname[k]);
        if (k == 0 || k == 3) {
            lxw_chart_fill none = {.none = LXW_TRUE};
            chart_series_set_fill(se, &none);
        } else {
            lxw_chart_fill fill = {.color = color[k]};
            chart_series_set_fill(se, &fill);
        }
    }
    chart_set_series_gap(ch, 80);
    int16_t hide[] = {0, 3, 4, 5, -1};
    chart_legend_delete_series(ch, hide);
    snprintf(line, sizeof line, "NPV per scenario (%s): P10 to P90, split at the NPV", r->currency);
    chart_title_set_name(ch, line);
    chart_title_set_name_font(ch, &(lxw_chart_font){.size = 11, .bold = LXW_TRUE});
    chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
    chart_axis_set_num_format(ch->y_axis, "#,##0");
    worksheet_insert_chart_opt(ws, 4, 9, ch, &(lxw_chart_options){.x_scale = 1.2, .y_scale = 1.05});

    lxw_chart *cc = workbook_add_chart(r->wb, LXW_CHART_LINE);
    for (size_t i = 0; i < n; i++) {
        lxw_chart_series *se = chart_add_series(cc, NULL, NULL);
        chart_series_set_categories(se, "Summary", qhead, 1, qhead, (lxw_col_t)H);
        chart_series_set_values(se, "Summary", qhead + 1 + (lxw_row_t)i, 1, qhead + 1 + (lxw_row_t)i, (lxw_col_t)H);
        chart_series_set_name_range(se, "Summary", qhead + 1 + (lxw_row_t)i, 0);
    }
    snprintf(line, sizeof line, "Cumulative cash (%s)", r->currency);
    chart_title_set_name(cc, line);
    chart_axis_set_num_font(cc->x_axis, &(lxw_chart_font){.rotation = -45});
    chart_title_set_name_font(cc, &(lxw_chart_font){.size = 11, .bold = LXW_TRUE});
    chart_legend_set_position(cc, LXW_CHART_LEGEND_BOTTOM);
    chart_axis_set_num_format(cc->y_axis, "#,##0");
    worksheet_insert_chart_opt(ws, 21, 9, cc, &(lxw_chart_options){.x_scale = 1.2, .y_scale = 1.05});

    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 4, 13, NULL);
    worksheet_set_column(ws, 5, 7, 11, NULL);
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 1);
    worksheet_set_margins(ws, 0.4, 0.4, 0.5, 0.5);
    worksheet_print_area(ws, 0, 0, row > 40 ? row : 40, 17);
    cx_free(order);
}

/* ---- Risk ---------------------------------------------------------------- */

static void risk(rep *r, lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    const cJSON *root = r->root, *scens = cJSON_GetObjectItemCaseSensitive(root, "scenarios"), *sc;
    char line[256];
    worksheet_write_string(ws, 0, 0, "Risk: the Monte Carlo simulation", r->f.title);
    snprintf(line, sizeof line, "%.0f draws, seed %.0f, coefficients drawn %s; the same inputs and seed give the same "
             "numbers. Values from the simulation, not formulas.", num(root, "draws"), num(root, "seed"),
             strcmp(str(root, "coefficients"), "t") == 0 ? "from their multivariate t" : "from their multivariate normal");
    worksheet_write_string(ws, 1, 0, line, r->f.subtitle);
    lxw_row_t row = 3;
    static const char *const head[] = {"Scenario", "Statistic", "Base", "Mean", "SD", "P5", "P10", "P50", "P90", "P95",
                                       "P(NPV > 0)"};
    for (int k = 0; k < 11; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    row++;
    cJSON_ArrayForEach(sc, scens) {
        static const char *const stat[] = {"npv", "delta_nps"};
        for (int s = 0; s < 2; s++, row++) {
            const cJSON *o = cJSON_GetObjectItemCaseSensitive(sc, stat[s]);
            lxw_format *f = s == 0 ? r->f.money : r->f.num2;
            worksheet_write_string(ws, row, 0, str(sc, "name"), r->f.text);
            snprintf(line, sizeof line, s == 0 ? "NPV (%s)" : "NPS change, last quarter (points)", r->currency);
            worksheet_write_string(ws, row, 1, line, r->f.text);
            static const char *const k[] = {"base", "mean", "sd", "p5", "p10", "p50", "p90", "p95"};
            for (int j = 0; j < 8; j++)
                rep_put(r, ws, row, (lxw_col_t)(2 + j), num(o, k[j]), f);
            if (s == 0)
                rep_put(r, ws, row, 10, num(sc, "prob_npv_positive"), r->f.pct);
        }
        const cJSON *irr = cJSON_GetObjectItemCaseSensitive(sc, "irr_draws");
        worksheet_write_string(ws, row, 0, str(sc, "name"), r->f.text);
        snprintf(line, sizeof line, "IRR a year (%.0f%% of draws have one)", 100 * num(irr, "share_with_irr"));
        worksheet_write_string(ws, row, 1, line, r->f.text);
        rep_put(r, ws, row, 2, num(sc, "irr"), r->f.pct);
        static const char *const k2[] = {"p5", "p10", "p50", "p90", "p95"};
        for (int j = 0; j < 5; j++)
            rep_put(r, ws, row, (lxw_col_t)(5 + j), num(irr, k2[j]), r->f.pct);
        row++;
    }
    /* fan charts: per scenario the percentiles of the quarterly cash flow */
    row++;
    cJSON_ArrayForEach(sc, scens) {
        const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sc, "quarters");
        int H = cJSON_GetArraySize(qs);
        snprintf(line, sizeof line, "%s: quarterly cash flow (%s), percentiles of the draws", str(sc, "name"), r->currency);
        worksheet_write_string(ws, row++, 0, line, r->f.h);
        worksheet_write_string(ws, row, 1, "Percentile", r->f.th);
        for (int q = 0; q < H; q++)
            worksheet_write_string(ws, row, (lxw_col_t)(2 + q), str(cJSON_GetArrayItem(qs, q), "quarter"), r->f.th);
        lxw_row_t head_row = row++;
        static const char *const p[] = {"p5", "p10", "p50", "p90", "p95"};
        static const char *const pn[] = {"P5", "P10", "P50", "P90", "P95"};
        for (int k = 0; k < 5; k++, row++) {
            worksheet_write_string(ws, row, 1, pn[k], r->f.text);
            for (int q = 0; q < H; q++)
                rep_put(r, ws, row, (lxw_col_t)(2 + q),
                    num(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(qs, q), "cash_flow_band"), p[k]), r->f.money);
        }
        lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_LINE);
        for (int k = 0; k < 5; k++) {
            lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
            chart_series_set_categories(se, "Risk", head_row, 2, head_row, (lxw_col_t)(1 + H));
            chart_series_set_values(se, "Risk", head_row + 1 + (lxw_row_t)k, 2, head_row + 1 + (lxw_row_t)k,
                                    (lxw_col_t)(1 + H));
            chart_series_set_name_range(se, "Risk", head_row + 1 + (lxw_row_t)k, 1);
            lxw_chart_line ln = {.color = k == 2 ? 0x1F4E79 : k == 1 || k == 3 ? 0x5B9BD5 : 0xBDD7EE,
                                 .width = k == 2 ? 2.25f : 1.5f};
            chart_series_set_line(se, &ln);
        }
        chart_title_set_name(ch, str(sc, "name"));
        chart_axis_set_num_font(ch->x_axis, &(lxw_chart_font){.rotation = -45});
        chart_legend_set_position(ch, LXW_CHART_LEGEND_RIGHT);
        chart_axis_set_num_format(ch->y_axis, "#,##0");
        worksheet_insert_chart_opt(ws, head_row - 1, (lxw_col_t)(H + 3), ch,
                                   &(lxw_chart_options){.x_scale = 0.9, .y_scale = 0.7});
        row += 1;
        /* the NPV's distribution over the draws */
        const cJSON *hist = cJSON_GetObjectItemCaseSensitive(sc, "npv_histogram");
        const cJSON *edges = cJSON_GetObjectItemCaseSensitive(hist, "edges"), *counts = cJSON_GetObjectItemCaseSensitive(hist, "counts");
        int nb = cJSON_GetArraySize(counts);
        if (nb > 0 && cJSON_GetArraySize(edges) == nb + 1) {
            snprintf(line, sizeof line, "%s: NPV (%s) over the draws", str(sc, "name"), r->currency);
            worksheet_write_string(ws, row++, 0, line, r->f.h);
            worksheet_write_string(ws, row, 1, "NPV from", r->f.th);
            worksheet_write_string(ws, row, 2, "NPV to", r->f.th);
            worksheet_write_string(ws, row, 3, "Draws", r->f.th);
            lxw_row_t hfirst = ++row;
            for (int b = 0; b < nb; b++, row++) {
                rep_put(r, ws, row, 1, cJSON_GetArrayItem(edges, b)->valuedouble, r->f.money);
                rep_put(r, ws, row, 2, cJSON_GetArrayItem(edges, b + 1)->valuedouble, r->f.money);
                rep_put(r, ws, row, 3, cJSON_GetArrayItem(counts, b)->valuedouble, NULL);
            }
            lxw_chart *hc = workbook_add_chart(r->wb, LXW_CHART_COLUMN);
            lxw_chart_series *hs = chart_add_series(hc, NULL, NULL);
            chart_series_set_categories(hs, "Risk", hfirst, 1, row - 1, 1);
            chart_series_set_values(hs, "Risk", hfirst, 3, row - 1, 3);
            chart_set_series_gap(hc, 10);
            snprintf(line, sizeof line, "%s: NPV over the draws", str(sc, "name"));
            chart_title_set_name(hc, line);
            chart_title_set_name_font(hc, &(lxw_chart_font){.size = 10, .bold = LXW_TRUE});
            chart_axis_set_num_format(hc->x_axis, "#,##0");
            chart_axis_set_num_font(hc->x_axis, &(lxw_chart_font){.rotation = -45});
            chart_axis_set_name(hc->y_axis, "draws");
            chart_legend_set_position(hc, LXW_CHART_LEGEND_NONE);
            worksheet_insert_chart_opt(ws, hfirst - 1, 5, hc, &(lxw_chart_options){.x_scale = 1.1, .y_scale = 1.0});
        }
        row += 2;
    }
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, 1, 34, NULL);
    worksheet_set_column(ws, 2, 14, 12, NULL);
    worksheet_freeze_panes(ws, 4, 2);
}

/* ---- Sensitivity ---------------------------------------------------------- */

static void sensitivity(rep *r, lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios"), *sc;
    char line[256];
    worksheet_write_string(ws, 0, 0, "Sensitivity: one input at a time at its P10 and P90", r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Every uncertain effect and cost, and every driver coefficient (estimate -/+ t x SE), at "
                           "its P10 and at its P90 with everything else at its stated value; sorted by the swing of "
                           "the NPV. Values from the simulation.", r->f.subtitle);
    lxw_row_t row = 3;
    cJSON_ArrayForEach(sc, scens) {
        const cJSON *sens = cJSON_GetObjectItemCaseSensitive(sc, "sensitivity"), *e;
        double base = num(cJSON_GetObjectItemCaseSensitive(sc, "npv"), "base");
        snprintf(line, sizeof line, "%s (NPV %s)", str(sc, "name"), r->currency);
        worksheet_write_string(ws, row++, 0, line, r->f.h);
        static const char *const head[] = {"Input", "Where", "At P10", "At P90", "NPV at P10", "NPV at P90", "Swing",
                                           "P10 - base", "P90 - base"};
        for (int k = 0; k < 9; k++)
            worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
        lxw_row_t first = ++row;
        cJSON_ArrayForEach(e, sens) {
            worksheet_write_string(ws, row, 0, str(e, "input"), r->f.text);
            const char *where = str(e, "pointer");
            worksheet_write_string(ws, row, 1, *where ? where : str(e, "kind"), r->f.text);
            rep_put(r, ws, row, 2, num(e, "p10"), NULL);
            rep_put(r, ws, row, 3, num(e, "p90"), NULL);
            rep_put(r, ws, row, 4, num(e, "npv_at_p10"), r->f.money);
            rep_put(r, ws, row, 5, num(e, "npv_at_p90"), r->f.money);
            rep_put(r, ws, row, 6, num(e, "swing"), r->f.money);
            rep_put(r, ws, row, 7, num(e, "npv_at_p10") - base, r->f.money);
            rep_put(r, ws, row, 8, num(e, "npv_at_p90") - base, r->f.money);
            row++;
        }
        if (row == first) {
            worksheet_write_string(ws, row++, 0, "No uncertain input moves this scenario's NPV.", r->f.note);
            row++;
            continue;
        }
        lxw_row_t last = row - 1;
        lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_BAR);
        for (int k = 0; k < 2; k++) {
            lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
            chart_series_set_categories(se, "Sensitivity", first, 0, last, 0);
            chart_series_set_values(se, "Sensitivity", first, (lxw_col_t)(7 + k), last, (lxw_col_t)(7 + k));
            chart_series_set_name(se, k ? "At P90" : "At P10");
        }
        chart_set_series_overlap(ch, 100);
        snprintf(line, sizeof line, "%s: change in NPV from %s", str(sc, "name"), cx_money_text(base, (char[48]){0}, 48));
        chart_title_set_name(ch, line);
        chart_title_set_name_font(ch, &(lxw_chart_font){.size = 10, .bold = LXW_TRUE});
        chart_axis_set_num_format(ch->x_axis, "#,##0");
        chart_axis_set_reverse(ch->y_axis); /* the largest swing on top */
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        worksheet_insert_chart_opt(ws, first - 2, 10, ch,
                                   &(lxw_chart_options){.x_scale = 1.0, .y_scale = 0.35 + 0.08 * (double)(last - first + 1)});
        row += 10 > (int)(last - first) ? (lxw_row_t)(10 - (last - first)) : 1;
    }
    worksheet_set_column(ws, 0, 0, 34, NULL);
    worksheet_set_column(ws, 1, 1, 24, NULL);
    worksheet_set_column(ws, 2, 8, 13, NULL);
}

/* ---- Portfolio ------------------------------------------------------------ */

static void portfolio(rep *r, lxw_worksheet *ws)
{
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(r->root, "portfolio");
    char line[512], a[48];
    worksheet_write_string(ws, 0, 0, "Portfolio: the best set of initiatives within the budget", r->f.title);
    if (!cJSON_IsObject(pf)) {
        worksheet_write_string(ws, 2, 0, "The scenario file gives no budget, so no portfolio was chosen.", r->f.text);
        return;
    }
    snprintf(line, sizeof line, "Budget %s (%s, the undiscounted costs over the horizon). Initiatives that interact "
             "are valued together by simulation; the search is exact.", cx_money_text(num(pf, "budget"), a, sizeof a),
             r->currency);
    worksheet_write_string(ws, 1, 0, line, r->f.subtitle);
    lxw_row_t row = 3;
    worksheet_write_string(ws, row++, 0, "Initiatives", r->f.h);
    static const char *const h1[] = {"Initiative", "Cost", "Expected NPV alone", "Chosen"};
    for (int k = 0; k < 4; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, h1[k], r->f.th);
    row++;
    const cJSON *ch = cJSON_GetObjectItemCaseSensitive(pf, "chosen"), *in, *id;
    cJSON_ArrayForEach(in, cJSON_GetObjectItemCaseSensitive(pf, "initiatives")) {
        worksheet_write_string(ws, row, 0, str(in, "id"), r->f.text);
        rep_put(r, ws, row, 1, num(in, "cost"), r->f.money);
        rep_put(r, ws, row, 2, num(in, "expected_npv"), r->f.money);
        int chosen = 0;
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(ch, "initiatives"))
            chosen |= strcmp(id->valuestring, str(in, "id")) == 0;
        worksheet_write_string(ws, row, 3, chosen ? "yes" : "no", r->f.text);
        row++;
    }
    row++;
    worksheet_write_string(ws, row++, 0, "The chosen set, simulated as a whole", r->f.h);
    static const char *const h2[] = {"Cost", "Expected NPV", "NPV P10", "NPV P90", "P(NPV > 0)"};
    for (int k = 0; k < 5; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, h2[k], r->f.th);
    row++;
    const cJSON *cn = cJSON_GetObjectItemCaseSensitive(ch, "npv");
    rep_put(r, ws, row, 0, num(ch, "cost"), r->f.money);
    rep_put(r, ws, row, 1, num(ch, "expected_npv"), r->f.money);
    rep_put(r, ws, row, 2, num(cn, "p10"), r->f.money);
    rep_put(r, ws, row, 3, num(cn, "p90"), r->f.money);
    rep_put(r, ws, row, 4, num(ch, "prob_npv_positive"), r->f.pct);
    row += 2;
    worksheet_write_string(ws, row++, 0, "The frontier: the most expected NPV for each budget", r->f.h);
    static const char *const h3[] = {"Cost", "Expected NPV", "Initiatives"};
    for (int k = 0; k < 3; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, h3[k], r->f.th);
    lxw_row_t first = ++row;
    const cJSON *fp;
    cJSON_ArrayForEach(fp, cJSON_GetObjectItemCaseSensitive(pf, "frontier")) {
        rep_put(r, ws, row, 0, num(fp, "cost"), r->f.money);
        rep_put(r, ws, row, 1, num(fp, "expected_npv"), r->f.money);
        char ids[256] = "";
        size_t used = 0;
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(fp, "initiatives"))
            used += (size_t)snprintf(ids + used, used < sizeof ids ? sizeof ids - used : 0, "%s%s", used ? ", " : "",
                                     id->valuestring);
        worksheet_write_string(ws, row, 2, used ? ids : "(none)", r->f.text);
        row++;
    }
    lxw_chart *c = workbook_add_chart(r->wb, LXW_CHART_SCATTER_STRAIGHT_WITH_MARKERS);
    lxw_chart_series *se = chart_add_series(c, NULL, NULL);
    chart_series_set_categories(se, "Portfolio", first, 0, row - 1, 0);
    chart_series_set_values(se, "Portfolio", first, 1, row - 1, 1);
    chart_series_set_name(se, "Frontier");
    snprintf(line, sizeof line, "Budget against expected NPV (%s)", r->currency);
    chart_title_set_name(c, line);
    chart_axis_set_name(c->x_axis, "Cost");
    chart_axis_set_name(c->y_axis, "Expected NPV");
    chart_axis_set_num_format(c->x_axis, "#,##0");
    chart_axis_set_num_format(c->y_axis, "#,##0");
    chart_legend_set_position(c, LXW_CHART_LEGEND_NONE);
    worksheet_insert_chart(ws, 3, 6, c);
    worksheet_set_column(ws, 0, 0, 22, NULL);
    worksheet_set_column(ws, 1, 4, 15, NULL);
}

/* ---- Inputs and Model: named cells --------------------------------------- */

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

static void inputs(rep *r, lxw_worksheet *ws)
{
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    const cx_scenario *s = r->s;
    lxw_format *in = workbook_add_format(r->wb), *inpct = workbook_add_format(r->wb), *inmoney = workbook_add_format(r->wb);
    lxw_format *inbase = workbook_add_format(r->wb);
    lxw_format *fs[] = {in, inpct, inmoney, inbase};
    for (int k = 0; k < 4; k++) {
        format_set_bg_color(fs[k], 0xFFF2CC);
        format_set_font_color(fs[k], 0x0000FF);
        format_set_border(fs[k], LXW_BORDER_THIN);
        format_set_border_color(fs[k], 0xBFBFBF);
    }
    format_set_num_format(inpct, "0.0%");
    format_set_num_format(inmoney, "#,##0");
    format_set_num_format(inbase, "#,##0.00##");
    char name[160], id[96], line[256];
    worksheet_write_string(ws, 0, 0, "Inputs: every assumption of the case", r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Styled cells are inputs; each has a defined name that the calculations use. Quarters "
                           "are counted from 1, the first quarter of the horizon.", r->f.subtitle);
    lxw_row_t row = 3;
    worksheet_write_string(ws, row++, 0, "Finance", r->f.h);
    static const char *const head[] = {"Input", "Value", "Unit", "Name"};
    for (int k = 0; k < 4; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    row++;
    double discount, margin, tax;
    cx_scenario_finance(s, &discount, &margin, &tax);
    struct {
        const char *label, *unit, *name;
        double v;
        lxw_format *f;
    } fin[] = {{"Horizon", "quarters", "fin_horizon", (double)cx_scenario_horizon(s), in},
               {"Discount rate", "a year", "fin_discount_rate", discount, inpct},
               {"Gross margin", "of the change in revenue", "fin_gross_margin", margin, inpct},
               {"Tax rate", "of the profit", "fin_tax_rate", tax, inpct}};
    worksheet_write_string(ws, row, 0, "First quarter", r->f.text);
    worksheet_write_string(ws, row, 1, cx_scenario_start(s), in);
    worksheet_write_string(ws, row, 2, "quarter", r->f.text);
    worksheet_write_string(ws, row, 3, "fin_start", r->f.text);
    rep_name_cell(r, "fin_start", "Inputs", row++, 1);
    for (size_t i = 0; i < sizeof fin / sizeof fin[0]; i++, row++) {
        worksheet_write_string(ws, row, 0, fin[i].label, r->f.text);
        worksheet_write_number(ws, row, 1, fin[i].v, fin[i].f);
        worksheet_write_string(ws, row, 2, fin[i].unit, r->f.text);
        worksheet_write_string(ws, row, 3, fin[i].name, r->f.text);
        rep_name_cell(r, fin[i].name, "Inputs", row, 1);
    }
    if (!isnan(s->budget)) {
        worksheet_write_string(ws, row, 0, "Budget", r->f.text);
        worksheet_write_number(ws, row, 1, s->budget, inmoney);
        worksheet_write_string(ws, row, 2, r->currency, r->f.text);
        worksheet_write_string(ws, row, 3, "fin_budget", r->f.text);
        rep_name_cell(r, "fin_budget", "Inputs", row++, 1);
    }
    row++;
    worksheet_write_string(ws, row++, 0, "Initiatives: effects and costs", r->f.h);
    static const char *const h2[] = {"Initiative", "Item", "Metric or kind", "Value", "Unit", "Start (quarter)",
                                     "Ramp (quarters)", "To (quarter)", "Uncertainty", "Name of the value"};
    for (int k = 0; k < 10; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, h2[k], r->f.th);
    row++;
    static const char *const dname[] = {"", "normal", "lognormal", "uniform", "triangular", "pert"};
    for (size_t i = 0; i < s->ninit; i++) {
        const initiative *it = &s->init[i];
        rep_sanitize(it->id, id, sizeof id);
        for (size_t k = 0; k < it->neff; k++, row++) {
            const effect *e = &it->eff[k];
            worksheet_write_string(ws, row, 0, it->id, r->f.text);
            snprintf(line, sizeof line, "effect %zu", k + 1);
            worksheet_write_string(ws, row, 1, line, r->f.text);
            worksheet_write_string(ws, row, 2, e->metric, r->f.text);
            worksheet_write_number(ws, row, 3, e->value, in);
            worksheet_write_string(ws, row, 4, e->is_target ? "target level" : "change", r->f.text);
            worksheet_write_number(ws, row, 5, e->start + 1, in);
            worksheet_write_number(ws, row, 6, e->ramp, in);
            worksheet_write_string(ws, row, 8, dname[e->u.kind], r->f.text);
            snprintf(name, sizeof name, "in_%s_e%zu_value", id, k + 1);
            worksheet_write_string(ws, row, 9, name, r->f.text);
            rep_name_cell(r, name, "Inputs", row, 3);
            snprintf(name, sizeof name, "in_%s_e%zu_start", id, k + 1);
            rep_name_cell(r, name, "Inputs", row, 5);
            snprintf(name, sizeof name, "in_%s_e%zu_ramp", id, k + 1);
            rep_name_cell(r, name, "Inputs", row, 6);
        }
        for (size_t k = 0; k < it->ncost; k++, row++) {
            const cost *c = &it->cost[k];
            worksheet_write_string(ws, row, 0, it->id, r->f.text);
            snprintf(line, sizeof line, "cost %zu", k + 1);
            worksheet_write_string(ws, row, 1, line, r->f.text);
            worksheet_write_string(ws, row, 2, c->capex ? "capex" : "opex", r->f.text);
            worksheet_write_number(ws, row, 3, c->amount, inmoney);
            snprintf(line, sizeof line, c->capex ? "%s, once" : "%s a quarter", r->currency);
            worksheet_write_string(ws, row, 4, line, r->f.text);
            worksheet_write_number(ws, row, 5, c->from + 1, in);
            worksheet_write_number(ws, row, 7, c->to + 1, in);
            worksheet_write_string(ws, row, 8, dname[c->u.kind], r->f.text);
            snprintf(name, sizeof name, "in_%s_c%zu_amount", id, k + 1);
            worksheet_write_string(ws, row, 9, name, r->f.text);
            rep_name_cell(r, name, "Inputs", row, 3);
            snprintf(name, sizeof name, "in_%s_c%zu_from", id, k + 1);
            rep_name_cell(r, name, "Inputs", row, 5);
            snprintf(name, sizeof name, "in_%s_c%zu_to", id, k + 1);
            rep_name_cell(r, name, "Inputs", row, 7);
        }
    }
    row++;
    /* the baselines: every column's level per unit, from which a change in
     * a non-linear term or to a target level is measured */
    const cx_plan *p = r->plan;
    if (p && !(r->base_name = cx_calloc(p->nv * p->nunits + 1, sizeof(char *))))
        r->oom = 1;
    if (p && r->base_name) {
        worksheet_write_string(ws, row++, 0, "Baselines: the level of every column the model uses, per unit", r->f.h);
        worksheet_write_string(ws, row++, 0,
                               s->nbase ? "Each unit's mean over the baseline window of the data, or the level the "
                                          "scenario gives (baseline.values)."
                                        : "Each unit's mean over the baseline window of the data (baseline.window_periods; "
                                          "by default the last year of periods).", r->f.note);
        worksheet_write_string(ws, row, 0, "Unit", r->f.th);
        for (size_t v = 0; v < p->nv; v++)
            worksheet_write_string(ws, row, (lxw_col_t)(1 + v), p->v[v].name, r->f.th);
        row++;
        for (size_t u = 0; u < p->nunits; u++, row++) {
            worksheet_write_string(ws, row, 0, p->unit[u], r->f.text);
            char uid[96], vid[96];
            rep_sanitize(p->unit[u], uid, sizeof uid);
            for (size_t v = 0; v < p->nv; v++) {
                worksheet_write_number(ws, row, (lxw_col_t)(1 + v), p->v[v].base[u], inbase);
                rep_sanitize(p->v[v].name, vid, sizeof vid);
                snprintf(name, sizeof name, "base_%.60s_%.60s", vid, uid[0] ? uid : "unit");
                r->base_name[v * p->nunits + u] = rep_name_cell(r, name, "Inputs", row, (lxw_col_t)(1 + v));
            }
        }
        worksheet_write_string(ws, row++, 0, "Each baseline's defined name is base_<column>_<unit>.", r->f.note);
    }
    worksheet_set_column(ws, 0, 0, 26, NULL);
    worksheet_set_column(ws, 1, 1, 12, NULL);
    worksheet_set_column(ws, 2, 2, 22, NULL);
    worksheet_set_column(ws, 3, 8, 14, NULL);
    worksheet_set_column(ws, 9, 9, 36, NULL);
    if (p && p->nv > 9)
        worksheet_set_column(ws, 10, (lxw_col_t)p->nv, 14, NULL);
    worksheet_freeze_panes(ws, 3, 0);
}

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

/* The Data sheet, rows in order (so that it can be written in
 * libxlsxwriter's constant-memory mode). */
static cx_status data_sheet(rep *r, lxw_worksheet *ws, const cx_table *t, size_t unit_cols, const cx_model *m,
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
    /* residuals against fitted values, per equation */
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
    make_formats(&r);
    lxw_worksheet *ws = workbook_add_worksheet(r.wb, "Data");
    cx_status st = data_sheet(&r, ws, panel, unit_cols, m, max_rows, err);
    lxw_error le = workbook_close(r.wb);
    if (st == CX_OK && le != LXW_NO_ERROR)
        st = cx_error_set(err, CX_EIO, path, 0, 0, "writing the workbook failed: %s", lxw_strerror(le));
    return st;
}

/* ---- About ---------------------------------------------------------------- */

static void about(rep *r, lxw_worksheet *ws, const cx_report_options *opt, const char *created)
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

/* ---- one sheet per scenario: the quarters as live formulas --------------- */

/* Column letters of quarter q (0-based): C, D, ... */
static void qcol(int q, char *buf, size_t size)
{
    char cell[16];
    lxw_rowcol_to_cell(cell, 0, (lxw_col_t)(2 + q));
    size_t n = strcspn(cell, "0123456789");
    snprintf(buf, size, "%.*s", (int)n, cell);
}

/* A formula with the engine's value as its cached result. */
static void formula(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *f, lxw_format *fmt, double v)
{
    worksheet_write_formula_num(ws, row, col, f, fmt, isfinite(v) ? v : 0);
}

/* "S1 Delivery first": the sheet of scenario k, a name of at most 31
 * characters that no formula referring to the sheet can mistake for more. */
static void sheet_name(char prefix, size_t k, const char *nm, char *out, size_t size)
{
    char clean[64];
    size_t o = 0;
    for (const char *q = nm; *q && o < sizeof clean - 1; q++) {
        /* letters (also beyond ASCII), digits, spaces, - & . */
        unsigned char ch = (unsigned char)*q;
        int keep = ch >= 0x80 || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                   ch == ' ' || ch == '-' || ch == '&' || ch == '.';
        if (keep)
            clean[o++] = *q;
        else if (o > 0 && clean[o - 1] != ' ')
            clean[o++] = ' ';
    }
    clean[o] = '\0';
    char full[96];
    snprintf(full, sizeof full, "%c%zu %s", prefix, k + 1, clean);
    snprintf(out, size, "%.31s", full);
    /* no trailing space, and not cut inside a UTF-8 character */
    size_t l = strlen(out);
    while (l > 0 && ((unsigned char)out[l - 1] & 0xC0) == 0x80)
        l--;
    if (l > 0 && ((unsigned char)out[l - 1] & 0x80))
        l--;
    while (l > 0 && out[l - 1] == ' ')
        l--;
    out[l] = '\0';
}

/* Where a scenario's per-unit lines are: the U sheet of a scenario whose
 * changes differ per unit (a non-linear term, a target level). */
typedef struct unit_out {
    char name[32];
    lxw_worksheet *ws;
    lxw_row_t qrow, nps, rev;  /* the segments' quarter numbers, the totals over units x periods */
} unit_out;

/* cx_buf_printf, a failure remembered in r->oom */
#define BUF(r, b, ...) ((r)->oom |= cx_buf_printf((b), __VA_ARGS__) != CX_OK)

/* A factor's change in unit u at segment s as a cell of the U sheet, or ""
 * when it does not change there. */
static void factor_ref(const cx_plan *p, const pset *set, const pfactor *fa, size_t s, const lxw_row_t *vrow, size_t u,
                       char out[static LXW_MAX_CELL_NAME_LENGTH])
{
    out[0] = '\0';
    if (!set->touched[fa->var])
        return;
    long j = (long)s;
    if (fa->kind == CX_F_LAG)
        j = p->lagseg[fa->lag * p->nseg + s];
    if (j >= 0)
        lxw_rowcol_to_cell(out, vrow[fa->var] + (lxw_row_t)u, (lxw_col_t)(2 + j));
}

/* The change of term t (new levels minus baseline levels) in unit u at
 * segment s, as a formula's part; 0 when none of its factors changes. */
static int term_formula(rep *r, const cx_plan *p, const pset *set, const pterm *t, size_t s, const lxw_row_t *vrow,
                        size_t u, cx_buf *b)
{
    char ref[LXW_MAX_CELL_NAME_LENGTH];
    int any = 0;
    for (size_t f = 0; f < t->nf && !any; f++) {
        factor_ref(p, set, &t->f[f], s, vrow, u, ref);
        any = ref[0] != '\0';
    }
    if (!any)
        return 0;
    if (t->linear) {
        BUF(r, b, "%s", ref);
        return 1;
    }
    if (t->nf == 1 && t->f[0].kind == CX_F_LOG) {
        BUF(r, b, "LN(1+%s/%s)", ref, r->base_name[t->f[0].var * p->nunits + u]);
        return 1;
    }
    /* the product of the factors at the new levels less the one at the baseline */
    BUF(r, b, "(");
    for (int side = 0; side < 2; side++) {
        if (side)
            BUF(r, b, "-");
        for (size_t f = 0; f < t->nf; f++) {
            const pfactor *fa = &t->f[f];
            const char *base = r->base_name[fa->var * p->nunits + u];
            factor_ref(p, set, fa, s, vrow, u, ref);
            int moved = side == 0 && ref[0];
            BUF(r, b, "%s%s%s%s%s%s%s", f ? "*" : "", fa->kind == CX_F_LOG ? "LN(" : "", moved ? "(" : "", base,
                moved ? "+" : "", moved ? ref : "", moved ? ")" : "");
            if (fa->kind == CX_F_LOG)
                BUF(r, b, ")");
            else if (fa->kind == CX_F_POW)
                BUF(r, b, "^%d", fa->k);
        }
    }
    BUF(r, b, ")");
    return 1;
}

/* The U sheet of scenario k: per unit and segment of periods (a run of
 * periods in which no level changes), the change of every column the
 * scenario moves, each line one formula over Inputs, Model and the lines
 * above, with the engine's value stored; then the changes in NPS and
 * revenue summed over the units and the segment's periods, which the
 * scenario sheet adds up per quarter. */
static void unit_sheet(rep *r, unit_out *uo, size_t k, const cx_model *m, const char *sname, const char *ssheet,
                       const lxw_row_t *share_row)
{
    const cx_plan *p = r->plan;
    const pset *set = &p->set[k];
    lxw_worksheet *ws = uo->ws;
    size_t nseg = p->nseg, nu = p->nunits;
    char line[256], c[16], id[96];
    lxw_row_t *vrow = cx_calloc(p->nv + 1, sizeof(lxw_row_t));
    const double **coef = cx_calloc(cx_model_nequations(m) + 1, sizeof(double *));
    double *d = cx_calloc(p->nv * nseg * nu + 1, sizeof(double));
    plan_work *w = cx_plan_work_new(p);
    lxw_format *fmt_change = workbook_add_format(r->wb);
    format_set_num_format(fmt_change, "#,##0.0000");
    cx_buf b = {0};
    int named = r->base_name != NULL;
    for (size_t i = 0; named && i < p->nv * nu; i++)
        named = r->base_name[i] != NULL;
    if (!vrow || !coef || !d || !w || !named) {
        r->oom = 1;
        goto out;
    }
    /* the engine's changes at the point estimates, per unit */
    for (size_t e = 0; e < cx_model_nequations(m); e++)
        coef[e] = cx_equation_coef(cx_model_equation(m, e));
    plan_inputs in = {cx_plan_effect_values(p), cx_plan_cost_amounts(p), coef};
    for (size_t u = 0; u < nu; u++) {
        const char *bad = NULL;
        const double *du = cx_plan_unit_changes(p, k, &in, w, u, &bad);
        if (du)
            memcpy(d + u * p->nv * nseg, du, p->nv * nseg * sizeof(double));
        else
            for (size_t i = 0; i < p->nv * nseg; i++)
                d[u * p->nv * nseg + i] = NAN;
    }
    /* the layout: the columns moved by effects alone, then the equations'
     * targets in dependency order, a heading and a line per unit each */
    size_t *order = (size_t *)cx_calloc(p->nv + 1, sizeof(size_t)), no = 0;
    if (!order) {
        r->oom = 1;
        goto out;
    }
    for (size_t v = 0; v < p->nv; v++)
        if (set->touched[v] && p->v[v].eq < 0)
            order[no++] = v;
    for (size_t e = 0; e < p->neq; e++)
        if (set->touched[p->eq[e].target])
            order[no++] = p->eq[e].target;
    lxw_row_t row = 8;
    for (size_t i = 0; i < no; i++) {
        vrow[order[i]] = row + 1;
        row += (lxw_row_t)nu + 2;
    }

    snprintf(line, sizeof line, "%s: every unit, segment by segment", sname);
    worksheet_write_string(ws, 0, 0, line, r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "The scenario moves a term that is not linear or a metric to a target level, so each unit "
                           "moves differently. A segment is a run of periods in which no level changes.", r->f.subtitle);
    worksheet_write_string(ws, 2, 0,
                           "Each line is one column's change in one unit: an effect's value times its ramp share, or "
                           "the sum of coefficient x (term at the new levels - term at the baseline levels).",
                           r->f.subtitle);
    worksheet_write_string(ws, 3, 0, "Line", r->f.th);
    worksheet_write_string(ws, 3, 1, "Unit", r->f.th);
    uo->qrow = 4;
    /* row by row: the workbook is written in constant-memory mode */
    for (size_t s = 0; s < nseg; s++) {
        snprintf(line, sizeof line, "Segment %zu", s + 1);
        worksheet_write_string(ws, 3, (lxw_col_t)(2 + s), line, r->f.th);
    }
    worksheet_write_string(ws, 4, 0, "Quarter number", r->f.text);
    for (size_t s = 0; s < nseg; s++)
        worksheet_write_number(ws, 4, (lxw_col_t)(2 + s), p->seg_q[s] + 1, NULL);
    worksheet_write_string(ws, 5, 0, "First period (counted from the horizon's start)", r->f.text);
    for (size_t s = 0; s < nseg; s++)
        worksheet_write_number(ws, 5, (lxw_col_t)(2 + s), (double)p->seg_start[s] + 1, NULL);
    worksheet_write_string(ws, 6, 0, "Periods (weeks) in the segment", r->f.text);
    worksheet_write_string(ws, 6, 1, "periods", r->f.text);
    for (size_t s = 0; s < nseg; s++)
        worksheet_write_number(ws, 6, (lxw_col_t)(2 + s), (double)p->seg_len[s], NULL);
    row = 8;
    for (size_t i = 0; i < no; i++) {
        size_t v = order[i];
        const peq *eq = p->v[v].eq >= 0 ? &p->eq[p->v[v].eq] : NULL;
        snprintf(line, sizeof line, "Change in %s%s", p->v[v].name, eq ? " (its equation's terms)" : " (the effects)");
        worksheet_write_string(ws, row++, 0, line, r->f.h);
        for (size_t u = 0; u < nu; u++, row++) {
            worksheet_write_string(ws, row, 0, p->v[v].name, r->f.text);
            worksheet_write_string(ws, row, 1, p->unit[u], r->f.text);
            for (size_t s = 0; s < nseg; s++) {
                b.len = 0;
                BUF(r, &b, "=");
                int parts = 0;
                for (size_t j = 0; j < set->neff; j++) {
                    size_t g = set->eff[j];
                    if (p->eff_var[g] != v)
                        continue;
                    input_ref ref = cx_plan_effect_ref(p, g);
                    rep_sanitize(r->s->init[ref.init].id, id, sizeof id);
                    char qc[8];
                    qcol(p->seg_q[s], qc, sizeof qc);
                    if (p->eff[g]->is_target)
                        BUF(r, &b, "%s(in_%s_e%zu_value-%s)*'%s'!%s$%u", parts ? "+" : "", id, ref.k + 1,
                                      r->base_name[v * nu + u], ssheet, qc, share_row[g] + 1);
                    else
                        BUF(r, &b, "%sin_%s_e%zu_value*'%s'!%s$%u", parts ? "+" : "", id, ref.k + 1, ssheet, qc,
                                      share_row[g] + 1);
                    parts++;
                }
                for (size_t t = 0; eq && t < eq->nt; t++) {
                    if (!set->term_on[eq->first + t])
                        continue;
                    const cx_equation *q = cx_model_equation(m, eq->model_eq);
                    char tg[64], tn[160];
                    rep_sanitize(cx_equation_target(q), tg, sizeof tg);
                    rep_sanitize(cx_equation_coef_name(q, eq->t[t].coef), tn, sizeof tn);
                    size_t mark = b.len;
                    BUF(r, &b, "%scoef_%s_%s*", parts ? "+" : "", tg, tn);
                    if (term_formula(r, p, set, &eq->t[t], s, vrow, u, &b))
                        parts++;
                    else
                        b.len = mark;
                }
                if (!parts)
                    BUF(r, &b, "0");
                if (r->oom) {
                    cx_free(order);
                    goto out;
                }
                b.data[b.len] = '\0';
                double v0 = d[u * p->nv * nseg + v * nseg + s];
                worksheet_write_formula_num(ws, row, (lxw_col_t)(2 + s), b.data, v == p->rev ? r->f.money : fmt_change,
                                            isfinite(v0) ? v0 : 0);
            }
        }
        row++;
    }
    /* totals over units x periods, which the scenario sheet adds up per quarter */
    worksheet_write_string(ws, row++, 0, "Totals over the units and the segment's periods", r->f.h);
    for (int out = 0; out < 2; out++, row++) {
        size_t v = out ? p->rev : p->nps;
        int on = set->touched[v];
        snprintf(line, sizeof line, "Change in %s x periods, summed over the units", p->v[v].name);
        worksheet_write_string(ws, row, 0, line, r->f.bold);
        for (size_t s = 0; s < nseg; s++) {
            double tot = 0;
            for (size_t u = 0; u < nu; u++)
                tot += (double)p->seg_len[s] * d[u * p->nv * nseg + v * nseg + s];
            lxw_rowcol_to_cell(c, 6, (lxw_col_t)(2 + s));
            char a[16], z[16];
            if (on) {
                lxw_rowcol_to_cell(a, vrow[v], (lxw_col_t)(2 + s));
                lxw_rowcol_to_cell(z, vrow[v] + (lxw_row_t)nu - 1, (lxw_col_t)(2 + s));
                snprintf(line, sizeof line, "=%.*s$7*SUM(%s:%s)", (int)strcspn(c, "0123456789"), c, a, z);
            } else
                snprintf(line, sizeof line, "=0");
            worksheet_write_formula_num(ws, row, (lxw_col_t)(2 + s), line, out ? r->f.money : r->f.num2,
                                        on && isfinite(tot) ? tot : 0);
        }
        if (out)
            uo->rev = row;
        else
            uo->nps = row;
    }
    worksheet_set_column(ws, 0, 0, 44, NULL);
    worksheet_set_column(ws, 1, 1, 14, NULL);
    worksheet_set_column(ws, 2, (lxw_col_t)(1 + nseg), 11, NULL);
    worksheet_freeze_panes(ws, 4, 2);
    worksheet_set_landscape(ws);
    /* printed with about ten segments a page across, each page with the
     * line names and the segments' calendar */
    worksheet_fit_to_pages(ws, (uint16_t)((nseg + 9) / 10), 0);
    worksheet_repeat_columns(ws, 0, 1);
    worksheet_repeat_rows(ws, 3, 6);
    cx_free(order);
out:
    cx_buf_free(&b);
    cx_plan_work_free(w);
    cx_free(d);
    cx_free((void *)coef);
    cx_free(vrow);
}

typedef struct sheet_out {
    char name[32];
    lxw_row_t npv, irr, cf, rev;  /* rows of the results, 0-based */
} sheet_out;

static void scenario_sheet(rep *r, lxw_worksheet *ws, size_t k, const cJSON *sj, const cx_plan *plan,
                           const cx_model *m, sheet_out *so, unit_out *uo)
{
    const cx_scenario *s = r->s;
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
    int H = cJSON_GetArraySize(qs);
    char f[2048], c[8], p[8], line[256], id[96];
    lxw_format *fmt_share = workbook_add_format(r->wb);
    format_set_num_format(fmt_share, "0.00");
    lxw_format *fmt_int = workbook_add_format(r->wb);
    format_set_num_format(fmt_int, "0");
    lxw_format *fmt_small = workbook_add_format(r->wb);
    format_set_num_format(fmt_small, "0.0000");
    lxw_format *fmt_total = workbook_add_format(r->wb);
    format_set_num_format(fmt_total, "#,##0;[Red]-#,##0");
    format_set_bold(fmt_total);
    format_set_top(fmt_total, LXW_BORDER_THIN);

    snprintf(line, sizeof line, "%s: the quarters, as formulas", str(sj, "name"));
    worksheet_write_string(ws, 0, 0, line, r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Every line is a formula over Inputs and Model (defined names) and the lines above; its "
                           "stored value is the engine's. Change an input and the case recomputes.", r->f.subtitle);
    lxw_row_t row = 3;
    worksheet_write_string(ws, row, 0, "Line", r->f.th);
    worksheet_write_string(ws, row, 1, "Unit", r->f.th);
    for (int q = 0; q < H; q++)
        worksheet_write_string(ws, row, (lxw_col_t)(2 + q), str(cJSON_GetArrayItem(qs, q), "quarter"), r->f.th);
    lxw_row_t hrow = row++;
    /* the timeline */
    lxw_row_t qrow = row;
    worksheet_write_string(ws, row, 0, "Quarter number", r->f.text);
    for (int q = 0; q < H; q++) {
        if (q == 0)
            worksheet_write_number(ws, row, 2, 1, fmt_int);
        else {
            qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=%s%u+1", p, row + 1);
            formula(ws, row, (lxw_col_t)(2 + q), f, fmt_int, q + 1);
        }
    }
    row++;
    lxw_row_t wrow = row;
    worksheet_write_string(ws, row, 0, "Weeks in the quarter (periods of the data)", r->f.text);
    worksheet_write_string(ws, row, 1, "periods", r->f.text);
    for (int q = 0; q < H; q++)
        worksheet_write_number(ws, row, (lxw_col_t)(2 + q), (double)cx_plan_quarter_periods(plan, q), fmt_int);
    row++;
    lxw_row_t urow = row;
    worksheet_write_string(ws, row, 0, "Units (regions)", r->f.text);
    worksheet_write_number(ws, row, 2, (double)cx_plan_nunits(plan), fmt_int);
    row += 2;

    /* the effects: ramp share and change per quarter */
    size_t n, one;
    const size_t *list = cx_scenario_inits(s, k, &n, &one);
    size_t neff = cx_plan_neffects(plan);
    lxw_row_t *chg_row = cx_calloc(neff + 1, sizeof(lxw_row_t)), *share_of = cx_calloc(neff + 1, sizeof(lxw_row_t));
    if (!chg_row || !share_of) {
        cx_free(chg_row);
        cx_free(share_of);
        r->oom = 1;
        return;
    }
    worksheet_write_string(ws, row++, 0, "Metrics", r->f.h);
    for (size_t g = 0; g < neff; g++) {
        input_ref ref = cx_plan_effect_ref(plan, g);
        int mine = 0;
        for (size_t i = 0; i < n; i++)
            mine |= list[i] == ref.init;
        if (!mine)
            continue;
        const initiative *it = &s->init[ref.init];
        const effect *e = &it->eff[ref.k];
        rep_sanitize(it->id, id, sizeof id);
        snprintf(line, sizeof line, "Ramp share: %s, %s", it->id, e->metric);
        worksheet_write_string(ws, row, 0, line, r->f.text);
        worksheet_write_string(ws, row, 1, "share", r->f.text);
        for (int q = 0; q < H; q++) {
            qcol(q, c, sizeof c);
            snprintf(f, sizeof f,
                     "=IF(%s$%u<in_%s_e%zu_start,0,IF(in_%s_e%zu_ramp=0,1,MIN(1,(%s$%u-in_%s_e%zu_start+1)/in_%s_e%zu_ramp)))",
                     c, qrow + 1, id, ref.k + 1, id, ref.k + 1, c, qrow + 1, id, ref.k + 1, id, ref.k + 1);
            formula(ws, row, (lxw_col_t)(2 + q), f, fmt_share, cx_ramp_share(e->start, e->ramp, q));
        }
        lxw_row_t share_row = row++;
        share_of[g] = share_row;
        snprintf(line, sizeof line, "Change in %s: %s%s", e->metric, it->id, e->is_target ? " (to a target level)" : "");
        worksheet_write_string(ws, row, 0, line, r->f.text);
        worksheet_write_string(ws, row, 1, e->metric, r->f.text);
        for (int q = 0; q < H && !e->is_target; q++) {
            qcol(q, c, sizeof c);
            snprintf(f, sizeof f, "=in_%s_e%zu_value*%s%u", id, ref.k + 1, c, share_row + 1);
            formula(ws, row, (lxw_col_t)(2 + q), f, r->f.num2, e->value * cx_ramp_share(e->start, e->ramp, q));
        }
        if (e->is_target) {
            snprintf(line, sizeof line, "differs per unit (the target minus the unit's baseline): see sheet %s",
                     uo ? uo->name : "U");
            worksheet_write_string(ws, row, 2, line, r->f.note);
        }
        chg_row[g] = row++;
    }
    row++;

    /* the equations: per path, or the engine's values for a non-linear set */
    size_t np = 0;
    const ppath *paths = cx_plan_paths(plan, k, &np);
    lxw_row_t rev_row;
    if (np) {
        worksheet_write_string(ws, row++, 0, "How each change reaches NPS and revenue (coefficient chains, lags in weeks)", r->f.h);
        /* calendar facts: for each lag, the weeks of a quarter whose week `lag` earlier lies j quarters back */
        size_t lags[64], nl = 0;
        lxw_row_t lag_row[64][8];
        int lag_back[64];
        for (size_t i = 0; i < np; i++) {
            size_t L = paths[i].lag, j = 0;
            while (j < nl && lags[j] != L)
                j++;
            if (j == nl && nl < 64)
                lags[nl++] = L;
        }
        for (size_t j = 0; j < nl; j++) {
            lag_back[j] = 0;
            for (int b = 0; b < 8 && b < H; b++) {
                size_t tot = 0;
                for (int q = 0; q < H; q++)
                    tot += cx_plan_lag_periods(plan, lags[j], q, b);
                if (!tot && b > 0)
                    break;
                snprintf(line, sizeof line, "Weeks whose week %zu earlier is %d quarter%s back", lags[j], b, b == 1 ? "" : "s");
                worksheet_write_string(ws, row, 0, line, r->f.text);
                worksheet_write_string(ws, row, 1, "periods", r->f.text);
                for (int q = 0; q < H; q++)
                    worksheet_write_number(ws, row, (lxw_col_t)(2 + q), (double)cx_plan_lag_periods(plan, lags[j], q, b),
                                           fmt_int);
                lag_row[j][b] = row++;
                lag_back[j] = b + 1;
            }
        }
        lxw_row_t first_nps = 0, last_nps = 0, first_rev = 0, last_rev = 0;
        int have_nps = 0, have_rev = 0;
        for (int out = 0; out < 2; out++)
            for (size_t i = 0; i < np; i++) {
                const ppath *x = &paths[i];
                if (x->revenue != out)
                    continue;
                input_ref ref = cx_plan_effect_ref(plan, x->eff);
                const initiative *it = &s->init[ref.init];
                const effect *e = &it->eff[ref.k];
                char chain[512] = "", coefs[1024] = "";
                size_t used = 0, cu = 0;
                double prod = 1;
                for (size_t j = 0; j < x->n; j++) {
                    const cx_equation *q = cx_model_equation(m, x->eq[j]);
                    char tg[64], tn[160];
                    rep_sanitize(cx_equation_target(q), tg, sizeof tg);
                    rep_sanitize(cx_equation_coef_name(q, x->coef[j]), tn, sizeof tn);
                    cu += (size_t)snprintf(coefs + cu, cu < sizeof coefs ? sizeof coefs - cu : 0, "coef_%s_%s*", tg, tn);
                    used += (size_t)snprintf(chain + used, used < sizeof chain ? sizeof chain - used : 0, "%s%s",
                                             j ? " -> " : "", cx_equation_coef_name(q, x->coef[j]));
                    prod *= cx_equation_coef(q)[x->coef[j]];
                }
                snprintf(line, sizeof line, "%s from %s (%s): %s", out ? "Revenue" : "NPS", e->metric, it->id,
                         x->n ? chain : "direct");
                worksheet_write_string(ws, row, 0, line, r->f.text);
                worksheet_write_string(ws, row, 1, out ? r->currency : "points", r->f.text);
                size_t lj = 0;
                while (lj < nl && lags[lj] != x->lag)
                    lj++;
                for (int q = 0; q < H; q++) {
                    size_t fo = (size_t)snprintf(f, sizeof f, "=%s(", coefs);
                    double w = 0;
                    int terms = 0;
                    for (int b = 0; b < lag_back[lj] && b <= q; b++) {
                        char cb[8];
                        qcol(q, c, sizeof c);
                        qcol(q - b, cb, sizeof cb);
                        fo += (size_t)snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, "%s%s%u*%s%u", terms ? "+" : "", c,
                                               lag_row[lj][b] + 1, cb, chg_row[x->eff] + 1);
                        w += (double)cx_plan_lag_periods(plan, x->lag, q, b) * cx_ramp_share(e->start, e->ramp, q - b);
                        terms++;
                    }
                    if (!terms)
                        fo += (size_t)snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, "0");
                    qcol(q, c, sizeof c);
                    if (out)
                        snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, ")*$C$%u", urow + 1);
                    else
                        snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, ")/%s$%u", c, wrow + 1);
                    double v = prod * e->value * w * (out ? (double)cx_plan_nunits(plan)
                                                          : 1.0 / (double)cx_plan_quarter_periods(plan, q));
                    formula(ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2, v);
                }
                if (out) {
                    if (!have_rev)
                        first_rev = row;
                    last_rev = row;
                    have_rev = 1;
                } else {
                    if (!have_nps)
                        first_nps = row;
                    last_nps = row;
                    have_nps = 1;
                }
                row++;
            }
        row++;
        worksheet_write_string(ws, row, 0, "Change in NPS (mean over units and weeks)", r->f.bold);
        worksheet_write_string(ws, row, 1, "points", r->f.text);
        for (int q = 0; q < H; q++) {
            qcol(q, c, sizeof c);
            if (have_nps)
                snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first_nps + 1, c, last_nps + 1);
            else
                snprintf(f, sizeof f, "=0");
            formula(ws, row, (lxw_col_t)(2 + q), f, r->f.num2, num(cJSON_GetArrayItem(qs, q), "delta_nps"));
        }
        row++;
        rev_row = row;
        worksheet_write_string(ws, row, 0, "Change in revenue (sum over units and weeks)", r->f.bold);
        worksheet_write_string(ws, row, 1, r->currency, r->f.text);
        for (int q = 0; q < H; q++) {
            qcol(q, c, sizeof c);
            if (have_rev)
                snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first_rev + 1, c, last_rev + 1);
            else
                snprintf(f, sizeof f, "=0");
            formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "delta_revenue"));
        }
        row++;
    } else if (!uo) {
        r->oom = 1; /* its U sheet could not be added: the workbook is not kept */
        rev_row = row;
    } else {
        /* per unit and segment on the U sheet, added up here per quarter */
        unit_sheet(r, uo, k, m, str(sj, "name"), so->name, share_of);
        snprintf(line, sizeof line,
                 "This scenario moves a term that is not linear or a metric to a target level, so each unit moves "
                 "differently: sheet %s works the changes out per unit and segment of weeks.", uo->name);
        worksheet_write_string(ws, row++, 0, line, r->f.note);
        char a[16], z[16], qs_ref[40], tot_ref[40];
        lxw_rowcol_to_cell_abs(a, uo->qrow, 2, 1, 1);
        lxw_rowcol_to_cell_abs(z, uo->qrow, (lxw_col_t)(1 + plan->nseg), 1, 1);
        snprintf(qs_ref, sizeof qs_ref, "%s:%s", a, z);
        for (int out = 0; out < 2; out++, row++) {
            if (out)
                rev_row = row;
            worksheet_write_string(ws, row, 0, out ? "Change in revenue (sum over units and weeks)"
                                                   : "Change in NPS (mean over units and weeks)", r->f.bold);
            worksheet_write_string(ws, row, 1, out ? r->currency : "points", r->f.text);
            lxw_rowcol_to_cell_abs(a, out ? uo->rev : uo->nps, 2, 1, 1);
            lxw_rowcol_to_cell_abs(z, out ? uo->rev : uo->nps, (lxw_col_t)(1 + plan->nseg), 1, 1);
            snprintf(tot_ref, sizeof tot_ref, "%s:%s", a, z);
            for (int q = 0; q < H; q++) {
                qcol(q, c, sizeof c);
                if (out)
                    snprintf(f, sizeof f, "=SUMIF('%s'!%s,%s$%u,'%s'!%s)", uo->name, qs_ref, c, qrow + 1, uo->name, tot_ref);
                else
                    snprintf(f, sizeof f, "=SUMIF('%s'!%s,%s$%u,'%s'!%s)/(%s$%u*$C$%u)", uo->name, qs_ref, c, qrow + 1,
                             uo->name, tot_ref, c, wrow + 1, urow + 1);
                formula(ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2,
                        num(cJSON_GetArrayItem(qs, q), out ? "delta_revenue" : "delta_nps"));
            }
        }
    }
    row++;

    /* finance */
    worksheet_write_string(ws, row++, 0, "Cash", r->f.h);
    lxw_row_t gp_row = row;
    worksheet_write_string(ws, row, 0, "Gross profit on the change in revenue", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=fin_gross_margin*%s%u", c, rev_row + 1);
        formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "gross_profit"));
    }
    row++;
    lxw_row_t first_cost = row;
    for (size_t i = 0; i < n; i++) {
        const initiative *it = &s->init[list[i]];
        rep_sanitize(it->id, id, sizeof id);
        for (size_t cc = 0; cc < it->ncost; cc++, row++) {
            const cost *co = &it->cost[cc];
            snprintf(line, sizeof line, "Cost: %s, %s", it->id, co->capex ? "capex" : "opex");
            worksheet_write_string(ws, row, 0, line, r->f.text);
            worksheet_write_string(ws, row, 1, r->currency, r->f.text);
            for (int q = 0; q < H; q++) {
                qcol(q, c, sizeof c);
                if (co->capex)
                    snprintf(f, sizeof f, "=IF(%s$%u=in_%s_c%zu_from,in_%s_c%zu_amount,0)", c, qrow + 1, id, cc + 1, id, cc + 1);
                else
                    snprintf(f, sizeof f, "=IF(AND(%s$%u>=in_%s_c%zu_from,%s$%u<=in_%s_c%zu_to),in_%s_c%zu_amount,0)", c,
                             qrow + 1, id, cc + 1, c, qrow + 1, id, cc + 1, id, cc + 1);
                formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, q >= co->from && q <= co->to ? co->amount : 0);
            }
        }
    }
    lxw_row_t last_cost = row - 1;
    lxw_row_t costs_row = row;
    worksheet_write_string(ws, row, 0, "Costs", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        if (last_cost >= first_cost && row > first_cost)
            snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first_cost + 1, c, last_cost + 1);
        else
            snprintf(f, sizeof f, "=0");
        formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "costs"));
    }
    row++;
    lxw_row_t cf_row = row;
    worksheet_write_string(ws, row, 0, "Net cash flow after tax", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=(%s%u-%s%u)*(1-fin_tax_rate)", c, gp_row + 1, c, costs_row + 1);
        formula(ws, row, (lxw_col_t)(2 + q), f, fmt_total, num(cJSON_GetArrayItem(qs, q), "cash_flow"));
    }
    row++;
    lxw_row_t qr_row = row;
    worksheet_write_string(ws, row, 0, "Quarterly discount rate", r->f.text);
    worksheet_write_string(ws, row, 1, "a quarter", r->f.text);
    {
        double d, mg, t;
        cx_scenario_finance(s, &d, &mg, &t);
        formula(ws, row, 2, "=(1+fin_discount_rate)^(1/4)-1", fmt_small, cx_fin_quarterly_rate(d));
    }
    row++;
    lxw_row_t df_row = row;
    worksheet_write_string(ws, row, 0, "Discount factor (end of quarter)", r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=1/(1+$C$%u)^%s$%u", qr_row + 1, c, qrow + 1);
        formula(ws, row, (lxw_col_t)(2 + q), f, fmt_small, num(cJSON_GetArrayItem(qs, q), "discount_factor"));
    }
    row++;
    lxw_row_t pv_row = row;
    worksheet_write_string(ws, row, 0, "Present value", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=%s%u*%s%u", c, cf_row + 1, c, df_row + 1);
        formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "pv"));
    }
    row++;
    worksheet_write_string(ws, row, 0, "Cumulative cash", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        if (q == 0)
            snprintf(f, sizeof f, "=%s%u", c, cf_row + 1);
        else {
            qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=%s%u+%s%u", p, row + 1, c, cf_row + 1);
        }
        formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "cumulative_cash"));
    }
    lxw_row_t cum_row = row++;
    /* payback: the first quarter whose cumulative cash is back at 0 or above
     * after having been negative */
    const cJSON *pb = cJSON_GetObjectItemCaseSensitive(sj, "payback_quarter");
    int pbq = -1;
    for (int q = 0; q < H && cJSON_IsString(pb); q++)
        if (strcmp(str(cJSON_GetArrayItem(qs, q), "quarter"), pb->valuestring) == 0)
            pbq = q;
    lxw_row_t flag_row = row;
    worksheet_write_string(ws, row, 0, "Payback reached (first quarter back at 0 after being negative)", r->f.text);
    worksheet_write_string(ws, row, 1, "flag", r->f.text);
    for (int q = 0; q < H; q++) {
        qcol(q, c, sizeof c);
        if (q == 0)
            snprintf(f, sizeof f, "=0");
        else {
            qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=IF(AND(%s%u>=0,MIN($C$%u:%s%u)<0,SUM($C$%u:%s%u)=0),1,0)", c, cum_row + 1, cum_row + 1,
                     p, cum_row + 1, row + 1, p, row + 1);
        }
        formula(ws, row, (lxw_col_t)(2 + q), f, fmt_int, q == pbq ? 1 : 0);
    }
    row += 2;
    char last[8];
    qcol(H - 1, last, sizeof last);
    worksheet_write_string(ws, row++, 0, "Results", r->f.h);
    so->npv = row;
    worksheet_write_string(ws, row, 0, "NPV", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    snprintf(f, sizeof f, "=SUM(C%u:%s%u)", pv_row + 1, last, pv_row + 1);
    formula(ws, row++, 2, f, fmt_total, num(cJSON_GetObjectItemCaseSensitive(sj, "npv"), "base"));
    so->irr = row;
    worksheet_write_string(ws, row, 0, "IRR (a year)", r->f.bold);
    snprintf(f, sizeof f, "=IFERROR((1+IRR(C%u:%s%u,0))^4-1,\"none\")", cf_row + 1, last, cf_row + 1);
    double irr = num(sj, "irr");
    if (isfinite(irr))
        formula(ws, row, 2, f, r->f.pct, irr);
    else
        worksheet_write_formula_str(ws, row, 2, f, r->f.pct, "none");
    row++;
    worksheet_write_string(ws, row, 0, "Payback quarter", r->f.bold);
    snprintf(f, sizeof f, "=IFERROR(INDEX($C$%u:$%s$%u,MATCH(1,C%u:%s%u,0)),\"not within horizon\")", hrow + 1, last,
             hrow + 1, flag_row + 1, last, flag_row + 1);
    worksheet_write_formula_str(ws, row++, 2, f, r->f.text, cJSON_IsString(pb) ? pb->valuestring : "not within horizon");
    worksheet_write_string(ws, row, 0, "ROI (undiscounted)", r->f.bold);
    snprintf(f, sizeof f, "=IFERROR((SUM(C%u:%s%u)-SUM(C%u:%s%u))/SUM(C%u:%s%u),\"-\")", gp_row + 1, last, gp_row + 1,
             costs_row + 1, last, costs_row + 1, costs_row + 1, last, costs_row + 1);
    formula(ws, row++, 2, f, r->f.pct, num(sj, "roi"));
    so->cf = cf_row;
    so->rev = rev_row;
    worksheet_set_column(ws, 0, 0, 52, NULL);
    worksheet_set_column(ws, 1, 1, 10, NULL);
    worksheet_set_column(ws, 2, (lxw_col_t)(1 + H), 12, NULL);
    worksheet_freeze_panes(ws, 4, 2);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_repeat_columns(ws, 0, 1);
    cx_free(chg_row);
    cx_free(share_of);
}

/* The Checks sheet: every formula total beside the engine's value. */
static void checks(rep *r, lxw_worksheet *ws, const sheet_out *so, size_t nscen)
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
        qcol(H - 1, last, sizeof last);
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
            formula(ws, row, 2, c[i].f, r->f.money, c[i].engine);
            worksheet_write_number(ws, row, 3, c[i].engine, r->f.money);
            snprintf(f, sizeof f, "=C%u-D%u", row + 1, row + 1);
            formula(ws, row, 4, f, NULL, 0);
        }
    }
    snprintf(line, sizeof line, "Largest difference");
    worksheet_write_string(ws, row, 1, line, r->f.bold);
    snprintf(f, sizeof f, "=MAX(ABS(MIN(E5:E%u)),ABS(MAX(E5:E%u)))", row, row);
    formula(ws, row, 4, f, NULL, 0);
    worksheet_set_column(ws, 0, 1, 30, NULL);
    worksheet_set_column(ws, 2, 4, 16, NULL);
}

/* ---- the workbook ---------------------------------------------------------- */

cx_status cx_report_write(const cx_scenario *s, const cx_simulation *sim, const char *path,
                          const cx_report_options *opt, cx_error *err)
{
    const cJSON *root = cx_simulation_root(sim);
    char created[32];
    time_t now = cx_time_now(); /* SOURCE_DATE_EPOCH when set */
    if (opt && opt->created)
        snprintf(created, sizeof created, "%s", opt->created);
    else
        cx_time_iso(now, created, sizeof created);
    /* The workbook is assembled in a scratch file (unlinked at once:
     * nothing is left behind whatever ends the process), which
     * libxlsxwriter writes through /proc/self/fd/N; only then is it copied
     * into a temporary beside the target, made with O_EXCL (a planted
     * symlink is never followed), and renamed.  libxlsxwriter thus never
     * opens a name in the output folder, and a full disk there is reported
     * by the copy, with the system's reason, rather than by libxlsxwriter's
     * own [ERROR] lines. */
    cx_status ost = cx_output_check(path, err);
    if (ost != CX_OK)
        return ost;
    int zfd;
    char tmp[32];
    if ((ost = cx_scratch_open(path, &zfd, tmp, err)) != CX_OK)
        return ost;
    /* constant-memory mode: every sheet is written row by row, so a big Data
     * sheet does not hold its rows in memory */
    lxw_workbook_options wo = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    rep r = {0};
    r.wb = workbook_new_opt(tmp, &wo);
    r.root = root;
    r.s = s;
    r.plan = cx_simulation_plan(sim);
    r.model = cx_simulation_model(sim);
    snprintf(r.currency, sizeof r.currency, "%s", cx_scenario_currency(s));
    if (!r.wb) {
        close(zfd);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the workbook");
    }
    make_formats(&r);
    lxw_worksheet *wsum = workbook_add_worksheet(r.wb, "Summary");
    lxw_worksheet *winp = workbook_add_worksheet(r.wb, "Inputs");
    lxw_worksheet *wmod = workbook_add_worksheet(r.wb, "Model");
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    size_t nscen = (size_t)cJSON_GetArraySize(scens);
    sheet_out *so = cx_calloc(nscen + 1, sizeof(sheet_out));
    unit_out *uo = cx_calloc(nscen + 1, sizeof(unit_out));
    lxw_worksheet **wsc = cx_calloc(nscen + 1, sizeof(lxw_worksheet *));
    if (!so || !uo || !wsc) {
        cx_free(so);
        cx_free(uo);
        cx_free(wsc);
        workbook_close(r.wb);
        close(zfd);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    for (size_t k = 0; k < nscen; k++) {
        const char *nm = str(cJSON_GetArrayItem(scens, (int)k), "name");
        sheet_name('S', k, nm, so[k].name, sizeof so[k].name);
        if (!(wsc[k] = workbook_add_worksheet(r.wb, so[k].name))) {
            snprintf(so[k].name, sizeof so[k].name, "S%zu", k + 1);
            wsc[k] = workbook_add_worksheet(r.wb, so[k].name);
        }
        size_t np = 0;
        cx_plan_paths(r.plan, k, &np);
        if (np == 0) {
            /* its changes differ per unit: worked out on a U sheet beside it */
            sheet_name('U', k, nm, uo[k].name, sizeof uo[k].name);
            if (!(uo[k].ws = workbook_add_worksheet(r.wb, uo[k].name))) {
                snprintf(uo[k].name, sizeof uo[k].name, "U%zu", k + 1);
                uo[k].ws = workbook_add_worksheet(r.wb, uo[k].name);
            }
            r.oom |= !uo[k].ws;
        }
    }
    lxw_worksheet *wchk = workbook_add_worksheet(r.wb, "Checks");
    lxw_worksheet *wrisk = workbook_add_worksheet(r.wb, "Risk");
    lxw_worksheet *wsens = workbook_add_worksheet(r.wb, "Sensitivity");
    lxw_worksheet *wpf = workbook_add_worksheet(r.wb, "Portfolio");
    lxw_worksheet *wdata = workbook_add_worksheet(r.wb, "Data");
    lxw_worksheet *wvoice = rep_voice_wanted(&r) ? workbook_add_worksheet(r.wb, "Voice") : NULL;
    lxw_worksheet *wab = workbook_add_worksheet(r.wb, "About");
    summary(&r, wsum, created);
    inputs(&r, winp);
    rep_model_sheet(&r, wmod, cx_simulation_model(sim));
    for (size_t k = 0; k < nscen; k++)
        scenario_sheet(&r, wsc[k], k, cJSON_GetArrayItem(scens, (int)k), cx_simulation_plan(sim),
                       cx_simulation_model(sim), &so[k], uo[k].ws ? &uo[k] : NULL);
    checks(&r, wchk, so, nscen);
    cx_free(wsc);
    cx_free(so);
    cx_free(uo);
    cx_free((void *)r.base_name);
    risk(&r, wrisk);
    sensitivity(&r, wsens);
    portfolio(&r, wpf);
    size_t unit_cols = 0;
    const cx_table *panel = cx_simulation_panel(sim, &unit_cols);
    cx_status dst = data_sheet(&r, wdata, panel, unit_cols, cx_simulation_model(sim), 0, err);
    if (dst == CX_OK && wvoice)
        dst = rep_voice_sheet(&r, wvoice, err);
    about(&r, wab, opt, created);
    lxw_doc_properties props = {.title = (char *)cx_scenario_name(s), .subject = "Business case",
                                .author = "cxcase", .comments = "Written by cxcase report",
                                .created = now};
    workbook_set_properties(r.wb, &props);
    lxw_error le = workbook_close(r.wb);
    if (dst == CX_OK && r.oom)
        dst = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory while writing the workbook");
    for (size_t i = 0; i < r.nnames; i++)
        cx_free(r.names[i]);
    cx_free(r.names);
    if (dst == CX_OK && le != LXW_NO_ERROR)
        dst = cx_error_set(err, CX_EIO, path, 0, 0, "writing the workbook failed: %s", lxw_strerror(le));
    cx_outfile of;
    if (dst == CX_OK && (dst = cx_outfile_open(&of, path, err)) == CX_OK) {
        dst = cx_outfile_copy_fd(&of, zfd, err);
        if (dst == CX_OK)
            dst = cx_outfile_commit(&of, err);
        else
            cx_outfile_abort(&of);
    }
    close(zfd);
    return dst;
}
