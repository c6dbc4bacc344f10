/*
 * ledger.c - the ledger of approved cases as a hash chain: reading and
 * verifying it record by record, and appending a record atomically.
 *
 * Each line is one record, a compact JSON object that opens with "seq",
 * "kind", "created_at", "tool" and "prev" (the SHA-256 of the previous line,
 * without its newline; null for the first) and ends with its own "sha256",
 * the digest of the line with that last member taken out.  So a changed
 * byte in a record breaks its own digest, and a removed, inserted or
 * reordered record breaks the "prev" of the one after it.  The chain proves
 * that nothing was edited since the records were written; anyone who can
 * write the file can rewrite the whole chain, so it is no signature.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cxcase/review.h"
#include "../core/core.h"
#include "ledger_internal.h"

/* The end of every line: the record's own digest as its last member. */
static const char self_key[] = ",\"sha256\":\"";
enum { SELF_KEY_LEN = sizeof self_key - 1, SELF_TAIL = SELF_KEY_LEN + 64 + 2 };

/* ======================================================================== */
/* Reading                                                                  */
/* ======================================================================== */

/* Read the whole ledger into *text (NUL-terminated, freed with cx_free).
 * With `absent` non-NULL a missing file is an empty ledger (*absent = 1);
 * *mode receives the file's permission bits. */
static cx_status read_ledger(const char *path, char **text, size_t *len, int *absent, mode_t *mode,
                             cx_error *err)
{
    *text = NULL;
    *len = 0;
    if (absent)
        *absent = 0;
    int fd = open(path, O_RDONLY);
    if (fd < 0 && errno == ENOENT && absent) {
        *absent = 1;
        *text = cx_calloc(1, 1);
        return *text ? CX_OK : cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    if (fd < 0)
        return cx_error_set(err, CX_ENOENT, path, 0, 0, "cannot open the ledger: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return cx_error_set(err, CX_ENOENT, path, 0, 0, "cannot open the ledger: not a regular file");
    }
    if (mode)
        *mode = st.st_mode & 07777;
    size_t cap = (size_t)st.st_size + 1, n = 0;
    char *buf = cx_malloc(cap);
    cx_status rc = buf ? CX_OK : cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
    while (rc == CX_OK) {
        if (n + 1 >= cap && cx_grow((void **)&buf, &cap, cap * 2, 1) != CX_OK) {
            rc = cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
            break;
        }
        ssize_t got = read(fd, buf + n, cap - 1 - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            rc = cx_error_set(err, CX_EIO, path, 0, 0, "cannot read the ledger: %s", strerror(errno));
        else if (got == 0)
            break;
        else
            n += (size_t)got;
    }
    close(fd);
    if (rc != CX_OK) {
        cx_free(buf);
        return rc;
    }
    buf[n] = '\0';
    *text = buf;
    *len = n;
    return CX_OK;
}

/* ======================================================================== */
/* Verifying                                                                */
/* ======================================================================== */

static int is_hex64(const char *s)
{
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* The digest of line s[0..n) with its last member (its own "sha256") taken
 * out: the bytes before it and the closing brace. */
static void self_digest(const char *s, size_t n, char out[65])
{
    cx_sha256 h;
    cx_sha256_init(&h);
    cx_sha256_update(&h, s, n - SELF_TAIL);
    cx_sha256_update(&h, "}", 1);
    cx_sha256_final(&h, out);
}

/* Check record `no` (line `no`), s[0..n) without its newline, against the
 * SHA-256 of the line before (`prev`, "" for the first record). */
static cx_status check_record(const char *path, unsigned long no, const char *s, size_t n, const char *prev,
                              cx_error *err)
{
    if (n == 0)
        return cx_error_set(err, CX_ESYNTAX, path, no, 0, "record %lu is an empty line", no);
    if (n < SELF_TAIL + 2 || s[0] != '{' || memcmp(s + n - SELF_TAIL, self_key, SELF_KEY_LEN) != 0 ||
        !is_hex64(s + n - 66) || memcmp(s + n - 2, "\"}", 2) != 0)
        return cx_error_set(err, CX_ESYNTAX, path, no, 0,
                            "record %lu does not end with its own \"sha256\" (the line was changed or cut)", no);
    char own[65];
    self_digest(s, n, own);
    if (memcmp(own, s + n - 66, 64) != 0)
        return cx_error_set(err, CX_ESYNTAX, path, no, 0,
                            "record %lu was changed: its content does not match its \"sha256\"", no);
    const char *end = NULL;
    cJSON *doc = cJSON_ParseWithLengthOpts(s, n, &end, 0);
    cx_status rc = CX_OK;
    const cJSON *seq = cJSON_GetObjectItemCaseSensitive(doc, "seq");
    const cJSON *kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    const cJSON *pv = cJSON_GetObjectItemCaseSensitive(doc, "prev");
    if (!cJSON_IsObject(doc) || end != s + n)
        rc = cx_error_set(err, CX_ESYNTAX, path, no, 0, "record %lu is not a JSON object", no);
    else if (!cJSON_IsNumber(seq) || seq->valuedouble != (double)no)
        rc = cx_error_set(err, CX_ESYNTAX, path, no, 0, "record %lu: expected \"seq\": %lu", no, no);
    else if (!cJSON_IsString(kind) || (strcmp(kind->valuestring, "case") != 0 &&
                                       strcmp(kind->valuestring, "review") != 0))
        rc = cx_error_set(err, CX_ESYNTAX, path, no, 0, "record %lu: expected \"kind\" \"case\" or \"review\"",
                          no);
    else if (!prev[0] && !cJSON_IsNull(pv))
        rc = cx_error_set(err, CX_ESYNTAX, path, no, 0, "record %lu: expected \"prev\": null in the first record",
                          no);
    else if (prev[0] && (!cJSON_IsString(pv) || strcmp(pv->valuestring, prev) != 0))
        rc = cx_error_set(err, CX_ESYNTAX, path, no, 0,
                          "record %lu: \"prev\" is not the SHA-256 of record %lu (a record was changed, "
                          "removed or moved)", no, no - 1);
    cJSON_Delete(doc);
    return rc;
}

cx_status cx_ledger_check(const char *path, const char *text, size_t len, size_t *n, char last[65],
                          cx_error *err)
{
    *n = 0;
    last[0] = '\0';
    size_t at = 0;
    unsigned long no = 0;
    while (at < len) {
        no++;
        const char *nl = memchr(text + at, '\n', len - at);
        if (!nl)
            return cx_error_set(err, CX_ESYNTAX, path, no, 0,
                                "record %lu is incomplete: its line has no end (a write was cut short)", no);
        size_t ll = (size_t)(nl - (text + at));
        cx_status rc = check_record(path, no, text + at, ll, last, err);
        if (rc != CX_OK)
            return rc;
        cx_sha256_hex(text + at, ll, last);
        at += ll + 1;
    }
    *n = no;
    return CX_OK;
}

cx_status cx_ledger_verify(const char *path, size_t *nrecords, cx_error *err)
{
    char *text, last[65];
    size_t len, n;
    cx_status rc = read_ledger(path, &text, &len, NULL, NULL, err);
    if (rc != CX_OK)
        return rc;
    rc = cx_ledger_check(path, text, len, &n, last, err);
    cx_free(text);
    if (rc == CX_OK && nrecords)
        *nrecords = n;
    return rc;
}

/* ======================================================================== */
/* Appending                                                                */
/* ======================================================================== */

cx_status cx_ledger_time(char out[32], cx_error *err)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    time_t t;
    if (e && *e) {
        char *end;
        errno = 0;
        long long v = strtoll(e, &end, 10);
        if (*end || errno || v < 0 || e[0] < '0' || e[0] > '9')
            return cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                                "SOURCE_DATE_EPOCH: expected whole seconds since 1970, found '%.40s'", e);
        t = (time_t)v;
    } else
        t = time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        return cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "SOURCE_DATE_EPOCH: the time is out of range");
    return CX_OK;
}

/* The new record's line (with its newline), freed with cx_free. */
static cx_status make_line(const char *path, size_t seq, const char *kind, const char *prev, const cJSON *body,
                           char **line, size_t *len, cx_error *err)
{
    char when[32];
    cx_status rc = cx_ledger_time(when, err);
    if (rc != CX_OK)
        return rc;
    cJSON *rec = cJSON_CreateObject();
    int ok = rec && cJSON_AddNumberToObject(rec, "seq", (double)seq) && cJSON_AddStringToObject(rec, "kind", kind) &&
             cJSON_AddStringToObject(rec, "created_at", when) && cJSON_AddStringToObject(rec, "tool", "cxcase " CX_VERSION) &&
             (prev[0] ? cJSON_AddStringToObject(rec, "prev", prev) != NULL : cJSON_AddNullToObject(rec, "prev") != NULL);
    const cJSON *m;
    cJSON_ArrayForEach(m, body) {
        cJSON *c = ok ? cJSON_Duplicate(m, 1) : NULL;
        ok = c && cJSON_AddItemToObject(rec, m->string, c);
    }
    char *text = ok ? cJSON_PrintUnformatted(rec) : NULL;
    cJSON_Delete(rec);
    size_t n = text ? strlen(text) : 0;
    char *out = text ? cx_malloc(n + SELF_TAIL + 2) : NULL;
    if (!out) {
        cJSON_free(text);
        return cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
    }
    /* the text without its closing brace, then its digest as the last member */
    char own[65];
    cx_sha256_hex(text, n, own);
    memcpy(out, text, n - 1);
    memcpy(out + n - 1, self_key, SELF_KEY_LEN);
    memcpy(out + n - 1 + SELF_KEY_LEN, own, 64);
    memcpy(out + n - 1 + SELF_TAIL - 2, "\"}\n", 4);
    cJSON_free(text);
    *line = out;
    *len = n - 1 + SELF_TAIL + 1;
    return CX_OK;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Sync the directory holding `path`, so that the rename survives a crash. */
static void sync_dir(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? cx_strndup(path, slash == path ? 1 : (size_t)(slash - path)) : cx_strdup(".");
    int fd = dir ? open(dir, O_RDONLY) : -1;
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    cx_free(dir);
}

/* Write old[0..olen) and line[0..llen) to "<path>.tmp.XXXXXX" (created by
 * mkstemp: O_EXCL, so never through a symlink), sync and rename it over
 * `path`.  The temporary is removed on failure. */
static cx_status replace(const char *path, const char *old, size_t olen, const char *line, size_t llen,
                         mode_t mode, cx_error *err)
{
    size_t n = strlen(path);
    char *tmp = cx_malloc(n + 12);
    if (!tmp)
        return cx_error_set(err, CX_ENOMEM, path, 0, 0, "out of memory");
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp.XXXXXX", 12);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int e = errno;
        cx_free(tmp);
        return cx_error_set(err, CX_ECREATE, path, 0, 0, "cannot create the new ledger beside it: %s", strerror(e));
    }
    cx_status rc = CX_OK;
    if (fchmod(fd, mode) != 0 || write_all(fd, old, olen) != 0 || write_all(fd, line, llen) != 0 || fsync(fd) != 0)
        rc = cx_error_set(err, CX_EIO, path, 0, 0, "cannot write the new ledger: %s", strerror(errno));
    if (close(fd) != 0 && rc == CX_OK)
        rc = cx_error_set(err, CX_EIO, path, 0, 0, "cannot write the new ledger: %s", strerror(errno));
    if (rc == CX_OK && rename(tmp, path) != 0)
        rc = cx_error_set(err, CX_EIO, path, 0, 0, "cannot replace the ledger: %s", strerror(errno));
    if (rc != CX_OK)
        unlink(tmp);
    else
        sync_dir(path);
    cx_free(tmp);
    return rc;
}

cx_status cx_ledger_append(const char *path, const char *kind, const cJSON *body, size_t *seq, cx_error *err)
{
    char *old = NULL, *line = NULL, last[65];
    size_t olen = 0, llen = 0, n = 0;
    int absent = 0;
    mode_t mode = 0;
    cx_status rc = read_ledger(path, &old, &olen, &absent, &mode, err);
    if (rc == CX_OK)
        rc = cx_ledger_check(path, old, olen, &n, last, err);
    if (rc == CX_OK)
        rc = make_line(path, n + 1, kind, last, body, &line, &llen, err);
    if (rc == CX_OK && absent) {
        mode_t mask = umask(0);
        umask(mask);
        mode = 0666 & ~mask;
    }
    /* the old records are written from the very bytes that were verified */
    if (rc == CX_OK)
        rc = replace(path, old, olen, line, llen, mode, err);
    if (rc == CX_OK && seq)
        *seq = n + 1;
    cx_free(old);
    cx_free(line);
    return rc;
}
