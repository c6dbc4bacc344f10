/*
 * draw.h - the uncertain inputs of a scenario and how Monte Carlo draws
 * them (internal to the library): quantile functions of the assumption
 * distributions, a Gaussian copula for rank correlations between them, and
 * multivariate normal or t draws of a fitted model's coefficients.
 *
 * Every assumption is drawn as its quantile function at a uniform from the
 * copula, so correlated and uncorrelated inputs take one path, and the
 * tornado's P10 and P90 are the same quantile functions at 0.1 and 0.9.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_SIM_DRAW_H
#define CX_SIM_DRAW_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>
#include "cxcase/common.h"

typedef enum dist_kind { D_NONE = 0, D_NORMAL, D_LOGNORMAL, D_UNIFORM, D_TRIANGULAR, D_PERT } dist_kind;

/* An uncertainty around a value `base` (an effect size, a cost):
 *   normal      mean base, standard deviation sd;
 *   lognormal   multiplicative: median base, log-scale sd sd_log (a negative
 *               base is mirrored: the spread keeps the sign);
 *   uniform     on [min, max];
 *   triangular  on [min, max] with its peak at mode (default base);
 *   pert        the Beta-PERT on [min, max] with mode (default base), shape 4. */
typedef struct dist {
    dist_kind kind;
    double sd, sd_log, min, mode, max;
} dist;

/* The value of `d` around `base` at probability p (0 < p < 1); base itself
 * when d has no distribution. */
double cx_dist_quantile(const dist *d, double base, double p);

/* n inputs with Spearman rank correlations: uniforms whose ranks correlate
 * as asked (Gaussian copula; the normal correlation is 2 sin(pi rho / 6)). */
typedef struct cx_copula {
    size_t n;
    gsl_matrix *chol; /* lower Cholesky factor of the normal correlation */
} cx_copula;

/* `rank` is the n x n matrix of rank correlations (row-major, 1 on the
 * diagonal).  CX_EINVAL when no joint distribution has them (the matrix is
 * not positive definite), CX_ENOMEM. */
cx_status cx_copula_init(cx_copula *c, size_t n, const double *rank, cx_error *err);
/* n uniforms in (0, 1) from r.  The copula is only read: threads share one. */
void cx_copula_draw(const cx_copula *c, gsl_rng *r, double *u);
void cx_copula_free(cx_copula *c);

/* Coefficient vectors from their estimated sampling distribution: normal
 * (df = 0) or multivariate t with df degrees of freedom.  Coefficients with
 * zero variance (fixed by assumption without a standard error) stay at
 * their value. */
typedef struct cx_mvn {
    size_t p, k;       /* coefficients, and how many of them vary */
    size_t *idx;       /* the k that vary */
    double df;
    gsl_matrix *chol;  /* k x k lower Cholesky factor of their covariance */
    gsl_vector *mu;    /* zeros */
} cx_mvn;

/* cov: p x p row-major.  CX_EINVAL when it is not a covariance (negative
 * variance, not positive semi-definite among the varying terms). */
cx_status cx_mvn_init(cx_mvn *m, size_t p, const double *cov, double df, cx_error *err);
/* out = mean + a draw of the sampling error; work has room for p values.
 * The cx_mvn is only read: threads share one, each with its own work. */
void cx_mvn_draw(const cx_mvn *m, gsl_rng *r, const double *mean, double *work, double *out);
void cx_mvn_free(cx_mvn *m);

/* Draws are made in blocks of CX_DRAW_BLOCK; block b has its own stream
 * seeded from (seed, b), so draw i gets the same random numbers whatever
 * the number of threads, and a result depends only on the seed.  The
 * streams are GSL's taus2 (L'Ecuyer's maximally equidistributed combined
 * Tausworthe generator, period 2^88): of GSL's simulation-quality
 * generators about twice as fast as MT19937, which made the random numbers
 * a third of the Monte Carlo's time. */
#define CX_DRAW_BLOCK 1024

/* Work on draws first .. first + count - 1 of block `block` with the
 * block's stream, on thread `thread` (0 .. threads - 1, for per-thread
 * scratch); writes only those draws' slots.  Returns 0, or non-zero to stop
 * (an error). */
typedef int (*cx_block_fn)(void *ctx, gsl_rng *r, size_t block, size_t first, size_t count, int thread);

/* The seed of block b's stream (splitmix64 of seed and b, the 32 bits
 * GSL's seeding uses, never 0, which it would replace by its default). */
unsigned long cx_block_seed(unsigned long seed, size_t block);

/* Run fn over ndraws draws in blocks on `threads` threads (1 or more; each
 * thread takes the next block not yet taken, so a thread slowed by other
 * work on its core takes fewer: what fn accumulates per thread must not
 * depend on which blocks it ran).  CX_ENOMEM, or CX_EINVAL when fn
 * stopped. */
cx_status cx_draw_blocks(size_t ndraws, unsigned long seed, int threads, cx_block_fn fn, void *ctx,
                         cx_error *err);
/* The same for blocks first_block .. first_block + nblocks - 1 only (a
 * simulation run in rounds). */
cx_status cx_draw_range(size_t first_block, size_t nblocks, size_t ndraws, unsigned long seed, int threads,
                        cx_block_fn fn, void *ctx, cx_error *err);

#endif /* CX_SIM_DRAW_H */
