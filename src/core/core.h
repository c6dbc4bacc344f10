/*
 * core.h - internal helpers shared by every module: allocation through the
 * hooks, a growable byte buffer, a string hash map, temporary-file output.
 * Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_CORE_H
#define CX_CORE_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>
#include <time.h>
#include "cxcase/common.h"

/* ---- the Monte Carlo's loops over a batch of draws ------------------------ */
/* A function whose loops run over many draws side by side is compiled twice
 * on x86-64, for AVX2 and for the baseline, and the loader picks what the
 * machine has (GCC's target_clones).  The numbers are the same either way:
 * ISO C mode keeps a * b + c from becoming a fused multiply-add
 * (-ffp-contract=off), and vectorising never reorders a sum. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__linux__)
#define CX_BATCH_LOOPS __attribute__((target_clones("avx2", "default")))
#else
#define CX_BATCH_LOOPS
#endif

/* ---- allocation (alloc.c) ------------------------------------------------ */
void *cx_malloc(size_t n);
void *cx_calloc(size_t count, size_t size);
void *cx_realloc(void *p, size_t n);
void cx_free(void *p);
char *cx_strdup(const char *s);
char *cx_strndup(const char *s, size_t n);
/* Grow *p (an array of `elem`-byte items with capacity *cap) to hold `need`
 * items; doubles capacity.  Returns CX_OK or CX_ENOMEM (then *p unchanged). */
cx_status cx_grow(void **p, size_t *cap, size_t need, size_t elem);

/* ---- byte buffer ---------------------------------------------------------- */
typedef struct cx_buf {
    char *data;
    size_t len, cap;
} cx_buf;
cx_status cx_buf_append(cx_buf *b, const void *s, size_t n);
cx_status cx_buf_printf(cx_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void cx_buf_free(cx_buf *b);

/* ---- names a user typed (suggest.c) -------------------------------------- */
/* The candidate nearest to `name` by edit distance (case-insensitive, a
 * transposition counts one), when it is at most 2 or a third of the name
 * away or one starts the other; NULL when none is near.  NULL entries are
 * skipped. */
const char *cx_suggest(const char *name, const char *const *cands, size_t n);
/* Append "; did you mean 'x'?" (when one is near) and " (WHAT: a, b, c)"
 * listing the candidates (the first 12) to b. */
cx_status cx_suggest_text(cx_buf *b, const char *name, const char *const *cands, size_t n, const char *what);

/* ---- hashing (hash.c) ----------------------------------------------------- */
uint64_t cx_hash_bytes(const void *p, size_t n, uint64_t seed);

/* An open-addressing map from byte-string keys to size_t values.  Keys are
 * copied into an arena owned by the map. */
typedef struct cx_strmap cx_strmap;
cx_strmap *cx_strmap_new(void);
void cx_strmap_free(cx_strmap *m);
void cx_strmap_clear(cx_strmap *m);
size_t cx_strmap_count(const cx_strmap *m);
/* Look up `key`; if absent insert it with value `value_if_new`.  Returns the
 * stored value via *value and whether it was inserted via *inserted; *stored
 * (may be NULL) receives the map's own copy of the key (NUL-terminated). */
cx_status cx_strmap_intern(cx_strmap *m, const char *key, size_t len, size_t value_if_new,
                           size_t *value, int *inserted, const char **stored);
/* Returns 1 and sets *value if present, else 0. */
int cx_strmap_get(const cx_strmap *m, const char *key, size_t len, size_t *value);
/* Room for n keys in all without growing (growing moves every key). */
cx_status cx_strmap_reserve(cx_strmap *m, size_t n);
/* For many lookups in a large map: the hash of each key first
 * (cx_strmap_hash), a prefetch of its slot (cx_strmap_prefetch) and a
 * while later of its key (cx_strmap_prefetch_key), then the _hashed calls, so that the slots' cache misses overlap instead of coming
 * one after the other.  The _hashed calls equal the plain ones given
 * h = cx_strmap_hash(key, len). */
uint64_t cx_strmap_hash(const char *key, size_t len);
void cx_strmap_prefetch(const cx_strmap *m, uint64_t h);
/* Once the slot is in the cache: prefetch the key stored there when its
 * hash is h (the key a lookup of h will compare). */
void cx_strmap_prefetch_key(const cx_strmap *m, uint64_t h);
cx_status cx_strmap_intern_hashed(cx_strmap *m, const char *key, size_t len, uint64_t h, size_t value_if_new,
                                  size_t *value, int *inserted, const char **stored);
int cx_strmap_get_hashed(const cx_strmap *m, const char *key, size_t len, uint64_t h, size_t *value);

/* ---- input files (input.c) ------------------------------------------------ */
/* What kind of input `path` is: 0 for a regular file or a pipe (FIFO), else
 * CX_ENOENT with "cannot open: ..." for `name` in err (a directory, a
 * device, a socket, or a path that does not exist).  Never opens it, so a
 * FIFO without a writer does not block here.  *fifo (may be NULL) receives
 * 1 for a pipe, which can be read only once. */
cx_status cx_input_check(const char *path, const char *name, int *fifo, cx_error *err);
/* 1 when `path` is a regular file (stat follows links); for readers that
 * open a file again, which would block on a FIFO. */
int cx_input_regular(const char *path);
/* The size in bytes of the regular file `path`, or 0 (not regular, or none). */
uint64_t cx_input_size(const char *path);
/* A byte count for messages: "16 MiB" when a whole number of MiB, else
 * "1234567 bytes".  Returns buf. */
const char *cx_size_text(size_t n, char *buf, size_t size);

/* ---- time (clock.c) ------------------------------------------------------- */
/* SOURCE_DATE_EPOCH: 1 and *out when set to seconds since 1970, 0 when not
 * set, -1 when malformed. */
int cx_source_date_epoch(time_t *out);
/* The time to record: SOURCE_DATE_EPOCH when set and valid, else now. */
time_t cx_time_now(void);
/* "2026-01-01T00:00:00Z" (UTC); returns buf (32 bytes are enough). */
const char *cx_time_iso(time_t t, char *buf, size_t size);

/* ---- files (file.c) ------------------------------------------------------- */
/* An output written to "<path>.tmp.XXXXXX" beside the target (created with
 * O_EXCL by mkstemp, so a planted symlink is never followed) and renamed
 * over it only by cx_outfile_commit; cx_outfile_abort removes the
 * temporary.  While it exists, its name is registered for
 * cx_remove_temporaries (a signal handler's cleanup). */
typedef struct cx_outfile {
    FILE *fp;
    char *path;
    char *tmp;
    int slot; /* its registration for cx_remove_temporaries, or -1 */
} cx_outfile;
cx_status cx_outfile_open(cx_outfile *o, const char *path, cx_error *err);
cx_status cx_outfile_commit(cx_outfile *o, cx_error *err);
void cx_outfile_abort(cx_outfile *o);
/* Copy everything readable from descriptor `fd` (from its start) into the
 * open output; CX_EIO with the system's reason ("No space left on device")
 * for `o->path`. */
cx_status cx_outfile_copy_fd(cx_outfile *o, int fd, cx_error *err);
/* A scratch file: created by mkstemp in TMPDIR (or /tmp) and unlinked at
 * once, so that nothing is left behind whatever ends the process; *fd
 * receives its descriptor (the caller closes it) and proc a name that opens
 * it again, "/proc/self/fd/N" (for libraries that take a file name).
 * CX_EIO naming `what` when it cannot be made, or /proc is missing. */
cx_status cx_scratch_open(const char *what, int *fd, char proc[32], cx_error *err);

/* ---- UTF-8 (utf8.c) ------------------------------------------------------- */
/* Length of the valid UTF-8 prefix of s[0..n): returns n when all valid. */
size_t cx_utf8_valid_prefix(const unsigned char *s, size_t n);
/* Number of code points in s[0..n) (valid UTF-8 assumed; invalid bytes count one each). */
size_t cx_utf8_count(const unsigned char *s, size_t n);
/* Append the UTF-8 form of windows-1252 text s[0..n) to b. */
cx_status cx_cp1252_to_utf8(cx_buf *b, const unsigned char *s, size_t n);
/* Copy text for display in a message: at most `max` code points, control
 * characters escaped, "..." when cut.  Always NUL-terminates out. */
void cx_quote_excerpt(const char *s, size_t n, size_t max, char *out, size_t size);
/* An amount rounded to a whole number with thousands separators
 * (1234567.8 -> "1,234,568"; not finite -> "-"); returns buf. */
const char *cx_money_text(double v, char *buf, size_t size);

/* ---- hashing of contents (digest.c, by GNU Nettle) ------------------------ */
/* An incremental SHA-256 (FIPS 180-4).  The hashing library's state is held
 * as bytes, so that no header but digest.c's names the library.  Digests are
 * written as 64 lowercase hex digits plus a NUL. */
typedef struct cx_sha256 {
    _Alignas(8) unsigned char opaque[128];
} cx_sha256;
void cx_sha256_init(cx_sha256 *s);
void cx_sha256_update(cx_sha256 *s, const void *data, size_t n);
/* The digest of everything added since init; s starts again afterwards. */
void cx_sha256_final(cx_sha256 *s, char out[65]);
/* The digest of data[0..n). */
void cx_sha256_hex(const void *data, size_t n, char out[65]);
/* The digest of file `path`.  Errors name the path: CX_ENOENT (cannot
 * open), CX_EIO (a read failed).  Allocates nothing. */
cx_status cx_sha256_file(const char *path, char out[65], cx_error *err);
/* A file hashed on a thread of its own, for a caller that reads the same
 * file meanwhile (the fit): on two or more cores the digest costs little
 * wall time.  Start returns NULL when no thread or memory could be had.
 * Finish waits for the thread (with `cancel`, stops it first, for a caller
 * that failed) and frees the job; it returns 1 with the digest in out, or 0
 * when the job was NULL, cancelled or failed: a caller that still wants
 * the digest calls cx_sha256_file, which says why it fails. */
typedef struct cx_sha256_job cx_sha256_job;
cx_sha256_job *cx_sha256_file_start(const char *path);
int cx_sha256_file_finish(cx_sha256_job *job, int cancel, char out[65]);

#endif
