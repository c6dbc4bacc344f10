/*
 * test_customer.c - the customer module: the logistic regression against
 * R's glm(family = binomial) (tests/data/glm_binomial.json, written by
 * tests/data/glm_binomial.R) to 1e-8 on mtcars and on infert (a factor and
 * an interaction), separation reported, and the Wilson interval worked by
 * hand.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <cjson/cJSON.h>

#include "helpers.h"
#include "cxcase/customer.h"

#ifndef TOP
#define TOP "."
#endif

static cJSON *load_json(const char *path)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    fclose(fp);
    buf[n] = '\0';
    cJSON *j = cJSON_Parse(buf);
    assert_non_null(j);
    return j;
}

#define assert_rel(got, want, tol, what)                                                  \
    do {                                                                               \
        double g_ = (got), w_ = (want);                                                \
        if (!(fabs(g_ - w_) <= (tol) * fmax(fabs(w_), 1e-300))) {                      \
            print_error("%s: got %.17g, R has %.17g (rel %.2g)\n", (what), g_, w_,     \
                        fabs(g_ - w_) / fabs(w_));                                     \
            fail();                                                                    \
        }                                                                              \
    } while (0)

static double jnum(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    assert_non_null(v);
    return v->valuedouble;
}

static void check_against_r(const char *csv, const char *block, const char *target,
                            const char *const *terms, size_t nterms)
{
    cJSON *all = load_json(TOP "/tests/data/glm_binomial.json");
    const cJSON *r = cJSON_GetObjectItemCaseSensitive(all, block);
    assert_non_null(r);
    cx_error err;
    cx_error_init(&err);
    char line[CX_ERROR_LINE_MAX];
    cx_table *t = NULL;
    cx_csv_coltype text[] = {{"education", CX_COL_TEXT, 0}};
    cx_csv_options o = {0};
    o.types = text;
    o.ntypes = 1;
    if (cx_csv_read(csv, &o, &t, &err) != CX_OK) {
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    cx_logit *l = NULL;
    if (cx_logit_fit_table(t, target, terms, nterms, &l, &err) != CX_OK) {
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    const double tol = 1e-8;
    static const char *const arrays[] = {"coef", "se", "z", "p", "ci_low", "ci_high"};
    const double *got[] = {cx_logit_coef(l), cx_logit_se(l), cx_logit_z(l), cx_logit_p(l),
                           cx_logit_ci_low(l), cx_logit_ci_high(l)};
    const cJSON *names = cJSON_GetObjectItemCaseSensitive(r, "names");
    assert_int_equal(cx_logit_ncoef(l), (size_t)cJSON_GetArraySize(names));
    for (size_t j = 0; j < cx_logit_ncoef(l); j++)
        assert_string_equal(cx_logit_coef_name(l, j), cJSON_GetArrayItem(names, (int)j)->valuestring);
    for (size_t a = 0; a < 6; a++) {
        const cJSON *arr = cJSON_GetObjectItemCaseSensitive(r, arrays[a]);
        for (size_t j = 0; j < cx_logit_ncoef(l); j++) {
            char what[64];
            snprintf(what, sizeof what, "%s %s[%zu]", block, arrays[a], j);
            assert_rel(got[a][j], cJSON_GetArrayItem(arr, (int)j)->valuedouble, tol, what);
        }
    }
    assert_rel(cx_logit_stat_get(l, CX_LOGIT_DEVIANCE), jnum(r, "deviance"), tol, "deviance");
    assert_rel(cx_logit_stat_get(l, CX_LOGIT_NULL_DEVIANCE), jnum(r, "null_deviance"), tol, "null deviance");
    assert_rel(cx_logit_stat_get(l, CX_LOGIT_AIC), jnum(r, "aic"), tol, "AIC");
    assert_int_equal((long)cx_logit_stat_get(l, CX_LOGIT_DF_RESID), (long)jnum(r, "df_residual"));
    assert_int_equal((long)cx_logit_stat_get(l, CX_LOGIT_DF_NULL), (long)jnum(r, "df_null"));
    cx_logit_free(l);
    cx_table_free(t);
    cJSON_Delete(all);
}

static void logit_should_match_r_glm_on_mtcars(void **s)
{
    (void)s;
    static const char *const terms[] = {"hp", "wt"};
    check_against_r(TOP "/tests/data/mtcars.csv", "mtcars", "am", terms, 2);
}

static void logit_should_match_r_glm_with_factor_and_interaction(void **s)
{
    (void)s;
    static const char *const terms[] = {"C(education)", "spontaneous", "induced", "age", "age:parity"};
    check_against_r(TOP "/tests/data/infert.csv", "infert", "case", terms, 5);
}

/* A category in which everyone stays: an error naming it, no number. */
static void logit_should_report_separation(void **s)
{
    (void)s;
    cx_table *t = cx_table_new("sep.csv");
    cx_error err;
    cx_error_init(&err);
    size_t cy, cg, cx;
    assert_int_equal(cx_table_add_column(t, "left", CX_COL_NUMBER, &cy, &err), CX_OK);
    assert_int_equal(cx_table_add_column(t, "group", CX_COL_TEXT, &cg, &err), CX_OK);
    assert_int_equal(cx_table_add_column(t, "x", CX_COL_NUMBER, &cx, &err), CX_OK);
    static const char *const groups[] = {"a", "b", "c"};
    for (size_t i = 0; i < 60; i++) {
        size_t row;
        assert_int_equal(cx_table_add_row(t, i + 2, &row), CX_OK);
        size_t g = i % 3;
        cx_table_set_text(t, cg, row, groups[g]);
        cx_table_set_number(t, cx, row, (double)((i * 7) % 11));
        cx_table_set_number(t, cy, row, g == 2 ? 0 : (double)((i / 3) % 2));
    }
    static const char *const terms[] = {"C(group)", "x"};
    cx_logit *l = NULL;
    assert_int_equal(cx_logit_fit_table(t, "left", terms, 2, &l, &err), CX_EINVAL);
    assert_null(l);
    assert_string_equal(err.message,
                        "separation in the logistic regression: left is 0 in every one of the 20 rows of "
                        "C(group)[c], so its coefficient is infinite; merge that level with another or leave "
                        "the term out");
    /* the same by a number that splits the outcomes: IRLS would diverge */
    cx_error_init(&err);
    for (size_t i = 0; i < 60; i++)
        cx_table_set_number(t, cx, i, (double)i + (cx_table_numbers(t, cy)[i] > 0.5 ? 100 : 0));
    static const char *const xonly[] = {"x"};
    assert_int_equal(cx_logit_fit_table(t, "left", xonly, 1, &l, &err), CX_EINVAL);
    assert_null(l);
    assert_string_equal(err.message,
                        "separation in the logistic regression: the coefficient of 'x' grows without bound "
                        "(the fitted probabilities reach 0 or 1), so it has no finite estimate; merge levels "
                        "or leave the term out");
    cx_table_free(t);
}

/* Wilson (1927) worked by hand: 81 of 263 at z = 1.96:
 *   p = 81/263 = 0.30798479, z^2/n = 3.8416/263 = 0.01460684,
 *   centre = (p + z^2/2n) / (1 + z^2/n) = 0.31528821 / 1.01460684 = 0.31074915,
 *   half = z / (1 + z^2/n) * sqrt(p(1-p)/n + z^2/4n^2)
 *        = 1.93178275 * sqrt(0.00081038 + 0.00001388) = 1.93178275 * 0.02871003 = 0.05546154,
 *   so [0.25528761, 0.36621068];
 * at z = qnorm(0.975) R's prop.test(81, 263, correct = FALSE) gives
 * [0.25528851987827428, 0.36620957698280016]. */
static void wilson_should_match_the_formula_by_hand(void **s)
{
    (void)s;
    double lo, hi;
    cx_wilson(81, 263, 1.96, &lo, &hi);
    assert_rel(lo, 0.25528761, 5e-8, "low by hand");
    assert_rel(hi, 0.36621068, 5e-8, "high by hand");
    cx_wilson(81, 263, 1.959963984540054, &lo, &hi);
    assert_rel(lo, 0.25528851987827428, 1e-12, "low, R's prop.test");
    assert_rel(hi, 0.36620957698280016, 1e-12, "high, R's prop.test");
    /* 0 of 10: the interval starts at 0 and ends at z^2 / (n + z^2) */
    cx_wilson(0, 10, 1.959963984540054, &lo, &hi);
    assert_true(fabs(lo) < 1e-15);
    assert_rel(hi, 0.27753279986288915, 1e-12, "0 of 10 high");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(logit_should_match_r_glm_on_mtcars),
        cmocka_unit_test(logit_should_match_r_glm_with_factor_and_interaction),
        cmocka_unit_test(logit_should_report_separation),
        cmocka_unit_test(wilson_should_match_the_formula_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
