/*
 * cxcase/data.h - periods, CSV reading, typed tables, the panel join and
 * survey aggregation.
 *
 *     cx_error err;  cx_error_init(&err);
 *     cx_table *files[2] = {NULL, NULL}, *panel = NULL;
 *     cx_warnings *warn = cx_warnings_new();
 *     if (cx_csv_read("logistics.csv", NULL, &files[0], &err) == CX_OK &&
 *         cx_csv_read("service.csv", NULL, &files[1], &err) == CX_OK &&
 *         cx_panel_join((const cx_table *const *)files, 2, NULL, 0,
 *                       &panel, warn, &err) == CX_OK)
 *         printf("%zu rows\n", cx_table_nrows(panel));
 *     cx_table_free(files[0]); cx_table_free(files[1]);
 *     cx_table_free(panel); cx_warnings_free(warn);
 *
 * Ownership: a cx_table owns its cells; getters return borrowed pointers that
 * stay valid until the table is freed.  A cx_csv_reader owns the block it
 * hands out, valid until the next call on the reader.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_DATA_H
#define CXCASE_DATA_H

#include <stddef.h>
#include <stdint.h>
#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------
 * Periods
 * ------------------------------------------------------------------------ */

/** The granularity of a period. */
typedef enum cx_period_kind {
    CX_PERIOD_NONE = 0, /**< missing */
    CX_PERIOD_DAY,      /**< 2025-03-31; value = days since 1970-01-01 */
    CX_PERIOD_WEEK,     /**< 2025-W07 (ISO 8601); value = weeks since the ISO week of 1970-01-01 */
    CX_PERIOD_MONTH,    /**< 2025-03; value = 12 * year + month - 1 */
    CX_PERIOD_QUARTER,  /**< 2025Q1; value = 4 * year + quarter - 1 */
    CX_PERIOD_YEAR      /**< 2025; value = year */
} cx_period_kind;

/** A period: consecutive periods of one kind have consecutive values. */
typedef struct cx_period {
    int32_t kind; /**< a cx_period_kind */
    int32_t value;
} cx_period;

#define CX_PERIOD_TEXT_MAX 16

/**
 * Parse "2025-03-31", "2025-W07", "2025-03", "2025Q1" (also "2025-Q1") or
 * "2025" of exactly `len` bytes.  Returns CX_OK, or CX_ESYNTAX (nothing recorded in an
 * error: the caller knows the position) when the text is no valid period.
 */
CX_API cx_status cx_period_parse(const char *text, size_t len, cx_period *out);
/** The order of day and month in dates written year last. */
typedef enum cx_date_order {
    CX_DATE_AUTO = 0, /**< in options: decide from the cells (and the day-first rule) */
    CX_DATE_DMY,      /**< day first: 17-01-2022, as Dutch and most European systems write */
    CX_DATE_MDY       /**< month first: 01/17/2022, as American systems write */
} cx_date_order;

/**
 * Parse a date as exports write it, of exactly `len` bytes: year first with
 * '-', '/' or '.' ("2022-01-17", "2022/1/17"), or year last in `order`
 * ("17-01-2022", "17-1-2022", "17/01/2022", "17.01.2022" day first; month
 * first "01/17/2022"), with a four-digit year; either may be followed by a
 * time of day (" 14:05", " 14:05:09", "T14:05:09.5"), which is ignored:
 * *has_time (may be NULL) says whether there was one.  The result is a day.
 * Returns CX_OK, or CX_ESYNTAX for no such date (31-02-2024 included), or
 * a year-last date with order CX_DATE_AUTO.
 */
CX_API cx_status cx_date_parse(const char *text, size_t len, cx_date_order order, cx_period *out,
                               int *has_time);
/**
 * Parse a date with a strptime(3) format ("%d-%m-%Y", "%m/%d/%Y %H:%M",
 * "%d %b %Y" with English month names), the whole text after spaces are
 * trimmed; a time it reads, or one after what it reads (" 14:05"), is
 * ignored.  The day must exist (strptime
 * itself takes 31 February).  Returns CX_OK or CX_ESYNTAX.
 */
CX_API cx_status cx_date_parse_format(const char *text, size_t len, const char *format, cx_period *out);
/** Write the canonical text of `p` into buf (at least CX_PERIOD_TEXT_MAX bytes). */
CX_API const char *cx_period_format(cx_period p, char *buf, size_t size);
/** The calendar quarter `p` falls in (an ISO week by its Thursday); a
 *  missing period (kind NONE) for a year, which has no one quarter. */
CX_API cx_period cx_period_quarter(cx_period p);
/** Convert `p` to a coarser or equal kind (day to week, month, quarter or
 *  year ...; a week's year is its ISO year).
 *  Returns CX_EINVAL when `kind` is finer than p's or not comparable (week to month). */
CX_API cx_status cx_period_convert(cx_period p, cx_period_kind kind, cx_period *out);
/** The name of a kind: "day", "week", "month", "quarter", "year" ("missing" for NONE). */
CX_API const char *cx_period_kind_name(cx_period_kind kind);
/** Kind from its name ("day", "week", "month", "quarter", "year"); CX_PERIOD_NONE if unknown. */
CX_API cx_period_kind cx_period_kind_from_name(const char *name);
/** Compare two periods of one kind: <0, 0, >0 (missing sorts first). */
CX_API int cx_period_cmp(cx_period a, cx_period b);

/* ------------------------------------------------------------------------
 * Typed tables
 * ------------------------------------------------------------------------ */

/** Column types. */
typedef enum cx_coltype {
    CX_COL_AUTO = 0, /**< only in options: infer from the data */
    CX_COL_NUMBER,   /**< double; missing = NaN */
    CX_COL_PERIOD,   /**< cx_period; missing = CX_PERIOD_NONE */
    CX_COL_TEXT      /**< UTF-8 text; missing = NULL */
} cx_coltype;

typedef struct cx_table cx_table;

/** The name of a column type: "number", "period", "text". */
CX_API const char *cx_coltype_name(cx_coltype type);

/** A new empty table named `source` (a file name, or NULL).  Caller frees with cx_table_free. */
CX_API cx_table *cx_table_new(const char *source);
/** Free a table; NULL is allowed. */
CX_API void cx_table_free(cx_table *t);
/** Add an empty column (only while the table has no rows).  Returns its index via `index`.
 *  CX_EINVAL with a message if the name is already taken. */
CX_API cx_status cx_table_add_column(cx_table *t, const char *name, cx_coltype type,
                                     size_t *index, cx_error *err);
/** Append one row of missing values; returns its index via `row`. */
CX_API cx_status cx_table_add_row(cx_table *t, unsigned long source_line, size_t *row);
/** Set cells of an existing row (copies text; NULL text = missing). */
CX_API void cx_table_set_number(cx_table *t, size_t col, size_t row, double v);
CX_API void cx_table_set_period(cx_table *t, size_t col, size_t row, cx_period p);
CX_API cx_status cx_table_set_text(cx_table *t, size_t col, size_t row, const char *s);

CX_API size_t cx_table_nrows(const cx_table *t);
CX_API size_t cx_table_ncols(const cx_table *t);
/** The file the table came from, or "" */
CX_API const char *cx_table_source(const cx_table *t);
CX_API const char *cx_table_colname(const cx_table *t, size_t col);
CX_API cx_coltype cx_table_coltype(const cx_table *t, size_t col);
/** Index of the column named `name` (exact, case-sensitive), or (size_t)-1. */
CX_API size_t cx_table_find(const cx_table *t, const char *name);
/** The numeric cells of a CX_COL_NUMBER column, nrows long (NaN = missing). */
CX_API const double *cx_table_numbers(const cx_table *t, size_t col);
/** The period cells of a CX_COL_PERIOD column, nrows long. */
CX_API const cx_period *cx_table_periods(const cx_table *t, size_t col);
/** A text cell, or NULL when missing. */
CX_API const char *cx_table_text(const cx_table *t, size_t col, size_t row);
/** The 1-based line in the source file where row `row` starts (0 if none). */
CX_API unsigned long cx_table_line(const cx_table *t, size_t row);
/** The line and column (1-based; 0 when unknown) of cell (col, row) in the
 *  CSV file the table was read from; the column is found by reading the
 *  file again, for messages about cells found bad after reading. */
CX_API cx_status cx_table_locate(const cx_table *t, size_t col, size_t row, unsigned long *line,
                                 unsigned long *column);
/** Format one cell as text into buf ("" when missing; numbers with %.17g). */
CX_API const char *cx_table_cell_text(const cx_table *t, size_t col, size_t row,
                                      char *buf, size_t size);
/** Write the table as RFC 4180 CSV (comma, LF, '.' decimals, numbers round-trip)
 *  to `path` through a temporary file renamed on success, text cells guarded
 *  against CSV injection (cx_csv_write_options). */
CX_API cx_status cx_table_write_csv(const cx_table *t, const char *path, cx_error *err);

/** How cx_table_write_csv_opt writes text cells. */
typedef struct cx_csv_write_options {
    /** 0 (default): a text cell or column name that starts with = + - @, tab
     *  or CR, which a spreadsheet would run as a formula (CSV injection), is
     *  written as OWASP advises: a single quote before it, the whole cell in
     *  double quotes ("'=1+2"); a spreadsheet then shows the text.  Numbers
     *  are numbers ("-3.5" stays as it is).  Nonzero: text exactly as it is. */
    int raw_text;
} cx_csv_write_options;

/** cx_table_write_csv with options (NULL: the defaults). */
CX_API cx_status cx_table_write_csv_opt(const cx_table *t, const char *path,
                                        const cx_csv_write_options *opt, cx_error *err);

/* ------------------------------------------------------------------------
 * CSV reading
 * ------------------------------------------------------------------------ */

typedef enum cx_encoding {
    CX_ENC_UTF8 = 0,     /**< UTF-8, with or without BOM; invalid UTF-8 is an error */
    CX_ENC_WINDOWS1252   /**< Excel's "ANSI" CSV on Western systems; converted to UTF-8 */
} cx_encoding;

/** Column type forced by name. */
typedef struct cx_csv_coltype {
    const char *name;
    cx_coltype type;
    int required; /**< 1: a name the user gave (--text): a file without the column is an
                       error (unless types_optional), not a silent no-op */
} cx_csv_coltype;

/** A column renamed on the way in: the file's name, and the name it gets. */
typedef struct cx_csv_rename {
    const char *from;
    const char *to;
} cx_csv_rename;

/** Options for reading CSV; a zeroed struct (or NULL) means all defaults. */
typedef struct cx_csv_options {
    char sep;            /**< ',', ';' or '\t'; 0 = detect from the header line (or a first
                              line "sep=;" as Excel writes it) */
    char decimal;        /**< '.' or ','; 0 = ',' when the separator is ';', else '.' */
    cx_encoding encoding;
    size_t block_rows;   /**< rows per block when streaming; 0 = 16384 in the first block
                              (the rows that type the columns) and 2048 after it */
    size_t infer_rows;   /**< rows used to infer column types; 0 = the first block */
    uint64_t range_start; /**< read the data lines from this byte offset (a line start)
                               on, after the header; 0 = from the header on */
    uint64_t range_end;  /**< stop at this byte offset (a line start); 0 = the end */
    unsigned long range_line; /**< with range_start: the line number to give the line
                                   there; 0 = count the lines before it (reads them) */
    const cx_csv_coltype *types; /**< forced types, or NULL (by the file's column name or the new one) */
    size_t ntypes;
    const char *name;    /**< the file's name in messages and tables; NULL = the path
                              ("<stdin>" for "-") */
    const char *date_format; /**< a strptime(3) format for dates ("%d-%m-%Y"), or NULL: the
                                  forms cx_date_parse reads, year-last ones day first in ';'
                                  files and with decimal ',' (else the cells must decide) */
    const cx_csv_rename *renames; /**< columns renamed on the way in, or NULL */
    size_t nrenames;
    int renames_optional; /**< 0: a rename of a column the file lacks is an error; 1: ignored
                               (one list of renames for several files) */
    int types_optional;   /**< 1: a required forced type may name a column the file lacks
                               (one list for several files; the caller checks the list) */
    unsigned char *renamed; /**< (output) NULL, or nrenames flags: each set to 1 when the
                                 file had that rename's column (not set when reading from
                                 range_start) */
    cx_warnings *notes;  /**< (output) notes about the reading, appended when the file is
                              opened (the times of a column of date-times are ignored), or NULL */
} cx_csv_options;

typedef struct cx_csv_reader cx_csv_reader;

/**
 * Open `path` and read its header and first block.  `path` is a regular
 * file, a pipe (a FIFO, read once), or "-" for standard input; a directory
 * or a device is CX_ENOENT ("cannot open: a character device, not a file or
 * a pipe").  A record longer than cx_limits_get().max_line bytes is
 * CX_ESYNTAX at its line, so memory stays bounded whatever the input.
 * Column types are inferred from the first block unless forced in `opt`:
 * a column is numeric when every non-empty cell is a number, a period when
 * every non-empty cell is a period, text otherwise.  Errors: CX_ENOENT when the
 * file cannot be opened, CX_ESYNTAX/CX_EINVAL with file:line:column for bad
 * content (an empty file, a header without rows, duplicate column names ...).
 * Caller frees with cx_csv_close.
 */
CX_API cx_status cx_csv_open(const char *path, const cx_csv_options *opt,
                             cx_csv_reader **out, cx_error *err);
/** Close the reader; NULL is allowed. */
CX_API void cx_csv_close(cx_csv_reader *r);
/** The column layout: a table with no rows, borrowed from the reader. */
CX_API const cx_table *cx_csv_schema(const cx_csv_reader *r);
/** The separator in use (detected or forced). */
CX_API char cx_csv_sep(const cx_csv_reader *r);
/**
 * The next block of rows (at most block_rows), borrowed until the next call.
 * *block is NULL at the end of the file.  A bad cell stops the read with
 * "file:line:column: expected ..., found '...'".
 */
CX_API cx_status cx_csv_next(cx_csv_reader *r, const cx_table **block, cx_error *err);
/**
 * Record an error about cell (row, col) of the current block at its
 * file:line:column, with a printf-formatted message.  For checks that later
 * stages make on values (a score outside its scale).  Returns `status`.
 */
CX_API cx_status cx_csv_cell_error(const cx_csv_reader *r, size_t row, size_t col,
                                   cx_error *err, cx_status status, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;
/** Leave the columns with skip[j] != 0 out of the blocks from now on: their
 *  cells stay missing and are not checked (for a caller that reads only some
 *  columns of a wide export).  `skip` has one entry per column. */
CX_API cx_status cx_csv_skip_columns(cx_csv_reader *r, const unsigned char *skip, cx_error *err);
/** Bytes read so far (for progress and benchmarks). */
CX_API uint64_t cx_csv_bytes_read(const cx_csv_reader *r);

/** Read a whole file into one table (for small files: department exports).
 *  Caller frees with cx_table_free. */
CX_API cx_status cx_csv_read(const char *path, const cx_csv_options *opt,
                             cx_table **out, cx_error *err);

/**
 * Parse a number of exactly `len` bytes, locale-independently and correctly
 * rounded: optional sign, digits with an optional decimal mark (`decimal`),
 * optional exponent.  Surrounding spaces are allowed.  No thousands
 * separators, no hex, no inf/nan.  Returns CX_OK or CX_ESYNTAX.
 */
CX_API cx_status cx_number_parse(const char *text, size_t len, char decimal, double *out);

/** How one cell writes an amount (what cx_amount_parse found). */
typedef struct cx_amount_form {
    char thousands;   /**< the thousands separator: 0 none, '.', ',' or ' ' (a space or no-break space) */
    char percent;     /**< 1 when the cell ends in '%' */
    char negative;    /**< 0 not negative, '-' a sign, ')' accounting parentheses, 't' a trailing minus */
    char currency[4]; /**< "EUR" (for '€' or "EUR"), "USD" ('$'), "GBP" ('£'), "CHF", or "" */
} cx_amount_form;

/**
 * Parse an amount as finance writes it, of exactly `len` bytes, with the
 * decimal mark `decimal`: digits grouped in threes by one thousands
 * separator (the other mark, a space or a no-break space: "1.073.237,22",
 * "1,073,237.22", "1 073 237,22"), a currency sign or code before or after
 * ("€ 1.234,56", "1.234,56 EUR"), a negative as "-1.234,56", "(1.234,56)" or
 * "1.234,56-", a percentage "2,5%".  Every plain number cx_number_parse takes
 * without an exponent is an amount too.  The value is the number as written,
 * correctly rounded as by cx_number_parse (a percentage stays in percentage
 * points: "2,5%" is 2.5).  `form` (output, may be NULL) says how the cell was
 * written.  Returns CX_OK or CX_ESYNTAX.
 */
CX_API cx_status cx_amount_parse(const char *text, size_t len, char decimal, double *out,
                                 cx_amount_form *form);

/* ------------------------------------------------------------------------
 * The panel: department exports joined on period and unit keys
 * ------------------------------------------------------------------------ */

/**
 * Full outer join of `n` tables on their period column and unit key columns.
 * `units` names the unit key columns (NULL: every text column present in all
 * tables, for example "region").  Each table must have exactly one period
 * column (its name may differ between tables: "week", "period"); periods must
 * be of one kind.  Output: the period column (named after the first table's),
 * the unit columns, then every other column in table order, rows sorted by
 * unit then period.  Tables with the same non-key columns (of the same
 * types) are stacked: their rows are appended, a key in two of them being an
 * error naming both files and the key.  Otherwise non-key column names must
 * be unique across tables: tables that share some but not all are an error
 * naming the difference.
 * A key repeated within one table is an error naming both lines; keys missing
 * from some tables are reported in `warn` with counts and examples.
 * Caller frees *out with cx_table_free.
 */
CX_API cx_status cx_panel_join(const cx_table *const *tables, size_t n,
                               const char *const *units, size_t nunits,
                               cx_table **out, cx_warnings *warn, cx_error *err);

/* ------------------------------------------------------------------------
 * Survey aggregation
 * ------------------------------------------------------------------------ */

/** Response scales. */
typedef enum cx_scale {
    CX_SCALE_NPS = 0, /**< 0-10: NPS = % promoters (9-10) - % detractors (0-6) */
    CX_SCALE_CSAT,    /**< 1-5: share (%) of 4-5 */
    CX_SCALE_CES,     /**< 1-7: mean */
    CX_SCALE_RATING   /**< 1-5: mean */
} cx_scale;

CX_API const char *cx_scale_name(cx_scale s);
/** Scale from its name; returns CX_EINVAL for an unknown name. */
CX_API cx_status cx_scale_from_name(const char *name, cx_scale *out);

typedef struct cx_survey_options {
    cx_scale scale;
    const char *score;          /**< score column; NULL = "score" */
    const char *const *by;      /**< group columns; "period" = the period column */
    size_t nby;
    cx_period_kind period_kind; /**< coarsen the period key (NONE = keep) */
    int skip_invalid;           /**< skip scores outside the scale instead of failing */
    const char *prefix;         /**< NULL: columns n, nps, se ...; "nps": nps_n, nps, nps_se ...
                                     (names that stay clear in a joined panel) */
} cx_survey_options;

/** Counts from one aggregation, for the caller's report. */
typedef struct cx_survey_stats {
    uint64_t responses;     /**< data rows read */
    uint64_t used;          /**< rows counted in a group */
    uint64_t missing_score; /**< rows with an empty score (skipped) */
    uint64_t missing_key;   /**< rows with an empty group key (skipped) */
    uint64_t invalid;       /**< scores outside the scale, skipped with skip_invalid */
    unsigned long first_invalid_line; /**< line of the first skipped invalid score */
} cx_survey_stats;

/**
 * Aggregate responses streamed from `r` into one row per group, sorted by
 * the keys.  Columns: the keys, then for NPS: n, nps, se, ci_low, ci_high,
 * awald_low, awald_high, promoters, passives, detractors, promoter_share,
 * passive_share, detractor_share (shares in %); for CSAT: n, csat, se,
 * ci_low, ci_high; for CES and rating: n, ces|rating, se, ci_low, ci_high.
 * The 95% interval is score +/- 1.96 SE; the adjusted-Wald interval (Rocks
 * 2016) adds 3/4 promoter, 3/4 detractor and 3/2 passive before the same
 * formula.  A score outside the scale or not an integer is an error at its
 * file:line:column unless skip_invalid.  Caller frees *out with cx_table_free.
 */
CX_API cx_status cx_survey_aggregate(cx_csv_reader *r, const cx_survey_options *opt,
                                     cx_table **out, cx_survey_stats *stats,
                                     cx_error *err);
/**
 * cx_survey_aggregate on the file at `path`, opened with `copt` (NULL:
 * defaults): the same table and statistics.  A file of 16 MB or more is
 * counted in two halves on two threads; when either half fails (a bad
 * line, the middle inside a quoted field), the file is read again on one
 * thread, which reports the first error of the file at its line.
 */
CX_API cx_status cx_survey_aggregate_file(const char *path, const cx_csv_options *copt,
                                          const cx_survey_options *opt, cx_table **out,
                                          cx_survey_stats *stats, cx_error *err);
/**
 * The responses of several files counted together (the history's export and
 * a quarter's; a week may span both), as if they were one file: the same
 * table, named after the first file and with its key columns.  Each file
 * needs the score and group columns, the group columns of the same types.
 * One file is cx_survey_aggregate_file.
 */
CX_API cx_status cx_survey_aggregate_files(const char *const *paths, size_t n, const cx_csv_options *copt,
                                           const cx_survey_options *opt, cx_table **out,
                                           cx_survey_stats *stats, cx_error *err);

/* ------------------------------------------------------------------------
 * The panel from files
 * ------------------------------------------------------------------------ */

/** One file of a panel and how to read it. */
typedef struct cx_panel_source {
    const char *path;
    const cx_csv_options *csv; /**< NULL: defaults */
} cx_panel_source;

/**
 * Read department exports and join them into a panel; with `responses`,
 * survey responses are first aggregated (options `sopt`: scale, score column;
 * grouping and prefix are set here) to the exports' period kind and unit
 * columns, their columns named after the scale (nps, nps_n, nps_se, ...), and
 * joined like one more export.  The renames of `copt` apply to every file that
 * has the column; one that no file has is an error (CX_EUSAGE, with the
 * nearest name).  `units` as for cx_panel_join (NULL: the text
 * columns every export has).  When `inputs` is not NULL it receives the n
 * tables read and the aggregated one (n + 1 slots, NULL when none); the caller
 * frees them with cx_table_free.  Caller frees *out with cx_table_free.
 */
CX_API cx_status cx_panel_load(const char *const *files, size_t n, const char *responses,
                               const cx_survey_options *sopt, const cx_csv_options *copt,
                               const char *const *units, size_t nunits, cx_table **out,
                               cx_table **inputs, cx_warnings *warn, cx_error *err);
/**
 * cx_panel_load with several response files (the history's and a quarter's)
 * counted together as one (cx_survey_aggregate_files); `inputs` as for
 * cx_panel_load (n + 1 slots).
 */
CX_API cx_status cx_panel_load_n(const char *const *files, size_t n, const char *const *responses, size_t nresp,
                                 const cx_survey_options *sopt, const cx_csv_options *copt,
                                 const char *const *units, size_t nunits, cx_table **out,
                                 cx_table **inputs, cx_warnings *warn, cx_error *err);
/**
 * cx_panel_load with options of its own for each file (a scenario's data
 * sources: separator, decimal mark, encoding, date format, renamed columns).
 * Notes of the reading (times ignored) go to `warn` unless a file's options
 * name a list of their own.  When the exports are dates at a coarser
 * cadence (one date a month), the responses are counted per such period
 * and joined on the exports' dates.
 */
CX_API cx_status cx_panel_load_sources(const cx_panel_source *files, size_t n, const cx_panel_source *responses,
                                       const cx_survey_options *sopt, const char *const *units, size_t nunits,
                                       cx_table **out, cx_table **inputs, cx_warnings *warn, cx_error *err);

/**
 * The baseline of a metric per unit: the mean of its values over the last
 * `window` periods of the panel (0: a year, that is 52 weeks, 12 months, 4
 * quarters or 364 days), missing values skipped.  The panel is laid out as
 * cx_panel_join writes it: the period column, then `nunits` unit columns,
 * rows sorted by unit then period.  For each unit in row order sets
 * means[u] and, when not NULL, counts[u] (the values averaged), first[u]
 * (its first row); both arrays need room for one entry per row.  *nunit_out
 * receives the number of units.  CX_EINVAL when the metric is not a numeric
 * column of the panel or a unit has no value in the window (the message
 * names the unit and the window).
 */
CX_API cx_status cx_panel_baseline(const cx_table *panel, size_t nunits, const char *metric, int window,
                                   double *means, size_t *counts, size_t *first, size_t *nunit_out,
                                   cx_error *err);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_DATA_H */
