/*
 * draw.c - quantile functions of the assumption distributions, the
 * Gaussian copula and coefficient draws, all through GSL (see draw.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

#include "draw.h"

/* Cholesky in place; 0 when the matrix is not positive definite (GSL's
 * error handler, which aborts by default, is off meanwhile). */
static int cholesky(gsl_matrix *a)
{
    gsl_error_handler_t *old = gsl_set_error_handler_off();
    int rc = gsl_linalg_cholesky_decomp1(a);
    gsl_set_error_handler(old);
    return rc == GSL_SUCCESS;
}

double cx_dist_quantile(const dist *d, double base, double p)
{
    switch (d->kind) {
    case D_NORMAL:
        return base + gsl_cdf_gaussian_Pinv(p, d->sd);
    case D_LOGNORMAL:
        if (base == 0)
            return 0;
        return base > 0 ? gsl_cdf_lognormal_Pinv(p, log(base), d->sd_log)
                        : -gsl_cdf_lognormal_Pinv(1 - p, log(-base), d->sd_log);
    case D_UNIFORM:
        return gsl_cdf_flat_Pinv(p, d->min, d->max);
    case D_TRIANGULAR: {
        /* GSL has no triangular distribution: its inverse CDF in closed form */
        double a = d->min, b = d->max, c = d->mode, fc = (c - a) / (b - a);
        return p < fc ? a + sqrt(p * (b - a) * (c - a)) : b - sqrt((1 - p) * (b - a) * (b - c));
    }
    case D_PERT: {
        double a = d->min, b = d->max, c = d->mode;
        double alpha = 1 + 4 * (c - a) / (b - a), beta = 1 + 4 * (b - c) / (b - a);
        return a + (b - a) * gsl_cdf_beta_Pinv(p, alpha, beta);
    }
    default:
        return base;
    }
}

cx_status cx_copula_init(cx_copula *c, size_t n, const double *rank, cx_error *err)
{
    c->n = n;
    c->chol = NULL;
    if (n == 0)
        return CX_OK;
    c->chol = gsl_matrix_alloc(n, n);
    if (!c->chol) {
        cx_copula_free(c);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the copula");
    }
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            gsl_matrix_set(c->chol, i, j, i == j ? 1.0 : 2 * sin(3.14159265358979323846 * rank[i * n + j] / 6));
    if (!cholesky(c->chol)) {
        cx_copula_free(c);
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "the rank correlations contradict each other: no joint distribution has them all "
                            "(the correlation matrix is not positive definite)");
    }
    return CX_OK;
}

void cx_copula_draw(const cx_copula *c, gsl_rng *r, double *u)
{
    if (c->n == 0)
        return;
    gsl_vector_view z = gsl_vector_view_array(u, c->n);
    for (size_t i = 0; i < c->n; i++)
        u[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, c->chol, &z.vector); /* in place */
    for (size_t i = 0; i < c->n; i++) {
        double v = gsl_cdf_ugaussian_P(u[i]);
        /* keep inside (0, 1): quantile functions are infinite at the ends */
        u[i] = v <= 0 ? DBL_MIN : v >= 1 ? 1 - DBL_EPSILON / 2 : v;
    }
}

void cx_copula_free(cx_copula *c)
{
    gsl_matrix_free(c->chol);
    c->chol = NULL;
}

cx_status cx_mvn_init(cx_mvn *m, size_t p, const double *cov, double df, cx_error *err)
{
    *m = (cx_mvn){.p = p, .df = df};
    m->idx = malloc((p ? p : 1) * sizeof *m->idx);
    if (!m->idx)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the coefficient draws");
    for (size_t i = 0; i < p; i++) {
        double v = cov[i * p + i];
        if (!(v >= 0) || !isfinite(v)) {
            cx_mvn_free(m);
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                                "expected a covariance matrix, found variance %g for coefficient %zu", v, i + 1);
        }
        if (v > 0)
            m->idx[m->k++] = i;
    }
    if (m->k == 0)
        return CX_OK;
    m->chol = gsl_matrix_alloc(m->k, m->k);
    m->mu = gsl_vector_calloc(m->k);
    if (!m->chol || !m->mu) {
        cx_mvn_free(m);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the coefficient draws");
    }
    for (size_t a = 0; a < m->k; a++)
        for (size_t b = 0; b < m->k; b++)
            gsl_matrix_set(m->chol, a, b, cov[m->idx[a] * p + m->idx[b]]);
    if (!cholesky(m->chol)) {
        cx_mvn_free(m);
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "expected a positive definite covariance of the estimated coefficients");
    }
    return CX_OK;
}

void cx_mvn_draw(const cx_mvn *m, gsl_rng *r, const double *mean, double *work, double *out)
{
    for (size_t i = 0; i < m->p; i++)
        out[i] = mean[i];
    if (m->k == 0)
        return;
    /* L z with z standard normal (GSL's ziggurat: a third of the polar
     * method's time, which gsl_ran_multivariate_gaussian uses) */
    gsl_vector_view x = gsl_vector_view_array(work, m->k);
    for (size_t a = 0; a < m->k; a++)
        work[a] = gsl_ran_gaussian_ziggurat(r, 1.0);
    gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, m->chol, &x.vector);
    /* multivariate t: the normal draw over sqrt(chi2(df) / df), one per vector */
    double s = m->df > 0 ? sqrt(m->df / gsl_ran_chisq(r, m->df)) : 1.0;
    for (size_t a = 0; a < m->k; a++)
        out[m->idx[a]] += s * work[a];
}

void cx_mvn_free(cx_mvn *m)
{
    free(m->idx);
    gsl_matrix_free(m->chol);
    gsl_vector_free(m->mu);
    m->idx = NULL;
    m->chol = NULL;
    m->mu = NULL;
}

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
}

unsigned long cx_block_seed(unsigned long seed, size_t block)
{
    uint64_t h = splitmix64(splitmix64((uint64_t)seed) ^ (uint64_t)block);
    unsigned long s = (unsigned long)(h & 0xFFFFFFFFu);
    return s ? s : 1;
}

typedef struct block_job {
    size_t ndraws, first_block, nblocks;
    unsigned long seed;
    int thread;
    atomic_size_t *next; /* the next block to take, shared by the threads */
    atomic_int *stop;    /* set when any thread failed */
    cx_block_fn fn;
    void *ctx;
    int failed;  /* 1: fn stopped; 2: out of memory */
    int started; /* on a thread of its own, to be joined */
} block_job;

static void *run_blocks(void *arg)
{
    block_job *j = arg;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r) {
        j->failed = 2;
        atomic_store(j->stop, 1);
        return NULL;
    }
    for (;;) {
        size_t b = atomic_fetch_add(j->next, 1);
        if (b >= j->first_block + j->nblocks || atomic_load(j->stop))
            break;
        gsl_rng_set(r, cx_block_seed(j->seed, b));
        size_t first = b * CX_DRAW_BLOCK;
        size_t count = j->ndraws - first < CX_DRAW_BLOCK ? j->ndraws - first : CX_DRAW_BLOCK;
        if (j->fn(j->ctx, r, b, first, count, j->thread) != 0) {
            j->failed = 1;
            atomic_store(j->stop, 1);
        }
    }
    gsl_rng_free(r);
    return NULL;
}

cx_status cx_draw_blocks(size_t ndraws, unsigned long seed, int threads, cx_block_fn fn, void *ctx,
                         cx_error *err)
{
    return cx_draw_range(0, (ndraws + CX_DRAW_BLOCK - 1) / CX_DRAW_BLOCK, ndraws, seed, threads, fn, ctx, err);
}

cx_status cx_draw_range(size_t first_block, size_t nblocks, size_t ndraws, unsigned long seed, int threads,
                        cx_block_fn fn, void *ctx, cx_error *err)
{
    if (threads < 1)
        threads = 1;
    if ((size_t)threads > nblocks)
        threads = nblocks ? (int)nblocks : 1;
    block_job *jobs = calloc((size_t)threads, sizeof *jobs);
    pthread_t *tid = calloc((size_t)threads, sizeof *tid);
    if (!jobs || !tid) {
        free(jobs);
        free(tid);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the simulation threads");
    }
    atomic_size_t next = first_block;
    atomic_int stop = 0;
    for (int t = 0; t < threads; t++) {
        jobs[t] = (block_job){ndraws, first_block, nblocks, seed, t, &next, &stop, fn, ctx, 0, 0};
        /* thread 0 runs on the caller's thread; if a thread cannot start,
         * the caller runs its blocks itself (same result, more time) */
        if (t > 0)
            jobs[t].started = pthread_create(&tid[t], NULL, run_blocks, &jobs[t]) == 0;
        if (t > 0 && !jobs[t].started)
            run_blocks(&jobs[t]);
    }
    run_blocks(&jobs[0]);
    int failed = 0;
    for (int t = 0; t < threads; t++) {
        if (jobs[t].started)
            pthread_join(tid[t], NULL);
        failed = failed > jobs[t].failed ? failed : jobs[t].failed;
    }
    free(jobs);
    free(tid);
    if (failed == 2)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the simulation's random streams");
    if (failed)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the simulation stopped at a failed draw");
    return CX_OK;
}
