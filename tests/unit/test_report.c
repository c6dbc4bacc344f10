/*
 * test_report.c - the workbook writer when memory runs out: a failed
 * allocation anywhere in cx_report_write gives CX_ENOMEM and leaves neither
 * the workbook nor its temporary file; an existing workbook stays as it
 * was.  Each allocation fails alone, the others succeeding, so that a
 * failure the writer does not notice (a sheet silently cut short) shows.  (What the workbook holds: tests/e2e/t90 to t93.)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "helpers.h"
#include "sample_doc.h"
#include "sim/scenario_internal.h"

/* Allocation number fail_at (counted from 0 by alloc_count) fails, once;
 * the others succeed, so that a failure nobody notices shows. */
static long fail_at = -1, alloc_count = 0;
static void *failing_malloc(size_t n)
{
    return alloc_count++ == fail_at ? NULL : malloc(n);
}
static void *failing_realloc(void *p, size_t n)
{
    return alloc_count++ == fail_at ? NULL : realloc(p, n);
}

/* A temporary copy of the first `lines` lines of file `path` (the caller
 * removes it). */
static char *head_copy(const char *path, int lines)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap), line[8192];
    assert_non_null(buf);
    for (int i = 0; i < lines && fgets(line, sizeof line, f); i++) {
        size_t n = strlen(line);
        if (len + n > cap)
            assert_non_null(buf = realloc(buf, cap *= 2));
        memcpy(buf + len, line, n);
        len += n;
    }
    fclose(f);
    char *out = tmp_file(buf, len);
    free(buf);
    return out;
}

/* Files in directory d. */
static int files_in(const char *d)
{
    DIR *dir = opendir(d);
    assert_non_null(dir);
    int n = 0;
    for (struct dirent *e; (e = readdir(dir));)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dir);
    return n;
}

static void report_should_leave_nothing_when_memory_runs_out(void **state)
{
    (void)state;
    gsl_set_error_handler_off(); /* GSL's failures as statuses (README, "Using the library") */
    char *spath = NULL;
    /* next-day delivery to a target level: "Delivery first" gets a U sheet */
    cx_scenario *s = load_doc(sample_doc_with_target(2.0), &spath);
    cx_simulation *sim = NULL;
    cx_error err;
    cx_error_init(&err);
    cx_sim_options so = {.draws = 200, .threads = 1};
    if (cx_simulate(s, &so, &sim, &err) != CX_OK)
        fail_msg("%s", err.message);
    /* The Voice sheet reads the responses' comments at every write: a copy
     * of their first 3,000 lines keeps each of the ~600 writes below cheap
     * (the sweep is about the writer, not about the size of that file). */
    char *small = NULL;
    for (size_t i = 0; i < s->ndata; i++)
        if (s->data[i].responses) {
            small = head_copy(s->data[i].file, 3000);
            free(s->data[i].file);
            assert_non_null(s->data[i].file = strdup(small));
        }
    assert_non_null(small);
    char dir[] = "/tmp/cxreportXXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[64], keep[64];
    snprintf(out, sizeof out, "%s/r.xlsx", dir);
    snprintf(keep, sizeof keep, "%s/kept.xlsx", dir);
    cx_report_options ro = {.created = "2026-11-23T00:00:00Z"};

    /* a first run makes what is made once per process (the Voice sheet's
     * stop-word set), so that every counted allocation recurs in each run */
    assert_int_equal(cx_report_write(s, sim, keep, &ro, &err), CX_OK);
    unlink(keep);
    /* the allocations of one complete run */
    cx_set_alloc_hooks(failing_malloc, failing_realloc, NULL);
    alloc_count = 0;
    assert_int_equal(cx_report_write(s, sim, keep, &ro, &err), CX_OK);
    long total = alloc_count;
    struct stat st0;
    assert_int_equal(stat(keep, &st0), 0);
    assert_true(total > 50);
    /* Under the sanitizers (SANITIZED=1, tests/cli/lib.sh) every sixth
     * allocation fails, in turn: each failure costs up to a whole workbook
     * there, and the plain pass fails every one. */
    const char *san = getenv("SANITIZED");
    long stride = san && strcmp(san, "1") == 0 ? 6 : 1; /* k = 6, the existing workbook, included */
    print_message("one workbook makes %ld counted allocations; every %s fails in turn\n", total,
                  stride == 1 ? "one" : "sixth");

    /* fail each allocation in turn (one of them on a workbook that exists
     * already): always CX_ENOMEM, and nothing left behind: no file, and no
     * descriptor (a dropped workbook's sheets' temporary files are closed) */
    int fds = files_in("/proc/self/fd");
    for (long k = 0; k < total; k += stride) {
        fail_at = k;
        alloc_count = 0;
        cx_error_init(&err);
        const char *target = k == 6 ? keep : out;
        cx_status st = cx_report_write(s, sim, target, &ro, &err);
        fail_at = -1;
        if (st == CX_OK && k != 6 && stat(out, &(struct stat){0}) == 0) {
            /* libcsv (reading the responses for the Voice sheet) retries a
             * failed buffer growth with a smaller one: the run recovered and
             * wrote the whole workbook */
            unlink(out);
            continue;
        }
        assert_int_equal(st, CX_ENOMEM);
        struct stat st1;
        assert_int_equal(stat(keep, &st1), 0);
        assert_true(st1.st_ino == st0.st_ino && st1.st_size == st0.st_size); /* the old workbook, untouched */
        assert_int_equal(files_in(dir), 1);                                    /* no r.xlsx, no temporary file */
    }
    cx_set_alloc_hooks(NULL, NULL, NULL);
    assert_int_equal(files_in("/proc/self/fd"), fds);
    unlink(keep);
    rmdir(dir);
    cx_simulation_free(sim);
    cx_scenario_free(s);
    tmp_remove(spath);
    tmp_remove(small);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(report_should_leave_nothing_when_memory_runs_out),
    };
    return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
