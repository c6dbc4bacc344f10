/*
 * cli.c - helpers the subcommands share: exit codes, error and warning
 * printing, CSV dialect options, lists, aligned tables and JSON output.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cli_exit_code(cx_status st)
{
    switch (st) {
    case CX_OK: return EXIT_OK;
    case CX_EUSAGE: return EXIT_USAGE;
    case CX_ESYNTAX:
    case CX_EINVAL: return EXIT_DATA;
    case CX_ENOENT: return EXIT_NOINPUT;
    case CX_ECREATE: return EXIT_CANTCREAT;
    case CX_EIO: return EXIT_IOERR;
    default: return EXIT_RUN;
    }
}

int cli_fail(const cx_error *err)
{
    char line[CX_ERROR_LINE_MAX];
    fprintf(stderr, "%s\n", cx_error_format(err, line, sizeof line));
    return cli_exit_code(err->status);
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "cxcase %s: error: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; see 'cxcase %s --help'\n", cmd);
    return EXIT_USAGE;
}

void cli_print_warnings(const cx_warnings *w)
{
    for (size_t i = 0; i < cx_warnings_count(w); i++)
        fprintf(stderr, "warning: %s\n", cx_warnings_get(w, i));
}

void cli_print_notes(const cx_warnings *w)
{
    for (size_t i = 0; i < cx_warnings_count(w); i++)
        fprintf(stderr, "note: %s\n", cx_warnings_get(w, i));
}

int cli_progress_enabled(void)
{
    return isatty(STDERR_FILENO);
}

/* Column types forced on the command line (one command per process). */
static cx_csv_coltype forced[64];
static size_t nforced;

int cli_csv_force(cx_csv_options *o, const char *name, cx_coltype type)
{
    for (size_t k = 0; k < nforced; k++)
        if (strcmp(forced[k].name, name) == 0) {
            forced[k].type = type;
            return 0;
        }
    if (nforced == sizeof forced / sizeof forced[0])
        return -1;
    forced[nforced].name = name;
    forced[nforced++].type = type;
    o->types = forced;
    o->ntypes = nforced;
    return 0;
}

/* Columns renamed on the command line (one command per process). */
static cx_csv_rename renamed[64];
static size_t nrenamed;

/* --rename OLD=NEW[,OLD=NEW...] (repeatable), kept as pointers into argv. */
static int csv_rename(const char *cmd, char *list, cx_csv_options *o)
{
    for (char *tok = list; tok && *tok;) {
        char *comma = strchr(tok, ',');
        if (comma)
            *comma = '\0';
        char *eq = strchr(tok, '=');
        if (!eq || eq == tok || !eq[1])
            return cli_usage_error(cmd, "--rename takes OLD=NEW pairs separated by commas (levertijd_dagen="
                                        "delivery_days), not '%s'", tok);
        if (nrenamed == sizeof renamed / sizeof renamed[0])
            return cli_usage_error(cmd, "--rename takes at most %zu columns", sizeof renamed / sizeof renamed[0]);
        *eq = '\0';
        /* two names may get one new name (vestiging=store,winkel=store: one
         * in each file); a file that has both is refused when it is read */
        for (size_t k = 0; k < nrenamed; k++)
            if (strcmp(renamed[k].from, tok) == 0)
                return cli_usage_error(cmd, "--rename renames '%s' twice", tok);
        renamed[nrenamed].from = tok;
        renamed[nrenamed++].to = eq + 1;
        tok = comma ? comma + 1 : NULL;
    }
    o->renames = renamed;
    o->nrenames = nrenamed;
    return 0;
}

int cli_sim_option(const char *cmd, int argc, char **argv, int *i, cx_sim_options *o)
{
    const char *a = argv[*i], *arg = *i + 1 < argc ? argv[*i + 1] : NULL;
    long lo, hi;
    if (strcmp(a, "--text") == 0) {
        /* columns of codes read as text: the forced types of the data files */
        cx_csv_options copt;
        memset(&copt, 0, sizeof copt);
        int rc = arg ? cli_csv_option(cmd, "text", arg, &copt) : cli_usage_error(cmd, "--text expects column names");
        if (rc)
            return rc;
        (*i)++;
        o->types = copt.types;
        o->ntypes = copt.ntypes;
        return 0;
    }
    if (strcmp(a, "--draws") == 0)
        lo = 1, hi = 100000000;
    else if (strcmp(a, "--seed") == 0)
        lo = 0, hi = 4294967295L;
    else if (strcmp(a, "--threads") == 0)
        lo = 1, hi = 16;
    else
        return -1;
    char *end;
    errno = 0;
    long v = strtol(arg ? arg : "", &end, 10);
    if (!arg || !*arg || *end || errno || v < lo || v > hi)
        return cli_usage_error(cmd, "%s expects a whole number from %ld to %ld, found '%s'", a, lo, hi, arg ? arg : "");
    (*i)++;
    if (a[2] == 'd')
        o->draws = v;
    else if (a[2] == 's') {
        o->seed = v;
        o->seed_given = 1;
    } else
        o->threads = (int)v;
    return 0;
}

int cli_limit_option(const char *cmd, const char *opt, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(arg ? arg : "", &end, 10);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10, end++;
    else if (*end == 'M')
        shift = 20, end++;
    else if (*end == 'G')
        shift = 30, end++;
    if (!arg || !*arg || *arg == '-' || *end || errno || v > (1ULL << 40) >> shift ||
        (v << shift) < 1024)
        return cli_usage_error(cmd, "--%s takes a size in bytes from 1k to 1024G (k, M, G: powers of 1024), "
                               "not '%s'", opt, arg ? arg : "");
    cx_limits l = cx_limits_get();
    if (strcmp(opt, "max-line") == 0)
        l.max_line = (size_t)(v << shift);
    else
        l.max_json = (size_t)(v << shift);
    cx_limits_set(&l);
    return 0;
}

int cli_limit_arg(const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--max-line") != 0 && strcmp(a, "--max-json") != 0)
        return -1;
    const char *arg = *i + 1 < argc ? argv[*i + 1] : NULL;
    (*i)++;
    return cli_limit_option(cmd, a + 2, arg);
}

int cli_csv_option(const char *cmd, const char *opt, const char *arg, cx_csv_options *o)
{
    if (strcmp(opt, "text") == 0) {
        /* a list of column names, kept as pointers into argv */
        char *list = (char *)arg;
        for (char *tok = list; tok && *tok;) {
            char *comma = strchr(tok, ',');
            if (comma)
                *comma = '\0';
            if (!*tok || cli_csv_force(o, tok, CX_COL_TEXT) != 0)
                return cli_usage_error(cmd, "--text takes column names separated by commas");
            for (size_t k = 0; k < nforced; k++) /* a name the user gave must exist */
                if (strcmp(forced[k].name, tok) == 0)
                    forced[k].required = 1;
            tok = comma ? comma + 1 : NULL;
        }
        return 0;
    }
    if (strcmp(opt, "rename") == 0)
        return csv_rename(cmd, (char *)arg, o);
    if (strcmp(opt, "date-format") == 0) {
        if (!strchr(arg, '%'))
            return cli_usage_error(cmd, "--date-format takes a strptime format such as %%d-%%m-%%Y, not '%s'", arg);
        o->date_format = arg;
        return 0;
    }
    if (strcmp(opt, "sep") == 0) {
        if (strcmp(arg, ",") == 0 || strcmp(arg, "comma") == 0)
            o->sep = ',';
        else if (strcmp(arg, ";") == 0 || strcmp(arg, "semicolon") == 0)
            o->sep = ';';
        else if (strcmp(arg, "\t") == 0 || strcmp(arg, "\\t") == 0 || strcmp(arg, "tab") == 0)
            o->sep = '\t';
        else
            return cli_usage_error(cmd, "--sep takes ',', ';' or 'tab', not '%s'", arg);
    } else if (strcmp(opt, "decimal") == 0) {
        if (strcmp(arg, ".") == 0 || strcmp(arg, ",") == 0)
            o->decimal = arg[0];
        else
            return cli_usage_error(cmd, "--decimal takes '.' or ',', not '%s'", arg);
    } else if (strcmp(opt, "encoding") == 0) {
        if (strcmp(arg, "utf-8") == 0 || strcmp(arg, "UTF-8") == 0 || strcmp(arg, "utf8") == 0)
            o->encoding = CX_ENC_UTF8;
        else if (strcmp(arg, "windows-1252") == 0 || strcmp(arg, "cp1252") == 0 ||
                 strcmp(arg, "WINDOWS-1252") == 0)
            o->encoding = CX_ENC_WINDOWS1252;
        else
            return cli_usage_error(cmd, "--encoding takes 'utf-8' or 'windows-1252', not '%s'", arg);
    }
    return 0;
}

char **cli_split(const char *s, size_t *n)
{
    size_t count = 1, len = strlen(s);
    for (const char *p = s; *p; p++)
        count += *p == ',';
    /* commas inside parentheses or backticks belong to the item:
     * "lag(nps, 4),ctr", "`Omzet, excl. btw`" */
    char **v = malloc((count + 1) * sizeof(char *) + len + 1);
    if (!v)
        return NULL;
    char *copy = (char *)(v + count + 1);
    memcpy(copy, s, len + 1);
    size_t k = 0;
    for (char *tok = copy;; ) {
        char *comma = tok;
        int depth = 0, quoted = 0;
        for (; *comma && !(*comma == ',' && depth == 0 && !quoted); comma++) {
            if (*comma == '`')
                quoted = !quoted; /* a doubled backtick toggles twice */
            else if (!quoted)
                depth += *comma == '(' ? 1 : *comma == ')' ? -1 : 0;
        }
        if (!*comma)
            comma = NULL;
        if (comma)
            *comma = '\0';
        if (!*tok) {
            free(v);
            return NULL;
        }
        v[k++] = tok;
        if (!comma)
            break;
        tok = comma + 1;
    }
    v[k] = NULL;
    *n = k;
    return v;
}

/* Display width of UTF-8 text: one column per code point. */
static size_t width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

static const char *cell(const cx_table *t, size_t j, size_t i, int digits, char *buf, size_t size)
{
    if (cx_table_coltype(t, j) != CX_COL_NUMBER)
        return cx_table_cell_text(t, j, i, buf, size);
    double v = cx_table_numbers(t, j)[i];
    if (isnan(v))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.*f", digits, v);
    return buf;
}

/* Whole numbers in every row (counts): printed without decimals. */
static int integral(const cx_table *t, size_t j)
{
    if (cx_table_coltype(t, j) != CX_COL_NUMBER)
        return 0;
    const double *v = cx_table_numbers(t, j);
    for (size_t i = 0; i < cx_table_nrows(t); i++)
        if (!isnan(v[i]) && (v[i] != floor(v[i]) || fabs(v[i]) > 1e15))
            return 0;
    return 1;
}

void cli_print_table(FILE *fp, const cx_table *t, const size_t *cols, size_t ncols, int digits)
{
    size_t nc = cols ? ncols : cx_table_ncols(t), nr = cx_table_nrows(t);
    size_t *w = calloc(nc + 1, sizeof *w);
    int *dig = calloc(nc + 1, sizeof *dig);
    if (!w || !dig) {
        free(w);
        free(dig);
        return;
    }
    char buf[128];
    for (size_t k = 0; k < nc; k++) {
        size_t j = cols ? cols[k] : k;
        dig[k] = integral(t, j) ? 0 : digits;
        w[k] = width(cx_table_colname(t, j));
        for (size_t i = 0; i < nr; i++) {
            size_t cw = width(cell(t, j, i, dig[k], buf, sizeof buf));
            if (cw > w[k])
                w[k] = cw;
        }
    }
    for (size_t i = 0; i <= nr; i++) {
        for (size_t k = 0; k < nc; k++) {
            size_t j = cols ? cols[k] : k;
            const char *s = i == 0 ? cx_table_colname(t, j) : cell(t, j, i - 1, dig[k], buf, sizeof buf);
            int pad = (int)(w[k] - width(s));
            int right = cx_table_coltype(t, j) == CX_COL_NUMBER;
            if (k)
                fputs("  ", fp);
            if (right)
                fprintf(fp, "%*s%s", pad, "", s);
            else
                fprintf(fp, "%s%*s", s, k + 1 < nc ? pad : 0, "");
        }
        fputc('\n', fp);
    }
    free(w);
    free(dig);
}

cJSON *cli_cell_json(const cx_table *t, size_t col, size_t row)
{
    char buf[64];
    switch (cx_table_coltype(t, col)) {
    case CX_COL_NUMBER: {
        double v = cx_table_numbers(t, col)[row];
        return isnan(v) ? cJSON_CreateNull() : cJSON_CreateNumber(v);
    }
    case CX_COL_PERIOD:
        if (cx_table_periods(t, col)[row].kind == CX_PERIOD_NONE)
            return cJSON_CreateNull();
        return cJSON_CreateString(cx_table_cell_text(t, col, row, buf, sizeof buf));
    default: {
        const char *s = cx_table_text(t, col, row);
        return s ? cJSON_CreateString(s) : cJSON_CreateNull();
    }
    }
}

int cli_print_json(cJSON *doc)
{
    char *s = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!s) {
        fprintf(stderr, "error: out of memory\n");
        return EXIT_RUN;
    }
    int bad = fputs(s, stdout) < 0 || fputc('\n', stdout) == EOF || fflush(stdout) != 0;
    cJSON_free(s);
    if (bad) {
        fprintf(stderr, "error: cannot write to standard output\n");
        return EXIT_IOERR;
    }
    return EXIT_OK;
}
