/*
 * suggest.c - "did you mean ...?" for names a user typed: the candidate
 * nearest by the optimal-string-alignment edit distance (Levenshtein with
 * transpositions, letters compared without case), when it is near enough to
 * be the name meant, and the candidates as a list for the message.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core.h"

#define NAME_MAX_LEN 64

/* The distance between a and b (each cut at NAME_MAX_LEN bytes). */
static size_t distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > NAME_MAX_LEN)
        n = NAME_MAX_LEN;
    if (m > NAME_MAX_LEN)
        m = NAME_MAX_LEN;
    size_t d[NAME_MAX_LEN + 1][NAME_MAX_LEN + 1];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            int same = tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 1]);
            size_t best = d[i - 1][j - 1] + !same;
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && tolower((unsigned char)a[i - 1]) == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == tolower((unsigned char)b[j - 1]) && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[n][m];
}

/* Whether the shorter of a and b (4 bytes or more) starts the longer, in
 * any case: "levertijd" for "levertijd_dagen". */
static int prefix_of(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    size_t k = n < m ? n : m;
    return k >= 4 && strncasecmp(a, b, k) == 0;
}

const char *cx_suggest(const char *name, const char *const *cands, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1, len = strlen(name);
    size_t limit = len / 3 > 2 ? len / 3 : 2;
    for (size_t k = 0; k < n; k++) {
        if (!cands[k] || strcmp(cands[k], name) == 0)
            continue;
        size_t d = distance(name, cands[k]);
        if (d > limit && !prefix_of(name, cands[k]))
            continue;
        if (d < bestd) {
            bestd = d;
            best = cands[k];
        }
    }
    return best;
}

cx_status cx_suggest_text(cx_buf *b, const char *name, const char *const *cands, size_t n, const char *what)
{
    const char *near = cx_suggest(name, cands, n);
    cx_status st = CX_OK;
    if (near)
        st = cx_buf_printf(b, "; did you mean '%s'?", near);
    if (st == CX_OK && n) {
        st = cx_buf_printf(b, " (%s: ", what);
        size_t shown = 0;
        for (size_t k = 0; k < n && st == CX_OK; k++) {
            if (!cands[k])
                continue;
            if (shown == 12) {
                st = cx_buf_printf(b, ", ... %zu more", n - k);
                break;
            }
            st = cx_buf_printf(b, "%s%s", shown++ ? ", " : "", cands[k]);
        }
        if (st == CX_OK)
            st = cx_buf_printf(b, ")");
    }
    return st;
}
