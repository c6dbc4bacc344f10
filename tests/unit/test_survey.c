/*
 * test_survey.c - survey aggregation against values worked out by hand:
 * NPS with its standard error, the 95% interval and the adjusted-Wald
 * interval (Rocks 2016), CSAT, CES; invalid, missing and skipped responses;
 * the period key coarsened to weeks; and a large file counted in two halves
 * on two threads exactly as one reader counts it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <sys/stat.h>

#include "helpers.h"

static cx_status aggregate(const char *text, cx_survey_options *o, cx_table **out,
                           cx_survey_stats *stats, cx_error *err)
{
    char *path = tmp_text(text);
    cx_csv_reader *r = NULL;
    cx_error_init(err);
    cx_csv_coltype force[] = {{o->score ? o->score : "score", CX_COL_NUMBER, 0}};
    cx_csv_options copt = {.types = force, .ntypes = 1};
    cx_status st = cx_csv_open(path, &copt, &r, err);
    if (st == CX_OK)
        st = cx_survey_aggregate(r, o, out, stats, err);
    cx_csv_close(r);
    tmp_remove(path);
    return st;
}

static double num(const cx_table *t, const char *col, size_t row)
{
    size_t j = cx_table_find(t, col);
    assert_true(j != (size_t)-1);
    return cx_table_numbers(t, j)[row];
}

#define assert_close(a, b)                                                    \
    do {                                                                      \
        double a_ = (a), b_ = (b);                                            \
        if (!(rel_diff(a_, b_) <= 1e-14)) {                                   \
            print_error("%s = %.17g, expected %.17g\n", #a, a_, b_);          \
            fail();                                                           \
        }                                                                     \
    } while (0)

static const char *const by_region[] = {"region"};

static void survey_should_compute_nps_and_its_intervals_by_hand(void **state)
{
    (void)state;
    /* A: 10 9 9 8 7 6 5 0 10 3 -> 4 promoters, 2 passives, 4 detractors
     * B: 10 10 10 10           -> 4 promoters */
    const char *text = "region,score\nA,10\nA,9\nA,9\nA,8\nA,7\nA,6\nA,5\nA,0\nA,10\nA,3\n"
                       "B,10\nB,10\nB,10\nB,10\n";
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by_region, .nby = 1};
    cx_table *t = NULL;
    cx_error err;
    cx_survey_stats stats;
    assert_int_equal(aggregate(text, &o, &t, &stats, &err), CX_OK);
    assert_int_equal(cx_table_nrows(t), 2);
    assert_string_equal(cx_table_text(t, 0, 0), "A");
    assert_close(num(t, "n", 0), 10);
    assert_close(num(t, "promoters", 0), 4);
    assert_close(num(t, "passives", 0), 2);
    assert_close(num(t, "detractors", 0), 4);
    assert_close(num(t, "nps", 0), 0);
    /* SE = 100 sqrt((0.4 + 0.4 - 0^2) / 10) = 100 sqrt(0.08) */
    assert_close(num(t, "se", 0), 28.284271247461902);
    assert_close(num(t, "ci_low", 0), -1.96 * 28.284271247461902);
    assert_close(num(t, "ci_high", 0), 1.96 * 28.284271247461902);
    /* adjusted Wald: n' = 13, pP' = pD' = 4.75/13, so d' = 0 and
     * se' = sqrt(9.5/13/13) = sqrt(9.5)/13 */
    assert_close(num(t, "awald_high", 0), 100 * 1.96 * sqrt(9.5) / 13);
    assert_close(num(t, "awald_low", 0), -100 * 1.96 * sqrt(9.5) / 13);
    assert_close(num(t, "promoter_share", 0), 40);
    assert_close(num(t, "passive_share", 0), 20);
    /* B: NPS 100 with SE 0; adjusted Wald: n' = 7, pP' = 4.75/7, pD' = 0.75/7,
     * d' = 4/7, se' = sqrt((5.5/7 - 16/49)/7) = sqrt(22.5/343); upper limit
     * 100 (4/7 + 1.96 se') = 107.4 is clipped to 100 */
    assert_close(num(t, "nps", 1), 100);
    assert_close(num(t, "se", 1), 0);
    assert_close(num(t, "awald_low", 1), 100 * (4.0 / 7 - 1.96 * sqrt(22.5 / 343)));
    assert_close(num(t, "awald_high", 1), 100);
    assert_int_equal(stats.responses, 14);
    assert_int_equal(stats.used, 14);
    cx_table_free(t);
}

static void survey_should_compute_csat_and_ces(void **state)
{
    (void)state;
    cx_survey_options o = {.scale = CX_SCALE_CSAT, .by = by_region, .nby = 1};
    cx_table *t = NULL;
    cx_error err;
    assert_int_equal(aggregate("region,score\nA,5\nA,4\nA,3\nA,2\nA,1\nA,5\n", &o, &t, NULL, &err), CX_OK);
    /* 3 of 6 are 4-5: CSAT 50 %, SE = 100 sqrt(0.25 / 6) */
    assert_close(num(t, "csat", 0), 50);
    assert_close(num(t, "se", 0), 100 * sqrt(0.25 / 6));
    assert_close(num(t, "ci_low", 0), 50 - 1.96 * 100 * sqrt(0.25 / 6));
    cx_table_free(t);
    o.scale = CX_SCALE_CES;
    assert_int_equal(aggregate("region,score\nA,7\nA,5\nA,6\nB,4\n", &o, &t, NULL, &err), CX_OK);
    /* mean 6, standard deviation 1, SE = 1/sqrt(3); one response: no SE */
    assert_close(num(t, "ces", 0), 6);
    assert_close(num(t, "se", 0), 1 / sqrt(3));
    assert_close(num(t, "ci_high", 0), 6 + 1.96 / sqrt(3));
    assert_close(num(t, "ces", 1), 4);
    assert_true(isnan(num(t, "se", 1)));
    cx_table_free(t);
}

static void survey_should_reject_a_score_outside_the_scale_at_its_cell(void **state)
{
    (void)state;
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by_region, .nby = 1};
    cx_table *t = NULL;
    cx_error err;
    assert_int_equal(aggregate("region,score\nA,10\nBB,11\n", &o, &t, NULL, &err), CX_EINVAL);
    assert_null(t);
    assert_error_at(&err, CX_EINVAL, 3, 4, "expected an integer score from 0 to 10 (scale nps), found '11'");
    assert_int_equal(aggregate("region,score\nA,7.5\n", &o, &t, NULL, &err), CX_EINVAL);
    assert_error_at(&err, CX_EINVAL, 2, 3, "found '7.5'");
    o.scale = CX_SCALE_CSAT;
    assert_int_equal(aggregate("region,score\nA,0\n", &o, &t, NULL, &err), CX_EINVAL);
    assert_error_at(&err, CX_EINVAL, 2, 3, "from 1 to 5 (scale csat)");
}

static void survey_should_skip_and_count_invalid_and_missing(void **state)
{
    (void)state;
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by_region, .nby = 1, .skip_invalid = 1};
    cx_table *t = NULL;
    cx_error err;
    cx_survey_stats s;
    assert_int_equal(aggregate("region,score\nA,10\nA,11\nA,\n,5\nA,-1\nA,0\n", &o, &t, &s, &err), CX_OK);
    assert_int_equal(s.responses, 6);
    assert_int_equal(s.used, 2);
    assert_int_equal(s.invalid, 2);
    assert_int_equal(s.first_invalid_line, 3);
    assert_int_equal(s.missing_score, 1);
    assert_int_equal(s.missing_key, 1);
    assert_close(num(t, "nps", 0), 0); /* one promoter, one detractor */
    cx_table_free(t);
}

static void survey_should_group_dates_into_iso_weeks(void **state)
{
    (void)state;
    /* 2024-12-30 (Monday) and 2025-01-05 (Sunday) are both in 2025-W01;
     * 2025-01-06 starts 2025-W02 */
    const char *text = "date,region,score\n2024-12-30,N,10\n2025-01-05,N,0\n2025-01-06,N,9\n"
                       "2025-01-01,S,8\n";
    const char *const by[] = {"period", "region"};
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by, .nby = 2, .period_kind = CX_PERIOD_WEEK,
                           .prefix = "nps"};
    cx_table *t = NULL;
    cx_error err;
    assert_int_equal(aggregate(text, &o, &t, NULL, &err), CX_OK);
    assert_int_equal(cx_table_nrows(t), 3);
    char buf[CX_PERIOD_TEXT_MAX];
    assert_string_equal(cx_table_colname(t, 0), "period");
    assert_string_equal(cx_table_cell_text(t, 0, 0, buf, sizeof buf), "2025-W01");
    assert_string_equal(cx_table_text(t, 1, 0), "N");
    assert_close(num(t, "nps_n", 0), 2);
    assert_close(num(t, "nps", 0), 0);
    assert_string_equal(cx_table_text(t, 1, 1), "S");
    assert_string_equal(cx_table_cell_text(t, 0, 2, buf, sizeof buf), "2025-W02");
    assert_close(num(t, "nps", 2), 100);
    assert_true(cx_table_find(t, "nps_se") != (size_t)-1);
    cx_table_free(t);
}

static void survey_should_name_missing_columns(void **state)
{
    (void)state;
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by_region, .nby = 1, .score = "ltr"};
    cx_table *t = NULL;
    cx_error err;
    assert_int_equal(aggregate("region,score\nA,1\n", &o, &t, NULL, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "expected a score column 'ltr'"));
    const char *const by[] = {"store"};
    cx_survey_options o2 = {.scale = CX_SCALE_NPS, .by = by, .nby = 1};
    assert_int_equal(aggregate("region,score\nA,1\n", &o2, &t, NULL, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "expected a column 'store' to group by"));
}

/* ---- large files: two halves on two threads ------------------------------ */

/* A responses file of about 20 MB (over the size that is split): dates of
 * 2024-2025, 12 regions (one beyond ASCII), a touchpoint, the score and a
 * comment, quoted with a comma on every seventh line.  `bad_at` (a line
 * number, 0: none) gets the score 11; `quoted_middle` puts a comment of 40
 * lines around the file's middle, so that the split falls inside it. */
static char *big_file(unsigned long bad_at, int quoted_middle)
{
    static const char *const region[] = {"Drenthe", "Flevoland", "Frysl\xC3\xA2n", "Gelderland",
                                         "Groningen", "Limburg", "Noord-Brabant", "Noord-Holland",
                                         "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland"};
    size_t n = 600000, cap = 24u << 20, len = 0;
    char *buf = malloc(cap);
    assert_non_null(buf);
    len += (size_t)snprintf(buf + len, cap - len, "date,region,touchpoint,score,comment\n");
    unsigned long line = 2, x = 12345;
    for (size_t i = 0; i < n; i++, line++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        unsigned day = (unsigned)((x >> 33) % 700), score = (unsigned)((x >> 20) % 11);
        int y = 2024 + day / 350, m = 1 + (day % 350) / 30, d = 1 + day % 28;
        if (line == bad_at)
            score = 11;
        len += (size_t)snprintf(buf + len, cap - len, "%04d-%02d-%02d,%s,%s,%u,", y, m, d, region[(x >> 40) % 12],
                                (x >> 50) % 2 ? "delivery" : "web", score);
        if (quoted_middle && i == n / 2 - 10) {
            len += (size_t)snprintf(buf + len, cap - len, "\"");
            for (int k = 0; k < 40; k++, line++)
                len += (size_t)snprintf(buf + len, cap - len, "long comment, line %d\n", k);
            len += (size_t)snprintf(buf + len, cap - len, "end\"\n");
        } else if (i % 7 == 0)
            len += (size_t)snprintf(buf + len, cap - len, "\"late, again\"\n");
        else
            len += (size_t)snprintf(buf + len, cap - len, "%s\n", i % 3 ? "" : "fine");
        assert_true(len + 256 < cap);
    }
    char *path = tmp_file(buf, len);
    free(buf);
    return path;
}

/* Aggregate `path` both ways: through cx_survey_aggregate_file (two
 * threads when the file is large) and with one reader on one thread. */
static void both_ways(const char *path, cx_survey_options *o, cx_status *st, cx_table **t, cx_survey_stats *stats,
                      cx_error *err)
{
    cx_csv_coltype force[] = {{"score", CX_COL_NUMBER, 0}};
    cx_csv_options copt = {.types = force, .ntypes = 1};
    for (int w = 0; w < 2; w++) {
        cx_error_init(&err[w]);
        memset(&stats[w], 0, sizeof stats[w]);
        t[w] = NULL;
        if (w == 0) {
            st[w] = cx_survey_aggregate_file(path, &copt, o, &t[w], &stats[w], &err[w]);
            continue;
        }
        cx_csv_reader *r = NULL;
        st[w] = cx_csv_open(path, &copt, &r, &err[w]);
        if (st[w] == CX_OK)
            st[w] = cx_survey_aggregate(r, o, &t[w], &stats[w], &err[w]);
        cx_csv_close(r);
    }
}

static void survey_should_count_a_large_file_in_two_halves_as_in_one(void **state)
{
    (void)state;
    static const char *const by[] = {"period", "region", "touchpoint"};
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by, .nby = 3, .period_kind = CX_PERIOD_WEEK};
    cx_status st[2];
    cx_table *t[2];
    cx_survey_stats stats[2];
    cx_error err[2];
    for (int variant = 0; variant < 4; variant++) {
        /* 0: clean; 1: the middle inside a quoted field; 2: an invalid score
         * late in the file; 3: the same, skipped */
        char *path = big_file(variant >= 2 ? 500000 : 0, variant == 1);
        struct stat fs;
        assert_int_equal(stat(path, &fs), 0);
        assert_true(fs.st_size >= 16 << 20); /* over the size that is split (data.h) */
        o.skip_invalid = variant == 3;
        both_ways(path, &o, st, t, stats, err);
        assert_int_equal(st[0], st[1]);
        if (variant == 2) {
            /* the error of the file, at its line, as one reader reports it */
            assert_int_equal(st[0], CX_EINVAL);
            assert_int_equal(err[0].line, 500000);
            assert_int_equal(err[0].line, err[1].line);
            assert_int_equal(err[0].column, err[1].column);
            assert_string_equal(err[0].message, err[1].message);
        } else {
            assert_int_equal(st[0], CX_OK);
            assert_true(memcmp(&stats[0], &stats[1], sizeof stats[0]) == 0);
            assert_int_equal(stats[0].responses, 600000);
            assert_int_equal(stats[0].invalid, variant == 3);
            if (variant == 3)
                assert_int_equal(stats[0].first_invalid_line, 500000);
            size_t rows = cx_table_nrows(t[1]), cols = cx_table_ncols(t[1]);
            assert_true(rows > 2000);
            assert_int_equal(cx_table_nrows(t[0]), rows);
            assert_int_equal(cx_table_ncols(t[0]), cols);
            for (size_t i = 0; i < rows; i++) {
                assert_int_equal(cx_period_cmp(cx_table_periods(t[0], 0)[i], cx_table_periods(t[1], 0)[i]), 0);
                assert_string_equal(cx_table_text(t[0], 1, i), cx_table_text(t[1], 1, i));
                assert_string_equal(cx_table_text(t[0], 2, i), cx_table_text(t[1], 2, i));
                for (size_t j = 3; j < cols; j++) {
                    double a = cx_table_numbers(t[0], j)[i], b = cx_table_numbers(t[1], j)[i];
                    assert_true((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0);
                }
            }
        }
        cx_table_free(t[0]);
        cx_table_free(t[1]);
        tmp_remove(path);
    }
}


/* ---- anomalies (issue 15) --------------------------------------------------- */

static void survey_should_refuse_an_unknown_scale_and_the_score_as_key(void **state)
{
    (void)state;
    cx_scale sc;
    assert_int_equal(cx_scale_from_name("stars", &sc), CX_EINVAL);
    cx_table *t = NULL;
    cx_error err;
    static const char *const by_score[] = {"score"};
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by_score, .nby = 1};
    assert_int_equal(aggregate("region,score\nA,9\n", &o, &t, NULL, &err), CX_EINVAL);
    assert_string_equal(err.message, "cannot group by the score column 'score'");
    o.scale = (cx_scale)9;
    o.by = by_region;
    assert_int_equal(aggregate("region,score\nA,9\n", &o, &t, NULL, &err), CX_EUSAGE);
    assert_string_equal(err.message, "unknown scale");
    char *path = tmp_text("region,score\nA,9\n");
    cx_error_init(&err);
    assert_int_equal(cx_survey_aggregate_file(path, NULL, &o, &t, NULL, &err), CX_EUSAGE);
    assert_null(t);
    tmp_remove(path);
}

static long budget = -1;
static void *budget_malloc(size_t n)
{
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return malloc(n);
}
static void *budget_realloc(void *p, size_t n)
{
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return realloc(p, n);
}

/* Every allocation of an aggregation by region and ISO week (dates
 * coarsened, an invalid score skipped) made to fail in turn. */
static void survey_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    char *path = tmp_text("date,region,score,comment\n2025-01-06,Utrecht,9,\"good,\nfast\"\n"
                          "2025-01-07,Utrecht,3,slow\n2025-01-13,Zeeland,11,?\n2025-01-14,Zeeland,7,\n");
    static const char *const by[] = {"region", "period"};
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by, .nby = 2, .skip_invalid = 1,
                           .period_kind = CX_PERIOD_WEEK};
    cx_set_alloc_hooks(budget_malloc, budget_realloc, NULL);
    int done = 0;
    for (long k = 0; k < 3000 && !done; k++) {
        cx_table *t = NULL;
        cx_survey_stats stats;
        cx_error err;
        cx_error_init(&err);
        budget = k;
        cx_status st = cx_survey_aggregate_file(path, NULL, &o, &t, &stats, &err);
        budget = -1;
        if (st == CX_OK) {
            done = 1;
            assert_int_equal(cx_table_nrows(t), 2);
            assert_int_equal(stats.invalid, 1);
        } else
            assert_int_equal(st, CX_ENOMEM);
        cx_table_free(t);
    }
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(done);
    tmp_remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(survey_should_compute_nps_and_its_intervals_by_hand),
        cmocka_unit_test(survey_should_compute_csat_and_ces),
        cmocka_unit_test(survey_should_reject_a_score_outside_the_scale_at_its_cell),
        cmocka_unit_test(survey_should_skip_and_count_invalid_and_missing),
        cmocka_unit_test(survey_should_group_dates_into_iso_weeks),
        cmocka_unit_test(survey_should_name_missing_columns),
        cmocka_unit_test(survey_should_count_a_large_file_in_two_halves_as_in_one),
        cmocka_unit_test(survey_should_refuse_an_unknown_scale_and_the_score_as_key),
        cmocka_unit_test(survey_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests_name("survey", tests, NULL, NULL);
}
