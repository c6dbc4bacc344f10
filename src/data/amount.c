/*
 * amount.c - amounts as finance writes them: thousands separators in the
 * three styles (1.073.237,22  1,073,237.22  1 073 237,22), a currency sign
 * or code before or after (€ 1.234,56  1.234,56 EUR), accounting negatives
 * (1.234,56) and a trailing minus (1.234,56-), percentages (2,5%).
 *
 * Only the decorations are read here.  The digits that remain are handed to
 * cx_number_parse as a plain decimal, so an amount is rounded exactly as the
 * same number written plainly: "1.073.237,22" and "1073237.22" are the same
 * double, bit for bit.  A percentage is the number as written (2,5% is 2.5,
 * in percentage points, as `conversion` is in the models), never 0.025.
 *
 * What the cell looked like comes back in a cx_amount_form, so that the CSV
 * reader can hold a column to one style and report the first cell that
 * mixes them.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <string.h>
#include <strings.h>

#include "cxcase/data.h"

#define DIGITS_MAX 120 /* digits and the mark of one amount; longer cells are no amounts */

/* A currency before or after the number: the sign or the ISO code. */
static const struct currency {
    const char *text;
    size_t len;
    const char *code;
} currencies[] = {
    {"\xE2\x82\xAC", 3, "EUR"}, {"EUR", 3, "EUR"}, {"$", 1, "USD"}, {"USD", 3, "USD"},
    {"\xC2\xA3", 2, "GBP"},     {"GBP", 3, "GBP"}, {"CHF", 3, "CHF"},
};

/* Length of a space at s[0 .. n): ' ', a tab, a no-break space (U+00A0) or a
 * narrow no-break space (U+202F), as Excel writes in some locales; else 0. */
static size_t space_at(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[0] == ' ' || s[0] == '\t'))
        return 1;
    if (n >= 2 && s[0] == 0xC2 && s[1] == 0xA0)
        return 2;
    if (n >= 3 && s[0] == 0xE2 && s[1] == 0x80 && s[2] == 0xAF)
        return 3;
    return 0;
}

/* The same at the end of s[0 .. n). */
static size_t space_before(const unsigned char *s, size_t n)
{
    if (n >= 1 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        return 1;
    if (n >= 2 && s[n - 2] == 0xC2 && s[n - 1] == 0xA0)
        return 2;
    if (n >= 3 && s[n - 3] == 0xE2 && s[n - 2] == 0x80 && s[n - 1] == 0xAF)
        return 3;
    return 0;
}

/* A currency at the start (at_end 0) or the end of s[0 .. n): its length,
 * and its code in *code; 0 when none.  Codes match in any case. */
static size_t currency_at(const unsigned char *s, size_t n, int at_end, const char **code)
{
    /* most cells end and start with a digit: no currency */
    if (n == 0 || (s[at_end ? n - 1 : 0] >= '0' && s[at_end ? n - 1 : 0] <= '9'))
        return 0;
    for (size_t k = 0; k < sizeof currencies / sizeof currencies[0]; k++) {
        size_t len = currencies[k].len;
        if (len > n)
            continue;
        const char *p = (const char *)s + (at_end ? n - len : 0);
        if (strncasecmp(p, currencies[k].text, len) == 0) {
            *code = currencies[k].code;
            return len;
        }
    }
    return 0;
}

/*
 * The body of an amount: digits with an optional decimal part after
 * `decimal`, optionally grouped in threes by one thousands separator (the
 * other mark, a space or a no-break space), the first group of 1 to 3
 * digits without a leading zero.  Copies the digits with a '.' for the mark
 * into out (DIGITS_MAX + 1 bytes) and sets *thousands (0, '.', ',' or ' ').
 * Returns the length of out, or 0 when the body is no such number.
 */
static size_t body(const unsigned char *s, size_t n, char decimal, char *out, char *thousands)
{
    size_t i = 0, o = 0, group = 0;
    size_t sep_len = 0;     /* the separator's length once seen */
    unsigned char sep0 = 0; /* its first byte */
    int groups = 0;         /* thousands groups read */
    *thousands = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9' && o < DIGITS_MAX)
        out[o++] = (char)s[i++], group++;
    for (;;) {
        if (i >= n || (char)s[i] == decimal)
            break;
        size_t len = space_at(s + i, n - i);
        char kind = len ? ' ' : 0;
        if (!len && (s[i] == '.' || s[i] == ',')) {
            len = 1;
            kind = (char)s[i];
        }
        if (!len)
            return 0; /* a byte that belongs to no amount */
        /* a thousands separator: after a first group of 1-3 digits without
         * a leading zero, or after a full group, always the same bytes */
        if (groups == 0 && (group < 1 || group > 3 || out[0] == '0'))
            return 0;
        if (groups > 0 && (group != 3 || len != sep_len || s[i] != sep0))
            return 0;
        sep_len = len;
        sep0 = s[i];
        *thousands = kind;
        i += len;
        group = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && o < DIGITS_MAX)
            out[o++] = (char)s[i++], group++;
        if (group != 3)
            return 0;
        groups++;
    }
    int any = o > 0;
    if (i < n) { /* the decimal mark and the fraction */
        i++;
        if (o < DIGITS_MAX)
            out[o++] = '.';
        size_t frac = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && o < DIGITS_MAX)
            out[o++] = (char)s[i++], frac++;
        if (frac == 0 || i < n)
            return 0;
        any = 1;
    }
    if (!any || o >= DIGITS_MAX)
        return 0;
    out[o] = '\0';
    return o;
}

cx_status cx_amount_parse(const char *text, size_t len, char decimal, double *out, cx_amount_form *form)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t a = 0, b = len, k;
    cx_amount_form f;
    memset(&f, 0, sizeof f);
    const char *code = NULL;
    int paren = 0, sign = 0, percent = 0;
    /* the decorations on the left: '(', a sign, a currency, spaces */
    for (;;) {
        if ((k = space_at(s + a, b - a)) > 0)
            a += k;
        else if (a < b && s[a] == '(' && !paren && !sign)
            paren = 1, a++;
        else if (a < b && (s[a] == '-' || s[a] == '+') && !sign)
            sign = s[a++] == '-' ? 1 : 2;
        else if (!code && (k = currency_at(s + a, b - a, 0, &code)) > 0)
            a += k;
        else
            break;
    }
    /* ... and on the right: ')', a trailing minus, '%', a currency, spaces */
    for (;;) {
        if ((k = space_before(s + a, b - a)) > 0)
            b -= k;
        else if (b > a && s[b - 1] == ')' && paren == 1)
            paren = 2, b--;
        else if (b > a && s[b - 1] == '-' && !sign && paren != 2)
            sign = 3, b--;
        else if (b > a && s[b - 1] == '%' && !percent)
            percent = 1, b--;
        else if (!code && (k = currency_at(s + a, b - a, 1, &code)) > 0)
            b -= k;
        else
            break;
    }
    if (paren == 1 || (paren == 2 && sign) || (percent && code) || a >= b)
        return CX_ESYNTAX;
    char digits[DIGITS_MAX + 1];
    size_t nd = body(s + a, b - a, decimal, digits, &f.thousands);
    if (!nd || f.thousands == decimal)
        return CX_ESYNTAX;
    double v;
    cx_status st = cx_number_parse(digits, nd, '.', &v);
    if (st != CX_OK)
        return st;
    int negative = paren == 2 || sign == 1 || sign == 3;
    f.negative = paren == 2 ? ')' : sign == 3 ? 't' : sign == 1 ? '-' : 0;
    f.percent = (char)percent;
    if (code)
        memcpy(f.currency, code, 4);
    *out = negative ? -v : v;
    if (form)
        *form = f;
    return CX_OK;
}
