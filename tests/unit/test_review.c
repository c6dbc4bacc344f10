/*
 * test_review.c - the pieces of the review (src/review/): the normal CRPS
 * against values worked by hand and against its Monte Carlo definition
 * E|X - y| - 1/2 E|X - X'|, the interval score and the band hits; the
 * bridge's split of a change into parts that add up to it to 1e-9 for a
 * linear chain and for a model with a log, a square and an interaction,
 * whatever the order of the parts; and the difference-in-differences
 * estimate with its clustered SE against R's lm + sandwich::vcovCL
 * (tests/data/did_rollout.{R,csv,json}) to 1e-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "helpers.h"
#include "review/review_internal.h"

static double rel(double a, double b)
{
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* ---- scores ---------------------------------------------------------------- */

/* By hand: CRPS(N(0,1), 0) = 2 phi(0) - 1/sqrt(pi) = 2/sqrt(2 pi) - 1/sqrt(pi)
 * = 0.797884560802865 - 0.564189583547756 = 0.233694977255109.
 * CRPS(N(0, 2^2), 1): z = 0.5, Phi(0.5) = 0.691462461274013,
 * phi(0.5) = 0.352065326764300; 2 [0.5 (2 x 0.691462461274013 - 1)
 * + 2 x 0.352065326764300 - 0.564189583547756] = 2 x 0.331403531254856
 * = 0.662807062509712.  Shifting mean and value alike changes nothing, and
 * y below the mean mirrors y above it. */
static void crps_should_equal_the_closed_form_worked_by_hand(void **state)
{
    (void)state;
    assert_true(rel(cx_crps_normal(0, 1, 0), 0.233694977255109) < 1e-13);
    assert_true(rel(cx_crps_normal(0, 2, 1), 0.662807062509712) < 1e-13);
    assert_true(rel(cx_crps_normal(100, 2, 101), 0.662807062509712) < 1e-12);
    assert_true(rel(cx_crps_normal(0, 2, -1), 0.662807062509712) < 1e-13);
    assert_true(cx_crps_normal(5, 0, 3) == 2);
}

/* E|X - y| - 1/2 E|X - X'| over 400,000 pairs of draws agrees with the
 * closed form within 4 standard errors of the estimate, at three values. */
static void crps_should_match_its_monte_carlo_definition(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261206);
    const double mu = 3, sd = 1.7, ys[] = {3.2, 0.1, 8.5};
    const size_t N = 400000;
    for (size_t k = 0; k < 3; k++) {
        double s = 0, s2 = 0;
        for (size_t i = 0; i < N; i++) {
            double x = mu + gsl_ran_gaussian_ziggurat(r, sd), x2 = mu + gsl_ran_gaussian_ziggurat(r, sd);
            double v = fabs(x - ys[k]) - 0.5 * fabs(x - x2);
            s += v;
            s2 += v * v;
        }
        double mean = s / (double)N, se = sqrt((s2 / (double)N - mean * mean) / (double)N);
        double exact = cx_crps_normal(mu, sd, ys[k]);
        print_message("# CRPS at y = %g: closed form %.6f, Monte Carlo %.6f (SE %.6f)\n", ys[k], exact, mean, se);
        assert_true(fabs(mean - exact) < 4 * se);
    }
    gsl_rng_free(r);
}

/* The 95% interval of N(10, 2^2) is 10 -+ 1.959964 x 2 = [6.080072,
 * 13.919928]; y = 15 lies above it: score 7.839856 + 40 x 1.080072 =
 * 51.042737.  The 80% interval 10 -+ 1.281552 x 2 = [7.436897, 12.563103]:
 * score 5.126206 + 10 x 2.436897 = 29.495175.  PIT Phi(2.5) = 0.993790. */
static void scores_should_place_the_value_against_the_bands(void **state)
{
    (void)state;
    cx_score s;
    cx_score_normal(10, 2, 15, &s);
    assert_true(rel(s.z, 2.5) < 1e-15);
    assert_true(fabs(s.pit - 0.99379033467422384) < 1e-12);
    assert_false(s.in80);
    assert_false(s.in95);
    assert_true(fabs(s.is95 - 51.0427372) < 1e-6);
    assert_true(fabs(s.is80 - 29.4951750) < 1e-6);
    cx_score_normal(10, 2, 12, &s);
    assert_true(s.in80 && s.in95);
    assert_true(rel(s.is95, 2 * 1.959963984540054 * 2) < 1e-12);
    cx_score_normal(10, 2, 13, &s);
    assert_true(!s.in80 && s.in95);
    assert_true(rel(cx_interval_score(0, 1, 0.05, 2), 41) < 1e-15);
    assert_true(rel(cx_interval_score(0, 1, 0.05, -0.5), 21) < 1e-15);
}

/* ---- the track record ------------------------------------------------------ */

/* 8 of 10 at z = 1.96: statsmodels' proportion_confint(8, 10,
 * method="wilson") gives [0.490162471536642, 0.943317848545625].  By hand:
 * centre (0.8 + 1.96^2/20) / (1 + 1.96^2/10) = 0.716740, half width
 * 1.96 / 1.38416 x sqrt(0.016 + 1.96^2/400) = 0.226578. */
static void wilson_should_equal_statsmodels(void **state)
{
    (void)state;
    double lo, hi;
    cx_wilson(8, 10, 1.959963984540054, &lo, &hi);
    assert_true(rel(lo, 0.490162471536642) < 1e-12);
    assert_true(rel(hi, 0.943317848545625) < 1e-12);
    cx_wilson(0, 5, 1.959963984540054, &lo, &hi);
    assert_true(lo == 0 && hi > 0.43 && hi < 0.44);
}

/* Ten loss differences: mean 0.14, gamma0 (divisor n) 0.0334; DM =
 * 0.14 / sqrt(0.0334 / 10) = 2.42241; HLN x sqrt(9/10) = 2.20140; p from
 * t(9) two-sided 0.055215 (numpy + scipy.stats.t.sf). */
static void dm_should_apply_the_hln_correction(void **state)
{
    (void)state;
    const double d[10] = {0.3, -0.1, 0.25, 0.4, -0.05, 0.2, 0.15, 0.35, -0.2, 0.1};
    double stat, p;
    assert_int_equal(cx_dm_test(d, 10, &stat, &p), CX_OK);
    assert_true(rel(stat, 2.201398157116028) < 1e-12);
    assert_true(rel(p, 0.055214533401942) < 1e-9);
    const double flat[3] = {1, 1, 1};
    assert_int_equal(cx_dm_test(flat, 3, &stat, &p), CX_EINVAL);
}

/* ---- the bridge ------------------------------------------------------------ */

/* The linear chain: x = (delivery, handling, conversion, lagged NPS);
 * NPS = -5 delivery - 0.03 handling + 4 conversion, revenue = 1500 NPS' +
 * 40000 conversion with NPS' = the lagged NPS input. */
static double linear(const double *x, void *ctx)
{
    (void)ctx;
    double nps = -5 * x[0] - 0.03 * x[1] + 4 * x[2];
    return 1500 * (nps + x[3]) + 40000 * x[2];
}

/* A model with a log, a square and an interaction of two metrics. */
static double nonlinear(const double *x, void *ctx)
{
    (void)ctx;
    return 12 * log(x[0]) - 0.8 * x[1] * x[1] + 0.35 * x[1] * x[2] + 2 * x[3] + 7;
}

/* Four parts of a move from x0: execution, metric drift, response and
 * baseline, each touching several inputs. */
static const double x0[4] = {2.6, 310, 2.4, 1.5};
static const double parts[4][4] = {
    {-0.36, -40, 0.1, 0},   /* execution */
    {0.12, 18, -0.05, 0.3}, /* metric drift */
    {0, 0, 0, -0.8},        /* response */
    {0.05, -3, 0.02, 1.1},  /* baseline */
};

static void check_split(cx_bridge_fn f, double tol, double *phi_out)
{
    double x1[4], phi[4], work[4 + 16];
    for (size_t i = 0; i < 4; i++)
        x1[i] = x0[i] + parts[0][i] + parts[1][i] + parts[2][i] + parts[3][i];
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_bridge_split(f, NULL, x0, &parts[0][0], 4, 4, phi, work, &err), CX_OK);
    double gap = f(x1, NULL) - f(x0, NULL), sum = phi[0] + phi[1] + phi[2] + phi[3];
    print_message("# gap %.12g, parts %.12g %.12g %.12g %.12g, |sum - gap| = %.3g\n", gap, phi[0], phi[1], phi[2],
                  phi[3], fabs(sum - gap));
    assert_true(fabs(sum - gap) <= tol * fmax(1, fabs(gap)));
    /* the parts in reverse order get the same shares, reversed */
    double rev[4][4], phr[4];
    for (size_t p = 0; p < 4; p++)
        memcpy(rev[p], parts[3 - p], sizeof rev[p]);
    assert_int_equal(cx_bridge_split(f, NULL, x0, &rev[0][0], 4, 4, phr, work, &err), CX_OK);
    for (size_t p = 0; p < 4; p++)
        assert_true(fabs(phr[3 - p] - phi[p]) <= 1e-9 * fmax(1, fabs(gap)));
    memcpy(phi_out, phi, sizeof phi);
}

static void bridge_should_add_up_to_the_gap_for_the_linear_chain(void **state)
{
    (void)state;
    double phi[4];
    check_split(linear, 1e-9, phi);
    /* linear: each part gets exactly its linear effect */
    for (size_t p = 0; p < 4; p++) {
        double want = linear(parts[p], NULL) - linear((double[4]){0, 0, 0, 0}, NULL);
        assert_true(fabs(phi[p] - want) <= 1e-9 * fmax(1, fabs(want)));
    }
}

static void bridge_should_add_up_to_the_gap_with_a_log_a_square_and_an_interaction(void **state)
{
    (void)state;
    double phi[4];
    check_split(nonlinear, 1e-9, phi);
    /* the response part touches only the linear input x[3]: 2 x (-0.8) */
    assert_true(fabs(phi[2] - -1.6) < 1e-9);
    cx_error err;
    cx_error_init(&err);
    double work[4 + 512];
    assert_int_equal(cx_bridge_split(nonlinear, NULL, x0, &parts[0][0], 4, 9, phi, work, &err), CX_EINVAL);
}

/* ---- difference-in-differences --------------------------------------------- */

static void did_should_equal_r_lm_with_sandwich_vcovcl(void **state)
{
    (void)state;
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(TOP "/tests/data/did_rollout.csv", NULL, &t, &err), CX_OK);
    cx_did d;
    cx_status st = cx_did_fit(t, "y", &d, &err);
    if (st != CX_OK)
        print_message("# %s\n", err.message);
    assert_int_equal(st, CX_OK);
    FILE *fp = fopen(TOP "/tests/data/did_rollout.json", "rb");
    assert_non_null(fp);
    char buf[4096];
    size_t len = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[len] = '\0';
    cJSON *ref = cJSON_Parse(buf);
    assert_non_null(ref);
    double tau = cJSON_GetObjectItemCaseSensitive(ref, "tau")->valuedouble;
    double se = cJSON_GetObjectItemCaseSensitive(ref, "se")->valuedouble;
    print_message("# DiD: tau %.15g (R %.15g, rel %.2g), SE %.15g (R %.15g, rel %.2g), %zu clusters\n", d.tau, tau,
                  rel(d.tau, tau), d.se, se, rel(d.se, se), d.units);
    assert_true(d.separable);
    assert_true(rel(d.tau, tau) < 1e-8);
    assert_true(rel(d.se, se) < 1e-8);
    assert_int_equal(d.n, 120);
    assert_int_equal(d.units, 10);
    cJSON_Delete(ref);

    /* everyone live at once: the exposure is a period effect, not separable */
    size_t ce = cx_table_find(t, "exposure"), cp = cx_table_find(t, "period");
    for (size_t i = 0; i < cx_table_nrows(t); i++) {
        char q[CX_PERIOD_TEXT_MAX];
        cx_period_format(cx_table_periods(t, cp)[i], q, sizeof q);
        cx_table_set_number(t, ce, i, strcmp(q, "2024Q3") >= 0 ? 1 : 0);
    }
    st = cx_did_fit(t, "y", &d, &err);
    if (st != CX_OK)
        print_message("# %s\n", err.message);
    assert_int_equal(st, CX_OK);
    assert_false(d.separable);
    assert_true(isnan(d.tau));
    cx_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crps_should_equal_the_closed_form_worked_by_hand),
        cmocka_unit_test(crps_should_match_its_monte_carlo_definition),
        cmocka_unit_test(scores_should_place_the_value_against_the_bands),
        cmocka_unit_test(wilson_should_equal_statsmodels),
        cmocka_unit_test(dm_should_apply_the_hln_correction),
        cmocka_unit_test(bridge_should_add_up_to_the_gap_for_the_linear_chain),
        cmocka_unit_test(bridge_should_add_up_to_the_gap_with_a_log_a_square_and_an_interaction),
        cmocka_unit_test(did_should_equal_r_lm_with_sandwich_vcovcl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
