/*
 * test_portfolio.c - the portfolio optimiser's frontier against brute force:
 * random groups of interacting initiatives, every combination of one option
 * per group enumerated by hand, the best value within each budget compared
 * with the frontier's; and a case worked out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <gsl/gsl_rng.h>
#include "helpers.h"
#include "core/core.h"
#include "sim/portfolio.h"

/* The hand case: A costs 4 for 10, B 3 for 7, C 2 for 5 (alone), and B and C
 * interact: together they cost 5 and are worth 9, not 12. */
static void portfolio_should_find_the_hand_worked_frontier(void **state)
{
    (void)state;
    const pf_option a[] = {{1, 4, 10}};
    const pf_option bc[] = {{2, 3, 7}, {4, 2, 5}, {6, 5, 9}};
    const pf_option *opts[] = {a, bc};
    size_t nopts[] = {1, 3}, n = 0;
    pf_option *f = NULL;
    assert_int_equal(cx_pf_frontier(opts, nopts, 2, 1000, &f, &n, NULL), CX_OK);
    /* cost 0: 0; 2: C 5; 3: B 7; 4: A 10; 6: A+C 15; 7: A+B 17; 9: A+B+C 19 */
    const double cost[] = {0, 2, 3, 4, 6, 7, 9}, value[] = {0, 5, 7, 10, 15, 17, 19};
    const uint64_t mask[] = {0, 4, 2, 1, 5, 3, 7};
    assert_int_equal(n, 7);
    for (size_t i = 0; i < n; i++) {
        assert_true(f[i].cost == cost[i]);
        assert_true(f[i].value == value[i]);
        assert_int_equal(f[i].mask, mask[i]);
    }
    assert_int_equal(f[cx_pf_best(f, n, 6.5)].mask, 5); /* A + C */
    assert_int_equal(f[cx_pf_best(f, n, 1)].mask, 0);   /* nothing fits */
    assert_int_equal(f[cx_pf_best(f, n, 100)].mask, 7);
    cx_free(f);
}

/* Random instances: 14 initiatives in groups of 1 to 3, values of either
 * sign; for 40 budgets the frontier's best equals brute force over all 2^14
 * selections. */
static void portfolio_should_match_brute_force(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261122);
    for (int trial = 0; trial < 30; trial++) {
        enum { N = 14 };
        size_t ngroups = 0, gsz[N] = {0};
        double cost[N];
        for (size_t i = 0; i < N; i++) {
            if (i == 0 || gsz[ngroups - 1] == 3 || gsl_rng_uniform(r) < 0.5)
                ngroups++;
            gsz[ngroups - 1]++;
            cost[i] = 1 + floor(gsl_rng_uniform(r) * 20);
        }
        /* the value of each nonempty subset of a group: any number */
        pf_option *opts[N];
        size_t nopts[N];
        double sub_value[N][8];
        size_t first[N];
        for (size_t g = 0, i0 = 0; g < ngroups; i0 += gsz[g], g++) {
            first[g] = i0;
            nopts[g] = ((size_t)1 << gsz[g]) - 1;
            opts[g] = cx_calloc(nopts[g], sizeof(pf_option));
            for (size_t sub = 1; sub <= nopts[g]; sub++) {
                pf_option *o = &opts[g][sub - 1];
                o->value = sub_value[g][sub] = gsl_rng_uniform(r) * 30 - 8;
                for (size_t b = 0; b < gsz[g]; b++)
                    if (sub >> b & 1) {
                        o->mask |= (uint64_t)1 << (i0 + b);
                        o->cost += cost[i0 + b];
                    }
            }
        }
        pf_option *f = NULL;
        size_t nf = 0;
        assert_int_equal(cx_pf_frontier((const pf_option *const *)opts, nopts, ngroups, 100000, &f, &nf, NULL),
                         CX_OK);
        for (size_t i = 1; i < nf; i++) {
            assert_true(f[i].cost > f[i - 1].cost);
            assert_true(f[i].value > f[i - 1].value);
        }
        for (int b = 0; b < 40; b++) {
            double budget = b * 4.0;
            double best = 0;
            for (uint32_t sel = 0; sel < (1u << N); sel++) {
                double c = 0, v = 0;
                for (size_t i = 0; i < N; i++)
                    if (sel >> i & 1)
                        c += cost[i];
                if (c > budget)
                    continue;
                for (size_t g = 0; g < ngroups; g++) {
                    size_t sub = (sel >> first[g]) & (((size_t)1 << gsz[g]) - 1);
                    if (sub)
                        v += sub_value[g][sub];
                }
                best = v > best ? v : best;
            }
            const pf_option *got = &f[cx_pf_best(f, nf, budget)];
            assert_true(got->cost <= budget);
            assert_true(fabs(got->value - best) <= 1e-9);
        }
        cx_free(f);
        for (size_t g = 0; g < ngroups; g++)
            cx_free(opts[g]);
    }
    gsl_rng_free(r);
}

static void portfolio_should_refuse_a_frontier_too_large(void **state)
{
    (void)state;
    pf_option o[20][1];
    const pf_option *opts[20];
    size_t nopts[20], nf = 0;
    for (size_t g = 0; g < 20; g++) {
        o[g][0] = (pf_option){(uint64_t)1 << g, (double)((size_t)1 << g), (double)((size_t)1 << g)};
        opts[g] = o[g];
        nopts[g] = 1;
    }
    pf_option *f = NULL;
    cx_error err;
    cx_error_init(&err);
    /* every subset is on the frontier: 2^20 points */
    assert_int_equal(cx_pf_frontier(opts, nopts, 20, 1000, &f, &nf, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "too many"));
    assert_null(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(portfolio_should_find_the_hand_worked_frontier),
        cmocka_unit_test(portfolio_should_match_brute_force),
        cmocka_unit_test(portfolio_should_refuse_a_frontier_too_large),
    };
    return cmocka_run_group_tests_name("portfolio", tests, NULL, NULL);
}
