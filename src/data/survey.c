/*
 * survey.c - survey responses aggregated per group (period x unit).
 *
 * Responses stream from the CSV reader block by block; each group keeps only
 * the count of every score value, from which all statistics follow exactly.
 * A large file is counted in two halves on two threads and the counts
 * added, which gives the same numbers as one reading.
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
#include <pthread.h>
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

/* One reader's count: the groups met so far, each with its key and the
 * count of every score value. */
typedef struct tally {
    keypart *keys; /* ngroups x nby */
    size_t keycap;
    group *groups;
    size_t groupcap, ngroups;
    cx_strmap *map;  /* key bytes -> group */
    cx_strmap *pool; /* the key texts */
    cx_survey_stats stats;
} tally;

static void tally_free(tally *a)
{
    cx_free(a->keys);
    cx_free(a->groups);
    cx_strmap_free(a->map);
    cx_strmap_free(a->pool);
    memset(a, 0, sizeof *a);
}

static cx_status nomem(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* The group of key `kb` (its bytes) with parts `cur`, added when new. */
static cx_status group_of(tally *a, size_t nby, const cx_buf *kb, const keypart *cur, size_t *id)
{
    int fresh;
    if (cx_strmap_intern(a->map, kb->data ? kb->data : "", kb->len, a->ngroups, id, &fresh, NULL) != CX_OK)
        return CX_ENOMEM;
    if (!fresh)
        return CX_OK;
    if (cx_grow((void **)&a->groups, &a->groupcap, a->ngroups + 1, sizeof *a->groups) != CX_OK ||
        cx_grow((void **)&a->keys, &a->keycap, (a->ngroups + 1) * (nby ? nby : 1), sizeof *a->keys) != CX_OK)
        return CX_ENOMEM;
    memset(&a->groups[a->ngroups], 0, sizeof *a->groups);
    for (size_t k = 0; k < nby; k++) {
        a->keys[a->ngroups * nby + k] = cur[k];
        if (cur[k].s &&
            cx_strmap_intern(a->pool, cur[k].s, strlen(cur[k].s), 0, NULL, NULL, &a->keys[a->ngroups * nby + k].s) !=
                CX_OK)
            return CX_ENOMEM;
    }
    a->ngroups++;
    return CX_OK;
}

/* A column of `schema` that is not there: the message with the name meant
 * and the columns there are. */
static cx_status no_column(const cx_table *schema, const char *name, cx_error *err, const char *fmt, const char *tail)
{
    size_t nc = cx_table_ncols(schema);
    const char **names = cx_calloc(nc + 1, sizeof(char *));
    cx_buf b = {0};
    cx_status st = names ? CX_OK : CX_ENOMEM;
    for (size_t j = 0; j < nc && st == CX_OK; j++)
        names[j] = cx_table_colname(schema, j);
    if (st == CX_OK)
        st = cx_suggest_text(&b, name, names, nc, "its columns");
    if (st == CX_OK)
        st = cx_error_set(err, CX_EINVAL, cx_table_source(schema), 0, 0, fmt, name, b.data ? b.data : "", tail);
    cx_buf_free(&b);
    cx_free(names);
    return st == CX_ENOMEM ? cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory") : st;
}

/* The score column and the group columns of `schema`, checked. */
static cx_status columns(const cx_table *schema, const cx_survey_options *opt, size_t *score, size_t *bycol,
                         cx_error *err)
{
    const char *src = cx_table_source(schema);
    const char *score_name = opt->score ? opt->score : "score";
    *score = cx_table_find(schema, score_name);
    if (*score == (size_t)-1)
        return no_column(schema, score_name, err, "expected a score column '%s', found none%s%s",
                         "; name it with --score COLUMN");
    if (cx_table_coltype(schema, *score) != CX_COL_NUMBER)
        return cx_error_set(err, CX_EINVAL, src, 0, 0,
                            "expected numbers in the score column '%s', found %s", score_name,
                            cx_coltype_name(cx_table_coltype(schema, *score)));
    for (size_t k = 0; k < opt->nby; k++) {
        size_t j = cx_table_find(schema, opt->by[k]);
        if (j == (size_t)-1 && strcmp(opt->by[k], "period") == 0) {
            /* "period" names the file's period column, whatever it is called */
            size_t found = 0;
            for (size_t c = 0; c < cx_table_ncols(schema); c++)
                if (cx_table_coltype(schema, c) == CX_COL_PERIOD) {
                    if (found++ == 0)
                        j = c;
                }
            if (found > 1)
                return cx_error_set(err, CX_EINVAL, src, 0, 0,
                                    "expected one period column for 'period', found %zu; name the "
                                    "one to group by",
                                    found);
        }
        if (j == (size_t)-1)
            return no_column(schema, opt->by[k], err, "expected a column '%s' to group by, found none%s%s", "");
        if (j == *score)
            return cx_error_set(err, CX_EINVAL, src, 0, 0, "cannot group by the score column '%s'", opt->by[k]);
        if (cx_table_coltype(schema, j) == CX_COL_NUMBER)
            return cx_error_set(err, CX_EINVAL, src, 0, 0,
                                "expected a text or period column to group by, found numbers in "
                                "'%s'",
                                opt->by[k]);
        bycol[k] = j;
    }
    return CX_OK;
}

/* Count the responses streamed from r into a. */
static cx_status count(cx_csv_reader *r, const cx_survey_options *opt, size_t score, const size_t *bycol, tally *a,
                       cx_error *err)
{
    const scale_info *sc = &scales[opt->scale];
    const cx_table *schema = cx_csv_schema(r);
    size_t nby = opt->nby;
    cx_survey_stats *stats = &a->stats;
    cx_status st = CX_OK;
    keypart *cur = cx_calloc(nby + 1, sizeof *cur);
    unsigned char *skip = cx_malloc(cx_table_ncols(schema) + 1);
    cx_buf kb = {0};
    if (!cur || !skip)
        goto oom;
    /* the other columns (touchpoints, comments ...) are not converted */
    memset(skip, 1, cx_table_ncols(schema) + 1);
    skip[score] = 0;
    for (size_t k = 0; k < nby; k++)
        skip[bycol[k]] = 0;
    if ((st = cx_csv_skip_columns(r, skip, err)) != CX_OK)
        goto out;
    for (;;) {
        const cx_table *b;
        if ((st = cx_csv_next(r, &b, err)) != CX_OK || !b)
            goto out;
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
                goto out;
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
                        goto out;
                    }
                    cur[k].p = p;
                    cur[k].s = NULL;
                    if (cx_buf_append(&kb, &p, sizeof p) != CX_OK)
                        goto oom;
                } else {
                    const char *s = cx_table_text(b, j, i);
                    if (!s) {
                        missing = 1;
                        break;
                    }
                    cur[k].s = s;
                    if (cx_buf_append(&kb, s, strlen(s) + 1) != CX_OK)
                        goto oom;
                }
            }
            if (missing) {
                stats->missing_key++;
                continue;
            }
            size_t id;
            if (group_of(a, nby, &kb, cur, &id) != CX_OK)
                goto oom;
            a->groups[id].count[(int)v]++;
            stats->used++;
        }
    }
oom:
    st = nomem(err);
out:
    cx_free(cur);
    cx_free(skip);
    cx_buf_free(&kb);
    return st;
}

/* The output table: a row per group of a, sorted by key. */
static cx_status table_of(const tally *a, const cx_table *schema, const cx_survey_options *opt, const size_t *bycol,
                          cx_table **out, cx_error *err)
{
    const scale_info *sc = &scales[opt->scale];
    size_t nby = opt->nby, ngroups = a->ngroups;
    cx_status st = CX_OK;
    gref *refs = cx_calloc(ngroups + 1, sizeof *refs);
    cx_table *res = cx_table_new(cx_table_source(schema));
    if (!refs || !res)
        goto oom;
    for (size_t g = 0; g < ngroups; g++)
        refs[g] = (gref){a->keys + g * nby, nby, g};
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
    for (size_t g = 0; g < ngroups && st == CX_OK; g++) {
        size_t row;
        if (cx_table_add_row(res, 0, &row) != CX_OK)
            goto oom;
        const keypart *kp = refs[g].k;
        for (size_t k = 0; k < nby; k++) {
            if (kp[k].s) {
                if (cx_table_set_text(res, k, row, kp[k].s) != CX_OK)
                    goto oom;
            } else
                cx_table_set_period(res, k, row, kp[k].p);
        }
        double v[13];
        group_stats(opt->scale, &a->groups[refs[g].id], v);
        for (size_t c = 0; c < ncols; c++)
            cx_table_set_number(res, nby + c, row, v[c]);
    }
    if (st == CX_OK) {
        *out = res;
        res = NULL;
    }
    goto out;
oom:
    st = nomem(err);
out:
    cx_free(refs);
    cx_table_free(res);
    return st;
}

static cx_status tally_init(tally *a)
{
    memset(a, 0, sizeof *a);
    a->map = cx_strmap_new();
    a->pool = cx_strmap_new();
    return a->map && a->pool ? CX_OK : CX_ENOMEM;
}

cx_status cx_survey_aggregate(cx_csv_reader *r, const cx_survey_options *opt, cx_table **out,
                              cx_survey_stats *stats, cx_error *err)
{
    *out = NULL;
    if (stats)
        memset(stats, 0, sizeof *stats);
    if ((unsigned)opt->scale >= sizeof scales / sizeof scales[0])
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "unknown scale");
    const cx_table *schema = cx_csv_schema(r);
    size_t score, *bycol = cx_calloc(opt->nby + 1, sizeof *bycol);
    tally a;
    cx_status st = tally_init(&a) == CX_OK && bycol ? CX_OK : nomem(err);
    if (st == CX_OK)
        st = columns(schema, opt, &score, bycol, err);
    if (st == CX_OK)
        st = count(r, opt, score, bycol, &a, err);
    if (st == CX_OK)
        st = table_of(&a, schema, opt, bycol, out, err);
    if (st == CX_OK && stats)
        *stats = a.stats;
    tally_free(&a);
    cx_free(bycol);
    return st;
}

/* Add b's groups and counts to a's. */
static cx_status merge(tally *a, const tally *b, size_t nby)
{
    cx_buf kb = {0};
    cx_status st = CX_OK;
    for (size_t g = 0; g < b->ngroups && st == CX_OK; g++) {
        const keypart *kp = b->keys + g * nby;
        kb.len = 0;
        for (size_t k = 0; k < nby && st == CX_OK; k++)
            st = kp[k].s ? cx_buf_append(&kb, kp[k].s, strlen(kp[k].s) + 1) : cx_buf_append(&kb, &kp[k].p, sizeof kp[k].p);
        size_t id;
        if (st == CX_OK && (st = group_of(a, nby, &kb, kp, &id)) == CX_OK)
            for (int v = 0; v <= MAX_SCORE; v++)
                a->groups[id].count[v] += b->groups[g].count[v];
    }
    cx_buf_free(&kb);
    cx_survey_stats *x = &a->stats;
    const cx_survey_stats *y = &b->stats;
    x->responses += y->responses;
    x->used += y->used;
    x->missing_score += y->missing_score;
    x->missing_key += y->missing_key;
    x->invalid += y->invalid;
    return st;
}

/* Below this size one thread is as fast: each half's first block, which
 * types the columns, is read the slow way (measured on the samples'
 * responses: 8.8 MB 0.110 s on one thread against 0.119 s on two; 35 MB
 * 0.195 s against 0.166 s; 88 MB 0.37 s against 0.25 s). */
#define SPLIT_MIN_BYTES ((uint64_t)16 << 20)

typedef struct half {
    const char *path;
    cx_csv_options copt; /* the second half's range, the first half's types */
    const cx_survey_options *opt;
    size_t score;
    const size_t *bycol;
    tally t;
    cx_status st;
} half;

static void *count_second_half(void *arg)
{
    half *h = arg;
    cx_error err; /* not reported: on failure the file is read again whole */
    cx_error_init(&err);
    cx_csv_reader *r = NULL;
    h->st = tally_init(&h->t);
    if (h->st == CX_OK)
        h->st = cx_csv_open(h->path, &h->copt, &r, &err);
    if (h->st == CX_OK)
        h->st = count(r, h->opt, h->score, h->bycol, &h->t, &err);
    cx_csv_close(r);
    return NULL;
}

/*
 * The file in two halves: this thread reads up to `mid` (the first half
 * ends there as a file would), a second thread from `mid` on with the
 * column types the first reader found, and the counts are added.  Any
 * failure returns non-OK with `err` untouched, and the caller reads the
 * whole file on one thread, which reports the first error of the file at
 * its true line: an error in either half, the middle inside a quoted
 * field, or a skipped invalid score only in the second half (whose lines
 * are not numbered as in the file).
 */
static cx_status two_halves(const char *path, const cx_csv_options *copt, const cx_survey_options *opt,
                            uint64_t mid, cx_table **out, cx_survey_stats *stats)
{
    cx_error scratch;
    cx_error_init(&scratch);
    cx_csv_reader *r = NULL;
    size_t score, *bycol = cx_calloc(opt->nby + 1, sizeof *bycol);
    cx_csv_coltype *types = NULL;
    tally a;
    half h;
    memset(&h, 0, sizeof h);
    cx_status st = tally_init(&a) == CX_OK && bycol ? CX_OK : CX_ENOMEM;
    if (st == CX_OK)
        st = cx_csv_open(path, copt, &r, &scratch);
    if (st == CX_OK && !cx_csv_set_range_end(r, mid))
        st = CX_EINVAL; /* the first block reached past the middle */
    const cx_table *schema = st == CX_OK ? cx_csv_schema(r) : NULL;
    if (st == CX_OK)
        st = columns(schema, opt, &score, bycol, &scratch);
    size_t nc = schema ? cx_table_ncols(schema) : 0;
    if (st == CX_OK && !(types = cx_calloc(nc + 1, sizeof *types)))
        st = CX_ENOMEM;
    if (st == CX_OK) {
        for (size_t j = 0; j < nc; j++)
            types[j] = (cx_csv_coltype){cx_table_colname(schema, j), cx_table_coltype(schema, j), 0};
        h.path = path;
        h.copt = *copt;
        h.copt.types = types;
        h.copt.ntypes = nc;
        h.copt.range_start = mid;
        h.copt.range_line = 2;
        h.opt = opt;
        h.score = score;
        h.bycol = bycol;
        pthread_t tid;
        int started = pthread_create(&tid, NULL, count_second_half, &h) == 0;
        st = count(r, opt, score, bycol, &a, &scratch);
        if (started)
            pthread_join(tid, NULL);
        else
            count_second_half(&h);
        if (st == CX_OK)
            st = h.st;
    }
    if (st == CX_OK && h.t.stats.invalid && !a.stats.invalid)
        st = CX_EINVAL; /* the first skipped score's line is not known */
    if (st == CX_OK)
        st = merge(&a, &h.t, opt->nby);
    if (st == CX_OK)
        st = table_of(&a, schema, opt, bycol, out, &scratch);
    if (st == CX_OK && stats)
        *stats = a.stats;
    tally_free(&a);
    tally_free(&h.t);
    cx_csv_close(r);
    cx_free(types);
    cx_free(bycol);
    return st;
}

cx_status cx_survey_aggregate_file(const char *path, const cx_csv_options *copt, const cx_survey_options *opt,
                                   cx_table **out, cx_survey_stats *stats, cx_error *err)
{
    *out = NULL;
    if ((unsigned)opt->scale >= sizeof scales / sizeof scales[0])
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "unknown scale");
    cx_csv_options whole;
    memset(&whole, 0, sizeof whole);
    if (copt)
        whole = *copt;
    uint64_t mid;
    if (!whole.range_start && !whole.range_end && cx_csv_split_point(path, SPLIT_MIN_BYTES, &mid) &&
        two_halves(path, &whole, opt, mid, out, stats) == CX_OK)
        return CX_OK;
    cx_csv_reader *r = NULL;
    cx_status st = cx_csv_open(path, &whole, &r, err);
    if (st == CX_OK)
        st = cx_survey_aggregate(r, opt, out, stats, err);
    cx_csv_close(r);
    return st;
}

cx_status cx_survey_aggregate_files(const char *const *paths, size_t n, const cx_csv_options *copt,
                                    const cx_survey_options *opt, cx_table **out, cx_survey_stats *stats,
                                    cx_error *err)
{
    *out = NULL;
    if (n == 1)
        return cx_survey_aggregate_file(paths[0], copt, opt, out, stats, err);
    if (stats)
        memset(stats, 0, sizeof *stats);
    if (n == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "no response files to aggregate");
    if ((unsigned)opt->scale >= sizeof scales / sizeof scales[0])
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "unknown scale");
    size_t score, *bycol = cx_calloc(2 * opt->nby + 1, sizeof *bycol);
    size_t *first = bycol ? bycol + opt->nby : NULL; /* no arithmetic on NULL: clang's UBSan */
    cx_csv_reader *r0 = NULL; /* the first file: its columns name the output's */
    tally a;
    cx_status st = tally_init(&a) == CX_OK && bycol ? CX_OK : nomem(err);
    for (size_t f = 0; f < n && st == CX_OK; f++) {
        cx_csv_reader *r = NULL;
        st = cx_csv_open(paths[f], copt, &r, err);
        const cx_table *schema = st == CX_OK ? cx_csv_schema(r) : NULL;
        if (st == CX_OK)
            st = columns(schema, opt, &score, f ? bycol : first, err);
        for (size_t k = 0; f && k < opt->nby && st == CX_OK; k++)
            if (cx_table_coltype(schema, bycol[k]) != cx_table_coltype(cx_csv_schema(r0), first[k]))
                st = cx_error_set(err, CX_EINVAL, paths[f], 0, 0,
                                  "expected the group column '%s' to hold %ss as in '%s', found %ss", opt->by[k],
                                  cx_coltype_name(cx_table_coltype(cx_csv_schema(r0), first[k])), paths[0],
                                  cx_coltype_name(cx_table_coltype(schema, bycol[k])));
        if (st == CX_OK)
            st = count(r, opt, score, f ? bycol : first, &a, err);
        if (f == 0)
            r0 = r;
        else
            cx_csv_close(r);
    }
    if (st == CX_OK)
        st = table_of(&a, cx_csv_schema(r0), opt, first, out, err);
    cx_buf from = {0}; /* each column's source: "a.csv + b.csv" */
    for (size_t f = 0; f < n && st == CX_OK; f++)
        if (cx_buf_printf(&from, "%s%s", f ? " + " : "", paths[f]) != CX_OK)
            st = nomem(err);
    for (size_t c = 0; c < cx_table_ncols(*out) && st == CX_OK; c++)
        if (cx_table_set_colsource(*out, c, from.data) != CX_OK)
            st = nomem(err);
    cx_buf_free(&from);
    if (st != CX_OK) {
        cx_table_free(*out);
        *out = NULL;
    }
    if (st == CX_OK && stats)
        *stats = a.stats;
    tally_free(&a);
    cx_csv_close(r0);
    cx_free(bycol);
    return st;
}
