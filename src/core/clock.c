/*
 * clock.c - the time cxcase records (a fitted model's fitted_at, a
 * workbook's creation time): SOURCE_DATE_EPOCH when it is set, so that the
 * same inputs give byte-identical outputs (the reproducible-builds
 * convention, https://reproducible-builds.org/specs/source-date-epoch/),
 * else the clock.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "core.h"

int cx_source_date_epoch(time_t *out)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s || !*s)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*end || errno || v < 0 || (long long)(time_t)v != v)
        return -1;
    *out = (time_t)v;
    return 1;
}

time_t cx_time_now(void)
{
    time_t t;
    return cx_source_date_epoch(&t) == 1 ? t : time(NULL);
}

const char *cx_time_iso(time_t t, char *buf, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}
