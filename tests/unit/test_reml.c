/*
 * test_reml.c - the REML random-effects meta-regression (src/model/reml.c)
 * against R's metafor::rma (tests/data/reml_metafor.json, recorded by
 * tests/data/reml_metafor.R from tests/data/reml_nps.csv: weekly NPS per
 * region with its survey standard error).
 *
 * Four recorded cases: REML with five moderators and region dummies, the
 * fixed-effect model (tau2 = 0), a homogeneous subset where REML's tau2 is
 * truncated at 0, and prior weights.  Every quantity is compared as a
 * relative error (helpers.h rel_diff: absolute below 1) and the worst one
 * per quantity is printed.  Then the error paths, the closed-form weighted
 * least squares of the fixed-effect model, the maximum of the restricted
 * likelihood, and failed allocations.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "helpers.h"
#include "model/reml.h"

#ifndef TOP
#define TOP "."
#endif

/* Agreement asserted with metafor's fits run to convergence (threshold
 * 1e-12): with tau2 estimated both end within about 1e-12 of the same
 * maximum; with tau2 at 0 there is no iteration, only rounding. */
#define TOL_TIGHT 1e-10
#define TOL_EXACT 1e-12
/* Against metafor's default fit (it stops when tau2 changes by < 1e-5). */
#define TOL_DEFAULT 1e-6

/* ======================================================================== */
/* The recorded data and results                                            */
/* ======================================================================== */

static cJSON *load_json(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    cJSON *j = cJSON_ParseWithLength(buf, n);
    assert_non_null(j);
    return j;
}

static const cJSON *jget(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        print_error("reml_metafor.json lacks '%s'\n", key);
        fail();
    }
    return v;
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = jget(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

static double jitem(const cJSON *o, const char *key, size_t i)
{
    const cJSON *v = cJSON_GetArrayItem(jget(o, key), (int)i);
    assert_non_null(v);
    return v->valuedouble;
}

/* A design built from the CSV for one recorded case. */
typedef struct dataset {
    size_t n, p;
    double *X, *y, *v, *a;
} dataset;

static void free_data(dataset *d)
{
    free(d->X);
    free(d->y);
    free(d->v);
    free(d->a);
    memset(d, 0, sizeof *d);
}

static size_t column(const cx_table *t, const char *name)
{
    size_t c = cx_table_find(t, name);
    if (c == (size_t)-1) {
        print_error("reml_nps.csv lacks column '%s'\n", name);
        fail();
    }
    return c;
}

/* Is row r among the case's rows ("rows": region and week range, or nulls)? */
static int selected(const cx_table *t, size_t r, const cJSON *rows)
{
    const cJSON *region = jget(rows, "region");
    if (cJSON_IsNull(region))
        return 1;
    char week[32];
    cx_table_cell_text(t, column(t, "week"), r, week, sizeof week);
    return strcmp(cx_table_text(t, column(t, "region"), r), region->valuestring) == 0 &&
           strcmp(week, jget(rows, "week_from")->valuestring) >= 0 &&
           strcmp(week, jget(rows, "week_to")->valuestring) <= 0;
}

/* The case's design: metafor's column names, "intrcpt" = 1,
 * "factor(region)X" = the dummy of region X, else a CSV column.  y = nps,
 * v = nps_se^2 (as R computes it), a = the "weights" column if any. */
static dataset load_case(const cJSON *c)
{
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(TOP "/tests/data/reml_nps.csv", NULL, &t, &err), CX_OK);
    const cJSON *names = jget(c, "names"), *rows = jget(c, "rows");
    const cJSON *wname = cJSON_GetObjectItemCaseSensitive(c, "weights");
    dataset d = {0};
    d.p = (size_t)cJSON_GetArraySize(names);
    size_t nr = cx_table_nrows(t);
    d.X = calloc(nr * d.p, sizeof(double));
    d.y = calloc(nr, sizeof(double));
    d.v = calloc(nr, sizeof(double));
    d.a = wname ? calloc(nr, sizeof(double)) : NULL;
    const double *nps = cx_table_numbers(t, column(t, "nps"));
    const double *se = cx_table_numbers(t, column(t, "nps_se"));
    size_t region = column(t, "region");
    for (size_t r = 0; r < nr; r++) {
        if (!selected(t, r, rows))
            continue;
        for (size_t j = 0; j < d.p; j++) {
            const char *name = cJSON_GetArrayItem(names, (int)j)->valuestring;
            double x;
            if (strcmp(name, "intrcpt") == 0)
                x = 1;
            else if (strncmp(name, "factor(region)", 14) == 0)
                x = strcmp(cx_table_text(t, region, r), name + 14) == 0;
            else
                x = cx_table_numbers(t, column(t, name))[r];
            d.X[d.n * d.p + j] = x;
        }
        d.y[d.n] = nps[r];
        d.v[d.n] = se[r] * se[r];
        if (d.a)
            d.a[d.n] = cx_table_numbers(t, column(t, wname->valuestring))[r];
        d.n++;
    }
    cx_table_free(t);
    assert_int_equal(d.n, (size_t)jnum(c, "n"));
    return d;
}

static cx_reml_result fit(const dataset *d, double tau2)
{
    cx_reml_options opt = CX_REML_OPTIONS_INIT;
    opt.tau2 = tau2;
    cx_reml_result r;
    cx_error err;
    cx_error_init(&err);
    cx_status st = cx_reml_fit(d->X, d->y, d->v, d->a, d->n, d->p, &opt, &r, &err);
    if (st != CX_OK) {
        char line[CX_ERROR_LINE_MAX];
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    return r;
}

/* ======================================================================== */
/* Comparison                                                               */
/* ======================================================================== */

/* Worst relative error of one quantity over its elements; asserts `tol`. */
static double check(const char *label, const char *what, const double *got, const cJSON *c,
                    const char *key, size_t count, double tol)
{
    const cJSON *want = jget(c, key);
    double worst = 0;
    for (size_t i = 0; i < count; i++) {
        double w = cJSON_IsArray(want) ? jitem(c, key, i) : want->valuedouble;
        double e = rel_diff(got[i], w);
        if (!(e <= tol)) {
            print_error("%s %s[%zu]: %.17g, metafor %.17g (relative error %.3g > %.3g)\n", label,
                        what, i, got[i], w, e, tol);
            fail();
        }
        worst = fmax(worst, e);
    }
    return worst;
}

/* Compare a fit with a recorded case: coefficients, their inference (z
 * tests as metafor's default: z = beta/se, p = 2 Q(|z|), beta -+ 1.96 se)
 * and the heterogeneity statistics. */
static void compare(const char *label, const cx_reml_result *r, const cJSON *c, double tol)
{
    size_t p = r->p;
    double se[64], z[64], pv[64], lb[64], ub[64], cov[64 * 64];
    assert_true(p <= 64);
    double crit = gsl_cdf_ugaussian_Qinv(0.025);
    for (size_t j = 0; j < p; j++) {
        se[j] = sqrt(r->cov[j * p + j]);
        z[j] = r->beta[j] / se[j];
        pv[j] = 2 * gsl_cdf_ugaussian_Q(fabs(z[j]));
        lb[j] = r->beta[j] - crit * se[j];
        ub[j] = r->beta[j] + crit * se[j];
    }
    /* vcov row by row, against the JSON's nested arrays. */
    const cJSON *V = jget(c, "vcov");
    double worst_cov = 0;
    for (size_t j = 0; j < p; j++) {
        const cJSON *row = cJSON_GetArrayItem(V, (int)j);
        for (size_t k = 0; k < p; k++) {
            cov[k] = cJSON_GetArrayItem(row, (int)k)->valuedouble;
            double e = rel_diff(r->cov[j * p + k], cov[k]);
            if (!(e <= tol)) {
                print_error("%s vcov[%zu][%zu]: %.17g, metafor %.17g\n", label, j, k,
                            r->cov[j * p + k], cov[k]);
                fail();
            }
            worst_cov = fmax(worst_cov, e);
        }
    }
    double e_tau2 = check(label, "tau2", &r->tau2, c, "tau2", 1, tol);
    double e_beta = check(label, "beta", r->beta, c, "beta", p, tol);
    double e_se = check(label, "se", se, c, "se", p, tol);
    double e_z = check(label, "zval", z, c, "zval", p, tol);
    double e_p = check(label, "pval", pv, c, "pval", p, tol);
    double e_ci = fmax(check(label, "ci_lb", lb, c, "ci_lb", p, tol),
                       check(label, "ci_ub", ub, c, "ci_ub", p, tol));
    double e_qe = fmax(check(label, "QE", &r->QE, c, "QE", 1, tol),
                       check(label, "QEp", &r->QEp, c, "QEp", 1, tol));
    double e_vt = check(label, "vt", &r->vt, c, "vt", 1, tol);
    double e_ll = check(label, "loglik", &r->loglik, c, "loglik_reml", 1, tol);
    char setau[32] = "(not estimated)";
    if (r->estimated)
        snprintf(setau, sizeof setau, "%.1e",
                 check(label, "se_tau2", &r->se_tau2, c, "se_tau2", 1, tol));
    else
        assert_true(isnan(r->se_tau2) && cJSON_IsNull(jget(c, "se_tau2")));
    print_message("%-8s tau2 %.1e  se_tau2 %s  beta %.1e  se %.1e  vcov %.1e  z %.1e  p %.1e  "
                  "ci %.1e  QE/QEp %.1e  vt %.1e  loglik %.1e  (%u steps, metafor %g)\n",
                  label, e_tau2, setau, e_beta, e_se, worst_cov, e_z, e_p, e_ci, e_qe, e_vt, e_ll,
                  r->iterations, jnum(c, "iterations"));
}

/* ======================================================================== */
/* Against metafor                                                          */
/* ======================================================================== */

static void reml_should_match_metafor_on_weekly_nps(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    const cJSON *c = jget(json, "reml");
    dataset d = load_case(c);
    cx_reml_result r = fit(&d, NAN);
    assert_true(r.estimated && !r.at_zero && r.tau2 > 0);
    compare("reml", &r, c, TOL_TIGHT);
    double e_i2 = check("reml", "I2", &r.I2, c, "I2", 1, TOL_TIGHT);
    /* lm(weights = 1/(tau2 + v)) / metafor's test = "knha": s2w * cov. */
    double se_knha[64];
    for (size_t j = 0; j < r.p; j++)
        se_knha[j] = sqrt(r.s2w * r.cov[j * r.p + j]);
    double e_knha = fmax(check("reml", "s2w", &r.s2w, c, "s2w_knha", 1, TOL_TIGHT),
                         check("reml", "se_knha", se_knha, c, "se_knha", r.p, TOL_TIGHT));
    print_message("reml     I2 %.1e  knha s2w/se %.1e\n", e_i2, e_knha);
    /* metafor's default stopping rule leaves tau2 about 1e-7 short. */
    const cJSON *def = jget(c, "default");
    double e_def = check("default", "tau2", &r.tau2, def, "tau2", 1, TOL_DEFAULT);
    double se[64];
    for (size_t j = 0; j < r.p; j++)
        se[j] = sqrt(r.cov[j * r.p + j]);
    e_def = fmax(e_def, check("default", "beta", r.beta, def, "beta", r.p, TOL_DEFAULT));
    e_def = fmax(e_def, check("default", "se", se, def, "se", r.p, TOL_DEFAULT));
    e_def = fmax(e_def, check("default", "se_tau2", &r.se_tau2, def, "se_tau2", 1, TOL_DEFAULT));
    print_message("default  metafor's default fit (threshold 1e-5): worst of tau2, beta, se, "
                  "se_tau2 %.1e\n", e_def);
    cx_reml_result_clear(&r);
    free_data(&d);
    cJSON_Delete(json);
}

static void reml_should_match_metafor_fixed_effect_when_tau2_is_fixed_at_0(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    const cJSON *c = jget(json, "fe");
    dataset d = load_case(c);
    cx_reml_result r = fit(&d, 0.0);
    assert_true(!r.estimated && !r.at_zero && r.tau2 == 0 && r.iterations == 0);
    compare("fe", &r, c, TOL_EXACT);
    double e_i2 = check("fe", "I2", &r.I2, c, "I2_tau2", 1, 0);
    /* lm(nps ~ delivery_days, weights = 1/v): the same beta, cov scaled by sigma^2. */
    double se_lm[2], sigma = sqrt(r.s2w);
    for (size_t j = 0; j < 2; j++)
        se_lm[j] = sqrt(r.s2w * r.cov[j * 2 + j]);
    double e_lm = fmax(check("fe", "se_lm", se_lm, c, "se_lm", 2, TOL_EXACT),
                       check("fe", "sigma_lm", &sigma, c, "sigma_lm", 1, TOL_EXACT));
    assert_true(rel_diff(r.rss, r.QE) < 1e-13);
    print_message("fe       I2 %.1e  lm(weights = 1/v) se/sigma %.1e\n", e_i2, e_lm);
    cx_reml_result_clear(&r);
    free_data(&d);
    cJSON_Delete(json);
}

static void reml_should_truncate_tau2_at_0_on_homogeneous_data(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    const cJSON *c = jget(json, "zero");
    dataset d = load_case(c);
    cx_reml_result r = fit(&d, NAN);
    assert_true(r.estimated && r.at_zero);
    assert_true(r.tau2 == 0 && r.I2 == 0);
    compare("zero", &r, c, TOL_EXACT);
    /* At the boundary the fit is the fixed-effect one. */
    cx_reml_result f = fit(&d, 0.0);
    for (size_t j = 0; j < r.p; j++)
        assert_true(r.beta[j] == f.beta[j] && r.cov[j * r.p + j] == f.cov[j * r.p + j]);
    cx_reml_result_clear(&f);
    cx_reml_result_clear(&r);
    free_data(&d);
    cJSON_Delete(json);
}

static void reml_should_match_metafor_with_prior_weights(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    const cJSON *c = jget(json, "weighted");
    dataset d = load_case(c);
    assert_non_null(d.a);
    cx_reml_result r = fit(&d, NAN);
    compare("weighted", &r, c, TOL_TIGHT);
    /* The weights do not enter tau2. */
    free(d.a);
    d.a = NULL;
    cx_reml_result u = fit(&d, NAN);
    assert_true(r.tau2 == u.tau2);
    cx_reml_result_clear(&u);
    cx_reml_result_clear(&r);
    free_data(&d);
    cJSON_Delete(json);
}

/* ======================================================================== */
/* Properties                                                               */
/* ======================================================================== */

/* tau2 fixed at 0 is the weighted least squares with weights 1/v, computed
 * here from the normal equations (GSL Cholesky), on the 11-column design:
 * beta = (X'WX)^-1 X'Wy and Var(beta) = (X'WX)^-1, no sigma^2 factor. */
static void reml_should_give_the_closed_form_wls_when_tau2_is_0(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    dataset d = load_case(jget(json, "reml"));
    size_t n = d.n, p = d.p;
    gsl_matrix *A = gsl_matrix_calloc(p, p);
    gsl_vector *b = gsl_vector_calloc(p), *beta = gsl_vector_alloc(p);
    for (size_t i = 0; i < n; i++) {
        gsl_vector_const_view x = gsl_vector_const_view_array(d.X + i * p, p);
        gsl_blas_dsyr(CblasLower, 1 / d.v[i], &x.vector, A);
        gsl_blas_daxpy(d.y[i] / d.v[i], &x.vector, b);
    }
    assert_int_equal(gsl_linalg_cholesky_decomp1(A), GSL_SUCCESS);
    assert_int_equal(gsl_linalg_cholesky_solve(A, b, beta), GSL_SUCCESS);
    assert_int_equal(gsl_linalg_cholesky_invert(A), GSL_SUCCESS);
    cx_reml_result r = fit(&d, 0.0);
    double eb = 0, ec = 0, rss = 0;
    for (size_t j = 0; j < p; j++) {
        eb = fmax(eb, rel_diff(r.beta[j], gsl_vector_get(beta, j)));
        for (size_t k = 0; k < p; k++)
            ec = fmax(ec, rel_diff(r.cov[j * p + k], gsl_matrix_get(A, j, k)));
    }
    for (size_t i = 0; i < n; i++) {
        double f = 0;
        for (size_t j = 0; j < p; j++)
            f += d.X[i * p + j] * gsl_vector_get(beta, j);
        rss += (d.y[i] - f) * (d.y[i] - f) / d.v[i];
    }
    print_message("tau2 = 0 vs normal equations: beta %.1e, cov %.1e, QE %.1e\n", eb, ec,
                  rel_diff(r.QE, rss));
    assert_true(eb < 1e-9 && ec < 1e-9 && rel_diff(r.QE, rss) < 1e-10);
    assert_true(rel_diff(r.rss, rss) < 1e-10 && rel_diff(r.s2w, rss / (double)(n - p)) < 1e-10);
    cx_reml_result_clear(&r);
    gsl_matrix_free(A);
    gsl_vector_free(b);
    gsl_vector_free(beta);
    free_data(&d);
    cJSON_Delete(json);
}

/* The estimate is the maximum of the restricted likelihood: ll at tau2
 * fixed a little either side is lower, also without an intercept (where
 * metafor 3.8 centres y and so finds another value, reml.h). */
static void reml_should_maximise_the_restricted_likelihood(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    dataset d = load_case(jget(json, "reml"));
    for (int noint = 0; noint < 2; noint++) {
        if (noint) { /* drop the intercept: columns 1..p-1 */
            for (size_t i = 0; i < d.n; i++)
                memmove(d.X + i * (d.p - 1), d.X + i * d.p + 1, (d.p - 1) * sizeof(double));
            d.p--;
        }
        cx_reml_result r = fit(&d, NAN);
        assert_true(r.tau2 > 0);
        for (int s = -1; s <= 1; s += 2) {
            cx_reml_result q = fit(&d, r.tau2 * (1 + s * 1e-3));
            assert_true(q.loglik < r.loglik);
            cx_reml_result_clear(&q);
        }
        print_message("%s: tau2 %.10g, loglik %.10g in %u steps\n",
                      noint ? "no intercept" : "intercept", r.tau2, r.loglik, r.iterations);
        cx_reml_result_clear(&r);
    }
    free_data(&d);
    cJSON_Delete(json);
}

/* ======================================================================== */
/* Errors                                                                   */
/* ======================================================================== */

/* A small exact data set: y = 1 + 2x + noise, v known. */
#define NS 8
static double sX[NS * 2], sy[NS], sv[NS];
static void small_data(void)
{
    static const double x[NS] = {0.3, 1.1, 2.6, 3.2, 4.9, 5.4, 6.8, 7.7};
    static const double e[NS] = {0.9, -1.4, 2.2, -0.3, 1.7, -2.5, 0.4, 1.1};
    for (size_t i = 0; i < NS; i++) {
        sX[2 * i] = 1;
        sX[2 * i + 1] = x[i];
        sy[i] = 1 + 2 * x[i] + e[i];
        sv[i] = 0.5 + 0.1 * (double)i;
    }
}

#define assert_refused(st_want, needle, call)                                       \
    do {                                                                            \
        cx_reml_result r_ = {.tau2 = 42};                                           \
        cx_error err_;                                                              \
        cx_error_init(&err_);                                                       \
        cx_reml_result *res = &r_;                                                  \
        cx_error *err = &err_;                                                      \
        (void)res;                                                                  \
        (void)err;                                                                  \
        assert_int_equal((call), (st_want));                                        \
        assert_int_equal(err_.status, (st_want));                                   \
        if (!strstr(err_.message, (needle))) {                                      \
            print_error("message '%s' lacks '%s'\n", err_.message, (needle));       \
            fail();                                                                 \
        }                                                                           \
        assert_true(r_.tau2 == 42 && r_.beta == NULL); /* untouched */             \
    } while (0)

static void reml_should_name_the_row_of_a_bad_sampling_variance(void **state)
{
    (void)state;
    small_data();
    double v[NS];
    const double bad[] = {0.0, -1.0, NAN, INFINITY};
    for (size_t k = 0; k < 4; k++) {
        memcpy(v, sv, sizeof v);
        v[5] = bad[k];
        assert_refused(CX_EINVAL, "row 5: the sampling variance (SE^2) must be positive and finite",
                       cx_reml_fit(sX, sy, v, NULL, NS, 2, NULL, res, err));
    }
    double a[NS];
    for (size_t i = 0; i < NS; i++)
        a[i] = 1;
    a[3] = 0;
    assert_refused(CX_EINVAL, "row 3: the prior weight must be positive and finite, found 0",
                   cx_reml_fit(sX, sy, sv, a, NS, 2, NULL, res, err));
    double y[NS];
    memcpy(y, sy, sizeof y);
    y[7] = NAN;
    assert_refused(CX_EINVAL, "row 7: the target is nan, not a finite number",
                   cx_reml_fit(sX, y, sv, NULL, NS, 2, NULL, res, err));
    double X[NS * 2];
    memcpy(X, sX, sizeof X);
    X[2 * 4 + 1] = INFINITY;
    assert_refused(CX_EINVAL, "row 4, column 1 of the design is inf",
                   cx_reml_fit(X, sy, sv, NULL, NS, 2, NULL, res, err));
}

static void reml_should_refuse_too_few_rows_and_bad_options(void **state)
{
    (void)state;
    small_data();
    assert_refused(CX_EINVAL, "needs more rows than coefficients: 2 rows for 2 coefficients",
                   cx_reml_fit(sX, sy, sv, NULL, 2, 2, NULL, res, err));
    assert_refused(CX_EINVAL, "at least one column",
                   cx_reml_fit(sX, sy, sv, NULL, NS, 0, NULL, res, err));
    assert_refused(CX_EUSAGE, "must not be NULL",
                   cx_reml_fit(sX, sy, NULL, NULL, NS, 2, NULL, res, err));
    assert_refused(CX_EUSAGE, "must not be NULL",
                   cx_reml_fit(sX, sy, sv, NULL, NS, 2, NULL, NULL, err));
    cx_reml_options opt = CX_REML_OPTIONS_INIT;
    opt.tau2 = -0.5;
    assert_refused(CX_EINVAL, "a fixed tau2 must be a finite number >= 0, found -0.5",
                   cx_reml_fit(sX, sy, sv, NULL, NS, 2, &opt, res, err));
    opt.tau2 = INFINITY;
    assert_refused(CX_EINVAL, "a fixed tau2 must be a finite number >= 0, found inf",
                   cx_reml_fit(sX, sy, sv, NULL, NS, 2, &opt, res, err));
    opt.tau2 = NAN;
    opt.tol = -1;
    assert_refused(CX_EINVAL, "the REML tolerance must be >= 0 and < 1",
                   cx_reml_fit(sX, sy, sv, NULL, NS, 2, &opt, res, err));
    /* A NULL error record is allowed. */
    cx_reml_result r = {0};
    assert_int_equal(cx_reml_fit(sX, sy, sv, NULL, 1, 2, NULL, &r, NULL), CX_EINVAL);
}

static void reml_should_refuse_dependent_columns(void **state)
{
    (void)state;
    small_data();
    double X[NS * 3];
    for (size_t i = 0; i < NS; i++) {
        X[3 * i] = sX[2 * i];
        X[3 * i + 1] = sX[2 * i + 1];
        X[3 * i + 2] = 3 * sX[2 * i + 1] - 0.1; /* a combination of the others */
    }
    assert_refused(CX_EINVAL, "the columns of the design are linearly dependent",
                   cx_reml_fit(X, sy, sv, NULL, NS, 3, NULL, res, err));
    for (size_t i = 0; i < NS; i++)
        X[3 * i + 2] = 0;
    assert_refused(CX_EINVAL, "column 2 of the design is 0 in every row",
                   cx_reml_fit(X, sy, sv, NULL, NS, 3, NULL, res, err));
}

static void reml_should_report_no_convergence(void **state)
{
    (void)state;
    cJSON *json = load_json(TOP "/tests/data/reml_metafor.json");
    dataset d = load_case(jget(json, "reml"));
    cx_reml_options opt = CX_REML_OPTIONS_INIT;
    opt.max_iter = 2;
    assert_refused(CX_ENUMERIC, "tau2 did not converge in 2 Fisher scoring steps",
                   cx_reml_fit(d.X, d.y, d.v, NULL, d.n, d.p, &opt, res, err));
    free_data(&d);
    cJSON_Delete(json);
}

/* ======================================================================== */
/* Anomalies                                                                */
/* ======================================================================== */

static long alloc_budget = -1;
static void *failing_malloc(size_t n)
{
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return malloc(n);
}

/* Fail the 1st, 2nd, ... allocation in turn: CX_ENOMEM and the result
 * untouched, nothing leaked (AddressSanitizer checks). */
static void reml_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    small_data();
    cx_set_alloc_hooks(failing_malloc, NULL, NULL);
    int succeeded = 0;
    for (long k = 0; k < 10 && !succeeded; k++) {
        alloc_budget = k;
        cx_reml_result r = {.tau2 = 42};
        cx_status st = cx_reml_fit(sX, sy, sv, NULL, NS, 2, NULL, &r, NULL);
        if (st == CX_OK) {
            succeeded = 1;
            assert_true(r.tau2 != 42);
            alloc_budget = -1;
            cx_reml_result_clear(&r);
        } else {
            assert_int_equal(st, CX_ENOMEM);
            assert_true(r.tau2 == 42 && r.beta == NULL);
        }
    }
    alloc_budget = -1;
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(succeeded);
    cx_reml_result_clear(NULL);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(reml_should_match_metafor_on_weekly_nps),
        cmocka_unit_test(reml_should_match_metafor_fixed_effect_when_tau2_is_fixed_at_0),
        cmocka_unit_test(reml_should_truncate_tau2_at_0_on_homogeneous_data),
        cmocka_unit_test(reml_should_match_metafor_with_prior_weights),
        cmocka_unit_test(reml_should_give_the_closed_form_wls_when_tau2_is_0),
        cmocka_unit_test(reml_should_maximise_the_restricted_likelihood),
        cmocka_unit_test(reml_should_name_the_row_of_a_bad_sampling_variance),
        cmocka_unit_test(reml_should_refuse_too_few_rows_and_bad_options),
        cmocka_unit_test(reml_should_refuse_dependent_columns),
        cmocka_unit_test(reml_should_report_no_convergence),
        cmocka_unit_test(reml_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
