/*
 * test_period.c - periods: parsing, canonical text, ISO weeks, conversions
 * and the calendar quarter of each period, checked day by day over two
 * centuries against glibc's gmtime/strftime (%G-W%V for ISO weeks); and the
 * cadence of a column of dates, the spacing lags and holdouts count in.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <time.h>

#include "helpers.h"
#include "data/table.h"

static cx_period parse(const char *s)
{
    cx_period p = {0, 0};
    if (cx_period_parse(s, strlen(s), &p) != CX_OK) {
        print_error("'%s' did not parse\n", s);
        fail();
    }
    return p;
}

static void period_should_parse_each_kind(void **state)
{
    (void)state;
    cx_period p = parse("2025-03-31");
    assert_int_equal(p.kind, CX_PERIOD_DAY);
    assert_int_equal(p.value, 20178); /* days since 1970-01-01 (Python's datetime) */
    p = parse("2025-W07");
    assert_int_equal(p.kind, CX_PERIOD_WEEK);
    assert_int_equal(p.value, 2876); /* 1970-W01 is week 0 */
    p = parse("1970-W01");
    assert_int_equal(p.value, 0);
    p = parse("2025-03");
    assert_int_equal(p.kind, CX_PERIOD_MONTH);
    assert_int_equal(p.value, 2025 * 12 + 2);
    p = parse("2025Q1");
    assert_int_equal(p.kind, CX_PERIOD_QUARTER);
    assert_int_equal(p.value, 2025 * 4);
    assert_int_equal(parse("2025-Q4").value, 2025 * 4 + 3);
    p = parse("2025");
    assert_int_equal(p.kind, CX_PERIOD_YEAR);
    assert_int_equal(p.value, 2025);
    char buf[CX_PERIOD_TEXT_MAX];
    assert_string_equal(cx_period_format(parse(" 1999 "), buf, sizeof buf), "1999");
    assert_int_equal(parse(" 2000-02-29 ").value, 11016);
    assert_int_equal(parse("1969-12-31").value, -1);
}

static void period_should_reject_impossible_dates(void **state)
{
    (void)state;
    const char *bad[] = {"2025-02-29", "2023-02-29", "1900-02-29", "2025-13", "2025-00",
                         "2025-04-31", "2025-W00", "2025-W53", "2021-W53", "2025Q5",
                         "2025Q0", "25-03-31", "2025/03/31", "2025-3-1", "31-03-2025",
                         "2025W07", "2025-W7", "abcd-01", "0999-01-01", "0999", "999",
                         "20251", "2025.", "+2025", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cx_period p;
        if (cx_period_parse(bad[i], strlen(bad[i]), &p) == CX_OK) {
            print_error("'%s' was accepted\n", bad[i]);
            fail();
        }
    }
    /* 53-week years: 2015, 2020 and 2026 (each begins on a Thursday) */
    assert_int_equal(parse("2020-W53").kind, CX_PERIOD_WEEK);
    assert_int_equal(parse("2026-W53").kind, CX_PERIOD_WEEK);
    assert_int_equal(parse("2015-W53").kind, CX_PERIOD_WEEK);
    assert_int_equal(parse("2000-02-29").kind, CX_PERIOD_DAY);
}

static void period_should_know_the_quarter_of_a_week_by_its_thursday(void **state)
{
    (void)state;
    char buf[CX_PERIOD_TEXT_MAX];
    /* 2025-W14 runs Monday 31 March to Sunday 6 April: its Thursday is in Q2 */
    assert_string_equal(cx_period_format(cx_period_quarter(parse("2025-W14")), buf, sizeof buf), "2025Q2");
    /* 2025-W01 starts on Monday 30 December 2024 */
    assert_string_equal(cx_period_format(cx_period_quarter(parse("2025-W01")), buf, sizeof buf), "2025Q1");
    /* 2026-W53 ends on Sunday 3 January 2027 */
    assert_string_equal(cx_period_format(cx_period_quarter(parse("2026-W53")), buf, sizeof buf), "2026Q4");
    assert_string_equal(cx_period_format(cx_period_quarter(parse("2024-11")), buf, sizeof buf), "2024Q4");
    assert_string_equal(cx_period_format(cx_period_quarter(parse("2024-07-01")), buf, sizeof buf), "2024Q3");
    cx_period q;
    assert_int_equal(cx_period_convert(parse("2025-W14"), CX_PERIOD_MONTH, &q), CX_EINVAL);
    assert_int_equal(cx_period_convert(parse("2025-03"), CX_PERIOD_DAY, &q), CX_EINVAL);
    /* a year has no one quarter, and nothing finer converts from it */
    assert_int_equal(cx_period_quarter(parse("2025")).kind, CX_PERIOD_NONE);
    assert_int_equal(cx_period_convert(parse("2025"), CX_PERIOD_QUARTER, &q), CX_EINVAL);
    /* to years: a week's year is its ISO year (the year of its Thursday) */
    assert_int_equal(cx_period_convert(parse("2026-W53"), CX_PERIOD_YEAR, &q), CX_OK);
    assert_int_equal(q.value, 2026);
    assert_int_equal(cx_period_convert(parse("2027-01-01"), CX_PERIOD_YEAR, &q), CX_OK);
    assert_int_equal(q.value, 2027);
    assert_int_equal(cx_period_convert(parse("2024-12"), CX_PERIOD_YEAR, &q), CX_OK);
    assert_int_equal(q.value, 2024);
    assert_int_equal(cx_period_convert(parse("2024Q4"), CX_PERIOD_YEAR, &q), CX_OK);
    assert_int_equal(q.kind, CX_PERIOD_YEAR);
    assert_int_equal(q.value, 2024);
}

/* Every day from 1900 to 2100: parse(strftime) is the day, and its week,
 * month and quarter agree with glibc (%G-W%V is the ISO week). */
static void period_should_agree_with_glibc_for_two_centuries(void **state)
{
    (void)state;
    cx_period first = parse("1900-01-01"), last = parse("2100-12-31");
    for (int32_t d = first.value; d <= last.value; d++) {
        time_t t = (time_t)d * 86400;
        struct tm tm;
        gmtime_r(&t, &tm);
        char want[32], got[CX_PERIOD_TEXT_MAX];
        strftime(want, sizeof want, "%Y-%m-%d", &tm);
        cx_period p = parse(want);
        assert_int_equal(p.value, d);
        assert_string_equal(cx_period_format(p, got, sizeof got), want);

        cx_period w;
        assert_int_equal(cx_period_convert(p, CX_PERIOD_WEEK, &w), CX_OK);
        strftime(want, sizeof want, "%G-W%V", &tm);
        assert_string_equal(cx_period_format(w, got, sizeof got), want);
        assert_int_equal(parse(want).value, w.value);

        cx_period m;
        assert_int_equal(cx_period_convert(p, CX_PERIOD_MONTH, &m), CX_OK);
        strftime(want, sizeof want, "%Y-%m", &tm);
        assert_string_equal(cx_period_format(m, got, sizeof got), want);

        snprintf(want, sizeof want, "%04dQ%d", tm.tm_year + 1900, tm.tm_mon / 3 + 1);
        assert_string_equal(cx_period_format(cx_period_quarter(p), got, sizeof got), want);

        cx_period y;
        assert_int_equal(cx_period_convert(p, CX_PERIOD_YEAR, &y), CX_OK);
        assert_int_equal(y.value, tm.tm_year + 1900);
        assert_int_equal(cx_period_convert(w, CX_PERIOD_YEAR, &y), CX_OK);
        strftime(want, sizeof want, "%G", &tm);
        assert_string_equal(cx_period_format(y, got, sizeof got), want);

        if (tm.tm_wday == 4) { /* a Thursday: its week lies in its quarter */
            assert_int_equal(cx_period_quarter(w).value, cx_period_quarter(p).value);
        }
    }
}

static void period_should_number_consecutive_periods_consecutively(void **state)
{
    (void)state;
    assert_int_equal(parse("2021-W01").value - parse("2020-W53").value, 1);
    assert_int_equal(parse("2025-01").value - parse("2024-12").value, 1);
    assert_int_equal(parse("2025Q1").value - parse("2024Q4").value, 1);
    assert_int_equal(parse("2025-03-01").value - parse("2024-02-29").value, 366);
    assert_true(cx_period_cmp(parse("2024-W52"), parse("2025-W01")) < 0);
    assert_int_equal(cx_period_kind_from_name("week"), CX_PERIOD_WEEK);
    assert_int_equal(cx_period_kind_from_name("fortnight"), CX_PERIOD_NONE);
    assert_string_equal(cx_period_kind_name(CX_PERIOD_QUARTER), "quarter");
    assert_int_equal(parse("2025").value - parse("2024").value, 1);
    assert_int_equal(cx_period_kind_from_name("year"), CX_PERIOD_YEAR);
    assert_string_equal(cx_period_kind_name(CX_PERIOD_YEAR), "year");
}

/* The cadence of the periods in `list` (NULL-terminated; "" is missing),
 * and its description in *how. */
static cx_period_kind cadence_of(const char *const *list, char *how, size_t size)
{
    cx_cadence c;
    cx_cadence_init(&c);
    for (; *list; list++)
        cx_cadence_add(&c, **list ? parse(*list) : (cx_period){CX_PERIOD_NONE, 0});
    cx_cadence_describe(&c, how, size);
    return cx_cadence_kind(&c);
}

/* Dates as exports write them: each form, both orders, times ignored,
 * strptime formats held to the calendar. */
static void date_should_read_the_forms_exports_write(void **state)
{
    (void)state;
    struct {
        const char *text;
        cx_date_order order;
        const char *iso; /* NULL: refused */
        int time;
    } cases[] = {
        {"17-01-2022", CX_DATE_DMY, "2022-01-17", 0},   {"17-1-2022", CX_DATE_DMY, "2022-01-17", 0},
        {"7/1/2022", CX_DATE_DMY, "2022-01-07", 0},     {"17.01.2022", CX_DATE_DMY, "2022-01-17", 0},
        {"2022/01/17", CX_DATE_AUTO, "2022-01-17", 0},  {"2022-1-7", CX_DATE_MDY, "2022-01-07", 0},
        {"01/17/2022", CX_DATE_MDY, "2022-01-17", 0},   {"7/1/2022", CX_DATE_MDY, "2022-07-01", 0},
        {"17-01-2022 14:05", CX_DATE_DMY, "2022-01-17", 1},
        {" 17-01-2022 9:05:59 ", CX_DATE_DMY, "2022-01-17", 1},
        {"2022-01-17T14:05:09.250", CX_DATE_AUTO, "2022-01-17", 1},
        {"29-02-2024", CX_DATE_DMY, "2024-02-29", 0},
        {"17-01-2022", CX_DATE_MDY, NULL, 0},  {"01/17/2022", CX_DATE_DMY, NULL, 0},
        {"17-01-2022", CX_DATE_AUTO, NULL, 0}, {"29-02-2023", CX_DATE_DMY, NULL, 0},
        {"17-01-22", CX_DATE_DMY, NULL, 0},    {"17-01/2022", CX_DATE_DMY, NULL, 0},
        {"17-01-2022 25:00", CX_DATE_DMY, NULL, 0}, {"17-01-2022 14", CX_DATE_DMY, NULL, 0},
        {"2022-13-01", CX_DATE_AUTO, NULL, 0},  {"0017-01-2022", CX_DATE_DMY, NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cx_period p = {CX_PERIOD_NONE, 0}, want;
        int time = -1;
        cx_status st = cx_date_parse(cases[i].text, strlen(cases[i].text), cases[i].order, &p, &time);
        if (!cases[i].iso) {
            if (st != CX_ESYNTAX) {
                print_error("'%s' (order %d) was accepted\n", cases[i].text, (int)cases[i].order);
                fail();
            }
            continue;
        }
        assert_int_equal(cx_period_parse(cases[i].iso, 10, &want), CX_OK);
        if (st != CX_OK || cx_period_cmp(p, want) != 0 || time != cases[i].time) {
            print_error("'%s' (order %d): status %d, time %d\n", cases[i].text, (int)cases[i].order, (int)st, time);
            fail();
        }
    }
    cx_period p, want;
    assert_int_equal(cx_period_parse("2022-03-04", 10, &want), CX_OK);
    assert_int_equal(cx_date_parse_format("03/04/2022", 10, "%m/%d/%Y", &p), CX_OK);
    assert_int_equal(cx_period_cmp(p, want), 0);
    assert_int_equal(cx_date_parse_format("4 Mar 2022 10:30", 16, "%d %b %Y %H:%M", &p), CX_OK);
    assert_int_equal(cx_period_cmp(p, want), 0);
    assert_int_equal(cx_date_parse_format("3/4/2022 14:05", 14, "%m/%d/%Y", &p), CX_OK);
    assert_int_equal(cx_period_cmp(p, want), 0);
    /* strptime itself takes 31 February; the calendar does not */
    assert_int_equal(cx_date_parse_format("31-02-2024", 10, "%d-%m-%Y", &p), CX_ESYNTAX);
    assert_int_equal(cx_date_parse_format("04-03-2022x", 11, "%d-%m-%Y", &p), CX_ESYNTAX);
}

static void cadence_should_find_the_regular_spacing_of_dates(void **state)
{
    (void)state;
    static const struct {
        const char *dates[8];
        cx_period_kind kind;
        const char *how;
    } cases[] = {
        {{"2021-12-31", "", "2022-12-31", "2024-12-31", NULL}, CX_PERIOD_YEAR, "one date a year (on 12-31)"},
        {{"2023-02-28", "2024-02-29", "2025-02-28", NULL}, CX_PERIOD_YEAR,
         "one date a year (on the last day of month 2)"},
        {{"2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31", NULL}, CX_PERIOD_QUARTER,
         "one date a quarter (on the last day of its third month)"},
        {{"2024-01-01", "2024-04-01", "2025-10-01", NULL}, CX_PERIOD_QUARTER,
         "one date a quarter (on day 1 of its first month)"},
        {{"2024-01-31", "2024-02-29", "2024-03-31", NULL}, CX_PERIOD_MONTH,
         "one date a month (on the last day)"},
        {{"2024-01-15", "2024-02-15", "2024-04-15", NULL}, CX_PERIOD_MONTH, "one date a month (on day 15)"},
        {{"2024-01-01", "2024-01-08", "2024-03-04", NULL}, CX_PERIOD_WEEK, "one date a week (on Mondays)"},
        {{"2024-01-01", "2024-01-02", "2024-01-08", NULL}, CX_PERIOD_DAY, "days"},
        {{"2024-03-15", "2025-06-15", NULL}, CX_PERIOD_QUARTER, "one date a quarter (on day 15 of its third month)"},
        {{"2024-03-15", "2025-05-20", NULL}, CX_PERIOD_DAY, "days"}, /* one a year, but not on one day */
        {{"2024-03", "2025-03", NULL}, CX_PERIOD_MONTH, "months"}, /* months count in months */
        {{"2024", "2026", NULL}, CX_PERIOD_YEAR, "years"},
        {{"", NULL}, CX_PERIOD_NONE, "no periods"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char how[96];
        cx_period_kind k = cadence_of(cases[i].dates, how, sizeof how);
        if (k != cases[i].kind || strcmp(how, cases[i].how) != 0) {
            print_error("case %zu (%s ...): %s '%s', expected %s '%s'\n", i, cases[i].dates[0],
                        cx_period_kind_name(k), how, cx_period_kind_name(cases[i].kind), cases[i].how);
            fail();
        }
    }
    /* steps of the cadence are consecutive */
    assert_int_equal(cx_period_step(parse("2022-12-31"), CX_PERIOD_YEAR) -
                         cx_period_step(parse("2021-12-31"), CX_PERIOD_YEAR), 1);
    assert_int_equal(cx_period_step(parse("2025-03-31"), CX_PERIOD_QUARTER) -
                         cx_period_step(parse("2024-12-31"), CX_PERIOD_QUARTER), 1);
    assert_int_equal(cx_period_step(parse("2024-03-04"), CX_PERIOD_WEEK) -
                         cx_period_step(parse("2024-02-26"), CX_PERIOD_WEEK), 1);
    assert_int_equal(cx_period_step(parse("2024-03-04"), CX_PERIOD_DAY), parse("2024-03-04").value);
    assert_int_equal(cx_period_step(parse("2024-03"), CX_PERIOD_NONE), parse("2024-03").value);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(period_should_parse_each_kind),
        cmocka_unit_test(period_should_reject_impossible_dates),
        cmocka_unit_test(period_should_know_the_quarter_of_a_week_by_its_thursday),
        cmocka_unit_test(period_should_agree_with_glibc_for_two_centuries),
        cmocka_unit_test(period_should_number_consecutive_periods_consecutively),
        cmocka_unit_test(date_should_read_the_forms_exports_write),
        cmocka_unit_test(cadence_should_find_the_regular_spacing_of_dates),
    };
    return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
