/*
 * review_sheet.c - the review workbook (`cxcase review -o REVIEW.xlsx`),
 * written from the review's JSON (review.c): a one-page Summary (did we get
 * what we approved, why not, how good have our forecasts been), the Review
 * sheet (per target the plan, the parts and the actual as named inputs, and
 * the waterfall from plan to actual as live formulas with a check row), the
 * Track record sheet (each cycle's P10/P50/P90 with the actual, PIT and
 * CRPS, and a chart of the bands against the actual) and the Model shift
 * sheet (frozen and refitted coefficients, z as a live formula, the Chow
 * test).  Every formula is stored with the engine's value as its cached
 * result.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_cdf.h>
#include <xlsxwriter.h>

#include "cxcase/review.h"
#include "../core/core.h"
#include "review_finance.h"

typedef struct rfmt {
    lxw_format *title, *h, *th, *num, *pct, *text, *note, *bold;
} rfmt;

typedef struct rw {
    lxw_workbook *wb;
    rfmt f;
    const cJSON *r;
} rw;

/* "lag(nps, 4)" -> "lag_nps_4", for defined names. */
static void sanitize(const char *in, char *out, size_t size)
{
    size_t n = 0;
    int us = 0;
    for (; *in && n + 1 < size; in++) {
        unsigned char c = (unsigned char)*in;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            out[n++] = (char)c;
            us = 0;
        } else if (!us && n > 0) {
            out[n++] = '_';
            us = 1;
        }
    }
    while (n > 0 && out[n - 1] == '_')
        n--;
    out[n] = '\0';
}

/* Cell reference "$B$5" of (row, col) (0-based). */
static const char *ref(lxw_row_t row, lxw_col_t col, char *buf, size_t size)
{
    char c[4];
    if (col < 26)
        snprintf(c, sizeof c, "%c", 'A' + col);
    else
        snprintf(c, sizeof c, "%c%c", 'A' + col / 26 - 1, 'A' + col % 26);
    snprintf(buf, size, "$%s$%u", c, (unsigned)row + 1);
    return buf;
}

static void formats(rw *w)
{
    lxw_workbook *wb = w->wb;
    w->f.title = workbook_add_format(wb);
    format_set_bold(w->f.title);
    format_set_font_size(w->f.title, 14);
    w->f.h = workbook_add_format(wb);
    format_set_bold(w->f.h);
    format_set_font_size(w->f.h, 12);
    w->f.th = workbook_add_format(wb);
    format_set_bold(w->f.th);
    format_set_bottom(w->f.th, LXW_BORDER_THIN);
    w->f.num = workbook_add_format(wb);
    format_set_num_format(w->f.num, "#,##0.00");
    w->f.pct = workbook_add_format(wb);
    format_set_num_format(w->f.pct, "0.0%");
    w->f.text = workbook_add_format(wb);
    w->f.note = workbook_add_format(wb);
    format_set_italic(w->f.note);
    format_set_font_color(w->f.note, 0x595959);
    w->f.bold = workbook_add_format(wb);
    format_set_bold(w->f.bold);
}

/* ======================================================================== */
/* Review: the waterfall per target                                         */
/* ======================================================================== */

/* Where each target's figures sit on the Review sheet, for the Summary. */
typedef struct tpos {
    lxw_row_t plan, actual, gap;
} tpos;

static lxw_row_t review_target(rw *w, lxw_worksheet *ws, lxw_row_t row, const cJSON *t, tpos *pos)
{
    char tn[64], name[128], formula[256], a[16], b[16];
    sanitize(gets(t, "target"), tn, sizeof tn);
    int sum = strcmp(gets(t, "aggregate"), "sum") == 0;
    snprintf(formula, sizeof formula, "%s (%s over %.0f unit-periods)", gets(t, "target"), sum ? "sum" : "mean",
             get(t, "rows"));
    worksheet_write_string(ws, row++, 0, formula, w->f.h);
    worksheet_write_string(ws, row, 0, "Input", w->f.th);
    worksheet_write_string(ws, row, 1, "Value", w->f.th);
    worksheet_write_string(ws, row, 2, "SE", w->f.th);
    worksheet_write_string(ws, row, 3, "Name", w->f.th);
    worksheet_write_string(ws, row++, 4, "Note", w->f.th);
    /* the inputs: plan, each part, actual (engine values, named) */
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(t, "parts"), *p;
    size_t np = (size_t)cJSON_GetArraySize(parts);
    lxw_row_t first = row;
    snprintf(name, sizeof name, "review_%s_plan", tn);
    worksheet_write_string(ws, row, 0, "Plan (the frozen model at the planned metrics)", NULL);
    put(ws, row, 1, get(t, "plan"), w->f.num);
    worksheet_write_string(ws, row, 3, name, w->f.note);
    snprintf(formula, sizeof formula, "=Review!%s", ref(row, 1, a, sizeof a));
    workbook_define_name(w->wb, name, formula);
    pos->plan = row++;
    cJSON_ArrayForEach(p, parts) {
        snprintf(name, sizeof name, "review_%s_%s", tn, gets(p, "part"));
        worksheet_write_string(ws, row, 0, gets(p, "part"), NULL);
        /* a part that is not separable is 0 in the bridge: its share is in the next */
        double v = get(p, "value");
        worksheet_write_number(ws, row, 1, isfinite(v) ? v : 0, w->f.num);
        put(ws, row, 2, get(p, "se"), w->f.num);
        worksheet_write_string(ws, row, 3, name, w->f.note);
        const char *note = gets(p, "note");
        if (note[0])
            worksheet_write_string(ws, row, 4, note, w->f.note);
        snprintf(formula, sizeof formula, "=Review!%s", ref(row, 1, a, sizeof a));
        workbook_define_name(w->wb, name, formula);
        row++;
    }
    snprintf(name, sizeof name, "review_%s_actual", tn);
    worksheet_write_string(ws, row, 0, "Actual (observed)", NULL);
    put(ws, row, 1, get(t, "actual"), w->f.num);
    put(ws, row, 2, get(t, "actual_se"), w->f.num);
    worksheet_write_string(ws, row, 3, name, w->f.note);
    snprintf(formula, sizeof formula, "=Review!%s", ref(row, 1, a, sizeof a));
    workbook_define_name(w->wb, name, formula);
    pos->actual = row++;
    row++;
    /* the waterfall: one live formula per bar */
    worksheet_write_string(ws, row, 0, "Bar", w->f.th);
    worksheet_write_string(ws, row, 1, "Value", w->f.th);
    worksheet_write_string(ws, row, 2, "From", w->f.th);
    worksheet_write_string(ws, row++, 3, "To", w->f.th);
    double acc = get(t, "plan");
    worksheet_write_string(ws, row, 0, "Plan", w->f.bold);
    snprintf(formula, sizeof formula, "=review_%s_plan", tn);
    worksheet_write_formula_num(ws, row, 1, formula, w->f.num, acc);
    worksheet_write_number(ws, row, 2, 0, w->f.num);
    snprintf(formula, sizeof formula, "=%s", ref(row, 1, a, sizeof a));
    worksheet_write_formula_num(ws, row, 3, formula, w->f.num, acc);
    row++;
    size_t k = 0;
    cJSON_ArrayForEach(p, parts) {
        double v = get(p, "value");
        v = isfinite(v) ? v : 0;
        worksheet_write_string(ws, row, 0, gets(p, "part"), NULL);
        snprintf(formula, sizeof formula, "=review_%s_%s", tn, gets(p, "part"));
        worksheet_write_formula_num(ws, row, 1, formula, w->f.num, v);
        snprintf(formula, sizeof formula, "=%s", ref(row - 1, 3, a, sizeof a));
        worksheet_write_formula_num(ws, row, 2, formula, w->f.num, acc);
        snprintf(formula, sizeof formula, "=%s+%s", ref(row, 2, a, sizeof a), ref(row, 1, b, sizeof b));
        worksheet_write_formula_num(ws, row, 3, formula, w->f.num, acc + v);
        acc += v;
        row++, k++;
    }
    (void)np;
    (void)first;
    worksheet_write_string(ws, row, 0, "Actual", w->f.bold);
    snprintf(formula, sizeof formula, "=review_%s_actual", tn);
    worksheet_write_formula_num(ws, row, 1, formula, w->f.num, get(t, "actual"));
    worksheet_write_number(ws, row, 2, 0, w->f.num);
    snprintf(formula, sizeof formula, "=%s", ref(row, 1, a, sizeof a));
    worksheet_write_formula_num(ws, row, 3, formula, w->f.num, get(t, "actual"));
    row++;
    worksheet_write_string(ws, row, 0, "Gap (actual - plan)", NULL);
    snprintf(formula, sizeof formula, "=review_%s_actual-review_%s_plan", tn, tn);
    worksheet_write_formula_num(ws, row, 1, formula, w->f.num, get(t, "actual") - get(t, "plan"));
    pos->gap = row++;
    worksheet_write_string(ws, row, 0, "Check: plan + bars - actual (0)", w->f.bold);
    snprintf(formula, sizeof formula, "=%s-%s", ref(row - 3, 3, a, sizeof a), ref(row - 2, 1, b, sizeof b));
    worksheet_write_formula_num(ws, row, 1, formula, w->f.num, acc - get(t, "actual"));
    return row + 2;
}

static void review_sheet(rw *w, lxw_worksheet *ws, tpos *pos)
{
    worksheet_set_column(ws, 0, 0, 44, NULL);
    worksheet_set_column(ws, 1, 3, 16, NULL);
    worksheet_set_column(ws, 4, 4, 60, NULL);
    char buf[256];
    snprintf(buf, sizeof buf, "Review of case %.0f (%s), %s: from plan to actual", get(w->r, "case"),
             gets(w->r, "scenario"), gets(w->r, "quarter"));
    worksheet_write_string(ws, 0, 0, buf, w->f.title);
    worksheet_write_string(ws, 1, 0, "The parts are the engine's (cxcase review); change one and the waterfall and "
                           "its check follow.", w->f.note);
    lxw_row_t row = 3;
    const cJSON *t;
    size_t i = 0;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(w->r, "targets"))
        row = review_target(w, ws, row, t, &pos[i++]);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0);
}

/* ======================================================================== */
/* Track record and model shift                                             */
/* ======================================================================== */

static void track_sheet(rw *w, lxw_worksheet *ws)
{
    worksheet_set_column(ws, 0, 9, 14, NULL);
    worksheet_write_string(ws, 0, 0, "Track record: each cycle's forecast against the actual", w->f.title);
    lxw_row_t row = 2;
    const cJSON *t;
    cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(w->r, "track_record")) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s: %.0f reviews; 80%% band %.0f hits, 95%% band %.0f hits; mean CRPS %.4g "
                 "(naive %.4g)", gets(t, "target"), get(t, "reviews"),
                 get(cJSON_GetObjectItemCaseSensitive(t, "coverage80"), "hits"),
                 get(cJSON_GetObjectItemCaseSensitive(t, "coverage95"), "hits"), get(t, "mean_crps"),
                 get(t, "mean_crps_naive"));
        worksheet_write_string(ws, row++, 0, buf, w->f.h);
        static const char *const head[] = {"case", "quarter", "P10", "P50", "P90", "actual", "PIT", "CRPS",
                                           "CRPS naive"};
        for (lxw_col_t c = 0; c < 9; c++)
            worksheet_write_string(ws, row, c, head[c], w->f.th);
        lxw_row_t first = ++row;
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(t, "cycles")) {
            put(ws, row, 0, get(c, "case"), NULL);
            worksheet_write_string(ws, row, 1, gets(c, "quarter"), NULL);
            static const char *const k[] = {"p10", "p50", "p90", "actual", "pit", "crps", "crps_naive"};
            for (int j = 0; j < 7; j++)
                put(ws, row, (lxw_col_t)(2 + j), get(c, k[j]), j == 4 ? w->f.pct : w->f.num);
            row++;
        }
        lxw_row_t last = row - 1;
        if (last >= first) {
            lxw_chart *ch = workbook_add_chart(w->wb, LXW_CHART_LINE);
            static const char *const sname[] = {"P10", "P50", "P90", "actual"};
            for (lxw_col_t j = 0; j < 4; j++) {
                lxw_chart_series *s = chart_add_series(ch, NULL, NULL);
                chart_series_set_categories(s, "Track record", first, 1, last, 1);
                chart_series_set_values(s, "Track record", first, (lxw_col_t)(2 + j), last, (lxw_col_t)(2 + j));
                chart_series_set_name(s, sname[j]);
                if (j == 3) {
                    chart_series_set_marker_type(s, LXW_CHART_MARKER_CIRCLE);
                    lxw_chart_line ln = {.none = LXW_TRUE};
                    chart_series_set_line(s, &ln);
                }
            }
            chart_title_set_name(ch, gets(t, "target"));
            worksheet_insert_chart(ws, row + 1, 0, ch);
            row += 17;
        }
        row += 2;
    }
}

static void shift_sheet(rw *w, lxw_worksheet *ws)
{
    worksheet_set_column(ws, 0, 0, 30, NULL);
    worksheet_set_column(ws, 1, 6, 14, NULL);
    worksheet_write_string(ws, 0, 0, "Model shift: the frozen model against the refit (a candidate, not used)",
                           w->f.title);
    const cJSON *ms = cJSON_GetObjectItemCaseSensitive(w->r, "model_shift");
    worksheet_write_string(ws, 1, 0, gets(ms, "note"), w->f.note);
    lxw_row_t row = 3;
    const cJSON *e;
    cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(ms, "equations")) {
        const cJSON *chow = cJSON_GetObjectItemCaseSensitive(e, "chow");
        char buf[256];
        snprintf(buf, sizeof buf, "%s (%s): Chow predictive-failure F = %.4f on %.0f and %.0f df, p = %.4g",
                 gets(e, "target"), gets(e, "method"), get(chow, "F"), get(chow, "df1"), get(chow, "df2"),
                 get(chow, "p"));
        worksheet_write_string(ws, row++, 0, buf, w->f.h);
        static const char *const head[] = {"term", "frozen", "refit", "SE frozen", "SE refit", "z"};
        for (lxw_col_t c = 0; c < 6; c++)
            worksheet_write_string(ws, row, c, head[c], w->f.th);
        row++;
        const cJSON *c;
        cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(e, "coefficients")) {
            worksheet_write_string(ws, row, 0, gets(c, "term"), NULL);
            put(ws, row, 1, get(c, "frozen"), w->f.num);
            put(ws, row, 2, get(c, "refit"), w->f.num);
            put(ws, row, 3, get(c, "se_frozen"), w->f.num);
            put(ws, row, 4, get(c, "se_refit"), w->f.num);
            double z = get(c, "z");
            if (isfinite(z)) {
                char f[160], a[16], b[16], s1[16], s2[16];
                snprintf(f, sizeof f, "=(%s-%s)/SQRT(%s^2-%s^2)", ref(row, 2, a, sizeof a), ref(row, 1, b, sizeof b),
                         ref(row, 3, s1, sizeof s1), ref(row, 4, s2, sizeof s2));
                worksheet_write_formula_num(ws, row, 5, f, w->f.num, z);
            } else
                worksheet_write_string(ws, row, 5, "-", NULL);
            row++;
        }
        row++;
    }
}

/* ======================================================================== */
/* Summary                                                                  */
/* ======================================================================== */

/* One initiative on the Summary: an initiative whose plan starts after the
 * quarter is "not due yet" (not "not separable"), and the share delivered
 * comes with its 95% interval, t with the DiD's degrees of freedom, since
 * one quarter measures it loosely. */
static lxw_row_t summary_initiative(rw *w, lxw_worksheet *ws, lxw_row_t row, const cJSON *x, lxw_format *const *al)
{
    char buf[160];
    const cJSON *due = cJSON_GetObjectItemCaseSensitive(x, "planned_in_quarter");
    int not_due = cJSON_IsNumber(due) && due->valuedouble == 0;
    const char *name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "name"));
    worksheet_write_string(ws, row, 0, name ? name : gets(x, "initiative"), NULL);
    worksheet_write_string(ws, row, 1, gets(x, "metric"), NULL);
    put(ws, row, 2, get(x, "planned_change"), w->f.num);
    if (not_due) {
        worksheet_write_string(ws, row, 3, "not due yet", al[1]);
        worksheet_write_string(ws, row, 4, "-", al[0]);
    } else if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "separable"))) {
        put(ws, row, 3, get(x, "realised_change"), w->f.num);
        put(ws, row, 4, get(x, "share_delivered"), w->f.pct);
        double t = gsl_cdf_tdist_Pinv(0.975, get(x, "df")), s = get(x, "se") / fabs(get(x, "planned_change"));
        if (isfinite(t * s)) {
            snprintf(buf, sizeof buf, "%.0f%% to %.0f%%", 100 * (get(x, "share_delivered") - t * s),
                     100 * (get(x, "share_delivered") + t * s));
            worksheet_write_string(ws, row, 5, buf, al[0]);
        }
    } else {
        worksheet_write_string(ws, row, 3, "not separable", al[1]);
        worksheet_write_string(ws, row, 4, "-", al[0]);
    }
    snprintf(buf, sizeof buf, "%.0f of %.0f", get(x, "units_reached"), get(x, "units"));
    worksheet_write_string(ws, row, 6, not_due ? "-" : buf, al[0]);
    return row + 1;
}

/* The Summary's finance lines: the NPV approved, the cost variance and the
 * timing so far, the NPV now (the Finance sheet has the detail). */
static lxw_row_t summary_finance(rw *w, lxw_worksheet *ws, lxw_row_t row, lxw_format *whole, lxw_format *th_r)
{
    const cJSON *fin = cJSON_GetObjectItemCaseSensitive(w->r, "finance");
    if (!fin)
        return row;
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(fin, "npv"), *t = cJSON_GetObjectItemCaseSensitive(fin, "total");
    worksheet_write_string(ws, row++, 0, "What is the plan worth now?", w->f.h);
    static const char *const h[] = {"EUR", "NPV approved", "cost variance", "timing", "NPV re-forecast", "change"};
    for (lxw_col_t c = 0; c < 6; c++)
        worksheet_write_string(ws, row, c, h[c], c ? th_r : w->f.th);
    row++;
    worksheet_write_string(ws, row, 0, "the approved plan", NULL);
    worksheet_write_formula_num(ws, row, 1, "=rev_fin_npv_frozen", whole, get(n, "frozen"));
    put(ws, row, 2, get(t, "cost_variance"), whole);
    put(ws, row, 3, get(t, "timing"), whole);
    put(ws, row, 4, get(n, "reforecast"), whole);
    put(ws, row, 5, get(n, "reforecast") - get(n, "frozen"), whole);
    row++;
    worksheet_write_string(ws, row, 0, "Cost variance of the quarters reviewed (above 0: overspent); timing: gross "
                           "profit moved out by go-live delays; detail and assumptions on the Finance sheet.",
                           w->f.note);
    return row + 2;
}

static void summary_sheet(rw *w, lxw_worksheet *ws, const tpos *pos)
{
    worksheet_set_column(ws, 0, 0, 50, NULL); /* the initiatives' names */
    worksheet_set_column(ws, 1, 6, 16, NULL);
    char buf[300], f[200], a[16];
    lxw_format *whole = workbook_add_format(w->wb); /* euros of revenue: no cents */
    format_set_num_format(whole, "#,##0");
    /* text among figures: right-aligned like them, so the two never run together */
    lxw_format *right = workbook_add_format(w->wb), *note_r = workbook_add_format(w->wb),
               *th_r = workbook_add_format(w->wb);
    format_set_align(right, LXW_ALIGN_RIGHT);
    format_set_align(note_r, LXW_ALIGN_RIGHT);
    format_set_italic(note_r);
    format_set_font_color(note_r, 0x595959);
    format_set_align(th_r, LXW_ALIGN_RIGHT);
    format_set_bold(th_r);
    format_set_bottom(th_r, LXW_BORDER_THIN);
    snprintf(buf, sizeof buf, "Review of case %.0f: %s, %s", get(w->r, "case"), gets(w->r, "scenario"),
             gets(w->r, "quarter"));
    worksheet_write_string(ws, 0, 0, buf, w->f.title);
    lxw_row_t row = 2;
    worksheet_write_string(ws, row++, 0, "Did we get what we approved?", w->f.h);
    static const char *const ih[] = {"initiative", "metric", "planned change", "realised change", "share delivered",
                                     "95% interval", "units reached"};
    for (lxw_col_t c = 0; c < 7; c++)
        worksheet_write_string(ws, row, c, ih[c], c >= 2 ? th_r : w->f.th);
    row++;
    lxw_format *al[2] = {right, note_r};
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(w->r, "initiatives"))
        row = summary_initiative(w, ws, row, x, al);
    worksheet_write_string(ws, row++, 0, "Realised change: per reached unit, by difference-in-differences against "
                           "the units not reached and the year before; share delivered = realised / planned change.",
                           w->f.note);
    row = summary_finance(w, ws, row + 1, whole, th_r);
    worksheet_write_string(ws, row++, 0, "Why not? The gap per target", w->f.h);
    static const char *const gh[] = {"target", "plan", "actual", "gap", "largest part", "significant"};
    for (lxw_col_t c = 0; c < 6; c++)
        worksheet_write_string(ws, row, c, gh[c], c ? th_r : w->f.th);
    row++;
    size_t i = 0;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(w->r, "targets")) {
        const tpos *p = &pos[i++];
        worksheet_write_string(ws, row, 0, gets(x, "target"), NULL);
        lxw_format *nf = fabs(get(x, "plan")) >= 1e4 ? whole : w->f.num;
        snprintf(f, sizeof f, "=Review!%s", ref(p->plan, 1, a, sizeof a));
        worksheet_write_formula_num(ws, row, 1, f, nf, get(x, "plan"));
        snprintf(f, sizeof f, "=Review!%s", ref(p->actual, 1, a, sizeof a));
        worksheet_write_formula_num(ws, row, 2, f, nf, get(x, "actual"));
        snprintf(f, sizeof f, "=Review!%s", ref(p->gap, 1, a, sizeof a));
        worksheet_write_formula_num(ws, row, 3, f, nf, get(x, "gap"));
        const cJSON *pt, *big = NULL;
        cJSON_ArrayForEach(pt, cJSON_GetObjectItemCaseSensitive(x, "parts"))
            if (isfinite(get(pt, "value")) && (!big || fabs(get(pt, "value")) > fabs(get(big, "value"))))
                big = pt;
        snprintf(buf, sizeof buf, "%s", big ? gets(big, "part") : "-");
        for (char *c = buf; *c; c++) /* "baseline drift", as the reader says it */
            *c = *c == '_' ? ' ' : *c;
        worksheet_write_string(ws, row, 4, buf, right);
        worksheet_write_string(ws, row++, 5,
                               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(x, "significant")) ? "yes (|z| > 1.96)"
                                                                                                 : "no", right);
    }
    row++;
    worksheet_write_string(ws, row++, 0, "How good have our forecasts been?", w->f.h);
    static const char *const th[] = {"target", "reviews", "in 80% band", "in 95% band", "mean CRPS", "skill vs naive"};
    for (lxw_col_t c = 0; c < 6; c++)
        worksheet_write_string(ws, row, c, th[c], c ? th_r : w->f.th);
    row++;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(w->r, "track_record")) {
        worksheet_write_string(ws, row, 0, gets(x, "target"), NULL);
        put(ws, row, 1, get(x, "reviews"), NULL);
        put(ws, row, 2, get(cJSON_GetObjectItemCaseSensitive(x, "coverage80"), "share"), w->f.pct);
        put(ws, row, 3, get(cJSON_GetObjectItemCaseSensitive(x, "coverage95"), "share"), w->f.pct);
        put(ws, row, 4, get(x, "mean_crps"), fabs(get(x, "mean_crps")) >= 1e4 ? whole : w->f.num);
        put(ws, row++, 5, get(x, "crps_skill"), w->f.pct);
    }
    row++;
    worksheet_write_string(ws, row, 0, "The case's model was not refitted to judge it; the refit is a candidate on "
                           "the Model shift sheet.", w->f.note);
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 1);
    worksheet_set_paper(ws, 9);
}

cx_status cx_review_workbook_write(const char *json, const char *path, cx_error *err)
{
    cJSON *r = cJSON_Parse(json);
    if (!r)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the review to write is not JSON");
    cx_status st = cx_output_check(path, err);
    int zfd = -1;
    char tmp[32];
    if (st == CX_OK)
        st = cx_scratch_open(path, &zfd, tmp, err);
    if (st != CX_OK) {
        cJSON_Delete(r);
        return st;
    }
    rw w = {0};
    w.r = r;
    w.wb = workbook_new(tmp);
    if (!w.wb) {
        close(zfd);
        cJSON_Delete(r);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory for the workbook");
    }
    formats(&w);
    lxw_worksheet *wsum = workbook_add_worksheet(w.wb, "Summary");
    lxw_worksheet *wrev = workbook_add_worksheet(w.wb, "Review");
    lxw_worksheet *wfin = cJSON_GetObjectItemCaseSensitive(r, "finance") ? workbook_add_worksheet(w.wb, "Finance") : NULL;
    lxw_worksheet *wtr = workbook_add_worksheet(w.wb, "Track record");
    lxw_worksheet *wms = workbook_add_worksheet(w.wb, "Model shift");
    size_t nt = (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(r, "targets"));
    tpos *pos = cx_calloc(nt + 1, sizeof *pos);
    if (!pos) {
        workbook_close(w.wb);
        close(zfd);
        cJSON_Delete(r);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    review_sheet(&w, wrev, pos);
    summary_sheet(&w, wsum, pos);
    review_fin_fmt ff = {w.f.title, w.f.h, w.f.th, w.f.num, w.f.pct, w.f.note, w.f.bold};
    if (wfin)
        review_finance_sheet(w.wb, wfin, &ff, r);
    track_sheet(&w, wtr);
    shift_sheet(&w, wms);
    time_t now;
    if (cx_source_date_epoch(&now) != 1)
        now = cx_time_now();
    lxw_doc_properties props = {.title = "Review", .subject = "Planning-cycle review", .author = "cxcase",
                                .comments = "Written by cxcase review", .created = now};
    workbook_set_properties(w.wb, &props);
    lxw_error le = workbook_close(w.wb);
    cx_free(pos);
    cJSON_Delete(r);
    if (le != LXW_NO_ERROR)
        st = cx_error_set(err, CX_EIO, path, 0, 0, "writing the workbook failed: %s", lxw_strerror(le));
    cx_outfile of;
    if (st == CX_OK && (st = cx_outfile_open(&of, path, err)) == CX_OK) {
        st = cx_outfile_copy_fd(&of, zfd, err);
        if (st == CX_OK)
            st = cx_outfile_commit(&of, err);
        else
            cx_outfile_abort(&of);
    }
    close(zfd);
    return st;
}
