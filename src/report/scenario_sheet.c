/*
 * scenario_sheet.c - one sheet per scenario: its quarters as live formulas over
 * Inputs and Model, from the ramp shares to the NPV.
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

void rep_scenario_sheet(rep *r, lxw_worksheet *ws, size_t k, const cJSON *sj, const cx_plan *plan,
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
            rep_qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=%s%u+1", p, row + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, fmt_int, q + 1);
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
            rep_qcol(q, c, sizeof c);
            snprintf(f, sizeof f,
                     "=IF(%s$%u<in_%s_e%zu_start,0,IF(in_%s_e%zu_ramp=0,1,MIN(1,(%s$%u-in_%s_e%zu_start+1)/in_%s_e%zu_ramp)))",
                     c, qrow + 1, id, ref.k + 1, id, ref.k + 1, c, qrow + 1, id, ref.k + 1, id, ref.k + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, fmt_share, cx_ramp_share(e->start, e->ramp, q));
        }
        lxw_row_t share_row = row++;
        share_of[g] = share_row;
        snprintf(line, sizeof line, "Change in %s: %s%s", e->metric, it->id, e->is_target ? " (to a target level)" : "");
        worksheet_write_string(ws, row, 0, line, r->f.text);
        worksheet_write_string(ws, row, 1, e->metric, r->f.text);
        for (int q = 0; q < H && !e->is_target; q++) {
            rep_qcol(q, c, sizeof c);
            snprintf(f, sizeof f, "=in_%s_e%zu_value*%s%u", id, ref.k + 1, c, share_row + 1);
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.num2, e->value * cx_ramp_share(e->start, e->ramp, q));
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
                        rep_qcol(q, c, sizeof c);
                        rep_qcol(q - b, cb, sizeof cb);
                        fo += (size_t)snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, "%s%s%u*%s%u", terms ? "+" : "", c,
                                               lag_row[lj][b] + 1, cb, chg_row[x->eff] + 1);
                        w += (double)cx_plan_lag_periods(plan, x->lag, q, b) * cx_ramp_share(e->start, e->ramp, q - b);
                        terms++;
                    }
                    if (!terms)
                        fo += (size_t)snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, "0");
                    rep_qcol(q, c, sizeof c);
                    if (out)
                        snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, ")*$C$%u", urow + 1);
                    else
                        snprintf(f + fo, fo < sizeof f ? sizeof f - fo : 0, ")/%s$%u", c, wrow + 1);
                    double v = prod * e->value * w * (out ? (double)cx_plan_nunits(plan)
                                                          : 1.0 / (double)cx_plan_quarter_periods(plan, q));
                    rep_formula(ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2, v);
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
            rep_qcol(q, c, sizeof c);
            if (have_nps)
                snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first_nps + 1, c, last_nps + 1);
            else
                snprintf(f, sizeof f, "=0");
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.num2, num(cJSON_GetArrayItem(qs, q), "delta_nps"));
        }
        row++;
        rev_row = row;
        worksheet_write_string(ws, row, 0, "Change in revenue (sum over units and weeks)", r->f.bold);
        worksheet_write_string(ws, row, 1, r->currency, r->f.text);
        for (int q = 0; q < H; q++) {
            rep_qcol(q, c, sizeof c);
            if (have_rev)
                snprintf(f, sizeof f, "=SUM(%s%u:%s%u)", c, first_rev + 1, c, last_rev + 1);
            else
                snprintf(f, sizeof f, "=0");
            rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "delta_revenue"));
        }
        row++;
    } else if (!uo) {
        r->oom = 1; /* its U sheet could not be added: the workbook is not kept */
        rev_row = row;
    } else {
        /* per unit and segment on the U sheet, added up here per quarter */
        rep_unit_sheet(r, uo, k, m, str(sj, "name"), so->name, share_of);
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
                rep_qcol(q, c, sizeof c);
                if (out)
                    snprintf(f, sizeof f, "=SUMIF('%s'!%s,%s$%u,'%s'!%s)", uo->name, qs_ref, c, qrow + 1, uo->name, tot_ref);
                else
                    snprintf(f, sizeof f, "=SUMIF('%s'!%s,%s$%u,'%s'!%s)/(%s$%u*$C$%u)", uo->name, qs_ref, c, qrow + 1,
                             uo->name, tot_ref, c, wrow + 1, urow + 1);
                rep_formula(ws, row, (lxw_col_t)(2 + q), f, out ? r->f.money : r->f.num2,
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
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=fin_gross_margin*%s%u", c, rev_row + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "gross_profit"));
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
                rep_qcol(q, c, sizeof c);
                if (co->capex)
                    snprintf(f, sizeof f, "=IF(%s$%u=in_%s_c%zu_from,in_%s_c%zu_amount,0)", c, qrow + 1, id, cc + 1, id, cc + 1);
                else
                    snprintf(f, sizeof f, "=IF(AND(%s$%u>=in_%s_c%zu_from,%s$%u<=in_%s_c%zu_to),in_%s_c%zu_amount,0)", c,
                             qrow + 1, id, cc + 1, c, qrow + 1, id, cc + 1, id, cc + 1);
                rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, q >= co->from && q <= co->to ? co->amount : 0);
            }
        }
    }
    lxw_row_t last_cost = row - 1;
    lxw_row_t costs_row = row;
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
    row++;
    lxw_row_t cf_row = row;
    worksheet_write_string(ws, row, 0, "Net cash flow after tax", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=(%s%u-%s%u)*(1-fin_tax_rate)", c, gp_row + 1, c, costs_row + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, fmt_total, num(cJSON_GetArrayItem(qs, q), "cash_flow"));
    }
    row++;
    lxw_row_t qr_row = row;
    worksheet_write_string(ws, row, 0, "Quarterly discount rate", r->f.text);
    worksheet_write_string(ws, row, 1, "a quarter", r->f.text);
    {
        double d, mg, t;
        cx_scenario_finance(s, &d, &mg, &t);
        rep_formula(ws, row, 2, "=(1+fin_discount_rate)^(1/4)-1", fmt_small, cx_fin_quarterly_rate(d));
    }
    row++;
    lxw_row_t df_row = row;
    worksheet_write_string(ws, row, 0, "Discount factor (end of quarter)", r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=1/(1+$C$%u)^%s$%u", qr_row + 1, c, qrow + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, fmt_small, num(cJSON_GetArrayItem(qs, q), "discount_factor"));
    }
    row++;
    lxw_row_t pv_row = row;
    worksheet_write_string(ws, row, 0, "Present value", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        snprintf(f, sizeof f, "=%s%u*%s%u", c, cf_row + 1, c, df_row + 1);
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "pv"));
    }
    row++;
    worksheet_write_string(ws, row, 0, "Cumulative cash", r->f.text);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    for (int q = 0; q < H; q++) {
        rep_qcol(q, c, sizeof c);
        if (q == 0)
            snprintf(f, sizeof f, "=%s%u", c, cf_row + 1);
        else {
            rep_qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=%s%u+%s%u", p, row + 1, c, cf_row + 1);
        }
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, r->f.money, num(cJSON_GetArrayItem(qs, q), "cumulative_cash"));
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
        rep_qcol(q, c, sizeof c);
        if (q == 0)
            snprintf(f, sizeof f, "=0");
        else {
            rep_qcol(q - 1, p, sizeof p);
            snprintf(f, sizeof f, "=IF(AND(%s%u>=0,MIN($C$%u:%s%u)<0,SUM($C$%u:%s%u)=0),1,0)", c, cum_row + 1, cum_row + 1,
                     p, cum_row + 1, row + 1, p, row + 1);
        }
        rep_formula(ws, row, (lxw_col_t)(2 + q), f, fmt_int, q == pbq ? 1 : 0);
    }
    row += 2;
    char last[8];
    rep_qcol(H - 1, last, sizeof last);
    worksheet_write_string(ws, row++, 0, "Results", r->f.h);
    so->npv = row;
    worksheet_write_string(ws, row, 0, "NPV", r->f.bold);
    worksheet_write_string(ws, row, 1, r->currency, r->f.text);
    snprintf(f, sizeof f, "=SUM(C%u:%s%u)", pv_row + 1, last, pv_row + 1);
    rep_formula(ws, row++, 2, f, fmt_total, num(cJSON_GetObjectItemCaseSensitive(sj, "npv"), "base"));
    so->irr = row;
    worksheet_write_string(ws, row, 0, "IRR (a year)", r->f.bold);
    snprintf(f, sizeof f, "=IFERROR((1+IRR(C%u:%s%u,0))^4-1,\"none\")", cf_row + 1, last, cf_row + 1);
    double irr = num(sj, "irr");
    if (isfinite(irr))
        rep_formula(ws, row, 2, f, r->f.pct, irr);
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
    rep_formula(ws, row++, 2, f, r->f.pct, num(sj, "roi"));
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
