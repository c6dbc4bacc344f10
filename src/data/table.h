/*
 * table.h - internal access to cx_table for the data modules (csv.c reuses
 * one block table and clears it between blocks), and to the CSV reader for
 * the sources of the fit.  Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_TABLE_INTERNAL_H
#define CX_TABLE_INTERNAL_H

#include "cxcase/data.h"
#include "../core/core.h"

/* Drop every row but keep the columns and capacity; text is released. */
void cx_table_clear_rows(cx_table *t);
/* How often the rows were cleared: within one generation equal texts are
 * one pointer, and a pointer is never reused for another text. */
unsigned long cx_table_generation(const cx_table *t);
/* Set a text cell from `len` bytes (not NUL-terminated). */
cx_status cx_table_set_textn(cx_table *t, size_t col, size_t row, const char *s, size_t len);
/* Reserve capacity for `rows` rows. */
cx_status cx_table_reserve(cx_table *t, size_t rows);
/* Copy every cell of row `srow` of `src` into row `drow` of `dst`, mapping
 * src column j to dst column map[j] ((size_t)-1 = skip). */
cx_status cx_table_copy_row(cx_table *dst, size_t drow, const cx_table *src, size_t srow,
                            const size_t *map);
/* Append rows[0..n) of `src` (rows 0..n when rows is NULL) to `dst`, with
 * their source lines, src column j into dst column map[j] ((size_t)-1 =
 * skip; NULL = the same column); dst columns nothing maps to are missing.
 * The same cells as cx_table_add_row and cx_table_copy_row per row, but a
 * column at a time, and a text repeated in src is interned in dst once.
 * On failure (out of memory) dst keeps only the rows it had. */
cx_status cx_table_append_rows(cx_table *dst, const cx_table *src, const size_t *rows, size_t n,
                               const size_t *map);

/* The file a column came from: its own for a column of a joined panel,
 * else the table's source. */
const char *cx_table_colsource(const cx_table *t, size_t col);
cx_status cx_table_set_colsource(cx_table *t, size_t col, const char *source);
/* For a message about a column `name` that t lacks, append "which 'f.csv'
 * does not have" (a joined panel: "which none of the files has (a.csv,
 * b.csv)"), a "did you mean" when a column is near, and the columns. */
cx_status cx_table_describe_missing(const cx_table *t, const char *name, cx_buf *b);

/* ---- cadence: the spacing of a column of periods (period.c) ---------------
 * Lags and holdouts count steps of a column's cadence: for weeks, months,
 * quarters and years their own kind; for dates the coarsest regular spacing
 * every date of the column fits (see cx_cadence_kind), so that one date a
 * year (2021-12-31, 2022-12-31) is a yearly series and lag(x, 1) reads the
 * year before, not the day before. */
typedef struct cx_cadence {
    int32_t kind;      /* the kind of the periods added */
    size_t n;          /* periods added (missing ones are not) */
    int month, day, weekday; /* of the first date */
    unsigned flags;    /* what every date added has in common */
} cx_cadence;

void cx_cadence_init(cx_cadence *c);
void cx_cadence_add(cx_cadence *c, cx_period p);
/* The cadence of the periods added (NONE when none was). */
cx_period_kind cx_cadence_kind(const cx_cadence *c);
/* "one date a year (on 12-31)", "months" ... for messages. */
const char *cx_cadence_describe(const cx_cadence *c, char *buf, size_t size);
/* The number of p in steps of `cadence` (consecutive steps differ by one);
 * p's own value when cadence is its kind or NONE. */
int32_t cx_period_step(cx_period p, cx_period_kind cadence);
/* The date standing for period q of the cadence's kind in a column of dates
 * at cadence c (2022-03 -> 2022-03-01 for dates on the 1st); q otherwise. */
cx_period cx_cadence_date(const cx_cadence *c, cx_period q);
/* The cadence of the period column `col` over all rows of t. */
void cx_table_period_cadence(const cx_table *t, size_t col, cx_cadence *c);

/* ---- dates as exports write them (date.c) --------------------------------- */
/* What a cell that looks like a date is: three groups of digits with one
 * separator ('-', '/' or '.'), perhaps a time of day.  Year first: ymd says
 * whether it is a valid date (m1, d1).  Year last: dmy and mdy say whether
 * it is valid day first (d1-m1) and month first (m2/d2); neither for 31-02-2024
 * or a two-digit year. */
typedef struct cx_date_shape_info {
    int year_first, ymd, dmy, mdy, time;
    char sep;
    long year, m1, d1, m2, d2;
} cx_date_shape_info;
/* 1 when s[0 .. n) (spaces trimmed) looks like a date, with *d filled in. */
int cx_date_shape(const char *s, size_t n, cx_date_shape_info *d);
/* The day y-m-d (a valid date, year 1000-9999) as a period (period.c). */
cx_period cx_period_day(long y, long m, long d);
/* The day a cell of shape d stands for in `order` (year first: always
 * year, month, day); CX_ESYNTAX when it is no valid date in that order. */
cx_status cx_date_of_shape(const cx_date_shape_info *d, cx_date_order order, cx_period *out);
/* Days in month m of year y (0 for a month outside 1-12). */
int cx_days_in_month(long y, long m);
/* 1 when a strptime format names a year, a month and a day. */
int cx_date_format_valid(const char *format);

/* End the byte range of an open reader at `end` (0 = the end of the file),
 * for a caller that would otherwise open the file again with that range.
 * Returns 1, or 0 when the reader has already read beyond `end`. */
int cx_csv_set_range_end(cx_csv_reader *r, uint64_t end);

/* The start of the second half of file `path`, for reading its halves on
 * two threads: the line after its middle byte, into *mid.  Returns 1, or 0
 * when the file is smaller than min_bytes, has no line break after its
 * middle or cannot be read.  Whether *mid starts a record (not a line
 * inside a quoted field) shows only when the first half has been read up
 * to it. */
int cx_csv_split_point(const char *path, uint64_t min_bytes, uint64_t *mid);
/* Copy a pipe (a FIFO, or standard input for "-"), which can be read only
 * once, into a temporary file in TMPDIR (or /tmp) that is unlinked as soon
 * as it is made, so that nothing is left behind whatever ends the process;
 * *fd receives its descriptor and *spool a name that opens it again,
 * "/proc/self/fd/N" (caller closes *fd and frees *spool with cx_free).  A
 * line longer than cx_limits_get().max_line is CX_ESYNTAX at its line
 * (`name` in messages) before it can fill the disk. */
cx_status cx_csv_spool(const char *path, const char *name, int *fd, char **spool, cx_error *err);

#endif
