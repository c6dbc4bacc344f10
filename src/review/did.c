/*
 * did.c - an initiative's realised effect on its metric by
 * difference-in-differences: the metric of every unit and period regressed
 * on the initiative's exposure (its ramp share where it had gone live, 0
 * where it had not yet), with unit and period effects, by the engine's own
 * least squares and its standard errors clustered by unit (HC1 with
 * G/(G - 1), as sandwich::vcovCL).  The units the initiative had not yet
 * reached are the comparison; without such units (everyone went live at
 * once) the exposure is a period effect and the effect is not separable.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <string.h>

#include "cxcase/model.h"
#include "../core/core.h"
#include "review_internal.h"

static const char spec_text[] =
    "{\"name\": \"did\", \"units\": [\"unit\"], \"equations\": [{\"target\": \"y\", "
    "\"terms\": [\"exposure\", \"C(unit)\", \"C(t)\"], \"se\": \"cluster\"}]}";

/* A copy of the panel with its columns named as the specification wants:
 * the period, "unit", "t" (the period as text, for its effects), "exposure"
 * and "y" (the metric). */
static cx_status design_table(const cx_table *panel, const char *metric, cx_table **out, cx_error *err)
{
    size_t cp = cx_table_find(panel, "period"), cu = cx_table_find(panel, "unit");
    size_t ce = cx_table_find(panel, "exposure"), cy = cx_table_find(panel, metric);
    size_t nc = cx_table_ncols(panel);
    if (cp >= nc || cu >= nc || ce >= nc || cy >= nc || cx_table_coltype(panel, cp) != CX_COL_PERIOD ||
        cx_table_coltype(panel, cu) != CX_COL_TEXT || cx_table_coltype(panel, ce) != CX_COL_NUMBER ||
        cx_table_coltype(panel, cy) != CX_COL_NUMBER)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "the rollout panel needs the columns period, unit, "
                            "exposure and '%s'", metric);
    cx_table *t = cx_table_new("rollout");
    cx_status st = t ? CX_OK : cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    if (st == CX_OK)
        st = cx_table_add_column(t, "period", CX_COL_PERIOD, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "unit", CX_COL_TEXT, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "t", CX_COL_TEXT, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "exposure", CX_COL_NUMBER, NULL, err);
    if (st == CX_OK)
        st = cx_table_add_column(t, "y", CX_COL_NUMBER, NULL, err);
    for (size_t i = 0; st == CX_OK && i < cx_table_nrows(panel); i++) {
        size_t r;
        char buf[CX_PERIOD_TEXT_MAX];
        cx_period p = cx_table_periods(panel, cp)[i];
        if ((st = cx_table_add_row(t, 0, &r)) != CX_OK)
            break;
        cx_table_set_period(t, 0, r, p);
        st = cx_table_set_text(t, 1, r, cx_table_text(panel, cu, i));
        if (st == CX_OK)
            st = cx_table_set_text(t, 2, r, cx_period_format(p, buf, sizeof buf));
        cx_table_set_number(t, 3, r, cx_table_numbers(panel, ce)[i]);
        cx_table_set_number(t, 4, r, cx_table_numbers(panel, cy)[i]);
    }
    if (st != CX_OK && err && err->status == CX_OK)
        st = cx_error_set(err, st, NULL, 0, 0, "out of memory");
    if (st != CX_OK) {
        cx_table_free(t);
        return st;
    }
    *out = t;
    return CX_OK;
}

/* The index of `key` in keys[0 .. *n), appended when new. */
static size_t key_index(const char **keys, size_t *n, const char *key)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(keys[i], key) == 0)
            return i;
    keys[*n] = key;
    return (*n)++;
}

/* Whether the exposure of design table t (columns unit, t, exposure, y)
 * varies beyond a unit effect plus a period effect: what is left of it
 * after sweeping out unit and period means in turn (alternating
 * projections; exact after one sweep when the panel is balanced) is not
 * zero.  Rows without a metric do not count. */
static cx_status exposure_varies(const cx_table *t, int *varies, cx_error *err)
{
    size_t n = cx_table_nrows(t), nu = 0, np = 0;
    const char **uk = cx_calloc(n + 1, sizeof *uk), **pk = cx_calloc(n + 1, sizeof *pk);
    size_t *ui = cx_calloc(n + 1, sizeof *ui), *pi = cx_calloc(n + 1, sizeof *pi);
    double *r = cx_calloc(n + 1, sizeof *r), *sum = cx_calloc(2 * n + 2, sizeof *sum);
    double *cnt = cx_calloc(2 * n + 2, sizeof *cnt);
    if (!uk || !pk || !ui || !pi || !r || !sum || !cnt) {
        cx_free(uk), cx_free(pk), cx_free(ui), cx_free(pi), cx_free(r), cx_free(sum), cx_free(cnt);
        return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
    }
    const double *x = cx_table_numbers(t, 3), *y = cx_table_numbers(t, 4);
    double scale = 0;
    for (size_t i = 0; i < n; i++) {
        ui[i] = key_index(uk, &nu, cx_table_text(t, 1, i));
        pi[i] = key_index(pk, &np, cx_table_text(t, 2, i));
        r[i] = isfinite(y[i]) && isfinite(x[i]) ? x[i] : NAN;
        scale = fmax(scale, isfinite(r[i]) ? fabs(r[i]) : 0);
    }
    double left = 0;
    for (int it = 0; it < 200; it++) {
        for (int side = 0; side < 2; side++) {
            const size_t *g = side ? pi : ui;
            memset(sum, 0, (2 * n + 2) * sizeof *sum);
            memset(cnt, 0, (2 * n + 2) * sizeof *cnt);
            for (size_t i = 0; i < n; i++)
                if (isfinite(r[i]))
                    sum[g[i]] += r[i], cnt[g[i]] += 1;
            for (size_t i = 0; i < n; i++)
                if (isfinite(r[i]))
                    r[i] -= sum[g[i]] / cnt[g[i]];
        }
        left = 0;
        for (size_t i = 0; i < n; i++)
            if (isfinite(r[i]))
                left = fmax(left, fabs(r[i]));
        if (left < 1e-10 * (1 + scale))
            break;
    }
    *varies = left >= 1e-8 * (1 + scale);
    cx_free(uk), cx_free(pk), cx_free(ui), cx_free(pi), cx_free(r), cx_free(sum), cx_free(cnt);
    return CX_OK;
}

cx_status cx_did_fit(const cx_table *panel, const char *metric, cx_did *out, cx_error *err)
{
    memset(out, 0, sizeof *out);
    out->tau = out->se = out->df = NAN;
    cx_table *t = NULL;
    cx_spec *spec = NULL;
    cx_model *m = NULL;
    cx_status st = design_table(panel, metric, &t, err);
    int varies = 0;
    if (st == CX_OK)
        st = exposure_varies(t, &varies, err);
    if (st == CX_OK && !varies) {
        cx_table_free(t);
        return CX_OK; /* out->separable = 0 */
    }
    if (st == CX_OK)
        st = cx_spec_parse(spec_text, sizeof spec_text - 1, "did", &spec, err);
    if (st == CX_OK) {
        cx_error ferr;
        cx_error_init(&ferr);
        cx_status fs = cx_fit_table(spec, t, NULL, &m, NULL, &ferr);
        if (fs != CX_OK) {
            st = fs;
            if (err)
                *err = ferr;
        } else {
            const cx_equation *e = cx_model_equation(m, 0);
            size_t j = cx_equation_coef_index(e, "exposure");
            out->separable = 1;
            out->tau = cx_equation_coef(e)[j];
            out->se = cx_equation_se(e)[j];
            out->df = cx_equation_stat(e, CX_STAT_DF_TEST);
            out->n = (size_t)cx_equation_stat(e, CX_STAT_N);
            out->units = (size_t)out->df + 1;
        }
    }
    cx_model_free(m);
    cx_spec_free(spec);
    cx_table_free(t);
    return st;
}
