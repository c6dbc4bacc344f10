/*
 * voice_internal.h - what voice.c needs from tokens.c: comments cut into
 * words, and the terms (words and two-word phrases) they give.  Never
 * installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_VOICE_INTERNAL_H
#define CX_VOICE_INTERNAL_H

#include "cxcase/voice.h"
#include "../core/core.h"

/* One word of a comment: its lower-cased bytes at text.data + off. */
typedef struct vt_word {
    size_t off, len;
    size_t ncp;        /* code points */
    unsigned char adj; /* adjacent to the word before: a phrase may join them */
    unsigned char stop;
} vt_word;

/* The words of one comment; reused from comment to comment. */
typedef struct vt_words {
    cx_buf text;
    vt_word *t;
    size_t n, cap;
} vt_words;

/* Make the stop-word set and the C.UTF-8 locale (once per process);
 * CX_ENOMEM when either cannot be made. */
cx_status vt_init(void);
/* Cut text[0..n) into words (tokens.c's rules), replacing w's contents. */
cx_status vt_split(const char *text, size_t n, vt_words *w);
/* Call emit for each term of w in order: word k (words = 1), then the
 * phrase of words k - 1 and k (words = 2), built in `scratch`.  Stops at
 * the first status other than CX_OK and returns it. */
cx_status vt_each_term(const vt_words *w, int no_stopwords, cx_buf *scratch,
                       cx_status (*emit)(const char *term, size_t len, int words, size_t k, void *arg), void *arg);
void vt_words_free(vt_words *w);

#endif
