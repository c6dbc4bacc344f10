/*
 * test_scenario.c - scenario files: the sample loads with what it says, and
 * a failed allocation anywhere in the reading leaves nothing behind.
 * (The malformed files and their messages: tests/cli/t40-check-bad.sh.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <gsl/gsl_errno.h>

#include "helpers.h"

#ifndef TOP
#define TOP "."
#endif

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

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario_should_load_the_sample),
        cmocka_unit_test(scenario_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
