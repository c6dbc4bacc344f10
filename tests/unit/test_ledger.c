/*
 * test_ledger.c - the hash chain of the ledger (src/review/ledger.c): the
 * exact bytes of a record, "prev" as the digest of the line before, every
 * single flipped bit of a three-record ledger named with its record, cut
 * and reordered ledgers, an append refused on a bad ledger, and the record
 * time from SOURCE_DATE_EPOCH.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <sys/stat.h>

#include "helpers.h"
#include "core/core.h"
#include "review/ledger_internal.h"

/* The whole of file `path` (NUL-terminated), freed with free(). */
static char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    char *b = malloc(1 << 16);
    assert_non_null(b);
    *len = fread(b, 1, (1 << 16) - 1, fp);
    b[*len] = '\0';
    fclose(fp);
    return b;
}

/* A ledger of `n` records {"n": i} in a new folder; returns its path. */
static char *make_ledger(int n)
{
    char *dir = strdup("/tmp/cxledgerXXXXXX");
    assert_non_null(mkdtemp(dir));
    char *path = malloc(strlen(dir) + 16);
    sprintf(path, "%s/cases.jsonl", dir);
    free(dir);
    setenv("SOURCE_DATE_EPOCH", "0", 1);
    for (int i = 1; i <= n; i++) {
        cJSON *body = cJSON_CreateObject();
        cJSON_AddNumberToObject(body, "n", i);
        size_t seq = 0;
        cx_error err;
        cx_error_init(&err);
        assert_int_equal(cx_ledger_append(path, "case", body, &seq, &err), CX_OK);
        assert_int_equal(seq, (size_t)i);
        cJSON_Delete(body);
    }
    return path;
}

static void drop_ledger(char *path)
{
    unlink(path);
    *strrchr(path, '/') = '\0';
    rmdir(path);
    free(path);
}

static void ledger_should_write_the_record_it_documents(void **state)
{
    (void)state;
    char *path = make_ledger(2);
    size_t len;
    char *text = slurp(path, &len);
    const char *first = "{\"seq\":1,\"kind\":\"case\",\"created_at\":\"1970-01-01T00:00:00Z\",\"tool\":\"cxcase " CX_VERSION
                        "\",\"prev\":null,\"n\":1}";
    char own[65], line[400];
    cx_sha256_hex(first, strlen(first), own);
    snprintf(line, sizeof line, "%.*s,\"sha256\":\"%s\"}\n", (int)strlen(first) - 1, first, own);
    assert_memory_equal(text, line, strlen(line));
    /* the second record's prev is the digest of the first line without its newline */
    char prev[65], want[100];
    cx_sha256_hex(line, strlen(line) - 1, prev);
    snprintf(want, sizeof want, "\"prev\":\"%s\",\"n\":2,", prev);
    assert_non_null(strstr(text + strlen(line), want));
    size_t n = 0;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_ledger_verify(path, &n, &err), CX_OK);
    assert_int_equal(n, 2);
    free(text);
    drop_ledger(path);
}

static void ledger_should_name_every_flipped_bit(void **state)
{
    (void)state;
    char *path = make_ledger(3);
    size_t len;
    char *text = slurp(path, &len);
    for (size_t pos = 0; pos < len; pos++)
        for (int bit = 0; bit < 8; bit++) {
            unsigned long rec = 1;
            for (size_t i = 0; i < pos; i++)
                rec += text[i] == '\n';
            text[pos] = (char)(text[pos] ^ (1 << bit));
            size_t n = 0;
            char last[65];
            cx_error err;
            cx_error_init(&err);
            cx_status st = cx_ledger_check("L", text, len, &n, last, &err);
            text[pos] = (char)(text[pos] ^ (1 << bit));
            if (st != CX_ESYNTAX || err.line != rec)
                fail_msg("byte %zu bit %d: status %d at line %lu, expected record %lu", pos, bit, (int)st,
                         err.line, rec);
            char head[40];
            snprintf(head, sizeof head, "record %lu ", rec);
            char head2[40];
            snprintf(head2, sizeof head2, "record %lu:", rec);
            assert_true(strncmp(err.message, head, strlen(head)) == 0 ||
                        strncmp(err.message, head2, strlen(head2)) == 0);
        }
    free(text);
    drop_ledger(path);
}

static void ledger_should_name_cut_and_reordered_records(void **state)
{
    (void)state;
    char *path = make_ledger(3);
    size_t len, n;
    char *text = slurp(path, &len), last[65];
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_ledger_check("L", text, len - 1, &n, last, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 3);
    assert_string_equal(err.message, "record 3 is incomplete: its line has no end (a write was cut short)");
    /* records 2 and 3 swapped: record 2 now says seq 3 */
    size_t l1 = (size_t)(strchr(text, '\n') - text) + 1, l2 = (size_t)(strchr(text + l1, '\n') - text) + 1 - l1;
    char *sw = malloc(len + 1);
    memcpy(sw, text, l1);
    memcpy(sw + l1, text + l1 + l2, len - l1 - l2);
    memcpy(sw + len - l2, text + l1, l2);
    cx_error_init(&err);
    assert_int_equal(cx_ledger_check("L", sw, len, &n, last, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.message, "record 2: expected \"seq\": 2");
    /* an empty ledger has no records */
    cx_error_init(&err);
    assert_int_equal(cx_ledger_check("L", "", 0, &n, last, &err), CX_OK);
    assert_int_equal(n, 0);
    assert_string_equal(last, "");
    free(sw);
    free(text);
    drop_ledger(path);
}

static void ledger_should_refuse_to_append_to_a_bad_ledger(void **state)
{
    (void)state;
    char *path = make_ledger(2);
    size_t len, len2;
    char *text = slurp(path, &len);
    text[40] = (char)(text[40] ^ 1);
    FILE *fp = fopen(path, "wb");
    fwrite(text, 1, len, fp);
    fclose(fp);
    cJSON *body = cJSON_CreateObject();
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_ledger_append(path, "case", body, NULL, &err), CX_ESYNTAX);
    assert_int_equal(err.line, 1);
    cJSON_Delete(body);
    char *after = slurp(path, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(after, text, len);
    free(after);
    free(text);
    drop_ledger(path);
}

static void ledger_time_should_honour_source_date_epoch(void **state)
{
    (void)state;
    char t[32];
    cx_error err;
    cx_error_init(&err);
    setenv("SOURCE_DATE_EPOCH", "1774915200", 1);
    assert_int_equal(cx_ledger_time(t, &err), CX_OK);
    assert_string_equal(t, "2026-03-31T00:00:00Z");
    setenv("SOURCE_DATE_EPOCH", "yesterday", 1);
    assert_int_equal(cx_ledger_time(t, &err), CX_EUSAGE);
    assert_string_equal(err.message, "SOURCE_DATE_EPOCH: expected whole seconds since 1970, found 'yesterday'");
    unsetenv("SOURCE_DATE_EPOCH");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ledger_should_write_the_record_it_documents),
        cmocka_unit_test(ledger_should_name_every_flipped_bit),
        cmocka_unit_test(ledger_should_name_cut_and_reordered_records),
        cmocka_unit_test(ledger_should_refuse_to_append_to_a_bad_ledger),
        cmocka_unit_test(ledger_time_should_honour_source_date_epoch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
