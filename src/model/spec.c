/*
 * spec.c - model specifications: named linear equations over a panel's
 * columns, read from JSON (the files in models/) with every error named by its JSON
 * Pointer, and put in dependency order (an equation whose term is another
 * equation's target comes after it; a cycle is an error).
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../core/jsonin.h"
#include "model_internal.h"

static void eqspec_clear(cx_eqspec *e)
{
    cx_free(e->name);
    cx_free(e->target);
    for (size_t i = 0; i < e->nterms; i++)
        cx_term_clear(&e->terms[i]);
    cx_free(e->terms);
    cx_free(e->weights);
    for (size_t i = 0; i < e->nfixed; i++)
        cx_free(e->fixed[i].term);
    cx_free(e->fixed);
    for (size_t i = 0; i < e->nme; i++) {
        cx_free(e->me_col[i]);
        cx_free(e->me_se[i]);
    }
    cx_free(e->me_col);
    cx_free(e->me_se);
}

void cx_spec_free(cx_spec *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->neq; i++)
        eqspec_clear(&s->eq[i]);
    cx_free(s->eq);
    for (size_t i = 0; i < s->nunits; i++)
        cx_free(s->units[i]);
    cx_free(s->units);
    cx_free(s->order);
    cx_free(s->name);
    cx_free(s->file);
    cx_free(s->text);
    cx_free(s);
}

size_t cx_spec_nequations(const cx_spec *s)
{
    return s ? s->neq : 0;
}

const char *cx_spec_target(const cx_spec *s, size_t i)
{
    return s->eq[i].target;
}

static cx_status oom(cx_error *err)
{
    return cx_error_set(err, CX_ENOMEM, NULL, 0, 0, "out of memory");
}

/* Does equation `e` use column `col` of the same period in any term?  A
 * lagged use is no dependency within the period, so lag(revenue, 1) in the
 * NPS equation and lag(nps, 4) in the revenue equation make no cycle. */
static int uses(const cx_eqspec *e, const char *col)
{
    for (size_t i = 0; i < e->nterms; i++)
        for (size_t k = 0; k < e->terms[i].nf; k++)
            if (e->terms[i].f[k].kind != CX_F_LAG && strcmp(e->terms[i].f[k].col, col) == 0)
                return 1;
    return 0;
}

/* Order equations so that each comes after those whose targets it uses
 * (Kahn's algorithm); a cycle is an error naming the equations in it. */
static cx_status order_equations(cx_spec *s, cx_error *err)
{
    size_t n = s->neq;
    s->order = cx_calloc(n + 1, sizeof(size_t));
    int *done = cx_calloc(n + 1, sizeof(int));
    if (!s->order || !done) {
        cx_free(done);
        return oom(err);
    }
    size_t placed = 0;
    while (placed < n) {
        int progress = 0;
        for (size_t i = 0; i < n; i++) {
            if (done[i])
                continue;
            int ready = 1;
            for (size_t j = 0; j < n && ready; j++)
                if (j != i && !done[j] && uses(&s->eq[i], s->eq[j].target))
                    ready = 0;
            if (ready) {
                s->order[placed++] = i;
                done[i] = 1;
                progress = 1;
            }
        }
        if (!progress)
            break;
    }
    cx_status st = CX_OK;
    if (placed < n) {
        cx_buf b = {0};
        for (size_t i = 0; i < n; i++)
            if (!done[i])
                cx_buf_printf(&b, "%s'%s'", b.len ? ", " : "", s->eq[i].target);
        cx_jpath p;
        cx_jpath_init(&p);
        cx_jpath_key(&p, "equations");
        st = cx_json_error(err, CX_EINVAL, s->file, &p,
                           "expected equations without a cycle, found the targets %s depending on "
                           "each other",
                           b.data ? b.data : "");
        cx_buf_free(&b);
    }
    cx_free(done);
    return st;
}

static const char *const spec_keys[] = {"name", "description", "units", "equations", "$schema", NULL};
static const char *const eq_keys[] = {"name", "target", "terms", "intercept", "method", "se",
                                      "weights", "lambda", "psi", "fixed", "description",
                                      "measurement_error", "tau2", NULL};
static const char *const fixed_keys[] = {"coef", "se", NULL};

/* "measurement_error": {"nps": "nps_se", ...}: each column with the column
 * holding its rows' standard errors; {} turns the survey aggregates'
 * declaration off.  Whether the columns exist is the design's to check. */
static cx_status parse_measurement_error(const cJSON *item, const char *file, cx_jpath *p, cx_eqspec *e,
                                         cx_error *err)
{
    const cJSON *me = cJSON_GetObjectItemCaseSensitive(item, "measurement_error");
    if (!me)
        return CX_OK;
    size_t old = cx_jpath_key(p, "measurement_error");
    char found[96];
    if (!cJSON_IsObject(me))
        return cx_json_error(err, CX_EINVAL, file, p,
                             "expected an object of columns ({\"nps\": \"nps_se\"}), found %s",
                             cx_json_describe(me, found, sizeof found));
    size_t n = (size_t)cJSON_GetArraySize(me);
    e->me_set = 1;
    e->me_col = cx_calloc(n + 1, sizeof(char *));
    e->me_se = cx_calloc(n + 1, sizeof(char *));
    if (!e->me_col || !e->me_se)
        return oom(err);
    for (const cJSON *m = me->child; m; m = m->next) {
        size_t o2 = cx_jpath_key(p, m->string);
        for (size_t k = 0; k < e->nme; k++)
            if (strcmp(e->me_col[k], m->string) == 0)
                return cx_json_error(err, CX_EINVAL, file, p, "expected each column once, found '%s' again",
                                     m->string);
        if (!cJSON_IsString(m) || !*m->valuestring)
            return cx_json_error(err, CX_EINVAL, file, p,
                                 "expected the name of the column of standard errors, found %s",
                                 cx_json_describe(m, found, sizeof found));
        e->me_col[e->nme] = cx_strdup(m->string);
        e->me_se[e->nme] = cx_strdup(m->valuestring);
        if (!e->me_col[e->nme] || !e->me_se[e->nme])
            return oom(err);
        e->nme++;
        cx_jpath_pop(p, o2);
    }
    cx_jpath_pop(p, old);
    return CX_OK;
}

static cx_status parse_equation(const cJSON *item, const char *file, cx_jpath *p, cx_eqspec *e,
                                cx_error *err)
{
    cx_status st = cx_json_object(item, eq_keys, file, p, err);
    const char *target = NULL, *name = NULL, *method = "ols", *se = "classic", *weights = NULL;
    const char *psi = "huber";
    const cJSON *terms = NULL, *fixed = NULL;
    e->intercept = 1;
    e->lambda = NAN;
    e->tau2 = NAN;
    if (st == CX_OK)
        st = cx_json_string(item, "target", 1, file, p, &target, err);
    if (st == CX_OK)
        st = cx_json_string(item, "name", 0, file, p, &name, err);
    if (st == CX_OK)
        st = cx_json_array(item, "terms", 1, file, p, &terms, err);
    if (st == CX_OK)
        st = cx_json_bool(item, "intercept", 0, file, p, &e->intercept, err);
    if (st == CX_OK)
        st = cx_json_string(item, "method", 0, file, p, &method, err);
    if (st == CX_OK)
        st = cx_json_string(item, "se", 0, file, p, &se, err);
    if (st == CX_OK)
        st = cx_json_string(item, "weights", 0, file, p, &weights, err);
    if (st == CX_OK)
        st = cx_json_number(item, "lambda", 0, file, p, &e->lambda, err);
    if (st == CX_OK)
        st = cx_json_string(item, "psi", 0, file, p, &psi, err);
    if (st == CX_OK)
        st = cx_json_number(item, "tau2", 0, file, p, &e->tau2, err);
    if (st == CX_OK)
        st = parse_measurement_error(item, file, p, e, err);
    if (st != CX_OK)
        return st;
    size_t old;
    if (!*target) {
        old = cx_jpath_key(p, "target");
        return cx_json_error(err, CX_EINVAL, file, p, "expected a column name, found an empty string");
    }
    if (strcmp(method, "ols") == 0)
        e->method = CX_METHOD_OLS;
    else if (strcmp(method, "ridge") == 0)
        e->method = CX_METHOD_RIDGE;
    else if (strcmp(method, "robust") == 0)
        e->method = CX_METHOD_ROBUST;
    else {
        old = cx_jpath_key(p, "method");
        st = cx_json_error(err, CX_EINVAL, file, p, "expected \"ols\", \"ridge\" or \"robust\", found '%s'", method);
        cx_jpath_pop(p, old);
        return st;
    }
    if (strcmp(se, "classic") == 0)
        e->se = CX_SE_CLASSIC;
    else if (strcmp(se, "hc1") == 0)
        e->se = CX_SE_HC1;
    else if (strcmp(se, "hc3") == 0)
        e->se = CX_SE_HC3;
    else if (strcmp(se, "cluster") == 0)
        e->se = CX_SE_CLUSTER;
    else {
        old = cx_jpath_key(p, "se");
        st = cx_json_error(err, CX_EINVAL, file, p, "expected \"classic\", \"hc1\", \"hc3\" or \"cluster\", found '%s'", se);
        cx_jpath_pop(p, old);
        return st;
    }
    if (e->method != CX_METHOD_OLS && e->se != CX_SE_CLASSIC) {
        old = cx_jpath_key(p, "se");
        st = cx_json_error(err, CX_EINVAL, file, p,
                           "equation '%s': robust or clustered standard errors are for \"ols\"; "
                           "method \"%s\" reports its own covariance",
                           name ? name : target, method);
        cx_jpath_pop(p, old);
        return st;
    }
    if (strcmp(psi, "huber") == 0)
        e->bisquare = 0;
    else if (strcmp(psi, "bisquare") == 0)
        e->bisquare = 1;
    else {
        old = cx_jpath_key(p, "psi");
        st = cx_json_error(err, CX_EINVAL, file, p, "expected \"huber\" or \"bisquare\", found '%s'", psi);
        cx_jpath_pop(p, old);
        return st;
    }
    if (!isnan(e->lambda) && e->method != CX_METHOD_RIDGE) {
        old = cx_jpath_key(p, "lambda");
        st = cx_json_error(err, CX_EINVAL, file, p, "a penalty goes with \"method\": \"ridge\", found the method \"%s\"", method);
        cx_jpath_pop(p, old);
        return st;
    }
    if (!isnan(e->lambda) && e->lambda < 0) {
        old = cx_jpath_key(p, "lambda");
        st = cx_json_error(err, CX_EINVAL, file, p, "expected a penalty of 0 or more, found %g", e->lambda);
        cx_jpath_pop(p, old);
        return st;
    }
    if (!isnan(e->tau2) && !(weights && strcmp(weights, "precision") == 0)) {
        old = cx_jpath_key(p, "tau2");
        return cx_json_error(err, CX_EINVAL, file, p,
                             "\"tau2\" goes with \"weights\": \"precision\" (a survey-measured target), "
                             "found %s",
                             weights ? "other weights" : "no weights");
    }
    if (!isnan(e->tau2) && e->tau2 < 0) {
        old = cx_jpath_key(p, "tau2");
        return cx_json_error(err, CX_EINVAL, file, p, "expected a variance tau2 of 0 or more, found %g", e->tau2);
    }
    if (e->nme && e->method != CX_METHOD_OLS) {
        old = cx_jpath_key(p, "measurement_error");
        return cx_json_error(err, CX_EINVAL, file, p,
                             "the measurement-error correction is a least-squares estimator, found "
                             "the method \"%s\": use \"ols\"",
                             method);
    }
    e->target = cx_strdup(target);
    e->name = cx_strdup(name ? name : target);
    e->weights = weights ? cx_strdup(weights) : NULL;
    if (!e->target || !e->name || (weights && !e->weights))
        return oom(err);

    size_t n = (size_t)cJSON_GetArraySize(terms);
    old = cx_jpath_key(p, "terms");
    if (n == 0 && !e->intercept) {
        st = cx_json_error(err, CX_EINVAL, file, p, "expected at least one term (or an intercept), found none");
        cx_jpath_pop(p, old);
        return st;
    }
    e->terms = cx_calloc(n + 1, sizeof(cx_term));
    if (!e->terms)
        return oom(err);
    size_t i = 0;
    for (const cJSON *t = terms->child; t; t = t->next, i++) {
        size_t o2 = cx_jpath_index(p, i);
        char found[96], msg[256];
        if (!cJSON_IsString(t))
            return cx_json_error(err, CX_EINVAL, file, p, "expected a term as a string, found %s",
                                 cx_json_describe(t, found, sizeof found));
        st = cx_term_parse(t->valuestring, &e->terms[i], msg, sizeof msg);
        if (st == CX_ENOMEM)
            return oom(err);
        if (st != CX_OK)
            return cx_json_error(err, CX_EINVAL, file, p, "bad term '%s': %s", t->valuestring, msg);
        e->nterms = i + 1;
        for (size_t k = 0; k < i; k++)
            if (strcmp(e->terms[k].text, e->terms[i].text) == 0)
                return cx_json_error(err, CX_EINVAL, file, p, "expected each term once, found '%s' again", e->terms[i].text);
        for (size_t k = 0; k < e->terms[i].nf; k++)
            if (strcmp(e->terms[i].f[k].col, e->target) == 0 && e->terms[i].f[k].kind != CX_F_LAG)
                return cx_json_error(err, CX_EINVAL, file, p,
                                     "the term '%s' uses the target '%s' itself; only lag(%s, k) may",
                                     e->terms[i].text, e->target, e->target);
        cx_jpath_pop(p, o2);
    }
    cx_jpath_pop(p, old);

    fixed = cJSON_GetObjectItemCaseSensitive(item, "fixed");
    if (fixed) {
        old = cx_jpath_key(p, "fixed");
        if (!cJSON_IsObject(fixed)) {
            char found[96];
            return cx_json_error(err, CX_EINVAL, file, p,
                                 "expected an object of terms ({\"term\": {\"coef\": ...}}), found %s",
                                 cx_json_describe(fixed, found, sizeof found));
        }
        size_t nf = (size_t)cJSON_GetArraySize(fixed);
        e->fixed = cx_calloc(nf + 1, sizeof(cx_fixed));
        if (!e->fixed)
            return oom(err);
        for (const cJSON *f = fixed->child; f; f = f->next) {
            size_t o2 = cx_jpath_key(p, f->string);
            cx_term parsed;
            char msg[256];
            st = cx_term_parse(f->string, &parsed, msg, sizeof msg);
            if (st == CX_ENOMEM)
                return oom(err);
            if (st != CX_OK)
                return cx_json_error(err, CX_EINVAL, file, p, "bad term '%s': %s", f->string, msg);
            int found_term = 0;
            for (size_t k = 0; k < e->nterms; k++)
                found_term |= strcmp(e->terms[k].text, parsed.text) == 0;
            int cat = cx_term_is_cat(&parsed);
            cx_fixed *fx = &e->fixed[e->nfixed];
            fx->term = cx_strdup(parsed.text);
            cx_term_clear(&parsed);
            if (!fx->term)
                return oom(err);
            e->nfixed++;
            if (!found_term)
                return cx_json_error(err, CX_EINVAL, file, p, "expected one of the equation's terms, found '%s'", f->string);
            if (cat)
                return cx_json_error(err, CX_EINVAL, file, p, "a categorical term cannot be fixed");
            st = cx_json_object(f, fixed_keys, file, p, err);
            if (st == CX_OK)
                st = cx_json_number(f, "coef", 1, file, p, &fx->coef, err);
            if (st == CX_OK)
                st = cx_json_number(f, "se", 0, file, p, &fx->se, err);
            if (st != CX_OK)
                return st;
            if (fx->se < 0)
                return cx_json_error(err, CX_EINVAL, file, p, "expected a standard error of 0 or more, found %g", fx->se);
            cx_jpath_pop(p, o2);
        }
        cx_jpath_pop(p, old);
    }
    return CX_OK;
}

cx_status cx_spec_parse(const char *text, size_t len, const char *name, cx_spec **out, cx_error *err)
{
    *out = NULL;
    cJSON *root = NULL;
    cx_status st = cx_json_parse(text, len, name, &root, err);
    if (st != CX_OK)
        return st;
    cx_spec *s = cx_calloc(1, sizeof *s);
    cx_jpath p;
    cx_jpath_init(&p);
    const cJSON *eqs = NULL, *units = NULL;
    const char *sname = NULL;
    if (!s) {
        st = oom(err);
        goto fail;
    }
    s->file = cx_strdup(name);
    s->text = cx_strndup(text, len);
    if (!s->file || !s->text) {
        st = oom(err);
        goto fail;
    }
    st = cx_json_object(root, spec_keys, name, &p, err);
    if (st == CX_OK)
        st = cx_json_string(root, "name", 0, name, &p, &sname, err);
    if (st == CX_OK)
        st = cx_json_array(root, "equations", 1, name, &p, &eqs, err);
    if (st == CX_OK)
        st = cx_json_array(root, "units", 0, name, &p, &units, err);
    if (st != CX_OK)
        goto fail;
    s->name = cx_strdup(sname ? sname : name);
    if (!s->name) {
        st = oom(err);
        goto fail;
    }
    if (units) {
        size_t n = (size_t)cJSON_GetArraySize(units), i = 0;
        s->units = cx_calloc(n + 1, sizeof(char *));
        if (!s->units) {
            st = oom(err);
            goto fail;
        }
        size_t old = cx_jpath_key(&p, "units");
        for (const cJSON *u = units->child; u; u = u->next, i++) {
            if (!cJSON_IsString(u) || !*u->valuestring) {
                char found[96];
                cx_jpath_index(&p, i);
                st = cx_json_error(err, CX_EINVAL, name, &p, "expected a column name, found %s",
                                   cx_json_describe(u, found, sizeof found));
                goto fail;
            }
            if (!(s->units[s->nunits++] = cx_strdup(u->valuestring))) {
                st = oom(err);
                goto fail;
            }
        }
        cx_jpath_pop(&p, old);
    }
    size_t n = (size_t)cJSON_GetArraySize(eqs);
    size_t old = cx_jpath_key(&p, "equations");
    if (n == 0) {
        st = cx_json_error(err, CX_EINVAL, name, &p, "expected at least one equation, found none");
        goto fail;
    }
    s->eq = cx_calloc(n, sizeof(cx_eqspec));
    if (!s->eq) {
        st = oom(err);
        goto fail;
    }
    size_t i = 0;
    for (const cJSON *e = eqs->child; e; e = e->next, i++) {
        size_t o2 = cx_jpath_index(&p, i);
        s->neq = i + 1;
        st = parse_equation(e, name, &p, &s->eq[i], err);
        if (st != CX_OK)
            goto fail;
        for (size_t k = 0; k < i; k++)
            if (strcmp(s->eq[k].target, s->eq[i].target) == 0) {
                cx_jpath_key(&p, "target");
                st = cx_json_error(err, CX_EINVAL, name, &p,
                                   "expected one equation per target, found '%s' again (also /equations/%zu)",
                                   s->eq[i].target, k);
                goto fail;
            }
        cx_jpath_pop(&p, o2);
    }
    cx_jpath_pop(&p, old);
    st = order_equations(s, err);
    if (st != CX_OK)
        goto fail;
    cJSON_Delete(root);
    *out = s;
    return CX_OK;
fail:
    cJSON_Delete(root);
    cx_spec_free(s);
    return st;
}

cx_status cx_spec_load(const char *path, cx_spec **out, cx_error *err)
{
    *out = NULL;
    char *text;
    size_t len;
    cx_status st = cx_json_read_file(path, &text, &len, err);
    if (st == CX_OK)
        st = cx_spec_parse(text, len, path, out, err);
    cx_free(text);
    return st;
}

cx_status cx_spec_simple(const char *target, const char *const *terms, size_t nterms, int intercept,
                         cx_spec **out, cx_error *err)
{
    *out = NULL;
    cJSON *doc = cJSON_CreateObject();
    cJSON *eqs = cJSON_AddArrayToObject(doc, "equations");
    cJSON *eq = cJSON_CreateObject();
    cJSON_AddItemToArray(eqs, eq);
    cJSON_AddStringToObject(eq, "target", target);
    cJSON *ts = cJSON_AddArrayToObject(eq, "terms");
    for (size_t i = 0; i < nterms; i++)
        cJSON_AddItemToArray(ts, cJSON_CreateString(terms[i]));
    cJSON_AddBoolToObject(eq, "intercept", intercept);
    char *text = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!text)
        return oom(err);
    cx_status st = cx_spec_parse(text, strlen(text), "the command line", out, err);
    cJSON_free(text);
    if (st == CX_OK)
        (*out)->cmdline = 1;
    return st;
}
