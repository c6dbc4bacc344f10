/*
 * fuzz_partial.c - libFuzzer target: the partial-fit reader and the merge.
 *
 * Each input is one partial fit (the JSON `cxcase fit --partial` writes).
 * It is merged alone, then with itself (two partitions with the same units
 * and levels), and a merged model is written as JSON.  An input with a NUL
 * byte is cut there, as the CLI's reader would pass it on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    return 0;
}

static void merge(const char *text, size_t n)
{
    const char *texts[2] = {text, text};
    const char *names[2] = {"part1.json", "part2.json"};
    cx_model *m = NULL;
    cx_warnings *w = cx_warnings_new();
    cx_error err;
    cx_error_init(&err);
    if (cx_fit_merge(texts, names, n, &m, w, &err) == CX_OK) {
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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        abort();
    memcpy(text, data, size);
    text[size] = '\0';
    merge(text, 1);
    merge(text, 2);
    free(text);
    return 0;
}
