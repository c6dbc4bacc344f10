/*
 * terms.c - the term language of model specifications:
 *
 *     term   := factor (':' factor)*          interaction of factors
 *     factor := name | name '^' k | 'log(' name ')' | 'lag(' name ',' k ')'
 *             | 'C(' name ')'
 *
 * Names are column names: letters, digits, '_', '.', and any non-ASCII
 * (UTF-8) character.  `k` is a whole number, at least 1 (2 or more for a
 * power).  Spaces are allowed between tokens.  C(quarter) means the
 * calendar quarter of each row's period.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "model_internal.h"

typedef struct lexer {
    const char *s;
    size_t i;
} lexer;

static void skip(lexer *x)
{
    while (x->s[x->i] == ' ' || x->s[x->i] == '\t')
        x->i++;
}

static int is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '_' || c == '.' || c >= 0x80;
}

/* A name; returns its length (0 if none). */
static size_t name(lexer *x, const char **start)
{
    skip(x);
    *start = x->s + x->i;
    size_t n = 0;
    while (is_name_char((unsigned char)x->s[x->i + n]))
        n++;
    x->i += n;
    return n;
}

static int number(lexer *x, int *out)
{
    skip(x);
    long v = 0;
    size_t n = 0;
    while (x->s[x->i + n] >= '0' && x->s[x->i + n] <= '9' && n < 6) {
        v = v * 10 + (x->s[x->i + n] - '0');
        n++;
    }
    if (n == 0)
        return 0;
    x->i += n;
    *out = (int)v;
    return 1;
}

static int expect(lexer *x, char c)
{
    skip(x);
    if (x->s[x->i] != c)
        return 0;
    x->i++;
    return 1;
}

/* "'1.5)' at character 20" for the text from byte `at` (characters are
 * counted as UTF-8 code points); "the end" at the end. */
static const char *here_at(const lexer *x, size_t at, char *buf, size_t size)
{
    if (!x->s[at])
        return snprintf(buf, size, "the end"), buf;
    size_t n = 0, chars = 0;
    for (size_t i = 0; i < at; i++)
        chars += ((unsigned char)x->s[i] & 0xC0) != 0x80;
    while (x->s[at + n] && n < 16)
        n++;
    while (n > 0 && ((unsigned char)x->s[at + n] & 0xC0) == 0x80)
        n--; /* never cut a UTF-8 character */
    snprintf(buf, size, "'%.*s' at character %zu", (int)n, x->s + at, chars + 1);
    return buf;
}

static const char *here(const lexer *x, char *buf, size_t size)
{
    return here_at(x, x->i, buf, size);
}

static cx_status parse_factor(lexer *x, cx_factor *f, char *msg, size_t size)
{
    char where[48];
    const char *s;
    size_t n = name(x, &s);
    if (n == 0) {
        snprintf(msg, size, "expected a column name, log(x), lag(x, k) or C(x), found %s",
                 here(x, where, sizeof where));
        return CX_ESYNTAX;
    }
    skip(x);
    int func = x->s[x->i] == '(';
    if (func) {
        if (n == 3 && memcmp(s, "log", 3) == 0)
            f->kind = CX_F_LOG;
        else if (n == 3 && memcmp(s, "lag", 3) == 0)
            f->kind = CX_F_LAG;
        else if (n == 1 && s[0] == 'C')
            f->kind = CX_F_CAT;
        else {
            snprintf(msg, size, "expected log(x), lag(x, k) or C(x), found the function '%.*s'",
                     (int)n, s);
            return CX_ESYNTAX;
        }
        x->i++;
        const char *a;
        size_t an = name(x, &a);
        if (an == 0) {
            snprintf(msg, size, "expected a column name inside %.*s(), found %s", (int)n, s,
                     here(x, where, sizeof where));
            return CX_ESYNTAX;
        }
        f->col = cx_strndup(a, an);
        if (!f->col)
            return CX_ENOMEM;
        if (f->kind == CX_F_LAG) {
            if (!expect(x, ',')) {
                snprintf(msg, size, "expected ', k' (the number of periods) in lag(), found %s",
                         here(x, where, sizeof where));
                return CX_ESYNTAX;
            }
            skip(x);
            size_t at = x->i;
            if (!number(x, &f->k) || f->k < 1 || x->s[x->i] == '.') {
                snprintf(msg, size, "expected a whole number of periods of at least 1 in lag(), found %s",
                         here_at(x, at, where, sizeof where));
                return CX_ESYNTAX;
            }
        }
        if (!expect(x, ')')) {
            snprintf(msg, size, "expected ')', found %s", here(x, where, sizeof where));
            return CX_ESYNTAX;
        }
    } else {
        f->kind = CX_F_COLUMN;
        f->col = cx_strndup(s, n);
        if (!f->col)
            return CX_ENOMEM;
    }
    skip(x);
    if (x->s[x->i] == '^') {
        x->i++;
        if (f->kind != CX_F_COLUMN) {
            snprintf(msg, size, "a power applies to a column name only (write the column^k)");
            return CX_ESYNTAX;
        }
        skip(x);
        size_t at = x->i;
        if (!number(x, &f->k) || f->k < 2 || f->k > 10 || x->s[x->i] == '.') {
            snprintf(msg, size, "expected a whole power from 2 to 10 after '^', found %s",
                     here_at(x, at, where, sizeof where));
            return CX_ESYNTAX;
        }
        f->kind = CX_F_POW;
    }
    return CX_OK;
}

static cx_status append_factor_text(cx_buf *b, const cx_factor *f)
{
    switch (f->kind) {
    case CX_F_LOG: return cx_buf_printf(b, "log(%s)", f->col);
    case CX_F_LAG: return cx_buf_printf(b, "lag(%s, %d)", f->col, f->k);
    case CX_F_POW: return cx_buf_printf(b, "%s^%d", f->col, f->k);
    case CX_F_CAT: return cx_buf_printf(b, "C(%s)", f->col);
    default: return cx_buf_printf(b, "%s", f->col);
    }
}

void cx_term_clear(cx_term *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nf; i++)
        cx_free(t->f[i].col);
    cx_free(t->f);
    cx_free(t->text);
    memset(t, 0, sizeof *t);
}

int cx_term_is_cat(const cx_term *t)
{
    return t->nf == 1 && t->f[0].kind == CX_F_CAT;
}

cx_status cx_term_parse(const char *text, cx_term *out, char *msg, size_t msgsize)
{
    memset(out, 0, sizeof *out);
    lexer x = {text, 0};
    size_t cap = 0;
    cx_status st = CX_OK;
    for (;;) {
        if (cx_grow((void **)&out->f, &cap, out->nf + 1, sizeof(cx_factor)) != CX_OK) {
            st = CX_ENOMEM;
            break;
        }
        memset(&out->f[out->nf], 0, sizeof(cx_factor));
        st = parse_factor(&x, &out->f[out->nf], msg, msgsize);
        out->nf++;
        if (st != CX_OK)
            break;
        skip(&x);
        if (x.s[x.i] == ':') {
            x.i++;
            continue;
        }
        if (x.s[x.i]) {
            char where[48];
            snprintf(msg, msgsize, "expected ':' or the end of the term, found %s",
                     here(&x, where, sizeof where));
            st = CX_ESYNTAX;
        }
        break;
    }
    if (st == CX_OK && out->nf > 1)
        for (size_t i = 0; i < out->nf; i++)
            if (out->f[i].kind == CX_F_CAT) {
                snprintf(msg, msgsize, "C(%s) cannot be part of an interaction; interact numeric "
                                       "columns only", out->f[i].col);
                st = CX_ESYNTAX;
            }
    cx_buf b = {0};
    for (size_t i = 0; i < out->nf && st == CX_OK; i++) {
        if (i && cx_buf_append(&b, ":", 1) != CX_OK)
            st = CX_ENOMEM;
        if (st == CX_OK && append_factor_text(&b, &out->f[i]) != CX_OK)
            st = CX_ENOMEM;
    }
    if (st == CX_OK) {
        out->text = b.data ? b.data : cx_strdup("");
        if (!out->text)
            st = CX_ENOMEM;
    } else {
        cx_buf_free(&b);
        cx_term_clear(out);
    }
    if (st == CX_ENOMEM)
        snprintf(msg, msgsize, "out of memory");
    return st;
}
