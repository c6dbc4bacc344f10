/*
 * risk.c - the sheets of the Monte Carlo outputs: Risk (percentiles, fan
 * charts, histograms), Sensitivity (tornado) and Portfolio (the chosen set
 * and the frontier).
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

/* ---- Risk ---------------------------------------------------------------- */

/* Scenario sc's quarterly cash flow after tax, its percentiles over the
 * draws as a table and a full-width fan chart below it.  Returns the next
 * row. */
static lxw_row_t fan(rep *r, lxw_worksheet *ws, lxw_row_t row, const cJSON *sc)
{
    char line[256];
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sc, "quarters");
    int H = cJSON_GetArraySize(qs);
    snprintf(line, sizeof line, "%s: quarterly cash flow after tax (%s), percentiles of the %.0f draws", str(sc, "name"),
             r->currency, num(r->root, "draws"));
    worksheet_write_string(ws, row++, 0, line, r->f.h);
    worksheet_write_string(ws, row, 1, "Percentile", r->f.th);
    for (int q = 0; q < H; q++)
        worksheet_write_string(ws, row, (lxw_col_t)(2 + q), str(cJSON_GetArrayItem(qs, q), "quarter"), r->f.th);
    lxw_row_t head_row = row++;
    static const char *const p[] = {"p5", "p10", "p50", "p90", "p95"};
    static const char *const pn[] = {"P5", "P10", "P50 (median)", "P90", "P95"};
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
                             .width = k == 2 ? 2.5f : 1.75f};
        chart_series_set_line(se, &ln);
    }
    chart_title_set_name(ch, line);
    chart_title_set_name_font(ch, &(lxw_chart_font){.size = 11, .bold = LXW_TRUE});
    chart_axis_set_name(ch->x_axis, "quarter");
    chart_axis_set_name(ch->y_axis, r->currency);
    chart_axis_set_num_font(ch->x_axis, &(lxw_chart_font){.rotation = -45});
    chart_legend_set_position(ch, LXW_CHART_LEGEND_RIGHT);
    chart_axis_set_num_format(ch->y_axis, "#,##0");
    row++;
    worksheet_insert_chart_opt(ws, row, 1, ch, &(lxw_chart_options){.x_scale = 2.0, .y_scale = 1.25});
    return row + 20;
}

/* Scenario sc's NPV over the draws: the histogram's bins and its chart
 * beside them.  Returns the next row. */
static lxw_row_t histogram(rep *r, lxw_worksheet *ws, lxw_row_t row, const cJSON *sc)
{
    char line[256];
    const cJSON *hist = cJSON_GetObjectItemCaseSensitive(sc, "npv_histogram");
    const cJSON *edges = cJSON_GetObjectItemCaseSensitive(hist, "edges"), *counts = cJSON_GetObjectItemCaseSensitive(hist, "counts");
    int nb = cJSON_GetArraySize(counts);
    if (!(nb > 0 && cJSON_GetArraySize(edges) == nb + 1))
        return row;
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
    snprintf(line, sizeof line, "%s: NPV over the draws (%s, bins from)", str(sc, "name"), r->currency);
    chart_title_set_name(hc, line);
    chart_title_set_name_font(hc, &(lxw_chart_font){.size = 11, .bold = LXW_TRUE});
    chart_axis_set_num_format(hc->x_axis, "#,##0");
    chart_axis_set_num_font(hc->x_axis, &(lxw_chart_font){.rotation = -45});
    chart_axis_set_name(hc->y_axis, "draws");
    chart_legend_set_position(hc, LXW_CHART_LEGEND_NONE);
    worksheet_insert_chart_opt(ws, hfirst - 1, 5, hc, &(lxw_chart_options){.x_scale = 1.5, .y_scale = 1.1});
    return row < hfirst + 17 ? hfirst + 17 : row;
}

void rep_risk_sheet(rep *r, lxw_worksheet *ws)
{
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
    /* per scenario: the percentiles of the quarterly cash flow, and the NPV's distribution */
    row++;
    cJSON_ArrayForEach(sc, scens) {
        row = fan(r, ws, row, sc);
        row = histogram(r, ws, row, sc);
        row += 2;
    }
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, 1, 34, NULL);
    worksheet_set_column(ws, 2, 14, 12, NULL);
    worksheet_freeze_panes(ws, 4, 2);
    rep_print_wide(r, ws, row, 14, 1, 0);
}

/* ---- Sensitivity ---------------------------------------------------------- */

/* A tornado line's input in words: "<initiative's name>: change in
 * conversion", "Model: lag(nps, 4) in the revenue equation". */
static void input_words(const rep *r, const cJSON *e, char *out, size_t size)
{
    const char *in = str(e, "input"), *ptr = str(e, "pointer"), *colon = strstr(in, ": ");
    unsigned long i;
    if (strncmp(ptr, "/initiatives/", 13) == 0 && sscanf(ptr + 13, "%lu", &i) == 1 && i < r->s->ninit && colon) {
        const initiative *it = &r->s->init[i];
        snprintf(out, size, "%s: %s", it->name && *it->name ? it->name : it->id, colon + 2);
    } else if (strcmp(str(e, "kind"), "coefficient") == 0 && colon)
        snprintf(out, size, "Model: %s in the %.*s equation", colon + 2, (int)(colon - in), in);
    else
        snprintf(out, size, "%s", in);
}

void rep_sensitivity_sheet(rep *r, lxw_worksheet *ws)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios"), *sc;
    char line[256];
    worksheet_write_string(ws, 0, 0, "Sensitivity: one input at a time at its P10 and P90", r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Every uncertain effect and cost, and every driver coefficient (estimate -/+ t x SE), at "
                           "its P10 and at its P90, and the discount rate, gross margin and tax rate at the low and "
                           "high of their ranges (finance.sensitivity), with everything else at its stated value; "
                           "sorted by the swing of the NPV. Values from the simulation.", r->f.subtitle);
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
            char words[256];
            input_words(r, e, words, sizeof words);
            worksheet_write_string(ws, row, 0, words, r->f.text);
            const char *where = str(e, "pointer");
            worksheet_write_string(ws, row, 1, *where ? where : str(e, "input"), r->f.text);
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
        /* the inputs' names left of the plot, not on the bars */
        chart_axis_set_label_position(ch->y_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
        chart_axis_set_name(ch->x_axis, r->currency);
        chart_legend_set_position(ch, LXW_CHART_LEGEND_BOTTOM);
        double ys = 0.45 + 0.09 * (double)(last - first + 1);
        row++;
        worksheet_insert_chart_opt(ws, row, 0, ch, &(lxw_chart_options){.x_scale = 2.2, .y_scale = ys});
        row += (lxw_row_t)(ys * 288 / 20) + 3;
    }
    worksheet_set_column(ws, 0, 0, 44, NULL);
    worksheet_set_column(ws, 1, 1, 24, NULL);
    worksheet_set_column(ws, 2, 8, 13, NULL);
    rep_print_wide(r, ws, row, 8, 1, 0);
}

/* ---- Portfolio ------------------------------------------------------------ */

void rep_portfolio_sheet(rep *r, lxw_worksheet *ws)
{
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(r->root, "portfolio");
    char line[512], a[48];
    worksheet_write_string(ws, 0, 0, "Portfolio: the best set of initiatives within the budget", r->f.title);
    if (!cJSON_IsObject(pf)) {
        worksheet_write_string(ws, 2, 0, "The scenario file gives no budget, so no portfolio was chosen.", r->f.text);
        rep_print_wide(r, ws, 2, 6, 1, 0);
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
        const char *nm = str(in, "id");
        for (size_t i = 0; i < r->s->ninit; i++)
            if (strcmp(r->s->init[i].id, nm) == 0 && r->s->init[i].name && *r->s->init[i].name)
                nm = r->s->init[i].name;
        worksheet_write_string(ws, row, 0, nm, r->f.text);
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
    worksheet_insert_chart_opt(ws, 3, 6, c, &(lxw_chart_options){.x_scale = 1.2, .y_scale = 1.2});
    worksheet_set_column(ws, 0, 0, 40, NULL);
    worksheet_set_column(ws, 1, 4, 15, NULL);
    rep_print_wide(r, ws, row > 22 ? row : 22, 14, 1, 0);
    worksheet_fit_to_pages(ws, 1, 1);
}
