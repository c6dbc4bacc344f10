/*
 * cmd_voice.c - `cxcase voice`: the words and two-word phrases that
 * distinguish the comments of one group of responses from another's
 * (detractors against promoters by default), with z-scores from the
 * weighted log-odds ratio with an informative Dirichlet prior, and
 * verbatim quotes.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: cxcase voice RESPONSES.csv [--text COLUMN] [--by COLUMN] [options]\n"
    "\n"
    "The story behind the score: the words and two-word phrases that most\n"
    "distinguish the comments of one group of responses from another's, by the\n"
    "weighted log-odds ratio with an informative Dirichlet prior (Monroe,\n"
    "Colaresi & Quinn 2008, \"Fightin' Words\"), with a z-score per term and two\n"
    "or three verbatim quotes.  Words are lower-cased with accents kept, numbers\n"
    "dropped, Dutch and English stop words left out (models/stopwords-*.txt).\n"
    "\n"
    "options:\n"
    "  --text COLUMN      the comment column (default: comment)\n"
    "  --by COLUMN        the groups: 'category' (default: detractor 0-6, passive\n"
    "                     7-8, promoter 9-10 from the score) or a column\n"
    "                     (touchpoint, region ...)\n"
    "  --compare A,B      compare group A with group B, both ways (default for\n"
    "                     category: detractor,promoter; 'rest': each group against\n"
    "                     all the others, the default for a column)\n"
    "  --where COL=VALUE  only the responses whose COL ('category' allowed) is VALUE\n"
    "  --metrics FILE     with --worst: a metrics export, one row per period x unit\n"
    "  --worst COLUMN[:low]  group by the driver's worst cells: 'worst', the\n"
    "                     responses of the period x unit cells (joined on the\n"
    "                     period and the text columns both files have) with the\n"
    "                     highest COLUMN (:low: the lowest), against 'other'\n"
    "  --worst-share P    the share of cells that are worst (default 0.2)\n"
    "  --top N            terms per group (default 15; 'all': every term with z > 0)\n"
    "  --quotes N         quotes per term, 0 to 3 (default 3)\n"
    "  --prior A0         the prior's weight a0 in terms (default 1000)\n"
    "  --keep-stopwords   count stop words as terms too\n"
    "  --score COLUMN     the 0-10 score column for 'category' (default: score)\n"
    "  --json             print the comparisons as JSON on stdout\n"
    "  --sep SEP          force the separator: ',', ';' or 'tab' (default: detected)\n"
    "  --decimal MARK     force the decimal mark '.' or ','\n"
    "  --encoding ENC     utf-8 (default) or windows-1252\n"
    "  --rename OLD=NEW   rename columns on the way in (comma-separated pairs)\n"
    "  --date-format FMT  read dates with this strptime format\n"
    "  --max-line SIZE    the longest record read, in bytes (default 16M)\n"
    "  -h, --help         show this help\n"
    "\n"
    "z = delta / SE with delta the difference of the two groups' log-odds of the\n"
    "term, smoothed by a prior a0 x (the term's share of all terms); z > 1.96 is\n"
    "distinctive at 5%%.  README.md, 'cxcase voice', gives the formulas and rules.\n"
    "exit status: 0 ok, 64 bad usage, 65 bad input data (no comments at all, a\n"
    "group that is not there), 66 input cannot be opened, 74 I/O error.\n";

enum { OPT_TEXT = 256, OPT_BY, OPT_COMPARE, OPT_WHERE, OPT_METRICS, OPT_WORST, OPT_WORST_SHARE, OPT_TOP,
       OPT_QUOTES, OPT_PRIOR, OPT_KEEP, OPT_SCORE, OPT_JSON, OPT_SEP, OPT_DECIMAL, OPT_ENCODING, OPT_RENAME,
       OPT_DATE_FORMAT, OPT_MAX_LINE };

static const struct option options[] = {
    {"text", required_argument, NULL, OPT_TEXT},
    {"by", required_argument, NULL, OPT_BY},
    {"compare", required_argument, NULL, OPT_COMPARE},
    {"where", required_argument, NULL, OPT_WHERE},
    {"metrics", required_argument, NULL, OPT_METRICS},
    {"worst", required_argument, NULL, OPT_WORST},
    {"worst-share", required_argument, NULL, OPT_WORST_SHARE},
    {"top", required_argument, NULL, OPT_TOP},
    {"quotes", required_argument, NULL, OPT_QUOTES},
    {"prior", required_argument, NULL, OPT_PRIOR},
    {"keep-stopwords", no_argument, NULL, OPT_KEEP},
    {"score", required_argument, NULL, OPT_SCORE},
    {"json", no_argument, NULL, OPT_JSON},
    {"sep", required_argument, NULL, OPT_SEP},
    {"decimal", required_argument, NULL, OPT_DECIMAL},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"rename", required_argument, NULL, OPT_RENAME},
    {"date-format", required_argument, NULL, OPT_DATE_FORMAT},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* A number from text, or -1 when it is none in [lo, hi]. */
static int parse_number(const char *s, double lo, double hi, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end || !(v >= lo && v <= hi))
        return -1;
    *out = v;
    return 0;
}

/* The options that take a value of their own kind; 0, or the exit code. */
static int voice_option(int c, char *arg, cx_voice_options *o, const char **metrics)
{
    const char *cmd = "voice";
    double d;
    switch (c) {
    case OPT_TEXT: o->text = arg; return 0;
    case OPT_BY: o->by = arg; return 0;
    case OPT_SCORE: o->score = arg; return 0;
    case OPT_METRICS: *metrics = arg; return 0;
    case OPT_KEEP: o->no_stopwords = 1; return 0;
    case OPT_COMPARE: {
        char *comma = strchr(arg, ',');
        if (strcmp(arg, "rest") == 0) {
            o->rest = 1;
            return 0;
        }
        if (!comma || comma == arg || !comma[1] || strchr(comma + 1, ','))
            return cli_usage_error(cmd, "--compare takes two groups, A,B, or 'rest', not '%s'", arg);
        *comma = '\0';
        if (strcmp(arg, comma + 1) == 0)
            return cli_usage_error(cmd, "--compare takes two different groups, not '%s' twice", arg);
        o->compare[0] = arg;
        o->compare[1] = comma + 1;
        return 0;
    }
    case OPT_WHERE: {
        char *eq = strchr(arg, '=');
        if (!eq || eq == arg || !eq[1])
            return cli_usage_error(cmd, "--where takes COLUMN=VALUE (category=detractor), not '%s'", arg);
        *eq = '\0';
        o->where_column = arg;
        o->where_value = eq + 1;
        return 0;
    }
    case OPT_WORST: {
        char *colon = strrchr(arg, ':');
        if (colon && (strcmp(colon, ":low") == 0 || strcmp(colon, ":high") == 0)) {
            o->worst_low = strcmp(colon, ":low") == 0;
            *colon = '\0';
        }
        if (!*arg)
            return cli_usage_error(cmd, "--worst takes a column, COLUMN or COLUMN:low");
        o->worst = arg;
        return 0;
    }
    case OPT_WORST_SHARE:
        if (parse_number(arg, 1e-9, 1, &o->worst_share) != 0)
            return cli_usage_error(cmd, "--worst-share takes a share above 0 and at most 1, not '%s'", arg);
        return 0;
    case OPT_TOP:
        if (strcmp(arg, "all") == 0) {
            o->top = SIZE_MAX;
            return 0;
        }
        if (parse_number(arg, 1, 1e6, &d) != 0 || d != (double)(size_t)d)
            return cli_usage_error(cmd, "--top takes a whole number from 1 to 1000000 or 'all', not '%s'", arg);
        o->top = (size_t)d;
        return 0;
    case OPT_QUOTES:
        if (parse_number(arg, 0, CX_VOICE_QUOTES_MAX, &d) != 0 || d != (double)(int)d)
            return cli_usage_error(cmd, "--quotes takes 0, 1, 2 or 3, not '%s'", arg);
        o->quotes = (size_t)d;
        o->no_quotes = d == 0;
        return 0;
    case OPT_PRIOR:
        if (parse_number(arg, 1e-6, 1e12, &o->prior) != 0)
            return cli_usage_error(cmd, "--prior takes a positive weight (1000), not '%s'", arg);
        return 0;
    default:
        return -1;
    }
}

/* The result as JSON: the run's counts and each comparison's terms. */
static cJSON *voice_json(const cx_voice *v, const char *path, const char *text)
{
    const cx_voice_stats *s = cx_voice_stats_get(v);
    cJSON *doc = cJSON_CreateObject();
    if (!doc)
        return NULL;
    cJSON_AddStringToObject(doc, "file", path);
    cJSON_AddStringToObject(doc, "text_column", text);
    cJSON_AddStringToObject(doc, "grouping", cx_voice_grouping(v));
    cJSON_AddStringToObject(doc, "method", "weighted log-odds ratio, informative Dirichlet prior (Monroe et al. 2008)");
    cJSON_AddNumberToObject(doc, "prior", cx_voice_prior(v));
    cJSON_AddNumberToObject(doc, "responses", (double)s->responses);
    cJSON_AddNumberToObject(doc, "comments", (double)s->comments);
    cJSON_AddNumberToObject(doc, "terms", (double)s->tokens);
    cJSON_AddNumberToObject(doc, "vocabulary", (double)s->vocabulary);
    if (s->cells) {
        cJSON *w = cJSON_AddObjectToObject(doc, "worst");
        cJSON_AddNumberToObject(w, "cells", (double)s->cells);
        cJSON_AddNumberToObject(w, "worst_cells", (double)s->worst_cells);
        cJSON_AddNumberToObject(w, "threshold", s->worst_threshold);
        cJSON_AddNumberToObject(w, "unmatched_responses", (double)s->unmatched);
    }
    cJSON *cmps = cJSON_AddArrayToObject(doc, "comparisons");
    for (size_t k = 0; k < cx_voice_ncomparisons(v); k++) {
        uint64_t n, no;
        cJSON *c = cJSON_CreateObject(), *terms;
        if (!c)
            break;
        cJSON_AddItemToArray(cmps, c);
        cJSON_AddStringToObject(c, "group", cx_voice_focus(v, k, &n, &no));
        cJSON_AddStringToObject(c, "against", cx_voice_other(v, k));
        cJSON_AddNumberToObject(c, "comments", (double)n);
        cJSON_AddNumberToObject(c, "comments_against", (double)no);
        terms = cJSON_AddArrayToObject(c, "terms");
        for (size_t i = 0; i < cx_voice_nterms(v, k); i++) {
            const cx_voice_term *t = cx_voice_term_at(v, k, i);
            cJSON *o = cJSON_CreateObject();
            if (!o)
                break;
            cJSON_AddItemToArray(terms, o);
            cJSON_AddStringToObject(o, "term", t->term);
            cJSON_AddNumberToObject(o, "words", t->words);
            cJSON_AddNumberToObject(o, "z", t->z);
            cJSON_AddNumberToObject(o, "delta", t->delta);
            cJSON_AddNumberToObject(o, "se", t->se);
            cJSON_AddNumberToObject(o, "count", (double)t->count);
            cJSON_AddNumberToObject(o, "count_against", (double)t->count_other);
            cJSON_AddItemToObject(o, "quotes", cJSON_CreateStringArray(t->quote, (int)t->nquotes));
        }
    }
    return doc;
}

/* One quote on a line: a line break inside it shown as " / ". */
static void print_quote(const char *q)
{
    fputs("        \"", stdout);
    for (; *q; q++) {
        if (*q == '\r')
            continue;
        if (*q == '\n')
            fputs(" / ", stdout);
        else
            putchar(*q);
    }
    fputs("\"\n", stdout);
}

static void voice_print(const cx_voice *v, const char *path, const cx_voice_options *o)
{
    const cx_voice_stats *s = cx_voice_stats_get(v);
    printf("The story behind the score: %llu comments of %llu responses in %s, grouped by %s\n",
           (unsigned long long)s->comments, (unsigned long long)s->responses, path, cx_voice_grouping(v));
    if (s->cells)
        printf("worst cells: %zu of %zu, %s %g or %s; %llu responses had no cell with a value\n", s->worst_cells,
               s->cells, o->worst, s->worst_threshold, o->worst_low ? "lower" : "higher",
               (unsigned long long)s->unmatched);
    printf("terms: words and two-word phrases; z: weighted log-odds ratio with an informative Dirichlet "
           "prior (a0 = %g)\n", cx_voice_prior(v));
    for (size_t k = 0; k < cx_voice_ncomparisons(v); k++) {
        uint64_t n, no;
        const char *focus = cx_voice_focus(v, k, &n, &no);
        printf("\n%s against %s (%llu comments against %llu)\n", focus, cx_voice_other(v, k),
               (unsigned long long)n, (unsigned long long)no);
        if (cx_voice_nterms(v, k) == 0) {
            printf("  no term is more frequent here than there\n");
            continue;
        }
        printf("   #  %-28s %8s %8s %8s\n", "term", "z", "count", "against");
        for (size_t i = 0; i < cx_voice_nterms(v, k); i++) {
            const cx_voice_term *t = cx_voice_term_at(v, k, i);
            /* pad by code points, so that accented terms line up */
            int pad = 28;
            for (const char *p = t->term; *p; p++)
                pad -= (*p & 0xC0) != 0x80;
            printf("  %2zu  %s%*s %8.2f %8llu %8llu\n", i + 1, t->term, pad > 0 ? pad : 0, "", t->z,
                   (unsigned long long)t->count, (unsigned long long)t->count_other);
            for (size_t q = 0; q < t->nquotes; q++)
                print_quote(t->quote[q]);
        }
    }
}

int cmd_voice(int argc, char **argv)
{
    const char *cmd = "voice";
    cx_csv_options copt;
    memset(&copt, 0, sizeof copt);
    cx_csv_options mopt;
    memset(&mopt, 0, sizeof mopt);
    cx_voice_options o;
    memset(&o, 0, sizeof o);
    const char *metrics = NULL;
    int json = 0, c, rc, li = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "h", options, &li)) != -1) {
        switch (c) {
        case 'h':
            printf(usage_text);
            return EXIT_OK;
        case OPT_JSON: json = 1; break;
        case OPT_MAX_LINE:
            if ((rc = cli_limit_option(cmd, "max-line", optarg)) != 0)
                return rc;
            break;
        case OPT_SEP:
        case OPT_DECIMAL:
        case OPT_ENCODING:
        case OPT_RENAME:
        case OPT_DATE_FORMAT:
            if ((rc = cli_csv_option(cmd, options[li].name, optarg, &copt)) != 0)
                return rc;
            break;
        default:
            rc = voice_option(c, optarg, &o, &metrics);
            if (rc > 0)
                return rc;
            if (rc < 0) {
                if (optopt && optopt < 256)
                    return cli_usage_error(cmd, "unknown option '-%c'", optopt);
                return cli_usage_error(cmd, "unknown option or missing value in '%s'", argv[optind - 1]);
            }
        }
    }
    if (optind + 1 != argc)
        return cli_usage_error(cmd, optind == argc ? "expected a responses file" : "expected one responses file, found %d",
                               argc - optind);
    if (o.worst && !metrics)
        return cli_usage_error(cmd, "--worst needs --metrics FILE, the export with the column '%s'", o.worst);
    if (metrics && !o.worst)
        return cli_usage_error(cmd, "--metrics needs --worst COLUMN, the driver whose worst cells to compare");
    if (o.worst && o.by)
        return cli_usage_error(cmd, "--by and --worst each set the groups: give one");
    if (o.rest && o.worst)
        return cli_usage_error(cmd, "--worst compares its two groups: --compare rest does not apply");
    o.metrics = metrics;
    o.metrics_csv = &mopt;
    const char *path = argv[optind];

    cx_error err;
    cx_error_init(&err);
    cx_voice *v = NULL;
    if (cli_progress_enabled())
        fprintf(stderr, "reading %s ...\r", path);
    cx_status st = cx_voice_run(path, &copt, &o, &v, &err);
    if (cli_progress_enabled())
        fprintf(stderr, "\033[K");
    if (st != CX_OK)
        return cli_fail(&err);
    const cx_voice_stats *s = cx_voice_stats_get(v);
    if (s->missing_group)
        fprintf(stderr, "note: skipped %llu responses with an empty %s\n", (unsigned long long)s->missing_group,
                o.by && strcmp(o.by, "category") != 0 ? "group" : "score");
    if (s->unmatched)
        fprintf(stderr, "note: %llu responses have no cell with a value in %s and were left out\n",
                (unsigned long long)s->unmatched, metrics);
    if (json) {
        rc = cli_print_json(voice_json(v, path, o.text ? o.text : "comment"));
    } else {
        voice_print(v, path, &o);
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }
    cx_voice_free(v);
    return rc;
}
