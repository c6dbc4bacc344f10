/*
 * cmd_panel.c - `cxcase panel`: department exports (and survey scores
 * aggregated to the same periods and units) joined into one panel, with a
 * summary of what the panel holds.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../data/table.h"

static const char usage_text[] =
    "usage: cxcase panel METRICS.csv... [--responses RESPONSES.csv]... [options]\n"
    "\n"
    "Join department exports (one file per department, each with a period column\n"
    "and unit columns such as region) into one panel: one row per period x unit.\n"
    "Keys missing from some files are reported with counts and examples; a key\n"
    "repeated within one file is an error naming both lines.  Files with the same\n"
    "columns (last quarter's export beside the history's) are stacked: their rows\n"
    "are appended, and a key in two of them is an error naming both.  With\n"
    "--responses, survey responses are aggregated to the panel's periods and units\n"
    "first (columns nps, nps_n, nps_se, ...) and joined like any export.\n"
    "\n"
    "options:\n"
    "  --responses FILE   survey responses to aggregate and join; repeat it for\n"
    "                     several files (the history's and a quarter's), counted as one\n"
    "  --scale SCALE      their scale: nps (default), csat, ces or rating\n"
    "  --score COLUMN     their score column (default: score)\n"
    "  --units COLUMNS    unit key columns (default: the text columns all files share)\n"
    "  -o, --output FILE  write the panel as CSV\n"
    "  --json             print the summary as JSON on stdout\n"
    "  --sep SEP          force the separator of every file: ',', ';' or 'tab'\n"
    "  --decimal MARK     force the decimal mark '.' or ','\n"
    "  --encoding ENC     utf-8 (default) or windows-1252\n"
    "  --text COLUMNS     read these columns as text (codes that look like numbers)\n"
    "  --rename OLD=NEW   rename columns on the way in, in every file that has them\n"
    "                     (comma-separated pairs: --rename vestiging=store,omzet=revenue)\n"
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
    "exit status: 0 ok, 64 bad usage, 65 bad input data, 66 input cannot be opened,\n"
    "73 output cannot be created, 74 I/O error.\n";

enum { OPT_RESPONSES = 256, OPT_SCALE, OPT_SCORE, OPT_UNITS, OPT_JSON, OPT_SEP, OPT_DECIMAL, OPT_ENCODING, OPT_TEXT,
       OPT_RENAME, OPT_DATE_FORMAT, OPT_RAW, OPT_MAX_LINE };

static const struct option options[] = {
    {"responses", required_argument, NULL, OPT_RESPONSES},
    {"scale", required_argument, NULL, OPT_SCALE},
    {"score", required_argument, NULL, OPT_SCORE},
    {"units", required_argument, NULL, OPT_UNITS},
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

static size_t distinct_units(const cx_table *p, size_t nunits)
{
    /* rows are sorted by unit, then period: count changes of the unit */
    size_t count = 0;
    for (size_t i = 0; i < cx_table_nrows(p); i++) {
        int same = i > 0;
        for (size_t k = 0; k < nunits && same; k++)
            same = strcmp(cx_table_text(p, 1 + k, i), cx_table_text(p, 1 + k, i - 1)) == 0;
        count += !same;
    }
    return count;
}

static int summarise(const cx_table *p, size_t ninputs, size_t nunits,
                     const cx_warnings *warn, int json)
{
    size_t rows = cx_table_nrows(p);
    const cx_period *per = cx_table_periods(p, 0);
    cx_period lo = per[0], hi = per[0];
    for (size_t i = 1; i < rows; i++) {
        if (cx_period_cmp(per[i], lo) < 0)
            lo = per[i];
        if (cx_period_cmp(per[i], hi) > 0)
            hi = per[i];
    }
    /* periods in the data's own words: one date a month is 36 months, not
     * 1066 days */
    cx_cadence cad;
    cx_table_period_cadence(p, 0, &cad);
    cx_period_kind step = cx_cadence_kind(&cad);
    if (step == CX_PERIOD_NONE)
        step = (cx_period_kind)lo.kind;
    size_t nper = (size_t)(cx_period_step(hi, step) - cx_period_step(lo, step)) + 1;
    char how[96] = "";
    if (cad.kind == CX_PERIOD_DAY && step != CX_PERIOD_DAY)
        snprintf(how, sizeof how, ", %s", cx_cadence_describe(&cad, (char[64]){0}, 64));
    char unit_word[160];
    if (nunits == 1)
        snprintf(unit_word, sizeof unit_word, "units (%s)", cx_table_colname(p, 1));
    else
        snprintf(unit_word, sizeof unit_word, "units");
    size_t units = nunits ? distinct_units(p, nunits) : 1;
    char a[CX_PERIOD_TEXT_MAX], b[CX_PERIOD_TEXT_MAX];
    cx_period_format(lo, a, sizeof a);
    cx_period_format(hi, b, sizeof b);

    /* one summary row per value column */
    cx_error err;
    cx_error_init(&err);
    cx_table *s = cx_table_new("summary");
    size_t c_name, c_src, c_n, c_miss, c_min, c_mean, c_max;
    if (!s || cx_table_add_column(s, "column", CX_COL_TEXT, &c_name, &err) ||
        cx_table_add_column(s, "from", CX_COL_TEXT, &c_src, &err) ||
        cx_table_add_column(s, "n", CX_COL_NUMBER, &c_n, &err) ||
        cx_table_add_column(s, "missing", CX_COL_NUMBER, &c_miss, &err) ||
        cx_table_add_column(s, "min", CX_COL_NUMBER, &c_min, &err) ||
        cx_table_add_column(s, "mean", CX_COL_NUMBER, &c_mean, &err) ||
        cx_table_add_column(s, "max", CX_COL_NUMBER, &c_max, &err)) {
        cx_table_free(s);
        fprintf(stderr, "error: out of memory\n");
        return EXIT_RUN;
    }
    for (size_t j = 1 + nunits; j < cx_table_ncols(p); j++) {
        size_t row;
        if (cx_table_add_row(s, 0, &row) != CX_OK)
            break;
        const char *name = cx_table_colname(p, j);
        cx_table_set_text(s, c_name, row, name);
        cx_table_set_text(s, c_src, row, cx_table_colsource(p, j)); /* "a.csv + b.csv" when stacked */
        size_t n = 0;
        double mn = INFINITY, mx = -INFINITY, sum = 0;
        for (size_t i = 0; i < rows; i++) {
            int present;
            if (cx_table_coltype(p, j) == CX_COL_NUMBER) {
                double v = cx_table_numbers(p, j)[i];
                present = !isnan(v);
                if (present) {
                    sum += v;
                    mn = v < mn ? v : mn;
                    mx = v > mx ? v : mx;
                }
            } else if (cx_table_coltype(p, j) == CX_COL_TEXT)
                present = cx_table_text(p, j, i) != NULL;
            else
                present = cx_table_periods(p, j)[i].kind != CX_PERIOD_NONE;
            n += (size_t)present;
        }
        cx_table_set_number(s, c_n, row, (double)n);
        cx_table_set_number(s, c_miss, row, (double)(rows - n));
        if (cx_table_coltype(p, j) == CX_COL_NUMBER && n) {
            cx_table_set_number(s, c_min, row, mn);
            cx_table_set_number(s, c_mean, row, sum / (double)n);
            cx_table_set_number(s, c_max, row, mx);
        }
    }

    int rc = EXIT_OK;
    if (json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON *pj = cJSON_AddObjectToObject(doc, "periods");
        cJSON_AddStringToObject(pj, "column", cx_table_colname(p, 0));
        cJSON_AddStringToObject(pj, "kind", cx_period_kind_name((cx_period_kind)lo.kind));
        cJSON_AddStringToObject(pj, "cadence", cx_period_kind_name(step));
        cJSON_AddStringToObject(pj, "first", a);
        cJSON_AddStringToObject(pj, "last", b);
        cJSON_AddNumberToObject(pj, "count", (double)nper);
        cJSON *uj = cJSON_AddArrayToObject(doc, "unit_columns");
        for (size_t k = 0; k < nunits; k++)
            cJSON_AddItemToArray(uj, cJSON_CreateString(cx_table_colname(p, 1 + k)));
        cJSON_AddNumberToObject(doc, "units", (double)units);
        cJSON_AddNumberToObject(doc, "rows", (double)rows);
        cJSON *cols = cJSON_AddArrayToObject(doc, "columns");
        for (size_t i = 0; i < cx_table_nrows(s); i++) {
            cJSON *c = cJSON_CreateObject();
            cJSON_AddItemToArray(cols, c);
            for (size_t j = 0; j < cx_table_ncols(s); j++)
                cJSON_AddItemToObject(c, j == c_name ? "name" : cx_table_colname(s, j), cli_cell_json(s, j, i));
        }
        cJSON *wj = cJSON_AddArrayToObject(doc, "warnings");
        for (size_t i = 0; i < cx_warnings_count(warn); i++)
            cJSON_AddItemToArray(wj, cJSON_CreateString(cx_warnings_get(warn, i)));
        rc = cli_print_json(doc);
    } else {
        printf("panel: %zu rows = %zu %ss (%s to %s%s) x %zu %s, %zu value columns from %zu files\n", rows, nper,
               cx_period_kind_name(step), a, b, how, units, unit_word, cx_table_ncols(p) - 1 - nunits, ninputs);
        if (rows != nper * units)
            printf("       (%zu period x unit combinations have no row in any file)\n", nper * units - rows);
        cli_print_table(stdout, s, NULL, 0, 2);
        rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_IOERR;
    }
    cx_table_free(s);
    return rc;
}

int cmd_panel(int argc, char **argv)
{
    const char *cmd = "panel";
    cx_csv_options copt;
    memset(&copt, 0, sizeof copt);
    cx_survey_options sopt;
    memset(&sopt, 0, sizeof sopt);
    sopt.score = "score";
    const char *out = NULL;
    const char **responses = calloc((size_t)argc + 1, sizeof *responses); /* --responses, repeated */
    size_t nresp = 0;
    char **units = NULL;
    size_t nunits = 0;
    int json = 0, c, rc;
    cx_csv_write_options wopt = {0};

    int li = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "ho:", options, &li)) != -1) {
        switch (c) {
        case 'h':
            printf(usage_text);
            free(units);
            free(responses);
            return EXIT_OK;
        case OPT_RESPONSES:
            if (responses)
                responses[nresp++] = optarg;
            break;
        case OPT_SCALE:
            if (cx_scale_from_name(optarg, &sopt.scale) != CX_OK) {
                free(units);
                free(responses);
                return cli_usage_error(cmd, "--scale takes nps, csat, ces or rating, not '%s'", optarg);
            }
            break;
        case OPT_SCORE: sopt.score = optarg; break;
        case OPT_UNITS:
            free(units);
            if (!(units = cli_split(optarg, &nunits))) {
                free(responses);
                return cli_usage_error(cmd, "--units takes column names separated by commas, not '%s'", optarg);
            }
            break;
        case 'o': out = optarg; break;
        case OPT_JSON: json = 1; break;
        case OPT_RAW: wopt.raw_text = 1; break;
        case OPT_MAX_LINE:
            if ((rc = cli_limit_option(cmd, "max-line", optarg)) != 0) {
                free(units);
                free(responses);
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
                free(units);
                free(responses);
                return rc;
            }
            break;
        default:
            free(units);
            free(responses);
            if (optopt && optopt < 256)
                return cli_usage_error(cmd, "unknown option '-%c'", optopt);
            return cli_usage_error(cmd, "unknown option or missing value in '%s'", argv[optind - 1]);
        }
    }
    if (optind == argc) {
        free(units);
        free(responses);
        return cli_usage_error(cmd, "expected at least one metrics file");
    }

    size_t nfiles = (size_t)(argc - optind);
    cx_table **tables = calloc(nfiles + 2, sizeof *tables);
    cx_warnings *warn = cx_warnings_new(), *notes = cx_warnings_new();
    copt.notes = notes; /* about reading the files (times ignored) */
    cx_table *panel = NULL;
    cx_error err;
    cx_error_init(&err);
    cx_status st = tables && warn && notes && responses ? CX_OK
                                                        : cx_error_set(&err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CX_OK && nresp && cli_progress_enabled())
        fprintf(stderr, "reading %s ...\r", responses[0]);
    if (st == CX_OK)
        st = cx_panel_load_n((const char *const *)argv + optind, nfiles, responses, nresp, &sopt, &copt,
                             (const char *const *)units, nunits, &panel, tables, warn, &err);
    if (nresp && cli_progress_enabled())
        fprintf(stderr, "\033[K");
    size_t n = nfiles + nresp;
    nunits = 0;
    for (size_t j = 1; panel && j < cx_table_ncols(panel) && cx_table_coltype(panel, j) == CX_COL_TEXT; j++)
        nunits++;
    if (st == CX_OK && out)
        st = cx_table_write_csv_opt(panel, out, &wopt, &err);
    cli_print_notes(notes);
    cx_warnings_free(notes);
    if (st != CX_OK)
        rc = cli_fail(&err);
    else {
        cli_print_warnings(warn);
        rc = summarise(panel, n, nunits, warn, json);
        if (rc == EXIT_OK && out && !json)
            printf("wrote the panel to %s\n", out);
    }
    for (size_t k = 0; tables && k < nfiles + 1; k++)
        cx_table_free(tables[k]);
    free(tables);
    free(units);
    free(responses);
    cx_table_free(panel);
    cx_warnings_free(warn);
    return rc;
}
