/*
 * number.c - locale-independent, correctly rounded parsing of decimal numbers.
 *
 * Business data is almost always short decimals ("412.3", "1250000.00"), and
 * for those Clinger's fast path is exact (parse_short takes the shortest of
 * them, up to 15 digits, in one loop): when the decimal significand m fits
 * in 53 bits and the power of ten 10^e has |e| <= 22 (so 10^e is itself an
 * exact double), m * 10^e or m / 10^e is one correctly rounded IEEE operation
 * (W. D. Clinger, "How to read floating point numbers accurately", PLDI 1990).
 * Everything else goes to strtod_l in the C locale, which glibc rounds
 * correctly.  This relies on FLT_EVAL_METHOD == 0 (SSE2 arithmetic), which
 * the build checks.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cxcase/data.h"

#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0
#error "Clinger's fast path needs double arithmetic without excess precision (FLT_EVAL_METHOD 0)"
#endif

static const double pow10_exact[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void)
{
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* The slow path: strtod_l in the C locale on a copy with '.' as the mark. */
static cx_status parse_slow(const char *s, size_t len, char decimal, double *out)
{
    char stack[128];
    char *buf = len < sizeof stack ? stack : malloc(len + 1);
    if (!buf)
        return CX_ENOMEM;
    for (size_t i = 0; i < len; i++)
        buf[i] = (s[i] == decimal) ? '.' : s[i];
    buf[len] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    cx_status st = CX_OK;
    if (!c_locale) {
        st = CX_ENOMEM;
    } else {
        char *end;
        errno = 0;
        double v = strtod_l(buf, &end, c_locale);
        if (end != buf + len || (errno == ERANGE && isinf(v)))
            st = CX_ESYNTAX;
        else
            *out = v;
    }
    if (buf != stack)
        free(buf);
    return st;
}

/*
 * The short path: [sign] digits [mark digits] with at most 15 digits in all
 * and at least one, which is what business data nearly always holds.  The
 * significand then stays below 10^15 < 2^53 and the power of ten is at most
 * 10^15, so one exact conversion and one division are correctly rounded;
 * the value is the one the general code below computes, with one loop per
 * digit and none of its bookkeeping.  Returns 0 when the text is not of
 * that form (the general code decides).
 */
static int parse_short(const char *p, const char *end, char decimal, double *out)
{
    int neg = 0;
    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    uint64_t m = 0;
    const char *q = p;
    while (q < end && (unsigned)(*q - '0') < 10)
        m = m * 10 + (uint64_t)(*q++ - '0');
    size_t nint = (size_t)(q - p), nfrac = 0;
    if (q < end && *q == decimal) {
        const char *f = ++q;
        while (q < end && (unsigned)(*q - '0') < 10)
            m = m * 10 + (uint64_t)(*q++ - '0');
        nfrac = (size_t)(q - f);
    }
    if (q != end || nint + nfrac == 0 || nint + nfrac > 15)
        return 0;
    double v = (double)m;
    if (nfrac)
        v /= pow10_exact[nfrac];
    *out = neg ? -v : v;
    return 1;
}

cx_status cx_number_parse(const char *text, size_t len, char decimal, double *out)
{
    const char *p = text, *end = text + len;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    while (end > p && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    const char *start = p;
    if (p == end)
        return CX_ESYNTAX;
    if (parse_short(p, end, decimal, out))
        return CX_OK;

    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    uint64_t m = 0;
    int digits = 0;      /* significant digits taken into m */
    int any = 0;         /* any digit at all */
    int dropped = 0;     /* nonzero digits that did not fit in m */
    long exp10 = 0;

    while (p < end && *p >= '0' && *p <= '9') {
        any = 1;
        if (digits < 19) {
            if (m || *p != '0') {
                m = m * 10 + (uint64_t)(*p - '0');
                digits++;
            }
        } else {
            exp10++;
            dropped |= *p != '0';
        }
        p++;
    }
    if (p < end && *p == decimal) {
        p++;
        while (p < end && *p >= '0' && *p <= '9') {
            any = 1;
            if (digits < 19) {
                if (m || *p != '0')
                    digits++;
                m = m * 10 + (uint64_t)(*p - '0');
                exp10--;
            } else
                dropped |= *p != '0';
            p++;
        }
    }
    if (!any)
        return CX_ESYNTAX;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int eneg = 0;
        if (p < end && (*p == '-' || *p == '+'))
            eneg = *p++ == '-';
        if (p == end || *p < '0' || *p > '9')
            return CX_ESYNTAX;
        long e = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            if (e < 100000)
                e = e * 10 + (*p - '0');
            p++;
        }
        exp10 += eneg ? -e : e;
    }
    if (p != end)
        return CX_ESYNTAX;

    if (m == 0 && !dropped) {
        *out = neg ? -0.0 : 0.0;
        return CX_OK;
    }
    if (!dropped && m <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
        double v = (double)m;
        v = exp10 < 0 ? v / pow10_exact[-exp10] : v * pow10_exact[exp10];
        *out = neg ? -v : v;
        return CX_OK;
    }
    return parse_slow(start, (size_t)(end - start), decimal, out);
}
