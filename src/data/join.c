/*
 * join.c - the panel: department exports joined on (period, unit) keys.
 *
 * Every department exports its own file (logistics has delivery times per
 * week and region, HR has eNPS per week and region, ...).  The panel is their
 * full outer join: one row per key found in any file, a missing cell where a
 * file lacks the key.  Keys missing from some files are reported as a
 * warning with counts and examples, because a silently shorter panel would
 * bias every later fit; a key repeated within one file is an error naming
 * both lines, because there is no right way to pick one.
 *
 * Files with the same columns are stacked instead: a quarter's exports given
 * beside the history exports of the same departments add their rows (as a
 * finance user appends each quarter's export to the history).  A key in two
 * stacked files is an error naming both, and files that share some columns
 * but not all are an error naming the difference, since neither stacking
 * nor joining them can be right.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "table.h"

#define EXAMPLES 3

typedef struct join_in {
    const cx_table *t;
    size_t period;  /* its period column */
    size_t *units;  /* its unit columns, in key order */
    size_t *map;    /* its column j -> output column, or -1 for keys */
} join_in;

typedef struct rowref {
    size_t row;
    cx_period p;
    const char *const *units; /* nunits texts */
    size_t nunits;
} rowref;

static int cmp_rowref(const void *pa, const void *pb)
{
    const rowref *a = pa, *b = pb;
    for (size_t k = 0; k < a->nunits; k++) {
        const char *x = a->units[k], *y = b->units[k];
        int c = strcmp(x ? x : "", y ? y : "");
        if (c)
            return c;
    }
    int c = cx_period_cmp(a->p, b->p);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

/* The key of row i of `in` as bytes: the period, then each unit text with its
 * terminating NUL.  Returns 0 (and the name of the empty key column) if a key
 * cell is empty. */
static int make_key(const join_in *in, size_t nunits, size_t i, cx_buf *key,
                    const char **empty)
{
    cx_period p = cx_table_periods(in->t, in->period)[i];
    key->len = 0;
    if (p.kind == CX_PERIOD_NONE) {
        *empty = cx_table_colname(in->t, in->period);
        return 0;
    }
    if (cx_buf_append(key, &p, sizeof p) != CX_OK)
        return -1;
    for (size_t k = 0; k < nunits; k++) {
        const char *s = cx_table_text(in->t, in->units[k], i);
        if (!s) {
            *empty = cx_table_colname(in->t, in->units[k]);
            return 0;
        }
        if (cx_buf_append(key, s, strlen(s) + 1) != CX_OK)
            return -1;
    }
    return 1;
}

/* The name of the joined table: its files, "logistiek.csv + service.csv",
 * so that messages about the panel name the user's files. */
static char *joined_name(const cx_table *const *tables, size_t n)
{
    cx_buf b = {0};
    for (size_t t = 0; t < n; t++)
        if (cx_buf_printf(&b, "%s%s", t ? " + " : "", cx_table_source(tables[t])) != CX_OK) {
            cx_buf_free(&b);
            return NULL;
        }
    return b.data ? b.data : cx_strdup("");
}

/* A text column of table t that is no unit and that other tables lack,
 * and one of another table that t lacks: unit columns named differently
 * ("vestiging" in one file, "winkel" in another).  Returns 1 with them. */
static int unit_names_differ(const cx_table *const *tables, size_t n, size_t t, const join_in *in, size_t nunits,
                             const char **mine, size_t *other, const char **theirs)
{
    for (size_t j = 0; j < cx_table_ncols(tables[t]); j++) {
        int is_unit = 0;
        for (size_t k = 0; k < nunits; k++)
            is_unit |= in[t].units[k] == j;
        if (is_unit || cx_table_coltype(tables[t], j) != CX_COL_TEXT)
            continue;
        for (size_t u = 0; u < n; u++) {
            if (u == t)
                continue;
            for (size_t c = 0; c < cx_table_ncols(tables[u]); c++) {
                const char *name = cx_table_colname(tables[u], c);
                if (cx_table_coltype(tables[u], c) != CX_COL_TEXT || cx_table_find(tables[t], name) != (size_t)-1)
                    continue;
                int unit = 0;
                for (size_t k = 0; k < nunits; k++)
                    unit |= in[u].units[k] == c;
                if (!unit) {
                    *mine = cx_table_colname(tables[t], j);
                    *other = u;
                    *theirs = name;
                    return 1;
                }
            }
        }
    }
    return 0;
}

/* Describe a key for messages: "2025-W51 Zeeland". */
static void describe_key(const cx_table *out, size_t nunits, size_t row, char *buf, size_t size)
{
    char per[CX_PERIOD_TEXT_MAX];
    size_t o = (size_t)snprintf(buf, size, "%s",
                                cx_period_format(cx_table_periods(out, 0)[row], per, sizeof per));
    for (size_t k = 0; k < nunits && o < size; k++)
        o += (size_t)snprintf(buf + o, size - o, " %s", cx_table_text(out, 1 + k, row));
}

/* What the join works with: the tables, each one's key columns, and the
 * joined rows so far. */
typedef struct join {
    const cx_table *const *tables;
    size_t n;
    join_in *in;
    const char *const *units;
    size_t nunits;
    const char **unit_names; /* owned when the units were found, not given */
    cx_table *res;
    uint8_t *seen; /* seen[row * n + t]: table t has the key of output row */
    size_t seencap;
    size_t *lead; /* lead[t]: the table whose columns t's rows stack under (t itself: none) */
} join;

static cx_status nomem(cx_error *err) { return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory"); }

/* The period column of every table, all of one kind. */
static cx_status join_periods(join *j, cx_error *err)
{
    cx_period_kind kind = CX_PERIOD_NONE;
    size_t kind_from = 0;
    for (size_t t = 0; t < j->n; t++) {
        const cx_table *tb = j->tables[t];
        size_t found = 0, idx = 0;
        for (size_t c = 0; c < cx_table_ncols(tb); c++)
            if (cx_table_coltype(tb, c) == CX_COL_PERIOD && found++ == 0)
                idx = c;
            else if (cx_table_coltype(tb, c) == CX_COL_PERIOD)
                return cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                                    "expected one period column to join on, found '%s' and '%s'",
                                    cx_table_colname(tb, idx), cx_table_colname(tb, c));
        if (!found)
            return cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                                "expected a period column to join on (dates, weeks like "
                                "2025-W07, months like 2025-03 or quarters like 2025Q1), found none");
        j->in[t].t = tb;
        j->in[t].period = idx;
        const cx_period *ps = cx_table_periods(tb, idx);
        size_t i = 0;
        while (i < cx_table_nrows(tb) && ps[i].kind == CX_PERIOD_NONE)
            i++;
        if (i == cx_table_nrows(tb))
            continue;
        if (kind == CX_PERIOD_NONE) {
            kind = (cx_period_kind)ps[i].kind;
            kind_from = t;
        } else if ((cx_period_kind)ps[i].kind != kind)
            return cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                                "expected periods of one kind to join on: '%s' has %ss, "
                                "this file has %ss; aggregate to one kind first",
                                cx_table_source(j->tables[kind_from]), cx_period_kind_name(kind),
                                cx_period_kind_name((cx_period_kind)ps[i].kind));
    }
    return CX_OK;
}

/* Without names given, the units are every text column all tables have. */
static cx_status join_find_units(join *j, cx_error *err)
{
    const cx_table *t0 = j->tables[0];
    j->unit_names = cx_calloc(cx_table_ncols(t0) + 1, sizeof(char *));
    if (!j->unit_names)
        return nomem(err);
    j->nunits = 0;
    for (size_t c = 0; c < cx_table_ncols(t0); c++) {
        if (cx_table_coltype(t0, c) != CX_COL_TEXT)
            continue;
        const char *name = cx_table_colname(t0, c);
        int everywhere = 1;
        for (size_t t = 1; t < j->n && everywhere; t++) {
            size_t k = cx_table_find(j->tables[t], name);
            everywhere = k != (size_t)-1 && cx_table_coltype(j->tables[t], k) == CX_COL_TEXT;
        }
        if (everywhere)
            j->unit_names[j->nunits++] = name;
    }
    j->units = j->unit_names;
    return CX_OK;
}

/* A unit column table t lacks: a text column under another name suggests
 * the mapping. */
static cx_status join_unit_missing(const cx_table *tb, const char *unit, cx_error *err)
{
    const char **names = cx_calloc(cx_table_ncols(tb) + 1, sizeof(char *));
    if (!names)
        return nomem(err);
    size_t nn = 0;
    for (size_t c = 0; c < cx_table_ncols(tb); c++)
        if (cx_table_coltype(tb, c) == CX_COL_TEXT)
            names[nn++] = cx_table_colname(tb, c);
    const char *near = cx_suggest(unit, names, nn);
    if (!near && nn == 1)
        near = names[0]; /* the one text column: the unit under another name */
    cx_status st;
    if (near)
        st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                          "expected a unit column '%s' to join on, found none, but a text column '%s'; "
                          "if it holds the same units, map it to one name: --rename %s=%s (in a "
                          "scenario, \"columns\": {\"%s\": \"%s\"} on this file's source)",
                          unit, near, near, unit, near, unit);
    else
        st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0, "expected a text column '%s' to join on, found none",
                          unit);
    cx_free(names);
    return st;
}

/* Each table's unit key columns, by name. */
static cx_status join_units(join *j, cx_error *err)
{
    for (size_t t = 0; t < j->n; t++) {
        const cx_table *tb = j->tables[t];
        j->in[t].units = cx_calloc(j->nunits + 1, sizeof(size_t));
        j->in[t].map = cx_calloc(cx_table_ncols(tb) + 1, sizeof(size_t));
        if (!j->in[t].units || !j->in[t].map)
            return nomem(err);
        for (size_t k = 0; k < j->nunits; k++) {
            size_t c = cx_table_find(tb, j->units[k]);
            if (c == (size_t)-1)
                return join_unit_missing(tb, j->units[k], err);
            if (cx_table_coltype(tb, c) != CX_COL_TEXT)
                return cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                                    "expected a text column '%s' to join on, found %s", j->units[k],
                                    cx_coltype_name(cx_table_coltype(tb, c)));
            j->in[t].units[k] = c;
        }
    }
    return CX_OK;
}

/* Column c of table t joins the output: unless its name is taken, by a
 * unit column that another file names otherwise or by a column of an
 * earlier file. */
static cx_status join_column(join *j, size_t t, size_t c, cx_error *err)
{
    const cx_table *tb = j->tables[t];
    const char *name = cx_table_colname(tb, c), *mine, *theirs;
    size_t ot;
    if (cx_table_find(j->res, name) != (size_t)-1 && cx_table_coltype(tb, c) == CX_COL_TEXT &&
        unit_names_differ(j->tables, j->n, t, j->in, j->nunits, &mine, &ot, &theirs))
        /* a unit column some files name otherwise: not a clash of values */
        return cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                            "expected the unit columns to have one name in every file, found '%s' here and "
                            "'%s' in %s; map them to one name: --rename %s=%s (in a scenario, \"columns\": "
                            "{\"%s\": \"%s\"} on the source of %s)",
                            mine, theirs, cx_table_source(j->tables[ot]), theirs, mine, theirs, mine,
                            cx_table_source(j->tables[ot]));
    if (cx_table_find(j->res, name) != (size_t)-1) {
        const char *other = "another file";
        for (size_t u = 0; u < t; u++)
            if (cx_table_find(j->tables[u], name) != (size_t)-1) {
                other = cx_table_source(j->tables[u]);
                break;
            }
        return cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                            "expected column names unique across the files to join, found '%s' here and in '%s'; "
                            "rename one",
                            name, other);
    }
    cx_status st = cx_table_add_column(j->res, name, cx_table_coltype(tb, c), &j->in[t].map[c], err);
    if (st == CX_OK && cx_table_set_colsource(j->res, j->in[t].map[c], cx_table_colsource(tb, c)) != CX_OK)
        return nomem(err);
    return st;
}

/* Is column c of table t a key column (the period or a unit)? */
static int key_column(const join *j, size_t t, size_t c)
{
    int is_key = c == j->in[t].period;
    for (size_t k = 0; k < j->nunits; k++)
        is_key |= c == j->in[t].units[k];
    return is_key;
}

/* The columns of table a that table b lacks (or holds as a key), as
 * "'x', 'y'" into *out; returns how many. */
static size_t columns_only_in(const join *j, size_t a, size_t b, cx_buf *out, int *oom)
{
    size_t count = 0;
    for (size_t c = 0; c < cx_table_ncols(j->tables[a]); c++) {
        if (key_column(j, a, c))
            continue;
        const char *name = cx_table_colname(j->tables[a], c);
        size_t k = cx_table_find(j->tables[b], name);
        if (k != (size_t)-1 && !key_column(j, b, k))
            continue;
        if (cx_buf_printf(out, "%s'%s'", count ? ", " : "", name) != CX_OK)
            *oom = 1;
        count++;
    }
    return count;
}

/* Column c of table tb holds text where the table lb it stacks under holds
 * numbers: the first cell that is no number, at its line and column. */
static cx_status stack_not_number(const cx_table *tb, size_t c, const cx_table *lb, cx_error *err)
{
    size_t i = 0;
    for (; i < cx_table_nrows(tb); i++) {
        const char *v = cx_table_text(tb, c, i);
        double x;
        if (v && *v && cx_number_parse(v, strlen(v), '.', &x) != CX_OK && cx_number_parse(v, strlen(v), ',', &x) != CX_OK)
            break;
    }
    unsigned long line = 0, col = 0;
    if (i < cx_table_nrows(tb))
        cx_table_locate(tb, c, i, &line, &col);
    return cx_error_set(err, CX_EINVAL, cx_table_source(tb), line, col,
                        "expected a number in column '%s' as in '%s' to stack the rows of both files, found '%s'",
                        cx_table_colname(tb, c), cx_table_source(lb),
                        i < cx_table_nrows(tb) ? cx_table_text(tb, c, i) : "text");
}

/* Table t stacks under an earlier table when it shares a value column with
 * it: then they must have the same columns, of the same types, and t's
 * columns map to that table's output columns.  A shared text column that is
 * a unit named otherwise elsewhere is left to join_column's message. */
static cx_status join_stack(join *j, size_t t, int *stacked, cx_error *err)
{
    const cx_table *tb = j->tables[t];
    const char *mine, *theirs;
    size_t u = t, shared = 0, ot;
    *stacked = 0;
    j->lead[t] = t;
    for (size_t l = 0; l < t && u == t; l++)
        for (size_t c = 0; c < cx_table_ncols(tb) && j->lead[l] == l && u == t; c++) {
            size_t k = key_column(j, t, c) ? (size_t)-1 : cx_table_find(j->tables[l], cx_table_colname(tb, c));
            if (k != (size_t)-1 && !key_column(j, l, k)) {
                u = l;
                shared = c;
            }
        }
    if (u == t || (cx_table_coltype(tb, shared) == CX_COL_TEXT &&
                   unit_names_differ(j->tables, j->n, t, j->in, j->nunits, &mine, &ot, &theirs)))
        return CX_OK;
    const cx_table *lb = j->tables[u];
    cx_buf here = {0}, there = {0};
    int oom = 0;
    size_t nh = columns_only_in(j, t, u, &here, &oom), nt = columns_only_in(j, u, t, &there, &oom);
    cx_status st = oom ? nomem(err) : CX_OK;
    if (st == CX_OK && (nh || nt))
        st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                          "expected the same columns as '%s' to stack the rows of both files (or no column in "
                          "common to join them), found %s%s%s%s%s%s%s",
                          cx_table_source(lb), nh ? here.data : "", nh ? " only here" : "", nh && nt ? " and " : "",
                          nt ? there.data : "", nt ? " only in '" : "", nt ? cx_table_source(lb) : "", nt ? "'" : "");
    cx_buf_free(&here);
    cx_buf_free(&there);
    for (size_t c = 0; c < cx_table_ncols(tb) && st == CX_OK; c++) {
        j->in[t].map[c] = (size_t)-1;
        if (key_column(j, t, c))
            continue;
        size_t k = cx_table_find(lb, cx_table_colname(tb, c));
        if (cx_table_coltype(lb, k) == CX_COL_NUMBER && cx_table_coltype(tb, c) == CX_COL_TEXT)
            st = stack_not_number(tb, c, lb, err);
        else if (cx_table_coltype(lb, k) != cx_table_coltype(tb, c))
            st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                              "expected a %s column '%s' as in '%s' to stack the rows of both files, found a %s column",
                              cx_coltype_name(cx_table_coltype(lb, k)), cx_table_colname(tb, c), cx_table_source(lb),
                              cx_coltype_name(cx_table_coltype(tb, c)));
        else
            j->in[t].map[c] = j->in[u].map[k];
    }
    for (size_t c = 0; c < cx_table_ncols(tb) && st == CX_OK; c++) /* each column names every file of its stack */
        if (j->in[t].map[c] != (size_t)-1) {
            cx_buf src = {0};
            size_t col = j->in[t].map[c];
            if (cx_buf_printf(&src, "%s + %s", cx_table_colsource(j->res, col), cx_table_source(tb)) != CX_OK ||
                cx_table_set_colsource(j->res, col, src.data) != CX_OK)
                st = nomem(err);
            cx_buf_free(&src);
        }
    if (st == CX_OK) {
        j->lead[t] = u;
        *stacked = 1;
    }
    return st;
}

/* The output's columns: period, units, then every other column. */
static cx_status join_columns(join *j, cx_error *err)
{
    char *joined = joined_name(j->tables, j->n);
    j->res = joined ? cx_table_new(joined) : NULL;
    cx_free(joined);
    if (!j->res)
        return nomem(err);
    cx_status st = cx_table_add_column(j->res, cx_table_colname(j->tables[0], j->in[0].period), CX_COL_PERIOD, NULL, err);
    for (size_t k = 0; k < j->nunits && st == CX_OK; k++)
        st = cx_table_add_column(j->res, j->units[k], CX_COL_TEXT, NULL, err);
    for (size_t k = 0; k <= j->nunits && st == CX_OK; k++) /* the keys: named as in the first file */
        if (cx_table_set_colsource(j->res, k, cx_table_source(j->tables[0])) != CX_OK)
            return nomem(err);
    for (size_t t = 0; t < j->n && st == CX_OK; t++) {
        int stacked = 0;
        st = join_stack(j, t, &stacked, err);
        for (size_t c = 0; c < cx_table_ncols(j->tables[t]) && st == CX_OK && !stacked; c++) {
            j->in[t].map[c] = (size_t)-1;
            if (!key_column(j, t, c))
                st = join_column(j, t, c, err);
        }
    }
    return st;
}

/* The key of row i of table t for messages: "2025-W02, region 'Utrecht'". */
static void key_text(const join *j, size_t t, size_t i, char *desc, size_t size)
{
    const cx_table *tb = j->tables[t];
    char per[CX_PERIOD_TEXT_MAX];
    size_t o = (size_t)snprintf(desc, size, "%s",
                                cx_period_format(cx_table_periods(tb, j->in[t].period)[i], per, sizeof per));
    for (size_t k = 0; k < j->nunits && o < size; k++)
        o += (size_t)snprintf(desc + o, size - o, ", %s '%s'", j->units[k], cx_table_text(tb, j->in[t].units[k], i));
}

/* Row i of table t repeats the key of its row prev: unit columns named
 * otherwise in another file, or a duplicated row. */
static cx_status join_repeated(const join *j, size_t t, size_t i, size_t prev, cx_error *err)
{
    const cx_table *tb = j->tables[t];
    const char *mine, *theirs;
    size_t other;
    if (unit_names_differ(j->tables, j->n, t, j->in, j->nunits, &mine, &other, &theirs))
        return cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                            "expected the unit columns to have one name in every file, found '%s' here "
                            "and '%s' in %s (the rows of a period repeat without a unit to tell them "
                            "apart); map them to one name: --rename %s=%s (in a scenario, \"columns\": "
                            "{\"%s\": \"%s\"} on the source of %s)",
                            mine, theirs, cx_table_source(j->tables[other]), theirs, mine, theirs, mine,
                            cx_table_source(j->tables[other]));
    char desc[256];
    key_text(j, t, i, desc, sizeof desc);
    return cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                        "expected one row per key, found the key (%s) on lines %lu and %lu", desc,
                        cx_table_line(tb, prev), cx_table_line(tb, i));
}

/* Row i of table t into the output row `row` of its key (a new row when
 * `fresh`). */
static cx_status join_row(join *j, size_t t, size_t i, size_t row, int fresh, cx_error *err)
{
    const cx_table *tb = j->tables[t];
    if (fresh) {
        if (cx_table_add_row(j->res, 0, NULL) != CX_OK ||
            cx_grow((void **)&j->seen, &j->seencap, (row + 1) * j->n, 1) != CX_OK)
            return nomem(err);
        memset(j->seen + row * j->n, 0, j->n);
        cx_table_set_period(j->res, 0, row, cx_table_periods(tb, j->in[t].period)[i]);
        for (size_t k = 0; k < j->nunits; k++)
            if (cx_table_set_text(j->res, 1 + k, row, cx_table_text(tb, j->in[t].units[k], i)) != CX_OK)
                return nomem(err);
    }
    j->seen[row * j->n + j->lead[t]] = 1;
    return cx_table_copy_row(j->res, row, tb, i, j->in[t].map) == CX_OK ? CX_OK : nomem(err);
}

/* Row i of stacked table t repeats a key of row prev of table u, another
 * file stacked under the same columns: the key belongs to one of them. */
static cx_status join_stacked_twice(const join *j, size_t t, size_t i, size_t u, size_t prev, cx_error *err)
{
    const cx_table *tb = j->tables[t];
    char desc[256];
    key_text(j, t, i, desc, sizeof desc);
    return cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                        "expected each key in one of the files stacked under the same columns, found the key "
                        "(%s) here and in '%s' line %lu; leave the repeated rows out of one file",
                        desc, cx_table_source(j->tables[u]), cx_table_line(j->tables[u], prev));
}

/* Every table's rows, by key: one row per key and table, or per key and
 * stack of tables with the same columns (own: the keys of the stack so far,
 * each with its row * n + table). */
static cx_status join_rows(join *j, cx_error *err)
{
    cx_strmap *all = cx_strmap_new(), *own = cx_strmap_new();
    cx_buf key = {0};
    cx_status st = all && own ? CX_OK : nomem(err);
    for (size_t l = 0; l < j->n && st == CX_OK; l++) {
        if (j->lead[l] != l)
            continue;
        cx_strmap_clear(own);
        for (size_t t = l; t < j->n && st == CX_OK; t++) {
            const cx_table *tb = j->tables[t];
            for (size_t i = 0; i < cx_table_nrows(tb) && st == CX_OK && j->lead[t] == l; i++) {
                const char *empty = NULL;
                int ok = make_key(&j->in[t], j->nunits, i, &key, &empty);
                size_t prev, row;
                int fresh;
                if (ok < 0 || cx_strmap_intern(own, key.data, key.len, i * j->n + t, &prev, &fresh, NULL) != CX_OK) {
                    st = nomem(err);
                } else if (ok == 0) {
                    unsigned long line, col;
                    cx_table_locate(tb, cx_table_find(tb, empty), i, &line, &col);
                    st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), line, col,
                                      "expected a value in key column '%s', found an empty cell", empty);
                } else if (!fresh && prev % j->n == t)
                    st = join_repeated(j, t, i, prev / j->n, err);
                else if (!fresh)
                    st = join_stacked_twice(j, t, i, prev % j->n, prev / j->n, err);
                else if (cx_strmap_intern(all, key.data, key.len, cx_table_nrows(j->res), &row, &fresh, NULL) != CX_OK)
                    st = nomem(err);
                else
                    st = join_row(j, t, i, row, fresh, err);
            }
        }
    }
    cx_strmap_free(all);
    cx_strmap_free(own);
    cx_buf_free(&key);
    return st;
}

/* A warning per table that lacks keys the others have, with examples. */
static cx_status join_missing(const join *j, cx_warnings *warn, cx_error *err)
{
    size_t rows = cx_table_nrows(j->res);
    for (size_t t = 0; t < j->n && warn; t++) {
        if (j->lead[t] != t)
            continue; /* a stack's keys are those of its first table */
        size_t missing = 0;
        char ex[EXAMPLES][256];
        for (size_t i = 0; i < rows; i++)
            if (!j->seen[i * j->n + t]) {
                if (missing < EXAMPLES)
                    describe_key(j->res, j->nunits, i, ex[missing], sizeof ex[0]);
                missing++;
            }
        if (!missing)
            continue;
        char list[3 * 260] = "";
        for (size_t e = 0; e < missing && e < EXAMPLES; e++) {
            strcat(list, e ? ", " : "");
            strcat(list, ex[e]);
        }
        cx_buf who = {0};
        for (size_t u = t; u < j->n; u++)
            if (j->lead[u] == t && cx_buf_printf(&who, "%s%s", u > t ? " + " : "", cx_table_source(j->tables[u])) != CX_OK) {
                cx_buf_free(&who);
                return nomem(err);
            }
        cx_status st = cx_warnings_add(warn, "%s lacks %zu of the %zu keys that the other files have (for "
                                             "example %s%s); their columns from it are empty",
                                       who.data, missing, rows, list, missing > EXAMPLES ? ", ..." : "");
        cx_buf_free(&who);
        if (st != CX_OK)
            return nomem(err);
    }
    return CX_OK;
}

/* The joined rows sorted by unit, then period, as a new table. */
static cx_status join_sorted(const join *j, cx_table **out, cx_error *err)
{
    size_t rows = cx_table_nrows(j->res), nunits = j->nunits;
    rowref *refs = cx_calloc(rows + 1, sizeof *refs);
    const char **texts = cx_calloc(rows * nunits + 1, sizeof(char *));
    cx_table *sorted = refs && texts ? cx_table_new(cx_table_source(j->res)) : NULL;
    cx_status st = sorted ? CX_OK : CX_ENOMEM;
    for (size_t i = 0; i < rows && st == CX_OK; i++) {
        for (size_t k = 0; k < nunits; k++)
            texts[i * nunits + k] = cx_table_text(j->res, 1 + k, i);
        refs[i] = (rowref){i, cx_table_periods(j->res, 0)[i], texts + i * nunits, nunits};
    }
    if (st == CX_OK)
        qsort(refs, rows, sizeof *refs, cmp_rowref);
    for (size_t c = 0; c < cx_table_ncols(j->res) && st == CX_OK; c++) {
        st = cx_table_add_column(sorted, cx_table_colname(j->res, c), cx_table_coltype(j->res, c), NULL, err);
        if (st == CX_OK && cx_table_set_colsource(sorted, c, cx_table_colsource(j->res, c)) != CX_OK)
            st = CX_ENOMEM;
    }
    if (st == CX_OK && cx_table_reserve(sorted, rows) != CX_OK)
        st = CX_ENOMEM;
    for (size_t i = 0; i < rows && st == CX_OK; i++) {
        size_t row;
        if (cx_table_add_row(sorted, 0, &row) != CX_OK || cx_table_copy_row(sorted, row, j->res, refs[i].row, NULL) != CX_OK)
            st = CX_ENOMEM;
    }
    cx_free(texts);
    cx_free(refs);
    if (st == CX_ENOMEM)
        nomem(err);
    if (st != CX_OK) {
        cx_table_free(sorted);
        return st;
    }
    *out = sorted;
    return CX_OK;
}

cx_status cx_panel_join(const cx_table *const *tables, size_t n, const char *const *units,
                        size_t nunits, cx_table **out, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    if (n == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "no tables to join");
    join j = {.tables = tables, .n = n, .units = units, .nunits = nunits};
    j.in = cx_calloc(n, sizeof *j.in);
    j.lead = cx_calloc(n, sizeof *j.lead);
    cx_status st = j.in && j.lead ? join_periods(&j, err) : nomem(err);
    if (st == CX_OK && !units)
        st = join_find_units(&j, err);
    if (st == CX_OK)
        st = join_units(&j, err);
    if (st == CX_OK)
        st = join_columns(&j, err);
    if (st == CX_OK)
        st = join_rows(&j, err);
    if (st == CX_OK)
        st = join_missing(&j, warn, err);
    if (st == CX_OK)
        st = join_sorted(&j, out, err);
    for (size_t t = 0; j.in && t < n; t++) {
        cx_free(j.in[t].units);
        cx_free(j.in[t].map);
    }
    cx_free(j.in);
    cx_free(j.lead);
    cx_free(j.unit_names);
    cx_table_free(j.res);
    cx_free(j.seen);
    return st;
}
