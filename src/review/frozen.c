/*
 * frozen.c - a case of the ledger read back for its review: the record is
 * found by its number after the whole chain verifies, and its model,
 * baselines, plan and forecast are turned into the structures of frozen.h.
 * Nothing is refitted: the review judges the case with the coefficients it
 * was decided on.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cxcase/review.h"
#include "../core/core.h"
#include "frozen.h"

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* A record that does not hold what a case holds. */
static cx_status bad(cx_error *err, const char *path, size_t seq, const char *what)
{
    return cx_error_set(err, CX_EINVAL, path, (unsigned long)seq, 0, "record %zu is not a case the review can read: %s",
                        seq, what);
}

void frozen_free(frozen *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nunits; i++)
        cx_free(f->unit[i]);
    cx_free(f->unit);
    for (size_t i = 0; i < f->nv; i++) {
        cx_free(f->v[i].name);
        cx_free(f->v[i].base);
    }
    cx_free(f->v);
    for (size_t e = 0; e < f->neq; e++) {
        fequ *q = &f->eq[e];
        for (size_t k = 0; k < q->p; k++) {
            cx_free(q->t[k].col);
            cx_free(q->t[k].level);
            cx_term_clear(&q->t[k].t);
            cx_free(q->t[k].in);
        }
        cx_free(q->t);
        cx_free(q->target);
        cx_free(q->coef);
        cx_free(q->cov);
        cx_free(q->in_var);
        cx_free(q->in_lag);
    }
    cx_free(f->eq);
    for (size_t i = 0; i < f->neff; i++) {
        cx_free(f->eff[i].initiative);
        cx_free(f->eff[i].metric);
        cx_free(f->eff[i].delta);
    }
    cx_free(f->eff);
    cx_free(f->scenario_name);
    cJSON_Delete(f->doc);
    cJSON_Delete(f->content);
    cJSON_Delete(f->reviews);
    cx_free(f);
}

const cJSON *frozen_initiative(const frozen *f, const char *id)
{
    const cJSON *x;
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(f->content, "initiatives"))
    {
        const char *xid = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(x, "id"));
        if (xid && strcmp(xid, id) == 0)
            return x;
    }
    return NULL;
}

size_t frozen_var(const frozen *f, const char *name)
{
    for (size_t i = 0; i < f->nv; i++)
        if (strcmp(f->v[i].name, name) == 0)
            return i;
    return (size_t)-1;
}

/* The variable `name`, added (without a baseline) when new. */
static size_t add_var(frozen *f, const char *name)
{
    size_t i = frozen_var(f, name);
    if (i != (size_t)-1)
        return i;
    fvar *v = cx_realloc(f->v, (f->nv + 1) * sizeof *v);
    if (!v)
        return (size_t)-1;
    f->v = v;
    v[f->nv] = (fvar){cx_strdup(name), -1, NULL};
    if (!v[f->nv].name)
        return (size_t)-1;
    return f->nv++;
}

/* ======================================================================== */
/* The record                                                               */
/* ======================================================================== */

/* The line of record `seq` (0: the last case) of the ledger text, parsed. */
static cx_status find_record(const char *path, const char *text, size_t len, size_t *seq, cJSON **out,
                             cJSON *reviews, cx_error *err)
{
    size_t line = 0, found = 0;
    const char *p = text, *end = text + len, *at = NULL, *at_end = NULL;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        line++;
        int is_case = memmem(p, (size_t)(e - p), "\"kind\":\"case\"", 13) != NULL;
        if (memmem(p, (size_t)(e - p), "\"kind\":\"review\"", 15) != NULL) {
            cJSON *r = cJSON_ParseWithLength(p, (size_t)(e - p));
            if (!r)
                return oom(err);
            cJSON_AddItemToArray(reviews, r);
        }
        if ((*seq == 0 && is_case) || line == *seq) {
            if (!is_case)
                return cx_error_set(err, CX_EUSAGE, path, (unsigned long)line, 0,
                                    "record %zu is not a case (see its \"kind\")", line);
            found = line, at = p, at_end = e;
        }
        p = nl ? nl + 1 : end;
    }
    if (!found)
        return *seq ? cx_error_set(err, CX_EUSAGE, path, 0, 0, "the ledger has %zu record%s, no record %zu", line,
                                   line == 1 ? "" : "s", *seq)
                    : cx_error_set(err, CX_EUSAGE, path, 0, 0, "the ledger holds no case (record one with "
                                   "`cxcase simulate SCENARIO.json --record %s`)", path);
    *seq = found;
    *out = cJSON_ParseWithLength(at, (size_t)(at_end - at));
    return *out ? CX_OK : oom(err);
}

static double num_of(const cJSON *o, const char *k)
{
    const cJSON *x = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(x) ? x->valuedouble : NAN;
}

/* Numbers of array `a` into x[0 .. n); 0 when it is not n numbers or nulls. */
static int numbers_of(const cJSON *a, double *x, size_t n)
{
    if (!cJSON_IsArray(a) || (size_t)cJSON_GetArraySize(a) != n)
        return 0;
    size_t i = 0;
    const cJSON *y;
    cJSON_ArrayForEach(y, a) {
        if (!cJSON_IsNumber(y) && !cJSON_IsNull(y))
            return 0;
        x[i++] = cJSON_IsNumber(y) ? y->valuedouble : NAN;
    }
    return 1;
}

/* The input (variable, lag) of equation q, added when new. */
static size_t add_input(fequ *q, size_t var, int lag)
{
    for (size_t i = 0; i < q->nin; i++)
        if (q->in_var[i] == var && q->in_lag[i] == lag)
            return i;
    size_t *v = cx_realloc(q->in_var, (q->nin + 1) * sizeof *v);
    if (v)
        q->in_var = v;
    int *l = v ? cx_realloc(q->in_lag, (q->nin + 1) * sizeof *l) : NULL;
    if (!l)
        return (size_t)-1;
    q->in_lag = l;
    q->in_var[q->nin] = var;
    q->in_lag[q->nin] = lag;
    return q->nin++;
}

/* Term `name` of equation q. */
static cx_status term_of(frozen *f, fequ *q, fterm *t, const char *name, cx_error *err)
{
    size_t n = strlen(name);
    if (strcmp(name, "(Intercept)") == 0) {
        t->kind = FT_ICPT;
        return CX_OK;
    }
    const char *close = strstr(name, ")[");
    if (strncmp(name, "C(", 2) == 0 && close && name[n - 1] == ']') {
        t->kind = FT_CAT;
        t->col = cx_strndup(name + 2, (size_t)(close - name - 2));
        t->level = cx_strndup(close + 2, (size_t)(name + n - 1 - close - 2));
        return t->col && t->level ? CX_OK : oom(err);
    }
    char msg[256];
    t->kind = FT_EXPR;
    if (cx_term_parse(name, &t->t, msg, sizeof msg) != CX_OK)
        return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "equation '%s': term '%s': %s", q->target, name, msg);
    if (!(t->in = cx_calloc(t->t.nf + 1, sizeof *t->in)))
        return oom(err);
    for (size_t j = 0; j < t->t.nf; j++) {
        const cx_factor *fa = &t->t.f[j];
        if (fa->kind == CX_F_CAT)
            return cx_error_set(err, CX_EINVAL, NULL, 0, 0, "equation '%s': the review cannot split term '%s' "
                                "(an interaction with C(x))", q->target, name);
        size_t v = add_var(f, fa->col);
        size_t in = v == (size_t)-1 ? v : add_input(q, v, fa->kind == CX_F_LAG ? fa->k : 0);
        if (in == (size_t)-1)
            return oom(err);
        t->in[j] = in;
    }
    return CX_OK;
}

static cx_status equation_of(frozen *f, fequ *q, const cJSON *e, cx_error *err)
{
    const cJSON *tg = cJSON_GetObjectItemCaseSensitive(e, "target");
    const cJSON *terms = cJSON_GetObjectItemCaseSensitive(e, "terms");
    const cJSON *coef = cJSON_GetObjectItemCaseSensitive(e, "coef");
    const cJSON *cov = cJSON_GetObjectItemCaseSensitive(e, "covariance");
    if (!cJSON_IsString(tg) || !cJSON_IsArray(terms))
        return bad(err, NULL, f->seq, "an equation without its target or terms");
    q->target = cx_strdup(tg->valuestring);
    q->p = (size_t)cJSON_GetArraySize(terms);
    q->t = cx_calloc(q->p + 1, sizeof *q->t);
    q->coef = cx_calloc(q->p + 1, sizeof *q->coef);
    q->cov = cx_calloc(q->p * q->p + 1, sizeof *q->cov);
    if (!q->target || !q->t || !q->coef || !q->cov)
        return oom(err);
    if (!numbers_of(coef, q->coef, q->p) || !cJSON_IsArray(cov) || (size_t)cJSON_GetArraySize(cov) != q->p)
        return bad(err, NULL, f->seq, "an equation without its coefficients and their covariance");
    for (size_t i = 0; i < q->p; i++)
        if (!numbers_of(cJSON_GetArrayItem(cov, (int)i), q->cov + i * q->p, q->p))
            return bad(err, NULL, f->seq, "a covariance that is not p x p numbers");
    q->sigma = num_of(e, "sigma");
    q->tau2 = num_of(e, "tau2");
    size_t tv = add_var(f, q->target);
    if (tv == (size_t)-1)
        return oom(err);
    q->tvar = tv;
    size_t k = 0;
    const cJSON *t;
    cJSON_ArrayForEach(t, terms) {
        if (!cJSON_IsString(t))
            return bad(err, NULL, f->seq, "a term that is not text");
        cx_status st = term_of(f, q, &q->t[k++], t->valuestring, err);
        if (st != CX_OK)
            return st;
    }
    return CX_OK;
}

/* The effects of the judged scenario's initiatives, per unit and quarter. */
static cx_status plan_of(frozen *f, const cJSON *plan, const cJSON *ids, cx_error *err)
{
    size_t n = (size_t)cJSON_GetArraySize(plan), H = (size_t)f->H;
    f->eff = cx_calloc(n + 1, sizeof *f->eff);
    if (!f->eff)
        return oom(err);
    const cJSON *x;
    cJSON_ArrayForEach(x, plan) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(x, "initiative");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(x, "metric");
        const cJSON *d = cJSON_GetObjectItemCaseSensitive(x, "delta");
        if (!cJSON_IsString(id) || !cJSON_IsString(m) || !cJSON_IsArray(d))
            return bad(err, NULL, f->seq, "a plan entry without its initiative, metric or delta");
        int in = 0;
        const cJSON *y;
        cJSON_ArrayForEach(y, ids)
            in |= cJSON_IsString(y) && strcmp(y->valuestring, id->valuestring) == 0;
        if (!in)
            continue;
        feffect *ef = &f->eff[f->neff++];
        ef->initiative = cx_strdup(id->valuestring);
        ef->metric = cx_strdup(m->valuestring);
        ef->delta = cx_calloc(f->nunits * H + 1, sizeof(double));
        ef->var = add_var(f, m->valuestring);
        if (!ef->initiative || !ef->metric || !ef->delta || ef->var == (size_t)-1)
            return oom(err);
        int per_unit = cJSON_IsArray(cJSON_GetArrayItem(d, 0));
        for (size_t u = 0; u < f->nunits; u++)
            if (!numbers_of(per_unit ? cJSON_GetArrayItem(d, (int)u) : d, ef->delta + u * H, H))
                return bad(err, NULL, f->seq, "a plan's delta that is not one number per quarter of the horizon");
    }
    return CX_OK;
}

/* The judged scenario of the forecast: `name`, else the last. */
static cx_status scenario_of(frozen *f, const cJSON *fc, const char *name, cx_error *err)
{
    const cJSON *sc, *pick = NULL;
    cJSON_ArrayForEach(sc, cJSON_GetObjectItemCaseSensitive(fc, "scenarios")) {
        const cJSON *nm = cJSON_GetObjectItemCaseSensitive(sc, "name");
        if (!name || (cJSON_IsString(nm) && strcmp(nm->valuestring, name) == 0))
            pick = sc;
    }
    if (!pick)
        return name ? cx_error_set(err, CX_EUSAGE, NULL, 0, 0, "case %zu has no scenario named '%s'", f->seq, name)
                    : bad(err, NULL, f->seq, "its forecast has no scenario");
    const cJSON *nm = cJSON_GetObjectItemCaseSensitive(pick, "name");
    f->scen = pick;
    f->scenario_name = cx_strdup(cJSON_IsString(nm) ? nm->valuestring : "");
    f->H = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(pick, "quarters"));
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(fc, "start");
    if (!f->scenario_name)
        return oom(err);
    if (f->H < 1 || !cJSON_IsString(st) ||
        cx_period_parse(st->valuestring, strlen(st->valuestring), &f->start) != CX_OK ||
        f->start.kind != CX_PERIOD_QUARTER)
        return bad(err, NULL, f->seq, "its forecast has no start quarter or quarters");
    return CX_OK;
}

/* Everything of the record but the chain's own members. */
static cx_status case_of(frozen *f, const char *scenario, cx_error *err)
{
    const cJSON *r = f->doc, *units = cJSON_GetObjectItemCaseSensitive(r, "units");
    const cJSON *fc = cJSON_GetObjectItemCaseSensitive(r, "forecast");
    const cJSON *eqs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(r, "model"), "equations");
    if (!cJSON_IsArray(units) || !cJSON_IsObject(fc) || !cJSON_IsArray(eqs))
        return bad(err, NULL, f->seq, "no units, forecast or model equations");
    f->nunits = (size_t)cJSON_GetArraySize(units);
    f->unit = cx_calloc(f->nunits + 1, sizeof *f->unit);
    if (!f->unit)
        return oom(err);
    const cJSON *x;
    size_t u = 0;
    cJSON_ArrayForEach(x, units)
        if (!cJSON_IsString(x) || !(f->unit[u++] = cx_strdup(x->valuestring)))
            return cJSON_IsString(x) ? oom(err) : bad(err, NULL, f->seq, "a unit that is not text");
    cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(r, "baseline")) {
        size_t v = add_var(f, x->string);
        if (v == (size_t)-1 || !(f->v[v].base = cx_calloc(f->nunits + 1, sizeof(double))))
            return oom(err);
        if (!numbers_of(x, f->v[v].base, f->nunits))
            return bad(err, NULL, f->seq, "a baseline that is not one number per unit");
    }
    f->neq = (size_t)cJSON_GetArraySize(eqs);
    if (!(f->eq = cx_calloc(f->neq + 1, sizeof *f->eq)))
        return oom(err);
    size_t e = 0;
    cJSON_ArrayForEach(x, eqs) {
        cx_status st = equation_of(f, &f->eq[e++], x, err);
        if (st != CX_OK)
            return st;
    }
    f->nps_eq = f->rev_eq = -1;
    const char *nps = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fc, "nps"));
    const char *rev = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(fc, "revenue"));
    for (e = 0; e < f->neq; e++) {
        f->v[f->eq[e].tvar].eq = (long)e;
        if (nps && strcmp(f->eq[e].target, nps) == 0)
            f->nps_eq = (long)e;
        if (rev && strcmp(f->eq[e].target, rev) == 0)
            f->rev_eq = (long)e;
    }
    cx_status st = scenario_of(f, fc, scenario, err);
    if (st == CX_OK)
        st = plan_of(f, cJSON_GetObjectItemCaseSensitive(r, "plan"),
                     cJSON_GetObjectItemCaseSensitive(f->scen, "initiatives"), err);
    return st;
}

cx_status frozen_load(const char *path, size_t seq, const char *scenario, frozen **out, cx_error *err)
{
    size_t n = 0;
    cx_status st = cx_ledger_verify(path, &n, err);
    if (st != CX_OK)
        return st;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return cx_error_set(err, CX_ENOENT, path, 0, 0, "cannot open: %s", strerror(errno));
    cx_buf b = {0};
    char chunk[1 << 16];
    size_t got;
    while (st == CX_OK && (got = fread(chunk, 1, sizeof chunk, fp)) > 0)
        if (cx_buf_append(&b, chunk, got) != CX_OK)
            st = oom(err);
    if (st == CX_OK && ferror(fp))
        st = cx_error_set(err, CX_EIO, path, 0, 0, "read error");
    fclose(fp);
    frozen *f = st == CX_OK ? cx_calloc(1, sizeof *f) : NULL;
    if (st == CX_OK && !f)
        st = oom(err);
    if (st == CX_OK) {
        f->seq = seq;
        f->reviews = cJSON_CreateArray();
        st = f->reviews ? find_record(path, b.data ? b.data : "", b.len, &f->seq, &f->doc, f->reviews, err)
                        : oom(err);
    }
    cx_buf_free(&b);
    if (st == CX_OK)
        st = case_of(f, scenario, err);
    if (st == CX_OK) {
        const char *text = cJSON_GetStringValue(
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(f->doc, "scenario"), "content"));
        f->content = text ? cJSON_Parse(text) : NULL;
    }
    if (st != CX_OK) {
        if (err && err->status != CX_OK && !err->file[0])
            snprintf(err->file, sizeof err->file, "%s", path);
        frozen_free(f);
        return st;
    }
    *out = f;
    return CX_OK;
}
