/*
 * scores.c - how a normal forecast fared against the value that came: z,
 * PIT, whether the value lies in the 80% and 95% bands, the continuous
 * ranked probability score in closed form and the interval score
 * (Gneiting & Raftery 2007, "Strictly proper scoring rules, prediction,
 * and estimation", JASA 102: eq. 5 and eq. 43).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "review_internal.h"

#define INV_SQRT_PI 0.56418958354775628694807945156077259 /* 1 / sqrt(pi) */

double cx_crps_normal(double mean, double sd, double y)
{
    if (!(sd > 0))
        return fabs(y - mean);
    double z = (y - mean) / sd;
    return sd * (z * (2 * gsl_cdf_ugaussian_P(z) - 1) + 2 * gsl_ran_ugaussian_pdf(z) - INV_SQRT_PI);
}

double cx_interval_score(double lo, double hi, double alpha, double y)
{
    double s = hi - lo;
    if (y < lo)
        s += 2 / alpha * (lo - y);
    if (y > hi)
        s += 2 / alpha * (y - hi);
    return s;
}

void cx_score_normal(double mean, double sd, double y, cx_score *out)
{
    double z80 = gsl_cdf_ugaussian_Pinv(0.90), z95 = gsl_cdf_ugaussian_Pinv(0.975);
    out->z = (y - mean) / sd;
    out->pit = gsl_cdf_ugaussian_P(out->z);
    out->in80 = fabs(out->z) <= z80;
    out->in95 = fabs(out->z) <= z95;
    out->crps = cx_crps_normal(mean, sd, y);
    out->is80 = cx_interval_score(mean - z80 * sd, mean + z80 * sd, 0.20, y);
    out->is95 = cx_interval_score(mean - z95 * sd, mean + z95 * sd, 0.05, y);
}
