/*
 * link.c - survey responses joined to customer records (a CRM export), and
 * what follows from the join: behaviour per score and category, the
 * logistic regression of leaving, the value fits, and the economics.
 *
 * The join is a hash join: the customer file is read whole and its ids go
 * into a hash map (core/hash.c) from id to row; the responses are streamed
 * block by block and each looks up its customer.  Memory is the customer
 * file plus what is linked: one row per matched response, or one per
 * customer with `last`.  Diagnostics as the panel join gives them: a
 * duplicated customer id is an error naming both lines, responses without
 * a customer are counted with examples.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cxcase/customer.h"
#include "../core/core.h"
#include "../data/table.h"

#define NONE ((size_t)-1)
#define NSCORE 11
#define NGROUP (NSCORE + 3)
#define Z95 1.959963984540054

static const char *const CATEGORY[3] = {"detractor", "passive", "promoter"};

struct cx_link {
    cx_link_join join;
    cx_table *linked;
    cx_link_group groups[NGROUP];
    cx_link_est diff_retention, diff_value;
    cx_logit *logit;
    cx_model *value_cat, *value_score;
    cx_link_economics econ;
};

void cx_link_free(cx_link *lk)
{
    if (!lk)
        return;
    cx_table_free(lk->linked);
    cx_logit_free(lk->logit);
    cx_model_free(lk->value_cat);
    cx_model_free(lk->value_score);
    cx_free(lk);
}

const cx_link_join *cx_link_join_get(const cx_link *lk) { return &lk->join; }
const cx_link_est *cx_link_diff_retention(const cx_link *lk) { return &lk->diff_retention; }
const cx_link_est *cx_link_diff_value(const cx_link *lk) { return &lk->diff_value; }
const cx_logit *cx_link_logit(const cx_link *lk) { return lk->logit; }
const cx_equation *cx_link_value_category(const cx_link *lk) { return cx_model_equation(lk->value_cat, 0); }
const cx_equation *cx_link_value_score(const cx_link *lk) { return cx_model_equation(lk->value_score, 0); }
const cx_link_economics *cx_link_economics_get(const cx_link *lk) { return &lk->econ; }
const cx_table *cx_link_table(const cx_link *lk) { return lk->linked; }

const cx_link_group *cx_link_groups(const cx_link *lk, size_t *n)
{
    *n = NGROUP;
    return lk->groups;
}

static cx_status oom(cx_error *err) { return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory"); }

/* The category of a 0-10 score: 0 detractor (0-6), 1 passive (7-8), 2 promoter (9-10). */
static int category_of(double score) { return score >= 9 ? 2 : score >= 7 ? 1 : 0; }

/* Reading options with `cols` forced to `types` on top of the caller's. */
static cx_status forced(const cx_csv_options *base, const char *const *cols, const cx_coltype *types, size_t n,
                        cx_csv_options *o, cx_csv_coltype **owned, cx_error *err)
{
    if (base)
        *o = *base;
    else
        memset(o, 0, sizeof *o);
    *owned = cx_calloc(o->ntypes + n + 1, sizeof(cx_csv_coltype));
    if (!*owned)
        return oom(err);
    if (o->ntypes)
        memcpy(*owned, o->types, o->ntypes * sizeof(cx_csv_coltype));
    for (size_t k = 0; k < n; k++)
        (*owned)[o->ntypes + k] = (cx_csv_coltype){cols[k], types[k], 0};
    o->types = *owned;
    o->ntypes += n;
    return CX_OK;
}

/* The column `name` of t with type `type`, or an error naming the option. */
static cx_status need_column(const cx_table *t, const char *name, cx_coltype type, const char *what,
                             size_t *col, cx_error *err)
{
    *col = cx_table_find(t, name);
    if (*col != NONE && cx_table_coltype(t, *col) == type)
        return CX_OK;
    if (*col != NONE)
        return cx_error_set(err, CX_EINVAL, cx_table_source(t), 1, 0,
                            "expected the %s column '%s' to hold %ss, found %s cells", what, name,
                            cx_coltype_name(type), cx_coltype_name(cx_table_coltype(t, *col)));
    cx_buf b = {0};
    cx_table_describe_missing(t, name, &b);
    cx_status st = cx_error_set(err, CX_EINVAL, cx_table_source(t), 0, 0, "expected a %s column '%s', %s", what,
                                name, b.data ? b.data : "which it does not have");
    cx_buf_free(&b);
    return st;
}

/* ======================================================================== */
/* The customer file                                                        */
/* ======================================================================== */

typedef struct customers {
    cx_table *t; /* the file, its id column left empty: the ids are in `ids` */
    cx_strmap *ids; /* id -> row */
    const char **idtext; /* with keep_rows: per row, the id (a key of `ids`) or NULL */
    size_t id, churn, value;
    size_t dup, dup_first; /* the first id seen twice: its row and the earlier one (NONE: none) */
    const char *dup_text;  /* and the id */
} customers;

/* The ids of one block and their hashes.  A million ids make a map far
 * larger than the cache: each lookup waits for its slot, so the slot of the
 * id AHEAD rows on is prefetched while this one is looked up. */
#define AHEAD 16

typedef struct idbatch {
    const char **s; /* NULL: a missing id */
    size_t *len;
    uint64_t *h;
    size_t cap;
} idbatch;

static void idbatch_free(idbatch *q)
{
    cx_free(q->s);
    cx_free(q->len);
    cx_free(q->h);
}

/* Hash the ids in column col of block b (none when col is NONE). */
static cx_status idbatch_fill(idbatch *q, const cx_table *b, size_t col)
{
    size_t n = cx_table_nrows(b);
    if (n > q->cap) {
        idbatch_free(q);
        q->s = cx_calloc(n, sizeof(char *));
        q->len = cx_calloc(n, sizeof(size_t));
        q->h = cx_calloc(n, sizeof(uint64_t));
        q->cap = q->s && q->len && q->h ? n : 0;
        if (!q->cap)
            return CX_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        q->s[i] = col != NONE ? cx_table_text(b, col, i) : NULL;
        q->len[i] = q->s[i] ? strlen(q->s[i]) : 0;
        q->h[i] = q->s[i] ? cx_strmap_hash(q->s[i], q->len[i]) : 0;
    }
    return CX_OK;
}

/* Before the lookup of row i: prefetch the slot of row i + AHEAD, and with
 * `keys` (lookups that mostly find their id) the key of row i + AHEAD / 2,
 * whose slot should have arrived by then. */
static void idbatch_ahead(const idbatch *q, const cx_strmap *m, size_t i, size_t n, int keys)
{
    if (i == 0)
        for (size_t k = 0; k < AHEAD && k < n; k++)
            if (q->s[k])
                cx_strmap_prefetch(m, q->h[k]);
    if (i + AHEAD < n && q->s[i + AHEAD])
        cx_strmap_prefetch(m, q->h[i + AHEAD]);
    if (keys && i + AHEAD / 2 < n && q->s[i + AHEAD / 2])
        cx_strmap_prefetch_key(m, q->h[i + AHEAD / 2]);
}

/* Stream the customer file into c->t, each id into c->ids (interned once,
 * not in the table's pool as well: a million distinct ids cost more than
 * the rest of the file).  Errors of the file come first, as cx_csv_read
 * gives them; a duplicated id is only noted here. */
static cx_status read_table(const char *path, const cx_csv_options *copt, const char *id, int keep_ids,
                            customers *c, cx_error *err)
{
    cx_csv_reader *r = NULL;
    size_t *map = NULL, cap = 0;
    idbatch q = {0};
    c->dup = NONE;
    cx_status st = cx_csv_open(path, copt, &r, err);
    if (st != CX_OK)
        return st;
    const cx_table *schema = cx_csv_schema(r);
    size_t nc = cx_table_ncols(schema), idc = cx_table_find(schema, id);
    if (idc != NONE && cx_table_coltype(schema, idc) != CX_COL_TEXT)
        idc = NONE; /* need_column says what is wrong */
    c->t = cx_table_new(cx_table_source(schema));
    c->ids = cx_strmap_new();
    map = cx_calloc(nc + 1, sizeof(size_t));
    if (!c->t || !c->ids || !map)
        st = oom(err);
    for (size_t j = 0; j < nc && st == CX_OK; j++) {
        map[j] = j == idc ? NONE : j;
        st = cx_table_add_column(c->t, cx_table_colname(schema, j), cx_table_coltype(schema, j), NULL, err);
    }
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_csv_next(r, &b, err);
        if (st != CX_OK || !b)
            break;
        size_t at = cx_table_nrows(c->t), nb = cx_table_nrows(b);
        if (cx_table_append_rows(c->t, b, NULL, nb, map) != CX_OK ||
            (keep_ids && cx_grow((void **)&c->idtext, &cap, at + nb + 1, sizeof(char *)) != CX_OK) ||
            idbatch_fill(&q, b, idc) != CX_OK) {
            st = oom(err);
            break;
        }
        /* after the first block, room for as many rows and ids as the file
         * seems to hold, so that the map need not grow (and move every id)
         * 14 times, nor the columns be copied as they grow */
        uint64_t size = at == 0 ? cx_input_size(path) : 0, done = cx_csv_bytes_read(r);
        size_t expect = size && done ? (size_t)((double)nb * (double)size / (double)done * 1.1) : 0;
        if (expect && (cx_strmap_reserve(c->ids, expect) != CX_OK || cx_table_reserve(c->t, expect) != CX_OK ||
                       (keep_ids && cx_grow((void **)&c->idtext, &cap, expect, sizeof(char *)) != CX_OK))) {
            st = oom(err);
            break;
        }
        for (size_t i = 0; i < nb; i++) {
            size_t first;
            int inserted = 1;
            const char *stored = NULL;
            idbatch_ahead(&q, c->ids, i, nb, 0);
            if (q.s[i] && cx_strmap_intern_hashed(c->ids, q.s[i], q.len[i], q.h[i], at + i, &first, &inserted,
                                                  &stored) != CX_OK) {
                st = oom(err);
                break;
            }
            if (c->idtext)
                c->idtext[at + i] = stored;
            if (!inserted && c->dup == NONE) {
                c->dup = at + i;
                c->dup_first = first;
                c->dup_text = stored;
            }
        }
    }
    cx_csv_close(r);
    cx_free(map);
    idbatch_free(&q);
    return st;
}

/* Read the customer file, check churn is 0/1, and index the ids. */
static cx_status read_customers(const char *path, const cx_link_options *o, customers *c, cx_error *err)
{
    cx_csv_options copt;
    cx_csv_coltype *owned = NULL;
    const char *cols[3] = {o->id, o->churn, o->value};
    const cx_coltype types[3] = {CX_COL_TEXT, CX_COL_NUMBER, CX_COL_NUMBER};
    cx_status st = forced(o->customers_csv, cols, types, 3, &copt, &owned, err);
    if (st == CX_OK)
        st = read_table(path, &copt, o->id, o->keep_rows, c, err);
    cx_free(owned);
    if (st == CX_OK)
        st = need_column(c->t, o->id, CX_COL_TEXT, "customer id", &c->id, err);
    if (st == CX_OK)
        st = need_column(c->t, o->churn, CX_COL_NUMBER, "churn (--churn)", &c->churn, err);
    if (st == CX_OK)
        st = need_column(c->t, o->value, CX_COL_NUMBER, "value (--value)", &c->value, err);
    if (st != CX_OK)
        return st;
    const double *churn = cx_table_numbers(c->t, c->churn);
    size_t n = cx_table_nrows(c->t);
    for (size_t i = 0; i < n; i++)
        if (!isnan(churn[i]) && churn[i] != 0 && churn[i] != 1) {
            unsigned long line = 0, col = 0;
            char buf[64];
            cx_table_locate(c->t, c->churn, i, &line, &col);
            return cx_error_set(err, CX_EINVAL, cx_table_source(c->t), line, col,
                                "expected 0 (stayed) or 1 (left) in the churn column '%s', found '%s'", o->churn,
                                cx_table_cell_text(c->t, c->churn, i, buf, sizeof buf));
        }
    if (c->dup != NONE) {
        unsigned long line = 0, col = 0;
        cx_table_locate(c->t, c->id, c->dup, &line, &col);
        return cx_error_set(err, CX_EINVAL, cx_table_source(c->t), line, col,
                            "customer id '%s' appears twice, on line %lu and on line %lu; the customer "
                            "file must have one row per customer",
                            c->dup_text, cx_table_line(c->t, c->dup_first), cx_table_line(c->t, c->dup));
    }
    return CX_OK;
}

/* ======================================================================== */
/* The join                                                                 */
/* ======================================================================== */

typedef struct matches {
    size_t *crow;      /* customer row of each linked response */
    unsigned char *score;
    size_t n, cap, scap;
    /* with `last`: per customer, the score (255 = none) and when */
    unsigned char *last_score;
    cx_period *last_when;
    char examples[3][96];
    size_t nexamples;
} matches;

/* Stream the responses, looking up each one's customer. */
static cx_status join_responses(const char *path, const cx_link_options *o, const customers *c, matches *m,
                                cx_link_join *j, cx_error *err)
{
    cx_csv_options copt;
    cx_csv_coltype *owned = NULL;
    cx_csv_reader *r = NULL;
    idbatch q = {0};
    const char *cols[2] = {o->id, o->score};
    const cx_coltype types[2] = {CX_COL_TEXT, CX_COL_NUMBER};
    cx_status st = forced(o->responses_csv, cols, types, 2, &copt, &owned, err);
    if (st == CX_OK)
        st = cx_csv_open(path, &copt, &r, err);
    size_t idc = NONE, sc = NONE, pc = NONE;
    if (st == CX_OK)
        st = need_column(cx_csv_schema(r), o->id, CX_COL_TEXT, "customer id", &idc, err);
    if (st == CX_OK)
        st = need_column(cx_csv_schema(r), o->score, CX_COL_NUMBER, "score", &sc, err);
    if (st == CX_OK) {
        const cx_table *s = cx_csv_schema(r);
        for (size_t k = 0; k < cx_table_ncols(s) && pc == NONE; k++)
            if (cx_table_coltype(s, k) == CX_COL_PERIOD)
                pc = k;
    }
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_csv_next(r, &b, err);
        if (st != CX_OK || !b)
            break;
        const double *score = cx_table_numbers(b, sc);
        const cx_period *when = pc != NONE ? cx_table_periods(b, pc) : NULL;
        size_t nb = cx_table_nrows(b);
        if (idbatch_fill(&q, b, idc) != CX_OK) {
            st = oom(err);
            break;
        }
        for (size_t i = 0; i < nb && st == CX_OK; i++) {
            j->responses++;
            const char *id = q.s[i];
            idbatch_ahead(&q, c->ids, i, nb, 1);
            if (!id) {
                j->missing_id++;
                continue;
            }
            if (isnan(score[i])) {
                j->missing_score++;
                continue;
            }
            if (score[i] < 0 || score[i] > 10 || score[i] != floor(score[i])) {
                st = cx_csv_cell_error(r, i, sc, err, CX_EINVAL, "expected a score from 0 to 10, found %.15g",
                                       score[i]);
                break;
            }
            size_t row;
            if (!cx_strmap_get_hashed(c->ids, id, q.len[i], q.h[i], &row)) {
                if (m->nexamples < 3)
                    snprintf(m->examples[m->nexamples++], sizeof m->examples[0], "'%.60s' on line %lu", id,
                             cx_table_line(b, i));
                j->unmatched++;
                continue;
            }
            j->matched++;
            if (o->last) {
                if (m->last_score[row] == 255 || !when || cx_period_cmp(when[i], m->last_when[row]) >= 0) {
                    m->last_score[row] = (unsigned char)score[i];
                    if (when)
                        m->last_when[row] = when[i];
                }
                continue;
            }
            if (cx_grow((void **)&m->crow, &m->cap, m->n + 1, sizeof(size_t)) != CX_OK ||
                cx_grow((void **)&m->score, &m->scap, m->n + 1, 1) != CX_OK) {
                st = oom(err);
                break;
            }
            m->crow[m->n] = row;
            m->score[m->n++] = (unsigned char)score[i];
        }
    }
    cx_csv_close(r);
    cx_free(owned);
    idbatch_free(&q);
    return st;
}

/* The linked table: every customer column (the id only with keep_rows: a
 * million distinct ids cost more to copy than the fits), then the score and
 * its category. */
static cx_status build_linked(const customers *c, const cx_link_options *o, matches *m, cx_link *lk,
                              cx_error *err)
{
    const cx_table *t = c->t;
    size_t nc = cx_table_ncols(t), sc, cc;
    if (o->last) { /* one row per customer who answered, in file order */
        m->n = 0;
        for (size_t i = 0; i < cx_table_nrows(t); i++)
            if (m->last_score[i] != 255)
                m->n++;
        m->crow = cx_calloc(m->n + 1, sizeof(size_t));
        m->score = cx_calloc(m->n + 1, 1);
        if (!m->crow || !m->score)
            return oom(err);
        size_t k = 0;
        for (size_t i = 0; i < cx_table_nrows(t); i++)
            if (m->last_score[i] != 255) {
                m->crow[k] = i;
                m->score[k++] = m->last_score[i];
            }
    }
    if (cx_table_find(t, "score") != NONE || cx_table_find(t, "category") != NONE)
        return cx_error_set(err, CX_EINVAL, cx_table_source(t), 1, 0,
                            "expected no column 'score' or 'category' in the customer file: the linked rows "
                            "get them from the responses; rename it (--rename)");
    cx_table *lt = lk->linked = cx_table_new(cx_table_source(t));
    size_t *map = cx_calloc(nc + 1, sizeof(size_t));
    if (!lt || !map) {
        cx_free(map);
        return oom(err);
    }
    cx_status st = CX_OK;
    size_t idcol = NONE;
    for (size_t j = 0, k = 0; j < nc && st == CX_OK; j++) {
        map[j] = j == c->id && !o->keep_rows ? NONE : k++;
        if (map[j] != NONE)
            st = cx_table_add_column(lt, cx_table_colname(t, j), cx_table_coltype(t, j), NULL, err);
    }
    if (o->keep_rows) { /* the ids come from the map, not from the table */
        idcol = map[c->id];
        map[c->id] = NONE;
    }
    if (st == CX_OK)
        st = cx_table_add_column(lt, "score", CX_COL_NUMBER, &sc, err);
    if (st == CX_OK)
        st = cx_table_add_column(lt, "category", CX_COL_TEXT, &cc, err);
    if (st == CX_OK && cx_table_append_rows(lt, t, m->crow, m->n, map) != CX_OK)
        st = oom(err);
    for (size_t k = 0; k < m->n && st == CX_OK; k++) {
        if (cx_table_set_text(lt, cc, k, CATEGORY[category_of(m->score[k])]) != CX_OK ||
            (idcol != NONE && cx_table_set_text(lt, idcol, k, c->idtext[m->crow[k]]) != CX_OK))
            st = oom(err);
        else
            cx_table_set_number(lt, sc, k, m->score[k]);
    }
    cx_free(map);
    return st;
}

/* ======================================================================== */
/* Behaviour per score and category                                         */
/* ======================================================================== */

/* n, retention with Wilson's interval, mean value with a t interval. */
static void behaviour(cx_link *lk, size_t churn_col, size_t value_col)
{
    const cx_table *t = lk->linked;
    size_t n = cx_table_nrows(t);
    const double *churn = cx_table_numbers(t, churn_col), *value = cx_table_numbers(t, value_col);
    const double *score = cx_table_numbers(t, cx_table_find(t, "score"));
    long double sum[NGROUP] = {0}, sum2[NGROUP] = {0};
    for (size_t g = 0; g < NGROUP; g++) {
        cx_link_group *G = &lk->groups[g];
        memset(G, 0, sizeof *G);
        snprintf(G->label, sizeof G->label, "%s", g < NSCORE ? "" : CATEGORY[g - NSCORE]);
        if (g < NSCORE)
            snprintf(G->label, sizeof G->label, "%zu", g);
    }
    for (size_t i = 0; i < n; i++) {
        size_t gs[2] = {(size_t)score[i], NSCORE + (size_t)category_of(score[i])};
        if (isnan(churn[i]) || isnan(value[i]))
            lk->join.dropped++;
        for (int k = 0; k < 2; k++) {
            cx_link_group *G = &lk->groups[gs[k]];
            if (!isnan(churn[i])) {
                G->n++;
                G->stayed += churn[i] == 0;
            }
            if (!isnan(value[i])) {
                G->value_n++;
                sum[gs[k]] += value[i];
                sum2[gs[k]] += (long double)value[i] * value[i];
            }
        }
    }
    for (size_t g = 0; g < NGROUP; g++) {
        cx_link_group *G = &lk->groups[g];
        G->retention = G->n ? (double)G->stayed / (double)G->n : NAN;
        cx_wilson((double)G->stayed, (double)G->n, Z95, &G->retention_low, &G->retention_high);
        if (!G->n)
            G->retention_low = G->retention_high = NAN;
        double vn = (double)G->value_n;
        G->value_mean = G->value_n ? (double)(sum[g] / vn) : NAN;
        G->value_sd = G->value_n > 1 ? sqrt(fmax(0, (double)((sum2[g] - sum[g] * sum[g] / vn) / (vn - 1)))) : NAN;
        double half = G->value_n > 1 ? gsl_cdf_tdist_Pinv(0.975, vn - 1) * G->value_sd / sqrt(vn) : NAN;
        G->value_low = G->value_mean - half;
        G->value_high = G->value_mean + half;
    }
    /* promoter - detractor: Newcombe's hybrid score interval (1998, method 10) and Welch */
    const cx_link_group *P = &lk->groups[NSCORE + 2], *D = &lk->groups[NSCORE];
    double d = P->retention - D->retention;
    lk->diff_retention.est = d;
    lk->diff_retention.se = sqrt(P->retention * (1 - P->retention) / (double)P->n +
                                 D->retention * (1 - D->retention) / (double)D->n);
    lk->diff_retention.low = d - sqrt(pow(P->retention - P->retention_low, 2) + pow(D->retention_high - D->retention, 2));
    lk->diff_retention.high = d + sqrt(pow(P->retention_high - P->retention, 2) + pow(D->retention - D->retention_low, 2));
    double vp = P->value_sd * P->value_sd / (double)P->value_n, vd = D->value_sd * D->value_sd / (double)D->value_n;
    double df = (vp + vd) * (vp + vd) / (vp * vp / ((double)P->value_n - 1) + vd * vd / ((double)D->value_n - 1));
    double q = df > 0 ? gsl_cdf_tdist_Pinv(0.975, df) : NAN;
    lk->diff_value.est = P->value_mean - D->value_mean;
    lk->diff_value.se = sqrt(vp + vd);
    lk->diff_value.low = lk->diff_value.est - q * lk->diff_value.se;
    lk->diff_value.high = lk->diff_value.est + q * lk->diff_value.se;
}

/* ======================================================================== */
/* Fits and economics                                                       */
/* ======================================================================== */

/* target ~ first + covariates: the logistic (logit = 1) or the OLS engine. */
static cx_status fit(cx_link *lk, const cx_link_options *o, const char *target, const char *first, int logit,
                     cx_model **m, cx_warnings *warn, cx_error *err)
{
    const char **terms = cx_calloc(o->ncovariates + 2, sizeof(char *));
    char **wrapped = cx_calloc(o->ncovariates + 1, sizeof(char *));
    if (!terms || !wrapped) {
        cx_free(terms);
        cx_free(wrapped);
        return oom(err);
    }
    terms[0] = first;
    for (size_t k = 0; k < o->ncovariates; k++) {
        /* a text column of the customer file by its name: its categories */
        size_t j = cx_table_find(lk->linked, o->covariates[k]);
        size_t len = strlen(o->covariates[k]) + 4;
        if (j != NONE && cx_table_coltype(lk->linked, j) == CX_COL_TEXT && (wrapped[k] = cx_malloc(len)))
            snprintf(wrapped[k], len, "C(%s)", o->covariates[k]);
        terms[k + 1] = wrapped[k] ? wrapped[k] : o->covariates[k];
    }
    cx_status st;
    if (logit) {
        st = cx_logit_fit_table(lk->linked, target, terms, o->ncovariates + 1, &lk->logit, err);
    } else {
        cx_spec *spec = NULL;
        st = cx_spec_simple(target, terms, o->ncovariates + 1, 1, &spec, err);
        if (st == CX_OK)
            st = cx_fit_table(spec, lk->linked, NULL, m, warn, err);
        cx_spec_free(spec);
    }
    for (size_t k = 0; k < o->ncovariates; k++)
        cx_free(wrapped[k]);
    cx_free(wrapped);
    cx_free(terms);
    return st;
}

/* One of the three fits, for a thread of its own. */
typedef struct fitjob {
    cx_link *lk;
    const cx_link_options *o;
    const char *target, *first;
    int logit;
    cx_model **m;
    cx_warnings *warn;
    cx_error err;
    cx_status st;
} fitjob;

static void *run_fit(void *arg)
{
    fitjob *j = arg;
    j->st = fit(j->lk, j->o, j->target, j->first, j->logit, j->m, j->warn, &j->err);
    return NULL;
}

/* The logistic regression and the two value fits.  They only read the
 * linked table, so the value-on-score fit runs on a second thread (unless
 * o->threads is 1) while this one does the other two; the first failure in
 * the order logistic, value on category, value on score is the one
 * reported, as when they run one after the other. */
static cx_status fits(cx_link *lk, const cx_link_options *o, cx_warnings *warn, cx_error *err)
{
    int on_score = strcmp(o->on, "score") == 0;
    fitjob job[3] = {
        {lk, o, o->churn, on_score ? "score" : "C(category)", 1, NULL, warn, {0}, CX_OK},
        {lk, o, o->value, "C(category)", 0, &lk->value_cat, NULL, {0}, CX_OK},
        {lk, o, o->value, "score", 0, &lk->value_score, NULL, {0}, CX_OK},
    };
    for (int k = 0; k < 3; k++)
        cx_error_init(&job[k].err);
    pthread_t tid;
    int started = o->threads != 1 && pthread_create(&tid, NULL, run_fit, &job[2]) == 0;
    run_fit(&job[0]);
    if (job[0].st == CX_OK || started)
        run_fit(&job[1]);
    if (started)
        pthread_join(tid, NULL);
    else if (job[0].st == CX_OK && job[1].st == CX_OK)
        run_fit(&job[2]);
    for (int k = 0; k < 3; k++)
        if (job[k].st != CX_OK) {
            if (err && err->status == CX_OK) /* the first error wins, as always */
                *err = job[k].err;
            return job[k].st;
        }
    return CX_OK;
}

/* CLV = margin * value * r / (1 + d - r), its standard error by the delta
 * method from the category's mean value and retention (independent). */
static cx_link_est clv(const cx_link_group *g, double margin, double d)
{
    double r = g->retention, v = g->value_mean, den = 1 + d - r;
    double se_v = g->value_sd / sqrt((double)g->value_n), se_r = sqrt(r * (1 - r) / (double)g->n);
    double dv = margin * r / den, dr = margin * v * (1 + d) / (den * den);
    cx_link_est e;
    e.est = margin * v * r / den;
    e.se = sqrt(dv * dv * se_v * se_v + dr * dr * se_r * se_r);
    e.low = e.est - Z95 * e.se;
    e.high = e.est + Z95 * e.se;
    return e;
}

static cx_link_est scaled(cx_link_est e, double f)
{
    cx_link_est s = {e.est * f, e.se * fabs(f), e.low * f, e.high * f};
    if (f < 0) {
        s.low = e.high * f;
        s.high = e.low * f;
    }
    return s;
}

static cx_link_est difference(cx_link_est a, cx_link_est b)
{
    cx_link_est d;
    d.est = a.est - b.est;
    d.se = sqrt(a.se * a.se + b.se * b.se);
    d.low = d.est - Z95 * d.se;
    d.high = d.est + Z95 * d.se;
    return d;
}

static cx_status economics(cx_link *lk, const customers *c, const cx_link_options *o, cx_error *err)
{
    cx_link_economics *e = &lk->econ;
    e->margin = o->margin;
    e->discount = o->discount;
    for (int k = 0; k < 3; k++)
        e->clv[k] = clv(&lk->groups[NSCORE + k], o->margin, o->discount);
    e->base = cx_table_nrows(c->t);
    e->move_dp = scaled(difference(e->clv[1], e->clv[0]), 0.01 * (double)e->base);
    e->move_pp = scaled(difference(e->clv[2], e->clv[1]), 0.01 * (double)e->base);
    /* units: distinct values of the unit column */
    e->units = 1;
    size_t uc = o->unit ? cx_table_find(c->t, o->unit) : NONE;
    if (uc != NONE && cx_table_coltype(c->t, uc) == CX_COL_TEXT) {
        cx_strmap *u = cx_strmap_new();
        if (!u)
            return oom(err);
        for (size_t i = 0; i < cx_table_nrows(c->t); i++) {
            const char *s = cx_table_text(c->t, uc, i);
            size_t v;
            int ins;
            if (s && cx_strmap_intern(u, s, strlen(s), 0, &v, &ins, NULL) != CX_OK) {
                cx_strmap_free(u);
                return oom(err);
            }
        }
        e->units = cx_strmap_count(u) ? cx_strmap_count(u) : 1;
        cx_strmap_free(u);
    }
    e->periods_per_year = o->periods_per_year;
    const cx_equation *eq = cx_model_equation(lk->value_cat, 0);
    size_t j = cx_equation_coef_index(eq, "C(category)[promoter]");
    if (j == cx_equation_ncoef(eq))
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "expected promoters and detractors among the linked responses, found %s",
                            lk->groups[NSCORE + 2].n ? "no detractor" : "no promoter");
    e->spend_pd = (cx_link_est){cx_equation_coef(eq)[j], cx_equation_se(eq)[j], cx_equation_ci_low(eq)[j],
                                cx_equation_ci_high(eq)[j]};
    /* one point of NPS = half a percent of the customers from detractor to promoter */
    e->point = scaled(e->spend_pd, (double)e->base / 200.0);
    e->point_unit = scaled(e->point, 1.0 / ((double)e->units * e->periods_per_year));
    return CX_OK;
}

cx_status cx_link_run(const char *responses, const char *customers_path, const cx_link_options *opt,
                      cx_link **out, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    cx_link_options o = *opt;
    if (!o.id)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "expected the name of the customer id column");
    o.score = o.score ? o.score : "score";
    o.churn = o.churn ? o.churn : "churned";
    o.value = o.value ? o.value : "value_12m";
    o.on = o.on ? o.on : "category";
    o.margin = o.margin > 0 ? o.margin : 1.0;
    o.discount = o.discount > 0 ? o.discount : 0.08;
    o.unit = o.unit ? o.unit : "region";
    o.periods_per_year = o.periods_per_year > 0 ? o.periods_per_year : 52;
    if (strcmp(o.on, "category") != 0 && strcmp(o.on, "score") != 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "expected the predictor 'category' or 'score', found '%s'", o.on);

    customers c = {0};
    matches m = {0};
    cx_link *lk = cx_calloc(1, sizeof *lk);
    cx_status st = lk ? read_customers(customers_path, &o, &c, err) : oom(err);
    size_t nc = c.t ? cx_table_nrows(c.t) : 0;
    if (st == CX_OK && o.last) {
        m.last_score = cx_malloc(nc + 1);
        m.last_when = cx_calloc(nc + 1, sizeof(cx_period));
        if (!m.last_score || !m.last_when)
            st = oom(err);
        else
            memset(m.last_score, 255, nc + 1);
    }
    if (st == CX_OK) {
        lk->join.customers = nc;
        st = join_responses(responses, &o, &c, &m, &lk->join, err);
    }
    if (st == CX_OK && lk->join.matched == 0)
        st = cx_error_set(err, CX_EINVAL, responses, 0, 0,
                          "none of the %zu responses has a %s that '%s' has (for example %s); the ids must be "
                          "written the same way in both files",
                          lk->join.responses, o.id, customers_path, m.nexamples ? m.examples[0] : "none");
    if (st == CX_OK && lk->join.unmatched)
        st = cx_warnings_add(warn, "%zu of the %zu responses have a %s that '%s' lacks (for example %s%s%s%s%s); "
                                   "they are left out",
                             lk->join.unmatched, lk->join.responses, o.id, customers_path, m.examples[0],
                             m.nexamples > 1 ? ", " : "", m.nexamples > 1 ? m.examples[1] : "",
                             m.nexamples > 2 ? ", " : "", m.nexamples > 2 ? m.examples[2] : "");
    if (!o.keep_rows) { /* the ids are done with: free them before the linked rows take room */
        cx_strmap_free(c.ids);
        c.ids = NULL;
    }
    if (st == CX_OK)
        st = build_linked(&c, &o, &m, lk, err);
    cx_strmap_free(c.ids);
    c.ids = NULL;
    if (st == CX_OK) {
        unsigned char *seen = cx_calloc(nc / 8 + 1, 1); /* a bit per customer */
        if (!seen)
            st = oom(err);
        for (size_t k = 0; seen && k < m.n; k++) {
            size_t r = m.crow[k];
            lk->join.customers_linked += !(seen[r / 8] >> (r % 8) & 1);
            seen[r / 8] |= (unsigned char)(1u << (r % 8));
        }
        cx_free(seen);
        lk->join.rows = m.n;
        behaviour(lk, cx_table_find(lk->linked, o.churn), cx_table_find(lk->linked, o.value));
    }
    if (st == CX_OK)
        st = fits(lk, &o, warn, err);
    if (st == CX_OK)
        st = economics(lk, &c, &o, err);
    cx_table_free(c.t);
    cx_strmap_free(c.ids);
    cx_free(c.idtext);
    cx_free(m.crow);
    cx_free(m.score);
    cx_free(m.last_score);
    cx_free(m.last_when);
    if (st != CX_OK) {
        cx_link_free(lk);
        return st;
    }
    *out = lk;
    return CX_OK;
}

/* ======================================================================== */
/* Triangulation                                                            */
/* ======================================================================== */

cx_status cx_link_triangulate(const cx_link *lk, const cx_model *m, const char *term, cx_link_triangulation *out,
                              char *sentence, size_t size, cx_error *err)
{
    memset(out, 0, sizeof *out);
    const cx_equation *eq = NULL;
    size_t j = 0;
    for (int pass = 0; pass < 2 && !eq; pass++)
        for (size_t i = 0; i < cx_model_nequations(m) && !eq; i++) {
            const cx_equation *e = cx_model_equation(m, i);
            if (pass == 0 && strcmp(cx_equation_target(e), "revenue") != 0)
                continue;
            for (j = 0; j < cx_equation_ncoef(e); j++) {
                const char *nm = cx_equation_coef_name(e, j);
                if (term ? strcmp(nm, term) == 0 : strstr(nm, "nps") != NULL) {
                    eq = e;
                    break;
                }
            }
        }
    if (!eq)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "expected the fitted model to have %s%s%s, found none",
                            term ? "a coefficient '" : "a coefficient of NPS (a name with 'nps')",
                            term ? term : "", term ? "'" : "");
    snprintf(out->term, sizeof out->term, "%s", cx_equation_coef_name(eq, j));
    snprintf(out->target, sizeof out->target, "%s", cx_equation_target(eq));
    out->panel = (cx_link_est){cx_equation_coef(eq)[j], cx_equation_se(eq)[j], cx_equation_ci_low(eq)[j],
                               cx_equation_ci_high(eq)[j]};
    out->customer = lk->econ.point_unit;
    out->diff = difference(out->customer, out->panel);
    out->agree = out->diff.low <= 0 && out->diff.high >= 0;
    if (sentence && size)
        snprintf(sentence, size,
                 "%s: the customer-level value of a point of NPS, %.0f per unit and period (95%% CI %.0f to %.0f), "
                 "and the panel's corrected '%s' in the %s equation, %.0f (95%% CI %.0f to %.0f), differ by %.0f "
                 "(95%% CI %.0f to %.0f)%s.",
                 out->agree ? "The two estimates agree within their uncertainty"
                            : "The two estimates do not agree within their uncertainty",
                 out->customer.est, out->customer.low, out->customer.high, out->term, out->target, out->panel.est,
                 out->panel.low, out->panel.high, out->diff.est, out->diff.low, out->diff.high,
                 out->agree ? ", an interval that covers zero"
                            : "; look for what one of them misses: a customer base of another size, "
                              "spend that is not the panel's revenue, or a lag the panel does not have");
    return CX_OK;
}
