/*
 * cell.h - what a CSV cell holds, for the reader (csv.c): the type of each
 * column inferred from its first block of cells, the style in which it
 * writes amounts and dates, and the conversion of every cell under that
 * style.  Never installed.
 *
 * The reader owns the positions; these functions work on text and line
 * numbers and say what went wrong in a message (without the position),
 * with the record whose cell is at fault when that is not the one given.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_CELL_H
#define CX_CELL_H

#include "table.h"

#define CX_CELL_EXCERPT 48

/* The file's rules for its cells. */
typedef struct cx_cellrules {
    char sep;                /* the separator, for messages */
    char decimal, other;     /* the decimal mark, and the other mark */
    int decimal_forced;      /* --decimal was given */
    int dayfirst;            /* year-last dates are day first: ';' files and --decimal , */
    const char *date_format; /* --date-format, or NULL */
} cx_cellrules;

/* How one column writes its cells: set by inference, completed by the first
 * cells that show a style, then held. */
typedef struct cx_colfmt {
    /* amounts */
    int percent;             /* every value ends in '%' (decided by the column's first value) */
    char thousands;          /* 0 until a value uses a thousands separator */
    char currency[4];        /* "" until a value has a currency */
    unsigned long pct_line, th_line, cur_line;
    char pct_cell[CX_CELL_EXCERPT], th_cell[CX_CELL_EXCERPT], cur_cell[CX_CELL_EXCERPT];
    /* periods */
    cx_date_order order;     /* of year-last dates; AUTO: none seen */
    const char *order_why;   /* "the rule for ';' files", ... */
    unsigned long order_line;
    char order_cell[CX_CELL_EXCERPT];
    cx_period_kind kind;     /* the kind of the column's periods, once seen */
    unsigned long kind_line;
    int dates;               /* a period column of dates: messages list the date forms */
    unsigned long time_line; /* the first date with a time of day (0: none) */
    char time_cell[CX_CELL_EXCERPT];
} cx_colfmt;

/* What the first block of a column holds, cell by cell (cx_colguess_add). */
typedef struct cx_colguess {
    size_t seen, numbers, periods, years, others, datelike;
    size_t dmy_only, mdy_only, both;
    int first_percent;          /* -1 until the first number; then whether it ends in '%' */
    unsigned long first_line;   /* ... and its line */
    size_t rec_other, rec_dmy, rec_mdy, rec_both;
    unsigned long line_dmy, line_mdy, line_both, line_time;
    char cell_first[CX_CELL_EXCERPT], cell_other[CX_CELL_EXCERPT], cell_dmy[CX_CELL_EXCERPT],
        cell_mdy[CX_CELL_EXCERPT], cell_both[CX_CELL_EXCERPT], cell_time[CX_CELL_EXCERPT];
    char both_sep;
} cx_colguess;

void cx_cellrules_init(cx_cellrules *rules, char sep, char decimal, int decimal_forced, const char *date_format);

/* Count one non-empty cell s[0 .. n) of record `rec`, which starts on `line`. */
void cx_colguess_add(cx_colguess *g, const cx_cellrules *rules, const char *s, size_t n, size_t rec,
                     unsigned long line);

/*
 * Decide the column's type and format from the counts (and whether its
 * header names a period: year, jaar, ...); a type `forced` by the caller
 * (not CX_COL_AUTO) is kept, with its format decided the same way.  Numbers when more than half of
 * the cells are numbers or amounts, periods when more than half are periods
 * or look like dates, text otherwise.  Returns CX_OK, or CX_ESYNTAX with the
 * message and *rec, the record at fault: numbers written with the other
 * decimal mark, dates whose order of day and month no cell decides or that
 * mix both orders.
 */
cx_status cx_colguess_decide(const cx_colguess *g, const cx_cellrules *rules, const char *name, int period_name,
                             cx_coltype forced, cx_coltype *type, cx_colfmt *fmt, size_t *rec, char *msg,
                             size_t size);

/* Convert a non-empty number cell; CX_ESYNTAX with the message when it is
 * none, or written in another style than the column's. */
cx_status cx_cell_number(const cx_cellrules *rules, cx_colfmt *fmt, const char *name, int forced, const char *s,
                         size_t n, unsigned long line, double *v, char *msg, size_t size);
/* Convert a non-empty period cell; CX_ESYNTAX (no period) or CX_EINVAL
 * (another kind than the column's) with the message. */
cx_status cx_cell_period(const cx_cellrules *rules, cx_colfmt *fmt, const char *name, const char *s, size_t n,
                         unsigned long line, cx_period *p, char *msg, size_t size);

#endif
