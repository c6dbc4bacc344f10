/*
 * test_finance.c - discounting, NPV, IRR, payback and ROI against values
 * worked out by hand (a quarterly rate of 10% is the annual rate 1.1^4 - 1 =
 * 0.4641, so the fractions stay exact), and the defining property of the IRR
 * (the NPV at it is 0) on random series.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "helpers.h"

#define Q10 0.4641 /* annual rate whose quarterly rate is 10% */

#define assert_near(got, want, tol)                                                         \
    do {                                                                                    \
        double g_ = (got), w_ = (want);                                                     \
        if (!(fabs(g_ - w_) <= (tol) * fmax(1.0, fabs(w_)))) {                              \
            print_error("%s = %.17g, expected %.17g\n", #got, g_, w_);                      \
            fail();                                                                         \
        }                                                                                   \
    } while (0)

static void finance_should_convert_annual_rates_to_quarters(void **state)
{
    (void)state;
    assert_near(cx_fin_quarterly_rate(Q10), 0.1, 1e-14);
    assert_near(cx_fin_quarterly_rate(0), 0, 1e-15);
    /* 8% a year: (1.08)^(1/4) - 1 = 0.0194265469... */
    assert_near(cx_fin_quarterly_rate(0.08), 0.019426546908273501, 1e-12);
    assert_near(cx_fin_discount_factor(Q10, 2), 1 / 1.21, 1e-14);
}

static void finance_should_discount_the_first_quarter_one_period(void **state)
{
    (void)state;
    /* -1000/1.1 + 600/1.1^2 + 605/1.1^3 = -10000/11 + 60000/121 + 5000/11 = 5000/121 */
    const double cf[] = {-1000, 600, 605};
    assert_near(cx_fin_npv(cf, 3, Q10), 5000.0 / 121.0, 1e-12);
    const double even[] = {-100, 110};
    assert_near(cx_fin_npv(even, 2, Q10), 0, 1e-12);
    const double flat[] = {100, 100, 100, 100};
    assert_near(cx_fin_npv(flat, 4, 0), 400, 1e-15);
}

static void finance_should_find_the_irr_by_hand(void **state)
{
    (void)state;
    double irr;
    int several;
    const double a[] = {-100, 110}; /* 10% a quarter */
    assert_int_equal(cx_fin_irr(a, 2, &irr, &several, NULL), CX_OK);
    assert_near(irr, Q10, 1e-12);
    assert_false(several);
    const double b[] = {-100, 0, 121}; /* (1 + x)^2 = 1.21 */
    assert_int_equal(cx_fin_irr(b, 3, &irr, &several, NULL), CX_OK);
    assert_near(irr, Q10, 1e-12);
    /* -100 y^2 + 230 y - 132 = 0 with y = 1 + x: y = 1.1 or 1.2, two rates */
    const double c[] = {-100, 230, -132};
    assert_int_equal(cx_fin_irr(c, 3, &irr, &several, NULL), CX_OK);
    assert_true(several);
    assert_near(irr, Q10, 1e-12); /* the one closest to 0 */
    /* no sign change: no rate */
    const double d[] = {100, 50};
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_fin_irr(d, 2, &irr, &several, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "never change sign"));
}

static void finance_should_make_the_npv_zero_at_the_irr(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 42);
    for (int k = 0; k < 200; k++) {
        size_t n = 2 + gsl_rng_uniform_int(rng, 20);
        double cf[24], scale = 0;
        cf[0] = -1000 * (0.5 + gsl_rng_uniform(rng));
        for (size_t t = 1; t < n; t++)
            cf[t] = 400 * gsl_rng_uniform(rng);
        for (size_t t = 0; t < n; t++)
            scale += fabs(cf[t]);
        double irr;
        int several;
        assert_int_equal(cx_fin_irr(cf, n, &irr, &several, NULL), CX_OK);
        assert_false(several); /* one sign change: one rate */
        if (fabs(cx_fin_npv(cf, n, irr)) > 1e-9 * scale) {
            print_error("series %d: NPV at the IRR %.17g is %.3g\n", k, irr, cx_fin_npv(cf, n, irr));
            fail();
        }
    }
    gsl_rng_free(rng);
}

static void finance_should_find_payback_and_roi(void **state)
{
    (void)state;
    const double cf[] = {-100, 30, 40, 50}; /* cumulative -100, -70, -30, 20 */
    assert_int_equal(cx_fin_payback(cf, 4), 4);
    const double never[] = {-100, 10, 10};
    assert_int_equal(cx_fin_payback(never, 3), 0);
    const double benefits[] = {0, 50, 60}, costs[] = {100, 0, 0};
    assert_near(cx_fin_roi(benefits, costs, 3), 0.1, 1e-15);
    const double none[] = {0, 0, 0};
    assert_true(isnan(cx_fin_roi(benefits, none, 3)));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finance_should_convert_annual_rates_to_quarters),
        cmocka_unit_test(finance_should_discount_the_first_quarter_one_period),
        cmocka_unit_test(finance_should_find_the_irr_by_hand),
        cmocka_unit_test(finance_should_make_the_npv_zero_at_the_irr),
        cmocka_unit_test(finance_should_find_payback_and_roi),
    };
    return cmocka_run_group_tests_name("finance", tests, NULL, NULL);
}
