/*
 * file.c - outputs are written to a temporary file beside the target and
 * renamed over it only when complete, so a failed run never leaves a
 * half-written file nor clobbers an existing one.
 *
 * The temporary is made by mkstemp: a random name created with O_EXCL, so
 * a symlink that someone who can write the folder plants at a name the
 * writer might choose is never followed (creating over it fails, and
 * mkstemp tries another name).  While it exists its name is registered, so
 * that a SIGINT or SIGTERM handler can remove it (cx_remove_temporaries).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

/* ======================================================================== */
/* The temporaries a signal handler removes                                 */
/* ======================================================================== */

/* A fixed table, so that the handler reads no allocator state: a slot's
 * name is written while its flag is 0 and read by the handler only while it
 * is 1.  More outputs at once than slots are written all the same, only
 * without that cleanup. */
#define SLOTS 16
static char slot_name[SLOTS][PATH_MAX];
static atomic_int slot_used[SLOTS]; /* 0 free, 1 being filled, 2 registered */

/* Block SIGINT and SIGTERM (the signals whose handler removes the
 * registered temporaries); 1 when blocked, the previous mask in *old. */
static int block_signals(sigset_t *old)
{
    sigset_t block;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    return pthread_sigmask(SIG_BLOCK, &block, old) == 0;
}

static int register_temporary(const char *name)
{
    if (strlen(name) >= PATH_MAX)
        return -1;
    for (int i = 0; i < SLOTS; i++) {
        int expected = 0;
        if (atomic_compare_exchange_strong(&slot_used[i], &expected, 1)) {
            memcpy(slot_name[i], name, strlen(name) + 1);
            atomic_store(&slot_used[i], 2);
            return i;
        }
    }
    return -1;
}

static void unregister_temporary(int slot)
{
    if (slot >= 0)
        atomic_store(&slot_used[slot], 0);
}

void cx_remove_temporaries(void)
{
    for (int i = 0; i < SLOTS; i++)
        if (atomic_load(&slot_used[i]) == 2)
            unlink(slot_name[i]);
}

/* ======================================================================== */
/* Outputs                                                                  */
/* ======================================================================== */

/* Create "<path>.tmp.XXXXXX" (mode 0666 & ~umask) and open it for writing. */
cx_status cx_outfile_open(cx_outfile *o, const char *path, cx_error *err)
{
    memset(o, 0, sizeof *o);
    o->slot = -1;
    size_t n = strlen(path);
    o->path = cx_strdup(path);
    o->tmp = cx_malloc(n + 12);
    if (!o->path || !o->tmp) {
        cx_outfile_abort(o);
        return cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    memcpy(o->tmp, path, n);
    memcpy(o->tmp + n, ".tmp.XXXXXX", 12);
    /* no SIGINT or SIGTERM between creating the file and registering its
     * name, or the handler would not know to remove it */
    sigset_t old;
    int masked = block_signals(&old);
    int fd = mkstemp(o->tmp);
    int e = errno;
    if (fd >= 0)
        o->slot = register_temporary(o->tmp);
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (fd < 0) {
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

/* Flush, close and rename over the target.  A write that failed earlier
 * (stdio only sets the stream's error flag) is flushed again first: the
 * retry reports the system's reason, so a full disk says "No space left on
 * device" rather than "Input/output error". */
cx_status cx_outfile_commit(cx_outfile *o, cx_error *err)
{
    int bad = 0, e = 0;
    errno = 0;
    if (fflush(o->fp) != 0) {
        bad = 1;
        e = errno ? errno : EIO;
    } else if (ferror(o->fp)) {
        bad = 1;
        e = EIO;
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
    unregister_temporary(o->slot);
    o->slot = -1;
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
    if (o->tmp)
        unregister_temporary(o->slot);
    cx_free(o->tmp);
    cx_free(o->path);
    o->fp = NULL;
    o->tmp = o->path = NULL;
    o->slot = -1;
}

cx_status cx_outfile_copy_fd(cx_outfile *o, int fd, cx_error *err)
{
    char buf[65536];
    off_t at = 0;
    for (;;) {
        ssize_t got = pread(fd, buf, sizeof buf, at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return cx_error_set(err, CX_EIO, o->path, 0, 0, "cannot write output: %s", strerror(errno));
        if (got == 0)
            return CX_OK;
        if (fwrite(buf, 1, (size_t)got, o->fp) != (size_t)got)
            return cx_error_set(err, CX_EIO, o->path, 0, 0, "cannot write output: %s",
                                strerror(errno ? errno : EIO));
        at += got;
    }
}

cx_status cx_scratch_open(const char *what, int *fd, char proc[32], cx_error *err)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    cx_buf name = {0};
    if (cx_buf_printf(&name, "%s/cxcase.XXXXXX", dir) != CX_OK)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    sigset_t old;
    int masked = block_signals(&old); /* no signal before the unlink */
    *fd = mkstemp(name.data);
    int e = errno;
    if (*fd >= 0)
        unlink(name.data); /* a name no one else sees, gone whatever ends the process */
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    cx_buf_free(&name);
    if (*fd < 0)
        return cx_error_set(err, CX_EIO, what, 0, 0, "cannot make a temporary file in %s: %s", dir, strerror(e));
    snprintf(proc, 32, "/proc/self/fd/%d", *fd);
    if (access(proc, R_OK | W_OK) != 0) {
        close(*fd);
        *fd = -1;
        return cx_error_set(err, CX_EIO, what, 0, 0, "cannot open a temporary file again without /proc");
    }
    return CX_OK;
}

cx_status cx_output_check(const char *path, cx_error *err)
{
    cx_outfile o;
    cx_status st = cx_outfile_open(&o, path, err);
    if (st == CX_OK)
        cx_outfile_abort(&o);
    return st;
}
