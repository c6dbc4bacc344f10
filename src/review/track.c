/*
 * track.c - the track record of the ledger's forecasts: over every review
 * (the ledger's "review" records and the review being made, one per case
 * and quarter, the newest kept) and per target, the coverage of the 80% and
 * 95% bands with Wilson intervals, the mean CRPS and its skill against the
 * naive forecast "the baseline stays", a PIT histogram, and from 8 reviews
 * on a Diebold-Mariano test of equal CRPS against the naive forecast with
 * the Harvey-Leybourne-Newbold small-sample correction (horizon 1).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>

#include "cxcase/customer.h"
#include "review_internal.h"
#include "../core/core.h"

#define PIT_BINS 10

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* The Wilson interval of k hits in n (cx_wilson, customer.h); none for n = 0. */
static void wilson(double k, double n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = *hi = NAN;
        return;
    }
    cx_wilson(k, n, z, lo, hi);
    *lo = *lo < 0 ? 0 : *lo;
    *hi = *hi > 1 ? 1 : *hi;
}

cx_status cx_dm_test(const double *d, size_t n, double *stat, double *p)
{
    *stat = *p = NAN;
    if (n < 2)
        return CX_EINVAL;
    double m = 0, v = 0;
    for (size_t i = 0; i < n; i++)
        m += d[i];
    m /= (double)n;
    for (size_t i = 0; i < n; i++)
        v += (d[i] - m) * (d[i] - m);
    v /= (double)n; /* the DM long-run variance at horizon 1: gamma_0 */
    if (!(v > 0))
        return CX_EINVAL;
    double dm = m / sqrt(v / (double)n);
    /* HLN (1997): sqrt((n + 1 - 2h + h(h - 1)/n) / n), h = 1, t with n - 1 df */
    *stat = dm * sqrt(((double)n - 1) / (double)n);
    *p = 2 * gsl_cdf_tdist_Q(fabs(*stat), (double)n - 1);
    return CX_OK;
}

static double get(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* The review's entry for target `name`, or NULL. */
static const cJSON *target_of(const cJSON *review, const char *name)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(review, "targets")) {
        const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "target"));
        if (s && strcmp(s, name) == 0)
            return t;
    }
    return NULL;
}

/* Whether review b is made for the same case and quarter as a. */
static int same(const cJSON *a, const cJSON *b)
{
    const char *qa = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "quarter"));
    const char *qb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "quarter"));
    const char *ha = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(a, "case_sha256"));
    const char *hb = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "case_sha256"));
    return qa && qb && ha && hb && strcmp(qa, qb) == 0 && strcmp(ha, hb) == 0;
}

static cJSON *coverage_json(double k, double n)
{
    cJSON *o = cJSON_CreateObject();
    double lo, hi;
    wilson(k, n, 1.959963984540054, &lo, &hi);
    cJSON_AddNumberToObject(o, "hits", k);
    cJSON_AddItemToObject(o, "share", num(n > 0 ? k / n : NAN));
    cJSON_AddItemToObject(o, "wilson_low", num(lo));
    cJSON_AddItemToObject(o, "wilson_high", num(hi));
    return o;
}

/* The track record of target `name` over the reviews list[0 .. n). */
static cJSON *target_track(const cJSON *const *list, size_t n, const char *name)
{
    double k80 = 0, k95 = 0, crps = 0, naive = 0, m = 0, *d = cx_calloc(n + 1, sizeof(double));
    unsigned hist[PIT_BINS] = {0};
    cJSON *o = cJSON_CreateObject();
    if (!d || !o) {
        cx_free(d);
        cJSON_Delete(o);
        return NULL;
    }
    cJSON *rows = cJSON_CreateArray();
    for (size_t i = 0; i < n; i++) {
        const cJSON *t = target_of(list[i], name);
        const cJSON *fc = cJSON_GetObjectItemCaseSensitive(t, "forecast");
        const cJSON *ea = cJSON_GetObjectItemCaseSensitive(fc, "ex_ante");
        const cJSON *nv = cJSON_GetObjectItemCaseSensitive(fc, "naive");
        double c = get(ea, "crps"), cn = get(nv, "crps"), pit = get(ea, "pit");
        if (!t || !isfinite(c) || !isfinite(cn) || !isfinite(pit))
            continue;
        k80 += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ea, "in80"));
        k95 += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(ea, "in95"));
        crps += c;
        naive += cn;
        d[(size_t)m] = c - cn;
        m++;
        int b = (int)(pit * PIT_BINS);
        hist[b < 0 ? 0 : b >= PIT_BINS ? PIT_BINS - 1 : b]++;
        double mean = get(ea, "mean"), sd = get(ea, "sd");
        cJSON *r = cJSON_CreateObject();
        cJSON_AddItemToArray(rows, r);
        cJSON_AddItemToObject(r, "case", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(list[i], "case"), 1));
        cJSON_AddItemToObject(r, "quarter", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(list[i], "quarter"), 1));
        cJSON_AddItemToObject(r, "p10", num(mean - 1.2815515655446004 * sd));
        cJSON_AddItemToObject(r, "p50", num(mean));
        cJSON_AddItemToObject(r, "p90", num(mean + 1.2815515655446004 * sd));
        cJSON_AddItemToObject(r, "actual", num(get(t, "actual")));
        cJSON_AddItemToObject(r, "pit", num(pit));
        cJSON_AddItemToObject(r, "crps", num(c));
        cJSON_AddItemToObject(r, "crps_naive", num(cn));
    }
    cJSON_AddStringToObject(o, "target", name);
    cJSON_AddNumberToObject(o, "reviews", m);
    cJSON_AddItemToObject(o, "coverage80", coverage_json(k80, m));
    cJSON_AddItemToObject(o, "coverage95", coverage_json(k95, m));
    cJSON_AddItemToObject(o, "mean_crps", num(m > 0 ? crps / m : NAN));
    cJSON_AddItemToObject(o, "mean_crps_naive", num(m > 0 ? naive / m : NAN));
    cJSON_AddItemToObject(o, "crps_skill", num(m > 0 && naive > 0 ? 1 - crps / naive : NAN));
    cJSON *h = cJSON_AddArrayToObject(o, "pit_histogram");
    for (int b = 0; b < PIT_BINS; b++)
        cJSON_AddItemToArray(h, cJSON_CreateNumber(hist[b]));
    double stat, p;
    if (m >= 8 && cx_dm_test(d, (size_t)m, &stat, &p) == CX_OK) {
        cJSON *dm = cJSON_AddObjectToObject(o, "diebold_mariano");
        cJSON_AddNumberToObject(dm, "statistic_hln", stat);
        cJSON_AddNumberToObject(dm, "df", m - 1);
        cJSON_AddNumberToObject(dm, "p", p);
        cJSON_AddStringToObject(dm, "loss", "CRPS, model minus naive (negative: the model is better)");
    } else
        cJSON_AddNullToObject(o, "diebold_mariano");
    cJSON_AddItemToObject(o, "cycles", rows);
    cx_free(d);
    return o;
}

cJSON *cx_track_json(const cJSON *reviews, const cJSON *current)
{
    size_t n = (size_t)cJSON_GetArraySize(reviews) + 1, m = 0;
    const cJSON **list = cx_calloc(n, sizeof *list);
    cJSON *o = cJSON_CreateArray();
    if (!list || !o) {
        cx_free(list);
        cJSON_Delete(o);
        return NULL;
    }
    /* one review per case and quarter: the newest (the current one last) */
    const cJSON *r;
    cJSON_ArrayForEach(r, reviews) {
        size_t j = 0;
        while (j < m && !same(list[j], r))
            j++;
        list[j] = r;
        m += j == m;
    }
    size_t j = 0;
    while (j < m && !same(list[j], current))
        j++;
    list[j] = current;
    m += j == m;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(current, "targets")) {
        const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(t, "target"));
        cJSON *x = name ? target_track(list, m, name) : NULL;
        if (x)
            cJSON_AddItemToArray(o, x);
    }
    cx_free(list);
    return o;
}
