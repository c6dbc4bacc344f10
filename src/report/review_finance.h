/*
 * review_finance.h - the Finance sheet of the review workbook
 * (review_finance.c), written from the review JSON's "finance" member.
 * Never installed.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#ifndef CX_REPORT_REVIEW_FINANCE_H
#define CX_REPORT_REVIEW_FINANCE_H

#include <math.h>

#include <cjson/cJSON.h>
#include <xlsxwriter.h>

/* Cell helpers of the review workbook's sheets (review_sheet.c and
 * review_finance.c): member k of o as a number (NaN when it is not one)
 * and as a string ("" when it is not one), and a number written as "-"
 * when it does not exist (NaN, null). */
static inline double get(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

static inline const char *gets(const cJSON *o, const char *k)
{
    const char *s = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, k));
    return s ? s : "";
}

static inline void put(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
    if (isfinite(v))
        worksheet_write_number(ws, row, col, v, f);
    else
        worksheet_write_string(ws, row, col, "-", f);
}

/* The formats the sheet borrows from the review workbook. */
typedef struct review_fin_fmt {
    lxw_format *title, *h, *th, *num, *pct, *note, *bold;
} review_fin_fmt;

/* Write the Finance sheet `ws` of workbook wb from review r (its "finance"
 * member; nothing when there is none): named inputs (rev_fin_*), the cost
 * variance and timing per initiative as live formulas, the quarterly cash
 * flows of the plan and of the re-forecast as live formulas discounted as
 * `simulate` discounts, the NPV steps, and check rows (0). */
void review_finance_sheet(lxw_workbook *wb, lxw_worksheet *ws, const review_fin_fmt *f, const cJSON *r);

#endif
