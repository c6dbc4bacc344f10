/*
 * test_csv.c - the CSV reader: dialects, types, streaming in blocks, and the
 * exact line and column of every kind of bad input; plus every allocation
 * made to fail in turn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>

#include "helpers.h"
#include "data/table.h"

static cx_table *read_ok(const char *text, const cx_csv_options *opt)
{
    cx_table *t = NULL;
    cx_error err;
    if (read_text(text, opt, &t, &err) != CX_OK) {
        char line[CX_ERROR_LINE_MAX];
        print_error("%s\n", cx_error_format(&err, line, sizeof line));
        fail();
    }
    return t;
}

static void read_bad(const char *text, const cx_csv_options *opt, cx_error *err)
{
    cx_table *t = NULL;
    cx_status st = read_text(text, opt, &t, err);
    assert_int_not_equal(st, CX_OK);
    assert_null(t);
}

/* ---- dialects ------------------------------------------------------------ */

static void csv_should_keep_quoted_separators_quotes_and_newlines(void **state)
{
    (void)state;
    cx_table *t = read_ok("id,comment\n1,\"fast, friendly\"\n2,\"said \"\"next day\"\"\"\n"
                          "3,\"two\nlines\"\n4,\"crlf\r\ninside\"\n5,\n",
                          NULL);
    assert_int_equal(cx_table_nrows(t), 5);
    assert_int_equal(cx_table_coltype(t, 1), CX_COL_TEXT);
    assert_string_equal(cx_table_text(t, 1, 0), "fast, friendly");
    assert_string_equal(cx_table_text(t, 1, 1), "said \"next day\"");
    assert_string_equal(cx_table_text(t, 1, 2), "two\nlines");
    assert_string_equal(cx_table_text(t, 1, 3), "crlf\r\ninside");
    assert_null(cx_table_text(t, 1, 4));
    /* rows know the line they start on */
    assert_int_equal(cx_table_line(t, 0), 2);
    assert_int_equal(cx_table_line(t, 2), 4);
    assert_int_equal(cx_table_line(t, 3), 6);
    assert_int_equal(cx_table_line(t, 4), 8);
    cx_table_free(t);
}

static void csv_should_read_dutch_excel_with_bom_crlf_and_decimal_comma(void **state)
{
    (void)state;
    cx_table *t = read_ok("\xEF\xBB\xBFweek;region;handling_time_s;note\r\n"
                          "2025-W07;Frysl\xC3\xA2n;412,3;\"a; b\r\nc\"\r\n"
                          "2025-W08;Utrecht;-0,5;\r\n",
                          NULL);
    assert_int_equal(cx_table_ncols(t), 4);
    assert_string_equal(cx_table_colname(t, 0), "week"); /* no BOM in the name */
    assert_int_equal(cx_table_coltype(t, 0), CX_COL_PERIOD);
    assert_int_equal(cx_table_coltype(t, 2), CX_COL_NUMBER);
    assert_true(cx_table_numbers(t, 2)[0] == 412.3);
    assert_true(cx_table_numbers(t, 2)[1] == -0.5);
    assert_string_equal(cx_table_text(t, 1, 0), "Frysl\xC3\xA2n");
    assert_string_equal(cx_table_text(t, 3, 0), "a; b\r\nc");
    assert_int_equal(cx_table_line(t, 1), 4);
    cx_table_free(t);
}

static void csv_should_detect_tab_and_semicolon_separators(void **state)
{
    (void)state;
    cx_table *t = read_ok("a\tb\tc\n1.5\t2\t3\n", NULL);
    assert_int_equal(cx_table_ncols(t), 3);
    assert_true(cx_table_numbers(t, 0)[0] == 1.5);
    cx_table_free(t);
    t = read_ok("a;b\n1;2\n", NULL);
    assert_int_equal(cx_table_ncols(t), 2);
    cx_table_free(t);
    /* a comma inside quotes does not count towards detection */
    t = read_ok("\"x,y,z\";b\n1;2\n", NULL);
    assert_string_equal(cx_table_colname(t, 0), "x,y,z");
    cx_table_free(t);
    /* forcing: ';' with decimal points */
    cx_csv_options o = {.sep = ';', .decimal = '.'};
    t = read_ok("a;b\n1.25;2\n", &o);
    assert_true(cx_table_numbers(t, 0)[0] == 1.25);
    cx_table_free(t);
}

static void csv_should_type_columns_and_treat_empty_cells_as_missing(void **state)
{
    (void)state;
    cx_table *t = read_ok("month,region,x,q,empty\n2025-01,North,1,2025Q1,\n2025-02,,,2025Q2,\n"
                          "2025-03,South,3.5,,\n",
                          NULL);
    assert_int_equal(cx_table_coltype(t, 0), CX_COL_PERIOD);
    assert_int_equal(cx_table_coltype(t, 1), CX_COL_TEXT);
    assert_int_equal(cx_table_coltype(t, 2), CX_COL_NUMBER);
    assert_int_equal(cx_table_coltype(t, 3), CX_COL_PERIOD);
    assert_int_equal(cx_table_coltype(t, 4), CX_COL_NUMBER); /* all empty: numbers, missing */
    assert_null(cx_table_text(t, 1, 1));
    assert_true(isnan(cx_table_numbers(t, 2)[1]));
    assert_int_equal(cx_table_periods(t, 3)[2].kind, CX_PERIOD_NONE);
    assert_true(isnan(cx_table_numbers(t, 4)[0]));
    /* forced text keeps leading zeros */
    cx_csv_coltype force[] = {{"code", CX_COL_TEXT, 0}};
    cx_csv_options o = {.types = force, .ntypes = 1};
    cx_table_free(t);
    t = read_ok("code,v\n0012,1\n", &o);
    assert_string_equal(cx_table_text(t, 0, 0), "0012");
    cx_table_free(t);
}

/* Bare years are periods under a header that names a period (year, jaar,
 * boekjaar, period, periode in any case), and numbers anywhere else. */
static void csv_should_read_bare_years_under_a_period_header(void **state)
{
    (void)state;
    cx_table *t = read_ok("Jaar,region,stores,year\n2021,North,2021,2021\n2022,North,2022,\n"
                          "2023,North,1999,2023.5\n",
                          NULL);
    assert_int_equal(cx_table_coltype(t, 0), CX_COL_PERIOD);
    assert_int_equal(cx_table_periods(t, 0)[1].kind, CX_PERIOD_YEAR);
    assert_int_equal(cx_table_periods(t, 0)[1].value, 2022);
    assert_int_equal(cx_table_coltype(t, 2), CX_COL_NUMBER); /* not a period's name */
    assert_int_equal(cx_table_coltype(t, 3), CX_COL_NUMBER); /* 2023.5 is no year */
    cx_table_free(t);
    cx_error err;
    cx_csv_options o = {.block_rows = 2};
    read_bad("period,x\n2021,1\n2022,2\n2023-12-31,3\n", &o, &err);
    assert_error_at(&err, CX_EINVAL, 4, 1, "expected a year in column 'period' like line 2, found the day '2023-12-31'");
    read_bad("date,x\n2021-12-31,1\n2022,2\n2023-12-31,3\n", NULL, &err);
    assert_error_at(&err, CX_EINVAL, 3, 1, "expected a day in column 'date' like line 2, found the year '2022'");
}

static void csv_should_read_windows_1252_when_told(void **state)
{
    (void)state;
    cx_csv_options o = {.encoding = CX_ENC_WINDOWS1252};
    cx_table *t = read_ok("region,note,price\nFrysl\xE2n,\x80 gift,\x80 5\n", &o);
    assert_string_equal(cx_table_text(t, 0, 0), "Frysl\xC3\xA2n");
    assert_string_equal(cx_table_text(t, 1, 0), "\xE2\x82\xAC gift"); /* the euro sign */
    assert_true(cx_table_numbers(t, 2)[0] == 5.0);                     /* an amount in euros */
    cx_table_free(t);
}

static void csv_should_accept_a_missing_final_newline_and_blank_lines(void **state)
{
    (void)state;
    cx_table *t = read_ok("a,b\n1,2\n\n3,4", NULL);
    assert_int_equal(cx_table_nrows(t), 2);
    assert_true(cx_table_numbers(t, 0)[1] == 3);
    assert_int_equal(cx_table_line(t, 1), 4);
    cx_table_free(t);
}

/* ---- streaming ----------------------------------------------------------- */

static void csv_should_stream_in_blocks_of_the_asked_size(void **state)
{
    (void)state;
    char *text = malloc(1 << 20);
    size_t o = (size_t)sprintf(text, "i,label\n");
    for (int i = 0; i < 1000; i++)
        o += (size_t)sprintf(text + o, i % 7 ? "%d,plain\n" : "%d,\"multi\nline\"\n", i);
    char *path = tmp_file(text, o);
    cx_csv_options opt = {.block_rows = 64};
    cx_csv_reader *r = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, &opt, &r, &err), CX_OK);
    size_t rows = 0, blocks = 0;
    unsigned long line = 2;
    for (;;) {
        const cx_table *b;
        assert_int_equal(cx_csv_next(r, &b, &err), CX_OK);
        if (!b)
            break;
        blocks++;
        assert_true(cx_table_nrows(b) <= 64);
        for (size_t i = 0; i < cx_table_nrows(b); i++, rows++) {
            assert_true(cx_table_numbers(b, 0)[i] == (double)rows);
            assert_int_equal(cx_table_line(b, i), line);
            line += rows % 7 ? 1 : 2;
        }
    }
    assert_int_equal(rows, 1000);
    assert_int_equal(blocks, (1000 + 63) / 64);
    assert_int_equal(cx_csv_bytes_read(r), o);
    cx_csv_close(r);
    tmp_remove(path);
    free(text);
}

/* Blocks after the first convert quote-free lines as they are read and
 * store the others for later: whatever the block size, the rows are the
 * same as in one block. */
static void csv_should_read_the_same_rows_in_blocks_of_any_size(void **state)
{
    (void)state;
    const char *text = "week,region,x,note,y\n"
                       "2025-W01,Utrecht,1.5,plain,7\n"
                       "2025-W02, Groningen ,  -2.25 ,\"quoted, with sep\",8\r\n"
                       "\n"
                       "2025-W03,Utrecht,,,9\n"
                       "2025-W04,\"Noord\nBrabant\",3e2,x,\n"
                       "  2025-W05  ,Limburg,0.000125,  spaced  ,10\n"
                       "2025-W06,Frysl\xC3\xA2n,-0,\"\"\"q\"\"\",11\r\n"
                       ",,,,\n" /* a row of empty cells, as Excel writes: skipped */
                       "2025-W07,Utrecht,12345678901234567890,last,12";
    cx_table *one = read_ok(text, NULL);
    assert_int_equal(cx_table_nrows(one), 7);
    assert_int_equal(cx_table_line(one, 6), 11);
    assert_true(cx_table_numbers(one, 2)[1] == -2.25);
    assert_string_equal(cx_table_text(one, 1, 1), "Groningen");
    assert_string_equal(cx_table_text(one, 3, 4), "spaced");
    assert_int_equal(cx_table_line(one, 3), 6);
    assert_int_equal(cx_table_line(one, 4), 8);
    for (size_t block = 1; block <= 5; block++) {
        cx_csv_options o = {.block_rows = block};
        cx_table *t = read_ok(text, &o);
        assert_int_equal(cx_table_nrows(t), cx_table_nrows(one));
        for (size_t i = 0; i < cx_table_nrows(one); i++) {
            assert_int_equal(cx_table_line(t, i), cx_table_line(one, i));
            assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[i], cx_table_periods(one, 0)[i]), 0);
            assert_int_equal(cx_table_periods(t, 0)[i].kind, cx_table_periods(one, 0)[i].kind);
            for (size_t j = 1; j < 5; j++) {
                if (cx_table_coltype(one, j) == CX_COL_NUMBER) {
                    double a = cx_table_numbers(t, j)[i], b = cx_table_numbers(one, j)[i];
                    assert_true((isnan(a) && isnan(b)) || memcmp(&a, &b, sizeof a) == 0);
                } else {
                    const char *a = cx_table_text(t, j, i), *b = cx_table_text(one, j, i);
                    assert_true(a == b || (a && b && strcmp(a, b) == 0));
                }
            }
        }
        cx_table_free(t);
    }
    cx_table_free(one);
}

/* Lines whose quotes only enclose whole fields (a comment column, text
 * beyond ASCII) are split directly once the types are known; they read as
 * libcsv reads them in the first block, and the lines libcsv must judge
 * (a doubled quote, a record over two lines) still go to it. */
static void csv_should_split_simple_quoted_lines_as_libcsv_does(void **state)
{
    (void)state;
    const char *text = "week,region,x,note\n"
                       "2025-W01,Utrecht,1.5,plain\n"
                       "2025-W02,\"Noord-Holland\",\"2.5\",\"late, again\"\n"
                       "2025-W03, \"Frysl\xC3\xA2n\" ,-3,\"  spaced inside  \"\r\n"
                       "2025-W04,Frysl\xC3\xA2n,4,\"\"\n"
                       "2025-W05,Zeeland,5,\"caf\xC3\xA9 \"\"quoted\"\"\"\n"
                       "2025-W06,Zeeland,,\"two\nlines\"\n"
                       "2025-W07,\"Utrecht\",7,\"x\"\n";
    cx_table *one = read_ok(text, NULL);
    assert_int_equal(cx_table_nrows(one), 7);
    static const char *const region[] = {"Utrecht", "Noord-Holland", "Frysl\xC3\xA2n", "Frysl\xC3\xA2n",
                                         "Zeeland", "Zeeland", "Utrecht"};
    static const char *const note[] = {"plain", "late, again", "  spaced inside  ", NULL,
                                       "caf\xC3\xA9 \"quoted\"", "two\nlines", "x"};
    static const double x[] = {1.5, 2.5, -3, 4, 5, NAN, 7};
    for (size_t block = 1; block <= 8; block++) {
        cx_csv_options o = {.block_rows = block};
        cx_table *t = read_ok(text, &o);
        assert_int_equal(cx_table_nrows(t), 7);
        for (size_t i = 0; i < 7; i++) {
            assert_string_equal(cx_table_text(t, 1, i), region[i]);
            const char *nt = cx_table_text(t, 3, i);
            if (note[i])
                assert_string_equal(nt, note[i]);
            else
                assert_null(nt);
            double v = cx_table_numbers(t, 2)[i];
            assert_true(isnan(x[i]) ? isnan(v) : v == x[i]);
            assert_int_equal(cx_table_line(t, i), cx_table_line(one, i));
        }
        cx_table_free(t);
    }
    cx_table_free(one);
    /* errors on such lines, with the types given (as the second half of a
     * split file has them) and in blocks of one row: the status, position
     * and message libcsv's path gave before these lines were split
     * directly (a bad number inside quotes, too few and too many fields,
     * text after a closing quote, which is still libcsv's to judge) */
    static const struct {
        const char *text;
        unsigned long col;
        const char *msg;
    } bad[] = {
        {"week,x,note\n2025-W01,1,a\n2025-W02,\"1.2.3\",\"b, c\"\n", 10, "expected a number in column 'x', found '1.2.3'"},
        {"week,x,note\n2025-W01,1,a\n\"2025-W02\",\"2\"\n", 15, "expected 3 fields as in the header, found 2"},
        {"week,x,note\n2025-W01,1,a\n2025-W02,2,\"b\"c\n", 12,
         "expected a ',' separator or the end of the line after a closing quote, found '\"b\"c'"},
        {"week,x,note\n2025-W01,1,a\n2025-W02,2,\"b\",\"extra\"\n", 16, "expected 3 fields as in the header, found 4"},
    };
    cx_csv_coltype types[] = {{"week", CX_COL_PERIOD, 0}, {"x", CX_COL_NUMBER, 0}, {"note", CX_COL_TEXT, 0}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
        for (size_t block = 1; block <= 1000; block *= 1000) {
            cx_error e;
            cx_table *t = NULL;
            cx_csv_options o = {.block_rows = block, .types = types, .ntypes = 3};
            assert_int_not_equal(read_text(bad[k].text, &o, &t, &e), CX_OK);
            assert_error_at(&e, CX_ESYNTAX, 3, bad[k].col, bad[k].msg);
        }
}

/* ---- exports as Dutch finance writes them (issue 13) ---------------------- */

/* One day as a period, for comparisons. */
static cx_period day(const char *iso)
{
    cx_period p;
    assert_int_equal(cx_period_parse(iso, strlen(iso), &p), CX_OK);
    return p;
}

static void csv_should_read_amounts_as_the_plain_numbers(void **state)
{
    (void)state;
    cx_table *t = read_ok("maand;omzet;conversie;marge;kosten\n"
                          "2022-01;\xE2\x82\xAC 1.073.237,22;2,5%;(1.234,56);1 073 237,22\n"
                          "2022-02;998.000,00 EUR;2,75 %;1.234,56-;12,5\n"
                          "2022-03;12,5;3%;-0,01;\n",
                          NULL);
    assert_int_equal(cx_table_coltype(t, 1), CX_COL_NUMBER);
    assert_true(cx_table_numbers(t, 1)[0] == 1073237.22);
    assert_true(cx_table_numbers(t, 1)[1] == 998000.0);
    assert_true(cx_table_numbers(t, 1)[2] == 12.5);
    /* percentages stay in percentage points, as conversion does in the models */
    assert_true(cx_table_numbers(t, 2)[0] == 2.5);
    assert_true(cx_table_numbers(t, 2)[1] == 2.75);
    assert_true(cx_table_numbers(t, 2)[2] == 3.0);
    assert_true(cx_table_numbers(t, 3)[0] == -1234.56);
    assert_true(cx_table_numbers(t, 3)[1] == -1234.56);
    assert_true(cx_table_numbers(t, 3)[2] == -0.01);
    assert_true(cx_table_numbers(t, 4)[0] == 1073237.22);
    cx_table_free(t);
    /* an English export: thousands commas inside quotes */
    t = read_ok("month,revenue\n2022-01,\"$1,073,237.22\"\n2022-02,\"(1,234.56)\"\n2022-03,17\n", NULL);
    assert_true(cx_table_numbers(t, 1)[0] == 1073237.22);
    assert_true(cx_table_numbers(t, 1)[1] == -1234.56);
    cx_table_free(t);
    /* after the first block, on the direct path: a column of percentages
     * still refuses a plain number there */
    cx_csv_options o = {.block_rows = 2};
    t = read_ok("m;p;x\n2022-01;1,5%;1.000\n2022-02;2%;2.000,5\n2022-03;2,25%;3.000\n2022-04;7%;4\n", &o);
    assert_true(cx_table_numbers(t, 1)[2] == 2.25 && cx_table_numbers(t, 2)[1] == 2000.5);
    cx_table_free(t);
    cx_error err;
    read_bad("m;p\n2022-01;1,5%\n2022-02;2%\n2022-03;2,25\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 9, "expected a percentage in column 'p' as on line 2 ('1,5%'), found '2,25'");
}

static void csv_should_refuse_a_column_that_mixes_styles(void **state)
{
    (void)state;
    cx_error err;
    read_bad("m;x\n2022-01;1.073.237,22\n2022-02;1 073 237,22\n2022-03;5\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 9, "expected amounts in column 'x' written as on line 2 ('1.073.237,22'), "
                                            "found '1 073 237,22', which groups its thousands with spaces");
    read_bad("m;x\n2022-01;1.073.237,22\n2022-02;1,073,237.22\n2022-03;5\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 9, "found '1,073,237.22', which is written with decimal points");
    read_bad("m;x\n2022-01;12,5\n2022-02;2,5%\n2022-03;5\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 9, "expected a number without '%' in column 'x' as on line 2 ('12,5'), "
                                            "found '2,5%'");
    read_bad("m;x\n2022-01;\xE2\x82\xAC 5\n2022-02;$ 5\n2022-03;5\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 9, "expected amounts in EUR in column 'x' as on line 2");
    /* a decimal point that cannot be a thousands separator */
    read_bad("m;x\n2022-01;1.234\n2022-02;1.5\n2022-03;5\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 9, "expected amounts in column 'x' written as on line 2 ('1.234'), found "
                                            "'1.5', which is written with decimal points; if the file uses decimal "
                                            "points, use --decimal .");
}

static void csv_should_read_dates_as_exports_write_them(void **state)
{
    (void)state;
    /* ';' files: year-last dates are day first, whatever they look like */
    cx_table *t = read_ok("datum;x\n17-01-2022;1\n1-2-2022;2\n03/04/2022;3\n05.06.2022;4\n2022/07/08;5\n"
                          "2022-08-09;6\n",
                          NULL);
    const char *want[] = {"2022-01-17", "2022-02-01", "2022-04-03", "2022-06-05", "2022-07-08", "2022-08-09"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[i], day(want[i])), 0);
    cx_table_free(t);
    /* ',' files: the cells decide */
    t = read_ok("date,x\n01/02/2022,1\n01/31/2022,2\n", NULL);
    assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[0], day("2022-01-02")), 0);
    cx_table_free(t);
    t = read_ok("date,x\n01/02/2022,1\n31/01/2022,2\n", NULL);
    assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[0], day("2022-02-01")), 0);
    cx_table_free(t);
    /* ... or --date-format; --decimal , makes day first the rule */
    cx_csv_options f = {.date_format = "%m/%d/%Y"};
    t = read_ok("date,x\n01/02/2022,1\n03/04/2022,2\n", &f);
    assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[1], day("2022-03-04")), 0);
    cx_table_free(t);
    cx_csv_options d = {.decimal = ',', .sep = '\t'};
    t = read_ok("date\tx\n01/02/2022\t1,5\n", &d);
    assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[0], day("2022-02-01")), 0);
    cx_table_free(t);
    /* Excel's date-times: the time is ignored, and said */
    cx_warnings *notes = cx_warnings_new();
    cx_csv_options n = {.notes = notes};
    t = read_ok("datum;x\n17-01-2022 14:05;1\n18-01-2022 09:30:12;2\n", &n);
    assert_int_equal(cx_period_cmp(cx_table_periods(t, 0)[1], day("2022-01-18")), 0);
    assert_int_equal(cx_warnings_count(notes), 1);
    assert_non_null(strstr(cx_warnings_get(notes, 0), "column 'datum' holds dates with a time of day (line 2: "
                                                      "'17-01-2022 14:05'); the times are ignored"));
    cx_table_free(t);
    cx_warnings_free(notes);
}

static void csv_should_refuse_dates_it_would_have_to_guess(void **state)
{
    (void)state;
    cx_error err;
    read_bad("date,x\n01/02/2022,1\n03/04/2022,2\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "expected dates in column 'date' whose order of day and month is clear, "
                                            "found only dates that fit both, as '01/02/2022'; a ',' or tab file has "
                                            "no rule: give the order with --date-format %d/%m/%Y (day first) or "
                                            "--date-format %m/%d/%Y (month first)");
    read_bad("date,x\n31/01/2022,1\n01/31/2022,2\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 1, "expected dates in one order in column 'date'");
    read_bad("datum;x\n01-31-2022;1\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "expected a day-first date in column 'datum' (the rule for ';' files), "
                                            "found '01-31-2022', which can only be month first; for month-first "
                                            "dates use --date-format %m-%d-%Y");
    read_bad("datum;x\n31-02-2024;1\n01-03-2024;2\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "found '31-02-2024': February 2024 has 29 days");
    read_bad("datum;x\n17-01-22;1\n18-01-22;2\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "expected a date with a four-digit year in column 'datum', found "
                                            "'17-01-22'; accepted: 2025-03-31, 2025/03/31, 31-03-2025");
    read_bad("datum;x\n17-01-2022;1\n18-01-2022;2\ngisteren;3\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 1, "expected a date in column 'datum', found 'gisteren'; accepted:");
    cx_csv_options f = {.date_format = "%d %m"};
    read_bad("d,x\n1 2,1\n", &f, &err);
    assert_int_equal(err.status, CX_EUSAGE);
    assert_non_null(strstr(err.message, "expected a date format with a day, a month and a year"));
}

static void csv_should_take_excels_habits(void **state)
{
    (void)state;
    /* sep=; first, trailing ;; in header and rows, rows of empty cells,
     * header names with spaces around them */
    cx_table *t = read_ok("sep=;\r\n\" maand \";vestiging ;omzet;;\r\n2022-01;Utrecht;1,5;;\r\n;;;;\r\n"
                          "2022-02;Zeist;2;;\r\n;;;;\r\n",
                          NULL);
    assert_int_equal(cx_table_ncols(t), 3);
    assert_int_equal(cx_table_nrows(t), 2);
    assert_string_equal(cx_table_colname(t, 0), "maand");
    assert_string_equal(cx_table_colname(t, 1), "vestiging");
    assert_int_equal(cx_table_line(t, 1), 5);
    assert_true(cx_table_numbers(t, 2)[1] == 2.0);
    cx_table_free(t);
    /* a UTF-8 byte order mark beats a windows-1252 guess */
    cx_csv_options w = {.encoding = CX_ENC_WINDOWS1252};
    t = read_ok("\xEF\xBB\xBFregio;x\nFrysl\xC3\xA2n;1\n", &w);
    assert_string_equal(cx_table_colname(t, 0), "regio");
    assert_string_equal(cx_table_text(t, 0, 0), "Frysl\xC3\xA2n");
    cx_table_free(t);
    /* an extra field that holds something is still an error */
    cx_error err;
    read_bad("a;b;;\n1;2;;\n3;4;5;\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 5, "expected 2 fields as in the header, found 4");
}

static void csv_should_rename_columns_on_the_way_in(void **state)
{
    (void)state;
    cx_csv_rename rn[] = {{"levertijd_dagen", "delivery_days"}, {"vestiging", "store"}};
    cx_csv_options o = {.renames = rn, .nrenames = 2};
    cx_table *t = read_ok("maand;vestiging;levertijd_dagen\n2022-01;Utrecht;2,5\n", &o);
    assert_string_equal(cx_table_colname(t, 1), "store");
    assert_string_equal(cx_table_colname(t, 2), "delivery_days");
    cx_table_free(t);
    /* messages about cells use the file's own names */
    cx_error err;
    read_bad("maand;vestiging;levertijd_dagen\n2022-01;Utrecht;2,5\n2022-02;Utrecht;x\n2022-03;Utrecht;3\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 17, "expected a number in column 'levertijd_dagen', found 'x'");
    cx_csv_rename typo[] = {{"levertijd_dagn", "delivery_days"}};
    cx_csv_options ot = {.renames = typo, .nrenames = 1};
    read_bad("maand;vestiging;levertijd_dagen\n2022-01;Utrecht;2,5\n", &ot, &err);
    assert_error_at(&err, CX_EINVAL, 1, 0, "expected a column 'levertijd_dagn' to rename to 'delivery_days', found "
                                           "none; did you mean 'levertijd_dagen'? (its columns: maand, vestiging, "
                                           "levertijd_dagen)");
    ot.renames_optional = 1;
    t = read_ok("maand;vestiging;levertijd_dagen\n2022-01;Utrecht;2,5\n", &ot);
    cx_table_free(t);
    cx_csv_rename clash[] = {{"omzet", "revenue"}};
    cx_csv_options oc = {.renames = clash, .nrenames = 1};
    read_bad("maand;revenue;omzet\n2022-01;1;2\n", &oc, &err);
    assert_error_at(&err, CX_EINVAL, 1, 15, "expected a new name for column 'omzet', found 'revenue', which is the "
                                            "name of its column 2; rename that one too, or choose another name");
    /* ... unless that one is renamed away too */
    cx_csv_rename swap[] = {{"revenue", "old_revenue"}, {"omzet", "revenue"}};
    cx_csv_options os = {.renames = swap, .nrenames = 2};
    t = read_ok("maand;revenue;omzet\n2022-01;1;2\n", &os);
    assert_string_equal(cx_table_colname(t, 1), "old_revenue");
    assert_string_equal(cx_table_colname(t, 2), "revenue");
    cx_table_free(t);
}

/* ---- bad input: the exact position -------------------------------------- */

static void csv_should_point_at_the_extra_field(void **state)
{
    (void)state;
    cx_error err;
    read_bad("a,b\n1,2,3\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 5, "expected 2 fields as in the header, found 3");
    /* a record over two lines: the extra field is on the second line */
    read_bad("a,b\n\"x\ny\",1,2\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 6, "found 3");
}

static void csv_should_point_at_the_end_of_a_short_row(void **state)
{
    (void)state;
    cx_error err;
    read_bad("a,b,c\n1,2\r\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 4, "expected 3 fields as in the header, found 2");
}

static void csv_should_point_at_stray_quotes(void **state)
{
    (void)state;
    cx_error err;
    /* both point at the start of the cell and show the cell */
    read_bad("a,b\n1,x\"y\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 3, "no quote inside an unquoted field");
    assert_non_null(strstr(err.message, "found 'x\"y'"));
    read_bad("a,b\n1,\"x\"y\r\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 3, "after a closing quote, found '\"x\"y'");
    /* a lone CR is no line end: it would silently split a record */
    read_bad("a,b\r1,2\n3,4\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 1, 4, "expected LF or CRLF line ends, found a lone CR");
    read_bad("a,b\n1,2\n3,\"never\nclosed,4\n5,6\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 3, "expected a closing quote");
}

static void csv_should_point_at_a_bad_number_after_the_first_block(void **state)
{
    (void)state;
    cx_error err;
    cx_csv_options o = {.block_rows = 2};
    read_bad("a,b\n1,2\n3,4\n5,x7\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 3, "expected a number in column 'b', found 'x7'");
    read_bad("a;b\n1;2\n3;4\n5;1.5\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 3, "--decimal .");
    cx_csv_options oc = {.block_rows = 2, .sep = ','};
    read_bad("a,b\n1,2\n3,4\n5,\"1,5\"\n", &oc, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 3, "decimal commas");
    /* the number of fields, checked before the cells */
    read_bad("a,b\n1,2\n3,4\n5,x,7\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 5, "expected 2 fields as in the header, found 3");
    read_bad("a,b,c\n1,2,3\n4,5,6\nx7\r\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 3, "expected 3 fields as in the header, found 1");
    /* in file order: a bad cell of a quoted record before a stray quote */
    read_bad("a,b\n1,2\n3,4\n\"5\",x\n6,7\"\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 5, "expected a number in column 'b', found 'x'");
    read_bad("a,b\n1,2\n3,4\n5, 6\n7,x\n8,9\"\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 5, 3, "expected a number in column 'b', found 'x'");
}

/* Lines after the first block skip the separate checks when they are plain
 * ASCII; anything else still gets them. */
static void csv_should_check_every_line_after_the_first_block(void **state)
{
    (void)state;
    cx_error err;
    cx_csv_options o = {.block_rows = 2};
    read_bad("a,b\n1,2\n3,4\n5,Fr\xE9sland\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 5, "found byte 0xE9");
    read_bad("a,b\n1,2\n3,4\n5,6\r7,8\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 4, "found a lone CR");
    char *path = tmp_file("a,b\n1,2\n3,4\n5,6\x00" "7\n", 16);
    cx_table *t = NULL;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, &o, &t, &err), CX_ESYNTAX);
    assert_error_at(&err, CX_ESYNTAX, 4, 4, "NUL byte");
    tmp_remove(path);
    /* lines longer than 16 bytes are split sixteen bytes at a time: the odd
     * byte first, in the middle and last of such a piece, and after it */
    read_bad("a,b\n1,x\n3,y\n5,Frysl\xE2n and more text,6\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 8, "found byte 0xE2");
    read_bad("a,b\n1,x\n3,y\n5,0123456789abcdefghij\xE2\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 23, "found byte 0xE2");
    read_bad("a,b\n1,x\n3,y\n\xE2" "5,0123456789abcdefghij\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 1, "found byte 0xE2");
    read_bad("a,b\n1,x\n3,y\n5,0123456789abc\"ef,ghij\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 3, "no quote inside an unquoted field");
    read_bad("a,b\n1,x\n3,y\n5,0123456789abcd\r6,ghij\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 17, "found a lone CR");
    cx_table *wide = read_ok("a,b,c\n1,x,2\n3,y,4\n12345678901234,abcdefghijklmnopqrstu,5\n"
                             "1,2345678901234567,8\n  6  ,  z  ,  7  \r\n",
                             &o);
    assert_int_equal(cx_table_nrows(wide), 5);
    assert_true(cx_table_numbers(wide, 0)[2] == 12345678901234.0);
    assert_string_equal(cx_table_text(wide, 1, 2), "abcdefghijklmnopqrstu");
    assert_true(cx_table_numbers(wide, 2)[2] == 5);
    assert_string_equal(cx_table_text(wide, 1, 3), "2345678901234567");
    assert_true(cx_table_numbers(wide, 2)[3] == 8);
    assert_string_equal(cx_table_text(wide, 1, 4), "z");
    assert_true(cx_table_numbers(wide, 0)[4] == 6 && cx_table_numbers(wide, 2)[4] == 7);
    cx_table_free(wide);
    read_bad("a,b\n1,x\n3,y\n5,0123456789abcde,f,g,h,i,j,k\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 19, "expected 2 fields as in the header, found 8");
    /* windows-1252: plain lines as they are, the others converted */
    cx_csv_options w = {.block_rows = 2, .encoding = CX_ENC_WINDOWS1252};
    cx_table *one = read_ok("region,x\nUtrecht,1\nFrysl\xE2n,2\nUtrecht,3\nFrysl\xE2n,4\r\n", &w);
    assert_int_equal(cx_table_nrows(one), 4);
    assert_string_equal(cx_table_text(one, 0, 3), "Frysl\xC3\xA2n");
    assert_true(cx_table_numbers(one, 1)[3] == 4);
    assert_string_equal(cx_table_text(one, 0, 2), "Utrecht");
    cx_table_free(one);
}

static void csv_should_point_at_a_bad_period(void **state)
{
    (void)state;
    cx_error err;
    cx_csv_options o = {.block_rows = 2};
    read_bad("week,x\n2025-W01,1\n2025-W02,2\n  2025-W54,3\n", &o, &err);
    assert_error_at(&err, CX_ESYNTAX, 4, 3, "expected a period");
    read_bad("week,x\n2025-W01,1\n2025-W02,2\n2025-03,3\n", &o, &err);
    assert_error_at(&err, CX_EINVAL, 4, 1, "expected a week in column 'week' like line 2, found the month '2025-03'");
}

static void csv_should_report_invalid_utf8_and_nul_with_their_column(void **state)
{
    (void)state;
    cx_error err;
    read_bad("region,x\nFrysl\xC3\xA2n,1\nFr\xE9sland,2\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 3, 3, "--encoding windows-1252");
    read_bad("a,b\nFrysl\xC3\xA2n,\xFF\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 9, "found byte 0xFF");
    /* an overlong encoding and a surrogate are invalid too */
    read_bad("a\n\xC0\xAF\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "UTF-8");
    read_bad("a\n\xED\xA0\x80\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "UTF-8");
    char *path = tmp_file("a,b\n1,2\x00" "3\n", 9);
    cx_table *t = NULL;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_ESYNTAX);
    assert_error_at(&err, CX_ESYNTAX, 2, 4, "NUL byte");
    tmp_remove(path);
}

static void csv_should_reject_empty_files_and_bad_headers(void **state)
{
    (void)state;
    cx_error err;
    read_bad("", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 1, 1, "found an empty file");
    read_bad("a,b\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "expected data rows after the header");
    read_bad("\xEF\xBB\xBF" "a,b\r\n\r\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 2, 1, "expected data rows");
    read_bad("a,b,a\n1,2,3\n", NULL, &err);
    assert_error_at(&err, CX_EINVAL, 1, 5, "unique column names, found 'a' again (first at column 1)");
    read_bad("a,,c\n1,2,3\n", NULL, &err);
    assert_error_at(&err, CX_ESYNTAX, 1, 3, "expected a column name");
    cx_table *t = NULL;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read("/nonexistent/x.csv", NULL, &t, &err), CX_ENOENT);
    assert_string_equal(err.file, "/nonexistent/x.csv");
}

static void csv_should_locate_cells_for_later_checks(void **state)
{
    (void)state;
    char *path = tmp_text("id;score\n1;  7\n2;\"11\"\n");
    cx_csv_reader *r = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, NULL, &r, &err), CX_OK);
    const cx_table *b;
    assert_int_equal(cx_csv_next(r, &b, &err), CX_OK);
    assert_int_equal(cx_csv_cell_error(r, 1, 1, &err, CX_EINVAL, "bad %d", 11), CX_EINVAL);
    assert_error_at(&err, CX_EINVAL, 3, 3, "bad 11");
    cx_error_init(&err);
    cx_csv_cell_error(r, 0, 1, &err, CX_EINVAL, "x");
    assert_int_equal(err.column, 5); /* spaces before an unquoted field are skipped */
    cx_csv_close(r);
    tmp_remove(path);
}


/* ---- limits, ranges and pipes (issue 15) --------------------------------- */

/* A line or a record longer than the limit is an error at its start, with
 * the limit in the message; raising the limit reads the same file. */
static void csv_should_stop_at_the_longest_line_and_record(void **state)
{
    (void)state;
    cx_limits_set(&(cx_limits){.max_line = 1024});
    char *text = malloc(8192);
    size_t o = (size_t)sprintf(text, "a,b\n1,2\n3,");
    memset(text + o, 'x', 2000);
    o += 2000;
    o += (size_t)sprintf(text + o, "\n");
    cx_error err;
    cx_table *t = NULL;
    char *path = tmp_file(text, o);
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 1);
    assert_string_equal(err.message, "expected a line of at most 1024 bytes (raise the limit with --max-line), "
                                     "found a longer one");
    tmp_remove(path);
    /* a quoted field over many short lines: one record */
    o = (size_t)sprintf(text, "a,b\n1,\"");
    for (int i = 0; i < 200; i++)
        o += (size_t)sprintf(text + o, "line %03d\n", i);
    o += (size_t)sprintf(text + o, "\"\n");
    path = tmp_file(text, o);
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.message, "expected a record of at most 1024 bytes (raise the limit with --max-line), "
                                     "found a longer one that starts here (a quote that is never closed?)");
    cx_limits_set(NULL);
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_OK);
    assert_int_equal(cx_table_nrows(t), 1);
    cx_table_free(t);
    tmp_remove(path);
    free(text);
}

/* A file with old Mac line ends (CR alone) longer than 1 MiB is cut at a CR
 * and reported, not read whole into memory. */
static void csv_should_report_lone_cr_in_a_long_file(void **state)
{
    (void)state;
    size_t n = (size_t)1 << 21;
    char *text = malloc(n);
    size_t o = 0;
    while (o + 16 < n)
        o += (size_t)sprintf(text + o, "%s\r", o ? "1,2" : "a,b");
    char *path = tmp_file(text, o);
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 4);
    assert_string_equal(err.message, "expected LF or CRLF line ends, found a lone CR");
    tmp_remove(path);
    free(text);
}

/* A byte range without its line number counts the lines before it; the
 * range can be narrowed but not widened past what was read. */
static void csv_should_read_a_range_and_count_its_lines(void **state)
{
    (void)state;
    const char *text = "a,b\n1,2\n3,4\n5,6\n7,8\n";
    char *path = tmp_text(text);
    cx_csv_options opt = {.range_start = 12};
    cx_csv_reader *r = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, &opt, &r, &err), CX_OK);
    assert_int_equal(cx_csv_sep(r), ',');
    const cx_table *b;
    assert_int_equal(cx_csv_next(r, &b, &err), CX_OK);
    assert_int_equal(cx_table_nrows(b), 2);
    assert_int_equal(cx_table_line(b, 0), 4);
    assert_true(cx_table_numbers(b, 0)[0] == 5);
    assert_false(cx_csv_set_range_end(r, 8)); /* already read past it */
    assert_true(cx_csv_set_range_end(r, 0));
    assert_int_equal(cx_csv_next(r, &b, &err), CX_OK);
    assert_null(b);
    cx_csv_close(r);
    opt.range_start = 100;
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, &opt, &r, &err), CX_EIO);
    assert_string_equal(err.message, "the range starts past the end of the file");
    tmp_remove(path);
}

static void csv_should_refuse_bad_options_and_a_failed_reader(void **state)
{
    (void)state;
    char *path = tmp_text("a;b\n1.5;2.5\n3.5;4.5\n");
    cx_csv_reader *r = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, &(cx_csv_options){.sep = '|'}, &r, &err), CX_EUSAGE);
    assert_string_equal(err.message, "the separator must be ',', ';' or tab, not '|'");
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, &(cx_csv_options){.decimal = '_'}, &r, &err), CX_EUSAGE);
    assert_string_equal(err.message, "the decimal mark must be '.' or ',', not '_'");
    /* numbers written with the other decimal mark: the column is refused, not
     * text (when the reader opens, or at its first block: a column's error
     * waits until its block is read) */
    cx_error_init(&err);
    cx_status st = cx_csv_open(path, NULL, &r, &err);
    if (st == CX_OK) {
        const cx_table *b0;
        st = cx_csv_next(r, &b0, &err);
        cx_csv_close(r);
        r = NULL;
    }
    assert_int_equal(st, CX_ESYNTAX);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 1);
    assert_string_equal(err.message, "expected numbers with decimal commas in column 'a' (the file is separated "
                                     "by ';'), found '1.5'; use --decimal . if the file uses decimal points");
    tmp_remove(path);
    /* after an error the reader refuses to go on */
    path = tmp_text("a,b\n1,2\n3,x\n");
    cx_error_init(&err);
    assert_int_equal(cx_csv_open(path, &(cx_csv_options){.block_rows = 1, .infer_rows = 1}, &r, &err), CX_OK);
    const cx_table *b;
    assert_int_equal(cx_csv_next(r, &b, &err), CX_OK);
    assert_int_equal(cx_csv_next(r, &b, &err), CX_ESYNTAX);
    cx_error_init(&err);
    assert_int_equal(cx_csv_next(r, &b, &err), CX_EUSAGE);
    assert_string_equal(err.message, "the reader failed earlier");
    cx_csv_close(r);
    tmp_remove(path);
}

/* A pipe is copied once (with the line limit), then read as often as a
 * file, under its own name; a standard input of the same bytes reads the
 * same; the positions of later errors are never looked up in a pipe. */
static void csv_should_copy_a_pipe_once(void **state)
{
    (void)state;
    char *path = tmp_text("\xEF\xBB\xBFweek,region,x\n2025-W01,North,1\n2025-W02,North,2\n");
    int fd;
    char *spool = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_spool(path, "<pipe>", &fd, &spool, &err), CX_OK);
    for (int pass = 0; pass < 2; pass++) {
        cx_table *t = NULL;
        assert_int_equal(cx_csv_read(spool, &(cx_csv_options){.name = "<pipe>"}, &t, &err), CX_OK);
        assert_int_equal(cx_table_nrows(t), 2);
        assert_string_equal(cx_table_source(t), "<pipe>");
        unsigned long line, col;
        assert_int_equal(cx_table_locate(t, 2, 1, &line, &col), CX_OK);
        assert_int_equal(line, 3);
        assert_int_equal(col, 0); /* "<pipe>" is no file to read again */
        cx_table_free(t);
    }
    close(fd);
    cx_free(spool);
    cx_table *t = NULL;
    assert_int_equal(cx_csv_read(path, NULL, &t, &err), CX_OK);
    unsigned long line, col;
    assert_int_equal(cx_table_locate(t, 2, 1, &line, &col), CX_OK); /* a file: read again, BOM and all */
    assert_int_equal(line, 3);
    assert_int_equal(col, 16);
    cx_table_free(t);
    tmp_remove(path);
    cx_limits_set(&(cx_limits){.max_line = 1024});
    char *big = calloc(1, 5000);
    memset(big, 'y', 4999);
    path = tmp_text(big);
    cx_error_init(&err);
    assert_int_equal(cx_csv_spool(path, "<pipe>", &fd, &spool, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 1);
    assert_null(spool);
    cx_limits_set(NULL);
    cx_error_init(&err);
    assert_int_equal(cx_csv_spool("/no/such/file", "<pipe>", &fd, &spool, &err), CX_ENOENT);
    tmp_remove(path);
    free(big);
}

/* ---- out of memory ------------------------------------------------------- */

static long alloc_budget = -1;
static void *failing_malloc(size_t n)
{
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return malloc(n);
}
static void *failing_realloc(void *p, size_t n)
{
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    return realloc(p, n);
}

/* Fail the 1st, 2nd, ... allocation in turn: each read reports CX_ENOMEM
 * and leaks nothing (AddressSanitizer checks the leaks). */
static void csv_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    char *path = tmp_text("week,region,x,comment\n2025-W01,North,1.5,\"a\nb\"\n2025-W02,South,2,c\n");
    cx_set_alloc_hooks(failing_malloc, failing_realloc, NULL);
    int succeeded = 0;
    for (long k = 0; k < 2000 && !succeeded; k++) {
        alloc_budget = k;
        cx_table *t = NULL;
        cx_error err;
        cx_error_init(&err);
        cx_status st = cx_csv_read(path, NULL, &t, &err);
        if (st == CX_OK) {
            succeeded = 1;
            assert_int_equal(cx_table_nrows(t), 2);
        } else {
            assert_int_equal(st, CX_ENOMEM);
            assert_null(t);
        }
        cx_table_free(t);
    }
    alloc_budget = -1;
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(succeeded);
    tmp_remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(csv_should_keep_quoted_separators_quotes_and_newlines),
        cmocka_unit_test(csv_should_read_dutch_excel_with_bom_crlf_and_decimal_comma),
        cmocka_unit_test(csv_should_detect_tab_and_semicolon_separators),
        cmocka_unit_test(csv_should_type_columns_and_treat_empty_cells_as_missing),
        cmocka_unit_test(csv_should_read_bare_years_under_a_period_header),
        cmocka_unit_test(csv_should_read_windows_1252_when_told),
        cmocka_unit_test(csv_should_accept_a_missing_final_newline_and_blank_lines),
        cmocka_unit_test(csv_should_stream_in_blocks_of_the_asked_size),
        cmocka_unit_test(csv_should_read_the_same_rows_in_blocks_of_any_size),
        cmocka_unit_test(csv_should_read_amounts_as_the_plain_numbers),
        cmocka_unit_test(csv_should_refuse_a_column_that_mixes_styles),
        cmocka_unit_test(csv_should_read_dates_as_exports_write_them),
        cmocka_unit_test(csv_should_refuse_dates_it_would_have_to_guess),
        cmocka_unit_test(csv_should_take_excels_habits),
        cmocka_unit_test(csv_should_rename_columns_on_the_way_in),
        cmocka_unit_test(csv_should_point_at_the_extra_field),
        cmocka_unit_test(csv_should_point_at_the_end_of_a_short_row),
        cmocka_unit_test(csv_should_split_simple_quoted_lines_as_libcsv_does),
        cmocka_unit_test(csv_should_point_at_stray_quotes),
        cmocka_unit_test(csv_should_point_at_a_bad_number_after_the_first_block),
        cmocka_unit_test(csv_should_check_every_line_after_the_first_block),
        cmocka_unit_test(csv_should_point_at_a_bad_period),
        cmocka_unit_test(csv_should_report_invalid_utf8_and_nul_with_their_column),
        cmocka_unit_test(csv_should_reject_empty_files_and_bad_headers),
        cmocka_unit_test(csv_should_locate_cells_for_later_checks),
        cmocka_unit_test(csv_should_stop_at_the_longest_line_and_record),
        cmocka_unit_test(csv_should_report_lone_cr_in_a_long_file),
        cmocka_unit_test(csv_should_read_a_range_and_count_its_lines),
        cmocka_unit_test(csv_should_refuse_bad_options_and_a_failed_reader),
        cmocka_unit_test(csv_should_copy_a_pipe_once),
        cmocka_unit_test(csv_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}
