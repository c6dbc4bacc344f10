/*
 * sources.c - a scenario's data: its sources read into the panel the
 * simulation projects from (each file with its own reading options: the
 * separator, decimal mark, encoding, date format and the mapping of its
 * column names), and what `cxcase check` verifies of them before any
 * simulation: everything `simulate` needs that can be known without
 * fitting, so that a scenario check passes is one simulate can run.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <stdio.h>
#include <string.h>

#include "cxcase/data.h"
#include "cxcase/model.h"
#include "cxcase/sim.h"
#include "../core/core.h"
#include "../core/jsonin.h"
#include "../data/table.h"
#include "../model/design.h"
#include "scenario_internal.h"

#define YEARS_STALE 2 /* a horizon that starts this many years after the data: warned */

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* An error in the scenario file at JSON Pointer `ptr` (its text). */
#define at(err, file, ptr, ...) cx_json_error((err), CX_EINVAL, (file), cx_jpath_of(&(cx_jpath){0}, (ptr)), __VA_ARGS__)

/* A panel of dates at a coarser cadence (one date a month, a quarter ...)
 * is projected at that cadence, as the fit counted its lags in it: its
 * periods become months (quarters, weeks, years). */
static void periods_at_cadence(cx_table *panel)
{
    const cx_period *per = cx_table_ncols(panel) ? cx_table_periods(panel, 0) : NULL;
    if (!per)
        return;
    cx_cadence c;
    cx_table_period_cadence(panel, 0, &c);
    cx_period_kind k = cx_cadence_kind(&c);
    if (c.kind != CX_PERIOD_DAY || k == CX_PERIOD_DAY || k == CX_PERIOD_NONE)
        return;
    for (size_t i = 0; i < cx_table_nrows(panel); i++) {
        cx_period q;
        if (cx_period_convert(per[i], k, &q) == CX_OK)
            cx_table_set_period(panel, 0, i, q);
    }
}

/* Every column named by --text is a column of the joined sources. */
static cx_status text_columns_found(const cx_table *panel, const cx_sim_options *o, cx_error *err)
{
    for (size_t k = 0; o && k < o->ntypes; k++) {
        const char *name = o->types[k].name;
        if (!o->types[k].required || cx_table_find(panel, name) != (size_t)-1)
            continue;
        size_t n = cx_table_ncols(panel);
        const char **names = cx_calloc(n + 1, sizeof(char *));
        if (!names)
            return oom(err);
        for (size_t j = 0; j < n; j++)
            names[j] = cx_table_colname(panel, j);
        cx_buf b = {0};
        cx_status st = cx_suggest_text(&b, name, names, n, "their columns");
        if (st == CX_OK)
            st = cx_error_set(err, CX_EUSAGE, NULL, 0, 0,
                              "--text %s: expected a column '%s' in one of the data files, found none%s", name, name,
                              b.data ? b.data : "");
        cx_buf_free(&b);
        cx_free(names);
        return st == CX_ENOMEM ? oom(err) : st;
    }
    return CX_OK;
}

/* How to read source d: its own options and the forced types. */
static void source_options(const source *d, const cx_csv_coltype *types, size_t ntypes, cx_warnings *notes,
                           cx_csv_options *o)
{
    memset(o, 0, sizeof *o);
    o->notes = notes;
    o->types = types;
    o->ntypes = ntypes;
    o->types_optional = 1; /* one --text list for every source: checked on the panel */
    o->sep = d->sep;
    o->decimal = d->decimal;
    if (d->encoding >= 0)
        o->encoding = (cx_encoding)d->encoding;
    o->date_format = d->date_format;
    o->renames = d->columns;
    o->nrenames = d->ncolumns;
}

cx_status cx_scenario_panel(const cx_scenario *s, const char *const *units, size_t nunits,
                            const cx_sim_options *o, cx_table **panel, cx_warnings *warn, cx_error *err)
{
    *panel = NULL;
    cx_panel_source *files = cx_calloc(s->ndata + 1, sizeof *files);
    cx_csv_options *opts = cx_calloc(s->ndata + 1, sizeof *opts);
    if (!files || !opts) {
        cx_free(files);
        cx_free(opts);
        return oom(err);
    }
    size_t n = 0;
    const source *resp = NULL;
    cx_panel_source rsrc = {NULL, NULL};
    cx_status st = CX_OK;
    for (size_t i = 0; i < s->ndata && st == CX_OK; i++) {
        source_options(&s->data[i], o ? o->types : NULL, o ? o->ntypes : 0, o ? o->notes : NULL, &opts[i]);
        if (!s->data[i].responses)
            files[n++] = (cx_panel_source){s->data[i].file, &opts[i]};
        else if (resp) {
            char ptr[64];
            snprintf(ptr, sizeof ptr, "/data/%zu", i);
            st = at(err, s->path, ptr, "expected one \"responses\" source, found a second one");
        } else {
            resp = &s->data[i];
            rsrc = (cx_panel_source){resp->file, &opts[i]};
        }
    }
    if (st == CX_OK && n == 0)
        st = at(err, s->path, "/data", "expected at least one \"metrics\" source, found none");
    cx_survey_options so;
    memset(&so, 0, sizeof so);
    so.scale = CX_SCALE_NPS;
    if (st == CX_OK && resp && resp->scale)
        cx_scale_from_name(resp->scale, &so.scale);
    if (resp)
        so.score = resp->score;
    if (st == CX_OK)
        st = cx_panel_load_sources(files, n, resp ? &rsrc : NULL, &so, units, nunits, panel, NULL, warn, err);
    cx_free(files);
    cx_free(opts);
    if (st == CX_OK)
        st = text_columns_found(*panel, o, err);
    if (st == CX_OK)
        periods_at_cadence(*panel);
    else {
        cx_table_free(*panel);
        *panel = NULL;
    }
    return st;
}

void cx_scenario_horizon_warnings(const cx_scenario *s, const cx_table *panel, cx_warnings *warn)
{
    const cx_period *per = cx_table_ncols(panel) ? cx_table_periods(panel, 0) : NULL;
    cx_period last = {CX_PERIOD_NONE, 0};
    for (size_t i = 0; per && i < cx_table_nrows(panel); i++)
        if (per[i].kind != CX_PERIOD_NONE && (last.kind == CX_PERIOD_NONE || cx_period_cmp(per[i], last) > 0))
            last = per[i];
    cx_period lq = cx_period_quarter(last);
    if (lq.kind != CX_PERIOD_QUARTER)
        return;
    char a[CX_PERIOD_TEXT_MAX], b[CX_PERIOD_TEXT_MAX];
    cx_period_format(last, a, sizeof a);
    cx_period_format(lq, b, sizeof b);
    if (s->start_q <= lq.value)
        cx_warnings_add(warn, "the horizon starts in %s, inside the data, which run to %s (%s): its baselines are "
                              "the last periods of the data, so the plan's quarters up to %s overlap them",
                        s->start, a, b, b);
    else if (s->start_q - lq.value > 4 * YEARS_STALE)
        cx_warnings_add(warn, "the horizon starts in %s, %d quarters after the data end (%s, in %s): the baselines "
                              "are %d years old by then",
                        s->start, s->start_q - lq.value - 1, a, b, (s->start_q - lq.value) / 4);
}

/* Every equation resolved against the panel's columns as the fit will
 * resolve them (unknown columns, wrong types, a C(x) with one level), and
 * the baseline of every column the equations use computed as the
 * projection will compute it. */
static cx_status check_model(const cx_scenario *s, const cx_spec *spec, const cx_table *panel, size_t nunits,
                             cx_error *err)
{
    cx_source src;
    cx_status st = cx_source_table(&src, panel, (const char *const *)spec->units, spec->nunits, err);
    for (size_t e = 0; e < spec->neq && st == CX_OK; e++) {
        cx_design *d = NULL;
        st = cx_design_new(spec, e, src.schema, &d, err);
        if (st == CX_OK)
            st = cx_design_levels(d, &src, err);
        cx_design_free(d);
    }
    cx_source_close(&src);
    size_t n = cx_table_nrows(panel);
    double *means = cx_calloc(n + 1, sizeof(double));
    size_t *first = cx_calloc(n + 1, sizeof(size_t));
    if (st == CX_OK && (!means || !first))
        st = oom(err);
    for (size_t e = 0; e < spec->neq && st == CX_OK; e++)
        for (size_t t = 0; t <= spec->eq[e].nterms && st == CX_OK; t++) {
            const cx_term *term = t < spec->eq[e].nterms ? &spec->eq[e].terms[t] : NULL;
            for (size_t f = 0; f < (term ? term->nf : 1) && st == CX_OK; f++) {
                if (term && term->f[f].kind == CX_F_CAT)
                    continue;
                const char *col = term ? term->f[f].col : spec->eq[e].target;
                int given = 0;
                for (size_t b = 0; b < s->nbase; b++)
                    given |= strcmp(s->base_metric[b], col) == 0;
                size_t nu = 0;
                if (!given)
                    st = cx_panel_baseline(panel, nunits, col, s->window, means, NULL, first, &nu, err);
            }
        }
    cx_free(means);
    cx_free(first);
    return st;
}

cx_status cx_scenario_check_data(const cx_scenario *s, const cx_sim_options *opt, cx_warnings *warn,
                                 cx_error *err)
{
    cJSON *mdoc = NULL;
    cx_status st = cx_json_load(s->model, &mdoc, err);
    int fitted = st == CX_OK && cJSON_GetObjectItemCaseSensitive(mdoc, "provenance") != NULL;
    cJSON_Delete(mdoc);
    cx_spec *spec = NULL;
    if (st == CX_OK && !fitted)
        st = cx_spec_load(s->model, &spec, err);
    cx_table *panel = NULL;
    if (st == CX_OK)
        st = cx_scenario_panel(s, spec ? (const char *const *)spec->units : NULL, spec ? spec->nunits : 0, opt, &panel,
                               warn, err);
    size_t nunits = 0;
    if (st == CX_OK && spec && spec->nunits)
        nunits = spec->nunits;
    else if (st == CX_OK)
        while (1 + nunits < cx_table_ncols(panel) && cx_table_coltype(panel, 1 + nunits) == CX_COL_TEXT)
            nunits++;
    if (st == CX_OK) {
        const cx_period *per = cx_table_periods(panel, 0);
        if (per && cx_table_nrows(panel) && per[0].kind == CX_PERIOD_YEAR)
            st = at(err, s->path, "/data", "expected data by quarter, month, week or day, found one period a year "
                    "in %s: a scenario is projected quarter by quarter", cx_table_source(panel));
    }
    if (st == CX_OK && spec)
        st = check_model(s, spec, panel, nunits, err);
    if (st == CX_OK)
        cx_scenario_horizon_warnings(s, panel, warn);
    cx_table_free(panel);
    cx_spec_free(spec);
    return st;
}
