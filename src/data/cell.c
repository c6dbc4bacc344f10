/*
 * cell.c - what a CSV cell holds: the type of a column from its first block,
 * the style in which it writes amounts and dates, and every cell converted
 * under that style, with a message that says what was expected when a cell
 * does not fit.
 *
 * Rules (README "Input files"):
 * - Numbers: the file's decimal mark (',' in ';' files, else '.', or
 *   --decimal); amounts may group thousands with the other mark or a space,
 *   carry a currency, be negative in parentheses or with a trailing minus,
 *   or be percentages (kept in percentage points: 2,5% is 2.5).  A column
 *   holds one style: one thousands separator, one currency, and either
 *   percentages throughout or none (decided by its first value).
 * - Dates: year first (2022-01-17, 2022/01/17) is never ambiguous.  Year
 *   last is day first in ';' files and with --decimal , (the Dutch rule);
 *   elsewhere the cells decide (17/01/2022 can only be day first), a column
 *   that no cell decides is refused, as is one that mixes both orders.
 *   --date-format settles any form.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cell.h"

#define DATE_FORMS "2025-03-31, 2025/03/31, 31-03-2025, 31/03/2025 or 31.03.2025 (a time after it is ignored)"

static const char *const month_names[12] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};

static void excerpt(const char *s, size_t n, char *out)
{
    cx_quote_excerpt(s, n, 40, out, CX_CELL_EXCERPT);
}

static const char *sep_name(char sep)
{
    return sep == '\t' ? "tab" : sep == ';' ? "';'" : "','";
}

void cx_cellrules_init(cx_cellrules *rules, char sep, char decimal, int decimal_forced, const char *date_format)
{
    memset(rules, 0, sizeof *rules);
    rules->sep = sep;
    rules->decimal = decimal;
    rules->other = decimal == ',' ? '.' : ',';
    rules->decimal_forced = decimal_forced;
    rules->dayfirst = sep == ';' || (decimal_forced && decimal == ',');
    rules->date_format = date_format;
}

/* ======================================================================== */
/* Inference                                                                */
/* ======================================================================== */

/* A number written plainly or as an amount, with the decimal mark `mark`;
 * *percent says whether it ended in '%'. */
static int numeric(const char *s, size_t n, char mark, int *percent)
{
    double v;
    cx_amount_form f;
    *percent = 0;
    if (cx_number_parse(s, n, mark, &v) == CX_OK)
        return 1;
    if (cx_amount_parse(s, n, mark, &v, &f) != CX_OK)
        return 0;
    *percent = f.percent;
    return 1;
}

void cx_colguess_add(cx_colguess *g, const cx_cellrules *rules, const char *s, size_t n, size_t rec,
                     unsigned long line)
{
    cx_period p;
    cx_date_shape_info d;
    int percent;
    if (g->seen++ == 0)
        g->first_percent = -1;
    int is_period = cx_period_parse(s, n, &p) == CX_OK;
    if (is_period && p.kind == CX_PERIOD_YEAR)
        g->years++;
    if (numeric(s, n, rules->decimal, &percent)) {
        g->numbers++;
        if (g->first_percent < 0) {
            g->first_percent = percent;
            g->first_line = line;
            excerpt(s, n, g->cell_first);
        }
        return;
    }
    if (is_period) {
        g->periods++;
        return;
    }
    int shaped = cx_date_shape(s, n, &d);
    if (shaped && d.time && !g->line_time) {
        g->line_time = line;
        excerpt(s, n, g->cell_time);
    }
    if (rules->date_format && cx_date_parse_format(s, n, rules->date_format, &p) == CX_OK) {
        g->periods++;
        return;
    }
    if (shaped) {
        if (d.year_first ? !d.ymd : rules->date_format || !(d.dmy || d.mdy)) {
            g->datelike++; /* looks like a date, but is none: reported when converted */
            return;
        }
        g->periods++;
        if (d.year_first)
            return;
        if (d.dmy && d.mdy) {
            if (g->both++ == 0) {
                g->rec_both = rec, g->line_both = line, g->both_sep = d.sep;
                excerpt(s, n, g->cell_both);
            }
        } else if (d.dmy) {
            if (g->dmy_only++ == 0) {
                g->rec_dmy = rec, g->line_dmy = line;
                excerpt(s, n, g->cell_dmy);
            }
        } else if (g->mdy_only++ == 0) {
            g->rec_mdy = rec, g->line_mdy = line;
            excerpt(s, n, g->cell_mdy);
        }
        return;
    }
    if (!rules->decimal_forced && rules->sep != ',' && numeric(s, n, rules->other, &percent) && g->others++ == 0) {
        g->rec_other = rec;
        excerpt(s, n, g->cell_other);
    }
}

/* The order of the year-last dates of a period column; CX_ESYNTAX when no
 * cell decides it or the cells mix both orders. */
static cx_status decide_order(const cx_colguess *g, const cx_cellrules *rules, const char *name, cx_colfmt *fmt,
                              size_t *rec, char *msg, size_t size)
{
    if (rules->date_format || rules->dayfirst || g->dmy_only + g->mdy_only + g->both == 0)
        return CX_OK;
    if (g->dmy_only && g->mdy_only) {
        int later = g->line_mdy > g->line_dmy;
        *rec = later ? g->rec_mdy : g->rec_dmy;
        snprintf(msg, size,
                 "expected dates in one order in column '%s', found '%s' (line %lu), which can only be day first, "
                 "and '%s' (line %lu), which can only be month first; give the order with --date-format",
                 name, g->cell_dmy, g->line_dmy, g->cell_mdy, g->line_mdy);
        return CX_ESYNTAX;
    }
    if (g->dmy_only || g->mdy_only) {
        int dmy = g->dmy_only > 0;
        fmt->order = dmy ? CX_DATE_DMY : CX_DATE_MDY;
        fmt->order_why = "as on line";
        fmt->order_line = dmy ? g->line_dmy : g->line_mdy;
        memcpy(fmt->order_cell, dmy ? g->cell_dmy : g->cell_mdy, CX_CELL_EXCERPT);
        return CX_OK;
    }
    char c = g->both_sep;
    *rec = g->rec_both;
    snprintf(msg, size,
             "expected dates in column '%s' whose order of day and month is clear, found only dates that fit "
             "both, as '%s'; a ',' or tab file has no rule: give the order with --date-format %%d%c%%m%c%%Y "
             "(day first) or --date-format %%m%c%%d%c%%Y (month first)",
             name, g->cell_both, c, c, c, c);
    return CX_ESYNTAX;
}

/* The style of a number column: percentages when its first value is one. */
static void number_fmt(const cx_colguess *g, cx_colfmt *fmt)
{
    if (g->first_percent < 0)
        return;
    fmt->percent = g->first_percent == 1;
    fmt->pct_line = g->first_line;
    memcpy(fmt->pct_cell, g->cell_first, CX_CELL_EXCERPT);
}

/* The style of a period column: dates or not, times, the order of day and
 * month. */
static cx_status period_fmt(const cx_colguess *g, const cx_cellrules *rules, const char *name, cx_colfmt *fmt,
                            size_t *rec, char *msg, size_t size)
{
    fmt->dates = g->datelike > 0 || g->dmy_only + g->mdy_only + g->both > 0;
    if (g->line_time) {
        fmt->time_line = g->line_time;
        memcpy(fmt->time_cell, g->cell_time, CX_CELL_EXCERPT);
    }
    if (rules->dayfirst && !rules->date_format) {
        fmt->order = CX_DATE_DMY;
        fmt->order_why = rules->sep == ';' ? "the rule for ';' files" : "the rule with --decimal ,";
    }
    return decide_order(g, rules, name, fmt, rec, msg, size);
}

cx_status cx_colguess_decide(const cx_colguess *g, const cx_cellrules *rules, const char *name, int period_name,
                             cx_coltype forced, cx_coltype *type, cx_colfmt *fmt, size_t *rec, char *msg,
                             size_t size)
{
    memset(fmt, 0, sizeof *fmt);
    size_t seen = g->seen;
    *type = forced;
    if (forced == CX_COL_NUMBER)
        number_fmt(g, fmt);
    if (forced == CX_COL_PERIOD)
        return period_fmt(g, rules, name, fmt, rec, msg, size);
    if (forced != CX_COL_AUTO)
        return CX_OK;
    if (seen > 0 && g->years == seen && period_name) {
        *type = CX_COL_PERIOD;
        return CX_OK;
    }
    if (seen == 0 || 2 * g->numbers > seen) {
        *type = CX_COL_NUMBER;
        number_fmt(g, fmt);
        return CX_OK;
    }
    if (2 * (g->periods + g->datelike) > seen) {
        *type = CX_COL_PERIOD;
        return period_fmt(g, rules, name, fmt, rec, msg, size);
    }
    if (2 * (g->others + g->numbers) > seen && g->numbers > 0) {
        /* numbers in two styles: converted in file order, the first cell
         * that does not fit the file's style is reported */
        *type = CX_COL_NUMBER;
        number_fmt(g, fmt);
        return CX_OK;
    }
    if (2 * g->others > seen) {
        char other = rules->other;
        *type = CX_COL_NUMBER; /* the error waits for the column to be read */
        *rec = g->rec_other;
        snprintf(msg, size,
                 "expected numbers with decimal %s in column '%s' (the file is separated by %s), found '%s'; use "
                 "--decimal %c if the file uses decimal %s",
                 rules->decimal == ',' ? "commas" : "points", name, sep_name(rules->sep), g->cell_other, other,
                 other == '.' ? "points" : "commas");
        return CX_ESYNTAX;
    }
    *type = CX_COL_TEXT;
    return CX_OK;
}

/* ======================================================================== */
/* Numbers                                                                  */
/* ======================================================================== */

/* A cell with both letters and digits ("A12", "0012B") is likely a code. */
static int looks_like_code(const char *s, size_t n)
{
    int digit = 0, alpha = 0;
    for (size_t i = 0; i < n; i++) {
        digit |= s[i] >= '0' && s[i] <= '9';
        alpha |= (s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z');
    }
    return digit && alpha;
}

static const char *thousands_name(char t)
{
    return t == '.' ? "'.'" : t == ',' ? "','" : "spaces";
}

/* Words exports put where a value is missing ("not applicable"). */
static int missing_word(const char *s, size_t n)
{
    static const char *const words[] = {"n/a", "na", "n.v.t.", "nvt", "-", "#n/a", "null", "geen"};
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strlen(words[k]) == n && strncasecmp(s, words[k], n) == 0)
            return 1;
    return 0;
}

/* The message for a cell that is no number in the file's style. */
static cx_status not_a_number(const cx_cellrules *rules, const cx_colfmt *fmt, const char *name, int forced,
                              const char *s, size_t n, char *msg, size_t size)
{
    char found[CX_CELL_EXCERPT];
    excerpt(s, n, found);
    double v;
    cx_amount_form f;
    /* an amount in the other style, in a column that has shown its own */
    if (fmt->th_line && cx_amount_parse(s, n, rules->other, &v, &f) == CX_OK) {
        snprintf(msg, size, "expected amounts in column '%s' written as on line %lu ('%s'), found '%s', which is "
                 "written with decimal %s; if the file uses decimal %s, use --decimal %c", name, fmt->th_line,
                 fmt->th_cell, found, rules->other == '.' ? "points" : "commas",
                 rules->other == '.' ? "points" : "commas", rules->other);
        return CX_ESYNTAX;
    }
    const char *hint = "";
    size_t others = 0, digits = 0;
    for (size_t i = 0; i < n; i++)
        others += s[i] == rules->other, digits += s[i] >= '0' && s[i] <= '9';
    if (digits == 0 && missing_word(s, n))
        hint = " (a missing value is an empty cell)";
    else if (memchr(s, '(', n) && memchr(s, '-', n))
        hint = " (a negative amount has a minus or parentheses, not both)";
    else if (others && (others > 1 || memchr(s, rules->decimal, n)))
        hint = rules->decimal == ',' ? " (thousands go in groups of three: 1.234.567,89)"
                                     : " (thousands go in groups of three: 1,234,567.89)";
    else if (rules->decimal == '.' && memchr(s, ',', n))
        hint = rules->sep == ',' ? " (a ',' separated file needs decimal points; for decimal commas use ';' or tab "
                                   "separators)"
                                 : " (for decimal commas use --decimal ,)";
    else if (rules->decimal == ',' && memchr(s, '.', n))
        hint = rules->sep == ';' ? " (this ';' file is read with decimal commas; use --decimal . for decimal points)"
                                 : " (this file is read with decimal commas; use --decimal . for decimal points)";
    else if (!forced && looks_like_code(s, n))
        hint = " (if the column holds codes rather than numbers, read it as text with --text)";
    snprintf(msg, size, "expected a number in column '%s', found '%s'%s", name, found, hint);
    return CX_ESYNTAX;
}

/* Hold an amount to the column's style: percent or not, one thousands
 * separator, one currency. */
static cx_status same_style(cx_colfmt *fmt, const cx_amount_form *f, const char *name, const char *s, size_t n,
                            unsigned long line, char *msg, size_t size)
{
    char found[CX_CELL_EXCERPT];
    if (f->percent != fmt->percent) {
        excerpt(s, n, found);
        if (fmt->percent)
            snprintf(msg, size, "expected a percentage in column '%s' as on line %lu ('%s'), found '%s'", name,
                     fmt->pct_line, fmt->pct_cell, found);
        else
            snprintf(msg, size, "expected a number without '%%' in column '%s' as on line %lu ('%s'), found '%s'; "
                     "a column holds percentages when its first value is one", name, fmt->pct_line, fmt->pct_cell,
                     found);
        return CX_ESYNTAX;
    }
    if (f->thousands) {
        if (!fmt->thousands) {
            fmt->thousands = f->thousands;
            fmt->th_line = line;
            excerpt(s, n, fmt->th_cell);
        } else if (f->thousands != fmt->thousands) {
            excerpt(s, n, found);
            snprintf(msg, size, "expected amounts in column '%s' written as on line %lu ('%s'), found '%s', which "
                     "groups its thousands with %s", name, fmt->th_line, fmt->th_cell, found,
                     thousands_name(f->thousands));
            return CX_ESYNTAX;
        }
    }
    if (f->currency[0]) {
        if (!fmt->currency[0]) {
            memcpy(fmt->currency, f->currency, sizeof fmt->currency);
            fmt->cur_line = line;
            excerpt(s, n, fmt->cur_cell);
        } else if (strcmp(f->currency, fmt->currency) != 0) {
            excerpt(s, n, found);
            snprintf(msg, size, "expected amounts in %s in column '%s' as on line %lu ('%s'), found '%s' in %s",
                     fmt->currency, name, fmt->cur_line, fmt->cur_cell, found, f->currency);
            return CX_ESYNTAX;
        }
    }
    return CX_OK;
}

cx_status cx_cell_number(const cx_cellrules *rules, cx_colfmt *fmt, const char *name, int forced, const char *s,
                         size_t n, unsigned long line, double *v, char *msg, size_t size)
{
    cx_amount_form f;
    cx_status st = cx_number_parse(s, n, rules->decimal, v);
    if (st == CX_ENOMEM)
        return st;
    if (st == CX_OK) {
        if (!fmt->percent)
            return CX_OK;
        memset(&f, 0, sizeof f); /* a plain number in a column of percentages */
    } else if (cx_amount_parse(s, n, rules->decimal, v, &f) != CX_OK)
        return not_a_number(rules, fmt, name, forced, s, n, msg, size);
    return same_style(fmt, &f, name, s, n, line, msg, size);
}

/* ======================================================================== */
/* Periods                                                                  */
/* ======================================================================== */

/* The message for a cell that looks like a date but is none in the
 * column's order. */
static cx_status not_a_date(const cx_cellrules *rules, const cx_colfmt *fmt, const char *name,
                            const cx_date_shape_info *d, const char *found, char *msg, size_t size)
{
    if (rules->date_format) {
        snprintf(msg, size, "expected a date in column '%s' as --date-format '%s' reads it, found '%s'", name,
                 rules->date_format, found);
        return CX_ESYNTAX;
    }
    if (!d->year_first && d->year < 1000) {
        snprintf(msg, size, "expected a date with a four-digit year in column '%s', found '%s'; accepted: "
                 DATE_FORMS ", or any form given with --date-format", name, found);
        return CX_ESYNTAX;
    }
    int dmy_col = fmt->order == CX_DATE_DMY || d->year_first;
    long m = dmy_col ? d->m1 : d->m2, day = dmy_col ? d->d1 : d->d2;
    int other_fits = !d->year_first && (fmt->order == CX_DATE_DMY ? d->mdy : d->dmy);
    if (other_fits) {
        char why[160];
        if (fmt->order_line)
            snprintf(why, sizeof why, "as on line %lu ('%s')", fmt->order_line, fmt->order_cell);
        else
            snprintf(why, sizeof why, "%s", fmt->order_why ? fmt->order_why : "");
        char c = d->sep;
        if (fmt->order == CX_DATE_DMY)
            snprintf(msg, size, "expected a day-first date in column '%s' (%s), found '%s', which can only be month "
                     "first; for month-first dates use --date-format %%m%c%%d%c%%Y", name, why, found, c, c);
        else
            snprintf(msg, size, "expected a month-first date in column '%s' (%s), found '%s', which can only be day "
                     "first; for day-first dates use --date-format %%d%c%%m%c%%Y", name, why, found, c, c);
        return CX_ESYNTAX;
    }
    if (m < 1 || m > 12)
        snprintf(msg, size, "expected a date in column '%s', found '%s': there is no month %ld", name, found, m);
    else if (day < 1 || day > cx_days_in_month(d->year, m))
        snprintf(msg, size, "expected a date in column '%s', found '%s': %s %ld has %d days", name, found,
                 month_names[m - 1], d->year, cx_days_in_month(d->year, m));
    else
        snprintf(msg, size, "expected a date in column '%s', found '%s'; accepted: " DATE_FORMS, name, found);
    return CX_ESYNTAX;
}

cx_status cx_cell_period(const cx_cellrules *rules, cx_colfmt *fmt, const char *name, const char *s, size_t n,
                         unsigned long line, cx_period *p, char *msg, size_t size)
{
    char found[CX_CELL_EXCERPT];
    cx_date_shape_info d;
    /* the column's own forms first: a column of day-first dates skips the
     * ISO parse */
    int shaped = 0;
    cx_status st = CX_ESYNTAX;
    if (fmt->order != CX_DATE_AUTO && !rules->date_format && (shaped = cx_date_shape(s, n, &d)))
        st = cx_date_of_shape(&d, fmt->order, p);
    if (st != CX_OK)
        st = cx_period_parse(s, n, p);
    if (st != CX_OK && rules->date_format)
        st = cx_date_parse_format(s, n, rules->date_format, p);
    /* year first is never ambiguous; year last in the column's order */
    if (st != CX_OK && (shaped || (shaped = cx_date_shape(s, n, &d))) && (d.year_first || fmt->order != CX_DATE_AUTO))
        st = cx_date_of_shape(&d, fmt->order, p);
    if (st != CX_OK) {
        excerpt(s, n, found);
        if (shaped || cx_date_shape(s, n, &d))
            return not_a_date(rules, fmt, name, &d, found, msg, size);
        if (fmt->dates || fmt->kind == CX_PERIOD_DAY)
            snprintf(msg, size, "expected a date in column '%s', found '%s'; accepted: " DATE_FORMS "%s", name, found,
                     rules->date_format ? "" : ", or any form given with --date-format");
        else
            snprintf(msg, size, "expected a period (2025-03-31, 2025-W07, 2025-03, 2025Q1 or 2025) in column '%s', "
                     "found '%s'", name, found);
        return CX_ESYNTAX;
    }
    if (fmt->kind == CX_PERIOD_NONE) {
        fmt->kind = (cx_period_kind)p->kind;
        fmt->kind_line = line;
    } else if ((cx_period_kind)p->kind != fmt->kind) {
        excerpt(s, n, found);
        snprintf(msg, size, "expected a %s in column '%s' like line %lu, found the %s '%s'",
                 cx_period_kind_name(fmt->kind), name, fmt->kind_line, cx_period_kind_name((cx_period_kind)p->kind),
                 found);
        return CX_EINVAL;
    }
    return CX_OK;
}
