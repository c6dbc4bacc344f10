/*
 * utf8.c - UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing
 * above U+10FFFF), code-point counting for message columns, windows-1252
 * conversion through iconv, excerpts of input text for messages, and amounts
 * written with thousands separators.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <errno.h>
#include <iconv.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* Length of the longest valid UTF-8 prefix of s[0..n). */
size_t cx_utf8_valid_prefix(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII fast path, eight bytes at a time. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0;
            else if (c == 0xED)
                hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F;
        } else
            return i;
        if (i + len > n)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; k++)
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return n;
}

size_t cx_utf8_count(const unsigned char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            count++;
    return count;
}

/* Convert windows-1252 to UTF-8 with glibc's iconv.  The five bytes that
 * windows-1252 leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) are passed
 * through as the C1 controls of the same number, as Windows itself does. */
cx_status cx_cp1252_to_utf8(cx_buf *b, const unsigned char *s, size_t n)
{
    static const char undefined[] = "\x81\x8d\x8f\x90\x9d";
    iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
    if (cd == (iconv_t)-1)
        return CX_EIO;
    cx_status st = CX_OK;
    size_t i = 0;
    while (i < n && st == CX_OK) {
        size_t j = i;
        while (j < n && (s[j] < 0x80 || !memchr(undefined, s[j], 5)))
            j++;
        char *in = (char *)(s + i);
        size_t inleft = j - i;
        while (inleft > 0) {
            if (cx_grow((void **)&b->data, &b->cap, b->len + inleft * 3 + 1, 1) != CX_OK) {
                st = CX_ENOMEM;
                break;
            }
            char *out = b->data + b->len;
            size_t outleft = b->cap - b->len - 1;
            size_t r = iconv(cd, &in, &inleft, &out, &outleft);
            b->len = (size_t)(out - b->data);
            if (r == (size_t)-1 && errno != E2BIG) {
                st = CX_EIO;
                break;
            }
        }
        if (st == CX_OK && j < n) {
            unsigned char c2[2] = {0xC2, s[j]};
            st = cx_buf_append(b, c2, 2);
            j++;
        }
        i = j;
    }
    if (b->data)
        b->data[b->len] = '\0';
    iconv_close(cd);
    return st;
}

/* Excerpt for messages: at most `max` code points; control bytes become
 * \n, \r, \t or \xNN, and so do bytes that are not valid UTF-8; a cut is
 * marked with "...". */
void cx_quote_excerpt(const char *s, size_t n, size_t max, char *out, size_t size)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0, i = 0, cps = 0;
    if (size == 0)
        return;
    while (i < n && cps < max) {
        unsigned char c = u[i];
        char tmp[8];
        size_t tl, adv = 1;
        if (c == '\n' || c == '\r' || c == '\t') {
            tmp[0] = '\\';
            tmp[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
            tl = 2;
        } else if (c < 0x20 || c == 0x7F) {
            tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02X", c);
        } else if (c < 0x80) {
            tmp[0] = (char)c;
            tl = 1;
        } else {
            size_t seq = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
            if (seq && i + seq <= n && cx_utf8_valid_prefix(u + i, seq) == seq) {
                memcpy(tmp, u + i, seq);
                tl = adv = seq;
            } else
                tl = (size_t)snprintf(tmp, sizeof tmp, "\\x%02X", c);
        }
        if (o + tl + 4 >= size)
            break;
        memcpy(out + o, tmp, tl);
        o += tl;
        i += adv;
        cps++;
    }
    if (i < n && o + 4 <= size) {
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[o] = '\0';
}

const char *cx_money_text(double v, char *buf, size_t size)
{
    if (!isfinite(v)) {
        snprintf(buf, size, "-");
        return buf;
    }
    char digits[64];
    snprintf(digits, sizeof digits, "%.0f", fabs(v));
    size_t n = strlen(digits), o = 0;
    if (v < 0 && strcmp(digits, "0") != 0 && o + 1 < size)
        buf[o++] = '-';
    for (size_t i = 0; i < n && o + 2 < size; i++) {
        buf[o++] = digits[i];
        if ((n - i - 1) % 3 == 0 && i + 1 < n)
            buf[o++] = ',';
    }
    buf[o] = '\0';
    return buf;
}
