/*
 * spill.c - a temporary file of fixed-length records, buffered in large
 * blocks.
 *
 * stdio's default buffer is 4 KiB: pass 1 of a fit of a million rows wrote
 * its 48 MB of design rows in 12,000 write(2) calls and each later pass read
 * them in as many read(2) calls, which cost more than the arithmetic on the
 * rows.  Here the stream is unbuffered and the records go through a buffer
 * of SPILL_BYTES (256 KiB: 200 calls a pass of those rows; a larger buffer
 * saves few calls and costs a page fault per 4 KiB).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>

#include "../core/core.h"
#include "spill.h"

#define SPILL_BYTES ((size_t)256 << 10) /* the buffer: 256 KiB, whole records */

struct cx_spill {
    FILE *fp;
    double *buf;
    size_t reclen;  /* doubles per record */
    size_t cap;     /* records the buffer holds */
    size_t len;     /* records in the buffer */
    size_t pos;     /* reading: the next record in the buffer */
    int reading;
};

cx_spill *cx_spill_new(size_t reclen)
{
    cx_spill *s = cx_calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->reclen = reclen ? reclen : 1;
    s->cap = SPILL_BYTES / (s->reclen * sizeof(double));
    if (s->cap == 0)
        s->cap = 1;
    s->buf = cx_malloc(s->cap * s->reclen * sizeof(double));
    s->fp = s->buf ? tmpfile() : NULL;
    if (!s->fp || setvbuf(s->fp, NULL, _IONBF, 0) != 0) {
        cx_spill_free(s);
        return NULL;
    }
    return s;
}

void cx_spill_free(cx_spill *s)
{
    if (!s)
        return;
    if (s->fp)
        fclose(s->fp);
    cx_free(s->buf);
    cx_free(s);
}

/* Write out the records held. */
static int flush_records(cx_spill *s)
{
    size_t n = s->len * s->reclen;
    s->len = 0;
    return n && fwrite(s->buf, sizeof(double), n, s->fp) != n ? -1 : 0;
}

int cx_spill_put(cx_spill *s, const double *rec)
{
    if (s->len == s->cap && flush_records(s) != 0)
        return -1;
    double *slot = s->buf + s->len * s->reclen;
    for (size_t k = 0; k < s->reclen; k++)
        slot[k] = rec[k];
    s->len++;
    return 0;
}

int cx_spill_rewind(cx_spill *s)
{
    if (!s->reading && flush_records(s) != 0)
        return -1;
    s->reading = 1;
    s->len = s->pos = 0;
    return fflush(s->fp) == 0 && fseek(s->fp, 0, SEEK_SET) == 0 ? 0 : -1;
}

const double *cx_spill_get(cx_spill *s, int *failed)
{
    if (s->pos == s->len) {
        size_t got = fread(s->buf, sizeof(double), s->cap * s->reclen, s->fp);
        if (ferror(s->fp)) {
            *failed = 1;
            return NULL;
        }
        s->len = got / s->reclen; /* only whole records: a short tail ends the file */
        s->pos = 0;
        if (s->len == 0)
            return NULL;
    }
    return s->buf + s->pos++ * s->reclen;
}
