/*
 * test_number.c - cx_number_parse: exact on the fast path, correctly rounded
 * everywhere (checked bit for bit against glibc's strtod, which rounds
 * correctly), strict about syntax, and independent of the locale.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <locale.h>
#include <math.h>

#include "helpers.h"

static double parse_ok(const char *s, char decimal)
{
    double v = -12345.678;
    cx_status st = cx_number_parse(s, strlen(s), decimal, &v);
    if (st != CX_OK) {
        print_error("'%s' did not parse\n", s);
        fail();
    }
    return v;
}

static void assert_same_bits(double a, double b)
{
    if (memcmp(&a, &b, sizeof a) != 0) {
        print_error("%.17g != %.17g\n", a, b);
        fail();
    }
}

static void number_should_parse_business_values(void **state)
{
    (void)state;
    assert_same_bits(parse_ok("412.3", '.'), 412.3);
    assert_same_bits(parse_ok("1250000.00", '.'), 1250000.0);
    assert_same_bits(parse_ok("-0.07", '.'), -0.07);
    assert_same_bits(parse_ok("+3", '.'), 3.0);
    assert_same_bits(parse_ok(".5", '.'), 0.5);
    assert_same_bits(parse_ok("5.", '.'), 5.0);
    assert_same_bits(parse_ok("  42  ", '.'), 42.0);
    assert_same_bits(parse_ok("1e3", '.'), 1000.0);
    assert_same_bits(parse_ok("2.5E-3", '.'), 0.0025);
    assert_same_bits(parse_ok("412,3", ','), 412.3);
    assert_same_bits(parse_ok("-0,07", ','), -0.07);
    assert_same_bits(parse_ok("0", '.'), 0.0);
    double negzero = parse_ok("-0", '.');
    assert_true(negzero == 0 && signbit(negzero));
}

static void number_should_reject_what_is_no_plain_decimal(void **state)
{
    (void)state;
    const char *bad[] = {"", " ", "abc", "1,5", "1.2.3", "1e", "1e+", "--1", "+-1", "0x10",
                         "inf", "nan", "1 000", "12%", "€5", "1.5e3x", ".", "-", "1,234.5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v;
        if (cx_number_parse(bad[i], strlen(bad[i]), '.', &v) != CX_ESYNTAX) {
            print_error("'%s' was accepted\n", bad[i]);
            fail();
        }
    }
    double v;
    assert_int_equal(cx_number_parse("1.5", 3, ',', &v), CX_ESYNTAX);
    assert_int_equal(cx_number_parse("1e400", 5, '.', &v), CX_ESYNTAX);
}

/* A deterministic generator (splitmix64), so failures reproduce. */
static uint64_t rng_state = 0x9E3779B97F4A7C15ULL;
static uint64_t next_u64(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Random decimals of 1 to 25 significant digits and exponents from -330 to
 * 310: both the fast path and the fallback must agree bit for bit with
 * strtod, which rounds correctly. */
static void number_should_round_correctly_on_random_decimals(void **state)
{
    (void)state;
    char buf[128];
    for (int k = 0; k < 200000; k++) {
        uint64_t r = next_u64();
        int digits = 1 + (int)(r % 25);
        int point = (int)((r >> 8) % (uint64_t)(digits + 1));
        int use_exp = (r >> 16) % 3 == 0;
        int e = (int)((r >> 20) % 641) - 330;
        size_t o = 0;
        if ((r >> 40) & 1)
            buf[o++] = '-';
        for (int d = 0; d < digits; d++) {
            if (d == point && d > 0)
                buf[o++] = '.';
            buf[o++] = (char)('0' + (next_u64() % 10));
        }
        if (use_exp)
            o += (size_t)snprintf(buf + o, sizeof buf - o, "e%d", e);
        buf[o] = '\0';
        double want = strtod(buf, NULL);
        if (isinf(want))
            continue;
        double got;
        assert_int_equal(cx_number_parse(buf, o, '.', &got), CX_OK);
        if (memcmp(&got, &want, sizeof got) != 0) {
            print_error("'%s': got %.17g, want %.17g\n", buf, got, want);
            fail();
        }
    }
}

/* The short path (up to 15 digits, no exponent) and the general code around
 * its limits: random decimals of 1 to 18 digits, often with leading zeros,
 * the mark anywhere (also first or last), a sign or none, padding, either
 * decimal mark; bit for bit what strtod gives for the text with a point. */
static void number_should_agree_with_strtod_on_short_decimals(void **state)
{
    (void)state;
    char buf[64], dot[64];
    for (int k = 0; k < 300000; k++) {
        uint64_t r = next_u64();
        int digits = 1 + (int)(r % 18);
        int point = (int)((r >> 8) % (uint64_t)(digits + 2)) - 1; /* -1: no mark */
        int zeros = (r >> 16) % 4 == 0 ? (int)((r >> 18) % 4) : 0;
        char mark = (r >> 22) & 1 ? ',' : '.';
        const char *sign = (r >> 23) % 3 == 0 ? "-" : (r >> 23) % 3 == 1 ? "+" : "";
        const char *pad = (r >> 26) % 8 == 0 ? " \t" : "";
        size_t o = (size_t)snprintf(buf, sizeof buf, "%s%s", pad, sign);
        for (int d = 0; d < digits; d++) {
            if (d == point)
                buf[o++] = mark;
            buf[o++] = (char)('0' + (d < zeros ? 0 : next_u64() % 10));
        }
        if (point == digits)
            buf[o++] = mark;
        o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", pad);
        for (size_t i = 0; i <= o; i++)
            dot[i] = buf[i] == mark ? '.' : buf[i];
        double got, want = strtod(dot, NULL);
        if (cx_number_parse(buf, o, mark, &got) != CX_OK || memcmp(&got, &want, sizeof got) != 0) {
            print_error("'%s' (mark '%c'): got %.17g, want %.17g\n", buf, mark, got, want);
            fail();
        }
    }
    /* the limits: 15 digits on the short path, 16 and more on the general code */
    const char *edge[] = {"999999999999999", "99999999999999.9", "0.00000000000001", "-0.000000000000000",
                          "9999999999999999", "900719925474099.3", "1234567890.123456", "0000000000000001.5",
                          "-0", "+0.0", "0.", ".0", "1.", ".1"};
    for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
        double got;
        assert_int_equal(cx_number_parse(edge[i], strlen(edge[i]), '.', &got), CX_OK);
        assert_same_bits(got, strtod(edge[i], NULL));
    }
    double v;
    const char *bad[] = {".", "-", "+", "-.", "1.2.", "1..2", "12a", "1 2", "1.5,", ",5"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cx_number_parse(bad[i], strlen(bad[i]), '.', &v), CX_ESYNTAX);
}

/* Hard cases near halfway points and at the limits of the fast path. */
static void number_should_round_hard_cases(void **state)
{
    (void)state;
    const char *cases[] = {
        "9007199254740993",         /* 2^53 + 1: halfway, rounds to even */
        "9007199254740992",
        "9007199254740991e22",
        "1e22", "1e23", "8.98846567431158e307", "2.2250738585072011e-308",
        "4.9406564584124654e-324", "1.7976931348623157e308",
        "0.1", "0.2", "0.3", "123456789012345678901234567890",
        "0.000000000000000000000000000001", "7.038531e-26", "9214843084008499",
        "30078505129381147446200", "1777820000000000000001", "0.500000000000000166533453693773481063544750213623046875",
        "3.0540412816691433e-300", "1.00000000000000011102230246251565404236316680908203125",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        double got;
        assert_int_equal(cx_number_parse(cases[i], strlen(cases[i]), '.', &got), CX_OK);
        assert_same_bits(got, strtod(cases[i], NULL));
    }
}

static void number_should_ignore_the_locale(void **state)
{
    (void)state;
    /* a locale with a decimal comma, if the machine has one */
    const char *names[] = {"nl_NL.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8", "C.UTF-8"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (setlocale(LC_NUMERIC, names[i]))
            break;
    assert_same_bits(parse_ok("3.25", '.'), 3.25);
    assert_same_bits(parse_ok("3,25", ','), 3.25);
    assert_same_bits(parse_ok("1.2345678901234567890123e-5", '.'), 1.2345678901234567890123e-5);
    setlocale(LC_NUMERIC, "C");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(number_should_parse_business_values),
        cmocka_unit_test(number_should_reject_what_is_no_plain_decimal),
        cmocka_unit_test(number_should_round_correctly_on_random_decimals),
        cmocka_unit_test(number_should_agree_with_strtod_on_short_decimals),
        cmocka_unit_test(number_should_round_hard_cases),
        cmocka_unit_test(number_should_ignore_the_locale),
    };
    return cmocka_run_group_tests_name("number", tests, NULL, NULL);
}
