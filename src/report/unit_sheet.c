/*
 * unit_sheet.c - the U sheet beside a scenario whose changes differ per unit (a
 * non-linear term, a target level): its changes per unit and segment of
 * periods as formulas over Inputs and Model.
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

/* The U sheet's title and the segments' calendar (rows 0 to 6). */
static void unit_head(rep *r, unit_out *uo, const char *sname)
{
    const cx_plan *p = r->plan;
    lxw_worksheet *ws = uo->ws;
    size_t nseg = p->nseg;
    char line[256];
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
}

/* The formula in *b of column v's change in unit u at segment s: the
 * effects' values times their ramp shares on sheet ssheet (share_row), and
 * the equation's terms at the new levels (vrow: each column's first line)
 * less at the baseline. */
static void unit_formula(rep *r, size_t k, const cx_model *m, const char *ssheet, const lxw_row_t *share_row,
                         const lxw_row_t *vrow, size_t v, size_t u, size_t s, cx_buf *b)
{
    const cx_plan *p = r->plan;
    const pset *set = &p->set[k];
    const peq *eq = p->v[v].eq >= 0 ? &p->eq[p->v[v].eq] : NULL;
    size_t nu = p->nunits;
    char id[96];
        b->len = 0;
        BUF(r, b, "=");
        int parts = 0;
        for (size_t j = 0; j < set->neff; j++) {
            size_t g = set->eff[j];
            if (p->eff_var[g] != v)
                continue;
            input_ref ref = cx_plan_effect_ref(p, g);
            rep_sanitize(r->s->init[ref.init].id, id, sizeof id);
            char qc[8];
            rep_qcol(p->seg_q[s], qc, sizeof qc);
            if (p->eff[g]->is_target)
                BUF(r, b, "%s(in_%s_e%zu_value-%s)*'%s'!%s$%u", parts ? "+" : "", id, ref.k + 1,
                              r->base_name[v * nu + u], ssheet, qc, share_row[g] + 1);
            else
                BUF(r, b, "%sin_%s_e%zu_value*'%s'!%s$%u", parts ? "+" : "", id, ref.k + 1, ssheet, qc,
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
            size_t mark = b->len;
            BUF(r, b, "%scoef_%s_%s*", parts ? "+" : "", tg, tn);
            if (term_formula(r, p, set, &eq->t[t], s, vrow, u, b))
                parts++;
            else
                b->len = mark;
        }
        if (!parts)
            BUF(r, b, "0");
}

/* The changes in NPS and revenue per segment, summed over the units and
 * the segment's periods (d: the engine's changes per unit, column and
 * segment), from row on; their rows in uo. */
static void unit_totals(rep *r, unit_out *uo, size_t k, const lxw_row_t *vrow, const double *d, lxw_row_t row)
{
    const cx_plan *p = r->plan;
    const pset *set = &p->set[k];
    lxw_worksheet *ws = uo->ws;
    size_t nseg = p->nseg, nu = p->nunits;
    char line[256], c[16];
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
}

/* The U sheet of scenario k: per unit and segment of periods (a run of
 * periods in which no level changes), the change of every column the
 * scenario moves, each line one formula over Inputs, Model and the lines
 * above, with the engine's value stored; then the changes in NPS and
 * revenue summed over the units and the segment's periods, which the
 * scenario sheet adds up per quarter. */
void rep_unit_sheet(rep *r, unit_out *uo, size_t k, const cx_model *m, const char *sname, const char *ssheet,
                       const lxw_row_t *share_row)
{
    const cx_plan *p = r->plan;
    const pset *set = &p->set[k];
    lxw_worksheet *ws = uo->ws;
    size_t nseg = p->nseg, nu = p->nunits;
    char line[256];
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

    unit_head(r, uo, sname);
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
                unit_formula(r, k, m, ssheet, share_row, vrow, v, u, s, &b);
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
    unit_totals(r, uo, k, vrow, d, row);
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
