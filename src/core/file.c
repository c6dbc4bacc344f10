/*
 * file.c - outputs are written to a temporary file beside the target and
 * renamed over it only when complete, so a failed run never leaves a
 * half-written file nor clobbers an existing one.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

/* Create "<path>.tmp.XXXXXX" (mode 0666 & ~umask) and open it for writing. */
cx_status cx_outfile_open(cx_outfile *o, const char *path, cx_error *err)
{
    memset(o, 0, sizeof *o);
    size_t n = strlen(path);
    o->path = cx_strdup(path);
    o->tmp = cx_malloc(n + 12);
    if (!o->path || !o->tmp) {
        cx_outfile_abort(o);
        return cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(o->tmp);
    if (fd < 0) {
        int e = errno;
        cx_free(o->tmp);
        o->tmp = NULL;
        cx_outfile_abort(o);
        return cx_error_set(err, CX_ECREATE, path, 0, 0, "cannot create output: %s", strerror(e));
    }
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    o->fp = fdopen(fd, "w");
    if (!o->fp) {
        close(fd);
        cx_outfile_abort(o);
        return cx_error_set(err, CX_ECREATE, path, 0, 0, "cannot create output");
    }
    return CX_OK;
}

/* Flush, close and rename over the target. */
cx_status cx_outfile_commit(cx_outfile *o, cx_error *err)
{
    int bad = ferror(o->fp) != 0;
    int e = bad ? EIO : 0;
    if (fflush(o->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    if (fclose(o->fp) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    o->fp = NULL;
    if (!bad && rename(o->tmp, o->path) != 0) {
        bad = 1;
        e = errno;
    }
    if (bad) {
        cx_error_set(err, CX_EIO, o->path, 0, 0, "cannot write output: %s", strerror(e));
        cx_outfile_abort(o);
        return CX_EIO;
    }
    cx_free(o->tmp);
    cx_free(o->path);
    o->tmp = o->path = NULL;
    return CX_OK;
}

/* Close and remove the temporary; safe on a zeroed or committed struct. */
void cx_outfile_abort(cx_outfile *o)
{
    if (o->fp)
        fclose(o->fp);
    if (o->tmp)
        remove(o->tmp);
    cx_free(o->tmp);
    cx_free(o->path);
    o->fp = NULL;
    o->tmp = o->path = NULL;
}
