/*
 * test_scenario.c - scenario files: the sample loads with what it says, and
 * a failed allocation anywhere in the reading leaves nothing behind.
 * (The malformed files and their messages: tests/cli/t40-check-bad.sh.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "helpers.h"
#include "sample_doc.h"
#include "sim/scenario_internal.h"

static void scenario_should_load_the_sample(void **state)
{
    (void)state;
    cx_scenario *s = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_scenario_load(TOP "/samples/scenario.json", &s, &err), CX_OK);
    assert_string_equal(cx_scenario_name(s), "CX investment plan 2026-2028");
    assert_string_equal(cx_scenario_currency(s), "EUR");
    assert_int_equal(cx_scenario_ninitiatives(s), 4);
    assert_int_equal(cx_scenario_nscenarios(s), 3);
    assert_int_equal(cx_scenario_horizon(s), 12);
    assert_string_equal(cx_scenario_start(s), "2026Q1");
    cx_scenario_free(s);
}

/* Costs per quarter of the samples' three scenarios, worked out by hand from
 * samples/scenario.json (horizon 2026Q1..2028Q4). */
static void scenario_should_sum_costs_per_quarter(void **state)
{
    (void)state;
    cx_scenario *s = NULL;
    assert_int_equal(cx_scenario_load(TOP "/samples/scenario.json", &s, NULL), CX_OK);
    double d, m, t, c[12];
    cx_scenario_finance(s, &d, &m, &t);
    assert_true(d == 0.08 && m == 0.35 && t == 0.25);
    /* Delivery first: capex 900k in 2026Q1, opex 60k 2026Q2..2028Q4 */
    assert_string_equal(cx_scenario_label(s, 0), "Delivery first");
    assert_int_equal(cx_scenario_costs(s, 0, c), 12);
    assert_true(c[0] == 900000);
    for (int q = 1; q < 12; q++)
        assert_true(c[q] == 60000);
    /* Service and checkout: opex 100k every quarter, capex 900k in 2026Q1 */
    assert_int_equal(cx_scenario_costs(s, 1, c), 12);
    assert_true(c[0] == 1000000);
    for (int q = 1; q < 12; q++)
        assert_true(c[q] == 100000);
    /* Everything: 900k + 100k + 900k; then 60k + 100k + personalisation's
     * 300k capex in 2026Q2; then 60k + 100k + its 20k opex */
    assert_string_equal(cx_scenario_label(s, 2), "Everything");
    assert_int_equal(cx_scenario_costs(s, 2, c), 12);
    assert_true(c[0] == 1900000);
    assert_true(c[1] == 460000);
    for (int q = 2; q < 12; q++)
        assert_true(c[q] == 180000);
    assert_int_equal(cx_scenario_costs(s, 3, c), -1);
    assert_null(cx_scenario_label(s, 3));
    /* the first quarter of "Service and checkout" with a revenue gain of
     * 1M: (0.35 * 1M - 610k) * (1 - 0.25) = -195k */
    assert_true(cx_fin_cash_flow(1e6, m, t, 610000) == -195000);
    cx_scenario_free(s);
}

/* Ramps and metric paths of the samples' scenarios, worked out by hand. */
static void scenario_should_ramp_effects_per_quarter(void **state)
{
    (void)state;
    /* a ramp of 2 from quarter 1: half in 1, all from 2 */
    assert_true(cx_ramp_share(1, 2, 0) == 0);
    assert_true(cx_ramp_share(1, 2, 1) == 0.5);
    assert_true(cx_ramp_share(1, 2, 2) == 1);
    assert_true(cx_ramp_share(1, 2, 11) == 1);
    /* no ramp: all of it from the start */
    assert_true(cx_ramp_share(3, 0, 2) == 0 && cx_ramp_share(3, 0, 3) == 1);
    assert_true(cx_ramp_share(0, 3, 0) == 1.0 / 3 && cx_ramp_share(0, 3, 1) == 2.0 / 3);

    cx_scenario *s = NULL;
    assert_int_equal(cx_scenario_load(TOP "/samples/scenario.json", &s, NULL), CX_OK);
    double d[12];
    /* Delivery first: delivery_days -0.6 from 2026Q2, ramp 2 */
    assert_int_equal(cx_scenario_metric_delta(s, 0, "delivery_days", 3.1, d), 1);
    assert_true(d[0] == 0 && d[1] == -0.3 && d[2] == -0.6 && d[11] == -0.6);
    assert_int_equal(cx_scenario_metric_delta(s, 0, "ctr", 2.0, d), 0);
    for (int q = 0; q < 12; q++)
        assert_true(d[q] == 0);
    /* Everything: ctr +0.5 from 2026Q3 over 3 quarters; conversion +0.25
     * from 2026Q2 at once; handling time -60 s from 2026Q1 over 2 */
    assert_int_equal(cx_scenario_metric_delta(s, 2, "ctr", 2.0, d), 1);
    assert_true(d[1] == 0 && fabs(d[2] - 0.5 / 3) < 1e-15 && fabs(d[3] - 1.0 / 3) < 1e-15 && d[4] == 0.5);
    assert_int_equal(cx_scenario_metric_delta(s, 2, "conversion", 3.0, d), 1);
    assert_true(d[0] == 0 && d[1] == 0.25 && d[11] == 0.25);
    assert_int_equal(cx_scenario_metric_delta(s, 2, "handling_time_s", 300, d), 1);
    assert_true(d[0] == -30 && d[1] == -60);
    assert_int_equal(cx_scenario_metric_delta(s, 3, "ctr", 2.0, d), -1);
    cx_scenario_free(s);
}

/* A target moves the metric from the baseline to that level. */
static void scenario_should_move_a_target_from_the_baseline(void **state)
{
    (void)state;
    /* next-day delivery: a target of 1.5 days instead of a change */
    cJSON *doc = sample_doc_with_target(1.5);
    char *path = NULL;
    cx_scenario *s = load_doc(doc, &path);
    double d[12];
    /* from a baseline of 2.5 days: -1 in all, half of it in 2026Q2 */
    assert_int_equal(cx_scenario_metric_delta(s, 0, "delivery_days", 2.5, d), 1);
    assert_true(d[0] == 0 && d[1] == -0.5 && d[2] == -1 && d[11] == -1);
    cx_scenario_free(s);
    tmp_remove(path);
}

/* Without a "scenarios" list, each initiative is a scenario of its own. */
static void scenario_should_default_to_one_per_initiative(void **state)
{
    (void)state;
    cJSON *doc = sample_doc();
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "scenarios");
    char *path = NULL;
    cx_scenario *s = load_doc(doc, &path);
    assert_int_equal(cx_scenario_nscenarios(s), 4);
    assert_string_equal(cx_scenario_label(s, 2), "Personalised recommendations to raise click-through");
    double c[12];
    assert_int_equal(cx_scenario_costs(s, 2, c), 12);
    assert_true(c[0] == 0 && c[1] == 300000);
    for (int q = 2; q < 12; q++)
        assert_true(c[q] == 20000);
    cx_scenario_free(s);
    tmp_remove(path);
}

static long budget = -1;
static void *failing_malloc(size_t n)
{
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return malloc(n);
}
static void *failing_realloc(void *p, size_t n)
{
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return realloc(p, n);
}

static void scenario_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    cx_set_alloc_hooks(failing_malloc, failing_realloc, NULL);
    int loaded = 0;
    for (long k = 0; k < 5000 && !loaded; k++) {
        budget = k;
        cx_scenario *s = NULL;
        cx_error err;
        cx_error_init(&err);
        cx_status st = cx_scenario_load(TOP "/samples/scenario.json", &s, &err);
        if (st == CX_OK)
            loaded = 1;
        else {
            assert_int_equal(st, CX_ENOMEM);
            assert_null(s);
        }
        cx_scenario_free(s);
    }
    budget = -1;
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(loaded);
}

/* An effect from quarter 2 with a ramp of 2 (full from quarter 3) that
 * loses 10% a quarter after it: 0, 0, 0.5, 1, 0.9, 0.81; ended after 5
 * quarters, 0 from quarter 7 (index 6) on.  Opex indexed 3% a year steps up
 * every 4 quarters; fiscal years from April straddle the calendar years. */
static void scenario_should_fade_index_and_name_fiscal_years_by_hand(void **state)
{
    (void)state;
    effect e = {.start = 2, .ramp = 2, .decay = 0.1};
    const double want[] = {0, 0, 0.5, 1, 0.9, 0.81, 0.729};
    for (int q = 0; q < 7; q++)
        assert_true(fabs(cx_effect_share(&e, q) - want[q]) <= 1e-15);
    e.duration = 5;
    assert_true(fabs(cx_effect_share(&e, 6) - 0.729) <= 1e-15);
    assert_true(cx_effect_share(&e, 7) == 0);
    cx_scenario s = {.start_q = 4 * 2026 + 1, .indexation = 0.03, .fy_start = 4, .dep_years = 2};
    assert_true(cx_scenario_index(&s, 3) == 1 && cx_scenario_index(&s, 4) == 1.03);
    assert_true(fabs(cx_scenario_index(&s, 9) - 1.0609) <= 1e-15);
    char b[32];
    /* horizon from 2026Q2: 2026Q2 opens FY2026/27, 2027Q1 closes it */
    assert_string_equal(cx_scenario_fiscal_label(&s, cx_scenario_fiscal_year(&s, 0), b, sizeof b), "FY2026/27");
    assert_string_equal(cx_scenario_fiscal_label(&s, cx_scenario_fiscal_year(&s, 3), b, sizeof b), "FY2026/27");
    assert_string_equal(cx_scenario_fiscal_label(&s, cx_scenario_fiscal_year(&s, 4), b, sizeof b), "FY2027/28");
    s.fy_start = 1;
    assert_string_equal(cx_scenario_fiscal_label(&s, cx_scenario_fiscal_year(&s, 2), b, sizeof b), "FY2026");
    assert_string_equal(cx_scenario_fiscal_label(&s, cx_scenario_fiscal_year(&s, 3), b, sizeof b), "FY2027");
    /* capex of quarter 1 over 2 years: 1/8 in quarters 1 .. 8 */
    assert_true(cx_scenario_deduct_share(&s, 1, 0) == 0 && cx_scenario_deduct_share(&s, 1, 1) == 0.125);
    assert_true(cx_scenario_deduct_share(&s, 1, 8) == 0.125 && cx_scenario_deduct_share(&s, 1, 9) == 0);
    s.dep_years = 0;
    assert_true(cx_scenario_deduct_share(&s, 1, 1) == 1 && cx_scenario_deduct_share(&s, 1, 2) == 0);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario_should_load_the_sample),
        cmocka_unit_test(scenario_should_sum_costs_per_quarter),
        cmocka_unit_test(scenario_should_default_to_one_per_initiative),
        cmocka_unit_test(scenario_should_ramp_effects_per_quarter),
        cmocka_unit_test(scenario_should_move_a_target_from_the_baseline),
        cmocka_unit_test(scenario_should_survive_every_failed_allocation),
        cmocka_unit_test(scenario_should_fade_index_and_name_fiscal_years_by_hand),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
