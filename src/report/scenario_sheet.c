/*
 * scenario_sheet.c - one sheet per scenario: its quarters as live formulas
 * over Inputs and Model, from the ramp shares to the NPV.
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

/* What the parts of a scenario sheet share: the scenario, its formats and
 * the rows of the lines that later lines refer to (0-based). */
typedef struct ssheet {
    rep *r;
    lxw_worksheet *ws;
    size_t k;                 /* the scenario's index */
    const cJSON *sj, *qs;     /* its result, and the result's quarters */
    int H;                    /* quarters in the horizon */
    const cx_plan *plan;
    const cx_model *m;
    const size_t *list;       /* its initiatives, n of them */
    size_t n;
    lxw_format *fmt_share, *fmt_int, *fmt_small, *fmt_total;
    lxw_row_t hrow, qrow, wrow, urow; /* the quarters' names, numbers, weeks and the units */
    lxw_row_t *chg_row, *share_of;    /* per effect of the plan: its change, its ramp share */
    lxw_row_t rev_row;                /* the change in revenue */
    lxw_row_t gp_row, costs_row, cf_row, qr_row, pv_row, cum_row, flag_row;
    lxw_row_t df_row, capex_row, dep_row, tax_row;  /* discount factors, capex, depreciation and tax */
    lxw_row_t *cost_row, *cdep_row; /* per cost of the scenario (initiatives in order): its line, its depreciation */
    lxw_row_t *path_row;            /* per path of a linear scenario: its line */
    double *path_val;               /* per path and quarter: its stored value */
    sheet_out *so;                  /* where its results are */
} ssheet;

/* The title, the quarters and the timeline.  Returns the next row. */
static lxw_row_t timeline(ssheet *x)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cJSON *qs = x->qs;
    int H = x->H;
    char f[64], p[8], line[256];
    snprintf(line, sizeof line, "%s: the quarters, as formulas", str(x->sj, "name"));
    worksheet_write_string(ws, 0, 0, line, r->f.title);
    worksheet_write_string(ws, 1, 0,
                           "Every line is a formula over Inputs and Model (defined names) and the lines above; its "
                           "stored value is the engine's. Change an input and the case recomputes.", r->f.subtitle);
    lxw_row_t row = 3;
    worksheet_write_string(ws, row, 0, "Line", r->f.th);
    worksheet_write_string(ws, row, 1, "Unit", r->f.th);
    for (int q = 0; q < H; q++)
        worksheet_write_string(ws, row, (lxw_col_t)(2 + q), str(cJSON_GetArrayItem(qs, q), "quarter"), r->f.th);
    x->hrow = row++;
    /* the timeline */
    x->qrow = row;
    worksheet_write_string(ws, row, 0, "Quarter number", r->f.text);
    for (int q = 0; q < H; q++) {
        if (q == 0)
            worksheet_write_number(ws, row, 2, 1, x->fmt_int);
        else {
            rep_qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=%s%u+1", p, row + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, x->fmt_int, q + 1);
        }
    }
    row++;
    x->wrow = row;
    char label[128];
    snprintf(label, sizeof label, "%c%s in the quarter (periods of the data)", toupper((unsigned char)r->per_many[0]),
             r->per_many + 1);
    worksheet_write_string(ws, row, 0, label, r->f.text);
    worksheet_write_string(ws, row, 1, "periods", r->f.text);
    for (int q = 0; q < H; q++)
        worksheet_write_number(ws, row, (lxw_col_t)(2 + q), (double)cx_plan_quarter_periods(x->plan, q), x->fmt_int);
    row++;
    x->urow = row;
    snprintf(label, sizeof label, "Units (%s)", r->unit_word);
    worksheet_write_string(ws, row, 0, label, r->f.text);
    worksheet_write_number(ws, row, 2, (double)cx_plan_nunits(x->plan), x->fmt_int);
    return row + 2;
}

/* The share of effect k of initiative `id` reached in the quarter of
 * column c (its number in row qrow, 0-based): the ramp share, times
 * (1 - decay)^(quarters after the first at full effect), 0 from
 * start + duration on (cx_effect_share). */
static void share_formula(char *f, size_t size, const char *c, lxw_row_t qrow, const char *id, size_t k)
{
    char q[16], e[128];
    snprintf(q, sizeof q, "%s$%u", c, qrow + 1);
    snprintf(e, sizeof e, "in_%s_e%zu", id, k);
    snprintf(f, size,
             "=IF(OR(%s<%s_start,AND(%s_duration>0,%s>=%s_start+%s_duration)),0,"
             "IF(%s_ramp=0,1,MIN(1,(%s-%s_start+1)/%s_ramp))*(1-%s_decay)^MAX(0,%s-%s_start-MAX(%s_ramp,1)+1))",
             q, e, e, q, e, e, e, q, e, e, e, q, e, e);
}

/* The effects of the scenario's initiatives: ramp share and change per
 * quarter, their rows in x->share_of and x->chg_row.  Returns the next
 * row. */
static lxw_row_t effect_lines(ssheet *x, lxw_row_t row, const unit_out *uo)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cx_scenario *s = r->s;
    int H = x->H;
    char f[2048], c[8], line[256], id[96];
    size_t neff = cx_plan_neffects(x->plan);
    worksheet_write_string(ws, row++, 0, "Metrics", r->f.h);
    for (size_t g = 0; g < neff; g++) {
        input_ref ref = cx_plan_effect_ref(x->plan, g);
        int mine = 0;
        for (size_t i = 0; i < x->n; i++)
            mine |= x->list[i] == ref.init;
        if (!mine)
            continue;
        const initiative *it = &s->init[ref.init];
        const effect *e = &it->eff[ref.k];
        rep_sanitize(it->id, id, sizeof id);
        snprintf(line, sizeof line, "Ramp share: %s, %s", it->id, e->metric);
        worksheet_write_string(ws, row, 0, line, r->f.text);
        worksheet_write_string(ws, row, 1, "share", r->f.text);
        for (int q = 0; q < H; q++) {
            rep_qcol(q, c, sizeof c);
            share_formula(f, sizeof f, c, x->qrow, id, ref.k + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, x->fmt_share, cx_effect_share(e, q));
        }
        lxw_row_t share_row = row++;
        x->share_of[g] = share_row;
        snprintf(line, sizeof line, "Change in %s: %s%s", e->metric, it->id, e->is_target ? " (to a target level)" : "");
        worksheet_write_string(ws, row, 0, line, r->f.text);
        worksheet_write_string(ws, row, 1, e->metric, r->f.text);
        for (int q = 0; q < H && !e->is_target; q++) {
            rep_qcol(q, c, sizeof c);
            snprintf(f, sizeof f, "=in_%s_e%zu_value*%s%u", id, ref.k + 1, c, share_row + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.num2, e->value * cx_effect_share(e, q));
        }
        if (e->is_target) {
            snprintf(line, sizeof line, "differs per unit (the target minus the unit's baseline): see sheet %s",
                     uo ? uo->name : "U");
            worksheet_write_string(ws, row, 2, line, r->f.note);
        }
        x->chg_row[g] = row++;
    }
    return row + 1;
}

/* The calendar of the lags: for each lag of the paths, the weeks of a
 * quarter whose week `lag` earlier lies b quarters back. */
typedef struct lag_cal {
    size_t lags[64], nl;
    lxw_row_t row[64][8];
    int back[64]; /* quarters back with such weeks, per lag */
} lag_cal;

/* The lag calendar's lines from row on.  Returns the next row. */
static lxw_row_t lag_lines(ssheet *x, lxw_row_t row, const ppath *paths, size_t np, lag_cal *lc)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    int H = x->H;
    char line[256];
    lc->nl = 0;
    for (size_t i = 0; i < np; i++) {
        size_t L = paths[i].lag, j = 0;
        while (j < lc->nl && lc->lags[j] != L)
            j++;
        if (j == lc->nl && lc->nl < 64)
            lc->lags[lc->nl++] = L;
    }
    for (size_t j = 0; j < lc->nl; j++) {
        lc->back[j] = 0;
        for (int b = 0; b < 8 && b < H; b++) {
            size_t tot = 0;
            for (int q = 0; q < H; q++)
                tot += cx_plan_lag_periods(x->plan, lc->lags[j], q, b);
            if (!tot && b > 0)
                break;
            snprintf(line, sizeof line, "%c%s whose %s %zu earlier is %d quarter%s back",
                     toupper((unsigned char)r->per_many[0]), r->per_many + 1, r->per_one, lc->lags[j], b, b == 1 ? "" : "s");
            worksheet_write_string(ws, row, 0, line, r->f.text);
            worksheet_write_string(ws, row, 1, "periods", r->f.text);
            for (int q = 0; q < H; q++)
                worksheet_write_number(ws, row, (lxw_col_t)(2 + q), (double)cx_plan_lag_periods(x->plan, lc->lags[j], q, b),
                                       x->fmt_int);
            lc->row[j][b] = row;
            row++;
            lc->back[j] = b + 1;
        }
    }
    return row;
}

/* Path pa's line at row (path number j_path): its effect through the chain of coefficients to
 * NPS (the mean over the units and weeks) or revenue (summed), lagged. */
static void path_line(ssheet *x, lxw_row_t row, const ppath *pa, size_t j_path, const lag_cal *lc)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cx_plan *plan = x->plan;
    int H = x->H, out = pa->revenue;
    char f[2048], c[8], line[256];
    input_ref ref = cx_plan_effect_ref(plan, pa->eff);
    const initiative *it = &r->s->init[ref.init];
    const effect *e = &it->eff[ref.k];
    char chain[512] = "", coefs[1024] = "";
    size_t used = 0, cu = 0;
    double prod = 1;
    for (size_t j = 0; j < pa->n; j++) {
        const cx_equation *q = cx_model_equation(x->m, pa->eq[j]);
        char tg[64], tn[160];
        rep_sanitize(cx_equation_target(q), tg, sizeof tg);
        rep_sanitize(cx_equation_coef_name(q, pa->coef[j]), tn, sizeof tn);
        cu += (size_t)snprintf(coefs + cu, cu < sizeof coefs ? sizeof coefs - cu : 0, "coef_%s_%s*", tg, tn);
        used += (size_t)snprintf(chain + used, used < sizeof chain ? sizeof chain - used : 0, "%s%s",
                                 j ? " -> " : "", cx_equation_coef_name(q, pa->coef[j]));
        prod *= cx_equation_coef(q)[pa->coef[j]];
    }
    snprintf(line, sizeof line, "%s from %s (%s): %s", out ? "Revenue" : "NPS", e->metric, it->id,
             pa->n ? chain : "direct");
    worksheet_write_string(ws, row, 0, line, r->f.text);
    worksheet_write_string(ws, row, 1, out ? r->currency : "points", r->f.text);
    size_t lj = 0;
    while (lj < lc->nl && lc->lags[lj] != pa->lag)
        lj++;
    for (int q = 0; q < H; q++) {
        size_t fo = (size_t)snprintf(f, sizeof f, "=%s(", coefs);
        double w = 0;
        int terms = 0;
        for (int b = 0; b < lc->back[lj] && b <= q; b++) {
            char cb[8];
            rep_qcol(q, c, sizeof c);
            rep_qcol(q - b, cb, sizeof cb);
            fo += (size_t)snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, "%s%s%u*%s%u", terms ? "+" : "", c,
                                   lc->row[lj][b] + 1, cb, x->chg_row[pa->eff] + 1);
            w += (double)cx_plan_lag_periods(plan, pa->lag, q, b) * cx_effect_share(e, q - b);
            terms++;
        }
        if (!terms)
            fo += (size_t)snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, "0");
        rep_qcol(q, c, sizeof c);
        if (out)
            snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, ")*$C$%u", x->urow + 1);
        else
            snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, ")/%s$%u", c, x->wrow + 1);
        double v = prod * e->value * w * (out ? (double)cx_plan_nunits(plan)
                                              : 1.0 / (double)cx_plan_quarter_periods(plan, q));
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2, v);
        x->path_val[j_path * (size_t)H + (size_t)q] = v;
    }
}

/* The change in NPS (out 0) or revenue (out 1) per quarter: the sum of
 * rows first..last (have: there are such rows), else 0. */
static void change_total(ssheet *x, lxw_row_t row, int out, int have, lxw_row_t first, lxw_row_t last)
{
    rep *r = x->r;
    char f[128], c[8];
    char what[96];
    snprintf(what, sizeof what, out ? "Change in revenue (sum over units and %s)" : "Change in NPS (mean over units and %s)",
             r->per_many);
    worksheet_write_string(x->ws, row, 0, what, r->f.bold);
    worksheet_write_string(x->ws, row, 1, out ? r->currency : "points", r->f.text);
    for (int q = 0; q < x->H; q++) {
        rep_qcol(q, c, sizeof c);
        if (have)
            snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first + 1, c, last + 1);
        else
            snprintf(f, sizeof f, "=0");
        rep_formula(x->ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2,
                    num(cJSON_GetArrayItem(x->qs, q), out ? "delta_revenue" : "delta_nps"));
    }
}

/* The equations per path: the lag calendar, a line per path, the changes
 * in NPS and revenue.  Returns the next row. */
static lxw_row_t path_lines(ssheet *x, lxw_row_t row, const ppath *paths, size_t np)
{
    lag_cal lc;
    char head[128];
    snprintf(head, sizeof head, "How each change reaches NPS and revenue (coefficient chains, lags in %s)",
             x->r->per_many);
    worksheet_write_string(x->ws, row++, 0, head, x->r->f.h);
    row = lag_lines(x, row, paths, np, &lc);
    lxw_row_t first[2] = {0, 0}, last[2] = {0, 0};
    int have[2] = {0, 0};
    for (int out = 0; out < 2; out++)
        for (size_t i = 0; i < np; i++) {
            if (paths[i].revenue != out)
                continue;
            path_line(x, row, &paths[i], i, &lc);
            x->path_row[i] = row;
            if (!have[out])
                first[out] = row;
            last[out] = row;
            have[out] = 1;
            row++;
        }
    row++;
    change_total(x, row++, 0, have[0], first[0], last[0]);
    x->rev_row = row;
    change_total(x, row++, 1, have[1], first[1], last[1]);
    return row;
}

/* A scenario whose changes differ per unit: its U sheet works them out per
 * unit and segment, and the changes in NPS and revenue add them up per
 * quarter here.  Returns the next row. */
static lxw_row_t unit_lines(ssheet *x, lxw_row_t row, sheet_out *so, unit_out *uo)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cx_plan *plan = x->plan;
    char f[2048], c[8], line[256];
    rep_unit_sheet(r, uo, x->k, x->m, str(x->sj, "name"), so->name, x->share_of);
    snprintf(line, sizeof line,
             "This scenario moves a term that is not linear or a metric to a target level, so each unit moves "
             "differently: sheet %s works the changes out per unit and segment of %s.", uo->name, r->per_many);
    worksheet_write_string(ws, row++, 0, line, r->f.note);
    char a[16], z[16], qs_ref[40], tot_ref[40];
    lxw_rowcol_to_cell_abs(a, uo->qrow, 2, 1, 1);
    lxw_rowcol_to_cell_abs(z, uo->qrow, (lxw_col_t)(1 + plan->nseg), 1, 1);
    snprintf(qs_ref, sizeof qs_ref, "%s:%s", a, z);
    for (int out = 0; out < 2; out++, row++) {
        if (out)
            x->rev_row = row;
        char what[96];
        snprintf(what, sizeof what, out ? "Change in revenue (sum over units and %s)"
                                        : "Change in NPS (mean over units and %s)", r->per_many);
        worksheet_write_string(ws, row, 0, what, r->f.bold);
        worksheet_write_string(ws, row, 1, out ? r->currency : "points", r->f.text);
        lxw_rowcol_to_cell_abs(a, out ? uo->rev : uo->nps, 2, 1, 1);
        lxw_rowcol_to_cell_abs(z, out ? uo->rev : uo->nps, (lxw_col_t)(1 + plan->nseg), 1, 1);
        snprintf(tot_ref, sizeof tot_ref, "%s:%s", a, z);
        for (int q = 0; q < x->H; q++) {
            rep_qcol(q, c, sizeof c);
            if (out)
                snprintf(f, sizeof f, "=SUMIF('%s'!%s,%s$%u,'%s'!%s)", uo->name, qs_ref, c, x->qrow + 1, uo->name, tot_ref);
            else
                snprintf(f, sizeof f, "=SUMIF('%s'!%s,%s$%u,'%s'!%s)/(%s$%u*$C$%u)", uo->name, qs_ref, c, x->qrow + 1,
                         uo->name, tot_ref, c, x->wrow + 1, x->urow + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2,
                        num(cJSON_GetArrayItem(x->qs, q), out ? "delta_revenue" : "delta_nps"));
        }
    }
    return row;
}

/* The gross profit and a line per cost of the scenario's initiatives, then
 * their sum.  Returns the next row. */
static lxw_row_t cost_lines(ssheet *x, lxw_row_t row)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cJSON *qs = x->qs;
    int H = x->H;
    char f[512], c[8], line[256], id[96];
    x->gp_row = row;
    worksheet_write_string(ws, row, 0, "Gross profit on the change in revenue", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=fin_gross_margin*%s%u", c, x->rev_row + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "gross_profit"));
    }
    row++;
    lxw_row_t first_cost = row;
    size_t nc = 0;
    for (size_t i = 0; i < x->n; i++) {
        const initiative *it = &r->s->init[x->list[i]];
        rep_sanitize(it->id, id, sizeof id);
        for (size_t cc = 0; cc < it->ncost; cc++, row++) {
            const cost *co = &it->cost[cc];
            snprintf(line, sizeof line, "Cost: %s, %s", it->id, co->capex ? "capex" : "opex");
            worksheet_write_string(ws, row, 0, line, r->f.text);
            worksheet_write_string(ws, row, 1, r->currency, r->f.text);
            for (int q = 0; q < H; q++) {
                rep_qcol(q, c, sizeof c);
                if (co->capex)
                    snprintf(f, sizeof f, "=IF(%s$%u=in_%s_c%zu_from,in_%s_c%zu_amount,0)", c, x->qrow + 1, id, cc + 1, id,
                             cc + 1);
                else /* indexed once a year from the horizon's first year */
                    snprintf(f, sizeof f,
                             "=IF(AND(%s$%u>=in_%s_c%zu_from,%s$%u<=in_%s_c%zu_to),in_%s_c%zu_amount*(1+fin_indexation)^INT((%s$%u-1)/4),0)",
                             c, x->qrow + 1, id, cc + 1, c, x->qrow + 1, id, cc + 1, id, cc + 1, c, x->qrow + 1);
                double v = q >= co->from && q <= co->to ? co->amount * (co->capex ? 1 : cx_scenario_index(r->s, q)) : 0;
                rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, v);
            }
            x->cost_row[nc++] = row;
        }
    }
    lxw_row_t last_cost = row - 1;
    x->costs_row = row;
    worksheet_write_string(ws, row, 0, "Costs", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        if (last_cost >= first_cost && row > first_cost)
            snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first_cost + 1, c, last_cost + 1);
        else
            snprintf(f, sizeof f, "=0");
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "costs"));
    }
    return row + 1;
}

/* A line per quarter from row on: label, unit, formula per quarter made by
 * fn from the column, and the engine's quarter value of `key` (NULL: v). */
typedef void (*qformula)(ssheet *x, int q, const char *c, char *f, size_t size, const void *arg);

static void qline(ssheet *x, lxw_row_t row, const char *label, lxw_format *fmt, qformula fn, const void *arg,
                  const char *key, const double *v)
{
    char f[2048], c[8];
    worksheet_write_string(x->ws, row, 0, label, x->r->f.text);
    worksheet_write_string(x->ws, row, 1, x->r->currency, x->r->f.text);
    for (int q = 0; q < x->H; q++) {
        rep_qcol(q, c, sizeof c);
        fn(x, q, c, f, sizeof f, arg);
        rep_formula(x->ws, row, (lxw_col_t)(2 + q), f, fmt, key ? num(cJSON_GetArrayItem(x->qs, q), key) : v[q]);
    }
}

/* The capex paid: the sum of the capex lines. */
static void f_capex(ssheet *x, int q, const char *c, char *f, size_t size, const void *arg)
{
    (void)q, (void)arg;
    size_t o = (size_t)snprintf(f, size, "=0");
    size_t nc = 0;
    for (size_t i = 0; i < x->n; i++) {
        const initiative *it = &x->r->s->init[x->list[i]];
        for (size_t k = 0; k < it->ncost; k++, nc++)
            if (it->cost[k].capex)
                o += (size_t)snprintf(f + o, o < size ? size - o : 0, "+%s%u", c, x->cost_row[nc] + 1);
    }
}

/* A capex's depreciation for tax: all of it in its quarter when expensed
 * (fin_depreciation_years 0), else amount / (4 years) in each of the 4 x
 * years quarters from its quarter on. */
static void f_cdep(ssheet *x, int q, const char *c, char *f, size_t size, const void *arg)
{
    (void)q;
    const char *id = arg; /* "in_<id>_c<k>" */
    snprintf(f, size,
             "=IF(fin_depreciation_years=0,IF(%s$%u=%s_from,%s_amount,0),"
             "IF(AND(%s$%u>=%s_from,%s$%u<%s_from+4*fin_depreciation_years),%s_amount/(4*fin_depreciation_years),0))",
             c, x->qrow + 1, id, id, c, x->qrow + 1, id, c, x->qrow + 1, id, id);
}

/* The depreciation: the sum of the capex depreciation lines (arg: rows first, last). */
static void f_dep(ssheet *x, int q, const char *c, char *f, size_t size, const void *arg)
{
    (void)x, (void)q;
    const lxw_row_t *fl = arg;
    if (fl[1] >= fl[0])
        snprintf(f, size, "=SUM(%s%u:%s%u)", c, fl[0] + 1, c, fl[1] + 1);
    else
        snprintf(f, size, "=0");
}

/* The tax: on the gross profit less the opex (costs less capex) and the depreciation. */
static void f_tax(ssheet *x, int q, const char *c, char *f, size_t size, const void *arg)
{
    (void)q, (void)arg;
    snprintf(f, size, "=fin_tax_rate*(%s%u-(%s%u-%s%u)-%s%u)", c, x->gp_row + 1, c, x->costs_row + 1, c,
             x->capex_row + 1, c, x->dep_row + 1);
}

/* Capex paid, each capex's depreciation for tax and their sum, and the
 * tax on the profit (negative: the loss lowers the business's tax).
 * Returns the next row. */
static lxw_row_t tax_lines(ssheet *x, lxw_row_t row)
{
    rep *r = x->r;
    const cx_scenario *s = r->s;
    char line[256], id[96], name[160];
    x->capex_row = row;
    qline(x, row++, "Capex paid", r->f.money, f_capex, NULL, "capex", NULL);
    lxw_row_t fl[2] = {row, row - 1};
    double *v = cx_calloc((size_t)x->H + 1, sizeof(double));
    if (!v) {
        r->oom = 1;
        return row;
    }
    size_t nc = 0;
    for (size_t i = 0; i < x->n; i++) {
        const initiative *it = &s->init[x->list[i]];
        rep_sanitize(it->id, id, sizeof id);
        for (size_t k = 0; k < it->ncost; k++, nc++) {
            const cost *co = &it->cost[k];
            if (!co->capex)
                continue;
            for (int q = 0; q < x->H; q++)
                v[q] = co->amount * cx_scenario_deduct_share(s, co->from, q);
            snprintf(line, sizeof line, "Depreciation for tax: %s, capex", it->id);
            snprintf(name, sizeof name, "in_%s_c%zu", id, k + 1);
            x->cdep_row[nc] = row;
            qline(x, row++, line, r->f.money, f_cdep, name, NULL, v);
            fl[1] = row - 1;
        }
    }
    cx_free(v);
    x->dep_row = row;
    qline(x, row++, "Depreciation for tax (capex deducted; all of it when paid if expensed)", r->f.money, f_dep, fl,
          "depreciation", NULL);
    x->tax_row = row;
    qline(x, row++, "Tax on the profit (gross profit - opex - depreciation)", r->f.money, f_tax, NULL, "tax", NULL);
    return row;
}

/* The net cash flow after tax, its discounting and its cumulative sum.
 * Returns the next row. */
static lxw_row_t cash_lines(ssheet *x, lxw_row_t row)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cJSON *qs = x->qs;
    int H = x->H;
    char f[256], c[8], p[8];
    x->cf_row = row;
    worksheet_write_string(ws, row, 0, "Net cash flow after tax", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=%s%u-%s%u-%s%u", c, x->gp_row + 1, c, x->costs_row + 1, c, x->tax_row + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, x->fmt_total, num(cJSON_GetArrayItem(qs, q), "cash_flow"));
    }
    row++;
    lxw_row_t qr_row = x->qr_row = row;
    worksheet_write_string(ws, row, 0, "Quarterly discount rate", r->f.text);
    worksheet_write_string(ws, row, 1, "a quarter", r->f.text);
    {
        double d, mg, t;
        cx_scenario_finance(r->s, &d, &mg, &t);
        rep_formula(ws, row, 2, "=(1+fin_discount_rate)^(1/4)-1", x->fmt_small, cx_fin_quarterly_rate(d));
    }
    row++;
    lxw_row_t df_row = x->df_row = row;
    worksheet_write_string(ws, row, 0, "Discount factor (end of quarter)", r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=1/(1+$C$%u)^%s$%u", qr_row + 1, c, x->qrow + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, x->fmt_small, num(cJSON_GetArrayItem(qs, q), "discount_factor"));
    }
    row++;
    x->pv_row = row;
    worksheet_write_string(ws, row, 0, "Present value", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=%s%u*%s%u", c, x->cf_row + 1, c, df_row + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "pv"));
    }
    row++;
    worksheet_write_string(ws, row, 0, "Cumulative cash", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        if (q == 0)
            snprintf(f, sizeof f, "=%s%u", c, x->cf_row + 1);
        else {
            rep_qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=%s%u+%s%u", p, row + 1, c, x->cf_row + 1);
        }
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "cumulative_cash"));
    }
    x->cum_row = row;
    return row + 1;
}

/* Payback: the flag of the first quarter whose cumulative cash (row
 * cum_row) is back at 0 or above after having been negative.  Returns the
 * next row. */
static lxw_row_t payback_line(ssheet *x, lxw_row_t row, lxw_row_t cum_row)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cJSON *qs = x->qs;
    char f[256], c[8], p[8];
    const cJSON *pb = cJSON_GetObjectItemCaseSensitive(x->sj, "payback_quarter");
    int pbq = -1;
    for (int q = 0; q < x->H && cJSON_IsString(pb); q++)
        if (strcmp(str(cJSON_GetArrayItem(qs, q), "quarter"), pb->valuestring) == 0)
            pbq = q;
    x->flag_row = row;
    worksheet_write_string(ws, row, 0, "Payback reached (first quarter back at 0 after being negative)", r->f.text);
    worksheet_write_string(ws, row, 1, "flag", r->f.text);
    for (int q = 0; q < x->H; q++) {
        rep_qcol(q, c, sizeof c);
        if (q == 0)
            snprintf(f, sizeof f, "=0");
        else {
            rep_qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=IF(AND(%s%u>=0,MIN($C$%u:%s%u)<0,SUM($C$%u:%s%u)=0),1,0)", c, cum_row + 1, cum_row + 1,
                     p, cum_row + 1, row + 1, p, row + 1);
        }
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, x->fmt_int, q == pbq ? 1 : 0);
    }
    return row + 1;
}

/* The fiscal year of each quarter (the calendar year it starts in, from
 * fin_start and fin_fiscal_year_start) and the totals per fiscal year:
 * quarters, change in revenue, gross profit, costs, depreciation, tax, net
 * cash flow and present value, each a SUMIF over the quarters.  A row for
 * every fiscal year the horizon can touch (one more than the engine's when
 * the start month is moved).  Returns the next row. */
static lxw_row_t fy_lines(ssheet *x, lxw_row_t row)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cx_scenario *s = r->s;
    char f[512], c[8], last[8], label[32];
    int H = x->H;
    rep_qcol(H - 1, last, sizeof last);
    lxw_row_t fyrow = row;
    worksheet_write_string(ws, row, 0, "Fiscal year (the calendar year it starts in)", r->f.text);
    worksheet_write_string(ws, row, 1, "year", r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f,
                 "=INT((4*VALUE(LEFT(fin_start,4))+VALUE(RIGHT(fin_start,1))-1+%s$%u-1-(fin_fiscal_year_start-1)/3)/4)", c,
                 x->qrow + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, x->fmt_int, cx_scenario_fiscal_year(s, q));
    }
    row += 2;
    worksheet_write_string(ws, row++, 0, "Fiscal-year totals", r->f.h);
    static const char *const head[] = {"Fiscal year", "", "Starts in", "Quarters", "Change in revenue", "Gross profit",
                                       "Costs", "Depreciation", "Tax", "Net cash flow", "Present value"};
    for (int k = 0; k < 11; k++)
        worksheet_write_string(ws, row, (lxw_col_t)k, head[k], r->f.th);
    row++;
    const lxw_row_t line[] = {x->rev_row, x->gp_row, x->costs_row, x->dep_row, x->tax_row, x->cf_row, x->pv_row};
    static const char *const key[] = {"delta_revenue", "gross_profit", "costs", "depreciation", "tax", "cash_flow", "pv"};
    const cJSON *fys = cJSON_GetObjectItemCaseSensitive(x->sj, "fiscal_years");
    int first = cx_scenario_fiscal_year(s, 0), nrows = (H + 3) / 4 + 1;
    for (int k = 0; k < nrows; k++, row++) {
        const cJSON *fy = cJSON_GetArrayItem(fys, k);
        snprintf(f, sizeof f, "=MIN($C$%u:$%s$%u)+%d", fyrow + 1, last, fyrow + 1, k);
        rep_formula(ws, row, 2, f, x->fmt_int, first + k);
        snprintf(f, sizeof f, "=\"FY\"&C%u&IF(fin_fiscal_year_start=1,\"\",\"/\"&RIGHT(C%u+1,2))", row + 1, row + 1);
        worksheet_write_formula_str(ws, row, 0, f, r->f.bold, cx_scenario_fiscal_label(s, first + k, label, sizeof label));
        snprintf(f, sizeof f, "=COUNTIF($C$%u:$%s$%u,$C%u)", fyrow + 1, last, fyrow + 1, row + 1);
        rep_formula(ws, row, 3, f, x->fmt_int, fy ? num(fy, "quarters") : 0);
        for (int j = 0; j < 7; j++) {
            snprintf(f, sizeof f, "=SUMIF($C$%u:$%s$%u,$C%u,$C$%u:$%s$%u)", fyrow + 1, last, fyrow + 1, row + 1,
                     line[j] + 1, last, line[j] + 1);
            rep_formula(ws, row, (lxw_col_t)(4 + j), f, r->f.money, fy ? num(fy, key[j]) : 0);
        }
    }
    return row + 1;
}

/* The engine's break-even of initiative `id` (root "break_even"). */
static const cJSON *be_of(const rep *r, const char *id)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(r->root, "break_even"))
        if (strcmp(str(e, "initiative"), id) == 0)
            return e;
    return NULL;
}

/* Initiative i of the scenario alone (a linear scenario: its paths add
 * up): the revenue from its effects, the cash flow of its costs after tax,
 * and the share of its effects at which its NPV is 0,
 * -PV(costs' flow) / (margin (1 - tax) PV(revenue)), with each effect's
 * size there.  Returns the next row. */
static lxw_row_t be_initiative(ssheet *x, lxw_row_t row, size_t i, size_t cost0, const ppath *paths, size_t np)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const initiative *it = &r->s->init[x->list[i]];
    const cJSON *be = be_of(r, it->id);
    char f[2048], c[8], last[8], line[256], id[96];
    size_t o;
    rep_sanitize(it->id, id, sizeof id);
    rep_qcol(x->H - 1, last, sizeof last);
    lxw_row_t rev = row, cf0 = row + 1;
    snprintf(line, sizeof line, "Revenue from %s's effects", it->id);
    worksheet_write_string(ws, rev, 0, line, r->f.text);
    worksheet_write_string(ws, rev, 1, r->currency, r->f.text);
    for (int q = 0; q < x->H; q++) { /* row by row: the workbook is written in constant memory */
        rep_qcol(q, c, sizeof c);
        o = (size_t)snprintf(f, sizeof f, "=0");
        double v = 0;
        for (size_t j = 0; j < np; j++)
            if (paths[j].revenue && cx_plan_effect_ref(x->plan, paths[j].eff).init == x->list[i]) {
                o += (size_t)snprintf(f + o, o < sizeof f ? sizeof f - o : 0, "+%s%u", c, x->path_row[j] + 1);
                v += x->path_val[j * (size_t)x->H + (size_t)q];
            }
        rep_formula(ws, rev, (lxw_col_t)(2 + q), f, r->f.money, v);
    }
    worksheet_write_string(ws, cf0, 0, "Cash flow of its costs alone, after tax", r->f.text);
    worksheet_write_string(ws, cf0, 1, r->currency, r->f.text);
    for (int q = 0; q < x->H; q++) {
        rep_qcol(q, c, sizeof c);
        double cash = 0, deduct = 0;
        for (size_t k = 0; k < it->ncost; k++) {
            const cost *co = &it->cost[k];
            double a = q >= co->from && q <= co->to ? co->amount * (co->capex ? 1 : cx_scenario_index(r->s, q)) : 0;
            cash += a;
            deduct += co->capex ? co->amount * cx_scenario_deduct_share(r->s, co->from, q) : a;
        }
        /* -(costs) + tax (costs - capex + depreciation) over its own lines */
        o = (size_t)snprintf(f, sizeof f, "=-(0");
        size_t o2 = 0;
        char tail[1024];
        o2 = (size_t)snprintf(tail, sizeof tail, ")+fin_tax_rate*(0");
        for (size_t k = 0; k < it->ncost; k++) {
            lxw_row_t cr = x->cost_row[cost0 + k];
            o += (size_t)snprintf(f + o, o < sizeof f ? sizeof f - o : 0, "+%s%u", c, cr + 1);
            if (it->cost[k].capex)
                o2 += (size_t)snprintf(tail + o2, o2 < sizeof tail ? sizeof tail - o2 : 0, "+%s%u", c,
                                       x->cdep_row[cost0 + k] + 1);
            else
                o2 += (size_t)snprintf(tail + o2, o2 < sizeof tail ? sizeof tail - o2 : 0, "+%s%u", c, cr + 1);
        }
        snprintf(f + o, o < sizeof f ? sizeof f - o : 0, "%s)", tail);
        rep_formula(ws, cf0, (lxw_col_t)(2 + q), f, r->f.money, -cash + r->s->tax * deduct);
    }
    row += 2;
    snprintf(line, sizeof line, "Break-even: share of %s's effects at which its NPV alone is 0", it->id);
    worksheet_write_string(ws, row, 0, line, r->f.bold);
    worksheet_write_string(ws, row, 1, "share", r->f.text);
    snprintf(f, sizeof f, "=IFERROR(-SUMPRODUCT(C%u:%s%u,C%u:%s%u)/(fin_gross_margin*(1-fin_tax_rate)*SUMPRODUCT(C%u:%s%u,C%u:%s%u)),\"none\")",
             cf0 + 1, last, cf0 + 1, x->df_row + 1, last, x->df_row + 1, rev + 1, last, rev + 1, x->df_row + 1, last,
             x->df_row + 1);
    double share = be ? num(be, "share") : NAN;
    if (isfinite(share))
        rep_formula(ws, row, 2, f, x->fmt_small, share);
    else
        worksheet_write_formula_str(ws, row, 2, f, x->fmt_small, "none");
    lxw_row_t srow = row++;
    x->so->be_share[x->list[i]] = srow;
    for (size_t k = 0; k < it->neff; k++, row++) {
        snprintf(line, sizeof line, "Break-even change in %s (stated %g)", it->eff[k].metric, it->eff[k].value);
        worksheet_write_string(ws, row, 0, line, r->f.text);
        worksheet_write_string(ws, row, 1, it->eff[k].metric, r->f.text);
        snprintf(f, sizeof f, "=IFERROR(C%u*in_%s_e%zu_value,\"none\")", srow + 1, id, k + 1);
        if (isfinite(share))
            rep_formula(ws, row, 2, f, r->f.num2, share * it->eff[k].value);
        else
            worksheet_write_formula_str(ws, row, 2, f, r->f.num2, "none");
    }
    return row;
}

/* The break-even of each initiative of the scenario: live formulas when its
 * changes are linear, else the engine's values.  Returns the next row. */
static lxw_row_t be_lines(ssheet *x, lxw_row_t row)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    size_t np = 0, cost0 = 0;
    const ppath *paths = cx_plan_paths(x->plan, x->k, &np);
    worksheet_write_string(ws, row++, 0, "Break-even: the effect size at which each initiative alone has an NPV of 0",
                           r->f.h);
    if (!np)
        worksheet_write_string(ws, row++, 0, "This scenario's changes are not linear: the break-even shares are the "
                               "engine's (root of the NPV), not formulas.", r->f.note);
    for (size_t i = 0; i < x->n; i++) {
        const initiative *it = &r->s->init[x->list[i]];
        if (np)
            row = be_initiative(x, row, i, cost0, paths, np);
        else {
            const cJSON *be = be_of(r, it->id);
            char line[256];
            snprintf(line, sizeof line, "Break-even: share of %s's effects at which its NPV alone is 0", it->id);
            worksheet_write_string(ws, row, 0, line, r->f.bold);
            rep_put(r, ws, row++, 2, be ? num(be, "share") : NAN, x->fmt_small);
        }
        cost0 += it->ncost;
    }
    return row + 1;
}

/* The results: NPV, IRR, payback quarter and ROI, their rows in *so;
 * returns the last row. */
static lxw_row_t results(ssheet *x, lxw_row_t row, sheet_out *so)
{
    rep *r = x->r;
    lxw_worksheet *ws = x->ws;
    const cJSON *sj = x->sj;
    char f[512], last[8];
    rep_qcol(x->H - 1, last, sizeof last);
    worksheet_write_string(ws, row++, 0, "Results", r->f.h);
    so->npv = row;
    worksheet_write_string(ws, row, 0, "NPV", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    snprintf(f, sizeof f, "=SUM(C%u:%s%u)", x->pv_row + 1, last, x->pv_row + 1);
    rep_formula(ws, row++, 2, f, x->fmt_total, num(cJSON_GetObjectItemCaseSensitive(sj, "npv"), "base"));
    so->irr = row;
    worksheet_write_string(ws, row, 0, "IRR (a year)", r->f.bold);
    snprintf(f, sizeof f, "=IFERROR((1+IRR(C%u:%s%u,0))^4-1,\"none\")", x->cf_row + 1, last, x->cf_row + 1);
    double irr = num(sj, "irr");
    if (isfinite(irr))
        rep_formula(ws, row, 2, f, r->f.pct, irr);
    else
        worksheet_write_formula_str(ws, row, 2, f, r->f.pct, "none");
    row++;
    char pb[48];
    rep_payback_text(x->sj, pb, sizeof pb);
    so->payback = row;
    worksheet_write_string(ws, row, 0, "Payback quarter", r->f.bold);
    snprintf(f, sizeof f,
             "=IF(MIN(C%u:%s%u)>=0,\"immediately\",IFERROR(INDEX($C$%u:$%s$%u,MATCH(1,C%u:%s%u,0)),\"after \"&$%s$%u))",
             x->cum_row + 1, last, x->cum_row + 1, x->hrow + 1, last, x->hrow + 1, x->flag_row + 1, last, x->flag_row + 1,
             last, x->hrow + 1);
    worksheet_write_formula_str(ws, row++, 2, f, r->f.text, pb);
    worksheet_write_string(ws, row, 0, "ROI (undiscounted)", r->f.bold);
    snprintf(f, sizeof f, "=IFERROR((SUM(C%u:%s%u)-SUM(C%u:%s%u))/SUM(C%u:%s%u),\"-\")", x->gp_row + 1, last,
             x->gp_row + 1, x->costs_row + 1, last, x->costs_row + 1, x->costs_row + 1, last, x->costs_row + 1);
    rep_formula(ws, row, 2, f, r->f.pct, num(sj, "roi"));
    so->cf = x->cf_row;
    so->rev = x->rev_row;
    so->nps = x->rev_row - 1;
    so->costs = x->costs_row;
    so->cum = x->cum_row;
    so->pv = x->pv_row;
    so->qrate = x->qr_row;
    so->H = x->H;
    return row;
}

void rep_scenario_sheet(rep *r, lxw_worksheet *ws, size_t k, const cJSON *sj, const cx_plan *plan,
                        const cx_model *m, sheet_out *so, unit_out *uo)
{
    ssheet x = {.r = r, .ws = ws, .k = k, .sj = sj, .plan = plan, .m = m, .so = so};
    x.qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
    x.H = cJSON_GetArraySize(x.qs);
    x.fmt_share = workbook_add_format(r->wb);
    format_set_num_format(x.fmt_share, "0.00");
    x.fmt_int = workbook_add_format(r->wb);
    format_set_num_format(x.fmt_int, "0");
    x.fmt_small = workbook_add_format(r->wb);
    format_set_num_format(x.fmt_small, "0.0000");
    x.fmt_total = workbook_add_format(r->wb);
    format_set_num_format(x.fmt_total, "#,##0;[Red]-#,##0");
    format_set_bold(x.fmt_total);
    format_set_top(x.fmt_total, LXW_BORDER_THIN);

    lxw_row_t row = timeline(&x);
    size_t one, neff = cx_plan_neffects(plan);
    x.list = cx_scenario_inits(r->s, k, &x.n, &one);
    x.chg_row = cx_calloc(neff + 1, sizeof(lxw_row_t));
    x.share_of = cx_calloc(neff + 1, sizeof(lxw_row_t));
    x.cost_row = cx_calloc(cx_plan_ncosts(plan) + 1, sizeof(lxw_row_t));
    x.cdep_row = cx_calloc(cx_plan_ncosts(plan) + 1, sizeof(lxw_row_t));
    size_t npaths = 0;
    cx_plan_paths(plan, k, &npaths);
    x.path_row = cx_calloc(npaths + 1, sizeof(lxw_row_t));
    x.path_val = cx_calloc(npaths * (size_t)x.H + 1, sizeof(double));
    if (!x.chg_row || !x.share_of || !x.cost_row || !x.cdep_row || !x.path_row || !x.path_val) {
        cx_free(x.path_row);
        cx_free(x.path_val);
        cx_free(x.chg_row);
        cx_free(x.share_of);
        cx_free(x.cost_row);
        cx_free(x.cdep_row);
        r->oom = 1;
        return;
    }
    row = effect_lines(&x, row, uo);
    /* the equations: per path, or per unit on the U sheet for a non-linear set */
    size_t np = 0;
    const ppath *paths = cx_plan_paths(plan, k, &np);
    if (np)
        row = path_lines(&x, row, paths, np);
    else if (!uo) {
        r->oom = 1; /* its U sheet could not be added: the workbook is not kept */
        x.rev_row = row;
    } else
        row = unit_lines(&x, row, so, uo);
    row++;
    worksheet_write_string(ws, row++, 0, "Cash", r->f.h);
    row = cost_lines(&x, row);
    row = tax_lines(&x, row);
    row = cash_lines(&x, row);
    row = payback_line(&x, row, row - 1);
    row = fy_lines(&x, row + 1);
    row = be_lines(&x, row);
    row = results(&x, row, so);
    worksheet_set_column(ws, 0, 0, 52, NULL);
    worksheet_set_column(ws, 1, 1, 10, NULL);
    worksheet_set_column(ws, 2, (lxw_col_t)(1 + x.H), 12, NULL);
    worksheet_freeze_panes(ws, 4, 2);
    rep_print_wide(r, ws, row, (lxw_col_t)(1 + x.H), 3, 3);
    cx_free(x.chg_row);
    cx_free(x.share_of);
    cx_free(x.cost_row);
    cx_free(x.cdep_row);
    cx_free(x.path_row);
    cx_free(x.path_val);
}
