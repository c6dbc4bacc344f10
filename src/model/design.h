/*
 * design.h - data sources that can be read more than once (a sorted
 * in-memory table, or a CSV file streamed anew on each pass) and the
 * design-matrix builder that turns their rows into regression rows.
 * Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_DESIGN_H
#define CX_DESIGN_H

#include "model_internal.h"

/* ---- sources ------------------------------------------------------------ */

typedef struct cx_source {
    /* streamed CSV */
    char *path;   /* the file each pass opens: the input, or the copy of a pipe */
    char *spool;  /* a pipe's copy ("/proc/self/fd/N", also in path), or NULL */
    int spool_fd; /* its descriptor, when spool is set */
    char *name;   /* the input's name in messages when it is a pipe's copy */
    cx_csv_options copt;
    cx_csv_coltype *types; /* owned copies of the forced column types */
    unsigned char *skip;   /* columns the design does not read, or NULL */
    size_t ntypes;
    cx_csv_reader *r;
    /* in memory: the rows sorted by unit, then period, handed out as one
     * block: the caller's table when in order, else `copy` (owned) */
    const cx_table *sorted;
    cx_table *copy;
    int handed;
    int fresh; /* the reader has handed out nothing yet: a rewind keeps it */
    const cx_table *schema;
} cx_source;

/* Rows of the table `t`, by unit (the text columns `units`; all text
 * columns when NULL and t has a period column) and then period.  t must
 * outlive the source: when its rows are in that order it is read in place. */
cx_status cx_source_table(cx_source *s, const cx_table *t, const char *const *units,
                          size_t nunits, cx_error *err);
cx_status cx_source_csv(cx_source *s, const char *path, const cx_csv_options *copt,
                        cx_error *err);
/* Convert only the columns marked in `need` (one entry per column of the
 * schema) from now on; a streamed file skips the others. */
cx_status cx_source_need(cx_source *s, const unsigned char *need, cx_error *err);
/* Start a new pass over the rows. */
cx_status cx_source_rewind(cx_source *s, cx_error *err);
/* The next block (NULL at the end); borrowed until the next call. */
cx_status cx_source_next(cx_source *s, const cx_table **block, cx_error *err);
void cx_source_close(cx_source *s);

/* ---- the design --------------------------------------------------------- */

typedef struct cx_design cx_design;

/* Resolve an equation against the columns of `schema`: unknown columns,
 * wrong types and bad weights are errors naming the spec file and the JSON
 * Pointer of the equation. */
cx_status cx_design_new(const cx_spec *spec, size_t eq, const cx_table *schema,
                        cx_design **out, cx_error *err);
void cx_design_free(cx_design *d);

/* Read the levels of every C(x) term (a pass over the source) when the
 * design has any; sorted byte order, the first level is the baseline.  A
 * term with fewer than two levels is an error (not for a full design).  The
 * same pass finds the period column's cadence when lags or C(quarter) need
 * it and the schema was no in-memory table (whose rows give it at once). */
cx_status cx_design_levels(cx_design *d, cx_source *src, cx_error *err);

/* Partial fits: give every level of each C(x) term its own column and drop
 * the intercept column when there is such a term (their sum is the
 * intercept), so that partitions with different levels can be merged.  Call
 * before cx_design_levels. */
void cx_design_set_full(cx_design *d);
/* Set the levels of C(x) term `term` (sorted; the first is the baseline)
 * instead of reading them from data; the columns are final once every C(x)
 * term has its levels (fewer than two is an error, as in cx_design_levels). */
cx_status cx_design_set_levels(cx_design *d, size_t term, const char *const *names, size_t n,
                               cx_error *err);

/* Number of estimated columns and their names ("(Intercept)" first). */
size_t cx_design_ncols(const cx_design *d);
const char *cx_design_colname(const cx_design *d, size_t j);
/* 1 when column j codes a level of a C(x) term (a fixed effect). */
int cx_design_col_is_cat(const cx_design *d, size_t j);
/* 1 when column j is the intercept. */
int cx_design_has_intercept(const cx_design *d);

/* Hold out the last `periods` periods of every unit, counted in steps of
 * the period column's cadence like lags: a pass over the source finds each
 * unit's last period; cx_design_row then returns 2 for held-out rows.
 * Needs a period column. */
cx_status cx_design_holdout(cx_design *d, cx_source *src, size_t periods, cx_error *err);

/* After a pass: 1 (and the term and level) when a level of a C(x) term had
 * no row used. */
int cx_design_empty_level(const cx_design *d, const char **term, const char **level);

/* Forget the lag history; call at the start of every pass. */
void cx_design_begin_pass(cx_design *d);

/*
 * Evaluate row i of block b.  Returns 1 and fills x (ncols), *y (the target
 * minus fixed terms), *w (weight, 1 without weights) and *unit (an id per
 * unit, 0-based) when the row has every value the equation needs; 2 for a
 * complete row that is held out (x, y filled); 0 when the row is dropped;
 * -1 on an error (recorded in err with its status in *st).
 */
int cx_design_row(cx_design *d, const cx_table *b, size_t i, double *x, double *y, double *w,
                  size_t *unit, cx_status *st, cx_error *err);

/* The longest lag, and whether there are C(x) terms. */
size_t cx_design_max_lag(const cx_design *d);
/* The period column's cadence (weeks, months, ...) once the first pass has
 * needed it (lags, C(quarter)); CX_PERIOD_NONE when it was never needed. */
cx_period_kind cx_design_cadence(const cx_design *d);
int cx_design_has_cat(const cx_design *d);
/* The key of unit `uid` (its unit texts, each with its NUL), valid until the
 * next pass; and the id of a key, added when new.  For merging the units of
 * two designs that read two halves of a file. */
const char *cx_design_unit_key(const cx_design *d, size_t uid, size_t *len);
cx_status cx_design_unit_intern(cx_design *d, const char *key, size_t len, size_t *uid);
/* Mark in need[] (one entry per schema column, zeroed by the caller) the
 * columns the design reads (the period column also when `period_too`). */
void cx_design_needed(const cx_design *d, int period_too, unsigned char *need);
/* 1 when the design has unit columns. */
int cx_design_has_units(const cx_design *d);
/* The number of units seen so far in this pass. */
size_t cx_design_nunits(const cx_design *d);

/* Raw input columns of the equation (target and every numeric factor column),
 * with their value in the row last evaluated by cx_design_row. */
size_t cx_design_ninputs(const cx_design *d);
const char *cx_design_input_name(const cx_design *d, size_t k);
double cx_design_input_value(const cx_design *d, size_t k);

/* 1 when column j codes a level of C(u) for a unit column u: a unit's own
 * effect, whose standard error clustered by unit is not identified. */
int cx_design_col_is_unit_effect(const cx_design *d, size_t j);

/* Terms measured with error (errors-in-variables): how many, the design
 * column of the k-th, its error variance (the square of its standard error,
 * for lag(x, k) that of the row k periods back) in the row last evaluated,
 * and its column's name and that of its standard errors. */
size_t cx_design_nme(const cx_design *d);
size_t cx_design_me_col(const cx_design *d, size_t k);
double cx_design_me_var(const cx_design *d, size_t k);
const char *cx_design_me_name(const cx_design *d, size_t k, const char **se);

/* Fixed terms: count, name, coefficient and standard error. */
size_t cx_design_nfixed(const cx_design *d);
const cx_fixed *cx_design_fixed(const cx_design *d, size_t k);

#endif
