/*
 * fuzz_spec.c - libFuzzer target: the model specification parser, and a
 * small fit of whatever parses.
 *
 * Each input is parsed as a model specification.  One that parses is
 * fitted on tests/fuzz/data/panel.csv (three regions by 40 weeks of the
 * samples' columns: conversion, ctr, delivery_days, enps, nps with nps_se
 * and nps_n, revenue ...), written as JSON, and fitted again as a partial
 * fit that is merged back, so that the design builder, every estimator,
 * the inference and both JSON writers see what the parser lets through.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

static cx_table *panel;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    char p[300];
    size_t n;
    char *text = fuzz_slurp("tests/fuzz/data/panel.csv", &n);
    fuzz_write(fuzz_path("panel.csv", p, sizeof p), text, n);
    free(text);
    cx_error err;
    cx_error_init(&err);
    if (cx_csv_read(p, NULL, &panel, &err) != CX_OK)
        abort();
    return 0;
}

static void fit(const cx_spec *spec)
{
    cx_fit_options fo;
    memset(&fo, 0, sizeof fo);
    fo.block_rows = 16; /* several QR accumulation steps on 120 rows */
    cx_model *m = NULL;
    cx_warnings *w = cx_warnings_new();
    cx_error err;
    cx_error_init(&err);
    if (cx_fit_table(spec, panel, &fo, &m, w, &err) == CX_OK) {
        char *json = NULL;
        cx_error_init(&err);
        if (cx_model_json(m, &json, &err) != CX_OK)
            fuzz_format(&err);
        cx_free_string(json);
    } else
        fuzz_format(&err);
    cx_model_free(m);
    cx_warnings_free(w);
}

static void partial(const cx_spec *spec)
{
    char *part = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_fit_partial_table(spec, panel, NULL, &part, &err) != CX_OK) {
        fuzz_format(&err);
        return;
    }
    const char *texts[2] = {part, part};
    const char *names[2] = {"a.json", "b.json"};
    cx_model *m = NULL;
    cx_warnings *w = cx_warnings_new();
    cx_error_init(&err);
    if (cx_fit_merge(texts, names, 2, &m, w, &err) != CX_OK)
        fuzz_format(&err);
    cx_model_free(m);
    cx_warnings_free(w);
    cx_free_string(part);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_spec *spec = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_spec_parse((const char *)data, size, "spec.json", &spec, &err) != CX_OK) {
        fuzz_format(&err);
        return 0;
    }
    (void)cx_spec_nequations(spec);
    fit(spec);
    partial(spec);
    cx_spec_free(spec);
    return 0;
}
