/*
 * gap.c - the gap between a frozen case and what happened, per target and
 * quarter, split into parts that add up to it exactly.
 *
 * Per unit and period of the data (rows of the panel) and per equation in
 * dependency order:
 *   plan     = the frozen model at the planned metric paths (baseline plus
 *              the plan's change; a target another equation reads enters
 *              at its own plan);
 *   ex post  = the frozen model at the metrics as they turned out (a
 *              target another equation reads enters at its actual value);
 *   actual   = the observed target.
 * ex post - plan is the frozen model's answer to the metrics' departure
 * from plan.  Each metric's departure is execution (the initiative's
 * realised effect, tau x exposure by difference-in-differences, less the
 * planned change) plus metric drift (the rest); a target read by another
 * equation departs by its own four parts.  The model's change is split
 * among the four parts by averaging over their orders (bridge.c), so that
 * logs, powers and interactions stay exact.  actual - ex post is the
 * residual: its regression on the term changes since the baseline over the
 * reviewed quarter's rows (engine fit, SEs clustered by unit) is the
 * response part, the rest baseline drift.  Sums over the quarter's rows
 * (revenue) or means (NPS and the rest), as simulate aggregates, keep the
 * identity plan + parts = actual exactly.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxcase/model.h"
#include "../core/core.h"
#include "gap.h"

#define NONE ((size_t)-1)

typedef struct G {
    const frozen *f;
    const cx_table *panel;
    const rollout *ro;
    size_t n, nv, neq;
    long *unit;           /* per row: unit in f->unit, or -1 */
    size_t *first;        /* per row: first row of its unit */
    int *qi;              /* per row: quarter index in the horizon (negative before it) */
    char (*qname)[4];     /* per row: "Q1" .. "Q4" */
    size_t *col;          /* per variable: panel column, or NONE */
    size_t **catcol;      /* per equation and term: panel column of C(col), or NONE */
    double *A, *P, *B;    /* nv x n: actual, plan, baseline */
    double *part;         /* nv x NPARTS x n */
    double *expo;         /* neff x n */
    double *tau;          /* neff: the realised effect per unit of exposure (0 when not separable) */
    double *EP;           /* neq x n */
    unsigned char *ok;    /* neq x n: every value the row needs is there */
    double **gamma, **gcov; /* per equation: the response coefficients and their covariance */
    size_t *ngamma;
    double *gdf;          /* per equation: residual df of the response fit */
    double *x, *work;     /* scratch: slots of W values (see gap_run) */
    size_t W;
    int Q;
} G;

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* ======================================================================== */
/* The frozen model at given inputs                                         */
/* ======================================================================== */

/* The value of term t at the equation's inputs x. */
static double term_value(const fterm *t, const double *x)
{
    double v = 1;
    for (size_t j = 0; j < t->t.nf; j++) {
        double a = x[t->in[j]];
        switch (t->t.f[j].kind) {
        case CX_F_LOG:
            v *= log(a);
            break;
        case CX_F_POW:
            v *= pow(a, t->t.f[j].k);
            break;
        default:
            v *= a;
        }
    }
    return v;
}

typedef struct feval {
    const fequ *q;
    const double *coef;
} feval;

/* The changing part of an equation: its terms but the intercept and C(x). */
static double f_eval(const double *x, void *ctx)
{
    const feval *e = ctx;
    double s = 0;
    for (size_t k = 0; k < e->q->p; k++)
        if (e->q->t[k].kind == FT_EXPR)
            s += e->coef[k] * term_value(&e->q->t[k], x);
    return s;
}

/* The value of term k of equation e in row i that f_eval leaves out: 1 for
 * the intercept, 0 or 1 for a level of C(x); NaN for the others. */
static double fixed_value(const G *g, size_t e, size_t k, size_t i)
{
    const fterm *t = &g->f->eq[e].t[k];
    if (t->kind == FT_ICPT)
        return 1;
    if (t->kind != FT_CAT)
        return NAN;
    const char *lv = NULL;
    if (g->catcol[e][k] != NONE)
        lv = cx_table_text(g->panel, g->catcol[e][k], i);
    else if (strcmp(t->col, "quarter") == 0)
        lv = g->qname[i];
    return lv && strcmp(lv, t->level) == 0 ? 1 : 0;
}

static double fixed_part(const G *g, size_t e, const double *coef, size_t i)
{
    double s = 0;
    for (size_t k = 0; k < g->f->eq[e].p; k++)
        if (g->f->eq[e].t[k].kind != FT_EXPR)
            s += coef[k] * fixed_value(g, e, k, i);
    return s;
}

/* The inputs of equation e in row i from the nv x n values `V` into x;
 * 0 when one is missing or reaches before the unit's first row. */
static int inputs(const G *g, size_t e, const double *V, size_t i, double *x)
{
    const fequ *q = &g->f->eq[e];
    for (size_t k = 0; k < q->nin; k++) {
        size_t lag = (size_t)q->in_lag[k];
        if (i < g->first[i] + lag)
            return 0;
        x[k] = V[q->in_var[k] * g->n + i - lag];
        if (!isfinite(x[k]))
            return 0;
    }
    return 1;
}

/* ======================================================================== */
/* Rows, values and the plan                                                */
/* ======================================================================== */

/* The unit of row i as the case names it ("A / B" for several columns). */
static long unit_of(const G *g, size_t ucols, size_t i)
{
    char key[512];
    size_t len = 0;
    key[0] = '\0';
    for (size_t c = 0; c < ucols; c++) {
        const char *s = cx_table_text(g->panel, 1 + c, i);
        len += (size_t)snprintf(key + len, sizeof key - (len < sizeof key ? len : sizeof key), "%s%s",
                                c ? " / " : "", s ? s : "");
        if (len >= sizeof key)
            return -1;
    }
    for (size_t u = 0; u < g->f->nunits; u++)
        if (strcmp(g->f->unit[u], key) == 0)
            return (long)u;
    return -1;
}

static cx_status rows_of(G *g, size_t ucols, cx_error *err)
{
    const cx_period *per = cx_table_periods(g->panel, 0);
    for (size_t i = 0; i < g->n; i++) {
        g->unit[i] = unit_of(g, ucols, i);
        g->first[i] = i > 0 && g->unit[i] == g->unit[i - 1] ? g->first[i - 1] : i;
        cx_period q = cx_period_quarter(per[i]);
        if (q.kind == CX_PERIOD_NONE)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the data's periods (%s) have no quarter",
                                cx_period_kind_name(per[i].kind));
        g->qi[i] = (int)(q.value - g->f->start.value);
        snprintf(g->qname[i], sizeof g->qname[i], "Q%d", (int)(((q.value % 4) + 4) % 4) + 1);
    }
    return CX_OK;
}

/* The planned change of effect k in unit u and quarter qi. */
static double planned(const frozen *f, size_t k, long u, int qi)
{
    if (u < 0 || qi < 0)
        return 0;
    return f->eff[k].delta[(size_t)u * (size_t)f->H + (size_t)(qi < f->H ? qi : f->H - 1)];
}

/* The exposure of unit u to effect k in quarter qi: its realised ramp
 * share (the planned ramp, delayed as the rollout says; 0 where never). */
static double exposure(const frozen *f, const rollout *ro, size_t k, long u, int qi)
{
    if (u < 0)
        return 0;
    int shift = ro->shift[k * f->nunits + (size_t)u];
    double full = f->eff[k].delta[(size_t)u * (size_t)f->H + (size_t)f->H - 1];
    if (shift < 0 || full == 0)
        return 0;
    return planned(f, k, u, qi - shift) / full;
}

/* Actual values, baselines and the metrics' planned paths. */
static cx_status values_of(G *g, cx_error *err)
{
    const frozen *f = g->f;
    for (size_t v = 0; v < g->nv; v++) {
        g->col[v] = cx_table_find(g->panel, f->v[v].name);
        if (g->col[v] >= cx_table_ncols(g->panel) || cx_table_coltype(g->panel, g->col[v]) != CX_COL_NUMBER)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the data have no numeric column '%s', which case %zu's "
                                "model reads", f->v[v].name, f->seq);
        if (!f->v[v].base)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "case %zu has no baseline of '%s'", f->seq, f->v[v].name);
        const double *a = cx_table_numbers(g->panel, g->col[v]);
        for (size_t i = 0; i < g->n; i++) {
            g->A[v * g->n + i] = g->unit[i] < 0 ? NAN : a[i];
            g->B[v * g->n + i] = g->unit[i] < 0 ? NAN : f->v[v].base[g->unit[i]];
            g->P[v * g->n + i] = g->B[v * g->n + i];
        }
    }
    for (size_t k = 0; k < f->neff; k++)
        for (size_t i = 0; i < g->n; i++) {
            g->P[f->eff[k].var * g->n + i] += planned(f, k, g->unit[i], g->qi[i]);
            g->expo[k * g->n + i] = exposure(f, g->ro, k, g->unit[i], g->qi[i]);
        }
    for (size_t e = 0; e < g->neq; e++)
        for (size_t k = 0; k < f->eq[e].p; k++) {
            const fterm *t = &f->eq[e].t[k];
            g->catcol[e][k] = t->kind == FT_CAT ? cx_table_find(g->panel, t->col) : NONE;
            if (g->catcol[e][k] != NONE && (g->catcol[e][k] >= cx_table_ncols(g->panel) ||
                                            cx_table_coltype(g->panel, g->catcol[e][k]) != CX_COL_TEXT))
                g->catcol[e][k] = NONE;
        }
    return CX_OK;
}

/* The plan of every target in P (nv x n, the metrics' plan already there)
 * with coefficients coef[e] per equation. */
static void plan_pass(const G *g, const double *const *coef, double *P, double *x)
{
    for (size_t e = 0; e < g->neq; e++) {
        const fequ *q = &g->f->eq[e];
        feval fe = {q, coef[e]};
        for (size_t i = 0; i < g->n; i++)
            P[q->tvar * g->n + i] = g->unit[i] >= 0 && inputs(g, e, P, i, x)
                                        ? fixed_part(g, e, coef[e], i) + f_eval(x, &fe) : NAN;
    }
}

/* ======================================================================== */
/* Execution by difference-in-differences                                   */
/* ======================================================================== */

/* The realised effect of effect k per unit of exposure, from the rows of
 * the year before the horizon up to the reviewed quarter. */
static cx_status did_of(const G *g, size_t k, cx_did *out, cx_error *err)
{
    const frozen *f = g->f;
    size_t v = f->eff[k].var, nr;
    cx_table *t = cx_table_new("rollout");
    cx_status st = t ? CX_OK : oom(err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "period", CX_COL_PERIOD, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "unit", CX_COL_TEXT, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "exposure", CX_COL_NUMBER, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, f->v[v].name, CX_COL_NUMBER, NULL, err);
    for (size_t i = 0; st == CX_OK && i < g->n; i++) {
        if (g->unit[i] < 0 || g->qi[i] < -4 || g->qi[i] > g->Q || !isfinite(g->A[v * g->n + i]))
            continue;
        if ((st = cx_table_add_row(t, 0, &nr)) != CX_OK)
            break;
        cx_table_set_period(t, 0, nr, cx_table_periods(g->panel, 0)[i]);
        st = cx_table_set_text(t, 1, nr, f->unit[g->unit[i]]);
        cx_table_set_number(t, 2, nr, g->expo[k * g->n + i]);
        cx_table_set_number(t, 3, nr, g->A[v * g->n + i]);
    }
    if (st == CX_OK) {
        /* a rollout the data cannot tell from the unit and period effects
         * is not separable, never a failed review */
        cx_error derr;
        cx_error_init(&derr);
        cx_status ds = cx_did_fit(t, f->v[v].name, out, &derr);
        if (ds == CX_ENOMEM)
            st = oom(err);
        else if (ds != CX_OK)
            out->separable = 0, out->tau = out->se = NAN;
    }
    cx_table_free(t);
    return st;
}

/* The execution and drift parts of every metric in every row, with the
 * realised effects tau; the response and baseline parts of a metric are 0. */
static void metric_parts(G *g, const double *tau)
{
    const frozen *f = g->f;
    for (size_t v = 0; v < g->nv; v++) {
        if (f->v[v].eq >= 0)
            continue;
        double *pe = g->part + (v * NPARTS + P_EXEC) * g->n, *pd = pe + g->n;
        for (size_t i = 0; i < g->n; i++) {
            pe[i] = 0;
            pd[i] = g->A[v * g->n + i] - g->P[v * g->n + i];
            pd[g->n + i] = pd[2 * g->n + i] = 0;
        }
        for (size_t k = 0; k < f->neff; k++)
            if (f->eff[k].var == v && tau[k] == tau[k])
                for (size_t i = 0; i < g->n; i++) {
                    double ex = tau[k] * g->expo[k * g->n + i] - planned(f, k, g->unit[i], g->qi[i]);
                    pe[i] += ex;
                    pd[i] -= ex;
                }
    }
}

/* ======================================================================== */
/* The response: the residuals regressed on the term changes                */
/* ======================================================================== */

/* The change of every changing term of equation e in row i since the
 * baseline into d; 0 when a value is missing. */
static int term_changes(const G *g, size_t e, size_t i, double *d, double *x, double *xb)
{
    const fequ *q = &g->f->eq[e];
    if (!inputs(g, e, g->A, i, x) || !inputs(g, e, g->B, i, xb))
        return 0;
    size_t m = 0;
    for (size_t k = 0; k < q->p; k++)
        if (q->t[k].kind == FT_EXPR)
            d[m++] = term_value(&q->t[k], x) - term_value(&q->t[k], xb);
    return 1;
}

/* gamma and its covariance for equation e: the quarter's mean residual of
 * each unit regressed on its mean term changes since the baseline (engine
 * fit, least squares with classic SEs on one row per unit, so that what a
 * unit shares over its periods counts once); *separable = 0 when the
 * changes barely vary across units (too few units, or near collinear with
 * the level). */
static cx_status response_fit(G *g, size_t e, int *separable, cx_error *err)
{
    const fequ *q = &g->f->eq[e];
    size_t m = 0, nr, nu = g->f->nunits;
    for (size_t k = 0; k < q->p; k++)
        m += q->t[k].kind == FT_EXPR;
    *separable = 0;
    g->ngamma[e] = m;
    if (m == 0)
        return CX_OK;
    double *sum = cx_calloc((m + 2) * nu + 1, sizeof(double));
    cx_buf spec = {0};
    cx_table *t = cx_table_new("response");
    cx_status st = t && sum ? cx_buf_printf(&spec, "{\"name\": \"response\", \"equations\": "
                                            "[{\"target\": \"r\", \"terms\": [") : oom(err);
    for (size_t k = 0; st == CX_OK && k < m; k++)
        st = cx_buf_printf(&spec, "%s\"d%zu\"", k ? ", " : "", k + 1);
    if (st == CX_OK)
        st = cx_buf_printf(&spec, "]}]}");
    if (st == CX_OK)
        st = cx_table_add_column(t, "r", CX_COL_NUMBER, NULL, err);
    for (size_t k = 0; st == CX_OK && k < m; k++) {
        char name[32];
        snprintf(name, sizeof name, "d%zu", k + 1);
        st = cx_table_add_column(t, name, CX_COL_NUMBER, NULL, err);
    }
    /* per unit: count, mean residual, mean changes */
    double *d = g->work + 2 * g->W, *xb = g->work + g->W;
    for (size_t i = 0; st == CX_OK && i < g->n; i++) {
        if (g->qi[i] != g->Q || !g->ok[e * g->n + i] || !term_changes(g, e, i, d, g->x, xb))
            continue;
        double *su = sum + (size_t)g->unit[i] * (m + 2);
        su[0] += 1;
        su[1] += g->A[q->tvar * g->n + i] - g->EP[e * g->n + i];
        for (size_t k = 0; k < m; k++)
            su[2 + k] += d[k];
    }
    size_t rows = 0;
    for (size_t u = 0; st == CX_OK && u < nu; u++) {
        const double *su = sum + u * (m + 2);
        if (su[0] == 0)
            continue;
        if ((st = cx_table_add_row(t, 0, &nr)) != CX_OK)
            break;
        rows++;
        for (size_t k = 0; k < m + 1; k++)
            cx_table_set_number(t, k, nr, su[1 + k] / su[0]);
    }
    cx_spec *sp = NULL;
    cx_model *mod = NULL;
    if (st == CX_OK && rows >= m + 3)
        st = cx_spec_parse(spec.data, spec.len, "response", &sp, err);
    if (st == CX_OK && sp) {
        cx_error ferr;
        cx_error_init(&ferr);
        cx_status fs = cx_fit_table(sp, t, NULL, &mod, NULL, &ferr);
        if (fs == CX_ENOMEM)
            st = oom(err);
        else if (fs == CX_OK) {
            const cx_equation *eq = cx_model_equation(mod, 0);
            double cond = cx_equation_stat(eq, CX_STAT_CONDITION);
            *separable = isfinite(cond) && cond < 1e8;
            g->gdf[e] = cx_equation_stat(eq, CX_STAT_DF_RESID);
            const double *b = cx_equation_coef(eq), *V = cx_equation_covariance(eq);
            size_t p = cx_equation_ncoef(eq);
            for (size_t k = 0; *separable && k < m; k++) {
                char name[32];
                snprintf(name, sizeof name, "d%zu", k + 1);
                size_t jk = cx_equation_coef_index(eq, name);
                g->gamma[e][k] = b[jk];
                for (size_t l = 0; l < m; l++) {
                    snprintf(name, sizeof name, "d%zu", l + 1);
                    g->gcov[e][k * m + l] = V[jk * p + cx_equation_coef_index(eq, name)];
                }
            }
        }
    }
    if (!*separable)
        memset(g->gamma[e], 0, m * sizeof(double));
    cx_free(sum);
    cx_model_free(mod);
    cx_spec_free(sp);
    cx_table_free(t);
    cx_buf_free(&spec);
    return st;
}

/* ======================================================================== */
/* The bridge, row by row                                                   */
/* ======================================================================== */

/* Equation e in every row: ex post, completeness, and its target's four
 * parts (the response fitted first when `fit`). */
static cx_status bridge_pass(G *g, size_t e, int fit, int *resp_sep, cx_error *err)
{
    const fequ *q = &g->f->eq[e];
    feval fe = {q, q->coef};
    size_t nin = q->nin, n = g->n;
    double *xp = g->work, *xa = xp + g->W, *d = xa + g->W;
    double *parts = g->work + 3 * g->W, *bwork = parts + NPARTS * g->W;
    double *tp = g->part + q->tvar * NPARTS * n;
    for (size_t i = 0; i < n; i++) {
        int ok = g->unit[i] >= 0 && inputs(g, e, g->P, i, xp) && inputs(g, e, g->A, i, xa) &&
                 isfinite(g->A[q->tvar * n + i]);
        g->ok[e * n + i] = (unsigned char)ok;
        g->EP[e * n + i] = ok ? fixed_part(g, e, q->coef, i) + f_eval(xa, &fe) : NAN;
    }
    if (fit) {
        cx_status st = response_fit(g, e, resp_sep, err);
        if (st != CX_OK)
            return st;
    }
    size_t m = g->ngamma[e];
    for (size_t i = 0; i < n; i++) {
        for (size_t p = 0; p < NPARTS; p++)
            tp[p * n + i] = NAN;
        if (!g->ok[e * n + i])
            continue;
        inputs(g, e, g->P, i, xp);
        for (size_t k = 0; k < nin; k++) {
            size_t j = i - (size_t)q->in_lag[k];
            for (size_t p = 0; p < NPARTS; p++)
                parts[p * nin + k] = g->part[(q->in_var[k] * NPARTS + p) * n + j];
        }
        double phi[NPARTS] = {0};
        int finite = 1;
        for (size_t k = 0; k < NPARTS * nin; k++)
            finite &= isfinite(parts[k]) != 0;
        if (!finite) {
            g->ok[e * n + i] = 0;
            continue;
        }
        if (nin > 0 && cx_bridge_split(f_eval, &fe, xp, parts, nin, NPARTS, phi, bwork, err) != CX_OK)
            return err ? err->status : CX_EINVAL;
        double r = g->A[q->tvar * n + i] - g->EP[e * n + i], resp = 0;
        if (m && term_changes(g, e, i, d, xa, bwork))
            for (size_t k = 0; k < m; k++)
                resp += g->gamma[e][k] * d[k];
        inputs(g, e, g->A, i, xa);
        tp[P_EXEC * n + i] = phi[P_EXEC];
        tp[P_DRIFT * n + i] = phi[P_DRIFT];
        tp[P_RESP * n + i] = phi[P_RESP] + resp;
        tp[P_BASE * n + i] = phi[P_BASE] + (r - resp);
    }
    return CX_OK;
}

/* Every equation's bridge with the realised effects tau. */
static cx_status bridges(G *g, const double *tau, int fit, int *resp_sep, cx_error *err)
{
    metric_parts(g, tau);
    for (size_t e = 0; e < g->neq; e++) {
        cx_status st = bridge_pass(g, e, fit, resp_sep ? &resp_sep[e] : NULL, err);
        if (st != CX_OK)
            return st;
    }
    return CX_OK;
}

/* ======================================================================== */
/* The quarter's sums and the forecast's variance                           */
/* ======================================================================== */

/* Whether row i counts for equation e in the reviewed quarter. */
static int counts(const G *g, size_t e, size_t i)
{
    return g->qi[i] == g->Q && g->ok[e * g->n + i];
}

/* The weight of a row in the quarter's figure: 1 (a sum) or 1/rows (a mean). */
static double weight(const gap_target *t)
{
    return t->sum || t->rows == 0 ? 1 : 1.0 / (double)t->rows;
}

static void aggregate(const G *g, size_t e, gap_target *t)
{
    const fequ *q = &g->f->eq[e];
    size_t n = g->n;
    t->rows = 0;
    for (size_t i = 0; i < n; i++)
        t->rows += (size_t)counts(g, e, i);
    /* long double sums: the parts of thousands of rows still add up */
    long double w = weight(t), plan = 0, ep = 0, act = 0, base = 0, part[NPARTS] = {0};
    for (size_t i = 0; i < n; i++) {
        if (!counts(g, e, i))
            continue;
        base += w * g->B[q->tvar * n + i];
        plan += w * g->P[q->tvar * n + i];
        ep += w * g->EP[e * n + i];
        act += w * g->A[q->tvar * n + i];
        for (size_t p = 0; p < NPARTS; p++)
            part[p] += w * g->part[(q->tvar * NPARTS + p) * n + i];
    }
    t->plan = (double)plan;
    t->naive = (double)base;
    t->ex_post = (double)ep;
    t->actual = (double)act;
    for (size_t p = 0; p < NPARTS; p++)
        t->part[p] = (double)part[p];
}

/* The residual variance of a row of equation e (tau2 for a meta-regression,
 * sigma^2 else) and the within-unit lag-1 autocorrelation of its residuals
 * before the horizon, as a share of it (0 .. 0.95). */
static void residual_of(const G *g, size_t e, double *s2, double *rho)
{
    const fequ *q = &g->f->eq[e];
    *s2 = isfinite(q->tau2) ? q->tau2 : q->sigma * q->sigma;
    double c1 = 0;
    size_t n1 = 0;
    for (size_t i = 1; i < g->n; i++)
        if (g->qi[i] < 0 && g->unit[i] == g->unit[i - 1] && g->ok[e * g->n + i] && g->ok[e * g->n + i - 1]) {
            c1 += (g->A[q->tvar * g->n + i] - g->EP[e * g->n + i]) *
                  (g->A[q->tvar * g->n + i - 1] - g->EP[e * g->n + i - 1]);
            n1++;
        }
    double r = n1 && *s2 > 0 ? c1 / (double)n1 / *s2 : 0;
    *rho = r > 0.95 ? 0.95 : r > 0 ? r : 0;
}

/* sum over units and pairs of the quarter's rows of rho^|i - j|, times w^2. */
static double ar1_sum(const G *g, size_t e, double rho, double w)
{
    double s = 0;
    for (size_t i = 0; i < g->n; i++) {
        if (!counts(g, e, i))
            continue;
        for (size_t j = g->first[i]; j < g->n && g->unit[j] == g->unit[i]; j++)
            if (counts(g, e, j))
                s += pow(rho, fabs((double)i - (double)j));
    }
    return s * w * w;
}

/* g' Sigma g of the ex ante forecasts: the gradient of every equation's
 * quarter plan with respect to every coefficient (central differences;
 * each plan is linear in each coefficient), with each equation's own
 * covariance (the equations were fitted apart). */
static cx_status coef_var_ante(G *g, gap_result *res, cx_error *err)
{
    size_t n = g->n, nv = g->nv, neq = g->neq;
    double *P = cx_malloc(nv * n * sizeof(double)), *grad = NULL;
    const double **coef = cx_calloc(neq, sizeof *coef);
    double **c = cx_calloc(neq, sizeof *c);
    size_t maxp = 0;
    for (size_t e = 0; e < neq; e++)
        maxp = g->f->eq[e].p > maxp ? g->f->eq[e].p : maxp;
    grad = cx_calloc(neq * neq * maxp + 1, sizeof(double));
    int okm = P && coef && c && grad;
    for (size_t e = 0; okm && e < neq; e++)
        okm = (c[e] = cx_malloc(g->f->eq[e].p * sizeof(double))) != NULL;
    if (!okm) {
        for (size_t e = 0; c && e < neq; e++)
            cx_free(c[e]);
        cx_free(P), cx_free(coef), cx_free(c), cx_free(grad);
        return oom(err);
    }
    for (size_t e = 0; e < neq; e++) {
        memcpy(c[e], g->f->eq[e].coef, g->f->eq[e].p * sizeof(double));
        coef[e] = c[e];
    }
    for (size_t e2 = 0; e2 < neq; e2++)
        for (size_t k = 0; k < g->f->eq[e2].p; k++) {
            double b = c[e2][k], h = 1e-3 * (fabs(b) > 1 ? fabs(b) : 1), v[2][64];
            for (int s = 0; s < 2; s++) {
                c[e2][k] = b + (s ? -h : h);
                memcpy(P, g->P, nv * n * sizeof(double));
                plan_pass(g, coef, P, g->x);
                for (size_t e = 0; e < neq && e < 64; e++) {
                    double w = weight(&res->t[e]), sum = 0;
                    size_t tv = g->f->eq[e].tvar;
                    for (size_t i = 0; i < n; i++)
                        if (counts(g, e, i))
                            sum += w * P[tv * n + i];
                    v[s][e] = sum;
                }
            }
            c[e2][k] = b;
            for (size_t e = 0; e < neq && e < 64; e++)
                grad[(e * neq + e2) * maxp + k] = (v[0][e] - v[1][e]) / (2 * h);
        }
    for (size_t e = 0; e < neq; e++) {
        double var = 0;
        for (size_t e2 = 0; e2 < neq; e2++) {
            const fequ *q = &g->f->eq[e2];
            const double *gr = grad + (e * neq + e2) * maxp;
            for (size_t k = 0; k < q->p; k++)
                for (size_t l = 0; l < q->p; l++)
                    var += gr[k] * q->cov[k * q->p + l] * gr[l];
        }
        res->t[e].var_coef_ante = var;
    }
    for (size_t e = 0; e < neq; e++)
        cx_free(c[e]);
    cx_free(P), cx_free(coef), cx_free(c), cx_free(grad);
    return CX_OK;
}

/* g' Sigma g of the ex post forecast of equation e: linear in its own
 * coefficients, at the actual inputs. */
static double coef_var_post(G *g, size_t e, const gap_target *t)
{
    const fequ *q = &g->f->eq[e];
    double w = weight(t), *gr = g->work + 3 * g->W, *xa = g->work;
    memset(gr, 0, q->p * sizeof(double));
    for (size_t i = 0; i < g->n; i++) {
        if (!counts(g, e, i) || !inputs(g, e, g->A, i, xa))
            continue;
        for (size_t k = 0; k < q->p; k++)
            gr[k] += w * (q->t[k].kind == FT_EXPR ? term_value(&q->t[k], xa) : fixed_value(g, e, k, i));
    }
    double var = 0;
    for (size_t k = 0; k < q->p; k++)
        for (size_t l = 0; l < q->p; l++)
            var += gr[k] * q->cov[k * q->p + l] * gr[l];
    return var;
}

/* The variance of the response part of equation e: a' V a with a the
 * quarter's sum (or mean) of the term changes. */
static double response_var(G *g, size_t e, const gap_target *t)
{
    size_t m = g->ngamma[e];
    double w = weight(t), *a = g->work + 3 * g->W, *d = g->work + 2 * g->W;
    memset(a, 0, m * sizeof(double));
    for (size_t i = 0; i < g->n; i++)
        if (counts(g, e, i) && term_changes(g, e, i, d, g->work, g->work + g->W))
            for (size_t k = 0; k < m; k++)
                a[k] += w * d[k];
    double var = 0;
    for (size_t k = 0; k < m; k++)
        for (size_t l = 0; l < m; l++)
            var += a[k] * g->gcov[e][k * m + l] * a[l];
    return var;
}

/* The variance of the quarter's mean departure of metric v from its
 * baseline that its own variation brings (the plan takes the metric at
 * baseline plus the change): its deviations from each unit's mean before
 * the horizon as an AR(1) within unit (variance s2, lag-1 correlation rho),
 * averaged over the quarter's rows of equation e, plus the variance of the
 * baseline itself (the mean of `win` such values per unit). */
static double metric_var(const G *g, size_t e, size_t v, double w)
{
    const double *a = g->A + v * g->n;
    double s2 = 0, c1 = 0;
    size_t n0 = 0, n1 = 0;
    for (size_t i = 0; i < g->n;) {
        size_t j = i, cnt = 0;
        double mean = 0;
        while (j < g->n && g->unit[j] == g->unit[i]) {
            if (g->qi[j] < 0 && isfinite(a[j]))
                mean += a[j], cnt++;
            j++;
        }
        mean = cnt ? mean / (double)cnt : 0;
        for (size_t k = i; k < j; k++) {
            if (g->qi[k] >= 0 || !isfinite(a[k]) || g->unit[k] < 0)
                continue;
            s2 += (a[k] - mean) * (a[k] - mean), n0++;
            if (k > i && g->qi[k - 1] < 0 && isfinite(a[k - 1]))
                c1 += (a[k] - mean) * (a[k - 1] - mean), n1++;
        }
        i = j;
    }
    if (n0 < 2 || n1 < 1)
        return 0;
    s2 /= (double)n0;
    double rho = s2 > 0 ? c1 / (double)n1 / s2 : 0;
    rho = rho > 0.95 ? 0.95 : rho > 0 ? rho : 0;
    double var = s2 * ar1_sum(g, e, rho, w);
    /* the baseline: a mean of about 52 periods per unit (the case's window),
     * the same error in each of the unit's rows */
    double fb = (1 + rho) / (1 - rho);
    for (size_t i = 0; i < g->n; i++) {
        if (i != g->first[i] || g->unit[i] < 0)
            continue;
        double nu = 0;
        for (size_t j = i; j < g->n && g->unit[j] == g->unit[i]; j++)
            nu += counts(g, e, j);
        var += w * w * nu * nu * s2 * fb / 52;
    }
    return var;
}

/* Every variance of target e's forecasts and parts. */
static void variances(G *g, size_t e, gap_target *t, const double *s2, const double *rho)
{
    const fequ *q = &g->f->eq[e];
    double w = weight(t);
    t->rho = rho[e];
    t->var_resid = s2[e] * ar1_sum(g, e, rho[e], w);
    /* a target read as an input was at its plan ex ante: its own residual
     * passes through the term that reads it */
    double chain = 0;
    for (size_t k = 0; k < q->p; k++) {
        const fterm *ft = &q->t[k];
        if (ft->kind != FT_EXPR || ft->t.nf != 1)
            continue;
        long e2 = g->f->v[q->in_var[ft->in[0]]].eq;
        if (e2 >= 0 && (size_t)e2 != e)
            chain += q->coef[k] * q->coef[k] * s2[e2] * ar1_sum(g, e, rho[e2], w);
    }
    /* the metrics' own variation around their planned paths (ex ante) */
    t->var_metrics = 0;
    for (size_t k = 0; k < q->p; k++) {
        const fterm *ft = &q->t[k];
        if (ft->kind != FT_EXPR || ft->t.nf != 1 || ft->t.f[0].kind == CX_F_LOG || ft->t.f[0].kind == CX_F_POW)
            continue;
        size_t v = q->in_var[ft->in[0]];
        if (g->f->v[v].eq < 0)
            t->var_metrics += q->coef[k] * q->coef[k] * metric_var(g, e, v, w);
    }
    t->var_survey = 0;
    char name[300];
    snprintf(name, sizeof name, "%s_se", q->target);
    size_t c = cx_table_find(g->panel, name);
    if (c < cx_table_ncols(g->panel) && cx_table_coltype(g->panel, c) == CX_COL_NUMBER) {
        const double *se = cx_table_numbers(g->panel, c);
        for (size_t i = 0; i < g->n; i++)
            if (counts(g, e, i) && isfinite(se[i]))
                t->var_survey += w * w * se[i] * se[i];
    }
    t->actual_se = sqrt(t->var_survey);
    t->var_coef_post = coef_var_post(g, e, t);
    t->sd_ante = sqrt(t->var_coef_ante + t->var_resid + chain + t->var_metrics + t->var_survey);
    t->sd_post = sqrt(t->var_coef_post + t->var_resid + t->var_survey);
    double rv = t->resp_separable ? response_var(g, e, t) : NAN;
    t->part_se[P_RESP] = sqrt(rv);
    t->part_se[P_BASE] = sqrt(t->var_resid + t->var_survey + (t->resp_separable ? rv : 0));
}

/* ======================================================================== */
/* The review of a quarter                                                  */
/* ======================================================================== */

static void g_free(G *g)
{
    if (!g)
        return;
    for (size_t e = 0; e < g->neq; e++) {
        if (g->catcol)
            cx_free(g->catcol[e]);
        if (g->gamma)
            cx_free(g->gamma[e]);
        if (g->gcov)
            cx_free(g->gcov[e]);
    }
    cx_free(g->catcol), cx_free(g->gamma), cx_free(g->gcov), cx_free(g->ngamma), cx_free(g->gdf);
    cx_free(g->unit), cx_free(g->first), cx_free(g->qi), cx_free(g->qname), cx_free(g->col);
    cx_free(g->A), cx_free(g->P), cx_free(g->B), cx_free(g->part), cx_free(g->expo), cx_free(g->tau);
    cx_free(g->EP), cx_free(g->ok), cx_free(g->x), cx_free(g->work);
}

static cx_status g_alloc(G *g, cx_error *err)
{
    size_t n = g->n, nv = g->nv, neq = g->neq, neff = g->f->neff, W = 1;
    for (size_t e = 0; e < neq; e++) {
        W = g->f->eq[e].nin + 1 > W ? g->f->eq[e].nin + 1 : W;
        W = g->f->eq[e].p + 1 > W ? g->f->eq[e].p + 1 : W;
    }
    g->W = W;
    g->unit = cx_calloc(n + 1, sizeof *g->unit);
    g->first = cx_calloc(n + 1, sizeof *g->first);
    g->qi = cx_calloc(n + 1, sizeof *g->qi);
    g->qname = cx_calloc(n + 1, sizeof *g->qname);
    g->col = cx_calloc(nv + 1, sizeof *g->col);
    g->A = cx_calloc(nv * n + 1, sizeof(double));
    g->P = cx_calloc(nv * n + 1, sizeof(double));
    g->B = cx_calloc(nv * n + 1, sizeof(double));
    g->part = cx_calloc(nv * NPARTS * n + 1, sizeof(double));
    g->expo = cx_calloc(neff * n + 1, sizeof(double));
    g->tau = cx_calloc(neff + 1, sizeof(double));
    g->EP = cx_calloc(neq * n + 1, sizeof(double));
    g->ok = cx_calloc(neq * n + 1, 1);
    g->x = cx_calloc(W, sizeof(double));
    g->work = cx_calloc((4 + NPARTS) * W + (1u << NPARTS), sizeof(double));
    g->catcol = cx_calloc(neq + 1, sizeof *g->catcol);
    g->gamma = cx_calloc(neq + 1, sizeof *g->gamma);
    g->gcov = cx_calloc(neq + 1, sizeof *g->gcov);
    g->ngamma = cx_calloc(neq + 1, sizeof *g->ngamma);
    g->gdf = cx_calloc(neq + 1, sizeof *g->gdf);
    if (!g->unit || !g->first || !g->qi || !g->qname || !g->col || !g->A || !g->P || !g->B || !g->part ||
        !g->expo || !g->tau || !g->EP || !g->ok || !g->x || !g->work || !g->catcol || !g->gamma || !g->gcov ||
        !g->ngamma || !g->gdf)
        return oom(err);
    for (size_t e = 0; e < neq; e++) {
        size_t p = g->f->eq[e].p;
        if (!(g->catcol[e] = cx_calloc(p + 1, sizeof(size_t))) || !(g->gamma[e] = cx_calloc(p + 1, sizeof(double))) ||
            !(g->gcov[e] = cx_calloc(p * p + 1, sizeof(double))))
            return oom(err);
    }
    return CX_OK;
}

void gap_free(gap_result *r, const frozen *f)
{
    (void)f;
    if (r) {
        cx_free(r->t);
        cx_free(r->e);
        cx_free(r);
    }
}

/* The reviewed quarter: Q, or the last quarter of the horizon with data. */
static cx_status quarter_of(G *g, int Q, cx_error *err)
{
    int last = -1, has = 0;
    for (size_t i = 0; i < g->n; i++)
        if (g->unit[i] >= 0 && g->qi[i] >= 0 && g->qi[i] < g->f->H) {
            last = g->qi[i] > last ? g->qi[i] : last;
            has |= g->qi[i] == Q;
        }
    char buf[CX_PERIOD_TEXT_MAX];
    cx_period p = g->f->start;
    if (Q >= 0 && !has) {
        p.value += Q;
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the data have no rows of the case's units in %s",
                            cx_period_format(p, buf, sizeof buf));
    }
    if (last < 0)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the data end before the case's first quarter, %s: give "
                            "the exports up to the end of the quarter to review",
                            cx_period_format(p, buf, sizeof buf));
    g->Q = Q >= 0 ? Q : last;
    return CX_OK;
}

/* The execution parts' standard errors: each realised effect moved by its
 * SE in turn, the bridge run again (the response as fitted). */
static cx_status exec_se(G *g, gap_result *res, cx_error *err)
{
    size_t neff = g->f->neff;
    double *tau = cx_calloc(neff + 1, sizeof(double)), *ss = cx_calloc(g->neq + 1, sizeof(double));
    cx_status st = tau && ss ? CX_OK : oom(err);
    int any = 0;
    for (size_t k = 0; st == CX_OK && k < neff; k++) {
        if (!res->e[k].did.separable)
            continue;
        any = 1;
        memcpy(tau, g->tau, neff * sizeof(double));
        tau[k] += res->e[k].did.se;
        st = bridges(g, tau, 0, NULL, err);
        for (size_t e = 0; st == CX_OK && e < g->neq; e++) {
            gap_target t = res->t[e];
            aggregate(g, e, &t);
            double d = t.part[P_EXEC] - res->t[e].part[P_EXEC];
            ss[e] += d * d;
        }
    }
    for (size_t e = 0; st == CX_OK && e < g->neq; e++)
        res->t[e].part_se[P_EXEC] = res->t[e].part_se[P_DRIFT] = any ? sqrt(ss[e]) : NAN;
    if (st == CX_OK && any)
        st = bridges(g, g->tau, 0, NULL, err);
    cx_free(tau);
    cx_free(ss);
    return st;
}

static cx_status run(G *g, size_t ucols, int Q, gap_result *res, cx_error *err)
{
    const frozen *f = g->f;
    cx_status st = g_alloc(g, err);
    if (st == CX_OK)
        st = rows_of(g, ucols, err);
    if (st == CX_OK)
        st = quarter_of(g, Q, err);
    if (st == CX_OK)
        st = values_of(g, err);
    if (st != CX_OK)
        return st;
    res->Q = g->Q;
    const double **coef = cx_calloc(g->neq + 1, sizeof *coef);
    if (!coef)
        return oom(err);
    for (size_t e = 0; e < g->neq; e++)
        coef[e] = f->eq[e].coef;
    plan_pass(g, coef, g->P, g->x);
    cx_free(coef);
    for (size_t k = 0; st == CX_OK && k < f->neff; k++) {
        gap_effect *ge = &res->e[k];
        double full = 0;
        for (size_t u = 0; u < f->nunits; u++) {
            full += f->eff[k].delta[u * (size_t)f->H + (size_t)f->H - 1] / (double)f->nunits;
            ge->reached += (size_t)(g->ro->shift[k * f->nunits + u] >= 0);
        }
        ge->planned = full;
        st = did_of(g, k, &ge->did, err);
        g->tau[k] = ge->did.separable ? ge->did.tau : NAN;
    }
    int *sep = cx_calloc(g->neq + 1, sizeof *sep);
    if (st == CX_OK && !sep)
        st = oom(err);
    if (st == CX_OK)
        st = bridges(g, g->tau, 1, sep, err);
    double s2[64], rho[64];
    for (size_t e = 0; st == CX_OK && e < g->neq; e++) {
        gap_target *t = &res->t[e];
        t->eq = e;
        t->sum = (long)e == f->rev_eq;
        t->resp_separable = sep[e];
        int exec = 0;
        double df = INFINITY;
        for (size_t k = 0; k < f->neff; k++)
            if (res->e[k].did.separable) {
                exec = 1;
                df = fmin(df, res->e[k].did.df);
            }
        t->exec_separable = exec;
        t->part_df[P_EXEC] = t->part_df[P_DRIFT] = df;
        t->part_df[P_RESP] = g->gdf[e] > 0 ? g->gdf[e] : INFINITY;
        t->part_df[P_BASE] = sep[e] ? t->part_df[P_RESP] : INFINITY;
        aggregate(g, e, t);
        residual_of(g, e, &s2[e], &rho[e]);
    }
    cx_free(sep);
    if (st == CX_OK)
        st = exec_se(g, res, err);
    if (st == CX_OK)
        st = coef_var_ante(g, res, err);
    for (size_t e = 0; st == CX_OK && e < g->neq; e++)
        variances(g, e, &res->t[e], s2, rho);
    return st;
}

cx_status gap_run(const frozen *f, const cx_table *panel, size_t ucols, const rollout *ro, int Q, gap_result **out,
                  cx_error *err)
{
    if (f->neq == 0 || f->neq > 64)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "case %zu has %zu equations: the review takes 1 to 64",
                            f->seq, f->neq);
    G g;
    memset(&g, 0, sizeof g);
    g.f = f;
    g.panel = panel;
    g.ro = ro;
    g.n = cx_table_nrows(panel);
    g.nv = f->nv;
    g.neq = f->neq;
    gap_result *res = cx_calloc(1, sizeof *res);
    if (res) {
        res->t = cx_calloc(f->neq + 1, sizeof *res->t);
        res->e = cx_calloc(f->neff + 1, sizeof *res->e);
    }
    cx_status st = res && res->t && res->e ? run(&g, ucols, Q, res, err) : oom(err);
    g_free(&g);
    if (st != CX_OK) {
        gap_free(res, f);
        return st;
    }
    *out = res;
    return CX_OK;
}
