/*
 * design.c - from data rows to regression rows.
 *
 * A source hands out blocks of rows and can start over for another pass: a
 * CSV file is simply opened again (memory stays bounded by one block), an
 * in-memory table is copied once, sorted by unit and then period (a table
 * whose rows are in that order already is read where it is).
 *
 * The design resolves an equation's terms against the columns, evaluates
 * each row into x (intercept first, then one column per numeric term and one
 * per non-baseline level of each C(x) term), y and a weight, and keeps, per
 * unit, the last few rows of every lagged column so that lag(x, k) finds the
 * value of period t - k of the same unit, periods counted in steps of the
 * period column's cadence (a year for one date a year; see table.h).  Rows must come in period order
 * within each unit for that; a table source guarantees it, and a streamed
 * file that breaks it is an error rather than a silently wrong lag.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../core/jsonin.h"
#include "../data/table.h"
#include "design.h"

#define NONE ((size_t)-1)

/* ======================================================================== */
/* Sources                                                                  */
/* ======================================================================== */

typedef struct sortref {
    size_t row;
    const cx_table *t;
    const size_t *units;
    size_t nunits, pcol;
} sortref;

static int cmp_sortref(const void *pa, const void *pb)
{
    const sortref *a = pa, *b = pb;
    for (size_t k = 0; k < a->nunits; k++) {
        const char *x = cx_table_text(a->t, a->units[k], a->row);
        const char *y = cx_table_text(b->t, b->units[k], b->row);
        int c = strcmp(x ? x : "", y ? y : "");
        if (c)
            return c;
    }
    if (a->pcol != NONE) {
        int c = cx_period_cmp(cx_table_periods(a->t, a->pcol)[a->row],
                              cx_table_periods(b->t, b->pcol)[b->row]);
        if (c)
            return c;
    }
    return (a->row > b->row) - (a->row < b->row);
}

static size_t period_column(const cx_table *t)
{
    for (size_t j = 0; j < cx_table_ncols(t); j++)
        if (cx_table_coltype(t, j) == CX_COL_PERIOD)
            return j;
    return NONE;
}

/* 1 when the n rows of p's table are in order already (always when there
 * are no units and no period); p is two references to reuse. */
static int in_order(sortref p[2], size_t n)
{
    if (!p[0].nunits && p[0].pcol == NONE)
        return 1;
    for (size_t i = 1; i < n; i++) {
        p[0].row = i - 1;
        p[1].row = i;
        if (cmp_sortref(&p[0], &p[1]) >= 0)
            return 0;
    }
    return 1;
}

cx_status cx_source_table(cx_source *s, const cx_table *t, const char *const *units,
                          size_t nunits, cx_error *err)
{
    memset(s, 0, sizeof *s);
    size_t n = cx_table_nrows(t), nc = cx_table_ncols(t);
    size_t *ucol = cx_calloc(nc + 1, sizeof(size_t));
    if (!ucol)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    size_t nu = 0;
    if (units) {
        for (size_t k = 0; k < nunits; k++) {
            size_t j = cx_table_find(t, units[k]);
            if (j != NONE && cx_table_coltype(t, j) == CX_COL_TEXT)
                ucol[nu++] = j;
        }
    } else if (period_column(t) != NONE) {
        for (size_t j = 0; j < nc; j++)
            if (cx_table_coltype(t, j) == CX_COL_TEXT)
                ucol[nu++] = j;
    }
    sortref probe[2] = {{0, t, ucol, nu, period_column(t)}, {0, t, ucol, nu, period_column(t)}};
    if (n < 2 || in_order(probe, n)) { /* read in place, not copied */
        cx_free(ucol);
        s->sorted = t;
        s->schema = t;
        return CX_OK;
    }
    sortref *refs = cx_calloc(n + 1, sizeof(sortref));
    size_t *order = cx_calloc(n + 1, sizeof(size_t));
    cx_table *c = cx_table_new(cx_table_source(t));
    cx_status st = (refs && order && c) ? CX_OK : CX_ENOMEM;
    if (st == CX_OK) {
        for (size_t i = 0; i < n; i++)
            refs[i] = (sortref){i, t, ucol, nu, probe[0].pcol};
        qsort(refs, n, sizeof *refs, cmp_sortref);
        for (size_t j = 0; j < nc && st == CX_OK; j++) {
            st = cx_table_add_column(c, cx_table_colname(t, j), cx_table_coltype(t, j), NULL, err);
            if (st == CX_OK && cx_table_set_colsource(c, j, cx_table_colsource(t, j)) != CX_OK)
                st = CX_ENOMEM; /* the file of each column, for messages */
        }
        for (size_t i = 0; i < n; i++)
            order[i] = refs[i].row;
        if (st == CX_OK && cx_table_append_rows(c, t, order, n, NULL) != CX_OK)
            st = CX_ENOMEM;
    }
    cx_free(ucol);
    cx_free(refs);
    cx_free(order);
    if (st != CX_OK) {
        cx_table_free(c);
        return st == CX_ENOMEM ? cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory") : st;
    }
    s->sorted = s->copy = c;
    s->schema = c;
    return CX_OK;
}

cx_status cx_source_csv(cx_source *s, const char *path, const cx_csv_options *copt, cx_error *err)
{
    memset(s, 0, sizeof *s);
    s->spool_fd = -1;
    if (copt)
        s->copt = *copt;
    /* keep a copy of the forced types: the file is opened again on every pass */
    s->copt.types = NULL;
    s->copt.ntypes = 0;
    /* a pipe (or standard input) can be read once: every pass reads its copy */
    int fifo = 0;
    if (strcmp(path, "-") == 0 || (cx_input_check(path, path, &fifo, NULL) == CX_OK && fifo)) {
        const char *name = s->copt.name ? s->copt.name : strcmp(path, "-") == 0 ? "<stdin>" : path;
        if (!(s->name = cx_strdup(name)))
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        cx_status st = cx_csv_spool(path, s->name, &s->spool_fd, &s->spool, err);
        if (st != CX_OK)
            return st;
        s->copt.name = s->name;
        path = s->spool;
    }
    s->path = cx_strdup(path);
    if (!s->path)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (copt && copt->ntypes) {
        s->types = cx_calloc(copt->ntypes, sizeof(cx_csv_coltype));
        if (!s->types)
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        for (size_t k = 0; k < copt->ntypes; k++) {
            s->types[k].type = copt->types[k].type;
            if (!(s->types[k].name = cx_strdup(copt->types[k].name)))
                return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
            s->ntypes = k + 1;
        }
        s->copt.types = s->types;
        s->copt.ntypes = s->ntypes;
    }
    cx_status st = cx_csv_open(path, &s->copt, &s->r, err);
    if (st == CX_OK)
        s->schema = cx_csv_schema(s->r);
    s->fresh = st == CX_OK;
    return st;
}

cx_status cx_source_rewind(cx_source *s, cx_error *err)
{
    if (s->sorted) {
        s->handed = 0;
        return CX_OK;
    }
    /* a reader that has handed out nothing is where a new one would start
     * (opening reads the header and the first block, and types the columns) */
    if (s->r && s->fresh && cx_csv_set_range_end(s->r, s->copt.range_end))
        return CX_OK;
    cx_csv_close(s->r);
    s->r = NULL;
    cx_status st = cx_csv_open(s->path, &s->copt, &s->r, err);
    if (st == CX_OK)
        s->schema = cx_csv_schema(s->r);
    if (st == CX_OK && s->skip)
        st = cx_csv_skip_columns(s->r, s->skip, err);
    s->fresh = st == CX_OK;
    return st;
}

cx_status cx_source_need(cx_source *s, const unsigned char *need, cx_error *err)
{
    if (s->sorted || !s->r)
        return CX_OK;
    size_t nc = cx_table_ncols(s->schema);
    if (!s->skip && !(s->skip = cx_calloc(nc + 1, 1)))
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t j = 0; j < nc; j++)
        s->skip[j] = !need[j];
    return cx_csv_skip_columns(s->r, s->skip, err);
}

cx_status cx_source_next(cx_source *s, const cx_table **block, cx_error *err)
{
    if (s->sorted) {
        *block = s->handed ? NULL : s->sorted;
        s->handed = 1;
        return CX_OK;
    }
    s->fresh = 0;
    return cx_csv_next(s->r, block, err);
}

void cx_source_close(cx_source *s)
{
    if (s->spool) /* a table source has no spool (and a zero spool_fd) */
        close(s->spool_fd);
    cx_free(s->spool);
    cx_free(s->name);
    cx_free(s->skip);
    for (size_t k = 0; k < s->ntypes; k++)
        cx_free((void *)s->types[k].name);
    cx_free(s->types);
    cx_csv_close(s->r);
    cx_table_free(s->copy);
    cx_free(s->path);
    memset(s, 0, sizeof *s);
}

/* ======================================================================== */
/* The design                                                               */
/* ======================================================================== */

typedef struct tinfo {
    size_t *fcol;       /* per factor: source column (NONE: the derived quarter) */
    size_t *flag;       /* per factor: index into the lag columns, for lag() */
    size_t *fin;        /* per numeric factor: index of its column among the inputs */
    int cat;            /* a C(x) term */
    cx_strmap *levels;  /* level text -> index in sorted order */
    char **level_names; /* sorted */
    size_t nlevels;
    size_t first_col;   /* first design column of the term */
    size_t *used;       /* rows used per level in this pass */
    /* recent level texts of the table lc_table in generation lc_gen (its
     * interned copies: one text, one pointer) with their index, so that a
     * row's level is mostly found without hashing its text */
    struct {
        const char *text;
        size_t idx;
    } lcache[16];
    const cx_table *lc_table;
    unsigned long lc_gen;
    int fixed;          /* index into the fixed list + 1, or 0 */
    int me;             /* a term measured with error: index into the declared list + 1, or 0 */
} tinfo;

/* A term measured with error: the column of its rows' standard errors, and
 * for lag(x, k) that column's lag slot. */
typedef struct meinfo {
    size_t term;
    size_t secol;
    size_t selag;       /* index into the lag columns, for lag(x, k) */
    int lag;            /* k, or 0 */
    char *col, *se;     /* names (copies) */
} meinfo;

typedef struct unitstate {
    int has_last;
    cx_period last;
    int32_t last_step;  /* last in steps of the cadence */
    unsigned long last_line;
    size_t head, count; /* ring of the last maxlag rows */
} unitstate;

struct cx_design {
    const cx_spec *spec;
    const cx_eqspec *eq;
    size_t eqi;
    size_t ycol, wcol, pcol;
    int precision;
    size_t *ucol, nu;
    tinfo *t;
    size_t p;
    char **names;
    int levels_done;
    int full;       /* partial fits: every level of C(x) gets a column, no intercept column */
    int has_cat;
    int has_quarter; /* a C(quarter) term */
    /* the period column's cadence: lags and holdouts count its steps */
    cx_cadence cad;
    cx_period_kind cadence; /* NONE until known */
    char *pname;            /* the period column's name, for messages */
    int cadence_known;
    /* lags */
    size_t maxlag;
    const char **ukey;    /* per unit id: its key in the unit map (valid until the next pass) */
    size_t *ukeylen, ukeycap;
    size_t *lagcols, nlag;
    cx_strmap *unitmap;
    unitstate *units;
    size_t ucap;
    int32_t *ring_period; /* per unit: maxlag periods */
    double *ring_val;     /* per unit: maxlag x nlag values */
    double *lagbuf;       /* lag values of the current row: per (lag column, k) found */
    cx_buf key;
    /* one unit column: its recent texts (the table's interned copies) and
     * units, for the table `ucache_table` in generation `ucache_gen` */
    struct {
        const char *text;
        size_t uid;
    } ucache[64];
    const cx_table *ucache_table;
    unsigned long ucache_gen;
    /* inputs for ranges */
    size_t *incol, nin;
    double *inval;
    char **innames;
    /* terms measured with error, and their error variances in the last row */
    meinfo *me;
    size_t nme;
    double *meval;
    /* holdout */
    size_t holdout;
    int32_t *lastper; /* per unit: its last period */
    size_t lastcap;
};

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

void cx_design_free(cx_design *d)
{
    if (!d)
        return;
    for (size_t i = 0; d->t && i < d->eq->nterms; i++) {
        cx_free(d->t[i].fcol);
        cx_free(d->t[i].flag);
        cx_free(d->t[i].fin);
        cx_strmap_free(d->t[i].levels);
        cx_free(d->t[i].used);
        for (size_t k = 0; k < d->t[i].nlevels; k++)
            cx_free(d->t[i].level_names[k]);
        cx_free(d->t[i].level_names);
    }
    cx_free(d->t);
    cx_free(d->pname);
    for (size_t j = 0; j < d->p; j++)
        cx_free(d->names[j]);
    cx_free(d->names);
    cx_free(d->ucol);
    cx_free(d->lagcols);
    cx_strmap_free(d->unitmap);
    cx_free(d->units);
    cx_free(d->ring_period);
    cx_free(d->ring_val);
    cx_free(d->lagbuf);
    cx_buf_free(&d->key);
    for (size_t k = 0; d->innames && k < d->nin; k++)
        cx_free(d->innames[k]);
    cx_free(d->innames);
    cx_free(d->lastper);
    cx_free(d->ukey);
    cx_free(d->ukeylen);
    cx_free(d->incol);
    cx_free(d->inval);
    for (size_t k = 0; d->me && k < d->nme; k++) {
        cx_free(d->me[k].col);
        cx_free(d->me[k].se);
    }
    cx_free(d->me);
    cx_free(d->meval);
    cx_free(d);
}

/* Where an equation's key is: its JSON Pointer in a spec file, or the
 * option that gave it for a one-equation fit from the command line. */
static void where_in_spec(const cx_design *d, const char *key, size_t idx, cx_jpath *p)
{
    cx_jpath_init(p);
    if (d->spec->cmdline) {
        snprintf(p->s, sizeof p->s, "%s", key && strcmp(key, "target") == 0 ? "-y" : key && strcmp(key, "terms") == 0 ? "-x" : "-y/-x");
        p->len = strlen(p->s);
        return;
    }
    cx_jpath_key(p, "equations");
    cx_jpath_index(p, d->eqi);
    if (key) {
        cx_jpath_key(p, key);
        if (idx != NONE)
            cx_jpath_index(p, idx);
    }
}

/* An error about the equation, at its JSON Pointer in the spec file. */
static cx_status eq_error(cx_error *err, const cx_design *d, const char *key, size_t idx,
                          const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static cx_status eq_error(cx_error *err, const cx_design *d, const char *key, size_t idx,
                          const char *fmt, ...)
{
    char msg[CX_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx_jpath p;
    where_in_spec(d, key, idx, &p);
    return cx_json_error(err, CX_EINVAL, d->spec->file, &p, "%s", msg);
}

static int is_numeric(const cx_table *s, size_t j)
{
    return cx_table_coltype(s, j) == CX_COL_NUMBER;
}

/* For messages that name the user's files: "which 'f.csv' does not have;
 * did you mean ...? (its columns: ...)" for a column `name` the data lack. */
static const char *missing(const cx_table *s, const char *name, char *buf, size_t size)
{
    cx_buf b = {0};
    snprintf(buf, size, "which '%s' does not have", cx_table_source(s));
    if (cx_table_describe_missing(s, name, &b) == CX_OK && b.data)
        snprintf(buf, size, "%s", b.data);
    cx_buf_free(&b);
    return buf;
}

/* "text column 'omzet' from finance.csv (values such as 'n.v.t.')": what a
 * column of the wrong type is, and where it comes from. */
static const char *kind_of(const cx_table *s, size_t j, char *buf, size_t size)
{
    const char *example = NULL;
    for (size_t i = 0; i < cx_table_nrows(s) && !example && cx_table_coltype(s, j) == CX_COL_TEXT; i++)
        example = cx_table_text(s, j, i);
    char ex[64] = "";
    if (example)
        cx_quote_excerpt(example, strlen(example), 30, ex, sizeof ex);
    snprintf(buf, size, "%s column '%s' from %s%s%s%s", cx_coltype_name(cx_table_coltype(s, j)), cx_table_colname(s, j),
             cx_table_colsource(s, j), example ? " (values such as '" : "", ex, example ? "')" : "");
    return buf;
}

/* Add column `col` to the inputs, once; returns its index among them. */
static size_t add_input(cx_design *d, size_t col)
{
    for (size_t k = 0; k < d->nin; k++)
        if (d->incol[k] == col)
            return k;
    d->incol[d->nin] = col;
    return d->nin++;
}

/* Build the list of estimated columns once the levels are known. */
static cx_status finalize_columns(cx_design *d, cx_error *err)
{
    const cx_eqspec *eq = d->eq;
    int icol = eq->intercept && !(d->full && d->has_cat);
    size_t first = d->full ? 0 : 1; /* the first level with a column */
    size_t p = icol ? 1 : 0;
    for (size_t i = 0; i < eq->nterms; i++) {
        tinfo *ti = &d->t[i];
        ti->first_col = p;
        if (ti->fixed)
            continue;
        p += ti->cat ? (ti->nlevels > first ? ti->nlevels - first : 0) : 1;
    }
    d->names = cx_calloc(p + 1, sizeof(char *));
    if (!d->names)
        return oom(err);
    d->p = p;
    size_t j = 0;
    if (icol && !(d->names[j++] = cx_strdup("(Intercept)")))
        return oom(err);
    for (size_t i = 0; i < eq->nterms; i++) {
        tinfo *ti = &d->t[i];
        if (ti->fixed)
            continue;
        if (!ti->cat) {
            if (!(d->names[j++] = cx_strdup(eq->terms[i].text)))
                return oom(err);
            continue;
        }
        for (size_t k = first; k < ti->nlevels; k++) {
            cx_buf b = {0};
            if (cx_buf_printf(&b, "%s[%s]", eq->terms[i].text, ti->level_names[k]) != CX_OK)
                return oom(err);
            d->names[j++] = b.data;
        }
    }
    d->levels_done = 1;
    return CX_OK;
}

static cx_status check_levels(const cx_design *d, cx_error *err);

void cx_design_set_full(cx_design *d)
{
    d->full = 1;
}

cx_status cx_design_set_levels(cx_design *d, size_t term, const char *const *names, size_t n, cx_error *err)
{
    tinfo *ti = &d->t[term];
    if (!ti->cat)
        return CX_OK;
    ti->lc_table = NULL;
    ti->levels = cx_strmap_new();
    ti->level_names = cx_calloc(n + 1, sizeof(char *));
    ti->used = cx_calloc(n + 1, sizeof(size_t));
    if (!ti->levels || !ti->level_names || !ti->used)
        return oom(err);
    for (size_t k = 0; k < n; k++) {
        if (!(ti->level_names[k] = cx_strdup(names[k])))
            return oom(err);
        ti->nlevels = k + 1;
        if (cx_strmap_intern(ti->levels, names[k], strlen(names[k]), k, NULL, NULL, NULL) != CX_OK)
            return oom(err);
    }
    for (size_t i = 0; i < d->eq->nterms; i++)
        if (d->t[i].cat && !d->t[i].levels)
            return CX_OK; /* more terms to come */
    cx_status st = check_levels(d, err);
    return st == CX_OK ? finalize_columns(d, err) : st;
}

/* ---- terms measured with error ------------------------------------------ */

static cx_status cell_error(cx_error *err, const cx_design *d, const cx_table *b, size_t i, size_t col,
                            const char *key, size_t idx, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

/* 1 when term t is a column on its own or lag(column, k): the terms whose
 * error covariance is the standard error of one row. */
static int plain_term(const cx_term *t)
{
    return t->nf == 1 && (t->f[0].kind == CX_F_COLUMN || t->f[0].kind == CX_F_LAG);
}

/* A numeric column by name, or NONE. */
static size_t numeric_column(const cx_table *s, const char *name)
{
    size_t j = cx_table_find(s, name);
    return j != NONE && is_numeric(s, j) ? j : NONE;
}

/* Declare term t as measured with error, its standard errors in `secol`. */
static cx_status add_me(cx_design *d, size_t t, size_t secol, const char *col, const char *se)
{
    const cx_factor *fa = &d->eq->terms[t].f[0];
    meinfo *m = &d->me[d->nme];
    m->term = t;
    m->secol = secol;
    m->col = cx_strdup(col);
    m->se = cx_strdup(se);
    d->t[t].me = (int)++d->nme; /* counted at once, so that cx_design_free frees the copies */
    if (!m->col || !m->se)
        return CX_ENOMEM;
    m->lag = fa->kind == CX_F_LAG ? fa->k : 0;
    if (m->lag) {
        size_t l = 0;
        while (l < d->nlag && d->lagcols[l] != secol)
            l++;
        if (l == d->nlag)
            d->lagcols[d->nlag++] = secol;
        m->selag = l;
    }
    return CX_OK;
}

/* The refusal of a term the correction does not cover. */
static cx_status me_unsupported(cx_error *err, const cx_design *d, size_t t, const char *col, const char *se,
                                int declared)
{
    return eq_error(err, d, "terms", t,
                    "'%s' is measured with error (its standard errors are in '%s'), and the correction "
                    "covers %s itself and lag(%s, k) only, found '%s': a log, power or interaction of a noisy "
                    "column has other moments; use %s or lag(%s, k)%s",
                    col, se, col, col, d->eq->terms[t].text, col, col,
                    declared ? ", or drop it from \"measurement_error\""
                             : ", or turn the correction off with \"measurement_error\": {}");
}

/* The columns the spec declares measured with error. */
static cx_status me_declared(cx_design *d, const cx_table *s, cx_error *err)
{
    const cx_eqspec *eq = d->eq;
    for (size_t k = 0; k < eq->nme; k++) {
        cx_jpath p;
        where_in_spec(d, "measurement_error", NONE, &p);
        cx_jpath_key(&p, eq->me_col[k]);
        size_t j = cx_table_find(s, eq->me_se[k]);
        char why[CX_ERROR_MSG_MAX];
        if (j == NONE)
            return cx_json_error(err, CX_EINVAL, d->spec->file, &p, "expected a column of standard errors, found '%s', %s",
                                 eq->me_se[k], missing(s, eq->me_se[k], why, sizeof why));
        if (!is_numeric(s, j))
            return cx_json_error(err, CX_EINVAL, d->spec->file, &p, "expected a numeric column of standard errors, "
                                 "found the %s", kind_of(s, j, why, sizeof why));
        int used = 0;
        for (size_t t = 0; t < eq->nterms; t++) {
            const cx_term *term = &eq->terms[t];
            int uses = 0;
            for (size_t f = 0; f < term->nf; f++)
                uses |= term->f[f].kind != CX_F_CAT && strcmp(term->f[f].col, eq->me_col[k]) == 0;
            if (!uses || d->t[t].fixed)
                continue;
            if (!plain_term(term))
                return me_unsupported(err, d, t, eq->me_col[k], eq->me_se[k], 1);
            if (add_me(d, t, j, eq->me_col[k], eq->me_se[k]) != CX_OK)
                return oom(err);
            used = 1;
        }
        if (!used)
            return cx_json_error(err, CX_EINVAL, d->spec->file, &p,
                                 "expected a column that an estimated term of the equation uses, found '%s', "
                                 "which none uses",
                                 eq->me_col[k]);
    }
    return CX_OK;
}

/* The survey aggregates declare themselves: a column x used by a term, with
 * numeric columns x_se and x_n beside it (what `cxcase nps` and
 * --responses write). */
static cx_status me_survey(cx_design *d, const cx_table *s, cx_error *err)
{
    const cx_eqspec *eq = d->eq;
    cx_buf b = {0};
    cx_status st = CX_OK;
    for (size_t t = 0; t < eq->nterms && st == CX_OK; t++) {
        const cx_term *term = &eq->terms[t];
        if (d->t[t].fixed)
            continue;
        for (size_t f = 0; f < term->nf && st == CX_OK; f++) {
            const char *col = term->f[f].col;
            if (term->f[f].kind == CX_F_CAT)
                continue;
            b.len = 0;
            if (cx_buf_printf(&b, "%s_n", col) != CX_OK)
                st = oom(err);
            else if (numeric_column(s, b.data) == NONE)
                continue;
            b.len = 0;
            if (st == CX_OK && cx_buf_printf(&b, "%s_se", col) != CX_OK)
                st = oom(err);
            size_t j = st == CX_OK ? numeric_column(s, b.data) : NONE;
            if (j == NONE)
                continue;
            if (!plain_term(term))
                st = me_unsupported(err, d, t, col, cx_table_colname(s, j), 0);
            else if (add_me(d, t, j, col, cx_table_colname(s, j)) != CX_OK)
                st = oom(err);
            break;
        }
    }
    cx_buf_free(&b);
    return st;
}

/* Which terms are measured with error: declared by the spec, or by the
 * survey aggregates themselves. */
static cx_status resolve_me(cx_design *d, const cx_table *s, cx_error *err)
{
    d->me = cx_calloc(d->eq->nterms + 1, sizeof(meinfo));
    d->meval = cx_calloc(d->eq->nterms + 1, sizeof(double));
    if (!d->me || !d->meval)
        return oom(err);
    return d->eq->me_set ? me_declared(d, s, err) : me_survey(d, s, err);
}

int cx_design_col_is_unit_effect(const cx_design *d, size_t j)
{
    for (size_t t = 0; t < d->eq->nterms; t++) {
        const tinfo *ti = &d->t[t];
        size_t ncols = ti->nlevels > (d->full ? 0u : 1u) ? ti->nlevels - (d->full ? 0u : 1u) : 0;
        if (!ti->cat || ti->fixed || j < ti->first_col || j >= ti->first_col + ncols || ti->fcol[0] == NONE)
            continue;
        for (size_t k = 0; k < d->nu; k++)
            if (d->ucol[k] == ti->fcol[0])
                return 1;
    }
    return 0;
}

size_t cx_design_nme(const cx_design *d) { return d->nme; }
size_t cx_design_me_col(const cx_design *d, size_t k) { return d->t[d->me[k].term].first_col; }
double cx_design_me_var(const cx_design *d, size_t k) { return d->meval[k]; }
const char *cx_design_me_name(const cx_design *d, size_t k, const char **se)
{
    *se = d->me[k].se;
    return d->me[k].col;
}

/* The error variances of the terms measured with error in row i: 1 when
 * every one is there, 0 when one is missing (the row is dropped). */
static int me_values(cx_design *d, const cx_table *b, size_t i)
{
    for (size_t k = 0; k < d->nme; k++) {
        const meinfo *m = &d->me[k];
        double se = m->lag ? d->lagbuf[m->selag * (d->maxlag + 1) + (size_t)m->lag]
                           : cx_table_numbers(b, m->secol)[i];
        if (isnan(se))
            return 0;
        d->meval[k] = se * se;
    }
    return 1;
}

/* A negative standard error is an error in the row that has it. */
static int me_check(cx_design *d, const cx_table *b, size_t i, cx_status *st, cx_error *err)
{
    for (size_t k = 0; k < d->nme; k++) {
        double se = cx_table_numbers(b, d->me[k].secol)[i];
        if (se < 0) {
            *st = cell_error(err, d, b, i, d->me[k].secol, "terms", d->me[k].term,
                             "expected standard errors of 0 or more in '%s', found %g", d->me[k].se, se);
            return -1;
        }
    }
    return 0;
}

cx_status cx_design_new(const cx_spec *spec, size_t eqi, const cx_table *s, cx_design **out,
                        cx_error *err)
{
    *out = NULL;
    const cx_eqspec *eq = &spec->eq[eqi];
    cx_design *d = cx_calloc(1, sizeof *d);
    if (!d)
        return oom(err);
    d->spec = spec;
    d->eq = eq;
    d->eqi = eqi;
    d->wcol = NONE;
    d->pcol = period_column(s);
    cx_cadence_init(&d->cad);
    if (d->pcol != NONE && cx_table_nrows(s) > 0) {
        /* a schema with rows is the data itself (an in-memory table) */
        cx_table_period_cadence(s, d->pcol, &d->cad);
        d->cadence = cx_cadence_kind(&d->cad);
        d->cadence_known = 1;
    }
    size_t nc = cx_table_ncols(s);
    cx_status st = CX_OK;
    d->t = cx_calloc(eq->nterms + 1, sizeof(tinfo));
    d->ucol = cx_calloc(nc + 1, sizeof(size_t));
    d->lagcols = cx_calloc(nc + 1, sizeof(size_t));
    d->incol = cx_calloc(nc + 1, sizeof(size_t));
    d->inval = cx_calloc(nc + 1, sizeof(double));
    d->unitmap = cx_strmap_new();
    if (d->pcol != NONE)
        d->pname = cx_strdup(cx_table_colname(s, d->pcol));
    if (!d->t || !d->ucol || !d->lagcols || !d->incol || !d->inval || !d->unitmap ||
        (d->pcol != NONE && !d->pname)) {
        st = oom(err);
        goto fail;
    }

    /* target */
    d->ycol = cx_table_find(s, eq->target);
    if (d->ycol == NONE) {
        char why[CX_ERROR_MSG_MAX];
        st = eq_error(err, d, "target", NONE, "expected a column of the data, found '%s', %s", eq->target,
                      missing(s, eq->target, why, sizeof why));
        goto fail;
    }
    if (!is_numeric(s, d->ycol)) {
        char why[CX_ERROR_MSG_MAX];
        st = eq_error(err, d, "target", NONE, "expected a numeric target, found the %s",
                      kind_of(s, d->ycol, why, sizeof why));
        goto fail;
    }
    add_input(d, d->ycol);

    /* units: given, or every text column */
    if (spec->units) {
        for (size_t k = 0; k < spec->nunits; k++) {
            size_t j = cx_table_find(s, spec->units[k]);
            if (j == NONE || cx_table_coltype(s, j) != CX_COL_TEXT) {
                cx_jpath p;
                cx_jpath_init(&p);
                cx_jpath_key(&p, "units");
                cx_jpath_index(&p, k);
                char why[CX_ERROR_MSG_MAX];
                if (j == NONE)
                    st = cx_json_error(err, CX_EINVAL, spec->file, &p, "expected a text column of the data, found '%s', %s",
                                       spec->units[k], missing(s, spec->units[k], why, sizeof why));
                else
                    st = cx_json_error(err, CX_EINVAL, spec->file, &p, "expected a text column of the data, found the %s",
                                       kind_of(s, j, why, sizeof why));
                goto fail;
            }
            d->ucol[d->nu++] = j;
        }
    } else if (d->pcol != NONE) {
        /* units matter with periods (lags, Durbin-Watson within units); without a
         * period column the rows are one sequence in file order */
        for (size_t j = 0; j < nc; j++)
            if (cx_table_coltype(s, j) == CX_COL_TEXT)
                d->ucol[d->nu++] = j;
    }

    /* weights */
    if (eq->weights) {
        if (strcmp(eq->weights, "precision") == 0 && cx_table_find(s, "precision") == NONE) {
            cx_buf b = {0};
            if (cx_buf_printf(&b, "%s_se", eq->target) != CX_OK) {
                st = oom(err);
                goto fail;
            }
            d->wcol = cx_table_find(s, b.data);
            d->precision = 1;
            if (d->wcol == NONE || !is_numeric(s, d->wcol)) {
                st = eq_error(err, d, "weights", NONE,
                              "expected a numeric column '%s' (the standard error of the target) "
                              "for precision weights, found none",
                              b.data);
                cx_buf_free(&b);
                goto fail;
            }
            cx_buf_free(&b);
        } else {
            d->wcol = cx_table_find(s, eq->weights);
            if (d->wcol == NONE) {
                char why[CX_ERROR_MSG_MAX];
                st = eq_error(err, d, "weights", NONE, "expected a column of the data, found '%s', %s", eq->weights,
                              missing(s, eq->weights, why, sizeof why));
                goto fail;
            }
            if (!is_numeric(s, d->wcol)) {
                char why[CX_ERROR_MSG_MAX];
                st = eq_error(err, d, "weights", NONE, "expected a numeric column for the weights, found the %s",
                              kind_of(s, d->wcol, why, sizeof why));
                goto fail;
            }
        }
    }

    /* terms */
    for (size_t i = 0; i < eq->nterms; i++) {
        const cx_term *term = &eq->terms[i];
        tinfo *ti = &d->t[i];
        ti->fcol = cx_calloc(term->nf + 1, sizeof(size_t));
        ti->flag = cx_calloc(term->nf + 1, sizeof(size_t));
        ti->fin = cx_calloc(term->nf + 1, sizeof(size_t));
        if (!ti->fcol || !ti->flag || !ti->fin) {
            st = oom(err);
            goto fail;
        }
        ti->cat = cx_term_is_cat(term);
        for (size_t k = 0; k < eq->nfixed; k++)
            if (strcmp(eq->fixed[k].term, term->text) == 0)
                ti->fixed = (int)k + 1;
        for (size_t f = 0; f < term->nf; f++) {
            const cx_factor *fa = &term->f[f];
            size_t j = cx_table_find(s, fa->col);
            if (fa->kind == CX_F_CAT) {
                if (j == NONE && strcmp(fa->col, "quarter") == 0) {
                    if (d->pcol == NONE) {
                        st = eq_error(err, d, "terms", i, "C(quarter) needs a period column in the data, found none");
                        goto fail;
                    }
                    ti->fcol[f] = NONE;
                    d->has_quarter = 1;
                    continue;
                }
                if (j == NONE) {
                    char why[CX_ERROR_MSG_MAX];
                    st = eq_error(err, d, "terms", i, "expected a column of the data in '%s', found '%s', %s", term->text,
                                  fa->col, missing(s, fa->col, why, sizeof why));
                    goto fail;
                }
                if (cx_table_coltype(s, j) == CX_COL_NUMBER) {
                    const char *q = strpbrk(fa->col, " \t\"'()$`&;|<>*?[]#~!\\") ? "'" : "";
                    st = eq_error(err, d, "terms", i, "expected a text column for %s, found the numeric column "
                                  "'%s'; to use its values as levels, read it as text with --text %s%s%s",
                                  term->text, fa->col, q, fa->col, q);
                    goto fail;
                }
                if (cx_table_coltype(s, j) != CX_COL_TEXT) {
                    st = eq_error(err, d, "terms", i, "expected a text column for %s, found the period column '%s'",
                                  term->text, fa->col);
                    goto fail;
                }
                ti->fcol[f] = j;
                continue;
            }
            if (j == NONE) {
                char why[CX_ERROR_MSG_MAX];
                st = eq_error(err, d, "terms", i, "expected a column of the data in '%s', found '%s', %s", term->text,
                              fa->col, missing(s, fa->col, why, sizeof why));
                goto fail;
            }
            if (!is_numeric(s, j)) {
                char why[CX_ERROR_MSG_MAX];
                st = eq_error(err, d, "terms", i, "expected a numeric column in '%s', found the %s", term->text,
                              kind_of(s, j, why, sizeof why));
                goto fail;
            }
            ti->fcol[f] = j;
            ti->fin[f] = add_input(d, j);
            if (fa->kind == CX_F_LAG) {
                if (d->pcol == NONE) {
                    st = eq_error(err, d, "terms", i, "%s needs a period column in the data, found none", term->text);
                    goto fail;
                }
                size_t l = 0;
                while (l < d->nlag && d->lagcols[l] != j)
                    l++;
                if (l == d->nlag)
                    d->lagcols[d->nlag++] = j;
                ti->flag[f] = l;
                if ((size_t)fa->k > d->maxlag)
                    d->maxlag = (size_t)fa->k;
            }
        }
    }
    if ((st = resolve_me(d, s, err)) != CX_OK)
        goto fail;
    d->lagbuf = cx_calloc(d->nlag * (d->maxlag + 1) + 1, sizeof(double));
    if (!d->lagbuf) {
        st = oom(err);
        goto fail;
    }
    d->innames = cx_calloc(d->nin + 1, sizeof(char *));
    if (!d->innames) {
        st = oom(err);
        goto fail;
    }
    for (size_t k = 0; k < d->nin; k++)
        if (!(d->innames[k] = cx_strdup(cx_table_colname(s, d->incol[k])))) {
            st = oom(err);
            goto fail;
        }
    for (size_t i = 0; i < eq->nterms; i++)
        d->has_cat |= d->t[i].cat && !d->t[i].fixed;
    if (!d->has_cat && (st = finalize_columns(d, err)) != CX_OK)
        goto fail;
    *out = d;
    return CX_OK;
fail:
    cx_design_free(d);
    return st;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The level text of a C(x) term in row i ("Q1".."Q4" for the derived quarter). */
static const char *level_of(const cx_design *d, const tinfo *ti, const cx_table *b, size_t i,
                            char *buf, size_t size)
{
    if (ti->fcol[0] != NONE)
        return cx_table_text(b, ti->fcol[0], i);
    cx_period p = cx_table_periods(b, d->pcol)[i];
    if (p.kind == CX_PERIOD_NONE)
        return NULL;
    cx_period q = cx_period_quarter(p);
    if (q.kind == CX_PERIOD_NONE)
        return NULL; /* a year has no one quarter */
    int qn = (int)(((q.value % 4) + 4) % 4) + 1;
    buf[0] = 'Q';
    buf[1] = (char)('0' + qn);
    buf[2] = '\0';
    (void)size;
    return buf;
}

/* The cache slot of level text lv of block b in term ti, after emptying
 * the cache when b is another table or generation than the one it holds. */
static size_t level_slot(tinfo *ti, const cx_table *b, const char *lv)
{
    unsigned long gen = cx_table_generation(b);
    if (b != ti->lc_table || gen != ti->lc_gen) {
        memset(ti->lcache, 0, sizeof ti->lcache);
        ti->lc_table = b;
        ti->lc_gen = gen;
    }
    return (size_t)(((uintptr_t)lv * 0x9E3779B97F4A7C15ULL) >> 60);
}

/* 1 and the index of the level of row i in C(x) term ti, or 0 when the
 * row has none or one the term does not know. */
static int level_index(const cx_design *d, tinfo *ti, const cx_table *b, size_t i, size_t *idx)
{
    char buf[8];
    const char *lv = level_of(d, ti, b, i, buf, sizeof buf);
    if (!lv)
        return 0;
    if (lv == buf) /* a derived quarter: not the table's text */
        return cx_strmap_get(ti->levels, lv, strlen(lv), idx);
    size_t slot = level_slot(ti, b, lv);
    if (ti->lcache[slot].text == lv) {
        *idx = ti->lcache[slot].idx;
        return 1;
    }
    if (!cx_strmap_get(ti->levels, lv, strlen(lv), idx))
        return 0;
    ti->lcache[slot].text = lv;
    ti->lcache[slot].idx = *idx;
    return 1;
}

/* Add the level of row r of block b to every C(x) term that does not know
 * it yet; cap[i] is the capacity of term i's level_names. */
static cx_status add_levels(cx_design *d, const cx_table *b, size_t r, size_t *cap, cx_error *err)
{
    for (size_t i = 0; i < d->eq->nterms; i++) {
        tinfo *ti = &d->t[i];
        if (!ti->cat)
            continue;
        char buf[8];
        const char *lv = level_of(d, ti, b, r, buf, sizeof buf);
        int fresh;
        if (!lv)
            continue;
        size_t slot = lv != buf ? level_slot(ti, b, lv) : 0;
        if (lv != buf && ti->lcache[slot].text == lv)
            continue; /* seen: known */
        if (cx_strmap_intern(ti->levels, lv, strlen(lv), ti->nlevels, NULL, &fresh, NULL) != CX_OK)
            return oom(err);
        if (lv != buf)
            ti->lcache[slot].text = lv;
        if (fresh) {
            if (cx_grow((void **)&ti->level_names, &cap[i], ti->nlevels + 1, sizeof(char *)) != CX_OK ||
                !(ti->level_names[ti->nlevels] = cx_strdup(lv)))
                return oom(err);
            ti->nlevels++;
        }
    }
    return CX_OK;
}

/* Number the levels of every C(x) term in sorted byte order: the first is
 * the baseline. */
static cx_status sort_levels(cx_design *d, cx_error *err)
{
    for (size_t i = 0; i < d->eq->nterms; i++) {
        tinfo *ti = &d->t[i];
        if (!ti->cat)
            continue;
        if (ti->nlevels) /* no levels: no array to sort */
            qsort(ti->level_names, ti->nlevels, sizeof(char *), cmp_str);
        cx_strmap_free(ti->levels);
        ti->lc_table = NULL; /* the indices change */
        if (!(ti->levels = cx_strmap_new()))
            return oom(err);
        for (size_t k = 0; k < ti->nlevels; k++)
            if (cx_strmap_intern(ti->levels, ti->level_names[k], strlen(ti->level_names[k]), k, NULL, NULL, NULL) != CX_OK)
                return oom(err);
        if (!(ti->used = cx_calloc(ti->nlevels + 1, sizeof(size_t))))
            return oom(err);
    }
    return CX_OK;
}

/*
 * Refuse a C(x) term with fewer than two levels, as a constant column is
 * refused: its one level would be the baseline and the term would vanish
 * from the fit without a word.  C(quarter) on yearly periods (years, or one
 * date a year) gets its own reason.  Partial fits (every level a column)
 * may see one level of a term in a partition: they are not checked.
 */
static cx_status check_levels(const cx_design *d, cx_error *err)
{
    if (d->full)
        return CX_OK;
    const cx_eqspec *eq = d->eq;
    for (size_t i = 0; i < eq->nterms; i++) {
        const tinfo *ti = &d->t[i];
        if (!ti->cat || ti->nlevels >= 2)
            continue;
        const char *term = eq->terms[i].text, *col = eq->terms[i].f[0].col;
        int yearly = d->cadence_known && d->cadence == CX_PERIOD_YEAR;
        if (ti->fcol[0] == NONE && (yearly || ti->nlevels == 0)) {
            /* no quarter level at all: the periods are years (or missing) */
            char how[80] = "years";
            if (yearly)
                cx_cadence_describe(&d->cad, how, sizeof how);
            return eq_error(err, d, "terms", i,
                            "equation '%s': %s needs periods shorter than a year, found %s in column "
                            "'%s'; yearly data have no quarters: drop the term",
                            eq->name, term, how, d->pname);
        }
        if (ti->nlevels == 1)
            return eq_error(err, d, "terms", i,
                            "equation '%s': %s has a single level '%s' in the data; a factor needs at "
                            "least 2 levels: drop the term",
                            eq->name, term, ti->level_names[0]);
        return eq_error(err, d, "terms", i,
                        "equation '%s': %s has no level in the data (the column '%s' is empty in "
                        "every row); a factor needs at least 2 levels: drop the term",
                        eq->name, term, ti->fcol[0] == NONE ? d->pname : col);
    }
    return CX_OK;
}

/*
 * Read what the design needs from the data before the fit: the levels of
 * every C(x) term, and the cadence of the period column when lags or
 * C(quarter) need it and the schema did not give it (a streamed file).
 * One pass over the source; for the cadence alone only dates need the whole
 * pass (the first block shows any other kind); none when neither is needed.
 */
cx_status cx_design_levels(cx_design *d, cx_source *src, cx_error *err)
{
    int cadence = !d->cadence_known && d->pcol != NONE && (d->maxlag > 0 || d->has_quarter);
    if (d->levels_done && !cadence)
        return CX_OK;
    const cx_eqspec *eq = d->eq;
    size_t *cap = cx_calloc(eq->nterms + 1, sizeof(size_t));
    if (!cap)
        return oom(err);
    cx_status st = CX_OK;
    for (size_t i = 0; i < eq->nterms && st == CX_OK && !d->levels_done; i++) {
        d->t[i].lc_table = NULL;
        if (d->t[i].cat && !(d->t[i].levels = cx_strmap_new()))
            st = oom(err);
    }
    if (st == CX_OK)
        st = cx_source_rewind(src, err);
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_source_next(src, &b, err);
        if (st != CX_OK || !b)
            break;
        const cx_period *per = d->pcol != NONE ? cx_table_periods(b, d->pcol) : NULL;
        for (size_t r = 0; r < cx_table_nrows(b) && st == CX_OK; r++) {
            if (cadence && per)
                cx_cadence_add(&d->cad, per[r]);
            if (!d->levels_done)
                st = add_levels(d, b, r, cap, err);
        }
        if (d->levels_done && d->cad.n && d->cad.kind != CX_PERIOD_DAY)
            break; /* weeks, months, quarters, years: the kind is the cadence */
    }
    cx_free(cap);
    if (st == CX_OK && cadence) {
        d->cadence = cx_cadence_kind(&d->cad);
        d->cadence_known = 1;
    }
    if (st != CX_OK || d->levels_done)
        return st;
    st = sort_levels(d, err);
    if (st == CX_OK)
        st = check_levels(d, err);
    return st == CX_OK ? finalize_columns(d, err) : st;
}

size_t cx_design_ncols(const cx_design *d) { return d->p; }
const char *cx_design_colname(const cx_design *d, size_t j) { return d->names[j]; }
int cx_design_has_intercept(const cx_design *d) { return d->eq->intercept && !(d->full && d->has_cat); }

int cx_design_col_is_cat(const cx_design *d, size_t j)
{
    for (size_t i = 0; i < d->eq->nterms; i++) {
        const tinfo *ti = &d->t[i];
        size_t ncol = ti->nlevels - (d->full ? 0 : 1);
        if (ti->cat && !ti->fixed && ti->nlevels > 0 && j >= ti->first_col && j < ti->first_col + ncol)
            return 1;
    }
    return 0;
}
size_t cx_design_nunits(const cx_design *d) { return cx_strmap_count(d->unitmap); }
int cx_design_has_units(const cx_design *d) { return d->nu > 0; }
size_t cx_design_max_lag(const cx_design *d) { return d->maxlag; }

cx_period_kind cx_design_cadence(const cx_design *d) { return d->cadence_known ? d->cadence : CX_PERIOD_NONE; }

void cx_design_needed(const cx_design *d, int period_too, unsigned char *need)
{
    need[d->ycol] = 1;
    if (d->wcol != NONE)
        need[d->wcol] = 1;
    for (size_t k = 0; k < d->nu; k++)
        need[d->ucol[k]] = 1;
    int period = period_too || d->maxlag > 0 || d->holdout > 0;
    for (size_t i = 0; i < d->eq->nterms; i++)
        for (size_t f = 0; f < d->eq->terms[i].nf; f++) {
            if (d->t[i].fcol[f] == NONE)
                period = 1; /* C(quarter) */
            else
                need[d->t[i].fcol[f]] = 1;
        }
    if (period && d->pcol != NONE)
        need[d->pcol] = 1;
    for (size_t k = 0; k < d->nme; k++)
        need[d->me[k].secol] = 1;
}
int cx_design_has_cat(const cx_design *d) { return d->has_cat; }

const char *cx_design_unit_key(const cx_design *d, size_t uid, size_t *len)
{
    *len = d->ukeylen[uid];
    return d->ukey[uid];
}

cx_status cx_design_unit_intern(cx_design *d, const char *key, size_t len, size_t *uid)
{
    int fresh;
    const char *stored;
    size_t count = cx_strmap_count(d->unitmap);
    if (cx_strmap_intern(d->unitmap, key, len, count, uid, &fresh, &stored) != CX_OK)
        return CX_ENOMEM;
    if (fresh) {
        size_t kc = d->ukeycap;
        if (cx_grow((void **)&d->ukey, &d->ukeycap, *uid + 1, sizeof(char *)) != CX_OK ||
            cx_grow((void **)&d->ukeylen, &kc, *uid + 1, sizeof(size_t)) != CX_OK)
            return CX_ENOMEM;
        d->ukey[*uid] = stored;
        d->ukeylen[*uid] = len;
    }
    return CX_OK;
}
size_t cx_design_ninputs(const cx_design *d) { return d->nin; }
double cx_design_input_value(const cx_design *d, size_t k) { return d->inval[k]; }
size_t cx_design_nfixed(const cx_design *d) { return d->eq->nfixed; }
const cx_fixed *cx_design_fixed(const cx_design *d, size_t k) { return &d->eq->fixed[k]; }

const char *cx_design_input_name(const cx_design *d, size_t k)
{
    return d->innames[k];
}

static cx_status unit_of(cx_design *d, const cx_table *b, size_t i, size_t *uid, int *missing);

/* Grow the per-unit last periods to hold unit uid (new ones INT32_MIN). */
static cx_status grow_lastper(cx_design *d, size_t uid)
{
    if (uid < d->lastcap)
        return CX_OK;
    size_t old = d->lastcap;
    if (cx_grow((void **)&d->lastper, &d->lastcap, uid + 1, sizeof(int32_t)) != CX_OK)
        return CX_ENOMEM;
    for (size_t k = old; k < d->lastcap; k++)
        d->lastper[k] = INT32_MIN;
    return CX_OK;
}

/*
 * The holdout counts steps of the period column's cadence (years for one
 * date a year), like lags: the pass finds each unit's last period (and the
 * cadence, when not known yet), then turns it into a step.
 */
cx_status cx_design_holdout(cx_design *d, cx_source *src, size_t periods, cx_error *err)
{
    if (periods == 0)
        return CX_OK;
    if (d->pcol == NONE)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                            "a holdout needs a period column in the data, found none");
    int cadence = !d->cadence_known;
    cx_status st = cx_source_rewind(src, err);
    cx_design_begin_pass(d);
    while (st == CX_OK) {
        const cx_table *b;
        st = cx_source_next(src, &b, err);
        if (st != CX_OK || !b)
            break;
        for (size_t i = 0; i < cx_table_nrows(b); i++) {
            size_t uid;
            int missing;
            if (unit_of(d, b, i, &uid, &missing) != CX_OK)
                return oom(err);
            cx_period per = cx_table_periods(b, d->pcol)[i];
            if (missing || per.kind == CX_PERIOD_NONE)
                continue;
            if (cadence)
                cx_cadence_add(&d->cad, per);
            if (grow_lastper(d, uid) != CX_OK)
                return oom(err);
            if (per.value > d->lastper[uid])
                d->lastper[uid] = per.value;
        }
    }
    if (st != CX_OK)
        return st;
    if (cadence) {
        d->cadence = cx_cadence_kind(&d->cad);
        d->cadence_known = 1;
    }
    for (size_t u = 0; u < d->lastcap; u++)
        if (d->lastper[u] != INT32_MIN)
            d->lastper[u] = cx_period_step((cx_period){d->cad.kind, d->lastper[u]}, d->cadence);
    d->holdout = periods;
    return CX_OK;
}

int cx_design_empty_level(const cx_design *d, const char **term, const char **level)
{
    for (size_t i = 0; i < d->eq->nterms; i++) {
        const tinfo *ti = &d->t[i];
        if (!ti->cat || !ti->used)
            continue;
        for (size_t k = 0; k < ti->nlevels; k++)
            if (ti->used[k] == 0) {
                *term = d->eq->terms[i].text;
                *level = ti->level_names[k];
                return 1;
            }
    }
    return 0;
}

void cx_design_begin_pass(cx_design *d)
{
    for (size_t i = 0; i < d->eq->nterms; i++)
        if (d->t[i].used)
            memset(d->t[i].used, 0, d->t[i].nlevels * sizeof(size_t));
    cx_strmap_clear(d->unitmap);
    memset(d->ucache, 0, sizeof d->ucache);
    d->ucache_table = NULL;
    for (size_t i = 0; i < d->eq->nterms; i++)
        d->t[i].lc_table = NULL;
}

/* "line 14" or "2024-W07 Utrecht" for messages. */
static const char *describe_row(const cx_design *d, const cx_table *b, size_t i, char *buf, size_t size)
{
    unsigned long line = cx_table_line(b, i);
    if (line) {
        snprintf(buf, size, "%s:%lu", cx_table_source(b), line);
        return buf;
    }
    size_t o = 0;
    if (d->pcol != NONE) {
        char per[CX_PERIOD_TEXT_MAX];
        o += (size_t)snprintf(buf, size, "the row of %s", cx_period_format(cx_table_periods(b, d->pcol)[i], per, sizeof per));
    } else
        o += (size_t)snprintf(buf, size, "row %zu", i + 1);
    for (size_t k = 0; k < d->nu && o < size; k++) {
        const char *u = cx_table_text(b, d->ucol[k], i);
        o += (size_t)snprintf(buf + o, size - o, " %s", u ? u : "(empty)");
    }
    return buf;
}

/* A bad value in a data row: at file:line:column when the row came from a
 * CSV file (the column found by cx_table_locate), with the equation's
 * place in the spec in parentheses; for rows of a joined panel, the row is
 * described by its period and unit. */
static cx_status cell_error(cx_error *err, const cx_design *d, const cx_table *b, size_t i, size_t col,
                            const char *key, size_t idx, const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static cx_status cell_error(cx_error *err, const cx_design *d, const cx_table *b, size_t i, size_t col,
                            const char *key, size_t idx, const char *fmt, ...)
{
    char msg[CX_ERROR_MSG_MAX / 2];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx_jpath p;
    where_in_spec(d, key, idx, &p);
    unsigned long line = 0, column = 0;
    if (cx_table_line(b, i) > 0)
        cx_table_locate(b, col, i, &line, &column);
    if (line)
        return cx_error_set(err, CX_EINVAL, cx_table_source(b), line, column, "%s (%s: %s)", msg,
                            d->spec->file, cx_jpath_str(&p));
    char where[160];
    describe_row(d, b, i, where, sizeof where);
    return cx_json_error(err, CX_EINVAL, d->spec->file, &p, "%s (%s)", msg, where);
}

/* Find or add the unit of row i; grows the per-unit lag state. */
static cx_status unit_of(cx_design *d, const cx_table *b, size_t i, size_t *uid, int *missing)
{
    /* the key: each unit text with its NUL; one unit column is its own key */
    const char *key = "";
    size_t keylen = 0;
    *missing = 0;
    size_t slot = 0;
    if (d->nu == 0 && cx_strmap_count(d->unitmap) == 1) {
        *uid = 0; /* no unit columns: every row is unit 0, known since the first row */
        return CX_OK;
    }
    if (d->nu == 1) {
        key = cx_table_text(b, d->ucol[0], i);
        if (!key) {
            *missing = 1;
            return CX_OK;
        }
        /* a block holds one copy of each text: a copy seen before names its
         * unit (until the table is cleared and reuses the copies' memory) */
        unsigned long gen = cx_table_generation(b);
        if (b != d->ucache_table || gen != d->ucache_gen) {
            memset(d->ucache, 0, sizeof d->ucache);
            d->ucache_table = b;
            d->ucache_gen = gen;
        }
        slot = ((uintptr_t)key >> 3) % (sizeof d->ucache / sizeof d->ucache[0]);
        if (d->ucache[slot].text == key) {
            *uid = d->ucache[slot].uid;
            return CX_OK;
        }
        keylen = strlen(key) + 1;
    } else if (d->nu > 1) {
        d->key.len = 0;
        for (size_t k = 0; k < d->nu; k++) {
            const char *u = cx_table_text(b, d->ucol[k], i);
            if (!u) {
                *missing = 1;
                return CX_OK;
            }
            if (cx_buf_append(&d->key, u, strlen(u) + 1) != CX_OK)
                return CX_ENOMEM;
        }
        key = d->key.data;
        keylen = d->key.len;
    }
    int fresh;
    size_t count = cx_strmap_count(d->unitmap);
    const char *stored;
    if (cx_strmap_intern(d->unitmap, key, keylen, count, uid, &fresh, &stored) != CX_OK)
        return CX_ENOMEM;
    if (d->nu == 1) {
        d->ucache[slot].text = key;
        d->ucache[slot].uid = *uid;
    }
    if (fresh) {
        size_t kc = d->ukeycap;
        if (cx_grow((void **)&d->ukey, &d->ukeycap, *uid + 1, sizeof(char *)) != CX_OK ||
            cx_grow((void **)&d->ukeylen, &kc, *uid + 1, sizeof(size_t)) != CX_OK)
            return CX_ENOMEM;
        d->ukey[*uid] = stored;
        d->ukeylen[*uid] = keylen;
        size_t old = d->ucap;
        if (cx_grow((void **)&d->units, &d->ucap, *uid + 1, sizeof(unitstate)) != CX_OK)
            return CX_ENOMEM;
        if (d->maxlag && d->ucap != old) {
            int32_t *rp = cx_realloc(d->ring_period, d->ucap * d->maxlag * sizeof(int32_t));
            if (!rp)
                return CX_ENOMEM;
            d->ring_period = rp;
            double *rv = cx_realloc(d->ring_val, d->ucap * d->maxlag * (d->nlag ? d->nlag : 1) * sizeof(double));
            if (!rv)
                return CX_ENOMEM;
            d->ring_val = rv;
        }
        memset(&d->units[*uid], 0, sizeof(unitstate));
    }
    return CX_OK;
}

int cx_design_row(cx_design *d, const cx_table *b, size_t i, double *x, double *y, double *w,
                  size_t *unit, cx_status *st, cx_error *err)
{
    const cx_eqspec *eq = d->eq;
    int missing;
    *st = CX_OK;
    if (unit_of(d, b, i, unit, &missing) != CX_OK) {
        *st = oom(err);
        return -1;
    }
    if (missing)
        return 0; /* a row without its unit cannot be placed */
    cx_period per = {CX_PERIOD_NONE, 0};
    if (d->pcol != NONE)
        per = cx_table_periods(b, d->pcol)[i];
    /* lags and holdouts count steps of the cadence (a year for one date a year) */
    int32_t step = per.value;
    if ((d->maxlag || d->holdout) && per.kind != CX_PERIOD_NONE)
        step = cx_period_step(per, d->cadence);

    /* lags: look back in this unit's history, then record this row */
    if (d->maxlag) {
        if (per.kind == CX_PERIOD_NONE)
            return 0;
        unitstate *us = &d->units[*unit];
        if (us->has_last && step <= us->last_step) {
            char a[CX_PERIOD_TEXT_MAX], c[CX_PERIOD_TEXT_MAX];
            size_t lt = 0; /* the first term with a lag, for the pointer */
            for (size_t t2 = eq->nterms; t2-- > 0;)
                for (size_t f = 0; f < eq->terms[t2].nf; f++)
                    if (eq->terms[t2].f[f].kind == CX_F_LAG)
                        lt = t2;
            if (step == us->last_step)
                *st = cell_error(err, d, b, i, d->pcol, "terms", lt,
                                 "expected one row per period and unit for lag(), found %s twice",
                                 cx_period_format(per, a, sizeof a));
            else
                *st = cell_error(err, d, b, i, d->pcol, "terms", lt,
                                 "lag() needs the rows of each unit in period order, found %s after %s; sort the file",
                                 cx_period_format(per, a, sizeof a), cx_period_format(us->last, c, sizeof c));
            return -1;
        }
        int32_t *rp = d->ring_period + *unit * d->maxlag;
        double *rv = d->ring_val + *unit * d->maxlag * d->nlag;
        for (size_t l = 0; l < d->nlag; l++)
            for (size_t k = 1; k <= d->maxlag; k++) {
                double v = NAN;
                for (size_t e = 0; e < us->count; e++) {
                    size_t slot = (us->head + d->maxlag - 1 - e) % d->maxlag;
                    if (rp[slot] == step - (int32_t)k) {
                        v = rv[slot * d->nlag + l];
                        break;
                    }
                    if (rp[slot] < step - (int32_t)k)
                        break;
                }
                d->lagbuf[l * (d->maxlag + 1) + k] = v;
            }
        size_t slot = us->head;
        rp[slot] = step;
        for (size_t l = 0; l < d->nlag; l++)
            rv[slot * d->nlag + l] = cx_table_numbers(b, d->lagcols[l])[i];
        us->head = (us->head + 1) % d->maxlag;
        if (us->count < d->maxlag)
            us->count++;
        us->has_last = 1;
        us->last = per;
        us->last_step = step;
    }

    if (d->nme && me_check(d, b, i, st, err) < 0)
        return -1;
    /* the inputs first: the terms read their columns' values from them */
    for (size_t k = 0; k < d->nin; k++)
        d->inval[k] = cx_table_numbers(b, d->incol[k])[i];
    double yv = d->inval[0]; /* the target is the first input */
    if (isnan(yv))
        return 0;
    double wv = 1;
    if (d->wcol != NONE) {
        double v = cx_table_numbers(b, d->wcol)[i];
        if (isnan(v))
            return 0;
        if (d->precision) {
            if (v <= 0)
                return 0; /* a standard error of 0 gives no usable weight */
            wv = 1.0 / (v * v);
        } else {
            if (v < 0) {
                *st = cell_error(err, d, b, i, d->wcol, "weights", NONE,
                                 "expected weights of 0 or more in '%s', found %g", eq->weights, v);
                return -1;
            }
            if (v == 0)
                return 0;
            wv = v;
        }
    }
    size_t j = 0;
    if (eq->intercept && !(d->full && d->has_cat))
        x[j++] = 1.0;
    for (size_t t = 0; t < eq->nterms; t++) {
        const cx_term *term = &eq->terms[t];
        tinfo *ti = &d->t[t];
        if (ti->cat) {
            size_t idx;
            if (!level_index(d, ti, b, i, &idx))
                return 0;
            size_t first = d->full ? 0 : 1;
            for (size_t k = first; k < ti->nlevels; k++)
                x[j + k - first] = idx == k ? 1.0 : 0.0;
            j += ti->nlevels > first ? ti->nlevels - first : 0;
            continue;
        }
        double v = 1.0;
        for (size_t f = 0; f < term->nf; f++) {
            const cx_factor *fa = &term->f[f];
            double u;
            if (fa->kind == CX_F_LAG)
                u = d->lagbuf[ti->flag[f] * (d->maxlag + 1) + (size_t)fa->k];
            else
                u = d->inval[ti->fin[f]];
            if (isnan(u))
                return 0;
            if (fa->kind == CX_F_LOG) {
                if (u <= 0) {
                    *st = cell_error(err, d, b, i, ti->fcol[f], "terms", t,
                                     "log(%s) needs values above 0, found %.15g", fa->col, u);
                    return -1;
                }
                u = log(u);
            } else if (fa->kind == CX_F_POW) {
                u = pow(u, fa->k);
            }
            v *= u;
        }
        if (ti->fixed)
            yv -= eq->fixed[ti->fixed - 1].coef * v;
        else
            x[j++] = v;
    }
    for (size_t k = 0; k < d->nin; k++)
        if (isnan(d->inval[k]) && d->incol[k] != d->ycol) {
            /* a lagged column may be missing now and present k periods ago */
            int only_lagged = 1;
            for (size_t t = 0; t < eq->nterms && only_lagged; t++)
                for (size_t f = 0; f < eq->terms[t].nf; f++)
                    if (d->t[t].fcol[f] == d->incol[k] && eq->terms[t].f[f].kind != CX_F_LAG)
                        only_lagged = 0;
            if (!only_lagged)
                return 0;
        }
    if (d->nme && !me_values(d, b, i))
        return 0;
    *y = yv;
    *w = wv;
    if (d->holdout && *unit < d->lastcap && per.kind != CX_PERIOD_NONE &&
        step > d->lastper[*unit] - (int32_t)d->holdout)
        return 2;
    for (size_t t = 0; t < eq->nterms; t++) {
        tinfo *ti = &d->t[t];
        if (!ti->cat || !ti->used)
            continue;
        size_t idx;
        if (level_index(d, ti, b, i, &idx))
            ti->used[idx]++;
    }
    return 1;
}
