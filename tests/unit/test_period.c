/*
 * test_period.c - periods: parsing, canonical text, ISO weeks, conversions
 * and the calendar quarter of each period, checked day by day over two
 * centuries against glibc's gmtime/strftime (%G-W%V for ISO weeks).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <time.h>

#include "helpers.h"

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
    assert_int_equal(parse(" 2000-02-29 ").value, 11016);
    assert_int_equal(parse("1969-12-31").value, -1);
}

static void period_should_reject_impossible_dates(void **state)
{
    (void)state;
    const char *bad[] = {"2025-02-29", "2023-02-29", "1900-02-29", "2025-13", "2025-00",
                         "2025-04-31", "2025-W00", "2025-W53", "2021-W53", "2025Q5",
                         "2025Q0", "25-03-31", "2025/03/31", "2025-3-1", "31-03-2025",
                         "2025", "2025W07", "2025-W7", "abcd-01", "0999-01-01", ""};
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
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(period_should_parse_each_kind),
        cmocka_unit_test(period_should_reject_impossible_dates),
        cmocka_unit_test(period_should_know_the_quarter_of_a_week_by_its_thursday),
        cmocka_unit_test(period_should_agree_with_glibc_for_two_centuries),
        cmocka_unit_test(period_should_number_consecutive_periods_consecutively),
    };
    return cmocka_run_group_tests_name("period", tests, NULL, NULL);
}
