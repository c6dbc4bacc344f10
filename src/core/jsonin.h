/*
 * jsonin.h - reading JSON input files with cJSON, strictly: keys are
 * case-sensitive, a duplicated key or an unknown key is an error, and every
 * error names the JSON Pointer of the offending value (RFC 6901), or the
 * line and column of a syntax error.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_JSONIN_H
#define CX_JSONIN_H

#include <cjson/cJSON.h>
#include "cxcase/common.h"

/* A JSON Pointer being built while walking a document. */
typedef struct cx_jpath {
    char s[CX_ERROR_PTR_MAX];
    size_t len;
} cx_jpath;

void cx_jpath_init(cx_jpath *p);
/* p set to the pointer text ptr (already escaped); returns p. */
const cx_jpath *cx_jpath_of(cx_jpath *p, const char *ptr);
/* Append "/key" (escaped) or "/index"; return the old length for pop. */
size_t cx_jpath_key(cx_jpath *p, const char *key);
size_t cx_jpath_index(cx_jpath *p, size_t i);
void cx_jpath_pop(cx_jpath *p, size_t old);
/* The pointer text ("" for the root is shown as "/"). */
const char *cx_jpath_str(const cx_jpath *p);

/* Record an error at `file` and pointer `p` (the first error wins). */
cx_status cx_json_error(cx_error *err, cx_status st, const char *file, const cx_jpath *p,
                        const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Read and parse a whole file; duplicate keys anywhere are an error.  The
 * caller frees *root with cJSON_Delete. */
cx_status cx_json_load(const char *path, cJSON **root, cx_error *err);
/* The whole text of a JSON file (freed with cx_free): CX_ENOENT when it
 * cannot be opened or is a directory, CX_ESYNTAX when it is empty, CX_EIO,
 * CX_ENOMEM.  cx_json_load reads with it. */
cx_status cx_json_read_file(const char *path, char **text, size_t *len, cx_error *err);
/* Parse `len` bytes of text named `file` in messages. */
cx_status cx_json_parse(const char *text, size_t len, const char *file, cJSON **root,
                        cx_error *err);

/* "a string 'ten'", "a number 12", "an object", "null" ... for messages. */
const char *cx_json_describe(const cJSON *item, char *buf, size_t size);

/* Check that `item` (at pointer p) is an object whose keys are all in the
 * NULL-terminated list `allowed`. */
cx_status cx_json_object(const cJSON *item, const char *const *allowed, const char *file,
                         const cx_jpath *p, cx_error *err);

/* Typed members of an object.  A missing member is an error when `required`,
 * else the output is left as it was and CX_OK returned. */
cx_status cx_json_string(const cJSON *obj, const char *key, int required, const char *file,
                         cx_jpath *p, const char **out, cx_error *err);
cx_status cx_json_number(const cJSON *obj, const char *key, int required, const char *file,
                         cx_jpath *p, double *out, cx_error *err);
cx_status cx_json_integer(const cJSON *obj, const char *key, int required, long lo, long hi,
                          const char *file, cx_jpath *p, long *out, cx_error *err);
cx_status cx_json_bool(const cJSON *obj, const char *key, int required, const char *file,
                       cx_jpath *p, int *out, cx_error *err);
/* An array member (or NULL when absent and not required). */
cx_status cx_json_array(const cJSON *obj, const char *key, int required, const char *file,
                        cx_jpath *p, const cJSON **out, cx_error *err);

#endif
