/*
 * fuzz_scenario.c - libFuzzer target: the scenario loader (what
 * `cxcase check` runs).
 *
 * Each input is written as scenario.json in a private directory that also
 * holds the files a scenario names: model.json (models/cx_chain.json),
 * fitted.json (a fitted model) and stub exports logistics.csv ...
 * responses.csv (the loader only checks that they are files).  A scenario
 * that loads is then queried: labels, costs per quarter and the change of
 * every metric of the default chain in every scenario.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

static char in_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void copy_in(const char *rel, const char *name)
{
    char p[300];
    size_t n;
    char *text = fuzz_slurp(rel, &n);
    fuzz_write(fuzz_path(name, p, sizeof p), text, n);
    free(text);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    fuzz_path("scenario.json", in_path, sizeof in_path);
    copy_in("models/cx_chain.json", "model.json");
    copy_in("tests/fuzz/data/fitted.json", "fitted.json");
    static const char *const stubs[] = {"logistics.csv", "service.csv", "web.csv",
                                        "finance.csv",   "hr.csv",      "responses.csv"};
    for (size_t k = 0; k < sizeof stubs / sizeof stubs[0]; k++) {
        char p[300];
        fuzz_write(fuzz_path(stubs[k], p, sizeof p), "week,region\n", 12);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(in_path, data, size);
    cx_error err;
    cx_error_init(&err);
    cx_scenario *s = NULL;
    if (cx_scenario_load(in_path, &s, &err) != CX_OK) {
        fuzz_format(&err);
        return 0;
    }
    static const char *const metrics[] = {"conversion", "handling_time_s", "ctr", "delivery_days",
                                          "enps",       "nps",             "revenue"};
    int h = cx_scenario_horizon(s);
    double *buf = calloc((size_t)(h > 0 ? h : 1), sizeof(double));
    if (!buf)
        abort();
    double d, m, t;
    cx_scenario_finance(s, &d, &m, &t);
    for (size_t k = 0; k <= cx_scenario_nscenarios(s); k++) {
        (void)cx_scenario_label(s, k);
        (void)cx_scenario_costs(s, k, buf);
        for (size_t j = 0; j < sizeof metrics / sizeof metrics[0]; j++)
            (void)cx_scenario_metric_delta(s, k, metrics[j], 3.0, buf);
    }
    free(buf);
    cx_scenario_free(s);
    return 0;
}
