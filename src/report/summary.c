/*
 * summary.c - the Summary, the board page: the ranking, the portfolio, the key
 * messages, the warnings and the two charts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

#include "../core/core.h"
#include "report_sheet.h"

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

/* The title, the question and the ranking of the scenarios, best first;
 * *first is the ranking's first row.  Returns the next row. */
static lxw_row_t ranking_table(rep *r, lxw_worksheet *ws, const char *created, const size_t *order, size_t n,
                               lxw_row_t *first)
{
    const cJSON *root = r->root, *scens = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    char line[512];
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
    *first = row;
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
    return row;
}

/* The recommended portfolio, a sentence under its heading at row + 1.
 * Returns the next row. */
static lxw_row_t portfolio_line(rep *r, lxw_worksheet *ws, lxw_row_t row)
{
    char line[512], a[48], b[48], c[48];
    row++;
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(r->root, "portfolio");
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
    return row;
}

/* The key messages about the best scenario, the least sure one and the
 * corrections for survey noise.  Returns the next row. */
static lxw_row_t key_messages(rep *r, lxw_worksheet *ws, lxw_row_t row, const size_t *order, size_t n)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    char line[512], a[48], b[48], c[48];
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
        if (top && strcmp(str(top, "kind"), "finance") == 0) { /* a finance input over its range */
            snprintf(line, sizeof line, "- Its value depends most on the %c%s: from %.1f%% to %.1f%% the NPV moves by %s.",
                     tolower((unsigned char)str(top, "input")[0]), str(top, "input") + 1, 100 * num(top, "p10"),
                     100 * num(top, "p90"), cx_money_text(num(top, "swing"), a, sizeof a));
            sentence(r, ws, row++, line);
        } else if (top) {
            snprintf(line, sizeof line, "- Its value depends most on %s: between its P10 and P90 the NPV moves by %s.",
                     str(top, "input"), cx_money_text(num(top, "swing"), a, sizeof a));
            sentence(r, ws, row++, line);
        }
        double dn = num(cJSON_GetObjectItemCaseSensitive(best, "delta_nps"), "base");
        snprintf(line, sizeof line, "- It moves NPS by %+.1f points by the end of the horizon.", dn);
        sentence(r, ws, row++, line);
        row = survey_correction_message(r, ws, row);
    }
    return row;
}

/* The warnings, as sentences.  Returns the next row. */
static lxw_row_t warnings(rep *r, lxw_worksheet *ws, lxw_row_t row)
{
    const cJSON *root = r->root, *scens = cJSON_GetObjectItemCaseSensitive(root, "scenarios");
    char line[512];
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
    return row;
}

/* The line chart's data: cumulative cash per quarter and scenario, below
 * the charts from row 39 on; *qhead is the quarters' row.  Returns the next
 * row. */
static lxw_row_t cash_table(rep *r, lxw_worksheet *ws, lxw_row_t row, const size_t *order, size_t n,
                            lxw_row_t *qhead)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    char line[512];
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
    *qhead = row++;
    for (size_t i = 0; i < n; i++, row++) {
        const cJSON *s2 = cJSON_GetArrayItem(scens, (int)order[i]);
        worksheet_write_string(ws, row, 0, str(s2, "name"), r->f.text);
        const cJSON *qs = cJSON_GetObjectItemCaseSensitive(s2, "quarters");
        for (int q = 0; q < H; q++)
            rep_put(r, ws, row, (lxw_col_t)(1 + q), num(cJSON_GetArrayItem(qs, q), "cumulative_cash"), r->f.money);
    }
    return row;
}

/* The range chart's data: a floating bar from P10 to P90, split at the
 * NPV, as stacked columns (positive and negative parts stack apart, so a
 * range across 0 draws right): formulas over the ranking's cells from row
 * `first` on; its lines are rows *bfirst to the one before the row
 * returned. */
static lxw_row_t bar_table(rep *r, lxw_worksheet *ws, lxw_row_t row, const size_t *order, size_t n, lxw_row_t first,
                           lxw_row_t *bfirst)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    row += 2;
    worksheet_write_string(ws, row++, 0, "The NPV chart's bars: the ranking's P10 to NPV and NPV to P90, split at 0", r->f.h);
    static const char *const bh[] = {"Scenario", "Below P10 (+)", "P10 to NPV (+)", "NPV to P90 (+)", "Above P90 (-)",
                                     "P90 to NPV (-)", "NPV to P10 (-)"};
    for (int k = 0; k < 7; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, bh[k], r->f.th);
    *bfirst = ++row;
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
    return row;
}

/* The NPV ranges as floating bars over rows bfirst..blast of bar_table. */
static void npv_chart(rep *r, lxw_worksheet *ws, lxw_row_t bfirst, lxw_row_t blast)
{
    char line[512];
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
}

/* The cumulative cash of n scenarios as lines, over cash_table's rows from
 * qhead on, H quarters. */
static void cash_chart(rep *r, lxw_worksheet *ws, lxw_row_t qhead, size_t n, int H)
{
    char line[512];
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
}

void rep_summary_sheet(rep *r, lxw_worksheet *ws, const char *created)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    size_t n = (size_t)cJSON_GetArraySize(scens);
    size_t *order = cx_calloc(n + 1, sizeof(size_t));
    if (!order) {
        r->oom = 1;
        return;
    }
    ranking(scens, n, order);
    lxw_row_t first, qhead, bfirst;
    lxw_row_t row = ranking_table(r, ws, created, order, n, &first);
    row = portfolio_line(r, ws, row);
    row = key_messages(r, ws, row, order, n);
    row = warnings(r, ws, row);
    row = cash_table(r, ws, row, order, n, &qhead);
    row = bar_table(r, ws, row, order, n, first, &bfirst);
    npv_chart(r, ws, bfirst, row - 1);
    cash_chart(r, ws, qhead, n,
               cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, 0), "quarters")));
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
