/*
 * digest.c - SHA-256 of contents, for provenance: a fitted model and a
 * workbook record the hash of every input, so an analyst can tell whether a
 * number came from the file on their disk.
 *
 * The algorithm is GNU Nettle's (Debian's nettle-dev, <nettle/sha2.h>): a
 * "fat" build that picks the SHA instructions (SHA-NI) at run time where the
 * processor has them, about 1.5 GB/s on the machines the benchmarks run on.
 * Nettle's context stays inside this file: core.h's cx_sha256 holds it as
 * bytes, copied in and out with memcpy (about 100 bytes each way per update,
 * nothing beside the hashing of a 64 KiB read; a cast would break C's
 * aliasing rules), so no other file includes Nettle and the library could be
 * swapped here alone.
 *
 * A fit that will write its model's provenance hashes its data file on a
 * thread of its own (cx_sha256_file_start), beside its own reading of the
 * file, rather than reading the whole file once more afterwards.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <nettle/base16.h>
#include <nettle/sha2.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((cx_sha256 *)0)->opaque),
               "cx_sha256 is too small for Nettle's struct sha256_ctx");

#define FILE_CHUNK (1u << 16) /* 64 KiB reads into a buffer on the stack: nothing to allocate */

/* ======================================================================== */
/* Bytes                                                                    */
/* ======================================================================== */

/* Start a digest: Nettle's initial state, copied into s. */
void cx_sha256_init(cx_sha256 *s)
{
    struct sha256_ctx c;
    sha256_init(&c);
    memcpy(s->opaque, &c, sizeof c);
}

/* Add n bytes; Nettle keeps a partial block in the state between calls. */
void cx_sha256_update(cx_sha256 *s, const void *data, size_t n)
{
    struct sha256_ctx c;
    memcpy(&c, s->opaque, sizeof c);
    sha256_update(&c, n, data);
    memcpy(s->opaque, &c, sizeof c);
}

/* The digest as hex; s is ready for a new digest afterwards. */
void cx_sha256_final(cx_sha256 *s, char out[65])
{
    struct sha256_ctx c;
    uint8_t digest[SHA256_DIGEST_SIZE];
    memcpy(&c, s->opaque, sizeof c);
    sha256_digest(&c, sizeof digest, digest); /* also starts c again */
    memcpy(s->opaque, &c, sizeof c);
    base16_encode_update(out, sizeof digest, digest); /* lowercase, two digits a byte */
    out[BASE16_ENCODE_LENGTH(SHA256_DIGEST_SIZE)] = '\0';
}

/* The digest of one buffer. */
void cx_sha256_hex(const void *data, size_t n, char out[65])
{
    cx_sha256 s;
    cx_sha256_init(&s);
    cx_sha256_update(&s, data, n);
    cx_sha256_final(&s, out);
}

/* ======================================================================== */
/* Files                                                                    */
/* ======================================================================== */

/* Add the bytes of `path` to s, in 64 KiB reads, until its end or until
 * *stop (when stop is not NULL) becomes nonzero.  CX_ENOENT when the file
 * cannot be opened, CX_EIO when a read fails or the hashing was stopped;
 * errors name the path.  Nothing is allocated (but by fopen), so a caller
 * that treats a failure as "could not be read" (the workbook's About
 * sheet) never hides an allocation failure. */
static cx_status hash_file(cx_sha256 *s, const char *path, atomic_int *stop, cx_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return cx_error_set(err, CX_ENOENT, path, 0, 0, "cannot open: %s", strerror(errno));
    unsigned char buf[FILE_CHUNK];
    cx_status st = CX_OK;
    size_t n;
    while (st == CX_OK && (n = fread(buf, 1, FILE_CHUNK, fp)) > 0) {
        cx_sha256_update(s, buf, n);
        if (stop && atomic_load_explicit(stop, memory_order_relaxed))
            st = cx_error_set(err, CX_EIO, path, 0, 0, "hashing stopped");
    }
    if (st == CX_OK && ferror(fp))
        st = cx_error_set(err, CX_EIO, path, 0, 0, "read failed: %s", strerror(errno));
    fclose(fp);
    return st;
}

/* The digest of a whole file, errors naming it. */
cx_status cx_sha256_file(const char *path, char out[65], cx_error *err)
{
    cx_sha256 s;
    cx_sha256_init(&s);
    cx_status st = hash_file(&s, path, NULL, err);
    if (st == CX_OK)
        cx_sha256_final(&s, out);
    return st;
}

/* ======================================================================== */
/* A file hashed on a thread of its own                                     */
/* ======================================================================== */

struct cx_sha256_job {
    char *path;
    pthread_t tid;
    atomic_int stop;
    cx_status st;
    char hex[65];
};

/* The job's thread: the whole file, unless told to stop. */
static void *run_job(void *arg)
{
    cx_sha256_job *j = arg;
    cx_sha256 s;
    cx_sha256_init(&s);
    j->st = hash_file(&s, j->path, &j->stop, NULL);
    if (j->st == CX_OK)
        cx_sha256_final(&s, j->hex);
    return NULL;
}

/* Copy the path and start the thread; NULL when either fails. */
cx_sha256_job *cx_sha256_file_start(const char *path)
{
    cx_sha256_job *j = cx_calloc(1, sizeof *j);
    if (!j)
        return NULL;
    atomic_init(&j->stop, 0);
    if (!(j->path = cx_strdup(path)) || pthread_create(&j->tid, NULL, run_job, j) != 0) {
        cx_free(j->path);
        cx_free(j);
        return NULL;
    }
    return j;
}

/* Join the thread (told to stop first when cancelling), hand out the
 * digest if there is one, and free the job. */
int cx_sha256_file_finish(cx_sha256_job *j, int cancel, char out[65])
{
    if (!j)
        return 0;
    if (cancel)
        atomic_store(&j->stop, 1);
    pthread_join(j->tid, NULL);
    int ok = !cancel && j->st == CX_OK;
    if (ok)
        memcpy(out, j->hex, sizeof j->hex);
    cx_free(j->path);
    cx_free(j);
    return ok;
}
