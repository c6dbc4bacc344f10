/*
 * test_fit.c - least squares against certified values.
 *
 * NIST StRD linear regression (tests/data/nist): coefficients, standard
 * errors, residual standard deviation and R^2 to at least 9 significant
 * digits (7 on Filip, whose data limit any double-precision solver to about
 * 7.7), through the streamed path with small blocks so that the TSQR
 * accumulation really runs over many blocks.  Inference against R's
 * summary(lm()) on the swiss data (tests/data/swiss_lm.json) to 1e-8.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/stat.h>
#include <math.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "helpers.h"
#include "cxcase/model.h"

#ifndef TOP
#define TOP "."
#endif

static cJSON *load_json(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_non_null(v);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* Log relative error: the number of agreeing significant digits (NIST's LRE). */
static double lre(double got, double want)
{
    if (want == 0)
        return got == 0 ? 16 : fmin(16, -log10(fabs(got)));
    double r = fabs(got - want) / fabs(want);
    return r == 0 ? 16 : fmin(16, -log10(r));
}

static cx_model *fit_file(const char *csv, const char *target, const char *const *terms, size_t n,
                          int intercept, cx_se_kind se, size_t block)
{
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_error err;
    cx_error_init(&err);
    char line[CX_ERROR_LINE_MAX];
    if (cx_spec_simple(target, terms, n, intercept, &spec, &err) != CX_OK) {
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    cx_fit_options opt = {.block_rows = block, .force_se = se != CX_SE_CLASSIC, .se = se};
    if (cx_fit_csv(spec, csv, NULL, &opt, &m, NULL, &err) != CX_OK) {
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    cx_spec_free(spec);
    return m;
}

static void check_nist(const char *name, double min_digits)
{
    char path[512];
    snprintf(path, sizeof path, TOP "/tests/data/nist/%s.json", name);
    cJSON *cert = load_json(path);
    int degree = (int)jnum(cert, "degree");
    int intercept = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cert, "intercept"));
    char names[12][16];
    const char *terms[12];
    size_t nt = 0;
    if (strcmp(name, "Longley") == 0) {
        for (int k = 1; k <= 6; k++, nt++) {
            snprintf(names[nt], sizeof names[nt], "x%d", k);
            terms[nt] = names[nt];
        }
    } else {
        for (int k = 1; k <= degree; k++, nt++) {
            if (k == 1)
                snprintf(names[nt], sizeof names[nt], "x");
            else
                snprintf(names[nt], sizeof names[nt], "x^%d", k);
            terms[nt] = names[nt];
        }
    }
    snprintf(path, sizeof path, TOP "/tests/data/nist/%s.csv", name);
    cx_model *m = fit_file(path, "y", terms, nt, intercept, CX_SE_CLASSIC, 5);
    const cx_equation *e = cx_model_equation(m, 0);
    const cJSON *coef = cJSON_GetObjectItemCaseSensitive(cert, "coef");
    const cJSON *se = cJSON_GetObjectItemCaseSensitive(cert, "se");
    assert_int_equal(cx_equation_ncoef(e), (size_t)cJSON_GetArraySize(coef));
    double worst = 16;
    for (size_t j = 0; j < cx_equation_ncoef(e); j++) {
        double c = lre(cx_equation_coef(e)[j], cJSON_GetArrayItem(coef, (int)j)->valuedouble);
        double s = lre(cx_equation_se(e)[j], cJSON_GetArrayItem(se, (int)j)->valuedouble);
        worst = fmin(worst, fmin(c, s));
        if (c < min_digits || s < min_digits) {
            print_error("%s %s: coef %.17g (%.1f digits), se %.17g (%.1f digits)\n", name,
                        cx_equation_coef_name(e, j), cx_equation_coef(e)[j], c, cx_equation_se(e)[j], s);
            fail();
        }
    }
    double sd = lre(cx_equation_stat(e, CX_STAT_SIGMA), jnum(cert, "residual_sd"));
    double r2 = lre(cx_equation_stat(e, CX_STAT_R2), jnum(cert, "r2"));
    print_message("%-9s worst coef/se %.1f digits, residual sd %.1f, R^2 %.1f (condition %.3g)\n",
                  name, worst, sd, r2, cx_equation_stat(e, CX_STAT_CONDITION));
    assert_true(sd >= min_digits);
    assert_true(r2 >= min_digits);
    cx_model_free(m);
    cJSON_Delete(cert);
}

static void fit_should_match_nist_norris(void **s) { (void)s; check_nist("Norris", 9); }
static void fit_should_match_nist_pontius(void **s) { (void)s; check_nist("Pontius", 9); }
static void fit_should_match_nist_noint1(void **s) { (void)s; check_nist("NoInt1", 9); }
static void fit_should_match_nist_noint2(void **s) { (void)s; check_nist("NoInt2", 9); }
static void fit_should_match_nist_longley(void **s) { (void)s; check_nist("Longley", 9); }
static void fit_should_match_nist_filip(void **s) { (void)s; check_nist("Filip", 7); }
static void fit_should_match_nist_wampler1(void **s) { (void)s; check_nist("Wampler1", 9); }
static void fit_should_match_nist_wampler2(void **s) { (void)s; check_nist("Wampler2", 9); }
static void fit_should_match_nist_wampler3(void **s) { (void)s; check_nist("Wampler3", 9); }
static void fit_should_match_nist_wampler4(void **s) { (void)s; check_nist("Wampler4", 9); }
static void fit_should_match_nist_wampler5(void **s) { (void)s; check_nist("Wampler5", 9); }

/* ---- inference against R ------------------------------------------------ */

#define assert_rel(got, want, tol, what)                                                  \
    do {                                                                               \
        double g_ = (got), w_ = (want);                                                \
        if (!(fabs(g_ - w_) <= (tol) * fmax(fabs(w_), 1e-300))) {                      \
            print_error("%s: got %.17g, R has %.17g (rel %.2g)\n", (what), g_, w_,     \
                        fabs(g_ - w_) / fabs(w_));                                     \
            fail();                                                                    \
        }                                                                              \
    } while (0)

/* Fit a spec (JSON text) on a CSV and compare with one block of swiss_lm.json. */
static void check_against_r(const char *spec_json, const char *csv, const char *block, int diagnostics,
                            int vif_uncentered)
{
    cJSON *all = load_json(TOP "/tests/data/swiss_lm.json");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(all, block);
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_error err;
    cx_error_init(&err);
    char line[CX_ERROR_LINE_MAX];
    assert_int_equal(cx_spec_parse(spec_json, strlen(spec_json), "spec", &spec, &err), CX_OK);
    cx_fit_options opt = {.block_rows = 8};
    if (cx_fit_csv(spec, csv, NULL, &opt, &m, NULL, &err) != CX_OK) {
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    const cx_equation *e = cx_model_equation(m, 0);
    const double tol = 1e-8;
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(r, "terms");
    assert_int_equal(cx_equation_ncoef(e), (size_t)cJSON_GetArraySize(terms));
    for (size_t j = 0; j < cx_equation_ncoef(e); j++) {
        const cJSON *t = cJSON_GetArrayItem(terms, (int)j);
        assert_string_equal(cx_equation_coef_name(e, j), cJSON_GetObjectItemCaseSensitive(t, "name")->valuestring);
        assert_rel(cx_equation_coef(e)[j], jnum(t, "coef"), tol, "coef");
        assert_rel(cx_equation_se(e)[j], jnum(t, "se"), tol, "se");
        assert_rel(cx_equation_t(e)[j], jnum(t, "t"), tol, "t");
        assert_rel(cx_equation_p(e)[j], jnum(t, "p"), tol, "p");
        assert_rel(cx_equation_ci_low(e)[j], jnum(t, "ci_low"), tol, "ci_low");
        assert_rel(cx_equation_ci_high(e)[j], jnum(t, "ci_high"), tol, "ci_high");
    }
    assert_rel(cx_equation_stat(e, CX_STAT_SIGMA), jnum(r, "sigma"), tol, "sigma");
    assert_rel(cx_equation_stat(e, CX_STAT_R2), jnum(r, "r2"), tol, "r2");
    assert_rel(cx_equation_stat(e, CX_STAT_ADJ_R2), jnum(r, "adj_r2"), tol, "adj_r2");
    assert_rel(cx_equation_stat(e, CX_STAT_F), jnum(r, "f"), tol, "F");
    assert_rel(cx_equation_stat(e, CX_STAT_F_P), jnum(r, "f_p"), tol, "F p");
    assert_rel(cx_equation_stat(e, CX_STAT_DF_RESID), jnum(r, "df_resid"), tol, "df");
    assert_rel(cx_equation_stat(e, CX_STAT_RSS), jnum(r, "rss"), tol, "rss");
    assert_rel(cx_equation_stat(e, CX_STAT_LOGLIK), jnum(r, "loglik"), tol, "loglik");
    assert_rel(cx_equation_stat(e, CX_STAT_AIC), jnum(r, "aic"), tol, "aic");
    assert_rel(cx_equation_stat(e, CX_STAT_BIC), jnum(r, "bic"), tol, "bic");
    const cJSON *vc = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "vcov"), "matrix");
    size_t p = cx_equation_ncoef(e);
    for (size_t i = 0; i < p; i++)
        for (size_t j = 0; j < p; j++)
            assert_rel(cx_equation_covariance(e)[i * p + j],
                       cJSON_GetArrayItem(cJSON_GetArrayItem(vc, (int)i), (int)j)->valuedouble, tol, "vcov");
    if (diagnostics) {
        assert_rel(cx_equation_stat(e, CX_STAT_DW), jnum(r, "durbin_watson"), tol, "Durbin-Watson");
        assert_rel(cx_equation_stat(e, CX_STAT_BP), jnum(r, "bp_koenker"), tol, "Breusch-Pagan");
        assert_rel(cx_equation_stat(e, CX_STAT_BP_P), jnum(r, "bp_koenker_p"), tol, "Breusch-Pagan p");
        assert_rel(cx_equation_stat(e, CX_STAT_JB), jnum(r, "jarque_bera"), tol, "Jarque-Bera");
        assert_rel(cx_equation_stat(e, CX_STAT_JB_P), jnum(r, "jarque_bera_p"), tol, "Jarque-Bera p");
        const cJSON *vif = cJSON_GetObjectItemCaseSensitive(r, vif_uncentered ? "vif_uncentered" : "vif");
        for (size_t j = 0; j < p; j++) {
            const cJSON *v = cJSON_GetObjectItemCaseSensitive(vif, cx_equation_coef_name(e, j));
            if (v)
                assert_rel(cx_equation_vif(e)[j], v->valuedouble, tol, "VIF");
        }
    }
    cx_model_free(m);
    cx_spec_free(spec);
    cJSON_Delete(all);
}

static void fit_should_agree_with_r_summary_lm(void **state)
{
    (void)state;
    check_against_r("{\"units\": [], \"equations\": [{\"target\": \"fertility\", \"terms\": "
                    "[\"agriculture\", \"examination\", \"education\", \"catholic\", \"infant_mortality\"]}]}",
                    TOP "/tests/data/swiss.csv", "ols", 1, 0);
}

static void fit_should_agree_with_r_without_intercept(void **state)
{
    (void)state;
    check_against_r("{\"units\": [], \"equations\": [{\"target\": \"fertility\", \"intercept\": false, "
                    "\"terms\": [\"agriculture\", \"education\"]}]}",
                    TOP "/tests/data/swiss.csv", "ols_noint", 1, 1);
}

static void fit_should_agree_with_r_weighted(void **state)
{
    (void)state;
    /* the swiss data with a weight column 1/infant_mortality, computed as R does */
    FILE *in = fopen(TOP "/tests/data/swiss.csv", "r");
    assert_non_null(in);
    char path[] = "/tmp/cxswissXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *out = fdopen(fd, "w");
    char line[512];
    int header = 1;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = '\0';
        if (header) {
            fprintf(out, "%s,w\n", line);
            header = 0;
            continue;
        }
        const char *last = strrchr(line, ',');
        fprintf(out, "%s,%.17g\n", line, 1.0 / strtod(last + 1, NULL));
    }
    fclose(in);
    fclose(out);
    check_against_r("{\"units\": [], \"equations\": [{\"target\": \"fertility\", \"weights\": \"w\", \"terms\": "
                    "[\"agriculture\", \"examination\", \"education\", \"catholic\", \"infant_mortality\"]}]}",
                    path, "wls", 0, 0);
    unlink(path);
}

/* Standardised coefficients and elasticities against means and standard
 * deviations computed here from the raw rows. */
static void fit_should_standardise_and_give_elasticities(void **state)
{
    (void)state;
    const char *terms[] = {"agriculture", "examination", "education", "catholic", "infant_mortality"};
    cx_model *m = fit_file(TOP "/tests/data/swiss.csv", "fertility", terms, 5, 1, CX_SE_CLASSIC, 0);
    const cx_equation *e = cx_model_equation(m, 0);
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(TOP "/tests/data/swiss.csv", NULL, &t, &err), CX_OK);
    size_t n = cx_table_nrows(t);
    const double *y = cx_table_numbers(t, cx_table_find(t, "fertility"));
    double ym = 0, yv = 0;
    for (size_t i = 0; i < n; i++)
        ym += y[i] / (double)n;
    for (size_t i = 0; i < n; i++)
        yv += (y[i] - ym) * (y[i] - ym);
    assert_true(isnan(cx_equation_std_coef(e)[0]));
    for (size_t j = 0; j < 5; j++) {
        const double *x = cx_table_numbers(t, cx_table_find(t, terms[j]));
        double xm = 0, xv = 0;
        for (size_t i = 0; i < n; i++)
            xm += x[i] / (double)n;
        for (size_t i = 0; i < n; i++)
            xv += (x[i] - xm) * (x[i] - xm);
        double b = cx_equation_coef(e)[j + 1];
        assert_rel(cx_equation_std_coef(e)[j + 1], b * sqrt(xv / yv), 1e-10, "standardised coefficient");
        assert_rel(cx_equation_elasticity(e)[j + 1], b * xm / ym, 1e-10, "elasticity");
    }
    /* the LMG shares split R^2 (no fixed effects here) */
    double sum = 0;
    for (size_t j = 1; j < 6; j++)
        sum += cx_equation_importance(e)[j];
    assert_rel(sum, cx_equation_stat(e, CX_STAT_R2), 1e-10, "sum of importance shares");
    cx_table_free(t);
    cx_model_free(m);
}

/* HC1, HC3 and clustered standard errors against R's sandwich package
 * (tests/data/swiss_robust.json; cluster: vcovCL type HC1 with G/(G-1)
 * (n-1)/(n-k), t with G-1 degrees of freedom). */
static void fit_should_agree_with_sandwich(void **state)
{
    (void)state;
    cJSON *all = load_json(TOP "/tests/data/swiss_robust.json");
    const char *terms[] = {"agriculture", "examination", "education", "catholic", "infant_mortality"};
    const struct { const char *key; cx_se_kind kind; } cases[] = {
        {"HC1", CX_SE_HC1}, {"HC3", CX_SE_HC3}, {"cluster", CX_SE_CLUSTER}};
    for (size_t c = 0; c < 3; c++) {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(all, cases[c].key);
        cx_model *m = fit_file(TOP "/tests/data/swiss_grp.csv", "fertility", terms, 5, 1, cases[c].kind, 8);
        const cx_equation *e = cx_model_equation(m, 0);
        const cJSON *se = cJSON_GetObjectItemCaseSensitive(r, "se");
        const cJSON *vc = cJSON_GetObjectItemCaseSensitive(r, "vcov");
        for (size_t j = 0; j < 6; j++) {
            assert_rel(cx_equation_se(e)[j], cJSON_GetArrayItem(se, (int)j)->valuedouble, 1e-10, cases[c].key);
            for (size_t k = 0; k < 6; k++)
                assert_rel(cx_equation_covariance(e)[j * 6 + k],
                           cJSON_GetArrayItem(cJSON_GetArrayItem(vc, (int)j), (int)k)->valuedouble, 1e-9, "vcov");
        }
        cx_model_free(m);
    }
    cJSON_Delete(all);
}

/* ---- ridge and robust ------------------------------------------------------ */

#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* n rows of y = 2 + 3 x1 - x2 + 0.5 x3 + noise with x2 and x3 correlated
 * with x1; `outliers` rows get +50.  Written to a temporary CSV. */
static char *synthetic_csv(size_t n, size_t outliers, double *X, double *y)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    char path[] = "/tmp/cxsynXXXXXX";
    int fd = mkstemp(path);
    FILE *fp = fdopen(fd, "w");
    fprintf(fp, "y,x1,x2,x3\n");
    for (size_t i = 0; i < n; i++) {
        double x1 = gsl_ran_gaussian(rng, 1.0);
        double x2 = 0.8 * x1 + 0.6 * gsl_ran_gaussian(rng, 1.0);
        double x3 = -0.5 * x1 + 0.9 * gsl_ran_gaussian(rng, 1.0);
        double v = 2 + 3 * x1 - x2 + 0.5 * x3 + gsl_ran_gaussian(rng, 1.0) + (i % (n / (outliers ? outliers : 1)) == 0 && outliers ? 50 : 0);
        char b[4][32];
        snprintf(b[0], 32, "%.17g", v);
        snprintf(b[1], 32, "%.17g", x1);
        snprintf(b[2], 32, "%.17g", x2);
        snprintf(b[3], 32, "%.17g", x3);
        fprintf(fp, "%s,%s,%s,%s\n", b[0], b[1], b[2], b[3]);
        if (X) {
            y[i] = strtod(b[0], NULL);
            for (int k = 0; k < 3; k++)
                X[i * 3 + k] = strtod(b[k + 1], NULL);
        }
    }
    fclose(fp);
    gsl_rng_free(rng);
    return strdup(path);
}

static cx_model *fit_json(const char *json, const char *csv)
{
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_error err;
    cx_error_init(&err);
    char line[CX_ERROR_LINE_MAX];
    assert_int_equal(cx_spec_parse(json, strlen(json), "spec", &spec, &err), CX_OK);
    if (cx_fit_csv(spec, csv, NULL, NULL, &m, NULL, &err) != CX_OK) {
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    cx_spec_free(spec);
    return m;
}

/* The closed form of ridge on centred, unit-norm columns, computed here
 * directly from the rows: (Z'Z + lambda^2 I) c = Z'y. */
static void ridge_closed_form(const double *X, const double *y, size_t n, double lambda, double *beta)
{
    double mean[3] = {0, 0, 0}, ym = 0, scale[3];
    for (size_t i = 0; i < n; i++) {
        ym += y[i] / (double)n;
        for (int k = 0; k < 3; k++)
            mean[k] += X[i * 3 + k] / (double)n;
    }
    for (int k = 0; k < 3; k++) {
        double ss = 0;
        for (size_t i = 0; i < n; i++)
            ss += (X[i * 3 + k] - mean[k]) * (X[i * 3 + k] - mean[k]);
        scale[k] = sqrt(ss);
    }
    gsl_matrix *A = gsl_matrix_calloc(3, 3);
    gsl_vector *b = gsl_vector_calloc(3), *c = gsl_vector_alloc(3);
    for (size_t i = 0; i < n; i++)
        for (int a = 0; a < 3; a++) {
            double za = (X[i * 3 + a] - mean[a]) / scale[a];
            *gsl_vector_ptr(b, a) += za * (y[i] - ym);
            for (int d = 0; d < 3; d++)
                *gsl_matrix_ptr(A, a, d) += za * (X[i * 3 + d] - mean[d]) / scale[d];
        }
    for (int a = 0; a < 3; a++)
        *gsl_matrix_ptr(A, a, a) += lambda * lambda;
    gsl_linalg_cholesky_decomp1(A);
    gsl_linalg_cholesky_solve(A, b, c);
    beta[0] = ym;
    for (int k = 0; k < 3; k++) {
        beta[k + 1] = gsl_vector_get(c, k) / scale[k];
        beta[0] -= mean[k] * beta[k + 1];
    }
    gsl_matrix_free(A);
    gsl_vector_free(b);
    gsl_vector_free(c);
}

static void fit_should_match_ridge_closed_form(void **state)
{
    (void)state;
    size_t n = 120;
    double *X = malloc(n * 3 * sizeof(double)), *y = malloc(n * sizeof(double));
    char *csv = synthetic_csv(n, 0, X, y);
    /* a given penalty */
    cx_model *m = fit_json("{\"equations\": [{\"target\": \"y\", \"method\": \"ridge\", \"lambda\": 0.7, "
                           "\"terms\": [\"x1\", \"x2\", \"x3\"]}]}", csv);
    double want[4];
    ridge_closed_form(X, y, n, 0.7, want);
    const cx_equation *e = cx_model_equation(m, 0);
    for (int j = 0; j < 4; j++)
        assert_rel(cx_equation_coef(e)[j], want[j], 1e-10, "ridge coef");
    cx_model_free(m);
    /* lambda 0 is least squares */
    m = fit_json("{\"equations\": [{\"target\": \"y\", \"method\": \"ridge\", \"lambda\": 0, "
                 "\"terms\": [\"x1\", \"x2\", \"x3\"]}]}", csv);
    cx_model *ols = fit_json("{\"equations\": [{\"target\": \"y\", \"terms\": [\"x1\", \"x2\", \"x3\"]}]}", csv);
    for (int j = 0; j < 4; j++) {
        assert_rel(cx_equation_coef(cx_model_equation(m, 0))[j], cx_equation_coef(cx_model_equation(ols, 0))[j], 1e-10, "ridge 0 = ols");
        assert_rel(cx_equation_se(cx_model_equation(m, 0))[j], cx_equation_se(cx_model_equation(ols, 0))[j], 1e-8, "ridge 0 se = ols se");
    }
    cx_model_free(m);
    cx_model_free(ols);
    /* the penalty chosen by GCV minimises GCV(lambda) = RSS / (n - tr H)^2,
     * evaluated here from the closed form */
    m = fit_json("{\"equations\": [{\"target\": \"y\", \"method\": \"ridge\", "
                 "\"terms\": [\"x1\", \"x2\", \"x3\"]}]}", csv);
    e = cx_model_equation(m, 0);
    double chosen = cx_equation_stat(e, CX_STAT_LAMBDA);
    assert_true(chosen > 0);
    double g[3];
    for (int k = -1; k <= 1; k++) {
        double l = chosen * (1 + 0.05 * k), b[4], rss = 0;
        ridge_closed_form(X, y, n, l, b);
        for (size_t i = 0; i < n; i++) {
            double r = y[i] - b[0] - b[1] * X[i * 3] - b[2] * X[i * 3 + 1] - b[3] * X[i * 3 + 2];
            rss += r * r;
        }
        /* tr H from the ridge formula is not needed to compare neighbours only
         * when it changes little; compute it properly anyway */
        double tr = 0;
        {
            double mean[3] = {0, 0, 0}, scale[3];
            for (size_t i = 0; i < n; i++)
                for (int a = 0; a < 3; a++)
                    mean[a] += X[i * 3 + a] / (double)n;
            for (int a = 0; a < 3; a++) {
                double ss = 0;
                for (size_t i = 0; i < n; i++)
                    ss += (X[i * 3 + a] - mean[a]) * (X[i * 3 + a] - mean[a]);
                scale[a] = sqrt(ss);
            }
            gsl_matrix *Z = gsl_matrix_alloc(n, 3), *V = gsl_matrix_alloc(3, 3);
            gsl_vector *S = gsl_vector_alloc(3), *wk = gsl_vector_alloc(3);
            for (size_t i = 0; i < n; i++)
                for (int a = 0; a < 3; a++)
                    gsl_matrix_set(Z, i, a, (X[i * 3 + a] - mean[a]) / scale[a]);
            gsl_linalg_SV_decomp(Z, V, S, wk);
            for (int a = 0; a < 3; a++) {
                double s = gsl_vector_get(S, a);
                tr += s * s / (s * s + l * l);
            }
            gsl_matrix_free(Z);
            gsl_matrix_free(V);
            gsl_vector_free(S);
            gsl_vector_free(wk);
        }
        g[k + 1] = rss / (((double)n - 1 - tr) * ((double)n - 1 - tr));
    }
    print_message("ridge GCV penalty %.4g: GCV %.10g (-5%%) %.10g %.10g (+5%%)\n", chosen, g[0], g[1], g[2]);
    assert_true(g[1] <= g[0] * (1 + 1e-9) && g[1] <= g[2] * (1 + 1e-9));
    cx_model_free(m);
    unlink(csv);
    free(csv);
    free(X);
    free(y);
}

static void fit_should_resist_outliers_when_robust(void **state)
{
    (void)state;
    char *csv = synthetic_csv(400, 20, NULL, NULL); /* 5% of rows shifted by +50 */
    const double truth[4] = {2, 3, -1, 0.5};
    const char *specs[] = {
        "{\"equations\": [{\"target\": \"y\", \"method\": \"robust\", \"terms\": [\"x1\", \"x2\", \"x3\"]}]}",
        "{\"equations\": [{\"target\": \"y\", \"method\": \"robust\", \"psi\": \"bisquare\", \"terms\": [\"x1\", \"x2\", \"x3\"]}]}",
    };
    for (int k = 0; k < 2; k++) {
        cx_model *m = fit_json(specs[k], csv);
        const cx_equation *e = cx_model_equation(m, 0);
        for (int j = 0; j < 4; j++) {
            double z = (cx_equation_coef(e)[j] - truth[j]) / cx_equation_se(e)[j];
            if (fabs(z) > 3.5) {
                print_error("%s coefficient %d: %.4g is %.1f SE from the truth %.4g\n", k ? "bisquare" : "huber", j,
                            cx_equation_coef(e)[j], z, truth[j]);
                fail();
            }
        }
        cx_model_free(m);
    }
    /* least squares is pulled away: its intercept is off by about 50 x 5% = 2.5 */
    cx_model *ols = fit_json("{\"equations\": [{\"target\": \"y\", \"terms\": [\"x1\", \"x2\", \"x3\"]}]}", csv);
    assert_true(cx_equation_coef(cx_model_equation(ols, 0))[0] - truth[0] > 1.5);
    cx_model_free(ols);
    unlink(csv);
    free(csv);
}

/* ---- two threads -------------------------------------------------------------- */

/* A streamed file of more than 8 MB is read in two halves on two threads;
 * the fit must be the one a single thread gives: the R factors stacked, the
 * moments added, and the units of the second half mapped onto the first's
 * so that Durbin-Watson and clustered errors run across the split. */
static void fit_should_give_the_same_result_on_two_threads(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 5);
    char path[] = "/tmp/cxtwoXXXXXX";
    FILE *fp = fdopen(mkstemp(path), "w");
    fprintf(fp, "week,region,y,x1,x2,w\n");
    const char *regions[] = {"North", "East", "South", "West", "Centre"};
    double e_prev[5] = {0};
    for (int wk = 0; wk < 40000; wk++)
        for (int r = 0; r < 5; r++) {
            double x1 = gsl_ran_gaussian(rng, 1), x2 = gsl_ran_flat(rng, 0, 5);
            e_prev[r] = 0.5 * e_prev[r] + gsl_ran_gaussian(rng, 1); /* autocorrelated within a region */
            fprintf(fp, "%04d-W%02d,%s,%.6f,%.6f,%.6f,%.4f\n", 1000 + wk / 52, wk % 52 + 1, regions[r],
                    1 + 2 * x1 - 0.5 * x2 + r + e_prev[r], x1, x2, gsl_ran_flat(rng, 0.5, 2));
        }
    fclose(fp);
    gsl_rng_free(rng);
    const char *specs[] = {
        "{\"equations\": [{\"target\": \"y\", \"terms\": [\"x1\", \"x2\", \"x1:x2\"], \"se\": \"cluster\"}]}",
        "{\"equations\": [{\"target\": \"y\", \"terms\": [\"x1\", \"log(x2)\"], \"weights\": \"w\", \"se\": \"hc3\"}]}",
    };
    for (size_t k = 0; k < 2; k++) {
        cx_spec *spec = NULL;
        cx_error err;
        cx_error_init(&err);
        assert_int_equal(cx_spec_parse(specs[k], strlen(specs[k]), "spec", &spec, &err), CX_OK);
        cx_model *one = NULL, *two = NULL;
        cx_fit_options o1 = {.threads = 1}, o2 = {.threads = 0};
        assert_int_equal(cx_fit_csv(spec, path, NULL, &o1, &one, NULL, &err), CX_OK);
        assert_int_equal(cx_fit_csv(spec, path, NULL, &o2, &two, NULL, &err), CX_OK);
        const cx_equation *a = cx_model_equation(one, 0), *b = cx_model_equation(two, 0);
        assert_int_equal((int)cx_equation_stat(b, CX_STAT_N), 200000);
        for (int s2 = 0; s2 < CX_STAT_MAX; s2++) {
            double x = cx_equation_stat(a, (cx_stat)s2), y = cx_equation_stat(b, (cx_stat)s2);
            if (isnan(x) && isnan(y))
                continue;
            assert_rel(y, x, 1e-9, "statistic on two threads");
        }
        size_t p = cx_equation_ncoef(a);
        for (size_t j = 0; j < p; j++) {
            assert_rel(cx_equation_coef(b)[j], cx_equation_coef(a)[j], 1e-10, "coefficient on two threads");
            assert_rel(cx_equation_se(b)[j], cx_equation_se(a)[j], 1e-9, "standard error on two threads");
        }
        assert_true(cx_equation_stat(a, CX_STAT_DW) < 1.5); /* the autocorrelation is seen */
        cx_model_free(one);
        cx_model_free(two);
        cx_spec_free(spec);
    }
    unlink(path);
}

/* Where the halves meet: the second half starts at the line after the middle
 * byte without a scan of the file.  When that line is inside a quoted field
 * (here a region "R\nA" whose newline is the first after the middle), the
 * first half's reader fails at its end and one thread reads the file: the
 * fit is bit for bit the single-threaded one.  In a file that splits, a bad
 * cell in the second half is reported at its true line, as on one thread. */
static void fit_should_read_the_halves_of_any_file_exactly(void **state)
{
    (void)state;
    enum { ROWS = 160001, LINE = 54, REGION_NL = 11 }; /* fixed-width lines; the region's newline */
    size_t pad = 0, head = 0;
    for (; pad < 120; pad++) { /* header padding that puts the middle before a region's newline */
        head = strlen("week,region,y,x1,x2") + pad + 1;
        size_t half = (head + (size_t)ROWS * LINE) / 2, r = (half - head) % LINE;
        if (r <= REGION_NL)
            break;
    }
    assert_true(pad < 120);
    size_t mid_row = ((head + (size_t)ROWS * LINE) / 2 - head) / LINE;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 9);
    char path[] = "/tmp/cxmidXXXXXX", bad[] = "/tmp/cxbadXXXXXX";
    FILE *fp = fdopen(mkstemp(path), "w"), *fb = fdopen(mkstemp(bad), "w");
    fprintf(fp, "week,region,y,x1,x2%*s\n", (int)pad, "");
    fprintf(fb, "week,region,y,x1,x2%*s\n", (int)pad, "");
    for (size_t i = 0; i < ROWS; i++) {
        double x1 = gsl_ran_gaussian(rng, 1), x2 = gsl_ran_flat(rng, 0, 5);
        char line[128];
        int n = snprintf(line, sizeof line, "%04d-W%02d,%s,%+012.6f,%+012.6f,%+012.6f\n", 1000 + (int)(i / 52 % 9000),
                         (int)(i % 52) + 1, i == mid_row ? "\"R\nA\"" : i % 2 ? "Reg_A" : "Reg_B",
                         1 + 2 * x1 - 0.5 * x2 + gsl_ran_gaussian(rng, 1), x1, x2);
        assert_int_equal(n, LINE);
        fputs(line, fp);
        if (i == mid_row)
            memcpy(line + 9, "Reg_A", 5); /* the other file splits at the middle */
        if (i == ROWS - 1000)
            memcpy(line + 25, "x", 1); /* a bad number in the second half */
        fputs(line, fb);
    }
    fclose(fp);
    fclose(fb);
    gsl_rng_free(rng);
    const char *text = "{\"equations\": [{\"target\": \"y\", \"terms\": [\"x1\", \"x2\"], \"se\": \"cluster\"}]}";
    cx_spec *spec = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_spec_parse(text, strlen(text), "spec", &spec, &err), CX_OK);
    cx_model *one = NULL, *two = NULL;
    cx_fit_options o1 = {.threads = 1}, o2 = {.threads = 0};
    assert_int_equal(cx_fit_csv(spec, path, NULL, &o1, &one, NULL, &err), CX_OK);
    assert_int_equal(cx_fit_csv(spec, path, NULL, &o2, &two, NULL, &err), CX_OK);
    const cx_equation *a = cx_model_equation(one, 0), *b = cx_model_equation(two, 0);
    assert_int_equal((int)cx_equation_stat(b, CX_STAT_N), ROWS);
    for (int s2 = 0; s2 < CX_STAT_MAX; s2++) {
        double x = cx_equation_stat(a, (cx_stat)s2), y = cx_equation_stat(b, (cx_stat)s2);
        assert_true((isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0);
    }
    assert_memory_equal(cx_equation_coef(a), cx_equation_coef(b), 3 * sizeof(double));
    assert_memory_equal(cx_equation_se(a), cx_equation_se(b), 3 * sizeof(double));
    cx_model_free(one);
    cx_model_free(two);
    cx_error e1, e2;
    cx_error_init(&e1);
    cx_error_init(&e2);
    assert_int_equal(cx_fit_csv(spec, bad, NULL, &o1, &one, NULL, &e1), CX_ESYNTAX);
    assert_int_equal(cx_fit_csv(spec, bad, NULL, &o2, &two, NULL, &e2), CX_ESYNTAX);
    assert_int_equal(e2.line, ROWS - 1000 + 2);
    assert_int_equal(e2.column, 16); /* the cell of y */
    assert_int_equal(e1.line, e2.line);
    assert_string_equal(e1.message, e2.message);
    cx_spec_free(spec);
    unlink(path);
    unlink(bad);
}

/* A streamed file hands out blocks whose text copies are reused by the next
 * block for other texts; the units must still be the ones an in-memory
 * table gives (here the first region of each block of 2048 rows changes). */
static void fit_should_find_the_same_units_in_every_block(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 13);
    char path[] = "/tmp/cxunitXXXXXX";
    FILE *fp = fdopen(mkstemp(path), "w");
    fprintf(fp, "week,region,y,x\n");
    const char *regions[] = {"Drenthe", "Zeeland", "Utrecht"};
    for (int i = 0; i < 20000; i++) {
        int r = (i / 2048 + (i % 7 == 0 ? 1 : 0) + (i % 11 == 0 ? 2 : 0)) % 3;
        double x = gsl_ran_gaussian(rng, 1);
        fprintf(fp, "%04d-W%02d,%s,%.6f,%.6f\n", 1000 + i / 52, i % 52 + 1, regions[r], 3 * r + x + gsl_ran_gaussian(rng, 1 + r), x);
    }
    fclose(fp);
    gsl_rng_free(rng);
    const char *text = "{\"equations\": [{\"target\": \"y\", \"terms\": [\"x\"], \"se\": \"cluster\"}]}";
    cx_spec *spec = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_spec_parse(text, strlen(text), "spec", &spec, &err), CX_OK);
    cx_table *t = NULL;
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_OK);
    cx_model *streamed = NULL, *held = NULL;
    cx_fit_options o1 = {.threads = 1};
    assert_int_equal(cx_fit_csv(spec, path, NULL, &o1, &streamed, NULL, &err), CX_OK);
    assert_int_equal(cx_fit_table(spec, t, NULL, &held, NULL, &err), CX_OK);
    const cx_equation *a = cx_model_equation(streamed, 0), *b = cx_model_equation(held, 0);
    for (size_t j = 0; j < 2; j++) {
        assert_rel(cx_equation_coef(a)[j], cx_equation_coef(b)[j], 1e-12, "coefficient");
        assert_rel(cx_equation_se(a)[j], cx_equation_se(b)[j], 1e-9, "clustered standard error");
    }
    cx_model_free(streamed);
    cx_model_free(held);
    cx_table_free(t);
    cx_spec_free(spec);
    unlink(path);
}

/* ---- holdout ---------------------------------------------------------------- */

/* A fit with --holdout 4 equals a fit on the data without the last 4 weeks
 * of every unit, and its forecast errors are those of that fit's
 * coefficients on the held-out rows, computed here. */
static void fit_should_hold_out_the_last_periods_of_every_unit(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    char all[] = "/tmp/cxhoAXXXXXX", part[] = "/tmp/cxhoBXXXXXX";
    FILE *fa = fdopen(mkstemp(all), "w"), *fb = fdopen(mkstemp(part), "w");
    fprintf(fa, "week,unit,x,y\n");
    fprintf(fb, "week,unit,x,y\n");
    double hx[64], hy[64];
    size_t nh = 0;
    const char *units[] = {"a", "b", "c"};
    int last[] = {20, 18, 20}; /* unit b ends earlier: its own last 4 weeks are held out */
    for (int u = 0; u < 3; u++)
        for (int w = 1; w <= last[u]; w++) {
            double x = gsl_ran_flat(rng, 0, 10), y = 1 + 2 * x + (u == 1 ? 3 : 0) + gsl_ran_gaussian(rng, 1);
            char xs[32], ys[32];
            snprintf(xs, sizeof xs, "%.17g", x);
            snprintf(ys, sizeof ys, "%.17g", y);
            fprintf(fa, "2024-W%02d,%s,%s,%s\n", w, units[u], xs, ys);
            if (w <= last[u] - 4)
                fprintf(fb, "2024-W%02d,%s,%s,%s\n", w, units[u], xs, ys);
            else {
                hx[nh] = strtod(xs, NULL);
                hy[nh++] = strtod(ys, NULL);
            }
        }
    fclose(fa);
    fclose(fb);
    gsl_rng_free(rng);
    const char *json = "{\"equations\": [{\"target\": \"y\", \"terms\": [\"x\", \"C(unit)\"]}]}";
    cx_spec *spec = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_spec_parse(json, strlen(json), "spec", &spec, &err), CX_OK);
    cx_model *mh = NULL, *mp = NULL;
    cx_fit_options opt = {.holdout = 4};
    assert_int_equal(cx_fit_csv(spec, all, NULL, &opt, &mh, NULL, &err), CX_OK);
    assert_int_equal(cx_fit_csv(spec, part, NULL, NULL, &mp, NULL, &err), CX_OK);
    const cx_equation *eh = cx_model_equation(mh, 0), *ep = cx_model_equation(mp, 0);
    assert_int_equal((int)cx_equation_stat(eh, CX_STAT_N), 46);
    assert_int_equal((int)cx_equation_stat(eh, CX_STAT_HOLDOUT_N), 12);
    for (size_t j = 0; j < cx_equation_ncoef(eh); j++) {
        assert_rel(cx_equation_coef(eh)[j], cx_equation_coef(ep)[j], 1e-12, "holdout coef");
        assert_rel(cx_equation_se(eh)[j], cx_equation_se(ep)[j], 1e-10, "holdout se");
    }
    /* forecasts for the held-out rows: units a, a.., b.., c.. in file order */
    const double *b = cx_equation_coef(ep); /* (Intercept), x, C(unit)[b], C(unit)[c] */
    double sse = 0, sae = 0, sape = 0;
    for (size_t i = 0; i < nh; i++) {
        size_t u = i / 4;
        double f = b[0] + b[1] * hx[i] + (u == 1 ? b[2] : 0) + (u == 2 ? b[3] : 0);
        double e = hy[i] - f;
        sse += e * e;
        sae += fabs(e);
        sape += fabs(e / hy[i]);
    }
    assert_rel(cx_equation_stat(eh, CX_STAT_HOLDOUT_RMSE), sqrt(sse / (double)nh), 1e-10, "holdout RMSE");
    assert_rel(cx_equation_stat(eh, CX_STAT_HOLDOUT_MAE), sae / (double)nh, 1e-10, "holdout MAE");
    assert_rel(cx_equation_stat(eh, CX_STAT_HOLDOUT_MAPE), 100 * sape / (double)nh, 1e-10, "holdout MAPE");
    assert_rel(cx_equation_stat(eh, CX_STAT_IN_RMSE), sqrt(cx_equation_stat(ep, CX_STAT_RSS) / 46), 1e-10, "in-sample RMSE");
    /* with fixed effects: the driver's share plus R^2 of the fixed effects alone is R^2 */
    assert_true(isnan(cx_equation_importance(ep)[2]) && isnan(cx_equation_importance(ep)[3]));
    assert_rel(cx_equation_importance(ep)[1] + cx_equation_stat(ep, CX_STAT_R2_FIXED),
               cx_equation_stat(ep, CX_STAT_R2), 1e-10, "importance + fixed effects = R^2");
    assert_true(cx_equation_stat(ep, CX_STAT_R2_FIXED) > 0);
    cx_model_free(mh);
    cx_model_free(mp);
    cx_spec_free(spec);
    unlink(all);
    unlink(part);
}

/* ---- yearly data ------------------------------------------------------------- */

/* Fit `terms` on `csv` (streamed, or read into memory first when `table`)
 * with a holdout of `holdout` periods. */
static cx_model *fit_terms(const char *csv, const char *const *terms, size_t n, size_t holdout, int table)
{
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    char line[CX_ERROR_LINE_MAX];
    cx_fit_options opt = {.holdout = holdout};
    cx_status st = cx_spec_simple("y", terms, n, 1, &spec, &err);
    if (st == CX_OK && table && (st = cx_csv_read(csv, NULL, &t, &err)) == CX_OK)
        st = cx_fit_table(spec, t, &opt, &m, NULL, &err);
    else if (st == CX_OK)
        st = cx_fit_csv(spec, csv, NULL, &opt, &m, NULL, &err);
    if (st != CX_OK) {
        print_error("%s: %s\n", csv, cx_error_format(&err, line, sizeof line));
        fail();
    }
    cx_table_free(t);
    cx_spec_free(spec);
    return m;
}

/*
 * A yearly panel, y = 1 + 0.5 x + 2 x[t-1] + noise, with its period written
 * as bare years and as one date a year (31 December): lag(x, 1) reads the
 * year before (not the day before), so the fit equals the fit with the
 * lagged column written out and recovers the coefficient 2; and a holdout of
 * 2 holds out the last two years of every unit.
 */
static void fit_should_count_lags_and_holdouts_in_years(void **state)
{
    (void)state;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2021);
    char years[] = "/tmp/cxyrAXXXXXX", dates[] = "/tmp/cxyrBXXXXXX", out[] = "/tmp/cxyrCXXXXXX",
         held[] = "/tmp/cxyrDXXXXXX";
    FILE *fy = fdopen(mkstemp(years), "w"), *fd = fdopen(mkstemp(dates), "w");
    FILE *fo = fdopen(mkstemp(out), "w"), *fh = fdopen(mkstemp(held), "w");
    fprintf(fy, "year,unit,x,y\n");
    fprintf(fd, "date,unit,x,y\n");
    fprintf(fo, "year,unit,x,xl,y\n");
    fprintf(fh, "year,unit,x,xl,y\n");
    const char *units[] = {"Noord", "Oost", "Zuid", "West"};
    for (int u = 0; u < 4; u++) {
        double prev = NAN;
        for (int yr = 2005; yr <= 2020; yr++) {
            double x = gsl_ran_flat(rng, 5, 15);
            double y = 1 + 0.5 * x + (isnan(prev) ? 0 : 2 * prev) + gsl_ran_gaussian(rng, 0.5);
            char xl[32] = "";
            if (!isnan(prev))
                snprintf(xl, sizeof xl, "%.17g", prev);
            fprintf(fy, "%d,%s,%.17g,%.17g\n", yr, units[u], x, y);
            fprintf(fd, "%d-12-31,%s,%.17g,%.17g\n", yr, units[u], x, y);
            fprintf(fo, "%d,%s,%.17g,%s,%.17g\n", yr, units[u], x, xl, y);
            if (yr <= 2018)
                fprintf(fh, "%d,%s,%.17g,%s,%.17g\n", yr, units[u], x, xl, y);
            prev = x;
        }
    }
    fclose(fy);
    fclose(fd);
    fclose(fo);
    fclose(fh);
    gsl_rng_free(rng);
    const char *lagged[] = {"x", "lag(x, 1)"}, *written[] = {"x", "xl"};
    cx_model *want = fit_terms(out, written, 2, 0, 0), *want_held = fit_terms(held, written, 2, 0, 0);
    const cx_equation *ew = cx_model_equation(want, 0), *eh = cx_model_equation(want_held, 0);
    assert_int_equal((int)cx_equation_stat(ew, CX_STAT_N), 4 * 15);
    /* the truth, within four standard errors */
    assert_true(fabs(cx_equation_coef(ew)[2] - 2) < 4 * cx_equation_se(ew)[2]);
    const char *files[] = {years, dates, dates};
    for (int k = 0; k < 3; k++) {
        cx_model *m = fit_terms(files[k], lagged, 2, 0, k == 2), *mh = fit_terms(files[k], lagged, 2, 2, k == 2);
        const cx_equation *e = cx_model_equation(m, 0), *e2 = cx_model_equation(mh, 0);
        assert_int_equal((int)cx_equation_stat(e, CX_STAT_N), 4 * 15);
        assert_int_equal((int)cx_equation_stat(e2, CX_STAT_N), 4 * 13);
        assert_int_equal((int)cx_equation_stat(e2, CX_STAT_HOLDOUT_N), 4 * 2);
        for (size_t j = 0; j < 3; j++) {
            assert_rel(cx_equation_coef(e)[j], cx_equation_coef(ew)[j], 1e-12, "yearly lag coef");
            assert_rel(cx_equation_se(e)[j], cx_equation_se(ew)[j], 1e-10, "yearly lag se");
            assert_rel(cx_equation_coef(e2)[j], cx_equation_coef(eh)[j], 1e-12, "yearly holdout coef");
        }
        cx_model_free(m);
        cx_model_free(mh);
    }
    cx_model_free(want);
    cx_model_free(want_held);
    unlink(years);
    unlink(dates);
    unlink(out);
    unlink(held);
}

/* The corrected (errors-in-variables) fit of a file of 8 MB or more is read
 * in two halves on two threads: its error-variance sums and its estimating
 * functions add up to those of one thread, to rounding. */
static void fit_should_correct_the_same_on_two_threads(void **state)
{
    (void)state;
    enum { ROWS = 200000 };
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    char path[] = "/tmp/cxeivXXXXXX";
    FILE *fp = fdopen(mkstemp(path), "w");
    fprintf(fp, "week,region,y,x1,x1_se,x2\n");
    for (size_t i = 0; i < ROWS; i++) {
        double t = gsl_ran_gaussian(rng, 2), se = 0.5 + gsl_rng_uniform(rng), x2 = gsl_ran_flat(rng, 0, 5);
        double x1 = t + gsl_ran_gaussian(rng, se);
        fprintf(fp, "%04d-W%02d,%s,%.6f,%.6f,%.4f,%.6f\n", 1000 + (int)(i / 52 % 9000), (int)(i % 52) + 1,
                i % 2 ? "Reg_A" : "Reg_B", 1 + 2 * t - 0.5 * x2 + gsl_ran_gaussian(rng, 1), x1, se, x2);
    }
    fclose(fp);
    gsl_rng_free(rng);
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size >= (8 << 20)); /* the size at which the fit splits the file */
    const char *text = "{\"equations\": [{\"target\": \"y\", \"terms\": [\"x1\", \"x2\"], "
                       "\"measurement_error\": {\"x1\": \"x1_se\"}}]}";
    cx_spec *spec = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_spec_parse(text, strlen(text), "spec", &spec, &err), CX_OK);
    cx_model *one = NULL, *two = NULL;
    cx_fit_options o1 = {.threads = 1}, o2 = {.threads = 0};
    assert_int_equal(cx_fit_csv(spec, path, NULL, &o1, &one, NULL, &err), CX_OK);
    assert_int_equal(cx_fit_csv(spec, path, NULL, &o2, &two, NULL, &err), CX_OK);
    const cx_equation *a = cx_model_equation(one, 0), *b = cx_model_equation(two, 0);
    assert_string_equal(cx_equation_method(b), "eiv");
    assert_int_equal(cx_equation_nme(b), 1);
    for (size_t j = 0; j < 3; j++) {
        assert_true(fabs(cx_equation_coef(a)[j] - cx_equation_coef(b)[j]) <= 1e-12 * fabs(cx_equation_coef(a)[j]));
        assert_true(fabs(cx_equation_se(a)[j] - cx_equation_se(b)[j]) <= 1e-12 * cx_equation_se(a)[j]);
        assert_true(fabs(cx_equation_naive_se(a)[j] - cx_equation_naive_se(b)[j]) <= 1e-12 * cx_equation_naive_se(a)[j]);
    }
    double ra, rb;
    cx_equation_me(a, 0, NULL, NULL, &ra, NULL);
    cx_equation_me(b, 0, NULL, NULL, &rb, NULL);
    assert_true(fabs(ra - rb) <= 1e-12);
    /* and the correction works: the truth 2 lies within 4 SE, the naive fit far below */
    assert_true(fabs(cx_equation_coef(b)[1] - 2) < 4 * cx_equation_se(b)[1]);
    assert_true(cx_equation_naive_coef(b)[1] < 1.9);
    cx_model_free(one);
    cx_model_free(two);
    cx_spec_free(spec);
    unlink(path);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fit_should_match_nist_norris),
        cmocka_unit_test(fit_should_match_nist_pontius),
        cmocka_unit_test(fit_should_match_nist_noint1),
        cmocka_unit_test(fit_should_match_nist_noint2),
        cmocka_unit_test(fit_should_match_nist_longley),
        cmocka_unit_test(fit_should_match_nist_filip),
        cmocka_unit_test(fit_should_match_nist_wampler1),
        cmocka_unit_test(fit_should_match_nist_wampler2),
        cmocka_unit_test(fit_should_match_nist_wampler3),
        cmocka_unit_test(fit_should_match_nist_wampler4),
        cmocka_unit_test(fit_should_match_nist_wampler5),
        cmocka_unit_test(fit_should_agree_with_r_summary_lm),
        cmocka_unit_test(fit_should_agree_with_r_without_intercept),
        cmocka_unit_test(fit_should_agree_with_r_weighted),
        cmocka_unit_test(fit_should_agree_with_sandwich),
        cmocka_unit_test(fit_should_standardise_and_give_elasticities),
        cmocka_unit_test(fit_should_match_ridge_closed_form),
        cmocka_unit_test(fit_should_resist_outliers_when_robust),
        cmocka_unit_test(fit_should_hold_out_the_last_periods_of_every_unit),
        cmocka_unit_test(fit_should_count_lags_and_holdouts_in_years),
        cmocka_unit_test(fit_should_give_the_same_result_on_two_threads),
        cmocka_unit_test(fit_should_read_the_halves_of_any_file_exactly),
        cmocka_unit_test(fit_should_find_the_same_units_in_every_block),
        cmocka_unit_test(fit_should_correct_the_same_on_two_threads),
    };
    return cmocka_run_group_tests_name("fit", tests, NULL, NULL);
}
