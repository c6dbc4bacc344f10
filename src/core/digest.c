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
 * nothing beside the hashing of a 256 KiB chunk; a cast would break C's
 * aliasing rules), so no other file includes Nettle and the library could be
 * swapped here alone.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <nettle/base16.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

_Static_assert(sizeof(struct sha256_ctx) <= sizeof(((cx_sha256 *)0)->opaque),
               "cx_sha256 is too small for Nettle's struct sha256_ctx");

#define FILE_CHUNK (1u << 18) /* 256 KiB reads, as the CSV reader makes */

void cx_sha256_init(cx_sha256 *s)
{
    struct sha256_ctx c;
    sha256_init(&c);
    memcpy(s->opaque, &c, sizeof c);
}

void cx_sha256_update(cx_sha256 *s, const void *data, size_t n)
{
    struct sha256_ctx c;
    memcpy(&c, s->opaque, sizeof c);
    sha256_update(&c, n, data);
    memcpy(s->opaque, &c, sizeof c);
}

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

void cx_sha256_hex(const void *data, size_t n, char out[65])
{
    cx_sha256 s;
    cx_sha256_init(&s);
    cx_sha256_update(&s, data, n);
    cx_sha256_final(&s, out);
}

/* Read `path` from byte `start` to its end into s.  CX_ENOENT when it
 * cannot be opened, CX_EIO when a read or the seek fails, CX_ENOMEM. */
cx_status cx_sha256_update_file(cx_sha256 *s, const char *path, uint64_t start, cx_error *err)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return cx_error_set(err, CX_ENOENT, path, 0, 0, "cannot open: %s", strerror(errno));
    unsigned char *buf = cx_malloc(FILE_CHUNK);
    cx_status st = buf ? CX_OK : cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CX_OK && start > 0 && fseeko(fp, (off_t)start, SEEK_SET) != 0)
        st = cx_error_set(err, CX_EIO, path, 0, 0, "cannot seek: %s", strerror(errno));
    size_t n;
    while (st == CX_OK && (n = fread(buf, 1, FILE_CHUNK, fp)) > 0)
        cx_sha256_update(s, buf, n);
    if (st == CX_OK && ferror(fp))
        st = cx_error_set(err, CX_EIO, path, 0, 0, "read failed: %s", strerror(errno));
    cx_free(buf);
    fclose(fp);
    return st;
}

cx_status cx_sha256_file(const char *path, char out[65], cx_error *err)
{
    cx_sha256 s;
    cx_sha256_init(&s);
    cx_status st = cx_sha256_update_file(&s, path, 0, err);
    if (st == CX_OK)
        cx_sha256_final(&s, out);
    return st;
}
