/*
 * summary.c - the Summary, the board page: the ranking, the key assumptions,
 * the portfolio, the key messages, the warnings and the two charts.  Every
 * point figure is a formula over the scenario sheets, so an edited input
 * moves the board page; the Monte Carlo figures are the run's values, and a
 * live cell says when the inputs no longer are the ones they came from.
 * The charts' helper table is on the hidden sheet "Chart data".
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

#define LAST_COL 8     /* the ranking's columns: A to I */
#define CHART_COL 10   /* the charts: from column K */
#define IRR_BOUND 1.0  /* IRRs above 100% a year are shown as "> 100%" */

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

/* A sentence across columns A to I, wrapped, its row as tall as it needs. */
static void sentence(rep *r, lxw_worksheet *ws, lxw_row_t row, const char *text)
{
    size_t len = strlen(text), lines = (len + 149) / 150;
    worksheet_merge_range(ws, row, 0, row, LAST_COL, text, r->f.wrap);
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

/* The IRR as the board reads it: "n/a (no outlay)" for cash flows never
 * below 0, "> 100%" above the bound, "none" without one; else the rate
 * (returns NULL). */
static const char *irr_text(const cJSON *sj)
{
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
    int neg = 0;
    for (int q = 0; q < cJSON_GetArraySize(qs); q++)
        neg += num(cJSON_GetArrayItem(qs, q), "cash_flow") < 0;
    double irr = num(sj, "irr");
    if (!neg)
        return "n/a (no outlay)";
    if (!isfinite(irr))
        return "none";
    return irr > IRR_BOUND ? "> 100%" : NULL;
}

/* Scenario sc's line of the ranking at row: its name, then live formulas
 * over its sheet (so) and the simulation's P10, P90 and P(NPV > 0). */
static void ranking_line(rep *r, lxw_worksheet *ws, lxw_row_t row, const cJSON *sc, const sheet_out *so,
                         lxw_format *right)
{
    char f[512], last[8], pb[48];
    const char *sn = so->name;
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sc, "quarters"), *npv = cJSON_GetObjectItemCaseSensitive(sc, "npv");
    int H = cJSON_GetArraySize(qs);
    rep_qcol(H - 1, last, sizeof last);
    worksheet_write_string(ws, row, 0, str(sc, "name"), r->f.text);
    snprintf(f, sizeof f, "='%s'!$C$%u", sn, so->npv + 1);
    rep_formula(ws, row, 1, f, r->f.money, num(npv, "base"));
    rep_put(r, ws, row, 2, num(npv, "p10"), r->f.money);
    rep_put(r, ws, row, 3, num(npv, "p90"), r->f.money);
    snprintf(f, sizeof f, "=IF(COUNTIF('%s'!$C$%u:$%s$%u,\"<0\")=0,\"n/a (no outlay)\",IF(ISNUMBER('%s'!$C$%u),"
             "IF('%s'!$C$%u>%g,\"> 100%%\",'%s'!$C$%u),\"none\"))", sn, so->cf + 1, last, so->cf + 1, sn, so->irr + 1, sn,
             so->irr + 1, IRR_BOUND, sn, so->irr + 1);
    const char *it = irr_text(sc);
    double irr = num(sc, "irr");
    if (it)
        worksheet_write_formula_str(ws, row, 4, f, right, it);
    else
        rep_formula(ws, row, 4, f, right, irr);
    if (it && isfinite(irr) && irr > IRR_BOUND) {
        char note[160];
        snprintf(note, sizeof note, "IRR %.1f%% a year, as simulated: above %.0f%% it is shown as \"> 100%%\", a "
                 "rate that says little more than that the outlay is small against the benefits.", 100 * irr,
                 100 * IRR_BOUND);
        worksheet_write_comment(ws, row, 4, note);
    }
    rep_payback_text(sc, pb, sizeof pb);
    snprintf(f, sizeof f, "='%s'!$C$%u", sn, so->payback + 1);
    worksheet_write_formula_str(ws, row, 5, f, right, pb);
    rep_put(r, ws, row, 6, num(sc, "prob_npv_positive"), r->f.pct);
    double inv = 0;
    for (int q = 0; q < H; q++)
        inv += num(cJSON_GetArrayItem(qs, q), "costs");
    snprintf(f, sizeof f, "=SUM('%s'!$C$%u:$%s$%u)", sn, so->costs + 1, last, so->costs + 1);
    rep_formula(ws, row, 7, f, r->f.money, inv);
    snprintf(f, sizeof f, "='%s'!$%s$%u", sn, last, so->nps + 1);
    rep_formula(ws, row, 8, f, r->f.num2, num(cJSON_GetArrayItem(qs, H - 1), "delta_nps"));
}

/* The title, the checks and the stale-risk flag, and the ranking of the
 * scenarios, best first (r->rank_first its first line).  Returns the next
 * row. */
static lxw_row_t ranking_table(rep *r, lxw_worksheet *ws, const char *created, const size_t *order, size_t n)
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
    /* the master check, and whether the risk figures still belong to the inputs */
    snprintf(line, sizeof line, "=\"Checks: \"&%s", r->master);
    worksheet_write_formula_str(ws, 3, 0, line, r->f.bold, "Checks: OK");
    cx_buf b = {0};
    r->oom |= cx_buf_printf(&b, "=IF(OR(") != CX_OK;
    for (size_t k = 0; k < n; k++) {
        double v = num(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, (int)k), "npv"), "base");
        r->oom |= cx_buf_printf(&b, "%sABS('%s'!$C$%u-(%.17g))>1E-9*MAX(1,ABS(%.17g))", k ? "," : "", r->so[k].name,
                                r->so[k].npv + 1, v, v) != CX_OK;
    }
    r->oom |= cx_buf_printf(&b, "),\"Inputs changed since the simulation: rerun cxcase for the risk figures (P10, "
                            "P90, P(NPV > 0)).\",\"\")") != CX_OK;
    if (!r->oom)
        worksheet_write_formula_str(ws, 3, 2, b.data, r->f.bold, "");
    cx_buf_free(&b);
    lxw_row_t row = 5;
    worksheet_write_string(ws, row++, 0, "Scenarios, best first", r->f.h);
    static const char *const head[] = {"Scenario", "NPV", "NPV P10", "NPV P90", "IRR (a year)", "Payback",
                                       "P(NPV > 0)", "Investment (capex, opex)", "NPS change (points)"};
    for (int k = 0; k <= LAST_COL; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    worksheet_set_row(ws, row, 44, NULL);
    row++;
    r->rank_first = row;
    lxw_format *right = workbook_add_format(r->wb);
    format_set_num_format(right, "0.0%");
    format_set_align(right, LXW_ALIGN_RIGHT);
    for (size_t i = 0; i < n; i++, row++)
        ranking_line(r, ws, row, cJSON_GetArrayItem(scens, (int)order[i]), &r->so[order[i]], right);
    snprintf(line, sizeof line, "NPV, IRR, payback, investment (undiscounted, over the horizon) and the NPS change of the "
             "last quarter are live formulas over the scenario sheets; P10, P90 and P(NPV > 0) are values from the %.0f "
             "draws (seed %.0f). Amounts in %s.", num(root, "draws"), num(root, "seed"), r->currency);
    sentence(r, ws, row++, line);
    return row;
}

/* The revenue a year, over all units, of one more point of NPS: the
 * revenue equation's linear NPS coefficient (coef_name, its defined name)
 * times the units and the periods of a year; NaN without one. */
static double nps_point_value(rep *r, char *coef_name, size_t size, double *per_year)
{
    const cx_plan *p = r->plan;
    if (!p || !r->model || p->v[p->rev].eq < 0)
        return NAN;
    const peq *eq = &p->eq[p->v[p->rev].eq];
    const cx_equation *q = cx_model_equation(r->model, eq->model_eq);
    *per_year = p->H > 0 ? 4.0 * (double)p->T / (double)p->H : 0; /* periods in an average year */
    for (size_t t = 0; t < eq->nt; t++)
        if (eq->t[t].nf == 1 && eq->t[t].linear && eq->t[t].f[0].var == p->nps) {
            char tg[64], tn[160];
            rep_sanitize(cx_equation_target(q), tg, sizeof tg);
            rep_sanitize(cx_equation_coef_name(q, eq->t[t].coef), tn, sizeof tn);
            snprintf(coef_name, size, "coef_%s_%s", tg, tn);
            return cx_equation_coef(q)[eq->t[t].coef] * (double)p->nunits * *per_year;
        }
    return NAN;
}

/* The key assumptions, each a live formula over Inputs and Model.  Returns
 * the next row. */
static lxw_row_t key_assumptions(rep *r, lxw_worksheet *ws, lxw_row_t row)
{
    char line[640], cn[240];
    double d, mg, t, per_year = 0;
    cx_scenario_finance(r->s, &d, &mg, &t);
    row++;
    worksheet_write_string(ws, row++, 0, "Key assumptions", r->f.h);
    struct {
        const char *label, *f, *note;
        double v;
        lxw_format *fmt;
    } a[] = {{"Discount rate", "=fin_discount_rate", "a year, on the cash flows after tax", d, r->f.pct},
             {"Gross margin", "=fin_gross_margin", "of the change in revenue", mg, r->f.pct},
             {"Tax rate", "=fin_tax_rate", "of the change in profit", t, r->f.pct}};
    for (size_t i = 0; i < sizeof a / sizeof a[0]; i++, row++) {
        worksheet_write_string(ws, row, 0, a[i].label, r->f.text);
        rep_formula(ws, row, 1, a[i].f, a[i].fmt, a[i].v);
        snprintf(line, sizeof line, "  %s", a[i].note);
        worksheet_write_string(ws, row, 2, line, r->f.note);
    }
    worksheet_write_string(ws, row, 0, "Horizon", r->f.text);
    snprintf(line, sizeof line, "%d quarters from %s", cx_scenario_horizon(r->s), cx_scenario_start(r->s));
    worksheet_write_formula_str(ws, row, 1, "=fin_horizon&\" quarters from \"&fin_start", r->f.text, line);
    row++;
    worksheet_write_string(ws, row, 0, "Monte Carlo", r->f.text);
    snprintf(line, sizeof line, "%.0f draws, seed %.0f: the risk figures", num(r->root, "draws"), num(r->root, "seed"));
    worksheet_write_string(ws, row++, 1, line, r->f.text);
    double v = nps_point_value(r, cn, sizeof cn, &per_year);
    if (isfinite(v)) {
        worksheet_write_string(ws, row, 0, "One point of NPS", r->f.text);
        snprintf(line, sizeof line, "=%s*%zu*%.17g", cn, r->plan->nunits, per_year);
        rep_formula(ws, row, 1, line, r->f.money, v);
        snprintf(line, sizeof line, "  %s of revenue a year over the %zu units, in the long run (the model's %s, per unit "
                 "and period)", r->currency, r->plan->nunits, cn);
        worksheet_write_string(ws, row++, 2, line, r->f.note);
    }
    return row;
}

/* "id" as the initiative's name (its id when it has none). */
static const char *init_name(const rep *r, const char *id)
{
    for (size_t i = 0; i < r->s->ninit; i++)
        if (strcmp(r->s->init[i].id, id) == 0)
            return r->s->init[i].name && *r->s->init[i].name ? r->s->init[i].name : id;
    return id;
}

/* The recommended portfolio, a sentence under its heading at row + 1, its
 * initiatives by name.  Returns the next row. */
static lxw_row_t portfolio_line(rep *r, lxw_worksheet *ws, lxw_row_t row)
{
    char line[768], a[48], b[48], c[48];
    row++;
    const cJSON *pf = cJSON_GetObjectItemCaseSensitive(r->root, "portfolio");
    worksheet_write_string(ws, row++, 0, "Recommended portfolio", r->f.h);
    if (cJSON_IsObject(pf)) {
        const cJSON *ch = cJSON_GetObjectItemCaseSensitive(pf, "chosen"), *id;
        char ids[512] = "";
        size_t used = 0;
        cJSON_ArrayForEach(id, cJSON_GetObjectItemCaseSensitive(ch, "initiatives"))
            used += (size_t)snprintf(ids + used, used < sizeof ids ? sizeof ids - used : 0, "%s%s", used ? ", " : "",
                                     init_name(r, id->valuestring));
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

/* The key message about the best scenario: what it is worth, or, when no
 * scenario's NPV is above 0, that none pays and what the least costly one
 * loses; then how its payback and IRR read. */
static void best_message(const cJSON *best, char *line, size_t size)
{
    char a[48], b[48], c[48], pb[48];
    const cJSON *bn = cJSON_GetObjectItemCaseSensitive(best, "npv");
    double v = num(bn, "base");
    size_t o;
    if (!(v > 0)) {
        snprintf(line, size, "- No scenario pays back; the least costly, \"%s\", loses %s (NPV between %s and %s in 8 "
                 "of 10 draws).", str(best, "name"), cx_money_text(-v, a, sizeof a), cx_money_text(num(bn, "p10"), b, sizeof b),
                 cx_money_text(num(bn, "p90"), c, sizeof c));
        return;
    }
    o = (size_t)snprintf(line, size, "- \"%s\" is worth most: NPV %s, between %s and %s in 8 of 10 draws.", str(best, "name"),
                         cx_money_text(v, a, sizeof a), cx_money_text(num(bn, "p10"), b, sizeof b),
                         cx_money_text(num(bn, "p90"), c, sizeof c));
    rep_payback_text(best, pb, sizeof pb);
    const char *it = irr_text(best);
    if (o < size && strcmp(pb, "immediately") == 0)
        o += (size_t)snprintf(line + o, size - o, " It is cash-positive from its first quarter%s.",
                              it && strcmp(it, "n/a (no outlay)") == 0 ? " and needs no outlay, so it has no IRR" : "");
    else if (o < size && strncmp(pb, "after ", 6) == 0)
        o += (size_t)snprintf(line + o, size - o, " It does not pay back within the horizon (to %s).", pb + 6);
    else if (o < size)
        o += (size_t)snprintf(line + o, size - o, " It pays back in %s.", pb);
    if (o < size && it && strcmp(it, "> 100%") == 0)
        snprintf(line + o, size - o, " Its IRR is above 100%% a year (%.0f%%): the outlay is small against the benefits.",
                 100 * num(best, "irr"));
}

/* The key messages about the best scenario, the least sure one and the
 * corrections for survey noise.  Returns the next row. */
static lxw_row_t key_messages(rep *r, lxw_worksheet *ws, lxw_row_t row, const size_t *order, size_t n)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    char line[768], a[48];
    row++;
    worksheet_write_string(ws, row++, 0, "Key messages", r->f.h);
    if (!n)
        return row;
    const cJSON *best = cJSON_GetArrayItem(scens, (int)order[0]);
    best_message(best, line, sizeof line);
    sentence(r, ws, row++, line);
    /* the least certain to pay: lowest P(NPV > 0) */
    size_t worst = order[0];
    for (size_t i = 0; i < n; i++)
        if (num(cJSON_GetArrayItem(scens, (int)i), "prob_npv_positive") <
            num(cJSON_GetArrayItem(scens, (int)worst), "prob_npv_positive"))
            worst = i;
    const cJSON *ws_ = cJSON_GetArrayItem(scens, (int)worst);
    if (n > 1 || num(ws_, "prob_npv_positive") < 1) {
        snprintf(line, sizeof line, "- \"%s\" is the least sure to pay: P(NPV > 0) %.0f%%.", str(ws_, "name"),
                 100 * num(ws_, "prob_npv_positive"));
        sentence(r, ws, row++, line);
    }
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
    return survey_correction_message(r, ws, row);
}

/* Whether warning w of scenario sc says what the ranking now says plainly:
 * no IRR or no payback for cash flows that are never below 0. */
static int said_plainly(const cJSON *sc, const char *w)
{
    char pb[48];
    rep_payback_text(sc, pb, sizeof pb);
    if (strcmp(pb, "immediately") != 0)
        return 0;
    return strncmp(w, "payback is not within the horizon", 33) == 0 ||
           (strstr(w, "no internal rate of return") && strcmp(irr_text(sc), "n/a (no outlay)") == 0);
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
            if (said_plainly(sc, w->valuestring))
                continue;
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
        snprintf(line, sizeof line, "- Data and model: %d %s or season effect%s not significant at 5%% (see the Model sheet).",
                 levels, r->unit_word, levels == 1 ? " is" : "s are");
        sentence(r, ws, row++, line);
        any = 1;
    }
    if (!any)
        worksheet_write_string(ws, row++, 0, "None.", r->f.text);
    return row;
}

/* What the drivers are, once and plainly: associations from history, and
 * the metrics the plan takes beyond the levels the data saw.  Returns the
 * next row. */
static lxw_row_t about_drivers(rep *r, lxw_worksheet *ws, lxw_row_t row)
{
    const cx_plan *p = r->plan;
    char line[1024];
    size_t o = (size_t)snprintf(line, sizeof line,
                                "The drivers are associations estimated from history, not the results of experiments: "
                                "the case assumes each metric will move NPS and revenue as it did in the data.");
    int out = 0;
    for (size_t g = 0; p && g < p->neff && o < sizeof line; g++) {
        const pvar *v = &p->v[p->eff_var[g]];
        if (!isfinite(v->lo) || !isfinite(v->hi))
            continue;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t u = 0; u < p->nunits; u++) {
            double x = p->eff[g]->is_target ? p->eff_value[g] : v->base[u] + p->eff_value[g];
            lo = fmin(lo, x);
            hi = fmax(hi, x);
        }
        if (lo >= v->lo && hi <= v->hi)
            continue;
        o += (size_t)snprintf(line + o, sizeof line - o, "%s %s to %.4g..%.4g (the data saw %.4g to %.4g)",
                              out ? ";" : " The plan extrapolates beyond the data for", v->name, lo, hi, v->lo, v->hi);
        out = 1;
    }
    if (o < sizeof line)
        snprintf(line + o, sizeof line - o, "%s", out ? "." : " Every level the plan sets lies within what the data saw.");
    row++;
    worksheet_write_string(ws, row++, 0, "About the drivers", r->f.h);
    sentence(r, ws, row++, line);
    return row;
}

/* The NPV ranges as floating bars, over the hidden sheet "Chart data". */
static void npv_chart(rep *r, lxw_worksheet *ws, size_t n)
{
    char line[512];
    lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_COLUMN_STACKED);
    static const char *const sname[] = {"", "P10 to NPV", "NPV to P90", "", "NPV to P90", "P10 to NPV"};
    static const uint32_t color[] = {0, 0x9DC3E6, 0x2E75B6, 0, 0x2E75B6, 0x9DC3E6};
    lxw_row_t bfirst = 3, blast = 3 + (lxw_row_t)(n ? n - 1 : 0);
    for (int k = 0; k < 6; k++) {
        lxw_chart_series *se = chart_add_series(ch, NULL, NULL);
        chart_series_set_categories(se, "Chart data", bfirst, 0, blast, 0);
        chart_series_set_values(se, "Chart data", bfirst, (lxw_col_t)(1 + k), blast, (lxw_col_t)(1 + k));
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
    chart_axis_set_label_position(ch->x_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    worksheet_insert_chart_opt(ws, 3, CHART_COL, ch, &(lxw_chart_options){.x_scale = 1.25, .y_scale = 1.15});
}

/* The cumulative cash of the scenarios as lines, straight from their
 * sheets, in the ranking's order. */
static void cash_chart(rep *r, lxw_worksheet *ws, const size_t *order, size_t n)
{
    char line[512];
    lxw_chart *cc = workbook_add_chart(r->wb, LXW_CHART_LINE);
    for (size_t i = 0; i < n; i++) {
        const sheet_out *so = &r->so[order[i]];
        lxw_chart_series *se = chart_add_series(cc, NULL, NULL);
        chart_series_set_categories(se, so->name, 3, 2, 3, (lxw_col_t)(1 + so->H));
        chart_series_set_values(se, so->name, so->cum, 2, so->cum, (lxw_col_t)(1 + so->H));
        chart_series_set_name_range(se, "Summary", r->rank_first + (lxw_row_t)i, 0);
    }
    snprintf(line, sizeof line, "Cumulative cash after tax (%s)", r->currency);
    chart_title_set_name(cc, line);
    chart_axis_set_num_font(cc->x_axis, &(lxw_chart_font){.rotation = -45});
    chart_title_set_name_font(cc, &(lxw_chart_font){.size = 11, .bold = LXW_TRUE});
    chart_legend_set_position(cc, LXW_CHART_LEGEND_BOTTOM);
    chart_axis_set_num_format(cc->y_axis, "#,##0");
    chart_axis_set_label_position(cc->x_axis, LXW_CHART_AXIS_LABEL_POSITION_LOW);
    worksheet_insert_chart_opt(ws, 22, CHART_COL, cc, &(lxw_chart_options){.x_scale = 1.25, .y_scale = 1.15});
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
    lxw_row_t row = ranking_table(r, ws, created, order, n);
    row = key_assumptions(r, ws, row);
    row = portfolio_line(r, ws, row);
    row = key_messages(r, ws, row, order, n);
    row = warnings(r, ws, row);
    row = about_drivers(r, ws, row);
    npv_chart(r, ws, n);
    cash_chart(r, ws, order, n);
    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 4, 13, NULL);
    worksheet_set_column(ws, 5, 7, 12, NULL);
    worksheet_set_column(ws, 8, 8, 11, NULL);
    worksheet_set_column(ws, 9, 9, 2, NULL);
    worksheet_set_landscape(ws);
    rep_print_setup(r, ws);
    worksheet_fit_to_pages(ws, 1, 1);
    worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
    worksheet_print_area(ws, 0, 0, row > 44 ? row : 44, CHART_COL + 9);
    cx_free(order);
}

/* The hidden sheet "Chart data": the NPV chart's floating bars from P10 to
 * P90, split at the NPV, as stacked columns (positive and negative parts
 * stack apart, so a range across 0 draws right): formulas over the
 * Summary's ranking. */
void rep_chart_data_sheet(rep *r, lxw_worksheet *ws)
{
    const cJSON *scens = cJSON_GetObjectItemCaseSensitive(r->root, "scenarios");
    size_t n = (size_t)cJSON_GetArraySize(scens);
    size_t *order = cx_calloc(n + 1, sizeof(size_t));
    if (!order) {
        r->oom = 1;
        return;
    }
    ranking(scens, n, order);
    worksheet_write_string(ws, 0, 0, "The Summary's NPV chart: the ranking's P10 to NPV and NPV to P90, split at 0", r->f.h);
    static const char *const bh[] = {"Scenario", "Below P10 (+)", "P10 to NPV (+)", "NPV to P90 (+)", "Above P90 (-)",
                                     "P90 to NPV (-)", "NPV to P10 (-)"};
    for (int k = 0; k < 7; k++)
        worksheet_write_string(ws, 2, (lxw_col_t)k, bh[k], r->f.th);
    lxw_row_t row = 3;
    for (size_t i = 0; i < n; i++, row++) {
        lxw_row_t rr = r->rank_first + (lxw_row_t)i + 1; /* 1-based row of the ranking line */
        const cJSON *npv = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(scens, (int)order[i]), "npv");
        double vb = num(npv, "base"), v10 = num(npv, "p10"), v90 = num(npv, "p90");
        char f[160];
        snprintf(f, sizeof f, "=Summary!A%u", rr);
        worksheet_write_formula_str(ws, row, 0, f, r->f.text, str(cJSON_GetArrayItem(scens, (int)order[i]), "name"));
        const char *fm[6] = {"=MAX(Summary!C%u,0)", "=MAX(Summary!B%u,0)-MAX(Summary!C%u,0)",
                             "=MAX(Summary!D%u,0)-MAX(Summary!B%u,0)", "=MIN(Summary!D%u,0)",
                             "=MIN(Summary!B%u,0)-MIN(Summary!D%u,0)", "=MIN(Summary!C%u,0)-MIN(Summary!B%u,0)"};
        double v[6] = {fmax(v10, 0), approx_sub(fmax(vb, 0), fmax(v10, 0)), approx_sub(fmax(v90, 0), fmax(vb, 0)),
                       fmin(v90, 0), approx_sub(fmin(vb, 0), fmin(v90, 0)), approx_sub(fmin(v10, 0), fmin(vb, 0))};
        for (int k = 0; k < 6; k++) {
            snprintf(f, sizeof f, fm[k], rr, rr);
            worksheet_write_formula_num(ws, row, (lxw_col_t)(1 + k), f, r->f.money, isfinite(v[k]) ? v[k] : 0);
        }
    }
    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 6, 15, NULL);
    worksheet_hide(ws); /* not printed: no print area (LibreOffice prints a hidden sheet's) */
    cx_free(order);
}
