/*
 * period.c - calendar periods: days, ISO 8601 weeks, months, quarters and
 * years, each numbered so that consecutive periods differ by one (lags are
 * then a subtraction), and each shorter than a year knowing the calendar
 * quarter it falls in.  A column of dates may be a series at a coarser
 * spacing (one date a week, a month, a quarter or a year): its cadence.
 *
 * Day numbers use the proleptic Gregorian calendar counted from 1970-01-01
 * (H. Hinnant's days_from_civil).  ISO week 1 is the week holding January 4th;
 * weeks start on Monday, and a week belongs to the quarter of its Thursday.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "table.h"

#define YEAR_MIN 1000
#define YEAR_MAX 9999

static long floordiv(long a, long b)
{
    long q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Days since 1970-01-01 of y-m-d. */
static long days_from_civil(long y, long m, long d)
{
    y -= m <= 2;
    long era = floordiv(y, 400);
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
    z += 719468;
    long era = floordiv(z, 146097);
    long doe = z - era * 146097;
    long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, long m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

/* Monday = 0 ... Sunday = 6; 1970-01-01 was a Thursday. */
static long weekday(long days)
{
    return ((days % 7) + 7 + 3) % 7;
}

/* Day number of the Monday of ISO week 1 of ISO year y (a few years are
 * remembered per thread: a file of weeks asks for the same few years). */
static long iso_week1_monday(long y)
{
    static _Thread_local long years[4] = {-1, -1, -1, -1}, mondays[4];
    size_t slot = (size_t)(y & 3);
    if (years[slot] == y)
        return mondays[slot];
    long jan4 = days_from_civil(y, 1, 4);
    years[slot] = y;
    mondays[slot] = jan4 - weekday(jan4);
    return mondays[slot];
}

static int iso_weeks_in_year(long y)
{
    return (int)((iso_week1_monday(y + 1) - iso_week1_monday(y)) / 7);
}

/* Week value from the day number of its Monday (1969-12-29 is week 0). */
static long week_from_monday(long monday)
{
    return floordiv(monday + 3, 7);
}

static long monday_from_week(long week)
{
    return week * 7 - 3;
}

/* ------------------------------------------------------------------------ */

static int digits(const char *s, size_t n, long *out)
{
    long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

cx_status cx_period_parse(const char *s, size_t len, cx_period *out)
{
    long y, a, b;
    while (len && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        len--;
    }
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    if (len < 4 || !digits(s, 4, &y) || y < YEAR_MIN || y > YEAR_MAX)
        return CX_ESYNTAX;
    if (len == 4) {
        out->kind = CX_PERIOD_YEAR;
        out->value = (int32_t)y;
        return CX_OK;
    }
    if (len == 10 && s[4] == '-' && s[7] == '-' && digits(s + 5, 2, &a) &&
        digits(s + 8, 2, &b)) {
        if (a < 1 || a > 12 || b < 1 || b > days_in_month(y, a))
            return CX_ESYNTAX;
        out->kind = CX_PERIOD_DAY;
        out->value = (int32_t)days_from_civil(y, a, b);
        return CX_OK;
    }
    if (len == 8 && s[4] == '-' && (s[5] == 'W' || s[5] == 'w') && digits(s + 6, 2, &a)) {
        if (a < 1 || a > iso_weeks_in_year(y))
            return CX_ESYNTAX;
        out->kind = CX_PERIOD_WEEK;
        out->value = (int32_t)week_from_monday(iso_week1_monday(y) + 7 * (a - 1));
        return CX_OK;
    }
    if (len == 7 && s[4] == '-' && digits(s + 5, 2, &a)) {
        if (a < 1 || a > 12)
            return CX_ESYNTAX;
        out->kind = CX_PERIOD_MONTH;
        out->value = (int32_t)(y * 12 + a - 1);
        return CX_OK;
    }
    const char *q = NULL;
    if (len == 6 && (s[4] == 'Q' || s[4] == 'q'))
        q = s + 5;
    else if (len == 7 && s[4] == '-' && (s[5] == 'Q' || s[5] == 'q'))
        q = s + 6;
    if (q && *q >= '1' && *q <= '4') {
        out->kind = CX_PERIOD_QUARTER;
        out->value = (int32_t)(y * 4 + (*q - '1'));
        return CX_OK;
    }
    return CX_ESYNTAX;
}

const char *cx_period_format(cx_period p, char *buf, size_t size)
{
    long y, m, d;
    switch (p.kind) {
    case CX_PERIOD_DAY:
        civil_from_days(p.value, &y, &m, &d);
        snprintf(buf, size, "%04ld-%02ld-%02ld", y, m, d);
        break;
    case CX_PERIOD_WEEK: {
        long monday = monday_from_week(p.value);
        civil_from_days(monday + 3, &y, &m, &d); /* the ISO year is the Thursday's */
        snprintf(buf, size, "%04ld-W%02ld", y, (monday - iso_week1_monday(y)) / 7 + 1);
        break;
    }
    case CX_PERIOD_MONTH:
        snprintf(buf, size, "%04ld-%02ld", floordiv(p.value, 12), p.value - floordiv(p.value, 12) * 12 + 1);
        break;
    case CX_PERIOD_QUARTER:
        snprintf(buf, size, "%04ldQ%ld", floordiv(p.value, 4), p.value - floordiv(p.value, 4) * 4 + 1);
        break;
    case CX_PERIOD_YEAR:
        snprintf(buf, size, "%04ld", (long)p.value);
        break;
    default:
        snprintf(buf, size, "%s", "");
    }
    return buf;
}

/* The year of p (a week's is its ISO year, that of its Thursday). */
static int year_of(cx_period p, long *y)
{
    long m, d;
    switch (p.kind) {
    case CX_PERIOD_DAY: civil_from_days(p.value, y, &m, &d); return 1;
    case CX_PERIOD_WEEK: civil_from_days(monday_from_week(p.value) + 3, y, &m, &d); return 1;
    case CX_PERIOD_MONTH: *y = floordiv(p.value, 12); return 1;
    case CX_PERIOD_QUARTER: *y = floordiv(p.value, 4); return 1;
    case CX_PERIOD_YEAR: *y = p.value; return 1;
    default: return 0;
    }
}

cx_status cx_period_convert(cx_period p, cx_period_kind kind, cx_period *out)
{
    long y, m, d;
    if (p.kind == CX_PERIOD_NONE || kind == CX_PERIOD_NONE) {
        out->kind = CX_PERIOD_NONE;
        out->value = 0;
        return p.kind == CX_PERIOD_NONE ? CX_OK : CX_EINVAL;
    }
    if ((cx_period_kind)p.kind == kind) {
        *out = p;
        return CX_OK;
    }
    if (kind == CX_PERIOD_YEAR) {
        if (!year_of(p, &y))
            return CX_EINVAL;
        out->kind = CX_PERIOD_YEAR;
        out->value = (int32_t)y;
        return CX_OK;
    }
    switch (p.kind) {
    case CX_PERIOD_DAY:
        if (kind == CX_PERIOD_WEEK) {
            out->kind = CX_PERIOD_WEEK;
            out->value = (int32_t)week_from_monday(p.value - weekday(p.value));
            return CX_OK;
        }
        civil_from_days(p.value, &y, &m, &d);
        if (kind == CX_PERIOD_MONTH) {
            out->kind = CX_PERIOD_MONTH;
            out->value = (int32_t)(y * 12 + m - 1);
        } else {
            out->kind = CX_PERIOD_QUARTER;
            out->value = (int32_t)(y * 4 + (m - 1) / 3);
        }
        return CX_OK;
    case CX_PERIOD_WEEK:
        if (kind != CX_PERIOD_QUARTER)
            return CX_EINVAL;
        civil_from_days(monday_from_week(p.value) + 3, &y, &m, &d);
        out->kind = CX_PERIOD_QUARTER;
        out->value = (int32_t)(y * 4 + (m - 1) / 3);
        return CX_OK;
    case CX_PERIOD_MONTH:
        if (kind != CX_PERIOD_QUARTER)
            return CX_EINVAL;
        out->kind = CX_PERIOD_QUARTER;
        out->value = (int32_t)floordiv(p.value, 3);
        return CX_OK;
    default:
        return CX_EINVAL;
    }
}

cx_period cx_period_quarter(cx_period p)
{
    cx_period q = {CX_PERIOD_NONE, 0};
    cx_period_convert(p, CX_PERIOD_QUARTER, &q);
    return q;
}

const char *cx_period_kind_name(cx_period_kind kind)
{
    switch (kind) {
    case CX_PERIOD_DAY: return "day";
    case CX_PERIOD_WEEK: return "week";
    case CX_PERIOD_MONTH: return "month";
    case CX_PERIOD_QUARTER: return "quarter";
    case CX_PERIOD_YEAR: return "year";
    default: return "missing";
    }
}

cx_period_kind cx_period_kind_from_name(const char *name)
{
    static const char *const names[] = {"day", "week", "month", "quarter", "year"};
    for (int k = 0; k < 5; k++)
        if (strcmp(name, names[k]) == 0)
            return (cx_period_kind)(k + 1);
    return CX_PERIOD_NONE;
}

int cx_period_cmp(cx_period a, cx_period b)
{
    if (a.kind != b.kind)
        return a.kind < b.kind ? -1 : 1;
    return (a.value > b.value) - (a.value < b.value);
}

/* ------------------------------------------------------------------------ */
/* Cadence: the spacing of a column of dates                                 */
/* ------------------------------------------------------------------------ */

enum {
    SAME_DAY = 1,       /* every date on one day of the month */
    MONTH_END = 2,      /* every date the last day of its month */
    SAME_MONTH = 4,     /* every date in one month of the year */
    SAME_IN_QUARTER = 8, /* every date in one month of its quarter (first, second or third) */
    SAME_WEEKDAY = 16   /* every date on one day of the week */
};

void cx_cadence_init(cx_cadence *c)
{
    memset(c, 0, sizeof *c);
    c->flags = SAME_DAY | MONTH_END | SAME_MONTH | SAME_IN_QUARTER | SAME_WEEKDAY;
}

/*
 * Add one period of the column (missing periods are skipped).  For dates
 * the flags above are kept for every date seen; other kinds only count.
 */
void cx_cadence_add(cx_cadence *c, cx_period p)
{
    if (p.kind == CX_PERIOD_NONE)
        return;
    if (c->n++ == 0)
        c->kind = p.kind;
    if (p.kind != CX_PERIOD_DAY || !c->flags)
        return;
    long y, m, d, wd = weekday(p.value);
    civil_from_days(p.value, &y, &m, &d);
    if (c->n == 1) {
        c->month = (int)m;
        c->day = (int)d;
        c->weekday = (int)wd;
    }
    if (d != c->day)
        c->flags &= ~(unsigned)SAME_DAY;
    if (d != days_in_month(y, m))
        c->flags &= ~(unsigned)MONTH_END;
    if (m != c->month)
        c->flags &= ~(unsigned)SAME_MONTH;
    if ((m - 1) % 3 != (c->month - 1) % 3)
        c->flags &= ~(unsigned)SAME_IN_QUARTER;
    if (wd != c->weekday)
        c->flags &= ~(unsigned)SAME_WEEKDAY;
}

/*
 * The cadence of the periods added: for dates the coarsest regular spacing
 * they all fit, a year when every date falls on one day of one month (or
 * on the last day of one month), a quarter when on one day (or the last)
 * of one month of each quarter, a month when on one day of the month (or
 * the last), a week when on one weekday, else a day.  Weeks, months,
 * quarters and years are their own cadence.  NONE when nothing was added.
 */
cx_period_kind cx_cadence_kind(const cx_cadence *c)
{
    if (c->n == 0)
        return CX_PERIOD_NONE;
    if (c->kind != CX_PERIOD_DAY)
        return (cx_period_kind)c->kind;
    int day = (c->flags & (SAME_DAY | MONTH_END)) != 0;
    if (day && (c->flags & SAME_MONTH))
        return CX_PERIOD_YEAR;
    if (day && (c->flags & SAME_IN_QUARTER))
        return CX_PERIOD_QUARTER;
    if (day)
        return CX_PERIOD_MONTH;
    return (c->flags & SAME_WEEKDAY) ? CX_PERIOD_WEEK : CX_PERIOD_DAY;
}

/* The number of p in steps of `cadence`: the value of p converted to that
 * kind (consecutive steps differ by one); p's own value without a cadence. */
int32_t cx_period_step(cx_period p, cx_period_kind cadence)
{
    cx_period q;
    if (cadence == CX_PERIOD_NONE || cx_period_convert(p, cadence, &q) != CX_OK)
        return p.value;
    return q.value;
}

/* The cadence in words for messages: "one date a year (on 12-31)" for
 * dates at a coarser spacing, else the kind ("years", "days"). */
const char *cx_cadence_describe(const cx_cadence *c, char *buf, size_t size)
{
    cx_period_kind k = cx_cadence_kind(c);
    if (k == CX_PERIOD_NONE) {
        snprintf(buf, size, "no periods");
        return buf;
    }
    if (c->kind != CX_PERIOD_DAY || k == CX_PERIOD_DAY) {
        snprintf(buf, size, "%ss", cx_period_kind_name(k));
        return buf;
    }
    static const char *const wd[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    static const char *const ord[] = {"first", "second", "third"};
    char day[40];
    if (c->flags & SAME_DAY)
        snprintf(day, sizeof day, "day %d", c->day);
    else
        snprintf(day, sizeof day, "the last day");
    switch (k) {
    case CX_PERIOD_YEAR:
        if (c->flags & SAME_DAY)
            snprintf(buf, size, "one date a year (on %02d-%02d)", c->month, c->day);
        else
            snprintf(buf, size, "one date a year (on the last day of month %d)", c->month);
        break;
    case CX_PERIOD_QUARTER:
        snprintf(buf, size, "one date a quarter (on %s of its %s month)", day, ord[(c->month - 1) % 3]);
        break;
    case CX_PERIOD_MONTH:
        snprintf(buf, size, "one date a month (on %s)", day);
        break;
    default:
        snprintf(buf, size, "one date a week (on %ss)", wd[c->weekday]);
    }
    return buf;
}

/* The date that stands for the coarser period q (of the cadence's kind) in
 * a column of dates at cadence c: the date in q on the day the column's
 * dates fall on (the same day of the month, clamped to the month's length,
 * or its last day; in the same month of the year or of the quarter; on the
 * same weekday).  For a column of one date a month on the 1st, 2022-03 is
 * 2022-03-01.  q itself when c is no cadence of dates. */
cx_period cx_cadence_date(const cx_cadence *c, cx_period q)
{
    cx_period_kind k = cx_cadence_kind(c);
    if (c->kind != CX_PERIOD_DAY || k == CX_PERIOD_DAY || (cx_period_kind)q.kind != k)
        return q;
    cx_period out = {CX_PERIOD_DAY, 0};
    if (k == CX_PERIOD_WEEK) {
        out.value = (int32_t)(monday_from_week(q.value) + c->weekday);
        return out;
    }
    long y, m;
    if (k == CX_PERIOD_MONTH) {
        y = floordiv(q.value, 12);
        m = q.value - y * 12 + 1;
    } else if (k == CX_PERIOD_QUARTER) {
        y = floordiv(q.value, 4);
        m = (q.value - y * 4) * 3 + (c->month - 1) % 3 + 1;
    } else {
        y = q.value;
        m = c->month;
    }
    long last = days_in_month(y, m);
    long d = (c->flags & SAME_DAY) ? (c->day < last ? c->day : last) : last;
    out.value = (int32_t)days_from_civil(y, m, d);
    return out;
}

/* The day y-m-d (a valid date) as a period, without text. */
cx_period cx_period_day(long y, long m, long d)
{
    cx_period p = {CX_PERIOD_DAY, (int32_t)days_from_civil(y, m, d)};
    return p;
}
