/*
 * voice_sheet.c - the workbook's Voice sheet: the story behind the score.
 * For the scenario's survey responses, the words and two-word phrases that
 * most distinguish detractors' comments from promoters' and the reverse
 * (cxcase voice's default comparison), each with its z-score, counts and
 * verbatim quotes, and a chart of the z-scores per group.  Every term and
 * quote is written as a text cell: a comment that starts with '=' stays
 * text, never a formula.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "cxcase/voice.h"
#include "report_sheet.h"

#define VOICE_TOP 10
#define QUOTE_MAX 500 /* bytes of a quote shown (a cell holds 32767) */

/* The responses source of the scenario, or NULL. */
static const source *responses_source(const cx_scenario *s)
{
    for (size_t i = 0; i < s->ndata; i++)
        if (s->data[i].responses)
            return &s->data[i];
    return NULL;
}

int rep_voice_wanted(const rep *r)
{
    return responses_source(r->s) != NULL;
}

/* `q` cut to QUOTE_MAX bytes at a code point boundary, with "..." then. */
static const char *shorten(const char *q, char *buf, size_t size)
{
    size_t n = strlen(q);
    if (n <= QUOTE_MAX || size < QUOTE_MAX + 4)
        return q;
    n = QUOTE_MAX;
    while (n > 0 && ((unsigned char)q[n] & 0xC0) == 0x80)
        n--;
    memcpy(buf, q, n);
    memcpy(buf + n, "...", 4);
    return buf;
}

/* One comparison's table and chart from `row` on; returns the next free row. */
static lxw_row_t comparison(rep *r, lxw_worksheet *ws, const cx_voice *v, size_t k, lxw_row_t row)
{
    char line[512], buf[QUOTE_MAX + 4];
    uint64_t n, no;
    const char *focus = cx_voice_focus(v, k, &n, &no);
    snprintf(line, sizeof line, "What %ss say, against %ss (%llu comments against %llu)", focus, cx_voice_other(v, k),
             (unsigned long long)n, (unsigned long long)no);
    worksheet_write_string(ws, row++, 0, line, r->f.h);
    static const char *const head[] = {"Rank", "Term", "z", "Count", "Against", "Quote 1", "Quote 2", "Quote 3"};
    for (int c = 0; c < 8; c++)
        worksheet_write_string(ws, row, (lxw_col_t)c, head[c], r->f.th);
    row++;
    size_t nt = cx_voice_nterms(v, k);
    if (nt == 0) {
        worksheet_write_string(ws, row++, 0, "No term is more frequent in this group's comments.", r->f.note);
        return row + 1;
    }
    lxw_row_t first = row;
    for (size_t i = 0; i < nt; i++, row++) {
        const cx_voice_term *t = cx_voice_term_at(v, k, i);
        worksheet_write_number(ws, row, 0, (double)(i + 1), NULL);
        worksheet_write_string(ws, row, 1, t->term, r->f.text);
        worksheet_write_number(ws, row, 2, t->z, r->f.num2);
        worksheet_write_number(ws, row, 3, (double)t->count, NULL);
        worksheet_write_number(ws, row, 4, (double)t->count_other, NULL);
        for (size_t q = 0; q < t->nquotes; q++)
            worksheet_write_string(ws, row, (lxw_col_t)(5 + q), shorten(t->quote[q], buf, sizeof buf), r->f.wrap);
    }
    lxw_chart *ch = workbook_add_chart(r->wb, LXW_CHART_BAR);
    if (!ch) {
        r->oom = 1;
        return row + 1;
    }
    lxw_chart_series *sr = chart_add_series(ch, NULL, NULL);
    chart_series_set_categories(sr, "Voice", first, 1, row - 1, 1);
    chart_series_set_values(sr, "Voice", first, 2, row - 1, 2);
    snprintf(line, sizeof line, "z-score of the terms of %ss against %ss", focus, cx_voice_other(v, k));
    chart_title_set_name(ch, line);
    chart_title_set_name_font(ch, &(lxw_chart_font){.size = 10, .bold = LXW_TRUE});
    chart_legend_set_position(ch, LXW_CHART_LEGEND_NONE);
    chart_axis_set_reverse(ch->y_axis);
    worksheet_insert_chart_opt(ws, first - 2, 8, ch, &(lxw_chart_options){.x_scale = 1.0, .y_scale = 0.9});
    /* the chart is about 14 rows high: the next table starts below it */
    return row + 1 > first + 16 ? row + 1 : first + 16;
}

/* A sentence in place of the tables when there is nothing to compare. */
static void nothing(rep *r, lxw_worksheet *ws, const char *why)
{
    worksheet_write_string(ws, 3, 0, why, r->f.note);
    rep_print_wide(r, ws, 3, 7, 1, 0);
}

cx_status rep_voice_sheet(rep *r, lxw_worksheet *ws, cx_error *err)
{
    const source *d = responses_source(r->s);
    worksheet_set_column(ws, 0, 0, 6, NULL);
    worksheet_set_column(ws, 1, 1, 22, NULL);
    worksheet_set_column(ws, 2, 4, 9, NULL);
    worksheet_set_column(ws, 5, 7, 40, NULL);
    worksheet_write_string(ws, 0, 0, "Voice: the story behind the score", r->f.title);
    cx_csv_options o = {0};
    o.sep = d->sep;
    o.decimal = d->decimal;
    if (d->encoding >= 0)
        o.encoding = (cx_encoding)d->encoding;
    o.date_format = d->date_format;
    o.renames = d->columns;
    o.nrenames = d->ncolumns;
    o.renames_optional = 1;
    cx_voice_options vo = {.by = "category", .score = d->score, .top = VOICE_TOP};
    cx_voice *v = NULL;
    cx_error verr;
    cx_error_init(&verr);
    char line[1024];
    const char *file = strrchr(d->file, '/') ? strrchr(d->file, '/') + 1 : d->file;
    if (d->scale && strcmp(d->scale, "nps") != 0) {
        snprintf(line, sizeof line, "The responses in %s are on the %s scale: detractors and promoters need the "
                 "0-10 NPS scale.", file, d->scale);
        nothing(r, ws, line);
        return CX_OK;
    }
    cx_status st = cx_voice_run(d->file, &o, &vo, &v, &verr);
    if (st == CX_EINVAL || st == CX_ESYNTAX) {
        /* no comments to tell a story: the sheet says why, the case stands */
        char msg[CX_ERROR_LINE_MAX];
        snprintf(line, sizeof line, "No comments to analyse: %s", cx_error_format(&verr, msg, sizeof msg));
        nothing(r, ws, line);
        return CX_OK;
    }
    if (st != CX_OK) {
        *err = verr;
        return st;
    }
    const cx_voice_stats *s = cx_voice_stats_get(v);
    snprintf(line, sizeof line,
             "The words and two-word phrases that most distinguish detractors' comments (scores 0-6) from "
             "promoters' (9-10), and the reverse, from %llu comments of %llu responses in %s. z: the weighted "
             "log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi & Quinn 2008, a0 = %g) over its "
             "standard error; above 1.96 a term is distinctive at 5%%. Quotes are verbatim.",
             (unsigned long long)s->comments, (unsigned long long)s->responses, file, cx_voice_prior(v));
    worksheet_set_row(ws, 1, 45, NULL);
    worksheet_merge_range(ws, 1, 0, 1, 7, line, r->f.wrap);
    lxw_row_t row = 3;
    for (size_t k = 0; k < cx_voice_ncomparisons(v); k++)
        row = comparison(r, ws, v, k, row);
    cx_voice_free(v);
    rep_print_wide(r, ws, row, 7, 1, 0);
    return CX_OK;
}
