/*
 * survey.c - survey responses aggregated per group (period x unit).
 *
 * Responses stream from the CSV reader block by block; each group keeps only
 * the count of every score value, from which all statistics follow exactly.
 *
 * NPS (0-10): promoters score 9-10, passives 7-8, detractors 0-6, and
 *   NPS = 100 (pP - pD), SE = 100 sqrt((pP + pD - (pP - pD)^2) / n),
 *   the variance of the mean of a +1/0/-1 variable (maximum likelihood form).
 *   95% interval: NPS +/- 1.96 SE.
 *   Adjusted Wald (B. Rocks, "Interval estimation for the 'net promoter
 *   score'", The American Statistician 70(4), 2016): add 3/4 promoter, 3/4
 *   detractor and 3/2 passive (n + 3 in all) and apply the same formula
 *   around the adjusted estimate; limits are clipped to [-100, 100].
 * CSAT (1-5): 100 x share of 4-5, SE = 100 sqrt(p (1 - p) / n).
 * CES (1-7) and rating (1-5): mean, SE = s / sqrt(n) with the n - 1 standard
 *   deviation (undefined for n = 1, written as missing).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define Z95 1.96
#define MAX_SCORE 10

typedef struct scale_info {
    const char *name;
    int lo, hi;
} scale_info;

static const scale_info scales[] = {
    [CX_SCALE_NPS] = {"nps", 0, 10},
    [CX_SCALE_CSAT] = {"csat", 1, 5},
    [CX_SCALE_CES] = {"ces", 1, 7},
    [CX_SCALE_RATING] = {"rating", 1, 5},
};

const char *cx_scale_name(cx_scale s)
{
    return (unsigned)s < sizeof scales / sizeof scales[0] ? scales[s].name : "unknown";
}

cx_status cx_scale_from_name(const char *name, cx_scale *out)
{
    for (size_t k = 0; k < sizeof scales / sizeof scales[0]; k++)
        if (strcmp(scales[k].name, name) == 0) {
            *out = (cx_scale)k;
            return CX_OK;
        }
    return CX_EINVAL;
}

/* One key part of a group: a period or an interned text. */
typedef struct keypart {
    cx_period p;
    const char *s;
} keypart;

typedef struct group {
    uint64_t count[MAX_SCORE + 1];
} group;

typedef struct gref {
    const keypart *k;
    size_t nby, id;
} gref;

static int cmp_gref(const void *pa, const void *pb)
{
    const gref *a = pa, *b = pb;
    for (size_t i = 0; i < a->nby; i++) {
        const keypart *x = &a->k[i], *y = &b->k[i];
        int c = x->s || y->s ? strcmp(x->s ? x->s : "", y->s ? y->s : "") : cx_period_cmp(x->p, y->p);
        if (c)
            return c;
    }
    return 0;
}

/* Column names of the statistics, in output order. */
static const char *const nps_cols[] = {"n", NULL, "se", "ci_low", "ci_high", "awald_low",
                                       "awald_high", "promoters", "passives", "detractors",
                                       "promoter_share", "passive_share", "detractor_share"};
static const char *const mean_cols[] = {"n", NULL, "se", "ci_low", "ci_high"};

static double clip100(double v)
{
    return v < -100 ? -100 : v > 100 ? 100 : v;
}

/* Fill the statistics of one group into `v` (order of nps_cols/mean_cols). */
static void group_stats(cx_scale scale, const group *g, double *v)
{
    double n = 0, sum = 0;
    for (int s = 0; s <= MAX_SCORE; s++) {
        double c = (double)g->count[s];
        n += c;
        sum += c * s;
    }
    v[0] = n;
    if (scale == CX_SCALE_NPS) {
        double np = (double)(g->count[9] + g->count[10]);
        double na = (double)(g->count[7] + g->count[8]);
        double nd = n - np - na;
        double pp = np / n, pd = nd / n, d = pp - pd;
        v[1] = 100.0 * d;
        v[2] = 100.0 * sqrt((pp + pd - d * d) / n);
        v[3] = v[1] - Z95 * v[2];
        v[4] = v[1] + Z95 * v[2];
        double n3 = n + 3.0, ppa = (np + 0.75) / n3, pda = (nd + 0.75) / n3, da = ppa - pda;
        double sea = sqrt((ppa + pda - da * da) / n3);
        v[5] = clip100(100.0 * (da - Z95 * sea));
        v[6] = clip100(100.0 * (da + Z95 * sea));
        v[7] = np;
        v[8] = na;
        v[9] = nd;
        v[10] = 100.0 * pp;
        v[11] = 100.0 * na / n;
        v[12] = 100.0 * pd;
    } else if (scale == CX_SCALE_CSAT) {
        double p = (double)(g->count[4] + g->count[5]) / n;
        v[1] = 100.0 * p;
        v[2] = 100.0 * sqrt(p * (1 - p) / n);
        v[3] = v[1] - Z95 * v[2];
        v[4] = v[1] + Z95 * v[2];
    } else {
        double mean = sum / n;
        /* the n - 1 variance from the counts, via the centred sum */
        double ss = 0;
        for (int s = 0; s <= MAX_SCORE; s++)
            ss += (double)g->count[s] * (s - mean) * (s - mean);
        v[1] = mean;
        v[2] = n > 1 ? sqrt(ss / (n - 1) / n) : NAN;
        v[3] = v[1] - Z95 * v[2];
        v[4] = v[1] + Z95 * v[2];
    }
}

cx_status cx_survey_aggregate(cx_csv_reader *r, const cx_survey_options *opt, cx_table **out,
                              cx_survey_stats *stats, cx_error *err)
{
    *out = NULL;
    cx_survey_stats local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    const cx_table *schema = cx_csv_schema(r);
    const char *src = cx_table_source(schema);
    const scale_info *sc = &scales[opt->scale];
    cx_status st = CX_OK;
    size_t *bycol = NULL;
    keypart *keys = NULL, *cur = NULL;
    size_t keycap = 0;
    group *groups = NULL;
    size_t groupcap = 0, ngroups = 0;
    cx_strmap *map = NULL, *pool = NULL;
    cx_buf kb = {0};
    gref *refs = NULL;
    cx_table *res = NULL;

    if ((unsigned)opt->scale >= sizeof scales / sizeof scales[0])
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "unknown scale");
    const char *score_name = opt->score ? opt->score : "score";
    size_t score = cx_table_find(schema, score_name);
    if (score == (size_t)-1)
        return cx_error_set(err, CX_EINVAL, src, 0, 0,
                            "expected a score column '%s', found none (use --score COLUMN)",
                            score_name);
    if (cx_table_coltype(schema, score) != CX_COL_NUMBER)
        return cx_error_set(err, CX_EINVAL, src, 0, 0,
                            "expected numbers in the score column '%s', found %s", score_name,
                            cx_coltype_name(cx_table_coltype(schema, score)));
    size_t nby = opt->nby;
    bycol = cx_calloc(nby + 1, sizeof *bycol);
    cur = cx_calloc(nby + 1, sizeof *cur);
    map = cx_strmap_new();
    pool = cx_strmap_new();
    if (!bycol || !cur || !map || !pool)
        goto nomem;
    for (size_t k = 0; k < nby; k++) {
        size_t j = cx_table_find(schema, opt->by[k]);
        if (j == (size_t)-1 && strcmp(opt->by[k], "period") == 0) {
            /* "period" names the file's period column, whatever it is called */
            size_t found = 0;
            for (size_t c = 0; c < cx_table_ncols(schema); c++)
                if (cx_table_coltype(schema, c) == CX_COL_PERIOD) {
                    if (found++ == 0)
                        j = c;
                }
            if (found > 1) {
                st = cx_error_set(err, CX_EINVAL, src, 0, 0,
                                  "expected one period column for 'period', found %zu; name the "
                                  "one to group by",
                                  found);
                goto fail;
            }
        }
        if (j == (size_t)-1) {
            st = cx_error_set(err, CX_EINVAL, src, 0, 0,
                              "expected a column '%s' to group by, found none", opt->by[k]);
            goto fail;
        }
        if (j == score) {
            st = cx_error_set(err, CX_EINVAL, src, 0, 0, "cannot group by the score column '%s'",
                              opt->by[k]);
            goto fail;
        }
        if (cx_table_coltype(schema, j) == CX_COL_NUMBER) {
            st = cx_error_set(err, CX_EINVAL, src, 0, 0,
                              "expected a text or period column to group by, found numbers in "
                              "'%s'",
                              opt->by[k]);
            goto fail;
        }
        bycol[k] = j;
    }
    /* the other columns (touchpoints, comments ...) are not converted */
    {
        size_t nc = cx_table_ncols(schema);
        unsigned char *skip = cx_malloc(nc + 1);
        if (!skip)
            goto nomem;
        memset(skip, 1, nc + 1);
        skip[score] = 0;
        for (size_t k = 0; k < nby; k++)
            skip[bycol[k]] = 0;
        st = cx_csv_skip_columns(r, skip, err);
        cx_free(skip);
        if (st != CX_OK)
            goto fail;
    }

    /* ---- stream the responses ---- */
    for (;;) {
        const cx_table *b;
        st = cx_csv_next(r, &b, err);
        if (st != CX_OK)
            goto fail;
        if (!b)
            break;
        const double *sv = cx_table_numbers(b, score);
        for (size_t i = 0; i < cx_table_nrows(b); i++) {
            stats->responses++;
            double v = sv[i];
            if (isnan(v)) {
                stats->missing_score++;
                continue;
            }
            if (v != floor(v) || v < sc->lo || v > sc->hi) {
                if (opt->skip_invalid) {
                    if (!stats->invalid++)
                        stats->first_invalid_line = cx_table_line(b, i);
                    continue;
                }
                char num[32];
                snprintf(num, sizeof num, "%.15g", v);
                st = cx_csv_cell_error(r, i, score, err, CX_EINVAL,
                                       "expected an integer score from %d to %d (scale %s), "
                                       "found '%s' (use --skip-invalid to skip such rows)",
                                       sc->lo, sc->hi, sc->name, num);
                goto fail;
            }
            /* the group key */
            kb.len = 0;
            int missing = 0;
            for (size_t k = 0; k < nby && !missing; k++) {
                size_t j = bycol[k];
                if (cx_table_coltype(b, j) == CX_COL_PERIOD) {
                    cx_period p = cx_table_periods(b, j)[i];
                    if (p.kind == CX_PERIOD_NONE) {
                        missing = 1;
                        break;
                    }
                    if (opt->period_kind != CX_PERIOD_NONE &&
                        cx_period_convert(p, opt->period_kind, &p) != CX_OK) {
                        char per[CX_PERIOD_TEXT_MAX];
                        st = cx_csv_cell_error(r, i, j, err, CX_EINVAL,
                                               "cannot turn the %s '%s' into a %s",
                                               cx_period_kind_name((cx_period_kind)cx_table_periods(b, j)[i].kind),
                                               cx_period_format(cx_table_periods(b, j)[i], per, sizeof per),
                                               cx_period_kind_name(opt->period_kind));
                        goto fail;
                    }
                    cur[k].p = p;
                    cur[k].s = NULL;
                    if (cx_buf_append(&kb, &p, sizeof p) != CX_OK)
                        goto nomem;
                } else {
                    const char *s = cx_table_text(b, j, i);
                    if (!s) {
                        missing = 1;
                        break;
                    }
                    cur[k].s = s;
                    if (cx_buf_append(&kb, s, strlen(s) + 1) != CX_OK)
                        goto nomem;
                }
            }
            if (missing) {
                stats->missing_key++;
                continue;
            }
            size_t id;
            int fresh;
            if (cx_strmap_intern(map, kb.data ? kb.data : "", kb.len, ngroups, &id, &fresh, NULL) != CX_OK)
                goto nomem;
            if (fresh) {
                if (cx_grow((void **)&groups, &groupcap, ngroups + 1, sizeof *groups) != CX_OK ||
                    cx_grow((void **)&keys, &keycap, (ngroups + 1) * (nby ? nby : 1), sizeof *keys) != CX_OK)
                    goto nomem;
                memset(&groups[ngroups], 0, sizeof *groups);
                for (size_t k = 0; k < nby; k++) {
                    keys[ngroups * nby + k] = cur[k];
                    if (cur[k].s &&
                        cx_strmap_intern(pool, cur[k].s, strlen(cur[k].s), 0, NULL, NULL,
                                         &keys[ngroups * nby + k].s) != CX_OK)
                        goto nomem;
                }
                ngroups++;
            }
            groups[id].count[(int)v]++;
            stats->used++;
        }
    }

    /* ---- the output table, groups sorted by key ---- */
    refs = cx_calloc(ngroups + 1, sizeof *refs);
    res = cx_table_new(src);
    if (!refs || !res)
        goto nomem;
    for (size_t g = 0; g < ngroups; g++)
        refs[g] = (gref){keys + g * nby, nby, g};
    qsort(refs, ngroups, sizeof *refs, cmp_gref);
    for (size_t k = 0; k < nby && st == CX_OK; k++)
        st = cx_table_add_column(res, opt->by[k], cx_table_coltype(schema, bycol[k]), NULL, err);
    const char *const *cols = opt->scale == CX_SCALE_NPS ? nps_cols : mean_cols;
    size_t ncols = opt->scale == CX_SCALE_NPS ? sizeof nps_cols / sizeof nps_cols[0]
                                              : sizeof mean_cols / sizeof mean_cols[0];
    for (size_t c = 0; c < ncols && st == CX_OK; c++) {
        char name[128];
        const char *base = opt->prefix ? opt->prefix : sc->name;
        if (!cols[c])
            snprintf(name, sizeof name, "%s", base);
        else if (opt->prefix)
            snprintf(name, sizeof name, "%s_%s", opt->prefix, cols[c]);
        else
            snprintf(name, sizeof name, "%s", cols[c]);
        st = cx_table_add_column(res, name, CX_COL_NUMBER, NULL, err);
    }
    if (st != CX_OK)
        goto fail;
    for (size_t g = 0; g < ngroups; g++) {
        size_t row;
        if (cx_table_add_row(res, 0, &row) != CX_OK)
            goto nomem;
        const keypart *kp = refs[g].k;
        for (size_t k = 0; k < nby; k++) {
            if (kp[k].s) {
                if (cx_table_set_text(res, k, row, kp[k].s) != CX_OK)
                    goto nomem;
            } else
                cx_table_set_period(res, k, row, kp[k].p);
        }
        double v[13];
        group_stats(opt->scale, &groups[refs[g].id], v);
        for (size_t c = 0; c < ncols; c++)
            cx_table_set_number(res, nby + c, row, v[c]);
    }
    *out = res;
    res = NULL;
    goto done;

nomem:
    st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
fail:
done:
    cx_free(bycol);
    cx_free(cur);
    cx_free(keys);
    cx_free(groups);
    cx_free(refs);
    cx_strmap_free(map);
    cx_strmap_free(pool);
    cx_buf_free(&kb);
    cx_table_free(res);
    return st;
}
