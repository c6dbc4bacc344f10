/*
 * cxcase/voice.h - the story behind the score: the words and two-word
 * phrases that distinguish the comments of one group of responses from
 * another's (detractors against promoters, a touchpoint against the rest,
 * the weeks in which a driver was at its worst against the other weeks).
 *
 *     cx_voice_options o = {.text = "comment", .by = "category", .top = 10};
 *     cx_voice *v = NULL;
 *     if (cx_voice_run("responses.csv", NULL, &o, &v, &err) == CX_OK)
 *         for (size_t i = 0; i < cx_voice_nterms(v, 0); i++) {
 *             const cx_voice_term *t = cx_voice_term_at(v, 0, i);
 *             printf("%-20s z = %.2f\n", t->term, t->z);
 *         }
 *     cx_voice_free(v);
 *
 * The statistic is the weighted log-odds ratio with an informative
 * Dirichlet prior (B. L. Monroe, M. P. Colaresi and K. M. Quinn, "Fightin'
 * Words: Lexical Feature Selection and Evaluation for Identifying the
 * Content of Political Conflict", Political Analysis 16(4), 2008, eq. 16
 * and 22).  For a term w, the focus group i and the group it is compared
 * with j, with y the term's count in a group, n the group's count of all
 * terms, and the prior a_w = a_0 c_w / N from the term's count c_w among
 * all N terms of every comment read:
 *
 *   delta_w = log((y_iw + a_w) / (n_i + a_0 - y_iw - a_w))
 *           - log((y_jw + a_w) / (n_j + a_0 - y_jw - a_w))
 *   var     = 1 / (y_iw + a_w) + 1 / (y_jw + a_w)
 *   z_w     = delta_w / sqrt(var)
 *
 * Terms are the words of a comment that are not stop words (at least two
 * letters) and the pairs of adjacent words whose second is not a stop word;
 * a word and a phrase are counted in one vector.  The tokenising
 * (README.md, "cxcase voice") lower-cases UTF-8 text with accents kept,
 * joins a word across an apostrophe or a hyphen, drops numbers, and lets a
 * phrase span only spaces.  The Dutch and English stop-word lists are
 * models/stopwords-nl.txt and models/stopwords-en.txt, compiled in.
 *
 * Ownership: a cx_voice owns every string and term it hands out; they stay
 * valid until cx_voice_free.
 *
 * Copyright (C) 2026 the cxcase authors.  SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CXCASE_VOICE_H
#define CXCASE_VOICE_H

#include <stddef.h>
#include <stdint.h>
#include "common.h"
#include "data.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The most quotes kept per term. */
#define CX_VOICE_QUOTES_MAX 3

/** Options for cx_voice_run; a zeroed struct means the defaults. */
typedef struct cx_voice_options {
    const char *text;     /**< the comment column; NULL = "comment" */
    const char *by;       /**< the group column, or "category" (detractor 0-6, passive 7-8,
                               promoter 9-10 from the score; unless the file has a column of
                               that name); NULL = "category".  Ignored with `worst`. */
    const char *score;    /**< the 0-10 score column for "category"; NULL = "score" */
    const char *compare[2]; /**< the two groups compared, each against the other; NULL:
                                 detractor and promoter for "category", worst and other with
                                 `worst`, else each group against all the others */
    int rest;             /**< 1: each group against all the others, whatever the grouping */
    const char *where_column; /**< keep only the responses whose `where_column` ("category"
                                   allowed) is `where_value`; NULL = all */
    const char *where_value;
    const char *metrics;  /**< with `worst`: the metrics CSV, one row per period x unit */
    const cx_csv_options *metrics_csv; /**< how to read `metrics` (NULL: defaults) */
    const char *worst;    /**< a numeric column of `metrics`: the groups become "worst", the
                               responses of the period x unit cells with the worst values, and
                               "other", the rest; a response joins its cell by its period (the
                               first period column, made as coarse as the metrics' one) and the
                               text columns both files have */
    int worst_low;        /**< 1: the lowest values are the worst (default: the highest) */
    double worst_share;   /**< the share of cells (with a value) that are worst: the
                               ceil(share x cells) worst ones; 0 = 0.2 */
    size_t top;           /**< terms kept per comparison; 0 = 15; SIZE_MAX = every term with
                               a positive z */
    size_t quotes;        /**< quotes per term, at most CX_VOICE_QUOTES_MAX; 0 = 3 */
    int no_quotes;        /**< 1: no quotes (a faster run) */
    double prior;         /**< a_0, the prior's total weight in terms; 0 = 1000 */
    int no_stopwords;     /**< 1: keep stop words as terms */
} cx_voice_options;

/** One distinctive term of a comparison. */
typedef struct cx_voice_term {
    const char *term;      /**< "bezorging" or the phrase "te laat" */
    int words;             /**< 1 or 2 */
    double z;              /**< delta / SE: > 0, distinctive of the focus group */
    double delta;          /**< the weighted log-odds ratio */
    double se;             /**< its standard error */
    uint64_t count;        /**< occurrences in the focus group's comments */
    uint64_t count_other;  /**< occurrences in the other side's comments */
    size_t nquotes;
    const char *quote[CX_VOICE_QUOTES_MAX]; /**< verbatim comments of the focus group that
                                                 contain the term, distinct, in file order */
} cx_voice_term;

/** Counts of one run, for the caller's report. */
typedef struct cx_voice_stats {
    uint64_t responses;     /**< data rows read */
    uint64_t comments;      /**< rows kept with a non-empty comment */
    uint64_t skipped_where; /**< rows left out by the where filter */
    uint64_t missing_group; /**< rows with an empty group (or score) */
    uint64_t unmatched;     /**< with `worst`: rows whose cell the metrics file lacks */
    uint64_t tokens;        /**< terms counted, words and phrases */
    size_t vocabulary;      /**< distinct terms */
    size_t cells, worst_cells; /**< with `worst`: cells with a value, and the worst ones */
    double worst_threshold; /**< with `worst`: the value of the last worst cell */
} cx_voice_stats;

typedef struct cx_voice cx_voice;

/**
 * Read the comments of the responses at `path` (opened with `copt`, NULL
 * for the defaults; "-" for standard input), group them, and compare the
 * groups as `opt` says.  Errors: CX_ENOENT when a file cannot be opened;
 * CX_EINVAL with the file for a missing column (with the nearest name), a
 * comment column with no comment at all ("the comment column 'comment' is
 * empty: no response has a comment"), a compared group that is not there
 * or has no comments, more than 1000 groups; CX_EINVAL at file:line:column
 * for a score outside 0-10; CX_EUSAGE for contradictory options;
 * CX_ENOMEM.  Caller frees *out with cx_voice_free.
 */
CX_API cx_status cx_voice_run(const char *path, const cx_csv_options *copt, const cx_voice_options *opt,
                              cx_voice **out, cx_error *err);
/** Free a result; NULL is allowed. */
CX_API void cx_voice_free(cx_voice *v);
/** The counts of the run. */
CX_API const cx_voice_stats *cx_voice_stats_get(const cx_voice *v);
/** The grouping in words: "category", "touchpoint", "worst delivery_days". */
CX_API const char *cx_voice_grouping(const cx_voice *v);
/** The prior weight a_0 used. */
CX_API double cx_voice_prior(const cx_voice *v);
/** The number of comparisons (focus group against the other side). */
CX_API size_t cx_voice_ncomparisons(const cx_voice *v);
/** Comparison k: the focus group's name, the other side's ("promoter", or
 *  "the rest"), and the number of comments on each side via *n and *n_other
 *  (either may be NULL). */
CX_API const char *cx_voice_focus(const cx_voice *v, size_t k, uint64_t *n, uint64_t *n_other);
CX_API const char *cx_voice_other(const cx_voice *v, size_t k);
/** The distinctive terms of comparison k, most distinctive (largest z) first. */
CX_API size_t cx_voice_nterms(const cx_voice *v, size_t k);
CX_API const cx_voice_term *cx_voice_term_at(const cx_voice *v, size_t k, size_t i);

/**
 * Tokenise one UTF-8 text as cx_voice_run does and call `emit` for each
 * term (a word, then the phrase it ends, if any) in order: `term` is
 * lower-cased, `len` bytes, `words` 1 or 2.  For tests and tools.
 * Returns CX_OK or CX_ENOMEM.
 */
CX_API cx_status cx_voice_terms(const char *text, size_t len, int no_stopwords,
                                void (*emit)(const char *term, size_t len, int words, void *arg), void *arg);

#ifdef __cplusplus
}
#endif

#endif /* CXCASE_VOICE_H */
