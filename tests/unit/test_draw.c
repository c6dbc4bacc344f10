/*
 * test_draw.c - the assumption distributions, the Gaussian copula and the
 * coefficient draws of the Monte Carlo (src/sim/draw.c), against closed
 * forms worked out by hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include "helpers.h"
#include "sim/draw.h"

#define assert_near(got, want, tol)                                                         \
    do {                                                                                    \
        double g_ = (got), w_ = (want);                                                     \
        if (!(fabs(g_ - w_) <= (tol)))                                                      \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #got, g_, w_, (double)(tol)); \
    } while (0)

static const double Z90 = 1.2815515655446004; /* standard normal P90 */

static void quantiles_should_match_closed_forms(void **state)
{
    (void)state;
    dist n = {.kind = D_NORMAL, .sd = 2};
    assert_near(cx_dist_quantile(&n, 10, 0.9), 10 + 2 * Z90, 1e-12);
    assert_near(cx_dist_quantile(&n, 10, 0.5), 10, 1e-12);
    /* lognormal: median at the value, multiplicative spread */
    dist l = {.kind = D_LOGNORMAL, .sd_log = 0.2};
    assert_near(cx_dist_quantile(&l, 100, 0.5), 100, 1e-10);
    assert_near(cx_dist_quantile(&l, 100, 0.9), 129.2153637945265, 1e-9);
    /* a negative value (cut handling time by 100 s) keeps its sign, and its
     * P90 is the larger (less negative) number */
    assert_near(cx_dist_quantile(&l, -100, 0.9), -77.39017796600125, 1e-9);
    assert_near(cx_dist_quantile(&l, -100, 0.1), -129.2153637945265, 1e-9);
    dist u = {.kind = D_UNIFORM, .min = 2, .max = 6};
    assert_near(cx_dist_quantile(&u, 3, 0.25), 3, 1e-14);
    /* triangular 0, 1, 3: F(1) = 1/3; below it x = sqrt(3 p), above it
     * x = 3 - sqrt(6 (1 - p)) */
    dist t = {.kind = D_TRIANGULAR, .min = 0, .mode = 1, .max = 3};
    assert_near(cx_dist_quantile(&t, 1, 0.2), sqrt(0.6), 1e-14);
    assert_near(cx_dist_quantile(&t, 1, 0.5), 3 - sqrt(3), 1e-14);
    assert_near(cx_dist_quantile(&t, 1, 1.0 / 3), 1, 1e-12);
    /* symmetric PERT: the median is the mode */
    dist p = {.kind = D_PERT, .min = 0, .mode = 0.5, .max = 1};
    assert_near(cx_dist_quantile(&p, 0.5, 0.5), 0.5, 1e-12);
    dist none = {.kind = D_NONE};
    assert_near(cx_dist_quantile(&none, 42, 0.9), 42, 0);
}

/* Mean and variance of a distribution as integrals of its quantile function
 * over (0, 1) (midpoint rule), against the textbook formulas. */
static void quantiles_should_have_the_textbook_moments(void **state)
{
    (void)state;
    const struct {
        dist d;
        double base, mean, var;
    } c[] = {
        /* triangular a=0, c=1, b=3: (a+b+c)/3, (a^2+b^2+c^2-ab-ac-bc)/18 */
        {{.kind = D_TRIANGULAR, .min = 0, .mode = 1, .max = 3}, 1, 4.0 / 3, 7.0 / 18},
        /* PERT a=0, c=1, b=3: mean (a+4c+b)/6; Beta(7/3, 11/3) scaled by 3:
         * var = 9 ab/((a+b)^2 (a+b+1)) = 9 (77/9) / (36 * 7) */
        {{.kind = D_PERT, .min = 0, .mode = 1, .max = 3}, 1, 7.0 / 6, 77.0 / 252},
        /* uniform 2..6: 4, 16/12 */
        {{.kind = D_UNIFORM, .min = 2, .max = 6}, 3, 4, 16.0 / 12},
        /* lognormal median 100, sd_log 0.2: mean 100 e^(s^2/2), var mean^2 (e^(s^2) - 1) */
        {{.kind = D_LOGNORMAL, .sd_log = 0.2}, 100, 100 * exp(0.02), 1e4 * exp(0.04) * (exp(0.04) - 1)},
    };
    const int n = 200000;
    for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
        double s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++) {
            double x = cx_dist_quantile(&c[k].d, c[k].base, (i + 0.5) / n);
            s1 += x;
            s2 += x * x;
        }
        double mean = s1 / n, var = s2 / n - mean * mean;
        assert_near(mean, c[k].mean, 1e-4 * fabs(c[k].mean));
        assert_near(var, c[k].var, 2e-3 * c[k].var);
    }
}

static void ranks(const double *x, size_t n, double *r)
{
    size_t *p = malloc(n * sizeof *p);
    gsl_sort_index(p, x, 1, n);
    for (size_t i = 0; i < n; i++)
        r[p[i]] = (double)i;
    free(p);
}

static double pearson(const double *a, const double *b, size_t n)
{
    double ma = 0, mb = 0, sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    for (size_t i = 0; i < n; i++) {
        sab += (a[i] - ma) * (b[i] - mb);
        saa += (a[i] - ma) * (a[i] - ma);
        sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / sqrt(saa * sbb);
}

static void copula_should_give_the_rank_correlations_asked(void **state)
{
    (void)state;
    const double rank[9] = {1, 0.6, -0.3, 0.6, 1, 0, -0.3, 0, 1};
    cx_copula c;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_copula_init(&c, 3, rank, &err), CX_OK);
    enum { N = 50000 };
    double *u = malloc(3 * N * sizeof *u), *col[3], *rk[3];
    for (int j = 0; j < 3; j++) {
        col[j] = malloc(N * sizeof(double));
        rk[j] = malloc(N * sizeof(double));
    }
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    for (int i = 0; i < N; i++) {
        cx_copula_draw(&c, r, u + 3 * i);
        for (int j = 0; j < 3; j++)
            col[j][i] = u[3 * i + j];
    }
    for (int j = 0; j < 3; j++) {
        /* uniform marginals: mean 1/2, a tenth below 0.1 */
        double m = 0, below = 0;
        for (int i = 0; i < N; i++) {
            m += col[j][i];
            below += col[j][i] < 0.1;
            assert_true(col[j][i] > 0 && col[j][i] < 1);
        }
        assert_near(m / N, 0.5, 0.006);     /* SE 0.0013 */
        assert_near(below / N, 0.1, 0.006); /* SE 0.0013 */
        ranks(col[j], N, rk[j]);
    }
    /* Spearman's rho is the Pearson correlation of the ranks; its SE here
     * is below (1 - rho^2) / sqrt(N) = 0.003 */
    assert_near(pearson(rk[0], rk[1], N), 0.6, 0.015);
    assert_near(pearson(rk[0], rk[2], N), -0.3, 0.015);
    assert_near(pearson(rk[1], rk[2], N), 0, 0.015);
    for (int j = 0; j < 3; j++) {
        free(col[j]);
        free(rk[j]);
    }
    free(u);
    gsl_rng_free(r);
    cx_copula_free(&c);

    /* a and b move together, a and c too, yet b and c oppose: impossible */
    const double bad[9] = {1, 0.9, 0.9, 0.9, 1, -0.9, 0.9, -0.9, 1};
    cx_error_init(&err);
    assert_int_equal(cx_copula_init(&c, 3, bad, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "contradict"));
}

static void mvn_should_draw_with_the_covariance_given(void **state)
{
    (void)state;
    /* the third coefficient is fixed by assumption (no standard error) */
    const double cov[9] = {4, 1.2, 0, 1.2, 1, 0, 0, 0, 0};
    const double mean[3] = {1, 2, 3};
    for (int t = 0; t < 2; t++) {
        double df = t ? 5 : 0, inflate = t ? 5.0 / 3 : 1; /* var of t(5) = 5/3 */
        cx_mvn m;
        cx_error err;
        cx_error_init(&err);
        assert_int_equal(cx_mvn_init(&m, 3, cov, df, &err), CX_OK);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 11);
        enum { N = 100000 };
        double s[2] = {0}, ss[3] = {0}, x[3], work[3];
        for (int i = 0; i < N; i++) {
            cx_mvn_draw(&m, r, mean, work, x);
            assert_true(x[2] == 3);
            s[0] += x[0] - 1;
            s[1] += x[1] - 2;
            ss[0] += (x[0] - 1) * (x[0] - 1);
            ss[1] += (x[1] - 2) * (x[1] - 2);
            ss[2] += (x[0] - 1) * (x[1] - 2);
        }
        assert_near(s[0] / N, 0, 0.03); /* SE 0.0063 (t: 0.0082) */
        assert_near(s[1] / N, 0, 0.015);
        /* SE of a sample variance: var sqrt((kurtosis - 1) / N); t(5) has kurtosis 9 */
        double tol = t ? 6 * sqrt(8.0 / N) : 6 * sqrt(2.0 / N);
        assert_near(ss[0] / N, 4 * inflate, 4 * inflate * tol);
        assert_near(ss[1] / N, 1 * inflate, 1 * inflate * tol);
        assert_near(ss[2] / N, 1.2 * inflate, 2 * inflate * tol);
        gsl_rng_free(r);
        cx_mvn_free(&m);
    }
    const double neg[4] = {1, 0, 0, -1};
    cx_mvn m;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_mvn_init(&m, 2, neg, 0, &err), CX_EINVAL);
    const double notpsd[4] = {1, 2, 2, 1};
    cx_error_init(&err);
    assert_int_equal(cx_mvn_init(&m, 2, notpsd, 0, &err), CX_EINVAL);
}

static void draws_should_repeat_with_the_same_seed(void **state)
{
    (void)state;
    const double rank[4] = {1, -0.4, -0.4, 1};
    const double cov[4] = {2, 0.5, 0.5, 1};
    double a[2][400], b[2][400];
    for (int rep = 0; rep < 2; rep++) {
        cx_copula c;
        cx_mvn m;
        assert_int_equal(cx_copula_init(&c, 2, rank, NULL), CX_OK);
        assert_int_equal(cx_mvn_init(&m, 2, cov, 30, NULL), CX_OK);
        gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
        gsl_rng_set(r, 2026);
        const double mu[2] = {0, 0};
        double work[2];
        for (int i = 0; i < 200; i++) {
            cx_copula_draw(&c, r, a[rep] + 2 * i);
            cx_mvn_draw(&m, r, mu, work, b[rep] + 2 * i);
        }
        gsl_rng_free(r);
        cx_copula_free(&c);
        cx_mvn_free(&m);
    }
    assert_memory_equal(a[0], a[1], sizeof a[0]);
    assert_memory_equal(b[0], b[1], sizeof b[0]);
}

/* A block function: each draw's slot gets a copula pair and a uniform. */
typedef struct {
    double *out;
    const cx_copula *cop; /* shared by the threads */
    int fail_at;          /* a draw whose block reports failure, or -1 */
} blocks_ctx;

static int fill(void *ctx, gsl_rng *r, size_t block, size_t first, size_t count, int thread)
{
    blocks_ctx *c = ctx;
    assert_int_equal(first, block * CX_DRAW_BLOCK);
    assert_true(thread >= 0 && thread < 3);
    for (size_t i = first; i < first + count; i++) {
        cx_copula_draw(c->cop, r, c->out + 3 * i);
        c->out[3 * i + 2] = gsl_rng_uniform(r);
    }
    return c->fail_at >= (int)first && c->fail_at < (int)(first + count);
}

/* The same seed gives the same draws on 1, 2 or 3 threads, draw by draw. */
static void blocks_should_not_depend_on_the_thread_count(void **state)
{
    (void)state;
    const size_t n = 10 * CX_DRAW_BLOCK + 17; /* a partial last block */
    const double rank[4] = {1, 0.5, 0.5, 1};
    cx_copula cop;
    assert_int_equal(cx_copula_init(&cop, 2, rank, NULL), CX_OK);
    double *a[4];
    for (int t = 1; t <= 3; t++) {
        a[t] = malloc(3 * n * sizeof(double));
        blocks_ctx c = {a[t], &cop, -1};
        assert_int_equal(cx_draw_blocks(n, 20261122, t, fill, &c, NULL), CX_OK);
    }
    assert_memory_equal(a[1], a[2], 3 * n * sizeof(double));
    assert_memory_equal(a[1], a[3], 3 * n * sizeof(double));
    /* blocks have streams of their own: block 1 does not repeat block 0 */
    assert_true(memcmp(a[1], a[1] + 3 * CX_DRAW_BLOCK, 3 * CX_DRAW_BLOCK * sizeof(double)) != 0);
    assert_true(cx_block_seed(1, 0) != cx_block_seed(1, 1) && cx_block_seed(1, 0) != cx_block_seed(2, 0));
    /* the uniforms over all blocks: mean 1/2 (SE 0.0028) */
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m += a[1][3 * i + 2];
    assert_near(m / (double)n, 0.5, 0.012);
    /* another seed, other draws */
    a[0] = malloc(3 * n * sizeof(double));
    blocks_ctx c0 = {a[0], &cop, -1};
    assert_int_equal(cx_draw_blocks(n, 20261123, 2, fill, &c0, NULL), CX_OK);
    assert_true(memcmp(a[0], a[1], 3 * n * sizeof(double)) != 0);
    /* a block that fails stops the run with an error */
    cx_error err;
    cx_error_init(&err);
    blocks_ctx bad = {a[0], &cop, 5000};
    assert_int_equal(cx_draw_blocks(n, 1, 2, fill, &bad, &err), CX_EINVAL);
    for (int t = 0; t <= 3; t++)
        free(a[t]);
    cx_copula_free(&cop);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quantiles_should_match_closed_forms),
        cmocka_unit_test(quantiles_should_have_the_textbook_moments),
        cmocka_unit_test(copula_should_give_the_rank_correlations_asked),
        cmocka_unit_test(mvn_should_draw_with_the_covariance_given),
        cmocka_unit_test(draws_should_repeat_with_the_same_seed),
        cmocka_unit_test(blocks_should_not_depend_on_the_thread_count),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
