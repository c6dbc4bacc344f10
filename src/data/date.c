/*
 * date.c - dates as exports write them, beside the ISO periods of period.c:
 * year first with '-', '/' or '.' (2022-01-17, 2022/01/17), year last in
 * either order (day first 17-01-2022, 17-1-2022, 17/01/2022, 17.01.2022 as
 * Dutch systems write them; month first 01/17/2022 as American ones do),
 * each optionally followed by a time of day that is ignored (Excel's
 * date-times: 17-01-2022 14:05), and any form a strptime(3) format names.
 *
 * Which order a year-last date has is never guessed from one cell: the CSV
 * reader looks at a whole column (cx_date_shape says which orders each cell
 * fits) and applies the rule for day-first files, or refuses a column that
 * no cell decides.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "table.h"

static int leap(long y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int cx_days_in_month(long y, long m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12)
        return 0;
    return m == 2 && leap(y) ? 29 : dm[m - 1];
}

/* Read 1 to `max` digits at s[*i]; returns the count (0: none). */
static int number_at(const char *s, size_t n, size_t *i, int max, long *v)
{
    int k = 0;
    *v = 0;
    while (*i < n && k < max + 1 && s[*i] >= '0' && s[*i] <= '9') {
        *v = *v * 10 + (s[*i] - '0');
        (*i)++;
        k++;
    }
    return k > max ? 0 : k;
}

/* A time of day at s[i .. n): 'T' or spaces, then H:MM, H:MM:SS or
 * H:MM:SS.fff (hours 0-23).  Returns 1 when s[i .. n) is exactly that. */
static int time_at(const char *s, size_t n, size_t i)
{
    long h, m, sec;
    if (i < n && s[i] == 'T')
        i++;
    else {
        size_t sp = i;
        while (i < n && s[i] == ' ')
            i++;
        if (i == sp)
            return 0;
    }
    if (!number_at(s, n, &i, 2, &h) || h > 23 || i >= n || s[i++] != ':' || number_at(s, n, &i, 2, &m) != 2 ||
        m > 59)
        return 0;
    if (i < n && s[i] == ':') {
        i++;
        if (number_at(s, n, &i, 2, &sec) != 2 || sec > 60)
            return 0;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            size_t f = ++i;
            while (i < n && s[i] >= '0' && s[i] <= '9')
                i++;
            if (i == f)
                return 0;
        }
    }
    return i == n;
}

int cx_date_shape(const char *s, size_t n, cx_date_shape_info *d)
{
    memset(d, 0, sizeof *d);
    while (n && (s[0] == ' ' || s[0] == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    size_t i = 0;
    long a, b, c;
    int la = number_at(s, n, &i, 4, &a);
    if (!la || i >= n || (s[i] != '-' && s[i] != '/' && s[i] != '.'))
        return 0;
    char sep = s[i++];
    int lb = number_at(s, n, &i, 2, &b);
    if (!lb || i >= n || s[i] != sep)
        return 0;
    i++;
    int lc = number_at(s, n, &i, 4, &c);
    if (!lc)
        return 0;
    if (i < n) {
        if (!time_at(s, n, i))
            return 0;
        d->time = 1;
    }
    d->sep = sep;
    if (la == 4) { /* year first: always year, month, day */
        d->year_first = 1;
        d->year = a;
        if (lc <= 2 && a >= 1000 && cx_days_in_month(a, b) >= c && c >= 1)
            d->ymd = 1;
        d->m1 = b, d->d1 = c;
        return 1;
    }
    d->year = c;
    d->m1 = b, d->d1 = a; /* day first */
    d->m2 = a, d->d2 = b; /* month first */
    if (lc != 4 || c < 1000)
        return 1; /* a date, but with a two-digit year (or no year): no order fits */
    d->dmy = a >= 1 && a <= cx_days_in_month(c, b);
    d->mdy = b >= 1 && b <= cx_days_in_month(c, a);
    return 1;
}

/* The day period of y-m-d, when it is a valid date of years 1000-9999. */
static cx_status day_of(long y, long m, long d, cx_period *out)
{
    if (y < 1000 || y > 9999 || d < 1 || d > cx_days_in_month(y, m))
        return CX_ESYNTAX;
    *out = cx_period_day(y, m, d);
    return CX_OK;
}

cx_status cx_date_of_shape(const cx_date_shape_info *d, cx_date_order order, cx_period *out)
{
    if (d->year_first ? !d->ymd : order == CX_DATE_DMY ? !d->dmy : order == CX_DATE_MDY ? !d->mdy : 1)
        return CX_ESYNTAX;
    if (d->year_first || order == CX_DATE_DMY)
        return day_of(d->year, d->m1, d->d1, out);
    return day_of(d->year, d->m2, d->d2, out);
}

cx_status cx_date_parse(const char *text, size_t len, cx_date_order order, cx_period *out, int *has_time)
{
    cx_date_shape_info d;
    if (!cx_date_shape(text, len, &d) || cx_date_of_shape(&d, order, out) != CX_OK)
        return CX_ESYNTAX;
    if (has_time)
        *has_time = d.time;
    return CX_OK;
}

int cx_date_format_valid(const char *format)
{
    int y = 0, m = 0, d = 0;
    for (const char *p = format; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == 'E' || *p == 'O')
            p++;
        switch (*p) {
        case 'Y': case 'y': y = 1; break;
        case 'm': case 'b': case 'B': case 'h': m = 1; break;
        case 'd': case 'e': d = 1; break;
        case 'F': case 'D': y = m = d = 1; break;
        case '\0': return 0;
        default: break;
        }
    }
    return y && m && d;
}

cx_status cx_date_parse_format(const char *text, size_t len, const char *format, cx_period *out)
{
    char buf[96];
    while (len && (text[0] == ' ' || text[0] == '\t'))
        text++, len--;
    while (len && (text[len - 1] == ' ' || text[len - 1] == '\t'))
        len--;
    if (len == 0 || len >= sizeof buf)
        return CX_ESYNTAX;
    memcpy(buf, text, len);
    buf[len] = '\0';
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = -100000; /* unset */
    tm.tm_mon = -1;
    const char *end = strptime(buf, format, &tm);
    /* a time of day the format does not read is ignored, as after any date */
    if (end && *end && time_at(buf, len, (size_t)(end - buf)))
        end = buf + len;
    while (end && *end == ' ')
        end++;
    if (!end || *end || tm.tm_year == -100000 || tm.tm_mon < 0)
        return CX_ESYNTAX;
    long y = (long)tm.tm_year + 1900, m = tm.tm_mon + 1, d = tm.tm_mday;
    /* strptime takes 31 February: the calendar decides */
    return day_of(y, m, d, out);
}
