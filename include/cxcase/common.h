/*
 * cxcase/common.h - status codes, the error record, warnings and version.
 *
 * Every fallible call in libcxcase takes a caller-owned cx_error (NULL is
 * allowed) and returns a cx_status.  The library never prints:
 *
 *     cx_error err;
 *     cx_error_init(&err);
 *     cx_table *t = NULL;
 *     if (cx_csv_read("sales.csv", NULL, &t, &err) != CX_OK) {
 *         char line[CX_ERROR_LINE_MAX];
 *         fprintf(stderr, "%s\n", cx_error_format(&err, line, sizeof line));
 *         return 1;
 *     }
 *     cx_table_free(t);
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_COMMON_H
#define CXCASE_COMMON_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define CX_API __attribute__((visibility("default")))
#else
#define CX_API
#endif

#define CX_VERSION_MAJOR 0
#define CX_VERSION_MINOR 1
#define CX_VERSION_PATCH 0
#define CX_VERSION "0.1.0"

/** Status of a library call.  Keep in step with the table in src/core/error.c. */
typedef enum cx_status {
    CX_OK = 0,      /**< success */
    CX_ENOMEM,      /**< out of memory */
    CX_EIO,         /**< reading or writing a file failed after it was opened */
    CX_ENOENT,      /**< an input file cannot be opened */
    CX_ECREATE,     /**< an output file cannot be created */
    CX_ESYNTAX,     /**< malformed input text (CSV, JSON, a period, a number) */
    CX_EINVAL,      /**< well-formed input with an impossible value */
    CX_ENUMERIC,    /**< a numerical method failed (singular, no convergence) */
    CX_EUSAGE,      /**< the caller used the API or the command line wrongly */
    CX_STATUS_MAX   /**< sentinel: number of statuses */
} cx_status;

#define CX_ERROR_MSG_MAX 512
#define CX_ERROR_FILE_MAX 256
#define CX_ERROR_PTR_MAX 128
#define CX_ERROR_LINE_MAX 1024

/**
 * The error record.  Filled in where the error is detected; the first error
 * wins (later calls leave a set record alone).  Line and column are 1-based,
 * 0 meaning unknown; the column counts characters (UTF-8 code points).
 * `pointer` is a JSON Pointer ("/initiatives/2/effects/0") or empty.
 */
typedef struct cx_error {
    cx_status status;
    char file[CX_ERROR_FILE_MAX];
    unsigned long line;
    unsigned long column;
    char pointer[CX_ERROR_PTR_MAX];
    char message[CX_ERROR_MSG_MAX];
} cx_error;

/** Short description of a status ("out of memory"); never NULL. */
CX_API const char *cx_strerror(cx_status status);

/** Reset an error record to CX_OK with empty fields. */
CX_API void cx_error_init(cx_error *err);

/**
 * Record an error unless `err` is NULL or already holds one.  `file` may be
 * NULL; line and column may be 0.  The message is printf-formatted.
 * Returns `status`, so detection sites can `return cx_error_set(...)`.
 */
CX_API cx_status cx_error_set(cx_error *err, cx_status status, const char *file,
                              unsigned long line, unsigned long column,
                              const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/**
 * Format the record as one line without a trailing newline into `buf`:
 * "file:line:col: error: message", "file: /pointer: error: message" or
 * "error: message".  Returns `buf`.
 */
CX_API const char *cx_error_format(const cx_error *err, char *buf, size_t size);

/**
 * A list of warnings in plain language, owned by the caller.  Library calls
 * that can warn append to a list the caller passes (NULL: warnings dropped).
 */
typedef struct cx_warnings cx_warnings;

/** A new empty list, or NULL when out of memory.  Free with cx_warnings_free. */
CX_API cx_warnings *cx_warnings_new(void);
/** Free the list and its strings; NULL is allowed. */
CX_API void cx_warnings_free(cx_warnings *w);
/** Number of warnings in the list (0 for NULL). */
CX_API size_t cx_warnings_count(const cx_warnings *w);
/** The i-th warning, borrowed until the list is freed. */
CX_API const char *cx_warnings_get(const cx_warnings *w, size_t i);
/** Append a printf-formatted warning; returns CX_ENOMEM on failure. */
CX_API cx_status cx_warnings_add(cx_warnings *w, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/** The library version string, for example "0.1.0". */
CX_API const char *cx_version(void);

/**
 * Allocation hooks, for out-of-memory tests.  Pass NULL for any to restore
 * the C library's function.  Not thread-safe: set them before any other call.
 */
CX_API void cx_set_alloc_hooks(void *(*malloc_fn)(size_t),
                               void *(*realloc_fn)(void *, size_t),
                               void (*free_fn)(void *));

/**
 * Limits on input, so that a hostile or broken file (a device such as
 * /dev/zero, a line of 2 GB, a quote that is never closed) ends in an error
 * instead of exhausting memory.  `max_line` bounds a CSV record in bytes
 * (its line, or its lines when a quoted field holds line breaks); `max_json`
 * bounds a JSON file in bytes (scenario, model specification, partial fit,
 * fitted model).  0 keeps the default.
 */
typedef struct cx_limits {
    size_t max_line; /**< default CX_MAX_LINE_DEFAULT, 16 MiB */
    size_t max_json; /**< default CX_MAX_JSON_DEFAULT, 64 MiB */
} cx_limits;

#define CX_MAX_LINE_DEFAULT ((size_t)16 << 20)
#define CX_MAX_JSON_DEFAULT ((size_t)64 << 20)

/**
 * Set the limits for every later call (NULL restores the defaults).  Like
 * the allocation hooks, process-wide and not thread-safe: set them before
 * any other call.
 */
CX_API void cx_limits_set(const cx_limits *limits);
/** The limits in force. */
CX_API cx_limits cx_limits_get(void);

/**
 * Check before a long run that an output file can be created at `path`
 * (its folder exists and may be written): a temporary file is created
 * beside it and removed at once.  CX_ECREATE, "cannot create output: ..."
 * with the system's reason, if not.
 */
CX_API cx_status cx_output_check(const char *path, cx_error *err);

/**
 * Remove the temporary files of the outputs being written now (every
 * output is written to a temporary file beside it and renamed only when
 * complete).  For a SIGINT or SIGTERM handler that then ends the process:
 * it calls nothing but unlink(), which is async-signal-safe.
 */
CX_API void cx_remove_temporaries(void);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_COMMON_H */
