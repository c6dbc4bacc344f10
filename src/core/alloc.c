/*
 * alloc.c - every allocation in libcxcase goes through these functions, so
 * that tests can make any of them fail (cJSON_InitHooks, SQLite's anomaly
 * tests); plus a growable byte buffer.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static void *(*hook_malloc)(size_t) = malloc;
static void *(*hook_realloc)(void *, size_t) = realloc;
static void (*hook_free)(void *) = free;

void cx_set_alloc_hooks(void *(*malloc_fn)(size_t), void *(*realloc_fn)(void *, size_t),
                        void (*free_fn)(void *))
{
    hook_malloc = malloc_fn ? malloc_fn : malloc;
    hook_realloc = realloc_fn ? realloc_fn : realloc;
    hook_free = free_fn ? free_fn : free;
}

void *cx_malloc(size_t n)
{
    return hook_malloc(n ? n : 1);
}

void *cx_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    if (hook_malloc == malloc) /* calloc's fresh pages need no clearing */
        return calloc(bytes ? count : 1, bytes ? size : 1);
    void *p = cx_malloc(bytes);
    if (p)
        memset(p, 0, bytes > 0 ? bytes : 1);
    return p;
}

void *cx_realloc(void *p, size_t n)
{
    return hook_realloc(p, n ? n : 1);
}

void cx_free(void *p)
{
    if (p)
        hook_free(p);
}

char *cx_strndup(const char *s, size_t n)
{
    char *d = cx_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *cx_strdup(const char *s)
{
    return s ? cx_strndup(s, strlen(s)) : NULL;
}

/* Ensure room for `need` items of `elem` bytes, doubling the capacity. */
cx_status cx_grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CX_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2 / elem)
            return CX_ENOMEM;
        ncap *= 2;
    }
    void *np = cx_realloc(*p, ncap * elem);
    if (!np)
        return CX_ENOMEM;
    *p = np;
    *cap = ncap;
    return CX_OK;
}

/* ======================================================================== */
/* Byte buffer (always NUL-terminated when non-empty)                       */
/* ======================================================================== */

cx_status cx_buf_append(cx_buf *b, const void *s, size_t n)
{
    if (cx_grow((void **)&b->data, &b->cap, b->len + n + 1, 1) != CX_OK)
        return CX_ENOMEM;
    if (n)
        memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
    return CX_OK;
}

cx_status cx_buf_printf(cx_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return CX_EINVAL;
    if (cx_grow((void **)&b->data, &b->cap, b->len + (size_t)len + 1, 1) != CX_OK)
        return CX_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)len + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)len;
    return CX_OK;
}

void cx_buf_free(cx_buf *b)
{
    cx_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}
