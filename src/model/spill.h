/*
 * spill.h - a temporary file of fixed-length records of doubles, written
 * once and read back any number of times, through a buffer of its own so
 * that a pass costs a few large reads and writes instead of one system call
 * per 4 KiB.  fit.c keeps pass 1's design rows in one for the later passes.
 * Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SPILL_H
#define CX_SPILL_H

#include <stddef.h>

typedef struct cx_spill cx_spill;

/* A new, empty temporary file (in the system's temporary directory, gone
 * when closed) for records of `reclen` doubles; NULL when it cannot be
 * created or there is no memory for its buffer. */
cx_spill *cx_spill_new(size_t reclen);
/* Close and remove the file; accepts NULL. */
void cx_spill_free(cx_spill *s);

/* Append one record (reclen doubles).  Returns 0, or -1 when the file cannot
 * take it (a full disk): the spill is then unusable and the caller frees it. */
int cx_spill_put(cx_spill *s, const double *rec);

/* Start reading from the first record (after writing, or again after a
 * read).  Returns 0, or -1 on an I/O error. */
int cx_spill_rewind(cx_spill *s);

/* The next record, borrowed until the next call; NULL at the end, and also
 * on a read error, which sets *failed to 1. */
const double *cx_spill_get(cx_spill *s, int *failed);

#endif
