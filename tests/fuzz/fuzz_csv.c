/*
 * fuzz_csv.c - libFuzzer target: the CSV reader, the survey aggregation
 * and the panel join on an arbitrary file.
 *
 * Each input is read as a CSV file three ways (detected dialect; blocks of
 * two rows with types from the first three, which drives every block
 * boundary and the direct path; windows-1252), then aggregated as survey
 * responses (by period, and by region and period, skipping invalid scores),
 * joined into a panel with itself and with a well-formed helper export, and
 * the panel written out as CSV.  Errors are expected: only a crash, a
 * sanitizer report, a leak or a timeout is a finding.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

static char in_path[300], out_path[300];
static cx_table *helper;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    fuzz_path("in.csv", in_path, sizeof in_path);
    fuzz_path("out.csv", out_path, sizeof out_path);
    char hp[300];
    size_t n;
    char *text = fuzz_slurp("tests/cli/data/bad/helpers/logistics-weeks.csv", &n);
    fuzz_write(fuzz_path("helper.csv", hp, sizeof hp), text, n);
    free(text);
    cx_error err;
    cx_error_init(&err);
    if (cx_csv_read(hp, NULL, &helper, &err) != CX_OK)
        abort();
    return 0;
}

static void aggregate(const cx_csv_options *copt, const char *const *by, size_t nby, cx_scale scale, int skip)
{
    cx_survey_options so;
    memset(&so, 0, sizeof so);
    so.scale = scale;
    so.by = by;
    so.nby = nby;
    so.skip_invalid = skip;
    so.period_kind = skip ? CX_PERIOD_QUARTER : CX_PERIOD_NONE;
    cx_table *t = NULL;
    cx_survey_stats stats;
    cx_error err;
    cx_error_init(&err);
    if (cx_survey_aggregate_file(in_path, copt, &so, &t, &stats, &err) != CX_OK)
        fuzz_format(&err);
    cx_table_free(t);
}

static void join(const cx_table *a, const cx_table *b)
{
    const cx_table *tabs[2] = {a, b};
    cx_table *panel = NULL;
    cx_warnings *w = cx_warnings_new();
    cx_error err;
    cx_error_init(&err);
    if (cx_panel_join(tabs, b ? 2 : 1, NULL, 0, &panel, w, &err) == CX_OK) {
        cx_error_init(&err);
        if (cx_table_write_csv(panel, out_path, &err) != CX_OK)
            fuzz_format(&err);
    } else
        fuzz_format(&err);
    cx_table_free(panel);
    cx_warnings_free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(in_path, data, size);
    cx_error err;
    cx_error_init(&err);
    cx_table *t = NULL;
    if (cx_csv_read(in_path, NULL, &t, &err) != CX_OK)
        fuzz_format(&err);

    cx_csv_options small;
    memset(&small, 0, sizeof small);
    small.block_rows = 2;
    small.infer_rows = 3;
    cx_table *t2 = NULL;
    cx_error_init(&err);
    if (cx_csv_read(in_path, &small, &t2, &err) != CX_OK)
        fuzz_format(&err);
    cx_table_free(t2);

    cx_csv_options cp;
    memset(&cp, 0, sizeof cp);
    cp.encoding = CX_ENC_WINDOWS1252;
    cp.sep = ';';
    cx_error_init(&err);
    if (cx_csv_read(in_path, &cp, &t2, &err) != CX_OK)
        fuzz_format(&err);
    cx_table_free(t2);

    static const char *const by1[] = {"period"};
    static const char *const by2[] = {"region", "period"};
    aggregate(NULL, by1, 1, CX_SCALE_NPS, 0);
    aggregate(&small, by2, 2, CX_SCALE_CSAT, 1);

    if (t) {
        join(t, NULL);
        join(t, helper);
    }
    cx_table_free(t);
    return 0;
}
