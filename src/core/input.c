/*
 * input.c - limits on input and the kinds of file cxcase reads.
 *
 * A command-line input may be a regular file or a pipe (a FIFO, or
 * standard input as "-" where a reader supports it).  A device is refused
 * before it is opened: /dev/zero would feed the readers forever, and
 * opening some devices has effects of its own.  The limits (cx_limits_set)
 * bound what one CSV record and one JSON file may hold in memory; their
 * defaults are far above what any export or plan holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core.h"

static cx_limits limits = {CX_MAX_LINE_DEFAULT, CX_MAX_JSON_DEFAULT};

void cx_limits_set(const cx_limits *l)
{
    limits.max_line = l && l->max_line ? l->max_line : CX_MAX_LINE_DEFAULT;
    limits.max_json = l && l->max_json ? l->max_json : CX_MAX_JSON_DEFAULT;
}

cx_limits cx_limits_get(void)
{
    return limits;
}

const char *cx_size_text(size_t n, char *buf, size_t size)
{
    if (n >= ((size_t)1 << 20) && n % ((size_t)1 << 20) == 0)
        snprintf(buf, size, "%zu MiB", n >> 20);
    else
        snprintf(buf, size, "%zu bytes", n);
    return buf;
}

cx_status cx_input_check(const char *path, const char *name, int *fifo, cx_error *err)
{
    struct stat sb;
    if (fifo)
        *fifo = 0;
    if (stat(path, &sb) != 0)
        return cx_error_set(err, CX_ENOENT, name, 0, 0, "cannot open: %s", strerror(errno));
    if (S_ISREG(sb.st_mode))
        return CX_OK;
    if (S_ISFIFO(sb.st_mode)) {
        if (fifo)
            *fifo = 1;
        return CX_OK;
    }
    const char *what = S_ISDIR(sb.st_mode)    ? "a directory, not a file"
                       : S_ISCHR(sb.st_mode)  ? "a character device, not a file or a pipe"
                       : S_ISBLK(sb.st_mode)  ? "a block device, not a file or a pipe"
                       : S_ISSOCK(sb.st_mode) ? "a socket, not a file or a pipe"
                                              : "not a file or a pipe";
    return cx_error_set(err, CX_ENOENT, name, 0, 0, "cannot open: %s", what);
}

int cx_input_regular(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode);
}

uint64_t cx_input_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) ? (uint64_t)sb.st_size : 0;
}
