/*
 * jsonin.c - strict JSON input on top of cJSON.
 *
 * cJSON's own lookups are case-insensitive, it accepts duplicate keys
 * silently and its nodes carry no positions.  This module parses with an
 * explicit length, turns the parse end into a line and column, rejects
 * duplicate keys in a walk over the whole tree, uses only the case-sensitive
 * lookups, and names every semantic error by its JSON Pointer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <ctype.h>
#include <errno.h>
#include <sys/stat.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "jsonin.h"

/* ======================================================================== */
/* JSON Pointers                                                            */
/* ======================================================================== */

void cx_jpath_init(cx_jpath *p)
{
    p->s[0] = '\0';
    p->len = 0;
}

const cx_jpath *cx_jpath_of(cx_jpath *p, const char *ptr)
{
    snprintf(p->s, sizeof p->s, "%s", ptr);
    p->len = strlen(p->s);
    return p;
}

static void jpath_append(cx_jpath *p, const char *s)
{
    size_t n = strlen(s);
    if (p->len + n >= sizeof p->s) {
        n = sizeof p->s - 1 - p->len;
    }
    memcpy(p->s + p->len, s, n);
    p->len += n;
    p->s[p->len] = '\0';
}

size_t cx_jpath_key(cx_jpath *p, const char *key)
{
    size_t old = p->len;
    jpath_append(p, "/");
    char c[2] = {0, 0};
    for (; *key; key++) {
        if (*key == '~')
            jpath_append(p, "~0");
        else if (*key == '/')
            jpath_append(p, "~1");
        else {
            c[0] = *key;
            jpath_append(p, c);
        }
    }
    return old;
}

size_t cx_jpath_index(cx_jpath *p, size_t i)
{
    size_t old = p->len;
    char buf[32];
    snprintf(buf, sizeof buf, "/%zu", i);
    jpath_append(p, buf);
    return old;
}

void cx_jpath_pop(cx_jpath *p, size_t old)
{
    p->len = old;
    p->s[old] = '\0';
}

const char *cx_jpath_str(const cx_jpath *p)
{
    return p->len ? p->s : "/";
}

cx_status cx_json_error(cx_error *err, cx_status st, const char *file, const cx_jpath *p,
                        const char *fmt, ...)
{
    if (!err || err->status != CX_OK)
        return st;
    char msg[CX_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    cx_error_set(err, st, file, 0, 0, "%s", msg);
    snprintf(err->pointer, sizeof err->pointer, "%s", p ? cx_jpath_str(p) : "/");
    return st;
}

/* ======================================================================== */
/* Parsing                                                                  */
/* ======================================================================== */

/* Walk the tree; the first object with a key twice is an error. */
static cx_status check_duplicates(const cJSON *item, const char *file, cx_jpath *p, cx_error *err)
{
    if (cJSON_IsObject(item)) {
        for (const cJSON *a = item->child; a; a = a->next)
            for (const cJSON *b = item->child; b != a; b = b->next)
                if (strcmp(a->string, b->string) == 0) {
                    size_t old = cx_jpath_key(p, a->string);
                    cx_status st = cx_json_error(err, CX_ESYNTAX, file, p,
                                                 "expected each key once in an object, found "
                                                 "'%s' twice", a->string);
                    cx_jpath_pop(p, old);
                    return st;
                }
        for (const cJSON *c = item->child; c; c = c->next) {
            size_t old = cx_jpath_key(p, c->string);
            cx_status st = check_duplicates(c, file, p, err);
            cx_jpath_pop(p, old);
            if (st != CX_OK)
                return st;
        }
    } else if (cJSON_IsArray(item)) {
        size_t i = 0;
        for (const cJSON *c = item->child; c; c = c->next, i++) {
            size_t old = cx_jpath_index(p, i);
            cx_status st = check_duplicates(c, file, p, err);
            cx_jpath_pop(p, old);
            if (st != CX_OK)
                return st;
        }
    }
    return CX_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Line and column (code points, 1-based) of byte offset `off`. */
static void linecol(const char *text, size_t off, unsigned long *line, unsigned long *col)
{
    size_t start = 0;
    *line = 1;
    for (size_t i = 0; i < off; i++)
        if (text[i] == '\n') {
            (*line)++;
            start = i + 1;
        }
    *col = (unsigned long)cx_utf8_count((const unsigned char *)text + start, off - start) + 1;
}

/* The end of the string starting at t[i] == '"', or 0 with *off and *exp
 * set at the first fault. */
static size_t json_string(const char *t, size_t len, size_t i, size_t *off, const char **exp)
{
    for (size_t j = i + 1;;) {
        if (j >= len) {
            *off = len;
            *exp = "'\"' to end the string";
            return 0;
        }
        unsigned char c = (unsigned char)t[j];
        if (c == '"')
            return j + 1;
        if (c < 0x20) {
            *off = j;
            *exp = "'\"' to end the string (a line break or control character must be escaped)";
            return 0;
        }
        if (c != '\\') {
            j++;
            continue;
        }
        if (j + 1 < len && strchr("\"\\/bfnrt", t[j + 1]) && t[j + 1] != '\0') {
            j += 2;
        } else if (j + 1 < len && t[j + 1] == 'u') {
            for (size_t k = j + 2; k < j + 6; k++)
                if (k >= len || !isxdigit((unsigned char)t[k])) {
                    *off = j;
                    *exp = "four hex digits after \\u";
                    return 0;
                }
            j += 6;
        } else {
            *off = j;
            *exp = "an escape \\\", \\\\, \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX";
            return 0;
        }
    }
}

/* The end of the number starting at t[i] (RFC 8259: cJSON reads numbers
 * with strtod, which also takes "0.", "1." or "+1"), or 0 at a fault. */
static size_t json_number(const char *t, size_t len, size_t i, size_t *off, const char **exp)
{
#define DIGIT(k) ((k) < len && t[k] >= '0' && t[k] <= '9')
    size_t j = i;
    if (t[j] == '-')
        j++;
    if (!DIGIT(j)) {
        *off = j;
        *exp = "a digit after '-'";
        return 0;
    }
    if (t[j] == '0')
        j++;
    else
        while (DIGIT(j))
            j++;
    if (j < len && t[j] == '.') {
        if (!DIGIT(j + 1)) {
            *off = j + 1;
            *exp = "a digit after '.'";
            return 0;
        }
        for (j++; DIGIT(j); j++)
            ;
    }
    if (j < len && (t[j] == 'e' || t[j] == 'E')) {
        j++;
        if (j < len && (t[j] == '+' || t[j] == '-'))
            j++;
        if (!DIGIT(j)) {
            *off = j;
            *exp = "a digit in the exponent";
            return 0;
        }
        while (DIGIT(j))
            j++;
    }
    return j;
#undef DIGIT
}

/* Check the text against the JSON grammar (RFC 8259) before cJSON reads it:
 * cJSON only says where it stopped, and is lenient about numbers.  Returns 1
 * when the syntax is valid, else 0 with the byte offset of the first fault
 * and what the grammar allows there.  Nesting is limited to cJSON's limit. */
static int json_syntax(const char *t, size_t len, size_t i, size_t *off, const char **exp)
{
    enum { VALUE, VALUE_OR_END, KEY, KEY_OR_END, COLON, NEXT } want = VALUE;
    char stack[CJSON_NESTING_LIMIT];
    size_t depth = 0;
    for (;;) {
        while (i < len && is_space(t[i]))
            i++;
        if (i >= len && want == NEXT && depth == 0)
            return 1;
        *off = i;
        char c = i < len ? t[i] : '\0';
        switch (want) {
        case VALUE:
        case VALUE_OR_END:
            if (want == VALUE_OR_END && c == ']') {
                depth--;
                i++;
                want = NEXT;
            } else if (i < len && (c == '{' || c == '[')) {
                if (depth == sizeof stack) {
                    *exp = "at most 1000 levels of nesting (cJSON's CJSON_NESTING_LIMIT)";
                    return 0;
                }
                stack[depth++] = c;
                i++;
                want = c == '{' ? KEY_OR_END : VALUE_OR_END;
            } else if (i < len && c == '"') {
                if ((i = json_string(t, len, i, off, exp)) == 0)
                    return 0;
                want = NEXT;
            } else if (i < len && (c == '-' || (c >= '0' && c <= '9'))) {
                if ((i = json_number(t, len, i, off, exp)) == 0)
                    return 0;
                want = NEXT;
            } else {
                static const char *const lit[] = {"true", "false", "null"};
                size_t k;
                for (k = 0; k < 3; k++)
                    if (len - i >= strlen(lit[k]) && memcmp(t + i, lit[k], strlen(lit[k])) == 0)
                        break;
                if (i >= len || k == 3) {
                    *exp = want == VALUE_OR_END ? "a value or ']'" : "a value";
                    return 0;
                }
                i += strlen(lit[k]);
                want = NEXT;
            }
            break;
        case KEY:
        case KEY_OR_END:
            if (want == KEY_OR_END && c == '}') {
                depth--;
                i++;
                want = NEXT;
            } else if (i < len && c == '"') {
                if ((i = json_string(t, len, i, off, exp)) == 0)
                    return 0;
                want = COLON;
            } else {
                *exp = want == KEY ? "a key in double quotes" : "a key in double quotes or '}'";
                return 0;
            }
            break;
        case COLON:
            if (c != ':' || i >= len) {
                *exp = "':' after the key";
                return 0;
            }
            i++;
            want = VALUE;
            break;
        case NEXT: {
            char open = depth ? stack[depth - 1] : 0;
            if (open && i < len && c == ',') {
                i++;
                want = open == '{' ? KEY : VALUE;
            } else if (open && i < len && c == (open == '{' ? '}' : ']')) {
                depth--;
                i++;
            } else {
                *exp = !open ? "the end of the document" : open == '{' ? "',' or '}'" : "',' or ']'";
                return 0;
            }
            break;
        }
        }
    }
}

cx_status cx_json_parse(const char *text, size_t len, const char *file, cJSON **root,
                        cx_error *err)
{
    *root = NULL;
    size_t ok = cx_utf8_valid_prefix((const unsigned char *)text, len);
    if (ok < len) {
        unsigned long line, col;
        linecol(text, ok, &line, &col);
        return cx_error_set(err, CX_ESYNTAX, file, line, col,
                            "expected UTF-8 text, found byte 0x%02X", (unsigned char)text[ok]);
    }
    /* cJSON decodes \u0000 into a NUL that silently cuts the string */
    for (const char *q = text; (q = memchr(q, '\\', (size_t)(text + len - q))) != NULL; q += 2) {
        if (q + 6 <= text + len && memcmp(q, "\\u0000", 6) == 0) {
            unsigned long line, col;
            linecol(text, (size_t)(q - text), &line, &col);
            return cx_error_set(err, CX_ESYNTAX, file, line, col,
                                "expected text without NUL characters, found '\\u0000' in a string");
        }
        if (q + 1 >= text + len)
            break;
    }
    size_t skip = len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    size_t off;
    const char *expected;
    if (!json_syntax(text, len, skip, &off, &expected)) {
        unsigned long line, col;
        linecol(text, off, &line, &col);
        char found[64];
        if (off >= len)
            snprintf(found, sizeof found, "the end of the file");
        else if (text[off] == '\n' || text[off] == '\r')
            snprintf(found, sizeof found, "the end of the line");
        else if ((unsigned char)text[off] < 0x20)
            snprintf(found, sizeof found, "the control character 0x%02X", (unsigned char)text[off]);
        else {
            char ex[48];
            size_t n = 0;
            while (off + n < len && n < 20 && text[off + n] != '\n' && text[off + n] != '\r')
                n++;
            cx_quote_excerpt(text + off, n, 20, ex, sizeof ex);
            snprintf(found, sizeof found, "'%s'", ex);
        }
        return cx_error_set(err, CX_ESYNTAX, file, line, col, "invalid JSON: expected %s, found %s",
                            expected, found);
    }
    cJSON *doc = cJSON_ParseWithLength(text + skip, len - skip);
    if (!doc) /* valid syntax that cJSON still refuses: only when out of memory */
        return cx_error_set(err, CX_ENOMEM, file, 0, 0, "out of memory reading JSON");
    cx_jpath p;
    cx_jpath_init(&p);
    cx_status st = check_duplicates(doc, file, &p, err);
    if (st != CX_OK) {
        cJSON_Delete(doc);
        return st;
    }
    *root = doc;
    return CX_OK;
}

cx_status cx_json_read_file(const char *path, char **text, size_t *len, cx_error *err)
{
    *text = NULL;
    *len = 0;
    /* a regular file or a pipe: a directory or a device is refused unopened */
    cx_status st = cx_input_check(path, path, NULL, err);
    if (st != CX_OK)
        return st;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return cx_error_set(err, CX_ENOENT, path, 0, 0, "cannot open: %s", strerror(errno));
    cx_buf b = {0};
    char chunk[65536];
    size_t n, max = cx_limits_get().max_json;
    while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        if (b.len + n > max) {
            char lim[48];
            st = cx_error_set(err, CX_ESYNTAX, path, 0, 0,
                              "expected a JSON file of at most %s (raise the limit with --max-json), "
                              "found a larger one",
                              cx_size_text(max, lim, sizeof lim));
            break;
        }
        if (cx_buf_append(&b, chunk, n) != CX_OK) {
            st = cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
            break;
        }
    }
    if (st == CX_OK && ferror(fp))
        st = cx_error_set(err, CX_EIO, path, 0, 0, "read failed: %s", strerror(errno));
    fclose(fp);
    if (st == CX_OK && b.len == 0)
        st = cx_error_set(err, CX_ESYNTAX, path, 1, 1, "invalid JSON: expected a JSON value, found an empty file");
    if (st != CX_OK) {
        cx_buf_free(&b);
        return st;
    }
    *text = b.data;
    *len = b.len;
    return CX_OK;
}

cx_status cx_json_load(const char *path, cJSON **root, cx_error *err)
{
    *root = NULL;
    char *text;
    size_t len;
    cx_status st = cx_json_read_file(path, &text, &len, err);
    if (st == CX_OK)
        st = cx_json_parse(text, len, path, root, err);
    cx_free(text);
    return st;
}

/* ======================================================================== */
/* Typed access                                                             */
/* ======================================================================== */

const char *cx_json_describe(const cJSON *item, char *buf, size_t size)
{
    if (!item)
        snprintf(buf, size, "nothing");
    else if (cJSON_IsString(item)) {
        char ex[64];
        cx_quote_excerpt(item->valuestring, strlen(item->valuestring), 30, ex, sizeof ex);
        snprintf(buf, size, "string '%s'", ex);
    } else if (cJSON_IsNumber(item))
        snprintf(buf, size, "number %.15g", item->valuedouble);
    else if (cJSON_IsBool(item))
        snprintf(buf, size, "%s", cJSON_IsTrue(item) ? "true" : "false");
    else if (cJSON_IsNull(item))
        snprintf(buf, size, "null");
    else if (cJSON_IsArray(item))
        snprintf(buf, size, "an array");
    else if (cJSON_IsObject(item))
        snprintf(buf, size, "an object");
    else
        snprintf(buf, size, "an invalid value");
    return buf;
}

/* Levenshtein distance, for "did you mean" (short keys only). */
static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 40 || lb > 40)
        return 99;
    size_t d[41][41];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t best = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

cx_status cx_json_object(const cJSON *item, const char *const *allowed, const char *file,
                         const cx_jpath *p, cx_error *err)
{
    char found[96];
    if (!cJSON_IsObject(item))
        return cx_json_error(err, CX_EINVAL, file, p, "expected an object, found %s",
                             cx_json_describe(item, found, sizeof found));
    for (const cJSON *c = item->child; c; c = c->next) {
        int known = 0;
        const char *near = NULL;
        size_t best = 3;
        for (size_t k = 0; allowed && allowed[k]; k++) {
            if (strcmp(allowed[k], c->string) == 0) {
                known = 1;
                break;
            }
            size_t dist = distance(allowed[k], c->string);
            if (dist < best) {
                best = dist;
                near = allowed[k];
            }
        }
        if (known)
            continue;
        cx_jpath q = *p;
        cx_jpath_key(&q, c->string);
        cx_buf list = {0};
        for (size_t k = 0; allowed && allowed[k]; k++)
            cx_buf_printf(&list, "%s%s", k ? ", " : "", allowed[k]);
        cx_status st;
        if (near)
            st = cx_json_error(err, CX_EINVAL, file, &q, "unknown key '%s' (did you mean '%s'?)",
                               c->string, near);
        else
            st = cx_json_error(err, CX_EINVAL, file, &q, "unknown key '%s' (expected one of: %s)",
                               c->string, list.data ? list.data : "none");
        cx_buf_free(&list);
        return st;
    }
    return CX_OK;
}

/* The member `key` when present and of the kind `is` accepts (`what` says
 * which, in messages); NULL otherwise, with *st CX_OK when it is absent and
 * not required, else the error recorded at its JSON Pointer. */
static const cJSON *member(const cJSON *obj, const char *key, int required, const char *file,
                           cx_jpath *p, const char *what, int (*is)(const cJSON *), cx_error *err,
                           cx_status *st)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);
    *st = CX_OK;
    if (m && is(m))
        return m;
    if (m || required) {
        char found[96];
        size_t old = cx_jpath_key(p, key);
        if (m)
            *st = cx_json_error(err, CX_EINVAL, file, p, "expected %s, found %s", what,
                                cx_json_describe(m, found, sizeof found));
        else
            *st = cx_json_error(err, CX_EINVAL, file, p, "expected %s, found nothing (the key '%s' is required)",
                                what, key);
        cx_jpath_pop(p, old);
    }
    return NULL;
}

static int is_string(const cJSON *m) { return cJSON_IsString(m); }
static int is_bool(const cJSON *m) { return cJSON_IsBool(m); }
static int is_array(const cJSON *m) { return cJSON_IsArray(m); }
static int is_number(const cJSON *m) { return cJSON_IsNumber(m); }
static int is_finite(const cJSON *m) { return isfinite(m->valuedouble); }

cx_status cx_json_string(const cJSON *obj, const char *key, int required, const char *file,
                         cx_jpath *p, const char **out, cx_error *err)
{
    cx_status st;
    const cJSON *m = member(obj, key, required, file, p, "a string", is_string, err, &st);
    if (m)
        *out = m->valuestring;
    return st;
}

cx_status cx_json_number(const cJSON *obj, const char *key, int required, const char *file,
                         cx_jpath *p, double *out, cx_error *err)
{
    cx_status st;
    const cJSON *m = member(obj, key, required, file, p, "a number", is_number, err, &st);
    if (m) /* cJSON reads 1e999 as infinity */
        m = member(obj, key, 1, file, p, "a finite number", is_finite, err, &st);
    if (m)
        *out = m->valuedouble;
    return st;
}

cx_status cx_json_integer(const cJSON *obj, const char *key, int required, long lo, long hi,
                          const char *file, cx_jpath *p, long *out, cx_error *err)
{
    double v = 0;
    int present = cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
    cx_status st = cx_json_number(obj, key, required, file, p, &v, err);
    if (st != CX_OK || !present)
        return st;
    if (v != floor(v) || v < (double)lo || v > (double)hi) {
        size_t old = cx_jpath_key(p, key);
        st = cx_json_error(err, CX_EINVAL, file, p,
                           "expected a whole number from %ld to %ld, found %.15g", lo, hi, v);
        cx_jpath_pop(p, old);
        return st;
    }
    *out = (long)v;
    return CX_OK;
}

cx_status cx_json_bool(const cJSON *obj, const char *key, int required, const char *file,
                       cx_jpath *p, int *out, cx_error *err)
{
    cx_status st;
    const cJSON *m = member(obj, key, required, file, p, "true or false", is_bool, err, &st);
    if (m)
        *out = cJSON_IsTrue(m);
    return st;
}

cx_status cx_json_array(const cJSON *obj, const char *key, int required, const char *file,
                        cx_jpath *p, const cJSON **out, cx_error *err)
{
    cx_status st;
    const cJSON *m = member(obj, key, required, file, p, "an array", is_array, err, &st);
    if (m)
        *out = m;
    return st;
}
