/*
 * finance.c - discounting, NPV, IRR, payback and ROI of quarterly cash
 * flows (conventions in include/cxcase/sim.h).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

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
static int sign_changes(const double *cf, size_t n)
{
    int changes = 0, sign = 0;
    for (size_t t = 0; t < n; t++) {
        int sg = cf[t] > 0 ? 1 : cf[t] < 0 ? -1 : 0;
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

/* The roots of the NPV bracketed on a grid of GRID + 1 quarterly rates from
 * -99% to +1000% (cubic spacing: dense near -1 .. 0; by Descartes' rule
 * there are at most as many roots as sign changes), each found by Brent's
 * method; *best receives the one nearest 0.  Returns how many were found.
 * The NPV is evaluated at every grid point at once, Horner's rule running
 * over the points, which the compiler vectorises. */
static int grid_roots(flows *fl, double *best)
{
    double x[GRID + 1], v[GRID + 1];
    for (int k = 0; k <= GRID; k++) {
        double u = (double)k / GRID;
        x[k] = 1.0 / (1.0 + (-0.99 + (10.0 + 0.99) * u * u * u));
        v[k] = 0;
    }
    for (size_t t = fl->n; t-- > 0;)
        for (int k = 0; k <= GRID; k++)
            v[k] = v[k] * x[k] + fl->cf[t];
    int found = 0;
    *best = NAN;
    for (int k = 1; k <= GRID; k++) {
        double pv = x[k - 1] * v[k - 1], cv = x[k] * v[k];
        if (!(cv == 0 || (pv < 0) != (cv < 0)))
            continue;
        double u0 = (double)(k - 1) / GRID, u1 = (double)k / GRID;
        double lo = -0.99 + (10.0 + 0.99) * u0 * u0 * u0, hi = -0.99 + (10.0 + 0.99) * u1 * u1 * u1;
        double root = hi;
        if (cv != 0 && brent(fl, lo, hi, &root) != 0)
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
    int changes = sign_changes(cf, n);
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

double cx_fin_irr_root(const double *cf, size_t n, double x0)
{
    int changes = sign_changes(cf, n);
    if (changes != 1)
        return NAN;
    /* Halley's method (cubic convergence): P, P' and P'' by one Horner pass
     * over q(x) = sum cf_t x^t, with P = x q */
    double x = x0;
    for (int it = 0; it < 20; it++) {
        double q = 0, q1 = 0, q2 = 0;
        for (size_t t = n; t-- > 0;) {
            q2 = q2 * x + 2 * q1;
            q1 = q1 * x + q;
            q = q * x + cf[t];
        }
        double v = x * q, d = q + x * q1, d2 = 2 * q1 + x * q2;
        if (v == 0)
            return x;
        double den = 2 * d * d - v * d2;
        double next = den != 0 ? x - 2 * v * d / den : x - v / d;
        if (!(next > 1.0 / 11.0 && next < 100.0))
            next = x - v / d; /* Newton's step when Halley's leaves the range */
        if (!(next > 1.0 / 11.0 && next < 100.0))
            return NAN;
        if (fabs(next - x) <= 1e-14 * x)
            return next;
        x = next;
    }
    return NAN;
}

int cx_fin_irr_fast(const double *cf, size_t n, double guess, double *irr)
{
    int changes = sign_changes(cf, n);
    if (changes == 0)
        return 0;
    if (changes == 1)
        return cx_fin_irr_guess(cf, n, guess, irr, NULL, NULL) == CX_OK;
    flows fl = {cf, n};
    double best = NAN;
    if (!grid_roots(&fl, &best))
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
