/*
 * portfolio.c - the exact cost / expected-NPV frontier of a portfolio of
 * initiatives (portfolio.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "portfolio.h"
#include "../core/core.h"

static int by_cost(const void *a, const void *b)
{
    const pf_option *x = a, *y = b;
    if (x->cost != y->cost)
        return x->cost < y->cost ? -1 : 1;
    if (x->value != y->value)
        return x->value > y->value ? -1 : 1; /* the better first */
    return x->mask < y->mask ? -1 : x->mask > y->mask;
}

/* Keep the points no cheaper (or equally cheap) point matches: sorted by
 * cost, strictly increasing value.  Returns the new count. */
static size_t prune(pf_option *p, size_t n)
{
    qsort(p, n, sizeof *p, by_cost);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || p[i].value > p[m - 1].value)
            p[m++] = p[i];
    return m;
}

cx_status cx_pf_frontier(const pf_option *const *opts, const size_t *nopts, size_t ngroups, size_t max_points,
                         pf_option **front, size_t *nfront, cx_error *err)
{
    *front = NULL;
    *nfront = 0;
    pf_option *cur = cx_calloc(1, sizeof *cur);
    if (!cur)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    size_t n = 1; /* the empty portfolio */
    for (size_t g = 0; g < ngroups; g++) {
        size_t m = n * (nopts[g] + 1);
        if (m / (nopts[g] + 1) != n || m > max_points * 64) {
            cx_free(cur);
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "the portfolio has too many combinations to search exactly (over %zu frontier points)",
                                max_points);
        }
        pf_option *next = cx_calloc(m, sizeof *next);
        if (!next) {
            cx_free(cur);
            return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++) {
            next[k++] = cur[i];
            for (size_t o = 0; o < nopts[g]; o++)
                next[k++] = (pf_option){cur[i].mask | opts[g][o].mask, cur[i].cost + opts[g][o].cost,
                                        cur[i].value + opts[g][o].value};
        }
        cx_free(cur);
        cur = next;
        n = prune(cur, k);
        if (n > max_points) {
            cx_free(cur);
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "the portfolio's frontier has more than %zu points: too many to search exactly",
                                max_points);
        }
    }
    *front = cur;
    *nfront = n;
    return CX_OK;
}

size_t cx_pf_best(const pf_option *front, size_t nfront, double budget)
{
    size_t best = 0;
    for (size_t i = 0; i < nfront; i++)
        if (front[i].cost <= budget)
            best = i;
    return best;
}
