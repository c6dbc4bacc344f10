/*
 * inputs.c - the Inputs sheet: every assumption of the case and every
 * baseline as a named input cell.
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

/* The baselines from row on: every column's level per unit, from which a
 * change in a non-linear term or to a target level is measured, each a
 * named cell base_<column>_<unit> (r->base_name). */
static lxw_row_t baselines(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_format *inbase)
{
    const cx_scenario *s = r->s;
    char name[160];
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
                r->base_name[v * p->nunits + u] = rep_name_number(r, name, "Inputs", row, (lxw_col_t)(1 + v), p->v[v].base[u]);
            }
        }
        worksheet_write_string(ws, row++, 0, "Each baseline's defined name is base_<column>_<unit>.", r->f.note);
    }
    return row;
}

/* Quarter number n (1: the horizon's first) as a period, "2026Q2", at row
 * `row`, column col, as a formula over fin_start and the number in cell
 * ncol of the row. */
static void period_cell(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_col_t ncol, int n)
{
    char f[320], c[16], text[16];
    const char *start = cx_scenario_start(r->s);
    int y = atoi(start), q = start[0] ? start[strlen(start) - 1] - '0' : 1;
    lxw_rowcol_to_cell(c, row, ncol);
    snprintf(f, sizeof f, "=(VALUE(LEFT(fin_start,4))+INT((VALUE(RIGHT(fin_start,1))+%s-2)/4))&\"Q\"&"
             "(MOD(VALUE(RIGHT(fin_start,1))+%s-2,4)+1)", c, c);
    int k = q + n - 2; /* quarters after the first of the start's year */
    snprintf(text, sizeof text, "%dQ%d", y + (k >= 0 ? k / 4 : (k - 3) / 4), ((k % 4) + 4) % 4 + 1);
    worksheet_write_formula_str(ws, row, col, f, r->f.text, text);
}

/* One uncertain input's line from row: its distribution's parameters as
 * named inputs in_<id>_<e|c><k>_<parameter>.  Returns the next row. */
static lxw_row_t dist_line(rep *r, lxw_worksheet *ws, lxw_row_t row, const char *who, const char *item, const char *nm,
                           const dist *d, lxw_format *in)
{
    static const char *const dname[] = {"", "normal", "lognormal", "uniform", "triangular", "pert"};
    static const char *const pname[] = {"sd", "sd_log", "min", "mode", "max"};
    const double pv[] = {d->sd, d->sd_log, d->min, d->mode, d->max};
    static const unsigned char uses[][5] = {{0}, {1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {0, 0, 1, 0, 1}, {0, 0, 1, 1, 1},
                                            {0, 0, 1, 1, 1}};
    char name[200];
    if (d->kind == D_NONE)
        return row;
    worksheet_write_string(ws, row, 0, who, r->f.text);
    worksheet_write_string(ws, row, 1, item, r->f.text);
    worksheet_write_string(ws, row, 2, dname[d->kind], r->f.text);
    for (int k = 0; k < 5; k++)
        if (uses[d->kind][k] && isfinite(pv[k])) {
            worksheet_write_number(ws, row, (lxw_col_t)(3 + k), pv[k], in);
            snprintf(name, sizeof name, "%s_%s", nm, pname[k]);
            rep_name_number(r, name, "Inputs", row, (lxw_col_t)(3 + k), pv[k]);
        }
    worksheet_write_string(ws, row, 8, nm, r->f.text);
    return row + 1;
}

/* The uncertainty behind the risk figures: every distribution with its
 * parameters and every rank correlation, as named input cells (the
 * simulation's inputs; the formulas do not use them).  Returns the next
 * row. */
static lxw_row_t uncertainty(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_format *in)
{
    const cx_scenario *s = r->s;
    char id[96], item[32], nm[160];
    row++;
    worksheet_write_string(ws, row++, 0, "Uncertainty: the distributions and correlations of the Monte Carlo draws", r->f.h);
    static const char *const head[] = {"Initiative", "Item", "Distribution", "SD", "SD of the log", "Min", "Mode", "Max",
                                       "Names: <this>_<parameter>"};
    for (int k = 0; k < 9; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    row++;
    for (size_t i = 0; i < s->ninit; i++) {
        const initiative *it = &s->init[i];
        rep_sanitize(it->id, id, sizeof id);
        for (size_t k = 0; k < it->neff; k++) {
            snprintf(item, sizeof item, "effect %zu", k + 1);
            snprintf(nm, sizeof nm, "in_%s_e%zu", id, k + 1);
            row = dist_line(r, ws, row, it->id, item, nm, &it->eff[k].u, in);
        }
        for (size_t k = 0; k < it->ncost; k++) {
            snprintf(item, sizeof item, "cost %zu", k + 1);
            snprintf(nm, sizeof nm, "in_%s_c%zu", id, k + 1);
            row = dist_line(r, ws, row, it->id, item, nm, &it->cost[k].u, in);
        }
    }
    worksheet_write_string(ws, row++, 0, "Normal: around the value, SD; lognormal: median the value, SD of its log; "
                           "uniform, triangular and PERT: on [min, max], mode the peak.", r->f.note);
    if (!s->ncorr)
        return row;
    row++;
    static const char *const h2[] = {"Input", "With", "Rank correlation", "Name"};
    for (int k = 0; k < 4; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, h2[k], r->f.th);
    row++;
    for (size_t c = 0; c < s->ncorr; c++, row++) {
        const input_ref *ab[2] = {&s->corr[c].a, &s->corr[c].b};
        for (int j = 0; j < 2; j++) {
            snprintf(nm, sizeof nm, "%s, %s %zu", s->init[ab[j]->init].id, ab[j]->is_cost ? "cost" : "effect", ab[j]->k + 1);
            worksheet_write_string(ws, row, (lxw_col_t)j, nm, r->f.text);
        }
        worksheet_write_number(ws, row, 2, s->corr[c].rank, in);
        snprintf(nm, sizeof nm, "in_corr_%zu", c + 1);
        worksheet_write_string(ws, row, 3, nm, r->f.text);
        rep_name_number(r, nm, "Inputs", row, 2, s->corr[c].rank);
    }
    return row;
}

/* The effects' fading from row on: each effect's decay a quarter after its
 * ramp and its duration, named in_<id>_e<k>_decay and _duration (0: it
 * lasts to the end of the horizon).  Returns the next row. */
static lxw_row_t fading(rep *r, lxw_worksheet *ws, lxw_row_t row, lxw_format *in)
{
    const cx_scenario *s = r->s;
    char name[320], id[96], line[64];
    lxw_format *inpct = workbook_add_format(r->wb);
    format_set_bg_color(inpct, 0xFFF2CC);
    format_set_font_color(inpct, 0x0000FF);
    format_set_border(inpct, LXW_BORDER_THIN);
    format_set_border_color(inpct, 0xBFBFBF);
    format_set_num_format(inpct, "0.0%");
    worksheet_write_string(ws, row++, 0, "Effects that fade", r->f.h);
    static const char *const head[] = {"Initiative", "Item", "Metric", "Decay (a quarter after the ramp)",
                                       "Duration (quarters; 0: to the end)", "Names"};
    for (int k = 0; k < 6; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    row++;
    for (size_t i = 0; i < s->ninit; i++) {
        const initiative *it = &s->init[i];
        rep_sanitize(it->id, id, sizeof id);
        for (size_t k = 0; k < it->neff; k++, row++) {
            const effect *e = &it->eff[k];
            worksheet_write_string(ws, row, 0, it->id, r->f.text);
            snprintf(line, sizeof line, "effect %zu", k + 1);
            worksheet_write_string(ws, row, 1, line, r->f.text);
            worksheet_write_string(ws, row, 2, e->metric, r->f.text);
            worksheet_write_number(ws, row, 3, e->decay, inpct);
            worksheet_write_number(ws, row, 4, e->duration, in);
            snprintf(name, sizeof name, "in_%s_e%zu_decay", id, k + 1);
            rep_name_cell(r, name, "Inputs", row, 3);
            snprintf(name, sizeof name, "in_%s_e%zu_decay, in_%s_e%zu_duration", id, k + 1, id, k + 1);
            worksheet_write_string(ws, row, 5, name, r->f.text);
            snprintf(name, sizeof name, "in_%s_e%zu_duration", id, k + 1);
            rep_name_cell(r, name, "Inputs", row, 4);
        }
    }
    return row + 1;
}

void rep_inputs_sheet(rep *r, lxw_worksheet *ws)
{
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
               {"Tax rate", "of the profit", "fin_tax_rate", tax, inpct},
               {"Depreciation of capex for tax", "years (0: expensed)", "fin_depreciation_years", s->dep_years, in},
               {"Opex indexation", "a year", "fin_indexation", s->indexation, inpct},
               {"Fiscal year starts", "month (1, 4, 7, 10)", "fin_fiscal_year_start", s->fy_start, in}};
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
        rep_name_number(r, fin[i].name, "Inputs", row, 1, fin[i].v);
    }
    if (!isnan(s->budget)) {
        worksheet_write_string(ws, row, 0, "Budget", r->f.text);
        worksheet_write_number(ws, row, 1, s->budget, inmoney);
        worksheet_write_string(ws, row, 2, r->currency, r->f.text);
        worksheet_write_string(ws, row, 3, "fin_budget", r->f.text);
        rep_name_number(r, "fin_budget", "Inputs", row++, 1, s->budget);
    }
    row++;
    worksheet_write_string(ws, row++, 0, "Initiatives: effects and costs", r->f.h);
    static const char *const h2[] = {"Initiative", "Item", "Metric or kind", "Value", "Unit", "Start (quarter no.)",
                                     "Ramp (quarters)", "To (quarter no.)", "Uncertainty", "Name of the value",
                                     "Start", "To"};
    for (int k = 0; k < 12; k++)
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
            rep_name_number(r, name, "Inputs", row, 3, e->value);
            snprintf(name, sizeof name, "in_%s_e%zu_start", id, k + 1);
            rep_name_number(r, name, "Inputs", row, 5, e->start + 1);
            snprintf(name, sizeof name, "in_%s_e%zu_ramp", id, k + 1);
            rep_name_number(r, name, "Inputs", row, 6, e->ramp);
            period_cell(r, ws, row, 10, 5, e->start + 1);
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
            rep_name_number(r, name, "Inputs", row, 3, c->amount);
            snprintf(name, sizeof name, "in_%s_c%zu_from", id, k + 1);
            rep_name_number(r, name, "Inputs", row, 5, c->from + 1);
            snprintf(name, sizeof name, "in_%s_c%zu_to", id, k + 1);
            rep_name_number(r, name, "Inputs", row, 7, c->to + 1);
            period_cell(r, ws, row, 10, 5, c->from + 1);
            period_cell(r, ws, row, 11, 7, c->to + 1);
        }
    }
    row = uncertainty(r, ws, row, in);
    row++;
    row = fading(r, ws, row, in);
    row = baselines(r, ws, row, inbase);
    worksheet_set_column(ws, 0, 0, 26, NULL);
    worksheet_set_column(ws, 1, 1, 12, NULL);
    worksheet_set_column(ws, 2, 2, 22, NULL);
    worksheet_set_column(ws, 3, 8, 14, NULL);
    worksheet_set_column(ws, 9, 9, 36, NULL);
    if (r->plan && r->plan->nv > 9)
        worksheet_set_column(ws, 10, (lxw_col_t)r->plan->nv, 14, NULL);
    worksheet_set_column(ws, 10, 11, 9, NULL);
    worksheet_freeze_panes(ws, 3, 0);
    lxw_col_t lastcol = 11;
    if (r->plan && r->plan->nv > lastcol)
        lastcol = (lxw_col_t)r->plan->nv;
    rep_print_wide(r, ws, row, lastcol, 1, 0);
}
