/*
 * test_core.c - the core helpers:
 * strict JSON input (positions of syntax errors, duplicate and unknown keys
 * with their JSON Pointer), the error formatter and the string map; and the
 * anomalies of issue 15: kinds of input, limits, outputs written through a
 * temporary (a failed rename, a signal's cleanup), scratch files, UTF-8 and
 * windows-1252 at their edges, SOURCE_DATE_EPOCH, and every allocation of
 * the JSON reader and of a table's CSV output made to fail in turn.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

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


/* The _hashed calls with cx_strmap_hash equal the plain ones; a reserved
 * map holds its keys and values as a growing one does. */
static void strmap_should_find_by_hash_as_by_key(void **state)
{
    (void)state;
    cx_strmap *m = cx_strmap_new(), *grown = cx_strmap_new();
    assert_int_equal(cx_strmap_reserve(m, 5000), CX_OK);
    assert_int_equal(cx_strmap_count(m), 0);
    char key[32];
    for (size_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "C%07zu", i * 7919 % 5000);
        uint64_t h = cx_strmap_hash(key, strlen(key));
        cx_strmap_prefetch(m, h);
        cx_strmap_prefetch_key(m, h);
        size_t v;
        int fresh;
        const char *stored;
        assert_int_equal(cx_strmap_intern_hashed(m, key, strlen(key), h, i, &v, &fresh, &stored), CX_OK);
        assert_true(fresh);
        assert_int_equal(v, i);
        assert_string_equal(stored, key);
        assert_int_equal(cx_strmap_intern(grown, key, strlen(key), i, NULL, NULL, NULL), CX_OK);
    }
    for (size_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "C%07zu", i * 7919 % 5000);
        size_t a, b, c;
        assert_true(cx_strmap_get(m, key, strlen(key), &a));
        assert_true(cx_strmap_get_hashed(m, key, strlen(key), cx_strmap_hash(key, strlen(key)), &b));
        assert_true(cx_strmap_get(grown, key, strlen(key), &c));
        assert_int_equal(a, i);
        assert_int_equal(b, i);
        assert_int_equal(c, i);
        int fresh;
        assert_int_equal(cx_strmap_intern(m, key, strlen(key), 99999, &a, &fresh, NULL), CX_OK);
        assert_false(fresh);
        assert_int_equal(a, i);
    }
    assert_false(cx_strmap_get_hashed(m, "C", 1, cx_strmap_hash("C", 1), NULL));
    assert_false(cx_strmap_get_hashed(NULL, "C", 1, 0, NULL));
    assert_int_equal(cx_strmap_count(m), 5000);
    cx_strmap_free(m);
    cx_strmap_free(grown);
}

/* ---- errors ---------------------------------------------------------------- */

static void error_should_format_every_shape(void **state)
{
    (void)state;
    char buf[CX_ERROR_LINE_MAX];
    cx_error err;
    cx_error_init(&err);
    assert_string_equal(cx_error_format(&err, buf, sizeof buf), "no error");
    assert_string_equal(cx_error_format(NULL, buf, sizeof buf), "no error");
    assert_string_equal(cx_error_format(&err, buf, 0), "");
    cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "%s", "");
    assert_string_equal(cx_error_format(&err, buf, sizeof buf), "error: out of memory");
    cx_error_init(&err);
    cx_error_set(&err, CX_EIO, "a.csv", 7, 0, "read failed");
    assert_string_equal(cx_error_format(&err, buf, sizeof buf), "a.csv:7: error: read failed");
    cx_error_set(&err, CX_EINVAL, "b.csv", 1, 1, "later");
    assert_string_equal(err.file, "a.csv"); /* the first error wins */
    assert_string_equal(cx_strerror(CX_STATUS_MAX), "unknown status");
    assert_string_equal(cx_strerror((cx_status)-1), "unknown status");
    assert_string_equal(cx_strerror(CX_ENOENT), cx_strerror(CX_ENOENT));
    cx_warnings *w = cx_warnings_new();
    assert_int_equal(cx_warnings_add(NULL, "x"), CX_OK);
    assert_int_equal(cx_warnings_add(w, "%d apples", 3), CX_OK);
    assert_string_equal(cx_warnings_get(w, 0), "3 apples");
    assert_null(cx_warnings_get(w, 1));
    assert_int_equal(cx_warnings_count(NULL), 0);
    cx_warnings_free(w);
}

/* ---- inputs, limits and time ------------------------------------------------ */

static void input_should_accept_files_and_pipes_and_refuse_the_rest(void **state)
{
    (void)state;
    cx_error err;
    int fifo = 7;
    char *path = tmp_text("x\n");
    cx_error_init(&err);
    assert_int_equal(cx_input_check(path, "f", &fifo, &err), CX_OK);
    assert_int_equal(fifo, 0);
    assert_true(cx_input_regular(path));
    char dir[] = "/tmp/cxtestdirXXXXXX";
    assert_non_null(mkdtemp(dir));
    char fifo_path[64], sock_path[64];
    snprintf(fifo_path, sizeof fifo_path, "%s/fifo", dir);
    snprintf(sock_path, sizeof sock_path, "%s/sock", dir);
    assert_int_equal(mkfifo(fifo_path, 0600), 0);
    assert_int_equal(cx_input_check(fifo_path, "p", &fifo, &err), CX_OK);
    assert_int_equal(fifo, 1);
    assert_false(cx_input_regular(fifo_path)); /* never opened: a FIFO would block */
    int sfd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", sock_path);
    assert_int_equal(bind(sfd, (struct sockaddr *)&sa, sizeof sa), 0);
    static const struct {
        const char *path, *message;
    } refused[] = {{"/dev/null", "cannot open: a character device, not a file or a pipe"},
                   {"/tmp", "cannot open: a directory, not a file"},
                   {NULL, "cannot open: a socket, not a file or a pipe"},
                   {"/no/such/file", "cannot open: No such file or directory"}};
    for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
        cx_error_init(&err);
        assert_int_equal(cx_input_check(refused[k].path ? refused[k].path : sock_path, "in", NULL, &err), CX_ENOENT);
        assert_string_equal(err.message, refused[k].message);
        assert_string_equal(err.file, "in");
    }
    close(sfd);
    unlink(sock_path);
    unlink(fifo_path);
    rmdir(dir);
    tmp_remove(path);
}

static void limits_should_default_and_be_settable(void **state)
{
    (void)state;
    char buf[48];
    cx_limits l = cx_limits_get();
    assert_int_equal(l.max_line, (size_t)16 << 20);
    assert_int_equal(l.max_json, (size_t)64 << 20);
    assert_string_equal(cx_size_text(l.max_line, buf, sizeof buf), "16 MiB");
    assert_string_equal(cx_size_text(1536, buf, sizeof buf), "1536 bytes");
    cx_limits_set(&(cx_limits){.max_json = 32});
    l = cx_limits_get();
    assert_int_equal(l.max_line, (size_t)16 << 20); /* 0 keeps the default */
    assert_int_equal(l.max_json, 32);
    char *path = tmp_text("{\"name\": \"a plan with a name longer than the limit allows\"}");
    cx_error err;
    cx_error_init(&err);
    cJSON *root = NULL;
    assert_int_equal(cx_json_load(path, &root, &err), CX_ESYNTAX);
    assert_string_equal(err.message, "expected a JSON file of at most 32 bytes (raise the limit with "
                                     "--max-json), found a larger one");
    cx_limits_set(NULL);
    cx_error_init(&err);
    assert_int_equal(cx_json_load(path, &root, &err), CX_OK);
    cJSON_Delete(root);
    tmp_remove(path);
    cx_error_init(&err);
    assert_int_equal(cx_json_load("/dev/null", &root, &err), CX_ENOENT);
    assert_string_equal(err.message, "cannot open: a character device, not a file or a pipe");
}

static void time_should_follow_source_date_epoch(void **state)
{
    (void)state;
    char buf[32];
    time_t t;
    unsetenv("SOURCE_DATE_EPOCH");
    assert_int_equal(cx_source_date_epoch(&t), 0);
    time_t before = time(NULL);
    assert_true(cx_time_now() >= before);
    setenv("SOURCE_DATE_EPOCH", "1767225600", 1);
    assert_int_equal(cx_source_date_epoch(&t), 1);
    assert_string_equal(cx_time_iso(cx_time_now(), buf, sizeof buf), "2026-01-01T00:00:00Z");
    static const char *const bad[] = {"tomorrow", "-5", "12x", "99999999999999999999999"};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        setenv("SOURCE_DATE_EPOCH", bad[k], 1);
        assert_int_equal(cx_source_date_epoch(&t), -1);
        assert_true(cx_time_now() >= before); /* the clock, as if unset */
    }
    unsetenv("SOURCE_DATE_EPOCH");
}

/* ---- outputs ---------------------------------------------------------------- */

/* The temporary a name "<path>.tmp.XXXXXX" has, found by listing the folder. */
static int count_temporaries(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A '%s' | grep -c '\\.tmp\\.' > /dev/null", dir);
    return system(cmd) == 0;
}

static void outfile_should_write_rename_and_clean_up(void **state)
{
    (void)state;
    char dir[] = "/tmp/cxtestoutXXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128], sub[128];
    snprintf(path, sizeof path, "%s/out.csv", dir);
    snprintf(sub, sizeof sub, "%s/sub", dir);
    cx_error err;
    cx_error_init(&err);
    /* a signal handler's cleanup removes a temporary being written */
    cx_outfile o;
    assert_int_equal(cx_outfile_open(&o, path, &err), CX_OK);
    fputs("half", o.fp);
    assert_true(count_temporaries(dir));
    cx_remove_temporaries();
    assert_false(count_temporaries(dir));
    cx_outfile_abort(&o);
    cx_outfile_abort(&o); /* twice is safe */
    /* a rename over a folder fails with the system's reason, and leaves nothing */
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(cx_outfile_open(&o, sub, &err), CX_OK);
    assert_int_equal(cx_outfile_commit(&o, &err), CX_EIO);
    assert_string_equal(err.message, "cannot write output: Is a directory");
    assert_false(count_temporaries(dir));
    rmdir(sub);
    /* a copy from a descriptor, and a descriptor that cannot be read */
    char *src = tmp_text("copied bytes\n");
    int fd = open(src, O_RDONLY);
    cx_error_init(&err);
    assert_int_equal(cx_outfile_open(&o, path, &err), CX_OK);
    assert_int_equal(cx_outfile_copy_fd(&o, fd, &err), CX_OK);
    assert_int_equal(cx_outfile_commit(&o, &err), CX_OK);
    close(fd);
    FILE *fp = fopen(path, "r");
    char line[32] = "";
    assert_non_null(fgets(line, sizeof line, fp));
    fclose(fp);
    assert_string_equal(line, "copied bytes\n");
    assert_int_equal(cx_outfile_open(&o, path, &err), CX_OK);
    assert_int_equal(cx_outfile_copy_fd(&o, -1, &err), CX_EIO);
    assert_string_equal(err.message, "cannot write output: Bad file descriptor");
    cx_outfile_abort(&o);
    tmp_remove(src);
    /* the check before a long run */
    cx_error_init(&err);
    assert_int_equal(cx_output_check(path, &err), CX_OK);
    assert_false(count_temporaries(dir));
    assert_int_equal(cx_output_check("/no/such/dir/x.csv", &err), CX_ECREATE);
    assert_string_equal(err.message, "cannot create output: No such file or directory");
    unlink(path);
    rmdir(dir);
}

static void scratch_should_vanish_and_name_its_folder(void **state)
{
    (void)state;
    cx_error err;
    cx_error_init(&err);
    int fd;
    char proc[32];
    assert_int_equal(cx_scratch_open("w.xlsx", &fd, proc, &err), CX_OK);
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal(sb.st_nlink, 0); /* unlinked: nothing to leave behind */
    FILE *fp = fopen(proc, "wb");     /* opened again by its /proc name */
    assert_non_null(fp);
    fputs("abc", fp);
    fclose(fp);
    assert_int_equal(lseek(fd, 0, SEEK_END), 3);
    close(fd);
    const char *old = getenv("TMPDIR");
    char *saved = old ? strdup(old) : NULL;
    setenv("TMPDIR", "/no/such/dir", 1);
    assert_int_equal(cx_scratch_open("w.xlsx", &fd, proc, &err), CX_EIO);
    assert_string_equal(err.file, "w.xlsx");
    assert_string_equal(err.message, "cannot make a temporary file in /no/such/dir: No such file or directory");
    if (saved)
        setenv("TMPDIR", saved, 1);
    else
        unsetenv("TMPDIR");
    free(saved);
}

/* ---- text ------------------------------------------------------------------- */

static void utf8_should_know_its_edges(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t valid;
    } cases[] = {{"\xE2\x82\xAC", 3},           /* euro sign */
                 {"\xE0\xA0\x80", 3},           /* smallest 3-byte */
                 {"\xE0\x9F\xBF", 0},           /* overlong 3-byte */
                 {"\xED\x9F\xBF", 3},           /* below the surrogates */
                 {"\xED\xA0\x80", 0},           /* a surrogate */
                 {"\xF0\x90\x80\x80", 4},       /* smallest 4-byte */
                 {"\xF0\x8F\xBF\xBF", 0},       /* overlong 4-byte */
                 {"\xF4\x8F\xBF\xBF", 4},       /* U+10FFFF */
                 {"\xF4\x90\x80\x80", 0},       /* above U+10FFFF */
                 {"\xF5\x80\x80\x80", 0},       /* no such lead byte */
                 {"a\xC3", 1},                  /* cut short */
                 {"\xC3\x28", 0}};              /* a bad continuation */
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++)
        assert_int_equal(cx_utf8_valid_prefix((const unsigned char *)cases[k].s, strlen(cases[k].s)), cases[k].valid);
    char out[128];
    cx_quote_excerpt("a\nb\rc\td\x01" "e\xE2\x82\xAC" "f\xC3", 14, 40, out, sizeof out);
    assert_string_equal(out, "a\\nb\\rc\\td\\x01e\xE2\x82\xAC" "f\\xC3");
    cx_quote_excerpt("abcdef", 6, 3, out, sizeof out);
    assert_string_equal(out, "abc...");
    cx_quote_excerpt("abc", 3, 3, out, 0); /* no room: nothing written, no crash */
    char money[32];
    assert_string_equal(cx_money_text(-1234567.8, money, sizeof money), "-1,234,568");
    assert_string_equal(cx_money_text(NAN, money, sizeof money), "-");
    assert_string_equal(cx_money_text(999, money, sizeof money), "999");
    /* windows-1252: the five undefined bytes become the C1 controls, as
     * Excel reads them; the rest through iconv */
    cx_buf b = {0};
    assert_int_equal(cx_cp1252_to_utf8(&b, (const unsigned char *)"\x80\x81 \xE2\x8D", 5), CX_OK);
    assert_int_equal(b.len, 10);
    assert_memory_equal(b.data, "\xE2\x82\xAC\xC2\x81 \xC3\xA2\xC2\x8D", 10);
    cx_buf_free(&b);
}

static void alloc_should_refuse_overflows(void **state)
{
    (void)state;
    assert_null(cx_calloc(SIZE_MAX / 2, 4));
    void *p = NULL;
    size_t cap = 0;
    assert_int_equal(cx_grow(&p, &cap, SIZE_MAX / 2, 4), CX_ENOMEM);
    assert_null(p);
    cx_strmap *m = cx_strmap_new();
    assert_false(cx_strmap_get(m, "a", 1, NULL)); /* an empty map */
    cx_strmap_clear(m);
    assert_int_equal(cx_strmap_count(m), 0);
    cx_strmap_free(m);
    cx_strmap_free(NULL);
    char hex[65];
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_sha256_file("/no/such/file", hex, &err), CX_ENOENT);
}

/* ---- failed allocations ------------------------------------------------------ */

static long budget = -1;
static void *budget_malloc(size_t n)
{
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return malloc(n);
}
static void *budget_realloc(void *p, size_t n)
{
    if (budget == 0)
        return NULL;
    if (budget > 0)
        budget--;
    return realloc(p, n);
}

/* Fail the 1st, 2nd ... allocation of the JSON reader (with a duplicate-key
 * check over nested objects) and of a table's CSV output in turn: each call
 * reports CX_ENOMEM (or succeeds once the budget suffices) and leaks
 * nothing, which AddressSanitizer checks. */
static void json_and_outputs_should_survive_every_failed_allocation(void **state)
{
    (void)state;
    char *path = tmp_text("{\"a\": [1, {\"b\": \"x\", \"c\": [true, null]}], \"d\": {\"e\": 2.5}}");
    char *csv = tmp_text("week,region,x\n2025-W01,=N,1.5\n2025-W02,South,\n");
    char out[64];
    snprintf(out, sizeof out, "%s.out", csv);
    cx_table *t = NULL;
    cx_error err;
    cx_error_init(&err);
    assert_int_equal(cx_csv_read(csv, NULL, &t, &err), CX_OK);
    cx_set_alloc_hooks(budget_malloc, budget_realloc, NULL);
    int json_ok = 0, csv_ok = 0;
    for (long k = 0; k < 400 && !(json_ok && csv_ok); k++) {
        budget = k;
        cJSON *root = NULL;
        cx_error_init(&err);
        cx_status st = json_ok ? CX_OK : cx_json_load(path, &root, &err);
        if (!json_ok && st == CX_OK)
            json_ok = 1;
        else if (!json_ok)
            assert_int_equal(st, CX_ENOMEM);
        cJSON_Delete(root);
        budget = k;
        cx_error_init(&err);
        st = csv_ok ? CX_OK : cx_table_write_csv(t, out, &err);
        if (!csv_ok && st == CX_OK)
            csv_ok = 1;
        else if (!csv_ok)
            assert_int_equal(st, CX_ENOMEM);
    }
    budget = -1;
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_true(json_ok && csv_ok);
    FILE *fp = fopen(out, "r");
    char line[64];
    assert_non_null(fgets(line, sizeof line, fp));
    assert_non_null(fgets(line, sizeof line, fp));
    assert_string_equal(line, "2025-W01,\"'=N\",1.5\n"); /* the formula guard */
    fclose(fp);
    unlink(out);
    cx_table_free(t);
    tmp_remove(csv);
    tmp_remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_should_report_syntax_errors_at_line_and_column),
        cmocka_unit_test(json_should_follow_the_strict_grammar),
        cmocka_unit_test(json_should_reject_duplicate_keys_with_their_pointer),
        cmocka_unit_test(json_should_name_unknown_keys_and_suggest_the_closest),
        cmocka_unit_test(strmap_should_intern_and_find),
        cmocka_unit_test(strmap_should_find_by_hash_as_by_key),
        cmocka_unit_test(error_should_format_every_shape),
        cmocka_unit_test(input_should_accept_files_and_pipes_and_refuse_the_rest),
        cmocka_unit_test(limits_should_default_and_be_settable),
        cmocka_unit_test(time_should_follow_source_date_epoch),
        cmocka_unit_test(outfile_should_write_rename_and_clean_up),
        cmocka_unit_test(scratch_should_vanish_and_name_its_folder),
        cmocka_unit_test(utf8_should_know_its_edges),
        cmocka_unit_test(alloc_should_refuse_overflows),
        cmocka_unit_test(json_and_outputs_should_survive_every_failed_allocation),
    };
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
