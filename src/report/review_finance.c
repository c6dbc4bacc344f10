/*
 * review_finance.c - the Finance sheet of the review workbook (`cxcase
 * review -o`): the finance part of the review (src/review/reforecast.c)
 * laid out as the scenario sheets lay out a case.  Inputs are named
 * (rev_fin_discount_rate, rev_fin_gross_margin, rev_fin_tax_rate,
 * rev_fin_npv_frozen ...), the timeline runs across the columns, and every
 * derived figure is a live formula with the engine's value cached: the
 * cost variance and the timing per initiative, each quarter's cash flow
 * (gross profit - costs - tax x (gross profit - deductions)), discount
 * factor (1 + r)^(-q/4) and present value, the NPVs, and check rows that
 * show 0.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "review_finance.h"

/* "B5" (relative) or "$B$5" of (row, col), 0-based. */
static const char *cell(lxw_row_t row, lxw_col_t col, int abs, char *buf, size_t size)
{
    char c[4];
    if (col < 26)
        snprintf(c, sizeof c, "%c", 'A' + col);
    else
        snprintf(c, sizeof c, "%c%c", 'A' + col / 26 - 1, 'A' + col % 26);
    snprintf(buf, size, abs ? "$%s$%u" : "%s%u", c, (unsigned)row + 1);
    return buf;
}

/* A named input: label, value, name. */
static void input(lxw_workbook *wb, lxw_worksheet *ws, lxw_row_t row, const char *label, double v, const char *name,
                  lxw_format *fmt, const review_fin_fmt *f)
{
    char a[16], def[64];
    worksheet_write_string(ws, row, 0, label, NULL);
    put(ws, row, 1, v, fmt);
    worksheet_write_string(ws, row, 2, name, f->note);
    snprintf(def, sizeof def, "=Finance!%s", cell(row, 1, 1, a, sizeof a));
    workbook_define_name(wb, name, def);
}

/* The table of initiatives: costs of the quarters reviewed, their variance
 * and the timing as formulas; a total row.  Returns the next free row. */
static lxw_row_t initiatives(lxw_worksheet *ws, lxw_row_t row, const review_fin_fmt *f, const cJSON *fin)
{
    static const char *const head[] = {"Initiative", "Planned capex", "Planned opex", "Actual capex", "Actual opex",
                                       "Cost variance", "Units reached", "Delay (quarters)",
                                       "Planned quarterly benefit", "Timing", "Note"};
    for (lxw_col_t c = 0; c < 11; c++)
        worksheet_write_string(ws, row, c, head[c], f->th);
    lxw_row_t first = ++row;
    char fm[256], a[16], b[16], c[16], d[16];
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(fin, "initiatives")) {
        worksheet_write_string(ws, row, 0, gets(x, "initiative"), NULL);
        static const char *const k[] = {"planned_capex", "planned_opex", "actual_capex", "actual_opex"};
        for (lxw_col_t j = 0; j < 4; j++)
            put(ws, row, 1 + j, get(x, k[j]), f->num);
        snprintf(fm, sizeof fm, "=%s+%s-%s-%s", cell(row, 3, 0, a, sizeof a), cell(row, 4, 0, b, sizeof b),
                 cell(row, 1, 0, c, sizeof c), cell(row, 2, 0, d, sizeof d));
        worksheet_write_formula_num(ws, row, 5, fm, f->num, get(x, "cost_variance"));
        double units = get(x, "units"), reached = get(x, "units_reached");
        put(ws, row, 6, isfinite(reached) && units > 0 ? reached / units : NAN, f->pct);
        put(ws, row, 7, get(x, "delay_quarters"), f->num);
        put(ws, row, 8, get(x, "planned_quarterly_benefit"), f->num);
        if (isfinite(get(x, "timing"))) {
            snprintf(fm, sizeof fm, "=-%s*%s*%s", cell(row, 7, 0, a, sizeof a), cell(row, 6, 0, b, sizeof b),
                     cell(row, 8, 0, c, sizeof c));
            worksheet_write_formula_num(ws, row, 9, fm, f->num, get(x, "timing"));
        } else
            worksheet_write_string(ws, row, 9, "-", NULL);
        const char *note = gets(x, "note");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "costs_given")))
            note = note[0] ? note : "costs as planned (the realised file gives none)";
        if (note[0])
            worksheet_write_string(ws, row, 10, note, f->note);
        row++;
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(fin, "total");
    worksheet_write_string(ws, row, 0, "Total", f->bold);
    double tot[5] = {0, 0, 0, 0, 0};
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(fin, "initiatives")) {
        tot[0] += get(x, "planned_capex"), tot[1] += get(x, "planned_opex");
        tot[2] += get(x, "actual_capex"), tot[3] += get(x, "actual_opex");
    }
    tot[4] = get(t, "cost_variance");
    for (lxw_col_t j = 1; j <= 5; j++) {
        snprintf(fm, sizeof fm, "=SUM(%s:%s)", cell(first, j, 0, a, sizeof a), cell(row - 1, j, 0, b, sizeof b));
        worksheet_write_formula_num(ws, row, j, fm, f->num, row > first ? tot[j - 1] : 0);
    }
    snprintf(fm, sizeof fm, "=SUM(%s:%s)", cell(first, 9, 0, a, sizeof a), cell(row - 1, 9, 0, b, sizeof b));
    worksheet_write_formula_num(ws, row, 9, fm, f->num, get(t, "timing"));
    return row + 2;
}

/* One block of quarterly cash flows (`sfx` "_plan" or ""): the revenue
 * change, costs and deductions as the engine gave them, then the cash flow,
 * discount factor and present value as formulas, and the NPV (the engine's
 * `npv` cached).  *npv_row receives the NPV's row (its value in column B). */
static lxw_row_t flows(lxw_worksheet *ws, lxw_row_t row, lxw_row_t qrow, const review_fin_fmt *f, lxw_format *dff,
                       const cJSON *qs, const char *sfx, double rate, double npv, const char *title,
                       lxw_row_t *npv_row)
{
    char key[48], fm[320], a[16], b[16], c[16], d[16];
    worksheet_write_string(ws, row++, 0, title, f->h);
    static const char *const what[] = {"delta_revenue", "costs", "deduct"};
    static const char *const label[] = {"Revenue change", "Costs (cash)", "Deductions for tax"};
    int H = 0;
    for (int i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "%s%s", what[i], sfx);
        const cJSON *col = cJSON_GetObjectItemCaseSensitive(qs, key);
        H = cJSON_GetArraySize(col);
        worksheet_write_string(ws, row + (lxw_row_t)i, 0, label[i], NULL);
        for (int q = 0; q < H; q++) {
            const cJSON *v = cJSON_GetArrayItem(col, q);
            put(ws, row + (lxw_row_t)i, (lxw_col_t)(1 + q), cJSON_IsNumber(v) ? v->valuedouble : NAN, f->num);
        }
    }
    snprintf(key, sizeof key, "cash_flow%s", sfx);
    const cJSON *cf = cJSON_GetObjectItemCaseSensitive(qs, key);
    lxw_row_t rr = row, rc = row + 1, rd = row + 2, rcf = row + 3, rdf = row + 4, rpv = row + 5;
    worksheet_write_string(ws, rcf, 0, "Cash flow", f->bold);
    worksheet_write_string(ws, rdf, 0, "Discount factor", NULL);
    worksheet_write_string(ws, rpv, 0, "Present value", NULL);
    for (int q = 0; q < H; q++) {
        lxw_col_t k = (lxw_col_t)(1 + q);
        const cJSON *x = cJSON_GetArrayItem(cf, q);
        double v = cJSON_IsNumber(x) ? x->valuedouble : NAN, df = pow(1.0 + rate, -(double)(q + 1) / 4);
        snprintf(fm, sizeof fm, "=rev_fin_gross_margin*%s-%s-rev_fin_tax_rate*(rev_fin_gross_margin*%s-%s)",
                 cell(rr, k, 0, a, sizeof a), cell(rc, k, 0, b, sizeof b), cell(rr, k, 0, c, sizeof c),
                 cell(rd, k, 0, d, sizeof d));
        worksheet_write_formula_num(ws, rcf, k, fm, f->num, v);
        snprintf(fm, sizeof fm, "=(1+rev_fin_discount_rate)^(-%s/4)", cell(qrow, k, 0, a, sizeof a));
        worksheet_write_formula_num(ws, rdf, k, fm, dff, df);
        snprintf(fm, sizeof fm, "=%s*%s", cell(rcf, k, 0, a, sizeof a), cell(rdf, k, 0, b, sizeof b));
        worksheet_write_formula_num(ws, rpv, k, fm, f->num, v * df);
    }
    *npv_row = row + 6;
    worksheet_write_string(ws, *npv_row, 0, "NPV (sum of present values)", f->bold);
    snprintf(fm, sizeof fm, "=SUM(%s:%s)", cell(rpv, 1, 0, a, sizeof a), cell(rpv, (lxw_col_t)H, 0, b, sizeof b));
    worksheet_write_formula_num(ws, *npv_row, 1, fm, f->num, npv);
    return row + 7;
}

/* A check: the live figure at row `live` against the engine's `want`
 * (labelled), and their difference (0).  The difference's row is two below
 * the live figure's, which the recalculation test relies on. */
static lxw_row_t check(lxw_worksheet *ws, lxw_row_t row, lxw_row_t live, const char *what, double want,
                       const char *want_formula, const char *label, const review_fin_fmt *f)
{
    char fm[128], a[16], b[16];
    worksheet_write_string(ws, row, 0, what, NULL);
    if (want_formula)
        worksheet_write_formula_num(ws, row, 1, want_formula, f->num, want);
    else
        worksheet_write_number(ws, row, 1, want, f->num);
    snprintf(fm, sizeof fm, "=%s-%s", cell(live, 1, 0, a, sizeof a), cell(row, 1, 0, b, sizeof b));
    worksheet_write_string(ws, row + 1, 0, label, f->bold);
    worksheet_write_formula_num(ws, row + 1, 1, fm, f->num, 0.0);
    return row + 3;
}

void review_finance_sheet(lxw_workbook *wb, lxw_worksheet *ws, const review_fin_fmt *f, const cJSON *r)
{
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(r, "finance");
    if (!fin)
        return;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(fin, "npv"), *qs = cJSON_GetObjectItemCaseSensitive(fin, "quarters");
    worksheet_set_column(ws, 0, 0, 36, NULL);
    worksheet_set_column(ws, 1, 10, 13, NULL);
    lxw_format *dff = workbook_add_format(wb);
    format_set_num_format(dff, "0.000000");
    char buf[256], fm[256], a[16], b[16];
    snprintf(buf, sizeof buf, "Finance of case %.0f (%s), %s: costs, timing and the NPV re-forecast",
             get(r, "case"), gets(r, "scenario"), gets(r, "quarter"));
    worksheet_write_string(ws, 0, 0, buf, f->title);
    snprintf(buf, sizeof buf, "Costs over the %.0f quarter(s) reviewed; variance = actual - planned (above 0: "
             "overspent). Timing = -delay x units reached x planned quarterly benefit (gross profit).",
             get(fin, "quarters_reviewed"));
    worksheet_write_string(ws, 1, 0, buf, f->note);
    lxw_row_t row = 3;
    worksheet_write_string(ws, row++, 0, "Inputs", f->h);
    input(wb, ws, row++, "Discount rate (annual)", get(fin, "discount_rate"), "rev_fin_discount_rate", f->pct, f);
    input(wb, ws, row++, "Gross margin", get(fin, "gross_margin"), "rev_fin_gross_margin", f->pct, f);
    input(wb, ws, row++, "Tax rate", get(fin, "tax_rate"), "rev_fin_tax_rate", f->pct, f);
    input(wb, ws, row++, "NPV of the frozen case (recorded)", get(n, "frozen"), "rev_fin_npv_frozen", f->num, f);
    row++;
    worksheet_write_string(ws, row++, 0, "Cost variance and timing per initiative", f->h);
    row = initiatives(ws, row, f, fin);
    /* the timeline */
    int H = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(qs, "cash_flow"));
    lxw_row_t qrow = row;
    worksheet_write_string(ws, qrow, 0, "Quarter of the horizon", f->th);
    for (int q = 0; q < H; q++)
        worksheet_write_number(ws, qrow, (lxw_col_t)(1 + q), q + 1, f->th);
    row += 2;
    double rate = get(fin, "discount_rate");
    lxw_row_t np, nr;
    row = flows(ws, row, qrow, f, dff, qs, "_plan", rate, get(n, "plan"), "The plan (the frozen case's cash flows)", &np);
    row = check(ws, row, np, "NPV of the frozen case (recorded)", get(n, "frozen"), "=rev_fin_npv_frozen",
                "Check: live NPV - recorded NPV (0)", f);
    row = flows(ws, row, qrow, f, dff, qs, "", rate, get(n, "reforecast"),
                "The re-forecast (costs booked, delays, share delivered)", &nr);
    row = check(ws, row, nr, "NPV re-forecast (cxcase)", get(n, "reforecast"), NULL,
                "Check: live NPV - cxcase's (0)", f);
    /* the steps from the frozen NPV to the re-forecast */
    worksheet_write_string(ws, row++, 0, "From the frozen NPV to the re-forecast", f->h);
    lxw_row_t s0 = row;
    static const char *const step[] = {"frozen", "costs", "timing", "delivery"};
    static const char *const slabel[] = {"NPV of the frozen case", "Costs booked", "Timing (go-live delays)",
                                         "Delivery (share delivered, units reached)"};
    for (int i = 0; i < 4; i++) {
        worksheet_write_string(ws, row, 0, slabel[i], NULL);
        if (i == 0)
            worksheet_write_formula_num(ws, row, 1, "=rev_fin_npv_frozen", f->num, get(n, "frozen"));
        else
            put(ws, row, 1, get(n, step[i]), f->num);
        row++;
    }
    worksheet_write_string(ws, row, 0, "NPV re-forecast", f->bold);
    snprintf(fm, sizeof fm, "=SUM(%s:%s)", cell(s0, 1, 0, a, sizeof a), cell(row - 1, 1, 0, b, sizeof b));
    worksheet_write_formula_num(ws, row, 1, fm, f->num,
                                get(n, "frozen") + get(n, "costs") + get(n, "timing") + get(n, "delivery"));
    lxw_row_t sum_row = row++;
    snprintf(fm, sizeof fm, "=%s", cell(nr, 1, 0, a, sizeof a));
    row = check(ws, row, sum_row, "NPV re-forecast (the cash flows above)", get(n, "reforecast"), fm,
                "Check: steps - cash flows (0)", f);
    row++;
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(fin, "assumptions"))
        worksheet_write_string(ws, row++, 0, x->valuestring, f->note);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
}
