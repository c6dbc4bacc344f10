/*
 * tokens.c - comments cut into terms for `cxcase voice`: UTF-8 words,
 * lower-cased with their accents kept, numbers dropped, the Dutch and
 * English stop words (models/stopwords-*.txt, compiled in) left out as
 * words, and the two-word phrases of adjacent words.
 *
 * The rules, which tests/e2e/voice_reference.py implements independently:
 *   - a word character is a letter (ASCII, or any code point that glibc's
 *     C.UTF-8 locale calls alphabetic) or an ASCII digit;
 *   - an apostrophe (' or U+2019, kept as ') or a hyphen between two word
 *     characters joins them into one word ("didn't", "e-mail");
 *   - a combining accent (U+0300 to U+036F) after a word character stays in
 *     the word (text in decomposed form); elsewhere it separates words;
 *   - a word is lower-cased code point by code point (towlower);
 *   - a word without a letter is a number: dropped;
 *   - two words are adjacent when only spaces and tabs lie between them (a
 *     dropped number, punctuation or a line break ends a phrase);
 *   - terms: each word of at least two code points that is not a stop word,
 *     and each pair of adjacent words whose second is not a stop word (the
 *     first may be: "te laat", "too expensive"), written "first second".
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <locale.h>
#include <pthread.h>
#include <string.h>
#include <wctype.h>

#include "voice_internal.h"

/* ---- stop words ------------------------------------------------------------ */

static const char *const stopword_list[] = {
#include "stopwords.inc"
};

static cx_strmap *stopwords;
static locale_t utf8_locale;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_failed;

/* The stop-word set and the C.UTF-8 locale, made once per process (and
 * kept until it ends). */
static void init_once(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    stopwords = cx_strmap_new();
    if (!stopwords || !utf8_locale) {
        init_failed = 1;
        return;
    }
    for (size_t i = 0; i < sizeof stopword_list / sizeof stopword_list[0]; i++)
        if (cx_strmap_intern(stopwords, stopword_list[i], strlen(stopword_list[i]), 1, NULL, NULL, NULL) != CX_OK) {
            init_failed = 1;
            return;
        }
}

cx_status vt_init(void)
{
    pthread_once(&once, init_once);
    return init_failed ? CX_ENOMEM : CX_OK;
}

/* ---- UTF-8 ----------------------------------------------------------------- */

/* Decode the code point at s[*i] (n bytes in all) and advance *i; an
 * invalid byte is returned as U+FFFD (not a letter) and skipped alone. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *i)
{
    unsigned char c = s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (len == 0 || *i + len > n) {
        (*i)++;
        return 0xFFFD;
    }
    uint32_t cp = c & (0x3F >> (len - 1));
    for (size_t k = 1; k < len; k++) {
        if ((s[*i + k] & 0xC0) != 0x80) {
            (*i)++;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3F);
    }
    *i += len;
    return cp;
}

static void put_cp(cx_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (b->len + n <= b->cap) { /* the caller reserved room: no failure here */
        memcpy(b->data + b->len, u, n);
        b->len += n;
    }
}

enum { C_OTHER, C_SPACE, C_JOIN, C_MARK, C_DIGIT, C_LETTER };

static int classify(uint32_t cp)
{
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')
            return C_LETTER;
        if (cp >= '0' && cp <= '9')
            return C_DIGIT;
        if (cp == ' ' || cp == '\t')
            return C_SPACE;
        if (cp == '\'' || cp == '-')
            return C_JOIN;
        return C_OTHER;
    }
    if (cp == 0x2019)
        return C_JOIN;
    if (cp >= 0x300 && cp <= 0x36F)
        return C_MARK;
    return iswalpha_l((wint_t)cp, utf8_locale) ? C_LETTER : C_OTHER;
}

static uint32_t lower(uint32_t cp)
{
    if (cp < 0x80)
        return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
    return (uint32_t)towlower_l((wint_t)cp, utf8_locale);
}

/* ---- words ----------------------------------------------------------------- */

/* End the word being built (w->t[w->n] from w->text offset `start`): kept
 * when it has a letter, else dropped as a number, which ends a phrase. */
static cx_status end_word(vt_words *w, size_t start, size_t ncp, int letter, int *broken)
{
    if (!letter) {
        w->text.len = start;
        *broken = 1;
        return CX_OK;
    }
    if (cx_grow((void **)&w->t, &w->cap, w->n + 1, sizeof *w->t) != CX_OK)
        return CX_ENOMEM;
    vt_word *t = &w->t[w->n];
    t->off = start;
    t->len = w->text.len - start;
    t->ncp = ncp;
    t->adj = w->n > 0 && !*broken;
    t->stop = cx_strmap_get(stopwords, w->text.data + start, t->len, NULL);
    w->n++;
    *broken = 0;
    return CX_OK;
}

cx_status vt_split(const char *text, size_t n, vt_words *w)
{
    const unsigned char *s = (const unsigned char *)text;
    w->n = 0;
    w->text.len = 0;
    /* a lower-cased code point takes at most 4 bytes, as may the original's */
    if (w->text.cap < 4 * n + 4) {
        char *p = cx_realloc(w->text.data, 4 * n + 4);
        if (!p)
            return CX_ENOMEM;
        w->text.data = p;
        w->text.cap = 4 * n + 4;
    }
    size_t i = 0, start = 0, ncp = 0;
    int in_word = 0, letter = 0, broken = 0;
    while (i < n) {
        uint32_t cp = next_cp(s, n, &i);
        int c = classify(cp);
        if (c == C_JOIN && in_word && i < n) {
            size_t j = i;
            int nc = classify(next_cp(s, n, &j));
            if (nc == C_LETTER || nc == C_DIGIT) {
                put_cp(&w->text, cp == 0x2019 ? '\'' : cp);
                ncp++;
                continue;
            }
        }
        if (c == C_MARK && in_word) { /* a combining accent (decomposed text) */
            put_cp(&w->text, cp);
            ncp++;
            continue;
        }
        if (c == C_LETTER || c == C_DIGIT) {
            if (!in_word) {
                in_word = 1;
                start = w->text.len;
                ncp = 0;
                letter = 0;
            }
            put_cp(&w->text, c == C_LETTER ? lower(cp) : cp);
            ncp++;
            letter |= c == C_LETTER;
            continue;
        }
        if (in_word) {
            in_word = 0;
            if (end_word(w, start, ncp, letter, &broken) != CX_OK)
                return CX_ENOMEM;
        }
        if (c != C_SPACE)
            broken = 1;
    }
    if (in_word && end_word(w, start, ncp, letter, &broken) != CX_OK)
        return CX_ENOMEM;
    return CX_OK;
}

cx_status vt_each_term(const vt_words *w, int no_stopwords, cx_buf *scratch,
                       cx_status (*emit)(const char *term, size_t len, int words, size_t k, void *arg), void *arg)
{
    for (size_t k = 0; k < w->n; k++) {
        const vt_word *t = &w->t[k];
        const char *s = w->text.data + t->off;
        int stop = t->stop && !no_stopwords;
        cx_status st;
        if (!stop && t->ncp >= 2 && (st = emit(s, t->len, 1, k, arg)) != CX_OK)
            return st;
        if (!t->adj)
            continue;
        if (stop) /* a phrase never ends in a stop word ("returning is") */
            continue;
        const vt_word *p = &w->t[k - 1];
        scratch->len = 0;
        if (cx_buf_append(scratch, w->text.data + p->off, p->len) != CX_OK ||
            cx_buf_append(scratch, " ", 1) != CX_OK || cx_buf_append(scratch, s, t->len) != CX_OK)
            return CX_ENOMEM;
        if ((st = emit(scratch->data, scratch->len, 2, k, arg)) != CX_OK)
            return st;
    }
    return CX_OK;
}

void vt_words_free(vt_words *w)
{
    cx_free(w->t);
    cx_buf_free(&w->text);
    memset(w, 0, sizeof *w);
}

/* ---- the public helper ----------------------------------------------------- */

typedef struct emit_arg {
    void (*fn)(const char *term, size_t len, int words, void *arg);
    void *arg;
} emit_arg;

static cx_status call_user(const char *term, size_t len, int words, size_t k, void *arg)
{
    (void)k;
    const emit_arg *e = arg;
    e->fn(term, len, words, e->arg);
    return CX_OK;
}

cx_status cx_voice_terms(const char *text, size_t len, int no_stopwords,
                         void (*emit)(const char *term, size_t len, int words, void *arg), void *arg)
{
    if (vt_init() != CX_OK)
        return CX_ENOMEM;
    vt_words w = {0};
    cx_buf scratch = {0};
    emit_arg e = {emit, arg};
    cx_status st = vt_split(text, len, &w);
    if (st == CX_OK)
        st = vt_each_term(&w, no_stopwords, &scratch, call_user, &e);
    vt_words_free(&w);
    cx_buf_free(&scratch);
    return st;
}
