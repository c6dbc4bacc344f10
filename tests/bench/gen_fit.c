/*
 * gen_fit.c - the data file of the fit benchmark (tests/bench/fit.sh).
 *
 *     gen_fit FILE ROWS
 *
 * Writes ROWS data rows of
 *
 *     week,region,nps,conversion,handling_time_s,ctr,delivery_days
 *
 * week        2019-W01 .. 2025-W52
 * region      one of the 12 Dutch provinces
 * conversion  0.500 .. 5.500 (%, 3 decimals)
 * handling_time_s  60.00 .. 900.00 (seconds, 2 decimals)
 * ctr         0.500 .. 4.500 (%, 3 decimals)
 * delivery_days    1.00 .. 7.00 (2 decimals)
 * nps         10 + 4*conversion - 0.03*handling_time_s + 2*ctr
 *             - 5*delivery_days + noise, rounded to 2 decimals, where the
 *             noise is Irwin-Hall (12 uniforms - 6, sd 1) times 8.
 *
 * Everything is integer arithmetic on a fixed xorshift64* stream, formatted
 * by hand, so the file is byte-identical on every machine and fast to write
 * (about 50 bytes a row: 1e7 rows are about 500 MB).  The file is written to
 * FILE.tmp and renamed, so an interrupted run leaves no half file behind.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x2545F4914F6CDD1Du;

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545F4914F6CDD1Du;
}

static int64_t below(uint64_t n)
{
    return (int64_t)((rnd() >> 11) % n);
}

/* Append units * 10^-decimals as text at p; return the new end. */
static char *put_fixed(char *p, int64_t units, int decimals)
{
    char digits[32];
    int n = 0;
    if (units < 0) {
        *p++ = '-';
        units = -units;
    }
    do {
        digits[n++] = (char)('0' + units % 10);
        units /= 10;
    } while (units > 0 || n <= decimals);
    while (n > decimals)
        *p++ = digits[--n];
    if (decimals > 0) {
        *p++ = '.';
        while (n > 0)
            *p++ = digits[--n];
    }
    return p;
}

/* Integer division rounding half away from zero. */
static int64_t div_round(int64_t a, int64_t b)
{
    return a >= 0 ? (a + b / 2) / b : -((-a + b / 2) / b);
}

int main(int argc, char **argv)
{
    static const char *const regions[12] = {
        "Drenthe", "Flevoland", "Friesland", "Gelderland", "Groningen", "Limburg",
        "Noord-Brabant", "Noord-Holland", "Overijssel", "Utrecht", "Zeeland", "Zuid-Holland"};
    if (argc != 3) {
        fputs("usage: gen_fit FILE ROWS\n", stderr);
        return 64;
    }
    const char *path = argv[1];
    uint64_t rows = strtoull(argv[2], NULL, 10);
    size_t n = strlen(path);
    char *tmp = malloc(n + 5);
    if (!tmp)
        return 1;
    memcpy(tmp, path, n);
    memcpy(tmp + n, ".tmp", 5);
    FILE *fp = fopen(tmp, "w");
    if (!fp) {
        fprintf(stderr, "gen_fit: cannot create %s: %s\n", tmp, strerror(errno));
        return 73;
    }
    static char buf[1 << 16];
    fputs("week,region,nps,conversion,handling_time_s,ctr,delivery_days\n", fp);
    char *p = buf;
    for (uint64_t i = 0; i < rows; i++) {
        int64_t year = 2019 + below(7), week = 1 + below(52);
        const char *region = regions[below(12)];
        int64_t conv = 500 + below(5001);     /* 10^-3 */
        int64_t ht = 6000 + below(84001);     /* 10^-2 */
        int64_t ctr = 500 + below(4001);      /* 10^-3 */
        int64_t dd = 100 + below(601);        /* 10^-2 */
        int64_t noise = 0;                    /* 12 uniforms in 0 .. 2^20-1 */
        for (int k = 0; k < 12; k++)
            noise += (int64_t)(rnd() >> 44);
        noise -= 6 * ((int64_t)1 << 20);      /* mean 0, sd 2^20 */
        /* nps in 10^-5: 10 + 4 conv - 0.03 ht + 2 ctr - 5 dd + 8 noise/2^20 */
        int64_t nps5 = 1000000 + 400 * conv - 30 * ht + 200 * ctr - 5000 * dd
                       + div_round(noise * 800000, (int64_t)1 << 20);
        int64_t nps = div_round(nps5, 1000); /* 10^-2 */

        p = put_fixed(p, year, 0);
        *p++ = '-';
        *p++ = 'W';
        *p++ = (char)('0' + week / 10);
        *p++ = (char)('0' + week % 10);
        *p++ = ',';
        size_t rl = strlen(region);
        memcpy(p, region, rl);
        p += rl;
        *p++ = ',';
        p = put_fixed(p, nps, 2);
        *p++ = ',';
        p = put_fixed(p, conv, 3);
        *p++ = ',';
        p = put_fixed(p, ht, 2);
        *p++ = ',';
        p = put_fixed(p, ctr, 3);
        *p++ = ',';
        p = put_fixed(p, dd, 2);
        *p++ = '\n';
        if (p - buf > (long)sizeof buf - 256) {
            fwrite(buf, 1, (size_t)(p - buf), fp);
            p = buf;
        }
    }
    fwrite(buf, 1, (size_t)(p - buf), fp);
    int bad = ferror(fp);
    if (fclose(fp) != 0 || bad || rename(tmp, path) != 0) {
        fprintf(stderr, "gen_fit: cannot write %s: %s\n", path, strerror(errno));
        remove(tmp);
        return 74;
    }
    free(tmp);
    return 0;
}
