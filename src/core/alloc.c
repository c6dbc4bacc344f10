/*
 * alloc.c - every allocation in libcxcase goes through these functions, so
 * that tests can make any of them fail (cJSON_InitHooks, SQLite's anomaly
 * tests); plus a growable byte buffer.
 *
 * A large block (a column of a million rows, a big hash map) is asked to
 * live in huge pages where the kernel offers them on request (Linux's
 * transparent huge pages in "madvise" mode): its first touch then faults
 * once per 2 MiB instead of once per 4 KiB, which on a virtual machine was
 * a fifth of the time of `cxcase link` on a million customers.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "core.h"

#define HUGE_FROM ((size_t)8 << 20)
#define HUGE_PAGE ((uintptr_t)2 << 20)

/* Advise huge pages for the whole 2 MiB pages inside [p, p + n). */
static void *advise_huge(void *p, size_t n)
{
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (p && n >= HUGE_FROM) {
        uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        uintptr_t b = ((uintptr_t)p + n) & ~(HUGE_PAGE - 1);
        if (b > a)
            (void)madvise((void *)a, b - a, MADV_HUGEPAGE); /* only advice: failure changes nothing */
    }
#else
    (void)n;
#endif
    return p;
}

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
    return advise_huge(hook_malloc(n ? n : 1), n);
}

void *cx_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    size_t bytes = count * size;
    if (hook_malloc == malloc) /* calloc's fresh pages need no clearing */
        return advise_huge(calloc(bytes ? count : 1, bytes ? size : 1), bytes);
    void *p = cx_malloc(bytes);
    if (p)
        memset(p, 0, bytes > 0 ? bytes : 1);
    return p;
}

void *cx_realloc(void *p, size_t n)
{
    return advise_huge(hook_realloc(p, n ? n : 1), n);
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
