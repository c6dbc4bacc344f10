/*
 * scenario.c - scenario files, read with cJSON and checked value by value,
 * every error at its JSON Pointer (the format: models/scenario.schema.json,
 * README "Scenario files").
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cxcase/data.h"
#include "cxcase/model.h"
#include "cxcase/scenario.h"
#include "../core/core.h"
#include "../core/jsonin.h"
#include "../data/table.h"
#include "../model/model_internal.h"
#include "draw.h"
#include "scenario_internal.h"

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

void cx_scenario_free(cx_scenario *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->ndata; i++) {
        cx_free(s->data[i].file);
        cx_free(s->data[i].scale);
        cx_free(s->data[i].score);
        cx_free(s->data[i].date_format);
        for (size_t k = 0; k < s->data[i].ncolumns; k++) {
            cx_free((void *)s->data[i].columns[k].from);
            cx_free((void *)s->data[i].columns[k].to);
        }
        cx_free(s->data[i].columns);
    }
    cx_free(s->data);
    for (size_t i = 0; i < s->nbase; i++)
        cx_free(s->base_metric[i]);
    cx_free(s->base_metric);
    cx_free(s->base_value);
    for (size_t i = 0; i < s->ninit; i++) {
        for (size_t k = 0; k < s->init[i].neff; k++)
            cx_free(s->init[i].eff[k].metric);
        cx_free(s->init[i].eff);
        cx_free(s->init[i].cost);
        cx_free(s->init[i].id);
        cx_free(s->init[i].name);
    }
    cx_free(s->init);
    for (size_t i = 0; i < s->nscen; i++) {
        cx_free(s->scen[i].name);
        cx_free(s->scen[i].init);
    }
    cx_free(s->scen);
    cx_free(s->corr);
    cx_free(s->path);
    cx_free(s->name);
    cx_free(s->currency);
    cx_free(s->model);
    cx_free(s);
}

const char *cx_scenario_name(const cx_scenario *s) { return s->name; }
const char *cx_scenario_currency(const cx_scenario *s) { return s->currency; }
size_t cx_scenario_ninitiatives(const cx_scenario *s) { return s->ninit; }
size_t cx_scenario_nscenarios(const cx_scenario *s) { return s->nscen ? s->nscen : s->ninit; }
int cx_scenario_horizon(const cx_scenario *s) { return s->horizon; }
const char *cx_scenario_start(const cx_scenario *s) { return s->start; }

void cx_scenario_finance(const cx_scenario *s, double *discount, double *margin, double *tax)
{
    *discount = s->discount;
    *margin = s->margin;
    *tax = s->tax;
}

const size_t *cx_scenario_inits(const cx_scenario *s, size_t k, size_t *n, size_t *one)
{
    if (s->nscen) {
        *n = s->scen[k].n;
        return s->scen[k].init;
    }
    *n = 1;
    *one = k;
    return one;
}

const char *cx_scenario_label(const cx_scenario *s, size_t k)
{
    if (k >= cx_scenario_nscenarios(s))
        return NULL;
    return s->nscen ? s->scen[k].name : s->init[k].name;
}

int cx_scenario_costs(const cx_scenario *s, size_t k, double *costs)
{
    if (k >= cx_scenario_nscenarios(s))
        return -1;
    for (int q = 0; q < s->horizon; q++)
        costs[q] = 0;
    size_t n, one;
    const size_t *list = cx_scenario_inits(s, k, &n, &one);
    for (size_t i = 0; i < n; i++) {
        const initiative *in = &s->init[list[i]];
        for (size_t c = 0; c < in->ncost; c++)
            for (int q = in->cost[c].from; q <= in->cost[c].to; q++)
                costs[q] += in->cost[c].amount * (in->cost[c].capex ? 1.0 : cx_scenario_index(s, q));
    }
    return s->horizon;
}

double cx_effect_share(const effect *ef, int q)
{
    double share = cx_ramp_share(ef->start, ef->ramp, q);
    if (ef->duration > 0 && q >= ef->start + ef->duration)
        return 0;
    int full = ef->start + (ef->ramp > 1 ? ef->ramp : 1) - 1; /* the first quarter at the full effect */
    if (ef->decay > 0 && q > full)
        share *= pow(1 - ef->decay, q - full);
    return share;
}

double cx_scenario_index(const cx_scenario *s, int q)
{
    return s->indexation == 0 ? 1.0 : pow(1 + s->indexation, q / 4);
}

int cx_scenario_fiscal_year(const cx_scenario *s, int q)
{
    int cq = s->start_q + q - (s->fy_start - 1) / 3; /* quarters since the first fiscal quarter of year 0 */
    return cq >= 0 ? cq / 4 : -((3 - cq) / 4);
}

const char *cx_scenario_fiscal_label(const cx_scenario *s, int fy, char *buf, size_t size)
{
    if (s->fy_start == 1)
        snprintf(buf, size, "FY%d", fy);
    else
        snprintf(buf, size, "FY%d/%02d", fy, (fy + 1) % 100);
    return buf;
}

double cx_scenario_deduct_share(const cx_scenario *s, int from, int q)
{
    if (s->dep_years <= 0)
        return q == from ? 1.0 : 0.0;
    int n = 4 * s->dep_years;
    return q >= from && q < from + n ? 1.0 / n : 0.0;
}

double cx_ramp_share(int start, int ramp, int q)
{
    if (q < start)
        return 0;
    if (ramp <= 0 || q - start + 1 >= ramp)
        return 1;
    return (double)(q - start + 1) / ramp;
}

int cx_scenario_metric_delta(const cx_scenario *s, size_t k, const char *metric, double baseline, double *delta)
{
    if (k >= cx_scenario_nscenarios(s))
        return -1;
    for (int q = 0; q < s->horizon; q++)
        delta[q] = 0;
    int moved = 0;
    size_t n, one;
    const size_t *list = cx_scenario_inits(s, k, &n, &one);
    for (size_t i = 0; i < n; i++) {
        const initiative *in = &s->init[list[i]];
        for (size_t e = 0; e < in->neff; e++) {
            const effect *ef = &in->eff[e];
            if (strcmp(ef->metric, metric) != 0)
                continue;
            moved = 1;
            double full = ef->is_target ? ef->value - baseline : ef->value;
            for (int q = 0; q < s->horizon; q++)
                delta[q] += full * cx_effect_share(ef, q);
        }
    }
    return moved;
}

/* ======================================================================== */
/* Reading                                                                  */
/* ======================================================================== */

typedef struct rd {
    const char *file;
    cx_jpath p;
    cx_error *err;
    cx_scenario *s;
} rd;

/* An error at the current pointer plus `key` (NULL: the current). */
static cx_status bad(rd *r, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#include <stdarg.h>
static cx_status bad(rd *r, const char *key, const char *fmt, ...)
{
    char msg[CX_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = key ? cx_jpath_key(&r->p, key) : r->p.len;
    cx_status st = cx_json_error(r->err, CX_EINVAL, r->file, &r->p, "%s", msg);
    cx_jpath_pop(&r->p, old);
    return st;
}

/* A quarter ("2026Q1") as its index 4 * year + q - 1. */
static cx_status quarter(rd *r, const cJSON *obj, const char *key, int required, int *out)
{
    const char *text = NULL;
    cx_status st = cx_json_string(obj, key, required, r->file, &r->p, &text, r->err);
    if (st != CX_OK || !text)
        return st;
    cx_period p;
    if (cx_period_parse(text, strlen(text), &p) != CX_OK || p.kind != CX_PERIOD_QUARTER)
        return bad(r, key, "expected a quarter like \"2026Q1\", found '%s'", text);
    *out = p.value;
    return CX_OK;
}

/* A quarter inside the horizon, as an index from its first quarter. */
static cx_status in_horizon(rd *r, const cJSON *obj, const char *key, int required, int *out)
{
    int q = INT32_MIN;
    cx_status st = quarter(r, obj, key, required, &q);
    if (st != CX_OK || q == INT32_MIN)
        return st;
    cx_scenario *s = r->s;
    if (q < s->start_q || q >= s->start_q + s->horizon) {
        char a[CX_PERIOD_TEXT_MAX], b[CX_PERIOD_TEXT_MAX];
        cx_period last = {CX_PERIOD_QUARTER, s->start_q + s->horizon - 1};
        cx_period first = {CX_PERIOD_QUARTER, s->start_q};
        return bad(r, key, "expected a quarter of the horizon (%s to %s), found %s",
                   cx_period_format(first, a, sizeof a), cx_period_format(last, b, sizeof b),
                   cJSON_GetObjectItemCaseSensitive(obj, key)->valuestring);
    }
    *out = q - s->start_q;
    return CX_OK;
}

/* An error found in a file the scenario names (the model): say which
 * scenario and key led there, as "(scenario.json: /model)". */
static cx_status referred_from(rd *r, const char *key, cx_status st)
{
    if (r->err && r->err->status != CX_ENOMEM) {
        size_t used = strlen(r->err->message);
        size_t old = cx_jpath_key(&r->p, key);
        snprintf(r->err->message + used, sizeof r->err->message - used, " (%s: %s)", r->file,
                 cx_jpath_str(&r->p));
        cx_jpath_pop(&r->p, old);
    }
    return st;
}

static const char *const dist_keys[] = {"dist", "sd", "sd_log", "min", "mode", "max", NULL};

/* An uncertainty around `base` (the value it describes). */
static cx_status uncertainty(rd *r, const cJSON *obj, double base, dist *d)
{
    const cJSON *u = cJSON_GetObjectItemCaseSensitive(obj, "uncertainty");
    if (!u)
        return CX_OK;
    size_t old = cx_jpath_key(&r->p, "uncertainty");
    const char *name = NULL;
    cx_status st = cx_json_object(u, dist_keys, r->file, &r->p, r->err);
    if (st == CX_OK)
        st = cx_json_string(u, "dist", 1, r->file, &r->p, &name, r->err);
    if (st != CX_OK)
        goto out;
    static const char *const names[] = {"normal", "lognormal", "uniform", "triangular", "pert"};
    d->kind = D_NONE;
    for (int k = 0; k < 5; k++)
        if (strcmp(name, names[k]) == 0)
            d->kind = (dist_kind)(k + 1);
    if (d->kind == D_NONE) {
        st = bad(r, "dist", "expected \"normal\", \"lognormal\", \"uniform\", \"triangular\" or \"pert\", found '%s'", name);
        goto out;
    }
    /* the parameters each distribution takes, and no others */
    static const char *const need[][3] = {{NULL}, {"sd"}, {"sd_log"}, {"min", "max"}, {"min", "max"}, {"min", "max"}};
    const char *allowed_extra = d->kind >= D_TRIANGULAR ? "mode" : NULL;
    for (const cJSON *c = u->child; c && st == CX_OK; c = c->next) {
        if (strcmp(c->string, "dist") == 0)
            continue;
        int ok = allowed_extra && strcmp(c->string, allowed_extra) == 0;
        for (int k = 0; k < 3 && need[d->kind][k]; k++)
            ok |= strcmp(c->string, need[d->kind][k]) == 0;
        if (!ok)
            st = bad(r, c->string, "the %s distribution takes no '%s'", name, c->string);
    }
    d->mode = base;
    for (int k = 0; k < 3 && st == CX_OK && need[d->kind][k]; k++) {
        double v = NAN;
        st = cx_json_number(u, need[d->kind][k], 1, r->file, &r->p, &v, r->err);
        if (strcmp(need[d->kind][k], "sd") == 0)
            d->sd = v;
        else if (strcmp(need[d->kind][k], "sd_log") == 0)
            d->sd_log = v;
        else if (strcmp(need[d->kind][k], "min") == 0)
            d->min = v;
        else
            d->max = v;
    }
    if (st == CX_OK && d->kind >= D_TRIANGULAR)
        st = cx_json_number(u, "mode", 0, r->file, &r->p, &d->mode, r->err);
    if (st != CX_OK)
        goto out;
    if (d->kind == D_NORMAL && !(d->sd > 0))
        st = bad(r, "sd", "expected a standard deviation above 0, found %g", d->sd);
    else if (d->kind == D_LOGNORMAL && !(d->sd_log > 0))
        st = bad(r, "sd_log", "expected a log-scale standard deviation above 0, found %g", d->sd_log);
    else if (d->kind >= D_UNIFORM && !(d->min < d->max))
        st = bad(r, "max", "expected max above min (%g), found %g", d->min, d->max);
    else if (d->kind >= D_TRIANGULAR && (d->mode < d->min || d->mode > d->max))
        st = bad(r, "mode", "expected the mode between min and max (%g to %g), found %g", d->min, d->max, d->mode);
    else if (d->kind >= D_UNIFORM && (base < d->min || base > d->max))
        st = bad(r, NULL, "expected a range that holds the value it describes (%g), found %g to %g", base, d->min,
                 d->max);
out:
    cx_jpath_pop(&r->p, old);
    return st;
}

static const char *const effect_keys[] = {"metric", "change", "target", "start", "ramp_quarters", "decay",
                                          "duration_quarters", "uncertainty", NULL};
static const char *const cost_keys[] = {"kind", "amount", "quarter", "from", "to", "uncertainty", NULL};
static const char *const init_keys[] = {"id", "name", "effects", "costs", NULL};

/* Is `metric` a column the model's equations use?  `known` lists them. */
static int known_metric(const cx_spec *spec, const char *metric)
{
    for (size_t e = 0; e < spec->neq; e++) {
        if (strcmp(spec->eq[e].target, metric) == 0)
            return 1;
        for (size_t t = 0; t < spec->eq[e].nterms; t++)
            for (size_t f = 0; f < spec->eq[e].terms[t].nf; f++)
                if (spec->eq[e].terms[t].f[f].kind != CX_F_CAT && strcmp(spec->eq[e].terms[t].f[f].col, metric) == 0)
                    return 1;
    }
    return 0;
}

/* Two effects that cannot both hold: on one metric, one of them a target
 * (a target sets the level, so another effect on it has no meaning). */
static int clash(const effect *a, const effect *b)
{
    return (a->is_target || b->is_target) && strcmp(a->metric, b->metric) == 0;
}

static cx_status effect_of(rd *r, const cJSON *e, const cx_spec *spec, effect *out)
{
    cx_status st = cx_json_object(e, effect_keys, r->file, &r->p, r->err);
    const char *metric = NULL;
    if (st == CX_OK)
        st = cx_json_string(e, "metric", 1, r->file, &r->p, &metric, r->err);
    if (st != CX_OK)
        return st;
    if (!(out->metric = cx_strdup(metric)))
        return oom(r->err);
    if (spec && !known_metric(spec, metric)) {
        cx_buf list = {0};
        const char *seen[64];
        size_t nseen = 0;
        for (size_t i = 0; i < spec->neq; i++)
            for (size_t t = 0; t < spec->eq[i].nterms; t++)
                for (size_t f = 0; f < spec->eq[i].terms[t].nf; f++) {
                    const cx_factor *fa = &spec->eq[i].terms[t].f[f];
                    int dup = fa->kind == CX_F_CAT;
                    for (size_t k = 0; k < nseen && !dup; k++)
                        dup = strcmp(seen[k], fa->col) == 0;
                    if (dup)
                        continue;
                    if (nseen < 64)
                        seen[nseen++] = fa->col;
                    cx_buf_printf(&list, "%s%s", list.len ? ", " : "", fa->col);
                }
        const char *near = cx_suggest(metric, seen, nseen);
        char mean[160] = "";
        if (near)
            snprintf(mean, sizeof mean, "; did you mean '%s'?", near);
        st = bad(r, "metric", "expected a metric the model uses (%s), found '%s'%s", list.data ? list.data : "none",
                 metric, mean);
        cx_buf_free(&list);
        return st;
    }
    int has_change = cJSON_GetObjectItemCaseSensitive(e, "change") != NULL;
    int has_target = cJSON_GetObjectItemCaseSensitive(e, "target") != NULL;
    if (has_change == has_target)
        return bad(r, NULL, has_change ? "expected either \"change\" or \"target\", found both"
                                       : "expected \"change\" (a change of the metric) or \"target\" (the level it "
                                         "moves to), found neither");
    out->is_target = has_target;
    st = cx_json_number(e, has_target ? "target" : "change", 1, r->file, &r->p, &out->value, r->err);
    if (st == CX_OK)
        st = in_horizon(r, e, "start", 1, &out->start);
    long ramp = 0;
    if (st == CX_OK)
        st = cx_json_integer(e, "ramp_quarters", 0, 0, 1000, r->file, &r->p, &ramp, r->err);
    if (st == CX_OK && ramp > r->s->horizon)
        st = bad(r, "ramp_quarters", "expected a ramp no longer than the horizon (%d quarters), found %ld",
                 r->s->horizon, ramp);
    out->ramp = (int)ramp;
    if (st == CX_OK)
        st = cx_json_number(e, "decay", 0, r->file, &r->p, &out->decay, r->err);
    if (st == CX_OK && !(out->decay >= 0 && out->decay < 1))
        st = bad(r, "decay", "expected a share lost per quarter after the ramp, from 0 to below 1 (0.1 is 10%%), "
                 "found %g", out->decay);
    long duration = 0;
    if (st == CX_OK)
        st = cx_json_integer(e, "duration_quarters", 0, 1, 1000, r->file, &r->p, &duration, r->err);
    if (st == CX_OK && duration && duration < ramp)
        st = bad(r, "duration_quarters", "expected an effect that lasts at least its ramp (%ld quarters), found %ld",
                 ramp, duration);
    out->duration = (int)duration;
    if (st == CX_OK)
        st = uncertainty(r, e, out->value, &out->u);
    return st;
}

static cx_status cost_of(rd *r, const cJSON *c, cost *out)
{
    cx_status st = cx_json_object(c, cost_keys, r->file, &r->p, r->err);
    const char *kind = NULL;
    if (st == CX_OK)
        st = cx_json_string(c, "kind", 1, r->file, &r->p, &kind, r->err);
    if (st == CX_OK && strcmp(kind, "capex") != 0 && strcmp(kind, "opex") != 0)
        st = bad(r, "kind", "expected \"capex\" (once, at a quarter) or \"opex\" (per quarter, from/to), found '%s'", kind);
    if (st != CX_OK)
        return st;
    out->capex = strcmp(kind, "capex") == 0;
    st = cx_json_number(c, "amount", 1, r->file, &r->p, &out->amount, r->err);
    if (st == CX_OK && out->amount < 0)
        st = bad(r, "amount", "expected an amount of 0 or more, found %g", out->amount);
    if (st != CX_OK)
        return st;
    if (out->capex) {
        if (cJSON_GetObjectItemCaseSensitive(c, "from") || cJSON_GetObjectItemCaseSensitive(c, "to"))
            return bad(r, NULL, "capex is spent once, at \"quarter\"; \"from\" and \"to\" are for opex");
        st = in_horizon(r, c, "quarter", 1, &out->from);
        out->to = out->from;
    } else {
        if (cJSON_GetObjectItemCaseSensitive(c, "quarter"))
            return bad(r, "quarter", "opex runs \"from\" a quarter \"to\" another; \"quarter\" is for capex");
        st = in_horizon(r, c, "from", 1, &out->from);
        if (st == CX_OK)
            st = in_horizon(r, c, "to", 1, &out->to);
        if (st == CX_OK && out->to < out->from)
            st = bad(r, "to", "expected \"to\" at or after \"from\", found an earlier quarter");
    }
    if (st == CX_OK)
        st = uncertainty(r, c, out->amount, &out->u);
    return st;
}

/* 1 for a readable regular file; 0 with errno set (0: exists but is no file). */
static int regular_file(const char *path)
{
    struct stat sb;
    errno = 0;
    if (stat(path, &sb) != 0 || access(path, R_OK) != 0)
        return 0;
    if (!S_ISREG(sb.st_mode)) {
        errno = 0;
        return 0;
    }
    return 1;
}

/* "dir/of/scenario.json" + "x.csv" -> "dir/of/x.csv" (absolute paths kept). */
static char *resolve(const char *scenario, const char *rel)
{
    if (rel[0] == '/')
        return cx_strdup(rel);
    const char *slash = strrchr(scenario, '/');
    size_t dl = slash ? (size_t)(slash - scenario) + 1 : 0;
    char *p = cx_malloc(dl + strlen(rel) + 1);
    if (p) {
        memcpy(p, scenario, dl);
        strcpy(p + dl, rel);
    }
    return p;
}

static const char *const top_keys[] = {"$schema", "name", "currency", "data", "model", "baseline", "finance",
                                       "initiatives", "scenarios", "correlations", "budget", "simulation", NULL};
static const char *const data_keys[] = {"file", "kind", "scale", "score", "sep", "decimal", "encoding", "date_format",
                                        "columns", NULL};

/* A source's "date_format" (a strptime format) and "columns" (an object:
 * the file's column name -> the name the model uses). */
static cx_status source_reading(rd *r, const cJSON *d, source *src)
{
    const char *fmt = NULL;
    cx_status st = cx_json_string(d, "date_format", 0, r->file, &r->p, &fmt, r->err);
    if (st != CX_OK)
        return st;
    if (fmt && !cx_date_format_valid(fmt))
        return bad(r, "date_format", "expected a strptime format with a day, a month and a year (\"%%d-%%m-%%Y\", "
                                     "\"%%m/%%d/%%Y\"), found '%s'", fmt);
    if (fmt && !(src->date_format = cx_strdup(fmt)))
        return oom(r->err);
    const cJSON *cols = cJSON_GetObjectItemCaseSensitive(d, "columns");
    if (!cols)
        return CX_OK;
    size_t old = cx_jpath_key(&r->p, "columns");
    if (!cJSON_IsObject(cols)) {
        char what[64];
        st = cx_json_error(r->err, CX_EINVAL, r->file, &r->p, "expected an object mapping the file's column names "
                           "to the model's ({\"levertijd_dagen\": \"delivery_days\"}), found %s",
                           cx_json_describe(cols, what, sizeof what));
        cx_jpath_pop(&r->p, old);
        return st;
    }
    size_t n = (size_t)cJSON_GetArraySize(cols);
    if (n && !(src->columns = cx_calloc(n, sizeof(cx_csv_rename))))
        return oom(r->err);
    for (const cJSON *c = cols->child; c && st == CX_OK; c = c->next) {
        const char *to = NULL;
        st = cx_json_string(cols, c->string, 1, r->file, &r->p, &to, r->err);
        if (st == CX_OK && (!*to || !*c->string))
            st = bad(r, c->string, "expected a column name, found an empty string");
        for (size_t k = 0; k < src->ncolumns && st == CX_OK; k++)
            if (strcmp(src->columns[k].to, to) == 0)
                st = bad(r, c->string, "expected a name no other column gets, found '%s', which \"%s\" gets too",
                         to, src->columns[k].from);
        if (st != CX_OK)
            break;
        cx_csv_rename *m = &src->columns[src->ncolumns++];
        if (!(m->from = cx_strdup(c->string)) || !(m->to = cx_strdup(to)))
            return oom(r->err);
    }
    cx_jpath_pop(&r->p, old);
    return st;
}
static const char *const fin_keys[] = {"start", "horizon_quarters", "discount_rate", "gross_margin", "tax_rate",
                                       "depreciation_years", "indexation", "fiscal_year_start", "sensitivity", NULL};
static const char *const sens_keys[] = {"discount_rate", "gross_margin", "tax_rate", NULL};

/* The finance options beside the required keys (README "Finance"):
 * depreciation, indexation, the fiscal year and the tornado's ranges of the
 * finance inputs, with their defaults. */
static cx_status finance_options(rd *r, const cJSON *fin)
{
    cx_scenario *s = r->s;
    long years = 0, month = 1;
    s->indexation = 0;
    cx_status st = cx_json_integer(fin, "depreciation_years", 0, 0, 50, r->file, &r->p, &years, r->err);
    if (st == CX_OK)
        st = cx_json_number(fin, "indexation", 0, r->file, &r->p, &s->indexation, r->err);
    if (st == CX_OK && !(s->indexation > -1 && s->indexation <= 1))
        st = bad(r, "indexation", "expected an annual rate above -1 and at most 1 (0.03 is 3%% a year), found %g",
                 s->indexation);
    if (st == CX_OK)
        st = cx_json_integer(fin, "fiscal_year_start", 0, 1, 12, r->file, &r->p, &month, r->err);
    if (st == CX_OK && (month - 1) % 3 != 0)
        st = bad(r, "fiscal_year_start", "expected the first month of a quarter (1, 4, 7 or 10: the cash flows are "
                 "quarterly), found %ld", month);
    s->dep_years = (int)years;
    s->fy_start = (int)month;
    /* the tornado's ranges: by default 2 percentage points either side of
     * the discount rate and 5 of the margin and the tax rate, within their
     * bounds */
    const double value[3] = {s->discount, s->margin, s->tax}, step[3] = {0.02, 0.05, 0.05};
    const double lo[3] = {0, 0, 0}, hi[3] = {1, 1, 0.99};
    for (int k = 0; k < 3; k++) {
        s->sens_lo[k] = fmax(lo[k], value[k] - step[k]);
        s->sens_hi[k] = fmin(hi[k], value[k] + step[k]);
    }
    const cJSON *sens = cJSON_GetObjectItemCaseSensitive(fin, "sensitivity");
    if (st != CX_OK || !sens)
        return st;
    size_t old = cx_jpath_key(&r->p, "sensitivity");
    st = cx_json_object(sens, sens_keys, r->file, &r->p, r->err);
    for (int k = 0; k < 3 && st == CX_OK; k++) {
        const cJSON *a = cJSON_GetObjectItemCaseSensitive(sens, sens_keys[k]);
        if (!a)
            continue;
        if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) != 2 || !cJSON_IsNumber(a->child) ||
            !cJSON_IsNumber(a->child->next)) {
            st = bad(r, sens_keys[k], "expected [low, high], two numbers, found %s", cJSON_IsArray(a) ? "another array" : "no array");
            break;
        }
        double l = a->child->valuedouble, h = a->child->next->valuedouble;
        if (!(l >= lo[k] && h <= hi[k] && l <= value[k] && value[k] <= h && l < h))
            st = bad(r, sens_keys[k], "expected [low, high] with low <= %g <= high, within %g to %g, found [%g, %g]", value[k], lo[k],
                     hi[k], l, h);
        s->sens_lo[k] = l;
        s->sens_hi[k] = h;
    }
    cx_jpath_pop(&r->p, old);
    return st;
}
static const char *const base_keys[] = {"window_periods", "values", NULL};
static const char *const scen_keys[] = {"name", "initiatives", NULL};
static const char *const corr_keys[] = {"between", "rank", NULL};
static const char *const sim_keys[] = {"draws", "seed", "coefficients", NULL};

/* A JSON Pointer of this file that names an uncertain effect or cost; *ref
 * receives where it is. */
static int uncertain_target(const cJSON *root, const char *ptr, input_ref *ref)
{
    int i, k;
    char what[16];
    if (sscanf(ptr, "/initiatives/%d/%15[a-z]/%d", &i, what, &k) != 3 || i < 0 || k < 0)
        return 0;
    char canon[96];
    snprintf(canon, sizeof canon, "/initiatives/%d/%s/%d", i, what, k);
    if (strcmp(canon, ptr) != 0 || (strcmp(what, "effects") != 0 && strcmp(what, "costs") != 0))
        return 0;
    const cJSON *it = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "initiatives"), i);
    const cJSON *x = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it, what), k);
    *ref = (input_ref){(size_t)i, strcmp(what, "costs") == 0, (size_t)k};
    return x && cJSON_GetObjectItemCaseSensitive(x, "uncertainty") != NULL;
}

static cx_status read_scenario(rd *r, const cJSON *root, cx_scenario *s)
{
    cx_error *err = r->err;
    const char *f = r->file;
    cx_jpath *p = &r->p;
    const char *name = NULL, *currency = NULL, *model = NULL;
    const cJSON *data = NULL, *fin = NULL, *inits = NULL, *scens = NULL, *corrs = NULL, *sim = NULL, *base = NULL;
    cx_status st = cx_json_object(root, top_keys, f, p, err);
    if (st == CX_OK)
        st = cx_json_string(root, "name", 1, f, p, &name, err);
    if (st == CX_OK && !*name)
        st = bad(r, "name", "expected a name for the plan, found an empty string");
    if (st == CX_OK) {
        const char *schema = NULL;
        st = cx_json_string(root, "$schema", 0, f, p, &schema, err);
    }
    if (st == CX_OK)
        st = cx_json_string(root, "currency", 1, f, p, &currency, err);
    if (st == CX_OK && (strlen(currency) != 3 || strspn(currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != 3))
        st = bad(r, "currency", "expected a three-letter ISO 4217 code like \"EUR\", found '%s'", currency);
    if (st == CX_OK)
        st = cx_json_array(root, "data", 1, f, p, &data, err);
    if (st == CX_OK)
        st = cx_json_string(root, "model", 1, f, p, &model, err);
    if (st != CX_OK)
        return st;
    if (!(s->name = cx_strdup(name)) || !(s->currency = cx_strdup(currency)) || !(s->model = resolve(s->path, model)))
        return oom(err);

    /* data sources */
    size_t nd = (size_t)cJSON_GetArraySize(data), i = 0;
    if (nd == 0)
        return bad(r, "data", "expected at least one data file, found none");
    if (!(s->data = cx_calloc(nd, sizeof(source))))
        return oom(err);
    size_t old = cx_jpath_key(p, "data");
    for (const cJSON *d = data->child; d && st == CX_OK; d = d->next, i++) {
        size_t o2 = cx_jpath_index(p, i);
        const char *file = NULL, *kind = NULL, *scale = NULL, *score = NULL;
        st = cx_json_object(d, data_keys, f, p, err);
        if (st == CX_OK)
            st = cx_json_string(d, "file", 1, f, p, &file, err);
        if (st == CX_OK)
            st = cx_json_string(d, "kind", 1, f, p, &kind, err);
        if (st == CX_OK)
            st = cx_json_string(d, "scale", 0, f, p, &scale, err);
        if (st == CX_OK)
            st = cx_json_string(d, "score", 0, f, p, &score, err);
        static const char *const enums[][4] = {{"sep", ",", ";", "tab"}, {"decimal", ".", ",", NULL},
                                               {"encoding", "utf-8", "windows-1252", NULL}};
        char sep = 0, dec = 0;
        int enc = -1;
        for (int e = 0; e < 3 && st == CX_OK; e++) {
            const char *v = NULL;
            st = cx_json_string(d, enums[e][0], 0, f, p, &v, err);
            if (st != CX_OK || !v)
                continue;
            int ok = 0;
            for (int k = 1; k < 4 && enums[e][k]; k++)
                if (strcmp(v, enums[e][k]) == 0) {
                    ok = 1;
                    if (e == 0)
                        sep = strcmp(v, "tab") == 0 ? '\t' : v[0];
                    else if (e == 1)
                        dec = v[0];
                    else
                        enc = k == 1 ? CX_ENC_UTF8 : CX_ENC_WINDOWS1252;
                }
            if (!ok)
                st = bad(r, enums[e][0], e == 0 ? "expected \",\", \";\" or \"tab\", found '%s'"
                                         : e == 1 ? "expected \".\" or \",\", found '%s'"
                                                  : "expected \"utf-8\" or \"windows-1252\", found '%s'", v);
        }
        if (st != CX_OK)
            break;
        source *src = &s->data[s->ndata++];
        if (!(src->file = resolve(s->path, file)))
            return oom(err);
        src->sep = sep;
        src->decimal = dec;
        src->encoding = enc;
        /* each file is read with its own options */
        st = source_reading(r, d, src);
        if (st != CX_OK)
            break;
        if (strcmp(kind, "metrics") != 0 && strcmp(kind, "responses") != 0)
            st = bad(r, "kind", "expected \"metrics\" (a department export) or \"responses\" (survey answers), found '%s'", kind);
        else if (!*file)
            st = bad(r, "file", "expected the name of a data file, found an empty string");
        else if (!regular_file(src->file))
            st = bad(r, "file", "cannot open '%s': %s", src->file, errno == 0 ? "not a file" : strerror(errno));
        else if (scale && strcmp(kind, "responses") != 0)
            st = bad(r, "scale", "a scale is for \"responses\"; this source is \"%s\"", kind);
        else if (scale) {
            cx_scale sc;
            if (cx_scale_from_name(scale, &sc) != CX_OK)
                st = bad(r, "scale", "expected \"nps\", \"csat\", \"ces\" or \"rating\", found '%s'", scale);
        }
        src->responses = strcmp(kind, "responses") == 0;
        if (st == CX_OK && ((scale && !(src->scale = cx_strdup(scale))) || (score && !(src->score = cx_strdup(score)))))
            return oom(err);
        cx_jpath_pop(p, o2);
    }
    if (st != CX_OK)
        return st;
    cx_jpath_pop(p, old);

    /* the model: a specification (or a fitted model) that must load */
    cx_spec *spec = NULL;
    if (!*model)
        return bad(r, "model", "expected the name of a model file, found an empty string");
    if (!regular_file(s->model))
        return bad(r, "model", "cannot open '%s': %s", s->model, errno == 0 ? "not a file" : strerror(errno));
    cJSON *mdoc = NULL;
    st = cx_json_load(s->model, &mdoc, err);
    if (st != CX_OK)
        return referred_from(r, "model", st);
    int fitted = cJSON_GetObjectItemCaseSensitive(mdoc, "provenance") != NULL;
    cJSON_Delete(mdoc);
    if (!fitted && (st = cx_spec_load(s->model, &spec, err)) != CX_OK)
        return referred_from(r, "model", st);

    /* finance */
    fin = cJSON_GetObjectItemCaseSensitive(root, "finance");
    if (!fin) {
        cx_spec_free(spec);
        return bad(r, "finance", "expected an object with start, horizon_quarters, discount_rate and "
                                 "gross_margin, found nothing");
    }
    old = cx_jpath_key(p, "finance");
    st = cx_json_object(fin, fin_keys, f, p, err);
    long horizon = 0;
    int startq = INT32_MIN;
    if (st == CX_OK)
        st = quarter(r, fin, "start", 1, &startq);
    if (st == CX_OK)
        st = cx_json_integer(fin, "horizon_quarters", 1, 1, 80, f, p, &horizon, err);
    if (st == CX_OK)
        st = cx_json_number(fin, "discount_rate", 1, f, p, &s->discount, err);
    if (st == CX_OK && (s->discount < 0 || s->discount > 1))
        st = bad(r, "discount_rate", "expected an annual rate from 0 to 1 (0.08 is 8%%), found %g", s->discount);
    if (st == CX_OK)
        st = cx_json_number(fin, "gross_margin", 1, f, p, &s->margin, err);
    if (st == CX_OK && !(s->margin > 0 && s->margin <= 1))
        st = bad(r, "gross_margin", "expected a margin above 0 and at most 1 (0.35 is 35%%), found %g", s->margin);
    if (st == CX_OK)
        st = cx_json_number(fin, "tax_rate", 0, f, p, &s->tax, err);
    if (st == CX_OK && (s->tax < 0 || s->tax >= 1))
        st = bad(r, "tax_rate", "expected a rate from 0 to below 1, found %g", s->tax);
    if (st == CX_OK)
        st = finance_options(r, fin);
    cx_jpath_pop(p, old);
    if (st != CX_OK) {
        cx_spec_free(spec);
        return st;
    }
    s->start_q = startq;
    s->horizon = (int)horizon;
    cx_period_format((cx_period){CX_PERIOD_QUARTER, startq}, s->start, sizeof s->start);

    /* baseline */
    base = cJSON_GetObjectItemCaseSensitive(root, "baseline");
    if (base) {
        old = cx_jpath_key(p, "baseline");
        long window = 0;
        st = cx_json_object(base, base_keys, f, p, err);
        if (st == CX_OK)
            st = cx_json_integer(base, "window_periods", 0, 1, 100000, f, p, &window, err);
        s->window = (int)window;
        const cJSON *vals = cJSON_GetObjectItemCaseSensitive(base, "values");
        if (st == CX_OK && vals) {
            size_t o2 = cx_jpath_key(p, "values");
            if (!cJSON_IsObject(vals))
                st = bad(r, NULL, "expected an object of metric levels, {\"delivery_days\": 2.8}");
            size_t nv = (size_t)cJSON_GetArraySize(vals);
            s->base_metric = cx_calloc(nv + 1, sizeof(char *));
            s->base_value = cx_calloc(nv + 1, sizeof(double));
            if (st == CX_OK && (!s->base_metric || !s->base_value))
                st = oom(err);
            for (const cJSON *v = cJSON_IsObject(vals) ? vals->child : NULL; v && st == CX_OK; v = v->next) {
                if (!cJSON_IsNumber(v))
                    st = bad(r, v->string, "expected a number, found another type");
                else if (spec && !known_metric(spec, v->string))
                    st = bad(r, v->string, "expected a metric the model uses, found '%s'", v->string);
                else {
                    if (!(s->base_metric[s->nbase] = cx_strdup(v->string)))
                        st = oom(err);
                    s->base_value[s->nbase++] = v->valuedouble;
                }
            }
            cx_jpath_pop(p, o2);
        }
        cx_jpath_pop(p, old);
        if (st != CX_OK) {
            cx_spec_free(spec);
            return st;
        }
    }

    /* initiatives */
    st = cx_json_array(root, "initiatives", 1, f, p, &inits, err);
    size_t ni = st == CX_OK ? (size_t)cJSON_GetArraySize(inits) : 0;
    if (st == CX_OK && ni == 0)
        st = bad(r, "initiatives", "expected at least one initiative, found none");
    if (st == CX_OK && ni > CX_PLAN_MAX_INITIATIVES)
        st = bad(r, "initiatives", "expected at most %d initiatives (each is simulated as a scenario of its own), "
                 "found %zu", CX_PLAN_MAX_INITIATIVES, ni);
    if (st == CX_OK && !(s->init = cx_calloc(ni, sizeof(initiative))))
        st = oom(err);
    old = cx_jpath_key(p, "initiatives");
    i = 0;
    for (const cJSON *it = inits ? inits->child : NULL; it && st == CX_OK; it = it->next, i++) {
        size_t o2 = cx_jpath_index(p, i);
        initiative *in = &s->init[s->ninit++];
        const char *id = NULL, *iname = NULL;
        const cJSON *effs = NULL, *costs = NULL;
        st = cx_json_object(it, init_keys, f, p, err);
        if (st == CX_OK)
            st = cx_json_string(it, "id", 1, f, p, &id, err);
        if (st == CX_OK && (!*id || !strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", id[0]) ||
                            strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(id)))
            st = bad(r, "id", "expected an id that starts with a letter, then letters, digits, '_' or '-', found '%s'", id);
        for (size_t k = 0; st == CX_OK && k + 1 < s->ninit; k++)
            if (strcmp(s->init[k].id, id) == 0)
                st = bad(r, "id", "expected each initiative id once, found '%s' again (also /initiatives/%zu)", id, k);
        if (st == CX_OK)
            st = cx_json_string(it, "name", 1, f, p, &iname, err);
        if (st == CX_OK && !*iname)
            st = bad(r, "name", "expected a name for the initiative, found an empty string");
        if (st == CX_OK && (!(in->id = cx_strdup(id)) || !(in->name = cx_strdup(iname))))
            st = oom(err);
        if (st == CX_OK)
            st = cx_json_array(it, "effects", 1, f, p, &effs, err);
        if (st == CX_OK)
            st = cx_json_array(it, "costs", 1, f, p, &costs, err);
        if (st == CX_OK && cJSON_GetArraySize(effs) == 0)
            st = bad(r, "effects", "expected at least one effect, found none");
        if (st == CX_OK && cJSON_GetArraySize(effs) > CX_PLAN_MAX_EFFECTS)
            st = bad(r, "effects", "expected at most %d effects, found %d", CX_PLAN_MAX_EFFECTS,
                     cJSON_GetArraySize(effs));
        if (st == CX_OK && cJSON_GetArraySize(costs) > CX_PLAN_MAX_COSTS)
            st = bad(r, "costs", "expected at most %d costs, found %d", CX_PLAN_MAX_COSTS, cJSON_GetArraySize(costs));
        if (st == CX_OK && (!(in->eff = cx_calloc((size_t)cJSON_GetArraySize(effs) + 1, sizeof(effect))) ||
                            !(in->cost = cx_calloc((size_t)cJSON_GetArraySize(costs) + 1, sizeof(cost)))))
            st = oom(err);
        size_t o3 = cx_jpath_key(p, "effects"), k = 0;
        for (const cJSON *e = effs ? effs->child : NULL; e && st == CX_OK; e = e->next, k++) {
            size_t o4 = cx_jpath_index(p, k);
            st = effect_of(r, e, spec, &in->eff[in->neff++]);
            for (size_t j = 0; st == CX_OK && j + 1 < in->neff; j++)
                if (clash(&in->eff[j], &in->eff[in->neff - 1]))
                    st = bad(r, "metric", "expected no other effect on '%s' beside a \"target\", found effect %zu on "
                             "it too", in->eff[j].metric, j);
            cx_jpath_pop(p, o4);
        }
        cx_jpath_pop(p, o3);
        o3 = cx_jpath_key(p, "costs");
        k = 0;
        for (const cJSON *c = costs ? costs->child : NULL; c && st == CX_OK; c = c->next, k++) {
            size_t o4 = cx_jpath_index(p, k);
            st = cost_of(r, c, &in->cost[in->ncost++]);
            cx_jpath_pop(p, o4);
        }
        cx_jpath_pop(p, o3);
        if (st == CX_OK)
            cx_jpath_pop(p, o2);
    }
    cx_spec_free(spec);
    if (st != CX_OK)
        return st;
    cx_jpath_pop(p, old);

    /* scenarios: initiatives by id */
    st = cx_json_array(root, "scenarios", 0, f, p, &scens, err);
    if (st == CX_OK && scens) {
        size_t ns = (size_t)cJSON_GetArraySize(scens);
        if (ns > CX_PLAN_MAX_SCENARIOS)
            return bad(r, "scenarios", "expected at most %d scenarios, found %zu", CX_PLAN_MAX_SCENARIOS, ns);
        if (!(s->scen = cx_calloc(ns + 1, sizeof(scen))))
            return oom(err);
        old = cx_jpath_key(p, "scenarios");
        i = 0;
        for (const cJSON *sc = scens->child; sc && st == CX_OK; sc = sc->next, i++) {
            size_t o2 = cx_jpath_index(p, i);
            const char *sname = NULL;
            const cJSON *ids = NULL;
            scen *x = &s->scen[s->nscen++];
            st = cx_json_object(sc, scen_keys, f, p, err);
            if (st == CX_OK)
                st = cx_json_string(sc, "name", 1, f, p, &sname, err);
            if (st == CX_OK && !*sname)
                st = bad(r, "name", "expected a name for the scenario, found an empty string");
            for (size_t k = 0; st == CX_OK && k + 1 < s->nscen; k++)
                if (strcmp(s->scen[k].name, sname) == 0)
                    st = bad(r, "name", "expected each scenario name once, found '%s' again", sname);
            if (st == CX_OK && !(x->name = cx_strdup(sname)))
                st = oom(err);
            if (st == CX_OK)
                st = cx_json_array(sc, "initiatives", 1, f, p, &ids, err);
            if (st == CX_OK && cJSON_GetArraySize(ids) == 0)
                st = bad(r, "initiatives", "expected at least one initiative id, found none");
            if (st == CX_OK && !(x->init = cx_calloc((size_t)cJSON_GetArraySize(ids) + 1, sizeof(size_t))))
                st = oom(err);
            size_t o3 = cx_jpath_key(p, "initiatives"), k = 0;
            for (const cJSON *id = ids ? ids->child : NULL; id && st == CX_OK; id = id->next, k++) {
                size_t o4 = cx_jpath_index(p, k);
                char what[96];
                if (!cJSON_IsString(id))
                    st = bad(r, NULL, "expected an initiative id as a string, found %s", cx_json_describe(id, what, sizeof what));
                size_t found = (size_t)-1;
                for (size_t q = 0; st == CX_OK && q < s->ninit; q++)
                    if (cJSON_IsString(id) && strcmp(s->init[q].id, id->valuestring) == 0)
                        found = q;
                for (size_t q = 0; st == CX_OK && q < x->n; q++)
                    if (x->init[q] == found)
                        st = bad(r, NULL, "expected each initiative once in a scenario, found '%s' again", id->valuestring);
                if (st == CX_OK && found == (size_t)-1) {
                    cx_buf list = {0};
                    for (size_t q = 0; q < s->ninit; q++)
                        cx_buf_printf(&list, "%s%s", q ? ", " : "", s->init[q].id);
                    st = bad(r, NULL, "expected one of the initiative ids (%s), found '%s'", list.data ? list.data : "",
                             id->valuestring);
                    cx_buf_free(&list);
                }
                /* a target on a metric another initiative of the scenario moves */
                for (size_t q = 0; st == CX_OK && q < x->n; q++) {
                    const initiative *a = &s->init[x->init[q]], *b = &s->init[found];
                    for (size_t ea = 0; st == CX_OK && ea < a->neff; ea++)
                        for (size_t eb = 0; st == CX_OK && eb < b->neff; eb++)
                            if (clash(&a->eff[ea], &b->eff[eb]))
                                st = bad(r, NULL, "expected no other effect on '%s' beside a \"target\", found "
                                         "initiatives '%s' and '%s' both moving it",
                                         a->eff[ea].metric, a->id, b->id);
                }
                if (st == CX_OK)
                    x->init[x->n++] = found;
                cx_jpath_pop(p, o4);
            }
            if (st == CX_OK) {
                cx_jpath_pop(p, o3);
                cx_jpath_pop(p, o2);
            }
        }
        if (st != CX_OK)
            return st;
        cx_jpath_pop(p, old);
    }
    if (st != CX_OK)
        return st;

    /* correlations between uncertain inputs */
    st = cx_json_array(root, "correlations", 0, f, p, &corrs, err);
    if (st == CX_OK && corrs && cJSON_GetArraySize(corrs) > CX_PLAN_MAX_CORRELATIONS)
        return bad(r, "correlations", "expected at most %d correlations, found %d", CX_PLAN_MAX_CORRELATIONS,
                   cJSON_GetArraySize(corrs));
    if (st == CX_OK && corrs) {
        if (!(s->corr = cx_calloc((size_t)cJSON_GetArraySize(corrs) + 1, sizeof(corr))))
            return oom(err);
        old = cx_jpath_key(p, "correlations");
        i = 0;
        for (const cJSON *c = corrs->child; c && st == CX_OK; c = c->next, i++) {
            size_t o2 = cx_jpath_index(p, i);
            const cJSON *btw = NULL;
            double rank = 0;
            input_ref ref[2];
            st = cx_json_object(c, corr_keys, f, p, err);
            if (st == CX_OK)
                st = cx_json_array(c, "between", 1, f, p, &btw, err);
            if (st == CX_OK && cJSON_GetArraySize(btw) != 2)
                st = bad(r, "between", "expected two JSON Pointers, found %d", cJSON_GetArraySize(btw));
            for (int k = 0; st == CX_OK && k < 2; k++) {
                const cJSON *ptr = cJSON_GetArrayItem(btw, k);
                size_t o3 = cx_jpath_key(p, "between");
                cx_jpath_index(p, (size_t)k);
                if (!cJSON_IsString(ptr) || !uncertain_target(root, ptr->valuestring, &ref[k]))
                    st = bad(r, NULL, "expected the JSON Pointer of an effect or cost with an uncertainty, like "
                                      "\"/initiatives/0/costs/1\", found %s%s%s",
                             cJSON_IsString(ptr) ? "'" : "", cJSON_IsString(ptr) ? ptr->valuestring : "another type",
                             cJSON_IsString(ptr) ? "'" : "");
                cx_jpath_pop(p, o3);
            }
            if (st == CX_OK && strcmp(cJSON_GetArrayItem(btw, 0)->valuestring, cJSON_GetArrayItem(btw, 1)->valuestring) == 0)
                st = bad(r, "between", "expected two different inputs, found the same twice");
            for (const cJSON *e2 = corrs->child; st == CX_OK && e2 != c; e2 = e2->next) {
                const cJSON *b2 = cJSON_GetObjectItemCaseSensitive(e2, "between");
                const char *a0 = cJSON_GetArrayItem(btw, 0)->valuestring, *a1 = cJSON_GetArrayItem(btw, 1)->valuestring;
                const cJSON *x0 = cJSON_GetArrayItem(b2, 0), *x1 = cJSON_GetArrayItem(b2, 1);
                if (cJSON_IsString(x0) && cJSON_IsString(x1) &&
                    ((strcmp(a0, x0->valuestring) == 0 && strcmp(a1, x1->valuestring) == 0) ||
                     (strcmp(a0, x1->valuestring) == 0 && strcmp(a1, x0->valuestring) == 0)))
                    st = bad(r, "between", "expected each pair of inputs once, found this pair already in an earlier correlation");
            }
            if (st == CX_OK)
                st = cx_json_number(c, "rank", 1, f, p, &rank, err);
            if (st == CX_OK && (rank < -1 || rank > 1))
                st = bad(r, "rank", "expected a rank correlation from -1 to 1, found %g", rank);
            if (st == CX_OK) {
                s->corr[s->ncorr++] = (corr){ref[0], ref[1], rank};
                cx_jpath_pop(p, o2);
            }
        }
        if (st != CX_OK)
            return st;
        cx_jpath_pop(p, old);
    }
    if (st != CX_OK)
        return st;

    /* budget and simulation */
    s->budget = NAN;
    st = cx_json_number(root, "budget", 0, f, p, &s->budget, err);
    if (st == CX_OK && !isnan(s->budget) && !(s->budget > 0))
        st = bad(r, "budget", "expected a budget above 0, found %g", s->budget);
    s->draws = 10000;
    s->seed = 20251122;
    s->t_coefficients = 1;
    sim = cJSON_GetObjectItemCaseSensitive(root, "simulation");
    if (st == CX_OK && sim) {
        old = cx_jpath_key(p, "simulation");
        const char *coef = NULL;
        st = cx_json_object(sim, sim_keys, f, p, err);
        if (st == CX_OK && cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(sim, "draws")) &&
            cJSON_GetObjectItemCaseSensitive(sim, "draws")->valuedouble < 1)
            st = bad(r, "draws", "expected a number of draws of at least 1, found %g",
                     cJSON_GetObjectItemCaseSensitive(sim, "draws")->valuedouble);
        if (st == CX_OK)
            st = cx_json_integer(sim, "draws", 0, 1, 100000000, f, p, &s->draws, err);
        if (st == CX_OK)
            st = cx_json_integer(sim, "seed", 0, 0, 4294967295L, f, p, &s->seed, err);
        if (st == CX_OK)
            st = cx_json_string(sim, "coefficients", 0, f, p, &coef, err);
        if (st == CX_OK && coef) {
            if (strcmp(coef, "t") == 0 || strcmp(coef, "normal") == 0)
                s->t_coefficients = strcmp(coef, "t") == 0;
            else
                st = bad(r, "coefficients", "expected \"t\" or \"normal\", found '%s'", coef);
        }
        cx_jpath_pop(p, old);
    }
    return st;
}

cx_status cx_scenario_load(const char *path, cx_scenario **out, cx_error *err)
{
    *out = NULL;
    cJSON *root = NULL;
    cx_status st = cx_json_load(path, &root, err);
    if (st != CX_OK)
        return st;
    cx_scenario *s = cx_calloc(1, sizeof *s);
    if (!s || !(s->path = cx_strdup(path))) {
        cJSON_Delete(root);
        cx_free(s);
        return oom(err);
    }
    rd r = {path, {{0}, 0}, err, s};
    cx_jpath_init(&r.p);
    st = read_scenario(&r, root, s);
    cJSON_Delete(root);
    if (st != CX_OK) {
        cx_scenario_free(s);
        return st;
    }
    *out = s;
    return CX_OK;
}
