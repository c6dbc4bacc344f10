/*
 * terms.c - the term language of model specifications:
 *
 *     term   := factor (':' factor)*          interaction of factors
 *     factor := name | name '^' k | 'log(' name ')' | 'lag(' name ',' k ')'
 *             | 'C(' name ')'
 *     name   := plain | '`' quoted '`'
 *
 * A plain name is letters, digits, '_', '.' and any non-ASCII (UTF-8)
 * character.  Any other column name is quoted with backticks, as in R:
 * `Handling time (s)`, log(`Omzet excl. btw`); a backtick inside is
 * doubled.  The canonical text quotes exactly the names that need it, so it
 * parses back to the same term.  `k` is a whole number, at least 1 (2 or
 * more for a power).  Spaces are allowed between tokens.  C(quarter) means
 * the calendar quarter of each row's period.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
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

/* 1 when a column name must be quoted with backticks in a term. */
static int needs_quotes(const char *name)
{
    if (!*name)
        return 1;
    for (const char *p = name; *p; p++)
        if (!is_name_char((unsigned char)*p))
            return 1;
    return 0;
}

/*
 * A name: a plain one (*quoted = 0), or one between backticks (*quoted = 1,
 * *start and the length then cover the text between them, doubled
 * backticks included).  Returns its length, 0 if none; -1 for an
 * unterminated quote (x->i is then at the opening backtick).
 */
static long name(lexer *x, const char **start, int *quoted)
{
    skip(x);
    *quoted = x->s[x->i] == '`';
    if (*quoted) {
        size_t n = 0, at = x->i + 1;
        for (;; n++) {
            char c = x->s[at + n];
            if (!c)
                return -1;
            if (c == '`' && x->s[at + n + 1] == '`')
                n++;
            else if (c == '`')
                break;
        }
        *start = x->s + at;
        x->i = at + n + 1;
        return (long)n;
    }
    *start = x->s + x->i;
    size_t n = 0;
    while (is_name_char((unsigned char)x->s[x->i + n]))
        n++;
    x->i += n;
    return (long)n;
}

/* The column name of a name token: a copy, with doubled backticks undone. */
static char *name_copy(const char *s, size_t n, int quoted)
{
    char *c = cx_strndup(s, n);
    if (c && quoted) {
        size_t o = 0;
        for (size_t i = 0; i < n; i++) {
            c[o++] = s[i];
            if (s[i] == '`')
                i++;
        }
        c[o] = '\0';
    }
    return c;
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

/* The 1-based character (UTF-8 code point) at byte `at`. */
static size_t char_at(const lexer *x, size_t at)
{
    size_t chars = 0;
    for (size_t i = 0; i < at; i++)
        chars += ((unsigned char)x->s[i] & 0xC0) != 0x80;
    return chars + 1;
}

/* "'1.5)' at character 20" for the text from byte `at` (characters are
 * counted as UTF-8 code points); "the end" at the end. */
static const char *here_at(const lexer *x, size_t at, char *buf, size_t size)
{
    if (!x->s[at])
        return snprintf(buf, size, "the end"), buf;
    size_t n = 0, chars = char_at(x, at) - 1;
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

/* Append text to msg (NUL-terminated, `size` bytes in all). */
static void append(char *msg, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void append(char *msg, size_t size, const char *fmt, ...)
{
    size_t used = strlen(msg);
    if (used + 1 >= size)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + used, size - used, fmt, ap);
    va_end(ap);
}

/*
 * After an error at a plain name that starts at byte `from`: the name was
 * likely a column name with spaces or parentheses.  Guess where it ends (at
 * the factor's end, before a ':', or inside log( ), lag( , k) or C( ) at
 * its last ')' or lag's last ','), and append to msg the term with that
 * name quoted: "; if 'Handling time (s)' is a column name, quote it with
 * backticks: `Handling time (s)`".  No hint where the guess would be wrong
 * (lag(x 4) lacks a comma; log(x y lacks its ')').
 */
static void quote_hint(const lexer *x, size_t from, cx_factor_kind in, char *msg, size_t size)
{
    const char *s = x->s;
    size_t end = from;
    while (s[end] && s[end] != ':')
        end++;
    size_t to = end;
    if (in != CX_F_COLUMN) {
        while (to > from && s[to - 1] != ')')
            to--;
        if (to == from)
            return; /* no ')': not a name with spaces */
        to--;       /* before the ')' */
        if (in == CX_F_LAG)
            while (to > from && s[to] != ',')
                to--;
        if (to == from)
            return; /* lag(x 4): a missing comma rather */
    }
    while (to > from && (s[to - 1] == ' ' || s[to - 1] == '\t'))
        to--;
    if (to <= from || memchr(s + from, '`', to - from))
        return;
    append(msg, size, "; if '%.*s' is a column name, quote it with backticks: %.*s`%.*s`%s", (int)(to - from),
           s + from, (int)from, s, (int)(to - from), s + from, s + to);
}

/* The name of a factor's column (quoted or plain); a message when none. */
static cx_status factor_name(lexer *x, const char *what, char **col, int *quoted, char *msg, size_t size)
{
    char where[48];
    const char *s;
    skip(x);
    size_t at = x->i;
    long n = name(x, &s, quoted);
    if (n < 0) {
        snprintf(msg, size, "expected a closing '`' after the column name that starts at character %zu",
                 char_at(x, at));
        return CX_ESYNTAX;
    }
    if (n == 0 && *quoted) {
        snprintf(msg, size, "expected a column name between the backticks, found none");
        return CX_ESYNTAX;
    }
    if (n == 0) {
        snprintf(msg, size, "%s, found %s", what, here(x, where, sizeof where));
        return CX_ESYNTAX;
    }
    *col = name_copy(s, (size_t)n, *quoted);
    return *col ? CX_OK : CX_ENOMEM;
}
/* One factor: a column, column^k, log(), lag() or C(). */
static cx_status parse_factor(lexer *x, cx_factor *f, char *msg, size_t size)
{
    char where[48];
    skip(x);
    size_t from = x->i;
    const char *s;
    int quoted;
    long n = name(x, &s, &quoted);
    if (n <= 0) {
        x->i = from;
        cx_status st = factor_name(x, "expected a column name, log(x), lag(x, k) or C(x)", &f->col, &quoted, msg,
                                   size);
        if (st == CX_ESYNTAX && !quoted && x->s[from] != ':')
            quote_hint(x, from, CX_F_COLUMN, msg, size);
        return st;
    }
    skip(x);
    if (!quoted && x->s[x->i] == '(') {
        if (n == 3 && memcmp(s, "log", 3) == 0)
            f->kind = CX_F_LOG;
        else if (n == 3 && memcmp(s, "lag", 3) == 0)
            f->kind = CX_F_LAG;
        else if (n == 1 && s[0] == 'C')
            f->kind = CX_F_CAT;
        else {
            snprintf(msg, size, "expected log(x), lag(x, k) or C(x), found the function '%.*s'", (int)n, s);
            quote_hint(x, from, CX_F_COLUMN, msg, size);
            return CX_ESYNTAX;
        }
        x->i++;
        skip(x);
        size_t afrom = x->i;
        char what[64];
        snprintf(what, sizeof what, "expected a column name inside %.*s()", (int)n, s);
        int aq;
        cx_status st = factor_name(x, what, &f->col, &aq, msg, size);
        if (st != CX_OK)
            return st;
        if (f->kind == CX_F_LAG) {
            if (!expect(x, ',')) {
                snprintf(msg, size, "expected ', k' (the number of periods) in lag(), found %s",
                         here(x, where, sizeof where));
                if (!aq)
                    quote_hint(x, afrom, CX_F_LAG, msg, size);
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
            if (!aq && f->kind != CX_F_LAG)
                quote_hint(x, afrom, f->kind, msg, size);
            return CX_ESYNTAX;
        }
    } else {
        f->kind = CX_F_COLUMN;
        f->col = name_copy(s, (size_t)n, quoted);
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

/* A column name as a term writes it: between backticks when it needs them. */
static cx_status append_name(cx_buf *b, const char *col)
{
    if (!needs_quotes(col))
        return cx_buf_printf(b, "%s", col);
    if (cx_buf_append(b, "`", 1) != CX_OK)
        return CX_ENOMEM;
    for (const char *p = col; *p; p++)
        if ((*p == '`' && cx_buf_append(b, "`", 1) != CX_OK) || cx_buf_append(b, p, 1) != CX_OK)
            return CX_ENOMEM;
    return cx_buf_append(b, "`", 1);
}

/* The canonical text of a factor: "lag(nps, 4)", "log(`Omzet excl. btw`)". */
static cx_status append_factor_text(cx_buf *b, const cx_factor *f)
{
    static const char *const open[] = {"", "log(", "lag(", "", "C("};
    if (cx_buf_printf(b, "%s", open[f->kind]) != CX_OK || append_name(b, f->col) != CX_OK)
        return CX_ENOMEM;
    switch (f->kind) {
    case CX_F_LOG:
    case CX_F_CAT: return cx_buf_append(b, ")", 1);
    case CX_F_LAG: return cx_buf_printf(b, ", %d)", f->k);
    case CX_F_POW: return cx_buf_printf(b, "^%d", f->k);
    default: return CX_OK;
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
        skip(&x);
        size_t from = x.i;
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
            if (out->f[out->nf - 1].kind == CX_F_COLUMN && text[from] != '`')
                quote_hint(&x, from, CX_F_COLUMN, msg, msgsize);
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
