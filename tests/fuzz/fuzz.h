/*
 * fuzz.h - what the libFuzzer targets share: a private temporary directory
 * made once per process, writing an input to a file in it, and reading a
 * committed helper file.  Built only by `make fuzz` (clang, libFuzzer).
 *
 * The library reads files by path, so each input is written to a file first;
 * the directory lives as long as the process (libFuzzer ends with exit()).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_FUZZ_H
#define CX_FUZZ_H

#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cxcase/cxcase.h"

static char fuzz_dir[256];

static inline void fuzz_cleanup(void)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
    if (fuzz_dir[0] && system(cmd) != 0)
        fprintf(stderr, "fuzz: cannot remove %s\n", fuzz_dir);
}

/* Make the private directory (once) and turn GSL's aborting handler off. */
static inline void fuzz_init(void)
{
    if (fuzz_dir[0])
        return;
    gsl_set_error_handler_off();
    const char *t = getenv("TMPDIR");
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/cxfuzz.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(fuzz_dir)) {
        perror("fuzz: mkdtemp");
        abort();
    }
    atexit(fuzz_cleanup);
}

/* The path of `name` inside the private directory (a static buffer per call site). */
static inline const char *fuzz_path(const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "%s/%s", fuzz_dir, name);
    return buf;
}

/* Write bytes to a file in the private directory; aborts on failure (an
 * environment problem, not a finding). */
static inline void fuzz_write(const char *path, const void *data, size_t n)
{
    FILE *fp = fopen(path, "wb");
    if (!fp || (n && fwrite(data, 1, n, fp) != n) || fclose(fp) != 0) {
        perror(path);
        abort();
    }
}

/* A committed file of the source tree (TOP is the checkout), as text;
 * caller frees.  Aborts when it is missing. */
static inline char *fuzz_slurp(const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", TOP, rel);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        perror(path);
        abort();
    }
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (!s || fread(s, 1, (size_t)n, fp) != (size_t)n)
        abort();
    s[n] = '\0';
    fclose(fp);
    if (len)
        *len = (size_t)n;
    return s;
}

/* Format an error record, as the CLI would print it (exercises the
 * formatter on whatever the input produced). */
static inline void fuzz_format(const cx_error *err)
{
    char line[CX_ERROR_LINE_MAX];
    cx_error_format(err, line, sizeof line);
    if (strlen(line) >= sizeof line)
        abort();
}

#endif
