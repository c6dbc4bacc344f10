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
    };
    return cmocka_run_group_tests_name("fit", tests, NULL, NULL);
}
