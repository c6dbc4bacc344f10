/*
 * model_sheet.c - the workbook's Model sheet: per equation its
 * coefficients as fitted (or fixed by assumption), with the drivers'
 * coefficients named for the live calculations; the fit statistics; for a
 * corrected equation the naive estimates beside the corrected ones with the
 * reliability of each survey-measured term, for a survey-measured target
 * tau^2; the warnings and the drivers' importance chart.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report_sheet.h"

/* A corrected equation: the naive estimate beside the corrected one for
 * each term measured with error, with its reliability; or, for a
 * survey-measured target, tau^2.  Advances *row. */
static void survey_block(rep *r, lxw_worksheet *ws, const cx_equation *q, lxw_row_t *row)
{
    char line[512];
    const char *method = cx_equation_method(q);
    if (strcmp(method, "reml") == 0) {
        snprintf(line, sizeof line,
                 "Survey-measured target: random-effects meta-regression, weights 1/(tau2 + SE^2) with tau2 = "
                 "%.4g (SE %.3g) by REML, the true variation of %s beyond the survey's sampling error; tests "
                 "on the normal distribution, as metafor::rma.",
                 cx_equation_stat(q, CX_STAT_TAU2), cx_equation_stat(q, CX_STAT_TAU2_SE), cx_equation_target(q));
        worksheet_write_string(ws, (*row)++, 0, line, r->f.note);
        return;
    }
    if (strcmp(method, "eiv") != 0 || !cx_equation_nme(q))
        return;
    snprintf(line, sizeof line,
             "Corrected for survey error (errors-in-variables, Fuller 1987): a survey score is an estimate, and "
             "least squares on it understates its effect by its reliability. Standard errors: %s sandwich.",
             cx_equation_se_kind(q) == CX_SE_CLUSTER ? "clustered by unit" : "HC1");
    worksheet_write_string(ws, (*row)++, 0, line, r->f.note);
    static const char *const head[] = {"Term measured with error", "Naive coefficient", "Naive SE",
                                       "Corrected coefficient", "Corrected SE", "Reliability",
                                       "Mean error variance", "Correction", "Standard errors from"};
    for (int k = 0; k < 9; k++)
        worksheet_write_string(ws, *row, (lxw_col_t)k, head[k], r->f.th);
    worksheet_set_row(ws, (*row)++, 30, NULL);
    const double *nc = cx_equation_naive_coef(q), *ns = cx_equation_naive_se(q);
    lxw_format *f = workbook_add_format(r->wb);
    format_set_num_format(f, "#,##0.0###");
    for (size_t k = 0; k < cx_equation_nme(q); k++, (*row)++) {
        const char *col, *se;
        double rel, ev;
        const char *term = cx_equation_me(q, k, &col, &se, &rel, &ev);
        size_t j = cx_equation_coef_index(q, term);
        if (j == cx_equation_ncoef(q))
            continue;
        double c = cx_equation_coef(q)[j], n = nc ? nc[j] : NAN;
        worksheet_write_string(ws, *row, 0, term, r->f.text);
        rep_put(r, ws, *row, 1, n, f);
        rep_put(r, ws, *row, 2, ns ? ns[j] : NAN, f);
        rep_put(r, ws, *row, 3, c, f);
        rep_put(r, ws, *row, 4, cx_equation_se(q)[j], f);
        rep_put(r, ws, *row, 5, rel, r->f.pct);
        rep_put(r, ws, *row, 6, ev, f);
        rep_put(r, ws, *row, 7, n != 0 ? c / n - 1 : NAN, r->f.pct);
        worksheet_write_string(ws, *row, 8, se, r->f.text);
    }
}

/* Two estimates of what a point of NPS is worth: the customers' (cxcase link)
 * and the model's, with their intervals, the difference and a sentence. */
static void triangulation_block(rep *r, lxw_worksheet *ws, const cx_model *m, lxw_row_t row)
{
    cx_link_triangulation t;
    char sentence[1024], line[256];
    cx_error err;
    cx_error_init(&err);
    worksheet_write_string(ws, row++, 0, "The value of a point of NPS, two ways", r->f.h);
    if (cx_link_triangulate(r->link, m, NULL, &t, sentence, sizeof sentence, &err) != CX_OK) {
        worksheet_write_string(ws, row, 0, err.message, r->f.note);
        return;
    }
    static const char *const head[] = {"Estimate", "Value", "SE", "95% low", "95% high"};
    for (int k = 0; k < 5; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    row++;
    const cx_link_economics *ec = cx_link_economics_get(r->link);
    char cust[160], panel[160];
    snprintf(cust, sizeof cust, "Customers: %zu customers' spend, per unit and period (%zu units, %g periods a year)",
             ec->base, ec->units, ec->periods_per_year);
    snprintf(panel, sizeof panel, "Panel: '%s' in the %s equation", t.term, t.target);
    const char *label[3] = {cust, panel, "Difference (customers - panel)"};
    const cx_link_est *e[3] = {&t.customer, &t.panel, &t.diff};
    for (int k = 0; k < 3; k++, row++) {
        worksheet_write_string(ws, row, 0, label[k], r->f.text);
        rep_put(r, ws, row, 1, e[k]->est, r->f.money);
        rep_put(r, ws, row, 2, e[k]->se, r->f.money);
        rep_put(r, ws, row, 3, e[k]->low, r->f.money);
        rep_put(r, ws, row, 4, e[k]->high, r->f.money);
    }
    worksheet_write_string(ws, row++, 0, sentence, r->f.note);
    snprintf(line, sizeof line, "Agree within their uncertainty: %s", t.agree ? "yes" : "no");
    worksheet_write_string(ws, row, 0, line, r->f.bold);
}

void rep_model_sheet(rep *r, lxw_worksheet *ws, const cx_model *m)
{
    char name[256], term[160], line[256];
    worksheet_write_string(ws, 0, 0, "Model: how the metrics drive NPS and revenue", r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Each equation's coefficients as fitted (or fixed by assumption); the drivers' coefficients "
                           "have defined names that the calculations use.", r->f.subtitle);
    lxw_row_t row = 3;
    for (size_t e = 0; e < cx_model_nequations(m); e++) {
        const cx_equation *q = cx_model_equation(m, e);
        const char *target = cx_equation_target(q);
        snprintf(line, sizeof line, "Equation for %s (%s): R2 %.3f, adjusted %.3f, %.0f rows, residual SE %.4g",
                 target, cx_equation_method(q), cx_equation_stat(q, CX_STAT_R2),
                 cx_equation_stat(q, CX_STAT_ADJ_R2), cx_equation_stat(q, CX_STAT_N),
                 cx_equation_stat(q, CX_STAT_SIGMA));
        worksheet_write_string(ws, row++, 0, line, r->f.h);
        static const char *const head[] = {"Term", "Coefficient", "SE", "t", "p", "95% low", "95% high", "VIF",
                                           "Importance (share of R2)", "Name"};
        for (int k = 0; k < 10; k++)
            worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
        worksheet_set_row(ws, row, 30, NULL);
        lxw_row_t first = ++row;
        const double *coef = cx_equation_coef(q), *se = cx_equation_se(q), *t = cx_equation_t(q),
                     *pv = cx_equation_p(q), *lo = cx_equation_ci_low(q), *hi = cx_equation_ci_high(q),
                     *vif = cx_equation_vif(q), *imp = cx_equation_importance(q);
        size_t nimp = 0;
        for (size_t j = 0; j < cx_equation_ncoef(q); j++, row++) {
            const char *tn = cx_equation_coef_name(q, j);
            worksheet_write_string(ws, row, 0, tn, r->f.text);
            rep_put(r, ws, row, 1, coef[j], rep_sig(r, coef[j]));
            rep_put(r, ws, row, 2, se[j], rep_sig(r, se[j]));
            rep_put(r, ws, row, 3, t[j], rep_sig(r, t[j]));
            rep_put(r, ws, row, 4, pv[j], rep_sig(r, pv[j]));
            rep_put(r, ws, row, 5, lo[j], rep_sig(r, lo[j]));
            rep_put(r, ws, row, 6, hi[j], rep_sig(r, hi[j]));
            rep_put(r, ws, row, 7, vif[j], rep_sig(r, vif[j]));
            rep_put(r, ws, row, 8, imp[j], r->f.pct);
            if (isfinite(imp[j]))
                nimp++;
            if (strcmp(tn, "(Intercept)") != 0 && strncmp(tn, "C(", 2) != 0) {
                rep_sanitize(tn, term, sizeof term);
                char tg[64];
                rep_sanitize(target, tg, sizeof tg);
                snprintf(name, sizeof name, "coef_%s_%s", tg, term);
                worksheet_write_string(ws, row, 9, name, r->f.text);
                rep_name_number(r, name, "Model", row, 1, coef[j]);
            }
        }
        lxw_row_t last = row - 1;
        row++;
        survey_block(r, ws, q, &row);
        const cx_warnings *w = cx_equation_warnings(q);
        for (size_t i = 0; i < cx_warnings_count(w); i++) {
            snprintf(line, sizeof line, "- %s", cx_warnings_get(w, i));
            worksheet_write_string(ws, row++, 0, line, r->f.note);
        }
        if (nimp) {
            lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_BAR);
            lxw_chart_series *sr = chart_add_series(ch, NULL, NULL);
            chart_series_set_categories(sr, "Model", first, 0, last, 0);
            chart_series_set_values(sr, "Model", first, 8, last, 8);
            snprintf(line, sizeof line, "%s: drivers' share of R2", target);
            chart_title_set_name(ch, line);
            chart_title_set_name_font(ch, &(lxw_chart_font){.size = 10, .bold = LXW_TRUE});
            chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
            chart_axis_set_num_format(ch->x_axis, "0%");
            chart_axis_set_reverse(ch->y_axis);
            chart_show_blanks_as(ch, LXW_CHART_BLANKS_AS_GAP);
            worksheet_insert_chart_opt(ws, first - 1, 11, ch, &(lxw_chart_options){.x_scale = 0.9, .y_scale = 0.8});
        }
        row += 2;
        if (row < first + 16)
            row = first + 16;
    }
    if (r->link)
        triangulation_block(r, ws, m, row);
    worksheet_set_column(ws, 0, 0, 28, NULL);
    worksheet_set_column(ws, 1, 8, 12, NULL);
    worksheet_set_column(ws, 9, 9, 34, NULL);
    rep_print_wide(r, ws, row, 18, 1, 0);
}

