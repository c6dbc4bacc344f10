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
#include "sim/finance_internal.h"

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

/* The Monte Carlo's IRR for flows that change sign several times walks the
 * grid outward from 0; it must choose exactly the root that the full grid
 * search of cx_fin_irr chooses (the one nearest 0), on flows built to have
 * roots on both sides of 0, near 0, far from it and none at all. */
static void finance_should_choose_the_full_searchs_root_when_walking_outward(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    int several_seen = 0, none_seen = 0, negative_seen = 0, checked = 0;
    for (int k = 0; k < 3000; k++) {
        size_t n = 3 + gsl_rng_uniform_int(rng, 18);
        double cf[24];
        double level = 200 * (gsl_rng_uniform(rng) - 0.5), noise = 20 + 300 * gsl_rng_uniform(rng);
        cf[0] = -1000 * gsl_rng_uniform(rng);
        for (size_t t = 1; t < n; t++)
            cf[t] = level + noise * (gsl_rng_uniform(rng) - 0.5);
        if (k % 3 == 0) /* a product of (x - x1)(x - x2)...: roots placed on purpose */
        {
            double r1 = 1.0 / (1.0 + (-0.3 + 0.6 * gsl_rng_uniform(rng)));
            double r2 = 1.0 / (1.0 + (-0.3 + 0.6 * gsl_rng_uniform(rng)));
            n = 3;
            cf[0] = r1 * r2, cf[1] = -(r1 + r2), cf[2] = 1; /* P(x) = x (x - r1)(x - r2) */
        }
        double want, got;
        int several = 0;
        int ok_full = cx_fin_irr(cf, n, &want, &several, NULL) == CX_OK;
        int ok_fast = cx_fin_irr_fast(cf, n, 0.0, &got);
        if (ok_fast != ok_full) { print_error("series %d n %zu: fast %d full %d want %g\n", k, n, ok_fast, ok_full, want); for (size_t t = 0; t < n; t++) print_error(" %.17g", cf[t]); }
        assert_int_equal(ok_fast, ok_full);
        if (ok_full) {
            if (got != want) {
                print_error("series %d: outward walk %.17g, full grid %.17g\n", k, got, want);
                fail();
            }
            several_seen += several;
            negative_seen += want < 0;
            checked++;
        } else
            none_seen++;
    }
    /* the cases the test means to cover did occur */
    assert_true(several_seen > 100);
    assert_true(negative_seen > 100);
    assert_true(none_seen > 10);
    assert_true(checked > 1000);
    gsl_rng_free(rng);
}

/* The Monte Carlo's batched IRR agrees with cx_fin_irr series by series, to
 * 1e-12 relative, in full and partial batches of series that change sign
 * once (from a start far from the root), several times, or never. */
static void finance_should_agree_with_the_single_irr_in_batches(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    enum { N = 12 };
    double cf[N * CX_FIN_LANES], irr[CX_FIN_LANES], one[N];
    int kinds[3] = {0, 0, 0};
    for (int b = 0; b < 60; b++) {
        size_t m = b % 3 == 2 ? 1 + gsl_rng_uniform_int(rng, CX_FIN_LANES) : CX_FIN_LANES;
        for (size_t i = 0; i < CX_FIN_LANES; i++) {
            int kind = (int)gsl_rng_uniform_int(rng, 3);
            for (size_t t = 0; t < N; t++) {
                double f = kind == 0 ? (t == 0 ? -1000 : 50 + 300 * gsl_rng_uniform(rng)) /* once */
                           : kind == 1 ? 300 * (gsl_rng_uniform(rng) - 0.5)                /* often */
                                       : -100 * gsl_rng_uniform(rng);                      /* never */
                cf[t * CX_FIN_LANES + i] = f;
            }
        }
        double x0 = 1.0 / (1.0 + 0.5 * gsl_rng_uniform(rng)); /* a start far from most roots */
        double start[CX_FIN_LANES];
        for (size_t i = 0; i < CX_FIN_LANES; i++) /* some near, some far, some outside the range */
            start[i] = i % 4 == 3 ? 1000 : x0 * (0.8 + 0.4 * gsl_rng_uniform(rng));
        cx_fin_irr_batch(cf, N, m, x0, b % 2 ? start : NULL, 0.1, irr);
        for (size_t i = 0; i < m; i++) {
            for (size_t t = 0; t < N; t++)
                one[t] = cf[t * CX_FIN_LANES + i];
            double want;
            int several;
            if (cx_fin_irr(one, N, &want, &several, NULL) != CX_OK) {
                assert_true(isnan(irr[i]));
                kinds[2]++;
                continue;
            }
            kinds[several]++;
            if (!(fabs(irr[i] - want) <= 1e-12 * fmax(1.0, fabs(want)))) {
                print_error("batch %d series %zu: batched %.17g, single %.17g\n", b, i, irr[i], want);
                fail();
            }
        }
    }
    assert_true(kinds[0] > 500 && kinds[1] > 50 && kinds[2] > 500);
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

/* Capex of 1200 depreciated over one year (300 a quarter) against 1000 of
 * gross profit a quarter, tax 25%:
 *   quarter 1: 1000 - 1200 - 0.25 (1000 - 300) = -375
 *   quarter 2: 1000 - 0    - 0.25 (1000 - 300) =  825
 * and expensed (deduct == costs) the flow is cx_fin_cash_flow's to the bit. */
static void finance_should_deduct_depreciation_instead_of_capex_by_hand(void **state)
{
    (void)state;
    assert_near(cx_fin_cash_flow_tax(1000 / 0.4, 0.4, 0.25, 1200, 300), -375, 1e-15);
    assert_near(cx_fin_cash_flow_tax(1000 / 0.4, 0.4, 0.25, 0, 300), 825, 1e-15);
    const double rev[] = {1e6, 123456.789, -5e5, 0.1};
    const double cost[] = {610000, 0.3, 77.7, 1e9};
    for (int i = 0; i < 4; i++)
        assert_true(cx_fin_cash_flow_tax(rev[i], 0.35, 0.25, cost[i], cost[i]) ==
                    cx_fin_cash_flow(rev[i], 0.35, 0.25, cost[i]));
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(finance_should_convert_annual_rates_to_quarters),
        cmocka_unit_test(finance_should_discount_the_first_quarter_one_period),
        cmocka_unit_test(finance_should_find_the_irr_by_hand),
        cmocka_unit_test(finance_should_make_the_npv_zero_at_the_irr),
        cmocka_unit_test(finance_should_choose_the_full_searchs_root_when_walking_outward),
        cmocka_unit_test(finance_should_agree_with_the_single_irr_in_batches),
        cmocka_unit_test(finance_should_find_payback_and_roi),
        cmocka_unit_test(finance_should_deduct_depreciation_instead_of_capex_by_hand),
    };
    return cmocka_run_group_tests_name("finance", tests, NULL, NULL);
}
