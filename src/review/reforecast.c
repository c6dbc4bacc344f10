/*
 * reforecast.c - the finance part of the review: per approved initiative
 * and in total the cost variance of the quarters reviewed (costs booked,
 * from the realised-rollout file, against the frozen plan's), the timing
 * (go-live delay x planned quarterly benefit), and the NPV of the approved
 * plan re-forecast with what is now known: the frozen case's cash flows
 * with the costs booked so far, the realised go-live quarters and the
 * share delivered (the difference-in-differences estimate) applied to the
 * planned benefits, discounted as `simulate` discounts (README "Finance
 * conventions"; cx_fin_* in src/sim/finance.c).
 *
 * Everything comes from the ledger's record: the scenario's content (its
 * finance section and costs), the forecast's planned revenue change per
 * quarter and the frozen NPV.  An initiative's own planned revenue change
 * is the approved scenario's when it is alone there, else that of a
 * scenario of the record holding it alone, else the record's forecast of
 * it alone (every record since that member exists); without any its
 * benefit cannot be told apart, and its delay and share stay out of the
 * re-forecast (a note says so).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cxcase/sim.h"
#include "../core/core.h"
#include "../sim/finance_internal.h"
#include "reforecast.h"

typedef struct fin_init {
    char *id;
    double *pcapex, *popex; /* H: planned cash by kind, quarter by quarter (opex indexed) */
    double *acapex, *aopex; /* H: costs booked (when given) */
    int given;              /* the realised file gives its costs */
    int maxq;               /* the latest quarter booked, and where */
    char ptr[CX_ERROR_PTR_MAX];
    double *R;              /* H: its own planned revenue change, or NULL */
    char *R_from;           /* the scenario of the record it comes from */
} fin_init;

struct fin_review {
    int H, dep_years;
    long start_value;       /* the horizon's first quarter (cx_period value) */
    double rate, margin, tax, indexation;
    fin_init *in;
    size_t n;
    double *R;              /* H: the judged scenario's planned revenue change */
    double npv_frozen;
    const char *path;       /* the realised file (for messages) */
};

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

static cx_status bad_record(const frozen *f, const char *what, cx_error *err)
{
    return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "case %zu of the ledger: %s", f->seq, what);
}

void fin_free(fin_review *fr)
{
    if (!fr)
        return;
    for (size_t i = 0; fr->in && i < fr->n; i++) {
        fin_init *x = &fr->in[i];
        cx_free(x->id);
        cx_free(x->pcapex);
        cx_free(x->popex);
        cx_free(x->acapex);
        cx_free(x->aopex);
        cx_free(x->R);
        cx_free(x->R_from);
    }
    cx_free(fr->in);
    cx_free(fr->R);
    cx_free(fr);
}

/* ======================================================================== */
/* The plan, from the record                                                */
/* ======================================================================== */

static double number_or(const cJSON *o, const char *key, double dflt)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(x) ? x->valuedouble : dflt;
}

/* The horizon's quarter index of member `key` of o ("2026Q2"), or -1. */
static int quarter_of(const frozen *f, const cJSON *o, const char *key)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
    cx_period q;
    if (!s || cx_period_parse(s, strlen(s), &q) != CX_OK || q.kind != CX_PERIOD_QUARTER)
        return -1;
    long k = q.value - f->start.value;
    return k >= 0 && k < f->H ? (int)k : -1;
}

/* The opex factor of quarter q: (1 + indexation)^floor(q / 4), as
 * cx_scenario_index. */
static double index_of(const fin_review *fr, int q)
{
    return fr->indexation == 0 ? 1.0 : pow(1 + fr->indexation, q / 4);
}

/* The share of capex paid in quarter `from` deducted for tax in quarter q,
 * as cx_scenario_deduct_share. */
static double deduct_share(const fin_review *fr, int from, int q)
{
    if (fr->dep_years <= 0)
        return q == from ? 1.0 : 0.0;
    int n = 4 * fr->dep_years;
    return q >= from && q < from + n ? 1.0 / n : 0.0;
}

/* The planned costs of initiative x (its scenario entry sc) quarter by quarter. */
static cx_status plan_costs(fin_review *fr, const frozen *f, fin_init *x, const cJSON *sc, cx_error *err)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(sc, "costs")) {
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(c, "kind"));
        double amount = number_or(c, "amount", NAN);
        int capex = kind && strcmp(kind, "capex") == 0;
        int from = quarter_of(f, c, capex ? "quarter" : "from"), to = capex ? from : quarter_of(f, c, "to");
        if (!kind || !isfinite(amount) || from < 0 || to < from)
            return bad_record(f, "a cost of the scenario that cannot be read", err);
        for (int q = from; q <= to; q++)
            if (capex)
                x->pcapex[q] += amount;
            else
                x->popex[q] += amount * index_of(fr, q);
    }
    return CX_OK;
}

/* The planned revenue change per quarter of forecast scenario sc into R. */
static int revenue_of(const frozen *f, const cJSON *sc, double *R)
{
    const cJSON *qs = cJSON_GetObjectItemCaseSensitive(sc, "quarters");
    if (cJSON_GetArraySize(qs) != f->H)
        return 0;
    for (int q = 0; q < f->H; q++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(qs, q), "delta_revenue");
        if (!cJSON_IsNumber(v))
            return 0;
        R[q] = v->valuedouble;
    }
    return 1;
}

/* Initiative x's planned revenue change alone, as the record's forecast
 * holds it per initiative (records since that member exists): into R,
 * 1 when there, 0 when not (or null: its projection alone failed), -1
 * when malformed. */
static int alone_of(const frozen *f, const char *id, double *R)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->doc, "forecast"),
                                                           "initiatives")) {
        const char *xid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "initiative"));
        if (!xid || strcmp(xid, id) != 0)
            continue;
        const cJSON *rev = cJSON_GetObjectItemCaseSensitive(x, "delta_revenue");
        if (cJSON_GetArraySize(rev) != f->H)
            return -1;
        for (int q = 0; q < f->H; q++) {
            const cJSON *v = cJSON_GetArrayItem(rev, q);
            if (cJSON_IsNull(v))
                return 0;
            if (!cJSON_IsNumber(v))
                return -1;
            R[q] = v->valuedouble;
        }
        return 1;
    }
    return 0;
}

/* Initiative x's own planned revenue change: the judged scenario's when x
 * is alone in it, else a scenario of the record holding x alone, else the
 * record's forecast of x alone. */
static cx_status own_benefit(fin_review *fr, const frozen *f, fin_init *x, cx_error *err)
{
    const cJSON *pick = NULL, *sc;
    if (fr->n == 1)
        pick = f->scen;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->doc, "forecast"),
                                                            "scenarios")) {
        const cJSON *ids = cJSON_GetObjectItemCaseSensitive(sc, "initiatives");
        if (!pick && cJSON_GetArraySize(ids) == 1 &&
            strcmp(cJSON_GetStringValue(cJSON_GetArrayItem(ids, 0)) ? cJSON_GetArrayItem(ids, 0)->valuestring : "",
                   x->id) == 0)
            pick = sc;
    }
    double *R = cx_calloc((size_t)f->H + 1, sizeof(double));
    if (!R)
        return oom(err);
    const char *from = pick ? cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(pick, "name"))
                            : "the case's forecast of it alone";
    int got = pick ? (revenue_of(f, pick, R) ? 1 : -1) : alone_of(f, x->id, R);
    if (got <= 0) {
        cx_free(R);
        if (got == 0) /* not in the record: left out of the re-forecast, with a note */
            return CX_OK;
        return bad_record(f, pick ? "a forecast scenario without its revenue change per quarter"
                                  : "its forecast of an initiative alone is not a revenue change per quarter", err);
    }
    x->R = R;
    if (!(x->R_from = cx_strdup(from ? from : "")))
        return oom(err);
    return CX_OK;
}

/* The finance section of the record's scenario into fr. */
static cx_status finance_of(fin_review *fr, const frozen *f, const cJSON *scen, cx_error *err)
{
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(scen, "finance");
    fr->H = f->H;
    fr->start_value = (long)f->start.value;
    fr->rate = number_or(fin, "discount_rate", NAN);
    fr->margin = number_or(fin, "gross_margin", NAN);
    fr->tax = number_or(fin, "tax_rate", 0);
    fr->dep_years = (int)number_or(fin, "depreciation_years", 0);
    fr->indexation = number_or(fin, "indexation", 0);
    if (!isfinite(fr->rate) || !isfinite(fr->margin) || number_or(fin, "horizon_quarters", -1) != f->H)
        return bad_record(f, "its scenario's finance section does not match its forecast", err);
    const cJSON *npv = cJSON_GetObjectItemCaseSensitive(f->scen, "npv");
    fr->npv_frozen = number_or(npv, "base", NAN);
    fr->R = cx_calloc((size_t)f->H + 1, sizeof(double));
    if (!fr->R)
        return oom(err);
    if (!revenue_of(f, f->scen, fr->R) || !isfinite(fr->npv_frozen))
        return bad_record(f, "its forecast has no revenue change per quarter or no NPV", err);
    return CX_OK;
}

cx_status fin_new(const frozen *f, fin_review **out, cx_error *err)
{
    *out = NULL;
    const cJSON *scen = f->content;
    if (!scen)
        return bad_record(f, "the scenario's content is missing or not JSON", err);
    fin_review *fr = cx_calloc(1, sizeof *fr);
    const cJSON *ids = cJSON_GetObjectItemCaseSensitive(f->scen, "initiatives");
    size_t n = (size_t)cJSON_GetArraySize(ids);
    cx_status st = fr && (fr->in = cx_calloc(n + 1, sizeof *fr->in)) ? CX_OK : oom(err);
    if (st == CX_OK)
        st = finance_of(fr, f, scen, err);
    const cJSON *id;
    cJSON_ArrayForEach(id, ids) {
        if (st != CX_OK)
            break;
        fin_init *x = &fr->in[fr->n++];
        const cJSON *sc = cJSON_IsString(id) ? frozen_initiative(f, id->valuestring) : NULL;
        if (!sc) {
            st = bad_record(f, "an initiative of its forecast is not in its scenario", err);
            break;
        }
        size_t H = (size_t)f->H + 1;
        x->id = cx_strdup(id->valuestring);
        x->pcapex = cx_calloc(H, sizeof(double));
        x->popex = cx_calloc(H, sizeof(double));
        x->acapex = cx_calloc(H, sizeof(double));
        x->aopex = cx_calloc(H, sizeof(double));
        x->maxq = -1;
        if (!x->id || !x->pcapex || !x->popex || !x->acapex || !x->aopex)
            st = oom(err);
        if (st == CX_OK)
            st = plan_costs(fr, f, x, sc, err);
    }
    for (size_t i = 0; st == CX_OK && i < fr->n; i++)
        st = own_benefit(fr, f, &fr->in[i], err);
    if (st != CX_OK) {
        fin_free(fr);
        return st;
    }
    *out = fr;
    return CX_OK;
}

/* ======================================================================== */
/* The costs booked                                                         */
/* ======================================================================== */

cx_status fin_costs_read(fin_review *fr, const char *id, const cJSON *costs, const char *path, cx_jpath *p,
                         cx_error *err)
{
    fin_init *x = NULL;
    for (size_t i = 0; i < fr->n; i++)
        if (strcmp(fr->in[i].id, id) == 0)
            x = &fr->in[i];
    if (!x) {
        size_t o1 = cx_jpath_key(p, "id");
        cx_status st = cx_json_error(err, CX_EINVAL, path, p, "the approved scenario has no initiative '%s'", id);
        cx_jpath_pop(p, o1);
        return st;
    }
    size_t old = cx_jpath_key(p, "costs");
    if (!cJSON_IsArray(costs))
        return cx_json_error(err, CX_EINVAL, path, p, "expected an array of the costs booked, "
                             "[{\"kind\": \"capex\", \"quarter\": \"2026Q1\", \"amount\": 950000}]");
    fr->path = path;
    x->given = 1;
    size_t i = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, costs) {
        size_t o2 = cx_jpath_index(p, i++);
        static const char *const keys[] = {"kind", "quarter", "amount", NULL};
        const char *kind = NULL, *qs = NULL;
        double amount = 0;
        cx_status st = cx_json_object(c, keys, path, p, err);
        if (st == CX_OK)
            st = cx_json_string(c, "kind", 1, path, p, &kind, err);
        if (st == CX_OK && strcmp(kind, "capex") != 0 && strcmp(kind, "opex") != 0) {
            size_t o3 = cx_jpath_key(p, "kind");
            st = cx_json_error(err, CX_EINVAL, path, p, "expected \"capex\" or \"opex\", found '%s'", kind);
            cx_jpath_pop(p, o3);
        }
        if (st == CX_OK)
            st = cx_json_number(c, "amount", 1, path, p, &amount, err);
        if (st == CX_OK && amount < 0) {
            size_t o3 = cx_jpath_key(p, "amount");
            st = cx_json_error(err, CX_EINVAL, path, p, "expected an amount of 0 or more, found %g", amount);
            cx_jpath_pop(p, o3);
        }
        if (st == CX_OK)
            st = cx_json_string(c, "quarter", 1, path, p, &qs, err);
        if (st != CX_OK)
            return st;
        cx_period q;
        long k = -1;
        if (cx_period_parse(qs, strlen(qs), &q) == CX_OK && q.kind == CX_PERIOD_QUARTER)
            k = (long)(q.value - fr->start_value);
        if (k < 0 || k >= fr->H) {
            size_t o3 = cx_jpath_key(p, "quarter");
            st = cx_json_error(err, CX_EINVAL, path, p, "expected a quarter of the case's horizon, as \"2026Q1\", "
                               "found '%s'", qs);
            cx_jpath_pop(p, o3);
            return st;
        }
        if (strcmp(kind, "capex") == 0)
            x->acapex[k] += amount;
        else
            x->aopex[k] += amount;
        if ((int)k > x->maxq) {
            x->maxq = (int)k;
            size_t o3 = cx_jpath_key(p, "quarter");
            snprintf(x->ptr, sizeof x->ptr, "%s", cx_jpath_str(p));
            cx_jpath_pop(p, o3);
        }
        cx_jpath_pop(p, o2);
    }
    cx_jpath_pop(p, old);
    return CX_OK;
}

/* ======================================================================== */
/* The review of the finance                                                */
/* ======================================================================== */

/* What the review found of an initiative: its first effect of the case,
 * the units it reached and their mean delay (quarters), and the share of
 * its planned change delivered where it arrived. */
typedef struct init_fig {
    long k0;               /* its first effect in f->eff, -1: it changes no metric */
    size_t reached;
    double delay, share;
    double share_se, df;   /* the share's SE (of the mean of the separable effects') and the least df */
    int share_assumed;     /* no separable estimate: taken as planned (1) */
} init_fig;

static void figures_of(const fin_review *fr, const frozen *f, const rollout *ro, const gap_result *g, init_fig *fg)
{
    for (size_t i = 0; i < fr->n; i++) {
        init_fig *x = &fg[i];
        double shares = 0, var = 0;
        size_t nsep = 0;
        x->k0 = -1;
        x->df = INFINITY;
        for (size_t k = 0; k < f->neff; k++) {
            if (strcmp(f->eff[k].initiative, fr->in[i].id) != 0)
                continue;
            if (x->k0 < 0)
                x->k0 = (long)k;
            if (g->e[k].did.separable && isfinite(g->e[k].did.tau) && g->e[k].planned != 0) {
                shares += g->e[k].did.tau / g->e[k].planned;
                var += pow(g->e[k].did.se / g->e[k].planned, 2);
                x->df = fmin(x->df, g->e[k].did.df);
                nsep++;
            }
        }
        x->share_assumed = nsep == 0;
        x->share = nsep ? shares / (double)nsep : 1.0;
        x->share_se = nsep ? sqrt(var) / (double)nsep : NAN;
        x->delay = NAN;
        if (x->k0 < 0)
            continue;
        long sum = 0;
        for (size_t u = 0; u < f->nunits; u++) {
            int sh = ro->shift[(size_t)x->k0 * f->nunits + u];
            if (sh >= 0) {
                x->reached++;
                sum += sh;
            }
        }
        x->delay = x->reached ? (double)sum / (double)x->reached : NAN;
    }
}

/* Initiative x's planned revenue change moved `sh` quarters later (earlier
 * when negative; its last quarter's level carries on). */
static double shifted(const fin_review *fr, const fin_init *x, int q, int sh)
{
    int t = q - sh;
    return t < 0 ? 0 : x->R[t < fr->H ? t : fr->H - 1];
}

/* The revenue change per quarter now expected: the plan's, with the part
 * of each initiative whose own benefit is known moved unit by unit by its
 * go-live delay (units count alike, each 1/N of it), and with `delivery`
 * scaled by the share delivered and 0 in the units never reached. */
static void revenue_now(const fin_review *fr, const frozen *f, const rollout *ro, const init_fig *fg, int delivery,
                        double *R)
{
    size_t N = f->nunits;
    for (int q = 0; q < fr->H; q++) {
        R[q] = fr->R[q];
        for (size_t i = 0; i < fr->n; i++) {
            const fin_init *x = &fr->in[i];
            if (!x->R || fg[i].k0 < 0)
                continue;
            double d = 0, s = delivery ? fg[i].share : 1.0;
            for (size_t u = 0; u < N; u++) {
                int sh = ro->shift[(size_t)fg[i].k0 * N + u];
                double now = sh < 0 ? (delivery ? 0 : x->R[q]) : s * shifted(fr, x, q, sh);
                d += now - x->R[q];
            }
            R[q] += d / (double)N;
        }
    }
}

/* The cash costs C and the tax deductions D per quarter: as planned, or
 * with `booked` the costs booked in quarters 0 .. Q of the initiatives whose
 * costs the realised file gives (capex deducted as the plan deducts it). */
static void costs_now(const fin_review *fr, int Q, int booked, double *C, double *D)
{
    for (int q = 0; q < fr->H; q++)
        C[q] = D[q] = 0;
    for (size_t i = 0; i < fr->n; i++) {
        const fin_init *x = &fr->in[i];
        for (int p = 0; p < fr->H; p++) {
            int act = booked && x->given && p <= Q;
            double capex = act ? x->acapex[p] : x->pcapex[p], opex = act ? x->aopex[p] : x->popex[p];
            C[p] += capex + opex;
            D[p] += opex;
            for (int q = p; capex != 0 && q < fr->H; q++)
                D[q] += capex * deduct_share(fr, p, q);
        }
    }
}

/* The NPV of revenue change R, costs C and deductions D (cf receives the cash flows). */
static double npv_of(const fin_review *fr, const double *R, const double *C, const double *D, double *cf)
{
    cx_fin_cash_flows(R, C, D, (size_t)fr->H, fr->margin, fr->tax, cf);
    return cx_fin_npv(cf, (size_t)fr->H, fr->rate);
}

/* The largest planned benefit of a quarter (gross profit of its own revenue change). */
static double quarterly_benefit(const fin_review *fr, const fin_init *x)
{
    double best = 0;
    for (int q = 0; q < fr->H; q++)
        if (fabs(x->R[q]) > fabs(best))
            best = x->R[q];
    return fr->margin * best;
}

/* The SE of the re-forecast NPV from the shares' SEs, with the least df of
 * their t intervals (*df): the NPV is linear in each share (the revenue
 * change and the cash flows are), so its gradient is the NPV's change for
 * a share one higher; the shares of different initiatives are taken as
 * independent, the delays and costs as known.  NaN when no share was
 * estimated.  R and cf are scratch (H each). */
static double npv_se(const fin_review *fr, const frozen *f, const rollout *ro, init_fig *fg, const double *C,
                     const double *D, double npv, double *R, double *cf, double *df)
{
    double var = 0;
    int any = 0;
    *df = INFINITY;
    for (size_t i = 0; i < fr->n; i++) {
        if (!fr->in[i].R || fg[i].k0 < 0 || fg[i].share_assumed || !isfinite(fg[i].share_se))
            continue;
        double s = fg[i].share;
        fg[i].share = s + 1;
        revenue_now(fr, f, ro, fg, 1, R);
        fg[i].share = s;
        double gi = npv_of(fr, R, C, D, cf) - npv;
        var += gi * gi * fg[i].share_se * fg[i].share_se;
        *df = fmin(*df, fg[i].df);
        any = 1;
    }
    return any ? sqrt(var) : NAN;
}

static double sum_to(const double *x, int Q)
{
    double s = 0;
    for (int q = 0; q <= Q; q++)
        s += x[q];
    return s;
}

/* One initiative's cost variance and timing; adds to the totals t[]. */
static cJSON *initiative_json(const fin_review *fr, const frozen *f, const fin_init *x, const init_fig *fg, int Q,
                              double *t)
{
    cJSON *o = cJSON_CreateObject();
    double pc = sum_to(x->pcapex, Q), po = sum_to(x->popex, Q);
    double ac = x->given ? sum_to(x->acapex, Q) : pc, ao = x->given ? sum_to(x->aopex, Q) : po;
    cJSON_AddStringToObject(o, "initiative", x->id);
    cJSON_AddBoolToObject(o, "costs_given", x->given);
    cJSON_AddItemToObject(o, "planned_capex", num(pc));
    cJSON_AddItemToObject(o, "planned_opex", num(po));
    cJSON_AddItemToObject(o, "actual_capex", num(ac));
    cJSON_AddItemToObject(o, "actual_opex", num(ao));
    cJSON_AddItemToObject(o, "cost_variance", num(ac + ao - (pc + po)));
    t[0] += pc + po, t[1] += ac + ao;
    int timed = x->R && fg->k0 >= 0 && fg->reached > 0;
    double B = x->R ? quarterly_benefit(fr, x) : NAN, reach = (double)fg->reached / (double)f->nunits;
    double timing = timed ? -fg->delay * reach * B : NAN;
    cJSON_AddNumberToObject(o, "units", (double)f->nunits);
    cJSON_AddItemToObject(o, "units_reached", fg->k0 >= 0 ? cJSON_CreateNumber((double)fg->reached) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "delay_quarters", num(fg->delay));
    cJSON_AddItemToObject(o, "share_delivered", num(fg->k0 >= 0 ? fg->share : NAN));
    cJSON_AddItemToObject(o, "share_se", num(fg->k0 >= 0 ? fg->share_se : NAN));
    cJSON_AddBoolToObject(o, "share_assumed", fg->k0 >= 0 && fg->share_assumed);
    cJSON_AddItemToObject(o, "benefit_from", x->R ? cJSON_CreateString(x->R_from) : cJSON_CreateNull());
    cJSON_AddItemToObject(o, "planned_quarterly_benefit", num(B));
    cJSON_AddItemToObject(o, "timing", num(timing));
    if (timed)
        t[2] += timing;
    if (fg->k0 < 0)
        cJSON_AddStringToObject(o, "note", "changes no metric: costs only");
    else if (!x->R)
        cJSON_AddStringToObject(o, "note", "its own benefit is not in the case (no scenario of the record holds it "
                                "alone): its delay and share are left out of the re-forecast");
    else if (fg->share_assumed)
        cJSON_AddStringToObject(o, "note", "share delivered not separable: taken as planned");
    return o;
}

static cJSON *stream_json(const double *x, int H)
{
    cJSON *a = cJSON_CreateArray();
    for (int q = 0; a && q < H; q++)
        cJSON_AddItemToArray(a, num(x[q]));
    return a;
}

static const char *const assumptions[] = {
    "Costs booked replace the plan's in the quarters reviewed for the initiatives the realised file gives costs "
    "for; later quarters keep the plan's costs, and planned costs not booked by the reviewed quarter are not "
    "carried forward. Booked capex is deducted for tax as the plan deducts capex.",
    "An initiative's planned revenue change is spread evenly over the units; in a unit reached it moves by the "
    "unit's go-live delay, in every quarter of the horizon, and is scaled by the share delivered "
    "(difference-in-differences, mean over the initiative's separable effects; 1 when none is separable); in a "
    "unit never reached it is 0.",
    "The rest of the plan's revenue change (other initiatives and their interactions) stays as planned.",
    "The re-forecast's SE comes from the shares' (the difference-in-differences SEs; the NPV is linear in each "
    "share): delays and costs are taken as known, the shares of different initiatives as independent; its 95% "
    "interval uses t with the least df of the shares'.",
    "Timing = -(mean delay of the units reached) x (units reached / units) x (the plan's largest quarterly "
    "gross profit of the initiative): undiscounted, before tax.",
    NULL};

cx_status fin_json(const fin_review *fr, const frozen *f, const rollout *ro, const gap_result *g, cJSON **out,
                   cx_error *err)
{
    int Q = g->Q, H = fr->H;
    for (size_t i = 0; i < fr->n; i++)
        if (fr->in[i].given && fr->in[i].maxq > Q) {
            cx_jpath p;
            cx_jpath_of(&p, fr->in[i].ptr);
            char a[CX_PERIOD_TEXT_MAX], b[CX_PERIOD_TEXT_MAX];
            cx_period qa = f->start, qb = f->start;
            qa.value += fr->in[i].maxq;
            qb.value += Q;
            return cx_json_error(err, CX_EINVAL, fr->path, &p, "a cost booked in %s, after the reviewed quarter %s",
                                 cx_period_format(qa, a, sizeof a), cx_period_format(qb, b, sizeof b));
        }
    size_t Hs = (size_t)H + 1;
    double *w = cx_calloc(12 * Hs, sizeof(double));
    init_fig *fg = cx_calloc(fr->n + 1, sizeof *fg);
    cJSON *o = cJSON_CreateObject();
    if (!w || !fg || !o) {
        cx_free(w);
        cx_free(fg);
        cJSON_Delete(o);
        return oom(err);
    }
    double *C0 = w, *D0 = w + Hs, *cf0 = w + 2 * Hs, *C1 = w + 3 * Hs, *D1 = w + 4 * Hs, *cf = w + 5 * Hs;
    double *Rt = w + 6 * Hs, *R1 = w + 7 * Hs, *cf1 = w + 8 * Hs;
    figures_of(fr, f, ro, g, fg);
    costs_now(fr, Q, 0, C0, D0);
    costs_now(fr, Q, 1, C1, D1);
    revenue_now(fr, f, ro, fg, 0, Rt);
    revenue_now(fr, f, ro, fg, 1, R1);
    double npv_plan = npv_of(fr, fr->R, C0, D0, cf0);
    double npv_costs = npv_of(fr, fr->R, C1, D1, cf);
    double npv_timing = npv_of(fr, Rt, C1, D1, cf);
    double npv_now = npv_of(fr, R1, C1, D1, cf1), df;
    double se = npv_se(fr, f, ro, fg, C1, D1, npv_now, w + 9 * Hs, w + 10 * Hs, &df);
    double crit = isfinite(df) && df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : 1.959963984540054;
    cJSON *as = cJSON_AddArrayToObject(o, "assumptions");
    for (int i = 0; assumptions[i]; i++)
        cJSON_AddItemToArray(as, cJSON_CreateString(assumptions[i]));
    cJSON_AddNumberToObject(o, "quarters_reviewed", Q + 1);
    cJSON_AddItemToObject(o, "discount_rate", num(fr->rate));
    cJSON_AddItemToObject(o, "gross_margin", num(fr->margin));
    cJSON_AddItemToObject(o, "tax_rate", num(fr->tax));
    cJSON_AddNumberToObject(o, "depreciation_years", fr->dep_years);
    cJSON *is = cJSON_AddArrayToObject(o, "initiatives");
    double t[3] = {0, 0, 0};
    for (size_t i = 0; i < fr->n; i++)
        cJSON_AddItemToArray(is, initiative_json(fr, f, &fr->in[i], &fg[i], Q, t));
    cJSON *tot = cJSON_AddObjectToObject(o, "total");
    cJSON_AddItemToObject(tot, "planned_costs", num(t[0]));
    cJSON_AddItemToObject(tot, "actual_costs", num(t[1]));
    cJSON_AddItemToObject(tot, "cost_variance", num(t[1] - t[0]));
    cJSON_AddItemToObject(tot, "timing", num(t[2]));
    cJSON *n = cJSON_AddObjectToObject(o, "npv");
    cJSON_AddItemToObject(n, "frozen", num(fr->npv_frozen));
    cJSON_AddItemToObject(n, "plan", num(npv_plan));
    cJSON_AddItemToObject(n, "check", num(npv_plan - fr->npv_frozen));
    cJSON_AddItemToObject(n, "costs", num(npv_costs - npv_plan));
    cJSON_AddItemToObject(n, "timing", num(npv_timing - npv_costs));
    cJSON_AddItemToObject(n, "delivery", num(npv_now - npv_timing));
    cJSON_AddItemToObject(n, "reforecast", num(npv_now));
    cJSON_AddItemToObject(n, "reforecast_se", num(se));
    cJSON_AddItemToObject(n, "df", num(isfinite(se) ? df : NAN));
    cJSON_AddItemToObject(n, "low", num(npv_now - crit * se));
    cJSON_AddItemToObject(n, "high", num(npv_now + crit * se));
    cJSON_AddItemToObject(n, "change", num(npv_now - npv_plan));
    cJSON *qs = cJSON_AddObjectToObject(o, "quarters");
    cJSON_AddItemToObject(qs, "delta_revenue_plan", stream_json(fr->R, H));
    cJSON_AddItemToObject(qs, "costs_plan", stream_json(C0, H));
    cJSON_AddItemToObject(qs, "deduct_plan", stream_json(D0, H));
    cJSON_AddItemToObject(qs, "cash_flow_plan", stream_json(cf0, H));
    cJSON_AddItemToObject(qs, "delta_revenue", stream_json(R1, H));
    cJSON_AddItemToObject(qs, "costs", stream_json(C1, H));
    cJSON_AddItemToObject(qs, "deduct", stream_json(D1, H));
    cJSON_AddItemToObject(qs, "cash_flow", stream_json(cf1, H));
    cx_free(w);
    cx_free(fg);
    *out = o;
    return CX_OK;
}
