/*
 * error.c - status strings, the error record and its one-line formatting,
 * and the warnings list.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* ======================================================================== */
/* Status strings                                                           */
/* ======================================================================== */

/* In the order of cx_status. */
static const char *const status_text[CX_STATUS_MAX] = {
    "success",
    "out of memory",
    "input/output error",
    "cannot open input",
    "cannot create output",
    "syntax error",
    "invalid value",
    "numerical failure",
    "usage error",
};

const char *cx_strerror(cx_status status)
{
    if ((int)status < 0 || status >= CX_STATUS_MAX)
        return "unknown status";
    return status_text[status];
}

const char *cx_version(void)
{
    return CX_VERSION;
}

/* ======================================================================== */
/* The error record                                                         */
/* ======================================================================== */

void cx_error_init(cx_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
}

/* Record the first error; a record that already holds one is left alone. */
cx_status cx_error_set(cx_error *err, cx_status status, const char *file,
                       unsigned long line, unsigned long column, const char *fmt, ...)
{
    if (!err || err->status != CX_OK || status == CX_OK)
        return status;
    err->status = status;
    snprintf(err->file, sizeof err->file, "%s", file ? file : "");
    err->line = line;
    err->column = column;
    err->pointer[0] = '\0';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return status;
}

/* Format as "file:line:col: error: msg", "file: /ptr: error: msg",
 * "file: error: msg" or "error: msg". */
const char *cx_error_format(const cx_error *err, char *buf, size_t size)
{
    if (!buf || size == 0)
        return "";
    if (!err || err->status == CX_OK) {
        snprintf(buf, size, "no error");
        return buf;
    }
    const char *msg = err->message[0] ? err->message : cx_strerror(err->status);
    if (err->file[0] && err->line && err->column)
        snprintf(buf, size, "%s:%lu:%lu: error: %s", err->file, err->line, err->column, msg);
    else if (err->file[0] && err->line)
        snprintf(buf, size, "%s:%lu: error: %s", err->file, err->line, msg);
    else if (err->file[0] && err->pointer[0])
        snprintf(buf, size, "%s: %s: error: %s", err->file, err->pointer, msg);
    else if (err->file[0])
        snprintf(buf, size, "%s: error: %s", err->file, msg);
    else
        snprintf(buf, size, "error: %s", msg);
    return buf;
}

/* ======================================================================== */
/* Warnings                                                                 */
/* ======================================================================== */

struct cx_warnings {
    char **items;
    size_t n, cap;
};

cx_warnings *cx_warnings_new(void)
{
    return cx_calloc(1, sizeof(cx_warnings));
}

void cx_warnings_free(cx_warnings *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        cx_free(w->items[i]);
    cx_free(w->items);
    cx_free(w);
}

size_t cx_warnings_count(const cx_warnings *w)
{
    return w ? w->n : 0;
}

const char *cx_warnings_get(const cx_warnings *w, size_t i)
{
    return (w && i < w->n) ? w->items[i] : NULL;
}

cx_status cx_warnings_add(cx_warnings *w, const char *fmt, ...)
{
    if (!w)
        return CX_OK;
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return CX_EINVAL;
    char *s = cx_malloc((size_t)len + 1);
    if (!s)
        return CX_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    if (cx_grow((void **)&w->items, &w->cap, w->n + 1, sizeof(char *)) != CX_OK) {
        cx_free(s);
        return CX_ENOMEM;
    }
    w->items[w->n++] = s;
    return CX_OK;
}
