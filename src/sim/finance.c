/*
 * finance.c - discounting, NPV, IRR, payback and ROI of quarterly cash
 * flows (conventions in include/cxcase/sim.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <pthread.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "cxcase/sim.h"
#include "finance_internal.h"
#include "../core/core.h"

double cx_fin_quarterly_rate(double annual)
{
    return pow(1.0 + annual, 0.25) - 1.0;
}

double cx_fin_discount_factor(double annual, size_t t)
{
    return pow(1.0 + annual, -0.25 * (double)t);
}

double cx_fin_cash_flow(double delta_revenue, double margin, double tax, double costs)
{
    return (margin * delta_revenue - costs) * (1 - tax);
}

double cx_fin_cash_flow_tax(double delta_revenue, double margin, double tax, double costs, double deduct)
{
    /* written as the expensed flow plus the shield moved in time, so that
     * deduct == costs gives cx_fin_cash_flow's value to the last bit */
    return cx_fin_cash_flow(delta_revenue, margin, tax, costs) + tax * (deduct - costs);
}

CX_BATCH_LOOPS
void cx_fin_cash_flows(const double *delta_revenue, const double *costs, const double *deduct, size_t n,
                       double margin, double tax, double *cf)
{
    for (size_t i = 0; i < n; i++) /* inlined, so the loop vectorises */
        cf[i] = cx_fin_cash_flow_tax(delta_revenue[i], margin, tax, costs[i], deduct[i]);
}

double cx_fin_npv(const double *cf, size_t n, double annual)
{
    double q = cx_fin_quarterly_rate(annual), v = 0, f = 1;
    for (size_t t = 0; t < n; t++) {
        f /= 1.0 + q;
        v += cf[t] * f;
    }
    return v;
}

/* NPV at a quarterly rate q (> -1), for the root finder. */
typedef struct flows {
    const double *cf;
    size_t n;
} flows;

static double poly(const double *cf, size_t n, double x, double *d);

/* The NPV at quarterly rate q: the polynomial in the discount factor. */
static double npv_q(double q, void *arg)
{
    const flows *fl = arg;
    return poly(fl->cf, fl->n, 1.0 / (1.0 + q), NULL);
}

/* How often the flows change sign (zeros skipped): by Descartes' rule, at
 * most that many rates make the NPV 0. */
static int sign_changes(const double *cf, size_t n, size_t stride)
{
    int changes = 0, sign = 0;
    for (size_t t = 0; t < n; t++) {
        double f = cf[t * stride];
        int sg = f > 0 ? 1 : f < 0 ? -1 : 0;
        if (sg && sign && sg != sign)
            changes++;
        if (sg)
            sign = sg;
    }
    return changes;
}

/* P(x) = sum cf_t x^(t+1) and, when d is not NULL, P'(x), by Horner's rule. */
static double poly(const double *cf, size_t n, double x, double *d)
{
    double p = 0, dp = 0;
    for (size_t t = n; t-- > 0;) {
        dp = dp * x + p;
        p = p * x + cf[t];
    }
    if (d)
        *d = p + x * dp;
    return x * p;
}

static int brent(flows *fl, double lo, double hi, double *root)
{
    gsl_function F = {npv_q, fl};
    gsl_root_fsolver *s = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (!s)
        return GSL_ENOMEM;
    int status = gsl_root_fsolver_set(s, &F, lo, hi);
    for (int it = 0; !status && it < 200; it++) {
        status = gsl_root_fsolver_iterate(s);
        if (status)
            break;
        *root = gsl_root_fsolver_root(s);
        if (gsl_root_test_interval(gsl_root_fsolver_x_lower(s), gsl_root_fsolver_x_upper(s), 0, 1e-15) == GSL_SUCCESS)
            break;
    }
    gsl_root_fsolver_free(s);
    return status;
}

#define GRID 4000

/* The grid's quarterly rates and discount factors, tabulated once
 * (pthread_once: the Monte Carlo's threads share them). */
static double grid_q[GRID + 1], grid_x[GRID + 1];
static pthread_once_t grid_once = PTHREAD_ONCE_INIT;

static void grid_init(void)
{
    for (int k = 0; k <= GRID; k++) {
        double u = (double)k / GRID;
        grid_q[k] = -0.99 + (10.0 + 0.99) * u * u * u;
        grid_x[k] = 1.0 / (1.0 + grid_q[k]);
    }
}

#define CHUNK 64

/* P at grid points from .. to - 1 (at most CHUNK of them) into p[] (Horner's
 * rule running over the points, which vectorises). */
static void grid_values(const flows *fl, int from, int to, double *p)
{
    double v[CHUNK] = {0};
    const double *x = grid_x + from;
    int m = to - from;
    for (size_t t = fl->n; t-- > 0;)
        for (int j = 0; j < m; j++)
            v[j] = v[j] * x[j] + fl->cf[t];
    for (int j = 0; j < m; j++)
        p[from + j] = x[j] * v[j];
}

/* Does bracket (k-1, k) of the grid hold a root (p: P at the grid points)?
 * 1 and *root when it does (Brent's method inside it, or the grid point
 * where P is 0). */
static int grid_bracket(flows *fl, const double *p, int k, double *root)
{
    double pv = p[k - 1], cv = p[k];
    if (!(cv == 0 || (pv < 0) != (cv < 0)))
        return 0;
    *root = grid_q[k];
    return cv == 0 || brent(fl, grid_q[k - 1], grid_q[k], root) == 0;
}

/* The roots of the NPV bracketed on a grid of GRID + 1 quarterly rates from
 * -99% to +1000% (cubic spacing: dense near -1 .. 0; by Descartes' rule
 * there are at most as many roots as sign changes), each found by Brent's
 * method; *best receives the one nearest 0.  Returns how many were found. */
static int grid_roots(flows *fl, double *best)
{
    pthread_once(&grid_once, grid_init);
    double p[GRID + 1];
    for (int k = 0; k <= GRID; k += CHUNK)
        grid_values(fl, k, k + CHUNK > GRID + 1 ? GRID + 1 : k + CHUNK, p);
    int found = 0;
    *best = NAN;
    for (int k = 1; k <= GRID; k++) {
        double root;
        if (!grid_bracket(fl, p, k, &root))
            continue;
        found++;
        if (isnan(*best) || fabs(root) < fabs(*best))
            *best = root;
    }
    return found;
}

cx_status cx_fin_irr(const double *cf, size_t n, double *irr, int *several, cx_error *err)
{
    return cx_fin_irr_guess(cf, n, 0.0, irr, several, err);
}

cx_status cx_fin_irr_guess(const double *cf, size_t n, double guess, double *irr, int *several, cx_error *err)
{
    int changes = sign_changes(cf, n, 1);
    if (several)
        *several = 0;
    if (changes == 0)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "no internal rate of return: the cash flows never change sign");
    flows fl = {cf, n};
    if (changes == 1) {
        /* one sign change: by Descartes' rule exactly one root.  In the
         * discount factor x = 1 / (1 + q) the NPV is the polynomial
         * P(x) = sum cf_t x^(t+1), evaluated with its derivative by Horner's
         * rule.  P has the sign of the first nonzero flow below the root
         * and of the last one above it, so a bracket is found by stepping
         * from the guess, by factors that grow geometrically, within the
         * quarterly rates -0.99 .. 10 (x from 1/11 to 100); then Newton's
         * method, with bisection when a step would leave the bracket. */
        const double lo = 1.0 / 11.0, hi = 100.0;
        int below = 0; /* the sign of P below the root */
        for (size_t t = 0; t < n && !below; t++)
            below = cf[t] > 0 ? 1 : cf[t] < 0 ? -1 : 0;
        double x = isfinite(guess) && guess > -1 ? pow(1.0 + guess, -0.25) : 1.0;
        if (!(x > lo && x < hi))
            x = 1.0;
        double v = poly(cf, n, x, NULL), a = x, b = x, step = 1.05;
        int found = v == 0;
        while (!found) {
            int up = (v > 0 ? 1 : -1) == below; /* still below the root */
            double y = up ? fmin(x * step, hi) : fmax(x / step, lo);
            double vy = poly(cf, n, y, NULL);
            if (vy == 0) {
                x = y, v = 0, found = 1;
                break;
            }
            if ((vy > 0) != (v > 0)) {
                a = up ? x : y;
                b = up ? y : x;
                found = 2;
                break;
            }
            if (y == lo || y == hi)
                break; /* no root in the range */
            x = y, v = vy, step *= step;
        }
        if (found) {
            double pa = poly(cf, n, a, NULL);
            x = found == 1 ? x : sqrt(a * b);
            for (int it = 0; it < 200 && found == 2; it++) {
                double d;
                v = poly(cf, n, x, &d);
                if (v == 0)
                    break;
                if ((v < 0) == (pa < 0))
                    a = x, pa = v;
                else
                    b = x;
                double next = x - v / d;
                if (fabs(next - x) <= 1e-14 * x) { /* converged (the step may not even move x) */
                    x = next;
                    break;
                }
                if (!(next > a && next < b))
                    next = 0.5 * (a + b);
                x = next;
                if (b - a <= 1e-14 * x)
                    break;
            }
            *irr = pow(x, -4.0) - 1.0;
            return CX_OK;
        }
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "no internal rate of return between -99%% and +1000%% a quarter");
    }
    /* several sign changes: every root bracketed on the grid */
    double best = NAN;
    int found = grid_roots(&fl, &best);
    if (!found)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0,
                            "no internal rate of return between -99%% and +1000%% a quarter");
    if (several)
        *several = found > 1;
    *irr = pow(1.0 + best, 4.0) - 1.0;
    return CX_OK;
}

/* One step of Halley's method at x from q = sum cf_t x^t and its first two
 * derivatives (P = x q): 1 and *next when x is taken as the root (P is 0
 * there, or the step is so small that the error left is of its cube, or
 * NaN when the search leaves the quarterly rates -0.99 .. 10), else 0 and
 * the next x. */
static inline int halley(double x, double q0, double q1, double q2, double *next)
{
    double v = x * q0, d = q0 + x * q1, d2 = 2 * q1 + x * q2;
    if (v == 0) {
        *next = x;
        return 1;
    }
    double den = 2 * d * d - v * d2, y = den != 0 ? x - 2 * v * d / den : x - v / d;
    if (!(y > 1.0 / 11.0 && y < 100.0))
        y = x - v / d; /* Newton's step when Halley's leaves the range */
    if (!(y > 1.0 / 11.0 && y < 100.0)) {
        *next = NAN;
        return 1;
    }
    *next = y;
    return fabs(y - x) <= 1e-9 * x;
}

#define IRR_STEPS 20 /* Halley steps before a series goes to the full search */
#define IRR_TAIL 8   /* series left when the rest are finished one at a time */

CX_BATCH_LOOPS
void cx_fin_irr_batch(const double *cf, size_t n, size_t m, double x0, const double *start, double guess, double *irr)
{
    double x[CX_FIN_LANES], q0[CX_FIN_LANES], q1[CX_FIN_LANES], q2[CX_FIN_LANES], root[CX_FIN_LANES];
    unsigned char live[CX_FIN_LANES];
    size_t nlive = 0;
    for (size_t i = 0; i < CX_FIN_LANES; i++) {
        live[i] = i < m && sign_changes(cf + i, n, CX_FIN_LANES) == 1;
        nlive += live[i];
        double xs = start && i < m ? start[i] : x0;
        xs = xs > 1.0 / 11.0 && xs < 100.0 ? xs : x0;
        x[i] = live[i] ? xs : 1; /* lanes past m are computed (a fixed count vectorises) but unused */
        root[i] = NAN;
    }
    /* Halley's method: P, P' and P'' by one Horner pass over
     * q(x) = sum cf_t x^t, every lane at once while many are left */
    int it = 0;
    for (; it < IRR_STEPS && nlive > IRR_TAIL; it++) {
        for (size_t i = 0; i < CX_FIN_LANES; i++)
            q0[i] = q1[i] = q2[i] = 0;
        for (size_t t = n; t-- > 0;) {
            const double *ct = cf + t * CX_FIN_LANES;
            for (size_t i = 0; i < CX_FIN_LANES; i++) {
                q2[i] = q2[i] * x[i] + 2 * q1[i];
                q1[i] = q1[i] * x[i] + q0[i];
                q0[i] = q0[i] * x[i] + ct[i];
            }
        }
        for (size_t i = 0; i < m; i++)
            if (live[i] && halley(x[i], q0[i], q1[i], q2[i], &x[i])) {
                root[i] = x[i];
                live[i] = 0;
                nlive--;
            }
    }
    /* the last few one at a time, with the steps they have left */
    for (size_t i = 0; i < m && nlive; i++) {
        if (!live[i])
            continue;
        for (int k = it; k < IRR_STEPS; k++) {
            double a = 0, b = 0, c = 0;
            for (size_t t = n; t-- > 0;) {
                c = c * x[i] + 2 * b;
                b = b * x[i] + a;
                a = a * x[i] + cf[t * CX_FIN_LANES + i];
            }
            if (halley(x[i], a, b, c, &x[i])) {
                root[i] = x[i];
                break;
            }
        }
        nlive--;
    }
    for (size_t i = 0; i < m; i++) {
        if (!isnan(root[i])) {
            double x2 = 1 / (root[i] * root[i]);
            irr[i] = x2 * x2 - 1;
            continue;
        }
        double one[CX_FIN_MAX_N], r;
        for (size_t t = 0; t < n; t++)
            one[t] = cf[t * CX_FIN_LANES + i];
        irr[i] = cx_fin_irr_fast(one, n, guess, &r) ? r : NAN;
    }
}

/* Can P have no root on the grid's range at all?  P = A - B with A and B the
 * polynomials of the positive and of the negative flows, both increasing in
 * x > 0, so on [a, b] P <= A(b) - B(a) and P >= A(a) - B(b).  When on every
 * piece of a partition of x in [1/11, 100] one of these bounds keeps its sign
 * by a margin far above the rounding of the grid's own evaluation, every
 * grid value has that sign and grid_roots finds nothing.  Costs 2 x PIECES
 * polynomial values instead of the grid's GRID.  Returns 1 when proved. */
#define PIECES 64

static int grid_has_no_root(const flows *fl)
{
    double prev_a = 0, prev_b = 0;
    int sign = 0;
    for (int i = 0; i <= PIECES; i++) {
        double x = (1.0 / 11.0) * pow(1100.0, (double)i / PIECES), a = 0, b = 0;
        for (size_t t = fl->n; t-- > 0;) {
            a = a * x + (fl->cf[t] > 0 ? fl->cf[t] : 0);
            b = b * x - (fl->cf[t] < 0 ? fl->cf[t] : 0);
        }
        a *= x, b *= x;
        if (i > 0) {
            /* on [x_{i-1}, x_i]: P >= prev_a - b and P <= a - prev_b; the
             * margin is far above the rounding of any Horner sum there,
             * whose terms total at most a + b */
            double margin = 1e-9 * (a + b);
            int s = prev_a - b > margin ? 1 : a - prev_b < -margin ? -1 : 0;
            if (!s || (sign && s != sign))
                return 0;
            sign = s;
        }
        prev_a = a, prev_b = b;
    }
    return 1;
}

/* The root nearest 0 that grid_roots would choose, found by computing the
 * grid CHUNK points at a time outward from rate 0, nearer side first, and
 * stopping once no bracket left can hold a root nearer 0 than the best so
 * far.  The values and the brackets are grid_roots', so the answer is
 * too; flows whose IRR lies near 0 cost a few chunks instead of the whole
 * grid.  Returns 1 when a root was found. */
static int grid_nearest_root(flows *fl, double *best)
{
    *best = NAN;
    if (grid_has_no_root(fl))
        return 0;
    pthread_once(&grid_once, grid_init);
    double p[GRID + 1];
    /* kn: the last point at a rate <= 0; brackets (k-1, k) for k <= kn lie
     * below 0, those above kn + 1 above it, and (kn, kn + 1) holds 0 */
    int kn = 0;
    while (kn < GRID && grid_q[kn + 1] <= 0)
        kn++;
    /* p[] is known on [lo, hi]; brackets (k-1, k) are checked for lo < k <= hi */
    int lo = kn, hi = kn;
    grid_values(fl, kn, kn + 1, p);
    while (lo > 0 || hi < GRID) {
        /* the nearest |rate| the next chunk on either side can hold */
        double dlo = lo > 0 ? -grid_q[lo] : HUGE_VAL;
        double dhi = hi < GRID ? fmax(grid_q[hi], 0.0) : HUGE_VAL;
        if (!isnan(*best) && fmin(dlo, dhi) >= fabs(*best))
            break;
        int from, to;
        if (dhi <= dlo) {
            from = hi + 1, to = hi + CHUNK > GRID ? GRID : hi + CHUNK;
            grid_values(fl, from, to + 1, p);
            hi = to;
        } else {
            to = lo - 1, from = lo - CHUNK < 0 ? 0 : lo - CHUNK;
            grid_values(fl, from, to + 1, p);
            lo = from;
            from++, to++; /* the brackets (k-1, k) for k in from .. to */
        }
        for (int k = from; k <= to; k++) {
            double root;
            if (grid_bracket(fl, p, k, &root) && (isnan(*best) || fabs(root) < fabs(*best)))
                *best = root;
        }
    }
    return !isnan(*best);
}

int cx_fin_irr_fast(const double *cf, size_t n, double guess, double *irr)
{
    int changes = sign_changes(cf, n, 1);
    if (changes == 0)
        return 0;
    if (changes == 1)
        return cx_fin_irr_guess(cf, n, guess, irr, NULL, NULL) == CX_OK;
    flows fl = {cf, n};
    double best = NAN;
    if (!grid_nearest_root(&fl, &best))
        return 0;
    *irr = pow(1.0 + best, 4.0) - 1.0;
    return 1;
}

size_t cx_fin_payback(const double *cf, size_t n)
{
    double cum = 0;
    int was_negative = 0;
    for (size_t t = 0; t < n; t++) {
        cum += cf[t];
        if (cum < 0)
            was_negative = 1;
        else if (was_negative)
            return t + 1;
    }
    return 0;
}

double cx_fin_roi(const double *benefits, const double *costs, size_t n)
{
    double b = 0, c = 0;
    for (size_t t = 0; t < n; t++) {
        b += benefits[t];
        c += costs[t];
    }
    return c > 0 ? (b - c) / c : NAN;
}
