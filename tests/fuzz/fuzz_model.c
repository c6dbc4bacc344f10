/*
 * fuzz_model.c - libFuzzer target: the fitted-model reader (what a
 * scenario's "model" may name, as `cxcase fit --json` writes it).
 *
 * Each input is written as fitted.json and loaded; a model that loads is
 * written back as JSON and that text loaded again, which must succeed: what
 * the reader accepts, the writer must write in a form the reader accepts.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

static char in_path[300], again_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    fuzz_path("fitted.json", in_path, sizeof in_path);
    fuzz_path("again.json", again_path, sizeof again_path);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(in_path, data, size);
    cx_model *m = NULL;
    cx_error err;
    cx_error_init(&err);
    if (cx_model_load(in_path, &m, &err) != CX_OK) {
        fuzz_format(&err);
        return 0;
    }
    for (size_t e = 0; e < cx_model_nequations(m); e++) {
        const cx_equation *eq = cx_model_equation(m, e);
        (void)cx_equation_target(eq);
        for (size_t j = 0; j < cx_equation_ncoef(eq); j++)
            (void)cx_equation_coef_name(eq, j);
    }
    char *json = NULL;
    cx_error_init(&err);
    if (cx_model_json(m, &json, &err) == CX_OK) {
        fuzz_write(again_path, json, strlen(json));
        cx_model *m2 = NULL;
        cx_error_init(&err);
        if (cx_model_load(again_path, &m2, &err) != CX_OK) {
            char line[CX_ERROR_LINE_MAX];
            fprintf(stderr, "a model the reader accepted, written back, is refused: %s\n",
                    cx_error_format(&err, line, sizeof line));
            abort();
        }
        cx_model_free(m2);
    } else
        fuzz_format(&err);
    cx_free_string(json);
    cx_model_free(m);
    return 0;
}
