/*
 * test_core.c - the core helpers: strict JSON input (positions of syntax errors, duplicate and unknown keys
 * with their JSON Pointer), the error formatter and the string map.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "helpers.h"
#include "core/core.h"
#include "core/jsonin.h"

static void json_should_report_syntax_errors_at_line_and_column(void **state)
{
    (void)state;
    cJSON *root = NULL;
    cx_error err;
    cx_error_init(&err);
    const char *text = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    assert_int_equal(cx_json_parse(text, strlen(text), "x.json", &root, &err), CX_ESYNTAX);
    assert_null(root);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 8);
    assert_non_null(strstr(err.message, "invalid JSON"));
    cx_error_init(&err);
    text = "{\"a\": 1} x";
    assert_int_equal(cx_json_parse(text, strlen(text), "x.json", &root, &err), CX_ESYNTAX);
    assert_int_equal(err.column, 10);
    assert_non_null(strstr(err.message, "the end of the document"));
}

/* The grammar of RFC 8259, stricter than cJSON alone: each fault at its
 * column with what was expected there. */
static void json_should_follow_the_strict_grammar(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        unsigned long col;
        const char *expected;
    } bad[] = {
        {"{\"a\": +1}", 7, "expected a value, found '+1}'"},
        {"{\"a\": 01}", 8, "expected ',' or '}', found '1}'"},
        {"{\"a\": 0.}", 9, "expected a digit after '.', found '}'"},
        {"{\"a\": 1e}", 9, "expected a digit in the exponent"},
        {"{\"a\": -}", 8, "expected a digit after '-'"},
        {"{\"a\": \"\\u12G4\"}", 8, "expected four hex digits after \\u"},
        {"{\"a\": \"\\q\"}", 8, "expected an escape"},
        {"{\"a\": \"x\ny\"}", 9, "found the end of the line"},
        {"{\"a\": \"xy", 10, "expected '\"' to end the string, found the end of the file"},
        {"{\"a\": nul}", 7, "expected a value, found 'nul}'"},
        {"{\"a\" 1}", 6, "expected ':' after the key"},
        {"{\"a\": 1,}", 9, "expected a key in double quotes, found '}'"},
        {"[1,]", 4, "expected a value, found ']'"},
        {"{\"a\": 1 // note\n}", 9, "expected ',' or '}', found '// note'"},
        {"  ", 3, "expected a value, found the end of the file"},
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        cJSON *root = NULL;
        cx_error err;
        cx_error_init(&err);
        assert_int_equal(cx_json_parse(bad[k].text, strlen(bad[k].text), "x.json", &root, &err),
                         CX_ESYNTAX);
        assert_null(root);
        if (err.column != bad[k].col || !strstr(err.message, bad[k].expected))
            fail_msg("%s: got column %lu, '%s'", bad[k].text, err.column, err.message);
    }
    /* nesting: cJSON's limit of 1000 levels is checked before cJSON runs */
    char deep[2 * 1001 + 1];
    memset(deep, '[', 1001);
    memset(deep + 1001, ']', 1001);
    deep[2002] = '\0';
    cJSON *root = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_json_parse(deep, 2002, "x.json", &root, &err), CX_ESYNTAX);
    assert_int_equal(err.column, 1001);
    cx_error_init(&err);
    assert_int_equal(cx_json_parse(deep + 1, 2000, "x.json", &root, &err), CX_OK);
    cJSON_Delete(root);
    /* valid documents, with a byte order mark, exponents and escapes */
    const char *good = "\xEF\xBB\xBF{\"a\": [-0.5e+3, 1E2, 0, true, null], \"b\": \"\\u00e9\\n\\/\"}";
    cx_error_init(&err);
    assert_int_equal(cx_json_parse(good, strlen(good), "x.json", &root, &err), CX_OK);
    assert_true(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "a"), 0)->valuedouble == -500);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(root, "b")->valuestring, "\xC3\xA9\n/");
    cJSON_Delete(root);
}

static void json_should_reject_duplicate_keys_with_their_pointer(void **state)
{
    (void)state;
    cJSON *root = NULL;
    cx_error err;
    cx_error_init(&err);
    const char *text = "{\"list\": [{\"x\": 1}, {\"y\": 2, \"y\": 3}]}";
    assert_int_equal(cx_json_parse(text, strlen(text), "x.json", &root, &err), CX_ESYNTAX);
    assert_string_equal(err.pointer, "/list/1/y");
    char line[CX_ERROR_LINE_MAX];
    assert_string_equal(cx_error_format(&err, line, sizeof line),
                        "x.json: /list/1/y: error: expected each key once in an object, found 'y' twice");
    /* keys are case-sensitive: Name and name are two keys */
    cx_error_init(&err);
    text = "{\"Name\": 1, \"name\": 2}";
    assert_int_equal(cx_json_parse(text, strlen(text), "x.json", &root, &err), CX_OK);
    cJSON_Delete(root);
}

static void json_should_name_unknown_keys_and_suggest_the_closest(void **state)
{
    (void)state;
    cJSON *root = NULL;
    cx_error err;
    cx_error_init(&err);
    const char *text = "{\"nmae\": \"x\", \"a/b\": 1}";
    assert_int_equal(cx_json_parse(text, strlen(text), "x.json", &root, &err), CX_OK);
    const char *const allowed[] = {"name", "units", NULL};
    cx_jpath p;
    cx_jpath_init(&p);
    assert_int_equal(cx_json_object(root, allowed, "x.json", &p, &err), CX_EINVAL);
    assert_string_equal(err.pointer, "/nmae");
    assert_non_null(strstr(err.message, "did you mean 'name'?"));
    /* a key with '/' is escaped in the pointer (RFC 6901) */
    cJSON_DeleteItemFromObjectCaseSensitive(root, "nmae");
    cx_error_init(&err);
    assert_int_equal(cx_json_object(root, allowed, "x.json", &p, &err), CX_EINVAL);
    assert_string_equal(err.pointer, "/a~1b");
    /* typed getters */
    cx_error_init(&err);
    cJSON_AddStringToObject(root, "n", "ten");
    double v;
    assert_int_equal(cx_json_number(root, "n", 1, "x.json", &p, &v, &err), CX_EINVAL);
    assert_string_equal(err.message, "expected a number, found string 'ten'");
    cJSON_Delete(root);
}

static void strmap_should_intern_and_find(void **state)
{
    (void)state;
    cx_strmap *m = cx_strmap_new();
    char key[32];
    for (size_t i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        size_t v;
        int fresh;
        assert_int_equal(cx_strmap_intern(m, key, strlen(key), i, &v, &fresh, NULL), CX_OK);
        assert_true(fresh);
        assert_int_equal(v, i);
    }
    for (size_t i = 0; i < 10000; i++) {
        snprintf(key, sizeof key, "k%zu", i);
        size_t v;
        assert_true(cx_strmap_get(m, key, strlen(key), &v));
        assert_int_equal(v, i);
    }
    assert_false(cx_strmap_get(m, "nope", 4, NULL));
    assert_int_equal(cx_strmap_count(m), 10000);
    cx_strmap_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_should_report_syntax_errors_at_line_and_column),
        cmocka_unit_test(json_should_follow_the_strict_grammar),
        cmocka_unit_test(json_should_reject_duplicate_keys_with_their_pointer),
        cmocka_unit_test(json_should_name_unknown_keys_and_suggest_the_closest),
        cmocka_unit_test(strmap_should_intern_and_find),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
