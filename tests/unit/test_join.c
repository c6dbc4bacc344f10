/*
 * test_join.c - the panel join: full outer join on (period, unit), sorted by
 * unit then period, keys missing from a file reported with examples, and the
 * errors that must stop it (a repeated key, periods of different kinds, a
 * column in two files, no period column).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "helpers.h"
#include "core/core.h"
#include "data/table.h"

static cx_table *load(const char *text, const char *name)
{
    char *path = tmp_text(text);
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_OK);
    tmp_remove(path);
    (void)name;
    return t;
}

static cx_status join2(cx_table *a, cx_table *b, cx_table **out, cx_warnings *w, cx_error *err)
{
    const cx_table *in[] = {a, b};
    cx_error_init(err);
    return cx_panel_join(in, 2, NULL, 0, out, w, err);
}

static void join_should_outer_join_and_sort_by_unit_then_period(void **state)
{
    (void)state;
    cx_table *a = load("week,region,delivery_days\n2025-W02,Utrecht,2.5\n2025-W01,Utrecht,2.0\n"
                       "2025-W01,Drenthe,3.0\n2025-W02,Drenthe,3.5\n", "a");
    /* HR calls its period column differently and lacks Drenthe 2025-W02 */
    cx_table *b = load("period;region;enps\n2025-W01;Drenthe;10,5\n2025-W01;Utrecht;-3\n"
                       "2025-W02;Utrecht;4\n2025-W03;Utrecht;5\n", "b");
    cx_table *p = NULL;
    cx_warnings *w = cx_warnings_new();
    cx_error err;
    assert_int_equal(join2(a, b, &p, w, &err), CX_OK);
    assert_int_equal(cx_table_ncols(p), 4);
    assert_string_equal(cx_table_colname(p, 0), "week");
    assert_string_equal(cx_table_colname(p, 1), "region");
    assert_string_equal(cx_table_colname(p, 2), "delivery_days");
    assert_string_equal(cx_table_colname(p, 3), "enps");
    assert_int_equal(cx_table_nrows(p), 5);
    const char *want_region[] = {"Drenthe", "Drenthe", "Utrecht", "Utrecht", "Utrecht"};
    const char *want_week[] = {"2025-W01", "2025-W02", "2025-W01", "2025-W02", "2025-W03"};
    double want_dd[] = {3.0, 3.5, 2.0, 2.5, NAN};
    double want_enps[] = {10.5, NAN, -3, 4, 5};
    char buf[32];
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(cx_table_text(p, 1, i), want_region[i]);
        assert_string_equal(cx_table_cell_text(p, 0, i, buf, sizeof buf), want_week[i]);
        double dd = cx_table_numbers(p, 2)[i], e = cx_table_numbers(p, 3)[i];
        assert_true(isnan(want_dd[i]) ? isnan(dd) : dd == want_dd[i]);
        assert_true(isnan(want_enps[i]) ? isnan(e) : e == want_enps[i]);
    }
    /* each file lacks one key the other has */
    assert_int_equal(cx_warnings_count(w), 2);
    assert_non_null(strstr(cx_warnings_get(w, 0), "lacks 1 of the 5 keys"));
    assert_non_null(strstr(cx_warnings_get(w, 0), "2025-W03 Utrecht"));
    assert_non_null(strstr(cx_warnings_get(w, 1), "2025-W02 Drenthe"));
    cx_table_free(a);
    cx_table_free(b);
    cx_table_free(p);
    cx_warnings_free(w);
}

static void join_should_name_both_lines_of_a_repeated_key(void **state)
{
    (void)state;
    cx_table *a = load("week,region,x\n2025-W01,N,1\n2025-W02,N,2\n2025-W01,N,3\n", "a");
    cx_table *b = load("week,region,y\n2025-W01,N,1\n", "b");
    cx_table *p = NULL;
    cx_error err;
    assert_int_equal(join2(b, a, &p, NULL, &err), CX_EINVAL);
    assert_null(p);
    assert_int_equal(err.line, 4);
    assert_non_null(strstr(err.message, "found the key (2025-W01, region 'N') on lines 2 and 4"));
    cx_table_free(a);
    cx_table_free(b);
}

static void join_should_refuse_mixed_period_kinds_and_shared_columns(void **state)
{
    (void)state;
    cx_table *w = load("week,region,x\n2025-W01,N,1\n", "w");
    cx_table *m = load("month,region,y\n2025-01,N,1\n", "m");
    cx_table *w2 = load("week,region,x\n2025-W01,N,1\n", "w2");
    cx_table *none = load("region,z\nN,1\n", "none");
    cx_table *p = NULL;
    cx_error err;
    assert_int_equal(join2(w, m, &p, NULL, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "has weeks, this file has months"));
    /* the same columns stack: the same key in both files is an error naming both */
    assert_int_equal(join2(w, w2, &p, NULL, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "found the key (2025-W01, region 'N') here and in '"));
    assert_int_equal(join2(w, none, &p, NULL, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "expected a period column to join on"));
    const cx_table *in[] = {w, w2};
    const char *units[] = {"store"};
    cx_error_init(&err);
    assert_int_equal(cx_panel_join(in, 2, units, 1, &p, NULL, &err), CX_EINVAL);
    assert_string_equal(err.message, "expected a unit column 'store' to join on, found none, but a text column "
                                     "'region'; if it holds the same units, map it to one name: --rename "
                                     "region=store (in a scenario, \"columns\": {\"region\": \"store\"} on this "
                                     "file's source)");
    cx_table_free(w);
    cx_table_free(m);
    cx_table_free(w2);
    cx_table_free(none);
}

/* A quarter's export beside the history's, with the same columns: its rows
 * are appended (stacked), and the result joins the other exports as one. */
static void join_should_stack_files_with_the_same_columns(void **state)
{
    (void)state;
    cx_table *hist = load("week,region,x,n\n2025-W51,N,1.5,10\n2025-W52,N,2.5,11\n2025-W52,S,3.5,12\n", "h");
    cx_table *hr = load("week,region,e\n2025-W52,N,7\n2026-W01,N,8\n", "e");
    /* another dialect and column order: matched by name */
    cx_table *qtr = load("region;n;week;x\nN;13;2026-W01;4,5\nS;14;2026-W01;5,5\n", "q");
    const cx_table *in[] = {hist, hr, qtr};
    cx_table *p = NULL;
    cx_warnings *w = cx_warnings_new();
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_panel_join(in, 3, NULL, 0, &p, w, &err), CX_OK);
    assert_int_equal(cx_table_ncols(p), 5); /* week, region, x, n, e */
    assert_int_equal(cx_table_nrows(p), 5);
    const char *want_region[] = {"N", "N", "N", "S", "S"};
    const char *want_week[] = {"2025-W51", "2025-W52", "2026-W01", "2025-W52", "2026-W01"};
    const double want_x[] = {1.5, 2.5, 4.5, 3.5, 5.5}, want_n[] = {10, 11, 13, 12, 14}, want_e[] = {NAN, 7, 8, NAN, NAN};
    size_t cx = cx_table_find(p, "x"), cn = cx_table_find(p, "n"), ce = cx_table_find(p, "e");
    char buf[32];
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(cx_table_text(p, 1, i), want_region[i]);
        assert_string_equal(cx_table_cell_text(p, 0, i, buf, sizeof buf), want_week[i]);
        assert_true(cx_table_numbers(p, cx)[i] == want_x[i]);
        assert_true(cx_table_numbers(p, cn)[i] == want_n[i]);
        double e = cx_table_numbers(p, ce)[i];
        assert_true(isnan(want_e[i]) ? isnan(e) : e == want_e[i]);
    }
    /* the stack is one source: only the HR file lacks keys (3 of 5) */
    assert_int_equal(cx_warnings_count(w), 1);
    assert_non_null(strstr(cx_warnings_get(w, 0), "lacks 3 of the 5 keys"));
    char want_src[512];
    snprintf(want_src, sizeof want_src, "%s + %s", cx_table_source(hist), cx_table_source(qtr));
    assert_string_equal(cx_table_colsource(p, cx), want_src);
    cx_table_free(hist);
    cx_table_free(hr);
    cx_table_free(qtr);
    cx_table_free(p);
    cx_warnings_free(w);
}

static void join_should_refuse_stacks_that_repeat_a_key_or_differ(void **state)
{
    (void)state;
    cx_table *a = load("week,region,x,n\n2025-W51,N,1,10\n2025-W52,N,2,11\n", "a");
    cx_table *b = load("week,region,x,n\n2026-W01,N,3,12\n2025-W52,N,9,13\n", "b");
    cx_table *c = load("week,region,x,m\n2026-W01,N,3,12\n", "c");
    cx_table *d = load("week,region,x,n\n2026-W01,N,3,oops\n", "d");
    cx_table *p = NULL;
    cx_error err;
    char want[1024];
    assert_int_equal(join2(a, b, &p, NULL, &err), CX_EINVAL);
    assert_null(p);
    assert_string_equal(err.file, cx_table_source(b));
    assert_int_equal(err.line, 3);
    snprintf(want, sizeof want, "expected each key in one of the files stacked under the same columns, found the "
             "key (2025-W52, region 'N') here and in '%s' line 3; leave the repeated rows out of one file",
             cx_table_source(a));
    assert_string_equal(err.message, want);
    assert_int_equal(join2(a, c, &p, NULL, &err), CX_EINVAL);
    snprintf(want, sizeof want, "expected the same columns as '%s' to stack the rows of both files (or no column "
             "in common to join them), found 'm' only here and 'n' only in '%s'",
             cx_table_source(a), cx_table_source(a));
    assert_string_equal(err.message, want);
    assert_int_equal(join2(a, d, &p, NULL, &err), CX_EINVAL);
    snprintf(want, sizeof want, "expected a number in column 'n' as in '%s' to stack the rows of both files, found "
             "'oops'", cx_table_source(a));
    assert_string_equal(err.message, want);
    assert_int_equal(err.line, 2);
    cx_table_free(a);
    cx_table_free(b);
    cx_table_free(c);
    cx_table_free(d);
}

/* Responses in two files (a week spanning both) count as one file. */
static void join_should_count_responses_of_two_files_as_one(void **state)
{
    (void)state;
    char *both = tmp_text("date,region,score\n2025-12-28,N,10\n2025-12-29,N,3\n2025-12-30,N,9\n2026-01-05,N,8\n"
                          "2025-12-31,S,0\n");
    char *one = tmp_text("date,region,score\n2025-12-28,N,10\n2025-12-29,N,3\n");
    char *two = tmp_text("date,region,score\n2025-12-30,N,9\n2026-01-05,N,8\n2025-12-31,S,0\n");
    const char *const by[] = {"period", "region"};
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by, .nby = 2, .period_kind = CX_PERIOD_WEEK, .prefix = "nps"};
    cx_table *whole = NULL, *split = NULL;
    cx_survey_stats s1, s2;
    cx_error err;
    cx_error_init(&err);
    const char *const paths[] = {one, two};
    assert_int_equal(cx_survey_aggregate_files((const char *const *)&both, 1, NULL, &o, &whole, &s1, &err), CX_OK);
    assert_int_equal(cx_survey_aggregate_files(paths, 2, NULL, &o, &split, &s2, &err), CX_OK);
    assert_int_equal(s2.responses, 5);
    assert_int_equal(s2.used, s1.used);
    assert_int_equal(cx_table_nrows(split), 4); /* N 2025-W52, N 2026-W01 (2 files), N 2026-W02, S 2026-W01 */
    assert_int_equal(cx_table_nrows(split), cx_table_nrows(whole));
    assert_int_equal(cx_table_ncols(split), cx_table_ncols(whole));
    for (size_t c = 2; c < cx_table_ncols(whole); c++)
        for (size_t i = 0; i < cx_table_nrows(whole); i++) {
            double x = cx_table_numbers(whole, c)[i], y = cx_table_numbers(split, c)[i];
            assert_true(isnan(x) ? isnan(y) : x == y);
        }
    /* 2026-W01 of N: 3 and 9, one detractor and one promoter */
    assert_true(cx_table_numbers(split, cx_table_find(split, "nps_n"))[1] == 2);
    assert_true(cx_table_numbers(split, cx_table_find(split, "nps"))[1] == 0);
    char want[1024];
    snprintf(want, sizeof want, "%s + %s", one, two);
    assert_string_equal(cx_table_colsource(split, 2), want);
    /* a file without the score column is an error naming it */
    char *bad = tmp_text("date,region,points\n2026-01-05,N,8\n");
    const char *const paths2[] = {one, bad};
    cx_table *t = NULL;
    assert_int_equal(cx_survey_aggregate_files(paths2, 2, NULL, &o, &t, NULL, &err), CX_EINVAL);
    assert_null(t);
    assert_string_equal(err.file, bad);
    assert_non_null(strstr(err.message, "expected a score column 'score', found none"));
    cx_table_free(whole);
    cx_table_free(split);
    tmp_remove(both);
    tmp_remove(one);
    tmp_remove(two);
    tmp_remove(bad);
}

static void join_should_accept_survey_scores_as_one_more_export(void **state)
{
    (void)state;
    cx_table *a = load("week,region,x\n2025-W01,N,1\n2025-W02,N,2\n", "a");
    char *path = tmp_text("date,region,score\n2024-12-31,N,10\n2025-01-07,N,3\n2025-01-08,N,9\n");
    cx_csv_reader *r = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, NULL, &r, &err), CX_OK);
    const char *const by[] = {"period", "region"};
    cx_survey_options o = {.scale = CX_SCALE_NPS, .by = by, .nby = 2, .period_kind = CX_PERIOD_WEEK,
                           .prefix = "nps"};
    cx_table *s = NULL, *p = NULL;
    assert_int_equal(cx_survey_aggregate(r, &o, &s, NULL, &err), CX_OK);
    cx_csv_close(r);
    tmp_remove(path);
    assert_int_equal(join2(a, s, &p, NULL, &err), CX_OK);
    assert_int_equal(cx_table_nrows(p), 2);
    size_t j = cx_table_find(p, "nps");
    assert_true(cx_table_numbers(p, j)[0] == 100);
    assert_true(cx_table_numbers(p, j)[1] == 0);
    assert_true(cx_table_numbers(p, cx_table_find(p, "nps_n"))[1] == 2);
    cx_table_free(a);
    cx_table_free(s);
    cx_table_free(p);
}

/* The baseline: per unit, the mean over the panel's last `window` periods
 * (default a year: 52 weeks), missing values skipped. */
static void baseline_should_average_the_last_year_per_unit(void **state)
{
    (void)state;
    /* 60 weeks, 2025-W01 .. 2026-W08; Amsterdam x = t, Zeeland x = 2t with
     * t = 30 missing (t = 0 .. 59) */
    cx_buf b = {0};
    cx_buf_printf(&b, "week,region,x\n");
    for (int t = 0; t < 60; t++) {
        int y = t < 52 ? 2025 : 2026, w = t < 52 ? t + 1 : t - 51;
        cx_buf_printf(&b, "%d-W%02d,Amsterdam,%d\n", y, w, t);
        if (t == 30)
            cx_buf_printf(&b, "%d-W%02d,Zeeland,\n", y, w);
        else
            cx_buf_printf(&b, "%d-W%02d,Zeeland,%d\n", y, w, 2 * t);
    }
    cx_table *a = load(b.data, "a"), *p = NULL;
    cx_free(b.data);
    const cx_table *in[] = {a};
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_panel_join(in, 1, NULL, 0, &p, NULL, &err), CX_OK);
    double m[120];
    size_t k[120], first[120], nu;
    assert_int_equal(cx_panel_baseline(p, 1, "x", 0, m, k, first, &nu, &err), CX_OK);
    assert_int_equal(nu, 2);
    /* the last 52 weeks are t = 8 .. 59: Amsterdam (8 + 59) / 2 */
    assert_true(m[0] == 33.5);
    assert_int_equal(k[0], 52);
    assert_string_equal(cx_table_text(p, 1, first[1]), "Zeeland");
    /* Zeeland: (2 x 33.5 x 52 - 60) / 51 */
    assert_true(fabs(m[1] - 3424.0 / 51) < 1e-12);
    assert_int_equal(k[1], 51);
    /* a window of 4 weeks: t = 56 .. 59 */
    assert_int_equal(cx_panel_baseline(p, 1, "x", 4, m, NULL, NULL, &nu, &err), CX_OK);
    assert_true(m[0] == 57.5 && m[1] == 115);
    /* no such column; the period is not numeric */
    assert_int_equal(cx_panel_baseline(p, 1, "y", 0, m, NULL, NULL, &nu, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "no such column"));
    cx_error_init(&err);
    assert_int_equal(cx_panel_baseline(p, 1, "week", 0, m, NULL, NULL, &nu, &err), CX_EINVAL);
    cx_table_free(a);
    cx_table_free(p);

    /* a unit whose values all lie before the window */
    a = load("week,region,x\n2025-W01,Drenthe,1\n2025-W10,Drenthe,\n2025-W10,Utrecht,2\n", "a");
    in[0] = a;
    cx_error_init(&err);
    assert_int_equal(cx_panel_join(in, 1, NULL, 0, &p, NULL, &err), CX_OK);
    cx_error_init(&err);
    assert_int_equal(cx_panel_baseline(p, 1, "x", 4, m, NULL, NULL, &nu, &err), CX_EINVAL);
    assert_non_null(strstr(err.message, "for unit 'Drenthe' in the baseline window 2025-W07 to 2025-W10, found none"));
    cx_table_free(a);
    cx_table_free(p);
}


/* ---- anomalies (issue 15) --------------------------------------------------- */

static void join_should_refuse_nothing_to_join_and_bad_columns(void **state)
{
    (void)state;
    cx_table *p = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_panel_join(NULL, 0, NULL, 0, &p, NULL, &err), CX_EUSAGE);
    assert_string_equal(err.message, "no tables to join");
    cx_error_init(&err);
    assert_int_equal(cx_panel_load(NULL, 0, NULL, NULL, NULL, NULL, 0, &p, NULL, NULL, &err), CX_EUSAGE);
    assert_string_equal(err.message, "no files to join");
    cx_table *t = cx_table_new("t.csv");
    size_t row;
    assert_int_equal(cx_table_add_column(t, "a", CX_COL_NUMBER, NULL, &err), CX_OK);
    cx_error_init(&err);
    assert_int_equal(cx_table_add_column(t, "a", CX_COL_TEXT, NULL, &err), CX_EINVAL);
    assert_string_equal(err.message, "duplicate column name 'a'");
    cx_error_init(&err);
    assert_int_equal(cx_table_add_column(t, "b", CX_COL_AUTO, NULL, &err), CX_EUSAGE);
    assert_string_equal(err.message, "column 'b' has no type");
    assert_int_equal(cx_table_add_row(t, 2, &row), CX_OK);
    cx_error_init(&err);
    assert_int_equal(cx_table_add_column(t, "c", CX_COL_TEXT, NULL, &err), CX_EUSAGE);
    assert_string_equal(err.message, "cannot add column 'c' to a table with rows");
    assert_string_equal(cx_coltype_name(CX_COL_AUTO), "auto");
    cx_table_free(t);
}

/* cx_table_append_rows: the cells, lines, missing columns and interned
 * texts that cx_table_add_row + cx_table_copy_row give, row by row. */
static void append_rows_should_equal_row_by_row_copies(void **state)
{
    (void)state;
    cx_table *src = load("week,region,x\n2024-W01,Utrecht,1.5\n2024-W02,Zeeland,\n2024-W03,Utrecht,3\n"
                         "2024-W04,,4.25\n", "a.csv");
    size_t rows[5] = {3, 0, 2, 0, 1}, map[3] = {2, (size_t)-1, 0};
    cx_table *bulk = cx_table_new("b"), *one = cx_table_new("b");
    cx_error err;
    cx_error_init(&err);
    cx_table *both[2] = {bulk, one};
    for (int k = 0; k < 2; k++) { /* x, an extra column, week; region is skipped */
        assert_int_equal(cx_table_add_column(both[k], "x", CX_COL_NUMBER, NULL, &err), CX_OK);
        assert_int_equal(cx_table_add_column(both[k], "extra", CX_COL_TEXT, NULL, &err), CX_OK);
        assert_int_equal(cx_table_add_column(both[k], "week", CX_COL_PERIOD, NULL, &err), CX_OK);
    }
    assert_int_equal(cx_table_append_rows(bulk, src, rows, 5, map), CX_OK);
    for (size_t k = 0; k < 5; k++) {
        size_t r;
        assert_int_equal(cx_table_add_row(one, cx_table_line(src, rows[k]), &r), CX_OK);
        assert_int_equal(cx_table_copy_row(one, r, src, rows[k], map), CX_OK);
    }
    assert_int_equal(cx_table_nrows(bulk), 5);
    const double want_x[5] = {4.25, 1.5, 3, 1.5, NAN};
    const unsigned long want_line[5] = {5, 2, 4, 2, 3};
    for (size_t k = 0; k < 5; k++) {
        double a = cx_table_numbers(bulk, 0)[k], b = cx_table_numbers(one, 0)[k];
        assert_true(isnan(want_x[k]) ? isnan(a) && isnan(b) : a == want_x[k] && b == want_x[k]);
        assert_int_equal(cx_table_line(bulk, k), want_line[k]);
        assert_int_equal(cx_table_line(one, k), want_line[k]);
        assert_null(cx_table_text(bulk, 1, k)); /* nothing maps to it: missing */
        assert_int_equal(cx_period_cmp(cx_table_periods(bulk, 2)[k], cx_table_periods(one, 2)[k]), 0);
        assert_int_equal(cx_period_cmp(cx_table_periods(bulk, 2)[k], cx_table_periods(src, 0)[rows[k]]), 0);
    }
    /* rows appended after the first ones; the identity map copies every column */
    cx_table *all = cx_table_new("c");
    assert_int_equal(cx_table_add_column(all, "week", CX_COL_PERIOD, NULL, &err), CX_OK);
    assert_int_equal(cx_table_add_column(all, "region", CX_COL_TEXT, NULL, &err), CX_OK);
    assert_int_equal(cx_table_add_column(all, "x", CX_COL_NUMBER, NULL, &err), CX_OK);
    assert_int_equal(cx_table_append_rows(all, src, NULL, 4, NULL), CX_OK);
    assert_int_equal(cx_table_append_rows(all, src, rows, 3, NULL), CX_OK);
    assert_int_equal(cx_table_nrows(all), 7);
    const char *want_region[7] = {"Utrecht", "Zeeland", "Utrecht", NULL, NULL, "Utrecht", "Utrecht"};
    for (size_t k = 0; k < 7; k++) {
        const char *t = cx_table_text(all, 1, k);
        if (want_region[k])
            assert_string_equal(t, want_region[k]);
        else
            assert_null(t);
    }
    /* one text, one copy in the table (its pool), whichever call wrote it */
    assert_ptr_equal(cx_table_text(all, 1, 0), cx_table_text(all, 1, 2));
    assert_ptr_equal(cx_table_text(all, 1, 0), cx_table_text(all, 1, 6));
    assert_ptr_not_equal(cx_table_text(all, 1, 0), cx_table_text(src, 1, 0));
    cx_table_free(all);
    cx_table_free(bulk);
    cx_table_free(one);
    cx_table_free(src);
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

/* Fail the 1st, 2nd ... allocation of a join of two exports (a key missing
 * from one, so a warning too) and of cx_panel_load with survey responses
 * in turn: each reports CX_ENOMEM and leaks nothing (AddressSanitizer),
 * until the budget suffices and the panel is the one a normal run gives. */
static void join_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    char *a = tmp_text("week,region,x\n2025-W01,Utrecht,1\n2025-W02,Utrecht,2\n2025-W01,Zeeland,3\n");
    char *b = tmp_text("week;region;y\n2025-W01;Utrecht;1,5\n2025-W02;Utrecht;2,5\n");
    char *s = tmp_text("date,region,score\n2024-12-30,Utrecht,9\n2025-01-07,Utrecht,3\n2024-12-31,Zeeland,10\n");
    /* a quarter's export and responses stacked on them */
    char *a2 = tmp_text("week,region,x\n2025-W03,Utrecht,4\n2025-W03,Zeeland,5\n");
    char *s2 = tmp_text("date,region,score\n2025-01-14,Utrecht,6\n2025-01-05,Zeeland,8\n");
    const char *files[] = {a, b, a2}, *resp[] = {s, s2};
    cx_table *ta = NULL, *tb = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(a, NULL, &ta, &err), CX_OK);
    assert_int_equal(cx_csv_read(b, NULL, &tb, &err), CX_OK);
    cx_set_alloc_hooks(budget_malloc, budget_realloc, NULL);
    int joined = 0, loaded = 0, stacked = 0;
    for (long k = 0; k < 5000 && !(joined && loaded && stacked); k++) {
        cx_table *p = NULL;
        cx_warnings *w = NULL;
        cx_status st;
        if (!joined) {
            budget = k;
            w = cx_warnings_new();
            st = w ? join2(ta, tb, &p, w, &err) : CX_ENOMEM;
            budget = -1;
            if (st == CX_OK) {
                joined = 1;
                assert_int_equal(cx_table_nrows(p), 3);
                assert_int_equal(cx_warnings_count(w), 1);
            } else
                assert_int_equal(st, CX_ENOMEM);
            cx_table_free(p);
            cx_warnings_free(w);
            p = NULL;
        }
        if (!loaded) {
            budget = k;
            cx_survey_options so = {.scale = CX_SCALE_NPS};
            cx_error_init(&err);
            st = cx_panel_load(files, 2, s, &so, NULL, NULL, 0, &p, NULL, NULL, &err);
            budget = -1;
            if (st == CX_OK) {
                loaded = 1;
                assert_int_equal(cx_table_nrows(p), 3);
                assert_true(cx_table_find(p, "nps_se") != (size_t)-1);
            } else
                assert_int_equal(st, CX_ENOMEM);
            cx_table_free(p);
            p = NULL;
        }
        if (!stacked) {
            budget = k;
            cx_survey_options so = {.scale = CX_SCALE_NPS};
            cx_error_init(&err);
            w = cx_warnings_new();
            st = w ? cx_panel_load_n(files, 3, resp, 2, &so, NULL, NULL, 0, &p, NULL, w, &err) : CX_ENOMEM;
            budget = -1;
            if (st == CX_OK) {
                stacked = 1;
                assert_int_equal(cx_table_nrows(p), 5);
                assert_true(cx_table_numbers(p, cx_table_find(p, "nps_n"))[3] == 2); /* Zeeland 2025-W01: a file each */
            } else
                assert_int_equal(st, CX_ENOMEM);
            cx_table_free(p);
            cx_warnings_free(w);
        }
    }
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(joined && loaded && stacked);
    cx_table_free(ta);
    cx_table_free(tb);
    tmp_remove(a);
    tmp_remove(b);
    tmp_remove(s);
    tmp_remove(a2);
    tmp_remove(s2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(join_should_outer_join_and_sort_by_unit_then_period),
        cmocka_unit_test(join_should_name_both_lines_of_a_repeated_key),
        cmocka_unit_test(join_should_refuse_mixed_period_kinds_and_shared_columns),
        cmocka_unit_test(join_should_accept_survey_scores_as_one_more_export),
        cmocka_unit_test(join_should_stack_files_with_the_same_columns),
        cmocka_unit_test(join_should_refuse_stacks_that_repeat_a_key_or_differ),
        cmocka_unit_test(join_should_count_responses_of_two_files_as_one),
        cmocka_unit_test(baseline_should_average_the_last_year_per_unit),
        cmocka_unit_test(join_should_refuse_nothing_to_join_and_bad_columns),
        cmocka_unit_test(join_should_survive_every_failed_allocation),
        cmocka_unit_test(append_rows_should_equal_row_by_row_copies),
    };
    return cmocka_run_group_tests_name("join", tests, NULL, NULL);
}
