/*
 * voice.c - the story behind the score: the comments of survey responses
 * grouped (by NPS category, a column, or the weeks in which a driver was at
 * its worst) and the terms that distinguish one group's comments from
 * another's, by the weighted log-odds ratio with an informative Dirichlet
 * prior (Monroe, Colaresi and Quinn 2008; the formulas are in
 * include/cxcase/voice.h), each with verbatim quotes.
 *
 * One streaming pass counts every term per group (words and phrases in one
 * vector) and keeps the comments for the quotes; a comparison is then a
 * pass over the vocabulary, and its quotes a pass over the focus group's
 * comments that stops when every top term has its quotes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "voice_internal.h"

#define MAX_GROUPS 1000
#define DEFAULT_TOP 15
#define DEFAULT_PRIOR 1000.0
#define DEFAULT_WORST_SHARE 0.2

typedef struct vgroup {
    const char *name;   /* the groups map's copy */
    uint64_t comments, terms;
} vgroup;

typedef struct vcmp {
    char *focus, *other;
    uint64_t n, n_other; /* comments on each side */
    cx_voice_term *t;
    size_t nt;
} vcmp;

/* Phrases by the ids of their two words: open addressing on a 64-bit key
 * (first id << 32 | second id, plus 1: 0 marks an empty slot), so that
 * counting a phrase costs one probe of a small slot, not a string compare. */
typedef struct pslot {
    uint64_t key;
    size_t id;
} pslot;

struct cx_voice {
    cx_voice_stats stats;
    char grouping[160];
    double prior;
    cx_strmap *wordmap;   /* word -> term id (every word, stop words too) */
    cx_strmap *phrasetext; /* a phrase's text, kept once */
    pslot *pairs;         /* (word id, word id) -> term id of the phrase */
    size_t npairs, cappairs;
    const char **term;    /* id -> its text (a map's copy) */
    unsigned char *words; /* id -> 1 or 2 */
    uint64_t *cnt;        /* id x stride: the total over every group, then one count per group */
    size_t stride;        /* 1 + groups the rows have room for */
    size_t nterm, capterm;
    cx_strmap *groups;    /* name -> index */
    vgroup *g;
    size_t ng, capg;
    cx_buf arena;         /* the comments, NUL-terminated, for the quotes */
    size_t *c_off;
    unsigned short *c_grp;
    size_t nc, capc;
    vcmp *cmp;
    size_t ncmp;
};

static cx_status nomem(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* ---- counting -------------------------------------------------------------- */

/* A new term id for `text` (a map's copy), its counts zero. */
static cx_status new_term(cx_voice *v, const char *text, int words, size_t *id)
{
    if (v->nterm == v->capterm) {
        size_t cap = v->capterm ? 2 * v->capterm : 4096;
        const char **t = cx_realloc(v->term, cap * sizeof *t);
        if (t)
            v->term = t;
        unsigned char *w = t ? cx_realloc(v->words, cap) : NULL;
        if (w)
            v->words = w;
        uint64_t *c = w ? cx_realloc(v->cnt, cap * v->stride * sizeof *c) : NULL;
        if (!c)
            return CX_ENOMEM;
        v->cnt = c;
        v->capterm = cap;
    }
    *id = v->nterm++;
    v->term[*id] = text;
    v->words[*id] = (unsigned char)words;
    memset(v->cnt + *id * v->stride, 0, v->stride * sizeof *v->cnt);
    return CX_OK;
}

/* Rows with room for `groups` groups: the counts laid out anew. */
static cx_status widen(cx_voice *v, size_t groups)
{
    size_t stride = v->stride;
    while (stride < groups + 1)
        stride *= 2;
    if (stride == v->stride)
        return CX_OK;
    uint64_t *c = cx_calloc(v->capterm ? v->capterm : 1, stride * sizeof *c);
    if (!c)
        return CX_ENOMEM;
    for (size_t id = 0; id < v->nterm; id++)
        memcpy(c + id * stride, v->cnt + id * v->stride, v->stride * sizeof *c);
    cx_free(v->cnt);
    v->cnt = c;
    v->stride = stride;
    return CX_OK;
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* The slot of key in a table of cap (a power of two) slots. */
static pslot *pair_slot(pslot *t, size_t cap, uint64_t key)
{
    size_t mask = cap - 1;
    for (size_t i = (size_t)mix(key) & mask;; i = (i + 1) & mask)
        if (t[i].key == key || t[i].key == 0)
            return &t[i];
}

/* The term id of the phrase of words a and b (text: its `len` bytes). */
static cx_status phrase_id(cx_voice *v, size_t a, size_t b, const char *text, size_t len, size_t *id)
{
    if ((v->npairs + 1) * 2 > v->cappairs) {
        size_t cap = v->cappairs ? 2 * v->cappairs : 4096;
        pslot *t = cx_calloc(cap, sizeof *t);
        if (!t)
            return CX_ENOMEM;
        for (size_t i = 0; i < v->cappairs; i++)
            if (v->pairs[i].key)
                *pair_slot(t, cap, v->pairs[i].key) = v->pairs[i];
        cx_free(v->pairs);
        v->pairs = t;
        v->cappairs = cap;
    }
    uint64_t key = ((uint64_t)a << 32 | (uint64_t)b) + 1;
    pslot *sl = pair_slot(v->pairs, v->cappairs, key);
    if (sl->key) {
        *id = sl->id;
        return CX_OK;
    }
    const char *copy;
    if (cx_strmap_intern(v->phrasetext, text, len, 0, NULL, NULL, &copy) != CX_OK ||
        new_term(v, copy, 2, id) != CX_OK)
        return CX_ENOMEM;
    sl->key = key;
    sl->id = *id;
    v->npairs++;
    return CX_OK;
}

typedef struct counter {
    cx_voice *v;
    size_t grp;
    size_t *ids; /* the term id of each word of the comment */
    size_t cap;
} counter;

/* The term ids of the words of w (new words get one). */
static cx_status word_ids(counter *c, const vt_words *w)
{
    cx_voice *v = c->v;
    if (cx_grow((void **)&c->ids, &c->cap, w->n + 1, sizeof *c->ids) != CX_OK)
        return CX_ENOMEM;
    for (size_t k = 0; k < w->n; k++) {
        int fresh;
        const char *copy;
        size_t id;
        if (cx_strmap_intern(v->wordmap, w->text.data + w->t[k].off, w->t[k].len, v->nterm, &id, &fresh, &copy) !=
            CX_OK)
            return CX_ENOMEM;
        if (fresh && new_term(v, copy, 1, &id) != CX_OK)
            return CX_ENOMEM;
        if (v->nterm > UINT32_MAX)
            return CX_ENOMEM; /* a phrase key holds two 32-bit ids */
        c->ids[k] = id;
    }
    return CX_OK;
}

/* Count one term (a word, or the phrase that ends at word k) for group c->grp. */
static cx_status count_term(const char *term, size_t len, int words, size_t k, void *arg)
{
    counter *c = arg;
    cx_voice *v = c->v;
    size_t id = c->ids[k];
    if (words == 2 && phrase_id(v, c->ids[k - 1], c->ids[k], term, len, &id) != CX_OK)
        return CX_ENOMEM;
    uint64_t *row = v->cnt + id * v->stride;
    row[0]++;
    row[1 + c->grp]++;
    v->g[c->grp].terms++;
    v->stats.tokens++;
    return CX_OK;
}

/* The index of group `name` (len bytes), added when new. */
static cx_status group_index(cx_voice *v, const char *src, const char *name, size_t len, size_t *out,
                             cx_error *err)
{
    int fresh;
    const char *copy;
    if (cx_strmap_intern(v->groups, name, len, v->ng, out, &fresh, &copy) != CX_OK)
        return nomem(err);
    if (!fresh)
        return CX_OK;
    if (v->ng == MAX_GROUPS)
        return cx_error_set(err, CX_EINVAL, src, 0, 0,
                            "expected at most %d groups to compare, found more; group by a column "
                            "with fewer values", MAX_GROUPS);
    if (cx_grow((void **)&v->g, &v->capg, v->ng + 1, sizeof *v->g) != CX_OK)
        return nomem(err);
    if (widen(v, v->ng + 1) != CX_OK)
        return nomem(err);
    memset(&v->g[v->ng], 0, sizeof *v->g);
    v->g[v->ng++].name = copy;
    return CX_OK;
}

/* Keep comment `text` of group grp, and count its terms. */
static cx_status add_comment(cx_voice *v, const cx_voice_options *o, size_t grp, const char *text, vt_words *w,
                             cx_buf *scratch, counter *c, cx_error *err)
{
    size_t n = strlen(text);
    if (!o->no_quotes) {
        size_t cap = v->capc;
        if (cx_grow((void **)&v->c_off, &cap, v->nc + 1, sizeof *v->c_off) != CX_OK)
            return nomem(err);
        if (cap != v->capc) { /* c_grp grows with c_off, to the same capacity */
            unsigned short *pg = cx_realloc(v->c_grp, cap * sizeof *v->c_grp);
            if (!pg)
                return nomem(err);
            v->c_grp = pg;
            v->capc = cap;
        }
        v->c_off[v->nc] = v->arena.len;
        v->c_grp[v->nc++] = (unsigned short)grp;
        if (cx_buf_append(&v->arena, text, n + 1) != CX_OK)
            return nomem(err);
    }
    v->g[grp].comments++;
    v->stats.comments++;
    c->grp = grp;
    if (vt_split(text, n, w) != CX_OK || word_ids(c, w) != CX_OK ||
        vt_each_term(w, o->no_stopwords, scratch, count_term, c) != CX_OK)
        return nomem(err);
    return CX_OK;
}

/* ---- the worst cells of a driver ------------------------------------------- */

/* The cells of the metrics file: key (period, then each unit text and a
 * 0x1f) -> 1 worst, 0 other, 2 no value. */
typedef struct cells {
    cx_strmap *map;
    cx_period_kind kind;
    char **units;   /* the unit column names, shared with the responses */
    size_t nunits;
} cells;

static void cells_free(cells *c)
{
    cx_strmap_free(c->map);
    for (size_t k = 0; k < c->nunits; k++)
        cx_free(c->units[k]);
    cx_free(c->units);
}

typedef struct ranked {
    double v;
    size_t row;
} ranked;

/* Worst first (the highest values, or the lowest with *low), then file order. */
static int cmp_ranked(const void *pa, const void *pb, void *low)
{
    const ranked *a = pa, *b = pb;
    if (a->v != b->v)
        return (a->v > b->v) != *(const int *)low ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

/* The key of row i of t: its period `p` and the texts of the unit columns. */
static cx_status cell_key(cx_buf *kb, cx_period p, const cx_table *t, const size_t *ucol, size_t nunits, size_t i)
{
    kb->len = 0;
    if (cx_buf_append(kb, &p, sizeof p) != CX_OK)
        return CX_ENOMEM;
    for (size_t k = 0; k < nunits; k++) {
        const char *s = cx_table_text(t, ucol[k], i);
        if (!s)
            return CX_EINVAL;
        if (cx_buf_append(kb, s, strlen(s)) != CX_OK || cx_buf_append(kb, "\x1f", 1) != CX_OK)
            return CX_ENOMEM;
    }
    return CX_OK;
}

/* Read the metrics file and mark its worst cells by `opt->worst`; the unit
 * columns are its text columns that `schema` (the responses) also has. */
static cx_status load_cells(const cx_voice_options *o, const cx_table *schema, cells *c, cx_voice_stats *stats,
                            cx_error *err)
{
    cx_table *t = NULL;
    ranked *rk = NULL;
    size_t *ucol = NULL;
    cx_buf kb = {0};
    cx_status st = cx_csv_read(o->metrics, o->metrics_csv, &t, err);
    if (st != CX_OK)
        return st;
    const char *src = cx_table_source(t);
    size_t nc = cx_table_ncols(t), nr = cx_table_nrows(t), mcol = cx_table_find(t, o->worst), pcol = (size_t)-1;
    if (mcol == (size_t)-1 || cx_table_coltype(t, mcol) != CX_COL_NUMBER) {
        st = cx_error_set(err, CX_EINVAL, src, 0, 0, "expected a numeric column '%s' to find the worst %s by, found %s",
                          o->worst, "cells", mcol == (size_t)-1 ? "none" : cx_coltype_name(cx_table_coltype(t, mcol)));
        goto out;
    }
    for (size_t j = 0; j < nc && pcol == (size_t)-1; j++)
        if (cx_table_coltype(t, j) == CX_COL_PERIOD)
            pcol = j;
    if (pcol == (size_t)-1) {
        st = cx_error_set(err, CX_EINVAL, src, 0, 0, "expected a period column (a week, month ...), found none");
        goto out;
    }
    c->kind = (cx_period_kind)cx_table_periods(t, pcol)[0].kind;
    if (!(c->map = cx_strmap_new()) || !(c->units = cx_calloc(nc + 1, sizeof *c->units)) ||
        !(ucol = cx_calloc(nc + 1, sizeof *ucol)) || !(rk = cx_calloc(nr + 1, sizeof *rk)))
        goto oom;
    for (size_t j = 0; j < nc; j++) {
        size_t rj = cx_table_find(schema, cx_table_colname(t, j));
        if (cx_table_coltype(t, j) == CX_COL_TEXT && rj != (size_t)-1 && cx_table_coltype(schema, rj) == CX_COL_TEXT) {
            if (!(c->units[c->nunits] = cx_strdup(cx_table_colname(t, j))))
                goto oom;
            ucol[c->nunits++] = j;
        }
    }
    size_t n = 0;
    const double *mv = cx_table_numbers(t, mcol);
    for (size_t i = 0; i < nr; i++)
        if (!isnan(mv[i]) && cx_table_periods(t, pcol)[i].kind != CX_PERIOD_NONE)
            rk[n++] = (ranked){mv[i], i};
    int low = o->worst_low != 0;
    qsort_r(rk, n, sizeof *rk, cmp_ranked, &low);
    double share = o->worst_share > 0 ? o->worst_share : DEFAULT_WORST_SHARE;
    size_t nworst = (size_t)ceil(share * (double)n - 1e-9);
    stats->cells = n;
    stats->worst_cells = nworst;
    stats->worst_threshold = nworst ? rk[nworst - 1].v : NAN;
    for (size_t r = 0; r < n; r++) {
        st = cell_key(&kb, cx_table_periods(t, pcol)[rk[r].row], t, ucol, c->nunits, rk[r].row);
        if (st == CX_EINVAL) /* a cell without its unit: never matched */
            continue;
        if (st != CX_OK || cx_strmap_intern(c->map, kb.data, kb.len, r < nworst ? 1 : 0, NULL, NULL, NULL) != CX_OK)
            goto oom;
    }
    st = CX_OK;
    goto out;
oom:
    st = nomem(err);
out:
    cx_buf_free(&kb);
    cx_free(rk);
    cx_free(ucol);
    cx_table_free(t);
    return st;
}

/* ---- reading the responses ------------------------------------------------- */

typedef struct cols {
    size_t text, by, score, where, period;
    size_t *unit;
    int by_category, where_category;
} cols;

/* Column `name` of the responses, or an error naming the nearest one. */
static cx_status need_column(const cx_table *schema, const char *name, const char *what, const char *tail, size_t *out,
                             cx_error *err)
{
    *out = cx_table_find(schema, name);
    if (*out != (size_t)-1)
        return CX_OK;
    size_t nc = cx_table_ncols(schema);
    const char **names = cx_calloc(nc + 1, sizeof(char *));
    cx_buf b = {0};
    if (!names)
        return nomem(err);
    for (size_t j = 0; j < nc; j++)
        names[j] = cx_table_colname(schema, j);
    cx_status st = cx_suggest_text(&b, name, names, nc, "its columns");
    cx_free(names);
    if (st != CX_OK) {
        cx_buf_free(&b);
        return nomem(err);
    }
    st = cx_error_set(err, CX_EINVAL, cx_table_source(schema), 0, 0, "expected %s column '%s', found none%s%s", what,
                      name, b.data ? b.data : "", tail);
    cx_buf_free(&b);
    return st;
}

/* The columns the run reads, checked against the file's header. */
static cx_status find_columns(const cx_table *schema, const cx_voice_options *o, const cells *cl, cols *c,
                              cx_error *err)
{
    const char *src = cx_table_source(schema);
    const char *score = o->score ? o->score : "score";
    cx_status st = need_column(schema, o->text ? o->text : "comment", "a comment", "; name it with --text COLUMN",
                                 &c->text, err);
    c->by = c->score = c->where = c->period = (size_t)-1;
    if (st == CX_OK && !o->worst) {
        const char *by = o->by ? o->by : "category";
        c->by_category = strcmp(by, "category") == 0 && cx_table_find(schema, by) == (size_t)-1;
        if (!c->by_category && (st = need_column(schema, by, "a group", "", &c->by, err)) == CX_OK &&
            cx_table_coltype(schema, c->by) == CX_COL_NUMBER)
            st = cx_error_set(err, CX_EINVAL, src, 0, 0,
                              "expected a text or period column to group by, found numbers in '%s'", by);
    }
    if (st == CX_OK && o->where_column) {
        c->where_category = strcmp(o->where_column, "category") == 0 && cx_table_find(schema, "category") == (size_t)-1;
        if (!c->where_category && (st = need_column(schema, o->where_column, "a", "", &c->where, err)) == CX_OK &&
            cx_table_coltype(schema, c->where) == CX_COL_NUMBER)
            st = cx_error_set(err, CX_EINVAL, src, 0, 0, "expected a text or period column to filter on, found "
                              "numbers in '%s'", o->where_column);
    }
    if (st == CX_OK && (c->by_category || c->where_category)) {
        if ((st = need_column(schema, score, "a score", "; name it with --score COLUMN", &c->score, err)) == CX_OK &&
            cx_table_coltype(schema, c->score) != CX_COL_NUMBER)
            st = cx_error_set(err, CX_EINVAL, src, 0, 0, "expected numbers in the score column '%s', found %s", score,
                              cx_coltype_name(cx_table_coltype(schema, c->score)));
    }
    if (st == CX_OK && o->worst) {
        for (size_t j = 0; j < cx_table_ncols(schema) && c->period == (size_t)-1; j++)
            if (cx_table_coltype(schema, j) == CX_COL_PERIOD)
                c->period = j;
        if (c->period == (size_t)-1)
            return cx_error_set(err, CX_EINVAL, src, 0, 0, "expected a date or period column to join the "
                                "metrics' cells on, found none");
        if (!(c->unit = cx_calloc(cl->nunits + 1, sizeof *c->unit)))
            return nomem(err);
        for (size_t k = 0; k < cl->nunits; k++)
            c->unit[k] = cx_table_find(schema, cl->units[k]);
    }
    return st;
}

static const char *const category_name[] = {"detractor", "passive", "promoter"};

/* The NPS category of row i (0 detractor, 1 passive, 2 promoter; -1 no score). */
static cx_status category_of(cx_csv_reader *r, const cx_table *b, size_t col, size_t i, int *cat, cx_error *err)
{
    double s = cx_table_numbers(b, col)[i];
    if (isnan(s)) {
        *cat = -1;
        return CX_OK;
    }
    if (s != floor(s) || s < 0 || s > 10) {
        char num[32];
        snprintf(num, sizeof num, "%.15g", s);
        return cx_csv_cell_error(r, i, col, err, CX_EINVAL, "expected an integer score from 0 to 10, found '%s'", num);
    }
    *cat = s <= 6 ? 0 : s <= 8 ? 1 : 2;
    return CX_OK;
}

/* The text of cell (col, i), a period formatted into buf; NULL when missing. */
static const char *cell_text(const cx_table *b, size_t col, size_t i, char *buf, size_t size)
{
    if (cx_table_coltype(b, col) == CX_COL_PERIOD) {
        cx_period p = cx_table_periods(b, col)[i];
        return p.kind == CX_PERIOD_NONE ? NULL : cx_period_format(p, buf, size);
    }
    return cx_table_text(b, col, i);
}

/* The group of row i: its name via *name (NULL: the row is skipped). */
static cx_status group_of(cx_csv_reader *r, const cx_table *b, const cols *c, const cells *cl, cx_voice *v,
                          size_t i, cx_buf *kb, char buf[CX_PERIOD_TEXT_MAX], const char **name, cx_error *err)
{
    *name = NULL;
    if (c->by_category) {
        int cat;
        cx_status st = category_of(r, b, c->score, i, &cat, err);
        if (st == CX_OK && cat >= 0)
            *name = category_name[cat];
        return st;
    }
    if (c->by != (size_t)-1) {
        *name = cell_text(b, c->by, i, buf, CX_PERIOD_TEXT_MAX);
        return CX_OK;
    }
    cx_period p = cx_table_periods(b, c->period)[i];
    if (p.kind == CX_PERIOD_NONE)
        return CX_OK;
    if (cx_period_convert(p, cl->kind, &p) != CX_OK) {
        char per[CX_PERIOD_TEXT_MAX];
        return cx_csv_cell_error(r, i, c->period, err, CX_EINVAL, "cannot turn the %s '%s' into a %s to find its cell",
                                 cx_period_kind_name((cx_period_kind)p.kind), cx_period_format(p, per, sizeof per),
                                 cx_period_kind_name(cl->kind));
    }
    cx_status st = cell_key(kb, p, b, c->unit, cl->nunits, i);
    if (st == CX_ENOMEM)
        return nomem(err);
    size_t flag = 2;
    if (st != CX_OK || !cx_strmap_get(cl->map, kb->data, kb->len, &flag) || flag == 2) {
        v->stats.unmatched++;
        return CX_OK;
    }
    *name = flag ? "worst" : "other";
    return CX_OK;
}

/* Whether row i passes the where filter (*keep). */
static cx_status where_ok(cx_csv_reader *r, const cx_table *b, const cols *c, const cx_voice_options *o, size_t i,
                          int *keep, cx_error *err)
{
    char buf[CX_PERIOD_TEXT_MAX];
    *keep = 1;
    if (!o->where_column)
        return CX_OK;
    const char *s = NULL;
    if (c->where_category) {
        int cat;
        cx_status st = category_of(r, b, c->score, i, &cat, err);
        if (st != CX_OK)
            return st;
        s = cat >= 0 ? category_name[cat] : NULL;
    } else {
        s = cell_text(b, c->where, i, buf, sizeof buf);
    }
    *keep = s && strcmp(s, o->where_value) == 0;
    return CX_OK;
}

/* Only spaces, tabs and line ends: no comment. */
static int blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return 0;
    return 1;
}

/* Stream the responses and count every comment's terms per group. */
static cx_status read_comments(cx_csv_reader *r, const cols *c, const cells *cl, const cx_voice_options *o,
                               cx_voice *v, cx_error *err)
{
    const cx_table *schema = cx_csv_schema(r);
    size_t nc = cx_table_ncols(schema);
    unsigned char *skip = cx_malloc(nc + 1);
    vt_words w = {0};
    cx_buf scratch = {0}, kb = {0};
    counter cn = {v, 0, NULL, 0};
    cx_status st = CX_OK;
    if (!skip)
        return nomem(err);
    memset(skip, 1, nc + 1);
    size_t used[] = {c->text, c->by, c->score, c->where, c->period};
    for (size_t k = 0; k < sizeof used / sizeof used[0]; k++)
        if (used[k] != (size_t)-1)
            skip[used[k]] = 0;
    for (size_t k = 0; o->worst && k < cl->nunits; k++)
        skip[c->unit[k]] = 0;
    if ((st = cx_csv_skip_columns(r, skip, err)) != CX_OK)
        goto out;
    for (;;) {
        const cx_table *b;
        if ((st = cx_csv_next(r, &b, err)) != CX_OK || !b)
            goto out;
        for (size_t i = 0; i < cx_table_nrows(b); i++) {
            v->stats.responses++;
            int keep;
            char gbuf[CX_PERIOD_TEXT_MAX];
            const char *name, *text = cx_table_text(b, c->text, i);
            if ((st = where_ok(r, b, c, o, i, &keep, err)) != CX_OK)
                goto out;
            if (!keep) {
                v->stats.skipped_where++;
                continue;
            }
            if ((st = group_of(r, b, c, cl, v, i, &kb, gbuf, &name, err)) != CX_OK)
                goto out;
            if (!name || !*name) {
                v->stats.missing_group += !o->worst;
                continue;
            }
            size_t grp;
            if ((st = group_index(v, cx_table_source(schema), name, strlen(name), &grp, err)) != CX_OK)
                goto out;
            if (!text || blank(text))
                continue;
            if ((st = add_comment(v, o, grp, text, &w, &scratch, &cn, err)) != CX_OK)
                goto out;
        }
    }
out:
    cx_free(skip);
    cx_free(cn.ids);
    vt_words_free(&w);
    cx_buf_free(&scratch);
    cx_buf_free(&kb);
    return st;
}

/* ---- comparisons ----------------------------------------------------------- */

typedef struct scored {
    size_t id;
    double z, delta, se;
    uint64_t y, y_other;
} scored;

/* Largest z first, then the term's bytes (as Python compares strings). */
static int cmp_scored(const void *pa, const void *pb, void *terms)
{
    const scored *a = pa, *b = pb;
    const char *const *term = terms;
    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    return strcmp(term[a->id], term[b->id]);
}

typedef struct quoter {
    vcmp *k;
    cx_strmap *top; /* the comparison's terms -> their index in k->t */
    const char *comment;
    size_t want, left;
} quoter;

/* A term of a focus comment: quote the comment for it when it is a top
 * term that still wants quotes and does not have this text yet. */
static cx_status quote_term(const char *term, size_t len, int words, size_t at, void *arg)
{
    (void)words;
    (void)at;
    quoter *q = arg;
    size_t i;
    if (!cx_strmap_get(q->top, term, len, &i))
        return CX_OK;
    cx_voice_term *t = &q->k->t[i];
    if (t->nquotes >= q->want)
        return CX_OK;
    for (size_t j = 0; j < t->nquotes; j++)
        if (t->quote[j] == q->comment || strcmp(t->quote[j], q->comment) == 0)
            return CX_OK;
    t->quote[t->nquotes++] = q->comment;
    q->left--;
    return CX_OK;
}

/* Quotes for the terms of comparison k from the comments of the groups in
 * `focus`, in file order, until every term has `want`.  The terms sit in a
 * map of their own, small enough to stay in the cache. */
static cx_status find_quotes(cx_voice *v, vcmp *k, const unsigned char *focus, size_t want, cx_error *err)
{
    vt_words w = {0};
    cx_buf scratch = {0};
    quoter q = {k, cx_strmap_new(), NULL, want, want * k->nt};
    cx_status st = q.top ? CX_OK : CX_ENOMEM;
    for (size_t i = 0; i < k->nt && st == CX_OK; i++)
        st = cx_strmap_intern(q.top, k->t[i].term, strlen(k->t[i].term), i, NULL, NULL, NULL);
    for (size_t c = 0; c < v->nc && q.left > 0 && st == CX_OK; c++) {
        if (!focus[v->c_grp[c]])
            continue;
        q.comment = v->arena.data + v->c_off[c];
        st = vt_split(q.comment, strlen(q.comment), &w);
        if (st == CX_OK)
            st = vt_each_term(&w, 0, &scratch, quote_term, &q);
    }
    cx_strmap_free(q.top);
    vt_words_free(&w);
    cx_buf_free(&scratch);
    return st == CX_OK ? CX_OK : nomem(err);
}

/* Keep the `top` best of s[0..n) (cmp_scored order) at its start, sorted;
 * returns how many.  Few are kept, so each candidate is first compared with
 * the worst kept one only. */
static size_t best_of(scored *s, size_t n, size_t top, const char **term)
{
    if (top >= n / 4) {
        qsort_r(s, n, sizeof *s, cmp_scored, (void *)term);
        return n < top ? n : top;
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (kept == top && cmp_scored(&s[i], &s[kept - 1], (void *)term) >= 0)
            continue;
        scored x = s[i];
        size_t j = kept < top ? kept++ : kept - 1;
        while (j > 0 && cmp_scored(&x, &s[j - 1], (void *)term) < 0) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = x;
    }
    return kept;
}

/* Comparison of the groups marked in `focus` against those in `other`. */
static cx_status compare(cx_voice *v, const cx_voice_options *o, const unsigned char *focus,
                         const unsigned char *other, vcmp *k, cx_error *err)
{
    double a0 = v->prior, N = (double)v->stats.tokens, ni = 0, nj = 0;
    size_t S = v->stride;
    for (size_t g = 0; g < v->ng; g++) {
        ni += focus[g] ? (double)v->g[g].terms : 0;
        nj += other[g] ? (double)v->g[g].terms : 0;
        k->n += focus[g] ? v->g[g].comments : 0;
        k->n_other += other[g] ? v->g[g].comments : 0;
    }
    scored *s = cx_malloc((v->nterm + 1) * sizeof *s);
    if (!s)
        return nomem(err);
    size_t ns = 0;
    for (size_t id = 0; id < v->nterm; id++) {
        const uint64_t *row = v->cnt + id * S;
        uint64_t yi = 0, yj = 0;
        for (size_t g = 0; g < v->ng; g++) {
            yi += focus[g] ? row[1 + g] : 0;
            yj += other[g] ? row[1 + g] : 0;
        }
        if (yi == 0)
            continue;
        double a = a0 * (double)row[0] / N;
        double fi = (double)yi + a, fj = (double)yj + a;
        double delta = log(fi / (ni + a0 - fi)) - log(fj / (nj + a0 - fj));
        double se = sqrt(1.0 / fi + 1.0 / fj);
        if (delta / se > 0)
            s[ns++] = (scored){id, delta / se, delta, se, yi, yj};
    }
    k->nt = best_of(s, ns, o->top ? o->top : DEFAULT_TOP, v->term);
    if (!(k->t = cx_calloc(k->nt + 1, sizeof *k->t))) {
        cx_free(s);
        return nomem(err);
    }
    for (size_t i = 0; i < k->nt; i++) {
        cx_voice_term *t = &k->t[i];
        t->term = v->term[s[i].id];
        t->words = v->words[s[i].id];
        t->z = s[i].z;
        t->delta = s[i].delta;
        t->se = s[i].se;
        t->count = s[i].y;
        t->count_other = s[i].y_other;
    }
    cx_free(s);
    size_t want = o->quotes ? o->quotes : CX_VOICE_QUOTES_MAX;
    if (want > CX_VOICE_QUOTES_MAX)
        want = CX_VOICE_QUOTES_MAX;
    return o->no_quotes ? CX_OK : find_quotes(v, k, focus, want, err);
}

static int cmp_names(const void *pa, const void *pb)
{
    const vgroup *const *a = pa, *const *b = pb;
    return strcmp((*a)->name, (*b)->name);
}

/* Group `name` of the comparison, which must be there and have comments. */
static cx_status named_group(cx_voice *v, const char *src, const char *column, const char *name, size_t *g,
                             cx_error *err)
{
    if (cx_strmap_get(v->groups, name, strlen(name), g)) {
        if (v->g[*g].comments)
            return CX_OK;
        return cx_error_set(err, CX_EINVAL, src, 0, 0, "the group '%s' of '%s' has no comments to compare", name,
                            column);
    }
    const char **names = cx_calloc(v->ng + 1, sizeof(char *));
    cx_buf b = {0};
    if (!names)
        return nomem(err);
    for (size_t i = 0; i < v->ng; i++)
        names[i] = v->g[i].name;
    cx_status st = cx_suggest_text(&b, name, names, v->ng, "its groups");
    cx_free(names);
    if (st == CX_OK)
        st = cx_error_set(err, CX_EINVAL, src, 0, 0, "expected a group '%s' in '%s', found none%s", name, column,
                          b.data ? b.data : "");
    cx_buf_free(&b);
    return st == CX_ENOMEM ? nomem(err) : st;
}

/* The comparisons `o` asks for: a pair both ways, or each group against the rest. */
static cx_status comparisons(cx_voice *v, const cx_voice_options *o, const char *src, const char *column,
                             cx_error *err)
{
    const char *a = o->compare[0], *b = o->compare[1];
    if (!a && !o->rest && (o->worst || strcmp(column, "category") == 0)) {
        a = o->worst ? "worst" : "detractor";
        b = o->worst ? "other" : "promoter";
    }
    unsigned char *mask = cx_calloc(2 * (v->ng + 1), 1);
    vgroup **order = cx_calloc(v->ng + 1, sizeof *order);
    cx_status st = CX_OK;
    if (!mask || !order || !(v->cmp = cx_calloc(v->ng + 2, sizeof *v->cmp))) {
        st = nomem(err);
        goto out;
    }
    unsigned char *f = mask, *r = mask + v->ng + 1;
    if (a && !o->rest) {
        size_t ga, gb;
        if ((st = named_group(v, src, column, a, &ga, err)) != CX_OK ||
            (st = named_group(v, src, column, b, &gb, err)) != CX_OK)
            goto out;
        for (int side = 0; side < 2 && st == CX_OK; side++) {
            memset(mask, 0, 2 * (v->ng + 1));
            f[side ? gb : ga] = 1;
            r[side ? ga : gb] = 1;
            vcmp *k = &v->cmp[v->ncmp++];
            if (!(k->focus = cx_strdup(side ? b : a)) || !(k->other = cx_strdup(side ? a : b)))
                st = nomem(err);
            else
                st = compare(v, o, f, r, k, err);
        }
        goto out;
    }
    for (size_t g = 0; g < v->ng; g++)
        order[g] = &v->g[g];
    qsort(order, v->ng, sizeof *order, cmp_names);
    for (size_t i = 0; i < v->ng && st == CX_OK; i++) {
        size_t g = (size_t)(order[i] - v->g);
        if (!v->g[g].comments)
            continue;
        memset(mask, 1, 2 * (v->ng + 1));
        f = mask;
        r = mask + v->ng + 1;
        memset(f, 0, v->ng + 1);
        f[g] = 1;
        r[g] = 0;
        vcmp *k = &v->cmp[v->ncmp++];
        if (!(k->focus = cx_strdup(v->g[g].name)) || !(k->other = cx_strdup("the rest")))
            st = nomem(err);
        else
            st = compare(v, o, f, r, k, err);
    }
out:
    cx_free(mask);
    cx_free(order);
    return st;
}

/* ---- the run --------------------------------------------------------------- */

cx_status cx_voice_run(const char *path, const cx_csv_options *copt, const cx_voice_options *opt, cx_voice **out,
                       cx_error *err)
{
    static const cx_voice_options defaults;
    const cx_voice_options *o = opt ? opt : &defaults;
    if ((o->compare[0] == NULL) != (o->compare[1] == NULL) || (o->worst && !o->metrics) ||
        (o->where_column && !o->where_value) || o->worst_share < 0 || o->worst_share > 1 || o->prior < 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "contradictory or incomplete voice options");
    if (vt_init() != CX_OK)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory (or no C.UTF-8 locale) for the tokeniser");
    cx_voice *v = cx_calloc(1, sizeof *v);
    cx_csv_reader *r = NULL;
    cells cl = {0};
    cols c = {0};
    cx_csv_coltype *types = NULL;
    cx_status st;
    if (!v || !(v->wordmap = cx_strmap_new()) || !(v->phrasetext = cx_strmap_new()) ||
        !(v->groups = cx_strmap_new())) {
        st = nomem(err);
        goto fail;
    }
    v->prior = o->prior > 0 ? o->prior : DEFAULT_PRIOR;
    v->stride = 4;
    /* the comment column is text whatever its cells look like */
    cx_csv_options co = copt ? *copt : (cx_csv_options){0};
    const char *text = o->text ? o->text : "comment";
    if (!(types = cx_calloc(co.ntypes + 2, sizeof *types))) {
        st = nomem(err);
        goto fail;
    }
    if (co.ntypes)
        memcpy(types, co.types, co.ntypes * sizeof *types);
    types[co.ntypes++] = (cx_csv_coltype){text, CX_COL_TEXT, 0};
    co.types = types;
    if ((st = cx_csv_open(path, &co, &r, err)) != CX_OK)
        goto fail;
    const cx_table *schema = cx_csv_schema(r);
    if (o->worst && (st = load_cells(o, schema, &cl, &v->stats, err)) != CX_OK)
        goto fail;
    if ((st = find_columns(schema, o, &cl, &c, err)) != CX_OK || (st = read_comments(r, &c, &cl, o, v, err)) != CX_OK)
        goto fail;
    const char *src = cx_table_source(schema);
    if (v->stats.comments == 0) {
        st = cx_error_set(err, CX_EINVAL, src, 0, 0, "the comment column '%s' is empty: no response%s has a comment",
                          text, o->where_column || o->worst ? " selected" : "");
        goto fail;
    }
    for (size_t id = 0; id < v->nterm; id++)
        v->stats.vocabulary += v->cnt[id * v->stride] > 0;
    const char *column = o->worst ? "worst" : o->by ? o->by : "category";
    if (o->worst)
        snprintf(v->grouping, sizeof v->grouping, "worst %s", o->worst);
    else
        snprintf(v->grouping, sizeof v->grouping, "%s", column);
    if ((st = comparisons(v, o, src, column, err)) != CX_OK)
        goto fail;
    cx_csv_close(r);
    cells_free(&cl);
    cx_free(c.unit);
    cx_free(types);
    *out = v;
    return CX_OK;
fail:
    cx_csv_close(r);
    cells_free(&cl);
    cx_free(c.unit);
    cx_free(types);
    cx_voice_free(v);
    return st;
}

void cx_voice_free(cx_voice *v)
{
    if (!v)
        return;
    for (size_t k = 0; k < v->ncmp; k++) {
        cx_free(v->cmp[k].focus);
        cx_free(v->cmp[k].other);
        cx_free(v->cmp[k].t);
    }
    cx_free(v->cmp);
    cx_free(v->g);
    cx_strmap_free(v->groups);
    cx_strmap_free(v->wordmap);
    cx_strmap_free(v->phrasetext);
    cx_free(v->pairs);
    cx_free(v->term);
    cx_free(v->words);
    cx_free(v->cnt);
    cx_buf_free(&v->arena);
    cx_free(v->c_off);
    cx_free(v->c_grp);
    cx_free(v);
}

const cx_voice_stats *cx_voice_stats_get(const cx_voice *v) { return &v->stats; }
const char *cx_voice_grouping(const cx_voice *v) { return v->grouping; }
double cx_voice_prior(const cx_voice *v) { return v->prior; }
size_t cx_voice_ncomparisons(const cx_voice *v) { return v->ncmp; }

const char *cx_voice_focus(const cx_voice *v, size_t k, uint64_t *n, uint64_t *n_other)
{
    if (n)
        *n = v->cmp[k].n;
    if (n_other)
        *n_other = v->cmp[k].n_other;
    return v->cmp[k].focus;
}

const char *cx_voice_other(const cx_voice *v, size_t k) { return v->cmp[k].other; }
size_t cx_voice_nterms(const cx_voice *v, size_t k) { return v->cmp[k].nt; }
const cx_voice_term *cx_voice_term_at(const cx_voice *v, size_t k, size_t i) { return &v->cmp[k].t[i]; }
