/*
 * test_scenario.c - scenario files: the sample loads with what it says, and
 * a failed allocation anywhere in the reading leaves nothing behind.
 * (The malformed files and their messages: tests/cli/t40-check-bad.sh.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "helpers.h"
#include "core/jsonin.h"

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
    /* Delivery first: capex 1.8M in 2026Q1, opex 120k 2026Q2..2028Q4 */
    assert_string_equal(cx_scenario_label(s, 0), "Delivery first");
    assert_int_equal(cx_scenario_costs(s, 0, c), 12);
    assert_true(c[0] == 1800000);
    for (int q = 1; q < 12; q++)
        assert_true(c[q] == 120000);
    /* Service and checkout: opex 210k every quarter, capex 400k in 2026Q1 */
    assert_int_equal(cx_scenario_costs(s, 1, c), 12);
    assert_true(c[0] == 610000);
    for (int q = 1; q < 12; q++)
        assert_true(c[q] == 210000);
    /* Everything: 1.8M + 210k + 400k; then 120k + 210k + personalisation's
     * 650k capex in 2026Q2; then 120k + 210k + its 45k opex */
    assert_string_equal(cx_scenario_label(s, 2), "Everything");
    assert_int_equal(cx_scenario_costs(s, 2, c), 12);
    assert_true(c[0] == 2410000);
    assert_true(c[1] == 980000);
    for (int q = 2; q < 12; q++)
        assert_true(c[q] == 375000);
    assert_int_equal(cx_scenario_costs(s, 3, c), -1);
    assert_null(cx_scenario_label(s, 3));
    /* the first quarter of "Service and checkout" with a revenue gain of
     * 1M: (0.35 * 1M - 610k) * (1 - 0.25) = -195k */
    assert_true(cx_fin_cash_flow(1e6, m, t, 610000) == -195000);
    cx_scenario_free(s);
}

/* Without a "scenarios" list, each initiative is a scenario of its own. */
static void scenario_should_default_to_one_per_initiative(void **state)
{
    (void)state;
    cJSON *doc = NULL;
    assert_int_equal(cx_json_load(TOP "/samples/scenario.json", &doc, NULL), CX_OK);
    cJSON_DeleteItemFromObjectCaseSensitive(doc, "scenarios");
    cJSON_ReplaceItemInObjectCaseSensitive(doc, "model", cJSON_CreateString(TOP "/models/cx_chain.json"));
    cJSON *f;
    cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(doc, "data"))
    {
        cJSON *file = cJSON_GetObjectItemCaseSensitive(f, "file");
        char path[4096];
        snprintf(path, sizeof path, "%s/samples/%s", TOP, file->valuestring);
        cJSON_SetValuestring(file, path);
    }
    char *out = cJSON_Print(doc);
    cJSON_Delete(doc);
    char *path = tmp_file(out, strlen(out));
    free(out);
    cx_scenario *s = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_scenario_load(path, &s, &err) != CX_OK)
        fail_msg("%s", err.message);
    assert_int_equal(cx_scenario_nscenarios(s), 4);
    assert_string_equal(cx_scenario_label(s, 2), "Personalised recommendations to raise click-through");
    double c[12];
    assert_int_equal(cx_scenario_costs(s, 2, c), 12);
    assert_true(c[0] == 0 && c[1] == 650000);
    for (int q = 2; q < 12; q++)
        assert_true(c[q] == 45000);
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

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scenario_should_load_the_sample),
        cmocka_unit_test(scenario_should_sum_costs_per_quarter),
        cmocka_unit_test(scenario_should_default_to_one_per_initiative),
        cmocka_unit_test(scenario_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests_name("scenario", tests, NULL, NULL);
}
