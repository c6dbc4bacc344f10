/*
 * test_digest.c - SHA-256 (src/core/digest.c, by GNU Nettle): the FIPS 180-4
 * examples, the same digest whatever the pieces the bytes come in, and files
 * (read here or on a thread of their own) compared with coreutils' sha256sum
 * run by the test.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "helpers.h"
#include "core/core.h"

#ifndef TOP
#define TOP "."
#endif

#define MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

/* The digest sha256sum prints for `path`, into out[65]. */
static void sha256sum(const char *path, char out[65])
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    char line[4400];
    assert_non_null(fgets(line, sizeof line, p));
    assert_int_equal(pclose(p), 0);
    assert_true(strlen(line) > 64 && line[64] == ' ');
    memcpy(out, line, 64);
    out[64] = '\0';
}

/* High-entropy bytes from a fixed seed (xorshift64*). */
static unsigned char *random_bytes(size_t n, uint64_t seed)
{
    unsigned char *b = malloc(n);
    assert_non_null(b);
    for (size_t i = 0; i < n; i++) {
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        b[i] = (unsigned char)((seed * 0x2545F4914F6CDD1DULL) >> 56);
    }
    return b;
}

static void sha256_should_match_the_fips_examples(void **state)
{
    (void)state;
    char hex[65];
    cx_sha256_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    cx_sha256_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    cx_sha256_hex(two, strlen(two), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', in one piece and through a file */
    char *big = malloc(1000000);
    assert_non_null(big);
    memset(big, 'a', 1000000);
    cx_sha256_hex(big, 1000000, hex);
    assert_string_equal(hex, MILLION_A);
    char *path = tmp_file(big, 1000000);
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_sha256_file(path, hex, &err), CX_OK);
    assert_string_equal(hex, MILLION_A);
    tmp_remove(path);
    free(big);
}

/* The incremental interface: pieces of every size across block borders
 * give the digest of the whole, and final starts the state again. */
static void sha256_should_not_depend_on_the_pieces(void **state)
{
    (void)state;
    char hex[65];
    cx_sha256 s;
    cx_sha256_init(&s);
    static const size_t sizes[] = {1, 63, 64, 65, 7, 1000, 4096, 55, 56, 57};
    size_t done = 0, k = 0;
    char piece[4096];
    memset(piece, 'a', sizeof piece);
    while (done < 1000000) {
        size_t n = sizes[k++ % (sizeof sizes / sizeof sizes[0])];
        if (n > 1000000 - done)
            n = 1000000 - done;
        cx_sha256_update(&s, piece, n);
        done += n;
    }
    cx_sha256_final(&s, hex);
    assert_string_equal(hex, MILLION_A);
    cx_sha256_update(&s, "abc", 3);
    cx_sha256_final(&s, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

/* Real files against sha256sum: a sample export, and random bytes over
 * several 256 KiB reads, whole and from an offset on. */
static void sha256_file_should_agree_with_sha256sum(void **state)
{
    (void)state;
    char hex[65], want[65];
    cx_error err;
    cx_error_init(&err);
    const char *sample = TOP "/samples/responses.csv";
    assert_int_equal(cx_sha256_file(sample, hex, &err), CX_OK);
    sha256sum(sample, want);
    assert_string_equal(hex, want);

    size_t n = 3 * (1u << 18) + 12345, at = 777777;
    unsigned char *bytes = random_bytes(n, 20250101);
    char *path = tmp_file(bytes, n);
    assert_int_equal(cx_sha256_file(path, hex, &err), CX_OK);
    sha256sum(path, want);
    assert_string_equal(hex, want);
    /* the same bytes in two pieces, and on a thread of their own */
    cx_sha256 s;
    cx_sha256_init(&s);
    cx_sha256_update(&s, bytes, at);
    cx_sha256_update(&s, bytes + at, n - at);
    cx_sha256_final(&s, hex);
    assert_string_equal(hex, want);
    memset(hex, 0, sizeof hex);
    assert_int_equal(cx_sha256_file_finish(cx_sha256_file_start(path), 0, hex), 1);
    assert_string_equal(hex, want);
    tmp_remove(path);
    free(bytes);
}

/* A job that is cancelled, or whose file cannot be read, gives no digest
 * (its caller hashes again to say why); a NULL job neither. */
static void sha256_job_should_give_nothing_when_it_fails(void **state)
{
    (void)state;
    char hex[65] = "untouched";
    assert_int_equal(cx_sha256_file_finish(cx_sha256_file_start("/nonexistent/in.csv"), 0, hex), 0);
    assert_int_equal(cx_sha256_file_finish(cx_sha256_file_start(TOP "/samples/responses.csv"), 1, hex), 0);
    assert_int_equal(cx_sha256_file_finish(NULL, 0, hex), 0);
    assert_string_equal(hex, "untouched");
}

static void sha256_file_should_name_a_missing_file(void **state)
{
    (void)state;
    char hex[65];
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_sha256_file("/nonexistent/in.csv", hex, &err), CX_ENOENT);
    assert_string_equal(err.file, "/nonexistent/in.csv");
    assert_non_null(strstr(err.message, "cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sha256_should_match_the_fips_examples),
        cmocka_unit_test(sha256_should_not_depend_on_the_pieces),
        cmocka_unit_test(sha256_file_should_agree_with_sha256sum),
        cmocka_unit_test(sha256_file_should_name_a_missing_file),
        cmocka_unit_test(sha256_job_should_give_nothing_when_it_fails),
    };
    return cmocka_run_group_tests_name("digest", tests, NULL, NULL);
}
