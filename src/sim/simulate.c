/*
 * simulate.c - a scenario file run end to end: its data read into a panel,
 * its model fitted, every scenario projected at the point estimates and
 * valued, then the Monte Carlo draws (sim.h; README "cxcase simulate").
 *
 * The Monte Carlo simulation keeps its memory constant in the number of
 * draws and its result independent of the number of threads:
 *   - draws come in blocks with their own random streams (draw.h);
 *   - sums for means and standard deviations are kept per block and added
 *     in block order after each round of blocks, so rounding does not
 *     depend on which thread ran which block;
 *   - the first PILOT draws are kept: with no more draws than that,
 *     percentiles are exact (type 7, as numpy and R's default); beyond it
 *     every statistic is counted in a histogram over the pilot's range
 *     widened by 10% on each side (NBINS bins for NPV, NPS change and IRR,
 *     NBINS_BAND for each quarter's bands), and a percentile is read
 *     from the bin it falls in (within a bin the values are taken as evenly
 *     spread).  Should a percentile fall outside that range, the simulation
 *     is run again with the exact range of all draws.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_roots.h>

#include "cxcase/model.h"
#include "cxcase/scenario.h"
#include "cxcase/sim.h"
#include "../core/core.h"
#include "../core/jsonin.h"
#include "../data/table.h"
#include "../model/model_internal.h"
#include "draw.h"
#include "finance_internal.h"
#include "portfolio.h"
#include "project.h"
#include "scenario_internal.h"
#include "sim_internal.h"

#define PILOT (8 * CX_DRAW_BLOCK) /* draws kept exactly */
#define ROUND 64                  /* blocks per round */
#define NBINS 8192      /* bins of the headline statistics (NPV, NPS change, IRR) */
#define NBINS_BAND 1024 /* bins of the per-quarter bands */
#define MAXTHREADS 16
#define NPCT 5
#define BATCH CX_FIN_LANES /* draws valued together (mc_block) */
_Static_assert(CX_FIN_LANES == CX_PLAN_LANES, "a batch of draws is projected and valued alike");

static const double pct[NPCT] = {0.05, 0.10, 0.50, 0.90, 0.95};
static const char *const pct_name[NPCT] = {"p5", "p10", "p50", "p90", "p95"};

struct cx_simulation {
    cJSON *root;
    cx_model *model;  /* the fitted model the result comes from */
    cx_table *panel;  /* the data it was fitted on */
    cx_plan *plan;    /* the projection (refers to the scenario, which must outlive it) */
    size_t unit_cols; /* the panel's unit columns, after its period column */
};

/* The degrees of freedom of an equation's coefficient draws: those of its
 * tests (G - 1 when clustered by G units), 0 (normal) for z tests, and the
 * residual degrees of freedom for a fitted model written before the tests'
 * were recorded. */
static double coef_df(const cx_equation *q)
{
    double df = q->stat[CX_STAT_DF_TEST];
    if (isinf(df))
        return 0;
    return df > 0 ? df : q->stat[CX_STAT_DF_RESID];
}

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* An error in the scenario file at JSON Pointer `ptr` (its text). */
#define at(err, file, ptr, ...) cx_json_error((err), CX_EINVAL, (file), cx_jpath_of(&(cx_jpath){0}, (ptr)), __VA_ARGS__)

void cx_simulation_free(cx_simulation *sim)
{
    if (sim) {
        cJSON_Delete(sim->root);
        cx_plan_free(sim->plan);
        cx_model_free(sim->model);
        cx_table_free(sim->panel);
        cx_free(sim);
    }
}

const cJSON *cx_simulation_root(const cx_simulation *sim)
{
    return sim->root;
}

const cx_model *cx_simulation_model(const cx_simulation *sim)
{
    return sim->model;
}

const cx_plan *cx_simulation_plan(const cx_simulation *sim)
{
    return sim->plan;
}

const cx_table *cx_simulation_panel(const cx_simulation *sim, size_t *unit_cols)
{
    *unit_cols = sim->unit_cols;
    return sim->panel;
}

cx_status cx_simulation_json(const cx_simulation *sim, char **out, cx_error *err)
{
    char *text = cJSON_Print(sim->root);
    if (!text)
        return oom(err);
    size_t n = strlen(text);
    *out = cx_malloc(n + 2);
    if (!*out) {
        cJSON_free(text);
        return oom(err);
    }
    memcpy(*out, text, n);
    (*out)[n] = '\n';
    (*out)[n + 1] = '\0';
    cJSON_free(text);
    return CX_OK;
}

/* ======================================================================== */
/* Data and model                                                           */
/* ======================================================================== */

/* Read the scenario's data files into a panel (sources.c). */
static cx_status load_panel(const cx_scenario *s, const cx_spec *spec, const cx_sim_options *o,
                            cx_table **panel, size_t *nunits, cx_warnings *warn, cx_error *err)
/* spec: NULL for a fitted model (the units are then the text columns every
 * export has) */
{
    cx_status st = cx_scenario_panel(s, spec ? (const char *const *)spec->units : NULL, spec ? spec->nunits : 0, o,
                                     panel, warn, err);
    if (st != CX_OK)
        return st;
    cx_scenario_horizon_warnings(s, *panel, warn);
    /* the unit columns follow the period column */
    size_t u = 0;
    if (spec && spec->nunits)
        u = spec->nunits;
    else
        while (1 + u < cx_table_ncols(*panel) && cx_table_coltype(*panel, 1 + u) == CX_COL_TEXT)
            u++;
    *nunits = u;
    return CX_OK;
}

/* ======================================================================== */
/* The Monte Carlo simulation                                               */
/* ======================================================================== */

enum { S_NPV = 0, S_DNPS, S_IRR, S_Q }; /* then cash flow, NPS change and revenue change per quarter */

typedef struct uinput {
    int is_cost;
    size_t g;       /* global effect or cost index */
    const dist *d;
    double base;
    long slot;      /* position in the copula, or -1 */
} uinput;

typedef struct tws {
    plan_work *w;
    plan_work **pw;  /* nscen: the batch projection of each scenario */
    double **coef;
    double *work, *eff, *cost, *u;
    double *dnps, *drev, *costs, *deduct, *v; /* v: one projection's statistics, its cash flows at v + S_Q */
    double *bv;      /* ntot x BATCH: the statistics of a batch of draws */
    uint32_t *hist;  /* every statistic's bins, at c->hoff */
    uint64_t *under, *over, *npos, *nnan; /* nnan: draws without a value (no IRR) */
    double *min, *max;
} tws;

typedef struct mc {
    const cx_plan *plan;
    const size_t *sets;      /* nscen: the plan's set projected as scenario k */
    const cx_scenario *s;
    const cx_model *m;
    size_t nscen, nstat, ntot;
    int H;
    size_t neq;
    const double **coef_base;
    cx_mvn *mvn;
    uinput *in;
    size_t nin, ncop;
    cx_copula cop;
    double discount, margin, tax;
    double *shift;           /* ntot: the base values, subtracted in the sums */
    double *irr_guess;       /* nscen: the base IRR, where the draws' search starts */
    double *irr_x0;          /* nscen: the same as a discount factor */
    double *df;              /* H: discount factors */
    size_t ndraws, npilot;
    double *pilot;           /* ntot x npilot */
    int binning;
    double *lo, *width, *inv_width; /* ntot */
    size_t *nbins, *hoff;    /* ntot: bins of each statistic and where they start */
    size_t nbins_total;
    size_t round_first;
    double *partial;         /* ROUND x 2 ntot */
    double *sum, *sum2;      /* ntot */
    int nthreads;
    tws ws[MAXTHREADS];
    const char *bad_var;
    size_t bad_draw;
} mc;

static void tws_free(tws *w, size_t neq, size_t nscen)
{
    cx_plan_work_free(w->w);
    for (size_t k = 0; w->pw && k < nscen; k++)
        cx_plan_work_free(w->pw[k]);
    cx_free(w->pw);
    if (w->coef)
        for (size_t e = 0; e < neq; e++)
            cx_free(w->coef[e]);
    cx_free(w->coef);
    cx_free(w->work);
    cx_free(w->eff);
    cx_free(w->cost);
    cx_free(w->u);
    cx_free(w->dnps);
    cx_free(w->drev);
    cx_free(w->costs);
    cx_free(w->deduct);
    cx_free(w->v);
    cx_free(w->bv);
    cx_free(w->hist);
    cx_free(w->under);
    cx_free(w->over);
    cx_free(w->npos);
    cx_free(w->nnan);
    cx_free(w->min);
    cx_free(w->max);
    memset(w, 0, sizeof *w);
}

static int tws_init(mc *c, tws *w)
{
    size_t maxp = 1, H = (size_t)c->H;
    w->w = cx_plan_work_new(c->plan);
    w->coef = cx_calloc(c->neq + 1, sizeof(double *));
    w->pw = cx_calloc(c->nscen + 1, sizeof(plan_work *));
    if (!w->w || !w->coef || !w->pw)
        return -1;
    for (size_t k = 0; k < c->nscen; k++)
        if (!(w->pw[k] = cx_plan_work_new(c->plan)))
            return -1;
    for (size_t e = 0; e < c->neq; e++) {
        size_t p = cx_equation_ncoef(cx_model_equation(c->m, e));
        maxp = p > maxp ? p : maxp;
        if (!(w->coef[e] = cx_calloc(p + 1, sizeof(double))))
            return -1;
        memcpy(w->coef[e], c->coef_base[e], p * sizeof(double));
    }
    w->work = cx_calloc(maxp + 1, sizeof(double));
    w->eff = cx_calloc(cx_plan_neffects(c->plan) + 1, sizeof(double));
    w->cost = cx_calloc(cx_plan_ncosts(c->plan) + 1, sizeof(double));
    w->u = cx_calloc(c->ncop + 1, sizeof(double));
    w->dnps = cx_calloc(H, sizeof(double));
    w->drev = cx_calloc(H, sizeof(double));
    w->costs = cx_calloc(H, sizeof(double));
    w->deduct = cx_calloc(H, sizeof(double));
    w->v = cx_calloc(c->nstat, sizeof(double));
    w->bv = cx_calloc(c->ntot * BATCH, sizeof(double));
    w->hist = cx_calloc(c->nbins_total + 1, sizeof(uint32_t));
    w->under = cx_calloc(c->ntot, sizeof(uint64_t));
    w->over = cx_calloc(c->ntot, sizeof(uint64_t));
    w->npos = cx_calloc(c->nscen, sizeof(uint64_t));
    w->nnan = cx_calloc(c->ntot, sizeof(uint64_t));
    w->min = cx_calloc(c->ntot, sizeof(double));
    w->max = cx_calloc(c->ntot, sizeof(double));
    if (!w->work || !w->eff || !w->cost || !w->u || !w->dnps || !w->drev || !w->costs || !w->deduct || !w->v || !w->bv ||
        !w->hist || !w->under || !w->over || !w->npos || !w->nnan || !w->min || !w->max)
        return -1;
    memcpy(w->eff, cx_plan_effect_values(c->plan), cx_plan_neffects(c->plan) * sizeof(double));
    memcpy(w->cost, cx_plan_cost_amounts(c->plan), cx_plan_ncosts(c->plan) * sizeof(double));
    for (size_t i = 0; i < c->ntot; i++) {
        w->min[i] = INFINITY;
        w->max[i] = -INFINITY;
    }
    return 0;
}

/* One draw of every uncertain number into w->coef, w->eff and w->cost.
 * The order of the random numbers is fixed: coefficients equation by
 * equation, the copula, then the other inputs in file order. */
static void draw_inputs(const mc *c, tws *w, gsl_rng *r)
{
    for (size_t e = 0; e < c->neq; e++)
        cx_mvn_draw(&c->mvn[e], r, c->coef_base[e], w->work, w->coef[e]);
    if (c->ncop)
        cx_copula_draw(&c->cop, r, w->u);
    for (size_t i = 0; i < c->nin; i++) {
        const uinput *in = &c->in[i];
        const dist *d = in->d;
        double x;
        if (in->slot >= 0)
            x = cx_dist_quantile(d, in->base, w->u[in->slot]);
        else
            switch (d->kind) {
            case D_NORMAL:
                x = in->base + gsl_ran_gaussian_ziggurat(r, d->sd);
                break;
            case D_LOGNORMAL:
                x = in->base * exp(gsl_ran_gaussian_ziggurat(r, d->sd_log));
                break;
            case D_UNIFORM:
                x = gsl_ran_flat(r, d->min, d->max);
                break;
            case D_PERT: {
                double span = d->max - d->min;
                double a = 1 + 4 * (d->mode - d->min) / span, b = 1 + 4 * (d->max - d->mode) / span;
                x = d->min + span * gsl_ran_beta(r, a, b);
                break;
            }
            default: /* triangular: its quantile function is closed-form */
                x = cx_dist_quantile(d, in->base, gsl_rng_uniform_pos(r));
                break;
            }
        if (in->is_cost)
            w->cost[in->g] = x;
        else
            w->eff[in->g] = x;
    }
}

/* The statistics of scenario k from a projection but the IRR: NPV, NPS
 * change, cash flow, NPS change and revenue change per quarter, written to v[j * stride]
 * for statistic j.  Returns the NPV. */
static double valuate(const mc *c, const tws *w, double *v, size_t stride)
{
    int H = c->H;
    double npv = 0;
    for (int q = 0; q < H; q++) {
        double cf = cx_fin_cash_flow_tax(w->drev[q], c->margin, c->tax, w->costs[q], w->deduct[q]);
        npv += cf * c->df[q];
        v[(S_Q + (size_t)q) * stride] = cf;
        v[(S_Q + (size_t)H + (size_t)q) * stride] = w->dnps[q];
        v[(S_Q + 2 * (size_t)H + (size_t)q) * stride] = w->drev[q];
    }
    v[S_NPV * stride] = npv;
    v[S_DNPS * stride] = w->dnps[H - 1];
    return npv;
}

static size_t bin_of(const mc *c, size_t idx, double x, tws *w)
{
    double b = (x - c->lo[idx]) * c->inv_width[idx];
    if (!(b >= 0)) {
        w->under[idx]++;
        return (size_t)-1;
    }
    if (b >= c->nbins[idx]) {
        w->over[idx]++;
        return (size_t)-1;
    }
    return (size_t)b;
}

/* valuate for a batch of projections (project.h), into bk[j * BATCH + i]
 * for statistic j of lane i; the IRR is left to cx_fin_irr_batch. */
CX_BATCH_LOOPS
static void valuate_batch(const mc *c, const plan_batch *b, double *bk)
{
    size_t H = (size_t)c->H;
    double *cf = bk + S_Q * BATCH, *npv = bk + S_NPV * BATCH;
    cx_fin_cash_flows(b->delta_revenue, b->costs, b->deduct, H * BATCH, c->margin, c->tax, cf);
    memcpy(bk + (S_Q + H) * BATCH, b->delta_nps, H * BATCH * sizeof(double));
    memcpy(bk + (S_Q + 2 * H) * BATCH, b->delta_revenue, H * BATCH * sizeof(double));
    memcpy(bk + S_DNPS * BATCH, b->delta_nps + (H - 1) * BATCH, BATCH * sizeof(double));
    for (size_t i = 0; i < BATCH; i++)
        npv[i] = 0;
    for (size_t q = 0; q < H; q++)
        for (size_t i = 0; i < BATCH; i++)
            npv[i] += cf[q * BATCH + i] * c->df[q];
}

/* Statistic idx over a batch of m draws xv[0 .. m-1] (NaN: no value):
 * its sum (and for the headline ones the sum of squares) of the values less
 * the base, added to sums[0 .. 1] in LANES interleaved partial sums that are
 * then added in a fixed order (so that the loop vectorises; the order
 * depends on nothing but the draw's place in its block), its extremes, its
 * draws without a value, and once binning its histogram. */
#define LANES 4

CX_BATCH_LOOPS
static void batch_stat(const mc *c, tws *w, size_t idx, const double *xv, size_t m, double *sums)
{
    double shift = c->shift[idx];
    double s1[LANES] = {0}, s2[LANES] = {0}, lo[LANES], hi[LANES];
    int fast = m == BATCH; /* nearly always: a loop that vectorises */
    for (size_t l = 0; l < LANES; l++)
        lo[l] = fast ? xv[0] : w->min[idx], hi[l] = fast ? xv[0] : w->max[idx];
    if (fast) {
        for (size_t i = 0; i < BATCH; i += LANES)
            for (size_t l = 0; l < LANES; l++) {
                double x = xv[i + l], y = x - shift;
                s1[l] += y;
                s2[l] += y * y;
                lo[l] = x < lo[l] ? x : lo[l];
                hi[l] = x > hi[l] ? x : hi[l];
            }
        /* a draw without a value made the sum NaN: count it the slow way */
        if (isnan((s1[0] + s1[1]) + (s1[2] + s1[3]))) {
            fast = 0;
            for (size_t l = 0; l < LANES; l++) {
                s1[l] = s2[l] = 0;
                lo[l] = w->min[idx], hi[l] = w->max[idx];
            }
        }
    }
    if (!fast) /* the same sums, without the draws past m or without a value */
        for (size_t i = 0; i < BATCH; i += LANES)
            for (size_t l = 0; l < LANES; l++) {
                double x = xv[i + l];
                if (i + l >= m)
                    continue;
                if (x != x) {
                    w->nnan[idx]++;
                    continue;
                }
                double y = x - shift;
                s1[l] += y;
                s2[l] += y * y;
                lo[l] = x < lo[l] ? x : lo[l];
                hi[l] = x > hi[l] ? x : hi[l];
            }
    sums[0] += (s1[0] + s1[1]) + (s1[2] + s1[3]);
    sums[1] += (s2[0] + s2[1]) + (s2[2] + s2[3]);
    double blo = fmin(fmin(lo[0], lo[1]), fmin(lo[2], lo[3])), bhi = fmax(fmax(hi[0], hi[1]), fmax(hi[2], hi[3]));
    w->min[idx] = blo < w->min[idx] ? blo : w->min[idx];
    w->max[idx] = bhi > w->max[idx] ? bhi : w->max[idx];
    if (!c->binning)
        return;
    uint32_t *hist = w->hist + c->hoff[idx];
    double start = c->lo[idx], inv = c->inv_width[idx], nb = (double)c->nbins[idx];
    if (fast && blo == bhi) {
        /* one value for the whole batch (a quarter no uncertainty reaches):
         * one bin, counted at once */
        double b = (blo - start) * inv;
        if (b >= 0 && b < nb)
            hist[(size_t)b] += BATCH;
        else if (b < 0)
            w->under[idx] += BATCH;
        else
            w->over[idx] += BATCH;
        return;
    }
    if (fast) {
        /* the bins of the whole batch in a loop that vectorises (-1: below
         * the range, nbins: above), then the counts */
        int32_t bin[BATCH];
        for (size_t i = 0; i < BATCH; i++) {
            double b = (xv[i] - start) * inv;
            b = b >= 0 ? b : -1;
            b = b < nb ? b : nb;
            bin[i] = (int32_t)b;
        }
        int32_t top = (int32_t)c->nbins[idx];
        for (size_t i = 0; i < BATCH; i++) {
            int32_t b = bin[i];
            if ((uint32_t)b < (uint32_t)top)
                hist[b]++;
            else if (b < 0)
                w->under[idx]++;
            else
                w->over[idx]++;
        }
        return;
    }
    for (size_t i = 0; i < m; i++) {
        double b = (xv[i] - start) * inv;
        if (b >= 0 && b < nb)
            hist[(size_t)b]++;
        else if (b < 0)
            w->under[idx]++;
        else if (b >= nb)
            w->over[idx]++;
    }
}

CX_BATCH_LOOPS
static int mc_block(void *ctx, gsl_rng *r, size_t block, size_t first, size_t count, int thread)
{
    mc *c = ctx;
    tws *w = &c->ws[thread];
    double *part = c->partial + (block - c->round_first) * 2 * c->ntot;
    memset(part, 0, 2 * c->ntot * sizeof(double));
    plan_inputs pin = {w->eff, w->cost, (const double *const *)w->coef};
    /* batches of draws: each draw projected and valued in every scenario,
     * its statistics kept at bv[(k nstat + j) BATCH + i]; then the IRRs of
     * the batch, then the statistics one at a time over the batch */
    for (size_t i0 = first; i0 < first + count; i0 += BATCH) {
        size_t m = first + count - i0 < BATCH ? first + count - i0 : BATCH;
        for (size_t i = 0; i < m; i++) {
            draw_inputs(c, w, r);
            for (size_t k = 0; k < c->nscen; k++) {
                const char *bad = NULL;
                if (cx_plan_project_lane(c->plan, c->sets[k], &pin, w->pw[k], i, &bad) != 0) {
                    c->bad_var = bad;
                    c->bad_draw = i0 + i;
                    return 1;
                }
            }
        }
        for (size_t k = 0; k < c->nscen; k++) {
            double *bk = w->bv + k * c->nstat * BATCH;
            valuate_batch(c, cx_plan_project_batch(c->plan, c->sets[k], w->pw[k]), bk);
            for (size_t i = 0; i < m; i++)
                w->npos[k] += bk[S_NPV * BATCH + i] > 0;
            /* each draw's search starts where its NPV puts the root: on the
             * line through (discount factor, NPV at the point estimates) and
             * (the base root, 0), read at the draw's NPV */
            double start[BATCH], xd = c->df[0], x0 = c->irr_x0[k], npv0 = c->shift[k * c->nstat + S_NPV];
            for (size_t i = 0; i < BATCH; i++)
                start[i] = npv0 != 0 ? xd + (x0 - xd) * (bk[S_NPV * BATCH + i] / npv0) : x0;
            cx_fin_irr_batch(bk + S_Q * BATCH, (size_t)c->H, m, x0, start, c->irr_guess[k], bk + S_IRR * BATCH);
        }
        /* the statistics: sums (and for the headline ones sums of squares),
         * extremes, the pilot's values, the histograms */
        size_t keep = i0 < c->npilot ? (c->npilot - i0 < m ? c->npilot - i0 : m) : 0;
        for (size_t idx = 0; idx < c->ntot; idx++) {
            const double *xv = w->bv + idx * BATCH;
            if (keep)
                memcpy(c->pilot + idx * c->npilot + i0, xv, keep * sizeof(double));
            batch_stat(c, w, idx, xv, m, part + 2 * idx);
        }
    }
    return 0;
}

/* Run blocks [first, first + n) as one round and add its sums in block order. */
static cx_status run_round(mc *c, size_t first, size_t n, unsigned long seed, cx_error *err)
{
    c->round_first = first;
    cx_status st = cx_draw_range(first, n, c->ndraws, seed, c->nthreads, mc_block, c, err);
    if (st != CX_OK)
        return st;
    for (size_t b = 0; b < n; b++) {
        const double *part = c->partial + b * 2 * c->ntot;
        for (size_t i = 0; i < c->ntot; i++) {
            c->sum[i] += part[2 * i];
            c->sum2[i] += part[2 * i + 1];
        }
    }
    return CX_OK;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Percentile p (type 7) of sorted x[0 .. n-1]. */
static double type7(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t i = (size_t)floor(h);
    if (i + 1 >= n)
        return x[n - 1];
    return x[i] + (h - (double)i) * (x[i + 1] - x[i]);
}

/* The value of order statistic r (0-based) read from the merged histogram;
 * NaN when it falls outside the binned range. */
static double hist_rank(const uint32_t *h, size_t nbins, uint64_t under, double lo, double width, double r)
{
    if (r < (double)under)
        return NAN;
    double cum = (double)under;
    for (size_t b = 0; b < nbins; b++) {
        if (h[b] && r < cum + h[b])
            return lo + width * ((double)b + (r - cum + 0.5) / h[b]);
        cum += h[b];
    }
    return NAN;
}

typedef struct stat_out {
    double mean, sd, q[NPCT];
    uint64_t n;
    int outside; /* a percentile fell outside the binned range */
} stat_out;

/* Mean, sd and percentiles of statistic idx after the run. */
static void summarise(const mc *c, size_t idx, const uint32_t *hist, uint64_t under, uint64_t n, double gmin,
                      double gmax, double *sorted, stat_out *o)
{
    o->n = n;
    o->outside = 0;
    for (int k = 0; k < NPCT; k++)
        o->q[k] = NAN;
    o->mean = o->sd = NAN;
    if (n == 0)
        return;
    double m1 = c->sum[idx] / (double)n;
    o->mean = c->shift[idx] + m1;
    o->sd = n > 1 ? sqrt(fmax(0, (c->sum2[idx] - (double)n * m1 * m1) / (double)(n - 1))) : 0;
    if (gmin == gmax) {
        for (int k = 0; k < NPCT; k++)
            o->q[k] = gmin;
        return;
    }
    if (!c->binning) {
        size_t m = 0;
        for (size_t i = 0; i < c->npilot && i < c->ndraws; i++) {
            double x = c->pilot[idx * c->npilot + i];
            if (!isnan(x))
                sorted[m++] = x;
        }
        qsort(sorted, m, sizeof(double), cmp_double);
        for (int k = 0; k < NPCT; k++)
            o->q[k] = type7(sorted, m, pct[k]);
        return;
    }
    for (int k = 0; k < NPCT; k++) {
        double h = (double)(n - 1) * pct[k], fl = floor(h);
        double a = hist_rank(hist, c->nbins[idx], under, c->lo[idx], c->width[idx], fl);
        double b = fl + 1 < (double)n ? hist_rank(hist, c->nbins[idx], under, c->lo[idx], c->width[idx], fl + 1) : a;
        if (isnan(a) || isnan(b)) {
            o->outside = 1;
            continue;
        }
        double v = a + (h - fl) * (b - a);
        o->q[k] = fmin(fmax(v, gmin), gmax);
    }
}

static void mc_free(mc *c)
{
    for (int t = 0; t < MAXTHREADS; t++)
        tws_free(&c->ws[t], c->neq, c->nscen);
    if (c->mvn)
        for (size_t e = 0; e < c->neq; e++)
            cx_mvn_free(&c->mvn[e]);
    cx_free(c->mvn);
    cx_copula_free(&c->cop);
    cx_free(c->in);
    cx_free(c->coef_base);
    cx_free(c->shift);
    cx_free(c->irr_guess);
    cx_free(c->irr_x0);
    cx_free(c->df);
    cx_free(c->pilot);
    cx_free(c->lo);
    cx_free(c->width);
    cx_free(c->inv_width);
    cx_free(c->nbins);
    cx_free(c->hoff);
    cx_free(c->partial);
    cx_free(c->sum);
    cx_free(c->sum2);
}

/* The coefficients' sampling distributions (only the coefficients that can
 * change a result vary) and the uncertain inputs with their copula. */
static cx_status mc_setup(mc *c, cx_error *err)
{
    const cx_scenario *s = c->s;
    c->neq = cx_model_nequations(c->m);
    c->coef_base = cx_calloc(c->neq + 1, sizeof(double *));
    c->mvn = cx_calloc(c->neq + 1, sizeof(cx_mvn));
    if (!c->coef_base || !c->mvn)
        return oom(err);
    for (size_t e = 0; e < c->neq; e++) {
        const cx_equation *q = cx_model_equation(c->m, e);
        size_t p = q->p;
        c->coef_base[e] = q->coef;
        double *cov = cx_calloc(p * p + 1, sizeof(double));
        if (!cov)
            return oom(err);
        for (size_t a = 0; a < p; a++)
            for (size_t b = 0; b < p; b++)
                if (cx_plan_coef_active(c->plan, e, a) && cx_plan_coef_active(c->plan, e, b))
                    cov[a * p + b] = q->cov[a * p + b];
        double df = s->t_coefficients ? coef_df(q) : 0;
        cx_status st = cx_mvn_init(&c->mvn[e], p, cov, df > 0 ? df : 0, err);
        cx_free(cov);
        if (st != CX_OK) {
            if (err && err->status != CX_ENOMEM) {
                char tail[CX_ERROR_MSG_MAX];
                snprintf(tail, sizeof tail, "%s", err->message);
                snprintf(err->message, sizeof err->message, "the coefficients of %s cannot be drawn: %.400s", q->target, tail);
            }
            return st;
        }
    }
    size_t ne = cx_plan_neffects(c->plan), nc = cx_plan_ncosts(c->plan);
    c->in = cx_calloc(ne + nc + 1, sizeof(uinput));
    if (!c->in)
        return oom(err);
    for (size_t i = 0; i < ne + nc; i++) {
        int is_cost = i >= ne;
        size_t g = is_cost ? i - ne : i;
        input_ref r = is_cost ? cx_plan_cost_ref(c->plan, g) : cx_plan_effect_ref(c->plan, g);
        const initiative *in = &s->init[r.init];
        const dist *d = is_cost ? &in->cost[r.k].u : &in->eff[r.k].u;
        if (d->kind == D_NONE)
            continue;
        long slot = -1;
        for (size_t k = 0; k < s->ncorr && slot < 0; k++) {
            const input_ref *a = &s->corr[k].a, *b = &s->corr[k].b;
            if ((a->init == r.init && a->is_cost == r.is_cost && a->k == r.k) ||
                (b->init == r.init && b->is_cost == r.is_cost && b->k == r.k))
                slot = (long)c->ncop++;
        }
        c->in[c->nin++] = (uinput){is_cost, g, d, is_cost ? in->cost[r.k].amount : in->eff[r.k].value, slot};
    }
    if (c->ncop) {
        double *rank = cx_calloc(c->ncop * c->ncop + 1, sizeof(double));
        if (!rank)
            return oom(err);
        for (size_t a = 0; a < c->ncop; a++)
            rank[a * c->ncop + a] = 1;
        for (size_t k = 0; k < s->ncorr; k++) {
            long sa = -1, sb = -1;
            for (size_t i = 0; i < c->nin; i++) {
                input_ref r = c->in[i].is_cost ? cx_plan_cost_ref(c->plan, c->in[i].g)
                                               : cx_plan_effect_ref(c->plan, c->in[i].g);
                if (r.init == s->corr[k].a.init && r.is_cost == s->corr[k].a.is_cost && r.k == s->corr[k].a.k)
                    sa = c->in[i].slot;
                if (r.init == s->corr[k].b.init && r.is_cost == s->corr[k].b.is_cost && r.k == s->corr[k].b.k)
                    sb = c->in[i].slot;
            }
            rank[(size_t)sa * c->ncop + (size_t)sb] = rank[(size_t)sb * c->ncop + (size_t)sa] = s->corr[k].rank;
        }
        cx_status st = cx_copula_init(&c->cop, c->ncop, rank, err);
        cx_free(rank);
        if (st != CX_OK) {
            if (st == CX_EINVAL) {
                cx_error_init(err);
                st = at(err, s->path, "/correlations",
                        "expected rank correlations that can hold together, found a set that no joint "
                        "distribution has (the matrix is not positive definite)");
            }
            return st;
        }
    }
    return CX_OK;
}

/* Run the draws; on return c->sum, c->sum2 and the merged histograms
 * (ws[0]) hold everything.  forced_lo/forced_hi: ranges for the
 * histograms (NULL: from the pilot). */
static cx_status mc_run(mc *c, unsigned long seed, const double *forced_lo, const double *forced_hi, cx_error *err)
{
    size_t ntot = c->ntot;
    for (int t = 0; t < c->nthreads; t++) {
        tws *w = &c->ws[t];
        memset(w->hist, 0, c->nbins_total * sizeof(uint32_t));
        memset(w->under, 0, ntot * sizeof(uint64_t));
        memset(w->over, 0, ntot * sizeof(uint64_t));
        memset(w->npos, 0, c->nscen * sizeof(uint64_t));
        memset(w->nnan, 0, ntot * sizeof(uint64_t));
        for (size_t i = 0; i < ntot; i++) {
            w->min[i] = INFINITY;
            w->max[i] = -INFINITY;
        }
    }
    memset(c->sum, 0, ntot * sizeof(double));
    memset(c->sum2, 0, ntot * sizeof(double));
    c->binning = 0;
    size_t nblocks = (c->ndraws + CX_DRAW_BLOCK - 1) / CX_DRAW_BLOCK;
    size_t pilot_blocks = PILOT / CX_DRAW_BLOCK;
    size_t first = pilot_blocks < nblocks ? pilot_blocks : nblocks;
    cx_status st = run_round(c, 0, first, seed, err);
    if (st != CX_OK || first == nblocks)
        return st;
    /* the histograms' ranges, and the pilot's values binned */
    for (size_t i = 0; i < ntot; i++) {
        double lo = INFINITY, hi = -INFINITY;
        for (size_t d = 0; d < c->npilot; d++) {
            double x = c->pilot[i * c->npilot + d];
            if (!isnan(x)) {
                lo = fmin(lo, x);
                hi = fmax(hi, x);
            }
        }
        if (forced_lo) {
            lo = forced_lo[i];
            hi = forced_hi[i];
        } else if (lo <= hi) {
            double span = hi - lo;
            lo -= 0.1 * span;
            hi += 0.1 * span;
        }
        if (!(lo <= hi)) {
            lo = 0;
            hi = 1;
        }
        if (hi == lo)
            hi = lo + fmax(fabs(lo), 1.0) * 1e-9;
        c->lo[i] = lo;
        c->width[i] = (hi - lo) / (double)c->nbins[i] * (1 + 1e-12);
        c->inv_width[i] = 1 / c->width[i];
    }
    c->binning = 1;
    for (size_t i = 0; i < ntot; i++)
        for (size_t d = 0; d < c->npilot; d++) {
            double x = c->pilot[i * c->npilot + d];
            if (!isnan(x)) {
                size_t b = bin_of(c, i, x, &c->ws[0]);
                if (b != (size_t)-1)
                    c->ws[0].hist[c->hoff[i] + b]++;
            }
        }
    for (size_t b = first; b < nblocks && st == CX_OK; b += ROUND)
        st = run_round(c, b, nblocks - b < ROUND ? nblocks - b : ROUND, seed, err);
    return st;
}

/* ======================================================================== */
/* The deterministic case, sensitivity and the result                       */
/* ======================================================================== */

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static const char *quarter_text(const cx_scenario *s, int q, char *buf, size_t size)
{
    cx_period p;
    const char *start = cx_scenario_start(s);
    cx_period_parse(start, strlen(start), &p);
    p.value += q;
    return cx_period_format(p, buf, size);
}

/* NPV of the plan's set `set` with the given inputs (NaN when the
 * projection fails); its quarters stay in w. */
static double npv_set(const mc *c, tws *w, size_t set, const plan_inputs *in)
{
    plan_out out = {w->dnps, w->drev, w->costs, w->deduct};
    const char *bad = NULL;
    if (cx_plan_project(c->plan, set, in, w->w, &out, &bad) != 0)
        return NAN;
    return valuate(c, w, w->v, 1);
}

/* NPV of scenario k with the given inputs (NaN when the projection fails). */
static double npv_of(const mc *c, tws *w, size_t k, const plan_inputs *in)
{
    return npv_set(c, w, c->sets[k], in);
}

/* The NPV of the projection held in w at other finance inputs: an annual
 * discount rate, a gross margin and a tax rate. */
static double npv_at(const mc *c, const tws *w, double discount, double margin, double tax)
{
    double npv = 0;
    for (int q = 0; q < c->H; q++)
        npv += cx_fin_cash_flow_tax(w->drev[q], margin, tax, w->costs[q], w->deduct[q]) *
               cx_fin_discount_factor(discount, (size_t)q + 1);
    return npv;
}

static cJSON *stat_json(double base, const stat_out *o)
{
    cJSON *x = cJSON_CreateObject();
    if (!x)
        return NULL;
    cJSON_AddItemToObject(x, "base", num(base));
    cJSON_AddItemToObject(x, "mean", num(o->mean));
    cJSON_AddItemToObject(x, "sd", num(o->sd));
    for (int k = 0; k < NPCT; k++)
        cJSON_AddItemToObject(x, pct_name[k], num(o->q[k]));
    return x;
}

typedef struct swing {
    char label[160], what[96];
    double low, high, npv_low, npv_high, size;
} swing;

static int cmp_swing(const void *a, const void *b)
{
    const swing *x = a, *y = b;
    if (x->size != y->size)
        return x->size < y->size ? 1 : -1;
    return strcmp(x->label, y->label);
}

/* The tornado of scenario k: every uncertain input of its initiatives and
 * every driver coefficient at its P10 and P90, the rest at base. */
static cJSON *sensitivity(const mc *c, tws *w, size_t k, cx_error *err)
{
    const cx_scenario *s = c->s;
    size_t n, one;
    const size_t *list = cx_scenario_inits(s, k, &n, &one);
    size_t cap = c->nin, ncoef = 0;
    for (size_t e = 0; e < c->neq; e++)
        ncoef += cx_equation_ncoef(cx_model_equation(c->m, e));
    swing *sw = cx_calloc(cap + ncoef + 3 + 1, sizeof(swing));
    cJSON *arr = cJSON_CreateArray();
    if (!sw || !arr) {
        cx_free(sw);
        cJSON_Delete(arr);
        oom(err);
        return NULL;
    }
    size_t m = 0;
    plan_inputs in = {w->eff, w->cost, (const double *const *)w->coef};
    for (size_t i = 0; i < c->nin; i++) {
        const uinput *u = &c->in[i];
        input_ref r = u->is_cost ? cx_plan_cost_ref(c->plan, u->g) : cx_plan_effect_ref(c->plan, u->g);
        int mine = 0;
        for (size_t j = 0; j < n; j++)
            mine |= list[j] == r.init;
        if (!mine)
            continue;
        double *slot = u->is_cost ? &w->cost[u->g] : &w->eff[u->g];
        swing *x = &sw[m++];
        x->low = cx_dist_quantile(u->d, u->base, 0.1);
        x->high = cx_dist_quantile(u->d, u->base, 0.9);
        *slot = x->low;
        x->npv_low = npv_of(c, w, k, &in);
        *slot = x->high;
        x->npv_high = npv_of(c, w, k, &in);
        *slot = u->base;
        const initiative *it = &s->init[r.init];
        snprintf(x->what, sizeof x->what, "/initiatives/%zu/%s/%zu", r.init, u->is_cost ? "costs" : "effects", r.k);
        if (u->is_cost)
            snprintf(x->label, sizeof x->label, "%s: %s cost", it->id, it->cost[r.k].capex ? "capex" : "opex");
        else
            snprintf(x->label, sizeof x->label, "%s: change in %s", it->id, it->eff[r.k].metric);
    }
    for (size_t e = 0; e < c->neq; e++) {
        const cx_equation *q = cx_model_equation(c->m, e);
        for (size_t j = 0; j < q->p; j++) {
            if (!cx_plan_coef_active(c->plan, e, j) || !(q->se[j] > 0))
                continue;
            double df = coef_df(q);
            double z = c->s->t_coefficients && df > 0 ? gsl_cdf_tdist_Pinv(0.9, df) : gsl_cdf_ugaussian_Pinv(0.9);
            swing *x = &sw[m++];
            x->low = q->coef[j] - z * q->se[j];
            x->high = q->coef[j] + z * q->se[j];
            w->coef[e][j] = x->low;
            x->npv_low = npv_of(c, w, k, &in);
            w->coef[e][j] = x->high;
            x->npv_high = npv_of(c, w, k, &in);
            w->coef[e][j] = q->coef[j];
            snprintf(x->what, sizeof x->what, "coefficient");
            snprintf(x->label, sizeof x->label, "%s: %s", q->target, q->names[j]);
        }
    }
    /* the finance inputs over their ranges (finance.sensitivity) */
    static const char *const fin_label[] = {"Discount rate", "Gross margin", "Tax rate"};
    static const char *const fin_key[] = {"discount_rate", "gross_margin", "tax_rate"};
    npv_of(c, w, k, &in); /* the base projection, into w */
    for (int f = 0; f < 3; f++) {
        swing *x = &sw[m++];
        x->low = s->sens_lo[f];
        x->high = s->sens_hi[f];
        double lo[3] = {c->discount, c->margin, c->tax}, hi[3] = {c->discount, c->margin, c->tax};
        lo[f] = x->low;
        hi[f] = x->high;
        x->npv_low = npv_at(c, w, lo[0], lo[1], lo[2]);
        x->npv_high = npv_at(c, w, hi[0], hi[1], hi[2]);
        snprintf(x->what, sizeof x->what, "/finance/%s", fin_key[f]);
        snprintf(x->label, sizeof x->label, "%s", fin_label[f]);
    }
    for (size_t i = 0; i < m; i++)
        sw[i].size = fabs(sw[i].npv_high - sw[i].npv_low);
    qsort(sw, m, sizeof(swing), cmp_swing);
    for (size_t i = 0; i < m; i++) {
        if (sw[i].size == 0)
            continue;
        cJSON *x = cJSON_CreateObject();
        if (!x)
            break;
        cJSON_AddItemToArray(arr, x);
        cJSON_AddStringToObject(x, "input", sw[i].label);
        if (strncmp(sw[i].what, "/finance/", 9) == 0)
            cJSON_AddStringToObject(x, "kind", "finance");
        cJSON_AddStringToObject(x, strcmp(sw[i].what, "coefficient") == 0 ? "kind" : "pointer",
                                strcmp(sw[i].what, "coefficient") == 0 ? "coefficient" : sw[i].what);
        cJSON_AddItemToObject(x, "p10", num(sw[i].low));
        cJSON_AddItemToObject(x, "p90", num(sw[i].high));
        cJSON_AddItemToObject(x, "npv_at_p10", num(sw[i].npv_low));
        cJSON_AddItemToObject(x, "npv_at_p90", num(sw[i].npv_high));
        cJSON_AddItemToObject(x, "swing", num(sw[i].size));
    }
    cx_free(sw);
    return arr;
}

/* Warnings in words about the deterministic case of scenario k, added to
 * the array `wa`: drivers that are not significant but carry most of the
 * value, effects that do not reach revenue within the horizon. */
static cx_status driver_warnings(const mc *c, tws *w, size_t k, double npv_base, cx_warnings *warn)
{
    plan_inputs in = {w->eff, w->cost, (const double *const *)w->coef};
    /* the value of the benefits: NPV minus that with every driver at 0 */
    for (size_t e = 0; e < c->neq; e++) {
        const cx_equation *q = cx_model_equation(c->m, e);
        for (size_t j = 0; j < q->p; j++)
            if (cx_plan_coef_active(c->plan, e, j))
                w->coef[e][j] = 0;
    }
    double npv_none = npv_of(c, w, k, &in);
    for (size_t e = 0; e < c->neq; e++)
        memcpy(w->coef[e], c->coef_base[e], cx_equation_ncoef(cx_model_equation(c->m, e)) * sizeof(double));
    double benefit = npv_base - npv_none;
    for (size_t e = 0; e < c->neq; e++) {
        const cx_equation *q = cx_model_equation(c->m, e);
        for (size_t j = 0; j < q->p; j++) {
            if (!cx_plan_coef_active(c->plan, e, j) || q->fixed[j] || !(q->pval[j] > 0.05))
                continue;
            w->coef[e][j] = 0;
            double without = npv_of(c, w, k, &in);
            w->coef[e][j] = q->coef[j];
            double share = benefit != 0 ? (npv_base - without) / benefit : 0;
            if (fabs(share) > 0.5) {
                cx_status st = cx_warnings_add(warn, "%.0f%% of the value of the benefits rests on '%s' in the %s "
                                               "equation, whose coefficient is not significant at 5%% (p = %.2g)",
                                               100 * share, q->names[j], q->target, q->pval[j]);
                if (st != CX_OK)
                    return st;
            }
        }
    }
    /* each effect alone: does it reach revenue within the horizon? */
    size_t ne = cx_plan_neffects(c->plan);
    for (size_t g = 0; g < ne; g++) {
        input_ref r = cx_plan_effect_ref(c->plan, g);
        size_t n, one;
        const size_t *list = cx_scenario_inits(c->s, k, &n, &one);
        int mine = 0;
        for (size_t i = 0; i < n; i++)
            mine |= list[i] == r.init;
        const effect *ef = &c->s->init[r.init].eff[r.k];
        if (!mine || ef->is_target || ef->value == 0)
            continue;
        for (size_t h = 0; h < ne; h++)
            w->eff[h] = h == g ? ef->value : 0;
        plan_out out = {w->dnps, w->drev, w->costs, w->deduct};
        const char *bad = NULL;
        int reached = 0;
        if (cx_plan_project(c->plan, c->sets[k], &in, w->w, &out, &bad) == 0)
            for (int q = 0; q < c->H; q++)
                reached |= w->drev[q] != 0;
        memcpy(w->eff, cx_plan_effect_values(c->plan), ne * sizeof(double));
        if (!reached) {
            char sq[CX_PERIOD_TEXT_MAX];
            cx_status st = cx_warnings_add(warn, "the change in %s from '%s' (from %s) does not reach %s within the "
                                           "horizon: the lags it goes through are longer than the time left",
                                           ef->metric, c->s->init[r.init].id,
                                           quarter_text(c->s, ef->start, sq, sizeof sq), cx_plan_revenue_name(c->plan));
            if (st != CX_OK)
                return st;
        }
    }
    return CX_OK;
}

static cJSON *warnings_json(const cx_warnings *w)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < cx_warnings_count(w); i++)
        cJSON_AddItemToArray(a, cJSON_CreateString(cx_warnings_get(w, i)));
    return a;
}

/* The stated capex of scenario k per quarter, and the part of it deducted
 * for tax in each quarter (all of it when paid, or spread over the
 * depreciation years), into capex[0 .. H-1] and dep[0 .. H-1]. */
static void capex_of(const cx_scenario *s, size_t k, int H, double *capex, double *dep)
{
    size_t n, one;
    const size_t *list = cx_scenario_inits(s, k, &n, &one);
    for (int q = 0; q < H; q++)
        capex[q] = dep[q] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < s->init[list[i]].ncost; j++) {
            const cost *ct = &s->init[list[i]].cost[j];
            if (!ct->capex)
                continue;
            capex[ct->from] += ct->amount;
            for (int q = ct->from; q < H; q++)
                dep[q] += ct->amount * cx_scenario_deduct_share(s, ct->from, q);
        }
}

/* The quarters of a scenario's result added up per fiscal year:
 * [{"fiscal_year", "from", "to", "quarters", and the sums of the flows}]. */
static cJSON *fiscal_years_json(const cx_scenario *s, const cJSON *quarters)
{
    static const char *const keys[] = {"delta_revenue", "gross_profit", "costs", "capex", "opex", "depreciation",
                                       "tax", "cash_flow", "pv", NULL};
    cJSON *arr = cJSON_CreateArray(), *cur = NULL;
    int H = cJSON_GetArraySize(quarters), fy_cur = 0;
    char label[32];
    for (int q = 0; arr && q < H; q++) {
        const cJSON *x = cJSON_GetArrayItem(quarters, q);
        const char *qt = cJSON_GetObjectItemCaseSensitive(x, "quarter")->valuestring;
        int fy = cx_scenario_fiscal_year(s, q);
        if (!cur || fy != fy_cur) {
            if (!(cur = cJSON_CreateObject()))
                break;
            cJSON_AddItemToArray(arr, cur);
            cJSON_AddStringToObject(cur, "fiscal_year", cx_scenario_fiscal_label(s, fy, label, sizeof label));
            cJSON_AddStringToObject(cur, "from", qt);
            cJSON_AddStringToObject(cur, "to", qt);
            cJSON_AddNumberToObject(cur, "quarters", 0);
            for (int j = 0; keys[j]; j++)
                cJSON_AddNumberToObject(cur, keys[j], 0);
            fy_cur = fy;
        }
        cJSON_ReplaceItemInObjectCaseSensitive(cur, "to", cJSON_CreateString(qt));
        cJSON *nq = cJSON_GetObjectItemCaseSensitive(cur, "quarters");
        cJSON_SetNumberValue(nq, nq->valuedouble + 1);
        for (int j = 0; keys[j]; j++) {
            cJSON *sum = cJSON_GetObjectItemCaseSensitive(cur, keys[j]);
            cJSON_SetNumberValue(sum, sum->valuedouble + cJSON_GetObjectItemCaseSensitive(x, keys[j])->valuedouble);
        }
    }
    return arr;
}

/* The deterministic case of scenario k at the point estimates: its quarters,
 * NPV, IRR, payback and ROI, its warnings and its tornado. */
static cx_status base_case(mc *c, size_t k, cJSON *sj, double *npv_out, double *dnps_out, cx_error *err)
{
    tws *w = &c->ws[0];
    plan_inputs in = {w->eff, w->cost, (const double *const *)w->coef};
    plan_out out = {w->dnps, w->drev, w->costs, w->deduct};
    const char *bad = NULL;
    if (cx_plan_project(c->plan, c->sets[k], &in, w->w, &out, &bad) != 0)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "scenario '%s' takes %s to a level of 0 or below, where its "
                            "log has no value", cx_scenario_label(c->s, k), bad ? bad : "a metric");
    int H = c->H;
    double npv = valuate(c, w, w->v, 1), irr = NAN, cum = 0;
    const double *cf = w->v + S_Q;
    int several = 0;
    cx_error ierr;
    cx_error_init(&ierr);
    cx_status ist = cx_fin_irr(cf, (size_t)H, &irr, &several, &ierr);
    size_t payback = cx_fin_payback(cf, (size_t)H);
    double *benefit = cx_calloc(3 * (size_t)H, sizeof(double));
    if (!benefit)
        return oom(err);
    double *capex = benefit + H, *dep = benefit + 2 * H;
    capex_of(c->s, k, H, capex, dep);
    for (int q = 0; q < H; q++)
        benefit[q] = c->margin * w->drev[q];
    double roi = cx_fin_roi(benefit, w->costs, (size_t)H);
    char qt[CX_PERIOD_TEXT_MAX];
    cJSON *quarters = cJSON_CreateArray();
    cJSON_AddItemToObject(sj, "quarters", quarters);
    for (int q = 0; q < H && quarters; q++) {
        cJSON *x = cJSON_CreateObject();
        if (!x)
            break;
        cJSON_AddItemToArray(quarters, x);
        double df = cx_fin_discount_factor(c->discount, (size_t)q + 1);
        cum += cf[q];
        cJSON_AddStringToObject(x, "quarter", quarter_text(c->s, q, qt, sizeof qt));
        cJSON_AddItemToObject(x, "delta_nps", num(w->dnps[q]));
        cJSON_AddItemToObject(x, "delta_revenue", num(w->drev[q]));
        cJSON_AddItemToObject(x, "gross_profit", num(c->margin * w->drev[q]));
        cJSON_AddItemToObject(x, "costs", num(w->costs[q]));
        cJSON_AddItemToObject(x, "capex", num(capex[q]));
        cJSON_AddItemToObject(x, "opex", num(w->costs[q] - capex[q]));
        cJSON_AddItemToObject(x, "depreciation", num(dep[q]));
        cJSON_AddItemToObject(x, "tax", num(c->tax * (c->margin * w->drev[q] - w->deduct[q])));
        cJSON_AddItemToObject(x, "cash_flow", num(cf[q]));
        cJSON_AddItemToObject(x, "discount_factor", num(df));
        cJSON_AddItemToObject(x, "pv", num(cf[q] * df));
        cJSON_AddItemToObject(x, "cumulative_cash", num(cum));
    }
    cx_free(benefit);
    cJSON_AddItemToObject(sj, "fiscal_years", fiscal_years_json(c->s, quarters));
    cx_warnings *warn = cx_warnings_new();
    if (!warn)
        return oom(err);
    cx_status st = cx_plan_range_warnings(c->plan, c->sets[k], warn);
    if (st == CX_OK)
        st = driver_warnings(c, w, k, npv, warn);
    if (st == CX_OK && ist != CX_OK)
        st = cx_warnings_add(warn, "%s", ierr.message);
    if (st == CX_OK && several)
        st = cx_warnings_add(warn, "the cash flows change sign more than once and more than one rate makes the NPV "
                             "0; the IRR shown is the one nearest 0");
    if (st == CX_OK && !payback)
        st = cx_warnings_add(warn, "payback is not within the horizon: the cumulative cash flow is %s at its end (%s)",
                             cum < 0 ? "still negative" : "never negative then back above 0",
                             quarter_text(c->s, H - 1, qt, sizeof qt));
    cJSON_AddItemToObject(sj, "irr", num(irr));
    cJSON_AddItemToObject(sj, "payback_quarter",
                          payback ? cJSON_CreateString(quarter_text(c->s, (int)payback - 1, qt, sizeof qt))
                                  : cJSON_CreateNull());
    cJSON_AddItemToObject(sj, "roi", num(roi));
    cJSON *sens = st == CX_OK ? sensitivity(c, w, k, err) : NULL;
    if (st == CX_OK && !sens)
        st = err && err->status ? err->status : CX_ENOMEM;
    cJSON_AddItemToObject(sj, "sensitivity", sens);
    cJSON_AddItemToObject(sj, "warnings", warnings_json(warn));
    cx_warnings_free(warn);
    *npv_out = npv;
    *dnps_out = w->dnps[H - 1];
    return st;
}

/* ======================================================================== */
/* Break-even                                                               */
/* ======================================================================== */

typedef struct be_ctx {
    const mc *c;
    tws *w;
    size_t set, init;
    const plan_inputs *in;
} be_ctx;

/* The NPV of an initiative alone with its effects' changes scaled by `share`
 * (the other inputs at their point values). */
static double be_npv(double share, void *arg)
{
    be_ctx *b = arg;
    const cx_plan *p = b->c->plan;
    const double *value = cx_plan_effect_values(p);
    for (size_t g = 0; g < cx_plan_neffects(p); g++)
        b->w->eff[g] = cx_plan_effect_ref(p, g).init == b->init ? share * value[g] : value[g];
    double npv = npv_set(b->c, b->w, b->set, b->in);
    memcpy(b->w->eff, value, cx_plan_neffects(p) * sizeof(double));
    return npv;
}

/* The share of its stated effects at which initiative i alone has an NPV
 * of 0 (README "Break-even"), into *share, with a note when there is none:
 * the NPV is linear in the share when the model's paths are (then
 * -NPV(0) / (NPV(1) - NPV(0)), what the workbook's formula computes), else
 * the root is bracketed by doubling the share and found by Brent's method. */
static const char *be_share(be_ctx *b, double npv0, double npv1, double *share)
{
    *share = NAN;
    if (npv0 == 0) {
        *share = 0;
        return "it has no costs: any effect pays";
    }
    if (!(npv1 > npv0))
        return "its stated effects do not raise the NPV within the horizon";
    size_t npath = 0;
    cx_plan_paths(b->c->plan, b->set, &npath);
    if (npath) {
        *share = -npv0 / (npv1 - npv0);
        return NULL;
    }
    double lo = 0, hi = 1, vhi = npv1;
    while (!(vhi >= 0) && hi < 1048576) {
        lo = hi;
        hi *= 2;
        vhi = be_npv(hi, b);
        if (isnan(vhi))
            return "no effect size pays back before the model leaves its domain (the log of a level at or below 0)";
    }
    if (!(vhi >= 0))
        return "no effect size up to a million times the stated one pays back";
    gsl_function F = {be_npv, b};
    gsl_root_fsolver *sv = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!sv)
        return "out of memory";
    int status = gsl_root_fsolver_set(sv, &F, lo, hi);
    for (int it = 0; !status && it < 200; it++) {
        if ((status = gsl_root_fsolver_iterate(sv)) != 0)
            break;
        *share = gsl_root_fsolver_root(sv);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(sv), gsl_root_fsolver_x_upper(sv), 0, 1e-13) == GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(sv);
    return status ? "the search for the break-even failed" : NULL;
}

/* The break-even table: per initiative alone, the share of its stated
 * effects and each effect's size at which its NPV is 0. */
static cx_status break_even(mc *c, cJSON **out, cx_error *err)
{
    const cx_scenario *s = c->s;
    cx_plan *plan = (cx_plan *)c->plan; /* owned by cx_simulate, which lets sets be added */
    tws *w = &c->ws[0];
    plan_inputs in = {w->eff, w->cost, (const double *const *)w->coef};
    /* every input at its point value (the draws leave theirs in w) */
    memcpy(w->eff, cx_plan_effect_values(plan), cx_plan_neffects(plan) * sizeof(double));
    memcpy(w->cost, cx_plan_cost_amounts(plan), cx_plan_ncosts(plan) * sizeof(double));
    for (size_t e = 0; e < c->neq; e++)
        memcpy(w->coef[e], c->coef_base[e], cx_equation_ncoef(cx_model_equation(c->m, e)) * sizeof(double));
    cJSON *arr = *out = cJSON_CreateArray();
    if (!arr)
        return oom(err);
    for (size_t i = 0; i < s->ninit; i++) {
        const initiative *it = &s->init[i];
        long set = cx_plan_add_set(plan, &i, 1, err);
        cJSON *x = cJSON_CreateObject();
        if (set < 0 || !x) {
            cJSON_Delete(x);
            return oom(err);
        }
        cJSON_AddItemToArray(arr, x);
        cJSON_AddStringToObject(x, "initiative", it->id);
        cJSON_AddStringToObject(x, "name", it->name);
        be_ctx b = {c, w, (size_t)set, i, &in};
        int target = 0;
        for (size_t e = 0; e < it->neff; e++)
            target |= it->eff[e].is_target;
        double npv1 = be_npv(1, &b);
        /* its planned revenue change alone, quarter by quarter (the review
         * moves it by the initiative's go-live delay and scales it by its
         * share delivered: src/review/reforecast.c) */
        cJSON *rev = cJSON_CreateArray();
        for (int q = 0; rev && q < c->H; q++)
            cJSON_AddItemToArray(rev, num(isnan(npv1) ? NAN : w->drev[q]));
        double npv0 = be_npv(0, &b), share = NAN;
        const char *note = target ? "it moves a metric to a target level, which has no size to scale"
                                  : be_share(&b, npv0, npv1, &share);
        cJSON_AddItemToObject(x, "npv", num(npv1));
        cJSON_AddItemToObject(x, "npv_without_effects", num(npv0));
        cJSON_AddItemToObject(x, "share", num(share));
        cJSON_AddItemToObject(x, "delta_revenue", rev);
        cJSON *effs = cJSON_AddArrayToObject(x, "effects");
        for (size_t e = 0; effs && e < it->neff; e++) {
            cJSON *y = cJSON_CreateObject();
            cJSON_AddItemToArray(effs, y);
            cJSON_AddStringToObject(y, "metric", it->eff[e].metric);
            cJSON_AddItemToObject(y, it->eff[e].is_target ? "target" : "change", num(it->eff[e].value));
            cJSON_AddItemToObject(y, "break_even", num(target ? NAN : share * it->eff[e].value));
        }
        if (note)
            cJSON_AddStringToObject(x, "note", note);
    }
    return CX_OK;
}

/* Merge the threads' histograms and counts into ws[0]. */
static void merge_threads(mc *c)
{
    tws *a = &c->ws[0];
    for (int t = 1; t < c->nthreads; t++) {
        tws *b = &c->ws[t];
        for (size_t i = 0; i < c->nbins_total; i++)
            a->hist[i] += b->hist[i];
        for (size_t i = 0; i < c->ntot; i++) {
            a->under[i] += b->under[i];
            a->over[i] += b->over[i];
            a->nnan[i] += b->nnan[i];
            a->min[i] = fmin(a->min[i], b->min[i]);
            a->max[i] = fmax(a->max[i], b->max[i]);
        }
        for (size_t k = 0; k < c->nscen; k++)
            a->npos[k] += b->npos[k];
    }
}

#define HIST_BINS 30

/* The distribution of statistic idx over the draws as HIST_BINS equal bins
 * between its smallest and largest value: {"edges": [...], "counts": [...]}.
 * From the kept draws when all were kept; else from the fine histogram,
 * each fine bin counted in the coarse bin of its centre (draws outside the
 * fine range in the first or last bin). */
static cJSON *histogram_json(const mc *c, size_t idx)
{
    double lo = c->ws[0].min[idx], hi = c->ws[0].max[idx];
    double counts[HIST_BINS] = {0};
    if (!(lo < hi)) {
        hi = lo + 1;
        counts[0] = (double)(c->ndraws - c->ws[0].nnan[idx]);
    } else if (!c->binning) {
        for (size_t d = 0; d < c->npilot; d++) {
            double x = c->pilot[idx * c->npilot + d];
            if (isnan(x))
                continue;
            int b = (int)((x - lo) / (hi - lo) * HIST_BINS);
            counts[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b] += 1;
        }
    } else {
        const uint32_t *h = c->ws[0].hist + c->hoff[idx];
        counts[0] += (double)c->ws[0].under[idx];
        counts[HIST_BINS - 1] += (double)c->ws[0].over[idx];
        for (size_t f = 0; f < c->nbins[idx]; f++) {
            if (!h[f])
                continue;
            double x = c->lo[idx] + c->width[idx] * ((double)f + 0.5);
            int b = (int)((x - lo) / (hi - lo) * HIST_BINS);
            counts[b < 0 ? 0 : b >= HIST_BINS ? HIST_BINS - 1 : b] += h[f];
        }
    }
    cJSON *o = cJSON_CreateObject(), *e = cJSON_AddArrayToObject(o, "edges"), *n = cJSON_AddArrayToObject(o, "counts");
    for (int b = 0; e && b <= HIST_BINS; b++)
        cJSON_AddItemToArray(e, cJSON_CreateNumber(lo + (hi - lo) * b / HIST_BINS));
    for (int b = 0; n && b < HIST_BINS; b++)
        cJSON_AddItemToArray(n, cJSON_CreateNumber(counts[b]));
    return o;
}

static cJSON *band_json(const stat_out *o)
{
    cJSON *x = cJSON_CreateObject();
    if (!x)
        return NULL;
    cJSON_AddItemToObject(x, "mean", num(o->mean));
    cJSON_AddItemToObject(x, "sd", num(o->sd));
    for (int k = 0; k < NPCT; k++)
        cJSON_AddItemToObject(x, pct_name[k], num(o->q[k]));
    return x;
}

/* Everything a run needs for the plan's sets `sets` (nsets of them). */
static cx_status mc_init(mc *c, const cx_plan *plan, const cx_scenario *s, const cx_model *m, const size_t *sets,
                         size_t nsets, size_t ndraws, int threads, cx_error *err)
{
    memset(c, 0, sizeof *c);
    c->plan = plan;
    c->s = s;
    c->m = m;
    c->sets = sets;
    c->nscen = nsets;
    c->H = cx_scenario_horizon(s);
    c->nstat = S_Q + 3 * (size_t)c->H;
    c->ntot = c->nscen * c->nstat;
    cx_scenario_finance(s, &c->discount, &c->margin, &c->tax);
    c->ndraws = ndraws;
    c->nthreads = threads;
    c->npilot = c->ndraws < PILOT ? c->ndraws : PILOT;
    c->shift = cx_calloc(c->ntot, sizeof(double));
    c->irr_guess = cx_calloc(c->nscen + 1, sizeof(double));
    c->irr_x0 = cx_calloc(c->nscen + 1, sizeof(double));
    c->df = cx_calloc((size_t)c->H + 1, sizeof(double));
    c->pilot = cx_calloc(c->ntot * c->npilot + 1, sizeof(double));
    c->lo = cx_calloc(c->ntot, sizeof(double));
    c->width = cx_calloc(c->ntot, sizeof(double));
    c->inv_width = cx_calloc(c->ntot, sizeof(double));
    c->nbins = cx_calloc(c->ntot + 1, sizeof(size_t));
    c->hoff = cx_calloc(c->ntot + 1, sizeof(size_t));
    if (!c->nbins || !c->hoff)
        return oom(err);
    for (size_t i = 0; i < c->ntot; i++) {
        c->nbins[i] = i % c->nstat < S_Q ? NBINS : NBINS_BAND;
        c->hoff[i] = c->nbins_total;
        c->nbins_total += c->nbins[i];
    }
    c->partial = cx_calloc(ROUND * 2 * c->ntot, sizeof(double));
    c->sum = cx_calloc(c->ntot, sizeof(double));
    c->sum2 = cx_calloc(c->ntot, sizeof(double));
    if (!c->shift || !c->irr_guess || !c->irr_x0 || !c->df || !c->pilot || !c->lo || !c->width || !c->inv_width || !c->partial || !c->sum || !c->sum2)
        return oom(err);
    for (int q = 0; q < c->H; q++)
        c->df[q] = cx_fin_discount_factor(c->discount, (size_t)q + 1);
    for (size_t k = 0; k < c->nscen; k++)
        c->irr_x0[k] = 1;
    cx_status st = mc_setup(c, err);
    for (int t = 0; st == CX_OK && t < c->nthreads; t++)
        if (tws_init(c, &c->ws[t]) != 0)
            st = oom(err);
    /* the base values: subtracted in the sums, and where the IRR search starts */
    tws *w = &c->ws[0];
    plan_inputs in = {w->eff, w->cost, (const double *const *)w->coef};
    plan_out o2 = {w->dnps, w->drev, w->costs, w->deduct};
    for (size_t k = 0; k < c->nscen && st == CX_OK; k++) {
        const char *bad = NULL;
        if (cx_plan_project(c->plan, c->sets[k], &in, w->w, &o2, &bad) != 0)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "a scenario takes %s to a level of 0 or below, where its "
                                "log has no value", bad ? bad : "a metric");
        valuate(c, w, w->v, 1);
        double irr;
        c->irr_guess[k] = cx_fin_irr(w->v + S_Q, (size_t)c->H, &irr, NULL, NULL) == CX_OK ? irr : 0;
        c->irr_x0[k] = pow(1 + c->irr_guess[k], -0.25);
        w->v[S_IRR] = c->irr_guess[k];
        for (size_t j = 0; j < c->nstat; j++)
            c->shift[k * c->nstat + j] = isnan(w->v[j]) ? 0 : w->v[j];
    }
    return st;
}

/* Run the draws and summarise every statistic into so[0 .. ntot - 1]; again
 * over the exact ranges should a percentile fall outside the pilot's. */
static cx_status mc_stats(mc *c, unsigned long seed, stat_out *so, cx_error *err)
{
    double *sorted = cx_calloc(c->npilot + 1, sizeof(double));
    double *glo = cx_calloc(c->ntot, sizeof(double)), *ghi = cx_calloc(c->ntot, sizeof(double));
    cx_status st = sorted && glo && ghi ? mc_run(c, seed, NULL, NULL, err) : oom(err);
    if (st == CX_OK) {
        merge_threads(c);
        int outside = 0;
        for (size_t i = 0; i < c->ntot; i++) {
            summarise(c, i, c->ws[0].hist + c->hoff[i], c->ws[0].under[i], c->ndraws - c->ws[0].nnan[i], c->ws[0].min[i],
                      c->ws[0].max[i], sorted, &so[i]);
            outside |= so[i].outside;
            glo[i] = c->ws[0].min[i];
            ghi[i] = c->ws[0].max[i];
        }
        if (outside) {
            st = mc_run(c, seed, glo, ghi, err);
            if (st == CX_OK) {
                merge_threads(c);
                for (size_t i = 0; i < c->ntot; i++)
                    summarise(c, i, c->ws[0].hist + c->hoff[i], c->ws[0].under[i], c->ndraws - c->ws[0].nnan[i], glo[i], ghi[i],
                              sorted, &so[i]);
            }
        }
    } else if (st == CX_EINVAL && c->bad_var) {
        cx_error_init(err);
        st = cx_error_set(err, CX_EINVAL, NULL, 0, 0, "draw %zu takes %s to a level of 0 or below, where its log has "
                          "no value: narrow the uncertainty of the effects on it", c->bad_draw + 1, c->bad_var);
    }
    cx_free(sorted);
    cx_free(glo);
    cx_free(ghi);
    return st;
}

/* The undiscounted costs of initiative i over the horizon, opex indexed. */
static double initiative_cost(const cx_scenario *s, size_t i)
{
    double total = 0;
    for (size_t k = 0; k < s->init[i].ncost; k++) {
        const cost *ct = &s->init[i].cost[k];
        if (ct->capex || s->indexation == 0)
            total += ct->amount * (double)(ct->to - ct->from + 1);
        else /* opex indexed */
            for (int q = ct->from; q <= ct->to; q++)
                total += ct->amount * cx_scenario_index(s, q);
    }
    return total;
}

static cJSON *ids_json(const cx_scenario *s, uint64_t mask)
{
    cJSON *a = cJSON_CreateArray();
    for (size_t i = 0; a && i < s->ninit; i++)
        if (mask >> i & 1)
            cJSON_AddItemToArray(a, cJSON_CreateString(s->init[i].id));
    return a;
}

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i)
        i = parent[i] = parent[parent[i]];
    return i;
}

/* The portfolio within the budget (README "Portfolio"): initiatives grouped
 * by interaction, every subset of a group simulated as a whole for its
 * expected NPV, the exact frontier, and the chosen set simulated again for
 * its P(NPV > 0).  `c` is the main run (its plan, model and draws). */
static cx_status portfolio(const mc *c, unsigned long seed, cJSON **out, cx_error *err)
{
    const cx_scenario *s = c->s;
    cx_plan *plan = (cx_plan *)c->plan; /* owned by cx_simulate, which lets sets be added */
    size_t n = s->ninit;
    *out = NULL;
    if (n > 64)
        return at(err, s->path, "/budget", "expected at most 64 initiatives for the portfolio optimiser, found %zu", n);
    size_t *single = cx_calloc(n + 1, sizeof(size_t)), *parent = cx_calloc(n + 1, sizeof(size_t));
    size_t *gof = cx_calloc(n + 1, sizeof(size_t)), *gsize = cx_calloc(n + 1, sizeof(size_t));
    size_t cap = 0, nopt = 0, ngroups = 0;
    size_t *sets = NULL;
    pf_option *opts = NULL, *front = NULL;
    stat_out *so = NULL, *so3 = NULL;
    const pf_option **gopts = NULL;
    size_t *gn = NULL, nfront = 0;
    mc m2, m3;
    memset(&m2, 0, sizeof m2);
    memset(&m3, 0, sizeof m3);
    cx_status st = single && parent && gof && gsize ? CX_OK : oom(err);
    for (size_t i = 0; i < n && st == CX_OK; i++) {
        long k = cx_plan_add_set(plan, &i, 1, err);
        if (k < 0)
            st = CX_ENOMEM;
        single[i] = (size_t)k;
        parent[i] = i;
    }
    for (size_t i = 0; i < n && st == CX_OK; i++)
        for (size_t j = i + 1; j < n; j++)
            if (cx_plan_sets_interact(plan, single[i], single[j]))
                parent[uf_find(parent, j)] = uf_find(parent, i);
    /* groups in order of their first initiative */
    for (size_t i = 0; i < n && st == CX_OK; i++) {
        size_t r = uf_find(parent, i);
        if (r == i)
            gof[i] = ngroups++;
        gof[i] = gof[r];
        gsize[gof[i]]++;
        if (gsize[gof[i]] > 16)
            st = at(err, s->path, "/budget", "expected at most 16 initiatives moving the same metrics (the optimiser "
                    "simulates every subset of such a group), found more");
    }
    for (size_t g = 0; g < ngroups && st == CX_OK; g++)
        cap += ((size_t)1 << gsize[g]) - 1;
    if (st == CX_OK && (!(sets = cx_calloc(cap + 1, sizeof(size_t))) || !(opts = cx_calloc(cap + 1, sizeof(pf_option)))))
        st = oom(err);
    /* every nonempty subset of every group */
    size_t *member = cx_calloc(n + 1, sizeof(size_t)), *list = cx_calloc(n + 1, sizeof(size_t));
    if (st == CX_OK && (!member || !list))
        st = oom(err);
    size_t *gfirst = cx_calloc(ngroups + 1, sizeof(size_t));
    if (st == CX_OK && !gfirst)
        st = oom(err);
    for (size_t g = 0; g < ngroups && st == CX_OK; g++) {
        size_t gm = 0;
        for (size_t i = 0; i < n; i++)
            if (gof[i] == g)
                member[gm++] = i;
        gfirst[g] = nopt;
        for (uint64_t sub = 1; sub < ((uint64_t)1 << gm) && st == CX_OK; sub++) {
            size_t ln = 0;
            uint64_t mask = 0;
            double price = 0;
            for (size_t b = 0; b < gm; b++)
                if (sub >> b & 1) {
                    list[ln++] = member[b];
                    mask |= (uint64_t)1 << member[b];
                    price += initiative_cost(s, member[b]);
                }
            long k = ln == 1 ? (long)single[list[0]] : cx_plan_add_set(plan, list, ln, err);
            if (k < 0)
                st = CX_ENOMEM;
            sets[nopt] = (size_t)k;
            opts[nopt++] = (pf_option){mask, price, 0};
        }
    }
    cx_free(member);
    /* their expected NPVs, from the same draws as the scenarios */
    if (st == CX_OK)
        st = mc_init(&m2, plan, s, c->m, sets, nopt, c->ndraws, c->nthreads, err);
    if (st == CX_OK && !(so = cx_calloc(m2.ntot + 1, sizeof(stat_out))))
        st = oom(err);
    if (st == CX_OK)
        st = mc_stats(&m2, seed, so, err);
    for (size_t k = 0; k < nopt && st == CX_OK; k++)
        opts[k].value = so[k * m2.nstat + S_NPV].mean;
    gopts = cx_calloc(ngroups + 1, sizeof(pf_option *));
    gn = cx_calloc(ngroups + 1, sizeof(size_t));
    if (st == CX_OK && (!gopts || !gn))
        st = oom(err);
    for (size_t g = 0; g < ngroups && st == CX_OK; g++) {
        gopts[g] = opts + gfirst[g];
        gn[g] = (g + 1 < ngroups ? gfirst[g + 1] : nopt) - gfirst[g];
    }
    if (st == CX_OK)
        st = cx_pf_frontier(gopts, gn, ngroups, 100000, &front, &nfront, err);
    cJSON *pf = NULL;
    if (st == CX_OK && !(pf = cJSON_CreateObject()))
        st = oom(err);
    if (st == CX_OK) {
        size_t best = cx_pf_best(front, nfront, s->budget);
        cJSON_AddItemToObject(pf, "budget", num(s->budget));
        cJSON_AddStringToObject(pf, "method", "exact");
        cJSON *inits = cJSON_AddArrayToObject(pf, "initiatives");
        for (size_t i = 0; i < n && inits; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(inits, x);
            cJSON_AddStringToObject(x, "id", s->init[i].id);
            cJSON_AddItemToObject(x, "cost", num(initiative_cost(s, i)));
            for (size_t k = 0; k < nopt; k++)
                if (opts[k].mask == (uint64_t)1 << i)
                    cJSON_AddItemToObject(x, "expected_npv", num(opts[k].value));
        }
        cJSON *groups = cJSON_AddArrayToObject(pf, "groups");
        for (size_t g = 0; g < ngroups && groups; g++) {
            uint64_t mask = 0;
            for (size_t i = 0; i < n; i++)
                if (gof[i] == g)
                    mask |= (uint64_t)1 << i;
            cJSON_AddItemToArray(groups, ids_json(s, mask));
        }
        cJSON *chosen = cJSON_AddObjectToObject(pf, "chosen");
        if (chosen) {
            cJSON_AddItemToObject(chosen, "initiatives", ids_json(s, front[best].mask));
            cJSON_AddItemToObject(chosen, "cost", num(front[best].cost));
            cJSON_AddItemToObject(chosen, "expected_npv", num(front[best].value));
        }
        /* the chosen set as a whole: its P(NPV > 0) */
        size_t ln = 0;
        for (size_t i = 0; i < n; i++)
            if (front[best].mask >> i & 1)
                list[ln++] = i;
        if (ln && chosen) {
            long k = cx_plan_add_set(plan, list, ln, err);
            size_t one = (size_t)k;
            st = k < 0 ? CX_ENOMEM : mc_init(&m3, plan, s, c->m, &one, 1, c->ndraws, c->nthreads, err);
            if (st == CX_OK && !(so3 = cx_calloc(m3.ntot + 1, sizeof(stat_out))))
                st = oom(err);
            if (st == CX_OK)
                st = mc_stats(&m3, seed, so3, err);
            if (st == CX_OK) {
                cJSON_AddItemToObject(chosen, "npv", stat_json(m3.shift[S_NPV], &so3[S_NPV]));
                cJSON_AddNumberToObject(chosen, "prob_npv_positive", (double)m3.ws[0].npos[0] / (double)m3.ndraws);
            }
        } else if (chosen) {
            cJSON_AddNullToObject(chosen, "npv");
            cJSON_AddNullToObject(chosen, "prob_npv_positive");
            cJSON_AddStringToObject(chosen, "note", "no initiative adds expected value within the budget");
        }
        cJSON *fr = cJSON_AddArrayToObject(pf, "frontier");
        for (size_t i = 0; i < nfront && fr; i++) {
            cJSON *x = cJSON_CreateObject();
            cJSON_AddItemToArray(fr, x);
            cJSON_AddItemToObject(x, "cost", num(front[i].cost));
            cJSON_AddItemToObject(x, "expected_npv", num(front[i].value));
            cJSON_AddItemToObject(x, "initiatives", ids_json(s, front[i].mask));
        }
    }
    if (st == CX_OK)
        *out = pf;
    else
        cJSON_Delete(pf);
    mc_free(&m2);
    mc_free(&m3);
    cx_free(list);
    cx_free(gfirst);
    cx_free(single);
    cx_free(parent);
    cx_free(gof);
    cx_free(gsize);
    cx_free(sets);
    cx_free(opts);
    cx_free(front);
    cx_free(so);
    cx_free(so3);
    cx_free(gopts);
    cx_free(gn);
    return st;
}

cx_status cx_simulate(const cx_scenario *s, const cx_sim_options *opt, cx_simulation **out, cx_error *err)
{
    *out = NULL;
    cx_sim_options o = {0};
    if (opt)
        o = *opt;
    cx_spec *spec = NULL;
    cx_table *panel = NULL;
    cx_model *model = NULL;
    cx_plan *plan = NULL;
    cx_warnings *warn = cx_warnings_new();
    cx_simulation *sim = cx_calloc(1, sizeof *sim);
    mc c;
    memset(&c, 0, sizeof c);
    size_t nunits = 0, nsc = 0, *sets = NULL;
    cx_status st = warn && sim ? CX_OK : oom(err);
    int fitted = 0;
    if (st == CX_OK) {
        cJSON *mdoc = NULL;
        st = cx_json_load(s->model, &mdoc, err);
        fitted = st == CX_OK && cJSON_GetObjectItemCaseSensitive(mdoc, "provenance") != NULL;
        cJSON_Delete(mdoc);
    }
    /* a specification is fitted on the data; a fitted model is used as it is */
    if (st == CX_OK && !fitted)
        st = cx_spec_load(s->model, &spec, err);
    if (st == CX_OK && fitted && (st = cx_model_load(s->model, &model, err)) != CX_OK && err &&
        err->status != CX_ENOMEM) {
        size_t used = strlen(err->message);
        snprintf(err->message + used, sizeof err->message - used, " (%s: /model)", s->path);
    }
    if (st == CX_OK)
        st = load_panel(s, spec, &o, &panel, &nunits, warn, err);
    if (st == CX_OK && !fitted)
        st = cx_fit_table(spec, panel, NULL, &model, warn, err);
    if (st == CX_OK)
        st = cx_plan_new(s, model, panel, nunits, &plan, err);
    if (st != CX_OK)
        goto done;

    unsigned long seed = (unsigned long)(o.seed_given || o.seed > 0 ? o.seed : s->seed);
    int threads = o.threads > 0 ? (o.threads < MAXTHREADS ? o.threads : MAXTHREADS) : 2;
    size_t ndraws = (size_t)(o.draws > 0 ? o.draws : s->draws);
    nsc = cx_scenario_nscenarios(s);
    if (!(sets = cx_calloc(nsc + 1, sizeof(size_t)))) {
        st = oom(err);
        goto done;
    }
    for (size_t k = 0; k < nsc; k++)
        sets[k] = k;
    st = mc_init(&c, plan, s, model, sets, nsc, ndraws, threads, err);
    if (st != CX_OK)
        goto done;

    /* the result */
    cJSON *root = sim->root = cJSON_CreateObject();
    if (!root) {
        st = oom(err);
        goto done;
    }
    char qt[CX_PERIOD_TEXT_MAX];
    cJSON_AddStringToObject(root, "name", cx_scenario_name(s));
    cJSON_AddStringToObject(root, "currency", cx_scenario_currency(s));
    cJSON_AddStringToObject(root, "start", cx_scenario_start(s));
    cJSON_AddStringToObject(root, "end", quarter_text(s, c.H - 1, qt, sizeof qt));
    cJSON_AddNumberToObject(root, "draws", (double)c.ndraws);
    cJSON_AddNumberToObject(root, "seed", (double)seed);
    cJSON_AddStringToObject(root, "coefficients", s->t_coefficients ? "t" : "normal");
    cJSON_AddStringToObject(root, "nps", cx_plan_nps_name(plan));
    cJSON_AddStringToObject(root, "revenue", cx_plan_revenue_name(plan));
    cJSON_AddNumberToObject(root, "units", (double)cx_plan_nunits(plan));
    cJSON_AddNumberToObject(root, "periods", (double)cx_plan_nperiods(plan));
    cJSON *scens = cJSON_AddArrayToObject(root, "scenarios");
    double *npv_base = cx_calloc(c.nscen + 1, sizeof(double)), *dnps_base = cx_calloc(c.nscen + 1, sizeof(double));
    stat_out *so = cx_calloc(c.ntot, sizeof(stat_out));
    if (!scens || !npv_base || !dnps_base || !so)
        st = oom(err);
    for (size_t k = 0; k < c.nscen && st == CX_OK; k++) {
        cJSON *sj = cJSON_CreateObject();
        if (!sj) {
            st = oom(err);
            break;
        }
        cJSON_AddItemToArray(scens, sj);
        cJSON_AddStringToObject(sj, "name", cx_scenario_label(s, k));
        cJSON *ids = cJSON_AddArrayToObject(sj, "initiatives");
        size_t n, one;
        const size_t *list = cx_scenario_inits(s, k, &n, &one);
        for (size_t i = 0; i < n && ids; i++)
            cJSON_AddItemToArray(ids, cJSON_CreateString(s->init[list[i]].id));
        st = base_case(&c, k, sj, &npv_base[k], &dnps_base[k], err);
    }

    if (st == CX_OK)
        st = mc_stats(&c, seed, so, err);
    for (size_t k = 0; k < c.nscen && st == CX_OK; k++) {
        cJSON *sj = cJSON_GetArrayItem(scens, (int)k);
        const stat_out *base = so + k * c.nstat;
        cJSON_AddItemToObject(sj, "npv", stat_json(npv_base[k], &base[S_NPV]));
        cJSON_AddItemToObject(sj, "npv_histogram", histogram_json(&c, k * c.nstat + S_NPV));
        cJSON_AddNumberToObject(sj, "prob_npv_positive", (double)c.ws[0].npos[k] / (double)c.ndraws);
        cJSON_AddItemToObject(sj, "delta_nps", stat_json(dnps_base[k], &base[S_DNPS]));
        cJSON *irr = cJSON_AddObjectToObject(sj, "irr_draws");
        if (irr) {
            cJSON_AddNumberToObject(irr, "share_with_irr", (double)base[S_IRR].n / (double)c.ndraws);
            for (int p = 0; p < NPCT; p++)
                cJSON_AddItemToObject(irr, pct_name[p], num(base[S_IRR].q[p]));
        }
        cJSON *qs = cJSON_GetObjectItemCaseSensitive(sj, "quarters");
        for (int q = 0; q < c.H; q++) {
            cJSON *x = cJSON_GetArrayItem(qs, q);
            cJSON_AddItemToObject(x, "cash_flow_band", band_json(&base[S_Q + q]));
            cJSON_AddItemToObject(x, "delta_nps_band", band_json(&base[S_Q + c.H + q]));
            cJSON_AddItemToObject(x, "delta_revenue_band", band_json(&base[S_Q + 2 * c.H + q]));
        }
        /* the keys in the order of the contract */
        static const char *const order[] = {"name", "initiatives", "npv", "npv_histogram", "prob_npv_positive", "irr", "irr_draws",
                                            "payback_quarter", "roi", "delta_nps", "quarters", "fiscal_years", "sensitivity",
                                            "warnings", NULL};
        for (int i = 0; order[i]; i++) {
            cJSON *item = cJSON_DetachItemFromObjectCaseSensitive(sj, order[i]);
            if (item)
                cJSON_AddItemToObject(sj, order[i], item);
        }
    }
    /* a fitted model read from its file brings its warnings (significance,
     * collinearity, too few rows, autocorrelated residuals), as a fit here
     * adds them */
    for (size_t e = 0; st == CX_OK && fitted && e < cx_model_nequations(model); e++) {
        const cx_equation *q = cx_model_equation(model, e);
        const cx_warnings *ew = cx_equation_warnings(q);
        for (size_t i = 0; st == CX_OK && i < cx_warnings_count(ew); i++)
            st = cx_warnings_add(warn, "%s: %s", cx_equation_target(q), cx_warnings_get(ew, i));
    }
    if (st == CX_OK) {
        cJSON *be = NULL;
        st = break_even(&c, &be, err);
        cJSON_AddItemToObject(root, "break_even", be);
    }
    cJSON_AddItemToObject(root, "warnings", warnings_json(warn));
    cx_free(npv_base);
    cx_free(dnps_base);
    cx_free(so);
    if (st == CX_OK && !isnan(s->budget)) {
        cJSON *pf = NULL;
        st = portfolio(&c, seed, &pf, err);
        cJSON_AddItemToObject(root, "portfolio", pf);
    } else
        cJSON_AddNullToObject(root, "portfolio");
done:
    cx_free(sets);
    mc_free(&c);
    if (st == CX_OK && sim) {
        sim->model = model;
        sim->panel = panel;
        sim->plan = plan;
        sim->unit_cols = nunits;
        model = NULL;
        panel = NULL;
        plan = NULL;
    }
    cx_plan_free(plan);
    cx_model_free(model);
    cx_table_free(panel);
    cx_spec_free(spec);
    cx_warnings_free(warn);
    if (st != CX_OK) {
        cx_simulation_free(sim);
        return st;
    }
    *out = sim;
    return CX_OK;
}
