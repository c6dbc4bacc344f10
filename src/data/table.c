/*
 * table.c - typed column tables: numbers (NaN = missing), periods and text
 * (interned in a pool the table owns; NULL = missing), with the source line
 * of every row so that later stages can point back at the file.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "table.h"

typedef struct column {
    char *name;
    char *source; /* the file it came from, when not the table's (a joined panel), or NULL */
    cx_coltype type;
    union {
        double *num;
        cx_period *per;
        const char **text;
        void *any;
    } v;
} column;

struct cx_table {
    char *source;
    column *cols;
    size_t ncols, colcap;
    size_t nrows, rowcap;
    unsigned long *lines;
    cx_strmap *pool; /* interned text; created on first use */
    cx_strmap *names; /* column name -> index, so that finding a column does
                         not scan them all (a header of 100,000 columns) */
    unsigned long generation; /* how often the pool was emptied */
};

static size_t cell_size(cx_coltype type)
{
    switch (type) {
    case CX_COL_NUMBER: return sizeof(double);
    case CX_COL_PERIOD: return sizeof(cx_period);
    default: return sizeof(char *);
    }
}

const char *cx_coltype_name(cx_coltype type)
{
    switch (type) {
    case CX_COL_NUMBER: return "number";
    case CX_COL_PERIOD: return "period";
    case CX_COL_TEXT: return "text";
    default: return "auto";
    }
}

cx_table *cx_table_new(const char *source)
{
    cx_table *t = cx_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->source = cx_strdup(source ? source : "");
    if (!t->source) {
        cx_free(t);
        return NULL;
    }
    return t;
}

void cx_table_free(cx_table *t)
{
    if (!t)
        return;
    for (size_t j = 0; j < t->ncols; j++) {
        cx_free(t->cols[j].name);
        cx_free(t->cols[j].source);
        cx_free(t->cols[j].v.any);
    }
    cx_free(t->cols);
    cx_free(t->lines);
    cx_strmap_free(t->pool);
    cx_strmap_free(t->names);
    cx_free(t->source);
    cx_free(t);
}

cx_status cx_table_add_column(cx_table *t, const char *name, cx_coltype type, size_t *index,
                              cx_error *err)
{
    if (t->nrows)
        return cx_error_set(err, CX_EUSAGE, t->source, 0, 0, "cannot add column '%s' to a table with rows", name);
    if (type != CX_COL_NUMBER && type != CX_COL_PERIOD && type != CX_COL_TEXT)
        return cx_error_set(err, CX_EUSAGE, t->source, 0, 0, "column '%s' has no type", name);
    if (cx_table_find(t, name) != (size_t)-1)
        return cx_error_set(err, CX_EINVAL, t->source, 0, 0, "duplicate column name '%s'", name);
    if ((!t->names && !(t->names = cx_strmap_new())) ||
        cx_grow((void **)&t->cols, &t->colcap, t->ncols + 1, sizeof(column)) != CX_OK)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    column *c = &t->cols[t->ncols];
    memset(c, 0, sizeof *c);
    c->name = cx_strdup(name);
    c->type = type;
    if (!c->name)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (t->rowcap) {
        c->v.any = cx_malloc(t->rowcap * cell_size(type));
        if (!c->v.any) {
            cx_free(c->name);
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        }
    }
    size_t at;
    if (cx_strmap_intern(t->names, name, strlen(name), t->ncols, &at, NULL, NULL) != CX_OK) {
        cx_free(c->v.any);
        cx_free(c->name);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    if (index)
        *index = t->ncols;
    t->ncols++;
    return CX_OK;
}

cx_status cx_table_reserve(cx_table *t, size_t rows)
{
    if (rows <= t->rowcap)
        return CX_OK;
    size_t ncap = t->rowcap ? t->rowcap : 8; /* small: a wide table has many columns */
    while (ncap < rows)
        ncap *= 2;
    /* Grow every array to ncap; on failure arrays already grown are fine to keep. */
    void *p = cx_realloc(t->lines, ncap * sizeof(unsigned long));
    if (!p)
        return CX_ENOMEM;
    t->lines = p;
    for (size_t j = 0; j < t->ncols; j++) {
        p = cx_realloc(t->cols[j].v.any, ncap * cell_size(t->cols[j].type));
        if (!p)
            return CX_ENOMEM;
        t->cols[j].v.any = p;
    }
    t->rowcap = ncap;
    return CX_OK;
}

cx_status cx_table_add_row(cx_table *t, unsigned long source_line, size_t *row)
{
    if (t->nrows == t->rowcap && cx_table_reserve(t, t->nrows + 1) != CX_OK)
        return CX_ENOMEM;
    size_t i = t->nrows++;
    t->lines[i] = source_line;
    for (size_t j = 0; j < t->ncols; j++) {
        column *c = &t->cols[j];
        if (c->type == CX_COL_NUMBER)
            c->v.num[i] = NAN;
        else if (c->type == CX_COL_PERIOD)
            c->v.per[i] = (cx_period){CX_PERIOD_NONE, 0};
        else
            c->v.text[i] = NULL;
    }
    if (row)
        *row = i;
    return CX_OK;
}

void cx_table_clear_rows(cx_table *t)
{
    t->nrows = 0;
    cx_strmap_clear(t->pool);
    t->generation++;
}

unsigned long cx_table_generation(const cx_table *t)
{
    return t->generation;
}

void cx_table_set_number(cx_table *t, size_t col, size_t row, double v)
{
    t->cols[col].v.num[row] = v;
}

void cx_table_set_period(cx_table *t, size_t col, size_t row, cx_period p)
{
    t->cols[col].v.per[row] = p;
}

cx_status cx_table_set_textn(cx_table *t, size_t col, size_t row, const char *s, size_t len)
{
    if (!s) {
        t->cols[col].v.text[row] = NULL;
        return CX_OK;
    }
    if (!t->pool && !(t->pool = cx_strmap_new()))
        return CX_ENOMEM;
    const char *stored;
    if (cx_strmap_intern(t->pool, s, len, 0, NULL, NULL, &stored) != CX_OK)
        return CX_ENOMEM;
    t->cols[col].v.text[row] = stored;
    return CX_OK;
}

cx_status cx_table_set_text(cx_table *t, size_t col, size_t row, const char *s)
{
    return cx_table_set_textn(t, col, row, s, s ? strlen(s) : 0);
}

cx_status cx_table_copy_row(cx_table *dst, size_t drow, const cx_table *src, size_t srow,
                            const size_t *map)
{
    for (size_t j = 0; j < src->ncols; j++) {
        size_t k = map ? map[j] : j;
        if (k == (size_t)-1)
            continue;
        const column *c = &src->cols[j];
        switch (c->type) {
        case CX_COL_NUMBER:
            dst->cols[k].v.num[drow] = c->v.num[srow];
            break;
        case CX_COL_PERIOD:
            dst->cols[k].v.per[drow] = c->v.per[srow];
            break;
        default:
            if (cx_table_set_text(dst, k, drow, c->v.text[srow]) != CX_OK)
                return CX_ENOMEM;
        }
    }
    return CX_OK;
}

/* One column of rows[0..n) (or rows 0..n) of src into dst rows from `at`.
 * Text goes through a small cache from src's pointer to dst's: a column
 * with few distinct texts (src interns them, so one text is one pointer)
 * is interned in dst once per text, not once per row. */
static cx_status append_column(column *d, const column *c, cx_table *dst, size_t at, const size_t *rows, size_t n)
{
    if (c->type == CX_COL_NUMBER) {
        for (size_t k = 0; k < n; k++)
            d->v.num[at + k] = c->v.num[rows ? rows[k] : k];
        return CX_OK;
    }
    if (c->type == CX_COL_PERIOD) {
        for (size_t k = 0; k < n; k++)
            d->v.per[at + k] = c->v.per[rows ? rows[k] : k];
        return CX_OK;
    }
    struct {
        const char *from, *to;
    } cache[64] = {{0}};
    for (size_t k = 0; k < n; k++) {
        const char *s = c->v.text[rows ? rows[k] : k];
        size_t slot = ((uintptr_t)s >> 3) % 64;
        if (!s || cache[slot].from != s) {
            if (cx_table_set_text(dst, (size_t)(d - dst->cols), at + k, s) != CX_OK)
                return CX_ENOMEM;
            cache[slot].from = s;
            cache[slot].to = d->v.text[at + k];
        } else {
            d->v.text[at + k] = cache[slot].to;
        }
    }
    return CX_OK;
}

cx_status cx_table_append_rows(cx_table *dst, const cx_table *src, const size_t *rows, size_t n, const size_t *map)
{
    size_t at = dst->nrows;
    if (cx_table_reserve(dst, at + n) != CX_OK)
        return CX_ENOMEM;
    unsigned char *filled = cx_calloc(dst->ncols + 1, 1);
    if (!filled)
        return CX_ENOMEM;
    for (size_t k = 0; k < n; k++)
        dst->lines[at + k] = src->lines[rows ? rows[k] : k];
    dst->nrows = at + n;
    cx_status st = CX_OK;
    for (size_t j = 0; j < src->ncols && st == CX_OK; j++) {
        size_t k = map ? map[j] : j;
        if (k == (size_t)-1)
            continue;
        filled[k] = 1;
        st = append_column(&dst->cols[k], &src->cols[j], dst, at, rows, n);
    }
    for (size_t j = 0; j < dst->ncols; j++) /* the columns no src column fills: missing */
        for (size_t k = 0; !filled[j] && k < n; k++) {
            column *c = &dst->cols[j];
            if (c->type == CX_COL_NUMBER)
                c->v.num[at + k] = NAN;
            else if (c->type == CX_COL_PERIOD)
                c->v.per[at + k] = (cx_period){CX_PERIOD_NONE, 0};
            else
                c->v.text[at + k] = NULL;
        }
    cx_free(filled);
    if (st != CX_OK)
        dst->nrows = at;
    return st;
}

size_t cx_table_nrows(const cx_table *t) { return t ? t->nrows : 0; }
size_t cx_table_ncols(const cx_table *t) { return t ? t->ncols : 0; }
const char *cx_table_source(const cx_table *t) { return t->source; }
const char *cx_table_colname(const cx_table *t, size_t col) { return t->cols[col].name; }

const char *cx_table_colsource(const cx_table *t, size_t col)
{
    return t->cols[col].source ? t->cols[col].source : t->source;
}

cx_status cx_table_set_colsource(cx_table *t, size_t col, const char *source)
{
    char *copy = cx_strdup(source);
    if (!copy)
        return CX_ENOMEM;
    cx_free(t->cols[col].source);
    t->cols[col].source = copy;
    return CX_OK;
}

/* The last part of a path, for lists of files in messages. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

cx_status cx_table_describe_missing(const cx_table *t, const char *name, cx_buf *b)
{
    const char **names = cx_calloc(t->ncols + 1, sizeof(char *));
    const char **files = cx_calloc(t->ncols + 1, sizeof(char *));
    cx_status st = names && files ? CX_OK : CX_ENOMEM;
    size_t nfiles = 0;
    for (size_t j = 0; st == CX_OK && j < t->ncols; j++) {
        names[j] = t->cols[j].name;
        const char *src = cx_table_colsource(t, j);
        size_t k = 0;
        while (k < nfiles && strcmp(files[k], src) != 0)
            k++;
        if (k == nfiles)
            files[nfiles++] = src;
    }
    if (st == CX_OK && nfiles <= 1)
        st = cx_buf_printf(b, "which '%s' does not have", t->source);
    else if (st == CX_OK) {
        st = cx_buf_printf(b, "which none of the files has (");
        for (size_t k = 0; st == CX_OK && k < nfiles; k++)
            st = cx_buf_printf(b, "%s%s", k ? ", " : "", base_name(files[k]));
        if (st == CX_OK)
            st = cx_buf_printf(b, ")");
    }
    const char *near = st == CX_OK ? cx_suggest(name, names, t->ncols) : NULL;
    if (near && nfiles > 1)
        st = cx_buf_printf(b, "; did you mean '%s' (%s)?", near,
                           base_name(cx_table_colsource(t, cx_table_find(t, near))));
    else if (near)
        st = cx_buf_printf(b, "; did you mean '%s'?", near);
    else if (st == CX_OK)
        st = cx_buf_printf(b, "; if %s calls it otherwise, map that column to '%s' (--rename OLD=%s; in a "
                              "scenario, \"columns\" on the file's source)", nfiles > 1 ? "a file" : "the file",
                           name, name);
    if (st == CX_OK && t->ncols) {
        st = cx_buf_printf(b, " (%s columns: ", nfiles > 1 ? "their" : "its");
        for (size_t j = 0; st == CX_OK && j < t->ncols && j < 16; j++)
            st = cx_buf_printf(b, "%s%s", j ? ", " : "", names[j]);
        if (st == CX_OK)
            st = cx_buf_printf(b, t->ncols > 16 ? ", ...)" : ")");
    }
    cx_free(names);
    cx_free(files);
    return st;
}
cx_coltype cx_table_coltype(const cx_table *t, size_t col) { return t->cols[col].type; }
unsigned long cx_table_line(const cx_table *t, size_t row) { return t->lines[row]; }

size_t cx_table_find(const cx_table *t, const char *name)
{
    size_t j;
    return t->names && cx_strmap_get(t->names, name, strlen(name), &j) ? j : (size_t)-1;
}

const double *cx_table_numbers(const cx_table *t, size_t col)
{
    return t->cols[col].type == CX_COL_NUMBER ? t->cols[col].v.num : NULL;
}

const cx_period *cx_table_periods(const cx_table *t, size_t col)
{
    return t->cols[col].type == CX_COL_PERIOD ? t->cols[col].v.per : NULL;
}

void cx_table_period_cadence(const cx_table *t, size_t col, cx_cadence *c)
{
    cx_cadence_init(c);
    const cx_period *p = cx_table_periods(t, col);
    for (size_t i = 0; p && i < t->nrows; i++)
        cx_cadence_add(c, p[i]);
}

const char *cx_table_text(const cx_table *t, size_t col, size_t row)
{
    return t->cols[col].type == CX_COL_TEXT ? t->cols[col].v.text[row] : NULL;
}

const char *cx_table_cell_text(const cx_table *t, size_t col, size_t row, char *buf, size_t size)
{
    const column *c = &t->cols[col];
    switch (c->type) {
    case CX_COL_NUMBER:
        if (isnan(c->v.num[row]))
            snprintf(buf, size, "%s", "");
        else
            snprintf(buf, size, "%.17g", c->v.num[row]);
        return buf;
    case CX_COL_PERIOD:
        return cx_period_format(c->v.per[row], buf, size);
    default:
        return c->v.text[row] ? c->v.text[row] : "";
    }
}

/* RFC 4180: quote a field holding a comma, quote, CR or LF, doubling quotes.
 * With `guard`, text that a spreadsheet would take for a formula (it starts
 * with = + - @, tab or CR: CSV injection) is written as OWASP's advice has
 * it: quoted, with a single quote before the text. */
static void put_field(FILE *fp, const char *s, int guard)
{
    int formula = guard && *s && strchr("=+-@\t\r", *s);
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, fp);
        return;
    }
    fputc('"', fp);
    if (formula)
        fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    fputc('"', fp);
}

cx_status cx_table_write_csv(const cx_table *t, const char *path, cx_error *err)
{
    return cx_table_write_csv_opt(t, path, NULL, err);
}

cx_status cx_table_write_csv_opt(const cx_table *t, const char *path, const cx_csv_write_options *opt,
                                 cx_error *err)
{
    int guard = !(opt && opt->raw_text);
    cx_outfile o;
    cx_status st = cx_outfile_open(&o, path, err);
    if (st != CX_OK)
        return st;
    char buf[64];
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            fputc(',', o.fp);
        put_field(o.fp, t->cols[j].name, guard);
    }
    fputc('\n', o.fp);
    for (size_t i = 0; i < t->nrows; i++) {
        for (size_t j = 0; j < t->ncols; j++) {
            if (j)
                fputc(',', o.fp);
            put_field(o.fp, cx_table_cell_text(t, j, i, buf, sizeof buf),
                      guard && t->cols[j].type == CX_COL_TEXT);
        }
        fputc('\n', o.fp);
    }
    return cx_outfile_commit(&o, err);
}
