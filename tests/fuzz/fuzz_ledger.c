/*
 * fuzz_ledger.c - libFuzzer target: the ledger reader (`cxcase ledger
 * verify`, and what `simulate --record` reads before it appends).
 *
 * Each input is written as ledger.jsonl and verified.  A ledger that
 * verifies is then changed in one byte (at a position and to a value taken
 * from the input itself) and verified again, which must fail: the hash
 * chain's promise is that no single changed byte goes unnoticed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "fuzz.h"

static char in_path[300], flip_path[300];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_init();
    fuzz_path("ledger.jsonl", in_path, sizeof in_path);
    fuzz_path("flipped.jsonl", flip_path, sizeof flip_path);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_write(in_path, data, size);
    size_t n = 0;
    cx_error err;
    cx_error_init(&err);
    if (cx_ledger_verify(in_path, &n, &err) != CX_OK) {
        fuzz_format(&err);
        return 0;
    }
    if (size == 0)
        return 0;
    /* A position and a new value from the input's own bytes (FNV-1a), so
     * the fuzzer steers them and a crash reproduces from the file alone. */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    size_t at = h % size;
    uint8_t *copy = malloc(size);
    if (!copy)
        abort();
    memcpy(copy, data, size);
    copy[at] ^= (uint8_t)(1u + (h >> 24) % 255u); /* never 0: the byte changes */
    fuzz_write(flip_path, copy, size);
    free(copy);
    cx_error_init(&err);
    if (cx_ledger_verify(flip_path, &n, &err) == CX_OK) {
        fprintf(stderr, "a ledger of %zu bytes verifies with byte %zu changed\n", size, at);
        abort();
    }
    fuzz_format(&err);
    return 0;
}
