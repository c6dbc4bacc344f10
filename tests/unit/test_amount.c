/*
 * test_amount.c - cx_amount_parse: amounts as finance writes them give the
 * double the same number written plainly gives, bit for bit, and say how
 * they were written; anything that is no amount is refused.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "helpers.h"

static void assert_same_bits(double a, double b)
{
    if (memcmp(&a, &b, sizeof a) != 0) {
        print_error("%.17g != %.17g\n", a, b);
        fail();
    }
}

/* Parse `s` with `decimal`; it must equal the plain text `plain` read with a
 * point, bit for bit, and have the given thousands separator, percent flag,
 * negative form and currency. */
static void amount_is(const char *s, char decimal, const char *plain, char thousands, char percent, char negative,
                      const char *currency)
{
    double v = 12345.678, want;
    cx_amount_form f;
    if (cx_amount_parse(s, strlen(s), decimal, &v, &f) != CX_OK) {
        print_error("'%s' (decimal '%c') did not parse\n", s, decimal);
        fail();
    }
    assert_int_equal(cx_number_parse(plain, strlen(plain), '.', &want), CX_OK);
    assert_same_bits(v, want);
    if (f.thousands != thousands || f.percent != percent || f.negative != negative ||
        strcmp(f.currency, currency) != 0) {
        print_error("'%s': form {'%c', %d, '%c', '%s'}, expected {'%c', %d, '%c', '%s'}\n", s, f.thousands ? f.thousands : '0',
                    f.percent, f.negative ? f.negative : '0', f.currency, thousands ? thousands : '0', percent,
                    negative ? negative : '0', currency);
        fail();
    }
}

static void amount_should_read_the_three_thousands_styles(void **state)
{
    (void)state;
    amount_is("1.073.237,22", ',', "1073237.22", '.', 0, 0, "");
    amount_is("1,073,237.22", '.', "1073237.22", ',', 0, 0, "");
    amount_is("1 073 237,22", ',', "1073237.22", ' ', 0, 0, "");
    amount_is("1\xC2\xA0" "073\xC2\xA0" "237,22", ',', "1073237.22", ' ', 0, 0, "");
    amount_is("1\xE2\x80\xAF" "073,5", ',', "1073.5", ' ', 0, 0, "");
    amount_is("12.500", ',', "12500", '.', 0, 0, "");
    amount_is("999,99", ',', "999.99", 0, 0, 0, "");
    amount_is(",5", ',', "0.5", 0, 0, 0, "");
    amount_is("0,07", ',', "0.07", 0, 0, 0, "");
    amount_is("1234567,891", ',', "1234567.891", 0, 0, 0, "");
}

static void amount_should_read_currencies_negatives_and_percentages(void **state)
{
    (void)state;
    amount_is("\xE2\x82\xAC 1.234,56", ',', "1234.56", '.', 0, 0, "EUR");
    amount_is("\xE2\x82\xAC""1.234,56", ',', "1234.56", '.', 0, 0, "EUR");
    amount_is("1.234,56 EUR", ',', "1234.56", '.', 0, 0, "EUR");
    amount_is("1.234,56 \xE2\x82\xAC", ',', "1234.56", '.', 0, 0, "EUR");
    amount_is("$1,234.56", '.', "1234.56", ',', 0, 0, "USD");
    amount_is("\xC2\xA3 12", '.', "12", 0, 0, 0, "GBP");
    amount_is("(1.234,56)", ',', "-1234.56", '.', 0, ')', "");
    amount_is("\xE2\x82\xAC (1.234,56)", ',', "-1234.56", '.', 0, ')', "EUR");
    amount_is("(\xE2\x82\xAC 1.234,56)", ',', "-1234.56", '.', 0, ')', "EUR");
    amount_is("1.234,56-", ',', "-1234.56", '.', 0, 't', "");
    amount_is("-\xE2\x82\xAC 1.234,56", ',', "-1234.56", '.', 0, '-', "EUR");
    amount_is("\xE2\x82\xAC -1.234,56", ',', "-1234.56", '.', 0, '-', "EUR");
    amount_is("-1.234,56", ',', "-1234.56", '.', 0, '-', "");
    amount_is("+7", '.', "7", 0, 0, 0, "");
    amount_is("2,5%", ',', "2.5", 0, 1, 0, "");
    amount_is("2,5 %", ',', "2.5", 0, 1, 0, "");
    amount_is("-0,4%", ',', "-0.4", 0, 1, '-', "");
    amount_is("(0.4%)", '.', "-0.4", 0, 1, ')', "");
    amount_is("1.250,0%", ',', "1250.0", '.', 1, 0, "");
    amount_is("  12,5  ", ',', "12.5", 0, 0, 0, "");
}

static void amount_should_refuse_what_is_no_amount(void **state)
{
    (void)state;
    struct {
        const char *s;
        char decimal;
    } bad[] = {
        {"", ','}, {" ", ','}, {"-", ','}, {"%", ','}, {"\xE2\x82\xAC", ','}, {"()", ','},
        {"1.5", ','},            /* the other mark, not in groups of three: a decimal point */
        {"1.23.456", ','},       /* a group of two */
        {"0.123", ','},          /* a leading zero before a separator */
        {"1.2345", ','},         /* a group of four */
        {"1.234 567", ','},      /* two separators */
        {"1,234.56", ','},       /* the other style: the mark comes first */
        {"1.234,56", '.'},
        {"12,", ','},            /* a mark without a fraction */
        {"1,2,3", '.'},
        {"(12", ','}, {"12)", ','}, {"(-12)", ','}, {"(12)-", ','}, {"--12", ','}, {"12--", ','},
        {"-12-", ','},
        {"\xE2\x82\xAC 12 EUR", ','}, {"12%%", ','}, {"\xE2\x82\xAC 12%", ','},
        {"1e5", '.'}, {"12 kg", ','}, {"n.v.t.", ','}, {"06 1234 5678", ','}, {"2025-03-31", '.'},
        {"0x10", '.'}, {"1 2", ','},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        double v = 42;
        if (cx_amount_parse(bad[i].s, strlen(bad[i].s), bad[i].decimal, &v, NULL) != CX_ESYNTAX) {
            print_error("'%s' (decimal '%c') was accepted as %.17g\n", bad[i].s, bad[i].decimal, v);
            fail();
        }
    }
}

/* Random amounts written with thousands separators (each style, a currency,
 * a negative form, sometimes a percentage) read as the plain number does,
 * bit for bit. */
static void amount_should_round_as_the_plain_number(void **state)
{
    (void)state;
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    char plain[64], text[128];
    for (int k = 0; k < 100000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        uint64_t ip = (x >> 8) % 1000000000000ULL, frac = (x >> 3) % 1000;
        int nfrac = (int)(x % 4);
        size_t o = (size_t)snprintf(plain, sizeof plain, "%llu", (unsigned long long)ip);
        if (nfrac)
            snprintf(plain + o, sizeof plain - o, ".%0*llu", nfrac, (unsigned long long)(frac % (nfrac == 1 ? 10 : nfrac == 2 ? 100 : 1000)));
        int style = (int)((x >> 50) % 3);
        char dec = style == 1 ? '.' : ',';
        const char *th = style == 0 ? "." : style == 1 ? "," : "\xC2\xA0";
        /* group the integer digits */
        char grouped[64];
        size_t g = 0, nint = strlen(plain) - (nfrac ? (size_t)nfrac + 1 : 0);
        for (size_t i = 0; i < nint; i++) {
            if (i && (nint - i) % 3 == 0)
                g += (size_t)snprintf(grouped + g, sizeof grouped - g, "%s", th);
            grouped[g++] = plain[i];
        }
        if (nfrac) {
            grouped[g++] = dec;
            memcpy(grouped + g, plain + nint + 1, (size_t)nfrac);
            g += (size_t)nfrac;
        }
        grouped[g] = '\0';
        int neg = (int)((x >> 55) % 3);
        snprintf(text, sizeof text, neg == 1 ? "(%s%s)" : neg == 2 ? "%s%s-" : "%s%s",
                 (x >> 60) & 1 ? "\xE2\x82\xAC " : "", grouped);
        double got, want;
        assert_int_equal(cx_number_parse(plain, strlen(plain), '.', &want), CX_OK);
        if (cx_amount_parse(text, strlen(text), dec, &got, NULL) != CX_OK) {
            print_error("'%s' did not parse\n", text);
            fail();
        }
        assert_same_bits(got, neg ? -want : want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(amount_should_read_the_three_thousands_styles),
        cmocka_unit_test(amount_should_read_currencies_negatives_and_percentages),
        cmocka_unit_test(amount_should_refuse_what_is_no_amount),
        cmocka_unit_test(amount_should_round_as_the_plain_number),
    };
    return cmocka_run_group_tests_name("amount", tests, NULL, NULL);
}
