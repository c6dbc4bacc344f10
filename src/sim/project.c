/*
 * project.c - the quarterly projection of a scenario through the fitted
 * equations, per unit at the data's frequency (project.h; README
 * "cxcase simulate").
 *
 * Within a segment of periods nothing can change: metrics move at quarter
 * starts, and a change reaches a target k periods later through lag(x, k),
 * so the segments are cut at every quarter start shifted by every sum of
 * lags a change can travel through.  A term's change in a segment is
 * f(levels + changes) - f(levels) with the levels at their baseline; a
 * linear term (a column or a lag of one) contributes the change itself.
 * When every term a scenario touches is linear and no effect is a target
 * (which depends on the unit's baseline), every unit moves alike and one
 * unit stands for all.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "plan_internal.h"
#include "../core/core.h"
#include "../model/model_internal.h"

#define NONE ((size_t)-1)

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

void cx_plan_free(cx_plan *p)
{
    if (!p)
        return;
    for (size_t u = 0; p->unit && u < p->nunits; u++)
        cx_free(p->unit[u]);
    cx_free(p->unit);
    for (size_t i = 0; i < p->nv; i++) {
        cx_free(p->v[i].name);
        cx_free(p->v[i].base);
    }
    cx_free(p->v);
    for (size_t e = 0; e < p->neq; e++) {
        for (size_t t = 0; t < p->eq[e].nt; t++)
            cx_free(p->eq[e].t[t].f);
        cx_free(p->eq[e].t);
    }
    cx_free(p->eq);
    cx_free(p->nper);
    cx_free(p->seg_start);
    cx_free(p->seg_len);
    cx_free(p->seg_q);
    cx_free(p->lags);
    cx_free(p->lagseg);
    cx_free(p->eff_value);
    cx_free(p->cost_amount);
    cx_free(p->eff_ref);
    cx_free(p->cost_ref);
    cx_free(p->eff_var);
    cx_free(p->eff_share);
    cx_free(p->cost_cash);
    cx_free(p->cost_tax);
    cx_free(p->cost_span);
    cx_free(p->eff);
    cx_free(p->cst);
    for (size_t k = 0; k < p->nset; k++) {
        for (size_t i = 0; i < p->set[k].npath; i++)
            cx_free(p->set[k].path[i].w);
        cx_free(p->set[k].path);
        cx_free(p->set[k].eff);
        cx_free(p->set[k].cost);
        cx_free(p->set[k].touched);
        cx_free(p->set[k].term_on);
    }
    cx_free(p->set);
    cx_free(p->active);
    cx_free(p->act_off);
    cx_free(p);
}

size_t cx_plan_neffects(const cx_plan *p) { return p->neff; }
size_t cx_plan_ncosts(const cx_plan *p) { return p->ncost; }
const double *cx_plan_effect_values(const cx_plan *p) { return p->eff_value; }
const double *cx_plan_cost_amounts(const cx_plan *p) { return p->cost_amount; }
input_ref cx_plan_effect_ref(const cx_plan *p, size_t i) { return p->eff_ref[i]; }
input_ref cx_plan_cost_ref(const cx_plan *p, size_t i) { return p->cost_ref[i]; }
const char *cx_plan_nps_name(const cx_plan *p) { return p->v[p->nps].name; }
const char *cx_plan_revenue_name(const cx_plan *p) { return p->v[p->rev].name; }
size_t cx_plan_nperiods(const cx_plan *p) { return p->T; }
size_t cx_plan_nunits(const cx_plan *p) { return p->nunits; }

int cx_plan_coef_active(const cx_plan *p, size_t e, size_t j)
{
    return p->active[p->act_off[e] + j];
}

size_t cx_plan_input_index(const cx_plan *p, input_ref r)
{
    size_t n = r.is_cost ? p->ncost : p->neff;
    const input_ref *refs = r.is_cost ? p->cost_ref : p->eff_ref;
    for (size_t i = 0; i < n; i++)
        if (refs[i].init == r.init && refs[i].k == r.k)
            return i;
    return NONE;
}

/* ---- building ------------------------------------------------------------ */

static size_t find_var(cx_plan *p, const char *name)
{
    for (size_t i = 0; i < p->nv; i++)
        if (strcmp(p->v[i].name, name) == 0)
            return i;
    return NONE;
}

/* The var named `name`, added when new; NONE when out of memory. */
static size_t add_var(cx_plan *p, const char *name)
{
    size_t i = find_var(p, name);
    if (i != NONE)
        return i;
    char *copy = cx_strdup(name);
    if (!copy)
        return NONE;
    p->v[p->nv] = (pvar){copy, -1, NULL, NAN, NAN};
    return p->nv++;
}

/* Parse every coefficient of the model that is not the intercept or a level
 * of C(x) as a term, collect the columns, and order the equations so that
 * each comes after those whose targets it uses. */
static cx_status build_equations(cx_plan *p, cx_error *err)
{
    const cx_model *m = p->m;
    size_t maxv = 0, neq = cx_model_nequations(m);
    for (size_t e = 0; e < neq; e++)
        maxv += 1 + 4 * cx_equation_ncoef(cx_model_equation(m, e));
    p->v = cx_calloc(maxv + 1, sizeof(pvar));
    peq *raw = cx_calloc(neq + 1, sizeof(peq));
    p->eq = cx_calloc(neq + 1, sizeof(peq));
    p->act_off = cx_calloc(neq + 1, sizeof(size_t));
    size_t nact = 0;
    for (size_t e = 0; e < neq; e++)
        nact += cx_equation_ncoef(cx_model_equation(m, e));
    p->active = cx_calloc(nact + 1, 1);
    if (!p->v || !raw || !p->eq || !p->act_off || !p->active) {
        cx_free(raw);
        return oom(err);
    }
    cx_status st = CX_OK;
    nact = 0;
    for (size_t e = 0; e < neq && st == CX_OK; e++) {
        const cx_equation *q = cx_model_equation(m, e);
        p->act_off[e] = nact;
        nact += q->p;
        raw[e].model_eq = e;
        raw[e].target = add_var(p, q->target);
        if (raw[e].target == NONE || !(raw[e].t = cx_calloc(q->p + 1, sizeof(pterm)))) {
            st = oom(err);
            break;
        }
        for (size_t j = 0; j < q->p && st == CX_OK; j++) {
            const char *name = q->names[j];
            if (strcmp(name, "(Intercept)") == 0 || strncmp(name, "C(", 2) == 0)
                continue;
            cx_term term;
            char msg[256];
            if (cx_term_parse(name, &term, msg, sizeof msg) != CX_OK) {
                st = cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the model's term '%s' of %s: %s", name,
                                  q->target, msg);
                break;
            }
            pterm *t = &raw[e].t[raw[e].nt];
            if (!(t->f = cx_calloc(term.nf + 1, sizeof(pfactor)))) {
                cx_term_clear(&term);
                st = oom(err);
                break;
            }
            t->coef = j;
            t->nf = term.nf;
            for (size_t f = 0; f < term.nf && st == CX_OK; f++) {
                t->f[f].kind = term.f[f].kind;
                t->f[f].k = term.f[f].k;
                if ((t->f[f].var = add_var(p, term.f[f].col)) == NONE)
                    st = oom(err);
            }
            t->linear = t->nf == 1 && (t->f[0].kind == CX_F_COLUMN || t->f[0].kind == CX_F_LAG);
            cx_term_clear(&term);
            if (st != CX_OK) {
                cx_free(t->f);
                break;
            }
            p->active[p->act_off[e] + j] = 1;
            raw[e].nt++;
        }
    }
    /* dependency order */
    unsigned char *placed = cx_calloc(neq + 1, 1);
    if (st == CX_OK && !placed)
        st = oom(err);
    for (size_t done = 0; st == CX_OK && done < neq;) {
        size_t before = done;
        for (size_t e = 0; e < neq; e++) {
            if (placed[e])
                continue;
            int ready = 1;
            for (size_t t = 0; t < raw[e].nt && ready; t++)
                for (size_t f = 0; f < raw[e].t[t].nf && ready; f++)
                    for (size_t o = 0; o < neq && ready; o++)
                        if (o != e && !placed[o] && raw[o].target == raw[e].t[t].f[f].var)
                            ready = 0;
            if (ready) {
                placed[e] = 1;
                p->eq[done++] = raw[e];
                raw[e].t = NULL;
            }
        }
        if (done == before)
            st = cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                              "the model's equations depend on each other in a cycle: no order to project them in");
    }
    p->neq = st == CX_OK ? neq : 0;
    for (size_t e = 0; e < neq; e++) {
        if (raw[e].t) {
            for (size_t t = 0; t < raw[e].nt; t++)
                cx_free(raw[e].t[t].f);
            cx_free(raw[e].t);
        }
    }
    cx_free(raw);
    cx_free(placed);
    if (st != CX_OK)
        return st;
    for (size_t e = 0; e < p->neq; e++) {
        p->v[p->eq[e].target].eq = (long)e;
        p->eq[e].first = p->nterms;
        p->nterms += p->eq[e].nt;
    }
    return CX_OK;
}

/* The periods of the horizon at the panel's frequency: every period whose
 * calendar quarter lies in the horizon.  Fills p->T and p->nper; *first
 * receives the first period's value. */
static cx_status horizon_periods(cx_plan *p, cx_period_kind kind, int32_t *first, cx_error *err)
{
    int start_q = 0;
    cx_period sq;
    const char *start = cx_scenario_start(p->s);
    if (cx_period_parse(start, strlen(start), &sq) != CX_OK)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "bad horizon start '%s'", start);
    start_q = sq.value;
    int32_t v = sq.value;
    if (kind == CX_PERIOD_YEAR)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "the data have one period a year; a scenario is projected quarter by quarter "
                            "and needs data by quarter, month, week or day");
    if (kind != CX_PERIOD_QUARTER) {
        char day[48];
        int year = start_q / 4, month = (start_q % 4) * 3 + 1;
        snprintf(day, sizeof day, "%04d-%02d-01", year, month);
        cx_period d, c;
        if (cx_period_parse(day, strlen(day), &d) != CX_OK || cx_period_convert(d, kind, &c) != CX_OK)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "cannot map the data's %s periods to the quarters of the horizon",
                                cx_period_kind_name(kind));
        v = c.value - 1;
    }
    if (!(p->nper = cx_calloc((size_t)p->H + 1, sizeof(size_t))))
        return oom(err);
    p->T = 0;
    *first = INT32_MIN;
    for (;; v++) {
        cx_period q = cx_period_quarter((cx_period){kind, v});
        int qi = q.value - start_q;
        if (qi < 0)
            continue;
        if (qi >= p->H)
            break;
        if (*first == INT32_MIN)
            *first = v;
        p->nper[qi]++;
        p->T++;
    }
    for (int q = 0; q < p->H; q++)
        if (p->nper[q] == 0)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "quarter %d of the horizon has no %s period", q + 1,
                                cx_period_kind_name(kind));
    return CX_OK;
}

/* Cut the horizon into segments: at every quarter start shifted by every
 * sum of lags through which a change can travel. */
static cx_status segments(cx_plan *p, cx_error *err)
{
    size_t T = p->T, nv = p->nv;
    unsigned char *lagset = cx_calloc(nv * T + 1, 1), *cut = cx_calloc(T + 1, 1);
    size_t *qs = cx_calloc((size_t)p->H + 1, sizeof(size_t));
    long *seg_of = cx_calloc(T + 1, sizeof(long));
    p->lags = cx_calloc(p->nterms * 4 + 1, sizeof(int));
    cx_status st = CX_OK;
    if (!lagset || !cut || !qs || !seg_of || !p->lags) {
        st = oom(err);
        goto out;
    }
    for (int q = 1; q < p->H; q++)
        qs[q] = qs[q - 1] + p->nper[q - 1];
    for (size_t i = 0; i < nv; i++)
        lagset[i * T] = 1; /* every column can move at a quarter start itself */
    for (size_t e = 0; e < p->neq; e++) {
        unsigned char *tl = lagset + p->eq[e].target * T;
        for (size_t t = 0; t < p->eq[e].nt; t++)
            for (size_t f = 0; f < p->eq[e].t[t].nf; f++) {
                pfactor *fa = &p->eq[e].t[t].f[f];
                size_t k = fa->kind == CX_F_LAG ? (size_t)fa->k : 0;
                const unsigned char *fl = lagset + fa->var * T;
                for (size_t L = 0; L + k < T; L++)
                    if (fl[L])
                        tl[L + k] = 1;
                if (fa->kind == CX_F_LAG) {
                    size_t li = 0;
                    while (li < p->nlags && p->lags[li] != fa->k)
                        li++;
                    if (li == p->nlags)
                        p->lags[p->nlags++] = fa->k;
                    fa->lag = li;
                }
            }
    }
    cut[0] = 1;
    for (size_t i = 0; i < nv; i++)
        for (size_t L = 0; L < T; L++)
            if (lagset[i * T + L])
                for (int q = 0; q < p->H; q++)
                    if (qs[q] + L < T)
                        cut[qs[q] + L] = 1;
    for (int q = 0; q < p->H; q++)
        cut[qs[q]] = 1;
    p->nseg = 0;
    for (size_t t = 0; t < T; t++)
        p->nseg += cut[t];
    p->seg_start = cx_calloc(p->nseg + 1, sizeof(size_t));
    p->seg_len = cx_calloc(p->nseg + 1, sizeof(size_t));
    p->seg_q = cx_calloc(p->nseg + 1, sizeof(int));
    p->lagseg = cx_calloc(p->nlags * p->nseg + 1, sizeof(long));
    if (!p->seg_start || !p->seg_len || !p->seg_q || !p->lagseg) {
        st = oom(err);
        goto out;
    }
    size_t sgi = 0;
    int q = 0;
    for (size_t t = 0; t < T; t++) {
        if (cut[t])
            p->seg_start[sgi++] = t;
        while (q + 1 < p->H && t >= qs[q + 1])
            q++;
        seg_of[t] = (long)sgi - 1;
        p->seg_q[sgi - 1] = q;
        p->seg_len[sgi - 1]++;
    }
    for (size_t li = 0; li < p->nlags; li++)
        for (size_t sgj = 0; sgj < p->nseg; sgj++) {
            size_t k = (size_t)p->lags[li], t = p->seg_start[sgj];
            p->lagseg[li * p->nseg + sgj] = t >= k ? seg_of[t - k] : -1;
        }
out:
    cx_free(lagset);
    cx_free(cut);
    cx_free(qs);
    cx_free(seg_of);
    return st;
}

/* The baseline of every column per unit: explicit values, or the mean of
 * the window; the range observed in the fitted data. */
static cx_status baselines(cx_plan *p, const cx_table *panel, size_t unit_cols, cx_error *err)
{
    size_t nrows = cx_table_nrows(panel);
    double *means = cx_calloc(nrows + 1, sizeof(double));
    size_t *first = cx_calloc(nrows + 1, sizeof(size_t));
    if (!means || !first) {
        cx_free(means);
        cx_free(first);
        return oom(err);
    }
    cx_status st = CX_OK;
    /* the units: those of the first column with a baseline in the data */
    p->nunits = 0;
    for (size_t i = 0; i < p->nv && st == CX_OK; i++) {
        pvar *v = &p->v[i];
        double given = NAN;
        for (size_t b = 0; b < p->s->nbase; b++)
            if (strcmp(p->s->base_metric[b], v->name) == 0)
                given = p->s->base_value[b];
        size_t nu = 0;
        if (isnan(given)) {
            st = cx_panel_baseline(panel, unit_cols, v->name, p->s->window, means, NULL, first, &nu, err);
            if (st == CX_OK && p->nunits && nu != p->nunits)
                st = cx_error_set(err, CX_EINVAL, NULL, 0, 0, "%s has a baseline for %zu units, expected %zu",
                                  v->name, nu, p->nunits);
            if (st != CX_OK)
                break;
            p->nunits = nu;
        } else if (!p->nunits) {
            /* count the units from the panel */
            size_t nn = 0;
            if (cx_table_ncols(panel) > unit_cols + 1 &&
                cx_panel_baseline(panel, unit_cols, cx_table_colname(panel, unit_cols + 1), 100000000, means, NULL,
                                  first, &nn, NULL) == CX_OK)
                p->nunits = nn;
        }
        if (!p->nunits)
            p->nunits = 1;
        if (!p->unit) {
            /* the units' names, from their first rows */
            if (!(p->unit = cx_calloc(p->nunits + 1, sizeof(char *)))) {
                st = oom(err);
                break;
            }
            for (size_t u = 0; u < p->nunits && st == CX_OK; u++) {
                cx_buf b = {0};
                for (size_t c = 0; c < unit_cols && p->nunits > 1; c++) {
                    const char *t = cx_table_text(panel, 1 + c, first[u]);
                    cx_buf_printf(&b, "%s%s", c ? " / " : "", t ? t : "");
                }
                if (b.data)
                    p->unit[u] = b.data;
                else if (!(p->unit[u] = cx_strdup(p->nunits > 1 ? "?" : "all")))
                    st = oom(err);
            }
            if (st != CX_OK)
                break;
        }
        if (!(v->base = cx_calloc(p->nunits + 1, sizeof(double)))) {
            st = oom(err);
            break;
        }
        for (size_t u = 0; u < p->nunits; u++)
            v->base[u] = isnan(given) ? means[u] : given;
        for (size_t e = 0; e < cx_model_nequations(p->m); e++) {
            const cx_equation *q = cx_model_equation(p->m, e);
            for (size_t r = 0; r < q->nranges; r++)
                if (strcmp(q->ranges[r].col, v->name) == 0) {
                    v->lo = q->ranges[r].min;
                    v->hi = q->ranges[r].max;
                }
        }
    }
    cx_free(means);
    cx_free(first);
    /* a log needs a positive level */
    for (size_t e = 0; e < p->neq && st == CX_OK; e++)
        for (size_t t = 0; t < p->eq[e].nt && st == CX_OK; t++)
            for (size_t f = 0; f < p->eq[e].t[t].nf && st == CX_OK; f++) {
                const pfactor *fa = &p->eq[e].t[t].f[f];
                for (size_t u = 0; u < p->nunits && st == CX_OK && fa->kind == CX_F_LOG; u++)
                    if (!(p->v[fa->var].base[u] > 0))
                        st = cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                          "log(%s) needs a level above 0, but the baseline of %s in %s is %g",
                                          p->v[fa->var].name, p->v[fa->var].name, p->unit[u], p->v[fa->var].base[u]);
            }
    return st;
}

/* Cost g's cash and tax deduction per unit of its amount, quarter by
 * quarter, and the quarters where they are not 0: opex is paid and
 * deducted as it runs, times the indexation factor; capex is paid in its
 * quarter and deducted then or over the depreciation years. */
static void cost_weights(cx_plan *p, size_t g)
{
    const cost *ct = p->cst[g];
    double *cash = p->cost_cash + g * (size_t)p->H, *tax = p->cost_tax + g * (size_t)p->H;
    int *span = p->cost_span + 4 * g;
    span[0] = span[2] = ct->from;
    span[1] = span[3] = ct->to;
    for (int q = ct->from; q <= ct->to; q++)
        cash[q] = tax[q] = ct->capex ? 1.0 : cx_scenario_index(p->s, q);
    if (ct->capex) {
        span[3] = ct->from;
        for (int q = ct->from; q < p->H; q++)
            if ((tax[q] = cx_scenario_deduct_share(p->s, ct->from, q)) != 0)
                span[3] = q;
    }
}

/* Number the effects and costs, and list each scenario's. */
static cx_status inputs(cx_plan *p, cx_error *err)
{
    const cx_scenario *s = p->s;
    for (size_t i = 0; i < s->ninit; i++) {
        p->neff += s->init[i].neff;
        p->ncost += s->init[i].ncost;
    }
    p->eff_value = cx_calloc(p->neff + 1, sizeof(double));
    p->cost_amount = cx_calloc(p->ncost + 1, sizeof(double));
    p->eff_ref = cx_calloc(p->neff + 1, sizeof(input_ref));
    p->cost_ref = cx_calloc(p->ncost + 1, sizeof(input_ref));
    p->eff_var = cx_calloc(p->neff + 1, sizeof(size_t));
    p->eff = cx_calloc(p->neff + 1, sizeof(effect *));
    p->cst = cx_calloc(p->ncost + 1, sizeof(cost *));
    p->eff_share = cx_calloc(p->neff * p->nseg + 1, sizeof(double));
    p->cost_cash = cx_calloc(p->ncost * (size_t)p->H + 1, sizeof(double));
    p->cost_tax = cx_calloc(p->ncost * (size_t)p->H + 1, sizeof(double));
    p->cost_span = cx_calloc(p->ncost * 4 + 1, sizeof(int));
    if (!p->eff_value || !p->cost_amount || !p->eff_ref || !p->cost_ref || !p->eff_var || !p->eff || !p->cst ||
        !p->eff_share || !p->cost_cash || !p->cost_tax || !p->cost_span)
        return oom(err);
    size_t ne = 0, nc = 0;
    for (size_t i = 0; i < s->ninit; i++) {
        for (size_t k = 0; k < s->init[i].neff; k++, ne++) {
            const effect *ef = &s->init[i].eff[k];
            p->eff[ne] = ef;
            p->eff_value[ne] = ef->value;
            p->eff_ref[ne] = (input_ref){i, 0, k};
            for (size_t sg = 0; sg < p->nseg; sg++)
                p->eff_share[ne * p->nseg + sg] = cx_effect_share(ef, p->seg_q[sg]);
            if ((p->eff_var[ne] = find_var(p, ef->metric)) == NONE)
                return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the model does not use '%s', which initiative '%s' moves",
                                    ef->metric, s->init[i].id);
        }
        for (size_t k = 0; k < s->init[i].ncost; k++, nc++) {
            p->cst[nc] = &s->init[i].cost[k];
            p->cost_amount[nc] = s->init[i].cost[k].amount;
            p->cost_ref[nc] = (input_ref){i, 1, k};
            cost_weights(p, nc);
        }
    }
    for (size_t k = 0; k < cx_scenario_nscenarios(s); k++) {
        size_t n, one;
        const size_t *list = cx_scenario_inits(s, k, &n, &one);
        if (cx_plan_add_set(p, list, n, err) < 0)
            return CX_ENOMEM;
    }
    return CX_OK;
}

/* Walk from var v (reached through `chain` with lags summing to L) to
 * every equation whose terms use it, recording a path at NPS and at revenue.
 * Returns -1 when there are too many paths or too long a chain. */
static int walk(const cx_plan *p, pset *st, size_t g, size_t v, size_t L, ppath *chain)
{
    for (int out = 0; out < 2; out++)
        if (v == (out ? p->rev : p->nps)) {
            if (st->npath == MAXPATHS)
                return -1;
            ppath *x = &st->path[st->npath++];
            *x = *chain;
            x->eff = g;
            x->revenue = out;
            x->lag = L;
            x->w = NULL;
        }
    for (size_t e = 0; e < p->neq; e++)
        for (size_t t = 0; t < p->eq[e].nt; t++) {
            const pterm *tm = &p->eq[e].t[t];
            if (tm->f[0].var != v)
                continue;
            if (chain->n == MAXCHAIN)
                return -1;
            chain->eq[chain->n] = p->eq[e].model_eq;
            chain->coef[chain->n] = tm->coef;
            chain->n++;
            int rc = walk(p, st, g, p->eq[e].target, L + (tm->f[0].kind == CX_F_LAG ? (size_t)tm->f[0].k : 0), chain);
            chain->n--;
            if (rc)
                return rc;
        }
    return 0;
}

/* The paths of a linear set and their weights per quarter; on failure the
 * set keeps to the general projection. */
static void linear_paths(const cx_plan *p, pset *st)
{
    if (!(st->path = cx_calloc(MAXPATHS, sizeof(ppath))))
        return;
    ppath chain;
    memset(&chain, 0, sizeof chain);
    int rc = 0;
    for (size_t i = 0; i < st->neff && !rc; i++)
        rc = walk(p, st, st->eff[i], p->eff_var[st->eff[i]], 0, &chain);
    size_t *qof = cx_calloc(p->T + 1, sizeof(size_t));
    if (!qof)
        rc = -1;
    for (size_t t = 0, q = 0, left = p->nper[0]; !rc && t < p->T; t++) {
        while (left == 0)
            left = p->nper[++q];
        qof[t] = q;
        left--;
    }
    for (size_t i = 0; i < st->npath && !rc; i++) {
        ppath *x = &st->path[i];
        size_t L = x->lag;
        if (!(x->w = cx_calloc((size_t)p->H, sizeof(double)))) {
            rc = -1;
            break;
        }
        const effect *ef = p->eff[x->eff];
        for (size_t t = L; t < p->T; t++)
            x->w[qof[t]] += cx_effect_share(ef, (int)qof[t - L]);
        for (int q = 0; q < p->H; q++)
            x->w[q] *= x->revenue ? (double)p->nunits : 1.0 / (double)p->nper[q];
    }
    cx_free(qof);
    if (rc) {
        for (size_t i = 0; i < st->npath; i++)
            cx_free(st->path[i].w);
        cx_free(st->path);
        st->path = NULL;
        st->npath = 0;
    }
}

long cx_plan_add_set(cx_plan *p, const size_t *inits, size_t n, cx_error *err)
{
    if (p->nset == p->capset) {
        size_t cap = p->capset ? 2 * p->capset : 8;
        pset *grown = cx_realloc(p->set, cap * sizeof(pset));
        if (!grown) {
            oom(err);
            return -1;
        }
        p->set = grown;
        p->capset = cap;
    }
    pset *st = &p->set[p->nset];
    memset(st, 0, sizeof *st);
    st->eff = cx_calloc(p->neff + 1, sizeof(size_t));
    st->cost = cx_calloc(p->ncost + 1, sizeof(size_t));
    st->touched = cx_calloc(p->nv + 1, 1);
    st->term_on = cx_calloc(p->nterms + 1, 1);
    if (!st->eff || !st->cost || !st->touched || !st->term_on) {
        cx_free(st->eff);
        cx_free(st->cost);
        cx_free(st->touched);
        cx_free(st->term_on);
        oom(err);
        return -1;
    }
    int invariant = 1;
    for (size_t i = 0; i < n; i++) {
        for (size_t g = 0; g < p->neff; g++)
            if (p->eff_ref[g].init == inits[i]) {
                st->eff[st->neff++] = g;
                st->touched[p->eff_var[g]] = 1;
                if (p->eff[g]->is_target)
                    invariant = 0;
            }
        for (size_t g = 0; g < p->ncost; g++)
            if (p->cost_ref[g].init == inits[i])
                st->cost[st->ncost++] = g;
    }
    for (size_t e = 0; e < p->neq; e++)
        for (size_t t = 0; t < p->eq[e].nt; t++) {
            const pterm *tm = &p->eq[e].t[t];
            for (size_t f = 0; f < tm->nf; f++)
                if (st->touched[tm->f[f].var])
                    st->term_on[p->eq[e].first + t] = 1;
            if (st->term_on[p->eq[e].first + t]) {
                st->touched[p->eq[e].target] = 1;
                if (!tm->linear)
                    invariant = 0;
            }
        }
    st->invariant = invariant;
    if (invariant)
        linear_paths(p, st);
    return (long)p->nset++;
}

size_t cx_plan_nsets(const cx_plan *p) { return p->nset; }

int cx_plan_sets_interact(const cx_plan *p, size_t a, size_t b)
{
    const pset *x = &p->set[a], *y = &p->set[b];
    for (size_t i = 0; i < x->neff; i++)
        for (size_t j = 0; j < y->neff; j++)
            if (p->eff_var[x->eff[i]] == p->eff_var[y->eff[j]])
                return 1; /* one metric moved by both */
    for (size_t t = 0; t < p->nterms; t++)
        if (x->term_on[t] && y->term_on[t]) {
            /* a term both change, where the changes do not simply add */
            for (size_t e = 0; e < p->neq; e++)
                if (t >= p->eq[e].first && t < p->eq[e].first + p->eq[e].nt && !p->eq[e].t[t - p->eq[e].first].linear)
                    return 1;
        }
    return 0;
}

/* Which target is reported as NPS, and which as revenue. */
static cx_status reported(cx_plan *p, cx_error *err)
{
    p->nps = find_var(p, "nps");
    p->rev = find_var(p, "revenue");
    if (p->nps == NONE || p->v[p->nps].eq < 0)
        p->nps = p->eq[0].target;
    if (p->rev == NONE || p->v[p->rev].eq < 0)
        p->rev = p->eq[p->neq - 1].target;
    if (p->rev == p->nps)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "the model needs an equation for revenue besides the one for %s: name its target "
                            "'revenue'", p->v[p->nps].name);
    return CX_OK;
}

cx_status cx_plan_new(const cx_scenario *s, const cx_model *m, const cx_table *panel, size_t unit_cols,
                      cx_plan **out, cx_error *err)
{
    *out = NULL;
    cx_plan *p = cx_calloc(1, sizeof *p);
    if (!p)
        return oom(err);
    p->s = s;
    p->m = m;
    p->H = cx_scenario_horizon(s);
    int32_t first = 0;
    cx_status st = cx_model_nequations(m) ? CX_OK
                                          : cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the model has no equations");
    if (st == CX_OK)
        st = build_equations(p, err);
    if (st == CX_OK)
        st = reported(p, err);
    if (st == CX_OK) {
        const cx_period *per = cx_table_periods(panel, 0);
        if (!per || cx_table_nrows(panel) == 0)
            st = cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the data have no period column or no rows");
        else
            st = horizon_periods(p, (cx_period_kind)per[0].kind, &first, err);
    }
    if (st == CX_OK)
        st = segments(p, err);
    if (st == CX_OK)
        st = baselines(p, panel, unit_cols, err);
    if (st == CX_OK)
        st = inputs(p, err);
    if (st != CX_OK) {
        cx_plan_free(p);
        return st;
    }
    *out = p;
    return CX_OK;
}

/* ---- projecting ------------------------------------------------------------ */

plan_work *cx_plan_work_new(const cx_plan *p)
{
    plan_work *w = cx_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    size_t H = (size_t)p->H;
    for (size_t k = 0; k < p->nset; k++)
        w->maxpath = p->set[k].npath > w->maxpath ? p->set[k].npath : w->maxpath;
    w->d = cx_calloc(p->nv * p->nseg + 1, sizeof(double));
    w->gain = cx_calloc(w->maxpath * CX_PLAN_LANES + 1, sizeof(double));
    w->amount = cx_calloc(p->ncost * CX_PLAN_LANES + 1, sizeof(double));
    w->out.delta_nps = cx_calloc(H * CX_PLAN_LANES, sizeof(double));
    w->out.delta_revenue = cx_calloc(H * CX_PLAN_LANES, sizeof(double));
    w->out.costs = cx_calloc(H * CX_PLAN_LANES, sizeof(double));
    w->out.deduct = cx_calloc(H * CX_PLAN_LANES, sizeof(double));
    w->one = cx_calloc(4 * H, sizeof(double));
    if (!w->d || !w->gain || !w->amount || !w->out.delta_nps || !w->out.delta_revenue || !w->out.costs ||
        !w->out.deduct || !w->one) {
        cx_plan_work_free(w);
        return NULL;
    }
    return w;
}

void cx_plan_work_free(plan_work *w)
{
    if (w) {
        cx_free(w->d);
        cx_free(w->gain);
        cx_free(w->amount);
        cx_free(w->out.delta_nps);
        cx_free(w->out.delta_revenue);
        cx_free(w->out.costs);
        cx_free(w->out.deduct);
        cx_free(w->one);
        cx_free(w);
    }
}

/* The costs of set k by quarter, cash into c[q * stride] and the tax
 * deduction into d[q * stride] (both zeroed by the caller). */
static void set_costs(const cx_plan *p, const pset *set, const double *amount, double *c, double *d, size_t stride)
{
    size_t H = (size_t)p->H;
    for (size_t i = 0; i < set->ncost; i++) {
        size_t g = set->cost[i];
        const int *span = p->cost_span + 4 * g;
        for (int q = span[0]; q <= span[1]; q++)
            c[(size_t)q * stride] += amount[g] * p->cost_cash[g * H + (size_t)q];
        for (int q = span[2]; q <= span[3]; q++)
            d[(size_t)q * stride] += amount[g] * p->cost_tax[g * H + (size_t)q];
    }
}

int cx_plan_project_lane(const cx_plan *p, size_t k, const plan_inputs *in, plan_work *w, size_t i,
                         const char **bad_var)
{
    const pset *set = &p->set[k];
    size_t L = CX_PLAN_LANES, H = (size_t)p->H;
    plan_batch *b = &w->out;
    if (set->path && set->npath <= w->maxpath) {
        /* linear: only each path's gain and each cost's amount now, the
         * quarters for the whole batch in cx_plan_project_batch */
        for (size_t j = 0; j < set->npath; j++) {
            const ppath *x = &set->path[j];
            double c = in->effect[x->eff];
            for (size_t n = 0; n < x->n; n++)
                c *= in->coef[x->eq[n]][x->coef[n]];
            w->gain[j * L + i] = c;
        }
        for (size_t j = 0; j < set->ncost; j++)
            w->amount[j * L + i] = in->cost[set->cost[j]];
        return 0;
    }
    plan_out one = {w->one, w->one + H, w->one + 2 * H, w->one + 3 * H};
    if (cx_plan_project(p, k, in, w, &one, bad_var) != 0)
        return -1;
    for (size_t q = 0; q < H; q++) {
        b->delta_nps[q * L + i] = one.delta_nps[q];
        b->delta_revenue[q * L + i] = one.delta_revenue[q];
        b->costs[q * L + i] = one.costs[q];
        b->deduct[q * L + i] = one.deduct[q];
    }
    return 0;
}

CX_BATCH_LOOPS
const plan_batch *cx_plan_project_batch(const cx_plan *p, size_t k, plan_work *w)
{
    const pset *set = &p->set[k];
    size_t L = CX_PLAN_LANES, H = (size_t)p->H;
    plan_batch *b = &w->out;
    if (!(set->path && set->npath <= w->maxpath))
        return b; /* every lane projected already */
    for (size_t q = 0; q < H * L; q++)
        b->delta_nps[q] = b->delta_revenue[q] = b->costs[q] = b->deduct[q] = 0;
    for (size_t j = 0; j < set->ncost; j++) {
        size_t g = set->cost[j];
        const int *span = p->cost_span + 4 * g;
        const double *a = w->amount + j * L, *cash = p->cost_cash + g * H, *tax = p->cost_tax + g * H;
        for (int q = span[0]; q <= span[1]; q++) {
            double *cq = b->costs + (size_t)q * L, f = cash[q];
            for (size_t i = 0; i < CX_PLAN_LANES; i++)
                cq[i] += a[i] * f;
        }
        for (int q = span[2]; q <= span[3]; q++) {
            double *dq = b->deduct + (size_t)q * L, f = tax[q];
            for (size_t i = 0; i < CX_PLAN_LANES; i++)
                dq[i] += a[i] * f;
        }
    }
    /* cx_plan_project's sums in its order, lane by lane in the inner loop */
    for (size_t j = 0; j < set->npath; j++) {
        const ppath *x = &set->path[j];
        double *o = x->revenue ? b->delta_revenue : b->delta_nps;
        const double *g = w->gain + j * L;
        for (size_t q = 0; q < H; q++) {
            double wq = x->w[q];
            if (wq == 0)
                continue; /* before the effect starts: adds 0 */
            double *oq = o + q * L;
            for (size_t i = 0; i < CX_PLAN_LANES; i++)
                oq[i] += g[i] * wq;
        }
    }
    return b;
}

/* The change of term t in segment g of unit u; NaN outside a log's domain. */
static double term_delta(const cx_plan *p, const pterm *t, const double *d, size_t g, size_t u)
{
    size_t nseg = p->nseg;
    double prod = 1, acc = 0;
    for (size_t f = 0; f < t->nf; f++) {
        const pfactor *fa = &t->f[f];
        double dv;
        if (fa->kind == CX_F_LAG) {
            long j = p->lagseg[fa->lag * nseg + g];
            dv = j < 0 ? 0 : d[fa->var * nseg + (size_t)j];
        } else
            dv = d[fa->var * nseg + g];
        if (t->linear)
            return dv;
        double b = p->v[fa->var].base[u], fb, fd;
        switch (fa->kind) {
        case CX_F_LOG:
            if (!(b + dv > 0))
                return NAN;
            fb = log(b);
            fd = log1p(dv / b);
            break;
        case CX_F_POW:
            fb = pow(b, fa->k);
            fd = pow(b + dv, fa->k) - fb;
            break;
        default:
            fb = b;
            fd = dv;
            break;
        }
        acc = prod * fd + acc * (fb + fd);
        prod *= fb;
    }
    return acc;
}

/* The changes of every column set k touches in unit u, per segment, into
 * d (nv x nseg; the columns it does not touch stay as they are: 0).
 * Returns 0, or -1 when a level leaves a log's domain (*bad_var names it). */
static int unit_changes(const cx_plan *p, const pset *set, const plan_inputs *in, double *d, size_t u,
                        const char **bad_var)
{
    size_t nseg = p->nseg;
    const unsigned char *touched = set->touched, *on = set->term_on;
    for (size_t v = 0; v < p->nv; v++)
        if (touched[v])
            memset(d + v * nseg, 0, nseg * sizeof(double));
    /* the effects, ramped by quarter */
    for (size_t i = 0; i < set->neff; i++) {
        size_t g = set->eff[i];
        const effect *ef = p->eff[g];
        double full = in->effect[g] - (ef->is_target ? p->v[p->eff_var[g]].base[u] : 0);
        double *dv = d + p->eff_var[g] * nseg;
        const double *share = p->eff_share + g * nseg;
        for (size_t s = 0; s < nseg; s++)
            dv[s] += full * share[s];
    }
    /* the equations in dependency order */
    for (size_t e = 0; e < p->neq; e++) {
        const peq *eq = &p->eq[e];
        if (!touched[eq->target])
            continue;
        const double *coef = in->coef[eq->model_eq];
        double *dt = d + eq->target * nseg;
        for (size_t t = 0; t < eq->nt; t++) {
            if (!on[eq->first + t])
                continue;
            const pterm *tm = &eq->t[t];
            double c = coef[tm->coef];
            for (size_t s = 0; s < nseg; s++) {
                double x = term_delta(p, tm, d, s, u);
                if (isnan(x)) {
                    for (size_t f = 0; f < tm->nf; f++)
                        if (tm->f[f].kind == CX_F_LOG)
                            *bad_var = p->v[tm->f[f].var].name;
                    return -1;
                }
                dt[s] += c * x;
            }
        }
    }
    return 0;
}

const double *cx_plan_unit_changes(const cx_plan *p, size_t k, const plan_inputs *in, plan_work *w, size_t u,
                                   const char **bad_var)
{
    memset(w->d, 0, p->nv * p->nseg * sizeof(double));
    return unit_changes(p, &p->set[k], in, w->d, u, bad_var) == 0 ? w->d : NULL;
}

int cx_plan_project(const cx_plan *p, size_t k, const plan_inputs *in, plan_work *w, plan_out *out,
                    const char **bad_var)
{
    int H = p->H;
    size_t nseg = p->nseg, nv = p->nv;
    const pset *set = &p->set[k];
    const unsigned char *touched = set->touched;
    for (int q = 0; q < H; q++)
        out->delta_nps[q] = out->delta_revenue[q] = out->costs[q] = out->deduct[q] = 0;
    if (set->path) {
        /* linear: every path's weights, scaled by the effect and its chain of coefficients */
        for (size_t i = 0; i < set->npath; i++) {
            const ppath *x = &set->path[i];
            double c = in->effect[x->eff];
            for (size_t j = 0; j < x->n; j++)
                c *= in->coef[x->eq[j]][x->coef[j]];
            double *o = x->revenue ? out->delta_revenue : out->delta_nps;
            for (int q = 0; q < H; q++)
                o[q] += c * x->w[q];
        }
        goto costs;
    }
    size_t nu = set->invariant ? 1 : p->nunits;
    double weight = set->invariant ? (double)p->nunits : 1.0;
    double *d = w->d;
    /* every column starts unchanged: a term the set touches may also read a
     * factor it does not (conversion:ctr when only conversion moves), whose
     * change must be 0, not what another set left in the scratch space */
    memset(d, 0, nv * nseg * sizeof(double));
    for (size_t u = 0; u < nu; u++) {
        if (unit_changes(p, set, in, d, u, bad_var) != 0)
            return -1;
        const double *dn = d + p->nps * nseg, *dr = d + p->rev * nseg;
        int nps_on = touched[p->nps], rev_on = touched[p->rev];
        for (size_t s = 0; s < nseg; s++) {
            double len = weight * (double)p->seg_len[s];
            if (nps_on)
                out->delta_nps[p->seg_q[s]] += len * dn[s];
            if (rev_on)
                out->delta_revenue[p->seg_q[s]] += len * dr[s];
        }
    }
    for (int q = 0; q < H; q++)
        out->delta_nps[q] /= (double)p->nunits * (double)p->nper[q];
costs:
    set_costs(p, set, in->cost, out->costs, out->deduct, 1);
    return 0;
}

/* Warnings about scenario k's effects: a metric moved outside the range
 * observed in the fitted data. */
cx_status cx_plan_range_warnings(const cx_plan *p, size_t k, cx_warnings *warn)
{
    const cx_scenario *s = p->s;
    const pset *set = &p->set[k];
    for (size_t i = 0; i < set->neff; i++) {
        size_t g = set->eff[i];
        const effect *ef = p->eff[g];
        const pvar *v = &p->v[p->eff_var[g]];
        if (isnan(v->lo))
            continue;
        /* the full effect of every effect of the scenario on this metric */
        size_t worst = NONE;
        double level = 0, gap = 0;
        for (size_t u = 0; u < p->nunits; u++) {
            double x = ef->is_target ? ef->value : v->base[u];
            if (!ef->is_target)
                for (size_t j = 0; j < set->neff; j++)
                    if (p->eff_var[set->eff[j]] == p->eff_var[g] && !p->eff[set->eff[j]]->is_target)
                        x += p->eff[set->eff[j]]->value;
            double out = x < v->lo ? v->lo - x : x > v->hi ? x - v->hi : 0;
            if (out > gap) {
                gap = out;
                worst = u;
                level = x;
            }
        }
        if (worst == NONE)
            continue;
        /* once per metric: only from its first effect in the scenario */
        int first = 1;
        for (size_t j = 0; j < i; j++)
            first &= p->eff_var[set->eff[j]] != p->eff_var[g];
        if (!first)
            continue;
        input_ref r = p->eff_ref[g];
        cx_status st = cx_warnings_add(warn, "'%s' moves %s to %.6g in %s, outside the range observed in the "
                                       "fitted data (%.6g to %.6g): the model extrapolates there "
                                       "(/initiatives/%zu/effects/%zu)",
                                       s->init[r.init].id, v->name, level, p->unit[worst], v->lo, v->hi, r.init, r.k);
        if (st != CX_OK)
            return st;
    }
    return CX_OK;
}

const ppath *cx_plan_paths(const cx_plan *p, size_t k, size_t *n)
{
    *n = p->set[k].path ? p->set[k].npath : 0;
    return p->set[k].path;
}

size_t cx_plan_quarter_periods(const cx_plan *p, int q)
{
    return q >= 0 && q < p->H ? p->nper[q] : 0;
}

size_t cx_plan_lag_periods(const cx_plan *p, size_t lag, int q, int back)
{
    /* the periods t of quarter q with t - lag in the horizon, in quarter q - back */
    size_t start = 0;
    for (int i = 0; i < q; i++)
        start += p->nper[i];
    size_t n = 0;
    for (size_t t = start; t < start + p->nper[q]; t++) {
        if (t < lag)
            continue;
        size_t u = t - lag, acc = 0;
        int qu = 0;
        while (qu < p->H && u >= acc + p->nper[qu])
            acc += p->nper[qu++];
        n += qu == q - back;
    }
    return n;
}
