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

cx_status cx_panel_join(const cx_table *const *tables, size_t n, const char *const *units,
                        size_t nunits, cx_table **out, cx_warnings *warn, cx_error *err)
{
    *out = NULL;
    cx_status st = CX_OK;
    join_in *in = NULL;
    const char **unit_names = NULL;
    cx_table *res = NULL, *sorted = NULL;
    cx_strmap *all = NULL, *own = NULL;
    uint8_t *seen = NULL; /* seen[row * n + t]: table t has the key of output row */
    size_t seencap = 0;
    rowref *refs = NULL;
    cx_buf key = {0};

    if (n == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "no tables to join");
    in = cx_calloc(n, sizeof *in);
    if (!in)
        goto nomem;

    /* ---- the period column of every table, all of one kind ---- */
    cx_period_kind kind = CX_PERIOD_NONE;
    size_t kind_from = 0;
    for (size_t t = 0; t < n; t++) {
        const cx_table *tb = tables[t];
        size_t found = 0, idx = 0;
        for (size_t j = 0; j < cx_table_ncols(tb); j++)
            if (cx_table_coltype(tb, j) == CX_COL_PERIOD) {
                if (found++ == 0)
                    idx = j;
                else {
                    st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                                      "expected one period column to join on, found '%s' and "
                                      "'%s'",
                                      cx_table_colname(tb, idx), cx_table_colname(tb, j));
                    goto fail;
                }
            }
        if (!found) {
            st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                              "expected a period column to join on (dates, weeks like "
                              "2025-W07, months like 2025-03 or quarters like 2025Q1), found none");
            goto fail;
        }
        in[t].t = tb;
        in[t].period = idx;
        const cx_period *ps = cx_table_periods(tb, idx);
        for (size_t i = 0; i < cx_table_nrows(tb); i++)
            if (ps[i].kind != CX_PERIOD_NONE) {
                if (kind == CX_PERIOD_NONE) {
                    kind = (cx_period_kind)ps[i].kind;
                    kind_from = t;
                } else if ((cx_period_kind)ps[i].kind != kind) {
                    st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                                      "expected periods of one kind to join on: '%s' has %ss, "
                                      "this file has %ss; aggregate to one kind first",
                                      cx_table_source(tables[kind_from]), cx_period_kind_name(kind),
                                      cx_period_kind_name((cx_period_kind)ps[i].kind));
                    goto fail;
                }
                break;
            }
    }

    /* ---- unit key columns ---- */
    if (!units) {
        /* every text column that all tables have */
        unit_names = cx_calloc(cx_table_ncols(tables[0]) + 1, sizeof(char *));
        if (!unit_names)
            goto nomem;
        nunits = 0;
        for (size_t j = 0; j < cx_table_ncols(tables[0]); j++) {
            if (cx_table_coltype(tables[0], j) != CX_COL_TEXT)
                continue;
            const char *name = cx_table_colname(tables[0], j);
            int everywhere = 1;
            for (size_t t = 1; t < n && everywhere; t++) {
                size_t k = cx_table_find(tables[t], name);
                everywhere = k != (size_t)-1 && cx_table_coltype(tables[t], k) == CX_COL_TEXT;
            }
            if (everywhere)
                unit_names[nunits++] = name;
        }
        units = unit_names;
    }
    for (size_t t = 0; t < n; t++) {
        in[t].units = cx_calloc(nunits + 1, sizeof(size_t));
        in[t].map = cx_calloc(cx_table_ncols(tables[t]) + 1, sizeof(size_t));
        if (!in[t].units || !in[t].map)
            goto nomem;
        for (size_t k = 0; k < nunits; k++) {
            size_t j = cx_table_find(tables[t], units[k]);
            if (j == (size_t)-1) {
                const char **names = cx_calloc(cx_table_ncols(tables[t]) + 1, sizeof(char *));
                size_t nn = 0;
                for (size_t c = 0; names && c < cx_table_ncols(tables[t]); c++)
                    if (cx_table_coltype(tables[t], c) == CX_COL_TEXT)
                        names[nn++] = cx_table_colname(tables[t], c);
                const char *near = names ? cx_suggest(units[k], names, nn) : NULL;
                if (!near && nn == 1)
                    near = names[0]; /* the one text column: the unit under another name */
                if (near)
                    st = cx_error_set(err, CX_EINVAL, cx_table_source(tables[t]), 0, 0,
                                      "expected a unit column '%s' to join on, found none, but a text column '%s'; "
                                      "if it holds the same units, map it to one name: --rename %s=%s (in a "
                                      "scenario, \"columns\": {\"%s\": \"%s\"} on this file's source)",
                                      units[k], near, near, units[k], near, units[k]);
                else
                    st = cx_error_set(err, CX_EINVAL, cx_table_source(tables[t]), 0, 0,
                                      "expected a text column '%s' to join on, found none", units[k]);
                cx_free(names);
                goto fail;
            }
            if (cx_table_coltype(tables[t], j) != CX_COL_TEXT) {
                st = cx_error_set(err, CX_EINVAL, cx_table_source(tables[t]), 0, 0,
                                  "expected a text column '%s' to join on, found %s", units[k],
                                  cx_coltype_name(cx_table_coltype(tables[t], j)));
                goto fail;
            }
            in[t].units[k] = j;
        }
    }

    /* ---- output columns: period, units, then every other column ---- */
    char *joined = joined_name(tables, n);
    res = joined ? cx_table_new(joined) : NULL;
    cx_free(joined);
    if (!res)
        goto nomem;
    st = cx_table_add_column(res, cx_table_colname(tables[0], in[0].period), CX_COL_PERIOD, NULL, err);
    for (size_t k = 0; k < nunits && st == CX_OK; k++)
        st = cx_table_add_column(res, units[k], CX_COL_TEXT, NULL, err);
    for (size_t k = 0; k <= nunits && st == CX_OK; k++) /* the keys: named as in the first file */
        if (cx_table_set_colsource(res, k, cx_table_source(tables[0])) != CX_OK)
            goto nomem;
    for (size_t t = 0; t < n && st == CX_OK; t++) {
        const cx_table *tb = tables[t];
        for (size_t j = 0; j < cx_table_ncols(tb) && st == CX_OK; j++) {
            in[t].map[j] = (size_t)-1;
            int is_key = j == in[t].period;
            for (size_t k = 0; k < nunits; k++)
                is_key |= j == in[t].units[k];
            if (is_key)
                continue;
            const char *name = cx_table_colname(tb, j);
            const char *mine, *theirs;
            size_t ot;
            if (cx_table_find(res, name) != (size_t)-1 && cx_table_coltype(tb, j) == CX_COL_TEXT &&
                unit_names_differ(tables, n, t, in, nunits, &mine, &ot, &theirs)) {
                /* a unit column some files name otherwise: not a clash of values */
                st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                                  "expected the unit columns to have one name in every file, found '%s' here and "
                                  "'%s' in %s; map them to one name: --rename %s=%s (in a scenario, \"columns\": "
                                  "{\"%s\": \"%s\"} on the source of %s)",
                                  mine, theirs, cx_table_source(tables[ot]), theirs, mine, theirs, mine,
                                  cx_table_source(tables[ot]));
                goto fail;
            }
            if (cx_table_find(res, name) != (size_t)-1) {
                const char *other = "another file";
                for (size_t u = 0; u < t; u++)
                    if (cx_table_find(tables[u], name) != (size_t)-1) {
                        other = cx_table_source(tables[u]);
                        break;
                    }
                st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), 0, 0,
                                  "expected column names unique across the files to join, found "
                                  "'%s' here and in '%s'; rename one",
                                  name, other);
                goto fail;
            }
            st = cx_table_add_column(res, name, cx_table_coltype(tb, j), &in[t].map[j], err);
            if (st == CX_OK && cx_table_set_colsource(res, in[t].map[j], cx_table_source(tb)) != CX_OK)
                goto nomem;
        }
    }
    if (st != CX_OK)
        goto fail;

    /* ---- rows ---- */
    all = cx_strmap_new();
    own = cx_strmap_new();
    if (!all || !own)
        goto nomem;
    for (size_t t = 0; t < n; t++) {
        const cx_table *tb = tables[t];
        cx_strmap_clear(own);
        for (size_t i = 0; i < cx_table_nrows(tb); i++) {
            const char *empty = NULL;
            int ok = make_key(&in[t], nunits, i, &key, &empty);
            if (ok < 0)
                goto nomem;
            if (ok == 0) {
                unsigned long line, col;
                cx_table_locate(tb, cx_table_find(tb, empty), i, &line, &col);
                st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), line, col,
                                  "expected a value in key column '%s', found an empty cell", empty);
                goto fail;
            }
            size_t prev;
            int fresh;
            if (cx_strmap_intern(own, key.data, key.len, i, &prev, &fresh, NULL) != CX_OK)
                goto nomem;
            const char *mine, *theirs;
            size_t other;
            if (!fresh && unit_names_differ(tables, n, t, in, nunits, &mine, &other, &theirs)) {
                st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                                  "expected the unit columns to have one name in every file, found '%s' here "
                                  "and '%s' in %s (the rows of a period repeat without a unit to tell them "
                                  "apart); map them to one name: --rename %s=%s (in a scenario, \"columns\": "
                                  "{\"%s\": \"%s\"} on the source of %s)",
                                  mine, theirs, cx_table_source(tables[other]), theirs, mine, theirs, mine,
                                  cx_table_source(tables[other]));
                goto fail;
            }
            if (!fresh) {
                char desc[256];
                char per[CX_PERIOD_TEXT_MAX];
                size_t o = (size_t)snprintf(desc, sizeof desc, "%s", cx_period_format(cx_table_periods(tb, in[t].period)[i], per, sizeof per));
                for (size_t k = 0; k < nunits && o < sizeof desc; k++)
                    o += (size_t)snprintf(desc + o, sizeof desc - o, ", %s '%s'", units[k], cx_table_text(tb, in[t].units[k], i));
                st = cx_error_set(err, CX_EINVAL, cx_table_source(tb), cx_table_line(tb, i), 0,
                                  "expected one row per key, found the key (%s) on lines %lu and %lu",
                                  desc, cx_table_line(tb, prev), cx_table_line(tb, i));
                goto fail;
            }
            size_t row;
            if (cx_strmap_intern(all, key.data, key.len, cx_table_nrows(res), &row, &fresh, NULL) != CX_OK)
                goto nomem;
            if (fresh) {
                if (cx_table_add_row(res, 0, NULL) != CX_OK ||
                    cx_grow((void **)&seen, &seencap, (row + 1) * n, 1) != CX_OK)
                    goto nomem;
                memset(seen + row * n, 0, n);
                cx_table_set_period(res, 0, row, cx_table_periods(tb, in[t].period)[i]);
                for (size_t k = 0; k < nunits; k++)
                    if (cx_table_set_text(res, 1 + k, row, cx_table_text(tb, in[t].units[k], i)) != CX_OK)
                        goto nomem;
            }
            seen[row * n + t] = 1;
            if (cx_table_copy_row(res, row, tb, i, in[t].map) != CX_OK)
                goto nomem;
        }
    }

    /* ---- keys missing from some files ---- */
    size_t rows = cx_table_nrows(res);
    for (size_t t = 0; t < n && warn; t++) {
        size_t missing = 0;
        char ex[EXAMPLES][256];
        for (size_t i = 0; i < rows; i++)
            if (!seen[i * n + t]) {
                if (missing < EXAMPLES)
                    describe_key(res, nunits, i, ex[missing], sizeof ex[0]);
                missing++;
            }
        if (!missing)
            continue;
        char list[3 * 260] = "";
        for (size_t e = 0; e < missing && e < EXAMPLES; e++) {
            strcat(list, e ? ", " : "");
            strcat(list, ex[e]);
        }
        if (cx_warnings_add(warn, "%s lacks %zu of the %zu keys that the other files have (for "
                                  "example %s%s); their columns from it are empty",
                            cx_table_source(tables[t]), missing, rows, list,
                            missing > EXAMPLES ? ", ..." : "") != CX_OK)
            goto nomem;
    }

    /* ---- sort by unit, then period ---- */
    refs = cx_calloc(rows + 1, sizeof *refs);
    const char **texts = NULL;
    if (!refs)
        goto nomem;
    texts = cx_calloc(rows * nunits + 1, sizeof(char *));
    if (!texts)
        goto nomem;
    for (size_t i = 0; i < rows; i++) {
        for (size_t k = 0; k < nunits; k++)
            texts[i * nunits + k] = cx_table_text(res, 1 + k, i);
        refs[i] = (rowref){i, cx_table_periods(res, 0)[i], texts + i * nunits, nunits};
    }
    qsort(refs, rows, sizeof *refs, cmp_rowref);
    sorted = cx_table_new(cx_table_source(res));
    if (!sorted) {
        cx_free(texts);
        goto nomem;
    }
    for (size_t j = 0; j < cx_table_ncols(res) && st == CX_OK; j++) {
        st = cx_table_add_column(sorted, cx_table_colname(res, j), cx_table_coltype(res, j), NULL, err);
        if (st == CX_OK && cx_table_set_colsource(sorted, j, cx_table_colsource(res, j)) != CX_OK)
            st = CX_ENOMEM;
    }
    if (st == CX_OK && cx_table_reserve(sorted, rows) != CX_OK)
        st = CX_ENOMEM;
    for (size_t i = 0; i < rows && st == CX_OK; i++) {
        size_t row;
        if (cx_table_add_row(sorted, 0, &row) != CX_OK ||
            cx_table_copy_row(sorted, row, res, refs[i].row, NULL) != CX_OK)
            st = CX_ENOMEM;
    }
    cx_free(texts);
    if (st == CX_ENOMEM)
        goto nomem;
    if (st != CX_OK)
        goto fail;
    *out = sorted;
    sorted = NULL;
    goto done;

nomem:
    st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
fail:
done:
    for (size_t t = 0; in && t < n; t++) {
        cx_free(in[t].units);
        cx_free(in[t].map);
    }
    cx_free(in);
    cx_free(unit_names);
    cx_table_free(res);
    cx_table_free(sorted);
    cx_strmap_free(all);
    cx_strmap_free(own);
    cx_free(seen);
    cx_free(refs);
    cx_buf_free(&key);
    return st;
}
