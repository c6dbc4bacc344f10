/*
 * period.c - calendar periods: days, ISO 8601 weeks, months and quarters,
 * each numbered so that consecutive periods differ by one (lags are then a
 * subtraction), and each knowing the calendar quarter it falls in.
 *
 * Day numbers use the proleptic Gregorian calendar counted from 1970-01-01
 * (H. Hinnant's days_from_civil).  ISO week 1 is the week holding January 4th;
 * weeks start on Monday, and a week belongs to the quarter of its Thursday.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "cxcase/data.h"

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
    if (len < 6 || !digits(s, 4, &y) || y < YEAR_MIN || y > YEAR_MAX)
        return CX_ESYNTAX;
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
    default:
        snprintf(buf, size, "%s", "");
    }
    return buf;
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
    default: return "missing";
    }
}

cx_period_kind cx_period_kind_from_name(const char *name)
{
    static const char *const names[] = {"day", "week", "month", "quarter"};
    for (int k = 0; k < 4; k++)
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
