/*
 * bench_csv.c - how fast is CSV reading, and where does the time go?
 *
 *     bench_csv gen FILE ROWS          write the benchmark file (deterministic)
 *     bench_csv gen-nl FILE ROWS       the same values as a Dutch export: ';',
 *                                      decimal commas, '.' thousands on the
 *                                      amounts, day-first dates
 *     bench_csv cx FILE [REPEAT]       the full reader: cx_csv_open/cx_csv_next,
 *                                      typed blocks, every numeric column summed
 *     bench_csv libcsv FILE [REPEAT]   libcsv tokenising only (no-op callbacks)
 *     bench_csv strtod FILE [REPEAT]   libcsv + strtod on the numeric columns
 *     bench_csv cxnum FILE [REPEAT]    libcsv + cx_number_parse on the numeric columns
 *     bench_csv exec FILE REPEAT CMD [ARG...]
 *                                      time an external command (wc -l FILE),
 *                                      its stdout sent to /dev/null
 *
 * Each timing mode runs REPEAT times (default 3) and prints the best run as
 * one line:
 *
 *     MODE bytes=N rows=N seconds=S mbps=M checksum=C
 *
 * where MB is 10^6 bytes, rows are data rows (the header excluded) and the
 * checksum is the sum of every numeric cell (the field count for libcsv,
 * 0 for exec), so that the work cannot be optimised away and the modes that
 * parse numbers can be compared.  A column counts as numeric in the strtod
 * and cxnum modes when its cell in the first data row is a number, which is
 * what the reader's type inference decides for a file like the generated one.
 *
 * The generated file has 8 columns: week (2019-W01 .. 2025-W52), region (one
 * of the 12 Dutch provinces) and 6 numeric columns with 1 to 6 decimals,
 * built from a fixed xorshift generator with integer formatting only, so the
 * file is byte-identical on every machine.  The Dutch file (gen-nl) holds
 * the same numbers (the same checksum) written as Dutch Excel writes them:
 * datum;regio;... with a date 17-03-2021 for each row (day 1-28, month
 * 1-12 from the week), decimal commas, and the amounts in euros with '.'
 * between thousands (123.456,78).
 *
 * No timing here is ever a pass/fail assertion.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cxcase/cxcase.h"

#define CHUNK (1u << 20)
#define MAXCOLS 256

typedef struct result {
    uint64_t rows;
    double checksum;
} result;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t file_size(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "bench_csv: %s: %s\n", path, strerror(errno));
        exit(66);
    }
    return (uint64_t)st.st_size;
}

/* ======================================================================== */
/* The generated file                                                       */
/* ======================================================================== */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static uint64_t rnd(void)
{
    /* xorshift64* */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static uint64_t below(uint64_t n)
{
    return (rnd() >> 11) % n;
}

/* A decimal number lo_units .. hi_units (in units of 10^-decimals),
 * written as text without floating point. */
static int dutch; /* gen-nl: decimal commas, '.' thousands on amounts */

static void put_fixed(FILE *fp, int64_t units, int decimals)
{
    int64_t scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    if (units < 0) {
        fputc('-', fp);
        units = -units;
    }
    long long ip = (long long)(units / scale);
    if (dutch && ip >= 1000)
        fprintf(fp, "%lld.%03lld", ip / 1000, ip % 1000); /* amounts below a million */
    else
        fprintf(fp, "%lld", ip);
    if (decimals > 0)
        fprintf(fp, "%c%0*lld", dutch ? ',' : '.', decimals, (long long)(units % scale));
}

static int generate(const char *path, uint64_t rows)
{
    static const char *const regions[12] = {
        "Drenthe", "Flevoland", "Friesland", "Gelderland", "Groningen", "Limburg",
        "Noord-Brabant", "Noord-Holland", "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland"};
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp)
        return 1;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        fprintf(stderr, "bench_csv: cannot create %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return 73;
    }
    char sep = dutch ? ';' : ',';
    fputs(dutch ? "datum;regio;levertijd_dagen;afhandeltijd_min;conversie_pct;ctr_pct;omzet_eur;nps\n"
                : "week,region,delivery_days,handle_time_min,conversion_pct,ctr_pct,revenue_eur,nps\n",
          fp);
    for (uint64_t i = 0; i < rows; i++) {
        unsigned year = 2019 + (unsigned)below(7), week = 1 + (unsigned)below(52);
        if (dutch)
            fprintf(fp, "%02u-%02u-%u;%s;", 1 + week % 28, 1 + week % 12, year, regions[below(12)]);
        else
            fprintf(fp, "%u-W%02u,%s,", year, week, regions[below(12)]);
        put_fixed(fp, 100 + (int64_t)below(600), 2);          /* 1.00 .. 6.99 days */
        fputc(sep, fp);
        put_fixed(fp, 30 + (int64_t)below(121), 1);           /* 3.0 .. 15.0 minutes */
        fputc(sep, fp);
        put_fixed(fp, 500 + (int64_t)below(5001), 3);         /* 0.500 .. 5.500 % */
        fputc(sep, fp);
        put_fixed(fp, 1000 + (int64_t)below(40001), 4);       /* 0.1000 .. 4.1000 % */
        fputc(sep, fp);
        put_fixed(fp, 100000 + (int64_t)below(24900001), 2);  /* 1000.00 .. 250000.00 EUR */
        fputc(sep, fp);
        put_fixed(fp, -30000000 + (int64_t)below(100000001), 6); /* -30 .. 70 NPS */
        fputc('\n', fp);
    }
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
        fprintf(stderr, "bench_csv: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return 74;
    }
    free(tmp);
    return 0;
}

/* ======================================================================== */
/* The full reader                                                          */
/* ======================================================================== */

static int run_cx(const char *path, result *res)
{
    cx_error err;
    cx_error_init(&err);
    cx_csv_reader *r = NULL;
    double sums[MAXCOLS] = {0};
    res->rows = 0;
    res->checksum = 0;
    cx_status st = cx_csv_open(path, NULL, &r, &err);
    const cx_table *block = NULL;
    while (st == CX_OK && (st = cx_csv_next(r, &block, &err)) == CX_OK && block) {
        size_t nrows = cx_table_nrows(block), ncols = cx_table_ncols(block);
        for (size_t j = 0; j < ncols && j < MAXCOLS; j++) {
            if (cx_table_coltype(block, j) != CX_COL_NUMBER)
                continue;
            const double *v = cx_table_numbers(block, j);
            double s = sums[j];
            for (size_t i = 0; i < nrows; i++)
                if (v[i] == v[i]) /* not NaN (missing) */
                    s += v[i];
            sums[j] = s;
        }
        res->rows += nrows;
    }
    cx_csv_close(r);
    if (st != CX_OK) {
        char line[CX_ERROR_LINE_MAX];
        fprintf(stderr, "bench_csv: %s\n", cx_error_format(&err, line, sizeof line));
        return 65;
    }
    for (size_t j = 0; j < MAXCOLS; j++)
        res->checksum += sums[j];
    return 0;
}

/* ======================================================================== */
/* libcsv alone, and libcsv + a number parser                               */
/* ======================================================================== */

enum { PARSE_NONE, PARSE_STRTOD, PARSE_CX };

typedef struct tok_state {
    int parse;
    size_t col;
    uint64_t records;
    uint64_t fields;
    int numeric[MAXCOLS]; /* decided on the first data row */
    double sums[MAXCOLS];
    int bad;
} tok_state;

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t';
}

static void tok_field(void *s, size_t n, void *data)
{
    tok_state *t = data;
    size_t col = t->col++;
    t->fields++;
    if (t->parse == PARSE_NONE || t->records == 0 || col >= MAXCOLS || n == 0)
        return;
    if (t->records > 1 && !t->numeric[col])
        return;
    const char *text = s;
    double v;
    int ok;
    if (t->parse == PARSE_STRTOD) {
        char *end; /* CSV_APPEND_NULL: the field is NUL-terminated */
        v = strtod(text, &end);
        ok = end == text + n && end != text;
    } else {
        ok = cx_number_parse(text, n, '.', &v) == CX_OK;
    }
    if (t->records == 1) {
        t->numeric[col] = ok;
        if (!ok)
            return;
    } else if (!ok) {
        t->bad = 1;
        return;
    }
    t->sums[col] += v;
}

static void tok_row(int c, void *data)
{
    tok_state *t = data;
    (void)c;
    t->records++;
    t->col = 0;
}

static int run_tokenise(const char *path, int parse, result *res)
{
    static tok_state t;
    memset(&t, 0, sizeof t);
    t.parse = parse;
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return 1;
    csv_set_space_func(&p, is_space);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        fprintf(stderr, "bench_csv: %s: %s\n", path, strerror(errno));
        csv_free(&p);
        return 66;
    }
    char *buf = malloc(CHUNK);
    int rc = buf ? 0 : 1;
    size_t got;
    while (!rc && (got = fread(buf, 1, CHUNK, fp)) > 0) {
        if (csv_parse(&p, buf, got, tok_field, tok_row, &t) != got) {
            fprintf(stderr, "bench_csv: %s: libcsv: %s\n", path,
                    csv_strerror(csv_error(&p)));
            rc = 65;
        }
    }
    if (!rc && ferror(fp))
        rc = 74;
    if (!rc && csv_fini(&p, tok_field, tok_row, &t) != 0)
        rc = 65;
    if (!rc && t.bad) {
        fprintf(stderr, "bench_csv: %s: a numeric column has a cell that is no number\n", path);
        rc = 65;
    }
    csv_free(&p);
    free(buf);
    fclose(fp);
    res->rows = t.records ? t.records - 1 : 0;
    res->checksum = 0;
    if (parse == PARSE_NONE)
        res->checksum = (double)t.fields;
    else
        for (size_t j = 0; j < MAXCOLS; j++)
            res->checksum += t.sums[j];
    return rc;
}

/* ======================================================================== */
/* An external command                                                      */
/* ======================================================================== */

static int run_exec(char **argv, result *res)
{
    res->rows = 0;
    res->checksum = 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return 71;
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0)
            dup2(fd, STDOUT_FILENO);
        execvp(argv[0], argv);
        fprintf(stderr, "bench_csv: cannot run %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return 71;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "bench_csv: %s failed\n", argv[0]);
        return 1;
    }
    return 0;
}

/* ======================================================================== */

static int usage(void)
{
    fputs("usage: bench_csv gen|gen-nl FILE ROWS\n"
          "       bench_csv cx|libcsv|strtod|cxnum FILE [REPEAT]\n"
          "       bench_csv exec FILE REPEAT CMD [ARG...]\n",
          stderr);
    return 64;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    const char *mode = argv[1], *path = argv[2];
    if (strcmp(mode, "gen") == 0 || strcmp(mode, "gen-nl") == 0) {
        if (argc != 4)
            return usage();
        dutch = mode[3] == '-';
        return generate(path, strtoull(argv[3], NULL, 10));
    }
    int repeat = argc >= 4 ? atoi(argv[3]) : 3;
    if (repeat < 1)
        repeat = 1;
    int which;
    if (strcmp(mode, "cx") == 0)
        which = 0;
    else if (strcmp(mode, "libcsv") == 0)
        which = 1;
    else if (strcmp(mode, "strtod") == 0)
        which = 2;
    else if (strcmp(mode, "cxnum") == 0)
        which = 3;
    else if (strcmp(mode, "exec") == 0 && argc >= 5)
        which = 4;
    else
        return usage();

    uint64_t bytes = file_size(path);
    double best = -1;
    result res = {0, 0};
    for (int k = 0; k < repeat; k++) {
        double t0 = now();
        int rc;
        switch (which) {
        case 0: rc = run_cx(path, &res); break;
        case 1: rc = run_tokenise(path, PARSE_NONE, &res); break;
        case 2: rc = run_tokenise(path, PARSE_STRTOD, &res); break;
        case 3: rc = run_tokenise(path, PARSE_CX, &res); break;
        default: rc = run_exec(argv + 4, &res); break;
        }
        double dt = now() - t0;
        if (rc != 0)
            return rc;
        if (best < 0 || dt < best)
            best = dt;
    }
    printf("%s bytes=%llu rows=%llu seconds=%.6f mbps=%.1f checksum=%.17g\n", mode,
           (unsigned long long)bytes, (unsigned long long)res.rows, best,
           best > 0 ? (double)bytes / 1e6 / best : 0.0, res.checksum);
    return 0;
}
