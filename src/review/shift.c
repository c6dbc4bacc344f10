/*
 * shift.c - the model shift: the case's model specification refitted on
 * the data up to the reviewed quarter, beside the frozen coefficients, as
 * a candidate (the review itself never uses it).  Per equation a Chow
 * predictive-failure test (Chow 1960, the second test) of the rows since
 * the horizon began against the fit on the rows before it,
 *     F = ((RSS_all - RSS_before) / n2) / (RSS_before / (n1 - k)),
 * F(n2, n1 - k), and per coefficient z = (refit - frozen) / sqrt(se_frozen^2
 * - se_refit^2) (the refit's rows include the frozen fit's, so that the
 * difference's variance is the difference of the variances when both are
 * efficient; null when it is not positive).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "cxcase/model.h"
#include "../core/core.h"
#include "shift.h"

static cJSON *num(double v)
{
    return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* The rows of `panel` whose quarter index from `start` is below `below`. */
static cx_status rows_before(const cx_table *panel, cx_period start, int below, cx_table **out, cx_error *err)
{
    size_t nc = cx_table_ncols(panel), nr;
    cx_table *t = cx_table_new(cx_table_source(panel));
    cx_status st = t ? CX_OK : cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    for (size_t c = 0; st == CX_OK && c < nc; c++)
        st = cx_table_add_column(t, cx_table_colname(panel, c), cx_table_coltype(panel, c), NULL, err);
    const cx_period *per = cx_table_periods(panel, 0);
    for (size_t i = 0; st == CX_OK && i < cx_table_nrows(panel); i++) {
        cx_period q = cx_period_quarter(per[i]);
        if (q.kind == CX_PERIOD_NONE || (int)(q.value - start.value) >= below)
            continue;
        if ((st = cx_table_add_row(t, cx_table_line(panel, i), &nr)) != CX_OK)
            break;
        for (size_t c = 0; st == CX_OK && c < nc; c++)
            switch (cx_table_coltype(panel, c)) {
            case CX_COL_NUMBER:
                cx_table_set_number(t, c, nr, cx_table_numbers(panel, c)[i]);
                break;
            case CX_COL_PERIOD:
                cx_table_set_period(t, c, nr, cx_table_periods(panel, c)[i]);
                break;
            default:
                if (cx_table_text(panel, c, i))
                    st = cx_table_set_text(t, c, nr, cx_table_text(panel, c, i));
            }
    }
    if (st != CX_OK) {
        if (err && err->status == CX_OK)
            cx_error_set(err, st, NULL, 0, 0, "out of memory");
        cx_table_free(t);
        return st;
    }
    *out = t;
    return CX_OK;
}

/* One equation's shift: the frozen equation q, its refit on the rows
 * before the horizon (b) and on the rows up to the quarter (a). */
static cJSON *equation_shift(const fequ *q, const cx_equation *b, const cx_equation *a)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "target", q->target);
    cJSON_AddStringToObject(o, "method", cx_equation_method(a));
    double n1 = cx_equation_stat(b, CX_STAT_N), n = cx_equation_stat(a, CX_STAT_N);
    double k = (double)cx_equation_ncoef(b), r1 = cx_equation_stat(b, CX_STAT_RSS), r = cx_equation_stat(a, CX_STAT_RSS);
    double n2 = n - n1, df2 = n1 - k, F = ((r - r1) / n2) / (r1 / df2);
    cJSON *chow = cJSON_AddObjectToObject(o, "chow");
    cJSON_AddNumberToObject(chow, "rows_before", n1);
    cJSON_AddNumberToObject(chow, "rows_since", n2);
    int ok = n2 > 0 && df2 > 0 && r1 > 0 && isfinite(F);
    cJSON_AddItemToObject(chow, "F", num(ok ? F : NAN));
    cJSON_AddItemToObject(chow, "df1", num(ok ? n2 : NAN));
    cJSON_AddItemToObject(chow, "df2", num(ok ? df2 : NAN));
    cJSON_AddItemToObject(chow, "p", num(ok ? gsl_cdf_fdist_Q(F < 0 ? 0 : F, n2, df2) : NAN));
    cJSON *cs = cJSON_AddArrayToObject(o, "coefficients");
    const double *ca = cx_equation_coef(a), *sa = cx_equation_se(a);
    for (size_t j = 0; j < q->p; j++) {
        const char *name = NULL;
        if (q->t[j].kind == FT_ICPT)
            name = "(Intercept)";
        else if (q->t[j].kind == FT_EXPR)
            name = q->t[j].t.text;
        char buf[512];
        if (q->t[j].kind == FT_CAT) {
            snprintf(buf, sizeof buf, "C(%s)[%s]", q->t[j].col, q->t[j].level);
            name = buf;
        }
        size_t ia = name ? cx_equation_coef_index(a, name) : (size_t)-1;
        double fb = q->coef[j], fs = sqrt(q->cov[j * q->p + j]);
        double nb = ia < cx_equation_ncoef(a) ? ca[ia] : NAN, ns = ia < cx_equation_ncoef(a) ? sa[ia] : NAN;
        double dv = fs * fs - ns * ns;
        cJSON *x = cJSON_CreateObject();
        cJSON_AddItemToArray(cs, x);
        cJSON_AddStringToObject(x, "term", name ? name : "");
        cJSON_AddItemToObject(x, "frozen", num(fb));
        cJSON_AddItemToObject(x, "refit", num(nb));
        cJSON_AddItemToObject(x, "se_frozen", num(fs));
        cJSON_AddItemToObject(x, "se_refit", num(ns));
        cJSON_AddItemToObject(x, "z", num(dv > 0 ? (nb - fb) / sqrt(dv) : NAN));
    }
    return o;
}

cx_status cx_shift_json(const frozen *f, const cx_table *panel, int Q, cJSON **out, cx_error *err)
{
    *out = NULL;
    const cJSON *model = cJSON_GetObjectItemCaseSensitive(f->doc, "model");
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(model, "content"));
    cx_spec *spec = NULL;
    cx_error perr;
    cx_error_init(&perr);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (!text || cx_spec_parse(text, strlen(text), "model", &spec, &perr) != CX_OK) {
        cJSON_AddNullToObject(o, "equations");
        cJSON_AddStringToObject(o, "note", "the case's model is a fitted model, not a specification: nothing to refit");
        *out = o;
        return CX_OK;
    }
    cx_table *before = NULL, *upto = NULL;
    cx_model *mb = NULL, *ma = NULL;
    cx_status st = rows_before(panel, f->start, 0, &before, err);
    if (st == CX_OK)
        st = rows_before(panel, f->start, Q + 1, &upto, err);
    cx_error ferr;
    cx_error_init(&ferr);
    if (st == CX_OK && (cx_fit_table(spec, before, NULL, &mb, NULL, &ferr) != CX_OK ||
                        cx_fit_table(spec, upto, NULL, &ma, NULL, &ferr) != CX_OK)) {
        if (ferr.status == CX_ENOMEM)
            st = cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
        else {
            cJSON_AddNullToObject(o, "equations");
            cJSON_AddStringToObject(o, "note", ferr.message);
        }
    } else if (st == CX_OK) {
        cJSON_AddNumberToObject(o, "rows", (double)cx_table_nrows(upto));
        cJSON *eqs = cJSON_AddArrayToObject(o, "equations");
        for (size_t e = 0; e < f->neq && e < cx_model_nequations(ma); e++)
            cJSON_AddItemToArray(eqs, equation_shift(&f->eq[e], cx_model_equation(mb, e), cx_model_equation(ma, e)));
        cJSON_AddStringToObject(o, "note", "a candidate: the review keeps the case's frozen model; refit the case "
                                "to adopt it");
    }
    cx_model_free(ma);
    cx_model_free(mb);
    cx_table_free(upto);
    cx_table_free(before);
    cx_spec_free(spec);
    if (st != CX_OK) {
        cJSON_Delete(o);
        return st;
    }
    *out = o;
    return CX_OK;
}
