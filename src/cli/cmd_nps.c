/*
 * cmd_nps.c - `cxcase nps`: survey responses aggregated per group into NPS
 * (or CSAT, CES, rating) with standard errors and intervals.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
    "usage: cxcase nps RESPONSES.csv --by COLUMNS [options]\n"
    "\n"
    "Aggregate survey responses (one row per response) per group: the number of\n"
    "responses n, the score, its standard error, the 95%% interval score +/- 1.96 SE\n"
    "and, for NPS, the adjusted-Wald interval (Rocks 2016) that behaves better for\n"
    "small groups, and the counts and shares of promoters (9-10), passives (7-8)\n"
    "and detractors (0-6).\n"
    "\n"
    "options:\n"
    "  --by COLUMNS       group columns, comma-separated; 'period' means the file's\n"
    "                     period column (a date, week, month, quarter or year)\n"
    "  --period KIND      turn the period into day, week, month, quarter or year first\n"
    "  --scale SCALE      nps (0-10, default), csat (1-5, share of 4-5 in %%),\n"
    "                     ces (1-7, mean) or rating (1-5, mean)\n"
    "  --score COLUMN     the score column (default: score)\n"
    "  --skip-invalid     skip scores outside the scale, count and report them\n"
    "                     (default: such a score is an error)\n"
    "  -o, --output FILE  write the groups as CSV to FILE (joinable with exports)\n"
    "  --json             print {\"groups\": [...]} on stdout\n"
    "  --sep SEP          force the separator: ',', ';' or 'tab' (default: detected)\n"
    "  --decimal MARK     force the decimal mark '.' or ',' (default: ',' for ';' files)\n"
    "  --encoding ENC     utf-8 (default) or windows-1252 (Excel's \"CSV\" export)\n"
    "  --text COLUMNS     read these columns as text (codes that look like numbers)\n"
    "  --rename OLD=NEW   rename columns on the way in (comma-separated pairs:\n"
    "                     --rename cijfer=score,winkel=store)\n"
    "  --date-format FMT  read dates with this strptime format (%%m/%%d/%%Y); without it\n"
    "                     year-last dates are day first in ';' files and with\n"
    "                     --decimal , and must be clear from the cells elsewhere\n"
    "  --raw-text         write text cells to -o as they are (default: a cell that\n"
    "                     starts with = + - @, tab or CR gets a leading ', so that\n"
    "                     a spreadsheet shows it as text, never runs it as a formula)\n"
    "  --max-line SIZE    the longest record read, in bytes (k, M, G: powers of\n"
    "                     1024; default 16M); a longer one is an error\n"
    "  -h, --help         show this help\n"
    "\n"
    "Rows with an empty score or an empty group key are skipped and counted.\n"
    "exit status: 0 ok, 64 bad usage, 65 bad input data, 66 input cannot be opened,\n"
    "73 output cannot be created, 74 I/O error.\n";

enum { OPT_BY = 256, OPT_PERIOD, OPT_SCALE, OPT_SCORE, OPT_SKIP, OPT_JSON, OPT_SEP, OPT_DECIMAL, OPT_ENCODING, OPT_TEXT,
       OPT_RENAME, OPT_DATE_FORMAT, OPT_RAW, OPT_MAX_LINE };

static const struct option options[] = {
    {"by", required_argument, NULL, OPT_BY},
    {"period", required_argument, NULL, OPT_PERIOD},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"score", required_argument, NULL, OPT_SCORE},
    {"skip-invalid", no_argument, NULL, OPT_SKIP},
    {"output", required_argument, NULL, 'o'},
    {"json", no_argument, NULL, OPT_JSON},
    {"sep", required_argument, NULL, OPT_SEP},
    {"decimal", required_argument, NULL, OPT_DECIMAL},
    {"encoding", required_argument, NULL, OPT_ENCODING},
    {"text", required_argument, NULL, OPT_TEXT},
    {"rename", required_argument, NULL, OPT_RENAME},
    {"date-format", required_argument, NULL, OPT_DATE_FORMAT},
    {"raw-text", no_argument, NULL, OPT_RAW},
    {"max-line", required_argument, NULL, OPT_MAX_LINE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static cJSON *groups_json(const cx_table *t, size_t nby, cx_survey_stats *st, cx_scale scale,
                          const char *score)
{
    cJSON *doc = cJSON_CreateObject(), *groups = cJSON_CreateArray();
    cJSON *skipped = cJSON_CreateObject();
    if (!doc || !groups || !skipped) {
        cJSON_Delete(doc);
        cJSON_Delete(groups);
        cJSON_Delete(skipped);
        return NULL;
    }
    cJSON_AddStringToObject(doc, "scale", cx_scale_name(scale));
    cJSON_AddStringToObject(doc, "score_column", score);
    cJSON_AddNumberToObject(doc, "responses", (double)st->responses);
    cJSON_AddNumberToObject(doc, "used", (double)st->used);
    cJSON_AddNumberToObject(skipped, "missing_score", (double)st->missing_score);
    cJSON_AddNumberToObject(skipped, "missing_key", (double)st->missing_key);
    cJSON_AddNumberToObject(skipped, "invalid", (double)st->invalid);
    cJSON_AddItemToObject(doc, "skipped", skipped);
    cJSON_AddItemToObject(doc, "groups", groups);
    for (size_t i = 0; i < cx_table_nrows(t); i++) {
        cJSON *g = cJSON_CreateObject(), *keys = cJSON_CreateObject();
        if (!g || !keys) {
            cJSON_Delete(g);
            cJSON_Delete(keys);
            cJSON_Delete(doc);
            return NULL;
        }
        cJSON_AddItemToArray(groups, g);
        cJSON_AddItemToObject(g, "keys", keys);
        for (size_t j = 0; j < cx_table_ncols(t); j++)
            cJSON_AddItemToObject(j < nby ? keys : g, cx_table_colname(t, j), cli_cell_json(t, j, i));
    }
    return doc;
}

int cmd_nps(int argc, char **argv)
{
    const char *cmd = "nps";
    cx_csv_options copt;
    memset(&copt, 0, sizeof copt);
    cx_survey_options sopt;
    memset(&sopt, 0, sizeof sopt);
    char **by = NULL;
    const char *out = NULL;
    int json = 0, c, rc;
    cx_csv_write_options wopt = {0};

    int li = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", options, &li)) != -1) {
        switch (c) {
        case 'h':
            printf(usage_text);
            free(by);
            return EXIT_OK;
        case OPT_BY:
            free(by);
            if (!(by = cli_split(optarg, &sopt.nby)))
                return cli_usage_error(cmd, "--by takes column names separated by commas, not '%s'", optarg);
            break;
        case OPT_PERIOD:
            sopt.period_kind = cx_period_kind_from_name(optarg);
            if (sopt.period_kind == CX_PERIOD_NONE) {
                free(by);
                return cli_usage_error(cmd, "--period takes day, week, month, quarter or year, not '%s'", optarg);
            }
            break;
        case OPT_SCALE:
            if (cx_scale_from_name(optarg, &sopt.scale) != CX_OK) {
                free(by);
                return cli_usage_error(cmd, "--scale takes nps, csat, ces or rating, not '%s'", optarg);
            }
            break;
        case OPT_SCORE: sopt.score = optarg; break;
        case OPT_SKIP: sopt.skip_invalid = 1; break;
        case 'o': out = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_RAW: wopt.raw_text = 1; break;
        case OPT_MAX_LINE:
            if ((rc = cli_limit_option(cmd, "max-line", optarg)) != 0) {
                free(by);
                return rc;
            }
            break;
        case OPT_SEP:
        case OPT_DECIMAL:
        case OPT_ENCODING:
        case OPT_TEXT:
        case OPT_RENAME:
        case OPT_DATE_FORMAT:
            rc = cli_csv_option(cmd, options[li].name, optarg, &copt);
            if (rc) {
                free(by);
                return rc;
            }
            break;
        default:
            free(by);
            if (optopt && optopt < 256)
                return cli_usage_error(cmd, "unknown option '-%c'", optopt);
            return cli_usage_error(cmd, "unknown option or missing value in '%s'", argv[optind - 1]);
        }
    }
    if (optind + 1 != argc) {
        free(by);
        return cli_usage_error(cmd, optind == argc ? "expected a responses file" : "expected one responses file, found %d", argc - optind);
    }
    if (!by)
        return cli_usage_error(cmd, "--by is required (for example --by period,region)");
    const char *path = argv[optind];
    sopt.by = (const char *const *)by;
    if (!sopt.score)
        sopt.score = "score";
    cli_csv_force(&copt, sopt.score, CX_COL_NUMBER);

    cx_error err;
    cx_error_init(&err);
    cx_table *t = NULL;
    cx_survey_stats stats;
    cx_warnings *notes = cx_warnings_new();
    copt.notes = notes; /* what the reading says (times ignored) */
    if (cli_progress_enabled())
        fprintf(stderr, "reading %s ...\r", path);
    cx_status st = notes ? cx_survey_aggregate_file(path, &copt, &sopt, &t, &stats, &err)
                         : cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (cli_progress_enabled())
        fprintf(stderr, "\033[K");
    if (st == CX_OK && out)
        st = cx_table_write_csv_opt(t, out, &wopt, &err);
    if (st != CX_OK) {
        free(by);
        cx_table_free(t);
        cx_warnings_free(notes);
        return cli_fail(&err);
    }
    for (size_t k = 0; k < cx_warnings_count(notes); k++)
        fprintf(stderr, "note: %s\n", cx_warnings_get(notes, k));
    cx_warnings_free(notes);

    if (stats.missing_score)
        fprintf(stderr, "note: skipped %llu responses with an empty score\n", (unsigned long long)stats.missing_score);
    if (stats.missing_key)
        fprintf(stderr, "note: skipped %llu responses with an empty group key\n", (unsigned long long)stats.missing_key);
    if (stats.invalid)
        fprintf(stderr, "warning: skipped %llu responses with a score outside the %s scale (the first on line %lu)\n",
                (unsigned long long)stats.invalid, cx_scale_name(sopt.scale), stats.first_invalid_line);

    if (json) {
        rc = cli_print_json(groups_json(t, sopt.nby, &stats, sopt.scale, sopt.score));
    } else if (out) {
        printf("wrote %zu groups from %llu responses to %s\n", cx_table_nrows(t),
               (unsigned long long)stats.used, out);
        rc = EXIT_OK;
    } else {
        /* keys, n, score, se, ci_low, ci_high (and the adjusted-Wald limits) */
        size_t show[16], k = 0;
        for (size_t j = 0; j < sopt.nby + (sopt.scale == CX_SCALE_NPS ? 7 : 5); j++)
            show[k++] = j;
        static const char *const title[] = {"NPS", "CSAT (% of 4-5)", "CES (mean)", "rating (mean)"};
        printf("%s per ", title[sopt.scale]);
        for (size_t j = 0; j < sopt.nby; j++)
            printf("%s%s", j ? " x " : "", by[j]);
        if (sopt.period_kind != CX_PERIOD_NONE)
            printf(" (%s)", cx_period_kind_name(sopt.period_kind));
        printf(", from %llu responses in %s; 95%% intervals\n", (unsigned long long)stats.used, path);
        cli_print_table(stdout, t, show, k, sopt.scale == CX_SCALE_CSAT || sopt.scale == CX_SCALE_NPS ? 1 : 2);
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }
    free(by);
    cx_table_free(t);
    return rc;
}
