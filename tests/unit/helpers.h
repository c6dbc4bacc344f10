/*
 * helpers.h - what the unit tests share: cmocka, temporary files with given
 * bytes, and error checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_TEST_HELPERS_H
#define CX_TEST_HELPERS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "cxcase/cxcase.h"

/* Write `len` bytes to a new temporary file; returns its path (static buffer
 * per call site is not enough, so the caller frees it with free()). */
static inline char *tmp_file(const void *data, size_t len)
{
    char *path = strdup("/tmp/cxtestXXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

static inline char *tmp_text(const char *s)
{
    return tmp_file(s, strlen(s));
}

static inline void tmp_remove(char *path)
{
    unlink(path);
    free(path);
}

/* Read `text` as CSV; returns the status and fills *t and err. */
static inline cx_status read_text(const char *text, const cx_csv_options *opt, cx_table **t,
                                  cx_error *err)
{
    char *path = tmp_text(text);
    cx_error_init(err);
    cx_status st = cx_csv_read(path, opt, t, err);
    tmp_remove(path);
    return st;
}

/* Assert that the formatted error, with the temporary path removed, ends with `tail`
 * and that line and column are as expected. */
#define assert_error_at(err, st, ln, col, needle)                                    \
    do {                                                                             \
        assert_int_equal((err)->status, (st));                                       \
        assert_int_equal((err)->line, (ln));                                         \
        assert_int_equal((err)->column, (col));                                      \
        if (!strstr((err)->message, (needle))) {                                     \
            print_error("message '%s' lacks '%s'\n", (err)->message, (needle));     \
            fail();                                                                  \
        }                                                                            \
    } while (0)

/* Relative difference, with the absolute difference used near zero. */
static inline double rel_diff(double a, double b)
{
    double d = a - b;
    if (d < 0)
        d = -d;
    double m = a < 0 ? -a : a;
    double mb = b < 0 ? -b : b;
    if (mb > m)
        m = mb;
    return m > 1 ? d / m : d;
}

#endif
